/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mx-modem-qmi-timeout.h"

static guint timeout_cap_s;   /* 0: none */

guint
mx_qmi_timeout (guint default_s)
{
  return timeout_cap_s && timeout_cap_s < default_s ? timeout_cap_s : default_s;
}

void
mx_qmi_timeout_set_cap (guint cap_s)
{
  timeout_cap_s = cap_s;
}
