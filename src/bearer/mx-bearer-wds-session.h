/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One packet data session of one bearer for one IP family: its own dedicated
 * WDS client (two bearers, or the two families of one bearer, never share a
 * client), Bind Mux Data Port, Set IP Family, Start Network, Get Current
 * Settings; Stop Network at the end. A failing start undoes its own earlier
 * steps (stops the network if it was started, releases the client).
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-bearer-data-format.h"
#include "mx-bearer-session.h"
#include "mx-modem-qmi-port.h"

G_BEGIN_DECLS

#define MX_TYPE_WDS_SESSION (mx_wds_session_get_type ())
G_DECLARE_FINAL_TYPE (MxWdsSession, mx_wds_session, MX, WDS_SESSION, GObject)

/* Signal "disconnected" (guint call_end_reason, const gchar *reason_text):
 * the network ended the session (Packet Service Status indication). Emitted
 * at most once; the client is released afterwards by mx_wds_session_stop(). */
#define MX_WDS_SESSION_SIGNAL_DISCONNECTED "disconnected"

/* Per-request timeout (seconds) for the WDS requests of a session. */
#define MX_WDS_SESSION_TIMEOUT       10
/* Start Network may wait for the network; ModemManager allows 45 s. */
#define MX_WDS_SESSION_START_TIMEOUT 45

/* The QMI session uses bind_mux, endpoint, mux_id, apn, user, password,
 * allowed_auth (mx-bearer-session.h). */
typedef MxBearerSessionParams MxWdsSessionParams;

/* @family: MM_BEARER_IP_FAMILY_IPV4 or MM_BEARER_IP_FAMILY_IPV6. */
MxWdsSession     *mx_wds_session_new (MxQmiPort *port, MMBearerIpFamily family);
MMBearerIpFamily  mx_wds_session_get_family (MxWdsSession *self);
gboolean          mx_wds_session_is_started (MxWdsSession *self);

/* Runs the whole start sequence. On success returns the network's settings. Errors name
 * the failing step ("Start Network failed: ..."). */
void              mx_wds_session_start        (MxWdsSession             *self,
                                               const MxWdsSessionParams *params,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data);
MxIpSettings     *mx_wds_session_start_finish (MxWdsSession  *self,
                                               GAsyncResult  *res,
                                               GError       **error);

/* Stop Network (if started and the network did not end it already; NoEffect
 * counts as success) and release the client. Never fails the caller's
 * teardown: problems are logged and reported, the session is finished
 * either way. */
void              mx_wds_session_stop        (MxWdsSession       *self,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean          mx_wds_session_stop_finish (MxWdsSession  *self,
                                              GAsyncResult  *res,
                                              GError       **error);

/* Packet statistics of the session (rx/tx bytes), when the modem has them. */
void              mx_wds_session_get_stats        (MxWdsSession       *self,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gboolean          mx_wds_session_get_stats_finish (MxWdsSession  *self,
                                                   GAsyncResult  *res,
                                                   guint64       *rx_bytes,
                                                   guint64       *tx_bytes,
                                                   GError       **error);

G_END_DECLS
