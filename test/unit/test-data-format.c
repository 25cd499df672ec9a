/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The data-format policy: ladder, verification, lower MTU, rmnet flags, for
 * data ports with the profiles the plugins give them. */
#include "mx-bearer-data-format.h"
#include "mx-plugins.h"

static const MxDataFormat modem_with_aggregation = {
  .llp = QMI_WDA_LINK_LAYER_PROTOCOL_802_3,
  .dap_reported = TRUE,
};
static const MxDataFormat modem_without_aggregation = {
  .llp = QMI_WDA_LINK_LAYER_PROTOCOL_802_3,
  .dap_reported = FALSE,
};

static QmiWdaDataAggregationProtocol
rung_dap (GArray *ladder, guint i)
{
  return g_array_index (ladder, MxDataFormat, i).dl_dap;
}

/* The profile the plugins give a data port of @driver (a static copy). */
static const MxDataProfile *
profile (const char *driver)
{
  static MxDataProfile p;

  g_assert_true (mx_plugins_data_profile (driver, 0, &p));
  return &p;
}

static void
test_drivers_map_to_endpoints (void)
{
  MxDataProfile p;

  g_assert_true (mx_plugins_data_profile ("mhi_net", -1, &p));
  g_assert_cmpint (p.endpoint_type, ==, QMI_DATA_ENDPOINT_TYPE_PCIE);
  g_assert_cmpint (p.endpoint_interface, ==, 4);
  g_assert_true (mx_plugins_data_profile ("ipa", -1, &p));
  g_assert_cmpint (p.endpoint_type, ==, QMI_DATA_ENDPOINT_TYPE_EMBEDDED);
  g_assert_cmpint (p.endpoint_interface, ==, 1);
  g_assert_true (mx_plugins_data_profile ("qmi_wwan", 5, &p));
  g_assert_cmpint (p.endpoint_type, ==, QMI_DATA_ENDPOINT_TYPE_HSUSB);
  g_assert_cmpint (p.endpoint_interface, ==, 5);
  g_assert_true (mx_plugins_data_profile ("bam-dmux", 3, &p));
  g_assert_cmpint (p.endpoint_type, ==, QMI_DATA_ENDPOINT_TYPE_BAM_DMUX);
  g_assert_cmpint (p.endpoint_interface, ==, 3);
  g_assert_false (mx_plugins_data_profile ("e1000", 0, &p));
  g_assert_false (mx_data_profile_is_mapped (&p));
  g_assert_false (mx_plugins_data_profile (NULL, 0, &p));
}

static void
test_multiplex_ladder_is_qmapv5_v4_v1 (void)
{
  g_autoptr(GArray) ladder = mx_data_format_ladder (profile ("mhi_net"),
                                                    MX_DATA_FORMAT_GOAL_MULTIPLEX,
                                                    &modem_with_aggregation);

  g_assert_cmpuint (ladder->len, ==, 3);
  g_assert_cmpint (rung_dap (ladder, 0), ==, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5);
  g_assert_cmpint (rung_dap (ladder, 1), ==, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4);
  g_assert_cmpint (rung_dap (ladder, 2), ==, QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP);
  for (guint i = 0; i < ladder->len; i++) {
    MxDataFormat *f = &g_array_index (ladder, MxDataFormat, i);
    g_assert_cmpint (f->llp, ==, QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP);
    g_assert_cmpint (f->ul_dap, ==, f->dl_dap);
    g_assert_cmpuint (f->dl_max_datagrams, ==, 32);
    g_assert_cmpuint (f->dl_max_size, ==, 32768);
  }
}

static void
test_qmi_wwan_aggregates_at_most_16384 (void)
{
  g_autoptr(GArray) ladder = mx_data_format_ladder (profile ("qmi_wwan"),
                                                    MX_DATA_FORMAT_GOAL_MULTIPLEX,
                                                    &modem_with_aggregation);

  g_assert_cmpuint (ladder->len, ==, 3);
  for (guint i = 0; i < ladder->len; i++)
    g_assert_cmpuint (g_array_index (ladder, MxDataFormat, i).dl_max_size, ==, 16384);
}

static void
test_requested_falls_back_to_raw_ip (void)
{
  g_autoptr(GArray) ladder = mx_data_format_ladder (profile ("mhi_net"),
                                                    MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED,
                                                    &modem_with_aggregation);
  MxDataFormat *last;

  g_assert_cmpuint (ladder->len, ==, 4);
  last = &g_array_index (ladder, MxDataFormat, 3);
  g_assert_cmpint (last->llp, ==, QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP);
  g_assert_cmpint (last->dl_dap, ==, QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED);
}

static void
test_modem_without_aggregation_gets_no_qmap (void)
{
  g_autoptr(GArray) required = mx_data_format_ladder (profile ("mhi_net"),
                                                      MX_DATA_FORMAT_GOAL_MULTIPLEX,
                                                      &modem_without_aggregation);
  g_autoptr(GArray) requested = mx_data_format_ladder (profile ("mhi_net"),
                                                       MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED,
                                                       &modem_without_aggregation);

  g_assert_cmpuint (required->len, ==, 0);
  g_assert_cmpuint (requested->len, ==, 1);
  g_assert_cmpint (rung_dap (requested, 0), ==, QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED);
}

static void
test_ipa_never_runs_without_qmap (void)
{
  g_autoptr(GArray) none = mx_data_format_ladder (profile ("ipa"),
                                                  MX_DATA_FORMAT_GOAL_RAW_IP,
                                                  &modem_with_aggregation);
  g_autoptr(GArray) requested = mx_data_format_ladder (profile ("ipa"),
                                                       MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED,
                                                       &modem_with_aggregation);

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (requested->len, ==, 3);
}

static void
test_bam_dmux_has_no_rmnet (void)
{
  g_autoptr(GArray) ladder = mx_data_format_ladder (profile ("bam-dmux"),
                                                    MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED,
                                                    &modem_with_aggregation);

  g_assert_cmpuint (ladder->len, ==, 1);
  g_assert_cmpint (rung_dap (ladder, 0), ==, QMI_WDA_DATA_AGGREGATION_PROTOCOL_DISABLED);
}

static void
test_readback_decides_whether_a_format_was_taken (void)
{
  MxDataFormat want = {
    .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
    .ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5,
    .dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5,
    .dl_max_datagrams = 32, .dl_max_size = 32768, .dap_reported = TRUE,
  };
  MxDataFormat got = want;
  MxDataFormat raw = { .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP };

  g_assert_true (mx_data_format_taken (&want, &got));
  /* The modem may lower the aggregation size: its word wins. */
  got.dl_max_size = 16384;
  g_assert_true (mx_data_format_taken (&want, &got));
  /* A different protocol echoed back means "had no effect". */
  got.dl_dap = got.ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4;
  g_assert_false (mx_data_format_taken (&want, &got));
  /* No aggregation TLVs in the answer: QMAP was not taken. */
  got = want;
  got.dap_reported = FALSE;
  g_assert_false (mx_data_format_taken (&want, &got));
  /* Aggregation without room for a datagram is unusable. */
  got = want;
  got.dl_max_size = 0;
  g_assert_false (mx_data_format_taken (&want, &got));
  /* Still 802.3 after asking raw-IP. */
  got = want;
  got.llp = QMI_WDA_LINK_LAYER_PROTOCOL_802_3;
  g_assert_false (mx_data_format_taken (&want, &got));
  /* Raw-IP without aggregation from a modem that knows no aggregation. */
  g_assert_true (mx_data_format_taken (&raw, &raw));
}

static void
test_lower_mtu_follows_the_driver (void)
{
  MxDataFormat qmap = {
    .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
    .ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP,
    .dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP,
    .dl_max_datagrams = 32, .dl_max_size = 32768, .dap_reported = TRUE,
  };
  MxDataFormat raw = { .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP };

  g_assert_cmpuint (mx_data_format_lower_mtu (profile ("qmi_wwan"), &qmap), ==, 16385);
  qmap.dl_max_size = 8192;
  g_assert_cmpuint (mx_data_format_lower_mtu (profile ("qmi_wwan"), &qmap), ==, 8193);
  g_assert_cmpuint (mx_data_format_lower_mtu (profile ("qmi_wwan"), &raw), ==, 0);
  g_assert_cmpuint (mx_data_format_lower_mtu (profile ("mhi_net"), &qmap), ==, 0);
  g_assert_cmpuint (mx_data_format_lower_mtu (profile ("ipa"), &qmap), ==, 0);
}

/* qmi_wwan frames packets by its sysfs switches: they must match the format. */
static void
test_qmi_wwan_mode_follows_the_format (void)
{
  MxDataFormat qmap = {
    .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
    .ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5,
    .dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5,
    .dap_reported = TRUE,
  };
  MxDataFormat raw = { .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP };
  MxDataFormat eth = { .llp = QMI_WDA_LINK_LAYER_PROTOCOL_802_3 };

  g_assert_cmpint (mx_data_format_qmi_wwan_mode (&qmap), ==, MX_QMI_WWAN_FORMAT_QMAP_PASS_THROUGH);
  g_assert_cmpint (mx_data_format_qmi_wwan_mode (&raw), ==, MX_QMI_WWAN_FORMAT_RAW_IP);
  g_assert_cmpint (mx_data_format_qmi_wwan_mode (&eth), ==, MX_QMI_WWAN_FORMAT_802_3);
}

static void
test_rmnet_flags_follow_the_protocol (void)
{
  const guint32 all = MX_RMNET_FLAG_INGRESS_DEAGGREGATION |
                      MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4 |
                      MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5 | MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5;
  MxDataFormat f = { .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP, .dap_reported = TRUE };
  guint32 flags, mask;

  /* upstream numbering, not CAF's */
  g_assert_cmphex (MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5, ==, 0x10);
  g_assert_cmphex (MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5, ==, 0x20);

  f.ul_dap = f.dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5;
  mx_data_format_rmnet_flags (profile ("mhi_net"), &f, &flags, &mask);
  g_assert_cmphex (flags, ==, 0x31);
  g_assert_cmphex (mask, ==, all);

  f.ul_dap = f.dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV4;
  mx_data_format_rmnet_flags (profile ("qmi_wwan"), &f, &flags, &mask);
  g_assert_cmphex (flags, ==, 0x0d);

  f.ul_dap = f.dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAP;
  mx_data_format_rmnet_flags (profile ("mhi_net"), &f, &flags, &mask);
  g_assert_cmphex (flags, ==, MX_RMNET_FLAG_INGRESS_DEAGGREGATION);
  g_assert_cmphex (mask, ==, all);
}

static void
test_ipa_flags_come_from_sysfs_offloads (void)
{
  MxDataFormat f = {
    .llp = QMI_WDA_LINK_LAYER_PROTOCOL_RAW_IP,
    .ul_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5,
    .dl_dap = QMI_WDA_DATA_AGGREGATION_PROTOCOL_QMAPV5,
    .dap_reported = TRUE,
  };
  MxDataProfile ipa = *profile ("ipa");
  guint32 flags, mask;

  /* What the qcom-soc plugin reads from device/feature/{rx,tx}_offload. */
  ipa.hw_rx_checksum = mx_data_checksum_from_attribute ("MAPv4\n");
  ipa.hw_tx_checksum = mx_data_checksum_from_attribute ("MAPv5\n");
  mx_data_format_rmnet_flags (&ipa, &f, &flags, &mask);
  g_assert_cmphex (flags, ==, MX_RMNET_FLAG_INGRESS_DEAGGREGATION |
                              MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4 |
                              MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5);
  ipa.hw_rx_checksum = mx_data_checksum_from_attribute ("none");
  ipa.hw_tx_checksum = mx_data_checksum_from_attribute ("none");
  mx_data_format_rmnet_flags (&ipa, &f, &flags, &mask);
  g_assert_cmphex (flags, ==, MX_RMNET_FLAG_INGRESS_DEAGGREGATION);
  /* No sysfs files (old kernel): follow the protocol. */
  mx_data_format_rmnet_flags (profile ("ipa"), &f, &flags, &mask);
  g_assert_cmphex (flags, ==, 0x31);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data-format/drivers-map-to-endpoints", test_drivers_map_to_endpoints);
  g_test_add_func ("/data-format/multiplex-ladder-is-qmapv5-v4-v1", test_multiplex_ladder_is_qmapv5_v4_v1);
  g_test_add_func ("/data-format/qmi-wwan-aggregates-at-most-16384", test_qmi_wwan_aggregates_at_most_16384);
  g_test_add_func ("/data-format/requested-falls-back-to-raw-ip", test_requested_falls_back_to_raw_ip);
  g_test_add_func ("/data-format/modem-without-aggregation-gets-no-qmap", test_modem_without_aggregation_gets_no_qmap);
  g_test_add_func ("/data-format/ipa-never-runs-without-qmap", test_ipa_never_runs_without_qmap);
  g_test_add_func ("/data-format/bam-dmux-has-no-rmnet", test_bam_dmux_has_no_rmnet);
  g_test_add_func ("/data-format/readback-decides-whether-taken", test_readback_decides_whether_a_format_was_taken);
  g_test_add_func ("/data-format/lower-mtu-follows-the-driver", test_lower_mtu_follows_the_driver);
  g_test_add_func ("/data-format/qmi-wwan-mode-follows-the-format", test_qmi_wwan_mode_follows_the_format);
  g_test_add_func ("/data-format/rmnet-flags-follow-the-protocol", test_rmnet_flags_follow_the_protocol);
  g_test_add_func ("/data-format/ipa-flags-come-from-sysfs-offloads", test_ipa_flags_come_from_sysfs_offloads);
  return g_test_run ();
}
