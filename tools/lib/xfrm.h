/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib: the XFRM security policy database (SPD) dump, the one every program that
 * reads the SPD does (xfrm-spd prints it, modcycle and l2tp-stress count it): an
 * XFRM_MSG_GETPOLICY dump on a bound NETLINK_XFRM socket, in the socket's netns. It
 * holds every policy of the SPD, main and sub, socket policies included.
 */
#ifndef _L2TPI_LIB_XFRM_H
#define _L2TPI_LIB_XFRM_H

#include <stdint.h>
#include <libmnl/libmnl.h>

/*
 * Dump the SPD: cb(nlh, data) for each policy (XFRM_MSG_NEWPOLICY: struct
 * xfrm_userpolicy_info and its attributes), in dump order; a cb that returns
 * MNL_CB_ERROR (errno set) or MNL_CB_STOP ends the dump. Request sequence number seq.
 * Returns 0, or a negative errno (the kernel's, the socket's, or cb's).
 */
int xfrm_spd_dump(struct mnl_socket *sock, uint32_t seq, mnl_cb_t cb, void *data);

/* The number of policies in the SPD, or a negative errno. */
long xfrm_spd_count(struct mnl_socket *sock, uint32_t seq);

#endif /* _L2TPI_LIB_XFRM_H */
