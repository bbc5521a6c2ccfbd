/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib: the generic netlink family lookup, the one every program does before it
 * talks to a family (l2tp_ipsec, l2tp): nlctrl's CTRL_CMD_GETFAMILY by name, whose reply
 * gives the family's id and the ids of its multicast groups.
 *
 * genl_resolve() does the whole exchange on a bound NETLINK_GENERIC socket;
 * genl_put_getfamily() and genl_parse_family() are its two halves, for the unit test.
 */
#ifndef _L2TPI_LIB_GENL_H
#define _L2TPI_LIB_GENL_H

#include <stdint.h>
#include <linux/netlink.h>

struct mnl_socket;

/* Room for the request (a family name is at most GENL_NAMSIZ bytes). */
#define GENL_GETFAMILY_BUF	128

/*
 * CTRL_CMD_GETFAMILY for the family called name (shorter than GENL_NAMSIZ), into buf
 * (GENL_GETFAMILY_BUF bytes): NLM_F_REQUEST | NLM_F_ACK, sequence number seq.
 */
struct nlmsghdr *genl_put_getfamily(void *buf, const char *name, uint32_t seq);

/*
 * nlctrl's reply: *id, and in *grp_id the id of the multicast group called group
 * (0 if the family has none of that name, or group is NULL). Returns 0, or -1 when nlh
 * is not an nlctrl message with a family id.
 */
int genl_parse_family(const struct nlmsghdr *nlh, const char *group, uint16_t *id,
		      uint32_t *grp_id);

/*
 * Look the family called name up on sock (NETLINK_GENERIC, bound): send the request
 * with sequence number seq and read until its ACK; replies to other requests are
 * skipped. Fills *id and *grp_id as genl_parse_family() does (grp_id may be NULL when
 * group is). Returns 0 or a negative errno: the kernel's (-ENOENT: no such family),
 * the socket's (-EAGAIN: a receive timeout), -EBADMSG when the reply holds no id.
 */
int genl_resolve(struct mnl_socket *sock, uint32_t seq, const char *name, const char *group,
		 uint16_t *id, uint32_t *grp_id);

#endif /* _L2TPI_LIB_GENL_H */
