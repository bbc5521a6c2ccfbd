// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of owned policies (see owned.h).
 *
 * Every policy l2tp_ipsec puts into an SPD goes through here, whoever asked for it:
 * one entry per (direction, selector), shared by its owners and counted, so that a
 * selector stays in the SPD as long as anything needs it (a new tunnel with the
 * 5-tuple of one being torn down, a client connection and a tunnel to the same
 * server...).
 *
 * The SPD's equality test ignores priority and template, so "ours" and "someone
 * else's" are told apart by object identity: each entry holds a reference on the
 * very policy object it inserted. When that object leaves the SPD without us the key
 * manager (km.c) schedules the restore work, which inserts a new object: for a flush
 * it looks at every entry; for a single delete, replacing update or hard expire it
 * looks up the one entry with that selector (if any) and restores that one alone.
 * When an equal policy that is not ours sits there, the entry is shadowed and we do
 * not fight it; it is installed once that policy is deleted (the same lookup).
 *
 * Structures: an rhashtable by (direction, selector, mark) for lookups, which grows
 * with the namespace (a server may own 130,000 policies), and an xarray by entry id
 * for walks (the restore, a config change, netlink dumps) that drop the lock as they
 * go and resume where they were.
 *
 * Locking: l2tpi_net.owned_lock (a BH-safe spinlock, because tunnels are attached and
 * detached from kprobe handlers, which are atomic) serialises every change of the
 * two structures and of an entry's mutable fields. SPD inserts and deletes and the
 * key manager notifications run under it; they only take xfrm's spinlocks and
 * allocate with GFP_ATOMIC, and our own notify_policy never takes owned_lock for a
 * change we made (policy.c tells it). Lookups need only RCU (the output guard's):
 * entries are freed after a grace period, their fields read with READ_ONCE.
 */
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "event.h"
#include "netns.h"
#include "owned.h"
#include "kunit.h"

static u32 l2tpi_spec_hash(const struct l2tpi_pol_spec *s, u32 seed)
{
	u32 a[5] = { s->family | s->dir << 16, s->prefixlen_s | s->prefixlen_d << 8,
		     (__force u32)s->sport | (__force u32)s->dport << 16, s->mark, 0 };

	a[4] = jhash(&s->saddr, sizeof(s->saddr), 0) ^ jhash(&s->daddr, sizeof(s->daddr), 1);
	return jhash2(a, ARRAY_SIZE(a), seed);
}

/* Same direction, selector and mark: what the SPD would call equal (priority aside). */
static bool l2tpi_spec_same(const struct l2tpi_pol_spec *a, const struct l2tpi_pol_spec *b)
{
	return a->family == b->family && a->dir == b->dir && a->mark == b->mark &&
	       a->prefixlen_s == b->prefixlen_s && a->prefixlen_d == b->prefixlen_d &&
	       a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(&a->saddr, &b->saddr, sizeof(a->saddr)) &&
	       !memcmp(&a->daddr, &b->daddr, sizeof(a->daddr));
}

static u32 l2tpi_owned_hashfn(const void *data, u32 len, u32 seed)
{
	return l2tpi_spec_hash(data, seed);
}

static u32 l2tpi_owned_obj_hashfn(const void *data, u32 len, u32 seed)
{
	const struct l2tpi_owned *o = data;

	return l2tpi_spec_hash(&o->spec, seed);
}

static int l2tpi_owned_obj_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct l2tpi_owned *o = obj;

	return !l2tpi_spec_same(arg->key, &o->spec);
}

static const struct rhashtable_params l2tpi_owned_params = {
	.head_offset = offsetof(struct l2tpi_owned, node),
	.key_offset = offsetof(struct l2tpi_owned, spec),
	.key_len = sizeof(struct l2tpi_pol_spec),
	.hashfn = l2tpi_owned_hashfn,
	.obj_hashfn = l2tpi_owned_obj_hashfn,
	.obj_cmpfn = l2tpi_owned_obj_cmpfn,
	.automatic_shrinking = true,
};

/* Context: owned_lock or the RCU read lock held. */
static struct l2tpi_owned *l2tpi_owned_find(struct l2tpi_net *ln, const struct l2tpi_pol_spec *spec)
{
	lockdep_assert(lockdep_is_held(&ln->owned_lock) || rcu_read_lock_held());
	return rhashtable_lookup_fast(&ln->owned_ht, spec, l2tpi_owned_params);
}

/*
 * Put @pol (built from @o->spec, or NULL: build one) into the SPD for @o.
 * Context: owned_lock held.
 */
static void l2tpi_owned_install(struct net *net, struct l2tpi_owned *o, struct xfrm_policy *pol)
{
	int err;

	lockdep_assert_held(&l2tpi_net(net)->owned_lock);
	if (!pol)
		pol = l2tpi_policy_build(net, &o->spec, GFP_ATOMIC);
	if (!pol) {
		WRITE_ONCE(o->state, -ENOMEM);
		return;
	}
	err = l2tpi_policy_insert(pol, o->spec.dir, false);
	if (err) {
		l2tpi_policy_discard(pol);
		WRITE_ONCE(o->state, err);
		return;
	}
	WRITE_ONCE(o->pol, pol);
	WRITE_ONCE(o->state, 0);
}

/*
 * Unlink @o from the registry (its last owner let go, or it never got one). Context:
 * owned_lock held; free it with kfree_rcu() after unlocking.
 */
static void l2tpi_owned_unlink(struct l2tpi_net *ln, struct l2tpi_owned *o)
{
	lockdep_assert_held(&ln->owned_lock);
	rhashtable_remove_fast(&ln->owned_ht, &o->node, l2tpi_owned_params);
	xa_erase_bh(&ln->owned_xa, o->id);
	if (o->queued) {
		list_del(&o->restore);
		o->queued = false;
	}
	WRITE_ONCE(o->dead, true);
}

/**
 * l2tpi_owned_get() - own the policy @spec describes in @net, sharing an equal entry
 * @net: network namespace
 * @spec: direction, selector and template
 * @origin: who asks (recorded when the entry is new)
 * @gfp: allocation flags (GFP_ATOMIC from atomic context)
 *
 * On success the policy is in the SPD, or the entry is shadowed by an equal policy
 * that is not ours (l2tpi_owned_state() says -EEXIST). Both count as owned. An equal
 * entry that a restore could not put back is installed again first; if that fails
 * too, the caller gets the error (a tunnel is then blocked: quarantine.c).
 *
 * Context: any; takes owned_lock.
 * Return: the entry (release with l2tpi_owned_put()), or ERR_PTR(-ENOMEM) or another
 * error from the SPD insert, with nothing changed.
 */
struct l2tpi_owned *l2tpi_owned_get(struct net *net, const struct l2tpi_pol_spec *spec,
				    enum l2tpi_origin origin, gfp_t gfp)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_owned *new, *o;
	struct xfrm_policy *pol;
	bool first;
	int err;

	/* Allocate outside the lock; most gets of a busy selector find it shared. */
	new = kzalloc(sizeof(*new), gfp);
	pol = l2tpi_policy_build(net, spec, gfp);
	if (!new || !pol) {
		kfree(new);
		if (pol)
			l2tpi_policy_discard(pol);
		return ERR_PTR(-ENOMEM);
	}

	spin_lock_bh(&ln->owned_lock);
	o = l2tpi_owned_find(ln, spec);
	if (o && !o->pol && o->state && o->state != -EEXIST) {
		/* Shared, but a restore could not put it back: try again now. */
		l2tpi_owned_install(net, o, NULL);
		if (o->state && o->state != -EEXIST) {
			int err = o->state;

			spin_unlock_bh(&ln->owned_lock);
			kfree(new);
			l2tpi_policy_discard(pol);
			return ERR_PTR(err);
		}
	}
	if (o) {
		o->owners++;
		spin_unlock_bh(&ln->owned_lock);
		kfree(new);
		l2tpi_policy_discard(pol);
		return o;
	}
	new->spec = *spec;
	new->origin = origin;
	new->owners = 1;
	INIT_LIST_HEAD(&new->restore);
	/* Indexed first, installed then: a failure leaves the SPD as it was. */
	err = xa_alloc_cyclic_bh(&ln->owned_xa, &new->id, new, xa_limit_32b, &ln->owned_next,
				 GFP_ATOMIC);
	if (err >= 0) {
		err = rhashtable_insert_fast(&ln->owned_ht, &new->node, l2tpi_owned_params);
		if (err)
			xa_erase_bh(&ln->owned_xa, new->id);
	}
	if (err < 0) {
		spin_unlock_bh(&ln->owned_lock);
		kfree(new);
		l2tpi_policy_discard(pol);
		return ERR_PTR(-ENOMEM);
	}
	l2tpi_owned_install(net, new, pol);
	if (new->state && new->state != -EEXIST) {
		err = new->state;
		l2tpi_owned_unlink(ln, new);
		spin_unlock_bh(&ln->owned_lock);
		kfree_rcu(new, rcu);
		return ERR_PTR(err);
	}
	ln->nr_owned++;
	first = origin != L2TPI_ORIGIN_BLOCK && !ln->nr_needed;
	if (origin != L2TPI_ORIGIN_BLOCK)
		WRITE_ONCE(ln->nr_needed, ln->nr_needed + 1);
	spin_unlock_bh(&ln->owned_lock);
	if (first)
		l2tpi_net_need_changed(ln, true);
	return new;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_get);

/**
 * l2tpi_owned_put() - drop one owner; the last one takes our policy out of the SPD
 * @net: network namespace of the entry
 * @o: entry from l2tpi_owned_get()
 *
 * Only our own object is removed: a shadowing policy, or one that replaced ours, stays.
 *
 * Context: any; takes owned_lock.
 */
void l2tpi_owned_put(struct net *net, struct l2tpi_owned *o)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	bool last;

	spin_lock_bh(&ln->owned_lock);
	if (--o->owners) {
		spin_unlock_bh(&ln->owned_lock);
		return;
	}
	l2tpi_owned_unlink(ln, o);
	ln->nr_owned--;
	if (o->origin != L2TPI_ORIGIN_BLOCK)
		WRITE_ONCE(ln->nr_needed, ln->nr_needed - 1);
	last = o->origin != L2TPI_ORIGIN_BLOCK && !ln->nr_needed;
	if (o->pol)
		l2tpi_policy_del(o->pol);	/* the guard may still look at it: RCU */
	spin_unlock_bh(&ln->owned_lock);
	kfree_rcu(o, rcu);
	if (last)
		l2tpi_net_need_changed(ln, false);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_put);

/**
 * l2tpi_owned_respec() - give the entry @o a new template and priority
 * @net: network namespace of the entry
 * @o: entry from l2tpi_owned_get(), owned by the caller alone
 * @spec: the same direction, selector and mark as @o's, another reqid, level or
 *        priority
 *
 * Our policy in the SPD is replaced in place (same index, no moment without it). A
 * shadowed or not installed entry just takes the new spec for its next install.
 *
 * Context: process (allocates with GFP_KERNEL); takes owned_lock.
 * Return: 0, -EINVAL if @spec has another selector, -EBUSY if @o is shared, -ENOMEM
 * or an SPD error, with nothing changed.
 */
int l2tpi_owned_respec(struct net *net, struct l2tpi_owned *o, const struct l2tpi_pol_spec *spec)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct xfrm_policy *pol, *old = NULL;
	int err = 0;

	if (!l2tpi_spec_same(&o->spec, spec))
		return -EINVAL;
	pol = l2tpi_policy_build(net, spec, GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	spin_lock_bh(&ln->owned_lock);
	if (o->owners != 1) {
		err = -EBUSY;
	} else if (o->pol && l2tpi_policy_alive(o->pol)) {
		err = l2tpi_policy_insert(pol, spec->dir, true);
		if (!err) {
			old = o->pol;
			WRITE_ONCE(o->pol, pol);
			pol = NULL;
		}
	}
	if (!err)
		o->spec = *spec;
	spin_unlock_bh(&ln->owned_lock);
	if (pol)
		l2tpi_policy_discard(pol);
	if (old)
		xfrm_pol_put(old);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_respec);

/*
 * How long after a restore a frame routed in plaintext still counts as routed while
 * the policy was missing: its route may have been looked up in the gap, and the
 * frame reach the guard only after the restore (a send may sleep in between, to
 * allocate). A frame routed after the restore with our policy in the SPD is routed
 * through IPsec (or discarded), unless a better policy of someone else allows it in
 * plaintext: such a frame is dropped too during that second, after a flush only.
 */
#define L2TPI_RESTORE_SETTLE	HZ

/*
 * Whether @o is supposed to be in force and is not in the SPD: taken out by someone
 * (a restore is due), not put back yet (no memory, an SPD error), or put back less
 * than L2TPI_RESTORE_SETTLE ago. A shadowed entry is not: the equal policy there
 * decides. Context: owned_lock or the RCU read lock held (our policy objects are
 * freed after a grace period too).
 */
static bool l2tpi_owned_gap(const struct l2tpi_owned *o)
{
	struct xfrm_policy *pol = READ_ONCE(o->pol);
	int state = READ_ONCE(o->state);
	unsigned long restored;

	RCU_LOCKDEP_WARN(!rcu_read_lock_any_held(), "owned entry read without owned_lock or RCU");
	if (READ_ONCE(o->dead) || o->spec.block || READ_ONCE(o->spec.optional) ||
	    state == -EEXIST)
		return false;
	if (!pol || !l2tpi_policy_alive(pol))
		return true;
	restored = READ_ONCE(o->restored);
	return restored && time_before(jiffies, restored + L2TPI_RESTORE_SETTLE);
}

/**
 * l2tpi_owned_missing() - whether a policy of ours that would cover @flow is out of
 * the SPD while it should be in
 * @net: network namespace
 * @flow: an outbound UDP flow: family, addresses and ports (prefix lengths and the
 *        rest are ignored)
 *
 * Looks for the three shapes we install: a tunnel's exact 5-tuple, a client's "me
 * to server from sport", the server's "any from sport". With restore off a removal
 * stands, so nothing is missing (the output guard's "restore off", guard.c).
 *
 * Context: any but hardirq; lock-free (RCU).
 */
bool l2tpi_owned_missing(struct net *net, const struct l2tpi_pol_spec *flow)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	u8 plen = flow->family == AF_INET ? 32 : 128;
	struct l2tpi_pol_spec c[3] = {};
	struct l2tpi_owned *o;
	bool missing = false;
	int i;

	if (!READ_ONCE(ln->cfg.restore) || !READ_ONCE(ln->nr_needed))
		return false;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		c[i].family = flow->family;
		c[i].dir = XFRM_POLICY_OUT;
		c[i].sport = flow->sport;
	}
	c[0].saddr = flow->saddr;
	c[0].prefixlen_s = plen;
	c[0].daddr = flow->daddr;
	c[0].prefixlen_d = plen;
	c[0].dport = flow->dport;
	c[1].daddr = flow->daddr;
	c[1].prefixlen_d = plen;

	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(c) && !missing; i++) {
		o = l2tpi_owned_find(ln, &c[i]);
		missing = o && l2tpi_owned_gap(o);
	}
	rcu_read_unlock();
	return missing;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_missing);

/*
 * Walk every entry of @ln in id order from *@pos: @fn is called for each live one
 * with owned_lock held; it returns 0 to go on. The lock is dropped between entries
 * (bottom halves come back on) and the walk yields the CPU now and then.
 * Context: process. Return: @fn's first non-zero value, or 0.
 */
static int l2tpi_owned_walk(struct l2tpi_net *ln,
			    int (*fn)(struct l2tpi_net *ln, struct l2tpi_owned *o, void *arg),
			    void *arg)
{
	struct l2tpi_owned *o;
	unsigned long idx;
	unsigned int n = 0;
	int ret = 0;

	rcu_read_lock();
	xa_for_each(&ln->owned_xa, idx, o) {
		spin_lock_bh(&ln->owned_lock);
		if (!o->dead)
			ret = fn(ln, o, arg);
		spin_unlock_bh(&ln->owned_lock);
		if (ret)
			break;
		if (!(++n % 64) && need_resched()) {
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * Give a client or tunnel entry the reqid, level and priority of the config @arg.
 * Our policy in the SPD is replaced in place (same index). Context: owned_lock held.
 */
static int l2tpi_owned_retemplate_one(struct l2tpi_net *ln, struct l2tpi_owned *o, void *arg)
{
	const struct l2tpi_config *cfg = arg;
	struct xfrm_policy *pol, *old;
	struct l2tpi_pol_spec spec;
	int err;

	lockdep_assert_held(&ln->owned_lock);
	spec = o->spec;
	switch (o->origin) {
	case L2TPI_ORIGIN_CLIENT:
	case L2TPI_ORIGIN_TUNNEL:
		spec.reqid = cfg->reqid;
		spec.optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
		spec.priority = o->origin == L2TPI_ORIGIN_TUNNEL ?
				l2tpi_config_tunnel_priority(cfg) : l2tpi_config_priority(cfg);
		break;
	case L2TPI_ORIGIN_BINDING:	/* pinned to an SA: only ahead of the tunnel's */
		spec.optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
		spec.priority = l2tpi_config_tunnel_priority(cfg) - 1;
		break;
	default:
		return 0;
	}
	if (!memcmp(&spec, &o->spec, sizeof(spec)))
		return 0;
	if (o->pol && l2tpi_policy_alive(o->pol)) {
		pol = l2tpi_policy_build(ln->net, &spec, GFP_ATOMIC);
		err = pol ? l2tpi_policy_insert(pol, spec.dir, true) : -ENOMEM;
		if (err) {
			if (pol)
				l2tpi_policy_discard(pol);
			return err;
		}
		old = o->pol;
		WRITE_ONCE(o->pol, pol);
		xfrm_pol_put(old);
	}
	o->spec = spec;
	return 0;
}

/**
 * l2tpi_owned_retemplate() - make the live client and tunnel policies of @net follow
 * a new reqid, level or priority
 * @net: network namespace
 * @cfg: the new configuration, already in force for new entries
 * @old: the configuration before it
 *
 * All or nothing: when one policy cannot be replaced, those already replaced get
 * @old's template back.
 *
 * Context: process; takes owned_lock entry by entry.
 * Return: 0 or -errno.
 */
int l2tpi_owned_retemplate(struct net *net, const struct l2tpi_config *cfg,
			   const struct l2tpi_config *old)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int err;

	err = l2tpi_owned_walk(ln, l2tpi_owned_retemplate_one, (void *)cfg);
	if (err && l2tpi_owned_walk(ln, l2tpi_owned_retemplate_one, (void *)old))
		pr_warn("cannot put back the old template of every tunnel and client policy\n");
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_retemplate);

/**
 * l2tpi_owned_is_ours() - whether the SPD policy with @index and key @key is ours
 * @net: network namespace
 * @key: its direction, selector and mark (l2tpi_policy_spec_of())
 * @index: the xfrm policy index
 *
 * One lookup. A socket policy's index is never ours: we attach none.
 * Context: any.
 */
bool l2tpi_owned_is_ours(struct net *net, const struct l2tpi_pol_spec *key, u32 index)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct xfrm_policy *pol;
	struct l2tpi_owned *o;
	bool ours;

	if (xfrm_policy_id2dir(index) >= XFRM_POLICY_MAX)
		return false;
	rcu_read_lock();
	o = l2tpi_owned_find(ln, key);
	pol = o && !READ_ONCE(o->dead) ? READ_ONCE(o->pol) : NULL;
	ours = pol && pol->index == index;
	rcu_read_unlock();
	return ours;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_is_ours);

/* 0 when in the SPD, -EEXIST when shadowed, another errno when waiting for a retry. */
int l2tpi_owned_state(struct net *net, struct l2tpi_owned *o)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int state;

	spin_lock_bh(&ln->owned_lock);
	state = o->pol && !l2tpi_policy_alive(o->pol) ? -ENOENT : o->state;
	spin_unlock_bh(&ln->owned_lock);
	return state;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_state);

struct l2tpi_restore_count {
	unsigned int restored;
	unsigned int failed;
};

/*
 * Put @o back if it is missing. Where an equal policy that is not ours is in the SPD
 * (one that shadowed ours and stays, or replaced ours), the entry is shadowed without
 * an insert: no failed insert, no audit record for it. Context: owned_lock held.
 */
static int l2tpi_owned_restore_one(struct l2tpi_net *ln, struct l2tpi_owned *o, void *arg)
{
	struct l2tpi_restore_count *count = arg;

	lockdep_assert_held(&ln->owned_lock);
	if (o->pol && l2tpi_policy_alive(o->pol))
		return 0;
	if (o->pol) {
		struct xfrm_policy *old = o->pol;

		WRITE_ONCE(o->pol, NULL);
		xfrm_pol_put(old);
	}
	if (l2tpi_policy_exists(ln->net, &o->spec)) {
		WRITE_ONCE(o->state, -EEXIST);
		return 0;
	}
	l2tpi_owned_install(ln->net, o, NULL);
	if (!o->state) {
		WRITE_ONCE(o->restored, jiffies | 1);	/* never 0: "not restored" */
		count->restored++;
	} else if (o->state != -EEXIST) {
		count->failed++;
	}
	return 0;
}

/*
 * Put back what is missing: every entry after a flush (or when asked to), otherwise
 * the entries that single deletes named (l2tpi_owned_policy_gone()).
 * Context: process.
 */
static void __l2tpi_owned_restore(struct l2tpi_net *ln, bool all,
				  struct l2tpi_restore_count *count)
{
	struct l2tpi_owned *o;

	*count = (struct l2tpi_restore_count) {};
	if (all) {
		spin_lock_bh(&ln->owned_lock);
		while ((o = list_first_entry_or_null(&ln->restore_list, struct l2tpi_owned,
						     restore))) {
			list_del_init(&o->restore);
			o->queued = false;
		}
		spin_unlock_bh(&ln->owned_lock);
		l2tpi_owned_walk(ln, l2tpi_owned_restore_one, count);
		return;
	}
	for (;;) {
		spin_lock_bh(&ln->owned_lock);
		o = list_first_entry_or_null(&ln->restore_list, struct l2tpi_owned, restore);
		if (o) {
			list_del_init(&o->restore);
			o->queued = false;
			l2tpi_owned_restore_one(ln, o, count);
		}
		spin_unlock_bh(&ln->owned_lock);
		if (!o)
			break;
		cond_resched();
	}
}

/**
 * l2tpi_owned_restore() - put back every owned policy that is not in the SPD
 * @net: network namespace
 *
 * A policy of ours that someone removed (flush, delete, replacing update) is released
 * and a new object inserted; failed entries are retried, shadowed ones too once the
 * equal policy is gone.
 *
 * Context: process (sleeps between entries); takes owned_lock.
 * Return: how many policies were put back into the SPD.
 */
unsigned int l2tpi_owned_restore(struct net *net)
{
	struct l2tpi_restore_count count;

	__l2tpi_owned_restore(l2tpi_net(net), true, &count);
	return count.restored;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_restore);

static void l2tpi_owned_restore_work(struct work_struct *work)
{
	struct l2tpi_net *ln = container_of(to_delayed_work(work), struct l2tpi_net,
					    restore_work);
	struct l2tpi_restore_count count;

	WRITE_ONCE(ln->last_restore, jiffies);
	__l2tpi_owned_restore(ln, xchg(&ln->restore_all, false), &count);
	if (count.restored) {
		pr_info_ratelimited("restored %u policies that were removed from the SPD\n",
				    count.restored);
		l2tpi_event_restored(ln->net, count.restored);
	}
	/* What could not be put back is tried again in a second, not at the next flush. */
	if (count.failed && !READ_ONCE(ln->dying)) {
		pr_warn_ratelimited("%u policies could not be restored yet; retrying\n",
				    count.failed);
		WRITE_ONCE(ln->restore_all, true);
		queue_delayed_work(system_highpri_wq, &ln->restore_work, HZ);
	}
}

/*
 * Queue the restore work: at once, unless the last restore was less than a second
 * ago; then half a second later. Tools that delete until a dump comes back empty
 * (`ip xfrm policy deleteall`) would otherwise race the restore forever. Until it
 * has run, the output guard (guard.c) drops what the missing policies protected.
 * Context: any (atomic included).
 */
static void l2tpi_owned_queue_restore(struct l2tpi_net *ln)
{
	unsigned long delay = 0;

	if (time_before(jiffies, READ_ONCE(ln->last_restore) + HZ))
		delay = HZ / 2;
	queue_delayed_work(system_highpri_wq, &ln->restore_work, delay);
}

/*
 * Called by the key manager when the SPD of @net lost policies it cannot name (a
 * flush), or when restoring was turned back on: every entry is looked at.
 * Context: any (atomic included).
 */
void l2tpi_owned_schedule_restore(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	if (!READ_ONCE(ln->nr_owned) || !READ_ONCE(ln->cfg.restore) || READ_ONCE(ln->dying))
		return;
	WRITE_ONCE(ln->restore_all, true);
	l2tpi_owned_queue_restore(ln);
}

/**
 * l2tpi_owned_policy_gone() - the SPD policy @xp left the SPD (a delete, a replacing
 * update, a hard expire) by someone else's hand
 * @net: network namespace
 * @xp: the policy
 * @dir: its direction
 *
 * One lookup: if it was ours, or the equal policy that shadowed one of ours, that
 * entry alone is restored. Anything else costs nothing more.
 * Context: any (atomic included); takes owned_lock.
 */
void l2tpi_owned_policy_gone(struct net *net, const struct xfrm_policy *xp, int dir)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_pol_spec key;
	struct l2tpi_owned *o;
	bool queue = false;

	if (!READ_ONCE(ln->nr_owned) || !READ_ONCE(ln->cfg.restore) || READ_ONCE(ln->dying) ||
	    xp->type != XFRM_POLICY_TYPE_MAIN || !l2tpi_policy_spec_of(xp, dir, &key))
		return;
	spin_lock_bh(&ln->owned_lock);
	o = l2tpi_owned_find(ln, &key);
	if (o && !o->dead && !o->queued && (!o->pol || !l2tpi_policy_alive(o->pol))) {
		list_add_tail(&o->restore, &ln->restore_list);
		o->queued = true;
		queue = true;
	}
	spin_unlock_bh(&ln->owned_lock);
	if (queue)
		l2tpi_owned_queue_restore(ln);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_policy_gone);

/* Context: process. Return: 0 or -ENOMEM. */
int l2tpi_owned_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	spin_lock_init(&ln->owned_lock);
	xa_init_flags(&ln->owned_xa, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_BH);
	INIT_LIST_HEAD(&ln->restore_list);
	INIT_LIST_HEAD(&ln->clients);
	INIT_DELAYED_WORK(&ln->restore_work, l2tpi_owned_restore_work);
	ln->last_restore = jiffies - HZ;
	return rhashtable_init(&ln->owned_ht, &l2tpi_owned_params);
}

/*
 * @net is going, or rmmod is taking everything out: no restore from now on (each
 * policy we delete would schedule one, and each would scan every entry left).
 * Context: process.
 */
void l2tpi_owned_net_dying(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	WRITE_ONCE(ln->dying, true);
	cancel_delayed_work_sync(&ln->restore_work);
}

/* After every owner of @net has let go. Context: process. */
void l2tpi_owned_net_exit(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	WRITE_ONCE(ln->dying, true);
	cancel_delayed_work_sync(&ln->restore_work);
	WARN_ON_ONCE(ln->nr_owned);
	rhashtable_destroy(&ln->owned_ht);
	xa_destroy(&ln->owned_xa);
}
