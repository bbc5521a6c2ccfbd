// SPDX-License-Identifier: GPL-2.0
/*
 * xfrm-spd - test helper: dump the xfrm security policy database (SPD) of
 * the current network namespace over NETLINK_XFRM (tools/lib/xfrm.c) and print one
 * line per policy, in dump order, for test scripts to grep and compare.
 *
 * Line format (space separated key=value, tokens always in this order):
 *
 *   dir= prio= family= src=ADDR/PLEN dst=ADDR/PLEN proto= sport=PORT/MASK
 *   dport=PORT/MASK ifindex= action= flags= ptype= mark=VAL/MASK ifid=
 *   [tmpl=PROTO:MODE:reqid=:src=:dst=:spi=:opt=:share=:aalgos=:ealgos=:
 *         calgos=:family= ...] index= [raw=HEX]
 *
 * Ports, prio, proto, ifindex, flags, ifid, reqid, opt, share and index are
 * decimal; port masks, mark, spi and the algorithm masks are hex without a
 * prefix.  All values are in host byte order.  raw (-r) is the whole netlink
 * payload (struct xfrm_userpolicy_info and all attributes) with
 * curlft.use_time zeroed, so it only changes when the policy itself does.
 * -I leaves index= (and raw=) out; -m ERE keeps only matching lines; -s sorts
 * them (byte order): test scripts need no sed | grep | sort pipeline, which
 * costs a second per process on the debug kernel under TCG.
 *
 * -w IN,OUT waits instead, up to -t seconds (default 600), until the SPD counts
 * (XFRM_MSG_GETSPDINFO) show IN inbound and OUT outbound policies, asking every
 * millisecond from one process, and prints the seconds it waited: a benchmark that
 * times a restore needs no shell loop of processes competing with what it times.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include "common.h"
#include "lib/xfrm.h"

struct dump_ctx {
	bool raw;
	bool count_only;
	bool no_index;
	bool sort;
	bool match;
	regex_t re;
	unsigned long count;
	char **lines;		/* with sort: the lines to print */
	size_t nlines, cap;
	bool oom;
};

/* Where the line of the policy being formatted goes (a memory stream). */
static FILE *out;

const char *prog = "xfrm-spd";

void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-r] [-c] [-I] [-s] [-m ERE]\n"
		"       %s -w IN,OUT [-t SECONDS]\n"
		"Dump the xfrm SPD of the current network namespace, one line per policy.\n"
		"  -r, --raw    append raw=<hex of the netlink payload, curlft.use_time zeroed>\n"
		"  -c, --count  print only the number of (matching) policies\n"
		"  -I, --no-index  leave index= out (and raw=)\n"
		"  -m, --match ERE  only the lines that match the extended regex ERE\n"
		"  -s, --sort   print the lines sorted (byte order, like LC_ALL=C sort)\n"
		"  -w, --wait IN,OUT  instead: wait until the SPD holds IN inbound and OUT\n"
		"               outbound policies; print the seconds waited\n"
		"  -t, --timeout SECONDS  how long -w waits (default 600)\n"
		"  -h, --help   show this help\n"
		"Exit status: 0 ok, 1 netlink error, 2 usage error, 3 -w timed out.\n",
		prog, prog);
}

static const char *dir_name(unsigned int dir, char *buf, size_t len)
{
	switch (dir) {
	case XFRM_POLICY_IN:
		return "in";
	case XFRM_POLICY_OUT:
		return "out";
	case XFRM_POLICY_FWD:
		return "fwd";
	}
	/* Socket policies (XFRM_POLICY_MAX + dir) and anything newer. */
	snprintf(buf, len, "%u", dir);
	return buf;
}

static const char *family_name(unsigned int family, char *buf, size_t len)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	}
	snprintf(buf, len, "%u", family);
	return buf;
}

static const char *xproto_name(unsigned int proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "comp";
	}
	snprintf(buf, len, "%u", proto);
	return buf;
}

static const char *mode_name(unsigned int mode, char *buf, size_t len)
{
	switch (mode) {
	case XFRM_MODE_TRANSPORT:
		return "transport";
	case XFRM_MODE_TUNNEL:
		return "tunnel";
	case XFRM_MODE_BEET:
		return "beet";
	}
	snprintf(buf, len, "%u", mode);
	return buf;
}

/* inet_ntop for inet/inet6; the raw 16 bytes in hex for any other family. */
static const char *addr_str(unsigned int family, const xfrm_address_t *a,
			    char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)a;
	size_t i;

	if (family == AF_INET && inet_ntop(AF_INET, &a->a4, buf, len))
		return buf;
	if (family == AF_INET6 && inet_ntop(AF_INET6, a->a6, buf, len))
		return buf;
	for (i = 0; i < sizeof(*a) && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, len - 2 * i, "%02x", p[i]);
	return buf;
}

static void print_selector(const struct xfrm_selector *sel)
{
	char b1[INET6_ADDRSTRLEN + 40], b2[INET6_ADDRSTRLEN + 40];

	fprintf(out, " family=%s", family_name(sel->family, b1, sizeof(b1)));
	fprintf(out, " src=%s/%u", addr_str(sel->family, &sel->saddr, b1, sizeof(b1)),
	       sel->prefixlen_s);
	fprintf(out, " dst=%s/%u", addr_str(sel->family, &sel->daddr, b2, sizeof(b2)),
	       sel->prefixlen_d);
	fprintf(out, " proto=%u sport=%u/%x dport=%u/%x ifindex=%d",
	       sel->proto, ntohs(sel->sport), ntohs(sel->sport_mask),
	       ntohs(sel->dport), ntohs(sel->dport_mask), sel->ifindex);
}

static void print_tmpl(const struct xfrm_user_tmpl *t)
{
	char b1[INET6_ADDRSTRLEN + 40], b2[INET6_ADDRSTRLEN + 40];

	fprintf(out, " tmpl=%s", xproto_name(t->id.proto, b1, sizeof(b1)));
	fprintf(out, ":%s:reqid=%u", mode_name(t->mode, b1, sizeof(b1)), t->reqid);
	fprintf(out, ":src=%s", addr_str(t->family, &t->saddr, b1, sizeof(b1)));
	fprintf(out, ":dst=%s", addr_str(t->family, &t->id.daddr, b2, sizeof(b2)));
	fprintf(out, ":spi=%x:opt=%u:share=%u", ntohl(t->id.spi), t->optional,
	       t->share);
	fprintf(out, ":aalgos=%x:ealgos=%x:calgos=%x", t->aalgos, t->ealgos,
	       t->calgos);
	fprintf(out, ":family=%s", family_name(t->family, b1, sizeof(b1)));
}

static void print_tmpls(const struct nlattr *attr)
{
	const char *p = mnl_attr_get_payload(attr);
	size_t n = mnl_attr_get_payload_len(attr) / sizeof(struct xfrm_user_tmpl);
	struct xfrm_user_tmpl t;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&t, p + i * sizeof(t), sizeof(t));
		print_tmpl(&t);
	}
}

/* Hex of everything after the nlmsghdr, with curlft.use_time as zeroes. */
static void print_raw(const struct nlmsghdr *nlh)
{
	const unsigned char *p = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	size_t skip = offsetof(struct xfrm_userpolicy_info, curlft.use_time);
	size_t end = skip + sizeof(((struct xfrm_userpolicy_info *)0)->curlft.use_time);
	size_t i;

	fputs(" raw=", out);
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", i >= skip && i < end ? 0 : p[i]);
}

static void print_policy(const struct xfrm_userpolicy_info *pol,
			 const struct nlattr **tb)
{
	struct xfrm_userpolicy_type ptype = { .type = XFRM_POLICY_TYPE_MAIN };
	struct xfrm_mark mark = { 0, 0 };
	uint32_t ifid = 0;
	char buf[16];

	if (tb[XFRMA_POLICY_TYPE])
		memcpy(&ptype, mnl_attr_get_payload(tb[XFRMA_POLICY_TYPE]),
		       sizeof(ptype));
	if (tb[XFRMA_MARK])
		memcpy(&mark, mnl_attr_get_payload(tb[XFRMA_MARK]), sizeof(mark));
	if (tb[XFRMA_IF_ID])
		ifid = mnl_attr_get_u32(tb[XFRMA_IF_ID]);

	fprintf(out, "dir=%s prio=%u", dir_name(pol->dir, buf, sizeof(buf)),
	       pol->priority);
	print_selector(&pol->sel);
	if (pol->action == XFRM_POLICY_ALLOW)
		fputs(" action=allow", out);
	else if (pol->action == XFRM_POLICY_BLOCK)
		fputs(" action=block", out);
	else
		fprintf(out, " action=%u", pol->action);
	fprintf(out, " flags=%u", pol->flags);
	if (ptype.type == XFRM_POLICY_TYPE_MAIN)
		fputs(" ptype=main", out);
	else if (ptype.type == XFRM_POLICY_TYPE_SUB)
		fputs(" ptype=sub", out);
	else
		fprintf(out, " ptype=%u", ptype.type);
	fprintf(out, " mark=%x/%x ifid=%u", mark.v, mark.m, ifid);
	if (tb[XFRMA_TMPL])
		print_tmpls(tb[XFRMA_TMPL]);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);
	size_t len = mnl_attr_get_payload_len(attr);
	size_t min = 0;

	if (type > XFRMA_MAX)
		return MNL_CB_OK;	/* newer than our headers: ignore */

	switch (type) {
	case XFRMA_TMPL:
		if (len % sizeof(struct xfrm_user_tmpl))
			min = SIZE_MAX;
		break;
	case XFRMA_POLICY_TYPE:
		min = sizeof(struct xfrm_userpolicy_type);
		break;
	case XFRMA_MARK:
		min = sizeof(struct xfrm_mark);
		break;
	case XFRMA_IF_ID:
		min = sizeof(uint32_t);
		break;
	}
	if (len < min) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[XFRMA_MAX + 1] = { NULL };
	struct dump_ctx *ctx = data;
	struct xfrm_userpolicy_info pol;
	char *line = NULL;
	size_t len = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(pol)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (mnl_attr_parse(nlh, sizeof(pol), attr_cb, tb) < 0)
		return MNL_CB_ERROR;

	/* Copy out: the payload is only 4-byte aligned, the struct has u64s. */
	memcpy(&pol, mnl_nlmsg_get_payload(nlh), sizeof(pol));
	out = open_memstream(&line, &len);
	if (!out) {
		ctx->oom = true;
		return MNL_CB_ERROR;
	}
	print_policy(&pol, tb);
	if (!ctx->no_index) {
		fprintf(out, " index=%u", pol.index);
		if (ctx->raw)
			print_raw(nlh);
	}
	if (fclose(out)) {
		ctx->oom = true;
		return MNL_CB_ERROR;
	}
	if (ctx->match && regexec(&ctx->re, line, 0, NULL, 0)) {
		free(line);
		return MNL_CB_OK;
	}
	ctx->count++;
	if (ctx->count_only) {
		free(line);
	} else if (ctx->sort) {
		if (ctx->nlines == ctx->cap) {
			size_t cap = ctx->cap ? 2 * ctx->cap : 64;
			char **l = realloc(ctx->lines, cap * sizeof(*l));

			if (!l) {
				free(line);
				ctx->oom = true;
				return MNL_CB_ERROR;
			}
			ctx->lines = l;
			ctx->cap = cap;
		}
		ctx->lines[ctx->nlines++] = line;
	} else {
		puts(line);
		free(line);
	}
	return MNL_CB_OK;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dump_spd(struct mnl_socket *nl, struct dump_ctx *ctx)
{
	int ret = xfrm_spd_dump(nl, time(NULL), policy_cb, ctx);

	if (!ret)
		return 0;
	errno = -ret;
	return sys_fail("XFRM_MSG_GETPOLICY dump");
}

static int spdinfo_attr_cb(const struct nlattr *attr, void *data)
{
	struct xfrmu_spdinfo *info = data;

	if (mnl_attr_get_type(attr) == XFRMA_SPD_INFO &&
	    mnl_attr_get_payload_len(attr) >= sizeof(*info))
		memcpy(info, mnl_attr_get_payload(attr), sizeof(*info));
	return MNL_CB_OK;
}

static int spdinfo_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != XFRM_MSG_NEWSPDINFO)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(__u32), spdinfo_attr_cb, data);
}

/* The SPD's policy counts (XFRM_MSG_GETSPDINFO, O(1) in the kernel). */
static int spd_counts(struct mnl_socket *nl, struct xfrmu_spdinfo *info)
{
	static char buf[8192];
	unsigned int portid = mnl_socket_get_portid(nl);
	static unsigned int seq;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = XFRM_MSG_GETSPDINFO;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++seq;
	*(__u32 *)mnl_nlmsg_put_extra_header(nlh, sizeof(__u32)) = 0xffffffff;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return sys_fail("sending XFRM_MSG_GETSPDINFO");
	memset(info, 0xff, sizeof(*info));
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return sys_fail("receiving XFRM_MSG_NEWSPDINFO");
	ret = mnl_cb_run(buf, n, seq, portid, spdinfo_cb, info);
	if (ret < 0)
		return sys_fail("XFRM_MSG_GETSPDINFO");
	return 0;
}

static int wait_counts(struct mnl_socket *nl, unsigned long in, unsigned long out,
		       double timeout)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	double start = now();
	struct xfrmu_spdinfo info;

	for (;;) {
		if (spd_counts(nl, &info))
			return 1;
		if (info.incnt == in && info.outcnt == out)
			break;
		if (now() - start > timeout) {
			fprintf(stderr, "%s: the SPD holds %u+%u policies, not %lu+%lu, after %g s\n",
				prog, info.incnt, info.outcnt, in, out, timeout);
			return 3;
		}
		nanosleep(&ms, NULL);
	}
	printf("%.3f\n", now() - start);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "count", no_argument, NULL, 'c' },
		{ "no-index", no_argument, NULL, 'I' },
		{ "sort", no_argument, NULL, 's' },
		{ "match", required_argument, NULL, 'm' },
		{ "wait", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long want_in = 0, want_out = 0;
	struct dump_ctx ctx = { 0 };
	double timeout = 600;
	struct mnl_socket *nl;
	bool wait = false;
	char msg[256], *end;
	size_t i;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "rcIsm:w:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			ctx.raw = true;
			break;
		case 'c':
			ctx.count_only = true;
			break;
		case 'I':
			ctx.no_index = true;
			break;
		case 's':
			ctx.sort = true;
			break;
		case 'm':
			if (ctx.match)
				regfree(&ctx.re);
			ret = regcomp(&ctx.re, optarg, REG_EXTENDED | REG_NOSUB);
			if (ret) {
				regerror(ret, &ctx.re, msg, sizeof(msg));
				fprintf(stderr, "%s: bad ERE '%s': %s\n", prog, optarg, msg);
				return 2;
			}
			ctx.match = true;
			break;
		case 'w':
			errno = 0;
			want_in = strtoul(optarg, &end, 10);
			if (!errno && *end == ',' && end > optarg && end[1] >= '0' && end[1] <= '9')
				want_out = strtoul(end + 1, &end, 10);
			else
				errno = EINVAL;
			if (errno || *end || want_in > UINT32_MAX || want_out > UINT32_MAX) {
				fprintf(stderr, "%s: -w wants IN,OUT (two counts), not '%s'\n",
					prog, optarg);
				return 2;
			}
			wait = true;
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(timeout > 0)) {
				fprintf(stderr, "%s: -t wants seconds > 0, not '%s'\n", prog, optarg);
				return 2;
			}
			break;
		default:
			return usage_status(opt);	/* -h, or getopt's complaint */
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr);
		return 2;
	}

	nl = mnl_socket_open(NETLINK_XFRM);
	if (!nl)
		return sys_fail("opening NETLINK_XFRM socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = sys_fail("binding NETLINK_XFRM socket");
		mnl_socket_close(nl);
		return ret;
	}
	if (wait) {
		ret = wait_counts(nl, want_in, want_out, timeout);
		mnl_socket_close(nl);
		if (ctx.match)
			regfree(&ctx.re);
		if (!ret && (fflush(stdout) == EOF || ferror(stdout)))
			return sys_fail("writing output");
		return ret;
	}
	ret = dump_spd(nl, &ctx);
	mnl_socket_close(nl);
	if (ctx.oom && !ret)
		ret = sys_fail("formatting a policy");
	if (!ret && ctx.sort) {
		qsort(ctx.lines, ctx.nlines, sizeof(*ctx.lines), cmp_line);
		for (i = 0; i < ctx.nlines; i++)
			puts(ctx.lines[i]);
	}
	for (i = 0; i < ctx.nlines; i++)
		free(ctx.lines[i]);
	free(ctx.lines);
	if (ctx.match)
		regfree(&ctx.re);
	if (ret)
		return ret;

	if (ctx.count_only)
		printf("%lu\n", ctx.count);
	if (fflush(stdout) == EOF || ferror(stdout))
		return sys_fail("writing output");
	return 0;
}
