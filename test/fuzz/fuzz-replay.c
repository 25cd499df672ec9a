/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The main() a fuzz target gets in the normal (gcc) build, instead of
 * libFuzzer's: runs every file named on the command line, or found in a
 * directory named there, through LLVMFuzzerTestOneInput once. This is the
 * corpus replay of `meson test --suite fuzz` (and, under valgrind and
 * ASan/UBSan, of tools/check): a crash, sanitizer report or leak fails it. */
#include <stdio.h>
#include <string.h>
#include "fuzz-common.h"

static gboolean
replay_file (const char *path, guint *n)
{
  g_autofree gchar *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  guint8 *copy;

  if (!g_file_get_contents (path, &contents, &length, &error)) {
    fprintf (stderr, "fuzz-replay: %s\n", error->message);
    return FALSE;
  }
  /* An exact-size copy, so that reading past the input is caught the way
   * libFuzzer would catch it. */
  copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy, length);
  g_free (copy);
  (*n)++;
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
replay_dir (const char *path, guint *n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (!dir) {
    fprintf (stderr, "fuzz-replay: %s\n", error->message);
    return FALSE;
  }
  while ((entry = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_build_filename (path, entry, NULL));
  g_ptr_array_sort (names, compare_names); /* the same order on every run */
  for (guint i = 0; i < names->len; i++)
    if (!replay_file (g_ptr_array_index (names, i), n))
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *name = NULL;
  guint n = 0;

  if (argc < 2) {
    fprintf (stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    gboolean ok = g_file_test (argv[i], G_FILE_TEST_IS_DIR) ? replay_dir (argv[i], &n)
                                                           : replay_file (argv[i], &n);
    if (!ok)
      return 1;
  }
  if (n == 0) {
    fprintf (stderr, "fuzz-replay: no input found\n");
    return 1;
  }
  name = g_path_get_basename (argv[0]);
  printf ("%s: replayed %u inputs\n", name, n);
  return 0;
}
