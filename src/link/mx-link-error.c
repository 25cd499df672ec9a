/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-link"
#include <errno.h>
#include <string.h>
#include "mx-link-error.h"

G_DEFINE_QUARK (mx-link-error-quark, mx_link_error)

GError *
mx_link_error_from_errno (int err, const char *kind, const char *ext_msg)
{
  g_autofree gchar *suffix = NULL;
  const char *k = kind ? kind : "link";
  GError *error;

  if (err < 0)
    err = -err;
  suffix = (ext_msg && *ext_msg) ? g_strdup_printf (" (kernel: %s)", ext_msg) : g_strdup ("");

  switch (err) {
  case EEXIST:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_EXISTS,
                         "an interface with that name (or a %s link with that id) already exists%s",
                         k, suffix);
    break;
  case EBUSY:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_BUSY,
                         "the lower device already has another rx handler (bridge, bond, macvlan, "
                         "vendor driver in QMAP mode) or the mux id is in use on that lower%s", suffix);
    break;
  case ENODEV:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_NO_DEVICE,
                         "no such network device (the port or link is gone)%s", suffix);
    break;
  case ERANGE:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_MUX_ID_RANGE,
                         "mux id out of range (the kernel accepts 1..254)%s", suffix);
    break;
  case EPERM:
  case EACCES:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_PERMISSION,
                         "operation not permitted: managing links needs CAP_NET_ADMIN%s", suffix);
    break;
  case EOPNOTSUPP:
    if (g_strcmp0 (kind, "wwan") == 0)
      error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED,
                           "the kernel has no wwan link support (CONFIG_WWAN)%s", suffix);
    else if (g_strcmp0 (kind, "vlan") == 0)
      error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED,
                           "the kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q)%s", suffix);
    else if (g_strcmp0 (kind, "rmnet") == 0)
      error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED,
                           "the kernel has no rmnet support (CONFIG_RMNET)%s", suffix);
    else
      error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_KERNEL_UNSUPPORTED,
                           "the kernel does not support this %s operation%s", k, suffix);
    break;
  case EINVAL:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_INVALID,
                         "the kernel rejected the %s request as invalid%s", k, suffix);
    break;
  default:
    error = g_error_new (MX_LINK_ERROR, MX_LINK_ERROR_FAILED,
                         "%s request failed: %s%s", k, g_strerror (err), suffix);
    break;
  }
  return error;
}
