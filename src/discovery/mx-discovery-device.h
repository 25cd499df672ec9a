/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One physical modem as discovery found it: its ports (control, data,
 * links, ignored), grouped by physical device uid, and the plugin that
 * drives it. The modem control plane builds its D-Bus Modem on top of this.
 * Created and updated only by the device manager; a device is "ready" (and
 * announced with device-added) once it has a usable control port. */
#pragma once
#include <glib-object.h>
#include "mx-discovery-port.h"

G_BEGIN_DECLS

typedef struct _MxPlugin MxPlugin;

#define MX_TYPE_DEVICE (mx_device_get_type ())
G_DECLARE_FINAL_TYPE (MxDevice, mx_device, MX, DEVICE, GObject)

MxDevice       *mx_device_new             (const char *uid);
const char     *mx_device_get_uid         (MxDevice *self);
const MxPlugin *mx_device_get_plugin      (MxDevice *self);
const char     *mx_device_get_plugin_name (MxDevice *self);
/* Sysfs path of the physical device (first port that has one), or NULL. */
const char     *mx_device_get_physdev     (MxDevice *self);
/* All ports (MxPort*), sorted: control, data, link, ignored; by name within. */
GPtrArray      *mx_device_peek_ports      (MxDevice *self);
MxPort         *mx_device_lookup_port     (MxDevice *self, const char *name);
/* The port the control plane opens: a QRTR node, else the first QMI char
 * device that answered (or was not probed), else MBIM, else AT. NULL: none. */
MxPort         *mx_device_get_primary_control_port (MxDevice *self);
/* The AT port Modem.Command uses: the one tagged (or laid out as) primary,
 * else the first untyped AT port, else any; NULL without a usable AT port. */
MxPort         *mx_device_get_primary_at_port      (MxDevice *self);
gboolean        mx_device_get_qrtr_node   (MxDevice *self, guint32 *node_id);
/* Sorted, de-duplicated drivers of all non-link ports (Modem.Drivers). */
GStrv           mx_device_dup_drivers     (MxDevice *self);
gboolean        mx_device_is_ready        (MxDevice *self);

/* Device manager only: replaces the port set and plugin, emitting
 * "port-added" / "port-removed" (MxPort *) for the differences. */
void            mx_device_update          (MxDevice *self, const MxPlugin *plugin, GPtrArray *ports);

G_END_DECLS
