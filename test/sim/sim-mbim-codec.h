/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MBIM encoding the simulator needs and libmbim 1.28.2 does not expose:
 * information buffers of responses/notifications (fixed part followed by
 * the variable data that offset/size pairs point at, UTF-16LE strings,
 * 4-byte padding), COMMAND_DONE and INDICATE_STATUS messages, and readers
 * for the few set-request fields we need. Layouts: MBIM 1.0 spec and
 * libmbim's data/mbim-service-*.json. Results are checked in
 * test-sim-mbim-codec.c with libmbim's own response parsers.
 */
#pragma once

#include <glib.h>
#include <libmbim-glib.h>

G_BEGIN_DECLS

typedef struct _SimMbimBuf SimMbimBuf;

SimMbimBuf *sim_mbim_buf_new    (void);
void        sim_mbim_buf_free   (SimMbimBuf *buf);
/* Fixed-part fields, little-endian. */
void        sim_mbim_buf_u32    (SimMbimBuf *buf, guint32 value);
void        sim_mbim_buf_u64    (SimMbimBuf *buf, guint64 value);
void        sim_mbim_buf_uuid   (SimMbimBuf *buf, const MbimUuid *uuid);
/* "string": offset/size pair, UTF-16LE text in the variable part; NULL or
 * "" gives offset 0, size 0. */
void        sim_mbim_buf_string (SimMbimBuf *buf, const gchar *utf8);
/* "ref-*" pair: offset/size pointing at @data in the variable part. */
void        sim_mbim_buf_ref    (SimMbimBuf *buf, const void *data, gsize len);
/* Offset only ("struct-array", "ref-ipv4", "ipv4-array"...): 0 when
 * @len is 0. */
void        sim_mbim_buf_offset (SimMbimBuf *buf, const void *data, gsize len);
/* Resolves offsets and returns fixed + variable part; frees @buf. */
GByteArray *sim_mbim_buf_finish (SimMbimBuf *buf);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimMbimBuf, sim_mbim_buf_free)

/* Whole messages (single fragment). */
MbimMessage *sim_mbim_command_done_new   (guint32         transaction_id,
                                          const MbimUuid *service,
                                          guint32         cid,
                                          MbimStatusError status,
                                          const guint8   *info,
                                          gsize           info_len);
MbimMessage *sim_mbim_indicate_status_new (const MbimUuid *service,
                                           guint32         cid,
                                           const guint8   *info,
                                           gsize           info_len);

/* Readers for request information buffers (bounds-checked). */
gboolean sim_mbim_read_u32    (const guint8 *info, gsize len, gsize offset, guint32 *out);
/* A "string" field whose offset/size pair sits at @offset. Returns a
 * newly allocated UTF-8 string ("" for an empty field), NULL if malformed. */
gchar   *sim_mbim_read_string (const guint8 *info, gsize len, gsize offset);

G_END_DECLS
