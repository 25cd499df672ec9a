/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery-plugin.h"
#include "mx-discovery-udev-tags.h"
#include "mx-link-mux-id.h"

gboolean
mx_plugin_port_has_driver (const MxPort *port, const char * const *drivers)
{
  const char *driver = mx_kernel_device_get_driver (port->kdev);

  return driver && drivers && g_strv_contains (drivers, driver);
}

/* Quirks the user states in udev tags land in the profile, after the
 * plugin's own values. The values are read by the mux id policy's own parser (mx-link-mux-id.c:
 * decimal or 0x hex, its ranges), so what discovery shows is what the
 * allocator gets. Each tag on its own: a bad one does not drop the other. */
void
mx_plugin_apply_multiplex_tags (MxPort *data)
{
  GHashTable *props = mx_kernel_device_peek_properties (data->kdev);
  const char *name = mx_port_get_name (data);
  const char *max = props ? g_hash_table_lookup (props, MX_TAG_MAX_MULTIPLEXED_LINKS) : NULL;
  const char *first = props ? g_hash_table_lookup (props, MX_TAG_INITIAL_QMAP_MUX_ID) : NULL;
  g_autoptr(GError) error = NULL;
  MxMuxIdPolicy policy;

  mx_mux_id_policy_init (&policy);
  if (max && mx_mux_id_policy_set_from_udev (&policy, NULL, max, &error))
    data->profile.max_links = (gint) policy.max_links;
  else if (max)
    g_warning ("%s: %s; ignored", name, error->message);
  g_clear_error (&error);
  if (first && mx_mux_id_policy_set_from_udev (&policy, first, NULL, &error))
    data->profile.initial_mux_id = (gint) policy.first;
  else if (first)
    g_warning ("%s: %s; ignored", name, error->message);
  /* MBIM session range, only on ports carrying MBIM sessions. */
  if (data->profile.mbim_session_first >= 0) {
    const char *s_first = props ? g_hash_table_lookup (props, MX_TAG_MBIM_SESSION_FIRST) : NULL;
    const char *s_last = props ? g_hash_table_lookup (props, MX_TAG_MBIM_SESSION_LAST) : NULL;
    guint lo = (guint) data->profile.mbim_session_first;
    guint hi = (guint) MAX (data->profile.mbim_session_last, data->profile.mbim_session_first);

    g_clear_error (&error);
    if (mx_mux_id_parse_session_tags (s_first, s_last, &lo, &hi, &error)) {
      data->profile.mbim_session_first = (gint) lo;
      data->profile.mbim_session_last = (gint) hi;
    } else {
      g_warning ("%s: %s; ignored", name, error->message);
    }
  }
  /* qmimux instead of rmnet, where the port has both (qmi_wwan's add_mux). */
  if (mx_udev_tag_get_bool (props, name, MX_TAG_QMI_WWAN_QMIMUX, &data->profile.prefer_qmimux) &&
      !(data->profile.link_kinds & MX_DATA_LINK_QMIMUX))
    data->profile.prefer_qmimux = FALSE;
}
