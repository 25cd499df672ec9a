/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A failed Start Network carries ModemManager's D-Bus error name: one test
 * case per row of the table in mx-bearer-error.c (docs/bearers.md, "Errors"). */
#include "mx-bearer-error.h"

#include <string.h>

#define ME   "org.freedesktop.ModemManager1.Error.MobileEquipment."
#define CORE "org.freedesktop.ModemManager1.Error.Core."
#define CONN "org.freedesktop.ModemManager1.Error.Connection."

#define V3GPP     QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP
#define VINTERNAL QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_INTERNAL
#define VCM       QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_CM

typedef struct {
  const gchar     *path;      /* test case name */
  QmiProtocolError qmi;       /* Start Network's result */
  gboolean         verbose;   /* a verbose call-end reason TLV ... */
  QmiWdsVerboseCallEndReasonType type;
  gint16           reason;
  gboolean         plain;     /* ... and/or a plain one */
  QmiWdsCallEndReason plain_reason;
  const gchar     *name;      /* the D-Bus error name a client sees */
  const gchar     *message;   /* part of the message */
} Row;

#define CAUSE(n, slug, mm, text) \
  { "/bearer-error/3gpp/" #n "-" slug, QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, V3GPP, n, TRUE, \
    QMI_WDS_CALL_END_REASON_GENERIC_UNSPECIFIED, ME mm, "(3GPP cause " #n ": " text ")" }
#define PROTOCOL(qmi, slug, name, text) \
  { "/bearer-error/qmi/" slug, qmi, FALSE, 0, 0, FALSE, 0, name, text }

static const Row rows[] = {
  CAUSE (8,   "operator-determined-barring", "OperatorDeterminedBarring", "operator determined barring"),
  CAUSE (26,  "insufficient-resources", "InsufficientResources", "insufficient resources"),
  CAUSE (27,  "unknown-apn", "MissingOrUnknownApn", "missing or unknown APN"),
  CAUSE (28,  "unknown-pdp-type", "UnknownPdpAddressOrType", "unknown PDP address or PDP type"),
  CAUSE (29,  "authentication-failed", "UserAuthenticationFailed", "user authentication failed"),
  CAUSE (30,  "ggsn-reject", "ActivationRejectedByGgsnOrGw", "activation rejected by GGSN or gateway"),
  CAUSE (31,  "activation-reject", "ActivationRejectedUnspecified", "activation rejected, unspecified"),
  CAUSE (32,  "option-not-supported", "ServiceOptionNotSupported", "service option not supported"),
  CAUSE (33,  "option-unsubscribed", "ServiceOptionNotSubscribed", "requested service option not subscribed"),
  CAUSE (34,  "option-out-of-order", "ServiceOptionOutOfOrder", "service option temporarily out of order"),
  CAUSE (35,  "nsapi-in-use", "NsapiOrPtiAlreadyInUse", "NSAPI or PTI already in use"),
  CAUSE (36,  "regular-deactivation", "RegularDeactivation", "regular deactivation"),
  CAUSE (37,  "qos-not-accepted", "QosNotAccepted", "QoS not accepted"),
  CAUSE (38,  "network-failure", "NetworkFailureActivation", "network failure"),
  CAUSE (39,  "reactivation-requested", "ReactivationRequested", "reactivation requested"),
  CAUSE (40,  "feature-not-supported", "FeatureNotSupported", "feature not supported"),
  CAUSE (41,  "tft-semantic-error", "SemanticErrorInTftOperation", "semantic error in the TFT operation"),
  CAUSE (42,  "tft-syntax-error", "SyntacticalErrorInTftOperation", "syntactical error in the TFT operation"),
  CAUSE (43,  "unknown-pdp-context", "UnknownPdpContext", "unknown PDP context"),
  CAUSE (44,  "filter-semantic-error", "SemanticErrorsInPacketFilter", "semantic errors in packet filter"),
  CAUSE (45,  "filter-syntax-error", "SyntacticalErrorsInPacketFilter", "syntactical errors in packet filter"),
  CAUSE (46,  "pdp-without-tft", "PdpContextWithoutTftAlreadyActivated", "PDP context without TFT already activated"),
  CAUSE (50,  "ipv4-only", "Ipv4OnlyAllowed", "PDN type IPv4 only allowed"),
  CAUSE (51,  "ipv6-only", "Ipv6OnlyAllowed", "PDN type IPv6 only allowed"),
  CAUSE (52,  "single-address-only", "SingleAddressBearersOnlyAllowed", "single address bearers only allowed"),
  CAUSE (53,  "esm-info-not-received", "EsmInformationNotReceived", "ESM information not received"),
  CAUSE (54,  "pdn-does-not-exist", "PdnConnectionNonexistent", "PDN connection does not exist"),
  CAUSE (55,  "same-apn-twice", "MultiplePdnConnectionSameApnNotAllowed", "multiple PDN connections for this APN not allowed"),
  CAUSE (56,  "collision", "CollisionWithNetworkInitiatedRequest", "collision with network initiated request"),
  CAUSE (57,  "ipv4v6-only", "Ipv4v6OnlyAllowed", "PDN type IPv4v6 only allowed"),
  CAUSE (58,  "non-ip-only", "NonIpOnlyAllowed", "PDN type non-IP only allowed"),
  CAUSE (65,  "max-pdp-contexts", "MaximumNumberOfBearersReached", "maximum number of PDP contexts reached"),
  CAUSE (66,  "apn-not-supported-here", "RequestedApnNotSupported", "requested APN not supported in current RAT and PLMN"),
  CAUSE (81,  "invalid-transaction-id", "InvalidTransactionIdValue", "invalid transaction identifier value"),
  CAUSE (95,  "incorrect-message", "SemanticallyIncorrectMessage", "semantically incorrect message"),
  CAUSE (96,  "invalid-mandatory-info", "InvalidMandatoryInformation", "invalid mandatory information"),
  CAUSE (97,  "message-type-unsupported", "MessageTypeNotImplemented", "message type not implemented"),
  CAUSE (98,  "message-type-wrong-state", "MessageTypeNotCompatibleWithProtocolState", "message type not compatible with protocol state"),
  CAUSE (99,  "unknown-ie", "IeNotImplemented", "information element not implemented"),
  CAUSE (100, "conditional-ie", "ConditionalIeError", "conditional IE error"),
  CAUSE (101, "message-wrong-state", "MessageNotCompatibleWithProtocolState", "message not compatible with protocol state"),
  CAUSE (111, "protocol-error", "UnspecifiedProtocolError", "protocol error, unspecified"),
  CAUSE (112, "apn-type-conflict", "ApnRestrictionIncompatible", "APN restriction incompatible with the active PDN"),
  /* 3GPP causes without a code of their own: GPRS unknown, libqmi's name. */
  { "/bearer-error/3gpp/25-llc-sndcp-failure-is-gprs-unknown", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, V3GPP, 25,
    FALSE, 0, ME "GprsUnknown", "(3GPP cause 25: llc-sndcp-failure)" },
  { "/bearer-error/3gpp/200-unlisted-is-gprs-unknown", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, V3GPP, 200,
    FALSE, 0, ME "GprsUnknown", "(3GPP cause 200: unknown)" },
  /* Firmware's "this PDN is up elsewhere". */
  { "/bearer-error/internal/236-call-already-present", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, VINTERNAL, 236,
    FALSE, 0, CONN "Busy", "a call on it is already present (internal reason 236: call-already-present)" },
  { "/bearer-error/internal/237-interface-in-use", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, VINTERNAL, 237,
    TRUE, QMI_WDS_CALL_END_REASON_GENERIC_UNSPECIFIED, CONN "Busy",
    "it is in use on another interface (internal reason 237: interface-in-use)" },
  { "/bearer-error/internal/241-interface-in-use-config-match", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, VINTERNAL, 241,
    FALSE, 0, CONN "Busy", "(internal reason 241: interface-in-use-config-match)" },
  /* Other verbose types: MobileEquipment.Unknown, as ModemManager. */
  { "/bearer-error/internal/233-other-internal-is-unknown", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, VINTERNAL, 233,
    FALSE, 0, ME "Unknown", "(internal reason 233: invalid-profile)" },
  { "/bearer-error/cm/2001-no-service-is-unknown", QMI_PROTOCOL_ERROR_CALL_FAILED, TRUE, VCM,
    QMI_WDS_VERBOSE_CALL_END_REASON_CM_NO_SERVICE, TRUE, QMI_WDS_CALL_END_REASON_GENERIC_NO_SERVICE,
    ME "Unknown", "(cm reason 2001: no-service)" },
  /* Only the plain reason, or none. */
  { "/bearer-error/plain/3-no-service-is-unknown", QMI_PROTOCOL_ERROR_CALL_FAILED, FALSE, 0, 0,
    TRUE, QMI_WDS_CALL_END_REASON_GENERIC_NO_SERVICE, ME "Unknown", "(call end reason 3: generic-no-service)" },
  { "/bearer-error/plain/none-is-unknown", QMI_PROTOCOL_ERROR_CALL_FAILED, FALSE, 0, 0, FALSE, 0,
    ME "Unknown", "(no reason given)" },
  /* Start Network's other result codes. */
  PROTOCOL (QMI_PROTOCOL_ERROR_NO_EFFECT, "no-effect-is-busy", CONN "Busy", "the PDN is already active for another client"),
  PROTOCOL (QMI_PROTOCOL_ERROR_DEVICE_IN_USE, "device-in-use-is-busy", CONN "Busy", "the modem's data call is in use"),
  PROTOCOL (QMI_PROTOCOL_ERROR_POLICY_MISMATCH, "policy-mismatch", ME "NotAllowed", "the modem's policy does not allow this call"),
  PROTOCOL (QMI_PROTOCOL_ERROR_ACCESS_DENIED, "access-denied", ME "NotAllowed", "access denied"),
  PROTOCOL (QMI_PROTOCOL_ERROR_AUTHENTICATION_FAILED, "authentication-failed", ME "UserAuthenticationFailed", "authentication failed"),
  PROTOCOL (QMI_PROTOCOL_ERROR_NO_NETWORK_FOUND, "no-network-found", ME "NoNetwork", "no network"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INVALID_PROFILE, "invalid-profile", CORE "InvalidArgs", "invalid profile"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INVALID_PROFILE_TYPE, "invalid-profile-type", CORE "InvalidArgs", "invalid profile type"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INVALID_ARGUMENT, "invalid-argument", CORE "InvalidArgs", "invalid argument"),
  PROTOCOL (QMI_PROTOCOL_ERROR_MISSING_ARGUMENT, "missing-argument", CORE "InvalidArgs", "missing argument"),
  PROTOCOL (QMI_PROTOCOL_ERROR_ARGUMENT_TOO_LONG, "argument-too-long", CORE "InvalidArgs", "argument too long"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INCOMPATIBLE_STATE, "incompatible-state", CORE "WrongState", "incompatible state"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INVALID_TRANSITION, "invalid-transition", CORE "WrongState", "invalid transition"),
  PROTOCOL (QMI_PROTOCOL_ERROR_NOT_SUPPORTED, "not-supported", CORE "Unsupported", "not supported"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INVALID_QMI_COMMAND, "invalid-qmi-command", CORE "Unsupported", "not supported"),
  PROTOCOL (QMI_PROTOCOL_ERROR_INTERNAL, "anything-else-is-core-failed", CORE "Failed", "the modem refused APN 'internet'"),
};

static GError *
start_network_failure (const Row *row, const gchar *apn)
{
  g_autoptr(GError) qmi = g_error_new (QMI_PROTOCOL_ERROR, row->qmi, "QMI protocol error (%u): '%s'",
                                       row->qmi, qmi_protocol_error_get_string (row->qmi));
  MxCallEnd end = {
    .has_verbose = row->verbose, .verbose_type = row->type, .verbose_reason = row->reason,
    .has_reason = row->plain, .reason = row->plain_reason,
  };

  return mx_bearer_error_from_start_network (qmi, &end, apn);
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(GError) error = start_network_failure (row, "internet");
  g_autofree gchar *name = g_dbus_error_encode_gerror (error);

  g_assert_cmpstr (name, ==, row->name);
  if (!strstr (error->message, row->message))
    g_error ("'%s' does not contain '%s'", error->message, row->message);
  if (!strstr (error->message, "APN 'internet'"))
    g_error ("'%s' does not name the APN", error->message);
}

static void
test_unknown_apn_reads_as_a_sentence (void)
{
  g_autoptr(GError) error = start_network_failure (&rows[2], "nosuchapn");

  g_assert_error (error, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_MISSING_OR_UNKNOWN_APN);
  g_assert_cmpstr (error->message, ==,
                   "the network refused APN 'nosuchapn' (3GPP cause 27: missing or unknown APN)");
}

static void
test_without_an_apn_the_profile_is_named (void)
{
  g_autoptr(GError) error = start_network_failure (&rows[2], NULL);

  g_assert_cmpstr (error->message, ==,
                   "the network refused the profile's APN (3GPP cause 27: missing or unknown APN)");
}

static void
test_other_domains_are_left_to_the_caller (void)
{
  /* Timeouts and cancellations have their own handling (Aborted, Cancelled). */
  g_autoptr(GError) timeout = g_error_new_literal (QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT, "timed out");
  g_autoptr(GError) copy = mx_bearer_error_from_start_network (timeout, NULL, "internet");

  g_assert_error (copy, QMI_CORE_ERROR, QMI_CORE_ERROR_TIMEOUT);
  g_assert_cmpstr (copy->message, ==, "timed out");
}

static void
test_call_failed_without_reasons (void)
{
  g_autoptr(GError) qmi = g_error_new_literal (QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_CALL_FAILED, "CallFailed");
  g_autoptr(GError) error = mx_bearer_error_from_start_network (qmi, NULL, "internet");

  g_assert_error (error, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_UNKNOWN);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_test_add_data_func (rows[i].path, &rows[i], test_row);
  g_test_add_func ("/bearer-error/unknown-apn-reads-as-a-sentence", test_unknown_apn_reads_as_a_sentence);
  g_test_add_func ("/bearer-error/without-an-apn-the-profile-is-named", test_without_an_apn_the_profile_is_named);
  g_test_add_func ("/bearer-error/other-domains-are-left-to-the-caller", test_other_domains_are_left_to_the_caller);
  g_test_add_func ("/bearer-error/call-failed-without-reasons", test_call_failed_without_reasons);
  return g_test_run ();
}
