// SPDX-License-Identifier: GPL-2.0
/*
 * Per-tunnel policies.
 *
 * When l2tp binds a UDP socket to a tunnel (probe.c, in atomic context, with the socket
 * locked, bound and connected, before l2tp_tunnel_register() returns) we own two SPD
 * policies for exactly that socket's 5-tuple (owned.c): what admins and IKE daemons
 * see, restored after a flush (owned.c). Between a flush and the restore the output
 * guard (guard.c) drops the tunnel's frames: it finds the tunnel's policy missing.
 *
 * Why not socket policies as well: two more xfrm_policy objects per tunnel, and
 * xfrm_policy_flush() rescans its list from the head past every socket policy after
 * each policy it deletes, so a flush would take time quadratic in the tunnels.
 *
 * When the tunnel goes (l2tp_tunnel_delete(), or the socket's encap_destroy), the
 * entry is unbound, but the kernel can still transmit on that socket: sessions
 * drain, the pppd of a session that is hanging up sends its LCP Terminate-Requests
 * through the deleted tunnel for seconds, and the daemon that owns the socket may
 * still write to it. So the entry lingers: its SPD entries and its client
 * connection's tunnel count stay until both
 *  - l2tp frees the tunnel, its last session gone (probe.c: l2tp's free_tunnel
 *    tracepoint), and
 *  - the socket is closed (its owner's close, or l2tp's release of a socket it
 *    created): its destroy callback on 6.1; on 6.12, where l2tp clears that callback
 *    when it frees the tunnel, a probe on udp_lib_unhash() that probe.c arms only
 *    while an entry waits for such a close, told by l2tpi_watch_close (every UDP
 *    close on the host pays it meanwhile: seconds while a tunnel ends, or, on 6.12,
 *    as long as a tunnel adopted at load has no key).
 * Then they are released (the last owner of a 5-tuple takes the policy out). No
 * polling: each is an event. Only rmmod, a namespace's exit, the socket bound again
 * to a new tunnel and l2tp_core's unload end an entry earlier.
 *
 * One entry per socket: a socket bound to a new tunnel while the entry of its
 * previous tunnel lingers (l2tp lets a socket serve tunnel after tunnel, one at a
 * time) ends that lingering at once; the new entry holds the socket and owns the
 * same policies.
 *
 * Every entry knows its tunnel (@key): l2tp_tunnel_register() registers it (probe.c),
 * and on 6.1 it is the socket's sk_user_data, where the adoption at load finds it
 * too. A tunnel adopted on 6.12 has no key until its teardown tells it: the socket's
 * destroy callback deletes the tunnel it finds for the socket (probe.c pairs the two
 * calls). One deleted by netlink while its socket stays open is freed unseen, and
 * l2tp then calls no destroy callback at the socket's close: so until its key is
 * known such an entry waits for its socket's close like a freed one (below), and
 * ends at it once the socket is no longer an L2TP socket.
 *
 * Tables: every entry, bound or lingering, is in two global rhltables (by socket and
 * by tunnel; at most two entries share a socket, a bound one and a lingering one)
 * and in its namespace's xarray (walks, dumps that resume, a namespace's exit). They
 * grow with the tunnels; the hooks look up in O(1).
 *
 * Lifetime: an entry holds a reference on its socket (so the pointer we hash and
 * lock stays valid until the work item is done with it) and is itself counted: one
 * reference while in the tables, one per queued work item. The last put happens in
 * the work item or where the socket cannot be freed with it: in process context
 * (rmmod, a namespace's exit), or when a bind replaces the entry of the very socket
 * it holds locked.
 *
 * Locking: l2tpi_tunnels_lock (BH-safe spinlock, taken from the kprobe and
 * tracepoint handlers) serialises changes to the tables and the xarrays and
 * protects every entry's @bound, @linger and @drop. @announced and @index belong to
 * the work item (the bind sets them before the entry is published when nobody
 * listens).
 */
#include <linux/in.h>
#include <linux/rhashtable.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/xfrm.h>

#include "client.h"
#include "event.h"
#include "netns.h"
#include "owned.h"
#include "tunnel.h"
#include "kunit.h"

/**
 * struct l2tpi_tunnel - a tunnel socket we attached policies to
 * @by_sk: in l2tpi_by_sk, bound or lingering
 * @by_key: in l2tpi_by_key, bound or lingering, once @key is known
 * @ref: see "Lifetime" above
 * @net: the socket's namespace (not referenced: our pernet exit unbinds first)
 * @sk: the tunnel socket, referenced
 * @key: the struct l2tp_tunnel it belongs to, as an opaque key (never dereferenced);
 *       NULL until learnt for a tunnel adopted on a kernel whose l2tp does not set
 *       sk_user_data; in l2tpi_by_key when set; under l2tpi_tunnels_lock
 * @xid: its index in the namespace's tunnels_xa
 * @id: its L2TP tunnel id, when probe.c saw it created
 * @family: AF_INET or AF_INET6 of the traffic (a v4-mapped IPv6 socket is AF_INET)
 * @peer: the peer address, for client connection accounting
 * @lport: local port (host order)
 * @spec: the outbound and inbound policy, indexed by XFRM_POLICY_IN/OUT
 * @own: our SPD entries
 * @bound: still attached to a live tunnel; under l2tpi_tunnels_lock
 * @linger: unbound by the tunnel's teardown, @own and the client count kept until
 *          the tunnel is freed; under l2tpi_tunnels_lock
 * @drop: end the lingering now (tunnel freed and socket closed, rmmod, netns exit);
 *        under l2tpi_tunnels_lock
 * @freed: l2tp freed the tunnel; under l2tpi_tunnels_lock
 * @wait: in l2tpi_waiting while @freed and the socket is open; under
 *        l2tpi_tunnels_lock
 * @gone: on a local list of entries taken out of the tables together
 * @announced: the attach event went out (so the detach event will); work item only
 * @index: SPD index of our out and in policy when the attach event went out; work
 *         item only
 * @work: sends the attach and detach events, ends the lingering
 */
struct l2tpi_tunnel {
	struct rhlist_head by_sk;
	struct rhlist_head by_key;
	refcount_t ref;
	struct net *net;
	struct sock *sk;
	const void *key;
	u32 xid;
	struct l2tpi_tunnel_id id;
	unsigned short family;
	xfrm_address_t peer;
	u16 lport;
	struct l2tpi_pol_spec spec[2];
	struct l2tpi_owned *own[2];
	bool bound;
	bool linger;
	bool drop;
	bool freed;
	bool announced;
	u32 index[2];
	struct list_head gone;
	struct list_head wait;
	struct work_struct work;
};

static DEFINE_SPINLOCK(l2tpi_tunnels_lock);	/* see above: BH-safe, any context */
static struct rhltable l2tpi_by_sk;		/* see above */
static struct rhltable l2tpi_by_key;		/* see above */
static LIST_HEAD(l2tpi_waiting);		/* see above */
static struct workqueue_struct *l2tpi_wq;
/*
 * Told when l2tpi_waiting goes from empty to not or back: probe.c arms or disarms the
 * close probe. Handed in by main.c, so that the registry calls no one above it.
 * Set by l2tpi_tunnel_init(), read-only afterwards. Context: any.
 */
static void (*l2tpi_watch_close)(void) __read_mostly;

static const struct rhashtable_params l2tpi_by_sk_params = {
	.key_len = sizeof(struct sock *),
	.key_offset = offsetof(struct l2tpi_tunnel, sk),
	.head_offset = offsetof(struct l2tpi_tunnel, by_sk),
	.automatic_shrinking = true,
};

static const struct rhashtable_params l2tpi_by_key_params = {
	.key_len = sizeof(void *),
	.key_offset = offsetof(struct l2tpi_tunnel, key),
	.head_offset = offsetof(struct l2tpi_tunnel, by_key),
	.automatic_shrinking = true,
};

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

/* Whether nat.c learns @t's binding: an L2TPv2 tunnel whose id probe.c saw. */
static bool l2tpi_tunnel_tracked(const struct l2tpi_tunnel *t)
{
	return t->id.known && t->id.version == 2;
}

static void l2tpi_tunnel_put(struct l2tpi_tunnel *t)
{
	if (!refcount_dec_and_test(&t->ref))
		return;
	sock_put(t->sk);
	kmem_cache_free(l2tpi_tunnel_cache, t);
}

static void l2tpi_tunnel_kick(struct l2tpi_tunnel *t)
{
	refcount_inc(&t->ref);
	if (!queue_work(l2tpi_wq, &t->work))
		refcount_dec(&t->ref);	/* the queued instance holds one */
}

/*
 * What netlink shows of @t. The SPD indexes are read while @t is bound (its entries
 * are released only after it is unbound).
 * Context: l2tpi_tunnels_lock held; takes the namespace's owned_lock inside it.
 */
static void l2tpi_tunnel_fill_info(const struct l2tpi_tunnel *t, struct l2tpi_tunnel_info *info)
{
	const struct l2tpi_pol_spec *out = &t->spec[XFRM_POLICY_OUT];
	struct l2tpi_net *ln = l2tpi_net(t->net);
	int dir;

	lockdep_assert_held(&l2tpi_tunnels_lock);
	memset(info, 0, sizeof(*info));
	info->id = t->id;
	info->family = out->family;
	info->local = out->saddr;
	info->peer = out->daddr;
	info->lport = out->sport;
	info->pport = out->dport;
	if (l2tpi_tunnel_tracked(t))
		l2tpi_nat_binding(t->net, t->id.id, t, &info->nat);
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
 * Tunnels attached during a dump may be missed.
 * Context: any; takes l2tpi_tunnels_lock.
 * Return: true with @info filled in, false when there are no more.
 */
bool l2tpi_tunnel_next(struct net *net, unsigned long *pos, struct l2tpi_tunnel_info *info)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_tunnel *t;
	unsigned long idx;

	spin_lock_bh(&l2tpi_tunnels_lock);
	xa_for_each_start(&ln->tunnels_xa, idx, t, *pos) {
		if (!t->bound)
			continue;
		l2tpi_tunnel_fill_info(t, info);
		spin_unlock_bh(&l2tpi_tunnels_lock);
		*pos = idx + 1;
		return true;
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	*pos = ULONG_MAX;
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
		l2tpi_event_tunnel(t->net, &info, true);
	} else if (!bound && t->announced) {
		const struct l2tpi_pol_spec *out = &t->spec[XFRM_POLICY_OUT];

		info = (struct l2tpi_tunnel_info) {
			.id = t->id,
			.family = out->family, .local = out->saddr, .peer = out->daddr,
			.lport = out->sport, .pport = out->dport,
			.index = { t->index[0], t->index[1] },
		};
		t->announced = false;
		l2tpi_event_tunnel(t->net, &info, false);
	}
}

static void l2tpi_tunnel_unwait(struct l2tpi_tunnel *t);
static void l2tpi_tunnel_unbind_locked(struct l2tpi_tunnel *t, bool linger);

/* Take @t out of the tables and its namespace's xarray. Context: lock held. */
static void l2tpi_tunnel_unlink(struct l2tpi_tunnel *t)
{
	lockdep_assert_held(&l2tpi_tunnels_lock);
	l2tpi_tunnel_unwait(t);
	rhltable_remove(&l2tpi_by_sk, &t->by_sk, l2tpi_by_sk_params);
	if (t->key)
		rhltable_remove(&l2tpi_by_key, &t->by_key, l2tpi_by_key_params);
	xa_erase(&l2tpi_net(t->net)->tunnels_xa, t->xid);
}

/* Release @t's SPD entries and its client connection's count. Context: any. */
static void l2tpi_tunnel_release_now(struct l2tpi_tunnel *t)
{
	if (l2tpi_tunnel_tracked(t))
		l2tpi_nat_untrack(t->net, t->id.id, t);
	l2tpi_client_tunnel_down(t->net, t->family, &t->peer, t->lport);
	l2tpi_owned_put(t->net, t->own[XFRM_POLICY_OUT]);
	l2tpi_owned_put(t->net, t->own[XFRM_POLICY_IN]);
	atomic_dec(&l2tpi_net(t->net)->nr_tunnels);
}

/* A lingering entry told to end (@drop): release it. Context: work item. */
static void l2tpi_tunnel_linger_end(struct l2tpi_tunnel *t)
{
	bool done;

	spin_lock_bh(&l2tpi_tunnels_lock);
	done = t->linger && t->drop;	/* false: an earlier instance ended it */
	if (done) {
		t->linger = false;
		l2tpi_tunnel_unlink(t);
		atomic_dec(&l2tpi_net(t->net)->nr_lingering);
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (done) {
		l2tpi_tunnel_release_now(t);
		l2tpi_tunnel_put(t);	/* the tables' reference */
	}
}

static void l2tpi_tunnel_work(struct work_struct *work)
{
	struct l2tpi_tunnel *t = container_of(work, struct l2tpi_tunnel, work);
	bool bound, drop;

	spin_lock_bh(&l2tpi_tunnels_lock);
	bound = t->bound;
	drop = t->linger && t->drop;
	spin_unlock_bh(&l2tpi_tunnels_lock);
	l2tpi_tunnel_announce(t, bound);
	if (drop)
		l2tpi_tunnel_linger_end(t);
	l2tpi_tunnel_put(t);
}

/* End the lingering of @t now. Context: lock held. */
static void l2tpi_tunnel_end_lingering_locked(struct l2tpi_tunnel *t)
{
	lockdep_assert_held(&l2tpi_tunnels_lock);
	if (!t->linger || t->drop)
		return;
	t->drop = true;
	l2tpi_tunnel_unwait(t);
	l2tpi_tunnel_kick(t);
}

/* Start waiting for @t's socket to close (see above). Context: lock held. */
static void l2tpi_tunnel_wait(struct l2tpi_tunnel *t)
{
	lockdep_assert_held(&l2tpi_tunnels_lock);
	if (!list_empty(&t->wait))
		return;
	if (list_empty(&l2tpi_waiting))
		l2tpi_watch_close();	/* arm */
	list_add(&t->wait, &l2tpi_waiting);
}

/* Stop waiting. Context: lock held. */
static void l2tpi_tunnel_unwait(struct l2tpi_tunnel *t)
{
	lockdep_assert_held(&l2tpi_tunnels_lock);
	if (list_empty(&t->wait))
		return;
	list_del_init(&t->wait);
	if (list_empty(&l2tpi_waiting))
		l2tpi_watch_close();	/* nothing waits: disarm */
}

/*
 * The socket of @t is closing or closed: end @t if its tunnel is gone (freed, or,
 * for an entry without a key, the socket no longer an L2TP socket: 6.12 clears
 * encap_type when it frees the tunnel). Context: lock held.
 */
static void l2tpi_tunnel_close_seen(struct l2tpi_tunnel *t)
{
	lockdep_assert_held(&l2tpi_tunnels_lock);
	if (!t->freed && (t->key ||
			  READ_ONCE(udp_sk(t->sk)->encap_type) == UDP_ENCAP_L2TPINUDP))
		return;
	if (t->bound)
		l2tpi_tunnel_unbind_locked(t, true);
	l2tpi_tunnel_end_lingering_locked(t);
}

/* Nothing but us can send on @sk any more, or it is being closed. */
static bool l2tpi_tunnel_sk_closed(const struct sock *sk)
{
	return sock_flag(sk, SOCK_DEAD) || refcount_read(&sk->sk_refcnt) == 1;
}

/*
 * Unbind @t: a tunnel's teardown (@linger) keeps it in the tables until the tunnel
 * is freed; otherwise it leaves them now and the caller finishes with
 * l2tpi_tunnel_release(). Context: lock held.
 */
static void l2tpi_tunnel_unbind_locked(struct l2tpi_tunnel *t, bool linger)
{
	lockdep_assert_held(&l2tpi_tunnels_lock);
	t->bound = false;
	if (linger) {
		t->linger = true;
		atomic_inc(&l2tpi_net(t->net)->nr_lingering);
		l2tpi_tunnel_kick(t);	/* the detach event */
	} else {
		l2tpi_tunnel_unlink(t);
	}
}

/*
 * Finish what l2tpi_tunnel_unbind_locked(@t, false) started. Context: any;
 * l2tpi_tunnels_lock not held.
 */
static void l2tpi_tunnel_release(struct l2tpi_tunnel *t)
{
	l2tpi_tunnel_release_now(t);
	/* The detach event, from the work item; when nobody listens, nothing to queue. */
	if (l2tpi_event_listening(t->net))
		l2tpi_tunnel_kick(t);
	l2tpi_tunnel_put(t);		/* the tables' reference */
}

/* The bound entry of @sk, if any. Context: lock held. */
static struct l2tpi_tunnel *l2tpi_tunnel_find_sk(const struct sock *sk)
{
	struct l2tpi_tunnel *t, *found = NULL;
	struct rhlist_head *list, *pos;

	lockdep_assert_held(&l2tpi_tunnels_lock);
	rcu_read_lock();
	list = rhltable_lookup(&l2tpi_by_sk, &sk, l2tpi_by_sk_params);
	rhl_for_each_entry_rcu(t, pos, list, by_sk) {
		if (t->bound) {
			found = t;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Whether @sk has a bound entry. Context: any; takes l2tpi_tunnels_lock. */
bool l2tpi_tunnel_attached(const struct sock *sk)
{
	bool found;

	spin_lock_bh(&l2tpi_tunnels_lock);
	found = l2tpi_tunnel_find_sk(sk);
	spin_unlock_bh(&l2tpi_tunnels_lock);
	return found;
}

/* End the lingering entry of @sk, if any. Context: lock held. */
static void l2tpi_tunnel_end_lingering_sk(const struct sock *sk)
{
	struct rhlist_head *list, *pos;
	struct l2tpi_tunnel *t;

	lockdep_assert_held(&l2tpi_tunnels_lock);
	rcu_read_lock();
	list = rhltable_lookup(&l2tpi_by_sk, &sk, l2tpi_by_sk_params);
	rhl_for_each_entry_rcu(t, pos, list, by_sk)
		l2tpi_tunnel_end_lingering_locked(t);
	rcu_read_unlock();
}

/*
 * Put @t in the tables and its namespace's xarray (its slot reserved), replacing
 * @sk's bound entry (returned, unbound, for the caller to release) and ending
 * @sk's lingering one. Context: lock held.
 * Return: the replaced entry, NULL, or an ERR_PTR() with nothing changed.
 */
static struct l2tpi_tunnel *l2tpi_tunnel_link(struct l2tpi_tunnel *t)
{
	struct l2tpi_tunnel *old;
	int err;

	lockdep_assert_held(&l2tpi_tunnels_lock);
	old = l2tpi_tunnel_find_sk(t->sk);	/* a socket reused after a teardown we missed */
	err = rhltable_insert(&l2tpi_by_sk, &t->by_sk, l2tpi_by_sk_params);
	if (err)
		return ERR_PTR(err);
	if (t->key) {
		err = rhltable_insert(&l2tpi_by_key, &t->by_key, l2tpi_by_key_params);
		if (err) {
			rhltable_remove(&l2tpi_by_sk, &t->by_sk, l2tpi_by_sk_params);
			return ERR_PTR(err);
		}
	}
	/* Into the slot reserved for it: no allocation, cannot fail. */
	xa_store(&l2tpi_net(t->net)->tunnels_xa, t->xid, t, GFP_ATOMIC);
	if (old)
		l2tpi_tunnel_unbind_locked(old, false);
	l2tpi_tunnel_end_lingering_sk(t->sk);
	return old;
}

/**
 * l2tpi_tunnel_attach() - own the two policies of tunnel socket @sk
 * @net: the tunnel's namespace
 * @sk: the UDP socket, locked, bound and connected (the bind path checked: probe.c)
 * @key: the struct l2tp_tunnel it belongs to, or NULL if unknown
 * @id: its L2TP tunnel id, if known
 * @gfp: GFP_ATOMIC from the hook, GFP_KERNEL from the quarantine retry
 *
 * Context: any; the caller holds the socket lock.
 * Return: 0 with the SPD policies in place (or auto-attach off in @net), -EDQUOT
 * when @net has max-tunnels entries already, or another -errno; nothing changed
 * on error.
 */
int l2tpi_tunnel_attach(struct net *net, struct sock *sk, const void *key,
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
	/* A slot of the namespace's xarray, filled when the entry is linked. */
	err = xa_alloc_cyclic_bh(&ln->tunnels_xa, &t->xid, NULL, xa_limit_32b,
				 &ln->tunnels_next, gfp);
	if (err < 0)
		goto fail;
	t->own[XFRM_POLICY_OUT] = l2tpi_owned_get(net, &t->spec[XFRM_POLICY_OUT],
						  L2TPI_ORIGIN_TUNNEL, gfp);
	if (IS_ERR(t->own[XFRM_POLICY_OUT])) {
		err = PTR_ERR(t->own[XFRM_POLICY_OUT]);
		goto fail_xa;
	}
	t->own[XFRM_POLICY_IN] = l2tpi_owned_get(net, &t->spec[XFRM_POLICY_IN],
						 L2TPI_ORIGIN_TUNNEL, gfp);
	if (IS_ERR(t->own[XFRM_POLICY_IN])) {
		err = PTR_ERR(t->own[XFRM_POLICY_IN]);
		goto fail_out;
	}
	t->net = net;
	t->sk = sk;
	t->key = key;
	t->id = *id;
	t->family = t->spec[XFRM_POLICY_OUT].family;
	t->peer = t->spec[XFRM_POLICY_OUT].daddr;
	t->lport = ntohs(t->spec[XFRM_POLICY_OUT].sport);
	refcount_set(&t->ref, 1);
	t->bound = true;
	INIT_LIST_HEAD(&t->wait);
	INIT_WORK(&t->work, l2tpi_tunnel_work);
	/*
	 * The attach event needs process context: a work item, but only when someone
	 * listens. Otherwise the entry counts as announced now, so that its detach
	 * event still goes out to whoever listens by then (a dump, then monitor). On a
	 * busy LNS the work item and its context switch were most of what an attach
	 * cost (make bench).
	 */
	announce = l2tpi_event_listening(net);
	if (!announce)
		l2tpi_tunnel_announced(t, &info);

	sock_hold(sk);
	spin_lock_bh(&l2tpi_tunnels_lock);
	old = l2tpi_tunnel_link(t);
	if (!IS_ERR(old) && !t->key)
		l2tpi_tunnel_wait(t);	/* see "Every entry knows its tunnel" */
	spin_unlock_bh(&l2tpi_tunnels_lock);
	if (IS_ERR(old)) {
		err = PTR_ERR(old);
		__sock_put(sk);		/* the caller's reference keeps it */
		l2tpi_owned_put(net, t->own[XFRM_POLICY_IN]);
		goto fail_out;
	}
	/* Without a record the tunnel works as before nat.c: no binding, no pin. */
	if (l2tpi_tunnel_tracked(t) &&
	    l2tpi_nat_track(net, t->id.id, t->id.peer_id, sk, &t->spec[XFRM_POLICY_OUT], t, gfp))
		pr_warn_ratelimited("tunnel %u: no memory to learn its SA\n", t->id.id);
	if (old)
		l2tpi_tunnel_release(old);

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

fail_out:
	l2tpi_owned_put(net, t->own[XFRM_POLICY_OUT]);
fail_xa:
	xa_erase_bh(&ln->tunnels_xa, t->xid);
fail:
	if (t)
		kmem_cache_free(l2tpi_tunnel_cache, t);
	atomic_dec(&ln->nr_tunnels);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_attach);

/*
 * Unbind, to linger, the bound entries of @list: an rhltable list by tunnel when
 * @by_key, by socket otherwise. Context: l2tpi_tunnels_lock and the RCU read lock held.
 */
static bool l2tpi_tunnel_unbind_list(struct rhlist_head *list, bool by_key)
{
	struct rhlist_head *pos;
	struct l2tpi_tunnel *t;
	bool any = false;

	lockdep_assert_held(&l2tpi_tunnels_lock);
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "tunnel lists walked without RCU");
	if (by_key) {
		rhl_for_each_entry_rcu(t, pos, list, by_key) {
			any = true;
			if (t->bound)
				l2tpi_tunnel_unbind_locked(t, true);
		}
	} else {
		rhl_for_each_entry_rcu(t, pos, list, by_sk) {
			any = true;
			if (t->bound)
				l2tpi_tunnel_unbind_locked(t, true);
		}
	}
	return any;
}

/*
 * The tunnel @key (a struct l2tp_tunnel) is being deleted. Context: atomic.
 * Return: whether an entry of ours has that key.
 */
bool l2tpi_tunnel_unbind_key(const void *key)
{
	bool any;

	spin_lock_bh(&l2tpi_tunnels_lock);
	rcu_read_lock();
	any = l2tpi_tunnel_unbind_list(rhltable_lookup(&l2tpi_by_key, &key,
						       l2tpi_by_key_params), true);
	rcu_read_unlock();
	spin_unlock_bh(&l2tpi_tunnels_lock);
	return any;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_unbind_key);

/* The tunnel socket @sk is being destroyed. Context: atomic. */
void l2tpi_tunnel_unbind_sk(const struct sock *sk)
{
	spin_lock_bh(&l2tpi_tunnels_lock);
	rcu_read_lock();
	l2tpi_tunnel_unbind_list(rhltable_lookup(&l2tpi_by_sk, &sk, l2tpi_by_sk_params),
				 false);
	rcu_read_unlock();
	spin_unlock_bh(&l2tpi_tunnels_lock);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_unbind_sk);

/**
 * l2tpi_tunnel_learn_key() - the entries of @sk without a key belong to tunnel @key
 * @sk: a tunnel socket whose destroy callback is deleting @key
 * @key: the struct l2tp_tunnel (never dereferenced)
 *
 * They are unbound to linger until @key is freed. Context: atomic.
 */
void l2tpi_tunnel_learn_key(const struct sock *sk, const void *key)
{
	struct rhlist_head *list, *pos;
	struct l2tpi_tunnel *t;

	spin_lock_bh(&l2tpi_tunnels_lock);
	rcu_read_lock();
	list = rhltable_lookup(&l2tpi_by_sk, &sk, l2tpi_by_sk_params);
	rhl_for_each_entry_rcu(t, pos, list, by_sk) {
		if (t->key)
			continue;
		t->key = key;
		if (rhltable_insert(&l2tpi_by_key, &t->by_key, l2tpi_by_key_params))
			t->key = NULL;	/* no memory: its close still ends it */
		else
			l2tpi_tunnel_unwait(t);
		if (t->bound)
			l2tpi_tunnel_unbind_locked(t, true);
	}
	rcu_read_unlock();
	spin_unlock_bh(&l2tpi_tunnels_lock);
}

/**
 * l2tpi_tunnel_freed() - l2tp is freeing the tunnel @key
 * @key: the struct l2tp_tunnel (never dereferenced)
 *
 * Its sessions are gone: its entry (unbound first if its delete went unseen) ends
 * now if its socket is closed, otherwise at its close (see above).
 * Context: atomic (tracepoint handler).
 */
void l2tpi_tunnel_freed(const void *key)
{
	struct rhlist_head *list, *pos;
	struct l2tpi_tunnel *t;

	spin_lock_bh(&l2tpi_tunnels_lock);
	rcu_read_lock();
	list = rhltable_lookup(&l2tpi_by_key, &key, l2tpi_by_key_params);
	rhl_for_each_entry_rcu(t, pos, list, by_key) {
		if (t->freed)
			continue;	/* a tunnel before at the same address */
		if (t->bound)
			l2tpi_tunnel_unbind_locked(t, true);
		t->freed = true;
		if (l2tpi_tunnel_sk_closed(t->sk))
			l2tpi_tunnel_end_lingering_locked(t);
		else if (!t->drop)
			l2tpi_tunnel_wait(t);
	}
	rcu_read_unlock();
	spin_unlock_bh(&l2tpi_tunnels_lock);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_freed);

/**
 * l2tpi_tunnel_closing() - @sk is being closed
 * @sk: a socket (probe.c: l2tp's destroy callback, or udp_lib_unhash() of a socket
 *      whose close began)
 *
 * Its entries whose tunnel was freed end. Context: atomic.
 */
void l2tpi_tunnel_closing(const struct sock *sk)
{
	struct rhlist_head *list, *pos;
	struct l2tpi_tunnel *t;

	/* Every UDP close passes here while the probe is armed: most are not ours. */
	rcu_read_lock();
	list = rhltable_lookup(&l2tpi_by_sk, &sk, l2tpi_by_sk_params);
	rcu_read_unlock();
	if (!list)
		return;
	spin_lock_bh(&l2tpi_tunnels_lock);
	rcu_read_lock();
	list = rhltable_lookup(&l2tpi_by_sk, &sk, l2tpi_by_sk_params);
	rhl_for_each_entry_rcu(t, pos, list, by_sk)
		l2tpi_tunnel_close_seen(t);
	rcu_read_unlock();
	spin_unlock_bh(&l2tpi_tunnels_lock);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_closing);

/*
 * The close probe was just armed: end the waiting entries whose socket was closed
 * before it could see it. Context: process.
 */
void l2tpi_tunnel_closed_recheck(void)
{
	struct l2tpi_tunnel *t, *tmp;

	spin_lock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry_safe(t, tmp, &l2tpi_waiting, wait)
		if (l2tpi_tunnel_sk_closed(t->sk))
			l2tpi_tunnel_close_seen(t);
	spin_unlock_bh(&l2tpi_tunnels_lock);
}

/* Whether an entry waits for its socket's close. Context: any. */
bool l2tpi_tunnel_waiting(void)
{
	bool any;

	spin_lock_bh(&l2tpi_tunnels_lock);
	any = !list_empty(&l2tpi_waiting);
	spin_unlock_bh(&l2tpi_tunnels_lock);
	return any;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_waiting);

/* Attached tunnels of @net. Context: any; takes l2tpi_tunnels_lock. */
unsigned int l2tpi_tunnel_count(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_tunnel *t;
	unsigned int n = 0;
	unsigned long idx;

	spin_lock_bh(&l2tpi_tunnels_lock);
	xa_for_each(&ln->tunnels_xa, idx, t)
		n += t->bound;
	spin_unlock_bh(&l2tpi_tunnels_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_count);

#define L2TPI_TUNNEL_BATCH	256

/*
 * Unbind up to L2TPI_TUNNEL_BATCH bound entries of @net from index *@pos on and
 * release them without the lock; end the lingering ones met on the way.
 * Context: process. Return: false when the walk is done.
 */
static bool l2tpi_tunnel_release_batch(struct net *net, unsigned long *pos)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_tunnel *t, *tmp;
	unsigned int n = 0;
	unsigned long idx;
	LIST_HEAD(gone);

	spin_lock_bh(&l2tpi_tunnels_lock);
	xa_for_each_start(&ln->tunnels_xa, idx, t, *pos) {
		if (t->bound) {
			l2tpi_tunnel_unbind_locked(t, false);
			list_add_tail(&t->gone, &gone);
		} else {
			l2tpi_tunnel_end_lingering_locked(t);
		}
		*pos = idx + 1;
		if (++n == L2TPI_TUNNEL_BATCH)
			break;
	}
	spin_unlock_bh(&l2tpi_tunnels_lock);
	list_for_each_entry_safe(t, tmp, &gone, gone) {
		list_del(&t->gone);
		l2tpi_tunnel_release(t);
	}
	return n == L2TPI_TUNNEL_BATCH;
}

/**
 * l2tpi_tunnel_release_net() - detach every tunnel of @net now, and wait
 * @net: network namespace
 *
 * @net goes, auto-attach went off in it, or l2tp_core goes. Batch by batch, so that
 * rmmod with tens of thousands of tunnels stays linear with bottom halves on. Again
 * while an entry is left (a lingering one's work item was running, or a bind raced
 * with the walk: none should, the hooks are off or the namespace is dead).
 * Context: process.
 */
void l2tpi_tunnel_release_net(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	unsigned long pos;

	do {
		pos = 0;
		while (l2tpi_tunnel_release_batch(net, &pos))
			cond_resched();
		flush_workqueue(l2tpi_wq);
	} while (!xa_empty(&ln->tunnels_xa));
}

/*
 * l2tp_core or udp_tunnel is going, after its exit deleted every tunnel and the
 * probes were disarmed: release every entry and its socket reference while their
 * code (a tunnel socket's sk_destruct is l2tp's on 6.1) is still there. Context:
 * process (module notifier).
 */
void l2tpi_tunnel_l2tp_going(void)
{
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net)
		l2tpi_tunnel_release_net(net);
	up_read(&net_rwsem);
}

/* Context: process. */
void l2tpi_tunnel_net_init(struct net *net)
{
	xa_init_flags(&l2tpi_net(net)->tunnels_xa, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_BH);
}

/* After l2tpi_tunnel_release_net(). Context: process. */
void l2tpi_tunnel_net_exit(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	WARN_ON_ONCE(!xa_empty(&ln->tunnels_xa));
	xa_destroy(&ln->tunnels_xa);
}

/**
 * l2tpi_tunnel_init() - the tables, the entry cache and the work queue
 * @watch_close: called (any context) when entries start or stop waiting for their
 *               socket's close (see above)
 *
 * Return: 0 or -ENOMEM.
 */
int l2tpi_tunnel_init(void (*watch_close)(void))
{
	int err;

	l2tpi_watch_close = watch_close;
	l2tpi_tunnel_cache = kmem_cache_create("l2tpi_tunnel", sizeof(struct l2tpi_tunnel), 0,
					       L2TPI_TUNNEL_CACHE_FLAGS, NULL);
	if (!l2tpi_tunnel_cache)
		return -ENOMEM;
	err = rhltable_init(&l2tpi_by_sk, &l2tpi_by_sk_params);
	if (err)
		goto err_sk;
	err = rhltable_init(&l2tpi_by_key, &l2tpi_by_key_params);
	if (err)
		goto err_key;
	l2tpi_wq = alloc_workqueue("l2tp_ipsec", 0, 0);
	if (!l2tpi_wq) {
		err = -ENOMEM;
		goto err_wq;
	}
	return 0;

err_wq:
	rhltable_destroy(&l2tpi_by_key);
err_key:
	rhltable_destroy(&l2tpi_by_sk);
err_sk:
	kmem_cache_destroy(l2tpi_tunnel_cache);
	return err;
}

/* Wait for the work items queued so far. Context: process. */
void l2tpi_tunnel_flush(void)
{
	flush_workqueue(l2tpi_wq);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_tunnel_flush);

/* After every namespace let go of its tunnels (pernet exit). */
void l2tpi_tunnel_exit(void)
{
	destroy_workqueue(l2tpi_wq);	/* the last put of every entry runs there */
	rhltable_destroy(&l2tpi_by_key);
	rhltable_destroy(&l2tpi_by_sk);
	kmem_cache_destroy(l2tpi_tunnel_cache);
}
