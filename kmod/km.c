// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp_ipsec as an xfrm key manager (struct xfrm_mgr), next to xfrm_user and af_key:
 *
 * - notify_policy: hears every SPD change key managers are told about (flush,
 *   delete, update, hard expire) and schedules the restore of what we own
 *   (owned.c: every entry after a flush, the one concerned after the others),
 *   except the changes we make ourselves (policy.c);
 * - compile_policy: declines everything (xfrm calls it unconditionally; af_key and
 *   xfrm_user compile the socket policies setsockopt() asks for);
 * - is_alive: xfrm asks the key managers for an SA only while one of them says it
 *   is alive (xfrm_user: while someone listens to its acquire group). We say so
 *   while someone listens to our events group in that namespace, so the agent gets
 *   acquire events even when no IKE daemon listens yet; our acquire always
 *   declines, so this changes nothing else (no larval state is created for us);
 * - acquire: notes the flow and declines (-ESRCH), so the kernel's choice of whether
 *   anyone handles an ACQUIRE does not change because we are loaded (the IKE daemon
 *   gets it from xfrm_user as always). A work item then checks, in process context,
 *   whether the policy is ours (one lookup by its selector) and if so sends the
 *   acquire event (event.c): the callback runs under xfrm's state lock, where our
 *   own locks may not be taken.
 *
 * Every callback runs under rcu_read_lock() (atomic) and must not sleep.
 *
 * Locking: l2tpi_acq_lock (BH-safe spinlock) protects l2tpi_acq_list and
 * l2tpi_acq_len; l2tpi_acq_work drains the list. At most L2TPI_ACQ_MAX notes wait;
 * beyond that an ACQUIRE goes unreported (the IKE daemon still gets it).
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <net/xfrm.h>

#include "km.h"
#include "nat.h"
#include "event.h"
#include "netns.h"
#include "owned.h"
#include "policy.h"

/*
 * One ACQUIRE waiting for l2tpi_acq_work; holds a reference on @net. @key is the
 * registry key of the policy that matched: whether it is ours takes one lookup.
 */
struct l2tpi_acq {
	struct list_head node;
	struct net *net;
	struct l2tpi_pol_spec key;
	struct l2tpi_acquire_info info;
};

#define L2TPI_ACQ_MAX	64

static DEFINE_SPINLOCK(l2tpi_acq_lock);	/* see above: BH-safe */
static LIST_HEAD(l2tpi_acq_list);
static unsigned int l2tpi_acq_len;
static void l2tpi_acq_fn(struct work_struct *work);
static DECLARE_WORK(l2tpi_acq_work, l2tpi_acq_fn);

static void l2tpi_acq_fn(struct work_struct *work)
{
	struct l2tpi_acq *a;

	for (;;) {
		spin_lock_bh(&l2tpi_acq_lock);
		a = list_first_entry_or_null(&l2tpi_acq_list, struct l2tpi_acq, node);
		if (a) {
			list_del(&a->node);
			l2tpi_acq_len--;
		}
		spin_unlock_bh(&l2tpi_acq_lock);
		if (!a)
			return;
		if (l2tpi_owned_is_ours(a->net, &a->key, a->info.index))
			l2tpi_event_acquire(a->net, &a->info);
		put_net(a->net);
		kfree(a);
		cond_resched();
	}
}

static int l2tpi_km_notify_policy(struct xfrm_policy *xp, int dir, const struct km_event *c)
{
	struct net *net = xp ? xp_net(xp) : c->net;

	/* Our own deletes and updates (a tunnel that went, a new template) need none. */
	if (!net || l2tpi_policy_notifying_self())
		return 0;
	switch (c->event) {
	case XFRM_MSG_FLUSHPOLICY:
		l2tpi_owned_schedule_restore(net);
		break;
	case XFRM_MSG_DELPOLICY:
	case XFRM_MSG_UPDPOLICY:
		/* One policy: restore only the entry it concerns, if any. */
		if (xp)
			l2tpi_owned_policy_gone(net, xp, dir);
		else
			l2tpi_owned_schedule_restore(net);
		break;
	case XFRM_MSG_POLEXPIRE:
		/* A hard expire took the policy out of the SPD (a soft one only warns). */
		if (c->data.hard && xp)
			l2tpi_owned_policy_gone(net, xp, dir);
		break;
	}
	return 0;
}

static bool l2tpi_km_is_alive(const struct km_event *c)
{
	return c->net && l2tpi_event_listening(c->net);
}

/*
 * SA changes: a rekey installs a client's new SA, a client that goes takes its SAs
 * with it. Tunnels pinned to a client's SA (nat.c) follow. Context: any.
 */
static int l2tpi_km_notify(struct xfrm_state *x, const struct km_event *c)
{
	struct net *net = x ? xs_net(x) : c->net;

	if (!net || (x && (x->id.proto != IPPROTO_ESP || !x->encap)))
		return 0;
	switch (c->event) {
	case XFRM_MSG_NEWSA:
	case XFRM_MSG_UPDSA:
	case XFRM_MSG_DELSA:
	case XFRM_MSG_FLUSHSA:
		l2tpi_nat_sa_changed(net);
		break;
	case XFRM_MSG_EXPIRE:
		if (c->data.hard)
			l2tpi_nat_sa_changed(net);
		break;
	}
	return 0;
}

static int l2tpi_km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t, struct xfrm_policy *xp)
{
	struct l2tpi_acq *a;

	/* Only UDP flows from an L2TP socket can match our policies. */
	if (x->sel.proto != IPPROTO_UDP || (x->props.family != AF_INET &&
					    x->props.family != AF_INET6))
		return -ESRCH;
	a = kzalloc(sizeof(*a), GFP_ATOMIC);
	if (!a)
		return -ESRCH;
	a->net = maybe_get_net(xp_net(xp));
	if (!a->net) {
		kfree(a);
		return -ESRCH;
	}
	if (!l2tpi_policy_spec_of(xp, xfrm_policy_id2dir(xp->index), &a->key)) {
		put_net(a->net);
		kfree(a);
		return -ESRCH;
	}
	a->info.index = xp->index;
	a->info.reqid = t->reqid;
	a->info.family = x->props.family;
	/* Only the family's bytes: for IPv4, xfrm fills these from a flowi4, and the
	 * rest of the xfrm_address_t holds whatever followed there.
	 */
	if (x->props.family == AF_INET) {
		a->info.saddr.a4 = x->props.saddr.a4;
		a->info.daddr.a4 = x->id.daddr.a4;
	} else {
		a->info.saddr.in6 = x->props.saddr.in6;
		a->info.daddr.in6 = x->id.daddr.in6;
	}
	a->info.sport = x->sel.sport;
	a->info.dport = x->sel.dport;
	spin_lock_bh(&l2tpi_acq_lock);
	if (l2tpi_acq_len < L2TPI_ACQ_MAX) {
		list_add_tail(&a->node, &l2tpi_acq_list);
		l2tpi_acq_len++;
		queue_work(system_wq, &l2tpi_acq_work);
		a = NULL;
	}
	spin_unlock_bh(&l2tpi_acq_lock);
	if (a) {
		put_net(a->net);
		kfree(a);
	}
	return -ESRCH;
}

/*
 * xfrm_user_policy() asks every key manager, none may leave this out: we compile
 * nothing, and leave *dir (the error another key manager gave) as it is.
 */
static struct xfrm_policy *l2tpi_km_compile_policy(struct sock *sk, int opt, u8 *data, int len,
						   int *dir)
{
	return NULL;
}

static struct xfrm_mgr l2tpi_km = {
	.notify = l2tpi_km_notify,
	.acquire = l2tpi_km_acquire,
	.compile_policy = l2tpi_km_compile_policy,
	.notify_policy = l2tpi_km_notify_policy,
	.is_alive = l2tpi_km_is_alive,
};

void l2tpi_km_init(void)
{
	xfrm_register_km(&l2tpi_km);
}

/* Context: process. No acquire is noted or reported after it returns. */
void l2tpi_km_exit(void)
{
	xfrm_unregister_km(&l2tpi_km);	/* waits for callbacks in flight (RCU) */
	flush_work(&l2tpi_acq_work);
	l2tpi_acq_fn(NULL);		/* anything queued after the flush began */
}
