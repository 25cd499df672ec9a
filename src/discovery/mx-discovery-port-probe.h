/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Confirms that a char device is a QMI control port by opening it with
 * libqmi (QmiDevice, CTL Get Version Info) with a timeout; cancellable. A
 * port that does not answer in time is not a control port. */
#pragma once
#include <gio/gio.h>
#include "mx-discovery-kernel-device.h"

G_BEGIN_DECLS

#define MX_PORT_PROBE_TIMEOUT_DEFAULT_S 5
/* A port that did not answer is probed again (the device manager): this
 * many times, the first after this delay, each next after twice the last. */
#define MX_PORT_PROBE_RETRIES_DEFAULT   4
#define MX_PORT_PROBE_RETRY_DELAY_S     1

/* @dev_dir: where device nodes live ("/dev" when NULL). @use_proxy: open
 * through qmi-proxy (as the daemon does, so other tools can share the port). */
void     mx_port_probe_qmi        (MxKernelDevice *kdev, const char *dev_dir, guint timeout_s,
                                   gboolean use_proxy, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_port_probe_qmi_finish (GAsyncResult *result, GError **error);

/* Same on an explicit path (unit tests probe a PTY). */
void     mx_port_probe_qmi_path   (const char *path, guint timeout_s, gboolean use_proxy,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);

G_END_DECLS
