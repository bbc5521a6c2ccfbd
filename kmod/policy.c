// SPDX-License-Identifier: GPL-2.0
/*
 * Building, inserting and removing the xfrm policies l2tp_ipsec owns.
 *
 * Ownership: l2tpi_policy_build() returns the policy with one reference that belongs
 * to the caller and identifies *our* object; l2tpi_policy_insert() puts it in the SPD.
 * l2tpi_policy_del() unlinks that very object (never "whatever now sits at its index
 * or selector", which may be someone else's after an `ip xfrm policy update` or a
 * flush and re-add) and drops the reference.
 * A policy that was already removed from the SPD by someone else (flush, delete) is
 * only released.
 *
 * Key managers hear about every change the way xfrm_user reports it (so `ip xfrm
 * monitor` and IKE daemons see our policies come and go), and every change is audited.
 *
 * Context: the allocation flags are the caller's; inserting and removing only take
 * spinlocks, so all of this works from atomic context too (the tunnel bind hook).
 */
#include <linux/bottom_half.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/in.h>
#include <linux/socket.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/xfrm.h>

#include "policy.h"
#include "kunit.h"

static void l2tpi_fill_selector(struct xfrm_selector *sel, const struct l2tpi_pol_spec *spec)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = spec->family;
	sel->proto = IPPROTO_UDP;
	sel->daddr = spec->daddr;
	sel->saddr = spec->saddr;
	sel->prefixlen_d = spec->prefixlen_d;
	sel->prefixlen_s = spec->prefixlen_s;
	sel->dport = spec->dport;
	sel->dport_mask = spec->dport ? htons(0xffff) : 0;
	sel->sport = spec->sport;
	sel->sport_mask = spec->sport ? htons(0xffff) : 0;
}

/**
 * l2tpi_policy_spec_of() - the direction, selector and mark of an SPD policy
 * @xp: a main-type policy
 * @dir: its direction
 * @spec: filled in with its direction, selector and mark (the rest zero)
 *
 * The inverse of l2tpi_fill_selector(): the key of our registry (owned.c).
 *
 * Return: false when it cannot be one of ours (not UDP, another family, a mark of
 * another shape).
 */
bool l2tpi_policy_spec_of(const struct xfrm_policy *xp, int dir, struct l2tpi_pol_spec *spec)
{
	const struct xfrm_selector *sel = &xp->selector;

	memset(spec, 0, sizeof(*spec));
	if (dir != XFRM_POLICY_IN && dir != XFRM_POLICY_OUT)
		return false;
	if (sel->proto != IPPROTO_UDP || (sel->family != AF_INET && sel->family != AF_INET6))
		return false;
	if (xp->mark.m && xp->mark.m != ~0U)
		return false;
	if ((sel->sport_mask && sel->sport_mask != htons(0xffff)) ||
	    (sel->dport_mask && sel->dport_mask != htons(0xffff)))
		return false;
	spec->family = sel->family;
	spec->dir = dir;
	spec->saddr = sel->saddr;
	spec->daddr = sel->daddr;
	spec->prefixlen_s = sel->prefixlen_s;
	spec->prefixlen_d = sel->prefixlen_d;
	spec->sport = sel->sport_mask ? sel->sport : 0;
	spec->dport = sel->dport_mask ? sel->dport : 0;
	spec->mark = xp->mark.m ? xp->mark.v : 0;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_spec_of);

static void l2tpi_fill_tmpl(struct xfrm_tmpl *t, const struct l2tpi_pol_spec *spec)
{
	memset(t, 0, sizeof(*t));
	t->id.proto = IPPROTO_ESP;	/* any peer: transport mode */
	t->id.spi = spec->spi;		/* 0: any SA */
	t->reqid = spec->reqid;
	t->mode = XFRM_MODE_TRANSPORT;
	t->share = XFRM_SHARE_ANY;
	t->optional = spec->optional;
	t->aalgos = ~0U;
	t->ealgos = ~0U;
	t->calgos = ~0U;
	t->allalgs = 1;
	t->encap_family = spec->family;
}

/**
 * l2tpi_policy_build() - allocate an xfrm policy from a spec, not inserted
 * @net: network namespace of the SPD it is meant for
 * @spec: the selector and template
 * @gfp: allocation flags (GFP_ATOMIC from atomic context)
 *
 * Return: the policy with one reference, or NULL (out of memory or a bad spec).
 * Free it with l2tpi_policy_discard() unless l2tpi_policy_insert() inserted it.
 */
struct xfrm_policy *l2tpi_policy_build(struct net *net, const struct l2tpi_pol_spec *spec,
				       gfp_t gfp)
{
	struct xfrm_policy *pol;

	if (spec->family != AF_INET && spec->family != AF_INET6)
		return NULL;
	if (spec->dir != XFRM_POLICY_IN && spec->dir != XFRM_POLICY_OUT)
		return NULL;
	if (spec->prefixlen_s > (spec->family == AF_INET ? 32 : 128) ||
	    spec->prefixlen_d > (spec->family == AF_INET ? 32 : 128))
		return NULL;

	pol = xfrm_policy_alloc(net, gfp);
	if (!pol)
		return NULL;
	pol->priority = spec->priority;
	pol->family = spec->family;
	pol->type = XFRM_POLICY_TYPE_MAIN;
	pol->flags = 0;
	pol->mark.v = spec->mark;
	pol->mark.m = spec->mark ? ~0U : 0;
	l2tpi_fill_selector(&pol->selector, spec);
	if (spec->block) {
		pol->action = XFRM_POLICY_BLOCK;
		pol->xfrm_nr = 0;
	} else {
		pol->action = XFRM_POLICY_ALLOW;
		l2tpi_fill_tmpl(&pol->xfrm_vec[0], spec);
		pol->xfrm_nr = 1;
	}
	return pol;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_build);

/* Free a policy from l2tpi_policy_build() that never made it into the SPD. */
void l2tpi_policy_discard(struct xfrm_policy *pol)
{
	pol->walk.dead = 1;
	xfrm_policy_destroy(pol);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_discard);

/*
 * Set on this CPU while the key managers hear of a change we made: our own key
 * manager (km.c) must not take our deletes and updates for someone else's and
 * schedule a restore, a scan of every entry we own, after each tunnel that goes.
 * Only written with bottom halves off, so no one else runs on this CPU meanwhile.
 */
static DEFINE_PER_CPU(bool, l2tpi_policy_self);

static void l2tpi_policy_notify(struct xfrm_policy *pol, int dir, int event)
{
	struct km_event c = { .event = event, .net = xp_net(pol) };

	local_bh_disable();
	__this_cpu_write(l2tpi_policy_self, true);
	km_policy_notify(pol, dir, &c);
	__this_cpu_write(l2tpi_policy_self, false);
	local_bh_enable();
}

/**
 * l2tpi_policy_notifying_self() - whether the key manager callback running now
 * reports a change l2tp_ipsec made itself
 *
 * Context: a key manager's notify_policy callback (bottom halves off when it is ours).
 */
bool l2tpi_policy_notifying_self(void)
{
	return in_softirq() && __this_cpu_read(l2tpi_policy_self);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_notifying_self);

/**
 * l2tpi_policy_insert() - put a policy from l2tpi_policy_build() into its SPD
 * @pol: the policy; on success the SPD holds it and the caller keeps its reference
 * @dir: XFRM_POLICY_IN or XFRM_POLICY_OUT
 * @replace: false: never replace an existing policy; if one with the same selector,
 *	mark, if_id and type is there (someone else's), the insert fails with -EEXIST.
 *	true: take the place of the equal policy there, for a change of template or
 *	priority of a policy we own: the SPD swaps the two under its lock, so the
 *	selector is never without a policy. The one replaced is killed (its holder
 *	still has, and must drop, its reference).
 *
 * Key managers hear of it as of xfrm_user's NEWPOLICY or UPDPOLICY, and it is audited.
 *
 * Context: any, including atomic (everything it calls takes spinlocks and allocates
 * with GFP_ATOMIC); callers may hold a spinlock.
 * Return: 0, or a negative errno and @pol is still the caller's to discard.
 */
int l2tpi_policy_insert(struct xfrm_policy *pol, int dir, bool replace)
{
	int err;

	err = xfrm_policy_insert(dir, pol, !replace);
	xfrm_audit_policy_add(pol, err ? 0 : 1, true);
	if (!err)
		l2tpi_policy_notify(pol, dir, replace ? XFRM_MSG_UPDPOLICY : XFRM_MSG_NEWPOLICY);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_insert);

/**
 * l2tpi_policy_del() - remove our policy from the SPD (if still there) and release it
 * @pol: a policy l2tpi_policy_insert() inserted; the caller's reference is consumed
 *
 * Context: any, including atomic.
 */
void l2tpi_policy_del(struct xfrm_policy *pol)
{
	int dir = xfrm_policy_id2dir(pol->index);

	if (!xfrm_policy_delete(pol, dir)) {
		xfrm_audit_policy_delete(pol, 1, true);
		l2tpi_policy_notify(pol, dir, XFRM_MSG_DELPOLICY);
	}
	xfrm_pol_put(pol);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_del);

/**
 * l2tpi_policy_exists() - whether the SPD of @net holds a policy equal to @spec
 * @net: network namespace
 * @spec: direction, selector and mark (the template is not compared)
 *
 * Equal as the SPD's exclusive insert sees it: an insert of @spec would fail with
 * -EEXIST. Looks without inserting, so no audit record is written.
 * Context: any, including atomic.
 */
bool l2tpi_policy_exists(struct net *net, const struct l2tpi_pol_spec *spec)
{
	struct xfrm_mark mark = { .v = spec->mark, .m = spec->mark ? ~0U : 0 };
	struct xfrm_selector sel;
	struct xfrm_policy *pol;
	int err;

	l2tpi_fill_selector(&sel, spec);
	pol = xfrm_policy_bysel_ctx(net, &mark, 0, XFRM_POLICY_TYPE_MAIN, spec->dir, &sel,
				    NULL, 0, &err);
	if (!pol)
		return false;
	xfrm_pol_put(pol);
	return true;
}

/*
 * Whether @pol (ours, referenced, inserted) is still in its SPD: a flush, a delete or
 * a replacing update unlinks the object it takes out (its list node is emptied under
 * the SPD lock) and kills it a moment later, after dropping that lock.
 */
bool l2tpi_policy_alive(const struct xfrm_policy *pol)
{
	return !READ_ONCE(pol->walk.dead) && !list_empty(&pol->walk.all);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_alive);

/**
 * l2tpi_policy_skb_flow() - the flow of a UDP packet, as a policy spec would select it
 * @skb: the packet, its network header set (a netfilter hook's)
 * @family: AF_INET or AF_INET6, the packet's
 * @dir: XFRM_POLICY_OUT or XFRM_POLICY_IN: how @flow names the ends (saddr, sport:
 *       the packet's source either way)
 * @flow: filled in: family, addresses, ports, @dir
 * @udp_off: if not NULL, set to the UDP header's offset from skb->data
 *
 * Context: any.
 * Return: true for UDP (not a later fragment) with its header in the packet.
 */
bool l2tpi_policy_skb_flow(const struct sk_buff *skb, unsigned short family, int dir,
			   struct l2tpi_pol_spec *flow, int *udp_off)
{
	const struct udphdr *uh;
	struct udphdr _uh;
	int off;

	memset(flow, 0, sizeof(*flow));
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		if (iph->protocol != IPPROTO_UDP || (iph->frag_off & htons(IP_OFFSET)))
			return false;
		flow->family = AF_INET;
		flow->saddr.a4 = iph->saddr;
		flow->daddr.a4 = iph->daddr;
		off = skb_network_offset(skb) + ip_hdrlen(skb);
#if IS_ENABLED(CONFIG_IPV6)
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		u8 nexthdr = ip6h->nexthdr;
		__be16 frag_off;

		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h), &nexthdr,
				       &frag_off);
		if (off < 0 || nexthdr != IPPROTO_UDP || (frag_off & htons(~0x7)))
			return false;
		flow->family = AF_INET6;
		flow->saddr.in6 = ip6h->saddr;
		flow->daddr.in6 = ip6h->daddr;
#else
	} else {
		return false;
#endif
	}
	uh = skb_header_pointer(skb, off, sizeof(_uh), &_uh);
	if (!uh)
		return false;
	flow->dir = dir;
	flow->sport = uh->source;
	flow->dport = uh->dest;
	if (udp_off)
		*udp_off = off;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_policy_skb_flow);
