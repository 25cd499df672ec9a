/* modemux-sim: QMI DMS (device management) service. */
#define G_LOG_DOMAIN "sim-dms"

#include <string.h>

#include "sim-internal.h"

static QmiMessage *
string_response (QmiMessage *req, guint8 type, const gchar *value)
{
    QmiMessage *resp;

    if (!value)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NOT_SUPPORTED);
    resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    sim_add_string (resp, type, value);
    return resp;
}

/* The UIM-through-DMS messages fail like firmware when the card is not usable. */
static gboolean
card_usable (SimModem *modem, QmiProtocolError *error)
{
    switch (sim_modem_get_card_state (modem, NULL, NULL)) {
    case SIM_CARD_ABSENT:
        *error = QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED;
        return FALSE;
    case SIM_CARD_PIN_REQUIRED:
    case SIM_CARD_PUK_REQUIRED:
    case SIM_CARD_BLOCKED:
        *error = QMI_PROTOCOL_ERROR_PIN_RESTRICTION;
        return FALSE;
    case SIM_CARD_READY:
    default:
        return TRUE;
    }
}

static guint8
pin1_status (SimModem *modem)
{
    const SimScenario *s = sim_modem_get_scenario (modem);

    switch (sim_modem_get_card_state (modem, NULL, NULL)) {
    case SIM_CARD_PIN_REQUIRED: return QMI_DMS_UIM_PIN_STATUS_ENABLED_NOT_VERIFIED;
    case SIM_CARD_PUK_REQUIRED: return QMI_DMS_UIM_PIN_STATUS_BLOCKED;
    case SIM_CARD_BLOCKED:      return QMI_DMS_UIM_PIN_STATUS_PERMANENTLY_BLOCKED;
    case SIM_CARD_READY:        return s->pin ? QMI_DMS_UIM_PIN_STATUS_ENABLED_VERIFIED : QMI_DMS_UIM_PIN_STATUS_DISABLED;
    case SIM_CARD_ABSENT:
    default:                    return QMI_DMS_UIM_PIN_STATUS_NOT_INITIALIZED;
    }
}

QmiMessage *
sim_dms_handle (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    QmiProtocolError error = QMI_PROTOCOL_ERROR_NONE;
    QmiMessage *resp;

    switch (qmi_message_get_message_id (req)) {
    case 0x0001: /* Set Event Report */
    case 0x0003: /* Indication Register */
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x0020: /* Get Capabilities */
    case 0x0045: /* Get Band Capabilities */
        return sim_radio_handle_dms (client, req);
    case 0x0021: return string_response (req, 0x01, s->manufacturer);
    case 0x0022: return string_response (req, 0x01, s->model);
    case 0x0023: return string_response (req, 0x01, s->revision);
    case 0x0024: /* Get MSISDN */
        if (!card_usable (modem, &error))
            return SIM_ERROR_RESPONSE (req, error);
        return string_response (req, 0x01, s->msisdn);
    case 0x0025: /* Get IDs */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_string (resp, 0x10, "0");   /* ESN: none on a 3GPP device */
        sim_add_string (resp, 0x11, s->imei);
        return resp;
    case 0x0026: { /* Get Power State */
        guint8 d[2] = { 0x00 /* external power */, 100 };

        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x01, d, 2);
        return resp;
    }
    case 0x0028: /* UIM Verify PIN (DMS flavour) */
        return sim_uim_verify_pin (modem, req, 0x01);
    case 0x002B: { /* UIM Get PIN Status */
        guint pin_left = 0, puk_left = 0;
        guint8 d[3];

        if (sim_modem_get_card_state (modem, &pin_left, &puk_left) == SIM_CARD_ABSENT)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        d[0] = pin1_status (modem);
        d[1] = (guint8) pin_left;
        d[2] = (guint8) puk_left;
        sim_add_bytes (resp, 0x11, d, 3);
        d[0] = QMI_DMS_UIM_PIN_STATUS_DISABLED;
        d[1] = (guint8) s->pin2_retries;
        d[2] = (guint8) s->puk2_retries;
        sim_add_bytes (resp, 0x12, d, 3);
        return resp;
    }
    case 0x002C: return string_response (req, 0x01, s->hardware_revision);
    case 0x002D: /* Get Operating Mode */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u8 (resp, 0x01, (guint8) sim_modem_get_operating_mode (modem));
        sim_add_u8 (resp, 0x11, 0); /* not hardware restricted */
        return resp;
    case 0x002E: { /* Set Operating Mode */
        guint8 mode;

        if (!sim_tlv_u8 (req, 0x01, &mode))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (!sim_modem_set_operating_mode (modem, mode, &error))
            return SIM_ERROR_RESPONSE (req, error);
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x003C: /* UIM Get ICCID */
        if (sim_modem_get_card_state (modem, NULL, NULL) == SIM_CARD_ABSENT)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED);
        return string_response (req, 0x01, s->iccid);
    case 0x0043: /* UIM Get IMSI */
        if (!card_usable (modem, &error))
            return SIM_ERROR_RESPONSE (req, error);
        return string_response (req, 0x01, s->imsi);
    case 0x0051: /* Get Software Version */
        return string_response (req, 0x01, s->revision);
    default:
        return NULL;
    }
}
