/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 3GPP profiles of a QMI modem (WDS, 3GPP profile type, the shared WDS
 * client): the Modem3gpp.ProfileManager interface and the initial EPS
 * bearer settings.
 *
 * ProfileManager.List: WDS Get Profile List, then Get Profile Settings of
 * each. Set: Modify Profile (profile-id given) or Create Profile, then the
 * profile read back; Delete: Delete Profile. Both emit Updated.
 * InitialEpsBearerSettings: the default profile (WDS Get Default Profile
 * Number, Get Profile Settings), read once the SIM is unlocked and after
 * SetInitialEpsBearerSettings, which modifies that profile. */
#define G_LOG_DOMAIN "mx-modem"

#include <stdarg.h>
#include "mx-modem-private.h"
#include "mx-modem-qmi-timeout.h"

#define WDS_TIMEOUT_S 10

/* ------------------------------------------------------------------------ */
/* Profile <-> a{sv}                                                         */

static MMBearerIpFamily
ip_type_from_pdp (QmiWdsPdpType pdp)
{
  switch (pdp) {
  case QMI_WDS_PDP_TYPE_IPV4:         return MM_BEARER_IP_FAMILY_IPV4;
  case QMI_WDS_PDP_TYPE_IPV6:         return MM_BEARER_IP_FAMILY_IPV6;
  case QMI_WDS_PDP_TYPE_IPV4_OR_IPV6: return MM_BEARER_IP_FAMILY_IPV4V6;
  default:                            return MM_BEARER_IP_FAMILY_NONE;
  }
}

static gboolean
pdp_from_ip_type (guint32 ip_type, QmiWdsPdpType *pdp)
{
  switch (ip_type) {
  case MM_BEARER_IP_FAMILY_IPV4:   *pdp = QMI_WDS_PDP_TYPE_IPV4; return TRUE;
  case MM_BEARER_IP_FAMILY_IPV6:   *pdp = QMI_WDS_PDP_TYPE_IPV6; return TRUE;
  case MM_BEARER_IP_FAMILY_IPV4V6: *pdp = QMI_WDS_PDP_TYPE_IPV4_OR_IPV6; return TRUE;
  default:                         return FALSE;
  }
}

static MMBearerAllowedAuth
auth_from_qmi (QmiWdsAuthentication auth)
{
  MMBearerAllowedAuth out = MM_BEARER_ALLOWED_AUTH_UNKNOWN;

  if (auth == QMI_WDS_AUTHENTICATION_NONE)
    return MM_BEARER_ALLOWED_AUTH_NONE;
  if (auth & QMI_WDS_AUTHENTICATION_PAP)
    out |= MM_BEARER_ALLOWED_AUTH_PAP;
  if (auth & QMI_WDS_AUTHENTICATION_CHAP)
    out |= MM_BEARER_ALLOWED_AUTH_CHAP;
  return out;
}

static QmiWdsAuthentication
auth_to_qmi (guint32 auth)
{
  QmiWdsAuthentication out = QMI_WDS_AUTHENTICATION_NONE;

  if (auth & MM_BEARER_ALLOWED_AUTH_PAP)
    out |= QMI_WDS_AUTHENTICATION_PAP;
  if (auth & MM_BEARER_ALLOWED_AUTH_CHAP)
    out |= QMI_WDS_AUTHENTICATION_CHAP;
  return out;
}

/* The profile as ModemManager's dictionaries have it; @with_id adds
 * profile-id and profile-name (ProfileManager), else it is bearer
 * properties (InitialEpsBearerSettings). */
static GVariant *
settings_to_variant (QmiMessageWdsGetProfileSettingsOutput *output, guint8 index, gboolean with_id)
{
  GVariantBuilder b;
  const gchar *s = NULL;
  QmiWdsPdpType pdp;
  QmiWdsAuthentication auth;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  if (with_id) {
    g_variant_builder_add (&b, "{sv}", "profile-id", g_variant_new_int32 (index));
    if (qmi_message_wds_get_profile_settings_output_get_profile_name (output, &s, NULL) && s && *s)
      g_variant_builder_add (&b, "{sv}", "profile-name", g_variant_new_string (s));
  }
  s = NULL;
  qmi_message_wds_get_profile_settings_output_get_apn_name (output, &s, NULL);
  g_variant_builder_add (&b, "{sv}", "apn", g_variant_new_string (s ? s : ""));
  if (qmi_message_wds_get_profile_settings_output_get_pdp_type (output, &pdp, NULL))
    g_variant_builder_add (&b, "{sv}", "ip-type", g_variant_new_uint32 (ip_type_from_pdp (pdp)));
  if (qmi_message_wds_get_profile_settings_output_get_authentication (output, &auth, NULL))
    g_variant_builder_add (&b, "{sv}", "allowed-auth", g_variant_new_uint32 (auth_from_qmi (auth)));
  s = NULL;
  if (qmi_message_wds_get_profile_settings_output_get_username (output, &s, NULL) && s && *s)
    g_variant_builder_add (&b, "{sv}", "user", g_variant_new_string (s));
  return g_variant_builder_end (&b);
}

/* The settings a Set or SetInitialEpsBearerSettings asks for. */
typedef struct {
  gint32   id;                 /* -1: none given */
  gchar   *name, *apn, *user, *password;
  gboolean have_ip_type, have_auth;
  QmiWdsPdpType pdp;
  QmiWdsAuthentication auth;
} Requested;

static void
requested_clear (Requested *r)
{
  g_free (r->name);
  g_free (r->apn);
  g_free (r->user);
  g_free (r->password);
}

/* The keys of ModemManager's 3GPP profile dictionary. Those we do not act
 * on are still checked for their type (mmcli sends some of them). */
static const struct {
  const gchar *key;
  const gchar *type;
  gboolean     used;
} profile_keys[] = {
  { "profile-id",             "i", TRUE },
  { "profile-name",           "s", TRUE },
  { "apn",                    "s", TRUE },
  { "user",                   "s", TRUE },
  { "password",               "s", TRUE },
  { "ip-type",                "u", TRUE },
  { "allowed-auth",           "u", TRUE },
  { "apn-type",               "u", FALSE },
  { "access-type-preference", "u", FALSE },
  { "roaming-allowance",      "u", FALSE },
  { "profile-source",         "u", FALSE },
  { "enabled",                "b", FALSE },
};

/* QMI carries these in TLVs; 3GPP TS 23.003 allows 100 octets of APN. */
#define MAX_APN_LEN        100
#define MAX_CREDENTIAL_LEN 127
#define ALLOWED_AUTH_KNOWN (MM_BEARER_ALLOWED_AUTH_NONE | MM_BEARER_ALLOWED_AUTH_PAP | \
                            MM_BEARER_ALLOWED_AUTH_CHAP | MM_BEARER_ALLOWED_AUTH_MSCHAP | \
                            MM_BEARER_ALLOWED_AUTH_MSCHAPV2 | MM_BEARER_ALLOWED_AUTH_EAP)

static gboolean
invalid (GError **error, const gchar *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const gchar *format, ...)
{
  va_list ap;
  g_autofree gchar *message = NULL;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS, "Invalid profile settings: %s", message);
  return FALSE;
}

static gboolean
take_string (GVariant *v, const gchar *key, gsize max, gchar **out, GError **error)
{
  gsize len;
  const gchar *s = g_variant_get_string (v, &len);

  if (len > max)
    return invalid (error, "'%s' is longer than %" G_GSIZE_FORMAT " characters", key, max);
  g_free (*out);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
requested_parse (GVariant *dict, Requested *r, GError **error)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  r->id = -1;
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
    g_autoptr(GVariant) v = value;
    guint i;

    for (i = 0; i < G_N_ELEMENTS (profile_keys) && !g_str_equal (key, profile_keys[i].key); i++)
      ;
    if (i == G_N_ELEMENTS (profile_keys))
      return invalid (error, "unknown key '%.64s'", key);
    if (!g_variant_is_of_type (v, G_VARIANT_TYPE (profile_keys[i].type)))
      return invalid (error, "'%s' must be of type '%s', not '%s'", key, profile_keys[i].type,
                      g_variant_get_type_string (v));
    if (!profile_keys[i].used) {
      g_debug ("profile settings: '%s' is accepted and not used", key);
      continue;
    }
    if (g_str_equal (key, "profile-id")) {
      r->id = g_variant_get_int32 (v);
      /* QMI profile indexes are one byte; MM_3GPP_PROFILE_ID_UNKNOWN is -1. */
      if (r->id != -1 && (r->id < 1 || r->id > 255))
        return invalid (error, "profile-id %d is out of range (1 to 255)", r->id);
    } else if (g_str_equal (key, "profile-name")) {
      if (!take_string (v, key, MAX_APN_LEN, &r->name, error))
        return FALSE;
    } else if (g_str_equal (key, "apn")) {
      if (!take_string (v, key, MAX_APN_LEN, &r->apn, error))
        return FALSE;
    } else if (g_str_equal (key, "user")) {
      if (!take_string (v, key, MAX_CREDENTIAL_LEN, &r->user, error))
        return FALSE;
    } else if (g_str_equal (key, "password")) {
      if (!take_string (v, key, MAX_CREDENTIAL_LEN, &r->password, error))
        return FALSE;
    } else if (g_str_equal (key, "ip-type")) {
      if (!pdp_from_ip_type (g_variant_get_uint32 (v), &r->pdp))
        return invalid (error, "unsupported ip-type %u", g_variant_get_uint32 (v));
      r->have_ip_type = TRUE;
    } else if (g_str_equal (key, "allowed-auth")) {
      guint32 auth = g_variant_get_uint32 (v);

      if (auth & ~ALLOWED_AUTH_KNOWN)
        return invalid (error, "unknown allowed-auth bits 0x%x", auth & ~ALLOWED_AUTH_KNOWN);
      r->auth = auth_to_qmi (auth);
      r->have_auth = TRUE;
    }
  }
  if (!r->name && !r->apn && !r->user && !r->password && !r->have_ip_type && !r->have_auth &&
      r->id == -1)
    return invalid (error, "no settings given");
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* One operation: the WDS client, then a chain of requests                  */

typedef enum { OP_LIST, OP_SET, OP_DELETE, OP_LOAD_INITIAL, OP_SET_INITIAL } OpKind;

typedef struct {
  MxModem               *self;
  GDBusMethodInvocation *invocation;   /* NULL for OP_LOAD_INITIAL */
  OpKind                 kind;
  QmiClientWds          *wds;
  Requested              req;
  GArray                *list;         /* OP_LIST: profile indexes */
  guint                  next;
  GVariantBuilder        profiles;     /* OP_LIST */
  guint8                 index;        /* profile being read/written */
} Op;

static void
op_free (Op *op)
{
  if (op->kind == OP_LIST)
    g_variant_builder_clear (&op->profiles);
  g_clear_pointer (&op->list, g_array_unref);
  requested_clear (&op->req);
  g_clear_object (&op->wds);
  g_clear_object (&op->invocation);
  g_object_unref (op->self);
  g_free (op);
}

static void
op_fail (Op *op, const gchar *what, GError *error)
{
  if (op->invocation) {
    if (error->domain == MM_CORE_ERROR)
      g_dbus_method_invocation_return_gerror (op->invocation, error);
    else
      g_dbus_method_invocation_return_error (op->invocation, MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                             "%s: %s", what, error->message);
  } else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("initial EPS bearer settings not available: %s: %s", what, error->message);
  g_error_free (error);
  op_free (op);
}

static void read_settings (Op *op);

static void
list_next (Op *op)
{
  if (op->next < op->list->len) {
    op->index = g_array_index (op->list, guint8, op->next++);
    read_settings (op);
    return;
  }
  mm_gdbus_modem3gpp_profile_manager_complete_list (op->self->profile_manager, op->invocation,
                                                    g_variant_builder_end (&op->profiles));
  g_variant_builder_init (&op->profiles, G_VARIANT_TYPE ("aa{sv}"));
  op_free (op);
}

static void
settings_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(QmiMessageWdsGetProfileSettingsOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_wds_get_profile_settings_finish (QMI_CLIENT_WDS (source), res, &error);
  if (!output || !qmi_message_wds_get_profile_settings_output_get_result (output, &error)) {
    op_fail (op, "WDS Get Profile Settings", error);
    return;
  }
  switch (op->kind) {
  case OP_LIST:
    g_variant_builder_add_value (&op->profiles, settings_to_variant (output, op->index, TRUE));
    list_next (op);
    return;
  case OP_SET:
    mm_gdbus_modem3gpp_profile_manager_emit_updated (op->self->profile_manager);
    mm_gdbus_modem3gpp_profile_manager_complete_set (op->self->profile_manager, op->invocation,
                                                     settings_to_variant (output, op->index, TRUE));
    break;
  case OP_LOAD_INITIAL:
  case OP_SET_INITIAL:
    mm_gdbus_modem3gpp_set_initial_eps_bearer_settings (op->self->modem_3gpp,
                                                        settings_to_variant (output, op->index, FALSE));
    if (op->invocation)
      mm_gdbus_modem3gpp_complete_set_initial_eps_bearer_settings (op->self->modem_3gpp, op->invocation);
    break;
  case OP_DELETE:
  default:
    g_assert_not_reached ();
  }
  op_free (op);
}

static void
read_settings (Op *op)
{
  g_autoptr(QmiMessageWdsGetProfileSettingsInput) input = qmi_message_wds_get_profile_settings_input_new ();

  qmi_message_wds_get_profile_settings_input_set_profile_id (input, QMI_WDS_PROFILE_TYPE_3GPP, op->index, NULL);
  qmi_client_wds_get_profile_settings (op->wds, input, mx_qmi_timeout (WDS_TIMEOUT_S), op->self->cancellable,
                                       settings_ready, op);
}

static void
profile_list_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(QmiMessageWdsGetProfileListOutput) output = NULL;
  GError *error = NULL;
  GArray *profiles = NULL;
  guint i;

  output = qmi_client_wds_get_profile_list_finish (QMI_CLIENT_WDS (source), res, &error);
  if (!output || !qmi_message_wds_get_profile_list_output_get_result (output, &error) ||
      !qmi_message_wds_get_profile_list_output_get_profile_list (output, &profiles, &error)) {
    op_fail (op, "WDS Get Profile List", error);
    return;
  }
  op->list = g_array_new (FALSE, FALSE, sizeof (guint8));
  for (i = 0; i < profiles->len; i++) {
    const QmiMessageWdsGetProfileListOutputProfileListProfile *p =
      &g_array_index (profiles, QmiMessageWdsGetProfileListOutputProfileListProfile, i);
    if (p->profile_type == QMI_WDS_PROFILE_TYPE_3GPP)
      g_array_append_val (op->list, p->profile_index);
  }
  list_next (op);
}

/* Modify and Create Profile take the same settings; one macro per type. */
#define SET_SETTINGS(prefix, input, r)                                                   \
  G_STMT_START {                                                                         \
    if ((r)->name) prefix##_set_profile_name (input, (r)->name, NULL);                   \
    if ((r)->apn) prefix##_set_apn_name (input, (r)->apn, NULL);                         \
    if ((r)->user) prefix##_set_username (input, (r)->user, NULL);                       \
    if ((r)->password) prefix##_set_password (input, (r)->password, NULL);               \
    if ((r)->have_ip_type) prefix##_set_pdp_type (input, (r)->pdp, NULL);                \
    if ((r)->have_auth) prefix##_set_authentication (input, (r)->auth, NULL);            \
  } G_STMT_END

static void
modify_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(QmiMessageWdsModifyProfileOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_wds_modify_profile_finish (QMI_CLIENT_WDS (source), res, &error);
  if (!output || !qmi_message_wds_modify_profile_output_get_result (output, &error)) {
    op_fail (op, "WDS Modify Profile", error);
    return;
  }
  read_settings (op);
}

static void
create_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(QmiMessageWdsCreateProfileOutput) output = NULL;
  GError *error = NULL;
  QmiWdsProfileType type;

  output = qmi_client_wds_create_profile_finish (QMI_CLIENT_WDS (source), res, &error);
  if (!output || !qmi_message_wds_create_profile_output_get_result (output, &error) ||
      !qmi_message_wds_create_profile_output_get_profile_identifier (output, &type, &op->index, &error)) {
    op_fail (op, "WDS Create Profile", error);
    return;
  }
  read_settings (op);
}

static void
modify (Op *op)
{
  g_autoptr(QmiMessageWdsModifyProfileInput) input = qmi_message_wds_modify_profile_input_new ();

  qmi_message_wds_modify_profile_input_set_profile_identifier (input, QMI_WDS_PROFILE_TYPE_3GPP, op->index, NULL);
  SET_SETTINGS (qmi_message_wds_modify_profile_input, input, &op->req);
  qmi_client_wds_modify_profile (op->wds, input, mx_qmi_timeout (WDS_TIMEOUT_S), op->self->cancellable,
                                 modify_ready, op);
}

static void
delete_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(QmiMessageWdsDeleteProfileOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_wds_delete_profile_finish (QMI_CLIENT_WDS (source), res, &error);
  if (!output || !qmi_message_wds_delete_profile_output_get_result (output, &error)) {
    op_fail (op, "WDS Delete Profile", error);
    return;
  }
  mm_gdbus_modem3gpp_profile_manager_emit_updated (op->self->profile_manager);
  mm_gdbus_modem3gpp_profile_manager_complete_delete (op->self->profile_manager, op->invocation);
  op_free (op);
}

static void
default_number_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  g_autoptr(QmiMessageWdsGetDefaultProfileNumberOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_wds_get_default_profile_number_finish (QMI_CLIENT_WDS (source), res, &error);
  if (!output || !qmi_message_wds_get_default_profile_number_output_get_result (output, &error) ||
      !qmi_message_wds_get_default_profile_number_output_get_index (output, &op->index, &error)) {
    op_fail (op, "WDS Get Default Profile Number", error);
    return;
  }
  if (op->kind == OP_SET_INITIAL)
    modify (op);
  else
    read_settings (op);
}

static void
wds_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Op *op = user_data;
  GError *error = NULL;
  QmiClient *client = mx_qmi_port_get_client_finish (MX_QMI_PORT (source), res, &error);

  if (!client) {
    op_fail (op, "WDS client", error);
    return;
  }
  op->wds = QMI_CLIENT_WDS (client);
  switch (op->kind) {
  case OP_LIST: {
    g_autoptr(QmiMessageWdsGetProfileListInput) input = qmi_message_wds_get_profile_list_input_new ();
    qmi_message_wds_get_profile_list_input_set_profile_type (input, QMI_WDS_PROFILE_TYPE_3GPP, NULL);
    qmi_client_wds_get_profile_list (op->wds, input, mx_qmi_timeout (WDS_TIMEOUT_S), op->self->cancellable,
                                     profile_list_ready, op);
    return;
  }
  case OP_SET:
    if (op->req.id >= 1) {
      op->index = (guint8) op->req.id;
      modify (op);
    } else {
      g_autoptr(QmiMessageWdsCreateProfileInput) input = qmi_message_wds_create_profile_input_new ();
      qmi_message_wds_create_profile_input_set_profile_type (input, QMI_WDS_PROFILE_TYPE_3GPP, NULL);
      SET_SETTINGS (qmi_message_wds_create_profile_input, input, &op->req);
      qmi_client_wds_create_profile (op->wds, input, mx_qmi_timeout (WDS_TIMEOUT_S), op->self->cancellable,
                                     create_ready, op);
    }
    return;
  case OP_DELETE: {
    g_autoptr(QmiMessageWdsDeleteProfileInput) input = qmi_message_wds_delete_profile_input_new ();
    qmi_message_wds_delete_profile_input_set_profile_identifier (input, QMI_WDS_PROFILE_TYPE_3GPP,
                                                                 (guint8) op->req.id, NULL);
    qmi_client_wds_delete_profile (op->wds, input, mx_qmi_timeout (WDS_TIMEOUT_S), op->self->cancellable,
                                   delete_ready, op);
    return;
  }
  case OP_LOAD_INITIAL:
  case OP_SET_INITIAL:
  default: {
    g_autoptr(QmiMessageWdsGetDefaultProfileNumberInput) input = qmi_message_wds_get_default_profile_number_input_new ();
    qmi_message_wds_get_default_profile_number_input_set_profile_type (input, QMI_WDS_PROFILE_TYPE_3GPP,
                                                                       QMI_WDS_PROFILE_FAMILY_EMBEDDED, NULL);
    qmi_client_wds_get_default_profile_number (op->wds, input, mx_qmi_timeout (WDS_TIMEOUT_S),
                                               op->self->cancellable, default_number_ready, op);
    return;
  }
  }
}

static void
op_start (MxModem *self, GDBusMethodInvocation *invocation, OpKind kind, GVariant *dict)
{
  Op *op = g_new0 (Op, 1);
  GError *error = NULL;

  op->self = g_object_ref (self);
  op->invocation = invocation ? g_object_ref (invocation) : NULL;
  op->kind = kind;
  op->req.id = -1;
  if (kind == OP_LIST)
    g_variant_builder_init (&op->profiles, G_VARIANT_TYPE ("aa{sv}"));
  if (dict && !requested_parse (dict, &op->req, &error)) {
    op_fail (op, "profile", error);
    return;
  }
  if (kind == OP_DELETE && op->req.id < 1) {
    op_fail (op, "profile", g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                                         "Cannot delete a profile without its profile-id"));
    return;
  }
  if (!self->port || self->removed || mx_modem_get_state (self) < MM_MODEM_STATE_LOCKED) {
    op_fail (op, "profile", g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                         "The modem is not initialized"));
    return;
  }
  mx_qmi_port_get_client (self->port, QMI_SERVICE_WDS, MX_QMI_CLIENT_SHARED, self->cancellable, wds_ready, op);
}

/* ------------------------------------------------------------------------ */
/* D-Bus                                                                    */

static gboolean
handle_list (MmGdbusModem3gppProfileManager *skeleton, GDBusMethodInvocation *invocation, MxModem *self)
{
  op_start (self, invocation, OP_LIST, NULL);
  return TRUE;
}

static void
do_set (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  op_start (self, invocation, OP_SET, args);
}

static gboolean
handle_set (MmGdbusModem3gppProfileManager *skeleton, GDBusMethodInvocation *invocation, GVariant *profile,
            MxModem *self)
{
  mx_modem_run_authorized (self, invocation, profile, do_set);
  return TRUE;
}

static void
do_delete (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  op_start (self, invocation, OP_DELETE, args);
}

static gboolean
handle_delete (MmGdbusModem3gppProfileManager *skeleton, GDBusMethodInvocation *invocation, GVariant *profile,
               MxModem *self)
{
  mx_modem_run_authorized (self, invocation, profile, do_delete);
  return TRUE;
}

static void
do_set_initial (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  op_start (self, invocation, OP_SET_INITIAL, args);
}

static gboolean
handle_set_initial (MmGdbusModem3gpp *skeleton, GDBusMethodInvocation *invocation, GVariant *settings,
                    MxModem *self)
{
  mx_modem_run_authorized (self, invocation, settings, do_set_initial);
  return TRUE;
}

void
mx_modem_profiles_load_initial (MxModem *self)
{
  op_start (self, NULL, OP_LOAD_INITIAL, NULL);
}

void
mx_modem_profiles_init (MxModem *self)
{
  mm_gdbus_modem3gpp_profile_manager_set_index_field (self->profile_manager, "profile-id");
  g_signal_connect (self->profile_manager, "handle-list", G_CALLBACK (handle_list), self);
  g_signal_connect (self->profile_manager, "handle-set", G_CALLBACK (handle_set), self);
  g_signal_connect (self->profile_manager, "handle-delete", G_CALLBACK (handle_delete), self);
  g_signal_connect (self->modem_3gpp, "handle-set-initial-eps-bearer-settings", G_CALLBACK (handle_set_initial), self);
}
