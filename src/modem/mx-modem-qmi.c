/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMI backend of MxModem: the control port (a char device through
 * qmi-proxy or a QRTR node) and the table of entry points into the QMI
 * code (mx-modem-qmi-init.c, mx-modem-3gpp.c). */
#define G_LOG_DOMAIN "mx-modem"

#include "mx-modem-private.h"

static void
port_removed_cb (MxQmiPort *port, MxModem *self)
{
  mx_modem_control_gone (self, mx_qmi_port_get_name (port));
}

void
mx_modem_qmi_create_port (MxModem *self)
{
  const MxModemConfig *config = self->config;

  if (config->qrtr)
    self->port = mx_qmi_port_new_for_qrtr_node (config->control_port, config->qrtr_node);
  else
    self->port = mx_qmi_port_new (config->control_port, config->control_path);
  self->port_removed_id = g_signal_connect (self->port, MX_QMI_PORT_SIGNAL_REMOVED,
                                            G_CALLBACK (port_removed_cb), self);
}

static void
qmi_close (MxModem *self)
{
  g_clear_signal_handler (&self->port_removed_id, self->port);
  self->dms = NULL;
  self->nas = NULL;
  self->uim = NULL;
  mx_qmi_port_close (self->port);
}

const MxModemBackend mx_modem_qmi_backend = {
  .name                 = "QMI",
  .init_run             = mx_modem_qmi_init_run,
  .load_sim_data        = mx_modem_qmi_load_sim_data,
  .load_sim_data_finish = mx_modem_qmi_load_sim_data_finish,
  .enable               = mx_modem_3gpp_enable,
  .enable_finish        = mx_modem_3gpp_enable_finish,
  .disable              = mx_modem_3gpp_disable,
  .disable_finish       = mx_modem_3gpp_disable_finish,
  .set_power            = mx_modem_3gpp_set_power,
  .set_power_finish     = mx_modem_3gpp_set_power_finish,
  .teardown             = mx_modem_3gpp_teardown,
  .close                = qmi_close,
};
