/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enable/Disable/SetPowerState (DMS operating mode) and registration of a
 * QMI modem. Registration follows NAS Serving System indications: one read
 * when enabling, then only what the modem reports (no polling). Signal
 * quality is mx-modem-signal.c's, told here when registration changes. */
#define G_LOG_DOMAIN "mx-modem"

#include <string.h>
#include "mx-modem-private.h"
#include "mx-modem-qmi-timeout.h"
#include "mx-core-step.h"

#define NAS_TIMEOUT_S 10

/* ------------------------------------------------------------------------ */
/* Pure mappings                                                            */

MMModemAccessTechnology
mx_modem_access_tech_from_radio (QmiNasRadioInterface radio)
{
  switch (radio) {
  case QMI_NAS_RADIO_INTERFACE_GSM:         return MM_MODEM_ACCESS_TECHNOLOGY_GSM;
  case QMI_NAS_RADIO_INTERFACE_UMTS:        return MM_MODEM_ACCESS_TECHNOLOGY_UMTS;
  case QMI_NAS_RADIO_INTERFACE_TD_SCDMA:    return MM_MODEM_ACCESS_TECHNOLOGY_UMTS;
  case QMI_NAS_RADIO_INTERFACE_LTE:         return MM_MODEM_ACCESS_TECHNOLOGY_LTE;
  case QMI_NAS_RADIO_INTERFACE_5GNR:        return MM_MODEM_ACCESS_TECHNOLOGY_5GNR;
  case QMI_NAS_RADIO_INTERFACE_CDMA_1X:     return MM_MODEM_ACCESS_TECHNOLOGY_1XRTT;
  case QMI_NAS_RADIO_INTERFACE_CDMA_1XEVDO: return MM_MODEM_ACCESS_TECHNOLOGY_EVDO0;
  default:                                  return MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN;
  }
}

guint
mx_modem_signal_quality_from_rssi (gint rssi_dbm)
{
  /* 3GPP TS 27.007 CSQ range: -113 dBm is 0 %, -51 dBm is 100 %; the
   * distance from the top is truncated, as ModemManager does (-65 dBm is
   * 78 % there), so that both show the same figure. */
  if (rssi_dbm >= 0)
    return 0;
  return 100 - (guint) ((-51 - CLAMP (rssi_dbm, -113, -51)) * 100 / 62);
}

gchar *
mx_modem_operator_code (guint16 mcc, guint16 mnc, gint includes_pcs_digit /* -1: unknown */)
{
  gboolean three;

  if (includes_pcs_digit >= 0)
    three = includes_pcs_digit;
  else
    three = mnc >= 100 || mcc == 302 || (mcc >= 310 && mcc <= 316);
  return three ? g_strdup_printf ("%03u%03u", mcc, mnc) : g_strdup_printf ("%03u%02u", mcc, mnc);
}

/* ------------------------------------------------------------------------ */
/* Registration                                                             */

typedef struct {
  QmiNasRegistrationState      reg;
  QmiNasAttachState            ps_attach;
  QmiNasRoamingIndicatorStatus roaming;
  gboolean                     have_roaming;
  GArray                      *radios;       /* borrowed */
  gboolean                     have_plmn;
  guint16                      mcc, mnc;
  gint                         pcs_digit;    /* -1 unknown */
  const gchar                 *description;  /* borrowed */
} ServingSystem;

static void
apply_serving_system (MxModem *self, const ServingSystem *ss)
{
  MMModem3gppRegistrationState reg3gpp;
  MMModemAccessTechnology act = MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN;
  g_autofree gchar *code = NULL;
  guint i;

  switch (ss->reg) {
  case QMI_NAS_REGISTRATION_STATE_REGISTERED:
    reg3gpp = (ss->have_roaming && ss->roaming == QMI_NAS_ROAMING_INDICATOR_STATUS_ON)
              ? MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING : MM_MODEM_3GPP_REGISTRATION_STATE_HOME;
    break;
  case QMI_NAS_REGISTRATION_STATE_NOT_REGISTERED_SEARCHING:
    reg3gpp = MM_MODEM_3GPP_REGISTRATION_STATE_SEARCHING; break;
  case QMI_NAS_REGISTRATION_STATE_REGISTRATION_DENIED:
    reg3gpp = MM_MODEM_3GPP_REGISTRATION_STATE_DENIED; break;
  case QMI_NAS_REGISTRATION_STATE_NOT_REGISTERED:
    reg3gpp = MM_MODEM_3GPP_REGISTRATION_STATE_IDLE; break;
  default:
    reg3gpp = MM_MODEM_3GPP_REGISTRATION_STATE_UNKNOWN; break;
  }
  for (i = 0; ss->radios && i < ss->radios->len; i++)
    act |= mx_modem_access_tech_from_radio (g_array_index (ss->radios, QmiNasRadioInterface, i));
  if (ss->have_plmn)
    code = mx_modem_operator_code (ss->mcc, ss->mnc, ss->pcs_digit);
  mx_modem_apply_registration (self, reg3gpp, code, ss->have_plmn ? ss->description : NULL, act,
                               ss->ps_attach == QMI_NAS_ATTACH_STATE_ATTACHED
                               ? MM_MODEM_3GPP_PACKET_SERVICE_STATE_ATTACHED
                               : ss->ps_attach == QMI_NAS_ATTACH_STATE_DETACHED
                               ? MM_MODEM_3GPP_PACKET_SERVICE_STATE_DETACHED
                               : MM_MODEM_3GPP_PACKET_SERVICE_STATE_UNKNOWN);
}

static void
serving_system_indication_cb (QmiClientNas *client, QmiIndicationNasServingSystemOutput *output, MxModem *self)
{
  ServingSystem ss = { .pcs_digit = -1 };
  guint16 mcc, mnc;
  gboolean pcs;

  if (!qmi_indication_nas_serving_system_output_get_serving_system (output, &ss.reg, NULL, &ss.ps_attach, NULL,
                                                                     &ss.radios, NULL))
    return;
  ss.have_roaming = qmi_indication_nas_serving_system_output_get_roaming_indicator (output, &ss.roaming, NULL);
  ss.have_plmn = qmi_indication_nas_serving_system_output_get_current_plmn (output, &ss.mcc, &ss.mnc,
                                                                            &ss.description, NULL);
  if (qmi_indication_nas_serving_system_output_get_mnc_pcs_digit_include_status (output, &mcc, &mnc, &pcs, NULL))
    ss.pcs_digit = pcs;
  g_debug ("NAS Serving System indication");
  apply_serving_system (self, &ss);
}

static void
event_report_indication_cb (QmiClientNas *client, QmiIndicationNasEventReportOutput *output, MxModem *self)
{
  gint8 strength;

  if (qmi_indication_nas_event_report_output_get_signal_strength (output, &strength, NULL, NULL))
    mx_modem_signal_set_quality (self, mx_modem_signal_quality_from_rssi (strength));
}

static void
disconnect_indications (MxModem *self)
{
  if (self->serving_system_id && self->nas)
    g_signal_handler_disconnect (self->nas, self->serving_system_id);
  if (self->event_report_id && self->nas)
    g_signal_handler_disconnect (self->nas, self->event_report_id);
  if (self->signal_info_id && self->nas)
    g_signal_handler_disconnect (self->nas, self->signal_info_id);
  self->serving_system_id = 0;
  self->event_report_id = 0;
  self->signal_info_id = 0;
  self->signal_info_registered = FALSE;
  self->signal_info_configured = FALSE;
  mx_modem_signal_set_reports (self, FALSE);
}

void
mx_modem_3gpp_teardown (MxModem *self)
{
  disconnect_indications (self);
  mx_modem_clear_registration (self);
}

/* ------------------------------------------------------------------------ */
/* Enable                                                                   */

/* Two steps: POWER_UP sends DMS Set Operating Mode (online), NAS Register
 * Indications (serving system, signal info), NAS Set Event Report and NAS
 * Config Signal Info together (none depends on another's answer:
 * indications can be registered in any operating mode); REGISTRATION
 * reads NAS Get Serving System once the modem is online. A step is done when
 * all its requests have answered. Only Set Operating Mode and Get Serving
 * System are fatal; the indication requests degrade (logged) unless the
 * enable was cut short. Every failure names the request(s) it cut: when the
 * port goes away (the modem's cancellable), all requests still in flight. */
typedef enum {
  ENABLE_STEP_POWER_UP,
  ENABLE_STEP_REGISTRATION,
  ENABLE_STEP_DONE,
} EnableStep;

typedef enum {
  ENABLE_REQ_ONLINE,
  ENABLE_REQ_REGISTER_INDICATIONS,
  ENABLE_REQ_EVENT_REPORT,
  ENABLE_REQ_CONFIG_SIGNAL_INFO,
  ENABLE_REQ_SERVING_SYSTEM,
  ENABLE_N_REQS,
} EnableRequest;

static const gchar *const enable_request_names[] = {
  "DMS Set Operating Mode (online)", "NAS Register Indications", "NAS Set Event Report",
  "NAS Config Signal Info", "NAS Get Serving System", "done",
};
MX_STEP_NAMES_CHECK (enable_request_names, ENABLE_N_REQS);

typedef struct {
  EnableStep step;
  guint      in_flight;   /* bit per EnableRequest */
  guint      cut;         /* requests cancelled in flight */
  GError    *error;       /* the step's first fatal error, named */
} EnableCtx;

static void
enable_ctx_free (EnableCtx *ctx)
{
  g_clear_error (&ctx->error);
  g_free (ctx);
}

static void enable_step (GTask *task);

static void
enable_failed (GTask *task, GError *error)
{
  MxModem *self = g_task_get_source_object (task);

  self->enabling_or_disabling = FALSE;
  disconnect_indications (self);
  g_message ("modem %s: enabling failed: %s", self->path ? self->path : "", error->message);
  if (!self->removed)
    mx_modem_set_state (self, MM_MODEM_STATE_DISABLED, MM_MODEM_STATE_CHANGE_REASON_FAILURE);
  if (error->domain != MM_CORE_ERROR && error->domain != MM_MOBILE_EQUIPMENT_ERROR) {
    /* A QMI or GIO error is not one of ModemManager's D-Bus errors: wrap it,
     * keeping the message that names the request. */
    GError *mm = g_error_new (MM_CORE_ERROR,
                              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? MM_CORE_ERROR_CANCELLED : MM_CORE_ERROR_FAILED,
                              "Cannot enable modem: %s", error->message);
    g_error_free (error);
    error = mm;
  }
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* "A, B failed: Operation was cancelled (the modem went away)": every
 * request the cancellation cut, in order. */
static GError *
cut_error (MxModem *self, guint cut)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < ENABLE_N_REQS; i++)
    if (cut & (1u << i))
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", enable_request_names[i]);
  return g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s failed: Operation was cancelled (%s)",
                      names->str, self->removed ? "the modem went away" : "enable cut short");
}

/* One request of the current step answered; error: NULL when it succeeded
 * or degraded, else the request's error (taken). */
static void
enable_request_done (GTask *task, EnableRequest req, GError *error)
{
  MxModem *self = g_task_get_source_object (task);
  EnableCtx *ctx = g_task_get_task_data (task);

  ctx->in_flight &= ~(1u << req);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    ctx->cut |= 1u << req;
    g_clear_error (&error);
  } else if (error) {
    mx_step_prefix_error (&error, enable_request_names[req]);
    if (!ctx->error)
      ctx->error = error;
    else
      g_error_free (error);
  }
  if (ctx->in_flight)
    return;
  if (ctx->error)
    enable_failed (task, g_steal_pointer (&ctx->error));
  else if (ctx->cut)
    enable_failed (task, cut_error (self, ctx->cut));
  else {
    ctx->step++;
    enable_step (task);
  }
}

static void
set_online_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageDmsSetOperatingModeOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_dms_set_operating_mode_finish (QMI_CLIENT_DMS (source), res, &error);
  if (output && !qmi_message_dms_set_operating_mode_output_get_result (output, &error) &&
      g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_EFFECT))
    g_clear_error (&error);   /* already online */
  if (!error)
    mm_gdbus_modem_set_power_state (self->modem, MM_MODEM_POWER_STATE_ON);
  enable_request_done (task, ENABLE_REQ_ONLINE, error);
}

static void
register_indications_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageNasRegisterIndicationsOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_nas_register_indications_finish (QMI_CLIENT_NAS (source), res, &error);
  if ((!output || !qmi_message_nas_register_indications_output_get_result (output, &error)) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    /* Registration then only changes with what we read ourselves. */
    g_warning ("NAS Register Indications failed: %s; registration changes will not be seen",
               error->message);
    g_clear_error (&error);
  } else if (!error) {
    self->signal_info_registered = TRUE;
    mx_modem_signal_set_reports (self, self->signal_info_configured);
  }
  enable_request_done (task, ENABLE_REQ_REGISTER_INDICATIONS, error);
}

static void
event_report_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(QmiMessageNasSetEventReportOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_nas_set_event_report_finish (QMI_CLIENT_NAS (source), res, &error);
  if ((!output || !qmi_message_nas_set_event_report_output_get_result (output, &error)) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_debug ("NAS Set Event Report failed: %s; signal quality from the 30 s reads only", error->message);
    g_clear_error (&error);
  }
  enable_request_done (task, ENABLE_REQ_EVENT_REPORT, error);
}

/* Signal Info indications are on once both Config Signal Info and their
 * registration succeeded; without them the signal is polled. */
static void
config_signal_info_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageNasConfigSignalInfoOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_nas_config_signal_info_finish (QMI_CLIENT_NAS (source), res, &error);
  if ((!output || !qmi_message_nas_config_signal_info_output_get_result (output, &error)) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_debug ("NAS Config Signal Info failed: %s; signal quality read every 30 s", error->message);
    g_clear_error (&error);
  } else if (!error) {
    self->signal_info_configured = TRUE;
    mx_modem_signal_set_reports (self, self->signal_info_registered);
  }
  enable_request_done (task, ENABLE_REQ_CONFIG_SIGNAL_INFO, error);
}

static void
get_serving_system_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageNasGetServingSystemOutput) output = NULL;
  ServingSystem ss = { .pcs_digit = -1 };
  GError *error = NULL;
  guint16 mcc, mnc;
  gboolean pcs;

  output = qmi_client_nas_get_serving_system_finish (QMI_CLIENT_NAS (source), res, &error);
  if (!output || !qmi_message_nas_get_serving_system_output_get_result (output, &error) ||
      !qmi_message_nas_get_serving_system_output_get_serving_system (output, &ss.reg, NULL, &ss.ps_attach, NULL,
                                                                      &ss.radios, &error)) {
    enable_request_done (task, ENABLE_REQ_SERVING_SYSTEM, error);
    return;
  }
  ss.have_roaming = qmi_message_nas_get_serving_system_output_get_roaming_indicator (output, &ss.roaming, NULL);
  ss.have_plmn = qmi_message_nas_get_serving_system_output_get_current_plmn (output, &ss.mcc, &ss.mnc,
                                                                             &ss.description, NULL);
  if (qmi_message_nas_get_serving_system_output_get_mnc_pcs_digit_include_status (output, &mcc, &mnc, &pcs, NULL))
    ss.pcs_digit = pcs;
  apply_serving_system (self, &ss);
  enable_request_done (task, ENABLE_REQ_SERVING_SYSTEM, NULL);
}

static void
enable_power_up (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  EnableCtx *ctx = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(QmiMessageDmsSetOperatingModeInput) online = qmi_message_dms_set_operating_mode_input_new ();
  g_autoptr(QmiMessageNasRegisterIndicationsInput) indications = qmi_message_nas_register_indications_input_new ();
  g_autoptr(QmiMessageNasSetEventReportInput) report = qmi_message_nas_set_event_report_input_new ();
  g_autoptr(QmiMessageNasConfigSignalInfoInput) config = qmi_message_nas_config_signal_info_input_new ();
  /* RSSI thresholds (dBm) of both reports; RSRP (dBm) of Signal Info: the
   * LTE coverage steps (excellent > -80, good, fair, poor < -110). */
  static const gint8 thresholds[] = { -105, -95, -85, -75, -65 };
  static const gint16 rsrp_thresholds[] = { -110, -100, -90, -80 };
  g_autoptr(GArray) array = g_array_sized_new (FALSE, FALSE, 1, G_N_ELEMENTS (thresholds));
  g_autoptr(GArray) rsrp = g_array_sized_new (FALSE, FALSE, 2, G_N_ELEMENTS (rsrp_thresholds));

  ctx->in_flight = (1u << ENABLE_REQ_ONLINE) | (1u << ENABLE_REQ_REGISTER_INDICATIONS) |
                   (1u << ENABLE_REQ_EVENT_REPORT) | (1u << ENABLE_REQ_CONFIG_SIGNAL_INFO);
  qmi_message_dms_set_operating_mode_input_set_mode (online, QMI_DMS_OPERATING_MODE_ONLINE, NULL);
  qmi_client_dms_set_operating_mode (self->dms, online, mx_qmi_timeout (NAS_TIMEOUT_S),
                                     cancellable, set_online_ready, task);

  if (!self->serving_system_id)
    self->serving_system_id = g_signal_connect (self->nas, "serving-system",
                                                G_CALLBACK (serving_system_indication_cb), self);
  if (!self->event_report_id)
    self->event_report_id = g_signal_connect (self->nas, "event-report",
                                              G_CALLBACK (event_report_indication_cb), self);
  if (!self->signal_info_id)
    self->signal_info_id = g_signal_connect (self->nas, "signal-info",
                                             G_CALLBACK (mx_modem_signal_info_indication), self);
  qmi_message_nas_register_indications_input_set_serving_system_events (indications, TRUE, NULL);
  qmi_message_nas_register_indications_input_set_signal_info (indications, TRUE, NULL);
  qmi_client_nas_register_indications (self->nas, indications, mx_qmi_timeout (NAS_TIMEOUT_S), cancellable,
                                       register_indications_ready, task);

  g_array_append_vals (array, thresholds, G_N_ELEMENTS (thresholds));
  qmi_message_nas_set_event_report_input_set_signal_strength_indicator (report, TRUE, array, NULL);
  qmi_client_nas_set_event_report (self->nas, report, mx_qmi_timeout (NAS_TIMEOUT_S),
                                   cancellable, event_report_ready, task);

  g_array_append_vals (rsrp, rsrp_thresholds, G_N_ELEMENTS (rsrp_thresholds));
  qmi_message_nas_config_signal_info_input_set_rssi_threshold (config, array, NULL);
  qmi_message_nas_config_signal_info_input_set_rsrp_threshold (config, rsrp, NULL);
  qmi_client_nas_config_signal_info (self->nas, config, mx_qmi_timeout (NAS_TIMEOUT_S),
                                     cancellable, config_signal_info_ready, task);
}

static void
enable_step (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  EnableCtx *ctx = g_task_get_task_data (task);

  switch (ctx->step) {
  case ENABLE_STEP_POWER_UP:
    enable_power_up (task);
    return;
  case ENABLE_STEP_REGISTRATION:
    /* State ENABLED first, so that apply_serving_system() moves on from it. */
    self->enabling_or_disabling = FALSE;
    mx_modem_set_state (self, MM_MODEM_STATE_ENABLED, MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
    ctx->in_flight = 1u << ENABLE_REQ_SERVING_SYSTEM;
    qmi_client_nas_get_serving_system (self->nas, NULL, mx_qmi_timeout (NAS_TIMEOUT_S),
                                       g_task_get_cancellable (task), get_serving_system_ready, task);
    return;
  case ENABLE_STEP_DONE:
  default:
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
}

void
mx_modem_3gpp_enable (MxModem *self, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!mx_modem_begin_change (self, MX_MODEM_CHANGE_ENABLE, 0, task))
    return;
  /* The error names the request even when the modem's cancellable cut it
   * (a port hang-up): GTask must not replace it with a bare "cancelled". */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_new0 (EnableCtx, 1), (GDestroyNotify) enable_ctx_free);
  enable_step (task);
}

gboolean
mx_modem_3gpp_enable_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* Disable and power state                                                  */

static void
set_mode_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  MMModemPowerState power = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(QmiMessageDmsSetOperatingModeOutput) output = NULL;
  GError *error = NULL;
  gboolean disabling = self->enabling_or_disabling;

  output = qmi_client_dms_set_operating_mode_finish (QMI_CLIENT_DMS (source), res, &error);
  if (output && !qmi_message_dms_set_operating_mode_output_get_result (output, &error) &&
      g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_EFFECT))
    g_clear_error (&error);
  if (error) {
    g_prefix_error (&error, "DMS Set Operating Mode: ");
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      GError *mm = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "%s", error->message);
      g_error_free (error);
      error = mm;
    }
  }
  mx_modem_end_power_change (self, task, power, disabling, error);
}

static void
set_mode (MxModem *self, GTask *task, QmiDmsOperatingMode mode, MMModemPowerState power)
{
  g_autoptr(QmiMessageDmsSetOperatingModeInput) input = qmi_message_dms_set_operating_mode_input_new ();

  g_task_set_task_data (task, GUINT_TO_POINTER (power), NULL);
  qmi_message_dms_set_operating_mode_input_set_mode (input, mode, NULL);
  qmi_client_dms_set_operating_mode (self->dms, input, mx_qmi_timeout (NAS_TIMEOUT_S),
                                     g_task_get_cancellable (task), set_mode_ready, task);
}

static void
unregister_indications_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageNasRegisterIndicationsOutput) output = NULL;
  g_autoptr(GError) error = NULL;

  output = qmi_client_nas_register_indications_finish (QMI_CLIENT_NAS (source), res, &error);
  if (!output || !qmi_message_nas_register_indications_output_get_result (output, &error))
    g_debug ("NAS Register Indications (off) failed: %s", error->message);
  if (g_task_return_error_if_cancelled (task)) {
    self->enabling_or_disabling = FALSE;
    g_object_unref (task);
    return;
  }
  set_mode (self, task, QMI_DMS_OPERATING_MODE_LOW_POWER, MM_MODEM_POWER_STATE_LOW);
}

static void
disable_unregister (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageNasRegisterIndicationsInput) input = qmi_message_nas_register_indications_input_new ();

  disconnect_indications (self);
  mx_modem_clear_registration (self);
  qmi_message_nas_register_indications_input_set_serving_system_events (input, FALSE, NULL);
  qmi_message_nas_register_indications_input_set_signal_info (input, FALSE, NULL);
  qmi_client_nas_register_indications (self->nas, input, mx_qmi_timeout (NAS_TIMEOUT_S),
                                       g_task_get_cancellable (task), unregister_indications_ready, task);
}

static void
bearers_disconnected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = MX_MODEM (source);
  g_autoptr(GError) error = NULL;

  if (!mx_modem_disconnect_bearers_finish (self, res, &error))
    g_warning ("modem %s: disconnecting bearers before disable: %s", self->path ? self->path : "",
               error->message);
  if (g_task_return_error_if_cancelled (task)) {
    self->enabling_or_disabling = FALSE;
    g_object_unref (task);
    return;
  }
  disable_unregister (task);
}

void
mx_modem_3gpp_disable (MxModem *self, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!mx_modem_begin_change (self, MX_MODEM_CHANGE_DISABLE, 0, task))
    return;
  /* Bearers go first, as in ModemManager: no session survives low-power. */
  mx_modem_disconnect_bearers (self, g_task_get_cancellable (task), bearers_disconnected, task);
}

gboolean
mx_modem_3gpp_disable_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

void
mx_modem_3gpp_set_power (MxModem *self, MMModemPowerState power, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  QmiDmsOperatingMode mode;

  if (!mx_modem_begin_change (self, MX_MODEM_CHANGE_POWER, power, task))
    return;
  switch (power) {
  case MM_MODEM_POWER_STATE_LOW: mode = QMI_DMS_OPERATING_MODE_LOW_POWER; break;
  case MM_MODEM_POWER_STATE_OFF: mode = QMI_DMS_OPERATING_MODE_OFFLINE; break;
  case MM_MODEM_POWER_STATE_ON:
  default:                       mode = QMI_DMS_OPERATING_MODE_ONLINE; break;
  }
  set_mode (self, task, mode, power);
}

gboolean
mx_modem_3gpp_set_power_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* SetPacketServiceState: NAS Attach Detach; the Serving System indication
 * that follows updates PacketServiceState.                                 */

static void
attach_detach_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  MxModem *self = g_object_get_data (G_OBJECT (invocation), "mx-modem");
  guint32 state = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (invocation), "mx-ps-state"));
  g_autoptr(QmiMessageNasAttachDetachOutput) output = NULL;
  g_autoptr(GError) error = NULL;

  output = qmi_client_nas_attach_detach_finish (QMI_CLIENT_NAS (source), res, &error);
  if (output && !qmi_message_nas_attach_detach_output_get_result (output, &error) &&
      g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_EFFECT))
    g_clear_error (&error);   /* already in that state */
  if (error)
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                           "Cannot set the packet service state: NAS Attach Detach: %s",
                                           error->message);
  else {
    mm_gdbus_modem3gpp_set_packet_service_state (self->modem_3gpp, state);
    mm_gdbus_modem3gpp_complete_set_packet_service_state (self->modem_3gpp, invocation);
  }
  g_object_unref (invocation);
}

static void
do_set_packet_service_state (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  guint32 state = g_variant_get_uint32 (args);
  g_autoptr(QmiMessageNasAttachDetachInput) input = NULL;

  if (state != MM_MODEM_3GPP_PACKET_SERVICE_STATE_ATTACHED && state != MM_MODEM_3GPP_PACKET_SERVICE_STATE_DETACHED) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                                           "Packet service state must be attached or detached");
    return;
  }
  if (!self->nas || mx_modem_get_state (self) < MM_MODEM_STATE_ENABLED) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                           "Cannot set the packet service state: the modem is not enabled");
    return;
  }
  input = qmi_message_nas_attach_detach_input_new ();
  qmi_message_nas_attach_detach_input_set_action (input, state == MM_MODEM_3GPP_PACKET_SERVICE_STATE_ATTACHED
                                                         ? QMI_NAS_PS_ATTACH_ACTION_ATTACH
                                                         : QMI_NAS_PS_ATTACH_ACTION_DETACH, NULL);
  g_object_set_data_full (G_OBJECT (invocation), "mx-modem", g_object_ref (self), g_object_unref);
  g_object_set_data (G_OBJECT (invocation), "mx-ps-state", GUINT_TO_POINTER (state));
  qmi_client_nas_attach_detach (self->nas, input, mx_qmi_timeout (NAS_TIMEOUT_S), self->cancellable,
                                attach_detach_ready, g_object_ref (invocation));
}

static gboolean
handle_set_packet_service_state (MmGdbusModem3gpp *skeleton, GDBusMethodInvocation *invocation, guint state,
                                 MxModem *self)
{
  mx_modem_run_authorized (self, invocation, g_variant_new_uint32 (state), do_set_packet_service_state);
  return TRUE;
}

void
mx_modem_3gpp_init (MxModem *self)
{
  g_signal_connect (self->modem_3gpp, "handle-set-packet-service-state",
                    G_CALLBACK (handle_set_packet_service_state), self);
}
