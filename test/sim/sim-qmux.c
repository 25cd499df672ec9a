/* modemux-sim: QMUX transports — a fake qmi-proxy on an abstract unix
 * socket, a QMUX pseudo-terminal and a message socket another transport
 * feeds (the USB gadget's encapsulated commands). CTL is emulated per
 * connection. */
#define G_LOG_DOMAIN "sim-qmux"
#define _GNU_SOURCE

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <gio/gunixsocketaddress.h>

#include "sim-qmux.h"
#include "sim-internal.h"
#include "sim-stream.h"

typedef struct _SimQmuxConn SimQmuxConn;

struct _SimQmux {
    SimModem          *modem;
    gboolean           is_proxy;
    gboolean           is_fd;        /* sim_qmux_new_fd(): the fd is the caller's channel */
    gchar             *name;         /* proxy socket name or pty symlink path */
    GSocketService    *service;      /* proxy */
    GList             *conns;
    guint              next_conn_id;
    int                pty_slave_fd; /* kept open so the master never sees EIO */
    guint              watch_id;
    /* Clients belong to the transport, not to a connection: like the real
     * qmi-proxy, a client id allocated with --client-no-release-cid stays
     * usable from the next connection. */
    GList             *bindings;     /* ClientBinding* */
    guint              hangup_id;
};

typedef struct {
    SimQmux     *qmux;
    SimQmuxConn *conn;               /* where answers go: last user; NULL if gone */
    SimClient   *client;
} ClientBinding;

struct _SimQmuxConn {
    SimQmux           *qmux;
    gchar             *label;
    int                fd;
    GSocketConnection *connection;   /* proxy */
    guint              source_id;
    GByteArray        *buffer;
};

static void conn_free (SimQmuxConn *conn);
static gboolean pty_open (SimQmux *qmux, GError **error);

/* ---------------------------------------------------------------------- */

static void
conn_send_raw (SimQmuxConn *conn, QmiMessage *message)
{
    gsize len = 0;
    const guint8 *raw = qmi_message_get_raw (message, &len, NULL);

    if (raw && conn->fd >= 0 && !sim_fd_write_all (conn->fd, raw, len))
        sim_modem_log (conn->qmux->modem, "%s write failed: %s", conn->label, g_strerror (errno));
}

static void
client_send_cb (SimClient *client, QmiMessage *message, gpointer user_data)
{
    ClientBinding *binding = user_data;

    if (binding->conn)
        conn_send_raw (binding->conn, message);
    else
        sim_modem_log (binding->qmux->modem, "client %u/%u has no connection: message dropped",
                       sim_client_get_service (client), sim_client_get_cid (client));
}

static void
binding_free (ClientBinding *binding)
{
    binding->qmux->bindings = g_list_remove (binding->qmux->bindings, binding);
    sim_client_free (binding->client);
    g_free (binding);
}

static void
free_all_bindings (SimQmux *qmux)
{
    while (qmux->bindings)
        binding_free (qmux->bindings->data);
}

/* Hang-up: the modem vanishes from this transport — every connection is
 * closed and every client is gone (as after a device reset). */
static void
hangup_idle_cb (gpointer user_data)
{
    SimQmux *qmux = user_data;

    qmux->hangup_id = 0;
    sim_modem_log (qmux->modem, "%s hang-up", qmux->name);
    /* A message channel stays: its owner (the USB gadget) re-enumerates. */
    while (qmux->conns && !qmux->is_fd) {
        SimQmuxConn *conn = qmux->conns->data;

        qmux->conns = g_list_delete_link (qmux->conns, qmux->conns);
        conn_free (conn);
    }
    free_all_bindings (qmux);
    if (qmux->is_fd)
        return;
    if (!qmux->is_proxy) {
        g_autoptr(GError) error = NULL;

        /* The pty "modem" comes back, like a device re-enumerating. */
        if (!pty_open (qmux, &error))
            sim_modem_log (qmux->modem, "pty re-open failed: %s", error->message);
    }
}

static void
schedule_hangup (SimQmux *qmux)
{
    if (!qmux->hangup_id)
        qmux->hangup_id = g_idle_add_once (hangup_idle_cb, qmux);
}

static void
client_hangup_cb (SimClient *client, gpointer user_data)
{
    ClientBinding *binding = user_data;

    schedule_hangup (binding->qmux);
}

static const SimClientOps client_ops = { client_send_cb, client_hangup_cb };

static ClientBinding *
find_binding (SimQmux *qmux, guint8 service, guint8 cid)
{
    for (GList *l = qmux->bindings; l; l = l->next) {
        ClientBinding *b = l->data;

        if (sim_client_get_service (b->client) == service && sim_client_get_cid (b->client) == cid)
            return b;
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* CTL                                                                      */

static QmiMessage *
ctl_handle (SimQmuxConn *conn, QmiMessage *req)
{
    SimModem *modem = conn->qmux->modem;
    QmiMessage *resp;
    guint16 len = 0;
    const guint8 *p;

    switch (qmi_message_get_message_id (req)) {
    case 0xFF00: { /* Internal Proxy Open (libqmi) */
        g_autofree gchar *path = sim_tlv_string (req, 0x01);

        sim_modem_log (modem, "%s proxy open for device '%s'", conn->label, path ? path : "");
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0021: { /* Get Version Info */
        const SimServiceVersion *v = sim_modem_get_services ();
        g_autoptr(GByteArray) b = g_byte_array_new ();
        guint n = 0;

        while (v[n].service != 0xFF)
            n++;
        sim_buf_u8 (b, (guint8) n);
        for (guint i = 0; i < n; i++) {
            sim_buf_u8 (b, v[i].service);
            sim_buf_u16 (b, v[i].major);
            sim_buf_u16 (b, v[i].minor);
        }
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x01, b->data, b->len);
        return resp;
    }
    case 0x0022: { /* Allocate CID */
        guint8 service, cid;
        const SimServiceVersion *v = sim_modem_get_services ();
        gboolean known = FALSE;
        g_autofree gchar *label = NULL;
        ClientBinding *binding;
        guint8 d[2];

        if (!sim_tlv_u8 (req, 0x01, &service))
            return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        for (guint i = 1; v[i].service != 0xFF; i++)
            known |= v[i].service == service;
        if (!known)
            return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_INVALID_SERVICE_TYPE);
        cid = sim_modem_allocate_cid (modem, service);
        if (!cid)
            return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_CLIENT_IDS_EXHAUSTED);
        label = g_strdup_printf ("%s/%s%u", conn->label,
                                 qmi_service_get_string ((QmiService) service) ?: "svc", cid);
        binding = g_new0 (ClientBinding, 1);
        binding->qmux = conn->qmux;
        binding->conn = conn;
        binding->client = sim_client_new (modem, service, cid, label, &client_ops, binding);
        conn->qmux->bindings = g_list_append (conn->qmux->bindings, binding);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        d[0] = service;
        d[1] = cid;
        sim_add_bytes (resp, 0x01, d, 2);
        return resp;
    }
    case 0x0023: { /* Release CID */
        ClientBinding *binding;

        p = sim_tlv_get (req, 0x01, &len);
        if (!p || len < 2)
            return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        binding = find_binding (conn->qmux, p[0], p[1]);
        if (!binding)
            return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_INVALID_CLIENT_ID);
        binding_free (binding);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x01, p, 2);
        return resp;
    }
    case 0x0026: { /* Set Data Format */
        guint16 llp = QMI_WDA_LINK_LAYER_PROTOCOL_802_3;
        const SimScenario *s = sim_modem_get_scenario (modem);
        gboolean ok = FALSE;

        sim_tlv_u16 (req, 0x10, &llp);
        for (guint i = 0; i < s->n_llps; i++)
            ok |= s->llps[i] == llp;
        if (!ok)
            return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_INVALID_DATA_FORMAT);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u16 (resp, 0x10, llp);
        return resp;
    }
    case 0x0027: /* Sync: on a direct port the control point starts over and
                  * its clients are gone; through the proxy other
                  * connections' clients must survive, so it is only acked. */
        if (!conn->qmux->is_proxy)
            free_all_bindings (conn->qmux);
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x0020: { /* Set Instance ID */
        guint8 id = 0;

        sim_tlv_u8 (req, 0x01, &id);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u16 (resp, 0x01, (guint16) (0x0100 | id));
        return resp;
    }
    default:
        sim_modem_log (modem, "%s UNKNOWN CTL message 0x%04x: InvalidQmiCommand", conn->label,
                       qmi_message_get_message_id (req));
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_INVALID_QMI_COMMAND);
    }
}

static void
conn_dispatch (SimQmuxConn *conn, QmiMessage *message)
{
    SimModem *modem = conn->qmux->modem;
    guint8 service = (guint8) qmi_message_get_service (message);
    ClientBinding *binding;

    if (service == QMI_SERVICE_CTL) {
        QmiMessage *resp;
        SimFault *fault = NULL;

        sim_modem_log_qmi (modem, conn->label, ">>", message);
        /* The proxy handshake is libqmi's, not the modem's: never faulted. */
        if (qmi_message_get_message_id (message) != 0xFF00) {
            sim_fault_engine_record (sim_modem_get_fault_engine (modem), conn->label, QMI_SERVICE_CTL,
                                     0, message);
            fault = sim_modem_match_fault (modem, QMI_SERVICE_CTL, qmi_message_get_message_id (message));
        }
        if (fault) {
            sim_modem_log (modem, "%s FAULT applied to CTL message 0x%04x", conn->label,
                           qmi_message_get_message_id (message));
            if (fault->action == SIM_FAULT_ACTION_DROP)
                return;
            if (fault->action == SIM_FAULT_ACTION_HANGUP) {
                schedule_hangup (conn->qmux);
                return;
            }
            if (fault->action == SIM_FAULT_ACTION_RESET) {
                sim_modem_schedule_reset (modem);
                return;
            }
        }
        resp = fault ? qmi_message_response_new (message, (QmiProtocolError) fault->error)
                     : ctl_handle (conn, message);
        sim_modem_log_qmi (modem, conn->label, "<<", resp);
        conn_send_raw (conn, resp);
        qmi_message_unref (resp);
        return;
    }
    binding = find_binding (conn->qmux, service, qmi_message_get_client_id (message));
    if (!binding) {
        QmiMessage *resp;

        sim_modem_log_qmi (modem, conn->label, ">>", message);
        sim_modem_log (modem, "%s no client %u for service %u: InvalidClientId", conn->label,
                       qmi_message_get_client_id (message), service);
        resp = qmi_message_response_new (message, QMI_PROTOCOL_ERROR_INVALID_CLIENT_ID);
        conn_send_raw (conn, resp);
        qmi_message_unref (resp);
        return;
    }
    binding->conn = conn;
    sim_client_handle_request (binding->client, message);
}

/* ---------------------------------------------------------------------- */
/* Connections                                                              */

static gboolean
conn_readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
    SimQmuxConn *conn = user_data;
    SimQmux *qmux = conn->qmux;
    guint8 buf[4096];
    ssize_t n = read (fd, buf, sizeof buf);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return G_SOURCE_CONTINUE;
    if (n <= 0) {
        if (qmux->is_proxy) {
            sim_modem_log (qmux->modem, "%s closed by peer", conn->label);
            conn->source_id = 0;
            qmux->conns = g_list_remove (qmux->conns, conn);
            conn_free (conn);
            return G_SOURCE_REMOVE;
        }
        /* pty: the slave we hold keeps this from happening; tolerate it. */
        return G_SOURCE_CONTINUE;
    }
    g_byte_array_append (conn->buffer, buf, (guint) n);
    while (conn->buffer->len > 0 && conn->source_id) {
        g_autoptr(GError) error = NULL;
        QmiMessage *message;

        if (conn->buffer->data[0] != 0x01) {
            /* Re-synchronise on the next QMUX marker. */
            guint8 *marker = memchr (conn->buffer->data, 0x01, conn->buffer->len);
            guint skip = marker ? (guint) (marker - conn->buffer->data) : conn->buffer->len;

            sim_modem_log (qmux->modem, "%s skipping %u bytes of garbage", conn->label, skip);
            g_byte_array_remove_range (conn->buffer, 0, skip);
            continue;
        }
        message = qmi_message_new_from_raw (conn->buffer, &error);
        if (!message) {
            if (!error)
                break; /* need more bytes */
            sim_modem_log (qmux->modem, "%s invalid QMUX frame: %s", conn->label, error->message);
            g_byte_array_remove_range (conn->buffer, 0, 1);
            continue;
        }
        conn_dispatch (conn, message);
        qmi_message_unref (message);
    }
    return G_SOURCE_CONTINUE;
}

static SimQmuxConn *
conn_new (SimQmux *qmux, int fd, const gchar *label)
{
    SimQmuxConn *conn = g_new0 (SimQmuxConn, 1);

    conn->qmux = qmux;
    conn->fd = fd;
    conn->label = g_strdup (label);
    conn->buffer = g_byte_array_new ();
    conn->source_id = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_readable_cb, conn);
    qmux->conns = g_list_append (qmux->conns, conn);
    return conn;
}

static void
conn_free (SimQmuxConn *conn)
{
    g_clear_handle_id (&conn->source_id, g_source_remove);
    for (GList *l = conn->qmux->bindings; l; l = l->next)
        if (((ClientBinding *) l->data)->conn == conn)
            ((ClientBinding *) l->data)->conn = NULL;
    if (conn->connection) {
        g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
        g_object_unref (conn->connection);
    } else if (conn->fd >= 0)
        close (conn->fd);
    g_byte_array_unref (conn->buffer);
    g_free (conn->label);
    g_free (conn);
}

static void
modem_event_cb (SimModem *modem, SimModemEvent event, gpointer data, gpointer user_data)
{
    SimQmux *qmux = user_data;

    /* Emitted by the control socket, never from inside our own dispatch, so
     * the hang-up can be immediate: when "hangup" answers OK, the pty is
     * already the new one. */
    if (event == SIM_MODEM_EVENT_HANGUP) {
        g_clear_handle_id (&qmux->hangup_id, g_source_remove);
        hangup_idle_cb (qmux);
    }
}

/* ---------------------------------------------------------------------- */
/* Proxy                                                                    */

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source, gpointer user_data)
{
    SimQmux *qmux = user_data;
    GSocket *socket = g_socket_connection_get_socket (connection);
    g_autofree gchar *label = g_strdup_printf ("proxy#%u", ++qmux->next_conn_id);
    SimQmuxConn *conn;

    g_socket_set_blocking (socket, FALSE);
    conn = conn_new (qmux, g_socket_get_fd (socket), label);
    conn->connection = g_object_ref (connection);
    sim_modem_log (qmux->modem, "%s connected", label);
    return TRUE;
}

SimQmux *
sim_qmux_new_proxy (SimModem *modem, const gchar *name, GError **error)
{
    SimQmux *qmux = g_new0 (SimQmux, 1);
    g_autoptr(GSocketAddress) address = NULL;

    qmux->modem = modem;
    qmux->is_proxy = TRUE;
    qmux->pty_slave_fd = -1;
    qmux->name = g_strdup (name ? name : "qmi-proxy");
    address = g_unix_socket_address_new_with_type (qmux->name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
    qmux->service = g_socket_service_new ();
    if (!g_socket_listener_add_address (G_SOCKET_LISTENER (qmux->service), address, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error)) {
        g_prefix_error (error, "cannot listen on @%s: ", qmux->name);
        sim_qmux_free (qmux);
        return NULL;
    }
    g_signal_connect (qmux->service, "incoming", G_CALLBACK (incoming_cb), qmux);
    g_socket_service_start (qmux->service);
    qmux->watch_id = sim_modem_add_watch (modem, modem_event_cb, qmux);
    sim_modem_log (modem, "fake qmi-proxy listening on @%s", qmux->name);
    return qmux;
}

/* ---------------------------------------------------------------------- */
/* PTY                                                                      */

static gboolean
pty_open (SimQmux *qmux, GError **error)
{
    gint slave = -1;
    gint master = sim_pty_open (qmux->name, &slave, error);

    if (master < 0)
        return FALSE;
    if (qmux->pty_slave_fd >= 0)
        close (qmux->pty_slave_fd);
    qmux->pty_slave_fd = slave;
    conn_new (qmux, master, "pty");
    sim_modem_log (qmux->modem, "QMUX pty %s -> %s", qmux->name, ptsname (master));
    return TRUE;
}

SimQmux *
sim_qmux_new_pty (SimModem *modem, const gchar *path, GError **error)
{
    SimQmux *qmux = g_new0 (SimQmux, 1);

    qmux->modem = modem;
    qmux->name = g_strdup (path);
    qmux->pty_slave_fd = -1;
    if (!pty_open (qmux, error)) {
        sim_qmux_free (qmux);
        return NULL;
    }
    qmux->watch_id = sim_modem_add_watch (modem, modem_event_cb, qmux);
    return qmux;
}

/* ---------------------------------------------------------------------- */
/* Message channel                                                          */

SimQmux *
sim_qmux_new_fd (SimModem *modem, gint fd, const gchar *label)
{
    SimQmux *qmux = g_new0 (SimQmux, 1);

    qmux->modem = modem;
    qmux->is_fd = TRUE;
    qmux->name = g_strdup (label);
    qmux->pty_slave_fd = -1;
    conn_new (qmux, fd, label);
    qmux->watch_id = sim_modem_add_watch (modem, modem_event_cb, qmux);
    return qmux;
}

void
sim_qmux_reset (SimQmux *qmux)
{
    sim_modem_log (qmux->modem, "%s reset: every client is gone", qmux->name);
    free_all_bindings (qmux);
    for (GList *l = qmux->conns; l; l = l->next)
        g_byte_array_set_size (((SimQmuxConn *) l->data)->buffer, 0);
}

void
sim_qmux_free (SimQmux *qmux)
{
    if (!qmux)
        return;
    if (qmux->watch_id)
        sim_modem_remove_watch (qmux->modem, qmux->watch_id);
    g_clear_handle_id (&qmux->hangup_id, g_source_remove);
    while (qmux->conns) {
        SimQmuxConn *conn = qmux->conns->data;

        qmux->conns = g_list_delete_link (qmux->conns, qmux->conns);
        conn_free (conn);
    }
    free_all_bindings (qmux);
    if (qmux->service) {
        g_socket_service_stop (qmux->service);
        g_socket_listener_close (G_SOCKET_LISTENER (qmux->service));
        g_object_unref (qmux->service);
    }
    if (!qmux->is_proxy && !qmux->is_fd && qmux->name)
        unlink (qmux->name);
    if (qmux->pty_slave_fd >= 0)
        close (qmux->pty_slave_fd);
    g_free (qmux->name);
    g_free (qmux);
}
