/* modemux-sim: scenario file (GKeyFile) loader; format in docs/simulator.md. */
#define G_LOG_DOMAIN "sim-scenario"

#include <string.h>
#include <gio/gio.h>
#include <libmbim-glib.h>

#include "sim-modem.h"

/* Used when no --scenario is given; also the base every file overrides. */
static const gchar default_scenario[] =
    "[identity]\n"
    "imei=490154203237518\n"
    "manufacturer=QUALCOMM INCORPORATED\n"
    "model=SIMULATED SDX55\n"
    "revision=SIM.1.0-00001-STD\n"
    "hardware-revision=10000\n"
    "iccid=8944500102198304826\n"
    "imsi=001010123456789\n"
    "msisdn=+15555550100\n"
    "mcc=001\n"
    "mnc=01\n"
    "operator-name=Simulated Network\n"
    "[sim]\n"
    "present=true\n"
    "pin-retries=3\n"
    "puk=12345678\n"
    "puk-retries=10\n"
    "[registration]\n"
    "on-start=true\n"
    "delay-ms=0\n"
    "roaming=false\n"
    "rssi=-65\n"
    "rsrp=-95\n"
    "rsrq=-10\n"
    "snr=100\n"
    "[data-format]\n"
    "link-layer-protocols=raw-ip;802-3\n"
    "aggregation-protocols=disabled;qmap;qmapv4;qmapv5\n"
    "dl-max-datagrams=32\n"
    "dl-max-size=32768\n"
    "default-link-layer-protocol=802-3\n"
    "default-aggregation-protocol=disabled\n"
    "endpoint-required=false\n"
    "[endpoint]\n"
    "type=pcie\n"
    "interface=4\n"
    "[sessions]\n"
    "max=8\n"
    "max-mux-id=254\n"
    "[latency]\n"
    "ms=0\n"
    "[network]\n"
    "disconnect-after-s=0\n"
    "[radio]\n"
    "modes=gsm;umts;lte\n"
    "gsm-umts-bands=gsm-dcs-1800;gsm-900-extended;wcdma-2100;wcdma-900\n"
    "lte-bands=1;3;7;8;20\n";

static const gchar default_apn[] =
    "[apn internet]\n"
    "ipv4=10.64.0.0/24\n"
    "ipv6=2001:db8:64::/64\n"
    "dns4=10.64.255.1;10.64.255.2\n"
    "dns6=2001:db8:64:ffff::1\n"
    "mtu=1500\n";

static gboolean
parse_enum (GType type, const gchar *text, guint32 *out)
{
    g_autoptr(GEnumClass) klass = g_type_class_ref (type);
    GEnumValue *v;
    gchar *end = NULL;
    guint64 n = g_ascii_strtoull (text, &end, 0);

    if (end && end != text && *end == '\0') {
        *out = (guint32) n;
        return TRUE;
    }
    v = g_enum_get_value_by_nick (klass, text);
    /* libmbim's nicks are CamelCase ("Busy"): any case will do. */
    for (guint i = 0; !v && i < klass->n_values; i++)
        if (g_ascii_strcasecmp (klass->values[i].value_nick, text) == 0)
            v = &klass->values[i];
    if (!v)
        return FALSE;
    *out = (guint32) v->value;
    return TRUE;
}

static gboolean
parse_prefix (const gchar *text, guint8 *addr, gsize addr_len, guint *prefix, GError **error)
{
    g_auto(GStrv) parts = g_strsplit (text, "/", 2);
    g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (g_strstrip (parts[0]));

    if (!ia || g_inet_address_get_native_size (ia) != addr_len || !parts[1]) {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "bad prefix '%s'", text);
        return FALSE;
    }
    memcpy (addr, g_inet_address_to_bytes (ia), addr_len);
    *prefix = (guint) g_ascii_strtoull (parts[1], NULL, 10);
    return TRUE;
}

static gboolean
parse_addresses (GKeyFile *kf, const gchar *group, const gchar *key, guint8 (*out)[16],
                 gsize addr_len, guint *n, GError **error)
{
    g_auto(GStrv) list = g_key_file_get_string_list (kf, group, key, NULL, NULL);

    *n = 0;
    for (guint i = 0; list && list[i] && *n < 2; i++) {
        g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (g_strstrip (list[i]));

        if (!ia || g_inet_address_get_native_size (ia) != addr_len) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[%s] %s: bad address '%s'", group, key, list[i]);
            return FALSE;
        }
        memcpy (out[*n], g_inet_address_to_bytes (ia), addr_len);
        (*n)++;
    }
    return TRUE;
}

/* QmiDmsBandCapability bits by the nickname of libqmi's flag (the 64-bit
 * flags have no GType to look them up in). */
static const struct { const gchar *nick; guint bit; } legacy_bands[] = {
    { "gsm-dcs-1800", 7 }, { "gsm-900-extended", 8 }, { "gsm-900-primary", 9 },
    { "gsm-850", 19 }, { "gsm-pcs-1900", 21 }, { "wcdma-2100", 22 }, { "wcdma-pcs-1900", 23 },
    { "wcdma-dcs-1800", 24 }, { "wcdma-1700-us", 25 }, { "wcdma-850-us", 26 }, { "wcdma-800", 27 },
    { "wcdma-2600", 48 }, { "wcdma-900", 49 }, { "wcdma-1700-japan", 50 },
};

static gboolean
parse_band_numbers (GKeyFile *kf, const gchar *key, guint64 *mask, guint n_words, GError **error)
{
    g_auto(GStrv) list = g_key_file_get_string_list (kf, "radio", key, NULL, NULL);

    memset (mask, 0, n_words * sizeof (guint64));
    for (guint i = 0; list && list[i]; i++) {
        guint64 band = g_ascii_strtoull (g_strstrip (list[i]), NULL, 10);

        if (band < 1 || band > n_words * 64) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[radio] %s: bad band '%s'", key, list[i]);
            return FALSE;
        }
        mask[(band - 1) / 64] |= 1ULL << ((band - 1) % 64);
    }
    return TRUE;
}

static gboolean
parse_radio (SimScenario *s, GKeyFile *kf, GError **error)
{
    g_auto(GStrv) modes = g_key_file_get_string_list (kf, "radio", "modes", NULL, NULL);
    g_auto(GStrv) legacy = g_key_file_get_string_list (kf, "radio", "gsm-umts-bands", NULL, NULL);
    g_autofree gchar *preferred = g_key_file_get_string (kf, "radio", "preferred", NULL);
    guint32 v;

    s->n_radios = modes ? g_strv_length (modes) : 0;
    s->radios = g_new0 (guint8, s->n_radios + 1);
    for (guint i = 0; i < s->n_radios; i++) {
        if (!parse_enum (QMI_TYPE_DMS_RADIO_INTERFACE, g_strstrip (modes[i]), &v)) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[radio] modes: unknown '%s' (gsm, umts, lte, 5gnr)", modes[i]);
            return FALSE;
        }
        s->radios[i] = (guint8) v;
    }
    if (preferred && *g_strstrip (preferred)) {
        if (!parse_enum (QMI_TYPE_NAS_RADIO_INTERFACE, preferred, &v)) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[radio] preferred: unknown '%s' (gsm, umts, lte, 5gnr)", preferred);
            return FALSE;
        }
        s->preferred_radio = (guint8) v;
    }
    s->band_capability = 0;
    for (guint i = 0; legacy && legacy[i]; i++) {
        guint j;

        for (j = 0; j < G_N_ELEMENTS (legacy_bands); j++)
            if (g_str_equal (g_strstrip (legacy[i]), legacy_bands[j].nick))
                break;
        if (j == G_N_ELEMENTS (legacy_bands)) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[radio] gsm-umts-bands: unknown '%s'", legacy[i]);
            return FALSE;
        }
        s->band_capability |= 1ULL << legacy_bands[j].bit;
    }
    return parse_band_numbers (kf, "lte-bands", s->lte_bands, 4, error) &&
           parse_band_numbers (kf, "nr5g-bands", s->nr5g_bands, 8, error);
}

/* networks=MCCMNC,STATUS,RAT,NAME;... with STATUS current, available or
 * forbidden and RAT a NAS radio interface nick (gsm, umts, lte, 5gnr). */
static gboolean
parse_scan (SimScenario *s, GKeyFile *kf, GError **error)
{
    g_auto(GStrv) list = g_key_file_get_string_list (kf, "scan", "networks", NULL, NULL);
    guint n = list ? g_strv_length (list) : 0;

    s->networks = g_new0 (struct SimScanNetwork, n + 1);
    for (guint i = 0; i < n; i++) {
        g_auto(GStrv) f = g_strsplit (g_strstrip (list[i]), ",", 4);
        struct SimScanNetwork *net = &s->networks[s->n_networks];
        guint32 radio;

        if (g_strv_length (f) != 4 || strlen (f[0]) < 5 || strlen (f[0]) > 6 ||
            !parse_enum (QMI_TYPE_NAS_RADIO_INTERFACE, f[2], &radio)) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[scan] networks: bad entry '%s' (MCCMNC,current|available|forbidden,RAT,NAME)", list[i]);
            return FALSE;
        }
        net->mnc = (guint16) g_ascii_strtoull (f[0] + 3, NULL, 10);
        f[0][3] = '\0';
        net->mcc = (guint16) g_ascii_strtoull (f[0], NULL, 10);
        if (g_str_equal (f[1], "current"))
            net->status = QMI_NAS_NETWORK_STATUS_CURRENT_SERVING | QMI_NAS_NETWORK_STATUS_HOME;
        else if (g_str_equal (f[1], "available"))
            net->status = QMI_NAS_NETWORK_STATUS_AVAILABLE | QMI_NAS_NETWORK_STATUS_NOT_FORBIDDEN;
        else if (g_str_equal (f[1], "forbidden"))
            net->status = QMI_NAS_NETWORK_STATUS_AVAILABLE | QMI_NAS_NETWORK_STATUS_FORBIDDEN;
        else {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[scan] networks: unknown status '%s'", f[1]);
            return FALSE;
        }
        net->radio = (guint8) radio;
        net->name = g_strdup (f[3]);
        s->n_networks++;
    }
    return TRUE;
}

static gchar *
get_str (GKeyFile *kf, const gchar *group, const gchar *key)
{
    gchar *s = g_key_file_get_string (kf, group, key, NULL);

    if (s && !*s)
        g_clear_pointer (&s, g_free);
    return s;
}

static gint
get_int (GKeyFile *kf, const gchar *group, const gchar *key, gint def)
{
    g_autoptr(GError) error = NULL;
    gint v = g_key_file_get_integer (kf, group, key, &error);

    return error ? def : v;
}

static gboolean
get_bool (GKeyFile *kf, const gchar *group, const gchar *key, gboolean def)
{
    g_autoptr(GError) error = NULL;
    gboolean v = g_key_file_get_boolean (kf, group, key, &error);

    return error ? def : v;
}

static gboolean
parse_enum_list (GKeyFile *kf, const gchar *group, const gchar *key, GType type,
                 guint32 **out, guint *n_out, GError **error)
{
    g_auto(GStrv) list = g_key_file_get_string_list (kf, group, key, NULL, NULL);
    guint n = list ? g_strv_length (list) : 0;

    *out = g_new0 (guint32, MAX (n, 1));
    *n_out = 0;
    for (guint i = 0; i < n; i++) {
        if (!parse_enum (type, g_strstrip (list[i]), &(*out)[*n_out])) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[%s] %s: unknown value '%s'", group, key, list[i]);
            return FALSE;
        }
        (*n_out)++;
    }
    return TRUE;
}

/* reject=TYPE:REASON, e.g. 3gpp:33 or internal:interface-in-use: the
 * verbose call-end reason (libqmi's nicks or numbers) that refuses every
 * Start Network on this APN. */
static gboolean
parse_reject (GKeyFile *kf, const gchar *group, SimApn *apn, GError **error)
{
    g_autofree gchar *text = get_str (kf, group, "reject");
    g_auto(GStrv) parts = NULL;
    guint32 type = 0, reason = 0;
    GType reasons = G_TYPE_INVALID;
    gboolean ok;

    if (!text)
        return TRUE;
    parts = g_strsplit (text, ":", 2);
    if (g_strv_length (parts) == 2 && parse_enum (QMI_TYPE_WDS_VERBOSE_CALL_END_REASON_TYPE,
                                                  g_strstrip (parts[0]), &type) && type) {
        if (type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP)
            reasons = QMI_TYPE_WDS_VERBOSE_CALL_END_REASON_3GPP;
        else if (type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_INTERNAL)
            reasons = QMI_TYPE_WDS_VERBOSE_CALL_END_REASON_INTERNAL;
        else if (type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_CM)
            reasons = QMI_TYPE_WDS_VERBOSE_CALL_END_REASON_CM;
        g_strstrip (parts[1]);
        if (reasons != G_TYPE_INVALID)
            ok = parse_enum (reasons, parts[1], &reason);
        else {
            /* Other types: numbers only. */
            guint64 n = 0;

            ok = g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXINT16, &n, NULL);
            reason = (guint32) n;
        }
        if (ok && reason <= G_MAXINT16) {
            apn->reject_type = (guint16) type;
            apn->reject_reason = (gint16) reason;
            return TRUE;
        }
    }
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "[%s] reject=%s: want TYPE:REASON, e.g. 3gpp:33 or internal:interface-in-use", group, text);
    return FALSE;
}

static gboolean
parse_apn (GKeyFile *kf, const gchar *group, SimApn *apn, GError **error)
{
    g_autofree gchar *v4 = get_str (kf, group, "ipv4");
    g_autofree gchar *v6 = get_str (kf, group, "ipv6");
    guint8 dns[2][16];

    apn->name = g_strdup (group + strlen ("apn "));
    g_strstrip (apn->name);
    if (v4) {
        apn->ipv4 = TRUE;
        if (!parse_prefix (v4, apn->ipv4_network, 4, &apn->ipv4_prefix, error))
            return FALSE;
    }
    if (v6) {
        apn->ipv6 = TRUE;
        if (!parse_prefix (v6, apn->ipv6_network, 16, &apn->ipv6_prefix, error))
            return FALSE;
    }
    if (!parse_addresses (kf, group, "dns4", dns, 4, &apn->n_ipv4_dns, error))
        return FALSE;
    for (guint i = 0; i < apn->n_ipv4_dns; i++)
        memcpy (apn->ipv4_dns[i], dns[i], 4);
    if (!parse_addresses (kf, group, "dns6", apn->ipv6_dns, 16, &apn->n_ipv6_dns, error))
        return FALSE;
    apn->mtu = (guint) get_int (kf, group, "mtu", 1500);
    return parse_reject (kf, group, apn, error);
}

static const struct { const gchar *name; guint8 id; } service_names[] = {
    { "ctl", QMI_SERVICE_CTL }, { "wds", QMI_SERVICE_WDS }, { "dms", QMI_SERVICE_DMS },
    { "nas", QMI_SERVICE_NAS }, { "uim", QMI_SERVICE_UIM }, { "wda", QMI_SERVICE_WDA },
    { "dpm", QMI_SERVICE_DPM }, { "mbim", SIM_FAULT_SERVICE_MBIM },
};

gboolean
sim_scenario_parse_fault (GKeyFile *kf, const gchar *group, SimFault *f, GError **error)
{
    g_autofree gchar *service = get_str (kf, group, "service");
    g_autofree gchar *message = get_str (kf, group, "message");
    g_autofree gchar *action = get_str (kf, group, "action");
    g_autofree gchar *err = get_str (kf, group, "error");
    gboolean found = FALSE;

    for (guint i = 0; service && i < G_N_ELEMENTS (service_names); i++)
        if (g_ascii_strcasecmp (service, service_names[i].name) == 0) {
            f->service = service_names[i].id;
            found = TRUE;
        }
    if (!found || !message || !action) {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     "[%s] needs service (ctl/wds/dms/nas/uim/wda/dpm/mbim), message and action", group);
        return FALSE;
    }
    f->message = (guint16) g_ascii_strtoull (message, NULL, 0);
    if (g_str_equal (action, "error")) {
        guint32 code = QMI_PROTOCOL_ERROR_INTERNAL;

        f->action = SIM_FAULT_ACTION_ERROR;
        if (f->service == SIM_FAULT_SERVICE_MBIM) {
            code = MBIM_STATUS_ERROR_FAILURE;
            if (err && !parse_enum (MBIM_TYPE_STATUS_ERROR, err, &code)) {
                g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                             "[%s] unknown MBIM status '%s' (use the libmbim nick, e.g. Busy, or a number)",
                             group, err);
                return FALSE;
            }
        } else if (err && !parse_enum (QMI_TYPE_PROTOCOL_ERROR, err, &code)) {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "[%s] unknown QMI error '%s' (use the libqmi nick, e.g. not-supported, or a number)",
                         group, err);
            return FALSE;
        }
        f->error = code;
    } else if (g_str_equal (action, "drop"))
        f->action = SIM_FAULT_ACTION_DROP;
    else if (g_str_equal (action, "delay"))
        f->action = SIM_FAULT_ACTION_DELAY;
    else if (g_str_equal (action, "hangup"))
        f->action = SIM_FAULT_ACTION_HANGUP;
    else if (g_str_equal (action, "malformed"))
        f->action = SIM_FAULT_ACTION_MALFORMED;
    else if (g_str_equal (action, "reset"))
        f->action = SIM_FAULT_ACTION_RESET;
    else {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     "[%s] unknown action '%s' (error, drop, delay, hangup, malformed, reset)", group, action);
        return FALSE;
    }
    if (f->service == QMI_SERVICE_CTL &&
        (f->action == SIM_FAULT_ACTION_DELAY || f->action == SIM_FAULT_ACTION_MALFORMED)) {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     "[%s] CTL rules support error, drop, hangup and reset only", group);
        return FALSE;
    }
    f->delay_ms = (guint) get_int (kf, group, "delay-ms", 0);
    f->after = (guint) get_int (kf, group, "after", 0);
    f->count = (guint) get_int (kf, group, "count", 0);
    return TRUE;
}

static gboolean
scenario_from_keyfile (SimScenario *s, GKeyFile *kf, GError **error)
{
    g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);
    g_autofree gchar *llp = NULL, *dap = NULL, *ep = NULL;
    GArray *apns = g_array_new (FALSE, TRUE, sizeof (SimApn));
    GArray *faults = g_array_new (FALSE, TRUE, sizeof (SimFault));
    gboolean ok = FALSE;

    s->imei = get_str (kf, "identity", "imei");
    s->manufacturer = get_str (kf, "identity", "manufacturer");
    s->model = get_str (kf, "identity", "model");
    s->revision = get_str (kf, "identity", "revision");
    s->hardware_revision = get_str (kf, "identity", "hardware-revision");
    s->iccid = get_str (kf, "identity", "iccid");
    s->imsi = get_str (kf, "identity", "imsi");
    s->msisdn = get_str (kf, "identity", "msisdn");
    s->mcc = get_str (kf, "identity", "mcc");
    s->mnc = get_str (kf, "identity", "mnc");
    s->operator_name = get_str (kf, "identity", "operator-name");
    s->sim_present = get_bool (kf, "sim", "present", TRUE);
    s->pin = get_str (kf, "sim", "pin");
    s->pin_retries = (guint) get_int (kf, "sim", "pin-retries", 3);
    s->puk = get_str (kf, "sim", "puk");
    s->puk_retries = (guint) get_int (kf, "sim", "puk-retries", 10);
    s->pin2_retries = (guint) get_int (kf, "sim", "pin2-retries", 3);
    s->puk2_retries = (guint) get_int (kf, "sim", "puk2-retries", 10);
    s->register_on_start = get_bool (kf, "registration", "on-start", TRUE);
    s->register_delay_ms = (guint) get_int (kf, "registration", "delay-ms", 0);
    s->roaming = get_bool (kf, "registration", "roaming", FALSE);
    s->rssi_dbm = get_int (kf, "registration", "rssi", -65);
    s->rsrp_dbm = get_int (kf, "registration", "rsrp", -95);
    s->rsrq_db = get_int (kf, "registration", "rsrq", -10);
    s->snr_db10 = get_int (kf, "registration", "snr", 100);
    s->dl_max_datagrams = (guint32) get_int (kf, "data-format", "dl-max-datagrams", 32);
    s->dl_max_size = (guint32) get_int (kf, "data-format", "dl-max-size", 32768);
    s->endpoint_required = get_bool (kf, "data-format", "endpoint-required", FALSE);
    s->max_sessions = (guint) get_int (kf, "sessions", "max", 8);
    s->max_mux_id = (guint) get_int (kf, "sessions", "max-mux-id", 254);
    s->latency_ms = (guint) get_int (kf, "latency", "ms", 0);
    s->disconnect_after_s = (guint) get_int (kf, "network", "disconnect-after-s", 0);

    if (!parse_enum_list (kf, "data-format", "link-layer-protocols", QMI_TYPE_WDA_LINK_LAYER_PROTOCOL,
                          &s->llps, &s->n_llps, error) ||
        !parse_enum_list (kf, "data-format", "aggregation-protocols", QMI_TYPE_WDA_DATA_AGGREGATION_PROTOCOL,
                          &s->daps, &s->n_daps, error))
        goto out;
    llp = get_str (kf, "data-format", "default-link-layer-protocol");
    dap = get_str (kf, "data-format", "default-aggregation-protocol");
    if (!llp || !parse_enum (QMI_TYPE_WDA_LINK_LAYER_PROTOCOL, llp, &s->default_llp) ||
        !dap || !parse_enum (QMI_TYPE_WDA_DATA_AGGREGATION_PROTOCOL, dap, &s->default_dap)) {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     "[data-format] bad default-link-layer-protocol/default-aggregation-protocol");
        goto out;
    }
    ep = get_str (kf, "endpoint", "type");
    if (!ep || !parse_enum (QMI_TYPE_DATA_ENDPOINT_TYPE, ep, &s->ep_type)) {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                     "[endpoint] type: unknown '%s' (hsusb, pcie, embedded, bam-dmux...)", ep ? ep : "");
        goto out;
    }
    s->ep_iface = (guint32) get_int (kf, "endpoint", "interface", 4);
    if (!parse_radio (s, kf, error) || !parse_scan (s, kf, error))
        goto out;

    for (guint i = 0; groups[i]; i++) {
        if (g_str_has_prefix (groups[i], "apn ")) {
            SimApn apn = { 0 };

            g_array_append_val (apns, apn);
            if (!parse_apn (kf, groups[i], &g_array_index (apns, SimApn, apns->len - 1), error))
                goto out;
        } else if (g_str_has_prefix (groups[i], "fault ")) {
            SimFault f = { 0 };

            if (!sim_scenario_parse_fault (kf, groups[i], &f, error))
                goto out;
            g_array_append_val (faults, f);
        }
    }
    ok = TRUE;
out:
    s->n_apns = apns->len;
    s->apns = (SimApn *) g_array_free (apns, FALSE);
    s->n_faults = faults->len;
    s->faults = (SimFault *) g_array_free (faults, FALSE);
    return ok;
}

/* Merge @file (NULL: none) over the defaults: keys not in the file keep
 * their default; APNs come from the file if it has any [apn ...] group.
 * Errors are prefixed with @origin (when not NULL). */
static SimScenario *
scenario_load_keyfile (GKeyFile *file, const gchar *origin, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new ();
    g_autoptr(SimScenario) s = g_new0 (SimScenario, 1);
    g_auto(GStrv) groups = NULL;
    gboolean has_apn = FALSE;

    g_key_file_load_from_data (kf, default_scenario, -1, G_KEY_FILE_NONE, NULL);
    if (file) {
        groups = g_key_file_get_groups (file, NULL);
        for (guint i = 0; groups[i]; i++) {
            g_auto(GStrv) keys = g_key_file_get_keys (file, groups[i], NULL, NULL);

            has_apn |= g_str_has_prefix (groups[i], "apn ");
            for (guint j = 0; keys && keys[j]; j++) {
                g_autofree gchar *v = g_key_file_get_value (file, groups[i], keys[j], NULL);

                g_key_file_set_value (kf, groups[i], keys[j], v);
            }
        }
    }
    if (!has_apn) {
        g_autoptr(GKeyFile) apn = g_key_file_new ();
        g_auto(GStrv) keys = NULL;

        g_key_file_load_from_data (apn, default_apn, -1, G_KEY_FILE_NONE, NULL);
        keys = g_key_file_get_keys (apn, "apn internet", NULL, NULL);
        for (guint j = 0; keys[j]; j++) {
            g_autofree gchar *v = g_key_file_get_value (apn, "apn internet", keys[j], NULL);

            g_key_file_set_value (kf, "apn internet", keys[j], v);
        }
    }
    if (!scenario_from_keyfile (s, kf, error)) {
        if (origin)
            g_prefix_error (error, "%s: ", origin);
        return NULL;
    }
    return g_steal_pointer (&s);
}

SimScenario *
sim_scenario_load (const gchar *path, GError **error)
{
    g_autoptr(GKeyFile) file = g_key_file_new ();
    SimScenario *s;

    if (path && !g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error)) {
        g_prefix_error (error, "%s: ", path);
        return NULL;
    }
    s = scenario_load_keyfile (path ? file : NULL, path, error);
    if (s)
        s->path = g_strdup (path);
    return s;
}

SimScenario *
sim_scenario_load_data (const gchar *data, gsize length, GError **error)
{
    g_autoptr(GKeyFile) file = g_key_file_new ();

    if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_NONE, error))
        return NULL;
    return scenario_load_keyfile (file, NULL, error);
}

SimScenario *
sim_scenario_new_default (void)
{
    SimScenario *s = sim_scenario_load (NULL, NULL);

    g_assert (s);
    return s;
}

void
sim_scenario_free (SimScenario *s)
{
    if (!s)
        return;
    g_free (s->path);
    g_free (s->imei); g_free (s->manufacturer); g_free (s->model); g_free (s->revision);
    g_free (s->hardware_revision); g_free (s->iccid); g_free (s->imsi); g_free (s->msisdn);
    g_free (s->mcc); g_free (s->mnc); g_free (s->operator_name);
    g_free (s->pin); g_free (s->puk);
    g_free (s->llps); g_free (s->daps); g_free (s->radios);
    for (guint i = 0; i < s->n_networks; i++)
        g_free (s->networks[i].name);
    g_free (s->networks);
    for (guint i = 0; i < s->n_apns; i++)
        g_free (s->apns[i].name);
    g_free (s->apns);
    g_free (s->faults);
    g_free (s);
}

const SimApn *
sim_scenario_find_apn (const SimScenario *s, const gchar *apn)
{
    for (guint i = 0; apn && i < s->n_apns; i++)
        if (g_ascii_strcasecmp (s->apns[i].name, apn) == 0)
            return &s->apns[i];
    return NULL;
}
