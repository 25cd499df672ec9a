/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors of the link manager: rtnetlink, sysfs qmimux and link policies. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define MX_LINK_ERROR (mx_link_error_quark ())
GQuark mx_link_error_quark (void);

typedef enum {
  MX_LINK_ERROR_FAILED,             /* anything else (message carries errno text) */
  MX_LINK_ERROR_EXISTS,             /* EEXIST: name or wwan link id already in use */
  MX_LINK_ERROR_BUSY,               /* EBUSY: lower has another rx handler, or mux id used on it */
  MX_LINK_ERROR_NO_DEVICE,          /* ENODEV: lower or link does not exist (any more) */
  MX_LINK_ERROR_INVALID,            /* EINVAL: the kernel refused the request */
  MX_LINK_ERROR_MUX_ID_RANGE,       /* ERANGE or outside 1..254 / the port's policy */
  MX_LINK_ERROR_NAME_TOO_LONG,      /* interface name longer than 15 characters */
  MX_LINK_ERROR_PERMISSION,         /* EPERM/EACCES: needs CAP_NET_ADMIN */
  MX_LINK_ERROR_KERNEL_UNSUPPORTED, /* EOPNOTSUPP: kernel lacks the link kind (CONFIG_RMNET, CONFIG_WWAN) */
  MX_LINK_ERROR_NO_FREE_MUX_ID,     /* policy range exhausted or max links reached */
  MX_LINK_ERROR_NOT_OWNED,          /* refusing to touch a link modemux did not create */
} MxLinkError;

/* Builds a GError from a negative or positive errno returned by the kernel
 * for an operation on a link of @kind ("rmnet", "wwan", NULL). @ext_msg is
 * the kernel's extended ack text, if any; it is appended. */
GError *mx_link_error_from_errno (int err, const char *kind, const char *ext_msg);

G_END_DECLS
