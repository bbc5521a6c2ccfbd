/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the l2tp_ipsec KUnit suites. */
#ifndef _L2TPI_TEST_UTIL_H
#define _L2TPI_TEST_UTIL_H

#include <net/xfrm.h>

struct xfrm_policy *l2tpi_test_spd_find(struct xfrm_policy *pol);

#endif /* _L2TPI_TEST_UTIL_H */
