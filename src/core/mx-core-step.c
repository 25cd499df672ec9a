/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Step names and failures of multi-step operations (see mx-core-step.h). */
#include "mx-core-step.h"

const gchar *
mx_step_name (const gchar *const *names, gsize n_names, guint step)
{
  /* The tables are checked at compile time; this only guards a corrupted
   * step so that an error still reads as one. */
  return step < n_names && names[step] ? names[step] : "unknown step";
}

void
mx_step_prefix_error (GError **error, const gchar *step_name)
{
  g_prefix_error (error, "%s failed: ", step_name);
}
