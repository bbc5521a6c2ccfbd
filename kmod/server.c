// SPDX-License-Identifier: GPL-2.0
/*
 * Server mode. With it on, a namespace's SPD holds, for IPv4 and for IPv6:
 *   out: udp sport PORT, any -> any, ESP transport
 *   in:  udp dport PORT, any -> any, ESP transport
 * Enabling is all or nothing: if any of the policies cannot be inserted, the ones
 * already inserted are removed again and the namespace is left as it was.
 */
#include <linux/kernel.h>
#include <linux/in.h>

#include "netns.h"
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
	spec->priority = cfg->priority;
	spec->optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
}

/* Remove the server policies of @ln. Context: process, ln->lock held. */
static void l2tpi_server_remove_locked(struct l2tpi_net *ln)
{
	int i;

	lockdep_assert_held(&ln->lock);
	for (i = L2TPI_SERVER_POLICIES - 1; i >= 0; i--) {
		if (ln->server[i]) {
			l2tpi_policy_del(ln->server[i]);
			ln->server[i] = NULL;
		}
	}
	ln->cfg.server = false;
}

/**
 * l2tpi_server_enable() - install the server policies of @cfg in @net
 * @net: network namespace
 * @cfg: port, reqid, priority and level to use; becomes the namespace's config
 *
 * All or nothing: on failure the namespace's SPD and configuration are unchanged.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno: -EBUSY if server mode is already on, -EEXIST if
 * someone else owns an equal policy, -ENOMEM.
 */
int l2tpi_server_enable(struct net *net, const struct l2tpi_config *cfg)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct xfrm_policy *pols[L2TPI_SERVER_POLICIES] = {};
	struct l2tpi_pol_spec spec;
	int i, err = 0;

	mutex_lock(&ln->lock);
	if (ln->cfg.server) {
		err = -EBUSY;
		goto out;
	}
	for (i = 0; i < L2TPI_SERVER_POLICIES; i++) {
		l2tpi_server_spec(&spec, cfg, i);
		pols[i] = l2tpi_policy_add(net, &spec);
		if (IS_ERR(pols[i])) {
			err = PTR_ERR(pols[i]);
			pols[i] = NULL;
			break;
		}
	}
	if (err) {
		while (--i >= 0)
			l2tpi_policy_del(pols[i]);
	} else {
		memcpy(ln->server, pols, sizeof(pols));
		ln->cfg = *cfg;
		ln->cfg.server = true;
	}
out:
	mutex_unlock(&ln->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_server_enable);

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
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_server_disable);
