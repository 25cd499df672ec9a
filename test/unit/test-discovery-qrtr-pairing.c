/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which device a QRTR node belongs to (docs/discovery.md "QRTR pairing"). */
#include <glib.h>
#include "mx-discovery-qrtr-pairing.h"
#include "mx-discovery-qrtr-source.h"
#include "mx-discovery-error.h"
#include <libqmi-glib.h>

static void
test_soc_node_zero_and_mhi_node_are_separate (void)
{
  const guint32 nodes[] = { 0, 3 };
  const MxQrtrPairingGroup groups[] = {
    { .uid = "pci-modem", .ipcr = TRUE, .explicit_node = -1 },
    { .uid = "qcom-soc:/sys/devices/platform/soc@0", .soc = TRUE, .explicit_node = -1 },
  };
  const char *uids[2];

  mx_qrtr_pairing_assign (nodes, 2, groups, 2, uids);
  g_assert_cmpstr (uids[0], ==, "qcom-soc:/sys/devices/platform/soc@0");
  g_assert_cmpstr (uids[1], ==, "pci-modem");
}

static void
test_explicit_tag_wins_over_inference (void)
{
  const guint32 nodes[] = { 0, 9 };
  const MxQrtrPairingGroup groups[] = {
    { .uid = "soc", .soc = TRUE, .explicit_node = 9 },
    { .uid = "pci", .ipcr = TRUE, .explicit_node = 0 },
  };
  const char *uids[2];

  mx_qrtr_pairing_assign (nodes, 2, groups, 2, uids);
  g_assert_cmpstr (uids[0], ==, "pci");
  g_assert_cmpstr (uids[1], ==, "soc");
}

static void
test_single_node_single_candidate (void)
{
  const guint32 nodes[] = { 3 };
  const MxQrtrPairingGroup groups[] = {
    { .uid = "pci", .ipcr = TRUE, .explicit_node = -1 },
    { .uid = "usb-modem", .explicit_node = -1 },  /* no QRTR transport: never a candidate */
  };
  const char *uids[1];

  mx_qrtr_pairing_assign (nodes, 1, groups, 2, uids);
  g_assert_cmpstr (uids[0], ==, "pci");
}

static void
test_ambiguous_nodes_stay_unpaired_with_a_message (void)
{
  const guint32 nodes[] = { 3, 4 };
  const MxQrtrPairingGroup groups[] = {
    { .uid = "pci-a", .ipcr = TRUE, .explicit_node = -1 },
    { .uid = "pci-b", .ipcr = TRUE, .explicit_node = -1 },
  };
  const char *uids[2];

  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_MESSAGE, "*QRTR node 3*MX_QRTR_NODE=3*");
  g_test_expect_message ("mx-discovery", G_LOG_LEVEL_MESSAGE, "*QRTR node 4*MX_QRTR_NODE=4*");
  mx_qrtr_pairing_assign (nodes, 2, groups, 2, uids);
  g_test_assert_expected_messages ();
  g_assert_null (uids[0]);
  g_assert_null (uids[1]);
}

static void
test_node_without_candidates_is_alone (void)
{
  const guint32 nodes[] = { 5 };
  const char *uids[1];

  mx_qrtr_pairing_assign (nodes, 1, NULL, 0, uids);
  g_assert_null (uids[0]);
}

static void
test_modem_services (void)
{
  const guint32 modem[] = { QMI_SERVICE_DMS, QMI_SERVICE_UIM, QMI_SERVICE_NAS, QMI_SERVICE_WDS };
  const guint32 dsp[] = { QMI_SERVICE_DMS, QMI_SERVICE_NAS };
  g_autoptr(GError) error = NULL;

  g_assert_true (mx_qrtr_services_are_modem (modem, G_N_ELEMENTS (modem), &error));
  g_assert_no_error (error);
  g_assert_false (mx_qrtr_services_are_modem (dsp, G_N_ELEMENTS (dsp), &error));
  g_assert_error (error, MX_DISCOVERY_ERROR, MX_DISCOVERY_ERROR_NOT_A_MODEM);
  g_assert_false (mx_qrtr_services_are_modem (NULL, 0, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/discovery/qrtr-pairing/soc-and-mhi", test_soc_node_zero_and_mhi_node_are_separate);
  g_test_add_func ("/discovery/qrtr-pairing/explicit", test_explicit_tag_wins_over_inference);
  g_test_add_func ("/discovery/qrtr-pairing/single", test_single_node_single_candidate);
  g_test_add_func ("/discovery/qrtr-pairing/ambiguous", test_ambiguous_nodes_stay_unpaired_with_a_message);
  g_test_add_func ("/discovery/qrtr-pairing/alone", test_node_without_candidates_is_alone);
  g_test_add_func ("/discovery/qrtr-pairing/modem-services", test_modem_services);
  return g_test_run ();
}
