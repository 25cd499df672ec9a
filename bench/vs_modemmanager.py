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
">>" log lines between the phase boundaries."""

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
SCENARIO = os.path.join(SRC, "test", "sim", "scenarios", "mhi.conf")
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
        tb = testbed()
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

    def _run(self, tb, h):
        scen = os.path.join(h.tmpdir, "scenario.conf")
        with open(SCENARIO) as f, open(scen, "w") as out:
            out.write(f.read() + f"\n[latency]\nms={self.latency}\n")
        self.sim_log = os.path.join(h.tmpdir, "sim.log")
        ctl = os.path.join(h.tmpdir, "sim-control")
        sim = h.spawn([SIM, "--scenario", scen, "--qmi-proxy", "--control", ctl, "--data-tun", "mhi_hwip0",
                       "--log", self.sim_log], "modemux-sim", stdout=subprocess.PIPE)
        assert sim.stdout.readline().decode().strip() == "modemux-sim ready"
        sim.stdout.close()

        modems, states = [], {}

        def on_signal(conn, sender, path, iface, member, params):
            if member == "InterfacesAdded":
                p, ifaces = params.unpack()
                if "org.freedesktop.ModemManager1.Modem" in ifaces:
                    modems.append(p)
                    states[p] = ifaces["org.freedesktop.ModemManager1.Modem"].get("State", 0)
            elif member == "PropertiesChanged":
                i, changed, _ = params.unpack()
                if i == "org.freedesktop.ModemManager1.Modem" and "State" in changed:
                    states[path] = changed["State"]
        h.bus.signal_subscribe(None, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                               mxharness.MM_PATH, None, Gio.DBusSignalFlags.NONE, on_signal)
        h.bus.signal_subscribe(None, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                               None, None, Gio.DBusSignalFlags.NONE, on_signal)

        env = dict(h.env, UMOCKDEV_DIR=tb.get_root_dir(), LD_PRELOAD="libumockdev-preload.so.0")
        if self.daemon == "mm":
            # Production log level: Debian's unit runs it without options.
            events = os.path.join(h.tmpdir, "kernel-events")
            with open(events, "w") as f:
                for sub, name in (("wwan", "wwan0qmi0"), ("net", "mhi_hwip0")):
                    f.write(f"action=add,subsystem={sub},name={name}\n")
            argv = [MM, "--test-no-qrtr", "--test-no-suspend-resume", "--test-no-udev", "--no-auto-scan",
                    "--initial-kernel-events=" + events,
                    *os.environ.get("MX_BENCH_MM_ARGS", "").split()]
        else:
            argv = [mxharness.daemon_path(BUILD), "--test-no-qrtr",
                    *os.environ.get("MX_BENCH_MX_ARGS", "").split()]
        self.mark("spawn")
        t0 = time.monotonic()
        self.proc = h.spawn(argv, self.daemon, env=env)
        self.wait(lambda: modems, "the modem to be exported")
        self.mark("exported")
        self.res[f"start_ms_{self.latency}"] = (time.monotonic() - t0) * 1000
        modem = modems[0]
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

        props = {"apn": GLib.Variant("s", "internet"), "ip-type": GLib.Variant("u", 1)}
        self.mark("connect")
        (bearer,), ms = call("org.freedesktop.ModemManager1.Modem.Simple", "Connect",
                             GLib.Variant("(a{sv})", (props,)), "(o)")
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

    def settle(self, s=0.3):
        end = time.monotonic() + s
        ctx = GLib.MainContext.default()
        while time.monotonic() < end:
            ctx.iteration(False) or time.sleep(0.005)

    def idle_window(self, pid):
        before = thread_figures(pid)
        self.settle(IDLE_S)
        return idle_delta(before, thread_figures(pid))


ROWS = [
    ("start_ms_0", "start -> modem exported, 0 ms/msg (ms)"),
    ("start_ms_10", "start -> modem exported, 10 ms/msg (ms)"),
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
]


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

    print(f"ModemManager {mm_version()} vs modemuxd, MHI QMI fixture (RM500Q), simulator "
          f"mhi.conf, {RUNS} runs each, host {os.uname().release}, {os.cpu_count()} CPU")
    print(f"{'metric':40s} {'ModemManager median [range]':>28s} {'modemuxd median [range]':>26s} "
          f"{'mx/MM':>6s}")
    for key, label in ROWS:
        mm, mm_s = col("mm", key)
        mx, mx_s = col("mx", key)
        ratio = f"{mx / mm:.2f}" if mm and mx is not None else "-"
        print(f"{label:40s} {mm_s:>28s} {mx_s:>26s} {ratio:>6s}")
    for lat in LATENCIES:
        if lat:
            print(f"floor of this connect at {lat} ms/msg (not multiplexed: Start Network + Get "
                  f"Current Settings): {2 * lat} ms + one netlink transaction")
    print("per-bearer connect cost at 1, 8, 64 bearers: needs rmnet (the VM tier): "
          "bench/bearers.sh (modemuxd)")


def mm_version():
    try:
        out = subprocess.run([MM, "--version"], capture_output=True, text=True).stdout
        return out.split()[1]
    except (OSError, IndexError):
        return "?"


if __name__ == "__main__":
    main()
