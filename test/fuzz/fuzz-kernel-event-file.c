/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --initial-kernel-events files (mx_kernel_event_parse_text, which also
 * covers the one-line parser; src/discovery/mx-discovery-kernel-event.c).
 * Input: the file's contents. */
#include "fuzz-common.h"
#include "mx-discovery-kernel-event.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = fuzz_strdup (data, size);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  events = mx_kernel_event_parse_text (text, "fuzz", &error);
  if ((events == NULL) == (error == NULL))
    abort ();
  for (guint i = 0; events && i < events->len; i++) {
    const MxKernelEvent *e = g_ptr_array_index (events, i);
    if (!e->name || !mx_kernel_event_subsystem_is_supported (e->subsystem))
      abort ();
  }
  return 0;
}
