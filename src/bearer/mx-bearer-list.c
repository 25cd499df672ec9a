/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-list.h"

#include "mx-bearer-multiplex.h"

#include "mx-bearer-ext.h"
#include "mx-bearer-props.h"
#include "mx-bearer-service.h"

struct _MxBearerList {
  GObject          parent;
  MxBearerService *service;      /* weak */
  MxModem         *modem;        /* weak: the modem holds the list */
  GPtrArray       *data_ports;   /* MxDataPort*, sorted by name */
  GPtrArray       *bearers;      /* MxBearer* */
  MxBearerExt     *ext;
  gboolean         format_prepared;   /* since the modem last registered */
};

static void mx_bearer_list_iface_init (MxModemBearerListInterface *iface);

G_DEFINE_TYPE_WITH_CODE (MxBearerList, mx_bearer_list, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MX_TYPE_MODEM_BEARER_LIST, mx_bearer_list_iface_init))

GPtrArray *mx_bearer_list_peek_bearers (MxBearerList *self) { return self->bearers; }
GPtrArray *mx_bearer_list_peek_data_ports (MxBearerList *self) { return self->data_ports; }

/* ---- what the modem shows of its bearers ---- */

/* The modem state its bearers imply: CONNECTED while any is connected
 * (ModemManager 1.20 with several bearers), else CONNECTING or
 * DISCONNECTING while one is on its way; 0 when none is active. */
static MMModemState
bearers_state (MxBearerList *self)
{
  gboolean connecting = FALSE, disconnecting = FALSE;

  for (guint i = 0; i < self->bearers->len; i++) {
    switch (mx_bearer_get_state (g_ptr_array_index (self->bearers, i))) {
    case MX_BEARER_CONNECTED:     return MM_MODEM_STATE_CONNECTED;
    case MX_BEARER_CONNECTING:    connecting = TRUE; break;
    case MX_BEARER_DISCONNECTING: disconnecting = TRUE; break;
    case MX_BEARER_DISCONNECTED:  break;
    }
  }
  if (connecting)
    return MM_MODEM_STATE_CONNECTING;
  return disconnecting ? MM_MODEM_STATE_DISCONNECTING : 0;
}

static void
update_state (MxBearerList *self)
{
  MMModemState state = mx_modem_get_state (self->modem);
  MMModemState wanted = bearers_state (self);

  /* Enabling, disabling or below: registration owns the state. */
  if (state < MM_MODEM_STATE_ENABLED)
    return;
  if (!wanted) {
    if (state < MM_MODEM_STATE_DISCONNECTING)
      return;
    wanted = mx_modem_get_registration_state (self->modem);
  }
  mx_modem_set_state (self->modem, wanted, MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
}

/* Bearers, MaxActiveBearers, MaxActiveMultiplexedBearers, State, extension. */
void
mx_bearer_list_update (MxBearerList *self)
{
  MmGdbusModem *iface;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  guint max_mux = 0, max_plain = 0;

  if (!self->modem)
    return;
  iface = mx_modem_peek_modem_iface (self->modem);
  for (guint i = 0; i < self->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (self->bearers, i);

    if (mx_bearer_get_path (b))
      g_ptr_array_add (paths, (gpointer) mx_bearer_get_path (b));
  }
  g_ptr_array_add (paths, NULL);
  for (guint i = 0; i < self->data_ports->len; i++) {
    MxDataPort *dp = g_ptr_array_index (self->data_ports, i);

    /* Without rmnet in the kernel no QMAP port can multiplex (MBIM ports'
     * wwan/VLAN support is probed at connect). */
    if (!self->service || !mx_bearer_service_kernel_lacks_rmnet (self->service) ||
        mx_data_port_get_profile (dp)->driver_class == MX_DATA_DRIVER_CLASS_MBIM)
      max_mux += mx_data_port_get_max_links (dp);
    if (mx_data_port_get_profile (dp)->raw_ip)
      max_plain++;
  }
  if (iface) {
    mm_gdbus_modem_set_bearers (iface, (const gchar * const *) paths->pdata);
    if (self->data_ports->len) {
      mm_gdbus_modem_set_max_active_multiplexed_bearers (iface, max_mux);
      mm_gdbus_modem_set_max_active_bearers (iface, max_plain);
    }
  }
  update_state (self);
  if (self->ext)
    mx_bearer_ext_update (self->ext, self->data_ports, self->bearers);
}

static void
bearer_changed (MxBearer *bearer, MxBearerList *self)
{
  mx_bearer_list_update (self);
}

static void
data_port_changed (MxDataPort *port, MxBearerList *self)
{
  if (self->ext)
    mx_bearer_ext_update (self->ext, self->data_ports, self->bearers);
}

/* ---- bearers ---- */

static MxDataPort *
pick_data_port (MxBearerList *self, GError **error)
{
  if (!self->data_ports->len) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                 "The modem has no data port to carry a bearer");
    return NULL;
  }
  /* The format is per port and multiplexed bearers share one port; a
   * second port is used only when the first is taken by a plain session. */
  for (guint i = 0; i < self->data_ports->len; i++) {
    MxDataPort *dp = g_ptr_array_index (self->data_ports, i);

    if (mx_data_port_get_n_sessions (dp) == 0 || mx_data_port_is_multiplexed (dp))
      return dp;
  }
  return g_ptr_array_index (self->data_ports, 0);
}

static MxBearer *
add_bearer (MxBearerList *self, MxDataPort *dp, MMBearerProperties *props, GError **error)
{
  g_autoptr(MxBearer) bearer = NULL;

  if (!self->modem || !self->service) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_ABORTED, "The modem is going away");
    return NULL;
  }
  if (!dp)
    dp = pick_data_port (self, error);
  if (!dp)
    return NULL;
  bearer = mx_bearer_new (self->service, self->modem, dp, props);
  if (!mx_bearer_export (bearer, error))
    return NULL;
  g_ptr_array_add (self->bearers, g_object_ref (bearer));
  g_signal_connect (bearer, MX_BEARER_SIGNAL_CHANGED, G_CALLBACK (bearer_changed), self);
  mx_bearer_list_update (self);
  g_info ("bearer %s created on %s (apn '%s')", mx_bearer_get_path (bearer),
          mx_data_port_get_name (dp), mm_bearer_properties_get_apn (props) ?: "");
  return g_steal_pointer (&bearer);
}

static MxBearer *
create_bearer (MxBearerList *self, MMBearerProperties *props, GError **error)
{
  return add_bearer (self, NULL, props, error);
}

MxBearer *
mx_bearer_list_add_adopted (MxBearerList *self, MxDataPort *port, MMBearerProperties *props,
                            GError **error)
{
  return add_bearer (self, port, props, error);
}

MxModem *mx_bearer_list_peek_modem (MxBearerList *self) { return self->modem; }

static void
remove_bearer (MxBearerList *self, MxBearer *bearer)
{
  g_signal_handlers_disconnect_by_data (bearer, self);
  mx_bearer_unexport (bearer);
  g_ptr_array_remove (self->bearers, bearer);
  mx_bearer_list_update (self);
}

static MxBearer *
find_bearer (MxBearerList *self, const gchar *path)
{
  for (guint i = 0; i < self->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (self->bearers, i);

    if (g_strcmp0 (mx_bearer_get_path (b), path) == 0)
      return b;
  }
  return NULL;
}

/* ---- D-Bus methods ---- */

/* One D-Bus call in flight; holds the list so a reply arriving after the
 * modem went away still finds it. */
typedef struct {
  MxBearerList          *self;
  GDBusMethodInvocation *invocation;
  MxBearer              *bearer;
  guint                  pending;
} CallCtx;

static CallCtx *
call_ctx_new (MxBearerList *self, GDBusMethodInvocation *invocation, MxBearer *bearer)
{
  CallCtx *c = g_new0 (CallCtx, 1);

  c->self = g_object_ref (self);
  c->invocation = g_object_ref (invocation);
  c->bearer = bearer ? g_object_ref (bearer) : NULL;
  return c;
}

static void
call_ctx_free (CallCtx *c)
{
  g_object_unref (c->self);
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

static gboolean
list_check_simple_connect (MxModemBearerList *list, GVariant *properties, GError **error)
{
  g_autoptr(MMBearerProperties) props = mx_bearer_props_from_simple_connect (properties, NULL,
                                                                             NULL, error);
  return props != NULL;
}

static void
list_simple_connect (MxModemBearerList *list, GDBusMethodInvocation *invocation, GVariant *properties)
{
  MxBearerList *self = MX_BEARER_LIST (list);
  g_autoptr(MMBearerProperties) props = NULL;
  g_autoptr(MxBearer) bearer = NULL;
  GError *error = NULL;

  if (!self->modem) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_ABORTED,
                                           "The modem is going away");
    return;
  }
  props = mx_bearer_props_from_simple_connect (properties, NULL, NULL, &error);
  if (!props) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  /* Same settings as an existing bearer: reuse it, as ModemManager does;
   * except that multiplex=required asks for a session of its own, so a
   * bearer with those settings that is in use (connected or on its way) is
   * not taken again: the new one gets its own link. */
  for (guint i = 0; i < self->bearers->len && !bearer; i++) {
    MxBearer *b = g_ptr_array_index (self->bearers, i);

    if (mm_bearer_properties_get_multiplex (props) == MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED &&
        mx_bearer_get_state (b) != MX_BEARER_DISCONNECTED)
      continue;
    if (mx_bearer_props_equal (mx_bearer_peek_properties (b), props))
      bearer = g_object_ref (b);
  }
  if (!bearer)
    bearer = create_bearer (self, props, &error);
  if (!bearer) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  mx_bearer_connect (bearer, mx_modem_peek_cancellable (self->modem),
                     (GAsyncReadyCallback) simple_connect_ready,
                     call_ctx_new (self, invocation, bearer));
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
list_simple_disconnect (MxModemBearerList *list, GDBusMethodInvocation *invocation, const gchar *path)
{
  MxBearerList *self = MX_BEARER_LIST (list);
  gboolean all = !path || !*path || g_str_equal (path, "/");
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_object_unref);
  CallCtx *c;

  for (guint i = 0; i < self->bearers->len; i++) {
    MxBearer *b = g_ptr_array_index (self->bearers, i);

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
  c = call_ctx_new (self, invocation, NULL);
  c->pending = targets->len;
  for (guint i = 0; i < targets->len; i++)
    mx_bearer_disconnect (g_ptr_array_index (targets, i),
                          (GAsyncReadyCallback) simple_disconnect_ready, c);
}

static void
list_create_bearer (MxModemBearerList *list, GDBusMethodInvocation *invocation, GVariant *properties)
{
  MxBearerList *self = MX_BEARER_LIST (list);
  g_autoptr(MMBearerProperties) props = NULL;
  g_autoptr(MxBearer) bearer = NULL;
  GError *error = NULL;

  props = mx_bearer_props_from_dictionary (properties, &error);
  if (props)
    bearer = create_bearer (self, props, &error);
  if (!bearer) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  mm_gdbus_modem_complete_create_bearer (mx_modem_peek_modem_iface (self->modem), invocation,
                                         mx_bearer_get_path (bearer));
}

static void
delete_disconnected (MxBearer *bearer, GAsyncResult *res, CallCtx *c)
{
  g_autoptr(GError) error = NULL;

  if (!mx_bearer_disconnect_finish (bearer, res, &error))
    g_warning ("disconnecting %s before deleting it: %s", mx_bearer_get_path (bearer), error->message);
  /* The modem may have gone meanwhile; the bearer then left with it. */
  if (g_ptr_array_find (c->self->bearers, bearer, NULL))
    remove_bearer (c->self, bearer);
  g_dbus_method_invocation_return_value (c->invocation, NULL);
  call_ctx_free (c);
}

static void
list_delete_bearer (MxModemBearerList *list, GDBusMethodInvocation *invocation, const gchar *path)
{
  MxBearerList *self = MX_BEARER_LIST (list);
  MxBearer *bearer = find_bearer (self, path);

  if (!bearer) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
                                           "No bearer at '%s' on this modem", path);
    return;
  }
  mx_bearer_disconnect (bearer, (GAsyncReadyCallback) delete_disconnected,
                        call_ctx_new (self, invocation, bearer));
}

/* ---- every bearer at once ---- */

/* The bearers now, each held: ending one may remove it from the list. */
static GPtrArray *
snapshot_bearers (MxBearerList *self)
{
  GPtrArray *bearers = g_ptr_array_new_full (self->bearers->len, g_object_unref);

  for (guint i = 0; i < self->bearers->len; i++)
    g_ptr_array_add (bearers, g_object_ref (g_ptr_array_index (self->bearers, i)));
  return bearers;
}

static void
disconnect_one_done (MxBearer *bearer, GAsyncResult *res, GTask *task)
{
  guint *pending = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mx_bearer_disconnect_finish (bearer, res, &error))
    g_warning ("disconnecting %s: %s", mx_bearer_get_path (bearer) ?: "bearer", error->message);
  if (--*pending == 0) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
}

static void
list_disconnect_all (MxModemBearerList *list, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  MxBearerList *self = MX_BEARER_LIST (list);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GPtrArray) bearers = snapshot_bearers (self);
  guint *pending = g_new0 (guint, 1);

  g_task_set_task_data (task, pending, g_free);
  /* Held until every disconnect has started: one may finish at once. */
  *pending = 1 + bearers->len;
  for (guint i = 0; i < bearers->len; i++)
    mx_bearer_disconnect (g_ptr_array_index (bearers, i),
                          (GAsyncReadyCallback) disconnect_one_done, task);
  if (--*pending == 0) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
  }
}

static gboolean
list_disconnect_all_finish (MxModemBearerList *list, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
list_lose_all (MxModemBearerList *list, const gchar *reason)
{
  MxBearerList *self = MX_BEARER_LIST (list);
  g_autoptr(GPtrArray) bearers = snapshot_bearers (self);

  /* No QMI any more: end locally and delete our links (an IPA lower or
   * a QRTR modem's data port outlives the control side). */
  for (guint i = 0; i < bearers->len; i++)
    mx_bearer_lost (g_ptr_array_index (bearers, i), reason, FALSE, TRUE);
  mx_bearer_list_unexport (self);
}

static void
mx_bearer_list_iface_init (MxModemBearerListInterface *iface)
{
  iface->simple_connect = list_simple_connect;
  iface->check_simple_connect = list_check_simple_connect;
  iface->simple_disconnect = list_simple_disconnect;
  iface->create_bearer = list_create_bearer;
  iface->delete_bearer = list_delete_bearer;
  iface->disconnect_all = list_disconnect_all;
  iface->disconnect_all_finish = list_disconnect_all_finish;
  iface->lose_all = list_lose_all;
}

/* ---- object ---- */

static gint
compare_data_ports (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (mx_data_port_get_name (*(MxDataPort **) a), mx_data_port_get_name (*(MxDataPort **) b));
}

/* Adds the modem's data ports not in the list yet; TRUE if any was. */
static gboolean
add_data_ports (MxBearerList *self)
{
  const MxModemConfig *config = mx_modem_get_config (self->modem);
  gboolean added = FALSE;

  for (guint i = 0; i < config->data_ports->len; i++) {
    MxPort *port = g_ptr_array_index (config->data_ports, i);
    MxDataPort *dp;
    gboolean known = FALSE;

    for (guint j = 0; j < self->data_ports->len && !known; j++)
      known = g_strcmp0 (mx_data_port_get_name (g_ptr_array_index (self->data_ports, j)),
                         mx_port_get_name (port)) == 0;
    if (known)
      continue;
    dp = mx_data_port_new (port, mx_modem_peek_port (self->modem), config->qrtr,
                           mx_bearer_service_peek_links (self->service),
                           mx_bearer_service_peek_netlink (self->service));
    g_signal_connect (dp, MX_DATA_PORT_SIGNAL_CHANGED, G_CALLBACK (data_port_changed), self);
    g_ptr_array_add (self->data_ports, dp);
    added = TRUE;
  }
  g_ptr_array_sort (self->data_ports, compare_data_ports);
  return added;
}

/* A hotplugged USB modem's netdev may be announced after its control port
 * was probed and the modem made: the late data port joins here. */
static void
modem_ports_changed (MxBearerList *self)
{
  if (self->modem && self->service && add_data_ports (self)) {
    mx_bearer_list_update (self);
    mx_bearer_service_adopt_pending (self->service, self);
  }
}

/* ---- the data format, ahead of the first connect ---- */

static void
prepare_rmnet_probed (MxBearerService *service, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(MxBearerList) self = user_data;
  g_autoptr(GError) error = NULL;
  MxBearerMultiplexDecision decision = { 0 };
  gboolean rmnet = mx_bearer_service_probe_rmnet_finish (service, res, NULL);
  MxDataPort *dp;

  if (!self->modem || !self->service || !self->data_ports->len)
    return;
  /* The port the first bearer takes, for a bearer that does not say. */
  dp = g_ptr_array_index (self->data_ports, 0);
  if (!mx_bearer_multiplex_decide (mx_data_port_get_name (dp), mx_data_port_get_profile (dp), rmnet,
                                   MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN,
                                   mx_bearer_service_get_test_multiplex_requested (self->service),
                                   &decision, &error)) {
    g_debug ("data format of %s not prepared: %s", mx_data_port_get_name (dp), error->message);
    return;
  }
  mx_data_port_prepare (dp, decision.goal, mx_modem_peek_cancellable (self->modem));
  mx_bearer_multiplex_decision_clear (&decision);
}

/* Registered (after Enable answered): the data format is negotiated now,
 * once per port, so that the first connect does not wait for it. And when
 * registration took the modem to REGISTERED while a bearer is connected (a
 * bearer adopted before the modem was enabled), the bearers' state wins. */
static void
modem_state_changed (MxBearerList *self)
{
  MMModemState state;

  if (!self->modem)
    return;
  state = mx_modem_get_state (self->modem);
  if (state == MM_MODEM_STATE_REGISTERED)
    update_state (self);
  if (!self->service)
    return;
  if (state < MM_MODEM_STATE_ENABLED) {
    self->format_prepared = FALSE;
    return;
  }
  /* MBIM has no data format to negotiate. */
  if (state < MM_MODEM_STATE_REGISTERED || self->format_prepared || !self->data_ports->len ||
      mx_modem_get_control (self->modem) != MX_MODEM_CONTROL_QMI)
    return;
  self->format_prepared = TRUE;
  mx_bearer_service_probe_rmnet (self->service, mx_modem_peek_cancellable (self->modem),
                                 (GAsyncReadyCallback) prepare_rmnet_probed, g_object_ref (self));
}

MxBearerList *
mx_bearer_list_new (MxBearerService *service, MxModem *modem)
{
  MxBearerList *self = g_object_new (MX_TYPE_BEARER_LIST, NULL);

  self->service = service;
  g_object_add_weak_pointer (G_OBJECT (service), (gpointer *) &self->service);
  self->modem = modem;
  g_object_add_weak_pointer (G_OBJECT (modem), (gpointer *) &self->modem);
  add_data_ports (self);
  g_signal_connect_object (mx_modem_peek_modem_iface (modem), "notify::ports",
                           G_CALLBACK (modem_ports_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (mx_modem_peek_modem_iface (modem), "notify::state",
                           G_CALLBACK (modem_state_changed), self, G_CONNECT_SWAPPED);
  if (mx_modem_get_path (modem))
    self->ext = mx_bearer_ext_new (mx_manager_get_connection (mx_modem_peek_manager (modem)),
                                   mx_modem_get_path (modem));
  mx_bearer_list_update (self);
  return self;
}

void
mx_bearer_list_unexport (MxBearerList *self)
{
  while (self->bearers->len) {
    MxBearer *b = g_ptr_array_index (self->bearers, self->bearers->len - 1);

    g_signal_handlers_disconnect_by_data (b, self);
    mx_bearer_unexport (b);
    g_ptr_array_remove_index (self->bearers, self->bearers->len - 1);
  }
  g_clear_pointer (&self->ext, mx_bearer_ext_free);
}

static void
mx_bearer_list_dispose (GObject *object)
{
  MxBearerList *self = MX_BEARER_LIST (object);

  mx_bearer_list_unexport (self);
  for (guint i = 0; i < self->data_ports->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->data_ports, i), self);
  g_ptr_array_set_size (self->data_ports, 0);
  if (self->modem)
    g_object_remove_weak_pointer (G_OBJECT (self->modem), (gpointer *) &self->modem);
  self->modem = NULL;
  if (self->service)
    g_object_remove_weak_pointer (G_OBJECT (self->service), (gpointer *) &self->service);
  self->service = NULL;
  G_OBJECT_CLASS (mx_bearer_list_parent_class)->dispose (object);
}

static void
mx_bearer_list_finalize (GObject *object)
{
  MxBearerList *self = MX_BEARER_LIST (object);

  g_ptr_array_unref (self->bearers);
  g_ptr_array_unref (self->data_ports);
  G_OBJECT_CLASS (mx_bearer_list_parent_class)->finalize (object);
}

static void
mx_bearer_list_init (MxBearerList *self)
{
  self->bearers = g_ptr_array_new_with_free_func (g_object_unref);
  self->data_ports = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
mx_bearer_list_class_init (MxBearerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_bearer_list_dispose;
  object_class->finalize = mx_bearer_list_finalize;
}
