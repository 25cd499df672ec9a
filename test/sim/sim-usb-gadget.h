/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * modemux-sim --usb-gadget NAME: the simulated modem as a USB device
 * (docs/testing.md, "The simulated USB modem").
 *
 * Through configfs and FunctionFS the simulator presents a Quectel EC25
 * (2c7c:0125) on a USB device controller (the VM's dummy_hcd loops it back
 * to its own host side), so that the real qmi_wwan and cdc-wdm drivers bind
 * it: interfaces 0-3 are endpoint-less vendor placeholders (the EC25's
 * DIAG/NMEA/AT/modem functions, which this simulator does not serve) and
 * interface 4 (ff/ff/ff) carries QMI:
 *  - ep0: SEND_ENCAPSULATED_COMMAND / GET_ENCAPSULATED_RESPONSE (CDC) move
 *    QMUX messages to and from the engine (sim-qmux.c, message channel);
 *  - interrupt IN: RESPONSE_AVAILABLE, one per queued message;
 *  - bulk OUT / bulk IN: the data port (sim-data.c, external kind), 802.3,
 *    raw IP or QMAP as negotiated through WDA.
 * Endpoint I/O is asynchronous (Linux AIO on the FunctionFS endpoint
 * files, completions on an eventfd in the main loop).
 *
 * The module registers the control commands "usb" (state and counters),
 * "usb-unplug" and "usb-plug" (unbind/bind the gadget from its UDC).
 */
#pragma once

/* The module is self-registering (SIM_DEFINE_MODULE); nothing to call. */
