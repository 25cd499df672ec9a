/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte-stream plumbing shared by the simulator's QMUX (sim-qmux.c) and MBIM
 * (sim-mbim-port.c) transports: the raw pseudo-terminal that stands in for
 * /dev/cdc-wdmN, and writing a whole message to a non-blocking fd.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates a raw (binary-clean) pseudo-terminal and makes @link_path a
 * symlink to its slave. Returns the non-blocking master, or -1 with @error
 * set; *@slave_fd is the slave, which the caller keeps open so that the
 * master never sees EIO when a client closes the device. */
gint     sim_pty_open      (const gchar *link_path, gint *slave_fd, GError **error);

/* Writes all of @data to non-blocking @fd, waiting up to 1 s for room
 * whenever the peer does not read. FALSE with errno set on failure
 * (ETIMEDOUT if the peer never made room). */
gboolean sim_fd_write_all  (gint fd, const guint8 *data, gsize len);

G_END_DECLS
