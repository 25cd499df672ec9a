/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The process's rtnetlink transport on the glib main loop: raw messages out,
 * raw messages back. It knows no message family; typed codecs sit above it
 * (mx-link-rtnl for links).
 *
 * A request socket carries requests; replies are matched to them by sequence
 * number and complete a GTask with every message the kernel sent for the
 * request once its ack or NLMSG_DONE arrives. A request the kernel never
 * answers fails after its timeout. A second socket joins the multicast
 * groups its users subscribe to and emits each message it receives as
 * "notification". Nothing here blocks: both sockets are non-blocking and
 * watched with GSources attached to the thread-default main context at
 * construction. */
#pragma once
#include <gio/gio.h>
#include <linux/netlink.h>

G_BEGIN_DECLS

#define MX_NETLINK_ERROR (mx_netlink_error_quark ())
GQuark mx_netlink_error_quark (void);

typedef enum {
  MX_NETLINK_ERROR_FAILED,  /* a socket could not be set up; a malformed answer */
  MX_NETLINK_ERROR_KERNEL,  /* the kernel answered the request with an error */
  MX_NETLINK_ERROR_SEND,    /* the request could not be sent */
  MX_NETLINK_ERROR_TIMEOUT, /* no answer within the request's timeout */
} MxNetlinkError;

/* The errno behind an MX_NETLINK_ERROR (positive), or 0 (timeouts, other
 * domains). Codecs map it to their own errors. */
int         mx_netlink_error_get_errno   (const GError *error);
/* The kernel's extended-ack text (NLMSGERR_ATTR_MSG) of an
 * MX_NETLINK_ERROR_KERNEL, or NULL. */
const char *mx_netlink_error_get_ext_ack (const GError *error);

/* The timeout of a request made with timeout_ms 0. */
#define MX_NETLINK_DEFAULT_TIMEOUT_MS 5000

#define MX_TYPE_NETLINK (mx_netlink_get_type ())
G_DECLARE_FINAL_TYPE (MxNetlink, mx_netlink, MX, NETLINK, GObject)

/* Opens both sockets (NETLINK_ROUTE); the notification socket joins no group yet. */
MxNetlink *mx_netlink_new (GError **error);

/* Joins multicast group @group (an RTNLGRP_* number, not a bit mask) on the
 * notification socket; its messages are emitted as "notification" from now
 * on. Idempotent. */
gboolean   mx_netlink_subscribe (MxNetlink *self, guint group, GError **error);

/* Sends @nlh (its seq/pid are overwritten; NLM_F_REQUEST is set, and
 * NLM_F_ACK unless it is a dump, so every request ends with an ack or
 * NLMSG_DONE). The reply: every other message the kernel sent for it, in
 * order (the parts of a dump, the answer of a GET). An error answer, also in
 * NLMSG_DONE, fails with MX_NETLINK_ERROR_KERNEL. Without an answer within
 * @timeout_ms (0: MX_NETLINK_DEFAULT_TIMEOUT_MS) it fails with
 * MX_NETLINK_ERROR_TIMEOUT. Cancelling completes the task with
 * G_IO_ERROR_CANCELLED at once. After a timeout or cancellation the late
 * answer, if any, is dropped by its sequence number. */
void       mx_netlink_request_async  (MxNetlink             *self,
                                      const struct nlmsghdr *nlh,
                                      guint                  timeout_ms,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data);
/* Returns a GPtrArray of GBytes, one whole message (struct nlmsghdr and
 * payload) each; possibly empty (a plain ack). */
GPtrArray *mx_netlink_request_finish (MxNetlink     *self,
                                      GAsyncResult  *result,
                                      GError       **error);

/* Signal "notification" (const struct nlmsghdr *nlh): one message of a
 * subscribed group, valid during the emission only. Listeners filter by
 * nlmsg_type: all groups share the socket.
 * Signal "overrun": the kernel dropped notifications (ENOBUFS); listeners
 * must resynchronise (re-dump). */

/* Whether @nlh is a whole message within the @len bytes left of a received
 * datagram. libmnl's mnl_nlmsg_ok() compares the length as a signed int, so
 * a length of 2^31 or more passes it and the walk jumps out of the buffer;
 * this one compares unsigned. Advance with mnl_nlmsg_next(). */
gboolean mx_netlink_msg_ok (const struct nlmsghdr *nlh, int len);

G_END_DECLS
