// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp_ipsec as an xfrm key manager (struct xfrm_mgr), next to xfrm_user and af_key:
 *
 * - notify_policy: hears every SPD change key managers are told about (flush,
 *   delete, update) and schedules the restore of what we own (owned.c);
 * - compile_policy: builds the socket policies of our tunnels (tunnel.c). It only
 *   answers our private option name, which setsockopt() can never pass (IP and IPv6
 *   route only IP[V6]_IPSEC_POLICY and IP[V6]_XFRM_POLICY here), and leaves the
 *   error of other key managers untouched for anything else;
 * - acquire: counts the ACQUIREs of policies we own (the IKE daemon gets them from
 *   xfrm_user as always) and declines, so the kernel's choice of whether anyone
 *   handles an ACQUIRE does not change because we are loaded.
 *
 * Every callback runs under rcu_read_lock() (atomic) and must not sleep.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <net/xfrm.h>

#include "km.h"
#include "netns.h"
#include "owned.h"
#include "tunnel.h"

static atomic_long_t l2tpi_acquires = ATOMIC_LONG_INIT(0);

static int l2tpi_km_notify_policy(struct xfrm_policy *xp, int dir, const struct km_event *c)
{
	struct net *net = xp ? xp_net(xp) : c->net;

	if (!net)
		return 0;
	switch (c->event) {
	case XFRM_MSG_DELPOLICY:
	case XFRM_MSG_FLUSHPOLICY:
	case XFRM_MSG_UPDPOLICY:
		l2tpi_owned_schedule_restore(net);
		break;
	}
	return 0;
}

static int l2tpi_km_notify(struct xfrm_state *x, const struct km_event *c)
{
	return 0;
}

static int l2tpi_km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t, struct xfrm_policy *xp)
{
	atomic_long_inc(&l2tpi_acquires);
	return -ESRCH;
}

static struct xfrm_policy *l2tpi_km_compile_policy(struct sock *sk, int opt, u8 *data, int len,
						   int *dir)
{
	const struct l2tpi_sockopt *o = (const void *)data;
	struct xfrm_policy *pol;

	/* Not ours: leave *dir (the error another key manager gave) as it is. */
	if (opt != L2TPI_SOCKOPT || len != sizeof(*o) || o->magic != L2TPI_SOCKOPT_MAGIC)
		return NULL;
	pol = l2tpi_tunnel_compile(sk, o);
	if (IS_ERR(pol)) {
		*dir = PTR_ERR(pol);
		return NULL;
	}
	*dir = o->dir;
	return pol;
}

static struct xfrm_mgr l2tpi_km = {
	.notify = l2tpi_km_notify,
	.acquire = l2tpi_km_acquire,
	.compile_policy = l2tpi_km_compile_policy,
	.notify_policy = l2tpi_km_notify_policy,
};

void l2tpi_km_init(void)
{
	xfrm_register_km(&l2tpi_km);
}

void l2tpi_km_exit(void)
{
	xfrm_unregister_km(&l2tpi_km);
}
