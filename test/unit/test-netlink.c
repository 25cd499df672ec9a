/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MxNetlink, the link map and the link manager against the host kernel, in
 * a private network namespace (veth works on the host; rmnet does not, which
 * makes the "kernel lacks rmnet" path testable here; rmnet itself is tested
 * in the VM tier). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include "mx-link-error.h"
#include "mx-link-manager.h"
#include "mx-link-rtnl.h"
#include "mx-test-util.h"

static gboolean have_netns;

static void
sh (const char *cmd)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;
  const char *argv[] = { "sh", "-c", cmd, NULL };

  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("`%s` failed: %s", cmd, err);
}

static gboolean
skip_without_netns (void)
{
  if (!have_netns)
    g_test_skip ("needs root to create a private network namespace");
  return !have_netns;
}

static GPtrArray *
request (MxNetlink *nl, const struct nlmsghdr *nlh, const char *kind, GError **error)
{
  MxTestWait w = { NULL, FALSE };
  GPtrArray *links;

  mx_netlink_request_async (nl, nlh, kind, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "a netlink reply");
  links = mx_netlink_request_finish (nl, w.result, error);
  g_object_unref (w.result);
  return links;
}

static const MxLink *
find (GPtrArray *links, const char *name)
{
  guint i;

  for (i = 0; i < links->len; i++)
    if (g_strcmp0 (((MxLink *) g_ptr_array_index (links, i))->ifname, name) == 0)
      return g_ptr_array_index (links, i);
  return NULL;
}

static void
test_dump_sees_every_link (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];
  const MxLink *v0;

  if (skip_without_netns ())
    return;
  sh ("ip link add mxd0 type veth peer name mxd1 && ip link set mxd0 mtu 1400");
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  links = request (nl, mx_rtnl_link_dump (buf, NULL), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (find (links, "lo"));
  v0 = find (links, "mxd0");
  g_assert_nonnull (v0);
  g_assert_cmpstr (v0->kind, ==, "veth");
  g_assert_cmpuint (v0->mtu, ==, 1400);
  g_assert_cmpuint (v0->lower_ifindex, ==, 0); /* a veth peer is not a lower */
  g_clear_pointer (&links, g_ptr_array_unref);

  /* the kernel's kind filter */
  links = request (nl, mx_rtnl_link_dump (buf, "veth"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 2);
  g_assert_null (find (links, "lo"));
  sh ("ip link del mxd0");
}

typedef struct {
  gchar   *name;
  gboolean removed;
  gboolean seen;
} Expect;

static void
on_event (MxNetlink *nl, const MxLink *link, gboolean removed, Expect *e)
{
  if (g_strcmp0 (link->ifname, e->name) == 0 && removed == e->removed)
    e->seen = TRUE;
}

static void
test_notifications_report_new_and_deleted_links (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  Expect e = { (gchar *) "mxn0", FALSE, FALSE };

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  g_signal_connect (nl, "link-event", G_CALLBACK (on_event), &e);
  sh ("ip link add mxn0 type veth peer name mxn1");
  mx_test_iterate_until (&e.seen, "RTM_NEWLINK of mxn0");
  e.removed = TRUE;
  e.seen = FALSE;
  sh ("ip link del mxn0");
  mx_test_iterate_until (&e.seen, "RTM_DELLINK of mxn0");
}

static void
test_errors_are_explained (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];
  guint32 ifindex;

  if (skip_without_netns ())
    return;
  sh ("ip link add mxe0 type veth peer name mxe1");
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  links = request (nl, mx_rtnl_link_get (buf, 0, "mxe0"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 1);
  ifindex = ((MxLink *) g_ptr_array_index (links, 0))->ifindex;
  g_clear_pointer (&links, g_ptr_array_unref);

  g_assert_null (request (nl, mx_rtnl_link_set_mtu (buf, 99999, 1400), NULL, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE);
  g_clear_error (&error);

  g_assert_null (request (nl, mx_rtnl_link_set_mtu (buf, ifindex, 10), NULL, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "kernel:")); /* the extended ack is kept */
  g_clear_error (&error);

  /* an existing name is refused before the kind is even looked at */
  g_assert_null (request (nl, mx_rtnl_link_new_rmnet (buf, ifindex, "mxe1", 1, 0, 0), "rmnet", &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_EXISTS);
  g_clear_error (&error);

  links = request (nl, mx_rtnl_link_new_rmnet (buf, ifindex, "mxe0_1", 1, 0, 0), "rmnet", &error);
  if (links) {
    g_test_message ("this kernel has rmnet; the missing-rmnet error is covered in the VM tier's absence");
    sh ("ip link del mxe0_1");
  } else {
    g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, "CONFIG_RMNET"));
  }
  sh ("ip link del mxe0");
}

/* Errors the host kernel cannot produce here, mapped as the kernel would send them. */
static void
test_errno_mapping (void)
{
  g_autoptr(GError) busy = mx_link_error_from_errno (-EBUSY, "rmnet", "MUX ID already exists");
  g_autoptr(GError) range = mx_link_error_from_errno (-ERANGE, "rmnet", NULL);
  g_autoptr(GError) wwan = mx_link_error_from_errno (-EOPNOTSUPP, "wwan", NULL);
  g_autoptr(GError) perm = mx_link_error_from_errno (-EPERM, "rmnet", NULL);

  g_assert_error (busy, MX_LINK_ERROR, MX_LINK_ERROR_BUSY);
  g_assert_nonnull (strstr (busy->message, "already has another rx handler"));
  g_assert_nonnull (strstr (busy->message, "mux id is in use on that lower"));
  g_assert_nonnull (strstr (busy->message, "(kernel: MUX ID already exists)"));
  g_assert_error (range, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_assert_error (wwan, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED);
  g_assert_nonnull (strstr (wwan->message, "CONFIG_WWAN"));
  g_assert_error (perm, MX_LINK_ERROR, MX_LINK_ERROR_PERMISSION);
  g_assert_nonnull (strstr (perm->message, "CAP_NET_ADMIN"));
}

static void
test_alias_and_mtu_are_applied (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];
  guint32 ifindex;
  const MxLink *l;

  if (skip_without_netns ())
    return;
  sh ("ip link add mxa0 type veth peer name mxa1");
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  links = request (nl, mx_rtnl_link_get (buf, 0, "mxa0"), NULL, &error);
  g_assert_no_error (error);
  ifindex = ((MxLink *) g_ptr_array_index (links, 0))->ifindex;
  g_clear_pointer (&links, g_ptr_array_unref);

  links = request (nl, mx_rtnl_link_set_alias (buf, ifindex, "modemux:mxa1:1"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 0); /* a plain ack */
  g_clear_pointer (&links, g_ptr_array_unref);
  links = request (nl, mx_rtnl_link_set_mtu (buf, ifindex, 1280), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&links, g_ptr_array_unref);
  links = request (nl, mx_rtnl_link_set_up (buf, ifindex, TRUE), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&links, g_ptr_array_unref);

  links = request (nl, mx_rtnl_link_get (buf, ifindex, NULL), NULL, &error);
  g_assert_no_error (error);
  l = g_ptr_array_index (links, 0);
  g_assert_cmpstr (l->ifalias, ==, "modemux:mxa1:1");
  g_assert_cmpuint (l->mtu, ==, 1280);
  g_assert_true (mx_link_is_up (l));
  sh ("ip link del mxa0");
}

static void
test_cancelled_request_does_not_disturb_the_next (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) links = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];
  MxTestWait w = { NULL, FALSE };

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  mx_netlink_request_async (nl, mx_rtnl_link_dump (buf, NULL), NULL, cancellable, mx_test_wait_cb, &w);
  g_cancellable_cancel (cancellable);
  mx_test_iterate_until (&w.done, "the cancelled request");
  g_assert_null (mx_netlink_request_finish (nl, w.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_object_unref (w.result);

  /* the late dump reply of the cancelled request is dropped, not mixed in */
  links = request (nl, mx_rtnl_link_get (buf, 0, "lo"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (links->len, ==, 1);
  g_assert_cmpstr (((MxLink *) g_ptr_array_index (links, 0))->ifname, ==, "lo");

  /* already cancelled before the call */
  w.done = FALSE;
  mx_netlink_request_async (nl, mx_rtnl_link_dump (buf, NULL), NULL, cancellable, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the pre-cancelled request");
  g_assert_null (mx_netlink_request_finish (nl, w.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (w.result);
}

static void
on_map_ifindex (MxNetlink *nl, const MxLink *link, gboolean removed, gboolean *seen)
{
  *seen = TRUE;
}

static void
test_manager_without_rmnet_leaves_nothing_behind (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(MxLinkMap) map = NULL;
  g_autoptr(MxLinkManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;
  MxLinkRequest req = { MX_LINK_KIND_RMNET, "mxm0", 0, NULL, 0, 0, 1400, TRUE };
  MxTestWait w = { NULL, FALSE };
  gboolean seen = FALSE;
  MxLink *created;

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  map = mx_link_map_new (nl, NULL);
  mx_link_map_load_async (map, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the map");
  g_assert_true (mx_link_map_load_finish (map, w.result, &error));
  g_clear_object (&w.result);
  manager = mx_link_manager_new (map, nl);

  /* the map learns new netdevs from notifications, without a new dump */
  g_signal_connect (nl, "link-event", G_CALLBACK (on_map_ifindex), &seen);
  g_assert_cmpuint (mx_link_map_get_ifindex (map, "mxm0"), ==, 0);
  sh ("ip link add mxm0 type veth peer name mxm1");
  while (!mx_link_map_get_ifindex (map, "mxm0") || !mx_link_map_get_ifindex (map, "mxm1"))
    mx_test_iterate_until (&seen, "mxm0 in the map"), seen = FALSE;

  w.done = FALSE;
  mx_link_manager_create_async (manager, &req, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "link creation");
  created = mx_link_manager_create_finish (manager, w.result, &error);
  g_clear_object (&w.result);
  if (created) {
    g_test_message ("this kernel has rmnet");
    g_assert_cmpstr (created->ifname, ==, "mxm0_1");
    mx_link_free (created);
  } else {
    g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED);
    /* The link, its port, and the creation step the kernel refused. */
    if (!g_str_has_prefix (error->message, "cannot create rmnet link mxm0_1 on mxm0: new link request failed: "))
      g_error ("the error does not name the link and its step: %s", error->message);
    g_assert_cmpuint (mx_link_map_get_ifindex (map, "mxm0_1"), ==, 0);
    links = mx_link_map_get_links (map, NULL);
    g_assert_cmpuint (links->len, ==, 0);
  }
  g_clear_error (&error);

  /* a port that does not exist */
  req.port = "nosuchport";
  w.done = FALSE;
  mx_link_manager_create_async (manager, &req, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "link creation");
  g_assert_null (mx_link_manager_create_finish (manager, w.result, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE);
  g_assert_cmpstr (error->message, ==, "cannot create rmnet link on nosuchport: "
                   "mux id and name reservation failed: no network interface named 'nosuchport'");
  g_clear_object (&w.result);
  g_signal_handlers_disconnect_by_data (nl, &seen);
  sh ("ip link del mxm0");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Everything below runs in our own network namespace. */
  have_netns = geteuid () == 0 && unshare (CLONE_NEWNET) == 0;
  if (have_netns)
    sh ("ip link set lo up");
  g_test_add_func ("/netlink/dump-sees-every-link", test_dump_sees_every_link);
  g_test_add_func ("/netlink/notifications", test_notifications_report_new_and_deleted_links);
  g_test_add_func ("/netlink/errors-are-explained", test_errors_are_explained);
  g_test_add_func ("/netlink/errno-mapping", test_errno_mapping);
  g_test_add_func ("/netlink/alias-and-mtu-applied", test_alias_and_mtu_are_applied);
  g_test_add_func ("/netlink/cancelled-request", test_cancelled_request_does_not_disturb_the_next);
  g_test_add_func ("/netlink/manager-without-rmnet", test_manager_without_rmnet_leaves_nothing_behind);
  return g_test_run ();
}
