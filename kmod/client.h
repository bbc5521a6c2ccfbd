/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client connections: KB 248750's client filter ("Me to Server", source port UDP
 * 1701, any destination port), declared by the agent before it dials so that the
 * first SCCRQ is already protected.
 */
#ifndef _L2TPI_CLIENT_H
#define _L2TPI_CLIENT_H

#include <linux/list.h>
#include <net/net_namespace.h>
#include <net/xfrm.h>

#include "owned.h"

enum l2tpi_client_lifetime {
	L2TPI_CLIENT_STATIC,		/* until deleted */
	L2TPI_CLIENT_CONNECTION,	/* until the last tunnel to the server goes */
};

/**
 * struct l2tpi_client - one declared client connection
 * @node: in l2tpi_net.clients
 * @family: AF_INET or AF_INET6
 * @server: the server's address
 * @sport: our L2TP source port (host order)
 * @lifetime: static or connection
 * @own: out (to the server, from @sport) and in (from the server, to @sport)
 * @tunnels: live tunnels to @server
 * @seen_tunnel: a tunnel to @server has existed (a connection-lifetime client ends
 *               when @tunnels drops back to 0 after that)
 *
 * @node, @tunnels and @seen_tunnel are under l2tpi_net.owned_lock; the rest is
 * immutable.
 */
struct l2tpi_client {
	struct list_head node;
	unsigned short family;
	xfrm_address_t server;
	u16 sport;
	enum l2tpi_client_lifetime lifetime;
	struct l2tpi_owned *own[2];
	unsigned int tunnels;
	bool seen_tunnel;
};

int l2tpi_client_add(struct net *net, unsigned short family, const xfrm_address_t *server,
		     u16 sport, enum l2tpi_client_lifetime lifetime);
int l2tpi_client_del(struct net *net, unsigned short family, const xfrm_address_t *server,
		     u16 sport);
int l2tpi_client_local(struct net *net, unsigned short family, const xfrm_address_t *server,
		       u16 sport, u16 dport, xfrm_address_t *local);
int l2tpi_client_negotiate(struct net *net, unsigned short family,
			   const xfrm_address_t *server, u16 sport);
unsigned int l2tpi_client_count(struct net *net);
void l2tpi_client_tunnel_up(struct net *net, unsigned short family,
			    const xfrm_address_t *peer, u16 sport);
void l2tpi_client_tunnel_down(struct net *net, unsigned short family,
			      const xfrm_address_t *peer, u16 sport);
void l2tpi_client_net_exit(struct net *net);

#endif /* _L2TPI_CLIENT_H */
