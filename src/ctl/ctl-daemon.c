/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxctl links, daemon view: what modemuxd exports on each modem object
 * with org.modemux.DataPorts1 (data ports, negotiated data format, links of
 * bearers). The interface sits directly on the modem path, not in the
 * ObjectManager, so modems are listed with GetManagedObjects and each one is
 * asked with Properties.GetAll. Nothing is auto-started: asking must not
 * launch a ModemManager through D-Bus activation. */
#define G_LOG_DOMAIN "mx-ctl"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "ctl-daemon.h"
#include "mx-link.h"

#define MM_NAME       "org.freedesktop.ModemManager1"
#define MM_PATH       "/org/freedesktop/ModemManager1"
#define MM_MODEM_IFACE MM_NAME ".Modem"
#define MX_EXT_IFACE  "org.modemux.DataPorts1"

typedef struct {
  gchar    *path;
  GVariant *data_ports; /* aa{sv}, NULL: the modem lacks the interface */
  GVariant *links;      /* aa{sv} */
} Modem;

static void
modem_free (Modem *m)
{
  g_free (m->path);
  g_clear_pointer (&m->data_ports, g_variant_unref);
  g_clear_pointer (&m->links, g_variant_unref);
  g_free (m);
}

/* One D-Bus call, waited for on the main context like every ctl request. */
static GVariant *
call (GDBusConnection *bus, const char *dest, const char *path, const char *iface,
      const char *method, GVariant *params, const char *reply_type, GError **error)
{
  MxCtlAsync async = { 0 };
  GVariant *reply;

  g_dbus_connection_call (bus, dest, path, iface, method, params, G_VARIANT_TYPE (reply_type),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, mx_ctl_async_done, &async);
  mx_ctl_wait (&async);
  reply = g_dbus_connection_call_finish (bus, async.result, error);
  g_clear_object (&async.result);
  return reply;
}

static guint64
modem_index (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash ? g_ascii_strtoull (slash + 1, NULL, 10) : 0;
}

static gint
compare_modems (gconstpointer a, gconstpointer b)
{
  const Modem *ma = *(Modem **) a, *mb = *(Modem **) b;
  guint64 ia = modem_index (ma->path), ib = modem_index (mb->path);

  return ia < ib ? -1 : ia > ib ? 1 : g_strcmp0 (ma->path, mb->path);
}

static const char *
dict_string (GVariant *dict, const char *key)
{
  const char *s = NULL;

  if (!g_variant_lookup (dict, key, "&s", &s))
    g_variant_lookup (dict, key, "&o", &s);
  return s;
}

static guint32
dict_uint (GVariant *dict, const char *key)
{
  guint32 u = 0;

  g_variant_lookup (dict, key, "u", &u);
  return u;
}

static gboolean
dict_bool (GVariant *dict, const char *key)
{
  gboolean b = FALSE;

  g_variant_lookup (dict, key, "b", &b);
  return b;
}

/* Only entries of PORT when a port is given (links carry their port). */
static gboolean
wanted (GVariant *dict, const char *key, const char *port)
{
  return !port || g_strcmp0 (dict_string (dict, key), port) == 0;
}

/* JSON names: the link fields use the kernel view's names (those of
 * `ip -d -j link`: ifname, link, mux_id), so the two views compare; other
 * keys keep the D-Bus name with '-' -> '_'. */
static void
json_key (GString *out, const char *key, gboolean is_link)
{
  static const char *const link_names[][2] = {
    { "name", "ifname" }, { "port", "link" }, { "mux-id", "mux_id" }, { "flags", "rmnet_flags" },
  };
  g_autofree gchar *name = NULL;

  for (guint i = 0; is_link && i < G_N_ELEMENTS (link_names); i++) {
    if (g_str_equal (key, link_names[i][0])) {
      mx_ctl_json_string (out, link_names[i][1]);
      return;
    }
  }
  name = g_strdelimit (g_strdup (key), "-", '_');
  mx_ctl_json_string (out, name);
}

static void
json_value (GString *out, GVariant *v)
{
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (v) ? "true" : "false");
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_STRING) ||
           g_variant_is_of_type (v, G_VARIANT_TYPE_OBJECT_PATH))
    mx_ctl_json_string (out, g_variant_get_string (v, NULL));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    g_string_append_printf (out, "%u", g_variant_get_uint32 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    g_string_append_printf (out, "%d", g_variant_get_int32 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_variant_get_uint64 (v));
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (v));
  else {
    /* A type this version does not know: shown as GVariant text. */
    g_autofree gchar *text = g_variant_print (v, FALSE);
    mx_ctl_json_string (out, text);
  }
}

static void
json_flag_names (GString *out, guint32 flags)
{
  g_autofree gchar *names = mx_link_rmnet_flags_to_string (flags);
  g_auto(GStrv) words = g_strsplit (names, ",", -1);
  gboolean first = TRUE;

  g_string_append (out, ",\"rmnet_flag_names\":[");
  for (guint i = 0; words[i]; i++) {
    if (!*words[i])
      continue;
    g_string_append (out, first ? "" : ",");
    mx_ctl_json_string (out, words[i]);
    first = FALSE;
  }
  g_string_append_c (out, ']');
}

/* An aa{sv} as an array of objects, keys in the order the daemon sent. */
static void
json_dicts (GString *out, GVariant *dicts, const char *port_key, const char *port,
            gboolean is_link)
{
  GVariantIter iter;
  GVariant *dict;
  gboolean first = TRUE;

  if (!dicts) {
    g_string_append (out, "null");
    return;
  }
  g_string_append_c (out, '[');
  g_variant_iter_init (&iter, dicts);
  while ((dict = g_variant_iter_next_value (&iter))) {
    GVariantIter members;
    const char *key;
    GVariant *value;
    gboolean first_member = TRUE;
    const char *flags_key = is_link ? "flags" : "rmnet-flags";

    if (wanted (dict, port_key, port)) {
      g_string_append (out, first ? "{" : ",{");
      first = FALSE;
      g_variant_iter_init (&members, dict);
      while (g_variant_iter_next (&members, "{&sv}", &key, &value)) {
        if (!first_member)
          g_string_append_c (out, ',');
        first_member = FALSE;
        json_key (out, key, is_link);
        g_string_append_c (out, ':');
        json_value (out, value);
        g_variant_unref (value);
      }
      if (g_variant_lookup (dict, flags_key, "u", NULL))
        json_flag_names (out, dict_uint (dict, flags_key));
      g_string_append_c (out, '}');
    }
    g_variant_unref (dict);
  }
  g_string_append_c (out, ']');
}

static void
print_json (GPtrArray *modems, const char *port)
{
  g_autoptr(GString) out = g_string_new ("{\"source\":\"daemon\",\"modems\":[");

  for (guint i = 0; i < modems->len; i++) {
    Modem *m = g_ptr_array_index (modems, i);

    g_string_append (out, i ? ",{\"path\":" : "{\"path\":");
    mx_ctl_json_string (out, m->path);
    g_string_append (out, ",\"data_ports\":");
    json_dicts (out, m->data_ports, "name", port, FALSE);
    g_string_append (out, ",\"links\":");
    json_dicts (out, m->links, "port", port, TRUE);
    g_string_append_c (out, '}');
  }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
}

static gchar *
flags_text (guint32 flags)
{
  gchar *s = mx_link_rmnet_flags_to_string (flags);

  if (*s)
    return s;
  g_free (s);
  return g_strdup ("none");
}

static void
print_data_port_human (GVariant *dp)
{
  printf ("  %s: %s, endpoint %s %u", dict_string (dp, "name"),
          dict_string (dp, "driver") ? dict_string (dp, "driver") : "?",
          dict_string (dp, "endpoint-type") ? dict_string (dp, "endpoint-type") : "?",
          dict_uint (dp, "endpoint-interface"));
  printf (", %u session(s), up to %u links\n", dict_uint (dp, "sessions"), dict_uint (dp, "max-links"));
  if (!dict_bool (dp, "negotiated")) {
    printf ("    data format: not negotiated yet\n");
  } else {
    g_autofree gchar *flags = flags_text (dict_uint (dp, "rmnet-flags"));

    printf ("    data format: %s, UL %s, DL %s, %s\n", dict_string (dp, "link-layer-protocol"),
            dict_string (dp, "ul-protocol"), dict_string (dp, "dl-protocol"),
            dict_bool (dp, "multiplexed") ? "multiplexed" : "not multiplexed");
    printf ("    DL max %u datagrams / %u bytes, UL max %u datagrams / %u bytes, rmnet flags %s\n",
            dict_uint (dp, "dl-max-datagrams"), dict_uint (dp, "dl-max-size"),
            dict_uint (dp, "ul-max-datagrams"), dict_uint (dp, "ul-max-size"), flags);
  }
}

static void
print_links_human (GVariant *links, const char *port)
{
  GVariantIter iter;
  GVariant *l;
  gboolean any = FALSE;

  g_variant_iter_init (&iter, links);
  while ((l = g_variant_iter_next_value (&iter))) {
    if (g_strcmp0 (dict_string (l, "port"), port) == 0) {
      g_autofree gchar *flags = flags_text (dict_uint (l, "flags"));

      if (!any)
        printf ("    %-16s %7s %-5s %6s %s\n", "LINK", "IFINDEX", "MUX", "MTU", "BEARER / FLAGS");
      any = TRUE;
      printf ("    %-16s %7u %-5u %6u %s / %s\n", dict_string (l, "name"), dict_uint (l, "ifindex"),
              dict_uint (l, "mux-id"), dict_uint (l, "mtu"), dict_string (l, "bearer"), flags);
    }
    g_variant_unref (l);
  }
  if (!any)
    printf ("    no links\n");
}

static void
print_human (GPtrArray *modems, const char *port)
{
  guint shown = 0;

  for (guint i = 0; i < modems->len; i++) {
    Modem *m = g_ptr_array_index (modems, i);
    GVariantIter iter;
    GVariant *dp;
    gboolean header = FALSE;

    if (!m->data_ports || g_variant_n_children (m->data_ports) == 0) {
      if (!port)
        printf ("%sModem %" G_GUINT64_FORMAT " (%s): %s\n", shown++ ? "\n" : "",
                modem_index (m->path), m->path,
                m->data_ports ? "no data ports" : "no " MX_EXT_IFACE " on this modem");
      continue;
    }
    g_variant_iter_init (&iter, m->data_ports);
    while ((dp = g_variant_iter_next_value (&iter))) {
      if (wanted (dp, "name", port)) {
        if (!header)
          printf ("%sModem %" G_GUINT64_FORMAT " (%s)\n", shown++ ? "\n" : "",
                  modem_index (m->path), m->path);
        header = TRUE;
        print_data_port_human (dp);
        print_links_human (m->links, dict_string (dp, "name"));
      }
      g_variant_unref (dp);
    }
  }
  if (!shown && port)
    printf ("no data port %s\n", port);
  else if (!shown)
    printf ("no modems\n");
}

/* The modem objects the owner lists, each with its DataPorts1 properties. */
static GPtrArray *
list_modems (GDBusConnection *bus, GError **error)
{
  g_autoptr(GVariant) reply = NULL, objects = NULL;
  g_autoptr(GPtrArray) modems = g_ptr_array_new_with_free_func ((GDestroyNotify) modem_free);
  GVariantIter iter;
  const char *path;
  GVariant *ifaces;

  reply = call (bus, MM_NAME, MM_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                NULL, "(a{oa{sa{sv}}})", error);
  if (!reply)
    return NULL;
  objects = g_variant_get_child_value (reply, 0);
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
    if (g_variant_lookup (ifaces, MM_MODEM_IFACE, "@a{sv}", NULL)) {
      Modem *m = g_new0 (Modem, 1);
      g_autoptr(GVariant) props = NULL;
      g_autoptr(GError) local = NULL;

      m->path = g_strdup (path);
      props = call (bus, MM_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                    g_variant_new ("(s)", MX_EXT_IFACE), "(a{sv})", &local);
      if (props) {
        g_autoptr(GVariant) dict = g_variant_get_child_value (props, 0);

        m->data_ports = g_variant_lookup_value (dict, "DataPorts", G_VARIANT_TYPE ("aa{sv}"));
        m->links = g_variant_lookup_value (dict, "Links", G_VARIANT_TYPE ("aa{sv}"));
        if (!m->links && m->data_ports)
          m->links = g_variant_ref_sink (g_variant_new ("aa{sv}", NULL));
      } else {
        g_debug ("%s: no " MX_EXT_IFACE ": %s", path, local->message);
      }
      g_ptr_array_add (modems, m);
    }
    g_variant_unref (ifaces);
  }
  g_ptr_array_sort (modems, compare_modems);
  return g_steal_pointer (&modems);
}

MxCtlDaemonResult
mx_ctl_links_from_daemon (GBusType bus_type, const char *port, gboolean json, gboolean required,
                          gchar **reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GPtrArray) modems = NULL;
  const char *bus_name = bus_type == G_BUS_TYPE_SYSTEM ? "system" : "session";
  MxCtlAsync async = { 0 };
  gboolean has_owner = FALSE;
  guint with_ext = 0;

  g_bus_get (bus_type, NULL, mx_ctl_async_done, &async);
  mx_ctl_wait (&async);
  bus = g_bus_get_finish (async.result, &error);
  g_clear_object (&async.result);
  if (!bus) {
    *reason = g_strdup_printf ("cannot connect to the %s bus: %s", bus_name, error->message);
    return MX_CTL_DAEMON_UNAVAILABLE;
  }
  owner = call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "NameHasOwner", g_variant_new ("(s)", MM_NAME), "(b)", &error);
  if (owner)
    g_variant_get (owner, "(b)", &has_owner);
  if (!has_owner) {
    *reason = g_strdup_printf ("modemuxd is not running (" MM_NAME " has no owner on the %s bus%s%s)",
                               bus_name, error ? ": " : "", error ? error->message : "");
    return MX_CTL_DAEMON_UNAVAILABLE;
  }
  modems = list_modems (bus, &error);
  if (!modems) {
    *reason = g_strdup_printf ("the owner of " MM_NAME " on the %s bus did not list its modems: %s",
                               bus_name, error->message);
    return MX_CTL_DAEMON_UNAVAILABLE;
  }
  for (guint i = 0; i < modems->len; i++)
    with_ext += ((Modem *) g_ptr_array_index (modems, i))->data_ports != NULL;
  /* A daemon with modems but none exporting our interface is not modemuxd
   * (ModemManager itself): its view has nothing to show. */
  if (modems->len > 0 && with_ext == 0) {
    *reason = g_strdup_printf ("the owner of " MM_NAME " on the %s bus is not modemuxd "
                               "(no " MX_EXT_IFACE " on its modems)", bus_name);
    return MX_CTL_DAEMON_UNAVAILABLE;
  }
  /* Without modems, modemuxd cannot be told apart from ModemManager. */
  if (modems->len == 0 && !required) {
    *reason = g_strdup_printf ("the owner of " MM_NAME " on the %s bus has no modems", bus_name);
    return MX_CTL_DAEMON_UNAVAILABLE;
  }
  if (json)
    print_json (modems, port);
  else
    print_human (modems, port);
  return MX_CTL_DAEMON_SHOWN;
}
