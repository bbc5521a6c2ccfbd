// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the per-tunnel selectors (kmod/tunnel.c) built from real UDP sockets of
 * init_net: IPv4, IPv6, v4-mapped IPv6, unconnected; priority one step ahead of the
 * wildcards.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <net/sock.h>

#include "config.h"
#include "netns.h"
#include "tunnel.h"
#include "util.h"

static int l2tpi_test_bind6(struct socket *sock, const struct in6_addr *addr, u16 port,
			    bool connect)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = *addr,
				     .sin6_port = htons(port) };

	if (connect)
		return kernel_connect(sock, (struct sockaddr *)&sin6, sizeof(sin6), 0);
	return kernel_bind(sock, (struct sockaddr *)&sin6, sizeof(sin6));
}

/* The prefix lengths and ports (host order) of @spec's selector. */
static void l2tpi_test_expect_ends(struct kunit *test, const struct l2tpi_pol_spec *spec,
				   u8 prefixlen_s, u8 prefixlen_d, u16 sport, u16 dport)
{
	KUNIT_EXPECT_EQ(test, spec->prefixlen_s, prefixlen_s);
	KUNIT_EXPECT_EQ(test, spec->prefixlen_d, prefixlen_d);
	KUNIT_EXPECT_EQ(test, ntohs(spec->sport), sport);
	KUNIT_EXPECT_EQ(test, ntohs(spec->dport), dport);
}

static void l2tpi_tunnel_spec_v4_test(struct kunit *test)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET);
	struct l2tpi_pol_spec out, in;
	struct l2tpi_config cfg;

	l2tpi_config_default(&cfg);
	cfg.reqid = 5;
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(INADDR_LOOPBACK), 61701, false), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(0x7f000002), 61702, true), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_sk_spec(sock->sk, XFRM_POLICY_OUT, &cfg, &out), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_sk_spec(sock->sk, XFRM_POLICY_IN, &cfg, &in), 0);
	KUNIT_EXPECT_EQ(test, out.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(out.saddr.a4), INADDR_LOOPBACK);
	KUNIT_EXPECT_EQ(test, ntohl(out.daddr.a4), 0x7f000002);
	l2tpi_test_expect_ends(test, &out, 32, 32, 61701, 61702);
	KUNIT_EXPECT_EQ(test, ntohl(in.saddr.a4), 0x7f000002);
	KUNIT_EXPECT_EQ(test, ntohl(in.daddr.a4), INADDR_LOOPBACK);
	KUNIT_EXPECT_EQ(test, ntohs(in.sport), 61702);
	KUNIT_EXPECT_EQ(test, ntohs(in.dport), 61701);
	KUNIT_EXPECT_EQ(test, in.dir, XFRM_POLICY_IN);
	KUNIT_EXPECT_EQ(test, out.reqid, 5);
	KUNIT_EXPECT_EQ(test, out.priority, L2TP_IPSEC_PRIORITY_REQID - 1);
	KUNIT_EXPECT_FALSE(test, out.optional);
}

static void l2tpi_tunnel_spec_v6_test(struct kunit *test)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET6);
	struct l2tpi_pol_spec out;
	struct l2tpi_config cfg;

	l2tpi_config_default(&cfg);
	cfg.level = L2TP_IPSEC_LEVEL_USE;
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind6(sock, &in6addr_loopback, 61703, false), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind6(sock, &in6addr_loopback, 61704, true), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_sk_spec(sock->sk, XFRM_POLICY_OUT, &cfg, &out), 0);
	KUNIT_EXPECT_EQ(test, out.family, AF_INET6);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_loopback(&out.saddr.in6));
	KUNIT_EXPECT_TRUE(test, ipv6_addr_loopback(&out.daddr.in6));
	l2tpi_test_expect_ends(test, &out, 128, 128, 61703, 61704);
	KUNIT_EXPECT_TRUE(test, out.optional);
}

/* An IPv6 socket talking to an IPv4 peer (v4-mapped) carries IPv4 traffic. */
static void l2tpi_tunnel_spec_v4mapped_test(struct kunit *test)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET6);
	struct in6_addr mapped;
	struct l2tpi_pol_spec out;
	struct l2tpi_config cfg;

	l2tpi_config_default(&cfg);
	ipv6_addr_set_v4mapped(htonl(INADDR_LOOPBACK), &mapped);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind6(sock, &in6addr_any, 61705, false), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind6(sock, &mapped, 61706, true), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_sk_spec(sock->sk, XFRM_POLICY_OUT, &cfg, &out), 0);
	KUNIT_EXPECT_EQ(test, out.family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohl(out.daddr.a4), INADDR_LOOPBACK);
	KUNIT_EXPECT_EQ(test, out.prefixlen_d, 32);
	KUNIT_EXPECT_EQ(test, ntohs(out.dport), 61706);
}

/* Not connected: the local end only, any peer. Priority 1: the tunnel's is 0. */
static void l2tpi_tunnel_spec_unconnected_test(struct kunit *test)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET);
	struct l2tpi_pol_spec out;
	struct l2tpi_config cfg;

	l2tpi_config_default(&cfg);
	cfg.priority = 1;
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(INADDR_LOOPBACK), 61707, false), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_sk_spec(sock->sk, XFRM_POLICY_OUT, &cfg, &out), 0);
	l2tpi_test_expect_ends(test, &out, 32, 0, 61707, 0);
	KUNIT_EXPECT_EQ(test, out.priority, 0);
}

/*
 * The life of an entry: bound; the tunnel's delete leaves it lingering; the socket
 * bound to a new tunnel ends that lingering; the new tunnel freed without a delete
 * seen leaves it waiting for its socket's close, which ends it. Nothing polls:
 * each step is one call.
 */
static void l2tpi_tunnel_linger_test(struct kunit *test)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET);
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	void *a = kunit_kzalloc(test, 1, GFP_KERNEL), *b = kunit_kzalloc(test, 1, GFP_KERNEL);
	unsigned int bound = l2tpi_tunnel_count(&init_net);
	int tunnels = atomic_read(&ln->nr_tunnels);
	int lingering = atomic_read(&ln->nr_lingering);
	struct l2tpi_tunnel_id id = { .id = 7, .known = true };
	struct sock *sk = sock->sk;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(INADDR_LOOPBACK), 61731, false), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(0x7f000002), 61732, true), 0);

	lock_sock(sk);
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_attach(&init_net, sk, a, &id, GFP_KERNEL), 0);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_count(&init_net), bound + 1);

	l2tpi_tunnel_unbind_key(a);			/* l2tp_tunnel_delete() */
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_count(&init_net), bound);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_lingering), lingering + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_tunnels), tunnels + 1);

	lock_sock(sk);					/* the socket serves tunnel b */
	KUNIT_ASSERT_EQ(test, l2tpi_tunnel_attach(&init_net, sk, b, &id, GFP_KERNEL), 0);
	release_sock(sk);
	l2tpi_tunnel_flush();
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_count(&init_net), bound + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_lingering), lingering);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_tunnels), tunnels + 1);

	l2tpi_tunnel_freed(a);				/* a's entry is gone: nothing */
	l2tpi_tunnel_freed(b);				/* b freed, its delete unseen */
	l2tpi_tunnel_flush();
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_count(&init_net), bound);
	/* Its socket is open: it waits for the close. */
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_lingering), lingering + 1);
	KUNIT_EXPECT_TRUE(test, l2tpi_tunnel_waiting());
	l2tpi_tunnel_closing(sk);
	l2tpi_tunnel_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_lingering), lingering);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_tunnels), tunnels);
}

static struct kunit_case l2tpi_tunnel_cases[] = {
	KUNIT_CASE(l2tpi_tunnel_linger_test),
	KUNIT_CASE(l2tpi_tunnel_spec_v4_test),
	KUNIT_CASE(l2tpi_tunnel_spec_v6_test),
	KUNIT_CASE(l2tpi_tunnel_spec_v4mapped_test),
	KUNIT_CASE(l2tpi_tunnel_spec_unconnected_test),
	{}
};

static struct kunit_suite l2tpi_tunnel_suite = {
	.name = "l2tp_ipsec_tunnel",
	.test_cases = l2tpi_tunnel_cases,
};

kunit_test_suite(l2tpi_tunnel_suite);
