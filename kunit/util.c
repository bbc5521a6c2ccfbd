// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the l2tp_ipsec KUnit suites. */
#include <linux/in.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/xfrm.h>

#include "policy.h"
#include "util.h"

/*
 * The policy that now sits at @pol's index in the SPD of init_net (NULL if none).
 * Only for pointer comparison: the lookup's reference is dropped before returning.
 */
struct xfrm_policy *l2tpi_test_spd_find(struct xfrm_policy *pol)
{
	struct xfrm_mark mark = pol->mark;
	struct xfrm_policy *found;
	int err;

	found = xfrm_policy_byid(&init_net, &mark, 0, XFRM_POLICY_TYPE_MAIN,
				 xfrm_policy_id2dir(pol->index), pol->index, 0, &err);
	if (found)
		xfrm_pol_put(found);
	return found;
}

/*
 * Someone else's policy: built from @spec and inserted into the SPD of @net as
 * xfrm_user would (never replacing). Return: it, with the caller's reference (drop
 * it with l2tpi_policy_del()), or an ERR_PTR: -EEXIST when an equal policy is there.
 */
struct xfrm_policy *l2tpi_test_policy_add(struct net *net, const struct l2tpi_pol_spec *spec)
{
	struct xfrm_policy *pol = l2tpi_policy_build(net, spec, GFP_KERNEL);
	int err;

	if (!pol)
		return ERR_PTR(-ENOMEM);
	err = l2tpi_policy_insert(pol, spec->dir, false);
	if (err) {
		l2tpi_policy_discard(pol);
		return ERR_PTR(err);
	}
	return pol;
}

KUNIT_DEFINE_ACTION_WRAPPER(l2tpi_test_sock_release, sock_release, struct socket *);

/*
 * A kernel UDP socket of init_net, released when the test ends: also when an
 * assertion ends it early, so that a failed case leaks nothing for kmemleak to report.
 */
struct socket *l2tpi_test_udp(struct kunit *test, int family)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test,
			sock_create_kern(&init_net, family, SOCK_DGRAM, IPPROTO_UDP, &sock), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, l2tpi_test_sock_release, sock), 0);
	return sock;
}

/* Bind (or connect) @sock to an IPv4 address and port. */
int l2tpi_test_bind4(struct socket *sock, __be32 addr, u16 port, bool connect)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = addr,
				   .sin_port = htons(port) };

	if (connect)
		return kernel_connect(sock, (struct sockaddr *)&sin, sizeof(sin), 0);
	return kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
}
