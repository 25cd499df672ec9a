/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link policies: mux id allocation, naming, ownership marker. */
#include <string.h>
#include "mx-link-error.h"
#include "mx-link-name.h"
#include "mx-link-owner.h"
#include "mx-link-mux-id.h"

static void
test_mux_id_lowest_free_from_one (void)
{
  MxMuxIdPolicy policy;
  MxMuxIdSet used;
  guint id = 0;

  mx_mux_id_policy_init (&policy);
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 1);

  /* ids used by any link on the port (ours or foreign) are skipped */
  mx_mux_id_set_add (&used, 1);
  mx_mux_id_set_add (&used, 2);
  mx_mux_id_set_add (&used, 4);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 3);
}

static void
test_mux_id_initial_and_wrap (void)
{
  MxMuxIdPolicy policy;
  MxMuxIdSet used;
  g_autoptr(GError) error = NULL;
  guint id = 0, i;

  mx_mux_id_policy_init (&policy);
  g_assert_true (mx_mux_id_policy_set_from_udev (&policy, "0x81", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (policy.first, ==, 0x81);
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 0x81);

  /* 0x81..254 all taken: wraps to the lowest below the initial id */
  for (i = 0x81; i <= 254; i++)
    mx_mux_id_set_add (&used, i);
  mx_mux_id_set_add (&used, 1);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 2);

  for (i = 1; i <= 254; i++)
    mx_mux_id_set_add (&used, i);
  g_assert_cmpuint (mx_mux_id_set_count (&used), ==, 254);
  g_assert_false (mx_mux_id_allocate (&policy, &used, 0, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
}

static void
test_mux_id_max_links (void)
{
  MxMuxIdPolicy policy;
  MxMuxIdSet used;
  g_autoptr(GError) error = NULL;
  guint id = 0;

  mx_mux_id_policy_init (&policy);
  g_assert_true (mx_mux_id_policy_set_from_udev (&policy, NULL, "2", NULL));
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 1, &id, NULL));
  g_assert_false (mx_mux_id_allocate (&policy, &used, 2, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
  g_clear_error (&error);

  /* ID_MM_MAX_MULTIPLEXED_LINKS=0: no multiplexing at all */
  g_assert_true (mx_mux_id_policy_set_from_udev (&policy, NULL, "0", NULL));
  g_assert_false (mx_mux_id_allocate (&policy, &used, 0, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
}

static void
test_mux_id_bad_udev_values_keep_policy (void)
{
  MxMuxIdPolicy policy;
  g_autoptr(GError) error = NULL;

  mx_mux_id_policy_init (&policy);
  g_assert_false (mx_mux_id_policy_set_from_udev (&policy, "255", NULL, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_assert_nonnull (strstr (error->message, "ID_MM_INITIAL_QMAP_MUX_ID"));
  g_clear_error (&error);
  g_assert_false (mx_mux_id_policy_set_from_udev (&policy, "0", "abc", &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_assert_cmpuint (policy.first, ==, 1);
  g_assert_cmpuint (policy.max_links, ==, 254);
}

static void
test_mux_id_explicit (void)
{
  MxMuxIdPolicy policy;
  MxMuxIdSet used;
  g_autoptr(GError) error = NULL;

  mx_mux_id_policy_init (&policy);
  mx_mux_id_set_clear (&used);
  mx_mux_id_set_add (&used, 7);
  g_assert_true (mx_mux_id_check (&policy, &used, 0, 254, NULL));
  g_assert_false (mx_mux_id_check (&policy, &used, 0, 7, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_false (mx_mux_id_check (&policy, &used, 0, 255, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_clear_error (&error);
  g_assert_false (mx_mux_id_check (&policy, &used, 0, 0, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
}

/* MBIM sessions: 1..255 (session 0 is the data netdev itself, never a link). */
static void
test_mbim_session_ids_default_range (void)
{
  MxMuxIdPolicy policy;
  MxMuxIdSet used;
  g_autoptr(GError) error = NULL;
  guint id = 0, i;

  mx_mux_id_policy_init_mbim (&policy);
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 1);
  /* 255 is a session id (not a QMAP mux id); 0 never is */
  g_assert_true (mx_mux_id_check (&policy, &used, 0, 255, NULL));
  g_assert_false (mx_mux_id_check (&policy, &used, 0, 0, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_clear_error (&error);
  for (i = 1; i <= 254; i++)
    mx_mux_id_set_add (&used, i);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 255);
  mx_mux_id_set_add (&used, 255);
  g_assert_false (mx_mux_id_allocate (&policy, &used, 0, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
  g_assert_nonnull (strstr (error->message, "1..255"));
}

/* A firmware that only takes session ids from 112 (MX_MBIM_SESSION_FIRST=112):
 * allocation stays in 112..255 and never wraps below. */
static void
test_mbim_session_range_from_tags (void)
{
  MxMuxIdPolicy policy;
  MxMuxIdSet used;
  g_autoptr(GError) error = NULL;
  guint first = MX_MBIM_SESSION_ID_MIN, last = MX_MBIM_SESSION_ID_MAX, id = 0, i;

  g_assert_true (mx_mux_id_parse_session_tags ("112", NULL, &first, &last, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (first, ==, 112);
  g_assert_cmpuint (last, ==, 255);
  mx_mux_id_policy_init_mbim (&policy);
  g_assert_true (mx_mux_id_policy_set_range (&policy, first, last, NULL));
  mx_mux_id_set_clear (&used);
  mx_mux_id_set_add (&used, 1); /* a foreign link below the range changes nothing */
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 112);
  mx_mux_id_set_add (&used, 112);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 113);
  g_assert_false (mx_mux_id_check (&policy, &used, 0, 5, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_assert_nonnull (strstr (error->message, "112..255"));
  g_clear_error (&error);
  for (i = 112; i <= 255; i++)
    mx_mux_id_set_add (&used, i);
  g_assert_false (mx_mux_id_allocate (&policy, &used, 0, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
  g_clear_error (&error);

  /* hex, and a last id */
  first = MX_MBIM_SESSION_ID_MIN;
  last = MX_MBIM_SESSION_ID_MAX;
  g_assert_true (mx_mux_id_parse_session_tags ("0x70", "0x7f", &first, &last, NULL));
  g_assert_cmpuint (first, ==, 0x70);
  g_assert_cmpuint (last, ==, 0x7f);
}

static void
test_mbim_session_bad_tags_change_nothing (void)
{
  g_autoptr(GError) error = NULL;
  MxMuxIdPolicy policy;
  guint first = 1, last = 255;

  g_assert_false (mx_mux_id_parse_session_tags ("0", NULL, &first, &last, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_assert_nonnull (strstr (error->message, "MX_MBIM_SESSION_FIRST"));
  g_clear_error (&error);
  g_assert_false (mx_mux_id_parse_session_tags (NULL, "256", &first, &last, &error));
  g_assert_nonnull (strstr (error->message, "MX_MBIM_SESSION_LAST"));
  g_clear_error (&error);
  g_assert_false (mx_mux_id_parse_session_tags ("200", "100", &first, &last, &error));
  g_assert_nonnull (strstr (error->message, "empty range"));
  g_clear_error (&error);
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpuint (last, ==, 255);

  mx_mux_id_policy_init_mbim (&policy);
  g_assert_false (mx_mux_id_policy_set_range (&policy, 0, 255, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE);
  g_assert_cmpuint (policy.min, ==, 1);
  g_assert_cmpuint (policy.max, ==, 255);
}

static gchar *
build (const char *tmpl, const char *port, guint mux, guint attempt)
{
  MxLinkNamePolicy policy = { tmpl };
  g_autoptr(GError) error = NULL;
  gchar *name = mx_link_name_build (&policy, port, mux, attempt, &error);

  g_assert_no_error (error);
  return name;
}

static void
test_name_default_is_stable_and_dotless (void)
{
  g_autofree gchar *a = build (NULL, "rmnet_ipa0", 129, 0);
  g_autofree gchar *b = build (NULL, "rmnet_ipa0", 129, 0);
  g_autofree gchar *c = build (NULL, "wwan0.1", 1, 0);
  g_autofree gchar *d = build (NULL, "mhi_hwip0", 254, 0);

  g_assert_cmpstr (a, ==, "rmnet_ipa0_129");
  g_assert_cmpstr (a, ==, b);           /* same port + mux id -> same name, always */
  g_assert_cmpstr (c, ==, "wwan0_1_1"); /* dots in the port never reach the link */
  g_assert_cmpstr (d, ==, "mhi_hwip0_254");
}

static void
test_name_long_port_is_shortened (void)
{
  g_autofree gchar *a = build (NULL, "enx0123456789ab", 254, 0);
  g_autofree gchar *b = build (NULL, "enx0123456789ab", 254, 3);

  g_assert_cmpstr (a, ==, "enx01234567_254");
  g_assert_cmpuint (strlen (a), <=, MX_LINK_NAME_MAX);
  g_assert_cmpstr (b, ==, "enx012345_254x3");
  g_assert_cmpuint (strlen (b), <=, MX_LINK_NAME_MAX);
}

static void
test_name_collision_suffix_is_predictable (void)
{
  g_autofree gchar *a1 = build (NULL, "wwan0", 1, 1);
  g_autofree gchar *a2 = build (NULL, "wwan0", 1, 2);

  g_assert_cmpstr (a1, ==, "wwan0_1x1");
  g_assert_cmpstr (a2, ==, "wwan0_1x2");
}

static void
test_name_templates (void)
{
  g_autofree gchar *a = build ("mux{muxhex}", "wwan0", 0x81, 0);
  g_autofree gchar *b = build ("{port}.{mux}", "wwan0", 2, 0); /* dots only if asked for */
  MxLinkNamePolicy no_mux = { "{port}x" };
  MxLinkNamePolicy slash = { "a/{mux}" };
  MxLinkNamePolicy huge = { "abcdefghijklmno{port}{mux}" };
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (a, ==, "mux81");
  g_assert_cmpstr (b, ==, "wwan0.2");
  g_assert_null (mx_link_name_build (&no_mux, "wwan0", 1, 0, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (mx_link_name_build (&slash, "wwan0", 1, 0, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (mx_link_name_build (&huge, "wwan0", 1, 0, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NAME_TOO_LONG);
}

static void
test_name_validate (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mx_link_name_validate ("rmnet_data0", NULL));
  g_assert_false (mx_link_name_validate ("abcdefghijklmnop", &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NAME_TOO_LONG);
  g_clear_error (&error);
  g_assert_false (mx_link_name_validate ("a b", &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
}

static void
test_owner_marker (void)
{
  g_autofree gchar *marker = mx_link_owner_marker ("wwan0", 3);
  g_autofree gchar *port = NULL;
  g_autoptr(MxLink) link = mx_link_new ();
  guint mux = 0;

  g_assert_cmpstr (marker, ==, "modemux:wwan0:3");
  g_assert_true (mx_link_owner_parse (marker, &port, &mux));
  g_assert_cmpstr (port, ==, "wwan0");
  g_assert_cmpuint (mux, ==, 3);
  g_assert_false (mx_link_owner_parse ("my uplink", NULL, NULL));
  g_assert_false (mx_link_owner_parse ("modemux:wwan0", NULL, NULL));

  link->ifname = g_strdup ("wwan0_3");
  link->kind = g_strdup ("rmnet");
  link->lower_name = g_strdup ("wwan0");
  link->mux_id = 3;
  g_assert_false (mx_link_owner_is_ours (link, NULL)); /* no alias: foreign */
  link->ifalias = g_strdup (marker);
  g_assert_true (mx_link_owner_is_ours (link, NULL));
  g_assert_true (mx_link_owner_is_ours (link, "wwan0"));
  g_assert_false (mx_link_owner_is_ours (link, "wwan1")); /* another port: never touched */
  link->mux_id = 4;                                       /* alias copied to another link */
  g_assert_false (mx_link_owner_is_ours (link, NULL));
  link->mux_id = 3;
  g_free (link->lower_name);
  link->lower_name = g_strdup ("eth0");                   /* marker names another port */
  g_assert_false (mx_link_owner_is_ours (link, NULL));
}

static void
test_rmnet_flags_words (void)
{
  g_autofree gchar *s = mx_link_rmnet_flags_to_string (0x31);
  g_autoptr(GError) error = NULL;
  guint32 flags = 0;

  g_assert_cmpstr (s, ==, "ingress-deaggregation,ingress-mapv5-checksum,egress-mapv5-checksum");
  g_assert_true (mx_link_rmnet_flags_parse (s, &flags, NULL));
  g_assert_cmphex (flags, ==, 0x31);
  g_assert_true (mx_link_rmnet_flags_parse ("0xd", &flags, NULL));
  g_assert_cmphex (flags, ==, MX_RMNET_FLAG_INGRESS_DEAGGREGATION | MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 |
                               MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4);
  /* CAF's "coalesce" is not an upstream flag */
  g_assert_false (mx_link_rmnet_flags_parse ("ingress-coalesce", &flags, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (mx_link_rmnet_flags_parse ("0x40", &flags, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/link-policy/mux-id/lowest-free-from-one", test_mux_id_lowest_free_from_one);
  g_test_add_func ("/link-policy/mux-id/initial-and-wrap", test_mux_id_initial_and_wrap);
  g_test_add_func ("/link-policy/mux-id/max-links", test_mux_id_max_links);
  g_test_add_func ("/link-policy/mux-id/bad-udev-values", test_mux_id_bad_udev_values_keep_policy);
  g_test_add_func ("/link-policy/mux-id/explicit", test_mux_id_explicit);
  g_test_add_func ("/link-policy/name/default-stable-dotless", test_name_default_is_stable_and_dotless);
  g_test_add_func ("/link-policy/name/long-port-shortened", test_name_long_port_is_shortened);
  g_test_add_func ("/link-policy/name/collision-suffix", test_name_collision_suffix_is_predictable);
  g_test_add_func ("/link-policy/name/templates", test_name_templates);
  g_test_add_func ("/link-policy/name/validate", test_name_validate);
  g_test_add_func ("/link-policy/owner/marker", test_owner_marker);
  g_test_add_func ("/link-policy/rmnet-flags/words", test_rmnet_flags_words);
  g_test_add_func ("/link-policy/mux-id/mbim-session-ids-default-range", test_mbim_session_ids_default_range);
  g_test_add_func ("/link-policy/mux-id/mbim-session-range-from-tags", test_mbim_session_range_from_tags);
  g_test_add_func ("/link-policy/mux-id/mbim-session-bad-tags-change-nothing",
                   test_mbim_session_bad_tags_change_nothing);
  return g_test_run ();
}
