/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-context"

#include "mx-core-context.h"
#include "mx-core-errors.h"

#define SUMMARY "modemux: a ModemManager-compatible daemon for multiplexed data on Qualcomm modems."

/* Storage GOption writes into; copied into a fresh MxContext per parse. */
typedef struct {
  gboolean show_version;
  gboolean test_session;
  gchar   *log_level;
  gboolean debug;
  gboolean log_timestamps;
  gboolean log_personal_info;
  gchar   *log_domains;
  gboolean no_auto_scan;
  gchar   *initial_kernel_events;
  gboolean test_no_qrtr;
  gboolean test_multiplex_requested;
  gint     test_qmi_timeout;
  gchar   *test_plugin_dir;
  gboolean no_adopt;
  gboolean keep_sessions_on_stop;
  gchar   *state_dir;
  gchar   *config;
  gchar  **rest;
} Raw;

static GOptionContext *
build_option_context (Raw *raw)
{
  const GOptionEntry entries[] = {
    { "version", 'V', 0, G_OPTION_ARG_NONE, &raw->show_version,
      "Print the version and exit", NULL },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &raw->log_level,
      "Log level: one of ERR, WARN, INFO, DEBUG (default INFO)", "LEVEL" },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &raw->debug,
      "Run with extended debugging: log level DEBUG", NULL },
    { "log-timestamps", 0, 0, G_OPTION_ARG_NONE, &raw->log_timestamps,
      "Prefix log lines with the time", NULL },
    { "log-personal-info", 0, 0, G_OPTION_ARG_NONE, &raw->log_personal_info,
      "Show personal data (IMSI, ICCID, IMEI, numbers) in DEBUG logs", NULL },
    { "log-domains", 0, 0, G_OPTION_ARG_STRING, &raw->log_domains,
      "Show DEBUG lines only from these domains (e.g. mx-link,mx-qmi)", "LIST" },
    { "no-auto-scan", 0, 0, G_OPTION_ARG_NONE, &raw->no_auto_scan,
      "Do not look for devices at start-up (wait for ScanDevices/ReportKernelEvent)", NULL },
    { "initial-kernel-events", 0, 0, G_OPTION_ARG_FILENAME, &raw->initial_kernel_events,
      "Replay the kernel events in FILE at start-up", "FILE" },
    { "no-adopt", 0, 0, G_OPTION_ARG_NONE, &raw->no_adopt,
      "At start-up, remove the links a previous modemuxd left instead of adopting their sessions", NULL },
    { "keep-sessions-on-stop", 0, 0, G_OPTION_ARG_NONE, &raw->keep_sessions_on_stop,
      "On SIGTERM, stop managing but keep multiplexed sessions and their links for the next start", NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &raw->state_dir,
      "Keep the runtime state of connected bearers in DIR (default " MX_CONTEXT_DEFAULT_STATE_DIR ")", "DIR" },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &raw->config,
      "Read settings from FILE (default " MX_CONTEXT_DEFAULT_CONFIG ", if it exists)", "FILE" },
    { "test-session", 0, 0, G_OPTION_ARG_NONE, &raw->test_session,
      "Test: serve the session bus and allow every request", NULL },
    { "test-no-qrtr", 0, 0, G_OPTION_ARG_NONE, &raw->test_no_qrtr,
      "Test: ignore QRTR devices", NULL },
    { "test-multiplex-requested", 0, 0, G_OPTION_ARG_NONE, &raw->test_multiplex_requested,
      "Test: default to multiplex=requested when a connection does not say", NULL },
    { "test-qmi-timeout", 0, 0, G_OPTION_ARG_INT, &raw->test_qmi_timeout,
      "Test: let no QMI request wait longer than SECONDS for its answer", "SECONDS" },
    { "test-plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &raw->test_plugin_dir,
      "Test: load plugins from PATH", "PATH" },
    { G_OPTION_REMAINING, 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY, &raw->rest,
      NULL, NULL },
    { NULL },
  };
  GOptionContext *oc = g_option_context_new (NULL);

  g_option_context_set_summary (oc, SUMMARY);
  g_option_context_add_main_entries (oc, entries, NULL);
  return oc;
}

static void
raw_clear (Raw *raw)
{
  g_free (raw->log_level);
  g_free (raw->log_domains);
  g_free (raw->initial_kernel_events);
  g_free (raw->test_plugin_dir);
  g_free (raw->state_dir);
  g_free (raw->config);
  g_strfreev (raw->rest);
}

/* The configuration file: settings the command line can also give, which
 * wins. A missing default file is no error; a named one must be readable. */
static gboolean
read_config (MxContext *ctx, const gchar *path, gboolean must_exist, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) inner = NULL;
  gboolean value;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &inner)) {
    if (!must_exist && g_error_matches (inner, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION,
                 "cannot read configuration %s: %s", path, inner->message);
    return FALSE;
  }
  value = g_key_file_get_boolean (kf, "bearers", "adopt", &inner);
  if (!inner)
    ctx->adopt = value;
  else if (!g_error_matches (inner, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
           !g_error_matches (inner, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    goto bad;
  g_clear_error (&inner);
  value = g_key_file_get_boolean (kf, "bearers", "keep-sessions-on-stop", &inner);
  if (!inner)
    ctx->keep_sessions_on_stop = value;
  else if (!g_error_matches (inner, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
           !g_error_matches (inner, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    goto bad;
  return TRUE;

bad:
  g_set_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION,
               "configuration %s: %s", path, inner->message);
  return FALSE;
}

MxContext *
mx_context_parse (const gchar * const *argv, GError **error)
{
  Raw raw = { 0 };
  GOptionContext *oc = build_option_context (&raw);
  gchar **args = g_strdupv ((gchar **) argv);
  MxContext *ctx = NULL;
  GError *inner = NULL;
  MxLogLevel level = MX_LOG_LEVEL_DEFAULT;

  if (!g_option_context_parse_strv (oc, &args, &inner)) {
    g_set_error_literal (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION, inner->message);
    g_clear_error (&inner);
    goto out;
  }
  if (raw.rest && raw.rest[0]) {
    g_set_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION,
                 "unexpected argument '%s'", raw.rest[0]);
    goto out;
  }
  if (raw.test_qmi_timeout < 0) {
    g_set_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION,
                 "--test-qmi-timeout must be a number of seconds, not %d", raw.test_qmi_timeout);
    goto out;
  }
  if (raw.log_level && !mx_log_level_from_string (raw.log_level, &level, error))
    goto out;

  ctx = g_new0 (MxContext, 1);
  ctx->show_version = raw.show_version;
  ctx->test_session = raw.test_session;
  ctx->debug = raw.debug;
  /* --debug wins over a lower --log-level, as in ModemManager. */
  ctx->log_level = raw.debug ? MX_LOG_LEVEL_DEBUG : level;
  ctx->log_timestamps = raw.log_timestamps;
  ctx->log_personal_info = raw.log_personal_info;
  ctx->log_debug_domains = g_steal_pointer (&raw.log_domains);
  ctx->no_auto_scan = raw.no_auto_scan;
  ctx->initial_kernel_events = g_steal_pointer (&raw.initial_kernel_events);
  ctx->test_no_qrtr = raw.test_no_qrtr;
  ctx->test_multiplex_requested = raw.test_multiplex_requested;
  ctx->test_qmi_timeout = (guint) raw.test_qmi_timeout;
  ctx->test_plugin_dir = g_steal_pointer (&raw.test_plugin_dir);
  ctx->adopt = TRUE;
  if (!read_config (ctx, raw.config ? raw.config : MX_CONTEXT_DEFAULT_CONFIG, raw.config != NULL, error)) {
    g_clear_pointer (&ctx, mx_context_free);
    goto out;
  }
  if (raw.no_adopt)
    ctx->adopt = FALSE;
  if (raw.keep_sessions_on_stop)
    ctx->keep_sessions_on_stop = TRUE;
  ctx->state_dir = raw.state_dir ? g_steal_pointer (&raw.state_dir) : g_strdup (MX_CONTEXT_DEFAULT_STATE_DIR);

out:
  raw_clear (&raw);
  g_strfreev (args);
  g_option_context_free (oc);
  return ctx;
}

void
mx_context_free (MxContext *ctx)
{
  if (!ctx)
    return;
  g_free (ctx->log_debug_domains);
  g_free (ctx->initial_kernel_events);
  g_free (ctx->test_plugin_dir);
  g_free (ctx->state_dir);
  g_free (ctx);
}

gchar *
mx_context_usage (void)
{
  Raw raw = { 0 };
  GOptionContext *oc = build_option_context (&raw);
  gchar *help = g_option_context_get_help (oc, TRUE, NULL);

  g_option_context_free (oc);
  return help;
}

GBusType
mx_context_bus_type (const MxContext *ctx)
{
  return ctx->test_session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
}
