// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state. A namespace starts with the default configuration and
 * owns nothing; when it goes away (or the module is unloaded) everything it owns is
 * removed before xfrm tears down its SPD (our pernet exit runs first because we
 * register after xfrm).
 */
#include <linux/module.h>
#include <net/netns/generic.h>

#include "netns.h"
#include "client.h"
#include "guard.h"
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

static int __net_init l2tpi_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int err;

	mutex_init(&ln->lock);
	l2tpi_config_default(&ln->cfg);
	ln->cfg.auto_attach = l2tpi_auto_attach_ok;
	l2tpi_owned_net_init(net);
	err = l2tpi_quarantine_net_init(net);
	if (err)
		goto err_quarantine;
	if (l2tpi_auto_attach_ok) {
		err = l2tpi_guard_net_init(net);
		if (err)
			goto err_guard;
	}
	return 0;

err_guard:
	l2tpi_quarantine_net_exit(net);
err_quarantine:
	l2tpi_owned_net_exit(net);
	mutex_destroy(&ln->lock);
	return err;
}

static void __net_exit l2tpi_net_exit(struct net *net)
{
	l2tpi_owned_net_dying(net);
	if (l2tpi_auto_attach_ok)
		l2tpi_guard_net_exit(net);
	l2tpi_quarantine_net_exit(net);	/* first: no retry binds a tunnel after this */
	l2tpi_tunnel_net_exit(net);
	l2tpi_client_net_exit(net);
	l2tpi_server_disable(net);
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
