/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The pure decoding rules of the modem control plane: SIM file contents,
 * operator identifiers, signal quality and access technologies, and MBIM's
 * registration, data class and RSSI codings. */
#include <string.h>
#include "mx-modem-private.h"
#include "mx-modem-sim.h"

static void
test_iccid_is_swapped_bcd_with_f_filler (void)
{
  /* 89 49 00 00 00 00 00 00 01 2F -> "8949000000000000012" (19 digits) */
  const guint8 ef[] = { 0x98, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0xF2 };
  const guint8 junk[] = { 0xAB };
  g_autofree gchar *iccid = mx_sim_decode_iccid (ef, sizeof ef);

  g_assert_cmpstr (iccid, ==, "8949000000000000012");
  g_assert_null (mx_sim_decode_iccid (junk, sizeof junk));
}

static void
test_imsi_skips_the_parity_nibble (void)
{
  /* TS 31.102: length 8, first nibble 9 (parity/type), then 001010123456789. */
  const guint8 ef[] = { 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98 };
  const guint8 short_ef[] = { 0x08, 0x09, 0x10 };
  g_autofree gchar *imsi = mx_sim_decode_imsi (ef, sizeof ef);

  g_assert_cmpstr (imsi, ==, "001010123456789");
  g_assert_null (mx_sim_decode_imsi (short_ef, sizeof short_ef));
}

static void
test_operator_id_from_imsi (void)
{
  const guint8 ad3[] = { 0x00, 0x00, 0x00, 0x03 };
  const guint8 ad_bad[] = { 0x00, 0x00, 0x00, 0x07 };
  g_autofree gchar *two = mx_sim_operator_id_from_imsi ("262011234567890", 0);
  g_autofree gchar *three_guess = mx_sim_operator_id_from_imsi ("310260123456789", 0);
  g_autofree gchar *three_ad = mx_sim_operator_id_from_imsi ("001010123456789", mx_sim_mnc_length_from_ad (ad3, sizeof ad3));

  /* Without EF_AD: 3-digit MNCs only for the North American MCCs. */
  g_assert_cmpstr (two, ==, "26201");
  g_assert_cmpstr (three_guess, ==, "310260");
  /* EF_AD's MNC length wins. */
  g_assert_cmpstr (three_ad, ==, "001010");
  g_assert_cmpuint (mx_sim_mnc_length_from_ad (ad_bad, sizeof ad_bad), ==, 0);
  g_assert_null (mx_sim_operator_id_from_imsi ("123", 2));
}

static void
test_signal_quality_is_the_csq_scale (void)
{
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (-113), ==, 0);
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (-120), ==, 0);
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (-65), ==, 78);  /* ModemManager 1.20: 78 % */
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (-71), ==, 68);
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (-51), ==, 100);
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (-40), ==, 100);
  /* 0 dBm and above is "no measurement", not full bars. */
  g_assert_cmpuint (mx_modem_signal_quality_from_rssi (0), ==, 0);
}

static void
test_access_technology_from_radio (void)
{
  g_assert_cmpuint (mx_modem_access_tech_from_radio (QMI_NAS_RADIO_INTERFACE_LTE), ==, MM_MODEM_ACCESS_TECHNOLOGY_LTE);
  g_assert_cmpuint (mx_modem_access_tech_from_radio (QMI_NAS_RADIO_INTERFACE_5GNR), ==, MM_MODEM_ACCESS_TECHNOLOGY_5GNR);
  g_assert_cmpuint (mx_modem_access_tech_from_radio (QMI_NAS_RADIO_INTERFACE_UMTS), ==, MM_MODEM_ACCESS_TECHNOLOGY_UMTS);
  g_assert_cmpuint (mx_modem_access_tech_from_radio (QMI_NAS_RADIO_INTERFACE_NONE), ==, MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN);
}

/* MBIM Register State as ModemManager reads it; partner networks roam. */
static void
test_mbim_registration (void)
{
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_HOME), ==, MM_MODEM_3GPP_REGISTRATION_STATE_HOME);
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_ROAMING), ==, MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING);
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_PARTNER), ==, MM_MODEM_3GPP_REGISTRATION_STATE_ROAMING);
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_SEARCHING), ==, MM_MODEM_3GPP_REGISTRATION_STATE_SEARCHING);
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_DENIED), ==, MM_MODEM_3GPP_REGISTRATION_STATE_DENIED);
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_DEREGISTERED), ==, MM_MODEM_3GPP_REGISTRATION_STATE_IDLE);
  g_assert_cmpint (mx_modem_registration_from_mbim (MBIM_REGISTER_STATE_UNKNOWN), ==, MM_MODEM_3GPP_REGISTRATION_STATE_UNKNOWN);
}

/* MBIM data classes: one access technology each, 5G NSA and SA both 5GNR. */
static void
test_mbim_access_technologies (void)
{
  g_assert_cmpint (mx_modem_access_tech_from_mbim (MBIM_DATA_CLASS_LTE), ==, MM_MODEM_ACCESS_TECHNOLOGY_LTE);
  g_assert_cmpint (mx_modem_access_tech_from_mbim (MBIM_DATA_CLASS_UMTS | MBIM_DATA_CLASS_HSDPA), ==,
                   MM_MODEM_ACCESS_TECHNOLOGY_UMTS | MM_MODEM_ACCESS_TECHNOLOGY_HSDPA);
  g_assert_cmpint (mx_modem_access_tech_from_mbim (MBIM_DATA_CLASS_LTE | MBIM_DATA_CLASS_5G_NSA), ==,
                   MM_MODEM_ACCESS_TECHNOLOGY_LTE | MM_MODEM_ACCESS_TECHNOLOGY_5GNR);
  g_assert_cmpint (mx_modem_access_tech_from_mbim (MBIM_DATA_CLASS_5G_SA), ==, MM_MODEM_ACCESS_TECHNOLOGY_5GNR);
  g_assert_cmpint (mx_modem_access_tech_from_mbim (0), ==, MM_MODEM_ACCESS_TECHNOLOGY_UNKNOWN);
}

/* Signal State RSSI is +CSQ coded: 0 = -113 dBm (0 %), 31 = -51 dBm
 * (100 %), 21 = -71 dBm (68 %), 99 = unknown. */
static void
test_mbim_rssi (void)
{
  g_assert_cmpint (mx_modem_signal_quality_from_mbim_rssi (0), ==, 0);
  g_assert_cmpint (mx_modem_signal_quality_from_mbim_rssi (31), ==, 100);
  g_assert_cmpint (mx_modem_signal_quality_from_mbim_rssi (21), ==, 68);
  g_assert_cmpint (mx_modem_signal_quality_from_mbim_rssi (99), ==, -1);
  g_assert_cmpint (mx_modem_signal_quality_from_mbim_rssi (32), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/modem/sim/iccid", test_iccid_is_swapped_bcd_with_f_filler);
  g_test_add_func ("/modem/sim/imsi", test_imsi_skips_the_parity_nibble);
  g_test_add_func ("/modem/sim/operator-id", test_operator_id_from_imsi);
  g_test_add_func ("/modem/signal-quality", test_signal_quality_is_the_csq_scale);
  g_test_add_func ("/modem/access-technology", test_access_technology_from_radio);
  g_test_add_func ("/modem/mbim/registration", test_mbim_registration);
  g_test_add_func ("/modem/mbim/access-technology", test_mbim_access_technologies);
  g_test_add_func ("/modem/mbim/rssi", test_mbim_rssi);
  return g_test_run ();
}
