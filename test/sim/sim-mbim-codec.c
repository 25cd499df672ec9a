/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "sim-mbim"

#include <string.h>

#include "sim-mbim-codec.h"

#define MBIM_TYPE_COMMAND_DONE    0x80000003
#define MBIM_TYPE_INDICATE_STATUS 0x80000007

typedef struct {
  gsize  fixed_pos;    /* where the offset (u32) sits in the fixed part */
  gsize  var_pos;      /* where the data starts in the variable part */
} Fixup;

struct _SimMbimBuf {
  GByteArray *fixed;
  GByteArray *var;
  GArray     *fixups;
};

static void
le32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

SimMbimBuf *
sim_mbim_buf_new (void)
{
  SimMbimBuf *buf = g_new0 (SimMbimBuf, 1);

  buf->fixed = g_byte_array_new ();
  buf->var = g_byte_array_new ();
  buf->fixups = g_array_new (FALSE, FALSE, sizeof (Fixup));
  return buf;
}

void
sim_mbim_buf_free (SimMbimBuf *buf)
{
  if (!buf)
    return;
  g_byte_array_unref (buf->fixed);
  g_byte_array_unref (buf->var);
  g_array_unref (buf->fixups);
  g_free (buf);
}

void
sim_mbim_buf_u32 (SimMbimBuf *buf, guint32 value)
{
  guint8 b[4];

  le32 (b, value);
  g_byte_array_append (buf->fixed, b, 4);
}

void
sim_mbim_buf_u64 (SimMbimBuf *buf, guint64 value)
{
  sim_mbim_buf_u32 (buf, (guint32) (value & 0xffffffff));
  sim_mbim_buf_u32 (buf, (guint32) (value >> 32));
}

void
sim_mbim_buf_uuid (SimMbimBuf *buf, const MbimUuid *uuid)
{
  /* MbimUuid is kept in wire order. */
  g_byte_array_append (buf->fixed, (const guint8 *) uuid, sizeof (MbimUuid));
}

static void
add_var (SimMbimBuf *buf, const void *data, gsize len)
{
  Fixup f = { buf->fixed->len, buf->var->len };
  static const guint8 zeros[4] = { 0 };

  g_array_append_val (buf->fixups, f);
  sim_mbim_buf_u32 (buf, 0); /* resolved in finish */
  g_byte_array_append (buf->var, data, len);
  g_byte_array_append (buf->var, zeros, (4 - (len & 3)) & 3);
}

void
sim_mbim_buf_offset (SimMbimBuf *buf, const void *data, gsize len)
{
  if (!len) {
    sim_mbim_buf_u32 (buf, 0);
    return;
  }
  add_var (buf, data, len);
}

void
sim_mbim_buf_ref (SimMbimBuf *buf, const void *data, gsize len)
{
  sim_mbim_buf_offset (buf, data, len);
  sim_mbim_buf_u32 (buf, (guint32) len);
}

void
sim_mbim_buf_string (SimMbimBuf *buf, const gchar *utf8)
{
  g_autofree gunichar2 *utf16 = NULL;
  glong n = 0;
  guint8 *le;
  glong i;

  if (!utf8 || !*utf8) {
    sim_mbim_buf_u32 (buf, 0);
    sim_mbim_buf_u32 (buf, 0);
    return;
  }
  utf16 = g_utf8_to_utf16 (utf8, -1, NULL, &n, NULL);
  if (!utf16) {
    sim_mbim_buf_u32 (buf, 0);
    sim_mbim_buf_u32 (buf, 0);
    return;
  }
  le = g_malloc (n * 2);
  for (i = 0; i < n; i++) {
    le[2 * i] = utf16[i] & 0xff;
    le[2 * i + 1] = utf16[i] >> 8;
  }
  sim_mbim_buf_ref (buf, le, n * 2);
  g_free (le);
}

GByteArray *
sim_mbim_buf_finish (SimMbimBuf *buf)
{
  GByteArray *out = g_byte_array_ref (buf->fixed);
  gsize fixed_len = buf->fixed->len;
  guint i;

  for (i = 0; i < buf->fixups->len; i++) {
    Fixup *f = &g_array_index (buf->fixups, Fixup, i);
    le32 (out->data + f->fixed_pos, (guint32) (fixed_len + f->var_pos));
  }
  g_byte_array_append (out, buf->var->data, buf->var->len);
  sim_mbim_buf_free (buf);
  return out;
}

static MbimMessage *
build (guint32 type, guint32 tid, const MbimUuid *service, guint32 cid,
       gboolean with_status, guint32 status, const guint8 *info, gsize info_len)
{
  g_autoptr(GByteArray) m = g_byte_array_new ();
  guint8 w[4];

  /* header: type, length (patched), transaction id */
  le32 (w, type);             g_byte_array_append (m, w, 4);
  le32 (w, 0);                g_byte_array_append (m, w, 4);
  le32 (w, tid);              g_byte_array_append (m, w, 4);
  /* fragment header: total 1, current 0 */
  le32 (w, 1);                g_byte_array_append (m, w, 4);
  le32 (w, 0);                g_byte_array_append (m, w, 4);
  g_byte_array_append (m, (const guint8 *) service, sizeof (MbimUuid));
  le32 (w, cid);              g_byte_array_append (m, w, 4);
  if (with_status) {
    le32 (w, status);         g_byte_array_append (m, w, 4);
  }
  le32 (w, (guint32) info_len); g_byte_array_append (m, w, 4);
  if (info_len)
    g_byte_array_append (m, info, info_len);
  le32 (m->data + 4, m->len);
  return mbim_message_new (m->data, m->len);
}

MbimMessage *
sim_mbim_command_done_new (guint32         transaction_id,
                           const MbimUuid *service,
                           guint32         cid,
                           MbimStatusError status,
                           const guint8   *info,
                           gsize           info_len)
{
  return build (MBIM_TYPE_COMMAND_DONE, transaction_id, service, cid, TRUE, status, info, info_len);
}

MbimMessage *
sim_mbim_indicate_status_new (const MbimUuid *service,
                              guint32         cid,
                              const guint8   *info,
                              gsize           info_len)
{
  /* Unsolicited: transaction id 0, and no status word. */
  return build (MBIM_TYPE_INDICATE_STATUS, 0, service, cid, FALSE, 0, info, info_len);
}

gboolean
sim_mbim_read_u32 (const guint8 *info, gsize len, gsize offset, guint32 *out)
{
  if (offset + 4 > len)
    return FALSE;
  *out = info[offset] | (info[offset + 1] << 8) | (info[offset + 2] << 16) |
         ((guint32) info[offset + 3] << 24);
  return TRUE;
}

gchar *
sim_mbim_read_string (const guint8 *info, gsize len, gsize offset)
{
  guint32 str_offset, str_size;
  g_autofree gunichar2 *utf16 = NULL;
  guint32 i;

  if (!sim_mbim_read_u32 (info, len, offset, &str_offset) ||
      !sim_mbim_read_u32 (info, len, offset + 4, &str_size))
    return NULL;
  if (str_size == 0)
    return g_strdup ("");
  if ((str_size & 1) || (gsize) str_offset + str_size > len)
    return NULL;
  utf16 = g_new (gunichar2, str_size / 2);
  for (i = 0; i < str_size / 2; i++)
    utf16[i] = info[str_offset + 2 * i] | (info[str_offset + 2 * i + 1] << 8);
  return g_utf16_to_utf8 (utf16, str_size / 2, NULL, NULL, NULL);
}
