/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One bearer: org.freedesktop.ModemManager1.Bearer at
 * /org/freedesktop/ModemManager1/Bearer/N (libmm-glib's MmGdbusBearerSkeleton).
 * A connected multiplexed bearer is one PDN session per IP family, bound to
 * one mux id, carried by one rmnet link; a non-multiplexed one runs directly
 * on the data port. Connect: mx-bearer-connect.c; teardown and D-Bus:
 * mx-bearer.c.
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-bearer-data-port.h"
#include "mx-modem.h"

G_BEGIN_DECLS

typedef struct _MxBearerService MxBearerService;

#define MX_TYPE_BEARER (mx_bearer_get_type ())
G_DECLARE_FINAL_TYPE (MxBearer, mx_bearer, MX, BEARER, GObject)

/* Signal "changed": connected/disconnected (the modem state and the
 * extension interface follow it). */
#define MX_BEARER_SIGNAL_CHANGED "changed"

typedef enum {
  MX_BEARER_DISCONNECTED,
  MX_BEARER_CONNECTING,
  MX_BEARER_CONNECTED,
  MX_BEARER_DISCONNECTING,
} MxBearerState;

/* @props are copied. @port: the data port the bearer will use. */
MxBearer           *mx_bearer_new   (MxBearerService    *service,
                                     MxModem            *modem,
                                     MxDataPort         *port,
                                     MMBearerProperties *props);
/* Exports the Bearer interface at a fresh path; returns it. */
const gchar        *mx_bearer_export   (MxBearer *self, GError **error);
void                mx_bearer_unexport (MxBearer *self);

const gchar        *mx_bearer_get_path       (MxBearer *self);
MMBearerProperties *mx_bearer_peek_properties (MxBearer *self);
MxBearerState       mx_bearer_get_state      (MxBearer *self);
MxDataPort         *mx_bearer_peek_data_port (MxBearer *self);
gboolean            mx_bearer_is_multiplexed (MxBearer *self);
/* The link (or data port) carrying the bearer; NULL when not connected. */
const gchar        *mx_bearer_get_interface  (MxBearer *self);
/* Link details while connected multiplexed; 0 / -1 otherwise. */
guint32             mx_bearer_get_ifindex    (MxBearer *self);
gint                mx_bearer_get_mux_id     (MxBearer *self);

/* Bearer.Connect without the D-Bus part. */
void     mx_bearer_connect        (MxBearer           *self,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
gboolean mx_bearer_connect_finish (MxBearer *self, GAsyncResult *res, GError **error);

/* Bearer.Disconnect: Stop Network per family (NoEffect = success), delete
 * the link, free the mux id. Cancels a connect in progress. Succeeds when
 * already disconnected. */
void     mx_bearer_disconnect        (MxBearer           *self,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean mx_bearer_disconnect_finish (MxBearer *self, GAsyncResult *res, GError **error);

/* Something underneath went away: the link (deleted behind our back), the
 * lower port, or the whole modem (@modem_gone: no QMI left to talk to).
 * Tears the bearer down in the background and records @reason. */
void     mx_bearer_lost (MxBearer *self, const gchar *reason, gboolean link_gone, gboolean modem_gone);

G_END_DECLS
