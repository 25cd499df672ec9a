/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qcom-soc: modems inside Qualcomm SoCs. Control is the QRTR node paired
 * with the SoC (mx-discovery-qrtr-pairing.c), or an rpmsg DATA*_CNTL channel; data is
 * IPA (rmnet_ipa*, endpoint EMBEDDED/1, DPM Open Port with the IPA's modem
 * endpoint ids, multiplexing required) or BAM-DMUX (one netdev per channel,
 * endpoint BAM_DMUX/dev_port). */
#define G_LOG_DOMAIN "mx-plugin-qcom-soc"
#include "mx-discovery-error.h"
#include "mx-plugins.h"
#include "mx-discovery-qrtr-pairing.h"
#include "mx-discovery-udev-tags.h"

static const char * const subsystems[] = { "net", "rpmsg", "wwan", "qrtr", NULL };
static const char * const drivers[] = { "ipa", "bam-dmux", "qcom-q6v5-mss", NULL };
static const char * const tags[] = { MX_TAG_QCOM_SOC, NULL };

static gboolean
is_soc_port (const MxPort *port)
{
  g_autofree gchar *uid = mx_qrtr_pairing_soc_uid (port->kdev);

  return uid != NULL;
}

/* A PCIe card with qrtr-mhi bound to its IPCR channel is controlled over
 * QRTR, as the platform vendor ships it: the QRTR kernel device makes it a
 * qcom-soc modem (its wwan QMI/MBIM ports are ignored by the port policy). */
static gboolean
group_has_bound_ipcr (GPtrArray *group)
{
  for (guint i = 0; i < group->len; i++) {
    const MxPort *other = g_ptr_array_index (group, i);
    g_autofree gchar *ipcr = NULL;

    if (mx_kernel_device_is_qrtr (other->kdev))
      continue;
    ipcr = mx_qrtr_pairing_ipcr_channel (other->kdev);
    if (ipcr)
      return TRUE;
  }
  return FALSE;
}

static guint
claim (const MxPlugin *plugin, const MxPort *port, GPtrArray *group)
{
  if (mx_kernel_device_is_qrtr (port->kdev))
    return group_has_bound_ipcr (group) ? MX_PLUGIN_CLAIM_TAGGED : MX_PLUGIN_CLAIM_WEAK;
  return is_soc_port (port) ? MX_PLUGIN_CLAIM_TAGGED : MX_PLUGIN_CLAIM_NONE;
}

static gchar *
group_uid (const MxPlugin *plugin, MxKernelDevice *kdev)
{
  return mx_qrtr_pairing_soc_uid (kdev);
}

/* DPM ids of the IPA's modem endpoints; -1 when absent or 0 (Linux < 5.14:
 * the control plane then skips DPM Open Port, as ModemManager does). */
static gint
read_endpoint_id (MxPort *data, const char *attr)
{
  guint id = 0;

  if (!mx_kernel_device_read_attribute_uint (data->kdev, attr, &id) || id == 0) {
    /* Debug only: the port is mapped again on every event of its device
     * (one per link); the data-format step says once that it skips. */
    g_debug ("%s: no IPA %s; DPM Open Port will be skipped", mx_port_get_name (data), attr);
    return -1;
  }
  return (gint) id;
}

/* The IPA's checksum offload for one direction ("MAPv4"/"MAPv5"); when the
 * netdev declares either direction, the other missing one offloads nothing. */
static MxDataChecksum
read_checksum (MxPort *data, const char *attr, gboolean *declared)
{
  g_autofree gchar *value = mx_kernel_device_read_attribute (data->kdev, attr);

  if (value)
    *declared = TRUE;
  return mx_data_checksum_from_attribute (value);
}

/* IPA (rmnet_ipa0): endpoint EMBEDDED/1, always sent; DPM Open Port first
 * with the IPA's modem endpoint ids; QMAP only (rmnet_ipa0 is the rmnet
 * lower, it never carries plain IP), so multiplexing is required; checksum
 * offloads as the hardware declares them. */
static void
ipa_profile (MxDataProfile *p)
{
  p->driver_class = MX_DATA_DRIVER_CLASS_IPA;
  p->endpoint_type = QMI_DATA_ENDPOINT_TYPE_EMBEDDED;
  p->endpoint_interface = 1;
  p->always_send_endpoint = TRUE;
  p->dpm_open_port = TRUE;
  p->link_kinds = MX_DATA_LINK_RMNET;
  p->raw_ip = FALSE;
  p->multiplex = MX_MULTIPLEX_REQUIRED;
}

/* What the IPA netdev's sysfs says (Linux >= 5.14): DPM ids, offloads. */
static void
ipa_read_device (MxPort *data)
{
  MxDataProfile *p = &data->profile;
  gboolean declared = FALSE;

  /* Swapped on purpose: the modem's TX feeds the IPA's RX (docs/discovery.md). */
  p->dpm_rx_endpoint_id = read_endpoint_id (data, "device/modem/tx_endpoint_id");
  p->dpm_tx_endpoint_id = read_endpoint_id (data, "device/modem/rx_endpoint_id");
  p->hw_rx_checksum = read_checksum (data, "device/feature/rx_offload", &declared);
  p->hw_tx_checksum = read_checksum (data, "device/feature/tx_offload", &declared);
  if (declared) {
    if (p->hw_rx_checksum == MX_DATA_CHECKSUM_FROM_PROTOCOL)
      p->hw_rx_checksum = MX_DATA_CHECKSUM_NONE;
    if (p->hw_tx_checksum == MX_DATA_CHECKSUM_FROM_PROTOCOL)
      p->hw_tx_checksum = MX_DATA_CHECKSUM_NONE;
  }
}

/* BAM-DMUX: one netdev per channel, endpoint BAM_DMUX/<dev_port>; the
 * driver demultiplexes itself, so no links on top: one raw-IP session. */
static void
bam_dmux_profile (MxDataProfile *p, guint dev_port)
{
  p->driver_class = MX_DATA_DRIVER_CLASS_BAM_DMUX;
  p->endpoint_type = QMI_DATA_ENDPOINT_TYPE_BAM_DMUX;
  p->endpoint_interface = (gint) dev_port;
  p->link_kinds = MX_DATA_LINK_NONE;
  p->raw_ip = TRUE;
  p->multiplex = MX_MULTIPLEX_NONE;
}

static gboolean
data_profile (const MxPlugin *plugin, MxDataDriverClass driver_class, gint iface,
              MxDataProfile *profile)
{
  switch (driver_class) {
  case MX_DATA_DRIVER_CLASS_IPA:
    ipa_profile (profile);
    return TRUE;
  case MX_DATA_DRIVER_CLASS_BAM_DMUX:
    bam_dmux_profile (profile, iface >= 0 ? (guint) iface : 0);
    return TRUE;
  case MX_DATA_DRIVER_CLASS_MHI_NET:   /* QRTR over MHI */
    return mx_plugin_mhi.data_profile (&mx_plugin_mhi, driver_class, iface, profile);
  default:
    return FALSE;
  }
}

static gboolean
map_data_port (const MxPlugin *plugin, MxDevice *device, MxPort *data, GError **error)
{
  MxPort *control = mx_device_get_primary_control_port (device);
  const char *driver = mx_kernel_device_get_driver (data->kdev);

  if (!control || control->type != MX_PORT_TYPE_QMI) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND,
                 "no QMI control port (QRTR node) in this SoC device yet");
    return FALSE;
  }
  if (g_strcmp0 (driver, "ipa") == 0) {
    ipa_profile (&data->profile);
    ipa_read_device (data);
  } else if (g_strcmp0 (driver, "bam-dmux") == 0) {
    guint dev_port = 0;

    if (!mx_kernel_device_read_attribute_uint (data->kdev, "dev_port", &dev_port)) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_UNSUPPORTED,
                   "BAM-DMUX netdev without a dev_port attribute");
      return FALSE;
    }
    bam_dmux_profile (&data->profile, dev_port);
  } else if (g_strcmp0 (driver, "mhi_net") == 0 && mx_kernel_device_is_qrtr (control->kdev)) {
    /* QRTR over MHI: the card's mhi_net ports are what they are on an mhi
     * modem (PCIe endpoint 4, ...): the mhi plugin's profile. */
    mx_plugin_mhi.data_profile (&mx_plugin_mhi, MX_DATA_DRIVER_CLASS_MHI_NET, -1, &data->profile);
  } else {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_UNSUPPORTED,
                 "net driver '%s' is neither ipa nor bam-dmux nor mhi_net over QRTR", driver ? driver : "(none)");
    return FALSE;
  }
  data->control_port = g_strdup (mx_port_get_name (control));
  mx_plugin_apply_multiplex_tags (data);
  return TRUE;
}

const MxPlugin mx_plugin_qcom_soc = {
  .name = "qcom-soc",
  .subsystems = subsystems,
  .drivers = drivers,
  .udev_tags = tags,
  .claim = claim,
  .group_uid = group_uid,
  .map_data_port = map_data_port,
  .data_profile = data_profile,
};
