/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What one physical data port can do, as the device's plugin knows it: a
 * plain value struct (no pointers, copied freely) that the plugin fills when
 * it maps the data port (MxPlugin.map_data_port) and that the bearer layer
 * only reads. Device knowledge lives here as data, so the bearer code never
 * asks which kernel driver a port has; the driver name is turned into a
 * driver class once, by the port policy (mx_port_policy_data_driver_class()).
 * docs/discovery.md lists what each plugin puts here per family. */
#pragma once
#include <glib.h>
#include <libqmi-glib.h>
#include "mx-link-mux-id.h"

G_BEGIN_DECLS

/* The kind of data driver a port is bound to; for display and for the
 * plugins' choice of profile. The bearer layer branches on profile fields,
 * never on this. */
typedef enum {
  MX_DATA_DRIVER_CLASS_UNKNOWN = 0,
  MX_DATA_DRIVER_CLASS_QMI_WWAN,   /* USB QMI (qmi_wwan, qmi_wwan_q) */
  MX_DATA_DRIVER_CLASS_MHI_NET,    /* PCIe MHI IP_HW0/IP_SW0 channels */
  MX_DATA_DRIVER_CLASS_IPA,        /* Qualcomm SoC IPA (rmnet_ipa0) */
  MX_DATA_DRIVER_CLASS_BAM_DMUX,   /* Qualcomm SoC BAM-DMUX (one netdev per channel) */
  MX_DATA_DRIVER_CLASS_MBIM,       /* cdc_mbim, mhi_wwan_mbim: MBIM data, no QMI data path */
} MxDataDriverClass;

/* Multiplex default for bearers on a data port (MM's multiplex "none",
 * "requested", "required"). */
typedef enum {
  MX_MULTIPLEX_NONE,
  MX_MULTIPLEX_REQUESTED,
  MX_MULTIPLEX_REQUIRED,
} MxMultiplexDefault;

/* Which multiplexed links can sit on the port (bit set). */
typedef enum {
  MX_DATA_LINK_NONE   = 0,
  MX_DATA_LINK_RMNET  = 1 << 0,  /* rmnet over raw QMAP frames */
  MX_DATA_LINK_QMIMUX = 1 << 1,  /* qmi_wwan's own qmimux (add_mux) */
  MX_DATA_LINK_WWAN   = 1 << 2,  /* wwan core links on the wwan device (MBIM sessions, mhi_wwan_mbim) */
  MX_DATA_LINK_VLAN   = 1 << 3,  /* 802.1Q VLAN links on the netdev (MBIM sessions, cdc_mbim) */
} MxDataLinkKinds;

/* Checksum offload a device declares for one direction of its QMAP path. */
typedef enum {
  MX_DATA_CHECKSUM_FROM_PROTOCOL = 0, /* the device says nothing: follow QMAPv4/v5 */
  MX_DATA_CHECKSUM_NONE,              /* the device offloads nothing */
  MX_DATA_CHECKSUM_MAPV4,
  MX_DATA_CHECKSUM_MAPV5,
} MxDataChecksum;

/* Default DL aggregation limits a plugin starts from. */
#define MX_DATA_PROFILE_DL_MAX_DATAGRAMS 32
#define MX_DATA_PROFILE_DL_MAX_SIZE      32768

typedef struct {
  MxDataDriverClass   driver_class;
  /* The endpoint the modem knows the port as (WDA/DPM/WDS Bind). */
  QmiDataEndpointType endpoint_type;      /* UNKNOWN: not mapped */
  gint                endpoint_interface; /* -1: not mapped */
  gboolean            always_send_endpoint; /* endpoint TLV on every WDA request */
  /* DPM Open Port before the data format (IPA), with the ids as DPM takes
   * them (rx = what the modem transmits); -1: unknown, Open Port skipped. */
  gboolean            dpm_open_port;
  gint                dpm_rx_endpoint_id;
  gint                dpm_tx_endpoint_id;
  /* What the port carries. */
  guint               link_kinds;         /* MxDataLinkKinds */
  gboolean            prefer_qmimux;      /* udev MX_QMI_WWAN_QMIMUX: qmimux links, not rmnet */
  gboolean            raw_ip;             /* one non-multiplexed raw-IP session */
  /* DL aggregation limits asked for with QMAP. */
  guint32             dl_max_datagrams;
  guint32             dl_max_size;
  /* With QMAP the lower's MTU must hold a whole DL aggregate (the qmi_wwan
   * RX buffer follows the MTU): set it to dl_max_size, capped by rmnet. */
  gboolean            lower_mtu_follows_dl;
  /* The driver frames packets by its qmi/raw_ip and qmi/pass_through sysfs
   * switches, which must follow the negotiated format (qmi_wwan). */
  gboolean            qmi_wwan_framing;
  /* rmnet checksum offloads the hardware declares (IPA's device/feature/). */
  MxDataChecksum      hw_rx_checksum;
  MxDataChecksum      hw_tx_checksum;
  /* Quirk: WDS Bind Mux Data Port with mux id 0 even without multiplexing
   * (PCIe firmware routes no data otherwise). */
  gboolean            bind_mux_without_mux;
  /* Mux ids: first one and most links (ID_MM_INITIAL_QMAP_MUX_ID,
   * ID_MM_MAX_MULTIPLEXED_LINKS); -1: unset, the link policy's defaults. */
  gint                initial_mux_id;
  gint                max_links;
  /* MBIM session ids the port's multiplexed links may use (session 0 is
   * the netdev itself), from the plugin, narrowed by the udev tags
   * MX_MBIM_SESSION_FIRST/LAST; both -1: no MBIM data on the port. */
  gint                mbim_session_first;
  gint                mbim_session_last;
  MxMultiplexDefault  multiplex;
} MxDataProfile;

/* Everything unset/not possible (what an unmapped data port has). */
void        mx_data_profile_init (MxDataProfile *profile);
/* TRUE once a plugin gave the port an endpoint. */
gboolean    mx_data_profile_is_mapped (const MxDataProfile *profile);
gboolean    mx_data_profile_can_link (const MxDataProfile *profile, MxDataLinkKinds kind);
/* The link manager's id policy for the port's links: the MBIM session
 * range (mbim_session_first/last) or the QMAP mux ids (initial_mux_id),
 * at most max_links. */
void        mx_data_profile_get_mux_id_policy (const MxDataProfile *profile, MxMuxIdPolicy *policy);
/* A sysfs offload attribute ("MAPv4\n", "MAPv5", "none"); NULL: FROM_PROTOCOL. */
MxDataChecksum mx_data_checksum_from_attribute (const char *value);

const char *mx_multiplex_default_to_string (MxMultiplexDefault multiplex);
/* "rmnet,qmimux" or "none". */
gchar      *mx_data_link_kinds_to_string (guint kinds);
const char *mx_data_checksum_to_string (MxDataChecksum checksum);

G_END_DECLS
