/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data-format policy: pure decisions, no I/O (see mx-bearer-data-format.h). */
#define G_LOG_DOMAIN "mx-data-format"

#include "mx-bearer-data-format.h"

#include <string.h>

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
             const MxDataProfile           *profile,
             QmiWdaDataAggregationProtocol  dap)
{
  MxDataFormat f = {
    .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
    .ul_dap = dap,      /* UL always equals DL: one QMAP flavour per port */
    .dl_dap = dap,
    .dl_max_datagrams = profile->dl_max_datagrams,
    .dl_max_size = profile->dl_max_size,
    .dap_reported = TRUE,
  };
  g_array_append_val (ladder, f);
}

GArray *
mx_data_format_ladder (const MxDataProfile *profile,
                       MxDataFormatGoal     goal,
                       const MxDataFormat  *current)
{
  GArray *ladder = g_array_new (FALSE, TRUE, sizeof (MxDataFormat));
  gboolean want_qmap = goal != MX_DATA_FORMAT_GOAL_RAW_IP;
  gboolean want_raw = goal != MX_DATA_FORMAT_GOAL_MULTIPLEX;

  /* A modem that did not report aggregation TLVs does not speak QMAP; asking
   * would only be refused (or worse, half taken). */
  if (want_qmap && mx_data_profile_can_link (profile, MX_DATA_LINK_RMNET) &&
      (!current || current->dap_reported)) {
    append_qmap (ladder, profile, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5);
    append_qmap (ladder, profile, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4);
    append_qmap (ladder, profile, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP);
  }
  if (want_raw && profile->raw_ip) {
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
mx_data_format_lower_mtu (const MxDataProfile *profile, const MxDataFormat *format)
{
  guint mtu;

  if (!profile->lower_mtu_follows_dl || !mx_data_format_is_qmap (format))
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
checksum_flags (MxDataChecksum checksum, guint32 v4_flag, guint32 v5_flag)
{
  switch (checksum) {
  case MX_DATA_CHECKSUM_MAPV5: return v5_flag;
  case MX_DATA_CHECKSUM_MAPV4: return v4_flag;
  case MX_DATA_CHECKSUM_NONE:
  case MX_DATA_CHECKSUM_FROM_PROTOCOL:
  default:                     return 0;
  }
}

void
mx_data_format_rmnet_flags (const MxDataProfile *profile,
                            const MxDataFormat  *format,
                            guint32             *flags,
                            guint32             *mask)
{
  guint32 f = MX_RMNET_FLAG_INGRESS_DEAGGREGATION;

  /* Mask every bit we own so a stale checksum setting on the port (the
   * format is per lower, the last NEWLINK wins) cannot survive.
   * INGRESS_MAP_COMMANDS is left alone: we neither set nor mask it. */
  *mask = MX_RMNET_FLAG_INGRESS_DEAGGREGATION |
          MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4 |
          MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5;

  if (profile->hw_rx_checksum != MX_DATA_CHECKSUM_FROM_PROTOCOL ||
      profile->hw_tx_checksum != MX_DATA_CHECKSUM_FROM_PROTOCOL) {
    /* The hardware says what it offloads, per direction. */
    f |= checksum_flags (profile->hw_rx_checksum, MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4,
                         MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5);
    f |= checksum_flags (profile->hw_tx_checksum, MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4,
                         MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5);
  } else if (format->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5) {
    f |= MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5;
  } else if (format->dl_dap == QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4) {
    f |= MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4;
  }
  *flags = f;
}
