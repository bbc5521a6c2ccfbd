/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding the ESP SA that serves a tunnel or a client connection in the SAD (sa.c).
 */
#ifndef _L2TPI_SA_H
#define _L2TPI_SA_H

#include <net/net_namespace.h>
#include <net/xfrm.h>

/*
 * Which SA of an address pair l2tpi_sa_lookup() finds; all zero: the newest. For a
 * tunnel bound to its SA (nat.c): inbound that SA, outbound the newest to the same
 * NAT-T port.
 */
struct l2tpi_sa_pin {
	__be32 spi;			/* this SPI (destination: the pair's) */
	__be16 encap_dport;		/* the newest valid SA to this NAT-T port */
};

struct xfrm_state *l2tpi_sa_lookup(struct net *net, unsigned short family,
				   const xfrm_address_t *src, const xfrm_address_t *dst,
				   const struct l2tpi_sa_pin *pin);

#endif /* _L2TPI_SA_H */
