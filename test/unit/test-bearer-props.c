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

static void
test_multiplex_is_what_the_client_asked_else_the_ports_default (void)
{
  /* The client's choice wins over any default. */
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_NONE,
                                                MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, FALSE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_NONE);
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED,
                                                MM_BEARER_MULTIPLEX_SUPPORT_NONE, TRUE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED);
  /* Unset (NM 1.42): the data port's default, as its plugin decided it. */
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN,
                                                MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, FALSE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED);
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN,
                                                MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, FALSE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED);
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN,
                                                MM_BEARER_MULTIPLEX_SUPPORT_NONE, FALSE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_NONE);
  /* --test-multiplex-requested raises none to requested, never lowers required. */
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN,
                                                MM_BEARER_MULTIPLEX_SUPPORT_NONE, TRUE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED);
  g_assert_cmpint (mx_bearer_multiplex_resolve (MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN,
                                                MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, TRUE),
                   ==, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED);
}

static void
test_requested_falls_back_without_kernel_rmnet (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reason = NULL;
  MxDataFormatGoal goal;

  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, MX_DATA_DRIVER_MHI_NET,
                                           FALSE, NULL, &goal, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_RAW_IP);
  g_assert_nonnull (strstr (reason, "CONFIG_RMNET"));
}

static void
test_required_without_kernel_rmnet_names_config_rmnet (void)
{
  g_autoptr(GError) error = NULL;
  MxDataFormatGoal goal;

  g_assert_false (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, MX_DATA_DRIVER_MHI_NET,
                                            FALSE, NULL, &goal, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "CONFIG_RMNET"));
}

static void
test_none_on_ipa_is_refused (void)
{
  g_autoptr(GError) error = NULL;
  MxDataFormatGoal goal;

  g_assert_false (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_NONE, MX_DATA_DRIVER_IPA,
                                            TRUE, NULL, &goal, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "multiplex=none"));
}

static void
test_unknown_data_driver_is_refused (void)
{
  g_autoptr(GError) error = NULL;
  MxDataFormatGoal goal;

  g_assert_false (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, MX_DATA_DRIVER_UNKNOWN,
                                            TRUE, NULL, &goal, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "driver is unknown"));
}

static void
test_goals_with_kernel_rmnet (void)
{
  MxDataFormatGoal goal;

  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, MX_DATA_DRIVER_IPA,
                                           TRUE, NULL, &goal, NULL, NULL));
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_MULTIPLEX);
  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, MX_DATA_DRIVER_MHI_NET,
                                           TRUE, NULL, &goal, NULL, NULL));
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED);
  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_NONE, MX_DATA_DRIVER_QMI_WWAN,
                                           TRUE, NULL, &goal, NULL, NULL));
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_RAW_IP);
  /* bam-dmux demultiplexes in its driver: requested quietly becomes none. */
  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, MX_DATA_DRIVER_BAM_DMUX,
                                           TRUE, NULL, &goal, NULL, NULL));
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_RAW_IP);
}

/* ID_MM_MAX_MULTIPLEXED_LINKS=0, as the data port words it. */
#define NO_MUX_TAG "the udev tag ID_MM_MAX_MULTIPLEXED_LINKS=0 of mhi_hwip0 forbids multiplexing"

static void
test_port_refusal_wins_over_kernel_and_driver (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reason = NULL;
  MxDataFormatGoal goal;

  /* requested: connects without multiplexing, and the log line says why. */
  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, MX_DATA_DRIVER_MHI_NET,
                                           TRUE, NO_MUX_TAG, &goal, &reason, &error));
  g_assert_no_error (error);
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_RAW_IP);
  g_assert_nonnull (strstr (reason, "ID_MM_MAX_MULTIPLEXED_LINKS=0"));

  /* required: refused naming the tag, even where the kernel lacks rmnet too. */
  g_assert_false (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, MX_DATA_DRIVER_MHI_NET,
                                            TRUE, NO_MUX_TAG, &goal, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "ID_MM_MAX_MULTIPLEXED_LINKS=0"));
  g_clear_error (&error);
  g_assert_false (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, MX_DATA_DRIVER_MHI_NET,
                                            FALSE, NO_MUX_TAG, &goal, NULL, &error));
  g_assert_nonnull (strstr (error->message, "ID_MM_MAX_MULTIPLEXED_LINKS=0"));
  g_clear_error (&error);

  /* IPA carries nothing but QMAP: a port that may not multiplex cannot connect. */
  g_assert_false (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED, MX_DATA_DRIVER_IPA,
                                            TRUE, NO_MUX_TAG, &goal, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "ID_MM_MAX_MULTIPLEXED_LINKS=0"));
  g_clear_error (&error);

  /* none is what the port allows anyway. */
  g_assert_true (mx_bearer_multiplex_goal (MM_BEARER_MULTIPLEX_SUPPORT_NONE, MX_DATA_DRIVER_MHI_NET,
                                           TRUE, NO_MUX_TAG, &goal, NULL, NULL));
  g_assert_cmpint (goal, ==, MX_DATA_FORMAT_GOAL_RAW_IP);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bearer-props/multiplex/port-refusal", test_port_refusal_wins_over_kernel_and_driver);
  g_test_add_func ("/bearer-props/valid-properties-are-parsed", test_valid_properties_are_parsed);
  g_test_add_func ("/bearer-props/bad-input-is-a-clear-error", test_bad_input_is_a_clear_error);
  g_test_add_func ("/bearer-props/simple-connect-splits-pin-and-operator", test_simple_connect_splits_pin_and_operator);
  g_test_add_func ("/bearer-props/not-a-dictionary-is-rejected", test_not_a_dictionary_is_rejected);
  g_test_add_func ("/bearer-props/multiplex-is-what-the-client-asked-else-the-ports-default", test_multiplex_is_what_the_client_asked_else_the_ports_default);
  g_test_add_func ("/bearer-props/requested-falls-back-without-kernel-rmnet", test_requested_falls_back_without_kernel_rmnet);
  g_test_add_func ("/bearer-props/required-without-kernel-rmnet-names-config-rmnet", test_required_without_kernel_rmnet_names_config_rmnet);
  g_test_add_func ("/bearer-props/none-on-ipa-is-refused", test_none_on_ipa_is_refused);
  g_test_add_func ("/bearer-props/goals-with-kernel-rmnet", test_goals_with_kernel_rmnet);
  g_test_add_func ("/bearer-props/unknown-data-driver-is-refused", test_unknown_data_driver_is_refused);
  return g_test_run ();
}
