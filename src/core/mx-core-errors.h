/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemux's own error domain, for errors that never cross D-Bus as such
 * (start-up, configuration, internal plumbing). Errors returned to D-Bus
 * callers use libmm-glib's domains (MM_CORE_ERROR, ...) so that clients see
 * org.freedesktop.ModemManager1.Error.* names. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define MX_CORE_ERROR (mx_core_error_quark ())
GQuark mx_core_error_quark (void);

typedef enum {
  MX_CORE_ERROR_FAILED,          /* anything without a better code */
  MX_CORE_ERROR_INVALID_OPTION,  /* bad command line; the daemon exits 2 */
  MX_CORE_ERROR_BUS,             /* cannot reach or use the message bus */
  MX_CORE_ERROR_NAME_TAKEN,      /* our bus name belongs to another process */
} MxCoreError;

G_END_DECLS
