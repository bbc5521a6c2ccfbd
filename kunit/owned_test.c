// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the owned-policy registry (kmod/owned.c) against the real SPD of init_net:
 * sharing and owner counts, restore after someone removed our policy, shadowing by
 * an equal policy that is not ours.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <net/xfrm.h>

#include "netns.h"
#include "owned.h"
#include "policy.h"
#include "util.h"

static struct l2tpi_pol_spec l2tpi_owned_test_spec(u16 port)
{
	struct l2tpi_pol_spec spec = {
		.family = AF_INET,
		.dir = XFRM_POLICY_OUT,
		.prefixlen_s = 32,
		.prefixlen_d = 32,
		.sport = htons(port),
		.dport = htons(port),
		.priority = 7300,
	};

	spec.saddr.a4 = htonl(0xc0000201);	/* 192.0.2.1 */
	spec.daddr.a4 = htonl(0xc6336401);	/* 198.51.100.1 */
	return spec;
}

/* Take @o's policy out of the SPD as someone else would; returns it, referenced. */
static struct xfrm_policy *l2tpi_owned_test_take_out(struct kunit *test, struct l2tpi_owned *o)
{
	struct xfrm_policy *old = o->pol;

	KUNIT_ASSERT_NOT_NULL(test, old);
	xfrm_pol_hold(old);
	KUNIT_ASSERT_EQ(test, xfrm_policy_delete(old, o->spec.dir), 0);
	return old;
}

/*
 * Someone else's policy with @spec's selector and reqid @reqid (*@theirs), then our
 * entry for @spec (reqid 0): shadowed by it.
 */
static struct l2tpi_owned *l2tpi_owned_test_shadowed(struct kunit *test,
						     struct l2tpi_pol_spec spec, u32 reqid,
						     struct xfrm_policy **theirs)
{
	struct l2tpi_owned *o;

	spec.reqid = reqid;
	*theirs = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(*theirs));
	spec.reqid = 0;
	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	KUNIT_EXPECT_EQ(test, l2tpi_owned_state(&init_net, o), -EEXIST);
	return o;
}

static void l2tpi_owned_share_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62001);
	struct l2tpi_owned *a, *b;
	struct xfrm_policy *pol;

	a = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	KUNIT_EXPECT_EQ(test, l2tpi_owned_state(&init_net, a), 0);
	spec.priority = 1;	/* same selector, other priority: the same entry */
	b = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, a->owners, 2);
	pol = a->pol;
	xfrm_pol_hold(pol);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(pol), pol);
	l2tpi_owned_put(&init_net, b);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(pol), pol);	/* one owner left */
	l2tpi_owned_put(&init_net, a);
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(pol));
	KUNIT_EXPECT_FALSE(test, l2tpi_policy_alive(pol));
	xfrm_pol_put(pol);
}

/* Someone deletes our policy (ip xfrm policy delete, a flush): restore puts a new one. */
static void l2tpi_owned_restore_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62002);
	struct xfrm_policy *old, *new;
	struct l2tpi_owned *o;

	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	old = l2tpi_owned_test_take_out(test, o);
	KUNIT_EXPECT_EQ(test, l2tpi_owned_state(&init_net, o), -ENOENT);
	KUNIT_EXPECT_GE(test, l2tpi_owned_restore(&init_net), 1);
	KUNIT_EXPECT_EQ(test, l2tpi_owned_state(&init_net, o), 0);
	new = o->pol;
	KUNIT_EXPECT_PTR_NE(test, new, old);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(new), new);
	KUNIT_EXPECT_EQ(test, new->priority, 7300);
	/* Nothing to do the second time. */
	KUNIT_EXPECT_EQ(test, l2tpi_owned_restore(&init_net), 0);
	l2tpi_owned_put(&init_net, o);
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(new));
	xfrm_pol_put(old);
}

/* An equal policy that is not ours: shadowed, never touched; installed once it goes. */
static void l2tpi_owned_shadowed_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62003);
	struct xfrm_policy *theirs;
	struct l2tpi_owned *o;

	o = l2tpi_owned_test_shadowed(test, spec, 42, &theirs);
	KUNIT_EXPECT_NULL(test, o->pol);
	KUNIT_EXPECT_EQ(test, l2tpi_owned_restore(&init_net), 0);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(theirs), theirs);
	KUNIT_EXPECT_EQ(test, theirs->xfrm_vec[0].reqid, 42);

	l2tpi_policy_del(theirs);
	KUNIT_EXPECT_EQ(test, l2tpi_owned_restore(&init_net), 1);
	KUNIT_EXPECT_EQ(test, l2tpi_owned_state(&init_net, o), 0);
	KUNIT_ASSERT_NOT_NULL(test, o->pol);
	KUNIT_EXPECT_EQ(test, o->pol->xfrm_vec[0].reqid, 0);

	/* Releasing a shadowed entry never removes the shadowing policy. */
	l2tpi_owned_put(&init_net, o);
	theirs = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(theirs));
	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	l2tpi_owned_put(&init_net, o);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(theirs), theirs);
	l2tpi_policy_del(theirs);
}

static void l2tpi_owned_bad_spec_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62004);
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	unsigned int before = ln->nr_owned;

	spec.family = AF_UNIX;
	KUNIT_EXPECT_TRUE(test, IS_ERR(l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL,
						       GFP_KERNEL)));
	KUNIT_EXPECT_EQ(test, ln->nr_owned, before);
}

/* The flow a packet of @spec's 5-tuple is: what the output guard asks about. */
static struct l2tpi_pol_spec l2tpi_owned_test_flow(const struct l2tpi_pol_spec *spec)
{
	return (struct l2tpi_pol_spec) {
		.family = spec->family, .dir = XFRM_POLICY_OUT,
		.saddr = spec->saddr, .daddr = spec->daddr,
		.sport = spec->sport, .dport = spec->dport,
	};
}

/*
 * The guard's question: missing only while our required policy is out of the SPD and
 * a restore is due; never while it is in, shadowed, optional or with restore off.
 */
static void l2tpi_owned_missing_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62005), flow;
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct xfrm_policy *old, *theirs;
	struct l2tpi_owned *o;

	flow = l2tpi_owned_test_flow(&spec);
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));

	old = l2tpi_owned_test_take_out(test, o);
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_missing(&init_net, &flow));
	flow.dport = htons(62006);	/* another 5-tuple: not ours */
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	flow.dport = spec.dport;
	WRITE_ONCE(ln->cfg.restore, false);	/* the removal stands */
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	WRITE_ONCE(ln->cfg.restore, true);
	KUNIT_EXPECT_GE(test, l2tpi_owned_restore(&init_net), 1);
	/* Put back: a frame routed in the gap may still come by for a second. */
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_missing(&init_net, &flow));
	msleep(1100);
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	xfrm_pol_put(old);
	l2tpi_owned_put(&init_net, o);

	/* Shadowed: the equal policy there decides, ours is not missing. */
	o = l2tpi_owned_test_shadowed(test, spec, 43, &theirs);
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	l2tpi_owned_put(&init_net, o);
	l2tpi_policy_del(theirs);

	/* Level use: plaintext is allowed anyway. */
	spec.optional = true;
	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	old = l2tpi_owned_test_take_out(test, o);
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	xfrm_pol_put(old);
	l2tpi_owned_put(&init_net, o);
}

/* A wildcard of ours (the server's "any from sport") covers every peer's flow. */
static void l2tpi_owned_missing_wildcard_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62007), flow, wild = {
		.family = AF_INET, .dir = XFRM_POLICY_OUT, .sport = htons(62007),
		.priority = 7301,
	};
	struct xfrm_policy *old;
	struct l2tpi_owned *o;

	flow = l2tpi_owned_test_flow(&spec);
	o = l2tpi_owned_get(&init_net, &wild, L2TPI_ORIGIN_SERVER, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	old = l2tpi_owned_test_take_out(test, o);
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_missing(&init_net, &flow));
	flow.sport = htons(62008);
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_missing(&init_net, &flow));
	KUNIT_EXPECT_GE(test, l2tpi_owned_restore(&init_net), 1);
	xfrm_pol_put(old);
	l2tpi_owned_put(&init_net, o);
}

/* A new level, reqid and priority reach live tunnel policies in place (same index). */
static void l2tpi_owned_retemplate_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62009);
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct l2tpi_config old_cfg = ln->cfg, cfg = ln->cfg;
	struct l2tpi_owned *o;
	u32 index;

	spec.priority = l2tpi_config_tunnel_priority(&cfg);
	spec.reqid = cfg.reqid;
	spec.optional = cfg.level == L2TP_IPSEC_LEVEL_USE;
	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	index = o->pol->index;
	cfg.reqid = 77;
	cfg.priority = 5000;
	cfg.level = L2TP_IPSEC_LEVEL_USE;
	KUNIT_EXPECT_EQ(test, l2tpi_owned_retemplate(&init_net, &cfg, &old_cfg), 0);
	KUNIT_ASSERT_NOT_NULL(test, o->pol);
	KUNIT_EXPECT_EQ(test, o->pol->index, index);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(o->pol), o->pol);
	KUNIT_EXPECT_EQ(test, o->pol->priority, 4999);
	KUNIT_EXPECT_EQ(test, o->pol->xfrm_vec[0].reqid, 77);
	KUNIT_EXPECT_EQ(test, o->pol->xfrm_vec[0].optional, 1);
	KUNIT_EXPECT_EQ(test, l2tpi_owned_retemplate(&init_net, &old_cfg, &cfg), 0);
	KUNIT_EXPECT_EQ(test, o->pol->index, index);
	KUNIT_EXPECT_EQ(test, o->pol->xfrm_vec[0].reqid, old_cfg.reqid);
	l2tpi_owned_put(&init_net, o);
}

/* Wait up to 3 s for @o to be in the SPD again (the restore work). */
static bool l2tpi_owned_test_back(struct l2tpi_owned *o)
{
	int i;

	for (i = 0; i < 150; i++) {
		if (l2tpi_owned_state(&init_net, o) == 0)
			return true;
		msleep(20);
	}
	return false;
}

/*
 * A single delete names its policy: that entry alone is restored (one lookup), and
 * the deletion of a policy that is not ours and shadows nothing of ours does nothing.
 */
static void l2tpi_owned_policy_gone_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_owned_test_spec(62011), other, key;
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct xfrm_policy *old, *theirs;
	struct l2tpi_owned *o;

	o = l2tpi_owned_get(&init_net, &spec, L2TPI_ORIGIN_TUNNEL, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(o));
	KUNIT_ASSERT_TRUE(test, l2tpi_policy_spec_of(o->pol, XFRM_POLICY_OUT, &key));
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_is_ours(&init_net, &key, o->pol->index));
	KUNIT_EXPECT_FALSE(test, l2tpi_owned_is_ours(&init_net, &key, o->pol->index + 8));

	old = l2tpi_owned_test_take_out(test, o);
	l2tpi_owned_policy_gone(&init_net, old, XFRM_POLICY_OUT);
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_test_back(o));
	KUNIT_EXPECT_PTR_NE(test, o->pol, old);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(o->pol), o->pol);
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_is_ours(&init_net, &key, o->pol->index));
	xfrm_pol_put(old);

	/* Someone else's policy, unrelated to ours: nothing queued. */
	other = l2tpi_owned_test_spec(62012);
	theirs = l2tpi_test_policy_add(&init_net, &other);
	KUNIT_ASSERT_FALSE(test, IS_ERR(theirs));
	l2tpi_owned_policy_gone(&init_net, theirs, XFRM_POLICY_OUT);
	spin_lock_bh(&ln->owned_lock);
	KUNIT_EXPECT_TRUE(test, list_empty(&ln->restore_list));
	spin_unlock_bh(&ln->owned_lock);
	l2tpi_policy_del(theirs);
	l2tpi_owned_put(&init_net, o);

	/* The policy that shadowed ours goes: ours is installed. */
	spec = l2tpi_owned_test_spec(62013);
	o = l2tpi_owned_test_shadowed(test, spec, 44, &theirs);
	xfrm_pol_hold(theirs);
	l2tpi_policy_del(theirs);	/* as ours, so our key manager stays quiet */
	l2tpi_owned_policy_gone(&init_net, theirs, XFRM_POLICY_OUT);
	KUNIT_EXPECT_TRUE(test, l2tpi_owned_test_back(o));
	KUNIT_EXPECT_EQ(test, o->pol->xfrm_vec[0].reqid, 0);
	xfrm_pol_put(theirs);
	l2tpi_owned_put(&init_net, o);
}

static struct kunit_case l2tpi_owned_cases[] = {
	KUNIT_CASE(l2tpi_owned_share_test),
	KUNIT_CASE(l2tpi_owned_restore_test),
	KUNIT_CASE(l2tpi_owned_shadowed_test),
	KUNIT_CASE(l2tpi_owned_bad_spec_test),
	KUNIT_CASE(l2tpi_owned_missing_test),
	KUNIT_CASE(l2tpi_owned_missing_wildcard_test),
	KUNIT_CASE(l2tpi_owned_retemplate_test),
	KUNIT_CASE(l2tpi_owned_policy_gone_test),
	{}
};

static struct kunit_suite l2tpi_owned_suite = {
	.name = "l2tp_ipsec_owned",
	.test_cases = l2tpi_owned_cases,
};

kunit_test_suite(l2tpi_owned_suite);
