/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The idiom of every multi-step async operation (ModemManager's step
 * machine, kept small):
 *
 *   typedef enum { STEP_A, STEP_B, STEP_DONE } FooStep;
 *   static const gchar *const foo_step_names[] = { "A", "B", "done" };
 *   MX_STEP_NAMES_CHECK (foo_step_names, STEP_DONE);
 *
 * a context holding the current step, one foo_step() function with a
 * switch that starts the step's request, replies that do `ctx->step++;
 * foo_step (task);`, and one failure function that names the step with
 * mx_step_prefix_error() before undoing and returning. The prefix is the
 * only change to the error: domain and code are what callers (and, through
 * D-Bus error names, NetworkManager) act on.
 */
#pragma once

#include <glib.h>

/* The names table has one entry per step, the final (done) step included. */
#define MX_STEP_NAMES_CHECK(names, done_step) \
  G_STATIC_ASSERT (G_N_ELEMENTS (names) == (gsize) (done_step) + 1)

#define MX_STEP_NAME(names, step) mx_step_name ((names), G_N_ELEMENTS (names), (step))

const gchar *mx_step_name (const gchar *const *names, gsize n_names, guint step);

/* "<step> failed: " in front of the message; domain and code unchanged. */
void mx_step_prefix_error (GError **error, const gchar *step_name);
