/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery-plugin.h"
#include "mx-discovery-udev-tags.h"

gboolean
mx_plugin_port_has_driver (const MxPort *port, const char * const *drivers)
{
  const char *driver = mx_kernel_device_get_driver (port->kdev);

  return driver && drivers && g_strv_contains (drivers, driver);
}

void
mx_plugin_apply_multiplex_tags (MxPort *data)
{
  GHashTable *props = mx_kernel_device_peek_properties (data->kdev);
  const char *name = mx_port_get_name (data);
  guint value;

  if (mx_udev_tag_get_uint (props, name, MX_TAG_MAX_MULTIPLEXED_LINKS, 0,
                            MX_TAG_MAX_MULTIPLEXED_LINKS_MAX, &value))
    data->max_multiplexed_links = (gint) value;
  if (mx_udev_tag_get_uint (props, name, MX_TAG_INITIAL_QMAP_MUX_ID, MX_TAG_QMAP_MUX_ID_MIN,
                            MX_TAG_QMAP_MUX_ID_MAX, &value))
    data->initial_mux_id = (gint) value;
  if (mx_udev_tag_get_bool (props, name, MX_TAG_QMI_WWAN_QMIMUX, &data->qmimux) &&
      g_strcmp0 (mx_kernel_device_get_driver (data->kdev), "qmi_wwan") != 0)
    data->qmimux = FALSE; /* only qmi_wwan has add_mux */
}
