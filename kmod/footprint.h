/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pay only where used: the output guard and the block policies exist in a namespace
 * only while it has something of ours to protect (footprint.c).
 */
#ifndef _L2TPI_FOOTPRINT_H
#define _L2TPI_FOOTPRINT_H

#include <net/net_namespace.h>

int l2tpi_footprint_hold(struct net *net);
void l2tpi_footprint_release(struct net *net);
void l2tpi_footprint_settle(struct net *net);
bool l2tpi_footprint_on(struct net *net);
void l2tpi_footprint_net_init(struct net *net);
void l2tpi_footprint_net_exit(struct net *net);

#endif /* _L2TPI_FOOTPRINT_H */
