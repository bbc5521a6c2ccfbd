// SPDX-License-Identifier: GPL-2.0
/*
 * What a namespace holds of l2tp_ipsec besides the policies it asked for: the output
 * guard's netfilter hooks (guard.c), the hooks that learn which SA each tunnel's
 * frames arrive in (nat.c) and the quarantine's block policies (quarantine.c). A
 * namespace pays for them only while it needs them:
 *  - it owns a server, client or tunnel policy (owned.c counts them), or
 *  - a socket of it waits in the quarantine, or was blocked without a slot (then
 *    until the namespace goes: nothing tells us when that socket dies), or
 *  - process context is about to create one of those (a pin, see below).
 * A namespace without any of these has no hook and no policy of ours: no SPD lookup
 * for its unconnected sockets' routes, no nf_hook_slow() for its packets, no audit
 * record or xfrm notification when it is created or goes.
 *
 * Installing sleeps (nf_register_net_hooks() takes a mutex), so it happens in process
 * context: at once where the need arises there (server mode, a client connection and
 * the adoption of existing tunnels pin the namespace before they create policies:
 * l2tpi_footprint_hold()), and from a work item queued at once where it arises in
 * atomic context (the bind probe attaching a namespace's first tunnel).
 * Until that work item has run, the first tunnel's protection is its SPD policies
 * alone: a flush in those microseconds would leave its frames unguarded until the
 * restore. Removal waits a second after the last tunnel went, so that a namespace
 * whose only tunnel comes and goes does not register and unregister each time; a
 * need that goes in process context (server mode off, a client connection deleted)
 * settles at once, so that the request's reply shows it.
 *
 * Those who create or end a need (owned.c, quarantine.c) do not call in here: they
 * queue the namespace's work item (l2tpi_net_need_changed(), netns.h). The pins are
 * taken by those who decide: netns.c for server mode, netlink.c for a client
 * connection, probe.c for the adoption.
 *
 * Locking: l2tpi_net.fp_lock (a mutex: process context only) serialises installing
 * and removing and protects @fp_pins; @fp_on is written under it and read with
 * READ_ONCE; @fp_sticky only goes from false to true.
 */
#include <linux/workqueue.h>

#include "footprint.h"
#include "guard.h"
#include "nat.h"
#include "netns.h"
#include "quarantine.h"
#include "kunit.h"

static bool l2tpi_fp_needed(struct l2tpi_net *ln)
{
	return READ_ONCE(ln->nr_needed) || ln->fp_pins || READ_ONCE(ln->fp_sticky) ||
	       READ_ONCE(ln->nr_blocked);
}

/* Context: process, fp_lock held. Return: 0 or -errno with nothing installed. */
static int l2tpi_fp_install(struct l2tpi_net *ln)
{
	int err;

	lockdep_assert_held(&ln->fp_lock);
	if (ln->fp_on)
		return 0;
	err = l2tpi_guard_net_init(ln->net);
	if (err)
		return err;
	err = l2tpi_nat_hooks_register(ln->net);
	if (err)
		goto fail_guard;
	err = l2tpi_quarantine_blocks_install(ln->net);
	if (err)
		goto fail_nat;
	WRITE_ONCE(ln->fp_on, true);
	return 0;

fail_nat:
	l2tpi_nat_hooks_unregister(ln->net);
fail_guard:
	l2tpi_guard_net_exit(ln->net);
	return err;
}

/* Context: process, fp_lock held. Early block policies go too (quarantine.c). */
static void l2tpi_fp_remove(struct l2tpi_net *ln)
{
	lockdep_assert_held(&ln->fp_lock);
	l2tpi_quarantine_blocks_remove(ln->net);
	if (!ln->fp_on)
		return;
	WRITE_ONCE(ln->fp_on, false);
	l2tpi_nat_hooks_unregister(ln->net);
	l2tpi_guard_net_exit(ln->net);
}

/*
 * Install or remove as the need says, now. Context: process, fp_lock held.
 * Return: 0 or -errno from an install.
 */
static int l2tpi_fp_settle_locked(struct l2tpi_net *ln)
{
	lockdep_assert_held(&ln->fp_lock);
	if (READ_ONCE(ln->dying))
		return 0;	/* the namespace's exit removes everything */
	if (l2tpi_fp_needed(ln))
		return l2tpi_fp_install(ln);
	l2tpi_fp_remove(ln);
	return 0;
}

/*
 * Install or remove as the need says, now; an install that fails is retried by the
 * work item a tenth of a second later. Context: process.
 */
static void l2tpi_fp_settle(struct l2tpi_net *ln)
{
	int err;

	mutex_lock(&ln->fp_lock);
	err = l2tpi_fp_settle_locked(ln);
	mutex_unlock(&ln->fp_lock);
	if (err) {
		pr_warn_ratelimited("cannot install the output guard in a namespace (%d); retrying\n",
				    err);
		mod_delayed_work(system_highpri_wq, &ln->fp_work, HZ / 10);
	}
}

static void l2tpi_fp_work(struct work_struct *work)
{
	l2tpi_fp_settle(container_of(to_delayed_work(work), struct l2tpi_net, fp_work));
}

/**
 * l2tpi_footprint_hold() - install the guard and block policies of @net now, and keep
 * them while the caller creates what needs them
 * @net: network namespace
 *
 * Context: process, may sleep. Release with l2tpi_footprint_release(), also on error.
 * Return: 0, or -errno when they cannot be installed (still held).
 */
int l2tpi_footprint_hold(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	int err;

	mutex_lock(&ln->fp_lock);
	ln->fp_pins++;
	err = l2tpi_fp_install(ln);
	mutex_unlock(&ln->fp_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_footprint_hold);

/**
 * l2tpi_footprint_settle() - after a change made in process context (server mode
 * off, a client connection deleted): install or remove the guard and block policies
 * now, so that what a request changed is visible when it returns
 * @net: network namespace
 *
 * Context: process, may sleep.
 */
void l2tpi_footprint_settle(struct net *net)
{
	l2tpi_fp_settle(l2tpi_net(net));
}

/* Context: process. Unpinned, the guard goes at once if nothing else needs it. */
void l2tpi_footprint_release(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	mutex_lock(&ln->fp_lock);
	ln->fp_pins--;
	mutex_unlock(&ln->fp_lock);
	l2tpi_footprint_settle(net);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_footprint_release);

/* Whether the guard hooks of @net are registered. */
bool l2tpi_footprint_on(struct net *net)
{
	return READ_ONCE(l2tpi_net(net)->fp_on);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_footprint_on);

void l2tpi_footprint_net_init(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	mutex_init(&ln->fp_lock);
	INIT_DELAYED_WORK(&ln->fp_work, l2tpi_fp_work);
}

/*
 * After every owner of @net has let go (and l2tpi_net.dying is set: no more kicks).
 * Context: process.
 */
void l2tpi_footprint_net_exit(struct net *net)
{
	struct l2tpi_net *ln = l2tpi_net(net);

	cancel_delayed_work_sync(&ln->fp_work);
	mutex_lock(&ln->fp_lock);
	l2tpi_fp_remove(ln);
	mutex_unlock(&ln->fp_lock);
	mutex_destroy(&ln->fp_lock);
}
