/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bearer component's wiring: a bearer list for every modem, link and
 * port loss, stale link cleanup, the kernel rmnet probe, shutdown. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-service.h"

#include "mx-bearer-adopt.h"
#include "mx-bearer-list.h"
#include "mx-bearer-stats.h"
#include "mx-link-error.h"
#include "mx-link-owner.h"
#include "mx-link-rtnl.h"

typedef enum { PROBE_UNKNOWN, PROBE_RUNNING, PROBE_YES, PROBE_NO } ProbeState;

struct _MxBearerService {
  GObject          parent;
  MxLinkManager   *links;
  MxNetlink       *netlink;
  gboolean         test_multiplex_requested;
  guint            stats_interval;
  ProbeState       rmnet;
  GSList          *probe_waiters;   /* GTask* */
  guint            probe_idle_id;   /* the probe, after the first modem's export */
  GHashTable      *modems;          /* MxModem* (not a ref) -> MxBearerList* */
  gulong           link_lost_id, port_lost_id;
  MxModemRegistry *registry;
  gulong           modem_added_id, modem_removed_id;
  /* Restart: where bearers are recorded, whether to adopt at start, and
   * whether SIGTERM keeps sessions; states waiting for their modem. */
  gchar           *state_dir;
  gboolean         adopt;
  gboolean         keep_on_stop;
  GPtrArray       *pending;         /* MxBearerRecord* */
  guint            adopt_wait_id;
};

G_DEFINE_TYPE (MxBearerService, mx_bearer_service, G_TYPE_OBJECT)

/* ---- adoption of what a previous instance left ---- */

static void
adopted (MxBearerService *self, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  /* A failure was logged and cleaned up where it happened. */
  mx_bearer_adopt_run_finish (self, res, &error);
  g_object_unref (self);
}

static gboolean
list_has_data_port (MxBearerList *list, const gchar *name)
{
  GPtrArray *ports = mx_bearer_list_peek_data_ports (list);

  for (guint i = 0; i < ports->len; i++)
    if (g_strcmp0 (mx_data_port_get_name (g_ptr_array_index (ports, i)), name) == 0)
      return TRUE;
  return FALSE;
}

/* The states recorded on the list's control port are adopted once the
 * recorded data port is there too (a USB netdev may join its modem late). */
void
mx_bearer_service_adopt_pending (MxBearerService *self, MxBearerList *list)
{
  MxModem *modem = mx_bearer_list_peek_modem (list);
  MxQmiPort *qmi = modem ? mx_modem_peek_port (modem) : NULL;

  for (guint i = 0; self->pending && qmi && i < self->pending->len;) {
    MxBearerRecord *rec = g_ptr_array_index (self->pending, i);

    if (g_strcmp0 (rec->control_path, mx_qmi_port_get_path (qmi)) != 0 ||
        !list_has_data_port (list, rec->data_port)) {
      i++;
      continue;
    }
    mx_bearer_adopt_run (self, list, g_ptr_array_steal_index (self->pending, i),
                         (GAsyncReadyCallback) adopted, g_object_ref (self));
  }
}

static void
pending_links_deleted (MxLinkManager *links, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mx_link_manager_delete_finish (links, res, &error))
    g_warning ("deleting a link kept for adoption: %s", error->message);
}

/* Links kept for a modem that did not come back are stale after all. */
static void
drop_pending (MxBearerService *self, const gchar *why)
{
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);

  for (guint i = 0; pending && i < pending->len; i++) {
    MxBearerRecord *rec = g_ptr_array_index (pending, i);

    g_message ("not adopting %s (mux id %u on %s): %s; deleting it", rec->ifname, rec->mux_id,
               rec->data_port, why);
    mx_bearer_record_remove (self->state_dir, rec->ifname);
    mx_link_manager_delete_async (self->links, rec->ifname, FALSE, NULL,
                                  (GAsyncReadyCallback) pending_links_deleted, NULL);
  }
}

static gboolean
adopt_wait_over (gpointer data)
{
  MxBearerService *self = data;

  self->adopt_wait_id = 0;
  drop_pending (self, "its modem did not appear in time");
  return G_SOURCE_REMOVE;
}

/* At start: the recorded states whose link is still there, ours, on the
 * recorded port with the recorded mux id, wait for their modem; the other
 * state files go (their links are removed as stale). */
static void
collect_pending (MxBearerService *self)
{
  g_autoptr(GPtrArray) states = NULL;
  g_autoptr(GPtrArray) links = NULL;

  if (!self->state_dir)
    return;
  states = mx_bearer_record_load_all (self->state_dir);
  links = mx_link_map_get_links (mx_link_manager_get_map (self->links), NULL);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_bearer_record_free);
  for (guint i = 0; i < states->len; i++) {
    MxBearerRecord *rec = g_ptr_array_index (states, i);
    const gchar *why = NULL;
    gboolean found = FALSE;

    for (guint j = 0; j < links->len && !found; j++) {
      const MxLink *l = g_ptr_array_index (links, j);

      found = g_strcmp0 (l->ifname, rec->ifname) == 0 && mx_link_owner_is_ours (l, rec->data_port) &&
              l->mux_id == (gint) rec->mux_id;
    }
    if (!self->adopt)
      why = "started with --no-adopt";
    else if (!found)
      why = "its link is gone";
    else
      mx_bearer_adopt_possible (rec, &why);
    if (why) {
      g_message ("not adopting %s (mux id %u on %s): %s", rec->ifname, rec->mux_id, rec->data_port, why);
      mx_bearer_record_remove (self->state_dir, rec->ifname);
      continue;
    }
    g_info ("%s (mux id %u on %s) is kept for adoption once its modem appears", rec->ifname,
            rec->mux_id, rec->data_port);
    g_ptr_array_add (self->pending, g_ptr_array_steal_index (states, i--));
  }
  if (self->pending->len)
    self->adopt_wait_id = g_timeout_add_seconds (MX_BEARER_ADOPT_WAIT_S, adopt_wait_over, self);
}

/* A link waiting for adoption, or one a stop with --keep-sessions-on-stop
 * leaves for the next instance. */
static gboolean
is_kept (MxBearerService *self, const gchar *ifname)
{
  for (guint i = 0; self->pending && i < self->pending->len; i++)
    if (g_strcmp0 (((MxBearerRecord *) g_ptr_array_index (self->pending, i))->ifname, ifname) == 0)
      return TRUE;
  return self->keep_on_stop && self->state_dir && mx_bearer_record_exists (self->state_dir, ifname);
}

void
mx_bearer_service_set_restart_policy (MxBearerService *self, const gchar *state_dir,
                                      gboolean adopt, gboolean keep_on_stop)
{
  g_free (self->state_dir);
  self->state_dir = g_strdup (state_dir);
  self->adopt = adopt;
  self->keep_on_stop = keep_on_stop;
}

const gchar *
mx_bearer_service_get_state_dir (MxBearerService *self)
{
  return self->state_dir;
}

/* ---- per-modem bearer lists ---- */

/* A modem freed without the registry saying so (tests, shutdown): its
 * entry goes with it, so no key ever points at a dead modem. */
static void
modem_finalized (gpointer data, GObject *where_the_modem_was)
{
  MxBearerService *self = data;

  g_hash_table_remove (self->modems, where_the_modem_was);
}

static void
drop_modem (MxBearerService *self, MxModem *modem)
{
  MxBearerList *list = g_hash_table_lookup (self->modems, modem);

  if (!list)
    return;
  g_object_weak_unref (G_OBJECT (modem), modem_finalized, self);
  /* Normally the modem ended its bearers on removal already (lose_all). */
  mx_modem_bearer_list_lose_all (MX_MODEM_BEARER_LIST (list), "the modem went away");
  if (mx_modem_peek_bearer_list (modem) == MX_MODEM_BEARER_LIST (list))
    mx_modem_set_bearer_list (modem, NULL);
  g_hash_table_remove (self->modems, modem);
}

static gboolean
probe_idle (gpointer user_data)
{
  MxBearerService *self = user_data;

  self->probe_idle_id = 0;
  mx_bearer_service_probe_rmnet (self, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

MxBearerList *
mx_bearer_service_adopt_modem (MxBearerService *self, MxModem *modem)
{
  MxBearerList *list = g_hash_table_lookup (self->modems, modem);

  if (list)
    return list;
  /* The kernel's rmnet support matters from the first modem on; probing it
   * can block the main loop for a while (a kernel without rmnet runs
   * modprobe inside the NEWLINK), so not before the first modem is made. */
  if (self->rmnet == PROBE_UNKNOWN && !self->probe_idle_id)
    self->probe_idle_id = g_idle_add (probe_idle, self);
  list = mx_bearer_list_new (self, modem);
  g_hash_table_insert (self->modems, modem, list);
  g_object_weak_ref (G_OBJECT (modem), modem_finalized, self);
  mx_modem_set_bearer_list (modem, MX_MODEM_BEARER_LIST (list));
  mx_bearer_service_adopt_pending (self, list);
  return list;
}

/* ---- registry ---- */

static void
on_modem_added (MxModemRegistry *registry, MxModem *modem, MxBearerService *self)
{
  mx_bearer_service_adopt_modem (self, modem);
}

static void
on_modem_removed (MxModemRegistry *registry, MxModem *modem, MxBearerService *self)
{
  drop_modem (self, modem);
}

void
mx_bearer_service_attach_registry (MxBearerService *self, MxModemRegistry *registry)
{
  g_autoptr(GPtrArray) modems = NULL;

  g_return_if_fail (self->registry == NULL);
  self->registry = g_object_ref (registry);
  self->modem_added_id = g_signal_connect (registry, "modem-added", G_CALLBACK (on_modem_added), self);
  self->modem_removed_id = g_signal_connect (registry, "modem-removed", G_CALLBACK (on_modem_removed), self);
  modems = mx_modem_registry_get_modems (registry);
  for (guint i = 0; i < modems->len; i++)
    mx_bearer_service_adopt_modem (self, g_ptr_array_index (modems, i));
}

/* ---- link manager signals ---- */

/* Every bearer @matches (with @key) is lost for @reason: disconnected,
 * its session stopped on the modem. */
static void
lose_bearers (MxBearerService *self, gboolean (*matches) (MxBearer *b, gconstpointer key),
              gconstpointer key, const gchar *reason)
{
  GHashTableIter iter;
  MxBearerList *list;

  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &list)) {
    GPtrArray *bearers = mx_bearer_list_peek_bearers (list);

    for (guint i = 0; i < bearers->len; i++) {
      MxBearer *b = g_ptr_array_index (bearers, i);

      if (matches (b, key))
        mx_bearer_lost (b, reason, TRUE, FALSE);
    }
  }
}

static gboolean
bearer_uses_link (MxBearer *b, gconstpointer key)
{
  const MxLink *link = key;

  return link->ifindex && mx_bearer_get_ifindex (b) == link->ifindex;
}

static gboolean
bearer_uses_port (MxBearer *b, gconstpointer key)
{
  return g_strcmp0 (mx_data_port_get_name (mx_bearer_peek_data_port (b)), key) == 0;
}

static void
on_link_lost (MxLinkManager *links, const MxLink *link, MxBearerService *self)
{
  g_autofree gchar *reason = g_strdup_printf ("link %s was deleted by someone else", link->ifname);

  lose_bearers (self, bearer_uses_link, link, reason);
}

static void
on_port_lost (MxLinkManager *links, const gchar *port, MxBearerService *self)
{
  g_autofree gchar *reason =
    g_strdup_printf ("data port %s went away (the kernel removed its links)", port);

  lose_bearers (self, bearer_uses_port, port, reason);
}

/* ---- kernel rmnet probe ---- */

static void
probe_finish_all (MxBearerService *self)
{
  GSList *waiters = g_steal_pointer (&self->probe_waiters);

  for (GSList *l = waiters; l; l = l->next) {
    g_task_return_boolean (l->data, self->rmnet == PROBE_YES);
    g_object_unref (l->data);
  }
  g_slist_free (waiters);
}

static void
probe_ready (MxNetlink *netlink, GAsyncResult *res, MxBearerService *self)
{
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  MxBearerList *list;

  replies = mx_rtnl_link_request_finish (netlink, res, &error);
  if (g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED)) {
    self->rmnet = PROBE_NO;
    g_message ("the kernel cannot create rmnet links (CONFIG_RMNET is not enabled): "
               "bearers connect without multiplexing where the modem allows");
  } else {
    /* Refused for the missing lower (or, impossibly, accepted): the kind exists. */
    self->rmnet = PROBE_YES;
    g_debug ("kernel rmnet support: yes (%s)", error ? error->message : "probe accepted");
  }
  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &list))
    mx_bearer_list_update (list);
  probe_finish_all (self);
  g_object_unref (self);
}

void
mx_bearer_service_probe_rmnet (MxBearerService *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  guint8 buf[MX_RTNL_BUF_SIZE];

  if (self->rmnet == PROBE_YES || self->rmnet == PROBE_NO) {
    g_task_return_boolean (task, self->rmnet == PROBE_YES);
    g_object_unref (task);
    return;
  }
  self->probe_waiters = g_slist_append (self->probe_waiters, task);
  if (self->rmnet == PROBE_RUNNING)
    return;
  self->rmnet = PROBE_RUNNING;
  /* An rmnet NEWLINK on ifindex 0 can never succeed: the kernel answers
   * EOPNOTSUPP when it has no rmnet, ENODEV/EINVAL when it does. */
  mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_new_rmnet (buf, 0, "mxprobe0", 1, 0, 0),
                              "rmnet", NULL, (GAsyncReadyCallback) probe_ready, g_object_ref (self));
}

gboolean
mx_bearer_service_probe_rmnet_finish (MxBearerService *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ---- stale links ---- */

typedef struct {
  GPtrArray *ifnames;   /* our links to delete */
  guint      next;
  guint      removed;
} CleanupCtx;

static void
cleanup_ctx_free (CleanupCtx *c)
{
  g_ptr_array_unref (c->ifnames);
  g_free (c);
}

static void cleanup_next (GTask *task);

static void
stale_deleted (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  CleanupCtx *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (mx_link_manager_delete_finish (links, res, &error))
    c->removed++;
  else if (!g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE))
    g_warning ("could not remove the stale link %s: %s",
               (const gchar *) g_ptr_array_index (c->ifnames, c->next - 1), error->message);
  cleanup_next (task);
}

static void
cleanup_next (GTask *task)
{
  MxBearerService *self = g_task_get_source_object (task);
  CleanupCtx *c = g_task_get_task_data (task);

  if (c->next >= c->ifnames->len) {
    if (c->removed)
      g_message ("removed %u link(s) left behind by a previous modemuxd", c->removed);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  mx_link_manager_delete_async (self->links, g_ptr_array_index (c->ifnames, c->next++), FALSE,
                                g_task_get_cancellable (task),
                                (GAsyncReadyCallback) stale_deleted, task);
}

/* Every link with our marker, except those kept (is_kept) when @keep. */
static void
cleanup_links (MxBearerService *self, gboolean keep, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CleanupCtx *c = g_new0 (CleanupCtx, 1);
  g_autoptr(GPtrArray) links = mx_link_map_get_links (mx_link_manager_get_map (self->links), NULL);

  c->ifnames = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < links->len; i++) {
    const MxLink *l = g_ptr_array_index (links, i);

    /* a wwan link has no lower: its port is its wwan device */
    if ((l->lower_name || l->parent_dev_name) && mx_link_owner_is_ours (l, NULL) &&
        !(keep && is_kept (self, l->ifname)))
      g_ptr_array_add (c->ifnames, g_strdup (l->ifname));
  }
  g_task_set_task_data (task, c, (GDestroyNotify) cleanup_ctx_free);
  cleanup_next (task);
}

void
mx_bearer_service_cleanup_stale_links (MxBearerService *self, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  /* Any link with our marker is stale: this instance has created none yet. */
  cleanup_links (self, FALSE, cancellable, callback, user_data);
}

gboolean
mx_bearer_service_cleanup_stale_links_finish (MxBearerService *self, GAsyncResult *res,
                                              guint *n_removed, GError **error)
{
  CleanupCtx *c = g_task_get_task_data (G_TASK (res));

  if (n_removed)
    *n_removed = c ? c->removed : 0;
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ---- object ---- */

MxLinkManager *mx_bearer_service_peek_links (MxBearerService *self) { return self->links; }
MxNetlink *mx_bearer_service_peek_netlink (MxBearerService *self) { return self->netlink; }

gboolean
mx_bearer_service_kernel_lacks_rmnet (MxBearerService *self)
{
  return self->rmnet == PROBE_NO;
}

gboolean
mx_bearer_service_get_test_multiplex_requested (MxBearerService *self)
{
  return self->test_multiplex_requested;
}

guint
mx_bearer_service_get_stats_interval (MxBearerService *self)
{
  return self->stats_interval;
}

void
mx_bearer_service_set_stats_interval (MxBearerService *self, guint seconds)
{
  self->stats_interval = MAX (seconds, 1);
}

MxBearerService *
mx_bearer_service_new (MxLinkManager *links, MxNetlink *netlink, gboolean test_multiplex_requested)
{
  MxBearerService *self = g_object_new (MX_TYPE_BEARER_SERVICE, NULL);

  self->links = g_object_ref (links);
  self->netlink = g_object_ref (netlink);
  self->test_multiplex_requested = test_multiplex_requested;
  self->stats_interval = MX_BEARER_STATS_INTERVAL_S;
  self->link_lost_id = g_signal_connect (links, "link-lost", G_CALLBACK (on_link_lost), self);
  self->port_lost_id = g_signal_connect (links, "port-lost", G_CALLBACK (on_port_lost), self);
  return self;
}

/* One shutdown: done once every modem's bearers are down, or once the
 * budget ran out and our links were deleted without the modem. */
typedef struct {
  guint    pending;
  gboolean returned;
  guint    deadline_id;
} ShutdownCtx;

static void
shutdown_ctx_free (ShutdownCtx *c)
{
  if (c->deadline_id)
    g_source_remove (c->deadline_id);
  g_free (c);
}

static void
shutdown_return (GTask *task)
{
  ShutdownCtx *c = g_task_get_task_data (task);

  if (c->returned)
    return;
  c->returned = TRUE;
  if (c->deadline_id)
    g_source_remove (c->deadline_id);
  c->deadline_id = 0;
  g_task_return_boolean (task, TRUE);
}

static void
shutdown_one_done (MxModemBearerList *list, GAsyncResult *res, GTask *task)
{
  ShutdownCtx *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mx_modem_bearer_list_disconnect_all_finish (list, res, &error))
    g_warning ("%s", error->message);
  if (--c->pending == 0)
    shutdown_return (task);
  g_object_unref (task);
}

static void
shutdown_links_deleted (MxBearerService *self, GAsyncResult *res, GTask *task)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!mx_bearer_service_cleanup_stale_links_finish (self, res, &n, &error))
    g_warning ("deleting our links at shutdown: %s", error->message);
  shutdown_return (task);
  g_object_unref (task);
}

/* A modem that does not answer Stop Network must not keep our links alive
 * after we exit: delete every link with our marker, without the modem. */
static gboolean
shutdown_deadline (gpointer user_data)
{
  GTask *task = user_data;
  ShutdownCtx *c = g_task_get_task_data (task);

  c->deadline_id = 0;
  g_warning ("%u modem(s) did not finish disconnecting in time; deleting our links without them",
             c->pending);
  cleanup_links (g_task_get_source_object (task), TRUE, NULL,
                 (GAsyncReadyCallback) shutdown_links_deleted, g_object_ref (task));
  return G_SOURCE_REMOVE;
}

void
mx_bearer_service_shutdown (MxBearerService *self, guint budget_s,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  ShutdownCtx *c = g_new0 (ShutdownCtx, 1);
  GHashTableIter iter;
  MxBearerList *list;

  g_task_set_task_data (task, c, (GDestroyNotify) shutdown_ctx_free);
  g_clear_handle_id (&self->adopt_wait_id, g_source_remove);
  if (!self->keep_on_stop)
    drop_pending (self, "the daemon is stopping");
  c->pending = 1;   /* held until every disconnect has started */
  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &list)) {
    if (self->keep_on_stop) {
      GPtrArray *bearers = mx_bearer_list_peek_bearers (list);
      guint kept = 0;

      /* "Stop managing, keep the data": what cannot be kept disconnects. */
      for (guint i = 0; i < bearers->len; i++)
        kept += mx_bearer_adopt_keep (g_ptr_array_index (bearers, i));
      if (kept)
        g_message ("%u bearer(s) keep running for the next modemuxd (--keep-sessions-on-stop)", kept);
    }
    c->pending++;
    mx_modem_bearer_list_disconnect_all (MX_MODEM_BEARER_LIST (list), NULL,
                                         (GAsyncReadyCallback) shutdown_one_done,
                                         g_object_ref (task));
  }
  if (--c->pending == 0)
    shutdown_return (task);
  else
    c->deadline_id = g_timeout_add_seconds (MAX (budget_s, 1), shutdown_deadline, task);
  g_object_unref (task);
}

void
mx_bearer_service_shutdown_finish (MxBearerService *self, GAsyncResult *res)
{
  g_task_propagate_boolean (G_TASK (res), NULL);
}

static void
start_cleaned (MxBearerService *self, GAsyncResult *res, MxModemRegistry *registry)
{
  g_autoptr(GError) error = NULL;

  if (!mx_bearer_service_cleanup_stale_links_finish (self, res, NULL, &error))
    g_warning ("stale link cleanup failed: %s", error->message);
  if (registry) {
    mx_bearer_service_attach_registry (self, registry);
    g_object_unref (registry);
  }
  g_object_unref (self);
}

void
mx_bearer_service_start (MxBearerService *self, MxModemRegistry *registry)
{
  /* The rmnet probe waits for the first modem (mx_bearer_service_adopt_modem):
   * MaxActiveMultiplexedBearers follows its answer (0 without CONFIG_RMNET). */
  g_object_ref (self);
  /* Links whose sessions may be adopted stay; the others are stale. */
  collect_pending (self);
  cleanup_links (self, TRUE, NULL, (GAsyncReadyCallback) start_cleaned,
                 registry ? g_object_ref (registry) : NULL);
}

static void
mx_bearer_service_dispose (GObject *object)
{
  MxBearerService *self = MX_BEARER_SERVICE (object);

  g_clear_handle_id (&self->adopt_wait_id, g_source_remove);
  g_clear_handle_id (&self->probe_idle_id, g_source_remove);
  if (self->registry) {
    g_signal_handler_disconnect (self->registry, self->modem_added_id);
    g_signal_handler_disconnect (self->registry, self->modem_removed_id);
    g_clear_object (&self->registry);
  }
  if (self->links) {
    g_signal_handler_disconnect (self->links, self->link_lost_id);
    g_signal_handler_disconnect (self->links, self->port_lost_id);
  }
  if (self->modems) {
    GHashTableIter iter;
    MxModem *modem;
    MxBearerList *list;

    g_hash_table_iter_init (&iter, self->modems);
    while (g_hash_table_iter_next (&iter, (gpointer *) &modem, (gpointer *) &list)) {
      g_object_weak_unref (G_OBJECT (modem), modem_finalized, self);
      if (mx_modem_peek_bearer_list (modem) == MX_MODEM_BEARER_LIST (list))
        mx_modem_set_bearer_list (modem, NULL);
    }
    g_hash_table_remove_all (self->modems);
  }
  g_clear_object (&self->links);
  g_clear_object (&self->netlink);
  G_OBJECT_CLASS (mx_bearer_service_parent_class)->dispose (object);
}

static void
mx_bearer_service_finalize (GObject *object)
{
  MxBearerService *self = MX_BEARER_SERVICE (object);

  g_hash_table_unref (self->modems);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->state_dir);
  G_OBJECT_CLASS (mx_bearer_service_parent_class)->finalize (object);
}

static void
mx_bearer_service_init (MxBearerService *self)
{
  self->modems = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
}

static void
mx_bearer_service_class_init (MxBearerServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_bearer_service_dispose;
  object_class->finalize = mx_bearer_service_finalize;
}
