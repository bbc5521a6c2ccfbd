// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec-fuzz - fuzz the l2tp_ipsec generic netlink family and check that the
 * requests it refuses change nothing.
 *
 *   l2tp-ipsec-fuzz [-n COUNT] [-s SEED] [-u UID[:GID]] [--check-every N] [--dry-run] [-v]
 *
 * Messages come from a seeded xorshift64* generator. Message i depends on the seed, i
 * and the family id only, never on the kernel's answers, so a seed replays the same
 * bytes (nlmsg_seq is i + 1). Kinds, with the names they are counted under:
 *   valid    30%  well-formed requests of every command: the four dumps, config-set
 *                 with a random subset of the eight settable attributes (not the
 *                 read-only armed, unarmed-reason and guard), client-add/del on a
 *                 pool of 16 addresses (192.0.2.1-8, 2001:db8::1-8) so that adds and
 *                 dels meet, optional sport (1701, 4500) and lifetime
 *   mutated  60%  a valid request with 1-3 mutations:
 *                 semantic   values out of range, port 0, max-tunnels 0, both/no/any
 *                            address, attributes the command does not take, the
 *                            read-only armed, unarmed-reason or guard in config-set
 *                            (EINVAL)
 *                 size wrongnest unknown dup nestnest emptynest huge: the bytes are
 *                            spliced and every enclosing length fixed up
 *                 cmd flags attrflags lenoff flip trunc: header fields, attribute
 *                            flags and lengths, raw bytes; applied last
 *   random   10%  a valid nlmsghdr and genlmsghdr, then random bytes
 * Every request has NLM_F_REQUEST|NLM_F_ACK and an nlmsg_len equal to its size (flips
 * spare the nlmsghdr): otherwise netlink_rcv_skb() answers nothing, or parses a second
 * message out of the rest, and a silent kernel could not be told from a stuck one.
 *
 * One NETLINK_GENERIC socket (NETLINK_EXT_ACK, NETLINK_CAP_ACK, SO_RCVTIMEO 5 s); the
 * replies are read up to the request's NLMSG_ERROR or NLMSG_DONE. A timeout is a
 * failure and the socket is reopened.
 *
 * State check. A snapshot is the payload of the config-get, client-get and policy-get
 * dumps. After an accepted request a new snapshot is the reference; after every N-th
 * refused one (--check-every) a new snapshot must equal it, else it is a drift.
 *
 * Safety. When more than MAX_LIVE client connections exist that were not there at the
 * start, they are all deleted. At the end (SIGINT/SIGTERM too) they are deleted, the
 * initial ones that went are added back, the initial configuration is set again (every
 * settable attribute) and the result is checked: configuration, clients, policy count.
 *
 * -u: a child drops to UID/GID (no groups, empty bounding set, no capabilities,
 * no_new_privs), then opens its own socket and sends what the parent generates (over
 * a socketpair, one request at a time); the parent takes the snapshots. genetlink
 * checks the permission right after it has found the command, so every request that
 * reaches one (complete genl header, cmd 1..7, NLM_F_DUMP as the command wants) must
 * fail with EPERM: a success counts in unpriv_accepted, another errno in
 * unpriv_not_eperm.
 *
 * Exit status: 0 if nothing timed out, drifted, failed on the socket or succeeded
 * unprivileged and the cleanup worked; 1 otherwise; 2 bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/l2tp_ipsec.h>

#include "common.h"
#include "lib/genl.h"

#define MSG_MAX		8192		/* largest request */
#define RECV_BUF	65536		/* a dump skb is at most 32 KiB */
#define MAX_ATTRS	1024
#define MAX_DEPTH	16
#define GENL_OFF	(NLMSG_HDRLEN + GENL_HDRLEN)	/* the first attribute */
#define POOL		16		/* client addresses */
#define MAX_LIVE	8		/* new client connections before they are deleted */
#define MAX_CLIENTS	1024		/* remembered per snapshot */
#define TIMEOUT		5		/* seconds to wait for an answer */
#define MAX_REPLIES	100000		/* messages in one answer: a runaway dump */
#define ERR_MAX		4096
#define CTL_SEQ		0x80000000u	/* sequence numbers of our own requests */
#define DRY_FAMILY	0x42		/* family id --dry-run puts in */
#define DRY_SHOW	4		/* messages --dry-run shows without -v */
#define CMD_LAST	L2TP_IPSEC_CMD_POLICY_GET	/* the last command with a handler */

const char *prog = "l2tp-ipsec-fuzz";

void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-n COUNT] [-s SEED] [-u UID[:GID]] [--check-every N] [--dry-run] [-v]\n"
		"Send COUNT (default 100000) generated requests (valid, mutated, random) to the\n"
		"l2tp_ipsec generic netlink family; check that the refused ones change nothing.\n"
		"  -n COUNT         number of requests (0..1000000000)\n"
		"  -s SEED          seed of the generator (default: from the clock; printed)\n"
		"  -u UID[:GID]     send from a child running as UID/GID (GID defaults to UID)\n"
		"                   without capabilities: every command must fail with EPERM\n"
		"  --check-every N  compare the state after every N-th refused request (default 1)\n"
		"  --dry-run        no socket: the first %d requests in hex (all with -v), counts\n"
		"                   per kind, structure check, checksum (family id 0x%x)\n"
		"  -v               progress on stderr every 10000 requests\n"
		"Exit status: 0 no failure, 1 failure or system error, 2 bad arguments.\n",
		prog, DRY_SHOW, DRY_FAMILY);
}

/* ---- the generator ---- */

static uint64_t rng;

static uint64_t rnd64(void)	/* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t rn(uint32_t n)	/* 0..n-1 */
{
	return ((rnd64() >> 32) * n) >> 32;
}

static bool chance(unsigned int pct)
{
	return rn(100) < pct;
}

static void rfill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd64() >> 56;
}

static void seed_rng(uint64_t seed)	/* splitmix64: any seed, never a zero state */
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	rng = (z ^ (z >> 31)) ?: 1;
}

enum kind { K_VALID, K_MUTATED, K_RANDOM, K__N };
static const char *const kind_names[K__N] = { "valid", "mutated", "random" };

enum mut {	/* in the order they are applied */
	M_SEMANTIC, M_SIZE, M_WRONGNEST, M_UNKNOWN, M_DUP, M_NESTNEST, M_EMPTYNEST,
	M_HUGE, M_CMD, M_FLAGS, M_ATTRFLAGS, M_LENOFF, M_FLIP, M_TRUNC, M__N
};
static const char *const mut_names[M__N] = {
	"semantic", "size", "wrongnest", "unknown", "dup", "nestnest", "emptynest",
	"huge", "cmd", "flags", "attrflags", "lenoff", "flip", "trunc",
};

static const char *const cmd_names[CMD_LAST + 1] = {
	"-", "config-get", "config-set", "client-add", "client-del", "client-get",
	"tunnel-get", "policy-get",
};

struct msg {
	uint8_t buf[MSG_MAX];
	size_t len;
	enum kind kind;
	uint8_t cmd;		/* as generated */
	uint32_t muts;		/* bits of the enum mut applied */
	bool tree_ok;		/* the attributes tiled exactly before the byte mutations */
	unsigned int na;	/* attributes found by scan(): offset, enclosing nest or -1 */
	struct { uint16_t off; int16_t parent; } a[MAX_ATTRS];
};

static uint16_t family;
static uint8_t scratch[MSG_MAX];

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void fix_len(struct msg *m)
{
	uint32_t len = m->len;

	memcpy(m->buf, &len, 4);
}

static bool is_dump(unsigned int cmd)
{
	return cmd == L2TP_IPSEC_CMD_CONFIG_GET || cmd == L2TP_IPSEC_CMD_CLIENT_GET ||
	       cmd == L2TP_IPSEC_CMD_TUNNEL_GET || cmd == L2TP_IPSEC_CMD_POLICY_GET;
}

static void msg_init(struct msg *m, uint8_t cmd, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr nlh = {
		.nlmsg_type = family, .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags,
		.nlmsg_seq = seq,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = L2TP_IPSEC_GENL_VERSION };

	memcpy(m->buf, &nlh, NLMSG_HDRLEN);
	memcpy(m->buf + NLMSG_HDRLEN, &g, GENL_HDRLEN);
	m->len = GENL_OFF;
	m->cmd = cmd;
	m->muts = 0;
	m->na = 0;
	m->tree_ok = true;
	fix_len(m);
}

/* Append an attribute (nothing if it does not fit). */
static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	size_t foot = NLA_ALIGN(NLA_HDRLEN + len);
	uint8_t *p = m->buf + m->len;

	if (m->len + foot > MSG_MAX)
		return;
	put16(p, NLA_HDRLEN + len);
	put16(p + 2, type);
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
	memset(p + NLA_HDRLEN + len, 0, foot - NLA_HDRLEN - len);
	m->len += foot;
	fix_len(m);
}

static void put_u8(struct msg *m, uint16_t t, uint8_t v) { put(m, t, &v, 1); }
static void put_u16(struct msg *m, uint16_t t, uint16_t v) { put(m, t, &v, 2); }
static void put_u32(struct msg *m, uint16_t t, uint32_t v) { put(m, t, &v, 4); }

static size_t nest_start(struct msg *m, uint16_t type)
{
	size_t off = m->len;

	put(m, type | NLA_F_NESTED, NULL, 0);
	return off;
}

static void nest_end(struct msg *m, size_t off)
{
	put16(m->buf + off, m->len - off);
}

/* Pool address p: 192.0.2.(p+1) for p < 8, else 2001:db8::(p-7). */
static void put_pool_addr(struct msg *m, unsigned int p)
{
	uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8 }, a4[4] = { 192, 0, 2, p + 1 };

	a6[15] = p - POOL / 2 + 1;
	if (p < POOL / 2)
		put(m, L2TP_IPSEC_A_CLIENT_SERVER_IPV4, a4, 4);
	else
		put(m, L2TP_IPSEC_A_CLIENT_SERVER_IPV6, a6, 16);
}

/* Whether config-set takes attribute t (armed, unarmed-reason, guard: read-only). */
static bool config_settable(unsigned int t)
{
	return t && t <= L2TP_IPSEC_A_CONFIG_MAX && t != L2TP_IPSEC_A_CONFIG_ARMED &&
	       t != L2TP_IPSEC_A_CONFIG_UNARMED_REASON && t != L2TP_IPSEC_A_CONFIG_GUARD;
}

/*
 * config-set; bad: a value out of range, a read-only attribute (any value), a client
 * nest, or no config nest.
 */
static bool gen_config(struct msg *m, bool bad)
{
	static const uint8_t badable[] = {
		L2TP_IPSEC_A_CONFIG_SERVER, L2TP_IPSEC_A_CONFIG_PORT, L2TP_IPSEC_A_CONFIG_LEVEL,
		L2TP_IPSEC_A_CONFIG_AUTO_ATTACH, L2TP_IPSEC_A_CONFIG_RESTORE,
		L2TP_IPSEC_A_CONFIG_MAX_TUNNELS, L2TP_IPSEC_A_CONFIG_ARMED,
		L2TP_IPSEC_A_CONFIG_UNARMED_REASON, L2TP_IPSEC_A_CONFIG_GUARD,
	};
	static const uint16_t ports[] = { 1701, 1701, 1702, 4500, 1, 65535 };
	static const uint32_t prios[] = { 0, 1023, 1024, 0xffffffff };
	static const uint32_t maxes[] = { 1, 2, 16, L2TP_IPSEC_DEFAULT_MAX_TUNNELS, 0xffffffff };
	static const char *const reasons[] = { "", "armed", "auto-attach is off" };
	unsigned int want = rn(256), badt = 0, t, r;
	size_t nest;
	bool b;

	if (bad && chance(15))
		return true;
	if (bad && chance(15)) {
		nest = nest_start(m, L2TP_IPSEC_A_CLIENT);
		put_pool_addr(m, rn(POOL));
		nest_end(m, nest);
	} else if (bad) {
		badt = badable[rn(sizeof(badable))];
		want |= 1u << (badt - 1);
	}
	nest = nest_start(m, L2TP_IPSEC_A_CONFIG);
	for (t = 1; t <= L2TP_IPSEC_A_CONFIG_MAX; t++) {
		if (!(want & (1u << (t - 1))) || (!config_settable(t) && t != badt))
			continue;
		b = t == badt;
		switch (t) {
		case L2TP_IPSEC_A_CONFIG_PORT:
			put_u16(m, t, b ? 0 : htons(chance(80) ? ports[rn(6)] : 1 + rn(65535)));
			break;
		case L2TP_IPSEC_A_CONFIG_REQID:
			put_u32(m, t, chance(50) ? rn(4) : (uint32_t)rnd64());
			break;
		case L2TP_IPSEC_A_CONFIG_PRIORITY:
			put_u32(m, t, chance(60) ? prios[rn(4)] : (uint32_t)rnd64());
			break;
		case L2TP_IPSEC_A_CONFIG_LEVEL:
			put_u32(m, t, !b ? rn(2) : chance(50) ? 2 : 2 + rnd64() % 0xfffffffe);
			break;
		case L2TP_IPSEC_A_CONFIG_MAX_TUNNELS:
			put_u32(m, t, b ? 0 : chance(60) ? maxes[rn(5)] : 1 + rn(0xffffffff));
			break;
		case L2TP_IPSEC_A_CONFIG_ARMED:		/* read-only: bad as it is */
		case L2TP_IPSEC_A_CONFIG_GUARD:
			put_u8(m, t, rn(2));
			break;
		case L2TP_IPSEC_A_CONFIG_UNARMED_REASON:	/* read-only, NUL-terminated */
			r = rn(3);
			put(m, t, reasons[r], strlen(reasons[r]) + 1);
			break;
		default:	/* the u8 booleans */
			put_u8(m, t, b ? 2 + rn(254) : rn(2));
		}
	}
	nest_end(m, nest);
	return bad;
}

/*
 * client-add/del on the pool; bad: both, no or the any address, sport 0, lifetime
 * out of range (add) or present (del), a reply-only attribute, a config nest too.
 */
static bool gen_client(struct msg *m, bool add, bool bad)
{
	static const uint8_t any[16];
	unsigned int badk = bad ? 1 + rn(7) : 0, p = rn(POOL);
	size_t nest;

	if (badk == 7) {
		nest = nest_start(m, L2TP_IPSEC_A_CONFIG);
		put_u8(m, L2TP_IPSEC_A_CONFIG_RESTORE, 1);
		nest_end(m, nest);
	}
	nest = nest_start(m, L2TP_IPSEC_A_CLIENT);
	if (badk == 1) {
		put_pool_addr(m, p % (POOL / 2));
		put_pool_addr(m, POOL / 2 + p % (POOL / 2));
	} else if (badk == 3) {
		put(m, p & 1 ? L2TP_IPSEC_A_CLIENT_SERVER_IPV4 : L2TP_IPSEC_A_CLIENT_SERVER_IPV6,
		    any, p & 1 ? 4 : 16);
	} else if (badk != 2) {
		put_pool_addr(m, p);
	}
	if (badk == 4)
		put_u16(m, L2TP_IPSEC_A_CLIENT_SPORT, 0);
	else if (chance(50))
		put_u16(m, L2TP_IPSEC_A_CLIENT_SPORT, htons(chance(50) ? 1701 : 4500));
	if (badk == 5)
		put_u32(m, L2TP_IPSEC_A_CLIENT_LIFETIME, !add ? rn(2) : chance(50) ? 7 : 2 + rn(1000));
	else if (add && chance(50))
		put_u32(m, L2TP_IPSEC_A_CLIENT_LIFETIME, rn(2));
	if (badk == 6)
		put_u32(m, chance(50) ? L2TP_IPSEC_A_CLIENT_TUNNELS :
			L2TP_IPSEC_A_CLIENT_POLICY_INDEX, rn(3));
	nest_end(m, nest);
	return bad;
}

/* A well-formed request; bad asks for a semantic error. Returns whether it has one. */
static bool gen_valid(struct msg *m, uint32_t seq, bool bad)
{
	unsigned int r = rn(100);
	uint8_t cmd = r < 6 ? L2TP_IPSEC_CMD_CONFIG_GET : r < 26 ? L2TP_IPSEC_CMD_CONFIG_SET :
		      r < 52 ? L2TP_IPSEC_CMD_CLIENT_ADD : r < 78 ? L2TP_IPSEC_CMD_CLIENT_DEL :
		      r < 86 ? L2TP_IPSEC_CMD_CLIENT_GET : r < 93 ? L2TP_IPSEC_CMD_TUNNEL_GET :
		      L2TP_IPSEC_CMD_POLICY_GET;

	msg_init(m, cmd, is_dump(cmd) ? NLM_F_DUMP : 0, seq);
	if (cmd == L2TP_IPSEC_CMD_CONFIG_SET)
		return gen_config(m, bad);
	if (cmd == L2TP_IPSEC_CMD_CLIENT_ADD || cmd == L2TP_IPSEC_CMD_CLIENT_DEL)
		return gen_client(m, cmd == L2TP_IPSEC_CMD_CLIENT_ADD, bad);
	if (bad)	/* a dump takes no attributes */
		gen_config(m, false);
	return bad;
}

/* ---- structure: find the attributes, splice bytes in and out ---- */

static void scan_range(struct msg *m, size_t off, size_t end, int parent, int depth)
{
	uint16_t len;
	int i;

	while (off + NLA_HDRLEN <= end && m->na < MAX_ATTRS) {
		len = get16(m->buf + off);
		if (len < NLA_HDRLEN || off + len > end)
			return;
		i = m->na++;
		m->a[i].off = off;
		m->a[i].parent = parent;
		if ((get16(m->buf + off + 2) & NLA_F_NESTED) && depth < MAX_DEPTH)
			scan_range(m, off + NLA_HDRLEN, off + len, i, depth + 1);
		off += NLA_ALIGN(len);
	}
}

static void scan(struct msg *m)
{
	m->na = 0;
	scan_range(m, GENL_OFF, m->len, -1, 0);
}

/* Whether the attributes fill [off, end) exactly, nests included. */
static bool tiles(const struct msg *m, size_t off, size_t end, int depth)
{
	uint16_t len;

	while (off < end) {
		len = off + NLA_HDRLEN <= end ? get16(m->buf + off) : 0;
		if (len < NLA_HDRLEN || off + NLA_ALIGN(len) > end)
			return false;
		if ((get16(m->buf + off + 2) & NLA_F_NESTED) && depth < MAX_DEPTH &&
		    !tiles(m, off + NLA_HDRLEN, off + len, depth + 1))
			return false;
		off += NLA_ALIGN(len);
	}
	return true;
}

/* Insert delta bytes (data, or zeros) at pos, or remove -delta; fix container c up. */
static bool splice(struct msg *m, int c, size_t pos, long delta, const void *data)
{
	uint8_t *p;

	if (delta > 0) {
		if (m->len + delta > MSG_MAX)
			return false;
		memmove(m->buf + pos + delta, m->buf + pos, m->len - pos);
		if (data)
			memcpy(m->buf + pos, data, delta);
		else
			memset(m->buf + pos, 0, delta);
	} else {
		memmove(m->buf + pos, m->buf + pos - delta, m->len - pos + delta);
	}
	m->len += delta;
	for (; c >= 0; c = m->a[c].parent) {
		p = m->buf + m->a[c].off;
		put16(p, get16(p) + delta);
	}
	fix_len(m);
	scan(m);
	return true;
}

/* A random attribute (nest: 1 only nests, 0 no nests, -1 any), or -1. */
static int pick_attr(const struct msg *m, int nest)
{
	int idx[MAX_ATTRS], n = 0;
	unsigned int i;

	for (i = 0; i < m->na; i++)
		if (nest < 0 || !!(get16(m->buf + m->a[i].off + 2) & NLA_F_NESTED) == nest)
			idx[n++] = i;
	return n ? idx[rn(n)] : -1;
}

/* Where to put something: -1 (the top level) or a nest. */
static int pick_container(const struct msg *m)
{
	return chance(40) ? -1 : pick_attr(m, 1);
}

/* A random attribute boundary in container c. */
static size_t pick_pos(const struct msg *m, int c)
{
	unsigned int i, kids = 0, k;

	for (i = 0; i < m->na; i++)
		kids += m->a[i].parent == c;
	k = rn(kids + 1);
	for (i = 0; i < m->na; i++)
		if (m->a[i].parent == c && !k--)
			return m->a[i].off;
	return c < 0 ? m->len : m->a[c].off + get16(m->buf + m->a[c].off);
}

/* Insert an attribute (random payload if data is NULL) at a boundary of c. */
static bool insert(struct msg *m, int c, uint16_t type, const void *data, size_t len)
{
	size_t foot = NLA_ALIGN(NLA_HDRLEN + len);

	if (foot > MSG_MAX)
		return false;
	put16(scratch, NLA_HDRLEN + len);
	put16(scratch + 2, type);
	if (data)
		memcpy(scratch + NLA_HDRLEN, data, len);
	else
		rfill(scratch + NLA_HDRLEN, len);
	memset(scratch + NLA_HDRLEN + len, 0, foot - NLA_HDRLEN - len);
	return splice(m, c, pick_pos(m, c), foot, scratch);
}

/* Payload sizes per attribute set (NEST: a nest), for attributes in the wrong place. */
#define NEST 0xff
static const uint8_t top_sz[] = { 0, NEST, NEST, NEST, NEST, 4, NEST, NEST, 4 };
static const uint8_t config_sz[] = { 0, 1, 2, 4, 4, 4, 1, 1, 4, 1, 8, 1 };	/* a string: 8 */
static const uint8_t client_sz[] = { 0, 4, 16, 2, 4, 4, 4, NEST };
static const uint8_t tunnel_sz[] = { 0, 4, 4, 16, 4, 16, 2, 2, 4, NEST, 4, 2, 4 };
static const uint8_t policy_sz[] = { 0, 4, 4, 2, 4, 16, 4, 16, 1, 1, 1, 2, 2, 4, 4, 0, 4, 4, 4, 4, 0, 4 };
_Static_assert(sizeof(top_sz) == L2TP_IPSEC_A_MAX + 1, "top_sz");
_Static_assert(sizeof(config_sz) == L2TP_IPSEC_A_CONFIG_MAX + 1, "config_sz");
_Static_assert(sizeof(client_sz) == L2TP_IPSEC_A_CLIENT_MAX + 1, "client_sz");
_Static_assert(sizeof(tunnel_sz) == L2TP_IPSEC_A_TUNNEL_MAX + 1, "tunnel_sz");
_Static_assert(sizeof(policy_sz) == L2TP_IPSEC_A_POLICY_MAX + 1, "policy_sz");
static const struct { const uint8_t *sz; unsigned int n; } sets[] = {
	{ top_sz, sizeof(top_sz) }, { config_sz, sizeof(config_sz) },
	{ client_sz, sizeof(client_sz) }, { tunnel_sz, sizeof(tunnel_sz) },
	{ policy_sz, sizeof(policy_sz) },
};

static bool mutate(struct msg *m, enum mut op)
{
	static const uint8_t sizes[] = { 0, 1, 2, 3, 4, 5, 6, 8, 12, 16, 17, 20, 32 };
	static const uint16_t bits[] = { 0, NLA_F_NESTED, NLA_F_NET_BYTEORDER,
					 NLA_F_NESTED | NLA_F_NET_BYTEORDER };
	uint8_t inner[NLA_HDRLEN + 8] = { 5, 0, L2TP_IPSEC_A_CONFIG_SERVER, 0, 1 };
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	int i = pick_attr(m, -1), c = pick_container(m);
	size_t off = i < 0 ? 0 : m->a[i].off, n, foot;
	unsigned int len = i < 0 ? 0 : get16(m->buf + off), k, type, max;

	switch (op) {
	case M_SIZE:		/* another payload length: u8 where u32, ... */
		i = pick_attr(m, 0);
		if (i < 0)
			return false;
		off = m->a[i].off;
		len = get16(m->buf + off);
		do
			n = NLA_HDRLEN + sizes[rn(sizeof(sizes))];
		while (n == len);
		if (NLA_ALIGN(n) != NLA_ALIGN(len) &&
		    !splice(m, m->a[i].parent, off + NLA_ALIGN(n < len ? n : len),
			    (long)NLA_ALIGN(n) - (long)NLA_ALIGN(len), NULL))
			return false;
		if (n > len)
			rfill(m->buf + off + len, n - len);
		memset(m->buf + off + n, 0, NLA_ALIGN(n) - n);
		put16(m->buf + off, n);
		return true;
	case M_WRONGNEST:	/* an attribute of another set (a nest: empty or one u8) */
		k = rn(5);
		type = 1 + rn(sets[k].n - 1);
		if (sets[k].sz[type] == NEST)
			return insert(m, c, type | NLA_F_NESTED, inner, chance(50) ? 8 : 0);
		return insert(m, c, type, NULL, sets[k].sz[type]);
	case M_UNKNOWN:		/* type 0, beyond the policy, 0x7fff, with flag bits */
		max = L2TP_IPSEC_A_MAX;
		if (c >= 0) {
			type = get16(m->buf + m->a[c].off + 2) & NLA_TYPE_MASK;
			max = type == L2TP_IPSEC_A_CONFIG ? L2TP_IPSEC_A_CONFIG_MAX :
			      type == L2TP_IPSEC_A_CLIENT ? L2TP_IPSEC_A_CLIENT_MAX : 15;
		}
		k = rn(5);
		type = k == 0 ? 0 : k == 1 ? max + 1 : k == 2 ? 0x7fff :
		       k == 3 ? (c < 0 ? 3 + rn(4) : max + 1 + rn(8)) : rn(0x8000);
		type |= bits[rn(4)];
		if (!(type & NLA_F_NESTED))
			return insert(m, c, type, NULL, rn(17));
		n = rn(9);	/* a nest holds an attribute of a random type, or nothing */
		put16(inner, NLA_HDRLEN + n);
		put16(inner + 2, 1 + rn(0x7fff));
		rfill(inner + NLA_HDRLEN, n);
		memset(inner + NLA_HDRLEN + n, 0, NLA_ALIGN(n) - n);
		return insert(m, c, type, inner, chance(30) ? 0 : NLA_ALIGN(NLA_HDRLEN + n));
	case M_DUP:		/* a copy right after the original */
		if (i < 0)
			return false;
		memcpy(scratch, m->buf + off, NLA_ALIGN(len));
		return splice(m, m->a[i].parent, off + NLA_ALIGN(len), NLA_ALIGN(len), scratch);
	case M_NESTNEST:	/* nests 1-4 deep around a copy of an attribute */
		n = i < 0 ? 0 : NLA_ALIGN(len);
		memcpy(scratch, m->buf + off, n);
		for (k = 1 + rn(4); k; k--) {
			memmove(scratch + NLA_HDRLEN, scratch, n);
			n += NLA_HDRLEN;
			put16(scratch, n);
			put16(scratch + 2, (1 + rn(8)) | NLA_F_NESTED);
		}
		return splice(m, c, pick_pos(m, c), n, scratch);
	case M_EMPTYNEST:	/* empty a nest, or add an empty one */
		i = pick_attr(m, 1);
		if (i < 0 || chance(50))
			return insert(m, c, (1 + rn(6)) | NLA_F_NESTED, NULL, 0);
		n = get16(m->buf + m->a[i].off) - NLA_HDRLEN;
		return n && splice(m, i, m->a[i].off + NLA_HDRLEN, -(long)n, NULL);
	case M_HUGE:		/* one big attribute, or up to 300 copies of one */
		if (i < 0 || chance(40))
			return insert(m, c, 1 + rn(8), NULL, 256 + rn(3000));
		foot = NLA_ALIGN(len);
		n = 16 + rn(300);
		if (n > (MSG_MAX - m->len) / foot)
			n = (MSG_MAX - m->len) / foot;
		for (k = 0; k < n; k++)
			memcpy(scratch + k * foot, m->buf + off, foot);
		return n > 1 && splice(m, c, pick_pos(m, c), n * foot, scratch);
	case M_CMD:
		g->cmd = chance(50) ? rn(16) : rn(256);
		if (chance(50))
			g->version = rn(256);
		if (chance(25))
			g->reserved = rn(0x10000);
		return true;
	case M_FLAGS:		/* the request and ACK bits stay: see the top */
		k = rn(3);
		n = get16(m->buf + 6);
		n = k == 0 ? n ^ NLM_F_DUMP : k == 1 ? n ^ (chance(50) ? NLM_F_ROOT : NLM_F_MATCH) :
		    rn(0x10000);
		put16(m->buf + 6, n | NLM_F_REQUEST | NLM_F_ACK);
		return true;
	case M_ATTRFLAGS:
		if (i >= 0)
			put16(m->buf + off + 2, get16(m->buf + off + 2) ^
			      (chance(60) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER));
		return i >= 0;
	case M_LENOFF:		/* nla_len +-1..4 */
		k = 1 + rn(4);
		if (i >= 0)
			put16(m->buf + off, chance(50) ? len + k : len - k);
		return i >= 0;
	case M_FLIP:		/* 1-8 bytes after the nlmsghdr */
		for (k = 1 + rn(8); k; k--) {
			n = NLMSG_HDRLEN + rn(m->len - NLMSG_HDRLEN);
			m->buf[n] = chance(50) ? m->buf[n] ^ (1u << rn(8)) : rn(256);
		}
		return true;
	case M_TRUNC:		/* mostly among the attributes, else in the genl header */
		if (m->len > GENL_OFF && chance(85))
			m->len = GENL_OFF + rn(m->len - GENL_OFF);
		else
			m->len = NLMSG_HDRLEN + rn(GENL_HDRLEN);
		fix_len(m);
		return true;
	default:
		return false;
	}
}

/* Request i (seq i + 1): valid 30%, mutated 60%, random 10%. */
static void generate(struct msg *m, uint32_t seq)
{
	unsigned int r = rn(100), n, op;
	uint32_t want = 0;

	if (r < 30) {
		m->kind = K_VALID;
		gen_valid(m, seq, false);
	} else if (r < 90) {
		m->kind = K_MUTATED;
		for (n = chance(30) ? 2 + rn(2) : 1; n; n--)
			want |= 1u << rn(M__N);
		if (gen_valid(m, seq, want & (1u << M_SEMANTIC)))
			m->muts |= 1u << M_SEMANTIC;
		scan(m);
		for (op = M_SIZE; op < M__N; op++) {
			if (op == M_ATTRFLAGS)	/* from here on the structure may break */
				m->tree_ok = tiles(m, GENL_OFF, m->len, 0);
			if ((want & (1u << op)) && mutate(m, op))
				m->muts |= 1u << op;
		}
		if (!m->muts && mutate(m, M_FLIP))
			m->muts |= 1u << M_FLIP;
	} else {
		m->kind = K_RANDOM;
		op = chance(80) ? 1 + rn(CMD_LAST) : rn(256);
		msg_init(m, op, chance(is_dump(op) ? 80 : 20) ? NLM_F_DUMP : 0, seq);
		if (chance(20))
			m->buf[NLMSG_HDRLEN + 1] = rn(256);	/* the version */
		n = chance(10) ? rn(2048) : rn(128);
		rfill(m->buf + m->len, n);
		m->len += n;
		fix_len(m);
	}
}

/* "valid config-set", "mutated client-add: size,dup", "random". */
static const char *describe(const struct msg *m, char *buf, size_t len)
{
	const char *sep = ": ";
	size_t off;
	int op;

	off = snprintf(buf, len, "%s%s%s", kind_names[m->kind], m->kind == K_RANDOM ? "" : " ",
		       m->kind == K_RANDOM ? "" : cmd_names[m->cmd]);
	for (op = 0; op < M__N && off < len; op++) {
		if (m->muts & (1u << op)) {
			off += snprintf(buf + off, len - off, "%s%s", sep, mut_names[op]);
			sep = ",";
		}
	}
	return buf;
}

/* Whether genetlink gets as far as the permission check of one of the commands. */
static bool reaches_command(const struct msg *m)
{
	uint8_t cmd = m->buf[NLMSG_HDRLEN];
	bool dump = (get16(m->buf + 6) & NLM_F_DUMP) == NLM_F_DUMP;

	return m->len >= GENL_OFF && cmd >= 1 && cmd <= CMD_LAST && dump == is_dump(cmd);
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	while (n--)
		fprintf(f, "%02x", *p++);
	fputc('\n', f);
}

/* ---- netlink ---- */

enum res { R_ACCEPT, R_REJECT, R_TIMEOUT, R_IOERR, R_READY };

struct result {
	int res;
	int err;		/* positive errno */
	char ext[160];		/* the extended ACK message */
};

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;		/* of our own requests */
};

static uint8_t *rbuf;

static int nl_open(struct nl *nl)
{
	int one = 1;

	nl->sock = nl_socket(NETLINK_GENERIC, TIMEOUT);
	if (!nl->sock)
		return -1;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

static int nl_reopen(struct nl *nl)
{
	mnl_socket_close(nl->sock);
	return nl_open(nl);
}

/* The error code of NLMSG_ERROR or NLMSG_DONE, and the extended ACK message. */
static void parse_ack(const struct nlmsghdr *nlh, struct result *r)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh), off = sizeof(int);
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	int code = 0;

	if (nlh->nlmsg_type == NLMSG_ERROR && plen < sizeof(*e)) {
		r->res = R_IOERR;
		r->err = EBADMSG;
		return;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		code = e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += NLMSG_ALIGN(e->msg.nlmsg_len) - sizeof(e->msg);
	} else if (plen >= sizeof(int)) {	/* old kernels: an empty NLMSG_DONE */
		memcpy(&code, e, sizeof(int));
	}
	r->res = code < 0 ? R_REJECT : code ? R_IOERR : R_ACCEPT;
	r->err = code < 0 ? -code : code ? EPROTO : 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > plen)
		return;
	mnl_attr_for_each(a, nlh, off)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(r->ext, sizeof(r->ext), "%.*s", (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
}

/* Send req, give every reply but the last to cb, end with its NLMSG_ERROR/DONE. */
static void transact(struct nl *nl, const void *req, size_t len,
		     void (*cb)(const struct nlmsghdr *nlh, void *arg), void *arg,
		     struct result *r)
{
	uint32_t seq;
	const struct nlmsghdr *nlh;
	unsigned long n = 0;
	ssize_t got;
	int rem;

	memcpy(&seq, (const uint8_t *)req + 8, sizeof(seq));
	memset(r, 0, sizeof(*r));
	if (mnl_socket_sendto(nl->sock, req, len) < 0) {
		r->res = R_IOERR;
		r->err = errno;
		return;
	}
	for (;;) {
		got = mnl_socket_recvfrom(nl->sock, rbuf, RECV_BUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r->res = errno == EAGAIN || errno == EWOULDBLOCK ? R_TIMEOUT : R_IOERR;
			r->err = errno;
			return;
		}
		rem = got;
		for (nlh = (void *)rbuf; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;	/* late: the answer of a request that timed out */
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				parse_ack(nlh, r);
				return;
			}
			if (nlh->nlmsg_type == NLMSG_OVERRUN || ++n > MAX_REPLIES) {
				r->res = R_IOERR;
				r->err = n > MAX_REPLIES ? E2BIG : ENOBUFS;
				return;
			}
			if (cb)
				cb(nlh, arg);
		}
	}
}

static struct nlmsghdr *ctl_header(struct nl *nl, void *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = CTL_SEQ + ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = L2TP_IPSEC_GENL_VERSION;
	return nlh;
}

static int resolve_family(struct nl *nl)
{
	uint16_t id = 0;
	int ret;

	ret = genl_resolve(nl->sock, CTL_SEQ + ++nl->seq, L2TP_IPSEC_GENL_NAME, NULL, &id, NULL);
	family = ret ? 0 : id;
	if (!ret)
		return 0;
	fprintf(stderr, "%s: the %s generic netlink family: %s\n", prog, L2TP_IPSEC_GENL_NAME,
		ret == -EBADMSG ? "no id in the nlctrl reply" :
		ret == -ENOENT ? "not found (is the module loaded?)" : strerror(-ret));
	return 1;
}

/* ---- snapshots ---- */

struct client {
	uint8_t family, addr[16];
	uint16_t sport;		/* network order */
	uint32_t lifetime;
	bool has_lifetime;
};

struct snap {
	uint8_t *buf;		/* per dump message: u32 length, genl header, attributes */
	size_t len, cap;
	size_t end[3];		/* of the config, client and policy parts */
	unsigned int npol, ncl;
	struct client cl[MAX_CLIENTS];
	uint8_t cfg_len[L2TP_IPSEC_A_CONFIG_MAX + 1];	/* 0: absent */
	uint32_t cfg[L2TP_IPSEC_A_CONFIG_MAX + 1];
	int part;
	bool oom;
};

static const char *const part_names[3] = { "config", "clients", "policies" };

static bool has_client(const struct snap *s, const struct client *c)
{
	unsigned int i;

	for (i = 0; i < s->ncl; i++)
		if (s->cl[i].family == c->family && s->cl[i].sport == c->sport &&
		    !memcmp(s->cl[i].addr, c->addr, sizeof(c->addr)))
			return true;
	return false;
}

/* Keep a dump message; remember the configuration and the clients. */
static void snap_cb(const struct nlmsghdr *nlh, void *arg)
{
	uint32_t len = nlh->nlmsg_len - NLMSG_HDRLEN, t, n;
	const struct nlattr *a, *b;
	struct client c = { 0 };
	struct snap *s = arg;
	const void *data;
	uint8_t *p;

	if (nlh->nlmsg_type != family)
		return;
	if (s->len + len + 4 > s->cap) {
		p = realloc(s->buf, 2 * (s->len + len + 4));
		if (!p) {
			s->oom = true;
			return;
		}
		s->buf = p;
		s->cap = 2 * (s->len + len + 4);
	}
	memcpy(s->buf + s->len, &len, 4);
	memcpy(s->buf + s->len + 4, mnl_nlmsg_get_payload(nlh), len);
	s->len += 4 + len;
	s->npol += s->part == 2;
	if (s->part == 2 || len < GENL_HDRLEN)
		return;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != (s->part ? L2TP_IPSEC_A_CLIENT : L2TP_IPSEC_A_CONFIG))
			continue;
		mnl_attr_for_each_nested(b, a) {
			t = mnl_attr_get_type(b);
			n = mnl_attr_get_payload_len(b);
			data = mnl_attr_get_payload(b);
			if (!s->part && t && t <= L2TP_IPSEC_A_CONFIG_MAX && (n == 1 || n == 2 || n == 4)) {
				s->cfg_len[t] = n;
				s->cfg[t] = 0;
				memcpy(&s->cfg[t], data, n);
			} else if (s->part && ((t == L2TP_IPSEC_A_CLIENT_SERVER_IPV4 && n == 4) ||
					       (t == L2TP_IPSEC_A_CLIENT_SERVER_IPV6 && n == 16))) {
				c.family = n == 4 ? AF_INET : AF_INET6;
				memcpy(c.addr, data, n);
			} else if (s->part && t == L2TP_IPSEC_A_CLIENT_SPORT && n == 2) {
				memcpy(&c.sport, data, 2);
			} else if (s->part && t == L2TP_IPSEC_A_CLIENT_LIFETIME && n == 4) {
				memcpy(&c.lifetime, data, 4);
				c.has_lifetime = true;
			}
		}
	}
	if (c.family && s->ncl < MAX_CLIENTS)
		s->cl[s->ncl++] = c;
}

static int snapshot(struct nl *nl, struct snap *s)
{
	static const uint8_t cmds[3] = {
		L2TP_IPSEC_CMD_CONFIG_GET, L2TP_IPSEC_CMD_CLIENT_GET, L2TP_IPSEC_CMD_POLICY_GET,
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct result r;

	s->len = s->ncl = s->npol = 0;
	s->oom = false;
	memset(s->cfg_len, 0, sizeof(s->cfg_len));
	for (s->part = 0; s->part < 3; s->part++) {
		nlh = ctl_header(nl, buf, cmds[s->part], NLM_F_DUMP);
		transact(nl, nlh, nlh->nlmsg_len, snap_cb, s, &r);
		if (r.res != R_ACCEPT || s->oom) {
			fprintf(stderr, "%s: snapshot: %s dump: %s%s%s\n", prog,
				part_names[s->part], s->oom ? "out of memory" : strerror(r.err),
				r.ext[0] ? ": " : "", r.ext);
			return -1;
		}
		s->end[s->part] = s->len;
	}
	return 0;
}

/* The parts that differ ("config,policies"), "" if none. */
static const char *snap_diff(const struct snap *a, const struct snap *b, char *out, size_t len)
{
	size_t as = 0, bs = 0, off = 0;
	int k;

	out[0] = '\0';
	for (k = 0; k < 3; as = a->end[k], bs = b->end[k], k++)
		if (a->end[k] - as != b->end[k] - bs ||
		    memcmp(a->buf + as, b->buf + bs, a->end[k] - as))
			off += snprintf(out + off, len - off, "%s%s", off ? "," : "", part_names[k]);
	return out;
}

static int client_req(struct nl *nl, uint8_t cmd, const struct client *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = ctl_header(nl, buf, cmd, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CLIENT);
	struct result r;

	mnl_attr_put(nlh, c->family == AF_INET ? L2TP_IPSEC_A_CLIENT_SERVER_IPV4 :
		     L2TP_IPSEC_A_CLIENT_SERVER_IPV6, c->family == AF_INET ? 4 : 16, c->addr);
	mnl_attr_put_u16(nlh, L2TP_IPSEC_A_CLIENT_SPORT, c->sport);
	if (cmd == L2TP_IPSEC_CMD_CLIENT_ADD && c->has_lifetime)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_LIFETIME, c->lifetime);
	mnl_attr_nest_end(nlh, nest);
	transact(nl, nlh, nlh->nlmsg_len, NULL, NULL, &r);
	if (r.res == R_ACCEPT || (r.err == ENOENT && cmd == L2TP_IPSEC_CMD_CLIENT_DEL))
		return 0;
	fprintf(stderr, "%s: cleanup: %s: %s%s%s\n", prog, cmd_names[cmd], strerror(r.err),
		r.ext[0] ? ": " : "", r.ext);
	return -1;
}

/* Delete the client connections of cur that init does not have: how many, or -1. */
static int delete_ours(struct nl *nl, const struct snap *init, const struct snap *cur)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < cur->ncl; i++) {
		if (has_client(init, &cur->cl[i]))
			continue;
		if (client_req(nl, L2TP_IPSEC_CMD_CLIENT_DEL, &cur->cl[i]))
			return -1;
		n++;
	}
	return n;
}

/* Back to init: clients, configuration; then check. */
static int cleanup(struct nl *nl, const struct snap *init, struct snap *cur)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct result r;
	unsigned int i, t;
	int n = 1, round, rc = 0;

	for (round = 0; round < 8 && n > 0; round++) {
		if (snapshot(nl, cur))
			return -1;
		n = delete_ours(nl, init, cur);
		if (n < 0)
			return -1;
	}
	for (i = 0; i < init->ncl; i++)
		if (!has_client(cur, &init->cl[i]) &&
		    client_req(nl, L2TP_IPSEC_CMD_CLIENT_ADD, &init->cl[i]))
			rc = -1;
	nlh = ctl_header(nl, buf, L2TP_IPSEC_CMD_CONFIG_SET, 0);
	nest = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CONFIG);
	for (t = 1; t <= L2TP_IPSEC_A_CONFIG_MAX; t++)
		if (init->cfg_len[t] && config_settable(t))
			mnl_attr_put(nlh, t, init->cfg_len[t], &init->cfg[t]);
	mnl_attr_nest_end(nlh, nest);
	transact(nl, nlh, nlh->nlmsg_len, NULL, NULL, &r);
	if (r.res != R_ACCEPT) {
		fprintf(stderr, "%s: cleanup: config-set: %s%s%s\n", prog, strerror(r.err),
			r.ext[0] ? ": " : "", r.ext);
		rc = -1;
	}
	if (snapshot(nl, cur))
		return -1;
	if (cur->end[0] != init->end[0] || memcmp(cur->buf, init->buf, init->end[0])) {
		fprintf(stderr, "%s: cleanup: the configuration is not the initial one\n", prog);
		rc = -1;
	}
	for (i = 0; i < init->ncl; i++)
		if (!has_client(cur, &init->cl[i]))
			rc = -1;
	if (rc || cur->ncl != init->ncl || cur->npol != init->npol) {
		fprintf(stderr, "%s: cleanup: %u client connections and %u policies, %u and %u at the start\n",
			prog, cur->ncl, cur->npol, init->ncl, init->npol);
		rc = -1;
	}
	return rc;
}

/* ---- the unprivileged sender ---- */

static int drop_privileges(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -1;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid) ||
	    syscall(SYS_capset, &h, d) || syscall(SYS_capget, &h, d))
		return -1;
	if (d[0].effective || d[0].permitted || d[1].effective || d[1].permitted ||
	    geteuid() != uid || getegid() != gid) {
		errno = EPERM;
		return -1;
	}
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* The child: drop privileges, open a socket, send each request received on sp. */
static void relay(int sp, int privileged_fd, uid_t uid, gid_t gid)
{
	static uint32_t req[MSG_MAX / 4];
	struct result r = { .res = R_READY };
	struct nl nl = { 0 };
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	close(privileged_fd);
	if (drop_privileges(uid, gid) || nl_open(&nl)) {
		r.res = R_IOERR;
		r.err = errno;
	}
	if (send(sp, &r, sizeof(r), MSG_NOSIGNAL) != sizeof(r) || r.res != R_READY)
		_exit(1);
	while ((n = recv(sp, req, sizeof(req), 0)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		transact(&nl, req, n, NULL, NULL, &r);
		if ((r.res == R_TIMEOUT || r.res == R_IOERR) && nl_reopen(&nl))
			_exit(1);
		if (send(sp, &r, sizeof(r), MSG_NOSIGNAL) != sizeof(r))
			_exit(1);
	}
	_exit(0);
}

/* The parent: one request through the child. */
static int relay_one(int sp, const uint8_t *req, size_t len, struct result *r)
{
	ssize_t n;

	if (send(sp, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	do
		n = recv(sp, r, sizeof(*r), 0);
	while (n < 0 && errno == EINTR);
	return n == sizeof(*r) ? 0 : -1;
}

/* ---- the run ---- */

static struct msg msg;
static struct snap snaps[3];
static struct {
	unsigned long sent, accepted, rejected, timeouts, ioerr, drift;
	unsigned long unpriv_accepted, unpriv_not_eperm, resets;
	unsigned long kind[K__N], valid[CMD_LAST + 1], mut[M__N], err[ERR_MAX];
} st;

static void count_kinds(const struct msg *m)
{
	int op;

	st.kind[m->kind]++;
	if (m->kind == K_VALID)
		st.valid[m->cmd]++;
	for (op = 0; op < M__N; op++)
		st.mut[op] += !!(m->muts & (1u << op));
}

static void print_kinds(const char *tag)
{
	int k;

	printf("# %s: kinds", tag);
	for (k = 0; k < K__N; k++)
		printf(" %s=%lu", kind_names[k], st.kind[k]);
	printf("\n# %s: valid", tag);
	for (k = 1; k <= CMD_LAST; k++)
		printf(" %s=%lu", cmd_names[k], st.valid[k]);
	printf("\n# %s: mutations", tag);
	for (k = 0; k < M__N; k++)
		printf(" %s=%lu", mut_names[k], st.mut[k]);
	putchar('\n');
}

static int dry_run(unsigned long count, uint64_t seed, bool verbose)
{
	unsigned long i, broken = 0, malformed = 0;
	uint64_t hash = 0xcbf29ce484222325ULL, bytes = 0;	/* FNV-1a */
	struct nlmsghdr nlh;
	char desc[160];
	size_t k;

	family = DRY_FAMILY;
	printf("# dry-run: seed %llu count %lu family 0x%x\n", (unsigned long long)seed, count,
	       family);
	for (i = 0; i < count; i++) {
		generate(&msg, i + 1);
		count_kinds(&msg);
		memcpy(&nlh, msg.buf, sizeof(nlh));
		if (msg.len < NLMSG_HDRLEN || msg.len > MSG_MAX || nlh.nlmsg_len != msg.len ||
		    nlh.nlmsg_type != family || nlh.nlmsg_seq != i + 1 || nlh.nlmsg_pid ||
		    (~nlh.nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK)) ||
		    (msg.kind == K_VALID && !tiles(&msg, GENL_OFF, msg.len, 0))) {
			malformed++;
			printf("# dry-run: message %lu is malformed\n", i);
		}
		if (msg.kind != K_RANDOM && !msg.tree_ok && broken++ < 10)
			printf("# dry-run: message %lu (%s): the splices broke the attribute tree\n",
			       i, describe(&msg, desc, sizeof(desc)));
		bytes += msg.len;
		for (k = 0; k < msg.len; k++)
			hash = (hash ^ msg.buf[k]) * 0x100000001b3ULL;
		if (i < DRY_SHOW || verbose) {
			printf("msg %lu %s len %zu: ", i, describe(&msg, desc, sizeof(desc)), msg.len);
			print_hex(stdout, msg.buf, msg.len);
		}
	}
	print_kinds("dry-run");
	printf("# dry-run: messages %lu malformed %lu broken %lu bytes %llu checksum %016llx\n",
	       count, malformed, broken, (unsigned long long)bytes, (unsigned long long)hash);
	return malformed || broken;
}

/* One line: what happened to request i, and its bytes. */
static void report(const char *what, unsigned long i, const struct result *r)
{
	char desc[160], eb[16];

	printf("# %s: message %lu (%s) %s%s%s%s len %zu: ", what, i,
	       describe(&msg, desc, sizeof(desc)),
	       r->res == R_ACCEPT ? "accepted" : errno_name(r->err, eb, sizeof(eb)),
	       r->ext[0] ? " \"" : "", r->ext, r->ext[0] ? "\"" : "", msg.len);
	print_hex(stdout, msg.buf, msg.len);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check-every", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long count = 100000, check_every = 1, v, i, since = 0, from = 0;
	bool dry = false, verbose = false, have_seed = false, unpriv = false, fatal = false;
	struct sigaction sa = { .sa_handler = on_stop };
	struct timeval tv = { .tv_sec = 4 * TIMEOUT };
	struct snap *init = &snaps[0], *ref = &snaps[1], *cur = &snaps[2], *tmp;
	long last_accepted = -1;
	struct nl nl = { 0 };
	char *colon, eb[16], diff[64], who[32] = "-";
	int c, sp[2] = { -1, -1 }, status, rc;
	uid_t uid = 0;
	gid_t gid = 0;
	pid_t child = 0;
	struct timespec ts;
	struct result r;
	uint64_t seed = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:s:u:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!parse_uint(optarg, 1000000000, &count))
				return bad_arg("bad -n COUNT \"%s\": 0..1000000000", optarg);
			break;
		case 's':
			if (!parse_uint(optarg, ULONG_MAX, &v))
				return bad_arg("bad -s SEED \"%s\": a decimal 64-bit number", optarg);
			seed = v;
			have_seed = true;
			break;
		case 'u':
			colon = strchr(optarg, ':');
			if (colon)
				*colon++ = '\0';
			if (!parse_uint(optarg, UINT32_MAX - 1, &v) || !v)
				return bad_arg("bad -u UID \"%s\": 1..4294967294", optarg);
			uid = gid = v;
			if (colon && (!parse_uint(colon, UINT32_MAX - 1, &v) || !v))
				return bad_arg("bad -u GID \"%s\": 1..4294967294", colon);
			if (colon)
				gid = v;
			unpriv = true;
			break;
		case 'c':
			if (!parse_uint(optarg, 1000000000, &check_every) || !check_every)
				return bad_arg("bad --check-every N \"%s\": 1..1000000000", optarg);
			break;
		case 'd':
			dry = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return bad_arg("option \"%s\" needs an argument", argv[optind - 1]);
		default:
			return bad_arg("unknown option \"%s\"", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_arg("unexpected argument \"%s\"", argv[optind]);
	if (!have_seed) {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_sec << 20) ^ ts.tv_nsec ^ ((uint64_t)getpid() << 40);
	}
	seed_rng(seed);
	if (dry)
		return dry_run(count, seed, verbose);

	rbuf = malloc(RECV_BUF);
	for (c = 0; c < 3; c++) {
		snaps[c].cap = 1 << 18;
		snaps[c].buf = malloc(snaps[c].cap);
		if (!rbuf || !snaps[c].buf)
			return sys_fail("malloc");
	}
	if (nl_open(&nl))
		return sys_fail("generic netlink socket");
	if (resolve_family(&nl) || snapshot(&nl, init) || snapshot(&nl, ref))
		return 1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (unpriv)
		snprintf(who, sizeof(who), "%u:%u", uid, gid);
	printf("# fuzz: seed %llu count %lu check-every %lu uid %s family 0x%x clients %u policies %u\n",
	       (unsigned long long)seed, count, check_every, who, family, init->ncl, init->npol);
	fflush(stdout);

	if (unpriv) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp))
			return sys_fail("socketpair");
		child = fork();
		if (child < 0)
			return sys_fail("fork");
		if (!child) {
			close(sp[0]);
			relay(sp[1], mnl_socket_get_fd(nl.sock), uid, gid);
		}
		close(sp[1]);
		setsockopt(sp[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		memset(&r, 0, sizeof(r));
		if (recv(sp[0], &r, sizeof(r), 0) != sizeof(r) || r.res != R_READY) {
			fprintf(stderr, "%s: the unprivileged sender did not start: %s\n", prog,
				r.res == R_IOERR ? strerror(r.err) : "no answer");
			fatal = true;
		}
	}

	for (i = 0; i < count && !stop && !fatal; i++) {
		generate(&msg, i + 1);
		count_kinds(&msg);
		if (!unpriv) {
			transact(&nl, msg.buf, msg.len, NULL, NULL, &r);
		} else if (relay_one(sp[0], msg.buf, msg.len, &r)) {
			fprintf(stderr, "%s: the unprivileged sender is gone\n", prog);
			fatal = true;
			break;
		}
		st.sent++;
		if (verbose && !((i + 1) % 10000))
			fprintf(stderr, "%s: %lu/%lu sent, %lu accepted\n", prog, i + 1, count,
				st.accepted);
		if (r.res == R_REJECT) {
			st.rejected++;
			st.err[r.err < ERR_MAX ? r.err : 0]++;
			if (unpriv && reaches_command(&msg) && r.err != EPERM &&
			    st.unpriv_not_eperm++ < 20)
				report("unpriv_not_eperm", i, &r);
			if (++since < check_every)
				continue;
			if (snapshot(&nl, cur)) {
				fatal = true;
				break;
			}
			if (snap_diff(ref, cur, diff, sizeof(diff))[0]) {
				st.drift++;
				printf("# drift: %s changed by the refused messages %lu..%lu (last accepted: %ld)\n",
				       diff, from, i, last_accepted);
				report("drift", i, &r);
			}
			tmp = ref;
			ref = cur;
			cur = tmp;
			since = 0;
			from = i + 1;
			continue;
		}
		if (r.res == R_ACCEPT) {
			st.accepted++;
			last_accepted = i;
			if (unpriv && st.unpriv_accepted++ < 20)
				report("unpriv_accepted", i, &r);
		} else {
			if (r.res == R_TIMEOUT)
				st.timeouts++;
			else
				st.ioerr++;
			report(r.res == R_TIMEOUT ? "timeout" : "ioerr", i, &r);
			if (!unpriv && nl_reopen(&nl)) {
				sys_fail("generic netlink socket");
				fatal = true;
				break;
			}
		}
		/* The state may have changed: a new reference (too many clients: delete). */
		if (snapshot(&nl, ref)) {
			fatal = true;
			break;
		}
		if (ref->ncl >= init->ncl + MAX_LIVE) {
			st.resets++;
			if (delete_ours(&nl, init, ref) < 0 || snapshot(&nl, ref)) {
				fatal = true;
				break;
			}
		}
		since = 0;
		from = i + 1;
	}

	if (child > 0) {
		close(sp[0]);
		waitpid(child, &status, 0);
	}
	if (stop)
		printf("# fuzz: interrupted after %lu messages\n", st.sent);
	rc = cleanup(&nl, init, cur);
	printf("# fuzz: seed %llu sent %lu accepted %lu rejected %lu timeouts %lu drift %lu "
	       "unpriv_accepted %lu unpriv_not_eperm %lu ioerr %lu resets %lu\n",
	       (unsigned long long)seed, st.sent, st.accepted, st.rejected, st.timeouts,
	       st.drift, st.unpriv_accepted, st.unpriv_not_eperm, st.ioerr, st.resets);
	printf("# fuzz: errors EINVAL=%lu EPERM=%lu EOPNOTSUPP=%lu", st.err[EINVAL],
	       st.err[EPERM], st.err[EOPNOTSUPP]);
	for (c = 0; c < ERR_MAX; c++)
		if (st.err[c] && c != EINVAL && c != EPERM && c != EOPNOTSUPP)
			printf(" %s=%lu", c ? errno_name(c, eb, sizeof(eb)) : "other", st.err[c]);
	putchar('\n');
	print_kinds("fuzz");
	printf("# fuzz: cleanup %s\n", rc ? "FAILED" : "ok");
	mnl_socket_close(nl.sock);
	if (fflush(stdout) || ferror(stdout))
		return sys_fail("write");
	return rc || fatal || stop || st.timeouts || st.drift || st.ioerr ||
	       st.unpriv_accepted || st.unpriv_not_eperm;
}
