/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by every fuzz target (test/fuzz/fuzz-*.c): the libFuzzer entry
 * point's prototype and a log writer that keeps the parsers' warnings about
 * garbage out of the way (they are the expected answer to garbage) but
 * aborts on a critical, which means a g_return_if_fail() fired: a bug. */
#pragma once
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
    g_log_writer_standard_streams (level, fields, n_fields, data);
    abort ();
  }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init (void)
{
  static gboolean done;

  if (!done) {
    g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
    done = TRUE;
  }
}

/* @data as a NUL-terminated string (inputs are not terminated). */
static inline gchar *
fuzz_strdup (const uint8_t *data, size_t size)
{
  return g_strndup ((const gchar *) data, size);
}
