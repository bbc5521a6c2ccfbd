/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-tunnel policies: attached when l2tp binds a UDP tunnel socket, detached when
 * the tunnel goes.
 */
#ifndef _L2TPI_TUNNEL_H
#define _L2TPI_TUNNEL_H

#include <net/net_namespace.h>
#include <net/sock.h>

#include "config.h"
#include "nat.h"
#include "policy.h"

/* The L2TP tunnel id, when we saw userspace ask for it (probe.c). */
struct l2tpi_tunnel_id {
	u32 id;
	u32 peer_id;		/* the peer's tunnel id */
	u8 version;		/* L2TP version, 2 or 3 */
	bool known;		/* false: a tunnel adopted at load, or a failed probe */
};

/* What netlink shows of an attached tunnel (event.c, netlink.c). */
struct l2tpi_tunnel_info {
	struct l2tpi_tunnel_id id;
	unsigned short family;
	xfrm_address_t local;
	xfrm_address_t peer;		/* any: the socket is not connected */
	__be16 lport;
	__be16 pport;
	u32 index[2];			/* SPD index by XFRM_POLICY_IN/OUT, 0: not in */
	struct l2tpi_nat_binding nat;	/* the SA its frames arrive in (nat.c) */
};

int l2tpi_tunnel_init(void (*watch_close)(void));
void l2tpi_tunnel_exit(void);
void l2tpi_tunnel_flush(void);
void l2tpi_tunnel_l2tp_going(void);
int l2tpi_tunnel_attach(struct net *net, struct sock *sk, const void *key,
			const struct l2tpi_tunnel_id *id, gfp_t gfp);
bool l2tpi_tunnel_unbind_key(const void *key);
void l2tpi_tunnel_learn_key(const struct sock *sk, const void *key);
void l2tpi_tunnel_unbind_sk(const struct sock *sk);
void l2tpi_tunnel_freed(const void *key);
void l2tpi_tunnel_closing(const struct sock *sk);
void l2tpi_tunnel_closed_recheck(void);
bool l2tpi_tunnel_waiting(void);
unsigned int l2tpi_tunnel_count(struct net *net);
bool l2tpi_tunnel_next(struct net *net, unsigned long *pos, struct l2tpi_tunnel_info *info);
bool l2tpi_tunnel_attached(const struct sock *sk);
void l2tpi_tunnel_release_net(struct net *net);
void l2tpi_tunnel_net_init(struct net *net);
void l2tpi_tunnel_net_exit(struct net *net);
int l2tpi_tunnel_sk_spec(const struct sock *sk, int dir, const struct l2tpi_config *cfg,
			 struct l2tpi_pol_spec *spec);

#endif /* _L2TPI_TUNNEL_H */
