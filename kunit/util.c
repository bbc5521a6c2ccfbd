// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the l2tp_ipsec KUnit suites. */
#include <net/xfrm.h>

#include "util.h"

/*
 * The policy that now sits at @pol's index in the SPD of init_net (NULL if none).
 * Only for pointer comparison: the lookup's reference is dropped before returning.
 */
struct xfrm_policy *l2tpi_test_spd_find(struct xfrm_policy *pol)
{
	struct xfrm_mark mark = {};
	struct xfrm_policy *found;
	int err;

	found = xfrm_policy_byid(&init_net, &mark, 0, XFRM_POLICY_TYPE_MAIN,
				 xfrm_policy_id2dir(pol->index), pol->index, 0, &err);
	if (found)
		xfrm_pol_put(found);
	return found;
}
