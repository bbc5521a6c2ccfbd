/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registry of the policies l2tp_ipsec owns in a namespace's SPD, shared by server
 * mode, client connections and tunnels: one entry per direction and selector, counted
 * by its owners, restored when someone else takes it out of the SPD.
 */
#ifndef _L2TPI_OWNED_H
#define _L2TPI_OWNED_H

#include <linux/types.h>
#include <net/net_namespace.h>

#include "config.h"
#include "policy.h"

enum l2tpi_origin {
	L2TPI_ORIGIN_SERVER,
	L2TPI_ORIGIN_CLIENT,
	L2TPI_ORIGIN_TUNNEL,
	L2TPI_ORIGIN_BLOCK,	/* quarantine.c */
};

/**
 * struct l2tpi_owned - one policy l2tp_ipsec owns (or wants) in a namespace's SPD
 * @node: in l2tpi_net.owned, hashed by direction and selector
 * @spec: what the policy looks like; immutable
 * @origin: who created the entry; immutable
 * @owners: server, client connections and tunnels that share it
 * @pol: our SPD object (we hold a reference), NULL while it is not in the SPD
 * @state: 0 installed; -EEXIST shadowed: an equal policy that is not ours is in the
 *         SPD and we leave it alone; another negative errno: not installed, retried
 *         by the restore work
 *
 * @node, @owners, @pol and @state are under l2tpi_net.owned_lock.
 */
struct l2tpi_owned {
	struct hlist_node node;
	struct l2tpi_pol_spec spec;
	enum l2tpi_origin origin;
	unsigned int owners;
	struct xfrm_policy *pol;
	int state;
};

struct l2tpi_owned *l2tpi_owned_get(struct net *net, const struct l2tpi_pol_spec *spec,
				    enum l2tpi_origin origin, gfp_t gfp);
void l2tpi_owned_put(struct net *net, struct l2tpi_owned *o);
int l2tpi_owned_respec(struct net *net, struct l2tpi_owned *o, const struct l2tpi_pol_spec *spec);
int l2tpi_owned_state(struct net *net, struct l2tpi_owned *o);
bool l2tpi_owned_is_ours(struct net *net, u32 index);
bool l2tpi_owned_missing(struct net *net, const struct l2tpi_pol_spec *flow);
int l2tpi_owned_retemplate(struct net *net, const struct l2tpi_config *cfg,
			   const struct l2tpi_config *old);
unsigned int l2tpi_owned_restore(struct net *net);
void l2tpi_owned_schedule_restore(struct net *net);
void l2tpi_owned_net_init(struct net *net);
void l2tpi_owned_net_dying(struct net *net);
void l2tpi_owned_net_exit(struct net *net);

#endif /* _L2TPI_OWNED_H */
