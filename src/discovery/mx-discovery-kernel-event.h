/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel events for udev-less setups, as ModemManager's ReportKernelEvent
 * and --initial-kernel-events: "action=add,subsystem=net,name=mhi_hwip0,uid=modem1".
 * Keys: action (add|remove), subsystem (net|wwan|usbmisc|rpmsg), name, and
 * optionally uid (groups ports into one device, overriding the physical
 * device) and driver (names the driver when sysfs cannot, e.g. a tun
 * standing in for mhi_net in tests). Anything else is an error. */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  gboolean    add;        /* FALSE: remove */
  gchar      *subsystem;
  gchar      *name;
  GHashTable *extra;      /* "uid", "driver" -> value (string -> string) */
} MxKernelEvent;

gboolean       mx_kernel_event_subsystem_is_supported (const char *subsystem);
MxKernelEvent *mx_kernel_event_parse_line   (const char *line, GError **error);
/* The a{sv} of ReportKernelEvent (all values strings). */
MxKernelEvent *mx_kernel_event_from_variant (GVariant *dict, GError **error);
/* One event per non-empty line; '#' starts a comment line. Fails on the first
 * bad line, naming the file and line. Returns MxKernelEvent* elements. */
GPtrArray     *mx_kernel_event_parse_file   (const char *path, GError **error);
/* The same for a file's @contents; errors name @origin and the line (pure). */
GPtrArray     *mx_kernel_event_parse_text   (const char *contents, const char *origin,
                                             GError **error);
void           mx_kernel_event_free         (MxKernelEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxKernelEvent, mx_kernel_event_free)

G_END_DECLS
