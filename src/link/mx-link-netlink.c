/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-netlink"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <glib-unix.h>
#include "mx-link-netlink.h"
#include "mx-link-error.h"
#include "mx-link-rtnl.h"

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

typedef struct {
  MxNetlink    *self;      /* not a ref: pendings never outlive the object (tasks ref it) */
  guint32       seq;
  GTask        *task;      /* NULL once cancelled: the reply is then discarded */
  GPtrArray    *links;
  gchar        *kind;
  gboolean      dump;
  GCancellable *cancellable;
  gulong        cancel_id;
  guint         cancel_idle;
} Pending;

struct _MxNetlink {
  GObject            parent;
  struct mnl_socket *req;
  struct mnl_socket *notify;
  guint32            portid;
  guint32            seq;
  GSource           *req_source;
  GSource           *notify_source;
  GHashTable        *pending; /* seq -> Pending */
};

enum { SIGNAL_LINK_EVENT, SIGNAL_OVERRUN, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxNetlink, mx_netlink, G_TYPE_OBJECT)

static void
pending_free (Pending *p)
{
  if (p->cancel_id)
    g_cancellable_disconnect (p->cancellable, p->cancel_id);
  if (p->cancel_idle)
    g_source_remove (p->cancel_idle);
  g_clear_object (&p->cancellable);
  g_clear_object (&p->task);
  g_clear_pointer (&p->links, g_ptr_array_unref);
  g_free (p->kind);
  g_free (p);
}

/* Completes the task (if still wanted) and forgets the request. */
static void
pending_complete (MxNetlink *self, Pending *p, GError *error)
{
  GTask *task = g_steal_pointer (&p->task);
  GPtrArray *links = g_steal_pointer (&p->links);

  g_hash_table_remove (self->pending, GUINT_TO_POINTER (p->seq)); /* frees p */
  if (task) {
    if (error)
      g_task_return_error (task, error);
    else
      g_task_return_pointer (task, g_ptr_array_ref (links), (GDestroyNotify) g_ptr_array_unref);
    g_object_unref (task);
  } else if (error) {
    g_error_free (error);
  }
  g_ptr_array_unref (links);
}

static gboolean
cancel_idle_cb (gpointer data)
{
  Pending *p = data;
  GTask *task = g_steal_pointer (&p->task);

  p->cancel_idle = 0;
  if (p->cancel_id) {
    g_cancellable_disconnect (p->cancellable, p->cancel_id);
    p->cancel_id = 0;
  }
  /* The entry stays until the kernel's reply arrives, so that reply is
   * recognised and dropped. */
  if (task) {
    g_task_return_error_if_cancelled (task);
    g_object_unref (task);
  }
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable, gpointer data)
{
  Pending *p = data;

  /* May run inside g_cancellable_cancel(); finish from an idle so we can disconnect. */
  if (!p->cancel_idle) {
    GSource *src = g_idle_source_new ();
    g_source_set_callback (src, cancel_idle_cb, p, NULL);
    p->cancel_idle = g_source_attach (src, g_task_get_context (p->task));
    g_source_unref (src);
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

static GError *
error_from_nlmsgerr (const struct nlmsghdr *nlh, const char *kind)
{
  const struct nlmsgerr *err = mnl_nlmsg_get_payload (nlh);
  const struct nlattr *tb[1] = { NULL };
  g_autofree gchar *ext = NULL;

  if (nlh->nlmsg_len < NLMSG_LENGTH (sizeof (*err)))
    return g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_FAILED, "truncated netlink error message");
  if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
    guint off = sizeof (*err);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
      off += err->msg.nlmsg_len - NLMSG_HDRLEN;
    if (NLMSG_LENGTH (off) <= nlh->nlmsg_len)
      mnl_attr_parse (nlh, off, collect_err_attr, tb);
    if (tb[0])
      ext = g_strndup (mnl_attr_get_payload (tb[0]), mnl_attr_get_payload_len (tb[0]));
  }
  return mx_link_error_from_errno (err->error, kind, ext);
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
  case NLMSG_ERROR: {
    const struct nlmsgerr *err = mnl_nlmsg_get_payload (nlh);
    if (nlh->nlmsg_len >= NLMSG_LENGTH (sizeof (*err)) && err->error == 0)
      pending_complete (self, p, NULL);
    else
      pending_complete (self, p, error_from_nlmsgerr (nlh, p->kind));
    break;
  }
  case NLMSG_DONE:
    pending_complete (self, p, NULL);
    break;
  case RTM_NEWLINK: {
    g_autoptr(GError) error = NULL;
    MxLink *link = mx_rtnl_link_parse (nlh, &error);
    if (link)
      g_ptr_array_add (p->links, link);
    else
      g_warning ("ignoring undecodable link in reply: %s", error->message);
    if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
      g_debug ("link dump interrupted by a change; notifications will catch up");
    /* A non-dump GETLINK answers with the message alone, no ack. */
    if (!p->dump && !(nlh->nlmsg_flags & NLM_F_MULTI))
      pending_complete (self, p, NULL);
    break;
  }
  default:
    g_debug ("ignoring netlink message type %u in reply", nlh->nlmsg_type);
    break;
  }
}

static void
handle_notification (MxNetlink *self, const struct nlmsghdr *nlh)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = NULL;

  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
    return;
  link = mx_rtnl_link_parse (nlh, &error);
  if (!link) {
    g_warning ("ignoring undecodable link notification: %s", error->message);
    return;
  }
  g_signal_emit (self, signals[SIGNAL_LINK_EVENT], 0, link, nlh->nlmsg_type == RTM_DELLINK);
}

static gboolean
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
        g_message ("link notifications overran the socket buffer; resynchronising");
        g_signal_emit (self, signals[SIGNAL_OVERRUN], 0);
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        g_warning ("netlink receive failed: %s", g_strerror (errno));
      break;
    }
    len = (int) n;
    for (nlh = (const struct nlmsghdr *) buf; mnl_nlmsg_ok (nlh, len);
         nlh = mnl_nlmsg_next (nlh, &len)) {
      if (notify)
        handle_notification (self, nlh);
      else
        handle_reply (self, nlh);
    }
  }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
req_ready (gint fd, GIOCondition cond, gpointer data)
{
  return drain (data, MX_NETLINK (data)->req, FALSE);
}

static gboolean
notify_ready (gint fd, GIOCondition cond, gpointer data)
{
  return drain (data, MX_NETLINK (data)->notify, TRUE);
}

void
mx_netlink_request_async (MxNetlink *self, const struct nlmsghdr *nlh, const char *kind,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autofree guint8 *copy = NULL;
  struct nlmsghdr *msg;
  Pending *p;
  GTask *task;

  g_return_if_fail (MX_IS_NETLINK (self));

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
  if (!(msg->nlmsg_flags & NLM_F_DUMP))
    msg->nlmsg_flags |= (msg->nlmsg_type == RTM_GETLINK) ? 0 : NLM_F_ACK;

  p = g_new0 (Pending, 1);
  p->self = self;
  p->seq = msg->nlmsg_seq;
  p->task = task;
  p->links = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_link_free);
  p->kind = g_strdup (kind);
  p->dump = (msg->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (p->seq), p);

  if (mnl_socket_sendto (self->req, msg, msg->nlmsg_len) < 0) {
    pending_complete (self, p, mx_link_error_from_errno (errno, kind, "sending the request failed"));
    return;
  }
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

static struct mnl_socket *
open_socket (guint groups, GError **error)
{
  struct mnl_socket *sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);

  if (!sock || mnl_socket_bind (sock, groups, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    if (sock)
      mnl_socket_close (sock);
    g_set_error (error, MX_LINK_ERROR,
                 err == EPERM || err == EACCES ? MX_LINK_ERROR_PERMISSION : MX_LINK_ERROR_FAILED,
                 "cannot open rtnetlink socket: %s", g_strerror (err));
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

  self->req = open_socket (0, error);
  if (!self->req)
    return NULL;
  self->notify = open_socket (RTMGRP_LINK, error);
  if (!self->notify)
    return NULL;
  /* Extended acks carry the kernel's own reason ("MUX ID already exists"). */
  mnl_socket_setsockopt (self->req, NETLINK_EXT_ACK, &one, sizeof (one));
  mnl_socket_setsockopt (self->req, NETLINK_CAP_ACK, &one, sizeof (one));
  if (setsockopt (mnl_socket_get_fd (self->notify), SOL_SOCKET, SO_RCVBUFFORCE,
                  &rcvbuf, sizeof (rcvbuf)) < 0)
    setsockopt (mnl_socket_get_fd (self->notify), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof (rcvbuf));
  self->portid = mnl_socket_get_portid (self->req);
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

  if (self->req_source) {
    g_source_destroy (self->req_source);
    g_source_unref (self->req_source);
  }
  if (self->notify_source) {
    g_source_destroy (self->notify_source);
    g_source_unref (self->notify_source);
  }
  g_hash_table_unref (self->pending); /* only cancelled leftovers can remain */
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

  signals[SIGNAL_LINK_EVENT] =
    g_signal_new ("link-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_BOOLEAN);
  /* The kernel dropped notifications: listeners must re-dump. */
  signals[SIGNAL_OVERRUN] =
    g_signal_new ("overrun", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}
