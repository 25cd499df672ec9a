/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Watches the QRTR bus (libqrtr-glib QrtrBus). A node counts as a modem once
 * it offers WDS, NAS and DMS within the services timeout (DSP nodes never
 * do); it is reported gone when the node leaves the bus. Signals:
 *  "node-ready"   (guint node_id)   -- a modem node appeared
 *  "node-removed" (guint node_id)   -- a node reported ready has gone
 *  "busy-changed" ()                -- mx_qrtr_source_is_busy() changed */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

#define MX_QRTR_SERVICES_TIMEOUT_DEFAULT_MS 4000

#define MX_TYPE_QRTR_SOURCE (mx_qrtr_source_get_type ())
G_DECLARE_FINAL_TYPE (MxQrtrSource, mx_qrtr_source, MX, QRTR_SOURCE, GObject)

MxQrtrSource *mx_qrtr_source_new   (guint services_timeout_ms);
/* Opens the bus; failure (no AF_QIPCRTR in this kernel) is logged, not fatal. */
void          mx_qrtr_source_start (MxQrtrSource *self);
/* Cancels the bus creation and every pending service wait. */
void          mx_qrtr_source_stop  (MxQrtrSource *self);
/* TRUE while the bus is being opened or a node's services are awaited. */
gboolean      mx_qrtr_source_is_busy (MxQrtrSource *self);

/* Whether @services (QMI service ids) make a modem: WDS, NAS and DMS. */
gboolean      mx_qrtr_services_are_modem (const guint32 *services, guint n_services,
                                          GError **error);

G_END_DECLS
