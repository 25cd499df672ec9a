/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bearer-tool: drives the bearer component's QMI pieces (data format
 * negotiation, one WDS session) against a modem -- in the tests, the
 * simulator behind a fake qmi-proxy in a private network namespace -- and
 * prints what happened, one "key=value" per line, for the Python tests in
 * this directory. Not installed.
 *
 *   bearer-tool negotiate DEVICE DRIVER GOAL [qrtr]
 *       GOAL: required | requested | none
 *   bearer-tool session DEVICE FAMILY APN MUX EPTYPE EPIFACE
 *       FAMILY: 4 | 6; MUX 0 = no Bind Mux Data Port. Starts the session,
 *       prints the settings, then stops it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx-bearer-data-format.h"
#include "mx-plugins.h"
#include "mx-modem-qmi-port.h"
#include "mx-bearer-wds-session.h"

static GMainLoop *loop;
static int status = 1;
static gchar **args;
static MxQmiPort *port;

static void
print_error (const gchar *what, const GError *error)
{
  printf ("error=%s\nerror-domain=%s\nerror-code=%d\nerror-message=%s\n", what,
          g_quark_to_string (error->domain), error->code, error->message);
}

/* ---- negotiate ---- */

static void
negotiated (QmiClientWda *wda, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  MxDataFormat f;

  if (!mx_data_format_negotiate_finish (res, &f, &error)) {
    print_error ("negotiate", error);
  } else {
    printf ("llp=%s\nul=%s\ndl=%s\ndl-datagrams=%u\ndl-size=%u\nqmap=%s\n",
            mx_data_format_llp_to_string (f.llp), mx_data_format_dap_to_string (f.ul_dap),
            mx_data_format_dap_to_string (f.dl_dap), f.dl_max_datagrams, f.dl_max_size,
            mx_data_format_is_qmap (&f) ? "yes" : "no");
    status = 0;
  }
  g_main_loop_quit (loop);
}

static void
wda_ready (MxQmiPort *p, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(QmiClient) wda = mx_qmi_port_get_client_finish (p, res, &error);
  MxDataFormatRequest req = { 0 };
  const gchar *goal = args[4];

  if (!wda) {
    print_error ("wda-client", error);
    g_main_loop_quit (loop);
    return;
  }
  /* The profile the plugins give a port of that driver (USB interface 4). */
  mx_plugins_data_profile (args[3], 4, &req.profile);
  req.endpoint.type = req.profile.endpoint_type;
  req.endpoint.iface = (guint32) MAX (req.profile.endpoint_interface, 0);
  req.port_kind = args[3];
  req.always_send_endpoint = args[5] && g_str_equal (args[5], "qrtr");
  req.goal = g_str_equal (goal, "required") ? MX_DATA_FORMAT_GOAL_MULTIPLEX :
             g_str_equal (goal, "requested") ? MX_DATA_FORMAT_GOAL_MULTIPLEX_PREFERRED :
             MX_DATA_FORMAT_GOAL_RAW_IP;
  mx_data_format_negotiate (QMI_CLIENT_WDA (wda), NULL, &req, NULL,
                            (GAsyncReadyCallback) negotiated, NULL);
}

/* ---- session ---- */

static MxWdsSession *session;

static void
stopped (MxWdsSession *s, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mx_wds_session_stop_finish (s, res, &error))
    print_error ("stop", error);
  else {
    printf ("stopped=yes\n");
    status = 0;
  }
  g_main_loop_quit (loop);
}

static void
started (MxWdsSession *s, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MxIpSettings) ip = mx_wds_session_start_finish (s, res, &error);

  if (!ip) {
    print_error ("start", error);
    g_main_loop_quit (loop);
    return;
  }
  printf ("address=%s\nprefix=%u\ngateway=%s\ndns1=%s\nmtu=%u\n", ip->address, ip->prefix,
          ip->gateway ? ip->gateway : "", ip->dns[0] ? ip->dns[0] : "", ip->mtu);
  fflush (stdout);
  mx_wds_session_stop (s, NULL, (GAsyncReadyCallback) stopped, NULL);
}

static void
start_session (void)
{
  MxWdsSessionParams params = { 0 };
  guint mux = (guint) g_ascii_strtoull (args[5], NULL, 10);

  params.bind_mux = mux != 0;
  params.mux_id = (guint8) mux;
  params.endpoint.type = (QmiDataEndpointType) g_ascii_strtoull (args[6], NULL, 10);
  params.endpoint.iface = (guint32) g_ascii_strtoull (args[7], NULL, 10);
  params.apn = args[4];
  session = mx_wds_session_new (port, g_str_equal (args[3], "6") ? MM_BEARER_IP_FAMILY_IPV6
                                                               : MM_BEARER_IP_FAMILY_IPV4);
  mx_wds_session_start (session, &params, NULL, (GAsyncReadyCallback) started, NULL);
}

/* ---- main ---- */

static void
opened (MxQmiPort *p, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!mx_qmi_port_open_finish (p, res, &error)) {
    print_error ("open", error);
    g_main_loop_quit (loop);
    return;
  }
  if (g_str_equal (args[1], "negotiate"))
    mx_qmi_port_get_client (port, QMI_SERVICE_WDA, MX_QMI_CLIENT_SHARED, NULL,
                            (GAsyncReadyCallback) wda_ready, NULL);
  else
    start_session ();
}

int
main (int argc, char **argv)
{
  args = argv;
  if (argc < 5 || (!g_str_equal (argv[1], "negotiate") && !g_str_equal (argv[1], "session")) ||
      (g_str_equal (argv[1], "session") && argc < 8)) {
    fprintf (stderr, "usage: bearer-tool negotiate DEVICE DRIVER GOAL [qrtr]\n"
                     "       bearer-tool session DEVICE FAMILY APN MUX EPTYPE EPIFACE\n");
    return 2;
  }
  loop = g_main_loop_new (NULL, FALSE);
  port = mx_qmi_port_new ("test0", argv[2]);
  mx_qmi_port_open (port, NULL, (GAsyncReadyCallback) opened, NULL);
  g_main_loop_run (loop);
  g_clear_object (&session);
  mx_qmi_port_close (port);
  g_object_unref (port);
  /* The port releases its clients and closes in the background: give it a
   * moment on the loop so the simulator sees a clean release. */
  g_timeout_add_once (300, (GSourceOnceFunc) g_main_loop_quit, loop);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);
  return status;
}
