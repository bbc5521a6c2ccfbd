// SPDX-License-Identifier: GPL-2.0
/*
 * Who gets per-tunnel policies.
 *
 * PPPoL2TP needs no capability: any local user can hand a UDP socket of its own to
 * l2tp and so reach the bind hook. A policy is a statement about the whole host's
 * traffic, so auto-attach gives one only to a tunnel that
 *  - an administrator made: its creator has CAP_NET_ADMIN in the user namespace
 *    that owns the socket's network namespace (the task binding it, for PPPoL2TP;
 *    genetlink requires that capability already; for a tunnel adopted at load, the
 *    credentials its socket was opened with), and
 *  - has an exact 5-tuple: bound to a port and connected to one peer. A policy for
 *    an unbound or unconnected socket would take "any" for the missing half and
 *    cover every flow of that port, or every UDP flow. A privileged daemon's
 *    listening socket (older xl2tpd hands it to PPPoL2TP) is what server mode
 *    covers, with the server policies of its port;
 *  - fits under the namespace's max-tunnels (tunnel.c counts).
 * A tunnel refused is never ignored silently: it is counted per namespace and reason
 * (the tunnel dump's last message), logged (rate-limited) and announced on the
 * events group (rate-limited, from a work item: events need process context).
 *
 * Locking: l2tpi_refuse_lock (BH-safe spinlock, taken from the bind hook) protects
 * the ring of events waiting for l2tpi_refuse_work. Each waiting event holds a
 * reference on its namespace.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/ratelimit.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "event.h"
#include "netns.h"
#include "trust.h"
#include "kunit.h"

#define L2TPI_REFUSE_RING	16

struct l2tpi_refusal {
	struct net *net;
	struct l2tpi_tunnel_info info;
	enum l2tp_ipsec_refusal why;
};

static DEFINE_SPINLOCK(l2tpi_refuse_lock);	/* see above: BH-safe */
static struct l2tpi_refusal l2tpi_refuse_ring[L2TPI_REFUSE_RING];
static unsigned int l2tpi_refuse_head, l2tpi_refuse_len;	/* under l2tpi_refuse_lock */
static void l2tpi_refuse_fn(struct work_struct *work);
static DECLARE_WORK(l2tpi_refuse_work, l2tpi_refuse_fn);
/* At most 10 log lines and 10 events every 5 s, whatever a user does. */
static DEFINE_RATELIMIT_STATE(l2tpi_refuse_log_rs, 5 * HZ, 10);
static DEFINE_RATELIMIT_STATE(l2tpi_refuse_event_rs, 5 * HZ, 10);

static const char * const l2tpi_refusal_names[] = {
	[L2TP_IPSEC_REFUSAL_UNPRIVILEGED] = "its creator lacks CAP_NET_ADMIN",
	[L2TP_IPSEC_REFUSAL_INEXACT] = "its socket is not bound and connected to one peer",
	[L2TP_IPSEC_REFUSAL_LIMIT] = "the namespace has max-tunnels attached tunnels",
};

/**
 * l2tpi_trust_current() - whether the task binding a tunnel in @net is an admin
 * @net: the tunnel's namespace
 *
 * Context: the bind hook (atomic, in the binding task). No audit record: a refusal
 * is reported by the module itself.
 */
bool l2tpi_trust_current(struct net *net)
{
	return ns_capable_noaudit(net->user_ns, CAP_NET_ADMIN);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_trust_current);

/**
 * l2tpi_trust_sock() - whether tunnel socket @sk was opened by an admin of @net
 * @net: its namespace
 * @sk: a hashed UDP socket
 *
 * For tunnels that existed before the module: their creator is gone, the
 * credentials the socket was opened with remain. A kernel socket (genetlink's)
 * was made for an admin.
 * Context: process; the caller holds a reference on @sk (the adoption).
 */
bool l2tpi_trust_sock(struct net *net, struct sock *sk)
{
	struct socket *sock;
	bool ok;

	if (sk->sk_kern_sock)
		return true;
	read_lock_bh(&sk->sk_callback_lock);	/* sock_orphan() clears sk_socket */
	sock = sk->sk_socket;
	ok = sock && sock->file &&
	     file_ns_capable(sock->file, net->user_ns, CAP_NET_ADMIN);
	read_unlock_bh(&sk->sk_callback_lock);
	return ok;
}

/**
 * l2tpi_trust_exact() - whether a tunnel's outbound selector names one flow
 * @out: the outbound policy spec of its socket (tunnel.c)
 */
bool l2tpi_trust_exact(const struct l2tpi_pol_spec *out)
{
	return out->sport && out->dport && out->prefixlen_d;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_trust_exact);

static void l2tpi_refuse_fn(struct work_struct *work)
{
	struct l2tpi_refusal r;

	for (;;) {
		spin_lock_bh(&l2tpi_refuse_lock);
		if (!l2tpi_refuse_len) {
			spin_unlock_bh(&l2tpi_refuse_lock);
			return;
		}
		r = l2tpi_refuse_ring[l2tpi_refuse_head];
		l2tpi_refuse_head = (l2tpi_refuse_head + 1) % L2TPI_REFUSE_RING;
		l2tpi_refuse_len--;
		spin_unlock_bh(&l2tpi_refuse_lock);
		l2tpi_event_refused(r.net, &r.info, r.why);
		put_net(r.net);
	}
}

/**
 * l2tpi_trust_refuse() - report a tunnel auto-attach leaves without policies
 * @net: its namespace
 * @info: what is known of it (5-tuple, id)
 * @why: the reason
 *
 * Context: any (the bind hook: atomic). Allocates nothing.
 */
void l2tpi_trust_refuse(struct net *net, const struct l2tpi_tunnel_info *info,
			enum l2tp_ipsec_refusal why)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	unsigned int i;

	atomic_inc(&ln->refused[why]);
	if (__ratelimit(&l2tpi_refuse_log_rs))
		pr_info("no policies for a new L2TP tunnel (id %u, local port %u, peer port %u): %s\n",
			info->id.known ? info->id.id : 0, ntohs(info->lport), ntohs(info->pport),
			l2tpi_refusal_names[why]);
	if (!l2tpi_event_listening(net) || !__ratelimit(&l2tpi_refuse_event_rs))
		return;
	spin_lock_bh(&l2tpi_refuse_lock);
	if (l2tpi_refuse_len < L2TPI_REFUSE_RING) {
		net = maybe_get_net(net);
		if (net) {
			i = (l2tpi_refuse_head + l2tpi_refuse_len) % L2TPI_REFUSE_RING;
			l2tpi_refuse_ring[i] = (struct l2tpi_refusal){ .net = net, .info = *info,
								       .why = why };
			l2tpi_refuse_len++;
			queue_work(system_wq, &l2tpi_refuse_work);
		}
	}
	spin_unlock_bh(&l2tpi_refuse_lock);
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_trust_refuse);

/**
 * l2tpi_trust_refuse_sk() - report that @sk's tunnel stays without policies
 * @net: its namespace
 * @sk: its socket, bound
 * @id: its L2TP tunnel id, if known
 * @why: the reason
 *
 * As l2tpi_trust_refuse(), with what is known of the tunnel taken from its socket.
 * Context: any. Allocates nothing.
 */
void l2tpi_trust_refuse_sk(struct net *net, const struct sock *sk,
			   const struct l2tpi_tunnel_id *id, enum l2tp_ipsec_refusal why)
{
	struct l2tpi_config cfg;
	struct l2tpi_pol_spec out;

	l2tpi_config_default(&cfg);	/* only the 5-tuple is reported */
	if (l2tpi_tunnel_sk_spec(sk, XFRM_POLICY_OUT, &cfg, &out))
		return;
	l2tpi_trust_refuse(net, &(struct l2tpi_tunnel_info) {
		.id = *id, .family = out.family, .local = out.saddr, .peer = out.daddr,
		.lport = out.sport, .pport = out.dport,
	}, why);
}

/* Module exit, after the hooks are gone: send or drop what waits. Context: process. */
void l2tpi_trust_exit(void)
{
	flush_work(&l2tpi_refuse_work);
	l2tpi_refuse_fn(NULL);
}
