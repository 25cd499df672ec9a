/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mhi: PCIe modems on the MHI bus (SDX55/SDX6x class: RM500Q, T99W175, ...).
 * Control is a wwan QMI port (wwan0qmi0) or the QRTR node reached through
 * the MHI IPCR channel; mhi_net data ports (mhi_hwip0, mhi_swip0) map to
 * endpoint PCIE/4 with multiplexing requested. MBIM ports (wwan0mbim0) and
 * mhi_wwan_mbim netdevs are recorded with their MBIM control port only. */
#define G_LOG_DOMAIN "mx-plugin-mhi"
#include "mx-discovery-error.h"
#include "mx-plugins.h"

static const char * const subsystems[] = { "wwan", "net", "qrtr", NULL };
static const char * const drivers[] = { "mhi-pci-generic", "mhi_net", NULL };

/* The PCIe endpoint interface number every MHI modem uses ("Qualcomm magic
 * number"; ModemManager >= 1.22, oFono, quectel-CM). */
#define MHI_PCIE_INTERFACE 4

static gboolean
is_mhi_port (const MxPort *port)
{
  const char *subsystem = mx_kernel_device_get_subsystem (port->kdev);

  if (mx_plugin_port_has_driver (port, drivers))
    return TRUE;
  if (mx_kernel_device_has_driver_in_chain (port->kdev, "mhi-pci-generic"))
    return TRUE;
  /* A wwan port announced by a kernel event without sysfs (tests). */
  return g_str_equal (subsystem, "wwan") &&
         g_strcmp0 (mx_kernel_device_get_physdev_subsystem (port->kdev), "usb") != 0;
}

static guint
claim (const MxPlugin *plugin, const MxPort *port, GPtrArray *group)
{
  if (mx_kernel_device_is_qrtr (port->kdev)) {
    for (guint i = 0; i < group->len; i++)
      if (is_mhi_port (g_ptr_array_index (group, i)))
        return MX_PLUGIN_CLAIM_SPECIFIC;
    return MX_PLUGIN_CLAIM_NONE;
  }
  return is_mhi_port (port) ? MX_PLUGIN_CLAIM_SPECIFIC : MX_PLUGIN_CLAIM_NONE;
}

/* mhi_net (IP_HW0): endpoint PCIE/4; rmnet on top or one raw-IP session;
 * mhi_net keeps its own 16384 MTU (never reset to 1500) and has no framing
 * switch. Multiplexing requested: the SDX55/SDX6x firmware serves several
 * PDNs over QMAP. No Bind Mux Data Port without multiplexing: ModemManager
 * 1.20 sends none on a plain mhi_net session (it binds only a mux id other
 * than 0) and connects; the quirk stays for a firmware found to need it. */
static void
mhi_net_profile (MxDataProfile *p)
{
  p->driver_class = MX_DATA_DRIVER_CLASS_MHI_NET;
  p->endpoint_type = QMI_DATA_ENDPOINT_TYPE_PCIE;
  p->endpoint_interface = MHI_PCIE_INTERFACE;
  p->link_kinds = MX_DATA_LINK_RMNET;
  p->raw_ip = TRUE;
  p->multiplex = MX_MULTIPLEX_REQUESTED;
}

/* mhi_wwan_mbim: MBIM data, session 0 (raw IP) on the default wwan
 * netdev, one wwan link (link id = session id 1..255) per multiplexed
 * session; no QMI data path. */
static void
mhi_wwan_mbim_profile (MxDataProfile *p)
{
  p->driver_class = MX_DATA_DRIVER_CLASS_MBIM;
  p->link_kinds = MX_DATA_LINK_WWAN;
  p->raw_ip = TRUE;
  p->mbim_session_first = 1;
  p->mbim_session_last = 255;
  p->multiplex = MX_MULTIPLEX_NONE;
}

static MxPort *
find_control (MxDevice *device, MxPortType type)
{
  GPtrArray *ports = mx_device_peek_ports (device);

  for (guint i = 0; i < ports->len; i++) {
    MxPort *port = g_ptr_array_index (ports, i);

    if (port->role == MX_PORT_ROLE_CONTROL && port->type == type && port->probe != MX_PROBE_FAILED)
      return port;
  }
  return NULL;
}

/* The MBIM profile serves the MHI MBIM netdevs only (cdc_mbim is generic's). */
static gboolean
data_profile (const MxPlugin *plugin, MxDataDriverClass driver_class, gint iface,
              MxDataProfile *profile)
{
  if (driver_class != MX_DATA_DRIVER_CLASS_MHI_NET)
    return FALSE;
  mhi_net_profile (profile);
  return TRUE;
}

static gboolean
map_data_port (const MxPlugin *plugin, MxDevice *device, MxPort *data, GError **error)
{
  const char *driver = mx_kernel_device_get_driver (data->kdev);
  MxPort *control;

  if (g_strcmp0 (driver, "mhi_net") == 0) {
    control = mx_device_get_primary_control_port (device);
    if (!control || control->type != MX_PORT_TYPE_QMI) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND,
                   "no QMI control port (wwan QMI port or QRTR node) in this MHI device");
      return FALSE;
    }
    mhi_net_profile (&data->profile);
  } else {
    /* mhi_wwan_mbim netdev (driver reported as mhi-pci-generic). */
    control = find_control (device, MX_PORT_TYPE_MBIM);
    if (!control) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND,
                   "net driver '%s' without an MBIM control port", driver ? driver : "(none)");
      return FALSE;
    }
    mhi_wwan_mbim_profile (&data->profile);
  }
  data->control_port = g_strdup (mx_port_get_name (control));
  mx_plugin_apply_multiplex_tags (data);
  return TRUE;
}

const MxPlugin mx_plugin_mhi = {
  .name = "mhi",
  .subsystems = subsystems,
  .drivers = drivers,
  .claim = claim,
  .map_data_port = map_data_port,
  .data_profile = data_profile,
};
