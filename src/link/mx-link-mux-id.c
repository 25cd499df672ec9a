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
  policy->min = MX_MUX_ID_MIN;
  policy->max = MX_MUX_ID_MAX;
  policy->first = MX_MUX_ID_MIN;
  policy->max_links = MX_MUX_ID_MAX;
}

void
mx_mux_id_policy_init_mbim (MxMuxIdPolicy *policy)
{
  policy->min = MX_MBIM_SESSION_ID_MIN;
  policy->max = MX_MBIM_SESSION_ID_MAX;
  policy->first = MX_MBIM_SESSION_ID_MIN;
  policy->max_links = MX_MBIM_SESSION_ID_MAX;
}

gboolean
mx_mux_id_policy_set_range (MxMuxIdPolicy *policy, guint min, guint max, GError **error)
{
  if (min < 1 || min > max || max > MX_MBIM_SESSION_ID_MAX) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                 "id range %u..%u is not within 1..%u", min, max, MX_MBIM_SESSION_ID_MAX);
    return FALSE;
  }
  policy->min = min;
  policy->max = max;
  policy->first = CLAMP (policy->first, min, max);
  return TRUE;
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

gboolean
mx_mux_id_parse_session_tags (const char *first_str, const char *last_str, guint *first,
                              guint *last, GError **error)
{
  guint f = *first, l = *last;

  if (first_str && !parse_number ("MX_MBIM_SESSION_FIRST", first_str, MX_MBIM_SESSION_ID_MIN,
                                  MX_MBIM_SESSION_ID_MAX, &f, error))
    return FALSE;
  if (last_str && !parse_number ("MX_MBIM_SESSION_LAST", last_str, MX_MBIM_SESSION_ID_MIN,
                                 MX_MBIM_SESSION_ID_MAX, &l, error))
    return FALSE;
  if (f > l) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                 "udev properties MX_MBIM_SESSION_FIRST=%u and MX_MBIM_SESSION_LAST=%u "
                 "give an empty range", f, l);
    return FALSE;
  }
  *first = f;
  *last = l;
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
  guint first = CLAMP (policy->first, policy->min, policy->max);
  guint n = policy->max - policy->min + 1;
  guint i;

  if (!check_room (policy, n_own_links, error))
    return FALSE;
  /* first..max, then wrap to min..first-1: the lowest free id from the
   * preferred start, the same answer for the same kernel state. */
  for (i = 0; i < n; i++) {
    guint id = policy->min + (first - policy->min + i) % n;
    if (!mx_mux_id_set_has (in_use, id)) {
      *mux_id = id;
      return TRUE;
    }
  }
  g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID,
               "all mux ids %u..%u are in use on the port", policy->min, policy->max);
  return FALSE;
}

gboolean
mx_mux_id_check (const MxMuxIdPolicy *policy, const MxMuxIdSet *in_use, guint n_own_links,
                 guint mux_id, GError **error)
{
  if (mux_id < policy->min || mux_id > policy->max) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                 "mux id %u out of range (%u..%u)", mux_id, policy->min, policy->max);
    return FALSE;
  }
  if (mx_mux_id_set_has (in_use, mux_id)) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                 "mux id %u is already used by another link on the port", mux_id);
    return FALSE;
  }
  return check_room (policy, n_own_links, error);
}
