/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd's readiness protocol (sd_notify(3)) without linking libsystemd:
 * one datagram to $NOTIFY_SOCKET. The unit uses Type=notify rather than
 * Type=dbus because systemd refuses to load two units with the same BusName=
 * and ModemManager.service already claims org.freedesktop.ModemManager1. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Sends @state (e.g. "READY=1", "STOPPING=1") if $NOTIFY_SOCKET is set.
 * Never blocks; returns FALSE (with a debug message) when it could not send. */
gboolean mx_sd_notify (const gchar *state);

G_END_DECLS
