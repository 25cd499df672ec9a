/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's life cycle on a private session bus (--test-session): "ready"
 * once the name is ours, "stopping" with holds for asynchronous clean-up, the
 * exit status, and the bus connection released at the end (g_test_dbus_down
 * waits for it, so a leaked reference hangs this test). */
#include "mx-core-daemon.h"

typedef struct {
  MxDaemon  *daemon;
  MxManager *ready_manager;
  gboolean   stopping;
  gboolean   released;
  int        quit_status;
} State;

static gboolean
quit_idle (gpointer user_data)
{
  State *st = user_data;

  mx_daemon_quit (st->daemon, st->quit_status);
  return G_SOURCE_REMOVE;
}

static void
on_ready (MxDaemon *daemon, MxManager *manager, State *st)
{
  GDBusConnection *bus = mx_manager_get_connection (manager);
  GVariant *owner;

  st->ready_manager = manager;
  g_assert_true (manager == mx_daemon_get_manager (daemon));
  /* We really own the name now. */
  owner = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", MX_DBUS_NAME), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_assert_nonnull (owner);
  g_variant_unref (owner);
  g_idle_add (quit_idle, st);
}

static gboolean
release_later (gpointer user_data)
{
  State *st = user_data;

  st->released = TRUE;
  mx_daemon_release (st->daemon);
  return G_SOURCE_REMOVE;
}

static void
on_stopping (MxDaemon *daemon, MxManager *manager, State *st)
{
  g_assert_true (manager == st->ready_manager);
  st->stopping = TRUE;
  mx_daemon_hold (daemon);
  g_timeout_add (20, release_later, st);
}

static void
run_once (int quit_status)
{
  GTestDBus *dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  const gchar *argv[] = { "modemuxd", "--test-session", NULL };
  MxContext *ctx;
  State st = { .quit_status = quit_status };
  int status;

  g_test_dbus_up (dbus);
  ctx = mx_context_parse (argv, NULL);
  st.daemon = mx_daemon_new (ctx);
  g_signal_connect (st.daemon, "ready", G_CALLBACK (on_ready), &st);
  g_signal_connect (st.daemon, "stopping", G_CALLBACK (on_stopping), &st);

  status = mx_daemon_run (st.daemon);

  g_assert_cmpint (status, ==, quit_status);
  g_assert_nonnull (st.ready_manager);
  g_assert_true (st.stopping);
  g_assert_true (st.released);  /* run() waited for the hold */
  g_assert_null (mx_daemon_get_manager (st.daemon));
  g_object_unref (st.daemon);
  mx_context_free (ctx);
  g_test_dbus_down (dbus);
  g_object_unref (dbus);
}

static void
test_ready_then_stopping_waits_for_holds (void)
{
  run_once (0);
}

static void
test_quit_status_is_the_exit_status (void)
{
  run_once (3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/daemon/ready-stopping-holds", test_ready_then_stopping_waits_for_holds);
  g_test_add_func ("/daemon/quit-status", test_quit_status_is_the_exit_status);
  return g_test_run ();
}
