// SPDX-License-Identifier: GPL-2.0
/*
 * The output guard: no frame of an attached tunnel leaves in plaintext.
 *
 * A tunnel's protection is its two SPD policies (tunnel.c, owned.c). When they leave
 * the SPD (`ip xfrm policy flush`, an IKE daemon removing what it takes for its own)
 * the restore work puts them back, but until it has run, a frame of the tunnel would
 * be routed without a transform. This netfilter hook, last at LOCAL_OUT of IPv4 and
 * IPv6 in every namespace, drops such a frame: a packet of an L2TP UDP tunnel socket
 * whose route is not an xfrm bundle, when that socket
 *  - carries the quarantine mark or waits in the quarantine (quarantine.c: its
 *    tunnel could not be attached; a mark the daemon set meanwhile changes nothing),
 *    or
 *  - is attached to a tunnel of ours whose outbound policy is required (level
 *    "require") and not shadowed by an equal policy of someone else (tunnel.c),
 * unless the socket has an outbound policy of its own (whoever set it decided).
 * Routes that discard anyway (the blackhole of an SA still being negotiated) and the
 * queue route of xfrm's larval queueing pass: they send nothing in plaintext. So does
 * the packet that the transform made: xfrm_output() hands it to LOCAL_OUT again, with
 * the same socket, on the bundle's last route (which has no xfrm state).
 *
 * Everything else passes untouched after a few tests on the socket. The tunnel is
 * looked up only on the plaintext path, which a protected tunnel never takes.
 *
 * Inbound is not guarded: between a flush and the restore (a work item queued by the
 * flush itself) the kernel accepts what it would accept without our policies.
 *
 * Context: the hook runs in process or softirq context (never hardirq), under
 * rcu_read_lock(); tunnel.c's lookup takes its BH-safe spinlock.
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
#include "quarantine.h"
#include "tunnel.h"

static unsigned int l2tpi_guard_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct dst_entry *dst = skb_dst(skb);
	struct sock *sk = state->sk;

	if (!sk || !dst || !sk_fullsock(sk) || sk->sk_type != SOCK_DGRAM ||
	    sk->sk_protocol != IPPROTO_UDP)
		return NF_ACCEPT;
	/* The ESP packet that carries a frame comes by again, on the bundle's path route. */
	if (state->pf == NFPROTO_IPV4 ? IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED :
					IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED)
		return NF_ACCEPT;
	if (dst->xfrm || (dst->flags & DST_XFRM_QUEUE) || dst->output == dst_discard_out)
		return NF_ACCEPT;
	if (READ_ONCE(udp_sk(sk)->encap_type) != UDP_ENCAP_L2TPINUDP)
		return NF_ACCEPT;
	if (READ_ONCE(sk->sk_mark) == L2TP_IPSEC_BLOCK_MARK || l2tpi_quarantined(sk))
		return NF_DROP;
	if (rcu_access_pointer(sk->sk_policy[XFRM_POLICY_OUT]))
		return NF_ACCEPT;
	return l2tpi_tunnel_guarded(sk) ? NF_DROP : NF_ACCEPT;
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
