// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp_ipsec: IPsec protection for L2TP that appears by itself (the Linux counterpart
 * of the policy Windows RRAS creates, Microsoft KB 248750).
 *
 * Module init and exit, the namespaces' init and exit, and the module parameters:
 * only the order of the steps, each undone in reverse on failure and at exit.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>

#include "client.h"
#include "config.h"
#include "event.h"
#include "footprint.h"
#include "nat.h"
#include "km.h"
#include "netns.h"
#include "owned.h"
#include "probe.h"
#include "quarantine.h"
#include "server.h"
#include "tunnel.h"

/* The parameters, validated at parse time; handed to netns.c by l2tpi_init(). */
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

/*
 * A namespace comes: its state (netns.c), its owned-policy registry (owned.c), its
 * tunnel table (tunnel.c) and the footprint's lock and work item (footprint.c). It
 * owns nothing yet: no hook, no policy.
 */
static int __net_init l2tpi_net_init(struct net *net)
{
	int err;

	l2tpi_netns_net_init(net);
	err = l2tpi_owned_net_init(net);
	if (err)
		goto err_owned;
	l2tpi_tunnel_net_init(net);
	l2tpi_footprint_net_init(net);
	err = l2tpi_nat_net_init(net);
	if (err)
		goto err_nat;
	return 0;

err_nat:
	l2tpi_footprint_net_exit(net);
	l2tpi_tunnel_net_exit(net);
	l2tpi_owned_net_exit(net);
err_owned:
	l2tpi_netns_net_exit(net);
	return err;
}

/*
 * A namespace goes (or rmmod): everything it owns goes before xfrm tears its SPD down
 * (our pernet exit runs first because we register after xfrm). Not quite the mirror
 * of init: no restore from the start, and the owners of policies let go before the
 * registry and the footprint that count them.
 */
static void __net_exit l2tpi_net_exit(struct net *net)
{
	l2tpi_owned_net_dying(net);
	l2tpi_quarantine_net_exit(net);	/* first: no retry binds a tunnel after this */
	l2tpi_tunnel_release_net(net);
	l2tpi_tunnel_net_exit(net);
	l2tpi_client_net_exit(net);
	l2tpi_server_net_exit(net);
	l2tpi_footprint_net_exit(net);
	l2tpi_nat_net_exit(net);
	l2tpi_owned_net_exit(net);
	l2tpi_netns_net_exit(net);
}

static struct pernet_operations l2tpi_net_ops = {
	.init = l2tpi_net_init,
	.exit = l2tpi_net_exit,
	.id = &l2tpi_net_id,
	.size = sizeof(struct l2tpi_net),
};

static int __init l2tpi_init(void)
{
	int err;

	l2tpi_netns_init(&l2tpi_params);
	l2tpi_quarantine_init(l2tpi_params.auto_attach);
	err = l2tpi_tunnel_init(l2tpi_probe_watch_close);
	if (err)
		goto err_tunnel;
	err = register_pernet_subsys(&l2tpi_net_ops);
	if (err)
		goto err_pernet;
	l2tpi_km_init();
	err = l2tpi_netns_load();
	if (err)
		goto err_load;
	err = l2tpi_probe_init(l2tpi_params.auto_attach);
	if (err)
		goto err_probe;
	err = l2tpi_event_init();
	if (err)
		goto err_event;
	return 0;

err_event:
	l2tpi_probe_exit();
err_probe:
	l2tpi_netns_unload();
err_load:
	l2tpi_km_exit();
	unregister_pernet_subsys(&l2tpi_net_ops);
err_pernet:
	l2tpi_tunnel_exit();
err_tunnel:
	return err;
}

static void __exit l2tpi_exit(void)
{
	l2tpi_event_exit();
	l2tpi_probe_exit();
	l2tpi_netns_unload();
	l2tpi_km_exit();
	unregister_pernet_subsys(&l2tpi_net_ops);
	l2tpi_tunnel_exit();
}

module_init(l2tpi_init);
module_exit(l2tpi_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("IPsec policies for L2TP that appear by themselves (KB 248750)");
MODULE_AUTHOR("l2tp_ipsec developers");
