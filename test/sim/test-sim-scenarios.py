#!/usr/bin/python3
"""Scenario files change what the real qmicli sees: a PIN-locked SIM,
firmware without QMAP, a SoC modem that insists on its endpoint, a network
that refuses APNs, that drops calls, slow registration."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402


class PinLockedSim(simtest.SimTestCase):
    scenario = 'pin-locked.conf'

    def test_1_card_asks_for_pin_and_hides_the_imsi(self):
        out = self.ok('--uim-get-card-status')
        self.assertEqual(self.field(out, 'Application state'), 'pin1-or-upin-pin-required')
        self.assertEqual(self.field(out, 'PIN1 state'), 'enabled-not-verified')
        self.assertEqual(self.field(out, 'PIN1 retries'), '3')
        self.assertIn('PinRestriction', self.fails('--dms-uim-get-imsi'))
        # The ICCID is readable before the PIN, as on a real card.
        self.assertEqual(self.field(self.ok('--dms-uim-get-iccid'), 'ICCID'), self.sc['identity']['iccid'])
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'), 'not-registered')

    def test_2_wrong_pin_costs_a_retry(self):
        out = self.fails('--uim-verify-pin=PIN1,0000')
        self.assertIn('IncorrectPin', out)
        self.assertEqual(self.field(self.ok('--uim-get-card-status'), 'PIN1 retries'), '2')

    def test_3_right_pin_unlocks_and_registers(self):
        self.ok('--uim-verify-pin=PIN1,' + self.sc['sim']['pin'])
        out = self.ok('--uim-get-card-status')
        self.assertEqual(self.field(out, 'Application state'), 'ready')
        self.assertEqual(self.field(out, 'PIN1 state'), 'enabled-verified')
        self.assertEqual(self.field(out, 'PIN1 retries'), '3')
        self.assertEqual(self.field(self.ok('--dms-uim-get-imsi'), 'IMSI'), self.sc['identity']['imsi'])
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'), 'registered')

    def test_4_sim_removal_at_run_time(self):
        self.sim.ctl('remove-sim')
        self.assertEqual(self.field(self.ok('--uim-get-card-status'), 'Card state'), 'absent')
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'), 'not-registered')


class PinBlocksAfterThreeFailures(simtest.SimTestCase):
    scenario = 'pin-locked.conf'

    def test_three_wrong_pins_block_the_card(self):
        self.assertIn('IncorrectPin', self.fails('--uim-verify-pin=PIN1,0000'))
        self.assertIn('IncorrectPin', self.fails('--uim-verify-pin=PIN1,0000'))
        self.assertIn('PinBlocked', self.fails('--uim-verify-pin=PIN1,0000'))
        out = self.ok('--uim-get-card-status')
        self.assertEqual(self.field(out, 'Application state'), 'puk1-or-upin-puk-required')
        self.assertEqual(self.field(out, 'PIN1 state'), 'blocked')
        self.assertIn('PinBlocked', self.fails('--uim-verify-pin=PIN1,' + self.sc['sim']['pin']))


class FirmwareWithoutQmap(simtest.SimTestCase):
    scenario = 'no-qmap.conf'

    def test_qmap_request_reads_back_as_disabled(self):
        out = self.ok('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,'
                      'dl-max-datagrams=32,dl-datagram-max-size=32768,ep-type=hsusb,ep-iface-number=4')
        self.assertEqual(self.field(out, 'Link layer protocol'), 'raw-ip')
        self.assertEqual(self.field(out, 'Uplink data aggregation protocol'), 'disabled')
        self.assertEqual(self.field(out, 'Downlink data aggregation protocol'), 'disabled')
        self.assertNotIn('max datagrams', out)

    def test_unsupported_link_layer_is_invalid_data_format(self):
        out = self.fails('--wda-set-data-format=link-layer-protocol=802-3,ep-type=hsusb,ep-iface-number=4')
        self.assertIn('InvalidDataFormat', out)


class SocModem(simtest.SimTestCase):
    scenario = 'soc.conf'

    def test_endpoint_is_mandatory_and_checked(self):
        self.assertIn('MissingArgument', self.fails('--wda-get-data-format'))
        self.assertIn('InvalidArgument', self.fails('--wda-get-data-format=ep-type=pcie,ep-iface-number=4'))
        out = self.ok('--wda-get-data-format=ep-type=embedded,ep-iface-number=1')
        self.assertEqual(self.field(out, 'Downlink data aggregation protocol'), 'qmapv5')
        self.assertEqual(self.field(out, 'Downlink data aggregation max size'), self.sc['data-format']['dl-max-size'])

    def test_bind_needs_the_embedded_endpoint(self):
        self.assertIn('InvalidArgument', self.fails('--wds-bind-mux-data-port=mux-id=1,ep-type=pcie,ep-iface-number=4'))
        self.ok('--wds-bind-mux-data-port=mux-id=1,ep-type=embedded,ep-iface-number=1')

    def test_dpm_open_port(self):
        self.ok('--dpm-open-port=hw-data-ep-type=embedded,hw-data-ep-iface-number=1,hw-data-rx-id=5,hw-data-tx-id=4')
        self.assertIn('DPM port opened', self.sim.ctl('log'))


class NetworkRefusesApns(simtest.SimTestCase):
    scenario = 'apn-rejects.conf'

    def start_fails(self, apn):
        out = self.fails('--wds-start-network=apn=%s,ip-type=4' % apn)
        self.assertIn('CallFailed', out)
        return out

    def test_each_refused_apn_gives_its_verbose_call_end_reason(self):
        self.assertIn('[3gpp] option-unsubscribed', self.start_fails('corporate'))
        self.assertIn('[3gpp] authentication-failed', self.start_fails('secure'))
        self.assertIn('[internal] interface-in-use', self.start_fails('ims'))
        self.assertIn('[3gpp] unknown-apn', self.start_fails('nosuchapn'))
        self.assertEqual(self.sim.ctl('sessions'), '')

    def test_the_accepted_apn_still_connects(self):
        self.ok('--wds-start-network=apn=internet,ip-type=4')


class NetworkDropsCalls(simtest.SimTestCase):
    scenario = 'disconnect.conf'

    def test_session_ends_after_the_configured_time(self):
        out = self.ok('--wds-bind-mux-data-port=mux-id=3,ep-type=pcie,ep-iface-number=4', '--client-no-release-cid')
        cid = re.search(r"CID: '(\d+)'", out).group(1)
        self.ok('--client-cid=' + cid, '--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid')
        self.assertIn('mux=3', self.sim.ctl('sessions'))
        deadline = time.monotonic() + 10
        while self.sim.ctl('sessions') and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.sim.ctl('sessions'), '')
        out = self.ok('--client-cid=' + cid, '--wds-get-packet-service-status')
        self.assertEqual(self.field(out, 'Connection status'), 'disconnected')


class SlowRegistration(simtest.SimTestCase):
    scenario = 'slow-register.conf'

    def state(self):
        return self.field(self.ok('--nas-get-serving-system'), 'Registration state')

    def wait_registered(self):
        deadline = time.monotonic() + 15
        while self.state() != 'registered' and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(self.state(), 'registered')

    def test_searches_then_registers_roaming(self):
        self.wait_registered()
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Roaming status'), 'on')
        self.ok('--dms-set-operating-mode=low-power')
        self.ok('--dms-set-operating-mode=online')
        self.assertEqual(self.state(), 'not-registered-searching')
        self.wait_registered()


if __name__ == '__main__':
    simtest.main()
