// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the fail-closed path (kmod/quarantine.c) on real UDP sockets of init_net:
 * the block policies are in the SPD while the namespace needs them (footprint.c), a
 * quarantined socket carries the block mark until the retry (a work item,
 * GFP_KERNEL) installs its policies and gives its own mark back, and a socket whose
 * tunnel goes while it waits is given back unbound.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <net/sock.h>

#include "footprint.h"
#include "netns.h"
#include "owned.h"
#include "quarantine.h"
#include "tunnel.h"
#include "util.h"

/* Wait up to 5 s for the retry table to empty. */
static bool l2tpi_test_q_settled(void)
{
	int i;

	for (i = 0; i < 250 && l2tpi_quarantine_count(); i++)
		msleep(20);
	return !l2tpi_quarantine_count();
}

/* Held, a namespace has the guard and the block policies; unneeded, it loses them. */
static void l2tpi_quarantine_block_policies_test(struct kunit *test)
{
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	int i;

	KUNIT_ASSERT_EQ(test, l2tpi_footprint_hold(&init_net), 0);
	KUNIT_EXPECT_TRUE(test, l2tpi_footprint_on(&init_net));
	for (i = 0; i < L2TPI_BLOCK_POLICIES; i++) {
		KUNIT_ASSERT_NOT_NULL(test, ln->block[i]);
		KUNIT_EXPECT_EQ(test, l2tpi_owned_state(&init_net, ln->block[i]), 0);
		KUNIT_EXPECT_TRUE(test, ln->block[i]->spec.block);
		KUNIT_EXPECT_EQ(test, ln->block[i]->spec.mark, L2TP_IPSEC_BLOCK_MARK);
		KUNIT_EXPECT_EQ(test, ln->block[i]->spec.dir, XFRM_POLICY_OUT);
		KUNIT_EXPECT_EQ(test, ln->block[i]->spec.priority, 0);
		KUNIT_ASSERT_NOT_NULL(test, ln->block[i]->pol);
		KUNIT_EXPECT_EQ(test, ln->block[i]->pol->action, XFRM_POLICY_BLOCK);
		KUNIT_EXPECT_EQ(test, ln->block[i]->pol->mark.m, 0xffffffffU);
		KUNIT_EXPECT_PTR_EQ(test, l2tpi_test_spd_find(ln->block[i]->pol),
				    ln->block[i]->pol);
	}
	l2tpi_footprint_release(&init_net);
	if (READ_ONCE(ln->nr_needed) || l2tpi_quarantine_count())
		return;		/* something else of init_net needs them */
	for (i = 0; i < 150 && l2tpi_footprint_on(&init_net); i++)
		msleep(20);
	KUNIT_EXPECT_FALSE(test, l2tpi_footprint_on(&init_net));
	KUNIT_EXPECT_NULL(test, ln->block[0]);
}

/* A quarantined socket, then: @forget its tunnel before the retry can bind it. */
static void l2tpi_quarantine_run(struct kunit *test, u16 port, bool forget)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET);
	unsigned int base = l2tpi_tunnel_count(&init_net);
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	void *key = kunit_kzalloc(test, 1, GFP_KERNEL);	/* a struct l2tp_tunnel's place */
	struct sock *sk = sock->sk;
	int lingering;

	KUNIT_ASSERT_NOT_NULL(test, key);

	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(INADDR_LOOPBACK), port, false), 0);
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(0x7f000002), port + 1, true), 0);
	WRITE_ONCE(sk->sk_mark, 7);

	/* As the hook does it: socket locked (the retry waits for it), nothing allocated. */
	lock_sock(sk);
	l2tpi_quarantine(&init_net, sk, key, &(struct l2tpi_tunnel_id){}, -ENOMEM);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_mark), L2TP_IPSEC_BLOCK_MARK);
	KUNIT_EXPECT_EQ(test, l2tpi_quarantine_count(), 1);
	if (forget)
		l2tpi_quarantine_forget_sk(sk);
	release_sock(sk);

	KUNIT_EXPECT_TRUE(test, l2tpi_test_q_settled());
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_mark), 7);
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_count(&init_net), base + (forget ? 0 : 1));
	/* The socket's destroy: unbound, the entry lingers until its tunnel is freed. */
	lingering = atomic_read(&ln->nr_lingering);
	l2tpi_tunnel_unbind_sk(sk);
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_count(&init_net), base);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_lingering), lingering + (forget ? 0 : 1));
	l2tpi_tunnel_freed(key);
	l2tpi_tunnel_closing(sk);	/* the close, which waits for the free */
	l2tpi_tunnel_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->nr_lingering), lingering);
}

static void l2tpi_quarantine_repair_test(struct kunit *test)
{
	l2tpi_quarantine_run(test, 61721, false);
}

static void l2tpi_quarantine_gone_test(struct kunit *test)
{
	l2tpi_quarantine_run(test, 61723, true);
}

static struct kunit_case l2tpi_quarantine_cases[] = {
	KUNIT_CASE(l2tpi_quarantine_block_policies_test),
	KUNIT_CASE(l2tpi_quarantine_repair_test),
	KUNIT_CASE(l2tpi_quarantine_gone_test),
	{}
};

static struct kunit_suite l2tpi_quarantine_suite = {
	.name = "l2tp_ipsec_quarantine",
	.test_cases = l2tpi_quarantine_cases,
};

kunit_test_suite(l2tpi_quarantine_suite);
