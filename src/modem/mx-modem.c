/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-modem"

#include <string.h>
#include "mx-modem-private.h"
#include "mx-modem-command.h"
#include "mx-core-auth.h"

G_DEFINE_TYPE (MxModem, mx_modem, G_TYPE_OBJECT)

enum { SIGNAL_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

void
mx_modem_set_bearer_list (MxModem *self, MxModemBearerList *list)
{
  g_return_if_fail (!list || MX_IS_MODEM_BEARER_LIST (list));
  g_set_object (&self->bearers, list);
}

MxModemBearerList *mx_modem_peek_bearer_list (MxModem *self) { return self->bearers; }

static void
bearers_disconnected_all (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!mx_modem_bearer_list_disconnect_all_finish (MX_MODEM_BEARER_LIST (source), res, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
mx_modem_disconnect_bearers (MxModem *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->bearers) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  mx_modem_bearer_list_disconnect_all (self->bearers, cancellable, bearers_disconnected_all, task);
}

gboolean
mx_modem_disconnect_bearers_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* Config                                                                   */

MxModemConfig *
mx_modem_config_copy (const MxModemConfig *config)
{
  MxModemConfig *copy = g_new0 (MxModemConfig, 1);
  guint i;

  copy->uid = g_strdup (config->uid);
  copy->plugin = g_strdup (config->plugin);
  copy->drivers = g_strdupv (config->drivers);
  copy->n_ports = config->n_ports;
  copy->ports = g_new0 (MxModemPort, config->n_ports + 1);
  for (i = 0; i < config->n_ports; i++) {
    copy->ports[i].name = g_strdup (config->ports[i].name);
    copy->ports[i].type = config->ports[i].type;
  }
  copy->control = config->control;
  copy->control_port = g_strdup (config->control_port);
  copy->control_path = g_strdup (config->control_path);
  copy->at_port = g_strdup (config->at_port);
  copy->at_path = g_strdup (config->at_path);
  copy->qrtr = config->qrtr;
  copy->qrtr_node = config->qrtr_node;
  copy->vendor_id = config->vendor_id;
  copy->product_id = config->product_id;
  copy->data_ports = config->data_ports ? g_ptr_array_ref (config->data_ports)
                                        : g_ptr_array_new_with_free_func ((GDestroyNotify) mx_port_unref);
  return copy;
}

void
mx_modem_config_free (MxModemConfig *config)
{
  guint i;

  if (!config)
    return;
  g_free (config->uid);
  g_free (config->plugin);
  g_strfreev (config->drivers);
  for (i = 0; i < config->n_ports; i++)
    g_free (config->ports[i].name);
  g_free (config->ports);
  g_free (config->control_port);
  g_free (config->control_path);
  g_free (config->at_port);
  g_free (config->at_path);
  g_clear_pointer (&config->data_ports, g_ptr_array_unref);
  g_free (config);
}

/* ------------------------------------------------------------------------ */
/* Accessors                                                                */

const MxModemConfig *mx_modem_get_config (MxModem *self) { return self->config; }
const gchar *mx_modem_get_path (MxModem *self) { return self->path; }
MxQmiPort *mx_modem_peek_port (MxModem *self) { return self->port; }
MxModemControl mx_modem_get_control (MxModem *self) { return self->config->control; }
MbimDevice *mx_modem_peek_mbim_device (MxModem *self) { return self->mbim; }
MxManager *mx_modem_peek_manager (MxModem *self) { return self->manager; }
MmGdbusModem *mx_modem_peek_modem_iface (MxModem *self) { return self->modem; }
MmGdbusObjectSkeleton *mx_modem_peek_object (MxModem *self) { return self->object; }
GCancellable *mx_modem_peek_cancellable (MxModem *self) { return self->cancellable; }

GPtrArray *
mx_modem_dup_data_ports (MxModem *self)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; i < self->config->n_ports; i++)
    if (self->config->ports[i].type == MM_MODEM_PORT_TYPE_NET)
      g_ptr_array_add (ports, g_strdup (self->config->ports[i].name));
  return ports;
}

MMModemState
mx_modem_get_state (MxModem *self)
{
  return (MMModemState) mm_gdbus_modem_get_state (self->modem);
}

void
mx_modem_set_state (MxModem *self, MMModemState state, MMModemStateChangeReason reason)
{
  MMModemState old = mx_modem_get_state (self);

  if (old == state)
    return;
  g_info ("modem %s: state %s -> %s", self->path ? self->path : self->config->control_port,
          mm_modem_state_get_string (old), mm_modem_state_get_string (state));
  mm_gdbus_modem_set_state (self->modem, state);
  mm_gdbus_modem_emit_state_changed (self->modem, old, state, reason);
}

MMModemState
mx_modem_get_registration_state (MxModem *self)
{
  switch (mm_gdbus_modem3gpp_get_registration_state (self->modem_3gpp)) {
  case MM_MODEM_3GPP_REGISTRATION_STATE_HOME:
  case MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING:
    return MM_MODEM_STATE_REGISTERED;
  case MM_MODEM_3GPP_REGISTRATION_STATE_SEARCHING:
    return MM_MODEM_STATE_SEARCHING;
  default:
    return MM_MODEM_STATE_ENABLED;
  }
}

/* ------------------------------------------------------------------------ */
/* Registration, whatever the protocol reported it from                     */

void
mx_modem_apply_registration (MxModem *self, MMModem3gppRegistrationState reg3gpp, const gchar *code,
                             const gchar *name, MMModemAccessTechnology act,
                             MMModem3gppPacketServiceState ps)
{
  MMModemState state = mx_modem_get_state (self), next;
  gboolean registered = reg3gpp == MM_MODEM_3GPP_REGISTRATION_STATE_HOME ||
                        reg3gpp == MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING;

  if (registered) {
    mm_gdbus_modem3gpp_set_operator_code (self->modem_3gpp, code ? code : "");
    mm_gdbus_modem3gpp_set_operator_name (self->modem_3gpp, name ? name : "");
    mm_gdbus_modem_set_access_technologies (self->modem, act);
  } else {
    mm_gdbus_modem3gpp_set_operator_code (self->modem_3gpp, "");
    mm_gdbus_modem3gpp_set_operator_name (self->modem_3gpp, "");
    mm_gdbus_modem_set_access_technologies (self->modem, MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN);
  }
  if (mm_gdbus_modem3gpp_get_registration_state (self->modem_3gpp) != reg3gpp)
    g_info ("modem %s: 3GPP registration %s%s%s", self->path ? self->path : "",
            mm_modem_3gpp_registration_state_get_string (reg3gpp), registered && code ? " on " : "",
            registered && code ? code : "");
  mm_gdbus_modem3gpp_set_registration_state (self->modem_3gpp, reg3gpp);
  mm_gdbus_modem3gpp_set_packet_service_state (self->modem_3gpp, ps);

  /* Modem state follows registration while enabled; CONNECTING..CONNECTED
   * belong to the bearer component and only drop when registration is lost. */
  if (state < MM_MODEM_STATE_ENABLED || self->enabling_or_disabling) {
    mx_modem_signal_update_registration (self);
    return;
  }
  if (registered)
    next = state >= MM_MODEM_STATE_REGISTERED ? state : MM_MODEM_STATE_REGISTERED;
  else if (reg3gpp == MM_MODEM_3GPP_REGISTRATION_STATE_SEARCHING)
    next = MM_MODEM_STATE_SEARCHING;
  else
    next = MM_MODEM_STATE_ENABLED;
  mx_modem_set_state (self, next, MM_MODEM_STATE_CHANGE_REASON_UNKNOWN);
  mx_modem_signal_update_registration (self);
}

void
mx_modem_clear_registration (MxModem *self)
{
  mm_gdbus_modem3gpp_set_registration_state (self->modem_3gpp, MM_MODEM_3GPP_REGISTRATION_STATE_IDLE);
  mm_gdbus_modem3gpp_set_operator_code (self->modem_3gpp, "");
  mm_gdbus_modem3gpp_set_operator_name (self->modem_3gpp, "");
  mm_gdbus_modem_set_access_technologies (self->modem, MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN);
  mm_gdbus_modem3gpp_set_packet_service_state (self->modem_3gpp, MM_MODEM_3GPP_PACKET_SERVICE_STATE_UNKNOWN);
  mx_modem_signal_stop (self);
  mm_gdbus_modem_set_signal_quality (self->modem, g_variant_new ("(ub)", 0, FALSE));
}

/* Checks shared by enable, disable and power changes. */
gboolean
mx_modem_check_not_busy (MxModem *self, GTask *task)
{
  MMModemState state = mx_modem_get_state (self);
  const gchar *why = NULL;

  if (self->enabling_or_disabling)
    why = "the modem is being enabled or disabled";
  else if (state == MM_MODEM_STATE_LOCKED)
    why = "the SIM is locked";
  else if (state == MM_MODEM_STATE_FAILED)
    why = "the modem is in failed state";
  else if (state < MM_MODEM_STATE_LOCKED)
    why = "the modem is not initialized yet";
  else if (self->removed || (!self->mbim && (!self->dms || !self->nas)))
    why = "the modem is gone";
  if (!why)
    return TRUE;
  g_task_return_new_error (task, MM_CORE_ERROR,
                           self->enabling_or_disabling ? MM_CORE_ERROR_IN_PROGRESS : MM_CORE_ERROR_WRONG_STATE,
                           "Cannot change the modem now: %s", why);
  g_object_unref (task);
  return FALSE;
}

void
mx_modem_end_power_change (MxModem *self, GTask *task, MMModemPowerState power, gboolean disabling,
                           GError *error)
{
  self->enabling_or_disabling = FALSE;
  if (error) {
    if (disabling && !self->removed)
      mx_modem_set_state (self, MM_MODEM_STATE_DISABLED, MM_MODEM_STATE_CHANGE_REASON_FAILURE);
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  mm_gdbus_modem_set_power_state (self->modem, power);
  if (disabling)
    mx_modem_set_state (self, MM_MODEM_STATE_DISABLED, MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

gboolean
mx_modem_begin_change (MxModem *self, MxModemChange change, MMModemPowerState power, GTask *task)
{
  MMModemState state = mx_modem_get_state (self);

  if ((change == MX_MODEM_CHANGE_ENABLE && state >= MM_MODEM_STATE_ENABLED) ||
      (change == MX_MODEM_CHANGE_DISABLE && state == MM_MODEM_STATE_DISABLED)) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return FALSE;
  }
  if (!mx_modem_check_not_busy (self, task))
    return FALSE;
  if (change == MX_MODEM_CHANGE_POWER) {
    if (state > MM_MODEM_STATE_DISABLED) {
      g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                               "Cannot set power state: the modem is enabled; disable it first");
      g_object_unref (task);
      return FALSE;
    }
    if (power != MM_MODEM_POWER_STATE_LOW && power != MM_MODEM_POWER_STATE_ON &&
        power != MM_MODEM_POWER_STATE_OFF) {
      g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                               "Invalid power state %u", power);
      g_object_unref (task);
      return FALSE;
    }
    return TRUE;
  }
  self->enabling_or_disabling = TRUE;
  mx_modem_set_state (self,
                      change == MX_MODEM_CHANGE_ENABLE ? MM_MODEM_STATE_ENABLING : MM_MODEM_STATE_DISABLING,
                      MM_MODEM_STATE_CHANGE_REASON_USER_REQUESTED);
  return TRUE;
}

/* No card: exported anyway, as ModemManager does, FAILED with the reason. */
void
mx_modem_set_sim_missing (MxModem *self)
{
  g_clear_object (&self->sim);
  mm_gdbus_modem_set_unlock_required (self->modem, MM_MODEM_LOCK_NONE);
  mm_gdbus_modem_set_state_failed_reason (self->modem, MM_MODEM_STATE_FAILED_REASON_SIM_MISSING);
  mx_modem_set_state (self, MM_MODEM_STATE_FAILED, MM_MODEM_STATE_CHANGE_REASON_FAILURE);
}

/* ------------------------------------------------------------------------ */
/* Lock state: UnlockRequired/UnlockRetries, LOCKED <-> DISABLED            */

static void
sim_lock_changed_cb (MxSim *sim, guint lock, GVariant *retries, MxModem *self)
{
  mm_gdbus_modem_set_unlock_required (self->modem, lock);
  mm_gdbus_modem_set_unlock_retries (self->modem, retries);
  mm_gdbus_modem3gpp_set_enabled_facility_locks (self->modem_3gpp, mx_sim_get_enabled_facilities (sim));
}

static void
post_unlock_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxModem *self = MX_MODEM (source);
  g_autoptr(GError) error = NULL;

  if (!self->backend->load_sim_data_finish (self, res, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    g_warning ("modem %s: SIM unlocked but its data cannot be read: %s", self->path, error->message);
  }
  mx_modem_complete_unlocked_init (self);
}

static void
sim_unlocked_cb (MxSim *sim, MxModem *self)
{
  if (mx_modem_get_state (self) != MM_MODEM_STATE_LOCKED)
    return;
  self->backend->load_sim_data (self, self->cancellable, post_unlock_ready, NULL);
}

static void
bearers_dropped_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mx_modem_disconnect_bearers_finish (MX_MODEM (source), res, &error))
    g_warning ("disconnecting bearers after SIM removal: %s", error->message);
}

/* The card went away in use: FAILED (sim-missing), as a modem found
 * without SIM. A card put back is not picked up again (the device must be
 * re-plugged), as with ModemManager before it re-probes. */
static void
sim_card_removed_cb (MxSim *sim, MxModem *self)
{
  if (mx_modem_get_state (self) == MM_MODEM_STATE_FAILED)
    return;
  g_message ("modem %s: SIM card removed", self->path ? self->path : self->config->control_port);
  self->backend->teardown (self);
  if (mx_modem_get_state (self) >= MM_MODEM_STATE_ENABLED)
    mx_modem_disconnect_bearers (self, NULL, bearers_dropped_ready, NULL);
  mm_gdbus_modem_set_unlock_required (self->modem, MM_MODEM_LOCK_NONE);
  mm_gdbus_modem_set_state_failed_reason (self->modem, MM_MODEM_STATE_FAILED_REASON_SIM_MISSING);
  mx_modem_set_state (self, MM_MODEM_STATE_FAILED, MM_MODEM_STATE_CHANGE_REASON_FAILURE);
  mm_gdbus_modem_set_sim (self->modem, "/");
  mx_sim_unexport (sim);
}

/* The part of initialization that needs an unlocked SIM is done. */
void
mx_modem_complete_unlocked_init (MxModem *self)
{
  mx_modem_set_state (self, MM_MODEM_STATE_DISABLED, MM_MODEM_STATE_CHANGE_REASON_UNKNOWN);
  mx_modem_profiles_load_initial (self);
}

/* ------------------------------------------------------------------------ */
/* Authorized method calls: one helper runs a handler after mx_auth.       */

typedef struct {
  MxModem               *self;
  GDBusMethodInvocation *invocation;
  GVariant              *args;
  MxModemAuthorizedFunc  func;
} AuthContext;

static void
authorized_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AuthContext *ctx = user_data;
  GError *error = NULL;

  if (!mx_auth_authorize_finish (res, &error))
    g_dbus_method_invocation_take_error (ctx->invocation, error);
  else if (ctx->self->removed)
    g_dbus_method_invocation_return_error (ctx->invocation, MM_CORE_ERROR, MM_CORE_ERROR_ABORTED,
                                           "Modem was removed");
  else
    ctx->func (ctx->self, ctx->invocation, ctx->args);
  g_object_unref (ctx->self);
  g_object_unref (ctx->invocation);
  if (ctx->args)
    g_variant_unref (ctx->args);
  g_free (ctx);
}

void
mx_modem_run_authorized (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args,
                         MxModemAuthorizedFunc func)
{
  AuthContext *ctx = g_new0 (AuthContext, 1);

  ctx->self = g_object_ref (self);
  ctx->invocation = g_object_ref (invocation);
  ctx->args = args ? g_variant_ref_sink (args) : NULL;
  ctx->func = func;
  mx_auth_authorize (invocation, MX_AUTH_ACTION_DEVICE_CONTROL, self->cancellable, authorized_cb, ctx);
}

static gboolean
return_unsupported (GDBusMethodInvocation *invocation, const gchar *what)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                         "%s is not supported by modemux%s",
                                         g_dbus_method_invocation_get_method_name (invocation),
                                         what ? what : "");
  return TRUE;
}

/* Enable(b) ------------------------------------------------------------ */

static void
enable_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxModem *self = MX_MODEM (source);
  GDBusMethodInvocation *invocation = user_data;
  GError *error = NULL;
  gboolean enable = FALSE, ok;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(b)", &enable);
  ok = enable ? self->backend->enable_finish (self, res, &error)
              : self->backend->disable_finish (self, res, &error);
  if (ok)
    mm_gdbus_modem_complete_enable (self->modem, invocation);
  else
    g_dbus_method_invocation_take_error (invocation, error);
  g_object_unref (invocation);
}

static void
set_power_state_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxModem *self = MX_MODEM (source);
  GDBusMethodInvocation *invocation = user_data;
  GError *error = NULL;

  if (self->backend->set_power_finish (self, res, &error))
    mm_gdbus_modem_complete_set_power_state (self->modem, invocation);
  else
    g_dbus_method_invocation_take_error (invocation, error);
  g_object_unref (invocation);
}

static void
do_enable (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  gboolean enable = g_variant_get_boolean (args);

  if (enable)
    self->backend->enable (self, self->cancellable, enable_ready, g_object_ref (invocation));
  else
    self->backend->disable (self, self->cancellable, enable_ready, g_object_ref (invocation));
}

static gboolean
handle_enable (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, gboolean enable, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, g_variant_new_boolean (enable), do_enable);
  return TRUE;
}

static void
do_set_power_state (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  self->backend->set_power (self, (MMModemPowerState) g_variant_get_uint32 (args), self->cancellable,
                           set_power_state_ready, g_object_ref (invocation));
}

static gboolean
handle_set_power_state (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, guint state, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, g_variant_new_uint32 (state), do_set_power_state);
  return TRUE;
}

/* Bearer methods: forwarded to the bearer component ----------------------- */

#define NO_BEARERS ": the bearer component is not available"

static void
do_create_bearer (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  if (!self->bearers) {
    return_unsupported (invocation, NO_BEARERS);
    return;
  }
  mx_modem_bearer_list_create_bearer (self->bearers, invocation, args);
}

static gboolean
handle_create_bearer (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, GVariant *props, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, props, do_create_bearer);
  return TRUE;
}

static void
do_delete_bearer (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  if (!self->bearers) {
    return_unsupported (invocation, NO_BEARERS);
    return;
  }
  mx_modem_bearer_list_delete_bearer (self->bearers, invocation, g_variant_get_string (args, NULL));
}

static gboolean
handle_delete_bearer (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, const gchar *path, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, g_variant_new_object_path (path), do_delete_bearer);
  return TRUE;
}

static gboolean
handle_list_bearers (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, MxModem *self)
{
  const gchar *const *bearers = mm_gdbus_modem_get_bearers (self->modem);
  const gchar *empty[] = { NULL };

  mm_gdbus_modem_complete_list_bearers (self->modem, invocation, bearers ? bearers : empty);
  return TRUE;
}

/* Simple: Connect unlocks and enables as needed, then hands over. ------- */

typedef struct {
  MxModem               *self;
  GDBusMethodInvocation *invocation;
  GVariant              *properties;
} ConnectContext;

static void
connect_context_free (ConnectContext *ctx)
{
  g_object_unref (ctx->self);
  g_object_unref (ctx->invocation);
  g_variant_unref (ctx->properties);
  g_free (ctx);
}

static void
connect_enabled (GObject *source, GAsyncResult *res, gpointer user_data)
{
  ConnectContext *ctx = user_data;
  GError *error = NULL;

  if (!ctx->self->backend->enable_finish (ctx->self, res, &error)) {
    g_prefix_error (&error, "Cannot connect: ");
    g_dbus_method_invocation_take_error (ctx->invocation, error);
  } else if (!ctx->self->bearers) {
    return_unsupported (ctx->invocation, NO_BEARERS);
  } else {
    mx_modem_bearer_list_simple_connect (ctx->self->bearers, ctx->invocation, ctx->properties);
  }
  connect_context_free (ctx);
}

static void
do_simple_connect (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  ConnectContext *ctx;
  GError *error = NULL;

  if (!self->bearers) {
    return_unsupported (invocation, NO_BEARERS);
    return;
  }
  /* Bad properties are refused before the modem is enabled for them. */
  if (!mx_modem_bearer_list_check_simple_connect (self->bearers, args, &error)) {
    g_dbus_method_invocation_take_error (invocation, error);
    return;
  }
  if (mx_modem_get_state (self) == MM_MODEM_STATE_LOCKED) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                           "Cannot connect: the SIM is locked; send the PIN first");
    return;
  }
  ctx = g_new0 (ConnectContext, 1);
  ctx->self = g_object_ref (self);
  ctx->invocation = g_object_ref (invocation);
  ctx->properties = g_variant_ref (args);
  /* Enable is a no-op when already enabled (or further). */
  self->backend->enable (self, self->cancellable, connect_enabled, ctx);
}

static gboolean
handle_simple_connect (MmGdbusModemSimple *skeleton, GDBusMethodInvocation *invocation,
                       GVariant *properties, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, properties, do_simple_connect);
  return TRUE;
}

static void
do_simple_disconnect (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  if (!self->bearers) {
    return_unsupported (invocation, NO_BEARERS);
    return;
  }
  mx_modem_bearer_list_simple_disconnect (self->bearers, invocation, g_variant_get_string (args, NULL));
}

static gboolean
handle_simple_disconnect (MmGdbusModemSimple *skeleton, GDBusMethodInvocation *invocation,
                          const gchar *bearer, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, g_variant_new_object_path (bearer), do_simple_disconnect);
  return TRUE;
}

static gboolean
handle_simple_get_status (MmGdbusModemSimple *skeleton, GDBusMethodInvocation *invocation, MxModem *self)
{
  GVariantBuilder b;
  guint quality = 0;
  gboolean recent = FALSE;
  MMModemState state = mx_modem_get_state (self);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&b, "{sv}", "state", g_variant_new_uint32 (state));
  if (state >= MM_MODEM_STATE_REGISTERED) {
    g_variant_get (mm_gdbus_modem_get_signal_quality (self->modem), "(ub)", &quality, &recent);
    g_variant_builder_add (&b, "{sv}", "signal-quality", g_variant_new ("(ub)", quality, recent));
    g_variant_builder_add (&b, "{sv}", "access-technologies",
                           g_variant_new_uint32 (mm_gdbus_modem_get_access_technologies (self->modem)));
    g_variant_builder_add (&b, "{sv}", "m3gpp-registration-state",
                           g_variant_new_uint32 (mm_gdbus_modem3gpp_get_registration_state (self->modem_3gpp)));
    g_variant_builder_add (&b, "{sv}", "m3gpp-operator-code",
                           g_variant_new_string (mm_gdbus_modem3gpp_get_operator_code (self->modem_3gpp) ?: ""));
    g_variant_builder_add (&b, "{sv}", "m3gpp-operator-name",
                           g_variant_new_string (mm_gdbus_modem3gpp_get_operator_name (self->modem_3gpp) ?: ""));
  }
  mm_gdbus_modem_simple_complete_get_status (skeleton, invocation, g_variant_builder_end (&b));
  return TRUE;
}

/* Methods without an implementation yet: an honest error. ---------------- */

static gboolean
handle_not_implemented (GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation)
{
  return return_unsupported (invocation, " yet");
}

/* ------------------------------------------------------------------------ */
/* Construction                                                             */

static gchar *
compute_device_identifier (const MxModemConfig *config, const gchar *manufacturer,
                           const gchar *model, const gchar *revision)
{
  /* Stable across restarts, equal for equal hardware at the same place,
   * and not the IMEI (personal data): a hash of what identifies the slot
   * and the firmware, as ModemManager's DeviceIdentifier is. */
  g_autofree gchar *s = g_strdup_printf ("%s|%04x:%04x|%s|%s|%s", config->uid ? config->uid : "",
                                         config->vendor_id, config->product_id,
                                         manufacturer ? manufacturer : "", model ? model : "",
                                         revision ? revision : "");
  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, s, -1);
}

void
mx_modem_set_identity (MxModem *self, const gchar *manufacturer, const gchar *model,
                       const gchar *revision, const gchar *hardware_revision, const gchar *imei)
{
  g_autofree gchar *id = compute_device_identifier (self->config, manufacturer, model, revision);

  mm_gdbus_modem_set_manufacturer (self->modem, manufacturer ? manufacturer : "");
  mm_gdbus_modem_set_model (self->modem, model ? model : "");
  mm_gdbus_modem_set_revision (self->modem, revision ? revision : "");
  mm_gdbus_modem_set_hardware_revision (self->modem, hardware_revision ? hardware_revision : "");
  mm_gdbus_modem_set_equipment_identifier (self->modem, imei ? imei : "");
  mm_gdbus_modem_set_device_identifier (self->modem, id);
  mm_gdbus_modem3gpp_set_imei (self->modem_3gpp, imei ? imei : "");
}

static void
setup_static_properties (MxModem *self)
{
  const MxModemConfig *c = self->config;
  GVariantBuilder ports;
  guint i, n_net = 0;
  guint32 family = MM_BEARER_IP_FAMILY_IPV4 | MM_BEARER_IP_FAMILY_IPV6 | MM_BEARER_IP_FAMILY_IPV4V6;
  const gchar *empty[] = { NULL };

  g_variant_builder_init (&ports, G_VARIANT_TYPE ("a(su)"));
  for (i = 0; i < c->n_ports; i++) {
    g_variant_builder_add (&ports, "(su)", c->ports[i].name, (guint32) c->ports[i].type);
    if (c->ports[i].type == MM_MODEM_PORT_TYPE_NET)
      n_net++;
  }
  mm_gdbus_modem_set_ports (self->modem, g_variant_builder_end (&ports));
  mm_gdbus_modem_set_primary_port (self->modem, c->control_port);
  mm_gdbus_modem_set_device (self->modem, c->uid ? c->uid : "");
  mm_gdbus_modem_set_drivers (self->modem, c->drivers ? (const gchar *const *) c->drivers : empty);
  mm_gdbus_modem_set_plugin (self->modem, c->plugin ? c->plugin : "");
  mm_gdbus_modem_set_supported_ip_families (self->modem, family);
  /* One non-multiplexed bearer per data port; the bearer component refines
   * both numbers once it knows the data format and mux limits. */
  mm_gdbus_modem_set_max_bearers (self->modem, n_net);
  mm_gdbus_modem_set_max_active_bearers (self->modem, n_net);
}

void
mx_modem_update_ports (MxModem *self, const MxModemConfig *config)
{
  MxModemConfig *old = self->config;

  g_return_if_fail (g_strcmp0 (config->control_port, old->control_port) == 0);
  self->config = mx_modem_config_copy (config);
  mx_modem_config_free (old);
  setup_static_properties (self);
}

static void
setup_defaults (MxModem *self)
{
  const gchar *empty[] = { NULL };
  guint32 bands[] = { MM_MODEM_BAND_UNKNOWN };
  GVariantBuilder modes;

  mm_gdbus_modem_set_state (self->modem, MM_MODEM_STATE_UNKNOWN);
  mm_gdbus_modem_set_state_failed_reason (self->modem, MM_MODEM_STATE_FAILED_REASON_NONE);
  mm_gdbus_modem_set_power_state (self->modem, MM_MODEM_POWER_STATE_UNKNOWN);
  mm_gdbus_modem_set_sim (self->modem, "/");
  mm_gdbus_modem_set_sim_slots (self->modem, empty);
  mm_gdbus_modem_set_primary_sim_slot (self->modem, 0);
  mm_gdbus_modem_set_bearers (self->modem, empty);
  mm_gdbus_modem_set_own_numbers (self->modem, empty);
  mm_gdbus_modem_set_unlock_required (self->modem, MM_MODEM_LOCK_UNKNOWN);
  mm_gdbus_modem_set_unlock_retries (self->modem, g_variant_new_array (G_VARIANT_TYPE ("{uu}"), NULL, 0));
  mm_gdbus_modem_set_signal_quality (self->modem, g_variant_new ("(ub)", 0, FALSE));
  mm_gdbus_modem_set_access_technologies (self->modem, MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN);
  mm_gdbus_modem_set_supported_capabilities (self->modem,
                                             g_variant_new_array (G_VARIANT_TYPE_UINT32, NULL, 0));
  mm_gdbus_modem_set_current_capabilities (self->modem, MM_MODEM_CAPABILITY_NONE);
  g_variant_builder_init (&modes, G_VARIANT_TYPE ("a(uu)"));
  mm_gdbus_modem_set_supported_modes (self->modem, g_variant_builder_end (&modes));
  mm_gdbus_modem_set_current_modes (self->modem, g_variant_new ("(uu)", MM_MODEM_MODE_ANY, MM_MODEM_MODE_NONE));
  mm_gdbus_modem_set_supported_bands (self->modem, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, bands, 1, 4));
  mm_gdbus_modem_set_current_bands (self->modem, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, bands, 1, 4));
  mm_gdbus_modem_set_carrier_configuration (self->modem, "");
  mm_gdbus_modem_set_carrier_configuration_revision (self->modem, "");

  mm_gdbus_modem3gpp_set_imei (self->modem_3gpp, "");
  mm_gdbus_modem3gpp_set_registration_state (self->modem_3gpp, MM_MODEM_3GPP_REGISTRATION_STATE_IDLE);
  mm_gdbus_modem3gpp_set_operator_code (self->modem_3gpp, "");
  mm_gdbus_modem3gpp_set_operator_name (self->modem_3gpp, "");
  mm_gdbus_modem3gpp_set_enabled_facility_locks (self->modem_3gpp, MM_MODEM_3GPP_FACILITY_NONE);
  mm_gdbus_modem3gpp_set_eps_ue_mode_operation (self->modem_3gpp, MM_MODEM_3GPP_EPS_UE_MODE_OPERATION_UNKNOWN);
  mm_gdbus_modem3gpp_set_pco (self->modem_3gpp, g_variant_new_array (G_VARIANT_TYPE ("(ubay)"), NULL, 0));
  mm_gdbus_modem3gpp_set_initial_eps_bearer (self->modem_3gpp, "/");
  mm_gdbus_modem3gpp_set_initial_eps_bearer_settings (self->modem_3gpp,
                                                      g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  mm_gdbus_modem3gpp_set_packet_service_state (self->modem_3gpp, MM_MODEM_3GPP_PACKET_SERVICE_STATE_UNKNOWN);
}

static void
connect_handlers (MxModem *self)
{
  static const gchar *modem_unimplemented[] = {
    "handle-reset", "handle-factory-reset", "handle-set-current-capabilities",
    "handle-set-primary-sim-slot", "handle-get-cell-info",
  };
  static const gchar *m3gpp_unimplemented[] = {
    "handle-register", "handle-set-eps-ue-mode-operation",
    "handle-disable-facility-lock", "handle-set-nr5g-registration-settings",
  };
  guint i;

  g_signal_connect (self->modem, "handle-enable", G_CALLBACK (handle_enable), self);
  g_signal_connect (self->modem, "handle-set-power-state", G_CALLBACK (handle_set_power_state), self);
  g_signal_connect (self->modem, "handle-create-bearer", G_CALLBACK (handle_create_bearer), self);
  g_signal_connect (self->modem, "handle-delete-bearer", G_CALLBACK (handle_delete_bearer), self);
  g_signal_connect (self->modem, "handle-list-bearers", G_CALLBACK (handle_list_bearers), self);
  g_signal_connect (self->simple, "handle-connect", G_CALLBACK (handle_simple_connect), self);
  g_signal_connect (self->simple, "handle-disconnect", G_CALLBACK (handle_simple_disconnect), self);
  g_signal_connect (self->simple, "handle-get-status", G_CALLBACK (handle_simple_get_status), self);
  mx_modem_command_connect (self);
  for (i = 0; i < G_N_ELEMENTS (modem_unimplemented); i++)
    if (g_signal_lookup (modem_unimplemented[i], MM_GDBUS_TYPE_MODEM))
      g_signal_connect (self->modem, modem_unimplemented[i], G_CALLBACK (handle_not_implemented), NULL);
  for (i = 0; i < G_N_ELEMENTS (m3gpp_unimplemented); i++)
    if (g_signal_lookup (m3gpp_unimplemented[i], MM_GDBUS_TYPE_MODEM3GPP))
      g_signal_connect (self->modem_3gpp, m3gpp_unimplemented[i], G_CALLBACK (handle_not_implemented), NULL);
}

MxModem *
mx_modem_new (MxManager *manager, const MxModemConfig *config)
{
  MxModem *self = g_object_new (MX_TYPE_MODEM, NULL);

  self->manager = g_object_ref (manager);
  self->config = mx_modem_config_copy (config);
  self->backend = config->control == MX_MODEM_CONTROL_MBIM ? &mx_modem_mbim_backend : &mx_modem_qmi_backend;
  if (config->control == MX_MODEM_CONTROL_QMI)
    mx_modem_qmi_create_port (self);
  else
    mx_modem_mbim_setup_interfaces (self);
  setup_static_properties (self);
  return self;
}

/* The control port went away (either protocol): the registry removes us. */
void
mx_modem_control_gone (MxModem *self, const gchar *port_name)
{
  g_message ("modem %s: control port %s is gone", self->path ? self->path : "(not exported)", port_name);
  g_signal_emit (self, signals[SIGNAL_REMOVED], 0);
}

/* Initialization (the backend's steps: mx-modem-qmi-init.c, mx-modem-mbim.c) -- */

void
mx_modem_initialize (MxModem *self, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mx_modem_initialize);
  if (!self->sim) {
    self->sim = mx_sim_new (self->port, self->cancellable);
    g_signal_connect (self->sim, MX_SIM_SIGNAL_LOCK_CHANGED, G_CALLBACK (sim_lock_changed_cb), self);
    g_signal_connect (self->sim, MX_SIM_SIGNAL_UNLOCKED, G_CALLBACK (sim_unlocked_cb), self);
    g_signal_connect (self->sim, MX_SIM_SIGNAL_CARD_REMOVED, G_CALLBACK (sim_card_removed_cb), self);
  }
  mx_modem_set_state (self, MM_MODEM_STATE_INITIALIZING, MM_MODEM_STATE_CHANGE_REASON_UNKNOWN);
  self->backend->init_run (self, task);
}

gboolean
mx_modem_initialize_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* Export / removal --------------------------------------------------------- */

const gchar *
mx_modem_export (MxModem *self)
{
  GDBusConnection *connection = mx_manager_get_connection (self->manager);
  g_autofree gchar *sim_path = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (!self->path, self->path);
  if (self->sim) {
    sim_path = mx_manager_new_object_path (self->manager, "SIM");
    if (mx_sim_export (self->sim, connection, sim_path, &error)) {
      mm_gdbus_modem_set_sim (self->modem, sim_path);
      mx_sim_watch_card (self->sim);
    } else
      g_warning ("cannot export SIM at %s: %s", sim_path, error->message);
  }
  self->path = g_strdup (mx_manager_export_modem (self->manager, G_DBUS_OBJECT_SKELETON (self->object)));
  g_info ("modem %s: %s %s on %s (plugin %s)", self->path,
          mm_gdbus_modem_get_manufacturer (self->modem), mm_gdbus_modem_get_model (self->modem),
          self->config->control_port, self->config->plugin);
  return self->path;
}

void
mx_modem_remove (MxModem *self)
{
  if (self->removed)
    return;
  self->removed = TRUE;
  g_info ("modem %s: removing", self->path ? self->path : self->config->control_port);
  /* The control port is gone or going: bearers end without it, links go. */
  if (self->bearers)
    mx_modem_bearer_list_lose_all (self->bearers, "the modem went away");
  g_clear_object (&self->bearers);
  g_cancellable_cancel (self->cancellable);
  self->backend->teardown (self);
  if (self->path) {
    mx_manager_unexport_modem (self->manager, self->path);
    g_clear_pointer (&self->path, g_free);
  }
  if (self->sim)
    mx_sim_unexport (self->sim);
  self->backend->close (self);
}

static void
mx_modem_init (MxModem *self)
{
  self->cancellable = g_cancellable_new ();
  self->object = mm_gdbus_object_skeleton_new ("/");
  self->modem = mm_gdbus_modem_skeleton_new ();
  self->modem_3gpp = mm_gdbus_modem3gpp_skeleton_new ();
  self->simple = mm_gdbus_modem_simple_skeleton_new ();
  self->signal = mm_gdbus_modem_signal_skeleton_new ();
  self->firmware = mm_gdbus_modem_firmware_skeleton_new ();
  self->profile_manager = mm_gdbus_modem3gpp_profile_manager_skeleton_new ();
  setup_defaults (self);
  connect_handlers (self);
  mx_modem_signal_init (self);
  mx_modem_bands_init (self);
  mx_modem_firmware_init (self);
  mx_modem_profiles_init (self);
  mx_modem_3gpp_init (self);
  mx_modem_scan_init (self);
  mm_gdbus_object_skeleton_set_modem (self->object, self->modem);
  mm_gdbus_object_skeleton_set_modem3gpp (self->object, self->modem_3gpp);
  mm_gdbus_object_skeleton_set_modem_simple (self->object, self->simple);
  mm_gdbus_object_skeleton_set_modem_signal (self->object, self->signal);
  mm_gdbus_object_skeleton_set_modem_firmware (self->object, self->firmware);
  mm_gdbus_object_skeleton_set_modem3gpp_profile_manager (self->object, self->profile_manager);
}

static void
mx_modem_dispose (GObject *object)
{
  MxModem *self = MX_MODEM (object);

  if (self->config && !self->removed)
    mx_modem_remove (self);
  g_clear_object (&self->bearers);
  if (self->sim) {
    g_signal_handlers_disconnect_by_data (self->sim, self);
    g_clear_object (&self->sim);
  }
  if (self->modem) {
    g_signal_handlers_disconnect_by_data (self->modem, self);
    g_signal_handlers_disconnect_by_func (self->modem, handle_not_implemented, NULL);
  }
  if (self->modem_3gpp) {
    g_signal_handlers_disconnect_by_func (self->modem_3gpp, handle_not_implemented, NULL);
    g_signal_handlers_disconnect_by_data (self->modem_3gpp, self);
  }
  if (self->simple)
    g_signal_handlers_disconnect_by_data (self->simple, self);
  if (self->signal) {
    mx_modem_signal_stop (self);
    g_signal_handlers_disconnect_by_data (self->signal, self);
  }
  g_clear_object (&self->object);
  g_clear_object (&self->modem);
  g_clear_object (&self->modem_3gpp);
  g_clear_object (&self->simple);
  g_clear_object (&self->signal);
  if (self->firmware)
    g_signal_handlers_disconnect_by_data (self->firmware, self);
  g_clear_object (&self->firmware);
  if (self->profile_manager)
    g_signal_handlers_disconnect_by_data (self->profile_manager, self);
  g_clear_object (&self->profile_manager);
  g_clear_object (&self->port);
  g_clear_object (&self->mbim);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  G_OBJECT_CLASS (mx_modem_parent_class)->dispose (object);
}

static void
mx_modem_finalize (GObject *object)
{
  MxModem *self = MX_MODEM (object);

  mx_modem_config_free (self->config);
  g_free (self->path);
  G_OBJECT_CLASS (mx_modem_parent_class)->finalize (object);
}

static void
mx_modem_class_init (MxModemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_modem_dispose;
  object_class->finalize = mx_modem_finalize;
  signals[SIGNAL_REMOVED] =
    g_signal_new (MX_MODEM_SIGNAL_REMOVED, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}
