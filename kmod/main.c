// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp_ipsec: IPsec protection for L2TP that appears by itself (the Linux counterpart
 * of the policy Windows RRAS creates, Microsoft KB 248750).
 *
 * Module init and exit, and the module parameters.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>

#include "config.h"
#include "hook.h"
#include "km.h"
#include "netlink.h"
#include "netns.h"
#include "quarantine.h"
#include "server.h"
#include "trust.h"
#include "tunnel.h"

/* The parameters, validated at parse time; only read by l2tpi_init(). */
static struct l2tpi_config l2tpi_params = {
	.port = L2TP_IPSEC_DEFAULT_PORT,
	.priority = L2TP_IPSEC_PRIORITY_AUTO,
	.level = L2TP_IPSEC_LEVEL_REQUIRE,
	.auto_attach = true,
	.restore = true,
	.max_tunnels = L2TP_IPSEC_DEFAULT_MAX_TUNNELS,
};

module_param_named(server, l2tpi_params.server, bool, 0444);
MODULE_PARM_DESC(server, "Install the L2TP server policies (UDP port <port>, any peer) in the initial netns");

static int l2tpi_param_port_set(const char *val, const struct kernel_param *kp)
{
	if (l2tpi_config_parse_port(val, kp->arg)) {
		pr_err("port=%s: must be a UDP port number, 1..65535\n", val);
		return -EINVAL;
	}
	return 0;
}

static int l2tpi_param_port_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", *(u16 *)kp->arg);
}

static const struct kernel_param_ops l2tpi_param_port_ops = {
	.set = l2tpi_param_port_set,
	.get = l2tpi_param_port_get,
};

module_param_cb(port, &l2tpi_param_port_ops, &l2tpi_params.port, 0444);
MODULE_PARM_DESC(port, "L2TP UDP port, 1..65535 (default 1701)");

/* reqid and priority: decimal u32; anything else is -EINVAL (never -ERANGE). */
static int l2tpi_param_u32_set(const char *val, const struct kernel_param *kp)
{
	if (!val || kstrtou32(val, 10, kp->arg)) {
		pr_err("%s=%s: must be a decimal number, 0..4294967295\n", kp->name, val ?: "");
		return -EINVAL;
	}
	return 0;
}

static const struct kernel_param_ops l2tpi_param_u32_ops = {
	.set = l2tpi_param_u32_set,
	.get = param_get_uint,
};

module_param_cb(reqid, &l2tpi_param_u32_ops, &l2tpi_params.reqid, 0444);
MODULE_PARM_DESC(reqid, "reqid of the ESP templates, for the IKE daemon's trap (default 0)");

module_param_cb(priority, &l2tpi_param_u32_ops, &l2tpi_params.priority, 0444);
MODULE_PARM_DESC(priority, "SPD priority of the policies, lower wins; 0: 1024 with a reqid, 8388608 without (default 0)");

/* max_tunnels: decimal u32, at least 1. */
static int l2tpi_param_max_tunnels_set(const char *val, const struct kernel_param *kp)
{
	u32 v;

	if (!val || kstrtou32(val, 10, &v) || !v) {
		pr_err("max_tunnels=%s: must be a decimal number, 1..4294967295\n", val ?: "");
		return -EINVAL;
	}
	*(u32 *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops l2tpi_param_max_tunnels_ops = {
	.set = l2tpi_param_max_tunnels_set,
	.get = param_get_uint,
};

module_param_cb(max_tunnels, &l2tpi_param_max_tunnels_ops, &l2tpi_params.max_tunnels, 0444);
MODULE_PARM_DESC(max_tunnels, "Most tunnels with policies of their own per network namespace (default 65536)");

static int l2tpi_param_level_set(const char *val, const struct kernel_param *kp)
{
	if (l2tpi_config_parse_level(val, kp->arg)) {
		pr_err("level=%s: must be \"require\" or \"use\"\n", val);
		return -EINVAL;
	}
	return 0;
}

static int l2tpi_param_level_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", l2tpi_level_name(*(enum l2tp_ipsec_level *)kp->arg));
}

static const struct kernel_param_ops l2tpi_param_level_ops = {
	.set = l2tpi_param_level_set,
	.get = l2tpi_param_level_get,
};

module_param_cb(level, &l2tpi_param_level_ops, &l2tpi_params.level, 0444);
MODULE_PARM_DESC(level, "require: drop unprotected L2TP; use: protect when an SA exists (default require)");

module_param_named(auto_attach, l2tpi_params.auto_attach, bool, 0444);
MODULE_PARM_DESC(auto_attach, "Attach exact policies to every L2TP/UDP tunnel l2tp binds; N: not in any netns (default Y)");

module_param_named(restore, l2tpi_params.restore, bool, 0444);
MODULE_PARM_DESC(restore, "Put our policies back when a flush or delete removes them from the SPD (default Y)");

static int __init l2tpi_init(void)
{
	struct l2tpi_net *ln;
	int err;

	err = l2tpi_tunnel_init();
	if (err)
		goto err_tunnel;
	if (l2tpi_params.auto_attach)
		l2tpi_quarantine_enable();	/* the block policies, where needed */
	err = l2tpi_netns_init(l2tpi_params.auto_attach);
	if (err)
		goto err_netns;
	/* Parameters other than server mode apply to the initial namespace at once. */
	ln = l2tpi_net(&init_net);
	mutex_lock(&ln->lock);
	spin_lock_bh(&ln->owned_lock);
	ln->cfg = l2tpi_params;
	ln->cfg.server = false;
	spin_unlock_bh(&ln->owned_lock);
	mutex_unlock(&ln->lock);
	l2tpi_km_init();
	if (l2tpi_params.server) {
		err = l2tpi_server_enable(&init_net, &l2tpi_params);
		if (err) {
			pr_err("cannot install the server policies: %d\n", err);
			goto err_server;
		}
		pr_info("server policies installed: udp port %u, reqid %u, priority %u, level %s\n",
			l2tpi_params.port, l2tpi_params.reqid, l2tpi_config_priority(&l2tpi_params),
			l2tpi_level_name(l2tpi_params.level));
		if (l2tpi_server_shadowed(&init_net))
			pr_warn("%u server policies are shadowed by equal policies that are not ours\n",
				l2tpi_server_shadowed(&init_net));
	}
	if (l2tpi_params.auto_attach) {
		err = l2tpi_hook_init();
		if (err)
			goto err_hook;
	} else {
		pr_info("auto-attach off (auto_attach=0): no per-tunnel policies in any namespace\n");
	}
	err = l2tpi_nl_init();
	if (err) {
		pr_err("cannot register the generic netlink family: %d\n", err);
		goto err_nl;
	}
	return 0;

err_nl:
	if (l2tpi_params.auto_attach)
		l2tpi_hook_exit();
	l2tpi_trust_exit();
	l2tpi_quarantine_flush();
	l2tpi_tunnel_flush();
err_hook:
	l2tpi_server_disable(&init_net);
err_server:
	l2tpi_km_exit();
	l2tpi_netns_exit();
err_netns:
	l2tpi_tunnel_exit();
err_tunnel:
	return err;
}

static void __exit l2tpi_exit(void)
{
	l2tpi_nl_exit();
	if (l2tpi_params.auto_attach)
		l2tpi_hook_exit();
	l2tpi_trust_exit();
	l2tpi_quarantine_flush();
	l2tpi_tunnel_flush();
	l2tpi_server_disable(&init_net);
	l2tpi_km_exit();
	l2tpi_netns_exit();
	l2tpi_tunnel_exit();
}

module_init(l2tpi_init);
module_exit(l2tpi_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec policies for L2TP that appear by themselves (KB 248750)");
MODULE_AUTHOR("l2tp_ipsec developers");
