/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxctl links / link-add / link-del / link-del-all / monitor: the link
 * manager driven directly (no daemon), for debugging without a modem.
 * `links` shows modemuxd's view instead when the daemon runs (ctl-daemon.c). */
#define G_LOG_DOMAIN "mx-ctl"
#include <stdio.h>
#include <string.h>
#include <linux/if.h>
#include "ctl.h"
#include "ctl-daemon.h"
#include "mx-link-error.h"
#include "mx-link-manager.h"
#include "mx-link-owner.h"

typedef struct {
  MxNetlink     *netlink;
  MxLinkMap     *map;
  MxLinkManager *manager;
} Session;

static void
session_clear (Session *s)
{
  g_clear_object (&s->manager);
  g_clear_object (&s->map);
  g_clear_object (&s->netlink);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

static gboolean
session_open (Session *s, const char *cmd)
{
  g_autoptr(GError) error = NULL;
  MxCtlAsync async = { 0 };
  const char *sysfs_root = g_getenv ("MX_SYSFS_ROOT"); /* tests: fixture trees */

  s->netlink = mx_netlink_new (&error);
  if (!s->netlink) {
    fprintf (stderr, "modemuxctl %s: %s\n", cmd, error->message);
    return FALSE;
  }
  s->map = mx_link_map_new (s->netlink, sysfs_root);
  mx_link_map_load_async (s->map, NULL, mx_ctl_async_done, &async);
  mx_ctl_wait (&async);
  if (!mx_link_map_load_finish (s->map, async.result, &error)) {
    g_clear_object (&async.result);
    fprintf (stderr, "modemuxctl %s: cannot read the link map: %s\n", cmd, error->message);
    return FALSE;
  }
  g_clear_object (&async.result);
  s->manager = mx_link_manager_new (s->map, s->netlink);
  return TRUE;
}

static const char *
port_of (const MxLink *l)
{
  return l->lower_name ? l->lower_name : l->parent_dev_name;
}

/* Interface flags as iproute2 prints them (print_link_flags(): NO-CARRIER
 * first, then this order, IFF_RUNNING folded into NO-CARRIER). */
static void
ifi_flags_to_json (GString *out, guint32 flags)
{
  static const struct { guint32 bit; const char *name; } names[] = {
    { IFF_LOOPBACK, "LOOPBACK" }, { IFF_BROADCAST, "BROADCAST" },
    { IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_MULTICAST, "MULTICAST" }, { IFF_NOARP, "NOARP" },
    { IFF_ALLMULTI, "ALLMULTI" }, { IFF_PROMISC, "PROMISC" }, { IFF_NOTRAILERS, "NOTRAILERS" },
    { IFF_DEBUG, "DEBUG" }, { IFF_DYNAMIC, "DYNAMIC" }, { IFF_AUTOMEDIA, "AUTOMEDIA" },
    { IFF_PORTSEL, "PORTSEL" }, { IFF_MASTER, "MASTER" }, { IFF_SLAVE, "SLAVE" },
    { IFF_UP, "UP" }, { IFF_LOWER_UP, "LOWER_UP" }, { IFF_DORMANT, "DORMANT" }, { IFF_ECHO, "ECHO" },
  };
  gboolean first = TRUE;
  guint i;

  g_string_append_c (out, '[');
  if ((flags & IFF_UP) && !(flags & IFF_RUNNING)) {
    g_string_append (out, "\"NO-CARRIER\"");
    first = FALSE;
  }
  for (i = 0; i < G_N_ELEMENTS (names); i++) {
    if (flags & names[i].bit) {
      g_string_append_printf (out, "%s\"%s\"", first ? "" : ",", names[i].name);
      first = FALSE;
    }
  }
  g_string_append_c (out, ']');
}

/* One link as JSON; field names follow `ip -d -j link` where they exist
 * (ifindex, ifname, flags, mtu, operstate, link, ifalias), so the two
 * compare; mux_id is ip's linkinfo.info_data.mux_id. */
static void
link_to_json (GString *out, const MxLink *l)
{
  g_autofree gchar *flags = l->has_rmnet_flags ? mx_link_rmnet_flags_to_string (l->rmnet_flags) : NULL;
  g_auto(GStrv) words = flags ? g_strsplit (flags, ",", -1) : NULL;
  guint i;

  g_string_append_printf (out, "{\"ifindex\":%u,\"ifname\":", l->ifindex);
  mx_ctl_json_string (out, l->ifname);
  mx_ctl_json_member_string (out, "kind", l->kind);
  mx_ctl_json_member_string (out, "link", port_of (l));
  g_string_append_printf (out, ",\"link_index\":%u", l->lower_ifindex);
  mx_ctl_json_member_int (out, "mux_id", l->mux_id);
  g_string_append (out, ",\"flags\":");
  ifi_flags_to_json (out, l->ifi_flags);
  if (words) {
    g_string_append_printf (out, ",\"rmnet_flags\":%u,\"rmnet_flag_names\":[", l->rmnet_flags);
    for (i = 0; words[i]; i++) {
      if (i)
        g_string_append_c (out, ',');
      mx_ctl_json_string (out, *words[i] ? words[i] : NULL);
    }
    g_string_append_c (out, ']');
  }
  g_string_append_printf (out, ",\"mtu\":%u", l->mtu);
  mx_ctl_json_member_string (out, "operstate", mx_link_operstate_to_string (l->operstate));
  g_string_append_printf (out, ",\"up\":%s", mx_link_is_up (l) ? "true" : "false");
  mx_ctl_json_member_string (out, "ifalias", l->ifalias);
  g_string_append_printf (out, ",\"owned\":%s}", mx_link_owner_is_ours (l, NULL) ? "true" : "false");
}

static void
print_links_human (GPtrArray *links)
{
  const char *last_port = NULL;
  guint i;

  if (links->len == 0) {
    printf ("no links\n");
    return;
  }
  for (i = 0; i < links->len; i++) {
    const MxLink *l = g_ptr_array_index (links, i);
    g_autofree gchar *flags = l->has_rmnet_flags ? mx_link_rmnet_flags_to_string (l->rmnet_flags)
                                                 : g_strdup ("-");
    if (g_strcmp0 (last_port, port_of (l)) != 0) {
      last_port = port_of (l);
      printf ("%s%s (ifindex %u)\n", i ? "\n" : "", last_port ? last_port : "?", l->lower_ifindex);
      printf ("  %-16s %-7s %7s %-5s %6s %-8s %s\n", "LINK", "KIND", "IFINDEX", "MUX", "MTU",
              "STATE", "OWNER / FLAGS");
    }
    printf ("  %-16s %-7s %7u %-5d %6u %-8s %s / %s\n", l->ifname, l->kind ? l->kind : "?",
            l->ifindex, l->mux_id, l->mtu, mx_link_operstate_to_string (l->operstate),
            mx_link_owner_is_ours (l, NULL) ? "modemux" : "foreign", *flags ? flags : "-");
  }
}

MX_CTL_MAIN (links)
{
  g_auto(Session) s = { 0 };
  g_autoptr(GPtrArray) links = NULL;
  gboolean json = FALSE, kernel = FALSE, daemon = FALSE, session = FALSE;
  const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json,
      "JSON output (kernel view: array of links; daemon view: {\"source\":\"daemon\",\"modems\":[...]})", NULL },
    { "kernel", 'k', 0, G_OPTION_ARG_NONE, &kernel, "Only the kernel's view (netlink + sysfs), even when modemuxd runs", NULL },
    { "daemon", 'd', 0, G_OPTION_ARG_NONE, &daemon, "Only modemuxd's view; fail when it is not running", NULL },
    { "test-session", 0, 0, G_OPTION_ARG_NONE, &session, "Ask modemuxd on the session bus (tests)", NULL },
    { NULL }
  };
  const char *port;

  if (!mx_ctl_parse_options (&argc, &argv, "[PORT]",
                             "Show each modem's data ports and links as modemuxd sees them (negotiated "
                             "data format, mux ids, bearers) when modemuxd runs on the system bus, "
                             "otherwise the kernel's physical port -> link map.", entries))
    return 2;
  if (kernel && daemon) {
    fprintf (stderr, "modemuxctl links: --kernel and --daemon exclude each other\n");
    return 2;
  }
  port = argc > 1 ? argv[1] : NULL;
  if (!kernel) {
    g_autofree gchar *reason = NULL;

    if (mx_ctl_links_from_daemon (session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, port, json,
                                  daemon, &reason) == MX_CTL_DAEMON_SHOWN)
      return 0;
    if (daemon) {
      fprintf (stderr, "modemuxctl links: %s\n", reason);
      return 1;
    }
    /* One line, and only for people: JSON consumers tell the views apart
     * by shape (array = kernel, object = daemon). */
    if (!json)
      fprintf (stderr, "modemuxctl links: %s; showing the kernel's view\n", reason);
  }
  if (!session_open (&s, "links"))
    return 1;
  links = mx_link_map_get_links (s.map, port);
  if (json) {
    g_autoptr(GString) out = g_string_new ("[");
    guint i;
    for (i = 0; i < links->len; i++) {
      if (i)
        g_string_append_c (out, ',');
      link_to_json (out, g_ptr_array_index (links, i));
    }
    g_string_append (out, "]\n");
    fputs (out->str, stdout);
  } else {
    print_links_human (links);
  }
  return 0;
}

static gboolean
parse_kind (const char *s, MxLinkKind *kind)
{
  if (!s || g_str_equal (s, "rmnet"))
    *kind = MX_LINK_KIND_RMNET;
  else if (g_str_equal (s, "wwan"))
    *kind = MX_LINK_KIND_WWAN;
  else if (g_str_equal (s, "qmimux"))
    *kind = MX_LINK_KIND_QMIMUX;
  else if (g_str_equal (s, "vlan"))
    *kind = MX_LINK_KIND_VLAN;
  else
    return FALSE;
  return TRUE;
}

MX_CTL_MAIN (link_add)
{
  g_auto(Session) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MxLink) link = NULL;
  g_autofree gchar *name = NULL, *flags = NULL, *kind = NULL, *template_ = NULL;
  gint mux_id = 0, mtu = 0, count = 0; /* 0: no --count */
  gint64 start;
  gboolean json = FALSE, down = FALSE;
  const GOptionEntry entries[] = {
    { "mux-id", 'm', 0, G_OPTION_ARG_INT, &mux_id, "Mux id 1..254 (rmnet, qmimux), MBIM session id 1..255 (wwan, vlan); default: allocated", "N" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Interface name (default: from the template)", "NAME" },
    { "template", 't', 0, G_OPTION_ARG_STRING, &template_, "Name template ({port}, {mux}, {muxhex})", "TMPL" },
    { "flags", 'f', 0, G_OPTION_ARG_STRING, &flags,
      "rmnet flags: comma-separated ingress-deaggregation, ingress-commands, ingress-mapv4-checksum, "
      "egress-mapv4-checksum, ingress-mapv5-checksum, egress-mapv5-checksum (default: none sent)", "LIST" },
    { "mtu", 0, 0, G_OPTION_ARG_INT, &mtu, "Set this MTU after creation", "N" },
    { "down", 0, 0, G_OPTION_ARG_NONE, &down, "Leave the link down", NULL },
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &kind, "rmnet (default), wwan (PORT = wwan device), qmimux, vlan (MBIM session on cdc_mbim)", "KIND" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print the new link as JSON", NULL },
    { "count", 'c', 0, G_OPTION_ARG_INT, &count,
      "Create N links one after the other (allocated mux ids, template names) and print the "
      "time taken (benchmarks)", "N" },
    { NULL }
  };
  MxLinkRequest req = { 0 };
  gint i;
  MxCtlAsync async = { 0 };
  guint32 flag_bits = 0;

  if (!mx_ctl_parse_options (&argc, &argv, "PORT", "Create a multiplexed data link on PORT.", entries))
    return 2;
  if (argc != 2) {
    fprintf (stderr, "modemuxctl link-add: exactly one PORT expected\n");
    return 2;
  }
  if (!parse_kind (kind, &req.kind)) {
    fprintf (stderr, "modemuxctl link-add: unknown kind '%s' (rmnet, wwan, qmimux, vlan)\n", kind);
    return 2;
  }
  if (mux_id < 0 || mtu < 0 || count < 0) {
    fprintf (stderr, "modemuxctl link-add: --mux-id, --mtu and --count must be positive\n");
    return 2;
  }
  if (count > 0 && (mux_id || name)) {
    fprintf (stderr, "modemuxctl link-add: --count allocates mux ids and names; drop --mux-id/--name\n");
    return 2;
  }
  if (flags && !mx_link_rmnet_flags_parse (flags, &flag_bits, &error)) {
    fprintf (stderr, "modemuxctl link-add: %s\n", error->message);
    return 2;
  }
  if (!session_open (&s, "link-add"))
    return 1;
  if (template_)
    mx_link_manager_set_name_template (s.manager, template_);
  req.port = argv[1];
  req.mux_id = (guint) mux_id;
  req.name = name;
  req.flags = flag_bits;
  /* With --flags we own every flag bit (the port's format is replaced). */
  req.flags_mask = flags ? MX_RMNET_FLAGS_ALL : 0;
  req.mtu = (guint32) mtu;
  req.up = !down;
  start = g_get_monotonic_time ();
  for (i = 0; i < MAX (count, 1); i++) {
    g_clear_pointer (&link, mx_link_free);
    async.done = FALSE;
    mx_link_manager_create_async (s.manager, &req, NULL, mx_ctl_async_done, &async);
    mx_ctl_wait (&async);
    link = mx_link_manager_create_finish (s.manager, async.result, &error);
    g_clear_object (&async.result);
    if (!link) {
      fprintf (stderr, "modemuxctl link-add: %s\n", error->message);
      if (count > 0)
        fprintf (stderr, "modemuxctl link-add: %d of %d links were created\n", i, count);
      return 1;
    }
  }
  if (count > 0) {
    gint64 us = g_get_monotonic_time () - start;
    printf ("created %d links on %s in %.1f ms (%.3f ms per link)\n", count, req.port,
            us / 1000.0, us / 1000.0 / count);
    return 0;
  }
  if (json) {
    g_autoptr(GString) out = g_string_new (NULL);
    link_to_json (out, link);
    printf ("%s\n", out->str);
  } else {
    printf ("%s (ifindex %u, mux id %d on %s)\n", link->ifname, link->ifindex, link->mux_id,
            port_of (link));
  }
  return 0;
}

MX_CTL_MAIN (link_del)
{
  g_auto(Session) s = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Also delete a link modemux did not create", NULL },
    { NULL }
  };
  MxCtlAsync async = { 0 };
  gboolean ok;

  if (!mx_ctl_parse_options (&argc, &argv, "LINK", "Delete one link.", entries))
    return 2;
  if (argc != 2) {
    fprintf (stderr, "modemuxctl link-del: exactly one LINK expected\n");
    return 2;
  }
  if (!session_open (&s, "link-del"))
    return 1;
  mx_link_manager_delete_async (s.manager, argv[1], force, NULL, mx_ctl_async_done, &async);
  mx_ctl_wait (&async);
  ok = mx_link_manager_delete_finish (s.manager, async.result, &error);
  g_clear_object (&async.result);
  if (!ok) {
    fprintf (stderr, "modemuxctl link-del: %s\n", error->message);
    return 1;
  }
  return 0;
}

MX_CTL_MAIN (link_del_all)
{
  g_auto(Session) s = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, "Also delete links modemux did not create", NULL },
    { NULL }
  };
  MxCtlAsync async = { 0 };
  guint n = 0;
  gboolean ok;
  gint64 start, us;

  if (!mx_ctl_parse_options (&argc, &argv, "PORT", "Delete the links on PORT.", entries))
    return 2;
  if (argc != 2) {
    fprintf (stderr, "modemuxctl link-del-all: exactly one PORT expected\n");
    return 2;
  }
  if (!session_open (&s, "link-del-all"))
    return 1;
  start = g_get_monotonic_time ();
  mx_link_manager_delete_all_async (s.manager, argv[1], force, NULL, mx_ctl_async_done, &async);
  mx_ctl_wait (&async);
  ok = mx_link_manager_delete_all_finish (s.manager, async.result, &n, &error);
  g_clear_object (&async.result);
  us = g_get_monotonic_time () - start;
  printf ("deleted %u link(s) on %s in %.1f ms\n", n, argv[1], us / 1000.0);
  if (!ok) {
    fprintf (stderr, "modemuxctl link-del-all: %s\n", error->message);
    return 1;
  }
  return 0;
}

typedef struct {
  gboolean json;
  gint     remaining; /* < 0: forever */
  gboolean done;
} Monitor;

static void
monitor_event (Monitor *m, const char *event, const MxLink *l, const char *port)
{
  if (m->json) {
    g_autoptr(GString) out = g_string_new ("{\"event\":");
    mx_ctl_json_string (out, event);
    if (l) {
      g_string_append (out, ",\"link\":");
      link_to_json (out, l);
    } else {
      mx_ctl_json_member_string (out, "port", port);
    }
    g_string_append_c (out, '}');
    printf ("%s\n", out->str);
  } else if (l) {
    printf ("%s %s (ifindex %u, mux id %d on %s, mtu %u, %s)\n", event, l->ifname, l->ifindex,
            l->mux_id, port_of (l), l->mtu, mx_link_operstate_to_string (l->operstate));
  } else {
    printf ("%s %s\n", event, port);
  }
  fflush (stdout);
  if (m->remaining > 0 && --m->remaining == 0)
    m->done = TRUE;
}

static void on_added (MxLinkMap *map, const MxLink *l, Monitor *m) { monitor_event (m, "link-added", l, NULL); }
static void on_removed (MxLinkMap *map, const MxLink *l, Monitor *m) { monitor_event (m, "link-removed", l, NULL); }
static void on_changed (MxLinkMap *map, const MxLink *l, Monitor *m) { monitor_event (m, "changed", l, NULL); }
static void
on_lower_removed (MxLinkMap *map, const char *port, guint ifindex, Monitor *m)
{
  monitor_event (m, "lower-removed", NULL, port);
}
/* The link manager's view: our own links (ownership marker) lost behind our back. */
static void on_link_lost (MxLinkManager *lm, const MxLink *l, Monitor *m) { monitor_event (m, "link-lost", l, NULL); }
static void on_port_lost (MxLinkManager *lm, const char *port, Monitor *m) { monitor_event (m, "port-lost", NULL, port); }

MX_CTL_MAIN (monitor)
{
  g_auto(Session) s = { 0 };
  Monitor m = { FALSE, -1, FALSE };
  gint count = 0;
  const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &m.json, "One JSON object per line", NULL },
    { "count", 'c', 0, G_OPTION_ARG_INT, &count, "Exit after N events", "N" },
    { NULL }
  };

  if (!mx_ctl_parse_options (&argc, &argv, "", "Print link map changes as they happen.", entries))
    return 2;
  if (!session_open (&s, "monitor"))
    return 1;
  m.remaining = count > 0 ? count : -1;
  g_signal_connect (s.map, "link-added", G_CALLBACK (on_added), &m);
  g_signal_connect (s.map, "link-removed", G_CALLBACK (on_removed), &m);
  g_signal_connect (s.map, "changed", G_CALLBACK (on_changed), &m);
  g_signal_connect (s.map, "lower-removed", G_CALLBACK (on_lower_removed), &m);
  g_signal_connect (s.manager, "link-lost", G_CALLBACK (on_link_lost), &m);
  g_signal_connect (s.manager, "port-lost", G_CALLBACK (on_port_lost), &m);
  /* Readiness marker for scripts: events after this line are live. */
  if (!m.json)
    printf ("monitoring\n");
  else
    printf ("{\"event\":\"monitoring\"}\n");
  fflush (stdout);
  mx_ctl_iterate_until (&m.done);
  g_signal_handlers_disconnect_by_data (s.map, &m);
  g_signal_handlers_disconnect_by_data (s.manager, &m);
  return 0;
}
