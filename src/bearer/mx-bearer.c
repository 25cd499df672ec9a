/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bearer object: D-Bus, disconnect and teardown (see mx-bearer.h). */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-private.h"

#include "mx-core-auth.h"
#include "mx-core-step.h"
#include "mx-link-error.h"
#include "mx-core-manager.h"

G_DEFINE_TYPE (MxBearer, mx_bearer, G_TYPE_OBJECT)

static guint changed_signal;

/* ---- D-Bus properties ---- */

static GVariant *
properties_variant (MMBearerProperties *p)
{
  GVariantBuilder b;
  const gchar *s;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  if ((s = mm_bearer_properties_get_apn (p)))
    g_variant_builder_add (&b, "{sv}", "apn", g_variant_new_string (s));
  if (mm_bearer_properties_get_ip_type (p) != MM_BEARER_IP_FAMILY_NONE)
    g_variant_builder_add (&b, "{sv}", "ip-type", g_variant_new_uint32 (mm_bearer_properties_get_ip_type (p)));
  if (mm_bearer_properties_get_allowed_auth (p) != MM_BEARER_ALLOWED_AUTH_UNKNOWN)
    g_variant_builder_add (&b, "{sv}", "allowed-auth",
                           g_variant_new_uint32 (mm_bearer_properties_get_allowed_auth (p)));
  if ((s = mm_bearer_properties_get_user (p)))
    g_variant_builder_add (&b, "{sv}", "user", g_variant_new_string (s));
  if ((s = mm_bearer_properties_get_password (p)))
    g_variant_builder_add (&b, "{sv}", "password", g_variant_new_string (s));
  g_variant_builder_add (&b, "{sv}", "allow-roaming",
                         g_variant_new_boolean (mm_bearer_properties_get_allow_roaming (p)));
  if (mm_bearer_properties_get_multiplex (p) != MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN)
    g_variant_builder_add (&b, "{sv}", "multiplex",
                           g_variant_new_uint32 (mm_bearer_properties_get_multiplex (p)));
  return g_variant_builder_end (&b);
}

static void
publish_disconnected (MxBearer *self)
{
  mm_gdbus_bearer_set_connected (self->skeleton, FALSE);
  mm_gdbus_bearer_set_interface (self->skeleton, NULL);
  mm_gdbus_bearer_set_multiplexed (self->skeleton, FALSE);
  mm_gdbus_bearer_set_ip4_config (self->skeleton, mx_ip_settings_to_variant (NULL));
  mm_gdbus_bearer_set_ip6_config (self->skeleton, mx_ip_settings_to_variant (NULL));
  mm_gdbus_bearer_set_stats (self->skeleton, mx_bearer_stats_variant (self));
}

void
mx_bearer_publish_connected (MxBearer *self)
{
  mm_gdbus_bearer_set_interface (self->skeleton, self->interface);
  mm_gdbus_bearer_set_multiplexed (self->skeleton, self->multiplexed);
  mm_gdbus_bearer_set_ip4_config (self->skeleton, mx_ip_settings_to_variant (self->ip[MX_FAMILY_V4]));
  mm_gdbus_bearer_set_ip6_config (self->skeleton, mx_ip_settings_to_variant (self->ip[MX_FAMILY_V6]));
  mx_bearer_set_connection_error (self, NULL);
  mm_gdbus_bearer_set_stats (self->skeleton, mx_bearer_stats_variant (self));
  mm_gdbus_bearer_set_connected (self->skeleton, TRUE);
}

void
mx_bearer_set_connection_error (MxBearer *self, const GError *error)
{
  /* The D-Bus name of the error's (registered) domain and code, as the
   * failed call returned it. */
  g_autofree gchar *name = error ? g_dbus_error_encode_gerror (error) : NULL;

  mm_gdbus_bearer_set_connection_error (self->skeleton,
                                        g_variant_new ("(ss)", name ? name : "",
                                                       error ? error->message : ""));
}

static void
set_state (MxBearer *self, MxBearerState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_signal_emit (self, changed_signal, 0);
}

/* ---- teardown ---- */

/* Undoes a connect in reverse; a failing step is logged (named) and the
 * next one runs anyway: a disconnect always ends DISCONNECTED. */
typedef enum {
  TEARDOWN_STOP_IPV4,
  TEARDOWN_STOP_IPV6,
  TEARDOWN_DELETE_LINK,
  TEARDOWN_DONE,
} TeardownStep;

static const gchar *const teardown_step_names[] = {
  "stop IPv4 session", "stop IPv6 session", "delete link", "release data port",
};
MX_STEP_NAMES_CHECK (teardown_step_names, TEARDOWN_DONE);

typedef struct {
  TeardownStep step;
  gboolean     stop_on_modem;
  gboolean     delete_link;
} TeardownCtx;

static void teardown_step (GTask *task);

static void
teardown_next (GTask *task)
{
  TeardownCtx *c = g_task_get_task_data (task);

  c->step++;
  teardown_step (task);
}

/* Takes @error. */
static void
teardown_step_failed (GTask *task, GError *error)
{
  MxBearer *self = g_task_get_source_object (task);
  TeardownCtx *c = g_task_get_task_data (task);

  mx_step_prefix_error (&error, MX_STEP_NAME (teardown_step_names, c->step));
  g_warning ("bearer %s: %s", self->path, error->message);
  g_error_free (error);
}

static void
teardown_finish_state (MxBearer *self)
{
  GSList *waiting = g_steal_pointer (&self->waiting_disconnects);

  if (self->port_acquired) {
    mx_data_port_release (self->port, self->multiplexed);
    self->port_acquired = FALSE;
  }
  g_clear_pointer (&self->link, mx_link_free);
  g_clear_pointer (&self->interface, g_free);
  for (guint i = 0; i < MX_N_FAMILIES; i++)
    g_clear_pointer (&self->ip[i], mx_ip_settings_free);
  self->multiplexed = FALSE;
  self->connected_since = 0;
  publish_disconnected (self);
  set_state (self, MX_BEARER_DISCONNECTED);

  for (GSList *l = waiting; l; l = l->next) {
    g_task_return_boolean (l->data, TRUE);
    g_object_unref (l->data);
  }
  g_slist_free (waiting);
}

static void
link_deleted (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!mx_link_manager_delete_finish (links, res, &error) &&
      !g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE)) {
    g_prefix_error (&error, "%s: ", self->link ? self->link->ifname : "?");
    teardown_step_failed (task, g_steal_pointer (&error));
  } else if (self->link) {
    g_info ("link %s (mux id %d) deleted", self->link->ifname, self->link->mux_id);
  }
  g_clear_error (&error);   /* NO_DEVICE: already gone, as wanted */
  teardown_next (task);
}

static void
session_stopped (MxBearerSession *session, GAsyncResult *res, GTask *task)
{
  GError *error = NULL;

  if (!mx_bearer_session_stop_finish (session, res, &error))
    teardown_step_failed (task, error);
  teardown_next (task);
}

static void
stop_session (GTask *task, guint i)
{
  MxBearer *self = g_task_get_source_object (task);
  TeardownCtx *c = g_task_get_task_data (task);
  g_autoptr(MxBearerSession) session = g_steal_pointer (&self->sessions[i]);

  if (!session) {
    teardown_next (task);
    return;
  }
  g_signal_handler_disconnect (session, self->session_ids[i]);
  self->session_ids[i] = 0;
  if (!c->stop_on_modem) {
    /* The modem is gone: nothing to stop there; dropping the session
     * releases what is left locally. */
    teardown_next (task);
    return;
  }
  mx_bearer_session_stop (session, NULL, (GAsyncReadyCallback) session_stopped, task);
}

static void
teardown_step (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  TeardownCtx *c = g_task_get_task_data (task);

  switch (c->step) {
  case TEARDOWN_STOP_IPV4:
    stop_session (task, MX_FAMILY_V4);
    return;
  case TEARDOWN_STOP_IPV6:
    stop_session (task, MX_FAMILY_V6);
    return;
  case TEARDOWN_DELETE_LINK:
    /* No service: the daemon is going; its shutdown deletes our links. */
    if (!self->link || !c->delete_link || !self->service) {
      teardown_next (task);
      return;
    }
    mx_link_manager_delete_async (mx_bearer_service_peek_links (self->service), self->link->ifname,
                                  FALSE, NULL, (GAsyncReadyCallback) link_deleted, task);
    return;
  case TEARDOWN_DONE:
  default:
    teardown_finish_state (self);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
}

void
mx_bearer_teardown (MxBearer *self, gboolean stop_on_modem, gboolean delete_link,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  TeardownCtx *c = g_new0 (TeardownCtx, 1);

  c->stop_on_modem = stop_on_modem;
  c->delete_link = delete_link;
  g_task_set_task_data (task, c, g_free);
  mx_bearer_stats_stop (self);   /* the connection ends here */
  teardown_step (task);
}

void
mx_bearer_teardown_finish (MxBearer *self, GAsyncResult *res)
{
  g_task_propagate_boolean (G_TASK (res), NULL);
}

/* ---- connect / disconnect ---- */

/* One connect call: the caller's cancellable (the modem's, which lives
 * long) is followed only while the connect runs. */
typedef struct {
  GTask        *outer;
  GCancellable *parent;
  gulong        parent_id;
} ConnectCall;

static void
connect_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ConnectCall *call = user_data;
  GError *error = NULL;

  if (call->parent_id)
    g_cancellable_disconnect (call->parent, call->parent_id);
  g_clear_object (&call->parent);
  if (g_task_propagate_boolean (G_TASK (res), &error))
    g_task_return_boolean (call->outer, TRUE);
  else
    g_task_return_error (call->outer, error);
  g_object_unref (call->outer);
  g_free (call);
}

void
mx_bearer_connect (MxBearer *self, GCancellable *cancellable,
                   GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  ConnectCall *call;

  switch (self->state) {
  case MX_BEARER_CONNECTED:
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  case MX_BEARER_CONNECTING:
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_IN_PROGRESS,
                             "Bearer is already connecting");
    g_object_unref (task);
    return;
  case MX_BEARER_DISCONNECTING:
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                             "Bearer is disconnecting");
    g_object_unref (task);
    return;
  case MX_BEARER_DISCONNECTED:
  default:
    break;
  }
  g_clear_object (&self->connect_cancellable);
  self->connect_cancellable = g_cancellable_new ();
  g_clear_pointer (&self->cancel_reason, g_free);
  call = g_new0 (ConnectCall, 1);
  call->outer = task;
  if (cancellable) {
    call->parent = g_object_ref (cancellable);
    call->parent_id = g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                                             g_object_ref (self->connect_cancellable), g_object_unref);
  }
  self->attempts++;
  set_state (self, MX_BEARER_CONNECTING);
  mx_bearer_connect_run (self, g_task_new (self, NULL, connect_done, call));
}

gboolean
mx_bearer_connect_finish (MxBearer *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
disconnect_teardown_ready (MxBearer *self, GAsyncResult *res, gpointer user_data)
{
  mx_bearer_teardown_finish (self, res);
}

void
mx_bearer_disconnect (MxBearer *self, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  switch (self->state) {
  case MX_BEARER_DISCONNECTED:
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  case MX_BEARER_CONNECTING:
    /* The connect's own rollback leaves us DISCONNECTED. */
    self->waiting_disconnects = g_slist_append (self->waiting_disconnects, task);
    g_cancellable_cancel (self->connect_cancellable);
    return;
  case MX_BEARER_DISCONNECTING:
    self->waiting_disconnects = g_slist_append (self->waiting_disconnects, task);
    return;
  case MX_BEARER_CONNECTED:
  default:
    self->waiting_disconnects = g_slist_append (self->waiting_disconnects, task);
    set_state (self, MX_BEARER_DISCONNECTING);
    g_info ("disconnecting bearer %s (%s)", self->path, self->interface);
    mx_bearer_teardown (self, TRUE, TRUE, (GAsyncReadyCallback) disconnect_teardown_ready, NULL);
    return;
  }
}

gboolean
mx_bearer_disconnect_finish (MxBearer *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

static void
lost_teardown_ready (MxBearer *self, GAsyncResult *res, gpointer user_data)
{
  mx_bearer_teardown_finish (self, res);
  g_object_unref (self);
}

void
mx_bearer_lost (MxBearer *self, const gchar *reason, gboolean link_gone, gboolean modem_gone)
{
  if (self->state == MX_BEARER_CONNECTING) {
    /* The connect fails at its next step and rolls back; its error says why. */
    g_free (self->cancel_reason);
    self->cancel_reason = g_strdup (reason);
    g_cancellable_cancel (self->connect_cancellable);
    return;
  }
  if (self->state != MX_BEARER_CONNECTED)
    return;
  g_message ("bearer %s on %s disconnected: %s", self->path,
             self->interface ? self->interface : "?", reason);
  g_free (self->last_reason);
  self->last_reason = g_strdup (reason);
  mm_gdbus_bearer_set_connection_error (self->skeleton,
                                        g_variant_new ("(ss)", "org.freedesktop.ModemManager1.Error.Core.Aborted", reason));
  set_state (self, MX_BEARER_DISCONNECTING);
  mx_bearer_teardown (self, !modem_gone, !link_gone || modem_gone,
                      (GAsyncReadyCallback) lost_teardown_ready, g_object_ref (self));
}

void
mx_bearer_on_session_disconnected (MxBearerSession *session, guint reason, const gchar *text,
                                   MxBearer *self)
{
  mx_bearer_lost (self, text, FALSE, FALSE);
}

/* ---- D-Bus methods ---- */

typedef struct {
  MxBearer              *self;
  GDBusMethodInvocation *invocation;
  gboolean               connect;
} MethodCtx;

static void
method_ctx_free (MethodCtx *m)
{
  g_object_unref (m->self);
  g_object_unref (m->invocation);
  g_free (m);
}

static void
dbus_connect_ready (MxBearer *self, GAsyncResult *res, MethodCtx *m)
{
  GError *error = NULL;

  if (!mx_bearer_connect_finish (self, res, &error))
    g_dbus_method_invocation_take_error (m->invocation, error);
  else
    mm_gdbus_bearer_complete_connect (self->skeleton, m->invocation);
  method_ctx_free (m);
}

static void
dbus_disconnect_ready (MxBearer *self, GAsyncResult *res, MethodCtx *m)
{
  GError *error = NULL;

  if (!mx_bearer_disconnect_finish (self, res, &error))
    g_dbus_method_invocation_take_error (m->invocation, error);
  else
    mm_gdbus_bearer_complete_disconnect (self->skeleton, m->invocation);
  method_ctx_free (m);
}

static void
authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MethodCtx *m = user_data;
  GError *error = NULL;

  if (!mx_auth_authorize_finish (res, &error)) {
    g_dbus_method_invocation_take_error (m->invocation, error);
    method_ctx_free (m);
    return;
  }
  if (m->connect)
    mx_bearer_connect (m->self, mx_modem_peek_cancellable (m->self->modem),
                       (GAsyncReadyCallback) dbus_connect_ready, m);
  else
    mx_bearer_disconnect (m->self, (GAsyncReadyCallback) dbus_disconnect_ready, m);
}

static gboolean
handle_method (MxBearer *self, GDBusMethodInvocation *invocation, gboolean connect)
{
  MethodCtx *m = g_new0 (MethodCtx, 1);

  m->self = g_object_ref (self);
  m->invocation = g_object_ref (invocation);
  m->connect = connect;
  /* Every state-changing method goes through the one authorization function. */
  mx_auth_authorize (invocation, MX_AUTH_ACTION_DEVICE_CONTROL, NULL, authorized, m);
  return TRUE;
}

static gboolean
handle_connect (MmGdbusBearer *skeleton, GDBusMethodInvocation *invocation, MxBearer *self)
{
  return handle_method (self, invocation, TRUE);
}

static gboolean
handle_disconnect (MmGdbusBearer *skeleton, GDBusMethodInvocation *invocation, MxBearer *self)
{
  return handle_method (self, invocation, FALSE);
}

/* ---- object ---- */

const gchar *
mx_bearer_export (MxBearer *self, GError **error)
{
  MxManager *manager = mx_modem_peek_manager (self->modem);

  g_return_val_if_fail (self->path == NULL, self->path);
  self->path = mx_manager_new_object_path (manager, "Bearer");
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                         mx_manager_get_connection (manager), self->path, error)) {
    g_clear_pointer (&self->path, g_free);
    return NULL;
  }
  return self->path;
}

void
mx_bearer_unexport (MxBearer *self)
{
  if (self->path && g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)))
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
}

const gchar *mx_bearer_get_path (MxBearer *self) { return self->path; }
MMBearerProperties *mx_bearer_peek_properties (MxBearer *self) { return self->props; }
MxBearerState mx_bearer_get_state (MxBearer *self) { return self->state; }
MxDataPort *mx_bearer_peek_data_port (MxBearer *self) { return self->port; }
gboolean mx_bearer_is_multiplexed (MxBearer *self) { return self->multiplexed; }

const gchar *
mx_bearer_get_interface (MxBearer *self)
{
  return self->state == MX_BEARER_CONNECTED ? self->interface : NULL;
}

guint32
mx_bearer_get_ifindex (MxBearer *self)
{
  return self->link ? self->link->ifindex : 0;
}

gint
mx_bearer_get_mux_id (MxBearer *self)
{
  return self->link ? self->link->mux_id : -1;
}

MxBearer *
mx_bearer_new (MxBearerService *service, MxModem *modem, MxDataPort *port, MMBearerProperties *props)
{
  MxBearer *self = g_object_new (MX_TYPE_BEARER, NULL);
  g_autoptr(GVariant) dict = NULL;

  /* Weak: the service and the modem (through its bearer list) own us. */
  self->service = service;
  g_object_add_weak_pointer (G_OBJECT (service), (gpointer *) &self->service);
  self->modem = modem;
  g_object_add_weak_pointer (G_OBJECT (modem), (gpointer *) &self->modem);
  self->port = g_object_ref (port);
  self->props = mm_bearer_properties_new ();
  /* Copy through the public getters/setters (no public copy function). */
  mm_bearer_properties_set_apn (self->props, mm_bearer_properties_get_apn (props));
  mm_bearer_properties_set_ip_type (self->props, mm_bearer_properties_get_ip_type (props));
  mm_bearer_properties_set_allowed_auth (self->props, mm_bearer_properties_get_allowed_auth (props));
  mm_bearer_properties_set_user (self->props, mm_bearer_properties_get_user (props));
  mm_bearer_properties_set_password (self->props, mm_bearer_properties_get_password (props));
  mm_bearer_properties_set_allow_roaming (self->props, mm_bearer_properties_get_allow_roaming (props));
  mm_bearer_properties_set_multiplex (self->props, mm_bearer_properties_get_multiplex (props));

  self->skeleton = mm_gdbus_bearer_skeleton_new ();
  mm_gdbus_bearer_set_properties (self->skeleton, properties_variant (self->props));
  mm_gdbus_bearer_set_bearer_type (self->skeleton, MM_BEARER_TYPE_DEFAULT);
  mm_gdbus_bearer_set_ip_timeout (self->skeleton, 20);
  mm_gdbus_bearer_set_suspended (self->skeleton, FALSE);
  mm_gdbus_bearer_set_profile_id (self->skeleton, MM_3GPP_PROFILE_ID_UNKNOWN);
  mm_gdbus_bearer_set_connection_error (self->skeleton, g_variant_new ("(ss)", "", ""));
  publish_disconnected (self);
  g_signal_connect (self->skeleton, "handle-connect", G_CALLBACK (handle_connect), self);
  g_signal_connect (self->skeleton, "handle-disconnect", G_CALLBACK (handle_disconnect), self);
  return self;
}

static void
mx_bearer_dispose (GObject *object)
{
  MxBearer *self = MX_BEARER (object);

  /* The service tears bearers down before dropping them; whatever is left
   * here is released without talking to the modem. */
  mx_bearer_stats_stop (self);
  for (guint i = 0; i < MX_N_FAMILIES; i++) {
    if (self->sessions[i] && self->session_ids[i])
      g_signal_handler_disconnect (self->sessions[i], self->session_ids[i]);
    self->session_ids[i] = 0;
    g_clear_object (&self->sessions[i]);
  }
  if (self->port_acquired) {
    mx_data_port_release (self->port, self->multiplexed);
    self->port_acquired = FALSE;
  }
  if (self->skeleton) {
    mx_bearer_unexport (self);
    g_signal_handlers_disconnect_by_data (self->skeleton, self);
    g_clear_object (&self->skeleton);
  }
  if (self->connect_cancellable)
    g_cancellable_cancel (self->connect_cancellable);
  g_clear_object (&self->connect_cancellable);
  g_clear_object (&self->port);
  g_clear_weak_pointer (&self->modem);
  g_clear_weak_pointer (&self->service);
  g_clear_object (&self->props);
  G_OBJECT_CLASS (mx_bearer_parent_class)->dispose (object);
}

static void
mx_bearer_finalize (GObject *object)
{
  MxBearer *self = MX_BEARER (object);

  g_clear_pointer (&self->link, mx_link_free);
  g_free (self->interface);
  g_free (self->path);
  g_free (self->cancel_reason);
  g_free (self->last_reason);
  for (guint i = 0; i < MX_N_FAMILIES; i++)
    mx_ip_settings_free (self->ip[i]);
  G_OBJECT_CLASS (mx_bearer_parent_class)->finalize (object);
}

static void
mx_bearer_init (MxBearer *self)
{
}

static void
mx_bearer_class_init (MxBearerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_bearer_dispose;
  object_class->finalize = mx_bearer_finalize;
  changed_signal = g_signal_new (MX_BEARER_SIGNAL_CHANGED, G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}
