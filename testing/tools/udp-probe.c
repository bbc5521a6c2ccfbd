// SPDX-License-Identifier: GPL-2.0
/*
 * udp-probe - test helper: send or count UDP datagrams, so test scripts can
 * check whether traffic gets through (or is stopped by) xfrm policies.
 *
 *   udp-probe recv [-6] [-a ADDR] PORT SECONDS
 *	Bind to PORT, count datagrams for SECONDS after the bind and print
 *	"received=N".  "ready" goes to stderr once the socket is bound.
 *   udp-probe send [-s SPORT] [-m MARK] [-i INTERVAL_MS] [-R N] ADDR PORT COUNT
 *	Send COUNT 12-byte datagrams (from a socket with SO_MARK MARK if given,
 *	decimal or 0x hex; with -R, to N consecutive IPv4 addresses from ADDR on,
 *	in turn: a route lookup each) and print "sent=N failed=M", plus
 *	"errno=NAME" of the last failure if there was one.  Send failures
 *	(e.g. EPERM from a block policy) are results, not errors: exit 0.
 *
 * Exit status: 0 ok, 1 socket error, 2 bad arguments.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common.h"

#define PAYLOAD_LEN		12
#define DEFAULT_INTERVAL_MS	10

const char *prog = "udp-probe";

static const struct option help_opt[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s recv [-6] [-a ADDR] PORT SECONDS\n"
		"       %s send [-s SPORT] [-m MARK] [-i INTERVAL_MS] [-R N] ADDR PORT COUNT\n"
		"       %s -h | --help\n"
		"recv: bind a UDP socket to PORT on the IPv4 wildcard (IPv6-only wildcard\n"
		"      with -6, or ADDR with -a), write \"ready\" to stderr, count the\n"
		"      datagrams received until SECONDS (fractional ok) have passed since\n"
		"      the bind (or until SIGTERM/SIGINT), then print \"received=N\".\n"
		"send: send COUNT 12-byte datagrams to ADDR:PORT (IPv4 or IPv6 literal),\n"
		"      INTERVAL_MS apart (default %d), from source port SPORT if given,\n"
		"      with socket mark MARK (SO_MARK, decimal or 0x hex) if given;\n"
		"      with -R N, to N consecutive IPv4 addresses from ADDR on, in turn;\n"
		"      print \"sent=N failed=M\" plus \" errno=NAME\" of the last failure.\n"
		"Exit status: 0 ok (whatever the sends did), 1 socket error, 2 bad arguments.\n",
		prog, prog, prog, DEFAULT_INTERVAL_MS);
}

/* A u32 in decimal, or in hex after "0x". */
static bool parse_mark(const char *s, unsigned long *out)
{
	int base = 10;
	char *end;

	if (!strncmp(s, "0x", 2)) {
		s += 2;
		base = 16;
	}
	if (!isxdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoul(s, &end, base);
	return !errno && !*end && *out <= UINT32_MAX;
}

static int udp_socket(int family)
{
	int one = 1;
	int fd;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read everything queued; returns false on a real socket error. */
static bool drain(int fd, unsigned long *count)
{
	static char buf[65536];

	for (;;) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
			(*count)++;
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return true;
		if (errno != EINTR)
			return false;
	}
}

static int recv_loop(int fd, double seconds)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec left;
	unsigned long count = 0;
	double end;

	struct sigaction sa = { .sa_handler = on_stop };

	/*
	 * SIGTERM/SIGINT set stop: stop waiting, report what was received so
	 * far.  No SA_RESTART: the signal interrupts ppoll().
	 */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		return sys_fail("sigaction");
	end = now() + seconds;
	fputs("ready\n", stderr);
	fflush(stderr);

	while (!stop && time_left(end, &left)) {
		if (ppoll(&pfd, 1, &left, NULL) < 0) {
			if (errno == EINTR)
				continue;
			return sys_fail("poll");
		}
		if (pfd.revents && !drain(fd, &count))
			return sys_fail("recv");
	}
	if (!drain(fd, &count))
		return sys_fail("recv");
	printf("received=%lu\n", count);
	return fflush(stdout) ? sys_fail("writing output") : 0;
}

static int cmd_recv(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	const char *addr = NULL;
	bool v6 = false;
	uint16_t port;
	double seconds;
	char *end;
	int opt, fd, one = 1, ret;

	while ((opt = getopt_long(argc, argv, "+:6a:h", help_opt, NULL)) != -1) {
		switch (opt) {
		case '6':
			v6 = true;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return bad_arg("recv: option -%c needs an argument", optopt);
		default:
			return bad_arg("recv: unknown option -%c", optopt);
		}
	}
	if (argc - optind != 2)
		return bad_arg("recv: expected PORT SECONDS");
	if (!parse_port(argv[optind], &port))
		return bad_arg("recv: bad PORT '%s' (want 1-65535)", argv[optind]);
	errno = 0;
	seconds = strtod(argv[optind + 1], &end);
	if (errno || end == argv[optind + 1] || *end || !isfinite(seconds) ||
	    seconds < 0 || seconds > MAX_SECONDS)
		return bad_arg("recv: bad SECONDS '%s'", argv[optind + 1]);

	if (addr) {
		sslen = parse_addr(addr, port, &ss);
		if (!sslen)
			return bad_arg("recv: bad ADDR '%s'", addr);
		if (v6 && ss.ss_family != AF_INET6)
			return bad_arg("recv: -6 given but ADDR '%s' is IPv4", addr);
	} else {
		sslen = parse_addr(v6 ? "::" : "0.0.0.0", port, &ss);
	}

	fd = udp_socket(ss.ss_family);
	if (fd < 0)
		return sys_fail("socket");
	/* The IPv6 wildcard should not also catch IPv4 (v4-mapped) traffic. */
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr) &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) {
		close(fd);
		return sys_fail("setsockopt IPV6_V6ONLY");
	}
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
		close(fd);
		return sys_fail("bind");
	}
	ret = recv_loop(fd, seconds);
	close(fd);
	return ret;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int send_loop(int fd, struct sockaddr_storage *dst, socklen_t dstlen,
		     unsigned long count, unsigned long interval_ms, unsigned long rotate)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)dst;
	unsigned char payload[PAYLOAD_LEN] = "udpprobe";
	unsigned long i, sent = 0, failed = 0;
	uint32_t base = ntohl(sin->sin_addr.s_addr);
	int last_err = 0;
	char buf[16];

	for (i = 0; i < count; i++) {
		if (i && interval_ms)
			sleep_ms(interval_ms);
		if (rotate > 1)
			sin->sin_addr.s_addr = htonl(base + i % rotate);
		payload[8] = i >> 24;
		payload[9] = i >> 16;
		payload[10] = i >> 8;
		payload[11] = i;
		if (sendto(fd, payload, sizeof(payload), 0,
			   (const struct sockaddr *)dst, dstlen) == sizeof(payload)) {
			sent++;
		} else {
			failed++;
			last_err = errno;
		}
	}
	printf("sent=%lu failed=%lu", sent, failed);
	if (failed)
		printf(" errno=%s", errno_name(last_err, buf, sizeof(buf)));
	putchar('\n');
	return fflush(stdout) ? sys_fail("writing output") : 0;
}

static int cmd_send(int argc, char **argv)
{
	unsigned long interval_ms = DEFAULT_INTERVAL_MS, count, rotate = 1;
	struct sockaddr_storage dst, src;
	socklen_t dstlen, srclen;
	unsigned long mark = 0;
	uint16_t port, sport = 0;
	bool marked = false;
	int opt, fd, ret;

	while ((opt = getopt_long(argc, argv, "+:s:m:i:R:h", help_opt, NULL)) != -1) {
		switch (opt) {
		case 'R':
			if (!parse_uint(optarg, 65536, &rotate) || !rotate)
				return bad_arg("send: bad N '%s' for -R (want 1-65536)", optarg);
			break;
		case 's':
			if (!parse_port(optarg, &sport))
				return bad_arg("send: bad SPORT '%s' (want 1-65535)",
					       optarg);
			break;
		case 'm':
			if (!parse_mark(optarg, &mark))
				return bad_arg("send: bad MARK '%s' (want 0-0xffffffff)", optarg);
			marked = true;
			break;
		case 'i':
			if (!parse_uint(optarg, 3600000, &interval_ms))
				return bad_arg("send: bad INTERVAL_MS '%s'", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return bad_arg("send: option -%c needs an argument", optopt);
		default:
			return bad_arg("send: unknown option -%c", optopt);
		}
	}
	if (argc - optind != 3)
		return bad_arg("send: expected ADDR PORT COUNT");
	if (!parse_port(argv[optind + 1], &port))
		return bad_arg("send: bad PORT '%s' (want 1-65535)", argv[optind + 1]);
	if (!parse_uint(argv[optind + 2], UINT32_MAX, &count))
		return bad_arg("send: bad COUNT '%s'", argv[optind + 2]);
	dstlen = parse_addr(argv[optind], port, &dst);
	if (!dstlen)
		return bad_arg("send: bad ADDR '%s'", argv[optind]);
	if (rotate > 1 && dst.ss_family != AF_INET)
		return bad_arg("send: -R needs an IPv4 ADDR");

	fd = udp_socket(dst.ss_family);
	if (fd < 0)
		return sys_fail("socket");
	if (marked) {
		unsigned int m = mark;

		if (setsockopt(fd, SOL_SOCKET, SO_MARK, &m, sizeof(m)) < 0) {
			close(fd);
			return sys_fail("setsockopt(SO_MARK)");
		}
	}
	if (sport) {
		srclen = parse_addr(dst.ss_family == AF_INET6 ? "::" : "0.0.0.0",
				    sport, &src);
		if (bind(fd, (struct sockaddr *)&src, srclen) < 0) {
			close(fd);
			return sys_fail("bind to SPORT");
		}
	}
	ret = send_loop(fd, &dst, dstlen, count, interval_ms, rotate);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return bad_arg("missing command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	opterr = 0;
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	return bad_arg("unknown command '%s'", argv[1]);
}
