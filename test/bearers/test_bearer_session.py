#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One WDS session of a bearer (src/bearer/mx-bearer-wds-session.c) against the simulator:
Bind Mux Data Port with endpoint and mux id, Start Network, Get Current
Settings, Stop Network; a failure at any step names the step and leaves no
session on the modem."""

import ipaddress

import bearertest

PCIE = 3


class Session(bearertest.BearerSimTestCase):
    scenario = 'default.conf'

    def test_ipv4_session_on_mux_id_5_gets_the_networks_settings_and_stops(self):
        status, s, raw = self.run_tool('session', 4, 'internet', 5, PCIE, 4)
        self.assertEqual(status, 0, raw)
        self.assertIn(ipaddress.ip_address(s['address']), ipaddress.ip_network('10.64.0.0/24'), raw)
        self.assertEqual(s['prefix'], '24', raw)
        self.assertEqual(s['dns1'], '10.64.255.1', raw)
        self.assertEqual(s['mtu'], '1500', raw)
        self.assertEqual(s['stopped'], 'yes', raw)
        self.assertEqual(self.sessions(), [], 'session left on the modem')
        # The simulator saw the bind with our mux id.
        self.assertRegex(self.sim.ctl('log'), r'mux[ _-]?(id)?[=: ]*5\b')

    def test_ipv6_session(self):
        status, s, raw = self.run_tool('session', 6, 'internet', 6, PCIE, 4)
        self.assertEqual(status, 0, raw)
        self.assertIn(ipaddress.ip_address(s['address']), ipaddress.ip_network('2001:db8:64::/64'), raw)
        self.assertEqual(self.sessions(), [])

    def test_unknown_apn_fails_at_start_network(self):
        status, s, raw = self.run_tool('session', 4, 'no-such-apn', 7, PCIE, 4)
        self.assertNotEqual(status, 0, raw)
        self.assertIn('Start Network failed', s.get('error-message', ''), raw)
        self.assertEqual(self.sessions(), [])


class FaultySession(bearertest.BearerSimTestCase):
    scenario = 'bearers/session-faults.conf'

    def test_each_failing_step_is_named_undone_and_the_next_attempt_succeeds(self):
        for step in ('Bind Mux Data Port', 'Start Network', 'Get Current Settings'):
            status, s, raw = self.run_tool('session', 4, 'internet', 9, PCIE, 4)
            self.assertNotEqual(status, 0, raw)
            self.assertIn(step + ' failed', s.get('error-message', ''), raw)
            self.assertEqual(self.sessions(), [], 'session left after a failure at ' + step)
        status, s, raw = self.run_tool('session', 4, 'internet', 9, PCIE, 4)
        self.assertEqual(status, 0, raw)
        self.assertEqual(self.sessions(), [])


if __name__ == '__main__':
    bearertest.main()
