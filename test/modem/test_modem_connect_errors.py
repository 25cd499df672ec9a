# SPDX-License-Identifier: GPL-2.0-or-later
"""A connect the network refuses fails with ModemManager's D-Bus error name,
as NetworkManager reads it, and the bearer's ConnectionError says the same
until a connect of that bearer succeeds.

modemuxd as a user starts it (umockdev testbed with the USB qmi_wwan
fixture, the simulator as fake qmi-proxy with apn-rejects.conf: internet
connects, corporate is not subscribed, secure fails authentication, ims is
in use on another interface, anything else is unknown; start-no-effect.conf:
the first Start Network answered NoEffect), driven by the real mmcli.
Environment: as test_modem_mmcli.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_modem_mmcli as stack  # noqa: E402

if __name__ == "__main__":
    stack._reexec()

import mxharness  # noqa: E402

ERROR = "org.freedesktop.ModemManager1.Error."


class ConnectStack(stack.ModemStack):
    """The USB qmi_wwan stack (wwan0 is the simulator's TUN), as in
    test_modem_mmcli.UsbQmiWwan; its scenario is the subclass's."""
    fixture = "usb-qmi-wwan-qmimux.umockdev"
    data_tuns = ("wwan0",)

    def prepare_testbed(self):
        self.testbed.set_attribute(stack.USB_NET, "qmi/raw_ip", "N")

    def connect_fails(self, apn, name, message):
        """Simple.Connect on @apn fails with error @name (and @message in the
        text); returns the bearer's `mmcli -b` keys."""
        r = self.h.mmcli("-m", "0", f"--simple-connect=apn={apn}")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn(f"GDBus.Error:{ERROR}{name}: ", r.stderr)
        self.assertIn(message, r.stderr)
        bearer = self.bearer_of(apn)
        self.assertEqual(bearer["bearer.status.connected"], "no")
        self.assertEqual(bearer["bearer.status.connection-error.name"], ERROR + name)
        self.assertIn(message, bearer["bearer.status.connection-error.message"])
        self.assertEqual(self.sessions(), [])
        return bearer

    def bearer_of(self, apn):
        for path in stack.values(stack.mmcli_kv(self.h, "-m", "0"), "modem.generic.bearers"):
            kv = stack.mmcli_kv(self.h, "-b", path.rsplit("/", 1)[1])
            if kv.get("bearer.properties.apn") == apn:
                return kv
        raise AssertionError(f"no bearer for APN {apn}")

    def sessions(self):
        out = mxharness.subprocess.run([stack.SIM, "--ctl", self.control, "sessions"], check=True,
                                       timeout=mxharness.TIMEOUT, env=self.h.env,
                                       capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.startswith("session ")]


class RefusedConnects(ConnectStack):
    scenario = "apn-rejects.conf"

    def test_unknown_apn_is_missing_or_unknown_apn(self):
        self.wait_for_modem()
        self.connect_fails("nosuchapn", "MobileEquipment.MissingOrUnknownApn",
                           "Start Network failed: the network refused APN 'nosuchapn' "
                           "(3GPP cause 27: missing or unknown APN)")

    def test_denied_pdns_name_the_3gpp_cause(self):
        self.wait_for_modem()
        self.connect_fails("corporate", "MobileEquipment.ServiceOptionNotSubscribed",
                           "(3GPP cause 33: requested service option not subscribed)")
        self.connect_fails("secure", "MobileEquipment.UserAuthenticationFailed",
                           "(3GPP cause 29: user authentication failed)")

    def test_busy_pdn_is_connection_busy(self):
        self.wait_for_modem()
        self.connect_fails("ims", "Connection.Busy",
                           "it is in use on another interface (internal reason 237: interface-in-use)")

    def test_a_good_connect_clears_the_connection_error(self):
        self.wait_for_modem()
        # Without service the call manager refuses the call (no 3GPP cause).
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")
        self.sim_ctl("register", "none")
        self.wait_for_state("enabled")
        bearer = self.connect_fails("internet", "MobileEquipment.Unknown",
                                    "(cm reason 2001: no-service)")
        path = bearer["bearer.dbus-path"]

        self.sim_ctl("register", "home")
        self.wait_for_state("registered")
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr)
        bearer = self.bearer_of("internet")
        self.assertEqual(bearer["bearer.dbus-path"], path, "Simple.Connect reuses the bearer")
        self.assertEqual(bearer["bearer.status.connected"], "yes")
        # mmcli prints an empty ConnectionError as "--".
        self.assertEqual(bearer["bearer.status.connection-error.name"], "--")
        self.assertEqual(bearer["bearer.status.connection-error.message"], "--")
        self.assertEqual(len(self.sessions()), 1)


class PdnHeldElsewhere(ConnectStack):
    """Start Network answered NoEffect once: our fresh client did not start
    the PDN, another client holds it."""
    scenario = "start-no-effect.conf"

    def test_no_effect_is_connection_busy_and_the_retry_connects(self):
        self.wait_for_modem()
        self.connect_fails("internet", "Connection.Busy",
                           "Start Network failed: the PDN is already active for another client "
                           "on APN 'internet' (QMI protocol error (26): 'NoEffect')")
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr)
        bearer = self.bearer_of("internet")
        self.assertEqual(bearer["bearer.status.connected"], "yes")
        self.assertEqual(bearer["bearer.status.connection-error.name"], "--")


if __name__ == "__main__":
    mxharness.main()
