/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data-format policy: pure decisions, no I/O (see mx-bearer-data-format.h). */
#define G_LOG_DOMAIN "mx-data-format"

#include "mx-bearer-data-format.h"

#include <string.h>

static const struct {
  const gchar  *name;
  MxDataDriver  driver;
} driver_names[] = {
  { "qmi_wwan",   MX_DATA_DRIVER_QMI_WWAN },
  { "qmi_wwan_q", MX_DATA_DRIVER_QMI_WWAN },
  { "mhi_net",    MX_DATA_DRIVER_MHI_NET },
  { "ipa",        MX_DATA_DRIVER_IPA },
  { "bam-dmux",   MX_DATA_DRIVER_BAM_DMUX },
  { "bam_dmux",   MX_DATA_DRIVER_BAM_DMUX },
};

MxDataDriver
mx_data_driver_from_name (const gchar *driver)
{
  if (!driver)
    return MX_DATA_DRIVER_UNKNOWN;
  for (guint i = 0; i < G_N_ELEMENTS (driver_names); i++)
    if (g_str_equal (driver, driver_names[i].name))
      return driver_names[i].driver;
  return MX_DATA_DRIVER_UNKNOWN;
}

const gchar *
mx_data_driver_to_name (MxDataDriver driver)
{
  switch (driver) {
  case MX_DATA_DRIVER_QMI_WWAN: return "qmi_wwan";
  case MX_DATA_DRIVER_MHI_NET:  return "mhi_net";
  case MX_DATA_DRIVER_IPA:      return "ipa";
  case MX_DATA_DRIVER_BAM_DMUX: return "bam-dmux";
  case MX_DATA_DRIVER_UNKNOWN:
  default:                      return "unknown";
  }
}

gboolean
mx_data_driver_supports_rmnet (MxDataDriver driver)
{
  /* qmi_wwan in pass-through mode, mhi_net and ipa hand rmnet raw QMAP
   * frames; bam-dmux demultiplexes in the driver itself. */
  return driver == MX_DATA_DRIVER_QMI_WWAN ||
         driver == MX_DATA_DRIVER_MHI_NET ||
         driver == MX_DATA_DRIVER_IPA;
}

gboolean
mx_data_driver_supports_raw_ip (MxDataDriver driver)
{
  /* IPA only ever carries QMAP (rmnet_ipa0 is the rmnet lower). */
  return driver == MX_DATA_DRIVER_QMI_WWAN ||
         driver == MX_DATA_DRIVER_MHI_NET ||
         driver == MX_DATA_DRIVER_BAM_DMUX;
}

gboolean
mx_data_endpoint_for_driver (MxDataDriver    driver,
                             guint           usb_iface,
                             guint           dev_port,
                             MxDataEndpoint *out)
{
  switch (driver) {
  case MX_DATA_DRIVER_QMI_WWAN:
    out->type = QMI_DATA_ENDPOINT_TYPE_HSUSB;
    out->iface = usb_iface;
    return TRUE;
  case MX_DATA_DRIVER_MHI_NET:
    /* 4 is what Qualcomm PCIe firmware expects (MM 1.20 used 0, wrongly). */
    out->type = QMI_DATA_ENDPOINT_TYPE_PCIE;
    out->iface = 4;
    return TRUE;
  case MX_DATA_DRIVER_IPA:
    out->type = QMI_DATA_ENDPOINT_TYPE_EMBEDDED;
    out->iface = 1;
    return TRUE;
  case MX_DATA_DRIVER_BAM_DMUX:
    out->type = QMI_DATA_ENDPOINT_TYPE_BAM_DMUX;
    out->iface = dev_port;
    return TRUE;
  case MX_DATA_DRIVER_UNKNOWN:
  default:
    return FALSE;
  }
}

static gboolean
dap_is_qmap (QmiWdaDataAggregationProtocol dap)
{
  return dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP ||
         dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4 ||
         dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5;
}

gboolean
mx_data_format_is_qmap (const MxDataFormat *format)
{
  return format->llp == QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP &&
         dap_is_qmap (format->dl_dap) && format->ul_dap == format->dl_dap;
}

const gchar *
mx_data_format_llp_to_string (QmiWdaLinkLayerProtocol llp)
{
  switch (llp) {
  case QMI_WDA_LINK_LAYER_PROTOCOL_802_3:  return "802-3";
  case QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP: return "raw-ip";
  case QMI_WDA_LINK_LAYER_PROTOCOL_UNKNOWN:
  default:                                 return "unknown";
  }
}

const gchar *
mx_data_format_dap_to_string (QmiWdaDataAggregationProtocol dap)
{
  switch (dap) {
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED: return "disabled";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_TLP:      return "tlp";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_QC_NCM:   return "qc-ncm";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_MBIM:     return "mbim";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_RNDIS:    return "rndis";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP:     return "qmap";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV2:   return "qmapv2";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV3:   return "qmapv3";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4:   return "qmapv4";
  case QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5:   return "qmapv5";
  default:                                         return "unknown";
  }
}

gchar *
mx_data_format_describe (const MxDataFormat *format)
{
  if (format->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED)
    return g_strdup_printf ("%s, no aggregation",
                            mx_data_format_llp_to_string (format->llp));
  return g_strdup_printf ("%s, ul %s, dl %s (%u datagrams, %u bytes)",
                          mx_data_format_llp_to_string (format->llp),
                          mx_data_format_dap_to_string (format->ul_dap),
                          mx_data_format_dap_to_string (format->dl_dap),
                          format->dl_max_datagrams, format->dl_max_size);
}

static void
append_qmap (GArray                        *ladder,
             MxDataDriver                   driver,
             QmiWdaDataAggregationProtocol  dap)
{
  MxDataFormat f = {
    .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
    .ul_dap = dap,      /* UL always equals DL: one QMAP flavour per port */
    .dl_dap = dap,
    .dl_max_datagrams = MX_DATA_FORMAT_DL_MAX_DATAGRAMS,
    .dl_max_size = driver == MX_DATA_DRIVER_QMI_WWAN ?
                   MX_DATA_FORMAT_DL_MAX_SIZE_QMI_WWAN :
                   MX_DATA_FORMAT_DL_MAX_SIZE,
    .dap_reported = TRUE,
  };
  g_array_append_val (ladder, f);
}

GArray *
mx_data_format_ladder (MxDataDriver        driver,
                       MxDataFormatGoal    goal,
                       const MxDataFormat *current)
{
  GArray *ladder = g_array_new (FALSE, TRUE, sizeof (MxDataFormat));
  gboolean want_qmap = goal != MX_DATA_FORMAT_GOAL_RAW_IP;
  gboolean want_raw = goal != MX_DATA_FORMAT_GOAL_MULTIPLEX;

  /* A modem that did not report aggregation TLVs does not speak QMAP; asking
   * would only be refused (or worse, half taken). */
  if (want_qmap && mx_data_driver_supports_rmnet (driver) &&
      (!current || current->dap_reported)) {
    append_qmap (ladder, driver, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5);
    append_qmap (ladder, driver, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4);
    append_qmap (ladder, driver, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP);
  }
  if (want_raw && mx_data_driver_supports_raw_ip (driver)) {
    MxDataFormat f = {
      .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
      .ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED,
      .dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED,
    };
    g_array_append_val (ladder, f);
  }
  return ladder;
}

gboolean
mx_data_format_taken (const MxDataFormat *requested,
                      const MxDataFormat *readback)
{
  if (readback->llp != requested->llp)
    return FALSE;
  if (requested->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED)
    /* A modem without aggregation support omits the DAP TLVs entirely. */
    return !readback->dap_reported ||
           (readback->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED &&
            readback->ul_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED);
  if (!readback->dap_reported)
    return FALSE;
  if (readback->ul_dap != requested->ul_dap ||
      readback->dl_dap != requested->dl_dap)
    return FALSE;
  /* An aggregating port with no room for a datagram is not usable. */
  if (readback->dl_max_size == 0 || readback->dl_max_datagrams == 0)
    return FALSE;
  return TRUE;
}

guint
mx_data_format_lower_mtu (MxDataDriver driver, const MxDataFormat *format)
{
  guint mtu;

  if (driver != MX_DATA_DRIVER_QMI_WWAN || !mx_data_format_is_qmap (format))
    return 0;
  mtu = MIN (format->dl_max_size, MX_DATA_FORMAT_RMNET_MAX_MTU);
  /* usbnet refuses (EDOM) an MTU that is a whole number of bulk packets
   * (64, 512 or 1024 bytes): its RX URBs would then end only on a
   * zero-length packet. One byte more still holds a full aggregate. */
  if (mtu % 64 == 0)
    mtu++;
  return mtu;
}

MxQmiWwanFormat
mx_data_format_qmi_wwan_mode (const MxDataFormat *format)
{
  if (mx_data_format_is_qmap (format))
    return MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH;
  if (format->llp == QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP)
    return MX_QMI_WWAN_FORMAT_RAW_IP;
  return MX_QMI_WWAN_FORMAT_802_3;
}

static guint32
offload_flags (const gchar *offload, guint32 v4_flag, guint32 v5_flag)
{
  if (!offload)
    return 0;
  if (g_str_has_prefix (offload, "MAPv5"))
    return v5_flag;
  if (g_str_has_prefix (offload, "MAPv4"))
    return v4_flag;
  return 0;
}

void
mx_data_format_rmnet_flags (MxDataDriver        driver,
                            const MxDataFormat *format,
                            const gchar        *ipa_rx_offload,
                            const gchar        *ipa_tx_offload,
                            guint32            *flags,
                            guint32            *mask)
{
  guint32 f = MX_RMNET_FLAG_INGRESS_DEAGGREGATION;

  /* Mask every bit we own so a stale checksum setting on the port (the
   * format is per lower, the last NEWLINK wins) cannot survive.
   * INGRESS_MAP_COMMANDS is left alone: we neither set nor mask it. */
  *mask = MX_RMNET_FLAG_INGRESS_DEAGGREGATION |
          MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4 |
          MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5;

  if (driver == MX_DATA_DRIVER_IPA && (ipa_rx_offload || ipa_tx_offload)) {
    /* The IPA hardware says what it offloads, per direction. */
    f |= offload_flags (ipa_rx_offload, MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4,
                        MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5);
    f |= offload_flags (ipa_tx_offload, MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4,
                        MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5);
  } else if (format->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5) {
    f |= MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5;
  } else if (format->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4) {
    f |= MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4;
  }
  *flags = f;
}
