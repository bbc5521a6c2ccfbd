// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec - control utility of the l2tp_ipsec module (generic netlink family
 * "l2tp_ipsec", see netlink/l2tp_ipsec.yaml and tools/l2tp-ipsec/l2tp-ipsec.8).
 *
 *   l2tp-ipsec [-j] [-p] [-n NETNS] OBJECT COMMAND [ARGS]
 *
 * The arguments are checked in full before anything is opened or sent.
 * Exit status: 0 ok, 1 kernel or system error, 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/l2tp_ipsec.h>

#include "lib/util.h"
#include "l2tp-ipsec.h"

#define NETNS_RUN_DIR	"/run/netns"

/* Like ip -n: join the network namespace that ip netns add NAME created. */
static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open network namespace \"%s\": %s\n",
			prog, name, strerror(errno));
		return LIPSEC_EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "%s: cannot enter network namespace \"%s\": %s%s\n",
			prog, name, strerror(errno),
			errno == EPERM ? " (CAP_SYS_ADMIN is needed)" : "");
		close(fd);
		return LIPSEC_EXIT_FAIL;
	}
	close(fd);
	return LIPSEC_EXIT_OK;
}

/* l2tp-ipsec show: the four dumps, then the view (nothing printed on an error). */
static int show_all(struct lipsec_nl *nl, const struct lipsec_fmt *fmt)
{
	static const uint8_t cmds[4] = {
		L2TP_IPSEC_CMD_CONFIG_GET, L2TP_IPSEC_CMD_CLIENT_GET,
		L2TP_IPSEC_CMD_TUNNEL_GET, L2TP_IPSEC_CMD_POLICY_GET,
	};
	struct lipsec_buf bufs[4] = { { 0 } };
	int rc = LIPSEC_EXIT_OK;
	size_t i;

	for (i = 0; i < 4 && !rc; i++)
		rc = lipsec_nl_dump(nl, "show", cmds[i], &bufs[i]);
	if (!rc)
		lipsec_print_view(fmt, &bufs[0], &bufs[1], &bufs[2], &bufs[3]);
	for (i = 0; i < 4; i++)
		lipsec_buf_free(&bufs[i]);
	return rc;
}

/* The first message of a dump of @cmd, parsed into @m. */
static int dump_first(struct lipsec_nl *nl, const char *what, uint8_t cmd,
		      struct lipsec_msg *m)
{
	struct lipsec_buf msgs = { 0 };
	const struct nlmsghdr *nlh;
	int rc;

	rc = lipsec_nl_dump(nl, what, cmd, &msgs);
	nlh = rc ? NULL : lipsec_buf_next(&msgs, NULL);
	if (!rc && (!nlh || lipsec_msg_parse(nlh, m))) {
		fprintf(stderr, "%s: %s: no reply from the kernel\n", prog, what);
		rc = LIPSEC_EXIT_FAIL;
	}
	lipsec_buf_free(&msgs);
	return rc;
}

static bool same_addr(const struct lipsec_addr *a, const struct lipsec_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET ? a->v4.s_addr == b->v4.s_addr :
				      !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

/*
 * Copy the reply about the connection to @server from @sport out of @msgs into @one.
 * Returns how many of its SAs (out, in) are present, or -1 when it is not there.
 */
static int find_client(const struct lipsec_buf *msgs, const struct lipsec_addr *server,
		       uint16_t sport, struct lipsec_buf *one)
{
	const struct nlmsghdr *nlh = NULL;
	struct lipsec_msg m;
	unsigned int i;
	int n;

	while ((nlh = lipsec_buf_next(msgs, nlh))) {
		if (lipsec_msg_parse(nlh, &m) || !same_addr(&m.client.server, server) ||
		    m.client.sport != sport)
			continue;
		for (i = n = 0; i < m.client.n_sa && i < LIPSEC_MAX_SA; i++)
			n += m.client.sa[i].state == L2TP_IPSEC_SA_STATE_PRESENT;
		return lipsec_buf_add(one, nlh) ? -1 : n;
	}
	return -1;
}

/*
 * client negotiate: ask for the connection's SAs, then look at the connection every
 * 100 ms until both of its SAs are present (printed as client show prints them) or
 * the timeout has passed (exit 1, naming IKE and the reqid of the acquire).
 */
static int negotiate(struct lipsec_nl *nl, const struct lipsec_req *req,
		     const struct lipsec_fmt *fmt)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };
	char buf[LIPSEC_MSG_BUF], addr[INET6_ADDRSTRLEN];
	const struct lipsec_client *c = &req->client;
	struct lipsec_buf msgs, one;
	double t0 = now(), end = t0 + req->timeout;
	struct lipsec_msg cfg;
	uint16_t sport;
	int rc, n;

	rc = dump_first(nl, req->what, L2TP_IPSEC_CMD_CONFIG_GET, &cfg);
	if (rc)
		return rc;
	sport = LIPSEC_HAS(c, L2TP_IPSEC_A_CLIENT_SPORT) ? c->sport : cfg.config.port;
	rc = lipsec_nl_do(nl, req->what, lipsec_build_request(buf, req, nl->family, ++nl->seq));
	if (rc)
		return rc;
	inet_ntop(c->server.family, &c->server.v6, addr, sizeof(addr));
	for (;;) {
		msgs = (struct lipsec_buf) { 0 };
		one = (struct lipsec_buf) { 0 };
		rc = lipsec_nl_dump(nl, req->what, L2TP_IPSEC_CMD_CLIENT_GET, &msgs);
		n = rc ? -1 : find_client(&msgs, &c->server, sport, &one);
		lipsec_buf_free(&msgs);
		if (rc || n < 0 || n == 2 || now() >= end)
			break;
		lipsec_buf_free(&one);
		nanosleep(&tick, NULL);
	}
	if (!rc && n < 0) {
		fprintf(stderr, "%s: %s: the connection to %s went away\n", prog, req->what, addr);
		rc = LIPSEC_EXIT_FAIL;
	} else if (!rc && n < 2) {
		fprintf(stderr,
			"%s: %s: no SA with %s after %u s: IKE negotiated none for the acquire "
			"(reqid %u, udp sport %u to port %u). Is the IKE daemon up, with a "
			"connection or trap for it?\n", prog, req->what, addr, req->timeout,
			cfg.config.reqid, sport, cfg.config.port);
		rc = LIPSEC_EXIT_FAIL;
	} else if (!rc) {
		if (!fmt->json)
			fprintf(fmt->f, "SAs with %s up after %.3f s\n", addr, now() - t0);
		lipsec_print_dump(fmt, LIPSEC_CLIENT_SHOW, &one);
	}
	lipsec_buf_free(&one);
	return rc;
}

static int run(struct lipsec_nl *nl, const struct lipsec_req *req,
	       const struct lipsec_fmt *fmt)
{
	char buf[LIPSEC_MSG_BUF];
	struct lipsec_buf msgs = { 0 };
	int rc;

	switch (req->action) {
	case LIPSEC_SHOW_ALL:
		return show_all(nl, fmt);
	case LIPSEC_CONFIG_SHOW:
	case LIPSEC_CLIENT_SHOW:
	case LIPSEC_TUNNEL_SHOW:
	case LIPSEC_POLICY_SHOW:
		rc = lipsec_nl_dump(nl, req->what, lipsec_req_cmd(req), &msgs);
		if (!rc)
			lipsec_print_dump(fmt, req->action, &msgs);
		lipsec_buf_free(&msgs);
		return rc;
	case LIPSEC_CONFIG_SET:
	case LIPSEC_CLIENT_ADD:
	case LIPSEC_CLIENT_DEL:
		return lipsec_nl_do(nl, req->what,
				    lipsec_build_request(buf, req, nl->family, ++nl->seq));
	case LIPSEC_CLIENT_NEGOTIATE:
		return negotiate(nl, req, fmt);
	case LIPSEC_MONITOR:
		return lipsec_nl_monitor(nl, fmt);
	default:
		return LIPSEC_EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	struct lipsec_fmt fmt = { .f = stdout };
	char err[LIPSEC_ERR_LEN];
	struct lipsec_req req;
	struct lipsec_nl nl;
	int rc;

	rc = lipsec_parse_args(argc, argv, &req, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return rc;
	}
	if (req.action == LIPSEC_HELP) {
		lipsec_usage(stdout, req.help);
		return LIPSEC_EXIT_OK;
	}
	if (req.action == LIPSEC_VERSION) {
		printf("%s: generic netlink family %s version %d\n", prog,
		       L2TP_IPSEC_GENL_NAME, L2TP_IPSEC_GENL_VERSION);
		return LIPSEC_EXIT_OK;
	}
	fmt.json = req.json;
	fmt.pretty = req.pretty;
	/* A test reads events through a pipe as they come. */
	if (req.action == LIPSEC_MONITOR)
		setvbuf(stdout, NULL, _IOLBF, 0);
	if (req.netns) {
		rc = enter_netns(req.netns);
		if (rc)
			return rc;
	}
	rc = lipsec_nl_open(&nl);
	if (!rc)
		rc = run(&nl, &req, &fmt);
	lipsec_nl_close(&nl);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
		return LIPSEC_EXIT_FAIL;
	}
	return rc;
}
