// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: client connections (kmod/client.c) in init_net: the two policies of KB
 * 248750's client filter, static and connection lifetime, bad arguments.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <net/xfrm.h>

#include "client.h"
#include "netns.h"
#include "util.h"

static xfrm_address_t l2tpi_client_test_addr4(void)
{
	xfrm_address_t a = {};

	a.a4 = htonl(0xcb007107);	/* 203.0.113.7 */
	return a;
}

static struct l2tpi_client *l2tpi_client_test_find(const xfrm_address_t *server, u16 sport)
{
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct l2tpi_client *c;

	list_for_each_entry(c, &ln->clients, node)
		if (xfrm_addr_equal(&c->server, server, c->family) && c->sport == sport)
			return c;
	return NULL;
}

static void l2tpi_client_static_test(struct kunit *test)
{
	xfrm_address_t srv = l2tpi_client_test_addr4();
	struct xfrm_policy *out, *in;
	struct l2tpi_client *c;
	unsigned int n = l2tpi_client_count(&init_net);

	KUNIT_ASSERT_EQ(test, l2tpi_client_add(&init_net, AF_INET, &srv, 1701,
					       L2TPI_CLIENT_STATIC), 0);
	KUNIT_EXPECT_EQ(test, l2tpi_client_add(&init_net, AF_INET, &srv, 1701, L2TPI_CLIENT_STATIC),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, l2tpi_client_count(&init_net), n + 1);
	c = l2tpi_client_test_find(&srv, 1701);
	KUNIT_ASSERT_NOT_NULL(test, c);
	out = c->own[XFRM_POLICY_OUT]->pol;
	in = c->own[XFRM_POLICY_IN]->pol;
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, in);
	/* out: udp sport 1701 -> 203.0.113.7/32, any port */
	KUNIT_EXPECT_EQ(test, out->selector.prefixlen_d, 32);
	KUNIT_EXPECT_EQ(test, out->selector.prefixlen_s, 0);
	KUNIT_EXPECT_EQ(test, ntohl(out->selector.daddr.a4), 0xcb007107);
	KUNIT_EXPECT_EQ(test, ntohs(out->selector.sport), 1701);
	KUNIT_EXPECT_EQ(test, ntohs(out->selector.dport_mask), 0);
	KUNIT_EXPECT_EQ(test, out->selector.proto, IPPROTO_UDP);
	/* in: 203.0.113.7/32, any port -> udp dport 1701 */
	KUNIT_EXPECT_EQ(test, in->selector.prefixlen_s, 32);
	KUNIT_EXPECT_EQ(test, ntohl(in->selector.saddr.a4), 0xcb007107);
	KUNIT_EXPECT_EQ(test, ntohs(in->selector.dport), 1701);
	KUNIT_EXPECT_EQ(test, ntohs(in->selector.sport_mask), 0);
	KUNIT_EXPECT_EQ(test, out->xfrm_vec[0].id.proto, IPPROTO_ESP);
	KUNIT_EXPECT_EQ(test, out->xfrm_vec[0].mode, XFRM_MODE_TRANSPORT);
	xfrm_pol_hold(out);
	xfrm_pol_hold(in);
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(out), out);

	/* A static client outlives its tunnels. */
	l2tpi_client_tunnel_up(&init_net, AF_INET, &srv, 1701);
	l2tpi_client_tunnel_down(&init_net, AF_INET, &srv, 1701);
	KUNIT_EXPECT_NOT_NULL(test, l2tpi_client_test_find(&srv, 1701));

	KUNIT_EXPECT_EQ(test, l2tpi_client_del(&init_net, AF_INET, &srv, 1701), 0);
	KUNIT_EXPECT_EQ(test, l2tpi_client_del(&init_net, AF_INET, &srv, 1701), -ENOENT);
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(out));
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(in));
	KUNIT_EXPECT_EQ(test, l2tpi_client_count(&init_net), n);
	xfrm_pol_put(out);
	xfrm_pol_put(in);
}

/* Connection lifetime: ends with the last tunnel to the server, not before the first. */
static void l2tpi_client_connection_test(struct kunit *test)
{
	xfrm_address_t srv = {}, other = l2tpi_client_test_addr4();
	struct xfrm_policy *out;
	struct l2tpi_client *c;

	srv.in6.s6_addr32[0] = htonl(0x20010db8);
	srv.in6.s6_addr32[3] = htonl(7);
	KUNIT_ASSERT_EQ(test, l2tpi_client_add(&init_net, AF_INET6, &srv, 1701,
					       L2TPI_CLIENT_CONNECTION), 0);
	c = l2tpi_client_test_find(&srv, 1701);
	KUNIT_ASSERT_NOT_NULL(test, c);
	out = c->own[XFRM_POLICY_OUT]->pol;
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_EXPECT_EQ(test, out->selector.prefixlen_d, 128);
	KUNIT_EXPECT_EQ(test, out->family, AF_INET6);
	xfrm_pol_hold(out);

	/* Tunnels elsewhere or from another port do not count. */
	l2tpi_client_tunnel_up(&init_net, AF_INET, &other, 1701);
	l2tpi_client_tunnel_down(&init_net, AF_INET, &other, 1701);
	l2tpi_client_tunnel_down(&init_net, AF_INET6, &srv, 1701);	/* none yet */
	KUNIT_EXPECT_NOT_NULL(test, l2tpi_client_test_find(&srv, 1701));

	l2tpi_client_tunnel_up(&init_net, AF_INET6, &srv, 1701);
	l2tpi_client_tunnel_up(&init_net, AF_INET6, &srv, 1701);
	l2tpi_client_tunnel_up(&init_net, AF_INET6, &srv, 1702);
	KUNIT_EXPECT_EQ(test, c->tunnels, 2);
	l2tpi_client_tunnel_down(&init_net, AF_INET6, &srv, 1701);
	KUNIT_EXPECT_NOT_NULL(test, l2tpi_client_test_find(&srv, 1701));
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(out), out);
	l2tpi_client_tunnel_down(&init_net, AF_INET6, &srv, 1701);
	KUNIT_EXPECT_NULL(test, l2tpi_client_test_find(&srv, 1701));
	KUNIT_EXPECT_NULL(test, l2tpi_test_spd_find(out));
	KUNIT_EXPECT_EQ(test, l2tpi_client_del(&init_net, AF_INET6, &srv, 1701), -ENOENT);
	xfrm_pol_put(out);
}

static void l2tpi_client_bad_args_test(struct kunit *test)
{
	xfrm_address_t srv = l2tpi_client_test_addr4();
	unsigned int n = l2tpi_client_count(&init_net);

	KUNIT_EXPECT_EQ(test, l2tpi_client_add(&init_net, AF_UNIX, &srv, 1701, L2TPI_CLIENT_STATIC),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, l2tpi_client_add(&init_net, AF_INET, &srv, 0, L2TPI_CLIENT_STATIC),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, l2tpi_client_add(&init_net, AF_INET, &srv, 1701, 7), -EINVAL);
	KUNIT_EXPECT_EQ(test, l2tpi_client_count(&init_net), n);
}

static struct kunit_case l2tpi_client_cases[] = {
	KUNIT_CASE(l2tpi_client_static_test),
	KUNIT_CASE(l2tpi_client_connection_test),
	KUNIT_CASE(l2tpi_client_bad_args_test),
	{}
};

static struct kunit_suite l2tpi_client_suite = {
	.name = "l2tp_ipsec_client",
	.test_cases = l2tpi_client_cases,
};

kunit_test_suite(l2tpi_client_suite);
