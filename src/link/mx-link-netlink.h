/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one rtnetlink socket pair of the process, on the glib main loop.
 *
 * A request socket carries requests; replies are matched to them by sequence
 * number and complete a GTask (acks, errors with the kernel's extended ack
 * text, multi-part dumps). A second socket subscribed to RTNLGRP_LINK
 * delivers every link notification as the "link-event" signal. Nothing here
 * blocks: both sockets are non-blocking and watched with GSources attached
 * to the thread-default main context at construction. */
#pragma once
#include <gio/gio.h>
#include <linux/netlink.h>
#include "mx-link.h"

G_BEGIN_DECLS

#define MX_TYPE_NETLINK (mx_netlink_get_type ())
G_DECLARE_FINAL_TYPE (MxNetlink, mx_netlink, MX, NETLINK, GObject)

/* Opens both sockets. Fails with MX_LINK_ERROR_PERMISSION etc. */
MxNetlink *mx_netlink_new (GError **error);

/* Sends @nlh (a buffer built by mx-rtnl-link; its seq/pid are overwritten).
 * NLM_F_ACK is added for non-dump requests. @kind names the link kind for
 * error messages ("rmnet", "wwan" or NULL). The reply: every RTM_NEWLINK
 * message received before the ack/NLMSG_DONE, decoded. Cancelling completes
 * the task with G_IO_ERROR_CANCELLED at once; a late reply is discarded. */
void       mx_netlink_request_async  (MxNetlink           *self,
                                      const struct nlmsghdr *nlh,
                                      const char          *kind,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* Returns a GPtrArray of MxLink (element free func set; possibly empty). */
GPtrArray *mx_netlink_request_finish (MxNetlink     *self,
                                      GAsyncResult  *result,
                                      GError       **error);

/* Signal "link-event" (MxLink *link, gboolean removed): one RTNLGRP_LINK
 * notification (RTM_NEWLINK -> removed FALSE, RTM_DELLINK -> TRUE). The
 * MxLink is owned by the emitter; copy it to keep it. */

G_END_DECLS
