/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Manager's seams for later components, on a private bus:
 * modem export/unexport through the ObjectManager, object paths, and the
 * device hooks behind ScanDevices. */
#include <libmm-glib.h>
#include "mx-config.h"
#include "mx-core-manager.h"
#include "mx-test-util.h"

typedef struct {
  MxTestBench      bench;     /* private bus, the daemon's side, MxManager */
  GDBusConnection *client;
  MxManager       *manager;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  mx_test_bench_init (&f->bench, "manager");
  mx_test_bench_start_manager (&f->bench);
  f->manager = f->bench.manager;
  f->client = mx_test_bench_connect (&f->bench);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_dbus_connection_close_sync (f->client, NULL, NULL);
  g_clear_object (&f->client);
  mx_test_bench_clear (&f->bench);
}

/* Calls @method on the manager from the client side, running the main loop
 * until the reply arrives. */
typedef struct {
  GVariant *reply;
  GError   *error;
} Reply;

static Reply
call_manager (Fixture *f, const gchar *interface, const gchar *method, GVariant *args)
{
  MxTestWait w = { NULL, FALSE };
  Reply r = { 0 };

  g_dbus_connection_call (f->client, g_dbus_connection_get_unique_name (f->bench.connection),
                          MX_MANAGER_PATH, interface, method, args, NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, method);
  r.reply = g_dbus_connection_call_finish (f->client, w.result, &r.error);
  g_object_unref (w.result);
  return r;
}

static guint
count_managed_objects (Fixture *f)
{
  Reply r = call_manager (f, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL);
  GVariant *objects;
  guint n;

  g_assert_no_error (r.error);
  objects = g_variant_get_child_value (r.reply, 0);
  n = g_variant_n_children (objects);
  g_variant_unref (objects);
  g_variant_unref (r.reply);
  return n;
}

static GDBusObjectSkeleton *
new_modem (void)
{
  MmGdbusObjectSkeleton *object = mm_gdbus_object_skeleton_new ("/unplaced");
  MmGdbusModem *modem = mm_gdbus_modem_skeleton_new ();

  mm_gdbus_object_skeleton_set_modem (object, modem);
  g_object_unref (modem);
  return G_DBUS_OBJECT_SKELETON (object);
}

static void
test_modems_get_increasing_paths_that_are_not_reused (Fixture *f, gconstpointer data)
{
  GDBusObjectSkeleton *a = new_modem (), *b = new_modem (), *c = new_modem ();

  g_assert_cmpuint (count_managed_objects (f), ==, 0);
  g_assert_cmpstr (mx_manager_export_modem (f->manager, a), ==, MX_MANAGER_PATH "/Modem/0");
  g_assert_cmpstr (mx_manager_export_modem (f->manager, b), ==, MX_MANAGER_PATH "/Modem/1");
  g_assert_cmpuint (mx_manager_get_n_modems (f->manager), ==, 2);
  g_assert_cmpuint (count_managed_objects (f), ==, 2);

  g_assert_true (mx_manager_unexport_modem (f->manager, MX_MANAGER_PATH "/Modem/0"));
  g_assert_false (mx_manager_unexport_modem (f->manager, MX_MANAGER_PATH "/Modem/0"));
  g_assert_cmpuint (count_managed_objects (f), ==, 1);

  g_assert_cmpstr (mx_manager_export_modem (f->manager, c), ==, MX_MANAGER_PATH "/Modem/2");
  g_assert_cmpuint (mx_manager_get_n_modems (f->manager), ==, 2);
  g_object_unref (a);
  g_object_unref (b);
  g_object_unref (c);
}

static void
test_object_paths_count_per_kind (Fixture *f, gconstpointer data)
{
  gchar *p;

  p = mx_manager_new_object_path (f->manager, "Bearer");
  g_assert_cmpstr (p, ==, MX_MANAGER_PATH "/Bearer/0");
  g_free (p);
  p = mx_manager_new_object_path (f->manager, "Bearer");
  g_assert_cmpstr (p, ==, MX_MANAGER_PATH "/Bearer/1");
  g_free (p);
  p = mx_manager_new_object_path (f->manager, "SIM");
  g_assert_cmpstr (p, ==, MX_MANAGER_PATH "/SIM/0");
  g_free (p);
}

static void
test_version_property_is_modemux_version (Fixture *f, gconstpointer data)
{
  Reply r = call_manager (f, "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", "org.freedesktop.ModemManager1", "Version"));
  GVariant *value;

  g_assert_no_error (r.error);
  g_variant_get (r.reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, MX_VERSION);
  g_variant_unref (value);
  g_variant_unref (r.reply);
}

static void
test_scan_devices_without_hooks_is_unsupported (Fixture *f, gconstpointer data)
{
  Reply r = call_manager (f, "org.freedesktop.ModemManager1", "ScanDevices", NULL);

  g_assert_error (r.error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_clear_error (&r.error);
}

static void
scan_hook (gpointer user_data, GDBusMethodInvocation *invocation)
{
  (*(guint *) user_data)++;
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
test_scan_devices_reaches_the_discovery_hook (Fixture *f, gconstpointer data)
{
  static const MxManagerDeviceHooks hooks = { .scan_devices = scan_hook };
  guint calls = 0;
  Reply r;

  mx_manager_set_device_hooks (f->manager, &hooks, &calls);
  r = call_manager (f, "org.freedesktop.ModemManager1", "ScanDevices", NULL);
  g_assert_no_error (r.error);
  g_assert_cmpuint (calls, ==, 1);
  g_variant_unref (r.reply);

  /* Hooks without a ReportKernelEvent handler still say Unsupported for it. */
  r = call_manager (f, "org.freedesktop.ModemManager1", "ReportKernelEvent",
                    g_variant_new_parsed ("({'action': <'add'>, 'subsystem': <'net'>, 'name': <'x'>},)"));
  g_assert_error (r.error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_clear_error (&r.error);

  mx_manager_set_device_hooks (f->manager, NULL, NULL);
  r = call_manager (f, "org.freedesktop.ModemManager1", "ScanDevices", NULL);
  g_assert_error (r.error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_clear_error (&r.error);
  g_assert_cmpuint (calls, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/manager/modem-paths", test_modems_get_increasing_paths_that_are_not_reused);
  ADD ("/manager/object-paths", test_object_paths_count_per_kind);
  ADD ("/manager/version", test_version_property_is_modemux_version);
  ADD ("/manager/scan-unsupported", test_scan_devices_without_hooks_is_unsupported);
  ADD ("/manager/scan-hook", test_scan_devices_reaches_the_discovery_hook);
  return g_test_run ();
}
