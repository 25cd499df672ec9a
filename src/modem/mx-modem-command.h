/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Modem.Command (mmcli --command): an AT command on the primary AT port,
 * only in debug mode (as ModemManager). */
#pragma once
#include "mx-modem.h"

G_BEGIN_DECLS

/* Process-wide, set once from --debug by the daemon (ModemManager's
 * mm_context_get_debug()); FALSE: every Command answers Unauthorized. */
void mx_modem_command_set_allowed (gboolean allowed);
/* Serves Command on @self's Modem interface. */
void mx_modem_command_connect     (MxModem *self);

G_END_DECLS
