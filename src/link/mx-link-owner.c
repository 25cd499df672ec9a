/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link"
#include <string.h>
#include "mx-link-owner.h"

gchar *
mx_link_owner_marker (const char *port, guint mux_id)
{
  return g_strdup_printf (MX_LINK_OWNER_PREFIX "%s:%u", port, mux_id);
}

gboolean
mx_link_owner_parse (const char *alias, gchar **port, guint *mux_id)
{
  const char *rest, *colon;
  guint64 num;

  if (!alias || !g_str_has_prefix (alias, MX_LINK_OWNER_PREFIX))
    return FALSE;
  rest = alias + strlen (MX_LINK_OWNER_PREFIX);
  colon = strrchr (rest, ':');
  if (!colon || colon == rest ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 255, &num, NULL))
    return FALSE;
  if (port)
    *port = g_strndup (rest, colon - rest);
  if (mux_id)
    *mux_id = (guint) num;
  return TRUE;
}

gboolean
mx_link_owner_is_ours (const MxLink *link, const char *port)
{
  g_autofree gchar *marked_port = NULL;
  const char *actual_port;
  guint mux_id;

  if (!mx_link_owner_parse (link->ifalias, &marked_port, &mux_id))
    return FALSE;
  /* The marker must agree with what the kernel says now: a copied alias on
   * another port, or a link re-parented, is not ours. */
  actual_port = link->lower_name ? link->lower_name : link->parent_dev_name;
  if (g_strcmp0 (marked_port, actual_port) != 0)
    return FALSE;
  if (link->mux_id != MX_MUX_ID_NONE && (guint) link->mux_id != mux_id)
    return FALSE;
  return port == NULL || g_strcmp0 (port, actual_port) == 0;
}
