#!/usr/bin/python3
"""Fault rules demonstrably change what the real qmicli sees: a QMI error,
a timeout (dropped answer), a hang-up, a malformed TLV, a late answer; on
services and on CTL."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402


class CtlFaultRule(simtest.SimTestCase):
    scenario = 'ctl-fault.conf'

    def test_allocate_cid_fails_once(self):
        self.assertIn('ClientIdsExhausted', self.fails('--dms-get-ids'))
        self.assertEqual(self.field(self.ok('--dms-get-ids'), 'IMEI'), self.sc['identity']['imei'])


class FaultRules(simtest.SimTestCase):
    scenario = 'faults.conf'

    def test_error_rule_turns_a_request_into_that_qmi_error(self):
        self.assertIn('DeviceNotReady', self.fails('--dms-get-model'))

    def test_drop_rule_makes_the_client_time_out(self):
        out = self.fails('--dms-get-revision', timeout=60)
        self.assertIn('Transaction timed out', out)

    def test_hangup_rule_closes_the_connection(self):
        out = self.fails('--dms-get-manufacturer', timeout=60)
        self.assertIn('endpoint hangup', out)
        self.assertIn('hang-up', self.sim.ctl('log'))
        # The modem is still there for the next client.
        self.assertEqual(self.field(self.ok('--dms-get-ids'), 'IMEI'), self.sc['identity']['imei'])

    def test_malformed_rule_breaks_only_the_selected_answer(self):
        self.ok('--dms-get-hardware-revision')
        self.assertIn('Reading TLV would overflow', self.fails('--dms-get-hardware-revision'))
        self.ok('--dms-get-hardware-revision')

    def test_delay_rule_delays_the_answer(self):
        start = time.monotonic()
        self.assertEqual(self.field(self.ok('--dms-get-operating-mode'), 'Mode'), 'online')
        self.assertGreaterEqual(time.monotonic() - start, 1.5)

    def test_control_hangup_drops_every_connection(self):
        self.sim.ctl('hangup')
        self.assertEqual(self.field(self.ok('--dms-get-ids'), 'IMEI'), self.sc['identity']['imei'])


if __name__ == '__main__':
    simtest.main()
