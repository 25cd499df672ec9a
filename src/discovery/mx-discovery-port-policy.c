/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <string.h>
#include "mx-discovery-error.h"
#include "mx-discovery-port-policy.h"
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
      return TRUE;
    }
    type_attr = mx_kernel_device_read_attribute (kdev, "type");
    type = mx_port_policy_wwan_type (type_attr, name, &from_suffix);
    if (type == MX_PORT_TYPE_UNKNOWN)
      return not_a_port (error, kdev, "wwan port of unknown type");
    set (r, type, role_for (type), from_suffix ? "wwan-name-suffix" : "wwan-type-attribute",
         type == MX_PORT_TYPE_QMI);
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
    const char *chan = strrchr (name, '.');

    chan = chan ? chan + 1 : name;
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

  return not_a_port (error, kdev, "subsystem not handled by discovery");
}
