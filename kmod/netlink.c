// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of the l2tp_ipsec generic netlink family: what each one does. The
 * family, its events and the message parts replies share with them are event.c's.
 *
 * netlink/l2tp_ipsec.yaml documents the protocol; the attribute policies and the op
 * table (netlink-gen.c) and include/uapi/linux/l2tp_ipsec.h are generated from it.
 * The family uses one global policy (genetlink-legacy, so that it builds on 6.1,
 * which has no split ops): each handler refuses the top-level attributes it does not
 * take, and each nest is validated by its own policy before a handler runs.
 *
 * Every command needs CAP_NET_ADMIN in the user namespace of the socket's network
 * namespace (GENL_UNS_ADMIN_PERM).
 *
 * Locking: configuration changes and client connections take l2tpi_net.lock (a
 * mutex: handlers run in process context); dumps read under owned_lock or the tunnel
 * registry's lock and copy out before filling the message.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/xfrm.h>

#include "client.h"
#include "footprint.h"
#include "probe.h"
#include "event.h"
#include "netlink-gen.h"
#include "netns.h"
#include "owned.h"
#include "tunnel.h"

/* Refuse every top-level attribute but @want (0: none). */
static int l2tpi_nl_only(struct nlattr **attrs, int want, struct netlink_ext_ack *extack)
{
	int i;

	for (i = 1; i <= l2tpi_nl_family.maxattr; i++) {
		if (attrs[i] && i != want) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[i],
					    "attribute not valid for this command");
			return -EINVAL;
		}
	}
	return 0;
}

/* Dumps take no attributes (the family policy has already validated any there). */
static int l2tpi_nl_dump_check(struct netlink_callback *cb)
{
	if (nlmsg_len(cb->nlh) > GENL_HDRLEN) {
		NL_SET_ERR_MSG(cb->extack, "this dump takes no attributes");
		return -EINVAL;
	}
	return 0;
}

/* The header of one message of a dump reply. */
static void *l2tpi_nl_dump_hdr(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &l2tpi_nl_family, NLM_F_MULTI, cmd);
}

static int l2tpi_nl_put_config(struct sk_buff *skb, struct net *net,
			       const struct l2tpi_config *cfg)
{
	struct nlattr *nest = nla_nest_start(skb, L2TP_IPSEC_A_CONFIG);
	char why[L2TPI_UNARMED_LEN];
	bool armed = l2tpi_probe_status(why, sizeof(why));

	if (!nest ||
	    nla_put_u8(skb, L2TP_IPSEC_A_CONFIG_SERVER, cfg->server) ||
	    nla_put_be16(skb, L2TP_IPSEC_A_CONFIG_PORT, htons(cfg->port)) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CONFIG_REQID, cfg->reqid) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CONFIG_PRIORITY, cfg->priority) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CONFIG_LEVEL, cfg->level) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH, cfg->auto_attach) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_CONFIG_RESTORE, cfg->restore) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CONFIG_MAX_TUNNELS, cfg->max_tunnels) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_CONFIG_ARMED, armed) ||
	    (!armed && nla_put_string(skb, L2TP_IPSEC_A_CONFIG_UNARMED_REASON, why)) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_CONFIG_GUARD, l2tpi_footprint_on(net)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static void l2tpi_nl_get_config(struct net *net, struct l2tpi_config *cfg)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	spin_lock_bh(&ln->owned_lock);
	*cfg = ln->cfg;
	spin_unlock_bh(&ln->owned_lock);
}

static void l2tpi_nl_config_event(struct net *net, const struct l2tpi_config *cfg)
{
	struct sk_buff *skb;
	void *hdr;

	skb = l2tpi_event_new(net, L2TP_IPSEC_CMD_CONFIG_NTF, &hdr);
	if (!skb)
		return;
	if (l2tpi_nl_put_config(skb, net, cfg))
		l2tpi_event_drop(skb);
	else
		l2tpi_event_send(net, skb, hdr);
}

int l2tp_ipsec_nl_config_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct l2tpi_config cfg;
	void *hdr;
	int err;

	err = l2tpi_nl_dump_check(cb);
	if (err || cb->args[0])
		return err;
	l2tpi_nl_get_config(net, &cfg);
	hdr = l2tpi_nl_dump_hdr(skb, cb, L2TP_IPSEC_CMD_CONFIG_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (l2tpi_nl_put_config(skb, net, &cfg)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	cb->args[0] = 1;
	return skb->len;
}

int l2tp_ipsec_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[L2TP_IPSEC_A_CONFIG_MAX + 1];
	struct net *net = genl_info_net(info);
	struct l2tpi_net *ln = l2tpi_net(net);
	struct l2tpi_config cfg;
	bool changed;
	int err, i;

	err = l2tpi_nl_only(info->attrs, L2TP_IPSEC_A_CONFIG, info->extack);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, L2TP_IPSEC_A_CONFIG))
		return -EINVAL;
	err = nla_parse_nested(tb, L2TP_IPSEC_A_CONFIG_MAX, info->attrs[L2TP_IPSEC_A_CONFIG],
			       l2tp_ipsec_config_nl_policy, info->extack);
	if (err)
		return err;
	for (i = L2TP_IPSEC_A_CONFIG_ARMED; i <= L2TP_IPSEC_A_CONFIG_GUARD; i++) {
		if (tb[i]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[i], "read-only attribute");
			return -EINVAL;
		}
	}
	if (tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH] &&
	    nla_get_u8(tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH]) && !l2tpi_netns_auto_attach_ok()) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH],
				    "the module was loaded with auto_attach=0");
		return -EOPNOTSUPP;
	}

	mutex_lock(&ln->lock);
	cfg = ln->cfg;
	if (tb[L2TP_IPSEC_A_CONFIG_SERVER])
		cfg.server = nla_get_u8(tb[L2TP_IPSEC_A_CONFIG_SERVER]);
	if (tb[L2TP_IPSEC_A_CONFIG_PORT])
		cfg.port = ntohs(nla_get_be16(tb[L2TP_IPSEC_A_CONFIG_PORT]));
	if (tb[L2TP_IPSEC_A_CONFIG_REQID])
		cfg.reqid = nla_get_u32(tb[L2TP_IPSEC_A_CONFIG_REQID]);
	if (tb[L2TP_IPSEC_A_CONFIG_PRIORITY])
		cfg.priority = nla_get_u32(tb[L2TP_IPSEC_A_CONFIG_PRIORITY]);
	if (tb[L2TP_IPSEC_A_CONFIG_LEVEL])
		cfg.level = nla_get_u32(tb[L2TP_IPSEC_A_CONFIG_LEVEL]);
	if (tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH])
		cfg.auto_attach = nla_get_u8(tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH]);
	if (tb[L2TP_IPSEC_A_CONFIG_RESTORE])
		cfg.restore = nla_get_u8(tb[L2TP_IPSEC_A_CONFIG_RESTORE]);
	if (tb[L2TP_IPSEC_A_CONFIG_MAX_TUNNELS])
		cfg.max_tunnels = nla_get_u32(tb[L2TP_IPSEC_A_CONFIG_MAX_TUNNELS]);
	changed = memcmp(&cfg, &ln->cfg, sizeof(cfg));
	err = changed ? l2tpi_netns_configure_locked(net, &cfg, info->extack) : 0;
	mutex_unlock(&ln->lock);
	if (err)
		return err;
	if (changed)
		l2tpi_nl_config_event(net, &cfg);
	return 0;
}

/* The server address and sport of a client request; @lifetime may be NULL (del). */
static int l2tpi_nl_parse_client(struct genl_info *info, struct net *net,
				 unsigned short *family, xfrm_address_t *server, u16 *sport,
				 enum l2tpi_client_lifetime *lifetime)
{
	struct nlattr *tb[L2TP_IPSEC_A_CLIENT_MAX + 1];
	struct nlattr *nest = info->attrs[L2TP_IPSEC_A_CLIENT];
	struct l2tpi_config cfg;
	int err;

	err = l2tpi_nl_only(info->attrs, L2TP_IPSEC_A_CLIENT, info->extack);
	if (err)
		return err;
	if (GENL_REQ_ATTR_CHECK(info, L2TP_IPSEC_A_CLIENT))
		return -EINVAL;
	err = nla_parse_nested(tb, L2TP_IPSEC_A_CLIENT_MAX, nest, l2tp_ipsec_client_nl_policy,
			       info->extack);
	if (err)
		return err;
	if (tb[L2TP_IPSEC_A_CLIENT_TUNNELS] || tb[L2TP_IPSEC_A_CLIENT_POLICY_INDEX] ||
	    (!lifetime && tb[L2TP_IPSEC_A_CLIENT_LIFETIME])) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[L2TP_IPSEC_A_CLIENT_TUNNELS] ?:
				    tb[L2TP_IPSEC_A_CLIENT_POLICY_INDEX] ?:
				    tb[L2TP_IPSEC_A_CLIENT_LIFETIME],
				    "attribute not valid for this command");
		return -EINVAL;
	}
	if (!tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4] == !tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "exactly one of server-ipv4 and server-ipv6 is needed");
		return -EINVAL;
	}
	memset(server, 0, sizeof(*server));
	if (tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4]) {
		*family = AF_INET;
		server->a4 = nla_get_in_addr(tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4]);
	} else {
		*family = AF_INET6;
		server->in6 = nla_get_in6_addr(tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV6]);
	}
	if (xfrm_addr_any(server, *family)) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4] ?:
				    tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV6],
				    "the server address must not be the any address");
		return -EINVAL;
	}
	l2tpi_nl_get_config(net, &cfg);
	*sport = tb[L2TP_IPSEC_A_CLIENT_SPORT] ?
		 ntohs(nla_get_be16(tb[L2TP_IPSEC_A_CLIENT_SPORT])) : cfg.port;
	if (lifetime)
		*lifetime = tb[L2TP_IPSEC_A_CLIENT_LIFETIME] ?
			    nla_get_u32(tb[L2TP_IPSEC_A_CLIENT_LIFETIME]) :
			    L2TPI_CLIENT_CONNECTION;
	return 0;
}

/*
 * client-add, client-del and client-negotiate: the connection the request names, then
 * what @cmd does to it. The extended ACK says why a command failed.
 */
static int l2tpi_nl_client_doit(struct genl_info *info, u8 cmd)
{
	struct net *net = genl_info_net(info);
	enum l2tpi_client_lifetime lifetime;
	bool add = cmd == L2TP_IPSEC_CMD_CLIENT_ADD;
	unsigned short family;
	xfrm_address_t server;
	u16 sport;
	int err;

	err = l2tpi_nl_parse_client(info, net, &family, &server, &sport,
				    add ? &lifetime : NULL);
	if (err)
		return err;
	switch (cmd) {
	case L2TP_IPSEC_CMD_CLIENT_ADD:
		err = l2tpi_footprint_hold(net);	/* the guard, before the policies */
		if (!err)
			err = l2tpi_client_add(net, family, &server, sport, lifetime);
		l2tpi_footprint_release(net);
		if (err == -EEXIST)
			NL_SET_ERR_MSG(info->extack, "client connection already declared");
		else if (err)
			NL_SET_ERR_MSG(info->extack, "cannot install the client policies");
		return err;
	case L2TP_IPSEC_CMD_CLIENT_DEL:
		err = l2tpi_client_del(net, family, &server, sport);
		if (!err)
			l2tpi_footprint_settle(net);	/* the reply shows the guard gone */
		break;
	default:	/* L2TP_IPSEC_CMD_CLIENT_NEGOTIATE */
		err = l2tpi_client_negotiate(net, family, &server, sport);
		if (err && err != -ENOENT)
			NL_SET_ERR_MSG(info->extack, "no route to the server, or a block policy");
		break;
	}
	if (err == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such client connection");
	return err;
}

int l2tp_ipsec_nl_client_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return l2tpi_nl_client_doit(info, L2TP_IPSEC_CMD_CLIENT_ADD);
}

int l2tp_ipsec_nl_client_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return l2tpi_nl_client_doit(info, L2TP_IPSEC_CMD_CLIENT_DEL);
}

int l2tp_ipsec_nl_client_negotiate_doit(struct sk_buff *skb, struct genl_info *info)
{
	return l2tpi_nl_client_doit(info, L2TP_IPSEC_CMD_CLIENT_NEGOTIATE);
}

/* The SPD index of @o's policy, 0 when it is not in. Context: @ln's owned_lock held. */
static u32 l2tpi_nl_owned_index(struct l2tpi_net *ln, const struct l2tpi_owned *o)
{
	lockdep_assert_held(&ln->owned_lock);
	return o && o->pol && l2tpi_policy_alive(o->pol) ? o->pol->index : 0;
}

/* A client connection as the dump shows it, copied out of the list. */
struct l2tpi_nl_client {
	unsigned short family;
	xfrm_address_t server;
	u16 sport, dport;
	enum l2tpi_client_lifetime lifetime;
	unsigned int tunnels;
	u32 index[2];
};

/* Copy the @n-th client connection of @ln (from 0) to @ci. Return: false past the end. */
static bool l2tpi_nl_client_nth(struct l2tpi_net *ln, long n, struct l2tpi_nl_client *ci)
{
	struct l2tpi_client *c;
	bool found = false;

	spin_lock_bh(&ln->owned_lock);
	list_for_each_entry(c, &ln->clients, node) {
		if (n--)
			continue;
		*ci = (struct l2tpi_nl_client) {
			.family = c->family, .server = c->server, .sport = c->sport,
			.dport = ln->cfg.port, .lifetime = c->lifetime, .tunnels = c->tunnels,
			.index = { l2tpi_nl_owned_index(ln, c->own[XFRM_POLICY_OUT]),
				   l2tpi_nl_owned_index(ln, c->own[XFRM_POLICY_IN]) },
		};
		found = true;
		break;
	}
	spin_unlock_bh(&ln->owned_lock);
	return found;
}

/* Context: process (the SAs' local address comes from a route lookup). */
static int l2tpi_nl_put_client(struct sk_buff *skb, struct net *net,
			       const struct l2tpi_nl_client *ci)
{
	struct nlattr *nest = nla_nest_start(skb, L2TP_IPSEC_A_CLIENT);
	xfrm_address_t local;

	if (!nest ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_CLIENT_SERVER_IPV4,
				 L2TP_IPSEC_A_CLIENT_SERVER_IPV6, ci->family, &ci->server) ||
	    nla_put_be16(skb, L2TP_IPSEC_A_CLIENT_SPORT, htons(ci->sport)) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CLIENT_LIFETIME, ci->lifetime) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CLIENT_TUNNELS, ci->tunnels) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CLIENT_POLICY_INDEX, ci->index[XFRM_POLICY_OUT]) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_CLIENT_POLICY_INDEX, ci->index[XFRM_POLICY_IN]))
		return -EMSGSIZE;
	/* no route: @local stays zero, and both SAs show as none */
	l2tpi_client_local(net, ci->family, &ci->server, ci->sport, ci->dport, &local);
	if (l2tpi_event_put_sa(skb, net, L2TP_IPSEC_A_CLIENT_SA, L2TP_IPSEC_DIR_OUT, ci->family,
			       &local, &ci->server, NULL) ||
	    l2tpi_event_put_sa(skb, net, L2TP_IPSEC_A_CLIENT_SA, L2TP_IPSEC_DIR_IN, ci->family,
			       &ci->server, &local, NULL))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int l2tp_ipsec_nl_client_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct l2tpi_nl_client ci;
	void *hdr;
	int err;

	err = l2tpi_nl_dump_check(cb);
	if (err)
		return err;
	/* Each connection is copied out first: the SA lookups take xfrm's state lock. */
	while (l2tpi_nl_client_nth(l2tpi_net(net), cb->args[0], &ci)) {
		hdr = l2tpi_nl_dump_hdr(skb, cb, L2TP_IPSEC_CMD_CLIENT_GET);
		if (!hdr)
			break;
		if (l2tpi_nl_put_client(skb, net, &ci)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0]++;
	}
	return skb->len;
}

/* The dump's last message: how many tunnels auto-attach refused, by reason. */
static int l2tpi_nl_put_refused(struct sk_buff *skb, struct netlink_callback *cb,
				struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	struct nlattr *nest;
	void *hdr;

	hdr = l2tpi_nl_dump_hdr(skb, cb, L2TP_IPSEC_CMD_TUNNEL_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, L2TP_IPSEC_A_REFUSED);
	if (!nest ||
	    nla_put_u32(skb, L2TP_IPSEC_A_REFUSED_UNPRIVILEGED,
			atomic_read(&ln->refused[L2TP_IPSEC_REFUSAL_UNPRIVILEGED])) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_REFUSED_INEXACT,
			atomic_read(&ln->refused[L2TP_IPSEC_REFUSAL_INEXACT])) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_REFUSED_LIMIT,
			atomic_read(&ln->refused[L2TP_IPSEC_REFUSAL_LIMIT]))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

int l2tp_ipsec_nl_tunnel_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct l2tpi_tunnel_info ti;
	unsigned long pos = cb->args[0], next = pos;
	bool more;
	void *hdr;
	int err;

	err = l2tpi_nl_dump_check(cb);
	if (err)
		return err;
	if (cb->args[1])
		return 0;	/* the refused counters went out: done */
	/* Each tunnel is copied out first: the SA lookups take xfrm's state lock. */
	while ((more = l2tpi_tunnel_next(net, &next, &ti))) {
		hdr = l2tpi_nl_dump_hdr(skb, cb, L2TP_IPSEC_CMD_TUNNEL_GET);
		if (!hdr)
			break;
		if (l2tpi_event_put_tunnel(skb, net, &ti, true)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		pos = next;
	}
	cb->args[0] = pos;
	/* All tunnels out: the counters, last. */
	if (!more && !l2tpi_nl_put_refused(skb, cb, net))
		cb->args[1] = 1;
	return skb->len;
}

static int l2tpi_nl_put_policy(struct sk_buff *skb, struct l2tpi_net *ln,
			       const struct l2tpi_owned *o)
{
	const struct l2tpi_pol_spec *s = &o->spec;
	struct nlattr *nest = nla_nest_start(skb, L2TP_IPSEC_A_POLICY);

	if (!nest ||
	    nla_put_u32(skb, L2TP_IPSEC_A_POLICY_INDEX, l2tpi_nl_owned_index(ln, o)) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_POLICY_DIR, s->dir) ||
	    nla_put_u16(skb, L2TP_IPSEC_A_POLICY_FAMILY, s->family) ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_POLICY_SRC_IPV4, L2TP_IPSEC_A_POLICY_SRC_IPV6,
				 s->family, &s->saddr) ||
	    l2tpi_event_put_addr(skb, L2TP_IPSEC_A_POLICY_DST_IPV4, L2TP_IPSEC_A_POLICY_DST_IPV6,
				 s->family, &s->daddr) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN, s->prefixlen_s) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_POLICY_DST_PREFIXLEN, s->prefixlen_d) ||
	    nla_put_u8(skb, L2TP_IPSEC_A_POLICY_PROTO, IPPROTO_UDP) ||
	    (s->sport && nla_put_be16(skb, L2TP_IPSEC_A_POLICY_SPORT, s->sport)) ||
	    (s->dport && nla_put_be16(skb, L2TP_IPSEC_A_POLICY_DPORT, s->dport)) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_POLICY_MARK, s->mark) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_POLICY_PRIORITY, s->priority) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_POLICY_ORIGIN, o->origin) ||
	    nla_put_u32(skb, L2TP_IPSEC_A_POLICY_OWNERS, o->owners))
		return -EMSGSIZE;
	if (s->block ? nla_put_flag(skb, L2TP_IPSEC_A_POLICY_BLOCK) :
		       nla_put_u32(skb, L2TP_IPSEC_A_POLICY_REQID, s->reqid) ||
		       nla_put_u32(skb, L2TP_IPSEC_A_POLICY_LEVEL,
				   s->optional ? L2TP_IPSEC_LEVEL_USE : L2TP_IPSEC_LEVEL_REQUIRE))
		return -EMSGSIZE;
	if (o->state == -EEXIST && nla_put_flag(skb, L2TP_IPSEC_A_POLICY_SHADOWED))
		return -EMSGSIZE;
	if (o->state && o->state != -EEXIST &&
	    nla_put_s32(skb, L2TP_IPSEC_A_POLICY_ERROR, o->state))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int l2tp_ipsec_nl_policy_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l2tpi_net *ln = l2tpi_net(sock_net(skb->sk));
	unsigned long idx;
	struct l2tpi_owned *o;
	void *hdr;
	int err;

	err = l2tpi_nl_dump_check(cb);
	if (err)
		return err;
	/* In entry id order from where the last part stopped (cb->args[0]: the next id). */
	rcu_read_lock();
	xa_for_each_start(&ln->owned_xa, idx, o, cb->args[0]) {
		/* Filling only writes into @skb: fine under the BH-safe spinlock. */
		spin_lock_bh(&ln->owned_lock);
		if (o->dead) {
			spin_unlock_bh(&ln->owned_lock);
			continue;
		}
		hdr = l2tpi_nl_dump_hdr(skb, cb, L2TP_IPSEC_CMD_POLICY_GET);
		if (hdr && l2tpi_nl_put_policy(skb, ln, o)) {
			genlmsg_cancel(skb, hdr);
			hdr = NULL;
		}
		spin_unlock_bh(&ln->owned_lock);
		if (!hdr)
			goto full;
		genlmsg_end(skb, hdr);
	}
	idx = ULONG_MAX;
full:
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;
}

