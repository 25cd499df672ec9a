/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GUdev monitor for the subsystems discovery handles (net, wwan, usbmisc,
 * rpmsg): an initial scan and add/remove/change events. Signal:
 *  "device-event" (const char *action, GUdevDevice *device) */
#pragma once
#include <gudev/gudev.h>

G_BEGIN_DECLS

#define MX_TYPE_UDEV_SOURCE (mx_udev_source_get_type ())
G_DECLARE_FINAL_TYPE (MxUdevSource, mx_udev_source, MX, UDEV_SOURCE, GObject)

MxUdevSource *mx_udev_source_new  (void);
/* Emits "device-event" with action "add" for every existing device, then
 * forwards live events. */
void          mx_udev_source_scan (MxUdevSource *self);

G_END_DECLS
