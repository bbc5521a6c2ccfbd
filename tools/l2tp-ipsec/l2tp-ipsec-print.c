// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec: output. Every object has a text form and a JSON form:
 *
 *   config   server on port 1701 reqid 0 priority auto level require auto-attach on
 *              (armed) guard on restore on max-tunnels 65536   (all on one line; or
 *              "auto-attach off (not armed: REASON)")
 *   client   192.0.2.2 sport 1701 lifetime connection tunnels 1 policies 14 15
 *   tunnel   tunnel 7  192.0.2.1:1701 -> 192.0.2.2:1701
 *                policy out index 12
 *                sa out present spi 0x1234abcd reqid 1 bytes 1234 packets 10
 *              and behind a NAT (ESP in UDP) the SAs' encap ports, and once the
 *              kernel has bound the tunnel to the inbound SA its frames arrive in:
 *                sa in present spi 0xc1234567 reqid 1 encap sport 31012 dport 4500 ...
 *                bound spi 0xc1234567 encap-port 31012 foreign 0
 *   refused  refused: unprivileged 0 inexact 2 limit 0   (after the tunnels)
 *   policy   out  udp 0.0.0.0/0 sport 1701 -> 0.0.0.0/0  esp transport reqid 0 require
 *              prio 1024  index 12  server              (all on one line)
 *
 * The view (l2tp-ipsec show) puts them under "config:", "clients:", "tunnels:" and
 * "policies:", with the "refused:" line after the tunnels; there each tunnel's policy
 * lines also show the policy, and "policies:" lists only those no tunnel showed. Its
 * JSON is one array holding one object with the keys config, clients, tunnels,
 * refused (an object of the three counters) and policies. The JSON of tunnel show is
 * the array of tunnels alone: the refused counters are in the view's JSON only.
 *
 * Text shows only the attributes the kernel sent (a policy port that is absent is any
 * port; without ARMED or GUARD, an older module, the armed state or the guard is left
 * out). JSON keys are the attribute names of netlink/l2tp_ipsec.yaml; enums are
 * strings (a value this tool does not know is a number), addresses strings, ports
 * numbers in host order, the SPIs (spi, bound-spi) "0x%08x" strings,
 * server/auto-attach/restore/armed/guard and the block/shadowed flags booleans,
 * family "inet"/"inet6". Events are one line of text, or one JSON object with the
 * event name under "event" ("tunnel-refuse": the tunnel's fields and "refusal").
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/l2tp_ipsec.h>

#include "lib/util.h"
#include "l2tp-ipsec.h"

#define INDENT	"    "

static const char *enum_name(const char *const *names, size_t n, uint32_t v)
{
	return v < n ? names[v] : NULL;
}

#define ENUM_NAME(names, v) enum_name(names, sizeof(names) / sizeof(names[0]), v)

const char *lipsec_level_name(uint32_t v)
{
	static const char *const names[] = {
		[L2TP_IPSEC_LEVEL_REQUIRE] = "require",
		[L2TP_IPSEC_LEVEL_USE] = "use",
	};
	return ENUM_NAME(names, v);
}

const char *lipsec_origin_name(uint32_t v)
{
	static const char *const names[] = {
		[L2TP_IPSEC_ORIGIN_SERVER] = "server",
		[L2TP_IPSEC_ORIGIN_CLIENT] = "client",
		[L2TP_IPSEC_ORIGIN_TUNNEL] = "tunnel",
		[L2TP_IPSEC_ORIGIN_BLOCK] = "block",
		[L2TP_IPSEC_ORIGIN_BINDING] = "binding",
	};
	return ENUM_NAME(names, v);
}

const char *lipsec_lifetime_name(uint32_t v)
{
	static const char *const names[] = {
		[L2TP_IPSEC_LIFETIME_STATIC] = "static",
		[L2TP_IPSEC_LIFETIME_CONNECTION] = "connection",
	};
	return ENUM_NAME(names, v);
}

const char *lipsec_dir_name(uint32_t v)
{
	static const char *const names[] = {
		[L2TP_IPSEC_DIR_IN] = "in",
		[L2TP_IPSEC_DIR_OUT] = "out",
	};
	return ENUM_NAME(names, v);
}

const char *lipsec_sa_state_name(uint32_t v)
{
	static const char *const names[] = {
		[L2TP_IPSEC_SA_STATE_NONE] = "none",
		[L2TP_IPSEC_SA_STATE_ACQUIRING] = "acquiring",
		[L2TP_IPSEC_SA_STATE_PRESENT] = "present",
	};
	return ENUM_NAME(names, v);
}

const char *lipsec_refusal_name(uint32_t v)
{
	static const char *const names[] = {
		[L2TP_IPSEC_REFUSAL_UNPRIVILEGED] = "unprivileged",
		[L2TP_IPSEC_REFUSAL_INEXACT] = "inexact",
		[L2TP_IPSEC_REFUSAL_LIMIT] = "limit",
	};
	return ENUM_NAME(names, v);
}

/* An enum for text: its name, or the number. */
static const char *enum_text(const char *name, uint32_t v, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%" PRIu32, v);
	return buf;
}

/* An enum for JSON: its name as a string, or the number. */
static void json_enum(struct lipsec_json *j, const char *key, const char *name, uint32_t v)
{
	if (name)
		lipsec_json_str(j, key, name);
	else
		lipsec_json_uint(j, key, v);
}

static const char *on_off(bool v)
{
	return v ? "on" : "off";
}

/* A string from the kernel for one line of text: control characters become '?'. */
static const char *text_str(const char *s, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", s);
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

static const char *addr_str(const struct lipsec_addr *a, char *buf, size_t len)
{
	if (!a->family || !inet_ntop(a->family, &a->v6, buf, len))
		return "?";
	return buf;
}

/* ADDR:PORT, [ADDR6]:PORT, or the address alone without a port. */
static void text_endpoint(FILE *f, const struct lipsec_addr *a, bool has_port, uint16_t port)
{
	char buf[INET6_ADDRSTRLEN];

	if (a->family == AF_INET6 && has_port)
		fprintf(f, "[%s]", addr_str(a, buf, sizeof(buf)));
	else
		fputs(addr_str(a, buf, sizeof(buf)), f);
	if (has_port)
		fprintf(f, ":%u", port);
}

/* "KEY-ipv4" or "KEY-ipv6": the address as a string, nothing when absent. */
static void json_addr(struct lipsec_json *j, const char *key, const struct lipsec_addr *a)
{
	char name[64], buf[INET6_ADDRSTRLEN];

	if (!a->family)
		return;
	snprintf(name, sizeof(name), "%s-%s", key, a->family == AF_INET ? "ipv4" : "ipv6");
	lipsec_json_str(j, name, addr_str(a, buf, sizeof(buf)));
}

/* Space-separated words on one line. */
struct words {
	FILE *f;
	bool any;
};

__attribute__((format(printf, 2, 3)))
static void word(struct words *w, const char *fmt, ...)
{
	va_list ap;

	if (w->any)
		fputc(' ', w->f);
	w->any = true;
	va_start(ap, fmt);
	vfprintf(w->f, fmt, ap);
	va_end(ap);
}

/* config */

static void text_config(FILE *f, const struct lipsec_config *c)
{
	char buf[16], reason[LIPSEC_STR_LEN];
	struct words w = { .f = f };

	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_SERVER))
		word(&w, "server %s", on_off(c->server));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_PORT))
		word(&w, "port %u", c->port);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_REQID))
		word(&w, "reqid %" PRIu32, c->reqid);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_PRIORITY)) {
		if (c->priority == L2TP_IPSEC_PRIORITY_AUTO)
			word(&w, "priority auto");
		else
			word(&w, "priority %" PRIu32, c->priority);
	}
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_LEVEL))
		word(&w, "level %s", enum_text(lipsec_level_name(c->level), c->level,
					       buf, sizeof(buf)));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH))
		word(&w, "auto-attach %s", on_off(c->auto_attach));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_ARMED) && c->armed)
		word(&w, "(armed)");
	else if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_ARMED) &&
		 LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_UNARMED_REASON))
		word(&w, "(not armed: %s)", text_str(c->unarmed_reason, reason, sizeof(reason)));
	else if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_ARMED))
		word(&w, "(not armed)");
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_GUARD))
		word(&w, "guard %s", on_off(c->guard));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_RESTORE))
		word(&w, "restore %s", on_off(c->restore));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_MAX_TUNNELS))
		word(&w, "max-tunnels %" PRIu32, c->max_tunnels);
}

static void json_config_fields(struct lipsec_json *j, const struct lipsec_config *c)
{
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_SERVER))
		lipsec_json_bool(j, "server", c->server);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_PORT))
		lipsec_json_uint(j, "port", c->port);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_REQID))
		lipsec_json_uint(j, "reqid", c->reqid);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_PRIORITY))
		lipsec_json_uint(j, "priority", c->priority);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_LEVEL))
		json_enum(j, "level", lipsec_level_name(c->level), c->level);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH))
		lipsec_json_bool(j, "auto-attach", c->auto_attach);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_RESTORE))
		lipsec_json_bool(j, "restore", c->restore);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_MAX_TUNNELS))
		lipsec_json_uint(j, "max-tunnels", c->max_tunnels);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_ARMED))
		lipsec_json_bool(j, "armed", c->armed);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_UNARMED_REASON))
		lipsec_json_str(j, "unarmed-reason", c->unarmed_reason);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CONFIG_GUARD))
		lipsec_json_bool(j, "guard", c->guard);
}

/* client */

static void text_client(FILE *f, const struct lipsec_client *c)
{
	struct words w = { .f = f };
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	word(&w, "%s", addr_str(&c->server, buf, sizeof(buf)));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_SPORT))
		word(&w, "sport %u", c->sport);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_LIFETIME))
		word(&w, "lifetime %s", enum_text(lipsec_lifetime_name(c->lifetime),
						  c->lifetime, buf, sizeof(buf)));
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_TUNNELS))
		word(&w, "tunnels %" PRIu32, c->tunnels);
	if (c->n_index)
		word(&w, "policies");
	for (i = 0; i < c->n_index && i < LIPSEC_MAX_INDEX; i++)
		word(&w, "%" PRIu32, c->index[i]);
}

static void json_index(struct lipsec_json *j, const uint32_t *index, unsigned int n)
{
	unsigned int i;

	lipsec_json_arr_open(j, "policy-index");
	for (i = 0; i < n && i < LIPSEC_MAX_INDEX; i++)
		lipsec_json_uint(j, NULL, index[i]);
	lipsec_json_arr_close(j);
}

static void json_sa(struct lipsec_json *j, const struct lipsec_sa *sa);

static void json_client(struct lipsec_json *j, const struct lipsec_client *c)
{
	unsigned int i;

	lipsec_json_obj_open(j, NULL);
	json_addr(j, "server", &c->server);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_SPORT))
		lipsec_json_uint(j, "sport", c->sport);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_LIFETIME))
		json_enum(j, "lifetime", lipsec_lifetime_name(c->lifetime), c->lifetime);
	if (LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_TUNNELS))
		lipsec_json_uint(j, "tunnels", c->tunnels);
	json_index(j, c->index, c->n_index);
	if (c->n_sa) {
		lipsec_json_arr_open(j, "sa");
		for (i = 0; i < c->n_sa && i < LIPSEC_MAX_SA; i++)
			json_sa(j, &c->sa[i]);
		lipsec_json_arr_close(j);
	}
	lipsec_json_obj_close(j);
}

/* policy */

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 0:
		return "any";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	}
	snprintf(buf, len, "proto %u", proto);
	return buf;
}

/* ADDR/PLEN [sport|dport PORT] */
static void text_selector_side(FILE *f, const struct lipsec_policy *p, bool src)
{
	const struct lipsec_addr *a = src ? &p->src : &p->dst;
	char buf[INET6_ADDRSTRLEN];

	fputs(a->family ? addr_str(a, buf, sizeof(buf)) : "any", f);
	if (a->family && LIPSEC_HAS(p, src ? L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN :
					     L2TP_IPSEC_A_POLICY_DST_PREFIXLEN))
		fprintf(f, "/%u", src ? p->src_prefixlen : p->dst_prefixlen);
	if (src && LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_SPORT))
		fprintf(f, " sport %u", p->sport);
	if (!src && LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DPORT))
		fprintf(f, " dport %u", p->dport);
}

/* "udp SRC [sport P] -> DST [dport P]  ACTION [mark M]  prio N" */
static void text_policy_body(FILE *f, const struct lipsec_policy *p)
{
	char buf[32];

	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_PROTO))
		fprintf(f, "%s ", proto_name(p->proto, buf, sizeof(buf)));
	text_selector_side(f, p, true);
	fputs(" -> ", f);
	text_selector_side(f, p, false);
	if (p->block) {
		fputs("  block", f);
	} else {
		fputs("  esp transport", f);
		if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_REQID))
			fprintf(f, " reqid %" PRIu32, p->reqid);
		if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_LEVEL))
			fprintf(f, " %s", enum_text(lipsec_level_name(p->level), p->level,
						    buf, sizeof(buf)));
	}
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_MARK) && p->mark)
		fprintf(f, " mark 0x%" PRIx32, p->mark);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_PRIORITY))
		fprintf(f, "  prio %" PRIu32, p->priority);
}

/* " shadowed", " error -ENOMEM" */
static void text_policy_state(FILE *f, const struct lipsec_policy *p)
{
	char buf[32];

	if (p->shadowed)
		fputs(" shadowed", f);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_ERROR)) {
		if (p->error < 0)
			fprintf(f, " error -%s", errno_name(-p->error, buf, sizeof(buf)));
		else
			fprintf(f, " error %" PRId32, p->error);
	}
}

static void text_policy(FILE *f, const struct lipsec_policy *p)
{
	char buf[16];

	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DIR))
		fprintf(f, "%-4s ", enum_text(lipsec_dir_name(p->dir), p->dir, buf, sizeof(buf)));
	text_policy_body(f, p);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_INDEX))
		fprintf(f, "  index %" PRIu32, p->index);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_ORIGIN))
		fprintf(f, "  %s", enum_text(lipsec_origin_name(p->origin), p->origin,
					     buf, sizeof(buf)));
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_OWNERS) && p->owners > 1)
		fprintf(f, " owners %" PRIu32, p->owners);
	text_policy_state(f, p);
}

static void json_policy(struct lipsec_json *j, const struct lipsec_policy *p)
{
	lipsec_json_obj_open(j, NULL);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_INDEX))
		lipsec_json_uint(j, "index", p->index);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DIR))
		json_enum(j, "dir", lipsec_dir_name(p->dir), p->dir);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_FAMILY)) {
		if (p->family == AF_INET)
			lipsec_json_str(j, "family", "inet");
		else if (p->family == AF_INET6)
			lipsec_json_str(j, "family", "inet6");
		else
			lipsec_json_uint(j, "family", p->family);
	}
	json_addr(j, "src", &p->src);
	json_addr(j, "dst", &p->dst);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN))
		lipsec_json_uint(j, "src-prefixlen", p->src_prefixlen);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DST_PREFIXLEN))
		lipsec_json_uint(j, "dst-prefixlen", p->dst_prefixlen);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_PROTO))
		lipsec_json_uint(j, "proto", p->proto);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_SPORT))
		lipsec_json_uint(j, "sport", p->sport);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DPORT))
		lipsec_json_uint(j, "dport", p->dport);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_MARK))
		lipsec_json_uint(j, "mark", p->mark);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_PRIORITY))
		lipsec_json_uint(j, "priority", p->priority);
	lipsec_json_bool(j, "block", p->block);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_REQID))
		lipsec_json_uint(j, "reqid", p->reqid);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_LEVEL))
		json_enum(j, "level", lipsec_level_name(p->level), p->level);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_ORIGIN))
		json_enum(j, "origin", lipsec_origin_name(p->origin), p->origin);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_OWNERS))
		lipsec_json_uint(j, "owners", p->owners);
	lipsec_json_bool(j, "shadowed", p->shadowed);
	if (LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_ERROR))
		lipsec_json_int(j, "error", p->error);
	lipsec_json_obj_close(j);
}

/* tunnel */

/* "LOCAL:PORT -> PEER:PORT" */
static void text_tuple(FILE *f, const struct lipsec_tunnel *t)
{
	text_endpoint(f, &t->local, LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_LOCAL_PORT), t->local_port);
	fputs(" -> ", f);
	text_endpoint(f, &t->peer, LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_PEER_PORT), t->peer_port);
}

/* The direction of the i-th POLICY_INDEX of a tunnel: out, then in. */
static int index_dir(unsigned int i)
{
	return i == 0 ? L2TP_IPSEC_DIR_OUT : i == 1 ? L2TP_IPSEC_DIR_IN : -1;
}

static void text_sa(FILE *f, const struct lipsec_sa *sa)
{
	struct words w = { .f = f };
	char buf[16];

	fputs(INDENT, f);
	word(&w, "sa");
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_DIR))
		word(&w, "%s", enum_text(lipsec_dir_name(sa->dir), sa->dir, buf, sizeof(buf)));
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_STATE))
		word(&w, "%s", enum_text(lipsec_sa_state_name(sa->state), sa->state,
					 buf, sizeof(buf)));
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_SPI))
		word(&w, "spi 0x%08" PRIx32, sa->spi);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_REQID))
		word(&w, "reqid %" PRIu32, sa->reqid);
	/* ESP in UDP (NAT-T), as ip xfrm state shows it */
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_ENCAP_SPORT) ||
	    LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_ENCAP_DPORT))
		word(&w, "encap");
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_ENCAP_SPORT))
		word(&w, "sport %u", sa->encap_sport);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_ENCAP_DPORT))
		word(&w, "dport %u", sa->encap_dport);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_BYTES))
		word(&w, "bytes %" PRIu64, sa->bytes);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_PACKETS))
		word(&w, "packets %" PRIu64, sa->packets);
	fputc('\n', f);
}

/*
 * "bound spi 0xc1234567 encap-port 31012 foreign 0": the inbound SA the tunnel's frames
 * arrive in (the peer's NAT-T port of it: which client behind a NAT), and the frames
 * dropped because they came in another client's SA. Nothing before the tunnel is bound.
 */
static void text_binding(FILE *f, const char *indent, const struct lipsec_tunnel *t)
{
	struct words w = { .f = f };

	if (!LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_BOUND_SPI) &&
	    !LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT) &&
	    !LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_FOREIGN))
		return;
	fprintf(f, "%s" INDENT, indent);
	word(&w, "bound");
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_BOUND_SPI))
		word(&w, "spi 0x%08" PRIx32, t->bound_spi);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT))
		word(&w, "encap-port %u", t->bound_encap_port);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_FOREIGN))
		word(&w, "foreign %" PRIu32, t->foreign);
	fputc('\n', f);
}

static bool same_addr(const struct lipsec_addr *a, const struct lipsec_addr *b)
{
	if (!a->family || a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

static bool tuple_match(const struct lipsec_tunnel *t, const struct lipsec_policy *p, int dir)
{
	bool out = dir == L2TP_IPSEC_DIR_OUT;

	return LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_ORIGIN) &&
	       p->origin == L2TP_IPSEC_ORIGIN_TUNNEL &&
	       LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DIR) && (int)p->dir == dir &&
	       same_addr(&p->src, out ? &t->local : &t->peer) &&
	       same_addr(&p->dst, out ? &t->peer : &t->local) &&
	       LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_SPORT) &&
	       LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DPORT) &&
	       p->sport == (out ? t->local_port : t->peer_port) &&
	       p->dport == (out ? t->peer_port : t->local_port);
}

/*
 * The policy of the i-th POLICY_INDEX of tunnel t among n policies: the one with
 * that index, or (index 0: not in the SPD) the tunnel policy with the tunnel's
 * 5-tuple in that direction. Returns its position, or -1.
 */
static int find_policy(const struct lipsec_tunnel *t, unsigned int i,
		       const struct lipsec_policy *pols, size_t n)
{
	uint32_t index = t->index[i];
	int dir = index_dir(i);
	size_t k;

	for (k = 0; index && k < n; k++)
		if (LIPSEC_HAS(&pols[k], L2TP_IPSEC_A_POLICY_INDEX) && pols[k].index == index)
			return k;
	for (k = 0; !index && dir >= 0 && k < n; k++)
		if (!pols[k].index && tuple_match(t, &pols[k], dir))
			return k;
	return -1;
}

/*
 * The tunnel block. With pols (the view), each policy line also shows the policy,
 * and used[] marks the policies shown.
 */
static void text_tunnel(FILE *f, const char *indent, const struct lipsec_tunnel *t,
			const struct lipsec_policy *pols, size_t npols, bool *used)
{
	const struct lipsec_policy *p;
	unsigned int i;
	char buf[16];
	int dir, k;

	fputs(indent, f);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_ID))
		fprintf(f, "tunnel %" PRIu32 "  ", t->id);
	else
		fputs("tunnel -  ", f);
	text_tuple(f, t);
	fputc('\n', f);
	for (i = 0; i < t->n_index && i < LIPSEC_MAX_INDEX; i++) {
		k = pols ? find_policy(t, i, pols, npols) : -1;
		p = k >= 0 ? &pols[k] : NULL;
		dir = p && LIPSEC_HAS(p, L2TP_IPSEC_A_POLICY_DIR) ? (int)p->dir : index_dir(i);
		fprintf(f, "%s" INDENT "policy", indent);
		if (dir >= 0)
			fprintf(f, " %s", enum_text(lipsec_dir_name(dir), dir, buf, sizeof(buf)));
		fprintf(f, " index %" PRIu32, t->index[i]);
		if (p) {
			used[k] = true;
			fputs("  ", f);
			text_policy_body(f, p);
			text_policy_state(f, p);
		}
		fputc('\n', f);
	}
	for (i = 0; i < t->n_sa && i < LIPSEC_MAX_SA; i++) {
		fputs(indent, f);
		text_sa(f, &t->sa[i]);
	}
	text_binding(f, indent, t);
}

/* An SPI as a "0x%08x" string. */
static void json_spi(struct lipsec_json *j, const char *key, uint32_t spi)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08" PRIx32, spi);
	lipsec_json_str(j, key, buf);
}

static void json_sa(struct lipsec_json *j, const struct lipsec_sa *sa)
{
	lipsec_json_obj_open(j, NULL);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_DIR))
		json_enum(j, "dir", lipsec_dir_name(sa->dir), sa->dir);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_STATE))
		json_enum(j, "state", lipsec_sa_state_name(sa->state), sa->state);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_SPI))
		json_spi(j, "spi", sa->spi);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_REQID))
		lipsec_json_uint(j, "reqid", sa->reqid);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_BYTES))
		lipsec_json_uint(j, "bytes", sa->bytes);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_PACKETS))
		lipsec_json_uint(j, "packets", sa->packets);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_ENCAP_SPORT))
		lipsec_json_uint(j, "encap-sport", sa->encap_sport);
	if (LIPSEC_HAS(sa, L2TP_IPSEC_A_SA_ENCAP_DPORT))
		lipsec_json_uint(j, "encap-dport", sa->encap_dport);
	lipsec_json_obj_close(j);
}

/* The members of a tunnel object (the caller opens and closes it). */
static void json_tunnel_fields(struct lipsec_json *j, const struct lipsec_tunnel *t,
			       bool with_sa)
{
	unsigned int i;

	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_ID))
		lipsec_json_uint(j, "id", t->id);
	json_addr(j, "local", &t->local);
	json_addr(j, "peer", &t->peer);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_LOCAL_PORT))
		lipsec_json_uint(j, "local-port", t->local_port);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_PEER_PORT))
		lipsec_json_uint(j, "peer-port", t->peer_port);
	json_index(j, t->index, t->n_index);
	if (with_sa) {
		lipsec_json_arr_open(j, "sa");
		for (i = 0; i < t->n_sa && i < LIPSEC_MAX_SA; i++)
			json_sa(j, &t->sa[i]);
		lipsec_json_arr_close(j);
	}
	/* The binding (replies, after the SAs), when the kernel sent it. */
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_BOUND_SPI))
		json_spi(j, "bound-spi", t->bound_spi);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT))
		lipsec_json_uint(j, "bound-encap-port", t->bound_encap_port);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_FOREIGN))
		lipsec_json_uint(j, "foreign", t->foreign);
}

/* refused */

/* "refused: unprivileged N inexact N limit N" (the counters the kernel sent). */
static void text_refused(FILE *f, const struct lipsec_refused *r)
{
	fputs("refused:", f);
	if (LIPSEC_HAS(r, L2TP_IPSEC_A_REFUSED_UNPRIVILEGED))
		fprintf(f, " unprivileged %" PRIu32, r->unprivileged);
	if (LIPSEC_HAS(r, L2TP_IPSEC_A_REFUSED_INEXACT))
		fprintf(f, " inexact %" PRIu32, r->inexact);
	if (LIPSEC_HAS(r, L2TP_IPSEC_A_REFUSED_LIMIT))
		fprintf(f, " limit %" PRIu32, r->limit);
	fputc('\n', f);
}

static void json_refused(struct lipsec_json *j, const struct lipsec_refused *r)
{
	lipsec_json_obj_open(j, "refused");
	if (LIPSEC_HAS(r, L2TP_IPSEC_A_REFUSED_UNPRIVILEGED))
		lipsec_json_uint(j, "unprivileged", r->unprivileged);
	if (LIPSEC_HAS(r, L2TP_IPSEC_A_REFUSED_INEXACT))
		lipsec_json_uint(j, "inexact", r->inexact);
	if (LIPSEC_HAS(r, L2TP_IPSEC_A_REFUSED_LIMIT))
		lipsec_json_uint(j, "limit", r->limit);
	lipsec_json_obj_close(j);
}

/* dumps */

/* The messages of msgs that carry attribute type, parsed, one at a time. */
static bool next_with(const struct lipsec_buf *msgs, const struct nlmsghdr **nlh,
		      unsigned int type, struct lipsec_msg *m)
{
	while ((*nlh = lipsec_buf_next(msgs, *nlh)))
		if (!lipsec_msg_parse(*nlh, m) && (m->has & LIPSEC_BIT(type)))
			return true;
	return false;
}

static unsigned int dump_attr(enum lipsec_action action)
{
	switch (action) {
	case LIPSEC_CONFIG_SHOW:
		return L2TP_IPSEC_A_CONFIG;
	case LIPSEC_CLIENT_SHOW:
		return L2TP_IPSEC_A_CLIENT;
	case LIPSEC_TUNNEL_SHOW:
		return L2TP_IPSEC_A_TUNNEL;
	default:
		return L2TP_IPSEC_A_POLICY;
	}
}

static void json_one(struct lipsec_json *j, unsigned int type, const struct lipsec_msg *m)
{
	switch (type) {
	case L2TP_IPSEC_A_CONFIG:
		lipsec_json_obj_open(j, NULL);
		json_config_fields(j, &m->config);
		lipsec_json_obj_close(j);
		break;
	case L2TP_IPSEC_A_CLIENT:
		json_client(j, &m->client);
		break;
	case L2TP_IPSEC_A_TUNNEL:
		lipsec_json_obj_open(j, NULL);
		json_tunnel_fields(j, &m->tunnel, true);
		lipsec_json_obj_close(j);
		break;
	case L2TP_IPSEC_A_POLICY:
		json_policy(j, &m->policy);
		break;
	}
}

static void text_one(FILE *f, const char *indent, unsigned int type,
		     const struct lipsec_msg *m)
{
	unsigned int i;

	if (type == L2TP_IPSEC_A_TUNNEL) {
		text_tunnel(f, indent, &m->tunnel, NULL, 0, NULL);
		return;
	}
	fputs(indent, f);
	if (type == L2TP_IPSEC_A_CONFIG)
		text_config(f, &m->config);
	else if (type == L2TP_IPSEC_A_CLIENT)
		text_client(f, &m->client);
	else
		text_policy(f, &m->policy);
	fputc('\n', f);
	/* a client's SAs, one line each below it */
	for (i = 0; type == L2TP_IPSEC_A_CLIENT && i < m->client.n_sa && i < LIPSEC_MAX_SA; i++) {
		fputs(indent, f);
		text_sa(f, &m->client.sa[i]);
	}
}

/*
 * The refused counters of a TUNNEL_GET dump (its last message, which has no tunnel);
 * false when the kernel did not send them.
 */
static bool dump_refused(const struct lipsec_buf *msgs, struct lipsec_msg *m)
{
	const struct nlmsghdr *nlh = NULL;

	return next_with(msgs, &nlh, L2TP_IPSEC_A_REFUSED, m);
}

void lipsec_print_dump(const struct lipsec_fmt *fmt, enum lipsec_action action,
		       const struct lipsec_buf *msgs)
{
	unsigned int type = dump_attr(action);
	const struct nlmsghdr *nlh = NULL;
	struct lipsec_json j;
	struct lipsec_msg m;

	lipsec_json_init(&j, fmt->f, fmt->pretty);
	if (fmt->json)
		lipsec_json_arr_open(&j, NULL);
	while (next_with(msgs, &nlh, type, &m)) {
		if (fmt->json)
			json_one(&j, type, &m);
		else
			text_one(fmt->f, "", type, &m);
	}
	if (fmt->json)
		lipsec_json_arr_close(&j);
	/* JSON keeps the array of tunnels; the view has the counters under "refused". */
	else if (type == L2TP_IPSEC_A_TUNNEL && dump_refused(msgs, &m))
		text_refused(fmt->f, &m.refused);
}

/* The policies of a POLICY_GET dump, in order; NULL (and *n 0) if none. */
static struct lipsec_policy *policies(const struct lipsec_buf *msgs, size_t *n)
{
	const struct nlmsghdr *nlh = NULL;
	struct lipsec_policy *pols = NULL, *p;
	struct lipsec_msg m;

	*n = 0;
	while (next_with(msgs, &nlh, L2TP_IPSEC_A_POLICY, &m)) {
		p = realloc(pols, (*n + 1) * sizeof(*pols));
		if (!p)
			break;
		pols = p;
		pols[(*n)++] = m.policy;
	}
	return pols;
}

static void view_json(struct lipsec_json *j, const struct lipsec_buf *config,
		      const struct lipsec_buf *clients, const struct lipsec_buf *tunnels,
		      const struct lipsec_buf *pols, struct lipsec_msg *m)
{
	static const struct {
		const char *key;
		unsigned int type;
	} lists[] = {
		{ "clients", L2TP_IPSEC_A_CLIENT },
		{ "tunnels", L2TP_IPSEC_A_TUNNEL },
		{ "policies", L2TP_IPSEC_A_POLICY },
	};
	const struct lipsec_buf *bufs[] = { clients, tunnels, pols };
	const struct nlmsghdr *nlh = NULL;
	size_t i;

	lipsec_json_arr_open(j, NULL);
	lipsec_json_obj_open(j, NULL);
	if (next_with(config, &nlh, L2TP_IPSEC_A_CONFIG, m)) {
		lipsec_json_obj_open(j, "config");
		json_config_fields(j, &m->config);
		lipsec_json_obj_close(j);
	}
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		lipsec_json_arr_open(j, lists[i].key);
		nlh = NULL;
		while (next_with(bufs[i], &nlh, lists[i].type, m))
			json_one(j, lists[i].type, m);
		lipsec_json_arr_close(j);
		if (lists[i].type == L2TP_IPSEC_A_TUNNEL && dump_refused(tunnels, m))
			json_refused(j, &m->refused);
	}
	lipsec_json_obj_close(j);
	lipsec_json_arr_close(j);
}

static void view_text(FILE *f, const struct lipsec_buf *config,
		      const struct lipsec_buf *clients, const struct lipsec_buf *tunnels,
		      const struct lipsec_buf *polbuf, struct lipsec_msg *m)
{
	const struct nlmsghdr *nlh = NULL;
	struct lipsec_policy *pols;
	bool *used, any;
	size_t n, i;

	fputs("config:", f);
	if (next_with(config, &nlh, L2TP_IPSEC_A_CONFIG, m)) {
		fputc(' ', f);
		text_config(f, &m->config);
	} else {
		fputs(" none", f);
	}
	fputc('\n', f);

	fputs("clients:", f);
	nlh = NULL;
	for (any = false; next_with(clients, &nlh, L2TP_IPSEC_A_CLIENT, m); any = true) {
		fputs(any ? "" : "\n", f);
		text_one(f, INDENT, L2TP_IPSEC_A_CLIENT, m);
	}
	fputs(any ? "" : " none\n", f);

	pols = policies(polbuf, &n);
	used = calloc(n ? n : 1, sizeof(*used));
	if (!used)
		n = 0;
	fputs("tunnels:", f);
	nlh = NULL;
	for (any = false; next_with(tunnels, &nlh, L2TP_IPSEC_A_TUNNEL, m); any = true) {
		fputs(any ? "" : "\n", f);
		text_tunnel(f, INDENT, &m->tunnel, pols, n, used);
	}
	fputs(any ? "" : " none\n", f);
	if (dump_refused(tunnels, m))
		text_refused(f, &m->refused);

	/* The policies no tunnel above showed. */
	fputs("policies:", f);
	for (any = false, i = 0; i < n; i++) {
		if (used[i])
			continue;
		fputs(any ? INDENT : "\n" INDENT, f);
		any = true;
		text_policy(f, &pols[i]);
		fputc('\n', f);
	}
	fputs(any ? "" : " none\n", f);
	free(used);
	free(pols);
}

void lipsec_print_view(const struct lipsec_fmt *fmt, const struct lipsec_buf *config,
		       const struct lipsec_buf *clients, const struct lipsec_buf *tunnels,
		       const struct lipsec_buf *pols)
{
	struct lipsec_msg m;
	struct lipsec_json j;

	if (fmt->json) {
		lipsec_json_init(&j, fmt->f, fmt->pretty);
		view_json(&j, config, clients, tunnels, pols, &m);
	} else {
		view_text(fmt->f, config, clients, tunnels, pols, &m);
	}
}

/* events */

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case L2TP_IPSEC_CMD_CONFIG_NTF:
		return "config";
	case L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF:
		return "tunnel-attach";
	case L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF:
		return "tunnel-detach";
	case L2TP_IPSEC_CMD_RESTORE_NTF:
		return "restore";
	case L2TP_IPSEC_CMD_ACQUIRE_NTF:
		return "acquire";
	case L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF:
		return "tunnel-refuse";
	}
	return NULL;
}

static void text_acquire(FILE *f, const struct lipsec_acquire *q)
{
	char buf[16];

	fputs("acquire", f);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_DIR))
		fprintf(f, " %s", enum_text(lipsec_dir_name(q->dir), q->dir, buf, sizeof(buf)));
	fputc(' ', f);
	text_endpoint(f, &q->src, LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_SPORT), q->sport);
	fputs(" -> ", f);
	text_endpoint(f, &q->dst, LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_DPORT), q->dport);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_REQID))
		fprintf(f, " reqid %" PRIu32, q->reqid);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX))
		fprintf(f, " policy %" PRIu32, q->policy_index);
}

static void json_acquire_fields(struct lipsec_json *j, const struct lipsec_acquire *q)
{
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX))
		lipsec_json_uint(j, "policy-index", q->policy_index);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_DIR))
		json_enum(j, "dir", lipsec_dir_name(q->dir), q->dir);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_REQID))
		lipsec_json_uint(j, "reqid", q->reqid);
	json_addr(j, "src", &q->src);
	json_addr(j, "dst", &q->dst);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_SPORT))
		lipsec_json_uint(j, "sport", q->sport);
	if (LIPSEC_HAS(q, L2TP_IPSEC_A_ACQUIRE_DPORT))
		lipsec_json_uint(j, "dport", q->dport);
}

/* "tunnel attach LOCAL -> PEER id N policies A B" (refuse: no policies) */
static void text_tunnel_event(FILE *f, const char *what, const struct lipsec_tunnel *t)
{
	unsigned int i;

	fprintf(f, "tunnel %s ", what);
	text_tuple(f, t);
	if (LIPSEC_HAS(t, L2TP_IPSEC_A_TUNNEL_ID))
		fprintf(f, " id %" PRIu32, t->id);
	if (t->n_index)
		fputs(" policies", f);
	for (i = 0; i < t->n_index && i < LIPSEC_MAX_INDEX; i++)
		fprintf(f, " %" PRIu32, t->index[i]);
}

static void event_text(FILE *f, const struct lipsec_msg *m)
{
	char buf[16];

	switch (m->cmd) {
	case L2TP_IPSEC_CMD_CONFIG_NTF:
		fputs("config ", f);
		text_config(f, &m->config);
		break;
	case L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF:
		text_tunnel_event(f, "attach", &m->tunnel);
		break;
	case L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF:
		text_tunnel_event(f, "detach", &m->tunnel);
		break;
	case L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF:
		text_tunnel_event(f, "refuse", &m->tunnel);
		if (m->has & LIPSEC_BIT(L2TP_IPSEC_A_REFUSAL))
			fprintf(f, " reason %s", enum_text(lipsec_refusal_name(m->refusal),
							   m->refusal, buf, sizeof(buf)));
		break;
	case L2TP_IPSEC_CMD_RESTORE_NTF:
		fprintf(f, "restore %" PRIu32 " %s", m->restored,
			m->restored == 1 ? "policy" : "policies");
		break;
	case L2TP_IPSEC_CMD_ACQUIRE_NTF:
		text_acquire(f, &m->acquire);
		break;
	default:
		fprintf(f, "event %u", m->cmd);
	}
	fputc('\n', f);
}

static void event_json(const struct lipsec_fmt *fmt, const struct lipsec_msg *m)
{
	const char *name = event_name(m->cmd);
	struct lipsec_json j;

	lipsec_json_init(&j, fmt->f, fmt->pretty);
	lipsec_json_obj_open(&j, NULL);
	lipsec_json_str(&j, "event", name ? name : "unknown");
	switch (m->cmd) {
	case L2TP_IPSEC_CMD_CONFIG_NTF:
		json_config_fields(&j, &m->config);
		break;
	case L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF:
	case L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF:
		json_tunnel_fields(&j, &m->tunnel, false);
		break;
	case L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF:
		json_tunnel_fields(&j, &m->tunnel, false);
		if (m->has & LIPSEC_BIT(L2TP_IPSEC_A_REFUSAL))
			json_enum(&j, "refusal", lipsec_refusal_name(m->refusal), m->refusal);
		break;
	case L2TP_IPSEC_CMD_RESTORE_NTF:
		if (m->has & LIPSEC_BIT(L2TP_IPSEC_A_RESTORED))
			lipsec_json_uint(&j, "restored", m->restored);
		break;
	case L2TP_IPSEC_CMD_ACQUIRE_NTF:
		json_acquire_fields(&j, &m->acquire);
		break;
	default:
		lipsec_json_uint(&j, "cmd", m->cmd);
	}
	lipsec_json_obj_close(&j);
}

void lipsec_print_event(const struct lipsec_fmt *fmt, const struct nlmsghdr *nlh)
{
	struct lipsec_msg m;

	if (lipsec_msg_parse(nlh, &m))
		return;
	if (fmt->json)
		event_json(fmt, &m);
	else
		event_text(fmt->f, &m);
}
