/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A QMI modem as ModemManager's D-Bus API shows it: one MxModem per physical
 * device whose control port speaks QMI (a char device through qmi-proxy, or
 * a QRTR node). It owns the control port (MxQmiPort), the Modem, Modem3gpp
 * and Modem.Simple interfaces on /org/freedesktop/ModemManager1/Modem/N,
 * the SIM object, and the state machine (StateChanged).
 *
 * Life cycle (driven by MxModemRegistry): mx_modem_new() ->
 * mx_modem_initialize() (opens the port, loads identity and SIM state;
 * nothing is exported if it fails) -> mx_modem_export() -> ... ->
 * mx_modem_remove() (control port or device gone, or daemon shutdown).
 *
 * The bearers are reached through the MxModemBearerList the modem holds
 * (implemented by the bearer layer): Simple.Connect/Disconnect,
 * CreateBearer, DeleteBearer, and the first step of Disable. */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include <libmbim-glib.h>
#include "mx-modem-qmi-port.h"
#include "mx-discovery-port.h"
#include "mx-core-manager.h"
#include "mx-modem-bearer-list.h"

G_BEGIN_DECLS

/* The control protocol of the modem: one backend per protocol (QMI in
 * mx-modem-qmi-init.c/mx-modem-3gpp.c/..., MBIM in mx-modem-mbim*.c) under
 * the same object, D-Bus interfaces, state machine, SIM object and bearer
 * list. */
typedef enum {
  MX_MODEM_CONTROL_QMI,
  MX_MODEM_CONTROL_MBIM,
} MxModemControl;

/* One port of the modem as the Ports property lists it. */
typedef struct {
  gchar          *name;   /* "wwan0qmi0", "mhi_hwip0" */
  MMModemPortType type;   /* MM_MODEM_PORT_TYPE_QMI, _NET, ... */
} MxModemPort;

/* What discovery knows about the device; copied by mx_modem_new(). */
typedef struct {
  gchar      *uid;           /* physical device uid or sysfs path: the Device property */
  gchar      *plugin;        /* "mhi", "qcom-soc", ... */
  gchar     **drivers;       /* kernel drivers of the ports, e.g. mhi-pci-generic, mhi_net */
  MxModemPort *ports;        /* all ports, control port first */
  guint       n_ports;
  MxModemControl control;    /* the control port's protocol */
  gchar      *control_port;  /* name of the control port ("wwan0qmi0", "qrtr0", "wwan0mbim0") */
  gchar      *control_path;  /* its char device ("/dev/wwan0qmi0"); NULL for QRTR */
  gchar      *at_port;       /* primary AT port for Modem.Command ("ttyUSB2"); NULL: none */
  gchar      *at_path;       /* its node ("/dev/ttyUSB2") */
  gboolean    qrtr;          /* control is the QRTR node qrtr_node */
  guint32     qrtr_node;
  guint16     vendor_id, product_id;
  GPtrArray  *data_ports;    /* MxPort* (role DATA, type NET) with the plugin's mapping
                              * (endpoint, DPM ids, multiplex default, tags), for the
                              * bearer layer; never NULL */
} MxModemConfig;

MxModemConfig *mx_modem_config_copy (const MxModemConfig *config);
void           mx_modem_config_free (MxModemConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxModemConfig, mx_modem_config_free)

#define MX_TYPE_MODEM (mx_modem_get_type ())
G_DECLARE_FINAL_TYPE (MxModem, mx_modem, MX, MODEM, GObject)

/* Signal "removed": the modem's control port went away; the registry then
 * calls mx_modem_remove(). */
#define MX_MODEM_SIGNAL_REMOVED "removed"

MxModem  *mx_modem_new        (MxManager *manager, const MxModemConfig *config);

void      mx_modem_initialize        (MxModem            *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean  mx_modem_initialize_finish (MxModem      *self,
                                      GAsyncResult *res,
                                      GError      **error);

/* Puts the modem (and its SIM) on the bus; returns the object path. */
const gchar *mx_modem_export  (MxModem *self);
/* Unexports, cancels everything in flight, closes the control port. */
void      mx_modem_remove     (MxModem *self);

/* Discovery found more (or fewer) ports for the same control port:
 * refreshes Ports, Drivers, Device, MaxBearers. Replaces the config (a
 * pointer from mx_modem_get_config() is invalid afterwards). */
void      mx_modem_update_ports (MxModem *self, const MxModemConfig *config);

MxModemControl mx_modem_get_control      (MxModem *self);
/* The MBIM device (opened through mbim-proxy) once initialization opened it;
 * NULL for QMI modems and before/after. */
MbimDevice    *mx_modem_peek_mbim_device (MxModem *self);

/* Accessors, mainly for the bearer component. */
const MxModemConfig *mx_modem_get_config  (MxModem *self);
const gchar  *mx_modem_get_path           (MxModem *self);   /* NULL until exported */
/* The QMI control port; NULL for MBIM modems. */
MxQmiPort    *mx_modem_peek_port          (MxModem *self);
MxManager    *mx_modem_peek_manager       (MxModem *self);
MmGdbusModem *mx_modem_peek_modem_iface   (MxModem *self);
MmGdbusObjectSkeleton *mx_modem_peek_object (MxModem *self);
/* Names of the data ports (MM_MODEM_PORT_TYPE_NET), in Ports order. */
GPtrArray    *mx_modem_dup_data_ports     (MxModem *self);
/* Cancelled when the modem goes away. */
GCancellable *mx_modem_peek_cancellable   (MxModem *self);

MMModemState  mx_modem_get_state (MxModem *self);
/* The state registration alone implies while enabled: REGISTERED (home or
 * roaming), SEARCHING, or ENABLED. */
MMModemState  mx_modem_get_registration_state (MxModem *self);
/* For the bearer component (CONNECTING, CONNECTED, DISCONNECTING, and back
 * to REGISTERED): updates State and emits StateChanged. */
void          mx_modem_set_state (MxModem *self, MMModemState state,
                                  MMModemStateChangeReason reason);

/* The bearer layer's side of the modem (see mx-modem-bearer-list.h); the
 * modem holds a reference. Without one the bearer methods answer
 * org.freedesktop.ModemManager1.Error.Core.Unsupported. */
void               mx_modem_set_bearer_list  (MxModem *self, MxModemBearerList *list);
MxModemBearerList *mx_modem_peek_bearer_list (MxModem *self);

G_END_DECLS
