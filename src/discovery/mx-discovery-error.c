/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <ModemManager.h>
#include <libmm-glib.h>
#include "mx-discovery-error.h"

G_DEFINE_QUARK (mx-discovery-error-quark, mx_discovery_error)

GError *
mx_discovery_error_to_mm (const GError *error)
{
  MMCoreError code = MM_CORE_ERROR_FAILED;

  if (error->domain == MX_DISCOVERY_ERROR) {
    switch ((MxDiscoveryError) error->code) {
    case MX_DISCOVERY_ERROR_INVALID_EVENT: code = MM_CORE_ERROR_INVALID_ARGS; break;
    case MX_DISCOVERY_ERROR_NOT_FOUND:     code = MM_CORE_ERROR_NOT_FOUND; break;
    case MX_DISCOVERY_ERROR_UNSUPPORTED:   code = MM_CORE_ERROR_UNSUPPORTED; break;
    default: break;
    }
  }
  return g_error_new_literal (MM_CORE_ERROR, code, error->message);
}
