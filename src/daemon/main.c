/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxd: options, logging, then the daemon's main loop. Components that
 * need to run while the bus name is ours start in on_ready() and stop in
 * on_stopping(); this is the one place that wires them together. */
#define G_LOG_DOMAIN "mx-main"

#include <locale.h>
#include <stdio.h>

#include "mx-config.h"
#include "mx-context.h"
#include "mx-daemon.h"
#include "mx-log.h"

static void
on_ready (MxDaemon *daemon, MxManager *manager, gpointer user_data)
{
  const MxContext *ctx = mx_daemon_get_context (daemon);

  /* Seam: device discovery starts here. It installs MxManagerDeviceHooks on
   * @manager (ScanDevices, ReportKernelEvent, InhibitDevice), replays
   * ctx->initial_kernel_events, exports modems with mx_manager_export_modem(),
   * and does not scan at start-up when ctx->no_auto_scan is set. */
  if (ctx->no_auto_scan)
    g_debug ("automatic scan disabled (--no-auto-scan)");
  else
    g_debug ("device discovery is not part of this build yet");
  if (ctx->initial_kernel_events)
    g_debug ("initial kernel events file: %s", ctx->initial_kernel_events);
}

static void
on_stopping (MxDaemon *daemon, MxManager *manager, gpointer user_data)
{
  /* Seam: stop discovery and unexport every modem here (mx_manager_unexport_modem),
   * before the name is released; asynchronous clean-up brackets itself with
   * mx_daemon_hold()/mx_daemon_release(). */
  g_debug ("stopping");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxContext) ctx = NULL;
  MxDaemon *daemon;
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("modemuxd");

  ctx = mx_context_parse ((const gchar * const *) argv, &error);
  if (!ctx) {
    g_autofree gchar *usage = mx_context_usage ();

    fprintf (stderr, "modemuxd: %s\n\n%s", error->message, usage);
    return 2;
  }
  if (ctx->show_version) {
    printf ("modemuxd %s\n", MX_VERSION);
    return 0;
  }

  mx_log_init (ctx->log_level, ctx->log_timestamps);
  mx_log_set_debug_domains (ctx->log_debug_domains);
  mx_log_set_personal_info (ctx->log_personal_info);

  daemon = mx_daemon_new (ctx);
  g_signal_connect (daemon, "ready", G_CALLBACK (on_ready), NULL);
  g_signal_connect (daemon, "stopping", G_CALLBACK (on_stopping), NULL);
  status = mx_daemon_run (daemon);
  g_object_unref (daemon);
  return status;
}
