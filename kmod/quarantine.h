/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fail closed: a tunnel whose policies cannot be installed is blocked by a mark and
 * a block policy until a retry in process context installs them.
 */
#ifndef _L2TPI_QUARANTINE_H
#define _L2TPI_QUARANTINE_H

#include <net/net_namespace.h>
#include <net/sock.h>

struct l2tpi_tunnel_id;

void l2tpi_quarantine_init(bool enable);
int l2tpi_quarantine_blocks_install(struct net *net);
void l2tpi_quarantine_blocks_remove(struct net *net);
void l2tpi_quarantine_net_exit(struct net *net);
void l2tpi_quarantine(struct net *net, struct sock *sk, const void *key,
		      const struct l2tpi_tunnel_id *id, int err);
void l2tpi_quarantine_forget_sk(const struct sock *sk);
void l2tpi_quarantine_forget_key(const void *key);
unsigned int l2tpi_quarantine_count(void);
void l2tpi_quarantine_drain(void);
void l2tpi_quarantine_flush(void);
bool l2tpi_quarantined(const struct sock *sk);
void l2tpi_quarantine_bound(struct sock *sk);

#endif /* _L2TPI_QUARANTINE_H */
