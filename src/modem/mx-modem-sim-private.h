/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MxSim internals shared by mx-modem-sim.c (the object, QMI) and
 * mx-modem-mbim-sim.c (the same reads over MBIM). Not for other files. */
#pragma once

#include "mx-modem-sim.h"

G_BEGIN_DECLS

/* What the card says of its PINs: ModemManager lists PIN/PUK and, when the
 * card reports them, PIN2/PUK2 retries; an enabled PIN1 is the SIM facility
 * lock, an enabled PIN2 fixed dialling. MBIM reports the retries of the one
 * PIN it asks for (have_pin_retries_only / have_puk_retries_only). */
typedef struct {
  MMModemLock lock;
  gboolean    have_retries, have_pin2;
  gboolean    have_pin_retries_only, have_puk_retries_only;
  guint       pin, puk, pin2, puk2;
  gboolean    pin1_enabled, pin2_enabled;
} MxSimPinInfo;

/* Completes a lock read (@task of mx_sim_load_lock, source the MxSim). */
void     mx_sim_lock_loaded     (GTask *task, const MxSimPinInfo *info);
/* Completes an identity read (@task of mx_sim_load_identity). */
void     mx_sim_identity_loaded (GTask *task, const gchar *iccid, const gchar *imsi,
                                 guint mnc_length, const gchar *spn);
/* The answer to a PIN entry for SendPin's @pin_context: @mm_error (taken)
 * in a ModemManager domain, NULL on success; the lock is read again. */
void     mx_sim_pin_verified    (gpointer pin_context, GError *mm_error);
GError  *mx_sim_incorrect_pin_error (gint retries_left);

/* mx-modem-mbim-sim.c */
void     mx_sim_mbim_load_lock     (MbimDevice *device, GTask *task);
void     mx_sim_mbim_load_identity (MbimDevice *device, GTask *task);
void     mx_sim_mbim_verify_pin    (MbimDevice *device, const gchar *pin, GCancellable *cancellable,
                                    gpointer pin_context);

G_END_DECLS
