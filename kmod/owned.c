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
 * very policy object it inserted. When that object leaves the SPD without us (flush,
 * delete, a replacing update) the key manager (km.c) schedules the restore work,
 * which inserts a new object; when an equal policy that is not ours sits there, the
 * entry is shadowed and we do not fight it; each later SPD change retries.
 *
 * Locking: l2tpi_net.owned_lock (a BH-safe spinlock, because tunnels are attached and
 * detached from kprobe handlers, which are atomic) protects the hash table and the
 * mutable fields of every entry. SPD inserts and deletes and the key manager
 * notifications run under it; they only take xfrm's spinlocks and allocate with
 * GFP_ATOMIC, and our own notify_policy never takes owned_lock (it queues work).
 */
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/slab.h>

#include "footprint.h"
#include "netlink.h"
#include "netns.h"
#include "owned.h"
#include "kunit.h"

static u32 l2tpi_spec_hash(const struct l2tpi_pol_spec *s)
{
	u32 a[5] = { s->family | s->dir << 16, s->prefixlen_s | s->prefixlen_d << 8,
		     (__force u32)s->sport | (__force u32)s->dport << 16, s->mark, 0 };

	a[4] = jhash(&s->saddr, sizeof(s->saddr), 0) ^ jhash(&s->daddr, sizeof(s->daddr), 1);
	return jhash2(a, ARRAY_SIZE(a), 0);
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

static struct l2tpi_owned *l2tpi_owned_find(struct l2tpi_net *ln, const struct l2tpi_pol_spec *spec,
					    u32 hash)
{
	struct l2tpi_owned *o;

	hash_for_each_possible(ln->owned, o, node, hash)
		if (l2tpi_spec_same(&o->spec, spec))
			return o;
	return NULL;
}

/*
 * Put @pol (built from @o->spec, or NULL: build one) into the SPD for @o.
 * Context: owned_lock held.
 */
static void l2tpi_owned_install(struct net *net, struct l2tpi_owned *o, struct xfrm_policy *pol)
{
	int err;

	if (!pol)
		pol = l2tpi_policy_build(net, &o->spec, GFP_ATOMIC);
	if (!pol) {
		o->state = -ENOMEM;
		return;
	}
	err = l2tpi_policy_insert(pol, o->spec.dir);
	if (err) {
		l2tpi_policy_discard(pol);
		o->state = err;
		return;
	}
	o->pol = pol;
	o->state = 0;
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
	u32 hash = l2tpi_spec_hash(spec);
	struct l2tpi_owned *new, *o;
	struct xfrm_policy *pol;
	bool first;

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
	o = l2tpi_owned_find(ln, spec, hash);
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
	l2tpi_owned_install(net, new, pol);
	if (new->state && new->state != -EEXIST) {
		int err = new->state;

		spin_unlock_bh(&ln->owned_lock);
		kfree(new);
		return ERR_PTR(err);
	}
	hash_add(ln->owned, &new->node, hash);
	ln->nr_owned++;
	first = origin != L2TPI_ORIGIN_BLOCK && !ln->nr_needed;
	if (origin != L2TPI_ORIGIN_BLOCK)
		WRITE_ONCE(ln->nr_needed, ln->nr_needed + 1);
	spin_unlock_bh(&ln->owned_lock);
	if (first)
		l2tpi_footprint_kick(net, true);
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
	hash_del(&o->node);
	ln->nr_owned--;
	if (o->origin != L2TPI_ORIGIN_BLOCK)
		WRITE_ONCE(ln->nr_needed, ln->nr_needed - 1);
	last = o->origin != L2TPI_ORIGIN_BLOCK && !ln->nr_needed;
	if (o->pol)
		l2tpi_policy_del(o->pol);
	spin_unlock_bh(&ln->owned_lock);
	kfree(o);
	if (last)
		l2tpi_footprint_kick(net, false);
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
		err = l2tpi_policy_replace(pol, spec->dir);
		if (!err) {
			old = o->pol;
			o->pol = pol;
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
 * Whether @o is supposed to be in force and is not in the SPD: taken out by someone
 * (a restore is due) or not put back yet (no memory, an SPD error). A shadowed entry
 * is not: the equal policy there decides. Context: owned_lock held.
 */
static bool l2tpi_owned_gap(const struct l2tpi_owned *o)
{
	if (o->spec.block || o->spec.optional || o->state == -EEXIST)
		return false;
	return !o->pol || !l2tpi_policy_alive(o->pol);
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
 * Context: any but hardirq; takes owned_lock.
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

	spin_lock_bh(&ln->owned_lock);
	for (i = 0; i < ARRAY_SIZE(c) && !missing; i++) {
		o = l2tpi_owned_find(ln, &c[i], l2tpi_spec_hash(&c[i]));
		missing = o && l2tpi_owned_gap(o);
	}
	spin_unlock_bh(&ln->owned_lock);
	return missing;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_missing);

/*
 * Give every client and tunnel entry of @net the reqid, level and priority of @cfg,
 * bucket by bucket. Our policies in the SPD are replaced in place (same index).
 * Context: process. Return: 0, or the first error (entries before it changed).
 */
static int __l2tpi_owned_retemplate(struct net *net, const struct l2tpi_config *cfg)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct xfrm_policy *pol, *old;
	struct l2tpi_pol_spec spec;
	struct l2tpi_owned *o;
	unsigned int bkt;
	int err = 0;

	for (bkt = 0; bkt < HASH_SIZE(ln->owned) && !err; bkt++) {
		spin_lock_bh(&ln->owned_lock);
		hlist_for_each_entry(o, &ln->owned[bkt], node) {
			if (o->origin != L2TPI_ORIGIN_CLIENT && o->origin != L2TPI_ORIGIN_TUNNEL)
				continue;
			spec = o->spec;
			spec.reqid = cfg->reqid;
			spec.optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
			spec.priority = o->origin == L2TPI_ORIGIN_TUNNEL ?
					l2tpi_config_tunnel_priority(cfg) : cfg->priority;
			if (!memcmp(&spec, &o->spec, sizeof(spec)))
				continue;
			if (o->pol && l2tpi_policy_alive(o->pol)) {
				pol = l2tpi_policy_build(net, &spec, GFP_ATOMIC);
				err = pol ? l2tpi_policy_replace(pol, spec.dir) : -ENOMEM;
				if (err) {
					if (pol)
						l2tpi_policy_discard(pol);
					break;
				}
				old = o->pol;
				o->pol = pol;
				xfrm_pol_put(old);
			}
			o->spec = spec;
		}
		spin_unlock_bh(&ln->owned_lock);
		cond_resched();
	}
	return err;
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
 * Context: process; takes owned_lock bucket by bucket.
 * Return: 0 or -errno.
 */
int l2tpi_owned_retemplate(struct net *net, const struct l2tpi_config *cfg,
			   const struct l2tpi_config *old)
{
	int err;

	err = __l2tpi_owned_retemplate(net, cfg);
	if (err && __l2tpi_owned_retemplate(net, old))
		pr_warn("cannot put back the old template of every tunnel and client policy\n");
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_retemplate);

/**
 * l2tpi_owned_is_ours() - whether the SPD policy with @index is ours
 * @net: network namespace
 * @index: the xfrm policy index
 *
 * Looked up among our entries (a scan: ACQUIREs are rare). A socket policy's index is
 * never ours: we attach none.
 *
 * Context: any; takes owned_lock.
 */
bool l2tpi_owned_is_ours(struct net *net, u32 index)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_owned *o;
	bool ours = false;
	int bkt;

	if (xfrm_policy_id2dir(index) >= XFRM_POLICY_MAX)
		return false;
	spin_lock_bh(&ln->owned_lock);
	hash_for_each(ln->owned, bkt, o, node) {
		if (o->pol && o->pol->index == index) {
			ours = true;
			break;
		}
	}
	spin_unlock_bh(&ln->owned_lock);
	return ours;
}

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

/*
 * Put back what is missing in one hash bucket; *@failed counts the entries that
 * could not be (no memory, an SPD error: retried later).
 * Context: owned_lock held.
 */
static unsigned int l2tpi_owned_restore_bucket(struct net *net, struct hlist_head *head,
					       unsigned int *failed)
{
	struct l2tpi_owned *o;
	unsigned int n = 0;

	hlist_for_each_entry(o, head, node) {
		if (o->pol && l2tpi_policy_alive(o->pol))
			continue;
		if (o->pol) {
			xfrm_pol_put(o->pol);
			o->pol = NULL;
		}
		l2tpi_owned_install(net, o, NULL);
		if (!o->state)
			n++;
		else if (o->state != -EEXIST)
			(*failed)++;
	}
	return n;
}

static unsigned int __l2tpi_owned_restore(struct net *net, unsigned int *failed)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	unsigned int n = 0, bkt;

	*failed = 0;
	/*
	 * Bucket by bucket, the lock dropped in between: a namespace may own 130,000
	 * policies, too many to insert with bottom halves off. An entry added meanwhile
	 * is installed by its owner; one removed is gone from its bucket.
	 */
	for (bkt = 0; bkt < HASH_SIZE(ln->owned); bkt++) {
		spin_lock_bh(&ln->owned_lock);
		n += l2tpi_owned_restore_bucket(net, &ln->owned[bkt], failed);
		spin_unlock_bh(&ln->owned_lock);
		cond_resched();
	}
	return n;
}

/**
 * l2tpi_owned_restore() - put back every owned policy that is not in the SPD
 * @net: network namespace
 *
 * A policy of ours that someone removed (flush, delete, replacing update) is released
 * and a new object inserted; shadowed and failed entries are retried.
 *
 * Context: process (sleeps between hash buckets); takes owned_lock.
 * Return: how many policies were put back into the SPD.
 */
unsigned int l2tpi_owned_restore(struct net *net)
{
	unsigned int failed;

	return __l2tpi_owned_restore(net, &failed);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_owned_restore);

static void l2tpi_owned_restore_work(struct work_struct *work)
{
	struct l2tpi_net *ln = container_of(to_delayed_work(work), struct l2tpi_net,
					    restore_work);
	unsigned int n, failed;

	WRITE_ONCE(ln->last_restore, jiffies);
	n = __l2tpi_owned_restore(ln->net, &failed);
	if (n) {
		pr_info_ratelimited("restored %u policies that were removed from the SPD\n", n);
		l2tpi_nl_restored(ln->net, n);
	}
	/* What could not be put back is tried again in a second, not at the next flush. */
	if (failed && !READ_ONCE(ln->dying)) {
		pr_warn_ratelimited("%u policies could not be restored yet; retrying\n", failed);
		queue_delayed_work(system_highpri_wq, &ln->restore_work, HZ);
	}
}

/*
 * Called by the key manager when the SPD of @net lost policies. Queues the restore
 * work if this namespace owns any and restoring is on: at once, unless the last
 * restore was less than a second ago; then half a second later. Tools that delete
 * until a dump comes back empty (`ip xfrm policy deleteall`) would otherwise race
 * the restore forever. Until it has run, the output guard (guard.c) drops what a
 * live tunnel sends.
 * Context: any (atomic included).
 */
void l2tpi_owned_schedule_restore(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	unsigned long delay = 0;

	if (!READ_ONCE(ln->nr_owned) || !READ_ONCE(ln->cfg.restore) || READ_ONCE(ln->dying))
		return;
	if (time_before(jiffies, READ_ONCE(ln->last_restore) + HZ))
		delay = HZ / 2;
	queue_delayed_work(system_highpri_wq, &ln->restore_work, delay);
}

void l2tpi_owned_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	ln->net = net;
	spin_lock_init(&ln->owned_lock);
	hash_init(ln->owned);
	INIT_LIST_HEAD(&ln->clients);
	INIT_DELAYED_WORK(&ln->restore_work, l2tpi_owned_restore_work);
	ln->last_restore = jiffies - HZ;
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
}
