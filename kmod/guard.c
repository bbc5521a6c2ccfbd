// SPDX-License-Identifier: GPL-2.0
/*
 * The output guard: what our policies protect never leaves in plaintext because they
 * are missing.
 *
 * When a policy of ours leaves the SPD (`ip xfrm policy flush`, an IKE daemon
 * removing what it takes for its own) the restore work puts it back (owned.c), but
 * until it has run, a frame it covers would be routed without a transform. This
 * netfilter hook, last at LOCAL_OUT of IPv4 and IPv6, drops such a frame: a UDP
 * packet whose route is not an xfrm bundle, when
 *  - its socket is an L2TP tunnel socket that carries the quarantine mark or waits
 *    in the quarantine (quarantine.c: its tunnel could not be attached; a mark the
 *    daemon set meanwhile changes nothing), or
 *  - a policy of ours that covers it (a tunnel's exact 5-tuple, a client's or the
 *    server's wildcard, bound or lingering) is required and supposed to be in the
 *    SPD, and is not, or was put back less than a second ago (the frame's route may
 *    have been looked up before: owned.c, l2tpi_owned_missing()),
 * unless the socket has an outbound policy of its own (whoever set it decided).
 * Only the frames of L2TP tunnel sockets and those from the server port (or of a
 * namespace with client connections or lingering tunnels) are looked at that closely.
 *
 * It never drops a frame because the SPD chose a policy that is not ours: with our
 * policy in the SPD, whatever the SPD lookup decided stands (an administrator's
 * `action allow` at a better priority, a shadowing policy of the IKE daemon). With
 * restore off, a removal of our policy stands too: the frame goes as the SPD says.
 *
 * Routes that discard anyway (the blackhole of an SA still being negotiated) and the
 * queue route of xfrm's larval queueing pass: they send nothing in plaintext. So does
 * the packet that the transform made: xfrm_output() hands it to LOCAL_OUT again, with
 * the same socket, on the bundle's last route (which has no xfrm state).
 *
 * The hook exists only in namespaces that have something of ours to protect
 * (footprint.c). Inbound is not guarded: between a flush and the restore the kernel
 * accepts what it would accept without our policies.
 *
 * Context: the hook runs in process or softirq context (never hardirq), under
 * rcu_read_lock(); l2tpi_owned_missing() takes the namespace's BH-safe owned_lock.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/xfrm.h>
#include <uapi/linux/l2tp_ipsec.h>

#include "guard.h"
#include "netns.h"
#include "owned.h"
#include "quarantine.h"

static unsigned int l2tpi_guard_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct dst_entry *dst = skb_dst(skb);
	struct sock *sk = state->sk;
	struct l2tpi_pol_spec flow;
	struct l2tpi_net *ln;
	bool l2tp;

	if (!sk || !dst || !sk_fullsock(sk) || sk->sk_type != SOCK_DGRAM ||
	    sk->sk_protocol != IPPROTO_UDP)
		return NF_ACCEPT;
	/* The ESP packet that carries a frame comes by again, on the bundle's path route. */
	if (state->pf == NFPROTO_IPV4 ? IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED :
					IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED)
		return NF_ACCEPT;
	if (dst->xfrm || (dst->flags & DST_XFRM_QUEUE) || dst->output == dst_discard_out)
		return NF_ACCEPT;
	l2tp = READ_ONCE(udp_sk(sk)->encap_type) == UDP_ENCAP_L2TPINUDP;
	if (l2tp && (READ_ONCE(sk->sk_mark) == L2TP_IPSEC_BLOCK_MARK || l2tpi_quarantined(sk)))
		return NF_DROP;
	if (rcu_access_pointer(sk->sk_policy[XFRM_POLICY_OUT]))
		return NF_ACCEPT;
	ln = l2tpi_net(state->net);
	/* A lingering tunnel's socket may no longer be an L2TP socket (6.12 clears it). */
	if (!l2tp && inet_sk(sk)->inet_sport != htons(READ_ONCE(ln->cfg.port)) &&
	    list_empty_careful(&ln->clients) && !atomic_read(&ln->nr_lingering))
		return NF_ACCEPT;
	if (!l2tpi_policy_skb_flow(skb, state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6,
				   XFRM_POLICY_OUT, &flow, NULL))
		return NF_ACCEPT;
	return l2tpi_owned_missing(state->net, &flow) ? NF_DROP : NF_ACCEPT;
}

static const struct nf_hook_ops l2tpi_guard_ops[] = {
	{
		.hook = l2tpi_guard_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_LAST,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook = l2tpi_guard_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_LAST,
	},
#endif
};

/* Context: process (pernet init). */
int l2tpi_guard_net_init(struct net *net)
{
	return nf_register_net_hooks(net, l2tpi_guard_ops, ARRAY_SIZE(l2tpi_guard_ops));
}

/* Context: process (pernet exit). */
void l2tpi_guard_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, l2tpi_guard_ops, ARRAY_SIZE(l2tpi_guard_ops));
}
