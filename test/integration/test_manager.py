# SPDX-License-Identifier: GPL-2.0-or-later
"""The Manager object as the real mmcli and plain D-Bus clients see it."""

import os

from gi.repository import Gio, GLib

import mxharness
from mxharness import MM_NAME, MM_PATH, HarnessTestCase

VERSION = os.environ.get("MX_VERSION", "")
MANAGER_IFACE = "org.freedesktop.ModemManager1"
UNSUPPORTED = "org.freedesktop.ModemManager1.Error.Core.Unsupported"
INVALID_ARGS = "org.freedesktop.ModemManager1.Error.Core.InvalidArgs"


class Manager(HarnessTestCase):
    def call_manager(self, method, args=None):
        return self.h.call(MM_NAME, MM_PATH, MANAGER_IFACE, method, args)

    def assertDBusError(self, name, method, args=None, message=None):
        with self.assertRaises(GLib.Error) as cm:
            self.call_manager(method, args)
        self.assertEqual(Gio.DBusError.get_remote_error(cm.exception), name, cm.exception.message)
        if message:
            self.assertIn(message, cm.exception.message)
        return cm.exception

    def test_mmcli_lists_no_modems(self):
        result = self.h.mmcli("-L")
        self.assertRunOk(result)
        self.assertIn("No modems were found", result.stdout)

    def test_mmcli_reports_modemux_version(self):
        result = self.h.mmcli("-B")
        self.assertRunOk(result)
        self.assertIn(f"ModemManager daemon {VERSION} running", result.stdout)

    def test_object_manager_is_empty_and_version_is_exposed(self):
        objects = self.h.call(MM_NAME, MM_PATH, "org.freedesktop.DBus.ObjectManager",
                              "GetManagedObjects", None, "(a{oa{sa{sv}}})")[0]
        self.assertEqual(objects, {})
        version = self.h.call(MM_NAME, MM_PATH, "org.freedesktop.DBus.Properties", "Get",
                              GLib.Variant("(ss)", (MANAGER_IFACE, "Version")), "(v)")[0]
        self.assertEqual(version, VERSION)

    def test_scan_devices_rescans(self):
        result = self.h.mmcli("-S")
        self.assertRunOk(result)
        self.assertIn("successfully requested to scan devices", result.stdout)

    def test_report_kernel_event_is_refused_while_udev_monitors(self):
        # As ModemManager: kernel events are for udev-less set-ups only.
        result = self.h.mmcli("--report-kernel-event=action=add,subsystem=net,name=wwan0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Unsupported", result.stderr)
        self.assertDBusError(UNSUPPORTED, "ReportKernelEvent", GLib.Variant(
            "(a{sv})", ({"action": GLib.Variant("s", "add"),
                         "subsystem": GLib.Variant("s", "wwan"),
                         "name": GLib.Variant("s", "wwan0qmi0")},)), "--no-auto-scan")

    def test_report_kernel_event_rejects_malformed_events(self):
        def event(**kw):
            return GLib.Variant("(a{sv})", ({k: GLib.Variant("s", v) for k, v in kw.items()},))
        self.assertDBusError(INVALID_ARGS, "ReportKernelEvent",
                             event(action="change", subsystem="net", name="x"), "'add' or 'remove'")
        self.assertDBusError(INVALID_ARGS, "ReportKernelEvent", event(action="add", name="x"),
                             "'subsystem' is missing")
        self.assertDBusError(INVALID_ARGS, "ReportKernelEvent",
                             event(action="add", subsystem="net", name="x", colour="red"),
                             "unknown key 'colour'")
        self.assertDBusError(INVALID_ARGS, "ReportKernelEvent", GLib.Variant(
            "(a{sv})", ({"action": GLib.Variant("u", 1)},)), "must be a string")

    def test_inhibit_device_is_unsupported(self):
        self.assertDBusError(UNSUPPORTED, "InhibitDevice",
                             GLib.Variant("(sb)", ("/sys/devices/foo", True)), "inhibit device")
        self.assertDBusError(INVALID_ARGS, "InhibitDevice", GLib.Variant("(sb)", ("", True)),
                             "no device uid")

    def test_set_logging_rejects_unknown_levels(self):
        self.assertDBusError(INVALID_ARGS, "SetLogging", GLib.Variant("(s)", ("LOUD",)),
                             "invalid log level 'LOUD'")


class ManagerWithoutAutoScan(HarnessTestCase):
    daemon_args = ("--no-auto-scan",)

    def test_report_kernel_event_of_an_unknown_subsystem_is_invalid(self):
        result = self.h.mmcli("--report-kernel-event=action=add,subsystem=sound,name=card0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("InvalidArgs", result.stderr)
        self.assertIn("sound", result.stderr)

    def test_report_kernel_event_of_a_missing_device_creates_no_modem(self):
        result = self.h.mmcli("--report-kernel-event=action=add,subsystem=net,name=nosuchport0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("nosuchport0", result.stderr)
        self.assertIn("No modems were found", self.h.mmcli("-L").stdout)


if __name__ == "__main__":
    mxharness.main()
