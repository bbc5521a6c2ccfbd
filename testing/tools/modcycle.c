// SPDX-License-Identifier: GPL-2.0
/*
 * modcycle: load and unload a kernel module N times in one process, checking the
 * number of xfrm policies in the SPD while it is loaded and after each unload.
 *
 *   modcycle -n N -l LOADED -u UNLOADED [-p PARAMS] KO NAME
 *
 * Each cycle: finit_module(KO, PARAMS); count the policies (an XFRM_MSG_GETPOLICY
 * dump, socket policies included, as xfrm-spd -c counts them) and compare with
 * LOADED; delete_module(NAME); count and compare with UNLOADED. Prints one line per
 * failed check and a summary "cycles N failed F"; exits 0 only if F is 0.
 *
 * It exists because the tests' 50 insmod/rmmod cycles cost three process starts per
 * cycle, and a process start costs a second or more in the debug guest (KASAN,
 * kmemleak, lockdep under TCG). Only ever run it inside a test guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "lib/xfrm.h"

const char *prog = "modcycle";

void usage(FILE *f)
{
	fprintf(f, "Usage: %s -n N -l LOADED -u UNLOADED [-p PARAMS] KO NAME\n"
		"Load module file KO (parameters PARAMS) and unload module NAME N times;\n"
		"the SPD must hold LOADED policies while it is loaded, UNLOADED after.\n",
		prog);
}

/* The number of policies in the SPD of our netns, or -1. */
static long spd_count(struct mnl_socket *nl)
{
	long n = xfrm_spd_count(nl, time(NULL));

	return n < 0 ? -1 : n;
}

int main(int argc, char **argv)
{
	unsigned long cycles = 0, loaded = 0, unloaded = 0, i;
	const char *params = "";
	struct mnl_socket *nl;
	long failed = 0, n;
	int opt, fd;

	while ((opt = getopt(argc, argv, "n:l:u:p:h")) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_uint(optarg, 100000, &cycles) || !cycles)
				return bad_arg("bad -n \"%s\" (1-100000)", optarg);
			break;
		case 'l':
			if (!parse_uint(optarg, 1000000, &loaded))
				return bad_arg("bad -l \"%s\"", optarg);
			break;
		case 'u':
			if (!parse_uint(optarg, 1000000, &unloaded))
				return bad_arg("bad -u \"%s\"", optarg);
			break;
		case 'p':
			params = optarg;
			break;
		default:
			return usage_status(opt);	/* -h, or getopt's complaint */
		}
	}
	if (argc - optind != 2 || !cycles)
		return bad_arg("need -n N, KO and NAME");
	nl = mnl_socket_open(NETLINK_XFRM);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return sys_fail("netlink xfrm socket");
	for (i = 1; i <= cycles; i++) {
		fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return sys_fail(argv[optind]);
		if (syscall(SYS_finit_module, fd, params, 0)) {
			printf("# cycle %lu: load: %s\n", i, strerror(errno));
			failed++;
			close(fd);
			continue;
		}
		close(fd);
		n = spd_count(nl);
		if (n != (long)loaded) {
			printf("# cycle %lu: %ld policies while loaded, want %lu\n", i, n, loaded);
			failed++;
		}
		if (syscall(SYS_delete_module, argv[optind + 1], O_NONBLOCK)) {
			printf("# cycle %lu: unload: %s\n", i, strerror(errno));
			failed++;
			break;
		}
		n = spd_count(nl);
		if (n != (long)unloaded) {
			printf("# cycle %lu: %ld policies after unload, want %lu\n", i, n, unloaded);
			failed++;
		}
	}
	mnl_socket_close(nl);
	printf("cycles %lu failed %ld\n", cycles, failed);
	return failed ? 1 : 0;
}
