/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's MBIM function (sim-mbim.c). */
#pragma once

#include <glib.h>

#include "sim-modem.h"

G_BEGIN_DECLS

typedef struct _SimMbim SimMbim;

SimMbim *sim_mbim_new       (SimModem *modem);
void     sim_mbim_free      (SimMbim *mbim);
/* Fake mbim-proxy on abstract socket @name (NULL = "mbim-proxy"). */
gboolean sim_mbim_add_proxy (SimMbim *mbim, const gchar *name, GError **error);
/* MBIM on a pty; @path becomes a symlink to the slave. */
gboolean sim_mbim_add_pty   (SimMbim *mbim, const gchar *path, GError **error);

G_END_DECLS
