/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bearer component's wiring: modem hooks, per-modem bearer lists, link
 * and port loss, stale link cleanup, the kernel rmnet probe. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-service.h"

#include "mx-bearer-ext.h"
#include "mx-bearer-props.h"
#include "mx-bearer-stats.h"
#include "mx-discovery-device.h"
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
  GHashTable      *modems;          /* MxModem* -> ModemBearers* */
  gulong           link_lost_id, port_lost_id;
  MxModemRegistry *registry;
  gulong           modem_added_id, modem_removed_id;
};

G_DEFINE_TYPE (MxBearerService, mx_bearer_service, G_TYPE_OBJECT)

typedef struct {
  MxBearerService *service;
  MxModem         *modem;
  GPtrArray       *data_ports;   /* MxDataPort*, sorted by name */
  GPtrArray       *bearers;      /* MxBearer* */
  MxBearerExt     *ext;
  MMModemState     state_before_connected;
} ModemBearers;

static void update_modem (ModemBearers *mb);

/* ---- per-modem state ---- */

static void
modem_bearers_free (ModemBearers *mb)
{
  for (guint i = 0; i < mb->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (mb->bearers, i);

    g_signal_handlers_disconnect_by_data (b, mb);
    mx_bearer_unexport (b);
  }
  g_ptr_array_unref (mb->bearers);
  for (guint i = 0; i < mb->data_ports->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (mb->data_ports, i), mb);
  g_ptr_array_unref (mb->data_ports);
  g_clear_pointer (&mb->ext, mx_bearer_ext_free);
  g_object_unref (mb->modem);
  g_free (mb);
}

static gint
compare_data_ports (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (mx_data_port_get_name (*(MxDataPort **) a), mx_data_port_get_name (*(MxDataPort **) b));
}

static void
data_port_changed (MxDataPort *port, ModemBearers *mb)
{
  if (mb->ext)
    mx_bearer_ext_update (mb->ext, mb->data_ports, mb->bearers);
}

static ModemBearers *
get_modem_bearers (MxBearerService *self, MxModem *modem)
{
  ModemBearers *mb = g_hash_table_lookup (self->modems, modem);
  const MxModemConfig *config;

  if (mb)
    return mb;
  mb = g_new0 (ModemBearers, 1);
  mb->service = self;
  mb->modem = g_object_ref (modem);
  mb->bearers = g_ptr_array_new_with_free_func (g_object_unref);
  mb->data_ports = g_ptr_array_new_with_free_func (g_object_unref);
  config = mx_modem_get_config (modem);
  if (config->device && MX_IS_DEVICE (config->device)) {
    GPtrArray *ports = mx_device_peek_ports (MX_DEVICE (config->device));

    for (guint i = 0; ports && i < ports->len; i++) {
      MxPort *port = g_ptr_array_index (ports, i);
      MxDataPort *dp;

      if (port->role != MX_PORT_ROLE_DATA || port->type != MX_PORT_TYPE_NET)
        continue;
      dp = mx_data_port_new (port, mx_modem_peek_port (modem), config->qrtr,
                             self->links, self->netlink);
      g_signal_connect (dp, MX_DATA_PORT_SIGNAL_CHANGED, G_CALLBACK (data_port_changed), mb);
      g_ptr_array_add (mb->data_ports, dp);
    }
  }
  g_ptr_array_sort (mb->data_ports, compare_data_ports);
  g_hash_table_insert (self->modems, modem, mb);
  if (mx_modem_get_path (modem))
    mb->ext = mx_bearer_ext_new (mx_manager_get_connection (mx_modem_peek_manager (modem)),
                                 mx_modem_get_path (modem));
  update_modem (mb);
  return mb;
}

/* Bearers, MaxActiveBearers, MaxActiveMultiplexedBearers, State. */
static void
update_modem (ModemBearers *mb)
{
  MmGdbusModem *iface = mx_modem_peek_modem_iface (mb->modem);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  guint max_mux = 0, max_plain = 0, n_connected = 0;
  MMModemState state;

  for (guint i = 0; i < mb->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (mb->bearers, i);

    if (mx_bearer_get_path (b))
      g_ptr_array_add (paths, (gpointer) mx_bearer_get_path (b));
    if (mx_bearer_get_state (b) == MX_BEARER_CONNECTED)
      n_connected++;
  }
  g_ptr_array_add (paths, NULL);
  for (guint i = 0; i < mb->data_ports->len; i++) {
    MxDataPort *dp = g_ptr_array_index (mb->data_ports, i);

    /* Without rmnet in the kernel no port can multiplex. */
    if (mb->service->rmnet != PROBE_NO)
      max_mux += mx_data_port_get_max_links (dp);
    if (mx_data_driver_supports_raw_ip (mx_data_port_get_driver (dp)))
      max_plain++;
  }
  if (iface) {
    mm_gdbus_modem_set_bearers (iface, (const gchar * const *) paths->pdata);
    if (mb->data_ports->len) {
      mm_gdbus_modem_set_max_active_multiplexed_bearers (iface, max_mux);
      mm_gdbus_modem_set_max_active_bearers (iface, max_plain);
    }
  }

  state = mx_modem_get_state (mb->modem);
  if (n_connected && state >= MM_MODEM_STATE_ENABLED && state != MM_MODEM_STATE_CONNECTED) {
    mb->state_before_connected = state;
    mx_modem_set_state (mb->modem, MM_MODEM_STATE_CONNECTED, MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
  } else if (!n_connected && state == MM_MODEM_STATE_CONNECTED) {
    mx_modem_set_state (mb->modem,
                        mb->state_before_connected >= MM_MODEM_STATE_ENABLED ?
                        mb->state_before_connected : MM_MODEM_STATE_REGISTERED,
                        MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
  }
  if (mb->ext)
    mx_bearer_ext_update (mb->ext, mb->data_ports, mb->bearers);
}

void
mx_bearer_service_bearer_changed (MxBearerService *self, MxBearer *bearer)
{
  GHashTableIter iter;
  ModemBearers *mb;

  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mb))
    if (g_ptr_array_find (mb->bearers, bearer, NULL))
      update_modem (mb);
}

/* ---- creating bearers ---- */

static MxDataPort *
pick_data_port (ModemBearers *mb, GError **error)
{
  if (!mb->data_ports->len) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                 "The modem has no data port to carry a bearer");
    return NULL;
  }
  /* The format is per port and multiplexed bearers share one port; a
   * second port is used only when the first is taken by a plain session. */
  for (guint i = 0; i < mb->data_ports->len; i++) {
    MxDataPort *dp = g_ptr_array_index (mb->data_ports, i);

    if (mx_data_port_get_n_sessions (dp) == 0 || mx_data_port_is_multiplexed (dp))
      return dp;
  }
  return g_ptr_array_index (mb->data_ports, 0);
}

static MxBearer *
create_bearer (ModemBearers *mb, MMBearerProperties *props, GError **error)
{
  MxDataPort *dp = pick_data_port (mb, error);
  g_autoptr(MxBearer) bearer = NULL;

  if (!dp)
    return NULL;
  bearer = mx_bearer_new (mb->service, mb->modem, dp, props);
  if (!mx_bearer_export (bearer, error))
    return NULL;
  g_ptr_array_add (mb->bearers, g_object_ref (bearer));
  update_modem (mb);
  g_info ("bearer %s created on %s (apn '%s')", mx_bearer_get_path (bearer),
          mx_data_port_get_name (dp), mm_bearer_properties_get_apn (props) ?: "");
  return g_steal_pointer (&bearer);
}

static MxBearer *
find_bearer (ModemBearers *mb, const gchar *path)
{
  for (guint i = 0; i < mb->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (mb->bearers, i);

    if (g_strcmp0 (mx_bearer_get_path (b), path) == 0)
      return b;
  }
  return NULL;
}

/* ---- hooks ---- */

typedef struct {
  GDBusMethodInvocation *invocation;
  MxBearer              *bearer;
  ModemBearers          *mb;
  guint                  pending;
} CallCtx;

static void
call_ctx_free (CallCtx *c)
{
  g_object_unref (c->invocation);
  g_clear_object (&c->bearer);
  g_free (c);
}

static void
simple_connect_ready (MxBearer *bearer, GAsyncResult *res, CallCtx *c)
{
  GError *error = NULL;

  if (!mx_bearer_connect_finish (bearer, res, &error))
    g_dbus_method_invocation_take_error (c->invocation, error);
  else
    g_dbus_method_invocation_return_value (c->invocation,
                                           g_variant_new ("(o)", mx_bearer_get_path (bearer)));
  call_ctx_free (c);
}

static void
hook_simple_connect (MxModem *modem, GDBusMethodInvocation *invocation, GVariant *properties,
                     gpointer user_data)
{
  MxBearerService *self = user_data;
  ModemBearers *mb = get_modem_bearers (self, modem);
  g_autoptr(MMBearerProperties) props = NULL;
  GError *error = NULL;
  MxBearer *bearer = NULL;
  CallCtx *c;

  props = mx_bearer_props_from_simple_connect (properties, NULL, NULL, &error);
  if (!props) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  /* Same settings as an existing bearer: reuse it, as ModemManager does. */
  for (guint i = 0; i < mb->bearers->len && !bearer; i++) {
    MxBearer *b = g_ptr_array_index (mb->bearers, i);

    if (mx_bearer_props_equal (mx_bearer_peek_properties (b), props))
      bearer = g_object_ref (b);
  }
  if (!bearer)
    bearer = create_bearer (mb, props, &error);
  if (!bearer) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  c = g_new0 (CallCtx, 1);
  c->invocation = g_object_ref (invocation);
  c->bearer = bearer;
  mx_bearer_connect (bearer, mx_modem_peek_cancellable (modem),
                     (GAsyncReadyCallback) simple_connect_ready, c);
}

static void
simple_disconnect_ready (MxBearer *bearer, GAsyncResult *res, CallCtx *c)
{
  g_autoptr(GError) error = NULL;

  if (!mx_bearer_disconnect_finish (bearer, res, &error))
    g_warning ("disconnecting %s: %s", mx_bearer_get_path (bearer), error->message);
  if (--c->pending == 0) {
    g_dbus_method_invocation_return_value (c->invocation, NULL);
    call_ctx_free (c);
  }
}

static void
hook_simple_disconnect (MxModem *modem, GDBusMethodInvocation *invocation, const gchar *path,
                        gpointer user_data)
{
  MxBearerService *self = user_data;
  ModemBearers *mb = get_modem_bearers (self, modem);
  gboolean all = !path || !*path || g_str_equal (path, "/");
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_object_unref);
  CallCtx *c;

  for (guint i = 0; i < mb->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (mb->bearers, i);

    if (all || g_strcmp0 (mx_bearer_get_path (b), path) == 0)
      g_ptr_array_add (targets, g_object_ref (b));
  }
  if (!all && !targets->len) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
                                           "No bearer at '%s' on this modem", path);
    return;
  }
  if (!targets->len) {
    g_dbus_method_invocation_return_value (invocation, NULL);
    return;
  }
  c = g_new0 (CallCtx, 1);
  c->invocation = g_object_ref (invocation);
  c->pending = targets->len;
  for (guint i = 0; i < targets->len; i++)
    mx_bearer_disconnect (g_ptr_array_index (targets, i),
                          (GAsyncReadyCallback) simple_disconnect_ready, c);
}

static void
hook_create_bearer (MxModem *modem, GDBusMethodInvocation *invocation, GVariant *properties,
                    gpointer user_data)
{
  MxBearerService *self = user_data;
  ModemBearers *mb = get_modem_bearers (self, modem);
  g_autoptr(MMBearerProperties) props = NULL;
  g_autoptr(MxBearer) bearer = NULL;
  GError *error = NULL;

  props = mx_bearer_props_from_dictionary (properties, &error);
  if (props)
    bearer = create_bearer (mb, props, &error);
  if (!bearer) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  mm_gdbus_modem_complete_create_bearer (mx_modem_peek_modem_iface (modem), invocation,
                                         mx_bearer_get_path (bearer));
}

static void
delete_disconnected (MxBearer *bearer, GAsyncResult *res, CallCtx *c)
{
  g_autoptr(GError) error = NULL;

  if (!mx_bearer_disconnect_finish (bearer, res, &error))
    g_warning ("disconnecting %s before deleting it: %s", mx_bearer_get_path (bearer), error->message);
  mx_bearer_unexport (bearer);
  g_ptr_array_remove (c->mb->bearers, bearer);
  update_modem (c->mb);
  mm_gdbus_modem_complete_delete_bearer (mx_modem_peek_modem_iface (c->mb->modem), c->invocation);
  call_ctx_free (c);
}

static void
hook_delete_bearer (MxModem *modem, GDBusMethodInvocation *invocation, const gchar *path,
                    gpointer user_data)
{
  MxBearerService *self = user_data;
  ModemBearers *mb = get_modem_bearers (self, modem);
  MxBearer *bearer = find_bearer (mb, path);
  CallCtx *c;

  if (!bearer) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
                                           "No bearer at '%s' on this modem", path);
    return;
  }
  c = g_new0 (CallCtx, 1);
  c->invocation = g_object_ref (invocation);
  c->bearer = g_object_ref (bearer);
  c->mb = mb;
  mx_bearer_disconnect (bearer, (GAsyncReadyCallback) delete_disconnected, c);
}

static void
drop_modem (MxBearerService *self, MxModem *modem)
{
  ModemBearers *mb = g_hash_table_lookup (self->modems, modem);

  if (!mb)
    return;
  /* No QMI any more: end locally and delete our links (an IPA lower or
   * a QRTR modem's data port outlives the control side). */
  for (guint i = 0; i < mb->bearers->len; i++)
    mx_bearer_lost (g_ptr_array_index (mb->bearers, i), "the modem went away", FALSE, TRUE);
  g_hash_table_remove (self->modems, modem);
}

static void
hook_modem_removed (MxModem *modem, gpointer user_data)
{
  drop_modem (user_data, modem);
}

static const MxModemBearerHooks hooks = {
  .simple_connect = hook_simple_connect,
  .simple_disconnect = hook_simple_disconnect,
  .create_bearer = hook_create_bearer,
  .delete_bearer = hook_delete_bearer,
  .modem_removed = hook_modem_removed,
};

/* ---- registry ---- */

static void
on_modem_added (MxModemRegistry *registry, MxModem *modem, MxBearerService *self)
{
  get_modem_bearers (self, modem);
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
    get_modem_bearers (self, g_ptr_array_index (modems, i));
}

/* ---- link manager signals ---- */

/* Every bearer @matches (with @key) is lost for @reason: disconnected,
 * its session stopped on the modem. */
static void
lose_bearers (MxBearerService *self, gboolean (*matches) (MxBearer *b, gconstpointer key),
              gconstpointer key, const gchar *reason)
{
  GHashTableIter iter;
  ModemBearers *mb;

  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mb)) {
    for (guint i = 0; i < mb->bearers->len; i++) {
      MxBearer *b = g_ptr_array_index (mb->bearers, i);

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
  ModemBearers *mb;

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
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mb))
    update_modem (mb);
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
  GPtrArray *ports;
  guint      next;
  guint      removed;
} CleanupCtx;

static void
cleanup_ctx_free (CleanupCtx *c)
{
  g_ptr_array_unref (c->ports);
  g_free (c);
}

static void cleanup_next (GTask *task);

static void
reconciled (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  CleanupCtx *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!mx_link_manager_reconcile_finish (links, res, &n, &error))
    g_warning ("could not remove stale links on %s: %s",
               (const gchar *) g_ptr_array_index (c->ports, c->next - 1), error->message);
  c->removed += n;
  cleanup_next (task);
}

static void
cleanup_next (GTask *task)
{
  MxBearerService *self = g_task_get_source_object (task);
  CleanupCtx *c = g_task_get_task_data (task);

  if (c->next >= c->ports->len) {
    if (c->removed)
      g_message ("removed %u link(s) left behind by a previous modemuxd", c->removed);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  mx_link_manager_reconcile_async (self->links, g_ptr_array_index (c->ports, c->next++),
                                   g_task_get_cancellable (task),
                                   (GAsyncReadyCallback) reconciled, task);
}

void
mx_bearer_service_cleanup_stale_links (MxBearerService *self, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CleanupCtx *c = g_new0 (CleanupCtx, 1);
  g_autoptr(GPtrArray) links = mx_link_map_get_links (mx_link_manager_get_map (self->links), NULL);

  c->ports = g_ptr_array_new_with_free_func (g_free);
  /* Any link with our marker is stale: this instance has created none yet. */
  for (guint i = 0; i < links->len; i++) {
    const MxLink *l = g_ptr_array_index (links, i);

    if (l->lower_name && mx_link_owner_is_ours (l, NULL) &&
        !g_ptr_array_find_with_equal_func (c->ports, l->lower_name, g_str_equal, NULL))
      g_ptr_array_add (c->ports, g_strdup (l->lower_name));
  }
  g_task_set_task_data (task, c, (GDestroyNotify) cleanup_ctx_free);
  cleanup_next (task);
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
  mx_modem_set_bearer_hooks (&hooks, self);
  return self;
}

static void
shutdown_one_done (MxBearer *bearer, GAsyncResult *res, GTask *task)
{
  guint *pending = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mx_bearer_disconnect_finish (bearer, res, &error))
    g_warning ("%s", error->message);
  if (--*pending == 0) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
}

void
mx_bearer_service_shutdown (MxBearerService *self, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  guint *pending = g_new0 (guint, 1);
  GHashTableIter iter;
  ModemBearers *mb;

  g_task_set_task_data (task, pending, g_free);
  mx_modem_set_bearer_hooks (NULL, NULL);
  *pending = 1;   /* held until every disconnect has started */
  g_hash_table_iter_init (&iter, self->modems);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mb)) {
    for (guint i = 0; i < mb->bearers->len; i++) {
      (*pending)++;
      mx_bearer_disconnect (g_ptr_array_index (mb->bearers, i),
                            (GAsyncReadyCallback) shutdown_one_done, task);
    }
  }
  if (--*pending == 0) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
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
  /* Probe now so that MaxActiveMultiplexedBearers is right before the
   * first connect (0 without CONFIG_RMNET). */
  mx_bearer_service_probe_rmnet (self, NULL, NULL, NULL);
  g_object_ref (self);
  mx_bearer_service_cleanup_stale_links (self, NULL, (GAsyncReadyCallback) start_cleaned,
                                         registry ? g_object_ref (registry) : NULL);
}

static void
mx_bearer_service_dispose (GObject *object)
{
  MxBearerService *self = MX_BEARER_SERVICE (object);

  if (self->registry) {
    g_signal_handler_disconnect (self->registry, self->modem_added_id);
    g_signal_handler_disconnect (self->registry, self->modem_removed_id);
    g_clear_object (&self->registry);
  }
  if (self->links) {
    g_signal_handler_disconnect (self->links, self->link_lost_id);
    g_signal_handler_disconnect (self->links, self->port_lost_id);
  }
  if (self->modems)
    g_hash_table_remove_all (self->modems);
  g_clear_object (&self->links);
  g_clear_object (&self->netlink);
  G_OBJECT_CLASS (mx_bearer_service_parent_class)->dispose (object);
}

static void
mx_bearer_service_finalize (GObject *object)
{
  MxBearerService *self = MX_BEARER_SERVICE (object);

  g_hash_table_unref (self->modems);
  G_OBJECT_CLASS (mx_bearer_service_parent_class)->finalize (object);
}

static void
mx_bearer_service_init (MxBearerService *self)
{
  self->modems = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                        (GDestroyNotify) modem_bearers_free);
}

static void
mx_bearer_service_class_init (MxBearerServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_bearer_service_dispose;
  object_class->finalize = mx_bearer_service_finalize;
}
