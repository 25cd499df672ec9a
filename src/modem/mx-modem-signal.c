/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signal quality and the Signal interface of a QMI modem.
 *
 * The modem reports signal changes itself: when enabling, mx-modem-3gpp.c
 * asks for NAS Signal Info indications (Register Indications' signal-info
 * TLV and Config Signal Info with RSSI/RSRP thresholds) and for NAS Event
 * Report indications (RSSI thresholds). When the modem registers, one NAS
 * Get Signal Info (Get Signal Strength on firmware without it) gives the
 * first value; from then on each indication updates SignalQuality (and the
 * Signal interface's values while Signal.Setup rate > 0). While Signal
 * Info indications are on, no timer runs while the modem sits registered
 * and idle, and the quality stays "recent": a modem that reports every
 * threshold crossing and says nothing has not changed beyond a threshold.
 *
 * Polling remains where it is asked for or needed: every 30 s (as
 * ModemManager refreshes it) when the modem refused Config Signal Info or
 * the indication registration, with ModemManager's 60 s "recent" rule; and
 * every `rate` seconds while Signal.Setup(rate > 0) asks for periodic
 * reads of the per-technology values (Lte, Nr5g, Umts, Gsm); rate 0 stops
 * that and clears them. Nothing is read while the modem is not registered:
 * an idle, unregistered modem gets no QMI traffic from us. */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"
#include "mx-modem-qmi-timeout.h"

/* ModemManager's SIGNAL_QUALITY_CHECK_TIMEOUT_SEC and
 * SIGNAL_QUALITY_RECENT_TIMEOUT_SEC (used without Signal Info indications). */
#define MX_MODEM_SIGNAL_POLL_S    30
#define MX_MODEM_SIGNAL_RECENT_S  60
#define SIGNAL_TIMEOUT_S          10

static gboolean
is_registered (MxModem *self)
{
  MMModem3gppRegistrationState reg = mm_gdbus_modem3gpp_get_registration_state (self->modem_3gpp);

  return self->nas && !self->removed && mx_modem_get_state (self) >= MM_MODEM_STATE_ENABLED &&
         (reg == MM_MODEM_3GPP_REGISTRATION_STATE_HOME || reg == MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING);
}

/* ------------------------------------------------------------------------ */
/* SignalQuality and its recent flag                                        */

static gboolean
recent_expired_cb (gpointer user_data)
{
  MxModem *self = user_data;
  guint quality = 0;
  gboolean recent = FALSE;
  GVariant *current = mm_gdbus_modem_get_signal_quality (self->modem);

  self->signal_recent_id = 0;
  if (current)
    g_variant_get (current, "(ub)", &quality, &recent);
  mm_gdbus_modem_set_signal_quality (self->modem, g_variant_new ("(ub)", quality, FALSE));
  return G_SOURCE_REMOVE;
}

void
mx_modem_signal_set_quality (MxModem *self, guint quality)
{
  mm_gdbus_modem_set_signal_quality (self->modem, g_variant_new ("(ub)", quality, TRUE));
  g_clear_handle_id (&self->signal_recent_id, g_source_remove);
  if (!self->signal_reports)
    self->signal_recent_id = g_timeout_add_seconds (MX_MODEM_SIGNAL_RECENT_S, recent_expired_cb, self);
}

/* ------------------------------------------------------------------------ */
/* The Signal interface's values                                            */

static GVariant *
empty_dict (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);
}

static void
clear_extended (MxModem *self)
{
  mm_gdbus_modem_signal_set_cdma (self->signal, empty_dict ());
  mm_gdbus_modem_signal_set_evdo (self->signal, empty_dict ());
  mm_gdbus_modem_signal_set_gsm (self->signal, empty_dict ());
  mm_gdbus_modem_signal_set_umts (self->signal, empty_dict ());
  mm_gdbus_modem_signal_set_lte (self->signal, empty_dict ());
  mm_gdbus_modem_signal_set_nr5g (self->signal, empty_dict ());
}

static void
add_double (GVariantBuilder *b, const gchar *key, gdouble value)
{
  g_variant_builder_add (b, "{sv}", key, g_variant_new_double (value));
}

/* What Get Signal Info's response and the Signal Info indication carry
 * (the same TLVs, two libqmi types). */
typedef struct {
  gboolean gsm, wcdma, lte, nr, nr_ext;
  gint8    gsm_rssi, wcdma_rssi, lte_rssi, lte_rsrq;
  gint16   wcdma_ecio, lte_rsrp, lte_snr, nr_rsrp, nr_snr, nr_rsrq;
} SignalValues;

#define SIGNAL_VALUES_READ(v, type, out)                                                          \
  do {                                                                                            \
    (v)->gsm = type##_get_gsm_signal_strength ((out), &(v)->gsm_rssi, NULL);                      \
    (v)->wcdma = type##_get_wcdma_signal_strength ((out), &(v)->wcdma_rssi, &(v)->wcdma_ecio, NULL); \
    (v)->lte = type##_get_lte_signal_strength ((out), &(v)->lte_rssi, &(v)->lte_rsrq,              \
                                               &(v)->lte_rsrp, &(v)->lte_snr, NULL);               \
    (v)->nr = type##_get_5g_signal_strength ((out), &(v)->nr_rsrp, &(v)->nr_snr, NULL);            \
    (v)->nr_ext = type##_get_5g_signal_strength_extended ((out), &(v)->nr_rsrq, NULL);             \
  } while (0)

static void
apply_signal_values (MxModem *self, const SignalValues *v)
{
  GVariantBuilder lte, nr5g, umts, gsm;
  gboolean have_quality = FALSE;
  guint quality = 0;

  g_variant_builder_init (&lte, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_init (&nr5g, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_init (&umts, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_init (&gsm, G_VARIANT_TYPE ("a{sv}"));

  /* Quality from the RSSI of the newest technology that has one. */
  if (v->gsm) {
    add_double (&gsm, "rssi", v->gsm_rssi);
    quality = mx_modem_signal_quality_from_rssi (v->gsm_rssi);
    have_quality = TRUE;
  }
  if (v->wcdma) {
    add_double (&umts, "rssi", v->wcdma_rssi);
    add_double (&umts, "ecio", -0.5 * v->wcdma_ecio);   /* QMI: units of -0.5 dB */
    quality = mx_modem_signal_quality_from_rssi (v->wcdma_rssi);
    have_quality = TRUE;
  }
  if (v->lte) {
    add_double (&lte, "rssi", v->lte_rssi);
    add_double (&lte, "rsrq", v->lte_rsrq);
    add_double (&lte, "rsrp", v->lte_rsrp);
    add_double (&lte, "snr", v->lte_snr / 10.0);      /* QMI: units of 0.1 dB */
    quality = mx_modem_signal_quality_from_rssi (v->lte_rssi);
    have_quality = TRUE;
  }
  if (v->nr) {
    add_double (&nr5g, "rsrp", v->nr_rsrp);
    add_double (&nr5g, "snr", v->nr_snr / 10.0);
  }
  if (v->nr_ext)
    add_double (&nr5g, "rsrq", v->nr_rsrq);

  if (have_quality)
    mx_modem_signal_set_quality (self, quality);
  if (mm_gdbus_modem_signal_get_rate (self->signal) > 0) {
    mm_gdbus_modem_signal_set_lte (self->signal, g_variant_builder_end (&lte));
    mm_gdbus_modem_signal_set_nr5g (self->signal, g_variant_builder_end (&nr5g));
    mm_gdbus_modem_signal_set_umts (self->signal, g_variant_builder_end (&umts));
    mm_gdbus_modem_signal_set_gsm (self->signal, g_variant_builder_end (&gsm));
  } else {
    g_variant_builder_clear (&lte);
    g_variant_builder_clear (&nr5g);
    g_variant_builder_clear (&umts);
    g_variant_builder_clear (&gsm);
  }
}

void
mx_modem_signal_info_indication (QmiClientNas *client, QmiIndicationNasSignalInfoOutput *output, MxModem *self)
{
  SignalValues v;

  SIGNAL_VALUES_READ (&v, qmi_indication_nas_signal_info_output, output);
  g_debug ("NAS Signal Info indication");
  apply_signal_values (self, &v);
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */

static void
signal_strength_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(MxModem) self = user_data;
  g_autoptr(QmiMessageNasGetSignalStrengthOutput) output = NULL;
  g_autoptr(GError) error = NULL;
  gint8 strength;

  output = qmi_client_nas_get_signal_strength_finish (QMI_CLIENT_NAS (source), res, &error);
  if (output && qmi_message_nas_get_signal_strength_output_get_result (output, &error) &&
      qmi_message_nas_get_signal_strength_output_get_signal_strength (output, &strength, NULL, &error))
    mx_modem_signal_set_quality (self, mx_modem_signal_quality_from_rssi (strength));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("NAS Get Signal Strength failed: %s", error->message);
}

static void
signal_info_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(MxModem) self = user_data;
  g_autoptr(QmiMessageNasGetSignalInfoOutput) output = NULL;
  g_autoptr(GError) error = NULL;

  output = qmi_client_nas_get_signal_info_finish (QMI_CLIENT_NAS (source), res, &error);
  if (output && qmi_message_nas_get_signal_info_output_get_result (output, &error)) {
    SignalValues v;

    SIGNAL_VALUES_READ (&v, qmi_message_nas_get_signal_info_output, output);
    apply_signal_values (self, &v);
    return;
  }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_debug ("NAS Get Signal Info failed: %s", error->message);
  if ((g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_INVALID_QMI_COMMAND) ||
       g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NOT_SUPPORTED)) &&
      self->nas && self->signal_cancellable) {
    /* Older firmware: quality only, from then on. */
    self->signal_info_unsupported = TRUE;
    qmi_client_nas_get_signal_strength (self->nas, NULL, mx_qmi_timeout (SIGNAL_TIMEOUT_S),
                                        self->signal_cancellable, signal_strength_ready,
                                        g_object_ref (self));
  }
}

static void
refresh (MxModem *self)
{
  if (!is_registered (self))
    return;
  if (!self->signal_cancellable)
    self->signal_cancellable = g_cancellable_new ();
  if (self->signal_info_unsupported)
    qmi_client_nas_get_signal_strength (self->nas, NULL, mx_qmi_timeout (SIGNAL_TIMEOUT_S),
                                        self->signal_cancellable, signal_strength_ready,
                                        g_object_ref (self));
  else
    qmi_client_nas_get_signal_info (self->nas, NULL, mx_qmi_timeout (SIGNAL_TIMEOUT_S),
                                    self->signal_cancellable, signal_info_ready, g_object_ref (self));
}

static gboolean
poll_cb (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

/* The poll while registered: Signal.Setup's rate when one is set (at most
 * 30 s without indications), 30 s without indications, else none. */
static void
restart_poll (MxModem *self)
{
  guint rate = mm_gdbus_modem_signal_get_rate (self->signal);
  guint period;

  g_clear_handle_id (&self->signal_poll_id, g_source_remove);
  if (self->signal_reports && rate == 0) {
    g_debug ("signal: Signal Info indications on, no periodic read");
    return;
  }
  period = rate == 0 ? MX_MODEM_SIGNAL_POLL_S : self->signal_reports ? rate : MIN (rate, MX_MODEM_SIGNAL_POLL_S);
  g_debug ("signal: reading every %u s", period);
  self->signal_poll_id = g_timeout_add_seconds (period, poll_cb, self);
}

static void
stop_reading (MxModem *self)
{
  self->signal_reading = FALSE;
  g_clear_handle_id (&self->signal_poll_id, g_source_remove);
  if (self->signal_cancellable) {
    g_cancellable_cancel (self->signal_cancellable);
    g_clear_object (&self->signal_cancellable);
  }
}

void
mx_modem_signal_update_registration (MxModem *self)
{
  if (!is_registered (self)) {
    if (self->signal_reading) {
      stop_reading (self);
      clear_extended (self);
    }
    return;
  }
  if (self->signal_reading)
    return;
  self->signal_reading = TRUE;
  restart_poll (self);
  refresh (self);
}

void
mx_modem_signal_set_reports (MxModem *self, gboolean on)
{
  if (self->signal_reports == on)
    return;
  self->signal_reports = on;
  if (self->signal_reading)
    restart_poll (self);
  if (on)
    g_clear_handle_id (&self->signal_recent_id, g_source_remove);
}

void
mx_modem_signal_stop (MxModem *self)
{
  stop_reading (self);
  g_clear_handle_id (&self->signal_recent_id, g_source_remove);
  if (self->signal)
    clear_extended (self);
}

/* ------------------------------------------------------------------------ */
/* Signal.Setup, Signal.SetupThresholds                                     */

/* A day between reads is already no refresh; larger rates are mistakes. */
#define MX_MODEM_SIGNAL_MAX_RATE_S 86400

static void
do_setup (MxModem *self, GDBusMethodInvocation *invocation, GVariant *args)
{
  guint rate = g_variant_get_uint32 (args);

  if (rate > MX_MODEM_SIGNAL_MAX_RATE_S) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                                           "Invalid refresh rate %u s: at most %u s (0 turns it off)",
                                           rate, MX_MODEM_SIGNAL_MAX_RATE_S);
    return;
  }
  mm_gdbus_modem_signal_set_rate (self->signal, rate);
  if (rate == 0)
    clear_extended (self);
  if (is_registered (self)) {
    restart_poll (self);
    refresh (self);
  }
  mm_gdbus_modem_signal_complete_setup (self->signal, invocation);
}

static gboolean
handle_setup (MmGdbusModemSignal *skeleton, GDBusMethodInvocation *invocation, guint rate, MxModem *self)
{
  mx_modem_run_authorized (self, invocation, g_variant_new_uint32 (rate), do_setup);
  return TRUE;
}

static gboolean
handle_setup_thresholds (MmGdbusModemSignal *skeleton, GDBusMethodInvocation *invocation,
                         GVariant *settings, MxModem *self)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                         "SetupThresholds is not supported by modemux yet");
  return TRUE;
}

void
mx_modem_signal_init (MxModem *self)
{
  mm_gdbus_modem_signal_set_rate (self->signal, 0);
  mm_gdbus_modem_signal_set_rssi_threshold (self->signal, 0);
  mm_gdbus_modem_signal_set_error_rate_threshold (self->signal, FALSE);
  clear_extended (self);
  g_signal_connect (self->signal, "handle-setup", G_CALLBACK (handle_setup), self);
  g_signal_connect (self->signal, "handle-setup-thresholds", G_CALLBACK (handle_setup_thresholds), self);
}
