/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bearer properties as clients send them (Modem.CreateBearer, Simple.Connect):
 * strict validation of the a{sv} before libmm-glib parses it (libmm-glib
 * reads values without checking their type), the multiplex default, and the
 * multiplex decision for a port. Pure functions; no I/O.
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-bearer-data-format.h"

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

/* The multiplex setting a connect uses: what the client asked for, else the
 * data port's default — decided per hardware by its plugin (required on IPA,
 * the only mode there; requested on mhi_net, including QRTR over MHI; none
 * elsewhere) — raised from none to requested by --test-multiplex-requested,
 * as in ModemManager. NM 1.42 never sends the key, so the default matters. */
MMBearerMultiplexSupport mx_bearer_multiplex_resolve (MMBearerMultiplexSupport asked,
                                                      MMBearerMultiplexSupport port_default,
                                                      gboolean                 test_multiplex_requested);

/* What the port is asked for given the bearer's (resolved) multiplex setting,
 * the data driver, whether the kernel can create rmnet links and why the port
 * itself must not multiplex (@port_refusal, from
 * mx_data_port_get_no_multiplex_reason(): ID_MM_MAX_MULTIPLEXED_LINKS=0;
 * NULL: it may). FALSE with a D-Bus error (MM_CORE_ERROR_UNSUPPORTED) when
 * the combination is impossible: required on a refusing port names the
 * refusal, required without rmnet in the kernel names CONFIG_RMNET; none on
 * IPA says IPA only carries multiplexed traffic. When "requested" has to fall
 * back to no multiplexing, @fallback_reason (may be NULL) gets a log line. */
gboolean mx_bearer_multiplex_goal (MMBearerMultiplexSupport  multiplex,
                                   MxDataDriver              driver,
                                   gboolean                  kernel_has_rmnet,
                                   const gchar              *port_refusal,
                                   MxDataFormatGoal         *goal,
                                   gchar                   **fallback_reason,
                                   GError                  **error);

const gchar *mx_bearer_multiplex_to_string (MMBearerMultiplexSupport multiplex);

G_END_DECLS
