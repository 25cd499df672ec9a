/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-log"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mx-core-log.h"
#include "mx-core-errors.h"

static gint     log_threshold = MX_LOG_LEVEL_DEFAULT;  /* atomic: D-Bus threads log too */
static gboolean log_timestamps;
static gboolean log_syslog_prefix;  /* stderr is the journal: "<N>" gives the priority */
static gint     log_personal_info;
G_LOCK_DEFINE_STATIC (debug_domains);
static gchar  **debug_domains;

static const gchar *level_names[] = {
  [MX_LOG_LEVEL_ERR]   = "ERR",
  [MX_LOG_LEVEL_WARN]  = "WARN",
  [MX_LOG_LEVEL_INFO]  = "INFO",
  [MX_LOG_LEVEL_DEBUG] = "DEBUG",
};

/* What each level looks like in a log line (ModemManager style). */
static const gchar *level_tags[] = {
  [MX_LOG_LEVEL_ERR]   = "<err>",
  [MX_LOG_LEVEL_WARN]  = "<warn>",
  [MX_LOG_LEVEL_INFO]  = "<info>",
  [MX_LOG_LEVEL_DEBUG] = "<debug>",
};

/* syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int syslog_priority[] = {
  [MX_LOG_LEVEL_ERR]   = 3,
  [MX_LOG_LEVEL_WARN]  = 4,
  [MX_LOG_LEVEL_INFO]  = 6,
  [MX_LOG_LEVEL_DEBUG] = 7,
};

gboolean
mx_log_level_from_string (const gchar *str, MxLogLevel *level, GError **error)
{
  guint i;

  if (str) {
    for (i = 0; i < G_N_ELEMENTS (level_names); i++) {
      if (g_ascii_strcasecmp (str, level_names[i]) == 0) {
        *level = (MxLogLevel) i;
        return TRUE;
      }
    }
    /* ModemManager has a MSG level between WARN and INFO; we fold it into INFO
     * so that configurations written for ModemManager keep working. */
    if (g_ascii_strcasecmp (str, "MSG") == 0) {
      *level = MX_LOG_LEVEL_INFO;
      return TRUE;
    }
  }
  g_set_error (error, MX_CORE_ERROR, MX_CORE_ERROR_INVALID_OPTION,
               "invalid log level '%s' (expected ERR, WARN, INFO or DEBUG)",
               str ? str : "");
  return FALSE;
}

const gchar *
mx_log_level_to_string (MxLogLevel level)
{
  g_return_val_if_fail ((guint) level < G_N_ELEMENTS (level_names), "INFO");
  return level_names[level];
}

MxLogLevel
mx_log_level_from_glib (GLogLevelFlags flags)
{
  if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return MX_LOG_LEVEL_ERR;
  if (flags & G_LOG_LEVEL_WARNING)
    return MX_LOG_LEVEL_WARN;
  if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    return MX_LOG_LEVEL_INFO;
  return MX_LOG_LEVEL_DEBUG;
}

gboolean
mx_log_should_print (MxLogLevel threshold, const gchar * const *domains,
                     MxLogLevel level, const gchar *domain)
{
  if (level > threshold)
    return FALSE;
  if (level < MX_LOG_LEVEL_DEBUG || !domains || !domains[0])
    return TRUE;
  return domain && g_strv_contains (domains, domain);
}

gchar *
mx_log_format_line (MxLogLevel level, const gchar *domain, const gchar *message,
                    gint64 realtime_us)
{
  GString *line = g_string_new (NULL);

  if (realtime_us >= 0)
    g_string_append_printf (line, "[%" G_GINT64_FORMAT ".%06" G_GINT64_FORMAT "] ",
                            realtime_us / G_USEC_PER_SEC, realtime_us % G_USEC_PER_SEC);
  g_string_append_printf (line, "%-7s [%s] %s", level_tags[level],
                          domain && *domain ? domain : "modemuxd",
                          message ? message : "");
  return g_string_free (line, FALSE);
}

static GLogWriterOutput
mx_log_writer (GLogLevelFlags flags, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const gchar *message = NULL;
  const gchar *domain = NULL;
  MxLogLevel level = mx_log_level_from_glib (flags);
  gboolean print;
  gchar *line;
  gsize i;

  for (i = 0; i < n_fields; i++) {
    if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
    else if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
  }

  G_LOCK (debug_domains);
  print = mx_log_should_print (g_atomic_int_get (&log_threshold),
                               (const gchar * const *) debug_domains, level, domain);
  G_UNLOCK (debug_domains);
  if (!print)
    return G_LOG_WRITER_HANDLED;

  line = mx_log_format_line (level, domain, message,
                             log_timestamps ? g_get_real_time () : -1);
  /* One fprintf per line so that lines from several threads do not mix. */
  if (log_syslog_prefix)
    fprintf (stderr, "<%d>%s\n", syslog_priority[level], line);
  else
    fprintf (stderr, "%s\n", line);
  fflush (stderr);
  g_free (line);
  return G_LOG_WRITER_HANDLED;
}

/* systemd.exec(5): JOURNAL_STREAM is "<device>:<inode>" of the stream it
 * connected to stdout/stderr; a match means our stderr is that stream. */
static gboolean
stderr_is_journal (void)
{
  const gchar *stream = g_getenv ("JOURNAL_STREAM");
  guint64 dev, ino;
  struct stat st;

  if (!stream || sscanf (stream, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, &dev, &ino) != 2)
    return FALSE;
  if (fstat (fileno (stderr), &st) < 0)
    return FALSE;
  return (guint64) st.st_dev == dev && (guint64) st.st_ino == ino;
}

void
mx_log_init (MxLogLevel level, gboolean timestamps)
{
  log_timestamps = timestamps;
  /* Under systemd (StandardError=journal) the journal reads "<N>" prefixes as
   * priorities, so `journalctl -p warning` works. */
  log_syslog_prefix = stderr_is_journal ();
  g_atomic_int_set (&log_threshold, level);
  g_log_set_writer_func (mx_log_writer, NULL, NULL);
}

void
mx_log_set_level (MxLogLevel level)
{
  g_atomic_int_set (&log_threshold, level);
}

MxLogLevel
mx_log_get_level (void)
{
  return g_atomic_int_get (&log_threshold);
}

void
mx_log_set_debug_domains (const gchar *domains)
{
  gchar **parsed = NULL;
  gchar **old;

  if (domains && *domains) {
    guint i;

    parsed = g_strsplit (domains, ",", -1);
    for (i = 0; parsed[i]; i++)
      g_strstrip (parsed[i]);
  }
  G_LOCK (debug_domains);
  old = debug_domains;
  debug_domains = parsed;
  G_UNLOCK (debug_domains);
  g_strfreev (old);
}

void
mx_log_set_personal_info (gboolean show)
{
  g_atomic_int_set (&log_personal_info, show);
}

const gchar *
mx_log_personal (const gchar *value)
{
  if (!value)
    return "(none)";
  return g_atomic_int_get (&log_personal_info) ? value : "###";
}
