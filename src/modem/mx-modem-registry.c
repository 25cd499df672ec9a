/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-discovery-at-probe.h"
#include "mx-modem-registry.h"

typedef struct {
  MxModemRegistry *registry;   /* borrowed */
  MxDevice        *device;     /* owned */
  MxModem         *modem;      /* owned; NULL after its control port went */
  GCancellable    *init_cancellable;
  gboolean         exported;
  gulong           removed_id;
} Entry;

struct _MxModemRegistry {
  GObject          parent;
  MxManager       *manager;
  MxDeviceManager *devices;
  GHashTable      *entries;    /* MxDevice* -> Entry* */
  gulong           added_id, removed_id, changed_id;
};

G_DEFINE_TYPE (MxModemRegistry, mx_modem_registry, G_TYPE_OBJECT)

enum { SIGNAL_MODEM_ADDED, SIGNAL_MODEM_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------ */
/* Device -> modem configuration                                            */

static MMModemPortType
mm_port_type (MxPortType type)
{
  switch (type) {
  case MX_PORT_TYPE_NET:     return MM_MODEM_PORT_TYPE_NET;
  case MX_PORT_TYPE_QMI:     return MM_MODEM_PORT_TYPE_QMI;
  case MX_PORT_TYPE_MBIM:    return MM_MODEM_PORT_TYPE_MBIM;
  case MX_PORT_TYPE_AT:      return MM_MODEM_PORT_TYPE_AT;
  case MX_PORT_TYPE_QCDM:    return MM_MODEM_PORT_TYPE_QCDM;
  case MX_PORT_TYPE_GPS:     return MM_MODEM_PORT_TYPE_GPS;
  case MX_PORT_TYPE_IGNORED: return MM_MODEM_PORT_TYPE_IGNORED;
  case MX_PORT_TYPE_UNKNOWN:
  default:                   return MM_MODEM_PORT_TYPE_UNKNOWN;
  }
}

MxModemConfig *
mx_modem_config_new_from_device (MxDevice *device, const gchar **why)
{
  MxPort *control = mx_device_get_primary_control_port (device);
  MxPort *at;
  GPtrArray *ports = mx_device_peek_ports (device);
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (MxModemPort));
  MxModemConfig *config;
  const gchar *physdev;
  guint i;

  if (!control) {
    *why = "it has no control port";
    return NULL;
  }
  if (control->type != MX_PORT_TYPE_QMI && control->type != MX_PORT_TYPE_MBIM &&
      !mx_kernel_device_is_qrtr (control->kdev)) {
    *why = "its control port speaks neither QMI nor MBIM";
    return NULL;
  }

  config = g_new0 (MxModemConfig, 1);
  physdev = mx_device_get_physdev (device);
  config->uid = g_strdup (physdev ? physdev : mx_device_get_uid (device));
  config->plugin = g_strdup (mx_device_get_plugin_name (device));
  config->drivers = mx_device_dup_drivers (device);
  config->control = control->type == MX_PORT_TYPE_MBIM ? MX_MODEM_CONTROL_MBIM : MX_MODEM_CONTROL_QMI;
  config->control_port = g_strdup (mx_port_get_name (control));
  if (mx_kernel_device_is_qrtr (control->kdev)) {
    config->qrtr = TRUE;
    config->qrtr_node = mx_kernel_device_get_qrtr_node (control->kdev);
  } else {
    config->control_path = g_strdup_printf ("/dev/%s", mx_port_get_name (control));
  }
  config->data_ports = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_port_unref);
  at = mx_device_get_primary_at_port (device);
  if (at && at->probe == MX_PROBE_OK) {
    config->at_port = g_strdup (mx_port_get_name (at));
    config->at_path = mx_at_port_path (at->kdev, NULL);
  }

  /* Ports as ModemManager lists them: control, data and ignored ports,
   * never virtual links (they belong to bearers). */
  for (i = 0; i < ports->len; i++) {
    MxPort *port = g_ptr_array_index (ports, i);
    MxModemPort p;

    if (port->role == MX_PORT_ROLE_LINK)
      continue;
    p.name = g_strdup (mx_port_get_name (port));
    /* An AT port that did not answer AT is listed as ignored, as in ModemManager. */
    p.type = port->role == MX_PORT_ROLE_IGNORED || port->probe == MX_PROBE_FAILED
             ? MM_MODEM_PORT_TYPE_IGNORED : mm_port_type (port->type);
    g_array_append_val (list, p);
    if (port->role == MX_PORT_ROLE_DATA && port->type == MX_PORT_TYPE_NET)
      g_ptr_array_add (config->data_ports, mx_port_ref (port));
  }
  config->n_ports = list->len;
  config->ports = (MxModemPort *) (gpointer) g_array_free (g_steal_pointer (&list), FALSE);
  return config;
}

/* ------------------------------------------------------------------------ */
/* Entries                                                                  */

static void
entry_drop_modem (Entry *entry)
{
  MxModem *modem = g_steal_pointer (&entry->modem);

  if (!modem)
    return;
  if (entry->removed_id)
    g_signal_handler_disconnect (modem, entry->removed_id);
  entry->removed_id = 0;
  if (entry->exported)
    g_signal_emit (entry->registry, signals[SIGNAL_MODEM_REMOVED], 0, modem);
  entry->exported = FALSE;
  mx_modem_remove (modem);
  g_object_unref (modem);
}

static void
entry_free (Entry *entry)
{
  if (entry->init_cancellable) {
    g_cancellable_cancel (entry->init_cancellable);
    g_clear_object (&entry->init_cancellable);
  }
  entry_drop_modem (entry);
  g_object_unref (entry->device);
  g_free (entry);
}

static void
modem_removed_cb (MxModem *modem, Entry *entry)
{
  /* The control port went: the modem cannot work any more. Discovery
   * normally reports the device gone right after; until it does, the
   * entry stays without a modem. */
  g_message ("modem on %s: control port gone, removing the modem", mx_modem_get_config (modem)->control_port);
  if (entry->init_cancellable)
    g_cancellable_cancel (entry->init_cancellable);
  entry_drop_modem (entry);
}

static void
initialize_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxModem *modem = MX_MODEM (source);
  Entry *entry = user_data;
  g_autoptr(GError) error = NULL;

  if (!mx_modem_initialize_finish (modem, res, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      /* The entry (and so the modem) was dropped meanwhile. */
      g_object_unref (modem);
      return;
    }
    g_warning ("no modem on %s: initialization failed: %s",
               mx_modem_get_config (modem)->control_port, error->message);
    g_clear_object (&entry->init_cancellable);
    if (entry->modem == modem)
      entry_drop_modem (entry);
    g_object_unref (modem);
    return;
  }
  g_clear_object (&entry->init_cancellable);
  if (entry->modem == modem) {
    mx_modem_export (modem);
    entry->exported = TRUE;
    g_signal_emit (entry->registry, signals[SIGNAL_MODEM_ADDED], 0, modem);
  }
  g_object_unref (modem);
}

static void
entry_create_modem (MxModemRegistry *self, Entry *entry)
{
  g_autoptr(MxModemConfig) config = NULL;
  const gchar *why = NULL;

  config = mx_modem_config_new_from_device (entry->device, &why);
  if (!config) {
    g_debug ("device %s: no modem, %s", mx_device_get_uid (entry->device), why);
    return;
  }
  g_info ("device %s: creating %s modem on %s (plugin %s)", mx_device_get_uid (entry->device),
          config->control == MX_MODEM_CONTROL_MBIM ? "MBIM" : "QMI", config->control_port, config->plugin);
  entry->modem = mx_modem_new (self->manager, config);
  entry->removed_id = g_signal_connect (entry->modem, MX_MODEM_SIGNAL_REMOVED,
                                        G_CALLBACK (modem_removed_cb), entry);
  entry->init_cancellable = g_cancellable_new ();
  /* The callback holds a modem reference; the entry outlives it unless the
   * init is cancelled, which the callback checks first. */
  g_object_ref (entry->modem);
  mx_modem_initialize (entry->modem, entry->init_cancellable, initialize_ready, entry);
}

static void
device_added_cb (MxDeviceManager *devices, MxDevice *device, MxModemRegistry *self)
{
  Entry *entry;

  if (g_hash_table_contains (self->entries, device))
    return;
  entry = g_new0 (Entry, 1);
  entry->registry = self;
  entry->device = g_object_ref (device);
  g_hash_table_insert (self->entries, device, entry);
  entry_create_modem (self, entry);
}

static void
device_removed_cb (MxDeviceManager *devices, MxDevice *device, MxModemRegistry *self)
{
  Entry *entry = g_hash_table_lookup (self->entries, device);

  if (!entry)
    return;
  g_info ("device %s removed: removing its modem", mx_device_get_uid (device));
  g_hash_table_remove (self->entries, device);
}

static void
device_changed_cb (MxDeviceManager *devices, MxDevice *device, MxModemRegistry *self)
{
  Entry *entry = g_hash_table_lookup (self->entries, device);
  g_autoptr(MxModemConfig) config = NULL;
  const gchar *why = NULL;

  if (!entry) {
    device_added_cb (devices, device, self);
    return;
  }
  config = mx_modem_config_new_from_device (device, &why);
  if (entry->modem && config &&
      g_strcmp0 (config->control_port, mx_modem_get_config (entry->modem)->control_port) == 0) {
    /* Same control port: only the port list (data ports) changed. */
    mx_modem_update_ports (entry->modem, config);
    return;
  }
  /* Another control port (or none): start over with a new modem. */
  g_info ("device %s: control port changed, recreating its modem", mx_device_get_uid (device));
  if (entry->init_cancellable) {
    g_cancellable_cancel (entry->init_cancellable);
    g_clear_object (&entry->init_cancellable);
  }
  entry_drop_modem (entry);
  entry_create_modem (self, entry);
}

/* ------------------------------------------------------------------------ */

MxModemRegistry *
mx_modem_registry_new (MxManager *manager, MxDeviceManager *devices)
{
  MxModemRegistry *self = g_object_new (MX_TYPE_MODEM_REGISTRY, NULL);
  g_autoptr(GPtrArray) existing = NULL;
  guint i;

  self->manager = g_object_ref (manager);
  self->devices = g_object_ref (devices);
  self->added_id = g_signal_connect (devices, "device-added", G_CALLBACK (device_added_cb), self);
  self->removed_id = g_signal_connect (devices, "device-removed", G_CALLBACK (device_removed_cb), self);
  self->changed_id = g_signal_connect (devices, "device-changed", G_CALLBACK (device_changed_cb), self);
  existing = mx_device_manager_get_devices (devices);
  for (i = 0; i < existing->len; i++)
    device_added_cb (devices, g_ptr_array_index (existing, i), self);
  return self;
}

GPtrArray *
mx_modem_registry_get_modems (MxModemRegistry *self)
{
  GPtrArray *modems = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Entry *entry = value;
    if (entry->modem && entry->exported)
      g_ptr_array_add (modems, g_object_ref (entry->modem));
  }
  return modems;
}

void
mx_modem_registry_shutdown (MxModemRegistry *self)
{
  if (self->devices) {
    g_clear_signal_handler (&self->added_id, self->devices);
    g_clear_signal_handler (&self->removed_id, self->devices);
    g_clear_signal_handler (&self->changed_id, self->devices);
    g_clear_object (&self->devices);
  }
  g_hash_table_remove_all (self->entries);
}

static void
mx_modem_registry_init (MxModemRegistry *self)
{
  self->entries = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) entry_free);
}

static void
mx_modem_registry_dispose (GObject *object)
{
  MxModemRegistry *self = MX_MODEM_REGISTRY (object);

  if (self->entries)
    mx_modem_registry_shutdown (self);
  g_clear_object (&self->manager);
  G_OBJECT_CLASS (mx_modem_registry_parent_class)->dispose (object);
}

static void
mx_modem_registry_finalize (GObject *object)
{
  g_hash_table_unref (MX_MODEM_REGISTRY (object)->entries);
  G_OBJECT_CLASS (mx_modem_registry_parent_class)->finalize (object);
}

static void
mx_modem_registry_class_init (MxModemRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_modem_registry_dispose;
  object_class->finalize = mx_modem_registry_finalize;
  signals[SIGNAL_MODEM_ADDED] =
    g_signal_new ("modem-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_MODEM);
  signals[SIGNAL_MODEM_REMOVED] =
    g_signal_new ("modem-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_MODEM);
}
