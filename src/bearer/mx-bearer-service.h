/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bearer component as the daemon wires it: gives every modem of the
 * registry its bearer list (MxBearerList, which answers the modem's bearer
 * methods and publishes Bearers, MaxActiveMultiplexedBearers and the
 * org.modemux.DataPorts1 extension), follows link/port loss from the link
 * manager, probes the kernel's rmnet support, at start removes links a
 * previous (killed) instance left behind, and at shutdown disconnects every
 * bearer.
 */
#pragma once

#include <gio/gio.h>
#include "mx-bearer.h"
#include "mx-bearer-list.h"
#include "mx-link-manager.h"
#include "mx-modem.h"
#include "mx-modem-registry.h"
#include "mx-link-netlink.h"

G_BEGIN_DECLS

#define MX_TYPE_BEARER_SERVICE (mx_bearer_service_get_type ())
G_DECLARE_FINAL_TYPE (MxBearerService, mx_bearer_service, MX, BEARER_SERVICE, GObject)

/* @links must have a loaded map. */
MxBearerService *mx_bearer_service_new (MxLinkManager *links,
                                        MxNetlink     *netlink,
                                        gboolean       test_multiplex_requested);
/* Restart policy (before mx_bearer_service_start): connected multiplexed
 * bearers are recorded under @state_dir (NULL: never); with @adopt the
 * start adopts the sessions a previous instance left (mx-bearer-adopt.h)
 * instead of deleting their links; with @keep_on_stop the shutdown keeps
 * them running for the next instance instead of disconnecting. */
void         mx_bearer_service_set_restart_policy (MxBearerService *self, const gchar *state_dir,
                                                   gboolean adopt, gboolean keep_on_stop);
const gchar *mx_bearer_service_get_state_dir      (MxBearerService *self);
/* Adopts the sessions recorded on @list's modem whose data port it has
 * (called when a modem gets its list and when data ports join it). */
void         mx_bearer_service_adopt_pending      (MxBearerService *self, MxBearerList *list);

/* Removes our links left by a previous instance (ownership marker), never
 * foreign ones. Call once at start, before modems appear. */
void     mx_bearer_service_cleanup_stale_links        (MxBearerService    *self,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
gboolean mx_bearer_service_cleanup_stale_links_finish (MxBearerService *self,
                                                       GAsyncResult    *res,
                                                       guint           *n_removed,
                                                       GError         **error);
/* Follows the registry's modems (modem-added/-removed) and takes those it
 * already has: data ports, limits and the extension interface appear on a
 * modem as soon as it is exported. */
void     mx_bearer_service_attach_registry (MxBearerService *self, MxModemRegistry *registry);

/* Gives @modem its bearer list (once; later calls return the same list)
 * and installs it on the modem. The registry's modems get theirs through
 * mx_bearer_service_attach_registry(). */
MxBearerList *mx_bearer_service_adopt_modem (MxBearerService *self, MxModem *modem);

/* What the daemon calls once the link map is loaded: removes stale links,
 * then attaches to @registry (may be NULL: then only modems given to
 * mx_bearer_service_adopt_modem() have bearers). */
void     mx_bearer_service_start (MxBearerService *self, MxModemRegistry *registry);

/* Daemon stopping: disconnects every bearer of every modem (Stop Network on
 * the still-open control ports, links deleted) and completes when all are
 * down; after @budget_s seconds it deletes every link of ours without the
 * modem and completes then. */
void     mx_bearer_service_shutdown        (MxBearerService    *self,
                                            guint               budget_s,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
void     mx_bearer_service_shutdown_finish (MxBearerService *self, GAsyncResult *res);

MxLinkManager *mx_bearer_service_peek_links   (MxBearerService *self);
MxNetlink     *mx_bearer_service_peek_netlink (MxBearerService *self);
gboolean       mx_bearer_service_get_test_multiplex_requested (MxBearerService *self);
/* How often a connected bearer's byte counters are read for Bearer.Stats
 * (default MX_BEARER_STATS_INTERVAL_S); tests shorten it. */
guint          mx_bearer_service_get_stats_interval (MxBearerService *self);
void           mx_bearer_service_set_stats_interval (MxBearerService *self, guint seconds);

/* TRUE once the probe found no rmnet in the kernel (no port can multiplex). */
gboolean mx_bearer_service_kernel_lacks_rmnet (MxBearerService *self);

/* Whether the kernel can create rmnet links (probed once: a NEWLINK of kind
 * rmnet that the kernel must refuse either for lack of the kind -> no
 * CONFIG_RMNET, or for the missing lower -> supported). */
void     mx_bearer_service_probe_rmnet        (MxBearerService    *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean mx_bearer_service_probe_rmnet_finish (MxBearerService *self,
                                               GAsyncResult    *res,
                                               GError         **error);

G_END_DECLS
