/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link"
#include <linux/if.h>
#include <stdlib.h>
#include <string.h>
#include "mx-link.h"
#include "mx-link-error.h"

MxLink *
mx_link_new (void)
{
  MxLink *link = g_new0 (MxLink, 1);
  link->mux_id = MX_MUX_ID_NONE;
  return link;
}

MxLink *
mx_link_copy (const MxLink *link)
{
  MxLink *copy = g_new (MxLink, 1);

  *copy = *link;
  copy->ifname = g_strdup (link->ifname);
  copy->kind = g_strdup (link->kind);
  copy->lower_name = g_strdup (link->lower_name);
  copy->parent_dev_name = g_strdup (link->parent_dev_name);
  copy->ifalias = g_strdup (link->ifalias);
  return copy;
}

void
mx_link_free (MxLink *link)
{
  if (!link)
    return;
  g_free (link->ifname);
  g_free (link->kind);
  g_free (link->lower_name);
  g_free (link->parent_dev_name);
  g_free (link->ifalias);
  g_free (link);
}

gboolean
mx_link_is_up (const MxLink *link)
{
  return (link->ifi_flags & IFF_UP) != 0;
}

const char *
mx_link_operstate_to_string (guint8 operstate)
{
  /* Same words as iproute2's "operstate" in ip -j output. */
  static const char *const names[] = {
    "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
  };
  return operstate < G_N_ELEMENTS (names) ? names[operstate] : "UNKNOWN";
}

static const struct {
  guint32 bit;
  const char *keyword; /* iproute2 iplink_rmnet.c keywords */
} rmnet_flag_names[] = {
  { MX_RMNET_FLAG_INGRESS_DEAGGREGATION, "ingress-deaggregation" },
  { MX_RMNET_FLAG_INGRESS_MAP_COMMANDS, "ingress-commands" },
  { MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4, "ingress-mapv4-checksum" },
  { MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4, "egress-mapv4-checksum" },
  { MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5, "ingress-mapv5-checksum" },
  { MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5, "egress-mapv5-checksum" },
};

gchar *
mx_link_rmnet_flags_to_string (guint32 flags)
{
  GString *s = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rmnet_flag_names); i++) {
    if (flags & rmnet_flag_names[i].bit) {
      if (s->len)
        g_string_append_c (s, ',');
      g_string_append (s, rmnet_flag_names[i].keyword);
      flags &= ~rmnet_flag_names[i].bit;
    }
  }
  if (flags) {
    if (s->len)
      g_string_append_c (s, ',');
    g_string_append_printf (s, "0x%x", flags);
  }
  return g_string_free (s, FALSE);
}

gboolean
mx_link_rmnet_flags_parse (const char *str, guint32 *flags, GError **error)
{
  g_auto(GStrv) words = NULL;
  guint32 result = 0;
  guint i, j;

  if (!str || !*str || g_strcmp0 (str, "none") == 0) {
    *flags = 0;
    return TRUE;
  }
  words = g_strsplit (str, ",", -1);
  for (i = 0; words[i]; i++) {
    const char *w = g_strstrip (words[i]);
    gboolean found = FALSE;
    guint64 num;

    for (j = 0; j < G_N_ELEMENTS (rmnet_flag_names); j++) {
      if (g_strcmp0 (w, rmnet_flag_names[j].keyword) == 0) {
        result |= rmnet_flag_names[j].bit;
        found = TRUE;
      }
    }
    if (found)
      continue;
    if ((g_str_has_prefix (w, "0x") &&
         g_ascii_string_to_unsigned (w + 2, 16, 0, MX_RMNET_FLAGS_ALL, &num, NULL)) ||
        g_ascii_string_to_unsigned (w, 10, 0, MX_RMNET_FLAGS_ALL, &num, NULL)) {
      result |= (guint32) num;
      continue;
    }
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                 "unknown rmnet flag '%s' (known: ingress-deaggregation, ingress-commands, "
                 "ingress-mapv4-checksum, egress-mapv4-checksum, ingress-mapv5-checksum, "
                 "egress-mapv5-checksum, or a number up to 0x3f)", w);
    return FALSE;
  }
  *flags = result;
  return TRUE;
}
