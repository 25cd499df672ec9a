/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's MBIM encoder, checked with libmbim's own parsers. */

#include <string.h>

#include "sim-mbim-codec.h"

static void
test_command_done_with_strings_parses_as_device_caps (void)
{
  SimMbimBuf *b = sim_mbim_buf_new ();
  g_autoptr(GByteArray) info = NULL;
  g_autoptr(MbimMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  MbimDeviceType type;
  guint32 max_sessions;
  g_autofree gchar *custom = NULL, *device_id = NULL, *fw = NULL, *hw = NULL;

  sim_mbim_buf_u32 (b, MBIM_DEVICE_TYPE_REMOVABLE);
  sim_mbim_buf_u32 (b, MBIM_CELLULAR_CLASS_GSM);
  sim_mbim_buf_u32 (b, MBIM_VOICE_CLASS_NO_VOICE);
  sim_mbim_buf_u32 (b, MBIM_SIM_CLASS_REMOVABLE);
  sim_mbim_buf_u32 (b, MBIM_DATA_CLASS_LTE);
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_u32 (b, 8);
  sim_mbim_buf_string (b, NULL);
  sim_mbim_buf_string (b, "490154203237518");    /* odd length: padding */
  sim_mbim_buf_string (b, "REV-ü");               /* non-ASCII */
  sim_mbim_buf_string (b, "HW1");
  info = sim_mbim_buf_finish (b);
  g_assert_cmpuint (info->len % 4, ==, 0);

  msg = sim_mbim_command_done_new (42, MBIM_UUID_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_DEVICE_CAPS,
                                   MBIM_STATUS_ERROR_NONE, info->data, info->len);
  g_assert_cmpint (mbim_message_get_message_type (msg), ==, MBIM_MESSAGE_TYPE_COMMAND_DONE);
  g_assert_cmpuint (mbim_message_get_transaction_id (msg), ==, 42);
  g_assert_true (mbim_message_response_get_result (msg, MBIM_MESSAGE_TYPE_COMMAND_DONE, NULL));
  g_assert_true (mbim_message_device_caps_response_parse (msg, &type, NULL, NULL, NULL, NULL, NULL, NULL,
                                                          &max_sessions, &custom, &device_id, &fw, &hw,
                                                          &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, MBIM_DEVICE_TYPE_REMOVABLE);
  g_assert_cmpuint (max_sessions, ==, 8);
  g_assert_null (custom);
  g_assert_cmpstr (device_id, ==, "490154203237518");
  g_assert_cmpstr (fw, ==, "REV-ü");
  g_assert_cmpstr (hw, ==, "HW1");
}

static void
test_status_is_reported_as_the_error (void)
{
  g_autoptr(MbimMessage) msg = NULL;
  g_autoptr(GError) error = NULL;

  msg = sim_mbim_command_done_new (7, MBIM_UUID_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT,
                                   MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED, NULL, 0);
  g_assert_false (mbim_message_response_get_result (msg, MBIM_MESSAGE_TYPE_COMMAND_DONE, &error));
  g_assert_error (error, MBIM_STATUS_ERROR, MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED);
}

static void
test_offsets_parse_as_ip_configuration (void)
{
  SimMbimBuf *b = sim_mbim_buf_new ();
  const guint8 elem[8] = { 24, 0, 0, 0, 10, 64, 0, 2 };
  const guint8 gw[4] = { 10, 64, 0, 1 };
  const guint8 dns[8] = { 10, 64, 255, 1, 10, 64, 255, 2 };
  g_autoptr(GByteArray) info = NULL;
  g_autoptr(MbimMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  guint32 session, n_addr, n_dns, mtu;
  MbimIPConfigurationAvailableFlag v4flags;
  g_autoptr(MbimIPv4ElementArray) addrs = NULL;
  const MbimIPv4 *gateway = NULL;
  g_autofree MbimIPv4 *dns_servers = NULL;

  sim_mbim_buf_u32 (b, 2);
  sim_mbim_buf_u32 (b, MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_ADDRESS | MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_GATEWAY);
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_u32 (b, 1);
  sim_mbim_buf_offset (b, elem, sizeof (elem));
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_offset (b, NULL, 0);
  sim_mbim_buf_offset (b, gw, 4);
  sim_mbim_buf_offset (b, NULL, 0);
  sim_mbim_buf_u32 (b, 2);
  sim_mbim_buf_offset (b, dns, sizeof (dns));
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_offset (b, NULL, 0);
  sim_mbim_buf_u32 (b, 1500);
  sim_mbim_buf_u32 (b, 0);
  info = sim_mbim_buf_finish (b);

  msg = sim_mbim_command_done_new (1, MBIM_UUID_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_IP_CONFIGURATION,
                                   MBIM_STATUS_ERROR_NONE, info->data, info->len);
  g_assert_true (mbim_message_ip_configuration_response_parse (msg, &session, &v4flags, NULL,
                                                               &n_addr, &addrs, NULL, NULL,
                                                               &gateway, NULL,
                                                               &n_dns, &dns_servers, NULL, NULL,
                                                               &mtu, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (session, ==, 2);
  g_assert_cmpuint (n_addr, ==, 1);
  g_assert_cmpuint (addrs[0]->on_link_prefix_length, ==, 24);
  g_assert_cmpmem (addrs[0]->ipv4_address.addr, 4, elem + 4, 4);
  g_assert_cmpmem (gateway->addr, 4, gw, 4);
  g_assert_cmpuint (n_dns, ==, 2);
  g_assert_cmpmem (dns_servers[1].addr, 4, dns + 4, 4);
  g_assert_cmpuint (mtu, ==, 1500);
}

static void
test_indication_parses_as_notification (void)
{
  SimMbimBuf *b = sim_mbim_buf_new ();
  g_autoptr(GByteArray) info = NULL;
  g_autoptr(MbimMessage) msg = NULL;
  g_autoptr(GError) error = NULL;
  guint32 session;
  MbimActivationState state;

  sim_mbim_buf_u32 (b, 4);
  sim_mbim_buf_u32 (b, MBIM_ACTIVATION_STATE_DEACTIVATED);
  sim_mbim_buf_u32 (b, MBIM_VOICE_CALL_STATE_NONE);
  sim_mbim_buf_u32 (b, MBIM_CONTEXT_IP_TYPE_DEFAULT);
  sim_mbim_buf_uuid (b, mbim_uuid_from_context_type (MBIM_CONTEXT_TYPE_NONE));
  sim_mbim_buf_u32 (b, 0);
  info = sim_mbim_buf_finish (b);

  msg = sim_mbim_indicate_status_new (MBIM_UUID_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT, info->data, info->len);
  g_assert_cmpint (mbim_message_get_message_type (msg), ==, MBIM_MESSAGE_TYPE_INDICATE_STATUS);
  g_assert_cmpint (mbim_message_indicate_status_get_service (msg), ==, MBIM_SERVICE_BASIC_CONNECT);
  g_assert_true (mbim_message_connect_notification_parse (msg, &session, &state, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (session, ==, 4);
  g_assert_cmpint (state, ==, MBIM_ACTIVATION_STATE_DEACTIVATED);
}

static void
test_request_strings_are_read_and_bounds_checked (void)
{
  /* What mbimcli --connect=access-string=internet sends, built by libmbim. */
  g_autoptr(MbimMessage) req = mbim_message_connect_set_new (2, MBIM_ACTIVATION_COMMAND_ACTIVATE, "internet",
                                                             "", "", MBIM_COMPRESSION_NONE,
                                                             MBIM_AUTH_PROTOCOL_NONE, MBIM_CONTEXT_IP_TYPE_IPV4,
                                                             mbim_uuid_from_context_type (MBIM_CONTEXT_TYPE_INTERNET),
                                                             NULL);
  guint32 len = 0, v = 0;
  const guint8 *info = mbim_message_command_get_raw_information_buffer (req, &len);
  g_autofree gchar *apn = sim_mbim_read_string (info, len, 8);
  g_autofree gchar *user = sim_mbim_read_string (info, len, 16);
  g_autofree guint8 *bad = g_memdup2 (info, len);
  g_autofree gchar *none = NULL;

  g_assert_cmpstr (apn, ==, "internet");
  g_assert_cmpstr (user, ==, "");
  g_assert_true (sim_mbim_read_u32 (info, len, 40, &v));
  g_assert_cmpuint (v, ==, MBIM_CONTEXT_IP_TYPE_IPV4);
  g_assert_false (sim_mbim_read_u32 (info, len, len - 2, &v));
  /* A string pointing past the buffer is malformed, not read. */
  bad[8] = 0xf0;
  none = sim_mbim_read_string (bad, len, 8);
  g_assert_null (none);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/mbim-codec/command-done-parses-as-device-caps", test_command_done_with_strings_parses_as_device_caps);
  g_test_add_func ("/sim/mbim-codec/status-is-reported-as-the-error", test_status_is_reported_as_the_error);
  g_test_add_func ("/sim/mbim-codec/offsets-parse-as-ip-configuration", test_offsets_parse_as_ip_configuration);
  g_test_add_func ("/sim/mbim-codec/indication-parses-as-notification", test_indication_parses_as_notification);
  g_test_add_func ("/sim/mbim-codec/request-strings-are-read-and-bounds-checked", test_request_strings_are_read_and_bounds_checked);
  return g_test_run ();
}
