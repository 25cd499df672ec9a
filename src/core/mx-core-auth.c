/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-auth"

#include <libmm-glib.h>

#include "mx-core-auth.h"

#define POLKIT_NAME      "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
/* PolkitCheckAuthorizationFlags: let an agent ask the user, as ModemManager does. */
#define POLKIT_ALLOW_USER_INTERACTION 1u

static GDBusConnection *auth_bus;
static MxAuthMode       auth_mode = MX_AUTH_MODE_POLKIT;

static const gchar *action_ids[] = {
  [MX_AUTH_ACTION_CONTROL]        = "org.freedesktop.ModemManager1.Control",
  [MX_AUTH_ACTION_DEVICE_CONTROL] = "org.freedesktop.ModemManager1.Device.Control",
  [MX_AUTH_ACTION_CONTACTS]       = "org.freedesktop.ModemManager1.Contacts",
  [MX_AUTH_ACTION_MESSAGING]      = "org.freedesktop.ModemManager1.Messaging",
  [MX_AUTH_ACTION_VOICE]          = "org.freedesktop.ModemManager1.Voice",
  [MX_AUTH_ACTION_TIME]           = "org.freedesktop.ModemManager1.Time",
  [MX_AUTH_ACTION_LOCATION]       = "org.freedesktop.ModemManager1.Location",
  [MX_AUTH_ACTION_USSD]           = "org.freedesktop.ModemManager1.USSD",
  [MX_AUTH_ACTION_FIRMWARE]       = "org.freedesktop.ModemManager1.Firmware",
};

const gchar *
mx_auth_action_id (MxAuthAction action)
{
  g_return_val_if_fail ((guint) action < G_N_ELEMENTS (action_ids), NULL);
  return action_ids[action];
}

void
mx_auth_setup (GDBusConnection *bus, MxAuthMode mode)
{
  g_set_object (&auth_bus, bus);
  auth_mode = mode;
  g_debug ("authorization: %s", mode == MX_AUTH_MODE_ALLOW_ALL ? "allow all (test session)" : "polkit");
}

void
mx_auth_shutdown (void)
{
  g_clear_object (&auth_bus);
  auth_mode = MX_AUTH_MODE_POLKIT;
}

gboolean
mx_auth_decide (MxAuthAction action, GVariant *reply, const GError *call_error, GError **error)
{
  const gchar *id = mx_auth_action_id (action);
  gboolean authorized = FALSE;
  gboolean challenge = FALSE;

  if (call_error) {
    GError *copy;

    if (g_error_matches (call_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, call_error->message);
      return FALSE;
    }
    /* No polkit (or a broken one) means no authorization, never "allow". */
    copy = g_error_copy (call_error);
    g_dbus_error_strip_remote_error (copy);
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED,
                 "Request not authorized: could not ask polkit about %s: %s", id, copy->message);
    g_error_free (copy);
    return FALSE;
  }

  if (!reply || !g_variant_is_of_type (reply, G_VARIANT_TYPE ("((bba{ss}))"))) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED,
                 "Request not authorized: unexpected reply from polkit about %s", id);
    return FALSE;
  }
  g_variant_get (reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
  if (authorized)
    return TRUE;
  if (challenge)
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED,
                 "Request not authorized: %s needs authentication and no polkit agent answered", id);
  else
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED,
                 "Request not authorized: polkit denies %s", id);
  return FALSE;
}

static void
check_authorization_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxAuthAction action = GPOINTER_TO_UINT (g_task_get_task_data (task));
  GError *call_error = NULL;
  GError *error = NULL;
  GVariant *reply;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), res, &call_error);
  if (mx_auth_decide (action, reply, call_error, &error)) {
    g_task_return_boolean (task, TRUE);
  } else {
    g_debug ("%s", error->message);
    g_task_return_error (task, error);
  }
  g_clear_error (&call_error);
  g_clear_pointer (&reply, g_variant_unref);
  g_object_unref (task);
}

void
mx_auth_authorize (GDBusMethodInvocation *invocation, MxAuthAction action,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  const gchar *sender = g_dbus_method_invocation_get_sender (invocation);
  const gchar *id = mx_auth_action_id (action);
  GVariantBuilder subject;

  g_task_set_source_tag (task, mx_auth_authorize);
  g_task_set_task_data (task, GUINT_TO_POINTER (action), NULL);

  if (auth_mode == MX_AUTH_MODE_ALLOW_ALL) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  if (!auth_bus || !sender || !id) {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_UNAUTHORIZED,
                             "Request not authorized: %s",
                             !sender ? "caller has no bus name" : "authorization is not set up");
    g_object_unref (task);
    return;
  }

  g_debug ("asking polkit whether %s may %s (%s.%s)", sender, id,
           g_dbus_method_invocation_get_interface_name (invocation),
           g_dbus_method_invocation_get_method_name (invocation));
  g_variant_builder_init (&subject, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&subject, "{sv}", "name", g_variant_new_string (sender));
  g_dbus_connection_call (auth_bus, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                          "CheckAuthorization",
                          g_variant_new ("((sa{sv})sa{ss}us)", "system-bus-name", &subject,
                                         id, NULL, POLKIT_ALLOW_USER_INTERACTION, ""),
                          G_VARIANT_TYPE ("((bba{ss}))"),
                          G_DBUS_CALL_FLAGS_NONE,
                          G_MAXINT,  /* a human may be typing a password into an agent */
                          cancellable, check_authorization_ready, task);
}

gboolean
mx_auth_authorize_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
