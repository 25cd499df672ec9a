/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The udev tag parsers (src/discovery/mx-discovery-udev-tags.c) and the
 * mux id tags (mx_mux_id_policy_set_from_udev, src/link/mx-link-mux-id.c).
 * Input: udev properties, one KEY=VALUE per line (values may hold any byte
 * but NUL and newline, as udev stores them). */
#include <string.h>
#include "fuzz-common.h"
#include "mx-discovery-udev-tags.h"
#include "mx-link-mux-id.h"

static const char *const bool_tags[] = {
  MX_TAG_CANDIDATE, MX_TAG_DEVICE_IGNORE, MX_TAG_PORT_IGNORE, MX_TAG_PORT_TYPE_QMI,
  MX_TAG_PORT_TYPE_MBIM, MX_TAG_PORT_TYPE_AT_PRIMARY, MX_TAG_PORT_TYPE_AT_SECONDARY,
  MX_TAG_PORT_TYPE_AT_PPP, MX_TAG_PORT_TYPE_QCDM, MX_TAG_PORT_TYPE_GPS, MX_TAG_QCOM_SOC,
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = fuzz_strdup (data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GHashTable) props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  MxMuxIdPolicy policy;
  MxMuxIdSet in_use;
  guint v = 0, mux_id = 0;
  gboolean b = FALSE;
  const char *s;

  fuzz_init ();
  for (guint i = 0; lines[i]; i++) {
    char *eq = strchr (lines[i], '=');
    if (eq)
      g_hash_table_replace (props, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
  }
  for (guint i = 0; i < G_N_ELEMENTS (bool_tags); i++) {
    mx_udev_tag_get_bool (props, "fuzz0", bool_tags[i], &b);
    mx_udev_tag_is_set (props, "fuzz0", bool_tags[i]);
  }
  if (mx_udev_tag_get_uint (props, "fuzz0", MX_TAG_MAX_MULTIPLEXED_LINKS, 0,
                            MX_TAG_MAX_MULTIPLEXED_LINKS_MAX, &v) &&
      v > MX_TAG_MAX_MULTIPLEXED_LINKS_MAX)
    abort ();
  if (mx_udev_tag_get_uint (props, "fuzz0", MX_TAG_INITIAL_QMAP_MUX_ID, MX_TAG_QMAP_MUX_ID_MIN,
                            MX_TAG_QMAP_MUX_ID_MAX, &v) &&
      (v < MX_TAG_QMAP_MUX_ID_MIN || v > MX_TAG_QMAP_MUX_ID_MAX))
    abort ();
  mx_udev_tag_get_uint (props, "fuzz0", MX_TAG_QRTR_NODE, 0, G_MAXUINT32, &v);
  s = mx_udev_tag_get_string (props, "fuzz0", MX_TAG_PHYSDEV_UID);
  if (s && (!*s || strchr (s, '\n')))
    abort ();
  mx_udev_tag_get_string (props, "fuzz0", MX_TAG_NET_DRIVER);

  /* The link layer's own reading of the two mux id tags, then an
   * allocation with the result: the id must be in range and free. */
  mx_mux_id_policy_init (&policy);
  if (mx_mux_id_policy_set_from_udev (&policy,
                                      g_hash_table_lookup (props, MX_TAG_INITIAL_QMAP_MUX_ID),
                                      g_hash_table_lookup (props, MX_TAG_MAX_MULTIPLEXED_LINKS),
                                      &error)) {
    mx_mux_id_set_clear (&in_use);
    for (guint id = 0; id < 256 && id < size; id++)
      if (data[id] & 1)
        mx_mux_id_set_add (&in_use, id);
    if (mx_mux_id_allocate (&policy, &in_use, 0, &mux_id, NULL) &&
        (mux_id < MX_MUX_ID_MIN || mux_id > MX_MUX_ID_MAX || mx_mux_id_set_has (&in_use, mux_id)))
      abort ();
  } else if (!error) {
    abort ();
  }
  return 0;
}
