/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-qmi"

#include <libqrtr-glib.h>
#include "mx-modem-qmi-port.h"
#include "mx-modem-qmi-timeout.h"

struct _MxQmiPort {
  GObject     parent;
  gchar      *name;
  gchar      *path;
  gboolean    is_qrtr;
  guint32     node_id;
  QrtrBus    *bus;         /* QRTR only, while open */
  guint       open_timeout;
  QmiDevice  *device;
  gulong      removed_id;
  gboolean    removed;
  gboolean    closing;
  /* QmiService -> QmiClient* (shared clients) */
  GHashTable *shared;
  /* QmiService -> GList* of GTask (shared allocations in flight) */
  GHashTable *pending;
};

/* Discovery already saw the node: it should be on the bus at once. */
#define QRTR_BUS_LOOKUP_TIMEOUT_MS        1000
#define MX_QMI_PORT_QRTR_NODE_TIMEOUT_MS  5000

G_DEFINE_TYPE (MxQmiPort, mx_qmi_port, G_TYPE_OBJECT)

enum { SIGNAL_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------ */

MxQmiPort *
mx_qmi_port_new (const gchar *name, const gchar *device_path)
{
  MxQmiPort *self = g_object_new (MX_TYPE_QMI_PORT, NULL);

  self->name = g_strdup (name);
  self->path = g_strdup (device_path);
  return self;
}

MxQmiPort *
mx_qmi_port_new_for_qrtr_node (const gchar *name, guint32 node_id)
{
  MxQmiPort *self = g_object_new (MX_TYPE_QMI_PORT, NULL);

  self->name = g_strdup (name);
  self->is_qrtr = TRUE;
  self->node_id = node_id;
  self->path = g_strdup_printf ("qrtr://%u", node_id);
  return self;
}

const gchar *mx_qmi_port_get_name (MxQmiPort *self) { return self->name; }
const gchar *mx_qmi_port_get_path (MxQmiPort *self) { return self->path; }
QmiDevice   *mx_qmi_port_peek_device (MxQmiPort *self) { return self->device; }

gboolean
mx_qmi_port_is_open (MxQmiPort *self)
{
  return self->device && !self->removed && !self->closing && qmi_device_is_open (self->device);
}

void
mx_qmi_port_set_open_timeout (MxQmiPort *self, guint seconds)
{
  self->open_timeout = seconds ? seconds : MX_QMI_PORT_OPEN_TIMEOUT_S;
}

static void
device_removed_cb (QmiDevice *device, MxQmiPort *self)
{
  if (self->removed)
    return;
  self->removed = TRUE;
  g_message ("QMI port %s: device gone", self->name);
  g_signal_emit (self, signals[SIGNAL_REMOVED], 0);
}

/* ------------------------------------------------------------------------ */
/* Open                                                                     */

static void
device_open_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MxQmiPort *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!qmi_device_open_finish (QMI_DEVICE (source), res, &error)) {
    g_prefix_error (&error, "cannot open QMI port %s: ", self->name);
    g_clear_object (&self->device);
    g_task_return_error (task, error);
    return;
  }
  self->removed_id = g_signal_connect (self->device, QMI_DEVICE_SIGNAL_REMOVED,
                                       G_CALLBACK (device_removed_cb), self);
  g_debug ("QMI port %s open (%s)", self->name, self->path);
  g_task_return_boolean (task, TRUE);
}

static void
device_new_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MxQmiPort *self = g_task_get_source_object (task);
  QmiDeviceOpenFlags flags;
  GError *error = NULL;

#if QMI_QRTR_SUPPORTED
  if (self->is_qrtr) {
    self->device = qmi_device_new_from_node_finish (res, &error);
    /* QRTR has no CTL service: no proxy, no version info exchange. */
    flags = QMI_DEVICE_OPEN_FLAGS_NONE;
  } else
#endif
  {
    self->device = qmi_device_new_finish (res, &error);
    /* Through qmi-proxy so that qmicli can share the port with us; the
     * version list lets libqmi refuse clients of services the modem lacks. */
    flags = QMI_DEVICE_OPEN_FLAGS_PROXY | QMI_DEVICE_OPEN_FLAGS_VERSION_INFO;
  }
  if (!self->device) {
    g_prefix_error (&error, "cannot use QMI port %s (%s): ", self->name, self->path);
    g_task_return_error (task, error);
    return;
  }
  /* Argument evaluation order is unspecified: read the cancellable before
   * the task is stolen. */
  {
    GCancellable *cancellable = g_task_get_cancellable (task);

    qmi_device_open (self->device, flags, mx_qmi_timeout (self->open_timeout),
                     cancellable, device_open_ready, g_steal_pointer (&task));
  }
}

#if QMI_QRTR_SUPPORTED
static void
qrtr_node_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxQmiPort *self = g_task_get_source_object (task);
  g_autoptr(QrtrNode) node = NULL;
  GError *error = NULL;

  node = qrtr_bus_wait_for_node_finish (QRTR_BUS (source), res, &error);
  if (!node) {
    g_prefix_error (&error, "QRTR node %u: ", self->node_id);
    g_clear_object (&self->bus);
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  qmi_device_new_from_node (node, g_task_get_cancellable (task), device_new_ready, task);
}

static void
qrtr_bus_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxQmiPort *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->bus = qrtr_bus_new_finish (res, &error);
  if (!self->bus) {
    g_prefix_error (&error, "QRTR bus: ");
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  qrtr_bus_wait_for_node (self->bus, self->node_id, MX_QMI_PORT_QRTR_NODE_TIMEOUT_MS,
                          g_task_get_cancellable (task), qrtr_node_ready, task);
}
#endif

void
mx_qmi_port_open (MxQmiPort *self, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mx_qmi_port_open);
  if (self->device || self->closing) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "QMI port %s already opened", self->name);
    g_object_unref (task);
    return;
  }
  if (self->is_qrtr) {
#if QMI_QRTR_SUPPORTED
    qrtr_bus_new (QRTR_BUS_LOOKUP_TIMEOUT_MS, cancellable, qrtr_bus_ready, task);
#else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "libqmi was built without QRTR support");
    g_object_unref (task);
#endif
    return;
  }
  {
    g_autoptr(GFile) file = g_file_new_for_path (self->path);
    qmi_device_new (file, cancellable, device_new_ready, task);
  }
}

gboolean
mx_qmi_port_open_finish (MxQmiPort *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* Clients                                                                  */

QmiClient *
mx_qmi_port_peek_client (MxQmiPort *self, QmiService service)
{
  return g_hash_table_lookup (self->shared, GUINT_TO_POINTER (service));
}

typedef struct {
  QmiService      service;
  MxQmiClientKind kind;
} AllocContext;

static void
finish_shared_waiters (MxQmiPort *self, QmiService service, QmiClient *client, const GError *error)
{
  GList *waiters = NULL, *l;

  g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER (service), NULL, (gpointer *) &waiters);
  for (l = waiters; l; l = l->next) {
    GTask *waiter = l->data;
    if (client)
      g_task_return_pointer (waiter, g_object_ref (client), g_object_unref);
    else
      g_task_return_error (waiter, g_error_copy (error));
    g_object_unref (waiter);
  }
  g_list_free (waiters);
}

static void
allocate_client_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MxQmiPort *self = g_task_get_source_object (task);
  AllocContext *ctx = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  QmiClient *client;

  client = qmi_device_allocate_client_finish (QMI_DEVICE (source), res, &error);
  if (!client)
    g_prefix_error (&error, "cannot allocate %s client on %s: ",
                    qmi_service_get_string (ctx->service), self->name);
  else
    g_debug ("QMI port %s: %s %s client id %u", self->name,
             ctx->kind == MX_QMI_CLIENT_SHARED ? "shared" : "dedicated",
             qmi_service_get_string (ctx->service), qmi_client_get_cid (client));

  if (ctx->kind == MX_QMI_CLIENT_SHARED) {
    if (client && (self->closing || self->removed)) {
      /* Closed meanwhile: the client is useless; the proxy drops its id. */
      g_clear_object (&client);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CLOSED, "QMI port %s closed", self->name);
    }
    if (client)
      g_hash_table_insert (self->shared, GUINT_TO_POINTER (ctx->service), g_object_ref (client));
    finish_shared_waiters (self, ctx->service, client, error);
    g_clear_object (&client);
    /* The driving task has no callback; its waiters got the result. */
    g_task_return_boolean (task, TRUE);
    return;
  }
  if (!client) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  g_task_return_pointer (task, client, g_object_unref);
}

void
mx_qmi_port_get_client (MxQmiPort *self, QmiService service, MxQmiClientKind kind,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  AllocContext *ctx;
  QmiClient *cached;
  GList *waiters;

  g_task_set_source_tag (task, mx_qmi_port_get_client);
  if (!mx_qmi_port_is_open (self)) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                             "QMI port %s is not open", self->name);
    g_object_unref (task);
    return;
  }

  ctx = g_new0 (AllocContext, 1);
  ctx->service = service;
  ctx->kind = kind;
  g_task_set_task_data (task, ctx, g_free);

  if (kind == MX_QMI_CLIENT_DEDICATED) {
    qmi_device_allocate_client (self->device, service, QMI_CID_NONE,
                                mx_qmi_timeout (MX_QMI_PORT_CLIENT_TIMEOUT_S),
                                cancellable, allocate_client_ready, task);
    return;
  }

  cached = mx_qmi_port_peek_client (self, service);
  if (cached) {
    g_task_return_pointer (task, g_object_ref (cached), g_object_unref);
    g_object_unref (task);
    return;
  }
  /* The first waiter starts the allocation; later ones queue behind it. The
   * allocation itself is not cancelled by one waiter's cancellable, since
   * others may still want the client. */
  waiters = g_hash_table_lookup (self->pending, GUINT_TO_POINTER (service));
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (service), g_list_append (waiters, task));
  if (!waiters) {
    GTask *alloc = g_task_new (self, NULL, NULL, NULL);
    AllocContext *actx = g_new0 (AllocContext, 1);
    *actx = *ctx;
    g_task_set_task_data (alloc, actx, g_free);
    qmi_device_allocate_client (self->device, service, QMI_CID_NONE,
                                mx_qmi_timeout (MX_QMI_PORT_CLIENT_TIMEOUT_S),
                                NULL, allocate_client_ready, alloc);
  }
}

QmiClient *
mx_qmi_port_get_client_finish (MxQmiPort *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

static void
release_client_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!qmi_device_release_client_finish (QMI_DEVICE (source), res, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
mx_qmi_port_release_client (MxQmiPort *self, QmiClient *client, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mx_qmi_port_release_client);
  if (!self->device || self->removed) {
    /* Nothing to tell a modem that is gone. */
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  qmi_device_release_client (self->device, client, QMI_DEVICE_RELEASE_CLIENT_FLAGS_RELEASE_CID,
                             mx_qmi_timeout (MX_QMI_PORT_CLIENT_TIMEOUT_S), cancellable,
                             release_client_ready, task);
}

gboolean
mx_qmi_port_release_client_finish (MxQmiPort *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

void
mx_qmi_port_adopt_client (MxQmiPort *self, QmiService service, guint8 cid,
                          GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  AllocContext *ctx;

  if (!mx_qmi_port_is_open (self) || self->is_qrtr) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             self->is_qrtr ? "QMI port %s is a QRTR node: its clients end with their process"
                                           : "QMI port %s is not open", self->name);
    g_object_unref (task);
    return;
  }
  ctx = g_new0 (AllocContext, 1);
  ctx->service = service;
  ctx->kind = MX_QMI_CLIENT_DEDICATED;
  g_task_set_task_data (task, ctx, g_free);
  /* With a client id given, libqmi only builds the client object. */
  qmi_device_allocate_client (self->device, service, cid,
                              mx_qmi_timeout (MX_QMI_PORT_CLIENT_TIMEOUT_S),
                              cancellable, allocate_client_ready, task);
}

QmiClient *
mx_qmi_port_adopt_client_finish (MxQmiPort *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

void
mx_qmi_port_keep_client (MxQmiPort *self, QmiClient *client)
{
  if (!self->device || self->removed)
    return;
  g_debug ("QMI port %s: keeping %s client id %u on the modem", self->name,
           qmi_service_get_string (qmi_client_get_service (client)), qmi_client_get_cid (client));
  qmi_device_release_client (self->device, client, QMI_DEVICE_RELEASE_CLIENT_FLAGS_NONE,
                             mx_qmi_timeout (MX_QMI_PORT_CLIENT_TIMEOUT_S), NULL, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Close: release shared clients one after the other, then close.          */

typedef struct {
  MxQmiPort *self;   /* owned: keeps the port alive until closed */
  QmiDevice *device; /* owned */
  GList     *clients;
} CloseContext;

static void close_next (CloseContext *ctx);

static void
close_device_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CloseContext *ctx = user_data;
  g_autoptr(GError) error = NULL;

  if (!qmi_device_close_finish (QMI_DEVICE (source), res, &error))
    g_debug ("QMI port %s: close: %s", ctx->self->name, error->message);
  else
    g_debug ("QMI port %s closed", ctx->self->name);
  g_object_unref (ctx->device);
  g_object_unref (ctx->self);
  g_free (ctx);
}

static void
close_release_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CloseContext *ctx = user_data;
  g_autoptr(GError) error = NULL;

  if (!qmi_device_release_client_finish (QMI_DEVICE (source), res, &error))
    g_debug ("QMI port %s: release client: %s", ctx->self->name, error->message);
  close_next (ctx);
}

static void
close_next (CloseContext *ctx)
{
  if (ctx->clients && !ctx->self->removed) {
    QmiClient *client = ctx->clients->data;
    ctx->clients = g_list_delete_link (ctx->clients, ctx->clients);
    qmi_device_release_client (ctx->device, client, QMI_DEVICE_RELEASE_CLIENT_FLAGS_RELEASE_CID,
                               mx_qmi_timeout (MX_QMI_PORT_CLIENT_TIMEOUT_S), NULL, close_release_ready, ctx);
    g_object_unref (client);
    return;
  }
  g_list_free_full (ctx->clients, g_object_unref);
  ctx->clients = NULL;
  qmi_device_close_async (ctx->device, 2, NULL, close_device_ready, ctx);
}

void
mx_qmi_port_close (MxQmiPort *self)
{
  CloseContext *ctx;
  GHashTableIter iter;
  gpointer value;

  if (self->closing)
    return;
  self->closing = TRUE;
  if (!self->device)
    return;
  if (self->removed_id) {
    g_signal_handler_disconnect (self->device, self->removed_id);
    self->removed_id = 0;
  }
  ctx = g_new0 (CloseContext, 1);
  ctx->self = g_object_ref (self);
  ctx->device = g_steal_pointer (&self->device);
  g_hash_table_iter_init (&iter, self->shared);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ctx->clients = g_list_prepend (ctx->clients, g_object_ref (value));
  g_hash_table_remove_all (self->shared);
  close_next (ctx);
}

/* ------------------------------------------------------------------------ */

static void
mx_qmi_port_init (MxQmiPort *self)
{
  self->open_timeout = MX_QMI_PORT_OPEN_TIMEOUT_S;
  self->shared = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  self->pending = g_hash_table_new (g_direct_hash, g_direct_equal);
}

static void
mx_qmi_port_dispose (GObject *object)
{
  MxQmiPort *self = MX_QMI_PORT (object);

  /* Unreachable while a close is running (it holds a reference), so a
   * device still here was never closed: close it now, without releases. */
  if (self->device) {
    if (self->removed_id)
      g_signal_handler_disconnect (self->device, self->removed_id);
    self->removed_id = 0;
    if (qmi_device_is_open (self->device))
      qmi_device_close_async (self->device, 1, NULL, NULL, NULL);
    g_clear_object (&self->device);
  }
  g_hash_table_remove_all (self->shared);
  g_clear_object (&self->bus);
  G_OBJECT_CLASS (mx_qmi_port_parent_class)->dispose (object);
}

static void
mx_qmi_port_finalize (GObject *object)
{
  MxQmiPort *self = MX_QMI_PORT (object);

  /* Pending shared allocations hold a reference to us: none left here. */
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->shared);
  g_free (self->name);
  g_free (self->path);
  G_OBJECT_CLASS (mx_qmi_port_parent_class)->finalize (object);
}

static void
mx_qmi_port_class_init (MxQmiPortClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_qmi_port_dispose;
  object_class->finalize = mx_qmi_port_finalize;

  signals[SIGNAL_REMOVED] =
    g_signal_new (MX_QMI_PORT_SIGNAL_REMOVED, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}
