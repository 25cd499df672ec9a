#!/usr/bin/python3
"""The same qmicli commands work on the QMUX pseudo-terminal (like
/dev/wwan0qmi0), with the proxy transport running at the same time."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402


class QmuxOnPty(simtest.SimTestCase):
    pty = True

    def on_pty(self, *args):
        return self.ok(*args, pty=True)

    def test_pty_path_is_a_symlink_to_a_char_device(self):
        self.assertTrue(os.path.islink(self.sim.pty))
        self.assertTrue(os.path.realpath(self.sim.pty).startswith('/dev/pts/'))

    def test_identity_and_modes(self):
        self.assertEqual(self.field(self.on_pty('--dms-get-ids'), 'IMEI'), self.sc['identity']['imei'])
        self.assertEqual(self.field(self.on_pty('--dms-get-model'), 'Model'), self.sc['identity']['model'])
        self.assertEqual(self.field(self.on_pty('--dms-get-revision'), 'Revision'), self.sc['identity']['revision'])
        self.on_pty('--dms-set-operating-mode=low-power')
        self.assertEqual(self.field(self.on_pty('--dms-get-operating-mode'), 'Mode'), 'low-power')
        self.on_pty('--dms-set-operating-mode=online')
        self.assertEqual(self.field(self.on_pty('--dms-get-operating-mode'), 'Mode'), 'online')
        self.assertEqual(self.field(self.on_pty('--uim-get-card-status'), 'Card state'), 'present')
        self.assertEqual(self.field(self.on_pty('--nas-get-serving-system'), 'Registration state'), 'registered')
        self.assertIn("'%s dBm'" % self.sc['registration']['rssi'], self.on_pty('--nas-get-signal-strength'))

    def test_data_format_bind_start_stop(self):
        out = self.on_pty('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,'
                          'dl-max-datagrams=32,dl-datagram-max-size=32768,ep-type=pcie,ep-iface-number=4')
        self.assertEqual(self.field(out, 'Downlink data aggregation protocol'), 'qmapv5')
        self.assertEqual(self.field(self.on_pty('--wda-get-data-format'), 'Link layer protocol'), 'raw-ip')
        out = self.on_pty('--wds-bind-mux-data-port=mux-id=1,ep-type=pcie,ep-iface-number=4', '--client-no-release-cid')
        cid = re.search(r"CID: '(\d+)'", out).group(1)
        out = self.on_pty('--client-cid=' + cid, '--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid')
        handle = self.field(out, 'Packet data handle')
        out = self.on_pty('--client-cid=' + cid, '--wds-get-current-settings', '--client-no-release-cid')
        self.assertEqual(self.field(out, 'MTU'), self.sc['apn internet']['mtu'])
        out = self.on_pty('--client-cid=' + cid, '--wds-get-packet-service-status', '--client-no-release-cid')
        self.assertEqual(self.field(out, 'Connection status'), 'connected')
        self.on_pty('--client-cid=' + cid, '--wds-stop-network=' + handle)
        self.assertEqual(self.sim.ctl('sessions'), '')

    def test_pty_and_proxy_share_one_modem(self):
        self.on_pty('--dms-set-operating-mode=low-power')
        self.assertEqual(self.field(self.ok('--dms-get-operating-mode'), 'Mode'), 'low-power')
        self.ok('--dms-set-operating-mode=online')
        self.assertEqual(self.field(self.on_pty('--dms-get-operating-mode'), 'Mode'), 'online')

    def test_pty_comes_back_after_a_hangup(self):
        before = os.path.realpath(self.sim.pty)
        self.sim.ctl('hangup')
        self.assertEqual(self.field(self.on_pty('--dms-get-ids'), 'IMEI'), self.sc['identity']['imei'])
        self.assertIn('hang-up', self.sim.ctl('log'))
        self.assertTrue(os.path.realpath(self.sim.pty).startswith('/dev/pts/'), before)

    def test_kernel_data_format_through_ctl(self):
        # libqmi opens a direct port with --device-open-net by sending CTL
        # Set Data Format (0x0026); the answer must carry TLV 0x10.
        out = self.on_pty('--device-open-net=net-raw-ip|net-no-qos-header', '--dms-get-ids')
        self.assertEqual(self.field(out, 'IMEI'), self.sc['identity']['imei'])
        self.assertRegex(self.sim.ctl('log'), r'<< .*"Set Data Format" \(0x0026\).*SUCCESS.*"Protocol" \(0x10\)')

    def test_errors_on_pty(self):
        status, out = self.sim.qmicli('--wds-start-network=apn=nowhere,ip-type=4', pty=True)
        self.assertNotEqual(status, 0)
        self.assertIn('[3gpp] unknown-apn', out)


if __name__ == '__main__':
    simtest.main()
