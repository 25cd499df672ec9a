/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The org.modemux.DataPorts1 extension interface (see mx-bearer-ext.h). */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-ext.h"

#include "mx-bearer-private.h"
#include "mx-bearer-data-port.h"
#include "mx-discovery-port.h"

struct _MxBearerExt {
  MxGdbusDataPorts1 *skeleton;
};

/* libqmi's nicknames: "hsusb", "pcie", "embedded", ... */
static const gchar *
endpoint_name (QmiDataEndpointType type)
{
  const gchar *name = qmi_data_endpoint_type_get_string (type);

  return name ? name : "unknown";
}

static void
add (GVariantBuilder *b, const gchar *key, GVariant *value)
{
  g_variant_builder_add (b, "{sv}", key, value);
}

GVariant *
mx_bearer_ext_build_data_ports (GPtrArray *data_ports)
{
  GVariantBuilder all;

  g_variant_builder_init (&all, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; data_ports && i < data_ports->len; i++) {
    MxDataPort *dp = g_ptr_array_index (data_ports, i);
    const MxDataEndpoint *ep = mx_data_port_get_endpoint (dp);
    const MxDataProfile *profile = mx_data_port_get_profile (dp);
    const MxDataFormat *f = mx_data_port_peek_format (dp);
    GVariantBuilder b;

    g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
    add (&b, "name", g_variant_new_string (mx_data_port_get_name (dp)));
    add (&b, "driver", g_variant_new_string (mx_data_port_get_driver_name (dp)));
    add (&b, "link-kinds", g_variant_new_take_string (mx_data_link_kinds_to_string (profile->link_kinds)));
    add (&b, "raw-ip", g_variant_new_boolean (profile->raw_ip));
    add (&b, "multiplex-default",
         g_variant_new_string (mx_multiplex_default_to_string (profile->multiplex)));
    add (&b, "endpoint-type", g_variant_new_string (endpoint_name (ep->type)));
    add (&b, "endpoint-interface", g_variant_new_uint32 (ep->iface));
    add (&b, "negotiated", g_variant_new_boolean (f != NULL));
    if (f) {
      guint32 flags, mask;

      add (&b, "link-layer-protocol", g_variant_new_string (mx_data_format_llp_to_string (f->llp)));
      add (&b, "ul-protocol", g_variant_new_string (mx_data_format_dap_to_string (f->ul_dap)));
      add (&b, "dl-protocol", g_variant_new_string (mx_data_format_dap_to_string (f->dl_dap)));
      add (&b, "dl-max-datagrams", g_variant_new_uint32 (f->dl_max_datagrams));
      add (&b, "dl-max-size", g_variant_new_uint32 (f->dl_max_size));
      add (&b, "ul-max-datagrams", g_variant_new_uint32 (f->ul_max_datagrams));
      add (&b, "ul-max-size", g_variant_new_uint32 (f->ul_max_size));
      add (&b, "multiplexed", g_variant_new_boolean (mx_data_format_is_qmap (f)));
      mx_data_port_get_rmnet_flags (dp, &flags, &mask);
      add (&b, "rmnet-flags", g_variant_new_uint32 (flags));
    }
    add (&b, "sessions", g_variant_new_uint32 (mx_data_port_get_n_sessions (dp)));
    add (&b, "max-links", g_variant_new_uint32 (mx_data_port_get_max_links (dp)));
    g_variant_builder_add_value (&all, g_variant_builder_end (&b));
  }
  return g_variant_builder_end (&all);
}

GVariant *
mx_bearer_ext_build_links (GPtrArray *bearers)
{
  GVariantBuilder all;

  g_variant_builder_init (&all, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; bearers && i < bearers->len; i++) {
    MxBearer *bearer = g_ptr_array_index (bearers, i);
    GVariantBuilder b;
    guint32 flags, mask;

    if (!bearer->link || !bearer->path)
      continue;
    g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
    add (&b, "name", g_variant_new_string (bearer->link->ifname));
    add (&b, "ifindex", g_variant_new_uint32 (bearer->link->ifindex));
    add (&b, "port", g_variant_new_string (mx_data_port_get_name (bearer->port)));
    add (&b, "mux-id", g_variant_new_uint32 ((guint32) MAX (bearer->link->mux_id, 0)));
    mx_data_port_get_rmnet_flags (bearer->port, &flags, &mask);
    add (&b, "flags", g_variant_new_uint32 (flags));
    add (&b, "mtu", g_variant_new_uint32 (bearer->link->mtu));
    add (&b, "bearer", g_variant_new_object_path (bearer->path));
    g_variant_builder_add_value (&all, g_variant_builder_end (&b));
  }
  return g_variant_builder_end (&all);
}

MxBearerExt *
mx_bearer_ext_new (GDBusConnection *connection, const gchar *path)
{
  MxBearerExt *ext = g_new0 (MxBearerExt, 1);
  g_autoptr(GError) error = NULL;

  ext->skeleton = mx_gdbus_data_ports1_skeleton_new ();
  mx_gdbus_data_ports1_set_data_ports (ext->skeleton, mx_bearer_ext_build_data_ports (NULL));
  mx_gdbus_data_ports1_set_links (ext->skeleton, mx_bearer_ext_build_links (NULL));
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (ext->skeleton), connection,
                                         path, &error))
    g_warning ("cannot export org.modemux.DataPorts1 at %s: %s", path, error->message);
  return ext;
}

void
mx_bearer_ext_update (MxBearerExt *ext, GPtrArray *data_ports, GPtrArray *bearers)
{
  mx_gdbus_data_ports1_set_data_ports (ext->skeleton, mx_bearer_ext_build_data_ports (data_ports));
  mx_gdbus_data_ports1_set_links (ext->skeleton, mx_bearer_ext_build_links (bearers));
}

void
mx_bearer_ext_free (MxBearerExt *ext)
{
  if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (ext->skeleton)))
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (ext->skeleton));
  g_object_unref (ext->skeleton);
  g_free (ext);
}
