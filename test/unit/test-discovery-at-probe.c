/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The AT exchange (src/discovery/mx-discovery-at-probe.c) against a PTY
 * playing the modem: what counts as an answer, what the reply is, and that
 * silence and cancellation end it within its deadline. */
#include <pty.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include "mx-discovery-at-probe.h"
#include "mx-discovery-error.h"
#include "mx-test-util.h"

typedef struct {
  gint        master;
  gint        slave;    /* held open so the master never sees a hang-up */
  gchar      *slave_path;
  const char *answer;   /* written once the command's CR arrives; NULL: silent */
  GString    *heard;
  guint       watch;
} FakeModem;

static gboolean
modem_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  FakeModem *m = user_data;
  gchar buf[256];
  gssize n = read (fd, buf, sizeof buf);

  if (n <= 0)
    return G_SOURCE_CONTINUE;
  g_string_append_len (m->heard, buf, n);
  if (m->answer && memchr (buf, '\r', n))
    g_assert_cmpint (write (fd, m->answer, strlen (m->answer)), ==, (gssize) strlen (m->answer));
  return G_SOURCE_CONTINUE;
}

static void
modem_start (FakeModem *m, const char *answer)
{
  char name[128];

  g_assert_cmpint (openpty (&m->master, &m->slave, name, NULL, NULL), ==, 0);
  m->slave_path = g_strdup (name);
  m->answer = answer;
  m->heard = g_string_new (NULL);
  m->watch = g_unix_fd_add (m->master, G_IO_IN, modem_readable, m);
}

static void
modem_stop (FakeModem *m)
{
  g_source_remove (m->watch);
  close (m->master);
  close (m->slave);
  g_free (m->slave_path);
  g_string_free (m->heard, TRUE);
}

static gchar *
exchange (FakeModem *m, const char *command, guint timeout_ms, GCancellable *cancellable,
          GError **error)
{
  MxTestWait w = { 0 };
  gchar *reply;

  mx_at_command_path (m->slave_path, command, timeout_ms, cancellable, mx_test_wait_cb, &w);
  mx_test_iterate_until (&w.done, "the AT exchange to end");
  reply = mx_at_command_finish (w.result, error);
  g_object_unref (w.result);
  return reply;
}

/* `AT` -> `OK`: the probe's success; the command went out with CR. */
static void
test_ok_is_an_answer (void)
{
  FakeModem m;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reply = NULL;

  modem_start (&m, "\r\nOK\r\n");
  reply = exchange (&m, "AT", 2000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "");
  g_assert_cmpstr (m.heard->str, ==, "AT\r");
  modem_stop (&m);
}

/* Information lines before OK are the reply; the echo is not. */
static void
test_reply_lines_without_echo (void)
{
  FakeModem m;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reply = NULL;

  modem_start (&m, "ATI\r\r\nQuectel\r\nEG25\r\nRevision: EG25GGBR07A08M2G\r\n\r\nOK\r\n");
  reply = exchange (&m, "ATI", 2000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply, ==, "Quectel\nEG25\nRevision: EG25GGBR07A08M2G");
  modem_stop (&m);
}

/* A final error result is a failure naming it. */
static void
test_error_results_fail (void)
{
  const char *answers[] = { "\r\nERROR\r\n", "\r\n+CME ERROR: 10\r\n", "\r\n+CMS ERROR: 500\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++) {
    FakeModem m;
    g_autoptr(GError) error = NULL;
    g_autofree gchar *reply = NULL;
    g_autofree gchar *final = g_strstrip (g_strdup (answers[i]));

    modem_start (&m, answers[i]);
    reply = exchange (&m, "AT+CPIN?", 2000, NULL, &error);
    g_assert_null (reply);
    g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, final));
    modem_stop (&m);
  }
}

/* Silence ends at the deadline with a timeout naming port and command. */
static void
test_silence_times_out (void)
{
  FakeModem m;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reply = NULL;

  modem_start (&m, NULL);
  reply = exchange (&m, "AT", 200, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, m.slave_path));
  g_assert_nonnull (strstr (error->message, "'AT'"));
  modem_stop (&m);
}

static gboolean
cancel_now (gpointer cancellable)
{
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* Cancelling ends a pending exchange at once, as cancelled. */
static void
test_cancel_ends_it (void)
{
  FakeModem m;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree gchar *reply = NULL;

  modem_start (&m, NULL);
  g_idle_add (cancel_now, cancellable);
  reply = exchange (&m, "AT", 60000, cancellable, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  modem_stop (&m);
}

/* A node that cannot be opened fails at once, saying so. */
static void
test_missing_node_fails (void)
{
  FakeModem m = { .slave_path = (gchar *) "/nonexistent/ttyUSB9" };
  g_autoptr(GError) error = NULL;
  g_autofree gchar *reply = exchange (&m, "AT", 2000, NULL, &error);

  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ttyUSB9"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/discovery/at-probe/ok-is-an-answer", test_ok_is_an_answer);
  g_test_add_func ("/discovery/at-probe/reply-lines-without-echo", test_reply_lines_without_echo);
  g_test_add_func ("/discovery/at-probe/error-results-fail", test_error_results_fail);
  g_test_add_func ("/discovery/at-probe/silence-times-out", test_silence_times_out);
  g_test_add_func ("/discovery/at-probe/cancel-ends-it", test_cancel_ends_it);
  g_test_add_func ("/discovery/at-probe/missing-node-fails", test_missing_node_fails);
  return g_test_run ();
}
