/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator as a remote QRTR node via /dev/qrtr-tun (sim-qrtr.c). */
#pragma once

#include <glib.h>

#include "sim-modem.h"

G_BEGIN_DECLS

typedef struct _SimQrtrNode SimQrtrNode;

/* Opens @path (NULL = /dev/qrtr-tun), says HELLO as @node_id and announces
 * every QMI service once the kernel answers. */
SimQrtrNode *sim_qrtr_node_new    (SimModem    *modem,
                                   guint32      node_id,
                                   const gchar *path,
                                   GError     **error);
/* Withdraws the services (DEL_SERVER), says BYE and closes the endpoint. */
void         sim_qrtr_node_free   (SimQrtrNode *node);
guint32      sim_qrtr_node_get_id (SimQrtrNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimQrtrNode, sim_qrtr_node_free)

G_END_DECLS
