/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-sim"

#include <string.h>
#include "mx-modem-sim-private.h"
#include "mx-core-auth.h"
#include "mx-core-log.h"
#include "mx-modem-qmi-timeout.h"

#define SIM_TIMEOUT_S 10

struct _MxSim {
  GObject       parent;
  MxQmiPort    *port;           /* QMI SIM; NULL on MBIM */
  MbimDevice   *mbim;           /* MBIM SIM (mx-modem-mbim-sim.c) */
  GCancellable *cancellable;   /* the modem's: cancelled when it goes */
  MmGdbusSim   *skeleton;
  gchar        *path;
  MMModemLock   lock;
  guint         facilities;     /* MMModem3gppFacility enabled on the card */
  gboolean      pin_in_progress;
  QmiClient    *watched_uim;    /* card status indications */
  gulong        card_status_id;
};

G_DEFINE_TYPE (MxSim, mx_sim, G_TYPE_OBJECT)

enum { SIGNAL_UNLOCKED, SIGNAL_LOCK_CHANGED, SIGNAL_CARD_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* EF paths as UIM wants them: 16-bit file ids, little-endian byte pairs. */
static const guint8 path_mf[]      = { 0x00, 0x3F };
static const guint8 path_mf_adf[]  = { 0x00, 0x3F, 0xFF, 0x7F };
#define EF_ICCID 0x2FE2
#define EF_IMSI  0x6F07
#define EF_AD    0x6FAD
#define EF_SPN   0x6F46

/* What the card says of its PINs: ModemManager lists PIN/PUK and, when the
 * card reports them, PIN2/PUK2 retries; an enabled PIN1 is the SIM facility
 * lock, an enabled PIN2 fixed dialling. */
typedef MxSimPinInfo PinInfo;

static GVariant *
retries_variant (const PinInfo *info)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{uu}"));
  if (info->have_puk_retries_only)
    g_variant_builder_add (&b, "{uu}", MM_MODEM_LOCK_SIM_PUK, info->puk);
  else if (info->have_pin_retries_only)
    g_variant_builder_add (&b, "{uu}", MM_MODEM_LOCK_SIM_PIN, info->pin);
  if (info->have_retries) {
    g_variant_builder_add (&b, "{uu}", MM_MODEM_LOCK_SIM_PIN, info->pin);
    g_variant_builder_add (&b, "{uu}", MM_MODEM_LOCK_SIM_PUK, info->puk);
  }
  if (info->have_pin2) {
    g_variant_builder_add (&b, "{uu}", MM_MODEM_LOCK_SIM_PIN2, info->pin2);
    g_variant_builder_add (&b, "{uu}", MM_MODEM_LOCK_SIM_PUK2, info->puk2);
  }
  return g_variant_builder_end (&b);
}

/* ------------------------------------------------------------------------ */
/* Lock state                                                               */

MMModemLock mx_sim_get_lock (MxSim *self) { return self->lock; }
guint mx_sim_get_enabled_facilities (MxSim *self) { return self->facilities; }
MmGdbusSim *mx_sim_peek_skeleton (MxSim *self) { return self->skeleton; }
const gchar *mx_sim_get_path (MxSim *self) { return self->path; }

void
mx_sim_lock_loaded (GTask *task, const MxSimPinInfo *info)
{
  MxSim *self = g_task_get_source_object (task);
  GVariant *retries = g_variant_ref_sink (retries_variant (info));

  self->lock = info->lock;
  self->facilities = (info->pin1_enabled ? MM_MODEM_3GPP_FACILITY_SIM : 0) |
                     (info->pin2_enabled ? MM_MODEM_3GPP_FACILITY_FIXED_DIALING : 0);
  g_debug ("SIM lock: %s (PIN retries %u, PUK retries %u)",
           mm_modem_lock_get_string (info->lock), info->pin, info->puk);
  g_signal_emit (self, signals[SIGNAL_LOCK_CHANGED], 0, (guint) info->lock, retries);
  g_variant_unref (retries);
  g_task_return_boolean (task, TRUE);
}

static gboolean
uim_pin_enabled (QmiUimPinState state)
{
  return state == QMI_UIM_PIN_STATE_ENABLED_NOT_VERIFIED || state == QMI_UIM_PIN_STATE_ENABLED_VERIFIED ||
         state == QMI_UIM_PIN_STATE_BLOCKED || state == QMI_UIM_PIN_STATE_PERMANENTLY_BLOCKED;
}

static MMModemLock
lock_from_uim_pin (QmiUimPinState state)
{
  switch (state) {
  case QMI_UIM_PIN_STATE_ENABLED_NOT_VERIFIED: return MM_MODEM_LOCK_SIM_PIN;
  case QMI_UIM_PIN_STATE_BLOCKED:              return MM_MODEM_LOCK_SIM_PUK;
  case QMI_UIM_PIN_STATE_PERMANENTLY_BLOCKED:  return MM_MODEM_LOCK_SIM_PUK;
  default:                                     return MM_MODEM_LOCK_NONE;
  }
}

static void
uim_card_status_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(QmiMessageUimGetCardStatusOutput) output = NULL;
  GError *error = NULL;
  GArray *cards = NULL;
  guint16 gw_primary = 0xFFFF;
  const QmiMessageUimGetCardStatusOutputCardStatusCardsElement *card;
  const QmiMessageUimGetCardStatusOutputCardStatusCardsElementApplicationsElement *app = NULL;
  guint slot, app_index, i;

  output = qmi_client_uim_get_card_status_finish (QMI_CLIENT_UIM (source), res, &error);
  if (!output || !qmi_message_uim_get_card_status_output_get_result (output, &error) ||
      !qmi_message_uim_get_card_status_output_get_card_status (output, &gw_primary, NULL, NULL, NULL,
                                                               &cards, &error)) {
    g_prefix_error (&error, "UIM Get Card Status: ");
    g_task_return_error (task, error);
    return;
  }
  /* The primary GSM/UMTS application: slot in the high byte, application
   * in the low byte; without one, the first SIM/USIM application. */
  slot = gw_primary >> 8;
  app_index = gw_primary & 0xFF;
  if (gw_primary == 0xFFFF || slot >= cards->len) {
    slot = 0;
    app_index = G_MAXUINT;
  }
  if (!cards->len) {
    g_task_return_new_error (task, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED,
                             "no SIM card slot reported");
    return;
  }
  card = &g_array_index (cards, QmiMessageUimGetCardStatusOutputCardStatusCardsElement, slot);
  if (card->card_state != QMI_UIM_CARD_STATE_PRESENT) {
    g_task_return_new_error (task, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED,
                             "SIM card %s", card->card_state == QMI_UIM_CARD_STATE_ABSENT ? "absent" : "in error");
    return;
  }
  if (card->applications && app_index < card->applications->len)
    app = &g_array_index (card->applications,
                          QmiMessageUimGetCardStatusOutputCardStatusCardsElementApplicationsElement, app_index);
  for (i = 0; !app && card->applications && i < card->applications->len; i++) {
    const QmiMessageUimGetCardStatusOutputCardStatusCardsElementApplicationsElement *a =
      &g_array_index (card->applications,
                      QmiMessageUimGetCardStatusOutputCardStatusCardsElementApplicationsElement, i);
    if (a->type == QMI_UIM_CARD_APPLICATION_TYPE_USIM || a->type == QMI_UIM_CARD_APPLICATION_TYPE_SIM)
      app = a;
  }
  if (!app) {
    g_task_return_new_error (task, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_FAILURE,
                             "SIM card has no SIM/USIM application");
    return;
  }
  {
    PinInfo info = { .have_retries = TRUE, .have_pin2 = app->pin2_state != QMI_UIM_PIN_STATE_NOT_INITIALIZED,
                     .pin2 = app->pin2_retries, .puk2 = app->puk2_retries,
                     .pin2_enabled = uim_pin_enabled (app->pin2_state) };

    if (app->upin_replaces_pin1) {
      info.lock = lock_from_uim_pin (card->upin_state);
      info.pin = card->upin_retries;
      info.puk = card->upuk_retries;
      info.pin1_enabled = uim_pin_enabled (card->upin_state);
    } else {
      info.lock = lock_from_uim_pin (app->pin1_state);
      info.pin = app->pin1_retries;
      info.puk = app->puk1_retries;
      info.pin1_enabled = uim_pin_enabled (app->pin1_state);
    }
    /* PIN2 never locks the modem (it guards fixed dialling only). */
    mx_sim_lock_loaded (task, &info);
  }
}

static void
dms_pin_status_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(QmiMessageDmsUimGetPinStatusOutput) output = NULL;
  GError *error = NULL;
  QmiDmsUimPinStatus status;
  guint8 verify = 0, unblock = 0;
  MMModemLock lock;

  output = qmi_client_dms_uim_get_pin_status_finish (QMI_CLIENT_DMS (source), res, &error);
  if (!output || !qmi_message_dms_uim_get_pin_status_output_get_result (output, &error) ||
      !qmi_message_dms_uim_get_pin_status_output_get_pin1_status (output, &status, &verify, &unblock, &error)) {
    g_prefix_error (&error, "DMS UIM Get PIN Status: ");
    if (g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED) ||
        g_error_matches (error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_SIM)) {
      g_task_return_new_error (task, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED,
                               "%s", error->message);
      g_error_free (error);
      return;
    }
    g_task_return_error (task, error);
    return;
  }
  switch (status) {
  case QMI_DMS_UIM_PIN_STATUS_ENABLED_NOT_VERIFIED: lock = MM_MODEM_LOCK_SIM_PIN; break;
  case QMI_DMS_UIM_PIN_STATUS_BLOCKED:
  case QMI_DMS_UIM_PIN_STATUS_PERMANENTLY_BLOCKED:  lock = MM_MODEM_LOCK_SIM_PUK; break;
  default:                                          lock = MM_MODEM_LOCK_NONE; break;
  }
  {
    PinInfo info = { .lock = lock, .have_retries = TRUE, .pin = verify, .puk = unblock,
                     .pin1_enabled = status != QMI_DMS_UIM_PIN_STATUS_DISABLED &&
                                     status != QMI_DMS_UIM_PIN_STATUS_NOT_INITIALIZED };
    QmiDmsUimPinStatus status2;
    guint8 verify2 = 0, unblock2 = 0;

    if (qmi_message_dms_uim_get_pin_status_output_get_pin2_status (output, &status2, &verify2, &unblock2, NULL) &&
        status2 != QMI_DMS_UIM_PIN_STATUS_NOT_INITIALIZED) {
      info.have_pin2 = TRUE;
      info.pin2 = verify2;
      info.puk2 = unblock2;
      info.pin2_enabled = status2 != QMI_DMS_UIM_PIN_STATUS_DISABLED;
    }
    mx_sim_lock_loaded (task, &info);
  }
}

void
mx_sim_load_lock (MxSim *self, GCancellable *cancellable,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  QmiClient *uim = self->port ? mx_qmi_port_peek_client (self->port, QMI_SERVICE_UIM) : NULL;
  QmiClient *dms = self->port ? mx_qmi_port_peek_client (self->port, QMI_SERVICE_DMS) : NULL;

  if (self->mbim) {
    mx_sim_mbim_load_lock (self->mbim, task);
  } else if (uim) {
    qmi_client_uim_get_card_status (QMI_CLIENT_UIM (uim), NULL, mx_qmi_timeout (SIM_TIMEOUT_S), cancellable,
                                    uim_card_status_ready, task);
  } else if (dms) {
    qmi_client_dms_uim_get_pin_status (QMI_CLIENT_DMS (dms), NULL, mx_qmi_timeout (SIM_TIMEOUT_S),
                                       cancellable, dms_pin_status_ready, task);
  } else {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                             "no QMI client to read the SIM state");
    g_object_unref (task);
  }
}

gboolean
mx_sim_load_lock_finish (MxSim *self, GAsyncResult *res, MMModemLock *lock, GError **error)
{
  if (!g_task_propagate_boolean (G_TASK (res), error))
    return FALSE;
  if (lock)
    *lock = self->lock;
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Identity: ICCID, IMSI, EF_AD and SPN read together, each through UIM
 * first, then (ICCID, IMSI) DMS. EF_AD and SPN only count with an IMSI.   */

typedef enum {
  ID_ICCID,
  ID_IMSI,
  ID_AD,
  ID_SPN,
  ID_N_ITEMS,
} IdItem;

typedef struct {
  guint    pending;
  gboolean cancelled;
  gchar   *iccid;
  gchar   *imsi;
  guint    mnc_length;
  gchar   *spn;
} IdContext;

/* One item's read, with its own fallback. */
typedef struct {
  GTask   *task;
  IdItem   item;
  gboolean tried_dms;
} IdRead;

static void
id_context_free (IdContext *ctx)
{
  g_free (ctx->iccid);
  g_free (ctx->imsi);
  g_free (ctx->spn);
  g_free (ctx);
}

static const gchar *
id_item_name (IdItem item)
{
  static const gchar *names[] = { "ICCID", "IMSI", "EF_AD", "SPN", "" };
  return names[item];
}

static void id_read (IdRead *r);
static void id_finish (GTask *task);

/* One item done (read or not available). */
static void
id_read_done (IdRead *r)
{
  GTask *task = r->task;
  IdContext *ctx = g_task_get_task_data (task);

  g_free (r);
  if (--ctx->pending == 0)
    id_finish (task);
}

static void
id_store (IdRead *r, const guint8 *data, gsize len)
{
  IdContext *ctx = g_task_get_task_data (r->task);

  switch (r->item) {
  case ID_ICCID: ctx->iccid = mx_sim_decode_iccid (data, len); break;
  case ID_IMSI:  ctx->imsi = mx_sim_decode_imsi (data, len); break;
  case ID_AD:    ctx->mnc_length = mx_sim_mnc_length_from_ad (data, len); break;
  case ID_SPN:   ctx->spn = mx_sim_decode_spn (data, len); break;
  default: break;
  }
}

static void
id_failed (IdRead *r, GError *error)
{
  IdContext *ctx = g_task_get_task_data (r->task);
  MxSim *self = g_task_get_source_object (r->task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    ctx->cancelled = TRUE;
    g_error_free (error);
    id_read_done (r);
    return;
  }
  /* UIM failed: the DMS variants exist for ICCID and IMSI only. */
  if (!r->tried_dms && (r->item == ID_ICCID || r->item == ID_IMSI) &&
      mx_qmi_port_peek_client (self->port, QMI_SERVICE_DMS)) {
    g_debug ("SIM %s through UIM failed (%s); trying DMS", id_item_name (r->item), error->message);
    g_error_free (error);
    r->tried_dms = TRUE;
    id_read (r);
    return;
  }
  g_debug ("SIM %s not available: %s", id_item_name (r->item), error->message);
  g_error_free (error);
  id_read_done (r);
}

static void
uim_read_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  IdRead *r = user_data;
  g_autoptr(QmiMessageUimReadTransparentOutput) output = NULL;
  GError *error = NULL;
  GArray *data = NULL;

  output = qmi_client_uim_read_transparent_finish (QMI_CLIENT_UIM (source), res, &error);
  if (!output || !qmi_message_uim_read_transparent_output_get_result (output, &error) ||
      !qmi_message_uim_read_transparent_output_get_read_result (output, &data, &error)) {
    id_failed (r, error);
    return;
  }
  id_store (r, (const guint8 *) data->data, data->len);
  id_read_done (r);
}

static void
dms_iccid_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  IdRead *r = user_data;
  IdContext *ctx = g_task_get_task_data (r->task);
  g_autoptr(QmiMessageDmsUimGetIccidOutput) output = NULL;
  GError *error = NULL;
  const gchar *iccid = NULL;

  output = qmi_client_dms_uim_get_iccid_finish (QMI_CLIENT_DMS (source), res, &error);
  if (!output || !qmi_message_dms_uim_get_iccid_output_get_result (output, &error) ||
      !qmi_message_dms_uim_get_iccid_output_get_iccid (output, &iccid, &error)) {
    id_failed (r, error);
    return;
  }
  ctx->iccid = g_strdup (iccid);
  id_read_done (r);
}

static void
dms_imsi_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  IdRead *r = user_data;
  IdContext *ctx = g_task_get_task_data (r->task);
  g_autoptr(QmiMessageDmsUimGetImsiOutput) output = NULL;
  GError *error = NULL;
  const gchar *imsi = NULL;

  output = qmi_client_dms_uim_get_imsi_finish (QMI_CLIENT_DMS (source), res, &error);
  if (!output || !qmi_message_dms_uim_get_imsi_output_get_result (output, &error) ||
      !qmi_message_dms_uim_get_imsi_output_get_imsi (output, &imsi, &error)) {
    id_failed (r, error);
    return;
  }
  ctx->imsi = g_strdup (imsi);
  id_read_done (r);
}

static void
uim_read (IdRead *r, QmiClient *uim, QmiUimSessionType session, guint16 file,
          const guint8 *path, gsize path_len)
{
  g_autoptr(QmiMessageUimReadTransparentInput) input = qmi_message_uim_read_transparent_input_new ();
  g_autoptr(GArray) aid = g_array_new (FALSE, FALSE, 1);
  g_autoptr(GArray) file_path = g_array_new (FALSE, FALSE, 1);

  g_array_append_vals (file_path, path, path_len);
  qmi_message_uim_read_transparent_input_set_session (input, session, aid, NULL);
  qmi_message_uim_read_transparent_input_set_file (input, file, file_path, NULL);
  qmi_message_uim_read_transparent_input_set_read_information (input, 0, 0, NULL);
  qmi_client_uim_read_transparent (QMI_CLIENT_UIM (uim), input, mx_qmi_timeout (SIM_TIMEOUT_S),
                                   g_task_get_cancellable (r->task), uim_read_ready, r);
}

void
mx_sim_identity_loaded (GTask *task, const gchar *iccid, const gchar *imsi, guint mnc_length,
                        const gchar *spn)
{
  MxSim *self = g_task_get_source_object (task);
  g_autofree gchar *operator_id = mx_sim_operator_id_from_imsi (imsi, mnc_length);

  mm_gdbus_sim_set_sim_identifier (self->skeleton, iccid ? iccid : "");
  mm_gdbus_sim_set_imsi (self->skeleton, imsi ? imsi : "");
  mm_gdbus_sim_set_operator_identifier (self->skeleton, operator_id ? operator_id : "");
  mm_gdbus_sim_set_operator_name (self->skeleton, spn ? spn : "");
  g_info ("SIM: operator %s%s%s", operator_id ? operator_id : "unknown",
          spn ? ", " : "", spn ? spn : "");
  g_debug ("SIM: ICCID %s, IMSI %s", mx_log_personal (iccid), mx_log_personal (imsi));
  if (!iccid && !imsi) {
    g_task_return_new_error (task, MM_CORE_ERROR, MM_CORE_ERROR_FAILED,
                             "neither ICCID nor IMSI could be read from the SIM");
    g_object_unref (task);
    return;
  }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
id_finish (GTask *task)
{
  IdContext *ctx = g_task_get_task_data (task);

  if (ctx->cancelled && g_task_return_error_if_cancelled (task)) {
    g_object_unref (task);
    return;
  }
  if (!ctx->imsi) {
    /* EF_AD and SPN describe the IMSI's operator: nothing without it. */
    ctx->mnc_length = 0;
    g_clear_pointer (&ctx->spn, g_free);
  }
  mx_sim_identity_loaded (task, ctx->iccid, ctx->imsi, ctx->mnc_length, ctx->spn);
}

static void
id_read (IdRead *r)
{
  MxSim *self = g_task_get_source_object (r->task);
  QmiClient *uim = mx_qmi_port_peek_client (self->port, QMI_SERVICE_UIM);
  QmiClient *dms = mx_qmi_port_peek_client (self->port, QMI_SERVICE_DMS);
  GCancellable *cancellable = g_task_get_cancellable (r->task);
  gboolean use_uim = uim && !r->tried_dms;

  if (!uim)
    r->tried_dms = TRUE;
  switch (r->item) {
  case ID_ICCID:
    if (use_uim)
      uim_read (r, uim, QMI_UIM_SESSION_TYPE_CARD_SLOT_1, EF_ICCID, path_mf, sizeof path_mf);
    else if (dms)
      qmi_client_dms_uim_get_iccid (QMI_CLIENT_DMS (dms), NULL, mx_qmi_timeout (SIM_TIMEOUT_S),
                                    cancellable, dms_iccid_ready, r);
    else
      id_read_done (r);
    return;
  case ID_IMSI:
    if (use_uim)
      uim_read (r, uim, QMI_UIM_SESSION_TYPE_PRIMARY_GW_PROVISIONING, EF_IMSI,
                path_mf_adf, sizeof path_mf_adf);
    else if (dms)
      qmi_client_dms_uim_get_imsi (QMI_CLIENT_DMS (dms), NULL, mx_qmi_timeout (SIM_TIMEOUT_S),
                                   cancellable, dms_imsi_ready, r);
    else
      id_read_done (r);
    return;
  case ID_AD:
  case ID_SPN:
  default:
    if (use_uim)
      uim_read (r, uim, QMI_UIM_SESSION_TYPE_PRIMARY_GW_PROVISIONING,
                r->item == ID_AD ? EF_AD : EF_SPN, path_mf_adf, sizeof path_mf_adf);
    else
      id_read_done (r);
    return;
  }
}

void
mx_sim_load_identity (MxSim *self, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  IdContext *ctx;

  if (self->mbim) {
    mx_sim_mbim_load_identity (self->mbim, task);
    return;
  }
  ctx = g_new0 (IdContext, 1);
  g_task_set_task_data (task, ctx, (GDestroyNotify) id_context_free);
  /* All counted before the first is sent: no answer ends the load early. */
  ctx->pending = ID_N_ITEMS;
  for (guint i = 0; i < ID_N_ITEMS; i++) {
    IdRead *r = g_new0 (IdRead, 1);

    r->task = task;
    r->item = i;
    id_read (r);
  }
}

gboolean
mx_sim_load_identity_finish (MxSim *self, GAsyncResult *res, GError **error)
{
  return g_task_propagate_boolean (G_TASK (res), error);
}

/* ------------------------------------------------------------------------ */
/* SendPin                                                                  */

typedef struct {
  MxSim                 *self;
  GDBusMethodInvocation *invocation;
  gchar                 *pin;
  GError                *verify_error;  /* kept while the lock state is re-read */
} PinContext;

static void
pin_context_free (PinContext *ctx)
{
  g_object_unref (ctx->self);
  g_object_unref (ctx->invocation);
  if (ctx->pin)
    memset (ctx->pin, 0, strlen (ctx->pin));
  g_free (ctx->pin);
  g_clear_error (&ctx->verify_error);
  g_free (ctx);
}

static void
pin_done (PinContext *ctx, GError *error)
{
  ctx->self->pin_in_progress = FALSE;
  if (error)
    g_dbus_method_invocation_take_error (ctx->invocation, error);
  else
    mm_gdbus_sim_complete_send_pin (ctx->self->skeleton, ctx->invocation);
  pin_context_free (ctx);
}

static void
pin_reload_lock_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  PinContext *ctx = user_data;
  MxSim *self = ctx->self;
  g_autoptr(GError) error = NULL;
  MMModemLock lock = MM_MODEM_LOCK_UNKNOWN;

  if (!mx_sim_load_lock_finish (self, res, &lock, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !ctx->verify_error) {
      pin_done (ctx, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_ABORTED, "Modem was removed"));
      return;
    }
    g_warning ("SIM: cannot re-read the lock state after SendPin: %s", error->message);
  }

  if (ctx->verify_error) {
    pin_done (ctx, g_steal_pointer (&ctx->verify_error));
    return;
  }
  if (lock == MM_MODEM_LOCK_NONE) {
    g_info ("SIM unlocked");
    g_signal_emit (self, signals[SIGNAL_UNLOCKED], 0);
  }
  pin_done (ctx, NULL);
}

/* Maps a failed verification to the error mmcli and NetworkManager know. */
static GError *
verify_error_to_mm (GError *qmi_error, gint retries_left)
{
  GError *error;

  if (g_error_matches (qmi_error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_INCORRECT_PIN)) {
    error = mx_sim_incorrect_pin_error (retries_left);
  } else if (g_error_matches (qmi_error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_PIN_BLOCKED) ||
             g_error_matches (qmi_error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_PIN_ALWAYS_BLOCKED)) {
    error = g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_PUK,
                         "PIN blocked: PUK required");
  } else if (g_error_matches (qmi_error, QMI_PROTOCOL_ERROR, QMI_PROTOCOL_ERROR_NO_EFFECT)) {
    error = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE, "SIM PIN already verified");
  } else {
    error = g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_FAILED, "Cannot verify PIN: %s", qmi_error->message);
  }
  return error;
}

GError *
mx_sim_incorrect_pin_error (gint retries_left)
{
  if (retries_left >= 0)
    return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_INCORRECT_PASSWORD,
                        "Incorrect PIN (%d attempts left)", retries_left);
  return g_error_new (MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_INCORRECT_PASSWORD,
                      "Incorrect PIN");
}

void
mx_sim_pin_verified (gpointer pin_context, GError *mm_error)
{
  PinContext *ctx = pin_context;

  if (g_error_matches (mm_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    pin_done (ctx, mm_error);
    return;
  }
  if (mm_error) {
    ctx->verify_error = mm_error;
    g_info ("SIM: SendPin failed: %s", ctx->verify_error->message);
  }
  /* Re-read the lock either way: a wrong PIN lowered the retries. */
  mx_sim_load_lock (ctx->self, ctx->self->cancellable, pin_reload_lock_ready, ctx);
}

/* The answer to Verify PIN (UIM or DMS); takes @qmi_error. */
static void
pin_verified (PinContext *ctx, GError *qmi_error, gint retries_left)
{
  GError *mm_error = NULL;

  if (g_error_matches (qmi_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    pin_done (ctx, qmi_error);
    return;
  }
  if (qmi_error) {
    mm_error = verify_error_to_mm (qmi_error, retries_left);
    g_error_free (qmi_error);
  }
  mx_sim_pin_verified (ctx, mm_error);
}

static void
uim_verify_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  PinContext *ctx = user_data;
  g_autoptr(QmiMessageUimVerifyPinOutput) output = NULL;
  GError *error = NULL;
  guint8 left = 0, unblock = 0;
  gint retries = -1;

  output = qmi_client_uim_verify_pin_finish (QMI_CLIENT_UIM (source), res, &error);
  if (output && !qmi_message_uim_verify_pin_output_get_result (output, &error) &&
      qmi_message_uim_verify_pin_output_get_retries_remaining (output, &left, &unblock, NULL))
    retries = left;
  pin_verified (ctx, error, retries);
}

static void
dms_verify_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  PinContext *ctx = user_data;
  g_autoptr(QmiMessageDmsUimVerifyPinOutput) output = NULL;
  GError *error = NULL;
  guint8 left = 0, unblock = 0;
  gint retries = -1;

  output = qmi_client_dms_uim_verify_pin_finish (QMI_CLIENT_DMS (source), res, &error);
  if (output && !qmi_message_dms_uim_verify_pin_output_get_result (output, &error) &&
      qmi_message_dms_uim_verify_pin_output_get_pin_retries_status (output, &left, &unblock, NULL))
    retries = left;
  pin_verified (ctx, error, retries);
}

static gboolean
pin_is_valid (const gchar *pin)
{
  gsize i, n = pin ? strlen (pin) : 0;

  if (n < 4 || n > 8)
    return FALSE;
  for (i = 0; i < n; i++)
    if (!g_ascii_isdigit (pin[i]))
      return FALSE;
  return TRUE;
}

static void
send_pin_authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  PinContext *ctx = user_data;
  MxSim *self = ctx->self;
  QmiClient *uim, *dms;
  GError *error = NULL;

  if (!mx_auth_authorize_finish (res, &error)) {
    pin_done (ctx, error);
    return;
  }
  /* Checked after authorization: a denied caller learns nothing else. */
  if (!pin_is_valid (ctx->pin)) {
    pin_done (ctx, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_INVALID_ARGS,
                                "Invalid PIN: 4 to 8 digits expected"));
    return;
  }
  if (self->lock != MM_MODEM_LOCK_SIM_PIN) {
    pin_done (ctx, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE,
                                "Cannot send PIN: the SIM %s", self->lock == MM_MODEM_LOCK_NONE ?
                                "is not locked" : "does not ask for a PIN"));
    return;
  }
  uim = self->port ? mx_qmi_port_peek_client (self->port, QMI_SERVICE_UIM) : NULL;
  dms = self->port ? mx_qmi_port_peek_client (self->port, QMI_SERVICE_DMS) : NULL;
  g_info ("SIM: verifying PIN");
  if (self->mbim) {
    mx_sim_mbim_verify_pin (self->mbim, ctx->pin, self->cancellable, ctx);
  } else if (uim) {
    g_autoptr(QmiMessageUimVerifyPinInput) input = qmi_message_uim_verify_pin_input_new ();
    g_autoptr(GArray) aid = g_array_new (FALSE, FALSE, 1);
    qmi_message_uim_verify_pin_input_set_info (input, QMI_UIM_PIN_ID_PIN1, ctx->pin, NULL);
    qmi_message_uim_verify_pin_input_set_session (input, QMI_UIM_SESSION_TYPE_CARD_SLOT_1, aid, NULL);
    qmi_client_uim_verify_pin (QMI_CLIENT_UIM (uim), input, mx_qmi_timeout (SIM_TIMEOUT_S), self->cancellable,
                               uim_verify_ready, ctx);
  } else if (dms) {
    g_autoptr(QmiMessageDmsUimVerifyPinInput) input = qmi_message_dms_uim_verify_pin_input_new ();
    qmi_message_dms_uim_verify_pin_input_set_info (input, QMI_DMS_UIM_PIN_ID_PIN, ctx->pin, NULL);
    qmi_client_dms_uim_verify_pin (QMI_CLIENT_DMS (dms), input, mx_qmi_timeout (SIM_TIMEOUT_S),
                                   self->cancellable, dms_verify_ready, ctx);
  } else {
    pin_done (ctx, g_error_new (MM_CORE_ERROR, MM_CORE_ERROR_WRONG_STATE, "Modem is gone"));
  }
}

static gboolean
handle_send_pin (MmGdbusSim *skeleton, GDBusMethodInvocation *invocation, const gchar *pin, MxSim *self)
{
  PinContext *ctx;

  if (self->pin_in_progress) {
    g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_IN_PROGRESS,
                                           "Another PIN operation is in progress");
    return TRUE;
  }
  self->pin_in_progress = TRUE;
  ctx = g_new0 (PinContext, 1);
  ctx->self = g_object_ref (self);
  ctx->invocation = g_object_ref (invocation);
  ctx->pin = g_strdup (pin);
  mx_auth_authorize (invocation, MX_AUTH_ACTION_DEVICE_CONTROL, self->cancellable,
                     send_pin_authorized, ctx);
  return TRUE;
}

static gboolean
handle_unsupported (MmGdbusSim *skeleton, GDBusMethodInvocation *invocation)
{
  g_dbus_method_invocation_return_error (invocation, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                                         "%s is not supported by modemux yet",
                                         g_dbus_method_invocation_get_method_name (invocation));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Card watch                                                               */

static void
watch_lock_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  MxSim *self = MX_SIM (source);
  g_autoptr(GError) error = NULL;

  if (mx_sim_load_lock_finish (self, res, NULL, &error))
    return;
  if (g_error_matches (error, MM_MOBILE_EQUIPMENT_ERROR, MM_MOBILE_EQUIPMENT_ERROR_SIM_NOT_INSERTED)) {
    g_message ("SIM card removed (%s)", error->message);
    g_signal_emit (self, signals[SIGNAL_CARD_REMOVED], 0);
  } else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_warning ("SIM: cannot read the card state after a card status change: %s", error->message);
  }
}

static void
card_status_indication_cb (QmiClientUim *client, QmiIndicationUimCardStatusOutput *output, MxSim *self)
{
  /* The indication carries the same data as Get Card Status; one parser
   * (the response's) is enough: read it again. */
  g_debug ("UIM Card Status indication");
  mx_sim_load_lock (self, self->cancellable, watch_lock_ready, NULL);
}

static void
register_events_ready (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(QmiMessageUimRegisterEventsOutput) output = NULL;
  g_autoptr(GError) error = NULL;

  output = qmi_client_uim_register_events_finish (QMI_CLIENT_UIM (source), res, &error);
  if ((!output || !qmi_message_uim_register_events_output_get_result (output, &error)) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("UIM Register Events failed: %s; SIM removal will not be noticed", error->message);
}

void
mx_sim_watch_card (MxSim *self)
{
  QmiClient *uim = self->port ? mx_qmi_port_peek_client (self->port, QMI_SERVICE_UIM) : NULL;
  g_autoptr(QmiMessageUimRegisterEventsInput) input = NULL;

  if (!uim || self->watched_uim)
    return;
  self->watched_uim = g_object_ref (uim);
  self->card_status_id = g_signal_connect (uim, "card-status", G_CALLBACK (card_status_indication_cb), self);
  input = qmi_message_uim_register_events_input_new ();
  qmi_message_uim_register_events_input_set_event_registration_mask (input,
                                                                     QMI_UIM_EVENT_REGISTRATION_FLAG_CARD_STATUS,
                                                                     NULL);
  qmi_client_uim_register_events (QMI_CLIENT_UIM (uim), input, mx_qmi_timeout (SIM_TIMEOUT_S),
                                  self->cancellable, register_events_ready, NULL);
}

/* ------------------------------------------------------------------------ */

gboolean
mx_sim_export (MxSim *self, GDBusConnection *connection, const gchar *path, GError **error)
{
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                         connection, path, error))
    return FALSE;
  g_free (self->path);
  self->path = g_strdup (path);
  return TRUE;
}

void
mx_sim_unexport (MxSim *self)
{
  if (g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)))
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
}

MxSim *
mx_sim_new (MxQmiPort *port, GCancellable *modem_cancellable)
{
  MxSim *self = g_object_new (MX_TYPE_SIM, NULL);

  self->port = port ? g_object_ref (port) : NULL;
  self->cancellable = g_object_ref (modem_cancellable);
  return self;
}

void
mx_sim_set_mbim_device (MxSim *self, MbimDevice *device)
{
  g_set_object (&self->mbim, device);
}

void
mx_sim_card_changed (MxSim *self)
{
  mx_sim_load_lock (self, self->cancellable, watch_lock_ready, NULL);
}

static void
mx_sim_init (MxSim *self)
{
  self->lock = MM_MODEM_LOCK_UNKNOWN;
  self->skeleton = mm_gdbus_sim_skeleton_new ();
  mm_gdbus_sim_set_active (self->skeleton, TRUE);
  mm_gdbus_sim_set_sim_identifier (self->skeleton, "");
  mm_gdbus_sim_set_imsi (self->skeleton, "");
  mm_gdbus_sim_set_eid (self->skeleton, "");
  mm_gdbus_sim_set_operator_identifier (self->skeleton, "");
  mm_gdbus_sim_set_operator_name (self->skeleton, "");
  mm_gdbus_sim_set_emergency_numbers (self->skeleton, NULL);
  mm_gdbus_sim_set_preferred_networks (self->skeleton, g_variant_new_array (G_VARIANT_TYPE ("(su)"), NULL, 0));
  mm_gdbus_sim_set_sim_type (self->skeleton, MM_SIM_TYPE_PHYSICAL);
  mm_gdbus_sim_set_esim_status (self->skeleton, MM_SIM_ESIM_STATUS_UNKNOWN);
  mm_gdbus_sim_set_removability (self->skeleton, MM_SIM_REMOVABILITY_UNKNOWN);
  g_signal_connect (self->skeleton, "handle-send-pin", G_CALLBACK (handle_send_pin), self);
  g_signal_connect (self->skeleton, "handle-send-puk", G_CALLBACK (handle_unsupported), NULL);
  g_signal_connect (self->skeleton, "handle-enable-pin", G_CALLBACK (handle_unsupported), NULL);
  g_signal_connect (self->skeleton, "handle-change-pin", G_CALLBACK (handle_unsupported), NULL);
  g_signal_connect (self->skeleton, "handle-set-preferred-networks", G_CALLBACK (handle_unsupported), NULL);
}

static void
mx_sim_dispose (GObject *object)
{
  MxSim *self = MX_SIM (object);

  if (self->skeleton) {
    mx_sim_unexport (self);
    g_signal_handlers_disconnect_by_data (self->skeleton, self);
    g_signal_handlers_disconnect_by_func (self->skeleton, handle_unsupported, NULL);
    g_clear_object (&self->skeleton);
  }
  if (self->watched_uim) {
    g_clear_signal_handler (&self->card_status_id, self->watched_uim);
    g_clear_object (&self->watched_uim);
  }
  g_clear_object (&self->port);
  g_clear_object (&self->mbim);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (mx_sim_parent_class)->dispose (object);
}

static void
mx_sim_finalize (GObject *object)
{
  g_free (MX_SIM (object)->path);
  G_OBJECT_CLASS (mx_sim_parent_class)->finalize (object);
}

static void
mx_sim_class_init (MxSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mx_sim_dispose;
  object_class->finalize = mx_sim_finalize;
  signals[SIGNAL_UNLOCKED] =
    g_signal_new (MX_SIM_SIGNAL_UNLOCKED, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CARD_REMOVED] =
    g_signal_new (MX_SIM_SIGNAL_CARD_REMOVED, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOCK_CHANGED] =
    g_signal_new (MX_SIM_SIGNAL_LOCK_CHANGED, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_VARIANT);
}
