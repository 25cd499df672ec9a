/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error domain of device discovery (kernel devices, kernel events, QRTR
 * nodes, port probing, plugins). The D-Bus side (ReportKernelEvent) maps
 * these to MM_CORE_ERROR_* in one place: mx_discovery_error_to_mm(). */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define MX_DISCOVERY_ERROR (mx_discovery_error_quark ())
GQuark mx_discovery_error_quark (void);

typedef enum {
  MX_DISCOVERY_ERROR_FAILED,
  MX_DISCOVERY_ERROR_INVALID_EVENT,  /* malformed kernel event, unknown subsystem/action */
  MX_DISCOVERY_ERROR_NOT_FOUND,      /* no such device in sysfs */
  MX_DISCOVERY_ERROR_IGNORED,        /* device excluded by policy or udev tag */
  MX_DISCOVERY_ERROR_UNSUPPORTED,    /* no plugin / data port cannot be mapped */
  MX_DISCOVERY_ERROR_NOT_A_MODEM,    /* QRTR node without WDS, NAS and DMS */
  MX_DISCOVERY_ERROR_PROBE_FAILED,   /* control port did not answer */
} MxDiscoveryError;

/* A GError in the MM_CORE_ERROR domain with the same message, for D-Bus. */
GError *mx_discovery_error_to_mm (const GError *error);

G_END_DECLS
