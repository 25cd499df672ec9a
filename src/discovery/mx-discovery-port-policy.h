/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Port typing policy, in one place: whether a kernel device is a modem port
 * at all, its role (control, data, link, ignored), its type (QMI, MBIM, AT,
 * net, ...) and whether its type must be confirmed by a probe. Order of
 * evidence: ID_MM_* tags (the user's word), then the wwan `type` attribute,
 * then the wwan name suffix (Linux 5.13), then the driver (for ttys: driver,
 * USB vendor and interface number as the vendors lay them out, then the AT
 * probe). Where ModemManager's rules ran only their candidates are ports;
 * a char device without a /dev node never is. */
#pragma once
#include "mx-discovery-port.h"

G_BEGIN_DECLS

typedef struct {
  MxPortType  type;
  MxPortRole  role;
  const char *source;       /* static string: the evidence used */
  gboolean    needs_probe;  /* a QMI char device: confirm with a QMI request */
  gboolean    needs_at_probe; /* an AT tty: confirm with `AT` -> `OK` (in the background) */
} MxPortPolicyResult;

/* Which AT port it is (ModemManager's ID_MM_PORT_TYPE_AT_PRIMARY/_SECONDARY/_PPP
 * or the vendor's interface layout); Modem.Command uses the primary. */
typedef enum {
  MX_AT_ROLE_NONE,       /* not an AT port, or nothing says which */
  MX_AT_ROLE_PRIMARY,
  MX_AT_ROLE_SECONDARY,
  MX_AT_ROLE_PPP,
} MxAtRole;

/* @is_link: the link map knows the device as a virtual link (lower_*).
 * Returns FALSE with MX_DISCOVERY_ERROR_IGNORED (and a message saying why)
 * for devices that are not modem ports at all. */
gboolean mx_port_policy_classify (MxKernelDevice *kdev, gboolean is_link,
                                  MxPortPolicyResult *result, GError **error);

/* Type named by a wwan port `type` attribute or name suffix; UNKNOWN if none. */
MxPortType mx_port_policy_wwan_type (const char *type_attr, const char *name, gboolean *ignored);

/* The AT role of an AT port (tags, then the vendor interface layout). */
MxAtRole   mx_port_policy_at_role (MxKernelDevice *kdev);

/* Data netdev drivers modemux knows (qmi_wwan, cdc_mbim, mhi_net, ipa, bam-dmux, ...). */
gboolean mx_port_policy_is_modem_net_driver (const char *driver);

/* The one place where a data driver's name becomes its class (qmi_wwan and
 * qmi_wwan_q -> QMI_WWAN, ...); UNKNOWN for NULL and drivers we do not know. */
MxDataDriverClass mx_port_policy_data_driver_class (const char *driver);
/* The class's canonical driver name (qmi_wwan, ...; unknown), for
 * display (org.modemux.DataPorts1 "driver", logs, errors). */
const char *mx_data_driver_class_to_string (MxDataDriverClass driver_class);

/* Drivers whose presence in a device's chain makes it part of a Qualcomm
 * SoC modem (IPA, BAM-DMUX, the modem remoteproc); NULL-terminated. */
const char * const *mx_port_policy_soc_drivers (void);

G_END_DECLS
