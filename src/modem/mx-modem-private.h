/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MxModem internals shared by its files: mx-modem.c (object, D-Bus, state),
 * mx-modem-qmi-init.c (initialization), mx-modem-3gpp.c (enable/disable,
 * registration, signal quality). Not for other components. */
#pragma once

#include "mx-modem.h"
#include "mx-modem-sim.h"

G_BEGIN_DECLS

struct _MxModem {
  GObject                parent;
  MxManager             *manager;
  MxModemConfig         *config;
  gchar                 *path;
  MxQmiPort             *port;
  gulong                 port_removed_id;
  GCancellable          *cancellable;    /* cancelled on removal */
  gboolean               removed;

  MmGdbusObjectSkeleton *object;
  MmGdbusModem          *modem;
  MmGdbusModem3gpp      *modem_3gpp;
  MmGdbusModemSimple    *simple;
  MxSim                 *sim;
  MxModemBearerList     *bearers;        /* set by the bearer layer; NULL: Unsupported */

  /* Shared clients, borrowed from the port (owned there). */
  QmiClientDms          *dms;
  QmiClientNas          *nas;
  QmiClientUim          *uim;            /* NULL: no UIM service, SIM through DMS */

  /* Enable/registration (mx-modem-3gpp.c) */
  gboolean               enabling_or_disabling;
  gulong                 serving_system_id;
  gulong                 event_report_id;
};

/* mx-modem.c */
/* Called by the init code once identity is known. */
void     mx_modem_set_identity (MxModem *self, const gchar *manufacturer, const gchar *model,
                                const gchar *revision, const gchar *hardware_revision,
                                const gchar *imei);
void     mx_modem_complete_unlocked_init (MxModem *self);

/* Through the bearer list (at once TRUE without one). */
void     mx_modem_disconnect_bearers        (MxModem *self, GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_disconnect_bearers_finish (MxModem *self, GAsyncResult *res, GError **error);

/* mx-modem-qmi-init.c: runs the whole initialization; completes the task
 * with TRUE once the modem can be exported (LOCKED or DISABLED). */
void     mx_modem_qmi_init_run       (MxModem *self, GTask *task);
/* Reloads what needs an unlocked SIM (SIM identity, own numbers). */
void     mx_modem_qmi_load_sim_data  (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_qmi_load_sim_data_finish (MxModem *self, GAsyncResult *res, GError **error);

/* mx-modem-3gpp.c */
void     mx_modem_3gpp_enable        (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_3gpp_enable_finish (MxModem *self, GAsyncResult *res, GError **error);
void     mx_modem_3gpp_disable       (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_3gpp_disable_finish (MxModem *self, GAsyncResult *res, GError **error);
void     mx_modem_3gpp_set_power     (MxModem *self, MMModemPowerState power,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_3gpp_set_power_finish (MxModem *self, GAsyncResult *res, GError **error);
/* Drops indication handlers and registration (removal, SIM gone). */
void     mx_modem_3gpp_teardown      (MxModem *self);

/* Shared helpers */
MMModemAccessTechnology mx_modem_access_tech_from_radio (QmiNasRadioInterface radio);
guint    mx_modem_signal_quality_from_rssi (gint rssi_dbm);

G_END_DECLS
