/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The modem's bearers, as the modem sees them: an interface the modem holds
 * and the bearer layer implements (MxBearerList), so the modem layer never
 * reaches up. Every method is required.
 *
 * The D-Bus methods (Simple.Connect/Disconnect, CreateBearer, DeleteBearer)
 * run after the modem authorized the caller (and, for simple_connect,
 * unlocked and enabled as the properties ask); each must complete
 * @invocation. disconnect_all is the first step of Disable (as in
 * ModemManager's disabling sequence) and of the SIM going away; lose_all
 * ends every bearer locally when the control port is gone (modem removal,
 * port hang-up): nothing can be sent to the modem any more, but our links
 * are still deleted. check_simple_connect validates Simple.Connect's
 * properties before the modem unlocks or enables for them, so a bad
 * dictionary changes nothing. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MX_TYPE_MODEM_BEARER_LIST (mx_modem_bearer_list_get_type ())
G_DECLARE_INTERFACE (MxModemBearerList, mx_modem_bearer_list, MX, MODEM_BEARER_LIST, GObject)

struct _MxModemBearerListInterface {
  GTypeInterface parent;

  void     (*simple_connect)        (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                     GVariant *properties);
  gboolean (*check_simple_connect)  (MxModemBearerList *self, GVariant *properties, GError **error);
  void     (*simple_disconnect)     (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                     const gchar *bearer_path);
  void     (*create_bearer)         (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                     GVariant *properties);
  void     (*delete_bearer)         (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                     const gchar *bearer_path);
  void     (*disconnect_all)        (MxModemBearerList *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*disconnect_all_finish) (MxModemBearerList *self, GAsyncResult *res, GError **error);
  void     (*lose_all)              (MxModemBearerList *self, const gchar *reason);
};

void     mx_modem_bearer_list_simple_connect    (MxModemBearerList *self,
                                                 GDBusMethodInvocation *invocation,
                                                 GVariant *properties);
gboolean mx_modem_bearer_list_check_simple_connect (MxModemBearerList *self,
                                                   GVariant *properties, GError **error);
void     mx_modem_bearer_list_simple_disconnect (MxModemBearerList *self,
                                                 GDBusMethodInvocation *invocation,
                                                 const gchar *bearer_path);
void     mx_modem_bearer_list_create_bearer     (MxModemBearerList *self,
                                                 GDBusMethodInvocation *invocation,
                                                 GVariant *properties);
void     mx_modem_bearer_list_delete_bearer     (MxModemBearerList *self,
                                                 GDBusMethodInvocation *invocation,
                                                 const gchar *bearer_path);
/* Disconnects every bearer (Stop Network, links deleted); a failing
 * disconnect is logged and the others go on: completes TRUE once all ended. */
void     mx_modem_bearer_list_disconnect_all    (MxModemBearerList *self,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
gboolean mx_modem_bearer_list_disconnect_all_finish (MxModemBearerList *self,
                                                     GAsyncResult *res, GError **error);
void     mx_modem_bearer_list_lose_all          (MxModemBearerList *self, const gchar *reason);

G_END_DECLS
