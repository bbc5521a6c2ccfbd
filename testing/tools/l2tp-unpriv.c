// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-unpriv - test helper: hand a UDP socket to a PPPoL2TP tunnel connect, as any
 * local user can (PPPoL2TP needs no capability), with the socket in the state a
 * careless or hostile program leaves it in.
 *
 *   l2tp-unpriv [-t TID] [-h HOLD_SECONDS] MODE LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT
 *
 * IPv4. MODE:
 *	unbound		the UDP socket is neither bound nor connected
 *	bound		bound to LOCAL_ADDR:LOCAL_PORT (SO_REUSEADDR), not connected
 *	connected	bound, and connected to PEER_ADDR:PEER_PORT
 *	reuse=N		a bound and connected socket handed to N PPPoL2TP connects of
 *			a PPPoX socket that is already connected (through a second
 *			UDP socket on LOCAL_PORT + 1): each creates and registers a
 *			tunnel on it, fails with EBUSY, and l2tp deletes that tunnel
 * The tunnel gets id TID (default 100; reuse: TID + 1 + i), peer tunnel id TID +
 * 1000, session 0. Prints "tunnel=ok" or "tunnel=ERRNO" (reuse: "busy=N other=M"),
 * writes "ready" to stderr, holds the sockets open for HOLD_SECONDS (default 0;
 * SIGTERM ends the hold), closes them and prints "closed".
 *
 * Exit status: 0 ok (a refused connect is a result), 1 socket error, 2 bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

const char *prog = "l2tp-unpriv";

void usage(FILE *f)
{
	fputs("Usage: l2tp-unpriv [-t TID] [-h HOLD_SECONDS] unbound|bound|connected|reuse=N\n"
	      "                   LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT\n", f);
}

static int udp_socket(const struct sockaddr_in *local, const struct sockaddr_in *peer)
{
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (local && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		      bind(fd, (const struct sockaddr *)local, sizeof(*local)) < 0))
		return -1;
	if (peer && connect(fd, (const struct sockaddr *)peer, sizeof(*peer)) < 0)
		return -1;
	return fd;
}

/* PPPoL2TP tunnel socket @pppox (or a new one: -1) connected with UDP socket @udp. */
static int pppol2tp_connect(int pppox, int udp, const struct sockaddr_in *peer,
			    unsigned int tid, int *err)
{
	struct sockaddr_pppol2tp sa = {
		.sa_family = AF_PPPOX,
		.sa_protocol = PX_PROTO_OL2TP,
		.pppol2tp = {
			.fd = udp,
			.addr = *peer,
			.s_tunnel = tid,
			.d_tunnel = tid + 1000,
		},
	};

	if (pppox < 0)
		pppox = socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP);
	if (pppox < 0)
		return -1;
	*err = connect(pppox, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? errno : 0;
	return pppox;
}

int main(int argc, char **argv)
{
	unsigned long tid = 100, n = 0, i, busy = 0, other = 0;
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct sockaddr_in peer = { .sin_family = AF_INET };
	struct sockaddr_in local2;
	char ebuf[16];
	uint16_t lport, pport;
	double hold_s = 0;
	sigset_t waitmask;
	int udp, udp2 = -1, pppox, err, c;
	const char *mode;

	while ((c = getopt(argc, argv, "t:h:")) != -1) {
		switch (c) {
		case 't':
			if (!parse_uint(optarg, 60000, &tid) || !tid)
				return bad_arg("bad tunnel id: %s", optarg);
			break;
		case 'h':
			if (!parse_seconds(optarg, &hold_s))
				return bad_arg("bad hold time: %s", optarg);
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 5)
		return bad_arg("expected MODE LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT");
	mode = argv[optind];
	if (inet_pton(AF_INET, argv[optind + 1], &local.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[optind + 3], &peer.sin_addr) != 1)
		return bad_arg("bad IPv4 address");
	if (!parse_port(argv[optind + 2], &lport) || lport == 65535 ||
	    !parse_port(argv[optind + 4], &pport))
		return bad_arg("bad port");
	local.sin_port = htons(lport);
	peer.sin_port = htons(pport);
	if (!strncmp(mode, "reuse=", 6) && (!parse_uint(mode + 6, 5000, &n) || !n))
		return bad_arg("bad count: %s", mode);
	if (!n && strcmp(mode, "unbound") && strcmp(mode, "bound") && strcmp(mode, "connected"))
		return bad_arg("bad mode: %s", mode);
	if (setup_signals(&waitmask) < 0)
		return sys_fail("signals");

	if (!strcmp(mode, "unbound"))
		udp = udp_socket(NULL, NULL);
	else if (!strcmp(mode, "bound"))
		udp = udp_socket(&local, NULL);
	else
		udp = udp_socket(&local, &peer);
	if (udp < 0)
		return sys_fail("UDP socket");
	if (!n) {
		pppox = pppol2tp_connect(-1, udp, &peer, tid, &err);
		if (pppox < 0)
			return sys_fail("PPPoL2TP socket");
		printf("tunnel=%s\n", err ? errno_name(err, ebuf, sizeof(ebuf)) : "ok");
	} else {
		local2 = local;
		local2.sin_port = htons(ntohs(local.sin_port) + 1);
		udp2 = udp_socket(&local2, &peer);
		if (udp2 < 0)
			return sys_fail("second UDP socket");
		pppox = pppol2tp_connect(-1, udp2, &peer, tid, &err);
		if (pppox < 0 || err)
			return sys_fail("PPPoL2TP connect");
		for (i = 0; i < n; i++) {
			pppol2tp_connect(pppox, udp, &peer, tid + 1 + i, &err);
			if (err == EBUSY)
				busy++;
			else
				other++;
		}
		printf("busy=%lu other=%lu\n", busy, other);
	}
	fflush(stdout);
	fputs("ready\n", stderr);
	sleep_until_stop(hold_s, &waitmask);
	close(pppox);
	if (udp2 >= 0)
		close(udp2);
	close(udp);
	puts("closed");
	return 0;
}
