/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The netlink transport (raw messages of any rtnetlink family), the link
 * codec's requests over it, the link map and the link manager against the
 * host kernel, in a private network namespace (veth works on the host; rmnet
 * does not, which makes the "kernel lacks rmnet" path testable here; rmnet
 * itself is tested in the VM tier). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
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

/* A link request through the link codec: MxLinks back. */
static GPtrArray *
request (MxNetlink *nl, const struct nlmsghdr *nlh, const char *kind, GError **error)
{
  MxTestWait w = { NULL, FALSE };
  GPtrArray *links;

  mx_rtnl_link_request_async (nl, nlh, kind, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "a netlink reply");
  links = mx_rtnl_link_request_finish (nl, w.result, error);
  g_object_unref (w.result);
  return links;
}

/* A request through the transport alone: raw messages (GBytes) back. */
static GPtrArray *
raw_request (MxNetlink *nl, const struct nlmsghdr *nlh, guint timeout_ms, GCancellable *cancellable,
             GError **error)
{
  MxTestWait w = { NULL, FALSE };
  GPtrArray *replies;

  mx_netlink_request_async (nl, nlh, timeout_ms, cancellable, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "a raw netlink reply");
  replies = mx_netlink_request_finish (nl, w.result, error);
  g_object_unref (w.result);
  return replies;
}

static const struct nlmsghdr *
reply_at (GPtrArray *replies, guint i)
{
  gsize size;
  const struct nlmsghdr *nlh = g_bytes_get_data (g_ptr_array_index (replies, i), &size);

  g_assert_cmpuint (size, ==, nlh->nlmsg_len); /* one whole message each */
  return nlh;
}

/* `ip -4 addr show`: an RTM_GETADDR dump, a family the transport knows nothing of. */
static struct nlmsghdr *
getaddr_dump (void *buf)
{
  struct nlmsghdr *nlh;
  struct ifaddrmsg *ifa;

  memset (buf, 0, MX_RTNL_BUF_SIZE);
  nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  ifa = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifa));
  ifa->ifa_family = AF_INET;
  return nlh;
}

static int
collect_ifa_local (const struct nlattr *attr, void *data)
{
  if (mnl_attr_get_type (attr) == IFA_LOCAL && mnl_attr_validate (attr, MNL_TYPE_U32) == 0)
    *(guint32 *) data = mnl_attr_get_u32 (attr);
  return MNL_CB_OK;
}

/* The IPv4 address (IFA_LOCAL, host order) of an RTM_NEWADDR, checking its ifindex. */
static guint32
decode_ipv4_addr (const struct nlmsghdr *nlh, guint32 *ifindex)
{
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  guint32 local = 0;

  g_assert_cmpuint (nlh->nlmsg_type, ==, RTM_NEWADDR);
  g_assert_cmpuint (ifa->ifa_family, ==, AF_INET);
  mnl_attr_parse (nlh, sizeof (*ifa), collect_ifa_local, &local);
  *ifindex = ifa->ifa_index;
  return ntohl (local);
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

/* ---- the transport: raw messages, any family ---- */

static void
test_transport_dumps_any_family (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint8 buf[MX_RTNL_BUF_SIZE];
  guint32 lo = if_nametoindex ("lo"), ifindex, addr;
  guint i;

  if (skip_without_netns ())
    return;
  /* 500 addresses: the dump spans several reads, all parts come back */
  sh ("i=0; while [ $i -lt 500 ]; do echo \"addr add 10.99.$((i / 250)).$((i % 250 + 1))/32 dev lo\"; "
      "i=$((i + 1)); done | ip -batch -");
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  replies = raw_request (nl, getaddr_dump (buf), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 501); /* and not NLMSG_DONE */
  for (i = 0; i < replies->len; i++) {
    addr = decode_ipv4_addr (reply_at (replies, i), &ifindex);
    g_assert_cmpuint (ifindex, ==, lo);
    g_hash_table_add (seen, GUINT_TO_POINTER (addr));
  }
  g_assert_true (g_hash_table_contains (seen, GUINT_TO_POINTER (INADDR_LOOPBACK)));
  g_assert_true (g_hash_table_contains (seen, GUINT_TO_POINTER (0x0a630001))); /* 10.99.0.1 */
  g_assert_true (g_hash_table_contains (seen, GUINT_TO_POINTER (0x0a6301fa))); /* 10.99.1.250 */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 501);
  sh ("ip -4 addr flush dev lo to 10.99.0.0/16");
}

static void
test_transport_answer_without_the_ack (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  /* a GET: its one answer (the ack that ends it is not a reply) */
  replies = raw_request (nl, mx_rtnl_link_get (buf, 0, "lo"), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  link = mx_rtnl_link_parse (reply_at (replies, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link->ifname, ==, "lo");
  g_clear_pointer (&replies, g_ptr_array_unref);

  /* a change: a plain ack */
  replies = raw_request (nl, mx_rtnl_link_set_alias (buf, link->ifindex, ""), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 0);
}

static void
test_transport_kernel_error_keeps_errno_and_ext_ack (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (skip_without_netns ())
    return;
  sh ("ip link add mxk0 type veth peer name mxk1");
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  g_assert_null (raw_request (nl, mx_rtnl_link_set_mtu (buf, if_nametoindex ("mxk0"), 10), 0, NULL,
                              &error));
  g_assert_error (error, MX_NETLINK_ERROR, MX_NETLINK_ERROR_KERNEL);
  g_assert_cmpint (mx_netlink_error_get_errno (error), ==, EINVAL);
  g_assert_nonnull (mx_netlink_error_get_ext_ack (error));
  g_assert_cmpstr (mx_netlink_error_get_ext_ack (error), !=, "");
  g_clear_error (&error);

  g_assert_null (raw_request (nl, mx_rtnl_link_set_mtu (buf, 99999, 1400), 0, NULL, &error));
  g_assert_error (error, MX_NETLINK_ERROR, MX_NETLINK_ERROR_KERNEL);
  g_assert_cmpint (mx_netlink_error_get_errno (error), ==, ENODEV);
  sh ("ip link del mxk0");
}

static void
test_transport_unanswered_request_times_out (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];
  struct nlmsghdr *noop;
  gint64 start;

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  /* The kernel consumes control messages (type < NLMSG_MIN_TYPE) silently
   * unless NLM_F_ACK asks for an ack, which a dump does not. */
  memset (buf, 0, sizeof (buf));
  noop = mnl_nlmsg_put_header (buf);
  noop->nlmsg_type = NLMSG_NOOP;
  noop->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  start = g_get_monotonic_time ();
  g_assert_null (raw_request (nl, noop, 200, NULL, &error));
  g_assert_error (error, MX_NETLINK_ERROR, MX_NETLINK_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "200 ms"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);
  g_clear_error (&error);

  /* the transport is not stuck behind it */
  replies = raw_request (nl, mx_rtnl_link_get (buf, 0, "lo"), 200, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
}

static void
test_transport_cancelled_request_does_not_disturb_the_next (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(MxLink) link = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];
  MxTestWait w = { NULL, FALSE };

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  mx_netlink_request_async (nl, mx_rtnl_link_dump (buf, NULL), 0, cancellable, mx_test_wait_cb, &w);
  g_cancellable_cancel (cancellable);
  mx_test_iterate_until (&w.done, "the cancelled request");
  g_assert_null (mx_netlink_request_finish (nl, w.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_object_unref (w.result);

  /* the late dump reply of the cancelled request is dropped, not mixed in */
  replies = raw_request (nl, mx_rtnl_link_get (buf, 0, "lo"), 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  link = mx_rtnl_link_parse (reply_at (replies, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link->ifname, ==, "lo");

  /* already cancelled before the call */
  g_assert_null (raw_request (nl, mx_rtnl_link_dump (buf, NULL), 0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* the link codec passes cancellation through */
  w.done = FALSE;
  mx_rtnl_link_request_async (nl, mx_rtnl_link_dump (buf, NULL), NULL, cancellable, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the pre-cancelled link request");
  g_assert_null (mx_rtnl_link_request_finish (nl, w.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_object_unref (w.result);
}

typedef struct {
  guint32  addr;     /* host order */
  gboolean addr_seen;
  guint    links_seen;
} Watch;

static void
on_raw_notification (MxNetlink *nl, const struct nlmsghdr *nlh, Watch *wt)
{
  guint32 ifindex;

  if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK)
    wt->links_seen++;
  else if (nlh->nlmsg_type == RTM_NEWADDR && decode_ipv4_addr (nlh, &ifindex) == wt->addr)
    wt->addr_seen = TRUE;
}

static void
test_transport_notifications_of_subscribed_groups_only (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(GError) error = NULL;
  Watch wt = { 0x0a620001, FALSE, 0 }; /* 10.98.0.1 */

  if (skip_without_netns ())
    return;
  nl = mx_netlink_new (&error);
  g_assert_no_error (error);
  g_assert_true (mx_netlink_subscribe (nl, RTNLGRP_IPV4_IFADDR, &error));
  g_assert_no_error (error);
  g_signal_connect (nl, "notification", G_CALLBACK (on_raw_notification), &wt);
  sh ("ip link add mxs0 type veth peer name mxs1 && ip addr add 10.98.0.1/32 dev mxs0");
  mx_test_iterate_until (&wt.addr_seen, "RTM_NEWADDR of 10.98.0.1");
  /* the RTM_NEWLINKs went out before it, but not to us */
  g_assert_cmpuint (wt.links_seen, ==, 0);
  sh ("ip link del mxs0");
}

/* ---- the link codec over the transport ---- */

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
on_event (MxNetlink *nl, const struct nlmsghdr *nlh, Expect *e)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = NULL;
  gboolean removed = FALSE;

  link = mx_rtnl_link_parse_notification (nlh, &removed, &error);
  g_assert_no_error (error);
  if (link && g_strcmp0 (link->ifname, e->name) == 0 && removed == e->removed)
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
  g_assert_true (mx_netlink_subscribe (nl, RTNLGRP_LINK, &error));
  g_signal_connect (nl, "notification", G_CALLBACK (on_event), &e);
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
  g_autofree gchar *ext = NULL;
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

  g_assert_null (raw_request (nl, mx_rtnl_link_set_mtu (buf, ifindex, 10), 0, NULL, &error));
  ext = g_strdup_printf ("(kernel: %s)", mx_netlink_error_get_ext_ack (error));
  g_clear_error (&error);
  g_assert_null (request (nl, mx_rtnl_link_set_mtu (buf, ifindex, 10), NULL, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "the kernel rejected the link request as invalid"));
  g_assert_true (g_str_has_suffix (error->message, ext)); /* the extended ack is kept */
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
on_map_ifindex (MxNetlink *nl, const struct nlmsghdr *nlh, gboolean *seen)
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

  /* the map learns new netdevs from notifications (it subscribed itself), without a new dump */
  g_signal_connect (nl, "notification", G_CALLBACK (on_map_ifindex), &seen);
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

/* cdc_mbim sessions as 802.1Q VLAN links: VLAN id = MBIM session id from
 * 1, named and marked like every link, a foreign VLAN's id skipped. A
 * kernel without 8021q (the host here) refuses with the missing option named. */
static void
test_manager_vlan_sessions (void)
{
  g_autoptr(MxNetlink) nl = NULL;
  g_autoptr(MxLinkMap) map = NULL;
  g_autoptr(MxLinkManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) links = NULL;
  MxLinkRequest req = { MX_LINK_KIND_VLAN, "mxv0", 0, NULL, 0, 0, 1400, TRUE };
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
  g_signal_connect (nl, "notification", G_CALLBACK (on_map_ifindex), &seen);
  sh ("ip link add mxv0 type veth peer name mxv1 && ip link set mxv0 up");
  while (!mx_link_map_get_ifindex (map, "mxv0"))
    mx_test_iterate_until (&seen, "mxv0 in the map"), seen = FALSE;

  if (system ("ip link add link mxv0 name foreignv1 type vlan id 1 2>/dev/null") == 0) {
    /* 8021q: the foreign VLAN 1 is in the map as a link of mxv0 */
    while (!mx_link_map_lookup_name (map, "foreignv1"))
      mx_test_iterate_until (&seen, "foreignv1 in the map"), seen = FALSE;
    g_assert_cmpstr (mx_link_map_lookup_name (map, "foreignv1")->lower_name, ==, "mxv0");
    g_assert_cmpint (mx_link_map_lookup_name (map, "foreignv1")->mux_id, ==, 1);
  }
  w.done = FALSE;
  mx_link_manager_create_async (manager, &req, NULL, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "link creation");
  created = mx_link_manager_create_finish (manager, w.result, &error);
  g_clear_object (&w.result);
  if (created) {
    g_test_message ("this kernel has 802.1Q VLANs");
    g_assert_no_error (error);
    g_assert_cmpstr (created->ifname, ==, "mxv0_2");
    g_assert_cmpstr (created->kind, ==, "vlan");
    g_assert_cmpint (created->mux_id, ==, 2);
    g_assert_cmpstr (created->lower_name, ==, "mxv0");
    g_assert_cmpstr (created->ifalias, ==, "modemux:mxv0:2");
    g_assert_cmpuint (created->mtu, ==, 1400);
    mx_link_free (created);
    w.done = FALSE;
    mx_link_manager_delete_all_async (manager, "mxv0", FALSE, NULL, mx_test_wait_cb, &w);
    mx_test_iterate_until (&w.done, "deleting ours");
    g_assert_true (mx_link_manager_delete_all_finish (manager, w.result, NULL, &error));
    g_clear_object (&w.result);
    g_assert_null (mx_link_map_lookup_name (map, "mxv0_2"));
    g_assert_nonnull (mx_link_map_lookup_name (map, "foreignv1"));
  } else {
    g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED);
    if (!g_str_has_prefix (error->message, "cannot create vlan link mxv0_1 on mxv0: new link request failed: "
                           "the kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q)"))
      g_error ("the error does not name the link, its step and the kernel option: %s", error->message);
    links = mx_link_map_get_links (map, NULL);
    g_assert_cmpuint (links->len, ==, 0);
  }
  g_signal_handlers_disconnect_by_data (nl, &seen);
  sh ("ip link del mxv0");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Everything below runs in our own network namespace. */
  have_netns = geteuid () == 0 && unshare (CLONE_NEWNET) == 0;
  if (have_netns)
    sh ("ip link set lo up");
  g_test_add_func ("/netlink/transport/dumps-any-family", test_transport_dumps_any_family);
  g_test_add_func ("/netlink/transport/answer-without-the-ack", test_transport_answer_without_the_ack);
  g_test_add_func ("/netlink/transport/kernel-error-keeps-errno-and-ext-ack",
                   test_transport_kernel_error_keeps_errno_and_ext_ack);
  g_test_add_func ("/netlink/transport/unanswered-request-times-out",
                   test_transport_unanswered_request_times_out);
  g_test_add_func ("/netlink/transport/cancelled-request",
                   test_transport_cancelled_request_does_not_disturb_the_next);
  g_test_add_func ("/netlink/transport/notifications-of-subscribed-groups-only",
                   test_transport_notifications_of_subscribed_groups_only);
  g_test_add_func ("/netlink/link/dump-sees-every-link", test_dump_sees_every_link);
  g_test_add_func ("/netlink/link/notifications", test_notifications_report_new_and_deleted_links);
  g_test_add_func ("/netlink/link/errors-are-explained", test_errors_are_explained);
  g_test_add_func ("/netlink/link/errno-mapping", test_errno_mapping);
  g_test_add_func ("/netlink/link/alias-and-mtu-applied", test_alias_and_mtu_are_applied);
  g_test_add_func ("/netlink/link/manager-without-rmnet", test_manager_without_rmnet_leaves_nothing_behind);
  g_test_add_func ("/netlink/link/manager-vlan-sessions", test_manager_vlan_sessions);
  return g_test_run ();
}
