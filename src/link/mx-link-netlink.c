/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-netlink"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <glib-unix.h>
#include "mx-link-netlink.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Notifications burst when a lower with 254 links goes away; a large buffer
 * keeps them; on overflow we ask listeners to resynchronise ("overrun"). */
#define NOTIFY_RCVBUF (4 * 1024 * 1024)
#define RECV_BUF_SIZE 32768

/* ---- errors: errno and extended ack ride along in the GError ---- */

typedef struct {
  int    errnum;
  gchar *ext_ack;
} MxNetlinkErrorPrivate;

static void
mx_netlink_error_private_init (MxNetlinkErrorPrivate *priv)
{
  priv->errnum = 0;
  priv->ext_ack = NULL;
}

static void
mx_netlink_error_private_copy (const MxNetlinkErrorPrivate *src, MxNetlinkErrorPrivate *dest)
{
  dest->errnum = src->errnum;
  dest->ext_ack = g_strdup (src->ext_ack);
}

static void
mx_netlink_error_private_clear (MxNetlinkErrorPrivate *priv)
{
  g_clear_pointer (&priv->ext_ack, g_free);
}

G_DEFINE_EXTENDED_ERROR (MxNetlinkError, mx_netlink_error)

int
mx_netlink_error_get_errno (const GError *error)
{
  if (!error || error->domain != MX_NETLINK_ERROR)
    return 0;
  return mx_netlink_error_get_private (error)->errnum;
}

const char *
mx_netlink_error_get_ext_ack (const GError *error)
{
  if (!error || error->domain != MX_NETLINK_ERROR)
    return NULL;
  return mx_netlink_error_get_private (error)->ext_ack;
}

/* @errnum positive or negative; @ext_ack may be NULL. */
static GError *
netlink_error_new (MxNetlinkError code, int errnum, const char *ext_ack, const char *message)
{
  GError *error = g_error_new_literal (MX_NETLINK_ERROR, code, message);
  MxNetlinkErrorPrivate *priv = mx_netlink_error_get_private (error);

  priv->errnum = errnum < 0 ? -errnum : errnum;
  priv->ext_ack = g_strdup (ext_ack);
  return error;
}

/* ---- the transport ---- */

typedef struct {
  MxNetlink    *self;      /* not a ref: a pending request is dropped before the object (tasks ref it) */
  guint32       seq;
  GTask        *task;
  GPtrArray    *replies;   /* GBytes */
  GCancellable *cancellable;
  gulong        cancel_id;
  GSource      *cancel_idle;
  GSource      *timeout;
  guint         timeout_ms;
} Pending;

struct _MxNetlink {
  GObject            parent;
  struct mnl_socket *req;
  struct mnl_socket *notify;
  guint32            seq;
  GSource           *req_source;
  GSource           *notify_source;
  GHashTable        *pending; /* seq -> Pending */
};

enum { SIGNAL_NOTIFICATION, SIGNAL_OVERRUN, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxNetlink, mx_netlink, G_TYPE_OBJECT)

static void
drop_source (GSource **source)
{
  if (*source) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static void
pending_free (Pending *p)
{
  if (p->cancel_id)
    g_cancellable_disconnect (p->cancellable, p->cancel_id);
  drop_source (&p->cancel_idle);
  drop_source (&p->timeout);
  g_clear_object (&p->cancellable);
  g_clear_object (&p->task);
  g_clear_pointer (&p->replies, g_ptr_array_unref);
  g_free (p);
}

/* Completes the task and forgets the request: an answer that arrives later
 * carries an unknown sequence number and is dropped. */
static void
pending_complete (MxNetlink *self, Pending *p, GError *error)
{
  GTask *task = g_steal_pointer (&p->task);
  GPtrArray *replies = g_steal_pointer (&p->replies);

  g_hash_table_remove (self->pending, GUINT_TO_POINTER (p->seq)); /* frees p */
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_ptr_array_ref (replies), (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
  g_ptr_array_unref (replies);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  Pending *p = data;
  GError *error = NULL;

  g_clear_pointer (&p->cancel_idle, g_source_unref); /* destroyed by returning REMOVE */
  g_cancellable_set_error_if_cancelled (p->cancellable, &error);
  pending_complete (p->self, p, error);
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable, gpointer data)
{
  Pending *p = data;

  /* May run inside g_cancellable_cancel(); finish from an idle so we can disconnect. */
  if (!p->cancel_idle) {
    p->cancel_idle = g_idle_source_new ();
    g_source_set_callback (p->cancel_idle, cancel_idle_cb, p, NULL);
    g_source_attach (p->cancel_idle, g_task_get_context (p->task));
  }
}

static int
collect_err_attr (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;

  if (mnl_attr_get_type (attr) == NLMSGERR_ATTR_MSG)
    tb[0] = attr;
  return MNL_CB_OK;
}

/* The kernel's extended ack text (NLMSGERR_ATTR_MSG) in the TLVs that start
 * @offset bytes into the payload of @nlh, or NULL. */
static gchar *
ext_ack_text (const struct nlmsghdr *nlh, guint offset)
{
  const struct nlattr *tb[1] = { NULL };

  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || NLMSG_LENGTH (offset) > nlh->nlmsg_len)
    return NULL;
  mnl_attr_parse (nlh, offset, collect_err_attr, tb);
  return tb[0] ? g_strndup (mnl_attr_get_payload (tb[0]), mnl_attr_get_payload_len (tb[0])) : NULL;
}

static GError *
kernel_error (int errnum, const char *ext)
{
  g_autofree gchar *message = ext ? g_strdup_printf ("%s (kernel: %s)", g_strerror (ABS (errnum)), ext)
                                  : g_strdup (g_strerror (ABS (errnum)));

  return netlink_error_new (MX_NETLINK_ERROR_KERNEL, errnum, ext, message);
}

/* NLMSG_ERROR: an ack (error 0) or the request's error. Returns NULL for an ack. */
static GError *
error_from_nlmsgerr (const struct nlmsghdr *nlh)
{
  const struct nlmsgerr *err = mnl_nlmsg_get_payload (nlh);
  g_autofree gchar *ext = NULL;
  guint offset = sizeof (*err);

  if (nlh->nlmsg_len < NLMSG_LENGTH (sizeof (*err)))
    return netlink_error_new (MX_NETLINK_ERROR_FAILED, EPROTO, NULL, "truncated netlink error message");
  if (err->error == 0)
    return NULL;
  /* Without NETLINK_CAP_ACK the request itself is echoed before the TLVs. */
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
    offset += err->msg.nlmsg_len - NLMSG_HDRLEN;
  ext = ext_ack_text (nlh, offset);
  return kernel_error (err->error, ext);
}

/* NLMSG_DONE: a dump can end with an error code (and TLVs) too. */
static GError *
error_from_done (const struct nlmsghdr *nlh)
{
  g_autofree gchar *ext = NULL;
  int errnum;

  if (mnl_nlmsg_get_payload_len (nlh) < sizeof (int))
    return NULL;
  memcpy (&errnum, mnl_nlmsg_get_payload (nlh), sizeof (errnum));
  if (errnum >= 0)
    return NULL;
  ext = ext_ack_text (nlh, sizeof (int));
  return kernel_error (errnum, ext);
}

static void
handle_reply (MxNetlink *self, const struct nlmsghdr *nlh)
{
  Pending *p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (nlh->nlmsg_seq));

  if (!p) {
    g_debug ("dropping netlink reply with unknown seq %u", nlh->nlmsg_seq);
    return;
  }
  switch (nlh->nlmsg_type) {
  case NLMSG_NOOP:
    break;
  case NLMSG_ERROR:
    pending_complete (self, p, error_from_nlmsgerr (nlh));
    break;
  case NLMSG_DONE:
    pending_complete (self, p, error_from_done (nlh));
    break;
  default:
    g_ptr_array_add (p->replies, g_bytes_new (nlh, nlh->nlmsg_len));
    break;
  }
}

static void
drain (MxNetlink *self, struct mnl_socket *sock, gboolean notify)
{
  g_autofree guint8 *buf = g_malloc (RECV_BUF_SIZE);

  g_object_ref (self); /* handlers may drop the last external ref */
  for (;;) {
    ssize_t n = mnl_socket_recvfrom (sock, buf, RECV_BUF_SIZE);
    const struct nlmsghdr *nlh;
    int len;

    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == ENOBUFS && notify) {
        g_message ("netlink notifications overran the socket buffer; resynchronising");
        g_signal_emit (self, signals[SIGNAL_OVERRUN], 0);
        continue;
      }
      /* ENOBUFS on the request socket lost answers: their requests time out. */
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        g_warning ("netlink receive failed: %s", g_strerror (errno));
      break;
    }
    len = (int) n;
    for (nlh = (const struct nlmsghdr *) buf; mx_netlink_msg_ok (nlh, len);
         nlh = mnl_nlmsg_next (nlh, &len)) {
      if (notify)
        g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, nlh);
      else
        handle_reply (self, nlh);
    }
  }
  g_object_unref (self);
}

static gboolean
req_ready (gint fd, GIOCondition cond, gpointer data)
{
  drain (data, MX_NETLINK (data)->req, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
notify_ready (gint fd, GIOCondition cond, gpointer data)
{
  drain (data, MX_NETLINK (data)->notify, TRUE);
  return G_SOURCE_CONTINUE;
}

static gboolean
timeout_cb (gpointer data)
{
  Pending *p = data;
  MxNetlink *self = p->self;
  guint32 seq = p->seq;
  g_autofree gchar *message = NULL;

  g_clear_pointer (&p->timeout, g_source_unref); /* destroyed by returning REMOVE */
  /* An answer may be waiting behind a busy main loop: it wins over the timeout. */
  drain (self, self->req, FALSE);
  p = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (seq));
  if (p) {
    message = g_strdup_printf ("the kernel did not answer within %u ms", p->timeout_ms);
    pending_complete (self, p, netlink_error_new (MX_NETLINK_ERROR_TIMEOUT, 0, NULL, message));
  }
  return G_SOURCE_REMOVE;
}

void
mx_netlink_request_async (MxNetlink *self, const struct nlmsghdr *nlh, guint timeout_ms,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autofree guint8 *copy = NULL;
  struct nlmsghdr *msg;
  Pending *p;
  GTask *task;

  g_return_if_fail (MX_IS_NETLINK (self));
  g_return_if_fail (nlh && nlh->nlmsg_len >= NLMSG_HDRLEN);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mx_netlink_request_async);
  if (g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    return;
  }

  copy = g_memdup2 (nlh, nlh->nlmsg_len);
  msg = (struct nlmsghdr *) copy;
  msg->nlmsg_seq = ++self->seq;
  msg->nlmsg_pid = 0;
  msg->nlmsg_flags |= NLM_F_REQUEST;
  if ((msg->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
    msg->nlmsg_flags |= NLM_F_ACK;

  p = g_new0 (Pending, 1);
  p->self = self;
  p->seq = msg->nlmsg_seq;
  p->task = task;
  p->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  p->timeout_ms = timeout_ms ? timeout_ms : MX_NETLINK_DEFAULT_TIMEOUT_MS;
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (p->seq), p);

  if (mnl_socket_sendto (self->req, msg, msg->nlmsg_len) < 0) {
    int err = errno;
    g_autofree gchar *message = g_strdup_printf ("sending the netlink request failed: %s",
                                                 g_strerror (err));
    pending_complete (self, p, netlink_error_new (MX_NETLINK_ERROR_SEND, err, NULL, message));
    return;
  }
  p->timeout = g_timeout_source_new (p->timeout_ms);
  g_source_set_callback (p->timeout, timeout_cb, p, NULL);
  g_source_set_static_name (p->timeout, "mx-netlink-timeout");
  g_source_attach (p->timeout, g_task_get_context (task));
  if (cancellable) {
    p->cancellable = g_object_ref (cancellable);
    p->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), p, NULL);
  }
}

GPtrArray *
mx_netlink_request_finish (MxNetlink *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
mx_netlink_subscribe (MxNetlink *self, guint group, GError **error)
{
  int g = (int) group;

  g_return_val_if_fail (MX_IS_NETLINK (self), FALSE);
  if (mnl_socket_setsockopt (self->notify, NETLINK_ADD_MEMBERSHIP, &g, sizeof (g)) < 0) {
    int err = errno;
    g_autofree gchar *message = g_strdup_printf ("cannot join netlink group %u: %s", group,
                                                 g_strerror (err));
    g_propagate_error (error, netlink_error_new (MX_NETLINK_ERROR_FAILED, err, NULL, message));
    return FALSE;
  }
  return TRUE;
}

static struct mnl_socket *
open_socket (GError **error)
{
  struct mnl_socket *sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (!sock || mnl_socket_bind (sock, 0, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    g_autofree gchar *message = g_strdup_printf ("cannot open rtnetlink socket: %s", g_strerror (err));
    if (sock)
      mnl_socket_close (sock);
    g_propagate_error (error, netlink_error_new (MX_NETLINK_ERROR_FAILED, err, NULL, message));
    return NULL;
  }
  return sock;
}

static GSource *
watch (struct mnl_socket *sock, GUnixFDSourceFunc func, gpointer self)
{
  GSource *src = g_unix_fd_source_new (mnl_socket_get_fd (sock), G_IO_IN);

  g_source_set_callback (src, (GSourceFunc) (void (*) (void)) func, self, NULL);
  g_source_set_static_name (src, "mx-netlink");
  g_source_attach (src, g_main_context_get_thread_default ());
  return src;
}

MxNetlink *
mx_netlink_new (GError **error)
{
  g_autoptr(MxNetlink) self = g_object_new (MX_TYPE_NETLINK, NULL);
  int one = 1, rcvbuf = NOTIFY_RCVBUF;

  self->req = open_socket (error);
  if (!self->req)
    return NULL;
  self->notify = open_socket (error);
  if (!self->notify)
    return NULL;
  /* Extended acks carry the kernel's own reason ("MUX ID already exists");
   * capped acks do not echo the request back. */
  mnl_socket_setsockopt (self->req, NETLINK_EXT_ACK, &one, sizeof (one));
  mnl_socket_setsockopt (self->req, NETLINK_CAP_ACK, &one, sizeof (one));
  if (setsockopt (mnl_socket_get_fd (self->notify), SOL_SOCKET, SO_RCVBUFFORCE,
                  &rcvbuf, sizeof (rcvbuf)) < 0)
    setsockopt (mnl_socket_get_fd (self->notify), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof (rcvbuf));
  self->seq = (guint32) g_get_monotonic_time ();
  self->req_source = watch (self->req, req_ready, self);
  self->notify_source = watch (self->notify, notify_ready, self);
  return g_steal_pointer (&self);
}

static void
mx_netlink_init (MxNetlink *self)
{
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) pending_free);
}

static void
mx_netlink_finalize (GObject *object)
{
  MxNetlink *self = MX_NETLINK (object);

  drop_source (&self->req_source);
  drop_source (&self->notify_source);
  g_hash_table_unref (self->pending); /* empty: every pending task holds a ref */
  if (self->req)
    mnl_socket_close (self->req);
  if (self->notify)
    mnl_socket_close (self->notify);
  G_OBJECT_CLASS (mx_netlink_parent_class)->finalize (object);
}

static void
mx_netlink_class_init (MxNetlinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mx_netlink_finalize;

  signals[SIGNAL_NOTIFICATION] =
    g_signal_new ("notification", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_OVERRUN] =
    g_signal_new ("overrun", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

gboolean
mx_netlink_msg_ok (const struct nlmsghdr *nlh, int len)
{
  /* Aligned: libmnl walks attributes up to MNL_ALIGN (nlmsg_len), so an
   * unaligned length must still fit once padded (the kernel pads every
   * message it sends). The plain bound first: aligning a length near
   * 2^32 wraps to 0. */
  return len >= (int) sizeof (*nlh) && nlh->nlmsg_len >= sizeof (*nlh) &&
         nlh->nlmsg_len <= (guint) len && MNL_ALIGN (nlh->nlmsg_len) <= (guint) len;
}
