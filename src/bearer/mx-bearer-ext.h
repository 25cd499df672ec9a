/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.modemux.DataPorts1 on a modem object: its physical data ports with
 * the negotiated data format, and the links carrying its bearers
 * (introspection/org.modemux.DataPorts1.xml). */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-gdbus-data-ports.h"

G_BEGIN_DECLS

typedef struct _MxBearerExt MxBearerExt;

/* Exports the interface at the modem's @path on @connection (next to the
 * object manager's interfaces; MmGdbusObjectSkeleton only knows
 * ModemManager's own interfaces, so it is not added there). */
MxBearerExt *mx_bearer_ext_new    (GDBusConnection *connection, const gchar *path);
void         mx_bearer_ext_free   (MxBearerExt *ext);
/* @data_ports: MxDataPort*; @bearers: MxBearer*. */
void         mx_bearer_ext_update (MxBearerExt *ext, GPtrArray *data_ports, GPtrArray *bearers);

/* The two property values, exposed for unit tests. */
GVariant    *mx_bearer_ext_build_data_ports (GPtrArray *data_ports);
GVariant    *mx_bearer_ext_build_links      (GPtrArray *bearers);

G_END_DECLS
