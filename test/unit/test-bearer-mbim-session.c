/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A refused MBIM Connect (activate) carries ModemManager's D-Bus error name:
 * a 3GPP cause (NwError) reads as the same cause on QMI, an MBIM status
 * without one as docs/bearers.md ("MBIM modems") lists it. */
#include "mx-bearer-mbim-session.h"

#include <string.h>

#define ME   "org.freedesktop.ModemManager1.Error.MobileEquipment."
#define CORE "org.freedesktop.ModemManager1.Error.Core."
#define CONN "org.freedesktop.ModemManager1.Error.Connection."

typedef struct {
  const gchar     *path;
  MbimStatusError  status;
  guint32          nw_error;
  const gchar     *name;
  const gchar     *message;
} Row;

static const Row rows[] = {
  { "/bearer-mbim/cause/27-unknown-apn", MBIM_STATUS_ERROR_FAILURE, 27, ME "MissingOrUnknownApn",
    "the network refused APN 'internet' (3GPP cause 27: missing or unknown APN)" },
  { "/bearer-mbim/cause/29-authentication", MBIM_STATUS_ERROR_FAILURE, 29, ME "UserAuthenticationFailed",
    "(3GPP cause 29: user authentication failed)" },
  { "/bearer-mbim/cause/33-not-subscribed", MBIM_STATUS_ERROR_FAILURE, 33, ME "ServiceOptionNotSubscribed",
    "3GPP cause 33" },
  { "/bearer-mbim/status/not-registered", MBIM_STATUS_ERROR_NOT_REGISTERED, 0, ME "NoNetwork",
    "MBIM Connect (activate): the modem is not registered" },
  { "/bearer-mbim/status/radio-off", MBIM_STATUS_ERROR_RADIO_POWER_OFF, 0, CORE "WrongState",
    "the radio is off" },
  { "/bearer-mbim/status/busy", MBIM_STATUS_ERROR_BUSY, 0, CONN "Busy", "the session id is busy" },
  { "/bearer-mbim/status/max-contexts", MBIM_STATUS_ERROR_MAX_ACTIVATED_CONTEXTS, 0, CORE "TooMany",
    "no more contexts" },
  { "/bearer-mbim/status/other", MBIM_STATUS_ERROR_FAILURE, 0, CORE "Failed",
    "MBIM Connect (activate) refused: Failure" },
};

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(GError) error = mx_mbim_session_activation_error (row->status, row->nw_error, "internet");
  g_autofree gchar *name = g_dbus_error_encode_gerror (error);

  g_assert_cmpstr (name, ==, row->name);
  if (!strstr (error->message, row->message))
    g_error ("'%s' does not contain '%s'", error->message, row->message);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Registers ModemManager's D-Bus error names. */
  (void) mm_core_error_quark ();
  (void) mm_mobile_equipment_error_quark ();
  (void) mm_connection_error_quark ();
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_test_add_data_func (rows[i].path, &rows[i], test_row);
  return g_test_run ();
}
