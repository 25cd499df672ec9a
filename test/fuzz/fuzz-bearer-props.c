/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Modem.CreateBearer and Modem.Simple.Connect dictionaries -> bearer
 * properties (src/bearer/mx-bearer-props.c). Input: one selector byte (bit 0:
 * Simple.Connect instead of CreateBearer), then the serialised GVariant the
 * D-Bus message carries, read as a{sv} (GVariant checks untrusted data). */
#include "fuzz-common.h"
#include "mx-bearer-props.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(MMBearerProperties) props = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *pin = NULL, *operator_id = NULL;

  fuzz_init ();
  if (size < 1)
    return 0;
  bytes = g_bytes_new (data + 1, size - 1);
  dict = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE_VARDICT, bytes, FALSE));
  if (data[0] & 1)
    props = mx_bearer_props_from_simple_connect (dict, &pin, &operator_id, &error);
  else
    props = mx_bearer_props_from_dictionary (dict, &error);
  /* Exactly one of a result and an error. */
  if ((props == NULL) == (error == NULL))
    abort ();
  if (props && !mx_bearer_props_equal (props, props))
    abort ();
  return 0;
}
