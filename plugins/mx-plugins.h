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

/* The profile the built-in plugins give a data port bound to @driver (a
 * kernel driver name; @interface as MxPlugin.data_profile), initialized
 * first; FALSE when no plugin serves that driver. */
gboolean mx_plugins_data_profile (const char *driver, gint interface, MxDataProfile *profile);

G_END_DECLS
