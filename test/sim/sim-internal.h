/* modemux-sim: engine internals shared by the QMI service files (core only). */
#pragma once

#include "sim-modem.h"

struct _SimClient {
    SimModem           *modem;
    guint8              service;
    guint8              cid;
    gchar              *transport;
    const SimClientOps *ops;
    gpointer            user_data;
    GList              *pending;        /* SimPending* (delayed answers) */
    /* NAS */
    gboolean            nas_serving_system_ind;
    gboolean            nas_system_info_ind;
    gboolean            nas_signal_ind;
    gboolean            nas_signal_strength_report;  /* Set Event Report 0x10 */
    guint8              nas_rssi_thresholds_n;       /* Config Signal Info 0x10 */
    gint8               nas_rssi_thresholds[16];
    /* WDS */
    gboolean            wds_bound;
    guint8              wds_mux_id;
    guint               wds_ip_family;   /* 4, 6 (8 = unspecified -> 4) */
    SimSession         *wds_session;
    /* UIM */
    gboolean            uim_events;
};

/* A service handler returns the response (full ownership) or NULL when the
 * message id is unknown to it (the engine answers InvalidQmiCommand). */
typedef QmiMessage *(*SimServiceHandler) (SimClient *client, QmiMessage *request);

QmiMessage *sim_dms_handle (SimClient *client, QmiMessage *request);
QmiMessage *sim_nas_handle (SimClient *client, QmiMessage *request);
QmiMessage *sim_uim_handle (SimClient *client, QmiMessage *request);
QmiMessage *sim_wds_handle (SimClient *client, QmiMessage *request);
QmiMessage *sim_wda_handle (SimClient *client, QmiMessage *request);
QmiMessage *sim_dpm_handle (SimClient *client, QmiMessage *request);
/* sim-radio.c: NAS Network Scan 0x21, System Selection Preference (Get 0x34, Set 0x33), DMS
 * Get Capabilities 0x20 and Get Band Capabilities 0x45; NULL for others. */
QmiMessage *sim_radio_handle_nas (SimClient *client, QmiMessage *request);
QmiMessage *sim_radio_handle_dms (SimClient *client, QmiMessage *request);
void        sim_radio_init       (SimRadio *radio, const SimScenario *scenario);
void        sim_radio_add_control_commands (SimModem *modem);
/* sim-profiles.c: WDS Create/Modify/Delete Profile 0x27-0x29, Get Profile
 * List/Settings 0x2A/0x2B, Get Default Settings 0x2C, Get Default Profile
 * Number 0x49, Get LTE Attach Parameters 0x85; NULL for others. */
QmiMessage *sim_profiles_handle  (SimClient *client, QmiMessage *request);
GPtrArray  *sim_profiles_new     (const SimScenario *scenario);
void        sim_profile_free     (SimProfile *profile);
void        sim_profiles_add_control_commands (SimModem *modem);

/* Engine-internal */
GList      *sim_modem_get_clients       (SimModem *modem);
guint32     sim_modem_next_handle       (SimModem *modem);
void        sim_modem_set_data_format   (SimModem *modem, const SimDataFormat *format);
void        sim_modem_emit              (SimModem *modem, SimModemEvent event, gpointer data);
gchar      *sim_modem_dump_state        (SimModem *modem);
GString    *sim_modem_get_log_ring      (SimModem *modem, guint last_n);
gboolean    sim_modem_run_control       (SimModem *modem, gchar **argv, GString *out, GError **error);
void        sim_modem_hangup_all        (SimModem *modem);
/* Modem reset: every transport drops (as hangup), sessions end, data format,
 * card lock, radio and registration back to power-on. */
void        sim_modem_reset             (SimModem *modem);
/* The same from inside a dispatch (fault action "reset"): on the next idle. */
void        sim_modem_schedule_reset    (SimModem *modem);

/* Fault engine (sim-fault.c): run-time rules ("fault add", matched before the
 * scenario's) and the log of every request received ("requests"). */
typedef struct _SimFaultEngine SimFaultEngine;
SimFaultEngine *sim_fault_engine_new    (void);
void        sim_fault_engine_free       (SimFaultEngine *engine);
SimFault   *sim_fault_engine_match      (SimFaultEngine *engine, SimScenario *scenario,
                                         guint8 service, guint16 message);
void        sim_fault_engine_record     (SimFaultEngine *engine, const gchar *transport,
                                         guint8 service, guint8 cid, QmiMessage *request);
SimFaultEngine *sim_modem_get_fault_engine (SimModem *modem);
void        sim_fault_add_control_commands (SimModem *modem);
void        sim_nas_notify_registration (SimModem *modem);
/* A signal change (the `signal` control command): NAS Signal Info indications
 * (0x51) to clients that registered for them, when a threshold is crossed. */
void        sim_nas_notify_signal (SimModem *modem, gint old_rssi);
void        sim_uim_notify_card         (SimModem *modem);
void        sim_wds_notify_session_end  (SimSession *session);
/* UIM Verify PIN, also served by DMS: the PIN TLV is @pin_tlv there. */
QmiMessage *sim_uim_verify_pin          (SimModem *modem, QmiMessage *req, guint8 pin_tlv);

/* Sending */
void        sim_client_send             (SimClient *client, QmiMessage *message);
/* Indication of @service/@message_id to @client (flags set as firmware does). */
QmiMessage *sim_indication_new          (SimClient *client, guint16 message_id);
/* Sends @ind (from sim_indication_new, TLVs added) as an indication; consumes it. */
void        sim_client_send_indication  (SimClient *client, QmiMessage *ind);
/* Fault "malformed": @response with a 1-byte result TLV (consumes @response). */
QmiMessage *sim_message_make_malformed  (QmiMessage *response);

/* TLV helpers (little-endian values, as QMI wants) */
const guint8 *sim_tlv_get   (QmiMessage *m, guint8 type, guint16 *len);
gboolean      sim_tlv_u8    (QmiMessage *m, guint8 type, guint8 *out);
gboolean      sim_tlv_u16   (QmiMessage *m, guint8 type, guint16 *out);
gboolean      sim_tlv_u32   (QmiMessage *m, guint8 type, guint32 *out);
gchar        *sim_tlv_string (QmiMessage *m, guint8 type);   /* raw string TLV */
void          sim_add_u8    (QmiMessage *m, guint8 type, guint8 v);
void          sim_add_u16   (QmiMessage *m, guint8 type, guint16 v);
void          sim_add_u32   (QmiMessage *m, guint8 type, guint32 v);
void          sim_add_u64   (QmiMessage *m, guint8 type, guint64 v);
void          sim_add_bytes (QmiMessage *m, guint8 type, const guint8 *data, gsize len);
void          sim_add_string (QmiMessage *m, guint8 type, const gchar *s); /* no length prefix */

/* Little-endian appenders for composite TLVs */
void          sim_buf_u8    (GByteArray *b, guint8 v);
void          sim_buf_u16   (GByteArray *b, guint16 v);
void          sim_buf_u32   (GByteArray *b, guint32 v);
void          sim_buf_bytes (GByteArray *b, const void *d, gsize n);

#define SIM_ERROR_RESPONSE(req, err) qmi_message_response_new ((req), (QmiProtocolError) (err))
