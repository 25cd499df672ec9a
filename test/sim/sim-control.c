/* modemux-sim: control socket. One command per line; the answer is zero or
 * more lines followed by "OK" or "ERR <message>" (docs/simulator.md). */
#define G_LOG_DOMAIN "sim-control"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "sim-control.h"
#include "sim-internal.h"

struct _SimControl {
    SimModem       *modem;
    gchar          *path;
    GSocketService *service;
    GCancellable   *cancellable;
    GList          *conns;
};

typedef struct {
    SimControl        *control;
    GSocketConnection *connection;
    GDataInputStream  *input;
} ControlConn;

/* ---------------------------------------------------------------------- */
/* Built-in commands                                                        */

static const gchar *
card_state_str (SimCardState s)
{
    switch (s) {
    case SIM_CARD_ABSENT: return "absent";
    case SIM_CARD_PIN_REQUIRED: return "pin-required";
    case SIM_CARD_PUK_REQUIRED: return "puk-required";
    case SIM_CARD_READY: return "ready";
    case SIM_CARD_BLOCKED: return "blocked";
    default: return "?";
    }
}

static const gchar *reg_names[] = { "none", "searching", "home", "roaming", "denied" };

static void
append_session (GString *out, SimSession *s)
{
    gchar addr[64] = "";
    g_autoptr(GInetAddress) ia = s->family == 4 ? g_inet_address_new_from_bytes (s->ipv4_address, G_SOCKET_FAMILY_IPV4)
                                                : g_inet_address_new_from_bytes (s->ipv6_address, G_SOCKET_FAMILY_IPV6);
    g_autofree gchar *a = g_inet_address_to_string (ia);

    g_snprintf (addr, sizeof addr, "%s/%u", a, s->family == 4 ? s->ipv4_prefix : s->ipv6_prefix);
    g_string_append_printf (out, "session id=%u mux=%u family=%u apn=%s handle=0x%08x address=%s mtu=%u"
                            " ul_packets=%" G_GUINT64_FORMAT " ul_bytes=%" G_GUINT64_FORMAT
                            " dl_packets=%" G_GUINT64_FORMAT " dl_bytes=%" G_GUINT64_FORMAT "\n",
                            s->id, s->mux_id, s->family, s->apn_name, s->packet_data_handle, addr, s->mtu,
                            s->counters->ul_packets, s->counters->ul_bytes,
                            s->counters->dl_packets, s->counters->dl_bytes);
}

static gboolean
cmd_sessions (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    for (GList *l = sim_modem_get_sessions (modem); l; l = l->next)
        append_session (out, l->data);
    return TRUE;
}

static gboolean
cmd_state (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    guint pin = 0, puk = 0;
    SimCardState card = sim_modem_get_card_state (modem, &pin, &puk);
    const SimDataFormat *df = sim_modem_get_data_format (modem);

    g_string_append_printf (out, "card=%s pin-retries=%u puk-retries=%u\n", card_state_str (card), pin, puk);
    g_string_append_printf (out, "registration=%s\n", reg_names[sim_modem_get_registration (modem)]);
    g_string_append_printf (out, "operating-mode=%s\n",
                            qmi_dms_operating_mode_get_string (sim_modem_get_operating_mode (modem)));
    g_string_append_printf (out, "data-format configured=%d llp=%s ul=%s dl=%s dl-max-datagrams=%u dl-max-size=%u ep-type=%s ep-iface=%u\n",
                            df->configured, qmi_wda_link_layer_protocol_get_string (df->llp) ?: "?",
                            qmi_wda_data_aggregation_protocol_get_string (df->ul_dap) ?: "?",
                            qmi_wda_data_aggregation_protocol_get_string (df->dl_dap) ?: "?",
                            df->dl_max_datagrams, df->dl_max_size,
                            qmi_data_endpoint_type_get_string (df->ep_type) ?: "?", df->ep_iface);
    g_string_append_printf (out, "clients=%u\n", g_list_length (sim_modem_get_clients (modem)));
    return cmd_sessions (modem, argv, out, user_data, error);
}

static gboolean
cmd_counters (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    guint mux = argv[1] ? (guint) g_ascii_strtoull (argv[1], NULL, 0) : 0;
    SimMuxCounters *c;

    if (!argv[1] || mux > 255) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: counters MUX");
        return FALSE;
    }
    c = sim_modem_get_mux_counters (modem, (guint8) mux);
    g_string_append_printf (out, "mux=%u ul_packets=%" G_GUINT64_FORMAT " ul_bytes=%" G_GUINT64_FORMAT
                            " dl_packets=%" G_GUINT64_FORMAT " dl_bytes=%" G_GUINT64_FORMAT
                            " ul_dropped=%" G_GUINT64_FORMAT " unknown_mux_drops=%" G_GUINT64_FORMAT "\n",
                            mux, c->ul_packets, c->ul_bytes, c->dl_packets, c->dl_bytes, c->ul_dropped,
                            *sim_modem_get_unknown_mux_drops (modem));
    return TRUE;
}

static gboolean
cmd_disconnect (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    if (argv[1] && g_str_equal (argv[1], "all")) {
        while (sim_modem_get_sessions (modem))
            sim_modem_stop_session (modem, sim_modem_get_sessions (modem)->data, TRUE);
        return TRUE;
    }
    if (argv[1]) {
        SimSession *s = sim_modem_find_session_by_id (modem, (guint) g_ascii_strtoull (argv[1], NULL, 10));

        if (s) {
            sim_modem_stop_session (modem, s, TRUE);
            return TRUE;
        }
    }
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "usage: disconnect SESSION-ID|all (no such session)");
    return FALSE;
}

static gboolean
cmd_register (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    for (guint i = 0; argv[1] && i < G_N_ELEMENTS (reg_names); i++)
        if (g_str_equal (argv[1], reg_names[i])) {
            sim_modem_set_registration (modem, (SimRegState) i);
            return TRUE;
        }
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: register none|searching|home|roaming|denied");
    return FALSE;
}

static gboolean
cmd_hangup (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    sim_modem_hangup_all (modem);
    return TRUE;
}

static gboolean
cmd_remove_sim (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    sim_modem_remove_sim (modem);
    return TRUE;
}

static gboolean
cmd_log (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    g_autoptr(GString) log = sim_modem_get_log_ring (modem, argv[1] ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 0);

    g_string_append (out, log->str);
    return TRUE;
}

static gboolean
cmd_clients (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    for (GList *l = sim_modem_get_clients (modem); l; l = l->next) {
        SimClient *c = l->data;

        g_string_append_printf (out, "client transport=%s service=%s cid=%u\n", c->transport,
                                qmi_service_get_string ((QmiService) c->service) ?: "?", c->cid);
    }
    return TRUE;
}

void
sim_control_add_builtins (SimModem *modem)
{
    sim_modem_add_control_command (modem, "state", "state: card, registration, mode, data format, sessions", cmd_state, NULL);
    sim_modem_add_control_command (modem, "sessions", "sessions: one line per PDN session with mux id and counters", cmd_sessions, NULL);
    sim_modem_add_control_command (modem, "counters", "counters MUX: packet counters of a mux id", cmd_counters, NULL);
    sim_modem_add_control_command (modem, "disconnect", "disconnect ID|all: network-initiated disconnect", cmd_disconnect, NULL);
    sim_modem_add_control_command (modem, "register", "register none|searching|home|roaming|denied: change registration", cmd_register, NULL);
    sim_modem_add_control_command (modem, "hangup", "hangup: close every transport connection", cmd_hangup, NULL);
    sim_modem_add_control_command (modem, "remove-sim", "remove-sim: the SIM card disappears", cmd_remove_sim, NULL);
    sim_modem_add_control_command (modem, "log", "log [N]: the last N log lines (all kept lines without N)", cmd_log, NULL);
    sim_modem_add_control_command (modem, "clients", "clients: QMI clients per transport", cmd_clients, NULL);
    sim_radio_add_control_commands (modem);
    sim_profiles_add_control_commands (modem);
    sim_fault_add_control_commands (modem);
}

/* ---------------------------------------------------------------------- */
/* Server                                                                   */

static void read_next_line (ControlConn *conn);

static void
control_conn_free (ControlConn *conn)
{
    conn->control->conns = g_list_remove (conn->control->conns, conn);
    g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
    g_object_unref (conn->input);
    g_object_unref (conn->connection);
    g_free (conn);
}

static void
line_ready_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
    ControlConn *conn = user_data;
    g_autoptr(GError) error = NULL;
    g_autofree gchar *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), res, NULL, &error);
    g_autoptr(GString) out = NULL;
    g_auto(GStrv) argv = NULL;
    GOutputStream *os;

    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return; /* control is being freed; it frees the conn */
    if (!line) {
        control_conn_free (conn);
        return;
    }
    g_strstrip (line);
    if (!*line) {
        read_next_line (conn);
        return;
    }
    sim_modem_log (conn->control->modem, "control: %s", line);
    out = g_string_new (NULL);
    argv = g_strsplit_set (line, " \t", -1);
    {
        /* Collapse empty tokens from repeated blanks. */
        guint j = 0;
        for (guint i = 0; argv[i]; i++) {
            if (*argv[i])
                argv[j++] = argv[i];
            else
                g_free (argv[i]);
        }
        argv[j] = NULL;
    }
    if (sim_modem_run_control (conn->control->modem, argv, out, &error))
        g_string_append (out, "OK\n");
    else
        g_string_append_printf (out, "ERR %s\n", error->message);
    os = g_io_stream_get_output_stream (G_IO_STREAM (conn->connection));
    if (!g_output_stream_write_all (os, out->str, out->len, NULL, NULL, NULL)) {
        control_conn_free (conn);
        return;
    }
    read_next_line (conn);
}

static void
read_next_line (ControlConn *conn)
{
    g_data_input_stream_read_line_async (conn->input, G_PRIORITY_DEFAULT, conn->control->cancellable,
                                         line_ready_cb, conn);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source, gpointer user_data)
{
    SimControl *control = user_data;
    ControlConn *conn = g_new0 (ControlConn, 1);

    conn->control = control;
    conn->connection = g_object_ref (connection);
    conn->input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
    control->conns = g_list_append (control->conns, conn);
    read_next_line (conn);
    return TRUE;
}

SimControl *
sim_control_new (SimModem *modem, const gchar *path, GError **error)
{
    SimControl *control = g_new0 (SimControl, 1);
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);

    control->modem = modem;
    control->path = g_strdup (path);
    control->cancellable = g_cancellable_new ();
    control->service = g_socket_service_new ();
    unlink (path);
    if (!g_socket_listener_add_address (G_SOCKET_LISTENER (control->service), address, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error)) {
        g_prefix_error (error, "control socket %s: ", path);
        sim_control_free (control);
        return NULL;
    }
    g_signal_connect (control->service, "incoming", G_CALLBACK (incoming_cb), control);
    g_socket_service_start (control->service);
    return control;
}

void
sim_control_free (SimControl *control)
{
    if (!control)
        return;
    g_cancellable_cancel (control->cancellable);
    while (control->conns)
        control_conn_free (control->conns->data);
    g_socket_service_stop (control->service);
    g_socket_listener_close (G_SOCKET_LISTENER (control->service));
    g_object_unref (control->service);
    g_object_unref (control->cancellable);
    unlink (control->path);
    g_free (control->path);
    g_free (control);
}

/* ---------------------------------------------------------------------- */
/* Client                                                                   */

int
sim_control_client_run (const gchar *path, gchar **argv)
{
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
    g_autoptr(GSocketConnection) connection = NULL;
    g_autoptr(GDataInputStream) input = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree gchar *joined = g_strjoinv (" ", argv);
    g_autofree gchar *line = g_strconcat (joined, "\n", NULL);

    connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
    if (!connection ||
        !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                    line, strlen (line), NULL, NULL, &error)) {
        fprintf (stderr, "modemux-sim --ctl: %s\n", error->message);
        return 2;
    }
    input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
    for (;;) {
        g_autofree gchar *reply = g_data_input_stream_read_line (input, NULL, NULL, &error);

        if (!reply) {
            fprintf (stderr, "modemux-sim --ctl: connection closed%s%s\n",
                     error ? ": " : "", error ? error->message : "");
            return 2;
        }
        if (g_str_equal (reply, "OK"))
            return 0;
        if (g_str_has_prefix (reply, "ERR")) {
            fprintf (stderr, "%s\n", reply);
            return 1;
        }
        printf ("%s\n", reply);
    }
}
