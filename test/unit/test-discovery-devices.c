/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel devices from a plain sysfs tree (udev-less setups), the port
 * policy, and the device manager's promises on bad input: a port that never
 * answers the probe, a QRTR node without WDS, garbage udev tags, a kernel
 * event with an unknown subsystem -- each a clear message or error, and no
 * device announced half-made. */
#define G_LOG_DOMAIN "test"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <libqmi-glib.h>
#include "mx-discovery-device-manager.h"
#include "mx-discovery-error.h"
#include "mx-discovery-port-policy.h"
#include "mx-discovery-port-probe.h"

/* ---- a small sysfs tree: one MHI modem ---------------------------------- */

#define PCI "devices/pci0000:00/0000:00:1c.0/0000:03:00.0"

typedef struct {
  gchar *dir;   /* temp dir */
  gchar *sys;   /* <dir>/sys */
  gchar *dev;   /* <dir>/dev */
} Tree;

static void
put (Tree *t, const char *rel, const char *contents)
{
  g_autofree gchar *path = g_build_filename (t->sys, rel, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
link_to (Tree *t, const char *rel, const char *target_rel)
{
  g_autofree gchar *path = g_build_filename (t->sys, rel, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);
  g_autofree gchar *target = g_build_filename (t->sys, target_rel, NULL);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
device_dir (Tree *t, const char *rel, const char *subsystem, const char *uevent)
{
  g_autofree gchar *uevent_rel = g_build_filename (rel, "uevent", NULL);
  g_autofree gchar *subsystem_rel = g_build_filename (rel, "subsystem", NULL);
  g_autofree gchar *bus_rel = g_strconcat ("bus/", subsystem, NULL);

  put (t, uevent_rel, uevent);
  link_to (t, subsystem_rel, bus_rel);
}

static void
tree_init (Tree *t)
{
  g_autoptr(GError) error = NULL;

  t->dir = g_dir_make_tmp ("mx-sysfs-XXXXXX", &error);
  g_assert_no_error (error);
  t->sys = g_build_filename (t->dir, "sys", NULL);
  t->dev = g_build_filename (t->dir, "dev", NULL);
  g_assert_cmpint (g_mkdir_with_parents (t->dev, 0755), ==, 0);

  device_dir (t, PCI, "pci", "DRIVER=mhi-pci-generic\nPCI_ID=17CB:0306\n");
  link_to (t, PCI "/driver", "bus/pci/drivers/mhi-pci-generic");
  device_dir (t, PCI "/mhi0", "mhi", "");
  device_dir (t, PCI "/mhi0/wwan/wwan0", "wwan", "DEVTYPE=wwan_dev\n");
  device_dir (t, PCI "/mhi0/wwan/wwan0/wwan0qmi0", "wwan", "DEVTYPE=wwan_port\nDEVNAME=wwan0qmi0\n");
  put (t, PCI "/mhi0/wwan/wwan0/wwan0qmi0/type", "QMI\n");
  device_dir (t, PCI "/mhi0/wwan/wwan0/wwan0at0", "wwan",
              "DEVTYPE=wwan_port\nDEVNAME=wwan0at0\nID_MM_PORT_TYPE_QMI=banana\n");
  device_dir (t, PCI "/mhi0/mhi0_IP_HW0", "mhi", "DRIVER=mhi_net\n");
  link_to (t, PCI "/mhi0/mhi0_IP_HW0/driver", "bus/mhi/drivers/mhi_net");
  device_dir (t, PCI "/mhi0/mhi0_IP_HW0/net/mhi_hwip0", "net", "INTERFACE=mhi_hwip0\nIFINDEX=5\n");
  device_dir (t, "devices/virtual/net/tun0", "net", "INTERFACE=tun0\n");
  link_to (t, "class/wwan/wwan0", PCI "/mhi0/wwan/wwan0");
  link_to (t, "class/wwan/wwan0qmi0", PCI "/mhi0/wwan/wwan0/wwan0qmi0");
  link_to (t, "class/wwan/wwan0at0", PCI "/mhi0/wwan/wwan0/wwan0at0");
  link_to (t, "class/net/mhi_hwip0", PCI "/mhi0/mhi0_IP_HW0/net/mhi_hwip0");
  link_to (t, "class/net/tun0", "devices/virtual/net/tun0");
}

static void
tree_clear (Tree *t)
{
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", t->dir);

  g_assert_cmpint (system (cmd), ==, 0);
  g_free (t->dir);
  g_free (t->sys);
  g_free (t->dev);
}

static MxKernelDevice *
kdev (Tree *t, const char *subsystem, const char *name)
{
  g_autoptr(GError) error = NULL;
  MxKernelDevice *k = mx_kernel_device_new_from_sysfs (t->sys, subsystem, name, NULL, &error);

  g_assert_no_error (error);
  return k;
}

/* ---- kernel devices ------------------------------------------------------ */

static void
test_kernel_device_from_sysfs (void)
{
  Tree t;
  g_autoptr(MxKernelDevice) qmi = NULL;
  g_autoptr(MxKernelDevice) net = NULL;
  g_autofree gchar *pci = NULL;

  tree_init (&t);
  pci = g_build_filename (t.sys, PCI, NULL);
  qmi = kdev (&t, "wwan", "wwan0qmi0");
  net = kdev (&t, "net", "mhi_hwip0");

  /* First bound driver walking up; physdev is the PCI function both share. */
  g_assert_cmpstr (mx_kernel_device_get_driver (qmi), ==, "mhi-pci-generic");
  g_assert_cmpstr (mx_kernel_device_get_driver (net), ==, "mhi_net");
  g_assert_cmpstr (mx_kernel_device_get_physdev_path (qmi), ==, pci);
  g_assert_cmpstr (mx_kernel_device_get_physdev_uid (net), ==, pci);
  g_assert_cmpstr (mx_kernel_device_get_physdev_subsystem (net), ==, "pci");
  g_assert_cmpint (mx_kernel_device_get_interface_number (net), ==, -1);
  g_assert_cmpstr (mx_kernel_device_get_devtype (qmi), ==, "wwan_port");
  g_assert_cmpstr (mx_kernel_device_get_property (net, "IFINDEX"), ==, "5");
  tree_clear (&t);
}

static void
test_kernel_device_event_uid_and_missing_sysfs (void)
{
  Tree t;
  g_autoptr(GHashTable) extra = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(MxKernelDevice) net = NULL;
  g_autoptr(MxKernelDevice) ghost = NULL;
  MxKernelDevice *none;

  tree_init (&t);
  g_hash_table_insert (extra, "uid", "modem1");
  g_hash_table_insert (extra, "driver", "mhi_net");
  net = mx_kernel_device_new_from_sysfs (t.sys, "net", "tun0", extra, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mx_kernel_device_get_physdev_uid (net), ==, "modem1");
  g_assert_cmpstr (mx_kernel_device_get_driver (net), ==, "mhi_net");

  /* Not in sysfs: only with a uid (a port served by a proxy in tests). */
  none = mx_kernel_device_new_from_sysfs (t.sys, "wwan", "wwan9qmi0", NULL, &error);
  g_assert_null (none);
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ghost = mx_kernel_device_new_from_sysfs (t.sys, "wwan", "wwan9qmi0", extra, &error);
  g_assert_no_error (error);
  g_assert_null (mx_kernel_device_get_sysfs_path (ghost));
  g_assert_cmpstr (mx_kernel_device_get_physdev_uid (ghost), ==, "modem1");
  tree_clear (&t);
}

/* ---- port policy --------------------------------------------------------- */

static void
test_policy (void)
{
  Tree t;
  g_autoptr(MxKernelDevice) qmi = NULL;
  g_autoptr(MxKernelDevice) at = NULL;
  g_autoptr(MxKernelDevice) parent = NULL;
  g_autoptr(MxKernelDevice) tun = NULL;
  g_autoptr(MxKernelDevice) node = mx_kernel_device_new_qrtr (3);
  g_autoptr(GError) error = NULL;
  MxPortPolicyResult r;
  gboolean suffix;

  tree_init (&t);
  qmi = kdev (&t, "wwan", "wwan0qmi0");
  at = kdev (&t, "wwan", "wwan0at0");
  parent = kdev (&t, "wwan", "wwan0");
  tun = kdev (&t, "net", "tun0");

  g_assert_true (mx_port_policy_classify (qmi, FALSE, &r, &error));
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_QMI);
  g_assert_cmpint (r.role, ==, MX_PORT_ROLE_CONTROL);
  g_assert_true (r.needs_probe);
  g_assert_cmpstr (r.source, ==, "wwan-type-attribute");

  /* A garbage tag is reported and ignored; the name suffix decides. */
  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, "*wwan0at0*ID_MM_PORT_TYPE_QMI*banana*");
  g_assert_true (mx_port_policy_classify (at, FALSE, &r, &error));
  g_test_assert_expected_messages ();
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_AT);
  g_assert_cmpstr (r.source, ==, "wwan-name-suffix");

  g_assert_false (mx_port_policy_classify (parent, FALSE, &r, &error));
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_IGNORED);
  g_clear_error (&error);

  /* A virtual netdev is a modem port only as a link (lower_*). */
  g_assert_false (mx_port_policy_classify (tun, FALSE, &r, &error));
  g_assert_nonnull (strstr (error->message, "without lower_"));
  g_clear_error (&error);
  g_assert_true (mx_port_policy_classify (tun, TRUE, &r, &error));
  g_assert_cmpint (r.role, ==, MX_PORT_ROLE_LINK);
  g_assert_false (r.needs_probe);

  g_assert_true (mx_port_policy_classify (node, FALSE, &r, &error));
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_QMI);
  g_assert_false (r.needs_probe);

  g_assert_cmpint (mx_port_policy_wwan_type ("FIREHOSE", "wwan0firehose0", &suffix), ==, MX_PORT_TYPE_IGNORED);
  g_assert_cmpint (mx_port_policy_wwan_type (NULL, "wwan1mbim0", &suffix), ==, MX_PORT_TYPE_MBIM);
  g_assert_true (suffix);
  g_assert_cmpint (mx_port_policy_wwan_type (NULL, "wwan0qmix", &suffix), ==, MX_PORT_TYPE_UNKNOWN);
  tree_clear (&t);
}

/* ttys: the vendor's USB interface layout types them when no tag does;
 * ModemManager's rules, where they ran, admit only their candidates; a
 * char device without a /dev node is never a port. */
#define USB "devices/pci0000:00/0000:00:14.0/usb1/1-1"

static void
usb_modem (Tree *t, const char *vid)
{
  device_dir (t, USB, "usb", "DEVTYPE=usb_device\n");
  put (t, USB "/idVendor", vid);
  put (t, USB "/idProduct", "0125\n");
}

static void
usb_tty (Tree *t, guint ifnum, const char *driver, const char *tty)
{
  g_autofree gchar *iface = g_strdup_printf (USB "/1-1:1.%u", ifnum);
  g_autofree gchar *port = g_strdup_printf ("%s/%s", iface, tty);
  g_autofree gchar *node = g_strdup_printf ("%s/tty/%s", port, tty);
  g_autofree gchar *uevent = g_strdup_printf ("DEVNAME=/dev/%s\n", tty);
  g_autofree gchar *num = g_strdup_printf ("%02x\n", ifnum);
  g_autofree gchar *num_rel = g_build_filename (iface, "bInterfaceNumber", NULL);
  g_autofree gchar *iface_driver = g_build_filename (iface, "driver", NULL);
  g_autofree gchar *port_driver = g_build_filename (port, "driver", NULL);
  g_autofree gchar *driver_rel = g_strconcat ("bus/usb/drivers/", driver, NULL);
  g_autofree gchar *serial_rel = g_strconcat ("bus/usb-serial/drivers/", driver, "1", NULL);
  g_autofree gchar *class_rel = g_strconcat ("class/tty/", tty, NULL);

  device_dir (t, iface, "usb", "DEVTYPE=usb_interface\n");
  put (t, num_rel, num);
  link_to (t, iface_driver, driver_rel);
  device_dir (t, port, "usb-serial", "");
  link_to (t, port_driver, serial_rel);
  device_dir (t, node, "tty", uevent);
  link_to (t, class_rel, node);
}

static void
uart (Tree *t, const char *name, const char *tags)
{
  g_autofree gchar *rel = g_strconcat ("devices/pnp0/00:01/tty/", name, NULL);
  g_autofree gchar *class_rel = g_strconcat ("class/tty/", name, NULL);
  g_autofree gchar *uevent = g_strdup_printf ("DEVNAME=/dev/%s\n%s", name, tags);

  device_dir (t, rel, "tty", uevent);
  link_to (t, class_rel, rel);
}

static void
test_policy_ttys_and_modemmanager_rules (void)
{
  Tree t;
  MxPortPolicyResult r;
  g_autoptr(GError) error = NULL;
  g_autoptr(MxKernelDevice) at = NULL, dm = NULL, telit = NULL, plain = NULL, tagged = NULL;
  g_autoptr(MxKernelDevice) candidate = NULL, nodeless = NULL;

  tree_init (&t);
  usb_modem (&t, "2c7c\n");
  usb_tty (&t, 2, "option", "ttyUSB2");
  usb_tty (&t, 0, "option", "ttyUSB0");

  /* Quectel interface 2: the primary AT port, confirmed by the AT probe;
   * the driver is the interface's (option), not the serial port's (option1). */
  at = kdev (&t, "tty", "ttyUSB2");
  g_assert_cmpstr (mx_kernel_device_get_driver (at), ==, "option");
  g_assert_true (mx_port_policy_classify (at, FALSE, &r, &error));
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_AT);
  g_assert_cmpstr (r.source, ==, "usb-interface-layout");
  g_assert_true (r.needs_at_probe);
  g_assert_false (r.needs_probe);
  g_assert_cmpint (mx_port_policy_at_role (at), ==, MX_AT_ROLE_PRIMARY);

  /* Interface 0: QCDM, nothing to probe. */
  dm = kdev (&t, "tty", "ttyUSB0");
  g_assert_true (mx_port_policy_classify (dm, FALSE, &r, &error));
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_QCDM);
  g_assert_false (r.needs_at_probe);
  tree_clear (&t);

  /* A vendor without a fixed layout (Telit): AT if it answers. */
  tree_init (&t);
  usb_modem (&t, "1bc7\n");
  usb_tty (&t, 5, "option", "ttyUSB5");
  telit = kdev (&t, "tty", "ttyUSB5");
  g_assert_true (mx_port_policy_classify (telit, FALSE, &r, &error));
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_AT);
  g_assert_cmpstr (r.source, ==, "at-probe");
  g_assert_true (r.needs_at_probe);
  g_assert_cmpint (mx_port_policy_at_role (telit), ==, MX_AT_ROLE_NONE);

  uart (&t, "ttyS0", "");
  uart (&t, "ttyS1", "ID_MM_PORT_TYPE_AT_PRIMARY=1\n");
  uart (&t, "ttyS2", "ID_MM_CANDIDATE=1\nID_MM_PORT_TYPE_AT_PRIMARY=1\n");
  device_dir (&t, PCI "/mhi0/wwan/wwan0/wwan0qcdm0", "wwan", "DEVTYPE=wwan_port\n");
  put (&t, PCI "/mhi0/wwan/wwan0/wwan0qcdm0/type", "QCDM\n");
  link_to (&t, "class/wwan/wwan0qcdm0", PCI "/mhi0/wwan/wwan0/wwan0qcdm0");

  /* A UART without tags is no modem port. */
  plain = kdev (&t, "tty", "ttyS0");
  g_assert_false (mx_port_policy_classify (plain, FALSE, &r, &error));
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_IGNORED);
  g_assert_nonnull (strstr (error->message, "not a modem serial driver"));
  g_clear_error (&error);

  /* ModemManager's rules tagged it, but did not make it a candidate. */
  tagged = kdev (&t, "tty", "ttyS1");
  g_assert_false (mx_port_policy_classify (tagged, FALSE, &r, &error));
  g_assert_nonnull (strstr (error->message, "ID_MM_CANDIDATE"));
  g_clear_error (&error);

  /* A candidate with a port type tag is that port, whatever its driver. */
  candidate = kdev (&t, "tty", "ttyS2");
  g_assert_true (mx_port_policy_classify (candidate, FALSE, &r, &error));
  g_assert_cmpint (r.type, ==, MX_PORT_TYPE_AT);
  g_assert_cmpstr (r.source, ==, "udev-tag");
  g_assert_cmpint (mx_port_policy_at_role (candidate), ==, MX_AT_ROLE_PRIMARY);

  /* No /dev node, no port: nobody can open it. */
  nodeless = kdev (&t, "wwan", "wwan0qcdm0");
  g_assert_false (mx_kernel_device_has_device_node (nodeless));
  g_assert_false (mx_port_policy_classify (nodeless, FALSE, &r, &error));
  g_assert_nonnull (strstr (error->message, "no /dev node"));
  g_clear_error (&error);
  tree_clear (&t);
}

/* ---- device manager ------------------------------------------------------ */

/* A test plugin that wants everything and maps data ports to the primary
 * control port (the real plugins are proven by the fixtures suite). */
static guint
any_claim (const MxPlugin *plugin, const MxPort *port, GPtrArray *group)
{
  return MX_PLUGIN_CLAIM_GENERIC;
}

static gboolean
any_map (const MxPlugin *plugin, MxDevice *device, MxPort *data, GError **error)
{
  MxPort *control = mx_device_get_primary_control_port (device);

  data->control_port = g_strdup (mx_port_get_name (control));
  data->profile.endpoint_type = QMI_DATA_ENDPOINT_TYPE_PCIE;
  data->profile.endpoint_interface = 4;
  return TRUE;
}

static const MxPlugin test_plugin = { .name = "test", .claim = any_claim, .map_data_port = any_map };
static const MxPlugin * const test_plugins[] = { &test_plugin, NULL };

typedef struct {
  guint added, removed, changed;
  MxDevice *last;
} Counts;

static void on_added (MxDeviceManager *m, MxDevice *d, Counts *c) { c->added++; c->last = d; }
static void on_removed (MxDeviceManager *m, MxDevice *d, Counts *c) { c->removed++; }
static void on_changed (MxDeviceManager *m, MxDevice *d, Counts *c) { c->changed++; }

static MxDeviceManager *
manager_new_retrying (Tree *t, gboolean probe, guint probe_retries, Counts *counts)
{
  MxDeviceManagerOptions options;
  MxDeviceManager *manager;

  mx_device_manager_options_init (&options);
  options.sysfs_root = t->sys;
  options.dev_dir = t->dev;
  options.probe = probe;
  options.probe_via_proxy = FALSE;
  options.probe_timeout_s = 1;
  options.probe_retries = probe_retries;
  manager = mx_device_manager_new (test_plugins, &options);
  g_signal_connect (manager, "device-added", G_CALLBACK (on_added), counts);
  g_signal_connect (manager, "device-removed", G_CALLBACK (on_removed), counts);
  g_signal_connect (manager, "device-changed", G_CALLBACK (on_changed), counts);
  return manager;
}

/* Without re-probes: a port that does not answer fails at once. */
static MxDeviceManager *
manager_new (Tree *t, gboolean probe, Counts *counts)
{
  return manager_new_retrying (t, probe, 0, counts);
}

static gboolean
event (MxDeviceManager *manager, const char *line, GError **error)
{
  g_autoptr(MxKernelEvent) ev = mx_kernel_event_parse_line (line, error);

  return ev && mx_device_manager_handle_kernel_event (manager, ev, error);
}

static void
test_manager_groups_and_removes (void)
{
  Tree t;
  Counts c = { 0 };
  g_autoptr(MxDeviceManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  MxPort *data;

  tree_init (&t);
  manager = manager_new (&t, FALSE, &c);

  /* The data port alone is not a device yet. */
  g_assert_true (event (manager, "action=add,subsystem=net,name=mhi_hwip0", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.added, ==, 0);

  g_assert_true (event (manager, "action=add,subsystem=wwan,name=wwan0qmi0", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.added, ==, 1);
  devices = mx_device_manager_get_devices (manager);
  g_assert_cmpuint (devices->len, ==, 1);
  g_assert_cmpstr (mx_device_get_plugin_name (devices->pdata[0]), ==, "test");
  g_assert_cmpuint (mx_device_peek_ports (devices->pdata[0])->len, ==, 2);
  data = mx_device_lookup_port (devices->pdata[0], "mhi_hwip0");
  g_assert_cmpstr (data->control_port, ==, "wwan0qmi0");
  g_assert_cmpint (data->probe, ==, MX_PROBE_NOT_NEEDED);
  g_assert_cmpint (mx_device_lookup_port (devices->pdata[0], "wwan0qmi0")->probe, ==, MX_PROBE_SKIPPED);

  /* The second AT port joins the same device (its garbage tag warns). */
  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, "*ID_MM_PORT_TYPE_QMI*banana*");
  g_assert_true (event (manager, "action=add,subsystem=wwan,name=wwan0at0", &error));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (c.added, ==, 1);
  g_assert_cmpuint (c.changed, ==, 1);

  /* Removing the control ports removes the device, even with its data port left. */
  g_assert_true (event (manager, "action=remove,subsystem=wwan,name=wwan0qmi0", &error));
  g_assert_cmpuint (c.removed, ==, 0); /* the AT port still controls it */
  g_assert_true (event (manager, "action=remove,subsystem=wwan,name=wwan0at0", &error));
  g_assert_cmpuint (c.removed, ==, 1);
  g_clear_pointer (&devices, g_ptr_array_unref);
  devices = mx_device_manager_get_devices (manager);
  g_assert_cmpuint (devices->len, ==, 0);
  tree_clear (&t);
}

static void
test_manager_event_uid_groups_without_sysfs (void)
{
  Tree t;
  Counts c = { 0 };
  g_autoptr(MxDeviceManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;

  tree_init (&t);
  manager = manager_new (&t, FALSE, &c);
  /* As the VM bearer tests announce a fake MHI modem: a proxy-served QMI
   * port and a tun standing in for mhi_hwip0, grouped by uid. */
  g_assert_true (event (manager, "action=add,subsystem=wwan,name=wwan0qmi0,uid=modem1", &error));
  g_assert_true (event (manager, "action=add,subsystem=net,name=tun0,uid=modem1,driver=mhi_net", &error));
  g_assert_no_error (error);
  devices = mx_device_manager_get_devices (manager);
  g_assert_cmpuint (devices->len, ==, 1);
  g_assert_cmpstr (mx_device_get_uid (devices->pdata[0]), ==, "modem1");
  g_assert_cmpuint (mx_device_peek_ports (devices->pdata[0])->len, ==, 2);
  tree_clear (&t);
}

static void
test_manager_rejects_bad_input (void)
{
  Tree t;
  Counts c = { 0 };
  g_autoptr(MxDeviceManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) dict = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'add'>, 'subsystem': <'sound'>, 'name': <'card0'>}"));
  const guint32 dsp_services[] = { QMI_SERVICE_DMS, QMI_SERVICE_NAS };
  const guint32 modem_services[] = { QMI_SERVICE_NAS, QMI_SERVICE_WDS, QMI_SERVICE_DMS, QMI_SERVICE_UIM };

  tree_init (&t);
  manager = manager_new (&t, FALSE, &c);

  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_MESSAGE, "*ReportKernelEvent rejected*'sound'*");
  g_assert_false (mx_device_manager_report_kernel_event (manager, dict, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT);
  g_clear_error (&error);

  g_assert_false (event (manager, "action=add,subsystem=net,name=nosuch0", &error));
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (event (manager, "action=add,subsystem=net,name=tun0", &error));
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_IGNORED);
  g_clear_error (&error);

  g_assert_false (mx_device_manager_add_qrtr_node (manager, 5, dsp_services,
                                                   G_N_ELEMENTS (dsp_services), &error));
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_A_MODEM);
  g_assert_nonnull (strstr (error->message, "QRTR node 5"));
  g_clear_error (&error);
  g_assert_cmpuint (c.added, ==, 0);

  /* A node with the modem services becomes a device of its own; BYE removes it. */
  g_assert_true (mx_device_manager_add_qrtr_node (manager, 3, modem_services,
                                                  G_N_ELEMENTS (modem_services), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.added, ==, 1);
  g_assert_cmpstr (mx_device_get_uid (c.last), ==, "qrtr-node:3");
  mx_device_manager_remove_qrtr_node (manager, 3);
  g_assert_cmpuint (c.removed, ==, 1);
  tree_clear (&t);
}

static void
on_settled (MxDeviceManager *manager, gboolean *done)
{
  *done = TRUE;
}

static void
test_manager_silent_port_never_becomes_a_device (void)
{
  Tree t;
  Counts c = { 0 };
  g_autoptr(MxDeviceManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *link = NULL;
  gboolean done = FALSE;
  int master, slave;
  char slave_name[256];

  tree_init (&t);
  /* The "modem" is a PTY nobody answers on. */
  g_assert_cmpint (openpty (&master, &slave, slave_name, NULL, NULL), ==, 0);
  link = g_build_filename (t.dev, "wwan0qmi0", NULL);
  g_assert_cmpint (symlink (slave_name, link), ==, 0);

  /* One re-probe (after 1 s), bounded: then the port is given up. */
  manager = manager_new_retrying (&t, TRUE, 1, &c);
  g_signal_connect (manager, "settled", G_CALLBACK (on_settled), &done);
  g_assert_true (event (manager, "action=add,subsystem=net,name=mhi_hwip0", &error));
  g_assert_true (event (manager, "action=add,subsystem=wwan,name=wwan0qmi0", &error));
  g_assert_no_error (error);
  g_assert_false (mx_device_manager_is_settled (manager));

  /* libqmi cannot tell what transport a PTY is and says so (each probe). */
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*couldn't detect transport type*");
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*unexpected transport type found*");
  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_MESSAGE,
                         "*wwan0qmi0: no QMI answer yet*did not answer a QMI request*"
                         "probing again in 1 s (retry 1 of 1)*");
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*couldn't detect transport type*");
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*unexpected transport type found*");
  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_MESSAGE,
                         "*wwan0qmi0: not used as a control port*did not answer a QMI request*"
                         "(after 1 retries)*");
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (c.added, ==, 0);
  g_assert_null (mx_device_manager_lookup_port (manager, "mhi_hwip0"));
  close (master);
  close (slave);
  tree_clear (&t);
}


/* A minimal QMI peer on a PTY master: answers CTL Get Version Info, which is
 * all the probe asks. */
typedef struct {
  int      master;
  GByteArray *buffer;
  guint    answered;
} Peer;

static gboolean
peer_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  Peer *peer = user_data;
  guint8 chunk[2048];
  gssize n = read (fd, chunk, sizeof chunk);

  if (n <= 0)
    return G_SOURCE_CONTINUE;
  g_byte_array_append (peer->buffer, chunk, (guint) n);
  for (;;) {
    g_autoptr(GError) error = NULL;
    g_autoptr(QmiMessage) request = qmi_message_new_from_raw (peer->buffer, &error);
    g_autoptr(QmiMessage) response = NULL;
    const guint8 *raw;
    gsize len;
    gsize init;
    const guint8 services[] = { QMI_SERVICE_CTL, QMI_SERVICE_WDS, QMI_SERVICE_DMS, QMI_SERVICE_NAS };

    if (!request)
      break;
    if (qmi_message_get_service (request) != QMI_SERVICE_CTL ||
        qmi_message_get_message_id (request) != 0x0021)
      continue;
    response = qmi_message_response_new (request, QMI_PROTOCOL_ERROR_NONE);
    init = qmi_message_tlv_write_init (response, 0x01, NULL);
    g_assert_cmpuint (init, >, 0);
    g_assert_true (qmi_message_tlv_write_guint8 (response, (guint8) G_N_ELEMENTS (services), NULL));
    for (guint i = 0; i < G_N_ELEMENTS (services); i++) {
      g_assert_true (qmi_message_tlv_write_guint8 (response, services[i], NULL));
      g_assert_true (qmi_message_tlv_write_guint16 (response, QMI_ENDIAN_LITTLE, 1, NULL));
      g_assert_true (qmi_message_tlv_write_guint16 (response, QMI_ENDIAN_LITTLE, 5, NULL));
    }
    g_assert_true (qmi_message_tlv_write_complete (response, init, NULL));
    raw = qmi_message_get_raw (response, &len, NULL);
    g_assert_cmpint (write (fd, raw, len), ==, (gssize) len);
    peer->answered++;
  }
  return G_SOURCE_CONTINUE;
}

static void
test_manager_answered_port_survives_change (void)
{
  Tree t;
  Counts c = { 0 };
  g_autoptr(MxDeviceManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *link = NULL;
  gboolean done = FALSE;
  Peer peer = { .buffer = g_byte_array_new () };
  guint watch;
  int slave;
  char slave_name[256];
  MxDevice *device;

  tree_init (&t);
  g_assert_cmpint (openpty (&peer.master, &slave, slave_name, NULL, NULL), ==, 0);
  {
    struct termios tio;

    /* Bytes, not lines: no echo, no CR/LF translation. */
    g_assert_cmpint (tcgetattr (slave, &tio), ==, 0);
    cfmakeraw (&tio);
    g_assert_cmpint (tcsetattr (slave, TCSANOW, &tio), ==, 0);
  }
  link = g_build_filename (t.dev, "wwan0qmi0", NULL);
  g_assert_cmpint (symlink (slave_name, link), ==, 0);
  watch = g_unix_fd_add (peer.master, G_IO_IN, peer_readable, &peer);

  manager = manager_new (&t, TRUE, &c);
  g_signal_connect (manager, "settled", G_CALLBACK (on_settled), &done);
  g_assert_true (event (manager, "action=add,subsystem=net,name=mhi_hwip0", &error));
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*couldn't detect transport type*");
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*unexpected transport type found*");
  g_assert_true (event (manager, "action=add,subsystem=wwan,name=wwan0qmi0", &error));
  g_assert_no_error (error);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (peer.answered, ==, 1);
  g_assert_cmpuint (c.added, ==, 1);
  device = mx_device_manager_lookup_port (manager, "wwan0qmi0");
  g_assert_nonnull (device);
  g_assert_cmpint (mx_device_lookup_port (device, "wwan0qmi0")->probe, ==, MX_PROBE_OK);
  g_assert_cmpstr (mx_device_lookup_port (device, "mhi_hwip0")->control_port, ==, "wwan0qmi0");

  /* Announced again (a udev "change"): kept, not probed again, not re-added. */
  g_assert_true (event (manager, "action=add,subsystem=wwan,name=wwan0qmi0", &error));
  g_assert_true (mx_device_manager_is_settled (manager));
  g_assert_cmpuint (c.removed, ==, 0);
  g_assert_cmpuint (c.added, ==, 1);
  g_assert_cmpuint (peer.answered, ==, 1);

  /* Let the probe's asynchronous close finish before the PTY goes. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_source_remove (watch);
  g_byte_array_unref (peer.buffer);
  close (peer.master);
  close (slave);
  tree_clear (&t);
}

static void
probe_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GError **error = user_data;

  g_assert_false (mx_port_probe_qmi_finish (res, error));
}

static void
test_probe_is_cancellable (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;
  int master, slave;
  char slave_name[256];

  g_assert_cmpint (openpty (&master, &slave, slave_name, NULL, NULL), ==, 0);
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*couldn't detect transport type*");
  g_test_expect_message ("Qmi", G_LOG_LEVEL_WARNING, "*unexpected transport type found*");
  mx_port_probe_qmi_path (slave_name, 30, FALSE, cancellable, probe_done, &error);
  g_cancellable_cancel (cancellable);
  while (!error)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_error_free (error);
  close (master);
  close (slave);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/discovery/kernel-device/from-sysfs", test_kernel_device_from_sysfs);
  g_test_add_func ("/discovery/kernel-device/event-uid", test_kernel_device_event_uid_and_missing_sysfs);
  g_test_add_func ("/discovery/policy/classify", test_policy);
  g_test_add_func ("/discovery/policy/ttys-and-modemmanager-rules", test_policy_ttys_and_modemmanager_rules);
  g_test_add_func ("/discovery/manager/groups-and-removes", test_manager_groups_and_removes);
  g_test_add_func ("/discovery/manager/event-uid", test_manager_event_uid_groups_without_sysfs);
  g_test_add_func ("/discovery/manager/bad-input", test_manager_rejects_bad_input);
  g_test_add_func ("/discovery/manager/silent-port", test_manager_silent_port_never_becomes_a_device);
  g_test_add_func ("/discovery/manager/answered-port-survives-change", test_manager_answered_port_survives_change);
  g_test_add_func ("/discovery/probe/cancellable", test_probe_is_cancellable);
  return g_test_run ();
}
