/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One modem's bearers: the bearer layer's implementation of the modem's
 * MxModemBearerList. It keeps the modem's data ports (MxDataPort, one per
 * data port discovery found, with the plugin's mapping) and bearers,
 * answers Simple.Connect/Disconnect, CreateBearer and DeleteBearer,
 * disconnects every bearer as the first step of Disable, ends them locally
 * when the modem goes away, and publishes what follows from its bearers on
 * the modem: Bearers, MaxActiveBearers, MaxActiveMultiplexedBearers (their
 * one writer), the modem state CONNECTING / CONNECTED / DISCONNECTING, and
 * the org.modemux.DataPorts1 extension.
 *
 * It follows each bearer's "changed" signal; bearers never call it. The
 * modem holds the list; the list holds the modem and the service weakly. */
#pragma once

#include <gio/gio.h>
#include "mx-bearer.h"
#include "mx-modem-bearer-list.h"

G_BEGIN_DECLS

#define MX_TYPE_BEARER_LIST (mx_bearer_list_get_type ())
G_DECLARE_FINAL_TYPE (MxBearerList, mx_bearer_list, MX, BEARER_LIST, GObject)

/* Builds the data ports from the modem's configuration; exports the
 * extension interface when the modem is on the bus. Does not install
 * itself on the modem (the service does). */
MxBearerList *mx_bearer_list_new (MxBearerService *service, MxModem *modem);

/* The bearers (MxBearer*) and data ports (MxDataPort*, sorted by name). */
GPtrArray    *mx_bearer_list_peek_bearers    (MxBearerList *self);
GPtrArray    *mx_bearer_list_peek_data_ports (MxBearerList *self);

/* The modem (NULL once gone). */
MxModem      *mx_bearer_list_peek_modem (MxBearerList *self);
/* A bearer on @port with @props, exported and listed (not connected): the
 * one an adoption after a restart fills in. Returns a new reference. */
MxBearer     *mx_bearer_list_add_adopted (MxBearerList *self, MxDataPort *port,
                                          MMBearerProperties *props, GError **error);

/* Re-publishes the modem properties (e.g. after the kernel rmnet probe). */
void          mx_bearer_list_update (MxBearerList *self);

/* The list leaves the bus: bearers unexported, extension removed. */
void          mx_bearer_list_unexport (MxBearerList *self);

G_END_DECLS
