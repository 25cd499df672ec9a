/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <libqmi-glib.h>
#include "mx-discovery-error.h"
#include "mx-discovery-port-probe.h"

typedef struct {
  gchar   *path;
  guint    timeout_s;
  gboolean use_proxy;
} ProbeContext;

static void
probe_context_free (ProbeContext *ctx)
{
  g_free (ctx->path);
  g_free (ctx);
}

static void
device_close_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!qmi_device_close_finish (QMI_DEVICE (source), res, &error))
    g_debug ("closing probed port failed: %s", error->message);
}

static void
device_open_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeContext *ctx = g_task_get_task_data (task);
  QmiDevice *device = QMI_DEVICE (source);
  g_autoptr(GError) error = NULL;

  if (!qmi_device_open_finish (device, res, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
    g_task_return_new_error (task, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_PROBE_FAILED,
                             "%s did not answer a QMI request within %u s: %s",
                             ctx->path, ctx->timeout_s, error->message);
    return;
  }
  g_debug ("%s answered QMI", ctx->path);
  /* The control plane opens the port again later; do not hold it. */
  qmi_device_close_async (device, 1, NULL, device_close_ready, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
device_new_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ProbeContext *ctx = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(QmiDevice) device = qmi_device_new_finish (res, &error);
  QmiDeviceOpenFlags flags = QMI_DEVICE_OPEN_FLAGS_VERSION_INFO;
  GCancellable *cancellable;

  if (!device) {
    g_task_return_new_error (task, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_PROBE_FAILED,
                             "cannot use %s as a QMI port: %s", ctx->path, error->message);
    return;
  }
  if (ctx->use_proxy)
    flags |= QMI_DEVICE_OPEN_FLAGS_PROXY;
  cancellable = g_task_get_cancellable (task);
  qmi_device_open (device, flags, ctx->timeout_s, cancellable, device_open_ready,
                   g_steal_pointer (&task));
}

void
mx_port_probe_qmi_path (const char *path, guint timeout_s, gboolean use_proxy,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ProbeContext *ctx = g_new0 (ProbeContext, 1);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  ctx->path = g_strdup (path);
  ctx->timeout_s = MAX (timeout_s, 1);
  ctx->use_proxy = use_proxy;
  g_task_set_task_data (task, ctx, (GDestroyNotify) probe_context_free);
  g_task_set_source_tag (task, mx_port_probe_qmi_path);
  qmi_device_new (file, cancellable, device_new_ready, task);
}

void
mx_port_probe_qmi (MxKernelDevice *kdev, const char *dev_dir, guint timeout_s, gboolean use_proxy,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  const char *devname = mx_kernel_device_get_property (kdev, "DEVNAME");
  g_autofree gchar *path = NULL;

  /* DEVNAME may be relative ("wwan0qmi0") in uevent files. */
  if (devname && g_path_is_absolute (devname) && !dev_dir)
    path = g_strdup (devname);
  else
    path = g_build_filename (dev_dir ? dev_dir : "/dev", mx_kernel_device_get_name (kdev), NULL);
  mx_port_probe_qmi_path (path, timeout_s, use_proxy, cancellable, callback, user_data);
}

gboolean
mx_port_probe_qmi_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
