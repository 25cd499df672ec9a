/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link"
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include "mx-link-rtnl.h"
#include "mx-link-error.h"

/* Our own attribute numbers (upstream): rmnet IFLA_INFO_DATA and wwan. */
#define MX_IFLA_RMNET_MUX_ID    1
#define MX_IFLA_RMNET_FLAGS     2
#define MX_IFLA_WWAN_LINK_ID    1
#define MX_IFLA_PARENT_DEV_NAME 56
#define MX_IFLA_VLAN_ID         1

struct mx_rmnet_flags {
  guint32 flags;
  guint32 mask;
};

static struct nlmsghdr *
begin (void *buf, guint16 type, guint16 flags, guint32 ifindex)
{
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifm;

  memset (buf, 0, MX_RTNL_BUF_SIZE);
  nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof (*ifm));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = (int) ifindex;
  return nlh;
}

/* iproute2 nests without NLA_F_NESTED and sends IFLA_INFO_KIND without
 * the NUL; the kernel accepts both forms, we match iproute2's bytes. */
static struct nlattr *
nest_start (struct nlmsghdr *nlh, guint16 type)
{
  struct nlattr *start = mnl_nlmsg_get_payload_tail (nlh);

  mnl_attr_put (nlh, type, 0, NULL);
  return start;
}

static void
put_kind (struct nlmsghdr *nlh, const char *kind)
{
  mnl_attr_put (nlh, IFLA_INFO_KIND, strlen (kind), kind);
}

static void
put_rmnet_data (struct nlmsghdr *nlh, guint16 mux_id, guint32 flags, guint32 mask)
{
  struct nlattr *info, *data;

  info = nest_start (nlh, IFLA_LINKINFO);
  put_kind (nlh, "rmnet");
  data = nest_start (nlh, IFLA_INFO_DATA);
  mnl_attr_put_u16 (nlh, MX_IFLA_RMNET_MUX_ID, mux_id);
  if (mask) {
    struct mx_rmnet_flags f = { flags & mask, mask };
    mnl_attr_put (nlh, MX_IFLA_RMNET_FLAGS, sizeof (f), &f);
  }
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
}

struct nlmsghdr *
mx_rtnl_link_new_rmnet (void *buf, guint32 lower_ifindex, const char *ifname,
                        guint16 mux_id, guint32 flags, guint32 mask)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK,
                                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);

  mnl_attr_put_u32 (nlh, IFLA_LINK, lower_ifindex);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, ifname);
  put_rmnet_data (nlh, mux_id, flags, mask);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_change_rmnet (void *buf, guint32 ifindex, guint16 mux_id, guint32 flags, guint32 mask)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);

  put_rmnet_data (nlh, mux_id, flags, mask);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_new_wwan (void *buf, const char *parent_dev_name, const char *ifname, guint32 link_id)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK,
                                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
  struct nlattr *info, *data;

  mnl_attr_put_strz (nlh, MX_IFLA_PARENT_DEV_NAME, parent_dev_name);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, ifname);
  info = nest_start (nlh, IFLA_LINKINFO);
  put_kind (nlh, "wwan");
  data = nest_start (nlh, IFLA_INFO_DATA);
  mnl_attr_put_u32 (nlh, MX_IFLA_WWAN_LINK_ID, link_id);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_new_vlan (void *buf, guint32 lower_ifindex, const char *ifname, guint16 vlan_id)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK,
                                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
  struct nlattr *info, *data;

  mnl_attr_put_u32 (nlh, IFLA_LINK, lower_ifindex);
  mnl_attr_put_strz (nlh, IFLA_IFNAME, ifname);
  info = nest_start (nlh, IFLA_LINKINFO);
  put_kind (nlh, "vlan");
  data = nest_start (nlh, IFLA_INFO_DATA);
  mnl_attr_put_u16 (nlh, MX_IFLA_VLAN_ID, vlan_id);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_set_mtu (void *buf, guint32 ifindex, guint32 mtu)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);

  mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_set_up (void *buf, guint32 ifindex, gboolean up)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
  struct ifinfomsg *ifm = mnl_nlmsg_get_payload (nlh);

  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = up ? IFF_UP : 0;
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_set_alias (void *buf, guint32 ifindex, const char *alias)
{
  struct nlmsghdr *nlh = begin (buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);

  /* Like iproute2: without the terminating NUL (the kernel stores the length given). */
  mnl_attr_put (nlh, IFLA_IFALIAS, strlen (alias), alias);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_del (void *buf, guint32 ifindex)
{
  return begin (buf, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
}

struct nlmsghdr *
mx_rtnl_link_get (void *buf, guint32 ifindex, const char *ifname)
{
  struct nlmsghdr *nlh = begin (buf, RTM_GETLINK, NLM_F_REQUEST, ifindex);

  if (!ifindex && ifname)
    mnl_attr_put_strz (nlh, IFLA_IFNAME, ifname);
  mnl_attr_put_u32 (nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return nlh;
}

struct nlmsghdr *
mx_rtnl_link_dump (void *buf, const char *kind)
{
  struct nlmsghdr *nlh = begin (buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0);

  mnl_attr_put_u32 (nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  if (kind) {
    struct nlattr *info = nest_start (nlh, IFLA_LINKINFO);
    put_kind (nlh, kind);
    mnl_attr_nest_end (nlh, info);
  }
  return nlh;
}

/* ---- decoding ---- */

typedef struct {
  const struct nlattr *tb[IFLA_MAX + 1];
} Attrs;

static int
collect_attr (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  guint16 type = mnl_attr_get_type (attr);

  if (type <= IFLA_MAX)
    tb[type] = attr;
  return MNL_CB_OK;
}

static int
collect_small (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  guint16 type = mnl_attr_get_type (attr);

  if (type < 8)
    tb[type] = attr;
  return MNL_CB_OK;
}

static gchar *
dup_str_attr (const struct nlattr *attr)
{
  const char *s = mnl_attr_get_payload (attr);
  gsize len = mnl_attr_get_payload_len (attr);

  return g_strndup (s, len); /* stops at the NUL if any; alias may lack it */
}

static void
parse_linkinfo (MxLink *link, const struct nlattr *linkinfo)
{
  const struct nlattr *info[8] = { NULL };
  const struct nlattr *data[8] = { NULL };

  if (mnl_attr_parse_nested (linkinfo, collect_small, info) < 0)
    return;
  if (info[IFLA_INFO_KIND])
    link->kind = dup_str_attr (info[IFLA_INFO_KIND]);
  if (!info[IFLA_INFO_DATA] || !link->kind)
    return;
  if (mnl_attr_parse_nested (info[IFLA_INFO_DATA], collect_small, data) < 0)
    return;

  if (g_str_equal (link->kind, "rmnet")) {
    if (data[MX_IFLA_RMNET_MUX_ID] &&
        mnl_attr_validate (data[MX_IFLA_RMNET_MUX_ID], MNL_TYPE_U16) == 0)
      link->mux_id = mnl_attr_get_u16 (data[MX_IFLA_RMNET_MUX_ID]);
    if (data[MX_IFLA_RMNET_FLAGS] &&
        mnl_attr_get_payload_len (data[MX_IFLA_RMNET_FLAGS]) >= sizeof (struct mx_rmnet_flags)) {
      struct mx_rmnet_flags f;
      memcpy (&f, mnl_attr_get_payload (data[MX_IFLA_RMNET_FLAGS]), sizeof (f));
      link->has_rmnet_flags = TRUE;
      link->rmnet_flags = f.flags;
    }
  } else if (g_str_equal (link->kind, "wwan")) {
    if (data[MX_IFLA_WWAN_LINK_ID] &&
        mnl_attr_validate (data[MX_IFLA_WWAN_LINK_ID], MNL_TYPE_U32) == 0)
      link->mux_id = (gint) mnl_attr_get_u32 (data[MX_IFLA_WWAN_LINK_ID]);
  } else if (g_str_equal (link->kind, "vlan")) {
    /* the VLAN id is the MBIM session id on cdc_mbim */
    if (data[MX_IFLA_VLAN_ID] && mnl_attr_validate (data[MX_IFLA_VLAN_ID], MNL_TYPE_U16) == 0)
      link->mux_id = mnl_attr_get_u16 (data[MX_IFLA_VLAN_ID]);
  }
}

MxLink *
mx_rtnl_link_parse (const struct nlmsghdr *nlh, GError **error)
{
  g_autoptr(MxLink) link = NULL;
  const struct ifinfomsg *ifm;
  Attrs a = { { NULL } };

  if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
      nlh->nlmsg_len < NLMSG_LENGTH (sizeof (*ifm))) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                 "not a link message (type %u, length %u)", nlh->nlmsg_type, nlh->nlmsg_len);
    return NULL;
  }
  ifm = mnl_nlmsg_get_payload (nlh);
  if (mnl_attr_parse (nlh, sizeof (*ifm), collect_attr, a.tb) < 0) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID, "malformed link message attributes");
    return NULL;
  }
  link = mx_link_new ();
  link->ifindex = (guint32) ifm->ifi_index;
  link->ifi_flags = ifm->ifi_flags;
  link->ifi_type = ifm->ifi_type;
  if (a.tb[IFLA_IFNAME])
    link->ifname = dup_str_attr (a.tb[IFLA_IFNAME]);
  if (a.tb[IFLA_LINK] && mnl_attr_validate (a.tb[IFLA_LINK], MNL_TYPE_U32) == 0)
    link->lower_ifindex = mnl_attr_get_u32 (a.tb[IFLA_LINK]);
  if (a.tb[IFLA_MTU] && mnl_attr_validate (a.tb[IFLA_MTU], MNL_TYPE_U32) == 0)
    link->mtu = mnl_attr_get_u32 (a.tb[IFLA_MTU]);
  if (a.tb[IFLA_OPERSTATE] && mnl_attr_validate (a.tb[IFLA_OPERSTATE], MNL_TYPE_U8) == 0)
    link->operstate = mnl_attr_get_u8 (a.tb[IFLA_OPERSTATE]);
  if (a.tb[IFLA_IFALIAS] && mnl_attr_get_payload_len (a.tb[IFLA_IFALIAS]) > 0)
    link->ifalias = dup_str_attr (a.tb[IFLA_IFALIAS]);
  if (a.tb[MX_IFLA_PARENT_DEV_NAME])
    link->parent_dev_name = dup_str_attr (a.tb[MX_IFLA_PARENT_DEV_NAME]);
  if (a.tb[IFLA_LINKINFO])
    parse_linkinfo (link, a.tb[IFLA_LINKINFO]);
  /* A link whose IFLA_LINK is itself (or a veth peer) has no lower for us;
   * only rmnet and vlan report their lower there. */
  if (!link->kind || (!g_str_equal (link->kind, "rmnet") && !g_str_equal (link->kind, "vlan")))
    link->lower_ifindex = 0;
  if (link->lower_ifindex == link->ifindex)
    link->lower_ifindex = 0;
  return g_steal_pointer (&link);
}

MxLink *
mx_rtnl_link_parse_notification (const struct nlmsghdr *nlh, gboolean *removed, GError **error)
{
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
    return NULL;
  if (removed)
    *removed = nlh->nlmsg_type == RTM_DELLINK;
  return mx_rtnl_link_parse (nlh, error);
}

/* ---- link requests over the transport ---- */

/* Takes @error (of the transport) and returns the link layer's for @kind. */
static GError *
link_error (GError *error, const char *kind)
{
  GError *mapped;

  if (error->domain != MX_NETLINK_ERROR)
    return error; /* cancelled */
  switch (error->code) {
  case MX_NETLINK_ERROR_KERNEL:
    mapped = mx_link_error_from_errno (mx_netlink_error_get_errno (error), kind,
                                       mx_netlink_error_get_ext_ack (error));
    break;
  case MX_NETLINK_ERROR_SEND:
    mapped = mx_link_error_from_errno (mx_netlink_error_get_errno (error), kind,
                                       "sending the request failed");
    break;
  default:
    mapped = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_FAILED, "%s request failed: %s",
                          kind ? kind : "link", error->message);
    break;
  }
  g_error_free (error);
  return mapped;
}

static void
link_request_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GPtrArray) replies = NULL;
  GPtrArray *links;
  GError *error = NULL;
  guint i;

  replies = mx_netlink_request_finish (MX_NETLINK (source), res, &error);
  if (!replies) {
    g_task_return_error (task, link_error (error, g_task_get_task_data (task)));
    return;
  }
  links = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_link_free);
  for (i = 0; i < replies->len; i++) {
    const struct nlmsghdr *nlh = g_bytes_get_data (g_ptr_array_index (replies, i), NULL);
    g_autoptr(GError) local = NULL;
    MxLink *link;

    if (nlh->nlmsg_type != RTM_NEWLINK) {
      g_debug ("ignoring netlink message type %u in a link reply", nlh->nlmsg_type);
      continue;
    }
    if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
      g_debug ("link dump interrupted by a change; notifications will catch up");
    link = mx_rtnl_link_parse (nlh, &local);
    if (link)
      g_ptr_array_add (links, link);
    else
      g_warning ("ignoring undecodable link in reply: %s", local->message);
  }
  g_task_return_pointer (task, links, (GDestroyNotify) g_ptr_array_unref);
}

void
mx_rtnl_link_request_async (MxNetlink *netlink, const struct nlmsghdr *nlh, const char *kind,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task;

  g_return_if_fail (MX_IS_NETLINK (netlink));
  /* The transport is the source object: callers' callbacks get the MxNetlink. */
  task = g_task_new (netlink, cancellable, callback, user_data);
  g_task_set_source_tag (task, mx_rtnl_link_request_async);
  g_task_set_task_data (task, g_strdup (kind), g_free);
  mx_netlink_request_async (netlink, nlh, 0, cancellable, link_request_ready, task);
}

GPtrArray *
mx_rtnl_link_request_finish (MxNetlink *netlink, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, netlink), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == mx_rtnl_link_request_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
