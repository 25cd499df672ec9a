/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One MBIM packet data session of a bearer: Connect (activate) on a session
 * id with APN, credentials and IP type, IP Configuration (query) for the
 * addresses, gateway, DNS and MTU; Connect (deactivate) at the end. A Connect
 * indication that deactivates the session id emits "disconnected". Packet
 * Statistics (device-wide) for the bearer stats. Implements MxBearerSession.
 *
 * One context carries both families: with ip_type IPV4V6 start_finish()
 * returns the IPv4 settings and mx_mbim_session_take_ipv6_settings() the
 * IPv6 ones.
 */
#pragma once

#include <libmbim-glib.h>
#include "mx-bearer-session.h"

G_BEGIN_DECLS

#define MX_TYPE_MBIM_SESSION (mx_mbim_session_get_type ())
G_DECLARE_FINAL_TYPE (MxMbimSession, mx_mbim_session, MX, MBIM_SESSION, GObject)

/* Activation may wait for the network, as WDS Start Network does. */
#define MX_MBIM_SESSION_CONNECT_TIMEOUT 45

MxMbimSession *mx_mbim_session_new (MbimDevice *device);
/* After a dual-stack start: the IPv6 settings (NULL: the network gave none). */
MxIpSettings  *mx_mbim_session_take_ipv6_settings (MxMbimSession *self);

/* Pure, for tests: the 3GPP cause of a refused activation (NwError) as the
 * ModemManager error the QMI path gives for the same cause; @status names
 * MBIM's status when there is no cause. */
GError        *mx_mbim_session_activation_error (MbimStatusError status, guint32 nw_error,
                                                 const gchar *apn);

G_END_DECLS
