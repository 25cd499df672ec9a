#!/usr/bin/python3
"""The simulator on the fake qmi-proxy answers the real qmicli with the
scenario's values and the errors real firmware gives."""

import ipaddress
import re
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402

WDA_SET = ('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,'
           'dl-max-datagrams=32,dl-datagram-max-size=32768,ep-type=pcie,ep-iface-number=4')
BIND = '--wds-bind-mux-data-port=mux-id=1,ep-type=pcie,ep-iface-number=4'


def wds_cid(out):
    """The client id qmicli kept with --client-no-release-cid."""
    m = re.search(r"Service: 'wds'\s+CID: '(\d+)'", out)
    assert m, out
    return m.group(1)


class DeviceIdentity(simtest.SimTestCase):
    def test_get_ids_reports_the_scenario_imei(self):
        out = self.ok('--dms-get-ids')
        self.assertEqual(self.field(out, 'IMEI'), self.sc['identity']['imei'])

    def test_get_model_revision_manufacturer(self):
        self.assertEqual(self.field(self.ok('--dms-get-model'), 'Model'), self.sc['identity']['model'])
        self.assertEqual(self.field(self.ok('--dms-get-revision'), 'Revision'), self.sc['identity']['revision'])
        self.assertEqual(self.field(self.ok('--dms-get-manufacturer'), 'Manufacturer'),
                         self.sc['identity']['manufacturer'])

    def test_operating_mode_follows_set(self):
        self.assertEqual(self.field(self.ok('--dms-get-operating-mode'), 'Mode'), 'online')
        self.ok('--dms-set-operating-mode=low-power')
        self.assertEqual(self.field(self.ok('--dms-get-operating-mode'), 'Mode'), 'low-power')
        # Without radio there is no registration.
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'), 'not-registered')
        self.ok('--dms-set-operating-mode=online')
        self.assertEqual(self.field(self.ok('--dms-get-operating-mode'), 'Mode'), 'online')
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'), 'registered')

    def test_sim_identity(self):
        self.assertEqual(self.field(self.ok('--dms-uim-get-iccid'), 'ICCID'), self.sc['identity']['iccid'])
        self.assertEqual(self.field(self.ok('--dms-uim-get-imsi'), 'IMSI'), self.sc['identity']['imsi'])

    def test_unknown_message_is_a_qmi_error_not_a_success(self):
        out = self.fails('--dms-get-factory-sku')
        self.assertIn('InvalidQmiCommand', out)
        self.assertIn('UNKNOWN message 0x0046', self.sim.ctl('log'))


class CardAndNetwork(simtest.SimTestCase):
    def test_card_status_is_present_and_ready(self):
        out = self.ok('--uim-get-card-status')
        self.assertEqual(self.field(out, 'Card state'), 'present')
        self.assertEqual(self.field(out, 'Application state'), 'ready')
        self.assertEqual(self.field(out, 'PIN1 state'), 'disabled')
        self.assertEqual(self.field(out, 'PIN1 retries'), self.sc['sim']['pin-retries'])

    def test_serving_system_shows_the_scenario_operator(self):
        out = self.ok('--nas-get-serving-system')
        self.assertEqual(self.field(out, 'Registration state'), 'registered')
        self.assertEqual(self.field(out, 'PS'), 'attached')
        self.assertEqual(int(self.field(out, 'MCC')), int(self.sc['identity']['mcc']))
        self.assertEqual(int(self.field(out, 'MNC')), int(self.sc['identity']['mnc']))
        self.assertEqual(self.field(out, 'Description'), self.sc['identity']['operator-name'])

    def test_signal_strength_is_the_scenario_rssi(self):
        out = self.ok('--nas-get-signal-strength')
        self.assertIn("Network 'lte': '%s dBm'" % self.sc['registration']['rssi'], out)
        self.assertIn("Network 'lte': '%s dBm'" % self.sc['registration']['rsrp'], out)

    def test_registration_changes_are_sent_as_indications(self):
        out = self.ok('--nas-noop', '--client-no-release-cid')
        cid = re.search(r"CID: '(\d+)'", out).group(1)
        self.sim.ctl('register', 'roaming')
        log = self.sim.ctl('log', '20')
        self.assertRegex(log, r'nas%s << .*flags = "indication".*"Serving System"' % cid)
        self.assertRegex(log, r'nas%s << .*flags = "indication".*"System Info"' % cid)
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Roaming status'), 'on')
        self.sim.ctl('register', 'home')
        self.ok('--client-cid=' + cid, '--nas-noop')

    def test_registration_loss_is_seen_by_clients(self):
        self.sim.ctl('register', 'searching')
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'),
                         'not-registered-searching')
        self.sim.ctl('register', 'home')
        self.assertEqual(self.field(self.ok('--nas-get-serving-system'), 'Registration state'), 'registered')


class DataFormatAndSessions(simtest.SimTestCase):
    def test_1_wda_default_then_set_qmapv5(self):
        out = self.ok('--wda-get-data-format')
        self.assertEqual(self.field(out, 'Link layer protocol'), '802-3')
        self.assertEqual(self.field(out, 'Downlink data aggregation protocol'), 'disabled')
        out = self.ok(WDA_SET)
        self.assertEqual(self.field(out, 'Link layer protocol'), 'raw-ip')
        self.assertEqual(self.field(out, 'Uplink data aggregation protocol'), 'qmapv5')
        self.assertEqual(self.field(out, 'Downlink data aggregation protocol'), 'qmapv5')
        self.assertEqual(self.field(out, 'Downlink data aggregation max datagrams'), '32')
        self.assertEqual(self.field(out, 'Downlink data aggregation max size'), '32768')
        out = self.ok('--wda-get-data-format')
        self.assertEqual(self.field(out, 'Downlink data aggregation protocol'), 'qmapv5')

    def test_2_wda_clamps_dl_limits_to_the_scenario(self):
        out = self.ok('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,'
                      'dl-max-datagrams=64,dl-datagram-max-size=65536,ep-type=pcie,ep-iface-number=4')
        self.assertEqual(self.field(out, 'Downlink data aggregation max datagrams'),
                         self.sc['data-format']['dl-max-datagrams'])
        self.assertEqual(self.field(out, 'Downlink data aggregation max size'), self.sc['data-format']['dl-max-size'])

    def test_3_wda_with_a_foreign_endpoint_is_refused(self):
        out = self.fails('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmapv5,dl-protocol=qmapv5,'
                         'ep-type=hsusb,ep-iface-number=8')
        self.assertIn('InvalidArgument', out)

    def test_4_bind_start_settings_status_stop(self):
        out = self.ok(BIND, '--client-no-release-cid')
        cid = wds_cid(out)
        out = self.ok('--client-cid=' + cid, '--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid')
        handle = self.field(out, 'Packet data handle')

        sessions = self.sim.ctl('sessions')
        self.assertRegex(sessions, r'session id=\d+ mux=1 family=4 apn=internet handle=0x%08x' % int(handle))

        out = self.ok('--client-cid=' + cid, '--wds-get-current-settings', '--client-no-release-cid')
        apn = self.sc['apn internet']
        pool = ipaddress.ip_network(apn['ipv4'])
        address = ipaddress.ip_address(self.field(out, 'IPv4 address'))
        self.assertIn(address, pool)
        self.assertNotEqual(address, pool.network_address + 1)
        self.assertEqual(self.field(out, 'IPv4 gateway address'), str(pool.network_address + 1))
        self.assertEqual(self.field(out, 'IPv4 subnet mask'), str(pool.netmask))
        self.assertEqual(self.field(out, 'IPv4 primary DNS'), apn['dns4'].split(';')[0])
        self.assertEqual(self.field(out, 'MTU'), apn['mtu'])

        out = self.ok('--client-cid=' + cid, '--wds-get-packet-service-status', '--client-no-release-cid')
        self.assertEqual(self.field(out, 'Connection status'), 'connected')

        self.ok('--client-cid=' + cid, '--wds-stop-network=' + handle, '--client-no-release-cid')
        out = self.ok('--client-cid=' + cid, '--wds-get-packet-service-status')
        self.assertEqual(self.field(out, 'Connection status'), 'disconnected')
        self.assertEqual(self.sim.ctl('sessions'), '')

    def test_5_bind_with_the_wrong_endpoint_fails_like_firmware(self):
        out = self.fails('--wds-bind-mux-data-port=mux-id=1,ep-type=hsusb,ep-iface-number=4')
        self.assertIn('QMI protocol error (48)', out)
        self.assertIn('InvalidArgument', out)

    def test_6_start_on_an_unknown_apn_fails_with_call_end_reason(self):
        out = self.fails('--wds-start-network=apn=no.such.apn,ip-type=4')
        self.assertIn('QMI protocol error (14)', out)
        self.assertIn('CallFailed', out)
        self.assertIn('[3gpp] unknown-apn', out)

    def test_7_network_initiated_disconnect(self):
        out = self.ok(BIND, '--client-no-release-cid')
        cid = wds_cid(out)
        self.ok('--client-cid=' + cid, '--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid')
        session = re.search(r'session id=(\d+)', self.sim.ctl('sessions')).group(1)
        self.sim.ctl('disconnect', session)
        out = self.ok('--client-cid=' + cid, '--wds-get-packet-service-status')
        self.assertEqual(self.field(out, 'Connection status'), 'disconnected')
        self.assertIn('session %s stopped (network)' % session, self.sim.ctl('log'))

    def test_8_ipv6_session_on_a_second_client_shares_the_mux(self):
        out4 = self.ok(BIND, '--client-no-release-cid')
        cid4 = wds_cid(out4)
        out6 = self.ok(BIND, '--client-no-release-cid')
        cid6 = wds_cid(out6)
        self.ok('--client-cid=' + cid4, '--wds-start-network=apn=internet,ip-type=4', '--client-no-release-cid')
        self.ok('--client-cid=' + cid6, '--wds-start-network=apn=internet,ip-type=6', '--client-no-release-cid')
        out = self.ok('--client-cid=' + cid6, '--wds-get-current-settings', '--client-no-release-cid')
        self.assertIn(ipaddress.ip_address(self.field(out, 'IPv6 address').split('/')[0]),
                      ipaddress.ip_network(self.sc['apn internet']['ipv6']))
        sessions = self.sim.ctl('sessions')
        self.assertRegex(sessions, r'mux=1 family=4')
        self.assertRegex(sessions, r'mux=1 family=6')
        # Releasing a client ends its call, as on firmware.
        self.ok('--client-cid=' + cid4, '--wds-noop')
        self.ok('--client-cid=' + cid6, '--wds-noop')
        self.assertEqual(self.sim.ctl('sessions'), '')

    def test_9_profile_list_names_the_scenario_apns(self):
        out = self.ok('--wds-get-profile-list=3gpp')
        self.assertIn("APN: 'internet'", out)
        self.assertIn("APN: 'ims'", out)


class FakeProxyHandshake(simtest.SimTestCase):
    def test_proxy_open_and_version_info_are_logged(self):
        self.ok('--dms-get-ids')
        log = self.sim.ctl('log')
        self.assertIn('proxy open for device', log)
        self.assertIn('Allocate CID', log)
        self.assertIn('Release CID', log)

    def test_open_with_sync(self):
        out = self.ok('--device-open-sync', '--dms-get-ids')
        self.assertEqual(self.field(out, 'IMEI'), self.sc['identity']['imei'])
        self.assertIn('"Sync" (0x0027)', self.sim.ctl('log'))

    def test_a_client_vanishing_mid_request_does_not_kill_the_modem(self):
        import socket
        import struct

        def ctl(tid, msg, tlvs):
            body = b''.join(struct.pack('<BH', t, len(v)) + v for t, v in tlvs)
            qmi = struct.pack('<BBHH', 0, tid, msg, len(body)) + body
            return b'\x01' + struct.pack('<HBBB', 5 + len(qmi), 0, 0, 0) + qmi

        for _ in range(20):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect('\0qmi-proxy')
            # Many answers (Get Version Info) to write after the peer is gone: EPIPE, not SIGPIPE.
            s.sendall(ctl(1, 0xFF00, [(1, self.sim.dev.encode())]) + ctl(2, 0x0021, []) * 200)
            s.close()
        self.assertEqual(self.field(self.ok('--dms-get-ids'), 'IMEI'), self.sc['identity']['imei'])

    def test_several_concurrent_clients(self):
        import subprocess
        procs = [subprocess.Popen([simtest.QMICLI, '-p', '-d', self.sim.dev, '--device-open-qmi', cmd],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                 for cmd in ['--dms-get-ids', '--nas-get-serving-system', '--dms-get-model', '--uim-get-card-status']]
        outs = [p.communicate(timeout=30)[0] for p in procs]
        self.assertEqual([p.returncode for p in procs], [0, 0, 0, 0])
        self.assertEqual(self.field(outs[0], 'IMEI'), self.sc['identity']['imei'])
        self.assertEqual(self.field(outs[2], 'Model'), self.sc['identity']['model'])


if __name__ == '__main__':
    simtest.main()
