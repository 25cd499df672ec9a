/* modemux-sim: TLV readers/writers and response/indication shaping on top
 * of libqmi 1.32.2's raw QmiMessage API (no typed builders exist there). */
#define G_LOG_DOMAIN "sim-tlv"

#include <string.h>

#include "sim-internal.h"

/* ---------------------------------------------------------------------- */
/* TLV helpers                                                              */

const guint8 *
sim_tlv_get (QmiMessage *m, guint8 type, guint16 *len)
{
    return qmi_message_get_raw_tlv (m, type, len);
}

/* QMI integers are little-endian; @size is at most 8. */
static guint64
le_decode (const guint8 *p, guint size)
{
    guint64 v = 0;

    for (guint i = size; i > 0; i--)
        v = (v << 8) | p[i - 1];
    return v;
}

static void
le_encode (guint8 *d, guint64 v, guint size)
{
    for (guint i = 0; i < size; i++)
        d[i] = (guint8) (v >> (8 * i));
}

/* The value of TLV @type, or NULL if absent or shorter than @size. */
static const guint8 *
tlv_sized (QmiMessage *m, guint8 type, guint16 size)
{
    guint16 len = 0;
    const guint8 *p = qmi_message_get_raw_tlv (m, type, &len);

    return p && len >= size ? p : NULL;
}

gboolean
sim_tlv_u8 (QmiMessage *m, guint8 type, guint8 *out)
{
    const guint8 *p = tlv_sized (m, type, sizeof *out);

    if (p)
        *out = p[0];
    return p != NULL;
}

gboolean
sim_tlv_u16 (QmiMessage *m, guint8 type, guint16 *out)
{
    const guint8 *p = tlv_sized (m, type, sizeof *out);

    if (p)
        *out = (guint16) le_decode (p, sizeof *out);
    return p != NULL;
}

gboolean
sim_tlv_u32 (QmiMessage *m, guint8 type, guint32 *out)
{
    const guint8 *p = tlv_sized (m, type, sizeof *out);

    if (p)
        *out = (guint32) le_decode (p, sizeof *out);
    return p != NULL;
}

gchar *
sim_tlv_string (QmiMessage *m, guint8 type)
{
    guint16 len = 0;
    const guint8 *p = qmi_message_get_raw_tlv (m, type, &len);

    if (!p)
        return NULL;
    return g_strndup ((const gchar *) p, len);
}

void
sim_buf_u8 (GByteArray *b, guint8 v)
{
    g_byte_array_append (b, &v, 1);
}

static void
buf_le (GByteArray *b, guint64 v, guint size)
{
    guint8 d[8];

    le_encode (d, v, size);
    g_byte_array_append (b, d, size);
}

void
sim_buf_u16 (GByteArray *b, guint16 v)
{
    buf_le (b, v, sizeof v);
}

void
sim_buf_u32 (GByteArray *b, guint32 v)
{
    buf_le (b, v, sizeof v);
}

void
sim_buf_bytes (GByteArray *b, const void *d, gsize n)
{
    g_byte_array_append (b, d, (guint) n);
}

void
sim_add_bytes (QmiMessage *m, guint8 type, const guint8 *data, gsize len)
{
    g_autoptr(GError) error = NULL;

    if (!qmi_message_add_raw_tlv (m, type, data, len, &error))
        g_warning ("cannot add TLV 0x%02x: %s", type, error->message);
}

static void
add_le (QmiMessage *m, guint8 type, guint64 v, guint size)
{
    guint8 d[8];

    le_encode (d, v, size);
    sim_add_bytes (m, type, d, size);
}

void
sim_add_u8 (QmiMessage *m, guint8 type, guint8 v)
{
    sim_add_bytes (m, type, &v, 1);
}

void
sim_add_u16 (QmiMessage *m, guint8 type, guint16 v)
{
    add_le (m, type, v, sizeof v);
}

void
sim_add_u32 (QmiMessage *m, guint8 type, guint32 v)
{
    add_le (m, type, v, sizeof v);
}

void
sim_add_u64 (QmiMessage *m, guint8 type, guint64 v)
{
    add_le (m, type, v, sizeof v);
}

void
sim_add_string (QmiMessage *m, guint8 type, const gchar *s)
{
    sim_add_bytes (m, type, (const guint8 *) (s ? s : ""), s ? strlen (s) : 0);
}

/* libqmi 1.32.2 has no public indication constructor: patch the flag
 * bytes of a request-shaped message (QMUX control flags, QMI message type)
 * and re-parse it. */
static QmiMessage *
patch_flags (QmiMessage *message, guint8 ctl_flag, guint8 service_flag)
{
    gsize len = 0;
    const guint8 *raw = qmi_message_get_raw (message, &len, NULL);
    g_autoptr(GByteArray) buf = g_byte_array_sized_new ((guint) len);
    QmiMessage *out;

    g_byte_array_append (buf, raw, (guint) len);
    buf->data[3] = 0x80;
    buf->data[6] = qmi_message_get_service (message) == QMI_SERVICE_CTL ? ctl_flag : service_flag;
    out = qmi_message_new_from_raw (buf, NULL);
    qmi_message_unref (message);
    return out;
}

void
sim_client_send_indication (SimClient *client, QmiMessage *ind)
{
    ind = patch_flags (ind, 0x02, 0x04);
    sim_client_send (client, ind);
    qmi_message_unref (ind);
}

QmiMessage *
sim_indication_new (SimClient *client, guint16 message_id)
{
    return qmi_message_new ((QmiService) client->service, client->cid, 0, message_id);
}

/* Fault "malformed": the same response but with a 1-byte result TLV, which
 * every client parser rejects. */
typedef struct { QmiMessage *out; } CopyCtx;

static void
copy_tlv_cb (guint8 type, const guint8 *value, gsize length, gpointer user_data)
{
    CopyCtx *ctx = user_data;

    if (type == 0x02)
        sim_add_bytes (ctx->out, 0x02, value, 1);
    else
        sim_add_bytes (ctx->out, type, value, length);
}

QmiMessage *
sim_message_make_malformed (QmiMessage *response)
{
    CopyCtx ctx;

    ctx.out = qmi_message_new (qmi_message_get_service (response), qmi_message_get_client_id (response),
                               qmi_message_get_transaction_id (response), qmi_message_get_message_id (response));
    qmi_message_foreach_raw_tlv (response, copy_tlv_cb, &ctx);
    qmi_message_unref (response);
    return patch_flags (ctx.out, 0x01, 0x02);
}

