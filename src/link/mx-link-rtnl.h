/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rtnetlink link codec: pure encoders that fill a caller buffer, the
 * decoder of RTM_NEWLINK/RTM_DELLINK into an MxLink, and the link request
 * over the raw MxNetlink transport (replies decoded, errors as MX_LINK_ERROR).
 *
 * Encoders produce exactly the bytes iproute2 6.1 sends for the same
 * operation (attribute order, ifi_type 0, alias without NUL), so unit tests
 * compare them byte for byte; nlmsg_seq and nlmsg_pid are left 0 and are set
 * by MxNetlink when sending. The kernel ignores ifi_type on RTM_NEWLINK, so
 * we do not copy libqmi's ARPHRD_RAWIP there. */
#pragma once
#include <glib.h>
#include <linux/netlink.h>
#include "mx-link.h"
#include "mx-link-netlink.h"

G_BEGIN_DECLS

#define MX_RTNL_BUF_SIZE 1024

/* `ip link add link LOWER name NAME type rmnet mux_id N [flags]`.
 * With @mask == 0 no IFLA_RMNET_FLAGS is sent (kernel default: deaggregation). */
struct nlmsghdr *mx_rtnl_link_new_rmnet (void *buf, guint32 lower_ifindex, const char *ifname,
                                         guint16 mux_id, guint32 flags, guint32 mask);
/* Changelink of an rmnet link: repeats the mux id (the kernel validates it
 * again), sets the masked port flags. */
struct nlmsghdr *mx_rtnl_link_change_rmnet (void *buf, guint32 ifindex, guint16 mux_id,
                                            guint32 flags, guint32 mask);
/* `ip link add name NAME parentdev WWANDEV type wwan linkid ID` */
struct nlmsghdr *mx_rtnl_link_new_wwan (void *buf, const char *parent_dev_name,
                                        const char *ifname, guint32 link_id);
/* `ip link add link LOWER name NAME type vlan id ID` (cdc_mbim: VLAN id =
 * MBIM session id) */
struct nlmsghdr *mx_rtnl_link_new_vlan (void *buf, guint32 lower_ifindex, const char *ifname,
                                        guint16 vlan_id);
/* `ip link set dev X mtu N` */
struct nlmsghdr *mx_rtnl_link_set_mtu (void *buf, guint32 ifindex, guint32 mtu);
/* `ip link set dev X up|down` */
struct nlmsghdr *mx_rtnl_link_set_up (void *buf, guint32 ifindex, gboolean up);
/* `ip link set dev X alias A` (empty string clears) */
struct nlmsghdr *mx_rtnl_link_set_alias (void *buf, guint32 ifindex, const char *alias);
/* `ip link del dev X` */
struct nlmsghdr *mx_rtnl_link_del (void *buf, guint32 ifindex);
/* RTM_GETLINK for one link, by ifindex (if non-zero) or by name. */
struct nlmsghdr *mx_rtnl_link_get (void *buf, guint32 ifindex, const char *ifname);
/* RTM_GETLINK dump, optionally filtered by kind in the kernel. */
struct nlmsghdr *mx_rtnl_link_dump (void *buf, const char *kind);

/* Decodes RTM_NEWLINK/RTM_DELLINK. Returns NULL with @error on malformed input. */
MxLink *mx_rtnl_link_parse (const struct nlmsghdr *nlh, GError **error);

/* Decodes an RTNLGRP_LINK notification: RTM_NEWLINK (*@removed FALSE) or
 * RTM_DELLINK (TRUE). Other message types (other groups share the
 * notification socket) return NULL without @error. */
MxLink *mx_rtnl_link_parse_notification (const struct nlmsghdr *nlh, gboolean *removed,
                                         GError **error);

/* Sends the link request @nlh (built above) with the transport's default
 * timeout. @kind names the link kind for error messages ("rmnet", "wwan" or
 * NULL). Kernel errors become MX_LINK_ERROR through
 * mx_link_error_from_errno() with the extended ack text; cancelling gives
 * G_IO_ERROR_CANCELLED. The task's source object is @netlink. */
void       mx_rtnl_link_request_async  (MxNetlink             *netlink,
                                        const struct nlmsghdr *nlh,
                                        const char            *kind,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
/* Returns a GPtrArray of MxLink, every RTM_NEWLINK of the reply (element
 * free func set; possibly empty: a plain ack); undecodable links are
 * skipped with a warning. */
GPtrArray *mx_rtnl_link_request_finish (MxNetlink     *netlink,
                                        GAsyncResult  *result,
                                        GError       **error);

G_END_DECLS
