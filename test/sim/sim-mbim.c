/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's MBIM function (docs/simulator.md, "MBIM"): Basic Connect
 * over the same engine state as QMI (identity, SIM, registration, radio,
 * PDN sessions). Served through a fake mbim-proxy (--mbim-proxy[=NAME])
 * and/or a pty (--pty-mbim=PATH). An MBIM session id is the engine
 * session's mux id; MBIM sessions belong to the device, not to the
 * connection that made them (mbimcli connects and exits).
 */
#define G_LOG_DOMAIN "sim-mbim"

#include <stdio.h>
#include <string.h>

#include "sim-mbim.h"
#include "sim-mbim-codec.h"
#include "sim-mbim-port.h"

/* MBIM enum values used on the wire (MBIM 1.0 spec, libmbim mbim-enums.h). */
#define DEVICE_TYPE_REMOVABLE   2
#define CELLULAR_CLASS_GSM      1
#define VOICE_CLASS_NO_VOICE    1
#define SIM_CLASS_REMOVABLE     2
#define DATA_CLASS_ALL_3GPP     (MBIM_DATA_CLASS_GPRS | MBIM_DATA_CLASS_EDGE | MBIM_DATA_CLASS_UMTS | \
                                 MBIM_DATA_CLASS_HSDPA | MBIM_DATA_CLASS_HSUPA | MBIM_DATA_CLASS_LTE)
#define CTRL_CAPS_REG_MANUAL    1
#define RADIO_OFF               0
#define RADIO_ON                1
#define DMS_MODE_ONLINE         0
#define DMS_MODE_LOW_POWER      1
#define ACTIVATION_DEACTIVATE   0
#define ACTIVATION_ACTIVATE     1

struct _SimMbim {
  SimModem   *modem;
  GPtrArray  *ports;        /* SimMbimPort* */
  GHashTable *sessions;     /* MBIM session id -> GPtrArray of SimSession* */
  guint       watch_id;
  gboolean    stopping;     /* we are stopping sessions ourselves */
};

static void
log_message (SimMbim *self, SimMbimConn *conn, const gchar *dir, const MbimMessage *message)
{
  g_autofree gchar *printable = mbim_message_get_printable (message, "", FALSE);
  g_auto(GStrv) lines = g_strsplit (printable ? printable : "", "\n", -1);
  g_autofree gchar *flat = NULL;
  guint i;

  /* One line per message, as the QMI log does. */
  for (i = 0; lines[i]; i++)
    g_strstrip (lines[i]);
  flat = g_strjoinv (" ", lines);
  sim_modem_log (self->modem, "mbim %s %s %s", sim_mbim_conn_get_name (conn), dir, flat);
}

static void
send_message (SimMbim *self, SimMbimConn *conn, MbimMessage *message)
{
  log_message (self, conn, "<<", message);
  sim_mbim_conn_send (conn, message);
}

static void
reply (SimMbim *self, SimMbimConn *conn, const MbimMessage *request,
       MbimStatusError status, GByteArray *info)
{
  g_autoptr(MbimMessage) done = NULL;

  done = sim_mbim_command_done_new (mbim_message_get_transaction_id (request),
                                    mbim_message_command_get_service_id (request),
                                    mbim_message_command_get_cid (request), status,
                                    info ? info->data : NULL, info ? info->len : 0);
  send_message (self, conn, done);
}

static void
indicate_all (SimMbim *self, MbimService service, guint32 cid, GByteArray *info)
{
  g_autoptr(MbimMessage) ind = sim_mbim_indicate_status_new (mbim_uuid_from_service (service), cid,
                                                              info->data, info->len);
  guint i;

  for (i = 0; i < self->ports->len; i++) {
    GList *l;

    for (l = sim_mbim_port_get_conns (g_ptr_array_index (self->ports, i)); l; l = l->next)
      if (sim_mbim_conn_get_opened (l->data))
        send_message (self, l->data, ind);
  }
}

/* ------------------------------------------------------------------------ */
/* Information buffers                                                      */

static GByteArray *
build_device_caps (SimMbim *self)
{
  const SimScenario *sc = sim_modem_get_scenario (self->modem);
  SimMbimBuf *b = sim_mbim_buf_new ();

  sim_mbim_buf_u32 (b, DEVICE_TYPE_REMOVABLE);
  sim_mbim_buf_u32 (b, CELLULAR_CLASS_GSM);
  sim_mbim_buf_u32 (b, VOICE_CLASS_NO_VOICE);
  sim_mbim_buf_u32 (b, SIM_CLASS_REMOVABLE);
  sim_mbim_buf_u32 (b, DATA_CLASS_ALL_3GPP);
  sim_mbim_buf_u32 (b, 0);                      /* SMS caps: none emulated */
  sim_mbim_buf_u32 (b, CTRL_CAPS_REG_MANUAL);
  sim_mbim_buf_u32 (b, sc->max_sessions);
  sim_mbim_buf_string (b, NULL);                /* custom data class */
  sim_mbim_buf_string (b, sc->imei);
  sim_mbim_buf_string (b, sc->revision);
  sim_mbim_buf_string (b, sc->hardware_revision ? sc->hardware_revision : sc->model);
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_subscriber_ready (SimMbim *self)
{
  const SimScenario *sc = sim_modem_get_scenario (self->modem);
  SimCardState card = sim_modem_get_card_state (self->modem, NULL, NULL);
  SimMbimBuf *b = sim_mbim_buf_new ();
  MbimSubscriberReadyState state;
  gboolean show_ids;

  switch (card) {
  case SIM_CARD_ABSENT:       state = MBIM_SUBSCRIBER_READY_STATE_SIM_NOT_INSERTED; break;
  case SIM_CARD_PIN_REQUIRED:
  case SIM_CARD_PUK_REQUIRED: state = MBIM_SUBSCRIBER_READY_STATE_DEVICE_LOCKED; break;
  case SIM_CARD_BLOCKED:      state = MBIM_SUBSCRIBER_READY_STATE_BAD_SIM; break;
  case SIM_CARD_READY:
  default:                    state = MBIM_SUBSCRIBER_READY_STATE_INITIALIZED; break;
  }
  /* Firmware reports the IMSI only once the SIM is unlocked. */
  show_ids = state == MBIM_SUBSCRIBER_READY_STATE_INITIALIZED;
  sim_mbim_buf_u32 (b, state);
  sim_mbim_buf_string (b, show_ids ? sc->imsi : NULL);
  sim_mbim_buf_string (b, card != SIM_CARD_ABSENT ? sc->iccid : NULL);
  sim_mbim_buf_u32 (b, MBIM_READY_INFO_FLAG_NONE);
  if (show_ids && sc->msisdn && *sc->msisdn) {
    sim_mbim_buf_u32 (b, 1);
    sim_mbim_buf_string (b, sc->msisdn);        /* string-array: inline pairs */
  } else {
    sim_mbim_buf_u32 (b, 0);
  }
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_radio_state (SimMbim *self)
{
  SimMbimBuf *b = sim_mbim_buf_new ();

  sim_mbim_buf_u32 (b, RADIO_ON);   /* no hardware kill switch */
  sim_mbim_buf_u32 (b, sim_modem_get_operating_mode (self->modem) == DMS_MODE_ONLINE ? RADIO_ON : RADIO_OFF);
  return sim_mbim_buf_finish (b);
}

static gboolean
is_registered (SimMbim *self)
{
  SimRegState reg = sim_modem_get_registration (self->modem);

  return reg == SIM_REG_HOME || reg == SIM_REG_ROAMING;
}

static GByteArray *
build_register_state (SimMbim *self)
{
  const SimScenario *sc = sim_modem_get_scenario (self->modem);
  SimMbimBuf *b = sim_mbim_buf_new ();
  g_autofree gchar *plmn = g_strdup_printf ("%s%s", sc->mcc ? sc->mcc : "", sc->mnc ? sc->mnc : "");
  MbimRegisterState state;
  gboolean registered = is_registered (self);

  switch (sim_modem_get_registration (self->modem)) {
  case SIM_REG_HOME:      state = MBIM_REGISTER_STATE_HOME; break;
  case SIM_REG_ROAMING:   state = MBIM_REGISTER_STATE_ROAMING; break;
  case SIM_REG_SEARCHING: state = MBIM_REGISTER_STATE_SEARCHING; break;
  case SIM_REG_DENIED:    state = MBIM_REGISTER_STATE_DENIED; break;
  default:                state = MBIM_REGISTER_STATE_DEREGISTERED; break;
  }
  sim_mbim_buf_u32 (b, 0);                                     /* NwError */
  sim_mbim_buf_u32 (b, state);
  sim_mbim_buf_u32 (b, MBIM_REGISTER_MODE_AUTOMATIC);
  sim_mbim_buf_u32 (b, registered ? MBIM_DATA_CLASS_LTE : 0);
  sim_mbim_buf_u32 (b, CELLULAR_CLASS_GSM);
  sim_mbim_buf_string (b, registered ? plmn : NULL);
  sim_mbim_buf_string (b, registered ? sc->operator_name : NULL);
  sim_mbim_buf_string (b, NULL);                               /* roaming text */
  sim_mbim_buf_u32 (b, MBIM_REGISTRATION_FLAG_PACKET_SERVICE_AUTOMATIC_ATTACH);
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_home_provider (SimMbim *self)
{
  const SimScenario *sc = sim_modem_get_scenario (self->modem);
  SimMbimBuf *b = sim_mbim_buf_new ();
  g_autofree gchar *plmn = g_strdup_printf ("%s%s", sc->mcc ? sc->mcc : "", sc->mnc ? sc->mnc : "");

  /* MbimProvider inline at offset 0: its string offsets are buffer offsets. */
  sim_mbim_buf_string (b, plmn);
  sim_mbim_buf_u32 (b, MBIM_PROVIDER_STATE_HOME);
  sim_mbim_buf_string (b, sc->operator_name);
  sim_mbim_buf_u32 (b, CELLULAR_CLASS_GSM);
  sim_mbim_buf_u32 (b, 99);   /* RSSI unknown in this context */
  sim_mbim_buf_u32 (b, 99);   /* error rate unknown */
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_packet_service (SimMbim *self)
{
  SimMbimBuf *b = sim_mbim_buf_new ();
  gboolean attached = is_registered (self);

  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_u32 (b, attached ? MBIM_PACKET_SERVICE_STATE_ATTACHED : MBIM_PACKET_SERVICE_STATE_DETACHED);
  sim_mbim_buf_u32 (b, attached ? MBIM_DATA_CLASS_LTE : 0);
  sim_mbim_buf_u64 (b, attached ? 50000000 : 0);   /* uplink bps */
  sim_mbim_buf_u64 (b, attached ? 150000000 : 0);  /* downlink bps */
  return sim_mbim_buf_finish (b);
}

/* Packet Statistics: the data path's per-session counters (the engine's
 * per-mux counters, mux id = session id) summed over the active sessions
 * (MBIM 1.0 has no session id in this query). In = to the host (downlink),
 * Out = from the host (uplink); OutDiscards = uplink packets the modem
 * could not deliver. */
static GByteArray *
build_packet_statistics (SimMbim *self)
{
  SimMbimBuf *b = sim_mbim_buf_new ();
  GHashTableIter iter;
  gpointer key;
  guint64 in_octets = 0, in_packets = 0, out_octets = 0, out_packets = 0, out_discards = 0;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    const SimMuxCounters *c = sim_modem_get_mux_counters (self->modem, (guint8) GPOINTER_TO_UINT (key));

    in_octets += c->dl_bytes;
    in_packets += c->dl_packets;
    out_octets += c->ul_bytes;
    out_packets += c->ul_packets;
    out_discards += c->ul_dropped;
  }
  sim_mbim_buf_u32 (b, 0);              /* InDiscards */
  sim_mbim_buf_u32 (b, 0);              /* InErrors */
  sim_mbim_buf_u64 (b, in_octets);
  sim_mbim_buf_u64 (b, in_packets);
  sim_mbim_buf_u64 (b, out_octets);
  sim_mbim_buf_u64 (b, out_packets);
  sim_mbim_buf_u32 (b, 0);              /* OutErrors */
  sim_mbim_buf_u32 (b, (guint32) MIN (out_discards, G_MAXUINT32));
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_signal_state (SimMbim *self)
{
  const SimScenario *sc = sim_modem_get_scenario (self->modem);
  SimMbimBuf *b = sim_mbim_buf_new ();
  /* 0..31 = -113..-51 dBm in 2 dB steps, 99 unknown. */
  gint coded = is_registered (self) ? CLAMP ((sc->rssi_dbm + 113) / 2, 0, 31) : 99;

  sim_mbim_buf_u32 (b, (guint32) coded);
  sim_mbim_buf_u32 (b, 99);   /* error rate unknown */
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_u32 (b, 0);
  sim_mbim_buf_u32 (b, 0);
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_pin_state (SimMbim *self)
{
  guint pin_retries = 0, puk_retries = 0;
  SimCardState card = sim_modem_get_card_state (self->modem, &pin_retries, &puk_retries);
  SimMbimBuf *b = sim_mbim_buf_new ();

  if (card == SIM_CARD_PIN_REQUIRED) {
    sim_mbim_buf_u32 (b, MBIM_PIN_TYPE_PIN1);
    sim_mbim_buf_u32 (b, MBIM_PIN_STATE_LOCKED);
    sim_mbim_buf_u32 (b, pin_retries);
  } else if (card == SIM_CARD_PUK_REQUIRED) {
    sim_mbim_buf_u32 (b, MBIM_PIN_TYPE_PUK1);
    sim_mbim_buf_u32 (b, MBIM_PIN_STATE_LOCKED);
    sim_mbim_buf_u32 (b, puk_retries);
  } else {
    sim_mbim_buf_u32 (b, MBIM_PIN_TYPE_UNKNOWN);
    sim_mbim_buf_u32 (b, MBIM_PIN_STATE_UNLOCKED);
    sim_mbim_buf_u32 (b, pin_retries);
  }
  return sim_mbim_buf_finish (b);
}

static MbimContextIpType
session_ip_type (GPtrArray *sessions)
{
  gboolean v4 = FALSE, v6 = FALSE;
  guint i;

  for (i = 0; sessions && i < sessions->len; i++) {
    SimSession *s = g_ptr_array_index (sessions, i);
    if (s->family == 4)
      v4 = TRUE;
    else
      v6 = TRUE;
  }
  if (v4 && v6)
    return MBIM_CONTEXT_IP_TYPE_IPV4V6;
  return v6 ? MBIM_CONTEXT_IP_TYPE_IPV6 : v4 ? MBIM_CONTEXT_IP_TYPE_IPV4 : MBIM_CONTEXT_IP_TYPE_DEFAULT;
}

static GByteArray *
build_connect (guint32 session_id, GPtrArray *sessions, guint32 nw_error)
{
  SimMbimBuf *b = sim_mbim_buf_new ();
  gboolean active = sessions && sessions->len > 0;

  sim_mbim_buf_u32 (b, session_id);
  sim_mbim_buf_u32 (b, active ? MBIM_ACTIVATION_STATE_ACTIVATED : MBIM_ACTIVATION_STATE_DEACTIVATED);
  sim_mbim_buf_u32 (b, MBIM_VOICE_CALL_STATE_NONE);
  sim_mbim_buf_u32 (b, session_ip_type (sessions));
  sim_mbim_buf_uuid (b, mbim_uuid_from_context_type (active ? MBIM_CONTEXT_TYPE_INTERNET : MBIM_CONTEXT_TYPE_NONE));
  sim_mbim_buf_u32 (b, nw_error);
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_ip_configuration (guint32 session_id, GPtrArray *sessions)
{
  SimSession *s4 = NULL, *s6 = NULL;
  SimMbimBuf *b = sim_mbim_buf_new ();
  guint8 v4elem[8], v6elem[20];
  guint32 mtu4 = 0, mtu6 = 0;
  guint i;

  for (i = 0; i < sessions->len; i++) {
    SimSession *s = g_ptr_array_index (sessions, i);
    if (s->family == 4)
      s4 = s;
    else
      s6 = s;
  }
  sim_mbim_buf_u32 (b, session_id);
  sim_mbim_buf_u32 (b, s4 ? (MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_ADDRESS | MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_GATEWAY |
                             MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_DNS | MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_MTU) : 0);
  sim_mbim_buf_u32 (b, s6 ? (MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_ADDRESS | MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_GATEWAY |
                             MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_DNS | MBIM_IP_CONFIGURATION_AVAILABLE_FLAG_MTU) : 0);
  /* struct-array: count + offset to inline {prefix, address} elements */
  if (s4) {
    v4elem[0] = (guint8) s4->ipv4_prefix; v4elem[1] = v4elem[2] = v4elem[3] = 0;
    memcpy (v4elem + 4, s4->ipv4_address, 4);
    mtu4 = s4->mtu;
  }
  sim_mbim_buf_u32 (b, s4 ? 1 : 0);
  sim_mbim_buf_offset (b, v4elem, s4 ? sizeof (v4elem) : 0);
  if (s6) {
    v6elem[0] = (guint8) s6->ipv6_prefix; v6elem[1] = v6elem[2] = v6elem[3] = 0;
    memcpy (v6elem + 4, s6->ipv6_address, 16);
    mtu6 = s6->mtu;
  }
  sim_mbim_buf_u32 (b, s6 ? 1 : 0);
  sim_mbim_buf_offset (b, v6elem, s6 ? sizeof (v6elem) : 0);
  /* ref-ipv4 / ref-ipv6 gateways: offsets only */
  sim_mbim_buf_offset (b, s4 ? s4->ipv4_gateway : NULL, s4 ? 4 : 0);
  sim_mbim_buf_offset (b, s6 ? s6->ipv6_gateway : NULL, s6 ? 16 : 0);
  /* DNS: count + offset to an inline address array */
  sim_mbim_buf_u32 (b, s4 ? s4->apn->n_ipv4_dns : 0);
  sim_mbim_buf_offset (b, s4 ? (const void *) s4->apn->ipv4_dns : NULL, s4 ? 4 * s4->apn->n_ipv4_dns : 0);
  sim_mbim_buf_u32 (b, s6 ? s6->apn->n_ipv6_dns : 0);
  sim_mbim_buf_offset (b, s6 ? (const void *) s6->apn->ipv6_dns : NULL, s6 ? 16 * s6->apn->n_ipv6_dns : 0);
  sim_mbim_buf_u32 (b, mtu4);
  sim_mbim_buf_u32 (b, mtu6);
  return sim_mbim_buf_finish (b);
}

static GByteArray *
build_device_services (void)
{
  static const guint32 basic_cids[] = { 1, 2, 3, 4, 6, 9, 10, 11, 12, 15, 16, 19, 20 };
  SimMbimBuf *b = sim_mbim_buf_new ();
  SimMbimBuf *elem = sim_mbim_buf_new ();
  g_autoptr(GByteArray) e = NULL;
  guint i;

  sim_mbim_buf_uuid (elem, MBIM_UUID_BASIC_CONNECT);
  sim_mbim_buf_u32 (elem, 0);   /* DSS payload */
  sim_mbim_buf_u32 (elem, 0);   /* max DSS instances */
  sim_mbim_buf_u32 (elem, G_N_ELEMENTS (basic_cids));
  for (i = 0; i < G_N_ELEMENTS (basic_cids); i++)
    sim_mbim_buf_u32 (elem, basic_cids[i]);
  e = sim_mbim_buf_finish (elem);

  sim_mbim_buf_u32 (b, 1);     /* services */
  sim_mbim_buf_u32 (b, 0);     /* max DSS sessions */
  sim_mbim_buf_ref (b, e->data, e->len);
  return sim_mbim_buf_finish (b);
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */

static GPtrArray *
lookup_sessions (SimMbim *self, guint32 session_id)
{
  return g_hash_table_lookup (self->sessions, GUINT_TO_POINTER (session_id));
}

static void
stop_sessions (SimMbim *self, guint32 session_id)
{
  GPtrArray *sessions = lookup_sessions (self, session_id);

  if (!sessions)
    return;
  self->stopping = TRUE;
  while (sessions->len > 0) {
    SimSession *s = g_ptr_array_steal_index (sessions, sessions->len - 1);
    sim_modem_stop_session (self->modem, s, FALSE);
  }
  self->stopping = FALSE;
  g_hash_table_remove (self->sessions, GUINT_TO_POINTER (session_id));
}

static MbimStatusError
activate (SimMbim *self, guint32 session_id, const gchar *apn, guint32 ip_type, guint32 *nw_error)
{
  const SimScenario *sc = sim_modem_get_scenario (self->modem);
  const SimApn *sapn = sim_scenario_find_apn (sc, apn);
  g_autoptr(GPtrArray) started = g_ptr_array_new ();
  guint families[2];
  guint n = 0, i;

  *nw_error = 0;
  if (session_id > 255)
    return MBIM_STATUS_ERROR_INVALID_PARAMETERS;
  if (sim_modem_get_operating_mode (self->modem) != DMS_MODE_ONLINE)
    return MBIM_STATUS_ERROR_RADIO_POWER_OFF;
  switch (sim_modem_get_card_state (self->modem, NULL, NULL)) {
  case SIM_CARD_ABSENT:       return MBIM_STATUS_ERROR_SIM_NOT_INSERTED;
  case SIM_CARD_PIN_REQUIRED:
  case SIM_CARD_PUK_REQUIRED: return MBIM_STATUS_ERROR_PIN_REQUIRED;
  case SIM_CARD_BLOCKED:      return MBIM_STATUS_ERROR_BAD_SIM;
  default:                    break;
  }
  if (!is_registered (self))
    return MBIM_STATUS_ERROR_NOT_REGISTERED;
  if (lookup_sessions (self, session_id))
    return MBIM_STATUS_ERROR_BUSY;   /* session id already active */

  switch (ip_type) {
  case MBIM_CONTEXT_IP_TYPE_IPV4:   families[n++] = 4; break;
  case MBIM_CONTEXT_IP_TYPE_IPV6:   families[n++] = 6; break;
  case MBIM_CONTEXT_IP_TYPE_IPV4V6:
  case MBIM_CONTEXT_IP_TYPE_IPV4_AND_IPV6:
    families[n++] = 4;
    families[n++] = 6;
    break;
  default:
    /* Default: whatever the network grants on this APN. */
    if (!sapn || sapn->ipv4)
      families[n++] = 4;
    if (sapn && sapn->ipv6)
      families[n++] = 6;
    break;
  }

  for (i = 0; i < n; i++) {
    QmiProtocolError qerr = QMI_PROTOCOL_ERROR_NONE;
    guint16 type = 0;
    gint16 reason = 0;
    /* owner NULL: the engine treats owners as QMI clients. */
    SimSession *s = sim_modem_start_session (self->modem, apn, families[i], (guint8) session_id,
                                             NULL, &qerr, &type, &reason);

    if (!s) {
      guint j;
      /* NwError carries 3GPP causes only. */
      guint16 cause = type == QMI_WDS_VERBOSE_CALL_END_REASON_TYPE_3GPP ? (guint16) reason : 0;

      *nw_error = cause;
      self->stopping = TRUE;
      for (j = 0; j < started->len; j++)
        sim_modem_stop_session (self->modem, g_ptr_array_index (started, j), FALSE);
      self->stopping = FALSE;
      if (cause == 26)
        return MBIM_STATUS_ERROR_MAX_ACTIVATED_CONTEXTS;
      return MBIM_STATUS_ERROR_FAILURE;
    }
    g_ptr_array_add (started, s);
  }
  g_hash_table_insert (self->sessions, GUINT_TO_POINTER (session_id), g_ptr_array_ref (started));
  return MBIM_STATUS_ERROR_NONE;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

static void
handle_basic_connect (SimMbim *self, SimMbimConn *conn, const MbimMessage *request)
{
  guint32 cid = mbim_message_command_get_cid (request);
  gboolean is_set = mbim_message_command_get_command_type (request) == MBIM_MESSAGE_COMMAND_TYPE_SET;
  guint32 info_len = 0;
  const guint8 *info = mbim_message_command_get_raw_information_buffer (request, &info_len);
  g_autoptr(GByteArray) out = NULL;
  MbimStatusError status = MBIM_STATUS_ERROR_NONE;
  guint32 value = 0;
  SimFault *fault = NULL;

  /* Fault rules (service=mbim): a set-only rule first, then the CID's. */
  if (is_set)
    fault = sim_modem_match_fault (self->modem, SIM_FAULT_SERVICE_MBIM, SIM_FAULT_MBIM_SET | cid);
  if (!fault)
    fault = sim_modem_match_fault (self->modem, SIM_FAULT_SERVICE_MBIM, cid);
  if (fault && fault->action == SIM_FAULT_ACTION_ERROR) {
    sim_modem_log (self->modem, "mbim fault: cid %u (%s) answered %s", cid, is_set ? "set" : "query",
                   mbim_status_error_get_string ((MbimStatusError) fault->error));
    reply (self, conn, request, (MbimStatusError) fault->error, NULL);
    return;
  }
  if (fault) {
    /* drop (and the other actions, on MBIM): never answered. */
    sim_modem_log (self->modem, "mbim fault: cid %u (%s) not answered", cid, is_set ? "set" : "query");
    return;
  }

  switch (cid) {
  case MBIM_CID_BASIC_CONNECT_DEVICE_CAPS:
    if (is_set)
      goto unsupported;
    out = build_device_caps (self);
    break;
  case MBIM_CID_BASIC_CONNECT_SUBSCRIBER_READY_STATUS:
    if (is_set)
      goto unsupported;
    out = build_subscriber_ready (self);
    break;
  case MBIM_CID_BASIC_CONNECT_RADIO_STATE:
    if (is_set) {
      QmiProtocolError qerr = QMI_PROTOCOL_ERROR_NONE;

      if (!sim_mbim_read_u32 (info, info_len, 0, &value) || value > RADIO_ON) {
        status = MBIM_STATUS_ERROR_INVALID_PARAMETERS;
        break;
      }
      if (!sim_modem_set_operating_mode (self->modem, value == RADIO_ON ? DMS_MODE_ONLINE : DMS_MODE_LOW_POWER, &qerr)) {
        status = MBIM_STATUS_ERROR_FAILURE;
        break;
      }
    }
    out = build_radio_state (self);
    break;
  case MBIM_CID_BASIC_CONNECT_PIN:
    if (is_set) {
      g_autofree gchar *pin = sim_mbim_read_string (info, info_len, 8);
      guint32 pin_type = 0, op = 0;
      QmiProtocolError qerr = QMI_PROTOCOL_ERROR_NONE;

      if (!pin || !sim_mbim_read_u32 (info, info_len, 0, &pin_type) ||
          !sim_mbim_read_u32 (info, info_len, 4, &op)) {
        status = MBIM_STATUS_ERROR_INVALID_PARAMETERS;
        break;
      }
      if (pin_type != MBIM_PIN_TYPE_PIN1 || op != MBIM_PIN_OPERATION_ENTER) {
        status = MBIM_STATUS_ERROR_NO_DEVICE_SUPPORT;
        break;
      }
      if (!sim_modem_verify_pin (self->modem, pin, &qerr))
        status = MBIM_STATUS_ERROR_FAILURE;
    }
    out = build_pin_state (self);
    break;
  case MBIM_CID_BASIC_CONNECT_HOME_PROVIDER:
    if (is_set)
      goto unsupported;
    out = build_home_provider (self);
    break;
  case MBIM_CID_BASIC_CONNECT_REGISTER_STATE:
    /* Set (manual/automatic registration) just reports the state. */
    out = build_register_state (self);
    break;
  case MBIM_CID_BASIC_CONNECT_PACKET_SERVICE:
    if (is_set && !is_registered (self))
      status = MBIM_STATUS_ERROR_NOT_REGISTERED;
    out = build_packet_service (self);
    break;
  case MBIM_CID_BASIC_CONNECT_SIGNAL_STATE:
    out = build_signal_state (self);
    break;
  case MBIM_CID_BASIC_CONNECT_CONNECT: {
    guint32 session_id = 0, nw_error = 0;

    if (!sim_mbim_read_u32 (info, info_len, 0, &session_id)) {
      status = MBIM_STATUS_ERROR_INVALID_PARAMETERS;
      break;
    }
    if (is_set) {
      guint32 command = 0, ip_type = 0;
      g_autofree gchar *apn = sim_mbim_read_string (info, info_len, 8);

      if (!apn || !sim_mbim_read_u32 (info, info_len, 4, &command) ||
          !sim_mbim_read_u32 (info, info_len, 40, &ip_type)) {
        status = MBIM_STATUS_ERROR_INVALID_PARAMETERS;
        break;
      }
      if (command == ACTIVATION_ACTIVATE) {
        status = activate (self, session_id, apn, ip_type, &nw_error);
        sim_modem_log (self->modem, "mbim connect session %u apn '%s': %s", session_id, apn,
                       mbim_status_error_get_string (status));
      } else if (command == ACTIVATION_DEACTIVATE) {
        if (!lookup_sessions (self, session_id))
          status = MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED;
        stop_sessions (self, session_id);
      } else {
        status = MBIM_STATUS_ERROR_INVALID_PARAMETERS;
      }
    }
    out = build_connect (session_id, lookup_sessions (self, session_id), nw_error);
    break;
  }
  case MBIM_CID_BASIC_CONNECT_IP_CONFIGURATION: {
    guint32 session_id = 0;
    GPtrArray *sessions;

    if (is_set)
      goto unsupported;
    if (!sim_mbim_read_u32 (info, info_len, 0, &session_id)) {
      status = MBIM_STATUS_ERROR_INVALID_PARAMETERS;
      break;
    }
    sessions = lookup_sessions (self, session_id);
    if (!sessions) {
      status = MBIM_STATUS_ERROR_CONTEXT_NOT_ACTIVATED;
      break;
    }
    out = build_ip_configuration (session_id, sessions);
    break;
  }
  case MBIM_CID_BASIC_CONNECT_DEVICE_SERVICES:
    if (is_set)
      goto unsupported;
    out = build_device_services ();
    break;
  case MBIM_CID_BASIC_CONNECT_PACKET_STATISTICS:
    if (is_set)
      goto unsupported;
    out = build_packet_statistics (self);
    break;
  case MBIM_CID_BASIC_CONNECT_DEVICE_SERVICE_SUBSCRIBE_LIST:
    /* The response repeats the accepted list; we accept everything. */
    out = g_byte_array_new ();
    g_byte_array_append (out, info, info_len);
    break;
  default:
    goto unsupported;
  }
  /* Connect and PIN failures carry their data (NwError; the PIN state with
   * the attempts left), as firmware sends them. */
  reply (self, conn, request, status,
         status == MBIM_STATUS_ERROR_NONE || cid == MBIM_CID_BASIC_CONNECT_CONNECT ||
         cid == MBIM_CID_BASIC_CONNECT_PIN ? out : NULL);
  return;

unsupported:
  sim_modem_log (self->modem, "mbim: unsupported basic-connect cid %u (%s)", cid, is_set ? "set" : "query");
  reply (self, conn, request, MBIM_STATUS_ERROR_NO_DEVICE_SUPPORT, NULL);
}

static void
handle_command (SimMbim *self, SimMbimConn *conn, const MbimMessage *request)
{
  MbimService service = mbim_message_command_get_service (request);

  /* The proxy handshake comes before OPEN. */
  if (service == MBIM_SERVICE_PROXY_CONTROL &&
      mbim_message_command_get_cid (request) == MBIM_CID_PROXY_CONTROL_CONFIGURATION) {
    reply (self, conn, request, MBIM_STATUS_ERROR_NONE, NULL);
    return;
  }
  if (!sim_mbim_conn_get_opened (conn)) {
    g_autoptr(MbimMessage) err = mbim_message_function_error_new (mbim_message_get_transaction_id (request),
                                                                  MBIM_PROTOCOL_ERROR_NOT_OPENED);
    send_message (self, conn, err);
    return;
  }
  if (service == MBIM_SERVICE_BASIC_CONNECT) {
    handle_basic_connect (self, conn, request);
    return;
  }
  sim_modem_log (self->modem, "mbim: unsupported service %s cid %u",
                 mbim_service_get_string (service), mbim_message_command_get_cid (request));
  reply (self, conn, request, MBIM_STATUS_ERROR_NO_DEVICE_SUPPORT, NULL);
}

static void
on_message (SimMbimConn *conn, MbimMessage *message, gpointer user_data)
{
  SimMbim *self = user_data;
  g_autoptr(MbimMessage) response = NULL;

  log_message (self, conn, ">>", message);
  switch ((guint) mbim_message_get_message_type (message)) {
  case MBIM_MESSAGE_TYPE_OPEN:
    sim_mbim_conn_set_opened (conn, TRUE);
    response = mbim_message_open_done_new (mbim_message_get_transaction_id (message), MBIM_STATUS_ERROR_NONE);
    send_message (self, conn, response);
    break;
  case MBIM_MESSAGE_TYPE_CLOSE:
    sim_mbim_conn_set_opened (conn, FALSE);
    response = mbim_message_close_done_new (mbim_message_get_transaction_id (message), MBIM_STATUS_ERROR_NONE);
    send_message (self, conn, response);
    break;
  case MBIM_MESSAGE_TYPE_COMMAND:
    handle_command (self, conn, message);
    break;
  case MBIM_MESSAGE_TYPE_HOST_ERROR:
    break;
  default:
    response = mbim_message_function_error_new (mbim_message_get_transaction_id (message),
                                                MBIM_PROTOCOL_ERROR_UNKNOWN);
    send_message (self, conn, response);
    break;
  }
}

static const SimMbimPortOps port_ops = { on_message, NULL };

/* ------------------------------------------------------------------------ */
/* Engine events -> MBIM indications                                        */

static void
on_modem_event (SimModem *modem, SimModemEvent event, gpointer data, gpointer user_data)
{
  SimMbim *self = user_data;
  g_autoptr(GByteArray) info = NULL;
  GHashTableIter iter;
  gpointer key, value;
  guint i;

  switch (event) {
  case SIM_MODEM_EVENT_REGISTRATION_CHANGED:
    info = build_register_state (self);
    indicate_all (self, MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_REGISTER_STATE, info);
    g_byte_array_unref (info);
    info = build_packet_service (self);
    indicate_all (self, MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_PACKET_SERVICE, info);
    break;
  case SIM_MODEM_EVENT_OPERATING_MODE_CHANGED:
    info = build_radio_state (self);
    indicate_all (self, MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_RADIO_STATE, info);
    break;
  case SIM_MODEM_EVENT_CARD_CHANGED:
    info = build_subscriber_ready (self);
    indicate_all (self, MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_SUBSCRIBER_READY_STATUS, info);
    break;
  case SIM_MODEM_EVENT_SESSION_STOPPED:
    if (self->stopping)
      break;
    /* Ended by the network or the control socket: forget it and tell. */
    g_hash_table_iter_init (&iter, self->sessions);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      GPtrArray *sessions = value;

      for (i = 0; i < sessions->len; i++) {
        if (g_ptr_array_index (sessions, i) != data)
          continue;
        g_ptr_array_remove_index (sessions, i);
        if (sessions->len == 0) {
          guint32 session_id = GPOINTER_TO_UINT (key);

          g_hash_table_iter_remove (&iter);
          info = build_connect (session_id, NULL, 0);
          indicate_all (self, MBIM_SERVICE_BASIC_CONNECT, MBIM_CID_BASIC_CONNECT_CONNECT, info);
        }
        return;
      }
    }
    break;
  case SIM_MODEM_EVENT_HANGUP:
    for (i = 0; i < self->ports->len; i++)
      sim_mbim_port_hangup (g_ptr_array_index (self->ports, i));
    break;
  default:
    break;
  }
}

/* ------------------------------------------------------------------------ */

SimMbim *
sim_mbim_new (SimModem *modem)
{
  SimMbim *self = g_new0 (SimMbim, 1);

  self->modem = modem;
  self->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_mbim_port_free);
  self->sessions = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->watch_id = sim_modem_add_watch (modem, on_modem_event, self);
  return self;
}

gboolean
sim_mbim_add_proxy (SimMbim *self, const gchar *name, GError **error)
{
  SimMbimPort *port = sim_mbim_port_new_proxy (name, &port_ops, self, error);

  if (!port)
    return FALSE;
  g_ptr_array_add (self->ports, port);
  sim_modem_log (self->modem, "mbim: fake mbim-proxy on @%s", sim_mbim_port_get_name (port));
  return TRUE;
}

gboolean
sim_mbim_add_pty (SimMbim *self, const gchar *path, GError **error)
{
  SimMbimPort *port = sim_mbim_port_new_pty (path, &port_ops, self, error);

  if (!port)
    return FALSE;
  g_ptr_array_add (self->ports, port);
  sim_modem_log (self->modem, "mbim: serving MBIM on pty %s", path);
  return TRUE;
}

void
sim_mbim_free (SimMbim *self)
{
  if (!self)
    return;
  sim_modem_remove_watch (self->modem, self->watch_id);
  g_ptr_array_unref (self->ports);
  /* Sessions stay in the engine, which frees them with the modem. */
  g_hash_table_unref (self->sessions);
  g_free (self);
}

/* ------------------------------------------------------------------------ */
/* Command-line module: --mbim-proxy[=NAME] (repeatable), --pty-mbim=PATH   */

static GPtrArray *opt_proxies;   /* gchar*, "" = default name */
static gchar **opt_ptys;
static SimMbim *mbim;

static gboolean
mbim_proxy_cb (const gchar *name, const gchar *value, gpointer data, GError **error)
{
  if (!opt_proxies)
    opt_proxies = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (opt_proxies, g_strdup (value ? value : ""));
  return TRUE;
}

static GOptionEntry mbim_entries[] = {
  { "mbim-proxy", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, mbim_proxy_cb,
    "Serve MBIM as a fake mbim-proxy on abstract socket NAME (default mbim-proxy)", "NAME" },
  { "pty-mbim", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_ptys,
    "Serve MBIM on a pty; PATH becomes a symlink to the slave (repeatable)", "PATH" },
  { NULL }
};

static gboolean
mbim_enabled (void)
{
  return (opt_proxies && opt_proxies->len > 0) || (opt_ptys && opt_ptys[0]);
}

static gboolean
mbim_start (SimModem *modem, GError **error)
{
  guint i;

  mbim = sim_mbim_new (modem);
  for (i = 0; opt_proxies && i < opt_proxies->len; i++) {
    const gchar *name = g_ptr_array_index (opt_proxies, i);

    if (!sim_mbim_add_proxy (mbim, *name ? name : NULL, error))
      return FALSE;
  }
  for (i = 0; opt_ptys && opt_ptys[i]; i++)
    if (!sim_mbim_add_pty (mbim, opt_ptys[i], error))
      return FALSE;
  return TRUE;
}

static void
mbim_stop (SimModem *modem)
{
  g_clear_pointer (&mbim, sim_mbim_free);
  g_clear_pointer (&opt_proxies, g_ptr_array_unref);
  g_clear_pointer (&opt_ptys, g_strfreev);
}

static const SimModule mbim_module = {
  .name = "mbim",
  .entries = mbim_entries,
  .enabled = mbim_enabled,
  .start = mbim_start,
  .stop = mbim_stop,
};
SIM_DEFINE_MODULE (mbim_module)
