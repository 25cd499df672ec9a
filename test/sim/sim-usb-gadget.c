/* SPDX-License-Identifier: GPL-2.0-or-later */
/* modemux-sim: the simulated modem as a USB device through configfs and
 * FunctionFS, for the real qmi_wwan/cdc-wdm drivers (sim-usb-gadget.h). */
#define G_LOG_DOMAIN "sim-usb"
#define _GNU_SOURCE

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/aio_abi.h>
#include <linux/usb/cdc.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include <glib-unix.h>

#include "sim-usb-gadget.h"
#include "sim-data.h"
#include "sim-modem.h"
#include "sim-qmux.h"

/* What a Quectel EC25 shows (lsusb of the real device): QMI on interface
 * 4, behind four vendor functions (DIAG, NMEA, AT, modem). */
#define GADGET_VID        0x2c7c
#define GADGET_PID        0x0125
#define GADGET_BCD_DEVICE 0x0318
#define QMI_INTERFACE     4
#define N_PLACEHOLDERS    QMI_INTERFACE

#define CONFIGFS_ROOT     "/sys/kernel/config"
/* cdc-wdm asks for at most wMaxCommand (4096 with qmi_wwan) per response. */
#define MAX_QMUX_MESSAGE  4096
/* One bulk OUT transfer: rmnet/qmimux uplink aggregates stay far below. */
#define OUT_BUFFER        65536
#define OUT_READS         4
#define MAX_IN_FLIGHT     256

typedef struct _Gadget Gadget;

typedef struct {
  Gadget     *gadget;
  const char *name;
  gint        fd;
  gboolean    in;
  guint       in_flight;
  guint64     transfers, bytes, errors, dropped;
} Ep;

typedef struct {
  Ep         *ep;
  struct iocb iocb;
  guint8     *buf;
  gsize       len;
} Xfer;

struct _Gadget {
  SimModem      *modem;
  gchar         *name;
  gchar         *dir;            /* configfs gadget directory */
  gchar         *ffs_dir;        /* FunctionFS mount point */
  gchar         *udc;
  gboolean       configfs_made;  /* the directories below dir exist */
  gboolean       mounted;
  gboolean       bound;          /* our UDC file names the controller */
  gboolean       enabled;        /* the host configured us (FUNCTIONFS_ENABLE) */
  gint           ep0;
  guint          ep0_id;
  Ep             notify, bulk_in, bulk_out;
  aio_context_t  aio;
  GHashTable    *xfers;          /* Xfer* queued in the kernel */
  gint           evfd;
  guint          evfd_id;
  gint           qmux_fd;        /* our end of the QMUX message channel */
  guint          qmux_id;
  SimQmux       *qmux;
  SimDataPort   *data;
  GQueue         responses;      /* GBytes*, QMUX messages for the host */
  guint64        commands, responses_sent, empty_responses, notifications, stalls,
                 enables, disables;
  /* Downlink aggregation: QMAP frames wait while an IN transfer is in
   * flight, or until dl_hold are queued (ctl usb-dl-hold N; 0: no hold). */
  guint          dl_hold;
  guint64        dl_transfers, dl_frames, dl_multi_frame;
  guint          dl_max_frames;
};

static gchar  *opt_gadget;
static gchar  *opt_udc;
static Gadget *the_gadget;

/* ---------------------------------------------------------------------- */
/* Linux AIO (FunctionFS endpoints have no poll; AIO is their async API)  */

static long
aio_setup (unsigned nr, aio_context_t *ctx)
{
  return syscall (SYS_io_setup, nr, ctx);
}

static long
aio_destroy (aio_context_t ctx)
{
  return syscall (SYS_io_destroy, ctx);
}

static long
aio_submit (aio_context_t ctx, long n, struct iocb **iocbs)
{
  return syscall (SYS_io_submit, ctx, n, iocbs);
}

static long
aio_getevents (aio_context_t ctx, long min_nr, long nr, struct io_event *events)
{
  struct timespec zero = { 0, 0 };

  return syscall (SYS_io_getevents, ctx, min_nr, nr, events, &zero);
}

static void
xfer_free (Xfer *x)
{
  g_free (x->buf);
  g_free (x);
}

/* Queues a transfer on @ep; takes @buf. FALSE (and @buf freed) when the
 * endpoint is not enabled or the kernel refused it. */
static gboolean
ep_submit (Ep *ep, guint8 *buf, gsize len)
{
  Gadget *g = ep->gadget;
  Xfer *x;
  struct iocb *iocbs[1];

  if (!g->enabled || ep->fd < 0 || ep->in_flight >= MAX_IN_FLIGHT) {
    ep->dropped++;
    g_free (buf);
    return FALSE;
  }
  x = g_new0 (Xfer, 1);
  x->ep = ep;
  x->buf = buf;
  x->len = len;
  x->iocb.aio_data = (guint64) (guintptr) x;
  x->iocb.aio_lio_opcode = ep->in ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
  x->iocb.aio_fildes = (guint32) ep->fd;
  x->iocb.aio_buf = (guint64) (guintptr) buf;
  x->iocb.aio_nbytes = len;
  x->iocb.aio_flags = IOCB_FLAG_RESFD;
  x->iocb.aio_resfd = (guint32) g->evfd;
  iocbs[0] = &x->iocb;
  if (aio_submit (g->aio, 1, iocbs) != 1) {
    /* EAGAIN: the endpoint was disabled under us (unplug). */
    if (errno != EAGAIN)
      sim_modem_log (g->modem, "usb %s: cannot queue a transfer: %s", ep->name, g_strerror (errno));
    ep->errors++;
    xfer_free (x);
    return FALSE;
  }
  g_hash_table_add (g->xfers, x);
  ep->in_flight++;
  return TRUE;
}

static void dl_kick (Gadget *g);

static void
arm_reads (Gadget *g)
{
  while (g->enabled && g->bulk_out.in_flight < OUT_READS)
    if (!ep_submit (&g->bulk_out, g_malloc (OUT_BUFFER), OUT_BUFFER))
      break;
}

static void
xfer_done (Xfer *x, gint64 res)
{
  Ep *ep = x->ep;
  Gadget *g = ep->gadget;

  ep->in_flight--;
  g_hash_table_steal (g->xfers, x);
  if (res < 0) {
    /* ESHUTDOWN: the endpoint was disabled (unplug, host reset). */
    if (res != -ESHUTDOWN)
      sim_modem_log (g->modem, "usb %s: transfer failed: %s", ep->name, g_strerror ((gint) -res));
    ep->errors++;
  } else {
    ep->transfers++;
    ep->bytes += (guint64) res;
    if (!ep->in)
      sim_data_port_input (g->data, x->buf, (gsize) res);
  }
  xfer_free (x);
  if (!ep->in)
    arm_reads (g);
  if (ep != &g->notify)
    dl_kick (g);
}

static gboolean
aio_ready_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Gadget *g = user_data;
  struct io_event events[32];
  guint64 count;
  long n;

  if (read (fd, &count, sizeof count) < 0 && errno != EAGAIN)
    sim_modem_log (g->modem, "usb: eventfd read failed: %s", g_strerror (errno));
  while ((n = aio_getevents (g->aio, 0, G_N_ELEMENTS (events), events)) > 0)
    for (long i = 0; i < n; i++)
      xfer_done ((Xfer *) (guintptr) events[i].data, events[i].res);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* Data plane and notifications                                           */

/* The queued QMAP frames go out as one transfer once the bulk IN endpoint
 * is free (a modem's DL aggregation: what arrives while a transfer is on
 * the bus shares the next one), or once the hold is reached; the data port
 * emits a transfer by itself when the negotiated limits are full. */
static void
dl_kick (Gadget *g)
{
  guint queued = sim_data_port_get_queued (g->data);

  if (queued == 0)
    return;
  if (g->dl_hold ? queued < g->dl_hold : g->bulk_in.in_flight > 0)
    return;
  sim_data_port_flush (g->data);
}

static void
data_write_cb (const guint8 *data, gsize len, guint n_frames, gpointer user_data)
{
  Gadget *g = user_data;
  /* A transfer of a whole number of max-size packets would need a
   * zero-length packet to end, and the host would otherwise merge it with
   * the next one: one zero byte more is dropped by every consumer (IP
   * trims to its total length, rmnet and qmimux stop at a short tail). */
  gsize padded = len % 64 == 0 ? len + 1 : len;
  guint8 *buf = g_malloc0 (padded);

  memcpy (buf, data, len);
  if (!ep_submit (&g->bulk_in, buf, padded))
    return; /* counted as dropped */
  g->dl_transfers++;
  g->dl_frames += n_frames;
  if (n_frames > 1)
    g->dl_multi_frame++;
  g->dl_max_frames = MAX (g->dl_max_frames, n_frames);
}

static void
notify_response_available (Gadget *g)
{
  struct usb_cdc_notification *n = g_new0 (struct usb_cdc_notification, 1);

  n->bmRequestType = USB_DIR_IN | USB_TYPE_CLASS | USB_RECIP_INTERFACE;
  n->bNotificationType = USB_CDC_NOTIFY_RESPONSE_AVAILABLE;
  n->wIndex = htole16 (QMI_INTERFACE);
  if (ep_submit (&g->notify, (guint8 *) n, sizeof *n))
    g->notifications++;
}

/* The engine answered (or indicated): queue it for the host's next
 * GET_ENCAPSULATED_RESPONSE and tell it through the interrupt endpoint. */
static gboolean
qmux_readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Gadget *g = user_data;
  guint8 buf[MAX_QMUX_MESSAGE * 2];
  ssize_t n;

  while ((n = recv (fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
    if (!g->enabled)
      continue; /* nobody on the bus: lost, like on a real unplug */
    if (n > MAX_QMUX_MESSAGE)
      sim_modem_log (g->modem, "usb: %zd-byte QMUX message exceeds the host's %u-byte buffer",
                     n, MAX_QMUX_MESSAGE);
    g_queue_push_tail (&g->responses, g_bytes_new (buf, (gsize) n));
    notify_response_available (g);
  }
  return G_SOURCE_CONTINUE;
}

static void
drop_responses (Gadget *g)
{
  GBytes *b;

  while ((b = g_queue_pop_head (&g->responses)))
    g_bytes_unref (b);
}

/* ---------------------------------------------------------------------- */
/* ep0                                                                    */

static void
ep0_status (Gadget *g, const struct usb_ctrlrequest *setup, gboolean ok)
{
  guint8 dummy = 0;

  /* FunctionFS: a transfer in the request's direction completes the
   * status stage, one against it stalls. */
  if ((setup->bRequestType & USB_DIR_IN) ? ok : !ok) {
    if (write (g->ep0, &dummy, 0) < 0 && ok)
      sim_modem_log (g->modem, "usb ep0: status failed: %s", g_strerror (errno));
  } else {
    if (read (g->ep0, &dummy, 0) < 0 && ok)
      sim_modem_log (g->modem, "usb ep0: status failed: %s", g_strerror (errno));
  }
  if (!ok)
    g->stalls++;
}

static void
handle_setup (Gadget *g, const struct usb_ctrlrequest *setup)
{
  guint16 w_length = le16toh (setup->wLength);
  guint8 type = setup->bRequestType & (USB_TYPE_MASK | USB_DIR_IN);

  if (type == (USB_TYPE_CLASS | USB_DIR_OUT) && setup->bRequest == USB_CDC_SEND_ENCAPSULATED_COMMAND) {
    guint8 buf[MAX_QMUX_MESSAGE];
    ssize_t n = read (g->ep0, buf, MIN (w_length, sizeof buf));

    if (n < 0) {
      sim_modem_log (g->modem, "usb ep0: encapsulated command lost: %s", g_strerror (errno));
      return;
    }
    g->commands++;
    if (send (g->qmux_fd, buf, (gsize) n, MSG_DONTWAIT) < 0)
      sim_modem_log (g->modem, "usb: QMUX channel write failed: %s", g_strerror (errno));
    return;
  }
  if (type == (USB_TYPE_CLASS | USB_DIR_IN) && setup->bRequest == USB_CDC_GET_ENCAPSULATED_RESPONSE) {
    GBytes *b = g_queue_pop_head (&g->responses);
    guint8 none = 0;
    gsize len = 0;
    const guint8 *data = b ? g_bytes_get_data (b, &len) : &none;

    /* Nothing queued: a zero-length answer, as a modem gives. */
    if (write (g->ep0, data, MIN (len, w_length)) < 0)
      sim_modem_log (g->modem, "usb ep0: encapsulated response lost: %s", g_strerror (errno));
    if (b)
      g->responses_sent++;
    else
      g->empty_responses++;
    g_clear_pointer (&b, g_bytes_unref);
    return;
  }
  if (type == (USB_TYPE_CLASS | USB_DIR_OUT) && setup->bRequest == USB_CDC_REQ_SET_CONTROL_LINE_STATE &&
      w_length == 0) {
    /* qmi_wwan's DTR quirk (it raises DTR on open): accepted. */
    ep0_status (g, setup, TRUE);
    return;
  }
  sim_modem_log (g->modem, "usb ep0: unsupported request type=0x%02x request=0x%02x: stall",
                 setup->bRequestType, setup->bRequest);
  ep0_status (g, setup, FALSE);
}

static void
host_gone (Gadget *g)
{
  /* The host lost us: whatever it had asked for is gone with the modem's
   * power (the engine drops every client and its sessions). */
  g->enabled = FALSE;
  drop_responses (g);
  sim_data_port_flush (g->data); /* dropped: the endpoint is gone */
  sim_qmux_reset (g->qmux);
}

static gboolean
ep0_readable_cb (gint fd, GIOCondition cond, gpointer user_data)
{
  Gadget *g = user_data;
  struct usb_functionfs_event events[4];
  ssize_t n;

  /* A SETUP is always the last event of a read: its data stage follows. */
  while ((n = read (fd, events, sizeof events)) > 0) {
    for (guint i = 0; i < (gsize) n / sizeof events[0]; i++) {
      switch (events[i].type) {
      case FUNCTIONFS_BIND:
        sim_modem_log (g->modem, "usb: bound to the controller");
        break;
      case FUNCTIONFS_UNBIND:
        sim_modem_log (g->modem, "usb: unbound from the controller");
        host_gone (g);
        break;
      case FUNCTIONFS_ENABLE:
        g->enables++;
        g->enabled = TRUE;
        sim_modem_log (g->modem, "usb: configured by the host");
        arm_reads (g);
        break;
      case FUNCTIONFS_DISABLE:
        g->disables++;
        sim_modem_log (g->modem, "usb: deconfigured");
        host_gone (g);
        break;
      case FUNCTIONFS_SETUP:
        handle_setup (g, &events[i].u.setup);
        break;
      default: /* suspend/resume: nothing to do */
        break;
      }
    }
  }
  if (n < 0 && errno != EAGAIN && errno != EINTR) {
    sim_modem_log (g->modem, "usb ep0: read failed: %s", g_strerror (errno));
    g->ep0_id = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* Descriptors                                                            */

typedef struct {
  struct usb_interface_descriptor         placeholder[N_PLACEHOLDERS];
  struct usb_interface_descriptor         qmi;
  struct usb_endpoint_descriptor_no_audio notify, in, out;
} __attribute__ ((packed)) SpeedDescs;

typedef struct {
  struct usb_functionfs_descs_head_v2 header;
  __le32                              fs_count;
  __le32                              hs_count;
  SpeedDescs                          fs, hs;
} __attribute__ ((packed)) Descriptors;

#define DESCS_PER_SPEED (N_PLACEHOLDERS + 4)

static void
fill_speed (SpeedDescs *d, guint16 bulk_size, guint8 notify_interval)
{
  for (guint i = 0; i < N_PLACEHOLDERS; i++) {
    d->placeholder[i].bLength = USB_DT_INTERFACE_SIZE;
    d->placeholder[i].bDescriptorType = USB_DT_INTERFACE;
    d->placeholder[i].bInterfaceNumber = (guint8) i;
    /* ff/00/00: the option driver's serial functions; none of our drivers
     * match it, and qmi_wwan matches only ff/ff/ff. */
    d->placeholder[i].bInterfaceClass = USB_CLASS_VENDOR_SPEC;
  }
  d->qmi.bLength = USB_DT_INTERFACE_SIZE;
  d->qmi.bDescriptorType = USB_DT_INTERFACE;
  d->qmi.bInterfaceNumber = QMI_INTERFACE;
  /* Three endpoints: qmi_wwan skips ff/ff/ff interfaces with two (DIAG). */
  d->qmi.bNumEndpoints = 3;
  d->qmi.bInterfaceClass = USB_CLASS_VENDOR_SPEC;
  d->qmi.bInterfaceSubClass = 0xff;
  d->qmi.bInterfaceProtocol = 0xff;

  d->notify.bLength = USB_DT_ENDPOINT_SIZE;
  d->notify.bDescriptorType = USB_DT_ENDPOINT;
  d->notify.bEndpointAddress = 1 | USB_DIR_IN;
  d->notify.bmAttributes = USB_ENDPOINT_XFER_INT;
  d->notify.wMaxPacketSize = htole16 (8);
  d->notify.bInterval = notify_interval;

  d->in.bLength = USB_DT_ENDPOINT_SIZE;
  d->in.bDescriptorType = USB_DT_ENDPOINT;
  d->in.bEndpointAddress = 2 | USB_DIR_IN;
  d->in.bmAttributes = USB_ENDPOINT_XFER_BULK;
  d->in.wMaxPacketSize = htole16 (bulk_size);

  d->out.bLength = USB_DT_ENDPOINT_SIZE;
  d->out.bDescriptorType = USB_DT_ENDPOINT;
  d->out.bEndpointAddress = 3 | USB_DIR_OUT;
  d->out.bmAttributes = USB_ENDPOINT_XFER_BULK;
  d->out.wMaxPacketSize = htole16 (bulk_size);
}

static gboolean
write_descriptors (Gadget *g, GError **error)
{
  Descriptors d;
  struct usb_functionfs_strings_head s;

  memset (&d, 0, sizeof d);
  d.header.magic = htole32 (FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
  d.header.length = htole32 (sizeof d);
  d.header.flags = htole32 (FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
  d.fs_count = htole32 (DESCS_PER_SPEED);
  d.hs_count = htole32 (DESCS_PER_SPEED);
  /* Short notification intervals: every QMI answer waits for one. */
  fill_speed (&d.fs, 64, 1);
  fill_speed (&d.hs, 512, 4);
  memset (&s, 0, sizeof s);
  s.magic = htole32 (FUNCTIONFS_STRINGS_MAGIC);
  s.length = htole32 (sizeof s);
  if (write (g->ep0, &d, sizeof d) != (ssize_t) sizeof d ||
      write (g->ep0, &s, sizeof s) != (ssize_t) sizeof s) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "FunctionFS refused the descriptors: %s", g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* configfs                                                               */

static gboolean
attr_write (const gchar *dir, const gchar *attr, const gchar *value, GError **error)
{
  g_autofree gchar *path = g_build_filename (dir, attr, NULL);
  gint fd = open (path, O_WRONLY | O_CLOEXEC);
  gssize len = (gssize) strlen (value);
  gboolean ok;

  /* Not g_file_set_contents(): configfs attributes cannot be renamed over. */
  ok = fd >= 0 && write (fd, value, (gsize) len) == len;
  if (!ok)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot write '%s' to %s: %s", value, path, g_strerror (errno));
  if (fd >= 0)
    close (fd);
  return ok;
}

static gboolean
make_dir (const gchar *path, GError **error)
{
  if (mkdir (path, 0755) < 0 && errno != EEXIST) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot create %s: %s", path, g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

static gchar *
first_udc (GError **error)
{
  g_autoptr(GDir) dir = g_dir_open ("/sys/class/udc", 0, error);
  const gchar *name;

  if (!dir) {
    g_prefix_error (error, "no USB device controller (CONFIG_USB_DUMMY_HCD?): ");
    return NULL;
  }
  name = g_dir_read_name (dir);
  if (!name) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no USB device controller in /sys/class/udc");
    return NULL;
  }
  return g_strdup (name);
}

static gboolean
configfs_setup (Gadget *g, GError **error)
{
  g_autofree gchar *strings = g_build_filename (g->dir, "strings", "0x409", NULL);
  g_autofree gchar *config = g_build_filename (g->dir, "configs", "c.1", NULL);
  g_autofree gchar *config_strings = g_build_filename (config, "strings", "0x409", NULL);
  g_autofree gchar *function = g_strdup_printf ("%s/functions/ffs.%s", g->dir, g->name);
  g_autofree gchar *link = g_strdup_printf ("%s/ffs.%s", config, g->name);
  g_autofree gchar *vid = g_strdup_printf ("0x%04x", GADGET_VID);
  g_autofree gchar *pid = g_strdup_printf ("0x%04x", GADGET_PID);
  g_autofree gchar *bcd = g_strdup_printf ("0x%04x", GADGET_BCD_DEVICE);

  if (!g_file_test (CONFIGFS_ROOT "/usb_gadget", G_FILE_TEST_IS_DIR) &&
      mount ("none", CONFIGFS_ROOT, "configfs", 0, NULL) < 0 && errno != EBUSY) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot mount configfs on " CONFIGFS_ROOT ": %s", g_strerror (errno));
    return FALSE;
  }
  if (g_file_test (g->dir, G_FILE_TEST_EXISTS)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "gadget %s exists already", g->dir);
    return FALSE;
  }
  g->configfs_made = TRUE;
  return make_dir (g->dir, error) &&
         attr_write (g->dir, "idVendor", vid, error) &&
         attr_write (g->dir, "idProduct", pid, error) &&
         attr_write (g->dir, "bcdDevice", bcd, error) &&
         attr_write (g->dir, "bcdUSB", "0x0200", error) &&
         make_dir (strings, error) &&
         attr_write (strings, "manufacturer", "Quectel", error) &&
         attr_write (strings, "product", "EC25", error) &&
         attr_write (strings, "serialnumber", "modemux-sim", error) &&
         make_dir (config, error) &&
         attr_write (config, "MaxPower", "500", error) &&
         make_dir (config_strings, error) &&
         attr_write (config_strings, "configuration", "QMI", error) &&
         make_dir (function, error) &&
         (symlink (function, link) == 0 ||
          (g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                        "cannot link %s: %s", link, g_strerror (errno)), FALSE));
}

static void
configfs_teardown (Gadget *g)
{
  g_autofree gchar *link = g_strdup_printf ("%s/configs/c.1/ffs.%s", g->dir, g->name);
  g_autofree gchar *function = g_strdup_printf ("%s/functions/ffs.%s", g->dir, g->name);
  const gchar *dirs[] = { "configs/c.1/strings/0x409", "configs/c.1", "strings/0x409", NULL };

  if (!g->configfs_made)
    return;
  /* configfs wants the reverse order of creation. */
  unlink (link);
  for (guint i = 0; dirs[i]; i++) {
    g_autofree gchar *path = g_build_filename (g->dir, dirs[i], NULL);
    rmdir (path);
  }
  rmdir (function);
  rmdir (g->dir);
}

static gboolean
set_bound (Gadget *g, gboolean bound, GError **error)
{
  if (g->bound == bound)
    return TRUE;
  /* An empty name ("\n") unbinds: the host sees the device disconnect. */
  if (!attr_write (g->dir, "UDC", bound ? g->udc : "\n", error))
    return FALSE;
  g->bound = bound;
  sim_modem_log (g->modem, "usb: gadget %s %s %s", g->name, bound ? "plugged into" : "unplugged from", g->udc);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Lifecycle                                                              */

static gint
open_ep (Gadget *g, guint n, GError **error)
{
  g_autofree gchar *path = g_strdup_printf ("%s/ep%u", g->ffs_dir, n);
  /* Non-blocking: a transfer on a disabled endpoint fails at once. */
  gint fd = open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot open %s: %s", path, g_strerror (errno));
  return fd;
}

static void
gadget_free (Gadget *g)
{
  if (!g)
    return;
  if (g->bound)
    set_bound (g, FALSE, NULL);
  g->enabled = FALSE;
  g_clear_handle_id (&g->ep0_id, g_source_remove);
  g_clear_handle_id (&g->evfd_id, g_source_remove);
  g_clear_handle_id (&g->qmux_id, g_source_remove);
  /* Cancels and waits for what is still queued; then the buffers can go. */
  if (g->aio)
    aio_destroy (g->aio);
  g_hash_table_unref (g->xfers);
  for (Ep *ep = &g->notify; ep <= &g->bulk_out; ep++)
    if (ep->fd >= 0)
      close (ep->fd);
  if (g->ep0 >= 0)
    close (g->ep0);
  if (g->evfd >= 0)
    close (g->evfd);
  if (g->mounted)
    umount (g->ffs_dir);
  if (g->ffs_dir)
    rmdir (g->ffs_dir);
  configfs_teardown (g);
  sim_data_port_free (g->data);
  sim_qmux_free (g->qmux);
  if (g->qmux_fd >= 0)
    close (g->qmux_fd);
  drop_responses (g);
  g_free (g->udc);
  g_free (g->ffs_dir);
  g_free (g->dir);
  g_free (g->name);
  g_free (g);
}

static Gadget *
gadget_new (SimModem *modem, const gchar *name, const gchar *udc, GError **error)
{
  Gadget *g = g_new0 (Gadget, 1);
  g_autofree gchar *label = g_strdup_printf ("usb:%s", name);
  g_autofree gchar *ep0 = NULL;
  gint pair[2];

  g->modem = modem;
  g->name = g_strdup (name);
  g->dir = g_strdup_printf (CONFIGFS_ROOT "/usb_gadget/%s", name);
  g->ep0 = g->evfd = g->qmux_fd = -1;
  g->notify = (Ep) { g, "interrupt-in", -1, TRUE, 0, 0, 0, 0, 0 };
  g->bulk_in = (Ep) { g, "bulk-in", -1, TRUE, 0, 0, 0, 0, 0 };
  g->bulk_out = (Ep) { g, "bulk-out", -1, FALSE, 0, 0, 0, 0, 0 };
  g_queue_init (&g->responses);
  g->xfers = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) xfer_free, NULL);

  if (strchr (name, '/') || !*name) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid gadget name '%s'", name);
    goto fail;
  }
  g->udc = udc ? g_strdup (udc) : first_udc (error);
  if (!g->udc || !configfs_setup (g, error))
    goto fail;

  g->ffs_dir = g_strdup_printf ("/run/modemux-sim-ffs-%s", name);
  if (!make_dir (g->ffs_dir, error))
    goto fail;
  if (mount (name, g->ffs_dir, "functionfs", 0, NULL) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot mount FunctionFS %s on %s: %s", name, g->ffs_dir, g_strerror (errno));
    goto fail;
  }
  g->mounted = TRUE;
  ep0 = g_build_filename (g->ffs_dir, "ep0", NULL);
  g->ep0 = open (ep0, O_RDWR | O_CLOEXEC);
  if (g->ep0 < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot open %s: %s", ep0, g_strerror (errno));
    goto fail;
  }
  if (!write_descriptors (g, error))
    goto fail;
  /* Endpoint files are numbered in descriptor order. */
  if ((g->notify.fd = open_ep (g, 1, error)) < 0 ||
      (g->bulk_in.fd = open_ep (g, 2, error)) < 0 ||
      (g->bulk_out.fd = open_ep (g, 3, error)) < 0)
    goto fail;
  if (!g_unix_set_fd_nonblocking (g->ep0, TRUE, error))
    goto fail;

  g->evfd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (g->evfd < 0 || aio_setup (MAX_IN_FLIGHT * 2 + OUT_READS + 16, &g->aio) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "cannot set up asynchronous I/O: %s", g_strerror (errno));
    goto fail;
  }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) < 0) {
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 "socketpair: %s", g_strerror (errno));
    goto fail;
  }
  g->qmux_fd = pair[0];
  g->qmux = sim_qmux_new_fd (modem, pair[1], label);
  g->data = sim_data_port_new_external (modem, label, data_write_cb, g);

  g->ep0_id = g_unix_fd_add (g->ep0, G_IO_IN, ep0_readable_cb, g);
  g->evfd_id = g_unix_fd_add (g->evfd, G_IO_IN, aio_ready_cb, g);
  g->qmux_id = g_unix_fd_add (g->qmux_fd, G_IO_IN, qmux_readable_cb, g);
  if (!set_bound (g, TRUE, error))
    goto fail;
  sim_modem_log (modem, "usb: gadget %s is %04x:%04x, QMI on interface %u", name,
                 GADGET_VID, GADGET_PID, QMI_INTERFACE);
  return g;

fail:
  gadget_free (g);
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Command-line module                                                    */

static GOptionEntry usb_entries[] = {
  { "usb-gadget", 0, 0, G_OPTION_ARG_STRING, &opt_gadget,
    "Be a USB modem (Quectel EC25, QMI on interface 4) through configfs gadget NAME and FunctionFS", "NAME" },
  { "usb-udc", 0, 0, G_OPTION_ARG_STRING, &opt_udc,
    "USB device controller for --usb-gadget (default: the first in /sys/class/udc)", "UDC" },
  { NULL }
};

static gboolean
usb_enabled (void)
{
  return opt_gadget != NULL;
}

static void
print_ep (GString *out, const Ep *ep)
{
  g_string_append_printf (out, "ep %s transfers=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT
                          " errors=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT " in-flight=%u\n",
                          ep->name, ep->transfers, ep->bytes, ep->errors, ep->dropped, ep->in_flight);
}

static gboolean
usb_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  Gadget *g = the_gadget;
  const SimDataPortStats *s = sim_data_port_get_stats (g->data);

  g_string_append_printf (out, "gadget %s udc=%s bound=%s configured=%s enables=%" G_GUINT64_FORMAT
                          " disables=%" G_GUINT64_FORMAT "\n", g->name, g->udc,
                          g->bound ? "yes" : "no", g->enabled ? "yes" : "no", g->enables, g->disables);
  g_string_append_printf (out, "control commands=%" G_GUINT64_FORMAT " responses=%" G_GUINT64_FORMAT
                          " empty-responses=%" G_GUINT64_FORMAT " notifications=%" G_GUINT64_FORMAT
                          " stalls=%" G_GUINT64_FORMAT " queued=%u\n", g->commands, g->responses_sent,
                          g->empty_responses, g->notifications, g->stalls, g->responses.length);
  print_ep (out, &g->notify);
  print_ep (out, &g->bulk_in);
  print_ep (out, &g->bulk_out);
  g_string_append_printf (out, "data reads=%" G_GUINT64_FORMAT " frames=%" G_GUINT64_FORMAT
                          " bad=%" G_GUINT64_FORMAT " foreign=%" G_GUINT64_FORMAT " bursts=%" G_GUINT64_FORMAT
                          " burst-frames=%" G_GUINT64_FORMAT "\n", s->reads, s->frames, s->bad_frames,
                          s->foreign, s->bursts, s->burst_frames);
  g_string_append_printf (out, "dl-aggregation hold=%u queued=%u transfers=%" G_GUINT64_FORMAT
                          " frames=%" G_GUINT64_FORMAT " multi-frame-transfers=%" G_GUINT64_FORMAT
                          " max-frames-per-transfer=%u\n", g->dl_hold,
                          sim_data_port_get_queued (g->data), g->dl_transfers, g->dl_frames,
                          g->dl_multi_frame, g->dl_max_frames);
  return TRUE;
}

static gboolean
usb_dl_hold_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  guint64 n;

  if (!argv[1] || !g_ascii_string_to_unsigned (argv[1], 10, 0, 1024, &n, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "usage: usb-dl-hold N (0..1024; 0: no hold)");
    return FALSE;
  }
  the_gadget->dl_hold = (guint) n;
  dl_kick (the_gadget);
  g_string_append_printf (out, "dl-hold %u\n", the_gadget->dl_hold);
  return TRUE;
}

static gboolean
usb_unplug_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  return set_bound (the_gadget, FALSE, error);
}

static gboolean
usb_plug_control (SimModem *modem, gchar **argv, GString *out, gpointer user_data, GError **error)
{
  return set_bound (the_gadget, TRUE, error);
}

static gboolean
usb_start (SimModem *modem, GError **error)
{
  the_gadget = gadget_new (modem, opt_gadget, opt_udc, error);
  if (!the_gadget)
    return FALSE;
  sim_modem_add_control_command (modem, "usb", "usb: the USB gadget's state and counters",
                                 usb_control, NULL);
  sim_modem_add_control_command (modem, "usb-dl-hold",
                                 "usb-dl-hold N: hold downlink QMAP frames until N are queued "
                                 "(or the negotiated DL limits fill a transfer); 0: no hold",
                                 usb_dl_hold_control, NULL);
  sim_modem_add_control_command (modem, "usb-unplug", "usb-unplug: unbind the gadget (the host sees a disconnect)",
                                 usb_unplug_control, NULL);
  sim_modem_add_control_command (modem, "usb-plug", "usb-plug: bind the gadget again (the host enumerates it)",
                                 usb_plug_control, NULL);
  return TRUE;
}

static void
usb_stop (SimModem *modem)
{
  g_clear_pointer (&the_gadget, gadget_free);
  g_clear_pointer (&opt_gadget, g_free);
  g_clear_pointer (&opt_udc, g_free);
}

static const SimModule usb_module = {
  .name = "usb-gadget",
  .entries = usb_entries,
  .enabled = usb_enabled,
  .start = usb_start,
  .stop = usb_stop,
};
SIM_DEFINE_MODULE (usb_module)
