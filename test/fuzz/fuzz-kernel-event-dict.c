/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Manager.ReportKernelEvent dictionaries (mx_kernel_event_from_variant,
 * src/discovery/mx-discovery-kernel-event.c). Input: the serialised a{sv}. */
#include "fuzz-common.h"
#include "mx-discovery-kernel-event.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(MxKernelEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  dict = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  event = mx_kernel_event_from_variant (dict, &error);
  if ((event == NULL) == (error == NULL))
    abort ();
  /* What the device manager relies on for an accepted event. */
  if (event && (!event->name || !mx_kernel_event_subsystem_is_supported (event->subsystem)))
    abort ();
  return 0;
}
