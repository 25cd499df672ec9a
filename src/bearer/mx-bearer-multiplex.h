/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The multiplex decision of a connect, in one function: from the data
 * port's profile (what its plugin says the port can carry, its multiplex
 * default, the ID_MM_MAX_MULTIPLEXED_LINKS quirk), the kernel's rmnet
 * support (probed once at start-up by the bearer service), the bearer's
 * `multiplex` property and --test-multiplex-requested, it returns what the
 * data port is asked for and the reason, one line for the log. Pure; no I/O.
 * test/unit/test-bearer-multiplex.c is the decision table.
 */
#pragma once

#include <libmm-glib.h>
#include "mx-bearer-data-format.h"
#include "mx-discovery-data-profile.h"

G_BEGIN_DECLS

typedef struct {
  /* The setting in force: the client's, else the port's default (raised
   * from none to requested by --test-multiplex-requested, as ModemManager). */
  MMBearerMultiplexSupport multiplex;
  MxDataFormatGoal         goal;
  /* multiplex=requested, connecting without it (the reason says why). */
  gboolean                 fallback;
  /* Why, for the log ("multiplex=requested: connecting without multiplexing
   * because ..."). Free with mx_bearer_multiplex_decision_clear(). */
  gchar                   *reason;
} MxBearerMultiplexDecision;

/* @port_name: for messages; @asked: the bearer's property
 * (MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN when the client did not say; NM 1.42
 * never does, so the default matters); @kernel_rmnet: the kernel can create
 * rmnet links. FALSE with MM_CORE_ERROR_UNSUPPORTED when the combination is
 * impossible: a port of an unknown driver or without a QMI data endpoint
 * (MBIM data: mx_bearer_multiplex_decide_mbim() below), none on a QMAP-only port
 * (IPA), required where the port's tag refuses multiplexing (the message
 * names ID_MM_MAX_MULTIPLEXED_LINKS=0), where the port has no rmnet or the
 * kernel lacks it (names CONFIG_RMNET). */
gboolean mx_bearer_multiplex_decide (const gchar               *port_name,
                                     const MxDataProfile       *profile,
                                     gboolean                   kernel_rmnet,
                                     MMBearerMultiplexSupport   asked,
                                     gboolean                   test_multiplex_requested,
                                     MxBearerMultiplexDecision *decision,
                                     GError                   **error);
void     mx_bearer_multiplex_decision_clear (MxBearerMultiplexDecision *decision);

/* The same decision for an MBIM data port (profile driver class MBIM):
 * session 0 on the data netdev, or a multiplexed session (an id from the
 * port's session range) on a link of the port's kind: a wwan link on the
 * wwan device (mhi_wwan_mbim) or an 802.1Q VLAN link on the netdev
 * (cdc_mbim). @kernel_links: the MxDataLinkKinds the kernel can create
 * (MX_DATA_LINK_WWAN: CONFIG_WWAN, MX_DATA_LINK_VLAN: CONFIG_VLAN_8021Q).
 * *@link is MX_DATA_LINK_NONE (session 0; goal RAW_IP) or the kind to
 * create (goal MULTIPLEX: what the data port is told; MBIM has no data
 * format to negotiate). Refused
 * (MM_CORE_ERROR_UNSUPPORTED) when multiplexing is required and the
 * port's tag (ID_MM_MAX_MULTIPLEXED_LINKS=0), its driver or the kernel
 * (the message names the option) cannot; requested falls back to
 * session 0 with the reason. */
gboolean mx_bearer_multiplex_decide_mbim (const gchar               *port_name,
                                          const MxDataProfile       *profile,
                                          guint                      kernel_links,
                                          MMBearerMultiplexSupport   asked,
                                          gboolean                   test_multiplex_requested,
                                          MxBearerMultiplexDecision *decision,
                                          MxDataLinkKinds           *link,
                                          GError                   **error);

const gchar *mx_bearer_multiplex_to_string (MMBearerMultiplexSupport multiplex);
const gchar *mx_data_format_goal_to_string (MxDataFormatGoal goal);

G_END_DECLS
