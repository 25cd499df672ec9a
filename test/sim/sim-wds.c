/* modemux-sim: QMI WDS (wireless data) service: bind, start/stop, settings. */
#define G_LOG_DOMAIN "sim-wds"

#include <string.h>

#include "sim-internal.h"

/* WDS Get Current Settings "Requested Settings" mask bits (QMI WDS, as libqmi names them) */
#define MASK_APN        (1u << 3)
#define MASK_DNS        (1u << 4)
#define MASK_IP_ADDRESS (1u << 8)
#define MASK_GATEWAY    (1u << 9)
#define MASK_MTU        (1u << 13)
#define MASK_IP_FAMILY  (1u << 15)

static guint32
ipv4_u32 (const guint8 a[4])
{
    return ((guint32) a[0] << 24) | ((guint32) a[1] << 16) | ((guint32) a[2] << 8) | a[3];
}

static void
add_pss_tlvs (QmiMessage *m, gboolean connected, guint family, guint16 end_reason, guint16 verbose_type, guint16 verbose_reason)
{
    guint8 status[2] = { connected ? QMI_WDS_CONNECTION_STATUS_CONNECTED : QMI_WDS_CONNECTION_STATUS_DISCONNECTED, 0 };

    sim_add_bytes (m, 0x01, status, 2);
    if (!connected) {
        guint8 v[4] = { verbose_type & 0xff, verbose_type >> 8, verbose_reason & 0xff, verbose_reason >> 8 };

        sim_add_u16 (m, 0x10, end_reason);
        sim_add_bytes (m, 0x11, v, 4);
    }
    sim_add_u8 (m, 0x12, (guint8) family);
}

static void
send_pss_indication (SimClient *client, gboolean connected, guint family, guint16 end_reason,
                     guint16 verbose_type, guint16 verbose_reason)
{
    QmiMessage *ind = sim_indication_new (client, 0x0022);

    add_pss_tlvs (ind, connected, family, end_reason, verbose_type, verbose_reason);
    sim_client_send_indication (client, ind);
}

/* The network ended the owner's call: tell the owner, as firmware does. */
void
sim_wds_notify_session_end (SimSession *session)
{
    SimClient *client = session->owner;

    if (!client)
        return;
    client->wds_session = NULL;
    send_pss_indication (client, FALSE, session->family, QMI_WDS_CALL_END_REASON_GENERIC_UNSPECIFIED,
                         QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP,
                         QMI_WDS_VERBOSE_CALL_END_REASON_3GPP_REGULAR_DEACTIVATION);
}

static QmiMessage *
bind_mux_data_port (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    guint16 len = 0;
    const guint8 *ep = sim_tlv_get (req, 0x10, &len);
    guint8 mux_id = 0;

    if (ep) {
        guint32 type, iface;

        if (len < 8)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MALFORMED_MESSAGE);
        type = (guint32) ep[0] | ((guint32) ep[1] << 8) | ((guint32) ep[2] << 16) | ((guint32) ep[3] << 24);
        iface = (guint32) ep[4] | ((guint32) ep[5] << 8) | ((guint32) ep[6] << 16) | ((guint32) ep[7] << 24);
        if (type != s->ep_type || iface != s->ep_iface) {
            sim_modem_log (modem, "%s bind: endpoint %u/%u is not this modem's data port %u/%u",
                           client->transport, type, iface, s->ep_type, s->ep_iface);
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
        }
    }
    sim_tlv_u8 (req, 0x11, &mux_id);
    if (mux_id > s->max_mux_id)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
    if (client->wds_session)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INCOMPATIBLE_STATE);
    client->wds_bound = TRUE;
    client->wds_mux_id = mux_id;
    sim_modem_log (modem, "%s bound to mux id %u", client->transport, mux_id);
    return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
}

static QmiMessage *
start_network (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    g_autofree gchar *apn = sim_tlv_string (req, 0x14);
    guint8 family = (guint8) client->wds_ip_family;
    guint8 profile = 0;
    QmiProtocolError error = QMI_PROTOCOL_ERROR_NONE;
    guint16 type = 0;
    gint16 reason = 0;
    SimSession *session;
    QmiMessage *resp;

    if (client->wds_session)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_EFFECT);
    sim_tlv_u8 (req, 0x19, &family);
    if (family == 8)
        family = 4;
    if (family != 4 && family != 6)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
    /* Without an APN the profile's (default: profile 1) applies. */
    if (!apn || !*apn) {
        g_free (apn);
        profile = 1;
        sim_tlv_u8 (req, 0x31, &profile);
        if (profile < 1 || profile > s->n_apns)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_PROFILE);
        apn = g_strdup (s->apns[profile - 1].name);
    }
    session = sim_modem_start_session (modem, apn, family, client->wds_mux_id, client, &error,
                                       &type, &reason);
    if (!session) {
        resp = qmi_message_response_new (req, error);
        if (error == QMI_PROTOCOL_ERROR_CALL_FAILED) {
            gboolean no_service = type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_CM &&
                                  reason == QMI_WDS_VERBOSE_CALL_END_REASON_CM_NO_SERVICE;
            guint16 code = (guint16) reason;
            guint8 v[4] = { type & 0xff, type >> 8, code & 0xff, code >> 8 };

            sim_add_u16 (resp, 0x10, no_service ? QMI_WDS_CALL_END_REASON_GENERIC_NO_SERVICE
                                                : QMI_WDS_CALL_END_REASON_GENERIC_UNSPECIFIED);
            sim_add_bytes (resp, 0x11, v, 4);
        }
        return resp;
    }
    client->wds_session = session;
    resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    sim_add_u32 (resp, 0x01, session->packet_data_handle);
    /* Firmware sends this right after the response; sending it just before
     * is equivalent for libqmi clients and keeps the last message a
     * handler produces its response (test-sim-data relies on that). */
    send_pss_indication (client, TRUE, family, 0, 0, 0);
    return resp;
}

static QmiMessage *
stop_network (SimClient *client, QmiMessage *req)
{
    SimSession *session = client->wds_session;
    guint32 handle;
    guint family;

    if (!sim_tlv_u32 (req, 0x01, &handle))
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
    if (!session)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_EFFECT);
    if (session->packet_data_handle != handle)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_HANDLE);
    family = session->family;
    client->wds_session = NULL;
    /* Tests tell a Stop Network from a released client by this line. */
    sim_modem_log (client->modem, "Stop Network: session %u (mux %u)", session->id, session->mux_id);
    sim_modem_stop_session (client->modem, session, FALSE);
    /* Firmware confirms the teardown with an indication (see start_network). */
    send_pss_indication (client, FALSE, family, QMI_WDS_CALL_END_REASON_GENERIC_CLIENT_END,
                         QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP,
                         QMI_WDS_VERBOSE_CALL_END_REASON_3GPP_REGULAR_DEACTIVATION);
    return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
}

static QmiMessage *
get_current_settings (SimClient *client, QmiMessage *req)
{
    SimSession *session = client->wds_session;
    const SimApn *apn;
    guint32 mask = 0xFFFFFFFF;
    QmiMessage *resp;

    if (!session)
        return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_OUT_OF_CALL);
    apn = session->apn;
    sim_tlv_u32 (req, 0x10, &mask);
    resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    if (mask & MASK_APN)
        sim_add_string (resp, 0x14, session->apn_name);
    if (session->family == 4) {
        if (mask & MASK_DNS) {
            if (apn->n_ipv4_dns > 0)
                sim_add_u32 (resp, 0x15, ipv4_u32 (apn->ipv4_dns[0]));
            if (apn->n_ipv4_dns > 1)
                sim_add_u32 (resp, 0x16, ipv4_u32 (apn->ipv4_dns[1]));
        }
        if (mask & MASK_IP_ADDRESS) {
            guint32 netmask = session->ipv4_prefix ? 0xFFFFFFFFu << (32 - session->ipv4_prefix) : 0;

            sim_add_u32 (resp, 0x1E, ipv4_u32 (session->ipv4_address));
            sim_add_u32 (resp, 0x21, netmask);
        }
        if (mask & MASK_GATEWAY)
            sim_add_u32 (resp, 0x20, ipv4_u32 (session->ipv4_gateway));
    } else {
        guint8 v[17];

        if (mask & MASK_DNS) {
            if (apn->n_ipv6_dns > 0)
                sim_add_bytes (resp, 0x27, apn->ipv6_dns[0], 16);
            if (apn->n_ipv6_dns > 1)
                sim_add_bytes (resp, 0x28, apn->ipv6_dns[1], 16);
        }
        if (mask & MASK_IP_ADDRESS) {
            memcpy (v, session->ipv6_address, 16);
            v[16] = (guint8) session->ipv6_prefix;
            sim_add_bytes (resp, 0x25, v, 17);
        }
        if (mask & MASK_GATEWAY) {
            memcpy (v, session->ipv6_gateway, 16);
            v[16] = (guint8) session->ipv6_prefix;
            sim_add_bytes (resp, 0x26, v, 17);
        }
    }
    if (mask & MASK_MTU)
        sim_add_u32 (resp, 0x29, session->mtu);
    if (mask & MASK_IP_FAMILY)
        sim_add_u8 (resp, 0x2B, (guint8) session->family);
    return resp;
}

QmiMessage *
sim_wds_handle (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    QmiMessage *resp;

    /* Profiles (Create/Modify/Delete, List, Settings, defaults, LTE attach). */
    if ((resp = sim_profiles_handle (client, req)))
        return resp;
    switch (qmi_message_get_message_id (req)) {
    case 0x0001: /* Set Event Report */
    case 0x0003: /* Indication Register */
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x0020:
        return start_network (client, req);
    case 0x0021:
        return stop_network (client, req);
    case 0x0022: /* Get Packet Service Status */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u8 (resp, 0x01, client->wds_session ? QMI_WDS_CONNECTION_STATUS_CONNECTED
                                                    : QMI_WDS_CONNECTION_STATUS_DISCONNECTED);
        return resp;
    case 0x0024: { /* Get Packet Statistics: tx = uplink as seen by the modem */
        SimMuxCounters *c = sim_modem_get_mux_counters (modem, client->wds_mux_id);
        guint32 mask = 0xFFFFFFFF;

        sim_tlv_u32 (req, 0x01, &mask);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        if (mask & QMI_WDS_PACKET_STATISTICS_MASK_FLAG_TX_PACKETS_OK)
            sim_add_u32 (resp, 0x10, (guint32) c->ul_packets);
        if (mask & QMI_WDS_PACKET_STATISTICS_MASK_FLAG_RX_PACKETS_OK)
            sim_add_u32 (resp, 0x11, (guint32) c->dl_packets);
        if (mask & QMI_WDS_PACKET_STATISTICS_MASK_FLAG_TX_BYTES_OK)
            sim_add_u64 (resp, 0x19, c->ul_bytes);
        if (mask & QMI_WDS_PACKET_STATISTICS_MASK_FLAG_RX_BYTES_OK)
            sim_add_u64 (resp, 0x1A, c->dl_bytes);
        return resp;
    }
    case 0x002D:
        return get_current_settings (client, req);
    case 0x0034: /* Get Autoconnect Settings */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u8 (resp, 0x01, QMI_WDS_AUTOCONNECT_SETTING_DISABLED);
        return resp;
    case 0x004D: { /* Set IP Family */
        guint8 family;

        if (!sim_tlv_u8 (req, 0x01, &family))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (family != 4 && family != 6 && family != 8)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_ARGUMENT);
        client->wds_ip_family = family == 8 ? 4 : family;
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0089: /* Bind Data Port (SIO): only BAM-DMUX firmware has it */
        if (s->ep_type != QMI_DATA_ENDPOINT_TYPE_BAM_DMUX)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_DEVICE_UNSUPPORTED);
        client->wds_bound = TRUE;
        client->wds_mux_id = 0;
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x00A2:
        return bind_mux_data_port (client, req);
    default:
        return NULL;
    }
}
