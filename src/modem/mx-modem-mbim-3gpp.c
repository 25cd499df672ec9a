/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enable/Disable/SetPowerState (Radio State) and registration of an MBIM
 * modem: Register State, Packet Service and Signal State are read once when
 * enabling, then follow the modem's indications (no polling). The mapping
 * to ModemManager's states is MxModem's (mx_modem_apply_registration). */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"
#include "mx-modem-mbim.h"

/* ------------------------------------------------------------------------ */
/* Pure mappings                                                            */

MMModemAccessTechnology
mx_modem_access_tech_from_mbim (MbimDataClass dc)
{
  MMModemAccessTechnology act = MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN;

  if (dc & MBIM_DATA_CLASS_GPRS)  act |= MM_MODEM_ACCESS_TECHNOLOGY_GPRS;
  if (dc & MBIM_DATA_CLASS_EDGE)  act |= MM_MODEM_ACCESS_TECHNOLOGY_EDGE;
  if (dc & MBIM_DATA_CLASS_UMTS)  act |= MM_MODEM_ACCESS_TECHNOLOGY_UMTS;
  if (dc & MBIM_DATA_CLASS_HSDPA) act |= MM_MODEM_ACCESS_TECHNOLOGY_HSDPA;
  if (dc & MBIM_DATA_CLASS_HSUPA) act |= MM_MODEM_ACCESS_TECHNOLOGY_HSUPA;
  if (dc & MBIM_DATA_CLASS_LTE)   act |= MM_MODEM_ACCESS_TECHNOLOGY_LTE;
  if (dc & (MBIM_DATA_CLASS_5G_NSA | MBIM_DATA_CLASS_5G_SA)) act |= MM_MODEM_ACCESS_TECHNOLOGY_5GNR;
  return act;
}

MMModem3gppRegistrationState
mx_modem_registration_from_mbim (MbimRegisterState state)
{
  switch (state) {
  case MBIM_REGISTER_STATE_HOME:         return MM_MODEM_3GPP_REGISTRATION_STATE_HOME;
  case MBIM_REGISTER_STATE_ROAMING:
  case MBIM_REGISTER_STATE_PARTNER:      return MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING;
  case MBIM_REGISTER_STATE_SEARCHING:    return MM_MODEM_3GPP_REGISTRATION_STATE_SEARCHING;
  case MBIM_REGISTER_STATE_DENIED:       return MM_MODEM_3GPP_REGISTRATION_STATE_DENIED;
  case MBIM_REGISTER_STATE_DEREGISTERED: return MM_MODEM_3GPP_REGISTRATION_STATE_IDLE;
  default:                               return MM_MODEM_3GPP_REGISTRATION_STATE_UNKNOWN;
  }
}

static MMModem3gppPacketServiceState
packet_service_from_mbim (MbimPacketServiceState state)
{
  switch (state) {
  case MBIM_PACKET_SERVICE_STATE_ATTACHED: return MM_MODEM_3GPP_PACKET_SERVICE_STATE_ATTACHED;
  case MBIM_PACKET_SERVICE_STATE_DETACHED: return MM_MODEM_3GPP_PACKET_SERVICE_STATE_DETACHED;
  default:                                 return MM_MODEM_3GPP_PACKET_SERVICE_STATE_UNKNOWN;
  }
}

void
mx_modem_mbim_set_capabilities (MxModem *self, MbimDataClass dc)
{
  guint32 caps = MM_MODEM_CAPABILITY_NONE, modes = MM_MODEM_MODE_NONE;
  GVariantBuilder b;

  if (dc & (MBIM_DATA_CLASS_GPRS | MBIM_DATA_CLASS_EDGE | MBIM_DATA_CLASS_UMTS |
            MBIM_DATA_CLASS_HSDPA | MBIM_DATA_CLASS_HSUPA)) {
    caps |= MM_MODEM_CAPABILITY_GSM_UMTS;
    modes |= (dc & (MBIM_DATA_CLASS_GPRS | MBIM_DATA_CLASS_EDGE) ? MM_MODEM_MODE_2G : 0) |
             (dc & (MBIM_DATA_CLASS_UMTS | MBIM_DATA_CLASS_HSDPA | MBIM_DATA_CLASS_HSUPA) ? MM_MODEM_MODE_3G : 0);
  }
  if (dc & MBIM_DATA_CLASS_LTE) {
    caps |= MM_MODEM_CAPABILITY_LTE;
    modes |= MM_MODEM_MODE_4G;
  }
  if (dc & (MBIM_DATA_CLASS_5G_NSA | MBIM_DATA_CLASS_5G_SA)) {
    caps |= MM_MODEM_CAPABILITY_5GNR;
    modes |= MM_MODEM_MODE_5G;
  }
  mm_gdbus_modem_set_current_capabilities (self->modem, caps);
  mm_gdbus_modem_set_supported_capabilities (self->modem, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32,
                                                                                     &caps, 1, sizeof caps));
  /* Basic Connect cannot select technologies: one combination, all of them. */
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(uu)"));
  g_variant_builder_add (&b, "(uu)", modes, (guint32) MM_MODEM_MODE_NONE);
  mm_gdbus_modem_set_supported_modes (self->modem, g_variant_builder_end (&b));
  mm_gdbus_modem_set_current_modes (self->modem, g_variant_new ("(uu)", modes, (guint32) MM_MODEM_MODE_NONE));
}

/* ------------------------------------------------------------------------ */
/* What the modem reports (responses and indications alike)                 */

static void
apply_register_state (MxModem *self, MbimRegisterState state, MbimDataClass available,
                      const gchar *provider_id, const gchar *provider_name)
{
  mx_modem_apply_registration (self, mx_modem_registration_from_mbim (state),
                               provider_id && *provider_id ? provider_id : NULL, provider_name,
                               mx_modem_access_tech_from_mbim (available),
                               mm_gdbus_modem3gpp_get_packet_service_state (self->modem_3gpp));
}

gint
mx_modem_signal_quality_from_mbim_rssi (guint32 rssi)
{
  /* Coded as in 3GPP TS 27.007 +CSQ: 0 = -113 dBm ... 31 = -51 dBm, 99 unknown. */
  if (rssi > 31)
    return -1;
  return (gint) mx_modem_signal_quality_from_rssi (-113 + 2 * (gint) rssi);
}

static void
apply_signal (MxModem *self, guint32 rssi)
{
  gint quality = mx_modem_signal_quality_from_mbim_rssi (rssi);

  if (quality >= 0)
    mx_modem_signal_set_quality (self, (guint) quality);
}

static void
apply_radio (MxModem *self, MbimRadioSwitchState hw, MbimRadioSwitchState sw)
{
  mm_gdbus_modem_set_power_state (self->modem, hw == MBIM_RADIO_SWITCH_STATE_ON && sw == MBIM_RADIO_SWITCH_STATE_ON
                                               ? MM_MODEM_POWER_STATE_ON : MM_MODEM_POWER_STATE_LOW);
}

void
mx_modem_mbim_3gpp_indication (MxModem *self, MbimMessage *message)
{
  g_autofree gchar *provider_id = NULL, *provider_name = NULL;
  MbimRegisterState reg = MBIM_REGISTER_STATE_UNKNOWN;
  MbimPacketServiceState ps = MBIM_PACKET_SERVICE_STATE_UNKNOWN;
  MbimDataClass available = 0;
  MbimRadioSwitchState hw, sw;
  guint32 rssi = 99;
  gboolean listening = mx_modem_get_state (self) >= MM_MODEM_STATE_ENABLED || self->enabling_or_disabling;

  switch (mbim_message_indicate_status_get_cid (message)) {
  case MBIM_CID_BASIC_CONNECT_REGISTER_STATE:
    if (listening && mbim_message_register_state_notification_parse (message, NULL, &reg, NULL, &available, NULL,
                                                                     &provider_id, &provider_name, NULL, NULL,
                                                                     NULL))
      apply_register_state (self, reg, available, provider_id, provider_name);
    break;
  case MBIM_CID_BASIC_CONNECT_PACKET_SERVICE:
    if (listening && mbim_message_packet_service_notification_parse (message, NULL, &ps, NULL, NULL, NULL, NULL))
      mm_gdbus_modem3gpp_set_packet_service_state (self->modem_3gpp, packet_service_from_mbim (ps));
    break;
  case MBIM_CID_BASIC_CONNECT_SIGNAL_STATE:
    if (listening && mbim_message_signal_state_notification_parse (message, &rssi, NULL, NULL, NULL, NULL, NULL))
      apply_signal (self, rssi);
    break;
  case MBIM_CID_BASIC_CONNECT_RADIO_STATE:
    if (mbim_message_radio_state_notification_parse (message, &hw, &sw, NULL))
      apply_radio (self, hw, sw);
    break;
  default:
    break;
  }
}

void
mx_modem_mbim_3gpp_teardown (MxModem *self)
{
  mx_modem_clear_registration (self);
}

/* ------------------------------------------------------------------------ */
/* Enable: Radio State on, then one read of each state                      */

typedef enum {
  ENABLE_STEP_RADIO_ON,
  ENABLE_STEP_REGISTER_STATE,
  ENABLE_STEP_PACKET_SERVICE,
  ENABLE_STEP_SIGNAL_STATE,
  ENABLE_STEP_DONE,
} EnableStep;

static void enable_step (GTask *task);

static void
enable_next (GTask *task)
{
  EnableStep *step = g_task_get_task_data (task);

  (*step)++;
  enable_step (task);
}

/* Errors reaching D-Bus are ModemManager's (MM_CORE_ERROR): wrap the others. */
static GError *
to_mm_error (GError *error, const gchar *prefix)
{
  GError *mm;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == MM_CORE_ERROR ||
      error->domain == MM_MOBILE_EQUIPMENT_ERROR)
    return error;
  mm = g_error_new (MM_CORE_ERROR, mx_mbim_error_is_timeout (error) ? MM_CORE_ERROR_ABORTED : MM_CORE_ERROR_FAILED,
                    "%s%s%s", prefix, error->message, mx_mbim_error_is_timeout (error) ? " (no answer from the modem)" : "");
  g_error_free (error);
  return mm;
}

static void
enable_failed (GTask *task, GError *error)
{
  MxModem *self = g_task_get_source_object (task);

  self->enabling_or_disabling = FALSE;
  g_message ("modem %s: enabling failed: %s", self->path ? self->path : "", error->message);
  if (!self->removed) {
    mx_modem_clear_registration (self);
    mx_modem_set_state (self, MM_MODEM_STATE_DISABLED, MM_MODEM_STATE_CHANGE_REASON_FAILURE);
  }
  g_task_return_error (task, to_mm_error (error, "Cannot enable modem: "));
  g_object_unref (task);
}

static void
radio_on_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response) {
    enable_failed (task, error);
    return;
  }
  mm_gdbus_modem_set_power_state (self->modem, MM_MODEM_POWER_STATE_ON);
  /* State ENABLED first, so that the registration read moves on from it. */
  self->enabling_or_disabling = FALSE;
  mx_modem_set_state (self, MM_MODEM_STATE_ENABLED, MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
  enable_next (task);
}

static void
register_state_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autofree gchar *provider_id = NULL, *provider_name = NULL;
  MbimRegisterState reg = MBIM_REGISTER_STATE_UNKNOWN;
  MbimDataClass available = 0;
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_register_state_response_parse (response, NULL, &reg, NULL, &available, NULL,
                                                               &provider_id, &provider_name, NULL, NULL,
                                                               &error)) {
    enable_failed (task, error);
    return;
  }
  apply_register_state (self, reg, available, provider_id, provider_name);
  enable_next (task);
}

static void
packet_service_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(GError) error = NULL;
  MbimPacketServiceState ps = MBIM_PACKET_SERVICE_STATE_UNKNOWN;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (response && mbim_message_packet_service_response_parse (response, NULL, &ps, NULL, NULL, NULL, &error))
    mm_gdbus_modem3gpp_set_packet_service_state (self->modem_3gpp, packet_service_from_mbim (ps));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    enable_failed (task, g_steal_pointer (&error));
    return;
  } else
    g_debug ("MBIM Packet Service unknown: %s", error->message);
  enable_next (task);
}

static void
signal_state_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(GError) error = NULL;
  guint32 rssi = 99;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (response && mbim_message_signal_state_response_parse (response, &rssi, NULL, NULL, NULL, NULL, &error))
    apply_signal (self, rssi);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    enable_failed (task, g_steal_pointer (&error));
    return;
  } else
    g_debug ("MBIM Signal State unknown: %s", error->message);
  enable_next (task);
}

static void
enable_step (GTask *task)
{
  MxModem *self = g_task_get_source_object (task);
  EnableStep *step = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(MbimMessage) request = NULL;

  switch (*step) {
  case ENABLE_STEP_RADIO_ON:
    request = mbim_message_radio_state_set_new (MBIM_RADIO_SWITCH_STATE_ON, NULL);
    mx_mbim_command (self->mbim, request, "MBIM Radio State (on)", MX_MBIM_TIMEOUT_S, cancellable,
                     radio_on_ready, task);
    return;
  case ENABLE_STEP_REGISTER_STATE:
    request = mbim_message_register_state_query_new (NULL);
    mx_mbim_command (self->mbim, request, "MBIM Register State", MX_MBIM_TIMEOUT_S, cancellable,
                     register_state_ready, task);
    return;
  case ENABLE_STEP_PACKET_SERVICE:
    request = mbim_message_packet_service_query_new (NULL);
    mx_mbim_command (self->mbim, request, "MBIM Packet Service", MX_MBIM_TIMEOUT_S, cancellable,
                     packet_service_ready, task);
    return;
  case ENABLE_STEP_SIGNAL_STATE:
    request = mbim_message_signal_state_query_new (NULL);
    mx_mbim_command (self->mbim, request, "MBIM Signal State", MX_MBIM_TIMEOUT_S, cancellable,
                     signal_state_ready, task);
    return;
  case ENABLE_STEP_DONE:
  default:
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
}

void
mx_modem_mbim_3gpp_enable (MxModem *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!mx_modem_begin_change (self, MX_MODEM_CHANGE_ENABLE, 0, task))
    return;
  g_task_set_task_data (task, g_new0 (EnableStep, 1), g_free);
  enable_step (task);
}

gboolean
mx_modem_mbim_3gpp_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* Disable and power state: Radio State                                     */

static void
radio_set_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  MMModemPowerState power = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(MbimMessage) response = NULL;
  GError *error = NULL;
  gboolean disabling = self->enabling_or_disabling;

  response = mx_mbim_command_finish (res, NULL, &error);
  mx_modem_end_power_change (self, task, power, disabling,
                             response ? NULL : to_mm_error (error, disabling ? "Cannot disable modem: "
                                                                             : "Cannot set power state: "));
}

static void
radio_set (MxModem *self, GTask *task, MMModemPowerState power)
{
  MbimRadioSwitchState radio = power == MM_MODEM_POWER_STATE_ON ? MBIM_RADIO_SWITCH_STATE_ON
                                                                : MBIM_RADIO_SWITCH_STATE_OFF;
  g_autoptr(MbimMessage) request = mbim_message_radio_state_set_new (radio, NULL);

  g_task_set_task_data (task, GUINT_TO_POINTER (power), NULL);
  mx_mbim_command (self->mbim, request, radio == MBIM_RADIO_SWITCH_STATE_ON ? "MBIM Radio State (on)"
                                                                            : "MBIM Radio State (off)",
                   MX_MBIM_TIMEOUT_S, g_task_get_cancellable (task), radio_set_ready, task);
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
  mx_modem_clear_registration (self);
  radio_set (self, task, MM_MODEM_POWER_STATE_LOW);
}

void
mx_modem_mbim_3gpp_disable (MxModem *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!mx_modem_begin_change (self, MX_MODEM_CHANGE_DISABLE, 0, task))
    return;
  /* Bearers go first: no session survives the radio going off. */
  mx_modem_disconnect_bearers (self, g_task_get_cancellable (task), bearers_disconnected, task);
}

void
mx_modem_mbim_3gpp_set_power (MxModem *self, MMModemPowerState power, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!mx_modem_begin_change (self, MX_MODEM_CHANGE_POWER, power, task))
    return;
  /* MBIM has one radio switch: off and low-power are the same. */
  radio_set (self, task, power);
}
