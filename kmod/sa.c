// SPDX-License-Identifier: GPL-2.0
/*
 * The ESP SA that serves one direction of a tunnel or a client connection, found in
 * the SAD: what tunnel show and client show report (event.c), and the outbound SA a
 * tunnel bound behind a NAT is pinned to (nat.c).
 */
#include <net/xfrm.h>

#include "sa.h"

struct l2tpi_sa_find {
	unsigned short family;
	const xfrm_address_t *src, *dst;
	__be16 encap_dport;		/* 0: any */
	struct xfrm_state *x;		/* the newest valid one so far, held */
};

/* Whether @x's UDP encapsulation goes to @dport (0: any, with or without one). */
static bool l2tpi_sa_to_port(const struct xfrm_state *x, __be16 dport)
{
	return !dport || (x->encap && READ_ONCE(x->encap->encap_dport) == dport);
}

/*
 * xfrm_state_walk() callback: keep the newest valid ESP state from ->src to ->dst (the
 * walk goes from the oldest state to the newest). Context: xfrm's state lock held
 * (BH off). The put cannot free: a state the walk sees is still hashed.
 */
static int l2tpi_sa_find_fn(struct xfrm_state *x, int count, void *ptr)
{
	struct l2tpi_sa_find *f = ptr;

	lockdep_assert_held(&xs_net(x)->xfrm.xfrm_state_lock);
	if (x->km.state == XFRM_STATE_VALID && x->props.family == f->family &&
	    xfrm_addr_equal(&x->id.daddr, f->dst, f->family) &&
	    xfrm_addr_equal(&x->props.saddr, f->src, f->family) &&
	    l2tpi_sa_to_port(x, f->encap_dport)) {
		xfrm_state_hold(x);
		if (f->x)
			xfrm_state_put(f->x);
		f->x = x;
	}
	return 0;
}

/*
 * The ESP SA from @src to @dst, held, or NULL.
 * The lookup returns the newest state for the address pair (states are added at the
 * head of their hash chain): during a rekey the new SA, which output prefers too.
 * When that one is larval (an acquire in progress), a valid SA of another reqid may
 * still carry the traffic: an IKE daemon that installs its SAs before its policies
 * leaves a moment in which a frame matches a policy of ours whose reqid no SA has,
 * and that acquire's larval state stays until it expires (xfrm_acq_expires, 30 s).
 * Then the newest valid SA of the pair is the answer: found by a walk of the SAD,
 * only in that case.
 * @pin names the SA of one client behind a NAT: by its SPI, or as the newest valid
 * one to its NAT-T port (a walk when that is not the newest of the pair).
 * Context: process.
 */
struct xfrm_state *l2tpi_sa_lookup(struct net *net, unsigned short family,
				   const xfrm_address_t *src, const xfrm_address_t *dst,
				   const struct l2tpi_sa_pin *pin)
{
	struct l2tpi_sa_find f = {
		.family = family, .src = src, .dst = dst, .encap_dport = pin->encap_dport,
	};
	struct xfrm_state_walk walk;
	struct xfrm_state *x;

	if (xfrm_addr_any(dst, family))
		return NULL;
	if (pin->spi)
		return xfrm_state_lookup(net, 0, dst, pin->spi, IPPROTO_ESP, family);
	x = xfrm_state_lookup_byaddr(net, 0, dst, src, IPPROTO_ESP, family);
	if (!x || (READ_ONCE(x->km.state) == XFRM_STATE_VALID &&
		   l2tpi_sa_to_port(x, pin->encap_dport)))
		return x;
	xfrm_state_walk_init(&walk, IPPROTO_ESP, NULL);
	xfrm_state_walk(net, &walk, l2tpi_sa_find_fn, &f);
	xfrm_state_walk_done(&walk, net);
	if (!f.x && !pin->encap_dport)
		return x;
	xfrm_state_put(x);
	return f.x;
}
