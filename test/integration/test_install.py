# SPDX-License-Identifier: GPL-2.0-or-later
"""What an installation of modemux consists of, and that its pieces agree
with each other and with ModemManager's:
- `meson install --destdir` lays down exactly the hand-written list in
  install-files.txt, nothing more, nothing less;
- the D-Bus policy grants exactly what ModemManager's does;
- the polkit actions are the IDs modemuxd asks about (src/core/mx-core-auth.c),
  which are ModemManager's, with ModemManager's defaults;
- the unit's hardening scores at most 2.5 in `systemd-analyze security`."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

import mxharness

SRC = mxharness.source_root()
BUILD = mxharness.build_root()
MM_POLICY = "/usr/share/polkit-1/actions/org.freedesktop.ModemManager1.policy"
MM_CONF_DIRS = ["/usr/share/dbus-1/system.d", "/etc/dbus-1/system.d"]


def build_prefix():
    out = subprocess.run(["meson", "introspect", "--buildoptions", BUILD],
                         capture_output=True, text=True, check=True).stdout
    import json
    return next(o["value"] for o in json.loads(out) if o["name"] == "prefix")


def expected_files(prefix):
    rootlib = "/lib" if prefix == "/usr" else prefix + "/lib"
    activation = ("/lib/dbus-1/system-services" if prefix == "/usr"
                  else prefix + "/share/dbus-1/system-services")
    files = set()
    with open(os.path.join(SRC, "test", "integration", "install-files.txt")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                files.add(line.replace("@rootlib@", rootlib)
                          .replace("@dbusactivation@", activation)
                          .replace("@prefix@", prefix))
    return files


def dbus_rules(path):
    """(context, verb, attributes) of every rule in a busconfig file."""
    rules = set()
    for policy in ET.parse(path).getroot().iter("policy"):
        ctx = tuple(sorted(policy.attrib.items()))
        for rule in policy:
            rules.add((ctx, rule.tag, tuple(sorted(rule.attrib.items()))))
    return rules


def polkit_actions(path):
    actions = {}
    for a in ET.parse(path).getroot().iter("action"):
        d = a.find("defaults")
        actions[a.get("id")] = {c.tag: c.text for c in d} if d is not None else {}
    return actions


class Install(unittest.TestCase):
    def test_meson_install_lays_down_exactly_the_expected_files(self):
        prefix = build_prefix()
        with tempfile.TemporaryDirectory() as dest:
            r = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
                                "--destdir", dest], capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            got = set()
            for d, dirs, files in os.walk(dest):
                for n in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
                    got.add("/" + os.path.relpath(os.path.join(d, n), dest))
            want = expected_files(prefix)
            self.assertEqual(sorted(got - want), [], "installed but not expected")
            self.assertEqual(sorted(want - got), [], "expected but not installed")
            with open(next(dest + p for p in want if p.endswith("modemuxd.service")
                           and "/systemd/" in p)) as f:
                unit = f.read()
            self.assertIn("ExecStart=%s/sbin/modemuxd\n" % prefix, unit)


class DbusPolicy(unittest.TestCase):
    def test_same_rules_as_modemmanagers_policy(self):
        mm = [os.path.join(d, "org.freedesktop.ModemManager1.conf") for d in MM_CONF_DIRS]
        mm = [p for p in mm if os.path.exists(p)]
        if not mm:
            self.skipTest("ModemManager's D-Bus policy is not installed")
        ours = dbus_rules(os.path.join(SRC, "data", "modemux.conf"))
        theirs = dbus_rules(mm[0])
        self.assertEqual(sorted(ours - theirs), [], "we allow/deny what ModemManager does not")
        self.assertEqual(sorted(theirs - ours), [], "ModemManager allows/denies what we do not")


class PolkitActions(unittest.TestCase):
    def setUp(self):
        self.ours = polkit_actions(os.path.join(SRC, "data", "org.freedesktop.ModemManager1.policy"))

    def test_actions_are_the_ids_the_daemon_asks_about(self):
        with open(os.path.join(SRC, "src", "core", "mx-core-auth.c")) as f:
            asked = set(re.findall(r'"(org\.freedesktop\.ModemManager1\.[A-Za-z.]+)"', f.read()))
        self.assertEqual(sorted(self.ours), sorted(asked))

    def test_same_ids_and_defaults_as_modemmanagers(self):
        if not os.path.exists(MM_POLICY):
            self.skipTest("ModemManager's polkit actions are not installed")
        theirs = polkit_actions(MM_POLICY)
        self.assertEqual(sorted(self.ours), sorted(theirs))
        for aid, d in theirs.items():
            # polkit's default for a missing allow_any is "no".
            self.assertEqual({"allow_any": "no", **d}, self.ours[aid], aid)


@unittest.skipIf(shutil.which("systemd-analyze") is None, "systemd-analyze not installed")
class Hardening(unittest.TestCase):
    def test_exposure_at_most_2_5(self):
        unit = os.path.join(BUILD, "data", "modemuxd.service")
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit],
                           capture_output=True, text=True, timeout=120)
        m = re.search(r"Overall exposure level for modemuxd.service: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        print("systemd-analyze security: exposure %s" % m.group(1))
        self.assertLessEqual(float(m.group(1)), 2.5)
        # CAP_NET_ADMIN only: nothing modemuxd calls needs CAP_SYS_ADMIN.
        with open(unit) as f:
            self.assertRegex(f.read(), r"(?m)^CapabilityBoundingSet=CAP_NET_ADMIN$")


if __name__ == "__main__":
    mxharness.main()
