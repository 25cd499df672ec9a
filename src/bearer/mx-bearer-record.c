/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtime state files of connected bearers; see mx-bearer-record.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-record.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#define GROUP_BEARER "bearer"
#define GROUP_FORMAT "data-format"
#define GROUP_PROPS  "properties"
#define SUFFIX       ".state"

static const gchar *const family_keys[2][2] = {
  { "ipv4-cid", "ipv4-handle" },
  { "ipv6-cid", "ipv6-handle" },
};

void
mx_bearer_record_free (MxBearerRecord *s)
{
  if (!s)
    return;
  g_free (s->control_path);
  g_free (s->data_port);
  g_free (s->ifname);
  g_clear_object (&s->props);
  g_free (s);
}

gchar *
mx_bearer_record_dir (const gchar *state_dir)
{
  return g_build_filename (state_dir, "bearers", NULL);
}

static gchar *
state_path (const gchar *state_dir, const gchar *ifname)
{
  g_autofree gchar *dir = mx_bearer_record_dir (state_dir);
  g_autofree gchar *base = g_strconcat (ifname, SUFFIX, NULL);

  return g_build_filename (dir, base, NULL);
}

static void
set_string (GKeyFile *kf, const gchar *group, const gchar *key, const gchar *value)
{
  if (value)
    g_key_file_set_string (kf, group, key, value);
}

gboolean
mx_bearer_record_save (const MxBearerRecord *s, const gchar *state_dir, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree gchar *dir = mx_bearer_record_dir (state_dir);
  g_autofree gchar *path = state_path (state_dir, s->ifname);
  g_autofree gchar *data = NULL;
  MMBearerProperties *p = s->props;
  gsize len = 0;

  if (g_mkdir_with_parents (dir, 0700) < 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                 "cannot create %s: %s", dir, g_strerror (errno));
    return FALSE;
  }
  g_key_file_set_string (kf, GROUP_BEARER, "control-port", s->control_path);
  g_key_file_set_string (kf, GROUP_BEARER, "data-port", s->data_port);
  g_key_file_set_string (kf, GROUP_BEARER, "link", s->ifname);
  g_key_file_set_integer (kf, GROUP_BEARER, "mux-id", (gint) s->mux_id);
  for (guint i = 0; i < 2; i++) {
    if (!s->cid[i])
      continue;
    g_key_file_set_integer (kf, GROUP_BEARER, family_keys[i][0], s->cid[i]);
    g_key_file_set_uint64 (kf, GROUP_BEARER, family_keys[i][1], s->handle[i]);
  }
  g_key_file_set_integer (kf, GROUP_FORMAT, "link-layer", s->format.llp);
  g_key_file_set_integer (kf, GROUP_FORMAT, "ul-aggregation", s->format.ul_dap);
  g_key_file_set_integer (kf, GROUP_FORMAT, "dl-aggregation", s->format.dl_dap);
  g_key_file_set_uint64 (kf, GROUP_FORMAT, "dl-max-datagrams", s->format.dl_max_datagrams);
  g_key_file_set_uint64 (kf, GROUP_FORMAT, "dl-max-size", s->format.dl_max_size);
  g_key_file_set_uint64 (kf, GROUP_FORMAT, "ul-max-datagrams", s->format.ul_max_datagrams);
  g_key_file_set_uint64 (kf, GROUP_FORMAT, "ul-max-size", s->format.ul_max_size);
  g_key_file_set_boolean (kf, GROUP_FORMAT, "aggregation-reported", s->format.dap_reported);
  set_string (kf, GROUP_PROPS, "apn", mm_bearer_properties_get_apn (p));
  g_key_file_set_integer (kf, GROUP_PROPS, "ip-type", mm_bearer_properties_get_ip_type (p));
  g_key_file_set_integer (kf, GROUP_PROPS, "allowed-auth", mm_bearer_properties_get_allowed_auth (p));
  set_string (kf, GROUP_PROPS, "user", mm_bearer_properties_get_user (p));
  set_string (kf, GROUP_PROPS, "password", mm_bearer_properties_get_password (p));
  g_key_file_set_boolean (kf, GROUP_PROPS, "allow-roaming", mm_bearer_properties_get_allow_roaming (p));
  g_key_file_set_integer (kf, GROUP_PROPS, "multiplex", mm_bearer_properties_get_multiplex (p));

  data = g_key_file_to_data (kf, &len, NULL);
  /* Atomic (rename over the old file) and readable by root only. */
  return g_file_set_contents_full (path, data, (gssize) len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Integer key within [min, max]; on failure sets @error naming the key. */
static gboolean
get_uint (GKeyFile *kf, const gchar *group, const gchar *key, guint64 min, guint64 max,
          guint64 *out, GError **error)
{
  g_autoptr(GError) inner = NULL;
  g_autofree gchar *text = g_key_file_get_value (kf, group, key, &inner);

  if (!text) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                 "[%s] %s is missing", group, key);
    return FALSE;
  }
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, min, max, out, &inner)) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "[%s] %s: %s", group, key, inner->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
get_bool (GKeyFile *kf, const gchar *group, const gchar *key, gboolean *out, GError **error)
{
  GError *inner = NULL;

  *out = g_key_file_get_boolean (kf, group, key, &inner);
  if (inner) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "[%s] %s: %s", group, key, inner->message);
    g_error_free (inner);
    return FALSE;
  }
  return TRUE;
}

static gchar *
get_string (GKeyFile *kf, const gchar *group, const gchar *key, gboolean required, GError **error)
{
  gchar *v = g_key_file_get_string (kf, group, key, NULL);

  if (!v && required)
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                 "[%s] %s is missing", group, key);
  if (v && required && !*v) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[%s] %s is empty", group, key);
    g_clear_pointer (&v, g_free);
  }
  return v;
}

static gboolean
parse (GKeyFile *kf, MxBearerRecord *s, GError **error)
{
  g_autofree gchar *apn = NULL, *user = NULL, *password = NULL;
  guint64 v;
  gboolean b;

  if (!(s->control_path = get_string (kf, GROUP_BEARER, "control-port", TRUE, error)) ||
      !(s->data_port = get_string (kf, GROUP_BEARER, "data-port", TRUE, error)) ||
      !(s->ifname = get_string (kf, GROUP_BEARER, "link", TRUE, error)))
    return FALSE;
  if (strchr (s->ifname, '/') || strchr (s->data_port, '/')) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "[%s] link and data-port must be interface names", GROUP_BEARER);
    return FALSE;
  }
  if (!get_uint (kf, GROUP_BEARER, "mux-id", 1, 254, &v, error))
    return FALSE;
  s->mux_id = (guint) v;
  for (guint i = 0; i < 2; i++) {
    if (!g_key_file_has_key (kf, GROUP_BEARER, family_keys[i][0], NULL))
      continue;
    if (!get_uint (kf, GROUP_BEARER, family_keys[i][0], 1, 254, &v, error))
      return FALSE;
    s->cid[i] = (guint8) v;
    if (!get_uint (kf, GROUP_BEARER, family_keys[i][1], 1, G_MAXUINT32, &v, error))
      return FALSE;
    s->handle[i] = (guint32) v;
  }
  if (!s->cid[0] && !s->cid[1]) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                 "[%s] names no WDS client (ipv4-cid, ipv6-cid)", GROUP_BEARER);
    return FALSE;
  }

  if (!get_uint (kf, GROUP_FORMAT, "link-layer", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.llp = (QmiWdaLinkLayerProtocol) v;
  if (!get_uint (kf, GROUP_FORMAT, "ul-aggregation", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.ul_dap = (QmiWdaDataAggregationProtocol) v;
  if (!get_uint (kf, GROUP_FORMAT, "dl-aggregation", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.dl_dap = (QmiWdaDataAggregationProtocol) v;
  if (!get_uint (kf, GROUP_FORMAT, "dl-max-datagrams", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.dl_max_datagrams = (guint32) v;
  if (!get_uint (kf, GROUP_FORMAT, "dl-max-size", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.dl_max_size = (guint32) v;
  if (!get_uint (kf, GROUP_FORMAT, "ul-max-datagrams", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.ul_max_datagrams = (guint32) v;
  if (!get_uint (kf, GROUP_FORMAT, "ul-max-size", 0, G_MAXUINT32, &v, error))
    return FALSE;
  s->format.ul_max_size = (guint32) v;
  if (!get_bool (kf, GROUP_FORMAT, "aggregation-reported", &b, error))
    return FALSE;
  s->format.dap_reported = b;
  if (!mx_data_format_is_qmap (&s->format)) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "[%s] is not a QMAP format: only multiplexed bearers are recorded", GROUP_FORMAT);
    return FALSE;
  }

  s->props = mm_bearer_properties_new ();
  apn = get_string (kf, GROUP_PROPS, "apn", FALSE, NULL);
  user = get_string (kf, GROUP_PROPS, "user", FALSE, NULL);
  password = get_string (kf, GROUP_PROPS, "password", FALSE, NULL);
  mm_bearer_properties_set_apn (s->props, apn);
  mm_bearer_properties_set_user (s->props, user);
  mm_bearer_properties_set_password (s->props, password);
  if (!get_uint (kf, GROUP_PROPS, "ip-type", 0, MM_BEARER_IP_FAMILY_ANY, &v, error))
    return FALSE;
  mm_bearer_properties_set_ip_type (s->props, (MMBearerIpFamily) v);
  if (!get_uint (kf, GROUP_PROPS, "allowed-auth", 0, G_MAXUINT32, &v, error))
    return FALSE;
  mm_bearer_properties_set_allowed_auth (s->props, (MMBearerAllowedAuth) v);
  if (!get_bool (kf, GROUP_PROPS, "allow-roaming", &b, error))
    return FALSE;
  mm_bearer_properties_set_allow_roaming (s->props, b);
  if (!get_uint (kf, GROUP_PROPS, "multiplex", 0, MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED, &v, error))
    return FALSE;
  mm_bearer_properties_set_multiplex (s->props, (MMBearerMultiplexSupport) v);
  return TRUE;
}

MxBearerRecord *
mx_bearer_record_load (const gchar *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(MxBearerRecord) s = g_new0 (MxBearerRecord, 1);

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error) || !parse (kf, s, error)) {
    g_prefix_error (error, "%s: ", path);
    return NULL;
  }
  return g_steal_pointer (&s);
}

GPtrArray *
mx_bearer_record_load_all (const gchar *state_dir)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) mx_bearer_record_free);
  g_autofree gchar *dir = mx_bearer_record_dir (state_dir);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  if (!d)
    return all;
  while ((name = g_dir_read_name (d))) {
    g_autofree gchar *path = g_build_filename (dir, name, NULL);
    g_autoptr(GError) error = NULL;
    MxBearerRecord *s;

    if (!g_str_has_suffix (name, SUFFIX))
      continue;
    s = mx_bearer_record_load (path, &error);
    if (!s) {
      g_warning ("ignoring the bearer state file %s", error->message);
      g_unlink (path);
      continue;
    }
    g_ptr_array_add (all, s);
  }
  return all;
}

void
mx_bearer_record_remove (const gchar *state_dir, const gchar *ifname)
{
  g_autofree gchar *path = state_path (state_dir, ifname);

  if (g_unlink (path) < 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}

gboolean
mx_bearer_record_exists (const gchar *state_dir, const gchar *ifname)
{
  g_autofree gchar *path = state_path (state_dir, ifname);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}
