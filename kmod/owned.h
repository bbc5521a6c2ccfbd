/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registry of the policies l2tp_ipsec owns in a namespace's SPD, shared by server
 * mode, client connections and tunnels: one entry per direction and selector, counted
 * by its owners, restored when someone else takes it out of the SPD.
 */
#ifndef _L2TPI_OWNED_H
#define _L2TPI_OWNED_H

#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "config.h"
#include "policy.h"

enum l2tpi_origin {
	L2TPI_ORIGIN_SERVER,
	L2TPI_ORIGIN_CLIENT,
	L2TPI_ORIGIN_TUNNEL,
	L2TPI_ORIGIN_BLOCK,	/* quarantine.c */
	L2TPI_ORIGIN_BINDING,	/* nat.c */
};

/**
 * struct l2tpi_owned - one policy l2tp_ipsec owns (or wants) in a namespace's SPD
 * @node: in l2tpi_net.owned_ht, by direction, selector and mark
 * @id: its index in l2tpi_net.owned_xa (walks and dumps); immutable
 * @rcu: freed after a grace period (lock-free lookups)
 * @spec: what the policy looks like; its selector is immutable, its template and
 *        priority change with the configuration
 * @origin: who created the entry; immutable
 * @owners: server, client connections and tunnels that share it
 * @pol: our SPD object (we hold a reference), NULL while it is not in the SPD
 * @state: 0 installed; -EEXIST shadowed: an equal policy that is not ours is in the
 *         SPD and we leave it alone; another negative errno: not installed, retried
 *         by the restore work
 * @restored: jiffies of the last restore that put it back (odd), 0: never
 * @restore: in l2tpi_net.restore_list while @queued
 * @queued: a single delete named it: the restore work looks at it
 * @dead: unlinked; a lookup under RCU may still see it
 *
 * Everything but @id, @origin and @rcu is written under l2tpi_net.owned_lock; @pol,
 * @state, @restored, @dead and @spec.optional are read with READ_ONCE under RCU alone.
 */
struct l2tpi_owned {
	struct rhash_head node;
	u32 id;
	struct rcu_head rcu;
	struct l2tpi_pol_spec spec;
	enum l2tpi_origin origin;
	unsigned int owners;
	struct xfrm_policy *pol;
	int state;
	unsigned long restored;
	struct list_head restore;
	bool queued;
	bool dead;
};

struct l2tpi_owned *l2tpi_owned_get(struct net *net, const struct l2tpi_pol_spec *spec,
				    enum l2tpi_origin origin, gfp_t gfp);
void l2tpi_owned_put(struct net *net, struct l2tpi_owned *o);
int l2tpi_owned_respec(struct net *net, struct l2tpi_owned *o, const struct l2tpi_pol_spec *spec);
int l2tpi_owned_state(struct net *net, struct l2tpi_owned *o);
bool l2tpi_owned_is_ours(struct net *net, const struct l2tpi_pol_spec *key, u32 index);
void l2tpi_owned_policy_gone(struct net *net, const struct xfrm_policy *xp, int dir);
bool l2tpi_owned_missing(struct net *net, const struct l2tpi_pol_spec *flow);
int l2tpi_owned_retemplate(struct net *net, const struct l2tpi_config *cfg,
			   const struct l2tpi_config *old);
unsigned int l2tpi_owned_restore(struct net *net);
void l2tpi_owned_schedule_restore(struct net *net);
int l2tpi_owned_net_init(struct net *net);
void l2tpi_owned_net_dying(struct net *net);
void l2tpi_owned_net_exit(struct net *net);

#endif /* _L2TPI_OWNED_H */
