/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-qmimux"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "mx-link-qmimux.h"
#include "mx-link-error.h"

const char *
mx_qmi_wwan_format_to_string (MxQmiWwanFormat format)
{
  switch (format) {
  case MX_QMI_WWAN_FORMAT_802_3: return "802-3";
  case MX_QMI_WWAN_FORMAT_RAW_IP: return "raw-ip";
  case MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH: return "qmap-pass-through";
  case MX_QMI_WWAN_FORMAT_UNKNOWN:
  default: return "unknown";
  }
}

static gchar *
qmi_path (const char *root, const char *ifname, const char *file)
{
  return g_build_filename (root ? root : "/sys", "class", "net", ifname, "qmi", file, NULL);
}

static gint
read_yn (const char *path)
{
  g_autofree gchar *s = NULL;

  if (!g_file_get_contents (path, &s, NULL, NULL))
    return -1;
  return s[0] == 'Y' || s[0] == 'y' || s[0] == '1';
}

MxQmiWwanFormat
mx_qmimux_get_format (const char *sysfs_root, const char *ifname, GError **error)
{
  g_autofree gchar *raw_path = qmi_path (sysfs_root, ifname, "raw_ip");
  g_autofree gchar *pt_path = qmi_path (sysfs_root, ifname, "pass_through");
  gint raw = read_yn (raw_path);
  gint pt;

  if (raw < 0) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                 "%s is not a qmi_wwan network interface (no %s)", ifname, raw_path);
    return MX_QMI_WWAN_FORMAT_UNKNOWN;
  }
  if (!raw)
    return MX_QMI_WWAN_FORMAT_802_3;
  pt = read_yn (pt_path); /* older kernels lack pass_through: plain raw-ip */
  return pt > 0 ? MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH : MX_QMI_WWAN_FORMAT_RAW_IP;
}

/* The bridge, bond or team @ifname is a port of ("" when none). */
static gchar *
master_name (const char *root, const char *ifname)
{
  g_autofree gchar *link = g_build_filename (root ? root : "/sys", "class", "net", ifname,
                                             "master", NULL);
  g_autofree gchar *target = g_file_read_link (link, NULL);

  return target ? g_path_get_basename (target) : g_strdup ("");
}

/* One write of <ifname>/qmi/<file>, with the driver's refusal turned into a
 * readable error. qmi_wwan refuses a raw_ip change with EBUSY while the
 * netdev runs, and with the errno of a NETDEV_PRE_TYPE_CHANGE notifier that
 * vetoes it (a bridge or bond refuses any port's change of link type:
 * EPERM); pass_through and add_mux/del_mux answer EBUSY/EINVAL on ordering
 * or mux id conflicts. */
static gboolean
write_attr (const char *root, const char *ifname, const char *file, const char *value,
            GError **error)
{
  g_autofree gchar *path = qmi_path (root, ifname, file);
  g_autofree gchar *master = NULL;
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  ssize_t n;
  int err;

  if (fd < 0) {
    err = errno;
    g_set_error (error, MX_LINK_ERROR, err == ENOENT ? MX_LINK_ERROR_NO_DEVICE : MX_LINK_ERROR_FAILED,
                 "cannot open %s: %s", path, g_strerror (err));
    return FALSE;
  }
  n = write (fd, value, strlen (value));
  err = errno;
  close (fd);
  if (n >= 0)
    return TRUE;
  master = master_name (root, ifname);
  if (g_str_equal (file, "raw_ip") && (err == EBUSY || err == EPERM) && master[0])
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                 "the kernel refused the qmi/raw_ip switch to %s: %s is a port of %s, and a "
                 "bridge or bond port may not change its link type (%s)",
                 value, ifname, master, g_strerror (err));
  else if (g_str_equal (file, "raw_ip") && err == EBUSY)
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                 "the kernel refused the qmi/raw_ip switch to %s: %s is busy (it must be down) "
                 "(%s)", value, ifname, g_strerror (err));
  else if (g_str_equal (file, "raw_ip") && err == EPERM)
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                 "the kernel refused the qmi/raw_ip switch to %s: a user of %s vetoed its change "
                 "of link type (%s)", value, ifname, g_strerror (err));
  else if (err == EBUSY)
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                 "qmi_wwan refused '%s' in %s: the interface must be down (raw_ip) or "
                 "pass_through cleared first", value, path);
  else
    g_set_error (error, MX_LINK_ERROR, err == EINVAL ? MX_LINK_ERROR_INVALID : MX_LINK_ERROR_FAILED,
                 "qmi_wwan refused '%s' in %s: %s", value, path, g_strerror (err));
  return FALSE;
}

typedef struct {
  gchar          *root;
  gchar          *ifname;
  MxQmiWwanFormat format;
  guint           mux_id;
  gboolean        add;
} Job;

static void
job_free (Job *job)
{
  g_free (job->root);
  g_free (job->ifname);
  g_free (job);
}

/* The writes from @current to @want, in the driver's order. */
static gboolean
switch_format (const char *root, const char *ifname, MxQmiWwanFormat current,
               MxQmiWwanFormat want, GError **error)
{
  gboolean ok = TRUE;

  /* pass_through must be cleared before raw_ip can be cleared; raw_ip must
   * be set before pass_through can be set. */
  if (current == MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH && want != current)
    ok = write_attr (root, ifname, "pass_through", "N", error);
  if (ok && want == MX_QMI_WWAN_FORMAT_802_3 && current != MX_QMI_WWAN_FORMAT_802_3)
    ok = write_attr (root, ifname, "raw_ip", "N", error);
  if (ok && want != MX_QMI_WWAN_FORMAT_802_3 && current == MX_QMI_WWAN_FORMAT_802_3)
    ok = write_attr (root, ifname, "raw_ip", "Y", error);
  /* usbnet caps a fresh qmi_wwan netdev's max MTU at 1500 and raw-IP keeps
   * the cap; only leaving raw-IP (qmi_wwan's Ethernet setup) lifts it to
   * 65535. A lower carrying QMAP (pass-through or qmimux) needs an MTU as
   * large as the DL aggregates (usbnet sizes its RX URBs from it), so leave
   * raw-IP once on the way. */
  if (ok && want != MX_QMI_WWAN_FORMAT_802_3 && current == MX_QMI_WWAN_FORMAT_802_3)
    ok = write_attr (root, ifname, "raw_ip", "N", error) &&
         write_attr (root, ifname, "raw_ip", "Y", error);
  if (ok && want == MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH &&
      current != MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH)
    ok = write_attr (root, ifname, "pass_through", "Y", error);
  return ok;
}

static void
set_format_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  GError *error = NULL;
  MxQmiWwanFormat current = mx_qmimux_get_format (job->root, job->ifname, &error);
  MxQmiWwanFormat now;

  if (error) {
    g_task_return_error (task, error);
    return;
  }
  if (switch_format (job->root, job->ifname, current, job->format, &error)) {
    g_task_return_boolean (task, TRUE);
    return;
  }
  /* Refused half-way: back to where it was, so a failed switch leaves the
   * framing it found. */
  now = mx_qmimux_get_format (job->root, job->ifname, NULL);
  if (now != MX_QMI_WWAN_FORMAT_UNKNOWN && now != current) {
    g_autoptr(GError) back = NULL;

    if (!switch_format (job->root, job->ifname, now, current, &back))
      g_warning ("%s left in %s framing (was %s): %s", job->ifname,
                 mx_qmi_wwan_format_to_string (now), mx_qmi_wwan_format_to_string (current),
                 back->message);
  }
  g_task_return_error (task, error);
}

void
mx_qmimux_set_format_async (const char *sysfs_root, const char *ifname, MxQmiWwanFormat format,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->root = g_strdup (sysfs_root);
  job->ifname = g_strdup (ifname);
  job->format = format;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (format == MX_QMI_WWAN_FORMAT_UNKNOWN) {
    g_task_return_new_error (task, MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                             "cannot switch %s to an unknown data format", ifname);
  } else {
    g_task_run_in_thread (task, set_format_thread);
  }
  g_object_unref (task);
}

gboolean
mx_qmimux_set_format_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mux_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  g_autofree gchar *value = g_strdup_printf ("0x%02x", job->mux_id);
  GError *error = NULL;

  if (write_attr (job->root, job->ifname, job->add ? "add_mux" : "del_mux", value, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
mux_async (const char *root, const char *ifname, guint mux_id, gboolean add,
           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->root = g_strdup (root);
  job->ifname = g_strdup (ifname);
  job->mux_id = mux_id;
  job->add = add;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (mux_id < 1 || mux_id > 254)
    g_task_return_new_error (task, MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                             "mux id %u out of range (1..254)", mux_id);
  else
    g_task_run_in_thread (task, mux_thread);
  g_object_unref (task);
}

void
mx_qmimux_add_async (const char *sysfs_root, const char *ifname, guint mux_id,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  mux_async (sysfs_root, ifname, mux_id, TRUE, cancellable, callback, user_data);
}

gboolean
mx_qmimux_add_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
mx_qmimux_del_async (const char *sysfs_root, const char *ifname, guint mux_id,
                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  mux_async (sysfs_root, ifname, mux_id, FALSE, cancellable, callback, user_data);
}

gboolean
mx_qmimux_del_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
parse_mux (const char *s, guint *out)
{
  guint64 v;
  const char *p = g_str_has_prefix (s, "0x") ? s + 2 : s;

  if (!g_ascii_string_to_unsigned (p, 16, 0, 255, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

GArray *
mx_qmimux_list (const char *sysfs_root, const char *ifname, GError **error)
{
  g_autofree gchar *path = qmi_path (sysfs_root, ifname, "add_mux");
  g_autofree gchar *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL)) {
    g_set_error (error, MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                 "%s has no qmimux support (no %s)", ifname, path);
    return NULL;
  }
  return mx_qmimux_parse_mux_list (contents);
}

GArray *
mx_qmimux_parse_mux_list (const char *contents)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));
  guint i;

  for (i = 0; lines[i]; i++) {
    guint id;
    if (parse_mux (g_strstrip (lines[i]), &id))
      g_array_append_val (ids, id);
  }
  return ids;
}

gint
mx_qmimux_link_mux_id (const char *sysfs_root, const char *link_ifname)
{
  g_autofree gchar *path = g_build_filename (sysfs_root ? sysfs_root : "/sys", "class", "net",
                                             link_ifname, "qmap", "mux_id", NULL);
  g_autofree gchar *s = NULL;

  if (!g_file_get_contents (path, &s, NULL, NULL))
    return -1;
  return mx_qmimux_parse_mux_id (s);
}

gint
mx_qmimux_parse_mux_id (const char *contents)
{
  g_autofree gchar *s = g_strstrip (g_strdup (contents));
  guint id;

  return parse_mux (s, &id) ? (gint) id : -1;
}
