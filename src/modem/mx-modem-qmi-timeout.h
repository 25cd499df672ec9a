/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How long a QMI request may go unanswered. Each module keeps its own
 * default (45 s for WDS Start Network, 10 s for most others); every request
 * passes it through mx_qmi_timeout(), the one place a test can cap them all
 * (modemuxd --test-qmi-timeout), so tests that make the modem drop a request
 * see the timeout path without waiting out the real timeouts. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* The timeout to give a request whose default is @default_s seconds. */
guint mx_qmi_timeout         (guint default_s);
/* Caps every timeout at @cap_s seconds (0: no cap). Process-wide. */
void  mx_qmi_timeout_set_cap (guint cap_s);

G_END_DECLS
