/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "sim-data"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <glib-unix.h>

#include "sim-data.h"
#include "sim-data-echo.h"
#include "sim-qmap.h"

#ifndef ETH_P_MAP
#define ETH_P_MAP 0x00F9
#endif
/* cdc_mbim: VLAN 4094 is session 0 as well (untagged is the usual form). */
#define MBIM_SESSION0_VID 4094
#define VLAN_HLEN 4

/* WDA data aggregation protocols (QmiWdaDataAggregationProtocol). */
#define DAP_NONE   0
#define DAP_QMAP   5
#define DAP_QMAPV4 8
#define DAP_QMAPV5 9

/* One read() at most; TUN and AF_PACKET hand out whole packets. */
#define MAX_LOWER_PACKET 65536
/* Reads handled per wake-up before yielding to the main loop. */
#define READ_BATCH 64

struct _SimDataPort {
  SimModem          *modem;
  SimDataPortKind    kind;
  gchar             *ifname;
  gint               fd;
  gint               ifindex;
  guint              source_id;
  SimQmapAggregator *agg;
  SimDataPortStats   stats;
  guint8            *buf;
  GByteArray        *scratch;
  /* External ports */
  SimDataPortWriteFunc write_func;
  gpointer           write_data;
  /* 802.3: the host's MAC (learnt from its frames) and the one it sends to. */
  guint8             host_mac[ETH_ALEN];
  guint8             modem_mac[ETH_ALEN];
};

static const gchar *
port_kind_name (SimDataPortKind kind)
{
  switch (kind) {
  case SIM_DATA_PORT_TUN:  return "tun";
  case SIM_DATA_PORT_VETH: return "veth";
  case SIM_DATA_PORT_MBIM_VETH: return "mbim-veth";
  default:                 return "external";
  }
}

/* A data port of a modem never talks IPv6 itself; keep the host kernel's
 * own link-local chatter off it (best effort: IPv6 may be disabled). */
static void
disable_ipv6 (const gchar *ifname)
{
  g_autofree gchar *path = g_strdup_printf ("/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
  gint fd = open (path, O_WRONLY | O_CLOEXEC);

  /* Not g_file_set_contents(): /proc files cannot be replaced by rename. */
  if (fd < 0 || write (fd, "1", 1) != 1)
    g_debug ("could not disable IPv6 on %s: %s", ifname, g_strerror (errno));
  if (fd >= 0)
    close (fd);
}

static gboolean
dap_to_version (guint32 dap, SimQmapVersion *version)
{
  switch (dap) {
  case DAP_QMAP:   *version = SIM_QMAP_VERSION_1; return TRUE;
  case DAP_QMAPV4: *version = SIM_QMAP_VERSION_4; return TRUE;
  case DAP_QMAPV5: *version = SIM_QMAP_VERSION_5; return TRUE;
  default:         return FALSE;
  }
}

static void
write_lower (SimDataPort *port, const guint8 *data, gsize len, guint n_frames)
{
  ssize_t n;

  if (port->kind == SIM_DATA_PORT_EXTERNAL) {
    port->write_func (data, len, n_frames, port->write_data);
    return;
  }
  if (port->kind == SIM_DATA_PORT_TUN) {
    guint8 pi[4] = { 0, 0, ETH_P_MAP >> 8, ETH_P_MAP & 0xff };
    struct iovec iov[2] = { { pi, sizeof (pi) }, { (void *) data, len } };

    n = writev (port->fd, iov, 2);
    if (n >= 0 && (gsize) n != len + sizeof (pi))
      n = -1;
  } else {
    guint8 padded[ETH_HLEN] = { 0 };

    /* The first 14 bytes travel as the "Ethernet header": the kernel
     * refuses shorter frames (a bare MAP command is 12). rmnet stops
     * de-aggregating at the zero tail. */
    if (len < ETH_HLEN) {
      memcpy (padded, data, len);
      data = padded;
      len = ETH_HLEN;
    }
    n = send (port->fd, data, len, 0);
    if (n >= 0 && (gsize) n != len)
      n = -1;
  }
  if (n < 0) {
    port->stats.write_errors++;
    sim_modem_log (port->modem, "data %s: downlink write of %" G_GSIZE_FORMAT " bytes failed: %s",
                   port->ifname, len, g_strerror (errno));
  }
}

static void
burst_ready (const guint8 *burst, gsize len, guint n_frames, gpointer user_data)
{
  SimDataPort *port = user_data;

  port->stats.bursts++;
  port->stats.burst_frames += n_frames;
  write_lower (port, burst, len, n_frames);
}

typedef struct {
  SimDataPort   *port;
  SimQmapVersion dl_version;
  gboolean       qmap;
  gboolean       eth;      /* 802.3 link layer: Ethernet II framing */
  gint           vlan;     /* with eth: the 802.1Q VLAN id to answer on, -1 untagged */
} FrameContext;

static void
deliver_packet (SimDataPort   *port,
                const FrameContext *ctx,
                guint8         mux_id,
                const guint8  *packet,
                gsize          len)
{
  SimSession *s4, *s6;
  SimEchoAddresses addrs = { NULL, NULL, 0 };
  SimMuxCounters *counters;
  g_autoptr(GByteArray) reply = NULL;
  SimEchoResult result;

  s4 = sim_modem_find_session_by_mux (port->modem, mux_id, 4);
  s6 = sim_modem_find_session_by_mux (port->modem, mux_id, 6);
  if (!s4 && !s6) {
    /* No PDN bound to this mux id: the modem has nowhere to send it. */
    (*sim_modem_get_unknown_mux_drops (port->modem))++;
    sim_modem_log (port->modem, "data %s: dropped %" G_GSIZE_FORMAT "-byte packet for mux %u without session",
                   port->ifname, len, mux_id);
    return;
  }
  if (s4)
    addrs.ipv4 = s4->ipv4_address;
  if (s6) {
    addrs.ipv6 = s6->ipv6_address;
    addrs.ipv6_prefix = s6->ipv6_prefix;
  }

  counters = sim_modem_get_mux_counters (port->modem, mux_id);
  result = sim_echo_answer (&addrs, packet, len, &reply);
  if (result == SIM_ECHO_NOT_OURS || result == SIM_ECHO_MALFORMED) {
    counters->ul_dropped++;
    sim_modem_log (port->modem, "data %s: mux %u dropped %" G_GSIZE_FORMAT "-byte packet (%s)",
                   port->ifname, mux_id, len, sim_echo_result_to_string (result));
    return;
  }
  counters->ul_packets++;
  counters->ul_bytes += len;
  if (result != SIM_ECHO_REPLIED)
    return;

  counters->dl_packets++;
  counters->dl_bytes += reply->len;
  if (ctx->qmap) {
    g_byte_array_set_size (port->scratch, 0);
    sim_qmap_append_packet (port->scratch, ctx->dl_version, SIM_QMAP_DIRECTION_DOWNLINK,
                            mux_id, reply->data, reply->len);
    sim_qmap_aggregator_add (port->agg, port->scratch->data, port->scratch->len);
  } else if (ctx->eth) {
    guint16 proto = (reply->data[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
    guint8 hdr[ETH_HLEN + VLAN_HLEN];
    gsize n = 12;

    memcpy (hdr, port->host_mac, ETH_ALEN);
    memcpy (hdr + ETH_ALEN, port->modem_mac, ETH_ALEN);
    if (ctx->vlan >= 0) {
      hdr[n++] = ETH_P_8021Q >> 8;
      hdr[n++] = ETH_P_8021Q & 0xff;
      hdr[n++] = (guint8) ((ctx->vlan >> 8) & 0x0f);
      hdr[n++] = (guint8) (ctx->vlan & 0xff);
    }
    hdr[n++] = proto >> 8;
    hdr[n++] = proto & 0xff;
    g_byte_array_prepend (reply, hdr, n);
    write_lower (port, reply->data, reply->len, 0);
  } else {
    write_lower (port, reply->data, reply->len, 0);
  }
}

static void
frame_cb (const SimQmapFrame *frame, gpointer user_data)
{
  FrameContext *ctx = user_data;
  SimDataPort *port = ctx->port;

  port->stats.frames++;
  if (frame->command) {
    /* Hosts only answer our (never sent) flow commands; log what came. */
    port->stats.commands++;
    sim_modem_log (port->modem, "data %s: MAP command name=%u type=%u tid=%u mux=%u",
                   port->ifname, frame->cmd_name, frame->cmd_type,
                   frame->cmd_transaction_id, frame->mux_id);
    return;
  }
  deliver_packet (port, ctx, frame->mux_id, frame->payload, frame->payload_len);
}

/* cdc_mbim's framing: Ethernet II with IP; the 802.1Q VLAN id is the MBIM
 * session (the kernel may have taken the tag out of the frame: @aux_vid,
 * -1 if not). */
static void
handle_mbim_frame (SimDataPort *port, const guint8 *data, gsize len, gint aux_vid)
{
  FrameContext ctx = { port, SIM_QMAP_VERSION_1, FALSE, TRUE, -1 };
  gsize off = 12;
  guint16 proto;
  gint vid = aux_vid;

  port->stats.reads++;
  if (len < ETH_HLEN) {
    port->stats.bad_frames++;
    return;
  }
  proto = (guint16) ((data[off] << 8) | data[off + 1]);
  if (proto == ETH_P_8021Q && vid < 0) {
    if (len < ETH_HLEN + VLAN_HLEN) {
      port->stats.bad_frames++;
      return;
    }
    vid = ((data[off + 2] << 8) | data[off + 3]) & 0x0fff;
    off += VLAN_HLEN;
    proto = (guint16) ((data[off] << 8) | data[off + 1]);
  }
  off += 2;
  /* Only IP travels on an MBIM session; session ids are one byte. */
  if ((proto != ETH_P_IP && proto != ETH_P_IPV6) ||
      (vid > 255 && vid != MBIM_SESSION0_VID)) {
    port->stats.foreign++;
    return;
  }
  memcpy (port->modem_mac, data, ETH_ALEN);
  memcpy (port->host_mac, data + ETH_ALEN, ETH_ALEN);
  ctx.vlan = vid;
  port->stats.frames++;
  deliver_packet (port, &ctx, vid < 0 || vid == MBIM_SESSION0_VID ? 0 : (guint8) vid,
                  data + off, len - off);
}

/* One frame from the AF_PACKET socket, with the VLAN tag the kernel may
 * have moved out of the frame (PACKET_AUXDATA). */
static ssize_t
recv_packet (SimDataPort *port, gint *aux_vid)
{
  struct sockaddr_ll from;
  union { struct cmsghdr align; guint8 buf[CMSG_SPACE (sizeof (struct tpacket_auxdata))]; } control;
  struct iovec iov = { port->buf, MAX_LOWER_PACKET };
  struct msghdr msg = { &from, sizeof (from), &iov, 1, control.buf, sizeof (control.buf), 0 };
  struct cmsghdr *cmsg;
  ssize_t n = recvmsg (port->fd, &msg, 0);

  *aux_vid = -1;
  if (n < 0)
    return n;
  /* AF_PACKET also shows what we transmit ourselves. */
  if (from.sll_pkttype == PACKET_OUTGOING) {
    port->stats.foreign++;
    return 0;
  }
  for (cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg)) {
    struct tpacket_auxdata aux;

    if (cmsg->cmsg_level != SOL_PACKET || cmsg->cmsg_type != PACKET_AUXDATA)
      continue;
    memcpy (&aux, CMSG_DATA (cmsg), sizeof (aux));
    if (aux.tp_status & TP_STATUS_VLAN_VALID)
      *aux_vid = aux.tp_vlan_tci & 0x0fff;
  }
  return n;
}

static void
handle_lower_packet (SimDataPort *port, const guint8 *data, gsize len)
{
  const SimDataFormat *format = sim_modem_get_data_format (port->modem);
  FrameContext ctx = { port, SIM_QMAP_VERSION_1, FALSE, FALSE, -1 };
  SimQmapVersion ul_version;
  g_autoptr(GError) error = NULL;

  port->stats.reads++;
  if (!dap_to_version (format->ul_dap, &ul_version) && port->kind == SIM_DATA_PORT_EXTERNAL &&
      format->llp != 2 /* raw-IP */) {
    guint16 proto;

    /* 802.3 (the default before any WDA Set): Ethernet II frames; qmi_wwan
     * sets IFF_NOARP, so only IP travels. */
    if (len < ETH_HLEN) {
      port->stats.bad_frames++;
      return;
    }
    proto = (guint16) ((data[12] << 8) | data[13]);
    if (proto != ETH_P_IP && proto != ETH_P_IPV6) {
      port->stats.foreign++;
      return;
    }
    memcpy (port->modem_mac, data, ETH_ALEN);
    memcpy (port->host_mac, data + ETH_ALEN, ETH_ALEN);
    ctx.eth = TRUE;
    port->stats.frames++;
    deliver_packet (port, &ctx, 0, data + ETH_HLEN, len - ETH_HLEN);
    return;
  }
  if (!dap_to_version (format->ul_dap, &ul_version)) {
    /* No QMAP negotiated: one bare IP packet per lower packet, for the
     * session that is not multiplexed (mux id 0). */
    deliver_packet (port, &ctx, 0, data, len);
    return;
  }
  ctx.qmap = TRUE;
  if (!dap_to_version (format->dl_dap, &ctx.dl_version))
    ctx.dl_version = ul_version;
  sim_qmap_aggregator_set_limits (port->agg, format->dl_max_datagrams, format->dl_max_size);

  sim_qmap_deaggregate (ul_version, SIM_QMAP_DIRECTION_UPLINK, data, len, frame_cb, &ctx, &error);
  if (error) {
    port->stats.bad_frames++;
    sim_modem_log (port->modem, "data %s: bad QMAP burst of %" G_GSIZE_FORMAT " bytes: %s",
                   port->ifname, len, error->message);
  }
}

static gboolean
lower_readable (gint fd, GIOCondition condition, gpointer user_data)
{
  SimDataPort *port = user_data;
  guint i;

  for (i = 0; i < READ_BATCH; i++) {
    ssize_t n;

    if (port->kind == SIM_DATA_PORT_TUN) {
      n = read (fd, port->buf, MAX_LOWER_PACKET);
      if (n < 0)
        break;
      /* Packet info: u16 flags, be16 protocol. Only rmnet's traffic. */
      if (n < 4 || ((port->buf[2] << 8) | port->buf[3]) != ETH_P_MAP) {
        port->stats.foreign++;
        continue;
      }
      handle_lower_packet (port, port->buf + 4, (gsize) n - 4);
    } else if (port->kind == SIM_DATA_PORT_MBIM_VETH) {
      gint vid;

      n = recv_packet (port, &vid);
      if (n < 0)
        break;
      if (n > 0)
        handle_mbim_frame (port, port->buf, (gsize) n, vid);
    } else {
      struct sockaddr_ll from;
      socklen_t from_len = sizeof (from);

      n = recvfrom (fd, port->buf, MAX_LOWER_PACKET, 0, (struct sockaddr *) &from, &from_len);
      if (n < 0)
        break;
      /* AF_PACKET also shows what we transmit ourselves. */
      if (from.sll_pkttype == PACKET_OUTGOING) {
        port->stats.foreign++;
        continue;
      }
      handle_lower_packet (port, port->buf, (gsize) n);
    }
  }
  /* Replies to one batch of uplink traffic go out as bursts. */
  sim_qmap_aggregator_flush (port->agg);

  if (i == 0 && errno != EAGAIN && errno != EINTR) {
    sim_modem_log (port->modem, "data %s: read failed: %s; port closed",
                   port->ifname, g_strerror (errno));
    port->source_id = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gint
open_tun (const gchar *ifname, GError **error)
{
  struct ifreq ifr;
  gint fd;

  fd = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot open /dev/net/tun: %s", g_strerror (errno));
    return -1;
  }
  memset (&ifr, 0, sizeof (ifr));
  /* With packet info: a TUN without it rejects non-IP writes (QMAP). */
  ifr.ifr_flags = IFF_TUN;
  g_strlcpy (ifr.ifr_name, ifname, sizeof (ifr.ifr_name));
  if (ioctl (fd, TUNSETIFF, &ifr) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot create tun %s: %s", ifname, g_strerror (errno));
    close (fd);
    return -1;
  }
  return fd;
}

static gint
open_packet (const gchar *ifname, gint *ifindex, GError **error)
{
  struct sockaddr_ll addr;
  gint fd;

  *ifindex = (gint) if_nametoindex (ifname);
  if (*ifindex == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "no network interface %s", ifname);
    return -1;
  }
  fd = socket (AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons (ETH_P_ALL));
  if (fd < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot open AF_PACKET socket: %s", g_strerror (errno));
    return -1;
  }
  memset (&addr, 0, sizeof (addr));
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons (ETH_P_ALL);
  addr.sll_ifindex = *ifindex;
  if (bind (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot bind AF_PACKET to %s: %s", ifname, g_strerror (errno));
    close (fd);
    return -1;
  }
  return fd;
}

SimDataPort *
sim_data_port_new (SimModem        *modem,
                   SimDataPortKind  kind,
                   const gchar     *ifname,
                   GError         **error)
{
  SimDataPort *port;
  gint ifindex = 0;
  gint fd;

  if (!ifname || !*ifname || strlen (ifname) >= IFNAMSIZ) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "invalid interface name '%s'", ifname ? ifname : "");
    return NULL;
  }
  fd = kind == SIM_DATA_PORT_TUN ? open_tun (ifname, error) : open_packet (ifname, &ifindex, error);
  if (fd < 0)
    return NULL;
  if (kind == SIM_DATA_PORT_MBIM_VETH) {
    gint on = 1;

    /* The VLAN tag of a frame whose tag the kernel took out. */
    if (setsockopt (fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof (on)) < 0) {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot enable PACKET_AUXDATA on %s: %s", ifname, g_strerror (errno));
      close (fd);
      return NULL;
    }
  }
  disable_ipv6 (ifname);

  port = g_new0 (SimDataPort, 1);
  port->modem = modem;
  port->kind = kind;
  port->ifname = g_strdup (ifname);
  port->fd = fd;
  port->ifindex = ifindex;
  port->buf = g_malloc (MAX_LOWER_PACKET);
  port->scratch = g_byte_array_new ();
  port->agg = sim_qmap_aggregator_new (1, 0, burst_ready, port);
  port->source_id = g_unix_fd_add (fd, G_IO_IN, lower_readable, port);
  sim_modem_log (modem, "data: serving %s port %s", port_kind_name (kind), ifname);
  return port;
}

SimDataPort *
sim_data_port_new_external (SimModem             *modem,
                            const gchar          *name,
                            SimDataPortWriteFunc  write_func,
                            gpointer              user_data)
{
  SimDataPort *port = g_new0 (SimDataPort, 1);

  port->modem = modem;
  port->kind = SIM_DATA_PORT_EXTERNAL;
  port->ifname = g_strdup (name);
  port->fd = -1;
  port->scratch = g_byte_array_new ();
  port->agg = sim_qmap_aggregator_new (1, 0, burst_ready, port);
  port->write_func = write_func;
  port->write_data = user_data;
  sim_modem_log (modem, "data: serving external port %s", name);
  return port;
}

void
sim_data_port_input (SimDataPort *port, const guint8 *data, gsize len)
{
  /* The transport flushes: replies to several uplink transfers may share
   * a downlink one. */
  handle_lower_packet (port, data, len);
}

guint
sim_data_port_get_queued (SimDataPort *port)
{
  return sim_qmap_aggregator_get_queued (port->agg);
}

void
sim_data_port_flush (SimDataPort *port)
{
  sim_qmap_aggregator_flush (port->agg);
}

void
sim_data_port_free (SimDataPort *port)
{
  if (!port)
    return;
  if (port->source_id)
    g_source_remove (port->source_id);
  if (port->fd >= 0)
    close (port->fd);
  sim_qmap_aggregator_free (port->agg);
  g_byte_array_unref (port->scratch);
  g_free (port->buf);
  g_free (port->ifname);
  g_free (port);
}

const gchar *
sim_data_port_get_ifname (SimDataPort *port)
{
  return port->ifname;
}

const SimDataPortStats *
sim_data_port_get_stats (SimDataPort *port)
{
  return &port->stats;
}

/* ------------------------------------------------------------------------ */
/* Command-line module: --data-tun / --data-veth                            */

static gchar **opt_tun;
static gchar **opt_veth;
static gchar **opt_mbim_veth;
static GPtrArray *ports;

static GOptionEntry data_entries[] = {
  { "data-tun", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_tun,
    "Own TUN device IFNAME as the QMAP data port (repeatable)", "IFNAME" },
  { "data-veth", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_veth,
    "Serve QMAP on existing interface IFNAME via AF_PACKET (veth peer; repeatable)", "IFNAME" },
  { "data-mbim-veth", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_mbim_veth,
    "Serve MBIM sessions as cdc_mbim does on existing interface IFNAME (veth peer): "
    "802.1Q VLAN id = session id, untagged = session 0 (repeatable)", "IFNAME" },
  { NULL }
};

static gboolean
data_enabled (void)
{
  return (opt_tun && opt_tun[0]) || (opt_veth && opt_veth[0]) ||
         (opt_mbim_veth && opt_mbim_veth[0]);
}

static gboolean
data_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  guint i;

  for (i = 0; ports && i < ports->len; i++) {
    SimDataPort *port = g_ptr_array_index (ports, i);
    const SimDataPortStats *s = &port->stats;

    g_string_append_printf (out,
                            "port %s kind=%s reads=%" G_GUINT64_FORMAT " frames=%" G_GUINT64_FORMAT
                            " bad=%" G_GUINT64_FORMAT " foreign=%" G_GUINT64_FORMAT
                            " commands=%" G_GUINT64_FORMAT " bursts=%" G_GUINT64_FORMAT
                            " burst-frames=%" G_GUINT64_FORMAT " write-errors=%" G_GUINT64_FORMAT "\n",
                            port->ifname, port_kind_name (port->kind), s->reads, s->frames,
                            s->bad_frames, s->foreign, s->commands, s->bursts, s->burst_frames,
                            s->write_errors);
  }
  g_string_append_printf (out, "unknown-mux-drops %" G_GUINT64_FORMAT "\n",
                          *sim_modem_get_unknown_mux_drops (modem));
  return TRUE;
}

gboolean
sim_data_port_send_map_command (SimDataPort *port,
                                guint8       mux_id,
                                guint8       name,
                                guint32      transaction_id,
                                GError     **error)
{
  const SimDataFormat *format = sim_modem_get_data_format (port->modem);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  SimQmapVersion dl_version;

  if (!dap_to_version (format->dl_dap, &dl_version)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no QMAP data format negotiated");
    return FALSE;
  }
  sim_qmap_append_command (frame, mux_id, name, SIM_QMAP_CMD_TYPE_REQUEST, transaction_id, NULL, 0);
  /* With MAPv4 every downlink frame carries a trailer, commands too. */
  if (dl_version == SIM_QMAP_VERSION_4) {
    static const guint8 no_csum[SIM_QMAP_V4_DL_TRAILER_SIZE] = { 0 };
    g_byte_array_append (frame, no_csum, sizeof (no_csum));
  }
  write_lower (port, frame->data, frame->len, 1);
  sim_modem_log (port->modem, "data %s: sent MAP command %u for mux %u (tid %u)",
                 port->ifname, name, mux_id, transaction_id);
  return TRUE;
}

/* "map-command MUX flow-disable|flow-enable": the modem asks the host to
 * stop/resume sending on a mux (rmnet acts on it only with
 * INGRESS_MAP_COMMANDS and answers with an ACK, logged when it arrives). */
static gboolean
map_command_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  static guint32 transaction_id;
  guint64 mux;
  guint8 name;
  guint i;

  if (!argv[1] || !argv[2] || !g_ascii_string_to_unsigned (argv[1], 10, 0, 254, &mux, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "usage: map-command MUX flow-disable|flow-enable");
    return FALSE;
  }
  if (g_str_equal (argv[2], "flow-disable"))
    name = SIM_QMAP_CMD_FLOW_DISABLE;
  else if (g_str_equal (argv[2], "flow-enable"))
    name = SIM_QMAP_CMD_FLOW_ENABLE;
  else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown MAP command '%s'", argv[2]);
    return FALSE;
  }
  transaction_id++;
  for (i = 0; ports && i < ports->len; i++) {
    SimDataPort *port = g_ptr_array_index (ports, i);

    if (!sim_data_port_send_map_command (port, (guint8) mux, name, transaction_id, error))
      return FALSE;
    g_string_append_printf (out, "sent %s mux %u tid %u on %s\n", argv[2], (guint) mux, transaction_id, port->ifname);
  }
  return TRUE;
}

static gboolean
data_start (SimModem *modem, GError **error)
{
  guint i;

  ports = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_data_port_free);
  for (i = 0; opt_tun && opt_tun[i]; i++) {
    SimDataPort *port = sim_data_port_new (modem, SIM_DATA_PORT_TUN, opt_tun[i], error);
    if (!port)
      return FALSE;
    g_ptr_array_add (ports, port);
  }
  for (i = 0; opt_veth && opt_veth[i]; i++) {
    SimDataPort *port = sim_data_port_new (modem, SIM_DATA_PORT_VETH, opt_veth[i], error);
    if (!port)
      return FALSE;
    g_ptr_array_add (ports, port);
  }
  for (i = 0; opt_mbim_veth && opt_mbim_veth[i]; i++) {
    SimDataPort *port = sim_data_port_new (modem, SIM_DATA_PORT_MBIM_VETH, opt_mbim_veth[i], error);
    if (!port)
      return FALSE;
    g_ptr_array_add (ports, port);
  }
  sim_modem_add_control_command (modem, "data", "data ports: transport statistics",
                                 data_control, NULL);
  sim_modem_add_control_command (modem, "map-command", "map-command MUX flow-disable|flow-enable: MAP flow control to the host",
                                 map_command_control, NULL);
  return TRUE;
}

static void
data_stop (SimModem *modem)
{
  g_clear_pointer (&ports, g_ptr_array_unref);
  g_clear_pointer (&opt_tun, g_strfreev);
  g_clear_pointer (&opt_veth, g_strfreev);
  g_clear_pointer (&opt_mbim_veth, g_strfreev);
}

static const SimModule data_module = {
  .name = "data",
  .entries = data_entries,
  .enabled = data_enabled,
  .start = data_start,
  .stop = data_stop,
};
SIM_DEFINE_MODULE (data_module)
