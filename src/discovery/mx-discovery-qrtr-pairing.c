/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "mx-discovery"
#include <string.h>
#include "mx-discovery-port-policy.h"
#include "mx-discovery-qrtr-pairing.h"
#include "mx-discovery-udev-tags.h"

static gboolean
is_soc_port (MxKernelDevice *kdev)
{
  const char * const *soc_drivers = mx_port_policy_soc_drivers ();

  if (mx_udev_tag_is_set (mx_kernel_device_peek_properties (kdev),
                          mx_kernel_device_get_name (kdev), MX_TAG_QCOM_SOC))
    return TRUE;
  for (guint i = 0; soc_drivers[i]; i++)
    if (mx_kernel_device_has_driver_in_chain (kdev, soc_drivers[i]))
      return TRUE;
  return FALSE;
}

gchar *
mx_qrtr_pairing_soc_uid (MxKernelDevice *kdev)
{
  const char *path = mx_kernel_device_get_sysfs_path (kdev);
  g_autofree gchar *dir = NULL;
  g_autofree gchar *top = NULL;

  if (mx_kernel_device_is_qrtr (kdev) || !is_soc_port (kdev))
    return NULL;
  /* The topmost platform ancestor: /sys/devices/platform/soc@0 for both
   * 1e40000.ipa and 4080000.remoteproc. */
  dir = g_strdup (path);
  while (dir && strlen (dir) > 1) {
    g_autofree gchar *subsystem = mx_sysfs_link_basename (dir, "subsystem");
    gchar *parent;

    if (g_strcmp0 (subsystem, "platform") == 0) {
      g_free (top);
      top = g_strdup (dir);
    }
    parent = g_path_get_dirname (dir);
    g_free (dir);
    dir = parent;
  }
  if (!top)
    top = g_strdup (mx_kernel_device_get_physdev_uid (kdev));
  return g_strconcat ("qcom-soc:", top ? top : "", NULL);
}

gchar *
mx_qrtr_pairing_ipcr_channel (MxKernelDevice *kdev)
{
  const char *path = mx_kernel_device_get_sysfs_path (kdev);
  g_autofree gchar *dir = g_strdup (path);

  /* An MHI controller "mhiN" has its channels as children "mhiN_<CHAN>". */
  while (dir && strlen (dir) > 1) {
    g_autofree gchar *base = g_path_get_basename (dir);
    g_autofree gchar *chan = g_strconcat (base, "_IPCR", NULL);
    g_autofree gchar *ipcr = g_build_filename (dir, chan, NULL);
    gchar *parent;

    if (g_str_has_prefix (base, "mhi") && g_file_test (ipcr, G_FILE_TEST_IS_DIR)) {
      g_autofree gchar *driver = mx_sysfs_link_basename (ipcr, "driver");

      /* The channel exists on every SDX profile of mhi-pci-generic; QRTR
       * runs over it only once a driver (qcom_mhi_qrtr, module qrtr-mhi)
       * is bound to it. */
      if (driver)
        return g_steal_pointer (&ipcr);
      g_debug ("%s: MHI IPCR channel without a bound driver: no QRTR over it", chan);
      return NULL;
    }
    parent = g_path_get_dirname (dir);
    g_free (dir);
    dir = parent;
  }
  return NULL;
}

static gint
node_from_props (GHashTable *props, const char *name)
{
  guint node;

  if (mx_udev_tag_get_uint (props, name, MX_TAG_QRTR_NODE, 0, G_MAXUINT32 - 1, &node))
    return (gint) MIN (node, (guint) G_MAXINT);
  return -1;
}

gint
mx_qrtr_pairing_explicit_node (MxKernelDevice *kdev)
{
  g_autofree gchar *ipcr = NULL;
  g_autoptr(MxKernelDevice) chan = NULL;
  gint node = node_from_props (mx_kernel_device_peek_properties (kdev),
                               mx_kernel_device_get_name (kdev));

  if (node >= 0)
    return node;
  ipcr = mx_qrtr_pairing_ipcr_channel (kdev);
  if (ipcr) {
    g_autoptr(GHashTable) props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autofree gchar *uevent_path = g_build_filename (ipcr, "uevent", NULL);
    g_autofree gchar *contents = mx_sysfs_read_file (uevent_path);
    g_auto(GStrv) lines = contents ? g_strsplit (contents, "\n", -1) : NULL;

    for (guint i = 0; lines && lines[i]; i++) {
      const char *eq = strchr (lines[i], '=');

      if (eq && eq != lines[i])
        g_hash_table_insert (props, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }
    node = node_from_props (props, ipcr);
  }
  return node;
}

void
mx_qrtr_pairing_assign (const guint32 *nodes, guint n_nodes,
                        const MxQrtrPairingGroup *groups, guint n_groups,
                        const char **out_uids)
{
  g_autofree gboolean *taken = g_new0 (gboolean, n_groups);
  guint free_nodes = 0, free_groups = 0;
  gint last_node = -1, last_group = -1;

  for (guint n = 0; n < n_nodes; n++)
    out_uids[n] = NULL;

  /* 1. Explicit MX_QRTR_NODE. */
  for (guint n = 0; n < n_nodes; n++)
    for (guint g = 0; g < n_groups && !out_uids[n]; g++)
      if (!taken[g] && groups[g].explicit_node >= 0 && (guint32) groups[g].explicit_node == nodes[n]) {
        out_uids[n] = groups[g].uid;
        taken[g] = TRUE;
        g_debug ("QRTR node %u pairs with %s (%s)", nodes[n], groups[g].uid, MX_TAG_QRTR_NODE);
      }

  /* 2. Node 0 is the SoC modem (inference from Qualcomm SoC layouts). */
  for (guint n = 0; n < n_nodes; n++) {
    if (out_uids[n] || nodes[n] != 0)
      continue;
    for (guint g = 0; g < n_groups; g++)
      if (!taken[g] && groups[g].soc && groups[g].explicit_node < 0) {
        out_uids[n] = groups[g].uid;
        taken[g] = TRUE;
        g_debug ("QRTR node 0 pairs with SoC device %s (node 0 is the SoC modem)", groups[g].uid);
        break;
      }
  }

  /* 3. One node left and one candidate device left. */
  for (guint n = 0; n < n_nodes; n++)
    if (!out_uids[n]) {
      free_nodes++;
      last_node = (gint) n;
    }
  for (guint g = 0; g < n_groups; g++)
    if (!taken[g] && groups[g].explicit_node < 0 && (groups[g].soc || groups[g].ipcr)) {
      free_groups++;
      last_group = (gint) g;
    }
  if (free_nodes == 1 && free_groups == 1) {
    out_uids[last_node] = groups[last_group].uid;
    g_debug ("QRTR node %u pairs with %s (the only unpaired %s)", nodes[last_node],
             groups[last_group].uid, groups[last_group].soc ? "SoC modem" : "MHI IPCR device");
  } else if (free_nodes > 0 && free_groups > 0) {
    for (guint n = 0; n < n_nodes; n++)
      if (!out_uids[n])
        g_message ("QRTR node %u: cannot tell which of %u devices it belongs to; "
                   "tag the device with %s=%u (docs/discovery.md)",
                   nodes[n], free_groups, MX_TAG_QRTR_NODE, nodes[n]);
  }
}
