/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Turns kernel devices (GUdev, kernel events) and QRTR nodes into devices:
 * classifies each port (mx-port-policy), probes QMI char devices, groups
 * ports by physical device (QRTR nodes by mx-qrtr-pairing, links by their
 * lower_ through the link map), picks each device's plugin and lets it map
 * data ports to control ports and endpoints.
 *
 * Signals (a device is announced once it is ready: plugin + control port):
 *  "device-added"   (MxDevice *)
 *  "device-removed" (MxDevice *)
 *  "device-changed" (MxDevice *)  -- ports or their mapping changed
 *  "settled"        ()            -- no probe or QRTR service wait pending
 * MxDevice also emits "port-added"/"port-removed" (MxPort *). */
#pragma once
#include <gio/gio.h>
#include "mx-discovery-device.h"
#include "mx-discovery-kernel-event.h"
#include "mx-link-map.h"
#include "mx-discovery-plugin.h"

G_BEGIN_DECLS

typedef struct {
  const char *sysfs_root;            /* NULL: /sys */
  const char *dev_dir;               /* NULL: /dev, where QMI ports are probed */
  gboolean    probe;                 /* probe QMI char devices (FALSE: trust the policy) */
  gboolean    probe_via_proxy;       /* open probed ports through qmi-proxy */
  guint       probe_timeout_s;
  guint       probe_retries;         /* QMI probes again after a failure (back-off 1, 2, 4.. s) */
  guint       qrtr_services_timeout_ms;
  MxLinkMap  *link_map;              /* optional: recognises virtual links */
} MxDeviceManagerOptions;

/* Defaults: probe through the proxy, 5 s probe timeout, 4 retries, 4 s QRTR services timeout. */
void mx_device_manager_options_init (MxDeviceManagerOptions *options);

#define MX_TYPE_DEVICE_MANAGER (mx_device_manager_get_type ())
G_DECLARE_FINAL_TYPE (MxDeviceManager, mx_device_manager, MX, DEVICE_MANAGER, GObject)

/* @plugins: NULL-terminated, borrowed for the manager's lifetime (static). */
MxDeviceManager *mx_device_manager_new (const MxPlugin * const *plugins,
                                        const MxDeviceManagerOptions *options);

/* Device sources. Start the ones the setup wants (the daemon: udev and QRTR
 * unless --no-auto-scan / --test-no-qrtr; kernel events always). */
void     mx_device_manager_start_udev (MxDeviceManager *self);
void     mx_device_manager_start_qrtr (MxDeviceManager *self);
void     mx_device_manager_stop       (MxDeviceManager *self);

/* ReportKernelEvent's a{sv}; errors in MX_DISCOVERY_ERROR (map with
 * mx_discovery_error_to_mm() for D-Bus). */
gboolean mx_device_manager_report_kernel_event (MxDeviceManager *self, GVariant *dict,
                                                GError **error);
gboolean mx_device_manager_handle_kernel_event (MxDeviceManager *self, const MxKernelEvent *event,
                                                GError **error);
/* --initial-kernel-events=FILE: all lines are checked before any is applied. */
gboolean mx_device_manager_replay_kernel_events_file (MxDeviceManager *self, const char *path,
                                                      GError **error);

/* Direct entry points (sources use them; tests and `modemuxctl probe
 * --qrtr-node` too). add fails for devices that are not modem ports. */
gboolean mx_device_manager_add_kernel_device    (MxDeviceManager *self, MxKernelDevice *kdev,
                                                 GError **error);
void     mx_device_manager_remove_kernel_device (MxDeviceManager *self, const char *subsystem,
                                                 const char *name);
/* A QRTR node that offers @services (QMI service ids); fails unless they
 * include WDS, NAS and DMS. */
gboolean mx_device_manager_add_qrtr_node        (MxDeviceManager *self, guint32 node_id,
                                                 const guint32 *services, guint n_services,
                                                 GError **error);
void     mx_device_manager_remove_qrtr_node     (MxDeviceManager *self, guint32 node_id);

/* Ready devices, sorted by uid (new array, each element referenced). */
GPtrArray *mx_device_manager_get_devices (MxDeviceManager *self);
MxDevice  *mx_device_manager_lookup_port (MxDeviceManager *self, const char *port_name);
gboolean   mx_device_manager_is_settled  (MxDeviceManager *self);

G_END_DECLS
