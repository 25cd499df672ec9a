/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The multiplex decision of a connect; see mx-bearer-multiplex.h. */
#define G_LOG_DOMAIN "mx-bearer"

#include "mx-bearer-multiplex.h"

#include "mx-discovery-port-policy.h"

const gchar *
mx_bearer_multiplex_to_string (MMBearerMultiplexSupport multiplex)
{
  switch (multiplex) {
  case MM_BEARER_MULTIPLEX_SUPPORT_NONE:      return "none";
  case MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED: return "requested";
  case MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED:  return "required";
  case MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN:
  default:                                    return "unknown";
  }
}

const gchar *
mx_data_format_goal_to_string (MxDataFormatGoal goal)
{
  switch (goal) {
  case MX_DATA_FORMAT_GOAL_MULTIPLEX:           return "QMAP only";
  case MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED: return "QMAP, else raw-IP";
  case MX_DATA_FORMAT_GOAL_RAW_IP:
  default:                                      return "raw-IP";
  }
}

static MMBearerMultiplexSupport
port_default (const MxDataProfile *profile)
{
  switch (profile->multiplex) {
  case MX_MULTIPLEX_REQUIRED:  return MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED;
  case MX_MULTIPLEX_REQUESTED: return MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED;
  case MX_MULTIPLEX_NONE:
  default:                     return MM_BEARER_MULTIPLEX_SUPPORT_NONE;
  }
}

/* The client's value, else the plugin's default per hardware (required on
 * IPA, requested on mhi_net, none elsewhere), raised from none to requested
 * by the test flag. @source: why, for the reason. */
static MMBearerMultiplexSupport
resolve (const MxDataProfile *profile, MMBearerMultiplexSupport asked,
         gboolean test_multiplex_requested, const gchar **source)
{
  if (asked != MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN) {
    *source = "the bearer's setting";
    return asked;
  }
  if (port_default (profile) == MM_BEARER_MULTIPLEX_SUPPORT_NONE && test_multiplex_requested) {
    *source = "--test-multiplex-requested over the data port's default none";
    return MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED;
  }
  *source = "the data port's default";
  return port_default (profile);
}

/* Why the port cannot multiplex whatever the client asks; NULL: it can.
 * The port's own refusal first: it holds whatever the kernel can do. */
static gchar *
no_multiplex_reason (const gchar *port_name, const MxDataProfile *profile, gboolean kernel_rmnet)
{
  if (profile->max_links == 0)
    return g_strdup_printf ("the udev tag ID_MM_MAX_MULTIPLEXED_LINKS=0 of %s forbids multiplexing",
                            port_name);
  if (!mx_data_profile_can_link (profile, MX_DATA_LINK_RMNET))
    return g_strdup ("its data port driver has no rmnet support");
  if (!kernel_rmnet)
    return g_strdup ("the kernel cannot create rmnet links (CONFIG_RMNET is not enabled)");
  return NULL;
}

gboolean
mx_bearer_multiplex_decide (const gchar               *port_name,
                            const MxDataProfile       *profile,
                            gboolean                   kernel_rmnet,
                            MMBearerMultiplexSupport   asked,
                            gboolean                   test_multiplex_requested,
                            MxBearerMultiplexDecision *d,
                            GError                   **error)
{
  const gchar *source = NULL;
  g_autofree gchar *why_not = NULL;

  *d = (MxBearerMultiplexDecision) { .goal = MX_DATA_FORMAT_GOAL_RAW_IP };
  d->multiplex = resolve (profile, asked, test_multiplex_requested, &source);

  if (profile->driver_class == MX_DATA_DRIVER_CLASS_UNKNOWN) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                 "The data port's kernel driver is unknown (expected mhi_net, ipa, qmi_wwan "
                 "or bam-dmux): cannot set up its data path");
    return FALSE;
  }
  if (!mx_data_profile_is_mapped (profile)) {
    g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                 "The data port %s (%s) has no QMI data endpoint: cannot set up its data path",
                 port_name, mx_data_driver_class_to_string (profile->driver_class));
    return FALSE;
  }

  if (d->multiplex == MM_BEARER_MULTIPLEX_SUPPORT_NONE) {
    if (!profile->raw_ip) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                   "multiplex=none is not possible on this modem: its %s data port "
                   "only carries multiplexed (QMAP) traffic",
                   mx_data_driver_class_to_string (profile->driver_class));
      return FALSE;
    }
    d->goal = MX_DATA_FORMAT_GOAL_RAW_IP;
    d->reason = g_strdup_printf ("multiplex=none (%s): %s on %s", source,
                                 mx_data_format_goal_to_string (d->goal), port_name);
    return TRUE;
  }

  why_not = no_multiplex_reason (port_name, profile, kernel_rmnet);
  if (why_not) {
    if (d->multiplex == MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED || !profile->raw_ip) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                   "Multiplexing required but not supported: %s", why_not);
      return FALSE;
    }
    d->goal = MX_DATA_FORMAT_GOAL_RAW_IP;
    d->fallback = TRUE;
    d->reason = g_strdup_printf ("multiplex=requested: connecting without multiplexing "
                                 "because %s", why_not);
    return TRUE;
  }

  d->goal = d->multiplex == MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED ?
            MX_DATA_FORMAT_GOAL_MULTIPLEX : MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED;
  d->reason = g_strdup_printf ("multiplex=%s (%s): %s on %s", mx_bearer_multiplex_to_string (d->multiplex),
                               source, mx_data_format_goal_to_string (d->goal), port_name);
  return TRUE;
}

/* Why an MBIM port cannot carry a multiplexed session; NULL: it can. */
static gchar *
no_mbim_session_reason (const gchar *port_name, const MxDataProfile *profile, guint kernel_links,
                        MxDataLinkKinds *link)
{
  *link = (MxDataLinkKinds) (profile->link_kinds & (MX_DATA_LINK_WWAN | MX_DATA_LINK_VLAN));
  if (profile->max_links == 0)
    return g_strdup_printf ("the udev tag ID_MM_MAX_MULTIPLEXED_LINKS=0 of %s forbids multiplexing",
                            port_name);
  if (*link == MX_DATA_LINK_NONE || profile->mbim_session_first < 0)
    return g_strdup_printf ("the data port %s carries no multiplexed MBIM sessions", port_name);
  if (*link & MX_DATA_LINK_WWAN) {
    *link = MX_DATA_LINK_WWAN;
    if (!(kernel_links & MX_DATA_LINK_WWAN))
      return g_strdup ("the kernel cannot create wwan links (CONFIG_WWAN is not enabled)");
  } else if (!(kernel_links & MX_DATA_LINK_VLAN)) {
    return g_strdup ("the kernel cannot create 802.1Q VLAN links (CONFIG_VLAN_8021Q is not enabled)");
  }
  return NULL;
}

gboolean
mx_bearer_multiplex_decide_mbim (const gchar               *port_name,
                                 const MxDataProfile       *profile,
                                 guint                      kernel_links,
                                 MMBearerMultiplexSupport   asked,
                                 gboolean                   test_multiplex_requested,
                                 MxBearerMultiplexDecision *d,
                                 MxDataLinkKinds           *link,
                                 GError                   **error)
{
  const gchar *source = NULL;
  g_autofree gchar *why_not = NULL;
  MxDataLinkKinds kind = MX_DATA_LINK_NONE;

  *d = (MxBearerMultiplexDecision) { .goal = MX_DATA_FORMAT_GOAL_RAW_IP };
  *link = MX_DATA_LINK_NONE;
  d->multiplex = resolve (profile, asked, test_multiplex_requested, &source);
  if (d->multiplex == MM_BEARER_MULTIPLEX_SUPPORT_NONE) {
    d->reason = g_strdup_printf ("multiplex=none (%s): MBIM session 0 on %s", source, port_name);
    return TRUE;
  }
  why_not = no_mbim_session_reason (port_name, profile, kernel_links, &kind);
  if (why_not) {
    if (d->multiplex == MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED) {
      g_set_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED,
                   "Multiplexing required but not supported: %s", why_not);
      return FALSE;
    }
    d->fallback = TRUE;
    d->reason = g_strdup_printf ("multiplex=requested: connecting without multiplexing "
                                 "(MBIM session 0 on %s) because %s", port_name, why_not);
    return TRUE;
  }
  *link = kind;
  d->goal = MX_DATA_FORMAT_GOAL_MULTIPLEX;   /* the data port: a multiplexed session */
  d->reason = g_strdup_printf ("multiplex=%s (%s): a multiplexed MBIM session on a %s link of %s",
                               mx_bearer_multiplex_to_string (d->multiplex), source,
                               kind == MX_DATA_LINK_WWAN ? "wwan" : "802.1Q VLAN", port_name);
  return TRUE;
}

void
mx_bearer_multiplex_decision_clear (MxBearerMultiplexDecision *d)
{
  g_clear_pointer (&d->reason, g_free);
}
