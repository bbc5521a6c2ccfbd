// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: who gets per-tunnel policies (kmod/trust.c): the capability check with and
 * without CAP_NET_ADMIN in the task's credentials, the exact 5-tuple test on real UDP
 * sockets of init_net (unbound, bound, connected), and the refusal counters.
 */
#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/net.h>
#include <net/sock.h>

#include "config.h"
#include "netns.h"
#include "trust.h"
#include "tunnel.h"
#include "util.h"

static void l2tpi_trust_current_test(struct kunit *test)
{
	const struct cred *old;
	struct cred *cred;

	KUNIT_EXPECT_TRUE(test, l2tpi_trust_current(&init_net));	/* the KUnit thread */
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	old = override_creds(cred);
	KUNIT_EXPECT_FALSE(test, l2tpi_trust_current(&init_net));
	revert_creds(old);
	put_cred(cred);
	KUNIT_EXPECT_TRUE(test, l2tpi_trust_current(&init_net));
}

/* The outbound spec of @sock, and whether trust.c calls it exact. */
static bool l2tpi_test_exact(struct kunit *test, struct socket *sock)
{
	struct l2tpi_pol_spec out;
	struct l2tpi_config cfg;

	l2tpi_config_default(&cfg);
	KUNIT_EXPECT_EQ(test, l2tpi_tunnel_sk_spec(sock->sk, XFRM_POLICY_OUT, &cfg, &out), 0);
	return l2tpi_trust_exact(&out);
}

static void l2tpi_trust_exact_test(struct kunit *test)
{
	struct socket *sock = l2tpi_test_udp(test, AF_INET);

	KUNIT_EXPECT_FALSE(test, l2tpi_test_exact(test, sock));		/* unbound */
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(INADDR_LOOPBACK), 61801, false), 0);
	KUNIT_EXPECT_FALSE(test, l2tpi_test_exact(test, sock));		/* no peer */
	KUNIT_ASSERT_EQ(test, l2tpi_test_bind4(sock, htonl(0x7f000002), 61802, true), 0);
	KUNIT_EXPECT_TRUE(test, l2tpi_test_exact(test, sock));
}

static void l2tpi_trust_refuse_test(struct kunit *test)
{
	struct l2tpi_tunnel_info info = { .family = AF_INET, .lport = htons(1701),
					  .pport = htons(1702) };
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	int why, before[L2TP_IPSEC_REFUSAL_LIMIT + 1];

	for (why = 0; why <= L2TP_IPSEC_REFUSAL_LIMIT; why++)
		before[why] = atomic_read(&ln->refused[why]);
	l2tpi_trust_refuse(&init_net, &info, L2TP_IPSEC_REFUSAL_UNPRIVILEGED);
	l2tpi_trust_refuse(&init_net, &info, L2TP_IPSEC_REFUSAL_UNPRIVILEGED);
	l2tpi_trust_refuse(&init_net, &info, L2TP_IPSEC_REFUSAL_LIMIT);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->refused[L2TP_IPSEC_REFUSAL_UNPRIVILEGED]),
			before[L2TP_IPSEC_REFUSAL_UNPRIVILEGED] + 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->refused[L2TP_IPSEC_REFUSAL_INEXACT]),
			before[L2TP_IPSEC_REFUSAL_INEXACT]);
	KUNIT_EXPECT_EQ(test, atomic_read(&ln->refused[L2TP_IPSEC_REFUSAL_LIMIT]),
			before[L2TP_IPSEC_REFUSAL_LIMIT] + 1);
}

static struct kunit_case l2tpi_trust_cases[] = {
	KUNIT_CASE(l2tpi_trust_current_test),
	KUNIT_CASE(l2tpi_trust_exact_test),
	KUNIT_CASE(l2tpi_trust_refuse_test),
	{}
};

static struct kunit_suite l2tpi_trust_suite = {
	.name = "l2tp_ipsec_trust",
	.test_cases = l2tpi_trust_cases,
};

kunit_test_suite(l2tpi_trust_suite);
