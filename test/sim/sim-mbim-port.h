/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MBIM byte-stream transports of the simulator (sim-mbim-port.c): a fake
 * mbim-proxy on an abstract unix socket (one connection per client) and a
 * pseudo-terminal (one connection, like /dev/cdc-wdmN). Both de-frame the
 * stream by the MBIM header's length and hand whole messages up.
 */
#pragma once

#include <glib.h>
#include <libmbim-glib.h>

G_BEGIN_DECLS

typedef struct _SimMbimPort SimMbimPort;
typedef struct _SimMbimConn SimMbimConn;

typedef struct {
  /* One complete message from @conn (not consumed). */
  void (*message) (SimMbimConn *conn, MbimMessage *message, gpointer user_data);
  /* @conn is about to be freed. */
  void (*closed)  (SimMbimConn *conn, gpointer user_data);
} SimMbimPortOps;

SimMbimPort *sim_mbim_port_new_proxy (const gchar          *name,
                                      const SimMbimPortOps *ops,
                                      gpointer              user_data,
                                      GError              **error);
SimMbimPort *sim_mbim_port_new_pty   (const gchar          *path,
                                      const SimMbimPortOps *ops,
                                      gpointer              user_data,
                                      GError              **error);
void         sim_mbim_port_free      (SimMbimPort *port);
const gchar *sim_mbim_port_get_name  (SimMbimPort *port);
/* Live connections (owned by the port). */
GList       *sim_mbim_port_get_conns (SimMbimPort *port);
/* Drops every connection (hang-up); the port keeps listening. */
void         sim_mbim_port_hangup    (SimMbimPort *port);

void         sim_mbim_conn_send      (SimMbimConn *conn, const MbimMessage *message);
const gchar *sim_mbim_conn_get_name  (SimMbimConn *conn);
/* Per-connection "OPEN seen" state, kept for the MBIM function. */
gboolean     sim_mbim_conn_get_opened (SimMbimConn *conn);
void         sim_mbim_conn_set_opened (SimMbimConn *conn, gboolean opened);

G_END_DECLS
