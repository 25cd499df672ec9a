/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The authorization decision: what a polkit reply (or its absence) means. */
#include <libmm-glib.h>
#include "mx-core-auth.h"

static GVariant *
polkit_reply (gboolean authorized, gboolean challenge)
{
  return g_variant_ref_sink (g_variant_new ("((bba{ss}))", authorized, challenge, NULL));
}

static void
test_action_ids_are_modemmanagers (void)
{
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_CONTROL), ==, "org.freedesktop.ModemManager1.Control");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_DEVICE_CONTROL), ==, "org.freedesktop.ModemManager1.Device.Control");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_CONTACTS), ==, "org.freedesktop.ModemManager1.Contacts");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_MESSAGING), ==, "org.freedesktop.ModemManager1.Messaging");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_VOICE), ==, "org.freedesktop.ModemManager1.Voice");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_TIME), ==, "org.freedesktop.ModemManager1.Time");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_LOCATION), ==, "org.freedesktop.ModemManager1.Location");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_USSD), ==, "org.freedesktop.ModemManager1.USSD");
  g_assert_cmpstr (mx_auth_action_id (MX_AUTH_ACTION_FIRMWARE), ==, "org.freedesktop.ModemManager1.Firmware");
}

static void
test_decision_table (void)
{
  struct {
    gboolean authorized, challenge;
    gboolean expect;
    const gchar *expect_text;
  } table[] = {
    { TRUE,  FALSE, TRUE,  NULL },
    { TRUE,  TRUE,  TRUE,  NULL },   /* authorized wins */
    { FALSE, FALSE, FALSE, "polkit denies org.freedesktop.ModemManager1.Device.Control" },
    { FALSE, TRUE,  FALSE, "needs authentication" },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++) {
    GVariant *reply = polkit_reply (table[i].authorized, table[i].challenge);
    GError *error = NULL;
    gboolean ok = mx_auth_decide (MX_AUTH_ACTION_DEVICE_CONTROL, reply, NULL, &error);

    g_assert_cmpint (ok, ==, table[i].expect);
    if (table[i].expect) {
      g_assert_no_error (error);
    } else {
      g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED);
      g_assert_nonnull (strstr (error->message, "not authorized"));
      g_assert_nonnull (strstr (error->message, table[i].expect_text));
    }
    g_clear_error (&error);
    g_variant_unref (reply);
  }
}

static void
test_unreachable_polkit_denies (void)
{
  GError *call_error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN,
                                            "The name org.freedesktop.PolicyKit1 was not provided");
  GError *error = NULL;

  g_assert_false (mx_auth_decide (MX_AUTH_ACTION_CONTROL, NULL, call_error, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "PolicyKit1 was not provided"));
  g_clear_error (&error);
  g_error_free (call_error);
}

static void
test_cancelled_check_stays_cancelled (void)
{
  GError *call_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  GError *error = NULL;

  g_assert_false (mx_auth_decide (MX_AUTH_ACTION_CONTROL, NULL, call_error, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_error_free (call_error);
}

static void
test_malformed_reply_denies (void)
{
  GVariant *reply = g_variant_ref_sink (g_variant_new ("(b)", TRUE));
  GError *error = NULL;

  g_assert_false (mx_auth_decide (MX_AUTH_ACTION_CONTROL, reply, NULL, &error));
  g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_variant_unref (reply);
}

static void
test_unauthorized_maps_to_modemmanager_dbus_error (void)
{
  GError *error = g_error_new_literal (MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED, "x");
  gchar *name = g_dbus_error_encode_gerror (error);

  g_assert_cmpstr (name, ==, "org.freedesktop.ModemManager1.Error.Core.Unauthorized");
  g_free (name);
  g_error_free (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth/action-ids", test_action_ids_are_modemmanagers);
  g_test_add_func ("/auth/decision-table", test_decision_table);
  g_test_add_func ("/auth/no-polkit", test_unreachable_polkit_denies);
  g_test_add_func ("/auth/cancelled", test_cancelled_check_stays_cancelled);
  g_test_add_func ("/auth/malformed-reply", test_malformed_reply_denies);
  g_test_add_func ("/auth/dbus-error-name", test_unauthorized_maps_to_modemmanager_dbus_error);
  return g_test_run ();
}
