/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One AT command on a tty (or wwan AT port), asynchronously: open raw at
 * 115200 8N1, write the command, read until a final result line (OK, ERROR,
 * +CME ERROR, +CMS ERROR, NO CARRIER) or the timeout; cancellable. The AT
 * probe is `AT` -> `OK`; Modem.Command (debug mode) runs any command the
 * same way. No AT-based modem control: QMI/MBIM stay the control plane. */
#pragma once
#include <gio/gio.h>
#include "mx-discovery-kernel-device.h"

G_BEGIN_DECLS

#define MX_AT_PROBE_TIMEOUT_DEFAULT_MS 3000

/* Node of a char device: @dev_dir/<name> (or its absolute DEVNAME when
 * @dev_dir is NULL). */
gchar   *mx_at_port_path       (MxKernelDevice *kdev, const char *dev_dir);

/* Sends @command ("AT", "ATI", "AT+CSQ") and completes with the reply lines
 * before the final "OK" (echo removed, joined by '\n'; "" for a bare OK).
 * A final ERROR/+CME/+CMS/NO CARRIER is MX_DISCOVERY_ERROR_FAILED naming it;
 * no final line within @timeout_ms is G_IO_ERROR_TIMED_OUT. */
void     mx_at_command_path    (const char *path, const char *command, guint timeout_ms,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
gchar   *mx_at_command_finish  (GAsyncResult *result, GError **error);

/* The probe: `AT` answered by `OK`. */
void     mx_at_probe           (MxKernelDevice *kdev, const char *dev_dir, guint timeout_ms,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean mx_at_probe_finish    (GAsyncResult *result, GError **error);

G_END_DECLS
