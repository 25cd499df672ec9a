/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Link naming policy: names derive from the physical port and the mux id
 * only (never a D-Bus index), so they are stable across restarts and
 * re-probes. At most 15 characters (IFNAMSIZ - 1), no dots unless the
 * template asks for them (OpenWrt netifd reads dotted names as VLANs). */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define MX_LINK_NAME_MAX 15
/* "{port}" = physical port name (dots in it become '_'), "{mux}" = decimal
 * mux id, "{muxhex}" = two hex digits. */
#define MX_LINK_NAME_DEFAULT_TEMPLATE "{port}_{mux}"

typedef struct {
  const char *template_; /* NULL = default */
} MxLinkNamePolicy;

gboolean mx_link_name_validate (const char *name, GError **error);
gboolean mx_link_name_validate_template (const char *tmpl, GError **error);

/* Builds the name for (port, mux_id). @attempt 0 is the plain name; when a
 * foreign interface already holds it the caller retries with attempt 1, 2,
 * ...: the name gets the suffix "x<attempt>" (the port part is shortened
 * from its end to keep 15 characters). When the plain name is too long the
 * port part is shortened the same way. Deterministic. */
gchar *mx_link_name_build (const MxLinkNamePolicy *policy, const char *port, guint mux_id,
                           guint attempt, GError **error);

G_END_DECLS
