/* modemux-sim: the modem's 3GPP profiles (WDS). They start as one profile
 * per [apn NAME] group (profile N = N-th group, IPv4v6 when the APN grants
 * both families, no authentication) and change through WDS Create, Modify
 * and Delete Profile; profile 1 is the default and the LTE attach profile.
 * Start Network keeps using the scenario's APNs (sim-wds.c). The control
 * socket lists them ("profiles"). */
#define G_LOG_DOMAIN "sim-profiles"

#include <string.h>

#include "sim-internal.h"

#define DEFAULT_PROFILE 1

void
sim_profile_free (SimProfile *p)
{
    g_free (p->name);
    g_free (p->apn);
    g_free (p->user);
    g_free (p->password);
    g_free (p);
}

GPtrArray *
sim_profiles_new (const SimScenario *s)
{
    GPtrArray *profiles = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_profile_free);

    for (guint i = 0; i < s->n_apns; i++) {
        SimProfile *p = g_new0 (SimProfile, 1);
        const SimApn *apn = &s->apns[i];

        p->index = (guint8) (i + 1);
        p->name = g_strdup (apn->name);
        p->apn = g_strdup (apn->name);
        p->pdp_type = apn->ipv4 && apn->ipv6 ? QMI_WDS_PDP_TYPE_IPV4_OR_IPV6 :
                      apn->ipv6 ? QMI_WDS_PDP_TYPE_IPV6 : QMI_WDS_PDP_TYPE_IPV4;
        p->auth = QMI_WDS_AUTHENTICATION_NONE;
        g_ptr_array_add (profiles, p);
    }
    return profiles;
}

static SimProfile *
find (GPtrArray *profiles, guint8 index)
{
    for (guint i = 0; i < profiles->len; i++) {
        SimProfile *p = profiles->pdata[i];

        if (p->index == index)
            return p;
    }
    return NULL;
}

/* The settings TLVs of Create and Modify Profile. */
static void
apply_settings (SimProfile *p, QmiMessage *req)
{
    guint16 len;
    guint8 v;

    if (sim_tlv_get (req, 0x10, &len)) {
        g_free (p->name);
        p->name = sim_tlv_string (req, 0x10);
    }
    if (sim_tlv_u8 (req, 0x11, &v))
        p->pdp_type = v;
    if (sim_tlv_get (req, 0x14, &len)) {
        g_free (p->apn);
        p->apn = sim_tlv_string (req, 0x14);
    }
    if (sim_tlv_get (req, 0x1B, &len)) {
        g_free (p->user);
        p->user = sim_tlv_string (req, 0x1B);
    }
    if (sim_tlv_get (req, 0x1C, &len)) {
        g_free (p->password);
        p->password = sim_tlv_string (req, 0x1C);
    }
    if (sim_tlv_u8 (req, 0x1D, &v))
        p->auth = v;
}

static gboolean
profile_id (QmiMessage *req, guint8 *index)
{
    guint16 len = 0;
    const guint8 *d = sim_tlv_get (req, 0x01, &len);

    if (!d || len < 2 || d[0] != QMI_WDS_PROFILE_TYPE_3GPP)
        return FALSE;
    *index = d[1];
    return TRUE;
}

static QmiMessage *
settings_response (QmiMessage *req, const SimProfile *p)
{
    QmiMessage *resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);

    /* Empty strings are left out (a TLV cannot be empty). */
    if (p->name && *p->name)
        sim_add_string (resp, 0x10, p->name);
    sim_add_u8 (resp, 0x11, p->pdp_type);
    if (p->apn && *p->apn)
        sim_add_string (resp, 0x14, p->apn);
    if (p->user && *p->user)
        sim_add_string (resp, 0x1B, p->user);
    sim_add_u8 (resp, 0x1D, p->auth);
    return resp;
}

QmiMessage *
sim_profiles_handle (SimClient *client, QmiMessage *req)
{
    GPtrArray *profiles = sim_modem_get_profiles (client->modem);
    SimProfile *p;
    QmiMessage *resp;
    guint8 index = 0;

    switch (qmi_message_get_message_id (req)) {
    case 0x0027: { /* Create Profile */
        guint8 type, d[2];

        if (!sim_tlv_u8 (req, 0x01, &type))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (type != QMI_WDS_PROFILE_TYPE_3GPP)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_PROFILE_TYPE);
        for (index = 1; find (profiles, index); index++)
            ;
        if (index > 24)
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_NO_FREE_PROFILE);
        p = g_new0 (SimProfile, 1);
        p->index = index;
        p->pdp_type = QMI_WDS_PDP_TYPE_IPV4;
        apply_settings (p, req);
        g_ptr_array_add (profiles, p);
        sim_modem_log (client->modem, "profile %u created (APN %s)", index, p->apn ? p->apn : "");
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        d[0] = QMI_WDS_PROFILE_TYPE_3GPP;
        d[1] = index;
        sim_add_bytes (resp, 0x01, d, 2);
        return resp;
    }
    case 0x0028: /* Modify Profile */
        if (!profile_id (req, &index))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (!(p = find (profiles, index)))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_EXTENDED_INTERNAL);
        apply_settings (p, req);
        sim_modem_log (client->modem, "profile %u modified (APN %s)", index, p->apn ? p->apn : "");
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x0029: /* Delete Profile */
        if (!profile_id (req, &index))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (!(p = find (profiles, index)))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_EXTENDED_INTERNAL);
        g_ptr_array_remove (profiles, p);
        sim_modem_log (client->modem, "profile %u deleted", index);
        return qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
    case 0x002A: { /* Get Profile List */
        g_autoptr(GByteArray) b = g_byte_array_new ();

        sim_buf_u8 (b, (guint8) profiles->len);
        for (guint i = 0; i < profiles->len; i++) {
            const gchar *name;

            p = profiles->pdata[i];
            name = p->name ? p->name : "";
            sim_buf_u8 (b, QMI_WDS_PROFILE_TYPE_3GPP);
            sim_buf_u8 (b, p->index);
            sim_buf_u8 (b, (guint8) strlen (name));
            sim_buf_bytes (b, name, strlen (name));
        }
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_bytes (resp, 0x01, b->data, b->len);
        return resp;
    }
    case 0x002B: /* Get Profile Settings */
        if (!profile_id (req, &index))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_MISSING_ARGUMENT);
        if (!(p = find (profiles, index)))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_EXTENDED_INTERNAL);
        return settings_response (req, p);
    case 0x002C: /* Get Default Settings */
        if (!(p = find (profiles, DEFAULT_PROFILE)))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_INVALID_PROFILE);
        return settings_response (req, p);
    case 0x0049: /* Get Default Profile Number */
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        sim_add_u8 (resp, 0x01, DEFAULT_PROFILE);
        return resp;
    case 0x0085: /* Get LTE Attach Parameters: the default profile's */
        if (!(p = find (profiles, DEFAULT_PROFILE)))
            return SIM_ERROR_RESPONSE (req, QMI_PROTOCOL_ERROR_OUT_OF_CALL);
        resp = qmi_message_response_new (req, QMI_PROTOCOL_ERROR_NONE);
        if (p->apn && *p->apn)
            sim_add_string (resp, 0x10, p->apn);
        sim_add_u8 (resp, 0x11, p->pdp_type == QMI_WDS_PDP_TYPE_IPV4_OR_IPV6 ? QMI_WDS_IP_SUPPORT_TYPE_IPV4V6 :
                                p->pdp_type == QMI_WDS_PDP_TYPE_IPV6 ? QMI_WDS_IP_SUPPORT_TYPE_IPV6 :
                                QMI_WDS_IP_SUPPORT_TYPE_IPV4);
        sim_add_u8 (resp, 0x12, 0);
        return resp;
    default:
        return NULL;
    }
}

static gboolean
cmd_profiles (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
    GPtrArray *profiles = sim_modem_get_profiles (modem);

    for (guint i = 0; i < profiles->len; i++) {
        SimProfile *p = profiles->pdata[i];
        g_autofree gchar *auth = qmi_wds_authentication_build_string_from_mask (p->auth);

        g_string_append_printf (out, "profile index=%u name=%s apn=%s pdp=%s auth=%s user=%s%s\n", p->index,
                                p->name ? p->name : "", p->apn ? p->apn : "",
                                qmi_wds_pdp_type_get_string (p->pdp_type) ?: "?",
                                auth && *auth ? auth : "none", p->user ? p->user : "",
                                p->index == DEFAULT_PROFILE ? " default=yes" : "");
    }
    return TRUE;
}

void
sim_profiles_add_control_commands (SimModem *modem)
{
    sim_modem_add_control_command (modem, "profiles", "profiles: the WDS 3GPP profiles (profile 1 = default, LTE attach)",
                                   cmd_profiles, NULL);
}
