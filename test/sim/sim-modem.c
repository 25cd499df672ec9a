/* modemux-sim: the modem engine (state, clients, dispatch, faults, log). */
#define G_LOG_DOMAIN "sim-modem"

#include <stdio.h>
#include <string.h>

#include "sim-internal.h"

#define LOG_RING_SIZE 2000

typedef struct {
    guint          id;
    SimModemEventFunc func;
    gpointer       user_data;
} SimWatch;

typedef struct {
    gchar         *name;
    gchar         *help;
    SimControlFunc func;
    gpointer       user_data;
} SimControlCommand;

struct _SimModem {
    SimScenario   *scenario;
    FILE          *log_file;
    GQueue         log_ring;          /* gchar* lines */
    GList         *clients;           /* SimClient* */
    /* state */
    SimCardState   card_state;
    guint          pin_retries, puk_retries;
    SimRegState    reg_state;
    guint          operating_mode;
    guint          register_timeout_id;
    SimDataFormat  data_format;
    GList         *sessions;          /* SimSession* */
    guint          next_session_id;
    guint32        next_handle;
    GHashTable    *mux_counters;      /* mux id -> SimMuxCounters* */
    guint64        unknown_mux_drops;
    GList         *watches;
    guint          next_watch_id;
    GPtrArray     *control_commands;  /* SimControlCommand* */
    SimRadio       radio;
    GPtrArray     *profiles;          /* SimProfile* */
    guint64        n_requests;
    SimFaultEngine *faults;           /* run-time rules and the request log */
    guint          reset_id;          /* pending reset from a fault rule */
};

typedef struct {
    SimClient  *client;
    QmiMessage *message;
    guint       source_id;
} SimPending;

/* Versions as a recent Qualcomm firmware (SDX55-class) reports them. */
static const SimServiceVersion services[] = {
    { QMI_SERVICE_CTL, 1, 5 },
    { QMI_SERVICE_WDS, 1, 67 },
    { QMI_SERVICE_DMS, 1, 14 },
    { QMI_SERVICE_NAS, 1, 25 },
    { QMI_SERVICE_UIM, 1, 46 },
    { QMI_SERVICE_WDA, 1, 16 },
    { QMI_SERVICE_DPM, 1, 1 },
    { 0xFF, 0, 0 },
};

const SimServiceVersion *
sim_modem_get_services (void)
{
    return services;
}

/* ---------------------------------------------------------------------- */
/* Modules                                                                  */

static const SimModule *modules[16];
static guint n_modules;

void
sim_register_module (const SimModule *module)
{
    g_assert (n_modules < G_N_ELEMENTS (modules));
    modules[n_modules++] = module;
}

const SimModule **
sim_get_modules (guint *n)
{
    *n = n_modules;
    return modules;
}

/* ---------------------------------------------------------------------- */
/* Lifecycle                                                                */

static void
registration_timeout_cb (gpointer user_data)
{
    SimModem *modem = user_data;

    modem->register_timeout_id = 0;
    sim_modem_set_registration (modem, modem->scenario->roaming ? SIM_REG_ROAMING : SIM_REG_HOME);
}

/* Registration follows the radio and the SIM, as on a real device. */
static void
update_registration (SimModem *modem)
{
    gboolean can_register = modem->operating_mode == QMI_DMS_OPERATING_MODE_ONLINE &&
                            modem->card_state == SIM_CARD_READY;

    if (!can_register) {
        g_clear_handle_id (&modem->register_timeout_id, g_source_remove);
        if (modem->reg_state != SIM_REG_NOT_REGISTERED)
            sim_modem_set_registration (modem, SIM_REG_NOT_REGISTERED);
        return;
    }
    if (modem->reg_state == SIM_REG_HOME || modem->reg_state == SIM_REG_ROAMING ||
        modem->register_timeout_id)
        return;
    if (modem->scenario->register_delay_ms == 0) {
        sim_modem_set_registration (modem, modem->scenario->roaming ? SIM_REG_ROAMING : SIM_REG_HOME);
        return;
    }
    sim_modem_set_registration (modem, SIM_REG_SEARCHING);
    modem->register_timeout_id = g_timeout_add_once (modem->scenario->register_delay_ms,
                                                     registration_timeout_cb, modem);
}

static void
control_command_free (SimControlCommand *cmd)
{
    g_free (cmd->name);
    g_free (cmd->help);
    g_free (cmd);
}

/* The data format firmware starts with (after power-on or a reset). */
static void
power_on_data_format (SimModem *modem)
{
    const SimScenario *scenario = modem->scenario;

    memset (&modem->data_format, 0, sizeof modem->data_format);
    modem->data_format.llp = scenario->default_llp;
    modem->data_format.ul_dap = scenario->default_dap;
    modem->data_format.dl_dap = scenario->default_dap;
    modem->data_format.dl_max_datagrams = scenario->default_dap ? scenario->dl_max_datagrams : 0;
    modem->data_format.dl_max_size = scenario->default_dap ? scenario->dl_max_size : 0;
    modem->data_format.ep_type = scenario->ep_type;
    modem->data_format.ep_iface = scenario->ep_iface;
}

/* The card state firmware reports at power-on: a PIN-protected card is
 * locked again (the retry counters live on the card and are kept). */
static SimCardState
power_on_card_state (SimModem *modem)
{
    if (!modem->scenario->sim_present)
        return SIM_CARD_ABSENT;
    if (modem->scenario->pin)
        return modem->pin_retries ? SIM_CARD_PIN_REQUIRED : SIM_CARD_PUK_REQUIRED;
    return SIM_CARD_READY;
}

SimModem *
sim_modem_new (SimScenario *scenario)
{
    SimModem *modem = g_new0 (SimModem, 1);

    modem->scenario = scenario;
    modem->log_file = stderr;
    g_queue_init (&modem->log_ring);
    modem->pin_retries = scenario->pin_retries;
    sim_radio_init (&modem->radio, scenario);
    modem->profiles = sim_profiles_new (scenario);
    modem->puk_retries = scenario->puk_retries;
    modem->card_state = power_on_card_state (modem);
    modem->operating_mode = QMI_DMS_OPERATING_MODE_ONLINE;
    modem->reg_state = SIM_REG_NOT_REGISTERED;
    modem->next_session_id = 1;
    modem->next_handle = 0x2a5b0001;
    modem->mux_counters = g_hash_table_new_full (NULL, NULL, NULL, g_free);
    modem->control_commands = g_ptr_array_new_with_free_func ((GDestroyNotify) control_command_free);
    modem->faults = sim_fault_engine_new ();
    power_on_data_format (modem);
    /* A locked or absent SIM keeps the modem unregistered whatever the scenario says. */
    if (scenario->register_on_start && modem->card_state == SIM_CARD_READY)
        modem->reg_state = scenario->roaming ? SIM_REG_ROAMING : SIM_REG_HOME;
    else
        update_registration (modem);
    return modem;
}

static void
session_free (SimSession *session)
{
    g_clear_handle_id (&session->disconnect_timeout_id, g_source_remove);
    g_free (session->apn_name);
    g_free (session);
}

void
sim_modem_free (SimModem *modem)
{
    if (!modem)
        return;
    /* Transports free their clients before the engine goes away. */
    g_warn_if_fail (modem->clients == NULL);
    g_clear_handle_id (&modem->register_timeout_id, g_source_remove);
    g_clear_handle_id (&modem->reset_id, g_source_remove);
    sim_fault_engine_free (modem->faults);
    g_list_free_full (modem->sessions, (GDestroyNotify) session_free);
    g_hash_table_unref (modem->mux_counters);
    g_list_free_full (modem->watches, g_free);
    g_ptr_array_unref (modem->control_commands);
    g_queue_clear_full (&modem->log_ring, g_free);
    g_clear_pointer (&modem->profiles, g_ptr_array_unref);
    sim_scenario_free (modem->scenario);
    g_free (modem);
}

const SimScenario *
sim_modem_get_scenario (SimModem *modem)
{
    return modem->scenario;
}

/* ---------------------------------------------------------------------- */
/* Log                                                                      */

void
sim_modem_set_log_file (SimModem *modem, FILE *file)
{
    modem->log_file = file;
}

static void
log_line (SimModem *modem, gchar *line /* owned */)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autofree gchar *ts = g_date_time_format (now, "%H:%M:%S.%f");

    if (modem->log_file) {
        fprintf (modem->log_file, "[%s] %s\n", ts, line);
        fflush (modem->log_file);
    }
    g_queue_push_tail (&modem->log_ring, line);
    while (g_queue_get_length (&modem->log_ring) > LOG_RING_SIZE)
        g_free (g_queue_pop_head (&modem->log_ring));
}

void
sim_modem_log (SimModem *modem, const gchar *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    log_line (modem, g_strdup_vprintf (fmt, ap));
    va_end (ap);
}

void
sim_modem_log_qmi (SimModem *modem, const gchar *transport, const gchar *direction, QmiMessage *message)
{
    g_autofree gchar *printable = qmi_message_get_printable_full (message, NULL, "");
    g_auto(GStrv) lines = g_strsplit (printable, "\n", -1);
    GString *flat = g_string_new (NULL);

    g_string_append_printf (flat, "%s %s", transport, direction);
    for (guint i = 0; lines[i]; i++) {
        g_strstrip (lines[i]);
        if (lines[i][0]) {
            gboolean space = TRUE;

            /* One line per message: collapse libqmi's column padding. */
            for (const gchar *c = lines[i]; *c; c++) {
                if (*c == ' ' || *c == '\t') {
                    if (!space)
                        g_string_append_c (flat, ' ');
                    space = TRUE;
                } else {
                    if (space && c == lines[i])
                        g_string_append_c (flat, ' ');
                    g_string_append_c (flat, *c);
                    space = FALSE;
                }
            }
        }
    }
    log_line (modem, g_string_free (flat, FALSE));
}

GString *
sim_modem_get_log_ring (SimModem *modem, guint last_n)
{
    GString *out = g_string_new (NULL);
    guint len = g_queue_get_length (&modem->log_ring);
    guint skip = (last_n && last_n < len) ? len - last_n : 0;
    guint i = 0;

    for (GList *l = modem->log_ring.head; l; l = l->next, i++)
        if (i >= skip)
            g_string_append_printf (out, "%s\n", (const gchar *) l->data);
    return out;
}

/* ---------------------------------------------------------------------- */
/* Clients                                                                  */

SimClient *
sim_client_new (SimModem *modem, guint8 service, guint8 cid, const gchar *transport,
                const SimClientOps *ops, gpointer user_data)
{
    SimClient *client = g_new0 (SimClient, 1);

    client->modem = modem;
    client->service = service;
    client->cid = cid;
    client->transport = g_strdup (transport);
    client->ops = ops;
    client->user_data = user_data;
    /* Firmware sends serving-system and system-info indications by default. */
    client->nas_serving_system_ind = TRUE;
    client->nas_system_info_ind = TRUE;
    client->wds_ip_family = 4;
    modem->clients = g_list_append (modem->clients, client);
    sim_modem_log (modem, "%s client allocated: service %s (%u) cid %u", transport,
                   qmi_service_get_string ((QmiService) service) ?: "?", service, cid);
    return client;
}

static void
pending_free (SimPending *pending)
{
    g_clear_handle_id (&pending->source_id, g_source_remove);
    qmi_message_unref (pending->message);
    g_free (pending);
}

void
sim_client_free (SimClient *client)
{
    SimModem *modem;

    if (!client)
        return;
    modem = client->modem;
    /* A released client's call ends, as on firmware. */
    if (client->wds_session) {
        SimSession *session = client->wds_session;

        client->wds_session = NULL;
        session->owner = NULL;
        sim_modem_stop_session (modem, session, FALSE);
    }
    g_list_free_full (client->pending, (GDestroyNotify) pending_free);
    modem->clients = g_list_remove (modem->clients, client);
    sim_modem_log (modem, "%s client released: service %u cid %u", client->transport, client->service, client->cid);
    g_free (client->transport);
    g_free (client);
}

guint8
sim_modem_allocate_cid (SimModem *modem, guint8 service)
{
    for (guint cid = 1; cid < 255; cid++) {
        gboolean used = FALSE;

        for (GList *l = modem->clients; l && !used; l = l->next) {
            SimClient *c = l->data;

            used = c->service == service && c->cid == cid;
        }
        if (!used)
            return (guint8) cid;
    }
    return 0;
}

guint8
sim_client_get_service (SimClient *client)
{
    return client->service;
}

guint8
sim_client_get_cid (SimClient *client)
{
    return client->cid;
}

GList *
sim_modem_get_clients (SimModem *modem)
{
    return modem->clients;
}

void
sim_client_send (SimClient *client, QmiMessage *message)
{
    sim_modem_log_qmi (client->modem, client->transport, "<<", message);
    client->ops->send (client, message, client->user_data);
}

static void
pending_fire_cb (gpointer user_data)
{
    SimPending *pending = user_data;
    SimClient *client = pending->client;

    pending->source_id = 0;
    client->pending = g_list_remove (client->pending, pending);
    sim_client_send (client, pending->message);
    pending_free (pending);
}

SimFault *
sim_modem_match_fault (SimModem *modem, guint8 service, guint16 msg)
{
    return sim_fault_engine_match (modem->faults, modem->scenario, service, msg);
}

SimFaultEngine *
sim_modem_get_fault_engine (SimModem *modem)
{
    return modem->faults;
}

static void
reset_idle_cb (gpointer user_data)
{
    SimModem *modem = user_data;

    modem->reset_id = 0;
    sim_modem_reset (modem);
}

void
sim_modem_schedule_reset (SimModem *modem)
{
    /* Transports must not drop connections from inside their own dispatch. */
    if (!modem->reset_id)
        modem->reset_id = g_idle_add_once (reset_idle_cb, modem);
}

SimRadio *sim_modem_get_radio (SimModem *modem) { return &modem->radio; }
GPtrArray *sim_modem_get_profiles (SimModem *modem) { return modem->profiles; }
guint64 sim_modem_get_request_count (SimModem *modem) { return modem->n_requests; }

static SimServiceHandler
handler_for (guint8 service)
{
    switch (service) {
    case QMI_SERVICE_DMS: return sim_dms_handle;
    case QMI_SERVICE_NAS: return sim_nas_handle;
    case QMI_SERVICE_UIM: return sim_uim_handle;
    case QMI_SERVICE_WDS: return sim_wds_handle;
    case QMI_SERVICE_WDA: return sim_wda_handle;
    case QMI_SERVICE_DPM: return sim_dpm_handle;
    default: return NULL;
    }
}

void
sim_client_handle_request (SimClient *client, QmiMessage *request)
{
    SimModem *modem = client->modem;
    SimServiceHandler handler;
    QmiMessage *response = NULL;
    SimFault *fault;
    guint delay;

    sim_modem_log_qmi (modem, client->transport, ">>", request);
    if (!qmi_message_is_request (request)) {
        sim_modem_log (modem, "%s ignoring non-request message", client->transport);
        return;
    }
    sim_fault_engine_record (modem->faults, client->transport, client->service, client->cid, request);

    modem->n_requests++;
    fault = sim_modem_match_fault (modem, client->service, qmi_message_get_message_id (request));
    delay = modem->scenario->latency_ms;
    if (fault) {
        sim_modem_log (modem, "%s FAULT applied to service %u message 0x%04x", client->transport,
                       client->service, qmi_message_get_message_id (request));
        switch (fault->action) {
        case SIM_FAULT_ACTION_DROP:
            return;
        case SIM_FAULT_ACTION_HANGUP:
            client->ops->hangup (client, client->user_data);
            return;
        case SIM_FAULT_ACTION_RESET:
            sim_modem_schedule_reset (modem);
            return;
        case SIM_FAULT_ACTION_ERROR:
            response = SIM_ERROR_RESPONSE (request, fault->error);
            break;
        case SIM_FAULT_ACTION_DELAY:
            delay += fault->delay_ms;
            break;
        case SIM_FAULT_ACTION_MALFORMED:
            break;
        }
    }

    if (!response) {
        handler = handler_for (client->service);
        if (handler)
            response = handler (client, request);
        if (!response) {
            sim_modem_log (modem, "%s UNKNOWN message 0x%04x on service %u: InvalidQmiCommand",
                           client->transport, qmi_message_get_message_id (request), client->service);
            response = SIM_ERROR_RESPONSE (request, QMI_PROTOCOL_ERROR_INVALID_QMI_COMMAND);
        }
    }
    if (fault && fault->action == SIM_FAULT_ACTION_MALFORMED)
        response = sim_message_make_malformed (response);

    if (delay == 0) {
        sim_client_send (client, response);
        qmi_message_unref (response);
    } else {
        SimPending *pending = g_new0 (SimPending, 1);

        pending->client = client;
        pending->message = response;
        pending->source_id = g_timeout_add_once (delay, pending_fire_cb, pending);
        client->pending = g_list_append (client->pending, pending);
    }
}

/* ---------------------------------------------------------------------- */
/* Shared state                                                             */

static void
card_changed (SimModem *modem)
{
    sim_uim_notify_card (modem);
    sim_modem_emit (modem, SIM_MODEM_EVENT_CARD_CHANGED, NULL);
}

SimCardState
sim_modem_get_card_state (SimModem *modem, guint *pin_retries, guint *puk_retries)
{
    if (pin_retries)
        *pin_retries = modem->pin_retries;
    if (puk_retries)
        *puk_retries = modem->puk_retries;
    return modem->card_state;
}

gboolean
sim_modem_verify_pin (SimModem *modem, const gchar *pin, QmiProtocolError *error_out)
{
    switch (modem->card_state) {
    case SIM_CARD_ABSENT:
        *error_out = QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED;
        return FALSE;
    case SIM_CARD_PUK_REQUIRED:
    case SIM_CARD_BLOCKED:
        *error_out = QMI_PROTOCOL_ERROR_PIN_BLOCKED;
        return FALSE;
    case SIM_CARD_READY:
        if (!modem->scenario->pin) {
            *error_out = QMI_PROTOCOL_ERROR_NO_EFFECT;
            return FALSE;
        }
        break;
    case SIM_CARD_PIN_REQUIRED:
        break;
    }
    if (g_strcmp0 (pin, modem->scenario->pin) == 0) {
        modem->pin_retries = modem->scenario->pin_retries;
        if (modem->card_state != SIM_CARD_READY) {
            modem->card_state = SIM_CARD_READY;
            card_changed (modem);
            update_registration (modem);
        }
        return TRUE;
    }
    if (modem->pin_retries > 0)
        modem->pin_retries--;
    if (modem->pin_retries == 0) {
        modem->card_state = SIM_CARD_PUK_REQUIRED;
        card_changed (modem);
        update_registration (modem);
        *error_out = QMI_PROTOCOL_ERROR_PIN_BLOCKED;
    } else
        *error_out = QMI_PROTOCOL_ERROR_INCORRECT_PIN;
    return FALSE;
}

void
sim_modem_remove_sim (SimModem *modem)
{
    modem->card_state = SIM_CARD_ABSENT;
    sim_modem_log (modem, "SIM removed");
    card_changed (modem);
    update_registration (modem);
}

SimRegState
sim_modem_get_registration (SimModem *modem)
{
    return modem->reg_state;
}

void
sim_modem_set_registration (SimModem *modem, SimRegState state)
{
    if (modem->reg_state == state)
        return;
    modem->reg_state = state;
    sim_modem_log (modem, "registration state -> %d", state);
    sim_nas_notify_registration (modem);
    sim_modem_emit (modem, SIM_MODEM_EVENT_REGISTRATION_CHANGED, NULL);
    /* Losing the network ends every call. */
    if (state != SIM_REG_HOME && state != SIM_REG_ROAMING)
        while (modem->sessions)
            sim_modem_stop_session (modem, modem->sessions->data, TRUE);
}

guint
sim_modem_get_operating_mode (SimModem *modem)
{
    return modem->operating_mode;
}

gboolean
sim_modem_set_operating_mode (SimModem *modem, guint mode, QmiProtocolError *error_out)
{
    switch (mode) {
    case QMI_DMS_OPERATING_MODE_ONLINE:
    case QMI_DMS_OPERATING_MODE_LOW_POWER:
    case QMI_DMS_OPERATING_MODE_PERSISTENT_LOW_POWER:
    case QMI_DMS_OPERATING_MODE_MODE_ONLY_LOW_POWER:
    case QMI_DMS_OPERATING_MODE_OFFLINE:
        break;
    case QMI_DMS_OPERATING_MODE_RESET:
    case QMI_DMS_OPERATING_MODE_SHUTTING_DOWN:
    case QMI_DMS_OPERATING_MODE_FACTORY_TEST:
    default:
        *error_out = QMI_PROTOCOL_ERROR_INVALID_ARGUMENT;
        return FALSE;
    }
    /* Offline is terminal until reset on real firmware. */
    if (modem->operating_mode == QMI_DMS_OPERATING_MODE_OFFLINE && mode != QMI_DMS_OPERATING_MODE_OFFLINE) {
        *error_out = QMI_PROTOCOL_ERROR_INVALID_TRANSITION;
        return FALSE;
    }
    if (modem->operating_mode != mode) {
        modem->operating_mode = mode;
        sim_modem_log (modem, "operating mode -> %u", mode);
        sim_modem_emit (modem, SIM_MODEM_EVENT_OPERATING_MODE_CHANGED, NULL);
        update_registration (modem);
    }
    return TRUE;
}

const SimDataFormat *
sim_modem_get_data_format (SimModem *modem)
{
    return &modem->data_format;
}

void
sim_modem_set_data_format (SimModem *modem, const SimDataFormat *format)
{
    modem->data_format = *format;
    modem->data_format.configured = TRUE;
    sim_modem_emit (modem, SIM_MODEM_EVENT_DATA_FORMAT_CHANGED, NULL);
}

guint32
sim_modem_next_handle (SimModem *modem)
{
    return modem->next_handle++;
}

/* ---------------------------------------------------------------------- */
/* Sessions                                                                 */

static gboolean
host_in_use (SimModem *modem, const SimApn *apn, guint family, guint host)
{
    for (GList *l = modem->sessions; l; l = l->next) {
        SimSession *s = l->data;

        if (s->apn != apn || s->family != family)
            continue;
        if (family == 4 && s->ipv4_address[3] == (guint8) host)
            return TRUE;
        if (family == 6 && s->ipv6_address[15] == (guint8) host)
            return TRUE;
    }
    return FALSE;
}

static void
session_disconnect_cb (gpointer user_data)
{
    SimSession *session = user_data;

    session->disconnect_timeout_id = 0;
    sim_modem_log (session->modem, "network disconnects session %u (disconnect-after)", session->id);
    sim_modem_stop_session (session->modem, session, TRUE);
}

SimSession *
sim_modem_start_session (SimModem *modem, const gchar *apn_name, guint family, guint8 mux_id,
                         gpointer owner, QmiProtocolError *error_out,
                         guint16 *verbose_type, gint16 *verbose_reason)
{
    const SimApn *apn;
    SimSession *session;
    guint host;
    gint16 cause = 0;

    *verbose_type = QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP;
    *verbose_reason = 0;
    if (modem->reg_state != SIM_REG_HOME && modem->reg_state != SIM_REG_ROAMING) {
        /* no service: the call manager's reason, not a 3GPP cause */
        *error_out = QMI_PROTOCOL_ERROR_CALL_FAILED;
        *verbose_type = QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_CM;
        *verbose_reason = QMI_WDS_VERBOSE_CALL_END_REASON_CM_NO_SERVICE;
        return NULL;
    }
    apn = sim_scenario_find_apn (modem->scenario, apn_name);
    if (!apn)
        cause = 27; /* missing or unknown APN */
    else if (apn->reject_type) {
        /* the scenario's refusal of this APN */
        *error_out = QMI_PROTOCOL_ERROR_CALL_FAILED;
        *verbose_type = apn->reject_type;
        *verbose_reason = apn->reject_reason;
        sim_modem_log (modem, "start on apn %s refused: %s %d", apn_name,
                       qmi_wds_verbose_call_end_reason_type_get_string (apn->reject_type),
                       apn->reject_reason);
        return NULL;
    } else if ((family == 4 && !apn->ipv4) || (family == 6 && !apn->ipv6))
        cause = family == 4 ? 50 : 51; /* PDN type IPv4/IPv6 only allowed */
    else if (g_list_length (modem->sessions) >= modem->scenario->max_sessions)
        cause = 26; /* insufficient resources */
    if (cause) {
        *error_out = QMI_PROTOCOL_ERROR_CALL_FAILED;
        *verbose_reason = cause;
        return NULL;
    }
    for (host = 2; host < 250 && host_in_use (modem, apn, family, host); host++)
        ;

    session = g_new0 (SimSession, 1);
    session->modem = modem;
    session->id = modem->next_session_id++;
    session->packet_data_handle = sim_modem_next_handle (modem);
    session->mux_id = mux_id;
    session->family = family;
    session->apn = apn;
    session->apn_name = g_strdup (apn_name);
    session->mtu = apn->mtu;
    session->owner = owner;
    if (family == 4) {
        memcpy (session->ipv4_address, apn->ipv4_network, 4);
        memcpy (session->ipv4_gateway, apn->ipv4_network, 4);
        session->ipv4_address[3] = (guint8) (session->ipv4_address[3] + host);
        session->ipv4_gateway[3] = (guint8) (session->ipv4_gateway[3] + 1);
        session->ipv4_prefix = apn->ipv4_prefix;
    } else {
        memcpy (session->ipv6_address, apn->ipv6_network, 16);
        memcpy (session->ipv6_gateway, apn->ipv6_network, 16);
        session->ipv6_address[15] = (guint8) (session->ipv6_address[15] + host);
        session->ipv6_gateway[15] = (guint8) (session->ipv6_gateway[15] + 1);
        session->ipv6_prefix = apn->ipv6_prefix;
    }
    session->counters = sim_modem_get_mux_counters (modem, mux_id);
    modem->sessions = g_list_append (modem->sessions, session);
    if (modem->scenario->disconnect_after_s)
        session->disconnect_timeout_id = g_timeout_add_once (modem->scenario->disconnect_after_s * 1000,
                                                                     session_disconnect_cb, session);
    sim_modem_log (modem, "session %u started: apn %s family %u mux %u handle 0x%08x",
                   session->id, apn_name, family, mux_id, session->packet_data_handle);
    sim_modem_emit (modem, SIM_MODEM_EVENT_SESSION_STARTED, session);
    return session;
}

void
sim_modem_stop_session (SimModem *modem, SimSession *session, gboolean network_initiated)
{
    if (!g_list_find (modem->sessions, session))
        return;
    modem->sessions = g_list_remove (modem->sessions, session);
    sim_modem_log (modem, "session %u stopped (%s)", session->id, network_initiated ? "network" : "client");
    /* Only QMI owners are SimClients; other transports watch the event. */
    if (session->owner && g_list_find (modem->clients, session->owner)) {
        if (network_initiated)
            sim_wds_notify_session_end (session);
        else
            ((SimClient *) session->owner)->wds_session = NULL;
    }
    sim_modem_emit (modem, SIM_MODEM_EVENT_SESSION_STOPPED, session);
    session_free (session);
}

GList *
sim_modem_get_sessions (SimModem *modem)
{
    return modem->sessions;
}

SimSession *
sim_modem_find_session_by_id (SimModem *modem, guint id)
{
    for (GList *l = modem->sessions; l; l = l->next)
        if (((SimSession *) l->data)->id == id)
            return l->data;
    return NULL;
}

SimSession *
sim_modem_find_session_by_mux (SimModem *modem, guint8 mux_id, guint family)
{
    SimSession *any = NULL;

    for (GList *l = modem->sessions; l; l = l->next) {
        SimSession *s = l->data;

        if (s->mux_id != mux_id)
            continue;
        if (s->family == family)
            return s;
        if (family == 0 && (!any || s->family == 4))
            any = s;
    }
    return any;
}

SimMuxCounters *
sim_modem_get_mux_counters (SimModem *modem, guint8 mux_id)
{
    SimMuxCounters *c = g_hash_table_lookup (modem->mux_counters, GUINT_TO_POINTER ((guint) mux_id));

    if (!c) {
        c = g_new0 (SimMuxCounters, 1);
        g_hash_table_insert (modem->mux_counters, GUINT_TO_POINTER ((guint) mux_id), c);
    }
    return c;
}

guint64 *
sim_modem_get_unknown_mux_drops (SimModem *modem)
{
    return &modem->unknown_mux_drops;
}

/* ---------------------------------------------------------------------- */
/* Events and control commands                                              */

guint
sim_modem_add_watch (SimModem *modem, SimModemEventFunc func, gpointer user_data)
{
    SimWatch *w = g_new0 (SimWatch, 1);

    w->id = ++modem->next_watch_id;
    w->func = func;
    w->user_data = user_data;
    modem->watches = g_list_append (modem->watches, w);
    return w->id;
}

void
sim_modem_remove_watch (SimModem *modem, guint watch_id)
{
    for (GList *l = modem->watches; l; l = l->next) {
        SimWatch *w = l->data;

        if (w->id == watch_id) {
            modem->watches = g_list_delete_link (modem->watches, l);
            g_free (w);
            return;
        }
    }
}

void
sim_modem_emit (SimModem *modem, SimModemEvent event, gpointer data)
{
    GList *copy = g_list_copy (modem->watches);

    for (GList *l = copy; l; l = l->next)
        if (g_list_find (modem->watches, l->data)) {
            SimWatch *w = l->data;

            w->func (modem, event, data, w->user_data);
        }
    g_list_free (copy);
}

void
sim_modem_hangup_all (SimModem *modem)
{
    sim_modem_log (modem, "hang-up of every transport connection");
    sim_modem_emit (modem, SIM_MODEM_EVENT_HANGUP, NULL);
}

void
sim_modem_reset (SimModem *modem)
{
    SimCardState card;

    sim_modem_log (modem, "modem reset: every client dropped, state back to power-on");
    g_clear_handle_id (&modem->reset_id, g_source_remove);
    /* Every transport drops its connections and clients (their calls end). */
    sim_modem_emit (modem, SIM_MODEM_EVENT_HANGUP, NULL);
    /* Sessions of transports without clients (MBIM) end too. */
    while (modem->sessions)
        sim_modem_stop_session (modem, modem->sessions->data, FALSE);
    power_on_data_format (modem);
    sim_modem_emit (modem, SIM_MODEM_EVENT_DATA_FORMAT_CHANGED, NULL);
    card = power_on_card_state (modem);
    if (card != modem->card_state) {
        modem->card_state = card;
        card_changed (modem);
    }
    if (modem->operating_mode != QMI_DMS_OPERATING_MODE_ONLINE) {
        modem->operating_mode = QMI_DMS_OPERATING_MODE_ONLINE;
        sim_modem_emit (modem, SIM_MODEM_EVENT_OPERATING_MODE_CHANGED, NULL);
    }
    /* The radio searches again from scratch. */
    g_clear_handle_id (&modem->register_timeout_id, g_source_remove);
    if (modem->scenario->register_on_start && modem->card_state == SIM_CARD_READY)
        sim_modem_set_registration (modem, modem->scenario->roaming ? SIM_REG_ROAMING : SIM_REG_HOME);
    else {
        sim_modem_set_registration (modem, SIM_REG_NOT_REGISTERED);
        update_registration (modem);
    }
}

void
sim_modem_add_control_command (SimModem *modem, const gchar *name, const gchar *help,
                               SimControlFunc func, gpointer user_data)
{
    SimControlCommand *cmd = g_new0 (SimControlCommand, 1);

    cmd->name = g_strdup (name);
    cmd->help = g_strdup (help);
    cmd->func = func;
    cmd->user_data = user_data;
    g_ptr_array_add (modem->control_commands, cmd);
}

gboolean
sim_modem_run_control (SimModem *modem, gchar **argv, GString *out, GError **error)
{
    if (!argv[0]) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "empty command");
        return FALSE;
    }
    if (g_str_equal (argv[0], "help")) {
        for (guint i = 0; i < modem->control_commands->len; i++) {
            SimControlCommand *cmd = g_ptr_array_index (modem->control_commands, i);

            g_string_append_printf (out, "%s\n", cmd->help);
        }
        return TRUE;
    }
    for (guint i = 0; i < modem->control_commands->len; i++) {
        SimControlCommand *cmd = g_ptr_array_index (modem->control_commands, i);

        if (g_str_equal (cmd->name, argv[0]))
            return cmd->func (modem, argv, out, cmd->user_data, error);
    }
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "unknown command '%s' (try help)", argv[0]);
    return FALSE;
}
