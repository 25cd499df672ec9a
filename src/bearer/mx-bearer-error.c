/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Start Network failures -> ModemManager errors; see mx-bearer-error.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-error.h"

/* 3GPP session management causes (TS 24.008 10.5.6.6, TS 24.301 9.9.4.4),
 * as QMI reports them in a verbose call-end reason of type 3GPP, to the
 * +CME ERROR codes ModemManager names them by. */
static const struct {
  gint16                 cause;
  MMMobileEquipmentError code;
  const gchar           *text;
} cause_3gpp[] = {
  {   8, MM_MOBILE_EQUIPMENT_ERROR_OPERATOR_DETERMINED_BARRING, "operator determined barring" },
  {  26, MM_MOBILE_EQUIPMENT_ERROR_INSUFFICIENT_RESOURCES, "insufficient resources" },
  {  27, MM_MOBILE_EQUIPMENT_ERROR_MISSING_OR_UNKNOWN_APN, "missing or unknown APN" },
  {  28, MM_MOBILE_EQUIPMENT_ERROR_UNKNOWN_PDP_ADDRESS_OR_TYPE, "unknown PDP address or PDP type" },
  {  29, MM_MOBILE_EQUIPMENT_ERROR_USER_AUTHENTICATION_FAILED, "user authentication failed" },
  {  30, MM_MOBILE_EQUIPMENT_ERROR_ACTIVATION_REJECTED_BY_GGSN_OR_GW, "activation rejected by GGSN or gateway" },
  {  31, MM_MOBILE_EQUIPMENT_ERROR_ACTIVATION_REJECTED_UNSPECIFIED, "activation rejected, unspecified" },
  {  32, MM_MOBILE_EQUIPMENT_ERROR_SERVICE_OPTION_NOT_SUPPORTED, "service option not supported" },
  {  33, MM_MOBILE_EQUIPMENT_ERROR_SERVICE_OPTION_NOT_SUBSCRIBED, "requested service option not subscribed" },
  {  34, MM_MOBILE_EQUIPMENT_ERROR_SERVICE_OPTION_OUT_OF_ORDER, "service option temporarily out of order" },
  {  35, MM_MOBILE_EQUIPMENT_ERROR_NSAPI_OR_PTI_ALREADY_IN_USE, "NSAPI or PTI already in use" },
  {  36, MM_MOBILE_EQUIPMENT_ERROR_REGULAR_DEACTIVATION, "regular deactivation" },
  {  37, MM_MOBILE_EQUIPMENT_ERROR_QOS_NOT_ACCEPTED, "QoS not accepted" },
  {  38, MM_MOBILE_EQUIPMENT_ERROR_NETWORK_FAILURE_ACTIVATION, "network failure" },
  {  39, MM_MOBILE_EQUIPMENT_ERROR_REACTIVATION_REQUESTED, "reactivation requested" },
  {  40, MM_MOBILE_EQUIPMENT_ERROR_FEATURE_NOT_SUPPORTED, "feature not supported" },
  {  41, MM_MOBILE_EQUIPMENT_ERROR_SEMANTIC_ERROR_IN_TFT_OPERATION, "semantic error in the TFT operation" },
  {  42, MM_MOBILE_EQUIPMENT_ERROR_SYNTACTICAL_ERROR_IN_TFT_OPERATION, "syntactical error in the TFT operation" },
  {  43, MM_MOBILE_EQUIPMENT_ERROR_UNKNOWN_PDP_CONTEXT, "unknown PDP context" },
  {  44, MM_MOBILE_EQUIPMENT_ERROR_SEMANTIC_ERRORS_IN_PACKET_FILTER, "semantic errors in packet filter" },
  {  45, MM_MOBILE_EQUIPMENT_ERROR_SYNTACTICAL_ERROR_IN_PACKET_FILTER, "syntactical errors in packet filter" },
  {  46, MM_MOBILE_EQUIPMENT_ERROR_PDP_CONTEXT_WITHOUT_TFT_ALREADY_ACTIVATED, "PDP context without TFT already activated" },
  {  50, MM_MOBILE_EQUIPMENT_ERROR_IPV4_ONLY_ALLOWED, "PDN type IPv4 only allowed" },
  {  51, MM_MOBILE_EQUIPMENT_ERROR_IPV6_ONLY_ALLOWED, "PDN type IPv6 only allowed" },
  {  52, MM_MOBILE_EQUIPMENT_ERROR_SINGLE_ADDRESS_BEARERS_ONLY_ALLOWED, "single address bearers only allowed" },
  {  53, MM_MOBILE_EQUIPMENT_ERROR_ESM_INFORMATION_NOT_RECEIVED, "ESM information not received" },
  {  54, MM_MOBILE_EQUIPMENT_ERROR_PDN_CONNECTION_NONEXISTENT, "PDN connection does not exist" },
  {  55, MM_MOBILE_EQUIPMENT_ERROR_MULTIPLE_PDN_CONNECTION_SAME_APN_NOT_ALLOWED, "multiple PDN connections for this APN not allowed" },
  {  56, MM_MOBILE_EQUIPMENT_ERROR_COLLISION_WITH_NETWORK_INITIATED_REQUEST, "collision with network initiated request" },
  {  57, MM_MOBILE_EQUIPMENT_ERROR_IPV4V6_ONLY_ALLOWED, "PDN type IPv4v6 only allowed" },
  {  58, MM_MOBILE_EQUIPMENT_ERROR_NON_IP_ONLY_ALLOWED, "PDN type non-IP only allowed" },
  {  65, MM_MOBILE_EQUIPMENT_ERROR_MAXIMUM_NUMBER_OF_BEARERS_REACHED, "maximum number of PDP contexts reached" },
  {  66, MM_MOBILE_EQUIPMENT_ERROR_REQUESTED_APN_NOT_SUPPORTED, "requested APN not supported in current RAT and PLMN" },
  {  81, MM_MOBILE_EQUIPMENT_ERROR_INVALID_TRANSACTION_ID_VALUE, "invalid transaction identifier value" },
  {  95, MM_MOBILE_EQUIPMENT_ERROR_SEMANTICALLY_INCORRECT_MESSAGE, "semantically incorrect message" },
  {  96, MM_MOBILE_EQUIPMENT_ERROR_INVALID_MANDATORY_INFORMATION, "invalid mandatory information" },
  {  97, MM_MOBILE_EQUIPMENT_ERROR_MESSAGE_TYPE_NOT_IMPLEMENTED, "message type not implemented" },
  {  98, MM_MOBILE_EQUIPMENT_ERROR_MESSAGE_TYPE_NOT_COMPATIBLE_WITH_PROTOCOL_STATE, "message type not compatible with protocol state" },
  {  99, MM_MOBILE_EQUIPMENT_ERROR_IE_NOT_IMPLEMENTED, "information element not implemented" },
  { 100, MM_MOBILE_EQUIPMENT_ERROR_CONDITIONAL_IE_ERROR, "conditional IE error" },
  { 101, MM_MOBILE_EQUIPMENT_ERROR_MESSAGE_NOT_COMPATIBLE_WITH_PROTOCOL_STATE, "message not compatible with protocol state" },
  { 111, MM_MOBILE_EQUIPMENT_ERROR_UNSPECIFIED_PROTOCOL_ERROR, "protocol error, unspecified" },
  { 112, MM_MOBILE_EQUIPMENT_ERROR_APN_RESTRICTION_INCOMPATIBLE, "APN restriction incompatible with the active PDN" },
};

/* Firmware's own (internal) verbose reasons that say "this PDN is already
 * up elsewhere". ModemManager leaves them MobileEquipment.Unknown; Busy
 * lets a client tell them from a refusal (NetworkManager: MODEM_BUSY). */
static const struct {
  gint16       reason;
  const gchar *text;
} busy_internal[] = {
  { QMI_WDS_VERBOSE_CALL_END_REASON_INTERNAL_CALL_ALREADY_PRESENT, "a call on it is already present" },
  { QMI_WDS_VERBOSE_CALL_END_REASON_INTERNAL_INTERFACE_IN_USE, "it is in use on another interface" },
  { QMI_WDS_VERBOSE_CALL_END_REASON_INTERNAL_INTERFACE_IN_USE_CONFIG_MATCH, "it is in use on another interface" },
};

/* QMI result codes of Start Network other than CallFailed. */
static const struct {
  QmiProtocolError qmi;
  GQuark         (*domain) (void);
  gint             code;
  const gchar     *text;
} protocol_errors[] = {
  /* A fresh client of ours got "already started": another client holds
   * the PDN (ModemManager would join it; a mux-bound bearer cannot). */
  { QMI_PROTOCOL_ERROR_NO_EFFECT, mm_connection_error_quark, MM_CONNECTION_ERROR_BUSY,
    "the PDN is already active for another client" },
  { QMI_PROTOCOL_ERROR_DEVICE_IN_USE, mm_connection_error_quark, MM_CONNECTION_ERROR_BUSY,
    "the modem's data call is in use" },
  { QMI_PROTOCOL_ERROR_POLICY_MISMATCH, mm_mobile_equipment_error_quark, MM_MOBILE_EQUIPMENT_ERROR_NOT_ALLOWED,
    "the modem's policy does not allow this call" },
  { QMI_PROTOCOL_ERROR_ACCESS_DENIED, mm_mobile_equipment_error_quark, MM_MOBILE_EQUIPMENT_ERROR_NOT_ALLOWED,
    "access denied" },
  { QMI_PROTOCOL_ERROR_AUTHENTICATION_FAILED, mm_mobile_equipment_error_quark,
    MM_MOBILE_EQUIPMENT_ERROR_USER_AUTHENTICATION_FAILED, "authentication failed" },
  { QMI_PROTOCOL_ERROR_NO_NETWORK_FOUND, mm_mobile_equipment_error_quark, MM_MOBILE_EQUIPMENT_ERROR_NO_NETWORK,
    "no network" },
  { QMI_PROTOCOL_ERROR_INVALID_PROFILE, mm_core_error_quark, MM_CORE_ERROR_INVALID_ARGS, "invalid profile" },
  { QMI_PROTOCOL_ERROR_INVALID_PROFILE_TYPE, mm_core_error_quark, MM_CORE_ERROR_INVALID_ARGS, "invalid profile type" },
  { QMI_PROTOCOL_ERROR_INVALID_ARGUMENT, mm_core_error_quark, MM_CORE_ERROR_INVALID_ARGS, "invalid argument" },
  { QMI_PROTOCOL_ERROR_MISSING_ARGUMENT, mm_core_error_quark, MM_CORE_ERROR_INVALID_ARGS, "missing argument" },
  { QMI_PROTOCOL_ERROR_ARGUMENT_TOO_LONG, mm_core_error_quark, MM_CORE_ERROR_INVALID_ARGS, "argument too long" },
  { QMI_PROTOCOL_ERROR_INCOMPATIBLE_STATE, mm_core_error_quark, MM_CORE_ERROR_WRONG_STATE, "incompatible state" },
  { QMI_PROTOCOL_ERROR_INVALID_TRANSITION, mm_core_error_quark, MM_CORE_ERROR_WRONG_STATE, "invalid transition" },
  { QMI_PROTOCOL_ERROR_NOT_SUPPORTED, mm_core_error_quark, MM_CORE_ERROR_UNSUPPORTED, "not supported" },
  { QMI_PROTOCOL_ERROR_INVALID_QMI_COMMAND, mm_core_error_quark, MM_CORE_ERROR_UNSUPPORTED, "not supported" },
};

void
mx_call_end_from_start_network (QmiMessageWdsStartNetworkOutput *output, MxCallEnd *end)
{
  *end = (MxCallEnd) { 0 };
  if (!output)
    return;
  end->has_verbose = qmi_message_wds_start_network_output_get_verbose_call_end_reason (
      output, &end->verbose_type, &end->verbose_reason, NULL);
  end->has_reason = qmi_message_wds_start_network_output_get_call_end_reason (output, &end->reason, NULL);
}

/* "APN 'x'" or, when the profile chose it, "the profile's APN". */
static gchar *
apn_words (const gchar *apn)
{
  return apn && *apn ? g_strdup_printf ("APN '%s'", apn) : g_strdup ("the profile's APN");
}

static GError *
from_verbose (const MxCallEnd *end, const gchar *apn_text)
{
  const gchar *type = qmi_wds_verbose_call_end_reason_type_get_string (end->verbose_type) ?: "unknown";
  const gchar *why = qmi_wds_verbose_call_end_reason_get_string (end->verbose_type, end->verbose_reason) ?: "unknown";

  if (end->verbose_type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP) {
    for (guint i = 0; i < G_N_ELEMENTS (cause_3gpp); i++)
      if (cause_3gpp[i].cause == end->verbose_reason)
        return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, cause_3gpp[i].code,
                            "the network refused %s (3GPP cause %d: %s)", apn_text,
                            end->verbose_reason, cause_3gpp[i].text);
    /* A cause without a +CME code of its own. */
    return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_GPRS_UNKNOWN,
                        "the network refused %s (3GPP cause %d: %s)", apn_text, end->verbose_reason, why);
  }
  if (end->verbose_type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_INTERNAL)
    for (guint i = 0; i < G_N_ELEMENTS (busy_internal); i++)
      if (busy_internal[i].reason == end->verbose_reason)
        return g_error_new (MM_CONNECTION_ERROR, MM_CONNECTION_ERROR_BUSY,
                            "the modem did not start %s: %s (%s reason %d: %s)", apn_text,
                            busy_internal[i].text, type, end->verbose_reason, why);
  /* Other verbose types: what ModemManager says too, with the reason. */
  return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_UNKNOWN,
                      "the call on %s failed (%s reason %d: %s)", apn_text, type, end->verbose_reason, why);
}

static GError *
from_call_failed (const MxCallEnd *end, const gchar *apn_text)
{
  if (end && end->has_verbose)
    return from_verbose (end, apn_text);
  if (end && end->has_reason)
    return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_UNKNOWN,
                        "the call on %s failed (call end reason %u: %s)", apn_text, end->reason,
                        qmi_wds_call_end_reason_get_string (end->reason) ?: "unknown");
  return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_UNKNOWN,
                      "the call on %s failed (no reason given)", apn_text);
}

GError *
mx_bearer_error_from_start_network (const GError *error, const MxCallEnd *end, const gchar *apn)
{
  g_autofree gchar *apn_text = NULL;

  if (error->domain != QMI_PROTOCOL_ERROR)
    return g_error_copy (error);
  apn_text = apn_words (apn);
  if (error->code == QMI_PROTOCOL_ERROR_CALL_FAILED)
    return from_call_failed (end, apn_text);
  for (guint i = 0; i < G_N_ELEMENTS (protocol_errors); i++)
    if (protocol_errors[i].qmi == (QmiProtocolError) error->code)
      return g_error_new (protocol_errors[i].domain (), protocol_errors[i].code, "%s on %s (%s)",
                          protocol_errors[i].text, apn_text, error->message);
  return g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "the modem refused %s (%s)", apn_text,
                      error->message);
}
