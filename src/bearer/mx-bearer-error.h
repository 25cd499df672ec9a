/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a failed WDS Start Network means to a ModemManager client: the one
 * table from QMI's answer (protocol error, call-end reasons) to the error in
 * a ModemManager domain (MM_MOBILE_EQUIPMENT_ERROR, MM_CONNECTION_ERROR,
 * MM_CORE_ERROR). libmm-glib registers those domains with GDBus, so the
 * D-Bus error name follows the code, e.g.
 * org.freedesktop.ModemManager1.Error.MobileEquipment.MissingOrUnknownApn,
 * which NetworkManager turns into a device-state reason. The rows are listed
 * in docs/bearers.md ("Errors").
 */
#pragma once

#include <libmm-glib.h>
#include <libqmi-glib.h>

G_BEGIN_DECLS

/* The call-end reasons of a Start Network response; either may be absent. */
typedef struct {
  gboolean                       has_verbose;
  QmiWdsVerboseCallEndReasonType verbose_type;
  gint16                         verbose_reason;
  gboolean                       has_reason;
  QmiWdsCallEndReason            reason;
} MxCallEnd;

/* Reads both call-end reason TLVs of @output (NULL: none). */
void    mx_call_end_from_start_network (QmiMessageWdsStartNetworkOutput *output,
                                        MxCallEnd                       *end);

/* @error: how Start Network failed (a QMI_PROTOCOL_ERROR from the result
 * TLV; other domains, e.g. a timeout or a cancellation, are returned as a
 * copy for the caller's own handling). @end: its call-end reasons (NULL:
 * none). @apn: the APN asked for, named in the message (NULL/"": the
 * profile's). Returns a new error in a ModemManager domain. */
GError *mx_bearer_error_from_start_network (const GError    *error,
                                            const MxCallEnd *end,
                                            const gchar     *apn);

G_END_DECLS
