/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state of l2tp_ipsec: the configuration in force and the
 * policies the module owns in that namespace's SPD.
 */
#ifndef _L2TPI_NETNS_H
#define _L2TPI_NETNS_H

#include <linux/rhashtable-types.h>
#include <linux/xarray.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/xfrm.h>

#include "config.h"
#include "owned.h"

/* Outbound and inbound, for IPv4 and IPv6. */
#define L2TPI_SERVER_POLICIES	4

/* The quarantine block policies: IPv4 and IPv6 (quarantine.c). */
#define L2TPI_BLOCK_POLICIES	2

/**
 * struct l2tpi_net - l2tp_ipsec state of one network namespace
 * @net: the namespace
 * @lock: serialises configuration changes (server on/off, client connections) made
 *        from process context; it sleeps, so the tunnel hooks never take it
 * @cfg: the configuration in force; written under @lock and @owned_lock, read under
 *       either (or READ_ONCE for a single field)
 * @server: our server wildcard entries, NULL when server mode is off; under @lock
 * @block: the quarantine block policies (quarantine.c), while the namespace needs
 *         them (footprint.c); under @fp_lock
 * @block_early: the same, installed by the bind hook itself when a quarantine is the
 *               namespace's first need (quarantine.c); set and taken with cmpxchg
 * @owned_lock: protects @owned_ht, @owned_xa, @nr_owned, @restore_list and the
 *              entries' state (see owned.c);
 *              BH-safe spinlock, taken from the kprobe handlers too
 * @owned_ht: every policy we own in this namespace, by direction, selector and mark
 * @owned_xa: the same by entry id, for walks that resume (owned.c)
 * @owned_next: the next entry id to try
 * @nr_owned: number of entries in @owned_ht
 * @restore_list: entries a single delete took out, for the restore work
 * @restore_all: the restore work looks at every entry (a flush); xchg
 * @clients: declared client connections (client.c); under @owned_lock
 * @restore_work: puts back what a flush or delete took out of the SPD
 * @last_restore: jiffies when @restore_work last ran (see owned.c); READ/WRITE_ONCE
 * @dying: set when the namespace goes; no more restore work after that
 * @nr_tunnels: tunnel entries holding policies here, bound or lingering (tunnel.c),
 *              held under @cfg.max_tunnels; atomic
 * @nr_lingering: those of them lingering: unbound, their tunnel not freed yet
 *                (tunnel.c); atomic
 * @tunnels_xa: the tunnel entries here, bound or lingering, by index (tunnel.c);
 *              changed under l2tpi_tunnels_lock
 * @tunnels_next: the next index to try; under the xarray's lock
 * @refused: tunnels auto-attach refused here, by enum l2tp_ipsec_refusal (trust.c);
 *           atomic
 * @nr_needed: entries of @owned that server mode, clients and tunnels own (the block
 *             policies aside); under @owned_lock, READ_ONCE outside
 * @gap_gen: bumped each time policies of ours may have left the SPD (owned.c)
 * @gap_done: the @gap_gen the last complete restore started at; while the two differ
 *            the output guard looks for missing policies; READ/WRITE_ONCE
 * @fp_lock: serialises installing and removing the guard and block policies
 *           (footprint.c); a mutex, process context only
 * @fp_on: they are installed; written under @fp_lock, READ_ONCE outside
 * @fp_pins: process context callers about to create a need; under @fp_lock
 * @fp_sticky: a socket was blocked without a quarantine slot; only set
 * @nr_blocked: its sockets waiting in the quarantine (quarantine.c); under
 *              l2tpi_q_lock, READ_ONCE outside
 * @fp_work: installs or removes them as the need says
 * @nat_lock: serialises changes to @nat_xa and @nat_peers (nat.c); BH-safe
 * @nat_xa: the tunnels whose binding nat.c learns, by tunnel id
 * @nat_peers: the same by peer address and peer tunnel id
 * @nr_pinned: those of them with a pinned policy; under @nat_lock, READ_ONCE outside
 * @nat_work: makes the pinned policies follow the bindings (nat.c)
 */
struct l2tpi_net {
	struct net *net;
	struct mutex lock;	/* see above: process context only */
	struct l2tpi_config cfg;
	struct l2tpi_owned *server[L2TPI_SERVER_POLICIES];
	struct l2tpi_owned *block[L2TPI_BLOCK_POLICIES];
	struct l2tpi_owned *block_early[L2TPI_BLOCK_POLICIES];
	spinlock_t owned_lock;	/* see above: BH-safe, any context */
	struct rhashtable owned_ht;
	struct xarray owned_xa;
	u32 owned_next;
	unsigned int nr_owned;
	struct list_head restore_list;
	bool restore_all;
	struct list_head clients;
	struct delayed_work restore_work;
	unsigned long last_restore;
	bool dying;
	atomic_t nr_tunnels;
	atomic_t nr_lingering;
	struct xarray tunnels_xa;
	u32 tunnels_next;
	atomic_t refused[L2TP_IPSEC_REFUSAL_LIMIT + 1];
	unsigned int nr_needed;
	atomic_t gap_gen;
	unsigned int gap_done;
	struct mutex fp_lock;	/* see above: process context only */
	bool fp_on;
	unsigned int fp_pins;
	bool fp_sticky;
	unsigned int nr_blocked;
	struct delayed_work fp_work;
	spinlock_t nat_lock;	/* see above: BH-safe, any context */
	struct xarray nat_xa;
	struct rhltable nat_peers;
	unsigned int nr_pinned;
	struct work_struct nat_work;
};

/* The pernet id of struct l2tpi_net (main.c registers the pernet operations). */
extern unsigned int l2tpi_net_id;

static inline struct l2tpi_net *l2tpi_net(const struct net *net)
{
	return net_generic(net, l2tpi_net_id);
}

/* How long the guard and block policies outlive the last need (footprint.c). */
#define L2TPI_FP_LINGER	HZ

/**
 * l2tpi_net_need_changed() - what @ln needs of the guard and the block policies
 * changed: let footprint.c's work item install or remove them
 * @ln: the namespace's state
 * @need: true when a need arose (install at once), false when one went (remove a
 *        second later if no need is left by then)
 *
 * Owned entries, the quarantine and the tunnel registry report their needs this way,
 * through the namespace's work item, so that nothing below footprint.c calls it.
 * Context: any (atomic included).
 */
static inline void l2tpi_net_need_changed(struct l2tpi_net *ln, bool need)
{
	if (READ_ONCE(ln->dying))
		return;
	if (need) {
		/* Even when on: a removal may be running, it looks again afterwards. */
		mod_delayed_work(system_highpri_wq, &ln->fp_work, 0);
	} else {
		/* Never later than a pending install; never sooner than the linger. */
		queue_delayed_work(system_highpri_wq, &ln->fp_work, L2TPI_FP_LINGER);
	}
}

void l2tpi_netns_init(const struct l2tpi_config *params);
bool l2tpi_netns_auto_attach_ok(void);
void l2tpi_netns_net_init(struct net *net);
void l2tpi_netns_net_exit(struct net *net);
int l2tpi_netns_configure_locked(struct net *net, const struct l2tpi_config *cfg,
				 struct netlink_ext_ack *extack);
int l2tpi_netns_load(void);
void l2tpi_netns_unload(void);

#endif /* _L2TPI_NETNS_H */
