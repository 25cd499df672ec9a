/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MBIM requests as the modem and the bearer layer send them: one helper
 * that sends a request on the MbimDevice and checks the answer (a
 * COMMAND_DONE with status success), with errors that name the request. */
#pragma once

#include <gio/gio.h>
#include <libmbim-glib.h>

G_BEGIN_DECLS

/* Per-request timeout (seconds) of the MBIM control requests. */
#define MX_MBIM_TIMEOUT_S 10

/* Sends @request (not consumed) on @device; @what names it in errors
 * ("MBIM Radio State (set)"). */
void         mx_mbim_command        (MbimDevice         *device,
                                     MbimMessage        *request,
                                     const gchar        *what,
                                     guint               timeout_s,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
/* The response, or NULL with the error prefixed by the request's name. A
 * failed status keeps the response readable through @failed_response
 * (may be NULL): MBIM answers PIN and Connect failures with their data. */
MbimMessage *mx_mbim_command_finish (GAsyncResult  *res,
                                     MbimMessage  **failed_response,
                                     GError       **error);

/* MBIM timeouts and status errors are "no answer" / "refused" for callers. */
gboolean     mx_mbim_error_is_timeout (const GError *error);

G_END_DECLS
