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
#include <string.h>

#include "mx-modem.h"
#include "mx-test-util.h"

typedef struct {
  MxTestBench  bench;   /* simulator, private bus, MxManager */
  MxModem     *modem;
  guint        modem_removed;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer scenario)
{
  mx_test_bench_init (&f->bench, "modem");
  mx_test_bench_start_sim (&f->bench, "MX_MODEM_SCENARIOS", scenario, NULL);
  mx_test_bench_start_manager (&f->bench);
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
  mx_test_bench_clear (&f->bench);
}

static void
sim_ctl (Fixture *f, const gchar *command, const gchar *arg)
{
  g_free (mx_test_bench_sim_ctl (&f->bench, command, arg));
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
    .control_path = f->bench.device,
  };
  MxModem *modem = mx_modem_new (f->bench.manager, &config);

  g_signal_connect (modem, "removed", G_CALLBACK (removed_cb), f);
  return modem;
}

static GError *
try_create_modem (Fixture *f)
{
  GError *error;

  f->modem = new_mhi_modem (f);
  error = mx_test_modem_initialize (f->modem);
  if (error)
    g_clear_object (&f->modem);
  return error;
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
  g_autoptr(MxTestRun) list = NULL;

  create_modem (f);
  list = mx_test_mmcli ("-L", NULL);
  g_assert_cmpint (list->status, ==, 0);
  g_assert_nonnull (strstr (list->out, "/org/freedesktop/ModemManager1/Modem/0"));
  g_assert_nonnull (strstr (list->out, "SIMULATED SDX55"));

  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.manufacturer", "QUALCOMM INCORPORATED");
  mx_test_assert_kv (kv, "modem.generic.model", "SIMULATED SDX55");
  mx_test_assert_kv (kv, "modem.generic.revision", "SIM.1.0-00001-STD");
  mx_test_assert_kv (kv, "modem.generic.equipment-identifier", "490154203237518");
  mx_test_assert_kv (kv, "modem.3gpp.imei", "490154203237518");
  mx_test_assert_kv (kv, "modem.generic.plugin", "mhi");
  mx_test_assert_kv (kv, "modem.generic.primary-port", "wwan0qmi0");
  mx_test_assert_kv (kv, "modem.generic.ports.value[1]", "wwan0qmi0 (qmi)");
  mx_test_assert_kv (kv, "modem.generic.ports.value[2]", "mhi_hwip0 (net)");
  mx_test_assert_kv (kv, "modem.generic.ports.value[3]", "mhi_swip0 (net)");
  mx_test_assert_kv (kv, "modem.generic.drivers.value[1]", "mhi-pci-generic");
  mx_test_assert_kv (kv, "modem.generic.drivers.value[2]", "mhi_net");
  mx_test_assert_kv (kv, "modem.generic.device", "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0");
  mx_test_assert_kv (kv, "modem.generic.state", "disabled");
  mx_test_assert_kv (kv, "modem.generic.power-state", "on");
  mx_test_assert_kv (kv, "modem.generic.own-numbers.value[1]", "+15555550100");
  /* mmcli prints "--" for MM_MODEM_LOCK_NONE. */
  mx_test_assert_kv (kv, "modem.generic.unlock-required", "--");
  g_assert_cmpuint (mm_gdbus_modem_get_unlock_required (mx_modem_peek_modem_iface (f->modem)), ==,
                    MM_MODEM_LOCK_NONE);
  g_assert_cmpstr (g_hash_table_lookup (kv, "modem.generic.sim"), ==, "/org/freedesktop/ModemManager1/SIM/0");
}

static void
test_sim (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;

  create_modem (f);
  kv = mx_test_mmcli_kv ("-i", "0", NULL);
  mx_test_assert_kv (kv, "sim.properties.iccid", "8944500102198304826");
  mx_test_assert_kv (kv, "sim.properties.imsi", "001010123456789");
  mx_test_assert_kv (kv, "sim.properties.operator-code", "00101");
  mx_test_assert_kv (kv, "sim.properties.active", "yes");
}

/* Modem.Simple.GetStatus from a second connection (we serve the first). */
static GVariant *
simple_get_status (Fixture *f)
{
  g_autoptr(GDBusConnection) client = mx_test_bench_connect (&f->bench);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  MxTestWait w = { NULL, FALSE };
  GVariant *status = NULL;

  g_dbus_connection_call (client, "org.freedesktop.ModemManager1", mx_modem_get_path (f->modem),
                          "org.freedesktop.ModemManager1.Modem.Simple", "GetStatus", NULL,
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "Simple.GetStatus");
  reply = g_dbus_connection_call_finish (client, w.result, &error);
  g_object_unref (w.result);
  g_assert_no_error (error);
  g_variant_get (reply, "(@a{sv})", &status);
  g_dbus_connection_close_sync (client, NULL, NULL);
  return status;
}

static gboolean
signal_quality_is_recent (MxModem *modem, guint *quality)
{
  GVariant *q = mm_gdbus_modem_get_signal_quality (mx_modem_peek_modem_iface (modem));
  guint value = 0;
  gboolean recent = FALSE;

  if (q)
    g_variant_get (q, "(ub)", &value, &recent);
  if (quality)
    *quality = value;
  return recent;
}

/* The simulator's `signal RSSI`: the modem's indications tell the change. */
static void
sim_signal (Fixture *f, const gchar *rssi)
{
  const gchar *argv[] = { g_getenv ("MODEMUX_SIM"), "--ctl", f->bench.control, "--", "signal", rssi, NULL };
  g_autoptr(MxTestRun) r = mx_test_run_argv (argv);

  g_assert_cmpint (r->status, ==, 0);
}

static void
test_enable_registers (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(MxTestRun) enable = NULL;
  g_autoptr(MxTestRun) disable = NULL;
  guint quality = 0;

  create_modem (f);
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  /* The scenario is registered from the start: Enable completes with the
   * registration already read; later changes come as indications. The
   * signal is read once registered (NAS Get Signal Info). */
  MX_TEST_RUN_UNTIL (signal_quality_is_recent (f->modem, NULL), "a recent signal quality");
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.state", "registered");
  mx_test_assert_kv (kv, "modem.generic.power-state", "on");
  mx_test_assert_kv (kv, "modem.3gpp.registration-state", "home");
  mx_test_assert_kv (kv, "modem.3gpp.operator-code", "00101");
  mx_test_assert_kv (kv, "modem.3gpp.operator-name", "Simulated Network");
  mx_test_assert_kv (kv, "modem.generic.access-technologies.value[1]", "lte");
  /* Scenario RSSI -65 dBm on the CSQ scale (-113..-51 dBm). */
  mx_test_assert_kv (kv, "modem.generic.signal-quality.value", "78");

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

  /* RSSI -89 dBm, told by NAS Signal Info (and Event Report) indications. */
  sim_signal (f, "-89");
  MX_TEST_RUN_UNTIL (signal_quality_is_recent (f->modem, &quality) && quality == 39, "signal quality 39 %");

  /* Registration lost and found again, announced by NAS indications only. */
  sim_ctl (f, "register", "searching");
  MX_TEST_RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_SEARCHING, "state searching");
  sim_ctl (f, "register", "roaming");
  MX_TEST_RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_REGISTERED, "state registered");
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.3gpp.registration-state", "roaming");

  disable = mx_test_mmcli ("-m", "0", "-d", NULL);
  g_assert_cmpint (disable->status, ==, 0);
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.state", "disabled");
  mx_test_assert_kv (kv, "modem.generic.power-state", "low");
  mx_test_assert_kv (kv, "modem.3gpp.registration-state", "idle");
}

static void
test_power_state (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(MxTestRun) low = NULL;
  g_autoptr(MxTestRun) enable = NULL;
  g_autoptr(MxTestRun) refused = NULL;

  create_modem (f);
  low = mx_test_mmcli ("-m", "0", "--set-power-state-low", NULL);
  g_assert_cmpint (low->status, ==, 0);
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.power-state", "low");

  /* Power changes are for disabled modems only. */
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  refused = mx_test_mmcli ("-m", "0", "--set-power-state-low", NULL);
  g_assert_cmpint (refused->status, !=, 0);
  g_assert_nonnull (strstr (refused->err, "WrongState"));
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.power-state", "on");
  mx_test_assert_kv (kv, "modem.generic.state", "registered");
}

static void
test_pin_locked (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(MxTestRun) wrong = NULL;
  g_autoptr(MxTestRun) right = NULL;
  g_autoptr(MxTestRun) enable = NULL;

  create_modem (f);
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.state", "locked");
  mx_test_assert_kv (kv, "modem.generic.unlock-required", "sim-pin");
  mx_test_assert_kv (kv, "modem.generic.unlock-retries.value[1]", "sim-pin (3)");

  /* Enabling a locked modem is refused with a reason. */
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, !=, 0);
  g_assert_nonnull (strstr (enable->err, "SIM is locked"));

  wrong = mx_test_mmcli ("-i", "0", "--pin=0000", NULL);
  g_assert_cmpint (wrong->status, !=, 0);
  g_assert_nonnull (strstr (wrong->err, "IncorrectPassword"));
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.state", "locked");
  mx_test_assert_kv (kv, "modem.generic.unlock-retries.value[1]", "sim-pin (2)");

  right = mx_test_mmcli ("-i", "0", "--pin=1234", NULL);
  g_assert_cmpint (right->status, ==, 0);
  MX_TEST_RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_DISABLED, "state disabled after unlock");
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.unlock-required", "--");
  mx_test_assert_kv (kv, "modem.generic.state", "disabled");
  g_hash_table_unref (g_steal_pointer (&kv));
  kv = mx_test_mmcli_kv ("-i", "0", NULL);
  mx_test_assert_kv (kv, "sim.properties.imsi", "262011234567890");
  mx_test_assert_kv (kv, "sim.properties.operator-code", "26201");
}

static void
test_flaky_identity (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;

  /* Failed identity requests leave properties empty, not the modem absent. */
  create_modem (f);
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.manufacturer", "QUALCOMM INCORPORATED");
  mx_test_assert_kv (kv, "modem.generic.model", "--");
  mx_test_assert_kv (kv, "modem.generic.equipment-identifier", "--");
  mx_test_assert_kv (kv, "modem.generic.revision", "SIM.1.0-00001-STD");
  mx_test_assert_kv (kv, "modem.generic.state", "disabled");
}

static void
test_no_sim_fails (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(MxTestRun) enable = NULL;

  create_modem (f);
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.state", "failed");
  mx_test_assert_kv (kv, "modem.generic.state-failed-reason", "sim-missing");
  mx_test_assert_kv (kv, "modem.generic.manufacturer", "QUALCOMM INCORPORATED");
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, !=, 0);
  g_assert_nonnull (strstr (enable->err, "failed state"));
}

static void
test_sim_removed_fails (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) kv = NULL;
  g_autoptr(MxTestRun) enable = NULL;

  create_modem (f);
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  /* The card goes while registered: a UIM Card Status indication. */
  sim_ctl (f, "remove-sim", NULL);
  MX_TEST_RUN_UNTIL (mx_modem_get_state (f->modem) == MM_MODEM_STATE_FAILED, "state failed");
  kv = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (kv, "modem.generic.state-failed-reason", "sim-missing");
  mx_test_assert_kv (kv, "modem.generic.sim", "--");
  mx_test_assert_kv (kv, "modem.3gpp.registration-state", "idle");
}

static void
test_port_hangup_removes (Fixture *f, gconstpointer scenario)
{
  g_autoptr(MxTestRun) list = NULL;

  create_modem (f);
  sim_ctl (f, "hangup", NULL);
  MX_TEST_RUN_UNTIL (f->modem_removed > 0, "the modem's removed signal");
  mx_modem_remove (f->modem);
  list = mx_test_mmcli ("-L", NULL);
  g_assert_nonnull (strstr (list->out, "No modems were found"));
}

static void
test_silent_port_no_modem (Fixture *f, gconstpointer scenario)
{
  GError *error = try_create_modem (f);
  g_autoptr(MxTestRun) list = NULL;

  /* The control port opens, then DMS never answers: no modem at all, and
   * the error names the step that timed out. */
  g_assert_error (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT);
  g_assert_true (g_str_has_prefix (error->message, "DMS Get Manufacturer failed: "));
  g_error_free (error);
  list = mx_test_mmcli ("-L", NULL);
  g_assert_nonnull (strstr (list->out, "No modems were found"));
}

static void
test_unsupported_connect (Fixture *f, gconstpointer scenario)
{
  g_autoptr(MxTestRun) connect = NULL;

  /* Without the bearer layer, Simple.Connect says so. */
  create_modem (f);
  connect = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet", NULL);
  g_assert_cmpint (connect->status, !=, 0);
  g_assert_nonnull (strstr (connect->err, "Unsupported"));
  g_assert_nonnull (strstr (connect->err, "bearer component"));
}

/* A stand-in bearer layer that only records what the modem asks of it. */
#define FAKE_TYPE_BEARERS (fake_bearers_get_type ())
G_DECLARE_FINAL_TYPE (FakeBearers, fake_bearers, FAKE, BEARERS, GObject)

struct _FakeBearers {
  GObject      parent;
  MxModem     *modem;
  guint        disconnect_all_calls;
  MMModemState state_at_disconnect_all;
};

static void fake_bearers_iface_init (MxModemBearerListInterface *iface);
G_DEFINE_TYPE_WITH_CODE (FakeBearers, fake_bearers, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MX_TYPE_MODEM_BEARER_LIST, fake_bearers_iface_init))

static void
fake_unsupported (MxModemBearerList *list, GDBusMethodInvocation *invocation, gconstpointer arg)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                         "fake bearer list");
}

static void
fake_disconnect_all (MxModemBearerList *list, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  FakeBearers *self = FAKE_BEARERS (list);
  GTask *task = g_task_new (list, cancellable, callback, user_data);

  self->disconnect_all_calls++;
  self->state_at_disconnect_all = mx_modem_get_state (self->modem);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static gboolean
fake_disconnect_all_finish (MxModemBearerList *list, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
fake_lose_all (MxModemBearerList *list, const gchar *reason)
{
}

static gboolean
fake_check_simple_connect (MxModemBearerList *list, GVariant *properties, GError **error)
{
  return TRUE;
}

static void
fake_bearers_iface_init (MxModemBearerListInterface *iface)
{
  iface->simple_connect = (gpointer) fake_unsupported;
  iface->simple_disconnect = (gpointer) fake_unsupported;
  iface->create_bearer = (gpointer) fake_unsupported;
  iface->delete_bearer = (gpointer) fake_unsupported;
  iface->disconnect_all = fake_disconnect_all;
  iface->disconnect_all_finish = fake_disconnect_all_finish;
  iface->lose_all = fake_lose_all;
  iface->check_simple_connect = fake_check_simple_connect;
}

static void fake_bearers_init (FakeBearers *self) {}
static void fake_bearers_class_init (FakeBearersClass *klass) {}

static void
test_disable_disconnects_bearers_first (Fixture *f, gconstpointer scenario)
{
  g_autoptr(FakeBearers) bearers = g_object_new (FAKE_TYPE_BEARERS, NULL);
  g_autoptr(MxTestRun) enable = NULL;
  g_autoptr(MxTestRun) disable = NULL;

  create_modem (f);
  bearers->modem = f->modem;
  mx_modem_set_bearer_list (f->modem, MX_MODEM_BEARER_LIST (bearers));
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  disable = mx_test_mmcli ("-m", "0", "-d", NULL);
  g_assert_cmpint (disable->status, ==, 0);
  g_assert_cmpuint (bearers->disconnect_all_calls, ==, 1);
  g_assert_cmpint (bearers->state_at_disconnect_all, ==, MM_MODEM_STATE_DISABLING);
  g_assert_cmpint (mx_modem_get_state (f->modem), ==, MM_MODEM_STATE_DISABLED);
  mx_modem_set_bearer_list (f->modem, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  mx_test_set_timeout (40);
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
