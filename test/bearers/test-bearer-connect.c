/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bearers end to end on the host, driven by the real mmcli.
 *
 * The modem and bearer components run in this process exactly as modemuxd
 * runs them (MxManager owning org.freedesktop.ModemManager1 on a private
 * bus, MxModem on a control port opened through qmi-proxy, the bearer
 * service with the real netlink link manager); the simulator is the fake
 * qmi-proxy and owns the data port, a TUN named mhi_hwip0 standing in for
 * mhi_net. meson runs the binary under `unshare -n`: the proxy socket and
 * the TUN are private to it. The host kernel has no rmnet, which is what
 * these tests are about: multiplex=requested (the mhi_net default) connects
 * without multiplexing, multiplex=required fails naming CONFIG_RMNET.
 *
 * Environment: MODEMUX_SIM, MODEMUX_SIM_SCENARIOS.
 */
#include <stdio.h>
#include <string.h>

#include "mx-bearer-service.h"
#include "mx-discovery-device.h"
#include "mx-link-manager.h"
#include "mx-modem.h"
#include "mx-plugins.h"
#include "mx-test-util.h"

#define DATA_PORT "mhi_hwip0"

typedef struct {
  MxTestBench      bench;   /* simulator, private bus, MxManager */
  MxNetlink       *netlink;
  MxLinkMap       *map;
  MxLinkManager   *links;
  MxBearerService *bearers;
  MxDevice        *mxdevice;
  MxModem         *modem;
} Fixture;

static gchar *
sim_ctl (Fixture *f, const gchar *command, const gchar *arg)
{
  return mx_test_bench_sim_ctl (&f->bench, command, arg);
}

static gchar *ip_link (const gchar *ifname);

static guint
n_sim_sessions (Fixture *f)
{
  g_autofree gchar *out = sim_ctl (f, "sessions", NULL);
  guint n = 0;

  for (const gchar *p = out; (p = strstr (p, "session ")); p++)
    n++;
  return n;
}

static void
assert_contains (const gchar *haystack, const gchar *needle)
{
  if (!haystack || !strstr (haystack, needle))
    g_error ("expected '%s' in:\n%s", needle, haystack ? haystack : "(null)");
}

/* ---- fixture ---- */

static void
map_loaded (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mx_link_map_load_finish (MX_LINK_MAP (source), res, &error));
  *(gboolean *) user_data = TRUE;
}

/* An MHI modem as discovery describes it: QMI control port plus mhi_hwip0
 * (here a TUN announced with driver=mhi_net, as a kernel event would). */
static void
create_modem (Fixture *f)
{
  g_autoptr(GHashTable) extra = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(MxKernelDevice) kdev = NULL;
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_port_unref);
  g_autoptr(GError) error = NULL;
  MxPort *data;
  MxModemPort mports[] = {
    { (gchar *) "wwan0qmi0", MM_MODEM_PORT_TYPE_QMI },
    { (gchar *) DATA_PORT, MM_MODEM_PORT_TYPE_NET },
  };
  gchar *drivers[] = { (gchar *) "mhi-pci-generic", (gchar *) "mhi_net", NULL };
  MxModemConfig config = {
    .uid = (gchar *) "test-modem",
    .plugin = (gchar *) "mhi",
    .drivers = drivers,
    .ports = mports,
    .n_ports = G_N_ELEMENTS (mports),
    .control_port = (gchar *) "wwan0qmi0",
    .control_path = f->bench.device,
  };

  g_hash_table_insert (extra, (gpointer) "uid", (gpointer) "test-modem");
  g_hash_table_insert (extra, (gpointer) "driver", (gpointer) "mhi_net");
  kdev = mx_kernel_device_new_from_sysfs (NULL, "net", DATA_PORT, extra, &error);
  g_assert_no_error (error);
  data = mx_port_new (kdev, MX_PORT_TYPE_NET, MX_PORT_ROLE_DATA);
  data->control_port = g_strdup ("wwan0qmi0");
  /* What the mhi plugin gives an mhi_net port (multiplex requested, ...). */
  g_assert_true (mx_plugins_data_profile ("mhi_net", -1, &data->profile));
  g_ptr_array_add (ports, data);
  f->mxdevice = mx_device_new ("test-modem");
  mx_device_update (f->mxdevice, NULL, ports);
  config.data_ports = ports;

  f->modem = mx_modem_new (f->bench.manager, &config);
  error = mx_test_modem_initialize (f->modem);
  g_assert_no_error (error);
  /* What the service does for the registry's modems. */
  mx_bearer_service_adopt_modem (f->bearers, f->modem);
}

static void
fixture_setup (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GError) error = NULL;
  gboolean loaded = FALSE;

  mx_test_bench_init (&f->bench, "bearer");
  mx_test_bench_start_sim (&f->bench, "MX_BEARER_SCENARIOS", scenario, "--data-tun", DATA_PORT, NULL);
  if (g_getenv ("MX_VM")) {
    /* A real mhi_net port has MTU 16384 (room for 32 KiB aggregates is the
     * modem's business); the simulator's TUN starts at 1500. */
    const gchar *argv[] = { "/sbin/ip", "link", "set", "dev", DATA_PORT, "mtu", "16384", NULL };
    g_autoptr(MxTestRun) r = mx_test_run_argv (argv);

    g_assert_cmpint (r->status, ==, 0);
  }

  mx_test_bench_start_manager (&f->bench);

  f->netlink = mx_netlink_new (&error);
  g_assert_no_error (error);
  f->map = mx_link_map_new (f->netlink, NULL);
  mx_link_map_load_async (f->map, NULL, map_loaded, &loaded);
  MX_TEST_RUN_UNTIL (loaded, "the link map");
  f->links = mx_link_manager_new (f->map, f->netlink);
  f->bearers = mx_bearer_service_new (f->links, f->netlink, FALSE);
  /* Stats every second for the stats tests; the benchmark keeps the
   * daemon's interval (30 s): 64 bearers read every second were more than
   * half of the QMI requests while 64 bearers connected. */
  if (!g_getenv ("MX_BEARER_BENCH"))
    mx_bearer_service_set_stats_interval (f->bearers, 1);
  mx_bearer_service_start (f->bearers, NULL);
  create_modem (f);
}

static void
shutdown_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  mx_bearer_service_shutdown_finish (MX_BEARER_SERVICE (source), res);
  *(gboolean *) user_data = TRUE;
}

static void
fixture_teardown (Fixture *f, gconstpointer scenario)
{
  gboolean down = FALSE;

  mx_bearer_service_shutdown (f->bearers, 5, shutdown_done, &down);
  MX_TEST_RUN_UNTIL (down, "bearer shutdown");
  mx_modem_remove (f->modem);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* The service holds its modems weakly (the registry tells it when one
   * goes, and there is no registry here): it goes first. */
  g_clear_object (&f->bearers);
  g_clear_object (&f->modem);
  g_clear_object (&f->links);
  g_clear_object (&f->map);
  g_clear_object (&f->netlink);
  g_clear_object (&f->mxdevice);
  mx_test_bench_clear (&f->bench);
}

/* ---- tests ---- */

static void
test_requested_connects_without_rmnet (Fixture *f, gconstpointer scenario)
{
  g_autoptr(MxTestRun) connect = NULL;
  g_autoptr(MxTestRun) disconnect = NULL;
  g_autoptr(GHashTable) bearer = NULL;
  g_autoptr(GHashTable) after = NULL;

  /* No multiplex key: the mhi_net default (requested) applies. */
  connect = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet", NULL);
  g_assert_cmpint (connect->status, ==, 0);
  bearer = mx_test_mmcli_kv ("-b", "0", NULL);
  mx_test_assert_kv (bearer, "bearer.status.connected", "yes");
  mx_test_assert_kv (bearer, "bearer.status.interface", DATA_PORT);
  mx_test_assert_kv (bearer, "bearer.status.multiplexed", "no");
  mx_test_assert_kv (bearer, "bearer.ipv4-config.method", "static");
  mx_test_assert_kv (bearer, "bearer.ipv4-config.prefix", "24");
  mx_test_assert_kv (bearer, "bearer.ipv4-config.mtu", "1500");
  assert_contains (g_hash_table_lookup (bearer, "bearer.ipv4-config.address"), "10.64.0.");
  assert_contains (g_hash_table_lookup (bearer, "bearer.ipv4-config.dns.value[1]"), "10.64.255.1");
  g_assert_cmpuint (n_sim_sessions (f), ==, 1);

  disconnect = mx_test_mmcli ("-m", "0", "--simple-disconnect", NULL);
  g_assert_cmpint (disconnect->status, ==, 0);
  after = mx_test_mmcli_kv ("-b", "0", NULL);
  mx_test_assert_kv (after, "bearer.status.connected", "no");
  g_assert_cmpuint (n_sim_sessions (f), ==, 0);
}

static void
test_required_fails_naming_config_rmnet (Fixture *f, gconstpointer scenario)
{
  g_autoptr(MxTestRun) connect = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet,multiplex=required", NULL);

  g_assert_cmpint (connect->status, !=, 0);
  /* The step that decided, then why. */
  assert_contains (connect->err, "multiplex decision failed: Multiplexing required but not supported");
  assert_contains (connect->err, "CONFIG_RMNET");
  g_assert_cmpuint (n_sim_sessions (f), ==, 0);
}

static void
test_create_connect_disconnect_delete (Fixture *f, gconstpointer scenario)
{
  g_autoptr(MxTestRun) create = mx_test_mmcli ("-m", "0", "--create-bearer=apn=internet,multiplex=none", NULL);
  g_autoptr(MxTestRun) refused = NULL;
  g_autoptr(MxTestRun) enable = NULL;
  g_autoptr(MxTestRun) connect = NULL;
  g_autoptr(MxTestRun) disconnect = NULL;
  g_autoptr(MxTestRun) del = NULL;
  g_autoptr(GHashTable) modem = NULL;
  g_autoptr(GHashTable) bearer = NULL;

  g_assert_cmpint (create->status, ==, 0);
  /* Bearer.Connect does not enable the modem (Simple.Connect does). */
  refused = mx_test_mmcli ("-b", "0", "--connect", NULL);
  g_assert_cmpint (refused->status, !=, 0);
  assert_contains (refused->err, "modem state check failed: Cannot connect: the modem is not enabled");
  enable = mx_test_mmcli ("-m", "0", "-e", NULL);
  g_assert_cmpint (enable->status, ==, 0);
  connect = mx_test_mmcli ("-b", "0", "--connect", NULL);
  g_assert_cmpint (connect->status, ==, 0);
  bearer = mx_test_mmcli_kv ("-b", "0", NULL);
  mx_test_assert_kv (bearer, "bearer.status.connected", "yes");
  mx_test_assert_kv (bearer, "bearer.properties.apn", "internet");
  mx_test_assert_kv (bearer, "bearer.status.multiplexed", "no");   /* mmcli 1.20 does not print the multiplex property */
  disconnect = mx_test_mmcli ("-b", "0", "--disconnect", NULL);
  g_assert_cmpint (disconnect->status, ==, 0);
  g_assert_cmpuint (n_sim_sessions (f), ==, 0);
  del = mx_test_mmcli ("-m", "0", "--delete-bearer=0", NULL);
  g_assert_cmpint (del->status, ==, 0);
  modem = mx_test_mmcli_kv ("-m", "0", NULL);
  mx_test_assert_kv (modem, "modem.generic.bearers", "--");
}

/* How many cancellables chain to the modem's (g_cancellable_connect with
 * g_cancellable_cancel, as a connect does). */
static guint
modem_cancellable_followers (Fixture *f)
{
  GCancellable *c = mx_modem_peek_cancellable (f->modem);
  GSignalMatchType match = G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_FUNC;
  guint sig = g_signal_lookup ("cancelled", G_TYPE_CANCELLABLE);
  guint n = g_signal_handlers_block_matched (c, match, sig, 0, NULL, g_cancellable_cancel, NULL);

  g_signal_handlers_unblock_matched (c, match, sig, 0, NULL, g_cancellable_cancel, NULL);
  return n;
}

/* Connects follow the modem's long-lived cancellable only while they run:
 * a handler left behind per connect would grow without bound. */
static void
test_connects_leave_no_handler_on_the_modem (Fixture *f, gconstpointer scenario)
{
  guint before = modem_cancellable_followers (f);

  for (guint i = 0; i < 3; i++) {
    g_autoptr(MxTestRun) connect = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet,multiplex=none", NULL);
    g_autoptr(MxTestRun) disconnect = NULL;

    g_assert_cmpint (connect->status, ==, 0);
    g_assert_cmpuint (modem_cancellable_followers (f), ==, before);
    disconnect = mx_test_mmcli ("-m", "0", "--simple-disconnect", NULL);
    g_assert_cmpint (disconnect->status, ==, 0);
  }
  g_assert_cmpuint (modem_cancellable_followers (f), ==, before);
}

static void
test_network_disconnect_is_noticed (Fixture *f, gconstpointer scenario)
{
  g_autoptr(MxTestRun) connect = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet", NULL);
  g_autofree gchar *out = NULL;
  g_autoptr(GHashTable) bearer = NULL;

  g_assert_cmpint (connect->status, ==, 0);
  out = sim_ctl (f, "disconnect", "all");
  /* The indication reaches us through the main loop. */
  for (guint i = 0; i < 100; i++) {
    g_autoptr(GHashTable) kv = mx_test_mmcli_kv ("-b", "0", NULL);
    if (g_strcmp0 (g_hash_table_lookup (kv, "bearer.status.connected"), "no") == 0) {
      bearer = g_steal_pointer (&kv);
      break;
    }
  }
  g_assert_nonnull (bearer);
  g_assert_cmpuint (n_sim_sessions (f), ==, 0);
  if (g_getenv ("MX_VM")) {
    const gchar *argv[] = { "/sbin/ip", "-d", "link", "show", "type", "rmnet", NULL };
    g_autoptr(MxTestRun) links = NULL;

    /* The indication is handled before mmcli sees Connected=no; the link
     * deletion follows on the same main loop: let it run. */
    for (guint i = 0; i < 50; i++) {
      g_clear_pointer (&links, mx_test_run_free);
      links = mx_test_run_argv (argv);
      if (!strstr (links->out, "rmnet mux_id"))
        break;
    }
    g_assert_null (strstr (links->out, "rmnet mux_id"));
  }
}

/* ---- VM tier: a kernel with rmnet ---- */

/* One ICMP echo from @src through @link to the simulator's network; TRUE
 * when the reply came back through the link. */
static gboolean
ping_through (const gchar *link, const gchar *src, const gchar *dst)
{
  static const gchar *script =
    "import select, socket, struct, sys\n"
    "link, src, dst = sys.argv[1:4]\n"
    "def csum(b):\n"
    "    b += b'\\0' * (len(b) % 2)\n"
    "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))\n"
    "    while s >> 16: s = (s & 0xffff) + (s >> 16)\n"
    "    return ~s & 0xffff\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n"
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, link.encode())\n"
    "s.bind((src, 0))\n"
    "b = struct.pack('!BBHHH', 8, 0, 0, 0x4d58, 1) + b'modemux-bearer'\n"
    "b = b[:2] + struct.pack('!H', csum(b)) + b[4:]\n"
    "s.sendto(b, (dst, 0))\n"
    "while True:\n"
    "    r, _, _ = select.select([s], [], [], 5)\n"
    "    if not r: sys.exit('no echo reply on ' + link)\n"
    "    p = s.recv(2048)\n"
    "    ihl = (p[0] & 15) * 4\n"
    "    if p[ihl] == 0 and p[ihl + 4:ihl + 6] == b'\\x4d\\x58': break\n"
    "print('echo reply through', link)\n";
  const gchar *argv[] = { "/usr/bin/python3", "-c", script, link, src, dst, NULL };
  g_autoptr(MxTestRun) r = mx_test_run_argv (argv);

  return r->status == 0;
}

static guint64
sim_counter (Fixture *f, guint mux, const gchar *name)
{
  g_autofree gchar *m = g_strdup_printf ("%u", mux);
  g_autofree gchar *out = sim_ctl (f, "counters", m);
  g_autofree gchar *key = g_strdup_printf (" %s=", name);
  const gchar *p = strstr (out, key);

  return p ? g_ascii_strtoull (p + strlen (key), NULL, 10) : 0;
}

static gchar *
ip_link (const gchar *ifname)
{
  const gchar *argv[] = { "/sbin/ip", "-d", "link", "show", "dev", ifname, NULL };
  g_autoptr(MxTestRun) r = mx_test_run_argv (argv);

  return r->status == 0 ? g_steal_pointer (&r->out) : NULL;
}

static guint
mux_of (const gchar *ip_link_out)
{
  const gchar *p = ip_link_out ? strstr (ip_link_out, "rmnet mux_id ") : NULL;

  return p ? (guint) g_ascii_strtoull (p + strlen ("rmnet mux_id "), NULL, 10) : 0;
}

/* Connects with @props, returns the bearer's mmcli -K fields. */
static GHashTable *
connect_bearer (const gchar *props, const gchar *bearer_index)
{
  g_autofree gchar *arg = g_strdup_printf ("--simple-connect=%s", props);
  g_autoptr(MxTestRun) c = mx_test_mmcli ("-m", "0", arg, NULL);

  g_assert_cmpint (c->status, ==, 0);
  return mx_test_mmcli_kv ("-b", bearer_index, NULL);
}

static void
add_address (const gchar *addr, const gchar *iface)
{
  const gchar *argv[] = { "/sbin/ip", "addr", "add", addr, "dev", iface, NULL };
  g_autoptr(MxTestRun) r = mx_test_run_argv (argv);

  g_assert_cmpint (r->status, ==, 0);
}

static void
test_vm_multiplexed_connect (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) b = connect_bearer ("apn=internet", "0");
  const gchar *iface = g_hash_table_lookup (b, "bearer.status.interface");
  const gchar *addr = g_hash_table_lookup (b, "bearer.ipv4-config.address");
  g_autofree gchar *link = ip_link (iface);
  g_autofree gchar *sessions = sim_ctl (f, "sessions", NULL);
  g_autofree gchar *mux_kv = NULL;
  g_autofree gchar *gone = NULL;
  g_autoptr(MxTestRun) disconnect = NULL;
  g_autoptr(GHashTable) stats = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autofree gchar *tx = NULL;
  g_autofree gchar *rx = NULL;
  guint mux = mux_of (link);

  /* mhi_net defaults to multiplex=requested; the kernel has rmnet. */
  mx_test_assert_kv (b, "bearer.status.connected", "yes");
  mx_test_assert_kv (b, "bearer.status.multiplexed", "yes");
  g_assert_cmpstr (iface, !=, DATA_PORT);
  assert_contains (link, "rmnet mux_id");
  assert_contains (link, "mtu 1500");          /* the network's MTU */
  assert_contains (link, "UP");
  g_assert_cmpuint (mux, >=, 1);
  mux_kv = g_strdup_printf ("mux=%u ", mux);
  assert_contains (sessions, mux_kv);           /* what the modem saw in Bind Mux Data Port */
  mx_test_assert_kv (b, "bearer.ipv4-config.method", "static");
  mx_test_assert_kv (b, "bearer.ipv4-config.mtu", "1500");

  /* The data path: an echo through the link, counted under its mux id. */
  add_address (addr, iface);
  g_assert_true (ping_through (iface, addr, "198.51.100.1"));
  g_assert_cmpuint (sim_counter (f, mux, "ul_packets"), >=, 1);
  g_assert_cmpuint (sim_counter (f, mux, "dl_packets"), >=, 1);

  /* Bearer.Stats: the session's byte counts as the modem reports them
   * (WDS Get Packet Statistics; tx = uplink), re-read while connected
   * (every second here), kept after the disconnect and added to the totals. */
  tx = g_strdup_printf ("%" G_GUINT64_FORMAT, sim_counter (f, mux, "ul_bytes"));
  rx = g_strdup_printf ("%" G_GUINT64_FORMAT, sim_counter (f, mux, "dl_bytes"));
  g_assert_cmpstr (tx, !=, "0");
  for (guint i = 0; i < 100 && !stats; i++) {
    g_autoptr(GHashTable) kv = mx_test_mmcli_kv ("-b", "0", NULL);

    if (g_strcmp0 (g_hash_table_lookup (kv, "bearer.stats.bytes-tx"), tx) == 0)
      stats = g_steal_pointer (&kv);
  }
  g_assert_nonnull (stats);
  mx_test_assert_kv (stats, "bearer.stats.bytes-rx", rx);
  mx_test_assert_kv (stats, "bearer.stats.total-bytes-tx", tx);

  disconnect = mx_test_mmcli ("-m", "0", "--simple-disconnect", NULL);
  g_assert_cmpint (disconnect->status, ==, 0);
  gone = ip_link (iface);
  g_assert_null (gone);                         /* link deleted */
  g_assert_cmpuint (n_sim_sessions (f), ==, 0); /* session stopped */
  after = mx_test_mmcli_kv ("-b", "0", NULL);
  mx_test_assert_kv (after, "bearer.stats.bytes-tx", tx);
  mx_test_assert_kv (after, "bearer.stats.bytes-rx", rx);
  mx_test_assert_kv (after, "bearer.stats.total-bytes-tx", tx);
  mx_test_assert_kv (after, "bearer.stats.total-bytes-rx", rx);
  mx_test_assert_kv (after, "bearer.stats.attempts", "1");
}

static void
test_vm_eight_bearers (Fixture *f, gconstpointer scenario)
{
  gchar *ifaces[8] = { NULL };
  guint muxes[8] = { 0 };

  for (guint i = 0; i < 8; i++) {
    g_autofree gchar *props = g_strdup_printf ("apn=apn%u", i);
    g_autofree gchar *index = g_strdup_printf ("%u", i);
    g_autoptr(GHashTable) b = connect_bearer (props, index);
    g_autofree gchar *link = NULL;
    const gchar *addr = g_hash_table_lookup (b, "bearer.ipv4-config.address");

    mx_test_assert_kv (b, "bearer.status.multiplexed", "yes");
    ifaces[i] = g_strdup (g_hash_table_lookup (b, "bearer.status.interface"));
    link = ip_link (ifaces[i]);
    muxes[i] = mux_of (link);
    for (guint j = 0; j < i; j++)
      g_assert_cmpuint (muxes[j], !=, muxes[i]);
    add_address (addr, ifaces[i]);
    g_assert_true (ping_through (ifaces[i], addr, "198.51.100.1"));
  }
  g_assert_cmpuint (n_sim_sessions (f), ==, 8);
  /* Each link's traffic is counted under its own mux id only. */
  for (guint i = 0; i < 8; i++)
    g_assert_cmpuint (sim_counter (f, muxes[i], "ul_packets"), ==, 1);

  /* Disconnecting one leaves the others passing traffic. */
  {
    g_autoptr(MxTestRun) d = mx_test_mmcli ("-b", "3", "--disconnect", NULL);
    g_autofree gchar *gone = NULL;

    g_assert_cmpint (d->status, ==, 0);
    gone = ip_link (ifaces[3]);
    g_assert_null (gone);
    g_assert_cmpuint (n_sim_sessions (f), ==, 7);
  }
  {
    g_autoptr(GHashTable) b = mx_test_mmcli_kv ("-b", "5", NULL);

    g_assert_true (ping_through (ifaces[5], g_hash_table_lookup (b, "bearer.ipv4-config.address"),
                                 "198.51.100.1"));
    g_assert_cmpuint (sim_counter (f, muxes[5], "ul_packets"), ==, 2);
  }
  for (guint i = 0; i < 8; i++)
    g_free (ifaces[i]);
}

static void
test_vm_link_deleted_behind_our_back (Fixture *f, gconstpointer scenario)
{
  g_autoptr(GHashTable) b = connect_bearer ("apn=internet", "0");
  const gchar *iface = g_hash_table_lookup (b, "bearer.status.interface");
  const gchar *argv[] = { "/sbin/ip", "link", "del", "dev", iface, NULL };
  g_autoptr(MxTestRun) del = mx_test_run_argv (argv);
  g_autoptr(GHashTable) after = NULL;

  g_assert_cmpint (del->status, ==, 0);
  for (guint i = 0; i < 100 && !after; i++) {
    g_autoptr(GHashTable) kv = mx_test_mmcli_kv ("-b", "0", NULL);
    if (g_strcmp0 (g_hash_table_lookup (kv, "bearer.status.connected"), "no") == 0)
      after = g_steal_pointer (&kv);
  }
  g_assert_nonnull (after);
  assert_contains (g_hash_table_lookup (after, "bearer.status.connection-error.message"), "deleted");
  g_assert_cmpuint (n_sim_sessions (f), ==, 0);  /* the session was stopped on the modem */
}

static void
test_vm_foreign_link_survives (Fixture *f, gconstpointer scenario)
{
  const gchar *add[] = { "/sbin/ip", "link", "add", "link", DATA_PORT, "name", "foreign0",
                         "type", "rmnet", "mux_id", "1", NULL };
  g_autoptr(MxTestRun) r = mx_test_run_argv (add);
  g_autoptr(GHashTable) b = NULL;
  g_autofree gchar *link = NULL;
  g_autofree gchar *foreign = NULL;
  g_autoptr(MxTestRun) d = NULL;

  g_assert_cmpint (r->status, ==, 0);
  b = connect_bearer ("apn=internet", "0");
  link = ip_link (g_hash_table_lookup (b, "bearer.status.interface"));
  /* Mux id 1 is taken on the lower: ours must be another. */
  g_assert_cmpuint (mux_of (link), !=, 1);
  d = mx_test_mmcli ("-m", "0", "--simple-disconnect", NULL);
  g_assert_cmpint (d->status, ==, 0);
  foreign = ip_link ("foreign0");
  assert_contains (foreign, "rmnet mux_id 1");
}

static void
test_vm_failing_steps_leave_no_link (Fixture *f, gconstpointer scenario)
{
  static const gchar *steps[] = { "Bind Mux Data Port", "Start Network", "Get Current Settings" };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++) {
    g_autoptr(MxTestRun) c = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet", NULL);
    const gchar *argv[] = { "/sbin/ip", "-d", "link", "show", "type", "rmnet", NULL };
    g_autoptr(MxTestRun) links = NULL;

    g_assert_cmpint (c->status, !=, 0);
    assert_contains (c->err, steps[i]);
    links = mx_test_run_argv (argv);
    g_assert_null (strstr (links->out, "rmnet mux_id"));   /* no link left */
    g_assert_cmpuint (n_sim_sessions (f), ==, 0);
  }
  {
    g_autoptr(GHashTable) b = connect_bearer ("apn=internet", "0");
    mx_test_assert_kv (b, "bearer.status.multiplexed", "yes");
  }
}

static void
cleanup_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  guint *n = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (mx_bearer_service_cleanup_stale_links_finish (MX_BEARER_SERVICE (source), res, n, &error));
  g_assert_no_error (error);
  *n += 1000;   /* done marker */
}

static void
link_created (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  MxLink **out = user_data;

  *out = mx_link_manager_create_finish (MX_LINK_MANAGER (source), res, &error);
  g_assert_no_error (error);
}

/* What a restarted daemon does at start: links carrying our marker (left
 * by a killed instance: created by the link manager, then abandoned) are
 * removed, foreign ones stay. */
static void
test_vm_stale_links_removed_at_start (Fixture *f, gconstpointer scenario)
{
  const gchar *add_foreign[] = { "/sbin/ip", "link", "add", "link", DATA_PORT, "name", "foreign1",
                                 "type", "rmnet", "mux_id", "8", NULL };
  MxLinkRequest req = { .kind = MX_LINK_KIND_RMNET, .port = DATA_PORT, .mux_id = 7 };
  g_autoptr(MxTestRun) r = mx_test_run_argv (add_foreign);
  g_autofree gchar *foreign = NULL;
  g_autofree gchar *stale_name = NULL;
  MxLink *stale = NULL;
  guint n = 0;

  g_assert_cmpint (r->status, ==, 0);
  mx_link_manager_create_async (f->links, &req, NULL, link_created, &stale);
  MX_TEST_RUN_UNTIL (stale != NULL, "the abandoned link");
  stale_name = g_strdup (stale->ifname);
  mx_link_free (stale);
  MX_TEST_RUN_UNTIL (mx_link_map_lookup_name (f->map, "foreign1"), "the link map");

  mx_bearer_service_cleanup_stale_links (f->bearers, NULL, cleanup_done, &n);
  MX_TEST_RUN_UNTIL (n >= 1000, "stale link cleanup");
  g_assert_cmpuint (n - 1000, ==, 1);
  g_assert_null (ip_link (stale_name));
  foreign = ip_link ("foreign1");
  assert_contains (foreign, "rmnet mux_id 8");
}

/* Simple.Connect by a direct D-Bus call; returns its error (NULL on success)
 * with the D-Bus error name in *remote and the message stripped of it. */
static GError *
simple_connect_error (Fixture *f, const gchar *props_text, gchar **remote)
{
  g_autoptr(GVariant) props = g_variant_ref_sink (g_variant_new_parsed (props_text));
  g_autoptr(GVariant) reply = NULL;
  MxTestWait w = { NULL, FALSE };
  GError *error = NULL;

  g_dbus_connection_call (f->bench.connection, "org.freedesktop.ModemManager1",
                          mx_modem_get_path (f->modem), "org.freedesktop.ModemManager1.Modem.Simple",
                          "Connect", g_variant_new ("(@a{sv})", props), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, mx_test_wait_cb, &w);
  MX_TEST_RUN_UNTIL (w.done, "Simple.Connect reply");
  reply = g_dbus_connection_call_finish (f->bench.connection, w.result, &error);
  g_object_unref (w.result);
  if (error) {
    *remote = g_dbus_error_get_remote_error (error);
    g_dbus_error_strip_remote_error (error);
  }
  return error;
}

/* session-faults.conf: Bind Mux Data Port, Start Network, Get Current
 * Settings each fail once, in that order. Without multiplexing mhi_net
 * sends no Bind Mux Data Port (as ModemManager 1.20): its fault never sees
 * a request. Each connect fails with an error that names the connect step
 * and, inside it, the session's step; the domain and code of the modem's
 * answer are kept; nothing is left on the modem. */
static void
test_failing_steps_are_named (Fixture *f, gconstpointer scenario)
{
  static const gchar *prefixes[] = {
    "IPv4 session failed: Start Network failed: ",
    "IPv4 session failed: Get Current Settings failed: ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++) {
    g_autofree gchar *remote = NULL;
    g_autoptr(GError) error = simple_connect_error (f, "{'apn': <'internet'>}", &remote);

    g_assert_nonnull (error);
    if (!g_str_has_prefix (error->message, prefixes[i]))
      g_error ("expected '%s' at the start of: %s", prefixes[i], error->message);
    if (i == 1)   /* a QMI protocol error: Core.Failed, as before it was named */
      g_assert_cmpstr (remote, ==, "org.freedesktop.ModemManager1.Error.Core.Failed");
    g_assert_cmpuint (n_sim_sessions (f), ==, 0);
  }
  {
    g_autoptr(MxTestRun) c = mx_test_mmcli ("-m", "0", "--simple-connect=apn=internet", NULL);
    g_autofree gchar *faults = sim_ctl (f, "fault", "list");
    const gchar *bind = faults ? strstr (faults, "message=0x00a2") : NULL;
    g_autofree gchar *line = bind ? g_strndup (bind, strcspn (bind, "\n")) : NULL;

    g_assert_cmpint (c->status, ==, 0);
    assert_contains (line, " seen=0 ");   /* no Bind Mux Data Port was sent */
  }
}

/* ---- bench/bearers.sh (not a test): connect latency and scaling ---- */

typedef struct {
  guint   pending;
  GError *error;
} Batch;

static void
batch_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Batch *b = user_data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &error);

  if (error && !b->error)
    b->error = error;
  else if (error)
    g_error_free (error);
  b->pending--;
}

/* Simple.Connect on apn0..apn(n-1) all at once, then Simple.Disconnect;
 * returns the connect wall time in ms. */
static gdouble
connect_batch (Fixture *f, guint n, gdouble *disconnect_ms)
{
  Batch b = { 0 };
  gint64 t0 = g_get_monotonic_time (), t1;

  for (guint i = 0; i < n; i++) {
    g_autofree gchar *text = g_strdup_printf ("{'apn': <'apn%u'>}", i);
    GVariant *props = g_variant_new_parsed (text);

    b.pending++;
    g_dbus_connection_call (f->bench.connection, "org.freedesktop.ModemManager1", mx_modem_get_path (f->modem),
                            "org.freedesktop.ModemManager1.Modem.Simple", "Connect",
                            g_variant_new ("(@a{sv})", props), G_VARIANT_TYPE ("(o)"),
                            G_DBUS_CALL_FLAGS_NONE, 120000, NULL, batch_ready, &b);
  }
  MX_TEST_RUN_UNTIL (b.pending == 0, "connects");
  g_assert_no_error (b.error);
  t1 = g_get_monotonic_time ();
  g_assert_cmpuint (n_sim_sessions (f), ==, n);
  b.pending = 1;
  g_dbus_connection_call (f->bench.connection, "org.freedesktop.ModemManager1", mx_modem_get_path (f->modem),
                          "org.freedesktop.ModemManager1.Modem.Simple", "Disconnect",
                          g_variant_new ("(o)", "/"), NULL, G_DBUS_CALL_FLAGS_NONE, 120000, NULL,
                          batch_ready, &b);
  MX_TEST_RUN_UNTIL (b.pending == 0, "disconnect");
  g_assert_no_error (b.error);
  *disconnect_ms = (g_get_monotonic_time () - t1) / 1000.0;
  return (t1 - t0) / 1000.0;
}

static void
bench_scaling (Fixture *f, gconstpointer scenario)
{
  static const guint counts[] = { 1, 1, 8, 64 };
  gdouble disc;

  /* Enable first: connect latency below excludes enabling. */
  {
    g_autoptr(MxTestRun) e = mx_test_mmcli ("-m", "0", "-e", NULL);
    g_assert_cmpint (e->status, ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++) {
    gdouble ms = connect_batch (f, counts[i], &disc);

    /* The data format was negotiated when the modem registered; the first
     * connect sets the lower up (MTU) and makes the first link. */
    printf ("BENCH %-28s connect %8.1f ms (%6.1f ms/bearer)  disconnect %8.1f ms\n",
            i == 0 ? "1 bearer (first)" :
            counts[i] == 1 ? "1 bearer" : counts[i] == 8 ? "8 bearers concurrently" :
            "64 bearers concurrently", ms, ms / counts[i], disc);
    fflush (stdout);
  }
}

/* Direct D-Bus calls: what mmcli would refuse before sending. */
static void
call_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GError **error = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, error);

  if (!*error)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "call unexpectedly succeeded");
}

static void
assert_connect_refused (Fixture *f, const gchar *props_text, const gchar *message_part)
{
  g_autoptr(GVariant) props = g_variant_ref_sink (g_variant_new_parsed (props_text));
  GError *error = NULL;
  g_autofree gchar *remote = NULL;

  g_dbus_connection_call (f->bench.connection, "org.freedesktop.ModemManager1",
                          mx_modem_get_path (f->modem), "org.freedesktop.ModemManager1.Modem.Simple",
                          "Connect", g_variant_new ("(@a{sv})", props), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, call_ready, &error);
  MX_TEST_RUN_UNTIL (error != NULL, "Simple.Connect reply");
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, "org.freedesktop.ModemManager1.Error.Core.InvalidArgs");
  assert_contains (error->message, message_part);
  g_error_free (error);
}

static void
test_bad_properties_are_clear_errors (Fixture *f, gconstpointer scenario)
{
  assert_connect_refused (f, "{'apn': <'internet'>, 'ip-type': <@u 3>}", "ip-type");
  assert_connect_refused (f, "{'apn': <@u 7>}", "'apn' must be of type 's'");
  assert_connect_refused (f, "{'apn': <'internet'>, 'mux-id': <@u 7>}", "unknown or unsupported key 'mux-id'");
  g_assert_cmpuint (n_sim_sessions (f), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  mx_test_set_timeout (60);
  /* libqmi warns about the proxy's stand-in device file ("couldn't detect
   * transport type"): warnings are not fatal here, criticals are. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  if (g_getenv ("MX_BEARER_BENCH")) {
    g_test_add ("/bearer-bench/scaling", Fixture, "bench-64.conf",
                fixture_setup, bench_scaling, fixture_teardown);
  } else if (!g_getenv ("MX_VM")) {
    /* Host: no rmnet in the kernel. */
    g_test_add ("/bearer-connect/requested-connects-without-rmnet", Fixture, "default.conf",
                fixture_setup, test_requested_connects_without_rmnet, fixture_teardown);
    g_test_add ("/bearer-connect/required-fails-naming-config-rmnet", Fixture, "default.conf",
                fixture_setup, test_required_fails_naming_config_rmnet, fixture_teardown);
    g_test_add ("/bearer-connect/create-connect-disconnect-delete", Fixture, "default.conf",
                fixture_setup, test_create_connect_disconnect_delete, fixture_teardown);
    g_test_add ("/bearer-connect/connects-leave-no-handler-on-the-modem", Fixture, "default.conf",
                fixture_setup, test_connects_leave_no_handler_on_the_modem, fixture_teardown);
    g_test_add ("/bearer-connect/network-disconnect-is-noticed", Fixture, "default.conf",
                fixture_setup, test_network_disconnect_is_noticed, fixture_teardown);
    g_test_add ("/bearer-connect/bad-properties-are-clear-errors", Fixture, "default.conf",
                fixture_setup, test_bad_properties_are_clear_errors, fixture_teardown);
    g_test_add ("/bearer-connect/failing-steps-are-named", Fixture, "session-faults.conf",
                fixture_setup, test_failing_steps_are_named, fixture_teardown);
  } else {
    /* VM tier: rmnet, the simulator's TUN as mhi_hwip0 (test/vm/guest/bearers-mhi.sh). */
    g_test_add ("/bearer-vm/multiplexed-connect", Fixture, "default.conf",
                fixture_setup, test_vm_multiplexed_connect, fixture_teardown);
    g_test_add ("/bearer-vm/eight-bearers", Fixture, "eight-apns.conf",
                fixture_setup, test_vm_eight_bearers, fixture_teardown);
    g_test_add ("/bearer-vm/link-deleted-behind-our-back", Fixture, "default.conf",
                fixture_setup, test_vm_link_deleted_behind_our_back, fixture_teardown);
    g_test_add ("/bearer-vm/foreign-link-survives", Fixture, "default.conf",
                fixture_setup, test_vm_foreign_link_survives, fixture_teardown);
    g_test_add ("/bearer-vm/failing-steps-leave-no-link", Fixture, "session-faults.conf",
                fixture_setup, test_vm_failing_steps_leave_no_link, fixture_teardown);
    g_test_add ("/bearer-vm/network-disconnect-deletes-the-link", Fixture, "default.conf",
                fixture_setup, test_network_disconnect_is_noticed, fixture_teardown);
    g_test_add ("/bearer-vm/stale-links-removed-at-start", Fixture, "default.conf",
                fixture_setup, test_vm_stale_links_removed_at_start, fixture_teardown);
  }
  return g_test_run ();
}
