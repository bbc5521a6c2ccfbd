// SPDX-License-Identifier: GPL-2.0
/*
 * Server mode. With it on, a namespace's SPD holds, for IPv4 and for IPv6:
 *   out: udp sport PORT, any -> any, ESP transport
 *   in:  udp dport PORT, any -> any, ESP transport
 * as entries of the owned registry (owned.c): restored after a flush, shadowed (not
 * fought) where an equal policy that is not ours exists. Enabling is all or nothing:
 * if any entry cannot be created, the ones already created are released and the
 * namespace is left as it was. netns.c decides when (the configuration).
 */
#include <linux/kernel.h>
#include <linux/in.h>

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

/**
 * l2tpi_server_remove_locked() - release the server entries of @net, if any
 * @net: network namespace
 *
 * Context: process, l2tpi_net.lock held.
 */
void l2tpi_server_remove_locked(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int i;

	lockdep_assert_held(&ln->lock);
	for (i = L2TPI_SERVER_POLICIES - 1; i >= 0; i--) {
		if (ln->server[i]) {
			l2tpi_owned_put(net, ln->server[i]);
			ln->server[i] = NULL;
		}
	}
}

static bool l2tpi_server_same_template(const struct l2tpi_config *a,
				       const struct l2tpi_config *b)
{
	return a->reqid == b->reqid && a->priority == b->priority && a->level == b->level;
}

/* New server entries for @cfg into @own; all or none. Return: 0 or -errno. */
static int l2tpi_server_create(struct net *net, const struct l2tpi_config *cfg,
			       struct l2tpi_owned *own[L2TPI_SERVER_POLICIES])
{
	struct l2tpi_pol_spec spec;
	int i;

	for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
		l2tpi_server_spec(&spec, cfg, i);
		own[i] = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_SERVER, GFP_KERNEL);
		if (IS_ERR(own[i])) {
			int err = PTR_ERR(own[i]);

			while (--i >= 0)
				l2tpi_owned_put(net, own[i]);
			return err;
		}
	}
	return 0;
}

/* Give the server entries of @net the template of @to; all or none. */
static int l2tpi_server_respec(struct net *net, const struct l2tpi_config *to,
			       const struct l2tpi_config *from)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_pol_spec spec;
	int i, err = 0;

	for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
		l2tpi_server_spec(&spec, to, i);
		err = l2tpi_owned_respec(net, ln->server[i], &spec);
		if (err)
			break;
	}
	if (err) {
		while (--i >= 0) {
			l2tpi_server_spec(&spec, from, i);
			if (l2tpi_owned_respec(net, ln->server[i], &spec))
				pr_warn("cannot put back the old template of a server policy\n");
		}
	}
	return err;
}

/**
 * l2tpi_server_apply_locked() - the server policies of @net from @from to @to
 * @net: network namespace
 * @to: the configuration to be (every field)
 * @from: the configuration in force
 *
 * Server mode on or off as @to says; with it on, a new port installs the new server
 * policies before the old ones go, and a new reqid, priority or level replaces each
 * policy in place (l2tpi_owned_respec()), so the server is never without its filter.
 * The namespace's configuration is netns.c's to write; the guard is its to install
 * before new policies.
 *
 * All or nothing: on failure @net's SPD is unchanged (a respec that fails half way
 * is rolled back).
 *
 * Context: process, l2tpi_net.lock held.
 * Return: 0 or a negative errno.
 */
int l2tpi_server_apply_locked(struct net *net, const struct l2tpi_config *to,
			      const struct l2tpi_config *from)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_owned *own[L2TPI_SERVER_POLICIES] = {};
	int err;

	lockdep_assert_held(&ln->lock);
	if (to->server && (!from->server || to->port != from->port)) {
		err = l2tpi_server_create(net, to, own);
		if (err)
			return err;
		l2tpi_server_remove_locked(net);
		memcpy(ln->server, own, sizeof(own));
	} else if (to->server && !l2tpi_server_same_template(from, to)) {
		return l2tpi_server_respec(net, to, from);
	} else if (!to->server && from->server) {
		l2tpi_server_remove_locked(net);
	}
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

/* @net goes. Context: process. */
void l2tpi_server_net_exit(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	mutex_lock(&ln->lock);
	l2tpi_server_remove_locked(net);
	mutex_unlock(&ln->lock);
}
