/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-mbim-session.h"
#include "mx-bearer-error.h"
#include "mx-modem-mbim.h"

struct _MxMbimSession {
  GObject          parent;
  MbimDevice      *device;
  guint32          session_id;
  MMBearerIpFamily family;          /* what start_finish returns */
  gboolean         started;         /* activated and not ended since */
  gboolean         ended_by_network;
  gulong           indication_id;
  MxIpSettings    *ipv6;            /* dual-stack: the other family */
};

static void bearer_session_iface_init (MxBearerSessionInterface *iface);

G_DEFINE_TYPE_WITH_CODE (MxMbimSession, mx_mbim_session, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (MX_TYPE_BEARER_SESSION, bearer_session_iface_init))

static guint disconnected_signal;

/* ------------------------------------------------------------------------ */
/* Pure mappings                                                            */

static MbimAuthProtocol
auth_protocol (MMBearerAllowedAuth auth, const gchar *user)
{
  if (!user || !*user)
    return MBIM_AUTH_PROTOCOL_NONE;
  if (auth & MM_BEARER_ALLOWED_AUTH_CHAP)
    return MBIM_AUTH_PROTOCOL_CHAP;
  if (auth & MM_BEARER_ALLOWED_AUTH_MSCHAPV2)
    return MBIM_AUTH_PROTOCOL_MSCHAPV2;
  if (auth & MM_BEARER_ALLOWED_AUTH_PAP)
    return MBIM_AUTH_PROTOCOL_PAP;
  /* Unknown/none with a user name: CHAP, as most networks accept it. */
  return MBIM_AUTH_PROTOCOL_CHAP;
}

static MbimContextIpType
context_ip_type (MMBearerIpFamily family)
{
  switch (family) {
  case MM_BEARER_IP_FAMILY_IPV6:   return MBIM_CONTEXT_IP_TYPE_IPV6;
  case MM_BEARER_IP_FAMILY_IPV4V6: return MBIM_CONTEXT_IP_TYPE_IPV4V6;
  case MM_BEARER_IP_FAMILY_IPV4:
  default:                         return MBIM_CONTEXT_IP_TYPE_IPV4;
  }
}

GError *
mx_mbim_session_activation_error (MbimStatusError status, guint32 nw_error, const gchar *apn)
{
  /* A 3GPP cause means what it means on QMI: one table (mx-bearer-error.c). */
  if (nw_error) {
    MxCallEnd end = { .has_verbose = TRUE, .verbose_type = QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP,
                      .verbose_reason = (gint16) nw_error };
    g_autoptr(GError) call_failed = g_error_new (QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_CALL_FAILED,
                                                 "Call failed");
    return mx_bearer_error_from_start_network (call_failed, &end, apn);
  }
  switch (status) {
  case MBIM_STATUS_ERROR_NOT_REGISTERED:
    return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_NO_NETWORK,
                        "MBIM Connect (activate): the modem is not registered");
  case MBIM_STATUS_ERROR_RADIO_POWER_OFF:
    return g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                        "MBIM Connect (activate): the radio is off");
  case MBIM_STATUS_ERROR_BUSY:
    return g_error_new (MM_CONNECTION_ERROR, MM_CONNECTION_ERROR_BUSY,
                        "MBIM Connect (activate): the session id is busy");
  case MBIM_STATUS_ERROR_MAX_ACTIVATED_CONTEXTS:
    return g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_TOO_MANY,
                        "MBIM Connect (activate): no more contexts can be activated");
  default:
    return g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "MBIM Connect (activate) refused: %s",
                        mbim_status_error_get_string (status) ?: "unknown status");
  }
}

/* ------------------------------------------------------------------------ */
/* Network-initiated deactivation                                           */

static void
indication_cb (MbimDevice *device, MbimMessage *message, MxMbimSession *self)
{
  guint32 session_id = 0, nw_error = 0;
  MbimActivationState state = MBIM_ACTIVATION_STATE_UNKNOWN;
  g_autofree gchar *text = NULL;

  if (mbim_message_indicate_status_get_service (message) != MBIM_SERVICE_BASIC_CONNECT ||
      mbim_message_indicate_status_get_cid (message) != MBIM_CID_BASIC_CONNECT_CONNECT ||
      !mbim_message_connect_notification_parse (message, &session_id, &state, NULL, NULL, NULL, &nw_error, NULL) ||
      session_id != self->session_id || !self->started)
    return;
  if (state != MBIM_ACTIVATION_STATE_DEACTIVATED && state != MBIM_ACTIVATION_STATE_DEACTIVATING)
    return;
  self->started = FALSE;
  self->ended_by_network = TRUE;
  text = nw_error ? g_strdup_printf ("the network ended MBIM session %u (3GPP cause %u)", session_id, nw_error)
                  : g_strdup_printf ("the network ended MBIM session %u", session_id);
  g_message ("%s", text);
  g_signal_emit (self, disconnected_signal, 0, nw_error, text);
}

/* ------------------------------------------------------------------------ */
/* Start: Connect (activate), IP Configuration                              */

typedef struct {
  gchar           *apn;
  MMBearerIpFamily ip_type;
  MbimMessage     *activate;        /* sent again after a stale session is ended */
  gboolean         stale_ended;
} StartCtx;

static void
start_ctx_free (StartCtx *c)
{
  g_free (c->apn);
  g_clear_pointer (&c->activate, mbim_message_unref);
  g_free (c);
}

static MbimMessage *deactivate_request (MxMbimSession *self);
static void activate_ready (GObject *source, GAsyncResult *res, gpointer user_data);

/* The stale session is over (or the modem would not end it: then the
 * activation's Busy stands). */
static void
stale_deactivated (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxMbimSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(GError) error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response && !g_error_matches (error, MBIM_STATUS_ERROR, MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED)) {
    g_message ("MBIM session %u: the stale session could not be ended: %s", self->session_id, error->message);
    g_task_return_error (task, mx_mbim_session_activation_error (MBIM_STATUS_ERROR_BUSY, 0, c->apn));
    g_object_unref (task);
    return;
  }
  mx_mbim_command (self->device, c->activate, "MBIM Connect (activate)", MX_MBIM_SESSION_CONNECT_TIMEOUT,
                   g_task_get_cancellable (task), activate_ready, task);
}

static gchar *
ip_string (const guint8 *bytes, GSocketFamily family)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_bytes (bytes, family);

  return g_inet_address_to_string (address);
}

/* One family of an IP Configuration answer; NULL without an address. */
static MxIpSettings *
settings_new (MMBearerIpFamily family, MbimIPConfigurationAvailableFlag flags, const guint8 *address,
              guint prefix, const guint8 *gateway, const guint8 *dns, guint n_dns, gsize dns_size,
              guint32 mtu)
{
  GSocketFamily sf = family == MM_BEARER_IP_FAMILY_IPV6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
  MxIpSettings *s;

  if (!(flags & MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_ADDRESS) || !address)
    return NULL;
  s = g_new0 (MxIpSettings, 1);
  s->family = family;
  s->address = ip_string (address, sf);
  s->prefix = prefix;
  if ((flags & MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_GATEWAY) && gateway)
    s->gateway = ip_string (gateway, sf);
  if (flags & MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_DNS)
    for (guint i = 0; i < n_dns && i < G_N_ELEMENTS (s->dns); i++)
      s->dns[i] = ip_string (dns + i * dns_size, sf);
  if (flags & MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_MTU)
    s->mtu = mtu;
  return s;
}

/* A start that fails after the activation deactivates what it activated
 * (the caller drops the session without stopping it), then fails with
 * @error. */
static MbimMessage *deactivate_request (MxMbimSession *self);

static void
undo_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxMbimSession *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(GError) error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response && !g_error_matches (error, MBIM_STATUS_ERROR, MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED))
    g_warning ("MBIM session %u: could not deactivate after the failed start: %s", self->session_id,
               error->message);
  g_task_return_error (task, g_object_steal_data (G_OBJECT (task), "mx-start-error"));
  g_object_unref (task);
}

static void
start_undo (GTask *task, GError *error)
{
  MxMbimSession *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) request = NULL;

  if (!self->started || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    /* Cancelled: the bearer's teardown is not run on this session either;
     * the modem going away ends it anyway. */
    self->started = FALSE;
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  self->started = FALSE;
  g_object_set_data_full (G_OBJECT (task), "mx-start-error", error, (GDestroyNotify) g_error_free);
  request = deactivate_request (self);
  mx_mbim_command (self->device, request, "MBIM Connect (deactivate)", MX_MBIM_TIMEOUT_S, NULL,
                   undo_ready, task);
}

static void
ip_configuration_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxMbimSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(MbimIPv4ElementArray) v4 = NULL;
  g_autoptr(MbimIPv6ElementArray) v6 = NULL;
  g_autofree MbimIPv4 *dns4 = NULL;
  g_autofree MbimIPv6 *dns6 = NULL;
  const MbimIPv4 *gw4 = NULL;
  const MbimIPv6 *gw6 = NULL;
  MbimIPConfigurationAvailableFlag f4 = 0, f6 = 0;
  guint32 n4 = 0, n6 = 0, ndns4 = 0, ndns6 = 0, mtu4 = 0, mtu6 = 0;
  MxIpSettings *ipv4 = NULL;
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_ip_configuration_response_parse (response, NULL, &f4, &f6, &n4, &v4, &n6, &v6,
                                                                 &gw4, &gw6, &ndns4, &dns4, &ndns6, &dns6,
                                                                 &mtu4, &mtu6, &error)) {
    start_undo (task, error);
    return;
  }
  if (c->ip_type != MM_BEARER_IP_FAMILY_IPV6)
    ipv4 = settings_new (MM_BEARER_IP_FAMILY_IPV4, f4, n4 && v4 && v4[0] ? v4[0]->ipv4_address.addr : NULL,
                         n4 && v4 && v4[0] ? v4[0]->on_link_prefix_length : 0, gw4 ? gw4->addr : NULL,
                         dns4 ? dns4[0].addr : NULL, ndns4, sizeof (MbimIPv4), mtu4);
  if (c->ip_type != MM_BEARER_IP_FAMILY_IPV4) {
    g_clear_pointer (&self->ipv6, mx_ip_settings_free);
    self->ipv6 = settings_new (MM_BEARER_IP_FAMILY_IPV6, f6, n6 && v6 && v6[0] ? v6[0]->ipv6_address.addr : NULL,
                               n6 && v6 && v6[0] ? v6[0]->on_link_prefix_length : 0, gw6 ? gw6->addr : NULL,
                               dns6 ? dns6[0].addr : NULL, ndns6, sizeof (MbimIPv6), mtu6);
  }
  if (self->family == MM_BEARER_IP_FAMILY_IPV6) {
    ipv4 = g_steal_pointer (&self->ipv6);
  }
  if (!ipv4) {
    start_undo (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                   "MBIM IP Configuration: no %s address for session %u",
                                   self->family == MM_BEARER_IP_FAMILY_IPV6 ? "IPv6" : "IPv4",
                                   self->session_id));
    return;
  }
  g_info ("MBIM session %u: %s/%u%s%s, mtu %u", self->session_id, ipv4->address, ipv4->prefix,
          ipv4->gateway ? " via " : "", ipv4->gateway ? ipv4->gateway : "", ipv4->mtu);
  g_task_return_pointer (task, ipv4, (GDestroyNotify) mx_ip_settings_free);
  g_object_unref (task);
}

static void
activate_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxMbimSession *self = g_task_get_source_object (task);
  StartCtx *c = g_task_get_task_data (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(MbimMessage) failed = NULL;
  g_autoptr(MbimMessage) request = NULL;
  GError *error = NULL;
  MbimActivationState state = MBIM_ACTIVATION_STATE_UNKNOWN;
  guint32 nw_error = 0;

  response = mx_mbim_command_finish (res, &failed, &error);
  if (!response && g_error_matches (error, MBIM_STATUS_ERROR, MBIM_STATUS_ERROR_BUSY) && !c->stale_ended) {
    /* Our session id is ours alone (the session-id policy, one session 0
     * per netdev), so an active one is stale: left by a modemuxd that
     * died, or by a deactivation the modem refused. End it, then activate
     * once more (ModemManager ends such a session before every connect). */
    g_message ("MBIM session %u is already active on the modem (left behind): ending it first",
               self->session_id);
    g_clear_error (&error);
    c->stale_ended = TRUE;
    request = deactivate_request (self);
    mx_mbim_command (self->device, request, "MBIM Connect (deactivate)", MX_MBIM_TIMEOUT_S,
                     g_task_get_cancellable (task), stale_deactivated, task);
    return;
  }
  if (!response) {
    if (error->domain == MBIM_STATUS_ERROR) {
      MbimStatusError status = (MbimStatusError) error->code;

      if (failed)
        mbim_message_connect_response_parse (failed, NULL, NULL, NULL, NULL, NULL, &nw_error, NULL);
      g_clear_error (&error);
      error = mx_mbim_session_activation_error (status, nw_error, c->apn);
    }
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  if (!mbim_message_connect_response_parse (response, NULL, &state, NULL, NULL, NULL, &nw_error, &error) ||
      state != MBIM_ACTIVATION_STATE_ACTIVATED) {
    if (!error)
      error = nw_error ? mx_mbim_session_activation_error (MBIM_STATUS_ERROR_FAILURE, nw_error, c->apn)
                       : g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                      "MBIM Connect (activate): session %u is %s, not activated",
                                      self->session_id, mbim_activation_state_get_string (state) ?: "unknown");
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  self->started = TRUE;
  request = mbim_message_ip_configuration_query_new (self->session_id, 0, 0, 0, NULL, 0, NULL, NULL, NULL,
                                                     0, NULL, 0, NULL, 0, 0, NULL);
  mx_mbim_command (self->device, request, "MBIM IP Configuration", MX_MBIM_TIMEOUT_S,
                   g_task_get_cancellable (task), ip_configuration_ready, task);
}

static void
session_start (MxBearerSession *session, const MxBearerSessionParams *params, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
  MxMbimSession *self = MX_MBIM_SESSION (session);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StartCtx *c = g_new0 (StartCtx, 1);
  g_autoptr(MbimMessage) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *family = NULL;

  c->apn = g_strdup (params->apn);
  c->ip_type = params->ip_type ? params->ip_type : MM_BEARER_IP_FAMILY_IPV4;
  g_task_set_task_data (task, c, (GDestroyNotify) start_ctx_free);
  self->session_id = params->session_id;
  self->family = c->ip_type == MM_BEARER_IP_FAMILY_IPV6 ? MM_BEARER_IP_FAMILY_IPV6 : MM_BEARER_IP_FAMILY_IPV4;
  request = mbim_message_connect_set_new (params->session_id, MBIM_ACTIVATION_COMMAND_ACTIVATE,
                                          params->apn ? params->apn : "", params->user ? params->user : "",
                                          params->password ? params->password : "", MBIM_COMPRESSION_NONE,
                                          auth_protocol (params->allowed_auth, params->user),
                                          context_ip_type (c->ip_type),
                                          mbim_uuid_from_context_type (MBIM_CONTEXT_TYPE_INTERNET), &error);
  if (!request) {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS, "MBIM Connect (activate): %s",
                             error->message);
    g_object_unref (task);
    return;
  }
  if (!self->indication_id)
    self->indication_id = g_signal_connect (self->device, MBIM_DEVICE_SIGNAL_INDICATE_STATUS,
                                            G_CALLBACK (indication_cb), self);
  family = mm_bearer_ip_family_build_string_from_mask (c->ip_type);
  g_info ("MBIM session %u: activating APN '%s' (%s)", params->session_id, params->apn ? params->apn : "",
          family);
  c->activate = mbim_message_ref (request);
  mx_mbim_command (self->device, request, "MBIM Connect (activate)", MX_MBIM_SESSION_CONNECT_TIMEOUT,
                   cancellable, activate_ready, task);
}

static MxIpSettings *
session_start_finish (MxBearerSession *session, GAsyncResult *res, GError **error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* Stop: Connect (deactivate)                                               */

static void
deactivate_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxMbimSession *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response && g_error_matches (error, MBIM_STATUS_ERROR, MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED))
    g_clear_error (&error);   /* already over */
  if (error) {
    g_task_return_error (task, error);
  } else {
    g_info ("MBIM session %u deactivated", self->session_id);
    g_task_return_boolean (task, TRUE);
  }
  g_object_unref (task);
}

static MbimMessage *
deactivate_request (MxMbimSession *self)
{
  return mbim_message_connect_set_new (self->session_id, MBIM_ACTIVATION_COMMAND_DEACTIVATE, "", "", "",
                                       MBIM_COMPRESSION_NONE, MBIM_AUTH_PROTOCOL_NONE,
                                       MBIM_CONTEXT_IP_TYPE_DEFAULT,
                                       mbim_uuid_from_context_type (MBIM_CONTEXT_TYPE_INTERNET), NULL);
}

static void
session_stop (MxBearerSession *session, GCancellable *cancellable, GAsyncReadyCallback callback,
              gpointer user_data)
{
  MxMbimSession *self = MX_MBIM_SESSION (session);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(MbimMessage) request = NULL;
  gboolean was_started = self->started;

  self->started = FALSE;
  if (!was_started || self->ended_by_network) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  request = deactivate_request (self);
  mx_mbim_command (self->device, request, "MBIM Connect (deactivate)", MX_MBIM_TIMEOUT_S, cancellable,
                   deactivate_ready, task);
}

static gboolean
session_stop_finish (MxBearerSession *session, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* Stats: Packet Statistics (the device's counters)                         */

typedef struct {
  guint64 rx, tx;
} Stats;

static void
statistics_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(MbimMessage) response = NULL;
  Stats *st = g_new0 (Stats, 1);
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_packet_statistics_response_parse (response, NULL, NULL, &st->rx, NULL, &st->tx,
                                                                  NULL, NULL, NULL, &error)) {
    g_free (st);
    g_task_return_error (task, error);
  } else {
    g_task_return_pointer (task, st, g_free);
  }
  g_object_unref (task);
}

static void
session_get_stats (MxBearerSession *session, GCancellable *cancellable, GAsyncReadyCallback callback,
                   gpointer user_data)
{
  MxMbimSession *self = MX_MBIM_SESSION (session);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(MbimMessage) request = mbim_message_packet_statistics_query_new (NULL);

  mx_mbim_command (self->device, request, "MBIM Packet Statistics", MX_MBIM_TIMEOUT_S, cancellable,
                   statistics_ready, task);
}

static gboolean
session_get_stats_finish (MxBearerSession *session, GAsyncResult *res, guint64 *rx, guint64 *tx, GError **error)
{
  g_autofree Stats *st = g_task_propagate_pointer (G_TASK (res), error);

  if (!st)
    return FALSE;
  *rx = st->rx;
  *tx = st->tx;
  return TRUE;
}

static MMBearerIpFamily
session_get_family (MxBearerSession *session)
{
  return MX_MBIM_SESSION (session)->family;
}

/* ------------------------------------------------------------------------ */

MxIpSettings *
mx_mbim_session_take_ipv6_settings (MxMbimSession *self)
{
  return g_steal_pointer (&self->ipv6);
}

MxMbimSession *
mx_mbim_session_new (MbimDevice *device)
{
  MxMbimSession *self = g_object_new (MX_TYPE_MBIM_SESSION, NULL);

  self->device = g_object_ref (device);
  return self;
}

static void
bearer_session_iface_init (MxBearerSessionInterface *iface)
{
  iface->get_family = session_get_family;
  iface->start = session_start;
  iface->start_finish = session_start_finish;
  iface->stop = session_stop;
  iface->stop_finish = session_stop_finish;
  iface->get_stats = session_get_stats;
  iface->get_stats_finish = session_get_stats_finish;
}

static void
mx_mbim_session_init (MxMbimSession *self)
{
  self->family = MM_BEARER_IP_FAMILY_IPV4;
}

static void
mx_mbim_session_dispose (GObject *object)
{
  MxMbimSession *self = MX_MBIM_SESSION (object);

  if (self->device)
    g_clear_signal_handler (&self->indication_id, self->device);
  g_clear_object (&self->device);
  g_clear_pointer (&self->ipv6, mx_ip_settings_free);
  G_OBJECT_CLASS (mx_mbim_session_parent_class)->dispose (object);
}

static void
mx_mbim_session_class_init (MxMbimSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mx_mbim_session_dispose;
  disconnected_signal = g_signal_new (MX_BEARER_SESSION_SIGNAL_DISCONNECTED, G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                      G_TYPE_UINT, G_TYPE_STRING);
}
