/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line parsing of modemuxd. */
#include "mx-core-context.h"
#include "mx-modem-qmi-timeout.h"
#include "mx-core-errors.h"

#include <glib/gstdio.h>
#include <string.h>

static MxContext *
parse (GError **error, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  const gchar *arg;
  MxContext *ctx;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) "modemuxd");
  va_start (ap, error);
  while ((arg = va_arg (ap, const gchar *)))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  ctx = mx_context_parse ((const gchar * const *) argv->pdata, error);
  g_ptr_array_free (argv, TRUE);
  return ctx;
}

static void
test_defaults_serve_the_system_bus_at_info (void)
{
  g_autoptr(MxContext) ctx = parse (NULL, NULL);

  g_assert_nonnull (ctx);
  g_assert_cmpint (ctx->log_level, ==, MX_LOG_LEVEL_INFO);
  g_assert_cmpint (mx_context_bus_type (ctx), ==, G_BUS_TYPE_SYSTEM);
  g_assert_false (ctx->show_version);
  g_assert_false (ctx->no_auto_scan);
  g_assert_false (ctx->test_no_qrtr);
  g_assert_false (ctx->test_multiplex_requested);
  g_assert_cmpuint (ctx->test_qmi_timeout, ==, 0);
  g_assert_null (ctx->initial_kernel_events);
  g_assert_null (ctx->test_plugin_dir);
}

static void
test_every_option_is_stored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxContext) ctx = parse (&error, "--test-session", "--log-level=WARN",
                                    "--log-timestamps", "--no-auto-scan",
                                    "--initial-kernel-events=/tmp/events", "--test-no-qrtr",
                                    "--test-multiplex-requested", "--test-plugin-dir", "/tmp/p",
                                    "--test-qmi-timeout=3",
                                    "--log-personal-info", "--log-domains=mx-link", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (mx_context_bus_type (ctx), ==, G_BUS_TYPE_SESSION);
  g_assert_cmpint (ctx->log_level, ==, MX_LOG_LEVEL_WARN);
  g_assert_true (ctx->log_timestamps);
  g_assert_true (ctx->no_auto_scan);
  g_assert_cmpstr (ctx->initial_kernel_events, ==, "/tmp/events");
  g_assert_true (ctx->test_no_qrtr);
  g_assert_true (ctx->test_multiplex_requested);
  g_assert_cmpuint (ctx->test_qmi_timeout, ==, 3);
  g_assert_cmpstr (ctx->test_plugin_dir, ==, "/tmp/p");
  g_assert_true (ctx->log_personal_info);
  g_assert_cmpstr (ctx->log_debug_domains, ==, "mx-link");
}

static void
test_debug_implies_debug_level (void)
{
  g_autoptr(MxContext) ctx = parse (NULL, "--log-level=ERR", "--debug", NULL);

  g_assert_true (ctx->debug);
  g_assert_cmpint (ctx->log_level, ==, MX_LOG_LEVEL_DEBUG);
}

static void
test_version_short_and_long (void)
{
  g_autoptr(MxContext) a = parse (NULL, "-V", NULL);
  g_autoptr(MxContext) b = parse (NULL, "--version", NULL);

  g_assert_true (a->show_version);
  g_assert_true (b->show_version);
}

static void
test_bad_command_lines_are_refused (void)
{
  const gchar *cases[][3] = {
    { "--no-such-option", NULL },
    { "--log-level=LOUD", NULL },
    { "--log-level", NULL },          /* missing value */
    { "stray-argument", NULL },
    { "--version", "extra", NULL },
    { "--test-qmi-timeout=-1", NULL },
    { "--test-qmi-timeout=soon", NULL },
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GError *error = NULL;
    MxContext *ctx = parse (&error, cases[i][0], cases[i][1], NULL);

    g_assert_null (ctx);
    g_assert_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION);
    g_clear_error (&error);
  }
}

/* --test-qmi-timeout shortens long timeouts and leaves shorter ones alone. */
static void
test_qmi_timeout_cap (void)
{
  g_assert_cmpuint (mx_qmi_timeout (45), ==, 45);
  mx_qmi_timeout_set_cap (3);
  g_assert_cmpuint (mx_qmi_timeout (45), ==, 3);
  g_assert_cmpuint (mx_qmi_timeout (10), ==, 3);
  g_assert_cmpuint (mx_qmi_timeout (2), ==, 2);
  mx_qmi_timeout_set_cap (0);
  g_assert_cmpuint (mx_qmi_timeout (45), ==, 45);
}

static void
test_usage_lists_the_options (void)
{
  g_autofree gchar *usage = mx_context_usage ();

  g_assert_nonnull (strstr (usage, "--log-level"));
  g_assert_nonnull (strstr (usage, "--test-session"));
  g_assert_nonnull (strstr (usage, "--no-auto-scan"));
}

/* Restart policy: adopt by default, disconnect on SIGTERM (as ModemManager),
 * the state under /run/modemux; the options and the configuration file
 * change it, the command line winning over the file. */
static void
test_restart_policy (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *dir = g_dir_make_tmp ("mx-context-XXXXXX", NULL);
  g_autofree gchar *conf = g_build_filename (dir, "modemuxd.conf", NULL);
  g_autofree gchar *conf_arg = g_strconcat ("--config=", conf, NULL);
  g_autoptr(MxContext) defaults = parse (&error, "--config=/nonexistent/none.conf", NULL);
  g_autoptr(MxContext) opts = NULL;
  g_autoptr(MxContext) from_file = NULL;
  g_autoptr(MxContext) both = NULL;
  g_autoptr(MxContext) bad = NULL;

  /* A configuration file named on the command line must be readable. */
  g_assert_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION);
  g_assert_null (defaults);
  g_clear_error (&error);
  defaults = parse (&error, NULL);
  g_assert_no_error (error);
  g_assert_true (defaults->adopt);
  g_assert_false (defaults->keep_sessions_on_stop);
  g_assert_cmpstr (defaults->state_dir, ==, "/run/modemux");

  opts = parse (&error, "--no-adopt", "--keep-sessions-on-stop", "--state-dir=/tmp/st", NULL);
  g_assert_no_error (error);
  g_assert_false (opts->adopt);
  g_assert_true (opts->keep_sessions_on_stop);
  g_assert_cmpstr (opts->state_dir, ==, "/tmp/st");

  g_assert_true (g_file_set_contents (conf, "[bearers]\nadopt=false\nkeep-sessions-on-stop=true\n", -1, NULL));
  from_file = parse (&error, conf_arg, NULL);
  g_assert_no_error (error);
  g_assert_false (from_file->adopt);
  g_assert_true (from_file->keep_sessions_on_stop);

  g_assert_true (g_file_set_contents (conf, "[bearers]\nadopt=true\n", -1, NULL));
  both = parse (&error, conf_arg, "--no-adopt", NULL);
  g_assert_no_error (error);
  g_assert_false (both->adopt);

  g_assert_true (g_file_set_contents (conf, "[bearers]\nadopt=maybe\n", -1, NULL));
  bad = parse (&error, conf_arg, NULL);
  g_assert_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION);
  g_assert_nonnull (strstr (error->message, "modemuxd.conf"));
  g_assert_null (bad);
  g_unlink (conf);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/context/defaults", test_defaults_serve_the_system_bus_at_info);
  g_test_add_func ("/context/all-options", test_every_option_is_stored);
  g_test_add_func ("/context/debug", test_debug_implies_debug_level);
  g_test_add_func ("/context/version", test_version_short_and_long);
  g_test_add_func ("/context/refused", test_bad_command_lines_are_refused);
  g_test_add_func ("/context/qmi-timeout-cap", test_qmi_timeout_cap);
  g_test_add_func ("/context/usage", test_usage_lists_the_options);
  g_test_add_func ("/context/restart-policy", test_restart_policy);
  return g_test_run ();
}
