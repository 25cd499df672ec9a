/* modemux-sim: the fault engine's run-time half. Rules added and cleared
 * over the control socket (so one simulator serves many faulted runs), the
 * log of every QMI request received (what a fault matrix enumerates), and
 * the modem reset command (docs/simulator.md, "Control socket"). */
#define G_LOG_DOMAIN "sim-fault"

#include <string.h>
#include <libmbim-glib.h>

#include "sim-internal.h"

/* Enough for probe, enable, connect and disconnect several times over. */
#define REQUEST_LOG_SIZE 20000

typedef struct {
    gchar  *transport;
    guint8  service;
    guint8  cid;
    guint16 message;
    gchar  *name;       /* libqmi's name of the message, "" when unknown */
} SimRequest;

struct _SimFaultEngine {
    GArray *rules;      /* SimFault, matched in order, before the scenario's */
    GQueue  requests;   /* SimRequest* */
    guint64 n_requests; /* ever recorded (the log keeps the last REQUEST_LOG_SIZE) */
};

static void
request_free (SimRequest *r)
{
    g_free (r->transport);
    g_free (r->name);
    g_free (r);
}

SimFaultEngine *
sim_fault_engine_new (void)
{
    SimFaultEngine *engine = g_new0 (SimFaultEngine, 1);

    engine->rules = g_array_new (FALSE, TRUE, sizeof (SimFault));
    g_queue_init (&engine->requests);
    return engine;
}

void
sim_fault_engine_free (SimFaultEngine *engine)
{
    if (!engine)
        return;
    g_array_unref (engine->rules);
    g_queue_clear_full (&engine->requests, (GDestroyNotify) request_free);
    g_free (engine);
}

static gboolean
rule_applies (SimFault *f, guint8 service, guint16 msg)
{
    if (f->service != service || f->message != msg)
        return FALSE;
    f->seen++;
    if (f->seen <= f->after)
        return FALSE;
    if (f->count && f->applied >= f->count)
        return FALSE;
    f->applied++;
    return TRUE;
}

SimFault *
sim_fault_engine_match (SimFaultEngine *engine, SimScenario *scenario, guint8 service, guint16 msg)
{
    for (guint i = 0; i < engine->rules->len; i++)
        if (rule_applies (&g_array_index (engine->rules, SimFault, i), service, msg))
            return &g_array_index (engine->rules, SimFault, i);
    for (guint i = 0; i < scenario->n_faults; i++)
        if (rule_applies (&scenario->faults[i], service, msg))
            return &scenario->faults[i];
    return NULL;
}

/* libqmi's name of @request ("Start Network"), from its printable form:
 * libqmi has no public per-message name lookup. */
static gchar *
message_name (QmiMessage *request)
{
    g_autofree gchar *printable = qmi_message_get_printable_full (request, NULL, "");
    const gchar *p = strstr (printable, "message     = ");
    const gchar *start, *end;

    if (!p)
        p = strstr (printable, "message = ");
    if (!p || !(start = strchr (p, '"')) || !(end = strchr (start + 1, '"')))
        return g_strdup ("");
    return g_strndup (start + 1, (gsize) (end - start - 1));
}

void
sim_fault_engine_record (SimFaultEngine *engine, const gchar *transport, guint8 service, guint8 cid,
                         QmiMessage *request)
{
    SimRequest *r = g_new0 (SimRequest, 1);

    r->transport = g_strdup (transport);
    r->service = service;
    r->cid = cid;
    r->message = qmi_message_get_message_id (request);
    r->name = message_name (request);
    g_queue_push_tail (&engine->requests, r);
    engine->n_requests++;
    while (g_queue_get_length (&engine->requests) > REQUEST_LOG_SIZE)
        request_free (g_queue_pop_head (&engine->requests));
}

static const gchar *
service_name (guint8 service)
{
    if (service == SIM_FAULT_SERVICE_MBIM)
        return "mbim";
    return qmi_service_get_string ((QmiService) service) ?: "?";
}

static const gchar *
action_name (SimFaultAction action)
{
    switch (action) {
    case SIM_FAULT_ACTION_ERROR: return "error";
    case SIM_FAULT_ACTION_DROP: return "drop";
    case SIM_FAULT_ACTION_DELAY: return "delay";
    case SIM_FAULT_ACTION_HANGUP: return "hangup";
    case SIM_FAULT_ACTION_MALFORMED: return "malformed";
    case SIM_FAULT_ACTION_RESET: return "reset";
    default: return "?";
    }
}

/* ---------------------------------------------------------------------- */
/* Control commands                                                         */

static void
append_rule (GString *out, const gchar *origin, const SimFault *f)
{
    g_string_append_printf (out, "fault origin=%s service=%s message=0x%04x action=%s", origin,
                            service_name (f->service), f->message, action_name (f->action));
    if (f->action == SIM_FAULT_ACTION_ERROR)
        g_string_append_printf (out, " error=%s", f->service == SIM_FAULT_SERVICE_MBIM ?
                                mbim_status_error_get_string ((MbimStatusError) f->error) ?: "?" :
                                qmi_protocol_error_get_string ((QmiProtocolError) f->error) ?: "?");
    if (f->action == SIM_FAULT_ACTION_DELAY)
        g_string_append_printf (out, " delay-ms=%u", f->delay_ms);
    g_string_append_printf (out, " after=%u count=%u seen=%u applied=%u\n", f->after, f->count, f->seen, f->applied);
}

/* "fault add KEY=VALUE…" takes the keys of a scenario's [fault] group,
 * parsed by the same code. */
static gboolean
fault_add (SimFaultEngine *engine, gchar **args, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new ();
    g_autoptr(GString) text = g_string_new ("[fault control]\n");
    SimFault f = { 0 };

    for (guint i = 0; args[i]; i++) {
        if (!strchr (args[i], '=') || args[i][0] == '=') {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                         "fault add: '%s' is not KEY=VALUE", args[i]);
            return FALSE;
        }
        g_string_append_printf (text, "%s\n", args[i]);
    }
    if (!g_key_file_load_from_data (kf, text->str, text->len, G_KEY_FILE_NONE, error) ||
        !sim_scenario_parse_fault (kf, "fault control", &f, error))
        return FALSE;
    g_array_append_val (engine->rules, f);
    return TRUE;
}

static gboolean
cmd_fault (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    SimFaultEngine *engine = sim_modem_get_fault_engine (modem);
    const SimScenario *scenario = sim_modem_get_scenario (modem);

    if (argv[1] && g_str_equal (argv[1], "add"))
        return fault_add (engine, argv + 2, error);
    if (argv[1] && g_str_equal (argv[1], "clear") && !argv[2]) {
        g_array_set_size (engine->rules, 0);
        return TRUE;
    }
    if (!argv[1] || (g_str_equal (argv[1], "list") && !argv[2])) {
        for (guint i = 0; i < engine->rules->len; i++)
            append_rule (out, "control", &g_array_index (engine->rules, SimFault, i));
        for (guint i = 0; i < scenario->n_faults; i++)
            append_rule (out, "scenario", &scenario->faults[i]);
        return TRUE;
    }
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "usage: fault add service=S message=M action=A [error=E] [delay-ms=N] [after=N] [count=N]"
                 " | fault clear | fault list");
    return FALSE;
}

static gboolean
cmd_requests (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    SimFaultEngine *engine = sim_modem_get_fault_engine (modem);

    if (argv[1] && g_str_equal (argv[1], "clear") && !argv[2]) {
        g_queue_clear_full (&engine->requests, (GDestroyNotify) request_free);
        return TRUE;
    }
    if (argv[1]) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: requests [clear]");
        return FALSE;
    }
    for (GList *l = engine->requests.head; l; l = l->next) {
        SimRequest *r = l->data;

        /* name last: it has blanks */
        g_string_append_printf (out, "request transport=%s service=%s cid=%u message=0x%04x name=%s\n",
                                r->transport, service_name (r->service), r->cid, r->message, r->name);
    }
    return TRUE;
}

static gboolean
cmd_reset (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    sim_modem_reset (modem);
    return TRUE;
}

void
sim_fault_add_control_commands (SimModem *modem)
{
    sim_modem_add_control_command (modem, "fault",
                                   "fault add KEY=VALUE... | clear | list: run-time fault rules (keys of a [fault] group)",
                                   cmd_fault, NULL);
    sim_modem_add_control_command (modem, "requests",
                                   "requests [clear]: every QMI request received (service, message, name, client)",
                                   cmd_requests, NULL);
    sim_modem_add_control_command (modem, "reset",
                                   "reset: modem reset (every client dropped, state back to power-on)",
                                   cmd_reset, NULL);
}
