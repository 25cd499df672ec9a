/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which physical device a QRTR node belongs to. The kernel does not say
 * which transport (SoC GLINK/SMD, or an MHI IPCR channel) delivered a node,
 * so this is policy, in one place (docs/discovery.md "QRTR pairing"):
 *  1. explicit: a port or IPCR channel device tagged MX_QRTR_NODE=<id>;
 *  2. node 0 goes to the SoC (Qualcomm SoC modem DSPs are node 0: inference);
 *  3. one remaining node and one remaining candidate device pair up
 *     (inference); anything else stays unpaired, with a warning.
 * SoC ports are grouped by the SoC platform bus (not a host-wide constant),
 * so a second, MHI-attached QRTR modem is its own device. */
#pragma once
#include "mx-discovery-kernel-device.h"

G_BEGIN_DECLS

#define MX_QRTR_UNPAIRED_UID_PREFIX "qrtr-node:"

/* Group uid of a SoC modem port (IPA/BAM-DMUX netdev, qcom-q6v5-mss rpmsg
 * or wwan port, ID_MM_QCOM_SOC): "qcom-soc:" + the topmost platform
 * ancestor (the SoC bus). NULL if @kdev is not a SoC modem port. */
gchar *mx_qrtr_pairing_soc_uid (MxKernelDevice *kdev);
/* Sysfs path of the MHI IPCR channel (QRTR over MHI) of the MHI controller
 * @kdev sits under, NULL if none. */
gchar *mx_qrtr_pairing_ipcr_channel (MxKernelDevice *kdev);
/* MX_QRTR_NODE of @kdev or of its IPCR channel device; -1 if unset/garbage. */
gint   mx_qrtr_pairing_explicit_node (MxKernelDevice *kdev);

typedef struct {
  const char *uid;
  gboolean    soc;            /* SoC modem ports (IPA, BAM-DMUX, q6v5-mss) */
  gboolean    ipcr;           /* an MHI device with an IPCR channel */
  gint        explicit_node;  /* -1: none */
} MxQrtrPairingGroup;

/* For each of @n_nodes (sorted ascending) store in @out_uids the uid of its
 * group (borrowed from @groups), or NULL when unpaired. */
void   mx_qrtr_pairing_assign (const guint32 *nodes, guint n_nodes,
                               const MxQrtrPairingGroup *groups, guint n_groups,
                               const char **out_uids);

G_END_DECLS
