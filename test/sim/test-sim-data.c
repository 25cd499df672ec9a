/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's data path on real host netdevs (run in a private network
 * namespace: `unshare -n`). The modem engine is driven through its QMI
 * client API exactly as a transport would (WDA Set Data Format, WDS Bind
 * Mux Data Port, WDS Start Network); the test then plays the host's rmnet:
 * it writes QMAP frames on the other side of the data port and reads what
 * "the network" answers.
 *  - veth: the simulator serves v1 via AF_PACKET, the test uses v0.
 *  - TUN: the simulator owns simtun0; the test sends into it with an
 *    AF_PACKET socket (the kernel hands those to the TUN reader with
 *    protocol ETH_P_MAP) and sees the simulator's writes the same way.
 * The host kernel has no rmnet; the VM tier (test/vm/guest/sim-data.sh)
 * repeats this with real rmnet links.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <glib-unix.h>

#include "sim-modem.h"
#include "sim-data.h"
#include "sim-qmap.h"

#define WDA_SET_DATA_FORMAT 0x0020
#define WDS_START_NETWORK   0x0020
#define WDS_BIND_MUX        0x00A2
#define EP_PCIE             3

typedef struct {
  SimModem   *modem;
  QmiMessage *last;     /* last response delivered to our clients */
  guint16     tid;
  gint        sock;     /* the host side (AF_PACKET) */
  gint        ifindex;
  GPtrArray  *bursts;   /* GBytes received by the host side */
  gboolean    want_mux_frames; /* drop non-QMAP noise on the host side */
} Fixture;

static void
run (const gchar *cmdline)
{
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  gint status = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_spawn_command_line_sync (cmdline, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("'%s' failed: %s", cmdline, err);
}

/* ------------------------------------------------------------------------ */
/* An in-process QMI client of the engine                                   */

static void
client_send (SimClient *client, QmiMessage *message, gpointer user_data)
{
  Fixture *fx = user_data;

  /* Indications (Packet Service Status) may follow the response. */
  if (qmi_message_is_indication (message))
    return;
  if (fx->last)
    qmi_message_unref (fx->last);
  fx->last = qmi_message_ref (message);
}

static void
client_hangup (SimClient *client, gpointer user_data)
{
  g_assert_not_reached ();
}

static const SimClientOps client_ops = { client_send, client_hangup };

static void
tlv_u32 (QmiMessage *m, guint8 type, guint32 v)
{
  gsize init = 0;

  init = qmi_message_tlv_write_init (m, type, NULL);
  g_assert_cmpuint (init, >, 0);
  g_assert_true (qmi_message_tlv_write_guint32 (m, QMI_ENDIAN_LITTLE, v, NULL));
  g_assert_true (qmi_message_tlv_write_complete (m, init, NULL));
}

static void
tlv_u8 (QmiMessage *m, guint8 type, guint8 v)
{
  gsize init = 0;

  init = qmi_message_tlv_write_init (m, type, NULL);
  g_assert_cmpuint (init, >, 0);
  g_assert_true (qmi_message_tlv_write_guint8 (m, v, NULL));
  g_assert_true (qmi_message_tlv_write_complete (m, init, NULL));
}

static void
tlv_endpoint (QmiMessage *m, guint8 type)
{
  gsize init = 0;

  init = qmi_message_tlv_write_init (m, type, NULL);
  g_assert_cmpuint (init, >, 0);
  g_assert_true (qmi_message_tlv_write_guint32 (m, QMI_ENDIAN_LITTLE, EP_PCIE, NULL));
  g_assert_true (qmi_message_tlv_write_guint32 (m, QMI_ENDIAN_LITTLE, 4, NULL));
  g_assert_true (qmi_message_tlv_write_complete (m, init, NULL));
}

/* Sends @request and asserts a successful, immediate response. */
static QmiMessage *
transact (Fixture *fx, SimClient *client, QmiMessage *request)
{
  const guint8 *result;
  guint16 len = 0;

  g_clear_pointer (&fx->last, qmi_message_unref);
  sim_client_handle_request (client, request);
  qmi_message_unref (request);
  g_assert_nonnull (fx->last);
  result = qmi_message_get_raw_tlv (fx->last, 0x02, &len);
  g_assert_nonnull (result);
  g_assert_cmpuint (len, ==, 4);
  g_assert_cmpuint (result[0] | (result[1] << 8), ==, 0);
  return fx->last;
}

static void
set_data_format (Fixture *fx, guint32 dap, guint32 dl_max_datagrams)
{
  SimClient *wda = sim_client_new (fx->modem, QMI_SERVICE_WDA, 1, "test", &client_ops, fx);
  QmiMessage *req = qmi_message_new (QMI_SERVICE_WDA, 1, ++fx->tid, WDA_SET_DATA_FORMAT);

  tlv_u32 (req, 0x11, 2);                 /* raw-IP */
  tlv_u32 (req, 0x12, dap);
  tlv_u32 (req, 0x13, dap);
  tlv_u32 (req, 0x15, dl_max_datagrams);
  tlv_u32 (req, 0x16, 32768);
  tlv_endpoint (req, 0x17);
  transact (fx, wda, req);
  sim_client_free (wda);
  g_assert_cmpuint (sim_modem_get_data_format (fx->modem)->dl_dap, ==, dap);
}

/* A WDS client bound to @mux_id with a call on "internet"; the client is
 * kept (releasing it would end the call). */
static SimClient *
start_call (Fixture *fx, guint8 mux_id, guint8 family, SimSession **session)
{
  SimClient *wds = sim_client_new (fx->modem, QMI_SERVICE_WDS, mux_id + 10 * family, "test", &client_ops, fx);
  QmiMessage *req = qmi_message_new (QMI_SERVICE_WDS, sim_client_get_cid (wds), ++fx->tid, WDS_BIND_MUX);
  gsize init = 0;

  tlv_endpoint (req, 0x10);
  tlv_u8 (req, 0x11, mux_id);
  tlv_u32 (req, 0x13, 1);
  transact (fx, wds, req);

  req = qmi_message_new (QMI_SERVICE_WDS, sim_client_get_cid (wds), ++fx->tid, WDS_START_NETWORK);
  init = qmi_message_tlv_write_init (req, 0x14, NULL);
  g_assert_cmpuint (init, >, 0);
  g_assert_true (qmi_message_tlv_write_string (req, 0, "internet", -1, NULL));
  g_assert_true (qmi_message_tlv_write_complete (req, init, NULL));
  tlv_u8 (req, 0x19, family);
  transact (fx, wds, req);

  *session = sim_modem_find_session_by_mux (fx->modem, mux_id, family);
  g_assert_nonnull (*session);
  g_assert_cmpuint ((*session)->mux_id, ==, mux_id);
  return wds;
}

/* ------------------------------------------------------------------------ */
/* The host side                                                            */

static gint
open_host_socket (const gchar *ifname, gint *ifindex)
{
  struct sockaddr_ll addr = { 0 };
  gint fd = socket (AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons (ETH_P_ALL));

  g_assert_cmpint (fd, >=, 0);
  *ifindex = (gint) if_nametoindex (ifname);
  g_assert_cmpint (*ifindex, >, 0);
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons (ETH_P_ALL);
  addr.sll_ifindex = *ifindex;
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof (addr)), ==, 0);
  return fd;
}

static void
host_send (Fixture *fx, const GByteArray *burst)
{
  struct sockaddr_ll to = { 0 };

  to.sll_family = AF_PACKET;
  to.sll_protocol = htons (0x00F9); /* ETH_P_MAP, what rmnet marks its frames with */
  to.sll_ifindex = fx->ifindex;
  g_assert_cmpint (sendto (fx->sock, burst->data, burst->len, 0, (struct sockaddr *) &to, sizeof (to)),
                   ==, (gssize) burst->len);
}

static gboolean
host_readable (gint fd, GIOCondition cond, gpointer user_data)
{
  Fixture *fx = user_data;
  guint8 buf[65536];
  struct sockaddr_ll from;
  socklen_t from_len = sizeof (from);
  gssize n;

  while ((n = recvfrom (fd, buf, sizeof (buf), 0, (struct sockaddr *) &from, &from_len)) >= 0) {
    if (from.sll_pkttype == PACKET_OUTGOING)
      continue;
    g_ptr_array_add (fx->bursts, g_bytes_new (buf, (gsize) n));
    from_len = sizeof (from);
  }
  return G_SOURCE_CONTINUE;
}

static void
fail_timeout (gpointer user_data)
{
  g_error ("no answer from the simulated network within 10 s");
}

/* Runs the main loop until @n bursts arrived on the host side. */
static void
wait_bursts (Fixture *fx, guint n)
{
  guint watch = g_unix_fd_add (fx->sock, G_IO_IN, host_readable, fx);
  guint timeout = g_timeout_add_once (10000, fail_timeout, NULL);

  while (fx->bursts->len < n)
    g_main_context_iteration (NULL, TRUE);
  /* Anything extra that is already queued shows up too. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_source_remove (timeout);
  g_source_remove (watch);
}

/* ------------------------------------------------------------------------ */
/* Packets                                                                  */

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static GByteArray *
icmp_echo (const guint8 src[4], const guint8 dst[4], guint16 id, guint16 seq)
{
  GByteArray *p = g_byte_array_new ();
  guint8 *d;

  g_byte_array_set_size (p, 28 + 8);
  d = p->data;
  memset (d, 0, p->len);
  d[0] = 0x45;
  put16 (d + 2, (guint16) p->len);
  d[8] = 64;
  d[9] = 1;
  memcpy (d + 12, src, 4);
  memcpy (d + 16, dst, 4);
  put16 (d + 10, (guint16) ~sim_qmap_csum_fold (sim_qmap_csum_add (0, d, 20)));
  d[20] = 8;
  put16 (d + 24, id);
  put16 (d + 26, seq);
  memcpy (d + 28, "simdata!", 8);
  put16 (d + 22, (guint16) ~sim_qmap_csum_fold (sim_qmap_csum_add (0, d + 20, 16)));
  return p;
}

static GByteArray *
icmp6_echo (const guint8 src[16], const guint8 dst[16], guint16 seq)
{
  GByteArray *p = g_byte_array_new ();
  guint8 *d;
  guint8 tail[8] = { 0, 0, 0, 16, 0, 0, 0, 58 };
  guint32 sum;

  g_byte_array_set_size (p, 40 + 16);
  d = p->data;
  memset (d, 0, p->len);
  d[0] = 0x60;
  put16 (d + 4, 16);
  d[6] = 58;
  d[7] = 64;
  memcpy (d + 8, src, 16);
  memcpy (d + 24, dst, 16);
  d[40] = 128;
  put16 (d + 46, seq);
  memcpy (d + 48, "simdata6", 8);
  sum = sim_qmap_csum_add (0, d + 8, 32);
  sum = sim_qmap_csum_add (sum, tail, 8);
  sum = sim_qmap_csum_add (sum, d + 40, 16);
  put16 (d + 42, (guint16) ~sim_qmap_csum_fold (sum));
  return p;
}

typedef struct {
  guint   n;
  guint8  mux[16];
  GBytes *payload[16];
  gboolean csum_valid[16];
} Frames;

static void
collect (const SimQmapFrame *frame, gpointer user_data)
{
  Frames *f = user_data;

  g_assert_cmpuint (f->n, <, 16);
  f->mux[f->n] = frame->mux_id;
  f->payload[f->n] = g_bytes_new (frame->payload, frame->payload_len);
  f->csum_valid[f->n] = frame->has_csum_trailer ? frame->csum_valid : frame->csum_requested;
  f->n++;
}

static void
frames_clear (Frames *f)
{
  guint i;

  for (i = 0; i < f->n; i++)
    g_bytes_unref (f->payload[i]);
  f->n = 0;
}

static const guint8 internet4[4] = { 8, 8, 8, 8 };

/* ------------------------------------------------------------------------ */

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->modem = sim_modem_new (sim_scenario_new_default ());
  fx->bursts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  fx->sock = -1;
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_pointer (&fx->last, qmi_message_unref);
  if (fx->sock >= 0)
    close (fx->sock);
  g_ptr_array_unref (fx->bursts);
  sim_modem_free (fx->modem);
}

/* Two PDNs on mux 1 (IPv4) and mux 2 (IPv6) behind one veth, QMAPv5. */
static void
test_veth_demuxes_and_answers (Fixture *fx, gconstpointer data)
{
  g_autoptr(SimDataPort) port = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) burst = g_byte_array_new ();
  g_autoptr(GByteArray) ping = NULL;
  g_autoptr(GByteArray) ping6 = NULL;
  guint8 dst6[16] = { 0x20, 0x01, 0x48, 0x60, [15] = 0x88 };
  SimSession *s4, *s6;
  SimClient *c4, *c6;
  SimMuxCounters *m1, *m2;
  Frames f = { 0 };
  guint64 unknown_before;

  run ("ip link add v0 type veth peer name v1");
  run ("sysctl -qw net.ipv6.conf.v0.disable_ipv6=1");
  run ("ip link set v0 up");
  run ("ip link set v1 up");

  set_data_format (fx, 9 /* QMAPv5 */, 32);
  c4 = start_call (fx, 1, 4, &s4);
  c6 = start_call (fx, 2, 6, &s6);

  port = sim_data_port_new (fx->modem, SIM_DATA_PORT_VETH, "v1", &error);
  g_assert_no_error (error);
  fx->sock = open_host_socket ("v0", &fx->ifindex);

  /* One uplink burst: a ping on mux 1, a ping6 on mux 2, a stray frame
   * for mux 7 that no PDN is bound to. */
  ping = icmp_echo (s4->ipv4_address, internet4, 0x77, 1);
  ping6 = icmp6_echo (s6->ipv6_address, dst6, 5);
  sim_qmap_append_packet (burst, SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK, 1, ping->data, ping->len);
  sim_qmap_append_packet (burst, SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK, 2, ping6->data, ping6->len);
  sim_qmap_append_packet (burst, SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK, 7, ping->data, ping->len);
  unknown_before = *sim_modem_get_unknown_mux_drops (fx->modem);
  host_send (fx, burst);
  wait_bursts (fx, 1);

  /* Both answers come back in one aggregated downlink burst. */
  g_assert_cmpuint (fx->bursts->len, ==, 1);
  {
    gsize len;
    const guint8 *d = g_bytes_get_data (g_ptr_array_index (fx->bursts, 0), &len);

    g_assert_cmpuint (sim_qmap_deaggregate (SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_DOWNLINK,
                                            d, len, collect, &f, &error), ==, 2);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (f.mux[0], ==, 1);
  g_assert_true (f.csum_valid[0]);
  {
    gsize len;
    const guint8 *r = g_bytes_get_data (f.payload[0], &len);

    g_assert_cmpuint (len, ==, ping->len);
    g_assert_cmpmem (r + 12, 4, internet4, 4);
    g_assert_cmpmem (r + 16, 4, s4->ipv4_address, 4);
    g_assert_cmpuint (r[20], ==, 0);                   /* echo reply */
    g_assert_cmpmem (r + 28, 8, "simdata!", 8);
  }
  g_assert_cmpuint (f.mux[1], ==, 2);
  {
    gsize len;
    const guint8 *r = g_bytes_get_data (f.payload[1], &len);

    g_assert_cmpuint (len, ==, ping6->len);
    g_assert_cmpuint (r[40], ==, 129);                 /* ICMPv6 echo reply */
    g_assert_cmpmem (r + 24, 16, s6->ipv6_address, 16);
  }

  /* Counted per mux; the stray frame only as an unknown-mux drop. */
  m1 = sim_modem_get_mux_counters (fx->modem, 1);
  m2 = sim_modem_get_mux_counters (fx->modem, 2);
  g_assert_cmpuint (m1->ul_packets, ==, 1);
  g_assert_cmpuint (m1->ul_bytes, ==, ping->len);
  g_assert_cmpuint (m1->dl_packets, ==, 1);
  g_assert_cmpuint (m1->ul_dropped, ==, 0);
  g_assert_cmpuint (m2->ul_packets, ==, 1);
  g_assert_cmpuint (m2->dl_packets, ==, 1);
  g_assert_cmpuint (*sim_modem_get_unknown_mux_drops (fx->modem), ==, unknown_before + 1);
  g_assert_cmpuint (sim_data_port_get_stats (port)->bursts, ==, 1);
  frames_clear (&f);

  /* A packet from an address the network did not grant is dropped. */
  g_ptr_array_set_size (fx->bursts, 0);
  g_byte_array_set_size (burst, 0);
  {
    g_autoptr(GByteArray) spoofed = icmp_echo (internet4, internet4, 1, 1);

    sim_qmap_append_packet (burst, SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK, 1, spoofed->data, spoofed->len);
    sim_qmap_append_packet (burst, SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK, 1, ping->data, ping->len);
  }
  host_send (fx, burst);
  wait_bursts (fx, 1);
  g_assert_cmpuint (m1->ul_dropped, ==, 1);
  g_assert_cmpuint (m1->ul_packets, ==, 2);
  g_assert_cmpuint (m1->dl_packets, ==, 2);

  /* Flow control from the modem: a MAP command frame for mux 1. */
  g_ptr_array_set_size (fx->bursts, 0);
  g_assert_true (sim_data_port_send_map_command (port, 1, SIM_QMAP_CMD_FLOW_DISABLE, 99, &error));
  g_assert_no_error (error);
  wait_bursts (fx, 1);
  {
    gsize len;
    const guint8 *d = g_bytes_get_data (g_ptr_array_index (fx->bursts, 0), &len);
    SimQmapFrame cmd;
    gsize used = 0;

    g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_DOWNLINK, d, len, &cmd, &used, &error));
    g_assert_true (cmd.command);
    g_assert_cmpuint (cmd.mux_id, ==, 1);
    g_assert_cmpuint (cmd.cmd_name, ==, SIM_QMAP_CMD_FLOW_DISABLE);
    g_assert_cmpuint (cmd.cmd_type, ==, SIM_QMAP_CMD_TYPE_REQUEST);
    g_assert_cmpuint (cmd.cmd_transaction_id, ==, 99);
  }

  sim_client_free (c6);
  sim_client_free (c4);
  g_clear_pointer (&port, sim_data_port_free);
  run ("ip link del v0");
}

/* QMAPv4 on a TUN with packet info, DL aggregation capped at 2 datagrams. */
static void
test_tun_aggregates_up_to_dl_max_datagrams (Fixture *fx, gconstpointer data)
{
  g_autoptr(SimDataPort) port = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) burst = g_byte_array_new ();
  SimSession *s4;
  SimClient *c4;
  Frames f = { 0 };
  guint i, total = 0;

  set_data_format (fx, 8 /* QMAPv4 */, 2);
  c4 = start_call (fx, 3, 4, &s4);

  port = sim_data_port_new (fx->modem, SIM_DATA_PORT_TUN, "simtun0", &error);
  g_assert_no_error (error);
  run ("ip link set simtun0 up");
  fx->sock = open_host_socket ("simtun0", &fx->ifindex);

  for (i = 0; i < 5; i++) {
    g_autoptr(GByteArray) ping = icmp_echo (s4->ipv4_address, internet4, 0x42, (guint16) i);

    sim_qmap_append_packet (burst, SIM_QMAP_VERSION_4, SIM_QMAP_DIRECTION_UPLINK, 3, ping->data, ping->len);
  }
  host_send (fx, burst);
  wait_bursts (fx, 3);

  /* 5 replies, at most 2 per burst: 2 + 2 + 1, each with a valid trailer. */
  g_assert_cmpuint (fx->bursts->len, ==, 3);
  for (i = 0; i < fx->bursts->len; i++) {
    gsize len;
    const guint8 *d = g_bytes_get_data (g_ptr_array_index (fx->bursts, i), &len);
    guint n = sim_qmap_deaggregate (SIM_QMAP_VERSION_4, SIM_QMAP_DIRECTION_DOWNLINK, d, len, collect, &f, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, i < 2 ? 2 : 1);
    total += n;
  }
  g_assert_cmpuint (total, ==, 5);
  for (i = 0; i < f.n; i++) {
    const guint8 *r = g_bytes_get_data (f.payload[i], NULL);

    g_assert_cmpuint (f.mux[i], ==, 3);
    g_assert_true (f.csum_valid[i]);
    g_assert_cmpuint ((r[26] << 8) | r[27], ==, i);  /* in order */
  }
  g_assert_cmpuint (sim_modem_get_mux_counters (fx->modem, 3)->dl_packets, ==, 5);
  frames_clear (&f);

  sim_client_free (c4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sim/data/veth-demuxes-and-answers", Fixture, NULL,
              fixture_setup, test_veth_demuxes_and_answers, fixture_teardown);
  g_test_add ("/sim/data/tun-aggregates-up-to-dl-max-datagrams", Fixture, NULL,
              fixture_setup, test_tun_aggregates_up_to_dl_max_datagrams, fixture_teardown);
  return g_test_run ();
}
