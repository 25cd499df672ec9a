/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ownership marker: every link modemux creates carries IFLA_IFALIAS
 * "modemux:<port>:<mux id>". Start-up reconciliation and cleanup touch a
 * link only if it carries the marker AND its lower really is that port;
 * foreign links (no marker, or another port) are never deleted. */
#pragma once
#include <glib.h>
#include "mx-link.h"

G_BEGIN_DECLS

#define MX_LINK_OWNER_PREFIX "modemux:"

gchar   *mx_link_owner_marker (const char *port, guint mux_id);
gboolean mx_link_owner_parse  (const char *alias, gchar **port, guint *mux_id);
/* TRUE if @link carries our marker for its actual lower port (and, if
 * @port is non-NULL, that port is @port). */
gboolean mx_link_owner_is_ours (const MxLink *link, const char *port);

G_END_DECLS
