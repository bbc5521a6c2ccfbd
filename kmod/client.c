// SPDX-License-Identifier: GPL-2.0
/*
 * Client connections (see client.h). Added and deleted from process context under
 * l2tpi_net.lock; their tunnel count changes from the tunnel hooks (atomic context)
 * under l2tpi_net.owned_lock, which also protects the list, so a connection-lifetime
 * client can end from the hook that tears down its last tunnel.
 */
#include <linux/in.h>
#include <linux/slab.h>
#include <net/ip6_route.h>
#include <net/route.h>

#include "client.h"
#include "netns.h"
#include "kunit.h"

static bool l2tpi_client_match(const struct l2tpi_client *c, unsigned short family,
			       const xfrm_address_t *server, u16 sport)
{
	return c->family == family && c->sport == sport &&
	       xfrm_addr_equal(&c->server, server, family);
}

/* Context: owned_lock held. */
static struct l2tpi_client *l2tpi_client_find(struct l2tpi_net *ln, unsigned short family,
					      const xfrm_address_t *server, u16 sport)
{
	struct l2tpi_client *c;

	lockdep_assert_held(&ln->owned_lock);
	list_for_each_entry(c, &ln->clients, node)
		if (l2tpi_client_match(c, family, server, sport))
			return c;
	return NULL;
}

static void l2tpi_client_spec(struct l2tpi_pol_spec *spec, const struct l2tpi_config *cfg,
			      unsigned short family, const xfrm_address_t *server, u16 sport,
			      int dir)
{
	u8 plen = family == AF_INET ? 32 : 128;

	memset(spec, 0, sizeof(*spec));
	spec->family = family;
	spec->dir = dir;
	if (dir == XFRM_POLICY_OUT) {
		spec->daddr = *server;
		spec->prefixlen_d = plen;
		spec->sport = htons(sport);
	} else {
		spec->saddr = *server;
		spec->prefixlen_s = plen;
		spec->dport = htons(sport);
	}
	spec->reqid = cfg->reqid;
	spec->priority = l2tpi_config_priority(cfg);
	spec->optional = cfg->level == L2TP_IPSEC_LEVEL_USE;
}

static void l2tpi_client_free(struct net *net, struct l2tpi_client *c)
{
	l2tpi_owned_put(net, c->own[XFRM_POLICY_OUT]);
	l2tpi_owned_put(net, c->own[XFRM_POLICY_IN]);
	kfree(c);
}

/**
 * l2tpi_client_add() - declare a client connection to @server
 * @net: network namespace
 * @family: AF_INET or AF_INET6
 * @server: the server's address (host address, the whole of it is used)
 * @sport: our L2TP UDP port, 1..65535
 * @lifetime: L2TPI_CLIENT_STATIC or L2TPI_CLIENT_CONNECTION
 *
 * Installs "out: udp sport @sport -> @server" and "in: udp @server -> dport @sport",
 * ESP transport, with the namespace's reqid, priority and level. The caller pins the
 * guard first (l2tpi_footprint_hold()).
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL for a bad argument, -EEXIST if the same connection exists,
 * -ENOMEM. Nothing changes on error.
 */
int l2tpi_client_add(struct net *net, unsigned short family, const xfrm_address_t *server,
		     u16 sport, enum l2tpi_client_lifetime lifetime)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_pol_spec spec;
	struct l2tpi_client *c;
	int err = 0;

	if ((family != AF_INET && family != AF_INET6) || !sport ||
	    (lifetime != L2TPI_CLIENT_STATIC && lifetime != L2TPI_CLIENT_CONNECTION))
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->family = family;
	c->server = *server;
	c->sport = sport;
	c->lifetime = lifetime;

	mutex_lock(&ln->lock);
	spin_lock_bh(&ln->owned_lock);
	if (l2tpi_client_find(ln, family, server, sport))
		err = -EEXIST;
	spin_unlock_bh(&ln->owned_lock);
	if (err)
		goto out;

	l2tpi_client_spec(&spec, &ln->cfg, family, server, sport, XFRM_POLICY_OUT);
	c->own[XFRM_POLICY_OUT] = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_CLIENT, GFP_KERNEL);
	if (IS_ERR(c->own[XFRM_POLICY_OUT])) {
		err = PTR_ERR(c->own[XFRM_POLICY_OUT]);
		goto out;
	}
	l2tpi_client_spec(&spec, &ln->cfg, family, server, sport, XFRM_POLICY_IN);
	c->own[XFRM_POLICY_IN] = l2tpi_owned_get(net, &spec, L2TPI_ORIGIN_CLIENT, GFP_KERNEL);
	if (IS_ERR(c->own[XFRM_POLICY_IN])) {
		err = PTR_ERR(c->own[XFRM_POLICY_IN]);
		l2tpi_owned_put(net, c->own[XFRM_POLICY_OUT]);
		goto out;
	}
	spin_lock_bh(&ln->owned_lock);
	list_add_tail(&c->node, &ln->clients);
	spin_unlock_bh(&ln->owned_lock);
	c = NULL;
out:
	mutex_unlock(&ln->lock);
	kfree(c);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_client_add);

/**
 * l2tpi_client_del() - end a client connection and remove its policies
 * @net: network namespace
 * @family: AF_INET or AF_INET6
 * @server: the server's address
 * @sport: our L2TP UDP port
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOENT.
 */
int l2tpi_client_del(struct net *net, unsigned short family, const xfrm_address_t *server,
		     u16 sport)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_client *c;

	mutex_lock(&ln->lock);
	spin_lock_bh(&ln->owned_lock);
	c = l2tpi_client_find(ln, family, server, sport);
	if (c)
		list_del(&c->node);
	spin_unlock_bh(&ln->owned_lock);
	if (c)
		l2tpi_client_free(net, c);
	mutex_unlock(&ln->lock);
	return c ? 0 : -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_client_del);

/*
 * The route of a connection's first frame (UDP from @sport to @dport of @server), and
 * in @fl its flow with the source address the route picks. No xfrm lookup: the
 * caller decides whether to make one. Context: process. Return: the route (a
 * reference) or an ERR_PTR.
 */
static struct dst_entry *l2tpi_client_route(struct net *net, unsigned short family,
					    const xfrm_address_t *server, u16 sport, u16 dport,
					    struct flowi *fl)
{
	struct dst_entry *dst;
	struct rtable *rt;
	int err;

	memset(fl, 0, sizeof(*fl));
	if (family == AF_INET) {
		fl->u.ip4.daddr = server->a4;
		fl->u.ip4.flowi4_proto = IPPROTO_UDP;
		fl->u.ip4.fl4_sport = htons(sport);
		fl->u.ip4.fl4_dport = htons(dport);
		rt = __ip_route_output_key(net, &fl->u.ip4);	/* without xfrm */
		return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	fl->u.ip6.daddr = server->in6;
	fl->u.ip6.flowi6_proto = IPPROTO_UDP;
	fl->u.ip6.fl6_sport = htons(sport);
	fl->u.ip6.fl6_dport = htons(dport);
	err = ip6_dst_lookup(net, NULL, &dst, &fl->u.ip6);	/* without xfrm */
	return err ? ERR_PTR(err) : dst;
}

/**
 * l2tpi_client_local() - the local address of a connection's first frame
 * @net: network namespace
 * @family: AF_INET or AF_INET6
 * @server: the server's address
 * @sport: our L2TP port
 * @dport: the server's L2TP port
 * @local: set to the source address a route to @server picks
 *
 * Context: process.
 * Return: 0, or the route lookup's error (@local is then zero).
 */
int l2tpi_client_local(struct net *net, unsigned short family, const xfrm_address_t *server,
		       u16 sport, u16 dport, xfrm_address_t *local)
{
	struct dst_entry *dst;
	struct flowi fl;

	memset(local, 0, sizeof(*local));
	dst = l2tpi_client_route(net, family, server, sport, dport, &fl);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	if (family == AF_INET)
		local->a4 = fl.u.ip4.saddr;
	else
		local->in6 = fl.u.ip6.saddr;
	dst_release(dst);
	return 0;
}

/**
 * l2tpi_client_negotiate() - ask the IKE daemon for a client connection's SAs now
 * @net: network namespace
 * @family: AF_INET or AF_INET6
 * @server: the server's address
 * @sport: our L2TP port
 *
 * The xfrm lookup of the connection's first frame (UDP from @sport to the server's
 * L2TP port, the configured port), as sending it would make: with no SA, the kernel
 * sends an acquire to the key managers (the IKE daemon) for the policy that wins,
 * ours or the daemon's own trap. So IPsec can be up before L2TP starts (a dialer
 * waits for the SAs, then dials), instead of L2TP's first frames waiting for IKE.
 *
 * Context: process.
 * Return: 0 (an acquire is under way, or an SA or no policy is there: nothing to
 * ask), -ENOENT for no such connection, or the route or xfrm lookup's error (e.g.
 * -EPERM for a block policy).
 */
int l2tpi_client_negotiate(struct net *net, unsigned short family,
			   const xfrm_address_t *server, u16 sport)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct dst_entry *dst;
	struct flowi fl;
	bool found;
	u16 dport;

	spin_lock_bh(&ln->owned_lock);
	found = l2tpi_client_find(ln, family, server, sport);
	dport = ln->cfg.port;
	spin_unlock_bh(&ln->owned_lock);
	if (!found)
		return -ENOENT;
	dst = l2tpi_client_route(net, family, server, sport, dport, &fl);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	/* takes over the route's reference, also on error */
	dst = xfrm_lookup(net, dst, &fl, NULL, 0);
	if (IS_ERR(dst)) {
		/* -EREMOTE, -EAGAIN: no SA yet, the acquire went out */
		if (PTR_ERR(dst) == -EREMOTE || PTR_ERR(dst) == -EAGAIN)
			return 0;
		return PTR_ERR(dst);
	}
	dst_release(dst);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_client_negotiate);

unsigned int l2tpi_client_count(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_client *c;
	unsigned int n = 0;

	spin_lock_bh(&ln->owned_lock);
	list_for_each_entry(c, &ln->clients, node)
		n++;
	spin_unlock_bh(&ln->owned_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_client_count);

/*
 * A tunnel from local port @sport to @peer came up (@up) or went down: count it
 * against the client connection to that server, if one is declared. The last tunnel
 * of a connection-lifetime client that has seen one ends the client.
 * Context: any (called from the tunnel hooks).
 */
static void l2tpi_client_tunnel(struct net *net, unsigned short family,
				const xfrm_address_t *peer, u16 sport, bool up)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_client *c, *gone = NULL;

	spin_lock_bh(&ln->owned_lock);
	c = l2tpi_client_find(ln, family, peer, sport);
	if (c && up) {
		c->tunnels++;
		c->seen_tunnel = true;
	} else if (c && c->tunnels && !--c->tunnels && c->seen_tunnel &&
		   c->lifetime == L2TPI_CLIENT_CONNECTION) {
		list_del(&c->node);
		gone = c;
	}
	spin_unlock_bh(&ln->owned_lock);
	if (gone)
		l2tpi_client_free(net, gone);
}

void l2tpi_client_tunnel_up(struct net *net, unsigned short family,
			    const xfrm_address_t *peer, u16 sport)
{
	l2tpi_client_tunnel(net, family, peer, sport, true);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_client_tunnel_up);

void l2tpi_client_tunnel_down(struct net *net, unsigned short family,
			      const xfrm_address_t *peer, u16 sport)
{
	l2tpi_client_tunnel(net, family, peer, sport, false);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_client_tunnel_down);

/* Context: process; the namespace is going away. */
void l2tpi_client_net_exit(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_client *c, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&ln->lock);
	spin_lock_bh(&ln->owned_lock);
	list_splice_init(&ln->clients, &gone);
	spin_unlock_bh(&ln->owned_lock);
	list_for_each_entry_safe(c, tmp, &gone, node)
		l2tpi_client_free(net, c);
	mutex_unlock(&ln->lock);
}
