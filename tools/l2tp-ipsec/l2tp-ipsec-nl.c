// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-ipsec: the generic netlink socket. Looks the l2tp_ipsec family (and its
 * "events" group) up through nlctrl (tools/lib/genl.c), runs dumps and do requests,
 * and prints events.
 * Extended ACKs are on (NETLINK_EXT_ACK), so a refusal says why; the kernel does not
 * echo requests back in errors (NETLINK_CAP_ACK). Every failure is reported here, on
 * stderr; the functions return the exit status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/l2tp_ipsec.h>

#include "lib/genl.h"
#include "lib/util.h"
#include "l2tp-ipsec.h"

/* A dump that the kernel reports interrupted (NLM_F_DUMP_INTR) is run again. */
#define DUMP_TRIES	5

/* Socket buffer for the event stream: bursts (1,000 tunnels) should not overrun. */
#define MONITOR_RCVBUF	(4 << 20)

static void report(const char *what, const struct lipsec_nlerr *e)
{
	char buf[LIPSEC_ERR_LEN + 128];

	lipsec_format_nlerr(buf, sizeof(buf), what, e);
	fprintf(stderr, "%s: %s\n", prog, buf);
}

/*
 * Send req and collect the replies of type family into c->msgs. Returns
 * LIPSEC_FEED_DONE or LIPSEC_FEED_ERR (c->err set, also for socket errors).
 */
static int transact(struct lipsec_nl *nl, const struct nlmsghdr *req, uint16_t family,
		    struct lipsec_collect *c)
{
	ssize_t len;
	int rc;

	memset(c, 0, sizeof(*c));
	c->family = family;
	c->seq = req->nlmsg_seq;
	c->portid = mnl_socket_get_portid(nl->sock);
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		c->err.err = errno;
		return LIPSEC_FEED_ERR;
	}
	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, LIPSEC_RECV_BUF);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			c->err.err = errno;
			return LIPSEC_FEED_ERR;
		}
		rc = lipsec_collect_feed(c, nl->buf, len);
	} while (rc == LIPSEC_FEED_MORE);
	return rc;
}

static int lookup_family(struct lipsec_nl *nl)
{
	struct lipsec_nlerr e = { 0 };
	int ret;

	ret = genl_resolve(nl->sock, ++nl->seq, L2TP_IPSEC_GENL_NAME, L2TP_IPSEC_MCGRP_EVENTS,
			   &nl->family, &nl->events);
	if (!ret)
		return LIPSEC_EXIT_OK;
	if (ret == -ENOENT) {
		fprintf(stderr, "%s: the %s generic netlink family is not available "
			"(is the l2tp_ipsec module loaded?)\n", prog, L2TP_IPSEC_GENL_NAME);
	} else if (ret == -EBADMSG) {
		fprintf(stderr, "%s: looking up the %s family: malformed nlctrl reply\n",
			prog, L2TP_IPSEC_GENL_NAME);
	} else {
		e.err = -ret;
		report("looking up the " L2TP_IPSEC_GENL_NAME " family", &e);
	}
	return LIPSEC_EXIT_FAIL;
}

int lipsec_nl_open(struct lipsec_nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
	nl->buf = malloc(LIPSEC_RECV_BUF);
	if (!nl->buf)
		return sys_fail("malloc");
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return sys_fail("generic netlink socket");
	/* Both are optional: without them errors are just less helpful. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return sys_fail("generic netlink bind");
	return lookup_family(nl);
}

void lipsec_nl_close(struct lipsec_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
}

int lipsec_nl_dump(struct lipsec_nl *nl, const char *what, uint8_t cmd,
		   struct lipsec_buf *msgs)
{
	char req[LIPSEC_MSG_BUF];
	struct lipsec_collect c;
	int try;

	for (try = 1;; try++) {
		lipsec_build_dump(req, nl->family, cmd, ++nl->seq);
		if (transact(nl, (struct nlmsghdr *)req, nl->family, &c) != LIPSEC_FEED_DONE) {
			lipsec_buf_free(&c.msgs);
			report(what, &c.err);
			return LIPSEC_EXIT_FAIL;
		}
		if (!c.intr || try == DUMP_TRIES)
			break;
		lipsec_buf_free(&c.msgs);
	}
	if (c.intr)
		fprintf(stderr, "%s: %s: the dump was interrupted %d times by changes and may be inconsistent\n",
			prog, what, DUMP_TRIES);
	*msgs = c.msgs;
	return LIPSEC_EXIT_OK;
}

int lipsec_nl_do(struct lipsec_nl *nl, const char *what, const struct nlmsghdr *req)
{
	struct lipsec_collect c;
	int rc;

	rc = transact(nl, req, nl->family, &c);
	lipsec_buf_free(&c.msgs);
	if (rc != LIPSEC_FEED_DONE) {
		report(what, &c.err);
		return LIPSEC_EXIT_FAIL;
	}
	return LIPSEC_EXIT_OK;
}

int lipsec_nl_monitor(struct lipsec_nl *nl, const struct lipsec_fmt *fmt)
{
	int fd = mnl_socket_get_fd(nl->sock);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const struct nlmsghdr *nlh;
	int size = MONITOR_RCVBUF;
	struct lipsec_nlerr e;
	sigset_t waitmask;
	ssize_t len;
	int rem;

	if (!nl->events) {
		fprintf(stderr, "%s: monitor: the %s family has no \"%s\" multicast group\n",
			prog, L2TP_IPSEC_GENL_NAME, L2TP_IPSEC_MCGRP_EVENTS);
		return LIPSEC_EXIT_FAIL;
	}
	if (setup_signals(&waitmask))
		return sys_fail("monitor: signals");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &nl->events,
				  sizeof(nl->events)) < 0) {
		memset(&e, 0, sizeof(e));
		e.err = errno;
		report("monitor: joining the events group", &e);
		return LIPSEC_EXIT_FAIL;
	}
	while (!stop) {
		if (ppoll(&pfd, 1, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return sys_fail("monitor: poll");
		}
		len = recv(fd, nl->buf, LIPSEC_RECV_BUF, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, "%s: monitor: events were lost (receive buffer overrun)\n",
					prog);
				continue;
			}
			return sys_fail("monitor: receive");
		}
		rem = len;
		for (nlh = (struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, rem);
		     nlh = mnl_nlmsg_next(nlh, &rem))
			if (nlh->nlmsg_type == nl->family)
				lipsec_print_event(fmt, nlh);
		fflush(fmt->f);
		if (ferror(fmt->f)) {
			fprintf(stderr, "%s: monitor: write error\n", prog);
			return LIPSEC_EXIT_FAIL;
		}
	}
	return LIPSEC_EXIT_OK;
}
