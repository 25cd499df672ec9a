/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Turns discovery's devices into modems: a ready device whose primary control
 * port speaks QMI (char device or QRTR node) gets an MxModem, which is
 * exported once its initialization succeeded and removed when the device
 * (or its control port) goes. Signals, for the bearer component and tests:
 *  "modem-added"   (MxModem *)  -- exported
 *  "modem-removed" (MxModem *)  -- about to be unexported */
#pragma once

#include <gio/gio.h>
#include "mx-discovery-device-manager.h"
#include "mx-core-manager.h"
#include "mx-modem.h"

G_BEGIN_DECLS

#define MX_TYPE_MODEM_REGISTRY (mx_modem_registry_get_type ())
G_DECLARE_FINAL_TYPE (MxModemRegistry, mx_modem_registry, MX, MODEM_REGISTRY, GObject)

/* Follows @devices from now on and picks up the devices it already has. */
MxModemRegistry *mx_modem_registry_new (MxManager *manager, MxDeviceManager *devices);
/* Removes every modem and stops following discovery (daemon stopping). */
void             mx_modem_registry_shutdown (MxModemRegistry *self);
/* Exported modems (new array, each element referenced). */
GPtrArray       *mx_modem_registry_get_modems (MxModemRegistry *self);

/* What discovery's @device means for a modem; NULL when its primary
 * control port is not QMI (with a reason in @why). Exposed for tests. */
MxModemConfig   *mx_modem_config_new_from_device (MxDevice *device, const gchar **why);

G_END_DECLS
