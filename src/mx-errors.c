/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mx-errors.h"

G_DEFINE_QUARK (mx-core-error-quark, mx_core_error)
