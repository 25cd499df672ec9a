/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-daemon"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mx-core-sd-notify.h"

gboolean
mx_sd_notify (const gchar *state)
{
  const gchar *path = g_getenv ("NOTIFY_SOCKET");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  socklen_t addr_len;
  gsize path_len;
  gssize sent;
  int fd;

  if (!path || !*path)
    return FALSE;
  path_len = strlen (path);
  if ((path[0] != '/' && path[0] != '@') || path_len >= sizeof addr.sun_path) {
    g_debug ("ignoring unusable NOTIFY_SOCKET '%s'", path);
    return FALSE;
  }
  memcpy (addr.sun_path, path, path_len);
  if (path[0] == '@')
    addr.sun_path[0] = '\0';  /* abstract namespace */
  addr_len = offsetof (struct sockaddr_un, sun_path) + path_len;

  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    g_debug ("cannot notify systemd: %s", g_strerror (errno));
    return FALSE;
  }
  sent = sendto (fd, state, strlen (state), MSG_NOSIGNAL, (struct sockaddr *) &addr, addr_len);
  if (sent < 0)
    g_debug ("cannot notify systemd (%s): %s", state, g_strerror (errno));
  close (fd);
  return sent >= 0;
}
