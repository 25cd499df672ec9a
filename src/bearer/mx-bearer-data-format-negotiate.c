/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data-format negotiation: the QMI exchange (DPM Open Port, WDA Get/Set). */
#define G_LOG_DOMAIN "mx-data-format"

#include "mx-bearer-data-format.h"
#include "mx-modem-qmi-timeout.h"

#include <string.h>
#include <libmm-glib.h>

typedef struct {
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

static void get_data_format (GTask *task);
static void try_rung (GTask *task);

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

static void
finish_exhausted (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);

  if (n->request.goal == MX_DATA_FORMAT_GOAL_MULTIPLEX) {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                             "Multiplexing required but the modem accepted no "
                             "QMAP data format on this port (%s)",
                             n->tried->len ? n->tried->str :
                             "the modem reports no aggregation support");
    g_object_unref (task);
    return;
  }
  g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                           "The modem accepted no usable data format on this "
                           "%s port (%s)",
                           mx_data_driver_to_name (n->request.driver),
                           n->tried->len ? n->tried->str : "nothing to try");
  g_object_unref (task);
}

static void
finish_taken (GTask *task, const MxDataFormat *readback)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autofree gchar *desc = NULL;

  n->result = *readback;
  desc = mx_data_format_describe (readback);
  g_info ("data format negotiated on %s port: %s",
          mx_data_driver_to_name (n->request.driver), desc);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
note_tried (Negotiation *n, const MxDataFormat *f, const gchar *outcome)
{
  if (n->tried->len)
    g_string_append (n->tried, "; ");
  g_string_append_printf (n->tried, "%s %s",
                          mx_data_format_dap_to_string (f->dl_dap), outcome);
}

/* ---- Set, then verify ---- */

static void
verify_get_ready (QmiClientWda *wda, GAsyncResult *res, GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  const MxDataFormat *want = &g_array_index (n->ladder, MxDataFormat, n->rung);
  g_autoptr(QmiMessageWdaGetDataFormatOutput) out = NULL;
  g_autoptr(GError) error = NULL;
  MxDataFormat readback;

  out = qmi_client_wda_get_data_format_finish (wda, res, &error);
  if (out && !qmi_message_wda_get_data_format_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_wda_get_data_format_output_unref);
  if (!out) {
    g_prefix_error (&error, "WDA Get Data Format (verify) failed: ");
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  READ_FORMAT (get_data_format, out, &readback);
  if (mx_data_format_taken (want, &readback)) {
    finish_taken (task, &readback);
    return;
  }
  note_tried (n, want, "had no effect");
  n->rung++;
  try_rung (task);
}

static void
set_ready (QmiClientWda *wda, GAsyncResult *res, GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  const MxDataFormat *want = &g_array_index (n->ladder, MxDataFormat, n->rung);
  g_autoptr(QmiMessageWdaSetDataFormatOutput) out = NULL;
  g_autoptr(GError) error = NULL;
  QmiWdaLinkLayerProtocol llp;

  out = qmi_client_wda_set_data_format_finish (wda, res, &error);
  if (!out) {
    /* Transport error or timeout: the port is not in a known state. */
    g_prefix_error (&error, "WDA Set Data Format failed: ");
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  if (!qmi_message_wda_set_data_format_output_get_result (out, &error)) {
    if (g_error_matches (error, QMI_PROTOCOL_ERROR,
                         QMI_PROTOCOL_ERROR_MISSING_ARGUMENT) &&
        !n->send_endpoint) {
      /* Some modems (Quectel RM500Q) insist on the endpoint TLV. */
      g_debug ("WDA Set Data Format wants the endpoint; retrying with it");
      n->send_endpoint = TRUE;
      try_rung (task);
      return;
    }
    if (g_error_matches (error, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT) ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_prefix_error (&error, "WDA Set Data Format failed: ");
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
    g_debug ("WDA Set Data Format %s refused: %s",
             mx_data_format_dap_to_string (want->dl_dap), error->message);
    {
      /* Name the step and the modem's answer: it ends up in the D-Bus error. */
      g_autofree gchar *outcome = g_strdup_printf ("refused by WDA Set Data Format (%s)",
                                                   error->message);
      note_tried (n, want, outcome);
    }
    n->rung++;
    try_rung (task);
    return;
  }

  if (qmi_message_wda_set_data_format_output_get_link_layer_protocol (out, &llp, NULL)) {
    MxDataFormat readback;

    READ_FORMAT (set_data_format, out, &readback);
    if (mx_data_format_taken (want, &readback)) {
      finish_taken (task, &readback);
      return;
    }
    note_tried (n, want, "had no effect");
    n->rung++;
    try_rung (task);
    return;
  }

  /* No echo in the Set response: read back explicitly. */
  {
    g_autoptr(QmiMessageWdaGetDataFormatInput) in = qmi_message_wda_get_data_format_input_new ();

    if (n->send_endpoint)
      qmi_message_wda_get_data_format_input_set_endpoint_info (
          in, n->request.endpoint.type, n->request.endpoint.iface, NULL);
    qmi_client_wda_get_data_format (n->wda, in, mx_qmi_timeout (MX_DATA_FORMAT_QMI_TIMEOUT),
                                    g_task_get_cancellable (task),
                                    (GAsyncReadyCallback) verify_get_ready, task);
  }
}

static void
try_rung (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdaSetDataFormatInput) in = NULL;
  const MxDataFormat *want;

  if (n->rung >= n->ladder->len) {
    finish_exhausted (task);
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
  g_autoptr(GError) error = NULL;

  out = qmi_client_wda_get_data_format_finish (wda, res, &error);
  if (out && !qmi_message_wda_get_data_format_output_get_result (out, &error)) {
    g_clear_pointer (&out, qmi_message_wda_get_data_format_output_unref);
    if (g_error_matches (error, QMI_PROTOCOL_ERROR,
                         QMI_PROTOCOL_ERROR_MISSING_ARGUMENT) &&
        !n->send_endpoint) {
      n->send_endpoint = TRUE;
      get_data_format (task);
      return;
    }
  }
  if (!out) {
    g_prefix_error (&error, "WDA Get Data Format failed: ");
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
    return;
  }
  READ_FORMAT (get_data_format, out, &n->current);
  {
    g_autofree gchar *desc = mx_data_format_describe (&n->current);
    g_debug ("current data format: %s%s", desc,
             n->current.dap_reported ? "" : " (no aggregation TLVs)");
  }

  n->ladder = mx_data_format_ladder (n->request.driver, n->request.goal, &n->current);
  /* Already exactly in the best format we would ask for: nothing to set. */
  if (n->ladder->len > 0 && already_set (&g_array_index (n->ladder, MxDataFormat, 0), &n->current)) {
    finish_taken (task, &n->current);
    return;
  }
  n->rung = 0;
  try_rung (task);
}

static void
get_data_format (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageWdaGetDataFormatInput) in = NULL;

  if (n->send_endpoint) {
    in = qmi_message_wda_get_data_format_input_new ();
    qmi_message_wda_get_data_format_input_set_endpoint_info (
        in, n->request.endpoint.type, n->request.endpoint.iface, NULL);
  }
  qmi_client_wda_get_data_format (n->wda, in, mx_qmi_timeout (MX_DATA_FORMAT_QMI_TIMEOUT),
                                  g_task_get_cancellable (task),
                                  (GAsyncReadyCallback) get_ready, task);
}

/* ---- DPM Open Port (IPA) ---- */

static void
dpm_ready (QmiClientDpm *dpm, GAsyncResult *res, GTask *task)
{
  g_autoptr(QmiMessageDpmOpenPortOutput) out = NULL;
  g_autoptr(GError) error = NULL;

  out = qmi_client_dpm_open_port_finish (dpm, res, &error);
  if (out && !qmi_message_dpm_open_port_output_get_result (out, &error))
    g_clear_pointer (&out, qmi_message_dpm_open_port_output_unref);
  if (!out) {
    /* Some firmware has the port open already (NoEffect) or no DPM;
     * WDA tells us below whether the data path is usable. */
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
    g_message ("DPM Open Port failed, continuing: %s", error->message);
  }
  get_data_format (task);
}

static void
dpm_open_port (GTask *task)
{
  Negotiation *n = g_task_get_task_data (task);
  g_autoptr(QmiMessageDpmOpenPortInput) in = qmi_message_dpm_open_port_input_new ();
  g_autoptr(GArray) ports = g_array_new (FALSE, FALSE,
                                         sizeof (QmiMessageDpmOpenPortInputHardwareDataPortsElement));
  /* The swap is intentional: what the modem transmits, IPA receives. */
  QmiMessageDpmOpenPortInputHardwareDataPortsElement e = {
    .endpoint_type = n->request.endpoint.type,
    .interface_number = n->request.endpoint.iface,
    .rx_endpoint_number = n->request.ipa_modem_tx_endpoint_id,
    .tx_endpoint_number = n->request.ipa_modem_rx_endpoint_id,
  };

  g_array_append_val (ports, e);
  qmi_message_dpm_open_port_input_set_hardware_data_ports (in, ports, NULL);
  qmi_client_dpm_open_port (n->dpm, in, mx_qmi_timeout (MX_DATA_FORMAT_QMI_TIMEOUT),
                            g_task_get_cancellable (task),
                            (GAsyncReadyCallback) dpm_ready, task);
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
  n->wda = g_object_ref (wda);
  n->dpm = dpm ? g_object_ref (dpm) : NULL;
  n->request = *request;
  n->send_endpoint = request->always_send_endpoint;
  n->tried = g_string_new (NULL);
  g_task_set_task_data (task, n, (GDestroyNotify) negotiation_free);

  if (request->driver == MX_DATA_DRIVER_IPA) {
    if (n->dpm && request->ipa_modem_tx_endpoint_id && request->ipa_modem_rx_endpoint_id) {
      dpm_open_port (task);
      return;
    }
    g_message ("IPA modem endpoint ids unknown (Linux < 5.14?) or no DPM "
               "service: skipping DPM Open Port");
  }
  get_data_format (task);
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
