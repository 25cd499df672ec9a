/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin interface. A plugin is a constant table of what it claims
 * (subsystems, drivers, udev tags) and three hooks: how much it wants a port,
 * which group a port belongs to when the physical device is not enough (the
 * SoC), and how a data port maps to its QMI control port and data endpoint.
 *
 * Plugins are linked in statically (plugins/, mx_plugins_dep) and handed to
 * the device manager as an explicit NULL-terminated table
 * (mx_plugins_get_builtin()); no GModule loading, so plugins share mx-core's
 * GTypes and the set is fixed at build time. A device takes the plugin with
 * the highest claim over its ports; ties go to the earlier table entry. */
#pragma once
#include "mx-discovery-device.h"
#include "mx-discovery-port.h"
#include "mx-discovery-port-policy.h"

G_BEGIN_DECLS

/* Claim scores: plugins use these so their relative order is explicit. */
#define MX_PLUGIN_CLAIM_NONE     0
#define MX_PLUGIN_CLAIM_WEAK     10  /* could drive it (a lone QRTR node) */
#define MX_PLUGIN_CLAIM_GENERIC  30  /* bus and driver match (USB qmi_wwan) */
#define MX_PLUGIN_CLAIM_SPECIFIC 40  /* a transport only this plugin knows (MHI) */
#define MX_PLUGIN_CLAIM_TAGGED   50  /* a udev tag or driver naming the plugin (SoC) */

typedef struct _MxPlugin MxPlugin;

struct _MxPlugin {
  const char         *name;         /* as D-Bus Modem.Plugin shows it */
  const char * const *subsystems;   /* documentation and `modemuxctl probe` */
  const char * const *drivers;
  const char * const *udev_tags;
  /* Required. How much the plugin wants @port of a group whose ports are
   * @group (the QRTR node decides by its companions). */
  guint    (*claim)         (const MxPlugin *plugin, const MxPort *port, GPtrArray *group);
  /* Optional. Group uid for @kdev when its physical device does not say
   * (the SoC modem spans several platform devices); NULL: no opinion. */
  gchar   *(*group_uid)     (const MxPlugin *plugin, MxKernelDevice *kdev);
  /* Required. Fill @data's control port and its data profile
   * (@data->profile, initialized on entry: endpoint, DPM ids, link kinds,
   * DL limits, MTU and framing rules, quirks, multiplex default; see
   * mx-discovery-data-profile.h), computed here once and only read later;
   * FALSE with an error when the data port cannot be served (the port then
   * stays recorded but unmapped): MX_DISCOVERY_ERROR_NOT_FOUND when its
   * control port is missing (may still arrive), else UNSUPPORTED. */
  gboolean (*map_data_port) (const MxPlugin *plugin, MxDevice *device, MxPort *data,
                             GError **error);
  /* Optional. The device-independent part of the profile this plugin gives
   * a data port of @driver_class (@interface: USB interface number or
   * BAM-DMUX channel, where the endpoint needs one); what map_data_port
   * starts from. FALSE: not a data driver of this plugin. Tools and tests
   * use it (mx_plugins_data_profile()) to drive a data path without sysfs. */
  gboolean (*data_profile)  (const MxPlugin *plugin, MxDataDriverClass driver_class,
                             gint interface, MxDataProfile *profile);
};

/* Helpers for plugins. */
gboolean mx_plugin_port_has_driver (const MxPort *port, const char * const *drivers);
/* Applies ID_MM_MAX_MULTIPLEXED_LINKS and ID_MM_INITIAL_QMAP_MUX_ID of the
 * data port to its profile (max_links, initial_mux_id). */
void     mx_plugin_apply_multiplex_tags (MxPort *data);

G_END_DECLS
