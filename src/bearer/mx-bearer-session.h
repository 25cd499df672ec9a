/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One packet data session of a bearer, whatever the control protocol: the
 * connect step machine (mx-bearer-connect.c), the teardown and the stats
 * drive it through this interface. Implemented by MxWdsSession (QMI, one per
 * IP family, mx-bearer-wds-session.c) and MxMbimSession (MBIM Connect on a
 * session id, mx-bearer-mbim-session.c).
 *
 * Every implementation has the signal "disconnected" (guint reason, const
 * gchar *reason_text): the network ended the session; emitted at most once.
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-bearer-data-format.h"

G_BEGIN_DECLS

#define MX_BEARER_SESSION_SIGNAL_DISCONNECTED "disconnected"

typedef struct {
  /* QMI: Bind Mux Data Port before anything else (endpoint + mux id). */
  gboolean             bind_mux;
  MxDataEndpoint       endpoint;
  guint8               mux_id;
  /* MBIM: the Connect session id (0: the data netdev itself, not
   * multiplexed; whoever decides multiplexing passes another one) and the
   * IP type (IPV4, IPV6 or IPV4V6: one context carries both families). */
  guint32              session_id;
  MMBearerIpFamily     ip_type;
  /* Both */
  const gchar         *apn;
  const gchar         *user;
  const gchar         *password;
  MMBearerAllowedAuth  allowed_auth;
} MxBearerSessionParams;

/* The network's settings for one family. */
typedef struct {
  MMBearerIpFamily family;
  gchar           *address;
  guint            prefix;
  gchar           *gateway;
  gchar           *dns[3];
  guint            mtu;       /* 0: the network gave none */
} MxIpSettings;

void      mx_ip_settings_free (MxIpSettings *settings);
/* Bearer Ip4Config/Ip6Config: method static (2), address, prefix, gateway,
 * dns1..3, mtu. NULL @settings: the "not configured" dictionary. */
GVariant *mx_ip_settings_to_variant (const MxIpSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxIpSettings, mx_ip_settings_free)

#define MX_TYPE_BEARER_SESSION (mx_bearer_session_get_type ())
G_DECLARE_INTERFACE (MxBearerSession, mx_bearer_session, MX, BEARER_SESSION, GObject)

struct _MxBearerSessionInterface {
  GTypeInterface parent;

  MMBearerIpFamily (*get_family)   (MxBearerSession *self);
  void          (*start)           (MxBearerSession *self, const MxBearerSessionParams *params,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
  MxIpSettings *(*start_finish)    (MxBearerSession *self, GAsyncResult *res, GError **error);
  void          (*stop)            (MxBearerSession *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
  gboolean      (*stop_finish)     (MxBearerSession *self, GAsyncResult *res, GError **error);
  void          (*get_stats)       (MxBearerSession *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
  gboolean      (*get_stats_finish) (MxBearerSession *self, GAsyncResult *res,
                                     guint64 *rx_bytes, guint64 *tx_bytes, GError **error);
};

/* The family whose settings start_finish() returns (IPV4 or IPV6). */
MMBearerIpFamily mx_bearer_session_get_family (MxBearerSession *self);
/* The start sequence; on success the network's settings. Errors name the
 * failing step and are in a ModemManager domain where the modem refused. */
void          mx_bearer_session_start        (MxBearerSession *self, const MxBearerSessionParams *params,
                                              GCancellable *cancellable, GAsyncReadyCallback callback,
                                              gpointer user_data);
MxIpSettings *mx_bearer_session_start_finish (MxBearerSession *self, GAsyncResult *res, GError **error);
/* Ends the session on the modem (if the network did not already); never
 * fails the caller's teardown: problems are reported, the session is over. */
void          mx_bearer_session_stop         (MxBearerSession *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean      mx_bearer_session_stop_finish  (MxBearerSession *self, GAsyncResult *res, GError **error);
/* rx/tx bytes, when the modem has them. */
void          mx_bearer_session_get_stats    (MxBearerSession *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean      mx_bearer_session_get_stats_finish (MxBearerSession *self, GAsyncResult *res,
                                                  guint64 *rx_bytes, guint64 *tx_bytes, GError **error);

G_END_DECLS
