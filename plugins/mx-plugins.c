/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-plugins"

#include "mx-plugins.h"

static const MxPlugin * const builtin[] = {
  &mx_plugin_qcom_soc,
  &mx_plugin_mhi,
  &mx_plugin_generic,
  NULL,
};

const MxPlugin * const *
mx_plugins_get_builtin (void)
{
  return builtin;
}

gboolean
mx_plugins_data_profile (const char *driver, gint interface, MxDataProfile *profile)
{
  MxDataDriverClass driver_class = mx_port_policy_data_driver_class (driver);

  mx_data_profile_init (profile);
  for (guint i = 0; builtin[i]; i++)
    if (builtin[i]->data_profile && builtin[i]->data_profile (builtin[i], driver_class, interface, profile))
      return TRUE;
  mx_data_profile_init (profile);
  return FALSE;
}
