// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the test tools (udp-probe, l2tp-tunnel, plain-count, l2tp-stress...):
 * error reporting, argument parsing, the SIGTERM/SIGINT stop flag, the
 * monotonic clock, errno names and a bound netlink socket.  See common.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>

#include "common.h"

int bad_arg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

int sys_fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return 1;
}

bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out <= max;
}

bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (!parse_uint(s, 65535, &v) || v == 0)
		return false;
	*port = v;
	return true;
}

bool parse_seconds(const char *s, double *out)
{
	size_t len = strlen(s);
	char *end;

	/* Plain decimal only: no sign, exponent, hex, inf or nan. */
	if (!len || strspn(s, "0123456789.") != len ||
	    strchr(s, '.') != strrchr(s, '.'))
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*out) &&
	       *out >= 0 && *out <= MAX_SECONDS;
}

socklen_t parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	char *scope;
	unsigned long idx;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return sizeof(*sin);
	}
	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	scope = strchr(buf, '%');
	if (scope)
		*scope++ = '\0';
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return 0;
	if (scope) {
		if (parse_uint(scope, UINT32_MAX, &idx))
			sin6->sin6_scope_id = idx;
		else
			sin6->sin6_scope_id = if_nametoindex(scope);
		if (!sin6->sin6_scope_id)
			return 0;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	return sizeof(*sin6);
}

volatile sig_atomic_t stop;

void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int setup_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, waitmask) < 0)
		return -1;
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	return 0;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * strerrorname_np() (glibc >= 2.32) knows every errno; the table covers the
 * ones the tools expect from sends, for C libraries without it.
 */
const char *errno_name(int err, char *buf, size_t len)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { EAGAIN, "EAGAIN" }, { ENOBUFS, "ENOBUFS" },
		{ ENOMEM, "ENOMEM" }, { EINVAL, "EINVAL" }, { EMSGSIZE, "EMSGSIZE" },
		{ ENOTCONN, "ENOTCONN" }, { ECONNREFUSED, "ECONNREFUSED" },
		{ EHOSTUNREACH, "EHOSTUNREACH" }, { ENETUNREACH, "ENETUNREACH" },
		{ EBADF, "EBADF" }, { EIO, "EIO" },
	};
	const char *name = NULL;
	size_t i;

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	name = strerrorname_np(err);
#endif
	for (i = 0; !name && i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			name = names[i].name;
	if (name)
		return name;
	snprintf(buf, len, "%d", err);
	return buf;
}

struct mnl_socket *nl_socket(int bus, int timeout_s)
{
	struct timeval tv = { .tv_sec = timeout_s };
	struct mnl_socket *sock = mnl_socket_open(bus);

	if (!sock)
		return NULL;
	if (setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(sock);
		return NULL;
	}
	return sock;
}
