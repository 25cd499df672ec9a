/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bearer.Stats; see mx-bearer-stats.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-private.h"

static guint32
ongoing_duration (MxBearer *self)
{
  return (guint32) ((g_get_monotonic_time () - self->connected_since) / G_USEC_PER_SEC);
}

static void
publish (MxBearer *self)
{
  if (self->skeleton) {
    mm_gdbus_bearer_set_stats (self->skeleton, mx_bearer_stats_variant (self));
    mm_gdbus_bearer_set_reload_stats_supported (self->skeleton, self->stats.reload_supported);
  }
}

/* One request of a round; a round cut short by stop() touches nothing. */
typedef struct {
  MxBearer     *self;
  GCancellable *cancellable;
} Request;

static void
session_stats_ready (MxBearerSession *session, GAsyncResult *res, Request *r)
{
  MxBearer *self = r->self;
  MxBearerStats *st = &self->stats;
  g_autoptr(GError) error = NULL;
  guint64 rx = 0, tx = 0;
  gboolean ok = mx_bearer_session_get_stats_finish (session, res, &rx, &tx, &error);

  if (!g_cancellable_is_cancelled (r->cancellable)) {
    st->pending--;
    if (ok) {
      st->reading[0] += rx;
      st->reading[1] += tx;
      st->reload_supported = TRUE;
    } else {
      g_debug ("bearer %s: no packet statistics: %s", self->path, error->message);
    }
    if (st->pending == 0 && st->reload_supported) {
      st->rx_bytes = st->reading[0];
      st->tx_bytes = st->reading[1];
      publish (self);
    }
  }
  g_object_unref (r->cancellable);
  g_object_unref (r->self);
  g_free (r);
}

static gboolean
read_counters (gpointer data)
{
  MxBearer *self = data;
  MxBearerStats *st = &self->stats;

  if (st->pending)   /* the modem has not answered the last round yet */
    return G_SOURCE_CONTINUE;
  st->reading[0] = st->reading[1] = 0;
  for (guint i = 0; i < MX_N_FAMILIES; i++) {
    Request *r;

    if (!self->sessions[i])
      continue;
    r = g_new0 (Request, 1);
    r->self = g_object_ref (self);
    r->cancellable = g_object_ref (st->cancellable);
    st->pending++;
    mx_bearer_session_get_stats (self->sessions[i], st->cancellable,
                              (GAsyncReadyCallback) session_stats_ready, r);
  }
  return G_SOURCE_CONTINUE;
}

void
mx_bearer_stats_start (MxBearer *self, guint interval_s)
{
  MxBearerStats *st = &self->stats;

  mx_bearer_stats_stop (self);
  st->rx_bytes = st->tx_bytes = 0;
  st->duration = 0;
  st->start_date = (guint64) (g_get_real_time () / G_USEC_PER_SEC);
  st->cancellable = g_cancellable_new ();
  st->timer = g_timeout_add_seconds (interval_s, read_counters, self);
  read_counters (self);
}

void
mx_bearer_stats_stop (MxBearer *self)
{
  MxBearerStats *st = &self->stats;

  if (!st->timer)
    return;
  g_clear_handle_id (&st->timer, g_source_remove);
  g_cancellable_cancel (st->cancellable);
  g_clear_object (&st->cancellable);
  st->pending = 0;
  st->duration = self->connected_since ? ongoing_duration (self) : 0;
  st->total_rx_bytes += st->rx_bytes;
  st->total_tx_bytes += st->tx_bytes;
  st->total_duration += st->duration;
}

GVariant *
mx_bearer_stats_variant (MxBearer *self)
{
  MxBearerStats *st = &self->stats;
  gboolean ongoing = st->timer != 0;
  guint32 duration = ongoing && self->connected_since ? ongoing_duration (self) : st->duration;
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  if (st->start_date) {
    g_variant_builder_add (&b, "{sv}", "start-date", g_variant_new_uint64 (st->start_date));
    g_variant_builder_add (&b, "{sv}", "duration", g_variant_new_uint32 (duration));
    if (st->reload_supported) {
      g_variant_builder_add (&b, "{sv}", "rx-bytes", g_variant_new_uint64 (st->rx_bytes));
      g_variant_builder_add (&b, "{sv}", "tx-bytes", g_variant_new_uint64 (st->tx_bytes));
    }
    g_variant_builder_add (&b, "{sv}", "total-duration",
                           g_variant_new_uint32 (st->total_duration + (ongoing ? duration : 0)));
    if (st->reload_supported) {
      g_variant_builder_add (&b, "{sv}", "total-rx-bytes",
                             g_variant_new_uint64 (st->total_rx_bytes + (ongoing ? st->rx_bytes : 0)));
      g_variant_builder_add (&b, "{sv}", "total-tx-bytes",
                             g_variant_new_uint64 (st->total_tx_bytes + (ongoing ? st->tx_bytes : 0)));
    }
  }
  g_variant_builder_add (&b, "{sv}", "attempts", g_variant_new_uint32 (self->attempts));
  g_variant_builder_add (&b, "{sv}", "failed-attempts", g_variant_new_uint32 (self->failed_attempts));
  return g_variant_builder_end (&b);
}
