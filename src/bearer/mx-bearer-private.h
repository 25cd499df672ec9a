/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MxBearer internals shared by mx-bearer.c (object, D-Bus, teardown) and
 * mx-bearer-connect.c (the connect step machine). Not for other files. */
#pragma once

#include "mx-bearer.h"
#include "mx-bearer-service.h"
#include "mx-bearer-stats.h"
#include "mx-link.h"
#include "mx-bearer-wds-session.h"
#include "mx-bearer-mbim-session.h"

G_BEGIN_DECLS

enum { MX_FAMILY_V4, MX_FAMILY_V6, MX_N_FAMILIES };

struct _MxBearer {
  GObject             parent;
  MxBearerService    *service;   /* weak */
  MxModem            *modem;     /* weak: NULL once the modem is gone */
  MxDataPort         *port;
  MMBearerProperties *props;
  MmGdbusBearer      *skeleton;
  gchar              *path;
  MxBearerState       state;

  GCancellable       *connect_cancellable;
  GSList             *waiting_disconnects;   /* GTask*: complete when DISCONNECTED */

  /* What a connect built (undone by the teardown). */
  gboolean            port_acquired;
  gboolean            multiplexed;
  MxLink             *link;
  gchar              *interface;
  MxBearerSession    *sessions[MX_N_FAMILIES];   /* QMI: one per family; MBIM: [V4] carries both */
  gulong              session_ids[MX_N_FAMILIES];
  MxIpSettings       *ip[MX_N_FAMILIES];
  gint64              connected_since;      /* monotonic us */
  guint               attempts, failed_attempts;
  MxBearerStats       stats;
  gchar              *last_reason;          /* why the last session ended */
  gchar              *cancel_reason;        /* why the running connect was cut short */
};

/* Undoes everything a connect built, in order: Stop Network per family
 * (when @stop_on_modem), delete the link (when @delete_link), release the
 * data port; then publishes the disconnected state. Never fails. */
void mx_bearer_teardown        (MxBearer *self, gboolean stop_on_modem, gboolean delete_link,
                                GAsyncReadyCallback callback, gpointer user_data);
void mx_bearer_teardown_finish (MxBearer *self, GAsyncResult *res);

/* mx-bearer-connect.c: runs the connect steps for @task (source object
 * @self); on failure everything built is torn down before @task fails. */
void mx_bearer_connect_run (MxBearer *self, GTask *task);

/* Publishes the connected state (Interface, Ip4Config, ...). */
void mx_bearer_publish_connected (MxBearer *self);
/* ConnectionError: why the last connect failed (@error, in a ModemManager
 * domain), or empty (NULL) once one succeeded. */
void mx_bearer_set_connection_error (MxBearer *self, const GError *error);
/* A session reported that the network ended it. */
void mx_bearer_on_session_disconnected (MxBearerSession *session, guint reason, const gchar *text,
                                        MxBearer *self);

G_END_DECLS
