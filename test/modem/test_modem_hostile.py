# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile callers: every method of every interface modemuxd exports,
called with wrong types, missing and extra dictionary keys, 1 MiB strings
and out-of-range numbers, through the daemon that ships.

The stack is test_modem_mmcli's (modemuxd under umockdev with the MHI QMI
fixture, the simulator behind the fake qmi-proxy, the polkit mock), with a
bearer created first, so Manager, Modem (Modem, Modem3gpp, Modem.Simple,
org.modemux.DataPorts1), SIM and Bearer objects exist. The interfaces and
their signatures are read from the daemon's own introspection data, so a
method added later is called too.

Each call is sent twice: once by a caller polkit denies, once by one it
allows. A call whose signature is wrong never reaches our code: GDBus
rejects it against the introspection data (org.freedesktop.DBus.Error.
InvalidArgs); those are counted apart. For a call that does reach a handler:

  - the denied caller gets ModemManager's Unauthorized, unless the method
    needs no authorization (an unsupported method answers Unsupported to
    anyone; a Properties call is answered by GDBus);
  - the allowed caller gets a clear error: one of ModemManager's error names
    or GDBus's own for properties, with a message; never a timeout, a lost
    reply or success;
  - afterwards modemuxd is still the same process on the bus, and nothing
    changed: `mmcli -m 0 -K`, `mmcli -b 0 -K`, `mmcli -i 0 -K`, the bus
    objects and the simulator's sessions are as before.

Values are chosen so that no call is valid: a method whose arguments are
all booleans (Enable) or absent (Reset) is only called with wrong types,
and every bearer dictionary holds at least one bad entry (an empty one is a
valid CreateBearer in ModemManager's API, so "missing keys" there means the
apn is missing next to a bad key)."""

import collections
import subprocess
import sys
import time
import unittest

import test_modem_mmcli
from test_modem_mmcli import ModemStack, mmcli_kv

if __name__ == "__main__":
    test_modem_mmcli._reexec()

from gi.repository import Gio, GLib  # noqa: E402
import mxharness  # noqa: E402
from mxharness import TIMEOUT, wait_until  # noqa: E402

MM = "org.freedesktop.ModemManager1"
HUGE = "x" * (1 << 20)
MAX_U32 = 0xFFFFFFFF
NOWHERE = "/org/freedesktop/ModemManager1/Nowhere/4294967295"

# Interfaces whose methods get hostile values (the standard ones, except
# Properties, only get wrong types: GDBus answers them, not our code).
OURS = ("org.freedesktop.ModemManager1", "org.modemux.", "org.freedesktop.DBus.Properties")
BEARER_METHODS = {("org.freedesktop.ModemManager1.Modem", "CreateBearer"),
                  ("org.freedesktop.ModemManager1.Modem.Simple", "Connect")}
GDBUS_REJECTED = "org.freedesktop.DBus.Error.InvalidArgs"
UNAUTHORIZED = "org.freedesktop.ModemManager1.Error.Core.Unauthorized"
UNSUPPORTED = "org.freedesktop.ModemManager1.Error.Core.Unsupported"
# What GDBus itself answers to Properties calls it refuses.
GDBUS_PROPERTY_ERRORS = {"org.freedesktop.DBus.Error.InvalidArgs",
                         "org.freedesktop.DBus.Error.UnknownProperty",
                         "org.freedesktop.DBus.Error.UnknownInterface",
                         "org.freedesktop.DBus.Error.PropertyReadOnly"}
# Never a clear answer: the daemon hung, crashed or dropped the call.
UNCLEAR = {"org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout",
           "org.freedesktop.DBus.Error.TimedOut", "org.freedesktop.DBus.Error.ServiceUnknown",
           "org.freedesktop.DBus.Error.Disconnected", "org.freedesktop.DBus.Error.Failed",
           "org.freedesktop.DBus.Error.NameHasNoOwner"}


def v(sig, value):
    return GLib.Variant(sig, value)


def bearer_dicts():
    """Bad Simple.Connect / CreateBearer dictionaries, each invalid."""
    return [
        {"apn": v("s", "internet"), "colour": v("s", "red")},            # extra key
        {"apn": v("u", 1)},                                                # wrong type
        {"ip-type": v("s", "ipv4")},                                       # wrong type
        {"apn": v("s", HUGE)},                                             # huge
        {"user": v("s", HUGE), "password": v("s", HUGE), "apn": v("s", HUGE)},
        {"pin": v("s", HUGE), "ip-type": v("u", MAX_U32)},                 # missing apn, bad ip-type
        {"apn": v("s", "internet"), "ip-type": v("u", MAX_U32)},           # out of range
        {"apn": v("s", "internet"), "multiplex": v("u", MAX_U32)},
        {"apn": v("s", "internet"), "allowed-auth": v("u", MAX_U32)},
        {"apn": v("s", "internet"), "profile-id": v("i", 2**31 - 1)},
        {HUGE: v("s", "internet")},                                        # huge key
        {"apn": v("v", v("s", "internet"))},                               # nested variant
    ]


def other_dicts():
    """Bad dictionaries for the other a{sv} arguments (ReportKernelEvent and
    friends): missing keys, extra keys, wrong types, huge and odd values."""
    return [
        {},
        {"action": v("s", "add")},                                          # missing keys
        {"action": v("s", "add"), "subsystem": v("s", "net"), "name": v("s", "x"),
         "colour": v("s", "red")},                                          # extra key
        {"action": v("u", 1), "subsystem": v("s", "net"), "name": v("s", "x")},
        {"action": v("s", "add"), "subsystem": v("s", "net"), "name": v("s", HUGE)},
        {"action": v("s", HUGE), "subsystem": v("s", HUGE), "name": v("s", "x")},
        {"action": v("s", "add"), "subsystem": v("s", "net"), "name": v("s", "../../etc")},
        {HUGE: v("u", MAX_U32)},
        {"apn": v("s", HUGE), "ip-type": v("u", MAX_U32)},
    ]


def hostile_values(sig, iface, method):
    """Values of type @sig that no handler may accept; [] when the type
    has none (booleans)."""
    if sig == "s":
        return [HUGE]
    if sig == "o":
        return [NOWHERE]
    if sig in ("u", "t"):
        return [MAX_U32 if sig == "u" else 2**64 - 1]
    if sig in ("i", "x"):
        return [2**31 - 1, -2**31] if sig == "i" else [2**63 - 1]
    if sig in ("y", "q", "n"):
        return [{"y": 255, "q": 65535, "n": -32768}[sig]]
    if sig == "a{sv}":
        return bearer_dicts() if (iface, method) in BEARER_METHODS else other_dicts()
    if sig == "v":
        return [v("s", HUGE), v("u", MAX_U32), v("a{sv}", {"x": v("s", HUGE)})]
    if sig.startswith("(") and sig.endswith(")"):
        members = members_of(sig)
        return [tuple((hostile_values(m, iface, method) or [default(m)])[0] for m in members)]
    if sig.startswith("a"):
        inner = sig[1:]
        vals = hostile_values(inner, iface, method)
        return [[vals[0]] * 3] if vals else []
    return []  # booleans: no value is out of range


def neutral(sig, iface, method):
    """A value for the arguments not under attack: a hostile one too, or
    True for a boolean."""
    vals = hostile_values(sig, iface, method)
    return vals[0] if vals else True


def small(sig):
    """A short well-formed value of @sig, for calls whose signature is wrong
    anyway (GDBus checks the signature before looking at values)."""
    return {"s": "x", "o": NOWHERE, "u": 1, "i": 1, "b": True, "a{sv}": {}, "v": v("s", "x"),
            "t": 1, "x": 1, "y": 1, "q": 1, "n": 1}.get(sig)


def one_type(sig, i=0):
    """The end index of the complete type starting at sig[i]."""
    if sig[i] == "a":
        return one_type(sig, i + 1)
    if sig[i] in "({":
        close = ")" if sig[i] == "(" else "}"
        i += 1
        while sig[i] != close:
            i = one_type(sig, i)
        return i + 1
    return i + 1


def members_of(sig):
    """The member types of the tuple type @sig, e.g. "(sa{sv}u)" -> s, a{sv}, u."""
    out, i = [], 1
    while i < len(sig) - 1:
        end = one_type(sig, i)
        out.append(sig[i:end])
        i = end
    return out


def default(sig):
    """Some well-formed value of any type @sig."""
    if sig.startswith("a{"):
        return {}
    if sig.startswith("a"):
        return []
    if sig.startswith("("):
        return tuple(default(m) for m in members_of(sig))
    return small(sig) if small(sig) is not None else 0


def wrong_signature_calls(sigs):
    """Argument tuples that do not match @sigs: an extra argument, one
    missing, every argument of another type. Arguments of types small()
    does not know are replaced by strings."""
    def args(ss):
        return [small(s) for s in ss]
    known = [s if small(s) is not None else "s" for s in sigs]
    calls = [("extra argument", "(" + "".join(known) + "s)", args(known) + ["x"])]
    if sigs:
        calls.append(("missing argument", "(" + "".join(known[:-1]) + ")", args(known[:-1])))
        swapped = ["u" if s == "s" else "s" for s in known]
        calls.append(("wrong types", "(" + "".join(swapped) + ")", args(swapped)))
    return calls


class Call:
    def __init__(self, path, iface, method, what, sig, args, typed_ok):
        self.path, self.iface, self.method, self.what = path, iface, method, what
        self.sig, self.args, self.typed_ok = sig, args, typed_ok

    def name(self):
        return f"{self.path} {self.iface}.{self.method} ({self.what})"


class HostileCallers(ModemStack):
    def introspect(self, path):
        xml = self.h.call(MM, path, "org.freedesktop.DBus.Introspectable", "Introspect",
                          None, "(s)")[0]
        return Gio.DBusNodeInfo.new_for_xml(xml)

    def objects(self):
        """Object path -> interface names, from the ObjectManager and the Manager."""
        managed = self.h.call(MM, "/org/freedesktop/ModemManager1",
                              "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                              None, "(a{oa{sa{sv}}})")[0]
        return {path: sorted(ifaces) for path, ifaces in managed.items()}

    def snapshot(self):
        """Everything a hostile call must not change."""
        def kv(*args):
            d = mmcli_kv(self.h, *args)
            return d
        sessions = subprocess.run([test_modem_mmcli.SIM, "--ctl", self.control, "sessions"],
                                  check=True, timeout=TIMEOUT, env=self.h.env,
                                  capture_output=True, text=True).stdout
        return {"modem": kv("-m", "0"), "bearer": kv("-b", "0"), "sim": kv("-i", "0"),
                "objects": self.objects(), "sessions": sessions}

    def quick_state(self):
        """The modem's state and bearer list, read over D-Bus."""
        props = self.h.call(MM, "/org/freedesktop/ModemManager1/Modem/0",
                            "org.freedesktop.DBus.Properties", "GetAll",
                            v("(s)", ("org.freedesktop.ModemManager1.Modem",)), "(a{sv})")[0]
        return props["State"], props["Bearers"], props["PowerState"]

    def build_calls(self, paths):
        calls, writable = [], []
        for path in paths:
            for iface in self.introspect(path).interfaces:
                for m in iface.methods:
                    sigs = [a.signature for a in m.in_args]
                    for what, sig, args in wrong_signature_calls(sigs):
                        calls.append(Call(path, iface.name, m.name, what, sig, args, False))
                    if not iface.name.startswith(OURS) or iface.name.endswith("Properties"):
                        continue
                    for i, s in enumerate(sigs):
                        for value in hostile_values(s, iface.name, m.name):
                            args = [neutral(t, iface.name, m.name) for t in sigs]
                            args[i] = value
                            calls.append(Call(path, iface.name, m.name, f"argument {i + 1} hostile",
                                              "(" + "".join(sigs) + ")", args, True))
                if not iface.name.startswith(OURS):
                    continue
                for p in iface.properties:
                    if p.flags & Gio.DBusPropertyInfoFlags.WRITABLE:
                        writable.append(f"{iface.name}.{p.name}")
                    # Set with a wrong-typed and with a hostile value of the
                    # right type: refused (read-only, or a bad value).
                    wrong = v("u", MAX_U32) if p.signature != "u" else v("s", "x")
                    right = hostile_values(p.signature, iface.name, p.name)
                    for what, value in [("wrong type", wrong)] + \
                            [("hostile value", v(p.signature, x)) for x in right[:1]]:
                        calls.append(Call(path, "org.freedesktop.DBus.Properties", "Set",
                                          f"{p.name}: {what}", "(ssv)",
                                          [iface.name, p.name, value], True))
                calls.append(Call(path, "org.freedesktop.DBus.Properties", "Get", "huge names",
                                  "(ss)", [iface.name, HUGE], True))
            calls.append(Call(path, "org.freedesktop.DBus.Properties", "GetAll", "huge interface",
                              "(s)", [HUGE], True))
        return calls, writable

    def send(self, call):
        """The D-Bus error name of the reply (None on success)."""
        try:
            self.h.bus.call_sync(MM, call.path, call.iface, call.method,
                                 GLib.Variant(call.sig, tuple(call.args)), None,
                                 Gio.DBusCallFlags.NONE, int(TIMEOUT * 1000), None)
            return None, ""
        except GLib.Error as e:
            return Gio.DBusError.get_remote_error(e) or f"{e.domain}:{e.code}", e.message

    def check_outcome(self, call, privileged, name, message):
        """None if the answer is the one the module docstring promises, else why not."""
        if name in UNCLEAR or (name and not name.startswith("org.")):
            return f"unclear answer {name}: {message}"
        if not call.typed_ok:
            # GDBus answers the standard interfaces itself: a signature it
            # does not know is an unknown method there.
            ok = {GDBUS_REJECTED, "org.freedesktop.DBus.Error.UnknownMethod"} \
                if call.iface.startswith("org.freedesktop.DBus.") else {GDBUS_REJECTED}
            return None if name in ok else f"wrong signature answered {name}"
        if name is None:
            return "accepted"
        if not message:
            return f"{name} without a message"
        gdbus_props = call.iface == "org.freedesktop.DBus.Properties"
        if gdbus_props:
            return None if name in GDBUS_PROPERTY_ERRORS else f"property call answered {name}"
        if not privileged:
            return None if name in (UNAUTHORIZED, UNSUPPORTED) else \
                f"denied caller got {name} ({message}), not {UNAUTHORIZED}"
        # Modem.Command is for debug mode only, as in ModemManager, which
        # answers Unauthorized there whatever polkit says.
        if name == UNAUTHORIZED and not (call.method == "Command" and "debug mode" in message):
            return "allowed caller got Unauthorized"
        if not name.startswith("org.freedesktop.ModemManager1.Error."):
            return f"allowed caller got {name}: {message}"
        return None

    def test_no_call_crashes_changes_state_or_gets_an_unclear_answer(self):
        self.wait_for_modem()
        # The fixture's AT port is probed in the background (and does not
        # answer here): its type settles before the state is taken.
        wait_until(lambda: "wwan0at0: not used as an AT port" in self.h.daemon_log(),
                   "the AT probe of wwan0at0 to end")
        r = self.h.mmcli("-m", "0", "--create-bearer=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        owner = self.h.name_owner(MM)
        modem = "/org/freedesktop/ModemManager1/Modem/0"
        prop = lambda name: self.h.call(MM, modem, "org.freedesktop.DBus.Properties", "Get",  # noqa: E731
                                        v("(ss)", ("org.freedesktop.ModemManager1.Modem", name)),
                                        "(v)")[0]
        paths = ["/org/freedesktop/ModemManager1", modem, prop("Sim"), *prop("Bearers")]
        for kind in ("Modem/", "SIM/", "Bearer/"):
            self.assertTrue(any(kind in p for p in paths), f"no {kind} object in {paths}")
        calls, writable = self.build_calls(paths)
        before = self.snapshot()
        quick = self.quick_state()

        failures = []
        table = collections.OrderedDict()
        for privileged in (False, True):
            self.h.polkit_allow_unknown(privileged)
            caller = "allowed" if privileged else "denied"
            for call in calls:
                started = time.monotonic()
                name, message = self.send(call)
                if time.monotonic() - started > 2:
                    print(f"slow ({time.monotonic() - started:.1f} s): {caller} {call.name()}: "
                          f"{name}", file=sys.stderr)
                row = table.setdefault((call.iface, caller), collections.Counter())
                row["calls"] += 1
                row["rejected by GDBus (signature)" if not call.typed_ok else "reached handler"] += 1
                if call.typed_ok:
                    row[name or "success"] += 1
                why = self.check_outcome(call, privileged, name, message)
                if why:
                    failures.append(f"{caller}: {call.name()}: {why}")
                if self.h.daemon.poll() is not None:
                    self.fail(f"modemuxd died on {call.name()}:\n{self.h.daemon_log()[-4000:]}")
                # The cheap part of the state, after every call, to name the culprit.
                if self.quick_state() != quick:
                    failures.append(f"{caller}: {call.name()}: changed {quick} to {self.quick_state()}")
                    quick = self.quick_state()
            self.assertEqual(self.h.name_owner(MM), owner, "modemuxd is not the same process")

        print(f"\n{len(calls)} calls per caller on {len(paths)} objects; "
              f"writable properties: {writable or 'none'}", file=sys.stderr)
        for (iface, caller), row in table.items():
            detail = ", ".join(f"{k} {n}" for k, n in row.items() if k != "calls")
            print(f"  {caller:7} {iface}: {row['calls']} calls: {detail}", file=sys.stderr)
        self.assertEqual(failures, [], "\n".join(failures[:40]))
        after = self.snapshot()
        for key in before:
            self.assertEqual(after[key], before[key], f"{key} changed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
