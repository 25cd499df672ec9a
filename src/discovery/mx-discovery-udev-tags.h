/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ModemManager's udev tags (ID_MM_*) that modemux honours, so distro and user
 * rules keep working (docs/udev-tags.md), plus the few of our own (MX_*).
 * Values are validated here, in one place: a garbage value is logged once as
 * a warning naming the device and the tag, and the tag is treated as unset. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

#define MX_TAG_CANDIDATE              "ID_MM_CANDIDATE"
#define MX_TAG_DEVICE_IGNORE          "ID_MM_DEVICE_IGNORE"
#define MX_TAG_PORT_IGNORE            "ID_MM_PORT_IGNORE"
#define MX_TAG_PORT_TYPE_QMI          "ID_MM_PORT_TYPE_QMI"
#define MX_TAG_PORT_TYPE_MBIM         "ID_MM_PORT_TYPE_MBIM"
#define MX_TAG_PORT_TYPE_AT_PRIMARY   "ID_MM_PORT_TYPE_AT_PRIMARY"
#define MX_TAG_PORT_TYPE_AT_SECONDARY "ID_MM_PORT_TYPE_AT_SECONDARY"
#define MX_TAG_PORT_TYPE_AT_PPP       "ID_MM_PORT_TYPE_AT_PPP"
#define MX_TAG_PORT_TYPE_QCDM         "ID_MM_PORT_TYPE_QCDM"
#define MX_TAG_PORT_TYPE_GPS          "ID_MM_PORT_TYPE_GPS"
#define MX_TAG_PHYSDEV_UID            "ID_MM_PHYSDEV_UID"
#define MX_TAG_QCOM_SOC               "ID_MM_QCOM_SOC"
#define MX_TAG_MAX_MULTIPLEXED_LINKS  "ID_MM_MAX_MULTIPLEXED_LINKS"
#define MX_TAG_INITIAL_QMAP_MUX_ID    "ID_MM_INITIAL_QMAP_MUX_ID"
/* Ours: on an MHI IPCR channel device or a SoC data netdev, the QRTR node
 * id reached through it (explicit QRTR pairing, docs/discovery.md). */
#define MX_TAG_QRTR_NODE              "MX_QRTR_NODE"
/* The data driver a net device stands for when its own driver cannot say
 * (a tun playing rmnet_ipa0 in tests, out-of-tree drivers). */
#define MX_TAG_NET_DRIVER             "MX_NET_DRIVER"

/* On a qmi_wwan netdev: multiplex through qmi_wwan's own qmimux links
 * (qmi/add_mux) instead of rmnet on a pass-through lower. */
#define MX_TAG_QMI_WWAN_QMIMUX        "MX_QMI_WWAN_QMIMUX"
/* Ours: on an MBIM data netdev, the MBIM session ids multiplexed links may
 * use (firmware that only takes 112..255: MX_MBIM_SESSION_FIRST=112). */
#define MX_TAG_MBIM_SESSION_FIRST     "MX_MBIM_SESSION_FIRST"
#define MX_TAG_MBIM_SESSION_LAST      "MX_MBIM_SESSION_LAST"
/* Limits for the numeric tags. */
#define MX_TAG_MAX_MULTIPLEXED_LINKS_MAX 254
#define MX_TAG_QMAP_MUX_ID_MIN           1
#define MX_TAG_QMAP_MUX_ID_MAX           254

/* TRUE and *value set when @tag is present with a valid boolean ("1", "0",
 * "true", "false", "yes", "no", any case). Absent: FALSE, silently. Garbage:
 * FALSE and a warning. @props: udev property table (string -> string). */
gboolean mx_udev_tag_get_bool (GHashTable *props, const char *device, const char *tag,
                               gboolean *value);
/* Same for an unsigned decimal in [min, max]. */
gboolean mx_udev_tag_get_uint (GHashTable *props, const char *device, const char *tag,
                               guint min, guint max, guint *value);
/* A tag set to a true value ("1"): shorthand for flag tags such as ID_MM_CANDIDATE. */
gboolean mx_udev_tag_is_set   (GHashTable *props, const char *device, const char *tag);
/* Non-empty string value, or NULL (an empty ID_MM_PHYSDEV_UID is garbage). */
const char *mx_udev_tag_get_string (GHashTable *props, const char *device, const char *tag);

G_END_DECLS
