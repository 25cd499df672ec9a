/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A modem's QMI control port: a QmiDevice opened either on a character
 * device through libqmi's qmi-proxy (so qmicli and other tools can share the
 * port with us), or on a QRTR node. Hands out QMI clients: one shared client
 * per service for the control plane (allocated once, cached), and dedicated
 * clients for whoever needs its own client id (one WDS client per bearer and
 * IP family). Emits "removed" when the port goes away underneath us. */
#pragma once

#include <gio/gio.h>
#include <libqmi-glib.h>

G_BEGIN_DECLS

#define MX_TYPE_QMI_PORT (mx_qmi_port_get_type ())
G_DECLARE_FINAL_TYPE (MxQmiPort, mx_qmi_port, MX, QMI_PORT, GObject)

/* Signal: the device was removed or hung up (endpoint closed). Emitted once. */
#define MX_QMI_PORT_SIGNAL_REMOVED "removed"

/* Default time the open (including CTL Get Version Info) may take. */
#define MX_QMI_PORT_OPEN_TIMEOUT_S    10
/* Default time one client allocation or release may take. */
#define MX_QMI_PORT_CLIENT_TIMEOUT_S  10

/* @name is the port's name as the D-Bus API shows it ("wwan0qmi0");
 * @device_path the character device ("/dev/wwan0qmi0"). */
MxQmiPort   *mx_qmi_port_new          (const gchar *name, const gchar *device_path);
/* A QRTR node (@name e.g. "qrtr3"): the open waits for the node on the
 * QRTR bus, then talks QMI to its services directly (no CTL, no proxy). */
MxQmiPort   *mx_qmi_port_new_for_qrtr_node (const gchar *name, guint32 node_id);

const gchar *mx_qmi_port_get_name     (MxQmiPort *self);
/* "/dev/wwan0qmi0" or "qrtr://N". */
const gchar *mx_qmi_port_get_path     (MxQmiPort *self);
/* NULL until open. */
QmiDevice   *mx_qmi_port_peek_device  (MxQmiPort *self);
gboolean     mx_qmi_port_is_open      (MxQmiPort *self);
void         mx_qmi_port_set_open_timeout (MxQmiPort *self, guint seconds);

void         mx_qmi_port_open         (MxQmiPort          *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean     mx_qmi_port_open_finish  (MxQmiPort    *self,
                                       GAsyncResult *res,
                                       GError      **error);

/* Releases every shared client and closes the device, in the background;
 * the port stays alive until that is done. Idempotent. After the port was
 * removed, client ids are not released (the other end is gone). */
void         mx_qmi_port_close        (MxQmiPort *self);

typedef enum {
  MX_QMI_CLIENT_SHARED,    /* the port's one client of that service, cached */
  MX_QMI_CLIENT_DEDICATED, /* a new client id; release with mx_qmi_port_release_client() */
} MxQmiClientKind;

/* The shared client of @service if already allocated (borrowed), else NULL. */
QmiClient   *mx_qmi_port_peek_client  (MxQmiPort *self, QmiService service);

/* Allocates (or for SHARED, returns the cached) client of @service.
 * Concurrent requests for the same shared service share one allocation. */
void         mx_qmi_port_get_client   (MxQmiPort          *self,
                                       QmiService          service,
                                       MxQmiClientKind     kind,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
/* Returns a new reference. */
QmiClient   *mx_qmi_port_get_client_finish (MxQmiPort    *self,
                                            GAsyncResult *res,
                                            GError      **error);

/* Releases a DEDICATED client's id on the modem. Shared clients are
 * released by mx_qmi_port_close(). */
void         mx_qmi_port_release_client (MxQmiPort          *self,
                                         QmiClient          *client,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean     mx_qmi_port_release_client_finish (MxQmiPort    *self,
                                                GAsyncResult *res,
                                                GError      **error);

/* Adoption after a restart: a DEDICATED client of @service with the id
 * @cid a previous process kept on the modem (qmi-proxy keeps ids a client
 * did not release); no CTL exchange. Not over QRTR (a crashed process's
 * clients end there). */
void         mx_qmi_port_adopt_client (MxQmiPort          *self,
                                       QmiService          service,
                                       guint8              cid,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
/* Returns a new reference. */
QmiClient   *mx_qmi_port_adopt_client_finish (MxQmiPort    *self,
                                              GAsyncResult *res,
                                              GError      **error);
/* Lets go of a DEDICATED client without releasing its id on the modem (its
 * session survives this process, for a later adoption). */
void         mx_qmi_port_keep_client  (MxQmiPort *self, QmiClient *client);

G_END_DECLS
