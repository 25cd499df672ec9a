/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Modem3gpp.Scan of a QMI modem: NAS Network Scan. A scan takes the radio
 * a while (tens of seconds on real modems), so the request gets a long
 * timeout; it is cancelled when the modem goes away. Each network found
 * becomes ModemManager's dictionary: status (current, available,
 * forbidden), operator-long, operator-code, access-technology. */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"
#include "mx-modem-qmi-timeout.h"

/* As long as a full multi-RAT scan takes on the slowest modems we know. */
#define SCAN_TIMEOUT_S 120

static MMModem3gppNetworkAvailability
availability_from_status (QmiNasNetworkStatus status)
{
  if (status & QMI_NAS_NETWORK_STATUS_CURRENT_SERVING)
    return MM_MODEM_3GPP_NETWORK_AVAILABILITY_CURRENT;
  if (status & QMI_NAS_NETWORK_STATUS_FORBIDDEN)
    return MM_MODEM_3GPP_NETWORK_AVAILABILITY_FORBIDDEN;
  if (status & QMI_NAS_NETWORK_STATUS_AVAILABLE)
    return MM_MODEM_3GPP_NETWORK_AVAILABILITY_AVAILABLE;
  return MM_MODEM_3GPP_NETWORK_AVAILABILITY_UNKNOWN;
}

static gint
pcs_digit_of (GArray *pcs, guint16 mcc, guint16 mnc)
{
  guint i;

  for (i = 0; pcs && i < pcs->len; i++) {
    const QmiMessageNasNetworkScanOutputMncPcsDigitIncludeStatusElement *e =
      &g_array_index (pcs, QmiMessageNasNetworkScanOutputMncPcsDigitIncludeStatusElement, i);
    if (e->mcc == mcc && e->mnc == mnc)
      return e->includes_pcs_digit;
  }
  return -1;
}

static MMModemAccessTechnology
access_tech_of (GArray *rats, guint16 mcc, guint16 mnc)
{
  MMModemAccessTechnology act = MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN;
  guint i;

  for (i = 0; rats && i < rats->len; i++) {
    const QmiMessageNasNetworkScanOutputRadioAccessTechnologyElement *e =
      &g_array_index (rats, QmiMessageNasNetworkScanOutputRadioAccessTechnologyElement, i);
    if (e->mcc == mcc && e->mnc == mnc)
      act |= mx_modem_access_tech_from_radio (e->radio_interface);
  }
  return act;
}

static void
network_scan_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GDBusMethodInvocation *invocation = user_data;
  MmGdbusModem3gpp *skeleton = g_object_get_data (G_OBJECT (invocation), "mx-3gpp");
  g_autoptr(QmiMessageNasNetworkScanOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  GArray *info = NULL, *rats = NULL, *pcs = NULL;
  GVariantBuilder b;
  guint i;

  output = qmi_client_nas_network_scan_finish (QMI_CLIENT_NAS (source), res, &error);
  if (!output || !qmi_message_nas_network_scan_output_get_result (output, &error)) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR,
                                           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                           ? MM_CORE_ERROR_ABORTED : MM_CORE_ERROR_FAILED,
                                           "Network scan failed: NAS Network Scan: %s", error->message);
    g_object_unref (invocation);
    return;
  }
  qmi_message_nas_network_scan_output_get_network_information (output, &info, NULL);
  qmi_message_nas_network_scan_output_get_radio_access_technology (output, &rats, NULL);
  qmi_message_nas_network_scan_output_get_mnc_pcs_digit_include_status (output, &pcs, NULL);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (i = 0; info && i < info->len; i++) {
    const QmiMessageNasNetworkScanOutputNetworkInformationElement *e =
      &g_array_index (info, QmiMessageNasNetworkScanOutputNetworkInformationElement, i);
    g_autofree gchar *code = mx_modem_operator_code (e->mcc, e->mnc, pcs_digit_of (pcs, e->mcc, e->mnc));

    g_variant_builder_open (&b, G_VARIANT_TYPE ("a{sv}"));
    g_variant_builder_add (&b, "{sv}", "status", g_variant_new_uint32 (availability_from_status (e->network_status)));
    g_variant_builder_add (&b, "{sv}", "operator-code", g_variant_new_string (code));
    if (e->description && *e->description)
      g_variant_builder_add (&b, "{sv}", "operator-long", g_variant_new_string (e->description));
    g_variant_builder_add (&b, "{sv}", "access-technology",
                           g_variant_new_uint32 (access_tech_of (rats, e->mcc, e->mnc)));
    g_variant_builder_close (&b);
  }
  mm_gdbus_modem3gpp_complete_scan (skeleton, invocation, g_variant_builder_end (&b));
  g_object_unref (invocation);
}

static void
do_scan (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  if (!self->nas || mx_modem_get_state (self) < MM_MODEM_STATE_ENABLED) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                           "Cannot scan: the modem is not enabled");
    return;
  }
  g_object_set_data_full (G_OBJECT (invocation), "mx-3gpp", g_object_ref (self->modem_3gpp), g_object_unref);
  qmi_client_nas_network_scan (self->nas, NULL, mx_qmi_timeout (SCAN_TIMEOUT_S), self->cancellable,
                               network_scan_ready, g_object_ref (invocation));
}

static gboolean
handle_scan (MmGdbusModem3gpp *skeleton, GDBusMethodInvocation *invocation, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, NULL, do_scan);
  return TRUE;
}

void
mx_modem_scan_init (MxModem *self)
{
  g_signal_connect (self->modem_3gpp, "handle-scan", G_CALLBACK (handle_scan), self);
}
