/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests: running the main loop until an asynchronous call or an
 * expected event has happened, failing (never hanging) if it does not. */
#pragma once
#include <gio/gio.h>

#define MX_TEST_LOOP_TIMEOUT_S 20

static inline gboolean
mx_test_loop_watchdog (gpointer what)
{
  g_error ("timed out waiting for %s", (const char *) what);
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until *@done; @what names it in the
 * failure message. */
static inline void
mx_test_iterate_until (const gboolean *done, const char *what)
{
  guint id = g_timeout_add_seconds (MX_TEST_LOOP_TIMEOUT_S, mx_test_loop_watchdog, (gpointer) what);

  while (!*done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* One asynchronous call: pass mx_test_wait_cb with a MxTestWait as user
 * data, mx_test_iterate_until (&w.done, ...), then finish with w.result and
 * unref it. */
typedef struct {
  GAsyncResult *result;
  gboolean      done;
} MxTestWait;

static inline void
mx_test_wait_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  MxTestWait *w = data;

  w->result = g_object_ref (res);
  w->done = TRUE;
}
