// SPDX-License-Identifier: GPL-2.0
/*
 * test-l2tp-ipsec - host-side unit test of the l2tp-ipsec utility; no kernel module,
 * no privileges, nothing sent to l2tp_ipsec.
 *
 *   test-l2tp-ipsec [PATH/TO/l2tp-ipsec]
 *
 * Drives the utility's parts directly: the argument parser (every good form and the
 * attributes of the request it builds, parsed back; every bad argument refused with
 * exit status 2 and a message naming it), the output of canned netlink messages built
 * here with libmnl for every dump and event (exact text and JSON), the JSON writer,
 * nlctrl's request and reply (tools/lib/genl.c), NLMSG_ERROR/NLMSG_DONE with extended
 * ACKs, and the collection of a dump's replies. Given the binary, it also runs it for usage errors (nothing is
 * opened) and, when the module is not loaded, for the "family not available" error.
 *
 * Output is TAP (ok N - ..., a "1..N" plan at the end, "# " diagnostics); the exit
 * status is 1 if any case failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/l2tp_ipsec.h>

#include "l2tp-ipsec.h"
#include "lib/genl.h"

/* A made-up family id for canned messages (ids are dynamic, >= GENL_MIN_ID). */
#define FAMILY		0x2a
#define SEQ		4711
#define PORTID		12345

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned int tests, failed;

__attribute__((format(printf, 2, 3)))
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failed++;
	printf("%sok %u - ", cond ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

/* Multi-line text as "# " lines, newlines shown as \n. */
static void diag(const char *label, const char *s)
{
	printf("#   %s: \"", label);
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
	puts("\"");
}

static bool is_str(const char *got, const char *want, const char *desc)
{
	if (ok(got && !strcmp(got, want), "%s", desc))
		return true;
	diag("got ", got);
	diag("want", want);
	return false;
}

/* argv from a space-separated string ("" = no arguments); argv[0] is the program. */
struct argv {
	char buf[512];
	char *v[64];
	int c;
};

static void split(struct argv *a, const char *s)
{
	char *p;

	snprintf(a->buf, sizeof(a->buf), "%s", s);
	a->v[0] = "l2tp-ipsec";
	a->c = 1;
	for (p = strtok(a->buf, " "); p && a->c < 63; p = strtok(NULL, " "))
		a->v[a->c++] = p;
	a->v[a->c] = NULL;
}

static int parse(const char *args, struct lipsec_req *req, char *err, size_t len)
{
	static struct argv a;	/* req keeps pointers into it */

	split(&a, args);
	return lipsec_parse_args(a.c, a.v, req, err, len);
}

/* Parsing args succeeds with this action. */
static bool good(const char *args, enum lipsec_action action, struct lipsec_req *req)
{
	char err[LIPSEC_ERR_LEN];
	int rc = parse(args, req, err, sizeof(err));

	if (ok(rc == 0 && req->action == action, "accepts \"%s\"", args))
		return true;
	printf("#   rc %d action %d (want %d) err \"%s\"\n", rc, req->action, action, err);
	return false;
}

/* Parsing args fails with exit status 2 and exactly this message. */
static void bad(const char *args, const char *want)
{
	char err[LIPSEC_ERR_LEN];
	struct lipsec_req req;
	int rc = parse(args, &req, err, sizeof(err));

	if (ok(rc == LIPSEC_EXIT_USAGE && !strcmp(err, want), "rejects \"%s\"", args))
		return;
	printf("#   rc %d\n", rc);
	diag("got ", err);
	diag("want", want);
}

static void test_parse_good(void)
{
	struct lipsec_req req;

	good("show", LIPSEC_SHOW_ALL, &req);
	ok(!req.json && !req.pretty && !req.netns, "show: no options set");
	good("config", LIPSEC_CONFIG_SHOW, &req);
	good("config ls", LIPSEC_CONFIG_SHOW, &req);
	if (good("-j config show", LIPSEC_CONFIG_SHOW, &req))
		ok(req.json && !req.pretty, "-j: json, not pretty");
	if (good("-p policy show", LIPSEC_POLICY_SHOW, &req))
		ok(req.json && req.pretty, "-p implies -j");
	if (good("-jn blue tunnel show", LIPSEC_TUNNEL_SHOW, &req))
		ok(req.json && req.netns && !strcmp(req.netns, "blue"), "-jn blue: json, netns blue");
	if (good("--json --netns=red cl", LIPSEC_CLIENT_SHOW, &req))
		ok(req.json && req.netns && !strcmp(req.netns, "red"),
		   "--json --netns=red: long options");
	good("mon", LIPSEC_MONITOR, &req);
	good("-h", LIPSEC_HELP, &req);
	good("-V", LIPSEC_VERSION, &req);
	if (good("help client", LIPSEC_HELP, &req))
		ok(req.help && !strcmp(req.help, "client"), "help client: client's usage");
	if (good("pol help", LIPSEC_HELP, &req))
		ok(req.help && !strcmp(req.help, "policy"), "pol help: policy's usage");
	if (good("client add 192.0.2.2", LIPSEC_CLIENT_ADD, &req))
		ok(!strcmp(req.what, "client add"), "messages say \"client add\"");
	good("cl a 192.0.2.2 sp 1702 l s", LIPSEC_CLIENT_ADD, &req);
	ok(req.client.sport == 1702 && req.client.lifetime == L2TP_IPSEC_LIFETIME_STATIC,
	   "abbreviated keywords and values: sport 1702 lifetime static");
	good("config set port 0001701", LIPSEC_CONFIG_SET, &req);
	ok(req.config.port == 1701, "leading zeros are still decimal");
	if (good("config set max-tunnels 1", LIPSEC_CONFIG_SET, &req))
		ok(req.config.has == LIPSEC_BIT(L2TP_IPSEC_A_CONFIG_MAX_TUNNELS) &&
		   req.config.max_tunnels == 1, "max-tunnels 1: the smallest limit, nothing else");
	if (good("config set max 4294967295", LIPSEC_CONFIG_SET, &req))
		ok(req.config.max_tunnels == UINT32_MAX, "max 4294967295: abbreviated, the largest");
	if (good("client negotiate 192.0.2.2", LIPSEC_CLIENT_NEGOTIATE, &req))
		ok(req.timeout == 60 && !req.client.has, "client negotiate: 60 s by default");
	if (good("cl n 2001:db8::2 t 3600 s 1702", LIPSEC_CLIENT_NEGOTIATE, &req))
		ok(req.timeout == 3600 && req.client.sport == 1702 &&
		   req.client.has == LIPSEC_BIT(L2TP_IPSEC_A_CLIENT_SPORT),
		   "cl n ... t 3600 s 1702: abbreviated, the longest timeout, sport");
}

static void test_parse_bad(void)
{
	bad("", "missing object (try \"l2tp-ipsec help\")");
	bad("frob", "unknown object \"frob\"");
	bad("s", "ambiguous object \"s\" (show, server)");
	bad("show -j", "show: unexpected argument \"-j\" (options go before the object)");
	bad("show all", "show: unexpected argument \"all\"");
	bad("config frob", "config: unknown command \"frob\"");
	bad("config show extra", "config show: unexpected argument \"extra\"");
	bad("config set",
	    "config set: nothing to set (server, port, reqid, priority, level, auto-attach, restore or max-tunnels)");
	bad("config set bogus 1", "config set: unknown keyword \"bogus\"");
	bad("config set p 1", "config set: ambiguous keyword \"p\" (port, priority)");
	bad("config set port", "config set: missing value after \"port\" (a port, 1-65535)");
	bad("config set port 0", "config set: invalid port \"0\" (a port, 1-65535)");
	bad("config set port 65536", "config set: invalid port \"65536\" (a port, 1-65535)");
	bad("config set port +1701", "config set: invalid port \"+1701\" (a port, 1-65535)");
	bad("config set port 0x6a5", "config set: invalid port \"0x6a5\" (a port, 1-65535)");
	bad("config set reqid 4294967296",
	    "config set: invalid reqid \"4294967296\" (a number, 0-4294967295)");
	bad("config set reqid -1", "config set: invalid reqid \"-1\" (a number, 0-4294967295)");
	bad("config set priority 1.5",
	    "config set: invalid priority \"1.5\" (auto or a number, 0-4294967295)");
	bad("config set priority", "config set: missing value after \"priority\" (auto or a number, 0-4294967295)");
	bad("config set priority Auto",
	    "config set: invalid priority \"Auto\" (auto or a number, 0-4294967295)");
	bad("config set priority 99999999999999999999999",
	    "config set: invalid priority \"99999999999999999999999\" (auto or a number, 0-4294967295)");
	bad("config set level maybe", "config set: invalid level \"maybe\" (require or use)");
	bad("config set server yes", "config set: invalid server \"yes\" (on or off)");
	bad("config set auto-attach 1", "config set: invalid auto-attach \"1\" (on or off)");
	bad("config set restore", "config set: missing value after \"restore\" (on or off)");
	bad("config set max-tunnels 0",
	    "config set: invalid max-tunnels \"0\" (a number, 1-4294967295)");
	bad("config set max-tunnels 4294967296",
	    "config set: invalid max-tunnels \"4294967296\" (a number, 1-4294967295)");
	bad("config set max-tunnels 99999999999999999999999",
	    "config set: invalid max-tunnels \"99999999999999999999999\" (a number, 1-4294967295)");
	bad("config set max-tunnels lots",
	    "config set: invalid max-tunnels \"lots\" (a number, 1-4294967295)");
	bad("config set max-tunnels -1",
	    "config set: invalid max-tunnels \"-1\" (a number, 1-4294967295)");
	bad("config set max-tunnels 0x10",
	    "config set: invalid max-tunnels \"0x10\" (a number, 1-4294967295)");
	bad("config set max-tunnels",
	    "config set: missing value after \"max-tunnels\" (a number, 1-4294967295)");
	bad("config set max-tunnels 5 max-t 6", "config set: \"max-tunnels\" given twice");
	bad("config set armed 1", "config set: unknown keyword \"armed\"");
	bad("config set port 1 reqid 2 port 1", "config set: \"port\" given twice");
	bad("config set server on se off", "config set: \"server\" given twice");
	bad("server", "server: missing on or off");
	bad("server maybe", "server: invalid argument \"maybe\" (on or off)");
	bad("server on auto-attach off", "server: unknown keyword \"auto-attach\"");
	bad("server on max-tunnels 5", "server: unknown keyword \"max-tunnels\"");
	bad("server on level", "server: missing value after \"level\" (require or use)");
	bad("server off priority 1 priority 1", "server: \"priority\" given twice");
	bad("client add", "client add: missing server address");
	bad("client add 1.2.3", "client add: invalid server address \"1.2.3\" (an IPv4 or IPv6 address)");
	bad("client add fe80::1%eth0",
	    "client add: invalid server address \"fe80::1%eth0\" (an IPv4 or IPv6 address)");
	bad("client add server.example", "client add: invalid server address \"server.example\" (an IPv4 or IPv6 address)");
	bad("client add 192.0.2.2 sport 0", "client add: invalid sport \"0\" (a port, 1-65535)");
	bad("client add 192.0.2.2 sport", "client add: missing value after \"sport\" (a port, 1-65535)");
	bad("client add 192.0.2.2 lifetime forever",
	    "client add: invalid lifetime \"forever\" (connection or static)");
	bad("client add 192.0.2.2 sport 1 sport 2", "client add: \"sport\" given twice");
	bad("client add 192.0.2.2 192.0.2.3", "client add: unknown keyword \"192.0.2.3\"");
	bad("client del 192.0.2.2 lifetime static", "client del: unknown keyword \"lifetime\"");
	bad("client negotiate", "client negotiate: missing server address");
	bad("client negotiate 192.0.2.2 lifetime static",
	    "client negotiate: unknown keyword \"lifetime\"");
	bad("client negotiate 192.0.2.2 timeout 0",
	    "client negotiate: invalid timeout \"0\" (a number, 1-4294967295)");
	bad("client negotiate 192.0.2.2 timeout 3601",
	    "client negotiate: invalid timeout \"3601\" (1-3600 seconds)");
	bad("client negotiate 192.0.2.2 timeout 5 timeout 6",
	    "client negotiate: \"timeout\" given twice");
	bad("client frob", "client: unknown command \"frob\"");
	bad("tunnel show x", "tunnel show: unexpected argument \"x\"");
	bad("policy set", "policy: unknown command \"set\"");
	bad("monitor all", "monitor: unexpected argument \"all\"");
	bad("-x show", "unknown option \"-x\"");
	bad("--bogus show", "unknown option \"--bogus\"");
	bad("-n", "option \"-n\" needs a network namespace name");
	bad("-n a/b show", "invalid network namespace name \"a/b\"");
	bad("-n .. show", "invalid network namespace name \"..\"");
	bad("-n a -n b show", "option \"-n\" given twice");
}

/* A request parsed back. */
struct sent {
	uint16_t type, flags;
	uint8_t cmd, version;
	int nattr;			/* top-level attributes */
	uint16_t nest_type;		/* of the first one */
	bool nested_flag;		/* NLA_F_NESTED set on it */
	const struct nlattr *tb[32];	/* inside the nest */
	int ninner;
};

static void unpack(const struct nlmsghdr *nlh, struct sent *s)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *b;

	memset(s, 0, sizeof(*s));
	s->type = nlh->nlmsg_type;
	s->flags = nlh->nlmsg_flags;
	s->cmd = g->cmd;
	s->version = g->version;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (!s->nattr++) {
			s->nest_type = mnl_attr_get_type(a);
			s->nested_flag = a->nla_type & NLA_F_NESTED;
			mnl_attr_for_each_nested(b, a) {
				s->ninner++;
				if (mnl_attr_get_type(b) < 32)
					s->tb[mnl_attr_get_type(b)] = b;
			}
		}
	}
}

static bool attr_is(const struct nlattr *a, const void *data, size_t len)
{
	return a && mnl_attr_get_payload_len(a) == len &&
	       !memcmp(mnl_attr_get_payload(a), data, len);
}

static bool u8_is(const struct nlattr *a, uint8_t v)
{
	return attr_is(a, &v, 1);
}

static bool be16_is(const struct nlattr *a, uint16_t v)
{
	v = htons(v);
	return attr_is(a, &v, 2);
}

static bool u32_is(const struct nlattr *a, uint32_t v)
{
	return attr_is(a, &v, 4);
}

static char reqbuf[LIPSEC_MSG_BUF];

/* Parse args and build the request, then parse it back into s. */
static bool built(const char *args, struct sent *s)
{
	char err[LIPSEC_ERR_LEN];
	struct lipsec_req req;

	if (parse(args, &req, err, sizeof(err))) {
		ok(false, "builds \"%s\"", args);
		diag("error", err);
		return false;
	}
	unpack(lipsec_build_request(reqbuf, &req, FAMILY, SEQ), s);
	return ok(s->type == FAMILY && s->flags == (NLM_F_REQUEST | NLM_F_ACK) &&
		  s->version == L2TP_IPSEC_GENL_VERSION && s->nattr == 1 && s->nested_flag,
		  "builds \"%s\": one nested attribute, REQUEST|ACK, version 1", args);
}

static void test_build(void)
{
	static const uint8_t v4[4] = { 192, 0, 2, 2 };
	struct in6_addr v6;
	struct sent s;

	inet_pton(AF_INET6, "2001:db8::2", &v6);

	if (built("server on", &s))
		ok(s.cmd == L2TP_IPSEC_CMD_CONFIG_SET && s.nest_type == L2TP_IPSEC_A_CONFIG &&
		   s.ninner == 1 && u8_is(s.tb[L2TP_IPSEC_A_CONFIG_SERVER], 1),
		   "server on: CONFIG_SET with CONFIG { SERVER 1 } only");
	if (built("server off port 1702 reqid 7 level use priority 100", &s))
		ok(s.cmd == L2TP_IPSEC_CMD_CONFIG_SET && s.ninner == 5 &&
		   u8_is(s.tb[L2TP_IPSEC_A_CONFIG_SERVER], 0) &&
		   be16_is(s.tb[L2TP_IPSEC_A_CONFIG_PORT], 1702) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_REQID], 7) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_LEVEL], L2TP_IPSEC_LEVEL_USE) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_PRIORITY], 100),
		   "server off ...: SERVER 0, PORT be16 1702, REQID 7, LEVEL use, PRIORITY 100");
	if (built("config set auto-attach off restore on", &s))
		ok(s.ninner == 2 && u8_is(s.tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH], 0) &&
		   u8_is(s.tb[L2TP_IPSEC_A_CONFIG_RESTORE], 1),
		   "config set auto-attach off restore on: exactly those two");
	if (built("config set server on port 1701 reqid 4294967295 priority 0 level require auto-attach on restore off",
		  &s))
		ok(s.ninner == 7 && u8_is(s.tb[L2TP_IPSEC_A_CONFIG_SERVER], 1) &&
		   be16_is(s.tb[L2TP_IPSEC_A_CONFIG_PORT], 1701) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_REQID], UINT32_MAX) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_PRIORITY], 0) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_LEVEL], L2TP_IPSEC_LEVEL_REQUIRE) &&
		   u8_is(s.tb[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH], 1) &&
		   u8_is(s.tb[L2TP_IPSEC_A_CONFIG_RESTORE], 0),
		   "config set with all seven fields, extremes of u32");
	if (built("config set priority auto", &s))
		ok(s.ninner == 1 && u32_is(s.tb[L2TP_IPSEC_A_CONFIG_PRIORITY], L2TP_IPSEC_PRIORITY_AUTO),
		   "config set priority auto: CONFIG { PRIORITY 0 }");
	if (built("config set max-tunnels 4294967295", &s))
		ok(s.cmd == L2TP_IPSEC_CMD_CONFIG_SET && s.ninner == 1 &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_MAX_TUNNELS], UINT32_MAX),
		   "config set max-tunnels 4294967295: CONFIG { MAX_TUNNELS u32 } only");
	if (built("config set restore off max-tunnels 1", &s))
		ok(s.ninner == 2 && u8_is(s.tb[L2TP_IPSEC_A_CONFIG_RESTORE], 0) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CONFIG_MAX_TUNNELS], 1) &&
		   !s.tb[L2TP_IPSEC_A_CONFIG_ARMED] && !s.tb[L2TP_IPSEC_A_CONFIG_UNARMED_REASON] &&
		   !s.tb[L2TP_IPSEC_A_CONFIG_GUARD],
		   "config set restore off max-tunnels 1: MAX_TUNNELS 1, no read-only attribute");
	if (built("client add 192.0.2.2", &s))
		ok(s.cmd == L2TP_IPSEC_CMD_CLIENT_ADD && s.nest_type == L2TP_IPSEC_A_CLIENT &&
		   s.ninner == 1 && attr_is(s.tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4], v4, 4),
		   "client add 192.0.2.2: CLIENT { SERVER_IPV4 c0000202 } only (kernel defaults)");
	if (built("client add 2001:db8::2 sport 1702 lifetime static", &s))
		ok(s.ninner == 3 && attr_is(s.tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV6], &v6, 16) &&
		   be16_is(s.tb[L2TP_IPSEC_A_CLIENT_SPORT], 1702) &&
		   u32_is(s.tb[L2TP_IPSEC_A_CLIENT_LIFETIME], L2TP_IPSEC_LIFETIME_STATIC),
		   "client add IPv6 sport lifetime static: SERVER_IPV6 16 bytes, SPORT be16, LIFETIME 0");
	if (built("client add 192.0.2.2 lifetime connection", &s))
		ok(u32_is(s.tb[L2TP_IPSEC_A_CLIENT_LIFETIME], L2TP_IPSEC_LIFETIME_CONNECTION),
		   "lifetime connection: LIFETIME 1");
	if (built("client negotiate 192.0.2.2 sport 1702 timeout 5", &s))
		ok(s.cmd == L2TP_IPSEC_CMD_CLIENT_NEGOTIATE && s.ninner == 2 &&
		   attr_is(s.tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4], v4, 4) &&
		   be16_is(s.tb[L2TP_IPSEC_A_CLIENT_SPORT], 1702),
		   "client negotiate: CLIENT_NEGOTIATE { SERVER_IPV4, SPORT }, no timeout attribute");
	if (built("client delete 192.0.2.2 sport 1701", &s))
		ok(s.cmd == L2TP_IPSEC_CMD_CLIENT_DEL && s.ninner == 2 &&
		   attr_is(s.tb[L2TP_IPSEC_A_CLIENT_SERVER_IPV4], v4, 4) &&
		   be16_is(s.tb[L2TP_IPSEC_A_CLIENT_SPORT], 1701),
		   "client delete: CLIENT_DEL { SERVER_IPV4, SPORT }");

	unpack(lipsec_build_dump(reqbuf, FAMILY, L2TP_IPSEC_CMD_POLICY_GET, SEQ), &s);
	ok(s.type == FAMILY && s.flags == (NLM_F_REQUEST | NLM_F_DUMP) &&
	   s.cmd == L2TP_IPSEC_CMD_POLICY_GET && s.nattr == 0 &&
	   ((struct nlmsghdr *)reqbuf)->nlmsg_seq == SEQ,
	   "dump request: REQUEST|DUMP, the GET command, no attributes");

	unpack(genl_put_getfamily(reqbuf, L2TP_IPSEC_GENL_NAME, SEQ), &s);
	ok(s.type == GENL_ID_CTRL && s.cmd == CTRL_CMD_GETFAMILY && s.nattr == 1 &&
	   s.nest_type == CTRL_ATTR_FAMILY_NAME,
	   "nlctrl GETFAMILY request with CTRL_ATTR_FAMILY_NAME");
	{
		const struct nlattr *a = mnl_nlmsg_get_payload_offset((struct nlmsghdr *)reqbuf,
								      GENL_HDRLEN);

		ok(!strcmp(mnl_attr_get_str(a), "l2tp_ipsec"), "asks for \"l2tp_ipsec\"");
	}
}

/* Canned messages. */

static char cbuf[LIPSEC_MSG_BUF];

/* A message of the family with its generic netlink header, as a dump's replies come. */
static struct nlmsghdr *canned(uint8_t cmd)
{
	return lipsec_put_header(cbuf, FAMILY, cmd, NLM_F_MULTI, SEQ);
}

static void put_be16(struct nlmsghdr *nlh, uint16_t type, uint16_t v)
{
	mnl_attr_put_u16(nlh, type, htons(v));
}

static void put_addr(struct nlmsghdr *nlh, uint16_t t4, uint16_t t6, const char *s)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		mnl_attr_put(nlh, t4, 4, a);
	else if (inet_pton(AF_INET6, s, a) == 1)
		mnl_attr_put(nlh, t6, 16, a);
}

/* The configuration as an older module sends it (no max-tunnels, no armed state). */
static struct nlmsghdr *config_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh = canned(cmd);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CONFIG);

	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_SERVER, 1);
	put_be16(nlh, L2TP_IPSEC_A_CONFIG_PORT, 1701);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_REQID, 0);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_PRIORITY, L2TP_IPSEC_PRIORITY_AUTO);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_LEVEL, L2TP_IPSEC_LEVEL_REQUIRE);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH, 1);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_RESTORE, 1);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/*
 * The configuration with max-tunnels and the armed state: armed 1 (reason ignored),
 * 0 with the reason (NULL: none), or -1: no ARMED; guard 0 or 1, or -1: no GUARD.
 */
static struct nlmsghdr *config_msg_armed(uint8_t cmd, bool auto_attach, uint32_t max,
					 int armed, const char *reason, int guard)
{
	struct nlmsghdr *nlh = canned(cmd);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CONFIG);

	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_SERVER, 0);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH, auto_attach);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_RESTORE, 1);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_MAX_TUNNELS, max);
	if (armed >= 0)
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_ARMED, armed);
	if (armed == 0 && reason)
		mnl_attr_put_strz(nlh, L2TP_IPSEC_A_CONFIG_UNARMED_REASON, reason);
	if (guard >= 0)
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_GUARD, guard);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* The last message of a TUNNEL_GET dump: the refused counters alone. */
static struct nlmsghdr *refused_msg(uint32_t unprivileged, uint32_t inexact, uint32_t limit)
{
	struct nlmsghdr *nlh = canned(L2TP_IPSEC_CMD_TUNNEL_GET);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_REFUSED);

	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_REFUSED_UNPRIVILEGED, unprivileged);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_REFUSED_INEXACT, inexact);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_REFUSED_LIMIT, limit);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static struct nlmsghdr *client_msg(const char *server, uint16_t sport, uint32_t lifetime,
				   uint32_t tunnels, uint32_t idx1, uint32_t idx2)
{
	struct nlmsghdr *nlh = canned(L2TP_IPSEC_CMD_CLIENT_GET);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CLIENT);

	put_addr(nlh, L2TP_IPSEC_A_CLIENT_SERVER_IPV4, L2TP_IPSEC_A_CLIENT_SERVER_IPV6, server);
	put_be16(nlh, L2TP_IPSEC_A_CLIENT_SPORT, sport);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_LIFETIME, lifetime);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_TUNNELS, tunnels);
	if (idx1)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_POLICY_INDEX, idx1);
	if (idx2)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_POLICY_INDEX, idx2);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* An SA nest of type @type (TUNNEL_SA or CLIENT_SA). */
static void put_sa_nest(struct nlmsghdr *nlh, uint16_t type, uint32_t dir, uint32_t state,
			uint32_t spi, uint32_t reqid, uint64_t bytes, uint64_t packets)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_DIR, dir);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_STATE, state);
	if (state == L2TP_IPSEC_SA_STATE_PRESENT) {
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_SPI, htonl(spi));
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_REQID, reqid);
		mnl_attr_put_u64(nlh, L2TP_IPSEC_A_SA_BYTES, bytes);
		mnl_attr_put_u64(nlh, L2TP_IPSEC_A_SA_PACKETS, packets);
	}
	mnl_attr_nest_end(nlh, n);
}

static void put_sa(struct nlmsghdr *nlh, uint32_t dir, uint32_t state, uint32_t spi,
		   uint32_t reqid, uint64_t bytes, uint64_t packets)
{
	put_sa_nest(nlh, L2TP_IPSEC_A_TUNNEL_SA, dir, state, spi, reqid, bytes, packets);
}

/* A client connection with both SAs: out present, in still being negotiated. */
static struct nlmsghdr *client_sa_msg(void)
{
	struct nlmsghdr *nlh = canned(L2TP_IPSEC_CMD_CLIENT_GET);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CLIENT);

	put_addr(nlh, L2TP_IPSEC_A_CLIENT_SERVER_IPV4, L2TP_IPSEC_A_CLIENT_SERVER_IPV6,
		 "192.0.2.1");
	put_be16(nlh, L2TP_IPSEC_A_CLIENT_SPORT, 1701);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_LIFETIME, L2TP_IPSEC_LIFETIME_CONNECTION);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_TUNNELS, 0);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_POLICY_INDEX, 8);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_POLICY_INDEX, 9);
	put_sa_nest(nlh, L2TP_IPSEC_A_CLIENT_SA, L2TP_IPSEC_DIR_OUT, L2TP_IPSEC_SA_STATE_PRESENT,
		    0xc1a55a00, 16385, 0, 0);
	put_sa_nest(nlh, L2TP_IPSEC_A_CLIENT_SA, L2TP_IPSEC_DIR_IN, L2TP_IPSEC_SA_STATE_ACQUIRING,
		    0, 0, 0, 0);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/*
 * A message whose TUNNEL nest is opened with the tunnel's id and 5-tuple; id 0 = no ID
 * attribute, ports 0 = absent. The caller ends the nest (*n).
 */
static struct nlmsghdr *tunnel_start(uint8_t cmd, uint32_t id, const char *local,
				     const char *peer, uint16_t lport, uint16_t pport,
				     struct nlattr **n)
{
	struct nlmsghdr *nlh = canned(cmd);

	*n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_TUNNEL);
	if (id)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_ID, id);
	put_addr(nlh, L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4, L2TP_IPSEC_A_TUNNEL_LOCAL_IPV6, local);
	put_addr(nlh, L2TP_IPSEC_A_TUNNEL_PEER_IPV4, L2TP_IPSEC_A_TUNNEL_PEER_IPV6, peer);
	if (lport)
		put_be16(nlh, L2TP_IPSEC_A_TUNNEL_LOCAL_PORT, lport);
	if (pport)
		put_be16(nlh, L2TP_IPSEC_A_TUNNEL_PEER_PORT, pport);
	return nlh;
}

/* A tunnel; id 0 = no ID attribute; with_sa: an out SA present, an in SA acquiring. */
static struct nlmsghdr *tunnel_msg(uint8_t cmd, uint32_t id, const char *local,
				   const char *peer, uint16_t lport, uint16_t pport,
				   uint32_t idx_out, uint32_t idx_in, bool with_sa)
{
	struct nlattr *n;
	struct nlmsghdr *nlh = tunnel_start(cmd, id, local, peer, lport, pport, &n);

	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_POLICY_INDEX, idx_out);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_POLICY_INDEX, idx_in);
	if (with_sa) {
		put_sa(nlh, L2TP_IPSEC_DIR_OUT, L2TP_IPSEC_SA_STATE_PRESENT, 0x1234abcd, 1,
		       1234, 10);
		put_sa(nlh, L2TP_IPSEC_DIR_IN, L2TP_IPSEC_SA_STATE_ACQUIRING, 0, 0, 0, 0);
	}
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* A policy; ports 0 = absent (any). */
struct pol {
	uint32_t index, dir;
	const char *src, *dst;
	uint8_t splen, dplen;
	uint16_t sport, dport;
	uint32_t mark, prio;
	bool block;
	uint32_t reqid, level, origin, owners;
	bool shadowed;
	int32_t error;	/* 0 = absent */
};

static struct nlmsghdr *policy_msg(const struct pol *p)
{
	struct nlmsghdr *nlh = canned(L2TP_IPSEC_CMD_POLICY_GET);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_POLICY);

	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_INDEX, p->index);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_DIR, p->dir);
	mnl_attr_put_u16(nlh, L2TP_IPSEC_A_POLICY_FAMILY, strchr(p->src, ':') ? AF_INET6 : AF_INET);
	put_addr(nlh, L2TP_IPSEC_A_POLICY_SRC_IPV4, L2TP_IPSEC_A_POLICY_SRC_IPV6, p->src);
	put_addr(nlh, L2TP_IPSEC_A_POLICY_DST_IPV4, L2TP_IPSEC_A_POLICY_DST_IPV6, p->dst);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN, p->splen);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_POLICY_DST_PREFIXLEN, p->dplen);
	mnl_attr_put_u8(nlh, L2TP_IPSEC_A_POLICY_PROTO, IPPROTO_UDP);
	if (p->sport)
		put_be16(nlh, L2TP_IPSEC_A_POLICY_SPORT, p->sport);
	if (p->dport)
		put_be16(nlh, L2TP_IPSEC_A_POLICY_DPORT, p->dport);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_MARK, p->mark);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_PRIORITY, p->prio);
	if (p->block) {
		mnl_attr_put(nlh, L2TP_IPSEC_A_POLICY_BLOCK, 0, NULL);
	} else {
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_REQID, p->reqid);
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_LEVEL, p->level);
	}
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_ORIGIN, p->origin);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_OWNERS, p->owners);
	if (p->shadowed)
		mnl_attr_put(nlh, L2TP_IPSEC_A_POLICY_SHADOWED, 0, NULL);
	if (p->error)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_POLICY_ERROR, (uint32_t)p->error);
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* The policies used below. */
static const struct pol pol_server_out = {
	.index = 12, .dir = L2TP_IPSEC_DIR_OUT, .src = "0.0.0.0", .dst = "0.0.0.0",
	.sport = 1701, .prio = 1024, .origin = L2TP_IPSEC_ORIGIN_SERVER, .owners = 1,
};
static const struct pol pol_server_in6_shadowed = {
	.index = 0, .dir = L2TP_IPSEC_DIR_IN, .src = "::", .dst = "::", .dport = 1701,
	.prio = 1024, .origin = L2TP_IPSEC_ORIGIN_SERVER, .owners = 2, .shadowed = true,
};
static const struct pol pol_client_enomem = {
	.index = 0, .dir = L2TP_IPSEC_DIR_OUT, .src = "0.0.0.0", .dst = "192.0.2.2",
	.dplen = 32, .sport = 1701, .prio = 1024, .level = L2TP_IPSEC_LEVEL_USE, .reqid = 5,
	.origin = L2TP_IPSEC_ORIGIN_CLIENT, .owners = 1, .error = -ENOMEM,
};
static const struct pol pol_block = {
	.index = 20, .dir = L2TP_IPSEC_DIR_OUT, .src = "0.0.0.0", .dst = "0.0.0.0",
	.mark = L2TP_IPSEC_BLOCK_MARK, .prio = 0, .block = true,
	.origin = L2TP_IPSEC_ORIGIN_BLOCK, .owners = 1,
};
static const struct pol pol_tunnel_out = {
	.index = 30, .dir = L2TP_IPSEC_DIR_OUT, .src = "192.0.2.1", .dst = "192.0.2.2",
	.splen = 32, .dplen = 32, .sport = 1701, .dport = 1702, .prio = 1023,
	.origin = L2TP_IPSEC_ORIGIN_TUNNEL, .owners = 1,
};
/* Not in the SPD (index 0): found by the tunnel's 5-tuple. */
static const struct pol pol_tunnel_in = {
	.index = 0, .dir = L2TP_IPSEC_DIR_IN, .src = "192.0.2.2", .dst = "192.0.2.1",
	.splen = 32, .dplen = 32, .sport = 1702, .dport = 1701, .prio = 1023,
	.origin = L2TP_IPSEC_ORIGIN_TUNNEL, .owners = 1, .error = -ENOBUFS,
};

/* A tunnel-refuse event; id 0 = no ID attribute, ports 0 = absent. */
static struct nlmsghdr *refuse_msg(uint32_t id, const char *local, const char *peer,
				   uint16_t lport, uint16_t pport, uint32_t refusal)
{
	struct nlattr *n;
	struct nlmsghdr *nlh = tunnel_start(L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF, id, local, peer,
					    lport, pport, &n);

	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_REFUSAL, refusal);
	return nlh;
}

static void add(struct lipsec_buf *b, const struct nlmsghdr *nlh)
{
	if (lipsec_buf_add(b, nlh))
		abort();
}

/* The formats a printer writes. */
enum fmt { TEXT, JSON, PRETTY };

/* Output of a printer into a string. */
struct capture {
	char *text;
	size_t len;
	struct lipsec_fmt fmt;
};

static void cap_open(struct capture *c, enum fmt fmt)
{
	c->text = NULL;
	c->fmt.f = open_memstream(&c->text, &c->len);
	if (!c->fmt.f)
		abort();
	c->fmt.json = fmt != TEXT;
	c->fmt.pretty = fmt == PRETTY;
}

static const char *cap_close(struct capture *c)
{
	fclose(c->fmt.f);
	return c->text;
}

static void expect_dump(enum lipsec_action action, const struct lipsec_buf *msgs, enum fmt fmt,
			const char *want, const char *desc)
{
	struct capture c;

	cap_open(&c, fmt);
	lipsec_print_dump(&c.fmt, action, msgs);
	is_str(cap_close(&c), want, desc);
	free(c.text);
}

static void expect_event(const struct nlmsghdr *nlh, enum fmt fmt, const char *want,
			 const char *desc)
{
	struct capture c;

	cap_open(&c, fmt);
	lipsec_print_event(&c.fmt, nlh);
	is_str(cap_close(&c), want, desc);
	free(c.text);
}

/* One output a test expects of a printer: its format, the text, what it shows. */
struct out {
	enum fmt fmt;
	const char *want, *desc;
};

/* Every output of @outs (up to @n, the first with no want ends them) of a dump. */
static void expect_dumps(enum lipsec_action action, const struct lipsec_buf *msgs,
			 const struct out *outs, size_t n)
{
	for (size_t i = 0; i < n && outs[i].want; i++)
		expect_dump(action, msgs, outs[i].fmt, outs[i].want, outs[i].desc);
}

/*
 * Configuration dumps: the message (config_msg(), as an older module sends it, or
 * config_msg_armed() with these arguments) and what each format prints of it.
 */
static const struct config_case {
	bool older;
	bool auto_attach;
	uint32_t max;
	int armed;
	const char *reason;
	int guard;
	struct out out[3];
} config_cases[] = {
	{ .older = true, .out = {
		{ TEXT, "server on port 1701 reqid 0 priority auto level require auto-attach on restore on\n",
		  "config show: text" },
		{ JSON, "[{\"server\":true,\"port\":1701,\"reqid\":0,\"priority\":0,\"level\":\"require\",\"auto-attach\":true,\"restore\":true}]\n",
		  "config show: JSON array" },
		{ PRETTY, "[\n"
			  "    {\n"
			  "        \"server\": true,\n"
			  "        \"port\": 1701,\n"
			  "        \"reqid\": 0,\n"
			  "        \"priority\": 0,\n"
			  "        \"level\": \"require\",\n"
			  "        \"auto-attach\": true,\n"
			  "        \"restore\": true\n"
			  "    }\n"
			  "]\n",
		  "config show: pretty JSON" } } },
	{ .auto_attach = true, .max = 65536, .armed = 1, .guard = 1, .out = {
		{ TEXT, "server off auto-attach on (armed) guard on restore on max-tunnels 65536\n",
		  "config show: armed, guard on, max-tunnels (text)" },
		{ JSON, "[{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536,\"armed\":true,"
			"\"guard\":true}]\n",
		  "config show: armed, guard on, max-tunnels (JSON)" } } },
	{ .auto_attach = true, .max = 1, .armed = 0, .guard = 0,
	  .reason = "the probe on l2tp_tunnel_register could not be registered", .out = {
		{ TEXT, "server off auto-attach on (not armed: the probe on l2tp_tunnel_register could not be registered) guard off restore on max-tunnels 1\n",
		  "config show: not armed, with the reason, guard off (text)" },
		{ JSON, "[{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":1,\"armed\":false,"
			"\"unarmed-reason\":\"the probe on l2tp_tunnel_register could not be registered\",\"guard\":false}]\n",
		  "config show: not armed, with the reason, guard off (JSON: guard after the reason)" },
		{ PRETTY, "[\n"
			  "    {\n"
			  "        \"server\": false,\n"
			  "        \"auto-attach\": true,\n"
			  "        \"restore\": true,\n"
			  "        \"max-tunnels\": 1,\n"
			  "        \"armed\": false,\n"
			  "        \"unarmed-reason\": \"the probe on l2tp_tunnel_register could not be registered\",\n"
			  "        \"guard\": false\n"
			  "    }\n"
			  "]\n",
		  "config show: not armed, with the reason (pretty JSON)" } } },
	{ .auto_attach = false, .max = 4294967295u, .armed = 0, .guard = 1,
	  .reason = "auto-attach is off", .out = {
		{ TEXT, "server off auto-attach off (not armed: auto-attach is off) guard on restore on max-tunnels 4294967295\n",
		  "config show: auto-attach off, not armed, the largest max-tunnels" } } },
	{ .auto_attach = true, .max = 65536, .armed = 0, .guard = -1, .reason = "a\nb\x1b[1m", .out = {
		{ TEXT, "server off auto-attach on (not armed: a?b?[1m) restore on max-tunnels 65536\n",
		  "config show: control characters of the reason are '?' in text" },
		{ JSON, "[{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536,\"armed\":false,"
			"\"unarmed-reason\":\"a\\nb\\u001b[1m\"}]\n",
		  "config show: and escaped in JSON" } } },
	{ .auto_attach = true, .max = 65536, .armed = 0, .guard = -1, .out = {
		{ TEXT, "server off auto-attach on (not armed) restore on max-tunnels 65536\n",
		  "config show: not armed without a reason, no GUARD: no guard word (text)" },
		{ JSON, "[{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536,\"armed\":false}]\n",
		  "config show: not armed without a reason (JSON: no unarmed-reason, no guard)" } } },
	{ .auto_attach = true, .max = 65536, .armed = -1, .guard = -1, .out = {
		{ TEXT, "server off auto-attach on restore on max-tunnels 65536\n",
		  "config show: no ARMED, no GUARD attribute: nothing about them (text)" },
		{ JSON, "[{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536}]\n",
		  "config show: no ARMED, no GUARD attribute: nothing about them (JSON)" } } },
	{ .auto_attach = true, .max = 65536, .armed = -1, .guard = 0, .out = {
		{ TEXT, "server off auto-attach on guard off restore on max-tunnels 65536\n",
		  "config show: GUARD without ARMED: guard off alone (text)" },
		{ JSON, "[{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536,\"guard\":false}]\n",
		  "config show: GUARD without ARMED (JSON)" } } },
};

static void test_print_config(void)
{
	struct lipsec_buf b = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(config_cases); i++) {
		const struct config_case *c = &config_cases[i];

		add(&b, c->older ? config_msg(L2TP_IPSEC_CMD_CONFIG_GET) :
			config_msg_armed(L2TP_IPSEC_CMD_CONFIG_GET, c->auto_attach, c->max,
					 c->armed, c->reason, c->guard));
		expect_dumps(LIPSEC_CONFIG_SHOW, &b, c->out, ARRAY_SIZE(c->out));
		lipsec_buf_free(&b);
	}
}

static void test_print_clients(void)
{
	struct lipsec_buf b = { 0 };

	add(&b, client_msg("192.0.2.2", 1701, L2TP_IPSEC_LIFETIME_CONNECTION, 1, 14, 15));
	add(&b, client_msg("2001:db8::2", 1702, L2TP_IPSEC_LIFETIME_STATIC, 0, 0, 0));
	expect_dump(LIPSEC_CLIENT_SHOW, &b, TEXT,
		    "192.0.2.2 sport 1701 lifetime connection tunnels 1 policies 14 15\n"
		    "2001:db8::2 sport 1702 lifetime static tunnels 0\n",
		    "client show: text, IPv4 and IPv6");
	expect_dump(LIPSEC_CLIENT_SHOW, &b, JSON,
		    "[{\"server-ipv4\":\"192.0.2.2\",\"sport\":1701,\"lifetime\":\"connection\",\"tunnels\":1,\"policy-index\":[14,15]},"
		    "{\"server-ipv6\":\"2001:db8::2\",\"sport\":1702,\"lifetime\":\"static\",\"tunnels\":0,\"policy-index\":[]}]\n",
		    "client show: JSON");
	lipsec_buf_free(&b);

	add(&b, client_sa_msg());
	expect_dump(LIPSEC_CLIENT_SHOW, &b, TEXT,
		    "192.0.2.1 sport 1701 lifetime connection tunnels 0 policies 8 9\n"
		    "    sa out present spi 0xc1a55a00 reqid 16385 bytes 0 packets 0\n"
		    "    sa in acquiring\n",
		    "client show: its SAs below it (text)");
	expect_dump(LIPSEC_CLIENT_SHOW, &b, JSON,
		    "[{\"server-ipv4\":\"192.0.2.1\",\"sport\":1701,\"lifetime\":\"connection\",\"tunnels\":0,\"policy-index\":[8,9],"
		    "\"sa\":[{\"dir\":\"out\",\"state\":\"present\",\"spi\":\"0xc1a55a00\",\"reqid\":16385,\"bytes\":0,\"packets\":0},"
		    "{\"dir\":\"in\",\"state\":\"acquiring\"}]}]\n",
		    "client show: its SAs (JSON)");
	lipsec_buf_free(&b);
}

/* The two tunnels of test_print_tunnels() as tunnel show prints them. */
#define TUNNELS_TEXT \
	"tunnel 7  192.0.2.1:1701 -> 192.0.2.2:1701\n" \
	"    policy out index 12\n" \
	"    policy in index 13\n" \
	"    sa out present spi 0x1234abcd reqid 1 bytes 1234 packets 10\n" \
	"    sa in acquiring\n" \
	"tunnel -  [2001:db8::1]:1701 -> [2001:db8::2]:40000\n" \
	"    policy out index 0\n" \
	"    policy in index 0\n"
#define TUNNELS_JSON \
	"[{\"id\":7,\"local-ipv4\":\"192.0.2.1\",\"peer-ipv4\":\"192.0.2.2\",\"local-port\":1701,\"peer-port\":1701," \
	"\"policy-index\":[12,13],\"sa\":[{\"dir\":\"out\",\"state\":\"present\",\"spi\":\"0x1234abcd\",\"reqid\":1,\"bytes\":1234,\"packets\":10}," \
	"{\"dir\":\"in\",\"state\":\"acquiring\"}]}," \
	"{\"local-ipv6\":\"2001:db8::1\",\"peer-ipv6\":\"2001:db8::2\",\"local-port\":1701,\"peer-port\":40000," \
	"\"policy-index\":[0,0],\"sa\":[]}]\n"

static void test_print_tunnels(void)
{
	struct lipsec_buf b = { 0 };

	add(&b, tunnel_msg(L2TP_IPSEC_CMD_TUNNEL_GET, 7, "192.0.2.1", "192.0.2.2", 1701, 1701,
			   12, 13, true));
	add(&b, tunnel_msg(L2TP_IPSEC_CMD_TUNNEL_GET, 0, "2001:db8::1", "2001:db8::2", 1701,
			   40000, 0, 0, false));
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, TEXT, TUNNELS_TEXT,
		    "tunnel show: text blocks, IPv6 in brackets, no id");
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, JSON, TUNNELS_JSON, "tunnel show: JSON with sa objects");

	/* The dump's last message: the refused counters, never a tunnel. */
	add(&b, refused_msg(1, 2, 3));
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, TEXT,
		    TUNNELS_TEXT "refused: unprivileged 1 inexact 2 limit 3\n",
		    "tunnel show: the refused line after the tunnels (text)");
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, JSON, TUNNELS_JSON,
		    "tunnel show: JSON stays the array of tunnels, no counters in it");
	lipsec_buf_free(&b);

	add(&b, refused_msg(0, 0, 0));
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, TEXT,
		    "refused: unprivileged 0 inexact 0 limit 0\n",
		    "tunnel show: no tunnels, only the refused line (text)");
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, JSON, "[]\n",
		    "tunnel show: no tunnels, the counters message is no tunnel (JSON [])");
	lipsec_buf_free(&b);

	add(&b, refused_msg(4294967295u, 0, 17));
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, TEXT,
		    "refused: unprivileged 4294967295 inexact 0 limit 17\n",
		    "tunnel show: refused counters up to u32 max");
	lipsec_buf_free(&b);
}

/*
 * A present SA nest of @type (TUNNEL_SA or CLIENT_SA) as the kernel puts it, state last,
 * with the ports of its UDP encapsulation (NAT-T); sport and dport 0: plain ESP, none.
 */
static void put_encap_sa(struct nlmsghdr *nlh, uint16_t type, uint32_t dir, uint32_t spi,
			 uint64_t bytes, uint64_t packets, uint16_t sport, uint16_t dport)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_DIR, dir);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_SPI, htonl(spi));
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_REQID, 1);
	mnl_attr_put_u64(nlh, L2TP_IPSEC_A_SA_BYTES, bytes);
	mnl_attr_put_u64(nlh, L2TP_IPSEC_A_SA_PACKETS, packets);
	if (sport || dport) {
		put_be16(nlh, L2TP_IPSEC_A_SA_ENCAP_SPORT, sport);
		put_be16(nlh, L2TP_IPSEC_A_SA_ENCAP_DPORT, dport);
	}
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_SA_STATE, L2TP_IPSEC_SA_STATE_PRESENT);
	mnl_attr_nest_end(nlh, n);
}

/*
 * A server's tunnel to a client behind a NAT (or not): both SAs present, the inbound
 * one SPI @spi; with @port (the client's NAT-T port) they are ESP in UDP between 4500
 * here and @port there. Bound, the tunnel has its binding: BOUND_SPI @spi,
 * BOUND_ENCAP_PORT @port (not for plain ESP) and FOREIGN @foreign, after the SAs.
 */
struct nat {
	uint16_t port;		/* 0: plain ESP */
	uint32_t spi;
	bool bound;
	uint32_t foreign;
};

static struct nlmsghdr *nat_tunnel_msg(const struct nat *c)
{
	struct nlattr *n;
	struct nlmsghdr *nlh = tunnel_start(L2TP_IPSEC_CMD_TUNNEL_GET, 7, "192.0.2.1",
					    "198.51.100.7", 1701, 1701, &n);

	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_POLICY_INDEX, 12);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_POLICY_INDEX, 13);
	put_encap_sa(nlh, L2TP_IPSEC_A_TUNNEL_SA, L2TP_IPSEC_DIR_OUT, 0xc7654321, 1234, 10,
		     c->port ? 4500 : 0, c->port);
	put_encap_sa(nlh, L2TP_IPSEC_A_TUNNEL_SA, L2TP_IPSEC_DIR_IN, c->spi, 5678, 20,
		     c->port, c->port ? 4500 : 0);
	if (c->bound) {
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_BOUND_SPI, htonl(c->spi));
		if (c->port)
			put_be16(nlh, L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT, c->port);
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_TUNNEL_FOREIGN, c->foreign);
	}
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

/* The text and JSON of nat_tunnel_msg() up to the SAs' SPIs and encap ports. */
#define NAT_TEXT \
	"tunnel 7  192.0.2.1:1701 -> 198.51.100.7:1701\n" \
	"    policy out index 12\n" \
	"    policy in index 13\n"
#define NAT_JSON \
	"[{\"id\":7,\"local-ipv4\":\"192.0.2.1\",\"peer-ipv4\":\"198.51.100.7\",\"local-port\":1701,\"peer-port\":1701," \
	"\"policy-index\":[12,13],\"sa\":[{\"dir\":\"out\",\"state\":\"present\",\"spi\":\"0xc7654321\",\"reqid\":1,\"bytes\":1234,\"packets\":10"

/* tunnel show of a tunnel with its SAs' encap ports and its binding, or without them. */
static const struct nat_case {
	struct nat nat;
	struct out out[2];
} nat_cases[] = {
	{ { .port = 31012, .spi = 0xc1234567, .bound = true, .foreign = 0 }, {
		{ TEXT, NAT_TEXT
			"    sa out present spi 0xc7654321 reqid 1 encap sport 4500 dport 31012 bytes 1234 packets 10\n"
			"    sa in present spi 0xc1234567 reqid 1 encap sport 31012 dport 4500 bytes 5678 packets 20\n"
			"    bound spi 0xc1234567 encap-port 31012 foreign 0\n",
		  "tunnel show: NAT-T, bound: encap ports of the SAs, the bound line after them (text)" },
		{ JSON, NAT_JSON ",\"encap-sport\":4500,\"encap-dport\":31012},"
			"{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0xc1234567\",\"reqid\":1,\"bytes\":5678,\"packets\":20,"
			"\"encap-sport\":31012,\"encap-dport\":4500}],"
			"\"bound-spi\":\"0xc1234567\",\"bound-encap-port\":31012,\"foreign\":0}]\n",
		  "tunnel show: NAT-T, bound: encap-sport/-dport, bound-spi as a hex string (JSON)" } } },
	{ { .port = 65535, .spi = 0xbeef, .bound = true, .foreign = 4294967295u }, {
		{ TEXT, NAT_TEXT
			"    sa out present spi 0xc7654321 reqid 1 encap sport 4500 dport 65535 bytes 1234 packets 10\n"
			"    sa in present spi 0x0000beef reqid 1 encap sport 65535 dport 4500 bytes 5678 packets 20\n"
			"    bound spi 0x0000beef encap-port 65535 foreign 4294967295\n",
		  "tunnel show: bound, the largest port and foreign count, a short SPI padded (text)" },
		{ JSON, NAT_JSON ",\"encap-sport\":4500,\"encap-dport\":65535},"
			"{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0x0000beef\",\"reqid\":1,\"bytes\":5678,\"packets\":20,"
			"\"encap-sport\":65535,\"encap-dport\":4500}],"
			"\"bound-spi\":\"0x0000beef\",\"bound-encap-port\":65535,\"foreign\":4294967295}]\n",
		  "tunnel show: bound, the largest port and foreign count, a short SPI padded (JSON)" } } },
	{ { .port = 0, .spi = 0xc1234567, .bound = true, .foreign = 3 }, {
		{ TEXT, NAT_TEXT
			"    sa out present spi 0xc7654321 reqid 1 bytes 1234 packets 10\n"
			"    sa in present spi 0xc1234567 reqid 1 bytes 5678 packets 20\n"
			"    bound spi 0xc1234567 foreign 3\n",
		  "tunnel show: plain ESP, bound: no encap, no encap-port (text)" },
		{ JSON, NAT_JSON "},"
			"{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0xc1234567\",\"reqid\":1,\"bytes\":5678,\"packets\":20}],"
			"\"bound-spi\":\"0xc1234567\",\"foreign\":3}]\n",
		  "tunnel show: plain ESP, bound: no encap keys, no bound-encap-port (JSON)" } } },
	{ { .port = 4500, .spi = 0xc1234567, .bound = false }, {
		{ TEXT, NAT_TEXT
			"    sa out present spi 0xc7654321 reqid 1 encap sport 4500 dport 4500 bytes 1234 packets 10\n"
			"    sa in present spi 0xc1234567 reqid 1 encap sport 4500 dport 4500 bytes 5678 packets 20\n",
		  "tunnel show: NAT-T, not bound yet: no bound line (text)" },
		{ JSON, NAT_JSON ",\"encap-sport\":4500,\"encap-dport\":4500},"
			"{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0xc1234567\",\"reqid\":1,\"bytes\":5678,\"packets\":20,"
			"\"encap-sport\":4500,\"encap-dport\":4500}]}]\n",
		  "tunnel show: NAT-T, not bound yet: no bound-spi, bound-encap-port, foreign (JSON)" } } },
	{ { .port = 0, .spi = 0xc1234567, .bound = false }, {
		{ TEXT, NAT_TEXT
			"    sa out present spi 0xc7654321 reqid 1 bytes 1234 packets 10\n"
			"    sa in present spi 0xc1234567 reqid 1 bytes 5678 packets 20\n",
		  "tunnel show: plain ESP, not bound: neither encap nor bound (text)" },
		{ JSON, NAT_JSON "},"
			"{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0xc1234567\",\"reqid\":1,\"bytes\":5678,\"packets\":20}]}]\n",
		  "tunnel show: plain ESP, not bound: none of the five keys (JSON)" } } },
};

static void test_print_nat(void)
{
	struct lipsec_buf b = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *n;

	for (size_t i = 0; i < ARRAY_SIZE(nat_cases); i++) {
		add(&b, nat_tunnel_msg(&nat_cases[i].nat));
		expect_dumps(LIPSEC_TUNNEL_SHOW, &b, nat_cases[i].out, ARRAY_SIZE(nat_cases[i].out));
		lipsec_buf_free(&b);
	}

	/* A client behind a NAT: its SAs to and from the server are ESP in UDP too. */
	nlh = canned(L2TP_IPSEC_CMD_CLIENT_GET);
	n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CLIENT);
	put_addr(nlh, L2TP_IPSEC_A_CLIENT_SERVER_IPV4, L2TP_IPSEC_A_CLIENT_SERVER_IPV6,
		 "203.0.113.1");
	put_be16(nlh, L2TP_IPSEC_A_CLIENT_SPORT, 1701);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_LIFETIME, L2TP_IPSEC_LIFETIME_CONNECTION);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_TUNNELS, 1);
	put_encap_sa(nlh, L2TP_IPSEC_A_CLIENT_SA, L2TP_IPSEC_DIR_OUT, 0xc1234567, 100, 1,
		     4500, 4500);
	put_encap_sa(nlh, L2TP_IPSEC_A_CLIENT_SA, L2TP_IPSEC_DIR_IN, 0xc7654321, 200, 2,
		     4500, 4500);
	mnl_attr_nest_end(nlh, n);
	add(&b, nlh);
	expect_dump(LIPSEC_CLIENT_SHOW, &b, TEXT,
		    "203.0.113.1 sport 1701 lifetime connection tunnels 1\n"
		    "    sa out present spi 0xc1234567 reqid 1 encap sport 4500 dport 4500 bytes 100 packets 1\n"
		    "    sa in present spi 0xc7654321 reqid 1 encap sport 4500 dport 4500 bytes 200 packets 2\n",
		    "client show: SAs with their encap ports (text)");
	expect_dump(LIPSEC_CLIENT_SHOW, &b, JSON,
		    "[{\"server-ipv4\":\"203.0.113.1\",\"sport\":1701,\"lifetime\":\"connection\",\"tunnels\":1,\"policy-index\":[],"
		    "\"sa\":[{\"dir\":\"out\",\"state\":\"present\",\"spi\":\"0xc1234567\",\"reqid\":1,\"bytes\":100,\"packets\":1,"
		    "\"encap-sport\":4500,\"encap-dport\":4500},"
		    "{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0xc7654321\",\"reqid\":1,\"bytes\":200,\"packets\":2,"
		    "\"encap-sport\":4500,\"encap-dport\":4500}]}]\n",
		    "client show: SAs with encap-sport and encap-dport (JSON)");
	lipsec_buf_free(&b);
}

static void test_print_policies(void)
{
	struct lipsec_buf b = { 0 };
	struct pol odd = pol_server_out;

	add(&b, policy_msg(&pol_server_out));
	add(&b, policy_msg(&pol_server_in6_shadowed));
	add(&b, policy_msg(&pol_client_enomem));
	add(&b, policy_msg(&pol_block));
	expect_dump(LIPSEC_POLICY_SHOW, &b, TEXT,
		    "out  udp 0.0.0.0/0 sport 1701 -> 0.0.0.0/0  esp transport reqid 0 require  prio 1024  index 12  server\n"
		    "in   udp ::/0 -> ::/0 dport 1701  esp transport reqid 0 require  prio 1024  index 0  server owners 2 shadowed\n"
		    "out  udp 0.0.0.0/0 sport 1701 -> 192.0.2.2/32  esp transport reqid 5 use  prio 1024  index 0  client error -ENOMEM\n"
		    "out  udp 0.0.0.0/0 -> 0.0.0.0/0  block mark 0x4c32b10c  prio 0  index 20  block\n",
		    "policy show: text (server, shadowed, error, block)");
	expect_dump(LIPSEC_POLICY_SHOW, &b, JSON,
		    "[{\"index\":12,\"dir\":\"out\",\"family\":\"inet\",\"src-ipv4\":\"0.0.0.0\",\"dst-ipv4\":\"0.0.0.0\","
		    "\"src-prefixlen\":0,\"dst-prefixlen\":0,\"proto\":17,\"sport\":1701,\"mark\":0,\"priority\":1024,"
		    "\"block\":false,\"reqid\":0,\"level\":\"require\",\"origin\":\"server\",\"owners\":1,\"shadowed\":false},"
		    "{\"index\":0,\"dir\":\"in\",\"family\":\"inet6\",\"src-ipv6\":\"::\",\"dst-ipv6\":\"::\","
		    "\"src-prefixlen\":0,\"dst-prefixlen\":0,\"proto\":17,\"dport\":1701,\"mark\":0,\"priority\":1024,"
		    "\"block\":false,\"reqid\":0,\"level\":\"require\",\"origin\":\"server\",\"owners\":2,\"shadowed\":true},"
		    "{\"index\":0,\"dir\":\"out\",\"family\":\"inet\",\"src-ipv4\":\"0.0.0.0\",\"dst-ipv4\":\"192.0.2.2\","
		    "\"src-prefixlen\":0,\"dst-prefixlen\":32,\"proto\":17,\"sport\":1701,\"mark\":0,\"priority\":1024,"
		    "\"block\":false,\"reqid\":5,\"level\":\"use\",\"origin\":\"client\",\"owners\":1,\"shadowed\":false,\"error\":-12},"
		    "{\"index\":20,\"dir\":\"out\",\"family\":\"inet\",\"src-ipv4\":\"0.0.0.0\",\"dst-ipv4\":\"0.0.0.0\","
		    "\"src-prefixlen\":0,\"dst-prefixlen\":0,\"proto\":17,\"mark\":1278390540,\"priority\":0,"
		    "\"block\":true,\"origin\":\"block\",\"owners\":1,\"shadowed\":false}]\n",
		    "policy show: JSON");
	lipsec_buf_free(&b);

	/* Values this tool does not know stay numbers. */
	odd.dir = 7;
	odd.origin = 9;
	odd.level = 5;
	add(&b, policy_msg(&odd));
	expect_dump(LIPSEC_POLICY_SHOW, &b, TEXT,
		    "7    udp 0.0.0.0/0 sport 1701 -> 0.0.0.0/0  esp transport reqid 0 5  prio 1024  index 12  9\n",
		    "policy show: unknown enum values as numbers (text)");
	expect_dump(LIPSEC_POLICY_SHOW, &b, JSON,
		    "[{\"index\":12,\"dir\":7,\"family\":\"inet\",\"src-ipv4\":\"0.0.0.0\",\"dst-ipv4\":\"0.0.0.0\","
		    "\"src-prefixlen\":0,\"dst-prefixlen\":0,\"proto\":17,\"sport\":1701,\"mark\":0,\"priority\":1024,"
		    "\"block\":false,\"reqid\":0,\"level\":5,\"origin\":9,\"owners\":1,\"shadowed\":false}]\n",
		    "policy show: unknown enum values as numbers (JSON)");
	lipsec_buf_free(&b);
}

static void test_print_empty(void)
{
	struct lipsec_buf b = { 0 };

	expect_dump(LIPSEC_POLICY_SHOW, &b, TEXT, "", "empty dump: no text");
	expect_dump(LIPSEC_CLIENT_SHOW, &b, JSON, "[]\n", "empty dump: JSON []");
	expect_dump(LIPSEC_TUNNEL_SHOW, &b, PRETTY, "[]\n", "empty dump: pretty JSON []");
}

/*
 * Robustness: what the kernel may send that this tool does not expect, message by
 * message as attributes of any type and length, nests opened and closed in between.
 */
struct raw {
	enum { R_NONE, R_PUT, R_NEST, R_END } op;
	uint16_t type, len;
	const void *data;
};
#define R(type, len, data)	{ R_PUT, type, len, data }
#define R_U8(type, v)		R(type, 1, &(const uint8_t){ v })
#define R_U16(type, v)		R(type, 2, &(const uint16_t){ v })
#define R_BE16(type, v)		R(type, 2, ((const uint8_t[]){ (v) >> 8, (v) & 0xff }))
#define R_U32(type, v)		R(type, 4, &(const uint32_t){ v })
#define R_U64(type, v)		R(type, 8, &(const uint64_t){ v })
#define R_IPV4(type, a, b, c, d) R(type, 4, ((const uint8_t[]){ a, b, c, d }))
#define R_NEST(type)		{ R_NEST, type, 0, NULL }
#define R_NEST_END		{ R_END, 0, 0, NULL }

/* A message of @cmd with @attrs (up to @n; an R_NONE ends them). */
static struct nlmsghdr *raw_msg(uint8_t cmd, const struct raw *attrs, size_t n)
{
	struct nlmsghdr *nlh = canned(cmd);
	struct nlattr *nest[4];
	int depth = 0;

	for (size_t i = 0; i < n && attrs[i].op != R_NONE; i++) {
		const struct raw *a = &attrs[i];

		if (a->op == R_NEST)
			nest[depth++] = mnl_attr_nest_start(nlh, a->type);
		else if (a->op == R_END)
			mnl_attr_nest_end(nlh, nest[--depth]);
		else
			mnl_attr_put(nlh, a->type, a->len, a->data);
	}
	return nlh;
}

static const struct robust_case {
	enum lipsec_action action;
	uint8_t cmd;
	struct raw attrs[12];
	bool bare_too;		/* a second message, without attributes */
	enum fmt fmt;
	const char *want, *desc;
} robust_cases[] = {
	/*
	 * A port of the wrong length and an attribute from the future are ignored; a
	 * message without the config nest is skipped.
	 */
	{ LIPSEC_CONFIG_SHOW, L2TP_IPSEC_CMD_CONFIG_GET, {
		R_NEST(L2TP_IPSEC_A_CONFIG),
		R_U8(L2TP_IPSEC_A_CONFIG_SERVER, 0),
		R_U32(L2TP_IPSEC_A_CONFIG_PORT, 1701),
		R_U32(99, 1),
		R_U8(L2TP_IPSEC_A_CONFIG_RESTORE, 0),
		R_NEST_END,
		R_U32(77, 1),
	  }, true, TEXT, "server off restore off\n",
	  "bad-length and unknown attributes ignored, message without the nest skipped" },
	/* A reason that is not NUL-terminated, or empty, and ARMED of the wrong size. */
	{ LIPSEC_CONFIG_SHOW, L2TP_IPSEC_CMD_CONFIG_GET, {
		R_NEST(L2TP_IPSEC_A_CONFIG),
		R_U8(L2TP_IPSEC_A_CONFIG_ARMED, 0),
		R(L2TP_IPSEC_A_CONFIG_UNARMED_REASON, 3, "abc"),
		R(L2TP_IPSEC_A_CONFIG_UNARMED_REASON, 0, NULL),
		R_U16(L2TP_IPSEC_A_CONFIG_MAX_TUNNELS, 7),
		R_U8(L2TP_IPSEC_A_CONFIG_GUARD, 0),
		R_NEST_END,
	  }, false, JSON, "[{\"armed\":false,\"guard\":false}]\n",
	  "unterminated or empty reason and a short max-tunnels ignored" },
	{ LIPSEC_CONFIG_SHOW, L2TP_IPSEC_CMD_CONFIG_GET, {
		R_NEST(L2TP_IPSEC_A_CONFIG),
		R_U32(L2TP_IPSEC_A_CONFIG_ARMED, 1),
		R(L2TP_IPSEC_A_CONFIG_UNARMED_REASON, 1, ""),
		R_U32(L2TP_IPSEC_A_CONFIG_GUARD, 1),
		R_NEST_END,
	  }, false, JSON, "[{\"unarmed-reason\":\"\"}]\n",
	  "a 4-byte ARMED and GUARD ignored; an empty NUL-terminated reason kept" },
	/* Refused counters of the wrong size are left out; a message with both is both. */
	{ LIPSEC_TUNNEL_SHOW, L2TP_IPSEC_CMD_TUNNEL_GET, {
		R_NEST(L2TP_IPSEC_A_REFUSED),
		R_U64(L2TP_IPSEC_A_REFUSED_UNPRIVILEGED, 1),
		R_U32(L2TP_IPSEC_A_REFUSED_LIMIT, 2),
		R_U32(9, 3),
		R_NEST_END,
	  }, false, TEXT, "refused: limit 2\n",
	  "refused: a counter of the wrong size and an unknown one left out" },
	/* u64 counters sent in 4 bytes (nla_put_uint) and an SA without a state. */
	{ LIPSEC_TUNNEL_SHOW, L2TP_IPSEC_CMD_TUNNEL_GET, {
		R_NEST(L2TP_IPSEC_A_TUNNEL),
		R_U32(L2TP_IPSEC_A_TUNNEL_ID, 9),
		R_IPV4(L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4, 10, 0, 0, 1),
		R_IPV4(L2TP_IPSEC_A_TUNNEL_PEER_IPV4, 10, 0, 0, 2),
		R_NEST(L2TP_IPSEC_A_TUNNEL_SA),
		R_U32(L2TP_IPSEC_A_SA_DIR, L2TP_IPSEC_DIR_OUT),
		R_U32(L2TP_IPSEC_A_SA_BYTES, 77),
		R_U64(L2TP_IPSEC_A_SA_PACKETS, 5000000000ULL),
		R_NEST_END,
		R_NEST_END,
	  }, false, TEXT,
	  "tunnel 9  10.0.0.1 -> 10.0.0.2\n"
	  "    sa out bytes 77 packets 5000000000\n",
	  "4-byte u64, 64-bit counter, missing ports and state" },
	/* NAT-T attributes of the wrong size are left out, each on its own. */
	{ LIPSEC_TUNNEL_SHOW, L2TP_IPSEC_CMD_TUNNEL_GET, {
		R_NEST(L2TP_IPSEC_A_TUNNEL),
		R_IPV4(L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4, 10, 0, 0, 1),
		R_IPV4(L2TP_IPSEC_A_TUNNEL_PEER_IPV4, 10, 0, 0, 2),
		R_NEST(L2TP_IPSEC_A_TUNNEL_SA),
		R_U32(L2TP_IPSEC_A_SA_ENCAP_SPORT, 4500),
		R_BE16(L2TP_IPSEC_A_SA_ENCAP_DPORT, 4500),
		R_NEST_END,
		R_U16(L2TP_IPSEC_A_TUNNEL_BOUND_SPI, 1),
		R_U32(L2TP_IPSEC_A_TUNNEL_BOUND_ENCAP_PORT, 4500),
		R_U32(L2TP_IPSEC_A_TUNNEL_FOREIGN, 7),
		R_NEST_END,
	  }, false, TEXT,
	  "tunnel -  10.0.0.1 -> 10.0.0.2\n"
	  "    sa encap dport 4500\n"
	  "    bound foreign 7\n",
	  "a 4-byte encap port, a 2-byte bound-spi and a 4-byte bound-encap-port left out" },
};

static void test_print_robust(void)
{
	struct lipsec_buf b = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(robust_cases); i++) {
		const struct robust_case *r = &robust_cases[i];

		add(&b, raw_msg(r->cmd, r->attrs, ARRAY_SIZE(r->attrs)));
		if (r->bare_too)
			add(&b, canned(r->cmd));
		expect_dump(r->action, &b, r->fmt, r->want, r->desc);
		lipsec_buf_free(&b);
	}
}

/* The dumps test_view() combines; V_NONE is the empty one. */
enum view_buf {
	V_NONE, V_CONFIG, V_ARMED, V_CLIENTS, V_TUNNEL, V_TUNNEL_REFUSED, V_REFUSED, V_POLICIES,
	V_BLOCK, V_NAT, V_NR
};

/* A combined view: the config, clients, tunnels and policies dumps, and its output. */
static const struct view_case {
	enum fmt fmt;
	enum view_buf dump[4];
	const char *want, *desc;
} view_cases[] = {
	{ TEXT, { V_CONFIG, V_CLIENTS, V_TUNNEL, V_POLICIES },
	  "config: server on port 1701 reqid 0 priority auto level require auto-attach on restore on\n"
	  "clients:\n"
	  "    192.0.2.9 sport 1701 lifetime static tunnels 0\n"
	  "tunnels:\n"
	  "    tunnel 7  192.0.2.1:1701 -> 192.0.2.2:1702\n"
	  "        policy out index 30  udp 192.0.2.1/32 sport 1701 -> 192.0.2.2/32 dport 1702  esp transport reqid 0 require  prio 1023\n"
	  "        policy in index 0  udp 192.0.2.2/32 sport 1702 -> 192.0.2.1/32 dport 1701  esp transport reqid 0 require  prio 1023 error -ENOBUFS\n"
	  "        sa out present spi 0x1234abcd reqid 1 bytes 1234 packets 10\n"
	  "        sa in acquiring\n"
	  "policies:\n"
	  "    out  udp 0.0.0.0/0 sport 1701 -> 0.0.0.0/0  esp transport reqid 0 require  prio 1024  index 12  server\n"
	  "    out  udp 0.0.0.0/0 -> 0.0.0.0/0  block mark 0x4c32b10c  prio 0  index 20  block\n",
	  "show: text view; tunnel policies joined by index and by 5-tuple, not repeated" },
	{ TEXT, { V_ARMED, V_NONE, V_TUNNEL_REFUSED, V_NONE },
	  "config: server off auto-attach on (not armed: no kprobes) guard on restore on max-tunnels 100\n"
	  "clients: none\n"
	  "tunnels:\n"
	  "    tunnel 7  192.0.2.1:1701 -> 192.0.2.2:1702\n"
	  "        policy out index 30\n"
	  "        policy in index 0\n"
	  "        sa out present spi 0x1234abcd reqid 1 bytes 1234 packets 10\n"
	  "        sa in acquiring\n"
	  "refused: unprivileged 0 inexact 5 limit 1\n"
	  "policies: none\n",
	  "show: text view with the armed state, the guard and the refused line after the tunnels" },
	{ JSON, { V_ARMED, V_NONE, V_TUNNEL_REFUSED, V_NONE },
	  "[{\"config\":{\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":100,"
	  "\"armed\":false,\"unarmed-reason\":\"no kprobes\",\"guard\":true},"
	  "\"clients\":[],"
	  "\"tunnels\":[{\"id\":7,\"local-ipv4\":\"192.0.2.1\",\"peer-ipv4\":\"192.0.2.2\",\"local-port\":1701,\"peer-port\":1702,"
	  "\"policy-index\":[30,0],\"sa\":[{\"dir\":\"out\",\"state\":\"present\",\"spi\":\"0x1234abcd\",\"reqid\":1,\"bytes\":1234,\"packets\":10},"
	  "{\"dir\":\"in\",\"state\":\"acquiring\"}]}],"
	  "\"refused\":{\"unprivileged\":0,\"inexact\":5,\"limit\":1},"
	  "\"policies\":[]}]\n",
	  "show: JSON view with the armed state, the guard and refused as an object after tunnels" },
	{ TEXT, { V_NONE, V_NONE, V_REFUSED, V_NONE },
	  "config: none\nclients: none\ntunnels: none\n"
	  "refused: unprivileged 2 inexact 0 limit 0\npolicies: none\n",
	  "show: text view, no tunnels but the refused line" },
	{ TEXT, { V_NONE, V_NONE, V_NAT, V_NONE },
	  "config: none\nclients: none\n"
	  "tunnels:\n"
	  "    tunnel 7  192.0.2.1:1701 -> 198.51.100.7:1701\n"
	  "        policy out index 12\n"
	  "        policy in index 13\n"
	  "        sa out present spi 0xc7654321 reqid 1 encap sport 4500 dport 31012 bytes 1234 packets 10\n"
	  "        sa in present spi 0xc1234567 reqid 1 encap sport 31012 dport 4500 bytes 5678 packets 20\n"
	  "        bound spi 0xc1234567 encap-port 31012 foreign 0\n"
	  "policies: none\n",
	  "show: text view, the bound line indented with the tunnel's" },
	{ JSON, { V_NONE, V_NONE, V_NAT, V_NONE },
	  "[{\"clients\":[],"
	  "\"tunnels\":[{\"id\":7,\"local-ipv4\":\"192.0.2.1\",\"peer-ipv4\":\"198.51.100.7\",\"local-port\":1701,\"peer-port\":1701,"
	  "\"policy-index\":[12,13],\"sa\":[{\"dir\":\"out\",\"state\":\"present\",\"spi\":\"0xc7654321\",\"reqid\":1,\"bytes\":1234,\"packets\":10,"
	  "\"encap-sport\":4500,\"encap-dport\":31012},"
	  "{\"dir\":\"in\",\"state\":\"present\",\"spi\":\"0xc1234567\",\"reqid\":1,\"bytes\":5678,\"packets\":20,"
	  "\"encap-sport\":31012,\"encap-dport\":4500}],"
	  "\"bound-spi\":\"0xc1234567\",\"bound-encap-port\":31012,\"foreign\":0}],"
	  "\"policies\":[]}]\n",
	  "show: JSON view, the binding in the tunnel's object" },
	{ TEXT, { V_NONE, V_NONE, V_NONE, V_NONE },
	  "config: none\nclients: none\ntunnels: none\npolicies: none\n",
	  "show: text view of nothing" },
	{ JSON, { V_CONFIG, V_CLIENTS, V_NONE, V_BLOCK },
	  "[{\"config\":{\"server\":true,\"port\":1701,\"reqid\":0,\"priority\":0,\"level\":\"require\",\"auto-attach\":true,\"restore\":true},"
	  "\"clients\":[{\"server-ipv4\":\"192.0.2.9\",\"sport\":1701,\"lifetime\":\"static\",\"tunnels\":0,\"policy-index\":[]}],"
	  "\"tunnels\":[],"
	  "\"policies\":[{\"index\":20,\"dir\":\"out\",\"family\":\"inet\",\"src-ipv4\":\"0.0.0.0\",\"dst-ipv4\":\"0.0.0.0\","
	  "\"src-prefixlen\":0,\"dst-prefixlen\":0,\"proto\":17,\"mark\":1278390540,\"priority\":0,"
	  "\"block\":true,\"origin\":\"block\",\"owners\":1,\"shadowed\":false}]}]\n",
	  "show: JSON view, one array with one object" },
	{ PRETTY, { V_NONE, V_NONE, V_NONE, V_NONE },
	  "[\n"
	  "    {\n"
	  "        \"clients\": [],\n"
	  "        \"tunnels\": [],\n"
	  "        \"policies\": []\n"
	  "    }\n"
	  "]\n",
	  "show: pretty JSON view of nothing" },
};

static void test_view(void)
{
	struct lipsec_buf b[V_NR] = { 0 };
	struct nlmsghdr *nlh;
	struct capture c;
	size_t i;

	add(&b[V_CONFIG], config_msg(L2TP_IPSEC_CMD_CONFIG_GET));
	add(&b[V_ARMED], config_msg_armed(L2TP_IPSEC_CMD_CONFIG_GET, true, 100, 0, "no kprobes", 1));
	add(&b[V_CLIENTS], client_msg("192.0.2.9", 1701, L2TP_IPSEC_LIFETIME_STATIC, 0, 0, 0));
	nlh = tunnel_msg(L2TP_IPSEC_CMD_TUNNEL_GET, 7, "192.0.2.1", "192.0.2.2", 1701, 1702, 30, 0,
			 true);
	add(&b[V_TUNNEL], nlh);
	add(&b[V_TUNNEL_REFUSED], nlh);
	add(&b[V_TUNNEL_REFUSED], refused_msg(0, 5, 1));
	add(&b[V_REFUSED], refused_msg(2, 0, 0));
	add(&b[V_POLICIES], policy_msg(&pol_server_out));
	add(&b[V_POLICIES], policy_msg(&pol_tunnel_out));
	add(&b[V_POLICIES], policy_msg(&pol_tunnel_in));
	add(&b[V_POLICIES], policy_msg(&pol_block));
	add(&b[V_BLOCK], policy_msg(&pol_block));
	add(&b[V_NAT], nat_tunnel_msg(&nat_cases[0].nat));

	for (i = 0; i < ARRAY_SIZE(view_cases); i++) {
		const struct view_case *v = &view_cases[i];

		cap_open(&c, v->fmt);
		lipsec_print_view(&c.fmt, &b[v->dump[0]], &b[v->dump[1]], &b[v->dump[2]],
				  &b[v->dump[3]]);
		is_str(cap_close(&c), v->want, v->desc);
		free(c.text);
	}
	for (i = 0; i < V_NR; i++)
		lipsec_buf_free(&b[i]);
}

static void test_events(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *n;

	nlh = config_msg(L2TP_IPSEC_CMD_CONFIG_NTF);
	expect_event(nlh, TEXT,
		     "config server on port 1701 reqid 0 priority auto level require auto-attach on restore on\n",
		     "event config: text");
	expect_event(nlh, JSON,
		     "{\"event\":\"config\",\"server\":true,\"port\":1701,\"reqid\":0,\"priority\":0,\"level\":\"require\",\"auto-attach\":true,\"restore\":true}\n",
		     "event config: JSON");

	nlh = tunnel_msg(L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF, 7, "192.0.2.1", "192.0.2.2", 1701, 1701,
			 12, 13, false);
	expect_event(nlh, TEXT, "tunnel attach 192.0.2.1:1701 -> 192.0.2.2:1701 id 7 policies 12 13\n",
		     "event tunnel attach: text");
	expect_event(nlh, JSON,
		     "{\"event\":\"tunnel-attach\",\"id\":7,\"local-ipv4\":\"192.0.2.1\",\"peer-ipv4\":\"192.0.2.2\","
		     "\"local-port\":1701,\"peer-port\":1701,\"policy-index\":[12,13]}\n",
		     "event tunnel attach: JSON");

	nlh = tunnel_msg(L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF, 0, "2001:db8::1", "2001:db8::2", 1701,
			 1701, 12, 13, false);
	expect_event(nlh, TEXT,
		     "tunnel detach [2001:db8::1]:1701 -> [2001:db8::2]:1701 policies 12 13\n",
		     "event tunnel detach: text, IPv6, no id");
	expect_event(nlh, JSON,
		     "{\"event\":\"tunnel-detach\",\"local-ipv6\":\"2001:db8::1\",\"peer-ipv6\":\"2001:db8::2\","
		     "\"local-port\":1701,\"peer-port\":1701,\"policy-index\":[12,13]}\n",
		     "event tunnel detach: JSON");

	nlh = canned(L2TP_IPSEC_CMD_RESTORE_NTF);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_RESTORED, 4);
	expect_event(nlh, TEXT, "restore 4 policies\n", "event restore: text");
	expect_event(nlh, JSON, "{\"event\":\"restore\",\"restored\":4}\n", "event restore: JSON");
	nlh = canned(L2TP_IPSEC_CMD_RESTORE_NTF);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_RESTORED, 1);
	expect_event(nlh, TEXT, "restore 1 policy\n", "event restore: singular");

	nlh = canned(L2TP_IPSEC_CMD_ACQUIRE_NTF);
	n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_ACQUIRE);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX, 12);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_ACQUIRE_DIR, L2TP_IPSEC_DIR_OUT);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_ACQUIRE_REQID, 0);
	put_addr(nlh, L2TP_IPSEC_A_ACQUIRE_SRC_IPV4, 0, "192.0.2.1");
	put_addr(nlh, L2TP_IPSEC_A_ACQUIRE_DST_IPV4, 0, "192.0.2.2");
	put_be16(nlh, L2TP_IPSEC_A_ACQUIRE_SPORT, 1701);
	put_be16(nlh, L2TP_IPSEC_A_ACQUIRE_DPORT, 1701);
	mnl_attr_nest_end(nlh, n);
	expect_event(nlh, TEXT, "acquire out 192.0.2.1:1701 -> 192.0.2.2:1701 reqid 0 policy 12\n",
		     "event acquire: text");
	expect_event(nlh, JSON,
		     "{\"event\":\"acquire\",\"policy-index\":12,\"dir\":\"out\",\"reqid\":0,\"src-ipv4\":\"192.0.2.1\","
		     "\"dst-ipv4\":\"192.0.2.2\",\"sport\":1701,\"dport\":1701}\n",
		     "event acquire: JSON");

	nlh = canned(L2TP_IPSEC_CMD_ACQUIRE_NTF);
	n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_ACQUIRE);
	mnl_attr_put_u32(nlh, L2TP_IPSEC_A_ACQUIRE_DIR, L2TP_IPSEC_DIR_IN);
	put_addr(nlh, 0, L2TP_IPSEC_A_ACQUIRE_SRC_IPV6, "2001:db8::2");
	put_addr(nlh, 0, L2TP_IPSEC_A_ACQUIRE_DST_IPV6, "2001:db8::1");
	put_be16(nlh, L2TP_IPSEC_A_ACQUIRE_SPORT, 1701);
	mnl_attr_nest_end(nlh, n);
	expect_event(nlh, TEXT, "acquire in [2001:db8::2]:1701 -> 2001:db8::1\n",
		     "event acquire: IPv6, a port missing");

	nlh = refuse_msg(12, "10.0.0.1", "10.0.0.2", 1701, 1701, L2TP_IPSEC_REFUSAL_UNPRIVILEGED);
	expect_event(nlh, TEXT,
		     "tunnel refuse 10.0.0.1:1701 -> 10.0.0.2:1701 id 12 reason unprivileged\n",
		     "event tunnel refuse: text");
	expect_event(nlh, JSON,
		     "{\"event\":\"tunnel-refuse\",\"id\":12,\"local-ipv4\":\"10.0.0.1\",\"peer-ipv4\":\"10.0.0.2\","
		     "\"local-port\":1701,\"peer-port\":1701,\"policy-index\":[],\"refusal\":\"unprivileged\"}\n",
		     "event tunnel refuse: JSON");

	nlh = refuse_msg(0, "2001:db8::1", "2001:db8::2", 1701, 1702, L2TP_IPSEC_REFUSAL_LIMIT);
	expect_event(nlh, TEXT,
		     "tunnel refuse [2001:db8::1]:1701 -> [2001:db8::2]:1702 reason limit\n",
		     "event tunnel refuse: text, IPv6, no id");
	expect_event(nlh, JSON,
		     "{\"event\":\"tunnel-refuse\",\"local-ipv6\":\"2001:db8::1\",\"peer-ipv6\":\"2001:db8::2\","
		     "\"local-port\":1701,\"peer-port\":1702,\"policy-index\":[],\"refusal\":\"limit\"}\n",
		     "event tunnel refuse: JSON, IPv6, no id");

	nlh = refuse_msg(3, "10.0.0.1", "10.0.0.2", 1701, 0, L2TP_IPSEC_REFUSAL_INEXACT);
	expect_event(nlh, TEXT, "tunnel refuse 10.0.0.1:1701 -> 10.0.0.2 id 3 reason inexact\n",
		     "event tunnel refuse: inexact, no peer port");

	nlh = refuse_msg(3, "10.0.0.1", "10.0.0.2", 1701, 1701, 9);
	expect_event(nlh, TEXT, "tunnel refuse 10.0.0.1:1701 -> 10.0.0.2:1701 id 3 reason 9\n",
		     "event tunnel refuse: unknown refusal as a number (text)");
	expect_event(nlh, JSON,
		     "{\"event\":\"tunnel-refuse\",\"id\":3,\"local-ipv4\":\"10.0.0.1\",\"peer-ipv4\":\"10.0.0.2\","
		     "\"local-port\":1701,\"peer-port\":1701,\"policy-index\":[],\"refusal\":9}\n",
		     "event tunnel refuse: unknown refusal as a number (JSON)");

	nlh = config_msg_armed(L2TP_IPSEC_CMD_CONFIG_NTF, true, 65536, 1, NULL, -1);
	expect_event(nlh, TEXT, "config server off auto-attach on (armed) restore on max-tunnels 65536\n",
		     "event config: armed and max-tunnels (text)");
	expect_event(nlh, JSON,
		     "{\"event\":\"config\",\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536,\"armed\":true}\n",
		     "event config: armed and max-tunnels (JSON)");

	nlh = config_msg_armed(L2TP_IPSEC_CMD_CONFIG_NTF, true, 65536, 0, "no kprobes", 1);
	expect_event(nlh, TEXT,
		     "config server off auto-attach on (not armed: no kprobes) guard on restore on max-tunnels 65536\n",
		     "event config: not armed, guard on (text)");
	expect_event(nlh, JSON,
		     "{\"event\":\"config\",\"server\":false,\"auto-attach\":true,\"restore\":true,\"max-tunnels\":65536,\"armed\":false,"
		     "\"unarmed-reason\":\"no kprobes\",\"guard\":true}\n",
		     "event config: not armed, guard on (JSON)");

	nlh = canned(42);
	expect_event(nlh, TEXT, "event 42\n", "unknown event: text");
	expect_event(nlh, JSON, "{\"event\":\"unknown\",\"cmd\":42}\n", "unknown event: JSON");
}

static void test_json(void)
{
	struct lipsec_json j;
	char *text = NULL;
	size_t len;
	FILE *f;

	f = open_memstream(&text, &len);
	lipsec_json_quote(f, "a\"b\\c\n\t\x01\x7f/\xc3\xa9\xe2\x82\xac");
	fclose(f);
	is_str(text, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/\xc3\xa9\xe2\x82\xac\"",
	       "JSON escapes quotes, backslash, controls; keeps valid UTF-8");
	free(text);

	f = open_memstream(&text, &len);
	lipsec_json_quote(f, "\xff x \xc0\xaf \xed\xa0\x80 \xe2\x82");
	fclose(f);
	is_str(text, "\"\\ufffd x \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\"",
	       "JSON replaces invalid UTF-8 (stray, overlong, surrogate, truncated) by U+FFFD");
	free(text);

	f = open_memstream(&text, &len);
	lipsec_json_init(&j, f, true);
	lipsec_json_obj_open(&j, NULL);
	lipsec_json_str(&j, "k\"ey", "v");
	lipsec_json_arr_open(&j, "a");
	lipsec_json_int(&j, NULL, -1);
	lipsec_json_obj_open(&j, NULL);
	lipsec_json_obj_close(&j);
	lipsec_json_arr_close(&j);
	lipsec_json_uint(&j, "big", UINT64_MAX);
	lipsec_json_obj_close(&j);
	fclose(f);
	is_str(text,
	       "{\n"
	       "    \"k\\\"ey\": \"v\",\n"
	       "    \"a\": [\n"
	       "        -1,\n"
	       "        {}\n"
	       "    ],\n"
	       "    \"big\": 18446744073709551615\n"
	       "}\n",
	       "pretty JSON: nesting, empty object, escaped key, u64");
	free(text);
}

/* An nlctrl GETFAMILY reply. */
static struct nlmsghdr *family_reply(bool with_id, bool with_events)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(cbuf);
	struct genlmsghdr *g;
	struct nlattr *groups, *grp;

	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "l2tp_ipsec");
	if (with_id)
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1d);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 5);
	mnl_attr_nest_end(nlh, grp);
	if (with_events) {
		grp = mnl_attr_nest_start(nlh, 2);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 9);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "events");
		mnl_attr_nest_end(nlh, grp);
	}
	mnl_attr_nest_end(nlh, groups);
	return nlh;
}

static void test_family(void)
{
	uint16_t id = 0;
	uint32_t grp = 77;

	const char *ev = L2TP_IPSEC_MCGRP_EVENTS;

	ok(!genl_parse_family(family_reply(true, true), ev, &id, &grp) && id == 0x1d && grp == 9,
	   "nlctrl reply: family id and the \"events\" group id");
	ok(!genl_parse_family(family_reply(true, false), ev, &id, &grp) && grp == 0,
	   "nlctrl reply without the events group: group 0");
	ok(genl_parse_family(family_reply(false, true), ev, &id, &grp) == -1,
	   "nlctrl reply without a family id: refused");
}

/* An NLMSG_ERROR for a request of payload reqlen; capped: no echo of the request. */
static struct nlmsghdr *error_msg(int err, bool capped, const char *msg, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(cbuf);
	struct nlmsgerr *e;
	size_t reqlen = 12;	/* genl header + one u32 attribute */

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + (capped ? 0 : reqlen));
	e->error = -err;
	e->msg.nlmsg_len = sizeof(e->msg) + (capped ? 0 : reqlen) + (capped ? 100 : 0);
	e->msg.nlmsg_type = FAMILY;
	e->msg.nlmsg_seq = seq;
	memset((char *)e + sizeof(*e), 0xee, capped ? 0 : reqlen);
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	}
	return nlh;
}

static struct nlmsghdr *done_msg(int err, const char *msg, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(cbuf);
	int code = -err;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(code)), &code, sizeof(code));
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	return nlh;
}

static void expect_nlerr(const struct nlmsghdr *nlh, const char *what, const char *want,
			 const char *desc)
{
	struct lipsec_nlerr e;
	char buf[LIPSEC_ERR_LEN + 128] = "";

	if (!lipsec_parse_nlerr(nlh, &e))
		lipsec_format_nlerr(buf, sizeof(buf), what, &e);
	is_str(buf, want, desc);
}

static void test_errors(void)
{
	struct lipsec_nlerr e;

	expect_nlerr(error_msg(EEXIST, true, "client connection already declared", SEQ),
		     "client add", "client add: File exists (client connection already declared)",
		     "NLMSG_ERROR, capped: errno string and extended ACK message");
	expect_nlerr(error_msg(EINVAL, false, "L2TP_IPSEC_A_CONFIG_PORT: out of range\n", SEQ),
		     "config set", "config set: Invalid argument (L2TP_IPSEC_A_CONFIG_PORT: out of range)",
		     "NLMSG_ERROR with the request echoed: message found after it, newline dropped");
	expect_nlerr(error_msg(EPERM, true, NULL, SEQ), "config set",
		     "config set: Operation not permitted (CAP_NET_ADMIN is needed)",
		     "EPERM without a message: says CAP_NET_ADMIN is needed");
	expect_nlerr(error_msg(EPERM, true, "denied", SEQ), "show",
		     "show: Operation not permitted (denied; CAP_NET_ADMIN is needed)",
		     "EPERM with a message: both");
	expect_nlerr(error_msg(ENOENT, false, NULL, SEQ), "client del",
		     "client del: No such file or directory", "error without extended ACK");
	expect_nlerr(done_msg(EINVAL, "dump refused", SEQ), "policy show",
		     "policy show: Invalid argument (dump refused)",
		     "NLMSG_DONE carrying a dump error and its message");
	ok(!lipsec_parse_nlerr(error_msg(0, true, NULL, SEQ), &e) && e.err == 0 && !e.msg[0],
	   "ACK: error 0");
}

static void test_collect(void)
{
	struct lipsec_collect c;
	struct lipsec_buf wire = { 0 };
	const struct nlmsghdr *nlh;
	struct nlmsghdr *m;
	int rc, n;

	/* Two replies, one of another request, one of another family, then DONE. */
	memset(&c, 0, sizeof(c));
	c.family = FAMILY;
	c.seq = SEQ;
	c.portid = PORTID;
	add(&wire, client_msg("192.0.2.2", 1701, 1, 0, 0, 0));
	m = client_msg("192.0.2.3", 1701, 1, 0, 0, 0);
	m->nlmsg_seq = SEQ + 1;
	add(&wire, m);
	m = client_msg("192.0.2.4", 1701, 1, 0, 0, 0);
	m->nlmsg_type = FAMILY + 1;
	add(&wire, m);
	add(&wire, client_msg("192.0.2.5", 1701, 1, 0, 0, 0));
	rc = lipsec_collect_feed(&c, wire.data, wire.len);
	ok(rc == LIPSEC_FEED_MORE, "collect: replies without DONE: wants more");
	lipsec_buf_free(&wire);
	add(&wire, done_msg(0, NULL, SEQ));
	rc = lipsec_collect_feed(&c, wire.data, wire.len);
	for (n = 0, nlh = NULL; (nlh = lipsec_buf_next(&c.msgs, nlh)); n++)
		;
	ok(rc == LIPSEC_FEED_DONE && n == 2 && !c.intr,
	   "collect: DONE ends it; other requests and families ignored (2 kept)");
	lipsec_buf_free(&c.msgs);
	lipsec_buf_free(&wire);

	/* NLM_F_DUMP_INTR is noticed. */
	memset(&c, 0, sizeof(c));
	c.family = FAMILY;
	c.seq = SEQ;
	m = client_msg("192.0.2.2", 1701, 1, 0, 0, 0);
	m->nlmsg_flags |= NLM_F_DUMP_INTR;
	add(&wire, m);
	add(&wire, done_msg(0, NULL, SEQ));
	rc = lipsec_collect_feed(&c, wire.data, wire.len);
	ok(rc == LIPSEC_FEED_DONE && c.intr, "collect: NLM_F_DUMP_INTR marks the dump interrupted");
	lipsec_buf_free(&c.msgs);
	lipsec_buf_free(&wire);

	/* An error ends it with the error and the message. */
	memset(&c, 0, sizeof(c));
	c.family = FAMILY;
	c.seq = SEQ;
	m = error_msg(EPERM, true, "no", SEQ);
	rc = lipsec_collect_feed(&c, m, m->nlmsg_len);
	ok(rc == LIPSEC_FEED_ERR && c.err.err == EPERM && !strcmp(c.err.msg, "no"),
	   "collect: NLMSG_ERROR gives the errno and the extended ACK message");

	/* An ACK of another request does not end this one; ours does. */
	memset(&c, 0, sizeof(c));
	c.family = FAMILY;
	c.seq = SEQ;
	m = error_msg(0, true, NULL, SEQ - 1);
	rc = lipsec_collect_feed(&c, m, m->nlmsg_len);
	ok(rc == LIPSEC_FEED_MORE, "collect: the ACK of another sequence number is ignored");
	m = error_msg(0, true, NULL, SEQ);
	rc = lipsec_collect_feed(&c, m, m->nlmsg_len);
	ok(rc == LIPSEC_FEED_DONE, "collect: our ACK ends a do request");
	lipsec_buf_free(&c.msgs);
}

/* Run the binary; its stdout and stderr into out/err (malloc'ed). Returns the status. */
static int run_bin(const char *bin, const char *args, char **out, char **err)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	struct argv a;
	int status = -1;
	long len;
	pid_t pid;

	if (!fo || !fe)
		abort();
	split(&a, args);
	a.v[0] = (char *)bin;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		execv(bin, a.v);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		abort();
	for (int i = 0; i < 2; i++) {
		FILE *f = i ? fe : fo;
		char **p = i ? err : out;

		len = ftell(f);
		rewind(f);
		*p = calloc(1, len + 1);
		if (!*p || fread(*p, 1, len, f) != (size_t)len)
			abort();
		fclose(f);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_bin(const char *bin, const char *args, int want_rc, const char *want_out,
		       const char *want_err, const char *desc)
{
	char *out, *err;
	int rc = run_bin(bin, args, &out, &err);
	bool good = rc == want_rc && (!want_out || strstr(out, want_out) == out) &&
		    (want_out || !*out) && !strcmp(err, want_err ? want_err : "");

	if (!ok(good, "%s: l2tp-ipsec %s", desc, args)) {
		printf("#   exit status %d (want %d)\n", rc, want_rc);
		diag("stdout", out);
		diag("stderr", err);
	}
	free(out);
	free(err);
}

static void test_binary(const char *bin)
{
	expect_bin(bin, "client add 10.0.0.256", 2, NULL,
		   "l2tp-ipsec: client add: invalid server address \"10.0.0.256\" (an IPv4 or IPv6 address)\n",
		   "bad argument: exit 2, one line on stderr, nothing on stdout");
	expect_bin(bin, "-p config set level strict", 2, NULL,
		   "l2tp-ipsec: config set: invalid level \"strict\" (require or use)\n",
		   "bad value");
	expect_bin(bin, "", 2, NULL, "l2tp-ipsec: missing object (try \"l2tp-ipsec help\")\n",
		   "no arguments");
	expect_bin(bin, "config set max-tunnels 0", 2, NULL,
		   "l2tp-ipsec: config set: invalid max-tunnels \"0\" (a number, 1-4294967295)\n",
		   "max-tunnels 0: exit 2, nothing sent");
	expect_bin(bin, "help config", 0,
		   "Usage: l2tp-ipsec [OPTIONS] OBJECT COMMAND [ARGS]\n"
		   "       l2tp-ipsec [OPTIONS] config show\n"
		   "       l2tp-ipsec [OPTIONS] config set [server on|off] [port PORT] [reqid REQID]\n"
		   "                  [priority auto|PRIO] [level require|use] [auto-attach on|off]\n"
		   "                  [restore on|off] [max-tunnels N]\n", NULL,
		   "help config: max-tunnels in the usage of config set");
	expect_bin(bin, "-h", 0, "Usage: l2tp-ipsec [OPTIONS] OBJECT COMMAND [ARGS]\n", NULL,
		   "help on stdout, exit 0");
	expect_bin(bin, "-V", 0, "l2tp-ipsec: generic netlink family l2tp_ipsec version 1\n", NULL,
		   "version");
	expect_bin(bin, "-n l2tp-ipsec-test-no-such-netns show", 1, NULL,
		   "l2tp-ipsec: cannot open network namespace \"l2tp-ipsec-test-no-such-netns\": No such file or directory\n",
		   "missing network namespace: exit 1");
	if (!access("/sys/module/l2tp_ipsec", F_OK)) {
		tests++;
		printf("ok %u - # SKIP the l2tp_ipsec module is loaded here\n", tests);
		return;
	}
	/* nlctrl answers ENOENT; the request itself is never built. */
	expect_bin(bin, "-j config show", 1, NULL,
		   "l2tp-ipsec: the l2tp_ipsec generic netlink family is not available (is the l2tp_ipsec module loaded?)\n",
		   "module not loaded: exit 1 with the hint");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_parse_good();
	test_parse_bad();
	test_build();
	test_print_config();
	test_print_clients();
	test_print_tunnels();
	test_print_nat();
	test_print_policies();
	test_print_empty();
	test_print_robust();
	test_view();
	test_events();
	test_json();
	test_family();
	test_errors();
	test_collect();
	if (argc > 1)
		test_binary(argv[1]);
	else
		printf("# no l2tp-ipsec binary given: its own runs are skipped\n");
	printf("1..%u\n", tests);
	if (failed)
		printf("# %u of %u failed\n", failed, tests);
	return failed ? 1 : 0;
}
