/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link of a multiplexed MBIM session (mx-bearer-mbim-link.c): the port
 * it hangs from (an mhi_wwan_mbim netdev's wwan device, a cdc_mbim netdev
 * itself), the kernel probe agreeing with what iproute2 can create, and a
 * VLAN session link whose id comes from the data profile's session range
 * (live, in a private network namespace). */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "mx-bearer-mbim-link.h"
#include "mx-link-error.h"
#include "mx-plugins.h"
#include "mx-test-util.h"

static gboolean have_netns;

static gboolean
sh_ok (const char *cmd)
{
  const char *argv[] = { "sh", "-c", cmd, NULL };
  gint status = 0;

  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, NULL));
  return g_spawn_check_wait_status (status, NULL);
}

static void
test_port_of_each_kind (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *root = g_dir_make_tmp ("mx-mbim-link-XXXXXX", &error);
  g_autofree gchar *wwan0 = g_build_filename (root, "class", "net", "wwan0", NULL);
  g_autofree gchar *usb0 = g_build_filename (root, "class", "net", "wwp0s20u6", NULL);
  g_autofree gchar *device = g_build_filename (wwan0, "device", NULL);
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(MxLinkMap) map = NULL;
  g_autoptr(MxLinkManager) links = NULL;
  gchar *port;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (wwan0, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (usb0, 0755), ==, 0);
  /* mhi_wwan_mbim's default netdev hangs from its wwan device, here wwan3 */
  g_assert_cmpint (symlink ("../../../devices/pci0000:00/0000:00:1c.0/mhi0/wwan/wwan3", device), ==, 0);
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  map = mx_link_map_new (NULL, root);
  links = mx_link_manager_new (map, nl);

  port = mx_bearer_mbim_link_port (links, "wwan0", MX_DATA_LINK_WWAN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (port, ==, "wwan3");
  g_free (port);
  port = mx_bearer_mbim_link_port (links, "wwp0s20u6", MX_DATA_LINK_VLAN, &error);
  g_assert_cmpstr (port, ==, "wwp0s20u6");
  g_free (port);
  g_assert_null (mx_bearer_mbim_link_port (links, "wwp0s20u6", MX_DATA_LINK_WWAN, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "wwp0s20u6 has no wwan device"));

  g_unlink (device);
  g_rmdir (wwan0);
  g_rmdir (usb0);
  for (guint i = 0; i < 2; i++) {
    g_autofree gchar *dir = g_build_filename (root, i == 0 ? "class/net" : "class", NULL);
    g_rmdir (dir);
  }
  g_rmdir (root);
}

static void
test_probe_and_vlan_session (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(MxLinkMap) map = NULL;
  g_autoptr(MxLinkManager) links = NULL;
  g_autoptr(GError) error = NULL;
  MxTestWait w = { NULL, FALSE };
  MxDataProfile profile;
  gboolean iproute2_wwan, iproute2_vlan;
  guint kinds;
  MxLink *link;

  if (!have_netns) {
    g_test_skip ("needs root to create a private network namespace");
    return;
  }
  g_assert_true (sh_ok ("ip link add mxs0 type veth peer name mxs1 && ip link set mxs0 up"));
  /* What iproute2 can create here decides what the probe must say. */
  iproute2_vlan = sh_ok ("ip link add link mxs1 name mxs1.9 type vlan id 9 && ip link del mxs1.9");
  iproute2_wwan = !sh_ok ("ip link add name mxw9 parentdev mxprobe-none type wwan linkid 1 2>&1 "
                          "| grep -q 'Unknown device type'");
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  mx_bearer_mbim_link_probe_kernel_async (nl, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the probe");
  kinds = mx_bearer_mbim_link_probe_kernel_finish (nl, w.result, &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);
  g_test_message ("kernel: wwan links %s, 802.1Q VLANs %s", iproute2_wwan ? "yes" : "no",
                  iproute2_vlan ? "yes" : "no");
  g_assert_cmpint (!!(kinds & MX_DATA_LINK_WWAN), ==, iproute2_wwan);
  g_assert_cmpint (!!(kinds & MX_DATA_LINK_VLAN), ==, iproute2_vlan);

  map = mx_link_map_new (nl, NULL);
  w.done = FALSE;
  mx_link_map_load_async (map, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the map");
  g_assert_true (mx_link_map_load_finish (map, w.result, &error));
  g_clear_object (&w.result);
  links = mx_link_manager_new (map, nl);

  /* cdc_mbim's profile, tagged MX_MBIM_SESSION_FIRST=112 */
  g_assert_true (mx_plugins_data_profile ("cdc_mbim", -1, &profile));
  profile.mbim_session_first = 112;
  w.done = FALSE;
  mx_bearer_mbim_link_create_async (links, "mxs0", &profile, MX_DATA_LINK_VLAN, 1400, NULL,
                                    mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the session link");
  link = mx_bearer_mbim_link_create_finish (links, w.result, &error);
  g_clear_object (&w.result);
  if (iproute2_vlan) {
    g_assert_no_error (error);
    g_assert_cmpstr (link->ifname, ==, "mxs0_112");
    g_assert_cmpint (link->mux_id, ==, 112);
    g_assert_cmpstr (link->ifalias, ==, "modemux:mxs0:112");
    g_assert_true (mx_link_is_up (link));
    mx_link_free (link);
  } else {
    g_assert_null (link);
    g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "CONFIG_VLAN_8021Q"));
    g_assert_null (mx_link_map_lookup_name (map, "mxs0_112"));
  }
  g_assert_true (sh_ok ("ip link del mxs0"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  have_netns = geteuid () == 0 && unshare (CLONE_NEWNET) == 0;
  g_test_add_func ("/bearer-mbim-link/port-of-each-kind", test_port_of_each_kind);
  g_test_add_func ("/bearer-mbim-link/probe-and-vlan-session", test_probe_and_vlan_session);
  return g_test_run ();
}
