/* SPDX-License-Identifier: GPL-2.0 */
/* The probes on l2tp's tunnel bind and teardown, the bind path and the adoption. */
#ifndef _L2TPI_PROBE_H
#define _L2TPI_PROBE_H

#include <linux/types.h>
#include <net/net_namespace.h>

/* Room for the reason auto-attach is not armed. */
#define L2TPI_UNARMED_LEN	128

int l2tpi_probe_init(bool auto_attach);
void l2tpi_probe_exit(void);
bool l2tpi_probe_status(char *why, size_t len);
unsigned int l2tpi_probe_adopt_net(struct net *net);
void l2tpi_probe_watch_close(void);

#endif /* _L2TPI_PROBE_H */
