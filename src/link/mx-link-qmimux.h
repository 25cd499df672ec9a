/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qmi_wwan's sysfs interface (docs/links.md): the data format switches
 * raw_ip / pass_through and the driver's own mux links (add_mux/del_mux,
 * qmimuxN, qmap/mux_id). Paths are under a configurable sysfs root so tests
 * can use fixture trees. Writes run in a worker thread (sysfs writes on
 * qmi_wwan take the rtnl lock); the main loop never blocks. */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  MX_QMI_WWAN_FORMAT_UNKNOWN,        /* not a qmi_wwan netdev (no qmi/ group) */
  MX_QMI_WWAN_FORMAT_802_3,          /* raw_ip N */
  MX_QMI_WWAN_FORMAT_RAW_IP,         /* raw_ip Y, pass_through N */
  MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH, /* raw_ip Y, pass_through Y: rmnet sits on it */
} MxQmiWwanFormat;

const char *mx_qmi_wwan_format_to_string (MxQmiWwanFormat format);

/* Reads <root>/class/net/<ifname>/qmi/{raw_ip,pass_through}. @sysfs_root
 * defaults to "/sys" when NULL. */
MxQmiWwanFormat mx_qmimux_get_format (const char *sysfs_root, const char *ifname, GError **error);

/* Switches the format with the driver's ordering rules: the netdev must be
 * down (the caller brings it down first: raw_ip cannot change while up),
 * pass_through is cleared before raw_ip, raw_ip set before pass_through. */
void     mx_qmimux_set_format_async  (const char *sysfs_root, const char *ifname,
                                      MxQmiWwanFormat format, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_qmimux_set_format_finish (GAsyncResult *result, GError **error);

/* Writes the mux id ("0x%02x") to qmi/add_mux; the kernel names the link
 * (qmimuxN); the caller learns it from the link map (upper_*, qmap/mux_id). */
void     mx_qmimux_add_async  (const char *sysfs_root, const char *ifname, guint mux_id,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean mx_qmimux_add_finish (GAsyncResult *result, GError **error);
void     mx_qmimux_del_async  (const char *sysfs_root, const char *ifname, guint mux_id,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean mx_qmimux_del_finish (GAsyncResult *result, GError **error);

/* Mux ids listed by reading qmi/add_mux (one 0x%02x per line). */
GArray  *mx_qmimux_list (const char *sysfs_root, const char *ifname, GError **error);
/* Mux id of a qmimux link from <link>/qmap/mux_id (kernel >= 5.12); -1 if absent. */
gint     mx_qmimux_link_mux_id (const char *sysfs_root, const char *link_ifname);
/* The parsers behind the two readers, on a file's contents (pure). */
GArray  *mx_qmimux_parse_mux_list (const char *contents);
gint     mx_qmimux_parse_mux_id   (const char *contents);

G_END_DECLS
