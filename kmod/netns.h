/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state of l2tp_ipsec: the configuration in force and the
 * policies the module owns in that namespace's SPD.
 */
#ifndef _L2TPI_NETNS_H
#define _L2TPI_NETNS_H

#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/xfrm.h>

#include "config.h"

/* Outbound and inbound, for IPv4 and IPv6. */
#define L2TPI_SERVER_POLICIES	4

/**
 * struct l2tpi_net - l2tp_ipsec state of one network namespace
 * @lock: serialises every change of @cfg and of the owned policies below; taken in
 *        process context only (it sleeps), never from the packet path
 * @cfg: the configuration in force
 * @server: the server wildcard policies we inserted, each holding our reference
 *          (see policy.c), all NULL when server mode is off; under @lock
 */
struct l2tpi_net {
	struct mutex lock;	/* see above: process context only */
	struct l2tpi_config cfg;
	struct xfrm_policy *server[L2TPI_SERVER_POLICIES];
};

struct l2tpi_net *l2tpi_net(const struct net *net);
int l2tpi_netns_init(void);
void l2tpi_netns_exit(void);

#endif /* _L2TPI_NETNS_H */
