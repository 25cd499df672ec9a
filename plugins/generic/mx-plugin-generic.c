/* SPDX-License-Identifier: GPL-2.0-or-later */
/* generic: USB modems on qmi_wwan (cdc-wdm QMI port + wwanN netdev on the
 * same USB interface, endpoint HSUSB/<interface number>) and cdc_mbim
 * (recorded with their MBIM control port). */
#define G_LOG_DOMAIN "mx-plugin-generic"
#include "mx-discovery-error.h"
#include "mx-plugins.h"

static const char * const subsystems[] = { "usbmisc", "net", NULL };
static const char * const drivers[] = { "qmi_wwan", "cdc_mbim", NULL };

/* USB ports of those drivers; also ports a kernel event with a uid names
 * (udev-less setups: the event's driver= says what the port is). */
static guint
claim (const MxPlugin *plugin, const MxPort *port, GPtrArray *group)
{
  if ((g_strcmp0 (mx_kernel_device_get_physdev_subsystem (port->kdev), "usb") == 0 ||
       mx_kernel_device_get_event_uid (port->kdev)) &&
      mx_plugin_port_has_driver (port, drivers))
    return MX_PLUGIN_CLAIM_GENERIC;
  return MX_PLUGIN_CLAIM_NONE;
}

/* The control port on the data port's USB interface. */
static MxPort *
find_control (MxDevice *device, MxPort *data, MxPortType type)
{
  GPtrArray *ports = mx_device_peek_ports (device);
  gint iface = mx_kernel_device_get_interface_number (data->kdev);

  for (guint i = 0; i < ports->len; i++) {
    MxPort *port = g_ptr_array_index (ports, i);

    if (port->role == MX_PORT_ROLE_CONTROL && port->type == type &&
        port->probe != MX_PROBE_FAILED &&
        mx_kernel_device_get_interface_number (port->kdev) == iface)
      return port;
  }
  return NULL;
}

/* rmnet caps every MTU at 16384 (RMNET_MAX_PACKET_SIZE) and the qmi_wwan RX
 * URB follows the lower MTU, so a DL aggregate must fit in 16384 there (the
 * cap ModemManager uses for qmi_wwan with rmnet). */
#define QMI_WWAN_DL_MAX_SIZE 16384

/* qmi_wwan: endpoint HSUSB/<USB interface>; rmnet on top in pass-through
 * mode (or the driver's own qmimux), or one raw-IP session directly; the
 * driver's qmi/raw_ip + qmi/pass_through switches follow the format. No
 * multiplexing unless asked: most USB firmware serves one PDN well. */
static void
qmi_wwan_profile (MxDataProfile *p, gint iface)
{
  p->driver_class = MX_DATA_DRIVER_CLASS_QMI_WWAN;
  p->endpoint_type = QMI_DATA_ENDPOINT_TYPE_HSUSB;
  p->endpoint_interface = iface;
  p->link_kinds = MX_DATA_LINK_RMNET | MX_DATA_LINK_QMIMUX;
  p->raw_ip = TRUE;
  p->dl_max_size = QMI_WWAN_DL_MAX_SIZE;
  p->lower_mtu_follows_dl = TRUE;
  p->qmi_wwan_framing = TRUE;
  p->multiplex = MX_MULTIPLEX_NONE;
}

/* cdc_mbim: recorded with its MBIM control port; no QMI data path (no
 * endpoint). Session 0 is the netdev itself (raw IP, untagged);
 * multiplexed sessions 1..255 are 802.1Q VLAN links on it, VLAN id =
 * session id (the driver maps them). */
static void
cdc_mbim_profile (MxDataProfile *p)
{
  p->driver_class = MX_DATA_DRIVER_CLASS_MBIM;
  p->link_kinds = MX_DATA_LINK_VLAN;
  p->raw_ip = TRUE;
  p->mbim_session_first = 1;
  p->mbim_session_last = 255;
  p->multiplex = MX_MULTIPLEX_NONE;
}

static gboolean
data_profile (const MxPlugin *plugin, MxDataDriverClass driver_class, gint iface,
              MxDataProfile *profile)
{
  switch (driver_class) {
  case MX_DATA_DRIVER_CLASS_QMI_WWAN:
    qmi_wwan_profile (profile, iface);
    return TRUE;
  case MX_DATA_DRIVER_CLASS_MBIM:
    cdc_mbim_profile (profile);
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean
map_data_port (const MxPlugin *plugin, MxDevice *device, MxPort *data, GError **error)
{
  const char *driver = mx_kernel_device_get_driver (data->kdev);
  gint iface = mx_kernel_device_get_interface_number (data->kdev);
  gboolean qmi = g_strcmp0 (driver, "qmi_wwan") == 0;
  MxPort *control;

  if (iface < 0 && qmi) {
    /* the QMI endpoint is the USB interface */
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_UNSUPPORTED,
                 "no USB interface number");
    return FALSE;
  }
  /* cdc_mbim without one (a kernel event): the device's MBIM control port. */
  control = iface < 0 ? mx_device_get_primary_control_port (device) :
            find_control (device, data, qmi ? MX_PORT_TYPE_QMI : MX_PORT_TYPE_MBIM);
  if (control && control->type != (qmi ? MX_PORT_TYPE_QMI : MX_PORT_TYPE_MBIM))
    control = NULL;
  if (!control) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_FOUND,
                 "no %s control port on USB interface %d", qmi ? "QMI" : "MBIM", iface);
    return FALSE;
  }
  data->control_port = g_strdup (mx_port_get_name (control));
  data_profile (plugin, qmi ? MX_DATA_DRIVER_CLASS_QMI_WWAN : MX_DATA_DRIVER_CLASS_MBIM, iface,
                &data->profile);
  mx_plugin_apply_multiplex_tags (data);
  return TRUE;
}

const MxPlugin mx_plugin_generic = {
  .name = "generic",
  .subsystems = subsystems,
  .drivers = drivers,
  .claim = claim,
  .map_data_port = map_data_port,
  .data_profile = data_profile,
};
