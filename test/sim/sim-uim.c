/* modemux-sim: QMI UIM (SIM card) service. */
#define G_LOG_DOMAIN "sim-uim"

#include <string.h>

#include "sim-internal.h"

static const guint8 usim_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF, 0x44, 0xFF, 0x12, 0x89, 0x00, 0x00, 0x01, 0x00 };

static void
add_card_status (QmiMessage *m, SimModem *modem)
{
    const SimScenario *s = sim_modem_get_scenario (modem);
    guint pin_left = 0, puk_left = 0;
    SimCardState card = sim_modem_get_card_state (modem, &pin_left, &puk_left);
    g_autoptr(GByteArray) b = g_byte_array_new ();
    guint8 app_state, pin_state;

    sim_buf_u16 (b, card == SIM_CARD_ABSENT ? 0xFFFF : 0x0000); /* GW primary: slot 0, app 0 */
    sim_buf_u16 (b, 0xFFFF);
    sim_buf_u16 (b, 0xFFFF);
    sim_buf_u16 (b, 0xFFFF);
    sim_buf_u8 (b, 1); /* one slot */
    if (card == SIM_CARD_ABSENT) {
        sim_buf_u8 (b, QMI_UIM_CARD_STATE_ABSENT);
        sim_buf_u8 (b, QMI_UIM_PIN_STATE_NOT_INITIALIZED);
        sim_buf_u8 (b, 0);
        sim_buf_u8 (b, 0);
        sim_buf_u8 (b, QMI_UIM_CARD_ERROR_NO_ATR_RECEIVED);
        sim_buf_u8 (b, 0); /* no applications */
        sim_add_bytes (m, 0x10, b->data, b->len);
        return;
    }
    switch (card) {
    case SIM_CARD_PIN_REQUIRED:
        app_state = QMI_UIM_CARD_APPLICATION_STATE_PIN1_OR_UPIN_PIN_REQUIRED;
        pin_state = QMI_UIM_PIN_STATE_ENABLED_NOT_VERIFIED;
        break;
    case SIM_CARD_PUK_REQUIRED:
        app_state = QMI_UIM_CARD_APPLICATION_STATE_PUK1_OR_UPIN_PUK_REQUIRED;
        pin_state = QMI_UIM_PIN_STATE_BLOCKED;
        break;
    case SIM_CARD_BLOCKED:
        app_state = QMI_UIM_CARD_APPLICATION_STATE_PIN1_BLOCKED;
        pin_state = QMI_UIM_PIN_STATE_PERMANENTLY_BLOCKED;
        break;
    case SIM_CARD_READY:
    default:
        app_state = QMI_UIM_CARD_APPLICATION_STATE_READY;
        pin_state = s->pin ? QMI_UIM_PIN_STATE_ENABLED_VERIFIED : QMI_UIM_PIN_STATE_DISABLED;
        break;
    }
    sim_buf_u8 (b, QMI_UIM_CARD_STATE_PRESENT);
    sim_buf_u8 (b, QMI_UIM_PIN_STATE_NOT_INITIALIZED); /* UPIN */
    sim_buf_u8 (b, 0);
    sim_buf_u8 (b, 0);
    sim_buf_u8 (b, QMI_UIM_CARD_ERROR_UNKNOWN);
    sim_buf_u8 (b, 1); /* one application: USIM */
    sim_buf_u8 (b, QMI_UIM_CARD_APPLICATION_TYPE_USIM);
    sim_buf_u8 (b, app_state);
    sim_buf_u8 (b, QMI_UIM_CARD_APPLICATION_PERSONALIZATION_STATE_READY);
    sim_buf_u8 (b, QMI_UIM_CARD_APPLICATION_PERSONALIZATION_FEATURE_UNKNOWN);
    sim_buf_u8 (b, 0);
    sim_buf_u8 (b, 0);
    sim_buf_u8 (b, sizeof usim_aid);
    sim_buf_bytes (b, usim_aid, sizeof usim_aid);
    sim_buf_u8 (b, 0); /* UPIN does not replace PIN1 */
    sim_buf_u8 (b, pin_state);
    sim_buf_u8 (b, (guint8) pin_left);
    sim_buf_u8 (b, (guint8) puk_left);
    sim_buf_u8 (b, QMI_UIM_PIN_STATE_DISABLED); /* PIN2 */
    sim_buf_u8 (b, (guint8) s->pin2_retries);
    sim_buf_u8 (b, (guint8) s->puk2_retries);
    sim_add_bytes (m, 0x10, b->data, b->len);
}

/* Swapped-nibble BCD as stored in EF_ICCID, padded with F. */
static GByteArray *
encode_bcd (const gchar *digits)
{
    GByteArray *b = g_byte_array_new ();
    gsize n = strlen (digits);

    for (gsize i = 0; i < n; i += 2) {
        guint8 lo = (guint8) (digits[i] - '0');
        guint8 hi = i + 1 < n ? (guint8) (digits[i + 1] - '0') : 0xF;

        sim_buf_u8 (b, (guint8) ((hi << 4) | lo));
    }
    return b;
}

/* EF_IMSI: length byte, then parity/type nibble + digits (TS 31.102 4.2.2). */
static GByteArray *
encode_imsi (const gchar *imsi)
{
    GByteArray *b = g_byte_array_new ();
    gsize n = strlen (imsi);
    /* The first nibble is the parity/type marker (9 = odd IMSI, 1 = even). */
    g_autofree gchar *padded = g_strdup_printf ("%c%s", (n % 2) ? '9' : '1', imsi);
    g_autoptr(GByteArray) bcd = NULL;

    bcd = encode_bcd (padded);
    sim_buf_u8 (b, (guint8) bcd->len);
    sim_buf_bytes (b, bcd->data, bcd->len);
    return b;
}

static QmiMessage *
read_transparent (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    SimCardState card = sim_modem_get_card_state (modem, NULL, NULL);
    guint16 len = 0, file_id;
    const guint8 *p = sim_tlv_get (req, 0x02, &len);
    g_autoptr(GByteArray) data = NULL;
    g_autoptr(GByteArray) result = g_byte_array_new ();
    QmiMessage *resp;
    guint8 sw[2] = { 0x90, 0x00 };

    if (!p || len < 3)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
    if (card == SIM_CARD_ABSENT)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED);
    file_id = (guint16) (p[0] | (p[1] << 8));
    switch (file_id) {
    case 0x2FE2: /* EF_ICCID: readable before PIN */
        data = encode_bcd (s->iccid ? s->iccid : "");
        break;
    case 0x6F07: /* EF_IMSI */
        if (card != SIM_CARD_READY)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_PIN_RESTRICTION);
        data = encode_imsi (s->imsi ? s->imsi : "");
        break;
    case 0x6FAD: { /* EF_AD: byte 3 = MNC length */
        guint8 ad[4] = { 0, 0, 0, (guint8) strlen (s->mnc ? s->mnc : "00") };

        data = g_byte_array_new ();
        sim_buf_bytes (data, ad, 4);
        break;
    }
    case 0x6F46: { /* EF_SPN */
        guint8 spn[17];
        gsize n = MIN (16, strlen (s->operator_name ? s->operator_name : ""));

        memset (spn, 0xFF, sizeof spn);
        spn[0] = 0;
        if (n)
            memcpy (spn + 1, s->operator_name, n);
        data = g_byte_array_new ();
        sim_buf_bytes (data, spn, sizeof spn);
        break;
    }
    default:
        sim_modem_log (modem, "%s UIM file 0x%04x not on this card", client->transport, file_id);
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_SIM_FILE_NOT_FOUND);
    }
    resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    sim_add_bytes (resp, 0x10, sw, 2);
    sim_buf_u16 (result, (guint16) data->len);
    sim_buf_bytes (result, data->data, data->len);
    sim_add_bytes (resp, 0x11, result->data, result->len);
    return resp;
}

/* Card Status indication to clients that registered for card events. */
void
sim_uim_notify_card (SimModem *modem)
{
    for (GList *l = sim_modem_get_clients (modem); l; l = l->next) {
        SimClient *c = l->data;
        QmiMessage *ind;

        if (c->service != QMI_SERVICE_UIM || !c->uim_events)
            continue;
        ind = sim_indication_new (c, 0x0032);
        add_card_status (ind, modem);
        sim_client_send_indication (c, ind);
    }
}

/* PIN TLV: PIN id (only PIN1 is supported), length, digits; the answer
 * carries the retries left (TLV 0x10) whether or not the PIN was right. */
QmiMessage *
sim_uim_verify_pin (SimModem *modem, QmiMessage *req, guint8 pin_tlv)
{
    guint16 len = 0;
    const guint8 *p = sim_tlv_get (req, pin_tlv, &len);
    QmiProtocolError error = QMI_PROTOCOL_ERROR_NONE;
    g_autofree gchar *pin = NULL;
    guint pin_left = 0, puk_left = 0;
    guint8 retries[2];
    QmiMessage *resp;

    if (!p || len < 2 || len < 2 + p[1])
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
    if (p[0] != QMI_UIM_PIN_ID_PIN1)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NOT_SUPPORTED);
    pin = g_strndup ((const gchar *) p + 2, p[1]);
    if (sim_modem_verify_pin (modem, pin, &error))
        error = QMI_PROTOCOL_ERROR_NONE;
    sim_modem_get_card_state (modem, &pin_left, &puk_left);
    resp = qmi_message_response_new (req, error);
    retries[0] = (guint8) pin_left;
    retries[1] = (guint8) puk_left;
    sim_add_bytes (resp, 0x10, retries, 2);
    return resp;
}

QmiMessage *
sim_uim_handle (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    QmiMessage *resp;

    switch (qmi_message_get_message_id (req)) {
    case 0x0020: /* Read Transparent */
        return read_transparent (client, req);
    case 0x0026: /* Verify PIN */
        return sim_uim_verify_pin (modem, req, 0x02);
    case 0x002A: /* Refresh Register */
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x002E: { /* Register Events */
        guint32 mask = 0;

        sim_tlv_u32 (req, 0x01, &mask);
        client->uim_events = mask != 0;
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u32 (resp, 0x10, mask);
        return resp;
    }
    case 0x002F: /* Get Card Status */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        add_card_status (resp, modem);
        return resp;
    default:
        return NULL;
    }
}
