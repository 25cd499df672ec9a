/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link-manager"
#include <string.h>
#include <net/if.h>
#include "mx-link-manager.h"
#include "mx-core-step.h"
#include "mx-link-error.h"
#include "mx-link-owner.h"
#include "mx-link-qmimux.h"
#include "mx-link-rtnl.h"

struct _MxLinkManager {
  GObject     parent;
  MxLinkMap  *map;
  MxNetlink  *netlink;
  gchar      *name_template;
  GHashTable *policies;   /* port -> PortPolicy* */
  GHashTable *reserved;   /* "port/mux" and names of creations in flight */
  GHashTable *deleting;   /* ifindex of links we are deleting (no "link-lost" for them) */
  GHashTable *own_ports;  /* ports on which we own links */
  gulong      removed_id;
  gulong      added_id;
  gulong      lower_removed_id;
};

typedef struct {
  MxMuxIdPolicy policy;
  gconstpointer owner;
} PortPolicy;

enum { SIGNAL_LINK_LOST, SIGNAL_PORT_LOST, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxLinkManager, mx_link_manager, G_TYPE_OBJECT)

static const char *
kind_name (MxLinkKind kind)
{
  switch (kind) {
  case MX_LINK_KIND_WWAN:   return "wwan";
  case MX_LINK_KIND_QMIMUX: return "qmimux";
  case MX_LINK_KIND_VLAN:   return "vlan";
  case MX_LINK_KIND_RMNET:
  default:                  return "rmnet";
  }
}

static const char *
link_port (const MxLink *l)
{
  return l->lower_name ? l->lower_name : l->parent_dev_name;
}

static gchar *
reserve_key (const char *port, guint mux_id)
{
  return g_strdup_printf ("%s/%u", port, mux_id);
}

/* ---- creation ---- */

/* In order; a step without work for the request is skipped. */
typedef enum {
  CREATE_RESERVE,
  CREATE_NEWLINK,
  CREATE_LOOKUP,
  CREATE_ALIAS,
  CREATE_MTU,
  CREATE_UP,
  CREATE_READ_BACK,
  CREATE_DONE,
} CreateStep;

static const gchar *const create_step_names[] = {
  "mux id and name reservation", "new link request", "new link lookup", "set owner alias",
  "set MTU", "set up", "read back", "done",
};
MX_STEP_NAMES_CHECK (create_step_names, CREATE_DONE);

typedef struct {
  CreateStep    step;
  MxLinkRequest req;       /* strings below are owned copies */
  gchar        *port;
  gchar        *wanted_name;
  gchar        *name;
  gchar        *marker;
  gchar        *mux_key;
  guint32       port_ifindex;
  guint         mux_id;
  guint32       ifindex;   /* once created */
  gboolean      newlink_cancelled; /* the kernel may have it: look it up uncancellably */
  MxLink       *result;
  gulong        wait_id;   /* qmimux: waiting for the kernel's link */
  gulong        cancel_id;
} CreateData;

static void
create_data_free (CreateData *d)
{
  g_free (d->port);
  g_free (d->wanted_name);
  g_free (d->name);
  g_free (d->marker);
  g_free (d->mux_key);
  if (d->result)
    mx_link_free (d->result);
  g_free (d);
}

static void
unreserve (MxLinkManager *self, CreateData *d)
{
  if (d->mux_key)
    g_hash_table_remove (self->reserved, d->mux_key);
  if (d->name)
    g_hash_table_remove (self->reserved, d->name);
}

static void
rollback_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *name = data;

  links = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error);
  if (!links)
    g_warning ("rolling back half-created link %s failed: %s", name, error->message);
  else
    g_info ("rolled back half-created link %s", name);
}

/* Fails the creation; a link already in the kernel is deleted again
 * (not cancellable: a cancelled creation must not leave an orphan). */
static void
create_fail (GTask *task, GError *error)
{
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);

  if (d->ifindex && d->req.kind == MX_LINK_KIND_QMIMUX) {
    mx_qmimux_del_async (NULL, d->port, d->mux_id, NULL, NULL, NULL);
  } else if (d->ifindex) {
    guint8 buf[MX_RTNL_BUF_SIZE];
    g_hash_table_add (self->deleting, GUINT_TO_POINTER (d->ifindex));
    mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_del (buf, d->ifindex), kind_name (d->req.kind),
                              NULL, rollback_ready, g_strdup (d->name));
  }
  unreserve (self, d);
  g_prefix_error (&error, "cannot create %s link%s%s on %s: ", kind_name (d->req.kind),
                  d->name ? " " : "", d->name ? d->name : "", d->port);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* The current step failed: name it, then roll back. */
static void
create_step_failed (GTask *task, GError *error)
{
  CreateData *d = g_task_get_task_data (task);

  mx_step_prefix_error (&error, MX_STEP_NAME (create_step_names, d->step));
  create_fail (task, error);
}

static void create_step (GTask *task);

static void
create_next (GTask *task)
{
  CreateData *d = g_task_get_task_data (task);

  d->step++;
  create_step (task);
}

static void
final_get_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);
  g_autoptr(GPtrArray) links = NULL;
  GError *error = NULL;
  MxLink *link;

  links = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error);
  if (!links || links->len == 0) {
    create_step_failed (task, error ? error : g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                                                           "the new link %s vanished", d->name));
    return;
  }
  link = g_ptr_array_steal_index (links, 0);
  mx_link_map_apply (self->map, link); /* the next allocation must see this mux id */
  if (d->req.kind != MX_LINK_KIND_WWAN) {
    g_free (link->lower_name);
    link->lower_name = g_strdup (d->port);
    link->lower_ifindex = d->port_ifindex;
  }
  if (d->req.kind == MX_LINK_KIND_QMIMUX) {
    g_free (link->kind);
    link->kind = g_strdup ("qmimux");
    link->mux_id = (gint) d->mux_id;
  }
  g_hash_table_add (self->own_ports, g_strdup (d->port));
  unreserve (self, d);
  g_info ("created %s link %s (mux id %u) on %s", kind_name (d->req.kind), link->ifname, d->mux_id,
          d->port);
  d->result = link;
  create_next (task);
}

/* The reply to a change of the new link (alias, MTU, up). */
static void
change_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  g_autoptr(GPtrArray) links = NULL;
  GError *error = NULL;

  links = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error);
  if (!links) {
    create_step_failed (task, error);
    return;
  }
  create_next (task);
}

static void
send_change (GTask *task, const struct nlmsghdr *nlh)
{
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);

  mx_rtnl_link_request_async (self->netlink, nlh, kind_name (d->req.kind),
                            g_task_get_cancellable (task), change_ready, task);
}

static void
get_new_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  CreateData *d = g_task_get_task_data (task);
  g_autoptr(GPtrArray) links = NULL;
  GError *error = NULL;

  links = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error);
  if ((!links || links->len == 0) && g_cancellable_is_cancelled (g_task_get_cancellable (task))) {
    g_clear_error (&error);
    create_step_failed (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled"));
    return;
  }
  if (!links || links->len == 0) {
    /* Created but not found: nothing we could delete by index. */
    create_step_failed (task, error ? error : g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                                                           "link %s vanished right after creation", d->name));
    return;
  }
  d->ifindex = ((MxLink *) g_ptr_array_index (links, 0))->ifindex;
  create_next (task);
}

static void
newlink_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  CreateData *d = g_task_get_task_data (task);
  g_autoptr(GPtrArray) links = NULL;
  GError *error = NULL;

  links = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error);
  if (!links) {
    /* If cancelled after the kernel got the request, the link may exist:
     * look it up without the cancellable and delete it. */
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_clear_error (&error);
      d->newlink_cancelled = TRUE;
      create_next (task);
      return;
    }
    create_step_failed (task, error);
    return;
  }
  create_next (task);
}

/* The ack does not carry the ifindex: ask for the link by name. */
static void
lookup_new (GTask *task)
{
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (d->newlink_cancelled) {
    mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_get (buf, 0, d->name), NULL, NULL,
                              get_new_ready, task);
    return;
  }
  mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_get (buf, 0, d->name), NULL,
                            g_task_get_cancellable (task), get_new_ready, task);
}

/* qmimux: the kernel names the link; we learn it from the map. */
static gboolean
find_qmimux (MxLinkManager *self, CreateData *d)
{
  g_autoptr(GPtrArray) links = mx_link_map_get_links (self->map, d->port);
  guint i;

  for (i = 0; i < links->len; i++) {
    const MxLink *l = g_ptr_array_index (links, i);
    if (g_strcmp0 (l->kind, "qmimux") == 0 && l->mux_id == (gint) d->mux_id) {
      d->ifindex = l->ifindex;
      g_free (d->name);
      d->name = g_strdup (l->ifname);
      return TRUE;
    }
  }
  return FALSE;
}

static void
qmimux_link_added (MxLinkMap *map, const MxLink *link, gpointer data)
{
  GTask *task = data;
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);

  if (!find_qmimux (self, d))
    return;
  g_clear_signal_handler (&d->wait_id, map);
  g_cancellable_disconnect (g_task_get_cancellable (task), d->cancel_id);
  d->cancel_id = 0;
  create_next (task);
}

static gboolean
qmimux_cancel_idle (gpointer data)
{
  GTask *task = data;
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);

  if (d->wait_id) {
    g_clear_signal_handler (&d->wait_id, self->map);
    g_cancellable_disconnect (g_task_get_cancellable (task), d->cancel_id);
    d->cancel_id = 0;
    d->ifindex = G_MAXUINT32; /* makes create_fail write del_mux */
    create_step_failed (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled"));
  }
  return G_SOURCE_REMOVE;
}

static void
qmimux_cancelled (GCancellable *c, gpointer data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, qmimux_cancel_idle, g_object_ref (data), g_object_unref);
}

/* qmi_wwan announces qmimuxN before linking it under its port, so the
 * map may have read no lower_* link and passed it over. Once add_mux has
 * returned the link is in place: look for it under the port's upper_*
 * entries and show it to the map again. */
static gboolean
learn_qmimux (MxLinkManager *self, CreateData *d)
{
  g_autofree gchar *path = g_strdup_printf ("/sys/class/net/%s", d->port);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const gchar *entry;

  while (dir && (entry = g_dir_read_name (dir))) {
    const gchar *name = entry + strlen ("upper_");
    MxLink stub = { 0 };

    if (!g_str_has_prefix (entry, "upper_") || mx_qmimux_link_mux_id (NULL, name) != (gint) d->mux_id)
      continue;
    stub.ifindex = if_nametoindex (name);
    stub.ifname = (gchar *) name;
    stub.mux_id = MX_MUX_ID_NONE;
    if (!stub.ifindex)
      return FALSE;
    mx_link_map_apply (self->map, &stub);
    return TRUE;
  }
  return FALSE;
}

static void
add_mux_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  GError *error = NULL;

  if (!mx_qmimux_add_finish (res, &error)) {
    create_step_failed (task, error);
    return;
  }
  create_next (task);
}

/* The kernel names a qmimux link: wait for it in the map (qmi_wwan may
 * announce it before it is linked under its lower: then sysfs says). */
static void
lookup_qmimux (GTask *task)
{
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);

  if (find_qmimux (self, d) || (learn_qmimux (self, d) && find_qmimux (self, d))) {
    create_next (task);
    return;
  }
  d->wait_id = g_signal_connect (self->map, "link-added", G_CALLBACK (qmimux_link_added), task);
  if (g_task_get_cancellable (task))
    d->cancel_id = g_cancellable_connect (g_task_get_cancellable (task),
                                          G_CALLBACK (qmimux_cancelled), task, NULL);
}

static guint
count_own_links (MxLinkManager *self, const char *port)
{
  g_autoptr(GPtrArray) links = mx_link_map_get_links (self->map, port);
  guint i, n = 0;

  for (i = 0; i < links->len; i++)
    if (mx_link_owner_is_ours (g_ptr_array_index (links, i), port))
      n++;
  return n;
}

static void
used_mux_ids (MxLinkManager *self, CreateData *d, MxMuxIdSet *set)
{
  GHashTableIter iter;
  gpointer key;
  g_autofree gchar *prefix = g_strdup_printf ("%s/", d->port);

  if (d->req.kind == MX_LINK_KIND_WWAN) {
    g_autoptr(GPtrArray) links = mx_link_map_get_links (self->map, d->port);
    guint i;
    mx_mux_id_set_clear (set);
    for (i = 0; i < links->len; i++) {
      const MxLink *l = g_ptr_array_index (links, i);
      if (l->mux_id >= 0)
        mx_mux_id_set_add (set, (guint) l->mux_id);
    }
  } else {
    mx_link_map_get_used_mux_ids (self->map, d->port_ifindex, set);
  }
  if (d->req.kind == MX_LINK_KIND_QMIMUX) {
    g_autoptr(GArray) ids = mx_qmimux_list (NULL, d->port, NULL);
    guint i;
    for (i = 0; ids && i < ids->len; i++)
      mx_mux_id_set_add (set, g_array_index (ids, guint, i));
  }
  /* Ids handed to creations still in flight. */
  g_hash_table_iter_init (&iter, self->reserved);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    guint64 id;
    if (g_str_has_prefix (key, prefix) &&
        g_ascii_string_to_unsigned ((const char *) key + strlen (prefix), 10, 0, 255, &id, NULL))
      mx_mux_id_set_add (set, (guint) id);
  }
}

static gboolean
name_taken (MxLinkManager *self, const char *name)
{
  return mx_link_map_get_ifindex (self->map, name) != 0 ||
         g_hash_table_contains (self->reserved, name);
}

static gboolean
choose_name (MxLinkManager *self, CreateData *d, GError **error)
{
  MxLinkNamePolicy policy = { self->name_template };
  guint attempt;

  if (d->req.kind == MX_LINK_KIND_QMIMUX)
    return TRUE; /* named by qmi_wwan */
  if (d->wanted_name) {
    if (!mx_link_name_validate (d->wanted_name, error))
      return FALSE;
    if (name_taken (self, d->wanted_name)) {
      g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_EXISTS,
                   "an interface named '%s' already exists", d->wanted_name);
      return FALSE;
    }
    d->name = g_strdup (d->wanted_name);
    return TRUE;
  }
  for (attempt = 0; attempt < 100; attempt++) {
    g_autofree gchar *name = mx_link_name_build (&policy, d->port, d->mux_id, attempt, error);
    if (!name)
      return FALSE;
    if (!name_taken (self, name)) {
      if (attempt > 0)
        g_message ("link name for %s mux id %u is held by a foreign interface; using '%s'",
                   d->port, d->mux_id, name);
      d->name = g_steal_pointer (&name);
      return TRUE;
    }
  }
  g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_EXISTS,
               "no free interface name for %s mux id %u", d->port, d->mux_id);
  return FALSE;
}

/* Mux id (the port's policy, or the one asked for) and name, reserved
 * until the creation ends. */
static gboolean
reserve (MxLinkManager *self, CreateData *d, GError **error)
{
  const PortPolicy *port_policy;
  const MxMuxIdPolicy *policy;
  MxMuxIdPolicy default_policy;
  MxMuxIdSet used;

  if (d->req.kind != MX_LINK_KIND_WWAN) {
    d->port_ifindex = mx_link_map_get_ifindex (self->map, d->port);
    if (!d->port_ifindex) {
      g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                   "no network interface named '%s'", d->port);
      return FALSE;
    }
  }
  port_policy = g_hash_table_lookup (self->policies, d->port);
  if (port_policy) {
    policy = &port_policy->policy;
  } else {
    /* MBIM session ids (wwan link id, VLAN id) or QMAP mux ids */
    if (d->req.kind == MX_LINK_KIND_WWAN || d->req.kind == MX_LINK_KIND_VLAN)
      mx_mux_id_policy_init_mbim (&default_policy);
    else
      mx_mux_id_policy_init (&default_policy);
    policy = &default_policy;
  }
  used_mux_ids (self, d, &used);
  if (d->req.mux_id ? !mx_mux_id_check (policy, &used, count_own_links (self, d->port),
                                        d->req.mux_id, error)
                    : !mx_mux_id_allocate (policy, &used, count_own_links (self, d->port),
                                           &d->mux_id, error))
    return FALSE;
  if (d->req.mux_id)
    d->mux_id = d->req.mux_id;
  if (!choose_name (self, d, error))
    return FALSE;
  d->mux_key = reserve_key (d->port, d->mux_id);
  g_hash_table_add (self->reserved, g_strdup (d->mux_key));
  if (d->name)
    g_hash_table_add (self->reserved, g_strdup (d->name));
  d->marker = mx_link_owner_marker (d->port, d->mux_id);
  return TRUE;
}

static void
new_link (GTask *task)
{
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint8 buf[MX_RTNL_BUF_SIZE];

  switch (d->req.kind) {
  case MX_LINK_KIND_RMNET:
    mx_rtnl_link_request_async (self->netlink,
                              mx_rtnl_link_new_rmnet (buf, d->port_ifindex, d->name, (guint16) d->mux_id,
                                                      d->req.flags, d->req.flags_mask),
                              "rmnet", cancellable, newlink_ready, task);
    break;
  case MX_LINK_KIND_WWAN:
    mx_rtnl_link_request_async (self->netlink,
                              mx_rtnl_link_new_wwan (buf, d->port, d->name, d->mux_id),
                              "wwan", cancellable, newlink_ready, task);
    break;
  case MX_LINK_KIND_VLAN:
    mx_rtnl_link_request_async (self->netlink,
                              mx_rtnl_link_new_vlan (buf, d->port_ifindex, d->name, (guint16) d->mux_id),
                              "vlan", cancellable, newlink_ready, task);
    break;
  case MX_LINK_KIND_QMIMUX:
  default:
    mx_qmimux_add_async (NULL, d->port, d->mux_id, cancellable, add_mux_ready, task);
    break;
  }
}

static void
create_step (GTask *task)
{
  MxLinkManager *self = g_task_get_source_object (task);
  CreateData *d = g_task_get_task_data (task);
  GError *error = NULL;
  guint8 buf[MX_RTNL_BUF_SIZE];

  switch (d->step) {
  case CREATE_RESERVE:
    if (!reserve (self, d, &error)) {
      create_step_failed (task, error);
      return;
    }
    create_next (task);
    return;
  case CREATE_NEWLINK:
    new_link (task);
    return;
  case CREATE_LOOKUP:
    if (d->req.kind == MX_LINK_KIND_QMIMUX)
      lookup_qmimux (task);
    else
      lookup_new (task);
    return;
  case CREATE_ALIAS:
    send_change (task, mx_rtnl_link_set_alias (buf, d->ifindex, d->marker));
    return;
  case CREATE_MTU:
    /* The kernel ignores IFLA_MTU in an rmnet NEWLINK: always a second request. */
    if (!d->req.mtu) {
      create_next (task);
      return;
    }
    send_change (task, mx_rtnl_link_set_mtu (buf, d->ifindex, d->req.mtu));
    return;
  case CREATE_UP:
    if (!d->req.up) {
      create_next (task);
      return;
    }
    send_change (task, mx_rtnl_link_set_up (buf, d->ifindex, TRUE));
    return;
  case CREATE_READ_BACK:
    mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_get (buf, d->ifindex, NULL), NULL,
                              g_task_get_cancellable (task), final_get_ready, task);
    return;
  case CREATE_DONE:
  default:
    g_task_return_pointer (task, g_steal_pointer (&d->result), (GDestroyNotify) mx_link_free);
    g_object_unref (task);
    return;
  }
}

void
mx_link_manager_create_async (MxLinkManager *self, const MxLinkRequest *request,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CreateData *d = g_new0 (CreateData, 1);

  g_task_set_source_tag (task, mx_link_manager_create_async);
  d->req = *request;
  d->port = g_strdup (request->port);
  d->wanted_name = g_strdup (request->name);
  d->req.port = d->port;
  d->req.name = d->wanted_name;
  g_task_set_task_data (task, d, (GDestroyNotify) create_data_free);
  create_step (task);
}

MxLink *
mx_link_manager_create_finish (MxLinkManager *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- deletion ---- */

static void
delete_one_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  MxLinkManager *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) links = NULL;
  GError *error = NULL;
  gboolean ok;

  if (MX_IS_NETLINK (source))
    ok = (links = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error)) != NULL;
  else
    ok = mx_qmimux_del_finish (res, &error);
  if (ok)
    mx_link_map_apply_removed (self->map,
                               GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "ifindex")));
  if (ok)
    g_task_return_boolean (task, TRUE);
  else {
    /* Still there (or never was): a later removal is not ours to expect. */
    g_hash_table_remove (self->deleting, g_object_get_data (G_OBJECT (task), "ifindex"));
    g_task_return_error (task, error);
  }
  g_object_unref (task);
}

static void
delete_link (MxLinkManager *self, const MxLink *link, GCancellable *cancellable, GTask *task)
{
  guint8 buf[MX_RTNL_BUF_SIZE];

  g_hash_table_add (self->deleting, GUINT_TO_POINTER (link->ifindex));
  g_object_set_data (G_OBJECT (task), "ifindex", GUINT_TO_POINTER (link->ifindex));
  if (g_strcmp0 (link->kind, "qmimux") == 0)
    mx_qmimux_del_async (NULL, link->lower_name, (guint) link->mux_id, cancellable,
                         delete_one_ready, task);
  else
    mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_del (buf, link->ifindex), link->kind,
                              cancellable, delete_one_ready, task);
}

void
mx_link_manager_delete_async (MxLinkManager *self, const char *ifname, gboolean force,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  const MxLink *link = mx_link_map_lookup_name (self->map, ifname);

  if (!link) {
    g_task_return_new_error (task, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                             "no link named '%s'", ifname);
    g_object_unref (task);
    return;
  }
  if (!force && !mx_link_owner_is_ours (link, NULL)) {
    g_task_return_new_error (task, MX_LINK_ERROR, MX_LINK_ERROR_NOT_OWNED,
                             "link '%s' was not created by modemux; refusing to delete it "
                             "(use --force)", ifname);
    g_object_unref (task);
    return;
  }
  delete_link (self, link, cancellable, task);
}

gboolean
mx_link_manager_delete_finish (MxLinkManager *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  guint   pending;
  guint   deleted;
  GError *error;
} DeleteAllData;

static void
delete_all_data_free (DeleteAllData *d)
{
  g_clear_error (&d->error);
  g_free (d);
}

/* Completes the task when the last deletion (and the sender) is done. */
static void
delete_all_release (GTask *task)
{
  DeleteAllData *d = g_task_get_task_data (task);

  if (--d->pending > 0)
    return;
  if (d->error)
    g_task_return_error (task, g_steal_pointer (&d->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
delete_all_one_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  GTask *task = data;
  DeleteAllData *d = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_task_propagate_boolean (G_TASK (res), &error))
    d->deleted++;
  else if (!d->error)
    d->error = error;
  else
    g_error_free (error);
  delete_all_release (task);
  g_object_unref (task);
}

void
mx_link_manager_delete_all_async (MxLinkManager *self, const char *port, gboolean force,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  DeleteAllData *d = g_new0 (DeleteAllData, 1);
  g_autoptr(GPtrArray) links = mx_link_map_get_links (self->map, port);
  guint i;

  g_task_set_task_data (task, d, (GDestroyNotify) delete_all_data_free);
  d->pending = 1; /* held until every request is sent */
  for (i = 0; i < links->len; i++) {
    const MxLink *link = g_ptr_array_index (links, i);
    if (!force && !mx_link_owner_is_ours (link, port)) {
      g_debug ("keeping foreign link %s on %s", link->ifname, port);
      continue;
    }
    d->pending++;
    delete_link (self, link, cancellable,
                 g_task_new (self, cancellable, delete_all_one_ready, g_object_ref (task)));
  }
  delete_all_release (task);
  g_object_unref (task);
}

gboolean
mx_link_manager_delete_all_finish (MxLinkManager *self, GAsyncResult *result, guint *n_deleted,
                                   GError **error)
{
  DeleteAllData *d = g_task_get_task_data (G_TASK (result));

  if (n_deleted)
    *n_deleted = d->deleted;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- watching ---- */

static void
on_link_added (MxLinkMap *map, const MxLink *link, MxLinkManager *self)
{
  if (mx_link_owner_is_ours (link, NULL))
    g_hash_table_add (self->own_ports, g_strdup (link_port (link)));
}

static void
on_link_removed (MxLinkMap *map, const MxLink *link, MxLinkManager *self)
{
  if (g_hash_table_remove (self->deleting, GUINT_TO_POINTER (link->ifindex)))
    return;
  if (!mx_link_owner_is_ours (link, NULL))
    return;
  g_warning ("link %s (mux id %d on %s) vanished without modemux deleting it", link->ifname,
             link->mux_id, link_port (link));
  g_signal_emit (self, signals[SIGNAL_LINK_LOST], 0, link);
}

static void
on_lower_removed (MxLinkMap *map, const char *port, guint ifindex, MxLinkManager *self)
{
  if (!g_hash_table_remove (self->own_ports, port))
    return;
  g_warning ("port %s with modemux links vanished", port);
  g_signal_emit (self, signals[SIGNAL_PORT_LOST], 0, port);
}

/* ---- object ---- */

MxLinkManager *
mx_link_manager_new (MxLinkMap *map, MxNetlink *netlink)
{
  MxLinkManager *self = g_object_new (MX_TYPE_LINK_MANAGER, NULL);
  g_autoptr(GPtrArray) links = mx_link_map_get_links (map, NULL);
  guint i;

  self->map = g_object_ref (map);
  self->netlink = g_object_ref (netlink);
  for (i = 0; i < links->len; i++)
    on_link_added (map, g_ptr_array_index (links, i), self);
  self->added_id = g_signal_connect (map, "link-added", G_CALLBACK (on_link_added), self);
  self->removed_id = g_signal_connect (map, "link-removed", G_CALLBACK (on_link_removed), self);
  self->lower_removed_id = g_signal_connect (map, "lower-removed", G_CALLBACK (on_lower_removed), self);
  return self;
}

MxLinkMap *
mx_link_manager_get_map (MxLinkManager *self)
{
  return self->map;
}

void
mx_link_manager_set_mux_id_policy (MxLinkManager *self, const char *port,
                                   const MxMuxIdPolicy *policy, gconstpointer owner)
{
  PortPolicy *p = g_new (PortPolicy, 1);

  p->policy = *policy;
  p->owner = owner;
  g_hash_table_replace (self->policies, g_strdup (port), p);
}

void
mx_link_manager_clear_mux_id_policy (MxLinkManager *self, const char *port, gconstpointer owner)
{
  const PortPolicy *p = g_hash_table_lookup (self->policies, port);

  if (p && p->owner == owner)
    g_hash_table_remove (self->policies, port);
}

void
mx_link_manager_set_name_template (MxLinkManager *self, const char *tmpl)
{
  g_free (self->name_template);
  self->name_template = g_strdup (tmpl);
}

static void
mx_link_manager_init (MxLinkManager *self)
{
  self->policies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->reserved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->deleting = g_hash_table_new (NULL, NULL);
  self->own_ports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
mx_link_manager_dispose (GObject *object)
{
  MxLinkManager *self = MX_LINK_MANAGER (object);

  if (self->map) {
    g_clear_signal_handler (&self->added_id, self->map);
    g_clear_signal_handler (&self->removed_id, self->map);
    g_clear_signal_handler (&self->lower_removed_id, self->map);
  }
  g_clear_object (&self->map);
  g_clear_object (&self->netlink);
  G_OBJECT_CLASS (mx_link_manager_parent_class)->dispose (object);
}

static void
mx_link_manager_finalize (GObject *object)
{
  MxLinkManager *self = MX_LINK_MANAGER (object);

  g_hash_table_unref (self->policies);
  g_hash_table_unref (self->reserved);
  g_hash_table_unref (self->deleting);
  g_hash_table_unref (self->own_ports);
  g_free (self->name_template);
  G_OBJECT_CLASS (mx_link_manager_parent_class)->finalize (object);
}

static void
mx_link_manager_class_init (MxLinkManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_link_manager_dispose;
  object_class->finalize = mx_link_manager_finalize;

  signals[SIGNAL_LINK_LOST] =
    g_signal_new ("link-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_PORT_LOST] =
    g_signal_new ("port-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}
