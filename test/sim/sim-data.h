/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The modem's side of its data port (docs/simulator.md, "Data path").
 *
 * A SimDataPort reads what the host transmits on the data netdev, decodes
 * QMAP per the data format negotiated through WDA, hands each packet to
 * the PDN session bound to its mux id (sim-data-echo.c plays the network)
 * and writes the answers back, aggregated up to the negotiated DL limits.
 *
 * Two kinds of port:
 *  - TUN: the simulator owns /dev/net/tun device IFNAME (IFF_TUN with
 *    packet info; every frame is {flags 0, be16 ETH_P_MAP} + QMAP). The
 *    host puts rmnet on IFNAME itself.
 *  - VETH: AF_PACKET bound to IFNAME, the peer of the veth the host puts
 *    rmnet on; frames are bare QMAP (no Ethernet header).
 *
 *  - MBIM_VETH: AF_PACKET bound to IFNAME, the peer of a veth playing a
 *    cdc_mbim netdev: Ethernet II frames carrying IP, an 802.1Q tag with
 *    VLAN id N (1..255) for MBIM session N, untagged (or VLAN 4094) for
 *    session 0, as cdc_mbim maps them. Answers go back on the same tag.
 *  - EXTERNAL: see below.
 *
 * The command-line module (--data-tun/--data-veth/--data-mbim-veth) is in sim-data.c; this
 * API also lets tests drive a port without main.
 */
#pragma once

#include <glib.h>

#include "sim-modem.h"

G_BEGIN_DECLS

typedef enum {
  SIM_DATA_PORT_TUN,
  SIM_DATA_PORT_VETH,
  /* Another transport moves the transfers (the USB gadget's bulk
   * endpoints): sim_data_port_new_external(), sim_data_port_input(). Frames
   * are bare QMAP, raw IP or, with the 802.3 link layer negotiated,
   * Ethernet II. */
  SIM_DATA_PORT_EXTERNAL,
  SIM_DATA_PORT_MBIM_VETH,
} SimDataPortKind;

typedef struct _SimDataPort SimDataPort;

/* Transport-level statistics (per-mux counters live in the engine). */
typedef struct {
  guint64 reads;           /* lower packets read (bursts) */
  guint64 frames;          /* QMAP frames decoded */
  guint64 bad_frames;      /* undecodable frames/bursts */
  guint64 foreign;         /* not QMAP (other PI protocol, own packets) */
  guint64 commands;        /* MAP command frames received */
  guint64 bursts;          /* downlink writes */
  guint64 burst_frames;    /* frames in those writes */
  guint64 write_errors;
} SimDataPortStats;

SimDataPort *sim_data_port_new  (SimModem        *modem,
                                 SimDataPortKind  kind,
                                 const gchar     *ifname,
                                 GError         **error);
void         sim_data_port_free (SimDataPort *port);

/* A downlink transfer for the host (external ports): @n_frames QMAP frames
 * aggregated, 0 for a bare IP or Ethernet packet. */
typedef void (*SimDataPortWriteFunc) (const guint8 *data, gsize len, guint n_frames,
                                      gpointer user_data);

SimDataPort *sim_data_port_new_external (SimModem             *modem,
                                         const gchar          *name,
                                         SimDataPortWriteFunc  write_func,
                                         gpointer              user_data);
/* One uplink transfer from the host (external ports). Bare IP and
 * Ethernet answers go out through the write function before this returns;
 * QMAP answers are queued for downlink aggregation and go out when the
 * negotiated DL limits (max datagrams, max size) fill a transfer or when
 * the transport calls sim_data_port_flush() (its endpoint is free). */
void         sim_data_port_input        (SimDataPort  *port,
                                         const guint8 *data,
                                         gsize         len);
/* QMAP frames queued for the next downlink transfer (external ports). */
guint        sim_data_port_get_queued   (SimDataPort  *port);
/* Sends the queued QMAP frames as one transfer (external ports). */
void         sim_data_port_flush        (SimDataPort  *port);

/* Sends a MAP command (SIM_QMAP_CMD_FLOW_*) for @mux_id to the host, framed
 * per the negotiated DL format. Fails when no QMAP format is negotiated. */
gboolean     sim_data_port_send_map_command (SimDataPort *port,
                                             guint8       mux_id,
                                             guint8       name,
                                             guint32      transaction_id,
                                             GError     **error);

const gchar            *sim_data_port_get_ifname (SimDataPort *port);
const SimDataPortStats *sim_data_port_get_stats  (SimDataPort *port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimDataPort, sim_data_port_free)

G_END_DECLS
