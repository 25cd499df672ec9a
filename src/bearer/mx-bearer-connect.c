/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connect step machine of a bearer:
 *   check state -> multiplex decision (default, kernel rmnet probe) ->
 *   data port (format negotiated once per port) -> rmnet link (mux id
 *   allocated by the link manager) -> per IP family: dedicated WDS client,
 *   Bind Mux Data Port, Set IP Family, Start Network, Get Current Settings ->
 *   link MTU from the network, lower and link up -> publish.
 * Any failure tears down what earlier steps built (mx_bearer_teardown) before
 * the error is returned, so no link and no session is left behind.
 */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-private.h"

#include "mx-bearer-props.h"
#include "mx-link-error.h"

typedef struct {
  MMBearerMultiplexSupport multiplex;
  MxDataFormatGoal         goal;
  gboolean                 kernel_rmnet;
  MMBearerIpFamily         wanted[MX_N_FAMILIES];
  guint                    n_wanted;
  guint                    next;
  GError                  *family_error;
  GError                  *error;       /* the failure being rolled back */
} ConnectCtx;

static void
connect_ctx_free (ConnectCtx *c)
{
  g_clear_error (&c->family_error);
  g_clear_error (&c->error);
  g_free (c);
}

static GCancellable *
cancellable_of (MxBearer *self)
{
  return self->connect_cancellable;
}

/* Errors that reach D-Bus must be in a ModemManager domain so that clients
 * see org.freedesktop.ModemManager1.Error.* names. */
static GError *
to_dbus_error (MxBearer *self, GError *error)
{
  GError *e;

  if (error->domain == MM_CORE_ERROR || error->domain == MM_MOBILE_EQUIPMENT_ERROR ||
      error->domain == MM_CONNECTION_ERROR)
    return error;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Name the step that was cut short and, when known, why. */
    e = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_CANCELLED, "Connection attempt cancelled%s%s (%s)",
                     self->cancel_reason ? ": " : "",
                     self->cancel_reason ? self->cancel_reason : "", error->message);
  else if (g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    e = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_ABORTED, "%s (no answer from the modem)",
                     error->message);
  else
    e = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "%s", error->message);
  g_error_free (error);
  return e;
}

/* ---- end ---- */

static void
failed_teardown_ready (MxBearer *self, GAsyncResult *res, GTask *task)
{
  ConnectCtx *c = g_task_get_task_data (task);
  GError *error;

  mx_bearer_teardown_finish (self, res);
  self->failed_attempts++;
  g_message ("bearer %s: connect failed: %s", self->path, c->error->message);
  error = to_dbus_error (self, g_steal_pointer (&c->error));
  mx_bearer_set_connection_error (self, error);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
connect_fail (GTask *task, GError *error)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);

  c->error = error;
  /* Stop what was started, delete the link, release the port. */
  mx_bearer_teardown (self, TRUE, TRUE, (GAsyncReadyCallback) failed_teardown_ready, task);
}

static gboolean
check_cancelled (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (cancellable_of (self), &error))
    return FALSE;
  connect_fail (task, error);
  return TRUE;
}

static void
up_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxBearer *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!mx_data_port_netdev_up_finish (res, &error)) {
    connect_fail (task, error);
    return;
  }
  if (check_cancelled (task))
    return;
  self->connected_since = g_get_monotonic_time ();
  self->state = MX_BEARER_CONNECTED;
  mx_bearer_stats_start (self, mx_bearer_service_get_stats_interval (self->service));
  mx_bearer_publish_connected (self);
  g_signal_emit_by_name (self, MX_BEARER_SIGNAL_CHANGED);
  if (self->link)
    g_info ("bearer %s connected on %s (mux id %d, mtu %u)", self->path, self->interface,
            self->link->mux_id, self->link->mtu);
  else
    g_info ("bearer %s connected on %s (not multiplexed)", self->path, self->interface);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
bring_up (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  guint mtu = 0;

  if (self->link) {
    /* The network's MTU (WDS TLV 0x29) is what the path really carries;
     * the kernel's default is only lower MTU - headroom, and larger
     * than that is refused. */
    for (guint i = 0; i < MX_N_FAMILIES; i++)
      if (self->ip[i] && self->ip[i]->mtu)
        mtu = mtu ? MIN (mtu, self->ip[i]->mtu) : self->ip[i]->mtu;
    if (mtu && self->link->mtu && mtu > self->link->mtu) {
      g_info ("bearer %s: the network's MTU %u does not fit in %s (at most %u with the QMAP "
              "header); using %u", self->path, mtu, self->interface, self->link->mtu,
              self->link->mtu);
      mtu = self->link->mtu;
    }
    if (mtu) {
      self->link->mtu = mtu;
      /* Publish what the link carries: NetworkManager applies Ip4Config's
       * and Ip6Config's MTU to the interface, and the kernel refuses more. */
      for (guint i = 0; i < MX_N_FAMILIES; i++)
        if (self->ip[i] && self->ip[i]->mtu > mtu)
          self->ip[i]->mtu = mtu;
    }
  }
  /* Non-multiplexed: the data port itself; its MTU stays (NM applies the
   * one in Ip4Config). */
  mx_data_port_netdev_up (mx_bearer_service_peek_netlink (self->service),
                          mx_link_manager_get_map (mx_bearer_service_peek_links (self->service)),
                          self->interface, mtu, cancellable_of (self), up_ready, task);
}

/* ---- per family sessions ---- */

static void start_next_family (GTask *task);

static void
session_started (MxWdsSession *session, GAsyncResult *res, GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MxIpSettings *settings;
  guint idx = mx_wds_session_get_family (session) == MM_BEARER_IP_FAMILY_IPV6 ? MX_FAMILY_V6 : MX_FAMILY_V4;

  settings = mx_wds_session_start_finish (session, res, &error);
  if (!settings) {
    g_signal_handler_disconnect (session, self->session_ids[idx]);
    self->session_ids[idx] = 0;
    g_clear_object (&self->sessions[idx]);
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || c->n_wanted == 1) {
      connect_fail (task, error);
      return;
    }
    /* ipv4v6: one family may fail as long as the other connects. */
    g_message ("bearer %s: %s", self->path, error->message);
    if (!c->family_error)
      c->family_error = error;
    else
      g_error_free (error);
    start_next_family (task);
    return;
  }
  self->ip[idx] = settings;
  start_next_family (task);
}

static void
start_next_family (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);
  MMBearerIpFamily family;
  MxWdsSessionParams params = { 0 };
  guint idx;

  if (check_cancelled (task))
    return;
  if (c->next >= c->n_wanted) {
    if (!self->ip[MX_FAMILY_V4] && !self->ip[MX_FAMILY_V6]) {
      connect_fail (task, c->family_error ? g_steal_pointer (&c->family_error) :
                    g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "No IP family connected"));
      return;
    }
    bring_up (task);
    return;
  }
  family = c->wanted[c->next++];
  idx = family == MM_BEARER_IP_FAMILY_IPV6 ? MX_FAMILY_V6 : MX_FAMILY_V4;

  /* Bind whenever a mux id is in play; plain mhi_net binds mux id 0 too
   * (some PCIe firmware will not route data otherwise). */
  params.bind_mux = self->multiplexed || mx_data_port_get_driver (self->port) == MX_DATA_DRIVER_MHI_NET;
  params.endpoint = *mx_data_port_get_endpoint (self->port);
  params.mux_id = self->link ? (guint8) self->link->mux_id : 0;
  params.apn = mm_bearer_properties_get_apn (self->props);
  params.user = mm_bearer_properties_get_user (self->props);
  params.password = mm_bearer_properties_get_password (self->props);
  params.allowed_auth = mm_bearer_properties_get_allowed_auth (self->props);

  self->sessions[idx] = mx_wds_session_new (mx_modem_peek_port (self->modem), family);
  self->session_ids[idx] = g_signal_connect (self->sessions[idx], MX_WDS_SESSION_SIGNAL_DISCONNECTED,
                                             G_CALLBACK (mx_bearer_on_session_disconnected), self);
  mx_wds_session_start (self->sessions[idx], &params, cancellable_of (self),
                        (GAsyncReadyCallback) session_started, task);
}

/* ---- link ---- */

static void
link_created (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  MxLink *link;

  link = mx_link_manager_create_finish (links, res, &error);
  if (!link) {
    const gchar *port = mx_data_port_get_name (self->port);

    if (g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID))
      connect_fail (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_TOO_MANY,
                                       "Maximum number of multiplexed bearers reached on %s: %s",
                                       port, error->message));
    else if (g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED))
      connect_fail (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                       "Multiplexing required but not supported: the kernel "
                                       "cannot create rmnet links (CONFIG_RMNET): %s", error->message));
    else
      connect_fail (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                       "Could not create an rmnet link on %s: %s", port, error->message));
    return;
  }
  self->link = link;
  self->interface = g_strdup (link->ifname);
  g_info ("net link %s created on %s (mux id %d)", link->ifname,
          mx_data_port_get_name (self->port), link->mux_id);
  start_next_family (task);
}

static void
create_link (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  MxLinkRequest req = {
    .kind = MX_LINK_KIND_RMNET,
    .port = mx_data_port_get_name (self->port),
    .mux_id = 0,          /* the link manager's policy picks it */
    .name = NULL,         /* and names it */
    .mtu = 0,             /* set from the network's MTU once known */
    .up = FALSE,
  };

  if (mx_data_port_uses_qmimux (self->port))
    req.kind = MX_LINK_KIND_QMIMUX;
  else
    mx_data_port_get_rmnet_flags (self->port, &req.flags, &req.flags_mask);
  mx_link_manager_create_async (mx_bearer_service_peek_links (self->service), &req,
                                cancellable_of (self), (GAsyncReadyCallback) link_created, task);
}

/* ---- data port ---- */

static void
port_acquired (MxDataPort *port, GAsyncResult *res, GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  GError *error = NULL;
  gboolean multiplexed = FALSE;

  if (!mx_data_port_acquire_finish (port, res, &multiplexed, &error)) {
    connect_fail (task, error);
    return;
  }
  self->port_acquired = TRUE;
  self->multiplexed = multiplexed;
  if (check_cancelled (task))
    return;
  if (multiplexed) {
    create_link (task);
    return;
  }
  self->interface = g_strdup (mx_data_port_get_name (self->port));
  start_next_family (task);
}

static void
decide_and_acquire (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);
  g_autofree gchar *fallback = NULL;
  GError *error = NULL;

  if (!mx_bearer_multiplex_goal (c->multiplex, mx_data_port_get_driver (self->port),
                                 c->kernel_rmnet, &c->goal, &fallback, &error)) {
    connect_fail (task, error);
    return;
  }
  if (fallback)
    g_message ("bearer %s: %s", self->path, fallback);
  mx_data_port_acquire (self->port, c->goal, cancellable_of (self),
                        (GAsyncReadyCallback) port_acquired, task);
}

static void
rmnet_probed (MxBearerService *service, GAsyncResult *res, GTask *task)
{
  ConnectCtx *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  c->kernel_rmnet = mx_bearer_service_probe_rmnet_finish (service, res, &error);
  if (error)
    g_message ("cannot tell whether the kernel supports rmnet (%s); assuming it does not",
               error->message);
  decide_and_acquire (task);
}

void
mx_bearer_connect_run (MxBearer *self, GTask *task)
{
  ConnectCtx *c = g_new0 (ConnectCtx, 1);
  MMBearerIpFamily ip_type;
  MMModemState state = mx_modem_get_state (self->modem);

  g_task_set_task_data (task, c, (GDestroyNotify) connect_ctx_free);

  if (state < MM_MODEM_STATE_ENABLED) {
    connect_fail (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                     "Cannot connect: the modem is not enabled (state %s)",
                                     mm_modem_state_get_string (state)));
    return;
  }
  if (!mx_modem_peek_port (self->modem) || !mx_qmi_port_is_open (mx_modem_peek_port (self->modem))) {
    connect_fail (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                     "Cannot connect: the modem's control port is not open"));
    return;
  }

  ip_type = mm_bearer_properties_get_ip_type (self->props);
  if (ip_type == MM_BEARER_IP_FAMILY_NONE)
    ip_type = MX_BEARER_DEFAULT_IP_FAMILY;
  if (ip_type == MM_BEARER_IP_FAMILY_IPV4 || ip_type == MM_BEARER_IP_FAMILY_IPV4V6)
    c->wanted[c->n_wanted++] = MM_BEARER_IP_FAMILY_IPV4;
  if (ip_type == MM_BEARER_IP_FAMILY_IPV6 || ip_type == MM_BEARER_IP_FAMILY_IPV4V6)
    c->wanted[c->n_wanted++] = MM_BEARER_IP_FAMILY_IPV6;

  c->multiplex = mx_bearer_multiplex_resolve (
      mm_bearer_properties_get_multiplex (self->props),
      mx_data_port_get_multiplex_default (self->port),
      mx_bearer_service_get_test_multiplex_requested (self->service));
  g_debug ("bearer %s: apn '%s', multiplex %s, data port %s", self->path,
           mm_bearer_properties_get_apn (self->props) ?: "",
           mx_bearer_multiplex_to_string (c->multiplex), mx_data_port_get_name (self->port));

  if (c->multiplex != MM_BEARER_MULTIPLEX_SUPPORT_NONE &&
      mx_data_driver_supports_rmnet (mx_data_port_get_driver (self->port))) {
    mx_bearer_service_probe_rmnet (self->service, cancellable_of (self),
                                   (GAsyncReadyCallback) rmnet_probed, task);
    return;
  }
  decide_and_acquire (task);
}
