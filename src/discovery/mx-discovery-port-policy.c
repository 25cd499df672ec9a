/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <string.h>
#include "mx-discovery-error.h"
#include "mx-discovery-port-policy.h"
#include "mx-discovery-qrtr-pairing.h"
#include "mx-discovery-udev-tags.h"

static const char *modem_net_drivers[] = {
  "qmi_wwan", "cdc_mbim", "mhi_net", "ipa", "bam-dmux", "mhi-pci-generic", "mhi_wwan_mbim", NULL
};

gboolean
mx_port_policy_is_modem_net_driver (const char *driver)
{
  return driver && g_strv_contains (modem_net_drivers, driver);
}

static const struct {
  const char        *name;
  MxDataDriverClass  driver_class;
} data_driver_classes[] = {
  { "qmi_wwan",      MX_DATA_DRIVER_CLASS_QMI_WWAN },
  { "qmi_wwan_q",    MX_DATA_DRIVER_CLASS_QMI_WWAN },  /* Quectel's out-of-tree fork */
  { "mhi_net",       MX_DATA_DRIVER_CLASS_MHI_NET },
  { "ipa",           MX_DATA_DRIVER_CLASS_IPA },
  { "bam-dmux",      MX_DATA_DRIVER_CLASS_BAM_DMUX },
  { "bam_dmux",      MX_DATA_DRIVER_CLASS_BAM_DMUX },
  { "cdc_mbim",      MX_DATA_DRIVER_CLASS_MBIM },
  /* An mhi_wwan_mbim netdev reports its controller's driver. */
  { "mhi_wwan_mbim", MX_DATA_DRIVER_CLASS_MBIM },
  { "mhi-pci-generic", MX_DATA_DRIVER_CLASS_MBIM },
};

MxDataDriverClass
mx_port_policy_data_driver_class (const char *driver)
{
  for (guint i = 0; driver && i < G_N_ELEMENTS (data_driver_classes); i++)
    if (g_str_equal (driver, data_driver_classes[i].name))
      return data_driver_classes[i].driver_class;
  return MX_DATA_DRIVER_CLASS_UNKNOWN;
}

const char *
mx_data_driver_class_to_string (MxDataDriverClass driver_class)
{
  switch (driver_class) {
  case MX_DATA_DRIVER_CLASS_QMI_WWAN: return "qmi_wwan";
  case MX_DATA_DRIVER_CLASS_MHI_NET:  return "mhi_net";
  case MX_DATA_DRIVER_CLASS_IPA:      return "ipa";
  case MX_DATA_DRIVER_CLASS_BAM_DMUX: return "bam-dmux";
  case MX_DATA_DRIVER_CLASS_MBIM:     return "mbim";
  case MX_DATA_DRIVER_CLASS_UNKNOWN:
  default:                            return "unknown";
  }
}

static const char * const soc_drivers[] = { "ipa", "bam-dmux", "qcom-q6v5-mss", NULL };

const char * const *
mx_port_policy_soc_drivers (void)
{
  return soc_drivers;
}

/* USB serial drivers whose ttys are modem ports without any tag. */
static const char *modem_tty_drivers[] = { "option", "qcserial", "sierra", NULL };

/* The vendors' USB interface layouts, as ModemManager's vendor rules
 * (77-mm-<vendor>-port-types.rules) and the kernel's qcserial comments give
 * them; product 0 matches every product of the vendor on that driver. A tty
 * of these drivers not listed here is taken as AT if it answers `AT`. */
static const struct {
  const char *driver;
  guint16     vid, pid;
  gint        ifnum;
  MxPortType  type;
  MxAtRole    at_role;
} tty_layouts[] = {
  /* Quectel (EC2x/EG2x/EG9x/EM0x/RM5xx on USB): 0 DM, 1 NMEA, 2 AT, 3 AT (modem). */
  { "option",   0x2c7c, 0, 0, MX_PORT_TYPE_QCDM, MX_AT_ROLE_NONE },
  { "option",   0x2c7c, 0, 1, MX_PORT_TYPE_GPS,  MX_AT_ROLE_NONE },
  { "option",   0x2c7c, 0, 2, MX_PORT_TYPE_AT,   MX_AT_ROLE_PRIMARY },
  { "option",   0x2c7c, 0, 3, MX_PORT_TYPE_AT,   MX_AT_ROLE_SECONDARY },
  { "qcserial", 0x2c7c, 0, 0, MX_PORT_TYPE_QCDM, MX_AT_ROLE_NONE },
  { "qcserial", 0x2c7c, 0, 1, MX_PORT_TYPE_GPS,  MX_AT_ROLE_NONE },
  { "qcserial", 0x2c7c, 0, 2, MX_PORT_TYPE_AT,   MX_AT_ROLE_PRIMARY },
  { "qcserial", 0x2c7c, 0, 3, MX_PORT_TYPE_AT,   MX_AT_ROLE_SECONDARY },
  /* Sierra Wireless on qcserial (MC/EM73xx, 74xx, 75xx): 0 DM, 2 NMEA, 3 AT. */
  { "qcserial", 0x1199, 0, 0, MX_PORT_TYPE_QCDM, MX_AT_ROLE_NONE },
  { "qcserial", 0x1199, 0, 2, MX_PORT_TYPE_GPS,  MX_AT_ROLE_NONE },
  { "qcserial", 0x1199, 0, 3, MX_PORT_TYPE_AT,   MX_AT_ROLE_PRIMARY },
  /* Foxconn T77W968 (0489:e0b4, e0b5 with eSIM): 2 AT, 3 AT, 4 NMEA, 5 DM. */
  { "option",   0x0489, 0xe0b4, 2, MX_PORT_TYPE_AT,   MX_AT_ROLE_PRIMARY },
  { "option",   0x0489, 0xe0b4, 3, MX_PORT_TYPE_AT,   MX_AT_ROLE_SECONDARY },
  { "option",   0x0489, 0xe0b4, 4, MX_PORT_TYPE_GPS,  MX_AT_ROLE_NONE },
  { "option",   0x0489, 0xe0b4, 5, MX_PORT_TYPE_QCDM, MX_AT_ROLE_NONE },
  { "option",   0x0489, 0xe0b5, 2, MX_PORT_TYPE_AT,   MX_AT_ROLE_PRIMARY },
  { "option",   0x0489, 0xe0b5, 3, MX_PORT_TYPE_AT,   MX_AT_ROLE_SECONDARY },
  { "option",   0x0489, 0xe0b5, 4, MX_PORT_TYPE_GPS,  MX_AT_ROLE_NONE },
  { "option",   0x0489, 0xe0b5, 5, MX_PORT_TYPE_QCDM, MX_AT_ROLE_NONE },
};

static gint
tty_layout_index (MxKernelDevice *kdev)
{
  const char *driver = mx_kernel_device_get_driver (kdev);
  guint16 vid = mx_kernel_device_get_usb_vendor_id (kdev);
  guint16 pid = mx_kernel_device_get_usb_product_id (kdev);
  gint ifnum = mx_kernel_device_get_interface_number (kdev);

  for (guint i = 0; driver && ifnum >= 0 && i < G_N_ELEMENTS (tty_layouts); i++)
    if (g_str_equal (driver, tty_layouts[i].driver) && vid == tty_layouts[i].vid &&
        (tty_layouts[i].pid == 0 || pid == tty_layouts[i].pid) && ifnum == tty_layouts[i].ifnum)
      return (gint) i;
  return -1;
}

/* A tag with a true value, without the warning a garbage value gets where
 * the tag is actually used. */
static gboolean
tag_quietly_true (GHashTable *props, const char *tag)
{
  const char *str = g_hash_table_lookup (props, tag);

  return str && (g_str_equal (str, "1") || !g_ascii_strcasecmp (str, "true") ||
                 !g_ascii_strcasecmp (str, "yes"));
}

/* Whether ModemManager's own rules (77-mm-*.rules, 80-mm-candidate.rules)
 * ran on the device: they set ID_MM_CANDIDATE on every device they mean
 * ModemManager to consider, and port types, ignore flags and the SoC flag
 * also on devices they do not (rpmsg channel devices). The tunables users
 * set themselves (ID_MM_MAX_MULTIPLEXED_LINKS, ...) do not count. */
static gboolean
has_mm_rule_tags (GHashTable *props)
{
  static const char *tags[] = {
    MX_TAG_PORT_IGNORE, MX_TAG_PORT_TYPE_QMI, MX_TAG_PORT_TYPE_MBIM, MX_TAG_PORT_TYPE_AT_PRIMARY,
    MX_TAG_PORT_TYPE_AT_SECONDARY, MX_TAG_PORT_TYPE_AT_PPP, MX_TAG_PORT_TYPE_QCDM,
    MX_TAG_PORT_TYPE_GPS, MX_TAG_QCOM_SOC,
  };

  if (g_hash_table_contains (props, MX_TAG_CANDIDATE))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    if (tag_quietly_true (props, tags[i]))
      return TRUE;
  return FALSE;
}

MxAtRole
mx_port_policy_at_role (MxKernelDevice *kdev)
{
  GHashTable *props = mx_kernel_device_peek_properties (kdev);
  gint layout;

  if (tag_quietly_true (props, MX_TAG_PORT_TYPE_AT_PRIMARY))
    return MX_AT_ROLE_PRIMARY;
  if (tag_quietly_true (props, MX_TAG_PORT_TYPE_AT_SECONDARY))
    return MX_AT_ROLE_SECONDARY;
  if (tag_quietly_true (props, MX_TAG_PORT_TYPE_AT_PPP))
    return MX_AT_ROLE_PPP;
  if (!g_str_equal (mx_kernel_device_get_subsystem (kdev), "tty"))
    return MX_AT_ROLE_NONE;
  layout = tty_layout_index (kdev);
  return layout >= 0 ? tty_layouts[layout].at_role : MX_AT_ROLE_NONE;
}

/* Linux >= 5.14 `type` values, and the wwan_core name suffixes for 5.13. */
static const struct {
  const char *attr;
  const char *suffix;
  MxPortType  type;
} wwan_types[] = {
  { "QMI",      "qmi",      MX_PORT_TYPE_QMI },
  { "MBIM",     "mbim",     MX_PORT_TYPE_MBIM },
  { "AT",       "at",       MX_PORT_TYPE_AT },
  { "QCDM",     "qcdm",     MX_PORT_TYPE_QCDM },
  { "NMEA",     "nmea",     MX_PORT_TYPE_GPS },
  { "FIREHOSE", "firehose", MX_PORT_TYPE_IGNORED },
  { "FASTBOOT", "fastboot", MX_PORT_TYPE_IGNORED },
  { "XMMRPC",   "xmmrpc",   MX_PORT_TYPE_IGNORED },
  { "ADB",      "adb",      MX_PORT_TYPE_IGNORED },
  { "MIPC",     "mipc",     MX_PORT_TYPE_IGNORED },
};

/* "wwan0qmi0" -> "qmi": strip "wwan<digits>" and trailing digits. */
static gboolean
wwan_suffix_matches (const char *name, const char *suffix)
{
  const char *p;
  gsize len;

  if (!g_str_has_prefix (name, "wwan"))
    return FALSE;
  p = name + 4;
  while (g_ascii_isdigit (*p))
    p++;
  len = strlen (suffix);
  if (strncmp (p, suffix, len) != 0)
    return FALSE;
  p += len;
  while (g_ascii_isdigit (*p))
    p++;
  return *p == '\0';
}

MxPortType
mx_port_policy_wwan_type (const char *type_attr, const char *name, gboolean *from_suffix)
{
  *from_suffix = FALSE;
  for (guint i = 0; type_attr && i < G_N_ELEMENTS (wwan_types); i++)
    if (g_str_equal (type_attr, wwan_types[i].attr))
      return wwan_types[i].type;
  for (guint i = 0; i < G_N_ELEMENTS (wwan_types); i++)
    if (wwan_suffix_matches (name, wwan_types[i].suffix)) {
      *from_suffix = TRUE;
      return wwan_types[i].type;
    }
  return MX_PORT_TYPE_UNKNOWN;
}

/* ID_MM_PORT_TYPE_* tags; UNKNOWN when none is set (garbage values warn). */
static MxPortType
type_from_tags (GHashTable *props, const char *name)
{
  static const struct { const char *tag; MxPortType type; } tags[] = {
    { MX_TAG_PORT_TYPE_QMI, MX_PORT_TYPE_QMI },
    { MX_TAG_PORT_TYPE_MBIM, MX_PORT_TYPE_MBIM },
    { MX_TAG_PORT_TYPE_AT_PRIMARY, MX_PORT_TYPE_AT },
    { MX_TAG_PORT_TYPE_AT_SECONDARY, MX_PORT_TYPE_AT },
    { MX_TAG_PORT_TYPE_AT_PPP, MX_PORT_TYPE_AT },
    { MX_TAG_PORT_TYPE_QCDM, MX_PORT_TYPE_QCDM },
    { MX_TAG_PORT_TYPE_GPS, MX_PORT_TYPE_GPS },
  };
  MxPortType found = MX_PORT_TYPE_UNKNOWN;

  /* Check every tag so each garbage value gets its warning. */
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    if (mx_udev_tag_is_set (props, name, tags[i].tag) && found == MX_PORT_TYPE_UNKNOWN)
      found = tags[i].type;
  return found;
}

static void
set (MxPortPolicyResult *r, MxPortType type, MxPortRole role, const char *source, gboolean probe)
{
  r->type = type;
  r->role = role;
  r->source = source;
  r->needs_probe = probe;
  r->needs_at_probe = FALSE;
}

static gboolean
not_a_port (GError **error, MxKernelDevice *kdev, const char *why)
{
  g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_IGNORED, "%s/%s: %s",
               mx_kernel_device_get_subsystem (kdev), mx_kernel_device_get_name (kdev), why);
  return FALSE;
}

static MxPortRole
role_for (MxPortType type)
{
  switch (type) {
  case MX_PORT_TYPE_IGNORED: return MX_PORT_ROLE_IGNORED;
  case MX_PORT_TYPE_NET:     return MX_PORT_ROLE_DATA;
  default:                   return MX_PORT_ROLE_CONTROL;
  }
}

gboolean
mx_port_policy_classify (MxKernelDevice *kdev, gboolean is_link, MxPortPolicyResult *r,
                         GError **error)
{
  const char *name = mx_kernel_device_get_name (kdev);
  const char *subsystem = mx_kernel_device_get_subsystem (kdev);
  const char *driver = mx_kernel_device_get_driver (kdev);
  GHashTable *props = mx_kernel_device_peek_properties (kdev);
  /* A kernel event that names a uid announces the port explicitly. */
  gboolean candidate = mx_udev_tag_is_set (props, name, MX_TAG_CANDIDATE) ||
                       mx_kernel_device_get_event_uid (kdev) != NULL;
  gboolean has_uid = mx_kernel_device_get_physdev_uid (kdev) != NULL;
  MxPortType tagged;
  gboolean is_char_port;

  if (mx_kernel_device_is_qrtr (kdev)) {
    /* The service list (WDS, NAS, DMS) was the probe. */
    set (r, MX_PORT_TYPE_QMI, MX_PORT_ROLE_CONTROL, "qrtr-services", FALSE);
    return TRUE;
  }
  if (mx_udev_tag_is_set (props, name, MX_TAG_DEVICE_IGNORE))
    return not_a_port (error, kdev, "ignored by udev tag " MX_TAG_DEVICE_IGNORE);
  if (is_link) {
    set (r, MX_PORT_TYPE_NET, MX_PORT_ROLE_LINK, "lower-link", FALSE);
    return TRUE;
  }
  /* As ModemManager: where its rules ran, they name the devices to consider
   * with ID_MM_CANDIDATE (e.g. only the rpmsg[0-9]* char devices of a SoC,
   * never the channel devices they also tag). */
  if (has_mm_rule_tags (props) && !candidate)
    return not_a_port (error, kdev, "ModemManager's rules tag it but do not make it a candidate "
                       "(" MX_TAG_CANDIDATE ")");
  /* A control port is a character device someone opens. */
  is_char_port = !g_str_equal (subsystem, "net");
  if (is_char_port && !mx_kernel_device_has_device_node (kdev))
    return not_a_port (error, kdev, "no /dev node: not a control port");
  if (mx_udev_tag_is_set (props, name, MX_TAG_PORT_IGNORE)) {
    set (r, MX_PORT_TYPE_IGNORED, MX_PORT_ROLE_IGNORED, "udev-tag", FALSE);
    return TRUE;
  }

  tagged = type_from_tags (props, name);

  if (g_str_equal (subsystem, "net")) {
    if (!has_uid)
      return not_a_port (error, kdev, "virtual netdev without lower_* link: not a modem port");
    if (!candidate && !mx_port_policy_is_modem_net_driver (driver))
      return not_a_port (error, kdev, "net driver is not a modem data driver");
    set (r, MX_PORT_TYPE_NET, MX_PORT_ROLE_DATA, driver ? "driver" : "udev-tag", FALSE);
    return TRUE;
  }

  if (g_str_equal (subsystem, "wwan")) {
    g_autofree gchar *type_attr = NULL;
    gboolean from_suffix;
    MxPortType type;

    if (g_strcmp0 (mx_kernel_device_get_devtype (kdev), "wwan_dev") == 0)
      return not_a_port (error, kdev, "wwan parent device, not a port");
    if (g_strcmp0 (mx_kernel_device_get_physdev_subsystem (kdev), "usb") == 0 && !candidate)
      return not_a_port (error, kdev, "USB-backed wwan port (served by its cdc-wdm/tty twin)");
    if (tagged != MX_PORT_TYPE_UNKNOWN) {
      set (r, tagged, role_for (tagged), "udev-tag", tagged == MX_PORT_TYPE_QMI);
      r->needs_at_probe = tagged == MX_PORT_TYPE_AT;
      return TRUE;
    }
    type_attr = mx_kernel_device_read_attribute (kdev, "type");
    type = mx_port_policy_wwan_type (type_attr, name, &from_suffix);
    if (type == MX_PORT_TYPE_UNKNOWN)
      return not_a_port (error, kdev, "wwan port of unknown type");
    if (type == MX_PORT_TYPE_QMI || type == MX_PORT_TYPE_MBIM) {
      g_autofree gchar *ipcr = mx_qrtr_pairing_ipcr_channel (kdev);

      /* With qrtr-mhi bound to the IPCR channel the modem is controlled
       * over QRTR (as the platform vendor's ModemManager does); the wwan
       * QMI/MBIM port would be a second, conflicting control path. */
      if (ipcr) {
        set (r, MX_PORT_TYPE_IGNORED, MX_PORT_ROLE_IGNORED, "mhi-ipcr-bound", FALSE);
        return TRUE;
      }
    }
    set (r, type, role_for (type), from_suffix ? "wwan-name-suffix" : "wwan-type-attribute",
         type == MX_PORT_TYPE_QMI);
    r->needs_at_probe = type == MX_PORT_TYPE_AT;
    return TRUE;
  }

  if (g_str_equal (subsystem, "usbmisc")) {
    if (!g_str_has_prefix (name, "cdc-wdm"))
      return not_a_port (error, kdev, "usbmisc device other than cdc-wdm");
    if (tagged != MX_PORT_TYPE_UNKNOWN) {
      set (r, tagged, role_for (tagged), "udev-tag", tagged == MX_PORT_TYPE_QMI);
      return TRUE;
    }
    if (g_strcmp0 (driver, "qmi_wwan") == 0) {
      set (r, MX_PORT_TYPE_QMI, MX_PORT_ROLE_CONTROL, "driver", TRUE);
      return TRUE;
    }
    if (g_strcmp0 (driver, "cdc_mbim") == 0) {
      set (r, MX_PORT_TYPE_MBIM, MX_PORT_ROLE_CONTROL, "driver", FALSE);
      return TRUE;
    }
    return not_a_port (error, kdev, "cdc-wdm port of a driver that is neither qmi_wwan nor cdc_mbim");
  }

  if (g_str_equal (subsystem, "rpmsg")) {
    /* As 77-mm-qcom-soc.rules: DATA*_CNTL is QMI, DATA40* is the IPA/DPM
     * control channel (ignored), other DATA* are AT. */
    /* rpmsg_char's endpoint devices (rpmsgN) carry the channel in their
     * `name` attribute; channel devices end in ".<channel>.<src>.<dst>"
     * (they have no /dev node and were refused above). */
    g_autofree gchar *chan_attr = mx_kernel_device_read_attribute (kdev, "name");
    const char *chan = chan_attr ? chan_attr : name;
    if (tagged != MX_PORT_TYPE_UNKNOWN) {
      set (r, tagged, role_for (tagged), "udev-tag", tagged == MX_PORT_TYPE_QMI);
      return TRUE;
    }
    if (!g_str_has_prefix (chan, "DATA"))
      return not_a_port (error, kdev, "rpmsg channel is not a modem DATA channel");
    if (g_str_has_prefix (chan, "DATA40"))
      set (r, MX_PORT_TYPE_IGNORED, MX_PORT_ROLE_IGNORED, "rpmsg-channel", FALSE);
    else if (g_str_has_suffix (chan, "_CNTL"))
      set (r, MX_PORT_TYPE_QMI, MX_PORT_ROLE_CONTROL, "rpmsg-channel", TRUE);
    else
      set (r, MX_PORT_TYPE_AT, MX_PORT_ROLE_CONTROL, "rpmsg-channel", FALSE);
    return TRUE;
  }

  if (g_str_equal (subsystem, "tty")) {
    const char *driver_name = driver ? driver : "(none)";
    gint layout;

    if (tagged != MX_PORT_TYPE_UNKNOWN) {
      set (r, tagged, role_for (tagged), "udev-tag", FALSE);
      r->needs_at_probe = tagged == MX_PORT_TYPE_AT;
      return TRUE;
    }
    if (!g_strv_contains (modem_tty_drivers, driver_name))
      return not_a_port (error, kdev, "tty of a driver that is not a modem serial driver "
                         "(and no ID_MM_PORT_TYPE_* tag)");
    layout = tty_layout_index (kdev);
    if (layout >= 0) {
      set (r, tty_layouts[layout].type, role_for (tty_layouts[layout].type), "usb-interface-layout",
           FALSE);
      r->needs_at_probe = tty_layouts[layout].type == MX_PORT_TYPE_AT;
      return TRUE;
    }
    /* A modem serial driver's port nobody describes: AT if it answers. */
    set (r, MX_PORT_TYPE_AT, MX_PORT_ROLE_CONTROL, "at-probe", FALSE);
    r->needs_at_probe = TRUE;
    return TRUE;
  }

  return not_a_port (error, kdev, "subsystem not handled by discovery");
}
