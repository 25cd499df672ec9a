#!/usr/bin/python3
"""Fault rules demonstrably change what the real qmicli sees: a QMI error,
a timeout (dropped answer), a hang-up, a malformed TLV, a late answer; on
services and on CTL."""

import os
import subprocess
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


class RuntimeFaultRules(simtest.SimTestCase):
    """Rules added and cleared over the control socket, the request log and
    the modem reset: what the fault matrix (test/faults/) is built on."""
    scenario = 'default.conf'

    def test_a_rule_added_at_run_time_applies_count_times(self):
        self.sim.ctl('fault', 'add', 'service=dms', 'message=0x0022', 'action=error',
                     'error=DeviceNotReady', 'count=1')
        self.assertIn('DeviceNotReady', self.fails('--dms-get-model'))
        self.assertEqual(self.field(self.ok('--dms-get-model'), 'Model'), self.sc['identity']['model'])
        self.assertIn('origin=control service=dms message=0x0022 action=error error=DeviceNotReady '
                      'after=0 count=1 seen=2 applied=1', self.sim.ctl('fault', 'list'))

    def test_clear_removes_the_run_time_rules(self):
        self.sim.ctl('fault', 'add', 'service=dms', 'message=0x0022', 'action=error')
        self.sim.ctl('fault', 'clear')
        self.assertEqual(self.sim.ctl('fault', 'list'), '')
        self.ok('--dms-get-model')

    def test_a_bad_rule_is_refused_with_the_parser_message(self):
        out = subprocess.run([simtest.SIM, '--ctl', self.sim.control, 'fault', 'add', 'service=wds',
                              'message=0x20', 'action=explode'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("unknown action 'explode'", out.stderr)

    def test_the_request_log_names_every_request_with_its_client(self):
        self.sim.ctl('requests', 'clear')
        self.ok('--dms-get-ids')
        log = self.sim.ctl('requests')
        self.assertIn('service=ctl cid=0 message=0x0022 name=Allocate CID', log)
        self.assertRegex(log, r'service=dms cid=\d+ message=0x0025 name=Get IDs')
        self.assertIn('service=ctl cid=0 message=0x0023 name=Release CID', log)

    def test_reset_drops_clients_and_returns_the_data_format_to_power_on(self):
        self.ok('--wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=qmap,dl-protocol=qmap,'
                'dl-max-datagrams=32,dl-datagram-max-size=16384,ep-type=pcie,ep-iface-number=4')
        self.assertIn('data-format configured=1', self.sim.ctl('state'))
        self.sim.ctl('reset')
        self.assertIn('data-format configured=0', self.sim.ctl('state'))
        self.assertIn('modem reset', self.sim.ctl('log'))
        self.ok('--dms-get-ids')

    def test_a_reset_rule_drops_the_connection_mid_request(self):
        self.sim.ctl('fault', 'add', 'service=dms', 'message=0x0022', 'action=reset', 'count=1')
        self.assertIn('endpoint hangup', self.fails('--dms-get-model', timeout=60))
        self.assertIn('modem reset', self.sim.ctl('log'))
        self.ok('--dms-get-model')


if __name__ == '__main__':
    simtest.main()
