/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A bearer's statistics as ModemManager publishes them in Bearer.Stats:
 * byte counts and duration of the ongoing (or, once disconnected, the last)
 * connection, totals over all connections, start date, attempts. The modem
 * reports byte counts only when asked (WDS Get Packet Statistics, per
 * session), so while connected they are read at once and then every
 * MX_BEARER_STATS_INTERVAL_S seconds, as ModemManager does. */
#pragma once

#include <gio/gio.h>
#include "mx-bearer.h"

G_BEGIN_DECLS

#define MX_BEARER_STATS_INTERVAL_S 30

typedef struct {
  guint64       rx_bytes, tx_bytes;              /* ongoing or last connection */
  guint32       duration;                        /* s, last connection once it ended */
  guint64       start_date;                      /* s since the epoch; 0: never connected */
  guint64       total_rx_bytes, total_tx_bytes;  /* ended connections */
  guint32       total_duration;                  /* s, ended connections */
  gboolean      reload_supported;                /* the modem answered once */
  guint         timer;
  guint         pending;                         /* sessions being asked */
  guint64       reading[2];                      /* rx, tx summed so far */
  GCancellable *cancellable;
} MxBearerStats;

/* Connected: reads the counters now and every @interval_s seconds. */
void      mx_bearer_stats_start   (MxBearer *self, guint interval_s);
/* The connection ended: stops reading and adds it to the totals; its
 * values stay published. Idempotent. */
void      mx_bearer_stats_stop    (MxBearer *self);
/* The a{sv} for Bearer.Stats. */
GVariant *mx_bearer_stats_variant (MxBearer *self);

G_END_DECLS
