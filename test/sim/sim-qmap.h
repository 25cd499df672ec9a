/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMAP (MAP) codec: the framing a Qualcomm modem puts on its data port.
 *
 * Pure functions, no I/O. Layouts follow the upstream kernel
 * (include/linux/if_rmnet.h, drivers/net/ethernet/qualcomm/rmnet/):
 *  - MAP v1 header: flags (C/D bit 7, v5 next-header bit 6, pad 5..0),
 *    mux id, be16 length of payload incl. padding (excl. MAP header and
 *    any checksum header/trailer).
 *  - MAPv4 checksum offload: uplink (host -> modem) has a 4-byte header
 *    after the MAP header; downlink (modem -> host) an 8-byte trailer after
 *    the padded payload.
 *  - MAPv5: next-header bit set and a 4-byte header of type 2 (checksum
 *    offload) after the MAP header, in both directions.
 *  - MAP commands (C/D = 1): name, type, reserved, be32 transaction id, data.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which MAP variant a direction uses (from the negotiated WDA UL/DL
 * data aggregation protocol: QMAP, QMAPv4, QMAPv5). */
typedef enum {
  SIM_QMAP_VERSION_1 = 1,   /* plain QMAP, no checksum offload */
  SIM_QMAP_VERSION_4 = 4,   /* MAPv4 checksum header (UL) / trailer (DL) */
  SIM_QMAP_VERSION_5 = 5,   /* MAPv5 next header, checksum offload type */
} SimQmapVersion;

typedef enum {
  SIM_QMAP_DIRECTION_UPLINK,    /* host -> modem: what the modem reads */
  SIM_QMAP_DIRECTION_DOWNLINK,  /* modem -> host: what the modem writes */
} SimQmapDirection;

#define SIM_QMAP_HEADER_SIZE        4
#define SIM_QMAP_V4_UL_HEADER_SIZE  4
#define SIM_QMAP_V4_DL_TRAILER_SIZE 8
#define SIM_QMAP_V5_HEADER_SIZE     4
#define SIM_QMAP_V5_TYPE_CSUM       2

#define SIM_QMAP_CMD_FLOW_DISABLE   1
#define SIM_QMAP_CMD_FLOW_ENABLE    2
#define SIM_QMAP_CMD_TYPE_REQUEST   0
#define SIM_QMAP_CMD_TYPE_ACK       1
#define SIM_QMAP_CMD_TYPE_UNSUPPORTED 2
#define SIM_QMAP_CMD_TYPE_INVALID   3

#define SIM_QMAP_ERROR (sim_qmap_error_quark ())
GQuark sim_qmap_error_quark (void);

typedef enum {
  SIM_QMAP_ERROR_TRUNCATED,      /* frame longer than the buffer */
  SIM_QMAP_ERROR_EMPTY,          /* zero-length frame */
  SIM_QMAP_ERROR_BAD_PADDING,    /* pad larger than the payload */
  SIM_QMAP_ERROR_NO_NEXT_HEADER, /* v5 data frame without next header */
  SIM_QMAP_ERROR_BAD_NEXT_HEADER,/* v5 next header not checksum offload */
} SimQmapError;

typedef struct {
  gboolean       command;      /* C/D bit */
  guint8         mux_id;
  guint8         pad;
  /* Data frames: the packet without padding and checksum metadata. */
  const guint8  *payload;
  gsize          payload_len;
  /* Checksum metadata, when the variant carries it. */
  gboolean       has_csum_header;   /* v4 UL header or v5 header */
  gboolean       csum_requested;    /* v4 UL enabled bit / v5 valid bit */
  guint16        csum_start;        /* v4 UL: checksum start offset */
  guint16        csum_insert;       /* v4 UL: insert offset */
  gboolean       has_csum_trailer;  /* v4 DL trailer */
  gboolean       csum_valid;        /* v4 DL trailer valid bit */
  guint16        csum_value;        /* v4 DL trailer checksum */
  /* Command frames. */
  guint8         cmd_name;
  guint8         cmd_type;
  guint32        cmd_transaction_id;
} SimQmapFrame;

/* Parses the frame at the start of @buf. On success fills @frame (pointers
 * into @buf) and @consumed (bytes of this frame incl. trailer); the next
 * frame of an aggregate starts there. */
gboolean sim_qmap_parse (SimQmapVersion    version,
                         SimQmapDirection  direction,
                         const guint8     *buf,
                         gsize             len,
                         SimQmapFrame     *frame,
                         gsize            *consumed,
                         GError          **error);

typedef void (*SimQmapFrameFunc) (const SimQmapFrame *frame,
                                  gpointer            user_data);

/* Splits an aggregate (several frames back to back) and calls @func for
 * each. Returns the number of frames; stops at the first bad frame and
 * reports it in @error (the frames before it were delivered). */
guint sim_qmap_deaggregate (SimQmapVersion     version,
                            SimQmapDirection   direction,
                            const guint8      *buf,
                            gsize              len,
                            SimQmapFrameFunc   func,
                            gpointer           user_data,
                            GError           **error);

/* Size of the frame sim_qmap_append_packet() would produce. */
gsize sim_qmap_packet_frame_size (SimQmapVersion   version,
                                  SimQmapDirection direction,
                                  gsize            packet_len);

/* Appends one data frame carrying @packet for @mux_id. Downlink frames
 * are padded to 4 bytes (as modems do); v4 gets a valid checksum trailer
 * computed over the IP packet, v5 a checksum header marked valid. Uplink
 * frames (used by tests to play the host) are unpadded, as rmnet sends
 * them, with the v4/v5 header requesting no offload. */
void sim_qmap_append_packet (GByteArray      *out,
                             SimQmapVersion   version,
                             SimQmapDirection direction,
                             guint8           mux_id,
                             const guint8    *packet,
                             gsize            packet_len);

/* Appends a MAP command frame (never carries checksum metadata). */
void sim_qmap_append_command (GByteArray   *out,
                              guint8        mux_id,
                              guint8        name,
                              guint8        type,
                              guint32       transaction_id,
                              const guint8 *data,
                              gsize         data_len);

/* Internet checksum helpers (RFC 1071), shared with the echo responder. */
guint32 sim_qmap_csum_add (guint32 sum, const guint8 *data, gsize len);
guint16 sim_qmap_csum_fold (guint32 sum);

/* Downlink aggregation: packs frames into bursts of at most @max_datagrams
 * frames and @max_size bytes (the negotiated DL limits). A frame larger
 * than @max_size alone still goes out alone. */
typedef struct _SimQmapAggregator SimQmapAggregator;

typedef void (*SimQmapBurstFunc) (const guint8 *burst,
                                  gsize         len,
                                  guint         n_frames,
                                  gpointer      user_data);

SimQmapAggregator *sim_qmap_aggregator_new  (guint            max_datagrams,
                                             gsize            max_size,
                                             SimQmapBurstFunc func,
                                             gpointer         user_data);
void               sim_qmap_aggregator_free (SimQmapAggregator *agg);
void               sim_qmap_aggregator_set_limits (SimQmapAggregator *agg,
                                                   guint              max_datagrams,
                                                   gsize              max_size);
/* Queues one complete frame; emits a burst first if it would not fit. */
void               sim_qmap_aggregator_add   (SimQmapAggregator *agg,
                                              const guint8      *frame,
                                              gsize              len);
/* Emits what is queued (end of a batch of replies). */
void               sim_qmap_aggregator_flush (SimQmapAggregator *agg);
/* Frames queued and not yet emitted. */
guint              sim_qmap_aggregator_get_queued (SimQmapAggregator *agg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimQmapAggregator, sim_qmap_aggregator_free)

G_END_DECLS
