/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Authorization in one place. Every D-Bus method that changes state (on the
 * Manager, modems, bearers, SIMs, ...) calls mx_auth_authorize() first and
 * carries on only when it succeeds. On the system bus this asks polkit
 * (org.freedesktop.PolicyKit1 CheckAuthorization, over GDBus) with
 * ModemManager's own action ids, so existing polkit rules written for
 * ModemManager apply unchanged; with --test-session every request is allowed. */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

/* ModemManager's polkit actions (data/org.freedesktop.ModemManager1.policy). */
typedef enum {
  MX_AUTH_ACTION_CONTROL,         /* Manager methods: logging, scans, kernel events, inhibit */
  MX_AUTH_ACTION_DEVICE_CONTROL,  /* enable/disable, connect, bearers, SIM PIN, reset */
  MX_AUTH_ACTION_CONTACTS,
  MX_AUTH_ACTION_MESSAGING,
  MX_AUTH_ACTION_VOICE,
  MX_AUTH_ACTION_TIME,
  MX_AUTH_ACTION_LOCATION,
  MX_AUTH_ACTION_USSD,
  MX_AUTH_ACTION_FIRMWARE,
} MxAuthAction;

typedef enum {
  MX_AUTH_MODE_POLKIT,     /* system bus: ask polkit */
  MX_AUTH_MODE_ALLOW_ALL,  /* --test-session: no polkit on a session bus */
} MxAuthMode;

const gchar *mx_auth_action_id (MxAuthAction action);

/* Called by the daemon once the bus is up; @bus is where polkit is asked. */
void mx_auth_setup    (GDBusConnection *bus, MxAuthMode mode);
void mx_auth_shutdown (void);

/* Asks whether the sender of @invocation may perform @action (@invocation is
 * only read here; the caller keeps it and answers it). Completes with
 * TRUE, or FALSE and MM_CORE_ERROR_UNAUTHORIZED ("... not authorized ...");
 * the caller returns that error on @invocation (g_dbus_method_invocation_return_gerror)
 * and must not perform the action. @cancellable aborts the polkit call
 * (e.g. when the object goes away); the result is then G_IO_ERROR_CANCELLED. */
void     mx_auth_authorize        (GDBusMethodInvocation *invocation,
                                   MxAuthAction           action,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data);
gboolean mx_auth_authorize_finish (GAsyncResult *result, GError **error);

/* The decision from a polkit reply, exposed for unit tests: @reply is the
 * CheckAuthorization result "((bba{ss}))" or NULL with @call_error set. */
gboolean mx_auth_decide (MxAuthAction action, GVariant *reply, const GError *call_error,
                         GError **error);

G_END_DECLS
