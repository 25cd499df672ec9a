/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A physical data port shared by bearers; see mx-bearer-data-port.h. */
#define G_LOG_DOMAIN "mx-data-port"

#include "mx-bearer-data-port.h"

#include <net/if.h>
#include <string.h>
#include "mx-discovery-port-policy.h"
#include "mx-link-error.h"
#include "mx-link-mux-id.h"
#include "mx-link-rtnl.h"

struct _MxDataPort {
  GObject         parent;
  MxPort         *port;
  MxQmiPort      *qmi;
  MxLinkManager  *links;
  MxNetlink      *netlink;
  gchar          *name;
  const MxDataProfile *profile;   /* the plugin's, in port (held) */
  MxDataEndpoint  endpoint;
  gboolean        over_qrtr;

  gboolean        have_format;
  gboolean        lower_pending;   /* negotiated by a prepare; lower not set up yet */
  MxDataFormat    format;
  MxDataFormatGoal negotiated_goal;
  guint           n_sessions;
  guint           n_plain;      /* MBIM: sessions on the netdev itself (session 0) */
  gboolean        sessions_multiplexed;

  GQueue          pending;   /* GTask* waiting for acquire */
  gboolean        busy;
};

G_DEFINE_TYPE (MxDataPort, mx_data_port, G_TYPE_OBJECT)

static guint changed_signal;

static void process_next (MxDataPort *self);

/* ---- netdev up (lower or link) ---- */

typedef struct {
  MxNetlink *netlink;
  guint32    ifindex;
  guint      mtu;
  gchar     *ifname;
} UpCtx;

static void
up_ctx_free (UpCtx *c)
{
  g_clear_object (&c->netlink);
  g_free (c->ifname);
  g_free (c);
}

static void
up_ready (MxNetlink *netlink, GAsyncResult *res, GTask *task)
{
  UpCtx *c = g_task_get_task_data (task);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  replies = mx_rtnl_link_request_finish (netlink, res, &error);
  if (!replies) {
    g_prefix_error (&error, "Could not bring %s up: ", c->ifname);
    g_task_return_error (task, g_steal_pointer (&error));
  } else {
    g_task_return_boolean (task, TRUE);
  }
  g_object_unref (task);
}

static void
send_up (GTask *task)
{
  UpCtx *c = g_task_get_task_data (task);
  guint8 buf[MX_RTNL_BUF_SIZE];

  mx_rtnl_link_request_async (c->netlink, mx_rtnl_link_set_up (buf, c->ifindex, TRUE), NULL,
                              g_task_get_cancellable (task), (GAsyncReadyCallback) up_ready, task);
}

static void
mtu_ready (MxNetlink *netlink, GAsyncResult *res, GTask *task)
{
  UpCtx *c = g_task_get_task_data (task);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  replies = mx_rtnl_link_request_finish (netlink, res, &error);
  if (!replies) {
    g_prefix_error (&error, "Could not set the MTU of %s to %u: ", c->ifname, c->mtu);
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  send_up (task);
}

/* The link map's view first (no syscall), the kernel's otherwise; 0: gone. */
static guint32
netdev_ifindex (MxLinkMap *map, const gchar *ifname)
{
  guint32 ifindex = map ? mx_link_map_get_ifindex (map, ifname) : 0;

  return ifindex ? ifindex : if_nametoindex (ifname);
}

void
mx_data_port_netdev_up (MxNetlink          *netlink,
                        MxLinkMap          *map,
                        const gchar        *ifname,
                        guint               mtu,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  UpCtx *c = g_new0 (UpCtx, 1);
  guint8 buf[MX_RTNL_BUF_SIZE];
  const MxLink *link;

  g_task_set_source_tag (task, mx_data_port_netdev_up);
  c->netlink = g_object_ref (netlink);
  c->ifname = g_strdup (ifname);
  c->mtu = mtu;
  c->ifindex = netdev_ifindex (map, ifname);
  g_task_set_task_data (task, c, (GDestroyNotify) up_ctx_free);
  if (!c->ifindex) {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
                             "Network interface %s does not exist", ifname);
    g_object_unref (task);
    return;
  }
  if (mtu) {
    mx_rtnl_link_request_async (netlink, mx_rtnl_link_set_mtu (buf, c->ifindex, mtu), NULL,
                                cancellable, (GAsyncReadyCallback) mtu_ready, task);
    return;
  }
  if (map && (link = mx_link_map_lookup_ifindex (map, c->ifindex)) && (link->ifi_flags & IFF_UP)) {
    /* Up already (the map follows the kernel's link events): the lower of
     * the second and later multiplexed bearers; no netlink round trip. */
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  send_up (task);
}

gboolean
mx_data_port_netdev_up_finish (GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ---- acquire ---- */

typedef struct {
  MxDataFormatGoal goal;
  gboolean         prepare;       /* mx_data_port_prepare(): no session */
  gboolean         multiplexed;
  QmiClientWda    *wda;
  GError          *error;   /* held while the lower is brought back up */
  gboolean         was_up;  /* the lower before a framing switch took it down */
} AcquireCtx;

static void
acquire_ctx_free (AcquireCtx *c)
{
  g_clear_object (&c->wda);
  g_clear_error (&c->error);
  g_free (c);
}

/* A preparation the modem refused: the acquires that queued behind it for
 * the same goal take its (named) error rather than ask again at once; later
 * ones, and all after a timeout, negotiate afresh. */
static void
share_failure (MxDataPort *self, MxDataFormatGoal goal, const GError *error)
{
  GList *l = self->pending.head;

  while (l) {
    GList *next = l->next;
    GTask *waiting = l->data;
    AcquireCtx *w = g_task_get_task_data (waiting);

    if (!w->prepare && w->goal == goal) {
      g_queue_delete_link (&self->pending, l);
      g_task_return_error (waiting, g_error_copy (error));
      g_object_unref (waiting);
    }
    l = next;
  }
}

static void
acquire_done (MxDataPort *self, GTask *task, GError *error)
{
  AcquireCtx *c = g_task_get_task_data (task);

  if (c->prepare) {
    if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_message ("data format of %s not prepared: %s", self->name, error->message);
      /* A request that got no answer may get one now: those ask again. */
      if (!g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        share_failure (self, c->goal, error);
    }
    g_clear_error (&error);
    g_task_return_boolean (task, TRUE);
  } else if (error) {
    g_task_return_error (task, error);
  } else {
    self->lower_pending = FALSE;
    self->n_sessions++;
    if (!c->multiplexed)
      self->n_plain++;
    self->sessions_multiplexed = c->multiplexed;
    g_signal_emit (self, changed_signal, 0);
    g_task_return_boolean (task, TRUE);
  }
  g_object_unref (task);
  self->busy = FALSE;
  process_next (self);
}

static void
lower_up_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxDataPort *self = g_task_get_source_object (task);
  GError *error = NULL;

  mx_data_port_netdev_up_finish (res, &error);
  acquire_done (self, task, error);
}

static void
lower_up (MxDataPort *self, GTask *task, guint mtu)
{
  /* rmnet does not propagate the lower's state: the lower must be up for
   * any link on it to pass traffic, and nobody else brings it up. */
  mx_data_port_netdev_up (self->netlink, mx_link_manager_get_map (self->links), self->name, mtu,
                          g_task_get_cancellable (task), lower_up_ready, task);
}

/* The lower up with the MTU the negotiated format needs. */
static void
lower_up_for_format (MxDataPort *self, GTask *task)
{
  lower_up (self, task, mx_data_format_lower_mtu (self->profile, &self->format));
}

/* ---- qmi_wwan framing ---- */

/* With qmimux links qmi_wwan does the QMAP framing itself: the lower stays
 * plain raw-IP (no pass-through) while the modem speaks QMAP. */
static MxQmiWwanFormat
qmi_wwan_want (MxDataPort *self)
{
  if (mx_data_port_uses_qmimux (self))
    return MX_QMI_WWAN_FORMAT_RAW_IP;
  return mx_data_format_qmi_wwan_mode (&self->format);
}

/* qmi_wwan frames packets by its qmi/raw_ip and qmi/pass_through switches,
 * whatever the modem was told: they must follow the negotiated format
 * (pass_through for rmnet on top, raw_ip for one raw-IP session), and
 * raw_ip only changes while the netdev is down. */

/* Whether @ifname is administratively up, in the kernel's word (sysfs
 * flags: the link map holds virtual links, not their physical lowers). */
static gboolean
netdev_is_up (const gchar *ifname)
{
  g_autofree gchar *path = g_build_filename ("/sys/class/net", ifname, "flags", NULL);
  g_autofree gchar *flags = NULL;

  if (!g_file_get_contents (path, &flags, NULL, NULL))
    return TRUE; /* unknown: as before the switch was tried, up */
  return (g_ascii_strtoull (flags, NULL, 16) & IFF_UP) != 0;
}

static void
qmi_wwan_restored (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  AcquireCtx *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!mx_data_port_netdev_up_finish (res, &error))
    g_warning ("%s", error->message);
  acquire_done (g_task_get_source_object (task), task, g_steal_pointer (&c->error));
}

static void
qmi_wwan_switched (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxDataPort *self = g_task_get_source_object (task);
  MxQmiWwanFormat want = qmi_wwan_want (self);
  GError *error = NULL;

  if (!mx_qmimux_set_format_finish (res, &error)) {
    AcquireCtx *c = g_task_get_task_data (task);

    g_prefix_error (&error, "Could not switch %s to %s framing: ", self->name,
                    mx_qmi_wwan_format_to_string (want));
    /* The modem was told a format qmi_wwan does not frame: forget it, so
     * the next attempt negotiates and switches again. */
    mx_data_port_reset (self);
    if (!c->was_up) {
      acquire_done (self, task, error);
      return;
    }
    /* Not left down by us: up again, in its old framing. */
    c->error = error;
    mx_data_port_netdev_up (self->netlink, mx_link_manager_get_map (self->links), self->name, 0,
                            NULL, qmi_wwan_restored, task);
    return;
  }
  g_info ("qmi_wwan port %s switched to %s framing", self->name, mx_qmi_wwan_format_to_string (want));
  lower_up_for_format (self, task);
}

static void
qmi_wwan_down_ready (MxNetlink *netlink, GAsyncResult *res, GTask *task)
{
  MxDataPort *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) replies = NULL;
  GError *error = NULL;

  replies = mx_rtnl_link_request_finish (netlink, res, &error);
  if (!replies) {
    g_prefix_error (&error, "Could not bring %s down to switch its framing: ", self->name);
    acquire_done (self, task, error);
    return;
  }
  mx_qmimux_set_format_async (NULL, self->name, qmi_wwan_want (self),
                              g_task_get_cancellable (task), qmi_wwan_switched, task);
}

static void
qmi_wwan_frame (MxDataPort *self, GTask *task)
{
  AcquireCtx *c = g_task_get_task_data (task);
  MxQmiWwanFormat want = qmi_wwan_want (self);
  MxQmiWwanFormat current;
  GError *error = NULL;
  guint32 ifindex;
  guint8 buf[MX_RTNL_BUF_SIZE];

  current = mx_qmimux_get_format (NULL, self->name, &error);
  if (current == MX_QMI_WWAN_FORMAT_UNKNOWN) {
    g_prefix_error (&error, "Cannot set the framing of %s: ", self->name);
    acquire_done (self, task, error);
    return;
  }
  if (current == want) {
    lower_up_for_format (self, task);
    return;
  }
  ifindex = netdev_ifindex (mx_link_manager_get_map (self->links), self->name);
  if (!ifindex) {
    acquire_done (self, task, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_NOT_FOUND,
                                           "Network interface %s does not exist", self->name));
    return;
  }
  c->was_up = netdev_is_up (self->name);
  g_debug ("qmi_wwan port %s: %s framing, %s wanted", self->name,
           mx_qmi_wwan_format_to_string (current), mx_qmi_wwan_format_to_string (want));
  mx_rtnl_link_request_async (self->netlink, mx_rtnl_link_set_up (buf, ifindex, FALSE), NULL,
                              g_task_get_cancellable (task),
                              (GAsyncReadyCallback) qmi_wwan_down_ready, task);
}

/* The lower as the negotiated format needs it: framing, MTU, up. */
static void
configure_lower (MxDataPort *self, GTask *task)
{
  if (self->profile->qmi_wwan_framing)
    qmi_wwan_frame (self, task);
  else
    lower_up_for_format (self, task);
}

static void
negotiate_ready (QmiClientWda *wda, GAsyncResult *res, GTask *task)
{
  MxDataPort *self = g_task_get_source_object (task);
  AcquireCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  MxDataFormat format;

  if (!mx_data_format_negotiate_finish (res, &format, &error)) {
    g_prefix_error (&error, "Data format setup on %s failed: ", self->name);
    acquire_done (self, task, error);
    return;
  }
  self->have_format = TRUE;
  self->format = format;
  self->negotiated_goal = c->goal;
  c->multiplexed = mx_data_format_is_qmap (&format);
  if (c->goal == MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED && !c->multiplexed)
    g_message ("multiplex=requested on %s: the modem accepted no QMAP format, "
               "connecting without multiplexing", self->name);
  if (c->prepare) {
    self->lower_pending = TRUE;
    acquire_done (self, task, NULL);
    return;
  }
  configure_lower (self, task);
}

static void
negotiate (MxDataPort *self, GTask *task, QmiClientDpm *dpm)
{
  AcquireCtx *c = g_task_get_task_data (task);
  MxDataFormatRequest req = {
    .profile = *self->profile,
    .endpoint = self->endpoint,
    .always_send_endpoint = self->over_qrtr || self->profile->always_send_endpoint,
    .port_kind = mx_data_driver_class_to_string (self->profile->driver_class),
    .goal = c->goal,
  };

  mx_data_format_negotiate (c->wda, dpm, &req, g_task_get_cancellable (task),
                            (GAsyncReadyCallback) negotiate_ready, task);
}

static void
dpm_client_ready (MxQmiPort *qmi, GAsyncResult *res, GTask *task)
{
  MxDataPort *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(QmiClient) dpm = mx_qmi_port_get_client_finish (qmi, res, &error);

  if (!dpm)
    g_message ("no DPM service on the modem (%s): skipping DPM Open Port", error->message);
  negotiate (self, task, dpm ? QMI_CLIENT_DPM (dpm) : NULL);
}

static void
wda_client_ready (MxQmiPort *qmi, GAsyncResult *res, GTask *task)
{
  MxDataPort *self = g_task_get_source_object (task);
  AcquireCtx *c = g_task_get_task_data (task);
  GError *error = NULL;
  QmiClient *wda = mx_qmi_port_get_client_finish (qmi, res, &error);

  if (!wda) {
    g_prefix_error (&error, "Data format setup on %s failed: no WDA client: ", self->name);
    acquire_done (self, task, error);
    return;
  }
  c->wda = QMI_CLIENT_WDA (wda);
  if (self->profile->dpm_open_port) {
    mx_qmi_port_get_client (self->qmi, QMI_SERVICE_DPM, MX_QMI_CLIENT_SHARED,
                            g_task_get_cancellable (task),
                            (GAsyncReadyCallback) dpm_client_ready, task);
    return;
  }
  negotiate (self, task, NULL);
}

typedef enum { DECIDE_OK, DECIDE_NEGOTIATE, DECIDE_FAIL } Decision;

static Decision
decide (MxDataPort *self, MxDataFormatGoal goal, gboolean *multiplexed, GError **error)
{
  gboolean qmap;

  if (self->profile->driver_class == MX_DATA_DRIVER_CLASS_MBIM) {
    /* MBIM: no data format to negotiate; multiplexed sessions each have a
     * link (any number, the session-id policy limits them), and one
     * session 0 runs on the netdev itself. */
    *multiplexed = goal != MX_DATA_FORMAT_GOAL_RAW_IP;
    if (*multiplexed || !self->n_plain)
      return DECIDE_OK;
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_TOO_MANY,
                 "%s already carries a non-multiplexed bearer; without multiplexing "
                 "a data port carries one", self->name);
    return DECIDE_FAIL;
  }
  if (!self->have_format)
    return DECIDE_NEGOTIATE;
  qmap = mx_data_format_is_qmap (&self->format);
  *multiplexed = qmap;

  if (qmap && goal != MX_DATA_FORMAT_GOAL_RAW_IP)
    return DECIDE_OK;
  if (qmap) {
    if (self->n_sessions == 0)
      return DECIDE_NEGOTIATE;
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                 "Cannot connect without multiplexing on %s: %u multiplexed bearer(s) "
                 "use the port, and the data format is per port", self->name, self->n_sessions);
    return DECIDE_FAIL;
  }
  /* The port runs without QMAP. */
  if (goal != MX_DATA_FORMAT_GOAL_RAW_IP && self->n_sessions == 0 &&
      self->negotiated_goal == MX_DATA_FORMAT_GOAL_RAW_IP)
    return DECIDE_NEGOTIATE;   /* set up for "none" before; QMAP never tried */
  if (goal == MX_DATA_FORMAT_GOAL_MULTIPLEX) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                 self->n_sessions ?
                 "Multiplexing required but %s carries a non-multiplexed bearer" :
                 "Multiplexing required but the modem accepted no QMAP data format on %s",
                 self->name);
    return DECIDE_FAIL;
  }
  if (self->n_sessions) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_TOO_MANY,
                 "%s already carries a non-multiplexed bearer; without multiplexing "
                 "a data port carries one", self->name);
    return DECIDE_FAIL;
  }
  return DECIDE_OK;
}

static void
process_next (MxDataPort *self)
{
  GTask *task;
  AcquireCtx *c;
  GError *error = NULL;

  if (self->busy || g_queue_is_empty (&self->pending))
    return;
  task = g_queue_pop_head (&self->pending);
  c = g_task_get_task_data (task);
  self->busy = TRUE;

  if (g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    self->busy = FALSE;
    process_next (self);
    return;
  }
  if (c->prepare && self->have_format) {
    acquire_done (self, task, NULL);
    return;
  }
  switch (decide (self, c->goal, &c->multiplexed, &error)) {
  case DECIDE_OK:
    if (self->lower_pending)
      configure_lower (self, task);
    else
      lower_up (self, task, 0);
    return;
  case DECIDE_FAIL:
    acquire_done (self, task, error);
    return;
  case DECIDE_NEGOTIATE:
  default:
    mx_qmi_port_get_client (self->qmi, QMI_SERVICE_WDA, MX_QMI_CLIENT_SHARED,
                            g_task_get_cancellable (task),
                            (GAsyncReadyCallback) wda_client_ready, task);
    return;
  }
}

void
mx_data_port_acquire (MxDataPort         *self,
                      MxDataFormatGoal    goal,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  AcquireCtx *c = g_new0 (AcquireCtx, 1);

  c->goal = goal;
  /* Errors name the step that was cut (see mx_data_format_negotiate). */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, c, (GDestroyNotify) acquire_ctx_free);
  g_queue_push_tail (&self->pending, task);
  process_next (self);
}

void
mx_data_port_prepare (MxDataPort *self, MxDataFormatGoal goal, GCancellable *cancellable)
{
  GTask *task = g_task_new (self, cancellable, NULL, NULL);
  AcquireCtx *c = g_new0 (AcquireCtx, 1);

  c->goal = goal;
  c->prepare = TRUE;
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, c, (GDestroyNotify) acquire_ctx_free);
  g_queue_push_tail (&self->pending, task);
  process_next (self);
}

gboolean
mx_data_port_acquire_finish (MxDataPort *self, GAsyncResult *res, gboolean *multiplexed, GError **error)
{
  AcquireCtx *c = g_task_get_task_data (G_TASK (res));

  if (!g_task_propagate_boolean (G_TASK (res), error))
    return FALSE;
  if (multiplexed)
    *multiplexed = c->multiplexed;
  return TRUE;
}

void
mx_data_port_release (MxDataPort *self, gboolean multiplexed)
{
  g_return_if_fail (self->n_sessions > 0);
  self->n_sessions--;
  if (!multiplexed && self->n_plain)
    self->n_plain--;
  g_signal_emit (self, changed_signal, 0);
}

void
mx_data_port_adopt_session (MxDataPort *self, const MxDataFormat *format)
{
  if (!self->have_format) {
    self->format = *format;
    self->have_format = TRUE;
    self->negotiated_goal = MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED;
  }
  self->n_sessions++;
  self->sessions_multiplexed = TRUE;
  g_signal_emit (self, changed_signal, 0);
}

void
mx_data_port_reset (MxDataPort *self)
{
  self->have_format = FALSE;
  self->lower_pending = FALSE;
  memset (&self->format, 0, sizeof self->format);
  g_signal_emit (self, changed_signal, 0);
}

/* ---- accessors ---- */

const gchar *mx_data_port_get_name (MxDataPort *self) { return self->name; }
const MxDataProfile *mx_data_port_get_profile (MxDataPort *self) { return self->profile; }

gboolean
mx_data_port_uses_qmimux (MxDataPort *self)
{
  return self->profile->prefer_qmimux && (self->profile->link_kinds & MX_DATA_LINK_QMIMUX) &&
         mx_data_format_is_qmap (&self->format);
}
const MxDataEndpoint *mx_data_port_get_endpoint (MxDataPort *self) { return &self->endpoint; }
guint mx_data_port_get_n_sessions (MxDataPort *self) { return self->n_sessions; }

const gchar *
mx_data_port_get_driver_name (MxDataPort *self)
{
  return mx_data_driver_class_to_string (self->profile->driver_class);
}

const MxDataFormat *
mx_data_port_peek_format (MxDataPort *self)
{
  return self->have_format ? &self->format : NULL;
}

gboolean
mx_data_port_is_multiplexed (MxDataPort *self)
{
  return self->have_format && mx_data_format_is_qmap (&self->format);
}

guint
mx_data_port_get_max_links (MxDataPort *self)
{
  guint max = (guint) (MX_MUX_ID_MAX - MX_MUX_ID_MIN + 1);

  if (self->profile->mbim_session_first >= 0 &&
      (self->profile->link_kinds & (MX_DATA_LINK_WWAN | MX_DATA_LINK_VLAN))) {
    /* MBIM: one link per session id of the port's range. */
    max = (guint) (MAX (self->profile->mbim_session_last, self->profile->mbim_session_first) -
                   self->profile->mbim_session_first + 1);
  } else if (!mx_data_profile_can_link (self->profile, MX_DATA_LINK_RMNET)) {
    return 0;
  }
  /* The tag, as the link manager's allocator enforces it (0: none). */
  if (self->profile->max_links >= 0)
    max = MIN (max, (guint) self->profile->max_links);
  return max;
}

void
mx_data_port_get_rmnet_flags (MxDataPort *self, guint32 *flags, guint32 *mask)
{
  mx_data_format_rmnet_flags (self->profile, &self->format, flags, mask);
}

/* ---- object ---- */

/* The port's ID_MM_INITIAL_QMAP_MUX_ID and ID_MM_MAX_MULTIPLEXED_LINKS reach
 * the link manager's allocator here, for as long as this data port lives. */
static void
apply_mux_id_tags (MxDataPort *self)
{
  MxMuxIdPolicy policy;

  mx_port_get_mux_id_policy (self->port, &policy);
  mx_link_manager_set_mux_id_policy (self->links, self->name, &policy, self);
  if (self->profile->initial_mux_id >= 0 || self->profile->max_links >= 0)
    g_info ("data port %s: mux ids from %u, at most %u links (udev tags)", self->name,
            policy.first, policy.max_links);
}

MxDataPort *
mx_data_port_new (MxPort        *port,
                  MxQmiPort     *qmi,
                  gboolean       over_qrtr,
                  MxLinkManager *links,
                  MxNetlink     *netlink)
{
  MxDataPort *self = g_object_new (MX_TYPE_DATA_PORT, NULL);
  g_autofree gchar *links_desc = NULL;

  self->port = mx_port_ref (port);
  self->profile = &self->port->profile;
  self->qmi = qmi ? g_object_ref (qmi) : NULL;   /* NULL: an MBIM modem (no WDA) */
  self->links = g_object_ref (links);
  self->netlink = g_object_ref (netlink);
  self->name = g_strdup (mx_port_get_name (port));
  self->over_qrtr = over_qrtr;
  /* The plugin computed it once; unmapped ports keep UNKNOWN (no data path). */
  self->endpoint.type = self->profile->endpoint_type;
  self->endpoint.iface = self->profile->endpoint_interface >= 0 ?
                         (guint32) self->profile->endpoint_interface : 0;
  links_desc = mx_data_link_kinds_to_string (self->profile->link_kinds);
  g_debug ("data port %s: %s, endpoint %s/%u, links %s, raw-ip %s, multiplex default %s",
           self->name, mx_data_port_get_driver_name (self),
           mx_endpoint_type_to_string (self->endpoint.type), self->endpoint.iface, links_desc,
           self->profile->raw_ip ? "yes" : "no",
           mx_multiplex_default_to_string (self->profile->multiplex));
  apply_mux_id_tags (self);
  return self;
}

static void
mx_data_port_dispose (GObject *object)
{
  MxDataPort *self = MX_DATA_PORT (object);
  GTask *task;

  while ((task = g_queue_pop_head (&self->pending))) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "data port going away");
    g_object_unref (task);
  }
  g_clear_object (&self->qmi);
  if (self->links)
    mx_link_manager_clear_mux_id_policy (self->links, self->name, self);
  g_clear_object (&self->links);
  g_clear_object (&self->netlink);
  g_clear_pointer (&self->port, mx_port_unref);
  G_OBJECT_CLASS (mx_data_port_parent_class)->dispose (object);
}

static void
mx_data_port_finalize (GObject *object)
{
  MxDataPort *self = MX_DATA_PORT (object);

  g_free (self->name);
  G_OBJECT_CLASS (mx_data_port_parent_class)->finalize (object);
}

static void
mx_data_port_init (MxDataPort *self)
{
  g_queue_init (&self->pending);
}

static void
mx_data_port_class_init (MxDataPortClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_data_port_dispose;
  object_class->finalize = mx_data_port_finalize;
  changed_signal = g_signal_new (MX_DATA_PORT_SIGNAL_CHANGED, G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}
