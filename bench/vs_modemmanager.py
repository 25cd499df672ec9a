# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark (not a test): the real ModemManager and modemuxd side by side on
the same simulated modem, alternately, N runs each; prints one table.

Run it through bench/vs-modemmanager.sh (it re-executes this file inside a
private network namespace, where the simulator is the qmi-proxy, and under
umockdev-wrapper, so both daemons see the MHI QMI fixture's sysfs: modemuxd
through udev, ModemManager through its no-udev kernel-event mode, because it
ignores devices udev has not initialised and umockdev's never are).

One run = one fresh testbed, private system bus, polkit mock, simulator and
daemon, at one latency:
  start       daemon spawned -> modem object exported (InterfacesAdded)
  enable      Modem.Enable(true) called -> State >= registered
  connect     Simple.Connect(apn=internet, ipv4) call duration
  disconnect  Simple.Disconnect call duration
  connect2    a second connect (and disconnect) on the same port
plus memory after connect and, in the runs at the first latency, CPU time /
context switches (all threads) / QMI requests over IDLE_S seconds
connected, then not connected. QMI requests per phase are the simulator's
">>" log lines between the phase boundaries.

MX_BENCH_MODE picks the layout: "host" (the above: not multiplexed, the host
kernel has no rmnet), or, in the VM tier's guest (bench/vs-modemmanager.sh
vm), "mhi" (the same fixture for ModemManager; modemuxd told of the
simulator's ports by kernel events; the TUN mhi_hwip0 is real, so links are
real rmnet links) or "soc" (the simulator as QRTR node 7 over qrtr-tun with
a TUN rmnet_ipa0; ModemManager through the guest's udev). In the VM modes
every connect asks for multiplex=required, and the runs at the first
latency also connect 1, 8 and 64 bearers at once (apn0..apn63)."""

import os
import shutil
import statistics
import subprocess
import sys
import time

import gi
gi.require_version("UMockdev", "1.0")
from gi.repository import Gio, GLib, UMockdev  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "test", "harness"))
import mxharness  # noqa: E402
from mxharness import Harness  # noqa: E402

BUILD = os.environ["MX_BUILD_ROOT"]
SIM = os.path.join(BUILD, "test", "sim", "modemux-sim")
FIXTURE = os.path.join(SRC, "test", "fixtures", "mhi-qmi-rm500q.umockdev")
MODE = os.environ.get("MX_BENCH_MODE", "host")
assert MODE in ("host", "mhi", "soc"), MODE
SCENARIO = os.path.join(SRC, "test", "sim", "scenarios", "soc.conf" if MODE == "soc" else "mhi.conf")
# 64 APNs (apn0..apn63) and 64 sessions for the bearer-scaling step.
APNS64 = os.path.join(SRC, "test", "bearers", "scenarios", "bench-64.conf")
APN = "internet" if MODE == "host" else "apn0"
BEARER_COUNTS = [] if MODE == "host" else [1, 8, 64]
MM_MULTIPLEX_REQUIRED = 3
# Why a daemon could not connect in this layout: {what: D-Bus error}.
CONNECT_ERRORS = {}
MM = os.environ.get("MX_BENCH_MM", "/usr/sbin/ModemManager")
RUNS = int(os.environ.get("RUNS", "5"))
IDLE_S = float(os.environ.get("IDLE_S", "30"))
DAEMONS = os.environ.get("DAEMONS", "mm mx").split()
LATENCIES = [int(x) for x in os.environ.get("LATENCIES", "0 10").split()]
WWAN = "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/mhi0/wwan/wwan0/"
MHI = "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/mhi0/"
STEP_TIMEOUT = float(os.environ.get("MX_BENCH_TIMEOUT", "60"))
MM_STATE_REGISTERED = 8
MM_STATE_CONNECTED = 11


def dbus_error(e):
    """A D-Bus error as "name: message"."""
    name = Gio.DBusError.get_remote_error(e)
    msg = e.message
    if name and msg.startswith(f"GDBus.Error:{name}: "):
        msg = msg[len(f"GDBus.Error:{name}: "):]
    return f"{name}: {msg}" if name else msg


def without_preload(env):
    env = dict(env)
    env["LD_PRELOAD"] = " ".join(p for p in env.get("LD_PRELOAD", "").replace(":", " ").split()
                                 if "umockdev" not in p)
    env.pop("UMOCKDEV_DIR", None)
    return env


def testbed():
    """The fixture plus what ModemManager's own udev rules would add on a real
    system (80-mm-candidate.rules): umockdev runs no rules. The AT and QCDM
    ports are ignored: nothing answers them here, and modemuxd uses QMI only."""
    tb = UMockdev.Testbed.new()
    assert tb.add_from_file(FIXTURE)
    tb.set_property(WWAN + "wwan0qmi0", "ID_MM_CANDIDATE", "1")
    tb.set_property(WWAN + "wwan0qmi0", "ID_MM_PORT_TYPE_QMI", "1")
    for port in ("wwan0at0", "wwan0qcdm0", "wwan0firehose0"):
        tb.set_property(WWAN + port, "ID_MM_PORT_IGNORE", "1")
    for net in ("mhi0_IP_HW0/net/mhi_hwip0", "mhi0_IP_SW0/net/mhi_swip0"):
        tb.set_property(MHI + net, "ID_MM_CANDIDATE", "1")
    # The fixture's driver links point into /sys/bus/*/drivers, which it does
    # not record; ModemManager resolves them (modemuxd reads the link name).
    for top, dirs, files in os.walk(os.path.join(tb.get_root_dir(), "sys", "devices")):
        if "driver" in dirs + files:
            link = os.path.join(top, "driver")
            if os.path.islink(link) and not os.path.exists(link):
                os.makedirs(os.path.join(top, os.readlink(link)), exist_ok=True)
    return tb


def thread_figures(pid):
    """{tid: (run ns, context switches)} of every thread of pid."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                run_ns = int(f.read().split()[0])
            switches = 0
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        switches += int(line.split()[1])
            out[tid] = (run_ns, switches)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def idle_delta(before, after):
    """CPU ms and context switches between two thread_figures(): threads
    present at both ends count their difference, new threads all of it
    (threads that ended in between are lost: both daemons' long-lived
    threads are the main loop and GDBus's worker)."""
    ns = switches = 0
    for tid, (run, cs) in after.items():
        run0, cs0 = before.get(tid, (0, 0))
        ns += run - run0
        switches += cs - cs0
    return ns / 1e6, switches


def memory_figures(pid):
    """RSS, PSS and anonymous memory (kB) from smaps_rollup."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss", "Anonymous"):
                out[key] = int(rest.split()[0])
    return out


class Run:
    def __init__(self, daemon, latency, idle):
        self.daemon, self.latency, self.idle = daemon, latency, idle
        self.res = {}
        self.marks = []

    def mark(self, name):
        self.marks.append((name, f"{time.time():.6f}"))

    def sim_requests(self):
        with open(self.sim_log, errors="replace") as f:
            return sum(1 for line in f if " >> " in line)

    def wait(self, cond, what):
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + STEP_TIMEOUT
        while not cond():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.daemon}: timed out waiting for {what}\n"
                                   + self.h.log_of(self.proc)[-int(os.environ.get("MX_BENCH_LOGTAIL", "4000")):])
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.daemon} exited: " + self.h.log_of(self.proc)[-int(os.environ.get("MX_BENCH_LOGTAIL", "4000")):])
            ctx.iteration(False) or time.sleep(0.0005)

    def __call__(self):
        tb = testbed() if MODE != "soc" else None
        self.h = h = Harness()
        h.env = without_preload(h.env)
        h.__enter__()
        try:
            self._run(tb, h)
        except BaseException:
            if getattr(self, "proc", None) is not None:
                tail = int(os.environ.get("MX_BENCH_LOGTAIL", "4000"))
                sys.stderr.write(f"----- {self.daemon} log -----\n{h.log_of(self.proc)[-tail:]}\n")
            raise
        finally:
            keep = os.environ.get("MX_BENCH_KEEP_LOGS")
            if keep:  # for looking at where the time goes, phase by phase
                os.makedirs(keep, exist_ok=True)
                base = os.path.join(keep, f"{self.daemon}-{self.latency}ms-{os.getpid()}-{id(self)}")
                shutil.copy(self.sim_log, base + "-sim.log")
                if getattr(self, "proc", None) is not None:
                    shutil.copy(self.proc.log_path, base + "-daemon.log")
                with open(base + "-marks.txt", "w") as f:
                    f.write("".join(f"{k} {v}\n" for k, v in self.marks))
            h.close()
        return self.res

    def start_sim(self, h):
        scen = os.path.join(h.tmpdir, "scenario.conf")
        with open(SCENARIO if MODE != "mhi" else APNS64) as f, open(scen, "w") as out:
            out.write(f.read())
            if MODE == "soc":  # soc.conf plus bench-64.conf's APNs and sessions
                with open(APNS64) as apns:
                    out.write("\n[sessions]\nmax=64\n" + apns.read().partition("\n[apn ")[2].join(["\n[apn ", ""]))
            out.write(f"\n[latency]\nms={self.latency}\n")
        self.sim_log = os.path.join(h.tmpdir, "sim.log")
        ctl = os.path.join(h.tmpdir, "sim-control")
        port = ["--qrtr-tun", "7", "--data-tun", "rmnet_ipa0"] if MODE == "soc" else \
            ["--qmi-proxy", "--data-tun", "mhi_hwip0"]
        sim = h.spawn([SIM, "--scenario", scen, *port, "--control", ctl, "--log", self.sim_log],
                      "modemux-sim", stdout=subprocess.PIPE)
        assert sim.stdout.readline().decode().strip() == "modemux-sim ready"
        sim.stdout.close()
        if MODE == "mhi":  # mhi_net's MTU
            subprocess.run(["ip", "link", "set", "dev", "mhi_hwip0", "mtu", "16384"], check=True)

    def argv(self, h):
        """The daemon's command line: as its unit starts it, plus how it is
        told of the simulator's ports in this layout."""
        events = os.path.join(h.tmpdir, "kernel-events")
        extra = os.environ.get("MX_BENCH_MM_ARGS" if self.daemon == "mm" else "MX_BENCH_MX_ARGS", "").split()
        if self.daemon == "mm":
            # Production log level: Debian's unit runs it without options.
            if MODE == "soc":
                # The guest's udev (ModemManager 1.20 takes QRTR nodes only
                # with udev); see docs/performance.md for why it cannot
                # connect there.
                return [MM, "--test-no-suspend-resume", *extra]
            with open(events, "w") as f:
                for sub, name in (("wwan", "wwan0qmi0"), ("net", "mhi_hwip0")):
                    f.write(f"action=add,subsystem={sub},name={name}\n")
            return [MM, "--test-no-qrtr", "--no-auto-scan", "--test-no-suspend-resume", "--test-no-udev",
                    "--initial-kernel-events=" + events, *extra]
        if MODE == "host":
            return [mxharness.daemon_path(BUILD), "--test-no-qrtr", *extra]
        if MODE == "soc" and os.environ.get("MX_BENCH_SOC_UDEV") == "0":
            # The SoC's netdev named by a kernel event, links learnt from
            # rtnetlink only: the per-bearer cost without the guest's udevd
            # handling an event per link (docs/performance.md).
            with open(events, "w") as f:
                f.write("action=add,subsystem=net,name=rmnet_ipa0,uid=qcom-soc,driver=ipa\n")
            return [mxharness.daemon_path(BUILD), "--initial-kernel-events=" + events, *extra]
        if MODE == "soc":  # the guest's udev, as for ModemManager
            return [mxharness.daemon_path(BUILD), *extra]
        # The guest has no MHI bus: kernel events name the ports and their
        # drivers (as test/vm/guest/bearers-lib.sh does).
        with open(events, "w") as f:
            f.write("action=add,subsystem=wwan,name=wwan0qmi0,uid=sim-mhi,driver=mhi_wwan_ctrl\n"
                    "action=add,subsystem=net,name=mhi_hwip0,uid=sim-mhi,driver=mhi_net\n")
        return [mxharness.daemon_path(BUILD), "--initial-kernel-events=" + events, "--test-no-qrtr",
                "--no-auto-scan", *extra]

    def _run(self, tb, h):
        # On the SoC the daemon starts first and the modem (QRTR node and
        # netdev) appears later, as hotplug (a TUN present at the daemon's
        # start is a virtual netdev).
        if MODE != "soc":
            self.start_sim(h)

        modems, states, exported = [], {}, {}

        def on_signal(conn, sender, path, iface, member, params):
            if member == "InterfacesAdded":
                p, ifaces = params.unpack()
                if "org.freedesktop.ModemManager1.Modem" in ifaces:
                    modems.append(p)
                    exported[p] = time.monotonic()
                    states[p] = ifaces["org.freedesktop.ModemManager1.Modem"].get("State", 0)
            elif member == "InterfacesRemoved":
                p, ifaces = params.unpack()
                if "org.freedesktop.ModemManager1.Modem" in ifaces and p in modems:
                    modems.remove(p)
            elif member == "PropertiesChanged":
                i, changed, _ = params.unpack()
                if i == "org.freedesktop.ModemManager1.Modem" and "State" in changed:
                    states[path] = changed["State"]
        for member in ("InterfacesAdded", "InterfacesRemoved"):
            h.bus.signal_subscribe(None, "org.freedesktop.DBus.ObjectManager", member,
                                   mxharness.MM_PATH, None, Gio.DBusSignalFlags.NONE, on_signal)
        h.bus.signal_subscribe(None, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                               None, None, Gio.DBusSignalFlags.NONE, on_signal)

        env = h.env
        if MODE == "host" or (MODE == "mhi" and self.daemon == "mm"):
            env = dict(h.env, UMOCKDEV_DIR=tb.get_root_dir(), LD_PRELOAD="libumockdev-preload.so.0")
        argv = self.argv(h)
        self.mark("spawn")
        t0 = time.monotonic()
        self.proc = h.spawn(argv, self.daemon, env=env)
        if MODE == "soc":
            h.wait_for_name(mxharness.MM_NAME, self.proc)
            t0 = time.monotonic()
            self.start_sim(h)
        self.wait(lambda: modems, "the modem to be exported")
        if MODE == "soc":
            # A daemon that re-creates its modem when the second port (QRTR
            # node, netdev) joins is measured until the modem it keeps.
            self.settle(1.0)
            self.wait(lambda: modems, "the modem to be exported again")
        self.mark("exported")
        modem = modems[-1]
        self.res[f"start_ms_{self.latency}"] = (exported[modem] - t0) * 1000
        if MODE != "host":  # how many multiplexed bearers the daemon offers
            self.res["max_mux"] = h.bus.call_sync(
                mxharness.MM_NAME, modem, "org.freedesktop.DBus.Properties", "Get",
                GLib.Variant("(ss)", ("org.freedesktop.ModemManager1.Modem", "MaxActiveMultiplexedBearers")),
                GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, int(STEP_TIMEOUT * 1000), None).unpack()[0]
        n0 = self.sim_requests()
        self.res["qmi_init"] = n0

        def call(iface, method, args, reply):
            t = time.monotonic()
            r = h.bus.call_sync(mxharness.MM_NAME, modem, iface, method, args,
                                GLib.VariantType(reply), Gio.DBusCallFlags.NONE,
                                int(STEP_TIMEOUT * 1000), None)
            return r.unpack(), (time.monotonic() - t) * 1000

        self.mark("enable")
        t = time.monotonic()
        call("org.freedesktop.ModemManager1.Modem", "Enable", GLib.Variant("(b)", (True,)), "()")
        self.wait(lambda: states.get(modem, 0) >= MM_STATE_REGISTERED, "registration")
        self.res[f"enable_ms_{self.latency}"] = (time.monotonic() - t) * 1000
        self.mark("registered")
        # Let the enable sequence's tail (queries answered after the state change) land.
        self.settle()
        n1 = self.sim_requests()
        self.res["qmi_enable"] = n1 - n0

        props = self.props(APN)
        self.mark("connect")
        try:
            (bearer,), ms = call("org.freedesktop.ModemManager1.Modem.Simple", "Connect",
                                 GLib.Variant("(a{sv})", (props,)), "(o)")
        except GLib.Error as e:
            # Recorded, not fatal: a daemon that cannot connect in this
            # layout still has its start, enable and memory figures.
            self.res["connect_failed"] = 1
            CONNECT_ERRORS.setdefault(self.daemon, dbus_error(e))
            mem = memory_figures(self.proc.pid)
            self.res["rss_kb"], self.res["pss_kb"], self.res["anon_kb"] = \
                mem["Rss"], mem["Pss"], mem["Anonymous"]
            return
        self.res[f"connect_ms_{self.latency}"] = ms
        self.mark("connected")
        self.settle()
        n2 = self.sim_requests()
        self.res["qmi_connect"] = n2 - n1
        pid = self.proc.pid
        mem = memory_figures(pid)
        self.res["rss_kb"], self.res["pss_kb"], self.res["anon_kb"] = \
            mem["Rss"], mem["Pss"], mem["Anonymous"]
        if self.idle:
            n = self.sim_requests()
            self.res["idle_conn_cpu_ms"], self.res["idle_conn_cs"] = self.idle_window(pid)
            self.res["idle_conn_qmi"] = self.sim_requests() - n
        self.mark("disconnect")
        _, ms = call("org.freedesktop.ModemManager1.Modem.Simple", "Disconnect",
                     GLib.Variant("(o)", ("/",)), "()")
        self.mark("disconnected")
        self.res[f"disconnect_ms_{self.latency}"] = ms
        self.settle()
        n3 = self.sim_requests()
        self.res["qmi_disconnect"] = n3 - n2
        if self.idle:
            self.res["idle_cpu_ms"], self.res["idle_cs"] = self.idle_window(pid)
            self.res["idle_qmi"] = self.sim_requests() - n3
        # A second connect on the same port: what was negotiated once is not
        # negotiated again.
        n4 = self.sim_requests()
        _, ms = call("org.freedesktop.ModemManager1.Modem.Simple", "Connect",
                     GLib.Variant("(a{sv})", (props,)), "(o)")
        self.res[f"connect2_ms_{self.latency}"] = ms
        self.settle()
        self.res["qmi_connect2"] = self.sim_requests() - n4
        call("org.freedesktop.ModemManager1.Modem.Simple", "Disconnect",
             GLib.Variant("(o)", ("/",)), "()")
        if self.idle:
            for n in BEARER_COUNTS:
                ms = self.connect_many(modem, n)
                if ms is not None:
                    self.res[f"bearer_ms_{n}"] = ms

    def props(self, apn):
        props = {"apn": GLib.Variant("s", apn), "ip-type": GLib.Variant("u", 1)}
        if MODE != "host":
            props["multiplex"] = GLib.Variant("u", MM_MULTIPLEX_REQUIRED)
        return props

    def connect_many(self, modem, n):
        """Simple.Connect on apn0..apn(n-1) at once (each its own bearer,
        rmnet link and mux id); the wall time until all have answered, per
        bearer, in ms; then Simple.Disconnect of all."""
        replies = []

        def done(bus, result, _):
            try:
                bus.call_finish(result)
                replies.append(None)
            except GLib.Error as e:
                replies.append(dbus_error(e))
        t = time.monotonic()
        for i in range(n):
            self.h.bus.call(mxharness.MM_NAME, modem, "org.freedesktop.ModemManager1.Modem.Simple", "Connect",
                            GLib.Variant("(a{sv})", (self.props(f"apn{i}"),)), GLib.VariantType("(o)"),
                            Gio.DBusCallFlags.NONE, int(STEP_TIMEOUT * 1000), None, done, None)
        self.wait(lambda: len(replies) == n, f"{n} connects")
        ms = (time.monotonic() - t) * 1000
        self.settle()
        self.h.bus.call_sync(mxharness.MM_NAME, modem, "org.freedesktop.ModemManager1.Modem.Simple",
                             "Disconnect", GLib.Variant("(o)", ("/",)), None, Gio.DBusCallFlags.NONE,
                             int(STEP_TIMEOUT * 1000), None)
        failed = [r for r in replies if r]
        if failed:
            CONNECT_ERRORS.setdefault(f"{self.daemon} {n} bearers",
                                      f"{len(failed)} of {n} failed: {failed[0]}")
            return None
        return ms / n

    def settle(self, s=0.3):
        end = time.monotonic() + s
        ctx = GLib.MainContext.default()
        while time.monotonic() < end:
            ctx.iteration(False) or time.sleep(0.005)

    def idle_window(self, pid):
        before = thread_figures(pid)
        self.settle(IDLE_S)
        return idle_delta(before, thread_figures(pid))


START = "node up -> modem exported" if MODE == "soc" else "start -> modem exported"
ROWS = [
    ("start_ms_0", f"{START}, 0 ms/msg (ms)"),
    ("start_ms_10", f"{START}, 10 ms/msg (ms)"),
    ("enable_ms_0", "Enable -> registered, 0 ms/msg (ms)"),
    ("enable_ms_10", "Enable -> registered, 10 ms/msg (ms)"),
    ("connect_ms_0", "Simple.Connect, 0 ms/msg (ms)"),
    ("connect_ms_10", "Simple.Connect, 10 ms/msg (ms)"),
    ("connect2_ms_0", "second Simple.Connect, 0 ms/msg (ms)"),
    ("connect2_ms_10", "second Simple.Connect, 10 ms/msg (ms)"),
    ("disconnect_ms_0", "Simple.Disconnect, 0 ms/msg (ms)"),
    ("disconnect_ms_10", "Simple.Disconnect, 10 ms/msg (ms)"),
    ("qmi_init", "QMI requests: probe+init"),
    ("qmi_enable", "QMI requests: enable"),
    ("qmi_connect", "QMI requests: connect"),
    ("qmi_disconnect", "QMI requests: disconnect"),
    ("qmi_connect2", "QMI requests: second connect"),
    ("rss_kb", "RSS after connect (kB)"),
    ("pss_kb", "PSS after connect (kB)"),
    ("anon_kb", "anonymous memory after connect (kB)"),
    ("idle_conn_cpu_ms", f"CPU idle {IDLE_S:.0f} s connected (ms)"),
    ("idle_conn_cs", f"ctx switches idle {IDLE_S:.0f} s connected"),
    ("idle_conn_qmi", f"QMI requests idle {IDLE_S:.0f} s connected"),
    ("idle_cpu_ms", f"CPU idle {IDLE_S:.0f} s not connected (ms)"),
    ("idle_cs", f"ctx switches idle {IDLE_S:.0f} s not conn."),
    ("idle_qmi", f"QMI requests idle {IDLE_S:.0f} s not conn."),
] + [(f"bearer_ms_{n}", f"{n} bearer{'s' * (n > 1)} at once, per bearer (ms)") for n in BEARER_COUNTS] + \
    [("max_mux", "MaxActiveMultiplexedBearers")] * (MODE != "host")

LAYOUTS = {
    "host": "MHI QMI fixture (RM500Q), simulator mhi.conf, not multiplexed",
    "mhi": "VM: MHI layout (qmi-proxy + TUN mhi_hwip0), bench-64.conf, multiplex=required",
    "soc": "VM: QRTR SoC (node 7 over qrtr-tun, TUN rmnet_ipa0), soc.conf + 64 APNs, multiplex=required",
}


def fmt(v):
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"


def parse_runs(path):
    """The per-run lines of an earlier run (its stderr) as results."""
    results = {"mm": [], "mx": []}
    with open(path) as f:
        for line in f:
            words = line.split()
            if len(words) < 5 or words[0] != "run" or words[2] not in results:
                continue
            results[words[2]].append({k: float(v) for k, v in
                                      (w.split("=", 1) for w in words[5:])})
    return results


def main():
    results = {"mm": [], "mx": []}
    if os.environ.get("MX_BENCH_FROM"):  # re-print the table of an earlier run
        results = parse_runs(os.environ["MX_BENCH_FROM"])
    for i in range(0 if os.environ.get("MX_BENCH_FROM") else RUNS):
        for lat in LATENCIES:
            for d in DAEMONS:  # alternately, so drift hits both
                r = Run(d, lat, idle=(lat == LATENCIES[0]))()
                results[d].append(r)
                print(f"run {i + 1}/{RUNS} {d} {lat} ms: " +
                      " ".join(f"{k}={fmt(v)}" for k, v in r.items()), file=sys.stderr, flush=True)

    def col(d, key):
        vals = [r[key] for r in results[d] if key in r]
        if not vals:
            return None, "-"
        m = statistics.median(vals)
        return m, f"{fmt(m)} [{fmt(min(vals))}-{fmt(max(vals))}]"

    print(f"ModemManager {mm_version()} vs modemuxd, {LAYOUTS[MODE]}, {RUNS} runs each, "
          f"{'guest' if MODE != 'host' else 'host'} {os.uname().release}, {os.cpu_count()} CPU")
    print(f"{'metric':40s} {'ModemManager median [range]':>28s} {'modemuxd median [range]':>26s} "
          f"{'mx/MM':>6s}")
    for key, label in ROWS:
        mm, mm_s = col("mm", key)
        mx, mx_s = col("mx", key)
        ratio = f"{mx / mm:.2f}" if mm and mx is not None else "-"
        print(f"{label:40s} {mm_s:>28s} {mx_s:>26s} {ratio:>6s}")
    for lat in LATENCIES:
        if lat and MODE == "host":
            print(f"floor of this connect at {lat} ms/msg (not multiplexed: Start Network + Get "
                  f"Current Settings): {2 * lat} ms + one netlink transaction")
        elif lat:
            print(f"floor of this connect at {lat} ms/msg (multiplexed: Bind Mux Data Port + Start "
                  f"Network + Get Current Settings): {3 * lat} ms + one netlink transaction per link")
    if MODE == "host":
        print("per-bearer connect cost at 1, 8, 64 bearers: needs rmnet: bench/vs-modemmanager.sh vm")
    for d, name in (("mx", "modemuxd"), ("mm", "ModemManager")):
        one, many = col(d, "bearer_ms_1")[0], col(d, "bearer_ms_64")[0] if BEARER_COUNTS else None
        if one and many:
            print(f"{name}: per-bearer cost at 64 / at 1 = {many / one:.2f}x")
    for what, err in sorted(CONNECT_ERRORS.items()):
        name = what.replace("mm", "ModemManager", 1).replace("mx", "modemuxd", 1)
        print(f"{name}: connect n/a: {err}")


def mm_version():
    try:
        out = subprocess.run([MM, "--version"], capture_output=True, text=True).stdout
        return out.split()[1]
    except (OSError, IndexError):
        return "?"


if __name__ == "__main__":
    main()
