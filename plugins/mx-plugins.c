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
