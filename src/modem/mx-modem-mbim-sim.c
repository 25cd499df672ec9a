/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SIM of an MBIM modem: lock state from Subscriber Ready Status and
 * PIN (query), identity (ICCID, IMSI) from Subscriber Ready Status, PIN
 * entry through PIN (set). The results go through the same MxSim code as
 * the QMI reads (mx-modem-sim-private.h). */
#define G_LOG_DOMAIN "mx-sim"

#include "mx-modem-sim-private.h"
#include "mx-modem-mbim.h"

/* ---- lock: Subscriber Ready Status, then PIN query ---- */

static void
pin_query_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(MbimMessage) response = NULL;
  GError *error = NULL;
  MbimPinType type = MBIM_PIN_TYPE_UNKNOWN;
  MbimPinState state = MBIM_PIN_STATE_UNLOCKED;
  guint32 attempts = 0;
  MxSimPinInfo info = { .lock = MM_MODEM_LOCK_NONE };

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_pin_response_parse (response, &type, &state, &attempts, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  if (state == MBIM_PIN_STATE_LOCKED) {
    switch (type) {
    case MBIM_PIN_TYPE_PIN1:
      info.lock = MM_MODEM_LOCK_SIM_PIN;
      info.have_pin_retries_only = TRUE;
      info.pin = attempts;
      break;
    case MBIM_PIN_TYPE_PUK1:
      info.lock = MM_MODEM_LOCK_SIM_PUK;
      info.have_puk_retries_only = TRUE;
      info.puk = attempts;
      break;
    case MBIM_PIN_TYPE_PIN2:  info.lock = MM_MODEM_LOCK_SIM_PIN2; break;
    case MBIM_PIN_TYPE_PUK2:  info.lock = MM_MODEM_LOCK_SIM_PUK2; break;
    default:                  info.lock = MM_MODEM_LOCK_UNKNOWN; break;
    }
  }
  info.pin1_enabled = info.lock == MM_MODEM_LOCK_SIM_PIN || info.lock == MM_MODEM_LOCK_SIM_PUK;
  mx_sim_lock_loaded (task, &info);
  g_object_unref (task);
}

static void
ready_status_for_lock (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(MbimMessage) request = NULL;
  GError *error = NULL;
  MbimSubscriberReadyState state = MBIM_SUBSCRIBER_READY_STATE_NOT_INITIALIZED;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_subscriber_ready_status_response_parse (response, &state, NULL, NULL, NULL,
                                                                          NULL, NULL, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  if (state == MBIM_SUBSCRIBER_READY_STATE_SIM_NOT_INSERTED) {
    g_task_return_new_error (task, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED,
                             "no SIM card (MBIM Subscriber Ready Status: sim-not-inserted)");
    g_object_unref (task);
    return;
  }
  if (state == MBIM_SUBSCRIBER_READY_STATE_BAD_SIM || state == MBIM_SUBSCRIBER_READY_STATE_FAILURE) {
    g_task_return_new_error (task, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_FAILURE,
                             "SIM card unusable (MBIM Subscriber Ready Status: %s)",
                             mbim_subscriber_ready_state_get_string (state));
    g_object_unref (task);
    return;
  }
  request = mbim_message_pin_query_new (NULL);
  mx_mbim_command (MBIM_DEVICE (source), request, "MBIM PIN (query)", MX_MBIM_TIMEOUT_S,
                   g_task_get_cancellable (task), pin_query_ready, task);
}

void
mx_sim_mbim_load_lock (MbimDevice *device, GTask *task)
{
  g_autoptr(MbimMessage) request = mbim_message_subscriber_ready_status_query_new (NULL);

  mx_mbim_command (device, request, "MBIM Subscriber Ready Status", MX_MBIM_TIMEOUT_S,
                   g_task_get_cancellable (task), ready_status_for_lock, task);
}

/* ---- identity ---- */

static void
ready_status_for_identity (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(MbimMessage) response = NULL;
  g_autofree gchar *imsi = NULL, *iccid = NULL;
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_subscriber_ready_status_response_parse (response, NULL, &imsi, &iccid, NULL,
                                                                          NULL, NULL, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  /* Empty strings are absent values. MBIM has no EF_AD or SPN read in
   * Basic Connect: the MNC length is guessed from the MCC. */
  mx_sim_identity_loaded (task, iccid && *iccid ? iccid : NULL, imsi && *imsi ? imsi : NULL, 0, NULL);
}

void
mx_sim_mbim_load_identity (MbimDevice *device, GTask *task)
{
  g_autoptr(MbimMessage) request = mbim_message_subscriber_ready_status_query_new (NULL);

  mx_mbim_command (device, request, "MBIM Subscriber Ready Status", MX_MBIM_TIMEOUT_S,
                   g_task_get_cancellable (task), ready_status_for_identity, task);
}

/* ---- PIN entry ---- */

static void
pin_set_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(MbimMessage) failed = NULL;
  g_autoptr(GError) error = NULL;
  MbimPinType type = MBIM_PIN_TYPE_UNKNOWN;
  MbimPinState state = MBIM_PIN_STATE_UNLOCKED;
  guint32 attempts = 0;

  response = mx_mbim_command_finish (res, &failed, &error);
  if (response) {
    mx_sim_pin_verified (user_data, NULL);
    return;
  }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    mx_sim_pin_verified (user_data, g_steal_pointer (&error));
    return;
  }
  /* A refused PIN answers with the PIN state: still locked, fewer attempts. */
  if (failed && mbim_message_pin_response_parse (failed, &type, &state, &attempts, NULL) &&
      state == MBIM_PIN_STATE_LOCKED) {
    if (type == MBIM_PIN_TYPE_PUK1)
      mx_sim_pin_verified (user_data, g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_PUK,
                                                   "PIN blocked: PUK required"));
    else
      mx_sim_pin_verified (user_data, mx_sim_incorrect_pin_error ((gint) attempts));
    return;
  }
  mx_sim_pin_verified (user_data, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "Cannot verify PIN: %s",
                                               error->message));
}

void
mx_sim_mbim_verify_pin (MbimDevice *device, const gchar *pin, GCancellable *cancellable, gpointer pin_context)
{
  g_autoptr(MbimMessage) request = mbim_message_pin_set_new (MBIM_PIN_TYPE_PIN1, MBIM_PIN_OPERATION_ENTER,
                                                             pin, "", NULL);

  mx_mbim_command (device, request, "MBIM PIN (enter)", MX_MBIM_TIMEOUT_S, cancellable,
                   pin_set_ready, pin_context);
}
