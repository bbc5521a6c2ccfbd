/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib: what every program of the tree needs of its process: the error message
 * of a failed call, errno names, the monotonic clock and the SIGTERM/SIGINT stop flag.
 *
 * A program using them defines prog, the prefix of every message.
 */
#ifndef _L2TPI_LIB_UTIL_H
#define _L2TPI_LIB_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Defined by the program: its name, the prefix of every message. */
extern const char *prog;

/* "prog: WHAT: strerror(errno)" to stderr; returns 1. */
int sys_fail(const char *what);

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

/* The time from now() to end in *left, as ppoll() takes it; false once end has passed. */
bool time_left(double end, struct timespec *left);

/*
 * Sleep for seconds, or until stop is set. waitmask is setup_signals()'s: ppoll()
 * unblocks SIGTERM and SIGINT atomically, so one that comes just before is not missed.
 */
void sleep_until_stop(double seconds, const sigset_t *waitmask);

/* Symbolic name of err ("EPERM"), or its number written into buf. */
const char *errno_name(int err, char *buf, size_t len);

#endif /* _L2TPI_LIB_UTIL_H */
