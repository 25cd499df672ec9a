/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mx-bearer-session.h"

G_DEFINE_INTERFACE (MxBearerSession, mx_bearer_session, G_TYPE_OBJECT)

static void
mx_bearer_session_default_init (MxBearerSessionInterface *iface)
{
}

#define IFACE(self) MX_BEARER_SESSION_GET_IFACE (self)

MMBearerIpFamily
mx_bearer_session_get_family (MxBearerSession *self)
{
  return IFACE (self)->get_family (self);
}

void
mx_bearer_session_start (MxBearerSession *self, const MxBearerSessionParams *params,
                         GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->start (self, params, cancellable, callback, user_data);
}

MxIpSettings *
mx_bearer_session_start_finish (MxBearerSession *self, GAsyncResult *res, GError **error)
{
  return IFACE (self)->start_finish (self, res, error);
}

void
mx_bearer_session_stop (MxBearerSession *self, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->stop (self, cancellable, callback, user_data);
}

gboolean
mx_bearer_session_stop_finish (MxBearerSession *self, GAsyncResult *res, GError **error)
{
  return IFACE (self)->stop_finish (self, res, error);
}

void
mx_bearer_session_get_stats (MxBearerSession *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->get_stats (self, cancellable, callback, user_data);
}

gboolean
mx_bearer_session_get_stats_finish (MxBearerSession *self, GAsyncResult *res,
                                    guint64 *rx_bytes, guint64 *tx_bytes, GError **error)
{
  return IFACE (self)->get_stats_finish (self, res, rx_bytes, tx_bytes, error);
}
