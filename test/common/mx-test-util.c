/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-test"
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <glib/gstdio.h>

#include "mx-core-auth.h"
#include "mx-test-util.h"

static guint timeout_s = 20;

/* The running bench's bus, the session bus of the tools we run. */
static gchar *session_bus_address;

/* ---- main loop ---- */

void
mx_test_set_timeout (guint seconds)
{
  timeout_s = seconds;
}

static gboolean
watchdog_cb (gpointer what)
{
  g_error ("timed out waiting for %s", (const char *) what);
  return G_SOURCE_REMOVE;
}

guint
mx_test_watchdog_add (const char *what)
{
  return g_timeout_add_seconds (timeout_s, watchdog_cb, (gpointer) what);
}

void
mx_test_iterate_until (const gboolean *done, const char *what)
{
  MX_TEST_RUN_UNTIL (*done, what);
}

void
mx_test_wait_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  MxTestWait *w = data;

  w->result = g_object_ref (res);
  w->done = TRUE;
}

/* ---- tools ---- */

void
mx_test_run_free (MxTestRun *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}

static void
communicate_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxTestRun *r = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), res, &r->out, &r->err, &error))
    g_error ("communicate: %s", error->message);
  r->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  r->done = TRUE;
}

MxTestRun *
mx_test_run_argv (const gchar * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  MxTestRun *r = g_new0 (MxTestRun, 1);

  if (session_bus_address)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", session_bus_address, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicate_ready, r);
  MX_TEST_RUN_UNTIL (r->done, argv[0]);
  g_test_message ("%s %s ... -> %d\n%s%s", argv[0], argv[1], r->status, r->out, r->err);
  return r;
}

static MxTestRun *
mmcli_va (const gchar *first, const gchar *extra, va_list ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "/usr/bin/mmcli");
  g_ptr_array_add (argv, (gpointer) "--test-session");
  if (extra)
    g_ptr_array_add (argv, (gpointer) extra);
  for (const gchar *a = first; a; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  g_ptr_array_add (argv, NULL);
  return mx_test_run_argv ((const gchar * const *) argv->pdata);
}

MxTestRun *
mx_test_mmcli (const gchar *first, ...)
{
  MxTestRun *r;
  va_list ap;

  va_start (ap, first);
  r = mmcli_va (first, NULL, ap);
  va_end (ap);
  return r;
}

GHashTable *
mx_test_mmcli_kv (const gchar *first, ...)
{
  GHashTable *kv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(MxTestRun) r = NULL;
  g_auto(GStrv) lines = NULL;
  va_list ap;

  va_start (ap, first);
  r = mmcli_va (first, "-K", ap);
  va_end (ap);
  g_assert_cmpint (r->status, ==, 0);
  lines = g_strsplit (r->out, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    gchar *colon = strstr (lines[i], " : ");

    if (!colon)
      continue;
    *colon = '\0';
    g_hash_table_insert (kv, g_strdup (g_strstrip (lines[i])), g_strdup (g_strstrip (colon + 3)));
  }
  return kv;
}

/* ---- modems ---- */

typedef struct {
  gboolean done;
  GError  *error;
} InitResult;

static void
initialize_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  InitResult *r = user_data;

  mx_modem_initialize_finish (MX_MODEM (source), res, &r->error);
  r->done = TRUE;
}

GError *
mx_test_modem_initialize (MxModem *modem)
{
  InitResult r = { 0 };

  mx_modem_initialize (modem, NULL, initialize_ready, &r);
  MX_TEST_RUN_UNTIL (r.done, "modem initialization");
  if (!r.error)
    mx_modem_export (modem);
  return r.error;
}

/* ---- the bench ---- */

void
mx_test_bench_init (MxTestBench *b, const gchar *name)
{
  g_autofree gchar *template = g_strdup_printf ("mx-%s-XXXXXX", name);
  g_autoptr(GError) error = NULL;

  b->tmpdir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  b->control = g_build_filename (b->tmpdir, "control", NULL);
  /* libqmi insists on a special file, even through the proxy. */
  b->device = g_build_filename (b->tmpdir, "wwan0qmi0", NULL);
  g_assert_cmpint (mknod (b->device, S_IFCHR | 0600, makedev (1, 3)), ==, 0);
}

static gchar *
scenario_path (const gchar *scenarios_env, const gchar *name)
{
  const gchar *dir = scenarios_env ? g_getenv (scenarios_env) : NULL;

  if (dir) {
    gchar *path = g_build_filename (dir, name, NULL);
    if (g_file_test (path, G_FILE_TEST_EXISTS))
      return path;
    g_free (path);
  }
  return g_build_filename (g_getenv ("MODEMUX_SIM_SCENARIOS"), name, NULL);
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
splice_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), res, NULL);
  g_object_unref (source);
}

void
mx_test_bench_start_sim (MxTestBench *b, const gchar *scenarios_env, const gchar *scenario, ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree gchar *path = scenario_path (scenarios_env, scenario);
  g_autofree gchar *log = g_build_filename (b->tmpdir, "sim.log", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree gchar *line = NULL;
  va_list ap;

  g_assert_nonnull (g_getenv ("MODEMUX_SIM"));
  g_ptr_array_add (argv, (gpointer) g_getenv ("MODEMUX_SIM"));
  g_ptr_array_add (argv, (gpointer) "--scenario");
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, (gpointer) "--qmi-proxy");
  g_ptr_array_add (argv, (gpointer) "--control");
  g_ptr_array_add (argv, b->control);
  g_ptr_array_add (argv, (gpointer) "--log");
  g_ptr_array_add (argv, log);
  va_start (ap, scenario);
  for (const gchar *a = va_arg (ap, const gchar *); a; a = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  b->sim = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The simulator prints one line once its proxy socket listens. */
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (b->sim));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "modemux-sim ready");
  /* Keep draining its stdout so it can never block on a full pipe. */
  g_output_stream_splice_async (g_memory_output_stream_new_resizable (), G_INPUT_STREAM (in),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                splice_done, NULL);
}

gchar *
mx_test_bench_sim_ctl (MxTestBench *b, const gchar *command, const gchar *arg)
{
  const gchar *argv[] = { g_getenv ("MODEMUX_SIM"), "--ctl", b->control, command, arg, NULL };
  g_autoptr(MxTestRun) r = mx_test_run_argv (argv);

  g_assert_cmpint (r->status, ==, 0);
  return g_steal_pointer (&r->out);
}

GDBusConnection *
mx_test_bench_connect (MxTestBench *b)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *c;

  c = g_dbus_connection_new_for_address_sync (b->bus_address,
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                              G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  g_assert_no_error (error);
  return c;
}

/* A private bus (not GTestDBus: its watcher outlives a failed test and keeps
 * the test runner's pipes open). */
static void
start_bus (MxTestBench *b)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree gchar *conf = g_build_filename (b->tmpdir, "bus.conf", NULL);
  g_autofree gchar *socket = g_build_filename (b->tmpdir, "bus", NULL);
  g_autofree gchar *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree gchar *line = NULL;

  text = g_strdup_printf ("<busconfig><type>session</type><listen>unix:path=%s</listen>"
                          "<auth>EXTERNAL</auth><policy context=\"default\">"
                          "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                          "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>",
                          socket);
  g_assert_true (g_file_set_contents (conf, text, -1, &error));
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  b->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork", "--nopidfile",
                                        "--print-address=1", "--config-file", conf, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (b->bus));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  b->bus_address = g_strdup (g_strstrip (line));
  g_free (session_bus_address);
  session_bus_address = g_strdup (b->bus_address);
  b->connection = mx_test_bench_connect (b);
  g_unlink (conf);
}

static void
name_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  ((MxTestBench *) user_data)->name_acquired = TRUE;
}

void
mx_test_bench_start_manager (MxTestBench *b)
{
  g_autoptr(GError) error = NULL;

  start_bus (b);
  mx_auth_setup (b->connection, MX_AUTH_MODE_ALLOW_ALL);
  b->manager = mx_manager_new (b->connection);
  g_assert_true (mx_manager_export (b->manager, &error));
  g_assert_no_error (error);
  b->owner_id = g_bus_own_name_on_connection (b->connection, "org.freedesktop.ModemManager1",
                                              G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                              name_acquired_cb, NULL, b, NULL);
  MX_TEST_RUN_UNTIL (b->name_acquired, "the bus name");
}

static void
stop_process (GSubprocess **proc)
{
  if (!*proc)
    return;
  g_subprocess_send_signal (*proc, SIGTERM);
  g_subprocess_wait (*proc, NULL, NULL);
  g_clear_object (proc);
}

static void
unlink_in (MxTestBench *b, const gchar *name)
{
  g_autofree gchar *path = g_build_filename (b->tmpdir, name, NULL);

  g_unlink (path);
}

void
mx_test_bench_clear (MxTestBench *b)
{
  if (b->manager) {
    g_bus_unown_name (b->owner_id);
    mx_manager_unexport (b->manager);
    g_clear_object (&b->manager);
    mx_auth_shutdown ();
  }
  if (b->connection) {
    g_dbus_connection_close_sync (b->connection, NULL, NULL);
    g_clear_object (&b->connection);
  }
  stop_process (&b->bus);
  g_clear_pointer (&session_bus_address, g_free);
  g_clear_pointer (&b->bus_address, g_free);
  stop_process (&b->sim);
  g_unlink (b->device);
  g_unlink (b->control);
  unlink_in (b, "bus");
  if (g_getenv ("MX_BENCH_KEEP_SIM_LOG")) {
    /* bench/bearers.sh MX_BENCH_KEEP_SIM_LOG=FILE: the simulator's log of
     * the run, for a timeline of where the time goes. */
    g_autofree gchar *log = g_build_filename (b->tmpdir, "sim.log", NULL);
    g_autoptr(GFile) from = g_file_new_for_path (log);
    g_autoptr(GFile) to = g_file_new_for_path (g_getenv ("MX_BENCH_KEEP_SIM_LOG"));

    g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL);
  }
  unlink_in (b, "sim.log");
  g_rmdir (b->tmpdir);
  g_clear_pointer (&b->device, g_free);
  g_clear_pointer (&b->control, g_free);
  g_clear_pointer (&b->tmpdir, g_free);
}
