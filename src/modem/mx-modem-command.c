/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Modem.Command: one AT command on the modem's primary AT port, allowed only
 * when the daemon runs with --debug (as ModemManager: a raw AT channel next
 * to the QMI control plane is a debugging aid, not a way to drive the modem). */
#define G_LOG_DOMAIN "mx-modem"
#include "mx-core-auth.h"
#include "mx-discovery-at-probe.h"
#include "mx-modem-command.h"
#include "mx-modem-private.h"

/* The command's timeout when the caller gives none (seconds). */
#define DEFAULT_TIMEOUT_S 3

static gboolean command_allowed;

void
mx_modem_command_set_allowed (gboolean allowed)
{
  command_allowed = allowed;
}

typedef struct {
  MxModem               *self;
  GDBusMethodInvocation *invocation;
  gchar                 *command;
  guint                  timeout_s;
} CommandContext;

static void
command_context_free (CommandContext *ctx)
{
  g_object_unref (ctx->self);
  g_object_unref (ctx->invocation);
  g_free (ctx->command);
  g_free (ctx);
}

static void
command_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CommandContext *ctx = user_data;
  GError *error = NULL;
  g_autofree gchar *reply = mx_at_command_finish (res, &error);

  if (error) {
    g_dbus_method_invocation_return_error (ctx->invocation, MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                           "%s", error->message);
    g_error_free (error);
  } else {
    mm_gdbus_modem_complete_command (ctx->self->modem, ctx->invocation, reply);
  }
  command_context_free (ctx);
}

static void
authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CommandContext *ctx = user_data;
  const MxModemConfig *config = ctx->self->config;
  GError *error = NULL;

  if (!mx_auth_authorize_finish (res, &error)) {
    g_dbus_method_invocation_take_error (ctx->invocation, error);
  } else if (!command_allowed) {
    g_dbus_method_invocation_return_error (ctx->invocation, MM_CORE_ERROR,
                                           MM_CORE_ERROR_UNAUTHORIZED,
                                           "Operation only allowed in debug mode (modemuxd --debug)");
  } else if (ctx->self->removed) {
    g_dbus_method_invocation_return_error (ctx->invocation, MM_CORE_ERROR, MM_CORE_ERROR_ABORTED,
                                           "Modem was removed");
  } else if (!config->at_path) {
    g_dbus_method_invocation_return_error (ctx->invocation, MM_CORE_ERROR,
                                           MM_CORE_ERROR_UNSUPPORTED,
                                           "This modem has no AT port that answered AT");
  } else {
    g_debug ("%s: AT command on %s", ctx->self->path ? ctx->self->path : "modem", config->at_port);
    mx_at_command_path (config->at_path, ctx->command, ctx->timeout_s * 1000,
                        ctx->self->cancellable, command_ready, ctx);
    return;
  }
  command_context_free (ctx);
}

static gboolean
handle_command (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, const gchar *command,
                guint timeout, MxModem *self)
{
  CommandContext *ctx = g_new0 (CommandContext, 1);

  ctx->self = g_object_ref (self);
  ctx->invocation = g_object_ref (invocation);
  ctx->command = g_strdup (command);
  ctx->timeout_s = timeout ? timeout : DEFAULT_TIMEOUT_S;
  mx_auth_authorize (invocation, MX_AUTH_ACTION_DEVICE_CONTROL, self->cancellable, authorized, ctx);
  return TRUE;
}

void
mx_modem_command_connect (MxModem *self)
{
  g_signal_connect (self->modem, "handle-command", G_CALLBACK (handle_command), self);
}
