/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One network link as modemux sees it: the netlink view (RTM_NEWLINK),
 * joined with sysfs (lower_*) by the link map. Plain data, copyable. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* Upstream rmnet flag numbering (include/uapi/linux/if_link.h). We ship our
 * own constants because CAF/downstream headers number bit 4 and up
 * differently (docs/links.md, "rmnet flags"). */
#define MX_RMNET_FLAG_INGRESS_DEAGGREGATION (1u << 0)
#define MX_RMNET_FLAG_INGRESS_MAP_COMMANDS  (1u << 1)
#define MX_RMNET_FLAG_INGRESS_MAP_CKSUMV4   (1u << 2)
#define MX_RMNET_FLAG_EGRESS_MAP_CKSUMV4    (1u << 3)
#define MX_RMNET_FLAG_INGRESS_MAP_CKSUMV5   (1u << 4)
#define MX_RMNET_FLAG_EGRESS_MAP_CKSUMV5    (1u << 5)
#define MX_RMNET_FLAGS_ALL                  0x3fu

#define MX_MUX_ID_NONE (-1)

typedef struct {
  guint32  ifindex;
  gchar   *ifname;
  gchar   *kind;            /* "rmnet", "wwan", "vlan", "qmimux" (from sysfs qmap/), NULL */
  guint32  lower_ifindex;   /* physical port; 0 = unknown */
  gchar   *lower_name;      /* physical port name (sysfs lower_* or netlink); NULL = unknown */
  gchar   *parent_dev_name; /* IFLA_PARENT_DEV_NAME (wwan device for kind wwan), NULL */
  gint     mux_id;          /* rmnet mux id, wwan link id, qmimux mux id; MX_MUX_ID_NONE */
  gboolean has_rmnet_flags;
  guint32  rmnet_flags;     /* port data format as the kernel reports it (upstream bits) */
  guint32  mtu;
  guint8   operstate;       /* IF_OPER_* */
  guint32  ifi_flags;       /* IFF_* */
  guint16  ifi_type;        /* ARPHRD_* */
  gchar   *ifalias;         /* IFLA_IFALIAS; carries our ownership marker */
} MxLink;

MxLink  *mx_link_new   (void);
MxLink  *mx_link_copy  (const MxLink *link);
void     mx_link_free  (MxLink *link);
gboolean mx_link_is_up (const MxLink *link);
/* Human name of an IF_OPER_* value, as iproute2 prints it ("UP", "DOWN", "UNKNOWN", ...). */
const char *mx_link_operstate_to_string (guint8 operstate);
/* "ingress-deaggregation,ingress-mapv5-checksum,..." (iproute2 keywords); parse accepts the same
 * comma-separated keywords, or a number. */
gchar   *mx_link_rmnet_flags_to_string (guint32 flags);
gboolean mx_link_rmnet_flags_parse     (const char *str, guint32 *flags, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MxLink, mx_link_free)

G_END_DECLS
