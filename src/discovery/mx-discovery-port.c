/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery-port.h"

G_DEFINE_BOXED_TYPE (MxPort, mx_port, mx_port_ref, mx_port_unref)

MxPort *
mx_port_new (MxKernelDevice *kdev, MxPortType type, MxPortRole role)
{
  MxPort *port = g_atomic_rc_box_new0 (MxPort);

  port->kdev = g_object_ref (kdev);
  port->type = type;
  port->role = role;
  port->type_source = "";
  port->mux_id = -1;
  mx_port_clear_data_mapping (port);
  return port;
}

void
mx_port_clear_data_mapping (MxPort *port)
{
  g_clear_pointer (&port->control_port, g_free);
  mx_data_profile_init (&port->profile);
}

void
mx_port_get_mux_id_policy (const MxPort *port, MxMuxIdPolicy *policy)
{
  mx_data_profile_get_mux_id_policy (&port->profile, policy);
}


MxPort *
mx_port_ref (MxPort *port)
{
  return g_atomic_rc_box_acquire (port);
}

static void
port_clear (MxPort *port)
{
  g_object_unref (port->kdev);
  g_free (port->control_port);
  g_free (port->lower);
}

void
mx_port_unref (MxPort *port)
{
  g_atomic_rc_box_release_full (port, (GDestroyNotify) port_clear);
}

const char *
mx_port_get_name (const MxPort *port)
{
  return mx_kernel_device_get_name (port->kdev);
}

const char *
mx_port_type_to_string (MxPortType type)
{
  switch (type) {
  case MX_PORT_TYPE_NET:     return "net";
  case MX_PORT_TYPE_QMI:     return "qmi";
  case MX_PORT_TYPE_MBIM:    return "mbim";
  case MX_PORT_TYPE_AT:      return "at";
  case MX_PORT_TYPE_QCDM:    return "qcdm";
  case MX_PORT_TYPE_GPS:     return "gps";
  case MX_PORT_TYPE_IGNORED: return "ignored";
  case MX_PORT_TYPE_UNKNOWN:
  default:                   return "unknown";
  }
}

const char *
mx_port_role_to_string (MxPortRole role)
{
  switch (role) {
  case MX_PORT_ROLE_CONTROL: return "control";
  case MX_PORT_ROLE_DATA:    return "data";
  case MX_PORT_ROLE_LINK:    return "link";
  case MX_PORT_ROLE_IGNORED:
  default:                   return "ignored";
  }
}

const char *
mx_probe_result_to_string (MxProbeResult result)
{
  switch (result) {
  case MX_PROBE_SKIPPED: return "skipped";
  case MX_PROBE_OK:      return "ok";
  case MX_PROBE_FAILED:  return "failed";
  case MX_PROBE_PENDING: return "pending";
  case MX_PROBE_NOT_NEEDED:
  default:               return "not-needed";
  }
}

const char *
mx_endpoint_type_to_string (QmiDataEndpointType type)
{
  switch (type) {
  case QMI_DATA_ENDPOINT_TYPE_HSIC:     return "HSIC";
  case QMI_DATA_ENDPOINT_TYPE_HSUSB:    return "HSUSB";
  case QMI_DATA_ENDPOINT_TYPE_PCIE:     return "PCIE";
  case QMI_DATA_ENDPOINT_TYPE_EMBEDDED: return "EMBEDDED";
  case QMI_DATA_ENDPOINT_TYPE_BAM_DMUX: return "BAM_DMUX";
  default:                              return "UNKNOWN";
  }
}
