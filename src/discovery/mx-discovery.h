/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Discovery as the daemon runs it: one device manager fed by the device
 * sources the options ask for, and the Manager's device hooks
 * (ScanDevices, ReportKernelEvent). The daemon creates it in its "ready"
 * handler and stops it in "stopping":
 *
 *   discovery = mx_discovery_new (ctx, manager, mx_plugins_get_builtin (), link_map);
 *   if (!mx_discovery_start (discovery, &error)) -> log, quit(1)
 *   registry = mx_modem_registry_new (manager, mx_discovery_get_device_manager (discovery));
 *   ...
 *   mx_discovery_stop (discovery);
 *
 * Options (as ModemManager): without --no-auto-scan, udev is scanned and
 * monitored and (unless --test-no-qrtr) the QRTR bus is watched;
 * --initial-kernel-events=FILE is replayed first (every line checked before
 * any is applied); ReportKernelEvent is accepted only when udev is not
 * monitoring (--no-auto-scan), as in ModemManager. */
#pragma once
#include "mx-core-context.h"
#include "mx-discovery-device-manager.h"
#include "mx-core-manager.h"

G_BEGIN_DECLS

#define MX_TYPE_DISCOVERY (mx_discovery_get_type ())
G_DECLARE_FINAL_TYPE (MxDiscovery, mx_discovery, MX, DISCOVERY, GObject)

/* @ctx and @plugins must outlive the object; @manager and @link_map (may be
 * NULL) are referenced. */
MxDiscovery     *mx_discovery_new   (const MxContext *ctx, MxManager *manager,
                                     const MxPlugin * const *plugins, MxLinkMap *link_map);
gboolean         mx_discovery_start (MxDiscovery *self, GError **error);
/* Uninstalls the hooks (back to Unsupported) and stops every source. */
void             mx_discovery_stop  (MxDiscovery *self);
MxDeviceManager *mx_discovery_get_device_manager (MxDiscovery *self);

/* ReportKernelEvent's properties as an event (exposed for tests). */
MxKernelEvent   *mx_discovery_event_from_properties (MMKernelEventProperties *properties,
                                                     GError **error);

G_END_DECLS
