/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The built-in plugins, linked statically: the explicit registration table
 * that modemuxd, modemuxctl and tests hand to mx_device_manager_new(). Order
 * breaks claim ties: most specific first. */
#pragma once
#include "mx-discovery-plugin.h"

G_BEGIN_DECLS

extern const MxPlugin mx_plugin_qcom_soc;
extern const MxPlugin mx_plugin_mhi;
extern const MxPlugin mx_plugin_generic;

/* NULL-terminated: qcom-soc, mhi, generic. */
const MxPlugin * const *mx_plugins_get_builtin (void);

G_END_DECLS
