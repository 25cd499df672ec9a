/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SIM's elementary files as the SIM object shows them (TS 31.102):
 * EF_ICCID, EF_IMSI, EF_AD (the MNC length), EF_SPN, and the operator id
 * from the IMSI. Pure functions, shared by the QMI reads and the tests. */
#include <string.h>
#include "mx-modem-sim.h"

/* Appends the digits of swapped-nibble BCD (low nibble first) from nibble
 * @first on, up to the first non-digit (0xF pads an odd length). */
static void
append_bcd (GString *s, const guint8 *bcd, gsize len, gsize first)
{
  for (gsize nibble = first; nibble < 2 * len; nibble++) {
    guint8 digit = nibble % 2 ? bcd[nibble / 2] >> 4 : bcd[nibble / 2] & 0x0F;

    if (digit > 9)
      break;
    g_string_append_c (s, '0' + digit);
  }
}

gchar *
mx_sim_decode_iccid (const guint8 *bcd, gsize len)
{
  GString *s = g_string_new (NULL);

  append_bcd (s, bcd, len, 0);
  return g_string_free (s, s->len == 0);
}

gchar *
mx_sim_decode_imsi (const guint8 *ef, gsize len)
{
  GString *s;

  /* EF_IMSI (TS 31.102 4.2.2): length byte, then swapped BCD whose first
   * nibble is the parity/type indicator. */
  if (len < 2 || ef[0] < 1 || (gsize) ef[0] + 1 > len)
    return NULL;
  s = g_string_new (NULL);
  append_bcd (s, ef + 1, ef[0], 1);
  if (s->len < 6) {
    g_string_free (s, TRUE);
    return NULL;
  }
  return g_string_free (s, FALSE);
}

guint
mx_sim_mnc_length_from_ad (const guint8 *ef, gsize len)
{
  guint n;

  if (len < 4)
    return 0;
  n = ef[3] & 0x0F;
  return (n == 2 || n == 3) ? n : 0;
}

gchar *
mx_sim_operator_id_from_imsi (const gchar *imsi, guint mnc_length)
{
  if (!imsi || strlen (imsi) < 6)
    return NULL;
  if (mnc_length != 2 && mnc_length != 3) {
    /* The North American MCCs 302 and 310..316 use 3-digit MNCs. */
    gchar mcc_str[4] = { imsi[0], imsi[1], imsi[2], 0 };
    guint mcc = (guint) g_ascii_strtoull (mcc_str, NULL, 10);
    mnc_length = (mcc == 302 || (mcc >= 310 && mcc <= 316)) ? 3 : 2;
  }
  return g_strndup (imsi, 3 + mnc_length);
}

gchar *
mx_sim_decode_spn (const guint8 *ef, gsize len)
{
  GString *s = g_string_new (NULL);
  gsize i;

  /* Byte 0 is the display condition; the name is GSM 7-bit default
   * alphabet, one character per byte, padded with 0xFF. Its printable
   * ASCII subset maps 1:1 except '@' (0x00) and '$' (0x02). */
  for (i = 1; i < len && ef[i] != 0xFF; i++) {
    guint8 c = ef[i];
    if (c == 0x00)
      c = '@';
    else if (c == 0x02)
      c = '$';
    if (c >= 0x20 && c < 0x7F)
      g_string_append_c (s, (gchar) c);
  }
  return g_string_free (s, s->len == 0);
}
