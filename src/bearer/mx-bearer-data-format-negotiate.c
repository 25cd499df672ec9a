/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data-format negotiation: the QMI exchange (DPM Open Port, WDA Get/Set),
 * one NegotiateStep machine; Set and its verification repeat per rung of
 * the ladder (mx_data_format_ladder()). */
#define G_LOG_DOMAIN "mx-data-format"

#include "mx-bearer-data-format.h"
#include "mx-core-step.h"
#include "mx-modem-qmi-timeout.h"

#include <string.h>
#include <libmm-glib.h>

typedef enum {
  NEGOTIATE_DPM_OPEN_PORT,
  NEGOTIATE_GET,
  NEGOTIATE_SET,
  NEGOTIATE_VERIFY,
  NEGOTIATE_DONE,
} NegotiateStep;

static const gchar *const step_names[] = {
  "DPM Open Port", "WDA Get Data Format", "WDA Set Data Format", "WDA Get Data Format (verify)",
  "done",
};
MX_STEP_NAMES_CHECK (step_names, NEGOTIATE_DONE);

typedef struct {
  NegotiateStep        step;
  QmiClientWda        *wda;
  QmiClientDpm        *dpm;
  MxDataFormatRequest  request;
  gboolean             send_endpoint;
  MxDataFormat         current;
  GArray              *ladder;
  guint                rung;
  GString             *tried;
  MxDataFormat         result;
} Negotiation;

static void
negotiation_free (Negotiation *n)
{
  g_clear_object (&n->wda);
  g_clear_object (&n->dpm);
  if (n->ladder)
    g_array_unref (n->ladder);
  if (n->tried)
    g_string_free (n->tried, TRUE);
  g_free (n);
}

static void negotiate_step (GTask *task);

/* Steps run in order, except that Set and its verification go round once
 * per rung: the reply names the step to run next. */
static void
negotiate_goto (GTask *task, NegotiateStep step)
{
  Negotiation *n = g_task_get_task_data (task);

  n->step = step;
  negotiate_step (task);
}

/* The current step failed: name it and return. */
static void
step_failed (GTask *task, GError *error)
{
  Negotiation *n = g_task_get_task_data (task);

  mx_step_prefix_error (&error, MX_STEP_NAME (step_names, n->step));
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* ---- reading a format out of Get or Set responses ---- */

#define READ_FORMAT(out_type, output, f)                                       \
  G_STMT_START {                                                               \
    QmiWdaLinkLayerProtocol llp_ = QMI_WDA_LINK_LAYER_PROTOCOL_UNKNOWN;        \
    QmiWdaDataAggregationProtocol ul_ = 0, dl_ = 0;                            \
    gboolean has_ul_, has_dl_;                                                 \
    memset ((f), 0, sizeof *(f));                                              \
    qmi_message_wda_##out_type##_output_get_link_layer_protocol (output, &llp_, NULL); \
    (f)->llp = llp_;                                                           \
    has_ul_ = qmi_message_wda_##out_type##_output_get_uplink_data_aggregation_protocol (output, &ul_, NULL); \
    has_dl_ = qmi_message_wda_##out_type##_output_get_downlink_data_aggregation_protocol (output, &dl_, NULL); \
    (f)->dap_reported = has_ul_ && has_dl_;                                    \
    (f)->ul_dap = ul_;                                                         \
    (f)->dl_dap = dl_;                                                         \
    qmi_message_wda_##out_type##_output_get_downlink_data_aggregation_max_datagrams (output, &(f)->dl_max_datagrams, NULL); \
    qmi_message_wda_##out_type##_output_get_downlink_data_aggregation_max_size (output, &(f)->dl_max_size, NULL); \
    qmi_message_wda_##out_type##_output_get_uplink_data_aggregation_max_datagrams (output, &(f)->ul_max_datagrams, NULL); \
    qmi_message_wda_##out_type##_output_get_uplink_data_aggregation_max_size (output, &(f)->ul_max_size, NULL); \
  } G_STMT_END

/* ---- final answer ---- */

/* No rung was taken: why, for the D-Bus error. */
static GError *
exhausted_error (Negotiation *n)
{
  if (n->request.goal == MX_DATA_FORMAT_GOAL_MULTIPLEX)
    return g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                        "Multiplexing required but the modem accepted no "
                        "QMAP data format on this port (%s)",
                        n->tried->len ? n->tried->str :
                        "the modem reports no aggregation support");
  return g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                      "The modem accepted no usable data format on this "
                      "%s port (%s)",
                      n->request.port_kind,
                      n->tried->len ? n->tried->str : "nothing to try");
}

static void
taken (GTask *task, const MxDataFormat *readback)
{
  Negotiation *n = g_task_get_task_data (task);

  n->result = *readback;
  negotiate_goto (task, NEGOTIATE_DONE);
}

static void
note_tried (Negotiation *n, const MxDataFormat *f, const gchar *outcome)
{
  if (n->tried->len)
    g_string_append (n->tried, "; ");
  g_string_append_printf (n->tried, "%s %s",
                          mx_data_format_dap_to_string (f->dl_dap), outcome);
}

/* The modem did not take the current rung: on to the next one. */
static void
next_rung (GTask *task, const gchar *outcome)
{
  Negotiation *n = g_task_get_task_data (task);

  note_tried (n, &g_array_index (n->ladder, MxDataFormat, n->rung), outcome);
  n->rung++;
  negotiate_goto (task, NEGOTIATE_SET);
}

/* ---- Set, then verify ---- */

static void
verify_get_ready (QmiClientWda *wda, GAsyncResult *res, GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  const MxDataFormat *want = &g_array_index (n->ladder, MxDataFormat, n->rung);
  g_autoptr(QmiMessageWdaGetDataFormatOutput) out = NULL;
  GError *error = NULL;
  MxDataFormat readback;

  out = qmi_client_wda_get_data_format_finish (wda, res, &error);
  if (out && !qmi_message_wda_get_data_format_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_wda_get_data_format_output_unref);
  if (!out) {
    step_failed (task, error);
    return;
  }
  READ_FORMAT (get_data_format, out, &readback);
  if (mx_data_format_taken (want, &readback)) {
    taken (task, &readback);
    return;
  }
  next_rung (task, "had no effect");
}

static void
set_ready (QmiClientWda *wda, GAsyncResult *res, GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  const MxDataFormat *want = &g_array_index (n->ladder, MxDataFormat, n->rung);
  g_autoptr(QmiMessageWdaSetDataFormatOutput) out = NULL;
  GError *error = NULL;
  QmiWdaLinkLayerProtocol llp;

  out = qmi_client_wda_set_data_format_finish (wda, res, &error);
  if (!out) {
    /* Transport error or timeout: the port is not in a known state. */
    step_failed (task, error);
    return;
  }
  if (!qmi_message_wda_set_data_format_output_get_result (out, &error)) {
    g_autofree gchar *outcome = NULL;

    if (g_error_matches (error, QMI_PROTOCOL_ERROR,
                         QMI_PROTOCOL_ERROR_MISSING_ARGUMENT) &&
        !n->send_endpoint) {
      /* Some modems (Quectel RM500Q) insist on the endpoint TLV. */
      g_debug ("WDA Set Data Format wants the endpoint; retrying with it");
      g_clear_error (&error);
      n->send_endpoint = TRUE;
      negotiate_goto (task, NEGOTIATE_SET);
      return;
    }
    if (g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT) ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      step_failed (task, error);
      return;
    }
    g_debug ("WDA Set Data Format %s refused: %s",
             mx_data_format_dap_to_string (want->dl_dap), error->message);
    /* Name the step and the modem's answer: it ends up in the D-Bus error. */
    outcome = g_strdup_printf ("refused by WDA Set Data Format (%s)", error->message);
    g_error_free (error);
    next_rung (task, outcome);
    return;
  }

  if (qmi_message_wda_set_data_format_output_get_link_layer_protocol (out, &llp, NULL)) {
    MxDataFormat readback;

    READ_FORMAT (set_data_format, out, &readback);
    if (mx_data_format_taken (want, &readback)) {
      taken (task, &readback);
      return;
    }
    next_rung (task, "had no effect");
    return;
  }
  /* No echo in the Set response: read back explicitly. */
  negotiate_goto (task, NEGOTIATE_VERIFY);
}

static void
send_set (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdaSetDataFormatInput) in = NULL;
  const MxDataFormat *want;

  if (n->rung >= n->ladder->len) {
    step_failed (task, exhausted_error (n));
    return;
  }
  want = &g_array_index (n->ladder, MxDataFormat, n->rung);

  in = qmi_message_wda_set_data_format_input_new ();
  qmi_message_wda_set_data_format_input_set_link_layer_protocol (in, want->llp, NULL);
  qmi_message_wda_set_data_format_input_set_uplink_data_aggregation_protocol (in, want->ul_dap, NULL);
  qmi_message_wda_set_data_format_input_set_downlink_data_aggregation_protocol (in, want->dl_dap, NULL);
  if (want->dl_dap != QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED) {
    qmi_message_wda_set_data_format_input_set_downlink_data_aggregation_max_datagrams (in, want->dl_max_datagrams, NULL);
    qmi_message_wda_set_data_format_input_set_downlink_data_aggregation_max_size (in, want->dl_max_size, NULL);
  }
  if (n->send_endpoint)
    qmi_message_wda_set_data_format_input_set_endpoint_info (
        in, n->request.endpoint.type, n->request.endpoint.iface, NULL);

  g_debug ("WDA Set Data Format: %s %s",
           mx_data_format_llp_to_string (want->llp),
           mx_data_format_dap_to_string (want->dl_dap));
  qmi_client_wda_set_data_format (n->wda, in, mx_qmi_timeout (MX_DATA_FORMAT_QMI_TIMEOUT),
                                  g_task_get_cancellable (task),
                                  (GAsyncReadyCallback) set_ready, task);
}

/* ---- Get Data Format: what the modem does now and understands ---- */

static gboolean
already_set (const MxDataFormat *want, const MxDataFormat *current)
{
  /* Limits must match too: someone else's smaller (or, for qmi_wwan, larger)
   * aggregation setting is not ours to keep. */
  return mx_data_format_taken (want, current) &&
         (!mx_data_format_is_qmap (want) ||
          (current->dl_max_size == want->dl_max_size &&
           current->dl_max_datagrams == want->dl_max_datagrams));
}

static void
get_ready (QmiClientWda *wda, GAsyncResult *res, GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdaGetDataFormatOutput) out = NULL;
  GError *error = NULL;

  out = qmi_client_wda_get_data_format_finish (wda, res, &error);
  if (out && !qmi_message_wda_get_data_format_output_get_result (out, &error)) {
    g_clear_pointer (&out, qmi_message_wda_get_data_format_output_unref);
    if (g_error_matches (error, QMI_PROTOCOL_ERROR,
                         QMI_PROTOCOL_ERROR_MISSING_ARGUMENT) &&
        !n->send_endpoint) {
      g_clear_error (&error);
      n->send_endpoint = TRUE;
      negotiate_goto (task, NEGOTIATE_GET);
      return;
    }
  }
  if (!out) {
    step_failed (task, error);
    return;
  }
  READ_FORMAT (get_data_format, out, &n->current);
  {
    g_autofree gchar *desc = mx_data_format_describe (&n->current);
    g_debug ("current data format: %s%s", desc,
             n->current.dap_reported ? "" : " (no aggregation TLVs)");
  }

  n->ladder = mx_data_format_ladder (&n->request.profile, n->request.goal, &n->current);
  /* Already exactly in the best format we would ask for: nothing to set. */
  if (n->ladder->len > 0 && already_set (&g_array_index (n->ladder, MxDataFormat, 0), &n->current)) {
    taken (task, &n->current);
    return;
  }
  n->rung = 0;
  negotiate_goto (task, NEGOTIATE_SET);
}

/* Get Data Format, with the endpoint TLV once the modem asked for it. */
static void
send_get (GTask *task, GAsyncReadyCallback ready)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdaGetDataFormatInput) in = NULL;

  if (n->send_endpoint) {
    in = qmi_message_wda_get_data_format_input_new ();
    qmi_message_wda_get_data_format_input_set_endpoint_info (
        in, n->request.endpoint.type, n->request.endpoint.iface, NULL);
  }
  qmi_client_wda_get_data_format (n->wda, in, mx_qmi_timeout (MX_DATA_FORMAT_QMI_TIMEOUT),
                                  g_task_get_cancellable (task), ready, task);
}

/* ---- DPM Open Port (IPA) ---- */

static void
dpm_ready (QmiClientDpm *dpm, GAsyncResult *res, GTask *task)
{
  g_autoptr(QmiMessageDpmOpenPortOutput) out = NULL;
  GError *error = NULL;

  out = qmi_client_dpm_open_port_finish (dpm, res, &error);
  if (out && !qmi_message_dpm_open_port_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_dpm_open_port_output_unref);
  if (!out) {
    /* Some firmware has the port open already (NoEffect) or no DPM;
     * WDA tells us below whether the data path is usable. */
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      step_failed (task, error);
      return;
    }
    g_message ("DPM Open Port failed, continuing: %s", error->message);
    g_error_free (error);
  }
  negotiate_goto (task, NEGOTIATE_GET);
}

static void
dpm_open_port (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageDpmOpenPortInput) in = qmi_message_dpm_open_port_input_new ();
  g_autoptr(GArray) ports = g_array_new (FALSE, FALSE,
                                         sizeof (QmiMessageDpmOpenPortInputHardwareDataPortsElement));
  /* The plugin already swapped them: DPM's rx is what the modem transmits. */
  QmiMessageDpmOpenPortInputHardwareDataPortsElement e = {
    .endpoint_type = n->request.endpoint.type,
    .interface_number = n->request.endpoint.iface,
    .rx_endpoint_number = (guint32) n->request.profile.dpm_rx_endpoint_id,
    .tx_endpoint_number = (guint32) n->request.profile.dpm_tx_endpoint_id,
  };

  if (!n->request.profile.dpm_open_port) {
    negotiate_goto (task, NEGOTIATE_GET);
    return;
  }
  if (!n->dpm || n->request.profile.dpm_rx_endpoint_id < 0 ||
      n->request.profile.dpm_tx_endpoint_id < 0) {
    g_message ("IPA modem endpoint ids unknown (Linux < 5.14?) or no DPM "
               "service: skipping DPM Open Port");
    negotiate_goto (task, NEGOTIATE_GET);
    return;
  }
  g_array_append_val (ports, e);
  qmi_message_dpm_open_port_input_set_hardware_data_ports (in, ports, NULL);
  qmi_client_dpm_open_port (n->dpm, in, mx_qmi_timeout (MX_DATA_FORMAT_QMI_TIMEOUT),
                            g_task_get_cancellable (task),
                            (GAsyncReadyCallback) dpm_ready, task);
}

/* ---- the step machine ---- */

static void
negotiate_step (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);

  switch (n->step) {
  case NEGOTIATE_DPM_OPEN_PORT:
    dpm_open_port (task);
    return;
  case NEGOTIATE_GET:
    send_get (task, (GAsyncReadyCallback) get_ready);
    return;
  case NEGOTIATE_SET:
    send_set (task);
    return;
  case NEGOTIATE_VERIFY:
    send_get (task, (GAsyncReadyCallback) verify_get_ready);
    return;
  case NEGOTIATE_DONE:
  default: {
    g_autofree gchar *desc = mx_data_format_describe (&n->result);

    g_info ("data format negotiated on %s port: %s",
            n->request.port_kind, desc);
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  }
}

void
mx_data_format_negotiate (QmiClientWda              *wda,
                          QmiClientDpm              *dpm,
                          const MxDataFormatRequest *request,
                          GCancellable              *cancellable,
                          GAsyncReadyCallback        callback,
                          gpointer                   user_data)
{
  GTask *task = g_task_new (wda, cancellable, callback, user_data);
  Negotiation *n = g_new0 (Negotiation, 1);

  g_task_set_source_tag (task, mx_data_format_negotiate);
  /* A cut request's error names its step (a port hang-up cancels): GTask
   * must not replace it with a bare "cancelled". */
  g_task_set_check_cancellable (task, FALSE);
  n->wda = g_object_ref (wda);
  n->dpm = dpm ? g_object_ref (dpm) : NULL;
  n->request = *request;
  if (!n->request.port_kind)
    n->request.port_kind = "data";
  n->send_endpoint = request->always_send_endpoint;
  n->tried = g_string_new (NULL);
  g_task_set_task_data (task, n, (GDestroyNotify) negotiation_free);
  negotiate_step (task);
}

gboolean
mx_data_format_negotiate_finish (GAsyncResult  *result,
                                 MxDataFormat  *out,
                                 GError       **error)
{
  GTask *task = G_TASK (result);

  if (!g_task_propagate_boolean (task, error))
    return FALSE;
  if (out)
    *out = ((Negotiation *) g_task_get_task_data (task))->result;
  return TRUE;
}
