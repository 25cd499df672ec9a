/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Adopting the sessions a previous modemuxd left; see mx-bearer-adopt.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-adopt.h"

#include "mx-bearer-private.h"
#include "mx-core-step.h"
#include "mx-link-owner.h"
#include "mx-modem-qmi-timeout.h"

/* ---- recording ---- */

static const gchar *
state_dir_of (MxBearer *b)
{
  return b->service ? mx_bearer_service_get_state_dir (b->service) : NULL;
}

void
mx_bearer_adopt_save (MxBearer *b)
{
  g_autoptr(GError) error = NULL;
  const MxDataFormat *format = mx_data_port_peek_format (b->port);
  MxBearerRecord s = { 0 };

  if (!state_dir_of (b) || !b->multiplexed || !b->link || !format || !b->modem ||
      !mx_modem_peek_port (b->modem))
    return;
  s.control_path = (gchar *) mx_qmi_port_get_path (mx_modem_peek_port (b->modem));
  s.data_port = (gchar *) mx_data_port_get_name (b->port);
  s.ifname = b->link->ifname;
  s.mux_id = (guint) b->link->mux_id;
  s.format = *format;
  s.props = b->props;
  for (guint i = 0; i < MX_N_FAMILIES; i++) {
    if (!b->sessions[i])
      continue;
    s.cid[i] = mx_wds_session_get_cid (MX_WDS_SESSION (b->sessions[i]));
    s.handle[i] = mx_wds_session_get_handle (MX_WDS_SESSION (b->sessions[i]));
  }
  if (!mx_bearer_record_save (&s, state_dir_of (b), &error))
    g_warning ("bearer %s: cannot record its state for a restart: %s", b->path, error->message);
}

void
mx_bearer_adopt_forget (MxBearer *b)
{
  if (state_dir_of (b) && b->link && !b->keep_state)
    mx_bearer_record_remove (state_dir_of (b), b->link->ifname);
}

static void
kept_teardown_ready (MxBearer *b, GAsyncResult *res, gpointer user_data)
{
  mx_bearer_teardown_finish (b, res);
}

gboolean
mx_bearer_adopt_keep (MxBearer *b)
{
  MxBearerRecord on_port = { 0 };
  const gchar *why = NULL;

  if (b->state != MX_BEARER_CONNECTED || !b->multiplexed || !b->link || !state_dir_of (b) ||
      !b->modem || !mx_modem_peek_port (b->modem) ||
      !mx_bearer_record_exists (state_dir_of (b), b->link->ifname))
    return FALSE;
  on_port.control_path = (gchar *) mx_qmi_port_get_path (mx_modem_peek_port (b->modem));
  if (!mx_bearer_adopt_possible (&on_port, &why)) {
    g_message ("bearer %s: not kept at stop: %s", b->path, why);
    return FALSE;
  }
  g_info ("bearer %s: keeping its session and link %s for the next modemuxd", b->path, b->interface);
  for (guint i = 0; i < MX_N_FAMILIES; i++) {
    if (!b->sessions[i])
      continue;
    g_signal_handler_disconnect (b->sessions[i], b->session_ids[i]);
    b->session_ids[i] = 0;
    mx_wds_session_keep (MX_WDS_SESSION (b->sessions[i]));
    g_clear_object (&b->sessions[i]);
  }
  b->keep_state = TRUE;
  /* Nothing left to stop and the link stays: this completes at once. */
  mx_bearer_teardown (b, FALSE, FALSE, (GAsyncReadyCallback) kept_teardown_ready, NULL);
  return TRUE;
}

gboolean
mx_bearer_adopt_possible (const MxBearerRecord *state, const gchar **why)
{
  if (g_str_has_prefix (state->control_path, "qrtr:")) {
    *why = "its control port is a QRTR node, where a process's clients and sessions end with it";
    return FALSE;
  }
  return TRUE;
}

/* ---- adoption ---- */

typedef enum {
  STEP_CHECK,
  STEP_CLIENT,
  STEP_STATUS,
  STEP_SETTINGS,
  STEP_PUBLISH,
} AdoptStep;

static const gchar *const step_names[] = {
  "link check", "WDS client re-creation", "Get Packet Service Status", "Get Current Settings",
  "publish",
};
MX_STEP_NAMES_CHECK (step_names, STEP_PUBLISH);

typedef struct {
  AdoptStep      step;
  guint          family;       /* MX_FAMILY_V4, MX_FAMILY_V6 */
  MxBearerList  *list;
  MxBearerRecord *state;
  MxDataPort    *port;         /* borrowed from the list */
  MxLink        *link;
  QmiClientWds  *client;       /* of the current family, until its session holds it */
  MxWdsSession  *sessions[MX_N_FAMILIES];
  MxIpSettings  *ip[MX_N_FAMILIES];
  GError        *error;
  guint          undo;         /* next session to stop while failing */
} AdoptCtx;

static void
adopt_ctx_free (AdoptCtx *c)
{
  g_clear_object (&c->list);
  mx_bearer_record_free (c->state);
  g_clear_pointer (&c->link, mx_link_free);
  g_clear_object (&c->client);
  for (guint i = 0; i < MX_N_FAMILIES; i++) {
    g_clear_object (&c->sessions[i]);
    mx_ip_settings_free (c->ip[i]);
  }
  g_clear_error (&c->error);
  g_free (c);
}

static const gchar *
family_name (guint family)
{
  return family == MX_FAMILY_V6 ? "IPv6" : "IPv4";
}

static MxQmiPort *
qmi_of (AdoptCtx *c)
{
  MxModem *modem = mx_bearer_list_peek_modem (c->list);

  return modem ? mx_modem_peek_port (modem) : NULL;
}

static void adopt_step (GTask *task);
static void undo_next (GTask *task);

static void
adopt_next (GTask *task)
{
  AdoptCtx *c = g_task_get_task_data (task);

  c->step++;
  adopt_step (task);
}

/* ---- failure: what the modem no longer holds ends as after a crash ---- */

static void
undo_link_deleted (MxLinkManager *links, GAsyncResult *res, GTask *task)
{
  AdoptCtx *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mx_link_manager_delete_finish (links, res, &error))
    g_warning ("deleting %s after a failed adoption: %s", c->state->ifname, error->message);
  g_task_return_error (task, g_steal_pointer (&c->error));
  g_object_unref (task);
}

static void
undo_session_stopped (MxWdsSession *session, GAsyncResult *res, GTask *task)
{
  g_autoptr(GError) error = NULL;

  if (!mx_wds_session_stop_finish (session, res, &error))
    g_warning ("stopping a session after a failed adoption: %s", error->message);
  undo_next (task);
}

static void
undo_next (GTask *task)
{
  MxBearerService *service = g_task_get_source_object (task);
  AdoptCtx *c = g_task_get_task_data (task);

  while (c->undo < MX_N_FAMILIES) {
    MxWdsSession *s = c->sessions[c->undo++];

    if (s) {
      mx_wds_session_stop (s, NULL, (GAsyncReadyCallback) undo_session_stopped, task);
      return;
    }
  }
  mx_bearer_record_remove (mx_bearer_service_get_state_dir (service), c->state->ifname);
  mx_link_manager_delete_async (mx_bearer_service_peek_links (service), c->state->ifname, FALSE,
                                NULL, (GAsyncReadyCallback) undo_link_deleted, task);
}

/* Takes @error: names the step and family, logs, cleans up, fails. */
static void
adopt_failed (GTask *task, GError *error)
{
  AdoptCtx *c = g_task_get_task_data (task);

  mx_step_prefix_error (&error, MX_STEP_NAME (step_names, c->step));
  g_prefix_error (&error, "cannot adopt %s (mux id %u, %s session): ", c->state->ifname,
                  c->state->mux_id, family_name (c->family));
  g_message ("%s; removing the link as after a crash", error->message);
  c->error = error;
  if (c->client) {
    MxQmiPort *qmi = qmi_of (c);

    /* The id is ours no more: free it on the modem. */
    if (qmi)
      mx_qmi_port_release_client (qmi, QMI_CLIENT (c->client), NULL, NULL, NULL);
    g_clear_object (&c->client);
  }
  undo_next (task);
}

/* ---- steps ---- */

static gboolean
check_link (MxBearerService *service, AdoptCtx *c, GError **error)
{
  MxLinkMap *map = mx_link_manager_get_map (mx_bearer_service_peek_links (service));
  g_autoptr(GPtrArray) links = mx_link_map_get_links (map, NULL);
  GPtrArray *ports = mx_bearer_list_peek_data_ports (c->list);

  for (guint i = 0; i < ports->len && !c->port; i++)
    if (g_strcmp0 (mx_data_port_get_name (g_ptr_array_index (ports, i)), c->state->data_port) == 0)
      c->port = g_ptr_array_index (ports, i);
  if (!c->port) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
                 "the modem has no data port %s", c->state->data_port);
    return FALSE;
  }
  for (guint i = 0; i < links->len; i++) {
    const MxLink *l = g_ptr_array_index (links, i);

    if (g_strcmp0 (l->ifname, c->state->ifname) == 0 && mx_link_owner_is_ours (l, c->state->data_port) &&
        l->mux_id == (gint) c->state->mux_id) {
      c->link = mx_link_copy (l);
      return TRUE;
    }
  }
  g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
               "no link of ours with mux id %u on %s", c->state->mux_id, c->state->data_port);
  return FALSE;
}

static void
settings_ready (MxWdsSession *session, GAsyncResult *res, GTask *task)
{
  AdoptCtx *c = g_task_get_task_data (task);
  GError *error = NULL;

  c->ip[c->family] = mx_wds_session_start_finish (session, res, &error);
  if (!c->ip[c->family]) {
    /* The session stopped itself and released its client. */
    g_clear_object (&c->sessions[c->family]);
    adopt_failed (task, error);
    return;
  }
  adopt_next (task);
}

static void
status_ready (QmiClientWds *wds, GAsyncResult *res, GTask *task)
{
  g_autoptr(QmiMessageWdsGetPacketServiceStatusOutput) out = NULL;
  GError *error = NULL;
  QmiWdsConnectionStatus status = QMI_WDS_CONNECTION_STATUS_UNKNOWN;

  out = qmi_client_wds_get_packet_service_status_finish (wds, res, &error);
  if (out && (!qmi_message_wds_get_packet_service_status_output_get_result (out, &error) ||
              !qmi_message_wds_get_packet_service_status_output_get_connection_status (out, &status, &error)))
    g_clear_pointer (&out, qmi_message_wds_get_packet_service_status_output_unref);
  if (!out) {
    adopt_failed (task, error);
    return;
  }
  if (status != QMI_WDS_CONNECTION_STATUS_CONNECTED) {
    adopt_failed (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                     "the modem no longer holds the session (%s)",
                                     qmi_wds_connection_status_get_string (status) ?: "unknown"));
    return;
  }
  adopt_next (task);
}

static void
client_ready (MxQmiPort *qmi, GAsyncResult *res, GTask *task)
{
  AdoptCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  QmiClient *client = mx_qmi_port_adopt_client_finish (qmi, res, &error);

  if (!client) {
    adopt_failed (task, error);
    return;
  }
  c->client = QMI_CLIENT_WDS (client);
  adopt_next (task);
}

static void
publish (GTask *task)
{
  MxBearerService *service = g_task_get_source_object (task);
  AdoptCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MxBearer *b = mx_bearer_list_add_adopted (c->list, c->port, c->state->props, &error);

  if (!b) {
    adopt_failed (task, error);
    return;
  }
  mx_data_port_adopt_session (c->port, &c->state->format);
  b->port_acquired = TRUE;
  b->multiplexed = TRUE;
  b->link = g_steal_pointer (&c->link);
  b->interface = g_strdup (b->link->ifname);
  for (guint i = 0; i < MX_N_FAMILIES; i++) {
    b->ip[i] = g_steal_pointer (&c->ip[i]);
    b->sessions[i] = (MxBearerSession *) g_steal_pointer (&c->sessions[i]);
    if (b->sessions[i])
      b->session_ids[i] = g_signal_connect (b->sessions[i], MX_BEARER_SESSION_SIGNAL_DISCONNECTED,
                                            G_CALLBACK (mx_bearer_on_session_disconnected), b);
  }
  b->attempts = 1;
  b->connected_since = g_get_monotonic_time ();
  b->state = MX_BEARER_CONNECTED;
  mx_bearer_stats_start (b, mx_bearer_service_get_stats_interval (service));
  mx_bearer_publish_connected (b);
  g_signal_emit_by_name (b, MX_BEARER_SIGNAL_CHANGED);
  g_message ("bearer %s adopted on %s (mux id %d, apn '%s'): the session a previous modemuxd "
             "started is still up", b->path, b->interface, b->link->mux_id,
             mm_bearer_properties_get_apn (b->props) ?: "");
  g_object_unref (b);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
adopt_step (GTask *task)
{
  MxBearerService *service = g_task_get_source_object (task);
  AdoptCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MxQmiPort *qmi = qmi_of (c);

  if (!qmi && c->step != STEP_PUBLISH) {
    adopt_failed (task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_ABORTED, "the modem went away"));
    return;
  }
  switch (c->step) {
  case STEP_CHECK:
    if (!check_link (service, c, &error)) {
      adopt_failed (task, error);
      return;
    }
    adopt_next (task);
    return;
  case STEP_CLIENT:
    if (!c->state->cid[c->family]) {
      c->step = STEP_SETTINGS;   /* no session of this family */
      adopt_next (task);
      return;
    }
    mx_qmi_port_adopt_client (qmi, QMI_SERVICE_WDS, c->state->cid[c->family], NULL,
                              (GAsyncReadyCallback) client_ready, task);
    return;
  case STEP_STATUS:
    qmi_client_wds_get_packet_service_status (c->client, NULL, mx_qmi_timeout (MX_WDS_SESSION_TIMEOUT),
                                              NULL, (GAsyncReadyCallback) status_ready, task);
    return;
  case STEP_SETTINGS:
    c->sessions[c->family] = mx_wds_session_new_adopted (
        qmi, c->family == MX_FAMILY_V6 ? MM_BEARER_IP_FAMILY_IPV6 : MM_BEARER_IP_FAMILY_IPV4,
        c->client, c->state->handle[c->family]);
    g_clear_object (&c->client);
    mx_wds_session_adopt (c->sessions[c->family], NULL, (GAsyncReadyCallback) settings_ready, task);
    return;
  case STEP_PUBLISH:
  default:
    if (c->family == MX_FAMILY_V4) {
      c->family = MX_FAMILY_V6;
      c->step = STEP_CLIENT;
      adopt_step (task);
      return;
    }
    publish (task);
    return;
  }
}

void
mx_bearer_adopt_run (MxBearerService *service, MxBearerList *list, MxBearerRecord *state,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (service, NULL, callback, user_data);
  AdoptCtx *c = g_new0 (AdoptCtx, 1);

  c->list = g_object_ref (list);
  c->state = state;
  c->family = MX_FAMILY_V4;
  g_task_set_task_data (task, c, (GDestroyNotify) adopt_ctx_free);
  g_debug ("adopting %s (mux id %u on %s)", state->ifname, state->mux_id, state->data_port);
  adopt_step (task);
}

gboolean
mx_bearer_adopt_run_finish (MxBearerService *service, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}
