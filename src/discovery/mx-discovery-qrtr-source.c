/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <libqmi-glib.h>
#include <libqrtr-glib.h>
#include "mx-discovery-error.h"
#include "mx-discovery-qrtr-source.h"

struct _MxQrtrSource {
  GObject       parent;
  guint         services_timeout_ms;
  GCancellable *cancellable;
  QrtrBus      *bus;
  gboolean      opening;
  GHashTable   *waiting;  /* node id -> GCancellable of its service wait */
  GHashTable   *ready;    /* node ids reported ready */
};

enum { SIGNAL_NODE_READY, SIGNAL_NODE_REMOVED, SIGNAL_BUSY_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxQrtrSource, mx_qrtr_source, G_TYPE_OBJECT)

static const guint32 modem_services[] = {
  QMI_SERVICE_WDS, QMI_SERVICE_NAS, QMI_SERVICE_DMS,
};

gboolean
mx_qrtr_services_are_modem (const guint32 *services, guint n_services, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (modem_services); i++) {
    gboolean found = FALSE;

    for (guint j = 0; j < n_services && !found; j++)
      found = services[j] == modem_services[i];
    if (!found) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_A_MODEM,
                   "does not offer %s (a modem offers WDS, NAS and DMS)",
                   qmi_service_get_string (modem_services[i]));
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
mx_qrtr_source_is_busy (MxQrtrSource *self)
{
  return self->opening || g_hash_table_size (self->waiting) > 0;
}

typedef struct {
  MxQrtrSource *self;
  guint32       node_id;
} WaitContext;

static void
wait_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  WaitContext *ctx = user_data;
  MxQrtrSource *self = ctx->self;
  guint32 node_id = ctx->node_id;
  g_autoptr(GError) error = NULL;
  gboolean ok = qrtr_node_wait_for_services_finish (QRTR_NODE (source), res, &error);

  g_free (ctx);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_object_unref (self);
    return;
  }
  g_hash_table_remove (self->waiting, GUINT_TO_POINTER (node_id));
  if (ok) {
    g_info ("QRTR node %u offers WDS, NAS and DMS: a modem", node_id);
    g_hash_table_add (self->ready, GUINT_TO_POINTER (node_id));
    g_signal_emit (self, signals[SIGNAL_NODE_READY], 0, node_id);
  } else {
    g_message ("QRTR node %u does not have the services of a modem (WDS, NAS, DMS) "
               "within %u ms: ignored (%s)", node_id, self->services_timeout_ms, error->message);
  }
  g_signal_emit (self, signals[SIGNAL_BUSY_CHANGED], 0);
  g_object_unref (self);
}

static void
node_added (QrtrBus *bus, guint node_id, MxQrtrSource *self)
{
  QrtrNode *node = qrtr_bus_peek_node (bus, node_id);
  g_autoptr(GArray) services = g_array_new (FALSE, FALSE, sizeof (guint));
  GCancellable *cancellable;
  WaitContext *ctx;

  if (!node || g_hash_table_contains (self->waiting, GUINT_TO_POINTER (node_id)))
    return;
  g_debug ("QRTR node %u appeared; waiting for WDS, NAS and DMS", node_id);
  for (guint i = 0; i < G_N_ELEMENTS (modem_services); i++) {
    guint service = modem_services[i];

    g_array_append_val (services, service);
  }
  cancellable = g_cancellable_new ();
  g_hash_table_insert (self->waiting, GUINT_TO_POINTER (node_id), cancellable);
  ctx = g_new0 (WaitContext, 1);
  ctx->self = g_object_ref (self);
  ctx->node_id = node_id;
  qrtr_node_wait_for_services (node, services, self->services_timeout_ms, cancellable,
                               wait_ready, ctx);
  g_signal_emit (self, signals[SIGNAL_BUSY_CHANGED], 0);
}

static void
node_removed (QrtrBus *bus, guint node_id, MxQrtrSource *self)
{
  GCancellable *cancellable = g_hash_table_lookup (self->waiting, GUINT_TO_POINTER (node_id));

  if (cancellable) {
    g_cancellable_cancel (cancellable);
    g_hash_table_remove (self->waiting, GUINT_TO_POINTER (node_id));
    g_signal_emit (self, signals[SIGNAL_BUSY_CHANGED], 0);
  }
  if (g_hash_table_remove (self->ready, GUINT_TO_POINTER (node_id))) {
    g_info ("QRTR node %u has gone", node_id);
    g_signal_emit (self, signals[SIGNAL_NODE_REMOVED], 0, node_id);
  }
}

static void
bus_new_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxQrtrSource *self = user_data;
  g_autoptr(GError) error = NULL;
  QrtrBus *bus = qrtr_bus_new_finish (res, &error);
  GList *nodes;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_object_unref (self);
    return;
  }
  self->opening = FALSE;
  if (!bus) {
    g_message ("QRTR is not available, QRTR modems will not be detected: %s", error->message);
  } else {
    self->bus = bus;
    g_signal_connect (bus, QRTR_BUS_SIGNAL_NODE_ADDED, G_CALLBACK (node_added), self);
    g_signal_connect (bus, QRTR_BUS_SIGNAL_NODE_REMOVED, G_CALLBACK (node_removed), self);
    nodes = qrtr_bus_peek_nodes (bus);
    for (GList *l = nodes; l; l = l->next)
      node_added (bus, qrtr_node_get_id (QRTR_NODE (l->data)), self);
  }
  g_signal_emit (self, signals[SIGNAL_BUSY_CHANGED], 0);
  g_object_unref (self);
}

MxQrtrSource *
mx_qrtr_source_new (guint services_timeout_ms)
{
  MxQrtrSource *self = g_object_new (MX_TYPE_QRTR_SOURCE, NULL);

  self->services_timeout_ms = services_timeout_ms;
  return self;
}

void
mx_qrtr_source_start (MxQrtrSource *self)
{
  if (self->opening || self->bus)
    return;
  self->opening = TRUE;
  /* 1 s for the initial lookup, so nodes present at start arrive in one go. */
  qrtr_bus_new (1000, self->cancellable, bus_new_ready, g_object_ref (self));
}

static void
cancel_one (gpointer key, gpointer value, gpointer user_data)
{
  g_cancellable_cancel (value);
}

void
mx_qrtr_source_stop (MxQrtrSource *self)
{
  g_cancellable_cancel (self->cancellable);
  g_hash_table_foreach (self->waiting, cancel_one, NULL);
  g_hash_table_remove_all (self->waiting);
  self->opening = FALSE;
  if (self->bus) {
    g_signal_handlers_disconnect_by_data (self->bus, self);
    g_clear_object (&self->bus);
  }
}

static void
mx_qrtr_source_dispose (GObject *object)
{
  MxQrtrSource *self = MX_QRTR_SOURCE (object);

  mx_qrtr_source_stop (self);
  G_OBJECT_CLASS (mx_qrtr_source_parent_class)->dispose (object);
}

static void
mx_qrtr_source_finalize (GObject *object)
{
  MxQrtrSource *self = MX_QRTR_SOURCE (object);

  g_object_unref (self->cancellable);
  g_hash_table_unref (self->waiting);
  g_hash_table_unref (self->ready);
  G_OBJECT_CLASS (mx_qrtr_source_parent_class)->finalize (object);
}

static void
mx_qrtr_source_init (MxQrtrSource *self)
{
  self->cancellable = g_cancellable_new ();
  self->waiting = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->ready = g_hash_table_new (NULL, NULL);
}

static void
mx_qrtr_source_class_init (MxQrtrSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_qrtr_source_dispose;
  object_class->finalize = mx_qrtr_source_finalize;
  signals[SIGNAL_NODE_READY] =
    g_signal_new ("node-ready", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_NODE_REMOVED] =
    g_signal_new ("node-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[SIGNAL_BUSY_CHANGED] =
    g_signal_new ("busy-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

