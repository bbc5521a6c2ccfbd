/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the test programs (udp-probe, l2tp-tunnel, plain-count, l2tp-stress...;
 * common.c): the usage errors, parsing of seconds and addresses, a bound netlink socket.
 * What the product shares with them is in tools/lib/ (util.h, opt.h), included here.
 *
 * A program using them defines prog and usage(), which the error helpers use.
 */
#ifndef _L2TPI_TOOLS_COMMON_H
#define _L2TPI_TOOLS_COMMON_H

#include <stdio.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/opt.h"
#include "lib/util.h"

struct mnl_socket;

/* Upper bound for a SECONDS argument. */
#define MAX_SECONDS		1e6

/* Defined by the program: print the usage text to f. */
void usage(FILE *f);

/* "prog: MESSAGE" and the usage text to stderr; returns 2 (bad arguments). */
__attribute__((format(printf, 1, 2)))
int bad_arg(const char *fmt, ...);

/*
 * What a getopt_long() loop with opterr = 0 and ':' first in its option string leaves
 * to its default case: ':' an option without its argument, anything else an unknown
 * option (by its letter, or as written for a long one). Returns 2, as bad_arg().
 */
int bad_option(int opt, char *const *argv);

/*
 * The end of a getopt() loop that lets getopt print its complaints: 'h' shows the
 * usage on stdout and returns 0, anything else left to the default case shows it on
 * stderr and returns 2: the exit status.
 */
int usage_status(int opt);

/*
 * Non-negative plain decimal number of seconds, fractions allowed (no sign,
 * exponent, hex, inf or nan), at most MAX_SECONDS.
 */
bool parse_seconds(const char *s, double *out);

/*
 * IPv4 or IPv6 literal (IPv6 may carry a %IFNAME or %INDEX scope) into
 * a sockaddr with the given port.  Returns the sockaddr length, 0 if bad.
 */
socklen_t parse_addr(const char *s, uint16_t port, struct sockaddr_storage *ss);

/*
 * A netlink socket of bus (NETLINK_GENERIC, NETLINK_XFRM...), bound, whose receives
 * give up after timeout_s seconds (EAGAIN); NULL with errno set.
 */
struct mnl_socket *nl_socket(int bus, int timeout_s);

#endif /* _L2TPI_TOOLS_COMMON_H */
