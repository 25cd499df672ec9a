/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The runtime state file of one connected multiplexed bearer: what a later
 * modemuxd needs to adopt the session instead of tearing it down (the
 * control port, data port, link and mux id, the WDS client ids and packet
 * data handles per IP family, the negotiated data format and the bearer's
 * properties). One key file per link, "<state-dir>/bearers/<link>.state",
 * written atomically (mode 0600: it holds the APN credentials) when the
 * bearer connects and removed when it disconnects. A file that cannot be
 * parsed is ignored with a warning, never trusted in part.
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-bearer-data-format.h"

G_BEGIN_DECLS

typedef struct {
  gchar              *control_path;   /* "/dev/wwan0qmi0" (mx_qmi_port_get_path) */
  gchar              *data_port;      /* the lower, "mhi_hwip0" */
  gchar              *ifname;         /* the link, "mhi_hwip0_1" */
  guint               mux_id;         /* 1..254 */
  MxDataFormat        format;         /* what the data port negotiated */
  guint8              cid[2];         /* WDS client id per family (IPv4, IPv6); 0 = none */
  guint32             handle[2];      /* packet data handle per family */
  MMBearerProperties *props;
} MxBearerRecord;

void           mx_bearer_record_free (MxBearerRecord *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxBearerRecord, mx_bearer_record_free)

/* "<dir>/bearers" */
gchar         *mx_bearer_record_dir  (const gchar *state_dir);

/* Writes @state atomically as <dir>/bearers/<ifname>.state. */
gboolean       mx_bearer_record_save (const MxBearerRecord *state, const gchar *state_dir,
                                     GError **error);
/* Parses one file; NULL with an error naming the file and the bad key. */
MxBearerRecord *mx_bearer_record_load (const gchar *path, GError **error);
/* Every valid state under @state_dir (MxBearerRecord*); an unreadable or
 * corrupt file is logged (warning) and removed. Empty when there is none. */
GPtrArray     *mx_bearer_record_load_all (const gchar *state_dir);
/* Whether <dir>/bearers/<ifname>.state exists. */
gboolean       mx_bearer_record_exists (const gchar *state_dir, const gchar *ifname);
/* Removes <dir>/bearers/<ifname>.state (no error when absent). */
void           mx_bearer_record_remove (const gchar *state_dir, const gchar *ifname);

G_END_DECLS
