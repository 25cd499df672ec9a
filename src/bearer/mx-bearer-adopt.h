/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Restart without a drop: a connected multiplexed bearer is recorded in a
 * runtime state file (mx-bearer-record.h); a later modemuxd finds the link
 * it left (ownership marker), re-creates the WDS clients with the recorded
 * ids, asks the modem whether it still holds each session (WDS Get Packet
 * Service Status), reads the IP settings (Get Current Settings) and
 * re-exports a connected bearer on the same link, mux id and settings. A
 * session the modem no longer holds (or any failing step) ends as a crash
 * did before: Stop Network where still connected, client ids released,
 * link deleted, state file removed. Over QRTR there is no adoption (a
 * process's clients end with it). Policy: docs/bearers.md "Restart".
 */
#pragma once

#include "mx-bearer.h"
#include "mx-bearer-list.h"
#include "mx-bearer-record.h"

G_BEGIN_DECLS

/* How long links kept for adoption wait for their modem at start-up
 * before they are deleted as stale. */
#define MX_BEARER_ADOPT_WAIT_S 30

/* Records @bearer's state file (connected, multiplexed, with a state dir). */
void     mx_bearer_adopt_save (MxBearer *bearer);
/* Removes it (the bearer is being torn down), unless it was kept. */
void     mx_bearer_adopt_forget (MxBearer *bearer);
/* Daemon stopping with --keep-sessions-on-stop: lets go of @bearer's
 * clients without releasing their ids and leaves its link and state file;
 * the bearer ends DISCONNECTED here. FALSE (nothing done) for a bearer that
 * cannot be kept (not connected, not multiplexed, not recorded, or on a
 * QRTR node, whose sessions end with this process anyway). */
gboolean mx_bearer_adopt_keep   (MxBearer *bearer);

/* Whether @state may be adopted at all (its control port is no QRTR node);
 * otherwise @why says why not, for the log. */
gboolean mx_bearer_adopt_possible (const MxBearerRecord *state, const gchar **why);

/* Adopts @state (taken) on @modem's @list; completes TRUE with the bearer
 * exported and connected, or FALSE after cleaning up (logged). */
void     mx_bearer_adopt_run        (MxBearerService    *service,
                                     MxBearerList       *list,
                                     MxBearerRecord      *state,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean mx_bearer_adopt_run_finish (MxBearerService *service, GAsyncResult *res, GError **error);

G_END_DECLS
