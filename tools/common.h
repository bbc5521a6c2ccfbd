/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the test tools udp-probe, l2tp-tunnel and plain-count
 * (tools/common.c): error reporting, strict parsing of numbers, ports,
 * seconds and addresses, the SIGTERM/SIGINT stop flag, the monotonic clock
 * and errno names.
 *
 * A tool using them defines prog and usage(), which the error helpers use.
 */
#ifndef _L2TPI_TOOLS_COMMON_H
#define _L2TPI_TOOLS_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

struct mnl_socket;

/* Upper bound for a SECONDS argument. */
#define MAX_SECONDS		1e6

/* Defined by the tool: its name, the prefix of every message. */
extern const char *prog;

/* Defined by the tool: print the usage text to f. */
void usage(FILE *f);

/* "prog: MESSAGE" and the usage text to stderr; returns 2 (bad arguments). */
__attribute__((format(printf, 1, 2)))
int bad_arg(const char *fmt, ...);

/* "prog: WHAT: strerror(errno)" to stderr; returns 1. */
int sys_fail(const char *what);

/* Strict unsigned decimal: digits only, no sign, no spaces, <= max. */
bool parse_uint(const char *s, unsigned long max, unsigned long *out);

/* A port number, 1-65535. */
bool parse_port(const char *s, uint16_t *port);

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

/* Set to 1 by on_stop(), the SIGTERM/SIGINT handler. */
extern volatile sig_atomic_t stop;
void on_stop(int sig);

/*
 * Block SIGTERM and SIGINT and install on_stop() for them (no SA_RESTART).
 * *waitmask gets the previous mask without them: pass it to ppoll() so that
 * they are only delivered while waiting and cannot be missed.
 * Returns 0, or -1 with errno set.
 */
int setup_signals(sigset_t *waitmask);

/* CLOCK_MONOTONIC in seconds. */
double now(void);

/* Symbolic name of err ("EPERM"), or its number written into buf. */
const char *errno_name(int err, char *buf, size_t len);

/*
 * A netlink socket of bus (NETLINK_GENERIC, NETLINK_XFRM...), bound, whose receives
 * give up after timeout_s seconds (EAGAIN); NULL with errno set.
 */
struct mnl_socket *nl_socket(int bus, int timeout_s);

#endif /* _L2TPI_TOOLS_COMMON_H */
