/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One kernel device as discovery sees it: a net/wwan/usbmisc/rpmsg device
 * (from GUdev, or from plain sysfs for kernel events in udev-less setups) or
 * a QRTR node (no sysfs at all). Everything is read once at creation: name,
 * subsystem, first bound driver walking up, physical device (USB device, PCI
 * function or SoC platform device), USB interface number and udev properties.
 * Immutable afterwards, so it can be shared freely. */
#pragma once
#include <gio/gio.h>
#include <gudev/gudev.h>

G_BEGIN_DECLS

#define MX_TYPE_KERNEL_DEVICE (mx_kernel_device_get_type ())
G_DECLARE_FINAL_TYPE (MxKernelDevice, mx_kernel_device, MX, KERNEL_DEVICE, GObject)

#define MX_SUBSYSTEM_QRTR "qrtr"

/* @sysfs_root: where sysfs is mounted ("/sys" when NULL); used to stop the
 * walk up and to find class devices. */
MxKernelDevice *mx_kernel_device_new_from_udev  (GUdevDevice *device, const char *sysfs_root);
/* Looks the device up as <root>/class/<subsystem>/<name> or
 * <root>/bus/<subsystem>/devices/<name>; properties come from its uevent
 * file plus @extra (may be NULL; e.g. "uid" and "driver" of a kernel event).
 * When the device is not in sysfs, succeeds only if @extra has a "uid"
 * (udev-less tests announcing a port served by a proxy): the device then has
 * no sysfs path and the driver given in @extra, if any. */
MxKernelDevice *mx_kernel_device_new_from_sysfs (const char *sysfs_root, const char *subsystem,
                                                 const char *name, GHashTable *extra,
                                                 GError **error);
/* A QRTR node: name "qrtr<node>", subsystem and driver "qrtr". */
MxKernelDevice *mx_kernel_device_new_qrtr       (guint32 node_id);

const char *mx_kernel_device_get_name              (MxKernelDevice *self);
const char *mx_kernel_device_get_subsystem         (MxKernelDevice *self);
const char *mx_kernel_device_get_devtype           (MxKernelDevice *self); /* may be NULL */
const char *mx_kernel_device_get_sysfs_path        (MxKernelDevice *self); /* NULL: none */
const char *mx_kernel_device_get_sysfs_root        (MxKernelDevice *self);
const char *mx_kernel_device_get_driver            (MxKernelDevice *self); /* NULL: none */
const char *mx_kernel_device_get_physdev_path      (MxKernelDevice *self); /* NULL: none */
const char *mx_kernel_device_get_physdev_subsystem (MxKernelDevice *self); /* usb, pci, platform */
/* Grouping key: kernel-event uid, else ID_MM_PHYSDEV_UID, else the physdev
 * sysfs path; NULL for devices without any (virtual netdevs, QRTR nodes). */
const char *mx_kernel_device_get_physdev_uid       (MxKernelDevice *self);
/* The `uid` of the kernel event that announced the device, NULL if none. */
const char *mx_kernel_device_get_event_uid         (MxKernelDevice *self);
gint        mx_kernel_device_get_interface_number  (MxKernelDevice *self); /* -1: none */
/* idVendor/idProduct of the USB device it sits on; 0 when not on USB. */
guint16     mx_kernel_device_get_usb_vendor_id     (MxKernelDevice *self);
guint16     mx_kernel_device_get_usb_product_id    (MxKernelDevice *self);
/* Whether the device has a /dev node (DEVNAME) a control port needs; rpmsg
 * channel devices and other bus devices have none. */
gboolean    mx_kernel_device_has_device_node       (MxKernelDevice *self);
gboolean    mx_kernel_device_is_qrtr               (MxKernelDevice *self);
guint32     mx_kernel_device_get_qrtr_node         (MxKernelDevice *self);
/* Whether the device or an ancestor is bound to @driver (MM's DRIVERS==). */
gboolean    mx_kernel_device_has_driver_in_chain   (MxKernelDevice *self, const char *driver);
/* Path of the first ancestor (or self) bound to @driver, NULL if none. */
gchar      *mx_kernel_device_find_ancestor_with_driver (MxKernelDevice *self, const char *driver);

GHashTable *mx_kernel_device_peek_properties (MxKernelDevice *self);
const char *mx_kernel_device_get_property    (MxKernelDevice *self, const char *key);

/* Contents (stripped) of the attribute at @relpath below the device's
 * sysfs directory ("type", "device/modem/tx_endpoint_id"), NULL if absent. */
gchar      *mx_kernel_device_read_attribute      (MxKernelDevice *self, const char *relpath);
/* Decimal (or 0x-prefixed hex) attribute, FALSE if absent or not a number. */
gboolean    mx_kernel_device_read_attribute_uint (MxKernelDevice *self, const char *relpath,
                                                  guint *value);

/* Sysfs helpers shared with the QRTR pairing policy. */
gchar      *mx_sysfs_read_file         (const char *path);
gchar      *mx_sysfs_link_basename     (const char *dir, const char *link);

G_END_DECLS
