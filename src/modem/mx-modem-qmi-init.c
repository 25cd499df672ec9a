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

/* Three steps; each sends its requests together and ends when all have
 * answered (none of a step's requests needs another's answer):
 *   OPEN      the control port;
 *   CLIENTS   the DMS, NAS and UIM clients;
 *   IDENTITY  DMS Get Manufacturer, Model, Revision, Hardware Revision, IDs,
 *             Capabilities (then bands and modes, which need the modes it
 *             gives), Operating Mode, and the SIM chain: lock state, then
 *             (unlocked) the SIM data.
 * A failed request is named; identity items are optional (skipped unless
 * timed out), the rest fatal. The identity is published and the SIM's
 * outcome (locked, missing, unlocked) applied once the step is complete. */
typedef enum {
  STEP_OPEN,
  STEP_CLIENTS,
  STEP_IDENTITY,
  STEP_DONE,
} InitStep;

typedef enum {
  REQ_OPEN,
  REQ_CLIENT_DMS,
  REQ_CLIENT_NAS,
  REQ_CLIENT_UIM,
  REQ_MANUFACTURER,
  REQ_MODEL,
  REQ_REVISION,
  REQ_HARDWARE_REVISION,
  REQ_IDS,
  REQ_CAPABILITIES,
  REQ_BANDS,
  REQ_OPERATING_MODE,
  REQ_SIM_LOCK,
  REQ_SIM_DATA,
  N_REQS,
} InitRequest;

static const gchar *const request_names[] = {
  "open control port", "allocate DMS client", "allocate NAS client", "allocate UIM client",
  "DMS Get Manufacturer", "DMS Get Model", "DMS Get Revision", "DMS Get Hardware Revision",
  "DMS Get IDs", "DMS Get Capabilities", "bands and modes", "DMS Get Operating Mode", "SIM lock state",
  "SIM data", "done",
};
MX_STEP_NAMES_CHECK (request_names, N_REQS);

typedef enum { SIM_UNLOCKED, SIM_LOCKED, SIM_MISSING } SimOutcome;

typedef struct {
  InitStep    step;
  guint       in_flight;   /* bit per InitRequest */
  gboolean    cut;         /* a request was cancelled */
  GError     *error;       /* the step's first fatal failure, named */
  SimOutcome  sim;
  gchar      *sim_message;
  gchar      *manufacturer;
  gchar      *model;
  gchar      *revision;
  gchar      *hardware_revision;
  gchar      *imei;
} InitContext;

static void
init_context_free (InitContext *ctx)
{
  g_clear_error (&ctx->error);
  g_free (ctx->sim_message);
  g_free (ctx->manufacturer);
  g_free (ctx->model);
  g_free (ctx->revision);
  g_free (ctx->hardware_revision);
  g_free (ctx->imei);
  g_free (ctx);
}

static void init_step (GTask *task);

static gboolean
request_is_optional (InitRequest req)
{
  /* Identity items are nice to have (ModemManager shows "--" without them);
   * a modem is usable without any of them. */
  return req == REQ_CLIENT_UIM || req == REQ_MANUFACTURER || req == REQ_MODEL ||
         req == REQ_REVISION || req == REQ_HARDWARE_REVISION || req == REQ_IDS ||
         req == REQ_CAPABILITIES || req == REQ_BANDS || req == REQ_OPERATING_MODE;
}

static void
send_request (GTask *task, InitRequest req)
{
  InitContext *ctx = g_task_get_task_data (task);

  ctx->in_flight |= 1u << req;
}

/* A request of the current step answered; @error (taken) NULL on success.
 * Failures are fatal for required requests, for cancellation and for a
 * timeout (a modem that stopped answering); otherwise logged and skipped.
 * Returns FALSE when the request failed (a follow-up is not sent). */
static gboolean
request_done (GTask *task, InitRequest req, GError *error)
{
  InitContext *ctx = g_task_get_task_data (task);
  MxModem *self = g_task_get_source_object (task);
  gboolean ok = error == NULL;

  ctx->in_flight &= ~(1u << req);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    ctx->cut = TRUE;
    g_error_free (error);
  } else if (error && request_is_optional (req) && !g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT)) {
    g_debug ("modem on %s: %s failed (skipped): %s", self->config->control_port, request_names[req],
             error->message);
    g_error_free (error);
    ok = TRUE;
  } else if (error) {
    mx_step_prefix_error (&error, request_names[req]);
    if (!ctx->error)
      ctx->error = error;
    else
      g_error_free (error);
  }
  return ok;
}

/* The end of a request's callback: the step goes on once none is left. */
static void
step_check (GTask *task)
{
  InitContext *ctx = g_task_get_task_data (task);

  if (ctx->in_flight)
    return;
  if (ctx->cut && g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    return;
  }
  if (ctx->error) {
    g_task_return_error (task, g_steal_pointer (&ctx->error));
    g_object_unref (task);
    return;
  }
  ctx->step++;
  init_step (task);
}

static void
open_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  mx_qmi_port_open_finish (MX_QMI_PORT (source), res, &error);
  request_done (task, REQ_OPEN, error);
  step_check (task);
}

#define DEFINE_CLIENT_READY(fn, req, field, CAST)                                    \
static void                                                                          \
fn (GObject *source, GAsyncResult *res, gpointer user_data)                          \
{                                                                                    \
  GTask *task = user_data;                                                           \
  MxModem *self = g_task_get_source_object (task);                                   \
  GError *error = NULL;                                                              \
  QmiClient *client = mx_qmi_port_get_client_finish (MX_QMI_PORT (source), res, &error); \
                                                                                     \
  /* Borrowed: the port keeps shared clients until it closes. */                     \
  if (client) {                                                                      \
    self->field = CAST (client);                                                     \
    g_object_unref (client);                                                         \
  }                                                                                  \
  request_done (task, req, error);                                                   \
  step_check (task);                                                                 \
}

DEFINE_CLIENT_READY (dms_client_ready, REQ_CLIENT_DMS, dms, QMI_CLIENT_DMS)
DEFINE_CLIENT_READY (nas_client_ready, REQ_CLIENT_NAS, nas, QMI_CLIENT_NAS)
DEFINE_CLIENT_READY (uim_client_ready, REQ_CLIENT_UIM, uim, QMI_CLIENT_UIM)

/* One callback per DMS string getter: the output types differ but all have
 * get_result and one string field. */
#define DEFINE_DMS_STRING_READY(fn, req, Out, out_prefix, out_field, ctx_field)     \
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
  if (output && out_prefix##_result (output, &error) &&                              \
      out_prefix##_##out_field (output, &value, &error))                             \
    ctx->ctx_field = g_strdup (value);                                               \
  request_done (task, req, error);                                                   \
  step_check (task);                                                                 \
}

DEFINE_DMS_STRING_READY (get_manufacturer, REQ_MANUFACTURER,
                         QmiMessageDmsGetManufacturerOutput,
                         qmi_message_dms_get_manufacturer_output_get, manufacturer, manufacturer)
DEFINE_DMS_STRING_READY (get_model, REQ_MODEL,
                         QmiMessageDmsGetModelOutput,
                         qmi_message_dms_get_model_output_get, model, model)
DEFINE_DMS_STRING_READY (get_revision, REQ_REVISION,
                         QmiMessageDmsGetRevisionOutput,
                         qmi_message_dms_get_revision_output_get, revision, revision)
DEFINE_DMS_STRING_READY (get_hardware_revision, REQ_HARDWARE_REVISION,
                         QmiMessageDmsGetHardwareRevisionOutput,
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
  /* A modem without IMEI (CDMA-only) still has a result. */
  if (output && qmi_message_dms_get_ids_output_get_result (output, &error) &&
      qmi_message_dms_get_ids_output_get_imei (output, &imei, NULL) && imei && *imei)
    ctx->imei = g_strdup (imei);
  request_done (task, REQ_IDS, error);
  step_check (task);
}

static void
bands_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  mx_modem_bands_load_finish (MX_MODEM (source), res, &error);
  request_done (task, REQ_BANDS, error);
  step_check (task);
}

/* After the capabilities: the bands' modes are filtered by them. */
static void
load_bands (GTask *task)
{
  send_request (task, REQ_BANDS);
  mx_modem_bands_load (g_task_get_source_object (task), g_task_get_cancellable (task), bands_ready, task);
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
    if (request_done (task, REQ_CAPABILITIES, error))
      load_bands (task);
    step_check (task);
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
  request_done (task, REQ_CAPABILITIES, NULL);
  load_bands (task);
  step_check (task);
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
    request_done (task, REQ_OPERATING_MODE, error);
    step_check (task);
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
  request_done (task, REQ_OPERATING_MODE, NULL);
  step_check (task);
}

static void
sim_data_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!mx_modem_qmi_load_sim_data_finish (self, res, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT)) {
    /* Only cancellation or a modem that stopped answering is fatal. */
    g_warning ("modem on %s: SIM data not available: %s", self->config->control_port, error->message);
    g_clear_error (&error);
  }
  request_done (task, REQ_SIM_DATA, error);
  step_check (task);
}

static void
sim_lock_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  InitContext *ctx = g_task_get_task_data (task);
  GError *error = NULL;
  MMModemLock lock = MM_MODEM_LOCK_UNKNOWN;

  if (!mx_sim_load_lock_finish (MX_SIM (source), res, &lock, &error)) {
    if (g_error_matches (error, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED)) {
      /* Exported anyway, as ModemManager does: FAILED with the reason. */
      ctx->sim = SIM_MISSING;
      ctx->sim_message = g_strdup (error->message);
      g_clear_error (&error);
    }
    request_done (task, REQ_SIM_LOCK, error);
    step_check (task);
    return;
  }
  request_done (task, REQ_SIM_LOCK, NULL);
  if (lock != MM_MODEM_LOCK_NONE) {
    g_info ("modem on %s: SIM locked (%s)", self->config->control_port, mm_modem_lock_get_string (lock));
    ctx->sim = SIM_LOCKED;
  } else {
    send_request (task, REQ_SIM_DATA);
    mx_modem_qmi_load_sim_data (self, g_task_get_cancellable (task), sim_data_ready, task);
  }
  step_check (task);
}

/* Identity complete: publish it, then the SIM's outcome. */
static void
init_done (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  InitContext *ctx = g_task_get_task_data (task);

  mx_modem_set_identity (self, ctx->manufacturer, ctx->model, ctx->revision, ctx->hardware_revision, ctx->imei);
  g_debug ("modem on %s: %s %s %s, IMEI %s", self->config->control_port, ctx->manufacturer,
           ctx->model, ctx->revision, mx_log_personal (ctx->imei));
  switch (ctx->sim) {
  case SIM_MISSING:
    g_message ("modem on %s: %s", self->config->control_port, ctx->sim_message);
    mx_modem_set_sim_missing (self);
    break;
  case SIM_LOCKED:
    mx_modem_set_state (self, MM_MODEM_STATE_LOCKED, MM_MODEM_STATE_CHANGE_REASON_UNKNOWN);
    break;
  case SIM_UNLOCKED:
  default:
    mx_modem_complete_unlocked_init (self);
    break;
  }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
init_step (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  InitContext *ctx = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint timeout = mx_qmi_timeout (INIT_TIMEOUT_S);

  switch (ctx->step) {
  case STEP_OPEN:
    send_request (task, REQ_OPEN);
    mx_qmi_port_open (self->port, cancellable, open_ready, task);
    return;
  case STEP_CLIENTS:
    send_request (task, REQ_CLIENT_DMS);
    send_request (task, REQ_CLIENT_NAS);
    send_request (task, REQ_CLIENT_UIM);
    mx_qmi_port_get_client (self->port, QMI_SERVICE_DMS, MX_QMI_CLIENT_SHARED, cancellable, dms_client_ready, task);
    mx_qmi_port_get_client (self->port, QMI_SERVICE_NAS, MX_QMI_CLIENT_SHARED, cancellable, nas_client_ready, task);
    mx_qmi_port_get_client (self->port, QMI_SERVICE_UIM, MX_QMI_CLIENT_SHARED, cancellable, uim_client_ready, task);
    return;
  case STEP_IDENTITY:
    /* All flagged before the first is sent: an answer cannot end the step early. */
    for (guint r = REQ_MANUFACTURER; r <= REQ_SIM_LOCK; r++)
      if (r != REQ_BANDS)
        send_request (task, r);
    qmi_client_dms_get_manufacturer (self->dms, NULL, timeout, cancellable, get_manufacturer_ready, task);
    qmi_client_dms_get_model (self->dms, NULL, timeout, cancellable, get_model_ready, task);
    qmi_client_dms_get_revision (self->dms, NULL, timeout, cancellable, get_revision_ready, task);
    qmi_client_dms_get_hardware_revision (self->dms, NULL, timeout, cancellable,
                                          get_hardware_revision_ready, task);
    qmi_client_dms_get_ids (self->dms, NULL, timeout, cancellable, get_ids_ready, task);
    qmi_client_dms_get_capabilities (self->dms, NULL, timeout, cancellable, get_capabilities_ready, task);
    qmi_client_dms_get_operating_mode (self->dms, NULL, timeout, cancellable, get_operating_mode_ready, task);
    mx_sim_load_lock (self->sim, cancellable, sim_lock_ready, task);
    return;
  case STEP_DONE:
  default:
    init_done (task);
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
/* Data that needs an unlocked SIM: the SIM identity and, at the same time,
 * the own numbers. The identity's error is the result; a missing number is
 * only logged, its cancellation returned.                                  */

typedef struct {
  guint   pending;
  GError *error;
} SimDataContext;

static void
sim_data_context_free (SimDataContext *ctx)
{
  g_clear_error (&ctx->error);
  g_free (ctx);
}

static void
sim_data_part_done (GTask *task, GError *error)
{
  SimDataContext *ctx = g_task_get_task_data (task);

  if (error && !ctx->error)
    ctx->error = error;
  else if (error)
    g_error_free (error);
  if (--ctx->pending)
    return;
  if (ctx->error)
    g_task_return_error (task, g_steal_pointer (&ctx->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
msisdn_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageDmsGetMsisdnOutput) output = NULL;
  GError *error = NULL;
  const gchar *msisdn = NULL;

  output = qmi_client_dms_get_msisdn_finish (QMI_CLIENT_DMS (source), res, &error);
  if (output && qmi_message_dms_get_msisdn_output_get_result (output, &error) &&
      qmi_message_dms_get_msisdn_output_get_msisdn (output, &msisdn, &error) && msisdn && *msisdn) {
    const gchar *numbers[] = { msisdn, NULL };
    mm_gdbus_modem_set_own_numbers (self->modem, numbers);
  } else if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_debug ("own numbers not available: %s", error->message);
    g_clear_error (&error);
  }
  sim_data_part_done (task, error);
}

static void
sim_identity_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  mx_sim_load_identity_finish (MX_SIM (source), res, &error);
  sim_data_part_done (task, error);
}

void
mx_modem_qmi_load_sim_data (MxModem *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SimDataContext *ctx = g_new0 (SimDataContext, 1);

  g_task_set_task_data (task, ctx, (GDestroyNotify) sim_data_context_free);
  if (!self->sim) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  ctx->pending = self->dms ? 2 : 1;
  mx_sim_load_identity (self->sim, cancellable, sim_identity_ready, task);
  if (self->dms)
    qmi_client_dms_get_msisdn (self->dms, NULL, mx_qmi_timeout (INIT_TIMEOUT_S), cancellable, msisdn_ready, task);
}

gboolean
mx_modem_qmi_load_sim_data_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}
