/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placeholder: the foundation component replaces this. */
#include <stdio.h>
#include "mx-config.h"
int main (void) { printf ("modemuxd %s\n", MX_VERSION); return 0; }
