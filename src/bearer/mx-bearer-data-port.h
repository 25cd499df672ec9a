/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A physical data port (mhi_hwip0, rmnet_ipa0, wwan0) as the bearers use it:
 * its data format, negotiated once per control-port open and shared by all
 * bearers on the port, the physical netdev's MTU and up state, the rmnet
 * flags for links on it, and how many bearers use it (one non-multiplexed
 * session, or any number of multiplexed ones: the format is per port, so the
 * two cannot mix).
 */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include "mx-bearer-data-format.h"
#include "mx-link-manager.h"
#include "mx-link-netlink.h"
#include "mx-discovery-port.h"
#include "mx-modem-qmi-port.h"

G_BEGIN_DECLS

#define MX_TYPE_DATA_PORT (mx_data_port_get_type ())
G_DECLARE_FINAL_TYPE (MxDataPort, mx_data_port, MX, DATA_PORT, GObject)

/* Signal "changed": format or session count changed (for the extension
 * interface). */
#define MX_DATA_PORT_SIGNAL_CHANGED "changed"

/* @port: discovery's data port (role DATA); @qmi: the modem's control port;
 * @over_qrtr: the control port is a QRTR node (endpoint always sent).
 * While it lives, @links allocates mux ids on the port by the port's udev
 * tags (ID_MM_INITIAL_QMAP_MUX_ID, ID_MM_MAX_MULTIPLEXED_LINKS). */
MxDataPort  *mx_data_port_new (MxPort        *port,
                               MxQmiPort     *qmi,
                               gboolean       over_qrtr,
                               MxLinkManager *links,
                               MxNetlink     *netlink);

const gchar            *mx_data_port_get_name       (MxDataPort *self);
/* The plugin's profile of the port (discovery's MxPort holds it). */
const MxDataProfile    *mx_data_port_get_profile    (MxDataPort *self);
/* The profile's driver class as a name (mhi_net, ...), for display. */
const gchar            *mx_data_port_get_driver_name (MxDataPort *self);
const MxDataEndpoint   *mx_data_port_get_endpoint   (MxDataPort *self);
/* Most multiplexed bearers this port can carry (rmnet possible, mux range,
 * ID_MM_MAX_MULTIPLEXED_LINKS): what MaxActiveMultiplexedBearers adds up. */
guint                   mx_data_port_get_max_links  (MxDataPort *self);
/* What was negotiated; NULL before the first setup. */
const MxDataFormat     *mx_data_port_peek_format    (MxDataPort *self);
guint                   mx_data_port_get_n_sessions (MxDataPort *self);
gboolean                mx_data_port_is_multiplexed (MxDataPort *self);
/* Multiplexed links are qmi_wwan qmimux ones (MX_QMI_WWAN_QMIMUX), not rmnet. */
gboolean                mx_data_port_uses_qmimux (MxDataPort *self);
/* rmnet flags/mask for links on this port (negotiated protocol, hardware offloads). */
void                    mx_data_port_get_rmnet_flags (MxDataPort *self, guint32 *flags, guint32 *mask);

/* Makes the port ready for one more session with @goal: negotiates the data
 * format if needed (never twice per control-port open unless the port is
 * idle and the goal changed), sets the lower MTU, brings the lower up, and
 * counts the session. On success *@multiplexed says whether the session
 * runs over an rmnet link (QMAP) or directly on the port. Release with
 * mx_data_port_release(). Concurrent calls are serialized. */
void     mx_data_port_acquire        (MxDataPort         *self,
                                      MxDataFormatGoal    goal,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean mx_data_port_acquire_finish (MxDataPort   *self,
                                      GAsyncResult *res,
                                      gboolean     *multiplexed,
                                      GError      **error);
void     mx_data_port_release        (MxDataPort *self, gboolean multiplexed);

/* Counts one adopted multiplexed session (a previous modemuxd set the port
 * up with @format, recorded in its state file; nothing is sent). */
void     mx_data_port_adopt_session  (MxDataPort *self, const MxDataFormat *format);
/* Negotiates the data format for @goal ahead of the first session, off the
 * connect's critical path (when the modem has registered); the lower is
 * configured by the acquire that follows. Nothing when a format is already
 * negotiated; a failure is logged and left to the next acquire, which
 * negotiates again and names the failing step. Serialized with acquires. */
void     mx_data_port_prepare        (MxDataPort       *self,
                                      MxDataFormatGoal  goal,
                                      GCancellable     *cancellable);

/* Forget the negotiated format (the control port was closed/reopened). */
void     mx_data_port_reset          (MxDataPort *self);

/* `ip link set dev <ifname> [mtu N] up` through netlink; @mtu 0 keeps it. */
void     mx_data_port_netdev_up        (MxNetlink          *netlink,
                                        MxLinkMap          *map,
                                        const gchar        *ifname,
                                        guint               mtu,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mx_data_port_netdev_up_finish (GAsyncResult *res, GError **error);

G_END_DECLS
