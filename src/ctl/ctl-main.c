/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemuxctl: dispatches `modemuxctl SUBCOMMAND [ARGS]` to one function per
 * subcommand, each living in its own ctl-*.c file. */
#define G_LOG_DOMAIN "mx-ctl"
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include "ctl.h"
#include "mx-config.h"

/* The subcommand table. To add a subcommand:
 *   1. write src/ctl/ctl-NAME.c with `MX_CTL_MAIN (fn) { ... }` (see ctl.h),
 *   2. add 'ctl-NAME.c' to ctl_sources in src/ctl/meson.build,
 *   3. add ONE line below: X (fn, "command-name", "ARGS", "summary") \
 */
#define MX_CTL_COMMANDS(X) \
  X (links,        "links",        "[PORT] [--json] [--kernel|--daemon] [--test-session]", "show each modem's data ports and links (modemuxd's view, else the kernel's)") \
  X (link_add,     "link-add",     "PORT [--mux-id N] [--name NAME] [--flags LIST] [--mtu N] [--kind rmnet|wwan|qmimux]", \
                                                                            "create a multiplexed data link") \
  X (link_del,     "link-del",     "LINK [--force]",                        "delete a link (own links only unless --force)") \
  X (link_del_all, "link-del-all", "PORT [--force]",                        "delete every own link on a port (all with --force)") \
  X (monitor,      "monitor",      "[--json] [--count N]",                  "print link map changes as they happen") \
  X (probe,        "probe",        "[--json] [--no-probe] [--qrtr-node ID[:SERVICES]]...", "show the modems discovery derives from this system") \
  /* end of table */

#define DECLARE(fn, name, args, help) int mx_ctl_##fn (int argc, char **argv);
MX_CTL_COMMANDS (DECLARE)
#undef DECLARE

typedef struct {
  const char *name;
  const char *args;
  const char *help;
  int (*run) (int argc, char **argv);
} Command;

#define ENTRY(fn, name, args, help) { name, args, help, mx_ctl_##fn },
static const Command commands[] = { MX_CTL_COMMANDS (ENTRY) };
#undef ENTRY

static void
usage (FILE *out)
{
  guint i;

  fprintf (out, "Usage: modemuxctl COMMAND [ARGS...]\n\nCommands:\n");
  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-13s %s\n  %-13s   %s\n", commands[i].name, commands[i].args, "",
             commands[i].help);
  fprintf (out, "\n`modemuxctl COMMAND --help` describes a command's options.\n");
}

void
mx_ctl_iterate_until (const gboolean *done)
{
  GMainContext *ctx = g_main_context_get_thread_default ();

  while (!*done)
    g_main_context_iteration (ctx, TRUE);
}

void
mx_ctl_async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MxCtlAsync *async = user_data;

  async->result = g_object_ref (result);
  async->done = TRUE;
}

gboolean
mx_ctl_parse_options (int *argc, char ***argv, const char *params, const char *summary,
                      const GOptionEntry *entries)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (params);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (ctx, summary);
  if (entries)
    g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, argc, argv, &error)) {
    fprintf (stderr, "modemuxctl %s: %s\n", (*argv)[0], error->message);
    return FALSE;
  }
  return TRUE;
}

void
mx_ctl_json_string (GString *out, const char *s)
{
  const char *p;

  if (!s) {
    g_string_append (out, "null");
    return;
  }
  g_string_append_c (out, '"');
  for (p = s; *p; p++) {
    guchar c = (guchar) *p;
    if (c == '"' || c == '\\')
      g_string_append_printf (out, "\\%c", c);
    else if (c < 0x20)
      g_string_append_printf (out, "\\u%04x", c);
    else
      g_string_append_c (out, (char) c);
  }
  g_string_append_c (out, '"');
}

void
mx_ctl_json_member_string (GString *out, const char *key, const char *s)
{
  g_string_append_printf (out, ",\"%s\":", key);
  mx_ctl_json_string (out, s);
}

void
mx_ctl_json_member_int (GString *out, const char *key, gint value)
{
  if (value < 0)
    g_string_append_printf (out, ",\"%s\":null", key);
  else
    g_string_append_printf (out, ",\"%s\":%d", key, value);
}

int
main (int argc, char **argv)
{
  guint i;

  setlocale (LC_ALL, "");
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help")) {
    usage (argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (g_str_equal (argv[1], "--version")) {
    printf ("modemuxctl %s\n", MX_VERSION);
    return 0;
  }
  for (i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (g_str_equal (argv[1], commands[i].name)) {
      g_autofree gchar *prgname = g_strdup_printf ("modemuxctl %s", commands[i].name);
      g_set_prgname (prgname);
      return commands[i].run (argc - 1, argv + 1);
    }
  }
  fprintf (stderr, "modemuxctl: unknown command '%s'\n\n", argv[1]);
  usage (stderr);
  return 2;
}
