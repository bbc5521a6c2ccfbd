// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a tunnel's binding to the SA its frames arrive in (kmod/nat.c): how a frame's
 * SA moves it or is refused, the L2TPv2 header read, a UDP packet's flow, and the
 * record table's ownership in the initial netns. Test tunnels use ids 60xxx, which
 * no real tunnel of the throwaway guest has.
 */
#include <kunit/test.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ip.h>

#include "nat.h"
#include "netns.h"
#include "policy.h"
#include "util.h"

#define SPI_A	0xc0000001
#define SPI_B	0xc0000002

static void l2tpi_nat_next_test(struct kunit *test)
{
	u64 a = l2tpi_nat_next(0, SPI_A, 4500);

	/* The first frame binds: SPI and port, marked bound. */
	KUNIT_EXPECT_EQ(test, a, L2TPI_NAT_BOUND | (u64)4500 << 32 | SPI_A);
	KUNIT_EXPECT_EQ(test, l2tpi_nat_next(a, SPI_A, 4500), a);
	/* A rekey: the client's new SA, at the same NAT-T port. */
	KUNIT_EXPECT_EQ(test, l2tpi_nat_next(a, SPI_B, 4500),
			L2TPI_NAT_BOUND | (u64)4500 << 32 | SPI_B);
	/* The NAT moved the client's mapping; its SA followed. */
	KUNIT_EXPECT_EQ(test, l2tpi_nat_next(a, SPI_A, 31012),
			L2TPI_NAT_BOUND | (u64)31012 << 32 | SPI_A);
	/* Another client's SA: another SPI, another port. */
	KUNIT_EXPECT_EQ(test, l2tpi_nat_next(a, SPI_B, 31012), 0);
	/* Plain ESP (no NAT): port 0, and a rekey still moves. */
	a = l2tpi_nat_next(0, SPI_A, 0);
	KUNIT_EXPECT_EQ(test, a, L2TPI_NAT_BOUND | SPI_A);
	KUNIT_EXPECT_EQ(test, l2tpi_nat_next(a, SPI_B, 0), L2TPI_NAT_BOUND | SPI_B);
	KUNIT_EXPECT_EQ(test, l2tpi_nat_next(a, SPI_B, 4500), 0);
}

/* An IPv4 UDP packet 192.0.2.20:1701 -> 192.0.2.1:1701 with @len bytes of @payload. */
static struct sk_buff *l2tpi_test_udp_skb(struct kunit *test, const void *payload,
					  unsigned int len)
{
	struct sk_buff *skb = alloc_skb(LL_MAX_HEADER + 64 + len, GFP_KERNEL);
	struct udphdr *uh;
	struct iphdr *iph;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = htonl(0xc0000214);
	iph->daddr = htonl(0xc0000201);
	iph->tot_len = htons(sizeof(*iph) + sizeof(*uh) + len);
	uh = skb_put_zero(skb, sizeof(*uh));
	uh->source = htons(1701);
	uh->dest = htons(1701);
	skb_put_data(skb, payload, len);
	return skb;
}

static int l2tpi_test_tunnel_id(struct kunit *test, const void *payload, unsigned int len)
{
	struct sk_buff *skb = l2tpi_test_udp_skb(test, payload, len);
	struct l2tpi_pol_spec flow;
	int off = -1, id = -2;

	if (l2tpi_policy_skb_flow(skb, AF_INET, XFRM_POLICY_IN, &flow, &off)) {
		KUNIT_EXPECT_EQ(test, off, (int)sizeof(struct iphdr));
		KUNIT_EXPECT_EQ(test, ntohs(flow.sport), 1701);
		KUNIT_EXPECT_EQ(test, ntohl(flow.saddr.a4), 0xc0000214);
		KUNIT_EXPECT_EQ(test, flow.dir, XFRM_POLICY_IN);
		id = l2tpi_nat_l2tp_tunnel_id(skb, off + sizeof(struct udphdr));
	}
	kfree_skb(skb);
	return id;
}

static void l2tpi_nat_l2tp_header_test(struct kunit *test)
{
	/* Control (T, L, S), length 12, tunnel 0x1234, session 0, Ns, Nr. */
	static const u8 control[] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34, 0, 0, 0, 1, 0, 1 };
	/* Data without L (as l2tp_core sends), tunnel 0x2345, session 7. */
	static const u8 data[] = { 0x00, 0x02, 0x23, 0x45, 0x00, 0x07, 0xff, 0x03 };
	/* Data with L, length 10, tunnel 0x3456. */
	static const u8 data_l[] = { 0x40, 0x02, 0x00, 0x0a, 0x34, 0x56, 0, 7, 0xff, 0x03 };
	/* An SCCRQ: tunnel 0 (not yet assigned). */
	static const u8 sccrq[] = { 0xc8, 0x02, 0x00, 0x0c, 0x00, 0x00, 0, 0, 0, 0, 0, 0 };
	/* L2TPv3 over UDP (version 3), and a frame too short for its tunnel id. */
	static const u8 v3[] = { 0xc8, 0x03, 0x00, 0x0c, 0x12, 0x34, 0, 0, 0, 1, 0, 1 };
	static const u8 cut[] = { 0xc8, 0x02, 0x00 };

	KUNIT_EXPECT_EQ(test, l2tpi_test_tunnel_id(test, control, sizeof(control)), 0x1234);
	KUNIT_EXPECT_EQ(test, l2tpi_test_tunnel_id(test, data, sizeof(data)), 0x2345);
	KUNIT_EXPECT_EQ(test, l2tpi_test_tunnel_id(test, data_l, sizeof(data_l)), 0x3456);
	KUNIT_EXPECT_EQ(test, l2tpi_test_tunnel_id(test, sccrq, sizeof(sccrq)), -1);
	KUNIT_EXPECT_EQ(test, l2tpi_test_tunnel_id(test, v3, sizeof(v3)), -1);
	KUNIT_EXPECT_EQ(test, l2tpi_test_tunnel_id(test, cut, sizeof(cut)), -1);
}

static bool l2tpi_test_tracked(u32 id)
{
	return xa_load(&l2tpi_net(&init_net)->nat_xa, id);
}

/* The outbound spec of a server tunnel 192.0.2.1:1701 -> 192.0.2.20:1701. */
static struct l2tpi_pol_spec l2tpi_test_out(void)
{
	struct l2tpi_pol_spec out = {
		.family = AF_INET, .dir = XFRM_POLICY_OUT,
		.sport = htons(1701), .dport = htons(1701),
	};

	out.saddr.a4 = htonl(0xc0000201);
	out.daddr.a4 = htonl(0xc0000214);
	return out;
}

/* Tunnel 60001 (peer's id 7) of @owner, with @out's 5-tuple. */
static int l2tpi_test_track(const struct l2tpi_pol_spec *out, const void *owner)
{
	return l2tpi_nat_track(&init_net, 60001, 7, NULL, out, owner, GFP_KERNEL);
}

/* A record belongs to its tunnel entry: a newer tunnel with the same id takes it over. */
static void l2tpi_nat_track_owner_test(struct kunit *test)
{
	struct l2tpi_pol_spec out = l2tpi_test_out();
	struct l2tpi_nat_binding b;
	int owner_a, owner_b;

	KUNIT_ASSERT_EQ(test, l2tpi_test_track(&out, &owner_a), 0);
	l2tpi_nat_binding(&init_net, 60001, &owner_a, &b);
	KUNIT_EXPECT_FALSE(test, b.bound);		/* no frame yet */
	KUNIT_EXPECT_EQ(test, b.foreign, 0);
	/* Another entry's untrack leaves it alone. */
	l2tpi_nat_untrack(&init_net, 60001, &owner_b);
	KUNIT_EXPECT_TRUE(test, l2tpi_test_tracked(60001));
	KUNIT_ASSERT_EQ(test, l2tpi_test_track(&out, &owner_b), 0);
	/* Taken over: the old entry's untrack leaves the new record. */
	l2tpi_nat_untrack(&init_net, 60001, &owner_a);
	KUNIT_EXPECT_TRUE(test, l2tpi_test_tracked(60001));
	l2tpi_nat_binding(&init_net, 60001, &owner_a, &b);
	KUNIT_EXPECT_FALSE(test, b.bound);
	l2tpi_nat_untrack(&init_net, 60001, &owner_b);
	KUNIT_EXPECT_FALSE(test, l2tpi_test_tracked(60001));
	/* Gone: a new tunnel with that id starts from nothing. */
	KUNIT_ASSERT_EQ(test, l2tpi_test_track(&out, &owner_a), 0);
	KUNIT_EXPECT_TRUE(test, l2tpi_test_tracked(60001));
	l2tpi_nat_untrack(&init_net, 60001, &owner_a);
	KUNIT_EXPECT_FALSE(test, l2tpi_test_tracked(60001));
}

/*
 * Two clients behind one NAT that chose the same tunnel id (7): their tunnels at the
 * server share the peer address, the peer's id and the 5-tuple. An outbound frame goes
 * by its socket; a frame of neither socket (the daemon's own) has no tunnel.
 */
static void l2tpi_nat_same_peer_id_test(struct kunit *test)
{
	struct socket *sk2 = l2tpi_test_udp(test, AF_INET), *sk3 = l2tpi_test_udp(test, AF_INET);
	struct xarray *xa = &l2tpi_net(&init_net)->nat_xa;
	struct l2tpi_pol_spec out = l2tpi_test_out(), flow = out;
	int owner2, owner3;

	KUNIT_ASSERT_EQ(test, l2tpi_nat_track(&init_net, 60002, 7, sk2->sk, &out, &owner2,
					      GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_nat_track(&init_net, 60003, 7, sk3->sk, &out, &owner3,
					      GFP_KERNEL), 0);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_nat_find_out(&init_net, sk2->sk, &flow, 7),
			    (struct l2tpi_nat *)xa_load(xa, 60002));
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_nat_find_out(&init_net, sk3->sk, &flow, 7),
			    (struct l2tpi_nat *)xa_load(xa, 60003));
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_nat_find_out(&init_net, NULL, &flow, 7),
			    ERR_PTR(-ENOTUNIQ));
	KUNIT_EXPECT_NULL(test, l2tpi_nat_find_out(&init_net, NULL, &flow, 8));
	flow.sport = htons(1702);
	KUNIT_EXPECT_NULL(test, l2tpi_nat_find_out(&init_net, sk2->sk, &flow, 7));
	flow.sport = out.sport;
	rcu_read_unlock();
	/* One left: the daemon's frames for id 7 are that tunnel's. */
	l2tpi_nat_untrack(&init_net, 60003, &owner3);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, l2tpi_nat_find_out(&init_net, NULL, &flow, 7),
			    (struct l2tpi_nat *)xa_load(xa, 60002));
	rcu_read_unlock();
	l2tpi_nat_untrack(&init_net, 60002, &owner2);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, l2tpi_nat_find_out(&init_net, NULL, &flow, 7));
	rcu_read_unlock();
}

static struct kunit_case l2tpi_nat_cases[] = {
	KUNIT_CASE(l2tpi_nat_next_test),
	KUNIT_CASE(l2tpi_nat_l2tp_header_test),
	KUNIT_CASE(l2tpi_nat_track_owner_test),
	KUNIT_CASE(l2tpi_nat_same_peer_id_test),
	{}
};

static struct kunit_suite l2tpi_nat_suite = {
	.name = "l2tp_ipsec_nat",
	.test_cases = l2tpi_nat_cases,
};

kunit_test_suite(l2tpi_nat_suite);
