/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which SA each L2TPv2 tunnel's frames arrive in (nat.c): the tunnel's binding, which
 * tells clients behind one NAT apart.
 */
#ifndef _L2TPI_NAT_H
#define _L2TPI_NAT_H

#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "policy.h"

/**
 * struct l2tpi_nat_binding - what a tunnel's frames were last seen to arrive in
 * @bound: a frame was seen; the rest is valid only then
 * @spi: the inbound SA's SPI
 * @encap_port: the peer's UDP encapsulation (NAT-T) port of that SA; 0: plain ESP
 * @foreign: frames for the tunnel dropped because they came through another
 *           client's SA
 */
struct l2tpi_nat_binding {
	bool bound;
	__be32 spi;
	__be16 encap_port;
	u32 foreign;
};

/* The binding as one word, and how a frame's SA changes it (exported for KUnit). */
#define L2TPI_NAT_BOUND		BIT_ULL(48)
u64 l2tpi_nat_next(u64 cur, u32 spi, u16 encap_port);
int l2tpi_nat_l2tp_tunnel_id(const struct sk_buff *skb, int off);
struct l2tpi_nat;
struct l2tpi_nat *l2tpi_nat_find_out(struct net *net, const struct sock *sk,
				     const struct l2tpi_pol_spec *flow, u16 peer_id);

int l2tpi_nat_track(struct net *net, u32 id, u32 peer_id, struct sock *sk,
		    const struct l2tpi_pol_spec *out, const void *owner, gfp_t gfp);
void l2tpi_nat_untrack(struct net *net, u32 id, const void *owner);
void l2tpi_nat_sa_changed(struct net *net);
void l2tpi_nat_binding(struct net *net, u32 id, const void *owner,
		       struct l2tpi_nat_binding *b);
int l2tpi_nat_hooks_register(struct net *net);
void l2tpi_nat_hooks_unregister(struct net *net);
int l2tpi_nat_net_init(struct net *net);
void l2tpi_nat_net_exit(struct net *net);

#endif /* _L2TPI_NAT_H */
