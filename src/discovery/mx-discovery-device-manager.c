/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <string.h>
#include "mx-discovery-at-probe.h"
#include "mx-discovery-device-manager.h"
#include "mx-discovery-error.h"
#include "mx-discovery-port-policy.h"
#include "mx-discovery-port-probe.h"
#include "mx-discovery-qrtr-pairing.h"
#include "mx-discovery-qrtr-source.h"
#include "mx-discovery-udev-source.h"

/* One accepted port and what grouping needs to know about it, computed
 * once when the port arrives (sysfs is read only then). */
typedef struct {
  MxPort *port;
  gchar  *base_uid;       /* group uid; NULL for QRTR nodes and links */
  gboolean soc;
  gboolean ipcr;
  gint    explicit_node;
} Entry;

struct _MxDeviceManager {
  GObject                 parent;
  const MxPlugin * const *plugins;
  MxDeviceManagerOptions  options;
  gchar                  *sysfs_root;
  gchar                  *dev_dir;
  MxLinkMap              *link_map;
  MxUdevSource           *udev;
  MxQrtrSource           *qrtr;
  GCancellable           *cancellable;
  GHashTable             *entries;    /* "subsystem/name" -> Entry */
  GHashTable             *probing;    /* "subsystem/name" -> GCancellable */
  GHashTable             *devices;    /* uid -> MxDevice (ready or not) */
  GHashTable             *announced;  /* MxDevice set */
  gboolean                was_settled;
};

enum { SIGNAL_DEVICE_ADDED, SIGNAL_DEVICE_REMOVED, SIGNAL_DEVICE_CHANGED, SIGNAL_SETTLED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxDeviceManager, mx_device_manager, G_TYPE_OBJECT)

static void regroup (MxDeviceManager *self);

void
mx_device_manager_options_init (MxDeviceManagerOptions *options)
{
  *options = (MxDeviceManagerOptions) {
    .probe = TRUE,
    .probe_via_proxy = TRUE,
    .probe_timeout_s = MX_PORT_PROBE_TIMEOUT_DEFAULT_S,
    .probe_retries = MX_PORT_PROBE_RETRIES_DEFAULT,
    .qrtr_services_timeout_ms = MX_QRTR_SERVICES_TIMEOUT_DEFAULT_MS,
  };
}

static void
entry_free (Entry *entry)
{
  mx_port_unref (entry->port);
  g_free (entry->base_uid);
  g_free (entry);
}

static gchar *
key_for (const char *subsystem, const char *name)
{
  return g_strconcat (subsystem, "/", name, NULL);
}

gboolean
mx_device_manager_is_settled (MxDeviceManager *self)
{
  return g_hash_table_size (self->probing) == 0 && !(self->qrtr && mx_qrtr_source_is_busy (self->qrtr));
}

static void
check_settled (MxDeviceManager *self)
{
  gboolean settled = mx_device_manager_is_settled (self);

  if (settled && !self->was_settled)
    g_signal_emit (self, signals[SIGNAL_SETTLED], 0);
  self->was_settled = settled;
}

/* ---- accepting ports ---------------------------------------------------- */

static gchar *
compute_base_uid (MxDeviceManager *self, MxKernelDevice *kdev)
{
  const char *uid = mx_kernel_device_get_event_uid (kdev);

  if (uid)
    return g_strdup (uid);
  for (guint i = 0; self->plugins[i]; i++) {
    gchar *plugin_uid;

    if (!self->plugins[i]->group_uid)
      continue;
    plugin_uid = self->plugins[i]->group_uid (self->plugins[i], kdev);
    if (plugin_uid)
      return plugin_uid;
  }
  return g_strdup (mx_kernel_device_get_physdev_uid (kdev));
}

static void
insert_entry (MxDeviceManager *self, MxPort *port)
{
  Entry *entry = g_new0 (Entry, 1);
  MxKernelDevice *kdev = port->kdev;
  g_autofree gchar *soc_uid = NULL;
  g_autofree gchar *ipcr = NULL;

  entry->port = mx_port_ref (port);
  entry->explicit_node = -1;
  if (port->role != MX_PORT_ROLE_LINK && !mx_kernel_device_is_qrtr (kdev)) {
    entry->base_uid = compute_base_uid (self, kdev);
    soc_uid = mx_qrtr_pairing_soc_uid (kdev);
    entry->soc = soc_uid != NULL;
    ipcr = mx_qrtr_pairing_ipcr_channel (kdev);
    entry->ipcr = ipcr != NULL;
    entry->explicit_node = mx_qrtr_pairing_explicit_node (kdev);
  }
  g_hash_table_replace (self->entries,
                        key_for (mx_kernel_device_get_subsystem (kdev), mx_port_get_name (port)),
                        entry);
}

typedef struct {
  MxDeviceManager *self;
  MxPort          *port;
  gchar           *key;
  guint            failures;     /* QMI probes of this port that failed so far */
  GCancellable    *cancellable;  /* the probe's, held while a retry waits */
  guint            retry_id;
  gulong           cancel_id;
} ProbeContext;

static void
probe_context_free (ProbeContext *ctx)
{
  g_clear_object (&ctx->cancellable);
  mx_port_unref (ctx->port);
  g_free (ctx->key);
  g_object_unref (ctx->self);
  g_free (ctx);
}

static void probe_ready (GObject *source, GAsyncResult *res, gpointer user_data);

static void
start_qmi_probe (ProbeContext *ctx, GCancellable *cancellable)
{
  MxDeviceManager *self = ctx->self;

  g_debug ("%s: probing for QMI", mx_port_get_name (ctx->port));
  mx_port_probe_qmi (ctx->port->kdev, self->dev_dir, self->options.probe_timeout_s,
                     self->options.probe_via_proxy, cancellable, probe_ready, ctx);
}

/* The port went or changed while its retry waited (runs inside
 * g_cancellable_cancel(); the cancellable, still in the probing table, is
 * never cancelled twice, so the handler is not disconnected). */
static void
retry_cancelled (GCancellable *cancellable, ProbeContext *ctx)
{
  g_source_remove (ctx->retry_id);
  probe_context_free (ctx);
}

static gboolean
retry_cb (gpointer user_data)
{
  ProbeContext *ctx = user_data;
  g_autoptr(GCancellable) cancellable = g_steal_pointer (&ctx->cancellable);

  ctx->retry_id = 0;
  g_cancellable_disconnect (cancellable, ctx->cancel_id);
  ctx->cancel_id = 0;
  start_qmi_probe (ctx, cancellable);
  return G_SOURCE_REMOVE;
}

/* A QMI port that did not answer may only not answer *yet*: qmi-proxy
 * still starting (libqmi gives a spawned proxy about a second), a device
 * still booting its firmware. It is probed again after 1, 2, 4, ... s, up
 * to options.probe_retries times, on the main loop; an event for the port
 * starts over. The port counts as probing (not settled) meanwhile. */
static gboolean
schedule_retry (ProbeContext *ctx, const GError *error)
{
  MxDeviceManager *self = ctx->self;
  GCancellable *cancellable = g_hash_table_lookup (self->probing, ctx->key);
  guint delay_s;

  if (ctx->failures >= self->options.probe_retries || !cancellable)
    return FALSE;
  delay_s = MX_PORT_PROBE_RETRY_DELAY_S << MIN (ctx->failures, 8);
  ctx->failures++;
  g_message ("%s: no QMI answer yet (%s); probing again in %u s (retry %u of %u)",
             mx_port_get_name (ctx->port), error->message, delay_s, ctx->failures,
             self->options.probe_retries);
  ctx->cancellable = g_object_ref (cancellable);
  ctx->retry_id = g_timeout_add_seconds (delay_s, retry_cb, ctx);
  ctx->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (retry_cancelled), ctx, NULL);
  return TRUE;
}

static void
probe_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ProbeContext *ctx = user_data;
  MxDeviceManager *self = ctx->self;
  g_autoptr(GError) error = NULL;

  if (!mx_port_probe_qmi_finish (res, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      /* Superseded by a newer event or shutdown: the canceller cleaned up. */
      goto out;
    }
    if (schedule_retry (ctx, error))
      return;
    if (ctx->failures)
      g_message ("%s: not used as a control port: %s (after %u retries)",
                 mx_port_get_name (ctx->port), error->message, ctx->failures);
    else
      g_message ("%s: not used as a control port: %s", mx_port_get_name (ctx->port), error->message);
    g_hash_table_remove (self->probing, ctx->key);
  } else {
    g_hash_table_remove (self->probing, ctx->key);
    ctx->port->probe = MX_PROBE_OK;
    if (ctx->failures)
      g_message ("%s: answered QMI at retry %u", mx_port_get_name (ctx->port), ctx->failures);
    insert_entry (self, ctx->port);
    regroup (self);
  }
  check_settled (self);
out:
  probe_context_free (ctx);
}

static void
cancel_probe (MxDeviceManager *self, const char *key)
{
  GCancellable *cancellable = g_hash_table_lookup (self->probing, key);

  if (cancellable) {
    g_cancellable_cancel (cancellable);
    g_hash_table_remove (self->probing, key);
  }
}

/* AT ports join their device at once (QMI start-up never waits for them)
 * and are confirmed with `AT` -> `OK` in the background; the answer
 * replaces the port with one carrying the result, so the device changes. */
static void
at_probe_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ProbeContext *ctx = user_data;
  MxDeviceManager *self = ctx->self;
  g_autoptr(GError) error = NULL;
  gboolean ok = mx_at_probe_finish (res, &error);

  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    goto out;
  g_hash_table_remove (self->probing, ctx->key);
  if (g_hash_table_contains (self->entries, ctx->key)) {
    g_autoptr(MxPort) port = mx_port_new (ctx->port->kdev, ctx->port->type, ctx->port->role);

    port->type_source = ctx->port->type_source;
    port->probe = ok ? MX_PROBE_OK : MX_PROBE_FAILED;
    if (ok)
      g_debug ("%s: answered AT", mx_port_get_name (port));
    else
      g_message ("%s: not used as an AT port: %s", mx_port_get_name (port), error->message);
    insert_entry (self, port);
    regroup (self);
  }
  check_settled (self);
out:
  probe_context_free (ctx);
}

static void
start_at_probe (MxDeviceManager *self, MxPort *port, const char *key)
{
  ProbeContext *ctx = g_new0 (ProbeContext, 1);
  GCancellable *cancellable = g_cancellable_new ();

  ctx->self = g_object_ref (self);
  ctx->port = mx_port_ref (port);
  ctx->key = g_strdup (key);
  g_hash_table_insert (self->probing, g_strdup (key), cancellable);
  self->was_settled = FALSE;
  g_debug ("%s: probing for AT", mx_port_get_name (port));
  mx_at_probe (port->kdev, self->dev_dir, MX_AT_PROBE_TIMEOUT_DEFAULT_MS, cancellable,
               at_probe_ready, ctx);
}

/* The default netdev of a wwan device (mhi_wwan_mbim's "wwan0" below
 * .../wwan/wwan0/net/) is its data port, not a link: as ModemManager, a wwan
 * netdev whose name appears in its wwan device's sysfs path. */
static gboolean
is_default_wwan_netdev (MxKernelDevice *kdev)
{
  const char *path = mx_kernel_device_get_sysfs_path (kdev);
  g_autofree gchar *net_dir = path ? g_path_get_dirname (path) : NULL;
  g_autofree gchar *wwan_dir = net_dir ? g_path_get_dirname (net_dir) : NULL;

  return wwan_dir && strstr (wwan_dir, mx_kernel_device_get_name (kdev)) != NULL;
}

/* Every netdev of a wwan device sits below it (.../wwan/wwan0/net/<name>);
 * all but its default one are links someone created with rtnetlink (`ip
 * link add ... parentdev wwan0 type wwan linkid N`). The sysfs view, for
 * when the netlink view is not there (yet): lower is the wwan device. */
static gboolean
is_extra_wwan_netdev (MxKernelDevice *kdev, gchar **wwan_dev)
{
  const char *path = mx_kernel_device_get_sysfs_path (kdev);
  g_autofree gchar *net_dir = path ? g_path_get_dirname (path) : NULL;
  g_autofree gchar *wwan_dir = net_dir ? g_path_get_dirname (net_dir) : NULL;
  g_autofree gchar *class_dir = wwan_dir ? g_path_get_dirname (wwan_dir) : NULL;
  g_autofree gchar *class_name = class_dir ? g_path_get_basename (class_dir) : NULL;
  g_autofree gchar *net_name = net_dir ? g_path_get_basename (net_dir) : NULL;

  if (g_strcmp0 (class_name, "wwan") != 0 || g_strcmp0 (net_name, "net") != 0 ||
      is_default_wwan_netdev (kdev))
    return FALSE;
  *wwan_dev = g_path_get_basename (wwan_dir);
  return TRUE;
}

static gboolean
lookup_link (MxDeviceManager *self, MxKernelDevice *kdev, gchar **lower, gint *mux_id)
{
  const MxLink *link;

  if (!g_str_equal (mx_kernel_device_get_subsystem (kdev), "net"))
    return FALSE;
  *mux_id = -1;
  link = self->link_map ? mx_link_map_lookup_name (self->link_map, mx_kernel_device_get_name (kdev))
                        : NULL;
  if (!link || !(link->lower_name || link->parent_dev_name))
    return is_extra_wwan_netdev (kdev, lower);
  if (!link->lower_name && is_default_wwan_netdev (kdev))
    return FALSE;
  *lower = g_strdup (link->lower_name ? link->lower_name : link->parent_dev_name);
  *mux_id = link->mux_id;
  return TRUE;
}

gboolean
mx_device_manager_add_kernel_device (MxDeviceManager *self, MxKernelDevice *kdev, GError **error)
{
  const char *subsystem = mx_kernel_device_get_subsystem (kdev);
  const char *name = mx_kernel_device_get_name (kdev);
  g_autofree gchar *key = key_for (subsystem, name);
  g_autofree gchar *lower = NULL;
  gint mux_id = -1;
  gboolean is_link = lookup_link (self, kdev, &lower, &mux_id);
  MxPortPolicyResult policy;
  g_autoptr(MxPort) port = NULL;
  Entry *old;

  /* A change event or a re-announcement replaces what we had. */
  cancel_probe (self, key);
  if (!mx_port_policy_classify (kdev, is_link, &policy, error)) {
    if (g_hash_table_remove (self->entries, key))
      regroup (self);
    return FALSE;
  }
  port = mx_port_new (kdev, policy.type, policy.role);
  port->type_source = policy.source;
  port->lower = g_steal_pointer (&lower);
  port->mux_id = mux_id;

  /* A "change" of a port that already answered: keep it, no re-probe (a
   * re-probe would remove and re-add its device). */
  old = g_hash_table_lookup (self->entries, key);
  if (policy.needs_probe && old && old->port->probe == MX_PROBE_OK &&
      old->port->type == policy.type && old->port->role == policy.role) {
    port->probe = MX_PROBE_OK;
    insert_entry (self, port);
    regroup (self);
    return TRUE;
  }

  if (policy.needs_probe && self->options.probe) {
    ProbeContext *ctx = g_new0 (ProbeContext, 1);
    GCancellable *cancellable = g_cancellable_new ();

    if (g_hash_table_remove (self->entries, key))
      regroup (self);
    ctx->self = g_object_ref (self);
    ctx->port = mx_port_ref (port);
    ctx->key = g_strdup (key);
    g_hash_table_insert (self->probing, g_strdup (key), cancellable);
    self->was_settled = FALSE;
    start_qmi_probe (ctx, cancellable);
    return TRUE;
  }
  if (policy.needs_at_probe) {
    old = g_hash_table_lookup (self->entries, key);
    /* A "change" of an AT port keeps its answer. */
    if (old && old->port->type == policy.type && old->port->role == policy.role &&
        (old->port->probe == MX_PROBE_OK || old->port->probe == MX_PROBE_FAILED)) {
      port->probe = old->port->probe;
    } else {
      port->probe = self->options.probe ? MX_PROBE_PENDING : MX_PROBE_SKIPPED;
    }
    insert_entry (self, port);
    regroup (self);
    if (port->probe == MX_PROBE_PENDING)
      start_at_probe (self, port, key);
    return TRUE;
  }
  port->probe = policy.needs_probe ? MX_PROBE_SKIPPED : MX_PROBE_NOT_NEEDED;
  g_debug ("%s/%s: %s port, type %s (%s)", subsystem, name, mx_port_role_to_string (port->role),
           mx_port_type_to_string (port->type), port->type_source);
  insert_entry (self, port);
  regroup (self);
  return TRUE;
}

void
mx_device_manager_remove_kernel_device (MxDeviceManager *self, const char *subsystem,
                                        const char *name)
{
  g_autofree gchar *key = key_for (subsystem, name);

  cancel_probe (self, key);
  if (g_hash_table_remove (self->entries, key)) {
    g_debug ("%s: removed", key);
    regroup (self);
  }
  check_settled (self);
}

gboolean
mx_device_manager_add_qrtr_node (MxDeviceManager *self, guint32 node_id,
                                 const guint32 *services, guint n_services, GError **error)
{
  g_autoptr(MxKernelDevice) kdev = NULL;
  g_autoptr(GError) inner = NULL;

  if (!mx_qrtr_services_are_modem (services, n_services, &inner)) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_A_MODEM,
                 "QRTR node %u %s", node_id, inner->message);
    return FALSE;
  }
  kdev = mx_kernel_device_new_qrtr (node_id);
  return mx_device_manager_add_kernel_device (self, kdev, error);
}

void
mx_device_manager_remove_qrtr_node (MxDeviceManager *self, guint32 node_id)
{
  g_autofree gchar *name = g_strdup_printf ("qrtr%u", node_id);

  mx_device_manager_remove_kernel_device (self, MX_SUBSYSTEM_QRTR, name);
}

/* ---- grouping ----------------------------------------------------------- */

static GPtrArray *
group_for (GHashTable *groups, const char *uid)
{
  GPtrArray *ports = g_hash_table_lookup (groups, uid);

  if (!ports) {
    ports = g_ptr_array_new ();
    g_hash_table_insert (groups, g_strdup (uid), ports);
  }
  return ports;
}

static gint
uint_compare (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static void
group_qrtr_nodes (MxDeviceManager *self, GHashTable *groups, GPtrArray *nodes)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) candidates = g_array_new (FALSE, TRUE, sizeof (MxQrtrPairingGroup));
  g_autofree const char **uids = NULL;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < nodes->len; i++) {
    guint32 id = mx_kernel_device_get_qrtr_node (((MxPort *) g_ptr_array_index (nodes, i))->kdev);

    g_array_append_val (ids, id);
  }
  g_array_sort (ids, uint_compare);

  /* Each device with SoC or IPCR ports is a candidate for a node. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    Entry *entry = value;
    MxQrtrPairingGroup *found = NULL;

    if (!entry->base_uid || !(entry->soc || entry->ipcr || entry->explicit_node >= 0))
      continue;
    for (guint i = 0; i < candidates->len && !found; i++)
      if (g_str_equal (g_array_index (candidates, MxQrtrPairingGroup, i).uid, entry->base_uid))
        found = &g_array_index (candidates, MxQrtrPairingGroup, i);
    if (!found) {
      MxQrtrPairingGroup group = { .uid = entry->base_uid, .explicit_node = -1 };

      g_array_append_val (candidates, group);
      found = &g_array_index (candidates, MxQrtrPairingGroup, candidates->len - 1);
    }
    found->soc |= entry->soc;
    found->ipcr |= entry->ipcr;
    if (entry->explicit_node >= 0)
      found->explicit_node = entry->explicit_node;
  }

  uids = g_new0 (const char *, ids->len + 1);
  mx_qrtr_pairing_assign ((const guint32 *) (gpointer) ids->data, ids->len,
                          (const MxQrtrPairingGroup *) (gpointer) candidates->data,
                          candidates->len, uids);
  for (guint n = 0; n < ids->len; n++) {
    guint32 id = g_array_index (ids, guint32, n);
    g_autofree gchar *own = g_strdup_printf (MX_QRTR_UNPAIRED_UID_PREFIX "%u", id);

    for (guint i = 0; i < nodes->len; i++) {
      MxPort *port = g_ptr_array_index (nodes, i);

      if (mx_kernel_device_get_qrtr_node (port->kdev) == id)
        g_ptr_array_add (group_for (groups, uids[n] ? uids[n] : own), port);
    }
  }
}

/* The plugin is chosen by the device's own ports, never by the virtual
 * links on them: a link says nothing about the hardware, and letting each
 * of 64 links vote made every link event walk sysfs once per link (claims
 * read the ports' ancestors), quadratic in the number of links. */
static const MxPlugin *
choose_plugin (MxDeviceManager *self, GPtrArray *group)
{
  g_autoptr(GPtrArray) ports = g_ptr_array_sized_new (group->len);
  const MxPlugin *best = NULL;
  guint best_score = MX_PLUGIN_CLAIM_NONE;

  for (guint i = 0; i < group->len; i++) {
    MxPort *port = g_ptr_array_index (group, i);

    if (port->role != MX_PORT_ROLE_LINK)
      g_ptr_array_add (ports, port);
  }
  for (guint p = 0; self->plugins[p]; p++)
    for (guint i = 0; i < ports->len; i++) {
      guint score = self->plugins[p]->claim (self->plugins[p], g_ptr_array_index (ports, i), ports);

      if (score > best_score) {
        best_score = score;
        best = self->plugins[p];
      }
    }
  return best;
}

static gboolean
same_ports (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!g_ptr_array_find (b, g_ptr_array_index (a, i), NULL))
      return FALSE;
  return TRUE;
}

static void
sync_device (MxDeviceManager *self, const char *uid, GPtrArray *ports, const MxPlugin *plugin)
{
  MxDevice *device = g_hash_table_lookup (self->devices, uid);
  gboolean was_announced;
  gboolean changed;

  if (!device) {
    device = mx_device_new (uid);
    g_hash_table_insert (self->devices, g_strdup (uid), device);
  }
  was_announced = g_hash_table_contains (self->announced, device);
  changed = !same_ports (mx_device_peek_ports (device), ports) ||
            mx_device_get_plugin (device) != plugin;
  if (was_announced && mx_device_get_plugin (device) != plugin) {
    /* Another plugin drives it now: the control plane must start over. */
    g_hash_table_remove (self->announced, device);
    g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
    was_announced = FALSE;
  }
  mx_device_update (device, plugin, ports);
  if (mx_device_is_ready (device) && !was_announced) {
    g_info ("device %s: plugin %s, %u ports", uid, plugin->name, ports->len);
    g_hash_table_add (self->announced, g_object_ref (device));
    g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, device);
  } else if (!mx_device_is_ready (device) && was_announced) {
    g_info ("device %s: no usable control port left", uid);
    g_hash_table_remove (self->announced, device);
    g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
  } else if (was_announced && changed) {
    g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, device);
  }
}

static void
map_data_ports (MxDeviceManager *self, const MxPlugin *plugin, MxDevice *device)
{
  GPtrArray *ports = mx_device_peek_ports (device);
  /* Without a control port yet (it is being probed, or arrives later) there
   * is nothing to map to: not an error. */
  gboolean has_control = mx_device_get_primary_control_port (device) != NULL;

  for (guint i = 0; i < ports->len; i++) {
    MxPort *port = g_ptr_array_index (ports, i);
    g_autoptr(GError) error = NULL;

    if (port->role != MX_PORT_ROLE_DATA)
      continue;
    mx_port_clear_data_mapping (port);
    if (plugin && has_control && !plugin->map_data_port (plugin, device, port, &error)) {
      /* NOT_FOUND: its control port has not arrived (yet). */
      if (g_error_matches (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND))
        g_debug ("%s: data port not mapped yet: %s", mx_port_get_name (port), error->message);
      else
        g_message ("%s: data port not mapped by plugin %s: %s", mx_port_get_name (port),
                   plugin->name, error->message);
      mx_port_clear_data_mapping (port);
    }
  }
}

static void
regroup (MxDeviceManager *self)
{
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    Entry *entry = value;

    if (mx_kernel_device_is_qrtr (entry->port->kdev))
      g_ptr_array_add (nodes, entry->port);
    else if (entry->port->role != MX_PORT_ROLE_LINK && entry->base_uid)
      g_ptr_array_add (group_for (groups, entry->base_uid), entry->port);
  }
  group_qrtr_nodes (self, groups, nodes);

  /* Links join the device of their lower. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    Entry *entry = value;
    g_autofree gchar *lower_key = NULL;
    Entry *lower;

    if (entry->port->role != MX_PORT_ROLE_LINK)
      continue;
    lower_key = key_for ("net", entry->port->lower);
    lower = g_hash_table_lookup (self->entries, lower_key);
    if (!lower) {
      g_autofree gchar *wwan_key = key_for ("wwan", entry->port->lower);

      lower = g_hash_table_lookup (self->entries, wwan_key);
    }
    if (lower && lower->base_uid)
      g_ptr_array_add (group_for (groups, lower->base_uid), entry->port);
    else
      g_debug ("link %s: lower %s is not a known modem port; not attached",
               mx_port_get_name (entry->port), entry->port->lower);
  }

  /* Devices that lost all their ports. */
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (groups, key))
      g_ptr_array_add (gone, value);
  for (guint i = 0; i < gone->len; i++) {
    MxDevice *device = g_object_ref (g_ptr_array_index (gone, i));
    g_autoptr(GPtrArray) none = g_ptr_array_new ();

    mx_device_update (device, NULL, none);
    if (g_hash_table_remove (self->announced, device)) {
      g_info ("device %s removed", mx_device_get_uid (device));
      g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
    }
    g_hash_table_remove (self->devices, mx_device_get_uid (device));
    g_object_unref (device);
  }

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    const MxPlugin *plugin = choose_plugin (self, value);
    g_autoptr(MxDevice) scratch = mx_device_new (key);

    /* Map data ports on a scratch device first, so that port-added and
     * device-added listeners see complete ports. */
    mx_device_update (scratch, plugin, value);
    map_data_ports (self, plugin, scratch);
    sync_device (self, key, value, plugin);
  }
}

/* ---- sources ------------------------------------------------------------ */

static void
udev_event (MxUdevSource *source, const char *action, GUdevDevice *device, MxDeviceManager *self)
{
  const char *subsystem = g_udev_device_get_subsystem (device);
  const char *name = g_udev_device_get_name (device);

  if (g_str_equal (action, "remove")) {
    mx_device_manager_remove_kernel_device (self, subsystem, name);
  } else {
    g_autoptr(MxKernelDevice) kdev = mx_kernel_device_new_from_udev (device, self->sysfs_root);
    g_autoptr(GError) error = NULL;

    if (!mx_device_manager_add_kernel_device (self, kdev, &error))
      g_debug ("%s", error->message);
  }
  check_settled (self);
}

void
mx_device_manager_start_udev (MxDeviceManager *self)
{
  if (self->udev)
    return;
  self->udev = mx_udev_source_new ();
  g_signal_connect (self->udev, "device-event", G_CALLBACK (udev_event), self);
  mx_udev_source_scan (self->udev);
}

static void
qrtr_node_ready (MxQrtrSource *source, guint node_id, MxDeviceManager *self)
{
  g_autoptr(MxKernelDevice) kdev = mx_kernel_device_new_qrtr (node_id);
  g_autoptr(GError) error = NULL;

  if (!mx_device_manager_add_kernel_device (self, kdev, &error))
    g_message ("QRTR node %u: %s", node_id, error->message);
}

static void
qrtr_node_removed (MxQrtrSource *source, guint node_id, MxDeviceManager *self)
{
  mx_device_manager_remove_qrtr_node (self, node_id);
}

static void
qrtr_busy_changed (MxQrtrSource *source, MxDeviceManager *self)
{
  check_settled (self);
}

void
mx_device_manager_start_qrtr (MxDeviceManager *self)
{
  if (self->qrtr)
    return;
  self->qrtr = mx_qrtr_source_new (self->options.qrtr_services_timeout_ms);
  g_signal_connect (self->qrtr, "node-ready", G_CALLBACK (qrtr_node_ready), self);
  g_signal_connect (self->qrtr, "node-removed", G_CALLBACK (qrtr_node_removed), self);
  g_signal_connect (self->qrtr, "busy-changed", G_CALLBACK (qrtr_busy_changed), self);
  self->was_settled = FALSE;
  mx_qrtr_source_start (self->qrtr);
}

gboolean
mx_device_manager_handle_kernel_event (MxDeviceManager *self, const MxKernelEvent *event,
                                       GError **error)
{
  g_autoptr(MxKernelDevice) kdev = NULL;

  if (!event->add) {
    mx_device_manager_remove_kernel_device (self, event->subsystem, event->name);
    return TRUE;
  }
  kdev = mx_kernel_device_new_from_sysfs (self->sysfs_root, event->subsystem, event->name,
                                          event->extra, error);
  if (!kdev)
    return FALSE;
  return mx_device_manager_add_kernel_device (self, kdev, error);
}

gboolean
mx_device_manager_report_kernel_event (MxDeviceManager *self, GVariant *dict, GError **error)
{
  g_autoptr(MxKernelEvent) event = mx_kernel_event_from_variant (dict, error);

  if (!event) {
    g_message ("ReportKernelEvent rejected: %s", (*error)->message);
    return FALSE;
  }
  return mx_device_manager_handle_kernel_event (self, event, error);
}

gboolean
mx_device_manager_replay_kernel_events_file (MxDeviceManager *self, const char *path,
                                             GError **error)
{
  g_autoptr(GPtrArray) events = mx_kernel_event_parse_file (path, error);

  if (!events)
    return FALSE;
  for (guint i = 0; i < events->len; i++) {
    MxKernelEvent *event = g_ptr_array_index (events, i);
    g_autoptr(GError) inner = NULL;

    /* One device that is not a modem port does not spoil the others. */
    if (!mx_device_manager_handle_kernel_event (self, event, &inner))
      g_message ("%s: %s/%s: %s", path, event->subsystem, event->name, inner->message);
  }
  return TRUE;
}

/* ---- link map ----------------------------------------------------------- */

static void
link_added (MxLinkMap *map, const MxLink *link, MxDeviceManager *self)
{
  g_autofree gchar *key = key_for ("net", link->ifname);
  Entry *entry = g_hash_table_lookup (self->entries, key);
  g_autoptr(MxKernelDevice) kdev = NULL;

  if (entry && entry->port->role == MX_PORT_ROLE_LINK)
    return;
  /* The netlink view may arrive after udev's: re-classify as a link. */
  kdev = entry ? g_object_ref (entry->port->kdev)
               : mx_kernel_device_new_from_sysfs (self->sysfs_root, "net", link->ifname, NULL, NULL);
  if (kdev)
    mx_device_manager_add_kernel_device (self, kdev, NULL);
}

static void
link_removed (MxLinkMap *map, const MxLink *link, MxDeviceManager *self)
{
  g_autofree gchar *key = key_for ("net", link->ifname);
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry && entry->port->role == MX_PORT_ROLE_LINK)
    mx_device_manager_remove_kernel_device (self, "net", link->ifname);
}

/* ---- object ------------------------------------------------------------- */

MxDeviceManager *
mx_device_manager_new (const MxPlugin * const *plugins, const MxDeviceManagerOptions *options)
{
  MxDeviceManager *self = g_object_new (MX_TYPE_DEVICE_MANAGER, NULL);

  self->plugins = plugins;
  self->options = *options;
  self->sysfs_root = g_strdup (options->sysfs_root);
  self->dev_dir = g_strdup (options->dev_dir);
  self->options.sysfs_root = self->sysfs_root;
  self->options.dev_dir = self->dev_dir;
  if (options->link_map) {
    self->link_map = g_object_ref (options->link_map);
    g_signal_connect (self->link_map, "link-added", G_CALLBACK (link_added), self);
    g_signal_connect (self->link_map, "link-removed", G_CALLBACK (link_removed), self);
  }
  self->options.link_map = self->link_map;
  return self;
}

static gint
device_compare (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (mx_device_get_uid (*(MxDevice * const *) a),
                    mx_device_get_uid (*(MxDevice * const *) b));
}

GPtrArray *
mx_device_manager_get_devices (MxDeviceManager *self)
{
  GPtrArray *devices = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->announced);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (devices, g_object_ref (key));
  g_ptr_array_sort (devices, device_compare);
  return devices;
}

MxDevice *
mx_device_manager_lookup_port (MxDeviceManager *self, const char *port_name)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->announced);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (mx_device_lookup_port (key, port_name))
      return key;
  return NULL;
}

static void
cancel_one (gpointer key, gpointer value, gpointer user_data)
{
  g_cancellable_cancel (value);
}

void
mx_device_manager_stop (MxDeviceManager *self)
{
  g_hash_table_foreach (self->probing, cancel_one, NULL);
  g_hash_table_remove_all (self->probing);
  if (self->qrtr) {
    g_signal_handlers_disconnect_by_data (self->qrtr, self);
    mx_qrtr_source_stop (self->qrtr);
    g_clear_object (&self->qrtr);
  }
  if (self->udev) {
    g_signal_handlers_disconnect_by_data (self->udev, self);
    g_clear_object (&self->udev);
  }
  if (self->link_map)
    g_signal_handlers_disconnect_by_data (self->link_map, self);
}

static void
mx_device_manager_dispose (GObject *object)
{
  MxDeviceManager *self = MX_DEVICE_MANAGER (object);

  mx_device_manager_stop (self);
  g_clear_object (&self->link_map);
  G_OBJECT_CLASS (mx_device_manager_parent_class)->dispose (object);
}

static void
mx_device_manager_finalize (GObject *object)
{
  MxDeviceManager *self = MX_DEVICE_MANAGER (object);

  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->probing);
  g_hash_table_unref (self->announced);
  g_hash_table_unref (self->devices);
  g_free (self->sysfs_root);
  g_free (self->dev_dir);
  G_OBJECT_CLASS (mx_device_manager_parent_class)->finalize (object);
}

static void
mx_device_manager_init (MxDeviceManager *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->probing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->announced = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->was_settled = TRUE;
}

static void
mx_device_manager_class_init (MxDeviceManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_device_manager_dispose;
  object_class->finalize = mx_device_manager_finalize;
  signals[SIGNAL_DEVICE_ADDED] =
    g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_DEVICE);
  signals[SIGNAL_DEVICE_REMOVED] =
    g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_DEVICE);
  signals[SIGNAL_DEVICE_CHANGED] =
    g_signal_new ("device-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_DEVICE);
  signals[SIGNAL_SETTLED] =
    g_signal_new ("settled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}
