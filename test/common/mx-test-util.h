/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared test plumbing, so that the tests themselves read like
 * specifications:
 *  - running the main loop until something happened, failing (never
 *    hanging) if it does not;
 *  - running a tool (mmcli, ip, the simulator's --ctl) while the main loop
 *    keeps serving the bus;
 *  - a bench: temporary directory, the simulator as fake qmi-proxy, a
 *    private dbus-daemon and an MxManager owning the ModemManager1 name.
 * Every process the bench starts dies with the test (PR_SET_PDEATHSIG), so
 * no bus or simulator outlives a crashed test. */
#pragma once
#include <gio/gio.h>

#include "mx-core-manager.h"
#include "mx-modem.h"

/* ---- main loop ---- */

/* Seconds a wait may take before the test fails; default 20. */
void mx_test_set_timeout (guint seconds);

/* A watchdog that fails the test naming @what; remove it with
 * g_source_remove () once the wait is over. */
guint mx_test_watchdog_add (const char *what);

/* Iterates the default main context until @cond holds. */
#define MX_TEST_RUN_UNTIL(cond, what)                \
  G_STMT_START {                                     \
    guint _mx_w = mx_test_watchdog_add (what);       \
    while (!(cond))                                  \
      g_main_context_iteration (NULL, TRUE);         \
    g_source_remove (_mx_w);                         \
  } G_STMT_END

/* Iterates the default main context until *@done. */
void mx_test_iterate_until (const gboolean *done, const char *what);

/* One asynchronous call: pass mx_test_wait_cb with a MxTestWait as user
 * data, mx_test_iterate_until (&w.done, ...), then finish with w.result and
 * unref it. */
typedef struct {
  GAsyncResult *result;
  gboolean      done;
} MxTestWait;

void mx_test_wait_cb (GObject *source, GAsyncResult *res, gpointer data);

/* ---- tools ---- */

typedef struct {
  gboolean done;
  gint     status;
  gchar   *out;
  gchar   *err;
} MxTestRun;

void mx_test_run_free (MxTestRun *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxTestRun, mx_test_run_free)

/* Runs @argv to completion while the main loop runs; the bench's bus, if
 * up, is its session bus. */
MxTestRun *mx_test_run_argv (const gchar * const *argv);

/* mmcli --test-session ARGS..., NULL-terminated. */
MxTestRun *mx_test_mmcli (const gchar *first, ...) G_GNUC_NULL_TERMINATED;

/* `mmcli --test-session -K ARGS...` (must succeed) as key -> value. */
GHashTable *mx_test_mmcli_kv (const gchar *first, ...) G_GNUC_NULL_TERMINATED;

#define mx_test_assert_kv(kv, key, expected) \
  g_assert_cmpstr (g_hash_table_lookup ((kv), (key)), ==, (expected))

/* ---- modems ---- */

/* Initialises @modem as modemuxd does and exports it on success; returns
 * the initialisation error otherwise. */
GError *mx_test_modem_initialize (MxModem *modem) G_GNUC_WARN_UNUSED_RESULT;

/* ---- the bench ---- */

typedef struct {
  gchar           *tmpdir;
  gchar           *device;      /* special file standing for /dev/wwan0qmi0 */
  gchar           *control;     /* simulator control socket */
  GSubprocess     *sim;
  GSubprocess     *bus;         /* our own dbus-daemon */
  gchar           *bus_address;
  GDBusConnection *connection;  /* the daemon's side of the bus */
  MxManager       *manager;
  guint            owner_id;
  gboolean         name_acquired;
} MxTestBench;

/* Creates the temporary directory and the stand-in device file. */
void mx_test_bench_init (MxTestBench *b, const gchar *name);

/* Starts the simulator as fake qmi-proxy on @scenario, looked up in the
 * directory named by $@scenarios_env first, then in
 * $MODEMUX_SIM_SCENARIOS; further simulator arguments follow, NULL-ended. */
void mx_test_bench_start_sim (MxTestBench *b, const gchar *scenarios_env,
                              const gchar *scenario, ...) G_GNUC_NULL_TERMINATED;

/* `modemux-sim --ctl COMMAND [ARG]` (must succeed); returns its output. */
gchar *mx_test_bench_sim_ctl (MxTestBench *b, const gchar *command, const gchar *arg);

/* Private bus, MxManager exported on it (authorisation: allow all) and
 * owning org.freedesktop.ModemManager1, as modemuxd does. */
void mx_test_bench_start_manager (MxTestBench *b);

/* A second connection to the bench's bus (a client). */
GDBusConnection *mx_test_bench_connect (MxTestBench *b);

/* Stops and removes whatever the bench started or created. */
void mx_test_bench_clear (MxTestBench *b);
