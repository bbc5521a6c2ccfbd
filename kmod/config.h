/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The knobs of l2tp_ipsec: what policies look like (port, reqid, priority, level) and
 * whether server mode is on. Pure data and validation; no locking here, the owner of a
 * struct l2tpi_config (see netns.h) says what protects it.
 */
#ifndef _L2TPI_CONFIG_H
#define _L2TPI_CONFIG_H

#include <linux/types.h>
#include <uapi/linux/l2tp_ipsec.h>

struct l2tpi_config {
	bool server;			/* server wildcard policies installed */
	u16 port;			/* L2TP UDP port, host order, never 0 */
	u32 reqid;			/* reqid of every template */
	u32 priority;			/* SPD priority, or 0: automatic (config.c) */
	enum l2tp_ipsec_level level;	/* require: template mandatory; use: optional */
	bool auto_attach;		/* per-tunnel policies when l2tp binds a socket */
	bool restore;			/* put owned policies back when someone removes them */
	u32 max_tunnels;		/* most attached tunnels per namespace, >= 1 */
};

void l2tpi_config_default(struct l2tpi_config *cfg);
int l2tpi_config_parse_port(const char *s, u16 *port);
int l2tpi_config_parse_level(const char *s, enum l2tp_ipsec_level *level);
const char *l2tpi_level_name(enum l2tp_ipsec_level level);
u32 l2tpi_config_priority(const struct l2tpi_config *cfg);
u32 l2tpi_config_tunnel_priority(const struct l2tpi_config *cfg);

#endif /* _L2TPI_CONFIG_H */
