# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the bearer tests: the simulator (test/sim/simtest.py) in a
private network namespace, and bearer-tool, which runs the bearer component's
own QMI code (data format negotiation, WDS sessions) against it."""

import os
import subprocess
import unittest

import simtest

TOOL = os.environ.get('MX_BEARER_TOOL', '')
OWN_SCENARIOS = os.environ.get('MX_BEARER_SCENARIOS',
                               os.path.join(os.path.dirname(os.path.abspath(__file__)), 'scenarios'))


def tool(sim, *args, timeout=120):
    """Runs bearer-tool against @sim's proxy device; returns (status, dict, raw)."""
    r = subprocess.run([TOOL, args[0], sim.dev] + [str(a) for a in args[1:]],
                       capture_output=True, text=True, timeout=timeout)
    out = {}
    for line in r.stdout.splitlines():
        if '=' in line:
            k, v = line.split('=', 1)
            out[k] = v
    return r.returncode, out, r.stdout + r.stderr


class BearerSimTestCase(simtest.SimTestCase):
    """One simulator per class; scenario names starting with 'bearers/' come
    from test/bearers/scenarios."""

    @classmethod
    def setUpClass(cls):
        if cls.scenario.startswith('bearers/'):
            simtest.SCENARIOS_SAVED = simtest.SCENARIOS
            simtest.SCENARIOS = OWN_SCENARIOS
            cls.scenario = cls.scenario[len('bearers/'):]
            try:
                super().setUpClass()
            finally:
                simtest.SCENARIOS = simtest.SCENARIOS_SAVED
        else:
            super().setUpClass()

    def run_tool(self, *args, **kw):
        return tool(self.sim, *args, **kw)

    def sessions(self):
        return [l for l in self.sim.ctl('sessions').splitlines() if l.startswith('session ')]


def main():
    simtest.ensure_private_netns()
    if not TOOL or not os.access(TOOL, os.X_OK):
        print('MX_BEARER_TOOL not set (run through meson test)')
        raise SystemExit(1)
    simtest.main()
