/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bearer properties as clients send them (Modem.CreateBearer, Simple.Connect):
 * strict validation of the a{sv} before libmm-glib parses it (libmm-glib
 * reads values without checking their type). Pure functions; no I/O. The
 * multiplex decision of a connect is mx-bearer-multiplex.c.
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>

G_BEGIN_DECLS

/* Validates @dict (a{sv}) for Modem.CreateBearer: known keys with the right
 * types and values. Returns new properties or NULL with MM_CORE_ERROR_INVALID_ARGS
 * naming the offending key. */
MMBearerProperties *mx_bearer_props_from_dictionary (GVariant *dict, GError **error);

/* Same for Modem.Simple.Connect (bearer keys plus "pin" and "operator-id").
 * Returns the bearer part; @pin / @operator_id (may be NULL) receive copies. */
MMBearerProperties *mx_bearer_props_from_simple_connect (GVariant  *dict,
                                                         gchar    **pin,
                                                         gchar    **operator_id,
                                                         GError   **error);

/* The IP family a bearer asks for when the client did not say: IPv4. */
#define MX_BEARER_DEFAULT_IP_FAMILY MM_BEARER_IP_FAMILY_IPV4

/* Whether two bearer property sets describe the same connection (Simple.Connect
 * reuses an existing bearer with the same settings, as ModemManager does). */
gboolean mx_bearer_props_equal (MMBearerProperties *a, MMBearerProperties *b);

G_END_DECLS
