/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MBIM backend of MxModem: the control port opened through mbim-proxy
 * (MBIM_DEVICE_OPEN_FLAGS_PROXY, so mbimcli -p can share it), identity from
 * Device Caps, the SIM through MxSim (Subscriber Ready Status, PIN), power
 * from Radio State, and the Basic Connect indications dispatched to the
 * registration code (mx-modem-mbim-3gpp.c) and the SIM. Nothing is exported
 * until initialization succeeded. */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"
#include "mx-modem-mbim.h"
#include "mx-core-log.h"
#include "mx-core-step.h"
#include "mx-discovery-kernel-device.h"

#define OPEN_TIMEOUT_S 10

typedef enum {
  STEP_DEVICE,
  STEP_OPEN,
  STEP_DEVICE_CAPS,
  STEP_RADIO_STATE,
  STEP_SIM_LOCK,
  STEP_SIM_DATA,
  STEP_DONE,
} InitStep;

static const gchar *const step_names[] = {
  "create MBIM device", "open control port through mbim-proxy", "MBIM Device Caps",
  "MBIM Radio State", "SIM lock state", "SIM data", "done",
};
MX_STEP_NAMES_CHECK (step_names, STEP_DONE);

static void init_step (GTask *task);

static void
init_next (GTask *task)
{
  InitStep *step = g_task_get_task_data (task);

  (*step)++;
  init_step (task);
}

static void
init_failed (GTask *task, GError *error)
{
  InitStep *step = g_task_get_task_data (task);

  mx_step_prefix_error (&error, MX_STEP_NAME (step_names, *step));
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* ---- indications ---- */

static void
indication_cb (MbimDevice *device, MbimMessage *message, MxModem *self)
{
  if (mbim_message_indicate_status_get_service (message) != MBIM_SERVICE_BASIC_CONNECT)
    return;
  if (mbim_message_indicate_status_get_cid (message) == MBIM_CID_BASIC_CONNECT_SUBSCRIBER_READY_STATUS) {
    if (self->sim && mx_modem_get_state (self) != MM_MODEM_STATE_FAILED)
      mx_sim_card_changed (self->sim);
    return;
  }
  mx_modem_mbim_3gpp_indication (self, message);
}

static void
device_removed_cb (MbimDevice *device, MxModem *self)
{
  mx_modem_control_gone (self, self->config->control_port);
}

/* ---- steps ---- */

static void
device_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  GError *error = NULL;
  MbimDevice *device = mbim_device_new_finish (res, &error);

  if (!device) {
    init_failed (task, error);
    return;
  }
  if (self->removed || g_task_return_error_if_cancelled (task)) {
    g_object_unref (device);
    if (!g_task_had_error (task))
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "modem removed");
    g_object_unref (task);
    return;
  }
  self->mbim = device;
  init_next (task);
}

static void
open_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!mbim_device_open_full_finish (MBIM_DEVICE (source), res, &error)) {
    init_failed (task, error);
    return;
  }
  self->mbim_removed_id = g_signal_connect (self->mbim, MBIM_DEVICE_SIGNAL_REMOVED,
                                            G_CALLBACK (device_removed_cb), self);
  self->mbim_indication_id = g_signal_connect (self->mbim, MBIM_DEVICE_SIGNAL_INDICATE_STATUS,
                                               G_CALLBACK (indication_cb), self);
  mx_sim_set_mbim_device (self->sim, self->mbim);
  init_next (task);
}

/* The USB device's iManufacturer string as sysfs shows it; NULL: none
 * (PCIe devices have none). */
static gchar *
physdev_manufacturer (MxModem *self)
{
  g_autofree gchar *path = NULL;
  gchar *value;

  if (!self->config->uid || !g_str_has_prefix (self->config->uid, "/sys/"))
    return NULL;
  path = g_build_filename (self->config->uid, "manufacturer", NULL);
  value = mx_sysfs_read_file (path);
  if (value && !*value)
    g_clear_pointer (&value, g_free);
  return value;
}

static void
device_caps_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autofree gchar *device_id = NULL, *firmware = NULL, *hardware = NULL, *manufacturer = NULL;
  MbimDataClass data_class = 0;
  GError *error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_device_caps_response_parse (response, NULL, NULL, NULL, NULL, &data_class,
                                                             NULL, NULL, NULL, NULL, &device_id, &firmware,
                                                             &hardware, &error)) {
    init_failed (task, error);
    return;
  }
  /* Device Caps has no manufacturer: the physical device's (a USB device's
   * manufacturer string), else the plugin's name, as ModemManager shows it.
   * HardwareInfo is the model. */
  manufacturer = physdev_manufacturer (self);
  mx_modem_set_identity (self, manufacturer ? manufacturer : self->config->plugin, hardware, firmware,
                         hardware, device_id);
  mx_modem_mbim_set_capabilities (self, data_class);
  g_debug ("MBIM Device Caps: device id %s, firmware %s, hardware %s", mx_log_personal (device_id),
           firmware ? firmware : "", hardware ? hardware : "");
  init_next (task);
}

static void
radio_state_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_autoptr(GError) error = NULL;
  MbimRadioSwitchState hw = MBIM_RADIO_SWITCH_STATE_ON, sw = MBIM_RADIO_SWITCH_STATE_ON;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (!response || !mbim_message_radio_state_response_parse (response, &hw, &sw, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || mx_mbim_error_is_timeout (error)) {
      init_failed (task, g_steal_pointer (&error));
      return;
    }
    g_debug ("power state unknown: %s", error->message);
  } else {
    mm_gdbus_modem_set_power_state (self->modem, hw == MBIM_RADIO_SWITCH_STATE_ON && sw == MBIM_RADIO_SWITCH_STATE_ON
                                                 ? MM_MODEM_POWER_STATE_ON : MM_MODEM_POWER_STATE_LOW);
  }
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

  if (!self->backend->load_sim_data_finish (self, res, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || mx_mbim_error_is_timeout (error)) {
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
  InitStep *step = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  switch (*step) {
  case STEP_DEVICE: {
    g_autoptr(GFile) file = g_file_new_for_path (self->config->control_path);
    mbim_device_new (file, cancellable, device_ready, task);
    return;
  }
  case STEP_OPEN:
    mbim_device_open_full (self->mbim, MBIM_DEVICE_OPEN_FLAGS_PROXY, OPEN_TIMEOUT_S, cancellable,
                           open_ready, task);
    return;
  case STEP_DEVICE_CAPS: {
    g_autoptr(MbimMessage) request = mbim_message_device_caps_query_new (NULL);
    mx_mbim_command (self->mbim, request, "MBIM Device Caps", MX_MBIM_TIMEOUT_S, cancellable,
                     device_caps_ready, task);
    return;
  }
  case STEP_RADIO_STATE: {
    g_autoptr(MbimMessage) request = mbim_message_radio_state_query_new (NULL);
    mx_mbim_command (self->mbim, request, "MBIM Radio State", MX_MBIM_TIMEOUT_S, cancellable,
                     radio_state_ready, task);
    return;
  }
  case STEP_SIM_LOCK:
    mx_sim_load_lock (self->sim, cancellable, sim_lock_ready, task);
    return;
  case STEP_SIM_DATA:
    self->backend->load_sim_data (self, cancellable, sim_data_ready, task);
    return;
  case STEP_DONE:
  default:
    mx_modem_complete_unlocked_init (self);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
}

static void
mbim_init_run (MxModem *self, GTask *task)
{
  g_task_set_task_data (task, g_new0 (InitStep, 1), g_free);
  init_step (task);
}

/* ---- SIM data: identity through MxSim ---- */

static void
own_numbers_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) response = NULL;
  g_auto(GStrv) numbers = NULL;
  g_autoptr(GError) error = NULL;

  response = mx_mbim_command_finish (res, NULL, &error);
  if (response && mbim_message_subscriber_ready_status_response_parse (response, NULL, NULL, NULL, NULL, NULL,
                                                                      &numbers, &error)) {
    const gchar *empty[] = { NULL };
    mm_gdbus_modem_set_own_numbers (self->modem, numbers ? (const gchar *const *) numbers : empty);
  } else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  } else {
    g_debug ("own numbers not available: %s", error->message);
  }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
sim_identity_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(MbimMessage) request = NULL;
  GError *error = NULL;

  if (!mx_sim_load_identity_finish (MX_SIM (source), res, &error)) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  /* Own numbers: the TelephoneNumbers of Subscriber Ready Status. */
  request = mbim_message_subscriber_ready_status_query_new (NULL);
  mx_mbim_command (self->mbim, request, "MBIM Subscriber Ready Status", MX_MBIM_TIMEOUT_S,
                   g_task_get_cancellable (task), own_numbers_ready, task);
}

static void
mbim_load_sim_data (MxModem *self, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->sim) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  mx_sim_load_identity (self->sim, cancellable, sim_identity_ready, task);
}

static gboolean
mbim_load_sim_data_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ---- close ---- */

static void
close_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mbim_device_close_finish (MBIM_DEVICE (source), res, &error))
    g_debug ("closing the MBIM device: %s", error->message);
}

static void
mbim_close (MxModem *self)
{
  if (!self->mbim)
    return;
  g_clear_signal_handler (&self->mbim_removed_id, self->mbim);
  g_clear_signal_handler (&self->mbim_indication_id, self->mbim);
  /* The proxy keeps the port open for others; this only ends our client.
   * The device object lives until the close completes. */
  mbim_device_close (self->mbim, 5, NULL, close_ready, NULL);
  g_clear_object (&self->mbim);
}

/* ---- methods only the QMI backend implements ---- */

static gboolean
handle_not_on_mbim (GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                         "%s is not supported on MBIM modems by modemux yet",
                                         g_dbus_method_invocation_get_method_name (invocation));
  return TRUE;
}

static void
replace_handler (gpointer skeleton, const gchar *signal, MxModem *self)
{
  guint id = g_signal_lookup (signal, G_OBJECT_TYPE (skeleton));

  if (!id)
    return;
  g_signal_handlers_disconnect_matched (skeleton, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DATA, id, 0, NULL, NULL, self);
  g_signal_connect (skeleton, signal, G_CALLBACK (handle_not_on_mbim), NULL);
}

void
mx_modem_mbim_setup_interfaces (MxModem *self)
{
  static const gchar *modem_methods[] = { "handle-set-current-bands", "handle-set-current-modes" };
  static const gchar *m3gpp_methods[] = {
    "handle-scan", "handle-set-packet-service-state", "handle-set-initial-eps-bearer-settings",
  };

  for (guint i = 0; i < G_N_ELEMENTS (modem_methods); i++)
    replace_handler (self->modem, modem_methods[i], self);
  for (guint i = 0; i < G_N_ELEMENTS (m3gpp_methods); i++)
    replace_handler (self->modem_3gpp, m3gpp_methods[i], self);
  /* Extended signal values and profiles need QMI NAS and WDS: not offered. */
  mm_gdbus_object_skeleton_set_modem_signal (self->object, NULL);
  mm_gdbus_object_skeleton_set_modem3gpp_profile_manager (self->object, NULL);
}

const MxModemBackend mx_modem_mbim_backend = {
  .name                 = "MBIM",
  .init_run             = mbim_init_run,
  .load_sim_data        = mbim_load_sim_data,
  .load_sim_data_finish = mbim_load_sim_data_finish,
  .enable               = mx_modem_mbim_3gpp_enable,
  .enable_finish        = mx_modem_mbim_3gpp_finish,
  .disable              = mx_modem_mbim_3gpp_disable,
  .disable_finish       = mx_modem_mbim_3gpp_finish,
  .set_power            = mx_modem_mbim_3gpp_set_power,
  .set_power_finish     = mx_modem_mbim_3gpp_finish,
  .teardown             = mx_modem_mbim_3gpp_teardown,
  .close                = mbim_close,
};
