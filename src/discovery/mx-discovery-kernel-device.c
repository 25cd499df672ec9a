/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mx-discovery-error.h"
#include "mx-discovery-kernel-device.h"
#include "mx-discovery-udev-tags.h"

struct _MxKernelDevice {
  GObject     parent;
  gchar      *name;
  gchar      *subsystem;
  gchar      *devtype;
  gchar      *sysfs_root;
  gchar      *sysfs_path;
  gchar      *driver;
  gchar      *physdev_path;
  gchar      *physdev_subsystem;
  gchar      *event_uid;
  gint        interface_number;
  guint16     usb_vendor_id;     /* 0: not a USB device */
  guint16     usb_product_id;
  gboolean    is_qrtr;
  guint32     qrtr_node;
  GHashTable *properties;
};

G_DEFINE_TYPE (MxKernelDevice, mx_kernel_device, G_TYPE_OBJECT)

gchar *
mx_sysfs_read_file (const char *path)
{
  gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return g_strstrip (contents);
}

gchar *
mx_sysfs_link_basename (const char *dir, const char *link)
{
  g_autofree gchar *path = g_build_filename (dir, link, NULL);
  g_autofree gchar *target = g_file_read_link (path, NULL);

  /* readlink, not realpath: link targets (drivers) need not exist in
   * fixtures, and only the name matters. */
  return target ? g_path_get_basename (target) : NULL;
}

static void
parse_uevent (const char *dir, GHashTable *into)
{
  g_autofree gchar *path = g_build_filename (dir, "uevent", NULL);
  g_autofree gchar *contents = mx_sysfs_read_file (path);
  g_auto(GStrv) lines = NULL;

  if (!contents)
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    const char *eq = strchr (lines[i], '=');

    if (eq && eq != lines[i])
      g_hash_table_insert (into, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
  }
}

static gchar *
uevent_value (const char *dir, const char *key)
{
  g_autoptr(GHashTable) props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  parse_uevent (dir, props);
  return g_strdup (g_hash_table_lookup (props, key));
}

/* TRUE while @dir is a device below <root>/devices. */
static gboolean
is_below_devices (MxKernelDevice *self, const char *dir)
{
  g_autofree gchar *devices = g_build_filename (self->sysfs_root, "devices", NULL);
  gsize len = strlen (devices);

  return strncmp (dir, devices, len) == 0 && dir[len] == '/';
}

static guint16
read_hex_u16 (const char *dir, const char *attr)
{
  g_autofree gchar *path = g_build_filename (dir, attr, NULL);
  g_autofree gchar *str = mx_sysfs_read_file (path);
  guint64 v = 0;

  if (!str || !g_ascii_string_to_unsigned (str, 16, 0, G_MAXUINT16, &v, NULL))
    return 0;
  return (guint16) v;
}

/* Walks from the device up to <root>/devices: first bound driver, physical
 * device (first usb_device, pci or platform ancestor: for PCI that is the
 * function all MHI ports share), USB interface number. */
static void
resolve_ancestry (MxKernelDevice *self)
{
  g_autofree gchar *dir = g_strdup (self->sysfs_path);

  while (dir && is_below_devices (self, dir)) {
    g_autofree gchar *subsystem = mx_sysfs_link_basename (dir, "subsystem");
    gchar *parent;

    /* A tty's usb-serial port device is bound to the serial driver's
     * per-port half ("option1"); the driver that names the modem family is
     * the USB interface's ("option", "qcserial"), as ModemManager reports. */
    if (!self->driver && g_strcmp0 (subsystem, "usb-serial") != 0)
      self->driver = mx_sysfs_link_basename (dir, "driver");
    if (subsystem && !self->physdev_path) {
      g_autofree gchar *devtype = uevent_value (dir, "DEVTYPE");

      if (g_str_equal (subsystem, "usb") && g_strcmp0 (devtype, "usb_interface") == 0 &&
          self->interface_number < 0) {
        g_autofree gchar *ifpath = g_build_filename (dir, "bInterfaceNumber", NULL);
        g_autofree gchar *num = mx_sysfs_read_file (ifpath);
        guint64 v;

        if (num && g_ascii_string_to_unsigned (num, 16, 0, 255, &v, NULL))
          self->interface_number = (gint) v;
      }
      if (g_str_equal (subsystem, "usb") && g_strcmp0 (devtype, "usb_device") == 0) {
        self->usb_vendor_id = read_hex_u16 (dir, "idVendor");
        self->usb_product_id = read_hex_u16 (dir, "idProduct");
      }
      if ((g_str_equal (subsystem, "usb") && g_strcmp0 (devtype, "usb_device") == 0) ||
          g_str_equal (subsystem, "pci") || g_str_equal (subsystem, "platform")) {
        self->physdev_path = g_strdup (dir);
        self->physdev_subsystem = g_strdup (subsystem);
      }
    }
    if (self->driver && self->physdev_path)
      break;
    parent = g_path_get_dirname (dir);
    g_free (dir);
    dir = parent;
  }
}

static MxKernelDevice *
kernel_device_new (const char *sysfs_root)
{
  MxKernelDevice *self = g_object_new (MX_TYPE_KERNEL_DEVICE, NULL);

  self->sysfs_root = g_strdup (sysfs_root ? sysfs_root : "/sys");
  return self;
}

MxKernelDevice *
mx_kernel_device_new_from_udev (GUdevDevice *device, const char *sysfs_root)
{
  MxKernelDevice *self = kernel_device_new (sysfs_root);
  const gchar * const *keys = g_udev_device_get_property_keys (device);

  self->name = g_strdup (g_udev_device_get_name (device));
  self->subsystem = g_strdup (g_udev_device_get_subsystem (device));
  self->devtype = g_strdup (g_udev_device_get_devtype (device));
  self->sysfs_path = g_strdup (g_udev_device_get_sysfs_path (device));
  for (guint i = 0; keys && keys[i]; i++)
    g_hash_table_insert (self->properties, g_strdup (keys[i]),
                         g_strdup (g_udev_device_get_property (device, keys[i])));
  if (self->sysfs_path)
    resolve_ancestry (self);
  if (g_strcmp0 (self->subsystem, "net") == 0) {
    const char *driver = mx_udev_tag_get_string (self->properties, self->name, MX_TAG_NET_DRIVER);

    /* The udev counterpart of a kernel event's driver= key. */
    if (driver) {
      g_debug ("%s: driver '%s' from %s (sysfs says '%s')", self->name, driver,
               MX_TAG_NET_DRIVER, self->driver ? self->driver : "none");
      g_free (self->driver);
      self->driver = g_strdup (driver);
    }
  }
  return self;
}

static gchar *
find_sysfs_path (const char *root, const char *subsystem, const char *name)
{
  const char *patterns[] = { "class", "bus" };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++) {
    g_autofree gchar *path = i == 0
      ? g_build_filename (root, "class", subsystem, name, NULL)
      : g_build_filename (root, "bus", subsystem, "devices", name, NULL);
    gchar *real = realpath (path, NULL);

    if (real) {
      gchar *dup = g_strdup (real);

      free (real);
      return dup;
    }
  }
  return NULL;
}

MxKernelDevice *
mx_kernel_device_new_from_sysfs (const char *sysfs_root, const char *subsystem,
                                 const char *name, GHashTable *extra, GError **error)
{
  g_autoptr(MxKernelDevice) self = kernel_device_new (sysfs_root);
  const char *uid = extra ? g_hash_table_lookup (extra, "uid") : NULL;
  const char *driver = extra ? g_hash_table_lookup (extra, "driver") : NULL;

  self->name = g_strdup (name);
  self->subsystem = g_strdup (subsystem);
  self->sysfs_path = find_sysfs_path (self->sysfs_root, subsystem, name);
  if (!self->sysfs_path && !uid) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND,
                 "%s/%s is not in sysfs (%s/class/%s/%s) and the event gives no uid",
                 subsystem, name, self->sysfs_root, subsystem, name);
    return NULL;
  }
  if (self->sysfs_path) {
    parse_uevent (self->sysfs_path, self->properties);
    self->devtype = g_strdup (g_hash_table_lookup (self->properties, "DEVTYPE"));
    resolve_ancestry (self);
  }
  if (uid)
    self->event_uid = g_strdup (uid);
  if (driver) {
    /* The event names the driver (a tun standing in for mhi_net in tests). */
    g_free (self->driver);
    self->driver = g_strdup (driver);
  }
  return g_steal_pointer (&self);
}

MxKernelDevice *
mx_kernel_device_new_qrtr (guint32 node_id)
{
  MxKernelDevice *self = kernel_device_new (NULL);

  self->name = g_strdup_printf ("qrtr%u", node_id);
  self->subsystem = g_strdup (MX_SUBSYSTEM_QRTR);
  self->driver = g_strdup (MX_SUBSYSTEM_QRTR);
  self->is_qrtr = TRUE;
  self->qrtr_node = node_id;
  /* As ModemManager's MMKernelDeviceQrtr: a QMI control port, always a candidate. */
  g_hash_table_insert (self->properties, g_strdup (MX_TAG_PORT_TYPE_QMI), g_strdup ("1"));
  g_hash_table_insert (self->properties, g_strdup (MX_TAG_CANDIDATE), g_strdup ("1"));
  return self;
}

const char *mx_kernel_device_get_name (MxKernelDevice *self) { return self->name; }
const char *mx_kernel_device_get_subsystem (MxKernelDevice *self) { return self->subsystem; }
const char *mx_kernel_device_get_devtype (MxKernelDevice *self) { return self->devtype; }
const char *mx_kernel_device_get_sysfs_path (MxKernelDevice *self) { return self->sysfs_path; }
const char *mx_kernel_device_get_sysfs_root (MxKernelDevice *self) { return self->sysfs_root; }
const char *mx_kernel_device_get_driver (MxKernelDevice *self) { return self->driver; }
const char *mx_kernel_device_get_physdev_path (MxKernelDevice *self) { return self->physdev_path; }
const char *mx_kernel_device_get_physdev_subsystem (MxKernelDevice *self) { return self->physdev_subsystem; }
const char *mx_kernel_device_get_event_uid (MxKernelDevice *self) { return self->event_uid; }
gint mx_kernel_device_get_interface_number (MxKernelDevice *self) { return self->interface_number; }
guint16 mx_kernel_device_get_usb_vendor_id (MxKernelDevice *self) { return self->usb_vendor_id; }
guint16 mx_kernel_device_get_usb_product_id (MxKernelDevice *self) { return self->usb_product_id; }

gboolean
mx_kernel_device_has_device_node (MxKernelDevice *self)
{
  /* udev and the uevent file name the node (DEVNAME); a device announced by
   * a kernel event without sysfs is taken at its word. */
  return !self->sysfs_path || g_hash_table_contains (self->properties, "DEVNAME");
}
gboolean mx_kernel_device_is_qrtr (MxKernelDevice *self) { return self->is_qrtr; }
guint32 mx_kernel_device_get_qrtr_node (MxKernelDevice *self) { return self->qrtr_node; }
GHashTable *mx_kernel_device_peek_properties (MxKernelDevice *self) { return self->properties; }

const char *
mx_kernel_device_get_property (MxKernelDevice *self, const char *key)
{
  return g_hash_table_lookup (self->properties, key);
}

const char *
mx_kernel_device_get_physdev_uid (MxKernelDevice *self)
{
  const char *tag;

  if (self->event_uid)
    return self->event_uid;
  tag = mx_udev_tag_get_string (self->properties, self->name, MX_TAG_PHYSDEV_UID);
  if (tag)
    return tag;
  return self->physdev_path;
}

gchar *
mx_kernel_device_find_ancestor_with_driver (MxKernelDevice *self, const char *driver)
{
  g_autofree gchar *dir = g_strdup (self->sysfs_path);

  while (dir && is_below_devices (self, dir)) {
    g_autofree gchar *bound = mx_sysfs_link_basename (dir, "driver");
    gchar *parent;

    if (g_strcmp0 (bound, driver) == 0)
      return g_steal_pointer (&dir);
    parent = g_path_get_dirname (dir);
    g_free (dir);
    dir = parent;
  }
  return NULL;
}

gboolean
mx_kernel_device_has_driver_in_chain (MxKernelDevice *self, const char *driver)
{
  g_autofree gchar *found = NULL;

  if (g_strcmp0 (self->driver, driver) == 0)
    return TRUE;
  found = mx_kernel_device_find_ancestor_with_driver (self, driver);
  return found != NULL;
}

gchar *
mx_kernel_device_read_attribute (MxKernelDevice *self, const char *relpath)
{
  g_autofree gchar *path = NULL;

  if (!self->sysfs_path)
    return NULL;
  path = g_build_filename (self->sysfs_path, relpath, NULL);
  return mx_sysfs_read_file (path);
}

gboolean
mx_kernel_device_read_attribute_uint (MxKernelDevice *self, const char *relpath, guint *value)
{
  g_autofree gchar *str = mx_kernel_device_read_attribute (self, relpath);
  guint64 v;
  gboolean hex;

  if (!str)
    return FALSE;
  hex = g_str_has_prefix (str, "0x");
  if (!g_ascii_string_to_unsigned (hex ? str + 2 : str, hex ? 16 : 10, 0, G_MAXUINT, &v, NULL)) {
    g_warning ("%s: ignoring attribute %s with invalid value '%s'", self->name, relpath, str);
    return FALSE;
  }
  *value = (guint) v;
  return TRUE;
}

static void
mx_kernel_device_finalize (GObject *object)
{
  MxKernelDevice *self = MX_KERNEL_DEVICE (object);

  g_free (self->name);
  g_free (self->subsystem);
  g_free (self->devtype);
  g_free (self->sysfs_root);
  g_free (self->sysfs_path);
  g_free (self->driver);
  g_free (self->physdev_path);
  g_free (self->physdev_subsystem);
  g_free (self->event_uid);
  g_hash_table_unref (self->properties);
  G_OBJECT_CLASS (mx_kernel_device_parent_class)->finalize (object);
}

static void
mx_kernel_device_init (MxKernelDevice *self)
{
  self->interface_number = -1;
  self->properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
mx_kernel_device_class_init (MxKernelDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mx_kernel_device_finalize;
}
