/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxd: options, logging, then the daemon's main loop. Components that
 * need to run while the bus name is ours start in on_ready() and stop in
 * on_stopping(); this is the one place that wires them together. */
#define G_LOG_DOMAIN "mx-main"

#include <locale.h>
#include <stdio.h>

#include "mx-bearer-service.h"
#include "mx-config.h"
#include "mx-core-context.h"
#include "mx-core-daemon.h"
#include "mx-discovery.h"
#include "mx-link-manager.h"
#include "mx-link-map.h"
#include "mx-core-log.h"
#include "mx-modem-command.h"
#include "mx-modem-registry.h"
#include "mx-link-netlink.h"
#include "mx-plugins.h"
#include "mx-modem-qmi-timeout.h"

/* The components, in the order they are built: the link map must be loaded
 * before bearers clean up stale links and before discovery attaches virtual
 * links to their lower's device. */
typedef struct {
  MxDaemon        *daemon;
  MxManager       *manager;
  GCancellable    *cancellable;
  MxNetlink       *netlink;
  MxLinkMap       *link_map;
  MxLinkManager   *links;
  MxBearerService *bearers;
  MxDiscovery     *discovery;
  MxModemRegistry *registry;
} Components;

static Components components;

static void
start_discovery (Components *c)
{
  const MxContext *ctx = mx_daemon_get_context (c->daemon);
  g_autoptr(GError) error = NULL;

  c->discovery = mx_discovery_new (ctx, c->manager, mx_plugins_get_builtin (), c->link_map);
  c->registry = mx_modem_registry_new (c->manager, mx_discovery_get_device_manager (c->discovery));
  if (c->bearers)
    mx_bearer_service_start (c->bearers, c->registry);
  if (!mx_discovery_start (c->discovery, &error)) {
    g_critical ("cannot start device discovery: %s", error->message);
    mx_daemon_quit (c->daemon, 1);
  }
}

static void
link_map_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Components *c = user_data;
  const MxContext *ctx;
  g_autoptr(GError) error = NULL;

  if (!mx_link_map_load_finish (MX_LINK_MAP (source), result, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    /* Without the map we cannot tell our links from foreign ones: modems
     * still work, bearers do not multiplex. */
    g_warning ("cannot read the kernel's links: %s; multiplexed bearers are unavailable",
               error->message);
    g_clear_object (&c->link_map);
  } else {
    ctx = mx_daemon_get_context (c->daemon);
    c->links = mx_link_manager_new (c->link_map, c->netlink);
    c->bearers = mx_bearer_service_new (c->links, c->netlink, ctx->test_multiplex_requested);
    mx_bearer_service_set_restart_policy (c->bearers, ctx->state_dir, ctx->adopt,
                                          ctx->keep_sessions_on_stop);
  }
  start_discovery (c);
}

static void
on_ready (MxDaemon *daemon, MxManager *manager, gpointer user_data)
{
  Components *c = user_data;
  g_autoptr(GError) error = NULL;

  c->daemon = daemon;
  c->manager = g_object_ref (manager);
  if (mx_daemon_get_context (daemon)->test_qmi_timeout) {
    mx_qmi_timeout_set_cap (mx_daemon_get_context (daemon)->test_qmi_timeout);
    g_message ("test: no QMI request waits longer than %u s", mx_daemon_get_context (daemon)->test_qmi_timeout);
  }
  c->cancellable = g_cancellable_new ();
  c->netlink = mx_netlink_new (&error);
  if (!c->netlink) {
    g_warning ("cannot open rtnetlink: %s; multiplexed bearers are unavailable", error->message);
    start_discovery (c);
    return;
  }
  c->link_map = mx_link_map_new (c->netlink, NULL);
  mx_link_map_load_async (c->link_map, c->cancellable, link_map_loaded, c);
}

/* Of the daemon's stop budget, what Stop Network may take; the rest is for
 * deleting our links without the modem when it does not answer. */
#define BEARER_STOP_BUDGET_S (MX_DAEMON_STOP_TIMEOUT_S - 3)

static void
close_modems (Components *c)
{
  if (c->registry)
    mx_modem_registry_shutdown (c->registry);
}

static void
bearers_shut_down (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Components *c = user_data;

  mx_bearer_service_shutdown_finish (MX_BEARER_SERVICE (source), result);
  close_modems (c);
  mx_daemon_release (c->daemon);
}

/* The shutdown order: no new devices; every bearer down while the control
 * ports are still open (Stop Network reaches the modem, links deleted);
 * only then are control ports closed; the bus name goes last (MxDaemon). */
static void
on_stopping (MxDaemon *daemon, MxManager *manager, gpointer user_data)
{
  Components *c = user_data;

  g_cancellable_cancel (c->cancellable);
  if (c->discovery)
    mx_discovery_stop (c->discovery);
  if (!c->bearers) {
    close_modems (c);
    return;
  }
  mx_daemon_hold (daemon);
  mx_bearer_service_shutdown (c->bearers, BEARER_STOP_BUDGET_S, bearers_shut_down, c);
}

static void
components_free (Components *c)
{
  g_clear_object (&c->registry);
  g_clear_object (&c->discovery);
  g_clear_object (&c->bearers);
  g_clear_object (&c->links);
  g_clear_object (&c->link_map);
  g_clear_object (&c->netlink);
  g_clear_object (&c->cancellable);
  g_clear_object (&c->manager);
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
  /* Modem.Command only in debug mode, as ModemManager. */
  mx_modem_command_set_allowed (ctx->debug);

  daemon = mx_daemon_new (ctx);
  g_signal_connect (daemon, "ready", G_CALLBACK (on_ready), &components);
  g_signal_connect (daemon, "stopping", G_CALLBACK (on_stopping), &components);
  status = mx_daemon_run (daemon);
  components_free (&components);
  g_object_unref (daemon);
  return status;
}
