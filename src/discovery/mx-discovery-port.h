/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A port of a device: one kernel device (or QRTR node) with its role and
 * type as the port policy (mx-discovery-port-policy.c) decided, and, for data ports,
 * the control port and data profile (mx-discovery-data-profile.h) the device's
 * plugin filled. Plain ref-counted data: fields are read directly; only
 * discovery writes them. */
#pragma once
#include <glib-object.h>
#include <libqmi-glib.h>
#include "mx-discovery-data-profile.h"
#include "mx-discovery-kernel-device.h"
#include "mx-link-mux-id.h"

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
  MX_PROBE_PENDING,      /* an AT port, in its device while `AT` -> `OK` runs */
} MxProbeResult;

typedef struct {
  MxKernelDevice     *kdev;
  MxPortType          type;
  MxPortRole          role;
  const char         *type_source;   /* static: why this type ("wwan-type-attribute", ...) */
  MxProbeResult       probe;
  /* Data ports (role DATA), filled by the device's plugin. */
  gchar              *control_port;  /* name of the QMI control port serving it */
  MxDataProfile       profile;       /* what the port can do; unmapped: initialized */
  /* Link ports (role LINK). */
  gchar              *lower;         /* the physical data port it sits on */
  gint                mux_id;        /* -1: unknown */
} MxPort;

#define MX_TYPE_PORT (mx_port_get_type ())
GType   mx_port_get_type (void);
MxPort *mx_port_new   (MxKernelDevice *kdev, MxPortType type, MxPortRole role);
MxPort *mx_port_ref   (MxPort *port);
void    mx_port_unref (MxPort *port);
/* Resets the plugin-filled control port and profile (before a plugin
 * recomputes them). */
void    mx_port_clear_data_mapping (MxPort *port);
/* The mux id policy a data port's profile asks for (defaults where unset). */
void    mx_port_get_mux_id_policy  (const MxPort *port, MxMuxIdPolicy *policy);

const char *mx_port_get_name         (const MxPort *port);
const char *mx_port_type_to_string   (MxPortType type);
const char *mx_port_role_to_string   (MxPortRole role);
const char *mx_probe_result_to_string (MxProbeResult result);
/* "HSUSB", "PCIE", "EMBEDDED", "BAM_DMUX", ... */
const char *mx_endpoint_type_to_string (QmiDataEndpointType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxPort, mx_port_unref)

G_END_DECLS
