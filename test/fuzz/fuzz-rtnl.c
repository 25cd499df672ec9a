/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rtnetlink link decoder (mx_rtnl_link_parse and
 * mx_rtnl_link_parse_notification, src/link/mx-link-rtnl.c). Input: a
 * datagram as the netlink socket delivers it; it is walked message by
 * message with mx_netlink_msg_ok() exactly as MxNetlink does before it hands
 * a message on, so the walk itself is fuzzed too. */
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "fuzz-common.h"
#include "mx-link-rtnl.h"

static void
check_link (const MxLink *link)
{
  /* Only rmnet and vlan links have a lower by IFLA_LINK, never themselves. */
  if (link->lower_ifindex && (link->lower_ifindex == link->ifindex ||
      (g_strcmp0 (link->kind, "rmnet") != 0 && g_strcmp0 (link->kind, "vlan") != 0)))
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Aligned like a receive buffer (malloc), exact size to catch overreads. */
  g_autofree guint8 *buf = g_memdup2 (data, size);
  const struct nlmsghdr *nlh;
  int len = (int) MIN (size, (size_t) G_MAXINT);

  fuzz_init ();
  for (nlh = (const struct nlmsghdr *) buf; mx_netlink_msg_ok (nlh, len);
       nlh = mnl_nlmsg_next (nlh, &len)) {
    g_autoptr(MxLink) link = NULL;
    g_autoptr(MxLink) note = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) note_error = NULL;
    gboolean removed = FALSE;

    link = mx_rtnl_link_parse (nlh, &error);
    if ((link == NULL) == (error == NULL))
      abort ();
    if (link)
      check_link (link);
    note = mx_rtnl_link_parse_notification (nlh, &removed, &note_error);
    if (note) {
      check_link (note);
      if (removed != (nlh->nlmsg_type == RTM_DELLINK))
        abort ();
    } else if (!note_error && (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK)) {
      abort ();
    }
  }
  return 0;
}
