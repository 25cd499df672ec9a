/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <string.h>
#include "mx-discovery-error.h"
#include "mx-discovery-kernel-event.h"

static const char *supported_subsystems[] = { "net", "wwan", "usbmisc", "rpmsg", "tty", NULL };

gboolean
mx_kernel_event_subsystem_is_supported (const char *subsystem)
{
  return subsystem && g_strv_contains (supported_subsystems, subsystem);
}

void
mx_kernel_event_free (MxKernelEvent *event)
{
  if (!event)
    return;
  g_free (event->subsystem);
  g_free (event->name);
  g_hash_table_unref (event->extra);
  g_free (event);
}

static MxKernelEvent *
event_new (void)
{
  MxKernelEvent *event = g_new0 (MxKernelEvent, 1);

  event->extra = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return event;
}

static gboolean
event_set (MxKernelEvent *event, const char *key, const char *value, GError **error)
{
  if (!*value) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                 "kernel event key '%s' has an empty value", key);
    return FALSE;
  }
  if (g_str_equal (key, "action")) {
    if (!g_str_equal (value, "add") && !g_str_equal (value, "remove")) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                   "kernel event action '%s' is neither 'add' nor 'remove'", value);
      return FALSE;
    }
    event->add = g_str_equal (value, "add");
    g_hash_table_insert (event->extra, g_strdup ("action"), g_strdup (value));
  } else if (g_str_equal (key, "subsystem")) {
    if (!mx_kernel_event_subsystem_is_supported (value)) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                   "kernel event subsystem '%s' is not supported (net, wwan, usbmisc, rpmsg, tty)",
                   value);
      return FALSE;
    }
    g_free (event->subsystem);
    event->subsystem = g_strdup (value);
  } else if (g_str_equal (key, "name")) {
    if (strchr (value, '/') || g_str_equal (value, ".") || g_str_equal (value, "..")) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                   "kernel event name '%s' is not a device name", value);
      return FALSE;
    }
    g_free (event->name);
    event->name = g_strdup (value);
  } else if (g_str_equal (key, "uid") || g_str_equal (key, "driver")) {
    g_hash_table_insert (event->extra, g_strdup (key), g_strdup (value));
  } else {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                 "kernel event key '%s' is unknown (action, subsystem, name, uid, driver)", key);
    return FALSE;
  }
  return TRUE;
}

static MxKernelEvent *
event_check (MxKernelEvent *event, GError **error)
{
  const char *missing = NULL;

  if (!g_hash_table_contains (event->extra, "action"))
    missing = "action";
  else if (!event->subsystem)
    missing = "subsystem";
  else if (!event->name)
    missing = "name";
  if (missing) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                 "kernel event lacks '%s'", missing);
    mx_kernel_event_free (event);
    return NULL;
  }
  g_hash_table_remove (event->extra, "action");
  return event;
}

MxKernelEvent *
mx_kernel_event_parse_line (const char *line, GError **error)
{
  g_autoptr(MxKernelEvent) event = event_new ();
  g_auto(GStrv) items = g_strsplit (line, ",", -1);

  for (guint i = 0; items[i]; i++) {
    gchar *item = g_strstrip (items[i]);
    gchar *eq = strchr (item, '=');

    if (!eq) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                   "kernel event item '%s' is not key=value", item);
      return NULL;
    }
    *eq = '\0';
    if (!event_set (event, g_strstrip (item), g_strstrip (eq + 1), error))
      return NULL;
  }
  return event_check (g_steal_pointer (&event), error);
}

MxKernelEvent *
mx_kernel_event_from_variant (GVariant *dict, GError **error)
{
  g_autoptr(MxKernelEvent) event = event_new ();
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (!g_variant_is_of_type (dict, G_VARIANT_TYPE ("a{sv}"))) {
    g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                 "kernel event must be a dictionary a{sv}, not %s", g_variant_get_type_string (dict));
    return NULL;
  }
  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
    g_autoptr(GVariant) owned = value;

    if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                   "kernel event key '%s' must be a string", key);
      return NULL;
    }
    if (!event_set (event, key, g_variant_get_string (value, NULL), error))
      return NULL;
  }
  return event_check (g_steal_pointer (&event), error);
}

GPtrArray *
mx_kernel_event_parse_text (const char *contents, const char *origin, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_kernel_event_free);

  for (guint i = 0; lines[i]; i++) {
    const char *line = g_strstrip (lines[i]);
    g_autoptr(GError) inner = NULL;
    MxKernelEvent *event;

    if (!*line || *line == '#')
      continue;
    event = mx_kernel_event_parse_line (line, &inner);
    if (!event) {
      g_set_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT,
                   "%s:%u: %s", origin, i + 1, inner->message);
      return NULL;
    }
    g_ptr_array_add (events, event);
  }
  return g_steal_pointer (&events);
}

GPtrArray *
mx_kernel_event_parse_file (const char *path, GError **error)
{
  g_autofree gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return mx_kernel_event_parse_text (contents, path, error);
}
