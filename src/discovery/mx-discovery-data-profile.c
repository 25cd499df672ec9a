/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include "mx-discovery-data-profile.h"

void
mx_data_profile_init (MxDataProfile *p)
{
  *p = (MxDataProfile) {
    .driver_class = MX_DATA_DRIVER_CLASS_UNKNOWN,
    .endpoint_type = QMI_DATA_ENDPOINT_TYPE_UNKNOWN,
    .endpoint_interface = -1,
    .dpm_rx_endpoint_id = -1,
    .dpm_tx_endpoint_id = -1,
    .link_kinds = MX_DATA_LINK_NONE,
    .dl_max_datagrams = MX_DATA_PROFILE_DL_MAX_DATAGRAMS,
    .dl_max_size = MX_DATA_PROFILE_DL_MAX_SIZE,
    .initial_mux_id = -1,
    .max_links = -1,
    .mbim_session_first = -1,
    .mbim_session_last = -1,
    .multiplex = MX_MULTIPLEX_NONE,
  };
}

gboolean
mx_data_profile_is_mapped (const MxDataProfile *p)
{
  return p->endpoint_type != QMI_DATA_ENDPOINT_TYPE_UNKNOWN && p->endpoint_interface >= 0;
}

gboolean
mx_data_profile_can_link (const MxDataProfile *p, MxDataLinkKinds kind)
{
  return (p->link_kinds & kind) != 0;
}

MxDataChecksum
mx_data_checksum_from_attribute (const char *value)
{
  if (!value)
    return MX_DATA_CHECKSUM_FROM_PROTOCOL;
  if (g_str_has_prefix (value, "MAPv5"))
    return MX_DATA_CHECKSUM_MAPV5;
  if (g_str_has_prefix (value, "MAPv4"))
    return MX_DATA_CHECKSUM_MAPV4;
  return MX_DATA_CHECKSUM_NONE;
}

const char *
mx_multiplex_default_to_string (MxMultiplexDefault multiplex)
{
  switch (multiplex) {
  case MX_MULTIPLEX_REQUESTED: return "requested";
  case MX_MULTIPLEX_REQUIRED:  return "required";
  case MX_MULTIPLEX_NONE:
  default:                     return "none";
  }
}

gchar *
mx_data_link_kinds_to_string (guint kinds)
{
  GString *s = g_string_new (NULL);

  if (kinds & MX_DATA_LINK_RMNET)
    g_string_append (s, "rmnet,");
  if (kinds & MX_DATA_LINK_QMIMUX)
    g_string_append (s, "qmimux,");
  if (kinds & MX_DATA_LINK_WWAN)
    g_string_append (s, "wwan,");
  if (kinds & MX_DATA_LINK_VLAN)
    g_string_append (s, "vlan,");
  if (s->len)
    g_string_truncate (s, s->len - 1);
  else
    g_string_append (s, "none");
  return g_string_free (s, FALSE);
}

const char *
mx_data_checksum_to_string (MxDataChecksum checksum)
{
  switch (checksum) {
  case MX_DATA_CHECKSUM_NONE:  return "none";
  case MX_DATA_CHECKSUM_MAPV4: return "MAPv4";
  case MX_DATA_CHECKSUM_MAPV5: return "MAPv5";
  case MX_DATA_CHECKSUM_FROM_PROTOCOL:
  default:                     return "from-protocol";
  }
}

/* The link manager's id policy for the port's links: MBIM session ids
 * (wwan, VLAN) when the port carries MBIM sessions, else QMAP mux ids. */
void
mx_data_profile_get_mux_id_policy (const MxDataProfile *profile, MxMuxIdPolicy *policy)
{
  const MxDataProfile *p = profile;

  if (p->mbim_session_first >= 0) {
    /* MBIM sessions: the profile's range (plugin, narrowed by udev tags,
     * already validated), from its first id. */
    mx_mux_id_policy_init_mbim (policy);
    if (!mx_mux_id_policy_set_range (policy, (guint) p->mbim_session_first,
                                     (guint) MAX (p->mbim_session_last,
                                                  p->mbim_session_first),
                                     NULL))
      mx_mux_id_policy_init_mbim (policy);
    if (p->max_links >= 0)
      policy->max_links = (guint) p->max_links;
    return;
  }
  mx_mux_id_policy_init (policy);
  if (p->initial_mux_id >= 0)
    policy->first = (guint) p->initial_mux_id;
  if (p->max_links >= 0)
    policy->max_links = (guint) p->max_links;
}
