/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output guard (guard.c): frames of attached tunnels never leave in plaintext,
 * not even between an SPD flush and the restore.
 */
#ifndef _L2TPI_GUARD_H
#define _L2TPI_GUARD_H

#include <net/net_namespace.h>

int l2tpi_guard_net_init(struct net *net);
void l2tpi_guard_net_exit(struct net *net);

#endif /* _L2TPI_GUARD_H */
