/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "sim-qmap"

#include <string.h>

#include "sim-qmap.h"

#define FLAG_CMD      0x80
#define FLAG_NEXT_HDR 0x40
#define PAD_MASK      0x3f

#define V4_UL_ENABLED 0x8000
#define V4_UL_OFFSET  0x3fff
#define V4_DL_VALID   0x01
#define V5_NEXT_HDR   0x01
#define V5_CSUM_VALID 0x80

G_DEFINE_QUARK (sim-qmap-error-quark, sim_qmap_error)

static guint16
get_be16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static guint32
get_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
put_be16 (guint8 *p, guint16 v)
{
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

guint32
sim_qmap_csum_add (guint32 sum, const guint8 *data, gsize len)
{
  gsize i;

  for (i = 0; i + 1 < len; i += 2)
    sum += get_be16 (data + i);
  if (len & 1)
    sum += (guint32) data[len - 1] << 8;
  /* Fold early so long packets cannot overflow. */
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

guint16
sim_qmap_csum_fold (guint32 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) sum;
}

gboolean
sim_qmap_parse (SimQmapVersion    version,
                SimQmapDirection  direction,
                const guint8     *buf,
                gsize             len,
                SimQmapFrame     *frame,
                gsize            *consumed,
                GError          **error)
{
  gsize body_len;
  gsize total;
  const guint8 *body;

  memset (frame, 0, sizeof (*frame));
  if (len < SIM_QMAP_HEADER_SIZE) {
    g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_TRUNCATED,
                 "%" G_GSIZE_FORMAT " bytes left, less than a MAP header", len);
    return FALSE;
  }

  frame->command = (buf[0] & FLAG_CMD) != 0;
  frame->pad = buf[0] & PAD_MASK;
  frame->mux_id = buf[1];
  body_len = get_be16 (buf + 2);
  if (body_len == 0) {
    g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_EMPTY,
                 "empty MAP frame (mux %u)", frame->mux_id);
    return FALSE;
  }

  total = SIM_QMAP_HEADER_SIZE + body_len;
  body = buf + SIM_QMAP_HEADER_SIZE;

  /* Same rules as rmnet_map_validate_packet_len(): the v4 DL trailer
   * follows every frame (commands included); v5 data frames must carry a
   * checksum-offload next header; v4 UL data frames a checksum header.
   * Neither header is counted in the MAP length. */
  if (version == SIM_QMAP_VERSION_4 && direction == SIM_QMAP_DIRECTION_DOWNLINK) {
    total += SIM_QMAP_V4_DL_TRAILER_SIZE;
  } else if (!frame->command && version == SIM_QMAP_VERSION_4) {
    total += SIM_QMAP_V4_UL_HEADER_SIZE;
  } else if (!frame->command && version == SIM_QMAP_VERSION_5) {
    if (!(buf[0] & FLAG_NEXT_HDR)) {
      g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_NO_NEXT_HEADER,
                   "MAPv5 data frame without next header (mux %u)", frame->mux_id);
      return FALSE;
    }
    total += SIM_QMAP_V5_HEADER_SIZE;
  }

  if (total > len) {
    g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_TRUNCATED,
                 "MAP frame of %" G_GSIZE_FORMAT " bytes, only %" G_GSIZE_FORMAT " left (mux %u)",
                 total, len, frame->mux_id);
    return FALSE;
  }

  if (frame->command) {
    if (body_len < 8) {
      g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_TRUNCATED,
                   "MAP command of %" G_GSIZE_FORMAT " bytes", body_len);
      return FALSE;
    }
    frame->cmd_name = body[0];
    frame->cmd_type = body[1] & 0x03;
    frame->cmd_transaction_id = get_be32 (body + 4);
    frame->payload = body + 8;
    frame->payload_len = body_len - 8;
  } else {
    if (version == SIM_QMAP_VERSION_4 && direction == SIM_QMAP_DIRECTION_UPLINK) {
      guint16 info = get_be16 (body + 2);

      frame->has_csum_header = TRUE;
      frame->csum_start = get_be16 (body);
      frame->csum_requested = (info & V4_UL_ENABLED) != 0;
      frame->csum_insert = info & V4_UL_OFFSET;
      body += SIM_QMAP_V4_UL_HEADER_SIZE;
    } else if (version == SIM_QMAP_VERSION_5) {
      guint8 type = (body[0] >> 1) & 0x7f;

      if (type != SIM_QMAP_V5_TYPE_CSUM) {
        g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_BAD_NEXT_HEADER,
                     "MAPv5 next header type %u, not checksum offload (mux %u)",
                     type, frame->mux_id);
        return FALSE;
      }
      frame->has_csum_header = TRUE;
      frame->csum_requested = (body[1] & V5_CSUM_VALID) != 0;
      body += SIM_QMAP_V5_HEADER_SIZE;
    }
    if (frame->pad > body_len) {
      g_set_error (error, SIM_QMAP_ERROR, SIM_QMAP_ERROR_BAD_PADDING,
                   "pad %u exceeds MAP length %" G_GSIZE_FORMAT " (mux %u)",
                   frame->pad, body_len, frame->mux_id);
      return FALSE;
    }
    frame->payload = body;
    frame->payload_len = body_len - frame->pad;
    if (version == SIM_QMAP_VERSION_4 && direction == SIM_QMAP_DIRECTION_DOWNLINK) {
      const guint8 *t = body + body_len;

      frame->has_csum_trailer = TRUE;
      frame->csum_valid = (t[1] & V4_DL_VALID) != 0;
      frame->csum_value = get_be16 (t + 6);
    }
  }

  *consumed = total;
  return TRUE;
}

guint
sim_qmap_deaggregate (SimQmapVersion     version,
                      SimQmapDirection   direction,
                      const guint8      *buf,
                      gsize              len,
                      SimQmapFrameFunc   func,
                      gpointer           user_data,
                      GError           **error)
{
  guint n = 0;

  while (len > 0) {
    SimQmapFrame frame;
    gsize used = 0;

    if (!sim_qmap_parse (version, direction, buf, len, &frame, &used, error))
      return n;
    func (&frame, user_data);
    n++;
    buf += used;
    len -= used;
  }
  return n;
}

static gsize
pad_for (SimQmapDirection direction, gsize packet_len)
{
  /* rmnet sends uplink frames unpadded; modems pad downlink to 4. */
  if (direction == SIM_QMAP_DIRECTION_UPLINK)
    return 0;
  return (4 - (packet_len & 3)) & 3;
}

gsize
sim_qmap_packet_frame_size (SimQmapVersion   version,
                            SimQmapDirection direction,
                            gsize            packet_len)
{
  gsize size = SIM_QMAP_HEADER_SIZE + packet_len + pad_for (direction, packet_len);

  if (version == SIM_QMAP_VERSION_4)
    size += direction == SIM_QMAP_DIRECTION_DOWNLINK ? SIM_QMAP_V4_DL_TRAILER_SIZE
                                                     : SIM_QMAP_V4_UL_HEADER_SIZE;
  else if (version == SIM_QMAP_VERSION_5)
    size += SIM_QMAP_V5_HEADER_SIZE;
  return size;
}

void
sim_qmap_append_packet (GByteArray      *out,
                        SimQmapVersion   version,
                        SimQmapDirection direction,
                        guint8           mux_id,
                        const guint8    *packet,
                        gsize            packet_len)
{
  gsize pad = pad_for (direction, packet_len);
  guint8 hdr[SIM_QMAP_HEADER_SIZE];
  static const guint8 zeros[4] = { 0 };

  g_return_if_fail (packet_len + pad <= G_MAXUINT16);

  hdr[0] = (guint8) pad;
  if (version == SIM_QMAP_VERSION_5)
    hdr[0] |= FLAG_NEXT_HDR;
  hdr[1] = mux_id;
  put_be16 (hdr + 2, (guint16) (packet_len + pad));
  g_byte_array_append (out, hdr, sizeof (hdr));

  if (version == SIM_QMAP_VERSION_5) {
    guint8 v5[SIM_QMAP_V5_HEADER_SIZE] = { SIM_QMAP_V5_TYPE_CSUM << 1, 0, 0, 0 };

    /* DL: "checksum validated and valid" (our packets are well formed);
     * UL: no offload requested, the host computed it. */
    if (direction == SIM_QMAP_DIRECTION_DOWNLINK)
      v5[1] = V5_CSUM_VALID;
    g_byte_array_append (out, v5, sizeof (v5));
  } else if (version == SIM_QMAP_VERSION_4 && direction == SIM_QMAP_DIRECTION_UPLINK) {
    g_byte_array_append (out, zeros, SIM_QMAP_V4_UL_HEADER_SIZE);
  }

  g_byte_array_append (out, packet, packet_len);
  g_byte_array_append (out, zeros, pad);

  if (version == SIM_QMAP_VERSION_4 && direction == SIM_QMAP_DIRECTION_DOWNLINK) {
    guint8 t[SIM_QMAP_V4_DL_TRAILER_SIZE] = { 0 };

    /* The trailer checksum is the folded one's-complement sum over the
     * whole IP packet (rmnet_map_ipv4_dl_csum_trailer() subtracts the
     * header part and compares with the pseudo header). */
    t[1] = V4_DL_VALID;
    put_be16 (t + 2, 0);
    put_be16 (t + 4, (guint16) packet_len);
    put_be16 (t + 6, sim_qmap_csum_fold (sim_qmap_csum_add (0, packet, packet_len)));
    g_byte_array_append (out, t, sizeof (t));
  }
}

void
sim_qmap_append_command (GByteArray   *out,
                         guint8        mux_id,
                         guint8        name,
                         guint8        type,
                         guint32       transaction_id,
                         const guint8 *data,
                         gsize         data_len)
{
  guint8 hdr[SIM_QMAP_HEADER_SIZE + 8];
  gsize body = 8 + data_len;
  gsize pad = (4 - (body & 3)) & 3;
  static const guint8 zeros[4] = { 0 };

  g_return_if_fail (body + pad <= G_MAXUINT16);

  hdr[0] = FLAG_CMD | (guint8) pad;
  hdr[1] = mux_id;
  put_be16 (hdr + 2, (guint16) (body + pad));
  hdr[4] = name;
  hdr[5] = type & 0x03;
  hdr[6] = 0;
  hdr[7] = 0;
  hdr[8] = transaction_id >> 24;
  hdr[9] = (transaction_id >> 16) & 0xff;
  hdr[10] = (transaction_id >> 8) & 0xff;
  hdr[11] = transaction_id & 0xff;
  g_byte_array_append (out, hdr, sizeof (hdr));
  if (data_len)
    g_byte_array_append (out, data, data_len);
  g_byte_array_append (out, zeros, pad);
}

struct _SimQmapAggregator {
  guint            max_datagrams;
  gsize            max_size;
  SimQmapBurstFunc func;
  gpointer         user_data;
  GByteArray      *burst;
  guint            n_frames;
};

SimQmapAggregator *
sim_qmap_aggregator_new (guint            max_datagrams,
                         gsize            max_size,
                         SimQmapBurstFunc func,
                         gpointer         user_data)
{
  SimQmapAggregator *agg = g_new0 (SimQmapAggregator, 1);

  agg->func = func;
  agg->user_data = user_data;
  agg->burst = g_byte_array_new ();
  sim_qmap_aggregator_set_limits (agg, max_datagrams, max_size);
  return agg;
}

void
sim_qmap_aggregator_set_limits (SimQmapAggregator *agg,
                                guint              max_datagrams,
                                gsize              max_size)
{
  /* 0 means "no aggregation negotiated": one frame per burst. */
  agg->max_datagrams = MAX (max_datagrams, 1);
  agg->max_size = max_size;
}

void
sim_qmap_aggregator_flush (SimQmapAggregator *agg)
{
  if (agg->n_frames == 0)
    return;
  agg->func (agg->burst->data, agg->burst->len, agg->n_frames, agg->user_data);
  g_byte_array_set_size (agg->burst, 0);
  agg->n_frames = 0;
}

void
sim_qmap_aggregator_add (SimQmapAggregator *agg,
                         const guint8      *frame,
                         gsize              len)
{
  if (agg->n_frames > 0 &&
      (agg->n_frames >= agg->max_datagrams ||
       (agg->max_size > 0 && agg->burst->len + len > agg->max_size)))
    sim_qmap_aggregator_flush (agg);
  g_byte_array_append (agg->burst, frame, len);
  agg->n_frames++;
  if (agg->n_frames >= agg->max_datagrams)
    sim_qmap_aggregator_flush (agg);
}

guint
sim_qmap_aggregator_get_queued (SimQmapAggregator *agg)
{
  return agg->n_frames;
}

void
sim_qmap_aggregator_free (SimQmapAggregator *agg)
{
  if (!agg)
    return;
  g_byte_array_unref (agg->burst);
  g_free (agg);
}
