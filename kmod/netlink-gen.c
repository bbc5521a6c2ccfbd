// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	netlink/l2tp_ipsec.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/l2tp_ipsec.h>

/* Common nested types */
const struct nla_policy l2tp_ipsec_client_nl_policy[L2TP_IPSEC_A_CLIENT_SA + 1] = {
	[L2TP_IPSEC_A_CLIENT_SERVER_IPV4] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_CLIENT_SERVER_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[L2TP_IPSEC_A_CLIENT_SPORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[L2TP_IPSEC_A_CLIENT_LIFETIME] = NLA_POLICY_MAX(NLA_U32, 1),
	[L2TP_IPSEC_A_CLIENT_TUNNELS] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_CLIENT_POLICY_INDEX] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_CLIENT_SA] = NLA_POLICY_NESTED(l2tp_ipsec_sa_nl_policy),
};

const struct nla_policy l2tp_ipsec_config_nl_policy[L2TP_IPSEC_A_CONFIG_GUARD + 1] = {
	[L2TP_IPSEC_A_CONFIG_SERVER] = NLA_POLICY_MAX(NLA_U8, 1),
	[L2TP_IPSEC_A_CONFIG_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[L2TP_IPSEC_A_CONFIG_REQID] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_CONFIG_PRIORITY] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_CONFIG_LEVEL] = NLA_POLICY_MAX(NLA_U32, 1),
	[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH] = NLA_POLICY_MAX(NLA_U8, 1),
	[L2TP_IPSEC_A_CONFIG_RESTORE] = NLA_POLICY_MAX(NLA_U8, 1),
	[L2TP_IPSEC_A_CONFIG_MAX_TUNNELS] = NLA_POLICY_MIN(NLA_U32, 1),
	[L2TP_IPSEC_A_CONFIG_ARMED] = { .type = NLA_U8, },
	[L2TP_IPSEC_A_CONFIG_UNARMED_REASON] = { .type = NLA_NUL_STRING, },
	[L2TP_IPSEC_A_CONFIG_GUARD] = { .type = NLA_U8, },
};

const struct nla_policy l2tp_ipsec_sa_nl_policy[L2TP_IPSEC_A_SA_ENCAP_DPORT + 1] = {
	[L2TP_IPSEC_A_SA_DIR] = NLA_POLICY_MAX(NLA_U32, 1),
	[L2TP_IPSEC_A_SA_STATE] = NLA_POLICY_MAX(NLA_U32, 2),
	[L2TP_IPSEC_A_SA_SPI] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_SA_REQID] = { .type = NLA_U32, },
	[L2TP_IPSEC_A_SA_BYTES] = { .type = NLA_U64, },
	[L2TP_IPSEC_A_SA_PACKETS] = { .type = NLA_U64, },
	[L2TP_IPSEC_A_SA_ENCAP_SPORT] = { .type = NLA_U16, },
	[L2TP_IPSEC_A_SA_ENCAP_DPORT] = { .type = NLA_U16, },
};

/* Global operation policy for l2tp_ipsec */
const struct nla_policy l2tp_ipsec_nl_policy[L2TP_IPSEC_A_CLIENT + 1] = {
	[L2TP_IPSEC_A_CONFIG] = NLA_POLICY_NESTED(l2tp_ipsec_config_nl_policy),
	[L2TP_IPSEC_A_CLIENT] = NLA_POLICY_NESTED(l2tp_ipsec_client_nl_policy),
};

/* Ops table for l2tp_ipsec */
const struct genl_small_ops l2tp_ipsec_nl_ops[8] = {
	{
		.cmd	= L2TP_IPSEC_CMD_CONFIG_GET,
		.dumpit	= l2tp_ipsec_nl_config_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_CONFIG_SET,
		.doit	= l2tp_ipsec_nl_config_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_CLIENT_ADD,
		.doit	= l2tp_ipsec_nl_client_add_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_CLIENT_DEL,
		.doit	= l2tp_ipsec_nl_client_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_CLIENT_GET,
		.dumpit	= l2tp_ipsec_nl_client_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_TUNNEL_GET,
		.dumpit	= l2tp_ipsec_nl_tunnel_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_POLICY_GET,
		.dumpit	= l2tp_ipsec_nl_policy_get_dumpit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= L2TP_IPSEC_CMD_CLIENT_NEGOTIATE,
		.doit	= l2tp_ipsec_nl_client_negotiate_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group l2tp_ipsec_nl_mcgrps[] = {
	[L2TP_IPSEC_NLGRP_EVENTS] = { "events", },
};
