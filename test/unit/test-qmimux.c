/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qmi_wwan sysfs (qmi/raw_ip, pass_through, add_mux, del_mux; qmap/mux_id)
 * on a fixture tree, including the driver's ordering rules: raw_ip before
 * pass_through when enabling, pass_through cleared before raw_ip when
 * disabling. */
#include <string.h>
#include <glib/gstdio.h>
#include "mx-link-error.h"
#include "mx-link-qmimux.h"
#include "mx-test-util.h"

typedef struct {
  gchar *root;
  gchar *qmi;
} Fixture;

static void
put (const char *dir, const char *file, const char *value)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_assert_true (g_file_set_contents (path, value, -1, NULL));
}

static gchar *
get (const char *dir, const char *file)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  gchar *s = NULL;

  g_assert_true (g_file_get_contents (path, &s, NULL, NULL));
  return s;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree gchar *qmap = NULL;

  f->root = g_dir_make_tmp ("mx-qmi-XXXXXX", NULL);
  f->qmi = g_build_filename (f->root, "class", "net", "wwan0", "qmi", NULL);
  qmap = g_build_filename (f->root, "class", "net", "qmimux0", "qmap", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->qmi, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (qmap, 0755), ==, 0);
  put (f->qmi, "raw_ip", "N\n");
  put (f->qmi, "pass_through", "N\n");
  put (f->qmi, "add_mux", "0x01\n0x81\n");
  put (f->qmi, "del_mux", "");
  put (qmap, "mux_id", "0x81\n");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  const char *cmd[] = { "rm", "-rf", f->root, NULL };
  g_assert_true (g_spawn_sync (NULL, (gchar **) cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
  g_free (f->root);
  g_free (f->qmi);
}

static gboolean
set_format (Fixture *f, MxQmiWwanFormat format, GError **error)
{
  MxTestWait w = { NULL, FALSE };
  gboolean ok;

  mx_qmimux_set_format_async (f->root, "wwan0", format, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the format switch");
  ok = mx_qmimux_set_format_finish (w.result, error);
  g_object_unref (w.result);
  return ok;
}

/* A fixture file cannot refuse an out-of-order write as the driver does,
 * so the order is read from the files' modification times. */
static void
test_format_read_and_switch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *raw = NULL, *pt = NULL;
  GStatBuf st_raw, st_pt;
  g_autofree gchar *raw_path = g_build_filename (f->qmi, "raw_ip", NULL);
  g_autofree gchar *pt_path = g_build_filename (f->qmi, "pass_through", NULL);

  g_assert_cmpint (mx_qmimux_get_format (f->root, "wwan0", NULL), ==, MX_QMI_WWAN_FORMAT_802_3);
  g_assert_true (set_format (f, MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH, &error));
  g_assert_no_error (error);
  raw = get (f->qmi, "raw_ip");
  pt = get (f->qmi, "pass_through");
  g_assert_cmpint (raw[0], ==, 'Y');
  g_assert_cmpint (pt[0], ==, 'Y');
  g_assert_cmpint (mx_qmimux_get_format (f->root, "wwan0", NULL), ==, MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH);
  g_assert_cmpint (g_stat (raw_path, &st_raw), ==, 0);
  g_assert_cmpint (g_stat (pt_path, &st_pt), ==, 0);
  g_assert_true (st_raw.st_mtim.tv_sec < st_pt.st_mtim.tv_sec ||
                 (st_raw.st_mtim.tv_sec == st_pt.st_mtim.tv_sec &&
                  st_raw.st_mtim.tv_nsec <= st_pt.st_mtim.tv_nsec)); /* raw_ip first */

  g_assert_true (set_format (f, MX_QMI_WWAN_FORMAT_802_3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (raw_path, &st_raw), ==, 0);
  g_assert_cmpint (g_stat (pt_path, &st_pt), ==, 0);
  g_assert_true (st_pt.st_mtim.tv_sec < st_raw.st_mtim.tv_sec ||
                 (st_pt.st_mtim.tv_sec == st_raw.st_mtim.tv_sec &&
                  st_pt.st_mtim.tv_nsec <= st_raw.st_mtim.tv_nsec)); /* pass_through cleared first */
  g_assert_cmpint (mx_qmimux_get_format (f->root, "wwan0", NULL), ==, MX_QMI_WWAN_FORMAT_802_3);

  g_assert_true (set_format (f, MX_QMI_WWAN_FORMAT_RAW_IP, &error));
  g_assert_cmpint (mx_qmimux_get_format (f->root, "wwan0", NULL), ==, MX_QMI_WWAN_FORMAT_RAW_IP);
}

/* A switch refused half-way leaves the framing it found: here
 * pass_through cannot be opened (a directory in the fixture), after raw_ip
 * was already set on the way to QMAP pass-through; raw_ip goes back to N.
 * (The kernel's own refusal, a bridge port's, is the VM test
 * usb-framing-refused.sh.) */
static void
test_refused_switch_rolls_back (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pt_path = g_build_filename (f->qmi, "pass_through", NULL);
  g_autofree gchar *raw = NULL;

  g_assert_cmpint (g_unlink (pt_path), ==, 0);
  g_assert_cmpint (g_mkdir (pt_path, 0755), ==, 0);
  g_assert_false (set_format (f, MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "pass_through"));
  raw = get (f->qmi, "raw_ip");
  g_assert_cmpint (raw[0], ==, 'N');
  g_assert_cmpint (mx_qmimux_get_format (f->root, "wwan0", NULL), ==, MX_QMI_WWAN_FORMAT_802_3);
}

static void
test_not_a_qmi_wwan (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mx_qmimux_get_format (f->root, "eth0", &error), ==, MX_QMI_WWAN_FORMAT_UNKNOWN);
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE);
  g_clear_error (&error);
  g_assert_false (set_format (f, MX_QMI_WWAN_FORMAT_UNKNOWN, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
}

static void
test_mux_list_add_del (Fixture *f, gconstpointer data)
{
  g_autoptr(GArray) ids = mx_qmimux_list (f->root, "wwan0", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree gchar *written = NULL;
  MxTestWait w = { NULL, FALSE };

  g_assert_nonnull (ids);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpuint (g_array_index (ids, guint, 0), ==, 0x01);
  g_assert_cmpuint (g_array_index (ids, guint, 1), ==, 0x81);
  g_assert_cmpint (mx_qmimux_link_mux_id (f->root, "qmimux0"), ==, 0x81);
  g_assert_cmpint (mx_qmimux_link_mux_id (f->root, "qmimux9"), ==, -1);

  mx_qmimux_del_async (f->root, "wwan0", 0x81, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "mux deletion");
  g_assert_true (mx_qmimux_del_finish (w.result, &error));
  g_clear_object (&w.result);
  written = get (f->qmi, "del_mux");
  g_assert_cmpstr (written, ==, "0x81"); /* libqmi's format */

  w.done = FALSE;
  mx_qmimux_add_async (f->root, "wwan0", 255, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "mux creation");
  g_assert_false (mx_qmimux_add_finish (w.result, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_clear_object (&w.result);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/qmimux/format-read-and-switch", Fixture, NULL, fixture_setup, test_format_read_and_switch, fixture_teardown);
  g_test_add ("/qmimux/refused-switch-rolls-back", Fixture, NULL, fixture_setup, test_refused_switch_rolls_back, fixture_teardown);
  g_test_add ("/qmimux/not-a-qmi-wwan", Fixture, NULL, fixture_setup, test_not_a_qmi_wwan, fixture_teardown);
  g_test_add ("/qmimux/mux-list-add-del", Fixture, NULL, fixture_setup, test_mux_list_add_del, fixture_teardown);
  return g_test_run ();
}
