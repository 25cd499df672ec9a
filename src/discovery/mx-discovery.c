/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery.h"
#include "mx-discovery-error.h"

struct _MxDiscovery {
  GObject          parent;
  const MxContext *ctx;
  MxManager       *manager;
  MxDeviceManager *devices;
  gboolean         udev_started;
  gboolean         hooks_installed;
};

G_DEFINE_TYPE (MxDiscovery, mx_discovery, G_TYPE_OBJECT)

MxKernelEvent *
mx_discovery_event_from_properties (MMKernelEventProperties *properties, GError **error)
{
  GVariantBuilder builder;
  const char *keys[] = { "action", "subsystem", "name", "uid" };
  const char *values[] = {
    mm_kernel_event_properties_get_action (properties),
    mm_kernel_event_properties_get_subsystem (properties),
    mm_kernel_event_properties_get_name (properties),
    mm_kernel_event_properties_get_uid (properties),
  };
  g_autoptr(GVariant) dict = NULL;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (values[i])
      g_variant_builder_add (&builder, "{sv}", keys[i], g_variant_new_string (values[i]));
  dict = g_variant_ref_sink (g_variant_builder_end (&builder));
  return mx_kernel_event_from_variant (dict, error);
}

static void
hook_report_kernel_event (gpointer user_data, GDBusMethodInvocation *invocation,
                          MMKernelEventProperties *properties)
{
  MxDiscovery *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MxKernelEvent) event = NULL;

  if (self->udev_started) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                           "Cannot report kernel event: udev monitoring is "
                                           "enabled (start with --no-auto-scan)");
    return;
  }
  event = mx_discovery_event_from_properties (properties, &error);
  if (event)
    mx_device_manager_handle_kernel_event (self->devices, event, &error);
  if (error) {
    g_message ("ReportKernelEvent: %s", error->message);
    g_dbus_method_invocation_take_error (invocation, mx_discovery_error_to_mm (error));
    return;
  }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
hook_scan_devices (gpointer user_data, GDBusMethodInvocation *invocation)
{
  MxDiscovery *self = user_data;

  /* As ModemManager: a scan request starts udev discovery if it was off. */
  self->udev_started = TRUE;
  mx_device_manager_start_udev (self->devices);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const MxManagerDeviceHooks hooks = {
  .scan_devices = hook_scan_devices,
  .report_kernel_event = hook_report_kernel_event,
};

MxDiscovery *
mx_discovery_new (const MxContext *ctx, MxManager *manager, const MxPlugin * const *plugins,
                  MxLinkMap *link_map)
{
  MxDiscovery *self = g_object_new (MX_TYPE_DISCOVERY, NULL);
  MxDeviceManagerOptions options;

  self->ctx = ctx;
  self->manager = g_object_ref (manager);
  mx_device_manager_options_init (&options);
  options.link_map = link_map;
  self->devices = mx_device_manager_new (plugins, &options);
  if (ctx->test_plugin_dir)
    g_message ("--test-plugin-dir ignored: plugins are built in (%s)", ctx->test_plugin_dir);
  return self;
}

gboolean
mx_discovery_start (MxDiscovery *self, GError **error)
{
  if (self->ctx->initial_kernel_events &&
      !mx_device_manager_replay_kernel_events_file (self->devices, self->ctx->initial_kernel_events,
                                                    error))
    return FALSE;
  if (!self->ctx->no_auto_scan) {
    self->udev_started = TRUE;
    mx_device_manager_start_udev (self->devices);
    if (!self->ctx->test_no_qrtr)
      mx_device_manager_start_qrtr (self->devices);
  }
  mx_manager_set_device_hooks (self->manager, &hooks, self);
  self->hooks_installed = TRUE;
  return TRUE;
}

void
mx_discovery_stop (MxDiscovery *self)
{
  if (self->hooks_installed) {
    mx_manager_set_device_hooks (self->manager, NULL, NULL);
    self->hooks_installed = FALSE;
  }
  mx_device_manager_stop (self->devices);
}

MxDeviceManager *
mx_discovery_get_device_manager (MxDiscovery *self)
{
  return self->devices;
}

static void
mx_discovery_dispose (GObject *object)
{
  MxDiscovery *self = MX_DISCOVERY (object);

  if (self->devices)
    mx_discovery_stop (self);
  g_clear_object (&self->devices);
  g_clear_object (&self->manager);
  G_OBJECT_CLASS (mx_discovery_parent_class)->dispose (object);
}

static void
mx_discovery_init (MxDiscovery *self)
{
}

static void
mx_discovery_class_init (MxDiscoveryClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mx_discovery_dispose;
}
