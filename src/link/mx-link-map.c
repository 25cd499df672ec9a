/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link-map"
#include <string.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include "mx-link-map.h"
#include "mx-link-error.h"
#include "mx-link-qmimux.h"
#include "mx-link-rtnl.h"

struct _MxLinkMap {
  GObject     parent;
  MxNetlink  *netlink;
  gchar      *sysfs_root;
  gulong      event_id;
  gulong      overrun_id;
  GHashTable *links;     /* ifindex -> MxLink* (virtual links only) */
  GHashTable *netdevs;   /* ifindex -> ifname (every netdev seen) */
  GHashTable *ports;     /* ifindex -> port name, for ports that have (had) links */
  GHashTable *gone;      /* ifindexes removed by apply_removed() whose DELLINK is still due */
  gboolean    loading;
  GPtrArray  *queued;    /* events received while a dump runs: MxLink* with removed in mux_id? */
  GArray     *queued_removed;
};

enum { SIGNAL_LINK_ADDED, SIGNAL_LINK_REMOVED, SIGNAL_CHANGED, SIGNAL_LOWER_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxLinkMap, mx_link_map, G_TYPE_OBJECT)

/* ---- sysfs ---- */

static gchar *
net_path (MxLinkMap *self, const char *ifname, const char *file)
{
  return g_build_filename (self->sysfs_root, "class", "net", ifname, file, NULL);
}

static gchar *
read_attr (MxLinkMap *self, const char *ifname, const char *file)
{
  g_autofree gchar *path = net_path (self, ifname, file);
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

/* Contents of a numeric attribute: decimal, or 0x hex as the kernel prints
 * "flags"; 0 when absent or garbage. */
static guint32
parse_u32_attr (const char *contents)
{
  g_autofree gchar *s = contents ? g_strstrip (g_strdup (contents)) : NULL;
  guint64 v;
  gboolean ok;

  if (!s)
    return 0;
  if (g_str_has_prefix (s, "0x"))
    ok = g_ascii_string_to_unsigned (s + 2, 16, 0, G_MAXUINT32, &v, NULL);
  else
    ok = g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT32, &v, NULL);
  return ok ? (guint32) v : 0;
}

static guint32
read_u32_attr (MxLinkMap *self, const char *ifname, const char *file)
{
  g_autofree gchar *s = read_attr (self, ifname, file);

  return parse_u32_attr (s);
}

static guint8
operstate_from_string (const char *s)
{
  guint8 i;

  for (i = 0; i <= 6; i++)
    if (g_ascii_strcasecmp (s, mx_link_operstate_to_string (i)) == 0)
      return i;
  return 0;
}

void
mx_link_map_parse_sysfs_attrs (MxLink *link, const char *ifindex, const char *mtu,
                               const char *flags, const char *operstate, const char *ifalias)
{
  g_autofree gchar *state = operstate ? g_strstrip (g_strdup (operstate)) : NULL;

  link->ifindex = parse_u32_attr (ifindex);
  link->mtu = parse_u32_attr (mtu);
  link->ifi_flags = parse_u32_attr (flags);
  link->operstate = state ? operstate_from_string (state) : 0;
  g_free (link->ifalias);
  link->ifalias = ifalias ? g_strstrip (g_strdup (ifalias)) : NULL;
  if (link->ifalias && !*link->ifalias)
    g_clear_pointer (&link->ifalias, g_free);
}

/* First lower_* entry whose target exists (a dangling one is ignored). */
static gchar *
sysfs_lower_name (MxLinkMap *self, const char *ifname)
{
  g_autofree gchar *dir_path = net_path (self, ifname, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (!dir)
    return NULL;
  while ((entry = g_dir_read_name (dir))) {
    g_autofree gchar *path = NULL;
    if (!g_str_has_prefix (entry, "lower_"))
      continue;
    path = g_build_filename (dir_path, entry, NULL);
    if (!g_file_test (path, G_FILE_TEST_IS_DIR)) {
      g_debug ("%s: ignoring dangling %s", ifname, entry);
      continue;
    }
    g_ptr_array_add (names, g_strdup (entry + strlen ("lower_")));
  }
  if (names->len == 0)
    return NULL;
  g_ptr_array_sort (names, (GCompareFunc) g_ascii_strcasecmp);
  return g_strdup (g_ptr_array_index (names, 0));
}

static GPtrArray *
sysfs_upper_names (MxLinkMap *self, const char *ifname)
{
  g_autofree gchar *dir_path = net_path (self, ifname, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  while (dir && (entry = g_dir_read_name (dir))) {
    g_autofree gchar *path = NULL;
    if (!g_str_has_prefix (entry, "upper_"))
      continue;
    path = g_build_filename (dir_path, entry, NULL);
    if (g_file_test (path, G_FILE_TEST_IS_DIR))
      g_ptr_array_add (names, g_strdup (entry + strlen ("upper_")));
    else
      g_debug ("%s: ignoring dangling %s", ifname, entry);
  }
  return names;
}

static guint32
ifindex_by_name (MxLinkMap *self, const char *ifname)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->netdevs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (value, ifname))
      return GPOINTER_TO_UINT (key);
  return 0;
}

/* Decides whether @link (netlink view, or a sysfs-only stub) is a virtual
 * data link, and fills in its port. Returns FALSE for anything else. */
static gboolean
classify (MxLinkMap *self, MxLink *link, gboolean have_netlink)
{
  gint qmap_mux = mx_qmimux_link_mux_id (self->sysfs_root, link->ifname);

  if (qmap_mux >= 0) {
    g_free (link->kind);
    link->kind = g_strdup ("qmimux");
    link->mux_id = qmap_mux;
  }
  if (g_strcmp0 (link->kind, "wwan") == 0) {
    g_free (link->lower_name);
    link->lower_name = NULL; /* the port of a wwan link is its wwan device */
    return link->parent_dev_name != NULL;
  }
  /* rmnet, and 802.1Q VLANs (cdc_mbim sessions; any VLAN upper is a link
   * of its lower, ours only with our marker): the lower is IFLA_LINK. */
  if ((g_strcmp0 (link->kind, "rmnet") == 0 || g_strcmp0 (link->kind, "vlan") == 0) &&
      link->lower_ifindex) {
    const char *name = g_hash_table_lookup (self->netdevs, GUINT_TO_POINTER (link->lower_ifindex));
    g_free (link->lower_name);
    link->lower_name = name ? g_strdup (name) : sysfs_lower_name (self, link->ifname);
    return TRUE;
  }
  if (g_strcmp0 (link->kind, "rmnet") == 0 || g_strcmp0 (link->kind, "qmimux") == 0 ||
      !have_netlink) {
    g_autofree gchar *lower = sysfs_lower_name (self, link->ifname);
    if (!lower && !have_netlink && link->lower_name) {
      /* Known only from the port's upper_ entry (sysfs scan). */
      link->lower_ifindex = ifindex_by_name (self, link->lower_name);
      return TRUE;
    }
    if (!lower)
      return g_strcmp0 (link->kind, "rmnet") == 0;
    g_free (link->lower_name);
    link->lower_name = g_steal_pointer (&lower);
    link->lower_ifindex = ifindex_by_name (self, link->lower_name);
    if (!link->lower_ifindex)
      link->lower_ifindex = read_u32_attr (self, link->lower_name, "ifindex");
    return TRUE;
  }
  return FALSE;
}

/* ---- applying state ---- */

static gboolean
link_differs (const MxLink *a, const MxLink *b)
{
  return a->mtu != b->mtu || a->ifi_flags != b->ifi_flags || a->operstate != b->operstate ||
         a->mux_id != b->mux_id || a->rmnet_flags != b->rmnet_flags ||
         a->lower_ifindex != b->lower_ifindex || g_strcmp0 (a->ifname, b->ifname) != 0 ||
         g_strcmp0 (a->ifalias, b->ifalias) != 0 || g_strcmp0 (a->lower_name, b->lower_name) != 0;
}

static void
remove_link (MxLinkMap *self, guint32 ifindex)
{
  MxLink *old = NULL;

  if (!g_hash_table_steal_extended (self->links, GUINT_TO_POINTER (ifindex), NULL,
                                    (gpointer *) &old))
    return;
  g_debug ("link %s (mux id %d on %s) removed", old->ifname, old->mux_id,
           old->lower_name ? old->lower_name : "?");
  g_signal_emit (self, signals[SIGNAL_LINK_REMOVED], 0, old);
  mx_link_free (old);
}

static void
netdev_removed (MxLinkMap *self, guint32 ifindex)
{
  g_autofree gchar *port = NULL;
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GArray) orphans = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint i;

  remove_link (self, ifindex);
  g_hash_table_remove (self->netdevs, GUINT_TO_POINTER (ifindex));
  if (!g_hash_table_steal_extended (self->ports, GUINT_TO_POINTER (ifindex), NULL,
                                    (gpointer *) &port))
    return;
  /* The kernel deletes an rmnet lower's links before the lower itself; any
   * left over (qmimux, or missed notifications) go now. */
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((MxLink *) value)->lower_ifindex == ifindex)
      g_array_append_val (orphans, ((MxLink *) value)->ifindex);
  for (i = 0; i < orphans->len; i++)
    remove_link (self, g_array_index (orphans, guint32, i));
  g_info ("port %s (ifindex %u) removed", port, ifindex);
  g_signal_emit (self, signals[SIGNAL_LOWER_REMOVED], 0, port, ifindex);
}

/* Takes ownership of @link (already classified as a link). */
static void
upsert_link (MxLinkMap *self, MxLink *link)
{
  MxLink *old = g_hash_table_lookup (self->links, GUINT_TO_POINTER (link->ifindex));

  if (link->lower_ifindex && link->lower_name)
    g_hash_table_replace (self->ports, GUINT_TO_POINTER (link->lower_ifindex),
                          g_strdup (link->lower_name));
  if (!old) {
    g_hash_table_insert (self->links, GUINT_TO_POINTER (link->ifindex), link);
    g_debug ("link %s (mux id %d on %s) added", link->ifname, link->mux_id,
             link->lower_name ? link->lower_name : link->parent_dev_name);
    g_signal_emit (self, signals[SIGNAL_LINK_ADDED], 0, link);
    return;
  }
  if (!link_differs (old, link)) {
    mx_link_free (link);
    return;
  }
  g_hash_table_replace (self->links, GUINT_TO_POINTER (link->ifindex), link);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, link);
}

static void
apply_netdev (MxLinkMap *self, const MxLink *event, gboolean have_netlink)
{
  const char *old_name = g_hash_table_lookup (self->netdevs, GUINT_TO_POINTER (event->ifindex));
  MxLink *link;

  if (!event->ifname)
    return;
  if (g_strcmp0 (old_name, event->ifname) != 0) {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_replace (self->netdevs, GUINT_TO_POINTER (event->ifindex),
                          g_strdup (event->ifname));
    /* A renamed port renames the port of its links. */
    if (g_hash_table_contains (self->ports, GUINT_TO_POINTER (event->ifindex))) {
      g_hash_table_replace (self->ports, GUINT_TO_POINTER (event->ifindex),
                            g_strdup (event->ifname));
      g_hash_table_iter_init (&iter, self->links);
      while (g_hash_table_iter_next (&iter, NULL, &value)) {
        MxLink *l = value;
        if (l->lower_ifindex == event->ifindex) {
          g_free (l->lower_name);
          l->lower_name = g_strdup (event->ifname);
          g_signal_emit (self, signals[SIGNAL_CHANGED], 0, l);
        }
      }
    }
  }
  link = mx_link_copy (event);
  if (classify (self, link, have_netlink))
    upsert_link (self, link);
  else {
    mx_link_free (link);
    remove_link (self, event->ifindex); /* e.g. a qmimux whose sysfs is gone */
  }
}

static void
on_link_event (MxNetlink *netlink, const MxLink *event, gboolean removed, MxLinkMap *self)
{
  if (self->loading) {
    MxLink *copy = mx_link_copy (event);
    g_ptr_array_add (self->queued, copy);
    g_array_append_val (self->queued_removed, removed);
    return;
  }
  if (removed) {
    g_hash_table_remove (self->gone, GUINT_TO_POINTER (event->ifindex));
    netdev_removed (self, event->ifindex);
  } else if (!g_hash_table_contains (self->gone, GUINT_TO_POINTER (event->ifindex))) {
    /* (a link being unregistered still sends RTM_NEWLINK "down" first:
     * for a link we already know is gone, that must not resurrect it) */
    apply_netdev (self, event, TRUE);
  }
}

static void
on_notification (MxNetlink *netlink, const struct nlmsghdr *nlh, MxLinkMap *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = NULL;
  gboolean removed = FALSE;

  link = mx_rtnl_link_parse_notification (nlh, &removed, &error);
  if (link)
    on_link_event (netlink, link, removed, self);
  else if (error)
    g_warning ("ignoring undecodable link notification: %s", error->message);
}

/* Replaces the whole state by @snapshot (MxLink* for every netdev), with
 * signals for the differences. */
static void
apply_snapshot (MxLinkMap *self, GPtrArray *snapshot, gboolean have_netlink)
{
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint32));
  GHashTableIter iter;
  gpointer key;
  guint i;

  for (i = 0; i < snapshot->len; i++) {
    const MxLink *l = g_ptr_array_index (snapshot, i);
    g_hash_table_add (present, GUINT_TO_POINTER (l->ifindex));
    if (l->ifname)
      g_hash_table_replace (self->netdevs, GUINT_TO_POINTER (l->ifindex), g_strdup (l->ifname));
  }
  g_hash_table_iter_init (&iter, self->netdevs);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    guint32 ifindex = GPOINTER_TO_UINT (key);
    if (!g_hash_table_contains (present, key))
      g_array_append_val (gone, ifindex);
  }
  for (i = 0; i < gone->len; i++)
    netdev_removed (self, g_array_index (gone, guint32, i));
  for (i = 0; i < snapshot->len; i++)
    apply_netdev (self, g_ptr_array_index (snapshot, i), have_netlink);
}

/* ---- loading ---- */

gboolean
mx_link_map_load_sysfs (MxLinkMap *self, GError **error)
{
  g_autofree gchar *class_net = g_build_filename (self->sysfs_root, "class", "net", NULL);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open (class_net, 0, &local);
  g_autoptr(GPtrArray) snapshot = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_link_free);
  g_autoptr(GHashTable) via_upper = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *entry;
  guint i;

  if (!dir) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_FAILED, "cannot read %s: %s", class_net,
                 local->message);
    return FALSE;
  }
  while ((entry = g_dir_read_name (dir))) {
    MxLink *l;
    g_autofree gchar *ifindex = NULL, *mtu = NULL, *flags = NULL, *state = NULL, *alias = NULL;
    g_autoptr(GPtrArray) uppers = NULL;

    l = mx_link_new ();
    l->ifname = g_strdup (entry);
    ifindex = read_attr (self, entry, "ifindex");
    mtu = read_attr (self, entry, "mtu");
    flags = read_attr (self, entry, "flags");
    state = read_attr (self, entry, "operstate");
    alias = read_attr (self, entry, "ifalias");
    mx_link_map_parse_sysfs_attrs (l, ifindex, mtu, flags, state, alias);
    if (!l->ifindex) {
      g_debug ("%s: no ifindex in sysfs, skipped", entry);
      mx_link_free (l);
      continue;
    }
    /* Physical -> virtual: remember each upper's port in case the upper
     * lacks its lower_ entry. */
    uppers = sysfs_upper_names (self, entry);
    for (i = 0; i < uppers->len; i++)
      g_hash_table_replace (via_upper, g_strdup (g_ptr_array_index (uppers, i)), g_strdup (entry));
    g_ptr_array_add (snapshot, l);
  }
  /* Names first so classify() can resolve lowers by name. */
  for (i = 0; i < snapshot->len; i++) {
    const MxLink *l = g_ptr_array_index (snapshot, i);
    g_hash_table_replace (self->netdevs, GUINT_TO_POINTER (l->ifindex), g_strdup (l->ifname));
  }
  for (i = 0; i < snapshot->len; i++) {
    MxLink *l = g_ptr_array_index (snapshot, i);
    g_autofree gchar *lower = sysfs_lower_name (self, l->ifname);
    const char *port = g_hash_table_lookup (via_upper, l->ifname);
    if (!lower && port) {
      l->lower_name = g_strdup (port);
      l->lower_ifindex = ifindex_by_name (self, port);
    }
  }
  apply_snapshot (self, snapshot, FALSE);
  return TRUE;
}

static void
dump_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GTask) task = data;
  MxLinkMap *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(GArray) queued_removed = NULL;
  GError *error = NULL;
  guint i;

  snapshot = mx_rtnl_link_request_finish (MX_NETLINK (source), res, &error);
  self->loading = FALSE;
  queued = g_steal_pointer (&self->queued);
  queued_removed = g_steal_pointer (&self->queued_removed);
  self->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_link_free);
  self->queued_removed = g_array_new (FALSE, FALSE, sizeof (gboolean));
  if (!snapshot) {
    g_task_return_error (task, error);
    return;
  }
  apply_snapshot (self, snapshot, TRUE);
  /* Events that raced with the dump are newer than (or equal to) it. */
  for (i = 0; i < queued->len; i++)
    on_link_event (self->netlink, g_ptr_array_index (queued, i),
                   g_array_index (queued_removed, gboolean, i), self);
  g_task_return_boolean (task, TRUE);
}

void
mx_link_map_load_async (MxLinkMap *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  guint8 buf[MX_RTNL_BUF_SIZE];
  GError *error = NULL;

  if (!self->netlink) {
    if (mx_link_map_load_sysfs (self, &error))
      g_task_return_boolean (task, TRUE);
    else
      g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  self->loading = TRUE;
  mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_dump (buf, NULL), NULL, cancellable,
                              dump_ready, task);
}

gboolean
mx_link_map_load_finish (MxLinkMap *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
overrun_dump_ready (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!mx_link_map_load_finish (MX_LINK_MAP (source), res, &error))
    g_warning ("resynchronising the link map failed: %s", error->message);
}

static void
on_overrun (MxNetlink *netlink, MxLinkMap *self)
{
  if (!self->loading)
    mx_link_map_load_async (self, NULL, overrun_dump_ready, NULL);
}

void
mx_link_map_apply (MxLinkMap *self, const MxLink *link)
{
  apply_netdev (self, link, self->netlink != NULL);
}

void
mx_link_map_apply_removed (MxLinkMap *self, guint32 ifindex)
{
  if (self->netlink)
    g_hash_table_add (self->gone, GUINT_TO_POINTER (ifindex));
  netdev_removed (self, ifindex);
}

/* ---- queries ---- */

static gint
compare_links (gconstpointer pa, gconstpointer pb)
{
  const MxLink *a = *(const MxLink **) pa, *b = *(const MxLink **) pb;
  const char *pa_port = a->lower_name ? a->lower_name : a->parent_dev_name;
  const char *pb_port = b->lower_name ? b->lower_name : b->parent_dev_name;
  gint c = g_strcmp0 (pa_port, pb_port);

  if (c)
    return c;
  if (a->mux_id != b->mux_id)
    return a->mux_id < b->mux_id ? -1 : 1;
  return g_strcmp0 (a->ifname, b->ifname);
}

static const char *
link_port (const MxLink *l)
{
  return l->lower_name ? l->lower_name : l->parent_dev_name;
}

GPtrArray *
mx_link_map_get_links (MxLinkMap *self, const char *port)
{
  GPtrArray *result = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!port || g_strcmp0 (link_port (value), port) == 0)
      g_ptr_array_add (result, value);
  g_ptr_array_sort (result, compare_links);
  return result;
}

GStrv
mx_link_map_dup_ports (MxLinkMap *self)
{
  g_autoptr(GPtrArray) links = mx_link_map_get_links (self, NULL);
  GPtrArray *ports = g_ptr_array_new ();
  guint i;

  for (i = 0; i < links->len; i++) {
    const char *p = link_port (g_ptr_array_index (links, i));
    if (p && (ports->len == 0 || g_strcmp0 (g_ptr_array_index (ports, ports->len - 1), p) != 0))
      g_ptr_array_add (ports, g_strdup (p));
  }
  g_ptr_array_add (ports, NULL);
  return (GStrv) g_ptr_array_free (ports, FALSE);
}

const MxLink *
mx_link_map_lookup_ifindex (MxLinkMap *self, guint32 ifindex)
{
  return g_hash_table_lookup (self->links, GUINT_TO_POINTER (ifindex));
}

const MxLink *
mx_link_map_lookup_name (MxLinkMap *self, const char *ifname)
{
  guint32 ifindex = ifindex_by_name (self, ifname);

  return ifindex ? mx_link_map_lookup_ifindex (self, ifindex) : NULL;
}

guint32
mx_link_map_get_ifindex (MxLinkMap *self, const char *ifname)
{
  return ifindex_by_name (self, ifname);
}

gchar *
mx_link_map_dup_parent_device (MxLinkMap *self, const char *ifname)
{
  g_autofree gchar *path = net_path (self, ifname, "device");
  g_autofree gchar *target = g_file_read_link (path, NULL);

  return target ? g_path_get_basename (target) : NULL;
}

void
mx_link_map_get_used_mux_ids (MxLinkMap *self, guint32 lower_ifindex, MxMuxIdSet *set)
{
  GHashTableIter iter;
  gpointer value;

  mx_mux_id_set_clear (set);
  g_hash_table_iter_init (&iter, self->links);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    const MxLink *l = value;
    if (l->lower_ifindex == lower_ifindex && l->mux_id >= 0)
      mx_mux_id_set_add (set, (guint) l->mux_id);
  }
}

/* ---- object ---- */

MxLinkMap *
mx_link_map_new (MxNetlink *netlink, const char *sysfs_root)
{
  MxLinkMap *self = g_object_new (MX_TYPE_LINK_MAP, NULL);

  self->sysfs_root = g_strdup (sysfs_root ? sysfs_root : "/sys");
  if (netlink) {
    g_autoptr(GError) error = NULL;

    self->netlink = g_object_ref (netlink);
    /* Before the first dump, so no change falls between dump and notifications. */
    if (!mx_netlink_subscribe (netlink, RTNLGRP_LINK, &error))
      g_warning ("link notifications unavailable, the map will not follow changes: %s",
                 error->message);
    self->event_id = g_signal_connect (netlink, "notification", G_CALLBACK (on_notification), self);
    self->overrun_id = g_signal_connect (netlink, "overrun", G_CALLBACK (on_overrun), self);
  }
  return self;
}

static void
mx_link_map_init (MxLinkMap *self)
{
  self->links = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) mx_link_free);
  self->netdevs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->ports = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->gone = g_hash_table_new (NULL, NULL);
  self->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_link_free);
  self->queued_removed = g_array_new (FALSE, FALSE, sizeof (gboolean));
}

static void
mx_link_map_dispose (GObject *object)
{
  MxLinkMap *self = MX_LINK_MAP (object);

  if (self->netlink) {
    g_clear_signal_handler (&self->event_id, self->netlink);
    g_clear_signal_handler (&self->overrun_id, self->netlink);
    g_clear_object (&self->netlink);
  }
  G_OBJECT_CLASS (mx_link_map_parent_class)->dispose (object);
}

static void
mx_link_map_finalize (GObject *object)
{
  MxLinkMap *self = MX_LINK_MAP (object);

  g_hash_table_unref (self->links);
  g_hash_table_unref (self->netdevs);
  g_hash_table_unref (self->ports);
  g_hash_table_unref (self->gone);
  g_ptr_array_unref (self->queued);
  g_array_unref (self->queued_removed);
  g_free (self->sysfs_root);
  G_OBJECT_CLASS (mx_link_map_parent_class)->finalize (object);
}

static void
mx_link_map_class_init (MxLinkMapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_link_map_dispose;
  object_class->finalize = mx_link_map_finalize;

  signals[SIGNAL_LINK_ADDED] =
    g_signal_new ("link-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_LINK_REMOVED] =
    g_signal_new ("link-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_LOWER_REMOVED] =
    g_signal_new ("lower-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
}
