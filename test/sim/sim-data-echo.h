/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's "network": answers what a host sends through a PDN
 * session. Pure functions over IP packets, no I/O.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SIM_ECHO_REPLIED,        /* *reply holds the answer */
  SIM_ECHO_IGNORED,        /* valid for the session but nothing to answer
                            * (router solicitation, TCP, ...) */
  SIM_ECHO_NOT_OURS,       /* source address is not the session's: dropped */
  SIM_ECHO_MALFORMED,      /* not a well-formed IPv4/IPv6 packet */
} SimEchoResult;

/* The addresses the network granted to the session (network byte order);
 * NULL when the family is not active. An IPv6 source matches when it is in
 * the session's prefix (the host picks its own interface identifier). */
typedef struct {
  const guint8 *ipv4;
  const guint8 *ipv6;
  guint         ipv6_prefix;
} SimEchoAddresses;

/* Answers ICMP echo, ICMPv6 echo and UDP (echoed back to the sender's
 * port) sent from the session's address to anywhere. */
SimEchoResult sim_echo_answer (const SimEchoAddresses *session,
                               const guint8           *packet,
                               gsize                   len,
                               GByteArray            **reply);

/* Human-readable name of a result, for logs and the control socket. */
const gchar *sim_echo_result_to_string (SimEchoResult result);

G_END_DECLS
