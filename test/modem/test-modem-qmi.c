/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMI modem control plane against the simulator, read by the real mmcli.
 *
 * Each test runs the modem component in this process exactly as modemuxd
 * does (MxManager on a bus that owns org.freedesktop.ModemManager1, MxModem
 * on a control port opened through qmi-proxy) with the simulator as the
 * fake qmi-proxy. meson runs the binary under `unshare -n`, so the abstract
 * @qmi-proxy socket is private to it. The bus is a private dbus-daemon
 * used as session bus, and mmcli runs with --test-session.
 *
 * Environment: MODEMUX_SIM (simulator binary), MX_MODEM_SCENARIOS (this
 * directory's scenarios), MODEMUX_SIM_SCENARIOS (the simulator's). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <glib/gstdio.h>

#include "mx-auth.h"
#include "mx-manager.h"
#include "mx-modem.h"

#define WAIT_TIMEOUT_S 40

/* The private bus of the running test, for mmcli's environment. */
static gchar *bus_address;

typedef struct {
  gchar           *tmpdir;
  gchar           *device;      /* special file standing for /dev/wwan0qmi0 */
  gchar           *control;     /* simulator control socket */
  GSubprocess     *sim;
  GSubprocess     *bus;         /* our own dbus-daemon, dies with us */
  GDBusConnection *connection;
  MxManager       *manager;
  guint            owner_id;
  gboolean         name_acquired;
  MxModem         *modem;
  guint            modem_removed;
} Fixture;

/* ------------------------------------------------------------------------ */
/* Main loop helpers: everything the modem does happens while we iterate.   */

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const gchar *) user_data);
  return G_SOURCE_REMOVE;
}

#define RUN_UNTIL(cond, what)                                                    \
  G_STMT_START {                                                                 \
    guint _t = g_timeout_add_seconds (WAIT_TIMEOUT_S, timeout_cb, (gpointer) (what)); \
    while (!(cond))                                                              \
      g_main_context_iteration (NULL, TRUE);                                     \
    g_source_remove (_t);                                                        \
  } G_STMT_END

typedef struct {
  gboolean done;
  gint     status;
  gchar   *out;
  gchar   *err;
} RunResult;

static void
communicate_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  RunResult *r = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), res, &r->out, &r->err, &error))
    g_error ("mmcli: %s", error->message);
  r->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  r->done = TRUE;
}

/* Runs the real mmcli against our bus while the main loop keeps serving it. */
static RunResult *
mmcli (const gchar *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  RunResult *r = g_new0 (RunResult, 1);
  const gchar *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) "/usr/bin/mmcli");
  g_ptr_array_add (argv, (gpointer) "--test-session");
  va_start (ap, first);
  for (arg = first; arg; arg = va_arg (ap, const gchar *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
    proc = g_subprocess_launcher_spawnv (launcher, (const gchar * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, communicate_ready, r);
  RUN_UNTIL (r->done, "mmcli");
  g_test_message ("mmcli %s ... -> %d\n%s%s", first, r->status, r->out, r->err);
  return r;
}

static void
run_result_free (RunResult *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RunResult, run_result_free)

/* `mmcli -K` output as key -> value ("modem.generic.model" -> "..."). */
static GHashTable *
mmcli_kv (const gchar *first, ...)
{
  GHashTable *kv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(RunResult) r = NULL;
  g_auto(GStrv) lines = NULL;
  const gchar *args[8] = { 0 };
  const gchar *arg;
  guint n = 0, i;
  va_list ap;

  va_start (ap, first);
  for (arg = first; arg && n < 6; arg = va_arg (ap, const gchar *))
    args[n++] = arg;
  va_end (ap);
  args[n++] = "-K";
  r = mmcli (args[0], args[1], args[2], args[3], args[4], args[5], args[6], NULL);
  g_assert_cmpint (r->status, ==, 0);
  lines = g_strsplit (r->out, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar *colon = strstr (lines[i], " : ");
    if (!colon)
      continue;
    *colon = '\0';
    g_hash_table_insert (kv, g_strdup (g_strstrip (lines[i])), g_strdup (g_strstrip (colon + 3)));
  }
  return kv;
}

#define assert_kv(kv, key, expected) \
  g_assert_cmpstr (g_hash_table_lookup ((kv), (key)), ==, (expected))

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */

static gchar *
scenario_path (const gchar *name)
{
  const gchar *dir = g_getenv ("MX_MODEM_SCENARIOS");

  if (dir) {
    gchar *path = g_build_filename (dir, name, NULL);
    if (g_file_test (path, G_FILE_TEST_EXISTS))
      return path;
    g_free (path);
  }
  return g_build_filename (g_getenv ("MODEMUX_SIM_SCENARIOS"), name, NULL);
}

/* The simulator must not outlive a crashed test. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_simulator (Fixture *f, const gchar *scenario)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree gchar *path = scenario_path (scenario);
  g_autofree gchar *log = g_build_filename (f->tmpdir, "sim.log", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree gchar *line = NULL;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  f->sim = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("MODEMUX_SIM"),
                                        "--scenario", path, "--qmi-proxy", "--control", f->control,
                                        "--log", log, NULL);
  g_assert_no_error (error);
  /* The simulator prints one line once its proxy socket listens. */
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->sim));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "modemux-sim ready");
}

/* A private bus (not GTestDBus: its watcher outlives a failed test and keeps
 * the test runner's pipes open). */
static void
start_bus (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree gchar *conf = g_build_filename (f->tmpdir, "bus.conf", NULL);
  g_autofree gchar *socket = g_build_filename (f->tmpdir, "bus", NULL);
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
  f->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork", "--nopidfile",
                                        "--print-address=1", "--config-file", conf, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->bus));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_free (bus_address);
  bus_address = g_strdup (g_strstrip (line));
  f->connection = g_dbus_connection_new_for_address_sync (bus_address,
                                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                          G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &error);
  g_assert_no_error (error);
  g_unlink (conf);
}

static void
sim_ctl (Fixture *f, const gchar *command, const gchar *arg)
{
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("MODEMUX_SIM"),
                           "--ctl", f->control, command, arg, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (proc, NULL, &error);
  g_assert_no_error (error);
}

static void
name_acquired_cb (GDBusConnection *connection, const gchar *name, gpointer user_data)
{
  ((Fixture *) user_data)->name_acquired = TRUE;
}

static void
fixture_setup (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("mx-modem-XXXXXX", &error);
  g_assert_no_error (error);
  f->control = g_build_filename (f->tmpdir, "control", NULL);
  /* libqmi insists on a special file, even through the proxy. */
  f->device = g_build_filename (f->tmpdir, "wwan0qmi0", NULL);
  g_assert_cmpint (mknod (f->device, S_IFCHR | 0600, makedev (1, 3)), ==, 0);
  start_simulator (f, scenario);

  start_bus (f);
  mx_auth_setup (f->connection, MX_AUTH_MODE_ALLOW_ALL);
  f->manager = mx_manager_new (f->connection);
  g_assert_true (mx_manager_export (f->manager, &error));
  g_assert_no_error (error);
  f->owner_id = g_bus_own_name_on_connection (f->connection, "org.freedesktop.ModemManager1",
                                              G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                              name_acquired_cb, NULL, f, NULL);
  RUN_UNTIL (f->name_acquired, "the bus name");
}

static void
fixture_teardown (Fixture *f, gconstpointer scenario)
{
  if (f->modem) {
    mx_modem_remove (f->modem);
    g_clear_object (&f->modem);
  }
  /* Let the port release its clients and close. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_bus_unown_name (f->owner_id);
  mx_manager_unexport (f->manager);
  g_clear_object (&f->manager);
  mx_auth_shutdown ();
  g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  g_subprocess_send_signal (f->bus, SIGTERM);
  g_subprocess_wait (f->bus, NULL, NULL);
  g_clear_object (&f->bus);
  g_subprocess_send_signal (f->sim, SIGTERM);
  g_subprocess_wait (f->sim, NULL, NULL);
  g_clear_object (&f->sim);
  g_unlink (f->device);
  g_unlink (f->control);
  {
    g_autofree gchar *socket = g_build_filename (f->tmpdir, "bus", NULL);
    g_unlink (socket);
  }
  {
    g_autofree gchar *log = g_build_filename (f->tmpdir, "sim.log", NULL);
    g_unlink (log);
  }
  g_rmdir (f->tmpdir);
  g_free (f->device);
  g_free (f->control);
  g_free (f->tmpdir);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} InitResult;

static void
initialize_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  InitResult *r = user_data;

  r->ok = mx_modem_initialize_finish (MX_MODEM (source), res, &r->error);
  r->done = TRUE;
}

static void
removed_cb (MxModem *modem, Fixture *f)
{
  f->modem_removed++;
}

/* An MHI modem as discovery describes it (the MHI QMI fixture). */
static MxModem *
new_mhi_modem (Fixture *f)
{
  MxModemPort ports[] = {
    { (gchar *) "wwan0qmi0", MM_MODEM_PORT_TYPE_QMI },
    { (gchar *) "mhi_hwip0", MM_MODEM_PORT_TYPE_NET },
    { (gchar *) "mhi_swip0", MM_MODEM_PORT_TYPE_NET },
  };
  gchar *drivers[] = { (gchar *) "mhi-pci-generic", (gchar *) "mhi_net", NULL };
  MxModemConfig config = {
    .uid = (gchar *) "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0",
    .plugin = (gchar *) "mhi",
    .drivers = drivers,
    .ports = ports,
    .n_ports = G_N_ELEMENTS (ports),
    .control_port = (gchar *) "wwan0qmi0",
    .control_path = f->device,
  };
  MxModem *modem = mx_modem_new (f->manager, &config);

  g_signal_connect (modem, "removed", G_CALLBACK (removed_cb), f);
  return modem;
}

static GError *
try_create_modem (Fixture *f)
{
  InitResult r = { 0 };

  f->modem = new_mhi_modem (f);
  mx_modem_initialize (f->modem, NULL, initialize_ready, &r);
  RUN_UNTIL (r.done, "modem initialization");
  if (!r.ok) {
    g_clear_object (&f->modem);
    return r.error;
  }
  mx_modem_export (f->modem);
  return NULL;
}

static void
create_modem (Fixture *f)
{
  GError *error = try_create_modem (f);

  g_assert_no_error (error);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */

static void
test_identity (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(RunResult) list = NULL;

  create_modem (f);
  list = mmcli ("-L", NULL);
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "/org/freedesktop/ModemManager1/Modem/0"));
  g_assert_nonnull (strstr (list->out, "SIMULATED SDX55"));

  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.manufacturer", "QUALCOMM INCORPORATED");
  assert_kv (kv, "modem.generic.model", "SIMULATED SDX55");
  assert_kv (kv, "modem.generic.revision", "SIM.1.0-00001-STD");
  assert_kv (kv, "modem.generic.equipment-identifier", "490154203237518");
  assert_kv (kv, "modem.3gpp.imei", "490154203237518");
  assert_kv (kv, "modem.generic.plugin", "mhi");
  assert_kv (kv, "modem.generic.primary-port", "wwan0qmi0");
  assert_kv (kv, "modem.generic.ports.value[1]", "wwan0qmi0 (qmi)");
  assert_kv (kv, "modem.generic.ports.value[2]", "mhi_hwip0 (net)");
  assert_kv (kv, "modem.generic.ports.value[3]", "mhi_swip0 (net)");
  assert_kv (kv, "modem.generic.drivers.value[1]", "mhi-pci-generic");
  assert_kv (kv, "modem.generic.drivers.value[2]", "mhi_net");
  assert_kv (kv, "modem.generic.device", "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0");
  assert_kv (kv, "modem.generic.state", "disabled");
  assert_kv (kv, "modem.generic.power-state", "on");
  assert_kv (kv, "modem.generic.own-numbers.value[1]", "+15555550100");
  /* mmcli prints "--" for MM_MODEM_LOCK_NONE. */
  assert_kv (kv, "modem.generic.unlock-required", "--");
  g_assert_cmpuint (mm_gdbus_modem_get_unlock_required (mx_modem_peek_modem_iface (f->modem)), ==,
                    MM_MODEM_LOCK_NONE);
  g_assert_cmpstr (g_hash_table_lookup (kv, "modem.generic.sim"), ==, "/org/freedesktop/ModemManager1/SIM/0");
}

static void
test_sim (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;

  create_modem (f);
  kv = mmcli_kv ("-i", "0", NULL);
  assert_kv (kv, "sim.properties.iccid", "8944500102198304826");
  assert_kv (kv, "sim.properties.imsi", "001010123456789");
  assert_kv (kv, "sim.properties.operator-code", "00101");
  assert_kv (kv, "sim.properties.active", "yes");
}

typedef struct {
  gboolean  done;
  GVariant *reply;
} CallResult;

static void
call_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CallResult *r = user_data;
  g_autoptr(GError) error = NULL;

  r->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);
  g_assert_no_error (error);
  r->done = TRUE;
}

/* Modem.Simple.GetStatus from a second connection (we serve the first). */
static GVariant *
simple_get_status (Fixture *f)
{
  g_autoptr(GDBusConnection) client = NULL;
  g_autoptr(GError) error = NULL;
  CallResult r = { 0 };
  GVariant *status = NULL;

  client = g_dbus_connection_new_for_address_sync (bus_address,
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_call (client, "org.freedesktop.ModemManager1", mx_modem_get_path (f->modem),
                          "org.freedesktop.ModemManager1.Modem.Simple", "GetStatus", NULL,
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, call_ready, &r);
  RUN_UNTIL (r.done, "Simple.GetStatus");
  g_variant_get (r.reply, "(@a{sv})", &status);
  g_variant_unref (r.reply);
  g_dbus_connection_close_sync (client, NULL, NULL);
  return status;
}

static void
test_enable_registers (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(RunResult) enable = NULL;
  g_autoptr(RunResult) disable = NULL;

  create_modem (f);
  enable = mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  /* The scenario is registered from the start: Enable completes with the
   * registration already read; later changes come as indications. */
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.state", "registered");
  assert_kv (kv, "modem.generic.power-state", "on");
  assert_kv (kv, "modem.3gpp.registration-state", "home");
  assert_kv (kv, "modem.3gpp.operator-code", "00101");
  assert_kv (kv, "modem.3gpp.operator-name", "Simulated Network");
  assert_kv (kv, "modem.generic.access-technologies.value[1]", "lte");
  /* Scenario RSSI -65 dBm on the CSQ scale (-113..-51 dBm). */
  assert_kv (kv, "modem.generic.signal-quality.value", "77");

  {
    /* (mmcli --simple-status ignores --test-session: ask directly.) */
    g_autoptr(GVariant) status = simple_get_status (f);
    guint32 state = 0;
    const gchar *code = NULL;
    g_assert_true (g_variant_lookup (status, "state", "u", &state));
    g_assert_cmpuint (state, ==, MM_MODEM_STATE_REGISTERED);
    g_assert_true (g_variant_lookup (status, "m3gpp-operator-code", "&s", &code));
    g_assert_cmpstr (code, ==, "00101");
  }

  /* Registration lost and found again, announced by NAS indications only. */
  sim_ctl (f, "register", "searching");
  RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_SEARCHING, "state searching");
  sim_ctl (f, "register", "roaming");
  RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_REGISTERED, "state registered");
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.3gpp.registration-state", "roaming");

  disable = mmcli ("-m", "0", "-d", NULL);
  g_assert_cmpint (disable->status, ==, 0);
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.state", "disabled");
  assert_kv (kv, "modem.generic.power-state", "low");
  assert_kv (kv, "modem.3gpp.registration-state", "idle");
}

static void
test_power_state (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(RunResult) low = NULL;
  g_autoptr(RunResult) enable = NULL;
  g_autoptr(RunResult) refused = NULL;

  create_modem (f);
  low = mmcli ("-m", "0", "--set-power-state-low", NULL);
  g_assert_cmpint (low->status, ==, 0);
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.power-state", "low");

  /* Power changes are for disabled modems only. */
  enable = mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  refused = mmcli ("-m", "0", "--set-power-state-low", NULL);
  g_assert_cmpint (refused->status, !=, 0);
  g_assert_nonnull (strstr (refused->err, "WrongState"));
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.power-state", "on");
  assert_kv (kv, "modem.generic.state", "registered");
}

static void
test_pin_locked (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(RunResult) wrong = NULL;
  g_autoptr(RunResult) right = NULL;
  g_autoptr(RunResult) enable = NULL;

  create_modem (f);
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.state", "locked");
  assert_kv (kv, "modem.generic.unlock-required", "sim-pin");
  assert_kv (kv, "modem.generic.unlock-retries.value[1]", "sim-pin (3)");

  /* Enabling a locked modem is refused with a reason. */
  enable = mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, !=, 0);
  g_assert_nonnull (strstr (enable->err, "SIM is locked"));

  wrong = mmcli ("-i", "0", "--pin=0000", NULL);
  g_assert_cmpint (wrong->status, !=, 0);
  g_assert_nonnull (strstr (wrong->err, "IncorrectPassword"));
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.state", "locked");
  assert_kv (kv, "modem.generic.unlock-retries.value[1]", "sim-pin (2)");

  right = mmcli ("-i", "0", "--pin=1234", NULL);
  g_assert_cmpint (right->status, ==, 0);
  RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_DISABLED, "state disabled after unlock");
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.unlock-required", "--");
  assert_kv (kv, "modem.generic.state", "disabled");
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mmcli_kv ("-i", "0", NULL);
  assert_kv (kv, "sim.properties.imsi", "262011234567890");
  assert_kv (kv, "sim.properties.operator-code", "26201");
}

static void
test_flaky_identity (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;

  /* Failed identity requests leave properties empty, not the modem absent. */
  create_modem (f);
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.manufacturer", "QUALCOMM INCORPORATED");
  assert_kv (kv, "modem.generic.model", "--");
  assert_kv (kv, "modem.generic.equipment-identifier", "--");
  assert_kv (kv, "modem.generic.revision", "SIM.1.0-00001-STD");
  assert_kv (kv, "modem.generic.state", "disabled");
}

static void
test_no_sim_fails (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(RunResult) enable = NULL;

  create_modem (f);
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.state", "failed");
  assert_kv (kv, "modem.generic.state-failed-reason", "sim-missing");
  assert_kv (kv, "modem.generic.manufacturer", "QUALCOMM INCORPORATED");
  enable = mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, !=, 0);
  g_assert_nonnull (strstr (enable->err, "failed state"));
}

static void
test_sim_removed_fails (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(RunResult) enable = NULL;

  create_modem (f);
  enable = mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  /* The card goes while registered: a UIM Card Status indication. */
  sim_ctl (f, "remove-sim", NULL);
  RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_FAILED, "state failed");
  kv = mmcli_kv ("-m", "0", NULL);
  assert_kv (kv, "modem.generic.state-failed-reason", "sim-missing");
  assert_kv (kv, "modem.generic.sim", "--");
  assert_kv (kv, "modem.3gpp.registration-state", "idle");
}

static void
test_port_hangup_removes (Fixture *f, gconstpointer scenario)
{
  g_autoptr(RunResult) list = NULL;

  create_modem (f);
  sim_ctl (f, "hangup", NULL);
  RUN_UNTIL (f->modem_removed > 0, "the modem's removed signal");
  mx_modem_remove (f->modem);
  list = mmcli ("-L", NULL);
  g_assert_nonnull (strstr (list->out, "No modems were found"));
}

static void
test_silent_port_no_modem (Fixture *f, gconstpointer scenario)
{
  GError *error = try_create_modem (f);
  g_autoptr(RunResult) list = NULL;

  /* The control port opens, then DMS never answers: no modem at all, and
   * the error names the step that timed out. */
  g_assert_error (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "DMS Get Manufacturer"));
  g_error_free (error);
  list = mmcli ("-L", NULL);
  g_assert_nonnull (strstr (list->out, "No modems were found"));
}

static void
test_unsupported_connect (Fixture *f, gconstpointer scenario)
{
  g_autoptr(RunResult) connect = NULL;

  /* Without the bearer component, Simple.Connect says so. */
  mx_modem_set_bearer_hooks (NULL, NULL);
  create_modem (f);
  connect = mmcli ("-m", "0", "--simple-connect=apn=internet", NULL);
  g_assert_cmpint (connect->status, !=, 0);
  g_assert_nonnull (strstr (connect->err, "Unsupported"));
  g_assert_nonnull (strstr (connect->err, "bearer component"));
}

/* A stand-in bearer component that only records what the modem asks. */
static guint disconnect_all_calls;
static MMModemState state_at_disconnect_all;

static void
fake_disconnect_all (MxModem *modem, GAsyncReadyCallback callback, gpointer callback_data,
                     gpointer user_data)
{
  GTask *task = g_task_new (modem, NULL, callback, callback_data);

  disconnect_all_calls++;
  state_at_disconnect_all = mx_modem_get_state (modem);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
fake_disconnect_all_finish (MxModem *modem, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
test_disable_disconnects_bearers_first (Fixture *f, gconstpointer scenario)
{
  static const MxModemBearerHooks hooks = {
    .disconnect_all = fake_disconnect_all,
    .disconnect_all_finish = fake_disconnect_all_finish,
  };
  g_autoptr(RunResult) enable = NULL;
  g_autoptr(RunResult) disable = NULL;

  mx_modem_set_bearer_hooks (&hooks, NULL);
  create_modem (f);
  enable = mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  disconnect_all_calls = 0;
  disable = mmcli ("-m", "0", "-d", NULL);
  g_assert_cmpint (disable->status, ==, 0);
  g_assert_cmpuint (disconnect_all_calls, ==, 1);
  g_assert_cmpint (state_at_disconnect_all, ==, MM_MODEM_STATE_DISABLING);
  g_assert_cmpint (mx_modem_get_state (f->modem), ==, MM_MODEM_STATE_DISABLED);
  mx_modem_set_bearer_hooks (NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* libqmi warns that our stand-in device file is no wwan/usbmisc port:
   * warnings are not fatal here, criticals are. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  if (!g_getenv ("MODEMUX_SIM")) {
    g_printerr ("MODEMUX_SIM is not set (run through meson test)\n");
    return 1;
  }
#define ADD(name, scenario, fn) \
  g_test_add (name, Fixture, scenario, fixture_setup, fn, fixture_teardown)
  ADD ("/modem/identity", "default.conf", test_identity);
  ADD ("/modem/sim", "default.conf", test_sim);
  ADD ("/modem/enable-registers", "default.conf", test_enable_registers);
  ADD ("/modem/power-state", "default.conf", test_power_state);
  ADD ("/modem/pin-locked", "pin-locked.conf", test_pin_locked);
  ADD ("/modem/flaky-identity", "flaky-identity.conf", test_flaky_identity);
  ADD ("/modem/no-sim", "no-sim.conf", test_no_sim_fails);
  ADD ("/modem/sim-removed", "default.conf", test_sim_removed_fails);
  ADD ("/modem/port-hangup-removes", "default.conf", test_port_hangup_removes);
  ADD ("/modem/silent-port-no-modem", "silent-dms.conf", test_silent_port_no_modem);
  ADD ("/modem/disable-disconnects-bearers", "default.conf", test_disable_disconnects_bearers_first);
  ADD ("/modem/connect-without-bearers", "default.conf", test_unsupported_connect);
  return g_test_run ();
}
