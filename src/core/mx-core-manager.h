/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The org.freedesktop.ModemManager1 object: the Manager interface (libmm-glib's
 * generated skeleton) and the ObjectManager at /org/freedesktop/ModemManager1
 * through which clients such as mmcli and NetworkManager find modems.
 *
 * Seams for later components:
 *  - modems: mx_manager_export_modem() / mx_manager_unexport_modem() put a
 *    GDBusObjectSkeleton (e.g. MmGdbusObjectSkeleton with the Modem
 *    interfaces) under /org/freedesktop/ModemManager1/Modem/N.
 *  - other objects (bearers, SIMs) are exported directly on the connection at
 *    paths from mx_manager_new_object_path(), as ModemManager does.
 *  - device methods (ScanDevices, ReportKernelEvent, InhibitDevice): discovery
 *    installs MxManagerDeviceHooks; until then they answer
 *    org.freedesktop.ModemManager1.Error.Core.Unsupported. */
#pragma once
#include <gio/gio.h>
#include <libmm-glib.h>

G_BEGIN_DECLS

#define MX_MANAGER_PATH "/org/freedesktop/ModemManager1"

#define MX_TYPE_MANAGER (mx_manager_get_type ())
G_DECLARE_FINAL_TYPE (MxManager, mx_manager, MX, MANAGER, MmGdbusOrgFreedesktopModemManager1Skeleton)

/* Each hook runs only after the caller was authorized (MX_AUTH_ACTION_CONTROL)
 * and the arguments were validated. It owns @invocation and must complete it
 * exactly once (g_dbus_method_invocation_return_*, which consumes it), possibly
 * later. */
typedef struct {
  void (*scan_devices)        (gpointer user_data, GDBusMethodInvocation *invocation);
  void (*report_kernel_event) (gpointer user_data, GDBusMethodInvocation *invocation,
                               MMKernelEventProperties *event);
  void (*inhibit_device)      (gpointer user_data, GDBusMethodInvocation *invocation,
                               const gchar *uid, gboolean inhibit);
} MxManagerDeviceHooks;

MxManager *mx_manager_new (GDBusConnection *connection);

/* Exports the Manager and the ObjectManager on the connection given at
 * creation; undone by mx_manager_unexport() (also on dispose). */
gboolean   mx_manager_export   (MxManager *self, GError **error);
void       mx_manager_unexport (MxManager *self);

GDBusConnection *mx_manager_get_connection (MxManager *self);

/* Places @modem at /org/freedesktop/ModemManager1/Modem/N (N counts up from 0
 * and is never reused while the daemon runs, as in ModemManager) and announces
 * it with InterfacesAdded. Returns the path (owned by @modem). */
const gchar *mx_manager_export_modem   (MxManager *self, GDBusObjectSkeleton *modem);
/* Removes it again (InterfacesRemoved). FALSE if nothing was exported there. */
gboolean     mx_manager_unexport_modem (MxManager *self, const gchar *path);
guint        mx_manager_get_n_modems   (MxManager *self);

/* A fresh path for an object of @kind ("Bearer", "SIM", "SMS", ...):
 * /org/freedesktop/ModemManager1/<kind>/N, N counting per kind. */
gchar       *mx_manager_new_object_path (MxManager *self, const gchar *kind);

/* NULL hooks: back to "Unsupported". @user_data must outlive the hooks. */
void         mx_manager_set_device_hooks (MxManager *self, const MxManagerDeviceHooks *hooks,
                                          gpointer user_data);

G_END_DECLS
