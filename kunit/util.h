/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the l2tp_ipsec KUnit suites. */
#ifndef _L2TPI_TEST_UTIL_H
#define _L2TPI_TEST_UTIL_H

#include <kunit/test.h>
#include <linux/net.h>
#include <net/xfrm.h>

struct l2tpi_pol_spec;

struct xfrm_policy *l2tpi_test_spd_find(struct xfrm_policy *pol);
struct xfrm_policy *l2tpi_test_policy_add(struct net *net, const struct l2tpi_pol_spec *spec);
struct socket *l2tpi_test_udp(struct kunit *test, int family);
int l2tpi_test_bind4(struct socket *sock, __be32 addr, u16 port, bool connect);

#endif /* _L2TPI_TEST_UTIL_H */
