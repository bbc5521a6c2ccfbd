// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib: error messages, errno names, the monotonic clock and the SIGTERM/SIGINT
 * stop flag. See util.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

int sys_fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return 1;
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

bool time_left(double end, struct timespec *left)
{
	double rem = end - now();

	if (rem <= 0)
		return false;
	left->tv_sec = (time_t)rem;
	left->tv_nsec = (long)((rem - left->tv_sec) * 1e9);
	return true;
}

void sleep_until_stop(double seconds, const sigset_t *waitmask)
{
	double end = now() + seconds;
	struct timespec left;

	while (!stop && time_left(end, &left))
		ppoll(NULL, 0, &left, waitmask);
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
