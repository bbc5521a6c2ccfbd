// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec: the command line, iproute2 style.
 *
 *   l2tp-ipsec [OPTIONS] OBJECT COMMAND [ARGS]
 *
 * Options stop at the first argument that is not one. Objects, commands and keywords
 * may be abbreviated to any prefix that names only one of them ("cl a" is "client
 * add"; "s" is ambiguous between show and server); an object without a command
 * shows it. Values are strict: decimal digits only, ports 1-65535, max-tunnels
 * 1-4294967295, other numbers 0-4294967295, addresses IPv4 or IPv6 literals; a
 * keyword given twice is an error.
 * Nothing here prints: errors come back as text for main() (and the unit test).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/l2tp_ipsec.h>

#include "lib/opt.h"
#include "l2tp-ipsec.h"

const char *prog = "l2tp-ipsec";

/* The usage lines of each object, in the order of the full usage text. */
static const struct {
	const char *object;
	const char *lines;
} usage_lines[] = {
	{ "show",
	  "       l2tp-ipsec [OPTIONS] show\n" },
	{ "config",
	  "       l2tp-ipsec [OPTIONS] config show\n"
	  "       l2tp-ipsec [OPTIONS] config set [server on|off] [port PORT] [reqid REQID]\n"
	  "                  [priority auto|PRIO] [level require|use] [auto-attach on|off]\n"
	  "                  [restore on|off] [max-tunnels N]\n" },
	{ "server",
	  "       l2tp-ipsec [OPTIONS] server on|off [port PORT] [reqid REQID]\n"
	  "                  [level require|use] [priority auto|PRIO]\n" },
	{ "client",
	  "       l2tp-ipsec [OPTIONS] client add SERVER [sport PORT] [lifetime connection|static]\n"
	  "       l2tp-ipsec [OPTIONS] client del SERVER [sport PORT]\n"
	  "       l2tp-ipsec [OPTIONS] client negotiate SERVER [sport PORT] [timeout SECONDS]\n"
	  "       l2tp-ipsec [OPTIONS] client show\n" },
	{ "tunnel",
	  "       l2tp-ipsec [OPTIONS] tunnel show\n" },
	{ "policy",
	  "       l2tp-ipsec [OPTIONS] policy show\n" },
	{ "monitor",
	  "       l2tp-ipsec [OPTIONS] monitor\n" },
};

void lipsec_usage(FILE *f, const char *object)
{
	size_t i;

	fputs("Usage: l2tp-ipsec [OPTIONS] OBJECT COMMAND [ARGS]\n", f);
	for (i = 0; i < sizeof(usage_lines) / sizeof(usage_lines[0]); i++)
		if (!object || !strcmp(object, usage_lines[i].object))
			fputs(usage_lines[i].lines, f);
	if (object)
		return;
	fputs("OPTIONS:\n"
	      "  -j, --json         JSON output of show and monitor\n"
	      "  -p, --pretty       pretty JSON (implies -j)\n"
	      "  -n, --netns NETNS  work in network namespace NETNS (/run/netns/NETNS)\n"
	      "  -h, --help         show this help\n"
	      "  -V, --version      show the version\n"
	      "SERVER is an IPv4 or IPv6 address; PORT is 1-65535; REQID and PRIO are\n"
	      "0-4294967295; N is 1-4294967295. Objects, commands and keywords may be\n"
	      "abbreviated.\n"
	      "Exit status: 0 ok, 1 kernel or system error, 2 usage error.\n", f);
}

/* A keyword table; several names may share an id (aliases). */
struct kw {
	const char *name;
	int id;
};

#define KW_UNKNOWN	(-1)
#define KW_AMBIGUOUS	(-2)

/* An exact name, else a prefix of names that all have the same id. */
static int kw_lookup(const struct kw *tab, const char *arg)
{
	int id = KW_UNKNOWN;
	size_t len = strlen(arg);
	const struct kw *k;

	if (!len)
		return KW_UNKNOWN;
	for (k = tab; k->name; k++)
		if (!strcmp(k->name, arg))
			return k->id;
	for (k = tab; k->name; k++) {
		if (strncmp(k->name, arg, len))
			continue;
		if (id != KW_UNKNOWN && id != k->id)
			return KW_AMBIGUOUS;
		id = k->id;
	}
	return id;
}

/* The first (full) name of id in tab. */
static const char *kw_name(const struct kw *tab, int id)
{
	for (; tab->name; tab++)
		if (tab->id == id)
			return tab->name;
	return "?";
}

/* "name1, name2" of the keywords arg is a prefix of (for "ambiguous"). */
static void kw_candidates(const struct kw *tab, const char *arg, char *buf, size_t len)
{
	const struct kw *k;
	size_t used = 0;

	buf[0] = '\0';
	for (k = tab; k->name; k++) {
		if (strncmp(k->name, arg, strlen(arg)))
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? ", " : "", k->name);
	}
}

/* Parser state: the remaining arguments and where errors go. */
struct args {
	int argc;
	char **argv;
	struct lipsec_req *req;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct args *a, const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;

	if (a->req->what)
		used = snprintf(a->err, a->errlen, "%s: ", a->req->what);
	if (used >= a->errlen)
		return LIPSEC_EXIT_USAGE;
	va_start(ap, fmt);
	vsnprintf(a->err + used, a->errlen - used, fmt, ap);
	va_end(ap);
	return LIPSEC_EXIT_USAGE;
}

static const char *peek(const struct args *a)
{
	return a->argc ? a->argv[0] : NULL;
}

static const char *next(struct args *a)
{
	if (!a->argc)
		return NULL;
	a->argc--;
	return *a->argv++;
}

/*
 * Look the next argument up in tab. Returns its id (the argument consumed), or
 * KW_UNKNOWN/KW_AMBIGUOUS with the error written: "unknown WHAT "arg"".
 */
static int lookup(struct args *a, const struct kw *tab, const char *what)
{
	const char *arg = next(a);
	char cand[256];
	int id = kw_lookup(tab, arg);

	if (id == KW_AMBIGUOUS) {
		kw_candidates(tab, arg, cand, sizeof(cand));
		fail(a, "ambiguous %s \"%s\" (%s)", what, arg, cand);
	} else if (id == KW_UNKNOWN) {
		if (arg[0] == '-')
			fail(a, "unknown %s \"%s\" (options go before the object)", what, arg);
		else
			fail(a, "unknown %s \"%s\"", what, arg);
	}
	return id;
}

/* Nothing may follow. */
static int no_more(struct args *a)
{
	const char *arg = peek(a);

	if (!arg)
		return 0;
	if (arg[0] == '-')
		return fail(a, "unexpected argument \"%s\" (options go before the object)", arg);
	return fail(a, "unexpected argument \"%s\"", arg);
}

static const struct kw on_off[] = {
	{ "on", 1 }, { "off", 0 }, { NULL, 0 }
};

static const struct kw levels[] = {
	{ "require", L2TP_IPSEC_LEVEL_REQUIRE }, { "use", L2TP_IPSEC_LEVEL_USE }, { NULL, 0 }
};

static const struct kw lifetimes[] = {
	{ "connection", L2TP_IPSEC_LIFETIME_CONNECTION },
	{ "static", L2TP_IPSEC_LIFETIME_STATIC },
	{ NULL, 0 }
};

/* The value of keyword kw from tab ("on|off" etc. in choices). */
static int value_kw(struct args *a, const char *kw, const struct kw *tab,
		    const char *choices, int *out)
{
	const char *arg = next(a);
	int id;

	if (!arg)
		return fail(a, "missing value after \"%s\" (%s)", kw, choices);
	id = kw_lookup(tab, arg);
	if (id < 0)
		return fail(a, "invalid %s \"%s\" (%s)", kw, arg, choices);
	*out = id;
	return 0;
}

static int value_port(struct args *a, const char *kw, uint16_t *out)
{
	const char *arg = next(a);

	if (!arg)
		return fail(a, "missing value after \"%s\" (a port, 1-65535)", kw);
	if (!parse_port(arg, out))
		return fail(a, "invalid %s \"%s\" (a port, 1-65535)", kw, arg);
	return 0;
}

/* A number from min to 4294967295. */
/* "auto" (0: the module picks it from the reqid) or a u32 */
static int value_priority(struct args *a, const char *kw, uint32_t *out)
{
	const char *arg = next(a);
	unsigned long v;

	if (!arg)
		return fail(a, "missing value after \"%s\" (auto or a number, 0-4294967295)", kw);
	if (!strcmp(arg, "auto")) {
		*out = L2TP_IPSEC_PRIORITY_AUTO;
		return 0;
	}
	if (!parse_uint(arg, UINT32_MAX, &v))
		return fail(a, "invalid %s \"%s\" (auto or a number, 0-4294967295)", kw, arg);
	*out = v;
	return 0;
}

static int value_u32(struct args *a, const char *kw, uint32_t min, uint32_t *out)
{
	const char *arg = next(a);
	unsigned long v;

	if (!arg)
		return fail(a, "missing value after \"%s\" (a number, %" PRIu32 "-4294967295)",
			    kw, min);
	if (!parse_uint(arg, UINT32_MAX, &v) || v < min)
		return fail(a, "invalid %s \"%s\" (a number, %" PRIu32 "-4294967295)",
			    kw, arg, min);
	*out = v;
	return 0;
}

/*
 * KEYWORD VALUE pairs of config set / server (the keywords in tab, ids are
 * L2TP_IPSEC_A_CONFIG_*) into req->config.
 */
static int config_fields(struct args *a, const struct kw *tab)
{
	struct lipsec_config *cfg = &a->req->config;
	const char *kw;
	int id, v, rc;

	while (peek(a)) {
		id = lookup(a, tab, "keyword");
		if (id < 0)
			return LIPSEC_EXIT_USAGE;
		kw = kw_name(tab, id);
		if (cfg->has & LIPSEC_BIT(id))
			return fail(a, "\"%s\" given twice", kw);
		switch (id) {
		case L2TP_IPSEC_A_CONFIG_SERVER:
			rc = value_kw(a, kw, on_off, "on or off", &v);
			cfg->server = v;
			break;
		case L2TP_IPSEC_A_CONFIG_AUTO_ATTACH:
			rc = value_kw(a, kw, on_off, "on or off", &v);
			cfg->auto_attach = v;
			break;
		case L2TP_IPSEC_A_CONFIG_RESTORE:
			rc = value_kw(a, kw, on_off, "on or off", &v);
			cfg->restore = v;
			break;
		case L2TP_IPSEC_A_CONFIG_LEVEL:
			rc = value_kw(a, kw, levels, "require or use", &v);
			cfg->level = v;
			break;
		case L2TP_IPSEC_A_CONFIG_PORT:
			rc = value_port(a, kw, &cfg->port);
			break;
		case L2TP_IPSEC_A_CONFIG_REQID:
			rc = value_u32(a, kw, 0, &cfg->reqid);
			break;
		case L2TP_IPSEC_A_CONFIG_PRIORITY:
			rc = value_priority(a, kw, &cfg->priority);
			break;
		case L2TP_IPSEC_A_CONFIG_MAX_TUNNELS:
			rc = value_u32(a, kw, 1, &cfg->max_tunnels);
			break;
		default:
			rc = fail(a, "unknown keyword \"%s\"", kw);
		}
		if (rc)
			return rc;
		cfg->has |= LIPSEC_BIT(id);
	}
	return 0;
}

static const struct kw config_set_kws[] = {
	{ "server", L2TP_IPSEC_A_CONFIG_SERVER },
	{ "port", L2TP_IPSEC_A_CONFIG_PORT },
	{ "reqid", L2TP_IPSEC_A_CONFIG_REQID },
	{ "priority", L2TP_IPSEC_A_CONFIG_PRIORITY },
	{ "level", L2TP_IPSEC_A_CONFIG_LEVEL },
	{ "auto-attach", L2TP_IPSEC_A_CONFIG_AUTO_ATTACH },
	{ "restore", L2TP_IPSEC_A_CONFIG_RESTORE },
	{ "max-tunnels", L2TP_IPSEC_A_CONFIG_MAX_TUNNELS },
	{ NULL, 0 }
};

static const struct kw server_kws[] = {
	{ "port", L2TP_IPSEC_A_CONFIG_PORT },
	{ "reqid", L2TP_IPSEC_A_CONFIG_REQID },
	{ "level", L2TP_IPSEC_A_CONFIG_LEVEL },
	{ "priority", L2TP_IPSEC_A_CONFIG_PRIORITY },
	{ NULL, 0 }
};

enum { CMD_SHOW, CMD_SET, CMD_ADD, CMD_DEL, CMD_NEGOTIATE, CMD_HELP };

static const struct kw show_cmds[] = {
	{ "show", CMD_SHOW }, { "list", CMD_SHOW }, { "ls", CMD_SHOW },
	{ "help", CMD_HELP }, { NULL, 0 }
};

static const struct kw config_cmds[] = {
	{ "show", CMD_SHOW }, { "list", CMD_SHOW }, { "ls", CMD_SHOW },
	{ "set", CMD_SET }, { "help", CMD_HELP }, { NULL, 0 }
};

static const struct kw client_cmds[] = {
	{ "add", CMD_ADD }, { "del", CMD_DEL }, { "delete", CMD_DEL },
	{ "negotiate", CMD_NEGOTIATE },
	{ "show", CMD_SHOW }, { "list", CMD_SHOW }, { "ls", CMD_SHOW },
	{ "help", CMD_HELP }, { NULL, 0 }
};

/* The COMMAND of object (show when absent), or <0 with the error written. */
static int command(struct args *a, const char *object, const struct kw *cmds)
{
	if (!peek(a))
		return CMD_SHOW;
	a->req->what = object;
	return lookup(a, cmds, "command");
}

static int help(struct args *a, const char *object)
{
	a->req->action = LIPSEC_HELP;
	a->req->help = object;
	return 0;
}

static int obj_config(struct args *a)
{
	int cmd = command(a, "config", config_cmds);

	switch (cmd) {
	case CMD_SHOW:
		a->req->action = LIPSEC_CONFIG_SHOW;
		a->req->what = "config show";
		return no_more(a);
	case CMD_SET:
		a->req->action = LIPSEC_CONFIG_SET;
		a->req->what = "config set";
		if (config_fields(a, config_set_kws))
			return LIPSEC_EXIT_USAGE;
		if (!a->req->config.has)
			return fail(a, "nothing to set (server, port, reqid, priority, level, auto-attach, restore or max-tunnels)");
		return 0;
	case CMD_HELP:
		return help(a, "config");
	}
	return LIPSEC_EXIT_USAGE;
}

static int obj_server(struct args *a)
{
	int v;

	a->req->action = LIPSEC_CONFIG_SET;
	a->req->what = "server";
	if (peek(a) && !strcmp(peek(a), "help"))
		return help(a, "server");
	if (!peek(a))
		return fail(a, "missing on or off");
	v = kw_lookup(on_off, peek(a));
	if (v < 0)
		return fail(a, "invalid argument \"%s\" (on or off)", peek(a));
	next(a);
	a->req->config.server = v;
	a->req->config.has = LIPSEC_BIT(L2TP_IPSEC_A_CONFIG_SERVER);
	return config_fields(a, server_kws);
}

static int parse_server_addr(struct args *a, struct lipsec_addr *addr)
{
	const char *arg = next(a);

	if (!arg)
		return fail(a, "missing server address");
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, arg, &addr->v4) == 1)
		addr->family = AF_INET;
	else if (inet_pton(AF_INET6, arg, &addr->v6) == 1)
		addr->family = AF_INET6;
	else
		return fail(a, "invalid server address \"%s\" (an IPv4 or IPv6 address)", arg);
	return 0;
}

static int obj_client(struct args *a)
{
	static const struct kw add_kws[] = {
		{ "sport", L2TP_IPSEC_A_CLIENT_SPORT },
		{ "lifetime", L2TP_IPSEC_A_CLIENT_LIFETIME },
		{ NULL, 0 }
	};
	static const struct kw del_kws[] = {
		{ "sport", L2TP_IPSEC_A_CLIENT_SPORT },
		{ NULL, 0 }
	};
	/* timeout is the utility's own: not an attribute of the request */
	enum { KW_TIMEOUT = L2TP_IPSEC_A_CLIENT_MAX + 1 };
	static const struct kw negotiate_kws[] = {
		{ "sport", L2TP_IPSEC_A_CLIENT_SPORT },
		{ "timeout", KW_TIMEOUT },
		{ NULL, 0 }
	};
	bool timeout_given = false;
	uint32_t timeout;
	struct lipsec_client *c = &a->req->client;
	const struct kw *kws;
	int cmd = command(a, "client", client_cmds);
	const char *kw;
	int id, v;

	switch (cmd) {
	case CMD_SHOW:
		a->req->action = LIPSEC_CLIENT_SHOW;
		a->req->what = "client show";
		return no_more(a);
	case CMD_HELP:
		return help(a, "client");
	case CMD_ADD:
		a->req->action = LIPSEC_CLIENT_ADD;
		a->req->what = "client add";
		kws = add_kws;
		break;
	case CMD_DEL:
		a->req->action = LIPSEC_CLIENT_DEL;
		a->req->what = "client del";
		kws = del_kws;
		break;
	case CMD_NEGOTIATE:
		a->req->action = LIPSEC_CLIENT_NEGOTIATE;
		a->req->what = "client negotiate";
		a->req->timeout = LIPSEC_NEGOTIATE_TIMEOUT;
		kws = negotiate_kws;
		break;
	default:
		return LIPSEC_EXIT_USAGE;
	}
	if (parse_server_addr(a, &c->server))
		return LIPSEC_EXIT_USAGE;
	while (peek(a)) {
		id = lookup(a, kws, "keyword");
		if (id < 0)
			return LIPSEC_EXIT_USAGE;
		kw = kw_name(kws, id);
		if (id == KW_TIMEOUT) {
			if (timeout_given)
				return fail(a, "\"%s\" given twice", kw);
			if (value_u32(a, kw, 1, &timeout))
				return LIPSEC_EXIT_USAGE;
			if (timeout > LIPSEC_NEGOTIATE_TIMEOUT_MAX)
				return fail(a, "invalid %s \"%u\" (1-%u seconds)", kw, timeout,
					    LIPSEC_NEGOTIATE_TIMEOUT_MAX);
			a->req->timeout = timeout;
			timeout_given = true;
			continue;
		}
		if (c->has & LIPSEC_BIT(id))
			return fail(a, "\"%s\" given twice", kw);
		if (id == L2TP_IPSEC_A_CLIENT_SPORT) {
			if (value_port(a, kw, &c->sport))
				return LIPSEC_EXIT_USAGE;
		} else {
			if (value_kw(a, kw, lifetimes, "connection or static", &v))
				return LIPSEC_EXIT_USAGE;
			c->lifetime = v;
		}
		c->has |= LIPSEC_BIT(id);
	}
	return 0;
}

/* tunnel show, policy show. */
static int obj_show_only(struct args *a, const char *object, enum lipsec_action action,
			 const char *what)
{
	int cmd = command(a, object, show_cmds);

	if (cmd == CMD_HELP)
		return help(a, object);
	if (cmd != CMD_SHOW)
		return LIPSEC_EXIT_USAGE;
	a->req->action = action;
	a->req->what = what;
	return no_more(a);
}

enum { OBJ_SHOW, OBJ_CONFIG, OBJ_SERVER, OBJ_CLIENT, OBJ_TUNNEL, OBJ_POLICY,
       OBJ_MONITOR, OBJ_HELP };

static const struct kw objects[] = {
	{ "show", OBJ_SHOW }, { "list", OBJ_SHOW }, { "ls", OBJ_SHOW },
	{ "config", OBJ_CONFIG }, { "server", OBJ_SERVER }, { "client", OBJ_CLIENT },
	{ "tunnel", OBJ_TUNNEL }, { "policy", OBJ_POLICY }, { "monitor", OBJ_MONITOR },
	{ "help", OBJ_HELP }, { NULL, 0 }
};

/* A network namespace name as ip -n takes it: not empty, no '/', not . or .. */
static bool netns_name_ok(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) <= NAME_MAX;
}

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "netns", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static int options(struct args *a, int argc, char **argv)
{
	struct lipsec_req *req = a->req;
	bool want_help = false, want_version = false;
	int c;

	/* Reset getopt (glibc: 0 also re-initialises); stop at the first non-option. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:jpn:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			req->json = true;
			break;
		case 'p':
			req->json = req->pretty = true;
			break;
		case 'n':
			if (req->netns)
				return fail(a, "option \"-n\" given twice");
			if (!netns_name_ok(optarg))
				return fail(a, "invalid network namespace name \"%s\"", optarg);
			req->netns = optarg;
			break;
		case 'h':
			want_help = true;
			break;
		case 'V':
			want_version = true;
			break;
		case ':':
			return fail(a, "option \"%s\" needs a network namespace name",
				    argv[optind - 1]);
		default:
			if (optopt)
				return fail(a, "unknown option \"-%c\"", optopt);
			return fail(a, "unknown option \"%s\"", argv[optind - 1]);
		}
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	if (want_help) {
		help(a, NULL);
		return 1;
	}
	if (want_version) {
		req->action = LIPSEC_VERSION;
		return 1;
	}
	return 0;
}

int lipsec_parse_args(int argc, char **argv, struct lipsec_req *req,
		      char *err, size_t errlen)
{
	struct args a = { .req = req, .err = err, .errlen = errlen };
	int rc, id;

	memset(req, 0, sizeof(*req));
	if (errlen)
		err[0] = '\0';
	rc = options(&a, argc, argv);
	if (rc == 1)
		return 0;	/* -h or -V: the rest does not matter */
	if (rc)
		return rc;
	if (!peek(&a))
		return fail(&a, "missing object (try \"l2tp-ipsec help\")");
	switch (lookup(&a, objects, "object")) {
	case OBJ_SHOW:
		req->action = LIPSEC_SHOW_ALL;
		req->what = "show";
		return no_more(&a);
	case OBJ_CONFIG:
		return obj_config(&a);
	case OBJ_SERVER:
		return obj_server(&a);
	case OBJ_CLIENT:
		return obj_client(&a);
	case OBJ_TUNNEL:
		return obj_show_only(&a, "tunnel", LIPSEC_TUNNEL_SHOW, "tunnel show");
	case OBJ_POLICY:
		return obj_show_only(&a, "policy", LIPSEC_POLICY_SHOW, "policy show");
	case OBJ_MONITOR:
		req->action = LIPSEC_MONITOR;
		req->what = "monitor";
		if (peek(&a) && !strcmp(peek(&a), "help"))
			return help(&a, "monitor");
		return no_more(&a);
	case OBJ_HELP:
		/* help [OBJECT]: the full name of the object is its usage_lines key. */
		id = peek(&a) ? kw_lookup(objects, peek(&a)) : KW_UNKNOWN;
		return help(&a, id >= 0 && id != OBJ_HELP ? kw_name(objects, id) : NULL);
	}
	return LIPSEC_EXIT_USAGE;
}
