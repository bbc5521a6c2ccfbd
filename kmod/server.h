/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Server mode: the KB 248750 server filter ("Me to Any, UDP 1701") as owned policies.
 */
#ifndef _L2TPI_SERVER_H
#define _L2TPI_SERVER_H

#include <net/net_namespace.h>

#include "config.h"

int l2tpi_server_apply_locked(struct net *net, const struct l2tpi_config *to,
			      const struct l2tpi_config *from);
void l2tpi_server_remove_locked(struct net *net);
unsigned int l2tpi_server_shadowed(struct net *net);
void l2tpi_server_net_exit(struct net *net);

#endif /* _L2TPI_SERVER_H */
