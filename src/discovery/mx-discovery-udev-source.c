/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery-udev-source.h"

static const gchar *subsystems[] = { "net", "wwan", "usbmisc", "rpmsg", "tty", NULL };

struct _MxUdevSource {
  GObject      parent;
  GUdevClient *client;
};

enum { SIGNAL_DEVICE_EVENT, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (MxUdevSource, mx_udev_source, G_TYPE_OBJECT)

static void
uevent (GUdevClient *client, const gchar *action, GUdevDevice *device, MxUdevSource *self)
{
  if (g_strcmp0 (action, "add") && g_strcmp0 (action, "remove") && g_strcmp0 (action, "change")) {
    g_debug ("udev: ignoring action '%s' on %s", action, g_udev_device_get_name (device));
    return;
  }
  g_signal_emit (self, signals[SIGNAL_DEVICE_EVENT], 0, action, device);
}

MxUdevSource *
mx_udev_source_new (void)
{
  MxUdevSource *self = g_object_new (MX_TYPE_UDEV_SOURCE, NULL);

  self->client = g_udev_client_new (subsystems);
  g_signal_connect (self->client, "uevent", G_CALLBACK (uevent), self);
  return self;
}

void
mx_udev_source_scan (MxUdevSource *self)
{
  for (guint i = 0; subsystems[i]; i++) {
    GList *devices = g_udev_client_query_by_subsystem (self->client, subsystems[i]);

    for (GList *l = devices; l; l = l->next)
      g_signal_emit (self, signals[SIGNAL_DEVICE_EVENT], 0, "add", l->data);
    g_list_free_full (devices, g_object_unref);
  }
}

static void
mx_udev_source_finalize (GObject *object)
{
  MxUdevSource *self = MX_UDEV_SOURCE (object);

  g_signal_handlers_disconnect_by_data (self->client, self);
  g_object_unref (self->client);
  G_OBJECT_CLASS (mx_udev_source_parent_class)->finalize (object);
}

static void
mx_udev_source_init (MxUdevSource *self)
{
}

static void
mx_udev_source_class_init (MxUdevSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mx_udev_source_finalize;
  signals[SIGNAL_DEVICE_EVENT] =
    g_signal_new ("device-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_UDEV_TYPE_DEVICE);
}
