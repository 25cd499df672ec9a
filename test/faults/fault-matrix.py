#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The fault matrix: every QMI request modemuxd sends, failed in every way.

A clean run of probe/init, enable, connect and disconnect through modemuxd
as shipped gives, from the simulator's request log ("requests"), the
distinct (service, message) requests of each phase. Then each request is
faulted once per fault -- an error reply (a realistic QMI error for that
message), no reply (timeout), a port hang-up, a modem reset -- with a
run-time fault rule ("fault add ... count=1"), and the phase is run again.
Each run (cell) passes when
  - modemuxd is alive,
  - the phase's error (the D-Bus error of enable/connect/disconnect, the
    log's "initialization failed" line for probe), if it failed, names the
    failing step (STEPS below, the one table of expected step names),
  - no link of ours is left while the bearer is not connected (VM tier),
  - no foreign link changed (VM tier: a foreign rmnet link made beforehand),
  - after the fault is removed (and the modem re-created, when the fault
    took it), a clean connect succeeds.
It prints the matrix (rows = requests, columns = faults) and a total, and
exits 1 on any FAIL.

Tiers:
  host  (meson test 'fault-matrix', suite integration): the MHI QMI fixture
        under umockdev, modemuxd with the umockdev preload, the simulator as
        fake qmi-proxy in a private network namespace, the real mmcli on a
        private system bus; non-multiplexed connects (the host has no rmnet).
        Probe faults re-probe with a udev remove/add of wwan0qmi0.
  vm    (test/vm/guest/faults-matrix.sh, which starts the stack with
        bearers-lib.sh's mx_mhi_stack_start and passes it here): a real
        kernel, multiplexed connects on rmnet; probe faults re-probe with a
        kernel-event remove/add (ReportKernelEvent).

Options: --tier host|vm, --only SERVICE:0xMSG (rows), --faults error,drop,...
(columns), --phases probe,enable,... (debugging a cell). Environment: as
test/modem/test_modem_mmcli.py (host); the VM script passes --ctl,
--daemon-pid, --daemon-log, --sim."""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "modem"))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))

PHASES = ("probe", "enable", "connect", "disconnect")
FAULTS = ("error", "drop", "hangup", "reset")
# A dropped request costs this (modemuxd --test-qmi-timeout).
QMI_TIMEOUT_S = 2
from mxwait import TIMEOUT as WAIT_S, wait_until  # noqa: E402
VERBOSE = os.environ.get("MX_MATRIX_VERBOSE") == "1"

# The QMI error a firmware really answers for each request (error column);
# anything not listed gets Internal, the catch-all firmware answers.
ERRORS = {
    ("ctl", 0x0022): "ClientIdsExhausted",   # Allocate CID
    ("wds", 0x0020): "CallFailed",           # Start Network
    ("wds", 0x0021): "InvalidHandle",        # Stop Network
    ("wds", 0x00A2): "InvalidArgument",      # Bind Mux Data Port
    ("wds", 0x002D): "OutOfCall",            # Get Current Settings
    ("wda", 0x0020): "InvalidDataFormat",    # Set Data Format
    ("dms", 0x002E): "InvalidTransition",    # Set Operating Mode
    ("uim", 0x002F): "DeviceNotReady",       # Get Card Status
    ("nas", 0x0024): "DeviceNotReady",       # Get Serving System
}

# The one table of expected step names: (phase, service, message) -> the
# text a failure of that request must carry (the daemon's step names,
# docs/bearers.md and docs/modem.md). A phase call that fails on a request
# without an entry is a FAIL: extend the table when the daemon sends a new
# request.
STEPS = {
    # probe/init (src/modem/mx-modem-qmi-init.c)
    ("probe", "ctl", 0x0021): "not used as a control port",  # discovery's QMI probe
    ("probe", "ctl", 0x0022): "allocate",              # DMS/NAS/UIM client
    ("probe", "dms", 0x0021): "DMS Get Manufacturer",
    ("probe", "dms", 0x0022): "DMS Get Model",
    ("probe", "dms", 0x0023): "DMS Get Revision",
    ("probe", "dms", 0x002C): "DMS Get Hardware Revision",
    ("probe", "dms", 0x0025): "DMS Get IDs",
    ("probe", "dms", 0x0020): "DMS Get Capabilities",
    ("probe", "dms", 0x002D): "DMS Get Operating Mode",
    ("probe", "dms", 0x002B): "SIM lock state",        # UIM Get PIN Status
    ("probe", "uim", 0x002F): "SIM lock state",        # Get Card Status
    ("probe", "uim", 0x0020): "SIM data",              # Read Transparent
    ("probe", "dms", 0x003C): "SIM data",              # UIM Get ICCID
    ("probe", "dms", 0x0043): "SIM data",              # UIM Get IMSI
    ("probe", "nas", 0x0039): "SIM data",              # Get Home Network
    ("probe", "dms", 0x0045): "bands and modes",       # Get Band Capabilities
    ("probe", "nas", 0x0034): "bands and modes",       # Get System Selection Preference
    # connect (src/bearer/mx-bearer-connect.c, -data-format-negotiate.c,
    # -wds-session.c)
    ("connect", "ctl", 0x0022): "WDS client allocation",
    ("connect", "dpm", 0x0020): "DPM Open Port",
    ("connect", "wda", 0x0021): "WDA Get Data Format",
    ("connect", "wda", 0x0020): "WDA Set Data Format",
    ("connect", "wds", 0x00A2): "Bind Mux Data Port",
    ("connect", "wds", 0x004D): "Set IP Family",
    ("connect", "wds", 0x0020): "Start Network",
    ("connect", "wds", 0x002D): "Get Current Settings",
    # disconnect (src/bearer/mx-bearer.c teardown)
    ("disconnect", "wds", 0x0021): "stop IPv4 session",
    ("disconnect", "ctl", 0x0023): "stop IPv4 session",
}
# Enable's steps (src/modem/mx-modem.c) are filled in from the clean run's
# requests of that phase: see step_for().
ENABLE_STEPS = {
    ("dms", 0x002E): "Set Operating Mode",
    ("nas", 0x0003): "Register Indications",
    ("nas", 0x0002): "Set Event Report",
    ("nas", 0x0050): "Config Signal Info",
    ("nas", 0x0024): "Get Serving System",
    ("nas", 0x004D): "Get System Info",
    ("nas", 0x0022): "Initiate Network Register",
    ("nas", 0x0020): "Get Signal Strength",
    ("nas", 0x004F): "Get Signal Info",
    ("nas", 0x0039): "Get Home Network",
    ("nas", 0x0044): "Get Operator Name",
    ("uim", 0x002E): "Register Events",
}


# How a probe that made no modem ends, in the daemon's log.
PROBE_OUTCOME = re.compile(r"no modem on \S+: initialization failed: .*"
                           r"|modem (?:\(not exported\)|\S+): control port \S+ is gone"
                           r"|\S+: not used as a control port: .*")


# Cells that fail today because of daemon findings (reported to the lead,
# not hidden): (phase, service or None for any, fault) -> why. They print
# "known" and do not fail the run; a known cell that passes prints "fixed"
# and does fail it, so this table shrinks with the fixes.
KNOWN = {
}


def known(phase, service, fault):
    return KNOWN.get((phase, service, fault)) or KNOWN.get((phase, None, fault))


def step_for(phase, service, message):
    if phase == "enable":
        return ENABLE_STEPS.get((service, message))
    return STEPS.get((phase, service, message))


def log(msg):
    print(msg, flush=True)




class Stack:
    """What the matrix needs of a tier: mmcli, the simulator's control
    socket, the daemon, re-probing, links."""
    multiplex = "none"

    def mmcli(self, *args, timeout=WAIT_S + 60):
        raise NotImplementedError

    def ctl(self, *args):
        # The client is a plain process: without the umockdev preload this
        # script may run under (an ASan simulator refuses a preload first).
        env = dict(os.environ)
        env["LD_PRELOAD"] = " ".join(p for p in env.get("LD_PRELOAD", "").replace(":", " ").split()
                                     if "umockdev" not in p)
        r = subprocess.run([self.sim, "--ctl", self.control, *args], capture_output=True, text=True,
                           timeout=WAIT_S, env=env)
        if r.returncode != 0:
            raise RuntimeError(f"simulator control {args}: {r.stderr.strip()}")
        return r.stdout

    def daemon_alive(self):
        raise NotImplementedError

    def daemon_log(self):
        with open(self.daemon_log_path, errors="replace") as f:
            return f.read()

    def reprobe_remove(self):
        raise NotImplementedError

    def reprobe_add(self):
        raise NotImplementedError

    def our_links(self):
        return []

    def foreign_links(self):
        return None

    # --- modem helpers ---------------------------------------------------

    def modem_path(self):
        r = self.mmcli("-L", timeout=WAIT_S)
        m = re.search(r"(/org/freedesktop/ModemManager1/Modem/\d+)", r.stdout)
        return m.group(1) if m else None

    def kv(self, *args):
        r = self.mmcli(*args, "-K", timeout=WAIT_S)
        out = {}
        for line in r.stdout.splitlines():
            key, sep, value = line.partition(" : ")
            if sep:
                out[key.strip()] = value.strip()
        return out if r.returncode == 0 else {}

    def state(self):
        return self.kv("-m", "any").get("modem.generic.state")

    def connected_bearers(self):
        kv = self.kv("-m", "any")
        paths, i = [], 1
        while f"modem.generic.bearers.value[{i}]" in kv:
            paths.append(kv[f"modem.generic.bearers.value[{i}]"])
            i += 1
        return [p for p in paths
                if self.kv("-b", p.rsplit("/", 1)[1]).get("bearer.status.connected") == "yes"]

    def connect(self):
        return self.mmcli("-m", "any", f"--simple-connect=apn=internet,multiplex={self.multiplex}")

    def disconnect(self):
        return self.mmcli("-m", "any", "--simple-disconnect")


class HostStack(Stack):
    def __init__(self, daemon_wrapper=()):
        import test_modem_mmcli as stack
        import mxharness
        from gi.repository import UMockdev
        self.stackmod = stack
        self.sim = stack.SIM
        self.testbed = UMockdev.Testbed.new()
        if not self.testbed.add_from_file(stack.FIXTURE):
            raise RuntimeError(f"cannot load {stack.FIXTURE}")
        self.h = mxharness.Harness()
        self.h.env = stack._without_preload(self.h.env)
        self.h.__enter__()
        sim_dir = os.path.join(self.h.tmpdir, "sim")
        os.mkdir(sim_dir)
        self.control = os.path.join(sim_dir, "control")
        self.sim_proc = self.h.spawn([self.sim, "--scenario", os.path.join(stack.SCENARIOS, "mhi.conf"),
                                      "--data-tun", "mhi_hwip0", "--qmi-proxy", "--control", self.control,
                                      "--log", os.path.join(sim_dir, "sim.log")], "modemux-sim",
                                     stdout=subprocess.PIPE)
        if self.sim_proc.stdout.readline().decode().strip() != "modemux-sim ready":
            raise RuntimeError("simulator did not start")
        self.sim_proc.stdout.close()
        env = dict(self.h.env, UMOCKDEV_DIR=self.testbed.get_root_dir(),
                   LD_PRELOAD="libumockdev-preload.so.0",
                   ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        self.h.daemon = self.h.spawn_under_umockdev(
            [*daemon_wrapper, mxharness.daemon_path(self.h.build_dir), "--log-level=DEBUG",
             "--test-no-qrtr", f"--test-qmi-timeout={QMI_TIMEOUT_S}"], "modemuxd", env)
        self.daemon_log_path = self.h.daemon.log_path

    def mmcli(self, *args, timeout=WAIT_S + 60):
        return self.h.mmcli(f"--timeout={int(timeout)}", *args, timeout=timeout + 10)

    def daemon_alive(self):
        return self.h.daemon.poll() is None

    @property
    def daemon_pid(self):
        return self.h.daemon.pid

    def reprobe_remove(self):
        self.testbed.uevent(self.stackmod.WWAN + "wwan0qmi0", "remove")

    def reprobe_add(self):
        self.testbed.uevent(self.stackmod.WWAN + "wwan0qmi0", "add")

    def close(self):
        status = self.h.stop_daemon() if self.h.daemon.poll() is None else self.h.daemon.returncode
        self.h.close()
        return status


class VmStack(Stack):
    """The stack bearers-lib.sh's mx_mhi_stack_start made (the guest script
    passes its pieces)."""
    multiplex = "required"

    def __init__(self, args):
        self.sim, self.control = args.sim, args.ctl
        self.daemon_pid, self.daemon_log_path = args.daemon_pid, args.daemon_log
        self.foreign = args.foreign_link

    def mmcli(self, *args, timeout=WAIT_S + 60):
        return subprocess.run(["/usr/bin/mmcli", "--test-session", f"--timeout={int(timeout)}", *args],
                              capture_output=True, text=True, timeout=timeout + 10)

    def daemon_alive(self):
        try:
            with open(f"/proc/{self.daemon_pid}/stat") as f:
                return f.read().split(") ", 1)[1][0] not in "ZX"
        except FileNotFoundError:
            return False

    def kernel_event(self, action):
        r = self.mmcli(f"--report-kernel-event=action={action},subsystem=wwan,name=wwan0qmi0,uid=sim-mhi",
                       timeout=WAIT_S)
        if r.returncode != 0:
            raise RuntimeError(f"kernel event {action}: {r.stderr.strip()}")

    def reprobe_remove(self):
        self.kernel_event("remove")

    def reprobe_add(self):
        self.kernel_event("add")

    def _links(self):
        out = subprocess.run(["ip", "-d", "-j", "link", "show", "type", "rmnet"], capture_output=True,
                             text=True).stdout
        return json.loads(out or "[]")

    def our_links(self):
        return [link["ifname"] for link in self._links() if link.get("ifalias", "").startswith("modemux:")]

    def foreign_links(self):
        keep = ("ifindex", "ifname", "flags", "mtu", "operstate", "link", "ifalias")
        return [{k: link.get(k) for k in keep} | {"mux": link.get("linkinfo", {}).get("info_data", {})}
                for link in self._links() if not link.get("ifalias", "").startswith("modemux:")]

    def close(self):
        return 0


# ---------------------------------------------------------------------------


class Matrix:
    def __init__(self, stack, phases, faults):
        self.s = stack
        self.phases = phases
        self.faults = faults
        self.rows = []          # (phase, service, message, name)
        self.cells = {}         # (row, fault) -> (ok, why)
        self.foreign0 = stack.foreign_links()

    # --- phases ----------------------------------------------------------

    def run_probe(self, between=None):
        """Re-probes the modem (between(): called once the old one is gone);
        returns (ok, what the daemon said)."""
        old = self.s.modem_path()
        self.s.reprobe_remove()
        if old:
            wait_until(lambda: self.s.modem_path() != old, "the modem to go on remove")
        if between:
            between()
        mark = len(self.s.daemon_log())
        self.s.reprobe_add()

        def outcome():
            new = self.s.modem_path()
            if new:
                return ("created", new)
            m = PROBE_OUTCOME.search(self.s.daemon_log()[mark:])
            return ("failed", m.group(0)) if m else None
        how, text = wait_until(outcome, "a modem or an initialization failure", timeout=WAIT_S)
        return (how == "created", "" if how == "created" else text)

    def run_enable(self):
        old = self.s.modem_path()
        r = self.s.mmcli("-m", "any", "-e")
        if r.returncode != 0:
            return False, r.stderr.strip()
        # Enable answered; the first signal read follows registration. A
        # hang-up or reset on that read takes the modem after Enable
        # succeeded: the cell goes on with the re-created modem.
        wait_until(lambda: self.s.state() == "registered" or self.s.modem_path() != old,
                   "state registered (or the modem lost after Enable returned)")
        return True, ""

    def run_connect(self):
        r = self.s.connect()
        return r.returncode == 0, r.stderr.strip()

    def run_disconnect(self):
        r = self.s.disconnect()
        return r.returncode == 0, r.stderr.strip()

    def run_phase(self, phase):
        return getattr(self, "run_" + phase)()

    # --- base state: registered, nothing connected -------------------------

    def to_base(self, expect_new_modem_than=None):
        """Brings the modem to 'registered, disconnected'; after a fault that
        took the modem, waits for the new one."""
        if expect_new_modem_than:
            wait_until(lambda: self.s.modem_path() not in (None, expect_new_modem_than),
                       "the modem to be re-created", timeout=WAIT_S + 20)
        try:
            wait_until(self.s.modem_path, "a modem", timeout=10)
        except TimeoutError:
            ok, text = self.run_probe()
            if not ok:
                raise RuntimeError("no modem after re-probe: " + text)
        wait_until(lambda: self.s.state() not in (None, "unknown", "initializing", "disabling",
                                                  "enabling", "connecting", "disconnecting"),
                   "a settled modem state")
        state = self.s.state()
        if state == "disabled":
            ok, text = self.run_enable()
            if not ok:
                raise RuntimeError("enable failed: " + text)
        elif state == "connected":
            self.run_disconnect()
        wait_until(lambda: self.s.state() == "registered", "state registered")

    def to_precondition(self, phase, fresh):
        """From the base state to where @phase starts (@fresh: on a newly
        probed modem)."""
        if fresh:
            # the modem as after power-on (data format unset), probed anew
            self.s.ctl("reset")
            ok, text = self.run_probe()
            if not ok:
                raise RuntimeError("re-probe failed: " + text)
            if phase == "enable":
                # never enabled: its first registration negotiates the format
                wait_until(lambda: self.s.state() == "disabled", "state disabled")
                return
            self.to_base()
        if phase == "enable":
            r = self.s.mmcli("-m", "any", "-d")
            if r.returncode != 0:
                raise RuntimeError("disable failed: " + r.stderr)
            wait_until(lambda: self.s.state() == "disabled", "state disabled")
        elif phase == "disconnect":
            ok, text = self.run_connect()
            if not ok:
                raise RuntimeError("connect before the disconnect cell failed: " + text)

    # --- the clean run ---------------------------------------------------

    def requests(self, phase):
        out = []
        for line in self.s.ctl("requests").splitlines():
            m = re.match(r"request transport=\S+ service=(\S+) cid=\d+ message=(0x[0-9a-f]+) name=(.*)",
                         line)
            if m:
                out.append((m.group(1), int(m.group(2), 16), m.group(3)))
        if phase == "probe":
            # the old modem's clients, released while the new one probes
            out = [r for r in out if r[:2] != ("ctl", 0x0023)]
        return out

    def distinct(self, phase):
        seen = []
        for service, message, name in self.requests(phase):
            if (service, message) not in [(s, m) for s, m, _ in seen]:
                seen.append((service, message, name))
        return seen

    def clean_run(self):
        """Probe, enable, connect, disconnect, then connect and disconnect
        again, then disable and enable again: requests only the first
        enable/connect/disconnect on a modem sends (the data format is
        negotiated once per port, when the modem first registers) get a
        fresh modem before their cells."""
        log("clean run: " + ", ".join(PHASES) + ", connect, disconnect, disable and enable again")
        self.fresh_only = set()
        first = {}
        for phase in PHASES + ("connect", "disconnect", "enable"):
            if phase in first and phase == "enable":
                r = self.s.mmcli("-m", "any", "-d")
                if r.returncode != 0:
                    raise RuntimeError("clean disable failed: " + r.stderr)
                wait_until(lambda: self.s.state() == "disabled", "state disabled")
            self.s.ctl("requests", "clear")
            if phase == "probe":
                ok, text = self.run_probe(between=lambda: self.s.ctl("requests", "clear"))
            else:
                ok, text = self.run_phase(phase)
            if not ok:
                raise RuntimeError(f"clean {phase} failed: {text}\n{self.s.daemon_log()[-4000:]}")
            seen = self.distinct(phase)
            if phase in first:
                again = {(s, m) for s, m, _ in seen}
                self.fresh_only |= {(phase, s, m) for s, m, _ in first[phase] if (s, m) not in again}
                continue
            first[phase] = seen
            log(f"  {phase}: {len(seen)} distinct requests: " +
                ", ".join(f"{s}:0x{m:04x}" for s, m, _ in seen))
            if phase in self.phases:
                self.rows += [(phase, s, m, n) for s, m, n in seen]
        if self.fresh_only:
            log("  sent only on a fresh modem: " +
                ", ".join(f"{p} {s}:0x{m:04x}" for p, s, m in sorted(self.fresh_only)))

    # --- one cell ----------------------------------------------------------

    def cell(self, row, fault):
        phase, service, message, name = row
        problems = []
        self.to_base()
        self.to_precondition(phase, (phase, service, message) in self.fresh_only)
        old = self.s.modem_path()
        rule = ["fault", "add", f"service={service}", f"message=0x{message:04x}", "count=1"]
        if fault == "error":
            rule += ["action=error", "error=" + ERRORS.get((service, message), "Internal")]
        else:
            rule += ["action=" + fault]
        self.s.ctl(*rule)
        try:
            ok, text = self.run_phase(phase)
        except TimeoutError as e:
            ok, text = False, str(e)
            problems.append(str(e))
        applied = re.search(r"applied=(\d+)", self.s.ctl("fault", "list"))
        fired = applied and int(applied.group(1)) > 0
        self.s.ctl("fault", "clear")
        if not self.s.daemon_alive():
            return False, "modemuxd died"
        if not fired:
            problems.append("the fault never fired")
        if not ok and phase == "probe" and fault in ("hangup", "reset") and "is gone" in text:
            pass  # the port went mid-init: the daemon drops the half-made modem
        elif not ok:
            step = step_for(phase, service, message)
            if step is None:
                problems.append(f"no expected step for {phase} {service}:0x{message:04x} in STEPS; "
                                f"error: {text}")
            elif step not in text:
                problems.append(f"error does not name '{step}': {text}")
        # Links: none of ours while nothing is connected; and no session
        # left on the modem (the rollback's Stop Network or client release).
        if not self.s.connected_bearers():
            try:
                wait_until(lambda: not self.s.our_links(), "our links to go", timeout=10)
            except TimeoutError:
                problems.append(f"link(s) of ours left without a connected bearer: {self.s.our_links()}")
            try:
                wait_until(lambda: "session " not in self.s.ctl("sessions"), "the sessions to end", timeout=10)
            except TimeoutError:
                problems.append("session(s) left on the modem without a connected bearer: " +
                                self.s.ctl("sessions").strip())
        if self.s.foreign_links() != self.foreign0:
            problems.append(f"foreign links changed: {self.foreign0} -> {self.s.foreign_links()}")
            self.foreign0 = self.s.foreign_links()
        # A clean connect afterwards, on the re-created modem when the fault
        # took it: by itself, else after the re-enumeration a real modem's
        # reset causes (udev or kernel-event remove/add).
        try:
            if phase == "probe" and not ok:
                # nothing re-announces a port whose probe failed
                ok_probe, text_probe = self.run_probe()
                if not ok_probe:
                    problems.append("no modem after re-probe: " + text_probe)
            elif fault in ("hangup", "reset"):
                try:
                    wait_until(lambda: self.s.modem_path() not in (None, old), "the modem to come back",
                               timeout=5)
                except TimeoutError:
                    ok_probe, text_probe = self.run_probe()
                    if not ok_probe:
                        problems.append("no modem after re-probe: " + text_probe)
            self.to_base()
            ok2, text2 = self.run_connect()
            if not ok2:
                problems.append("the clean connect afterwards failed: " + text2)
            else:
                ok3, text3 = self.run_disconnect()
                if not ok3:
                    problems.append("the clean disconnect afterwards failed: " + text3)
                if self.s.our_links():
                    problems.append(f"link(s) left after the clean disconnect: {self.s.our_links()}")
        except (TimeoutError, RuntimeError) as e:
            problems.append("no clean connect afterwards: " + str(e))
        return not problems, "; ".join(problems) or (text if not ok else "phase succeeded")

    def run(self, only=None):
        self.clean_run()
        rows = [r for r in self.rows if not only or f"{r[1]}:0x{r[2]:04x}" in only]
        total = len(rows) * len(self.faults)
        log(f"{len(rows)} requests x {len(self.faults)} faults = {total} runs")
        start = time.monotonic()
        for row in rows:
            for fault in self.faults:
                t0 = time.monotonic()
                mark = len(self.s.daemon_log())
                try:
                    result = self.cell(row, fault)
                except (TimeoutError, RuntimeError) as e:
                    result = (False, "cell aborted: " + str(e))
                why_known = known(row[0], row[1], fault)
                if why_known:
                    result = (None, f"known: {why_known}; {result[1]}") if not result[0] else \
                             (False, f"fixed? remove it from KNOWN: {why_known}")
                self.cells[(row, fault)] = result
                mark_text = "known" if result[0] is None else ("pass" if result[0] else "FAIL")
                log(f"  {mark_text} [{time.monotonic() - t0:4.1f}s] "
                    f"{row[0]} {row[1]}:0x{row[2]:04x} {row[3]} x {fault}: {result[1]}")
                if result[0] is False:
                    # what the daemon said during the cell, without its debug chatter
                    lines = [l for l in self.s.daemon_log()[mark:].splitlines()
                             if VERBOSE or "<debug>" not in l]
                    log("\n".join("      | " + l for l in lines[-25 if not VERBOSE else -400:]))
                if not self.s.daemon_alive():
                    log("modemuxd died: " + self.s.daemon_log()[-3000:])
                    self.print_matrix(rows)
                    return False
        log(f"{total} runs in {time.monotonic() - start:.0f} s")
        return self.print_matrix(rows)

    def print_matrix(self, rows):
        width = max([len(f"{r[0]} {r[1]}:0x{r[2]:04x} {r[3]}") for r in rows] + [10])
        log("")
        log("fault matrix".ljust(width) + "".join(f" {f:>7}" for f in self.faults))
        passed = failed = known_n = 0
        for row in rows:
            line = f"{row[0]} {row[1]}:0x{row[2]:04x} {row[3]}".ljust(width)
            for fault in self.faults:
                res = self.cells.get((row, fault))
                mark = "-" if res is None else {True: "pass", False: "FAIL", None: "known"}[res[0]]
                passed += bool(res and res[0] is True)
                failed += bool(res and res[0] is False)
                known_n += bool(res and res[0] is None)
                line += f" {mark:>7}"
            log(line)
        log(f"total: {passed} pass, {known_n} known, {failed} FAIL of {len(rows) * len(self.faults)}")
        return failed == 0 and passed + known_n == len(rows) * len(self.faults)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tier", choices=("host", "vm"), default="host")
    p.add_argument("--only", default="", help="rows SERVICE:0xMSG,...")
    p.add_argument("--faults", default=",".join(FAULTS))
    p.add_argument("--phases", default=",".join(PHASES))
    p.add_argument("--sim")
    p.add_argument("--ctl")
    p.add_argument("--daemon-pid", type=int)
    p.add_argument("--daemon-log")
    p.add_argument("--foreign-link")
    args = p.parse_args()
    stack = HostStack() if args.tier == "host" else VmStack(args)
    try:
        ok = Matrix(stack, args.phases.split(","), args.faults.split(",")).run(
            [o for o in args.only.split(",") if o])
    finally:
        status = stack.close()
    if status != 0:
        log(f"modemuxd did not exit cleanly ({status})")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    if "--tier=vm" not in sys.argv and "vm" not in sys.argv:
        import test_modem_mmcli
        test_modem_mmcli._reexec()
    sys.exit(main())
