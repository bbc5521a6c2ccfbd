// SPDX-License-Identifier: GPL-2.0
/*
 * The l2tp_ipsec generic netlink family: its registration, its events, and the parts
 * of a message that events and command replies share (addresses, a tunnel, an SA).
 * What the commands do is netlink.c's; the attribute policies and the op table are
 * generated from netlink/l2tp_ipsec.yaml (netlink-gen.c).
 *
 * Joining the events group needs CAP_NET_ADMIN in the user namespace of the socket's
 * network namespace (GENL_MCAST_CAP_NET_ADMIN, in both supported kernels).
 *
 * Locking: events are built with GFP_KERNEL from process context (commands, work
 * items) only, under l2tpi_event_lock, which also covers l2tpi_event_up: no event is
 * sent through a family that is not (or no longer) registered.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/xfrm.h>

#include "event.h"
#include "sa.h"
#include "netlink-gen.h"

static const struct genl_multicast_group l2tpi_event_mcgrps[] = {
	[L2TP_IPSEC_NLGRP_EVENTS] = {
		.name = L2TP_IPSEC_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static DEFINE_MUTEX(l2tpi_event_lock);	/* events vs. (un)registering */
static bool l2tpi_event_up;	/* written under l2tpi_event_lock; READ_ONCE elsewhere */

/* Its commands are netlink.c's (the op table: netlink-gen.c). */

struct genl_family l2tpi_nl_family __ro_after_init = {
	.name = L2TP_IPSEC_GENL_NAME,
	.version = L2TP_IPSEC_GENL_VERSION,
	.maxattr = ARRAY_SIZE(l2tp_ipsec_nl_policy) - 1,
	.policy = l2tp_ipsec_nl_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = l2tp_ipsec_nl_ops,
	.n_small_ops = ARRAY_SIZE(l2tp_ipsec_nl_ops),
	.resv_start_op = L2TP_IPSEC_CMD_POLICY_GET + 1,
	.mcgrps = l2tpi_event_mcgrps,
	.n_mcgrps = ARRAY_SIZE(l2tpi_event_mcgrps),
};

/* @addr as attribute @a4 or @a6 as @family says. */
int l2tpi_event_put_addr(struct sk_buff *skb, int a4, int a6, unsigned short family,
			 const xfrm_address_t *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, a4, addr->a4);
	return nla_put_in6_addr(skb, a6, &addr->in6);
}

/*
 * An event for the events group of @net, or NULL when nobody listens. Returns with
 * l2tpi_event_lock held when it returns a message: send it with
 * l2tpi_event_send() or drop it with l2tpi_event_drop().
 */
struct sk_buff *l2tpi_event_new(struct net *net, u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	mutex_lock(&l2tpi_event_lock);
	if (!l2tpi_event_up || !genl_has_listeners(&l2tpi_nl_family, net, L2TP_IPSEC_NLGRP_EVENTS))
		goto none;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto none;
	*hdr = genlmsg_put(skb, 0, 0, &l2tpi_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		goto none;
	}
	return skb;
none:
	mutex_unlock(&l2tpi_event_lock);
	return NULL;
}

void l2tpi_event_drop(struct sk_buff *skb)
{
	nlmsg_free(skb);
	mutex_unlock(&l2tpi_event_lock);
}

void l2tpi_event_send(struct net *net, struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&l2tpi_nl_family, net, skb, 0, L2TP_IPSEC_NLGRP_EVENTS,
				GFP_KERNEL);
	mutex_unlock(&l2tpi_event_lock);
}

/*
 * The ESP SA from @src to @dst (as @pin says, if not NULL), if any: present (with
 * counters and encapsulation ports) or being negotiated, in a nest of @type
 * (TUNNEL_SA or CLIENT_SA). Context: process.
 */
int l2tpi_event_put_sa(struct sk_buff *skb, struct net *net, int type, int dir,
		       unsigned short family, const xfrm_address_t *src,
		       const xfrm_address_t *dst, const struct l2tpi_sa_pin *pin)
{
	static const struct l2tpi_sa_pin newest;
	enum l2tp_ipsec_sa_state state = L2TP_IPSEC_SA_STATE_NONE;
	struct xfrm_state *x = l2tpi_sa_lookup(net, family, src, dst, pin ?: &newest);
	struct nlattr *nest;
	int err = -EMSGSIZE;

	nest = nla_nest_start(skb, type);
	if (!nest || nla_put_u32(skb, L2TP_IPSEC_A_SA_DIR, dir))
		goto out;
	if (x) {
		spin_lock_bh(&x->lock);
		if (x->km.state == XFRM_STATE_VALID)
			state = L2TP_IPSEC_SA_STATE_PRESENT;
		else if (x->km.state == XFRM_STATE_ACQ)
			state = L2TP_IPSEC_SA_STATE_ACQUIRING;
		if (state == L2TP_IPSEC_SA_STATE_PRESENT &&
		    (nla_put_be32(skb, L2TP_IPSEC_A_SA_SPI, x->id.spi) ||
		     nla_put_u32(skb, L2TP_IPSEC_A_SA_REQID, x->props.reqid) ||
		     nla_put_u64_64bit(skb, L2TP_IPSEC_A_SA_BYTES, x->curlft.bytes,
				       L2TP_IPSEC_A_SA_PAD) ||
		     nla_put_u64_64bit(skb, L2TP_IPSEC_A_SA_PACKETS, x->curlft.packets,
				       L2TP_IPSEC_A_SA_PAD) ||
		     (x->encap &&
		      (nla_put_be16(skb, L2TP_IPSEC_A_SA_ENCAP_SPORT, x->encap->encap_sport) ||
		       nla_put_be16(skb, L2TP_IPSEC_A_SA_ENCAP_DPORT, x->encap->encap_dport))))) {
			spin_unlock_bh(&x->lock);
			goto out;
		}
		spin_unlock_bh(&x->lock);
	}
	if (nla_put_u32(skb, L2TP_IPSEC_A_SA_STATE, state))
		goto out;
	nla_nest_end(skb, nest);
	err = 0;
out:
	if (x)
		xfrm_state_put(x);
	return err;
}

/* @ti's binding (nat.c), if it has one. */
static int l2tpi_event_put_binding(struct sk_buff *skb, const struct l2tpi_nat_binding *b)
{
	if (!b->bound)
		return 0;
	if (nla_put_be32(skb, L2TP_IPSEC_A_TUNNEL_BOUND_SPI, b->spi) ||
	    (b->encap_port &&
	     nla_put_be16(skb, L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT, b->encap_port)) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_TUNNEL_FOREIGN, b->foreign))
		return -EMSGSIZE;
	return 0;
}

/*
 * @ti in a TUNNEL nest; with @sa (replies) its binding and SAs: once bound, the SA
 * its frames arrive in and the newest outbound one to the same NAT-T port.
 */
int l2tpi_event_put_tunnel(struct sk_buff *skb, struct net *net,
			   const struct l2tpi_tunnel_info *ti, bool sa)
{
	struct nlattr *nest = nla_nest_start(skb, L2TP_IPSEC_A_TUNNEL);
	const struct l2tpi_sa_pin in = { .spi = ti->nat.spi };
	const struct l2tpi_sa_pin out = { .encap_dport = ti->nat.encap_port };

	if (!nest ||
	    (ti->id.known && nla_put_u32(skb, L2TP_IPSEC_A_TUNNEL_ID, ti->id.id)) ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4,
				 L2TP_IPSEC_A_TUNNEL_LOCAL_IPV6, ti->family, &ti->local) ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_TUNNEL_PEER_IPV4, L2TP_IPSEC_A_TUNNEL_PEER_IPV6,
				 ti->family, &ti->peer) ||
	    nla_put_be16(skb, L2TP_IPSEC_A_TUNNEL_LOCAL_PORT, ti->lport) ||
	    nla_put_be16(skb, L2TP_IPSEC_A_TUNNEL_PEER_PORT, ti->pport) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_TUNNEL_POLICY_INDEX, ti->index[XFRM_POLICY_OUT]) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_TUNNEL_POLICY_INDEX, ti->index[XFRM_POLICY_IN]))
		return -EMSGSIZE;
	if (sa &&
	    (l2tpi_event_put_sa(skb, net, L2TP_IPSEC_A_TUNNEL_SA, L2TP_IPSEC_DIR_OUT, ti->family,
				&ti->local, &ti->peer, ti->nat.bound ? &out : NULL) ||
	     l2tpi_event_put_sa(skb, net, L2TP_IPSEC_A_TUNNEL_SA, L2TP_IPSEC_DIR_IN, ti->family,
				&ti->peer, &ti->local, ti->nat.bound ? &in : NULL) ||
	     l2tpi_event_put_binding(skb, &ti->nat)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * l2tpi_event_tunnel() - tell the events group that a tunnel was attached or went
 * @net: the tunnel's namespace
 * @info: the tunnel
 * @attach: attached (true) or detached
 *
 * Context: process (the tunnel's work item).
 */
void l2tpi_event_tunnel(struct net *net, const struct l2tpi_tunnel_info *info, bool attach)
{
	struct sk_buff *skb;
	void *hdr;

	skb = l2tpi_event_new(net, attach ? L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF :
					       L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF, &hdr);
	if (!skb)
		return;
	if (l2tpi_event_put_tunnel(skb, net, info, false))
		l2tpi_event_drop(skb);
	else
		l2tpi_event_send(net, skb, hdr);
}

/**
 * l2tpi_event_refused() - tell the events group that a tunnel got no policies
 * @net: the tunnel's namespace
 * @info: what is known of it
 * @why: enum l2tp_ipsec_refusal
 *
 * Context: process (trust.c's work item).
 */
void l2tpi_event_refused(struct net *net, const struct l2tpi_tunnel_info *info, int why)
{
	struct sk_buff *skb;
	void *hdr;

	skb = l2tpi_event_new(net, L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF, &hdr);
	if (!skb)
		return;
	if (l2tpi_event_put_tunnel(skb, net, info, false) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_REFUSAL, why))
		l2tpi_event_drop(skb);
	else
		l2tpi_event_send(net, skb, hdr);
}

/**
 * l2tpi_event_restored() - tell the events group that @n owned policies were put back
 * @net: network namespace
 * @n: how many
 *
 * Context: process (the restore work).
 */
void l2tpi_event_restored(struct net *net, unsigned int n)
{
	struct sk_buff *skb;
	void *hdr;

	skb = l2tpi_event_new(net, L2TP_IPSEC_CMD_RESTORE_NTF, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, L2TP_IPSEC_A_RESTORED, n))
		l2tpi_event_drop(skb);
	else
		l2tpi_event_send(net, skb, hdr);
}

/**
 * l2tpi_event_acquire() - tell the events group that one of our policies needs an SA
 * @net: network namespace
 * @info: the flow and the policy
 *
 * Context: process (km.c's acquire work).
 */
void l2tpi_event_acquire(struct net *net, const struct l2tpi_acquire_info *info)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	skb = l2tpi_event_new(net, L2TP_IPSEC_CMD_ACQUIRE_NTF, &hdr);
	if (!skb)
		return;
	nest = nla_nest_start(skb, L2TP_IPSEC_A_ACQUIRE);
	if (!nest ||
	    nla_put_u32(skb, L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX, info->index) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_ACQUIRE_DIR, L2TP_IPSEC_DIR_OUT) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_ACQUIRE_REQID, info->reqid) ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_ACQUIRE_SRC_IPV4, L2TP_IPSEC_A_ACQUIRE_SRC_IPV6,
				 info->family, &info->saddr) ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_ACQUIRE_DST_IPV4, L2TP_IPSEC_A_ACQUIRE_DST_IPV6,
				 info->family, &info->daddr) ||
	    nla_put_be16(skb, L2TP_IPSEC_A_ACQUIRE_SPORT, info->sport) ||
	    nla_put_be16(skb, L2TP_IPSEC_A_ACQUIRE_DPORT, info->dport)) {
		l2tpi_event_drop(skb);
		return;
	}
	nla_nest_end(skb, nest);
	l2tpi_event_send(net, skb, hdr);
}

/**
 * l2tpi_event_listening() - whether anyone listens to the events group of @net
 * @net: network namespace
 *
 * Context: any (atomic included). Racy by nature: a listener may come or go at once.
 */
bool l2tpi_event_listening(struct net *net)
{
	return READ_ONCE(l2tpi_event_up) &&
	       genl_has_listeners(&l2tpi_nl_family, net, L2TP_IPSEC_NLGRP_EVENTS);
}

/* Context: process; the last step of module init. */
int l2tpi_event_init(void)
{
	int err = genl_register_family(&l2tpi_nl_family);

	if (err) {
		pr_err("cannot register the generic netlink family: %d\n", err);
		return err;
	}
	mutex_lock(&l2tpi_event_lock);
	WRITE_ONCE(l2tpi_event_up, true);
	mutex_unlock(&l2tpi_event_lock);
	return 0;
}

/* Context: process; the first step of module exit: no command runs after it. */
void l2tpi_event_exit(void)
{
	mutex_lock(&l2tpi_event_lock);
	WRITE_ONCE(l2tpi_event_up, false);
	mutex_unlock(&l2tpi_event_lock);
	genl_unregister_family(&l2tpi_nl_family);
}
