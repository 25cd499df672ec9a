/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMAP codec and the echo "network" of the simulator's data path. */

#include <string.h>

#include "sim-qmap.h"
#include "sim-data-echo.h"

/* An IPv4 UDP datagram 10.0.0.2:5000 -> 10.0.0.1:7 with payload "hello",
 * valid header and UDP checksums filled in by build_udp4(). */
static GByteArray *
build_udp4 (const guint8 src[4], const guint8 dst[4], const gchar *payload)
{
  gsize plen = strlen (payload);
  gsize total = 20 + 8 + plen;
  GByteArray *p = g_byte_array_new ();
  guint8 *d;
  guint32 sum;
  guint8 pseudo[12];
  guint16 c;

  g_byte_array_set_size (p, total);
  d = p->data;
  memset (d, 0, total);
  d[0] = 0x45;
  d[2] = total >> 8;
  d[3] = total & 0xff;
  d[8] = 64;
  d[9] = 17;
  memcpy (d + 12, src, 4);
  memcpy (d + 16, dst, 4);
  c = ~sim_qmap_csum_fold (sim_qmap_csum_add (0, d, 20));
  d[10] = c >> 8;
  d[11] = c & 0xff;
  d[20] = 5000 >> 8;
  d[21] = 5000 & 0xff;
  d[23] = 7;
  d[24] = (8 + plen) >> 8;
  d[25] = (8 + plen) & 0xff;
  memcpy (d + 28, payload, plen);
  memcpy (pseudo, src, 4);
  memcpy (pseudo + 4, dst, 4);
  pseudo[8] = 0;
  pseudo[9] = 17;
  pseudo[10] = (8 + plen) >> 8;
  pseudo[11] = (8 + plen) & 0xff;
  sum = sim_qmap_csum_add (0, pseudo, 12);
  sum = sim_qmap_csum_add (sum, d + 20, 8 + plen);
  c = ~sim_qmap_csum_fold (sum);
  d[26] = c >> 8;
  d[27] = c & 0xff;
  return p;
}

static const guint8 host4[4] = { 10, 0, 0, 2 };
static const guint8 net4[4] = { 10, 0, 0, 1 };

static void
test_v1_uplink_frame_is_parsed (void)
{
  /* As rmnet transmits: no padding, length = packet length. */
  const guint8 frame[] = { 0x00, 0x03, 0x00, 0x05, 0x45, 1, 2, 3, 4, 0xaa };
  SimQmapFrame f;
  gsize used = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_UPLINK,
                                 frame, sizeof (frame), &f, &used, &error));
  g_assert_no_error (error);
  g_assert_false (f.command);
  g_assert_cmpuint (f.mux_id, ==, 3);
  g_assert_cmpuint (f.payload_len, ==, 5);
  g_assert_cmpuint (used, ==, 9);
  g_assert_true (f.payload == frame + 4);
}

static void
test_downlink_frames_are_padded_to_four_bytes (void)
{
  const guint8 packet[] = { 0x45, 1, 2, 3, 4, 5, 6 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  SimQmapFrame f;
  gsize used = 0;

  sim_qmap_append_packet (out, SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK, 9, packet, sizeof (packet));
  g_assert_cmpuint (out->len, ==, 12);
  g_assert_cmpuint (out->len, ==, sim_qmap_packet_frame_size (SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK, 7));
  g_assert_cmphex (out->data[0], ==, 0x01);   /* data, pad 1 */
  g_assert_cmpuint (out->data[1], ==, 9);
  g_assert_cmpuint ((out->data[2] << 8) | out->data[3], ==, 8); /* incl. padding */
  g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK,
                                 out->data, out->len, &f, &used, NULL));
  g_assert_cmpuint (f.payload_len, ==, sizeof (packet));
  g_assert_cmpmem (f.payload, f.payload_len, packet, sizeof (packet));
  g_assert_cmpuint (used, ==, out->len);
}

static void
test_v4_downlink_trailer_validates_like_rmnet (void)
{
  g_autoptr(GByteArray) udp = build_udp4 (net4, host4, "trailer");
  g_autoptr(GByteArray) out = g_byte_array_new ();
  SimQmapFrame f;
  gsize used = 0;
  guint8 pseudo[12];
  guint32 sum;

  sim_qmap_append_packet (out, SIM_QMAP_VERSION_4, SIM_QMAP_DIRECTION_DOWNLINK, 1, udp->data, udp->len);
  /* header + padded packet + 8-byte trailer; the MAP length excludes the trailer */
  g_assert_cmpuint (out->len, ==, 4 + 36 + 8);
  g_assert_cmpuint ((out->data[2] << 8) | out->data[3], ==, 36);
  g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_4, SIM_QMAP_DIRECTION_DOWNLINK,
                                 out->data, out->len, &f, &used, NULL));
  g_assert_cmpuint (used, ==, out->len);
  g_assert_true (f.has_csum_trailer);
  g_assert_true (f.csum_valid);
  g_assert_cmpuint (f.payload_len, ==, udp->len);

  /* rmnet: header contributes nothing, so trailer + pseudo header sum must
   * be all ones for a correct transport checksum. */
  memcpy (pseudo, net4, 4);
  memcpy (pseudo + 4, host4, 4);
  pseudo[8] = 0;
  pseudo[9] = 17;
  pseudo[10] = 0;
  pseudo[11] = udp->len - 20;
  sum = sim_qmap_csum_add (f.csum_value, pseudo, 12);
  g_assert_cmphex (sim_qmap_csum_fold (sum), ==, 0xffff);
}

static void
test_v4_uplink_header_is_skipped (void)
{
  /* MAP header (len 5 = packet only), UL checksum header requesting offload
   * at insert offset 6 for UDP, then the packet. */
  const guint8 frame[] = { 0x00, 0x02, 0x00, 0x05, 0x00, 0x14, 0xc0, 0x06, 0x45, 9, 9, 9, 9 };
  SimQmapFrame f;
  gsize used = 0;

  g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_4, SIM_QMAP_DIRECTION_UPLINK,
                                 frame, sizeof (frame), &f, &used, NULL));
  g_assert_cmpuint (used, ==, sizeof (frame));
  g_assert_true (f.has_csum_header);
  g_assert_true (f.csum_requested);
  g_assert_cmpuint (f.csum_start, ==, 20);
  g_assert_cmpuint (f.csum_insert, ==, 6);
  g_assert_cmpuint (f.payload_len, ==, 5);
  g_assert_cmphex (f.payload[0], ==, 0x45);
}

static void
test_v5_needs_checksum_next_header (void)
{
  const guint8 packet[] = { 0x45, 0, 0, 0 };
  const guint8 no_next[] = { 0x00, 0x01, 0x00, 0x04, 0x45, 0, 0, 0 };
  const guint8 coalescing[] = { 0x40, 0x01, 0x00, 0x04, 1 << 1, 0, 0, 0, 0x45, 0, 0, 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  SimQmapFrame f;
  gsize used = 0;

  sim_qmap_append_packet (out, SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_DOWNLINK, 4, packet, sizeof (packet));
  g_assert_cmpuint (out->len, ==, 12);
  g_assert_cmphex (out->data[0], ==, 0x40);       /* next header flag */
  g_assert_cmphex (out->data[4], ==, 2 << 1);     /* type checksum offload */
  g_assert_cmphex (out->data[5], ==, 0x80);       /* DL: checksum valid */
  g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_DOWNLINK,
                                 out->data, out->len, &f, &used, NULL));
  g_assert_cmpuint (f.payload_len, ==, 4);
  g_assert_cmpuint (used, ==, 12);

  g_assert_false (sim_qmap_parse (SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK,
                                  no_next, sizeof (no_next), &f, &used, &error));
  g_assert_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_NO_NEXT_HEADER);
  g_clear_error (&error);
  g_assert_false (sim_qmap_parse (SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK,
                                  coalescing, sizeof (coalescing), &f, &used, &error));
  g_assert_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_BAD_NEXT_HEADER);
}

static void
test_commands_round_trip (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  SimQmapFrame f;
  gsize used = 0;

  sim_qmap_append_command (out, 7, SIM_QMAP_CMD_FLOW_DISABLE, SIM_QMAP_CMD_TYPE_REQUEST,
                           0x01020304, NULL, 0);
  g_assert_cmphex (out->data[0], ==, 0x80);
  g_assert_true (sim_qmap_parse (SIM_QMAP_VERSION_5, SIM_QMAP_DIRECTION_UPLINK,
                                 out->data, out->len, &f, &used, NULL));
  g_assert_true (f.command);
  g_assert_cmpuint (f.mux_id, ==, 7);
  g_assert_cmpuint (f.cmd_name, ==, SIM_QMAP_CMD_FLOW_DISABLE);
  g_assert_cmpuint (f.cmd_type, ==, SIM_QMAP_CMD_TYPE_REQUEST);
  g_assert_cmphex (f.cmd_transaction_id, ==, 0x01020304);

  /* With MAPv4 in the downlink even commands carry the trailer. */
  g_assert_false (sim_qmap_parse (SIM_QMAP_VERSION_4, SIM_QMAP_DIRECTION_DOWNLINK,
                                  out->data, out->len, &f, &used, NULL));
}

typedef struct {
  guint  n;
  guint8 mux[8];
  gsize  len[8];
} Collected;

static void
collect (const SimQmapFrame *frame, gpointer user_data)
{
  Collected *c = user_data;

  c->mux[c->n] = frame->mux_id;
  c->len[c->n] = frame->payload_len;
  c->n++;
}

static void
test_deaggregation_splits_a_burst (void)
{
  const guint8 a[] = { 0x45, 1, 2, 3, 4 };
  const guint8 b[] = { 0x60, 1, 2, 3, 4, 5, 6, 7, 8 };
  g_autoptr(GByteArray) burst = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  Collected c = { 0 };
  guint n;

  sim_qmap_append_packet (burst, SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK, 1, a, sizeof (a));
  sim_qmap_append_packet (burst, SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK, 2, b, sizeof (b));
  sim_qmap_append_packet (burst, SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK, 1, b, sizeof (b));
  n = sim_qmap_deaggregate (SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK,
                            burst->data, burst->len, collect, &c, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (c.mux[0], ==, 1);
  g_assert_cmpuint (c.len[0], ==, 5);
  g_assert_cmpuint (c.mux[1], ==, 2);
  g_assert_cmpuint (c.len[1], ==, 9);
  g_assert_cmpuint (c.mux[2], ==, 1);

  /* A truncated last frame: the complete ones are still delivered. */
  memset (&c, 0, sizeof (c));
  n = sim_qmap_deaggregate (SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_DOWNLINK,
                            burst->data, burst->len - 3, collect, &c, &error);
  g_assert_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_TRUNCATED);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (c.n, ==, 2);
}

static void
test_empty_frame_is_rejected (void)
{
  const guint8 frame[] = { 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0 };
  SimQmapFrame f;
  gsize used;
  g_autoptr(GError) error = NULL;

  g_assert_false (sim_qmap_parse (SIM_QMAP_VERSION_1, SIM_QMAP_DIRECTION_UPLINK,
                                  frame, sizeof (frame), &f, &used, &error));
  g_assert_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_EMPTY);
}

typedef struct {
  guint n_bursts;
  guint frames[16];
  gsize sizes[16];
} Bursts;

static void
on_burst (const guint8 *burst, gsize len, guint n_frames, gpointer user_data)
{
  Bursts *b = user_data;

  b->frames[b->n_bursts] = n_frames;
  b->sizes[b->n_bursts] = len;
  b->n_bursts++;
}

static void
test_aggregation_respects_dl_limits (void)
{
  guint8 frame[100] = { 0 };
  Bursts b = { 0 };
  g_autoptr(SimQmapAggregator) agg = sim_qmap_aggregator_new (3, 250, on_burst, &b);
  guint i;

  /* max 3 datagrams: 7 frames of 100 bytes, but 250 bytes allow only 2. */
  for (i = 0; i < 7; i++)
    sim_qmap_aggregator_add (agg, frame, sizeof (frame));
  sim_qmap_aggregator_flush (agg);
  g_assert_cmpuint (b.n_bursts, ==, 4);
  g_assert_cmpuint (b.frames[0], ==, 2);
  g_assert_cmpuint (b.sizes[0], ==, 200);
  g_assert_cmpuint (b.frames[3], ==, 1);

  /* Datagram limit binds when the size does not. */
  memset (&b, 0, sizeof (b));
  sim_qmap_aggregator_set_limits (agg, 3, 32768);
  for (i = 0; i < 7; i++)
    sim_qmap_aggregator_add (agg, frame, sizeof (frame));
  sim_qmap_aggregator_flush (agg);
  g_assert_cmpuint (b.n_bursts, ==, 3);
  g_assert_cmpuint (b.frames[0], ==, 3);
  g_assert_cmpuint (b.frames[1], ==, 3);
  g_assert_cmpuint (b.frames[2], ==, 1);

  /* Flushing nothing emits nothing. */
  sim_qmap_aggregator_flush (agg);
  g_assert_cmpuint (b.n_bursts, ==, 3);
}

static gboolean
csum_ok (const guint8 *data, gsize len)
{
  return sim_qmap_csum_fold (sim_qmap_csum_add (0, data, len)) == 0xffff;
}

static void
test_network_answers_ping (void)
{
  const SimEchoAddresses session = { host4, NULL, 0 };
  guint8 ping[28] = { 0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0,
                      10, 0, 0, 2, 8, 8, 8, 8,
                      8, 0, 0, 0, 0x12, 0x34, 0, 1 };
  g_autoptr(GByteArray) reply = NULL;
  guint16 c = ~sim_qmap_csum_fold (sim_qmap_csum_add (0, ping, 20));

  ping[10] = c >> 8;
  ping[11] = c & 0xff;
  c = ~sim_qmap_csum_fold (sim_qmap_csum_add (0, ping + 20, 8));
  ping[22] = c >> 8;
  ping[23] = c & 0xff;

  g_assert_cmpint (sim_echo_answer (&session, ping, sizeof (ping), &reply), ==, SIM_ECHO_REPLIED);
  g_assert_cmpuint (reply->len, ==, 28);
  g_assert_cmpmem (reply->data + 12, 4, ((guint8[]) { 8, 8, 8, 8 }), 4);
  g_assert_cmpmem (reply->data + 16, 4, host4, 4);
  g_assert_cmpuint (reply->data[20], ==, 0);           /* echo reply */
  g_assert_cmpuint (reply->data[24], ==, 0x12);        /* same id */
  g_assert_true (csum_ok (reply->data, 20));
  g_assert_true (csum_ok (reply->data + 20, 8));
}

static void
test_network_echoes_udp (void)
{
  const SimEchoAddresses session = { host4, NULL, 0 };
  g_autoptr(GByteArray) udp = build_udp4 (host4, net4, "ping-me");
  g_autoptr(GByteArray) reply = NULL;
  g_autoptr(GByteArray) expected = NULL;

  g_assert_cmpint (sim_echo_answer (&session, udp->data, udp->len, &reply), ==, SIM_ECHO_REPLIED);
  /* The reply is what net4:7 would send back to host4:5000, byte for byte
   * (modulo ports, which build_udp4 swaps here by hand). */
  expected = build_udp4 (net4, host4, "ping-me");
  expected->data[20] = 0; expected->data[21] = 7;
  expected->data[22] = 5000 >> 8; expected->data[23] = 5000 & 0xff;
  g_assert_cmpmem (reply->data + 12, 8, expected->data + 12, 8);
  g_assert_cmpmem (reply->data + 20, 4, expected->data + 20, 4);
  g_assert_cmpmem (reply->data + 28, 7, "ping-me", 7);
  g_assert_true (csum_ok (reply->data, 20));
  {
    guint8 pseudo[12] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 15 };
    guint32 sum = sim_qmap_csum_add (0, pseudo, 12);

    sum = sim_qmap_csum_add (sum, reply->data + 20, 15);
    g_assert_cmphex (sim_qmap_csum_fold (sum), ==, 0xffff);
  }
}

static void
test_network_answers_ping6_in_prefix_only (void)
{
  guint8 prefix[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1 };
  const SimEchoAddresses session = { NULL, prefix, 64 };
  guint8 ping[48] = { 0x60, 0, 0, 0, 0, 8, 58, 64 };
  g_autoptr(GByteArray) reply = NULL;
  guint32 sum;
  guint8 tail[8] = { 0, 0, 0, 8, 0, 0, 0, 58 };

  memcpy (ping + 8, prefix, 8);
  ping[23] = 0x42;                  /* host's own interface id */
  ping[24] = 0x20; ping[25] = 0x01; ping[39] = 1;   /* 2001::1 */
  ping[40] = 128;
  ping[44] = 0xab;

  g_assert_cmpint (sim_echo_answer (&session, ping, sizeof (ping), &reply), ==, SIM_ECHO_REPLIED);
  g_assert_cmpuint (reply->data[40], ==, 129);
  g_assert_cmpmem (reply->data + 24, 16, ping + 8, 16);
  g_assert_cmpmem (reply->data + 8, 16, ping + 24, 16);
  sum = sim_qmap_csum_add (0, reply->data + 8, 32);
  sum = sim_qmap_csum_add (sum, tail, 8);
  sum = sim_qmap_csum_add (sum, reply->data + 40, 8);
  g_assert_cmphex (sim_qmap_csum_fold (sum), ==, 0xffff);
  g_clear_pointer (&reply, g_byte_array_unref);

  /* Outside the prefix: not this session's traffic. */
  ping[8] = 0x30;
  g_assert_cmpint (sim_echo_answer (&session, ping, sizeof (ping), &reply), ==, SIM_ECHO_NOT_OURS);
  g_assert_null (reply);
  /* Link-local (router solicitation and friends): fine, but unanswered. */
  ping[8] = 0xfe; ping[9] = 0x80;
  g_assert_cmpint (sim_echo_answer (&session, ping, sizeof (ping), &reply), ==, SIM_ECHO_IGNORED);
  /* ... unless the mux has no IPv6 PDN at all. */
  {
    const SimEchoAddresses v4_only = { host4, NULL, 0 };

    g_assert_cmpint (sim_echo_answer (&v4_only, ping, sizeof (ping), &reply), ==, SIM_ECHO_NOT_OURS);
  }
}

static void
test_network_drops_foreign_and_malformed (void)
{
  const guint8 other[4] = { 10, 9, 9, 9 };
  const SimEchoAddresses session = { host4, NULL, 0 };
  g_autoptr(GByteArray) udp = build_udp4 (other, net4, "x");
  g_autoptr(GByteArray) reply = NULL;
  const guint8 junk[] = { 0x12, 0x34 };

  g_assert_cmpint (sim_echo_answer (&session, udp->data, udp->len, &reply), ==, SIM_ECHO_NOT_OURS);
  g_assert_cmpint (sim_echo_answer (&session, junk, sizeof (junk), &reply), ==, SIM_ECHO_MALFORMED);
  /* Total length larger than the frame. */
  udp->data[3] += 10;
  memcpy (udp->data + 12, host4, 4);
  g_assert_cmpint (sim_echo_answer (&session, udp->data, udp->len, &reply), ==, SIM_ECHO_MALFORMED);
  g_assert_null (reply);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/qmap/v1-uplink-frame-is-parsed", test_v1_uplink_frame_is_parsed);
  g_test_add_func ("/sim/qmap/downlink-frames-are-padded", test_downlink_frames_are_padded_to_four_bytes);
  g_test_add_func ("/sim/qmap/v4-downlink-trailer-validates-like-rmnet", test_v4_downlink_trailer_validates_like_rmnet);
  g_test_add_func ("/sim/qmap/v4-uplink-header-is-skipped", test_v4_uplink_header_is_skipped);
  g_test_add_func ("/sim/qmap/v5-needs-checksum-next-header", test_v5_needs_checksum_next_header);
  g_test_add_func ("/sim/qmap/commands-round-trip", test_commands_round_trip);
  g_test_add_func ("/sim/qmap/deaggregation-splits-a-burst", test_deaggregation_splits_a_burst);
  g_test_add_func ("/sim/qmap/empty-frame-is-rejected", test_empty_frame_is_rejected);
  g_test_add_func ("/sim/qmap/aggregation-respects-dl-limits", test_aggregation_respects_dl_limits);
  g_test_add_func ("/sim/network/answers-ping", test_network_answers_ping);
  g_test_add_func ("/sim/network/echoes-udp", test_network_echoes_udp);
  g_test_add_func ("/sim/network/answers-ping6-in-prefix-only", test_network_answers_ping6_in_prefix_only);
  g_test_add_func ("/sim/network/drops-foreign-and-malformed", test_network_drops_foreign_and_malformed);
  return g_test_run ();
}
