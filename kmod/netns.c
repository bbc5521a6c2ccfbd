// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace configuration: the one place that writes l2tpi_net.cfg.
 *
 * A namespace starts with the default configuration (the module parameters other
 * than server mode are the initial namespace's) and owns nothing, not even a hook
 * (footprint.c). A change (module load, netlink CONFIG_SET) goes through
 * l2tpi_netns_configure_locked(): server mode on, off or moved (server.c); a new
 * reqid, level or priority replaces every live policy in place (owned.c); auto-attach
 * on adopts the tunnels the namespace has, off detaches them (probe.c, tunnel.c).
 * main.c sequences the namespaces' init and exit.
 */
#include <linux/module.h>
#include <linux/netlink.h>

#include "netns.h"
#include "footprint.h"
#include "owned.h"
#include "probe.h"
#include "server.h"
#include "tunnel.h"
#include "kunit.h"

unsigned int l2tpi_net_id __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(l2tpi_net_id);

/*
 * The module parameters, validated at parse time; set by l2tpi_netns_init() before the
 * pernet operations are registered, read-only afterwards.
 */
static struct l2tpi_config l2tpi_netns_params __read_mostly;

/**
 * l2tpi_netns_init() - take the module parameters
 * @params: every field; auto_attach says whether the tunnel hooks exist at all
 *
 * Context: module init, before the pernet operations are registered.
 */
void l2tpi_netns_init(const struct l2tpi_config *params)
{
	l2tpi_netns_params = *params;
}

bool l2tpi_netns_auto_attach_ok(void)
{
	return l2tpi_netns_params.auto_attach;
}

/* A new namespace: the default configuration, auto-attach as the module allows. */
void l2tpi_netns_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	ln->net = net;
	mutex_init(&ln->lock);
	l2tpi_config_default(&ln->cfg);
	ln->cfg.auto_attach = l2tpi_netns_params.auto_attach;
}

void l2tpi_netns_net_exit(struct net *net)
{
	mutex_destroy(&l2tpi_net(net)->lock);
}

static bool l2tpi_same_template(const struct l2tpi_config *a, const struct l2tpi_config *b)
{
	return a->reqid == b->reqid && a->priority == b->priority && a->level == b->level;
}

/*
 * Server mode from @from to @to (server.c), with the guard in before new server
 * policies (footprint.c) and out after the last one went. Context: process,
 * l2tpi_net.lock held. Return: 0 or -errno with nothing changed.
 */
static int l2tpi_netns_server(struct net *net, const struct l2tpi_config *to,
			      const struct l2tpi_config *from)
{
	bool pin = to->server && (!from->server || to->port != from->port);
	int err = 0;

	lockdep_assert_held(&l2tpi_net(net)->lock);
	if (pin)
		err = l2tpi_footprint_hold(net);
	if (!err)
		err = l2tpi_server_apply_locked(net, to, from);
	if (pin)
		l2tpi_footprint_release(net);
	else if (from->server && !to->server)
		l2tpi_footprint_settle(net);
	return err;
}

static void l2tpi_netns_set(struct l2tpi_net *ln, const struct l2tpi_config *cfg)
{
	spin_lock_bh(&ln->owned_lock);
	ln->cfg = *cfg;
	spin_unlock_bh(&ln->owned_lock);
}

/**
 * l2tpi_netns_configure_locked() - make @cfg the configuration of @net, live policies
 * included
 * @net: network namespace
 * @cfg: every field of the new configuration
 * @extack: told what failed (may be NULL)
 *
 * All or nothing: on failure the configuration and the SPD are as before. The new
 * configuration is in force before the live policies are given its template, so that
 * a tunnel bound meanwhile gets the new one too.
 *
 * Context: process, l2tpi_net.lock held.
 * Return: 0 or -errno.
 */
int l2tpi_netns_configure_locked(struct net *net, const struct l2tpi_config *cfg,
				 struct netlink_ext_ack *extack)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_config old;
	int err;

	lockdep_assert_held(&ln->lock);
	old = ln->cfg;
	err = l2tpi_netns_server(net, cfg, &old);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot install the server policies");
		return err;
	}
	l2tpi_netns_set(ln, cfg);
	if (!l2tpi_same_template(&old, cfg)) {
		err = l2tpi_owned_retemplate(net, cfg, &old);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "cannot give the live tunnel and client policies the new template");
			if (l2tpi_netns_server(net, &old, cfg))
				pr_warn("cannot put back the old server configuration\n");
			l2tpi_netns_set(ln, &old);
			return err;
		}
	}
	if (cfg->restore && !old.restore)
		l2tpi_owned_schedule_restore(net);
	if (cfg->auto_attach && !old.auto_attach)
		l2tpi_probe_adopt_net(net);
	else if (!cfg->auto_attach && old.auto_attach)
		l2tpi_tunnel_release_net(net);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_netns_configure_locked);

/**
 * l2tpi_netns_load() - give the initial namespace the module parameters, server
 * mode included
 *
 * Context: module init, after the pernet operations are registered.
 * Return: 0 or -errno (the server policies cannot be installed).
 */
int l2tpi_netns_load(void)
{
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	const struct l2tpi_config *p = &l2tpi_netns_params;
	unsigned int shadowed;
	int err;

	mutex_lock(&ln->lock);
	err = l2tpi_netns_configure_locked(&init_net, p, NULL);
	mutex_unlock(&ln->lock);
	if (err) {
		pr_err("cannot install the server policies: %d\n", err);
		return err;
	}
	if (p->server) {
		pr_info("server policies installed: udp port %u, reqid %u, priority %u, level %s\n",
			p->port, p->reqid, l2tpi_config_priority(p), l2tpi_level_name(p->level));
		shadowed = l2tpi_server_shadowed(&init_net);
		if (shadowed)
			pr_warn("%u server policies are shadowed by equal policies that are not ours\n",
				shadowed);
	}
	if (!p->auto_attach)
		pr_info("auto-attach off (auto_attach=0): no per-tunnel policies in any namespace\n");
	return 0;
}

/* Undo l2tpi_netns_load(): the initial namespace's server policies go. */
void l2tpi_netns_unload(void)
{
	struct l2tpi_net *ln = l2tpi_net(&init_net);
	struct l2tpi_config cfg;

	mutex_lock(&ln->lock);
	l2tpi_server_remove_locked(&init_net);
	cfg = ln->cfg;
	cfg.server = false;
	l2tpi_netns_set(ln, &cfg);
	mutex_unlock(&ln->lock);
	l2tpi_footprint_settle(&init_net);
}
