/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery-device.h"
#include "mx-discovery-plugin.h"
#include "mx-discovery-port-policy.h"

struct _MxDevice {
  GObject         parent;
  gchar          *uid;
  const MxPlugin *plugin;
  GPtrArray      *ports;
};

enum { SIGNAL_PORT_ADDED, SIGNAL_PORT_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxDevice, mx_device, G_TYPE_OBJECT)

MxDevice *
mx_device_new (const char *uid)
{
  MxDevice *self = g_object_new (MX_TYPE_DEVICE, NULL);

  self->uid = g_strdup (uid);
  return self;
}

const char *mx_device_get_uid (MxDevice *self) { return self->uid; }
const MxPlugin *mx_device_get_plugin (MxDevice *self) { return self->plugin; }
GPtrArray *mx_device_peek_ports (MxDevice *self) { return self->ports; }

const char *
mx_device_get_plugin_name (MxDevice *self)
{
  return self->plugin ? self->plugin->name : NULL;
}

const char *
mx_device_get_physdev (MxDevice *self)
{
  for (guint i = 0; i < self->ports->len; i++) {
    MxPort *port = g_ptr_array_index (self->ports, i);
    const char *path;

    if (port->role == MX_PORT_ROLE_LINK)
      continue;
    path = mx_kernel_device_get_physdev_path (port->kdev);
    if (path)
      return path;
  }
  return NULL;
}

MxPort *
mx_device_lookup_port (MxDevice *self, const char *name)
{
  for (guint i = 0; i < self->ports->len; i++) {
    MxPort *port = g_ptr_array_index (self->ports, i);

    if (g_str_equal (mx_port_get_name (port), name))
      return port;
  }
  return NULL;
}

static gboolean
usable_control (const MxPort *port)
{
  return port->role == MX_PORT_ROLE_CONTROL && port->probe != MX_PROBE_FAILED;
}

MxPort *
mx_device_get_primary_control_port (MxDevice *self)
{
  static const MxPortType order[] = { MX_PORT_TYPE_QMI, MX_PORT_TYPE_MBIM, MX_PORT_TYPE_AT };

  for (guint i = 0; i < self->ports->len; i++) {
    MxPort *port = g_ptr_array_index (self->ports, i);

    if (usable_control (port) && mx_kernel_device_is_qrtr (port->kdev))
      return port;
  }
  for (guint t = 0; t < G_N_ELEMENTS (order); t++)
    for (guint i = 0; i < self->ports->len; i++) {
      MxPort *port = g_ptr_array_index (self->ports, i);

      if (usable_control (port) && port->type == order[t])
        return port;
    }
  return NULL;
}

MxPort *
mx_device_get_primary_at_port (MxDevice *self)
{
  static const MxAtRole order[] = { MX_AT_ROLE_PRIMARY, MX_AT_ROLE_NONE, MX_AT_ROLE_SECONDARY,
                                    MX_AT_ROLE_PPP };

  for (guint r = 0; r < G_N_ELEMENTS (order); r++)
    for (guint i = 0; i < self->ports->len; i++) {
      MxPort *port = g_ptr_array_index (self->ports, i);

      if (usable_control (port) && port->type == MX_PORT_TYPE_AT &&
          mx_port_policy_at_role (port->kdev) == order[r])
        return port;
    }
  return NULL;
}

gboolean
mx_device_get_qrtr_node (MxDevice *self, guint32 *node_id)
{
  for (guint i = 0; i < self->ports->len; i++) {
    MxPort *port = g_ptr_array_index (self->ports, i);

    if (mx_kernel_device_is_qrtr (port->kdev)) {
      *node_id = mx_kernel_device_get_qrtr_node (port->kdev);
      return TRUE;
    }
  }
  return FALSE;
}

static gint
str_ptr_compare (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GStrv
mx_device_dup_drivers (MxDevice *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  GStrv drivers;

  for (guint i = 0; i < self->ports->len; i++) {
    MxPort *port = g_ptr_array_index (self->ports, i);
    const char *driver = mx_kernel_device_get_driver (port->kdev);

    if (port->role == MX_PORT_ROLE_LINK || !driver ||
        g_ptr_array_find_with_equal_func (seen, driver, g_str_equal, NULL))
      continue;
    g_ptr_array_add (seen, (gpointer) driver);
  }
  g_ptr_array_sort (seen, str_ptr_compare);
  for (guint i = 0; i < seen->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (seen, i));
  drivers = g_strv_builder_end (builder);
  return drivers;
}

gboolean
mx_device_is_ready (MxDevice *self)
{
  return self->plugin && mx_device_get_primary_control_port (self) != NULL;
}

static gint
port_compare (gconstpointer a, gconstpointer b)
{
  const MxPort *pa = *(MxPort * const *) a;
  const MxPort *pb = *(MxPort * const *) b;

  if (pa->role != pb->role)
    return (gint) pa->role - (gint) pb->role;
  return g_strcmp0 (mx_port_get_name (pa), mx_port_get_name (pb));
}

static gboolean
contains (GPtrArray *ports, MxPort *port)
{
  return g_ptr_array_find (ports, port, NULL);
}

void
mx_device_update (MxDevice *self, const MxPlugin *plugin, GPtrArray *ports)
{
  g_autoptr(GPtrArray) old = self->ports;

  self->plugin = plugin;
  self->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_port_unref);
  for (guint i = 0; i < ports->len; i++)
    g_ptr_array_add (self->ports, mx_port_ref (g_ptr_array_index (ports, i)));
  g_ptr_array_sort (self->ports, port_compare);

  for (guint i = 0; i < old->len; i++)
    if (!contains (self->ports, g_ptr_array_index (old, i)))
      g_signal_emit (self, signals[SIGNAL_PORT_REMOVED], 0, g_ptr_array_index (old, i));
  for (guint i = 0; i < self->ports->len; i++)
    if (!contains (old, g_ptr_array_index (self->ports, i)))
      g_signal_emit (self, signals[SIGNAL_PORT_ADDED], 0, g_ptr_array_index (self->ports, i));
}

static void
mx_device_finalize (GObject *object)
{
  MxDevice *self = MX_DEVICE (object);

  g_free (self->uid);
  g_ptr_array_unref (self->ports);
  G_OBJECT_CLASS (mx_device_parent_class)->finalize (object);
}

static void
mx_device_init (MxDevice *self)
{
  self->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_port_unref);
}

static void
mx_device_class_init (MxDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mx_device_finalize;
  signals[SIGNAL_PORT_ADDED] =
    g_signal_new ("port-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_PORT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_PORT_REMOVED] =
    g_signal_new ("port-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, MX_TYPE_PORT | G_SIGNAL_TYPE_STATIC_SCOPE);
}
