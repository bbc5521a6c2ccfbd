// SPDX-License-Identifier: GPL-2.0
/*
 * Fail closed: what happens to a tunnel whose policies cannot be installed.
 *
 * The bind hook runs in atomic context and allocates with GFP_ATOMIC; under memory
 * pressure that can fail, and l2tp cannot be told to refuse the tunnel from there. So
 * the tunnel is quarantined instead:
 *
 * - a namespace that needs them (footprint.c: it has a server, client or tunnel
 *   policy, or a quarantined socket: l2tpi_net.nr_blocked) owns two block policies (IPv4 and IPv6,
 *   direction out, any UDP, priority 0) that only match packets carrying the mark
 *   L2TP_IPSEC_BLOCK_MARK. They are installed in process context, and restored after
 *   a flush like any owned policy. The output guard (guard.c) drops the frames of a
 *   quarantined socket too. When a namespace's first need is a quarantined socket
 *   (its first tunnel, under memory pressure), neither exists yet: the hook then
 *   tries to install the block policies itself, with GFP_ATOMIC ("early" ones, kept
 *   until the guard and the regular ones are in). If that fails too, the socket's
 *   frames are not blocked until the work item has installed them;
 * - the failed socket gets that mark (its own mark is saved) and its cached route is
 *   dropped, which costs no memory: every frame it sends, from l2tp in the kernel or
 *   from the daemon's sendmsg(), meets the block policy and is dropped
 *   (XfrmOutPolBlock);
 * - a slot of a fixed table remembers the socket, and a work item retries the bind in
 *   process context with GFP_KERNEL, backing off from 10 ms to 5 s. Once the tunnel's
 *   policies are in, the socket gets its own mark back.
 *
 * If the table is full the socket stays blocked, and the kernel log says so; a later
 * tunnel bound to that socket whose policies go in takes the mark off. A daemon that
 * sets its own SO_MARK on a blocked socket does not unblock it: the output guard
 * drops the frames of every socket in the table whatever its mark, and the repair
 * leaves the daemon's mark in place. Inbound frames are not blocked by the mark
 * (inbound lookups use the packet's mark); while quarantined, plaintext from the peer
 * is only refused where a server or client policy covers it.
 *
 * Lifetime: a slot holds a reference on its socket. When the tunnel goes while
 * quarantined, the teardown hooks mark the slot gone *before* they look the tunnel up
 * (tunnel.c), and the work item binds *before* it looks at that mark, so a tunnel
 * deleted during a retry is never left bound.
 *
 * Locking: l2tpi_q_lock (BH-safe spinlock, taken from the kprobe handlers) protects
 * the table. Slots are freed by the work item, and by the drain at namespace exit and
 * module exit, which waits for a retry in flight (@busy) instead of freeing its slot.
 */
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "netns.h"
#include "owned.h"
#include "quarantine.h"
#include "trust.h"
#include "tunnel.h"
#include "kunit.h"

#define L2TPI_Q_SLOTS		64
#define L2TPI_Q_DELAY_MIN	(HZ / 100 ?: 1)
#define L2TPI_Q_DELAY_MAX	(5 * HZ)

/**
 * struct l2tpi_q_slot - a quarantined tunnel socket
 * @sk: the socket, referenced; NULL when the slot is free
 * @net: its namespace (not referenced: our pernet exit empties its slots first)
 * @key: the struct l2tp_tunnel it belongs to (opaque)
 * @id: its L2TP tunnel id, if known
 * @mark: the socket's own mark, given back after the repair
 * @since: jiffies when it was quarantined
 * @gone: the tunnel went while quarantined: give the mark back, do not bind
 * @busy: the work item is retrying this slot
 * @gen: bumped when a new tunnel takes over the still-blocked socket of a gone one,
 *       so a retry in flight for the old tunnel neither frees the slot nor leaves
 *       its bind behind
 */
struct l2tpi_q_slot {
	struct sock *sk;
	struct net *net;
	const void *key;
	struct l2tpi_tunnel_id id;
	u32 mark;
	unsigned long since;
	bool gone;
	bool busy;
	unsigned int gen;
};

static DEFINE_SPINLOCK(l2tpi_q_lock);	/* see above: BH-safe, any context */
static struct l2tpi_q_slot l2tpi_q[L2TPI_Q_SLOTS];
static unsigned int l2tpi_q_used;		/* under l2tpi_q_lock; READ_ONCE outside */
static unsigned long l2tpi_q_delay = L2TPI_Q_DELAY_MIN;	/* under l2tpi_q_lock */
static bool l2tpi_q_enabled;		/* set before the pernet ops are registered */

static void l2tpi_q_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(l2tpi_q_work, l2tpi_q_work_fn);

/* A slot of @net taken (@d 1) or freed (-1). Context: l2tpi_q_lock held. */
static void l2tpi_q_count(struct net *net, int d)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	lockdep_assert_held(&l2tpi_q_lock);
	WRITE_ONCE(ln->nr_blocked, ln->nr_blocked + d);
}

static void l2tpi_q_block_spec(struct l2tpi_pol_spec *spec, unsigned short family)
{
	memset(spec, 0, sizeof(*spec));
	spec->family = family;
	spec->dir = XFRM_POLICY_OUT;
	spec->priority = 0;
	spec->mark = L2TP_IPSEC_BLOCK_MARK;
	spec->block = true;
}

/**
 * l2tpi_quarantine_init() - whether namespaces that need them get block policies
 * @enable: auto-attach is on (the module parameter): tunnels can be quarantined
 *
 * Called once at module load, before the pernet operations are registered.
 */
void l2tpi_quarantine_init(bool enable)
{
	l2tpi_q_enabled = enable;
}

/* Drop the early block policies of @net, if any. Context: any. */
static void l2tpi_q_early_remove(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_owned *o;
	int i;

	for (i = 0; i < L2TPI_BLOCK_POLICIES; i++) {
		o = xchg(&ln->block_early[i], NULL);
		if (o)
			l2tpi_owned_put(net, o);
	}
}

/*
 * A namespace whose first need is this quarantine has no block policy and no guard
 * yet: install the block policies from atomic context, where memory may allow it.
 * Context: any.
 */
static void l2tpi_q_early_install(struct net *net, unsigned short family)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int i = family == AF_INET ? 0 : 1;
	struct l2tpi_pol_spec spec;
	struct l2tpi_owned *o;

	if (i >= L2TPI_BLOCK_POLICIES || READ_ONCE(ln->fp_on) || READ_ONCE(ln->block_early[i]))
		return;
	l2tpi_q_block_spec(&spec, family);
	o = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_BLOCK, GFP_ATOMIC | __GFP_NOWARN);
	if (IS_ERR(o))
		return;
	if (cmpxchg(&ln->block_early[i], NULL, o))
		l2tpi_owned_put(net, o);	/* another quarantine was faster */
}

/*
 * Drop the block policies of @net, early ones included.
 * Context: process, fp_lock held (footprint.c, also at the namespace's exit).
 */
void l2tpi_quarantine_blocks_remove(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int i;

	lockdep_assert_held(&ln->fp_lock);
	for (i = 0; i < L2TPI_BLOCK_POLICIES; i++) {
		if (ln->block[i]) {
			l2tpi_owned_put(net, ln->block[i]);
			ln->block[i] = NULL;
		}
	}
	l2tpi_q_early_remove(net);
}

/*
 * Install the block policies of @net. Context: process (footprint.c, fp_lock held).
 * Return: 0 or -errno with none installed.
 */
int l2tpi_quarantine_blocks_install(struct net *net)
{
	static const unsigned short families[L2TPI_BLOCK_POLICIES] = {
		AF_INET,
#if IS_ENABLED(CONFIG_IPV6)
		AF_INET6,
#endif
	};
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_pol_spec spec;
	int i;

	lockdep_assert_held(&ln->fp_lock);
	if (!l2tpi_q_enabled)
		return 0;
	for (i = 0; i < ARRAY_SIZE(families) && families[i]; i++) {
		l2tpi_q_block_spec(&spec, families[i]);
		ln->block[i] = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_BLOCK, GFP_KERNEL);
		if (IS_ERR(ln->block[i])) {
			int err = PTR_ERR(ln->block[i]);

			ln->block[i] = NULL;
			l2tpi_quarantine_blocks_remove(net);
			return err;
		}
	}
	l2tpi_q_early_remove(net);	/* the regular ones share their entries */
	return 0;
}

/* Give the socket of a slot taken out of the table its mark back and drop it. */
static void l2tpi_q_release(struct sock *sk, u32 mark)
{
	lock_sock(sk);
	if (READ_ONCE(sk->sk_mark) == L2TP_IPSEC_BLOCK_MARK) {
		WRITE_ONCE(sk->sk_mark, mark);
		sk_dst_reset(sk);
	}
	release_sock(sk);
	sock_put(sk);
}

/*
 * Take the slots of @net (NULL: all) out of the table, waiting for a retry in flight.
 * Context: process; the hooks no longer bind in @net.
 */
static void l2tpi_q_drain(struct net *net)
{
	struct l2tpi_q_slot s;
	bool busy;
	int i;

again:
	busy = false;
	for (i = 0; i < L2TPI_Q_SLOTS; i++) {
		spin_lock_bh(&l2tpi_q_lock);
		s = l2tpi_q[i];
		if (!s.sk || (net && s.net != net) || s.busy) {
			busy |= s.sk && s.busy && (!net || s.net == net);
			spin_unlock_bh(&l2tpi_q_lock);
			continue;
		}
		memset(&l2tpi_q[i], 0, sizeof(l2tpi_q[i]));
		WRITE_ONCE(l2tpi_q_used, l2tpi_q_used - 1);
		l2tpi_q_count(s.net, -1);
		spin_unlock_bh(&l2tpi_q_lock);
		l2tpi_q_release(s.sk, s.mark);	/* no retry is in flight: none bound it */
		l2tpi_net_need_changed(l2tpi_net(s.net), false);
	}
	if (busy) {
		flush_delayed_work(&l2tpi_q_work);
		goto again;
	}
}

/* Drop the quarantined sockets of @net. Context: process. */
void l2tpi_quarantine_net_exit(struct net *net)
{
	l2tpi_q_drain(net);
}

/**
 * l2tpi_quarantine() - block @sk until its policies are in
 * @net: the tunnel's namespace
 * @sk: the tunnel socket, locked by l2tp
 * @key: the struct l2tp_tunnel (opaque), or NULL
 * @id: its L2TP tunnel id, if known
 * @err: why its policies could not be installed
 *
 * Context: atomic (the bind hook). Allocates nothing.
 */
void l2tpi_quarantine(struct net *net, struct sock *sk, const void *key,
		      const struct l2tpi_tunnel_id *id, int err)
{
	u32 mark = READ_ONCE(sk->sk_mark);
	unsigned short family = AF_INET;
	int i;

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 && !ipv6_addr_v4mapped(&sk->sk_v6_daddr))
		family = AF_INET6;
#endif
	l2tpi_q_early_install(net, family);
	spin_lock_bh(&l2tpi_q_lock);
	if (mark == L2TP_IPSEC_BLOCK_MARK) {
		/* Still blocked for an earlier tunnel that went: the slot serves this one. */
		for (i = 0; i < L2TPI_Q_SLOTS; i++) {
			if (l2tpi_q[i].sk == sk) {
				l2tpi_q[i].key = key;
				l2tpi_q[i].id = *id;
				l2tpi_q[i].gone = false;
				l2tpi_q[i].gen++;
				mod_delayed_work(system_wq, &l2tpi_q_work, 0);
				spin_unlock_bh(&l2tpi_q_lock);
				return;
			}
		}
		mark = 0;	/* blocked while the table was full: its own mark is lost */
	}
	WRITE_ONCE(sk->sk_mark, L2TP_IPSEC_BLOCK_MARK);
	sk_dst_reset(sk);
	for (i = 0; i < L2TPI_Q_SLOTS && l2tpi_q[i].sk; i++)
		;
	if (i < L2TPI_Q_SLOTS) {
		sock_hold(sk);
		l2tpi_q[i] = (struct l2tpi_q_slot){ .sk = sk, .net = net, .key = key,
						    .id = *id, .mark = mark,
						    .since = jiffies };
		WRITE_ONCE(l2tpi_q_used, l2tpi_q_used + 1);
		l2tpi_q_count(net, 1);
		l2tpi_q_delay = L2TPI_Q_DELAY_MIN;
		mod_delayed_work(system_wq, &l2tpi_q_work, 0);
	}
	spin_unlock_bh(&l2tpi_q_lock);
	if (i == L2TPI_Q_SLOTS)
		WRITE_ONCE(l2tpi_net(net)->fp_sticky, true);	/* see footprint.c */
	l2tpi_net_need_changed(l2tpi_net(net), true);
	if (i < L2TPI_Q_SLOTS)
		pr_warn_ratelimited("cannot attach policies to a new L2TP tunnel (%d): its socket is blocked until they are in\n",
				    err);
	else
		pr_err_ratelimited("cannot attach policies to a new L2TP tunnel (%d) and %u others wait: it stays blocked until it is deleted\n",
				   err, L2TPI_Q_SLOTS);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_quarantine);

/* Mark the slot of @sk (or of tunnel @key) gone. Context: any. */
static void l2tpi_q_forget(const struct sock *sk, const void *key)
{
	int i;

	if (!READ_ONCE(l2tpi_q_used))
		return;
	spin_lock_bh(&l2tpi_q_lock);
	for (i = 0; i < L2TPI_Q_SLOTS; i++) {
		struct l2tpi_q_slot *q = &l2tpi_q[i];

		if (q->sk && ((sk && q->sk == sk) || (key && q->key == key))) {
			q->gone = true;
			mod_delayed_work(system_wq, &l2tpi_q_work, 0);
		}
	}
	spin_unlock_bh(&l2tpi_q_lock);
}

/* The socket @sk is being destroyed. Context: any; call before unbinding it. */
void l2tpi_quarantine_forget_sk(const struct sock *sk)
{
	l2tpi_q_forget(sk, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_quarantine_forget_sk);

/* The tunnel @key is being deleted. Context: any; call before unbinding it. */
void l2tpi_quarantine_forget_key(const void *key)
{
	l2tpi_q_forget(NULL, key);
}

/*
 * Retry one slot. Context: work item.
 * Return: true when the slot is done with; *@bound when this retry bound the tunnel.
 */
static bool l2tpi_q_retry(struct l2tpi_q_slot *s, bool *bound)
{
	int err;

	*bound = false;
	if (s->gone)
		return true;
	lock_sock(s->sk);
	err = l2tpi_tunnel_attach(s->net, s->sk, s->key, &s->id, GFP_KERNEL);
	release_sock(s->sk);
	if (err == -EDQUOT) {	/* max-tunnels reached meanwhile: refused, unblocked */
		l2tpi_trust_refuse_sk(s->net, s->sk, &s->id, L2TP_IPSEC_REFUSAL_LIMIT);
		return true;
	}
	if (err)
		return false;
	*bound = true;
	pr_info_ratelimited("a blocked L2TP tunnel has its policies after %u ms\n",
			    jiffies_to_msecs(jiffies - s->since));
	return true;
}

static void l2tpi_q_work_fn(struct work_struct *work)
{
	bool done, bound, gone, revived, release, again = false;
	struct l2tpi_q_slot s, *q;
	int i;

	for (i = 0; i < L2TPI_Q_SLOTS; i++) {
		spin_lock_bh(&l2tpi_q_lock);
		if (!l2tpi_q[i].sk) {
			spin_unlock_bh(&l2tpi_q_lock);
			continue;
		}
		l2tpi_q[i].busy = true;
		s = l2tpi_q[i];
		spin_unlock_bh(&l2tpi_q_lock);

		done = l2tpi_q_retry(&s, &bound);

		spin_lock_bh(&l2tpi_q_lock);
		q = &l2tpi_q[i];
		gone = q->gone;		/* our bind is hashed by now: see "Lifetime" */
		revived = q->gen != s.gen;
		release = !revived && (done || gone);
		if (release) {
			memset(q, 0, sizeof(*q));
			WRITE_ONCE(l2tpi_q_used, l2tpi_q_used - 1);
			l2tpi_q_count(s.net, -1);
		} else {
			q->busy = false;
			again = true;
		}
		spin_unlock_bh(&l2tpi_q_lock);
		/* Our bind serves no live tunnel any more: undo exactly that bind. */
		if (bound && (gone || revived)) {
			if (s.key)
				l2tpi_tunnel_unbind_key(s.key);
			else
				l2tpi_tunnel_unbind_sk(s.sk);
		}
		if (release) {
			l2tpi_q_release(s.sk, s.mark);
			l2tpi_net_need_changed(l2tpi_net(s.net), false);
		}
	}
	if (again) {
		spin_lock_bh(&l2tpi_q_lock);
		l2tpi_q_delay = min(l2tpi_q_delay * 2, (unsigned long)L2TPI_Q_DELAY_MAX);
		queue_delayed_work(system_wq, &l2tpi_q_work, l2tpi_q_delay);
		spin_unlock_bh(&l2tpi_q_lock);
	}
}

/* How many tunnel sockets are blocked and waiting for a retry. */
unsigned int l2tpi_quarantine_count(void)
{
	return READ_ONCE(l2tpi_q_used);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_quarantine_count);

/*
 * Take every socket out of the table (l2tp_core going, or the hooks disarmed): their
 * tunnels' teardown will not be seen any more. Context: process.
 */
void l2tpi_quarantine_drain(void)
{
	l2tpi_q_drain(NULL);
}

/* Module exit, after the hooks are gone: nothing is quarantined any more. */
void l2tpi_quarantine_flush(void)
{
	l2tpi_q_drain(NULL);
	cancel_delayed_work_sync(&l2tpi_q_work);
}

/* Whether @sk has a slot (of a live tunnel, or @gone_too of any). */
static bool l2tpi_q_has(const struct sock *sk, bool gone_too)
{
	bool found = false;
	int i;

	if (!READ_ONCE(l2tpi_q_used))
		return false;
	spin_lock_bh(&l2tpi_q_lock);
	for (i = 0; i < L2TPI_Q_SLOTS && !found; i++)
		found = l2tpi_q[i].sk == sk && (gone_too || !l2tpi_q[i].gone);
	spin_unlock_bh(&l2tpi_q_lock);
	return found;
}

/**
 * l2tpi_quarantined() - whether @sk waits in the table (whatever its mark says)
 * @sk: a socket
 *
 * Context: any but hardirq.
 */
bool l2tpi_quarantined(const struct sock *sk)
{
	return l2tpi_q_has(sk, false);
}

/**
 * l2tpi_quarantine_bound() - @sk's new tunnel has its policies: no stale block
 * @sk: the socket, locked by l2tp
 *
 * A socket blocked while the table was full has no slot to give its mark back; once
 * a tunnel of it is attached the mark has nothing left to block (its own mark was
 * not saved: it gets none). Context: any.
 */
void l2tpi_quarantine_bound(struct sock *sk)
{
	/* A slot, even of a tunnel that went, gives the socket its own mark back. */
	if (READ_ONCE(sk->sk_mark) != L2TP_IPSEC_BLOCK_MARK || l2tpi_q_has(sk, true))
		return;
	WRITE_ONCE(sk->sk_mark, 0);
	sk_dst_reset(sk);
}
