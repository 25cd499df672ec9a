/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's life: connect to the bus (system, or session with
 * --test-session), export the Manager, own org.freedesktop.ModemManager1
 * without ever taking it from another owner, run until SIGTERM/SIGINT, then
 * release the name and tear down.
 *
 * Signals (the seam for later components, connected in main.c):
 *  - "ready" (MxManager *manager): the name is ours; start discovery here.
 *  - "stopping" (MxManager *manager): about to release the name and unexport;
 *    stop discovery and remove modems here. Only emitted after "ready". A
 *    handler that needs asynchronous clean-up (e.g. deleting links over
 *    netlink) calls mx_daemon_hold() and later mx_daemon_release(); the main
 *    context keeps running until every hold is released (at most
 *    MX_DAEMON_STOP_TIMEOUT_S seconds, then the daemon exits regardless). */
#pragma once
#include <gio/gio.h>
#include "mx-core-context.h"
#include "mx-core-manager.h"

G_BEGIN_DECLS

#define MX_DBUS_NAME "org.freedesktop.ModemManager1"

#define MX_TYPE_DAEMON (mx_daemon_get_type ())
G_DECLARE_FINAL_TYPE (MxDaemon, mx_daemon, MX, DAEMON, GObject)

/* @ctx must outlive the daemon. */
MxDaemon        *mx_daemon_new         (const MxContext *ctx);
/* Runs the main loop until the daemon stops; returns the process exit status:
 * 0 after SIGTERM/SIGINT, 1 when the bus or the name is unavailable. */
int              mx_daemon_run         (MxDaemon *self);
/* Stops the main loop with @status (e.g. from a fatal error in a component). */
void             mx_daemon_quit        (MxDaemon *self, int status);
/* NULL until the bus is connected. */
MxManager       *mx_daemon_get_manager (MxDaemon *self);
const MxContext *mx_daemon_get_context (MxDaemon *self);

#define MX_DAEMON_STOP_TIMEOUT_S 10
void             mx_daemon_hold        (MxDaemon *self);
void             mx_daemon_release     (MxDaemon *self);

G_END_DECLS
