/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MxModem internals shared by its files: mx-modem.c (object, D-Bus, state),
 * mx-modem-qmi-init.c (initialization), mx-modem-3gpp.c (enable/disable,
 * registration), mx-modem-signal.c (signal quality, Signal interface),
 * mx-modem-bands.c (bands and modes). Not for other components. */
#pragma once

#include "mx-modem.h"
#include "mx-modem-sim.h"

G_BEGIN_DECLS

/* What differs between control protocols; everything above (D-Bus objects,
 * states, SIM object, bearer list) is MxModem's. Each async pair follows
 * the GIO convention; the modem is the source object. */
typedef struct {
  const gchar *name;                                   /* "QMI", "MBIM" */
  /* Opens the control port and loads identity and SIM state; completes
   * @task (a boolean task of the modem) once the modem can be exported. */
  void     (*init_run)      (MxModem *self, GTask *task);
  /* What needs an unlocked SIM (SIM identity, own numbers). */
  void     (*load_sim_data) (MxModem *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*load_sim_data_finish) (MxModem *self, GAsyncResult *res, GError **error);
  void     (*enable)        (MxModem *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*enable_finish) (MxModem *self, GAsyncResult *res, GError **error);
  void     (*disable)       (MxModem *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*disable_finish) (MxModem *self, GAsyncResult *res, GError **error);
  void     (*set_power)     (MxModem *self, MMModemPowerState power, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*set_power_finish) (MxModem *self, GAsyncResult *res, GError **error);
  /* Drops indication handlers and registration (removal, SIM gone). */
  void     (*teardown)      (MxModem *self);
  /* Closes the control port (removal); the modem is not used afterwards. */
  void     (*close)         (MxModem *self);
} MxModemBackend;

extern const MxModemBackend mx_modem_qmi_backend;   /* mx-modem-qmi.c */
extern const MxModemBackend mx_modem_mbim_backend;  /* mx-modem-mbim.c */

struct _MxModem {
  GObject                parent;
  MxManager             *manager;
  MxModemConfig         *config;
  gchar                 *path;
  const MxModemBackend  *backend;        /* the control protocol's (QMI or MBIM) */
  MxQmiPort             *port;           /* QMI only */
  gulong                 port_removed_id;
  MbimDevice            *mbim;           /* MBIM only: opened through mbim-proxy */
  gulong                 mbim_removed_id;
  gulong                 mbim_indication_id;
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
  gboolean               signal_reading;     /* registered: first read done or under way */
  gboolean               signal_reports;     /* NAS Signal Info indications on: no poll */
  gulong                 signal_info_id;     /* "signal-info" handler on nas */
  gboolean               signal_info_registered; /* Register Indications (signal info) answered */
  gboolean               signal_info_configured; /* Config Signal Info answered */

  /* Bands and modes (mx-modem-bands.c) */
  guint32                supported_modes_mask; /* MMModemMode from DMS Get Capabilities */
  gboolean               ssp_extended_lte;     /* Get SSP has the extended LTE band mask */
};

/* mx-modem.c */
/* The control port went away: emits "removed" (the registry removes us). */
void     mx_modem_control_gone (MxModem *self, const gchar *port_name);
/* Called by the init code once identity is known. */
void     mx_modem_set_identity (MxModem *self, const gchar *manufacturer, const gchar *model,
                                const gchar *revision, const gchar *hardware_revision,
                                const gchar *imei);
void     mx_modem_complete_unlocked_init (MxModem *self);

/* Registration from either protocol: Modem3gpp properties (operator only
 * while registered), access technologies, PacketServiceState, and the modem
 * state while enabled (REGISTERED/SEARCHING/ENABLED; CONNECTED stays). */
void     mx_modem_apply_registration (MxModem *self, MMModem3gppRegistrationState reg,
                                      const gchar *operator_code, const gchar *operator_name,
                                      MMModemAccessTechnology act, MMModem3gppPacketServiceState ps);
/* Registration, operator and signal back to "not registered". */
void     mx_modem_clear_registration (MxModem *self);
/* Enable/Disable/SetPowerState allowed now? Else completes @task with
 * Core.InProgress/WrongState naming why (and unrefs it). */
gboolean mx_modem_check_not_busy     (MxModem *self, GTask *task);
/* The protocol-neutral start of Enable, Disable and SetPowerState, before
 * a backend sends anything: FALSE when @task is already complete (nothing
 * to do, busy, enabled for SetPowerState, an invalid @power); else the
 * modem is marked enabling/disabling (Enable, Disable) and publishes
 * ENABLING/DISABLING, and the backend goes on. @power: SetPowerState only. */
typedef enum { MX_MODEM_CHANGE_ENABLE, MX_MODEM_CHANGE_DISABLE, MX_MODEM_CHANGE_POWER } MxModemChange;
gboolean mx_modem_begin_change       (MxModem *self, MxModemChange change, MMModemPowerState power,
                                      GTask *task);
/* The protocol-neutral end of Disable and SetPowerState, once the backend's
 * power request answered (@error: its failure, already a D-Bus error;
 * taken): publishes @power and DISABLED (a failed Disable also falls back to
 * DISABLED), completes @task. @disabling: the change was a Disable. */
void     mx_modem_end_power_change   (MxModem *self, GTask *task, MMModemPowerState power,
                                      gboolean disabling, GError *error);
/* Found without SIM card: FAILED / sim-missing, no SIM object. */
void     mx_modem_set_sim_missing    (MxModem *self);

/* Runs @func after polkit allowed the caller (Device.Control); errors are
 * answered on @invocation. @args may be NULL. */
typedef void (*MxModemAuthorizedFunc) (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args);
void     mx_modem_run_authorized (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args,
                                  MxModemAuthorizedFunc func);

/* Through the bearer list (at once TRUE without one). */
void     mx_modem_disconnect_bearers        (MxModem *self, GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_disconnect_bearers_finish (MxModem *self, GAsyncResult *res, GError **error);

/* mx-modem-qmi.c: the QMI backend's port (mx_modem_new). */
void     mx_modem_qmi_create_port    (MxModem *self);

/* mx-modem-qmi-init.c: runs the whole initialization; completes the task
 * with TRUE once the modem can be exported (LOCKED or DISABLED). */
void     mx_modem_qmi_init_run       (MxModem *self, GTask *task);
/* Reloads what needs an unlocked SIM (SIM identity, own numbers). */
void     mx_modem_qmi_load_sim_data  (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_qmi_load_sim_data_finish (MxModem *self, GAsyncResult *res, GError **error);

/* mx-modem-mbim-3gpp.c: the MBIM backend's Enable/Disable/SetPowerState
 * (Radio State), registration (Register State, Packet Service) and signal
 * (Signal State), read once when enabling, then from indications. */
void     mx_modem_mbim_3gpp_enable   (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
void     mx_modem_mbim_3gpp_disable  (MxModem *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
void     mx_modem_mbim_3gpp_set_power (MxModem *self, MMModemPowerState power, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean mx_modem_mbim_3gpp_finish   (MxModem *self, GAsyncResult *res, GError **error);
void     mx_modem_mbim_3gpp_teardown (MxModem *self);
/* A Basic Connect indication (register state, packet service, signal, radio). */
void     mx_modem_mbim_3gpp_indication (MxModem *self, MbimMessage *message);
/* mx-modem-mbim.c: methods that need QMI services answer Unsupported; the
 * Signal and ProfileManager interfaces are not offered (mx_modem_new). */
void     mx_modem_mbim_setup_interfaces (MxModem *self);
/* Pure MBIM mappings (tests): Register State → 3GPP registration; data
 * classes → access technologies; Signal State RSSI (0..31, 99) → quality
 * percent, -1 when unknown. */
MMModem3gppRegistrationState mx_modem_registration_from_mbim (MbimRegisterState state);
MMModemAccessTechnology      mx_modem_access_tech_from_mbim (MbimDataClass data_class);
gint                         mx_modem_signal_quality_from_mbim_rssi (guint32 rssi);
/* Device Caps data classes: Current/SupportedCapabilities, SupportedModes. */
void     mx_modem_mbim_set_capabilities (MxModem *self, MbimDataClass data_class);

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
/* A quality from an indication or a read: recent (for 60 s without Signal Info indications). */
void     mx_modem_signal_set_quality (MxModem *self, guint quality);
void     mx_modem_signal_stop        (MxModem *self);   /* timers, read in flight, values */
/* Signal Info indications on (Config Signal Info and their registration
 * succeeded) or off: no poll while on, unless Signal.Setup asked for one. */
void     mx_modem_signal_set_reports (MxModem *self, gboolean on);
void     mx_modem_signal_info_indication (QmiClientNas *client, QmiIndicationNasSignalInfoOutput *output,
                                          MxModem *self);

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
