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
/* MBIM session ids of multiplexed links (wwan link id, VLAN id on
 * cdc_mbim); session 0 is the data netdev itself, never a link. */
#define MX_MBIM_SESSION_ID_MIN 1
#define MX_MBIM_SESSION_ID_MAX 255

typedef struct {
  guint32 bits[8];
} MxMuxIdSet;

void     mx_mux_id_set_clear (MxMuxIdSet *set);
void     mx_mux_id_set_add   (MxMuxIdSet *set, guint mux_id);
gboolean mx_mux_id_set_has   (const MxMuxIdSet *set, guint mux_id);
guint    mx_mux_id_set_count (const MxMuxIdSet *set);

typedef struct {
  guint min;       /* ids the port may use: min..max; QMAP 1..254, MBIM sessions 1..255 */
  guint max;
  guint first;     /* first id tried (ID_MM_INITIAL_QMAP_MUX_ID), in min..max; default min */
  guint max_links; /* at most this many of our links on the port (ID_MM_MAX_MULTIPLEXED_LINKS); default 254 */
} MxMuxIdPolicy;

/* QMAP mux ids: 1..254, from 1. */
void     mx_mux_id_policy_init (MxMuxIdPolicy *policy);
/* MBIM session ids: 1..255, from 1 (session 0 is the data netdev). */
void     mx_mux_id_policy_init_mbim (MxMuxIdPolicy *policy);
/* Restricts the ids to @min..@max (an MBIM firmware that only takes 112..255);
 * the first id tried moves into the range. FALSE (and @policy unchanged)
 * unless 1 <= min <= max <= 255. */
gboolean mx_mux_id_policy_set_range (MxMuxIdPolicy *policy, guint min, guint max, GError **error);
/* The udev tags MX_MBIM_SESSION_FIRST / MX_MBIM_SESSION_LAST (either NULL =
 * unset; decimal or 0x hex, 1..255) into *@first / *@last; FALSE with an
 * error naming the tag. Nothing is changed on failure. */
gboolean mx_mux_id_parse_session_tags (const char *first_str, const char *last_str,
                                       guint *first, guint *last, GError **error);
/* Applies udev property values (either may be NULL = unset); decimal or 0x hex. */
gboolean mx_mux_id_policy_set_from_udev (MxMuxIdPolicy *policy,
                                         const char    *initial_qmap_mux_id,
                                         const char    *max_multiplexed_links,
                                         GError       **error);

/* Picks the lowest free id in first..max, then min..first-1 (predictable).
 * @n_own_links: links we already have on the port (checked against max_links). */
gboolean mx_mux_id_allocate (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use,
                             guint n_own_links, guint *mux_id, GError **error);
/* Validates an explicitly requested id: in min..max and not in use. */
gboolean mx_mux_id_check    (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use,
                             guint n_own_links, guint mux_id, GError **error);

G_END_DECLS
