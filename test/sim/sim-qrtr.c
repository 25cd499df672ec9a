/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --qrtr-tun NODE: the simulator as a remote QRTR node through the
 * kernel's /dev/qrtr-tun (docs/simulator.md, "QRTR"; VM tier only).
 *
 * Every emulated QMI service except CTL gets its own QRTR port and is
 * announced with NEW_SERVER (instance field = version | (instance << 8), as
 * modem firmware does). DATA payloads are QMI messages without QMUX
 * header; one remote (node, port) talking to one service is one SimClient,
 * since libqmi's QRTR endpoint answers CTL itself and opens one socket per
 * client. Flow control: the kernel sets confirm_rx on every 5th packet it
 * sends to one of our ports and blocks the sender at 10 until we answer
 * RESUME_TX, so we always do.
 */
#define G_LOG_DOMAIN "sim-qrtr"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/qrtr.h>

#include <glib-unix.h>

#include "sim-qrtr.h"

#define QRTR_TUN_PATH   "/dev/qrtr-tun"
#define QRTR_HDR_V1_LEN 32
#define QRTR_CTRL_LEN   20
#define LOCAL_NODE      1
/* Service ports: what firmware typically uses for its QMI servers. */
#define FIRST_SERVICE_PORT 0x4000
#define MAX_PACKET      65536

typedef struct _SimQrtrNode SimQrtrNode;

typedef struct {
  SimQrtrNode *node;
  guint32      remote_node;
  guint32      remote_port;
  guint32      local_port;
  guint8       service;
  SimClient   *client;
} SimQrtrClient;

typedef struct {
  guint8  service;
  guint16 major;
  guint32 port;
} SimQrtrService;

struct _SimQrtrNode {
  SimModem   *modem;
  guint32     node_id;
  gchar      *path;
  gint        fd;
  guint       source_id;
  guint       hangup_id;
  gboolean    announced;
  GArray     *services;  /* SimQrtrService */
  GHashTable *clients;   /* key string "node:port:service" -> SimQrtrClient */
  guint8     *buf;
  guint64     rx_data, tx_data, resume_tx;
};

static void
put_le32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

static guint32
get_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static gboolean
node_write (SimQrtrNode *node, guint32 type, guint32 src_port,
            guint32 dst_node, guint32 dst_port,
            const guint8 *payload, gsize size)
{
  gsize padded = (size + 3) & ~(gsize) 3;
  g_autofree guint8 *pkt = g_malloc0 (QRTR_HDR_V1_LEN + padded);
  ssize_t n;

  if (node->fd < 0)
    return FALSE;
  put_le32 (pkt, 1);
  put_le32 (pkt + 4, type);
  put_le32 (pkt + 8, node->node_id);
  put_le32 (pkt + 12, src_port);
  put_le32 (pkt + 16, 0);           /* confirm_rx: we never need RESUME_TX */
  put_le32 (pkt + 20, (guint32) size);
  put_le32 (pkt + 24, dst_node);
  put_le32 (pkt + 28, dst_port);
  memcpy (pkt + QRTR_HDR_V1_LEN, payload, size);
  n = write (node->fd, pkt, QRTR_HDR_V1_LEN + padded);
  if (n < 0) {
    sim_modem_log (node->modem, "qrtr node %u: write of type %u failed: %s",
                   node->node_id, type, g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

static void
send_ctrl (SimQrtrNode *node, guint32 cmd, guint32 a, guint32 b, guint32 c, guint32 d)
{
  guint8 payload[QRTR_CTRL_LEN];

  put_le32 (payload, cmd);
  put_le32 (payload + 4, a);
  put_le32 (payload + 8, b);
  put_le32 (payload + 12, c);
  put_le32 (payload + 16, d);
  node_write (node, cmd, QRTR_PORT_CTRL, QRTR_NODE_BCAST, QRTR_PORT_CTRL, payload, sizeof (payload));
}

static void
announce_services (SimQrtrNode *node, guint32 cmd)
{
  guint i;

  for (i = 0; i < node->services->len; i++) {
    SimQrtrService *s = &g_array_index (node->services, SimQrtrService, i);
    /* Instance 0 of each service; low byte carries the major version. */
    guint32 instance = (s->major & 0xff) | (0 << 8);

    send_ctrl (node, cmd, s->service, instance, node->node_id, s->port);
  }
  sim_modem_log (node->modem, "qrtr node %u: %s %u services", node->node_id,
                 cmd == QRTR_TYPE_NEW_SERVER ? "announced" : "withdrew", node->services->len);
}

static const SimQrtrService *
service_by_port (SimQrtrNode *node, guint32 port)
{
  guint i;

  for (i = 0; i < node->services->len; i++) {
    const SimQrtrService *s = &g_array_index (node->services, SimQrtrService, i);
    if (s->port == port)
      return s;
  }
  return NULL;
}

static void
client_send (SimClient *client, QmiMessage *message, gpointer user_data)
{
  SimQrtrClient *qc = user_data;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len = 0;

  data = qmi_message_get_data (message, &len, &error);
  if (!data) {
    sim_modem_log (qc->node->modem, "qrtr node %u: cannot serialize: %s",
                   qc->node->node_id, error->message);
    return;
  }
  if (node_write (qc->node, QRTR_TYPE_DATA, qc->local_port, qc->remote_node, qc->remote_port, data, len))
    qc->node->tx_data++;
}

static void node_close (SimQrtrNode *node);

static gboolean
hangup_idle (gpointer user_data)
{
  SimQrtrNode *node = user_data;

  node->hangup_id = 0;
  sim_modem_log (node->modem, "qrtr node %u: hang-up (endpoint closed)", node->node_id);
  node_close (node);
  return G_SOURCE_REMOVE;
}

static void
client_hangup (SimClient *client, gpointer user_data)
{
  SimQrtrClient *qc = user_data;

  /* QRTR has no connection: a modem that hangs up vanishes as a node. */
  if (!qc->node->hangup_id)
    qc->node->hangup_id = g_idle_add (hangup_idle, qc->node);
}

static const SimClientOps client_ops = { client_send, client_hangup };

static void
qrtr_client_free (gpointer data)
{
  SimQrtrClient *qc = data;

  sim_client_free (qc->client);
  g_free (qc);
}

static SimQrtrClient *
get_client (SimQrtrNode *node, guint32 remote_node, guint32 remote_port, const SimQrtrService *s)
{
  g_autofree gchar *key = g_strdup_printf ("%u:%u:%u", remote_node, remote_port, s->service);
  SimQrtrClient *qc = g_hash_table_lookup (node->clients, key);
  g_autofree gchar *transport = NULL;

  if (qc)
    return qc;
  qc = g_new0 (SimQrtrClient, 1);
  qc->node = node;
  qc->remote_node = remote_node;
  qc->remote_port = remote_port;
  qc->local_port = s->port;
  qc->service = s->service;
  transport = g_strdup_printf ("qrtr:%u:%x", remote_node, remote_port);
  /* Any client id will do on QRTR; the low byte of the port reads well. */
  qc->client = sim_client_new (node->modem, s->service, (guint8) (remote_port & 0xff),
                               transport, &client_ops, qc);
  g_hash_table_insert (node->clients, g_steal_pointer (&key), qc);
  return qc;
}

static void
drop_clients_of (SimQrtrNode *node, guint32 remote_node, guint32 remote_port)
{
  GHashTableIter iter;
  SimQrtrClient *qc;

  g_hash_table_iter_init (&iter, node->clients);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &qc)) {
    if (qc->remote_node == remote_node && (remote_port == QRTR_PORT_CTRL || qc->remote_port == remote_port))
      g_hash_table_iter_remove (&iter);
  }
}

static void
handle_data (SimQrtrNode *node, guint32 src_node, guint32 src_port, guint32 dst_port,
             gboolean confirm_rx, const guint8 *payload, gsize size)
{
  const SimQrtrService *s = service_by_port (node, dst_port);
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(QmiMessage) request = NULL;
  g_autoptr(GError) error = NULL;
  SimQrtrClient *qc;

  /* Acknowledge first: the sender may be blocked until we do. */
  if (confirm_rx) {
    guint8 pkt[QRTR_CTRL_LEN] = { 0 };

    put_le32 (pkt, QRTR_TYPE_RESUME_TX);
    put_le32 (pkt + 4, node->node_id);
    put_le32 (pkt + 8, dst_port);
    if (node_write (node, QRTR_TYPE_RESUME_TX, dst_port, src_node, src_port, pkt, sizeof (pkt)))
      node->resume_tx++;
  }

  node->rx_data++;
  if (!s) {
    sim_modem_log (node->modem, "qrtr node %u: DATA for unknown port 0x%x ignored", node->node_id, dst_port);
    return;
  }
  data = g_byte_array_sized_new (size);
  g_byte_array_append (data, payload, size);
  qc = get_client (node, src_node, src_port, s);
  request = qmi_message_new_from_data ((QmiService) s->service, sim_client_get_cid (qc->client), data, &error);
  if (!request) {
    sim_modem_log (node->modem, "qrtr node %u: malformed QMI from %u:%x: %s", node->node_id,
                   src_node, src_port, error ? error->message : "incomplete message");
    return;
  }
  sim_client_handle_request (qc->client, request);
}

static void
handle_packet (SimQrtrNode *node, const guint8 *pkt, gsize len)
{
  guint32 type, src_node, src_port, confirm_rx, size, dst_port;
  const guint8 *payload;

  /* The kernel always writes v1 headers. */
  if (len < QRTR_HDR_V1_LEN || get_le32 (pkt) != 1) {
    sim_modem_log (node->modem, "qrtr node %u: unexpected %" G_GSIZE_FORMAT "-byte packet", node->node_id, len);
    return;
  }
  type = get_le32 (pkt + 4);
  src_node = get_le32 (pkt + 8);
  src_port = get_le32 (pkt + 12);
  confirm_rx = get_le32 (pkt + 16);
  size = get_le32 (pkt + 20);
  dst_port = get_le32 (pkt + 28);
  payload = pkt + QRTR_HDR_V1_LEN;
  if (size > len - QRTR_HDR_V1_LEN)
    return;

  switch (type) {
  case QRTR_TYPE_DATA:
    handle_data (node, src_node, src_port, dst_port, confirm_rx != 0, payload, size);
    break;
  case QRTR_TYPE_HELLO:
    /* The kernel's answer to our HELLO: now it knows us, announce. */
    if (!node->announced) {
      node->announced = TRUE;
      announce_services (node, QRTR_TYPE_NEW_SERVER);
    }
    break;
  case QRTR_TYPE_DEL_CLIENT:
    if (size >= 12)
      drop_clients_of (node, get_le32 (payload + 4), get_le32 (payload + 8));
    break;
  case QRTR_TYPE_BYE:
    drop_clients_of (node, src_node, QRTR_PORT_CTRL);
    break;
  default:
    /* NEW_SERVER of the local node's services, lookups etc.: not ours. */
    break;
  }
}

static gboolean
node_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  SimQrtrNode *node = user_data;
  guint i;

  for (i = 0; i < 64; i++) {
    ssize_t n = read (fd, node->buf, MAX_PACKET);

    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR)
        return G_SOURCE_CONTINUE;
      sim_modem_log (node->modem, "qrtr node %u: read failed: %s", node->node_id, g_strerror (errno));
      node->source_id = 0;
      return G_SOURCE_REMOVE;
    }
    handle_packet (node, node->buf, (gsize) n);
    if (node->fd < 0)
      break;
  }
  return G_SOURCE_CONTINUE;
}

static void
node_close (SimQrtrNode *node)
{
  if (node->fd < 0)
    return;
  g_hash_table_remove_all (node->clients);
  if (node->source_id)
    g_source_remove (node->source_id);
  node->source_id = 0;
  close (node->fd);
  node->fd = -1;
}

SimQrtrNode *
sim_qrtr_node_new (SimModem    *modem,
                   guint32      node_id,
                   const gchar *path,
                   GError     **error)
{
  SimQrtrNode *node;
  const SimServiceVersion *v;
  guint32 port = FIRST_SERVICE_PORT;
  gint fd;

  if (node_id == LOCAL_NODE || node_id == 0 || node_id >= QRTR_NODE_BCAST - 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "QRTR node id %u is reserved (0, 1 = local node, broadcast)", node_id);
    return NULL;
  }
  if (!path)
    path = QRTR_TUN_PATH;
  fd = open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot open %s: %s", path, g_strerror (errno));
    return NULL;
  }

  node = g_new0 (SimQrtrNode, 1);
  node->modem = modem;
  node->node_id = node_id;
  node->path = g_strdup (path);
  node->fd = fd;
  node->buf = g_malloc (MAX_PACKET);
  node->services = g_array_new (FALSE, FALSE, sizeof (SimQrtrService));
  node->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, qrtr_client_free);
  for (v = sim_modem_get_services (); v->service != 0xff; v++) {
    SimQrtrService s;

    if (v->service == QMI_SERVICE_CTL)   /* CTL does not exist on QRTR */
      continue;
    s.service = v->service;
    s.major = v->major;
    s.port = port++;
    g_array_append_val (node->services, s);
  }
  node->source_id = g_unix_fd_add (fd, G_IO_IN, node_readable, node);

  /* HELLO binds our node id to this endpoint; services follow the reply. */
  send_ctrl (node, QRTR_TYPE_HELLO, 0, 0, 0, 0);
  sim_modem_log (modem, "qrtr node %u: HELLO sent on %s", node_id, path);
  return node;
}

void
sim_qrtr_node_free (SimQrtrNode *node)
{
  if (!node)
    return;
  if (node->hangup_id)
    g_source_remove (node->hangup_id);
  if (node->fd >= 0 && node->announced) {
    announce_services (node, QRTR_TYPE_DEL_SERVER);
    send_ctrl (node, QRTR_TYPE_BYE, 0, 0, 0, 0);
  }
  node_close (node);
  g_hash_table_unref (node->clients);
  g_array_unref (node->services);
  g_free (node->buf);
  g_free (node->path);
  g_free (node);
}

guint32
sim_qrtr_node_get_id (SimQrtrNode *node)
{
  return node->node_id;
}

/* ------------------------------------------------------------------------ */
/* Command-line module: --qrtr-tun NODE[,NODE...] (repeatable)              */

static gchar **opt_nodes;
static GPtrArray *nodes;

static GOptionEntry qrtr_entries[] = {
  { "qrtr-tun", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_nodes,
    "Be remote QRTR node NODE through /dev/qrtr-tun (repeatable, or a comma list)", "NODE" },
  { NULL }
};

static gboolean
qrtr_enabled (void)
{
  return opt_nodes && opt_nodes[0];
}

static gboolean
qrtr_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  guint i;

  for (i = 0; nodes && i < nodes->len; i++) {
    SimQrtrNode *node = g_ptr_array_index (nodes, i);

    g_string_append_printf (out, "node %u %s announced=%s clients=%u rx=%" G_GUINT64_FORMAT
                            " tx=%" G_GUINT64_FORMAT " resume-tx=%" G_GUINT64_FORMAT "\n",
                            node->node_id, node->fd >= 0 ? "open" : "closed",
                            node->announced ? "yes" : "no", g_hash_table_size (node->clients),
                            node->rx_data, node->tx_data, node->resume_tx);
  }
  return TRUE;
}

static gboolean
qrtr_start (SimModem *modem, GError **error)
{
  guint i, j;

  nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_qrtr_node_free);
  for (i = 0; opt_nodes && opt_nodes[i]; i++) {
    g_auto(GStrv) ids = g_strsplit (opt_nodes[i], ",", -1);

    for (j = 0; ids[j]; j++) {
      guint64 id;
      SimQrtrNode *node;

      if (!g_ascii_string_to_unsigned (g_strstrip (ids[j]), 10, 2, G_MAXUINT32 - 2, &id, NULL)) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "invalid QRTR node id '%s' (2..%u)", ids[j], G_MAXUINT32 - 2);
        return FALSE;
      }
      node = sim_qrtr_node_new (modem, (guint32) id, NULL, error);
      if (!node)
        return FALSE;
      g_ptr_array_add (nodes, node);
    }
  }
  sim_modem_add_control_command (modem, "qrtr", "qrtr: nodes and their traffic",
                                 qrtr_control, NULL);
  return TRUE;
}

static void
qrtr_stop (SimModem *modem)
{
  g_clear_pointer (&nodes, g_ptr_array_unref);
  g_clear_pointer (&opt_nodes, g_strfreev);
}

static const SimModule qrtr_module = {
  .name = "qrtr",
  .entries = qrtr_entries,
  .enabled = qrtr_enabled,
  .start = qrtr_start,
  .stop = qrtr_stop,
};
SIM_DEFINE_MODULE (qrtr_module)
