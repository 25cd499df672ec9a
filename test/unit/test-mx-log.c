/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log handler: level names, the print decision, the line format. */
#include "mx-core-log.h"
#include "mx-core-errors.h"

static void
test_level_names_parse_like_modemmanager (void)
{
  struct { const char *in; MxLogLevel out; } ok[] = {
    { "ERR", MX_LOG_LEVEL_ERR }, { "WARN", MX_LOG_LEVEL_WARN }, { "INFO", MX_LOG_LEVEL_INFO },
    { "DEBUG", MX_LOG_LEVEL_DEBUG }, { "debug", MX_LOG_LEVEL_DEBUG }, { "MSG", MX_LOG_LEVEL_INFO },
  };
  const char *bad[] = { "", "TRACE", "ERROR", "3", NULL };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (ok); i++) {
    MxLogLevel level = MX_LOG_LEVEL_ERR;
    GError *error = NULL;

    g_assert_true (mx_log_level_from_string (ok[i].in, &level, &error));
    g_assert_no_error (error);
    g_assert_cmpint (level, ==, ok[i].out);
  }
  for (i = 0; i < G_N_ELEMENTS (bad); i++) {
    MxLogLevel level = MX_LOG_LEVEL_WARN;
    GError *error = NULL;

    g_assert_false (mx_log_level_from_string (bad[i], &level, &error));
    g_assert_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION);
    g_assert_cmpint (level, ==, MX_LOG_LEVEL_WARN);  /* untouched on error */
    g_clear_error (&error);
  }
}

static void
test_level_round_trips_through_its_name (void)
{
  MxLogLevel level;

  for (level = MX_LOG_LEVEL_ERR; level <= MX_LOG_LEVEL_DEBUG; level++) {
    MxLogLevel back = 99;

    g_assert_true (mx_log_level_from_string (mx_log_level_to_string (level), &back, NULL));
    g_assert_cmpint (back, ==, level);
  }
}

static void
test_glib_levels_map_onto_ours (void)
{
  g_assert_cmpint (mx_log_level_from_glib (G_LOG_LEVEL_CRITICAL), ==, MX_LOG_LEVEL_ERR);
  g_assert_cmpint (mx_log_level_from_glib (G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL), ==, MX_LOG_LEVEL_ERR);
  g_assert_cmpint (mx_log_level_from_glib (G_LOG_LEVEL_WARNING), ==, MX_LOG_LEVEL_WARN);
  g_assert_cmpint (mx_log_level_from_glib (G_LOG_LEVEL_MESSAGE), ==, MX_LOG_LEVEL_INFO);
  g_assert_cmpint (mx_log_level_from_glib (G_LOG_LEVEL_INFO), ==, MX_LOG_LEVEL_INFO);
  g_assert_cmpint (mx_log_level_from_glib (G_LOG_LEVEL_DEBUG), ==, MX_LOG_LEVEL_DEBUG);
}

static void
test_threshold_decides_what_is_printed (void)
{
  g_assert_true (mx_log_should_print (MX_LOG_LEVEL_INFO, NULL, MX_LOG_LEVEL_ERR, "mx-a"));
  g_assert_true (mx_log_should_print (MX_LOG_LEVEL_INFO, NULL, MX_LOG_LEVEL_INFO, "mx-a"));
  g_assert_false (mx_log_should_print (MX_LOG_LEVEL_INFO, NULL, MX_LOG_LEVEL_DEBUG, "mx-a"));
  g_assert_false (mx_log_should_print (MX_LOG_LEVEL_ERR, NULL, MX_LOG_LEVEL_WARN, "mx-a"));
  g_assert_true (mx_log_should_print (MX_LOG_LEVEL_DEBUG, NULL, MX_LOG_LEVEL_DEBUG, NULL));
}

static void
test_debug_domains_filter_only_debug_lines (void)
{
  const gchar *domains[] = { "mx-link", "mx-qmi", NULL };

  g_assert_true (mx_log_should_print (MX_LOG_LEVEL_DEBUG, domains, MX_LOG_LEVEL_DEBUG, "mx-qmi"));
  g_assert_false (mx_log_should_print (MX_LOG_LEVEL_DEBUG, domains, MX_LOG_LEVEL_DEBUG, "mx-auth"));
  g_assert_false (mx_log_should_print (MX_LOG_LEVEL_DEBUG, domains, MX_LOG_LEVEL_DEBUG, NULL));
  /* Warnings from other domains are never hidden by the debug filter. */
  g_assert_true (mx_log_should_print (MX_LOG_LEVEL_DEBUG, domains, MX_LOG_LEVEL_WARN, "mx-auth"));
  /* ... nor does the filter raise the threshold. */
  g_assert_false (mx_log_should_print (MX_LOG_LEVEL_INFO, domains, MX_LOG_LEVEL_DEBUG, "mx-qmi"));
}

static void
test_line_format_with_and_without_timestamp (void)
{
  gchar *line;

  line = mx_log_format_line (MX_LOG_LEVEL_INFO, "mx-daemon", "hello", -1);
  g_assert_cmpstr (line, ==, "<info>  [mx-daemon] hello");
  g_free (line);

  line = mx_log_format_line (MX_LOG_LEVEL_WARN, NULL, "no domain", 1700000000000042);
  g_assert_cmpstr (line, ==, "[1700000000.000042] <warn>  [modemuxd] no domain");
  g_free (line);

  line = mx_log_format_line (MX_LOG_LEVEL_DEBUG, "mx-x", "d", 0);
  g_assert_cmpstr (line, ==, "[0.000000] <debug> [mx-x] d");
  g_free (line);
}

static void
test_personal_data_is_masked_unless_asked_for (void)
{
  g_assert_cmpstr (mx_log_personal ("001010123456789"), ==, "###");
  mx_log_set_personal_info (TRUE);
  g_assert_cmpstr (mx_log_personal ("001010123456789"), ==, "001010123456789");
  mx_log_set_personal_info (FALSE);
  g_assert_cmpstr (mx_log_personal ("001010123456789"), ==, "###");
  g_assert_cmpstr (mx_log_personal (NULL), ==, "(none)");
}

static void
test_set_level_changes_the_threshold (void)
{
  MxLogLevel saved = mx_log_get_level ();

  mx_log_set_level (MX_LOG_LEVEL_ERR);
  g_assert_cmpint (mx_log_get_level (), ==, MX_LOG_LEVEL_ERR);
  mx_log_set_level (MX_LOG_LEVEL_DEBUG);
  g_assert_cmpint (mx_log_get_level (), ==, MX_LOG_LEVEL_DEBUG);
  mx_log_set_level (saved);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log/level/parse", test_level_names_parse_like_modemmanager);
  g_test_add_func ("/log/level/round-trip", test_level_round_trips_through_its_name);
  g_test_add_func ("/log/level/from-glib", test_glib_levels_map_onto_ours);
  g_test_add_func ("/log/threshold", test_threshold_decides_what_is_printed);
  g_test_add_func ("/log/debug-domains", test_debug_domains_filter_only_debug_lines);
  g_test_add_func ("/log/format", test_line_format_with_and_without_timestamp);
  g_test_add_func ("/log/personal", test_personal_data_is_masked_unless_asked_for);
  g_test_add_func ("/log/set-level", test_set_level_changes_the_threshold);
  return g_test_run ();
}
