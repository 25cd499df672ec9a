/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Data format negotiation for one physical data port (WDA, DPM).
 *
 * This is the one place for the data-format policy: which aggregation
 * protocols we try and in which order, the DL aggregation limits, the
 * endpoint a data driver speaks for, the MTU the lower netdev needs so an
 * aggregate fits, and the rmnet checksum-offload flags that follow from the
 * negotiated protocol. The policy functions are pure (no I/O) so they can be
 * unit tested; mx_data_format_negotiate() runs the QMI exchange.
 */
#pragma once

#include <gio/gio.h>
#include <libqmi-glib.h>

/* MX_RMNET_FLAG_* (upstream numbering) come from the link manager. */
#include "mx-link.h"
#include "mx-link-qmimux.h"

G_BEGIN_DECLS

/* Kernel drivers a Qualcomm data port can be bound to. */
typedef enum {
  MX_DATA_DRIVER_UNKNOWN = 0,
  MX_DATA_DRIVER_QMI_WWAN,
  MX_DATA_DRIVER_MHI_NET,
  MX_DATA_DRIVER_IPA,
  MX_DATA_DRIVER_BAM_DMUX,
} MxDataDriver;

MxDataDriver  mx_data_driver_from_name (const gchar *driver);
const gchar  *mx_data_driver_to_name   (MxDataDriver driver);

/* Whether an rmnet link can sit on top of a port bound to this driver. */
gboolean      mx_data_driver_supports_rmnet (MxDataDriver driver);
/* Whether the port can carry one non-multiplexed raw-IP session. */
gboolean      mx_data_driver_supports_raw_ip (MxDataDriver driver);

typedef struct {
  QmiDataEndpointType type;
  guint32             iface;
} MxDataEndpoint;

/* The endpoint (type, interface number) the modem knows the port as:
 * qmi_wwan HSUSB/<usb interface>, mhi_net PCIE/4, ipa EMBEDDED/1,
 * bam-dmux BAM_DMUX/<dev_port>. FALSE for an unknown driver. */
gboolean mx_data_endpoint_for_driver (MxDataDriver    driver,
                                      guint           usb_iface,
                                      guint           dev_port,
                                      MxDataEndpoint *out);

/* What a port is asked to do, from the bearers' multiplex policy. */
typedef enum {
  MX_DATA_FORMAT_GOAL_MULTIPLEX,           /* QMAP only (multiplex=required) */
  MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED, /* QMAP, else raw-IP (requested) */
  MX_DATA_FORMAT_GOAL_RAW_IP,              /* one session, no QMAP (none) */
} MxDataFormatGoal;

/* Default DL aggregation limits. */
#define MX_DATA_FORMAT_DL_MAX_DATAGRAMS      32
#define MX_DATA_FORMAT_DL_MAX_SIZE           32768
/* rmnet caps every MTU at 16384 (RMNET_MAX_PACKET_SIZE) and the qmi_wwan RX
 * URB follows the lower MTU, so an aggregate must not exceed it there. */
#define MX_DATA_FORMAT_DL_MAX_SIZE_QMI_WWAN  16384
#define MX_DATA_FORMAT_RMNET_MAX_MTU         16384

typedef struct {
  QmiWdaLinkLayerProtocol       llp;
  QmiWdaDataAggregationProtocol ul_dap;
  QmiWdaDataAggregationProtocol dl_dap;
  guint32                       dl_max_datagrams;
  guint32                       dl_max_size;
  guint32                       ul_max_datagrams;
  guint32                       ul_max_size;
  /* The modem reported both UL and DL aggregation TLVs; without them it
   * does not understand aggregation and QMAP is not tried. */
  gboolean                      dap_reported;
} MxDataFormat;

/* TRUE when the format carries QMAP (any version) over raw-IP. */
gboolean      mx_data_format_is_qmap (const MxDataFormat *format);
const gchar  *mx_data_format_llp_to_string (QmiWdaLinkLayerProtocol llp);
const gchar  *mx_data_format_dap_to_string (QmiWdaDataAggregationProtocol dap);
/* "raw-ip qmapv5 dl 32x32768" for logs and errors. */
gchar        *mx_data_format_describe (const MxDataFormat *format);

/* The formats to try, best first, for @driver and @goal, considering what
 * the modem reported in Get Data Format (@current, may be NULL). Returns a
 * GArray of MxDataFormat (possibly empty). */
GArray *mx_data_format_ladder (MxDataDriver        driver,
                               MxDataFormatGoal    goal,
                               const MxDataFormat *current);

/* Whether @readback (what the modem reports after Set) means @requested
 * was taken: same link layer and aggregation protocols; aggregation limits
 * may come back lower (the modem's word wins). */
gboolean mx_data_format_taken (const MxDataFormat *requested,
                               const MxDataFormat *readback);

/* The MTU the lower netdev must have for @format, or 0 to leave it as is:
 * qmi_wwan with QMAP -> DL max size capped at 16384; mhi_net and ipa keep
 * theirs (mhi_net's 16384 default must never be reset to 1500). */
guint mx_data_format_lower_mtu (MxDataDriver driver, const MxDataFormat *format);

/* What qmi_wwan's qmi/raw_ip and qmi/pass_through must say for @format:
 * QMAP -> raw_ip Y + pass_through Y (rmnet demuxes), raw-IP -> raw_ip Y,
 * 802.3 -> raw_ip N. The driver frames packets by these switches, not by
 * what the modem was told. */
MxQmiWwanFormat mx_data_format_qmi_wwan_mode (const MxDataFormat *format);

/* rmnet flags and mask for links on a port with @format. On IPA the
 * offloads come from the netdev's device/feature/rx_offload and
 * tx_offload ("MAPv4"/"MAPv5"; NULL when missing -> follow the protocol). */
void mx_data_format_rmnet_flags (MxDataDriver        driver,
                                 const MxDataFormat *format,
                                 const gchar        *ipa_rx_offload,
                                 const gchar        *ipa_tx_offload,
                                 guint32            *flags,
                                 guint32            *mask);

/* ---- the QMI exchange ---- */

typedef struct {
  MxDataDriver     driver;
  MxDataEndpoint   endpoint;
  /* Always send the endpoint TLV (QRTR, IPA); otherwise it is added only
   * after the modem answers MissingArgument. */
  gboolean         always_send_endpoint;
  /* IPA only: DPM Open Port first with the modem's endpoint ids from
   * <netdev>/device/modem/{tx,rx}_endpoint_id; 0 = unknown (skip DPM). */
  guint32          ipa_modem_tx_endpoint_id;
  guint32          ipa_modem_rx_endpoint_id;
  MxDataFormatGoal goal;
} MxDataFormatRequest;

/* Per-step timeout in seconds for each WDA/DPM request. */
#define MX_DATA_FORMAT_QMI_TIMEOUT 10

/* DPM Open Port (IPA), WDA Get Data Format, then Set down the ladder,
 * verifying each by reading back. @dpm may be NULL. On success @out holds
 * what the modem accepted. When @goal is MULTIPLEX and no QMAP format is
 * taken the error is MM_CORE_ERROR_UNSUPPORTED naming what was tried. */
void     mx_data_format_negotiate        (QmiClientWda              *wda,
                                          QmiClientDpm              *dpm,
                                          const MxDataFormatRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
gboolean mx_data_format_negotiate_finish (GAsyncResult  *result,
                                          MxDataFormat  *out,
                                          GError       **error);

G_END_DECLS
