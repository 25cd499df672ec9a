/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sysfs readers of the link map: a netdev's ifindex, mtu, flags,
 * operstate and ifalias (mx_link_map_parse_sysfs_attrs, src/link/mx-link-map.c)
 * and qmi_wwan's qmap/mux_id and qmi/add_mux (src/link/mx-link-qmimux.c).
 * Input: the seven files' contents separated by NUL bytes (a string reader
 * stops at a NUL anyway); missing trailing fields are missing files. */
#include <string.h>
#include "fuzz-common.h"
#include "mx-link-map.h"
#include "mx-link-qmimux.h"

#define N_FIELDS 7

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *copy = g_malloc (size + 1);
  const char *field[N_FIELDS] = { NULL };
  g_autoptr(MxLink) link = mx_link_new ();
  g_autoptr(GArray) ids = NULL;
  size_t pos = 0;
  gint mux;

  fuzz_init ();
  memcpy (copy, data, size);
  copy[size] = '\0';
  for (guint i = 0; i < N_FIELDS && pos <= size; i++) {
    field[i] = copy + pos;
    pos += strlen (copy + pos) + 1;
  }
  mx_link_map_parse_sysfs_attrs (link, field[0], field[1], field[2], field[3], field[4]);
  if (link->operstate > 6 || (link->ifalias && !*link->ifalias))
    abort ();
  if (field[5]) {
    mux = mx_qmimux_parse_mux_id (field[5]);
    if (mux < -1 || mux > 255)
      abort ();
  }
  if (field[6]) {
    ids = mx_qmimux_parse_mux_list (field[6]);
    for (guint i = 0; i < ids->len; i++)
      if (g_array_index (ids, guint, i) > 255)
        abort ();
  }
  return 0;
}
