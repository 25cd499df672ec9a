/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mx-modem-bearer-list.h"

G_DEFINE_INTERFACE (MxModemBearerList, mx_modem_bearer_list, G_TYPE_OBJECT)

static void
mx_modem_bearer_list_default_init (MxModemBearerListInterface *iface)
{
}

#define IFACE(self) MX_MODEM_BEARER_LIST_GET_IFACE (self)

void
mx_modem_bearer_list_simple_connect (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                     GVariant *properties)
{
  IFACE (self)->simple_connect (self, invocation, properties);
}

gboolean
mx_modem_bearer_list_check_simple_connect (MxModemBearerList *self, GVariant *properties,
                                           GError **error)
{
  return IFACE (self)->check_simple_connect (self, properties, error);
}

void
mx_modem_bearer_list_simple_disconnect (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                        const gchar *bearer_path)
{
  IFACE (self)->simple_disconnect (self, invocation, bearer_path);
}

void
mx_modem_bearer_list_create_bearer (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                    GVariant *properties)
{
  IFACE (self)->create_bearer (self, invocation, properties);
}

void
mx_modem_bearer_list_delete_bearer (MxModemBearerList *self, GDBusMethodInvocation *invocation,
                                    const gchar *bearer_path)
{
  IFACE (self)->delete_bearer (self, invocation, bearer_path);
}

void
mx_modem_bearer_list_disconnect_all (MxModemBearerList *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  IFACE (self)->disconnect_all (self, cancellable, callback, user_data);
}

gboolean
mx_modem_bearer_list_disconnect_all_finish (MxModemBearerList *self, GAsyncResult *res,
                                            GError **error)
{
  return IFACE (self)->disconnect_all_finish (self, res, error);
}

void
mx_modem_bearer_list_lose_all (MxModemBearerList *self, const gchar *reason)
{
  IFACE (self)->lose_all (self, reason);
}
