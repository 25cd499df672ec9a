/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The physical <-> virtual link map: for every physical data netdev its
 * virtual links (sysfs upper_*), for every link its physical port (sysfs
 * lower_*, or IFLA_LINK for rmnet), joined with the netlink view (ifindex,
 * kind, mux id, flags, MTU, operstate, alias). Kept current from RTNLGRP_LINK
 * notifications; never polls.
 *
 * A "link" is a netdev of kind rmnet or wwan, or any netdev with a lower_*
 * entry in sysfs (qmimux, vlan on cdc_mbim). Its "port" is the lower's name
 * (for wwan links: the wwan parent device name). */
#pragma once
#include <gio/gio.h>
#include "mx-link.h"
#include "mx-link-mux-id.h"
#include "mx-link-netlink.h"

G_BEGIN_DECLS

#define MX_TYPE_LINK_MAP (mx_link_map_get_type ())
G_DECLARE_FINAL_TYPE (MxLinkMap, mx_link_map, MX, LINK_MAP, GObject)

/* @netlink may be NULL: then the map is built from sysfs only (host tests
 * on fixture trees) and never updates by itself. @sysfs_root NULL = "/sys". */
MxLinkMap *mx_link_map_new (MxNetlink *netlink, const char *sysfs_root);

/* Initial fill: sysfs scan plus one RTM_GETLINK dump (when netlink is set).
 * Notifications received during the dump are applied after it. */
void     mx_link_map_load_async  (MxLinkMap *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_link_map_load_finish (MxLinkMap *self, GAsyncResult *result, GError **error);
/* Synchronous sysfs-only (re)scan, for maps without netlink. */
gboolean mx_link_map_load_sysfs  (MxLinkMap *self, GError **error);

/* Fills @link's ifindex, mtu, flags, operstate and alias from the raw
 * contents of those sysfs attributes (NULL: file missing; garbage reads as
 * 0 / unknown / no alias), as mx_link_map_load_sysfs() does. Pure. */
void     mx_link_map_parse_sysfs_attrs (MxLink *link, const char *ifindex, const char *mtu,
                                        const char *flags, const char *operstate,
                                        const char *ifalias);

/* Applies what a request just learned (a GETLINK reply after creating a
 * link; a completed deletion) without waiting for its notification, so
 * back-to-back requests see their predecessors. The notification that
 * follows changes nothing. */
void     mx_link_map_apply        (MxLinkMap *self, const MxLink *link);
void     mx_link_map_apply_removed (MxLinkMap *self, guint32 ifindex);

/* Sorted names of the physical ports that have at least one link. */
GStrv      mx_link_map_dup_ports (MxLinkMap *self);
/* Links (MxLink*, borrowed, valid until the next main-loop iteration that
 * changes the map) of @port, or of all ports when NULL; sorted by port, then
 * mux id, then name. The array itself is new (free with g_ptr_array_unref). */
GPtrArray *mx_link_map_get_links (MxLinkMap *self, const char *port);
const MxLink *mx_link_map_lookup_name    (MxLinkMap *self, const char *ifname);
const MxLink *mx_link_map_lookup_ifindex (MxLinkMap *self, guint32 ifindex);
/* Any netdev the map has seen (ports too): name -> ifindex, 0 if unknown. */
guint32  mx_link_map_get_ifindex (MxLinkMap *self, const char *ifname);
/* The device a netdev hangs from (sysfs `device` link), e.g. the wwan device
 * `wwan0` of mhi_wwan_mbim's default netdev: the port of its wwan links.
 * NULL if it has none. */
gchar   *mx_link_map_dup_parent_device (MxLinkMap *self, const char *ifname);
/* Mux ids in use on the lower with @lower_ifindex (all rmnet links, ours or not). */
void     mx_link_map_get_used_mux_ids (MxLinkMap *self, guint32 lower_ifindex, MxMuxIdSet *set);

/* Signals:
 *  "link-added"    (const MxLink *link)
 *  "link-removed"  (const MxLink *link)            -- last known state
 *  "changed"       (const MxLink *link)            -- mtu/flags/state/alias/name changed
 *  "lower-removed" (const char *port, guint ifindex) -- a port with links vanished */

G_END_DECLS
