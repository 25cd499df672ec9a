/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link"
#include <string.h>
#include "mx-link-mux-id.h"
#include "mx-link-error.h"

void
mx_mux_id_set_clear (MxMuxIdSet *set)
{
  memset (set, 0, sizeof (*set));
}

void
mx_mux_id_set_add (MxMuxIdSet *set, guint mux_id)
{
  if (mux_id < 256)
    set->bits[mux_id / 32] |= 1u << (mux_id % 32);
}

gboolean
mx_mux_id_set_has (const MxMuxIdSet *set, guint mux_id)
{
  return mux_id < 256 && (set->bits[mux_id / 32] & (1u << (mux_id % 32))) != 0;
}

guint
mx_mux_id_set_count (const MxMuxIdSet *set)
{
  guint i, n = 0;

  for (i = 0; i < G_N_ELEMENTS (set->bits); i++)
    n += (guint) __builtin_popcount (set->bits[i]);
  return n;
}

void
mx_mux_id_policy_init (MxMuxIdPolicy *policy)
{
  policy->first = MX_MUX_ID_MIN;
  policy->max_links = MX_MUX_ID_MAX;
}

static gboolean
parse_number (const char *name, const char *value, guint min, guint max, guint *out, GError **error)
{
  guint64 num;
  gboolean ok;

  if (g_str_has_prefix (value, "0x") || g_str_has_prefix (value, "0X"))
    ok = g_ascii_string_to_unsigned (value + 2, 16, min, max, &num, NULL);
  else
    ok = g_ascii_string_to_unsigned (value, 10, min, max, &num, NULL);
  if (!ok) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                 "udev property %s='%s' is not a number in %u..%u", name, value, min, max);
    return FALSE;
  }
  *out = (guint) num;
  return TRUE;
}

gboolean
mx_mux_id_policy_set_from_udev (MxMuxIdPolicy *policy, const char *initial_qmap_mux_id,
                                const char *max_multiplexed_links, GError **error)
{
  MxMuxIdPolicy p = *policy;

  if (initial_qmap_mux_id &&
      !parse_number ("ID_MM_INITIAL_QMAP_MUX_ID", initial_qmap_mux_id, MX_MUX_ID_MIN,
                     MX_MUX_ID_MAX, &p.first, error))
    return FALSE;
  /* 0 is meaningful: the modem must not be multiplexed at all. */
  if (max_multiplexed_links &&
      !parse_number ("ID_MM_MAX_MULTIPLEXED_LINKS", max_multiplexed_links, 0, MX_MUX_ID_MAX,
                     &p.max_links, error))
    return FALSE;
  *policy = p;
  return TRUE;
}

static gboolean
check_room (const MxMuxIdPolicy *policy, guint n_own_links, GError **error)
{
  if (n_own_links >= policy->max_links) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID,
                 "the port already has %u of at most %u multiplexed links", n_own_links,
                 policy->max_links);
    return FALSE;
  }
  return TRUE;
}

gboolean
mx_mux_id_allocate (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use, guint n_own_links,
                    guint *mux_id, GError **error)
{
  guint first = CLAMP (policy->first, MX_MUX_ID_MIN, MX_MUX_ID_MAX);
  guint i;

  if (!check_room (policy, n_own_links, error))
    return FALSE;
  /* first..254, then wrap to 1..first-1: the lowest free id from the
   * preferred start, the same answer for the same kernel state. */
  for (i = 0; i < MX_MUX_ID_MAX; i++) {
    guint id = MX_MUX_ID_MIN + (first - MX_MUX_ID_MIN + i) % MX_MUX_ID_MAX;
    if (!mx_mux_id_set_has (in_use, id)) {
      *mux_id = id;
      return TRUE;
    }
  }
  g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID,
               "all mux ids 1..254 are in use on the port");
  return FALSE;
}

gboolean
mx_mux_id_check (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use, guint n_own_links,
                 guint mux_id, GError **error)
{
  if (mux_id < MX_MUX_ID_MIN || mux_id > MX_MUX_ID_MAX) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                 "mux id %u out of range (1..254)", mux_id);
    return FALSE;
  }
  if (mx_mux_id_set_has (in_use, mux_id)) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                 "mux id %u is already used by another link on the port", mux_id);
    return FALSE;
  }
  return check_room (policy, n_own_links, error);
}
