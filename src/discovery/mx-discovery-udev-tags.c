/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <string.h>
#include "mx-discovery-udev-tags.h"

gboolean
mx_udev_tag_get_bool (GHashTable *props, const char *device, const char *tag, gboolean *value)
{
  const char *str = props ? g_hash_table_lookup (props, tag) : NULL;

  if (!str)
    return FALSE;
  if (g_str_equal (str, "1") || !g_ascii_strcasecmp (str, "true") || !g_ascii_strcasecmp (str, "yes")) {
    *value = TRUE;
    return TRUE;
  }
  if (g_str_equal (str, "0") || !g_ascii_strcasecmp (str, "false") || !g_ascii_strcasecmp (str, "no")) {
    *value = FALSE;
    return TRUE;
  }
  g_warning ("%s: ignoring udev tag %s with invalid boolean value '%s' (expected 1 or 0)",
             device, tag, str);
  return FALSE;
}

gboolean
mx_udev_tag_is_set (GHashTable *props, const char *device, const char *tag)
{
  gboolean value = FALSE;

  return mx_udev_tag_get_bool (props, device, tag, &value) && value;
}

gboolean
mx_udev_tag_get_uint (GHashTable *props, const char *device, const char *tag,
                      guint min, guint max, guint *value)
{
  const char *str = props ? g_hash_table_lookup (props, tag) : NULL;
  guint64 v = 0;
  g_autoptr(GError) error = NULL;

  if (!str)
    return FALSE;
  if (!g_ascii_string_to_unsigned (str, 10, min, max, &v, &error)) {
    g_warning ("%s: ignoring udev tag %s with invalid value '%s' (expected a number in %u..%u)",
               device, tag, str, min, max);
    return FALSE;
  }
  *value = (guint) v;
  return TRUE;
}

const char *
mx_udev_tag_get_string (GHashTable *props, const char *device, const char *tag)
{
  const char *str = props ? g_hash_table_lookup (props, tag) : NULL;

  if (!str)
    return NULL;
  if (!*str || strchr (str, '\n')) {
    g_warning ("%s: ignoring udev tag %s with an empty or multi-line value", device, tag);
    return NULL;
  }
  return str;
}
