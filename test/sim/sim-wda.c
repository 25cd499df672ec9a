/* modemux-sim: QMI WDA (data format) and DPM (port mapper) services. */
#define G_LOG_DOMAIN "sim-wda"

#include <string.h>

#include "sim-internal.h"

static gboolean
in_list (const guint32 *list, guint n, guint32 v)
{
    for (guint i = 0; i < n; i++)
        if (list[i] == v)
            return TRUE;
    return FALSE;
}

/* Endpoint TLV check shared by Set (0x17) and Get (0x10). */
static gboolean
check_endpoint (SimClient *client, QmiMessage *req, guint8 type, gboolean required, QmiProtocolError *error)
{
    const SimScenario *s = sim_modem_get_scenario (client->modem);
    guint16 len = 0;
    const guint8 *ep = sim_tlv_get (req, type, &len);
    guint32 ep_type, ep_iface;

    if (!ep) {
        if (required) {
            *error = QMI_PROTOCOL_ERROR_MISSING_ARGUMENT;
            return FALSE;
        }
        return TRUE;
    }
    if (len < 8) {
        *error = QMI_PROTOCOL_ERROR_MALFORMED_MESSAGE;
        return FALSE;
    }
    ep_type = (guint32) ep[0] | ((guint32) ep[1] << 8) | ((guint32) ep[2] << 16) | ((guint32) ep[3] << 24);
    ep_iface = (guint32) ep[4] | ((guint32) ep[5] << 8) | ((guint32) ep[6] << 16) | ((guint32) ep[7] << 24);
    if (ep_type != s->ep_type || ep_iface != s->ep_iface) {
        sim_modem_log (client->modem, "%s WDA: endpoint %u/%u is not this modem's data port %u/%u",
                       client->transport, ep_type, ep_iface, s->ep_type, s->ep_iface);
        *error = QMI_PROTOCOL_ERROR_INVALID_ARGUMENT;
        return FALSE;
    }
    return TRUE;
}

static void
add_format (QmiMessage *m, const SimDataFormat *df)
{
    sim_add_u8 (m, 0x10, 0); /* no QoS header */
    sim_add_u32 (m, 0x11, df->llp);
    sim_add_u32 (m, 0x12, df->ul_dap);
    sim_add_u32 (m, 0x13, df->dl_dap);
    if (df->dl_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED) {
        sim_add_u32 (m, 0x15, df->dl_max_datagrams);
        sim_add_u32 (m, 0x16, df->dl_max_size);
    }
    if (df->ul_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED) {
        sim_add_u32 (m, 0x17, df->ul_max_datagrams);
        sim_add_u32 (m, 0x18, df->ul_max_size);
    }
}

/* What the firmware takes: the link layer must be supported (else
 * InvalidDataFormat); an unsupported aggregation protocol is silently
 * replaced by "disabled", which the host sees when it re-reads the format
 * (that is how real modems refuse QMAP). DL limits are clamped. */
static QmiMessage *
set_data_format (SimClient *client, QmiMessage *req)
{
    SimModem *modem = client->modem;
    const SimScenario *s = sim_modem_get_scenario (modem);
    SimDataFormat df = *sim_modem_get_data_format (modem);
    QmiProtocolError error = QMI_PROTOCOL_ERROR_NONE;
    guint32 v, ul_dap, dl_dap;
    QmiMessage *resp;

    if (!check_endpoint (client, req, 0x17, s->endpoint_required, &error))
        return SIM_ERROR_RESPONSE (req, error);
    if (sim_tlv_u32 (req, 0x11, &v)) {
        if (!in_list (s->llps, s->n_llps, v))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_DATA_FORMAT);
        df.llp = v;
    }
    ul_dap = df.ul_dap;
    dl_dap = df.dl_dap;
    sim_tlv_u32 (req, 0x12, &ul_dap);
    sim_tlv_u32 (req, 0x13, &dl_dap);
    /* QMAP needs raw-IP framing. */
    if (!in_list (s->daps, s->n_daps, dl_dap) ||
        (dl_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED && df.llp != QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP))
        dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED;
    if (!in_list (s->daps, s->n_daps, ul_dap) ||
        (ul_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED && df.llp != QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP))
        ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED;
    df.ul_dap = ul_dap;
    df.dl_dap = dl_dap;
    if (dl_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED) {
        df.dl_max_datagrams = s->dl_max_datagrams;
        df.dl_max_size = s->dl_max_size;
        if (sim_tlv_u32 (req, 0x15, &v))
            df.dl_max_datagrams = MIN (v, s->dl_max_datagrams);
        if (sim_tlv_u32 (req, 0x16, &v))
            df.dl_max_size = MIN (v, s->dl_max_size);
    } else {
        df.dl_max_datagrams = 0;
        df.dl_max_size = 0;
    }
    if (ul_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED) {
        df.ul_max_datagrams = 11;
        df.ul_max_size = 8192;
        if (sim_tlv_u32 (req, 0x1B, &v))
            df.ul_max_datagrams = MIN (v, df.ul_max_datagrams);
        if (sim_tlv_u32 (req, 0x1C, &v))
            df.ul_max_size = MIN (v, df.ul_max_size);
    } else {
        df.ul_max_datagrams = 0;
        df.ul_max_size = 0;
    }
    df.ep_type = s->ep_type;
    df.ep_iface = s->ep_iface;
    sim_modem_set_data_format (modem, &df);
    sim_modem_log (modem, "%s data format: llp %u ul %u dl %u dl-max %u/%u", client->transport,
                   df.llp, df.ul_dap, df.dl_dap, df.dl_max_datagrams, df.dl_max_size);
    resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    add_format (resp, sim_modem_get_data_format (modem));
    return resp;
}

QmiMessage *
sim_wda_handle (SimClient *client, QmiMessage *req)
{
    QmiProtocolError error = QMI_PROTOCOL_ERROR_NONE;
    QmiMessage *resp;

    switch (qmi_message_get_message_id (req)) {
    case 0x0020:
        return set_data_format (client, req);
    case 0x0021: /* Get Data Format */
        if (!check_endpoint (client, req, 0x10, sim_modem_get_scenario (client->modem)->endpoint_required, &error))
            return SIM_ERROR_RESPONSE (req, error);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        add_format (resp, sim_modem_get_data_format (client->modem));
        return resp;
    default:
        return NULL;
    }
}

/* DPM Open Port: accepted when it names at least one port, as firmware does
 * (the kernel/IPA side is not modelled). */
QmiMessage *
sim_dpm_handle (SimClient *client, QmiMessage *req)
{
    switch (qmi_message_get_message_id (req)) {
    case 0x0020: {
        guint16 len = 0;
        const guint8 *hw = sim_tlv_get (req, 0x11, &len);
        const guint8 *sw = sim_tlv_get (req, 0x12, NULL);
        const guint8 *ctl = sim_tlv_get (req, 0x10, NULL);

        if (!hw && !sw && !ctl)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (hw && (len < 1 || len < 1 + 16u * hw[0]))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MALFORMED_MESSAGE);
        sim_modem_log (client->modem, "%s DPM port opened", client->transport);
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    }
    case 0x0021: /* Close Port */
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    default:
        return NULL;
    }
}
