/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-daemon"

#include <signal.h>
#include <glib-unix.h>

#include "mx-config.h"
#include "mx-core-daemon.h"
#include "mx-core-auth.h"
#include "mx-core-sd-notify.h"

#define DBUS_NAME      "org.freedesktop.DBus"
#define DBUS_PATH      "/org/freedesktop/DBus"
#define DBUS_INTERFACE "org.freedesktop.DBus"

struct _MxDaemon {
  GObject parent;

  const MxContext *ctx;
  GMainLoop       *loop;
  GCancellable    *cancellable;
  int              exit_status;
  gboolean         stopped;

  GDBusConnection *connection;
  gulong           closed_id;
  MxManager       *manager;
  guint            owner_id;
  gboolean         name_acquired;
  gboolean         ready_emitted;
  gchar           *other_owner;   /* unique name of whoever holds our name */
  guint            holds;         /* asynchronous clean-ups still running at stop */
  gboolean         stop_timed_out;
};

enum { SIGNAL_READY, SIGNAL_STOPPING, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxDaemon, mx_daemon, G_TYPE_OBJECT)

static const gchar *
bus_label (MxDaemon *self)
{
  return self->ctx->test_session ? "session" : "system";
}

void
mx_daemon_quit (MxDaemon *self, int status)
{
  g_return_if_fail (MX_IS_DAEMON (self));
  if (self->stopped)
    return;
  self->stopped = TRUE;
  self->exit_status = status;
  g_cancellable_cancel (self->cancellable);
  g_main_loop_quit (self->loop);
}

/* The name belongs to someone else: say who, in one line, and leave. */

static void
report_name_taken (MxDaemon *self, guint32 pid, gboolean have_pid)
{
  gchar pid_text[32] = "pid unknown";

  if (have_pid)
    g_snprintf (pid_text, sizeof pid_text, "pid %u", pid);
  g_printerr ("modemuxd: %s is already owned on the %s bus by %s (%s); "
              "not taking it over (is ModemManager or another modemuxd running?)\n",
              MX_DBUS_NAME, bus_label (self), self->other_owner ? self->other_owner : "?",
              pid_text);
  mx_daemon_quit (self, 1);
}

static void
owner_pid_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxDaemon *self = user_data;
  GVariant *reply;
  guint32 pid = 0;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, NULL);
  if (reply)
    g_variant_get (reply, "(u)", &pid);
  if (!self->stopped)
    report_name_taken (self, pid, reply != NULL);
  g_clear_pointer (&reply, g_variant_unref);
  g_object_unref (self);
}

static void
owner_name_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxDaemon *self = user_data;
  GVariant *reply;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, NULL);
  if (reply && !self->stopped) {
    g_variant_get (reply, "(s)", &self->other_owner);
    g_dbus_connection_call (self->connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE,
                            "GetConnectionUnixProcessID",
                            g_variant_new ("(s)", self->other_owner), G_VARIANT_TYPE ("(u)"),
                            G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, owner_pid_ready,
                            g_object_ref (self));
  } else if (!self->stopped) {
    /* Nobody owns it, yet we did not get it: the bus policy refused us (or
     * the owner left in between). */
    g_printerr ("modemuxd: could not own %s on the %s bus: not allowed by the bus policy "
                "(is modemux.conf installed in dbus-1/system.d?)\n",
                MX_DBUS_NAME, bus_label (self));
    mx_daemon_quit (self, 1);
  }
  g_clear_pointer (&reply, g_variant_unref);
  g_object_unref (self);
}

static void
name_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  MxDaemon *self = user_data;

  self->name_acquired = TRUE;
  g_info ("modemuxd %s running on the %s bus as %s", MX_VERSION, bus_label (self), name);
  self->ready_emitted = TRUE;
  g_signal_emit (self, signals[SIGNAL_READY], 0, self->manager);
  /* Clients find us from now on: tell systemd (Type=notify). */
  mx_sd_notify ("READY=1");
}

static void
name_lost_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  MxDaemon *self = user_data;

  if (self->stopped)
    return;
  if (!connection) {
    g_printerr ("modemuxd: lost the connection to the %s bus\n", bus_label (self));
    mx_daemon_quit (self, 1);
    return;
  }
  if (self->name_acquired) {
    /* We never allow replacement, so this only happens if the bus misbehaves. */
    g_printerr ("modemuxd: lost the bus name %s\n", name);
    mx_daemon_quit (self, 1);
    return;
  }
  /* DO_NOT_QUEUE: someone else owns it. Find out who, to tell the user. */
  g_dbus_connection_call (connection, DBUS_NAME, DBUS_PATH, DBUS_INTERFACE, "GetNameOwner",
                          g_variant_new ("(s)", name), G_VARIANT_TYPE ("(s)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, owner_name_ready,
                          g_object_ref (self));
}

static void
connection_closed_cb (GDBusConnection *connection, gboolean remote_peer_vanished,
                      GError *error, gpointer user_data)
{
  MxDaemon *self = user_data;

  if (self->stopped)
    return;
  g_printerr ("modemuxd: the %s bus went away%s%s\n", bus_label (self),
              error ? ": " : "", error ? error->message : "");
  mx_daemon_quit (self, 1);
}

static void
bus_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxDaemon *self = user_data;
  GError *error = NULL;
  GDBusConnection *connection;

  connection = g_bus_get_finish (res, &error);
  if (self->stopped) {
    g_clear_object (&connection);
    g_clear_error (&error);
    goto out;
  }
  if (!connection) {
    g_printerr ("modemuxd: cannot connect to the %s bus: %s\n", bus_label (self), error->message);
    g_error_free (error);
    mx_daemon_quit (self, 1);
    goto out;
  }
  self->connection = connection;
  /* We decide what a lost bus means (exit 1), not GDBus (which would raise SIGTERM). */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  self->closed_id = g_signal_connect (connection, "closed", G_CALLBACK (connection_closed_cb), self);

  mx_auth_setup (connection, self->ctx->test_session ? MX_AUTH_MODE_ALLOW_ALL : MX_AUTH_MODE_POLKIT);
  self->manager = mx_manager_new (connection);
  if (!mx_manager_export (self->manager, &error)) {
    g_printerr ("modemuxd: cannot export %s: %s\n", MX_MANAGER_PATH, error->message);
    g_error_free (error);
    mx_daemon_quit (self, 1);
    goto out;
  }
  /* Never steal the name and never wait in a queue for it: a running
   * ModemManager (or modemuxd) keeps it and we leave. */
  self->owner_id = g_bus_own_name_on_connection (connection, MX_DBUS_NAME,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 name_acquired_cb, name_lost_cb, self, NULL);
out:
  g_object_unref (self);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  MxDaemon *self = user_data;

  g_info ("caught signal, shutting down");
  mx_daemon_quit (self, 0);
  return G_SOURCE_CONTINUE;
}

void
mx_daemon_hold (MxDaemon *self)
{
  g_return_if_fail (MX_IS_DAEMON (self));
  self->holds++;
}

void
mx_daemon_release (MxDaemon *self)
{
  g_return_if_fail (MX_IS_DAEMON (self));
  g_return_if_fail (self->holds > 0);
  self->holds--;
  g_main_context_wakeup (NULL);
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  MxDaemon *self = user_data;

  g_warning ("%u clean-up(s) still running after %d s; exiting anyway",
             self->holds, MX_DAEMON_STOP_TIMEOUT_S);
  self->stop_timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets "stopping" handlers finish their asynchronous work. */
static void
wait_for_holds (MxDaemon *self)
{
  guint timeout_id;

  if (self->holds == 0)
    return;
  timeout_id = g_timeout_add_seconds (MX_DAEMON_STOP_TIMEOUT_S, stop_timeout_cb, self);
  while (self->holds > 0 && !self->stop_timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!self->stop_timed_out)
    g_source_remove (timeout_id);
}

static void
teardown (MxDaemon *self)
{
  if (self->ready_emitted) {
    self->ready_emitted = FALSE;
    mx_sd_notify ("STOPPING=1");
    g_signal_emit (self, signals[SIGNAL_STOPPING], 0, self->manager);
    wait_for_holds (self);
  }

  /* Releases the name (synchronously) so that a successor can take it at once. */
  if (self->owner_id)
    g_bus_unown_name (self->owner_id);
  self->owner_id = 0;
  if (self->manager)
    mx_manager_unexport (self->manager);
  g_clear_object (&self->manager);
  mx_auth_shutdown ();

  if (self->connection) {
    g_signal_handler_disconnect (self->connection, self->closed_id);
    g_dbus_connection_flush_sync (self->connection, NULL, NULL);
    g_clear_object (&self->connection);
  }
}

int
mx_daemon_run (MxDaemon *self)
{
  guint sigterm_id, sigint_id;
  guint i;

  g_return_val_if_fail (MX_IS_DAEMON (self), 1);

  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, self);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, self);

  g_bus_get (mx_context_bus_type (self->ctx), self->cancellable, bus_ready, g_object_ref (self));
  if (!self->stopped)
    g_main_loop_run (self->loop);

  teardown (self);
  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  /* Let cancelled calls deliver their callbacks so that nothing stays
   * referenced; bounded, in case some source is always ready. */
  for (i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_debug ("exiting with status %d", self->exit_status);
  return self->exit_status;
}

MxManager *
mx_daemon_get_manager (MxDaemon *self)
{
  g_return_val_if_fail (MX_IS_DAEMON (self), NULL);
  return self->manager;
}

const MxContext *
mx_daemon_get_context (MxDaemon *self)
{
  g_return_val_if_fail (MX_IS_DAEMON (self), NULL);
  return self->ctx;
}

MxDaemon *
mx_daemon_new (const MxContext *ctx)
{
  MxDaemon *self;

  g_return_val_if_fail (ctx != NULL, NULL);
  self = g_object_new (MX_TYPE_DAEMON, NULL);
  self->ctx = ctx;
  return self;
}

static void
mx_daemon_init (MxDaemon *self)
{
  self->loop = g_main_loop_new (NULL, FALSE);
  self->cancellable = g_cancellable_new ();
}

static void
mx_daemon_dispose (GObject *object)
{
  MxDaemon *self = MX_DAEMON (object);

  teardown (self);
  G_OBJECT_CLASS (mx_daemon_parent_class)->dispose (object);
}

static void
mx_daemon_finalize (GObject *object)
{
  MxDaemon *self = MX_DAEMON (object);

  g_main_loop_unref (self->loop);
  g_object_unref (self->cancellable);
  g_free (self->other_owner);
  G_OBJECT_CLASS (mx_daemon_parent_class)->finalize (object);
}

static void
mx_daemon_class_init (MxDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_daemon_dispose;
  object_class->finalize = mx_daemon_finalize;

  signals[SIGNAL_READY] = g_signal_new ("ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, MX_TYPE_MANAGER);
  signals[SIGNAL_STOPPING] = g_signal_new ("stopping", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, MX_TYPE_MANAGER);
}
