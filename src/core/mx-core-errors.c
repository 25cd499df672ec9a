/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-errors"

#include "mx-core-errors.h"

G_DEFINE_QUARK (mx-core-error-quark, mx_core_error)
