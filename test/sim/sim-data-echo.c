/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "sim-data"

#include <string.h>

#include "sim-data-echo.h"
#include "sim-qmap.h"

#define PROTO_ICMP   1
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

static guint16
be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

static void
swap_bytes (guint8 *a, guint8 *b, gsize n)
{
  guint8 tmp[16];

  memcpy (tmp, a, n);
  memcpy (a, b, n);
  memcpy (b, tmp, n);
}

/* Checksum of an upper-layer segment with its pseudo header. */
static guint16
l4_csum (const guint8 *src, const guint8 *dst, gsize addr_len,
         guint8 proto, const guint8 *seg, gsize seg_len)
{
  guint32 sum = 0;
  guint8 tail[8] = { 0 };

  sum = sim_qmap_csum_add (sum, src, addr_len);
  sum = sim_qmap_csum_add (sum, dst, addr_len);
  if (addr_len == 4) {
    tail[1] = proto;
    put16 (tail + 2, (guint16) seg_len);
    sum = sim_qmap_csum_add (sum, tail, 4);
  } else {
    tail[0] = (seg_len >> 24) & 0xff;
    tail[1] = (seg_len >> 16) & 0xff;
    tail[2] = (seg_len >> 8) & 0xff;
    tail[3] = seg_len & 0xff;
    tail[7] = proto;
    sum = sim_qmap_csum_add (sum, tail, 8);
  }
  sum = sim_qmap_csum_add (sum, seg, seg_len);
  return (guint16) ~sim_qmap_csum_fold (sum);
}

static gboolean
in_prefix (const guint8 *addr, const guint8 *net, guint prefix)
{
  guint full = MIN (prefix, 128) / 8;
  guint rest = MIN (prefix, 128) % 8;

  if (memcmp (addr, net, full) != 0)
    return FALSE;
  if (rest) {
    guint8 mask = (guint8) (0xff << (8 - rest));
    if ((addr[full] & mask) != (net[full] & mask))
      return FALSE;
  }
  return TRUE;
}

/* Swaps UDP ports and refreshes the checksum (kept 0 when the IPv4 sender
 * sent none). */
static gboolean
answer_udp (guint8 *ip_src, guint8 *ip_dst, gsize addr_len, guint8 *seg, gsize seg_len)
{
  gboolean had_csum;
  guint16 csum;

  if (seg_len < 8 || be16 (seg + 4) > seg_len || be16 (seg + 4) < 8)
    return FALSE;
  had_csum = be16 (seg + 6) != 0 || addr_len == 16;
  swap_bytes (seg, seg + 2, 2);
  put16 (seg + 6, 0);
  if (had_csum) {
    csum = l4_csum (ip_src, ip_dst, addr_len, PROTO_UDP, seg, seg_len);
    put16 (seg + 6, csum ? csum : 0xffff);
  }
  return TRUE;
}

static SimEchoResult
answer_ipv4 (const SimEchoAddresses *session, const guint8 *packet, gsize len, GByteArray **reply)
{
  guint ihl = (packet[0] & 0x0f) * 4;
  gsize total;
  g_autoptr(GByteArray) out = NULL;
  guint8 *p;

  if (len < 20 || ihl < 20 || ihl > len)
    return SIM_ECHO_MALFORMED;
  total = be16 (packet + 2);
  if (total < ihl || total > len)
    return SIM_ECHO_MALFORMED;
  if (!session->ipv4 || memcmp (packet + 12, session->ipv4, 4) != 0)
    return SIM_ECHO_NOT_OURS;
  /* Fragments are not reassembled by this network. */
  if ((be16 (packet + 6) & 0x3fff) != 0)
    return SIM_ECHO_IGNORED;

  out = g_byte_array_sized_new (total);
  g_byte_array_append (out, packet, total);
  p = out->data;

  switch (p[9]) {
  case PROTO_ICMP:
    if (total - ihl < 8 || p[ihl] != 8 /* echo request */ || p[ihl + 1] != 0)
      return SIM_ECHO_IGNORED;
    p[ihl] = 0; /* echo reply */
    put16 (p + ihl + 2, 0);
    put16 (p + ihl + 2, (guint16) ~sim_qmap_csum_fold (sim_qmap_csum_add (0, p + ihl, total - ihl)));
    swap_bytes (p + 12, p + 16, 4);
    break;
  case PROTO_UDP:
    swap_bytes (p + 12, p + 16, 4);
    if (!answer_udp (p + 12, p + 16, 4, p + ihl, total - ihl))
      return SIM_ECHO_MALFORMED;
    break;
  default:
    return SIM_ECHO_IGNORED;
  }

  p[8] = 64; /* TTL */
  put16 (p + 10, 0);
  put16 (p + 10, (guint16) ~sim_qmap_csum_fold (sim_qmap_csum_add (0, p, ihl)));
  *reply = g_steal_pointer (&out);
  return SIM_ECHO_REPLIED;
}

static SimEchoResult
answer_ipv6 (const SimEchoAddresses *session, const guint8 *packet, gsize len, GByteArray **reply)
{
  gsize total;
  g_autoptr(GByteArray) out = NULL;
  guint8 *p;
  guint8 *seg;
  gsize seg_len;

  if (len < 40)
    return SIM_ECHO_MALFORMED;
  total = 40 + be16 (packet + 4);
  if (total > len)
    return SIM_ECHO_MALFORMED;
  /* No IPv6 PDN on this mux: the network does not carry it at all. */
  if (!session->ipv6)
    return SIM_ECHO_NOT_OURS;
  /* Link-local traffic (router solicitations, MLD) is legitimate on an
   * IPv6 link but this network has nothing to say to it. */
  if (packet[8] == 0xfe && (packet[9] & 0xc0) == 0x80)
    return SIM_ECHO_IGNORED;
  if (!in_prefix (packet + 8, session->ipv6, session->ipv6_prefix))
    return SIM_ECHO_NOT_OURS;

  out = g_byte_array_sized_new (total);
  g_byte_array_append (out, packet, total);
  p = out->data;
  seg = p + 40;
  seg_len = total - 40;

  switch (p[6]) {
  case PROTO_ICMPV6:
    if (seg_len < 8 || seg[0] != 128 /* echo request */ || seg[1] != 0)
      return SIM_ECHO_IGNORED;
    swap_bytes (p + 8, p + 24, 16);
    seg[0] = 129; /* echo reply */
    put16 (seg + 2, 0);
    put16 (seg + 2, l4_csum (p + 8, p + 24, 16, PROTO_ICMPV6, seg, seg_len));
    break;
  case PROTO_UDP:
    swap_bytes (p + 8, p + 24, 16);
    if (!answer_udp (p + 8, p + 24, 16, seg, seg_len))
      return SIM_ECHO_MALFORMED;
    break;
  default:
    return SIM_ECHO_IGNORED;
  }

  p[7] = 64; /* hop limit */
  *reply = g_steal_pointer (&out);
  return SIM_ECHO_REPLIED;
}

SimEchoResult
sim_echo_answer (const SimEchoAddresses *session,
                 const guint8           *packet,
                 gsize                   len,
                 GByteArray            **reply)
{
  *reply = NULL;
  if (len < 1)
    return SIM_ECHO_MALFORMED;
  switch (packet[0] >> 4) {
  case 4:
    return answer_ipv4 (session, packet, len, reply);
  case 6:
    return answer_ipv6 (session, packet, len, reply);
  default:
    return SIM_ECHO_MALFORMED;
  }
}

const gchar *
sim_echo_result_to_string (SimEchoResult result)
{
  switch (result) {
  case SIM_ECHO_REPLIED:   return "replied";
  case SIM_ECHO_IGNORED:   return "ignored";
  case SIM_ECHO_NOT_OURS:  return "not-ours";
  case SIM_ECHO_MALFORMED: return "malformed";
  default:                 return "unknown";
  }
}
