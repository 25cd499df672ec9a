/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink link messages: our encoders produce the very bytes iproute2
 * sends for the same operation. iproute2's request is captured with strace
 * in a private network namespace (a tun device is the lower; the host kernel
 * may refuse the request afterwards, e.g. without rmnet, but it is sent).
 * Only nlmsg_seq and nlmsg_pid are normalised: iproute2 uses time-based
 * sequence numbers, MxNetlink sets its own. */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <linux/rtnetlink.h>
#include "mx-link-error.h"
#include "mx-link-rtnl.h"

typedef struct {
  guint32     ifindex; /* of the tun "mxt0" in the capture's namespace */
  GByteArray *request; /* the captured RTM_NEWLINK/RTM_DELLINK */
} Capture;

static gboolean
have_tools (void)
{
  g_autofree gchar *strace = g_find_program_in_path ("strace");
  g_autofree gchar *ip = g_find_program_in_path ("ip");
  g_autofree gchar *unshare = g_find_program_in_path ("unshare");

  if (geteuid () != 0 || !strace || !ip || !unshare) {
    g_test_skip ("needs root, strace, ip and unshare to capture iproute2's requests");
    return FALSE;
  }
  return TRUE;
}

/* Hex bytes of one strace "-e write=all" dump line:
 * " | 00000  4c 00 00 00 10 00 05 06  99 02 05 6b 00 00 00 00  L..........k.... |" */
static void
parse_dump_line (const char *line, GByteArray *out)
{
  gsize len = strlen (line), i;

  for (i = 0; i < 16; i++) {
    gsize col = 10 + 3 * i + (i >= 8 ? 1 : 0);
    guint8 byte;
    if (col + 2 > len || !g_ascii_isxdigit (line[col]) || !g_ascii_isxdigit (line[col + 1]))
      break;
    byte = (guint8) (g_ascii_xdigit_value (line[col]) * 16 + g_ascii_xdigit_value (line[col + 1]));
    g_byte_array_append (out, &byte, 1);
  }
}

/* Runs `ip ARGS` under strace in a fresh netns holding tun "mxt0"; keeps the
 * last sendmsg whose netlink type is @type. */
static gboolean
capture (const char *ip_args, guint16 type, Capture *cap)
{
  g_autofree gchar *dir = g_dir_make_tmp ("mx-rtnl-XXXXXX", NULL);
  g_autofree gchar *trace_path = g_build_filename (dir, "trace", NULL);
  g_autofree gchar *script = g_strdup_printf (
    "set -e\n"
    "ip tuntap add mxt0 mode tun\n"
    "ip -o link show dev mxt0 | cut -d: -f1\n"
    "strace -e trace=sendmsg -e write=all -x -s 4096 -o '%s' ip %s >/dev/null 2>&1 || true\n",
    trace_path, ip_args);
  const char *argv[] = { "unshare", "-n", "sh", "-c", script, NULL };
  g_autofree gchar *out = NULL, *err = NULL, *trace = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GByteArray) current = NULL;
  g_autoptr(GError) error = NULL;
  gint status = 0;
  guint i;

  g_assert_nonnull (dir);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_test_message ("capture script failed: %s", err);
    g_test_skip ("cannot create a tun device in a private netns here");
    return FALSE;
  }
  cap->ifindex = (guint32) g_ascii_strtoull (out, NULL, 10);
  g_assert_cmpuint (cap->ifindex, >, 0);
  g_assert_true (g_file_get_contents (trace_path, &trace, NULL, &error));
  g_assert_no_error (error);
  g_unlink (trace_path);
  g_rmdir (dir);

  cap->request = NULL;
  lines = g_strsplit (trace, "\n", -1);
  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "sendmsg(") || lines[i][0] == '+' || lines[i][0] == '-') {
      if (current && current->len >= 16 && *(guint16 *) (current->data + 4) == type) {
        g_clear_pointer (&cap->request, g_byte_array_unref);
        cap->request = g_steal_pointer (&current);
      }
      g_clear_pointer (&current, g_byte_array_unref);
      if (g_str_has_prefix (lines[i], "sendmsg("))
        current = g_byte_array_new ();
    } else if (current && g_str_has_prefix (lines[i], " | ")) {
      parse_dump_line (lines[i], current);
    }
  }
  if (current && current->len >= 16 && *(guint16 *) (current->data + 4) == type) {
    g_clear_pointer (&cap->request, g_byte_array_unref);
    cap->request = g_steal_pointer (&current);
  }
  if (!cap->request)
    g_error ("no netlink message of type %u captured from `ip %s`:\n%s", type, ip_args, trace);
  /* normalise nlmsg_seq and nlmsg_pid */
  memset (cap->request->data + 8, 0, 8);
  return TRUE;
}

static void
assert_same_bytes (const struct nlmsghdr *ours, const GByteArray *theirs)
{
  g_autofree gchar *a = NULL, *b = NULL;

  /* hex strings make a mismatch readable in the test log */
  a = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) ours, ours->nlmsg_len);
  b = g_compute_checksum_for_data (G_CHECKSUM_SHA256, theirs->data, theirs->len);
  if (ours->nlmsg_len != theirs->len || memcmp (ours, theirs->data, theirs->len) != 0) {
    GString *s = g_string_new ("ours:    ");
    guint i;
    for (i = 0; i < ours->nlmsg_len; i++)
      g_string_append_printf (s, "%02x", ((const guint8 *) ours)[i]);
    g_string_append (s, "\niproute2: ");
    for (i = 0; i < theirs->len; i++)
      g_string_append_printf (s, "%02x", theirs->data[i]);
    g_test_message ("%s", s->str);
    g_string_free (s, TRUE);
  }
  g_assert_cmpuint (ours->nlmsg_len, ==, theirs->len);
  g_assert_cmpstr (a, ==, b);
}

static void
test_rmnet_newlink_matches_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (!have_tools () || !capture ("link add link mxt0 name mxr0 type rmnet mux_id 5", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_new_rmnet (buf, cap.ifindex, "mxr0", 5, 0, 0), cap.request);
  g_byte_array_unref (cap.request);

  /* a 15-character name and the highest mux id: different padding */
  if (!capture ("link add link mxt0 name mxrmnet_abcdefg type rmnet mux_id 254", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_new_rmnet (buf, cap.ifindex, "mxrmnet_abcdefg", 254, 0, 0),
                     cap.request);
  g_byte_array_unref (cap.request);
}

static void
test_rmnet_changelink_matches_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (!have_tools () || !capture ("link set dev mxt0 type rmnet mux_id 3", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_change_rmnet (buf, cap.ifindex, 3, 0, 0), cap.request);
  g_byte_array_unref (cap.request);
}

static void
test_dellink_matches_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (!have_tools () || !capture ("link del dev mxt0", RTM_DELLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_del (buf, cap.ifindex), cap.request);
  g_byte_array_unref (cap.request);
}

static void
test_set_mtu_matches_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (!have_tools () || !capture ("link set dev mxt0 mtu 1400", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_set_mtu (buf, cap.ifindex, 1400), cap.request);
  g_byte_array_unref (cap.request);
}

static void
test_set_up_down_and_alias_match_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (!have_tools () || !capture ("link set dev mxt0 up", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_set_up (buf, cap.ifindex, TRUE), cap.request);
  g_byte_array_unref (cap.request);

  if (!capture ("link set dev mxt0 down", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_set_up (buf, cap.ifindex, FALSE), cap.request);
  g_byte_array_unref (cap.request);

  if (!capture ("link set dev mxt0 alias modemux:mxt0:5", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_set_alias (buf, cap.ifindex, "modemux:mxt0:5"), cap.request);
  g_byte_array_unref (cap.request);
}

static void
test_wwan_newlink_matches_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (!have_tools () || !capture ("link add name mxw0 parentdev wwan0 type wwan linkid 2", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_new_wwan (buf, "wwan0", "mxw0", 2), cap.request);
  g_byte_array_unref (cap.request);
}

static void
test_vlan_newlink_matches_iproute2 (void)
{
  Capture cap;
  guint8 buf[MX_RTNL_BUF_SIZE];
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = NULL;

  if (!have_tools () || !capture ("link add link mxt0 name mxv0 type vlan id 5", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_new_vlan (buf, cap.ifindex, "mxv0", 5), cap.request);
  g_byte_array_unref (cap.request);

  /* the highest MBIM session id and a 15-character name: other padding */
  if (!capture ("link add link mxt0 name wwp0s20f0u6_25 type vlan id 255", RTM_NEWLINK, &cap))
    return;
  assert_same_bytes (mx_rtnl_link_new_vlan (buf, cap.ifindex, "wwp0s20f0u6_25", 255), cap.request);
  g_byte_array_unref (cap.request);

  /* and it decodes as what the link map sees: kind vlan, lower, VLAN id as mux id */
  link = mx_rtnl_link_parse (mx_rtnl_link_new_vlan (buf, 9, "wwan0_112", 112), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (link->kind, ==, "vlan");
  g_assert_cmpstr (link->ifname, ==, "wwan0_112");
  g_assert_cmpuint (link->lower_ifindex, ==, 9);
  g_assert_cmpint (link->mux_id, ==, 112);
}

/* iproute2 6.1 has no rmnet flag keywords, so flags are checked by decoding:
 * the attribute is IFLA_RMNET_FLAGS {u32 flags; u32 mask} in IFLA_INFO_DATA. */
static void
test_rmnet_flags_round_trip (void)
{
  guint8 buf[MX_RTNL_BUF_SIZE];
  struct nlmsghdr *nlh = mx_rtnl_link_new_rmnet (buf, 7, "wwan0_1", 1,
                                                 MX_RMNET_FLAG_INGRESS_DEAGGREGATION |
                                                 MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5 |
                                                 MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5 |
                                                 MX_RMNET_FLAG_INGRESS_MAP_COMMANDS, /* not in mask: dropped */
                                                 0x3d);
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = mx_rtnl_link_parse (nlh, &error);
  const guint8 *tail = (const guint8 *) nlh + nlh->nlmsg_len - 12;
  guint32 flags, mask;

  g_assert_no_error (error);
  g_assert_cmpstr (link->kind, ==, "rmnet");
  g_assert_cmpstr (link->ifname, ==, "wwan0_1");
  g_assert_cmpuint (link->lower_ifindex, ==, 7);
  g_assert_cmpint (link->mux_id, ==, 1);
  g_assert_true (link->has_rmnet_flags);
  g_assert_cmphex (link->rmnet_flags, ==, 0x31);
  /* last attribute: len 12, type IFLA_RMNET_FLAGS (2), flags, mask */
  g_assert_cmpuint (tail[0], ==, 12);
  g_assert_cmpuint (tail[2], ==, 2);
  memcpy (&flags, tail + 4, 4);
  memcpy (&mask, tail + 8, 4);
  g_assert_cmphex (flags, ==, 0x31);
  g_assert_cmphex (mask, ==, 0x3d);
}

static void
test_parse_rejects_other_messages (void)
{
  guint8 buf[MX_RTNL_BUF_SIZE];
  struct nlmsghdr *nlh = mx_rtnl_link_dump (buf, "rmnet");
  g_autoptr(GError) error = NULL;

  g_assert_null (mx_rtnl_link_parse (nlh, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rtnl-link/rmnet-newlink-matches-iproute2", test_rmnet_newlink_matches_iproute2);
  g_test_add_func ("/rtnl-link/rmnet-changelink-matches-iproute2", test_rmnet_changelink_matches_iproute2);
  g_test_add_func ("/rtnl-link/dellink-matches-iproute2", test_dellink_matches_iproute2);
  g_test_add_func ("/rtnl-link/set-mtu-matches-iproute2", test_set_mtu_matches_iproute2);
  g_test_add_func ("/rtnl-link/set-up-down-alias-match-iproute2", test_set_up_down_and_alias_match_iproute2);
  g_test_add_func ("/rtnl-link/wwan-newlink-matches-iproute2", test_wwan_newlink_matches_iproute2);
  g_test_add_func ("/rtnl-link/vlan-newlink-matches-iproute2", test_vlan_newlink_matches_iproute2);
  g_test_add_func ("/rtnl-link/rmnet-flags-round-trip", test_rmnet_flags_round_trip);
  g_test_add_func ("/rtnl-link/parse-rejects-other-messages", test_parse_rejects_other_messages);
  return g_test_run ();
}
