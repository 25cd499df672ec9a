/* modemux-sim: QMUX transports (fake qmi-proxy, pty, message channel). */
#pragma once

#include "sim-modem.h"

typedef struct _SimQmux SimQmux;

/* Fake qmi-proxy on the abstract unix socket @name (NULL = "qmi-proxy"). */
SimQmux *sim_qmux_new_proxy (SimModem *modem, const gchar *name, GError **error);
/* QMUX on a pseudo-terminal; @path becomes a symlink to the slave. */
SimQmux *sim_qmux_new_pty   (SimModem *modem, const gchar *path, GError **error);
/* QMUX on @fd (taken over, closed by sim_qmux_free), a SOCK_SEQPACKET end
 * whose other end a transport feeds one QMUX message per record (the USB
 * gadget's encapsulated commands and responses). A hang-up drops the
 * clients and keeps the channel. */
SimQmux *sim_qmux_new_fd    (SimModem *modem, gint fd, const gchar *label);
/* The modem restarted under this transport (e.g. USB disconnect): every
 * client is gone, partial input dropped. */
void     sim_qmux_reset     (SimQmux *qmux);
void     sim_qmux_free      (SimQmux *qmux);
