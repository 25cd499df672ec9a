/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-manager"

#include <string.h>

#include "mx-config.h"
#include "mx-core-manager.h"
#include "mx-core-auth.h"
#include "mx-core-log.h"

struct _MxManager {
  MmGdbusOrgFreedesktopModemManager1Skeleton parent;

  GDBusConnection          *connection;
  GDBusObjectManagerServer *object_manager;
  GCancellable             *cancellable;  /* pending authorizations; cancelled on dispose */
  gboolean                  exported;
  guint                     next_modem_index;
  GHashTable               *next_index_by_kind;  /* kind -> GUINT_TO_POINTER(next N) */

  MxManagerDeviceHooks      hooks;
  gpointer                  hooks_data;
  gboolean                  have_hooks;
};

G_DEFINE_TYPE (MxManager, mx_manager, MM_GDBUS_TYPE_ORG_FREEDESKTOP_MODEM_MANAGER1_SKELETON)

typedef struct _Call Call;
typedef void (*CallStep) (Call *call);

/* One call in flight. It owns @invocation (the handle-* signal hands its
 * reference over); whoever answers steals it, exactly once. */
struct _Call {
  MxManager             *self;
  GDBusMethodInvocation *invocation;
  CallStep               authorized;   /* what to do once polkit agrees */
  gchar                 *string_arg;   /* SetLogging level, InhibitDevice uid */
  gboolean               bool_arg;     /* InhibitDevice inhibit */
  GVariant              *dict_arg;     /* ReportKernelEvent properties */
};

static Call *
call_new (MxManager *self, GDBusMethodInvocation *invocation)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->invocation = invocation;
  return call;
}

static void
call_free (Call *call)
{
  /* Every path answers; an unanswered call would leave the client waiting. */
  g_warn_if_fail (call->invocation == NULL);
  g_object_unref (call->self);
  g_free (call->string_arg);
  g_clear_pointer (&call->dict_arg, g_variant_unref);
  g_free (call);
}

static void
authorize_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Call *call = user_data;
  GError *error = NULL;

  if (mx_auth_authorize_finish (res, &error))
    call->authorized (call);
  else
    g_dbus_method_invocation_take_error (g_steal_pointer (&call->invocation), error);
  call_free (call);
}

/* Every Manager method is authorized as MX_AUTH_ACTION_CONTROL, as in
 * ModemManager; @authorized runs only when polkit agrees. */
static void
authorize_then (Call *call, CallStep authorized)
{
  call->authorized = authorized;
  mx_auth_authorize (call->invocation, MX_AUTH_ACTION_CONTROL, call->self->cancellable,
                     authorize_ready, call);
}

/* Consumes @invocation. */
static void
return_unsupported (GDBusMethodInvocation *invocation, const gchar *what)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR,
                                         MM_CORE_ERROR_UNSUPPORTED,
                                         "Cannot %s: device discovery is not available in "
                                         "modemux %s yet", what, MX_VERSION);
}

/* SetLogging */

static void
set_logging_authorized (Call *call)
{
  MxLogLevel level;
  GError *error = NULL;

  if (!mx_log_level_from_string (call->string_arg, &level, &error)) {
    g_dbus_method_invocation_return_error (g_steal_pointer (&call->invocation), MM_CORE_ERROR,
                                           MM_CORE_ERROR_INVALID_ARGS, "Cannot set logging: %s",
                                           error->message);
    g_error_free (error);
    return;
  }
  mx_log_set_level (level);
  g_info ("log level set to %s", mx_log_level_to_string (level));
  mm_gdbus_org_freedesktop_modem_manager1_complete_set_logging (
    MM_GDBUS_ORG_FREEDESKTOP_MODEM_MANAGER1 (call->self), g_steal_pointer (&call->invocation));
}

static gboolean
handle_set_logging (MmGdbusOrgFreedesktopModemManager1 *skeleton, GDBusMethodInvocation *invocation,
                    const gchar *level, gpointer user_data)
{
  Call *call = call_new (MX_MANAGER (skeleton), invocation);

  call->string_arg = g_strdup (level);
  authorize_then (call, set_logging_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ScanDevices */

static void
scan_devices_authorized (Call *call)
{
  MxManager *self = call->self;

  if (!self->have_hooks || !self->hooks.scan_devices) {
    return_unsupported (g_steal_pointer (&call->invocation), "scan devices");
    return;
  }
  self->hooks.scan_devices (self->hooks_data, g_steal_pointer (&call->invocation));
}

static gboolean
handle_scan_devices (MmGdbusOrgFreedesktopModemManager1 *skeleton, GDBusMethodInvocation *invocation,
                     gpointer user_data)
{
  authorize_then (call_new (MX_MANAGER (skeleton), invocation), scan_devices_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ReportKernelEvent */

/* ModemManager's dictionary parser is private to it, so we validate here:
 * string values for action (add|remove), subsystem, name and optional uid. */
static MMKernelEventProperties *
kernel_event_from_dictionary (GVariant *dict, GError **error)
{
  MMKernelEventProperties *event = mm_kernel_event_properties_new ();
  GVariantIter iter;
  const gchar *key;
  GVariant *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value)) {
    const gchar *str = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ?
                       g_variant_get_string (value, NULL) : NULL;

    if (!str)
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid kernel event: '%s' must be a string", key);
    else if (g_str_equal (key, "action"))
      mm_kernel_event_properties_set_action (event, str);
    else if (g_str_equal (key, "subsystem"))
      mm_kernel_event_properties_set_subsystem (event, str);
    else if (g_str_equal (key, "name"))
      mm_kernel_event_properties_set_name (event, str);
    else if (g_str_equal (key, "uid"))
      mm_kernel_event_properties_set_uid (event, str);
    else
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                   "Invalid kernel event: unknown key '%s'", key);
    g_variant_unref (value);
    if (error && *error) {
      g_object_unref (event);
      return NULL;
    }
  }

  key = mm_kernel_event_properties_get_action (event);
  if (!key || !(g_str_equal (key, "add") || g_str_equal (key, "remove")))
    g_set_error_literal (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                         "Invalid kernel event: 'action' must be 'add' or 'remove'");
  else if (!mm_kernel_event_properties_get_subsystem (event))
    g_set_error_literal (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                         "Invalid kernel event: 'subsystem' is missing");
  else if (!mm_kernel_event_properties_get_name (event))
    g_set_error_literal (error, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                         "Invalid kernel event: 'name' is missing");
  else
    return event;
  g_object_unref (event);
  return NULL;
}

static void
report_kernel_event_authorized (Call *call)
{
  MxManager *self = call->self;
  MMKernelEventProperties *event;
  GError *error = NULL;

  event = kernel_event_from_dictionary (call->dict_arg, &error);
  if (!event) {
    g_dbus_method_invocation_take_error (g_steal_pointer (&call->invocation), error);
    return;
  }
  if (!self->have_hooks || !self->hooks.report_kernel_event)
    return_unsupported (g_steal_pointer (&call->invocation), "report kernel event");
  else
    self->hooks.report_kernel_event (self->hooks_data, g_steal_pointer (&call->invocation), event);
  g_object_unref (event);
}

static gboolean
handle_report_kernel_event (MmGdbusOrgFreedesktopModemManager1 *skeleton,
                            GDBusMethodInvocation *invocation, GVariant *properties,
                            gpointer user_data)
{
  Call *call = call_new (MX_MANAGER (skeleton), invocation);

  call->dict_arg = g_variant_ref (properties);
  authorize_then (call, report_kernel_event_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* InhibitDevice */

static void
inhibit_device_authorized (Call *call)
{
  MxManager *self = call->self;

  if (!call->string_arg || !*call->string_arg) {
    g_dbus_method_invocation_return_error_literal (g_steal_pointer (&call->invocation), MM_CORE_ERROR,
                                                   MM_CORE_ERROR_INVALID_ARGS,
                                                   "Cannot inhibit device: no device uid given");
    return;
  }
  if (!self->have_hooks || !self->hooks.inhibit_device) {
    return_unsupported (g_steal_pointer (&call->invocation),
                        call->bool_arg ? "inhibit device" : "uninhibit device");
    return;
  }
  self->hooks.inhibit_device (self->hooks_data, g_steal_pointer (&call->invocation),
                              call->string_arg, call->bool_arg);
}

static gboolean
handle_inhibit_device (MmGdbusOrgFreedesktopModemManager1 *skeleton,
                       GDBusMethodInvocation *invocation, const gchar *uid, gboolean inhibit,
                       gpointer user_data)
{
  Call *call = call_new (MX_MANAGER (skeleton), invocation);

  call->string_arg = g_strdup (uid);
  call->bool_arg = inhibit;
  authorize_then (call, inhibit_device_authorized);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* Object life */

MxManager *
mx_manager_new (GDBusConnection *connection)
{
  MxManager *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  self = g_object_new (MX_TYPE_MANAGER, NULL);
  self->connection = g_object_ref (connection);
  return self;
}

gboolean
mx_manager_export (MxManager *self, GError **error)
{
  g_return_val_if_fail (MX_IS_MANAGER (self), FALSE);
  if (self->exported)
    return TRUE;
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self), self->connection,
                                         MX_MANAGER_PATH, error))
    return FALSE;
  g_dbus_object_manager_server_set_connection (self->object_manager, self->connection);
  self->exported = TRUE;
  return TRUE;
}

void
mx_manager_unexport (MxManager *self)
{
  g_return_if_fail (MX_IS_MANAGER (self));
  if (!self->exported)
    return;
  g_dbus_object_manager_server_set_connection (self->object_manager, NULL);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self));
  self->exported = FALSE;
}

GDBusConnection *
mx_manager_get_connection (MxManager *self)
{
  g_return_val_if_fail (MX_IS_MANAGER (self), NULL);
  return self->connection;
}

const gchar *
mx_manager_export_modem (MxManager *self, GDBusObjectSkeleton *modem)
{
  gchar *path;

  g_return_val_if_fail (MX_IS_MANAGER (self), NULL);
  g_return_val_if_fail (G_IS_DBUS_OBJECT_SKELETON (modem), NULL);

  path = g_strdup_printf (MX_MANAGER_PATH "/Modem/%u", self->next_modem_index++);
  g_dbus_object_skeleton_set_object_path (modem, path);
  g_dbus_object_manager_server_export (self->object_manager, modem);
  g_info ("modem exported at %s", path);
  g_free (path);
  return g_dbus_object_get_object_path (G_DBUS_OBJECT (modem));
}

gboolean
mx_manager_unexport_modem (MxManager *self, const gchar *path)
{
  g_return_val_if_fail (MX_IS_MANAGER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_dbus_object_manager_server_unexport (self->object_manager, path))
    return FALSE;
  g_info ("modem at %s removed", path);
  return TRUE;
}

guint
mx_manager_get_n_modems (MxManager *self)
{
  GList *objects;
  guint n;

  g_return_val_if_fail (MX_IS_MANAGER (self), 0);
  objects = g_dbus_object_manager_get_objects (G_DBUS_OBJECT_MANAGER (self->object_manager));
  n = g_list_length (objects);
  g_list_free_full (objects, g_object_unref);
  return n;
}

gchar *
mx_manager_new_object_path (MxManager *self, const gchar *kind)
{
  gchar *path;
  guint n;

  g_return_val_if_fail (MX_IS_MANAGER (self), NULL);
  g_return_val_if_fail (kind && *kind && !strchr (kind, '/'), NULL);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->next_index_by_kind, kind));
  path = g_strdup_printf (MX_MANAGER_PATH "/%s/%u", kind, n);
  g_return_val_if_fail (g_variant_is_object_path (path), (g_free (path), NULL));
  g_hash_table_insert (self->next_index_by_kind, g_strdup (kind), GUINT_TO_POINTER (n + 1));
  return path;
}

void
mx_manager_set_device_hooks (MxManager *self, const MxManagerDeviceHooks *hooks, gpointer user_data)
{
  g_return_if_fail (MX_IS_MANAGER (self));
  self->have_hooks = hooks != NULL;
  if (hooks)
    self->hooks = *hooks;
  else
    memset (&self->hooks, 0, sizeof self->hooks);
  self->hooks_data = hooks ? user_data : NULL;
}

static void
mx_manager_init (MxManager *self)
{
  self->object_manager = g_dbus_object_manager_server_new (MX_MANAGER_PATH);
  self->cancellable = g_cancellable_new ();
  self->next_index_by_kind = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  mm_gdbus_org_freedesktop_modem_manager1_set_version (
    MM_GDBUS_ORG_FREEDESKTOP_MODEM_MANAGER1 (self), MX_VERSION);

  g_signal_connect (self, "handle-set-logging", G_CALLBACK (handle_set_logging), NULL);
  g_signal_connect (self, "handle-scan-devices", G_CALLBACK (handle_scan_devices), NULL);
  g_signal_connect (self, "handle-report-kernel-event", G_CALLBACK (handle_report_kernel_event), NULL);
  g_signal_connect (self, "handle-inhibit-device", G_CALLBACK (handle_inhibit_device), NULL);
}

static void
mx_manager_dispose (GObject *object)
{
  MxManager *self = MX_MANAGER (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  if (self->connection)
    mx_manager_unexport (self);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->next_index_by_kind, g_hash_table_unref);
  G_OBJECT_CLASS (mx_manager_parent_class)->dispose (object);
}

static void
mx_manager_class_init (MxManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mx_manager_dispose;
}
