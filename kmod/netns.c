// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state. A namespace starts with the default configuration and
 * owns nothing, not even a hook (footprint.c); when it goes away (or the module is
 * unloaded) everything it owns is removed before xfrm tears down its SPD (our pernet
 * exit runs first because we register after xfrm).
 */
#include <linux/module.h>
#include <linux/netlink.h>
#include <net/netns/generic.h>

#include "netns.h"
#include "client.h"
#include "footprint.h"
#include "quarantine.h"
#include "server.h"
#include "tunnel.h"
#include "kunit.h"

static unsigned int l2tpi_net_id __read_mostly;
/* Whether the tunnel hooks exist at all (module parameter auto_attach); set before
 * the pernet operations are registered, read-only afterwards.
 */
static bool l2tpi_auto_attach_ok __read_mostly;

bool l2tpi_netns_auto_attach_ok(void)
{
	return l2tpi_auto_attach_ok;
}

struct l2tpi_net *l2tpi_net(const struct net *net)
{
	return net_generic(net, l2tpi_net_id);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_net);

static bool l2tpi_same_template(const struct l2tpi_config *a, const struct l2tpi_config *b)
{
	return a->reqid == b->reqid && a->priority == b->priority && a->level == b->level;
}

/**
 * l2tpi_net_apply_locked() - make @cfg the configuration of @net, live policies included
 * @net: network namespace
 * @cfg: every field of the new configuration
 * @extack: told what failed (may be NULL)
 *
 * Server mode on, off or moved (server.c); a new reqid, level or priority replaces
 * every live server, client and tunnel policy in place (owned.c); auto-attach off
 * detaches every tunnel of @net, on adopts the tunnels it has (tunnel.c). All or
 * nothing: on failure the configuration and the SPD are as before.
 *
 * Context: process, l2tpi_net.lock held.
 * Return: 0 or -errno.
 */
int l2tpi_net_apply_locked(struct net *net, const struct l2tpi_config *cfg,
			   struct netlink_ext_ack *extack)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_config old;
	int err;

	lockdep_assert_held(&ln->lock);
	old = ln->cfg;
	err = l2tpi_server_apply_locked(net, cfg);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot install the server policies");
		return err;
	}
	if (!l2tpi_same_template(&old, cfg)) {
		err = l2tpi_owned_retemplate(net, cfg, &old);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "cannot give the live tunnel and client policies the new template");
			if (l2tpi_server_apply_locked(net, &old))
				pr_warn("cannot put back the old server configuration\n");
			return err;
		}
	}
	if (cfg->auto_attach && !old.auto_attach)
		l2tpi_tunnel_adopt_net(net);
	else if (!cfg->auto_attach && old.auto_attach)
		l2tpi_tunnel_release_net(net);
	return 0;
}

static int __net_init l2tpi_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int err;

	mutex_init(&ln->lock);
	l2tpi_config_default(&ln->cfg);
	ln->cfg.auto_attach = l2tpi_auto_attach_ok;
	err = l2tpi_owned_net_init(net);
	if (err) {
		mutex_destroy(&ln->lock);
		return err;
	}
	l2tpi_tunnel_net_init(net);
	l2tpi_footprint_net_init(net);
	return 0;
}

static void __net_exit l2tpi_net_exit(struct net *net)
{
	l2tpi_owned_net_dying(net);
	l2tpi_quarantine_net_exit(net);	/* first: no retry binds a tunnel after this */
	l2tpi_tunnel_release_net(net);
	l2tpi_tunnel_net_exit(net);
	l2tpi_client_net_exit(net);
	l2tpi_server_disable(net);
	l2tpi_footprint_net_exit(net);
	l2tpi_owned_net_exit(net);
	mutex_destroy(&l2tpi_net(net)->lock);
}

static struct pernet_operations l2tpi_net_ops = {
	.init = l2tpi_net_init,
	.exit = l2tpi_net_exit,
	.id = &l2tpi_net_id,
	.size = sizeof(struct l2tpi_net),
};

int l2tpi_netns_init(bool auto_attach)
{
	l2tpi_auto_attach_ok = auto_attach;
	return register_pernet_subsys(&l2tpi_net_ops);
}

void l2tpi_netns_exit(void)
{
	unregister_pernet_subsys(&l2tpi_net_ops);
}
