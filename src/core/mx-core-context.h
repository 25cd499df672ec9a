/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line options of modemuxd, modelled on ModemManager's so that unit
 * files and habits carry over. A plain struct: parsed once in main() and then
 * passed (read-only) to the daemon and the components it starts. */
#pragma once
#include <gio/gio.h>
#include "mx-core-log.h"

G_BEGIN_DECLS

typedef struct {
  gboolean    show_version;
  gboolean    test_session;           /* session bus; authorization always allowed */
  MxLogLevel  log_level;
  gboolean    debug;                  /* implies log level DEBUG */
  gboolean    log_timestamps;
  gboolean    log_personal_info;
  gchar      *log_debug_domains;      /* NULL: all domains */
  gboolean    no_auto_scan;           /* do not start device discovery at start-up */
  gchar      *initial_kernel_events;  /* file of kernel events replayed by discovery */
  gboolean    test_no_qrtr;           /* ignore QRTR nodes (as ModemManager's --test-no-qrtr) */
  gboolean    test_multiplex_requested; /* default multiplex=requested instead of none */
  guint       test_qmi_timeout;       /* cap on every QMI request's timeout, s (0: none) */
  gchar      *test_plugin_dir;        /* load plugins from here instead of MX_PLUGIN_DIR */
  gboolean    adopt;                  /* adopt sessions a previous instance left (not --no-adopt) */
  gboolean    keep_sessions_on_stop;  /* SIGTERM keeps multiplexed sessions and links */
  gchar      *state_dir;              /* runtime state of connected bearers */
} MxContext;

/* Where connected bearers are recorded for the next start (--state-dir). */
#define MX_CONTEXT_DEFAULT_STATE_DIR "/run/modemux"
/* Settings file read at start when it exists (--config): group [bearers],
 * keys adopt=, keep-sessions-on-stop= (booleans). */
#define MX_CONTEXT_DEFAULT_CONFIG    "/etc/modemux/modemuxd.conf"

/* Parses @argv (NULL-terminated, argv[0] is the program name). On error
 * (unknown option, bad value, stray argument) returns NULL with an error in
 * MX_CORE_ERROR / MX_CORE_ERROR_INVALID_OPTION; the caller prints usage and
 * exits 2. --help is handled by GOption (prints help, exits 0). */
MxContext *mx_context_parse (const gchar * const *argv, GError **error);
void       mx_context_free  (MxContext *ctx);
/* The --help text, for the usage message after a bad option. */
gchar     *mx_context_usage (void);

/* The bus modemuxd serves: system bus, or session bus with --test-session. */
GBusType   mx_context_bus_type (const MxContext *ctx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxContext, mx_context_free)

G_END_DECLS
