#!/usr/bin/python3
"""The simulator's MBIM function answers the real mbimcli 1.28.2 with the
scenario's values, through a fake mbim-proxy (private network namespace)
and on a pty, and shares its state with the QMI side."""

import ipaddress
import os
import re
import select
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402


class MbimTestCase(simtest.SimTestCase):
    """ok() and fails() run mbimcli (pty=True: on the MBIM pty); self.sim
    also serves qmicli through its qmi-proxy."""
    mbim = True

    def client(self, *args, **kw):
        return self.sim.mbimcli(*args, **kw)


class Identity(MbimTestCase):
    def test_device_caps_report_the_scenario_identity(self):
        out = self.ok('--query-device-caps')
        self.assertEqual(self.field(out, 'Device ID'), self.sc['identity']['imei'])
        self.assertEqual(self.field(out, 'Firmware info'), self.sc['identity']['revision'])
        self.assertEqual(self.field(out, 'Max sessions'), self.sc['sessions']['max'])
        self.assertEqual(self.field(out, 'Cellular class'), 'gsm')

    def test_subscriber_ready_status_shows_imsi_and_iccid(self):
        out = self.ok('--query-subscriber-ready-status')
        self.assertEqual(self.field(out, 'Ready state'), 'initialized')
        self.assertEqual(self.field(out, 'Subscriber ID'), self.sc['identity']['imsi'])
        self.assertEqual(self.field(out, 'SIM ICCID'), self.sc['identity']['iccid'])

    def test_the_pty_serves_the_same_modem(self):
        out = self.ok('--query-device-caps', pty=True)
        self.assertEqual(self.field(out, 'Device ID'), self.sc['identity']['imei'])


class RadioAndRegistration(MbimTestCase):
    def test_registration_state_is_home_on_the_scenario_operator(self):
        out = self.ok('--query-registration-state')
        self.assertEqual(self.field(out, 'Register state'), 'home')
        self.assertEqual(self.field(out, 'Provider ID'), self.sc['identity']['mcc'] + self.sc['identity']['mnc'])
        self.assertEqual(self.field(out, 'Provider name'), self.sc['identity']['operator-name'])

    def test_home_provider_is_the_scenario_operator(self):
        out = self.ok('--query-home-provider')
        self.assertEqual(self.field(out, 'Provider ID'), self.sc['identity']['mcc'] + self.sc['identity']['mnc'])
        self.assertEqual(self.field(out, 'Provider name'), self.sc['identity']['operator-name'])
        self.assertIn('home', self.field(out, 'State'))

    def test_radio_state_is_shared_with_qmi(self):
        out = self.ok('--query-radio-state')
        self.assertEqual(self.field(out, 'Hardware radio state'), 'on')
        self.assertEqual(self.field(out, 'Software radio state'), 'on')
        status, out = self.sim.qmicli('--dms-set-operating-mode=low-power')
        self.assertEqual(status, 0, out)
        self.assertEqual(self.field(self.ok('--query-radio-state'), 'Software radio state'), 'off')
        self.assertEqual(self.field(self.ok('--query-registration-state'), 'Register state'), 'deregistered')
        self.ok('--set-radio-state=on')
        status, out = self.sim.qmicli('--dms-get-operating-mode')
        self.assertEqual(self.field(out, 'Mode'), 'online')

    def test_registration_loss_injected_through_control(self):
        self.sim.ctl('register', 'searching')
        self.assertEqual(self.field(self.ok('--query-registration-state'), 'Register state'), 'searching')
        self.assertIn('NotRegistered', self.fails('--connect=access-string=internet,session-id=5'))
        self.sim.ctl('register', 'home')
        self.assertEqual(self.field(self.ok('--query-registration-state'), 'Register state'), 'home')


class Sessions(MbimTestCase):
    def test_connect_ip_configuration_disconnect(self):
        apn = self.sc['apn internet']
        out = self.ok('--connect=apn=internet,session-id=2')
        self.assertIn('Successfully connected', out)
        self.assertEqual(self.field(out, 'Activation state'), 'activated')
        self.assertEqual(self.field(out, 'Session ID'), '2')

        out = self.ok('--query-ip-configuration=2')
        addr = re.search(r"IPv4 configuration available: '[^']*'\s+IP \[0\]: '([^']+)'", out)
        self.assertIsNotNone(addr, out)
        iface = ipaddress.ip_interface(addr.group(1))
        self.assertIn(iface.ip, ipaddress.ip_network(apn['ipv4']))
        self.assertEqual(iface.network.prefixlen, ipaddress.ip_network(apn['ipv4']).prefixlen)
        for dns in apn['dns4'].split(';'):
            self.assertIn("'%s'" % dns, out)
        self.assertIn("MTU: '%s'" % apn['mtu'], out)
        addr6 = re.search(r"IPv6 configuration available: '[^']*'\s+IP \[0\]: '([^']+)'", out)
        self.assertIsNotNone(addr6, out)
        self.assertIn(ipaddress.ip_interface(addr6.group(1)).ip, ipaddress.ip_network(apn['ipv6']))

        # The engine holds the PDN under the session id (the data path's mux id).
        sessions = self.sim.ctl('sessions')
        self.assertRegex(sessions, r'mux[ =]2\b')

        out = self.ok('--disconnect=2')
        self.assertIn('Successfully disconnected', out)
        self.assertEqual(self.field(out, 'Activation state'), 'deactivated')
        self.assertIn('ContextNotActivated', self.fails('--query-ip-configuration=2'))

    def test_connect_on_an_unknown_apn_fails(self):
        out = self.fails('--connect=access-string=nowhere,session-id=3')
        self.assertIn('Failure', out)
        self.assertNotRegex(self.sim.ctl('sessions'), r'mux[ =]3\b')

    def test_network_disconnect_ends_the_session(self):
        self.ok('--connect=access-string=internet,ip-type=ipv4,session-id=4')
        self.assertEqual(self.field(self.ok('--query-connection-state=4'), 'Activation state'), 'activated')
        self.sim.ctl('disconnect', 'all')
        self.assertEqual(self.field(self.ok('--query-connection-state=4'), 'Activation state'), 'deactivated')


class Faults(MbimTestCase):
    def test_a_connect_fault_answers_the_status_once(self):
        # MBIM rules: service=mbim, message = the Basic Connect CID (Connect = 12)
        self.sim.ctl('fault', 'add', 'service=mbim', 'message=12', 'action=error', 'error=busy', 'count=1')
        self.assertIn('Busy', self.fails('--connect=apn=internet,session-id=6'))
        rules = self.sim.ctl('fault', 'list')
        self.assertIn('service=mbim message=0x000c action=error error=Busy', rules)
        self.assertIn('applied=1', rules)
        self.assertIn('Successfully connected', self.ok('--connect=apn=internet,session-id=6'))
        self.ok('--disconnect=6')
        self.sim.ctl('fault', 'clear')


def _csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def _echo_request(src, dst, ident, seq):
    icmp = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + b'modemux'
    icmp = icmp[:2] + struct.pack('!H', _csum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack('!H', _csum(ip)) + ip[12:]
    return ip + icmp


class VlanSessions(MbimTestCase):
    """cdc_mbim's data path: the host's VLAN id N is MBIM session N,
    untagged is session 0; echo requests come back on their tag and are
    counted per session. Frames are built here (802.1Q tags in the frame),
    so no 8021q is needed in this namespace."""
    extra_args = ('--data-mbim-veth', 'mxmbimsim1')

    @classmethod
    def setUpClass(cls):
        subprocess.run(['ip', 'link', 'add', 'mxmbimsim0', 'type', 'veth', 'peer', 'name', 'mxmbimsim1'],
                       check=True)
        for dev in ('mxmbimsim0', 'mxmbimsim1'):
            subprocess.run(['ip', 'link', 'set', dev, 'up'], check=True)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        subprocess.run(['ip', 'link', 'del', 'mxmbimsim0'], check=False)

    def ipv4_of(self, session):
        out = self.ok('--query-ip-configuration=%d' % session)
        m = re.search(r"IPv4 configuration available: '[^']*'\s+IP \[0\]: '([^']+)'", out)
        self.assertIsNotNone(m, out)
        return str(ipaddress.ip_interface(m.group(1)).ip)

    def ping(self, sock, vid, src, seq):
        """One tagged (vid) or untagged (None) echo request; returns the
        VLAN id of the answer (None: untagged) once it arrived."""
        mac = bytes.fromhex('02000000aa01')
        tag = struct.pack('!HH', 0x8100, vid) if vid is not None else b''
        sock.send(b'\xff' * 6 + mac + tag + b'\x08\x00' + _echo_request(src, '192.0.2.7', 77, seq))
        while True:
            ready, _, _ = select.select([sock], [], [], 10)
            self.assertTrue(ready, 'no answer to the echo request on VLAN %s' % vid)
            data, aux, _, _ = sock.recvmsg(65536, socket.CMSG_SPACE(32))
            if data[6:12] == mac:
                continue            # our own frame
            proto = struct.unpack('!H', data[12:14])[0]
            got_vid = None
            for level, kind, cdata in aux:
                if level == 263 and kind == 8:      # SOL_PACKET, PACKET_AUXDATA
                    status, _, _, _, _, tci = struct.unpack('IIIHHH', cdata[:18])
                    if status & 0x10:               # TP_STATUS_VLAN_VALID
                        got_vid = tci & 0xfff
            if proto == 0x8100:
                got_vid = struct.unpack('!H', data[14:16])[0] & 0xfff
                data = data[4:]
            self.assertEqual(data[:6], mac, 'the answer goes to the host')
            ip = data[14:]
            self.assertEqual(ip[20], 0, 'an ICMP echo reply')
            self.assertEqual(socket.inet_ntoa(ip[16:20]), src)
            return got_vid

    def counters(self, session):
        return self.sim.ctl('counters', str(session))

    def test_each_tag_is_its_session(self):
        self.ok('--connect=apn=internet,ip-type=ipv4,session-id=0')
        self.ok('--connect=apn=internet,ip-type=ipv4,session-id=3')
        self.ok('--connect=apn=internet,ip-type=ipv4,session-id=200')
        addr = {s: self.ipv4_of(s) for s in (0, 3, 200)}
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        sock.setsockopt(263, 8, 1)                  # PACKET_AUXDATA
        sock.bind(('mxmbimsim0', 0))
        try:
            self.assertEqual(self.ping(sock, 3, addr[3], 1), 3)
            self.assertEqual(self.ping(sock, 3, addr[3], 2), 3)
            self.assertEqual(self.ping(sock, 200, addr[200], 3), 200)
            self.assertIsNone(self.ping(sock, None, addr[0], 4))
        finally:
            sock.close()
        self.assertRegex(self.counters(3), r'ul_packets[ =:]+2\b')
        self.assertRegex(self.counters(3), r'dl_packets[ =:]+2\b')
        self.assertRegex(self.counters(200), r'ul_packets[ =:]+1\b')
        self.assertRegex(self.counters(0), r'ul_packets[ =:]+1\b')
        # Packet Statistics: the active sessions' counters, 4 each way
        out = self.ok('--query-packet-statistics')
        self.assertEqual(self.field(out, 'Packets (in)'), '4')
        self.assertEqual(self.field(out, 'Packets (out)'), '4')
        for s in (0, 3, 200):
            self.ok('--disconnect=%d' % s)


if __name__ == '__main__':
    simtest.main()
