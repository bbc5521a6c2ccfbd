// SPDX-License-Identifier: GPL-2.0
/* tools/lib: the XFRM SPD dump. See xfrm.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include "xfrm.h"

/* Large enough for any netlink dump skb (the kernel caps them at 32 KiB). */
#define RECV_BUF	65536

struct dump {
	mnl_cb_t cb;
	void *data;
};

static int policy_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct dump *d = data;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY)
		return MNL_CB_OK;
	return d->cb(nlh, d->data);
}

int xfrm_spd_dump(struct mnl_socket *sock, uint32_t seq, mnl_cb_t cb, void *data)
{
	struct dump d = { .cb = cb, .data = data };
	uint32_t portid = mnl_socket_get_portid(sock);
	struct nlmsghdr *nlh;
	ssize_t len;
	char *buf;
	int ret;

	buf = malloc(RECV_BUF);
	if (!buf)
		return -ENOMEM;
	/* The kernel reads nothing past the header of a dump request. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = XFRM_MSG_GETPOLICY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		len = mnl_socket_recvfrom(sock, buf, RECV_BUF);
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, len, seq, portid, policy_cb, &d);
	} while (ret > MNL_CB_STOP);
	ret = ret >= 0 ? 0 : errno ? -errno : -EIO;
out:
	free(buf);
	return ret;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(long *)data;
	return MNL_CB_OK;
}

long xfrm_spd_count(struct mnl_socket *sock, uint32_t seq)
{
	long n = 0;
	int ret;

	ret = xfrm_spd_dump(sock, seq, count_cb, &n);
	return ret ? ret : n;
}
