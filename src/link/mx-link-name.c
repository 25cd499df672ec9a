/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link"
#include <string.h>
#include "mx-link-name.h"
#include "mx-link-error.h"

gboolean
mx_link_name_validate (const char *name, GError **error)
{
  const char *c;

  if (!name || !*name) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID, "empty interface name");
    return FALSE;
  }
  if (strlen (name) > MX_LINK_NAME_MAX) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NAME_TOO_LONG,
                 "interface name '%s' is longer than %d characters", name, MX_LINK_NAME_MAX);
    return FALSE;
  }
  if (g_str_equal (name, ".") || g_str_equal (name, "..")) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID, "invalid interface name '%s'", name);
    return FALSE;
  }
  /* The kernel's dev_valid_name(): no '/', ':' or whitespace. */
  for (c = name; *c; c++) {
    if (*c == '/' || *c == ':' || g_ascii_isspace (*c)) {
      g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                   "interface name '%s' contains '%c', which the kernel refuses", name, *c);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
mx_link_name_validate_template (const char *tmpl, GError **error)
{
  if (!strstr (tmpl, "{mux}") && !strstr (tmpl, "{muxhex}")) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                 "name template '%s' must contain {mux} or {muxhex}, or links of one port collide",
                 tmpl);
    return FALSE;
  }
  if (strchr (tmpl, '/') || strchr (tmpl, ':') || strchr (tmpl, ' ')) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                 "name template '%s' contains a character the kernel refuses", tmpl);
    return FALSE;
  }
  return TRUE;
}

gchar *
mx_link_name_build (const MxLinkNamePolicy *policy, const char *port, guint mux_id, guint attempt,
                    GError **error)
{
  const char *tmpl = (policy && policy->template_) ? policy->template_ : MX_LINK_NAME_DEFAULT_TEMPLATE;
  g_autofree gchar *safe_port = g_strdup (port);
  g_autofree gchar *suffix = attempt ? g_strdup_printf ("x%u", attempt) : g_strdup ("");
  g_autoptr(GString) pre = g_string_new (NULL);
  g_autoptr(GString) post = g_string_new (NULL);
  gboolean seen_port = FALSE;
  const char *p;
  gsize fixed, room;
  gchar *name;

  if (!mx_link_name_validate_template (tmpl, error))
    return NULL;
  g_strdelimit (safe_port, ".", '_'); /* a dotted port must not make a dotted link */

  /* Split the expansion around {port} so only the port part gets shortened. */
  for (p = tmpl; *p;) {
    GString *out = seen_port ? post : pre;
    if (g_str_has_prefix (p, "{port}") && !seen_port) {
      seen_port = TRUE;
      p += strlen ("{port}");
    } else if (g_str_has_prefix (p, "{muxhex}")) {
      g_string_append_printf (out, "%02x", mux_id);
      p += strlen ("{muxhex}");
    } else if (g_str_has_prefix (p, "{mux}")) {
      g_string_append_printf (out, "%u", mux_id);
      p += strlen ("{mux}");
    } else {
      g_string_append_c (out, *p++);
    }
  }
  g_string_append (post, suffix);

  fixed = pre->len + post->len;
  if (fixed > MX_LINK_NAME_MAX || (seen_port && fixed >= MX_LINK_NAME_MAX)) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NAME_TOO_LONG,
                 "name template '%s' leaves no room for the port name within %d characters",
                 tmpl, MX_LINK_NAME_MAX);
    return NULL;
  }
  room = MX_LINK_NAME_MAX - fixed;
  if (seen_port && strlen (safe_port) > room)
    safe_port[room] = '\0'; /* keep the start: it names the driver/port family */
  name = g_strconcat (pre->str, seen_port ? safe_port : "", post->str, NULL);
  if (!mx_link_name_validate (name, error)) {
    g_free (name);
    return NULL;
  }
  return name;
}
