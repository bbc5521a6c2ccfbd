/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy builder: turns a selector + template description into an xfrm policy and
 * puts it into, or takes it out of, the SPD. The only code of l2tp_ipsec that calls the
 * xfrm_policy_* API.
 */
#ifndef _L2TPI_POLICY_H
#define _L2TPI_POLICY_H

#include <linux/types.h>
#include <net/xfrm.h>

/**
 * struct l2tpi_pol_spec - what one owned policy looks like
 * @family: AF_INET or AF_INET6 (selector and template)
 * @dir: XFRM_POLICY_IN or XFRM_POLICY_OUT
 * @saddr: selector source address, masked to @prefixlen_s
 * @daddr: selector destination address, masked to @prefixlen_d
 * @prefixlen_s: selector source prefix length (0: any)
 * @prefixlen_d: selector destination prefix length (0: any)
 * @sport: selector UDP source port, 0: any
 * @dport: selector UDP destination port, 0: any
 * @spi: template SPI (0: any SA)
 * @reqid: template reqid
 * @priority: SPD priority (lower wins)
 * @optional: template level "use" instead of "required"
 * @mark: the policy only matches packets with exactly this mark (0: any mark)
 * @block: action block, no template (reqid and @optional unused)
 */
struct l2tpi_pol_spec {
	unsigned short family;
	u8 dir;
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	u8 prefixlen_s;
	u8 prefixlen_d;
	__be16 sport;
	__be16 dport;
	__be32 spi;
	u32 reqid;
	u32 priority;
	bool optional;
	u32 mark;
	bool block;
};

struct xfrm_policy *l2tpi_policy_build(struct net *net, const struct l2tpi_pol_spec *spec,
				       gfp_t gfp);
void l2tpi_policy_discard(struct xfrm_policy *pol);
int l2tpi_policy_insert(struct xfrm_policy *pol, int dir, bool replace);
void l2tpi_policy_del(struct xfrm_policy *pol);
bool l2tpi_policy_alive(const struct xfrm_policy *pol);
bool l2tpi_policy_spec_of(const struct xfrm_policy *xp, int dir, struct l2tpi_pol_spec *spec);
bool l2tpi_policy_exists(struct net *net, const struct l2tpi_pol_spec *spec);
bool l2tpi_policy_notifying_self(void);
bool l2tpi_policy_skb_flow(const struct sk_buff *skb, unsigned short family, int dir,
			   struct l2tpi_pol_spec *flow, int *udp_off);

#endif /* _L2TPI_POLICY_H */
