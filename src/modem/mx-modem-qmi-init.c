/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Initialization of a QMI modem: open the control port, allocate the shared
 * DMS/NAS/UIM clients, load identity and capabilities, read the SIM lock and
 * (when unlocked) the SIM's identity. Nothing is exported until this has
 * succeeded, so a port that never answers leaves no half-created modem. */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"
#include "mx-core-log.h"
#include "mx-core-step.h"
#include "mx-modem-qmi-timeout.h"

#define INIT_TIMEOUT_S 5

typedef enum {
  STEP_OPEN,
  STEP_CLIENT_DMS,
  STEP_CLIENT_NAS,
  STEP_CLIENT_UIM,
  STEP_MANUFACTURER,
  STEP_MODEL,
  STEP_REVISION,
  STEP_HARDWARE_REVISION,
  STEP_IDS,
  STEP_CAPABILITIES,
  STEP_BANDS,
  STEP_OPERATING_MODE,
  STEP_SIM_LOCK,
  STEP_SIM_DATA,
  STEP_DONE,
} InitStep;

static const gchar *const step_names[] = {
  "open control port", "allocate DMS client", "allocate NAS client", "allocate UIM client",
  "DMS Get Manufacturer", "DMS Get Model", "DMS Get Revision", "DMS Get Hardware Revision",
  "DMS Get IDs", "DMS Get Capabilities", "bands and modes", "DMS Get Operating Mode", "SIM lock state",
  "SIM data", "done",
};
MX_STEP_NAMES_CHECK (step_names, STEP_DONE);

typedef struct {
  InitStep step;
  gchar   *manufacturer;
  gchar   *model;
  gchar   *revision;
  gchar   *hardware_revision;
  gchar   *imei;
} InitContext;

static void
init_context_free (InitContext *ctx)
{
  g_free (ctx->manufacturer);
  g_free (ctx->model);
  g_free (ctx->revision);
  g_free (ctx->hardware_revision);
  g_free (ctx->imei);
  g_free (ctx);
}

static void init_step (GTask *task);

static void
init_next (GTask *task)
{
  InitContext *ctx = g_task_get_task_data (task);

  ctx->step++;
  init_step (task);
}

static gboolean
step_is_optional (InitStep step)
{
  /* Identity items are nice to have (ModemManager shows "--" without them);
   * a modem is usable without any of them. */
  return step == STEP_CLIENT_UIM || step == STEP_MANUFACTURER || step == STEP_MODEL ||
         step == STEP_REVISION || step == STEP_HARDWARE_REVISION || step == STEP_IDS ||
         step == STEP_CAPABILITIES || step == STEP_BANDS || step == STEP_OPERATING_MODE;
}

/* A failed step: fatal for required steps, for cancellation, and for a
 * timeout (a modem that stopped answering); otherwise logged and skipped. */
static void
init_failed (GTask *task, GError *error)
{
  InitContext *ctx = g_task_get_task_data (task);
  MxModem *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task)) {
    g_error_free (error);
    g_object_unref (task);
    return;
  }
  if (step_is_optional (ctx->step) && !g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT)) {
    g_debug ("modem on %s: %s failed (skipped): %s", self->config->control_port,
             MX_STEP_NAME (step_names, ctx->step), error->message);
    g_error_free (error);
    init_next (task);
    return;
  }
  mx_step_prefix_error (&error, MX_STEP_NAME (step_names, ctx->step));
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
open_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!mx_qmi_port_open_finish (MX_QMI_PORT (source), res, &error)) {
    init_failed (task, error);
    return;
  }
  init_next (task);
}

static void
client_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  InitContext *ctx = g_task_get_task_data (task);
  GError *error = NULL;
  QmiClient *client;

  client = mx_qmi_port_get_client_finish (MX_QMI_PORT (source), res, &error);
  if (!client) {
    init_failed (task, error);
    return;
  }
  /* Borrowed: the port keeps shared clients until it closes. */
  switch (ctx->step) {
  case STEP_CLIENT_DMS: self->dms = QMI_CLIENT_DMS (client); break;
  case STEP_CLIENT_NAS: self->nas = QMI_CLIENT_NAS (client); break;
  case STEP_CLIENT_UIM: self->uim = QMI_CLIENT_UIM (client); break;
  default: g_assert_not_reached ();
  }
  g_object_unref (client);
  init_next (task);
}

/* One callback per DMS string getter: the output types differ but all have
 * get_result and one string field. */
#define DEFINE_DMS_STRING_READY(fn, Out, out_prefix, out_field, ctx_field)          \
static void                                                                          \
fn##_ready (GObject *source, GAsyncResult *res, gpointer user_data)                  \
{                                                                                    \
  GTask *task = user_data;                                                           \
  InitContext *ctx = g_task_get_task_data (task);                                    \
  g_autoptr(Out) output = NULL;                                                      \
  GError *error = NULL;                                                              \
  const gchar *value = NULL;                                                         \
                                                                                     \
  output = qmi_client_dms_##fn##_finish (QMI_CLIENT_DMS (source), res, &error);      \
  if (!output || !out_prefix##_result (output, &error) ||                            \
      !out_prefix##_##out_field (output, &value, &error)) {                          \
    init_failed (task, error);                                                       \
    return;                                                                          \
  }                                                                                  \
  ctx->ctx_field = g_strdup (value);                                                 \
  init_next (task);                                                                  \
}

DEFINE_DMS_STRING_READY (get_manufacturer, QmiMessageDmsGetManufacturerOutput,
                         qmi_message_dms_get_manufacturer_output_get, manufacturer, manufacturer)
DEFINE_DMS_STRING_READY (get_model, QmiMessageDmsGetModelOutput,
                         qmi_message_dms_get_model_output_get, model, model)
DEFINE_DMS_STRING_READY (get_revision, QmiMessageDmsGetRevisionOutput,
                         qmi_message_dms_get_revision_output_get, revision, revision)
DEFINE_DMS_STRING_READY (get_hardware_revision, QmiMessageDmsGetHardwareRevisionOutput,
                         qmi_message_dms_get_hardware_revision_output_get, revision, hardware_revision)

static void
get_ids_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  InitContext *ctx = g_task_get_task_data (task);
  g_autoptr(QmiMessageDmsGetIdsOutput) output = NULL;
  GError *error = NULL;
  const gchar *imei = NULL;

  output = qmi_client_dms_get_ids_finish (QMI_CLIENT_DMS (source), res, &error);
  if (!output || !qmi_message_dms_get_ids_output_get_result (output, &error)) {
    init_failed (task, error);
    return;
  }
  /* A modem without IMEI (CDMA-only) still has a result. */
  if (qmi_message_dms_get_ids_output_get_imei (output, &imei, NULL) && imei && *imei)
    ctx->imei = g_strdup (imei);
  init_next (task);
}

static void
get_capabilities_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageDmsGetCapabilitiesOutput) output = NULL;
  GError *error = NULL;
  GArray *radios = NULL;
  MMModemCapability caps = MM_MODEM_CAPABILITY_NONE;
  MMModemMode modes = MM_MODEM_MODE_NONE;
  guint i;

  output = qmi_client_dms_get_capabilities_finish (QMI_CLIENT_DMS (source), res, &error);
  if (!output || !qmi_message_dms_get_capabilities_output_get_result (output, &error) ||
      !qmi_message_dms_get_capabilities_output_get_info (output, NULL, NULL, NULL, NULL, &radios, &error)) {
    init_failed (task, error);
    return;
  }
  for (i = 0; i < radios->len; i++) {
    switch (g_array_index (radios, QmiDmsRadioInterface, i)) {
    case QMI_DMS_RADIO_INTERFACE_GSM:  caps |= MM_MODEM_CAPABILITY_GSM_UMTS; modes |= MM_MODEM_MODE_2G; break;
    case QMI_DMS_RADIO_INTERFACE_UMTS: caps |= MM_MODEM_CAPABILITY_GSM_UMTS; modes |= MM_MODEM_MODE_3G; break;
    case QMI_DMS_RADIO_INTERFACE_TDS:  caps |= MM_MODEM_CAPABILITY_TDS; modes |= MM_MODEM_MODE_3G; break;
    case QMI_DMS_RADIO_INTERFACE_LTE:  caps |= MM_MODEM_CAPABILITY_LTE; modes |= MM_MODEM_MODE_4G; break;
    case QMI_DMS_RADIO_INTERFACE_5GNR: caps |= MM_MODEM_CAPABILITY_5GNR; modes |= MM_MODEM_MODE_5G; break;
    case QMI_DMS_RADIO_INTERFACE_CDMA20001X:
    case QMI_DMS_RADIO_INTERFACE_EVDO: caps |= MM_MODEM_CAPABILITY_CDMA_EVDO; modes |= MM_MODEM_MODE_3G; break;
    default: break;
    }
  }
  mm_gdbus_modem_set_current_capabilities (self->modem, caps);
  mm_gdbus_modem_set_supported_capabilities (self->modem, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32,
                                                                                     &caps, 1, sizeof (guint32)));
  mx_modem_bands_set_supported_modes (self, modes);
  init_next (task);
}

static void
bands_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!mx_modem_bands_load_finish (MX_MODEM (source), res, &error)) {
    init_failed (task, error);
    return;
  }
  init_next (task);
}

static void
get_operating_mode_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageDmsGetOperatingModeOutput) output = NULL;
  GError *error = NULL;
  QmiDmsOperatingMode mode = QMI_DMS_OPERATING_MODE_UNKNOWN;
  MMModemPowerState power;

  output = qmi_client_dms_get_operating_mode_finish (QMI_CLIENT_DMS (source), res, &error);
  if (!output || !qmi_message_dms_get_operating_mode_output_get_result (output, &error) ||
      !qmi_message_dms_get_operating_mode_output_get_mode (output, &mode, &error)) {
    init_failed (task, error);
    return;
  }
  switch (mode) {
  case QMI_DMS_OPERATING_MODE_ONLINE:   power = MM_MODEM_POWER_STATE_ON; break;
  case QMI_DMS_OPERATING_MODE_OFFLINE:
  case QMI_DMS_OPERATING_MODE_SHUTTING_DOWN: power = MM_MODEM_POWER_STATE_OFF; break;
  case QMI_DMS_OPERATING_MODE_LOW_POWER:
  case QMI_DMS_OPERATING_MODE_PERSISTENT_LOW_POWER:
  case QMI_DMS_OPERATING_MODE_MODE_ONLY_LOW_POWER: power = MM_MODEM_POWER_STATE_LOW; break;
  default:                              power = MM_MODEM_POWER_STATE_UNKNOWN; break;
  }
  mm_gdbus_modem_set_power_state (self->modem, power);
  init_next (task);
}

static void
sim_lock_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  GError *error = NULL;
  MMModemLock lock = MM_MODEM_LOCK_UNKNOWN;

  if (!mx_sim_load_lock_finish (MX_SIM (source), res, &lock, &error)) {
    if (g_error_matches (error, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED)) {
      /* Exported anyway, as ModemManager does: FAILED with the reason. */
      g_message ("modem on %s: %s", self->config->control_port, error->message);
      g_error_free (error);
      mx_modem_set_sim_missing (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
    init_failed (task, error);
    return;
  }
  if (lock != MM_MODEM_LOCK_NONE) {
    g_info ("modem on %s: SIM locked (%s)", self->config->control_port, mm_modem_lock_get_string (lock));
    mx_modem_set_state (self, MM_MODEM_STATE_LOCKED, MM_MODEM_STATE_CHANGE_REASON_UNKNOWN);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  init_next (task);
}

static void
sim_data_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!mx_modem_qmi_load_sim_data_finish (self, res, &error)) {
    /* Cancelled, or the modem stopped answering: fatal (init_failed). */
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
        g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT)) {
      init_failed (task, error);
      return;
    }
    g_warning ("modem on %s: SIM data not available: %s", self->config->control_port, error->message);
    g_error_free (error);
  }
  init_next (task);
}

static void
init_step (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  InitContext *ctx = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (ctx->step) {
  case STEP_OPEN:
    mx_qmi_port_open (self->port, cancellable, open_ready, task);
    return;
  case STEP_CLIENT_DMS:
    mx_qmi_port_get_client (self->port, QMI_SERVICE_DMS, MX_QMI_CLIENT_SHARED, cancellable, client_ready, task);
    return;
  case STEP_CLIENT_NAS:
    mx_qmi_port_get_client (self->port, QMI_SERVICE_NAS, MX_QMI_CLIENT_SHARED, cancellable, client_ready, task);
    return;
  case STEP_CLIENT_UIM:
    mx_qmi_port_get_client (self->port, QMI_SERVICE_UIM, MX_QMI_CLIENT_SHARED, cancellable, client_ready, task);
    return;
  case STEP_MANUFACTURER:
    qmi_client_dms_get_manufacturer (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S),
                                     cancellable, get_manufacturer_ready, task);
    return;
  case STEP_MODEL:
    qmi_client_dms_get_model (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S),
                              cancellable, get_model_ready, task);
    return;
  case STEP_REVISION:
    qmi_client_dms_get_revision (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S),
                                 cancellable, get_revision_ready, task);
    return;
  case STEP_HARDWARE_REVISION:
    qmi_client_dms_get_hardware_revision (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S), cancellable,
                                          get_hardware_revision_ready, task);
    return;
  case STEP_IDS:
    qmi_client_dms_get_ids (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S),
                            cancellable, get_ids_ready, task);
    return;
  case STEP_CAPABILITIES:
    qmi_client_dms_get_capabilities (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S),
                                     cancellable, get_capabilities_ready, task);
    return;
  case STEP_BANDS:
    mx_modem_bands_load (self, cancellable, bands_ready, task);
    return;
  case STEP_OPERATING_MODE:
    /* Identity is complete here: publish it before the SIM steps. */
    mx_modem_set_identity (self, ctx->manufacturer, ctx->model, ctx->revision, ctx->hardware_revision, ctx->imei);
    g_debug ("modem on %s: %s %s %s, IMEI %s", self->config->control_port, ctx->manufacturer,
             ctx->model, ctx->revision, mx_log_personal (ctx->imei));
    qmi_client_dms_get_operating_mode (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S), cancellable,
                                       get_operating_mode_ready, task);
    return;
  case STEP_SIM_LOCK:
    mx_sim_load_lock (self->sim, cancellable, sim_lock_ready, task);
    return;
  case STEP_SIM_DATA:
    mx_modem_qmi_load_sim_data (self, cancellable, sim_data_ready, task);
    return;
  case STEP_DONE:
  default:
    mx_modem_complete_unlocked_init (self);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
}

void
mx_modem_qmi_init_run (MxModem *self, GTask *task)
{
  g_task_set_task_data (task, g_new0 (InitContext, 1), (GDestroyNotify) init_context_free);
  init_step (task);
}

/* ------------------------------------------------------------------------ */
/* Data that needs an unlocked SIM: SIM identity, then own numbers.         */

static void
msisdn_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageDmsGetMsisdnOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  const gchar *msisdn = NULL;

  output = qmi_client_dms_get_msisdn_finish (QMI_CLIENT_DMS (source), res, &error);
  if (output && qmi_message_dms_get_msisdn_output_get_result (output, &error) &&
      qmi_message_dms_get_msisdn_output_get_msisdn (output, &msisdn, &error) && msisdn && *msisdn) {
    const gchar *numbers[] = { msisdn, NULL };
    mm_gdbus_modem_set_own_numbers (self->modem, numbers);
  } else if (error) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
    g_debug ("own numbers not available: %s", error->message);
  }
  g_task_return_boolean (task, TRUE);
}

static void
sim_identity_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!mx_sim_load_identity_finish (MX_SIM (source), res, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  if (!self->dms) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  qmi_client_dms_get_msisdn (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S),
                             g_task_get_cancellable (task), msisdn_ready, task);
}

void
mx_modem_qmi_load_sim_data (MxModem *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->sim) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  mx_sim_load_identity (self->sim, cancellable, sim_identity_ready, task);
}

gboolean
mx_modem_qmi_load_sim_data_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}
