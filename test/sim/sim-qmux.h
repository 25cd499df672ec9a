/* modemux-sim: QMUX transports (fake qmi-proxy, pty). */
#pragma once

#include "sim-modem.h"

typedef struct _SimQmux SimQmux;

/* Fake qmi-proxy on the abstract unix socket @name (NULL = "qmi-proxy"). */
SimQmux *sim_qmux_new_proxy (SimModem *modem, const gchar *name, GError **error);
/* QMUX on a pseudo-terminal; @path becomes a symlink to the slave. */
SimQmux *sim_qmux_new_pty   (SimModem *modem, const gchar *path, GError **error);
void     sim_qmux_free      (SimQmux *qmux);
