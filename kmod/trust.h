/* SPDX-License-Identifier: GPL-2.0 */
/* Who gets per-tunnel policies, and the report of those who do not (trust.c). */
#ifndef _L2TPI_TRUST_H
#define _L2TPI_TRUST_H

#include <net/net_namespace.h>
#include <net/sock.h>
#include <uapi/linux/l2tp_ipsec.h>

#include "policy.h"
#include "tunnel.h"

bool l2tpi_trust_current(struct net *net);
bool l2tpi_trust_sock(struct net *net, struct sock *sk);
bool l2tpi_trust_exact(const struct l2tpi_pol_spec *out);
void l2tpi_trust_refuse(struct net *net, const struct l2tpi_tunnel_info *info,
			enum l2tp_ipsec_refusal why);
void l2tpi_trust_refuse_sk(struct net *net, const struct sock *sk,
			   const struct l2tpi_tunnel_id *id, enum l2tp_ipsec_refusal why);
void l2tpi_trust_exit(void);

#endif /* _L2TPI_TRUST_H */
