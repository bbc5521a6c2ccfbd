// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the test programs (udp-probe, l2tp-tunnel, plain-count, l2tp-stress...):
 * the usage errors, parsing of seconds and addresses, a bound netlink socket. See common.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

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

int bad_option(int opt, char *const *argv)
{
	if (opt == ':')
		return bad_arg("option -%c needs an argument", optopt);
	if (optopt)
		return bad_arg("unknown option -%c", optopt);
	return bad_arg("unknown option '%s'", argv[optind - 1]);
}

int usage_status(int opt)
{
	usage(opt == 'h' ? stdout : stderr);
	return opt == 'h' ? 0 : 2;
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
