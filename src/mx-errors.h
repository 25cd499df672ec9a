/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
#include <glib.h>

G_BEGIN_DECLS
/* Placeholder owned by the foundation component; replaced by its real error domains. */
#define MX_CORE_ERROR (mx_core_error_quark ())
GQuark mx_core_error_quark (void);
G_END_DECLS
