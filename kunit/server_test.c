// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: server mode (kmod/server.c) in the initial netns of the test guest, set
 * through the configuration writer (netns.c) as netlink sets it: the four policies,
 * the same ones after the same configuration again, shadowing when one of them is
 * taken.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <net/xfrm.h>

#include "netns.h"
#include "owned.h"
#include "policy.h"
#include "server.h"
#include "util.h"

#define L2TPI_TEST_PORT	61701

/* Server mode on with the test's port and template, the rest as it is in @net. */
static void l2tpi_test_cfg(struct net *net, struct l2tpi_config *cfg, struct l2tpi_config *old)
{
	*old = l2tpi_net(net)->cfg;
	*cfg = *old;
	cfg->server = true;
	cfg->port = L2TPI_TEST_PORT;
	cfg->reqid = 9;
	cfg->priority = 7100;
}

static int l2tpi_test_configure(struct net *net, const struct l2tpi_config *cfg)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int err;

	mutex_lock(&ln->lock);
	err = l2tpi_netns_configure_locked(net, cfg, NULL);
	mutex_unlock(&ln->lock);
	return err;
}

static void l2tpi_server_enable_test(struct kunit *test)
{
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct xfrm_policy *pols[L2TPI_SERVER_POLICIES];
	struct l2tpi_owned *own[L2TPI_SERVER_POLICIES];
	struct l2tpi_config cfg, old;
	int i, in = 0, out = 0, v4 = 0, v6 = 0;

	l2tpi_test_cfg(&init_net, &cfg, &old);
	KUNIT_ASSERT_FALSE(test, old.server);
	KUNIT_ASSERT_EQ(test, l2tpi_test_configure(&init_net, &cfg), 0);
	KUNIT_EXPECT_TRUE(test, ln->cfg.server);
	KUNIT_EXPECT_EQ(test, ln->cfg.port, L2TPI_TEST_PORT);
	memcpy(own, ln->server, sizeof(own));
	KUNIT_EXPECT_EQ(test, l2tpi_test_configure(&init_net, &cfg), 0);
	KUNIT_EXPECT_EQ(test, memcmp(own, ln->server, sizeof(own)), 0);
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
		struct xfrm_policy *pol = ln->server[i] ? ln->server[i]->pol : NULL;
		struct xfrm_selector *sel;

		KUNIT_ASSERT_NOT_NULL(test, pol);
		pols[i] = pol;
		sel = &pol->selector;
		KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(pol), pol);
		KUNIT_EXPECT_EQ(test, pol->priority, 7100);
		KUNIT_EXPECT_EQ(test, pol->xfrm_vec[0].reqid, 9);
		KUNIT_EXPECT_EQ(test, sel->prefixlen_s + sel->prefixlen_d, 0);
		if (xfrm_policy_id2dir(pol->index) == XFRM_POLICY_OUT) {
			out++;
			KUNIT_EXPECT_EQ(test, ntohs(sel->sport), L2TPI_TEST_PORT);
			KUNIT_EXPECT_EQ(test, ntohs(sel->dport_mask), 0);
		} else {
			in++;
			KUNIT_EXPECT_EQ(test, ntohs(sel->dport), L2TPI_TEST_PORT);
			KUNIT_EXPECT_EQ(test, ntohs(sel->sport_mask), 0);
		}
		if (pol->family == AF_INET)
			v4++;
		else if (pol->family == AF_INET6)
			v6++;
	}
	KUNIT_EXPECT_EQ(test, in, 2);
	KUNIT_EXPECT_EQ(test, out, 2);
	KUNIT_EXPECT_EQ(test, v4, 2);
	KUNIT_EXPECT_EQ(test, v6, 2);

	/* Keep the objects alive across disable to check they left the SPD. */
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++)
		xfrm_pol_hold(pols[i]);
	KUNIT_EXPECT_EQ(test, l2tpi_test_configure(&init_net, &old), 0);
	KUNIT_EXPECT_FALSE(test, ln->cfg.server);
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
		KUNIT_EXPECT_NULL(test, ln->server[i]);
		KUNIT_EXPECT_PTR_NE(test, l2tpi_test_spd_find(pols[i]), pols[i]);
		xfrm_pol_put(pols[i]);
	}
}

/*
 * An equal policy owned by someone else: that one server policy is shadowed (the
 * other three are installed), theirs is never touched, ours takes its place when it
 * goes; disabling removes only ours.
 */
static void l2tpi_server_shadowed_test(struct kunit *test)
{
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct l2tpi_pol_spec spec = {
		.family = AF_INET6,
		.dir = XFRM_POLICY_OUT,
		.sport = htons(L2TPI_TEST_PORT),
		.reqid = 1234,		/* the template does not take part in equality */
		.priority = 7200,		/* nor does the priority */
	};
	struct xfrm_policy *theirs;
	struct l2tpi_config cfg, old;
	int i, installed = 0;

	theirs = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(theirs));
	l2tpi_test_cfg(&init_net, &cfg, &old);
	KUNIT_ASSERT_EQ(test, l2tpi_test_configure(&init_net, &cfg), 0);
	KUNIT_EXPECT_EQ(test, l2tpi_server_shadowed(&init_net), 1);
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++)
		if (ln->server[i]->pol)
			installed++;
	KUNIT_EXPECT_EQ(test, installed, 3);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(theirs), theirs);
	KUNIT_EXPECT_EQ(test, theirs->xfrm_vec[0].reqid, 1234);

	l2tpi_policy_del(theirs);
	l2tpi_owned_restore(&init_net);
	KUNIT_EXPECT_EQ(test, l2tpi_server_shadowed(&init_net), 0);

	theirs = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(theirs), -EEXIST);	/* ours is there now */
	KUNIT_EXPECT_EQ(test, l2tpi_test_configure(&init_net, &old), 0);
	theirs = l2tpi_test_policy_add(&init_net, &spec);
	KUNIT_ASSERT_FALSE(test, IS_ERR(theirs));		/* and gone again */
	l2tpi_policy_del(theirs);
}

static struct kunit_case l2tpi_server_cases[] = {
	KUNIT_CASE(l2tpi_server_enable_test),
	KUNIT_CASE(l2tpi_server_shadowed_test),
	{}
};

static struct kunit_suite l2tpi_server_suite = {
	.name = "l2tp_ipsec_server",
	.test_cases = l2tpi_server_cases,
};

kunit_test_suite(l2tpi_server_suite);
