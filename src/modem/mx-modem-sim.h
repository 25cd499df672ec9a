/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SIM card of a QMI modem: org.freedesktop.ModemManager1.Sim (ICCID,
 * IMSI, operator identifier and name) plus the PIN lock state that the modem
 * shows as UnlockRequired/UnlockRetries. Uses the UIM service when the modem
 * has it (card status, verify PIN, read transparent), else the older DMS UIM
 * messages. SendPin goes through the daemon's authorization. */
#pragma once

#include <gio/gio.h>
#include <libmm-glib.h>
#include <libmbim-glib.h>
#include "mx-modem-qmi-port.h"

G_BEGIN_DECLS

#define MX_TYPE_SIM (mx_sim_get_type ())
G_DECLARE_FINAL_TYPE (MxSim, mx_sim, MX, SIM, GObject)

/* Signal "unlocked": SendPin succeeded; the modem finishes its init. */
#define MX_SIM_SIGNAL_UNLOCKED    "unlocked"
/* Signal "lock-changed" (guint MMModemLock, GVariant *retries a{uu}):
 * after every lock state (re)load, e.g. a wrong PIN lowering the retries. */
#define MX_SIM_SIGNAL_LOCK_CHANGED "lock-changed"

/* Signal "card-removed": the card went away (UIM card status indication). */
#define MX_SIM_SIGNAL_CARD_REMOVED "card-removed"

/* @port: the QMI control port; NULL for an MBIM modem, which sets its
 * device with mx_sim_set_mbim_device() once it is open. */
MxSim        *mx_sim_new          (MxQmiPort *port, GCancellable *modem_cancellable);
void          mx_sim_set_mbim_device (MxSim *self, MbimDevice *device);
/* The card's state changed (MBIM Subscriber Ready Status indication): the
 * lock is read again; a vanished card emits "card-removed". */
void          mx_sim_card_changed (MxSim *self);
MmGdbusSim   *mx_sim_peek_skeleton (MxSim *self);

/* Reads PIN state and retries; emits "lock-changed" on success. */
void          mx_sim_load_lock        (MxSim *self, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean      mx_sim_load_lock_finish (MxSim *self, GAsyncResult *res,
                                       MMModemLock *lock, GError **error);
MMModemLock   mx_sim_get_lock         (MxSim *self);
/* MMModem3gppFacility bits enabled on the card (SIM = PIN1, FIXED_DIALING
 * = PIN2), as of the last lock read. */
guint         mx_sim_get_enabled_facilities (MxSim *self);

/* ICCID, IMSI, operator identifier/name; needs an unlocked SIM. Missing
 * items are logged and left empty (not every SIM/firmware has them). */
void          mx_sim_load_identity        (MxSim *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean      mx_sim_load_identity_finish (MxSim *self, GAsyncResult *res, GError **error);

/* Follows UIM card status indications (when the modem has UIM): lock
 * changes update "lock-changed", a vanished card emits "card-removed". */
void          mx_sim_watch_card (MxSim *self);

/* Exports at @path on @connection; unexport on removal. */
gboolean      mx_sim_export   (MxSim *self, GDBusConnection *connection, const gchar *path,
                               GError **error);
void          mx_sim_unexport (MxSim *self);
const gchar  *mx_sim_get_path (MxSim *self);

/* mx-modem-sim-files.c: the elementary files, decoded. */
gchar        *mx_sim_decode_iccid (const guint8 *bcd, gsize len);
gchar        *mx_sim_decode_imsi  (const guint8 *ef, gsize len);
/* MNC length from EF_AD, or 0 when not given. */
guint         mx_sim_mnc_length_from_ad (const guint8 *ef, gsize len);
/* MCC+MNC from @imsi; @mnc_length 0 = guess (3 for the North American
 * MCCs that use three digits, else 2). */
gchar        *mx_sim_operator_id_from_imsi (const gchar *imsi, guint mnc_length);
/* EF_SPN's service provider name (GSM 7-bit, printable subset), or NULL. */
gchar        *mx_sim_decode_spn   (const guint8 *ef, gsize len);

G_END_DECLS
