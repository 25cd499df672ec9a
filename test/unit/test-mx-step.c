/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The step idiom's helpers: a failure names its step and keeps its meaning. */
#include <gio/gio.h>

#include "mx-core-step.h"

typedef enum { STEP_OPEN, STEP_SEND, STEP_DONE } Step;
static const gchar *const step_names[] = { "open", "Send Request", "done" };
MX_STEP_NAMES_CHECK (step_names, STEP_DONE);

static void
test_a_failure_names_its_step_and_keeps_domain_and_code (void)
{
  GError *error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Transaction timed out");

  mx_step_prefix_error (&error, MX_STEP_NAME (step_names, STEP_SEND));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpstr (error->message, ==, "Send Request failed: Transaction timed out");
  g_error_free (error);
}

static void
test_nested_operations_read_outside_in (void)
{
  GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "refused");

  /* An inner operation's step first, then the outer operation's. */
  mx_step_prefix_error (&error, "Start Network");
  mx_step_prefix_error (&error, "IPv4 session");
  g_assert_cmpstr (error->message, ==, "IPv4 session failed: Start Network failed: refused");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_error_free (error);
}

static void
test_no_error_is_left_alone (void)
{
  GError *error = NULL;

  mx_step_prefix_error (&error, "open");
  g_assert_no_error (error);
  mx_step_prefix_error (NULL, "open");
}

static void
test_every_step_has_its_name (void)
{
  g_assert_cmpstr (MX_STEP_NAME (step_names, STEP_OPEN), ==, "open");
  g_assert_cmpstr (MX_STEP_NAME (step_names, STEP_DONE), ==, "done");
  /* A step outside the table still reads as a step, not as garbage. */
  g_assert_cmpstr (MX_STEP_NAME (step_names, STEP_DONE + 1), ==, "unknown step");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/step/failure-names-its-step", test_a_failure_names_its_step_and_keeps_domain_and_code);
  g_test_add_func ("/step/nested-read-outside-in", test_nested_operations_read_outside_in);
  g_test_add_func ("/step/no-error-left-alone", test_no_error_is_left_alone);
  g_test_add_func ("/step/every-step-named", test_every_step_has_its_name);
  return g_test_run ();
}
