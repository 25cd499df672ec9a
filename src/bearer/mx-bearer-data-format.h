/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Data format negotiation for one physical data port (WDA, DPM).
 *
 * This is the one place for the data-format policy: which aggregation
 * protocols we try and in which order, the MTU the lower netdev needs so an
 * aggregate fits, and the rmnet checksum-offload flags that follow from the
 * negotiated protocol. What the port itself can do (endpoint, DL limits,
 * whether QMAP or raw-IP is possible, the MTU and framing rules, hardware
 * offloads) comes from its data profile, filled by the device's plugin
 * (mx-discovery-data-profile.h); nothing here asks for a driver's name.
 * The policy functions are pure (no I/O) so they can be unit tested;
 * mx_data_format_negotiate() runs the QMI exchange.
 */
#pragma once

#include <gio/gio.h>
#include <libqmi-glib.h>

/* MX_RMNET_FLAG_* (upstream numbering) come from the link manager. */
#include "mx-link.h"
#include "mx-link-qmimux.h"
#include "mx-discovery-data-profile.h"

G_BEGIN_DECLS

typedef struct {
  QmiDataEndpointType type;
  guint32             iface;
} MxDataEndpoint;

/* What a port is asked to do, from the bearers' multiplex policy. */
typedef enum {
  MX_DATA_FORMAT_GOAL_MULTIPLEX,           /* QMAP only (multiplex=required) */
  MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED, /* QMAP, else raw-IP (requested) */
  MX_DATA_FORMAT_GOAL_RAW_IP,              /* one session, no QMAP (none) */
} MxDataFormatGoal;

/* rmnet caps every MTU at 16384 (RMNET_MAX_PACKET_SIZE). */
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

/* The formats to try, best first, for a port with @profile and @goal,
 * considering what the modem reported in Get Data Format (@current, may be
 * NULL): QMAP (with the profile's DL limits) only where rmnet links are
 * possible, raw-IP only where the profile allows it. Returns a GArray of
 * MxDataFormat (possibly empty). */
GArray *mx_data_format_ladder (const MxDataProfile *profile,
                               MxDataFormatGoal     goal,
                               const MxDataFormat  *current);

/* Whether @readback (what the modem reports after Set) means @requested
 * was taken: same link layer and aggregation protocols; aggregation limits
 * may come back lower (the modem's word wins). */
gboolean mx_data_format_taken (const MxDataFormat *requested,
                               const MxDataFormat *readback);

/* The MTU the lower netdev must have for @format, or 0 to leave it as is:
 * with QMAP on a profile whose lower MTU follows the DL size (qmi_wwan) ->
 * DL max size capped at 16384; others keep theirs (mhi_net's 16384 default
 * must never be reset to 1500). */
guint mx_data_format_lower_mtu (const MxDataProfile *profile, const MxDataFormat *format);

/* What qmi_wwan's qmi/raw_ip and qmi/pass_through must say for @format:
 * QMAP -> raw_ip Y + pass_through Y (rmnet demuxes), raw-IP -> raw_ip Y,
 * 802.3 -> raw_ip N. The driver frames packets by these switches, not by
 * what the modem was told. */
MxQmiWwanFormat mx_data_format_qmi_wwan_mode (const MxDataFormat *format);

/* rmnet flags and mask for links on a port with @format. Where the
 * hardware declares its checksum offloads (the profile's hw_rx/tx_checksum,
 * IPA's device/feature/) they win, per direction; otherwise they follow the
 * negotiated protocol. */
void mx_data_format_rmnet_flags (const MxDataProfile *profile,
                                 const MxDataFormat  *format,
                                 guint32             *flags,
                                 guint32             *mask);

/* ---- the QMI exchange ---- */

typedef struct {
  /* The port's profile (a copy): endpoint, DPM ids, DL limits, what it carries. */
  MxDataProfile    profile;
  MxDataEndpoint   endpoint;
  /* Always send the endpoint TLV (QRTR, or the profile says so); otherwise
   * it is added only after the modem answers MissingArgument. */
  gboolean         always_send_endpoint;
  /* For logs and errors: the driver class name (mhi_net, ...). */
  const gchar     *port_kind;
  MxDataFormatGoal goal;
} MxDataFormatRequest;

/* Per-step timeout in seconds for each WDA/DPM request. */
#define MX_DATA_FORMAT_QMI_TIMEOUT 10

/* DPM Open Port (when the profile asks for it and has both ids), WDA Get Data Format, then Set down the ladder,
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
