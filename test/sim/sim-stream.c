/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "sim-stream"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include <gio/gio.h>

#include "sim-stream.h"

gint
sim_pty_open (const gchar *link_path, gint *slave_fd, GError **error)
{
    gint master = posix_openpt (O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct termios tio;
    const gchar *slave_name;
    gint slave;

    if (master < 0 || grantpt (master) < 0 || unlockpt (master) < 0 || !(slave_name = ptsname (master))) {
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot create pty: %s", g_strerror (errno));
        if (master >= 0)
            close (master);
        return -1;
    }
    slave = open (slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0 || tcgetattr (slave, &tio) < 0) {
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot open %s: %s", slave_name, g_strerror (errno));
        if (slave >= 0)
            close (slave);
        close (master);
        return -1;
    }
    /* Binary protocols: no echo, no CR/LF translation, no signals. */
    cfmakeraw (&tio);
    tcsetattr (slave, TCSANOW, &tio);
    unlink (link_path);
    if (symlink (slave_name, link_path) < 0) {
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot link %s -> %s: %s",
                     link_path, slave_name, g_strerror (errno));
        close (slave);
        close (master);
        return -1;
    }
    *slave_fd = slave;
    return master;
}

gboolean
sim_fd_write_all (gint fd, const guint8 *data, gsize len)
{
    while (len > 0) {
        ssize_t n = write (fd, data, len);

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            gint ready = poll (&pfd, 1, 1000);

            if (ready == 0)
                errno = ETIMEDOUT;
            if (ready <= 0)
                return FALSE;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return FALSE;
        data += n;
        len -= (gsize) n;
    }
    return TRUE;
}
