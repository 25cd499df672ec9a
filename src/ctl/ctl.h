/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxctl: shared helpers for subcommands (ctl-*.c). */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

/* Defines a subcommand entry point with its prototype (keeps
 * -Wmissing-prototypes happy without a per-command header):
 *   MX_CTL_MAIN (probe) { ... return 0; }
 * argv[0] is the subcommand name. Return the process exit status. */
#define MX_CTL_MAIN(fn) \
  int mx_ctl_##fn (int argc, char **argv); \
  int mx_ctl_##fn (int argc, char **argv)

/* Runs the thread-default main context until *done is TRUE. */
void mx_ctl_iterate_until (const gboolean *done);
/* Stores the result of an async call and sets the done flag: pass
 * mx_ctl_async_done as callback with an MxCtlAsync as user data. */
typedef struct {
  GAsyncResult *result;
  gboolean      done;
} MxCtlAsync;
void mx_ctl_async_done (GObject *source, GAsyncResult *result, gpointer user_data);
/* Waits for @async and frees its result when the caller is done
 * (g_clear_object (&async.result)). */
#define mx_ctl_wait(async) mx_ctl_iterate_until (&(async)->done)

/* Parses options of a subcommand; prints usage errors; FALSE = exit 2. */
gboolean mx_ctl_parse_options (int *argc, char ***argv, const char *params, const char *summary,
                               const GOptionEntry *entries);
/* JSON string literal (with quotes) for @s, or null. */
void mx_ctl_json_string (GString *out, const char *s);
/* A member after the first of an object: ,"@key":value. A NULL string and
 * a negative number (how our structs say "unknown") are written as null. */
void mx_ctl_json_member_string (GString *out, const char *key, const char *s);
void mx_ctl_json_member_int    (GString *out, const char *key, gint value);

G_END_DECLS
