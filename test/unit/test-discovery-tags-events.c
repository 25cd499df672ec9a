/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udev tag values and kernel events: what is accepted, and that garbage is
 * refused with a message naming the culprit. */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "mx-discovery.h"
#include "mx-discovery-error.h"
#include "mx-discovery-kernel-event.h"
#include "mx-discovery-udev-tags.h"
#include "mx-discovery-plugin.h"
#include "mx-link-error.h"
#include "mx-link-mux-id.h"

static GHashTable *
props_new (const char *key, const char *value)
{
  GHashTable *props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_hash_table_insert (props, g_strdup (key), g_strdup (value));
  return props;
}

static void
test_bool_tags_accept_mm_spellings (void)
{
  const char *truths[] = { "1", "true", "TRUE", "yes" };
  const char *falsehoods[] = { "0", "false", "No" };

  for (guint i = 0; i < G_N_ELEMENTS (truths); i++) {
    g_autoptr(GHashTable) props = props_new (MX_TAG_CANDIDATE, truths[i]);
    gboolean value = FALSE;

    g_assert_true (mx_udev_tag_get_bool (props, "wwan0", MX_TAG_CANDIDATE, &value));
    g_assert_true (value);
  }
  for (guint i = 0; i < G_N_ELEMENTS (falsehoods); i++) {
    g_autoptr(GHashTable) props = props_new (MX_TAG_CANDIDATE, falsehoods[i]);
    gboolean value = TRUE;

    g_assert_true (mx_udev_tag_get_bool (props, "wwan0", MX_TAG_CANDIDATE, &value));
    g_assert_false (value);
  }
}

static void
test_garbage_bool_tag_warns_and_counts_as_unset (void)
{
  g_autoptr(GHashTable) props = props_new (MX_TAG_PORT_IGNORE, "perhaps");
  gboolean value = TRUE;

  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING,
                         "*cdc-wdm0*ID_MM_PORT_IGNORE*perhaps*");
  g_assert_false (mx_udev_tag_get_bool (props, "cdc-wdm0", MX_TAG_PORT_IGNORE, &value));
  g_test_assert_expected_messages ();
  g_assert_true (value); /* untouched */
}

static void
test_absent_tag_is_silent (void)
{
  g_autoptr(GHashTable) props = props_new ("OTHER", "1");
  gboolean value;
  guint n;

  g_assert_false (mx_udev_tag_get_bool (props, "x", MX_TAG_CANDIDATE, &value));
  g_assert_false (mx_udev_tag_get_uint (props, "x", MX_TAG_MAX_MULTIPLEXED_LINKS, 0, 10, &n));
  g_assert_null (mx_udev_tag_get_string (props, "x", MX_TAG_PHYSDEV_UID));
}

static void
test_numeric_tags_are_range_checked (void)
{
  const struct { const char *value; gboolean ok; guint expect; } cases[] = {
    { "4", TRUE, 4 }, { "0", TRUE, 0 }, { "254", TRUE, 254 },
    { "255", FALSE, 0 }, { "-1", FALSE, 0 }, { "four", FALSE, 0 }, { "4 ", FALSE, 0 }, { "", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GHashTable) props = props_new (MX_TAG_MAX_MULTIPLEXED_LINKS, cases[i].value);
    guint n = 999;

    if (!cases[i].ok)
      g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, "*ID_MM_MAX_MULTIPLEXED_LINKS*");
    g_assert_cmpint (mx_udev_tag_get_uint (props, "rmnet_ipa0", MX_TAG_MAX_MULTIPLEXED_LINKS, 0,
                                           MX_TAG_MAX_MULTIPLEXED_LINKS_MAX, &n), ==, cases[i].ok);
    g_test_assert_expected_messages ();
    if (cases[i].ok)
      g_assert_cmpuint (n, ==, cases[i].expect);
  }
}

static void
test_empty_physdev_uid_is_garbage (void)
{
  g_autoptr(GHashTable) props = props_new (MX_TAG_PHYSDEV_UID, "");

  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, "*ID_MM_PHYSDEV_UID*");
  g_assert_null (mx_udev_tag_get_string (props, "wwan0", MX_TAG_PHYSDEV_UID));
  g_test_assert_expected_messages ();
}

static void
test_kernel_event_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxKernelEvent) event =
    mx_kernel_event_parse_line ("action=add,subsystem=net,name=mhi_hwip0,uid=modem1", &error);

  g_assert_no_error (error);
  g_assert_true (event->add);
  g_assert_cmpstr (event->subsystem, ==, "net");
  g_assert_cmpstr (event->name, ==, "mhi_hwip0");
  g_assert_cmpstr (g_hash_table_lookup (event->extra, "uid"), ==, "modem1");
  g_assert_false (g_hash_table_contains (event->extra, "action"));
}

static void
test_kernel_event_rejects (void)
{
  const struct { const char *line; const char *message; } bad[] = {
    { "action=add,subsystem=sound,name=card0", "*subsystem 'sound' is not supported*" },
    { "action=bind,subsystem=net,name=wwan0", "*action 'bind'*" },
    { "action=add,subsystem=net", "*lacks 'name'*" },
    { "subsystem=net,name=wwan0", "*lacks 'action'*" },
    { "action=add,subsystem=net,name=wwan0,colour=blue", "*key 'colour' is unknown*" },
    { "action=add,subsystem=net,name=../../etc", "*not a device name*" },
    { "action=add,subsystem=net,name=", "*empty value*" },
    { "action=add subsystem=net,name=x", "*action 'add subsystem=net'*" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr(GError) error = NULL;
    MxKernelEvent *event = mx_kernel_event_parse_line (bad[i].line, &error);

    g_assert_null (event);
    g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT);
    g_assert_true (g_pattern_match_simple (bad[i].message, error->message));
  }
}

static void
test_kernel_event_variant (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) good = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'remove'>, 'subsystem': <'wwan'>, 'name': <'wwan0qmi0'>}"));
  g_autoptr(GVariant) unknown = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'add'>, 'subsystem': <'sound'>, 'name': <'card0'>}"));
  g_autoptr(GVariant) typed = g_variant_ref_sink (g_variant_new_parsed (
    "{'action': <'add'>, 'subsystem': <'net'>, 'name': <uint32 3>}"));
  g_autoptr(MxKernelEvent) event = mx_kernel_event_from_variant (good, &error);
  MxKernelEvent *none;

  g_assert_no_error (error);
  g_assert_false (event->add);
  g_assert_cmpstr (event->name, ==, "wwan0qmi0");

  none = mx_kernel_event_from_variant (unknown, &error);
  g_assert_null (none);
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT);
  g_assert_nonnull (strstr (error->message, "'sound'"));
  g_clear_error (&error);

  none = mx_kernel_event_from_variant (typed, &error);
  g_assert_null (none);
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT);
}

static void
test_kernel_event_file_names_bad_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint fd = g_file_open_tmp ("mx-events-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path,
    "# fake MHI modem\n"
    "action=add,subsystem=wwan,name=wwan0qmi0,uid=modem1\n"
    "\n"
    "action=add,subsystem=net,name=mhi_hwip0,uid=modem1,driver=mhi_net\n", -1, NULL));
  events = mx_kernel_event_parse_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (((MxKernelEvent *) events->pdata[1])->extra, "driver"), ==,
                   "mhi_net");
  g_clear_pointer (&events, g_ptr_array_unref);

  g_assert_true (g_file_set_contents (path,
    "action=add,subsystem=wwan,name=wwan0qmi0\n"
    "action=add,subsystem=bluetooth,name=hci0\n", -1, NULL));
  events = mx_kernel_event_parse_file (path, &error);
  g_assert_null (events);
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_INVALID_EVENT);
  g_assert_true (g_str_has_suffix (error->message, "subsystem 'bluetooth' is not supported (net, wwan, usbmisc, rpmsg, tty)"));
  g_assert_nonnull (strstr (error->message, ":2:"));
  g_unlink (path);
}

/* ReportKernelEvent: ModemManager's properties object in, our event out; a
 * refusal becomes org.freedesktop.ModemManager1.Error.Core.InvalidArgs. */
static void
test_dbus_kernel_event (void)
{
  g_autoptr(MMKernelEventProperties) props = mm_kernel_event_properties_new ();
  g_autoptr(MxKernelEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) mm_error = NULL;

  mm_kernel_event_properties_set_action (props, "add");
  mm_kernel_event_properties_set_subsystem (props, "net");
  mm_kernel_event_properties_set_name (props, "mhi_hwip0");
  mm_kernel_event_properties_set_uid (props, "modem1");
  event = mx_discovery_event_from_properties (props, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (event->extra, "uid"), ==, "modem1");

  mm_kernel_event_properties_set_subsystem (props, "sound");
  g_clear_pointer (&event, mx_kernel_event_free);
  event = mx_discovery_event_from_properties (props, &error);
  g_assert_null (event);
  mm_error = mx_discovery_error_to_mm (error);
  g_assert_error (mm_error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (mm_error->message, "'sound' is not supported"));
}

/* ---- the mux id tags, from a data port's properties to the allocator ---- */

/* The data port mhi_hwip0 with @uevent as its properties, after its plugin
 * applied the multiplex tags; *@policy is what the allocator then gets. */
static MxPort *
tagged_port (const char *uevent, gboolean mbim, MxMuxIdPolicy *policy)
{
  g_autoptr(GError) error = NULL;
  g_autofree gchar *root = g_dir_make_tmp ("mx-tags-XXXXXX", &error);
  g_autofree gchar *dir = g_build_filename (root, "class", "net", "mhi_hwip0", NULL);
  g_autofree gchar *file = g_build_filename (dir, "uevent", NULL);
  g_autoptr(GHashTable) extra = props_new ("uid", "modem1");
  g_autoptr(MxKernelDevice) kdev = NULL;
  MxPort *port;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (file, uevent, -1, NULL));
  kdev = mx_kernel_device_new_from_sysfs (root, "net", "mhi_hwip0", extra, &error);
  g_assert_no_error (error);
  /* The device has read its properties: the tree can go. */
  g_assert_cmpint (g_unlink (file), ==, 0);
  for (guint i = 0; i < 3; i++) {
    gchar *parent = g_path_get_dirname (dir);

    g_assert_cmpint (g_rmdir (dir), ==, 0);
    g_free (dir);
    dir = parent;
  }
  g_assert_cmpint (g_rmdir (root), ==, 0);

  port = mx_port_new (kdev, MX_PORT_TYPE_NET, MX_PORT_ROLE_DATA);
  if (mbim) {
    /* what the mhi and generic plugins give mhi_wwan_mbim and cdc_mbim */
    port->profile.mbim_session_first = 1;
    port->profile.mbim_session_last = 255;
  }
  mx_plugin_apply_multiplex_tags (port);
  mx_port_get_mux_id_policy (port, policy);
  return port;
}

#define tagged_data_port(uevent, policy) tagged_port ((uevent), FALSE, (policy))

/* MBIM session ids: 1..255 from the plugin; a firmware that only takes
 * 112 and up is tagged MX_MBIM_SESSION_FIRST=112. */
static void
test_mux_tags_mbim_session_range (void)
{
  MxMuxIdPolicy policy;
  g_autoptr(MxPort) plain = tagged_port ("INTERFACE=wwan0\n", TRUE, &policy);
  g_autoptr(MxPort) high = NULL;
  g_autoptr(MxPort) bad = NULL;
  MxMuxIdSet used;
  guint id = 0;

  g_assert_cmpuint (policy.min, ==, 1);
  g_assert_cmpuint (policy.max, ==, 255);
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 1);

  high = tagged_port ("MX_MBIM_SESSION_FIRST=112\n", TRUE, &policy);
  g_assert_cmpint (high->profile.mbim_session_first, ==, 112);
  g_assert_cmpint (high->profile.mbim_session_last, ==, 255);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 112);

  /* a bad value names the tag and leaves the plugin's range */
  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, "*MX_MBIM_SESSION_FIRST='0'*1..255*");
  bad = tagged_port ("MX_MBIM_SESSION_FIRST=0\n", TRUE, &policy);
  g_test_assert_expected_messages ();
  g_assert_cmpint (bad->profile.mbim_session_first, ==, 1);
  g_assert_cmpuint (policy.min, ==, 1);

  /* on a QMAP port the tag means nothing */
  g_clear_pointer (&bad, mx_port_unref);
  bad = tagged_data_port ("MX_MBIM_SESSION_FIRST=112\n", &policy);
  g_assert_cmpint (bad->profile.mbim_session_first, ==, -1);
  g_assert_cmpuint (policy.max, ==, 254);
  g_assert_cmpuint (policy.first, ==, 1);
}

static void
test_mux_tags_initial_id_and_wrap (void)
{
  MxMuxIdPolicy policy;
  g_autoptr(MxPort) port =
    tagged_data_port ("INTERFACE=mhi_hwip0\nID_MM_INITIAL_QMAP_MUX_ID=0x81\n", &policy);
  MxMuxIdSet used;
  guint id = 0;

  g_assert_cmpint (port->profile.initial_mux_id, ==, 0x81);
  g_assert_cmpint (port->profile.max_links, ==, -1);
  g_assert_cmpuint (policy.first, ==, 0x81);
  g_assert_cmpuint (policy.max_links, ==, 254);

  /* The first link gets the tagged id, the next one the id after it. */
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0, &id, NULL));
  g_assert_cmpuint (id, ==, 0x81);
  mx_mux_id_set_add (&used, id);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 1, &id, NULL));
  g_assert_cmpuint (id, ==, 0x82);

  /* Past 254 it wraps to the lowest free id below the tagged one. */
  for (guint i = 0x81; i <= 254; i++)
    mx_mux_id_set_add (&used, i);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 0x81, &id, NULL));
  g_assert_cmpuint (id, ==, 1);
}

static void
test_mux_tags_max_links (void)
{
  MxMuxIdPolicy policy;
  g_autoptr(MxPort) two =
    tagged_data_port ("ID_MM_MAX_MULTIPLEXED_LINKS=2\nID_MM_INITIAL_QMAP_MUX_ID=100\n", &policy);
  g_autoptr(MxPort) none = NULL;
  g_autoptr(GError) error = NULL;
  MxMuxIdSet used;
  guint id = 0;

  g_assert_cmpint (two->profile.max_links, ==, 2);
  mx_mux_id_set_clear (&used);
  g_assert_true (mx_mux_id_allocate (&policy, &used, 1, &id, NULL));
  g_assert_cmpuint (id, ==, 100);
  g_assert_false (mx_mux_id_allocate (&policy, &used, 2, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
  g_clear_error (&error);

  /* 0: no multiplexing on the port, not even a first link. */
  none = tagged_data_port ("ID_MM_MAX_MULTIPLEXED_LINKS=0\n", &policy);
  g_assert_cmpint (none->profile.max_links, ==, 0);
  g_assert_cmpuint (policy.max_links, ==, 0);
  g_assert_false (mx_mux_id_allocate (&policy, &used, 0, &id, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
  g_clear_error (&error);
  g_assert_false (mx_mux_id_check (&policy, &used, 0, 5, &error));
  g_assert_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_FREE_MUX_ID);
}

static void
test_mux_tags_untagged_is_the_default (void)
{
  MxMuxIdPolicy policy;
  g_autoptr(MxPort) port = tagged_data_port ("INTERFACE=mhi_hwip0\n", &policy);

  g_assert_cmpint (port->profile.initial_mux_id, ==, -1);
  g_assert_cmpint (port->profile.max_links, ==, -1);
  g_assert_cmpuint (policy.first, ==, 1);
  g_assert_cmpuint (policy.max_links, ==, 254);
}

static void
test_mux_tags_invalid_values_are_refused_by_name (void)
{
  const struct { const char *uevent; const char *message; } bad[] = {
    { "ID_MM_INITIAL_QMAP_MUX_ID=255\n", "*mhi_hwip0*ID_MM_INITIAL_QMAP_MUX_ID='255'*1..254*" },
    { "ID_MM_INITIAL_QMAP_MUX_ID=0\n", "*mhi_hwip0*ID_MM_INITIAL_QMAP_MUX_ID='0'*1..254*" },
    { "ID_MM_MAX_MULTIPLEXED_LINKS=lots\n", "*mhi_hwip0*ID_MM_MAX_MULTIPLEXED_LINKS='lots'*0..254*" },
    { "ID_MM_MAX_MULTIPLEXED_LINKS=-1\n", "*mhi_hwip0*ID_MM_MAX_MULTIPLEXED_LINKS='-1'*0..254*" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    MxMuxIdPolicy policy;
    g_autoptr(MxPort) port = NULL;

    g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, bad[i].message);
    port = tagged_data_port (bad[i].uevent, &policy);
    g_test_assert_expected_messages ();
    /* Treated as unset: the defaults stay. */
    g_assert_cmpint (port->profile.initial_mux_id, ==, -1);
    g_assert_cmpint (port->profile.max_links, ==, -1);
    g_assert_cmpuint (policy.first, ==, 1);
    g_assert_cmpuint (policy.max_links, ==, 254);
  }

  /* A bad tag does not drop a good one next to it. */
  {
    MxMuxIdPolicy policy;
    g_autoptr(MxPort) port = NULL;

    g_test_expect_message ("mx-discovery", G_LOG_LEVEL_WARNING, "*ID_MM_MAX_MULTIPLEXED_LINKS='x'*");
    port = tagged_data_port ("ID_MM_MAX_MULTIPLEXED_LINKS=x\nID_MM_INITIAL_QMAP_MUX_ID=7\n", &policy);
    g_test_assert_expected_messages ();
    g_assert_cmpuint (policy.first, ==, 7);
    g_assert_cmpuint (policy.max_links, ==, 254);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/discovery/tags/bool-spellings", test_bool_tags_accept_mm_spellings);
  g_test_add_func ("/discovery/tags/garbage-bool", test_garbage_bool_tag_warns_and_counts_as_unset);
  g_test_add_func ("/discovery/tags/absent", test_absent_tag_is_silent);
  g_test_add_func ("/discovery/tags/numeric-range", test_numeric_tags_are_range_checked);
  g_test_add_func ("/discovery/tags/empty-physdev-uid", test_empty_physdev_uid_is_garbage);
  g_test_add_func ("/discovery/tags/mux-id/initial-and-wrap", test_mux_tags_initial_id_and_wrap);
  g_test_add_func ("/discovery/tags/mux-id/max-links", test_mux_tags_max_links);
  g_test_add_func ("/discovery/tags/mux-id/untagged", test_mux_tags_untagged_is_the_default);
  g_test_add_func ("/discovery/tags/mux-id/invalid", test_mux_tags_invalid_values_are_refused_by_name);
  g_test_add_func ("/discovery/tags/mux-id/mbim-session-range", test_mux_tags_mbim_session_range);
  g_test_add_func ("/discovery/kernel-event/line", test_kernel_event_line);
  g_test_add_func ("/discovery/kernel-event/rejects", test_kernel_event_rejects);
  g_test_add_func ("/discovery/kernel-event/variant", test_kernel_event_variant);
  g_test_add_func ("/discovery/kernel-event/file", test_kernel_event_file_names_bad_line);
  g_test_add_func ("/discovery/kernel-event/dbus", test_dbus_kernel_event);
  return g_test_run ();
}
