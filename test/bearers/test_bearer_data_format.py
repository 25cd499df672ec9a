#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Data format negotiation (src/mx-data-format*.c) against the simulator:
the QMAPv5 -> QMAPv4 -> QMAP ladder, raw-IP fallback, read-back
verification, DL limits per driver, the endpoint TLV."""

import bearertest


class ModemWithQmap(bearertest.BearerSimTestCase):
    scenario = 'default.conf'   # 802.3 until told otherwise; QMAP v1/v4/v5

    def test_required_on_mhi_net_takes_qmapv5_with_32_datagrams_of_32k(self):
        status, f, raw = self.run_tool('negotiate', 'mhi_net', 'required')
        self.assertEqual(status, 0, raw)
        self.assertEqual((f['llp'], f['ul'], f['dl']), ('raw-ip', 'qmapv5', 'qmapv5'), raw)
        self.assertEqual((f['dl-datagrams'], f['dl-size']), ('32', '32768'), raw)

    def test_qmi_wwan_asks_for_16k_aggregates(self):
        # rmnet caps the lower MTU at 16384 and qmi_wwan's RX URB follows it.
        status, f, raw = self.run_tool('negotiate', 'qmi_wwan', 'required')
        self.assertEqual(status, 0, raw)
        self.assertEqual(f['dl-size'], '16384', raw)

    def test_none_sets_raw_ip_without_aggregation(self):
        status, f, raw = self.run_tool('negotiate', 'mhi_net', 'none')
        self.assertEqual(status, 0, raw)
        self.assertEqual((f['llp'], f['dl'], f['qmap']), ('raw-ip', 'disabled', 'no'), raw)


class ModemWithoutQmap(bearertest.BearerSimTestCase):
    scenario = 'no-qmap.conf'   # answers "disabled" to any aggregation

    def test_required_fails_and_says_no_qmap_was_accepted(self):
        status, f, raw = self.run_tool('negotiate', 'qmi_wwan', 'required')
        self.assertNotEqual(status, 0, raw)
        self.assertEqual(f.get('error-domain'), 'mm_core_error_quark', raw)
        self.assertEqual(f.get('error-code'), '3', raw)   # MM_CORE_ERROR_UNSUPPORTED
        # The step that found no format, then why.
        self.assertTrue(f.get('error-message', '').startswith(
            'WDA Set Data Format failed: Multiplexing required'), raw)
        self.assertIn('QMAP', f.get('error-message', ''), raw)

    def test_requested_falls_back_to_raw_ip(self):
        status, f, raw = self.run_tool('negotiate', 'qmi_wwan', 'requested')
        self.assertEqual(status, 0, raw)
        self.assertEqual((f['llp'], f['dl'], f['qmap']), ('raw-ip', 'disabled', 'no'), raw)


class SocModem(bearertest.BearerSimTestCase):
    scenario = 'soc.conf'       # IPA: endpoint EMBEDDED/1 mandatory, 16 x 16 KiB

    def test_the_modems_lower_limits_win(self):
        status, f, raw = self.run_tool('negotiate', 'ipa', 'required', 'qrtr')
        self.assertEqual(status, 0, raw)
        self.assertEqual((f['dl'], f['dl-datagrams'], f['dl-size']), ('qmapv5', '16', '16384'), raw)

    def test_endpoint_is_added_after_missing_argument(self):
        # Not over QRTR: the first requests go without the endpoint TLV.
        status, f, raw = self.run_tool('negotiate', 'ipa', 'required')
        self.assertEqual(status, 0, raw)
        self.assertEqual(f['dl'], 'qmapv5', raw)


if __name__ == '__main__':
    bearertest.main()
