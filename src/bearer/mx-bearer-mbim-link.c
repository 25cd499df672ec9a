/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The link of a multiplexed MBIM session; see mx-bearer-mbim-link.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-mbim-link.h"

#include "mx-link-error.h"
#include "mx-link-rtnl.h"

/* ---- kernel probe ---- */

typedef struct {
  guint kinds;
  guint step;   /* 0: wwan, 1: vlan */
} ProbeCtx;

static void probe_next (GTask *task);

static void
probe_ready (MxNetlink *netlink, GAsyncResult *res, GTask *task)
{
  ProbeCtx *c = g_task_get_task_data (task);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  replies = mx_rtnl_link_request_finish (netlink, res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  /* Refused for the missing parent (or, impossibly, accepted): the kind exists. */
  if (!g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED))
    c->kinds |= c->step == 0 ? MX_DATA_LINK_WWAN : MX_DATA_LINK_VLAN;
  else
    g_debug ("MBIM session links: %s", error->message);
  c->step++;
  probe_next (task);
}

static void
probe_next (GTask *task)
{
  ProbeCtx *c = g_task_get_task_data (task);
  MxNetlink *netlink = g_task_get_source_object (task);
  guint8 buf[MX_RTNL_BUF_SIZE];

  switch (c->step) {
  case 0:
    /* No wwan device has this name: ENODEV with CONFIG_WWAN, EOPNOTSUPP without. */
    mx_rtnl_link_request_async (netlink, mx_rtnl_link_new_wwan (buf, "mxprobe-none", "mxprobe0", 1),
                                "wwan", g_task_get_cancellable (task),
                                (GAsyncReadyCallback) probe_ready, task);
    return;
  case 1:
    /* No lower with ifindex 0: ENODEV with 8021q, EOPNOTSUPP without. */
    mx_rtnl_link_request_async (netlink, mx_rtnl_link_new_vlan (buf, 0, "mxprobe0", 1),
                                "vlan", g_task_get_cancellable (task),
                                (GAsyncReadyCallback) probe_ready, task);
    return;
  default:
    g_task_return_int (task, c->kinds);
    g_object_unref (task);
    return;
  }
}

void
mx_bearer_mbim_link_probe_kernel_async (MxNetlink *netlink, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (netlink, cancellable, callback, user_data);

  g_task_set_source_tag (task, mx_bearer_mbim_link_probe_kernel_async);
  g_task_set_task_data (task, g_new0 (ProbeCtx, 1), g_free);
  probe_next (task);
}

guint
mx_bearer_mbim_link_probe_kernel_finish (MxNetlink *netlink, GAsyncResult *result, GError **error)
{
  gssize kinds;

  g_return_val_if_fail (g_task_is_valid (result, netlink), 0);
  kinds = g_task_propagate_int (G_TASK (result), error);
  return kinds < 0 ? 0 : (guint) kinds;
}

/* ---- the link ---- */

gchar *
mx_bearer_mbim_link_port (MxLinkManager *links, const gchar *netdev, MxDataLinkKinds kind,
                          GError **error)
{
  gchar *wwan;

  if (kind != MX_DATA_LINK_WWAN)
    return g_strdup (netdev);
  wwan = mx_link_map_dup_parent_device (mx_link_manager_get_map (links), netdev);
  if (!wwan)
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                 "the MBIM data netdev %s has no wwan device to create session links on", netdev);
  return wwan;
}

/* The owner of the session-id policies set here (one per port, replaced
 * by whoever manages the port next). */
static const char policy_owner[] = "mbim-session-links";

static void
created (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  GError *error = NULL;
  MxLink *link = mx_link_manager_create_finish (links, res, &error);

  if (link)
    g_task_return_pointer (task, link, (GDestroyNotify) mx_link_free);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

void
mx_bearer_mbim_link_create_async (MxLinkManager *links, const gchar *netdev,
                                  const MxDataProfile *profile, MxDataLinkKinds kind, guint32 mtu,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task = g_task_new (links, cancellable, callback, user_data);
  g_autofree gchar *port = NULL;
  GError *error = NULL;
  MxMuxIdPolicy policy;
  MxLinkRequest req = { 0 };

  g_task_set_source_tag (task, mx_bearer_mbim_link_create_async);
  port = mx_bearer_mbim_link_port (links, netdev, kind, &error);
  if (!port) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  mx_data_profile_get_mux_id_policy (profile, &policy);
  mx_link_manager_set_mux_id_policy (links, port, &policy, policy_owner);
  req.kind = kind == MX_DATA_LINK_WWAN ? MX_LINK_KIND_WWAN : MX_LINK_KIND_VLAN;
  req.port = port;
  req.mtu = mtu;
  req.up = TRUE;
  mx_link_manager_create_async (links, &req, cancellable, (GAsyncReadyCallback) created, task);
}

MxLink *
mx_bearer_mbim_link_create_finish (MxLinkManager *links, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, links), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
