/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One WDS packet data session per (bearer, IP family); see mx-bearer-wds-session.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-wds-session.h"
#include "mx-bearer-error.h"
#include "mx-core-step.h"
#include "mx-modem-qmi-timeout.h"

#include <arpa/inet.h>

struct _MxWdsSession {
  GObject           parent;
  MxQmiPort        *port;
  MMBearerIpFamily  family;
  QmiClientWds     *wds;           /* dedicated client, NULL when none */
  gulong            status_id;
  guint32           handle;        /* packet data handle; 0 = not started */
  gboolean          ended_by_network;
  gboolean          stopping;      /* our Stop Network is in flight */
};

static void bearer_session_iface_init (MxBearerSessionInterface *iface);

G_DEFINE_TYPE_WITH_CODE (MxWdsSession, mx_wds_session, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MX_TYPE_BEARER_SESSION, bearer_session_iface_init))

static guint disconnected_signal;

static const gchar *
family_name (MMBearerIpFamily family)
{
  return family == MM_BEARER_IP_FAMILY_IPV6 ? "IPv6" : "IPv4";
}

/* ---- settings ---- */

void
mx_ip_settings_free (MxIpSettings *s)
{
  if (!s)
    return;
  g_free (s->address);
  g_free (s->gateway);
  for (guint i = 0; i < G_N_ELEMENTS (s->dns); i++)
    g_free (s->dns[i]);
  g_free (s);
}

GVariant *
mx_ip_settings_to_variant (const MxIpSettings *s)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  if (!s) {
    g_variant_builder_add (&b, "{sv}", "method", g_variant_new_uint32 (MM_BEARER_IP_METHOD_UNKNOWN));
    return g_variant_builder_end (&b);
  }
  g_variant_builder_add (&b, "{sv}", "method", g_variant_new_uint32 (MM_BEARER_IP_METHOD_STATIC));
  if (s->address) {
    g_variant_builder_add (&b, "{sv}", "address", g_variant_new_string (s->address));
    g_variant_builder_add (&b, "{sv}", "prefix", g_variant_new_uint32 (s->prefix));
  }
  if (s->gateway)
    g_variant_builder_add (&b, "{sv}", "gateway", g_variant_new_string (s->gateway));
  for (guint i = 0; i < G_N_ELEMENTS (s->dns); i++) {
    g_autofree gchar *key = g_strdup_printf ("dns%u", i + 1);

    if (s->dns[i])
      g_variant_builder_add (&b, "{sv}", key, g_variant_new_string (s->dns[i]));
  }
  if (s->mtu)
    g_variant_builder_add (&b, "{sv}", "mtu", g_variant_new_uint32 (s->mtu));
  return g_variant_builder_end (&b);
}

static gchar *
ipv4_to_string (guint32 host_order)
{
  guint32 be = GUINT32_TO_BE (host_order);
  gchar buf[INET_ADDRSTRLEN];

  return g_strdup (inet_ntop (AF_INET, &be, buf, sizeof buf));
}

static gchar *
ipv6_to_string (GArray *words)
{
  guint16 be[8] = { 0 };
  gchar buf[INET6_ADDRSTRLEN];

  if (!words || words->len != 8)
    return NULL;
  for (guint i = 0; i < 8; i++)
    be[i] = GUINT16_TO_BE (g_array_index (words, guint16, i));
  return g_strdup (inet_ntop (AF_INET6, be, buf, sizeof buf));
}

static guint
mask_to_prefix (guint32 mask)
{
  guint n = 0;

  while (mask & 0x80000000u) {
    n++;
    mask <<= 1;
  }
  return n;
}

static MxIpSettings *
settings_from_output (MMBearerIpFamily family, QmiMessageWdsGetCurrentSettingsOutput *out)
{
  MxIpSettings *s = g_new0 (MxIpSettings, 1);
  guint32 v4, mask;
  GArray *v6 = NULL;
  guint8 prefix;
  guint32 mtu;
  guint n_dns = 0;

  s->family = family;
  if (family == MM_BEARER_IP_FAMILY_IPV4) {
    if (qmi_message_wds_get_current_settings_output_get_ipv4_address (out, &v4, NULL))
      s->address = ipv4_to_string (v4);
    s->prefix = 32;
    if (qmi_message_wds_get_current_settings_output_get_ipv4_gateway_subnet_mask (out, &mask, NULL))
      s->prefix = mask_to_prefix (mask);
    if (qmi_message_wds_get_current_settings_output_get_ipv4_gateway_address (out, &v4, NULL))
      s->gateway = ipv4_to_string (v4);
    if (qmi_message_wds_get_current_settings_output_get_primary_ipv4_dns_address (out, &v4, NULL))
      s->dns[n_dns++] = ipv4_to_string (v4);
    if (qmi_message_wds_get_current_settings_output_get_secondary_ipv4_dns_address (out, &v4, NULL))
      s->dns[n_dns++] = ipv4_to_string (v4);
  } else {
    if (qmi_message_wds_get_current_settings_output_get_ipv6_address (out, &v6, &prefix, NULL)) {
      s->address = ipv6_to_string (v6);
      s->prefix = prefix;
    }
    if (qmi_message_wds_get_current_settings_output_get_ipv6_gateway_address (out, &v6, &prefix, NULL))
      s->gateway = ipv6_to_string (v6);
    if (qmi_message_wds_get_current_settings_output_get_ipv6_primary_dns_address (out, &v6, NULL))
      s->dns[n_dns++] = ipv6_to_string (v6);
    if (qmi_message_wds_get_current_settings_output_get_ipv6_secondary_dns_address (out, &v6, NULL))
      s->dns[n_dns++] = ipv6_to_string (v6);
  }
  if (qmi_message_wds_get_current_settings_output_get_mtu (out, &mtu, NULL))
    s->mtu = mtu;
  return s;
}

/* ---- network-initiated end ---- */

static void
on_packet_service_status (QmiClientWds                              *wds,
                          QmiIndicationWdsPacketServiceStatusOutput *ind,
                          MxWdsSession                              *self)
{
  QmiWdsConnectionStatus status;
  gboolean reconfiguration;
  QmiWdsCallEndReason reason = QMI_WDS_CALL_END_REASON_GENERIC_UNSPECIFIED;
  g_autofree gchar *text = NULL;

  if (!qmi_indication_wds_packet_service_status_output_get_connection_status (ind, &status, &reconfiguration, NULL))
    return;
  if (status != QMI_WDS_CONNECTION_STATUS_DISCONNECTED || !self->handle ||
      self->ended_by_network || self->stopping)
    return;
  qmi_indication_wds_packet_service_status_output_get_call_end_reason (ind, &reason, NULL);
  text = g_strdup_printf ("the network ended the %s session (%s)", family_name (self->family),
                          qmi_wds_call_end_reason_get_string (reason) ?: "unknown reason");
  g_info ("%s", text);
  self->ended_by_network = TRUE;
  g_signal_emit (self, disconnected_signal, 0, (guint) reason, text);
}

/* ---- start ---- */

/* Every start runs these steps in order; one without work is skipped. */
typedef enum {
  STEP_CLIENT,
  STEP_BIND_MUX,
  STEP_SET_IP_FAMILY,
  STEP_START_NETWORK,
  STEP_CURRENT_SETTINGS,
  STEP_DONE,
} StartStep;

static const gchar *const step_names[] = {
  "WDS client allocation", "Bind Mux Data Port", "Set IP Family", "Start Network",
  "Get Current Settings", "done",
};
MX_STEP_NAMES_CHECK (step_names, STEP_DONE);

typedef struct {
  StartStep           step;
  MxWdsSessionParams  params;
  gchar              *apn, *user, *password;
  MxIpSettings       *settings;
  GError             *failure;   /* kept while undoing earlier steps */
} StartCtx;

static void
start_ctx_free (StartCtx *c)
{
  g_free (c->apn);
  g_free (c->user);
  g_free (c->password);
  mx_ip_settings_free (c->settings);
  g_clear_error (&c->failure);
  g_free (c);
}

static void start_step (GTask *task);

static void
start_next (GTask *task)
{
  StartCtx *c = g_task_get_task_data (task);

  c->step++;
  start_step (task);
}

static void
drop_client (MxWdsSession *self)
{
  if (self->status_id && self->wds)
    g_signal_handler_disconnect (self->wds, self->status_id);
  self->status_id = 0;
  if (self->wds) {
    /* Fire and forget: the client id is freed on the modem in the background. */
    mx_qmi_port_release_client (self->port, QMI_CLIENT (self->wds), NULL, NULL, NULL);
    g_clear_object (&self->wds);
  }
}

static void
undo_stop_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdsStopNetworkOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_wds_stop_network_finish (wds, res, &error);
  self->stopping = FALSE;
  if (out && !qmi_message_wds_stop_network_output_get_result (out, &error) &&
      !g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_EFFECT))
    g_warning ("could not stop the %s session while undoing a failed connect: %s",
               family_name (self->family), error->message);
  self->handle = 0;
  drop_client (self);
  g_task_return_error (task, g_steal_pointer (&c->failure));
  g_object_unref (task);
}

/* Undo what the start did so far, then fail with @error (which names its
 * step: see step_failed). */
static void
start_fail (GTask *task, GError *error)
{
  MxWdsSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);

  c->failure = error;
  if (self->handle && self->wds && !self->ended_by_network) {
    g_autoptr(QmiMessageWdsStopNetworkInput) in = qmi_message_wds_stop_network_input_new ();

    qmi_message_wds_stop_network_input_set_packet_data_handle (in, self->handle, NULL);
    /* Not cancellable: the session must end on the modem even when the
     * connect was cancelled. */
    self->stopping = TRUE;
    qmi_client_wds_stop_network (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT), NULL,
                                 (GAsyncReadyCallback) undo_stop_ready, task);
    return;
  }
  self->handle = 0;
  drop_client (self);
  g_task_return_error (task, g_steal_pointer (&c->failure));
  g_object_unref (task);
}

/* A copy of @error named after @step ("Start Network failed: ..."); used
 * directly only by Start Network's refusal, which builds its own error from
 * the call end reason. */
static GError *
step_error (const gchar *step, GError *error)
{
  GError *e = g_error_copy (error);

  mx_step_prefix_error (&e, step);
  return e;
}

/* The current step failed with @error: name it, undo, return. */
static void
step_failed (GTask *task, GError *error)
{
  StartCtx *c = g_task_get_task_data (task);

  start_fail (task, step_error (MX_STEP_NAME (step_names, c->step), error));
}

static void
current_settings_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdsGetCurrentSettingsOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_wds_get_current_settings_finish (wds, res, &error);
  if (out && !qmi_message_wds_get_current_settings_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_wds_get_current_settings_output_unref);
  if (!out) {
    step_failed (task, error);
    return;
  }
  c->settings = settings_from_output (self->family, out);
  if (!c->settings->address) {
    g_autoptr(GError) none = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                          "the network gave no %s address",
                                          family_name (self->family));
    step_failed (task, none);
    return;
  }
  /* Cancelled while the settings were on their way: this step was cut short. */
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error)) {
    step_failed (task, error);
    return;
  }
  start_next (task);
}

static void
start_network_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageWdsStartNetworkOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_wds_start_network_finish (wds, res, &error);
  if (!out) {
    step_failed (task, error);
    return;
  }
  if (!qmi_message_wds_start_network_output_get_result (out, &error)) {
    /* The reasons become ModemManager's error names (mx-bearer-error.c). */
    StartCtx *c = g_task_get_task_data (task);
    g_autoptr(GError) mapped = NULL;
    MxCallEnd end;

    mx_call_end_from_start_network (out, &end);
    mapped = mx_bearer_error_from_start_network (error, &end, c->apn);
    start_fail (task, step_error ("Start Network", mapped));
    return;
  }
  qmi_message_wds_start_network_output_get_packet_data_handle (out, &self->handle, NULL);
  g_debug ("%s session started (handle 0x%08x)", family_name (self->family), self->handle);
  start_next (task);
}

static void
set_ip_family_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  g_autoptr(QmiMessageWdsSetIpFamilyOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_wds_set_ip_family_finish (wds, res, &error);
  if (!out) {
    /* No answer at all: the port is in trouble. */
    step_failed (task, error);
    return;
  }
  /* Older firmware refuses Set IP Family; Start Network carries the family
   * too, so a refusal is not fatal (ModemManager ignores it as well). */
  if (!qmi_message_wds_set_ip_family_output_get_result (out, &error))
    g_debug ("Set IP Family refused (ignored): %s", error->message);
  start_next (task);
}

static void
bind_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  g_autoptr(QmiMessageWdsBindMuxDataPortOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_wds_bind_mux_data_port_finish (wds, res, &error);
  if (out && !qmi_message_wds_bind_mux_data_port_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_wds_bind_mux_data_port_output_unref);
  if (!out) {
    step_failed (task, error);
    return;
  }
  start_next (task);
}

static void
client_ready (MxQmiPort *port, GAsyncResult *res, GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  QmiClient *client;

  client = mx_qmi_port_get_client_finish (port, res, &error);
  if (!client) {
    step_failed (task, error);
    return;
  }
  self->wds = QMI_CLIENT_WDS (client);
  self->status_id = g_signal_connect (self->wds, "packet-service-status",
                                      G_CALLBACK (on_packet_service_status), self);
  start_next (task);
}

static void
start_network (GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdsStartNetworkInput) in = qmi_message_wds_start_network_input_new ();

  if (c->apn && *c->apn)
    qmi_message_wds_start_network_input_set_apn (in, c->apn, NULL);
  if (c->user && *c->user)
    qmi_message_wds_start_network_input_set_username (in, c->user, NULL);
  if (c->password && *c->password)
    qmi_message_wds_start_network_input_set_password (in, c->password, NULL);
  if (c->params.allowed_auth != MM_BEARER_ALLOWED_AUTH_UNKNOWN) {
    QmiWdsAuthentication auth = QMI_WDS_AUTHENTICATION_NONE;

    if (c->params.allowed_auth & MM_BEARER_ALLOWED_AUTH_PAP)
      auth |= QMI_WDS_AUTHENTICATION_PAP;
    if (c->params.allowed_auth & MM_BEARER_ALLOWED_AUTH_CHAP)
      auth |= QMI_WDS_AUTHENTICATION_CHAP;
    qmi_message_wds_start_network_input_set_authentication_preference (in, auth, NULL);
  } else if (c->user && *c->user) {
    /* Credentials without a preference: let the network pick either. */
    qmi_message_wds_start_network_input_set_authentication_preference (
        in, QMI_WDS_AUTHENTICATION_PAP | QMI_WDS_AUTHENTICATION_CHAP, NULL);
  }
  qmi_message_wds_start_network_input_set_ip_family_preference (
      in, self->family == MM_BEARER_IP_FAMILY_IPV6 ? QMI_WDS_IP_FAMILY_IPV6 : QMI_WDS_IP_FAMILY_IPV4,
      NULL);
  qmi_client_wds_start_network (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_START_TIMEOUT),
                                g_task_get_cancellable (task),
                                (GAsyncReadyCallback) start_network_ready, task);
}

static void
start_step (GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (c->step) {
  case STEP_CLIENT:
    mx_qmi_port_get_client (self->port, QMI_SERVICE_WDS, MX_QMI_CLIENT_DEDICATED, cancellable,
                            (GAsyncReadyCallback) client_ready, task);
    return;
  case STEP_BIND_MUX: {
    g_autoptr(QmiMessageWdsBindMuxDataPortInput) in = NULL;

    if (!c->params.bind_mux) {
      start_next (task);
      return;
    }
    in = qmi_message_wds_bind_mux_data_port_input_new ();
    qmi_message_wds_bind_mux_data_port_input_set_endpoint_info (
        in, c->params.endpoint.type, c->params.endpoint.iface, NULL);
    qmi_message_wds_bind_mux_data_port_input_set_mux_id (in, c->params.mux_id, NULL);
    qmi_client_wds_bind_mux_data_port (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT),
                                       cancellable, (GAsyncReadyCallback) bind_ready, task);
    return;
  }
  case STEP_SET_IP_FAMILY: {
    g_autoptr(QmiMessageWdsSetIpFamilyInput) in = NULL;

    /* A new WDS client's family is IPv4, and Start Network names the family
     * too: only IPv6 is set (ModemManager sends both; a round trip saved). */
    if (self->family != MM_BEARER_IP_FAMILY_IPV6) {
      start_next (task);
      return;
    }
    in = qmi_message_wds_set_ip_family_input_new ();

    qmi_message_wds_set_ip_family_input_set_preference (in, QMI_WDS_IP_FAMILY_IPV6, NULL);
    qmi_client_wds_set_ip_family (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT),
                                  cancellable, (GAsyncReadyCallback) set_ip_family_ready, task);
    return;
  }
  case STEP_START_NETWORK:
    start_network (task);
    return;
  case STEP_CURRENT_SETTINGS: {
    g_autoptr(QmiMessageWdsGetCurrentSettingsInput) in = qmi_message_wds_get_current_settings_input_new ();

    qmi_message_wds_get_current_settings_input_set_requested_settings (
        in,
        QMI_WDS_REQUESTED_SETTINGS_DNS_ADDRESS | QMI_WDS_REQUESTED_SETTINGS_IP_ADDRESS |
        QMI_WDS_REQUESTED_SETTINGS_GATEWAY_INFO | QMI_WDS_REQUESTED_SETTINGS_MTU |
        QMI_WDS_REQUESTED_SETTINGS_DOMAIN_NAME_LIST | QMI_WDS_REQUESTED_SETTINGS_IP_FAMILY,
        NULL);
    qmi_client_wds_get_current_settings (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT),
                                         cancellable, (GAsyncReadyCallback) current_settings_ready, task);
    return;
  }
  case STEP_DONE:
  default:
    g_task_return_pointer (task, g_steal_pointer (&c->settings), (GDestroyNotify) mx_ip_settings_free);
    g_object_unref (task);
    return;
  }
}

void
mx_wds_session_start (MxWdsSession             *self,
                      const MxWdsSessionParams *params,
                      GCancellable             *cancellable,
                      GAsyncReadyCallback       callback,
                      gpointer                  user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StartCtx *c = g_new0 (StartCtx, 1);

  /* A cancelled start still fails through start_fail with the step named
   * ("Start Network failed: Operation was cancelled"); GTask's own check
   * would replace that with a bare "Operation was cancelled". */
  g_task_set_check_cancellable (task, FALSE);

  g_return_if_fail (self->wds == NULL && self->handle == 0);
  c->params = *params;
  c->apn = g_strdup (params->apn);
  c->user = g_strdup (params->user);
  c->password = g_strdup (params->password);
  c->params.apn = c->params.user = c->params.password = NULL;
  g_task_set_task_data (task, c, (GDestroyNotify) start_ctx_free);
  self->ended_by_network = FALSE;
  start_step (task);
}

void
mx_wds_session_adopt (MxWdsSession *self, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StartCtx *c = g_new0 (StartCtx, 1);

  g_task_set_check_cancellable (task, FALSE);
  g_return_if_fail (self->wds != NULL && self->handle != 0);
  /* The session runs already: only its settings are read. */
  c->step = STEP_CURRENT_SETTINGS;
  g_task_set_task_data (task, c, (GDestroyNotify) start_ctx_free);
  start_step (task);
}

MxIpSettings *
mx_wds_session_start_finish (MxWdsSession *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

/* ---- stop ---- */

static void
stop_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  MxWdsSession *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageWdsStopNetworkOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_wds_stop_network_finish (wds, res, &error);
  if (out && !qmi_message_wds_stop_network_output_get_result (out, &error) &&
      g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_EFFECT))
    g_clear_error (&error);   /* already down on the modem: what we wanted */
  self->stopping = FALSE;
  self->handle = 0;
  drop_client (self);
  if (error) {
    g_prefix_error (&error, "Stop Network failed: ");
    g_task_return_error (task, g_steal_pointer (&error));
  } else {
    g_task_return_boolean (task, TRUE);
  }
  g_object_unref (task);
}

void
mx_wds_session_stop (MxWdsSession       *self,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (self->handle && self->wds && !self->ended_by_network &&
      mx_qmi_port_is_open (self->port)) {
    g_autoptr(QmiMessageWdsStopNetworkInput) in = qmi_message_wds_stop_network_input_new ();

    qmi_message_wds_stop_network_input_set_packet_data_handle (in, self->handle, NULL);
    self->stopping = TRUE;
    qmi_client_wds_stop_network (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT), cancellable,
                                 (GAsyncReadyCallback) stop_ready, task);
    return;
  }
  self->handle = 0;
  drop_client (self);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

gboolean
mx_wds_session_stop_finish (MxWdsSession *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ---- statistics ---- */

static void
stats_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  g_autoptr(QmiMessageWdsGetPacketStatisticsOutput) out = NULL;
  g_autoptr(GError) error = NULL;
  guint64 *bytes;

  out = qmi_client_wds_get_packet_statistics_finish (wds, res, &error);
  if (out && !qmi_message_wds_get_packet_statistics_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_wds_get_packet_statistics_output_unref);
  if (!out) {
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  bytes = g_new0 (guint64, 2);
  qmi_message_wds_get_packet_statistics_output_get_rx_bytes_ok (out, &bytes[0], NULL);
  qmi_message_wds_get_packet_statistics_output_get_tx_bytes_ok (out, &bytes[1], NULL);
  g_task_return_pointer (task, bytes, g_free);
  g_object_unref (task);
}

void
mx_wds_session_get_stats (MxWdsSession       *self,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(QmiMessageWdsGetPacketStatisticsInput) in = NULL;

  if (!self->wds || !self->handle) {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                             "the %s session is not connected", family_name (self->family));
    g_object_unref (task);
    return;
  }
  in = qmi_message_wds_get_packet_statistics_input_new ();
  qmi_message_wds_get_packet_statistics_input_set_mask (
      in, QMI_WDS_PACKET_STATISTICS_MASK_FLAG_RX_BYTES_OK | QMI_WDS_PACKET_STATISTICS_MASK_FLAG_TX_BYTES_OK,
      NULL);
  qmi_client_wds_get_packet_statistics (self->wds, in, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT), cancellable,
                                        (GAsyncReadyCallback) stats_ready, task);
}

gboolean
mx_wds_session_get_stats_finish (MxWdsSession *self, GAsyncResult *res,
                                 guint64 *rx_bytes, guint64 *tx_bytes, GError **error)
{
  g_autofree guint64 *bytes = g_task_propagate_pointer (G_TASK (res), error);

  if (!bytes)
    return FALSE;
  *rx_bytes = bytes[0];
  *tx_bytes = bytes[1];
  return TRUE;
}

/* ---- object ---- */

MMBearerIpFamily
mx_wds_session_get_family (MxWdsSession *self)
{
  return self->family;
}

gboolean
mx_wds_session_is_started (MxWdsSession *self)
{
  return self->handle != 0 && !self->ended_by_network;
}

MxWdsSession *
mx_wds_session_new (MxQmiPort *port, MMBearerIpFamily family)
{
  MxWdsSession *self = g_object_new (MX_TYPE_WDS_SESSION, NULL);

  self->port = g_object_ref (port);
  self->family = family;
  return self;
}

MxWdsSession *
mx_wds_session_new_adopted (MxQmiPort *port, MMBearerIpFamily family, QmiClientWds *wds,
                            guint32 handle)
{
  MxWdsSession *self = mx_wds_session_new (port, family);

  self->wds = g_object_ref (wds);
  self->handle = handle;
  self->status_id = g_signal_connect (self->wds, "packet-service-status",
                                      G_CALLBACK (on_packet_service_status), self);
  return self;
}

guint8
mx_wds_session_get_cid (MxWdsSession *self)
{
  return self->wds && self->handle ? qmi_client_get_cid (QMI_CLIENT (self->wds)) : 0;
}

guint32
mx_wds_session_get_handle (MxWdsSession *self)
{
  return self->wds ? self->handle : 0;
}

void
mx_wds_session_keep (MxWdsSession *self)
{
  if (self->status_id && self->wds)
    g_signal_handler_disconnect (self->wds, self->status_id);
  self->status_id = 0;
  if (self->wds)
    mx_qmi_port_keep_client (self->port, QMI_CLIENT (self->wds));
  g_clear_object (&self->wds);
  self->handle = 0;
}

static void
mx_wds_session_dispose (GObject *object)
{
  MxWdsSession *self = MX_WDS_SESSION (object);

  if (self->handle && !self->ended_by_network)
    g_warning ("%s session disposed while connected; the modem keeps it until it notices",
               family_name (self->family));
  drop_client (self);
  g_clear_object (&self->port);
  G_OBJECT_CLASS (mx_wds_session_parent_class)->dispose (object);
}

static void
mx_wds_session_init (MxWdsSession *self)
{
}

static void
mx_wds_session_class_init (MxWdsSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mx_wds_session_dispose;
  disconnected_signal = g_signal_new (MX_WDS_SESSION_SIGNAL_DISCONNECTED,
                                      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      G_TYPE_UINT, G_TYPE_STRING);
}

/* ------------------------------------------------------------------------ */
/* MxBearerSession                                                          */

static MMBearerIpFamily
iface_get_family (MxBearerSession *s)
{
  return mx_wds_session_get_family (MX_WDS_SESSION (s));
}

static void
iface_start (MxBearerSession *s, const MxBearerSessionParams *params, GCancellable *cancellable,
             GAsyncReadyCallback callback, gpointer user_data)
{
  mx_wds_session_start (MX_WDS_SESSION (s), params, cancellable, callback, user_data);
}

static MxIpSettings *
iface_start_finish (MxBearerSession *s, GAsyncResult *res, GError **error)
{
  return mx_wds_session_start_finish (MX_WDS_SESSION (s), res, error);
}

static void
iface_stop (MxBearerSession *s, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  mx_wds_session_stop (MX_WDS_SESSION (s), cancellable, callback, user_data);
}

static gboolean
iface_stop_finish (MxBearerSession *s, GAsyncResult *res, GError **error)
{
  return mx_wds_session_stop_finish (MX_WDS_SESSION (s), res, error);
}

static void
iface_get_stats (MxBearerSession *s, GCancellable *cancellable, GAsyncReadyCallback callback,
                 gpointer user_data)
{
  mx_wds_session_get_stats (MX_WDS_SESSION (s), cancellable, callback, user_data);
}

static gboolean
iface_get_stats_finish (MxBearerSession *s, GAsyncResult *res, guint64 *rx, guint64 *tx, GError **error)
{
  return mx_wds_session_get_stats_finish (MX_WDS_SESSION (s), res, rx, tx, error);
}

static void
bearer_session_iface_init (MxBearerSessionInterface *iface)
{
  iface->get_family = iface_get_family;
  iface->start = iface_start;
  iface->start_finish = iface_start_finish;
  iface->stop = iface_stop;
  iface->stop_finish = iface_stop_finish;
  iface->get_stats = iface_get_stats;
  iface->get_stats_finish = iface_get_stats_finish;
}
