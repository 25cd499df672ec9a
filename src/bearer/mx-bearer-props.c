/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bearer property validation and multiplex policy (see mx-bearer-props.h). */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-props.h"

#include <string.h>

typedef enum {
  KEY_BEARER,   /* valid in CreateBearer and Simple.Connect */
  KEY_SIMPLE,   /* Simple.Connect only */
} KeyScope;

typedef struct {
  const gchar *key;
  const gchar *type;  /* GVariant type string */
  KeyScope     scope;
} KnownKey;

/* The keys we act on. NetworkManager 1.42 sends apn, user, password,
 * operator-id, pin, allow-roaming, allowed-auth, number and ip-type. */
static const KnownKey known_keys[] = {
  { "apn",           "s", KEY_BEARER },
  { "ip-type",       "u", KEY_BEARER },
  { "allowed-auth",  "u", KEY_BEARER },
  { "user",          "s", KEY_BEARER },
  { "password",      "s", KEY_BEARER },
  { "allow-roaming", "b", KEY_BEARER },
  { "multiplex",     "u", KEY_BEARER },
  { "number",        "s", KEY_BEARER },  /* dial string, meaningless on QMI; accepted */
  /* libmm-glib (mmcli) always sends these; accepted with their defaults. */
  { "profile-id",             "i", KEY_BEARER },
  { "profile-name",           "s", KEY_BEARER },
  { "apn-type",               "u", KEY_BEARER },
  { "access-type-preference", "u", KEY_BEARER },
  { "roaming-allowance",      "u", KEY_BEARER },
  { "rm-protocol",            "u", KEY_BEARER },
  { "pin",           "s", KEY_SIMPLE },
  { "operator-id",   "s", KEY_SIMPLE },
};

static const KnownKey *
find_key (const gchar *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_keys); i++)
    if (g_str_equal (known_keys[i].key, key))
      return &known_keys[i];
  return NULL;
}

static gboolean
validate_value (const gchar *key, GVariant *value, GError **error)
{
  if (g_str_equal (key, "ip-type")) {
    guint32 v = g_variant_get_uint32 (value);

    if (v != MM_BEARER_IP_FAMILY_IPV4 && v != MM_BEARER_IP_FAMILY_IPV6 &&
        v != MM_BEARER_IP_FAMILY_IPV4V6) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid ip-type %u: expected ipv4 (1), ipv6 (2) or ipv4v6 (4)", v);
      return FALSE;
    }
  } else if (g_str_equal (key, "multiplex")) {
    guint32 v = g_variant_get_uint32 (value);

    if (v > MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid multiplex %u: expected none (1), requested (2) or required (3)", v);
      return FALSE;
    }
  } else if (g_str_equal (key, "allowed-auth")) {
    guint32 v = g_variant_get_uint32 (value);
    guint32 ok = MM_BEARER_ALLOWED_AUTH_NONE | MM_BEARER_ALLOWED_AUTH_PAP |
                 MM_BEARER_ALLOWED_AUTH_CHAP;

    /* QMI Start Network can only ask for PAP and/or CHAP. */
    if (v & ~ok) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid allowed-auth 0x%x: only none, pap and chap are supported", v);
      return FALSE;
    }
  } else if (g_str_equal (key, "profile-id")) {
    gint32 v = g_variant_get_int32 (value);

    /* Connecting by stored profile is not implemented: say so rather than
     * silently connecting with other settings. */
    if (v != MM_3GPP_PROFILE_ID_UNKNOWN) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                   "Invalid profile-id %d: connecting by profile is not supported; give the apn", v);
      return FALSE;
    }
  } else if (g_str_equal (key, "apn")) {
    const gchar *apn = g_variant_get_string (value, NULL);

    /* QMI carries the APN as a string TLV; 3GPP TS 23.003 caps it at 100. */
    if (strlen (apn) > 100) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid apn: longer than 100 characters");
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
validate_dictionary (GVariant *dict, gboolean simple, GError **error)
{
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  if (!dict || !g_variant_is_of_type (dict, G_VARIANT_TYPE ("a{sv}"))) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                 "Invalid properties: expected a dictionary of type a{sv}");
    return FALSE;
  }
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value)) {
    const KnownKey *k = find_key (key);

    if (!k || (k->scope == KEY_SIMPLE && !simple)) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid properties: unknown or unsupported key '%s'", key);
      g_variant_unref (value);
      return FALSE;
    }
    if (!g_variant_is_of_type (value, G_VARIANT_TYPE (k->type))) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid properties: '%s' must be of type '%s', not '%s'",
                   key, k->type, g_variant_get_type_string (value));
      g_variant_unref (value);
      return FALSE;
    }
    if (!validate_value (key, value, error)) {
      g_variant_unref (value);
      return FALSE;
    }
  }
  return TRUE;
}

/* libmm-glib's own dictionary parsers are not public (and read values
 * without checking types), so the validated dictionary is applied here. */
static MMBearerProperties *
build_properties (GVariant *dict, gchar **pin, gchar **operator_id)
{
  MMBearerProperties *p = mm_bearer_properties_new ();
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value)) {
    if (g_str_equal (key, "apn"))
      mm_bearer_properties_set_apn (p, g_variant_get_string (value, NULL));
    else if (g_str_equal (key, "ip-type"))
      mm_bearer_properties_set_ip_type (p, g_variant_get_uint32 (value));
    else if (g_str_equal (key, "allowed-auth"))
      mm_bearer_properties_set_allowed_auth (p, g_variant_get_uint32 (value));
    else if (g_str_equal (key, "user"))
      mm_bearer_properties_set_user (p, g_variant_get_string (value, NULL));
    else if (g_str_equal (key, "password"))
      mm_bearer_properties_set_password (p, g_variant_get_string (value, NULL));
    else if (g_str_equal (key, "allow-roaming"))
      mm_bearer_properties_set_allow_roaming (p, g_variant_get_boolean (value));
    else if (g_str_equal (key, "multiplex"))
      mm_bearer_properties_set_multiplex (p, g_variant_get_uint32 (value));
    /* A key may repeat in an a{sv}: the last one wins, as for the others. */
    else if (g_str_equal (key, "pin") && pin) {
      g_free (*pin);
      *pin = g_variant_dup_string (value, NULL);
    } else if (g_str_equal (key, "operator-id") && operator_id) {
      g_free (*operator_id);
      *operator_id = g_variant_dup_string (value, NULL);
    }
    /* "number" is accepted and ignored: QMI has no dial string. */
  }
  return p;
}

MMBearerProperties *
mx_bearer_props_from_dictionary (GVariant *dict, GError **error)
{
  if (!validate_dictionary (dict, FALSE, error))
    return NULL;
  return build_properties (dict, NULL, NULL);
}

MMBearerProperties *
mx_bearer_props_from_simple_connect (GVariant  *dict,
                                     gchar    **pin,
                                     gchar    **operator_id,
                                     GError   **error)
{
  if (!validate_dictionary (dict, TRUE, error))
    return NULL;
  return build_properties (dict, pin, operator_id);
}

gboolean
mx_bearer_props_equal (MMBearerProperties *a, MMBearerProperties *b)
{
  return g_strcmp0 (mm_bearer_properties_get_apn (a), mm_bearer_properties_get_apn (b)) == 0 &&
         mm_bearer_properties_get_ip_type (a) == mm_bearer_properties_get_ip_type (b) &&
         mm_bearer_properties_get_allowed_auth (a) == mm_bearer_properties_get_allowed_auth (b) &&
         g_strcmp0 (mm_bearer_properties_get_user (a), mm_bearer_properties_get_user (b)) == 0 &&
         g_strcmp0 (mm_bearer_properties_get_password (a), mm_bearer_properties_get_password (b)) == 0 &&
         mm_bearer_properties_get_allow_roaming (a) == mm_bearer_properties_get_allow_roaming (b) &&
         mm_bearer_properties_get_multiplex (a) == mm_bearer_properties_get_multiplex (b);
}
