// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec - control utility of the l2tp_ipsec module (generic netlink family
 * "l2tp_ipsec", see include/uapi/linux/l2tp_ipsec.h and tools/l2tp-ipsec.8).
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
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/l2tp_ipsec.h>

#include "common.h"
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
