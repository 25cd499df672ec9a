/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The runtime state file of a connected bearer (mx-bearer-record.h): what
 * is written comes back, a corrupt or half-written file is ignored with a
 * warning and removed, never trusted in part; and which records may be
 * adopted at all (mx_bearer_adopt_possible: never over QRTR). */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include "mx-bearer-adopt.h"
#include "mx-bearer-record.h"

typedef struct {
  gchar *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("mx-record-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree gchar *sub = mx_bearer_record_dir (f->dir);
  g_autoptr(GDir) d = g_dir_open (sub, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    g_autofree gchar *path = g_build_filename (sub, name, NULL);
    g_unlink (path);
  }
  g_rmdir (sub);
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* A bearer on apn0 with both families, as a QMAPv5 MHI port records it. */
static MxBearerRecord *
sample (void)
{
  MxBearerRecord *r = g_new0 (MxBearerRecord, 1);

  r->control_path = g_strdup ("/dev/wwan0qmi0");
  r->data_port = g_strdup ("mhi_hwip0");
  r->ifname = g_strdup ("mhi_hwip0_2");
  r->mux_id = 2;
  r->format.llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP;
  r->format.ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5;
  r->format.dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5;
  r->format.dl_max_datagrams = 32;
  r->format.dl_max_size = 32768;
  r->format.ul_max_datagrams = 11;
  r->format.ul_max_size = 4096;
  r->format.dap_reported = TRUE;
  r->cid[0] = 3;
  r->handle[0] = 0x81000001;
  r->cid[1] = 4;
  r->handle[1] = 0x81000002;
  r->props = mm_bearer_properties_new ();
  mm_bearer_properties_set_apn (r->props, "apn0");
  mm_bearer_properties_set_ip_type (r->props, MM_BEARER_IP_FAMILY_IPV4V6);
  mm_bearer_properties_set_allowed_auth (r->props, MM_BEARER_ALLOWED_AUTH_CHAP);
  mm_bearer_properties_set_user (r->props, "user");
  mm_bearer_properties_set_password (r->props, "secret");
  mm_bearer_properties_set_allow_roaming (r->props, FALSE);
  mm_bearer_properties_set_multiplex (r->props, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED);
  return r;
}

static gchar *
path_of (Fixture *f, const gchar *ifname)
{
  g_autofree gchar *sub = mx_bearer_record_dir (f->dir);
  g_autofree gchar *base = g_strconcat (ifname, ".state", NULL);

  return g_build_filename (sub, base, NULL);
}

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  g_autoptr(MxBearerRecord) r = sample ();
  g_autoptr(MxBearerRecord) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree gchar *path = path_of (f, "mhi_hwip0_2");
  struct stat st;

  g_assert_true (mx_bearer_record_save (r, f->dir, &error));
  g_assert_no_error (error);
  g_assert_true (mx_bearer_record_exists (f->dir, "mhi_hwip0_2"));
  /* It holds the APN credentials: root only. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  back = mx_bearer_record_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->control_path, ==, "/dev/wwan0qmi0");
  g_assert_cmpstr (back->data_port, ==, "mhi_hwip0");
  g_assert_cmpstr (back->ifname, ==, "mhi_hwip0_2");
  g_assert_cmpuint (back->mux_id, ==, 2);
  g_assert_cmpmem (&back->format, sizeof back->format, &r->format, sizeof r->format);
  g_assert_cmpuint (back->cid[0], ==, 3);
  g_assert_cmpuint (back->cid[1], ==, 4);
  g_assert_cmphex (back->handle[0], ==, 0x81000001);
  g_assert_cmphex (back->handle[1], ==, 0x81000002);
  g_assert_cmpstr (mm_bearer_properties_get_apn (back->props), ==, "apn0");
  g_assert_cmpuint (mm_bearer_properties_get_ip_type (back->props), ==, MM_BEARER_IP_FAMILY_IPV4V6);
  g_assert_cmpuint (mm_bearer_properties_get_allowed_auth (back->props), ==, MM_BEARER_ALLOWED_AUTH_CHAP);
  g_assert_cmpstr (mm_bearer_properties_get_user (back->props), ==, "user");
  g_assert_cmpstr (mm_bearer_properties_get_password (back->props), ==, "secret");
  g_assert_false (mm_bearer_properties_get_allow_roaming (back->props));
  g_assert_cmpuint (mm_bearer_properties_get_multiplex (back->props), ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED);

  all = mx_bearer_record_load_all (f->dir);
  g_assert_cmpuint (all->len, ==, 1);

  mx_bearer_record_remove (f->dir, "mhi_hwip0_2");
  g_assert_false (mx_bearer_record_exists (f->dir, "mhi_hwip0_2"));
  mx_bearer_record_remove (f->dir, "mhi_hwip0_2");   /* absent: no error */
}

/* An IPv4-only bearer has no IPv6 keys and reads back without them. */
static void
test_one_family (Fixture *f, gconstpointer data)
{
  g_autoptr(MxBearerRecord) r = sample ();
  g_autoptr(MxBearerRecord) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = path_of (f, "mhi_hwip0_2");

  r->cid[1] = 0;
  r->handle[1] = 0;
  g_assert_true (mx_bearer_record_save (r, f->dir, &error));
  back = mx_bearer_record_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->cid[0], ==, 3);
  g_assert_cmpuint (back->cid[1], ==, 0);
  g_assert_cmpuint (back->handle[1], ==, 0);
}

/* Each bad file fails to load with an error naming the file and the key. */
static void
test_bad_files_refused (Fixture *f, gconstpointer data)
{
  static const struct { const gchar *from, *to, *says; } edits[] = {
    { "mux-id=2", "mux-id=300", "mux-id" },
    { "mux-id=2", "mux-id=two", "mux-id" },
    { "ipv4-cid=3", "ipv4-cid=0", "ipv4-cid" },
    { "link=mhi_hwip0_2", "link=../../etc/passwd", "interface names" },
    { "control-port=/dev/wwan0qmi0\n", "", "control-port" },
    { "dl-aggregation=", "dl-aggregationX=", "dl-aggregation" },
    { "aggregation-reported=true", "aggregation-reported=perhaps", "aggregation-reported" },
  };
  g_autoptr(MxBearerRecord) r = sample ();
  g_autofree gchar *path = path_of (f, "mhi_hwip0_2");
  g_autofree gchar *good = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mx_bearer_record_save (r, f->dir, &error));
  g_assert_true (g_file_get_contents (path, &good, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++) {
    g_autoptr(GString) text = g_string_new (good);
    g_autoptr(MxBearerRecord) back = NULL;

    g_assert_cmpuint (g_string_replace (text, edits[i].from, edits[i].to, 1), ==, 1);
    g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
    back = mx_bearer_record_load (path, &error);
    g_assert_null (back);
    g_assert_nonnull (error);
    g_test_message ("%s -> %s", edits[i].to, error->message);
    g_assert_nonnull (strstr (error->message, path));
    g_assert_nonnull (strstr (error->message, edits[i].says));
    g_clear_error (&error);
  }
}

/* Garbage and a truncated file: ignored with a warning and removed; a valid
 * neighbour still loads. */
static void
test_corrupt_ignored (Fixture *f, gconstpointer data)
{
  g_autoptr(MxBearerRecord) r = sample ();
  g_autofree gchar *garbage = path_of (f, "junk");
  g_autofree gchar *truncated = path_of (f, "half");
  g_autofree gchar *good = path_of (f, "mhi_hwip0_2");
  g_autofree gchar *text = NULL;
  g_autoptr(GPtrArray) all = NULL;

  g_assert_true (mx_bearer_record_save (r, f->dir, NULL));
  g_assert_true (g_file_get_contents (good, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (garbage, "\x01\x02 not a key file [[[", -1, NULL));
  g_assert_true (g_file_set_contents (truncated, text, (gssize) strlen (text) / 2, NULL));

  g_test_expect_message ("mx-bearer", G_LOG_LEVEL_WARNING, "ignoring the bearer state file *");
  g_test_expect_message ("mx-bearer", G_LOG_LEVEL_WARNING, "ignoring the bearer state file *");
  all = mx_bearer_record_load_all (f->dir);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (((MxBearerRecord *) g_ptr_array_index (all, 0))->ifname, ==, "mhi_hwip0_2");
  g_assert_false (g_file_test (garbage, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (truncated, G_FILE_TEST_EXISTS));
}

/* No directory yet (first start): nothing, no warning. */
static void
test_no_directory (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) all = mx_bearer_record_load_all (f->dir);

  g_assert_cmpuint (all->len, ==, 0);
}

/* A bearer on a QRTR node is never adopted: its clients ended with the
 * process that had them. */
static void
test_qrtr_not_adopted (Fixture *f, gconstpointer data)
{
  g_autoptr(MxBearerRecord) r = sample ();
  const gchar *why = NULL;

  g_assert_true (mx_bearer_adopt_possible (r, &why));
  g_assert_null (why);
  g_free (r->control_path);
  r->control_path = g_strdup ("qrtr://7");
  g_assert_false (mx_bearer_adopt_possible (r, &why));
  g_assert_nonnull (strstr (why, "QRTR"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/bearer-record/round-trip", Fixture, NULL, fixture_set_up, test_round_trip, fixture_tear_down);
  g_test_add ("/bearer-record/one-family", Fixture, NULL, fixture_set_up, test_one_family, fixture_tear_down);
  g_test_add ("/bearer-record/bad-files", Fixture, NULL, fixture_set_up, test_bad_files_refused, fixture_tear_down);
  g_test_add ("/bearer-record/corrupt-ignored", Fixture, NULL, fixture_set_up, test_corrupt_ignored, fixture_tear_down);
  g_test_add ("/bearer-record/no-directory", Fixture, NULL, fixture_set_up, test_no_directory, fixture_tear_down);
  g_test_add ("/bearer-record/qrtr-not-adopted", Fixture, NULL, fixture_set_up, test_qrtr_not_adopted, fixture_tear_down);
  return g_test_run ();
}
