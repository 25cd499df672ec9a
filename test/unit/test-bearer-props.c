/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bearer properties from clients: validation, defaults, multiplex decision. */
#include "mx-bearer-props.h"

#include <string.h>

static GVariant *
dict (const gchar *text)
{
  return g_variant_ref_sink (g_variant_new_parsed (text));
}

static void
assert_rejected (const gchar *text, const gchar *message_part)
{
  g_autoptr(GVariant) d = dict (text);
  g_autoptr(GError) error = NULL;
  g_autoptr(MMBearerProperties) p = mx_bearer_props_from_dictionary (d, &error);

  g_assert_null (p);
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS);
  if (!strstr (error->message, message_part))
    g_error ("'%s' does not mention '%s'", error->message, message_part);
}

static void
test_valid_properties_are_parsed (void)
{
  g_autoptr(GVariant) d = dict ("{'apn': <'internet'>, 'ip-type': <@u 4>, "
                                "'allowed-auth': <@u 2>, 'user': <'u'>, 'password': <'p'>, "
                                "'allow-roaming': <false>, 'multiplex': <@u 3>}");
  g_autoptr(GError) error = NULL;
  g_autoptr(MMBearerProperties) p = mx_bearer_props_from_dictionary (d, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (mm_bearer_properties_get_apn (p), ==, "internet");
  g_assert_cmpint (mm_bearer_properties_get_ip_type (p), ==, MM_BEARER_IP_FAMILY_IPV4V6);
  g_assert_cmpint (mm_bearer_properties_get_allowed_auth (p), ==, MM_BEARER_ALLOWED_AUTH_PAP);
  g_assert_cmpstr (mm_bearer_properties_get_user (p), ==, "u");
  g_assert_cmpstr (mm_bearer_properties_get_password (p), ==, "p");
  g_assert_false (mm_bearer_properties_get_allow_roaming (p));
  g_assert_cmpint (mm_bearer_properties_get_multiplex (p), ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED);
}

static void
test_bad_input_is_a_clear_error (void)
{
  assert_rejected ("{'apn': <'x'>, 'ip-type': <@u 3>}", "ip-type");
  assert_rejected ("{'ip-type': <@u 8>}", "ipv4v6");
  assert_rejected ("{'ip-type': <'ipv4'>}", "'ip-type' must be of type 'u'");
  assert_rejected ("{'apn': <@u 1>}", "'apn' must be of type 's'");
  assert_rejected ("{'allow-roaming': <'yes'>}", "'allow-roaming' must be of type 'b'");
  assert_rejected ("{'apn': <'x'>, 'frobnicate': <'y'>}", "unknown or unsupported key 'frobnicate'");
  assert_rejected ("{'multiplex': <@u 9>}", "multiplex");
  assert_rejected ("{'allowed-auth': <@u 16>}", "pap and chap");
  /* Simple.Connect keys are not bearer keys. */
  assert_rejected ("{'pin': <'1234'>}", "'pin'");
}

static void
test_simple_connect_splits_pin_and_operator (void)
{
  g_autoptr(GVariant) d = dict ("{'apn': <'ims'>, 'pin': <'1234'>, 'operator-id': <'26201'>, "
                                "'number': <'*99#'>}");
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pin = NULL;
  g_autofree gchar *op = NULL;
  g_autoptr(MMBearerProperties) p = mx_bearer_props_from_simple_connect (d, &pin, &op, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (mm_bearer_properties_get_apn (p), ==, "ims");
  g_assert_cmpstr (pin, ==, "1234");
  g_assert_cmpstr (op, ==, "26201");
}

static void
test_not_a_dictionary_is_rejected (void)
{
  g_autoptr(GVariant) v = g_variant_ref_sink (g_variant_new_string ("apn=internet"));
  g_autoptr(GError) error = NULL;

  g_assert_null (mx_bearer_props_from_simple_connect (v, NULL, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bearer-props/valid-properties-are-parsed", test_valid_properties_are_parsed);
  g_test_add_func ("/bearer-props/bad-input-is-a-clear-error", test_bad_input_is_a_clear_error);
  g_test_add_func ("/bearer-props/simple-connect-splits-pin-and-operator", test_simple_connect_splits_pin_and_operator);
  g_test_add_func ("/bearer-props/not-a-dictionary-is-rejected", test_not_a_dictionary_is_rejected);
  return g_test_run ();
}
