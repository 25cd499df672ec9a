/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mux id allocation policy, per physical port: the only place that decides
 * which mux id a new link gets. Input is the set of mux ids really in use on
 * that port according to the kernel (every rmnet link on the lower, ours or
 * foreign), never interface names. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define MX_MUX_ID_MIN 1
#define MX_MUX_ID_MAX 254

typedef struct {
  guint32 bits[8];
} MxMuxIdSet;

void     mx_mux_id_set_clear (MxMuxIdSet *set);
void     mx_mux_id_set_add   (MxMuxIdSet *set, guint mux_id);
gboolean mx_mux_id_set_has   (const MxMuxIdSet *set, guint mux_id);
guint    mx_mux_id_set_count (const MxMuxIdSet *set);

typedef struct {
  guint first;     /* first id tried (ID_MM_INITIAL_QMAP_MUX_ID); default 1 */
  guint max_links; /* at most this many of our links on the port (ID_MM_MAX_MULTIPLEXED_LINKS); default 254 */
} MxMuxIdPolicy;

void     mx_mux_id_policy_init (MxMuxIdPolicy *policy);
/* Applies udev property values (either may be NULL = unset); decimal or 0x hex. */
gboolean mx_mux_id_policy_set_from_udev (MxMuxIdPolicy *policy,
                                         const char    *initial_qmap_mux_id,
                                         const char    *max_multiplexed_links,
                                         GError       **error);

/* Picks the lowest free id in first..254, then 1..first-1 (predictable).
 * @n_own_links: links we already have on the port (checked against max_links). */
gboolean mx_mux_id_allocate (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use,
                             guint n_own_links, guint *mux_id, GError **error);
/* Validates an explicitly requested id: range 1..254 and not in use. */
gboolean mx_mux_id_check    (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use,
                             guint n_own_links, guint mux_id, GError **error);

G_END_DECLS
