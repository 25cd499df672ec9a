/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "sim-mbim"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <glib-unix.h>

#include "sim-mbim-port.h"
#include "sim-stream.h"

#define MBIM_HEADER_SIZE 12
/* libmbim refuses anything larger than its max control transfer anyway. */
#define MBIM_MAX_MESSAGE (64 * 1024)

struct _SimMbimConn {
  SimMbimPort *port;
  gint         fd;
  guint        source_id;
  gchar       *name;
  GByteArray  *rx;
  gboolean     opened;
  gboolean     dead;
};

struct _SimMbimPort {
  gboolean              is_pty;
  gchar                *name;        /* socket name or pty symlink */
  const SimMbimPortOps *ops;
  gpointer              user_data;
  gint                  listen_fd;   /* proxy */
  guint                 listen_id;
  gint                  slave_fd;    /* pty: kept open so the master never sees EIO */
  GList                *conns;
  guint                 n_accepted;
  guint                 reap_id;
};

static void
conn_free (SimMbimConn *conn)
{
  if (conn->source_id)
    g_source_remove (conn->source_id);
  if (conn->fd >= 0)
    close (conn->fd);
  g_byte_array_unref (conn->rx);
  g_free (conn->name);
  g_free (conn);
}

static gboolean
reap_idle (gpointer user_data)
{
  SimMbimPort *port = user_data;
  GList *l = port->conns;

  port->reap_id = 0;
  while (l) {
    GList *next = l->next;
    SimMbimConn *conn = l->data;

    if (conn->dead) {
      port->conns = g_list_delete_link (port->conns, l);
      if (port->ops->closed)
        port->ops->closed (conn, port->user_data);
      conn_free (conn);
    }
    l = next;
  }
  return G_SOURCE_REMOVE;
}

/* Connections die from inside callbacks; free them from an idle. */
static void
conn_kill (SimMbimConn *conn)
{
  if (conn->dead)
    return;
  conn->dead = TRUE;
  if (conn->source_id) {
    g_source_remove (conn->source_id);
    conn->source_id = 0;
  }
  if (!conn->port->reap_id)
    conn->port->reap_id = g_idle_add (reap_idle, conn->port);
}

static void
process_rx (SimMbimConn *conn)
{
  while (!conn->dead && conn->rx->len >= MBIM_HEADER_SIZE) {
    const guint8 *d = conn->rx->data;
    guint32 len = d[4] | (d[5] << 8) | (d[6] << 16) | ((guint32) d[7] << 24);
    g_autoptr(MbimMessage) message = NULL;

    if (len < MBIM_HEADER_SIZE || len > MBIM_MAX_MESSAGE) {
      g_message ("%s: invalid MBIM length %u, dropping connection", conn->name, len);
      conn_kill (conn);
      return;
    }
    if (conn->rx->len < len)
      return;
    message = mbim_message_new (d, len);
    g_byte_array_remove_range (conn->rx, 0, len);
    conn->port->ops->message (conn, message, conn->port->user_data);
  }
}

static gboolean
conn_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  SimMbimConn *conn = user_data;
  guint8 buf[4096];
  ssize_t n;

  n = read (fd, buf, sizeof (buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    /* EOF on the socket; EIO on a pty master cannot happen while we hold
     * the slave, but treat it as a hang-up too. */
    conn->source_id = 0;
    conn_kill (conn);
    return G_SOURCE_REMOVE;
  }
  g_byte_array_append (conn->rx, buf, (guint) n);
  process_rx (conn);
  return G_SOURCE_CONTINUE;
}

static SimMbimConn *
conn_new (SimMbimPort *port, gint fd, const gchar *name)
{
  SimMbimConn *conn = g_new0 (SimMbimConn, 1);

  conn->port = port;
  conn->fd = fd;
  conn->name = g_strdup (name);
  conn->rx = g_byte_array_new ();
  conn->source_id = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_readable, conn);
  port->conns = g_list_append (port->conns, conn);
  return conn;
}

void
sim_mbim_conn_send (SimMbimConn *conn, const MbimMessage *message)
{
  const guint8 *data;
  guint32 len = 0;

  if (conn->dead)
    return;
  data = mbim_message_get_raw (message, &len, NULL);
  if (data && !sim_fd_write_all (conn->fd, data, len)) {
    g_message ("%s: write failed, dropping connection", conn->name);
    conn_kill (conn);
  }
}

const gchar *
sim_mbim_conn_get_name (SimMbimConn *conn)
{
  return conn->name;
}

gboolean
sim_mbim_conn_get_opened (SimMbimConn *conn)
{
  return conn->opened;
}

void
sim_mbim_conn_set_opened (SimMbimConn *conn, gboolean opened)
{
  conn->opened = opened;
}

static gboolean
proxy_accept (gint fd, GIOCondition condition, gpointer user_data)
{
  SimMbimPort *port = user_data;
  g_autofree gchar *name = NULL;
  gint cfd;

  cfd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (cfd < 0)
    return G_SOURCE_CONTINUE;
  name = g_strdup_printf ("mbim-proxy#%u", ++port->n_accepted);
  conn_new (port, cfd, name);
  return G_SOURCE_CONTINUE;
}

SimMbimPort *
sim_mbim_port_new_proxy (const gchar          *name,
                         const SimMbimPortOps *ops,
                         gpointer              user_data,
                         GError              **error)
{
  struct sockaddr_un addr;
  SimMbimPort *port;
  gsize name_len;
  gint fd;

  if (!name)
    name = "mbim-proxy";
  name_len = strlen (name);
  if (name_len == 0 || name_len >= sizeof (addr.sun_path) - 1) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid proxy name '%s'", name);
    return NULL;
  }
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socket: %s", g_strerror (errno));
    return NULL;
  }
  memset (&addr, 0, sizeof (addr));
  addr.sun_family = AF_UNIX;
  /* Abstract name, as libmbim's MBIM_PROXY_SOCKET_PATH (no trailing NUL). */
  memcpy (addr.sun_path + 1, name, name_len);
  if (bind (fd, (struct sockaddr *) &addr, offsetof (struct sockaddr_un, sun_path) + 1 + name_len) < 0 ||
      listen (fd, 16) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot listen on abstract socket @%s: %s", name, g_strerror (errno));
    close (fd);
    return NULL;
  }

  port = g_new0 (SimMbimPort, 1);
  port->name = g_strdup (name);
  port->ops = ops;
  port->user_data = user_data;
  port->listen_fd = fd;
  port->slave_fd = -1;
  port->listen_id = g_unix_fd_add (fd, G_IO_IN, proxy_accept, port);
  return port;
}

SimMbimPort *
sim_mbim_port_new_pty (const gchar          *path,
                       const SimMbimPortOps *ops,
                       gpointer              user_data,
                       GError              **error)
{
  SimMbimPort *port;
  gint master, slave = -1;

  master = sim_pty_open (path, &slave, error);
  if (master < 0)
    return NULL;

  port = g_new0 (SimMbimPort, 1);
  port->is_pty = TRUE;
  port->name = g_strdup (path);
  port->ops = ops;
  port->user_data = user_data;
  port->listen_fd = -1;
  port->slave_fd = slave;
  conn_new (port, master, path);
  return port;
}

void
sim_mbim_port_hangup (SimMbimPort *port)
{
  GList *l;

  /* A pty cannot be "re-dialled": its single connection stays. */
  if (port->is_pty)
    return;
  for (l = port->conns; l; l = l->next)
    conn_kill (l->data);
}

void
sim_mbim_port_free (SimMbimPort *port)
{
  if (!port)
    return;
  if (port->reap_id)
    g_source_remove (port->reap_id);
  while (port->conns) {
    SimMbimConn *conn = port->conns->data;

    port->conns = g_list_delete_link (port->conns, port->conns);
    if (port->ops->closed)
      port->ops->closed (conn, port->user_data);
    conn_free (conn);
  }
  if (port->listen_id)
    g_source_remove (port->listen_id);
  if (port->listen_fd >= 0)
    close (port->listen_fd);
  if (port->slave_fd >= 0)
    close (port->slave_fd);
  if (port->is_pty)
    unlink (port->name);
  g_free (port->name);
  g_free (port);
}

const gchar *
sim_mbim_port_get_name (SimMbimPort *port)
{
  return port->name;
}

GList *
sim_mbim_port_get_conns (SimMbimPort *port)
{
  return port->conns;
}
