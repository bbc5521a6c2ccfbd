// SPDX-License-Identifier: GPL-2.0
/*
 * Per-tunnel policies.
 *
 * When l2tp binds a UDP socket to a tunnel (hook.c, in atomic context, with the socket
 * locked, bound and connected, before l2tp_tunnel_register() returns) we own two SPD
 * policies for exactly that socket's 5-tuple (owned.c): what admins and IKE daemons
 * see, restored after a flush (owned.c). Between a flush and the restore the output
 * guard (guard.c) drops the tunnel's frames: it finds the tunnel's policy missing.
 *
 * (Earlier versions attached a copy of the two policies to the socket instead of the
 * guard. That cost two more xfrm_policy objects per tunnel, and since the kernel's
 * xfrm_policy_flush() rescans its list from the head past every socket policy after
 * each policy it deletes, a flush took time quadratic in the tunnels: at 10,000, a
 * 26 s soft lockup under TCG in make bench.)
 *
 * When the tunnel goes (l2tp_tunnel_delete(), or the socket's encap_destroy), the
 * entry is unbound, but the kernel can still transmit on that socket: sessions
 * drain, and on 6.1 the pppd of a session that is hanging up sends its LCP
 * Terminate-Requests through the deleted tunnel for seconds, after xl2tpd closed the
 * socket (seen in the end-to-end test: releasing the SPD policies at the delete put
 * those frames on the wire in plaintext). So the entry lingers: its SPD entries and
 * its client connection's tunnel count stay until the socket is dead, i.e. ours is
 * the last reference to it (l2tp holds one until it frees the tunnel, which its
 * sessions keep alive), then they are released (the last owner of a 5-tuple takes
 * the policy out). The work item polls for that, backing off from 1 jiffy to a
 * second: an entry outlives its socket by at most a second plus the workqueue's
 * latency. Only rmmod, a namespace's exit, a socket bound again to a new tunnel and
 * l2tp_core's unload end an entry at once.
 *
 * Why polling: no notifier reports the end of a socket. Its sk_destruct is l2tp's
 * own on 6.1 (chaining ours in front of it would leave a pointer into this module's
 * text on the socket after rmmod), and a probe on sk_destruct() or udp_destruct_*()
 * would tax every socket the host frees, L2TP or not. A lingering entry costs one
 * work item a second until its socket dies; a host has a few, for seconds.
 *
 * One entry per socket: a socket bound to a new tunnel while the entry of its
 * previous tunnel lingers (l2tp lets a socket serve tunnel after tunnel, one at a
 * time) ends that lingering at once; the new entry holds the socket and owns the
 * same policies. Otherwise each entry would wait for the others' references to the
 * socket, and none would ever go.
 *
 * Tunnels without a key (adopted at load, or whose register probe missed) cannot be
 * matched by l2tp_tunnel_delete(), and on 6.12 l2tp clears the socket's destroy
 * callback when it frees the tunnel. A sweep looks at them once a second, while
 * there are any: a socket that is no longer an L2TP encapsulation socket (6.12
 * clears encap_type when it frees the tunnel) or that only we hold has lost its
 * tunnel, and its entry lingers as above. So every entry is released at most two
 * seconds after its socket is gone, on 6.1 and 6.12.
 *
 * Lifetime: an entry holds a reference on its socket (so the pointer we hash and
 * lock stays valid until the work item is done with it) and is itself counted: one
 * reference while bound (the hash tables') or lingering (l2tpi_lingering's), one per
 * queued work item. The last put happens in the work item or where the socket cannot
 * be freed with it: in process context (rmmod, a namespace's exit), or when a bind
 * replaces the entry of the very socket it holds locked.
 *
 * Locking: l2tpi_tunnels_lock (BH-safe spinlock, taken from the kprobe handlers and
 * the output guard) protects the hash tables, l2tpi_lingering, l2tpi_keyless and
 * every entry's @bound, @linger and @drop. @delay, @announced and @index belong to the work item
 * (the bind sets them before the entry is published when nobody listens).
 */
#include <linux/hashtable.h>
#include <linux/in.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/xfrm.h>

#include "client.h"
#include "footprint.h"
#include "netlink.h"
#include "netns.h"
#include "owned.h"
#include "quarantine.h"
#include "trust.h"
#include "tunnel.h"
#include "kunit.h"

/**
 * struct l2tpi_tunnel - a tunnel socket we attached policies to
 * @by_sk: in l2tpi_by_sk while bound, in l2tpi_linger_by_sk while lingering
 * @by_key: in l2tpi_by_key when @key is known
 * @ref: see "Lifetime" above
 * @net: the socket's namespace (not referenced: our pernet exit unbinds first)
 * @sk: the tunnel socket, referenced
 * @key: the struct l2tp_tunnel it belongs to, as an opaque key (never dereferenced)
 * @id: its L2TP tunnel id, when hook.c saw it created
 * @family: AF_INET or AF_INET6 of the traffic (a v4-mapped IPv6 socket is AF_INET)
 * @peer: the peer address, for client connection accounting
 * @lport: local port (host order)
 * @spec: the outbound and inbound policy, indexed by XFRM_POLICY_IN/OUT
 * @own: our SPD entries
 * @bound: still attached to a live tunnel; under l2tpi_tunnels_lock
 * @linger: unbound by the tunnel's teardown, @own and the client count not released
 *          yet: in l2tpi_lingering until the socket is dead; under l2tpi_tunnels_lock
 * @drop: end the lingering now (rmmod, netns exit); under l2tpi_tunnels_lock
 * @lingering: in l2tpi_lingering while @linger (or, unbound by rmmod or a
 *             namespace's exit, briefly on that caller's own list)
 * @keyless: in l2tpi_keyless while bound without a @key
 * @delay: the next poll for a dead socket, in jiffies; work item only
 * @announced: the attach event went out (so the detach event will); work item only
 * @index: SPD index of our out and in policy when the attach event went out; work
 *         item only
 * @work: sends the attach and detach events, ends the lingering
 */
struct l2tpi_tunnel {
	struct hlist_node by_sk;
	struct hlist_node by_key;
	refcount_t ref;
	struct net *net;
	struct sock *sk;
	const void *key;
	struct l2tpi_tunnel_id id;
	unsigned short family;
	xfrm_address_t peer;
	u16 lport;
	struct l2tpi_pol_spec spec[2];
	struct l2tpi_owned *own[2];
	bool bound;
	bool linger;
	bool drop;
	bool announced;
	u32 index[2];
	struct list_head lingering;
	struct list_head keyless;
	unsigned long delay;
	struct delayed_work work;
};

#define L2TPI_TUNNEL_HASH_BITS	10

static DEFINE_SPINLOCK(l2tpi_tunnels_lock);	/* see above: BH-safe, any context */
static DEFINE_HASHTABLE(l2tpi_by_sk, L2TPI_TUNNEL_HASH_BITS);
static DEFINE_HASHTABLE(l2tpi_by_key, L2TPI_TUNNEL_HASH_BITS);
static DEFINE_HASHTABLE(l2tpi_linger_by_sk, L2TPI_TUNNEL_HASH_BITS);
static LIST_HEAD(l2tpi_lingering);	/* see above */
static LIST_HEAD(l2tpi_keyless);	/* see above */
static struct workqueue_struct *l2tpi_wq;
static void l2tpi_keyless_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(l2tpi_keyless_work, l2tpi_keyless_fn);
/*
 * Entries come from a cache of their own: /proc/slabinfo shows what tunnels cost, and
 * failslab can be pointed at exactly this allocation of the bind hook (the
 * fail-closed tests). Never merged with another cache where the kernel allows it.
 */
static struct kmem_cache *l2tpi_tunnel_cache;
#ifdef SLAB_NO_MERGE
#define L2TPI_TUNNEL_CACHE_FLAGS	SLAB_NO_MERGE
#else
#define L2TPI_TUNNEL_CACHE_FLAGS	0
#endif

/**
 * l2tpi_tunnel_sk_spec() - the policy for one direction of a tunnel socket
 * @sk: a bound UDP socket, normally connected
 * @dir: XFRM_POLICY_OUT or XFRM_POLICY_IN
 * @cfg: reqid, priority and level
 * @spec: filled in
 *
 * Exactly the socket's 5-tuple; an unconnected socket gets "any peer".
 * Return: 0 or -EAFNOSUPPORT.
 */
int l2tpi_tunnel_sk_spec(const struct sock *sk, int dir, const struct l2tpi_config *cfg,
			 struct l2tpi_pol_spec *spec)
{
	const struct inet_sock *inet = inet_sk(sk);
	xfrm_address_t local = {}, peer = {};
	unsigned short family;
	u8 plen, plen_local, plen_peer;

	if (sk->sk_family == AF_INET) {
		family = AF_INET;
		local.a4 = inet->inet_saddr ?: inet->inet_rcv_saddr;
		peer.a4 = inet->inet_daddr;
#if IS_ENABLED(CONFIG_IPV6)
	} else if (sk->sk_family == AF_INET6 && ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		family = AF_INET;
		local.a4 = sk->sk_v6_rcv_saddr.s6_addr32[3];
		peer.a4 = sk->sk_v6_daddr.s6_addr32[3];
	} else if (sk->sk_family == AF_INET6) {
		family = AF_INET6;
		local.in6 = sk->sk_v6_rcv_saddr;
		peer.in6 = sk->sk_v6_daddr;
#endif
	} else {
		return -EAFNOSUPPORT;
	}
	plen = family == AF_INET ? 32 : 128;
	plen_local = xfrm_addr_any(&local, family) ? 0 : plen;
	plen_peer = xfrm_addr_any(&peer, family) ? 0 : plen;

	memset(spec, 0, sizeof(*spec));
	spec->family = family;
	spec->dir = dir;
	if (dir == XFRM_POLICY_OUT) {
		spec->saddr = local;
		spec->prefixlen_s = plen_local;
		spec->daddr = peer;
		spec->prefixlen_d = plen_peer;
		spec->sport = inet->inet_sport;
		spec->dport = inet->inet_dport;
	} else {
		spec->saddr = peer;
		spec->prefixlen_s = plen_peer;
		spec->daddr = local;
		spec->prefixlen_d = plen_local;
		spec->sport = inet->inet_dport;
		spec->dport = inet->inet_sport;
	}
	spec->reqid = cfg->reqid;
	spec->priority = l2tpi_config_tunnel_priority(cfg);
	spec->optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_sk_spec);

static void l2tpi_tunnel_put(struct l2tpi_tunnel *t)
{
	if (!refcount_dec_and_test(&t->ref))
		return;
	sock_put(t->sk);
	kmem_cache_free(l2tpi_tunnel_cache, t);
}

static void l2tpi_tunnel_kick_after(struct l2tpi_tunnel *t, unsigned long delay)
{
	refcount_inc(&t->ref);
	if (!queue_delayed_work(l2tpi_wq, &t->work, delay))
		refcount_dec(&t->ref);	/* the queued instance holds one */
}

static void l2tpi_tunnel_kick(struct l2tpi_tunnel *t)
{
	l2tpi_tunnel_kick_after(t, 0);
}

/*
 * What netlink shows of @t. The SPD indexes are read while @t is bound (its entries
 * are released only after it is unhashed).
 * Context: l2tpi_tunnels_lock held; takes the namespace's owned_lock inside it.
 */
static void l2tpi_tunnel_fill_info(const struct l2tpi_tunnel *t, struct l2tpi_tunnel_info *info)
{
	const struct l2tpi_pol_spec *out = &t->spec[XFRM_POLICY_OUT];
	struct l2tpi_net *ln = l2tpi_net(t->net);
	int dir;

	memset(info, 0, sizeof(*info));
	info->id = t->id;
	info->family = out->family;
	info->local = out->saddr;
	info->peer = out->daddr;
	info->lport = out->sport;
	info->pport = out->dport;
	spin_lock(&ln->owned_lock);
	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++)
		if (t->bound && t->own[dir]->pol && l2tpi_policy_alive(t->own[dir]->pol))
			info->index[dir] = t->own[dir]->pol->index;
	spin_unlock(&ln->owned_lock);
}

/**
 * l2tpi_tunnel_next() - the next attached tunnel of @net, for a dump
 * @net: network namespace
 * @pos: cursor, 0 for the first call; advanced past the tunnel returned
 * @info: filled in
 *
 * Tunnels attached or detached during a dump may be missed or shown once more.
 * Context: any; takes l2tpi_tunnels_lock.
 * Return: true with @info filled in, false when there are no more.
 */
bool l2tpi_tunnel_next(struct net *net, unsigned long *pos, struct l2tpi_tunnel_info *info)
{
	unsigned long bkt = *pos >> 32, skip = *pos & 0xffffffff, i;
	struct l2tpi_tunnel *t;

	spin_lock_bh(&l2tpi_tunnels_lock);
	for (; bkt < HASH_SIZE(l2tpi_by_sk); bkt++, skip = 0) {
		i = 0;
		hlist_for_each_entry(t, &l2tpi_by_sk[bkt], by_sk) {
			if (t->net != net || i++ < skip)
				continue;
			l2tpi_tunnel_fill_info(t, info);
			spin_unlock_bh(&l2tpi_tunnels_lock);
			*pos = bkt << 32 | i;
			return true;
		}
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	*pos = bkt << 32;
	return false;
}

/*
 * Mark @t announced and note the SPD indexes its detach event will carry; @info gets
 * what the attach event shows. Context: the work item, or the bind before @t is
 * published (nobody listens: no attach event). Takes l2tpi_tunnels_lock.
 */
static void l2tpi_tunnel_announced(struct l2tpi_tunnel *t, struct l2tpi_tunnel_info *info)
{
	spin_lock_bh(&l2tpi_tunnels_lock);
	l2tpi_tunnel_fill_info(t, info);
	spin_unlock_bh(&l2tpi_tunnels_lock);
	t->index[XFRM_POLICY_IN] = info->index[XFRM_POLICY_IN];
	t->index[XFRM_POLICY_OUT] = info->index[XFRM_POLICY_OUT];
	t->announced = true;
}

/* The attach event once the tunnel is bound and attached, the detach event after. */
static void l2tpi_tunnel_announce(struct l2tpi_tunnel *t, bool bound)
{
	struct l2tpi_tunnel_info info;

	if (bound && !t->announced) {
		l2tpi_tunnel_announced(t, &info);
		l2tpi_nl_tunnel_event(t->net, &info, true);
	} else if (!bound && t->announced) {
		const struct l2tpi_pol_spec *out = &t->spec[XFRM_POLICY_OUT];

		info = (struct l2tpi_tunnel_info) {
			.id = t->id,
			.family = out->family, .local = out->saddr, .peer = out->daddr,
			.lport = out->sport, .pport = out->dport,
			.index = { t->index[0], t->index[1] },
		};
		t->announced = false;
		l2tpi_nl_tunnel_event(t->net, &info, false);
	}
}

static void l2tpi_tunnel_release_now(struct l2tpi_tunnel *t);

/*
 * A lingering entry: release it once the socket is dead or @drop says so, otherwise
 * look again later. Context: work item.
 */
static void l2tpi_tunnel_linger(struct l2tpi_tunnel *t)
{
	bool done;

	spin_lock_bh(&l2tpi_tunnels_lock);
	if (!t->linger) {		/* an earlier instance ended it */
		spin_unlock_bh(&l2tpi_tunnels_lock);
		return;
	}
	done = t->drop || refcount_read(&t->sk->sk_refcnt) == 1;
	if (done) {
		t->linger = false;
		list_del(&t->lingering);
		hash_del(&t->by_sk);
		atomic_dec(&l2tpi_net(t->net)->nr_lingering);
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (done) {
		l2tpi_tunnel_release_now(t);
		l2tpi_tunnel_put(t);	/* l2tpi_lingering's reference */
		return;
	}
	t->delay = min_t(unsigned long, t->delay ? 2 * t->delay : 1, HZ);
	l2tpi_tunnel_kick_after(t, t->delay);
}

static void l2tpi_tunnel_work(struct work_struct *work)
{
	struct l2tpi_tunnel *t = container_of(to_delayed_work(work), struct l2tpi_tunnel, work);
	bool bound, linger;

	spin_lock_bh(&l2tpi_tunnels_lock);
	bound = t->bound;
	linger = t->linger;
	spin_unlock_bh(&l2tpi_tunnels_lock);
	l2tpi_tunnel_announce(t, bound);
	if (linger)
		l2tpi_tunnel_linger(t);
	l2tpi_tunnel_put(t);
}

/* Release @t's SPD entries and its client connection's count. Context: any. */
static void l2tpi_tunnel_release_now(struct l2tpi_tunnel *t)
{
	l2tpi_client_tunnel_down(t->net, t->family, &t->peer, t->lport);
	l2tpi_owned_put(t->net, t->own[XFRM_POLICY_OUT]);
	l2tpi_owned_put(t->net, t->own[XFRM_POLICY_IN]);
	atomic_dec(&l2tpi_net(t->net)->nr_tunnels);
}

/*
 * Finish what unhashing @t started: at once, or (@linger, the tunnel's teardown) once
 * its socket is dead. Context: any; l2tpi_tunnels_lock not held.
 */
static void l2tpi_tunnel_release(struct l2tpi_tunnel *t, bool linger)
{
	if (linger) {
		spin_lock_bh(&l2tpi_tunnels_lock);
		t->linger = true;
		atomic_inc(&l2tpi_net(t->net)->nr_lingering);
		list_add(&t->lingering, &l2tpi_lingering);
		hash_add(l2tpi_linger_by_sk, &t->by_sk, (unsigned long)t->sk);
		spin_unlock_bh(&l2tpi_tunnels_lock);
		l2tpi_tunnel_kick(t);	/* the hash tables' reference is now the list's */
		return;
	}
	l2tpi_tunnel_release_now(t);
	/* The detach event, from the work item; when nobody listens, nothing to queue. */
	if (l2tpi_nl_listening(t->net))
		l2tpi_tunnel_kick(t);
	l2tpi_tunnel_put(t);		/* the hash tables' reference */
}

/* Context: l2tpi_tunnels_lock held. */
static void l2tpi_tunnel_unhash(struct l2tpi_tunnel *t)
{
	t->bound = false;
	hash_del(&t->by_sk);
	if (t->key)
		hash_del(&t->by_key);
	else
		list_del_init(&t->keyless);
}

/* End the lingering of @t now (its socket serves a new entry). Context: lock held. */
static void l2tpi_tunnel_end_lingering_locked(struct l2tpi_tunnel *t)
{
	t->drop = true;
	/* Now, not after its delay: a new instance holds a reference. */
	refcount_inc(&t->ref);
	if (mod_delayed_work(l2tpi_wq, &t->work, 0))
		refcount_dec(&t->ref);	/* it was queued: that instance has one */
}

static struct l2tpi_tunnel *l2tpi_tunnel_find_sk(const struct sock *sk)
{
	struct l2tpi_tunnel *t;

	hash_for_each_possible(l2tpi_by_sk, t, by_sk, (unsigned long)sk)
		if (t->sk == sk)
			return t;
	return NULL;
}

/* End the lingering entries of @sk (one at most). Context: lock held. */
static void l2tpi_tunnel_end_lingering_sk(const struct sock *sk)
{
	struct l2tpi_tunnel *t;

	hash_for_each_possible(l2tpi_linger_by_sk, t, by_sk, (unsigned long)sk)
		if (t->sk == sk && !t->drop)
			l2tpi_tunnel_end_lingering_locked(t);
}

/* What a refusal reports of a tunnel: its 5-tuple and id. */
static void l2tpi_tunnel_spec_info(const struct l2tpi_pol_spec *out,
				   const struct l2tpi_tunnel_id *id,
				   struct l2tpi_tunnel_info *info)
{
	*info = (struct l2tpi_tunnel_info) {
		.id = *id, .family = out->family, .local = out->saddr, .peer = out->daddr,
		.lport = out->sport, .pport = out->dport,
	};
}

/**
 * l2tpi_tunnel_bind_gfp() - own the two policies of tunnel socket @sk
 * @net: the tunnel's namespace
 * @sk: the UDP socket, locked, bound and connected (l2tpi_tunnel_bind() checked)
 * @key: the struct l2tp_tunnel it belongs to, or NULL if unknown
 * @id: its L2TP tunnel id, if known
 * @gfp: GFP_ATOMIC from the hook, GFP_KERNEL from the quarantine retry
 *
 * Context: any; the caller holds the socket lock.
 * Return: 0 with the SPD policies in place (or auto-attach off in @net), -EDQUOT
 * when @net has max-tunnels entries already, or another -errno; nothing changed
 * on error.
 */
int l2tpi_tunnel_bind_gfp(struct net *net, struct sock *sk, const void *key,
			  const struct l2tpi_tunnel_id *id, gfp_t gfp)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_tunnel *t, *old;
	struct l2tpi_tunnel_info info;
	struct l2tpi_config cfg;
	int dir, err = 0;
	bool announce;

	spin_lock_bh(&ln->owned_lock);
	cfg = ln->cfg;
	spin_unlock_bh(&ln->owned_lock);
	if (!cfg.auto_attach)
		return 0;
	if (atomic_inc_return(&ln->nr_tunnels) > cfg.max_tunnels) {
		atomic_dec(&ln->nr_tunnels);
		return -EDQUOT;
	}

	t = kmem_cache_zalloc(l2tpi_tunnel_cache, gfp);
	if (!t) {
		err = -ENOMEM;
		goto fail;
	}
	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		err = l2tpi_tunnel_sk_spec(sk, dir, &cfg, &t->spec[dir]);
		if (err)
			goto fail;
	}
	t->own[XFRM_POLICY_OUT] = l2tpi_owned_get(net, &t->spec[XFRM_POLICY_OUT],
						  L2TPI_ORIGIN_TUNNEL, gfp);
	if (IS_ERR(t->own[XFRM_POLICY_OUT])) {
		err = PTR_ERR(t->own[XFRM_POLICY_OUT]);
		goto fail;
	}
	t->own[XFRM_POLICY_IN] = l2tpi_owned_get(net, &t->spec[XFRM_POLICY_IN],
						 L2TPI_ORIGIN_TUNNEL, gfp);
	if (IS_ERR(t->own[XFRM_POLICY_IN])) {
		err = PTR_ERR(t->own[XFRM_POLICY_IN]);
		l2tpi_owned_put(net, t->own[XFRM_POLICY_OUT]);
		goto fail;
	}
	t->net = net;
	sock_hold(sk);
	t->sk = sk;
	t->key = key;
	t->id = *id;
	t->family = t->spec[XFRM_POLICY_OUT].family;
	t->peer = t->spec[XFRM_POLICY_OUT].daddr;
	t->lport = ntohs(t->spec[XFRM_POLICY_OUT].sport);
	refcount_set(&t->ref, 1);
	t->bound = true;
	INIT_LIST_HEAD(&t->keyless);
	INIT_DELAYED_WORK(&t->work, l2tpi_tunnel_work);
	/*
	 * The attach event needs process context: a work item, but only when someone
	 * listens. Otherwise the entry counts as announced now, so that its detach
	 * event still goes out to whoever listens by then (a dump, then monitor). On a
	 * busy LNS the work item and its context switch were most of what an attach
	 * cost (make bench).
	 */
	announce = l2tpi_nl_listening(net);
	if (!announce)
		l2tpi_tunnel_announced(t, &info);

	spin_lock_bh(&l2tpi_tunnels_lock);
	old = l2tpi_tunnel_find_sk(sk);	/* a socket reused after a teardown we missed */
	if (old)
		l2tpi_tunnel_unhash(old);
	l2tpi_tunnel_end_lingering_sk(sk);
	hash_add(l2tpi_by_sk, &t->by_sk, (unsigned long)sk);
	if (key) {
		hash_add(l2tpi_by_key, &t->by_key, (unsigned long)key);
	} else {
		list_add(&t->keyless, &l2tpi_keyless);
		/* Not queued yet: the first keyless entry starts the sweep. */
		queue_delayed_work(l2tpi_wq, &l2tpi_keyless_work, HZ);
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (old)
		l2tpi_tunnel_release(old, false);

	l2tpi_client_tunnel_up(net, t->family, &t->peer, t->lport);
	/*
	 * The socket may hold a route computed before our policies existed (a bundle
	 * of a wider policy, a blackhole while an SA was negotiated): drop it, so that
	 * its next frame is routed with ours.
	 */
	sk_dst_reset(sk);
	if (announce)
		l2tpi_tunnel_kick(t);
	return 0;

fail:
	if (t)
		kmem_cache_free(l2tpi_tunnel_cache, t);
	atomic_dec(&ln->nr_tunnels);
	return err;
}

/**
 * l2tpi_tunnel_bind() - l2tp is binding @sk to a tunnel: own its two policies
 * @net: the tunnel's namespace
 * @sk: the UDP socket, locked (by l2tp, or by the adoption)
 * @key: the struct l2tp_tunnel being registered, or NULL if unknown
 * @id: its L2TP tunnel id, if known
 * @trusted: its creator has CAP_NET_ADMIN over @net (trust.c)
 * @gfp: GFP_ATOMIC from the hook, with __GFP_ACCOUNT when the creator is the current
 *       task; GFP_KERNEL from the adoption
 *
 * A tunnel that is not trusted, has no exact 5-tuple or does not fit under
 * max-tunnels gets nothing and is reported (trust.c).
 * Context: atomic (kprobe handler) or process (adoption). Returns with the SPD policies in
 * place, refused, or, when they cannot be installed, with the socket blocked
 * (quarantine.c): fail closed.
 */
void l2tpi_tunnel_bind(struct net *net, struct sock *sk, const void *key,
		       const struct l2tpi_tunnel_id *id, bool trusted, gfp_t gfp)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_tunnel_info info;
	struct l2tpi_pol_spec out;
	struct l2tpi_config cfg;
	int why, err;

	spin_lock_bh(&ln->owned_lock);
	cfg = ln->cfg;
	spin_unlock_bh(&ln->owned_lock);
	if (!cfg.auto_attach || l2tpi_tunnel_sk_spec(sk, XFRM_POLICY_OUT, &cfg, &out))
		return;
	l2tpi_tunnel_spec_info(&out, id, &info);
	if (!trusted) {
		why = L2TP_IPSEC_REFUSAL_UNPRIVILEGED;
	} else if (!l2tpi_trust_exact(&out)) {
		why = L2TP_IPSEC_REFUSAL_INEXACT;
	} else {
		err = l2tpi_tunnel_bind_gfp(net, sk, key, id, gfp);
		if (!err) {
			l2tpi_quarantine_bound(sk);
			return;
		}
		if (err != -EDQUOT) {
			l2tpi_quarantine(net, sk, key, id, err);
			return;
		}
		why = L2TP_IPSEC_REFUSAL_LIMIT;
	}
	l2tpi_trust_refuse(net, &info, why);
}

/**
 * l2tpi_tunnel_refuse_sk() - report that @sk's tunnel stays without policies
 * @net: its namespace
 * @sk: its socket
 * @id: its L2TP tunnel id, if known
 * @why: enum l2tp_ipsec_refusal
 *
 * For the quarantine retry that finds max-tunnels reached. Context: process.
 */
void l2tpi_tunnel_refuse_sk(struct net *net, const struct sock *sk,
			    const struct l2tpi_tunnel_id *id, int why)
{
	struct l2tpi_tunnel_info info;
	struct l2tpi_config cfg;
	struct l2tpi_pol_spec out;

	l2tpi_config_default(&cfg);	/* only the 5-tuple is reported */
	if (l2tpi_tunnel_sk_spec(sk, XFRM_POLICY_OUT, &cfg, &out))
		return;
	l2tpi_tunnel_spec_info(&out, id, &info);
	l2tpi_trust_refuse(net, &info, why);
}

/* The tunnel @key (a struct l2tp_tunnel) is being deleted. Context: atomic. */
void l2tpi_tunnel_unbind_key(const void *key)
{
	struct l2tpi_tunnel *t, *found = NULL;

	spin_lock_bh(&l2tpi_tunnels_lock);
	hash_for_each_possible(l2tpi_by_key, t, by_key, (unsigned long)key) {
		if (t->key == key) {
			found = t;
			l2tpi_tunnel_unhash(t);
			break;
		}
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (found)
		l2tpi_tunnel_release(found, true);
}

/* The tunnel socket @sk is being destroyed. Context: atomic. */
void l2tpi_tunnel_unbind_sk(const struct sock *sk)
{
	struct l2tpi_tunnel *t;

	spin_lock_bh(&l2tpi_tunnels_lock);
	t = l2tpi_tunnel_find_sk(sk);
	if (t)
		l2tpi_tunnel_unhash(t);
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (t)
		l2tpi_tunnel_release(t, true);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_unbind_sk);

static struct udp_table *l2tpi_udp_table(struct net *net)
{
#ifdef L2TPI_HAVE_PERNET_UDP_TABLE
	return net->ipv4.udp_table;	/* per-netns tables since 6.2 (see Kbuild) */
#else
	return &udp_table;
#endif
}

static bool l2tpi_tunnel_adoptable(const struct net *net, const struct sock *sk)
{
	return net_eq(sock_net(sk), net) &&
	       READ_ONCE(udp_sk(sk)->encap_type) == UDP_ENCAP_L2TPINUDP;
}

/*
 * The adoptable sockets of @hslot that have no entry yet, referenced, into @sks (at
 * most @max). Context: process; takes the slot's lock.
 * Return: how many there are (more than @max: call again with room for them).
 */
static unsigned int l2tpi_tunnel_collect(struct net *net, struct udp_hslot *hslot,
					 struct sock **sks, unsigned int max)
{
	unsigned int n = 0;
	struct sock *sk;

	spin_lock_bh(&hslot->lock);
	sk_for_each(sk, &hslot->head) {
		if (!l2tpi_tunnel_adoptable(net, sk))
			continue;
		spin_lock(&l2tpi_tunnels_lock);
		if (!l2tpi_tunnel_find_sk(sk)) {
			if (n < max) {
				sock_hold(sk);
				sks[n] = sk;
			}
			n++;
		}
		spin_unlock(&l2tpi_tunnels_lock);
	}
	spin_unlock_bh(&hslot->lock);
	return n;
}

/*
 * Attach to the socket @sk found at load: locked as l2tp binds it, in process
 * context, with bottom halves on. Which struct l2tp_tunnel it is we cannot tell:
 * the keyless sweep detaches it when the tunnel or its socket goes. Its creator is
 * gone: trusted if its socket was opened by an admin. Not charged to insmod's memory
 * cgroup. Context: process.
 */
static void l2tpi_tunnel_adopt_sk(struct net *net, struct sock *sk)
{
	bool attached;

	lock_sock(sk);
	spin_lock_bh(&l2tpi_tunnels_lock);
	attached = l2tpi_tunnel_find_sk(sk);	/* the bind hook was faster */
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (!attached && l2tpi_tunnel_adoptable(net, sk))
		l2tpi_tunnel_bind(net, sk, NULL, &(struct l2tpi_tunnel_id){},
				  l2tpi_trust_sock(net, sk), GFP_KERNEL);
	release_sock(sk);
}

/**
 * l2tpi_tunnel_adopt_net() - attach to every L2TP/UDP tunnel socket of @net
 * @net: network namespace
 *
 * A namespace without one is not touched (no guard, no policy: footprint.c).
 * Context: process.
 * Return: the number of tunnels seen.
 */
unsigned int l2tpi_tunnel_adopt_net(struct net *net)
{
	struct udp_table *table = l2tpi_udp_table(net);
	unsigned int slot, i, n, max = 0, total = 0;
	struct sock **sks = NULL;
	bool held = false;

	/*
	 * Slot by slot: its sockets are referenced under its lock, then attached one by
	 * one without it (a server's tunnels may all share port 1701, one slot).
	 */
	for (slot = 0; slot <= table->mask; slot++) {
		struct udp_hslot *hslot = &table->hash[slot];

		if (hlist_empty(&hslot->head))
			continue;
		n = l2tpi_tunnel_collect(net, hslot, sks, max);
		if (n > max) {
			for (i = 0; i < max; i++)
				sock_put(sks[i]);
			kvfree(sks);
			max = n + n / 2;
			sks = kvmalloc_array(max, sizeof(*sks), GFP_KERNEL);
			if (!sks) {
				pr_warn("cannot adopt the L2TP tunnels of a namespace: no memory\n");
				max = 0;
				break;
			}
			n = min(l2tpi_tunnel_collect(net, hslot, sks, max), max);
		}
		/* The guard before the first tunnel's policies; none without a tunnel. */
		if (n && !held) {
			held = true;
			if (l2tpi_footprint_hold(net))
				pr_warn_ratelimited("adopting tunnels before the output guard is in\n");
		}
		for (i = 0; i < n; i++) {
			l2tpi_tunnel_adopt_sk(net, sks[i]);
			sock_put(sks[i]);
			cond_resched();
		}
		total += n;
		cond_resched();
	}
	kvfree(sks);
	if (held)
		l2tpi_footprint_release(net);
	return total;
}

/**
 * l2tpi_tunnel_adopt() - attach to the tunnels that existed before the probes did
 *
 * Walks the UDP sockets of every namespace for L2TP encapsulation sockets. Called
 * once the bind probe is armed, so a tunnel is either seen here or by the probe (or
 * both: the second attach replaces the first).
 *
 * Context: process, may sleep.
 * Return: the number of tunnels adopted.
 */
unsigned int l2tpi_tunnel_adopt(void)
{
	unsigned int n = 0;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net)
		n += l2tpi_tunnel_adopt_net(net);
	up_read(&net_rwsem);
	return n;
}

/* Attached tunnels of @net (NULL: of every namespace). */
unsigned int l2tpi_tunnel_count(struct net *net)
{
	struct l2tpi_tunnel *t;
	unsigned int n = 0;
	int bkt;

	spin_lock_bh(&l2tpi_tunnels_lock);
	hash_for_each(l2tpi_by_sk, bkt, t, by_sk)
		if (!net || t->net == net)
			n++;
	spin_unlock_bh(&l2tpi_tunnels_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_count);

/* End the lingering of @net's entries (all with NULL) now. Context: any. */
static void l2tpi_tunnel_drop_lingering(const struct net *net)
{
	struct l2tpi_tunnel *t;

	spin_lock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry(t, &l2tpi_lingering, lingering) {
		if (!net || t->net == net)
			l2tpi_tunnel_end_lingering_locked(t);
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
}

/*
 * The keyless sweep (see "Tunnels without a key" above): an entry whose socket is no
 * longer an L2TP encapsulation socket, or is held by us alone, lost its tunnel.
 * Context: work item; again in a second while keyless entries are left.
 */
static void l2tpi_keyless_fn(struct work_struct *work)
{
	struct l2tpi_tunnel *t, *tmp;
	LIST_HEAD(gone);
	bool more;

	spin_lock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry_safe(t, tmp, &l2tpi_keyless, keyless) {
		if (READ_ONCE(udp_sk(t->sk)->encap_type) == UDP_ENCAP_L2TPINUDP &&
		    refcount_read(&t->sk->sk_refcnt) > 1)
			continue;
		l2tpi_tunnel_unhash(t);
		list_add_tail(&t->lingering, &gone);	/* lent until it lingers */
	}
	more = !list_empty(&l2tpi_keyless);
	spin_unlock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry_safe(t, tmp, &gone, lingering) {
		list_del(&t->lingering);
		l2tpi_tunnel_release(t, true);
	}
	if (more)
		queue_delayed_work(l2tpi_wq, &l2tpi_keyless_work, HZ);
}

static bool l2tpi_tunnel_lingering(const struct net *net)
{
	struct l2tpi_tunnel *t;
	bool any = false;

	spin_lock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry(t, &l2tpi_lingering, lingering)
		any |= !net || t->net == net;
	spin_unlock_bh(&l2tpi_tunnels_lock);
	return any;
}

/*
 * Unbind and release every tunnel of @net (NULL: every namespace) in bucket @bkt:
 * all of them unhashed in one pass (an unbound entry that does not linger lends its
 * @lingering node to the local list), then released without the lock.
 * Context: process.
 */
static void l2tpi_tunnel_net_exit_bucket(const struct net *net, unsigned int bkt)
{
	struct l2tpi_tunnel *t, *tmp;
	struct hlist_node *n;
	LIST_HEAD(gone);

	spin_lock_bh(&l2tpi_tunnels_lock);
	hlist_for_each_entry_safe(t, n, &l2tpi_by_sk[bkt], by_sk) {
		if (!net || t->net == net) {
			l2tpi_tunnel_unhash(t);
			list_add_tail(&t->lingering, &gone);
		}
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry_safe(t, tmp, &gone, lingering) {
		list_del(&t->lingering);
		l2tpi_tunnel_release(t, false);
	}
}

/*
 * Unbind every tunnel of @net (NULL: of every namespace), end its lingering ones,
 * wait. Bucket by bucket, so that rmmod with tens of thousands of tunnels stays
 * linear (make bench times it). Again while a teardown that ran meanwhile left one
 * lingering (its poll may be a timer that flushing the workqueue does not wait for),
 * or a bucket already passed got a tunnel (none should: the hooks are off or the
 * namespace is dead).
 * Context: process.
 */
static void l2tpi_tunnel_release_all(struct net *net)
{
	unsigned int bkt;

	do {
		l2tpi_tunnel_drop_lingering(net);
		for (bkt = 0; bkt < HASH_SIZE(l2tpi_by_sk); bkt++) {
			l2tpi_tunnel_net_exit_bucket(net, bkt);
			cond_resched();
		}
		flush_workqueue(l2tpi_wq);
	} while (l2tpi_tunnel_lingering(net) || l2tpi_tunnel_count(net));
}

/* @net goes, or auto-attach went off in it: detach every tunnel now. Context: process. */
void l2tpi_tunnel_release_net(struct net *net)
{
	l2tpi_tunnel_release_all(net);
}

/*
 * l2tp_core or udp_tunnel is going, after its exit deleted every tunnel and the
 * probes were disarmed: release every entry and its socket reference while their
 * code (a tunnel socket's sk_destruct is l2tp's on 6.1) is still there. Context:
 * process (module notifier).
 */
void l2tpi_tunnel_l2tp_going(void)
{
	l2tpi_tunnel_release_all(NULL);
	cancel_delayed_work_sync(&l2tpi_keyless_work);
}

int l2tpi_tunnel_init(void)
{
	l2tpi_tunnel_cache = kmem_cache_create("l2tpi_tunnel", sizeof(struct l2tpi_tunnel), 0,
					       L2TPI_TUNNEL_CACHE_FLAGS, NULL);
	if (!l2tpi_tunnel_cache)
		return -ENOMEM;
	l2tpi_wq = alloc_workqueue("l2tp_ipsec", 0, 0);
	if (!l2tpi_wq) {
		kmem_cache_destroy(l2tpi_tunnel_cache);
		return -ENOMEM;
	}
	return 0;
}

/* Wait for the work items queued so far. Context: process. */
void l2tpi_tunnel_flush(void)
{
	flush_workqueue(l2tpi_wq);
}

/* After every namespace let go of its tunnels (pernet exit). */
void l2tpi_tunnel_exit(void)
{
	WARN_ON_ONCE(!list_empty(&l2tpi_lingering));	/* every net's exit ended them */
	cancel_delayed_work_sync(&l2tpi_keyless_work);
	destroy_workqueue(l2tpi_wq);	/* the last put of every entry runs there */
	kmem_cache_destroy(l2tpi_tunnel_cache);
}
