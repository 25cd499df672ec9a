/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator's scenario parser (sim_scenario_load_data,
 * test/sim/sim-scenario.c): a bad scenario must be an error naming the key,
 * never a crash of the test tool. Input: a scenario file's contents. */
#include "fuzz-common.h"
#include "sim-modem.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(SimScenario) scenario = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  scenario = sim_scenario_load_data ((const gchar *) data, size, &error);
  if ((scenario == NULL) == (error == NULL))
    abort ();
  if (scenario)
    for (guint i = 0; i < scenario->n_apns; i++)
      sim_scenario_find_apn (scenario, scenario->apns[i].name);
  return 0;
}
