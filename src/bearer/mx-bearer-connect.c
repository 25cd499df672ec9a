/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connect step machine of a bearer (ConnectStep below, driven by
 * connect_step()):
 *   check state -> kernel link probe (rmnet; MBIM: wwan and 802.1Q VLAN)
 *   -> multiplex decision -> data port (format negotiated once per port)
 *   -> link (QMI: rmnet/qmimux, mux id allocated by the link manager;
 *   MBIM: a wwan or VLAN link whose id is the session id,
 *   mx-bearer-mbim-link.c) -> per IP family: a WDS session
 *   (mx-bearer-wds-session.c) -> link MTU from the network, lower and link
 *   up -> publish. The sessions are MxBearerSession: WDS (QMI, one per IP
 *   family) or MBIM Connect (one context for both families, no data format
 *   to negotiate).
 * Any failure tears down what earlier steps built (mx_bearer_teardown) before
 * the error is returned, so no link and no session is left behind; the
 * error names the step ("IPv4 session failed: Start Network failed: ...").
 */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-private.h"

#include "mx-bearer-mbim-link.h"
#include "mx-bearer-multiplex.h"
#include "mx-bearer-props.h"
#include "mx-core-step.h"
#include "mx-link-error.h"
#include "mx-modem-mbim.h"

/* In order; a step without work for this bearer is skipped. */
typedef enum {
  STEP_CHECK_STATE,
  STEP_PROBE_RMNET,
  STEP_MULTIPLEX,
  STEP_DATA_PORT,
  STEP_LINK,
  STEP_SESSION_IPV4,
  STEP_SESSION_IPV6,
  STEP_BRING_UP,
  STEP_DONE,
} ConnectStep;

static const gchar *const step_names[] = {
  "modem state check", "kernel link probe", "multiplex decision", "data port setup",
  "link creation", "IPv4 session", "IPv6 session", "bring-up", "publish",
};
MX_STEP_NAMES_CHECK (step_names, STEP_DONE);

typedef struct {
  ConnectStep              step;
  MxBearerMultiplexDecision multiplex;
  gboolean                 kernel_rmnet;
  guint                    kernel_mbim_links;  /* MxDataLinkKinds the kernel can create */
  MxDataLinkKinds          mbim_link;          /* MBIM: the session's link kind, NONE = session 0 */
  gboolean                 wanted[MX_N_FAMILIES];
  guint                    n_wanted;
  GError                  *family_error;
  GError                  *error;       /* the failure being rolled back */
} ConnectCtx;

static void
connect_ctx_free (ConnectCtx *c)
{
  g_clear_error (&c->family_error);
  g_clear_error (&c->error);
  mx_bearer_multiplex_decision_clear (&c->multiplex);
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
  else if (g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT) || mx_mbim_error_is_timeout (error))
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

/* The current step failed: name it, then roll back. */
static void
step_failed (GTask *task, GError *error)
{
  ConnectCtx *c = g_task_get_task_data (task);

  mx_step_prefix_error (&error, MX_STEP_NAME (step_names, c->step));
  connect_fail (task, error);
}

static void connect_step (GTask *task);

static void
connect_next (GTask *task)
{
  ConnectCtx *c = g_task_get_task_data (task);

  c->step++;
  connect_step (task);
}

static void
up_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!mx_data_port_netdev_up_finish (res, &error)) {
    step_failed (task, error);
    return;
  }
  connect_next (task);
}

static void
publish (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);

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
  ConnectCtx *c = g_task_get_task_data (task);
  guint mtu = 0;

  if (!self->ip[MX_FAMILY_V4] && !self->ip[MX_FAMILY_V6]) {
    /* ipv4v6 and both failed: the first family's error names its step. */
    if (c->family_error)
      connect_fail (task, g_steal_pointer (&c->family_error));
    else
      step_failed (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "No IP family connected"));
    return;
  }
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

static void
session_started (MxBearerSession *session, GAsyncResult *res, GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MxIpSettings *settings;
  guint idx = mx_bearer_session_get_family (session) == MM_BEARER_IP_FAMILY_IPV6 ? MX_FAMILY_V6 : MX_FAMILY_V4;

  settings = mx_bearer_session_start_finish (session, res, &error);
  if (!settings) {
    g_signal_handler_disconnect (session, self->session_ids[idx]);
    self->session_ids[idx] = 0;
    g_clear_object (&self->sessions[idx]);
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || c->n_wanted == 1) {
      step_failed (task, error);
      return;
    }
    /* ipv4v6: one family may fail as long as the other connects. */
    mx_step_prefix_error (&error, MX_STEP_NAME (step_names, c->step));
    g_message ("bearer %s: %s", self->path, error->message);
    if (!c->family_error)
      c->family_error = error;
    else
      g_error_free (error);
    connect_next (task);
    return;
  }
  self->ip[idx] = settings;
  if (MX_IS_MBIM_SESSION (session) && idx == MX_FAMILY_V4)
    self->ip[MX_FAMILY_V6] = mx_mbim_session_take_ipv6_settings (MX_MBIM_SESSION (session));
  connect_next (task);
}

static void
start_session (GTask *task, MMBearerIpFamily family)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);
  MxBearerSessionParams params = { 0 };
  guint idx = family == MM_BEARER_IP_FAMILY_IPV6 ? MX_FAMILY_V6 : MX_FAMILY_V4;

  /* Bind whenever a mux id is in play; ports with the quirk bind mux id 0
   * too (some PCIe firmware will not route data otherwise). */
  params.bind_mux = self->multiplexed ||
                    mx_data_port_get_profile (self->port)->bind_mux_without_mux;
  params.endpoint = *mx_data_port_get_endpoint (self->port);
  params.mux_id = self->link ? (guint8) self->link->mux_id : 0;
  params.apn = mm_bearer_properties_get_apn (self->props);
  params.user = mm_bearer_properties_get_user (self->props);
  params.password = mm_bearer_properties_get_password (self->props);
  params.allowed_auth = mm_bearer_properties_get_allowed_auth (self->props);

  params.ip_type = family;

  if (mx_modem_get_control (self->modem) == MX_MODEM_CONTROL_MBIM) {
    /* One MBIM context carries both families; session id 0 is the data
     * netdev itself (a multiplexed link's id is its session id). */
    params.session_id = self->link ? (guint32) self->link->mux_id : 0;
    if (c->wanted[MX_FAMILY_V4] && c->wanted[MX_FAMILY_V6]) {
      params.ip_type = MM_BEARER_IP_FAMILY_IPV4V6;
      c->wanted[MX_FAMILY_V6] = FALSE;
    }
    self->sessions[idx] = MX_BEARER_SESSION (mx_mbim_session_new (mx_modem_peek_mbim_device (self->modem)));
  } else {
    self->sessions[idx] = MX_BEARER_SESSION (mx_wds_session_new (mx_modem_peek_port (self->modem), family));
  }
  self->session_ids[idx] = g_signal_connect (self->sessions[idx], MX_BEARER_SESSION_SIGNAL_DISCONNECTED,
                                             G_CALLBACK (mx_bearer_on_session_disconnected), self);
  mx_bearer_session_start (self->sessions[idx], &params, cancellable_of (self),
                           (GAsyncReadyCallback) session_started, task);
}

/* ---- link ---- */

/* The link is there (QMI: rmnet/qmimux; MBIM: the session's link), or why not. */
static void
link_done (GTask *task, MxLink *link, GError *error, const gchar *kind)
{
  MxBearer *self = g_task_get_source_object (task);

  if (!link) {
    const gchar *port = mx_data_port_get_name (self->port);

    if (g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID))
      step_failed (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_TOO_MANY,
                                      "Maximum number of multiplexed bearers reached on %s: %s",
                                      port, error->message));
    else if (g_error_matches (error, MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED))
      /* The link layer's message names the kernel option (CONFIG_RMNET, CONFIG_WWAN, ...). */
      step_failed (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                      "Multiplexing required but not supported: %s", error->message));
    else
      step_failed (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                      "Could not create a%s %s link on %s: %s",
                                      g_str_equal (kind, "rmnet") ? "n" : "", kind, port, error->message));
    g_error_free (error);
    return;
  }
  self->link = link;
  self->interface = g_strdup (link->ifname);
  g_info ("net link %s created on %s (%s %d)", link->ifname,
          mx_data_port_get_name (self->port),
          ((ConnectCtx *) g_task_get_task_data (task))->mbim_link ? "MBIM session" : "mux id",
          link->mux_id);
  connect_next (task);
}

static void
link_created (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  GError *error = NULL;
  MxLink *link = mx_link_manager_create_finish (links, res, &error);

  link_done (task, link, error, "rmnet");
}

static void
mbim_link_created (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  ConnectCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MxLink *link = mx_bearer_mbim_link_create_finish (links, res, &error);

  link_done (task, link, error, c->mbim_link == MX_DATA_LINK_WWAN ? "wwan" : "vlan");
}

/* MBIM: the session's link first; its id (the policy's) is the session id. */
static void
create_mbim_link (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);

  mx_bearer_mbim_link_create_async (mx_bearer_service_peek_links (self->service),
                                    mx_data_port_get_name (self->port),
                                    mx_data_port_get_profile (self->port), c->mbim_link,
                                    0 /* the network's MTU once known */, cancellable_of (self),
                                    (GAsyncReadyCallback) mbim_link_created, task);
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
    step_failed (task, error);
    return;
  }
  self->port_acquired = TRUE;
  self->multiplexed = multiplexed;
  if (!multiplexed)
    self->interface = g_strdup (mx_data_port_get_name (self->port));
  connect_next (task);
}

/* ---- multiplex decision ---- */

/* The one decision (mx-bearer-multiplex.c), logged with its reason. */
static gboolean
decide_multiplex (GTask *task, GError **error)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);

  const MxDataProfile *profile = mx_data_port_get_profile (self->port);

  if (profile->driver_class == MX_DATA_DRIVER_CLASS_MBIM ?
      !mx_bearer_multiplex_decide_mbim (mx_data_port_get_name (self->port), profile,
                                        c->kernel_mbim_links,
                                        mm_bearer_properties_get_multiplex (self->props),
                                        mx_bearer_service_get_test_multiplex_requested (self->service),
                                        &c->multiplex, &c->mbim_link, error) :
      !mx_bearer_multiplex_decide (mx_data_port_get_name (self->port), profile, c->kernel_rmnet,
                                   mm_bearer_properties_get_multiplex (self->props),
                                   mx_bearer_service_get_test_multiplex_requested (self->service),
                                   &c->multiplex, error))
    return FALSE;
  if (c->multiplex.fallback)
    g_message ("bearer %s: %s", self->path, c->multiplex.reason);
  else
    g_debug ("bearer %s: %s", self->path, c->multiplex.reason);
  return TRUE;
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
  connect_next (task);
}

static void
mbim_links_probed (MxNetlink *netlink, GAsyncResult *res, GTask *task)
{
  ConnectCtx *c = g_task_get_task_data (task);
  GError *error = NULL;

  c->kernel_mbim_links = mx_bearer_mbim_link_probe_kernel_finish (netlink, res, &error);
  if (error) {
    step_failed (task, error);   /* cancelled */
    return;
  }
  connect_next (task);
}

/* ---- state ---- */

static gboolean
check_state (MxBearer *self, GError **error)
{
  MMModemState state = mx_modem_get_state (self->modem);

  if (state < MM_MODEM_STATE_ENABLED) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                 "Cannot connect: the modem is not enabled (state %s)",
                 mm_modem_state_get_string (state));
    return FALSE;
  }
  if (mx_modem_get_control (self->modem) == MX_MODEM_CONTROL_MBIM ? !mx_modem_peek_mbim_device (self->modem) :
      !mx_modem_peek_port (self->modem) || !mx_qmi_port_is_open (mx_modem_peek_port (self->modem))) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                 "Cannot connect: the modem's control port is not open");
    return FALSE;
  }
  return TRUE;
}

/* ---- the step machine ---- */

static void
connect_step (GTask *task)
{
  MxBearer *self = g_task_get_source_object (task);
  ConnectCtx *c = g_task_get_task_data (task);
  GError *error = NULL;

  /* Every step may be cut short (Disconnect, the modem going away). */
  if (g_cancellable_set_error_if_cancelled (cancellable_of (self), &error)) {
    step_failed (task, error);
    return;
  }
  switch (c->step) {
  case STEP_CHECK_STATE:
    if (!check_state (self, &error)) {
      step_failed (task, error);
      return;
    }
    connect_next (task);
    return;
  case STEP_PROBE_RMNET:
    if (mx_data_port_get_profile (self->port)->driver_class == MX_DATA_DRIVER_CLASS_MBIM) {
      /* Two requests the kernel refuses at once (no link is made). */
      mx_bearer_mbim_link_probe_kernel_async (mx_bearer_service_peek_netlink (self->service),
                                              cancellable_of (self),
                                              (GAsyncReadyCallback) mbim_links_probed, task);
      return;
    }
    /* Probed once at start-up: this only picks up the answer (or waits for
     * it on a connect that races start-up). */
    mx_bearer_service_probe_rmnet (self->service, cancellable_of (self),
                                   (GAsyncReadyCallback) rmnet_probed, task);
    return;
  case STEP_MULTIPLEX:
    if (!decide_multiplex (task, &error)) {
      step_failed (task, error);
      return;
    }
    connect_next (task);
    return;
  case STEP_DATA_PORT:
    mx_data_port_acquire (self->port, c->multiplex.goal, cancellable_of (self),
                          (GAsyncReadyCallback) port_acquired, task);
    return;
  case STEP_LINK:
    if (!self->multiplexed) {
      connect_next (task);
      return;
    }
    if (c->mbim_link != MX_DATA_LINK_NONE)
      create_mbim_link (task);
    else
      create_link (task);
    return;
  case STEP_SESSION_IPV4:
  case STEP_SESSION_IPV6: {
    guint idx = c->step == STEP_SESSION_IPV6 ? MX_FAMILY_V6 : MX_FAMILY_V4;

    if (!c->wanted[idx]) {
      connect_next (task);
      return;
    }
    start_session (task, idx == MX_FAMILY_V6 ? MM_BEARER_IP_FAMILY_IPV6 : MM_BEARER_IP_FAMILY_IPV4);
    return;
  }
  case STEP_BRING_UP:
    bring_up (task);
    return;
  case STEP_DONE:
  default:
    publish (task);
    return;
  }
}

void
mx_bearer_connect_run (MxBearer *self, GTask *task)
{
  ConnectCtx *c = g_new0 (ConnectCtx, 1);
  MMBearerIpFamily ip_type;

  g_task_set_task_data (task, c, (GDestroyNotify) connect_ctx_free);

  ip_type = mm_bearer_properties_get_ip_type (self->props);
  if (ip_type == MM_BEARER_IP_FAMILY_NONE)
    ip_type = MX_BEARER_DEFAULT_IP_FAMILY;
  c->wanted[MX_FAMILY_V4] = ip_type == MM_BEARER_IP_FAMILY_IPV4 || ip_type == MM_BEARER_IP_FAMILY_IPV4V6;
  c->wanted[MX_FAMILY_V6] = ip_type == MM_BEARER_IP_FAMILY_IPV6 || ip_type == MM_BEARER_IP_FAMILY_IPV4V6;
  c->n_wanted = (guint) c->wanted[MX_FAMILY_V4] + (guint) c->wanted[MX_FAMILY_V6];

  g_debug ("bearer %s: apn '%s', multiplex asked %s, data port %s", self->path,
           mm_bearer_properties_get_apn (self->props) ?: "",
           mx_bearer_multiplex_to_string (mm_bearer_properties_get_multiplex (self->props)),
           mx_data_port_get_name (self->port));
  connect_step (task);
}
