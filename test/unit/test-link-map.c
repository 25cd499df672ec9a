/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link map on sysfs fixture trees: several physical ports, their
 * virtual links from upper_ and lower_ entries, qmimux mux ids from qmap/mux_id, and
 * dangling entries. The tree mirrors the kernel's layout: devices live under
 * devices/, class/net/<name> links to them, upper_/lower_ are symlinks. */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "mx-link-map.h"
#include "mx-link-owner.h"

typedef struct {
  gchar     *root;
  MxLinkMap *map;
  GPtrArray *events; /* "added:NAME", "removed:NAME", "lower-removed:PORT" */
} Fixture;

static gchar *
dev_dir (Fixture *f, const char *name)
{
  g_autofree gchar *link = g_build_filename (f->root, "class", "net", name, NULL);
  return g_file_read_link (link, NULL);
}

static void
write_attr (const char *dir, const char *file, const char *value)
{
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, value, -1, NULL));
}

/* A netdev at devices/<devpath>/<name>, with class/net/<name> pointing to it. */
static void
add_netdev (Fixture *f, const char *devpath, const char *name, guint ifindex, guint mtu)
{
  g_autofree gchar *dir = g_build_filename (f->root, "devices", devpath, name, NULL);
  g_autofree gchar *class_dir = g_build_filename (f->root, "class", "net", NULL);
  g_autofree gchar *class_link = g_build_filename (class_dir, name, NULL);
  g_autofree gchar *num = g_strdup_printf ("%u\n", ifindex);
  g_autofree gchar *mtu_s = g_strdup_printf ("%u\n", mtu);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (class_dir, 0755), ==, 0);
  g_assert_cmpint (symlink (dir, class_link), ==, 0);
  write_attr (dir, "ifindex", num);
  write_attr (dir, "mtu", mtu_s);
  write_attr (dir, "operstate", "up\n");
  write_attr (dir, "ifalias", "\n");
}

/* netdev_upper_dev_link(): lower/upper_<upper> and upper/lower_<lower>. */
static void
link_upper (Fixture *f, const char *lower, const char *upper, gboolean with_lower_entry)
{
  g_autofree gchar *ldir = dev_dir (f, lower);
  g_autofree gchar *udir = dev_dir (f, upper);
  g_autofree gchar *up_name = g_strconcat ("upper_", upper, NULL);
  g_autofree gchar *low_name = g_strconcat ("lower_", lower, NULL);
  g_autofree gchar *up = g_build_filename (ldir, up_name, NULL);
  g_autofree gchar *low = g_build_filename (udir, low_name, NULL);

  g_assert_cmpint (symlink (udir, up), ==, 0);
  if (with_lower_entry)
    g_assert_cmpint (symlink (ldir, low), ==, 0);
}

static void
dangling (Fixture *f, const char *name, const char *entry)
{
  g_autofree gchar *dir = dev_dir (f, name);
  g_autofree gchar *path = g_build_filename (dir, entry, NULL);
  g_autofree gchar *target = g_build_filename (f->root, "devices", "virtual", "net", "gone", NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void on_added (MxLinkMap *m, const MxLink *l, Fixture *f) { g_ptr_array_add (f->events, g_strconcat ("added:", l->ifname, NULL)); }
static void on_removed (MxLinkMap *m, const MxLink *l, Fixture *f) { g_ptr_array_add (f->events, g_strconcat ("removed:", l->ifname, NULL)); }
static void
on_lower_removed (MxLinkMap *m, const char *port, guint ifindex, Fixture *f)
{
  g_ptr_array_add (f->events, g_strconcat ("lower-removed:", port, NULL));
}

#define USB "pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.4/net"
#define MHI "pci0000:00/0000:00:1c.0/0000:02:00.0/mhi0/mhi_hwip0/net"
#define IPA "platform/soc/1e40000.ipa/net"
#define VIRT "virtual/net"

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree gchar *marker = mx_link_owner_marker ("mhi_hwip0", 1);
  g_autofree gchar *d = NULL;

  f->root = g_dir_make_tmp ("mx-sysfs-XXXXXX", NULL);
  f->events = g_ptr_array_new_with_free_func (g_free);

  add_netdev (f, VIRT, "lo", 1, 65536);
  /* qmi_wwan with two qmimux links (mux ids in qmap/mux_id) */
  add_netdev (f, USB, "wwan0", 2, 16384);
  add_netdev (f, VIRT, "qmimux0", 10, 1500);
  add_netdev (f, VIRT, "qmimux1", 11, 1500);
  link_upper (f, "wwan0", "qmimux0", TRUE);
  link_upper (f, "wwan0", "qmimux1", TRUE);
  d = dev_dir (f, "qmimux0"); write_attr (d, "qmap/mux_id", "0x01\n"); g_clear_pointer (&d, g_free);
  d = dev_dir (f, "qmimux1"); write_attr (d, "qmap/mux_id", "0x02\n"); g_clear_pointer (&d, g_free);
  /* mhi_net with two rmnet links, one carrying our ownership marker */
  add_netdev (f, MHI, "mhi_hwip0", 3, 16384);
  add_netdev (f, VIRT, "mhi_hwip0_1", 12, 16380);
  add_netdev (f, VIRT, "foreign7", 13, 16380);
  link_upper (f, "mhi_hwip0", "mhi_hwip0_1", TRUE);
  link_upper (f, "mhi_hwip0", "foreign7", TRUE);
  d = dev_dir (f, "mhi_hwip0_1"); write_attr (d, "ifalias", marker); g_clear_pointer (&d, g_free);
  /* IPA: the link is only known from the port's upper_ entry */
  add_netdev (f, IPA, "rmnet_ipa0", 4, 1500);
  add_netdev (f, VIRT, "rmnet_ipa0_129", 14, 1496);
  link_upper (f, "rmnet_ipa0", "rmnet_ipa0_129", FALSE);
  /* dangling entries: an upper that is gone, a lower that is gone */
  add_netdev (f, "pci0000:00/0000:00:1f.6/net", "eth0", 5, 1500);
  dangling (f, "eth0", "upper_ghost0");
  add_netdev (f, VIRT, "orphan0", 15, 1500);
  dangling (f, "orphan0", "lower_gone0");

  f->map = mx_link_map_new (NULL, f->root);
  g_signal_connect (f->map, "link-added", G_CALLBACK (on_added), f);
  g_signal_connect (f->map, "link-removed", G_CALLBACK (on_removed), f);
  g_signal_connect (f->map, "lower-removed", G_CALLBACK (on_lower_removed), f);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_unlink (path);
    return;
  }
  dir = g_dir_open (path, 0, NULL);
  while (dir && (entry = g_dir_read_name (dir))) {
    g_autofree gchar *child = g_build_filename (path, entry, NULL);
    rm_rf (child);
  }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_object_unref (f->map);
  rm_rf (f->root);
  g_free (f->root);
  g_ptr_array_unref (f->events);
}

static gchar *
names_of (GPtrArray *links)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < links->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", ((MxLink *) g_ptr_array_index (links, i))->ifname);
  return g_string_free (s, FALSE);
}

static void
test_ports_and_their_links (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) ports = NULL;
  g_autoptr(GPtrArray) wwan = NULL, mhi = NULL, ipa = NULL, all = NULL;
  g_autofree gchar *wwan_names = NULL, *mhi_names = NULL, *ipa_names = NULL;

  g_assert_true (mx_link_map_load_sysfs (f->map, NULL));
  ports = mx_link_map_dup_ports (f->map);
  g_assert_cmpuint (g_strv_length (ports), ==, 3);
  g_assert_cmpstr (ports[0], ==, "mhi_hwip0");
  g_assert_cmpstr (ports[1], ==, "rmnet_ipa0");
  g_assert_cmpstr (ports[2], ==, "wwan0");

  wwan = mx_link_map_get_links (f->map, "wwan0");
  mhi = mx_link_map_get_links (f->map, "mhi_hwip0");
  ipa = mx_link_map_get_links (f->map, "rmnet_ipa0");
  wwan_names = names_of (wwan);
  mhi_names = names_of (mhi);
  ipa_names = names_of (ipa);
  g_assert_cmpstr (wwan_names, ==, "qmimux0 qmimux1"); /* sorted by mux id */
  g_assert_cmpstr (mhi_names, ==, "foreign7 mhi_hwip0_1");
  g_assert_cmpstr (ipa_names, ==, "rmnet_ipa0_129");

  /* dangling upper_/lower_ entries create nothing; eth0 and lo have no links */
  all = mx_link_map_get_links (f->map, NULL);
  g_assert_cmpuint (all->len, ==, 5);
  g_assert_null (mx_link_map_lookup_name (f->map, "orphan0"));
  g_assert_null (mx_link_map_lookup_name (f->map, "ghost0"));
}

static void
test_link_details_joined (Fixture *f, gconstpointer data)
{
  const MxLink *q1, *own, *foreign, *ipa;
  MxMuxIdSet used;

  g_assert_true (mx_link_map_load_sysfs (f->map, NULL));
  q1 = mx_link_map_lookup_name (f->map, "qmimux1");
  g_assert_nonnull (q1);
  g_assert_cmpstr (q1->kind, ==, "qmimux");
  g_assert_cmpint (q1->mux_id, ==, 2);
  g_assert_cmpuint (q1->ifindex, ==, 11);
  g_assert_cmpstr (q1->lower_name, ==, "wwan0");
  g_assert_cmpuint (q1->lower_ifindex, ==, 2);
  g_assert_cmpuint (q1->mtu, ==, 1500);
  g_assert_cmpstr (mx_link_operstate_to_string (q1->operstate), ==, "UP");

  own = mx_link_map_lookup_name (f->map, "mhi_hwip0_1");
  foreign = mx_link_map_lookup_name (f->map, "foreign7");
  g_assert_true (mx_link_owner_is_ours (own, "mhi_hwip0"));
  g_assert_false (mx_link_owner_is_ours (foreign, "mhi_hwip0"));
  g_assert_cmpuint (own->lower_ifindex, ==, 3);

  ipa = mx_link_map_lookup_ifindex (f->map, 14);
  g_assert_nonnull (ipa);
  g_assert_cmpstr (ipa->lower_name, ==, "rmnet_ipa0");
  g_assert_cmpuint (ipa->lower_ifindex, ==, 4);

  mx_link_map_get_used_mux_ids (f->map, 2, &used);
  g_assert_cmpuint (mx_mux_id_set_count (&used), ==, 2);
  g_assert_true (mx_mux_id_set_has (&used, 1));
  g_assert_true (mx_mux_id_set_has (&used, 2));
  g_assert_cmpuint (mx_link_map_get_ifindex (f->map, "eth0"), ==, 5);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static gchar *
events_of (Fixture *f)
{
  g_ptr_array_add (f->events, NULL);
  return g_strjoinv (" ", (gchar **) f->events->pdata);
}

static void
remove_netdev (Fixture *f, const char *name)
{
  g_autofree gchar *dir = dev_dir (f, name);
  g_autofree gchar *link = g_build_filename (f->root, "class", "net", name, NULL);

  rm_rf (dir);
  g_unlink (link);
}

static void
test_rescan_reports_differences (Fixture *f, gconstpointer data)
{
  g_autofree gchar *first = NULL, *second = NULL, *third = NULL;
  g_autofree gchar *wwan_dir = NULL, *upper = NULL;

  g_assert_true (mx_link_map_load_sysfs (f->map, NULL));
  g_ptr_array_sort (f->events, compare_strings);
  first = events_of (f);
  g_assert_cmpstr (first, ==, "added:foreign7 added:mhi_hwip0_1 added:qmimux0 added:qmimux1 added:rmnet_ipa0_129");
  g_ptr_array_set_size (f->events, 0);

  /* one link deleted: only that link is reported */
  remove_netdev (f, "qmimux0");
  wwan_dir = dev_dir (f, "wwan0");
  upper = g_build_filename (wwan_dir, "upper_qmimux0", NULL);
  g_unlink (upper);
  g_assert_true (mx_link_map_load_sysfs (f->map, NULL));
  second = events_of (f);
  g_assert_cmpstr (second, ==, "removed:qmimux0");
  g_ptr_array_set_size (f->events, 0);

  /* the port vanishes with its links: links removed, then the port */
  remove_netdev (f, "mhi_hwip0_1");
  remove_netdev (f, "foreign7");
  remove_netdev (f, "mhi_hwip0");
  g_assert_true (mx_link_map_load_sysfs (f->map, NULL));
  g_assert_cmpuint (f->events->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (f->events, 2), ==, "lower-removed:mhi_hwip0");
  third = events_of (f);
  g_assert_nonnull (strstr (third, "removed:mhi_hwip0_1"));
  g_assert_nonnull (strstr (third, "removed:foreign7"));
  g_assert_null (mx_link_map_lookup_name (f->map, "mhi_hwip0_1"));
}

static void
test_missing_root_is_an_error (void)
{
  g_autoptr(MxLinkMap) map = mx_link_map_new (NULL, "/nonexistent-sysfs");
  g_autoptr(GError) error = NULL;

  g_assert_false (mx_link_map_load_sysfs (map, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent-sysfs/class/net"));
}

/* sysfs prints flags as "0x1003", the numbers in decimal, with a newline. */
static void
test_sysfs_attributes_as_the_kernel_prints_them (void)
{
  g_autoptr(MxLink) l = mx_link_new ();

  mx_link_map_parse_sysfs_attrs (l, "7\n", "1500\n", "0x1003\n", "up\n", "modemux:m1\n");
  g_assert_cmpuint (l->ifindex, ==, 7);
  g_assert_cmpuint (l->mtu, ==, 1500);
  g_assert_cmpuint (l->ifi_flags, ==, 0x1003);
  g_assert_cmpuint (l->operstate, ==, 6); /* IF_OPER_UP */
  g_assert_cmpstr (l->ifalias, ==, "modemux:m1");

  /* Garbage and missing files read as nothing, never as a wrong value. */
  mx_link_map_parse_sysfs_attrs (l, "-1", "99999999999", "0xzz", "sideways", "\n");
  g_assert_cmpuint (l->ifindex, ==, 0);
  g_assert_cmpuint (l->mtu, ==, 0);
  g_assert_cmpuint (l->ifi_flags, ==, 0);
  g_assert_cmpuint (l->operstate, ==, 0);
  g_assert_null (l->ifalias);
  mx_link_map_parse_sysfs_attrs (l, NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (l->ifindex, ==, 0);
  g_assert_null (l->ifalias);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/link-map/ports-and-links", Fixture, NULL, fixture_setup, test_ports_and_their_links, fixture_teardown);
  g_test_add ("/link-map/details-joined", Fixture, NULL, fixture_setup, test_link_details_joined, fixture_teardown);
  g_test_add ("/link-map/rescan-differences", Fixture, NULL, fixture_setup, test_rescan_reports_differences, fixture_teardown);
  g_test_add_func ("/link-map/missing-root", test_missing_root_is_an_error);
  g_test_add_func ("/link-map/sysfs-attributes", test_sysfs_attributes_as_the_kernel_prints_them);
  return g_test_run ();
}
