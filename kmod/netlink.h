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

int l2tpi_nl_init(void);
void l2tpi_nl_exit(void);
void l2tpi_nl_tunnel_event(struct net *net, const struct l2tpi_tunnel_info *info, bool attach);
void l2tpi_nl_restored(struct net *net, unsigned int n);

#endif /* _L2TPI_NETLINK_H */
