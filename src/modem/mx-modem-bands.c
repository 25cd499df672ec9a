/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bands and modes of a QMI modem.
 *
 * SupportedModes: ModemManager's combinations for a QMI modem with NAS
 * System Selection Preference, from the radio interfaces DMS Get
 * Capabilities lists: every single technology, and every set of two or
 * more once per preferred member (newest preferred first).
 * SupportedBands: DMS Get Band Capabilities (GSM/WCDMA mask, LTE mask or
 * the extended LTE list, NR5G list). CurrentModes and CurrentBands: NAS Get
 * System Selection Preference (mode preference, acquisition order, band
 * masks). SetCurrentModes and SetCurrentBands: NAS Set System Selection
 * Preference (permanent), then the preference is read back. */
#define G_LOG_DOMAIN "mx-modem"

#include <string.h>
#include "mx-modem-private.h"
#include "mx-modem-qmi-timeout.h"

#define BANDS_TIMEOUT_S 5

/* ------------------------------------------------------------------------ */
/* Pure mappings                                                            */

static MMModemMode
mode_from_nas_radio (QmiNasRadioInterface radio)
{
  switch (radio) {
  case QMI_NAS_RADIO_INTERFACE_GSM:      return MM_MODEM_MODE_2G;
  case QMI_NAS_RADIO_INTERFACE_UMTS:
  case QMI_NAS_RADIO_INTERFACE_TD_SCDMA: return MM_MODEM_MODE_3G;
  case QMI_NAS_RADIO_INTERFACE_LTE:      return MM_MODEM_MODE_4G;
  case QMI_NAS_RADIO_INTERFACE_5GNR:     return MM_MODEM_MODE_5G;
  default:                               return MM_MODEM_MODE_NONE;
  }
}

static MMModemMode
modes_from_rat_preference (QmiNasRatModePreference pref)
{
  MMModemMode modes = MM_MODEM_MODE_NONE;

  if (pref & QMI_NAS_RAT_MODE_PREFERENCE_GSM)
    modes |= MM_MODEM_MODE_2G;
  if (pref & (QMI_NAS_RAT_MODE_PREFERENCE_UMTS | QMI_NAS_RAT_MODE_PREFERENCE_TD_SCDMA |
              QMI_NAS_RAT_MODE_PREFERENCE_CDMA_1X | QMI_NAS_RAT_MODE_PREFERENCE_CDMA_1XEVDO))
    modes |= MM_MODEM_MODE_3G;
  if (pref & QMI_NAS_RAT_MODE_PREFERENCE_LTE)
    modes |= MM_MODEM_MODE_4G;
  if (pref & QMI_NAS_RAT_MODE_PREFERENCE_5GNR)
    modes |= MM_MODEM_MODE_5G;
  return modes;
}

static QmiNasRatModePreference
rat_preference_from_modes (MMModemMode modes)
{
  QmiNasRatModePreference pref = 0;

  if (modes & MM_MODEM_MODE_2G)
    pref |= QMI_NAS_RAT_MODE_PREFERENCE_GSM;
  if (modes & MM_MODEM_MODE_3G)
    pref |= QMI_NAS_RAT_MODE_PREFERENCE_UMTS;
  if (modes & MM_MODEM_MODE_4G)
    pref |= QMI_NAS_RAT_MODE_PREFERENCE_LTE;
  if (modes & MM_MODEM_MODE_5G)
    pref |= QMI_NAS_RAT_MODE_PREFERENCE_5GNR;
  return pref;
}

/* GSM/WCDMA bits shared by QmiDmsBandCapability and QmiNasBandPreference. */
static const struct { guint bit; MMModemBand band; } legacy_bands[] = {
  { 7,  MM_MODEM_BAND_DCS },     { 8,  MM_MODEM_BAND_EGSM },    { 9,  MM_MODEM_BAND_EGSM },
  { 19, MM_MODEM_BAND_G850 },    { 21, MM_MODEM_BAND_PCS },     { 22, MM_MODEM_BAND_UTRAN_1 },
  { 23, MM_MODEM_BAND_UTRAN_2 }, { 24, MM_MODEM_BAND_UTRAN_3 }, { 25, MM_MODEM_BAND_UTRAN_4 },
  { 26, MM_MODEM_BAND_UTRAN_5 }, { 27, MM_MODEM_BAND_UTRAN_6 }, { 48, MM_MODEM_BAND_UTRAN_7 },
  { 49, MM_MODEM_BAND_UTRAN_8 }, { 50, MM_MODEM_BAND_UTRAN_9 },
};

static void
add_band (GArray *bands, MMModemBand band)
{
  guint i;

  for (i = 0; i < bands->len; i++)
    if (g_array_index (bands, guint32, i) == (guint32) band)
      return;
  g_array_append_val (bands, band);
}

static void
add_legacy_bands (GArray *bands, guint64 mask)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (legacy_bands); i++)
    if (mask & (G_GUINT64_CONSTANT (1) << legacy_bands[i].bit))
      add_band (bands, legacy_bands[i].band);
}

/* E-UTRAN band n is MM_MODEM_BAND_EUTRAN_1 + n - 1, NR band n
 * MM_MODEM_BAND_NGRAN_1 + n - 1, for the bands ModemManager names. */
static MMModemBand
band_from_eutran (guint n)
{
  MMModemBand band = (MMModemBand) (MM_MODEM_BAND_EUTRAN_1 + n - 1);

  return n >= 1 && band < MM_MODEM_BAND_CDMA_BC0 && mm_modem_band_get_string (band) ? band : MM_MODEM_BAND_UNKNOWN;
}

static MMModemBand
band_from_ngran (guint n)
{
  MMModemBand band = (MMModemBand) (MM_MODEM_BAND_NGRAN_1 + n - 1);

  return n >= 1 && mm_modem_band_get_string (band) ? band : MM_MODEM_BAND_UNKNOWN;
}

static void
add_mask_bands (GArray *bands, const guint64 *mask, guint n_words, MMModemBand (*map) (guint))
{
  guint n;

  for (n = 1; n <= n_words * 64; n++)
    if ((mask[(n - 1) / 64] & (G_GUINT64_CONSTANT (1) << ((n - 1) % 64))) && map (n) != MM_MODEM_BAND_UNKNOWN)
      add_band (bands, map (n));
}

static void
add_list_bands (GArray *bands, GArray *list, MMModemBand (*map) (guint))
{
  guint i;

  for (i = 0; list && i < list->len; i++) {
    MMModemBand band = map (g_array_index (list, guint16, i));
    if (band != MM_MODEM_BAND_UNKNOWN)
      add_band (bands, band);
  }
}

static void
set_band_bit (guint64 *mask, guint n)
{
  mask[(n - 1) / 64] |= G_GUINT64_CONSTANT (1) << ((n - 1) % 64);
}

static GVariant *
bands_variant (GArray *bands)
{
  if (bands->len == 0) {
    guint32 unknown = MM_MODEM_BAND_UNKNOWN;
    return g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, &unknown, 1, sizeof (guint32));
  }
  return g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, bands->data, bands->len, sizeof (guint32));
}

/* ------------------------------------------------------------------------ */
/* Supported modes                                                          */

void
mx_modem_bands_set_supported_modes (MxModem *self, guint32 supported)
{
  /* The technology sets in ModemManager's order; 5G ones after the rest. */
  static const MMModemMode sets[] = {
    MM_MODEM_MODE_2G, MM_MODEM_MODE_3G, MM_MODEM_MODE_4G,
    MM_MODEM_MODE_2G | MM_MODEM_MODE_3G, MM_MODEM_MODE_2G | MM_MODEM_MODE_4G,
    MM_MODEM_MODE_3G | MM_MODEM_MODE_4G, MM_MODEM_MODE_2G | MM_MODEM_MODE_3G | MM_MODEM_MODE_4G,
    MM_MODEM_MODE_5G, MM_MODEM_MODE_2G | MM_MODEM_MODE_5G, MM_MODEM_MODE_3G | MM_MODEM_MODE_5G,
    MM_MODEM_MODE_4G | MM_MODEM_MODE_5G, MM_MODEM_MODE_2G | MM_MODEM_MODE_3G | MM_MODEM_MODE_5G,
    MM_MODEM_MODE_2G | MM_MODEM_MODE_4G | MM_MODEM_MODE_5G,
    MM_MODEM_MODE_3G | MM_MODEM_MODE_4G | MM_MODEM_MODE_5G,
    MM_MODEM_MODE_2G | MM_MODEM_MODE_3G | MM_MODEM_MODE_4G | MM_MODEM_MODE_5G,
  };
  GVariantBuilder b;
  guint i;
  gint bit;

  self->supported_modes_mask = supported;
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(uu)"));
  for (i = 0; i < G_N_ELEMENTS (sets); i++) {
    if ((sets[i] & ~supported) != 0)
      continue;
    if ((sets[i] & (sets[i] - 1)) == 0) {   /* a single technology */
      g_variant_builder_add (&b, "(uu)", (guint32) sets[i], (guint32) MM_MODEM_MODE_NONE);
      continue;
    }
    for (bit = 31; bit >= 0; bit--)
      if (sets[i] & (1u << bit))
        g_variant_builder_add (&b, "(uu)", (guint32) sets[i], 1u << bit);
  }
  mm_gdbus_modem_set_supported_modes (self->modem, g_variant_builder_end (&b));
  mm_gdbus_modem_set_current_modes (self->modem, g_variant_new ("(uu)", supported, (guint32) MM_MODEM_MODE_NONE));
}

static gboolean
modes_supported (MxModem *self, guint32 allowed, guint32 preferred)
{
  GVariant *supported = mm_gdbus_modem_get_supported_modes (self->modem);
  GVariantIter iter;
  guint32 a, p;

  if (!supported)
    return FALSE;
  g_variant_iter_init (&iter, supported);
  while (g_variant_iter_next (&iter, "(uu)", &a, &p))
    if (a == allowed && p == preferred)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Reading: System Selection Preference, Band Capabilities                  */

static void
apply_ssp (MxModem *self, QmiMessageNasGetSystemSelectionPreferenceOutput *output)
{
  QmiNasRatModePreference pref;
  QmiNasBandPreference legacy = 0;
  QmiNasLteBandPreference lte64 = 0;
  guint64 lte[4] = { 0 }, nr[8] = { 0 };
  GArray *order = NULL;
  g_autoptr(GArray) bands = g_array_new (FALSE, FALSE, sizeof (guint32));

  if (qmi_message_nas_get_system_selection_preference_output_get_mode_preference (output, &pref, NULL)) {
    MMModemMode allowed = modes_from_rat_preference (pref) & self->supported_modes_mask;
    MMModemMode preferred = MM_MODEM_MODE_NONE;
    guint i;

    /* With more than one technology allowed, the first of the acquisition
     * order is the preferred one. */
    if ((allowed & (allowed - 1)) != 0 &&
        qmi_message_nas_get_system_selection_preference_output_get_acquisition_order_preference (output, &order, NULL))
      for (i = 0; i < order->len && preferred == MM_MODEM_MODE_NONE; i++)
        preferred = mode_from_nas_radio (g_array_index (order, QmiNasRadioInterface, i)) & allowed;
    if (allowed)
      mm_gdbus_modem_set_current_modes (self->modem, g_variant_new ("(uu)", (guint32) allowed, (guint32) preferred));
  }

  qmi_message_nas_get_system_selection_preference_output_get_band_preference (output, &legacy, NULL);
  add_legacy_bands (bands, legacy);
  self->ssp_extended_lte =
    qmi_message_nas_get_system_selection_preference_output_get_extended_lte_band_preference (output, &lte[0], &lte[1],
                                                                                            &lte[2], &lte[3], NULL);
  if (!self->ssp_extended_lte &&
      qmi_message_nas_get_system_selection_preference_output_get_lte_band_preference (output, &lte64, NULL))
    lte[0] = lte64;
  add_mask_bands (bands, lte, 4, band_from_eutran);
  if (qmi_message_nas_get_system_selection_preference_output_get_nr5g_sa_band_preference (
        output, &nr[0], &nr[1], &nr[2], &nr[3], &nr[4], &nr[5], &nr[6], &nr[7], NULL) ||
      qmi_message_nas_get_system_selection_preference_output_get_nr5g_nsa_band_preference (
        output, &nr[0], &nr[1], &nr[2], &nr[3], &nr[4], &nr[5], &nr[6], &nr[7], NULL))
    add_mask_bands (bands, nr, 8, band_from_ngran);
  if (bands->len)
    mm_gdbus_modem_set_current_bands (self->modem, bands_variant (bands));
}

static void
apply_band_capabilities (MxModem *self, QmiMessageDmsGetBandCapabilitiesOutput *output)
{
  QmiDmsBandCapability legacy = 0;
  QmiDmsLteBandCapability lte64 = 0;
  GArray *lte = NULL, *nr = NULL;
  g_autoptr(GArray) bands = g_array_new (FALSE, FALSE, sizeof (guint32));

  qmi_message_dms_get_band_capabilities_output_get_band_capability (output, &legacy, NULL);
  add_legacy_bands (bands, legacy);
  if (qmi_message_dms_get_band_capabilities_output_get_extended_lte_band_capability (output, &lte, NULL))
    add_list_bands (bands, lte, band_from_eutran);
  else if (qmi_message_dms_get_band_capabilities_output_get_lte_band_capability (output, &lte64, NULL)) {
    guint64 mask[1] = { lte64 };
    add_mask_bands (bands, mask, 1, band_from_eutran);
  }
  if (qmi_message_dms_get_band_capabilities_output_get_nr5g_band_capability (output, &nr, NULL))
    add_list_bands (bands, nr, band_from_ngran);
  if (bands->len)
    mm_gdbus_modem_set_supported_bands (self->modem, bands_variant (bands));
}

/* A failure that must end the operation: cancelled, or the modem stopped
 * answering. Anything else leaves the property as it was. */
static gboolean
is_fatal (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT);
}

static void
ssp_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageNasGetSystemSelectionPreferenceOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_nas_get_system_selection_preference_finish (QMI_CLIENT_NAS (source), res, &error);
  if (output && qmi_message_nas_get_system_selection_preference_output_get_result (output, &error))
    apply_ssp (self, output);
  else if (is_fatal (error)) {
    g_prefix_error (&error, "NAS Get System Selection Preference: ");
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  } else {
    g_debug ("NAS Get System Selection Preference failed: %s", error->message);
    g_error_free (error);
  }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
read_ssp (MxModem *self, GTask *task)
{
  qmi_client_nas_get_system_selection_preference (self->nas, NULL, mx_qmi_timeout (BANDS_TIMEOUT_S),
                                                  g_task_get_cancellable (task), ssp_ready, task);
}

static void
band_capabilities_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  MxModem *self = g_task_get_source_object (task);
  g_autoptr(QmiMessageDmsGetBandCapabilitiesOutput) output = NULL;
  GError *error = NULL;

  output = qmi_client_dms_get_band_capabilities_finish (QMI_CLIENT_DMS (source), res, &error);
  if (output && qmi_message_dms_get_band_capabilities_output_get_result (output, &error))
    apply_band_capabilities (self, output);
  else if (is_fatal (error)) {
    g_prefix_error (&error, "DMS Get Band Capabilities: ");
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  } else {
    g_debug ("DMS Get Band Capabilities failed: %s", error->message);
    g_error_free (error);
  }
  read_ssp (self, task);
}

void
mx_modem_bands_load (MxModem *self, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  qmi_client_dms_get_band_capabilities (self->dms, NULL, mx_qmi_timeout (BANDS_TIMEOUT_S), cancellable,
                                        band_capabilities_ready, task);
}

gboolean
mx_modem_bands_load_finish (MxModem *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* SetCurrentModes, SetCurrentBands                                         */

typedef struct {
  MxModem               *self;
  GDBusMethodInvocation *invocation;
  gboolean               bands;   /* SetCurrentBands, else SetCurrentModes */
} SetContext;

static void
set_context_free (SetContext *ctx)
{
  g_object_unref (ctx->self);
  g_object_unref (ctx->invocation);
  g_free (ctx);
}

static void
complete_set (SetContext *ctx)
{
  if (ctx->bands)
    mm_gdbus_modem_complete_set_current_bands (ctx->self->modem, ctx->invocation);
  else
    mm_gdbus_modem_complete_set_current_modes (ctx->self->modem, ctx->invocation);
  set_context_free (ctx);
}

static void
reread_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  SetContext *ctx = user_data;
  g_autoptr(GError) error = NULL;

  /* The change is made; a failed read-back only leaves the old value. */
  if (!mx_modem_bands_load_finish (ctx->self, res, &error))
    g_debug ("reading the system selection preference back: %s", error->message);
  complete_set (ctx);
}

static void
set_ssp_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  SetContext *ctx = user_data;
  g_autoptr(QmiMessageNasSetSystemSelectionPreferenceOutput) output = NULL;
  GError *error = NULL;
  GTask *task;

  output = qmi_client_nas_set_system_selection_preference_finish (QMI_CLIENT_NAS (source), res, &error);
  if (!output || !qmi_message_nas_set_system_selection_preference_output_get_result (output, &error)) {
    g_dbus_method_invocation_return_error (ctx->invocation, MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                                           "Cannot set the %s: NAS Set System Selection Preference: %s",
                                           ctx->bands ? "bands" : "modes", error->message);
    g_error_free (error);
    set_context_free (ctx);
    return;
  }
  if (!ctx->self->nas) {
    complete_set (ctx);
    return;
  }
  task = g_task_new (ctx->self, ctx->self->cancellable, (GAsyncReadyCallback) reread_ready, ctx);
  read_ssp (ctx->self, task);
}

static gboolean
check_state (MxModem *self, GDBusMethodInvocation *invocation)
{
  if (self->nas && mx_modem_get_state (self) >= MM_MODEM_STATE_DISABLED)
    return TRUE;
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                         "Cannot change %s now: the modem is not initialized, locked or failed",
                                         g_str_equal (g_dbus_method_invocation_get_method_name (invocation),
                                                      "SetCurrentBands") ? "bands" : "modes");
  return FALSE;
}

static void
send_ssp (MxModem *self, GDBusMethodInvocation *invocation, gboolean bands,
          QmiMessageNasSetSystemSelectionPreferenceInput *input)
{
  SetContext *ctx = g_new0 (SetContext, 1);

  ctx->self = g_object_ref (self);
  ctx->invocation = g_object_ref (invocation);
  ctx->bands = bands;
  qmi_message_nas_set_system_selection_preference_input_set_change_duration (input, QMI_NAS_CHANGE_DURATION_PERMANENT, NULL);
  qmi_client_nas_set_system_selection_preference (self->nas, input, mx_qmi_timeout (BANDS_TIMEOUT_S),
                                                  self->cancellable, set_ssp_ready, ctx);
}

static void
do_set_current_modes (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  g_autoptr(QmiMessageNasSetSystemSelectionPreferenceInput) input = NULL;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (QmiNasRadioInterface));
  static const QmiNasRadioInterface newest_first[] = {
    QMI_NAS_RADIO_INTERFACE_5GNR, QMI_NAS_RADIO_INTERFACE_LTE, QMI_NAS_RADIO_INTERFACE_UMTS,
    QMI_NAS_RADIO_INTERFACE_GSM,
  };
  guint32 allowed, preferred;
  guint i;

  g_variant_get (args, "(uu)", &allowed, &preferred);
  if (!check_state (self, invocation))
    return;
  if (allowed == MM_MODEM_MODE_ANY)
    allowed = self->supported_modes_mask;
  if (!modes_supported (self, allowed, preferred)) {
    g_autofree gchar *a = mm_modem_mode_build_string_from_mask (allowed);
    g_autofree gchar *p = mm_modem_mode_build_string_from_mask (preferred);
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                           "Mode combination allowed '%s', preferred '%s' is not supported",
                                           a, p);
    return;
  }
  input = qmi_message_nas_set_system_selection_preference_input_new ();
  qmi_message_nas_set_system_selection_preference_input_set_mode_preference (
    input, rat_preference_from_modes (allowed), NULL);
  /* The preferred technology is searched first, then newest to oldest. */
  for (i = 0; i < G_N_ELEMENTS (newest_first); i++)
    if (mode_from_nas_radio (newest_first[i]) == preferred)
      g_array_append_val (order, newest_first[i]);
  for (i = 0; i < G_N_ELEMENTS (newest_first); i++)
    if ((mode_from_nas_radio (newest_first[i]) & allowed) && mode_from_nas_radio (newest_first[i]) != preferred)
      g_array_append_val (order, newest_first[i]);
  qmi_message_nas_set_system_selection_preference_input_set_acquisition_order_preference (input, order, NULL);
  send_ssp (self, invocation, FALSE, input);
}

static gboolean
handle_set_current_modes (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, GVariant *modes, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, modes, do_set_current_modes);
  return TRUE;
}

static gboolean
band_in (GVariant *list, guint32 band)
{
  gsize n, i;
  const guint32 *v = g_variant_get_fixed_array (list, &n, sizeof (guint32));

  for (i = 0; i < n; i++)
    if (v[i] == band)
      return TRUE;
  return FALSE;
}

static void
do_set_current_bands (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  g_autoptr(QmiMessageNasSetSystemSelectionPreferenceInput) input = NULL;
  GVariant *supported = mm_gdbus_modem_get_supported_bands (self->modem);
  guint64 legacy = 0, lte[4] = { 0 }, nr[8] = { 0 };
  gboolean have_nr = FALSE;
  const guint32 *req;
  gsize n, i, j;

  if (!check_state (self, invocation))
    return;
  if (!supported || band_in (supported, MM_MODEM_BAND_UNKNOWN)) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                           "Cannot set bands: the modem did not tell its supported bands");
    return;
  }
  /* ANY: every band the modem supports. */
  if (band_in (args, MM_MODEM_BAND_ANY))
    args = supported;
  req = g_variant_get_fixed_array (args, &n, sizeof (guint32));
  if (n == 0) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                                           "Cannot set bands: no band given");
    return;
  }
  for (i = 0; i < n; i++) {
    MMModemBand band = (MMModemBand) req[i];

    if (!band_in (supported, band)) {
      g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                             "Band '%s' is not supported by the modem",
                                             mm_modem_band_get_string (band) ? mm_modem_band_get_string (band) : "?");
      return;
    }
    if (band >= MM_MODEM_BAND_EUTRAN_1 && band < MM_MODEM_BAND_CDMA_BC0)
      set_band_bit (lte, band - MM_MODEM_BAND_EUTRAN_1 + 1);
    else if (band >= MM_MODEM_BAND_NGRAN_1) {
      set_band_bit (nr, band - MM_MODEM_BAND_NGRAN_1 + 1);
      have_nr = TRUE;
    } else
      for (j = 0; j < G_N_ELEMENTS (legacy_bands); j++)
        if (legacy_bands[j].band == band)
          legacy |= G_GUINT64_CONSTANT (1) << legacy_bands[j].bit;
  }
  input = qmi_message_nas_set_system_selection_preference_input_new ();
  qmi_message_nas_set_system_selection_preference_input_set_band_preference (input, legacy, NULL);
  qmi_message_nas_set_system_selection_preference_input_set_lte_band_preference (input, lte[0], NULL);
  if (self->ssp_extended_lte)
    qmi_message_nas_set_system_selection_preference_input_set_extended_lte_band_preference (
      input, lte[0], lte[1], lte[2], lte[3], NULL);
  if (have_nr || (self->supported_modes_mask & MM_MODEM_MODE_5G)) {
    qmi_message_nas_set_system_selection_preference_input_set_nr5g_sa_band_preference (
      input, nr[0], nr[1], nr[2], nr[3], nr[4], nr[5], nr[6], nr[7], NULL);
    qmi_message_nas_set_system_selection_preference_input_set_nr5g_nsa_band_preference (
      input, nr[0], nr[1], nr[2], nr[3], nr[4], nr[5], nr[6], nr[7], NULL);
  }
  send_ssp (self, invocation, TRUE, input);
}

static gboolean
handle_set_current_bands (MmGdbusModem *skeleton, GDBusMethodInvocation *invocation, GVariant *bands, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, bands, do_set_current_bands);
  return TRUE;
}

void
mx_modem_bands_init (MxModem *self)
{
  g_signal_connect (self->modem, "handle-set-current-modes", G_CALLBACK (handle_set_current_modes), self);
  g_signal_connect (self->modem, "handle-set-current-bands", G_CALLBACK (handle_set_current_bands), self);
}
