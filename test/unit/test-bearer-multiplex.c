/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The multiplex decision of a connect (mx-bearer-multiplex.c) as a table:
 * data port profile (as the plugins give it) × kernel rmnet × the bearer's
 * multiplex × --test-multiplex-requested → the setting in force, what the
 * data port is asked for, and the reason logged (or the D-Bus error). Run
 * with --verbose to see the table. */
#include <string.h>
#include "mx-bearer-multiplex.h"
#include "mx-plugins.h"

#define PORT "mhi_hwip0"

/* The data ports: a driver's plugin profile, optionally tagged
 * ID_MM_MAX_MULTIPLEXED_LINKS=0. */
typedef enum { MHI_NET, QMI_WWAN, IPA, BAM_DMUX, MHI_NET_NO_MUX, IPA_NO_MUX, CDC_MBIM, E1000 } Port;
static const char *port_names[] = {
  "mhi_net", "qmi_wwan", "ipa", "bam-dmux", "mhi_net+MAX_LINKS=0", "ipa+MAX_LINKS=0", "cdc_mbim", "e1000",
};

static void
port_profile (Port port, MxDataProfile *p)
{
  static const char *drivers[] = {
    "mhi_net", "qmi_wwan", "ipa", "bam-dmux", "mhi_net", "ipa", "cdc_mbim", "e1000",
  };

  mx_plugins_data_profile (drivers[port], 4, p);
  if (port == MHI_NET_NO_MUX || port == IPA_NO_MUX)
    p->max_links = 0;   /* what mx_plugin_apply_multiplex_tags() stores for the tag */
}

#define UNSET     MM_BEARER_MULTIPLEX_SUPPORT_UNKNOWN
#define NONE      MM_BEARER_MULTIPLEX_SUPPORT_NONE
#define REQUESTED MM_BEARER_MULTIPLEX_SUPPORT_REQUESTED
#define REQUIRED  MM_BEARER_MULTIPLEX_SUPPORT_REQUIRED
#define QMAP_ONLY MX_DATA_FORMAT_GOAL_MULTIPLEX
#define QMAP_PREF MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED
#define RAW_IP    MX_DATA_FORMAT_GOAL_RAW_IP
#define REFUSED   ((MMBearerMultiplexSupport) -1)

typedef struct {
  Port                     port;
  gboolean                 kernel_rmnet;
  MMBearerMultiplexSupport asked;
  gboolean                 test_flag;
  /* Expected: */
  MMBearerMultiplexSupport multiplex;   /* REFUSED: MM_CORE_ERROR_UNSUPPORTED */
  MxDataFormatGoal         goal;
  gboolean                 fallback;
  const char              *says;        /* in the reason, or in the error */
} Row;

static const Row table[] = {
  /* mhi_net: multiplexing requested by default. */
  { MHI_NET,  TRUE,  UNSET,     FALSE, REQUESTED, QMAP_PREF, FALSE, "the data port's default" },
  { MHI_NET,  FALSE, UNSET,     FALSE, REQUESTED, RAW_IP,    TRUE,
    "multiplex=requested: connecting without multiplexing because the kernel cannot create "
    "rmnet links (CONFIG_RMNET is not enabled)" },
  { MHI_NET,  TRUE,  NONE,      FALSE, NONE,      RAW_IP,    FALSE, "the bearer's setting" },
  { MHI_NET,  TRUE,  REQUIRED,  FALSE, REQUIRED,  QMAP_ONLY, FALSE, "the bearer's setting" },
  { MHI_NET,  FALSE, REQUIRED,  FALSE, REFUSED,   RAW_IP,    FALSE,
    "Multiplexing required but not supported: the kernel cannot create rmnet links "
    "(CONFIG_RMNET is not enabled)" },
  { MHI_NET,  TRUE,  UNSET,     TRUE,  REQUESTED, QMAP_PREF, FALSE, "the data port's default" },
  /* qmi_wwan: none by default; the test flag raises it to requested. */
  { QMI_WWAN, TRUE,  UNSET,     FALSE, NONE,      RAW_IP,    FALSE, "the data port's default" },
  { QMI_WWAN, TRUE,  UNSET,     TRUE,  REQUESTED, QMAP_PREF, FALSE, "--test-multiplex-requested" },
  { QMI_WWAN, FALSE, UNSET,     TRUE,  REQUESTED, RAW_IP,    TRUE,  "CONFIG_RMNET" },
  { QMI_WWAN, TRUE,  REQUIRED,  FALSE, REQUIRED,  QMAP_ONLY, FALSE, "the bearer's setting" },
  { QMI_WWAN, TRUE,  NONE,      TRUE,  NONE,      RAW_IP,    FALSE, "the bearer's setting" },
  { QMI_WWAN, FALSE, NONE,      FALSE, NONE,      RAW_IP,    FALSE, "raw-IP" },
  /* IPA: QMAP only, required by default; the flag never lowers it. */
  { IPA,      TRUE,  UNSET,     FALSE, REQUIRED,  QMAP_ONLY, FALSE, "the data port's default" },
  { IPA,      TRUE,  UNSET,     TRUE,  REQUIRED,  QMAP_ONLY, FALSE, "the data port's default" },
  { IPA,      TRUE,  NONE,      FALSE, REFUSED,   RAW_IP,    FALSE,
    "multiplex=none is not possible on this modem: its ipa data port only carries "
    "multiplexed (QMAP) traffic" },
  { IPA,      FALSE, UNSET,     FALSE, REFUSED,   RAW_IP,    FALSE, "CONFIG_RMNET" },
  { IPA,      FALSE, REQUESTED, FALSE, REFUSED,   RAW_IP,    FALSE, "CONFIG_RMNET" },
  { IPA,      TRUE,  REQUESTED, FALSE, REQUESTED, QMAP_PREF, FALSE, "the bearer's setting" },
  /* BAM-DMUX demultiplexes in its driver: no rmnet on top. */
  { BAM_DMUX, TRUE,  UNSET,     FALSE, NONE,      RAW_IP,    FALSE, "the data port's default" },
  { BAM_DMUX, TRUE,  REQUESTED, FALSE, REQUESTED, RAW_IP,    TRUE,
    "its data port driver has no rmnet support" },
  { BAM_DMUX, TRUE,  REQUIRED,  FALSE, REFUSED,   RAW_IP,    FALSE,
    "Multiplexing required but not supported: its data port driver has no rmnet support" },
  { BAM_DMUX, TRUE,  UNSET,     TRUE,  REQUESTED, RAW_IP,    TRUE,  "no rmnet support" },
  /* ID_MM_MAX_MULTIPLEXED_LINKS=0: the port's refusal wins over kernel and driver. */
  { MHI_NET_NO_MUX, TRUE,  UNSET,     FALSE, REQUESTED, RAW_IP, TRUE,
    "the udev tag ID_MM_MAX_MULTIPLEXED_LINKS=0 of " PORT " forbids multiplexing" },
  { MHI_NET_NO_MUX, TRUE,  REQUIRED,  FALSE, REFUSED,   RAW_IP, FALSE,
    "Multiplexing required but not supported: the udev tag ID_MM_MAX_MULTIPLEXED_LINKS=0 of "
    PORT " forbids multiplexing" },
  { MHI_NET_NO_MUX, FALSE, REQUIRED,  FALSE, REFUSED,   RAW_IP, FALSE, "ID_MM_MAX_MULTIPLEXED_LINKS=0" },
  { MHI_NET_NO_MUX, TRUE,  NONE,      FALSE, NONE,      RAW_IP, FALSE, "the bearer's setting" },
  /* IPA carries nothing but QMAP: a port that may not multiplex cannot connect. */
  { IPA_NO_MUX,     TRUE,  REQUESTED, FALSE, REFUSED,   RAW_IP, FALSE, "ID_MM_MAX_MULTIPLEXED_LINKS=0" },
  { IPA_NO_MUX,     TRUE,  UNSET,     FALSE, REFUSED,   RAW_IP, FALSE, "ID_MM_MAX_MULTIPLEXED_LINKS=0" },
  /* No QMI data path: MBIM data (decided by mx_bearer_multiplex_decide_mbim(),
   * its own table below), or a driver no plugin serves. */
  { CDC_MBIM, TRUE,  UNSET,     FALSE, REFUSED,   RAW_IP,    FALSE,
    "The data port " PORT " (mbim) has no QMI data endpoint" },
  { CDC_MBIM, TRUE,  NONE,      FALSE, REFUSED,   RAW_IP,    FALSE, "has no QMI data endpoint" },
  { E1000,    TRUE,  REQUESTED, FALSE, REFUSED,   RAW_IP,    FALSE, "driver is unknown" },
};

static const char *
setting (MMBearerMultiplexSupport m)
{
  return m == UNSET ? "(unset)" : mx_bearer_multiplex_to_string (m);
}

static void
test_decision_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (table); i++) {
    const Row *r = &table[i];
    MxBearerMultiplexDecision d;
    g_autoptr(GError) error = NULL;
    MxDataProfile p;
    gboolean ok;

    port_profile (r->port, &p);
    ok = mx_bearer_multiplex_decide (PORT, &p, r->kernel_rmnet, r->asked, r->test_flag, &d, &error);
    g_test_message ("%-20s kernel-rmnet %-3s asked %-9s test-flag %-3s -> %s",
                    port_names[r->port], r->kernel_rmnet ? "yes" : "no", setting (r->asked),
                    r->test_flag ? "yes" : "no", ok ? d.reason : error->message);
    if (r->multiplex == REFUSED) {
      g_assert_false (ok);
      g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
      if (!strstr (error->message, r->says))
        g_error ("row %u: expected '%s' in '%s'", i, r->says, error->message);
    } else {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (d.multiplex, ==, r->multiplex);
      g_assert_cmpint (d.goal, ==, r->goal);
      g_assert_cmpint (d.fallback, ==, r->fallback);
      if (!strstr (d.reason, r->says))
        g_error ("row %u: expected '%s' in '%s'", i, r->says, d.reason);
    }
    mx_bearer_multiplex_decision_clear (&d);
  }
}

/* Whatever the inputs: a decision or an error, never both, never neither;
 * no decision asks a QMAP-only port for raw IP or a port without rmnet (or
 * a kernel without it) for QMAP only. */
static void
test_every_combination_is_decided_consistently (void)
{
  static const MMBearerMultiplexSupport asked[] = { UNSET, NONE, REQUESTED, REQUIRED };

  for (Port port = MHI_NET; port <= E1000; port++)
    for (guint k = 0; k < 2; k++)
      for (guint a = 0; a < G_N_ELEMENTS (asked); a++)
        for (guint t = 0; t < 2; t++) {
          MxBearerMultiplexDecision d;
          g_autoptr(GError) error = NULL;
          MxDataProfile p;
          gboolean ok;

          port_profile (port, &p);
          ok = mx_bearer_multiplex_decide (PORT, &p, k, asked[a], t, &d, &error);
          g_assert_true (ok == (error == NULL));
          if (!ok)
            continue;
          g_assert_nonnull (d.reason);
          g_assert_cmpint (d.multiplex, !=, UNSET);
          if (asked[a] != UNSET)
            g_assert_cmpint (d.multiplex, ==, asked[a]);
          if (d.goal == RAW_IP)
            g_assert_true (p.raw_ip);
          else
            g_assert_true (k && mx_data_profile_can_link (&p, MX_DATA_LINK_RMNET) && p.max_links != 0);
          mx_bearer_multiplex_decision_clear (&d);
        }
}

/* MBIM data ports: session 0 on the netdev, or a multiplexed session on a
 * wwan link (mhi_wwan_mbim) / 802.1Q VLAN link (cdc_mbim). */
typedef enum { MBIM_MHI, MBIM_USB, MBIM_USB_NO_MUX } MbimPort;
#define K_NONE 0u
#define K_WWAN ((guint) MX_DATA_LINK_WWAN)
#define K_VLAN ((guint) MX_DATA_LINK_VLAN)
#define K_BOTH (K_WWAN | K_VLAN)
#define S0     MX_DATA_LINK_NONE
#define WWAN   MX_DATA_LINK_WWAN
#define VLAN   MX_DATA_LINK_VLAN

typedef struct {
  MbimPort                 port;
  guint                    kernel;
  MMBearerMultiplexSupport asked;
  MMBearerMultiplexSupport multiplex;   /* REFUSED: MM_CORE_ERROR_UNSUPPORTED */
  MxDataLinkKinds          link;
  gboolean                 fallback;
  const char              *says;
} MbimRow;

static const MbimRow mbim_table[] = {
  /* No client value: the MBIM ports' default is none, session 0. */
  { MBIM_MHI, K_BOTH, UNSET,     NONE,      S0,   FALSE, "MBIM session 0 on " PORT },
  { MBIM_MHI, K_BOTH, REQUIRED,  REQUIRED,  WWAN, FALSE, "a multiplexed MBIM session on a wwan link of " PORT },
  { MBIM_MHI, K_BOTH, REQUESTED, REQUESTED, WWAN, FALSE, "wwan link" },
  { MBIM_MHI, K_VLAN, REQUIRED,  REFUSED,   S0,   FALSE,
    "Multiplexing required but not supported: the kernel cannot create wwan links (CONFIG_WWAN is not enabled)" },
  { MBIM_MHI, K_VLAN, REQUESTED, REQUESTED, S0,   TRUE,
    "multiplex=requested: connecting without multiplexing (MBIM session 0 on " PORT ") because "
    "the kernel cannot create wwan links (CONFIG_WWAN is not enabled)" },
  { MBIM_USB, K_BOTH, REQUIRED,  REQUIRED,  VLAN, FALSE, "802.1Q VLAN link of " PORT },
  { MBIM_USB, K_WWAN, REQUIRED,  REFUSED,   S0,   FALSE, "CONFIG_VLAN_8021Q is not enabled" },
  { MBIM_USB, K_NONE, REQUESTED, REQUESTED, S0,   TRUE,  "CONFIG_VLAN_8021Q" },
  { MBIM_USB, K_NONE, NONE,      NONE,      S0,   FALSE, "the bearer's setting" },
  /* ID_MM_MAX_MULTIPLEXED_LINKS=0 wins over the kernel. */
  { MBIM_USB_NO_MUX, K_BOTH, REQUIRED,  REFUSED,   S0, FALSE, "ID_MM_MAX_MULTIPLEXED_LINKS=0" },
  { MBIM_USB_NO_MUX, K_BOTH, REQUESTED, REQUESTED, S0, TRUE,  "ID_MM_MAX_MULTIPLEXED_LINKS=0" },
};

static void
test_mbim_decision_table (void)
{
  static const char *drivers[] = { "mhi_wwan_mbim", "cdc_mbim", "cdc_mbim" };

  for (guint i = 0; i < G_N_ELEMENTS (mbim_table); i++) {
    const MbimRow *r = &mbim_table[i];
    MxBearerMultiplexDecision d;
    g_autoptr(GError) error = NULL;
    MxDataLinkKinds link = (MxDataLinkKinds) 0xff;
    MxDataProfile p;
    gboolean ok;

    /* the generic plugin maps the MBIM driver class to cdc_mbim's profile;
     * the mhi plugin gives its claimed mhi_wwan_mbim netdev this one */
    mx_plugins_data_profile (drivers[r->port], -1, &p);
    g_assert_cmpint (p.driver_class, ==, MX_DATA_DRIVER_CLASS_MBIM);
    if (r->port == MBIM_MHI) {
      p.link_kinds = MX_DATA_LINK_WWAN;
      p.mbim_session_first = 1;
      p.mbim_session_last = 255;
    }
    if (r->port == MBIM_USB_NO_MUX)
      p.max_links = 0;
    ok = mx_bearer_multiplex_decide_mbim (PORT, &p, r->kernel, r->asked, FALSE, &d, &link, &error);
    g_test_message ("%-14s kernel %u asked %-9s -> %s", drivers[r->port], r->kernel,
                    setting (r->asked), ok ? d.reason : error->message);
    if (r->multiplex == REFUSED) {
      g_assert_false (ok);
      g_assert_error (error, MM_CORE_ERROR, MM_CORE_ERROR_UNSUPPORTED);
      if (!strstr (error->message, r->says))
        g_error ("row %u: expected '%s' in '%s'", i, r->says, error->message);
      continue;
    }
    g_assert_no_error (error);
    g_assert_cmpint (d.multiplex, ==, r->multiplex);
    g_assert_cmpint (link, ==, r->link);
    g_assert_cmpint (d.fallback, ==, r->fallback);
    g_assert_cmpint (d.goal, ==, r->link == S0 ? RAW_IP : QMAP_ONLY);
    if (!strstr (d.reason, r->says))
      g_error ("row %u: expected '%s' in '%s'", i, r->says, d.reason);
    mx_bearer_multiplex_decision_clear (&d);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bearer-multiplex/decision-table", test_decision_table);
  g_test_add_func ("/bearer-multiplex/mbim-decision-table", test_mbim_decision_table);
  g_test_add_func ("/bearer-multiplex/every-combination-is-decided-consistently",
                   test_every_combination_is_decided_consistently);
  return g_test_run ();
}
