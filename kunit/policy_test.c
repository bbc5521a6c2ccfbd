// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the policy builder (kmod/policy.c) against the real xfrm code: what a spec
 * turns into, and how owned policies go into and out of the SPD of the initial netns.
 * Test policies use port 61xxx and priorities 7xxx so they never meet real ones.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <net/xfrm.h>

#include "policy.h"
#include "util.h"

static struct l2tpi_pol_spec l2tpi_test_spec(unsigned short family, u8 dir, u16 port)
{
	struct l2tpi_pol_spec spec = {
		.family = family,
		.dir = dir,
		.reqid = 5,
		.priority = 7001,
	};

	if (dir == XFRM_POLICY_OUT)
		spec.sport = htons(port);
	else
		spec.dport = htons(port);
	return spec;
}

/* The ports of @sel (host order): 0 is any port (mask 0), any other exactly that one. */
static void l2tpi_test_expect_ports(struct kunit *test, const struct xfrm_selector *sel,
				    u16 sport, u16 dport)
{
	KUNIT_EXPECT_EQ(test, ntohs(sel->sport), sport);
	KUNIT_EXPECT_EQ(test, ntohs(sel->sport_mask), sport ? 0xffff : 0);
	KUNIT_EXPECT_EQ(test, ntohs(sel->dport), dport);
	KUNIT_EXPECT_EQ(test, ntohs(sel->dport_mask), dport ? 0xffff : 0);
}

static void l2tpi_policy_build_v4_out_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_OUT, 1701);
	struct xfrm_policy *pol;
	struct xfrm_tmpl *t;

	pol = l2tpi_policy_build(&init_net, &spec, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pol);
	KUNIT_EXPECT_EQ(test, pol->family, AF_INET);
	KUNIT_EXPECT_EQ(test, pol->priority, 7001);
	KUNIT_EXPECT_EQ(test, pol->action, XFRM_POLICY_ALLOW);
	KUNIT_EXPECT_EQ(test, pol->type, XFRM_POLICY_TYPE_MAIN);
	KUNIT_EXPECT_EQ(test, pol->selector.family, AF_INET);
	KUNIT_EXPECT_EQ(test, pol->selector.proto, IPPROTO_UDP);
	l2tpi_test_expect_ports(test, &pol->selector, 1701, 0);
	KUNIT_EXPECT_EQ(test, pol->selector.prefixlen_s, 0);
	KUNIT_EXPECT_EQ(test, pol->selector.prefixlen_d, 0);
	KUNIT_EXPECT_EQ(test, ntohl(pol->selector.saddr.a4), 0);
	KUNIT_EXPECT_EQ(test, ntohl(pol->selector.daddr.a4), 0);
	KUNIT_EXPECT_EQ(test, pol->selector.ifindex, 0);
	KUNIT_ASSERT_EQ(test, pol->xfrm_nr, 1);
	t = &pol->xfrm_vec[0];
	KUNIT_EXPECT_EQ(test, t->id.proto, IPPROTO_ESP);
	KUNIT_EXPECT_EQ(test, ntohl(t->id.spi), 0);
	KUNIT_EXPECT_EQ(test, t->mode, XFRM_MODE_TRANSPORT);
	KUNIT_EXPECT_EQ(test, t->reqid, 5);
	KUNIT_EXPECT_EQ(test, t->optional, 0);
	KUNIT_EXPECT_EQ(test, t->encap_family, AF_INET);
	KUNIT_EXPECT_EQ(test, t->aalgos, ~0U);
	KUNIT_EXPECT_EQ(test, t->ealgos, ~0U);
	KUNIT_EXPECT_EQ(test, t->calgos, ~0U);
	KUNIT_EXPECT_EQ(test, t->allalgs, 1);
	l2tpi_policy_discard(pol);
}

static void l2tpi_policy_build_v6_in_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET6, XFRM_POLICY_IN, 1701);
	struct xfrm_policy *pol;

	spec.optional = true;
	spec.saddr.a6[0] = htonl(0x20010db8);
	spec.prefixlen_s = 32;
	pol = l2tpi_policy_build(&init_net, &spec, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pol);
	KUNIT_EXPECT_EQ(test, pol->family, AF_INET6);
	KUNIT_EXPECT_EQ(test, pol->selector.family, AF_INET6);
	l2tpi_test_expect_ports(test, &pol->selector, 0, 1701);
	KUNIT_EXPECT_EQ(test, pol->selector.prefixlen_s, 32);
	KUNIT_EXPECT_EQ(test, ntohl(pol->selector.saddr.a6[0]), 0x20010db8);
	KUNIT_EXPECT_EQ(test, pol->xfrm_vec[0].optional, 1);
	KUNIT_EXPECT_EQ(test, pol->xfrm_vec[0].encap_family, AF_INET6);
	l2tpi_policy_discard(pol);
}

static void l2tpi_policy_build_rejects_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_OUT, 1701);

	spec.family = AF_UNSPEC;
	KUNIT_EXPECT_NULL(test, l2tpi_policy_build(&init_net, &spec, GFP_KERNEL));
	spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_FWD, 1701);
	KUNIT_EXPECT_NULL(test, l2tpi_policy_build(&init_net, &spec, GFP_KERNEL));
	spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_OUT, 1701);
	spec.prefixlen_d = 33;
	KUNIT_EXPECT_NULL(test, l2tpi_policy_build(&init_net, &spec, GFP_KERNEL));
	spec = l2tpi_test_spec(AF_INET6, XFRM_POLICY_OUT, 1701);
	spec.prefixlen_s = 129;
	KUNIT_EXPECT_NULL(test, l2tpi_policy_build(&init_net, &spec, GFP_KERNEL));
}

static void l2tpi_policy_add_del_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_OUT, 61001);
	struct xfrm_policy *pol;

	pol = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(pol));
	KUNIT_EXPECT_EQ(test, xfrm_policy_id2dir(pol->index), XFRM_POLICY_OUT);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(pol), pol);
	l2tpi_policy_del(pol);
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(pol));
}

/*
 * Never replace a policy: an equal one is refused. The SPD compares type, selector,
 * mark, if_id and security context; another priority does not make another policy.
 */
static void l2tpi_policy_add_refuses_equal_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET6, XFRM_POLICY_IN, 61002);
	struct xfrm_policy *a, *b;

	a = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(b), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(a), a);
	spec.priority++;
	b = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(b), -EEXIST);
	spec.dport = htons(61012);	/* another selector is another policy */
	b = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_EXPECT_FALSE(test, IS_ERR(b));
	if (!IS_ERR(b))
		l2tpi_policy_del(b);
	l2tpi_policy_del(a);
}

/*
 * Someone else removed our policy (a flush) and then put an equal one of theirs in:
 * releasing ours must leave theirs alone.
 */
static void l2tpi_policy_del_after_foreign_delete_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_IN, 61003);
	struct xfrm_policy *ours, *theirs;

	ours = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ours));
	KUNIT_ASSERT_EQ(test, xfrm_policy_delete(ours, XFRM_POLICY_IN), 0);
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(ours));
	theirs = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(theirs));
	l2tpi_policy_del(ours);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(theirs), theirs);
	l2tpi_policy_del(theirs);
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(theirs));
}

/* What a key manager heard about one policy: its events, and which were ours. */
static struct {
	const struct xfrm_policy *pol;
	int events, self;
} l2tpi_test_heard;

static int l2tpi_test_km_notify_policy(struct xfrm_policy *xp, int dir, const struct km_event *c)
{
	if (xp && xp == READ_ONCE(l2tpi_test_heard.pol)) {
		l2tpi_test_heard.events++;
		l2tpi_test_heard.self += l2tpi_policy_notifying_self();
	}
	return 0;
}

static struct xfrm_mgr l2tpi_test_km = {
	.notify_policy = l2tpi_test_km_notify_policy,
};

/*
 * Key managers hear of our inserts and deletes (ip xfrm monitor shows them), and
 * while they do, l2tpi_policy_notifying_self() tells our own key manager that the
 * change is ours (so it schedules no restore); a change someone else reports is not.
 */
static void l2tpi_policy_notifying_self_test(struct kunit *test)
{
	struct l2tpi_pol_spec spec = l2tpi_test_spec(AF_INET, XFRM_POLICY_OUT, 61004);
	struct km_event c = { .event = XFRM_MSG_DELPOLICY, .net = &init_net };
	struct xfrm_policy *pol;

	pol = l2tpi_policy_build(&init_net, &spec, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pol);
	WRITE_ONCE(l2tpi_test_heard.pol, pol);
	xfrm_register_km(&l2tpi_test_km);
	if (l2tpi_policy_insert(pol, XFRM_POLICY_OUT, false)) {
		KUNIT_FAIL(test, "the insert failed");
		l2tpi_policy_discard(pol);
		goto out;
	}
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.events, 1);
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.self, 1);
	/* Someone else deletes it, and says so as xfrm_user would. */
	KUNIT_EXPECT_EQ(test, xfrm_policy_delete(pol, XFRM_POLICY_OUT), 0);
	km_policy_notify(pol, XFRM_POLICY_OUT, &c);
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.events, 2);
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.self, 1);
	KUNIT_EXPECT_FALSE(test, l2tpi_policy_notifying_self());
	l2tpi_policy_del(pol);	/* already gone: only released, nothing to report */
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.events, 2);

	WRITE_ONCE(l2tpi_test_heard.pol, NULL);
	pol = l2tpi_test_policy_add(&init_net, &spec);
	if (IS_ERR(pol)) {
		KUNIT_FAIL(test, "the add failed: %ld", PTR_ERR(pol));
		goto out;
	}
	WRITE_ONCE(l2tpi_test_heard.pol, pol);
	l2tpi_test_heard.events = 0;
	l2tpi_test_heard.self = 0;
	xfrm_pol_hold(pol);
	l2tpi_policy_del(pol);	/* ours: heard, as ours */
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.events, 1);
	KUNIT_EXPECT_EQ(test, l2tpi_test_heard.self, 1);
	WRITE_ONCE(l2tpi_test_heard.pol, NULL);
	xfrm_pol_put(pol);
out:
	WRITE_ONCE(l2tpi_test_heard.pol, NULL);
	xfrm_unregister_km(&l2tpi_test_km);
}

static struct kunit_case l2tpi_policy_cases[] = {
	KUNIT_CASE(l2tpi_policy_build_v4_out_test),
	KUNIT_CASE(l2tpi_policy_build_v6_in_test),
	KUNIT_CASE(l2tpi_policy_build_rejects_test),
	KUNIT_CASE(l2tpi_policy_add_del_test),
	KUNIT_CASE(l2tpi_policy_add_refuses_equal_test),
	KUNIT_CASE(l2tpi_policy_del_after_foreign_delete_test),
	KUNIT_CASE(l2tpi_policy_notifying_self_test),
	{}
};

static struct kunit_suite l2tpi_policy_suite = {
	.name = "l2tp_ipsec_policy",
	.test_cases = l2tpi_policy_cases,
};

kunit_test_suite(l2tpi_policy_suite);
