/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxctl probe: runs discovery in-process (no daemon) on the current
 * system (or a umockdev testbed) and prints the devices it derives: ports
 * with subsystem, driver, role, type and probe result; physical device;
 * plugin; data-port mapping (control port, endpoint type/interface, DPM ids,
 * multiplex default); and the link map with pre-existing links. */
#define G_LOG_DOMAIN "mx-ctl"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libqmi-glib.h>
#include "ctl.h"
#include "mx-discovery-device-manager.h"
#include "mx-discovery-error.h"
#include "mx-plugins.h"
#include "mx-discovery-port-probe.h"
#include "mx-discovery-qrtr-source.h"

typedef struct {
  gboolean  json;
  gboolean  no_probe;
  gboolean  no_proxy;
  gboolean  no_qrtr;
  gboolean  no_udev;
  gboolean  no_netlink;
  gchar   **qrtr_nodes;
  gchar    *kernel_events;
  gchar    *sysfs_root;
  gchar    *dev_dir;
  gint      probe_timeout;
  gint      settle_timeout;
  gint      monitor;
} ProbeOptions;

/* --monitor: one JSON line per device event. */
typedef struct {
  gint     remaining;
  gboolean done;
} Monitor;

/* "3" or "3:wds,nas,dms" or "3:1,3,2" -> node id and QMI service ids. */
static gboolean
parse_qrtr_node (const char *spec, guint32 *node, GArray *services, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 2);
  g_auto(GStrv) names = NULL;
  guint64 v;

  if (!g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32 - 1, &v, NULL)) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_FAILED,
                 "--qrtr-node '%s': node id must be a number", spec);
    return FALSE;
  }
  *node = (guint32) v;
  names = g_strsplit (parts[1] ? parts[1] : "wds,nas,dms", ",", -1);
  for (guint i = 0; names[i]; i++) {
    guint32 service;

    if (g_ascii_string_to_unsigned (names[i], 10, 0, 255, &v, NULL)) {
      service = (guint32) v;
    } else if (!g_ascii_strcasecmp (names[i], "wds")) {
      service = QMI_SERVICE_WDS;
    } else if (!g_ascii_strcasecmp (names[i], "nas")) {
      service = QMI_SERVICE_NAS;
    } else if (!g_ascii_strcasecmp (names[i], "dms")) {
      service = QMI_SERVICE_DMS;
    } else if (!g_ascii_strcasecmp (names[i], "uim")) {
      service = QMI_SERVICE_UIM;
    } else if (!g_ascii_strcasecmp (names[i], "wda")) {
      service = QMI_SERVICE_WDA;
    } else if (!g_ascii_strcasecmp (names[i], "dpm")) {
      service = QMI_SERVICE_DPM;
    } else {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_FAILED,
                   "--qrtr-node '%s': unknown service '%s'", spec, names[i]);
      return FALSE;
    }
    g_array_append_val (services, service);
  }
  return TRUE;
}

static void
port_to_json (GString *out, MxPort *port)
{
  MxKernelDevice *kdev = port->kdev;

  g_string_append (out, "{\"name\":");
  mx_ctl_json_string (out, mx_port_get_name (port));
  mx_ctl_json_member_string (out, "subsystem", mx_kernel_device_get_subsystem (kdev));
  mx_ctl_json_member_string (out, "driver", mx_kernel_device_get_driver (kdev));
  mx_ctl_json_member_string (out, "role", mx_port_role_to_string (port->role));
  mx_ctl_json_member_string (out, "type", mx_port_type_to_string (port->type));
  mx_ctl_json_member_string (out, "type_source", port->type_source);
  mx_ctl_json_member_string (out, "probe", mx_probe_result_to_string (port->probe));
  mx_ctl_json_member_int (out, "usb_interface", mx_kernel_device_get_interface_number (kdev));
  if (mx_kernel_device_is_qrtr (kdev))
    g_string_append_printf (out, ",\"qrtr_node\":%u", mx_kernel_device_get_qrtr_node (kdev));
  if (port->role == MX_PORT_ROLE_DATA) {
    mx_ctl_json_member_string (out, "control_port", port->control_port);
    if (port->profile.endpoint_type != QMI_DATA_ENDPOINT_TYPE_UNKNOWN) {
      g_string_append (out, ",\"endpoint\":{\"type\":");
      mx_ctl_json_string (out, mx_endpoint_type_to_string (port->profile.endpoint_type));
      g_string_append_printf (out, ",\"interface\":%d}", port->profile.endpoint_interface);
    } else {
      g_string_append (out, ",\"endpoint\":null");
    }
    if (port->profile.dpm_rx_endpoint_id >= 0 || port->profile.dpm_tx_endpoint_id >= 0) {
      g_string_append_printf (out, ",\"dpm\":{\"rx_endpoint_id\":%d,\"tx_endpoint_id\":%d}",
                              port->profile.dpm_rx_endpoint_id, port->profile.dpm_tx_endpoint_id);
    } else {
      g_string_append (out, ",\"dpm\":null");
    }
    mx_ctl_json_member_string (out, "multiplex", mx_multiplex_default_to_string (port->profile.multiplex));
    mx_ctl_json_member_int (out, "max_multiplexed_links", port->profile.max_links);
    mx_ctl_json_member_int (out, "initial_mux_id", port->profile.initial_mux_id);
  }
  if (port->role == MX_PORT_ROLE_LINK) {
    mx_ctl_json_member_string (out, "lower", port->lower);
    mx_ctl_json_member_int (out, "mux_id", port->mux_id);
  }
  g_string_append_c (out, '}');
}

static void
device_to_json (GString *out, MxDevice *device)
{
  GPtrArray *ports = mx_device_peek_ports (device);
  MxPort *primary = mx_device_get_primary_control_port (device);
  g_auto(GStrv) drivers = mx_device_dup_drivers (device);
  guint32 node;

  g_string_append (out, "{\"uid\":");
  mx_ctl_json_string (out, mx_device_get_uid (device));
  mx_ctl_json_member_string (out, "plugin", mx_device_get_plugin_name (device));
  mx_ctl_json_member_string (out, "physdev", mx_device_get_physdev (device));
  mx_ctl_json_member_string (out, "primary_port", primary ? mx_port_get_name (primary) : NULL);
  if (mx_device_get_qrtr_node (device, &node))
    g_string_append_printf (out, ",\"qrtr_node\":%u", node);
  else
    g_string_append (out, ",\"qrtr_node\":null");
  g_string_append (out, ",\"drivers\":[");
  for (guint i = 0; drivers[i]; i++) {
    if (i)
      g_string_append_c (out, ',');
    mx_ctl_json_string (out, drivers[i]);
  }
  g_string_append (out, "],\"ports\":[");
  for (guint i = 0; i < ports->len; i++) {
    if (i)
      g_string_append_c (out, ',');
    port_to_json (out, g_ptr_array_index (ports, i));
  }
  g_string_append (out, "]}");
}

static void
link_map_to_json (GString *out, MxLinkMap *map)
{
  g_autoptr(GPtrArray) links = mx_link_map_get_links (map, NULL);

  g_string_append (out, "[");
  for (guint i = 0; i < links->len; i++) {
    const MxLink *link = g_ptr_array_index (links, i);

    if (i)
      g_string_append_c (out, ',');
    g_string_append (out, "{\"name\":");
    mx_ctl_json_string (out, link->ifname);
    mx_ctl_json_member_string (out, "kind", link->kind);
    mx_ctl_json_member_string (out, "lower", link->lower_name ? link->lower_name : link->parent_dev_name);
    mx_ctl_json_member_int (out, "mux_id", link->mux_id);
    g_string_append_c (out, '}');
  }
  g_string_append (out, "]");
}

/* The plugin's data profile, one line under its data port. */
static void
print_profile (const MxDataProfile *p)
{
  g_autofree gchar *links = mx_data_link_kinds_to_string (p->link_kinds);

  printf ("          profile: %s, links %s, raw-ip %s, dl %ux%u%s%s%s",
          mx_data_driver_class_to_string (p->driver_class), links, p->raw_ip ? "yes" : "no",
          p->dl_max_datagrams, p->dl_max_size,
          p->lower_mtu_follows_dl ? ", lower mtu follows dl" : "",
          p->qmi_wwan_framing ? ", qmi_wwan framing" : "",
          p->bind_mux_without_mux ? ", bind mux 0" : "");
  if (p->hw_rx_checksum != MX_DATA_CHECKSUM_FROM_PROTOCOL ||
      p->hw_tx_checksum != MX_DATA_CHECKSUM_FROM_PROTOCOL)
    printf (", hw checksum rx %s tx %s", mx_data_checksum_to_string (p->hw_rx_checksum),
            mx_data_checksum_to_string (p->hw_tx_checksum));
  printf ("\n");
}

static void
print_human (GPtrArray *devices, MxLinkMap *map)
{
  g_autoptr(GPtrArray) links = mx_link_map_get_links (map, NULL);

  if (devices->len == 0)
    printf ("no modem found\n");
  for (guint d = 0; d < devices->len; d++) {
    MxDevice *device = g_ptr_array_index (devices, d);
    GPtrArray *ports = mx_device_peek_ports (device);

    printf ("device %s\n  plugin: %s\n  physdev: %s\n", mx_device_get_uid (device),
            mx_device_get_plugin_name (device),
            mx_device_get_physdev (device) ? mx_device_get_physdev (device) : "(none)");
    for (guint i = 0; i < ports->len; i++) {
      MxPort *port = g_ptr_array_index (ports, i);
      const char *driver = mx_kernel_device_get_driver (port->kdev);

      printf ("  %-7s %-12s %-7s %-5s driver %s, probe %s", mx_port_role_to_string (port->role),
              mx_port_get_name (port), mx_kernel_device_get_subsystem (port->kdev),
              mx_port_type_to_string (port->type), driver ? driver : "(none)",
              mx_probe_result_to_string (port->probe));
      if (port->role == MX_PORT_ROLE_DATA && port->control_port)
        printf (" -> %s", port->control_port);
      if (port->role == MX_PORT_ROLE_DATA && port->profile.endpoint_type != QMI_DATA_ENDPOINT_TYPE_UNKNOWN)
        printf (" %s/%d multiplex %s", mx_endpoint_type_to_string (port->profile.endpoint_type),
                port->profile.endpoint_interface, mx_multiplex_default_to_string (port->profile.multiplex));
      if (port->role == MX_PORT_ROLE_DATA && port->profile.dpm_rx_endpoint_id >= 0)
        printf (" dpm rx %d tx %d", port->profile.dpm_rx_endpoint_id, port->profile.dpm_tx_endpoint_id);
      if (port->role == MX_PORT_ROLE_LINK)
        printf (" on %s mux %d", port->lower, port->mux_id);
      printf ("\n");
      if (port->role == MX_PORT_ROLE_DATA && mx_data_profile_is_mapped (&port->profile))
        print_profile (&port->profile);
    }
  }
  if (links->len)
    printf ("links:\n");
  for (guint i = 0; i < links->len; i++) {
    const MxLink *link = g_ptr_array_index (links, i);

    printf ("  %s (%s) on %s mux %d\n", link->ifname, link->kind ? link->kind : "?",
            link->lower_name ? link->lower_name : (link->parent_dev_name ? link->parent_dev_name : "?"),
            link->mux_id);
  }
}

static void
print_event (const char *event, MxDevice *device)
{
  g_autoptr(GString) out = g_string_new ("{\"event\":");
  GPtrArray *ports = mx_device_peek_ports (device);

  mx_ctl_json_string (out, event);
  mx_ctl_json_member_string (out, "uid", mx_device_get_uid (device));
  mx_ctl_json_member_string (out, "plugin", mx_device_get_plugin_name (device));
  g_string_append (out, ",\"ports\":[");
  for (guint i = 0; i < ports->len; i++) {
    if (i)
      g_string_append_c (out, ',');
    mx_ctl_json_string (out, mx_port_get_name (g_ptr_array_index (ports, i)));
  }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
  fflush (stdout);
}

static void
monitor_count (Monitor *m)
{
  if (--m->remaining <= 0)
    m->done = TRUE;
}

static void
monitor_added (MxDeviceManager *manager, MxDevice *device, Monitor *m)
{
  print_event ("added", device);
  monitor_count (m);
}

static void
monitor_removed (MxDeviceManager *manager, MxDevice *device, Monitor *m)
{
  print_event ("removed", device);
  monitor_count (m);
}

static void
monitor_changed (MxDeviceManager *manager, MxDevice *device, Monitor *m)
{
  print_event ("changed", device);
  monitor_count (m);
}

static gboolean
settle_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settled (MxDeviceManager *manager, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static MxLinkMap *
open_link_map (ProbeOptions *o, MxNetlink **netlink)
{
  g_autoptr(GError) error = NULL;
  MxLinkMap *map;

  if (!o->no_netlink) {
    *netlink = mx_netlink_new (&error);
    if (!*netlink)
      g_message ("no netlink (%s): link map from sysfs only", error->message);
    g_clear_error (&error);
  }
  map = mx_link_map_new (*netlink, o->sysfs_root);
  if (*netlink) {
    MxCtlAsync async = { 0 };

    mx_link_map_load_async (map, NULL, mx_ctl_async_done, &async);
    mx_ctl_wait (&async);
    if (!mx_link_map_load_finish (map, async.result, &error))
      g_message ("cannot read the link map: %s", error->message);
    g_clear_object (&async.result);
  } else if (!mx_link_map_load_sysfs (map, &error)) {
    g_message ("cannot read the link map: %s", error->message);
  }
  return map;
}

MX_CTL_MAIN (probe)
{
  ProbeOptions o = { .probe_timeout = MX_PORT_PROBE_TIMEOUT_DEFAULT_S, .settle_timeout = 30 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print JSON", NULL },
    { "no-probe", 0, 0, G_OPTION_ARG_NONE, &o.no_probe,
      "Do not talk to ports: type them from tags, wwan type, driver only", NULL },
    { "no-proxy", 0, 0, G_OPTION_ARG_NONE, &o.no_proxy, "Probe QMI ports directly, not via qmi-proxy", NULL },
    { "probe-timeout", 0, 0, G_OPTION_ARG_INT, &o.probe_timeout, "Seconds a QMI port has to answer", "S" },
    { "no-qrtr", 0, 0, G_OPTION_ARG_NONE, &o.no_qrtr, "Do not watch the QRTR bus", NULL },
    { "qrtr-node", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.qrtr_nodes,
      "Pretend QRTR node ID offers SERVICES (default wds,nas,dms); repeatable; for fixtures",
      "ID[:SERVICES]" },
    { "no-udev", 0, 0, G_OPTION_ARG_NONE, &o.no_udev, "Do not scan udev", NULL },
    { "kernel-events", 0, 0, G_OPTION_ARG_FILENAME, &o.kernel_events,
      "Replay kernel events from FILE (action=add,subsystem=...,name=...[,uid=...])", "FILE" },
    { "sysfs-root", 0, 0, G_OPTION_ARG_FILENAME, &o.sysfs_root, "sysfs mount point (default /sys)", "DIR" },
    { "dev-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.dev_dir, "Where QMI ports are probed (default /dev)", "DIR" },
    { "no-netlink", 0, 0, G_OPTION_ARG_NONE, &o.no_netlink, "Link map from sysfs only", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o.settle_timeout,
      "Seconds to wait for discovery to settle (with --monitor: for the events)", "S" },
    { "monitor", 0, 0, G_OPTION_ARG_INT, &o.monitor,
      "Print N device events (added/removed/changed) as JSON lines, current devices first", "N" },
    { NULL }
  };
  MxDeviceManagerOptions options;
  g_autoptr(MxNetlink) netlink = NULL;
  g_autoptr(MxLinkMap) map = NULL;
  g_autoptr(MxDeviceManager) manager = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  guint timeout_id;
  int status = 0;

  if (!mx_ctl_parse_options (&argc, &argv, "", "Show the modems discovery derives from this system.",
                             entries))
    return 2;
  if (argc > 1) {
    fprintf (stderr, "modemuxctl probe: unexpected argument '%s'\n", argv[1]);
    return 2;
  }

  map = open_link_map (&o, &netlink);
  mx_device_manager_options_init (&options);
  options.sysfs_root = o.sysfs_root;
  options.dev_dir = o.dev_dir;
  options.probe = !o.no_probe;
  options.probe_via_proxy = !o.no_proxy;
  options.probe_timeout_s = (guint) MAX (o.probe_timeout, 1);
  options.probe_retries = 0; /* a one-shot view: what answers now */
  options.link_map = map;
  manager = mx_device_manager_new (mx_plugins_get_builtin (), &options);

  if (!o.no_udev)
    mx_device_manager_start_udev (manager);
  if (o.kernel_events &&
      !mx_device_manager_replay_kernel_events_file (manager, o.kernel_events, &error)) {
    fprintf (stderr, "modemuxctl probe: %s\n", error->message);
    status = 1;
    goto out;
  }
  /* Nodes after the ports, as on a booted system where the modem DSP
   * comes up last. */
  for (guint i = 0; o.qrtr_nodes && o.qrtr_nodes[i]; i++) {
    g_autoptr(GArray) services = g_array_new (FALSE, FALSE, sizeof (guint32));
    guint32 node;

    if (!parse_qrtr_node (o.qrtr_nodes[i], &node, services, &error)) {
      fprintf (stderr, "modemuxctl probe: %s\n", error->message);
      status = 2;
      goto out;
    }
    if (!mx_device_manager_add_qrtr_node (manager, node, (const guint32 *) (gpointer) services->data,
                                          services->len, &error)) {
      g_message ("%s", error->message);
      g_clear_error (&error);
    }
  }
  if (!o.no_qrtr && !o.qrtr_nodes)
    mx_device_manager_start_qrtr (manager);

  g_signal_connect (manager, "settled", G_CALLBACK (settled), &done);
  timeout_id = g_timeout_add_seconds ((guint) MAX (o.settle_timeout, 1), settle_timeout, &done);
  if (!mx_device_manager_is_settled (manager))
    mx_ctl_iterate_until (&done);
  if (!mx_device_manager_is_settled (manager))
    g_warning ("discovery did not settle within %d s; showing what is known", o.settle_timeout);
  g_source_remove (timeout_id);

  devices = mx_device_manager_get_devices (manager);
  if (o.monitor > 0) {
    Monitor m = { .remaining = o.monitor };

    for (guint i = 0; i < devices->len && !m.done; i++)
      monitor_added (manager, g_ptr_array_index (devices, i), &m);
    g_signal_connect (manager, "device-added", G_CALLBACK (monitor_added), &m);
    g_signal_connect (manager, "device-removed", G_CALLBACK (monitor_removed), &m);
    g_signal_connect (manager, "device-changed", G_CALLBACK (monitor_changed), &m);
    timeout_id = g_timeout_add_seconds ((guint) MAX (o.settle_timeout, 1), settle_timeout, &m.done);
    mx_ctl_iterate_until (&m.done);
    if (m.remaining > 0) {
      fprintf (stderr, "modemuxctl probe: %d device event(s) still missing after %d s\n",
               m.remaining, o.settle_timeout);
      status = 1;
    } else {
      g_source_remove (timeout_id);
    }
    g_signal_handlers_disconnect_by_data (manager, &m);
    goto out;
  }
  if (o.json) {
    g_autoptr(GString) out = g_string_new ("{\"devices\":[");

    for (guint i = 0; i < devices->len; i++) {
      if (i)
        g_string_append_c (out, ',');
      device_to_json (out, g_ptr_array_index (devices, i));
    }
    g_string_append (out, "],\"links\":");
    link_map_to_json (out, map);
    g_string_append (out, "}\n");
    fputs (out->str, stdout);
  } else {
    print_human (devices, map);
  }

out:
  mx_device_manager_stop (manager);
  g_strfreev (o.qrtr_nodes);
  g_free (o.kernel_events);
  g_free (o.sysfs_root);
  g_free (o.dev_dir);
  return status;
}
