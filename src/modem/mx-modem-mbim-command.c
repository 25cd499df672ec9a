/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-mbim.h"

typedef struct {
  gchar       *what;
  MbimMessage *failed;
} CommandCtx;

static void
command_ctx_free (CommandCtx *c)
{
  g_free (c->what);
  if (c->failed)
    mbim_message_unref (c->failed);
  g_free (c);
}

static void
command_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  CommandCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MbimMessage *response;

  response = mbim_device_command_finish (MBIM_DEVICE (source), res, &error);
  if (response && !mbim_message_response_get_result (response, MBIM_MESSAGE_TYPE_COMMAND_DONE, &error)) {
    c->failed = response;
    response = NULL;
  }
  if (!response) {
    g_prefix_error (&error, "%s: ", c->what);
    g_task_return_error (task, error);
  } else {
    g_task_return_pointer (task, response, (GDestroyNotify) mbim_message_unref);
  }
  g_object_unref (task);
}

void
mx_mbim_command (MbimDevice *device, MbimMessage *request, const gchar *what, guint timeout_s,
                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (device, cancellable, callback, user_data);
  CommandCtx *c = g_new0 (CommandCtx, 1);

  c->what = g_strdup (what);
  g_task_set_task_data (task, c, (GDestroyNotify) command_ctx_free);
  g_debug ("%s", what);
  mbim_device_command (device, request, timeout_s, cancellable, command_ready, task);
}

MbimMessage *
mx_mbim_command_finish (GAsyncResult *res, MbimMessage **failed_response, GError **error)
{
  CommandCtx *c = g_task_get_task_data (G_TASK (res));

  if (failed_response)
    *failed_response = c->failed ? mbim_message_ref (c->failed) : NULL;
  return g_task_propagate_pointer (G_TASK (res), error);
}

gboolean
mx_mbim_error_is_timeout (const GError *error)
{
  return g_error_matches (error, MBIM_CORE_ERROR, MBIM_CORE_ERROR_TIMEOUT) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}
