// SPDX-License-Identifier: GPL-2.0
/*
 * Clients behind one NAT: each L2TPv2 tunnel bound to the SA its frames arrive in,
 * and its own frames sent through that client's SA.
 *
 * Clients behind one NAT share an address and the L2TP 5-tuple (N:1701 <-> S:1701);
 * only the UDP encapsulation (NAT-T) port of their ESP tells them apart, and neither a
 * policy selector nor a socket lookup sees that port. Unhelped, the kernel sends
 * whatever goes to N through the newest SA to N, one client's (docs/nat.md).
 *
 * Inbound (learning). A decrypted frame still carries its SA (the skb's sec_path),
 * and its L2TP header names its tunnel. A netfilter hook at LOCAL_IN (IPv4, IPv6)
 * reads both for a UDP frame that came through an ESP transport-mode SA with the
 * 5-tuple of a tracked tunnel:
 *  - the tunnel's first such frame binds it to the SA: its SPI and the peer's NAT-T
 *    port (0 for plain ESP);
 *  - a frame through an SA with the same NAT-T port and another SPI (a rekey: the
 *    NAT maps one client to the port), or with the same SPI and another port (the
 *    NAT moved the client's mapping and the SA followed), moves the binding;
 *  - a frame through an SA with another SPI and another port is another client's: it
 *    is dropped and counted. Without that check one client behind the NAT could
 *    inject frames into another's tunnel and move its binding.
 *
 * Outbound (pinning). For a tunnel bound behind a NAT (a NAT-T port), the work item
 * finds the newest valid outbound SA to that port and owns one more SPD policy: the
 * tunnel's 5-tuple, the tunnel's own mark (L2TP_IPSEC_TUNNEL_MARK_BASE | tunnel id),
 * a template pinned to that SA's SPI and reqid, one priority better than the tunnel
 * policy. A netfilter hook at LOCAL_OUT, at mangle priority, finds the tunnel of each
 * L2TPv2 frame to a tracked peer by the peer's tunnel id in its header (the frames of
 * the kernel's tunnel socket and the control frames the daemon sends from its own
 * socket alike). When the route the frame got is not through the tunnel's SA, it
 * gives the frame the tunnel's mark and routes it again (ip_route_me_harder(), as an
 * nftables route chain does): the marked lookup finds the pinned policy. A frame that
 * already goes through the tunnel's SA (a client alone behind its address: the
 * newest SA is its own) is left alone, unmarked. When the peer's tunnel id names two
 * tracked tunnels to the same address (two clients chose the same id), the frames of
 * a tunnel socket go by their socket; the daemon's own frames for that id are dropped
 * rather than sent to a guess.
 *
 * SA events (km.c) run the work item again: a rekey's new SA to the client's port
 * takes over the pin once it is installed; when the client's SAs go without a
 * successor (it hung up, DPD), the tunnel's frames are dropped, never sent through
 * another client's SA, until an SA to its port comes back (the same client, after
 * an IKE daemon restart). And a frame through a new SA at another port takes the
 * tunnel over only when the SA it was bound to is gone.
 *
 * Inbound delivery. The tunnels of clients behind one NAT share a 4-tuple, so the
 * socket lookup picks either tunnel's socket, and 6.1's l2tp looks a data frame's
 * session up only in the tunnel of the socket it arrives on. The inbound hook hands
 * each frame to its own tunnel's socket, as TPROXY does.
 *
 * tunnel show reports the binding, and finds the tunnel's SAs by it (event.c).
 *
 * Tracked: the L2TPv2 tunnels whose ids probe.c saw created (both ids); tunnel.c
 * tracks them when it attaches them and untracks them when their entry ends. One
 * record per tunnel, in the namespace's nat_xa by tunnel id (unique among a
 * namespace's tunnels) and in nat_peers by (peer address, peer tunnel id). A new
 * tunnel with the id of an entry still lingering takes the slot over (the old
 * tunnel is gone); the old entry's untrack then leaves it alone: a record knows the
 * entry it belongs to.
 *
 * Cost: only in namespaces with the guard (footprint.c). There a packet without a
 * sec_path costs LOCAL_IN a test; a decrypted UDP packet a header read and an xarray
 * lookup; LOCAL_OUT, only while a tunnel of the namespace is pinned, a UDP packet a
 * header read and, when it reads as L2TPv2, a hash lookup; a second route lookup only
 * for the frames of a tunnel whose peer address has another, newer, client. A binding
 * is written only when it changes.
 *
 * Lifetime and locking: a record is counted (one reference for the tables, one per
 * user in the work item) and freed after an RCU grace period: the hooks take no lock
 * and no reference, they load the record and read or swap its 64-bit binding. The
 * tables are changed under nat_lock (BH-safe: tracking happens in the bind probe),
 * which also protects a record's @own, @pinned and @dead. The work item alone
 * creates and changes the pinned policy (process context: owned.c's respec sleeps).
 */
#include <linux/atomic.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <linux/xarray.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/xfrm.h>
#include <uapi/linux/l2tp_ipsec.h>

#include "config.h"
#include "nat.h"
#include "netns.h"
#include "owned.h"
#include "sa.h"
#include "kunit.h"

/* Where the peer's tunnel id leads: an address and that id (padding zeroed). */
struct l2tpi_nat_peer {
	xfrm_address_t addr;
	u16 family;
	u16 peer_id;
};

/**
 * struct l2tpi_nat - a tracked tunnel
 * @by_peer: in nat_peers
 * @key: its key there
 * @ref: see "Lifetime" above
 * @rcu: frees the record after the hooks are done with it
 * @owner: its entry in tunnel.c (compared, never dereferenced)
 * @sk: its socket, held by the tunnel's entry while the record is in the tables;
 *      the inbound hook takes a reference only if it is still alive (UDP sockets
 *      are freed after an RCU grace period, SOCK_RCU_FREE)
 * @id: its tunnel id
 * @out: its outbound policy (the socket's 5-tuple), the pinned one's base
 * @bind: L2TPI_NAT_BOUND | encap port << 32 | SPI (host order), 0 before the first
 *        frame
 * @foreign: frames dropped as another client's
 * @pinned: the outbound SA's SPI that @own is pinned to, 0: none (yet, or the SA went
 *          without a successor); written by the work item, READ_ONCE in the hooks
 * @pinned_reqid: that SA's reqid; the work item's
 * @pinning: @own exists: without @pinned the tunnel's frames are dropped; set once
 * @own: the pinned policy, or NULL
 * @dead: untracked: the work item makes no policy for it any more
 */
struct l2tpi_nat {
	struct rhlist_head by_peer;
	struct l2tpi_nat_peer key;
	refcount_t ref;
	struct rcu_head rcu;
	const void *owner;
	struct sock *sk;
	u32 id;
	struct l2tpi_pol_spec out;
	atomic64_t bind;
	atomic_t foreign;
	__be32 pinned;
	u32 pinned_reqid;
	bool pinning;
	struct l2tpi_owned *own;
	bool dead;
};

static const struct rhashtable_params l2tpi_nat_peer_params = {
	.key_len = sizeof(struct l2tpi_nat_peer),
	.key_offset = offsetof(struct l2tpi_nat, key),
	.head_offset = offsetof(struct l2tpi_nat, by_peer),
	.automatic_shrinking = true,
};

/* L2TPv2 header (RFC 2661, 3.1): flags and version, [length], tunnel id. */
#define L2TPI_L2TP_VERSION_MASK	0x000f
#define L2TPI_L2TP_LENGTH_BIT	0x4000

/**
 * l2tpi_nat_l2tp_tunnel_id() - the tunnel id of the L2TPv2 frame at @off in @skb
 * @skb: the packet
 * @off: the UDP payload's offset from skb->data
 *
 * Context: any.
 * Return: the tunnel id, or -1 if the payload is no L2TPv2 frame or names tunnel 0
 * (the first message of a control connection, an SCCRQ).
 */
int l2tpi_nat_l2tp_tunnel_id(const struct sk_buff *skb, int off)
{
	__be16 _h[3];
	const __be16 *h = skb_header_pointer(skb, off, sizeof(_h), _h);
	u16 flags, id;

	if (!h)
		return -1;
	flags = ntohs(h[0]);
	if ((flags & L2TPI_L2TP_VERSION_MASK) != 2)
		return -1;
	id = ntohs(h[flags & L2TPI_L2TP_LENGTH_BIT ? 2 : 1]);
	return id ? id : -1;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_nat_l2tp_tunnel_id);

/**
 * l2tpi_nat_next() - a tunnel's binding after a frame through an SA
 * @cur: the binding so far (0: none yet)
 * @spi: the SA's SPI (host order)
 * @encap_port: the peer's NAT-T port of the SA (host order), 0 for plain ESP
 *
 * Context: any.
 * Return: the new binding (@cur if unchanged), or 0 if the SA is another client's.
 */
u64 l2tpi_nat_next(u64 cur, u32 spi, u16 encap_port)
{
	u64 next = L2TPI_NAT_BOUND | (u64)encap_port << 32 | spi;

	if (!(cur & L2TPI_NAT_BOUND) || cur == next)
		return next;
	if ((u32)cur == spi || (u16)(cur >> 32) == encap_port)
		return next;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_nat_next);

static u16 l2tpi_nat_port(u64 bind)
{
	return (u16)(bind >> 32);
}

/* Take @n out of nat_peers; its slot is the caller's. Context: nat_lock held. */
static void l2tpi_nat_unlink(struct l2tpi_net *ln, struct l2tpi_nat *n)
{
	lockdep_assert_held(&ln->nat_lock);
	rhltable_remove(&ln->nat_peers, &n->by_peer, l2tpi_nat_peer_params);
	n->dead = true;
	if (n->own)
		WRITE_ONCE(ln->nr_pinned, ln->nr_pinned - 1);
}

static void l2tpi_nat_put(struct net *net, struct l2tpi_nat *n)
{
	if (!refcount_dec_and_test(&n->ref))
		return;
	if (n->own)
		l2tpi_owned_put(net, n->own);
	kfree_rcu(n, rcu);
}

static void l2tpi_nat_kick(struct l2tpi_net *ln)
{
	if (!READ_ONCE(ln->dying))
		queue_work(system_wq, &ln->nat_work);
}

/*
 * The flow of @skb (as @dir names its ends) and the tunnel id in its L2TPv2 header.
 * Return: the tunnel id, or -1 for anything else (not UDP, no L2TPv2, tunnel 0).
 */
static int l2tpi_nat_frame(struct sk_buff *skb, const struct nf_hook_state *state, int dir,
			   struct l2tpi_pol_spec *flow)
{
	unsigned short family = state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	int off;

	if (!l2tpi_policy_skb_flow(skb, family, dir, flow, &off))
		return -1;
	return l2tpi_nat_l2tp_tunnel_id(skb, off + sizeof(struct udphdr));
}

/* Whether @flow (inbound) is @n's tunnel's. */
static bool l2tpi_nat_matches_in(const struct l2tpi_nat *n, const struct l2tpi_pol_spec *flow)
{
	return n->out.family == flow->family && n->out.sport == flow->dport &&
	       (!n->out.dport || n->out.dport == flow->sport) &&
	       (xfrm_addr_any(&n->out.daddr, n->out.family) ||
		xfrm_addr_equal(&n->out.daddr, &flow->saddr, n->out.family));
}

/*
 * Whether the inbound SA of SPI @spi (host order) that @n is bound to is still valid.
 * When it is not, the client it stood for has no SA left at this end (it went, or
 * the IKE daemon restarted), and the next SA its tunnel's frames arrive in takes
 * the tunnel over, whatever its NAT-T port. Context: RCU (a hook), rarely: only for
 * a frame that does not fit the binding.
 */
static bool l2tpi_nat_sa_alive(struct net *net, const struct l2tpi_nat *n, u32 spi)
{
	struct xfrm_state *x;
	bool alive;

	x = xfrm_state_lookup(net, 0, &n->out.saddr, htonl(spi), IPPROTO_ESP, n->out.family);
	if (!x)
		return false;
	alive = READ_ONCE(x->km.state) == XFRM_STATE_VALID;
	xfrm_state_put(x);
	return alive;
}

/*
 * Deliver @skb to @n's socket. Tunnels of clients behind one NAT share a 4-tuple, so
 * the socket lookup (or the early demux before us) picks either; 6.1's l2tp finds a
 * data frame's session only in the tunnel of the socket it arrives on. As TPROXY
 * assigns a socket, with a reference the UDP receive path takes over
 * (skb_steal_sock()). Context: RCU (the hook).
 */
static void l2tpi_nat_steer(struct sk_buff *skb, struct l2tpi_nat *n)
{
	struct sock *sk = n->sk;

	if (!sk || skb->sk == sk || !refcount_inc_not_zero(&sk->sk_refcnt))
		return;
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = sock_edemux;
}

/* Context: softirq or process, under rcu_read_lock() (netfilter's). */
static unsigned int l2tpi_nat_in(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct sec_path *sp = skb_sec_path(skb);
	const struct xfrm_state *x;
	struct l2tpi_pol_spec flow;
	struct l2tpi_nat *n;
	u64 cur, next;
	u16 port;
	int id;

	if (!sp || !sp->len)
		return NF_ACCEPT;
	x = sp->xvec[sp->len - 1];
	if (x->id.proto != IPPROTO_ESP || x->props.mode != XFRM_MODE_TRANSPORT)
		return NF_ACCEPT;
	id = l2tpi_nat_frame(skb, state, XFRM_POLICY_IN, &flow);
	if (id < 0)
		return NF_ACCEPT;
	n = xa_load(&l2tpi_net(state->net)->nat_xa, id);
	if (!n || !l2tpi_nat_matches_in(n, &flow))
		return NF_ACCEPT;
	port = x->encap ? ntohs(READ_ONCE(x->encap->encap_sport)) : 0;
	cur = atomic64_read(&n->bind);
	do {
		next = l2tpi_nat_next(cur, ntohl(x->id.spi), port);
		if (!next && !l2tpi_nat_sa_alive(state->net, n, (u32)cur))
			next = L2TPI_NAT_BOUND | (u64)port << 32 | ntohl(x->id.spi);
		if (!next) {
			atomic_inc(&n->foreign);
			return NF_DROP;
		}
		if (next == cur)
			break;
	} while (!atomic64_try_cmpxchg(&n->bind, &cur, next));
	if (next != cur && port)
		l2tpi_nat_kick(l2tpi_net(state->net));	/* pin its outbound SA */
	l2tpi_nat_steer(skb, n);
	return NF_ACCEPT;
}

/**
 * l2tpi_nat_find_out() - the tracked tunnel an outbound frame belongs to
 * @net: its namespace
 * @sk: the frame's socket (NULL: none)
 * @flow: its flow (XFRM_POLICY_OUT)
 * @peer_id: the tunnel id in its L2TPv2 header: the peer's
 *
 * The tunnel of that socket, else the only one with that peer address, peer tunnel id
 * and ports. Context: RCU.
 * Return: the record, NULL if none, ERR_PTR(-ENOTUNIQ) if two and @sk is neither's.
 */
struct l2tpi_nat *l2tpi_nat_find_out(struct net *net, const struct sock *sk,
				     const struct l2tpi_pol_spec *flow, u16 peer_id)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_nat_peer key = { .family = flow->family, .peer_id = peer_id };
	struct l2tpi_nat *n, *found = NULL;
	struct rhlist_head *list, *pos;
	unsigned int nr = 0;

	key.addr = flow->daddr;
	list = rhltable_lookup(&ln->nat_peers, &key, l2tpi_nat_peer_params);
	rhl_for_each_entry_rcu(n, pos, list, by_peer) {
		if (n->out.sport != flow->sport || (n->out.dport && n->out.dport != flow->dport))
			continue;
		if (n->sk == sk)
			return n;
		found = n;
		nr++;
	}
	return nr > 1 ? ERR_PTR(-ENOTUNIQ) : found;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_nat_find_out);

/* Route @skb again with @mark: the marked lookup finds the tunnel's pinned policy. */
static int l2tpi_nat_reroute(struct sk_buff *skb, const struct nf_hook_state *state, u32 mark)
{
	skb->mark = mark;
	if (state->pf == NFPROTO_IPV4)
		return ip_route_me_harder(state->net, state->sk, skb, RTN_UNSPEC);
#if IS_ENABLED(CONFIG_IPV6)
	return ip6_route_me_harder(state->net, state->sk, skb);
#else
	return -EAFNOSUPPORT;
#endif
}

/* Context: process or softirq, under rcu_read_lock() (netfilter's). */
static unsigned int l2tpi_nat_out(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct l2tpi_net *ln = l2tpi_net(state->net);
	struct dst_entry *dst = skb_dst(skb);
	struct l2tpi_pol_spec flow;
	struct l2tpi_nat *n;
	__be32 spi;
	int id;

	if (!dst || !READ_ONCE(ln->nr_pinned))
		return NF_ACCEPT;
	/* The ESP packet that carries a frame comes by again, on the bundle's path route. */
	if (state->pf == NFPROTO_IPV4 ? IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED :
					IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED)
		return NF_ACCEPT;
	id = l2tpi_nat_frame(skb, state, XFRM_POLICY_OUT, &flow);
	if (id < 0)
		return NF_ACCEPT;
	n = l2tpi_nat_find_out(state->net, state->sk, &flow, id);
	if (IS_ERR(n))
		return NF_DROP;		/* two clients with that id: never a guess */
	if (!n)
		return NF_ACCEPT;
	spi = READ_ONCE(n->pinned);
	if (!spi)	/* not pinned yet, or its client's SAs went: then never another's */
		return READ_ONCE(n->pinning) ? NF_DROP : NF_ACCEPT;
	if (dst->xfrm && dst->xfrm->id.spi == spi)
		return NF_ACCEPT;
	if (l2tpi_nat_reroute(skb, state, L2TP_IPSEC_TUNNEL_MARK_BASE | n->id))
		return NF_DROP;
	return NF_ACCEPT;
}

#define L2TPI_NAT_HOOK(fn, family, num, prio) \
	{ .hook = (fn), .pf = (family), .hooknum = (num), .priority = (prio) }

static const struct nf_hook_ops l2tpi_nat_ops[] = {
	L2TPI_NAT_HOOK(l2tpi_nat_in, NFPROTO_IPV4, NF_INET_LOCAL_IN, NF_IP_PRI_LAST),
	L2TPI_NAT_HOOK(l2tpi_nat_out, NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_IP_PRI_MANGLE + 1),
#if IS_ENABLED(CONFIG_IPV6)
	L2TPI_NAT_HOOK(l2tpi_nat_in, NFPROTO_IPV6, NF_INET_LOCAL_IN, NF_IP6_PRI_LAST),
	L2TPI_NAT_HOOK(l2tpi_nat_out, NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_IP6_PRI_MANGLE + 1),
#endif
};

/*
 * The pinned policy of @n for its binding @bind: the tunnel's outbound policy with
 * the tunnel's mark and a template pinned to the newest valid SA to the NAT-T port.
 * Return: false when there is no such SA (yet).
 */
static bool l2tpi_nat_pin_spec(struct net *net, const struct l2tpi_nat *n, u64 bind,
			       struct l2tpi_pol_spec *spec)
{
	const struct l2tpi_sa_pin pin = { .encap_dport = htons(l2tpi_nat_port(bind)) };
	struct xfrm_state *x;

	x = l2tpi_sa_lookup(net, n->out.family, &n->out.saddr, &n->out.daddr, &pin);
	if (!x)
		return false;
	*spec = n->out;
	spec->mark = L2TP_IPSEC_TUNNEL_MARK_BASE | n->id;
	spec->spi = x->id.spi;
	spec->reqid = x->props.reqid;
	spec->priority = spec->priority ? spec->priority - 1 : 0;
	xfrm_state_put(x);
	return true;
}

/*
 * Make @n's pinned policy follow its binding and the SAD: pinned to the newest valid
 * SA to the client's NAT-T port (a rekey's new SA once it is installed), none when
 * the client's SAs went (its frames are then dropped, never sent through another
 * client's SA, until an SA to that port comes: the same client negotiating again).
 * Context: the work item.
 */
static void l2tpi_nat_pin(struct l2tpi_net *ln, struct l2tpi_nat *n)
{
	u64 bind = atomic64_read(&n->bind);
	struct l2tpi_owned *own, *put = NULL;
	struct l2tpi_pol_spec spec;
	bool found, first;

	if (!(bind & L2TPI_NAT_BOUND) || !l2tpi_nat_port(bind))
		return;
	found = l2tpi_nat_pin_spec(ln->net, n, bind, &spec);
	spin_lock_bh(&ln->nat_lock);
	own = n->dead ? NULL : n->own;
	first = !n->dead && !own;
	spin_unlock_bh(&ln->nat_lock);
	if (!found) {
		if (own)
			WRITE_ONCE(n->pinned, 0);
		return;
	}
	if (own) {
		if (n->pinned == spec.spi && n->pinned_reqid == spec.reqid)
			return;
		if (l2tpi_owned_respec(ln->net, own, &spec))
			return;		/* tried again at the next change */
	} else if (first) {
		own = l2tpi_owned_get(ln->net, &spec, L2TPI_ORIGIN_BINDING, GFP_KERNEL);
		if (IS_ERR(own))
			return;
	} else {
		return;
	}
	spin_lock_bh(&ln->nat_lock);
	if (n->dead) {
		put = first ? own : NULL;
	} else {
		if (first) {
			n->own = own;
			WRITE_ONCE(n->pinning, true);
			WRITE_ONCE(ln->nr_pinned, ln->nr_pinned + 1);
		}
		n->pinned_reqid = spec.reqid;
		WRITE_ONCE(n->pinned, spec.spi);
	}
	spin_unlock_bh(&ln->nat_lock);
	if (put)
		l2tpi_owned_put(ln->net, put);
}

static void l2tpi_nat_work(struct work_struct *work)
{
	struct l2tpi_net *ln = container_of(work, struct l2tpi_net, nat_work);
	struct l2tpi_nat *n;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&ln->nat_xa, id, n) {
		if (xa_is_zero(n) || !refcount_inc_not_zero(&n->ref))
			continue;
		rcu_read_unlock();
		l2tpi_nat_pin(ln, n);
		l2tpi_nat_put(ln->net, n);
		rcu_read_lock();
	}
	rcu_read_unlock();
}

/**
 * l2tpi_nat_track() - start learning the binding of tunnel @id
 * @net: the tunnel's namespace
 * @id: its L2TPv2 tunnel id
 * @peer_id: the peer's tunnel id
 * @sk: its socket
 * @out: its outbound policy spec (the socket's 5-tuple)
 * @owner: the tunnel's entry (tunnel.c), alive until it untracks
 * @gfp: allocation flags
 *
 * Context: any; takes nat_lock.
 * Return: 0, or -ENOMEM (the tunnel then has no binding).
 */
int l2tpi_nat_track(struct net *net, u32 id, u32 peer_id, struct sock *sk,
		    const struct l2tpi_pol_spec *out, const void *owner, gfp_t gfp)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_nat *n, *old;
	int err;

	n = kzalloc(sizeof(*n), gfp);
	if (!n)
		return -ENOMEM;
	refcount_set(&n->ref, 1);
	n->owner = owner;
	n->sk = sk;
	n->id = id;
	n->out = *out;
	n->key.addr = out->daddr;
	n->key.family = out->family;
	n->key.peer_id = peer_id;
	/* A slot first, so that nothing below can fail once the record is linked. */
	err = xa_insert_bh(&ln->nat_xa, id, XA_ZERO_ENTRY, gfp);
	if (err && err != -EBUSY)
		goto fail;
	spin_lock_bh(&ln->nat_lock);
	err = rhltable_insert(&ln->nat_peers, &n->by_peer, l2tpi_nat_peer_params);
	if (err) {
		spin_unlock_bh(&ln->nat_lock);
		xa_cmpxchg_bh(&ln->nat_xa, id, XA_ZERO_ENTRY, NULL, 0);
		goto fail;
	}
	old = xa_store_bh(&ln->nat_xa, id, n, GFP_ATOMIC);	/* in the slot: no allocation */
	if (old)		/* a lingering tunnel's, with the same id */
		l2tpi_nat_unlink(ln, old);
	spin_unlock_bh(&ln->nat_lock);
	if (old)
		l2tpi_nat_put(net, old);
	return 0;

fail:
	kfree(n);
	return -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_nat_track);

/**
 * l2tpi_nat_untrack() - stop learning the binding of tunnel @id, if @owner's
 * @net: the tunnel's namespace
 * @id: its tunnel id
 * @owner: as given to l2tpi_nat_track()
 *
 * Its pinned policy goes with the record's last reference.
 * Context: any; takes nat_lock.
 */
void l2tpi_nat_untrack(struct net *net, u32 id, const void *owner)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_nat *n;

	spin_lock_bh(&ln->nat_lock);
	n = xa_load(&ln->nat_xa, id);
	if (n && n->owner == owner) {
		xa_erase_bh(&ln->nat_xa, id);
		l2tpi_nat_unlink(ln, n);
	} else {
		n = NULL;
	}
	spin_unlock_bh(&ln->nat_lock);
	if (n)
		l2tpi_nat_put(net, n);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_nat_untrack);

/**
 * l2tpi_nat_sa_changed() - an SA with UDP encapsulation came, changed or went in @net
 * @net: network namespace
 *
 * The pinned tunnels follow (km.c tells). Context: any.
 */
void l2tpi_nat_sa_changed(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	if (READ_ONCE(ln->nr_pinned))
		l2tpi_nat_kick(ln);
}

/**
 * l2tpi_nat_binding() - the binding of tunnel @id, if @owner's
 * @net: the tunnel's namespace
 * @id: its tunnel id
 * @owner: as given to l2tpi_nat_track()
 * @b: filled in (not bound if @owner tracks nothing under @id)
 *
 * Context: any.
 */
void l2tpi_nat_binding(struct net *net, u32 id, const void *owner,
		       struct l2tpi_nat_binding *b)
{
	const struct l2tpi_nat *n;
	u64 bind = 0;

	memset(b, 0, sizeof(*b));
	rcu_read_lock();
	n = xa_load(&l2tpi_net(net)->nat_xa, id);
	if (n && n->owner == owner) {
		bind = atomic64_read(&n->bind);
		b->foreign = atomic_read(&n->foreign);
	}
	rcu_read_unlock();
	if (!(bind & L2TPI_NAT_BOUND))
		return;
	b->bound = true;
	b->spi = htonl((u32)bind);
	b->encap_port = htons(l2tpi_nat_port(bind));
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_nat_binding);

/* Context: process (footprint.c, with the guard). */
int l2tpi_nat_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, l2tpi_nat_ops, ARRAY_SIZE(l2tpi_nat_ops));
}

/* Context: process. */
void l2tpi_nat_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, l2tpi_nat_ops, ARRAY_SIZE(l2tpi_nat_ops));
}

/* Context: process (pernet init). */
int l2tpi_nat_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	xa_init_flags(&ln->nat_xa, XA_FLAGS_LOCK_BH);
	spin_lock_init(&ln->nat_lock);
	INIT_WORK(&ln->nat_work, l2tpi_nat_work);
	return rhltable_init(&ln->nat_peers, &l2tpi_nat_peer_params);
}

/*
 * After the namespace's tunnel entries ended (each untracked its record) and the
 * hooks went (footprint.c): no more work is queued. Context: process.
 */
void l2tpi_nat_net_exit(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	cancel_work_sync(&ln->nat_work);
	WARN_ON_ONCE(!xa_empty(&ln->nat_xa));
	xa_destroy(&ln->nat_xa);
	rhltable_destroy(&ln->nat_peers);
}
