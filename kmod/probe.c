// SPDX-License-Identifier: GPL-2.0
/*
 * Where auto-attach learns about tunnels: kprobes on l2tp's bind and teardown paths.
 *
 * - setup_udp_tunnel_sock() (udp_tunnel), called by l2tp_tunnel_register() for every
 *   L2TP-over-UDP tunnel, on both paths (PPPoL2TP connect with a userspace socket,
 *   genetlink TUNNEL_CREATE with a kernel socket), with the socket locked, bound and
 *   connected, before the tunnel is published: we attach there (tunnel.c), filtered
 *   on encap_type UDP_ENCAP_L2TPINUDP;
 * - l2tp_tunnel_create() as a kretprobe: the L2TP tunnel id userspace asked for and
 *   the struct l2tp_tunnel it got (both callers, l2tp_netlink and l2tp_ppp, create
 *   and then register the tunnel in the same task), noted for
 * - l2tp_tunnel_register() as a kretprobe: tells us which struct l2tp_tunnel the
 *   socket belongs to, and its id (a per-task note read by the probe above), so that
 * - l2tp_tunnel_delete() (genetlink delete, socket close, PPPoL2TP, netns exit) can
 *   detach it; and
 * - l2tp_udp_encap_destroy(), the tunnel socket's destroy callback, as a kretprobe:
 *   a second teardown path keyed by the socket, and (the l2tp_tunnel_delete() it
 *   makes in between) which tunnel an adopted socket belongs to; and
 * - l2tp's free_tunnel tracepoint (in l2tp_tunnel_free(), which is inlined): the
 *   tunnel's last session and user are gone, so a lingering entry ends (tunnel.c).
 *   Module tracepoints are found through the tracepoint module notifier.
 *
 * All six are armed together or not at all: we never attach what we could not
 * detach. l2tp_core and udp_tunnel are modules on the stock kernels; they may load
 * after us and be unloaded and reloaded: a module notifier arms the probes when
 * l2tp_core comes (before its init runs, so no tunnel can be bound unseen) and
 * disarms them when either goes.
 *
 * Handlers run in atomic context: no sleeping, GFP_ATOMIC only. They run from ftrace
 * (KPROBES_ON_FTRACE) with preemption off, in the task that called the probed
 * function; without KPROBES_ON_FTRACE (an int3 or BRK trap) the handlers would run in
 * a debug-exception context where their spinlocks and allocations are not safe, so
 * the probes are not armed there, nor on architectures other than x86_64, where the
 * argument registers were not verified.
 *
 * Never fail open silently: the probed functions are checked three times.
 *  - At build time, setup_udp_tunnel_sock()'s prototype in the headers: the bind
 *    handler is built for (net, struct socket *, cfg) or (net, struct sock *, cfg);
 *    with any other, auto-attach is built off.
 *  - In the handlers, cheap checks that hold on every kernel the module knows: the
 *    socket's back-pointer to its struct socket, l2tp_tunnel_create()'s out-pointer
 *    lying on the task's stack and the tunnel it returns being a kernel address (with
 *    the older seven-argument prototype that pointer is the caller's config, whose
 *    first word is a small number). One that fails disarms auto-attach (from a
 *    work item) and releases every tunnel entry.
 *  - When arming: a function that is missing while l2tp_core is there (renamed or
 *    inlined) is reported as such, not as l2tp_core not being loaded yet.
 * Not armed, auto-attach says why (l2tpi_probe_status(): config show, netlink,
 * dmesg); server and client policies go on working.
 *
 * Locking: l2tpi_probe_lock (mutex) serialises arming and disarming and protects
 * l2tpi_unarmed; l2tpi_tp_lock (mutex, inside l2tpi_probe_lock and inside the
 * tracepoint module notifier's own mutex) protects l2tpi_tp_free and
 * l2tpi_tp_armed; l2tpi_pending_lock (BH-safe spinlock) protects the list of register
 * calls in flight and l2tpi_created.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "btf.h"
#include "footprint.h"
#include "netns.h"
#include "probe.h"
#include "quarantine.h"
#include "trust.h"
#include "tunnel.h"

/*
 * setup_udp_tunnel_sock() takes a struct socket up to 7.1, a struct sock in later
 * kernels and in distribution kernels that took that change. Building with
 * -DL2TPI_TEST_UNKNOWN_BIND (make check) pretends to know neither.
 */
typedef void (*l2tpi_bind_socket_t)(struct net *, struct socket *, struct udp_tunnel_sock_cfg *);
typedef void (*l2tpi_bind_sk_t)(struct net *, struct sock *, struct udp_tunnel_sock_cfg *);
#ifdef L2TPI_TEST_UNKNOWN_BIND
#define L2TPI_BIND_SOCKET	0
#define L2TPI_BIND_SK		0
#else
#define L2TPI_BIND_SOCKET \
	__builtin_types_compatible_p(typeof(setup_udp_tunnel_sock) *, l2tpi_bind_socket_t)
#define L2TPI_BIND_SK \
	__builtin_types_compatible_p(typeof(setup_udp_tunnel_sock) *, l2tpi_bind_sk_t)
#endif

/*
 * What this build expects of the probed functions, checked against the running
 * kernel's BTF before arming (btf.c). -DL2TPI_TEST_BTF_SK (make check) expects the
 * other socket type of setup_udp_tunnel_sock() than the headers declare.
 */
#if defined(L2TPI_TEST_BTF_SK)
#define L2TPI_BTF_BIND_SOCK	(L2TPI_BIND_SOCKET ? "ptr:sock" : "ptr:socket")
#else
#define L2TPI_BTF_BIND_SOCK	(L2TPI_BIND_SOCKET ? "ptr:socket" : "ptr:sock")
#endif
static const struct l2tpi_btf_func l2tpi_btf_udp_tunnel[] = {
	{ "setup_udp_tunnel_sock", 3,
	  { "ptr:net", L2TPI_BTF_BIND_SOCK, "ptr:udp_tunnel_sock_cfg" } },
	{}
};

static const struct l2tpi_btf_func l2tpi_btf_l2tp_core[] = {
	{ "l2tp_tunnel_create", 6, { "int", "int", "int", "int", "ptr:l2tp_tunnel_cfg", "ptr" } },
	{ "l2tp_tunnel_register", 3, { "ptr:l2tp_tunnel", "ptr:net", "ptr:l2tp_tunnel_cfg" } },
	{ "l2tp_tunnel_delete", 1, { "ptr:l2tp_tunnel" } },
	{ "l2tp_udp_encap_destroy", 1, { "ptr:sock" } },
	{}
};

/* One l2tp_tunnel_register() call in flight, in its kretprobe instance's data. */
struct l2tpi_pending {
	struct hlist_node node;
	struct task_struct *task;
	const void *tunnel;
	struct l2tpi_tunnel_id id;
};

/* One l2tp_udp_encap_destroy() call in flight, in its kretprobe instance's data. */
struct l2tpi_destroying {
	struct hlist_node node;
	struct task_struct *task;
	const struct sock *sk;
};

/* One l2tp_tunnel_create() call in flight, in its kretprobe instance's data. */
struct l2tpi_creating {
	struct l2tpi_tunnel_id id;
	void **tunnelp;		/* struct l2tp_tunnel **, in the caller's frame */
};

/*
 * Tunnels created and not yet registered: {task, tunnel, id}, a few at most (one per
 * task between the two calls). A slot not taken by a register call (the creator
 * failed in between, or its register probe missed) is reused; a new note clears any
 * older one for the same tunnel address.
 */
#define L2TPI_CREATED_SLOTS	16
static struct {
	struct task_struct *task;
	const void *tunnel;
	struct l2tpi_tunnel_id id;
} l2tpi_created[L2TPI_CREATED_SLOTS];
static unsigned int l2tpi_created_next;

static DEFINE_MUTEX(l2tpi_probe_lock);		/* arming and disarming */
static DEFINE_SPINLOCK(l2tpi_pending_lock);	/* see above; BH-safe */
static HLIST_HEAD(l2tpi_pending_list);
static HLIST_HEAD(l2tpi_destroying_list);
static bool l2tpi_armed;			/* under l2tpi_probe_lock */
/* Why not armed; under l2tpi_probe_lock. */
static char l2tpi_unarmed[L2TPI_UNARMED_LEN] = "the module was loaded with auto_attach=0";
/* A handler saw a function that is not what this build expects: set once, never
 * cleared (until the module is loaded again); every handler returns at once.
 */
static bool l2tpi_mismatch;			/* READ_ONCE/WRITE_ONCE */
static const char *l2tpi_mismatch_what;		/* written once, before l2tpi_mismatch */
static void l2tpi_mismatch_fn(struct work_struct *work);
static DECLARE_WORK(l2tpi_mismatch_work, l2tpi_mismatch_fn);

/*
 * A probed function does not look as this build expects: stop attaching now, and
 * disarm from process context. Context: a handler (atomic).
 */
static void l2tpi_probe_mismatch(const char *what)
{
	if (READ_ONCE(l2tpi_mismatch))
		return;
	l2tpi_mismatch_what = what;
	smp_wmb();	/* @what before the flag: read by l2tpi_mismatch_fn() */
	WRITE_ONCE(l2tpi_mismatch, true);
	schedule_work(&l2tpi_mismatch_work);
}

/* The socket whose destroy callback current is in, if we saw the call begin. */
static const struct sock *l2tpi_destroying_sk(void)
{
	const struct sock *sk = NULL;
	struct l2tpi_destroying *d;

	spin_lock_bh(&l2tpi_pending_lock);
	hlist_for_each_entry(d, &l2tpi_destroying_list, node) {
		if (d->task == current) {
			sk = d->sk;
			break;
		}
	}
	spin_unlock_bh(&l2tpi_pending_lock);
	return sk;
}

/* The struct l2tp_tunnel that current is registering, if we saw the call begin. */
static const void *l2tpi_pending_tunnel(struct l2tpi_tunnel_id *id)
{
	struct l2tpi_pending *p;
	const void *tunnel = NULL;

	*id = (struct l2tpi_tunnel_id){};
	spin_lock_bh(&l2tpi_pending_lock);
	hlist_for_each_entry(p, &l2tpi_pending_list, node) {
		if (p->task == current) {
			tunnel = p->tunnel;
			*id = p->id;
			break;
		}
	}
	spin_unlock_bh(&l2tpi_pending_lock);
	return tunnel;
}

/* int l2tp_tunnel_create(int fd, int version, u32 tunnel_id, u32 peer_tunnel_id,
 *			  struct l2tp_tunnel_cfg *cfg, struct l2tp_tunnel **tunnelp)
 */
static int l2tpi_create_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct l2tpi_creating *c = (struct l2tpi_creating *)ri->data;
	u32 version = (u32)regs_get_kernel_argument(regs, 1);

	c->tunnelp = NULL;
	if (READ_ONCE(l2tpi_mismatch))
		return 0;
	/* Genetlink passes any version an admin asks for; l2tp knows 2 and 3 only. */
	if (version != 2 && version != 3)
		return 0;
	c->id = (struct l2tpi_tunnel_id){
		.id = (u32)regs_get_kernel_argument(regs, 2),
		.peer_id = (u32)regs_get_kernel_argument(regs, 3),
		.version = version,
		.known = true,
	};
	c->tunnelp = (void **)regs_get_kernel_argument(regs, 5);
	/* Both callers pass the address of a local variable. */
	if (!object_is_on_stack(c->tunnelp)) {
		c->tunnelp = NULL;
		l2tpi_probe_mismatch("l2tp_tunnel_create");
	}
	return 0;
}

static int l2tpi_create_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct l2tpi_creating *c = (struct l2tpi_creating *)ri->data;
	unsigned int i;

	if (regs_return_value(regs) || !c->tunnelp)
		return 0;
	if (!virt_addr_valid(*c->tunnelp)) {
		l2tpi_probe_mismatch("l2tp_tunnel_create");
		return 0;
	}
	spin_lock_bh(&l2tpi_pending_lock);
	/* A stale note for the same address (a missed register call) must not match. */
	for (i = 0; i < L2TPI_CREATED_SLOTS; i++)
		if (l2tpi_created[i].tunnel == *c->tunnelp)
			l2tpi_created[i].tunnel = NULL;
	i = l2tpi_created_next++ % L2TPI_CREATED_SLOTS;
	l2tpi_created[i].task = current;
	l2tpi_created[i].tunnel = *c->tunnelp;
	l2tpi_created[i].id = c->id;
	spin_unlock_bh(&l2tpi_pending_lock);
	return 0;
}

static int l2tpi_register_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct l2tpi_pending *p = (struct l2tpi_pending *)ri->data;
	unsigned int i;

	p->task = current;
	p->tunnel = (const void *)regs_get_kernel_argument(regs, 0);
	p->id = (struct l2tpi_tunnel_id){};
	spin_lock_bh(&l2tpi_pending_lock);
	for (i = 0; i < L2TPI_CREATED_SLOTS; i++) {
		if (l2tpi_created[i].tunnel == p->tunnel && l2tpi_created[i].task == current) {
			p->id = l2tpi_created[i].id;
			l2tpi_created[i].tunnel = NULL;
			l2tpi_created[i].task = NULL;
			break;
		}
	}
	hlist_add_head(&p->node, &l2tpi_pending_list);
	spin_unlock_bh(&l2tpi_pending_lock);
	return 0;
}

static int l2tpi_register_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct l2tpi_pending *p = (struct l2tpi_pending *)ri->data;

	spin_lock_bh(&l2tpi_pending_lock);
	hlist_del(&p->node);
	spin_unlock_bh(&l2tpi_pending_lock);
	return 0;
}

/*
 * The bind path: l2tp is binding @sk to a tunnel (the bind probe), or the adoption
 * found it. A tunnel that is not trusted, has no exact 5-tuple or does not fit under
 * max-tunnels gets nothing and is reported (trust.c); otherwise it gets its two
 * policies (tunnel.c) or, when they cannot be installed, its socket is blocked until
 * they are (quarantine.c): fail closed.
 * @trusted: its creator has CAP_NET_ADMIN over @net (trust.c)
 * @gfp: GFP_ATOMIC from the probe, with __GFP_ACCOUNT when the creator is the current
 *       task; GFP_KERNEL from the adoption
 * Context: atomic (the bind probe) or process (adoption); @sk locked.
 */
static void l2tpi_probe_bind(struct net *net, struct sock *sk, const void *key,
			     const struct l2tpi_tunnel_id *id, bool trusted, gfp_t gfp)
{
	struct l2tpi_net *ln = l2tpi_net(net);
	enum l2tp_ipsec_refusal why;
	struct l2tpi_pol_spec out;
	struct l2tpi_config cfg;
	int err;

	spin_lock_bh(&ln->owned_lock);
	cfg = ln->cfg;
	spin_unlock_bh(&ln->owned_lock);
	if (!cfg.auto_attach || l2tpi_tunnel_sk_spec(sk, XFRM_POLICY_OUT, &cfg, &out))
		return;
	if (!trusted) {
		why = L2TP_IPSEC_REFUSAL_UNPRIVILEGED;
	} else if (!l2tpi_trust_exact(&out)) {
		why = L2TP_IPSEC_REFUSAL_INEXACT;
	} else {
		err = l2tpi_tunnel_attach(net, sk, key, id, gfp);
		if (!err) {
			l2tpi_quarantine_bound(sk);
			return;
		}
		if (err != -EDQUOT) {
			l2tpi_quarantine(net, sk, key, id, err);
			return;
		}
		why = L2TP_IPSEC_REFUSAL_LIMIT;
	}
	l2tpi_trust_refuse_sk(net, sk, id, why);
}

/*
 * The socket setup_udp_tunnel_sock() was given, after checking that it is one: read
 * without faulting, with the socket's own back-pointer to its struct socket.
 */
static struct sock *l2tpi_bind_sk(unsigned long arg)
{
	struct socket *sock, *back;
	struct sock *sk;

	if (L2TPI_BIND_SOCKET) {
		sock = (struct socket *)arg;
		if (get_kernel_nofault(sk, &sock->sk))
			return NULL;
	} else {
		sk = (struct sock *)arg;
		if (get_kernel_nofault(sock, &sk->sk_socket))
			return NULL;
	}
	if (!sk || !sock || get_kernel_nofault(back, &sk->sk_socket) || back != sock ||
	    sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM)
		return NULL;
	return sk;
}

/*
 * setup_udp_tunnel_sock(struct net *net, struct socket *sock, struct udp_tunnel_sock_cfg *cfg)
 * or, in newer kernels, (struct net *net, struct sock *sk, struct udp_tunnel_sock_cfg *cfg).
 * l2tp_core calls it in the task that creates the tunnel: the PPPoL2TP connect()
 * or the genetlink request, whose capability decides (trust.c), and whose memory
 * cgroup pays for the entry.
 */
static int l2tpi_bind_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct net *net = (struct net *)regs_get_kernel_argument(regs, 0);
	struct udp_tunnel_sock_cfg *cfg;
	struct l2tpi_tunnel_id id;
	const void *key;
	struct sock *sk;

	cfg = (struct udp_tunnel_sock_cfg *)regs_get_kernel_argument(regs, 2);
	if (READ_ONCE(l2tpi_mismatch) || cfg->encap_type != UDP_ENCAP_L2TPINUDP)
		return 0;
	sk = l2tpi_bind_sk(regs_get_kernel_argument(regs, 1));
	if (!sk || !net_eq(sock_net(sk), net)) {
		l2tpi_probe_mismatch("setup_udp_tunnel_sock");
		return 0;
	}
	key = l2tpi_pending_tunnel(&id);
	/* On 6.1 l2tp's udp_tunnel_sock_cfg carries the tunnel (sk_user_data). */
	if (!key)
		key = cfg->sk_user_data;
	l2tpi_probe_bind(net, sk, key, &id, l2tpi_trust_current(net),
			 GFP_ATOMIC | __GFP_ACCOUNT);
	return 0;
}

/* void l2tp_tunnel_delete(struct l2tp_tunnel *tunnel) */
static int l2tpi_delete_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const void *key = (const void *)regs_get_kernel_argument(regs, 0);

	if (READ_ONCE(l2tpi_mismatch))
		return 0;
	l2tpi_quarantine_forget_key(key);	/* first: see quarantine.c */
	if (!l2tpi_tunnel_unbind_key(key)) {
		const struct sock *sk = l2tpi_destroying_sk();

		/* The destroy callback of sk deletes the tunnel it finds for it. */
		if (sk)
			l2tpi_tunnel_learn_key(sk, key);
	}
	return 0;
}

/* static void l2tp_udp_encap_destroy(struct sock *sk) */
static int l2tpi_destroy_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct l2tpi_destroying *d = (struct l2tpi_destroying *)ri->data;
	const struct sock *sk = (const struct sock *)regs_get_kernel_argument(regs, 0);

	d->sk = NULL;
	if (READ_ONCE(l2tpi_mismatch))
		return 0;
	l2tpi_quarantine_forget_sk(sk);		/* first: see quarantine.c */
	l2tpi_tunnel_unbind_sk(sk);
	l2tpi_tunnel_closing(sk);
	d->sk = sk;
	d->task = current;
	spin_lock_bh(&l2tpi_pending_lock);
	hlist_add_head(&d->node, &l2tpi_destroying_list);
	spin_unlock_bh(&l2tpi_pending_lock);
	return 0;
}

static int l2tpi_destroy_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct l2tpi_destroying *d = (struct l2tpi_destroying *)ri->data;

	if (!d->sk)
		return 0;
	spin_lock_bh(&l2tpi_pending_lock);
	hlist_del(&d->node);
	spin_unlock_bh(&l2tpi_pending_lock);
	return 0;
}

static struct kprobe l2tpi_kp_delete = {
	.symbol_name = "l2tp_tunnel_delete",
	.pre_handler = l2tpi_delete_pre,
};

static struct kretprobe l2tpi_krp_destroy = {
	.kp.symbol_name = "l2tp_udp_encap_destroy",
	.entry_handler = l2tpi_destroy_entry,
	.handler = l2tpi_destroy_return,
	.data_size = sizeof(struct l2tpi_destroying),
	.maxactive = 256,
};

static struct kretprobe l2tpi_krp_register = {
	.kp.symbol_name = "l2tp_tunnel_register",
	.entry_handler = l2tpi_register_entry,
	.handler = l2tpi_register_return,
	.data_size = sizeof(struct l2tpi_pending),
	.maxactive = 256,
};

static struct kretprobe l2tpi_krp_create = {
	.kp.symbol_name = "l2tp_tunnel_create",
	.entry_handler = l2tpi_create_entry,
	.handler = l2tpi_create_return,
	.data_size = sizeof(struct l2tpi_creating),
	.maxactive = 256,
};

static struct kprobe l2tpi_kp_bind = {
	.symbol_name = "setup_udp_tunnel_sock",
	.pre_handler = l2tpi_bind_pre,
};

/*
 * l2tp's free_tunnel tracepoint, found when l2tp_core comes (the tracepoint module
 * notifier, which runs before the module notifier below arms), armed and disarmed
 * with the probes.
 */
static DEFINE_MUTEX(l2tpi_tp_lock);		/* see "Locking" above */
static struct tracepoint *l2tpi_tp_free;	/* l2tp_core's, while it is loaded */
static bool l2tpi_tp_armed;

/* trace_free_tunnel(struct l2tp_tunnel *tunnel). Context: atomic. */
static void l2tpi_free_probe(void *data, const void *tunnel)
{
	if (READ_ONCE(l2tpi_mismatch))
		return;
	l2tpi_tunnel_freed(tunnel);
}

/* Context: process. Return: 0, or -ENOENT when l2tp_core has no such tracepoint. */
static int l2tpi_tp_arm(void)
{
	int err = -ENOENT;

	mutex_lock(&l2tpi_tp_lock);
	if (l2tpi_tp_free) {
		err = tracepoint_probe_register(l2tpi_tp_free, l2tpi_free_probe, NULL);
		l2tpi_tp_armed = !err;
	}
	mutex_unlock(&l2tpi_tp_lock);
	return err;
}

/* The wait for a probe in flight is the caller's (an RCU grace period). */
static void l2tpi_tp_disarm_locked(void)
{
	lockdep_assert_held(&l2tpi_tp_lock);
	if (l2tpi_tp_armed)
		tracepoint_probe_unregister(l2tpi_tp_free, l2tpi_free_probe, NULL);
	l2tpi_tp_armed = false;
}

static void l2tpi_tp_disarm(void)
{
	mutex_lock(&l2tpi_tp_lock);
	l2tpi_tp_disarm_locked();
	mutex_unlock(&l2tpi_tp_lock);
}

static int l2tpi_tp_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = ((struct tp_module *)data)->mod;
	struct tracepoint *tp;
	unsigned int i;

	if (strcmp(mod->name, "l2tp_core"))
		return NOTIFY_DONE;
	mutex_lock(&l2tpi_tp_lock);
	if (state == MODULE_STATE_COMING) {
		for (i = 0; i < mod->num_tracepoints; i++) {
			tp = tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);
			if (!strcmp(tp->name, "free_tunnel"))
				l2tpi_tp_free = tp;
		}
	} else if (state == MODULE_STATE_GOING) {
		/* No probe may stay on the tracepoints of a module that goes. */
		l2tpi_tp_disarm_locked();
		l2tpi_tp_free = NULL;
	}
	mutex_unlock(&l2tpi_tp_lock);
	return NOTIFY_DONE;
}

static struct notifier_block l2tpi_tp_nb = {
	.notifier_call = l2tpi_tp_event,
};

/*
 * udp_lib_unhash(), which sk_common_release() calls after the protocol's destroy
 * (udp_destroy_sock() sets SOCK_DEAD first): the close of a socket whose tunnel l2tp
 * freed, where l2tp no longer calls the destroy callback (tunnel.c). Every UDP close
 * and unbind on the host passes it, so it is armed only while an entry waits for such
 * a close (l2tpi_probe_watch_close()), from a work item; the entries whose close came
 * before it was armed are found right after (l2tpi_tunnel_closed_recheck()).
 */
static int l2tpi_unhash_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct sock *sk = (const struct sock *)regs_get_kernel_argument(regs, 0);

	if (sock_flag(sk, SOCK_DEAD))
		l2tpi_tunnel_closing(sk);
	return 0;
}

static struct kprobe l2tpi_kp_unhash = {
	.symbol_name = "udp_lib_unhash",
	.pre_handler = l2tpi_unhash_pre,
};

static bool l2tpi_watching;			/* under l2tpi_probe_lock */

static void l2tpi_kp_reset(struct kprobe *kp);

/* Arm or disarm the close probe as tunnel.c's waiting entries need. */
static void l2tpi_watch_fn(struct work_struct *work)
{
	bool want;
	int err;

	mutex_lock(&l2tpi_probe_lock);
	want = l2tpi_armed && l2tpi_tunnel_waiting();
	if (want && !l2tpi_watching) {
		err = register_kprobe(&l2tpi_kp_unhash);
		if (err) {
			l2tpi_kp_reset(&l2tpi_kp_unhash);
			pr_warn_ratelimited("cannot probe udp_lib_unhash (%d): ended tunnels keep their policies until their namespace goes\n",
					    err);
		}
		l2tpi_watching = !err;
	} else if (!want && l2tpi_watching) {
		unregister_kprobe(&l2tpi_kp_unhash);
		l2tpi_kp_reset(&l2tpi_kp_unhash);
		l2tpi_watching = false;
	}
	mutex_unlock(&l2tpi_probe_lock);
	if (want)
		l2tpi_tunnel_closed_recheck();
}

static DECLARE_WORK(l2tpi_watch_work, l2tpi_watch_fn);
static DEFINE_SPINLOCK(l2tpi_watch_lock);	/* BH-safe: l2tpi_watch_on and the queueing */
static bool l2tpi_watch_on;			/* from l2tpi_probe_init() to _exit() */

/* tunnel.c's waiting entries changed from none to some or back. Context: any. */
void l2tpi_probe_watch_close(void)
{
	spin_lock_bh(&l2tpi_watch_lock);
	if (l2tpi_watch_on)
		schedule_work(&l2tpi_watch_work);
	spin_unlock_bh(&l2tpi_watch_lock);
}

static void l2tpi_watch_enable(bool on)
{
	spin_lock_bh(&l2tpi_watch_lock);
	l2tpi_watch_on = on;
	spin_unlock_bh(&l2tpi_watch_lock);
}

/* A kprobe can be registered once; clear what registration filled in. */
static void l2tpi_kp_reset(struct kprobe *kp)
{
	const char *sym = kp->symbol_name;
	kprobe_pre_handler_t pre = kp->pre_handler;

	memset(kp, 0, sizeof(*kp));
	kp->symbol_name = sym;
	kp->pre_handler = pre;
}

/* The same for the kretprobes. */
static void l2tpi_krp_reset(void)
{
	l2tpi_kp_reset(&l2tpi_krp_destroy.kp);
	l2tpi_krp_destroy.nmissed = 0;
	l2tpi_kp_reset(&l2tpi_krp_create.kp);
	l2tpi_krp_create.nmissed = 0;
	l2tpi_kp_reset(&l2tpi_krp_register.kp);
	l2tpi_krp_register.nmissed = 0;
}

/* Context: l2tpi_probe_lock held. */
static void l2tpi_disarm_locked(void)
{
	struct kprobe *kps[3] = { &l2tpi_kp_bind, &l2tpi_kp_delete };
	int nr = 2;
	struct kretprobe *krps[] = { &l2tpi_krp_register, &l2tpi_krp_create, &l2tpi_krp_destroy };

	lockdep_assert_held(&l2tpi_probe_lock);
	if (!l2tpi_armed)
		return;
	/*
	 * Attach first off, teardown after it. Two calls, not five: each waits for the
	 * handlers in flight (an RCU grace period, which covers the tracepoint probe
	 * unregistered just before), and rmmod is timed (make bench).
	 * Between the disarm of the bind probe and the wait, a bind handler in flight may
	 * attach a tunnel whose teardown probe is already off; both callers release
	 * every entry after this (rmmod: l2tpi_tunnel_release_net(); l2tp_core going: its
	 * exit deleted every tunnel first, then l2tpi_tunnel_l2tp_going()).
	 */
	l2tpi_tp_disarm();
	if (l2tpi_watching)
		kps[nr++] = &l2tpi_kp_unhash;
	unregister_kprobes(kps, nr);
	if (l2tpi_watching)
		l2tpi_kp_reset(&l2tpi_kp_unhash);
	l2tpi_watching = false;
	unregister_kretprobes(krps, ARRAY_SIZE(krps));
	l2tpi_kp_reset(&l2tpi_kp_bind);
	l2tpi_kp_reset(&l2tpi_kp_delete);
	l2tpi_krp_reset();
	/* Calls still in flight will not run our return handlers any more. */
	spin_lock_bh(&l2tpi_pending_lock);
	INIT_HLIST_HEAD(&l2tpi_pending_list);
	INIT_HLIST_HEAD(&l2tpi_destroying_list);
	memset(l2tpi_created, 0, sizeof(l2tpi_created));
	spin_unlock_bh(&l2tpi_pending_lock);
	l2tpi_armed = false;
	pr_info("auto-attach disarmed\n");
}

/* Context: l2tpi_probe_lock held. Return: 0, or why the probes could not be armed. */
static int l2tpi_arm_locked(const char **what)
{
	int err;

	lockdep_assert_held(&l2tpi_probe_lock);
	if (l2tpi_armed)
		return 0;
	*what = l2tpi_kp_delete.symbol_name;
	err = register_kprobe(&l2tpi_kp_delete);
	if (err)
		goto err_delete;
	*what = "free_tunnel tracepoint";
	err = l2tpi_tp_arm();
	if (err)
		goto err_tp;
	*what = l2tpi_krp_destroy.kp.symbol_name;
	err = register_kretprobe(&l2tpi_krp_destroy);
	if (err)
		goto err_destroy;
	*what = l2tpi_krp_create.kp.symbol_name;
	err = register_kretprobe(&l2tpi_krp_create);
	if (err)
		goto err_create;
	*what = l2tpi_krp_register.kp.symbol_name;
	err = register_kretprobe(&l2tpi_krp_register);
	if (err)
		goto err_register;
	*what = l2tpi_kp_bind.symbol_name;
	err = register_kprobe(&l2tpi_kp_bind);
	if (err)
		goto err_bind;
	l2tpi_armed = true;
	pr_info("auto-attach armed: per-tunnel policies for every L2TP/UDP tunnel\n");
	return 0;

err_bind:
	unregister_kretprobe(&l2tpi_krp_register);
err_register:
	unregister_kretprobe(&l2tpi_krp_create);
err_create:
	unregister_kretprobe(&l2tpi_krp_destroy);
err_destroy:
	l2tpi_tp_disarm();
err_tp:
	unregister_kprobe(&l2tpi_kp_delete);
err_delete:
	l2tpi_kp_reset(&l2tpi_kp_bind);
	l2tpi_kp_reset(&l2tpi_kp_delete);
	l2tpi_krp_reset();
	return err;
}

/*
 * The probed functions against the running kernel's BTF, when it has some (module
 * BTF: l2tp_core's only once it is loaded). Context: l2tpi_probe_lock held.
 * Return: 0, or -EINVAL with l2tpi_unarmed saying which function differs.
 */
static int l2tpi_probe_btf_locked(void)
{
	static const struct {
		const char *mod;
		const struct l2tpi_btf_func *funcs;
	} mods[] = {
		{ "udp_tunnel", l2tpi_btf_udp_tunnel },
		{ "l2tp_core", l2tpi_btf_l2tp_core },
	};
	char why[L2TPI_UNARMED_LEN];
	unsigned int i;
	int err;

	lockdep_assert_held(&l2tpi_probe_lock);
	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		err = l2tpi_btf_check(mods[i].mod, mods[i].funcs, why, sizeof(why));
		if (err == -ENOENT) {
			pr_info("no BTF of %s to check its prototypes against: the probe handlers check what they can\n",
				mods[i].mod);
			continue;
		}
		if (err) {
			strscpy(l2tpi_unarmed, why, sizeof(l2tpi_unarmed));
			pr_warn("auto-attach is OFF: %s; server and client policies still work\n",
				why);
			return err;
		}
	}
	return 0;
}

/*
 * Arm the probes, or note why not. @l2tp_there: l2tp_core is known to be loaded (its
 * module notifier), so a missing function is missing from it, not yet to come.
 * Context: process. Return: 0 when armed.
 */
static int l2tpi_probe_try_arm(bool l2tp_there)
{
	const char *what = NULL;
	int err;

	mutex_lock(&l2tpi_probe_lock);
	if (READ_ONCE(l2tpi_mismatch)) {
		mutex_unlock(&l2tpi_probe_lock);
		return -EINVAL;		/* stays as l2tpi_mismatch_fn() said */
	}
	err = l2tpi_probe_btf_locked();
	if (err) {
		mutex_unlock(&l2tpi_probe_lock);
		return err;
	}
	err = l2tpi_arm_locked(&what);
	/* l2tp_tunnel_delete, the first probe, is l2tp_core's: armed, l2tp_core is there */
	if (err == -ENOENT && (l2tp_there || what != l2tpi_kp_delete.symbol_name)) {
		snprintf(l2tpi_unarmed, sizeof(l2tpi_unarmed),
			 "this kernel has no %s (renamed or inlined): not supported", what);
		pr_warn("auto-attach is OFF: %s; server and client policies still work\n",
			l2tpi_unarmed);
	} else if (err == -ENOENT) {
		snprintf(l2tpi_unarmed, sizeof(l2tpi_unarmed), "waiting for l2tp_core");
		pr_info("auto-attach waits for l2tp_core; server and client policies work\n");
	} else if (err) {
		snprintf(l2tpi_unarmed, sizeof(l2tpi_unarmed), "cannot probe %s: error %d",
			 what, err);
		pr_warn("auto-attach is OFF: %s; server and client policies still work\n",
			l2tpi_unarmed);
	}
	mutex_unlock(&l2tpi_probe_lock);
	return err;
}

/* A handler saw a function that is not what this build expects. Context: process. */
static void l2tpi_mismatch_fn(struct work_struct *work)
{
	smp_rmb();	/* l2tpi_mismatch_what, written before the flag */
	mutex_lock(&l2tpi_probe_lock);
	l2tpi_disarm_locked();
	snprintf(l2tpi_unarmed, sizeof(l2tpi_unarmed),
		 "%s does not look as this build expects: disarmed", l2tpi_mismatch_what);
	pr_err("auto-attach is OFF: %s; server and client policies still work\n",
	       l2tpi_unarmed);
	mutex_unlock(&l2tpi_probe_lock);
	/* Their teardown probes are gone: nothing would release them otherwise. */
	l2tpi_quarantine_drain();
	l2tpi_tunnel_l2tp_going();
}

static bool l2tpi_is_l2tp_module(const struct module *mod)
{
	return !strcmp(mod->name, "l2tp_core") || !strcmp(mod->name, "udp_tunnel");
}

static int l2tpi_module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (!l2tpi_is_l2tp_module(mod))
		return NOTIFY_DONE;
	if (state == MODULE_STATE_COMING && !strcmp(mod->name, "l2tp_core")) {
		l2tpi_probe_try_arm(true);
	} else if (state == MODULE_STATE_GOING) {
		mutex_lock(&l2tpi_probe_lock);
		l2tpi_disarm_locked();
		if (!READ_ONCE(l2tpi_mismatch))
			snprintf(l2tpi_unarmed, sizeof(l2tpi_unarmed), "waiting for l2tp_core");
		mutex_unlock(&l2tpi_probe_lock);
		/* Their last socket reference may run l2tp's code: drop it while it is there. */
		l2tpi_quarantine_drain();
		l2tpi_tunnel_l2tp_going();
	}
	return NOTIFY_DONE;
}

static struct notifier_block l2tpi_module_nb = {
	.notifier_call = l2tpi_module_event,
	.priority = -1,		/* after kprobes' own notifier has seen the module */
};

/**
 * l2tpi_probe_status() - whether auto-attach's probes are armed, and if not why
 * @why: the reason when not armed
 * @len: its size
 *
 * Context: process.
 */
bool l2tpi_probe_status(char *why, size_t len)
{
	bool armed;

	mutex_lock(&l2tpi_probe_lock);
	armed = l2tpi_armed;
	strscpy(why, armed ? "" : l2tpi_unarmed, len);
	mutex_unlock(&l2tpi_probe_lock);
	return armed;
}

static struct udp_table *l2tpi_udp_table(struct net *net)
{
#ifdef L2TPI_HAVE_PERNET_UDP_TABLE
	return net->ipv4.udp_table;	/* per-netns tables since 6.2 (see Kbuild) */
#else
	return &udp_table;
#endif
}

static bool l2tpi_adoptable(const struct net *net, const struct sock *sk)
{
	return net_eq(sock_net(sk), net) &&
	       READ_ONCE(udp_sk(sk)->encap_type) == UDP_ENCAP_L2TPINUDP;
}

/*
 * The struct l2tp_tunnel that l2tp set as @sk's sk_user_data, as an opaque key; NULL
 * where l2tp does not set it (6.12).
 */
static const void *l2tpi_adopt_key(struct sock *sk)
{
	const void *key;

	rcu_read_lock();
	key = rcu_dereference_sk_user_data(sk);
	rcu_read_unlock();
	return key;
}

/*
 * The adoptable sockets of @hslot that have no entry yet, referenced, into @sks (at
 * most @max). Context: process; takes the slot's lock.
 * Return: how many there are (more than @max: call again with room for them).
 */
static unsigned int l2tpi_adopt_collect(struct net *net, struct udp_hslot *hslot,
					struct sock **sks, unsigned int max)
{
	unsigned int n = 0;
	struct sock *sk;

	spin_lock_bh(&hslot->lock);
	sk_for_each(sk, &hslot->head) {
		if (!l2tpi_adoptable(net, sk))
			continue;
		if (!l2tpi_tunnel_attached(sk)) {
			if (n < max) {
				sock_hold(sk);
				sks[n] = sk;
			}
			n++;
		}
	}
	spin_unlock_bh(&hslot->lock);
	return n;
}

/*
 * Attach to the socket @sk found at load: locked as l2tp binds it, in process
 * context, with bottom halves on. Its tunnel is its sk_user_data, if l2tp sets it
 * (tunnel.c: "Every entry knows its tunnel"). Its creator is
 * gone: trusted if its socket was opened by an admin. Not charged to insmod's memory
 * cgroup. Context: process.
 */
static void l2tpi_adopt_sk(struct net *net, struct sock *sk)
{
	const void *key;
	bool attached;

	lock_sock(sk);
	attached = l2tpi_tunnel_attached(sk);	/* the bind hook was faster */
	key = l2tpi_adopt_key(sk);
	if (!attached && l2tpi_adoptable(net, sk))
		l2tpi_probe_bind(net, sk, key, &(struct l2tpi_tunnel_id){},
				 l2tpi_trust_sock(net, sk), GFP_KERNEL);
	release_sock(sk);
}

/**
 * l2tpi_probe_adopt_net() - attach to every L2TP/UDP tunnel socket of @net
 * @net: network namespace
 *
 * A namespace without one is not touched (no guard, no policy: footprint.c).
 * Context: process.
 * Return: the number of tunnels seen.
 */
unsigned int l2tpi_probe_adopt_net(struct net *net)
{
	struct udp_table *table = l2tpi_udp_table(net);
	unsigned int slot, i, n, max = 0, total = 0;
	struct sock **sks = NULL;
	bool held = false;

	/*
	 * Slot by slot: its sockets are referenced under its lock, then attached one by
	 * one without it (a server's tunnels may all share port 1701, one slot).
	 */
	for (slot = 0; slot <= table->mask; slot++) {
		struct udp_hslot *hslot = &table->hash[slot];

		if (hlist_empty(&hslot->head))
			continue;
		n = l2tpi_adopt_collect(net, hslot, sks, max);
		if (n > max) {
			for (i = 0; i < max; i++)
				sock_put(sks[i]);
			kvfree(sks);
			max = n + n / 2;
			sks = kvmalloc_array(max, sizeof(*sks), GFP_KERNEL);
			if (!sks) {
				pr_warn("cannot adopt the L2TP tunnels of a namespace: no memory\n");
				max = 0;
				break;
			}
			n = min(l2tpi_adopt_collect(net, hslot, sks, max), max);
		}
		/* The guard before the first tunnel's policies; none without a tunnel. */
		if (n && !held) {
			held = true;
			if (l2tpi_footprint_hold(net))
				pr_warn_ratelimited("adopting tunnels before the output guard is in\n");
		}
		for (i = 0; i < n; i++) {
			l2tpi_adopt_sk(net, sks[i]);
			sock_put(sks[i]);
			cond_resched();
		}
		total += n;
		cond_resched();
	}
	kvfree(sks);
	if (held)
		l2tpi_footprint_release(net);
	return total;
}

/*
 * l2tpi_probe_adopt() - attach to the tunnels that existed before the probes did
 *
 * Walks the UDP sockets of every namespace for L2TP encapsulation sockets. Called
 * once the bind probe is armed, so a tunnel is either seen here or by the probe (or
 * both: the second attach replaces the first).
 *
 * Context: process, may sleep.
 * Return: the number of tunnels adopted.
 */
static unsigned int l2tpi_probe_adopt(void)
{
	unsigned int n = 0;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net)
		n += l2tpi_probe_adopt_net(net);
	up_read(&net_rwsem);
	return n;
}

/* Where the handlers' context was not verified, auto-attach is never armed. */
static const char *l2tpi_probe_unsupported(void)
{
	if (!IS_ENABLED(CONFIG_X86_64))
		return "kprobe handlers are verified on x86_64 only";
	if (!IS_ENABLED(CONFIG_KPROBES_ON_FTRACE))
		return "this kernel has no KPROBES_ON_FTRACE";
	if (!L2TPI_BIND_SOCKET && !L2TPI_BIND_SK)
		return "built against a setup_udp_tunnel_sock() of unknown prototype";
	return NULL;
}

/* Whether l2tpi_probe_init() set the probes up (auto_attach=1): read-only after it. */
static bool l2tpi_probe_on;

/**
 * l2tpi_probe_init() - arm the probes, and adopt the tunnels that exist
 * @auto_attach: the module parameter; without it nothing is set up
 *
 * Failing to arm is reported (l2tpi_probe_status()), not fatal.
 * Context: module init. Return: 0 or -errno (a notifier cannot be registered).
 */
int l2tpi_probe_init(bool auto_attach)
{
	const char *unsupported = l2tpi_probe_unsupported();
	unsigned int n;
	int err;

	if (!auto_attach)
		return 0;
	if (unsupported) {
		strscpy(l2tpi_unarmed, unsupported, sizeof(l2tpi_unarmed));
		pr_warn("auto-attach is OFF: %s; server and client policies still work\n",
			unsupported);
		return 0;
	}
	l2tpi_watch_enable(true);
	err = register_tracepoint_module_notifier(&l2tpi_tp_nb);
	if (err) {
		l2tpi_watch_enable(false);
		return err;
	}
	err = register_module_notifier(&l2tpi_module_nb);
	if (err) {
		unregister_tracepoint_module_notifier(&l2tpi_tp_nb);
		l2tpi_watch_enable(false);
		return err;
	}
	l2tpi_probe_on = true;
	/* Failing to arm is reported, not fatal. Once armed, adopt what already exists. */
	if (!l2tpi_probe_try_arm(false)) {
		n = l2tpi_probe_adopt();
		if (n)
			pr_info("adopted %u existing L2TP tunnels\n", n);
	}
	return 0;
}

static void l2tpi_probe_disarm(void)
{
	unregister_module_notifier(&l2tpi_module_nb);
	mutex_lock(&l2tpi_probe_lock);
	l2tpi_disarm_locked();
	mutex_unlock(&l2tpi_probe_lock);
	unregister_tracepoint_module_notifier(&l2tpi_tp_nb);
	cancel_work_sync(&l2tpi_mismatch_work);
	l2tpi_watch_enable(false);
	cancel_work_sync(&l2tpi_watch_work);
}

/*
 * Disarm the probes, then let go of what they started: the refusal events, the
 * quarantine and the tunnels' work items. Context: module exit.
 */
void l2tpi_probe_exit(void)
{
	if (l2tpi_probe_on)
		l2tpi_probe_disarm();
	l2tpi_trust_exit();
	l2tpi_quarantine_flush();
	l2tpi_tunnel_flush();
}
