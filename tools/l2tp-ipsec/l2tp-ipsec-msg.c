// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec: netlink messages without a socket. Builds the requests of the
 * l2tp_ipsec family, parses what comes back (l2tp_ipsec messages into struct
 * lipsec_msg, NLMSG_ERROR and NLMSG_DONE with their extended ACK), and collects the
 * replies of one request. (nlctrl's family lookup is tools/lib/genl.c.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/l2tp_ipsec.h>

#include "l2tp-ipsec.h"

int lipsec_buf_add(struct lipsec_buf *b, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	size_t cap;
	char *p;

	if (b->len + len > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return -1;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, nlh, nlh->nlmsg_len);
	memset(b->data + b->len + nlh->nlmsg_len, 0, len - nlh->nlmsg_len);
	b->len += len;
	return 0;
}

void lipsec_buf_free(struct lipsec_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

const struct nlmsghdr *lipsec_buf_next(const struct lipsec_buf *b,
				       const struct nlmsghdr *nlh)
{
	size_t off = nlh ? (const char *)nlh - b->data + NLMSG_ALIGN(nlh->nlmsg_len) : 0;

	if (off + sizeof(*nlh) > b->len)
		return NULL;
	return (const struct nlmsghdr *)(b->data + off);
}

struct nlmsghdr *lipsec_put_header(void *buf, uint16_t family, uint8_t cmd,
				   uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* Attribute padding included: nothing uninitialised goes to the kernel. */
	memset(buf, 0, LIPSEC_MSG_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = L2TP_IPSEC_GENL_VERSION;
	return nlh;
}

void lipsec_put_config(struct nlmsghdr *nlh, const struct lipsec_config *cfg)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CONFIG);

	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_SERVER))
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_SERVER, cfg->server);
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_PORT))
		mnl_attr_put_u16(nlh, L2TP_IPSEC_A_CONFIG_PORT, htons(cfg->port));
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_REQID))
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_REQID, cfg->reqid);
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_PRIORITY))
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_PRIORITY, cfg->priority);
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_LEVEL))
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_LEVEL, cfg->level);
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH))
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH, cfg->auto_attach);
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_RESTORE))
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_RESTORE, cfg->restore);
	if (LIPSEC_HAS(cfg, L2TP_IPSEC_A_CONFIG_MAX_TUNNELS))
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_MAX_TUNNELS, cfg->max_tunnels);
	mnl_attr_nest_end(nlh, nest);
}

void lipsec_put_client(struct nlmsghdr *nlh, const struct lipsec_client *c)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CLIENT);

	if (c->server.family == AF_INET)
		mnl_attr_put(nlh, L2TP_IPSEC_A_CLIENT_SERVER_IPV4, sizeof(c->server.v4),
			     &c->server.v4);
	else if (c->server.family == AF_INET6)
		mnl_attr_put(nlh, L2TP_IPSEC_A_CLIENT_SERVER_IPV6, sizeof(c->server.v6),
			     &c->server.v6);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_SPORT))
		mnl_attr_put_u16(nlh, L2TP_IPSEC_A_CLIENT_SPORT, htons(c->sport));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_LIFETIME))
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_LIFETIME, c->lifetime);
	mnl_attr_nest_end(nlh, nest);
}

uint8_t lipsec_req_cmd(const struct lipsec_req *req)
{
	switch (req->action) {
	case LIPSEC_CONFIG_SHOW:
		return L2TP_IPSEC_CMD_CONFIG_GET;
	case LIPSEC_CONFIG_SET:
		return L2TP_IPSEC_CMD_CONFIG_SET;
	case LIPSEC_CLIENT_ADD:
		return L2TP_IPSEC_CMD_CLIENT_ADD;
	case LIPSEC_CLIENT_DEL:
		return L2TP_IPSEC_CMD_CLIENT_DEL;
	case LIPSEC_CLIENT_SHOW:
		return L2TP_IPSEC_CMD_CLIENT_GET;
	case LIPSEC_CLIENT_NEGOTIATE:
		return L2TP_IPSEC_CMD_CLIENT_NEGOTIATE;
	case LIPSEC_TUNNEL_SHOW:
		return L2TP_IPSEC_CMD_TUNNEL_GET;
	case LIPSEC_POLICY_SHOW:
		return L2TP_IPSEC_CMD_POLICY_GET;
	default:
		return 0;
	}
}

struct nlmsghdr *lipsec_build_request(void *buf, const struct lipsec_req *req,
				      uint16_t family, uint32_t seq)
{
	struct nlmsghdr *nlh = lipsec_put_header(buf, family, lipsec_req_cmd(req),
						 NLM_F_REQUEST | NLM_F_ACK, seq);

	if (req->action == LIPSEC_CONFIG_SET)
		lipsec_put_config(nlh, &req->config);
	else if (req->action == LIPSEC_CLIENT_ADD || req->action == LIPSEC_CLIENT_DEL ||
		 req->action == LIPSEC_CLIENT_NEGOTIATE)
		lipsec_put_client(nlh, &req->client);
	return nlh;
}

struct nlmsghdr *lipsec_build_dump(void *buf, uint16_t family, uint8_t cmd, uint32_t seq)
{
	return lipsec_put_header(buf, family, cmd, NLM_F_REQUEST | NLM_F_DUMP, seq);
}

/* What an attribute must look like; anything else is ignored. */
enum kind { K_NONE, K_U8, K_U16, K_U32, K_S32, K_U64, K_IN6, K_FLAG, K_NEST, K_STR };

static const uint8_t config_pol[L2TP_IPSEC_A_CONFIG_MAX + 1] = {
	[L2TP_IPSEC_A_CONFIG_SERVER] = K_U8,
	[L2TP_IPSEC_A_CONFIG_PORT] = K_U16,
	[L2TP_IPSEC_A_CONFIG_REQID] = K_U32,
	[L2TP_IPSEC_A_CONFIG_PRIORITY] = K_U32,
	[L2TP_IPSEC_A_CONFIG_LEVEL] = K_U32,
	[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH] = K_U8,
	[L2TP_IPSEC_A_CONFIG_RESTORE] = K_U8,
	[L2TP_IPSEC_A_CONFIG_MAX_TUNNELS] = K_U32,
	[L2TP_IPSEC_A_CONFIG_ARMED] = K_U8,
	[L2TP_IPSEC_A_CONFIG_UNARMED_REASON] = K_STR,
	[L2TP_IPSEC_A_CONFIG_GUARD] = K_U8,
};

static const uint8_t client_pol[L2TP_IPSEC_A_CLIENT_MAX + 1] = {
	[L2TP_IPSEC_A_CLIENT_SERVER_IPV4] = K_U32,
	[L2TP_IPSEC_A_CLIENT_SERVER_IPV6] = K_IN6,
	[L2TP_IPSEC_A_CLIENT_SPORT] = K_U16,
	[L2TP_IPSEC_A_CLIENT_LIFETIME] = K_U32,
	[L2TP_IPSEC_A_CLIENT_TUNNELS] = K_U32,
	[L2TP_IPSEC_A_CLIENT_POLICY_INDEX] = K_U32,
	[L2TP_IPSEC_A_CLIENT_SA] = K_NEST,
};

static const uint8_t sa_pol[L2TP_IPSEC_A_SA_MAX + 1] = {
	[L2TP_IPSEC_A_SA_DIR] = K_U32,
	[L2TP_IPSEC_A_SA_STATE] = K_U32,
	[L2TP_IPSEC_A_SA_SPI] = K_U32,
	[L2TP_IPSEC_A_SA_REQID] = K_U32,
	[L2TP_IPSEC_A_SA_BYTES] = K_U64,
	[L2TP_IPSEC_A_SA_PACKETS] = K_U64,
	[L2TP_IPSEC_A_SA_ENCAP_SPORT] = K_U16,
	[L2TP_IPSEC_A_SA_ENCAP_DPORT] = K_U16,
};

static const uint8_t tunnel_pol[L2TP_IPSEC_A_TUNNEL_MAX + 1] = {
	[L2TP_IPSEC_A_TUNNEL_ID] = K_U32,
	[L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4] = K_U32,
	[L2TP_IPSEC_A_TUNNEL_LOCAL_IPV6] = K_IN6,
	[L2TP_IPSEC_A_TUNNEL_PEER_IPV4] = K_U32,
	[L2TP_IPSEC_A_TUNNEL_PEER_IPV6] = K_IN6,
	[L2TP_IPSEC_A_TUNNEL_LOCAL_PORT] = K_U16,
	[L2TP_IPSEC_A_TUNNEL_PEER_PORT] = K_U16,
	[L2TP_IPSEC_A_TUNNEL_POLICY_INDEX] = K_U32,
	[L2TP_IPSEC_A_TUNNEL_SA] = K_NEST,
	[L2TP_IPSEC_A_TUNNEL_BOUND_SPI] = K_U32,
	[L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT] = K_U16,
	[L2TP_IPSEC_A_TUNNEL_FOREIGN] = K_U32,
};

static const uint8_t refused_pol[L2TP_IPSEC_A_REFUSED_MAX + 1] = {
	[L2TP_IPSEC_A_REFUSED_UNPRIVILEGED] = K_U32,
	[L2TP_IPSEC_A_REFUSED_INEXACT] = K_U32,
	[L2TP_IPSEC_A_REFUSED_LIMIT] = K_U32,
};

static const uint8_t policy_pol[L2TP_IPSEC_A_POLICY_MAX + 1] = {
	[L2TP_IPSEC_A_POLICY_INDEX] = K_U32,
	[L2TP_IPSEC_A_POLICY_DIR] = K_U32,
	[L2TP_IPSEC_A_POLICY_FAMILY] = K_U16,
	[L2TP_IPSEC_A_POLICY_SRC_IPV4] = K_U32,
	[L2TP_IPSEC_A_POLICY_SRC_IPV6] = K_IN6,
	[L2TP_IPSEC_A_POLICY_DST_IPV4] = K_U32,
	[L2TP_IPSEC_A_POLICY_DST_IPV6] = K_IN6,
	[L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN] = K_U8,
	[L2TP_IPSEC_A_POLICY_DST_PREFIXLEN] = K_U8,
	[L2TP_IPSEC_A_POLICY_PROTO] = K_U8,
	[L2TP_IPSEC_A_POLICY_SPORT] = K_U16,
	[L2TP_IPSEC_A_POLICY_DPORT] = K_U16,
	[L2TP_IPSEC_A_POLICY_MARK] = K_U32,
	[L2TP_IPSEC_A_POLICY_PRIORITY] = K_U32,
	[L2TP_IPSEC_A_POLICY_BLOCK] = K_FLAG,
	[L2TP_IPSEC_A_POLICY_REQID] = K_U32,
	[L2TP_IPSEC_A_POLICY_LEVEL] = K_U32,
	[L2TP_IPSEC_A_POLICY_ORIGIN] = K_U32,
	[L2TP_IPSEC_A_POLICY_OWNERS] = K_U32,
	[L2TP_IPSEC_A_POLICY_SHADOWED] = K_FLAG,
	[L2TP_IPSEC_A_POLICY_ERROR] = K_S32,
};

static const uint8_t acquire_pol[L2TP_IPSEC_A_ACQUIRE_MAX + 1] = {
	[L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX] = K_U32,
	[L2TP_IPSEC_A_ACQUIRE_DIR] = K_U32,
	[L2TP_IPSEC_A_ACQUIRE_REQID] = K_U32,
	[L2TP_IPSEC_A_ACQUIRE_SRC_IPV4] = K_U32,
	[L2TP_IPSEC_A_ACQUIRE_SRC_IPV6] = K_IN6,
	[L2TP_IPSEC_A_ACQUIRE_DST_IPV4] = K_U32,
	[L2TP_IPSEC_A_ACQUIRE_DST_IPV6] = K_IN6,
	[L2TP_IPSEC_A_ACQUIRE_SPORT] = K_U16,
	[L2TP_IPSEC_A_ACQUIRE_DPORT] = K_U16,
};

static const uint8_t top_pol[L2TP_IPSEC_A_MAX + 1] = {
	[L2TP_IPSEC_A_CONFIG] = K_NEST,
	[L2TP_IPSEC_A_CLIENT] = K_NEST,
	[L2TP_IPSEC_A_TUNNEL] = K_NEST,
	[L2TP_IPSEC_A_POLICY] = K_NEST,
	[L2TP_IPSEC_A_RESTORED] = K_U32,
	[L2TP_IPSEC_A_ACQUIRE] = K_NEST,
	[L2TP_IPSEC_A_REFUSED] = K_NEST,
	[L2TP_IPSEC_A_REFUSAL] = K_U32,
};

/* The attribute's type if pol knows it and its length fits, else 0. */
static unsigned int attr_type(const struct nlattr *a, const uint8_t *pol, unsigned int max)
{
	unsigned int type = mnl_attr_get_type(a);
	size_t len = mnl_attr_get_payload_len(a);
	bool ok;

	if (!type || type > max)
		return 0;
	switch (pol[type]) {
	case K_U8:
		ok = len == 1;
		break;
	case K_U16:
		ok = len == 2;
		break;
	case K_U32:
	case K_S32:
		ok = len == 4;
		break;
	case K_U64:
		/* nla_put_uint() sends 4 bytes when the value fits. */
		ok = len == 8 || len == 4;
		break;
	case K_IN6:
		ok = len == 16;
		break;
	case K_FLAG:
		ok = len == 0;
		break;
	case K_NEST:
		ok = true;
		break;
	case K_STR:
		/* NUL-terminated, as NLA_NUL_STRING sends it. */
		ok = len && !((const char *)mnl_attr_get_payload(a))[len - 1];
		break;
	default:
		ok = false;
	}
	return ok ? type : 0;
}

static uint64_t get_u64(const struct nlattr *a)
{
	return mnl_attr_get_payload_len(a) == 8 ? mnl_attr_get_u64(a) : mnl_attr_get_u32(a);
}

static uint16_t get_be16(const struct nlattr *a)
{
	return ntohs(mnl_attr_get_u16(a));
}

/* A K_STR attribute into buf (cut to fit). */
static void get_str(const struct nlattr *a, char *buf, size_t size)
{
	snprintf(buf, size, "%s", mnl_attr_get_str(a));
}

static void get_addr(const struct nlattr *a, int family, struct lipsec_addr *addr)
{
	addr->family = family;
	if (family == AF_INET)
		memcpy(&addr->v4, mnl_attr_get_payload(a), sizeof(addr->v4));
	else
		memcpy(&addr->v6, mnl_attr_get_payload(a), sizeof(addr->v6));
}

#define for_each_valid(a, nest, pol, type) \
	mnl_attr_for_each_nested(a, nest) \
		if (((type) = attr_type(a, pol, sizeof(pol) - 1)))

static void parse_config(const struct nlattr *nest, struct lipsec_config *c)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, config_pol, t) {
		c->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_CONFIG_SERVER:
			c->server = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_CONFIG_PORT:
			c->port = get_be16(a);
			break;
		case L2TP_IPSEC_A_CONFIG_REQID:
			c->reqid = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_CONFIG_PRIORITY:
			c->priority = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_CONFIG_LEVEL:
			c->level = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_CONFIG_AUTO_ATTACH:
			c->auto_attach = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_CONFIG_RESTORE:
			c->restore = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_CONFIG_MAX_TUNNELS:
			c->max_tunnels = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_CONFIG_ARMED:
			c->armed = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_CONFIG_UNARMED_REASON:
			get_str(a, c->unarmed_reason, sizeof(c->unarmed_reason));
			break;
		case L2TP_IPSEC_A_CONFIG_GUARD:
			c->guard = mnl_attr_get_u8(a);
			break;
		}
	}
}

static void add_index(uint32_t *index, unsigned int *n, const struct nlattr *a)
{
	if (*n < LIPSEC_MAX_INDEX)
		index[*n] = mnl_attr_get_u32(a);
	(*n)++;
}

static void parse_sa(const struct nlattr *nest, struct lipsec_sa *sa);

static void parse_client(const struct nlattr *nest, struct lipsec_client *c)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, client_pol, t) {
		c->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_CLIENT_SERVER_IPV4:
			get_addr(a, AF_INET, &c->server);
			break;
		case L2TP_IPSEC_A_CLIENT_SERVER_IPV6:
			get_addr(a, AF_INET6, &c->server);
			break;
		case L2TP_IPSEC_A_CLIENT_SPORT:
			c->sport = get_be16(a);
			break;
		case L2TP_IPSEC_A_CLIENT_LIFETIME:
			c->lifetime = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_CLIENT_TUNNELS:
			c->tunnels = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_CLIENT_POLICY_INDEX:
			add_index(c->index, &c->n_index, a);
			break;
		case L2TP_IPSEC_A_CLIENT_SA:
			if (c->n_sa < LIPSEC_MAX_SA)
				parse_sa(a, &c->sa[c->n_sa++]);
			break;
		}
	}
}

static void parse_sa(const struct nlattr *nest, struct lipsec_sa *sa)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, sa_pol, t) {
		sa->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_SA_DIR:
			sa->dir = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_SA_STATE:
			sa->state = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_SA_SPI:
			sa->spi = ntohl(mnl_attr_get_u32(a));
			break;
		case L2TP_IPSEC_A_SA_REQID:
			sa->reqid = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_SA_BYTES:
			sa->bytes = get_u64(a);
			break;
		case L2TP_IPSEC_A_SA_PACKETS:
			sa->packets = get_u64(a);
			break;
		case L2TP_IPSEC_A_SA_ENCAP_SPORT:
			sa->encap_sport = get_be16(a);
			break;
		case L2TP_IPSEC_A_SA_ENCAP_DPORT:
			sa->encap_dport = get_be16(a);
			break;
		}
	}
}

static void parse_tunnel(const struct nlattr *nest, struct lipsec_tunnel *tun)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, tunnel_pol, t) {
		tun->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_TUNNEL_ID:
			tun->id = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4:
			get_addr(a, AF_INET, &tun->local);
			break;
		case L2TP_IPSEC_A_TUNNEL_LOCAL_IPV6:
			get_addr(a, AF_INET6, &tun->local);
			break;
		case L2TP_IPSEC_A_TUNNEL_PEER_IPV4:
			get_addr(a, AF_INET, &tun->peer);
			break;
		case L2TP_IPSEC_A_TUNNEL_PEER_IPV6:
			get_addr(a, AF_INET6, &tun->peer);
			break;
		case L2TP_IPSEC_A_TUNNEL_LOCAL_PORT:
			tun->local_port = get_be16(a);
			break;
		case L2TP_IPSEC_A_TUNNEL_PEER_PORT:
			tun->peer_port = get_be16(a);
			break;
		case L2TP_IPSEC_A_TUNNEL_POLICY_INDEX:
			add_index(tun->index, &tun->n_index, a);
			break;
		case L2TP_IPSEC_A_TUNNEL_SA:
			if (tun->n_sa < LIPSEC_MAX_SA)
				parse_sa(a, &tun->sa[tun->n_sa++]);
			break;
		case L2TP_IPSEC_A_TUNNEL_BOUND_SPI:
			tun->bound_spi = ntohl(mnl_attr_get_u32(a));
			break;
		case L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT:
			tun->bound_encap_port = get_be16(a);
			break;
		case L2TP_IPSEC_A_TUNNEL_FOREIGN:
			tun->foreign = mnl_attr_get_u32(a);
			break;
		}
	}
}

static void parse_refused(const struct nlattr *nest, struct lipsec_refused *r)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, refused_pol, t) {
		r->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_REFUSED_UNPRIVILEGED:
			r->unprivileged = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_REFUSED_INEXACT:
			r->inexact = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_REFUSED_LIMIT:
			r->limit = mnl_attr_get_u32(a);
			break;
		}
	}
}

static void parse_policy(const struct nlattr *nest, struct lipsec_policy *p)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, policy_pol, t) {
		p->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_POLICY_INDEX:
			p->index = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_DIR:
			p->dir = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_FAMILY:
			p->family = mnl_attr_get_u16(a);
			break;
		case L2TP_IPSEC_A_POLICY_SRC_IPV4:
			get_addr(a, AF_INET, &p->src);
			break;
		case L2TP_IPSEC_A_POLICY_SRC_IPV6:
			get_addr(a, AF_INET6, &p->src);
			break;
		case L2TP_IPSEC_A_POLICY_DST_IPV4:
			get_addr(a, AF_INET, &p->dst);
			break;
		case L2TP_IPSEC_A_POLICY_DST_IPV6:
			get_addr(a, AF_INET6, &p->dst);
			break;
		case L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN:
			p->src_prefixlen = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_POLICY_DST_PREFIXLEN:
			p->dst_prefixlen = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_POLICY_PROTO:
			p->proto = mnl_attr_get_u8(a);
			break;
		case L2TP_IPSEC_A_POLICY_SPORT:
			p->sport = get_be16(a);
			break;
		case L2TP_IPSEC_A_POLICY_DPORT:
			p->dport = get_be16(a);
			break;
		case L2TP_IPSEC_A_POLICY_MARK:
			p->mark = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_PRIORITY:
			p->priority = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_BLOCK:
			p->block = true;
			break;
		case L2TP_IPSEC_A_POLICY_REQID:
			p->reqid = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_LEVEL:
			p->level = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_ORIGIN:
			p->origin = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_OWNERS:
			p->owners = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_POLICY_SHADOWED:
			p->shadowed = true;
			break;
		case L2TP_IPSEC_A_POLICY_ERROR:
			p->error = (int32_t)mnl_attr_get_u32(a);
			break;
		}
	}
}

static void parse_acquire(const struct nlattr *nest, struct lipsec_acquire *q)
{
	const struct nlattr *a;
	unsigned int t;

	for_each_valid(a, nest, acquire_pol, t) {
		q->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX:
			q->policy_index = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_ACQUIRE_DIR:
			q->dir = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_ACQUIRE_REQID:
			q->reqid = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_ACQUIRE_SRC_IPV4:
			get_addr(a, AF_INET, &q->src);
			break;
		case L2TP_IPSEC_A_ACQUIRE_SRC_IPV6:
			get_addr(a, AF_INET6, &q->src);
			break;
		case L2TP_IPSEC_A_ACQUIRE_DST_IPV4:
			get_addr(a, AF_INET, &q->dst);
			break;
		case L2TP_IPSEC_A_ACQUIRE_DST_IPV6:
			get_addr(a, AF_INET6, &q->dst);
			break;
		case L2TP_IPSEC_A_ACQUIRE_SPORT:
			q->sport = get_be16(a);
			break;
		case L2TP_IPSEC_A_ACQUIRE_DPORT:
			q->dport = get_be16(a);
			break;
		}
	}
}

int lipsec_msg_parse(const struct nlmsghdr *nlh, struct lipsec_msg *m)
{
	const struct genlmsghdr *genl;
	const struct nlattr *a;
	unsigned int t;

	memset(m, 0, sizeof(*m));
	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -1;
	genl = mnl_nlmsg_get_payload(nlh);
	m->cmd = genl->cmd;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		t = attr_type(a, top_pol, L2TP_IPSEC_A_MAX);
		if (!t)
			continue;
		m->has |= LIPSEC_BIT(t);
		switch (t) {
		case L2TP_IPSEC_A_CONFIG:
			parse_config(a, &m->config);
			break;
		case L2TP_IPSEC_A_CLIENT:
			parse_client(a, &m->client);
			break;
		case L2TP_IPSEC_A_TUNNEL:
			parse_tunnel(a, &m->tunnel);
			break;
		case L2TP_IPSEC_A_POLICY:
			parse_policy(a, &m->policy);
			break;
		case L2TP_IPSEC_A_RESTORED:
			m->restored = mnl_attr_get_u32(a);
			break;
		case L2TP_IPSEC_A_ACQUIRE:
			parse_acquire(a, &m->acquire);
			break;
		case L2TP_IPSEC_A_REFUSED:
			parse_refused(a, &m->refused);
			break;
		case L2TP_IPSEC_A_REFUSAL:
			m->refusal = mnl_attr_get_u32(a);
			break;
		}
	}
	return 0;
}

/* NLMSGERR_ATTR_MSG among the TLVs from off in nlh's payload. */
static void ack_msg(const struct nlmsghdr *nlh, size_t off, struct lipsec_nlerr *e)
{
	const struct nlattr *a;
	size_t len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG)
			continue;
		/* A NUL-terminated string; take what fits, stop at the first NUL. */
		len = strnlen(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
		if (len >= sizeof(e->msg))
			len = sizeof(e->msg) - 1;
		memcpy(e->msg, mnl_attr_get_payload(a), len);
		e->msg[len] = '\0';
		/* Drop a trailing newline, as iproute2 does. */
		if (len && e->msg[len - 1] == '\n')
			e->msg[len - 1] = '\0';
	}
}

int lipsec_parse_nlerr(const struct nlmsghdr *nlh, struct lipsec_nlerr *e)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	const struct nlmsgerr *err;
	int code;
	size_t off;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (plen < sizeof(*err))
			return -1;
		err = mnl_nlmsg_get_payload(nlh);
		code = err->error;
		off = sizeof(*err);
		/* Without NETLINK_CAP_ACK the request follows, minus its header. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err->msg.nlmsg_len >= sizeof(err->msg))
			off += NLMSG_ALIGN(err->msg.nlmsg_len) - sizeof(err->msg);
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		/* The error of a dump; old kernels may send an empty NLMSG_DONE. */
		code = 0;
		if (plen >= sizeof(int))
			memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(int));
		off = NLMSG_ALIGN(sizeof(int));
	} else {
		return -1;
	}
	e->err = code < 0 ? -code : code;
	ack_msg(nlh, off, e);
	return 0;
}

void lipsec_format_nlerr(char *buf, size_t len, const char *what,
			 const struct lipsec_nlerr *e)
{
	const char *hint = e->err == EPERM ? "CAP_NET_ADMIN is needed" : "";
	const char *sep = e->msg[0] && hint[0] ? "; " : "";

	if (e->msg[0] || hint[0])
		snprintf(buf, len, "%s: %s (%s%s%s)", what, strerror(e->err), e->msg, sep, hint);
	else
		snprintf(buf, len, "%s: %s", what, strerror(e->err));
}

int lipsec_collect_feed(struct lipsec_collect *c, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (!mnl_nlmsg_portid_ok(nlh, c->portid) || !mnl_nlmsg_seq_ok(nlh, c->seq))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			c->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
		case NLMSG_DONE:
			if (lipsec_parse_nlerr(nlh, &c->err)) {
				c->err.err = EBADMSG;
				return LIPSEC_FEED_ERR;
			}
			return c->err.err ? LIPSEC_FEED_ERR : LIPSEC_FEED_DONE;
		case NLMSG_OVERRUN:
			c->err.err = ENOBUFS;
			return LIPSEC_FEED_ERR;
		}
		if (nlh->nlmsg_type == c->family && lipsec_buf_add(&c->msgs, nlh)) {
			c->err.err = ENOMEM;
			return LIPSEC_FEED_ERR;
		}
	}
	return LIPSEC_FEED_MORE;
}
