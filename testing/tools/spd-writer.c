// SPDX-License-Identifier: GPL-2.0
/*
 * spd-writer - the userspace baseline of make bench: what an admin's script or
 * daemon does today without l2tp_ipsec. Told that a tunnel exists, it adds the
 * tunnel's two policies over XFRM netlink, as `ip xfrm policy add` would (one
 * request at a time, each acknowledged); told that it is gone, it deletes them.
 *
 *   spd-writer [-p PRIORITY] [-r REQID]
 *
 * Commands, one per stdin line:
 *	add LOCAL LPORT PEER PPORT	dir out: src LOCAL dst PEER, udp sport LPORT
 *					dport PPORT; dir in: the mirror; /32 or /128;
 *					one ESP transport template, level required
 *	del LOCAL LPORT PEER PPORT	delete those two
 *	sync				print "done adds=N dels=M failed=F" once
 *					every earlier command is done
 * The policies are those l2tp_ipsec attaches to a tunnel at its defaults (reqid 0
 * and its automatic priority for it, one less than L2TP_IPSEC_PRIORITY_FALLBACK)
 * unless -p/-r say otherwise. A failed request (EEXIST, ENOENT, ...)
 * is counted, not fatal. EOF ends it with exit status 0.
 *
 * Exit status: 0 ok, 1 netlink error, 2 bad arguments or a bad command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
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
#include <linux/l2tp_ipsec.h>

#include "common.h"

#define DEFAULT_PRIORITY	(L2TP_IPSEC_PRIORITY_FALLBACK - 1)

const char *prog = "spd-writer";

void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-p PRIORITY] [-r REQID]\n"
		"  stdin: add|del LOCAL LPORT PEER PPORT, or sync\n", prog);
}

struct writer {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq;
	uint32_t priority;
	uint32_t reqid;
	unsigned long adds, dels, failed;
};

/* One 5-tuple of a tunnel, addresses and ports as on the wire. */
struct tuple {
	int family;
	xfrm_address_t local, peer;
	uint16_t lport, pport;	/* network order */
};

static void fill_sel(struct xfrm_selector *sel, const struct tuple *t, bool out)
{
	int plen = t->family == AF_INET ? 32 : 128;

	memset(sel, 0, sizeof(*sel));
	sel->family = t->family;
	sel->proto = IPPROTO_UDP;
	sel->prefixlen_s = plen;
	sel->prefixlen_d = plen;
	sel->saddr = out ? t->local : t->peer;
	sel->daddr = out ? t->peer : t->local;
	sel->sport = out ? t->lport : t->pport;
	sel->dport = out ? t->pport : t->lport;
	sel->sport_mask = 0xffff;
	sel->dport_mask = 0xffff;
}

/* Send one request and wait for its acknowledgement: 0 or -errno. */
static int request(struct writer *a, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++a->seq;
	if (mnl_socket_sendto(a->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = mnl_socket_recvfrom(a->nl, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	ret = mnl_cb_run(buf, n, a->seq, a->portid, NULL, NULL);
	return ret < 0 ? -errno : 0;
}

static int add_one(struct writer *a, const struct tuple *t, bool out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_info *p;
	struct xfrm_user_tmpl tmpl;

	nlh->nlmsg_type = XFRM_MSG_NEWPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	p = mnl_nlmsg_put_extra_header(nlh, sizeof(*p));
	fill_sel(&p->sel, t, out);
	p->lft.soft_byte_limit = XFRM_INF;
	p->lft.hard_byte_limit = XFRM_INF;
	p->lft.soft_packet_limit = XFRM_INF;
	p->lft.hard_packet_limit = XFRM_INF;
	p->priority = a->priority;
	p->dir = out ? XFRM_POLICY_OUT : XFRM_POLICY_IN;
	p->action = XFRM_POLICY_ALLOW;
	p->share = XFRM_SHARE_ANY;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.id.proto = IPPROTO_ESP;
	tmpl.family = t->family;
	tmpl.reqid = a->reqid;
	tmpl.mode = XFRM_MODE_TRANSPORT;
	tmpl.aalgos = ~0U;
	tmpl.ealgos = ~0U;
	tmpl.calgos = ~0U;
	mnl_attr_put(nlh, XFRMA_TMPL, sizeof(tmpl), &tmpl);
	return request(a, nlh);
}

static int del_one(struct writer *a, const struct tuple *t, bool out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_id *id;

	nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	fill_sel(&id->sel, t, out);
	id->dir = out ? XFRM_POLICY_OUT : XFRM_POLICY_IN;
	return request(a, nlh);
}

static bool parse_tuple(char *args, struct tuple *t)
{
	struct sockaddr_storage l, p;
	char *local, *lport, *peer, *pport, *extra, *save;
	uint16_t lp, pp;

	local = strtok_r(args, " \t", &save);
	lport = strtok_r(NULL, " \t", &save);
	peer = strtok_r(NULL, " \t", &save);
	pport = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (!pport || extra || !parse_port(lport, &lp) || !parse_port(pport, &pp))
		return false;
	if (!parse_addr(local, lp, &l) || !parse_addr(peer, pp, &p) ||
	    l.ss_family != p.ss_family)
		return false;
	memset(t, 0, sizeof(*t));
	t->family = l.ss_family;
	if (t->family == AF_INET) {
		memcpy(&t->local.a4, &((struct sockaddr_in *)&l)->sin_addr, 4);
		memcpy(&t->peer.a4, &((struct sockaddr_in *)&p)->sin_addr, 4);
	} else {
		memcpy(&t->local.a6, &((struct sockaddr_in6 *)&l)->sin6_addr, 16);
		memcpy(&t->peer.a6, &((struct sockaddr_in6 *)&p)->sin6_addr, 16);
	}
	t->lport = htons(lp);
	t->pport = htons(pp);
	return true;
}

int main(int argc, char **argv)
{
	struct writer a = { .priority = DEFAULT_PRIORITY };
	unsigned long v;
	char *line = NULL;
	size_t cap = 0;
	int opt;

	while ((opt = getopt(argc, argv, "p:r:")) != -1) {
		switch (opt) {
		case 'p':
			if (!parse_uint(optarg, UINT32_MAX, &v))
				return bad_arg("bad priority: %s", optarg);
			a.priority = v;
			break;
		case 'r':
			if (!parse_uint(optarg, UINT32_MAX, &v))
				return bad_arg("bad reqid: %s", optarg);
			a.reqid = v;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		return bad_arg("unexpected argument: %s", argv[optind]);

	a.nl = mnl_socket_open(NETLINK_XFRM);
	if (!a.nl)
		return sys_fail("netlink socket");
	if (mnl_socket_bind(a.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return sys_fail("netlink bind");
	a.portid = mnl_socket_get_portid(a.nl);
	a.seq = time(NULL);

	while (getline(&line, &cap, stdin) > 0) {
		struct tuple t;
		char *cmd, *args;

		line[strcspn(line, "\n")] = '\0';
		cmd = line;
		args = strchr(line, ' ');
		if (args)
			*args++ = '\0';
		if (!strcmp(cmd, "sync") && !args) {
			printf("done adds=%lu dels=%lu failed=%lu\n", a.adds, a.dels, a.failed);
			fflush(stdout);
		} else if (!strcmp(cmd, "add") && args && parse_tuple(args, &t)) {
			a.failed += add_one(&a, &t, true) < 0;
			a.failed += add_one(&a, &t, false) < 0;
			a.adds++;
		} else if (!strcmp(cmd, "del") && args && parse_tuple(args, &t)) {
			a.failed += del_one(&a, &t, true) < 0;
			a.failed += del_one(&a, &t, false) < 0;
			a.dels++;
		} else {
			fprintf(stderr, "%s: bad command: %s%s%s\n", prog, cmd, args ? " " : "",
				args ? args : "");
			free(line);
			mnl_socket_close(a.nl);
			return 2;
		}
	}
	free(line);
	mnl_socket_close(a.nl);
	return 0;
}
