/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MxModem internals shared by its files: mx-modem.c (object, D-Bus, state),
 * mx-modem-qmi-init.c (initialization), mx-modem-3gpp.c (enable/disable,
 * registration), mx-modem-signal.c (signal quality, Signal interface),
 * mx-modem-bands.c (bands and modes). Not for other components. */
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
  MmGdbusModemSignal    *signal;
  MmGdbusModemFirmware  *firmware;
  MmGdbusModem3gppProfileManager *profile_manager;
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

  /* Signal (mx-modem-signal.c) */
  guint                  signal_poll_id;     /* only while registered */
  guint                  signal_recent_id;   /* SignalQuality's recent flag expiry */
  GCancellable          *signal_cancellable; /* the read in flight */
  gboolean               signal_info_unsupported; /* fall back to Get Signal Strength */

  /* Bands and modes (mx-modem-bands.c) */
  guint32                supported_modes_mask; /* MMModemMode from DMS Get Capabilities */
  gboolean               ssp_extended_lte;     /* Get SSP has the extended LTE band mask */
};

/* mx-modem.c */
/* Called by the init code once identity is known. */
void     mx_modem_set_identity (MxModem *self, const gchar *manufacturer, const gchar *model,
                                const gchar *revision, const gchar *hardware_revision,
                                const gchar *imei);
void     mx_modem_complete_unlocked_init (MxModem *self);

/* Runs @func after polkit allowed the caller (Device.Control); errors are
 * answered on @invocation. @args may be NULL. */
typedef void (*MxModemAuthorizedFunc) (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args);
void     mx_modem_run_authorized (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args,
                                  MxModemAuthorizedFunc func);

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
/* D-Bus handlers of Modem3gpp (SetPacketServiceState). */
void     mx_modem_3gpp_init          (MxModem *self);
/* Drops indication handlers and registration (removal, SIM gone). */
void     mx_modem_3gpp_teardown      (MxModem *self);

/* mx-modem-signal.c */
void     mx_modem_signal_init        (MxModem *self);   /* interface, handlers */
/* Registration changed: polls only while registered (home/roaming). */
void     mx_modem_signal_update_registration (MxModem *self);
/* A quality from an indication or a read: recent for 60 s. */
void     mx_modem_signal_set_quality (MxModem *self, guint quality);
void     mx_modem_signal_stop        (MxModem *self);   /* timers, read in flight, values */

/* mx-modem-bands.c */
void     mx_modem_bands_init         (MxModem *self);   /* handlers */
/* From DMS Get Capabilities: SupportedModes (ModemManager's combinations). */
void     mx_modem_bands_set_supported_modes (MxModem *self, guint32 modes);
/* DMS Get Band Capabilities and NAS Get System Selection Preference. */
void     mx_modem_bands_load         (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_bands_load_finish  (MxModem *self, GAsyncResult *res, GError **error);

/* mx-modem-profiles.c */
void     mx_modem_profiles_init      (MxModem *self);   /* ProfileManager, SetInitialEpsBearerSettings */
/* Reads InitialEpsBearerSettings (the default profile) in the background. */
void     mx_modem_profiles_load_initial (MxModem *self);

/* mx-modem-firmware.c */
void     mx_modem_firmware_init      (MxModem *self);   /* List, Select, UpdateSettings */

/* Shared helpers */
MMModemAccessTechnology mx_modem_access_tech_from_radio (QmiNasRadioInterface radio);
guint    mx_modem_signal_quality_from_rssi (gint rssi_dbm);
/* "MCCMNC" with a 2- or 3-digit MNC (@includes_pcs_digit -1: unknown, then
 * 3 digits for MNC >= 100 and the North American MCCs). */
gchar   *mx_modem_operator_code (guint16 mcc, guint16 mnc, gint includes_pcs_digit);

/* mx-modem-scan.c */
void     mx_modem_scan_init          (MxModem *self);   /* Modem3gpp.Scan */

G_END_DECLS
