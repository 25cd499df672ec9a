#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the hand-made seeds of the fuzz corpora (corpus/NAME/seed-*).

The seeds are small valid and nearly valid inputs of each parser, written
by hand here so they can be read; libFuzzer's finds sit next to them as
corpus/NAME/find-* (minimised, named for what they caught). Run it again
after changing a seed; it only rewrites seed-* files."""
import os
import struct
import sys

import gi
gi.require_version("GLib", "2.0")
from gi.repository import GLib

HERE = os.path.dirname(os.path.abspath(__file__))


def vardict(d):
    return GLib.Variant("a{sv}", d).get_data_as_bytes().get_data()


def write(target, name, data):
    path = os.path.join(HERE, "corpus", target, "seed-" + name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


S, U, I, B = (lambda v: GLib.Variant("s", v)), (lambda v: GLib.Variant("u", v)), \
    (lambda v: GLib.Variant("i", v)), (lambda v: GLib.Variant("b", v))

# bearer-props: selector byte (1 = Simple.Connect, 0 = CreateBearer) + a{sv}
nm = {"apn": S("internet"), "ip-type": U(4), "allowed-auth": U(6), "user": S("u"),
      "password": S("p"), "allow-roaming": B(True)}
write("bearer-props", "create-nm", b"\0" + vardict(nm))
write("bearer-props", "simple-nm", b"\1" + vardict(dict(nm, pin=S("1234"), **{"operator-id": S("00101")})))
write("bearer-props", "create-mmcli", b"\0" + vardict({
    "apn": S("internet"), "profile-id": I(-1), "profile-name": S(""), "apn-type": U(0),
    "access-type-preference": U(0), "roaming-allowance": U(0), "rm-protocol": U(0),
    "multiplex": U(2), "number": S("*99#")}))
write("bearer-props", "wrong-type", b"\0" + vardict({"apn": U(1)}))
write("bearer-props", "unknown-key", b"\0" + vardict({"apn": S("x"), "colour": S("red")}))
write("bearer-props", "pin-in-create", b"\0" + vardict({"pin": S("1234")}))
write("bearer-props", "bad-ip-type", b"\1" + vardict({"ip-type": U(3)}))
write("bearer-props", "long-apn", b"\0" + vardict({"apn": S("a" * 101)}))
write("bearer-props", "empty", b"\1")

# kernel-event-dict: a{sv}
write("kernel-event-dict", "add-net", vardict({"action": S("add"), "subsystem": S("net"),
                                               "name": S("mhi_hwip0"), "uid": S("modem1")}))
write("kernel-event-dict", "remove-wwan", vardict({"action": S("remove"), "subsystem": S("wwan"),
                                                   "name": S("wwan0qmi0"), "driver": S("mhi_wwan_ctrl")}))
write("kernel-event-dict", "not-string", vardict({"action": S("add"), "subsystem": U(1)}))
write("kernel-event-dict", "missing-name", vardict({"action": S("add"), "subsystem": S("net")}))
write("kernel-event-dict", "slash-name", vardict({"action": S("add"), "subsystem": S("net"),
                                                  "name": S("../eth0")}))

# kernel-event-file: text
write("kernel-event-file", "two-lines",
      "# initial events\naction=add,subsystem=wwan,name=wwan0qmi0,uid=m1\n"
      "action=add, subsystem=net, name=mhi_hwip0, uid=m1\n\n")
write("kernel-event-file", "bad-line", "action=add,subsystem=net,name=x\nsubsystem\n")
write("kernel-event-file", "empty-value", "action=,subsystem=net,name=x\n")
write("kernel-event-file", "unknown-key", "action=add,subsystem=usbmisc,name=cdc-wdm0,colour=red\n")

# udev-tags: KEY=VALUE lines
write("udev-tags", "all-valid",
      "ID_MM_CANDIDATE=1\nID_MM_DEVICE_IGNORE=0\nID_MM_PORT_TYPE_QMI=yes\n"
      "ID_MM_PHYSDEV_UID=modem1\nID_MM_MAX_MULTIPLEXED_LINKS=4\nID_MM_INITIAL_QMAP_MUX_ID=0x10\n"
      "MX_QRTR_NODE=3\nMX_NET_DRIVER=ipa\n")
write("udev-tags", "garbage",
      "ID_MM_CANDIDATE=maybe\nID_MM_PHYSDEV_UID=\nID_MM_MAX_MULTIPLEXED_LINKS=-1\n"
      "ID_MM_INITIAL_QMAP_MUX_ID=0x\nMX_QRTR_NODE=99999999999\n")
write("udev-tags", "limits", "ID_MM_MAX_MULTIPLEXED_LINKS=0\nID_MM_INITIAL_QMAP_MUX_ID=254\n")

# link-map-attrs: ifindex, mtu, flags, operstate, ifalias, qmap/mux_id, qmi/add_mux (NUL-separated)
def attrs(*fields):
    return b"\0".join(f.encode() for f in fields)

write("link-map-attrs", "rmnet-up", attrs("7\n", "1500\n", "0x1003\n", "up\n", "modemux:m1\n",
                                          "0x01\n", "0x01\n0x02\n"))
write("link-map-attrs", "no-alias", attrs("3\n", "1500\n", "0x1002\n", "down\n", "\n"))
write("link-map-attrs", "garbage", attrs("-1", "99999999999", "0xzz", "sideways", "  ", "0x100", "x\n0x\n"))
write("link-map-attrs", "ifindex-only", attrs("12"))

# rtnl: netlink datagrams
NLMSG_HDR = "=IHHII"
IFINFO = "=BxHiII"


def nla(atype, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, atype) + payload + b"\0" * ((4 - n % 4) % 4)


def nlmsg(mtype, ifindex, flags, attrs_, ifi_type=519):
    body = struct.pack(IFINFO, 0, ifi_type, ifindex, flags, 0) + attrs_
    return struct.pack(NLMSG_HDR, 16 + len(body), mtype, 0, 0, 0) + body


RTM_NEWLINK, RTM_DELLINK = 16, 17
IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_OPERSTATE, IFLA_LINKINFO, IFLA_IFALIAS = 3, 4, 5, 16, 18, 20
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
rmnet = nlmsg(RTM_NEWLINK, 9, 0x1043,
              nla(IFLA_IFNAME, b"rmnet_data0\0") + nla(IFLA_MTU, struct.pack("=I", 1500)) +
              nla(IFLA_LINK, struct.pack("=I", 4)) + nla(IFLA_OPERSTATE, b"\x06") +
              nla(IFLA_IFALIAS, b"modemux:m1") +
              nla(IFLA_LINKINFO | 0x8000, nla(IFLA_INFO_KIND, b"rmnet\0") +
                  nla(IFLA_INFO_DATA | 0x8000, nla(1, struct.pack("=H", 1)) +
                      nla(2, struct.pack("=II", 0x9, 0xf)))))
write("rtnl", "new-rmnet", rmnet)
wwan = nlmsg(RTM_NEWLINK, 10, 0,
             nla(IFLA_IFNAME, b"wwan0\0") + nla(IFLA_LINKINFO, nla(IFLA_INFO_KIND, b"wwan\0") +
                                               nla(IFLA_INFO_DATA, nla(1, struct.pack("=I", 2)))))
write("rtnl", "new-wwan", wwan)
write("rtnl", "del-vlan", nlmsg(RTM_DELLINK, 11, 0,
                                nla(IFLA_IFNAME, b"mbim0.1\0") + nla(IFLA_LINK, struct.pack("=I", 11)) +
                                nla(IFLA_LINKINFO, nla(IFLA_INFO_KIND, b"vlan\0") +
                                    nla(IFLA_INFO_DATA, nla(1, struct.pack("=H", 1))))))
write("rtnl", "dump-two", rmnet + wwan)
write("rtnl", "short-attr", nlmsg(RTM_NEWLINK, 12, 0, nla(IFLA_MTU, b"\1") + nla(IFLA_OPERSTATE, b"")))
write("rtnl", "other-type", struct.pack(NLMSG_HDR, 20, 20, 0, 0, 0) + b"\0" * 4)
write("rtnl", "truncated", rmnet[:30])

# sim-scenario: key files
write("sim-scenario", "apn-and-fault",
      "[identity]\nimei=490154203237518\n[sim]\npin=1234\n"
      "[apn internet]\nipv4=10.64.0.0/24\nipv6=2001:db8::/64\ndns4=10.64.255.1\nmtu=1400\n"
      "reject=3gpp:33\n[fault wds-start]\nservice=wds\nmessage=0x0020\naction=error\n"
      "error=call-failed\nafter=1\ncount=1\n")
write("sim-scenario", "bad-prefix", "[apn x]\nipv4=10.64.0.0\n")
write("sim-scenario", "bad-enum", "[data-format]\nlink-layer-protocols=raw-ip;carrier-pigeon\n")
write("sim-scenario", "ctl-delay", "[fault c]\nservice=ctl\nmessage=0x22\naction=delay\n")
write("sim-scenario", "reject-internal", "[apn y]\nreject=internal:interface-in-use\n")
write("sim-scenario", "not-a-keyfile", "this is not\x00 a key file\n[")
