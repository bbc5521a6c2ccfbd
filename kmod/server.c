// SPDX-License-Identifier: GPL-2.0
/*
 * Server mode. With it on, a namespace's SPD holds, for IPv4 and for IPv6:
 *   out: udp sport PORT, any -> any, ESP transport
 *   in:  udp dport PORT, any -> any, ESP transport
 * as entries of the owned registry (owned.c): restored after a flush, shadowed (not
 * fought) where an equal policy that is not ours exists. Enabling is all or nothing:
 * if any entry cannot be created, the ones already created are released and the
 * namespace is left as it was.
 */
#include <linux/kernel.h>
#include <linux/in.h>

#include "footprint.h"
#include "netns.h"
#include "owned.h"
#include "policy.h"
#include "server.h"
#include "kunit.h"

static void l2tpi_server_spec(struct l2tpi_pol_spec *spec, const struct l2tpi_config *cfg,
			      int i)
{
	memset(spec, 0, sizeof(*spec));
	spec->family = i < 2 ? AF_INET : AF_INET6;
	spec->dir = i % 2 ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
	if (spec->dir == XFRM_POLICY_OUT)
		spec->sport = htons(cfg->port);
	else
		spec->dport = htons(cfg->port);
	spec->reqid = cfg->reqid;
	spec->priority = l2tpi_config_priority(cfg);
	spec->optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
}

/* Release the server entries of @ln. Context: process, ln->lock held. */
static void l2tpi_server_remove_locked(struct l2tpi_net *ln)
{
	int i;

	lockdep_assert_held(&ln->lock);
	for (i = L2TPI_SERVER_POLICIES - 1; i >= 0; i--) {
		if (ln->server[i]) {
			l2tpi_owned_put(ln->net, ln->server[i]);
			ln->server[i] = NULL;
		}
	}
	spin_lock_bh(&ln->owned_lock);
	ln->cfg.server = false;
	spin_unlock_bh(&ln->owned_lock);
}

/**
 * l2tpi_server_enable() - install the server policies of @cfg in @net
 * @net: network namespace
 * @cfg: port, reqid, priority and level to use; becomes the namespace's config
 *
 * All or nothing: on failure the namespace's SPD and configuration are unchanged.
 * A policy shadowed by an equal one that is not ours is not a failure (it is
 * reported, and installed once the other one goes).
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno: -EBUSY if server mode is already on, -ENOMEM.
 */
int l2tpi_server_enable(struct net *net, const struct l2tpi_config *cfg)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_owned *own[L2TPI_SERVER_POLICIES] = {};
	struct l2tpi_pol_spec spec;
	int i, err = 0;

	mutex_lock(&ln->lock);
	if (ln->cfg.server) {
		err = -EBUSY;
		goto out;
	}
	err = l2tpi_footprint_hold(net);	/* the guard, before the policies */
	if (err)
		goto out_release;
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
		l2tpi_server_spec(&spec, cfg, i);
		own[i] = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_SERVER, GFP_KERNEL);
		if (IS_ERR(own[i])) {
			err = PTR_ERR(own[i]);
			own[i] = NULL;
			break;
		}
	}
	if (err) {
		while (--i >= 0)
			l2tpi_owned_put(net, own[i]);
		goto out_release;
	}
	memcpy(ln->server, own, sizeof(own));
	spin_lock_bh(&ln->owned_lock);
	ln->cfg = *cfg;
	ln->cfg.server = true;
	spin_unlock_bh(&ln->owned_lock);
out_release:
	l2tpi_footprint_release(net);
out:
	mutex_unlock(&ln->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_server_enable);

static bool l2tpi_server_same_selector(const struct l2tpi_config *a,
				       const struct l2tpi_config *b)
{
	return a->port == b->port;
}

static bool l2tpi_server_same_template(const struct l2tpi_config *a,
				       const struct l2tpi_config *b)
{
	return a->reqid == b->reqid && a->priority == b->priority && a->level == b->level;
}

/**
 * l2tpi_server_apply_locked() - make @cfg the configuration of @net
 * @net: network namespace
 * @cfg: the new configuration (every field)
 *
 * Server mode on or off as @cfg says; with it on, a new port installs the new server
 * policies before the old ones go, and a new reqid, priority or level replaces each
 * policy in place (l2tpi_owned_respec()), so the server is never without its filter.
 * The live client and tunnel policies follow in l2tpi_net_apply_locked().
 *
 * All or nothing: on failure @net's SPD and configuration are unchanged (a respec
 * that fails half way is rolled back).
 *
 * Context: process context, ln->lock held.
 * Return: 0 or a negative errno.
 */
int l2tpi_server_apply_locked(struct net *net, const struct l2tpi_config *cfg)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_owned *own[L2TPI_SERVER_POLICIES] = {};
	struct l2tpi_config old = ln->cfg;
	struct l2tpi_pol_spec spec;
	bool swap = false;
	int i, err = 0;

	lockdep_assert_held(&ln->lock);
	if (cfg->server && (!old.server || !l2tpi_server_same_selector(&old, cfg))) {
		err = l2tpi_footprint_hold(net);	/* the guard, before the policies */
		for (i = 0; i < L2TPI_SERVER_POLICIES && !err; i++) {
			l2tpi_server_spec(&spec, cfg, i);
			own[i] = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_SERVER, GFP_KERNEL);
			if (IS_ERR(own[i])) {
				err = PTR_ERR(own[i]);
				own[i] = NULL;
				while (--i >= 0)
					l2tpi_owned_put(net, own[i]);
			}
		}
		l2tpi_footprint_release(net);
		if (err)
			return err;
		swap = true;
	} else if (cfg->server && !l2tpi_server_same_template(&old, cfg)) {
		for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
			l2tpi_server_spec(&spec, cfg, i);
			err = l2tpi_owned_respec(net, ln->server[i], &spec);
			if (err)
				break;
		}
		if (err) {
			while (--i >= 0) {
				l2tpi_server_spec(&spec, &old, i);
				if (l2tpi_owned_respec(net, ln->server[i], &spec))
					pr_warn("cannot put back the old template of a server policy\n");
			}
			return err;
		}
	} else if (!cfg->server && old.server) {
		swap = true;
	}
	if (swap) {
		for (i = L2TPI_SERVER_POLICIES - 1; i >= 0; i--)
			if (ln->server[i])
				l2tpi_owned_put(net, ln->server[i]);
		memcpy(ln->server, own, sizeof(own));
		l2tpi_footprint_settle(net);
	}
	spin_lock_bh(&ln->owned_lock);
	ln->cfg = *cfg;
	spin_unlock_bh(&ln->owned_lock);
	if (cfg->restore && !old.restore)
		l2tpi_owned_schedule_restore(net);
	return 0;
}

/**
 * l2tpi_server_shadowed() - how many server policies of @net are shadowed
 * @net: network namespace
 *
 * Context: process context, may sleep.
 */
unsigned int l2tpi_server_shadowed(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	unsigned int n = 0;
	int i;

	mutex_lock(&ln->lock);
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++)
		if (ln->server[i] && l2tpi_owned_state(net, ln->server[i]) == -EEXIST)
			n++;
	mutex_unlock(&ln->lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_server_shadowed);

/**
 * l2tpi_server_disable() - remove the server policies of @net, if any
 * @net: network namespace
 *
 * Context: process context, may sleep.
 */
void l2tpi_server_disable(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	mutex_lock(&ln->lock);
	l2tpi_server_remove_locked(ln);
	mutex_unlock(&ln->lock);
	l2tpi_footprint_settle(net);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_server_disable);
