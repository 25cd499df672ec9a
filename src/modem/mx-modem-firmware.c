/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Firmware interface of a QMI modem without firmware management (no
 * DMS stored images): List answers the running firmware, DMS Get
 * Revision's string, as the one installed image (generic, selected);
 * UpdateSettings says no update method; Select is refused. */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"

static gboolean
handle_list (MmGdbusModemFirmware *skeleton, GDBusMethodInvocation *invocation, MxModem *self)
{
  const gchar *revision = mm_gdbus_modem_get_revision (self->modem);
  GVariantBuilder installed;

  g_variant_builder_init (&installed, G_VARIANT_TYPE ("aa{sv}"));
  if (revision && *revision) {
    g_variant_builder_open (&installed, G_VARIANT_TYPE ("a{sv}"));
    g_variant_builder_add (&installed, "{sv}", "image-type", g_variant_new_uint32 (MM_FIRMWARE_IMAGE_TYPE_GENERIC));
    g_variant_builder_add (&installed, "{sv}", "unique-id", g_variant_new_string (revision));
    g_variant_builder_close (&installed);
  }
  mm_gdbus_modem_firmware_complete_list (skeleton, invocation, revision ? revision : "",
                                         g_variant_builder_end (&installed));
  return TRUE;
}

static gboolean
handle_select (MmGdbusModemFirmware *skeleton, GDBusMethodInvocation *invocation, const gchar *id, MxModem *self)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                         "Select is not supported: the modem has no firmware images to choose from");
  return TRUE;
}

void
mx_modem_firmware_init (MxModem *self)
{
  mm_gdbus_modem_firmware_set_update_settings (self->firmware,
                                               g_variant_new ("(ua{sv})", MM_MODEM_FIRMWARE_UPDATE_METHOD_NONE, NULL));
  g_signal_connect (self->firmware, "handle-list", G_CALLBACK (handle_list), self);
  g_signal_connect (self->firmware, "handle-select", G_CALLBACK (handle_select), self);
}
