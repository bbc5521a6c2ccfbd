/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state of l2tp_ipsec: the configuration in force and the
 * policies the module owns in that namespace's SPD.
 */
#ifndef _L2TPI_NETNS_H
#define _L2TPI_NETNS_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/xfrm.h>

#include "config.h"
#include "owned.h"

/* Outbound and inbound, for IPv4 and IPv6. */
#define L2TPI_SERVER_POLICIES	4

/* The quarantine block policies: IPv4 and IPv6 (quarantine.c). */
#define L2TPI_BLOCK_POLICIES	2

#define L2TPI_OWNED_HASH_BITS	8

/**
 * struct l2tpi_net - l2tp_ipsec state of one network namespace
 * @net: the namespace
 * @lock: serialises configuration changes (server on/off, client connections) made
 *        from process context; it sleeps, so the tunnel hooks never take it
 * @cfg: the configuration in force; written under @lock and @owned_lock, read under
 *       either (or READ_ONCE for a single field)
 * @server: our server wildcard entries, NULL when server mode is off; under @lock
 * @block: the quarantine block policies (quarantine.c); set at namespace init and
 *         cleared at its exit, so never changed while the hooks run in it
 * @owned_lock: protects @owned, @nr_owned and the entries' state (see owned.c);
 *              BH-safe spinlock, taken from the kprobe handlers too
 * @owned: every policy we own in this namespace, hashed by direction and selector
 * @nr_owned: number of entries in @owned
 * @clients: declared client connections (client.c); under @owned_lock
 * @restore_work: puts back what a flush or delete took out of the SPD
 * @last_restore: jiffies when @restore_work last ran (see owned.c); READ/WRITE_ONCE
 * @dying: set when the namespace goes; no more restore work after that
 * @nr_tunnels: tunnel entries holding policies here, bound or lingering (tunnel.c),
 *              held under @cfg.max_tunnels; atomic
 * @refused: tunnels auto-attach refused here, by enum l2tp_ipsec_refusal (trust.c);
 *           atomic
 */
struct l2tpi_net {
	struct net *net;
	struct mutex lock;	/* see above: process context only */
	struct l2tpi_config cfg;
	struct l2tpi_owned *server[L2TPI_SERVER_POLICIES];
	struct l2tpi_owned *block[L2TPI_BLOCK_POLICIES];
	spinlock_t owned_lock;	/* see above: BH-safe, any context */
	DECLARE_HASHTABLE(owned, L2TPI_OWNED_HASH_BITS);
	unsigned int nr_owned;
	struct list_head clients;
	struct delayed_work restore_work;
	unsigned long last_restore;
	bool dying;
	atomic_t nr_tunnels;
	atomic_t refused[L2TP_IPSEC_REFUSAL_LIMIT + 1];
};

struct l2tpi_net *l2tpi_net(const struct net *net);
int l2tpi_netns_init(bool auto_attach);
bool l2tpi_netns_auto_attach_ok(void);
void l2tpi_netns_exit(void);

#endif /* _L2TPI_NETNS_H */
