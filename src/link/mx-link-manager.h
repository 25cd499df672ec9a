/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link manager: creates and deletes virtual data links on physical
 * ports, with the mux id, naming and ownership policies applied in one
 * place, rollback of partial creation, start-up reconciliation, and
 * signals for links that vanish behind our back. */
#pragma once
#include <gio/gio.h>
#include "mx-link-map.h"
#include "mx-link-name.h"
#include "mx-link-mux-id.h"
#include "mx-link-netlink.h"

G_BEGIN_DECLS

#define MX_TYPE_LINK_MANAGER (mx_link_manager_get_type ())
G_DECLARE_FINAL_TYPE (MxLinkManager, mx_link_manager, MX, LINK_MANAGER, GObject)

typedef enum {
  MX_LINK_KIND_RMNET,   /* rtnetlink rmnet on the port (QMAP pass-through, mhi_net, IPA, tun/veth) */
  MX_LINK_KIND_WWAN,    /* rtnetlink wwan on the wwan device (MBIM over MHI) */
  MX_LINK_KIND_QMIMUX,  /* qmi_wwan add_mux (sysfs) */
  MX_LINK_KIND_VLAN,    /* rtnetlink 802.1Q vlan on the port, VLAN id = MBIM session id (cdc_mbim) */
} MxLinkKind;

typedef struct {
  MxLinkKind  kind;
  const char *port;        /* physical netdev (rmnet, qmimux, vlan) or wwan device name (wwan) */
  guint       mux_id;      /* 0 = allocate by policy (wwan, vlan: the MBIM session id) */
  const char *name;        /* NULL = by naming policy (ignored for qmimux: kernel names it) */
  guint32     flags;       /* rmnet flags (upstream bits) */
  guint32     flags_mask;  /* 0 = send no IFLA_RMNET_FLAGS */
  guint32     mtu;         /* 0 = keep kernel default; else set by a second request */
  gboolean    up;          /* bring the link up after creation */
} MxLinkRequest;

/* @map must be loaded; the manager shares its netlink. */
MxLinkManager *mx_link_manager_new (MxLinkMap *map, MxNetlink *netlink);

MxLinkMap *mx_link_manager_get_map (MxLinkManager *self);
/* Per-port mux id policy (default: QMAP 1..254 for rmnet and qmimux, MBIM
 * sessions 1..255 for wwan and vlan), set by whoever
 * manages the port (the bearer layer's data port, from its udev tags).
 * Clearing only drops the policy @owner set: a port that was unplugged and
 * plugged again may already carry its new owner's policy. */
void mx_link_manager_set_mux_id_policy   (MxLinkManager *self, const char *port,
                                          const MxMuxIdPolicy *policy, gconstpointer owner);
void mx_link_manager_clear_mux_id_policy (MxLinkManager *self, const char *port, gconstpointer owner);
/* Link name template for every port (NULL: the default). */
void mx_link_manager_set_name_template (MxLinkManager *self, const char *tmpl);

/* Create: allocate mux id, choose name, NEWLINK, alias (ownership), MTU,
 * up. Any failure after NEWLINK deletes the link again. Returns the new
 * link (copy; free with mx_link_free). */
void    mx_link_manager_create_async  (MxLinkManager *self, const MxLinkRequest *request,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
MxLink *mx_link_manager_create_finish (MxLinkManager *self, GAsyncResult *result, GError **error);

/* Delete one link by name. Unless @force, only links we own. */
void     mx_link_manager_delete_async  (MxLinkManager *self, const char *ifname, gboolean force,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean mx_link_manager_delete_finish (MxLinkManager *self, GAsyncResult *result, GError **error);

/* Delete every link on @port (ours only unless @force). Returns the count. */
void     mx_link_manager_delete_all_async  (MxLinkManager *self, const char *port, gboolean force,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean mx_link_manager_delete_all_finish (MxLinkManager *self, GAsyncResult *result,
                                            guint *n_deleted, GError **error);

/* Start-up reconciliation for a port we are about to manage: deletes our own
 * stale links on it (left by a crash), never foreign ones. */
#define mx_link_manager_reconcile_async(self, port, cancellable, cb, data) \
  mx_link_manager_delete_all_async ((self), (port), FALSE, (cancellable), (cb), (data))
#define mx_link_manager_reconcile_finish(self, res, n, error) \
  mx_link_manager_delete_all_finish ((self), (res), (n), (error))

/* Signals:
 *  "link-lost"  (const MxLink *link)  -- one of OUR links vanished without our asking
 *  "port-lost"  (const char *port)    -- a port that had our links vanished */

G_END_DECLS
