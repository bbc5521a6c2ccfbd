// SPDX-License-Identifier: GPL-2.0
/* tools/lib: the generic netlink family lookup. See genl.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "genl.h"

/* Large enough for nlctrl's reply (a family with many operations and groups). */
#define RECV_BUF	65536

struct nlmsghdr *genl_put_getfamily(void *buf, const char *name, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, GENL_GETFAMILY_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

/* The id of the group called name in CTRL_ATTR_MCAST_GROUPS, 0 if it is not there. */
static uint32_t group_id(const struct nlattr *groups, const char *name)
{
	const struct nlattr *grp, *a;
	const char *n;
	uint32_t id;

	mnl_attr_for_each_nested(grp, groups) {
		n = NULL;
		id = 0;
		mnl_attr_for_each_nested(a, grp) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				n = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
				 !mnl_attr_validate(a, MNL_TYPE_U32))
				id = mnl_attr_get_u32(a);
		}
		if (n && !strcmp(n, name))
			return id;
	}
	return 0;
}

int genl_parse_family(const struct nlmsghdr *nlh, const char *group, uint16_t *id,
		      uint32_t *grp_id)
{
	const struct nlattr *a;
	bool have_id = false;

	if (grp_id)
		*grp_id = 0;
	if (nlh->nlmsg_type != GENL_ID_CTRL || mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -1;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16))
				return -1;
			*id = mnl_attr_get_u16(a);
			have_id = true;
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (group && grp_id)
				*grp_id = group_id(a, group);
			break;
		}
	}
	return have_id ? 0 : -1;
}

int genl_resolve(struct mnl_socket *sock, uint32_t seq, const char *name, const char *group,
		 uint16_t *id, uint32_t *grp_id)
{
	uint32_t portid = mnl_socket_get_portid(sock);
	char req[GENL_GETFAMILY_BUF];
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *e;
	bool found = false;
	ssize_t len;
	char *buf;
	int rem, ret;

	buf = malloc(RECV_BUF);
	if (!buf)
		return -ENOMEM;
	nlh = genl_put_getfamily(req, name, seq);
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		len = mnl_socket_recvfrom(sock, buf, RECV_BUF);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		rem = len;
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
			if (!mnl_nlmsg_portid_ok(nlh, portid) || !mnl_nlmsg_seq_ok(nlh, seq))
				continue;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				e = mnl_nlmsg_get_payload(nlh);
				if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
					ret = -EBADMSG;
				else if (e->error)
					ret = e->error < 0 ? e->error : -e->error;
				else
					ret = found ? 0 : -EBADMSG;
				goto out;
			case NLMSG_DONE:
				ret = found ? 0 : -EBADMSG;
				goto out;
			case NLMSG_OVERRUN:
				ret = -ENOBUFS;
				goto out;
			}
			if (!found && !genl_parse_family(nlh, group, id, grp_id))
				found = true;
		}
	}
out:
	free(buf);
	return ret;
}
