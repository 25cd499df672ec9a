/* modemux-sim: QMI NAS (network access) service. */
#define G_LOG_DOMAIN "sim-nas"

#include <string.h>

#include "sim-internal.h"

static gboolean
is_registered (SimRegState r)
{
    return r == SIM_REG_HOME || r == SIM_REG_ROAMING;
}

static guint8
qmi_reg_state (SimRegState r)
{
    switch (r) {
    case SIM_REG_HOME:
    case SIM_REG_ROAMING:   return QMI_NAS_REGISTRATION_STATE_REGISTERED;
    case SIM_REG_SEARCHING: return QMI_NAS_REGISTRATION_STATE_NOT_REGISTERED_SEARCHING;
    case SIM_REG_DENIED:    return QMI_NAS_REGISTRATION_STATE_REGISTRATION_DENIED;
    case SIM_REG_NOT_REGISTERED:
    default:                return QMI_NAS_REGISTRATION_STATE_NOT_REGISTERED;
    }
}

static void
add_plmn (QmiMessage *m, guint8 type, const SimScenario *s)
{
    g_autoptr(GByteArray) b = g_byte_array_new ();
    const gchar *name = s->operator_name ? s->operator_name : "";

    sim_buf_u16 (b, (guint16) g_ascii_strtoull (s->mcc ? s->mcc : "0", NULL, 10));
    sim_buf_u16 (b, (guint16) g_ascii_strtoull (s->mnc ? s->mnc : "0", NULL, 10));
    sim_buf_u8 (b, (guint8) strlen (name));
    sim_buf_bytes (b, name, strlen (name));
    sim_add_bytes (m, type, b->data, b->len);
}

/* Serving System TLVs, shared by the response and the indication. */
static void
add_serving_system (QmiMessage *m, SimModem *modem)
{
    const SimScenario *s = sim_modem_get_scenario (modem);
    SimRegState reg = sim_modem_get_registration (modem);
    g_autoptr(GByteArray) b = g_byte_array_new ();
    gboolean registered = is_registered (reg);
    gboolean ps = registered && !sim_modem_get_radio (modem)->ps_detached;

    sim_buf_u8 (b, qmi_reg_state (reg));
    sim_buf_u8 (b, registered ? QMI_NAS_ATTACH_STATE_ATTACHED : QMI_NAS_ATTACH_STATE_DETACHED); /* CS */
    sim_buf_u8 (b, ps ? QMI_NAS_ATTACH_STATE_ATTACHED : QMI_NAS_ATTACH_STATE_DETACHED); /* PS */
    sim_buf_u8 (b, QMI_NAS_NETWORK_TYPE_3GPP);
    if (registered) {
        sim_buf_u8 (b, 1);
        sim_buf_u8 (b, QMI_NAS_RADIO_INTERFACE_LTE);
    } else
        sim_buf_u8 (b, 0);
    sim_add_bytes (m, 0x01, b->data, b->len);
    if (!registered)
        return;
    /* Roaming indicator: 0 = on, 1 = off */
    sim_add_u8 (m, 0x10, reg == SIM_REG_ROAMING ? 0 : 1);
    add_plmn (m, 0x12, s);
    sim_add_u32 (m, 0x1D, 0x01a2d001);  /* 3GPP cell id */
    sim_add_u16 (m, 0x25, 0x2a01);      /* LTE TAC */
}

static void
add_system_info (QmiMessage *m, SimModem *modem)
{
    const SimScenario *s = sim_modem_get_scenario (modem);
    SimRegState reg = sim_modem_get_registration (modem);
    gboolean registered = is_registered (reg);
    g_autoptr(GByteArray) b = g_byte_array_new ();
    gchar mcc[3] = { 0 }, mnc[3] = { (gchar) 0xFF, (gchar) 0xFF, (gchar) 0xFF };
    guint8 status[3];

    status[0] = registered ? QMI_NAS_SERVICE_STATUS_AVAILABLE :
                (sim_modem_get_operating_mode (modem) == QMI_DMS_OPERATING_MODE_ONLINE ?
                 QMI_NAS_SERVICE_STATUS_NONE : QMI_NAS_SERVICE_STATUS_POWER_SAVE);
    status[1] = status[0];
    status[2] = registered;
    sim_add_bytes (m, 0x14, status, 3);  /* LTE service status */
    if (!registered)
        return;
    memcpy (mcc, s->mcc ? s->mcc : "000", MIN (3, strlen (s->mcc ? s->mcc : "000")));
    memcpy (mnc, s->mnc ? s->mnc : "00", MIN (3, strlen (s->mnc ? s->mnc : "00")));
    /* LTE System Info */
    sim_buf_u8 (b, 1); sim_buf_u8 (b, QMI_NAS_NETWORK_SERVICE_DOMAIN_CS_PS);
    sim_buf_u8 (b, 1); sim_buf_u8 (b, QMI_NAS_NETWORK_SERVICE_DOMAIN_CS_PS);
    sim_buf_u8 (b, 1); sim_buf_u8 (b, reg == SIM_REG_ROAMING ? QMI_NAS_ROAMING_STATUS_ON : QMI_NAS_ROAMING_STATUS_OFF);
    sim_buf_u8 (b, 1); sim_buf_u8 (b, 0);                 /* not forbidden */
    sim_buf_u8 (b, 0); sim_buf_u16 (b, 0);                /* no LAC on LTE */
    sim_buf_u8 (b, 1); sim_buf_u32 (b, 0x01a2d001);       /* cell id */
    sim_buf_u8 (b, 0); sim_buf_u8 (b, 0); sim_buf_u8 (b, 0); /* no reject */
    sim_buf_u8 (b, 1); sim_buf_bytes (b, mcc, 3); sim_buf_bytes (b, mnc, 3);
    sim_buf_u8 (b, 1); sim_buf_u16 (b, 0x2a01);           /* TAC */
    sim_add_bytes (m, 0x19, b->data, b->len);
}

/* LTE Signal Strength (0x14), shared by Get Signal Info's response and
 * the Signal Info indication (same TLVs). */
static void
add_lte_signal (QmiMessage *m, const SimRadio *radio)
{
    g_autoptr(GByteArray) b = g_byte_array_new ();

    sim_buf_u8 (b, (guint8) (gint8) radio->rssi_dbm);
    sim_buf_u8 (b, (guint8) (gint8) radio->rsrq_db);
    sim_buf_u16 (b, (guint16) (gint16) radio->rsrp_dbm);
    sim_buf_u16 (b, (guint16) (gint16) radio->snr_db10);
    sim_add_bytes (m, 0x14, b->data, b->len);
}

/* TRUE when going from old_rssi to the radio's RSSI crosses one of the
 * client's Config Signal Info thresholds (every change when it set none). */
static gboolean
crosses_threshold (const SimClient *c, gint old_rssi, gint new_rssi)
{
    if (c->nas_rssi_thresholds_n == 0)
        return old_rssi != new_rssi;
    for (guint i = 0; i < c->nas_rssi_thresholds_n; i++) {
        gint t = c->nas_rssi_thresholds[i];

        if ((old_rssi < t) != (new_rssi < t))
            return TRUE;
    }
    return FALSE;
}

void
sim_nas_notify_signal (SimModem *modem, gint old_rssi)
{
    const SimRadio *radio = sim_modem_get_radio (modem);

    if (!is_registered (sim_modem_get_registration (modem)))
        return;
    for (GList *l = sim_modem_get_clients (modem); l; l = l->next) {
        SimClient *c = l->data;
        QmiMessage *ind;

        if (c->service != QMI_SERVICE_NAS || !c->nas_signal_ind ||
            !crosses_threshold (c, old_rssi, radio->rssi_dbm))
            continue;
        ind = sim_indication_new (c, 0x0051);
        add_lte_signal (ind, radio);
        sim_client_send_indication (c, ind);
    }
}

void
sim_nas_notify_registration (SimModem *modem)
{
    for (GList *l = sim_modem_get_clients (modem); l; l = l->next) {
        SimClient *c = l->data;
        QmiMessage *ind;

        if (c->service != QMI_SERVICE_NAS)
            continue;
        if (c->nas_serving_system_ind) {
            ind = sim_indication_new (c, 0x0024);
            add_serving_system (ind, modem);
            sim_client_send_indication (c, ind);
        }
        if (c->nas_system_info_ind) {
            ind = sim_indication_new (c, 0x004E);
            add_system_info (ind, modem);
            sim_client_send_indication (c, ind);
        }
    }
}

QmiMessage *
sim_nas_handle (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    const SimRadio *radio = sim_modem_get_radio (modem);
    gboolean registered = is_registered (sim_modem_get_registration (modem));
    QmiMessage *resp;

    switch (qmi_message_get_message_id (req)) {
    case 0x0002: { /* Set Event Report */
        guint16 len;
        const guint8 *d = sim_tlv_get (req, 0x10, &len);

        if (d && len >= 1)
            client->nas_signal_strength_report = d[0] != 0;
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0050: { /* Config Signal Info: the RSSI thresholds (0x10) are kept */
        guint16 len;
        const guint8 *d = sim_tlv_get (req, 0x10, &len);
        g_autoptr(GString) list = g_string_new (NULL);

        if (d && (len < 1 || d[0] > len - 1 || d[0] > G_N_ELEMENTS (client->nas_rssi_thresholds)))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MALFORMED_MESSAGE);
        client->nas_rssi_thresholds_n = d ? d[0] : 0;
        for (guint i = 0; i < client->nas_rssi_thresholds_n; i++) {
            client->nas_rssi_thresholds[i] = (gint8) d[1 + i];
            g_string_append_printf (list, "%s%d", i ? "," : "", client->nas_rssi_thresholds[i]);
        }
        sim_modem_log (modem, "NAS client %u: signal info RSSI thresholds %s", client->cid,
                       list->len ? list->str : "none");
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0023: { /* Attach Detach: the PS domain, told as a Serving System change */
        guint8 action;

        if (!sim_tlv_u8 (req, 0x10, &action))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (action != QMI_NAS_PS_ATTACH_ACTION_ATTACH && action != QMI_NAS_PS_ATTACH_ACTION_DETACH)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
        if (!registered)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_NETWORK_FOUND);
        if ((action == QMI_NAS_PS_ATTACH_ACTION_DETACH) == sim_modem_get_radio (modem)->ps_detached)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_EFFECT);
        sim_modem_get_radio (modem)->ps_detached = action == QMI_NAS_PS_ATTACH_ACTION_DETACH;
        sim_modem_log (modem, "PS domain %s", action == QMI_NAS_PS_ATTACH_ACTION_DETACH ? "detached" : "attached");
        sim_nas_notify_registration (modem);
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0021: /* Network Scan */
    case 0x0033: /* Set System Selection Preference */
    case 0x0034: /* Get System Selection Preference */
        return sim_radio_handle_nas (client, req);
    case 0x0003: { /* Register Indications */
        guint8 v;

        if (sim_tlv_u8 (req, 0x13, &v))
            client->nas_serving_system_ind = v;
        if (sim_tlv_u8 (req, 0x18, &v))
            client->nas_system_info_ind = v;
        if (sim_tlv_u8 (req, 0x19, &v))
            client->nas_signal_ind = v;
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0020: { /* Get Signal Strength */
        guint8 d[2];

        if (!registered)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_NETWORK_FOUND);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        d[0] = (guint8) (gint8) radio->rssi_dbm;
        d[1] = QMI_NAS_RADIO_INTERFACE_LTE;
        sim_add_bytes (resp, 0x01, d, 2);
        {
            guint8 rssi[3] = { 1, (guint8) (-radio->rssi_dbm), QMI_NAS_RADIO_INTERFACE_LTE };

            sim_add_bytes (resp, 0x11, rssi, 3);
        }
        d[0] = (guint8) (gint8) radio->rsrq_db;
        sim_add_bytes (resp, 0x16, d, 2);
        sim_add_u16 (resp, 0x17, (guint16) (gint16) radio->snr_db10);
        sim_add_u16 (resp, 0x18, (guint16) (gint16) radio->rsrp_dbm);
        return resp;
    }
    case 0x0024: /* Get Serving System */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        add_serving_system (resp, modem);
        return resp;
    case 0x0025: /* Get Home Network */
        if (sim_modem_get_card_state (modem, NULL, NULL) != SIM_CARD_READY)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        add_plmn (resp, 0x01, s);
        return resp;
    case 0x0039: { /* Get Operator Name */
        g_autoptr(GByteArray) b = g_byte_array_new ();
        const gchar *name = s->operator_name ? s->operator_name : "";

        if (!registered)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_NETWORK_FOUND);
        sim_buf_u8 (b, 0);
        sim_buf_u8 (b, (guint8) strlen (name));
        sim_buf_bytes (b, name, strlen (name));
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x10, b->data, b->len);
        return resp;
    }
    case 0x004D: /* Get System Info */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        add_system_info (resp, modem);
        return resp;
    case 0x004F: /* Get Signal Info */
        if (!registered)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_NETWORK_FOUND);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        add_lte_signal (resp, radio);
        return resp;
    default:
        return NULL;
    }
}
