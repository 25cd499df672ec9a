/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link of a multiplexed MBIM session. Session 0 is the data netdev
 * itself; every other session has a link whose mux id is its session id:
 *   mhi_wwan_mbim: a wwan link on the netdev's wwan device
 *                  (IFLA_PARENT_DEV_NAME, IFLA_WWAN_LINK_ID = session id);
 *   cdc_mbim:      an 802.1Q VLAN link on the netdev (VLAN id = session id).
 * This module finds the port the link hangs from, gives the link manager
 * that port's session-id policy (from the data profile: 1..255, udev tags),
 * and creates the link; the session id is then whatever the policy chose
 * (the link's mux id), so the session id, the link and the kernel agree.
 * It also probes once which of the two link kinds the kernel can create,
 * for mx_bearer_multiplex_decide_mbim().
 */
#pragma once

#include <gio/gio.h>
#include "mx-discovery-data-profile.h"
#include "mx-link-manager.h"

G_BEGIN_DECLS

/* Which MBIM session links the kernel can create: MX_DATA_LINK_WWAN
 * (CONFIG_WWAN) and MX_DATA_LINK_VLAN (CONFIG_VLAN_8021Q), asked with two
 * link requests that cannot succeed (EOPNOTSUPP: the kind is missing). */
void  mx_bearer_mbim_link_probe_kernel_async  (MxNetlink           *netlink,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
guint mx_bearer_mbim_link_probe_kernel_finish (MxNetlink     *netlink,
                                               GAsyncResult  *result,
                                               GError       **error);

/* The link manager's port for a session link of @kind on data netdev
 * @netdev: its wwan device (MX_DATA_LINK_WWAN) or @netdev (VLAN). NULL
 * with MX_LINK_ERROR_NO_DEVICE when the netdev has no wwan device. */
gchar *mx_bearer_mbim_link_port (MxLinkManager  *links,
                                 const gchar    *netdev,
                                 MxDataLinkKinds kind,
                                 GError        **error);

/* Creates the link of a new session on @netdev (session id by the
 * profile's policy; @mtu 0 = the kernel's), brought up, owned. The result
 * is the link (mux_id = the session id to activate); free with
 * mx_link_free(). A failure leaves no link (the link manager rolls back). */
void    mx_bearer_mbim_link_create_async  (MxLinkManager       *links,
                                           const gchar         *netdev,
                                           const MxDataProfile *profile,
                                           MxDataLinkKinds      kind,
                                           guint32              mtu,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
MxLink *mx_bearer_mbim_link_create_finish (MxLinkManager  *links,
                                           GAsyncResult   *result,
                                           GError        **error);

G_END_DECLS
