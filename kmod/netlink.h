/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The l2tp_ipsec generic netlink family: commands (netlink.c, tables generated from
 * netlink/l2tp_ipsec.yaml into netlink-gen.c) and the events the rest of the module
 * sends through it.
 */
#ifndef _L2TPI_NETLINK_H
#define _L2TPI_NETLINK_H

#include <net/net_namespace.h>

#include "tunnel.h"

/* What an acquire event tells the agent (km.c): the flow that needs an SA. */
struct l2tpi_acquire_info {
	u32 index;			/* the policy that matched */
	u32 reqid;			/* of its template */
	unsigned short family;
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	__be16 sport;
	__be16 dport;
};

int l2tpi_nl_init(void);
void l2tpi_nl_exit(void);
void l2tpi_nl_tunnel_event(struct net *net, const struct l2tpi_tunnel_info *info, bool attach);
void l2tpi_nl_tunnel_refused(struct net *net, const struct l2tpi_tunnel_info *info, int why);
void l2tpi_nl_restored(struct net *net, unsigned int n);
void l2tpi_nl_acquire(struct net *net, const struct l2tpi_acquire_info *info);
bool l2tpi_nl_listening(struct net *net);

#endif /* _L2TPI_NETLINK_H */
