/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>
#include "mx-discovery-at-probe.h"
#include "mx-discovery-error.h"

/* A reply longer than this is not an answer to one command. */
#define MAX_REPLY 4096

typedef struct {
  gint     fd;
  gchar   *path;
  gchar   *command;
  GString *buf;
  GSource *io;
  GSource *timeout;
  GSource *cancel;
  guint    timeout_ms;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  if (ex->io) {
    g_source_destroy (ex->io);
    g_source_unref (ex->io);
  }
  if (ex->timeout) {
    g_source_destroy (ex->timeout);
    g_source_unref (ex->timeout);
  }
  if (ex->cancel) {
    g_source_destroy (ex->cancel);
    g_source_unref (ex->cancel);
  }
  if (ex->fd >= 0)
    close (ex->fd);
  g_string_free (ex->buf, TRUE);
  g_free (ex->path);
  g_free (ex->command);
  g_free (ex);
}

/* Ends the exchange once: sources gone before the callback runs. */
static void
finish (GTask *task, gchar *reply, GError *error)
{
  Exchange *ex = g_task_get_task_data (task);

  if (ex->io)
    g_source_destroy (ex->io);
  if (ex->timeout)
    g_source_destroy (ex->timeout);
  if (ex->cancel)
    g_source_destroy (ex->cancel);
  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, g_free);
  g_object_unref (task);
}

static gboolean
is_final_error (const char *line)
{
  return g_str_equal (line, "ERROR") || g_str_equal (line, "NO CARRIER") ||
         g_str_has_prefix (line, "+CME ERROR") || g_str_has_prefix (line, "+CMS ERROR");
}

/* TRUE once the buffer holds a final result line; fills the outcome. */
static gboolean
parse_reply (Exchange *ex, gchar **reply, GError **error)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) body = g_ptr_array_new ();
  const char *last = NULL;
  guint n;

  /* Only complete lines count; the final one ends with CR (and LF). */
  if (!ex->buf->len || (ex->buf->str[ex->buf->len - 1] != '\r' &&
                        ex->buf->str[ex->buf->len - 1] != '\n'))
    return FALSE;
  lines = g_strsplit_set (ex->buf->str, "\r\n", -1);
  n = g_strv_length (lines);
  for (guint i = 0; i < n; i++) {
    g_strstrip (lines[i]);
    if (!*lines[i])
      continue;
    if (g_str_equal (lines[i], "OK") || is_final_error (lines[i])) {
      last = lines[i];
      break;
    }
    /* The echo of our command (ATE1, the factory default). */
    if (body->len == 0 && g_ascii_strcasecmp (lines[i], ex->command) == 0)
      continue;
    g_ptr_array_add (body, lines[i]);
  }
  if (!last)
    return FALSE;
  if (!g_str_equal (last, "OK")) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_FAILED, "%s: '%s' answered %s",
                 ex->path, ex->command, last);
    return TRUE;
  }
  g_ptr_array_add (body, NULL);
  *reply = g_strjoinv ("\n", (gchar **) body->pdata);
  return TRUE;
}

static gboolean
readable (gint fd, GIOCondition condition, gpointer user_data)
{
  GTask *task = user_data;
  Exchange *ex = g_task_get_task_data (task);
  gchar chunk[256];
  gssize n;
  gchar *reply = NULL;
  GError *error = NULL;

  n = read (fd, chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0) {
    finish (task, NULL, g_error_new (MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_PROBE_FAILED,
                                     "%s: %s", ex->path,
                                     n < 0 ? g_strerror (errno) : "hung up"));
    return G_SOURCE_REMOVE;
  }
  g_string_append_len (ex->buf, chunk, n);
  if (parse_reply (ex, &reply, &error)) {
    finish (task, reply, error);
    return G_SOURCE_REMOVE;
  }
  if (ex->buf->len > MAX_REPLY) {
    finish (task, NULL, g_error_new (MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_PROBE_FAILED,
                                     "%s: no final result after %u bytes", ex->path, MAX_REPLY));
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
timed_out (gpointer user_data)
{
  GTask *task = user_data;
  Exchange *ex = g_task_get_task_data (task);

  finish (task, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                   "%s: no answer to '%s' within %u ms", ex->path, ex->command,
                                   ex->timeout_ms));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled (GCancellable *cancellable, gpointer user_data)
{
  finish (user_data, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled"));
  return G_SOURCE_REMOVE;
}

/* Raw 115200 8N1; a wwan AT port is no tty and takes the bytes as they are. */
static void
make_raw (gint fd)
{
  struct termios tio;

  if (tcgetattr (fd, &tio) != 0)
    return;
  cfmakeraw (&tio);
  cfsetispeed (&tio, B115200);
  cfsetospeed (&tio, B115200);
  tio.c_cflag |= CLOCAL | CREAD;
  tcsetattr (fd, TCSANOW, &tio);
  tcflush (fd, TCIFLUSH);
}

void
mx_at_command_path (const char *path, const char *command, guint timeout_ms,
                    GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Exchange *ex = g_new0 (Exchange, 1);
  g_autofree gchar *line = g_strconcat (command, "\r", NULL);
  GMainContext *context = g_main_context_get_thread_default ();
  gsize len = strlen (line);
  gssize written;

  ex->fd = -1;
  ex->path = g_strdup (path);
  ex->command = g_strdup (command);
  ex->buf = g_string_new (NULL);
  ex->timeout_ms = MAX (timeout_ms, 1);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);
  g_task_set_source_tag (task, mx_at_command_path);

  ex->fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (ex->fd < 0) {
    gint saved = errno;

    finish (task, NULL, g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                     "cannot open %s: %s", path, g_strerror (saved)));
    return;
  }
  make_raw (ex->fd);
  written = write (ex->fd, line, len);
  if (written != (gssize) len) {
    finish (task, NULL, g_error_new (MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_PROBE_FAILED,
                                     "%s: cannot write '%s': %s", path, command,
                                     written < 0 ? g_strerror (errno) : "short write"));
    return;
  }
  ex->io = g_unix_fd_source_new (ex->fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (ex->io, (GSourceFunc) (void (*) (void)) readable, task, NULL);
  g_source_attach (ex->io, context);
  ex->timeout = g_timeout_source_new (ex->timeout_ms);
  g_source_set_callback (ex->timeout, timed_out, task, NULL);
  g_source_attach (ex->timeout, context);
  if (cancellable) {
    ex->cancel = g_cancellable_source_new (cancellable);
    g_source_set_callback (ex->cancel, (GSourceFunc) (void (*) (void)) cancelled, task, NULL);
    g_source_attach (ex->cancel, context);
  }
}

gchar *
mx_at_command_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gchar *
mx_at_port_path (MxKernelDevice *kdev, const char *dev_dir)
{
  const char *devname = mx_kernel_device_get_property (kdev, "DEVNAME");

  if (devname && g_path_is_absolute (devname) && !dev_dir)
    return g_strdup (devname);
  return g_build_filename (dev_dir ? dev_dir : "/dev", mx_kernel_device_get_name (kdev), NULL);
}

static void
probe_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autofree gchar *reply = mx_at_command_finish (res, &error);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
mx_at_probe (MxKernelDevice *kdev, const char *dev_dir, guint timeout_ms,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree gchar *path = mx_at_port_path (kdev, dev_dir);

  g_task_set_source_tag (task, mx_at_probe);
  mx_at_command_path (path, "AT", timeout_ms, cancellable, probe_done, task);
}

gboolean
mx_at_probe_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
