/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/l2tp_ipsec.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_L2TP_IPSEC_GEN_H
#define _LINUX_L2TP_IPSEC_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/l2tp_ipsec.h>

/* Common nested types */
extern const struct nla_policy l2tp_ipsec_client_nl_policy[L2TP_IPSEC_A_CLIENT_SA + 1];
extern const struct nla_policy l2tp_ipsec_config_nl_policy[L2TP_IPSEC_A_CONFIG_GUARD + 1];
extern const struct nla_policy l2tp_ipsec_sa_nl_policy[L2TP_IPSEC_A_SA_ENCAP_DPORT + 1];

/* Global operation policy for l2tp_ipsec */
extern const struct nla_policy l2tp_ipsec_nl_policy[L2TP_IPSEC_A_CLIENT + 1];

/* Ops table for l2tp_ipsec */
extern const struct genl_small_ops l2tp_ipsec_nl_ops[8];

int l2tp_ipsec_nl_config_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int l2tp_ipsec_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);
int l2tp_ipsec_nl_client_add_doit(struct sk_buff *skb, struct genl_info *info);
int l2tp_ipsec_nl_client_del_doit(struct sk_buff *skb, struct genl_info *info);
int l2tp_ipsec_nl_client_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int l2tp_ipsec_nl_tunnel_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int l2tp_ipsec_nl_policy_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int l2tp_ipsec_nl_client_negotiate_doit(struct sk_buff *skb,
					struct genl_info *info);

enum {
	L2TP_IPSEC_NLGRP_EVENTS,
};

#endif /* _LINUX_L2TP_IPSEC_GEN_H */
