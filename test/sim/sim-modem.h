/* modemux-sim: the modem engine shared by every transport (docs/simulator.md).
 *
 * One SimModem holds all modem state (identity, SIM, registration, radio,
 * negotiated data format, PDN sessions). Transports never interpret QMI
 * services themselves: they create one SimClient per (service, client id)
 * and hand every request to sim_client_handle_request(); the engine answers
 * through the client's SimClientOps (responses and indications alike).
 *
 *   - QMUX transports (fake qmi-proxy, pty; sim-qmux.c) emulate CTL per
 *     connection and create a SimClient on CTL Allocate CID.
 *   - QRTR (sim-qrtr*.c) creates one SimClient per remote QRTR port that
 *     talks to a service (one QRTR port = one client), with any cid it likes
 *     (e.g. the low byte of the port); CTL does not exist there.
 *   - MBIM (sim-mbim*.c) does not speak QMI at all; it uses the shared-state
 *     accessors below (identity, SIM, registration, radio, sessions).
 *   - The data path (sim-data*.c) looks sessions up by mux id, reads the
 *     negotiated data format and bumps per-mux counters.
 *
 * QmiMessage handling: requests and responses are always full QmiMessages
 * (with the QMUX header libqmi keeps in memory). A QRTR transport builds
 * the request with qmi_message_new_from_data (service, cid, payload) and
 * sends qmi_message_get_data() of what it gets back.
 *
 * Everything runs on the default GMainContext; no threads.
 */
#pragma once

#include <stdio.h>
#include <glib.h>
#include <libqmi-glib.h>

G_BEGIN_DECLS

typedef struct _SimModem    SimModem;
typedef struct _SimClient   SimClient;
typedef struct _SimScenario SimScenario;
typedef struct _SimSession  SimSession;

/* ---------------------------------------------------------------------- */
/* Scenario (sim-scenario.c): immutable after load, readable by anyone.    */

typedef struct {
    gchar   *name;            /* APN name, matched case-insensitively */
    gboolean ipv4;            /* the network grants IPv4 on this APN */
    gboolean ipv6;
    guint8   ipv4_network[4]; /* pool: network address, network byte order */
    guint    ipv4_prefix;     /* e.g. 24; gateway = network + 1 */
    guint8   ipv6_network[16];
    guint    ipv6_prefix;     /* e.g. 64; gateway = network ::1 */
    guint8   ipv4_dns[2][4];
    guint    n_ipv4_dns;
    guint8   ipv6_dns[2][16];
    guint    n_ipv6_dns;
    guint    mtu;
    guint16  reject_type;     /* != 0: Start Network on this APN is refused with */
    gint16   reject_reason;   /* this verbose call-end reason (QmiWdsVerboseCallEndReason*) */
} SimApn;

typedef enum {
    SIM_FAULT_ACTION_ERROR,     /* answer with error code */
    SIM_FAULT_ACTION_DROP,      /* never answer */
    SIM_FAULT_ACTION_DELAY,     /* answer after delay_ms */
    SIM_FAULT_ACTION_HANGUP,    /* close the client's transport connection */
    SIM_FAULT_ACTION_MALFORMED, /* answer with a truncated TLV */
    SIM_FAULT_ACTION_RESET,     /* modem reset: every transport drops, state back to power-on */
} SimFaultAction;

typedef struct {
    guint8         service;   /* QmiService */
    guint16        message;   /* message id */
    SimFaultAction action;
    guint32        error;     /* QmiProtocolError (MBIM: MbimStatusError) for ERROR */
    guint          delay_ms;  /* for DELAY */
    guint          after;     /* apply from the (after+1)-th matching request on */
    guint          count;     /* how many times; 0 = forever */
    /* run-time */
    guint          seen;
    guint          applied;
} SimFault;

struct _SimScenario {
    gchar  *path;
    /* [identity] */
    gchar  *imei, *manufacturer, *model, *revision, *hardware_revision;
    gchar  *iccid, *imsi, *msisdn;
    gchar  *mcc, *mnc, *operator_name;
    /* [sim] */
    gboolean sim_present;
    gchar   *pin;              /* NULL = PIN disabled */
    guint    pin_retries, puk_retries;
    guint    pin2_retries, puk2_retries; /* PIN2 is disabled; only its counters show */
    gchar   *puk;
    /* [registration] */
    gboolean register_on_start;   /* registered (home) from the start */
    guint    register_delay_ms;   /* else: registers this long after going online */
    gboolean roaming;
    gint     rssi_dbm, rsrp_dbm, rsrq_db, snr_db10; /* signal */
    /* [data-format] */
    guint32 *llps;   guint n_llps;   /* accepted QmiWdaLinkLayerProtocol */
    guint32 *daps;   guint n_daps;   /* accepted QmiWdaDataAggregationProtocol */
    guint32  dl_max_datagrams;       /* clamp for DL max datagrams */
    guint32  dl_max_size;            /* clamp for DL max size */
    guint32  default_llp, default_dap;
    gboolean endpoint_required;      /* WDA Set without TLV 0x17 -> MissingArgument */
    /* [endpoint]: the data port this control port serves */
    guint32  ep_type;   /* QmiDataEndpointType */
    guint32  ep_iface;
    /* [sessions] */
    guint    max_sessions;           /* simultaneous PDN sessions (Start Network) */
    guint    max_mux_id;             /* highest accepted mux id */
    /* [apn NAME] sections */
    SimApn  *apns;   guint n_apns;
    /* [latency] */
    guint    latency_ms;             /* added before every response */
    /* [fault N] sections */
    SimFault *faults; guint n_faults;
    /* [network] */
    guint    disconnect_after_s;     /* network drops each session after N s; 0 = never */
    /* [radio] (sim-radio.c) */
    guint8  *radios; guint n_radios; /* QmiDmsRadioInterface the modem supports */
    guint8   preferred_radio;        /* QmiNasRadioInterface first in acquisition order (0 = none) */
    guint64  band_capability;        /* QmiDmsBandCapability (GSM/WCDMA) */
    guint64  lte_bands[4];           /* bit n-1 = E-UTRAN band n */
    guint64  nr5g_bands[8];          /* bit n-1 = NR band n */
    /* [scan]: what NAS Network Scan finds; none given: the home network */
    struct SimScanNetwork {
        guint16 mcc, mnc;
        guint8  status;              /* QmiNasNetworkStatus */
        guint8  radio;               /* QmiNasRadioInterface */
        gchar  *name;
    } *networks;
    guint    n_networks;
};

/* The fault rule that applies to this request, counting it (NULL = none).
 * The engine calls it for every service request; QMUX transports call it for
 * CTL (error, drop and hangup only). */
SimFault      *sim_modem_match_fault  (SimModem *modem, guint8 service, guint16 message);

/* Fault rules for MBIM Basic Connect (service=mbim): message = the CID (query
 * and set) or SIM_FAULT_MBIM_SET | CID (set only); error = an MBIM status
 * (libmbim nick or number). Not a QMI service id. */
#define SIM_FAULT_SERVICE_MBIM 0xE0
#define SIM_FAULT_MBIM_SET     0x8000

/* One [fault] rule from group @group of @kf (the scenario's, or one the
 * control command "fault add" builds). */
gboolean       sim_scenario_parse_fault (GKeyFile *kf, const gchar *group, SimFault *fault,
                                         GError **error);

SimScenario   *sim_scenario_load      (const gchar *path, GError **error);
/* The same for a scenario file's contents (the scenario fuzzer's entry). */
SimScenario   *sim_scenario_load_data (const gchar *data, gsize length, GError **error);
SimScenario   *sim_scenario_new_default (void);
void           sim_scenario_free      (SimScenario *scenario);
const SimApn  *sim_scenario_find_apn  (const SimScenario *scenario, const gchar *apn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimScenario, sim_scenario_free)

/* ---------------------------------------------------------------------- */
/* Engine                                                                  */

SimModem          *sim_modem_new       (SimScenario *scenario /* takes ownership */);
void               sim_modem_free      (SimModem *modem);
const SimScenario *sim_modem_get_scenario (SimModem *modem);

/* Logging: one line per event to stderr or the --log file, also kept in a
 * ring buffer that the control socket shows ("log"). */
void sim_modem_set_log_file (SimModem *modem, FILE *file /* borrowed */);
void sim_modem_log          (SimModem *modem, const gchar *fmt, ...) G_GNUC_PRINTF (2, 3);
/* Logs a QMI message in libqmi's printable form, flattened to one line. */
void sim_modem_log_qmi      (SimModem *modem, const gchar *transport,
                             const gchar *direction, QmiMessage *message);

/* Versions announced in CTL Get Version Info (and by QRTR NEW_SERVER:
 * instance = major | (instance << 8)). Returns services in order, ending
 * with a 0xFF service; CTL (0) is included first. */
typedef struct { guint8 service; guint16 major, minor; } SimServiceVersion;
const SimServiceVersion *sim_modem_get_services (void);

/* ---------------------------------------------------------------------- */
/* Clients (transport side)                                                */

typedef struct {
    /* Deliver a response or indication to the remote client. */
    void (*send)   (SimClient *client, QmiMessage *message, gpointer user_data);
    /* Close the transport connection this client lives on (fault rule
     * "hangup", control "hangup"). May be called from inside send/handle;
     * the transport must defer the actual teardown to an idle. */
    void (*hangup) (SimClient *client, gpointer user_data);
} SimClientOps;

/* A new client of @service with client id @cid. @transport names the
 * transport in logs ("proxy#3", "pty", "qrtr:4000"). */
SimClient *sim_client_new      (SimModem *modem, guint8 service, guint8 cid,
                                const gchar *transport,
                                const SimClientOps *ops, gpointer user_data);
/* Release (CTL Release CID, QRTR DEL_CLIENT, connection closed): stops the
 * sessions this client started, cancels pending delayed answers. */
void       sim_client_free     (SimClient *client);
/* Lowest client id (1..254) not in use for @service by any transport;
 * 0 when exhausted (CTL answers ClientIdsExhausted). */
guint8     sim_modem_allocate_cid (SimModem *modem, guint8 service);
guint8     sim_client_get_service (SimClient *client);
guint8     sim_client_get_cid  (SimClient *client);
/* Handle one request (not consumed). Faults and latency apply here; the
 * answer may come later (delay) or never (drop). */
void       sim_client_handle_request (SimClient *client, QmiMessage *request);

/* ---------------------------------------------------------------------- */
/* Shared modem state (QMI services, MBIM, control socket)                 */

typedef enum {
    SIM_CARD_ABSENT,
    SIM_CARD_PIN_REQUIRED,
    SIM_CARD_PUK_REQUIRED,   /* PIN blocked */
    SIM_CARD_READY,          /* PIN verified or disabled */
    SIM_CARD_BLOCKED,        /* PUK blocked too */
} SimCardState;

SimCardState sim_modem_get_card_state (SimModem *modem, guint *pin_retries, guint *puk_retries);
/* Verify the PIN: TRUE on success; on failure *error_out is the QMI error
 * (IncorrectPin, PinBlocked, NoEffect, SimNotInserted..). */
gboolean     sim_modem_verify_pin     (SimModem *modem, const gchar *pin, QmiProtocolError *error_out);
void         sim_modem_remove_sim     (SimModem *modem);

typedef enum {
    SIM_REG_NOT_REGISTERED,
    SIM_REG_SEARCHING,
    SIM_REG_HOME,
    SIM_REG_ROAMING,
    SIM_REG_DENIED,
} SimRegState;
SimRegState  sim_modem_get_registration (SimModem *modem);
void         sim_modem_set_registration (SimModem *modem, SimRegState state);

/* Operating mode, QmiDmsOperatingMode values (0 online, 1 low power, ...). */
guint        sim_modem_get_operating_mode (SimModem *modem);
/* Returns FALSE with *error_out if the transition is invalid. */
gboolean     sim_modem_set_operating_mode (SimModem *modem, guint mode, QmiProtocolError *error_out);

/* ---------------------------------------------------------------------- */
/* Radio (sim-radio.c): what NAS System Selection Preference set, starting
 * from the scenario's [radio] (everything supported allowed), and the
 * signal, starting from [registration]. Mutable through NAS and the
 * control socket ("radio", "signal"). */

typedef struct {
    guint16  mode_preference;        /* QmiNasRatModePreference */
    guint8   acquisition_order[8];   /* QmiNasRadioInterface */
    guint    n_acquisition_order;
    guint64  band_preference;        /* QmiNasBandPreference (GSM/WCDMA) */
    guint64  lte_bands[4];
    guint64  nr5g_bands[8];
    gint     rssi_dbm, rsrp_dbm, rsrq_db, snr_db10;
    gboolean ps_detached;            /* NAS Attach Detach: PS detached while registered */
} SimRadio;

SimRadio    *sim_modem_get_radio (SimModem *modem);

/* 3GPP profiles (sim-profiles.c), WDS Create/Modify/Delete Profile. */
typedef struct {
    guint8   index;
    gchar   *name, *apn, *user, *password;
    guint8   pdp_type;                /* QmiWdsPdpType */
    guint8   auth;                    /* QmiWdsAuthentication */
} SimProfile;

GPtrArray   *sim_modem_get_profiles (SimModem *modem);   /* SimProfile*, mutable */
/* QMI requests the engine handled (every service, CTL excluded). */
guint64      sim_modem_get_request_count (SimModem *modem);

/* ---------------------------------------------------------------------- */
/* Data format (negotiated with WDA Set Data Format)                        */

typedef struct {
    gboolean configured;        /* FALSE until a successful WDA Set */
    guint32  llp;               /* QmiWdaLinkLayerProtocol: 1 802.3, 2 raw-IP */
    guint32  ul_dap, dl_dap;    /* QmiWdaDataAggregationProtocol: 0 none, 5 QMAP, 8 QMAPv4, 9 QMAPv5 */
    guint32  dl_max_datagrams;  /* accepted (clamped) DL aggregation limits */
    guint32  dl_max_size;
    guint32  ul_max_datagrams;
    guint32  ul_max_size;
    guint32  ep_type, ep_iface; /* endpoint given in the Set (or the scenario's) */
} SimDataFormat;

const SimDataFormat *sim_modem_get_data_format (SimModem *modem);

/* ---------------------------------------------------------------------- */
/* PDN sessions                                                            */

/* Per-mux counters, kept by the engine, incremented by the data path.
 * "ul" = host -> network (frames the modem received on its data port),
 * "dl" = network -> host. They survive session stop (reset on "reset-counters"). */
typedef struct {
    guint64 ul_packets, ul_bytes;
    guint64 dl_packets, dl_bytes;
    guint64 ul_dropped;          /* frames for this mux that could not be delivered */
} SimMuxCounters;

struct _SimSession {
    SimModem    *modem;
    guint        id;              /* engine-wide, for the control socket */
    guint32      packet_data_handle; /* WDS Start Network handle */
    guint8       mux_id;          /* bound mux id (0 = not multiplexed); MBIM: session id */
    guint        family;          /* 4 or 6 */
    const SimApn *apn;
    gchar       *apn_name;        /* as requested */
    /* The addresses granted for this session, network byte order. */
    guint8       ipv4_address[4], ipv4_gateway[4];
    guint        ipv4_prefix;
    guint8       ipv6_address[16], ipv6_gateway[16];
    guint        ipv6_prefix;
    guint        mtu;
    SimMuxCounters *counters;      /* == sim_modem_get_mux_counters (mux_id) */
    gpointer     owner;           /* SimClient* for QMI, transport-defined for MBIM */
    guint        disconnect_timeout_id;
};

/* Start a session on @apn for @family (4/6) bound to @mux_id. On failure
 * returns NULL with *error_out (QMI error) set; for CallFailed also the
 * verbose call-end reason (*verbose_type: QmiWdsVerboseCallEndReasonType,
 * e.g. 3GPP with cause 27 for an unknown APN). Emits
 * SIM_MODEM_EVENT_SESSION_STARTED. */
SimSession  *sim_modem_start_session (SimModem *modem, const gchar *apn, guint family,
                                      guint8 mux_id, gpointer owner,
                                      QmiProtocolError *error_out,
                                      guint16 *verbose_type, gint16 *verbose_reason);
/* Stop (emits SIM_MODEM_EVENT_SESSION_STOPPED, frees the session). When
 * @network_initiated, QMI owners get a Packet Service Status indication. */
void         sim_modem_stop_session  (SimModem *modem, SimSession *session, gboolean network_initiated);
/* All live sessions (owned by the engine, do not modify the list). */
GList       *sim_modem_get_sessions  (SimModem *modem);
SimSession  *sim_modem_find_session_by_id (SimModem *modem, guint id);
/* The data path's lookup: session bound to @mux_id of @family (4 or 6), or
 * of either family when @family is 0 (IPv4 first). NULL if none. */
SimSession  *sim_modem_find_session_by_mux (SimModem *modem, guint8 mux_id, guint family);
/* Counters for @mux_id, created on first use; never NULL. */
SimMuxCounters *sim_modem_get_mux_counters (SimModem *modem, guint8 mux_id);
/* Frames for mux ids without a session (data path increments). */
guint64     *sim_modem_get_unknown_mux_drops (SimModem *modem);

/* ---------------------------------------------------------------------- */
/* Events: anyone (MBIM, data path) may watch state changes.               */

typedef enum {
    SIM_MODEM_EVENT_SESSION_STARTED,     /* data = SimSession* */
    SIM_MODEM_EVENT_SESSION_STOPPED,     /* data = SimSession* (freed right after) */
    SIM_MODEM_EVENT_DATA_FORMAT_CHANGED, /* data = NULL */
    SIM_MODEM_EVENT_REGISTRATION_CHANGED,
    SIM_MODEM_EVENT_CARD_CHANGED,
    SIM_MODEM_EVENT_OPERATING_MODE_CHANGED,
    SIM_MODEM_EVENT_HANGUP,              /* control "hangup": drop every transport connection
                                          * (emitted outside any transport callback, so
                                          * transports may tear down synchronously) */
} SimModemEvent;

typedef void (*SimModemEventFunc) (SimModem *modem, SimModemEvent event, gpointer data, gpointer user_data);
guint sim_modem_add_watch    (SimModem *modem, SimModemEventFunc func, gpointer user_data);
void  sim_modem_remove_watch (SimModem *modem, guint watch_id);

/* ---------------------------------------------------------------------- */
/* Control socket extension (sim-control.c). A command handler gets the
 * whitespace-split arguments (argv[0] = command) and appends its answer
 * (one or more lines, no trailing "OK") to @out. Return FALSE and set
 * @error for "ERR <message>". */
typedef gboolean (*SimControlFunc) (SimModem *modem, gchar **argv, GString *out,
                                    gpointer user_data, GError **error);
void sim_modem_add_control_command (SimModem *modem, const gchar *name, const gchar *help,
                                    SimControlFunc func, gpointer user_data);

/* ---------------------------------------------------------------------- */
/* Modules: code outside the core (data path, QRTR, MBIM) plugs into main
 * without main knowing about it. Register with SIM_DEFINE_MODULE in one of
 * your .c files; main adds @entries to its options, calls @start after the
 * engine exists (only if @enabled says the module's options were given)
 * and @stop before freeing the engine. */
typedef struct {
    const gchar  *name;
    GOptionEntry *entries;                           /* NULL-terminated, may be NULL */
    gboolean    (*enabled) (void);                   /* any of my options set? */
    gboolean    (*start)   (SimModem *modem, GError **error);
    void        (*stop)    (SimModem *modem);        /* free everything */
} SimModule;

void              sim_register_module (const SimModule *module);
const SimModule **sim_get_modules     (guint *n_modules);

#define SIM_DEFINE_MODULE(var)                                              \
    static void var##_register (void) __attribute__((constructor));        \
    static void var##_register (void) { sim_register_module (&(var)); }

G_END_DECLS
