/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A port of a device: one kernel device (or QRTR node) with its role and
 * type as the port policy (mx-discovery-port-policy.c) decided, and, for data ports,
 * the QMI data-path mapping the device's plugin computed. Plain ref-counted
 * data: fields are read directly; only discovery writes them. */
#pragma once
#include <glib-object.h>
#include <libqmi-glib.h>
#include "mx-discovery-kernel-device.h"

G_BEGIN_DECLS

typedef enum {
  MX_PORT_TYPE_UNKNOWN,
  MX_PORT_TYPE_NET,
  MX_PORT_TYPE_QMI,
  MX_PORT_TYPE_MBIM,
  MX_PORT_TYPE_AT,
  MX_PORT_TYPE_QCDM,
  MX_PORT_TYPE_GPS,
  MX_PORT_TYPE_IGNORED,
} MxPortType;

typedef enum {
  MX_PORT_ROLE_CONTROL,  /* QMI/MBIM/AT/... char device or QRTR node */
  MX_PORT_ROLE_DATA,     /* physical data netdev */
  MX_PORT_ROLE_LINK,     /* virtual link (sysfs lower_*): attached, never probed */
  MX_PORT_ROLE_IGNORED,  /* recorded only (FIREHOSE, ID_MM_PORT_IGNORE, ...) */
} MxPortRole;

typedef enum {
  MX_PROBE_NOT_NEEDED,   /* typed without talking to it (net, QRTR node, tagged AT) */
  MX_PROBE_SKIPPED,      /* would be probed, but probing is off (--no-probe) */
  MX_PROBE_OK,           /* answered a QMI request */
  MX_PROBE_FAILED,       /* did not answer: not a control port */
} MxProbeResult;

/* Multiplex default for bearers on a data port (MM's multiplex "none",
 * "requested", "required"). */
typedef enum {
  MX_MULTIPLEX_NONE,
  MX_MULTIPLEX_REQUESTED,
  MX_MULTIPLEX_REQUIRED,
} MxMultiplexDefault;

typedef struct {
  MxKernelDevice     *kdev;
  MxPortType          type;
  MxPortRole          role;
  const char         *type_source;   /* static: why this type ("wwan-type-attribute", ...) */
  MxProbeResult       probe;
  /* Data ports (role DATA), filled by the device's plugin. */
  gchar              *control_port;  /* name of the QMI control port serving it */
  QmiDataEndpointType endpoint_type; /* QMI_DATA_ENDPOINT_TYPE_UNKNOWN: not mapped */
  gint                endpoint_interface; /* -1: not mapped */
  gint                dpm_rx_endpoint_id; /* IPA DPM ids; -1: none */
  gint                dpm_tx_endpoint_id;
  MxMultiplexDefault  multiplex;
  gint                max_multiplexed_links; /* ID_MM_MAX_MULTIPLEXED_LINKS; -1: unset */
  gint                initial_mux_id;        /* ID_MM_INITIAL_QMAP_MUX_ID; -1: unset */
  gboolean            qmimux;                /* MX_QMI_WWAN_QMIMUX: add_mux links, not rmnet */
  /* Link ports (role LINK). */
  gchar              *lower;         /* the physical data port it sits on */
  gint                mux_id;        /* -1: unknown */
} MxPort;

#define MX_TYPE_PORT (mx_port_get_type ())
GType   mx_port_get_type (void);
MxPort *mx_port_new   (MxKernelDevice *kdev, MxPortType type, MxPortRole role);
MxPort *mx_port_ref   (MxPort *port);
void    mx_port_unref (MxPort *port);
/* Resets the plugin-computed data mapping (before a plugin recomputes it). */
void    mx_port_clear_data_mapping (MxPort *port);

const char *mx_port_get_name         (const MxPort *port);
const char *mx_port_type_to_string   (MxPortType type);
const char *mx_port_role_to_string   (MxPortRole role);
const char *mx_probe_result_to_string (MxProbeResult result);
const char *mx_multiplex_default_to_string (MxMultiplexDefault multiplex);
/* "HSUSB", "PCIE", "EMBEDDED", "BAM_DMUX", ... */
const char *mx_endpoint_type_to_string (QmiDataEndpointType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxPort, mx_port_unref)

G_END_DECLS
