/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxctl links: the daemon's view (org.modemux.DataPorts1), see ctl-daemon.c. */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  MX_CTL_DAEMON_SHOWN,       /* the daemon's view was printed */
  MX_CTL_DAEMON_UNAVAILABLE, /* no bus, no owner, or an owner without our interface */
} MxCtlDaemonResult;

/* Prints every modem's data ports and links as modemuxd exports them on
 * @bus_type (system bus: DBUS_SYSTEM_BUS_ADDRESS is honoured by GIO), only
 * PORT's when @port is set. With @required, a modemuxd without modems is
 * shown (an empty list); otherwise it counts as UNAVAILABLE, so the caller
 * shows the kernel's view. On UNAVAILABLE, @reason says why (one line). */
MxCtlDaemonResult mx_ctl_links_from_daemon (GBusType bus_type, const char *port, gboolean json,
                                            gboolean required, gchar **reason);

G_END_DECLS
