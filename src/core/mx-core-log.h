/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's log handler. Code logs with the plain GLib macros (g_debug,
 * g_info, g_message, g_warning) under a per-file G_LOG_DOMAIN "mx-<area>";
 * this module decides what is printed and how: a level threshold (ERR, WARN,
 * INFO, DEBUG, as ModemManager's --log-level), optional timestamps, and an
 * optional list of domains whose DEBUG messages are shown. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Ordered: a message is printed when its level <= the threshold. */
typedef enum {
  MX_LOG_LEVEL_ERR,
  MX_LOG_LEVEL_WARN,
  MX_LOG_LEVEL_INFO,
  MX_LOG_LEVEL_DEBUG,
} MxLogLevel;

#define MX_LOG_LEVEL_DEFAULT MX_LOG_LEVEL_INFO

/* Accepts ERR, WARN, INFO, DEBUG (any case) and ModemManager's MSG, which
 * means INFO here. */
gboolean    mx_log_level_from_string (const gchar *str, MxLogLevel *level, GError **error);
const gchar *mx_log_level_to_string  (MxLogLevel level);
MxLogLevel  mx_log_level_from_glib   (GLogLevelFlags flags);

/* Installs the writer for the whole process; call once, from main(). */
void        mx_log_init              (MxLogLevel level, gboolean timestamps);
void        mx_log_set_level         (MxLogLevel level);
MxLogLevel  mx_log_get_level         (void);
/* Comma-separated domains ("mx-link,mx-qmi") whose DEBUG lines are printed;
 * NULL or "" means all domains. Does not affect ERR/WARN/INFO. */
void        mx_log_set_debug_domains (const gchar *domains);

/* Pure decision and formatting, exposed for unit tests. */
gboolean    mx_log_should_print      (MxLogLevel threshold, const gchar * const *debug_domains,
                                      MxLogLevel level, const gchar *domain);
gchar      *mx_log_format_line       (MxLogLevel level, const gchar *domain, const gchar *message,
                                      gint64 realtime_us /* < 0: no timestamp */);

/* Personal data (IMSI, ICCID, IMEI, phone numbers): pass it through this so
 * it is masked unless --log-personal-info was given. Never log it at INFO. */
void         mx_log_set_personal_info (gboolean show);
const gchar *mx_log_personal          (const gchar *value);

G_END_DECLS
