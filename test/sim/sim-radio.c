/* modemux-sim: the radio's settings (modes, bands, signal). DMS answers what
 * the modem supports (Get Capabilities, Get Band Capabilities) from the
 * scenario's [radio]; NAS System Selection Preference reads and changes
 * what it currently uses; the control socket shows it ("radio") and moves
 * the signal ("signal", sent as NAS Event Report indications). */
#define G_LOG_DOMAIN "sim-radio"

#include <string.h>

#include "sim-internal.h"

static guint16
rat_mode_from_dms_radio (guint8 radio)
{
    switch (radio) {
    case QMI_DMS_RADIO_INTERFACE_GSM:  return QMI_NAS_RAT_MODE_PREFERENCE_GSM;
    case QMI_DMS_RADIO_INTERFACE_UMTS: return QMI_NAS_RAT_MODE_PREFERENCE_UMTS;
    case QMI_DMS_RADIO_INTERFACE_LTE:  return QMI_NAS_RAT_MODE_PREFERENCE_LTE;
    case QMI_DMS_RADIO_INTERFACE_5GNR: return QMI_NAS_RAT_MODE_PREFERENCE_5GNR;
    case QMI_DMS_RADIO_INTERFACE_TDS:  return QMI_NAS_RAT_MODE_PREFERENCE_TD_SCDMA;
    default:                           return 0;
    }
}

static guint8
nas_radio_from_dms_radio (guint8 radio)
{
    switch (radio) {
    case QMI_DMS_RADIO_INTERFACE_GSM:  return QMI_NAS_RADIO_INTERFACE_GSM;
    case QMI_DMS_RADIO_INTERFACE_UMTS: return QMI_NAS_RADIO_INTERFACE_UMTS;
    case QMI_DMS_RADIO_INTERFACE_LTE:  return QMI_NAS_RADIO_INTERFACE_LTE;
    case QMI_DMS_RADIO_INTERFACE_5GNR: return QMI_NAS_RADIO_INTERFACE_5GNR;
    case QMI_DMS_RADIO_INTERFACE_TDS:  return QMI_NAS_RADIO_INTERFACE_TD_SCDMA;
    default:                           return QMI_NAS_RADIO_INTERFACE_NONE;
    }
}

void
sim_radio_init (SimRadio *radio, const SimScenario *s)
{
    static const guint8 order[] = {
        QMI_NAS_RADIO_INTERFACE_5GNR, QMI_NAS_RADIO_INTERFACE_LTE, QMI_NAS_RADIO_INTERFACE_UMTS,
        QMI_NAS_RADIO_INTERFACE_TD_SCDMA, QMI_NAS_RADIO_INTERFACE_GSM,
    };

    memset (radio, 0, sizeof *radio);
    for (guint i = 0; i < s->n_radios; i++)
        radio->mode_preference |= rat_mode_from_dms_radio (s->radios[i]);
    /* The preferred technology first, then newest to oldest. */
    if (s->preferred_radio)
        radio->acquisition_order[radio->n_acquisition_order++] = s->preferred_radio;
    for (guint i = 0; i < G_N_ELEMENTS (order); i++) {
        if (order[i] == s->preferred_radio)
            continue;
        for (guint j = 0; j < s->n_radios; j++)
            if (nas_radio_from_dms_radio (s->radios[j]) == order[i])
                radio->acquisition_order[radio->n_acquisition_order++] = order[i];
    }
    radio->band_preference = s->band_capability;
    memcpy (radio->lte_bands, s->lte_bands, sizeof radio->lte_bands);
    memcpy (radio->nr5g_bands, s->nr5g_bands, sizeof radio->nr5g_bands);
    radio->rssi_dbm = s->rssi_dbm;
    radio->rsrp_dbm = s->rsrp_dbm;
    radio->rsrq_db = s->rsrq_db;
    radio->snr_db10 = s->snr_db10;
}

static void
add_u64s (QmiMessage *m, guint8 type, const guint64 *v, guint n)
{
    g_autoptr(GByteArray) b = g_byte_array_new ();

    for (guint i = 0; i < n; i++) {
        sim_buf_u32 (b, (guint32) (v[i] & 0xffffffff));
        sim_buf_u32 (b, (guint32) (v[i] >> 32));
    }
    sim_add_bytes (m, type, b->data, b->len);
}

static gboolean
read_u64s (QmiMessage *m, guint8 type, guint64 *v, guint n)
{
    guint16 len;
    const guint8 *d = sim_tlv_get (m, type, &len);

    if (!d || len < n * 8)
        return FALSE;
    for (guint i = 0; i < n; i++) {
        v[i] = 0;
        for (guint j = 0; j < 8; j++)
            v[i] |= (guint64) d[i * 8 + j] << (8 * j);
    }
    return TRUE;
}

/* Band numbers of a bitmask as a u16-counted u16 list (DMS capabilities). */
static void
add_band_list (QmiMessage *m, guint8 type, const guint64 *mask, guint n_words)
{
    g_autoptr(GByteArray) b = g_byte_array_new ();
    guint16 n = 0;

    sim_buf_u16 (b, 0);
    for (guint band = 1; band <= n_words * 64; band++)
        if (mask[(band - 1) / 64] & (1ULL << ((band - 1) % 64))) {
            sim_buf_u16 (b, (guint16) band);
            n++;
        }
    b->data[0] = n & 0xff;
    b->data[1] = n >> 8;
    sim_add_bytes (m, type, b->data, b->len);
}

static gboolean
any_bits (const guint64 *mask, guint n)
{
    for (guint i = 0; i < n; i++)
        if (mask[i])
            return TRUE;
    return FALSE;
}

static gboolean
within (const guint64 *mask, const guint64 *allowed, guint n)
{
    for (guint i = 0; i < n; i++)
        if (mask[i] & ~allowed[i])
            return FALSE;
    return TRUE;
}

static guint16
supported_rat_modes (const SimScenario *s)
{
    guint16 modes = 0;

    for (guint i = 0; i < s->n_radios; i++)
        modes |= rat_mode_from_dms_radio (s->radios[i]);
    return modes;
}

QmiMessage *
sim_radio_handle_dms (SimClient *client, QmiMessage *req)
{
    const SimScenario *s = sim_modem_get_scenario (client->modem);
    QmiMessage *resp;

    switch (qmi_message_get_message_id (req)) {
    case 0x0020: { /* Get Capabilities */
        g_autoptr(GByteArray) b = g_byte_array_new ();

        sim_buf_u32 (b, 150000000);  /* max TX channel rate */
        sim_buf_u32 (b, 1000000000); /* max RX channel rate */
        sim_buf_u8 (b, QMI_DMS_DATA_SERVICE_CAPABILITY_SIMULTANEOUS_CS_PS);
        sim_buf_u8 (b, QMI_DMS_SIM_CAPABILITY_SUPPORTED);
        sim_buf_u8 (b, (guint8) s->n_radios);
        sim_buf_bytes (b, s->radios, s->n_radios);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x01, b->data, b->len);
        return resp;
    }
    case 0x0045: /* Get Band Capabilities */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u64 (resp, 0x01, s->band_capability);
        sim_add_u64 (resp, 0x10, s->lte_bands[0]);
        add_band_list (resp, 0x12, s->lte_bands, 4);
        if (any_bits (s->nr5g_bands, 8))
            add_band_list (resp, 0x13, s->nr5g_bands, 8);
        return resp;
    default:
        return NULL;
    }
}

QmiMessage *
sim_radio_handle_nas (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    SimRadio *radio = sim_modem_get_radio (modem);
    QmiMessage *resp;

    switch (qmi_message_get_message_id (req)) {
    case 0x0021: { /* Network Scan: the scenario's networks, else the home one */
        g_autoptr(GByteArray) info = g_byte_array_new ();
        g_autoptr(GByteArray) rats = g_byte_array_new ();
        struct SimScanNetwork home = {
            (guint16) g_ascii_strtoull (s->mcc ? s->mcc : "0", NULL, 10),
            (guint16) g_ascii_strtoull (s->mnc ? s->mnc : "0", NULL, 10),
            QMI_NAS_NETWORK_STATUS_CURRENT_SERVING | QMI_NAS_NETWORK_STATUS_HOME,
            QMI_NAS_RADIO_INTERFACE_LTE, s->operator_name,
        };
        const struct SimScanNetwork *nets = s->n_networks ? s->networks : &home;
        guint n = s->n_networks ? s->n_networks : 1;

        if (sim_modem_get_operating_mode (modem) != QMI_DMS_OPERATING_MODE_ONLINE)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_DEVICE_NOT_READY);
        sim_buf_u16 (info, (guint16) n);
        sim_buf_u16 (rats, (guint16) n);
        for (guint i = 0; i < n; i++) {
            const gchar *name = nets[i].name ? nets[i].name : "";

            sim_buf_u16 (info, nets[i].mcc);
            sim_buf_u16 (info, nets[i].mnc);
            sim_buf_u8 (info, nets[i].status);
            sim_buf_u8 (info, (guint8) strlen (name));
            sim_buf_bytes (info, name, strlen (name));
            sim_buf_u16 (rats, nets[i].mcc);
            sim_buf_u16 (rats, nets[i].mnc);
            sim_buf_u8 (rats, nets[i].radio);
        }
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x10, info->data, info->len);
        sim_add_bytes (resp, 0x11, rats->data, rats->len);
        return resp;
    }
    case 0x0034: { /* Get System Selection Preference */
        g_autoptr(GByteArray) order = g_byte_array_new ();

        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u16 (resp, 0x11, radio->mode_preference);
        sim_add_u64 (resp, 0x12, radio->band_preference);
        sim_add_u64 (resp, 0x15, radio->lte_bands[0]);
        sim_add_u8 (resp, 0x16, QMI_NAS_NETWORK_SELECTION_PREFERENCE_AUTOMATIC);
        sim_buf_u8 (order, (guint8) radio->n_acquisition_order);
        sim_buf_bytes (order, radio->acquisition_order, radio->n_acquisition_order);
        sim_add_bytes (resp, 0x1C, order->data, order->len);
        add_u64s (resp, 0x23, radio->lte_bands, 4);
        if (any_bits (s->nr5g_bands, 8)) {
            add_u64s (resp, 0x2C, radio->nr5g_bands, 8);
            add_u64s (resp, 0x2D, radio->nr5g_bands, 8);
        }
        return resp;
    }
    case 0x0033: { /* Set System Selection Preference */
        SimRadio next = *radio;
        guint64 lte[4] = { 0 }, nr[8] = { 0 }, legacy = 0;
        guint16 len, modes;
        const guint8 *d;

        if (sim_tlv_u16 (req, 0x11, &modes)) {
            if (!modes || (modes & ~supported_rat_modes (s)))
                return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
            next.mode_preference = modes;
        }
        if (read_u64s (req, 0x12, &legacy, 1)) {
            if (legacy & ~s->band_capability)
                return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
            next.band_preference = legacy;
        }
        /* The extended LTE mask wins over the legacy 64-bit one. */
        if (read_u64s (req, 0x24, lte, 4) || read_u64s (req, 0x15, lte, 1)) {
            if (!within (lte, s->lte_bands, 4))
                return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
            memcpy (next.lte_bands, lte, sizeof lte);
        }
        if (read_u64s (req, 0x2F, nr, 8) || read_u64s (req, 0x30, nr, 8)) {
            if (!within (nr, s->nr5g_bands, 8))
                return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
            memcpy (next.nr5g_bands, nr, sizeof nr);
        }
        d = sim_tlv_get (req, 0x1E, &len);
        if (d && len >= 1 && d[0] <= G_N_ELEMENTS (next.acquisition_order) && len >= 1 + d[0]) {
            next.n_acquisition_order = d[0];
            memcpy (next.acquisition_order, d + 1, d[0]);
        }
        *radio = next;
        sim_modem_log (modem, "radio: mode preference 0x%04x, LTE bands 0x%" G_GINT64_MODIFIER "x",
                       radio->mode_preference, radio->lte_bands[0]);
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    default:
        return NULL;
    }
}

/* ---------------------------------------------------------------------- */
/* Control socket                                                          */

static void
append_bands (GString *out, const gchar *name, const guint64 *mask, guint n_words)
{
    gboolean first = TRUE;

    g_string_append_printf (out, " %s=", name);
    for (guint band = 1; band <= n_words * 64; band++)
        if (mask[(band - 1) / 64] & (1ULL << ((band - 1) % 64))) {
            g_string_append_printf (out, "%s%u", first ? "" : ",", band);
            first = FALSE;
        }
}

/* "a, b" (libqmi's mask strings) as "a,b". */
static gchar *
commas (gchar *s)
{
    g_auto(GStrv) parts = g_strsplit (s ? s : "", ", ", -1);

    g_free (s);
    return g_strjoinv (",", parts);
}

static gboolean
cmd_radio (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    SimRadio *radio = sim_modem_get_radio (modem);
    g_autofree gchar *modes = commas (qmi_nas_rat_mode_preference_build_string_from_mask (radio->mode_preference));
    g_autofree gchar *legacy = commas (qmi_nas_band_preference_build_string_from_mask (radio->band_preference));

    g_string_append_printf (out, "modes=%s order=", modes);
    for (guint i = 0; i < radio->n_acquisition_order; i++)
        g_string_append_printf (out, "%s%s", i ? "," : "",
                                qmi_nas_radio_interface_get_string (radio->acquisition_order[i]));
    g_string_append_printf (out, " gsm-umts-bands=%s", legacy);
    append_bands (out, "lte-bands", radio->lte_bands, 4);
    append_bands (out, "nr5g-bands", radio->nr5g_bands, 8);
    g_string_append_printf (out, " ps=%s", radio->ps_detached ? "detached" : "attached");
    g_string_append_printf (out, "\nsignal rssi=%d rsrp=%d rsrq=%d snr=%d\n", radio->rssi_dbm,
                            radio->rsrp_dbm, radio->rsrq_db, radio->snr_db10);
    return TRUE;
}

static gboolean
cmd_signal (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    SimRadio *radio = sim_modem_get_radio (modem);
    guint n = g_strv_length (argv) - 1;
    gint *fields[] = { &radio->rssi_dbm, &radio->rsrp_dbm, &radio->rsrq_db, &radio->snr_db10 };
    gint old_rssi = radio->rssi_dbm;

    if (n < 1 || n > 4) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: signal RSSI [RSRP [RSRQ [SNR]]]");
        return FALSE;
    }
    for (guint i = 0; i < n; i++)
        *fields[i] = (gint) g_ascii_strtoll (argv[i + 1], NULL, 10);
    /* As firmware does when a threshold is crossed: every client that
     * asked for signal strength reports gets one. */
    for (GList *l = sim_modem_get_clients (modem); l; l = l->next) {
        SimClient *c = l->data;
        QmiMessage *ind;
        guint8 d[2] = { (guint8) (gint8) radio->rssi_dbm, QMI_NAS_RADIO_INTERFACE_LTE };

        if (c->service != QMI_SERVICE_NAS || !c->nas_signal_strength_report)
            continue;
        ind = sim_indication_new (c, 0x0002);
        sim_add_bytes (ind, 0x10, d, 2);
        sim_client_send_indication (c, ind);
    }
    sim_nas_notify_signal (modem, old_rssi);
    return TRUE;
}

static gboolean
cmd_requests (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    g_string_append_printf (out, "requests=%" G_GUINT64_FORMAT "\n", sim_modem_get_request_count (modem));
    return TRUE;
}

void
sim_radio_add_control_commands (SimModem *modem)
{
    sim_modem_add_control_command (modem, "radio", "radio: current modes, acquisition order, bands, signal",
                                   cmd_radio, NULL);
    sim_modem_add_control_command (modem, "signal", "signal RSSI [RSRP [RSRQ [SNR]]]: change the signal (dBm, dB, 0.1 dB)",
                                   cmd_signal, NULL);
    sim_modem_add_control_command (modem, "request-count", "request-count: QMI requests handled so far (CTL excluded)",
                                   cmd_requests, NULL);
}
