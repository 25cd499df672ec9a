/* modemux-sim: control socket (line protocol, docs/simulator.md). */
#pragma once

#include "sim-modem.h"

typedef struct _SimControl SimControl;

/* Registers the built-in commands on @modem. */
void        sim_control_add_builtins (SimModem *modem);
/* Listen on the filesystem unix socket @path. */
SimControl *sim_control_new  (SimModem *modem, const gchar *path, GError **error);
void        sim_control_free (SimControl *control);
/* Client side (modemux-sim --ctl PATH CMD...): prints the answer, returns
 * the exit status. */
int         sim_control_client_run (const gchar *path, gchar **argv);
