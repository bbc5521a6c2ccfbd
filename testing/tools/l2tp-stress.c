// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-stress - make stress's load generator (scripts/tests/stress.sh). Only ever
 * run it inside a test guest: it loads and unloads modules and floods the SPD.
 *
 *   l2tp-stress churn [-p PPP] [-g GENL] [-n CYCLES] [-k KEEP] [-e] [-F]
 *		       [-d OPS] [-M KO] [-L KO[:KO...]] [-R N] LOCAL PEER
 *   l2tp-stress flush -r HZ -t SECONDS [-w N] -e EXPECTED
 *   l2tp-stress netns -n COUNT -c TUNNELS
 *   l2tp-stress params -n COUNT [-s SEED] KO
 *
 * churn: PPP threads create PPPoL2TP tunnels the way xl2tpd does (a UDP socket
 *   bound to LOCAL:1701 with SO_REUSEADDR, connected to PEER:PORT, handed to a
 *   PPPoL2TP tunnel socket) and GENL threads create tunnels with kernel sockets
 *   through the l2tp generic netlink family (`ip l2tp add tunnel ... encap udp`,
 *   LOCAL:PORT to PEER:1701), and delete them again: CYCLES - KEEP cycles each
 *   (CYCLES default 1,000, KEEP default 2). Thread t's ports are
 *   20000 + 1000 * t + (i mod 256) (PPP: the peer's port; GENL: the local one), so
 *   a 5-tuple comes back while its previous tunnel may still be torn down, and
 *   threads never share one. Tunnel ids are unique among live tunnels.
 *   -e: a PPP thread sends one L2TP control frame on each new tunnel at once.
 *   -F: every tunnel creation runs with /proc/thread-self/make-it-fail set
 *       (failslab's task-filter then fails that thread's allocations only).
 *   While they run, side threads, as many as asked:
 *   -d OPS  a disturber, each turn one random operation of OPS (a comma list):
 *           cfg (l2tp_ipsec config: server on or off, a random reqid),
 *           level (require or use), client (add or delete a static client
 *           connection, of 8 addresses), dump (the config, client, tunnel and
 *           policy dumps, read in full), flush (XFRM_MSG_FLUSHPOLICY of the main
 *           SPD), attach (auto-attach off, then on again). At the end it puts the
 *           config back as it found it and deletes the connections it added.
 *   -M KO   unload l2tp_ipsec and load KO again, over and over; loaded at the end.
 *   -L KOS  unload these modules (last first, while nothing holds them) and load
 *           them again (first first), over and over; all loaded at the end. Every
 *           other round the tunnel threads park in between, so that l2tp_core can
 *           go too. Also prints "unloaded NAME=N..." (how often each one went).
 *   -R N    -M and -L do at least N rounds: the tunnel threads go on until they have.
 *   Once all are done, each tunnel thread's last KEEP tunnels are created (with -F
 *   and -e as above) and kept open: what they should have is then known.
 *   Prints "KIND ok=N refused=R [ERRNO=N...]" per kind of operation (ppp and genl:
 *   tunnel creations; genl-leftover: refused creations whose tunnel the kernel kept
 *   all the same, deleted then; send with -e, each disturber operation, modcycle, stack;
 *   refused: the kernel said no, and the thread went on), then a line
 *   "kept LOCAL LPORT PEER PPORT" per tunnel kept open, and "ready" on stderr;
 *   holds them until SIGTERM, closes them (the GENL ones are deleted) and prints
 *   "closed=N".
 * flush: a storm of XFRM_MSG_FLUSHPOLICY (main SPD), HZ a second on the clock for
 *   SECONDS, the SPD size read before each; then (-w N) N flushes one at a time,
 *   each once the SPD is whole (EXPECTED policies) again, timing how long it took to
 *   come back (the module restores at once, or half a second later if it restored
 *   less than a second ago). Prints "storm flushes=N rate=R whole=W" (W: flushes
 *   that found the SPD whole), "verified flushes=N back=B max_ms=M" and "final=OK"
 *   (or the size it had) once it is whole, 20 s at most after the last flush.
 * netns: COUNT times: a child process in a new network namespace brings lo up,
 *   creates TUNNELS tunnels over it through genetlink (kernel sockets, which do not
 *   hold the namespace), checks that the SPD holds their 2 * TUNNELS policies plus
 *   the two block policies, and exits: the namespace dies with its tunnels live.
 *   Prints "netns=N ok=K"; a failing child says why.
 * params: COUNT random module parameter strings (valid and invalid names, values
 *   and syntax) given to finit_module(KO); a load that fails must leave the SPD as
 *   it was; one that succeeds is unloaded. Prints "params=N loaded=L refused=R
 *   drift=D" and a line per drift.
 *
 * Exit status: 0 ok, 1 a failure or a check that did not hold, 2 bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>
#include <linux/xfrm.h>
/* After the libc headers, so that linux/libc-compat.h avoids clashes. */
#include <linux/if_pppox.h>
#include <linux/if_pppol2tp.h>
#include <linux/l2tp_ipsec.h>

#include "common.h"
#include "lib/genl.h"
#include "lib/xfrm.h"

#define MAX_THREADS	16
#define MAX_KEEP	256
#define PORT_BASE	20000
#define PORT_STRIDE	1000
#define PORT_POOL	256
#define TID_STRIDE	4000
#define L2TP_PORT	1701
#define MAX_MODS	16
#define NCLIENTS	8
#define MAX_ERRNO	134

const char *prog = "l2tp-stress";

void usage(FILE *f)
{
	fprintf(f,
		"usage: %s churn [-p PPP] [-g GENL] [-n CYCLES] [-k KEEP] [-e] [-F]\n"
		"                   [-d OPS] [-M KO] [-L KO[:KO...]] [-R N] LOCAL PEER\n"
		"       %s flush -r HZ -t SECONDS [-w N] -e EXPECTED\n"
		"       %s netns -n COUNT -c TUNNELS\n"
		"       %s params -n COUNT [-s SEED] KO\n"
		"  OPS: a comma list of cfg, level, client, dump, flush, attach\n",
		prog, prog, prog, prog);
}

/* ---- netlink: one socket per thread, one request at a time ---- */

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	uint16_t family;	/* generic netlink: the family the socket talks to */
	char buf[32768];	/* a dump reply fills at most a page or two */
};

static int nl_open(struct nl *nl, int bus)
{
	memset(nl, 0, sizeof(*nl));
	nl->sock = nl_socket(bus, 30);
	if (!nl->sock)
		return -1;
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

static struct nlmsghdr *genl_msg(struct nl *nl, uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = nl_msg(nl, nl->family, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* Send nlh, run cb on each reply; 0 or a negative errno (the kernel's, or ours). */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t got;
	int ret;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		got = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (got < 0)
			return -errno;
		ret = mnl_cb_run(nl->buf, got, seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

/* Point nl at generic netlink family name; 0 or a negative errno. */
static int family_resolve(struct nl *nl, const char *name)
{
	uint16_t id = 0;
	int ret;

	ret = genl_resolve(nl->sock, ++nl->seq, name, NULL, &id, NULL);
	nl->family = ret ? 0 : id;
	return ret;
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(long *)data;
	return MNL_CB_OK;
}

/* The number of policies in the SPD of the thread's netns (an XFRM dump). */
static long spd_size(struct nl *x)
{
	return xfrm_spd_count(x->sock, ++x->seq);
}

static int spd_flush(struct nl *x)
{
	struct nlmsghdr *nlh = nl_msg(x, XFRM_MSG_FLUSHPOLICY, 0);

	return nl_talk(x, nlh, NULL, NULL);
}

/* ---- counters ---- */

/* Outcomes of one kind of operation: done, refused, and the errnos seen. */
struct tally {
	atomic_ulong ok, refused;
	atomic_ulong err[MAX_ERRNO + 1];
};

static void tally(struct tally *t, int ret)
{
	int e = ret < 0 ? -ret : 0;

	if (!e) {
		t->ok++;
		return;
	}
	t->refused++;
	t->err[e > MAX_ERRNO ? MAX_ERRNO : e]++;
}

static void print_errnos(const struct tally *t)
{
	char buf[32];
	int e;

	for (e = 1; e <= MAX_ERRNO; e++)
		if (t->err[e])
			printf(" %s=%lu", errno_name(e, buf, sizeof(buf)), (unsigned long)t->err[e]);
}

/* ---- churn ---- */

enum { OP_CFG, OP_LEVEL, OP_CLIENT, OP_DUMP, OP_FLUSH, OP_ATTACH, OP_NR };
static const char *const op_names[OP_NR] = {
	"cfg", "level", "client", "dump", "flush", "attach"
};

struct churn {
	struct in_addr local, peer;
	unsigned long ppp, genl, cycles, keep;
	bool eager, fail;
	unsigned int ops;	/* OP_* bits of -d */
	const char *ko;		/* -M */
	const char *mods[MAX_MODS];	/* -L */
	unsigned int nmods;
	struct tally t_ppp, t_genl, t_left, t_send, t_ops[OP_NR], t_mod, t_stack;
	atomic_ulong unloaded[MAX_MODS];	/* -L: times each module really went */
	unsigned long rounds;	/* -R */
	atomic_int running;	/* tunnel threads still cycling */
	atomic_int side_left;	/* module threads short of their -R rounds */
	atomic_int quiesce;	/* -L: tunnel threads, park before the next cycle */
	atomic_int parked;	/* tunnel threads parked */
};


/* One tunnel kept open at the end. */
struct kept {
	int udp, tun;		/* PPP: its sockets; GENL: -1 */
	uint32_t tid;		/* GENL: its id */
	uint16_t lport, pport;
};

struct worker {
	struct churn *c;
	unsigned int idx;	/* over all tunnel threads */
	bool genl;
	struct kept kept[MAX_KEEP];
	unsigned int nkept;
};

/*
 * Cycle i's ports and tunnel id; the kept tunnels (keep: i is past the churn) take
 * ids of their own, so that none is still held by a churned tunnel being torn down.
 */
static void worker_port_tid(const struct worker *w, unsigned long i, bool keep,
			    uint16_t *port, uint32_t *tid)
{
	*port = PORT_BASE + PORT_STRIDE * w->idx + i % PORT_POOL;
	*tid = 1 + TID_STRIDE * w->idx + (keep ? TID_STRIDE - MAX_KEEP + i % MAX_KEEP :
					   i % (TID_STRIDE - MAX_KEEP));
}

/*
 * /proc/thread-self/make-it-fail: fault injection for this thread alone. The file
 * stays open: opening it again to switch the injection off could itself fail (an
 * allocation of the injected thread), and the thread would go on failing, its deletes
 * included (seen: tunnels left behind).
 */
static __thread int mif_fd = -1;

static void make_it_fail(bool on)
{
	if (mif_fd < 0)
		mif_fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (mif_fd < 0)
		return;
	while (pwrite(mif_fd, on ? "1" : "0", 1, 0) != 1 && !on)
		usleep(100);
}

/* A PPPoL2TP tunnel as xl2tpd opens it; 0 or a negative errno (nothing left open). */
static int ppp_open(struct worker *w, uint16_t pport, uint32_t tid, struct kept *k)
{
	struct sockaddr_pppol2tp sax = { 0 };
	struct sockaddr_in l = { 0 }, p = { 0 };
	int one = 1, udp, tun = -1, ret = 0;

	l.sin_family = AF_INET;
	l.sin_addr = w->c->local;
	l.sin_port = htons(L2TP_PORT);
	p.sin_family = AF_INET;
	p.sin_addr = w->c->peer;
	p.sin_port = htons(pport);
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (udp < 0)
		return -errno;
	if (setsockopt(udp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(udp, (struct sockaddr *)&l, sizeof(l)) ||
	    connect(udp, (struct sockaddr *)&p, sizeof(p))) {
		ret = -errno;
		goto fail;
	}
	tun = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (tun < 0) {
		ret = -errno;
		goto fail;
	}
	sax.sa_family = AF_PPPOX;
	sax.sa_protocol = PX_PROTO_OL2TP;
	sax.pppol2tp.fd = udp;
	sax.pppol2tp.addr = p;
	sax.pppol2tp.s_tunnel = tid;
	sax.pppol2tp.d_tunnel = tid + 1;
	if (w->c->fail)
		make_it_fail(true);
	if (connect(tun, (struct sockaddr *)&sax, sizeof(sax)))
		ret = -errno;
	if (w->c->fail)
		make_it_fail(false);
	if (ret)
		goto fail;
	k->udp = udp;
	k->tun = tun;
	return 0;
fail:
	if (tun >= 0)
		close(tun);
	close(udp);
	return ret;
}

/* A frame the moment the tunnel exists (a 12-byte L2TP control-like datagram). */
static void ppp_send(struct worker *w, int udp, uint32_t tid)
{
	uint8_t f[12] = { 0xc8, 0x02, 0, 12, (tid + 1) >> 8, (tid + 1) & 0xff };

	tally(&w->c->t_send, send(udp, f, sizeof(f), 0) < 0 ? -errno : 0);
}

static int genl_create(struct worker *w, struct nl *nl, uint16_t lport, uint32_t tid)
{
	struct nlmsghdr *nlh = genl_msg(nl, L2TP_CMD_TUNNEL_CREATE, L2TP_GENL_VERSION, 0);
	int ret;

	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, tid);
	mnl_attr_put_u32(nlh, L2TP_ATTR_PEER_CONN_ID, tid + 1);
	mnl_attr_put_u8(nlh, L2TP_ATTR_PROTO_VERSION, 2);
	mnl_attr_put_u16(nlh, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	mnl_attr_put(nlh, L2TP_ATTR_IP_SADDR, 4, &w->c->local);
	mnl_attr_put(nlh, L2TP_ATTR_IP_DADDR, 4, &w->c->peer);
	mnl_attr_put_u16(nlh, L2TP_ATTR_UDP_SPORT, lport);
	mnl_attr_put_u16(nlh, L2TP_ATTR_UDP_DPORT, L2TP_PORT);
	if (w->c->fail)
		make_it_fail(true);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (w->c->fail)
		make_it_fail(false);
	return ret;
}

static int genl_delete(struct nl *nl, uint32_t tid)
{
	struct nlmsghdr *nlh = genl_msg(nl, L2TP_CMD_TUNNEL_DELETE, L2TP_GENL_VERSION, 0);

	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, tid);
	return nl_talk(nl, nlh, NULL, NULL);
}

/* l2tp's family goes away with l2tp_netlink (-L): look it up again when it fails. */
static int genl_tunnel(struct worker *w, struct nl *nl, uint16_t lport, uint32_t tid)
{
	int ret;

	if (!nl->family && family_resolve(nl, L2TP_GENL_NAME))
		return -ENOENT;
	ret = genl_create(w, nl, lport, tid);
	if (ret == -ENOENT || ret == -EOPNOTSUPP)
		nl->family = 0;
	return ret;
}

/* Tunnel i of worker w: created, then deleted, or kept open. 0 or a negative errno. */
static int cycle(struct worker *w, struct nl *nl, unsigned long i, bool keep)
{
	struct churn *c = w->c;
	struct kept k = { .udp = -1, .tun = -1 };
	uint16_t port;
	uint32_t tid;
	int ret;

	worker_port_tid(w, i, keep, &port, &tid);
	if (w->genl) {
		ret = genl_tunnel(w, nl, port, tid);
		k.tid = tid;
		k.lport = port;
		k.pport = L2TP_PORT;
	} else {
		ret = ppp_open(w, port, tid, &k);
		k.lport = L2TP_PORT;
		k.pport = port;
	}
	tally(w->genl ? &c->t_genl : &c->t_ppp, ret);
	/*
	 * l2tp can refuse a genetlink create and keep the tunnel all the same (6.12: its
	 * notification could not be allocated after the tunnel was registered): such a
	 * tunnel has its policies, rightly; it is deleted here and counted as leftover.
	 */
	if (ret && w->genl && nl->family && !genl_delete(nl, tid))
		tally(&c->t_left, 0);
	if (ret)
		return ret;
	if (!w->genl && c->eager)
		ppp_send(w, k.udp, tid);
	if (keep) {
		w->kept[w->nkept++] = k;
	} else if (w->genl) {
		genl_delete(nl, tid);
	} else {
		close(k.tun);
		close(k.udp);
	}
	return 0;
}

/*
 * A tunnel thread: CYCLES - KEEP create/delete cycles while the side threads run.
 * Its last KEEP tunnels are created afterwards (keep_all()), once the side threads
 * have put everything back: a tunnel created while auto-attach was off has, rightly,
 * no policies, and the final check wants to know what to expect.
 */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct churn *c = w->c;
	struct nl nl = { 0 };
	unsigned long i;

	if (w->genl && nl_open(&nl, NETLINK_GENERIC)) {
		perror("l2tp-stress: netlink");
		goto out;
	}
	for (i = 0; (i + c->keep < c->cycles || c->side_left) && !stop; i++) {
		if (c->quiesce) {
			c->parked++;
			while (c->quiesce && !stop)
				usleep(1000);
			c->parked--;
		}
		cycle(w, &nl, i, false);
	}
out:
	nl_close(&nl);
	c->running--;
	return NULL;
}

static int keep_all(struct churn *c, struct worker *w, unsigned int nw)
{
	struct nl nl = { 0 };
	unsigned long i;
	unsigned int t;

	if (c->genl && nl_open(&nl, NETLINK_GENERIC))
		return sys_fail("netlink");
	for (t = 0; t < nw; t++)
		for (i = c->cycles - c->keep; i < c->cycles; i++)
			cycle(&w[t], &nl, i, true);
	nl_close(&nl);
	return 0;
}

/* The disturber's l2tp_ipsec requests. */
struct dist {
	struct churn *c;
	struct nl g, x;
	uint32_t cfg[L2TP_IPSEC_A_CONFIG_MAX + 1];	/* as found */
	bool added[NCLIENTS];
};

static int cfg_cb(const struct nlmsghdr *nlh, void *data)
{
	uint32_t *cfg = data;
	const struct nlattr *a, *n;

	mnl_attr_for_each(n, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(n) != L2TP_IPSEC_A_CONFIG)
			continue;
		mnl_attr_for_each_nested(a, n) {
			unsigned int t = mnl_attr_get_type(a);

			if (t > L2TP_IPSEC_A_CONFIG_MAX)
				continue;
			switch (mnl_attr_get_payload_len(a)) {
			case 1: cfg[t] = mnl_attr_get_u8(a); break;
			case 2: cfg[t] = mnl_attr_get_u16(a); break;
			case 4: cfg[t] = mnl_attr_get_u32(a); break;
			}
		}
	}
	return MNL_CB_OK;
}

/* config set: server, reqid, level and auto-attach (each < 0: leave it). */
static int cfg_set(struct dist *d, int server, int64_t reqid, int level, int attach)
{
	struct nlmsghdr *nlh = genl_msg(&d->g, L2TP_IPSEC_CMD_CONFIG_SET, L2TP_IPSEC_GENL_VERSION, 0);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CONFIG);

	if (server >= 0)
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_SERVER, server);
	if (reqid >= 0)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_REQID, reqid);
	if (level >= 0)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CONFIG_LEVEL, level);
	if (attach >= 0)
		mnl_attr_put_u8(nlh, L2TP_IPSEC_A_CONFIG_AUTO_ATTACH, attach);
	mnl_attr_nest_end(nlh, n);
	return nl_talk(&d->g, nlh, NULL, NULL);
}

static int client_req(struct dist *d, unsigned int i, bool add)
{
	struct nlmsghdr *nlh = genl_msg(&d->g, add ? L2TP_IPSEC_CMD_CLIENT_ADD :
					L2TP_IPSEC_CMD_CLIENT_DEL, L2TP_IPSEC_GENL_VERSION, 0);
	struct nlattr *n = mnl_attr_nest_start(nlh, L2TP_IPSEC_A_CLIENT);
	uint32_t addr = htonl(0xc6336400 + 10 + i);	/* 198.51.100.10 + i */
	int ret;

	mnl_attr_put(nlh, L2TP_IPSEC_A_CLIENT_SERVER_IPV4, 4, &addr);
	if (add)
		mnl_attr_put_u32(nlh, L2TP_IPSEC_A_CLIENT_LIFETIME, L2TP_IPSEC_LIFETIME_STATIC);
	mnl_attr_nest_end(nlh, n);
	ret = nl_talk(&d->g, nlh, NULL, NULL);
	if (!ret)
		d->added[i] = add;
	return ret;
}

static int dump(struct dist *d, uint8_t cmd)
{
	struct nlmsghdr *nlh = genl_msg(&d->g, cmd, L2TP_IPSEC_GENL_VERSION, NLM_F_DUMP);
	long n = 0;

	return nl_talk(&d->g, nlh, count_cb, &n);
}

static int disturb_one(struct dist *d, unsigned int op)
{
	unsigned int i = rand() % NCLIENTS;
	int ret;

	switch (op) {
	case OP_CFG:
		if (rand() % 2)
			return cfg_set(d, rand() % 2, -1, -1, -1);
		return cfg_set(d, -1, rand() % 4 ? rand() % 100 : 0, -1, -1);
	case OP_LEVEL:
		return cfg_set(d, -1, -1, rand() % 2, -1);
	case OP_CLIENT:
		return client_req(d, i, !d->added[i]);
	case OP_DUMP:
		ret = dump(d, L2TP_IPSEC_CMD_CONFIG_GET);
		ret = ret ?: dump(d, L2TP_IPSEC_CMD_CLIENT_GET);
		ret = ret ?: dump(d, L2TP_IPSEC_CMD_TUNNEL_GET);
		return ret ?: dump(d, L2TP_IPSEC_CMD_POLICY_GET);
	case OP_FLUSH:
		return spd_flush(&d->x);
	default:
		ret = cfg_set(d, -1, -1, -1, 0);
		usleep(rand() % 2000);
		return ret ?: cfg_set(d, -1, -1, -1, 1);
	}
}

static void *disturber_run(void *arg)
{
	struct dist *d = arg;
	struct churn *c = d->c;
	unsigned int op, i;
	int ret = 0;

	if (nl_open(&d->g, NETLINK_GENERIC) || nl_open(&d->x, NETLINK_XFRM) ||
	    family_resolve(&d->g, L2TP_IPSEC_GENL_NAME) ||
	    nl_talk(&d->g, genl_msg(&d->g, L2TP_IPSEC_CMD_CONFIG_GET, L2TP_IPSEC_GENL_VERSION,
				    NLM_F_DUMP), cfg_cb, d->cfg)) {
		fprintf(stderr, "%s: disturber: cannot reach the l2tp_ipsec family\n", prog);
		ret = -1;
		goto out;
	}
	while (c->running && !stop) {
		do
			op = rand() % OP_NR;
		while (!(c->ops & 1u << op));
		tally(&c->t_ops[op], disturb_one(d, op));
		usleep(rand() % 1000);
	}
	/* As found: config, no client connection of ours. */
	ret = cfg_set(d, d->cfg[L2TP_IPSEC_A_CONFIG_SERVER], d->cfg[L2TP_IPSEC_A_CONFIG_REQID],
		      d->cfg[L2TP_IPSEC_A_CONFIG_LEVEL], d->cfg[L2TP_IPSEC_A_CONFIG_AUTO_ATTACH]);
	for (i = 0; i < NCLIENTS; i++)
		if (d->added[i] && client_req(d, i, false))
			ret = -1;
out:
	if (ret)
		fprintf(stderr, "%s: disturber: could not put the state back\n", prog);
	nl_close(&d->g);
	nl_close(&d->x);
	return (void *)(intptr_t)ret;
}

static const char *ko_name(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t i;

	snprintf(buf, len, "%s", b ? b + 1 : path);
	for (i = 0; buf[i] && buf[i] != '.'; i++)
		if (buf[i] == '-')
			buf[i] = '_';
	buf[i] = 0;
	return buf;
}

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE	4
#endif

/* finit_module(); a .ko.xz or .ko.zst (Debian 6.12) is the kernel's to decompress. */
static int load(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret = 0;
	size_t len = strlen(ko);
	int flags = len > 3 && strcmp(ko + len - 3, ".ko") ? MODULE_INIT_COMPRESSED_FILE : 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, flags))
		ret = -errno;
	close(fd);
	return ret;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* -M: l2tp_ipsec out and in again while the tunnels come and go; in at the end. */
static void *modcycle_run(void *arg)
{
	struct churn *c = arg;
	unsigned long r;
	char name[64];
	int ret;

	ko_name(c->ko, name, sizeof(name));
	for (r = 0; (c->running || r < c->rounds) && !stop; r++) {
		if (c->rounds && r == c->rounds)
			c->side_left--;
		tally(&c->t_mod, unload(name));
		usleep(rand() % 20000);
		ret = load(c->ko, "");
		tally(&c->t_mod, ret == -EEXIST ? 0 : ret);
		usleep(rand() % 20000);
	}
	if (c->rounds && r <= c->rounds)
		c->side_left--;	/* it stopped short of -R, or right at it */
	ret = load(c->ko, "");
	return (void *)(intptr_t)(ret && ret != -EEXIST);
}

/* -L: the l2tp stack out (while nothing holds it) and in again; in at the end. */
static void *stack_run(void *arg)
{
	struct churn *c = arg;
	char name[64];
	int i, ret, bad = 0;
	unsigned long r;

	for (r = 0; (c->running || r < c->rounds) && !stop; r++) {
		if (c->rounds && r == c->rounds)
			c->side_left--;
		/*
		 * Every other round the tunnel threads park between two cycles first, so that
		 * no tunnel holds l2tp_core and it can really go (a tunnel still being torn
		 * down may keep it: EAGAIN); l2tp_ipsec's own cycling (-M) goes on.
		 */
		if (r % 2) {
			double end = now() + 10;

			c->quiesce = 1;
			while (c->parked < c->running && now() < end)
				usleep(1000);
			usleep(50000);
		}
		for (i = c->nmods - 1; i >= 0; i--) {
			ret = unload(ko_name(c->mods[i], name, sizeof(name)));
			tally(&c->t_stack, ret);
			if (!ret)
				c->unloaded[i]++;
		}
		usleep(rand() % 20000);
		for (i = 0; i < (int)c->nmods; i++) {
			ret = load(c->mods[i], "");
			tally(&c->t_stack, ret == -EEXIST ? 0 : ret);
		}
		c->quiesce = 0;
		usleep(rand() % 20000);
	}
	if (c->rounds && r <= c->rounds)
		c->side_left--;	/* it stopped short of -R, or right at it */
	for (i = 0; i < (int)c->nmods; i++) {
		ret = load(c->mods[i], "");
		bad |= ret && ret != -EEXIST;
	}
	return (void *)(intptr_t)bad;
}

static void print_tally(const char *what, const struct tally *t)
{
	printf("%s ok=%lu refused=%lu", what, (unsigned long)t->ok, (unsigned long)t->refused);
	print_errnos(t);
	printf("\n");
}

static int churn_close(struct worker *w, unsigned int nw)
{
	unsigned long closed = 0;
	unsigned int i, j;
	struct nl nl = { 0 };
	int bad = 0;

	for (i = 0; i < nw; i++) {
		for (j = 0; j < w[i].nkept; j++) {
			struct kept *k = &w[i].kept[j];

			if (!w[i].genl) {
				bad |= close(k->tun) | close(k->udp);
			} else if ((nl.sock || !nl_open(&nl, NETLINK_GENERIC)) &&
				   (nl.family || !family_resolve(&nl, L2TP_GENL_NAME))) {
				bad |= genl_delete(&nl, k->tid);
			} else {
				bad = 1;
				continue;
			}
			closed++;
		}
	}
	nl_close(&nl);
	printf("closed=%lu\n", closed);
	return bad ? 1 : 0;
}

static int parse_ops(const char *s, unsigned int *ops)
{
	char *copy = strdup(s), *tok, *save = NULL;
	unsigned int i;
	int ret = 0;

	*ops = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < OP_NR && strcmp(tok, op_names[i]); i++)
			;
		if (i == OP_NR) {
			ret = bad_arg("-d: unknown operation \"%s\"", tok);
			break;
		}
		*ops |= 1u << i;
	}
	free(copy);
	return ret ? ret : *ops ? 0 : bad_arg("-d: no operation");
}

static int churn_main(int argc, char **argv)
{
	static struct churn c = { .ppp = 2, .genl = 2, .cycles = 1000, .keep = 2 };
	static struct worker w[MAX_THREADS];
	pthread_t tw[MAX_THREADS], td, tm, ts;
	char *mods = NULL, *tok, *save = NULL, name[64];
	struct dist d = { .c = &c };
	unsigned int nw, i, j;
	sigset_t waitmask;
	void *res;
	int opt, bad = 0;

	while ((opt = getopt(argc, argv, "p:g:n:k:eFd:M:L:R:")) != -1) {
		switch (opt) {
		case 'p':
		case 'g':
			if (!parse_uint(optarg, MAX_THREADS / 2, opt == 'p' ? &c.ppp : &c.genl))
				return bad_arg("-%c: 0 to %d threads", opt, MAX_THREADS / 2);
			break;
		case 'n':
			if (!parse_uint(optarg, 10000000, &c.cycles) || !c.cycles)
				return bad_arg("-n: 1 to 10000000 cycles");
			break;
		case 'k':
			if (!parse_uint(optarg, MAX_KEEP, &c.keep))
				return bad_arg("-k: 0 to %d tunnels", MAX_KEEP);
			break;
		case 'e':
			c.eager = true;
			break;
		case 'F':
			c.fail = true;
			break;
		case 'd':
			if (parse_ops(optarg, &c.ops))
				return 2;
			break;
		case 'M':
			c.ko = optarg;
			break;
		case 'L':
			mods = optarg;
			break;
		case 'R':
			if (!parse_uint(optarg, 1000000, &c.rounds))
				return bad_arg("-R: 0 to 1000000 rounds");
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || inet_pton(AF_INET, argv[optind], &c.local) != 1 ||
	    inet_pton(AF_INET, argv[optind + 1], &c.peer) != 1)
		return bad_arg("churn needs LOCAL and PEER (IPv4 addresses)");
	if (c.keep > c.cycles || c.keep > PORT_POOL)
		return bad_arg("-k: at most -n and %d", PORT_POOL);
	for (tok = mods ? strtok_r(mods, ":", &save) : NULL; tok; tok = strtok_r(NULL, ":", &save)) {
		if (c.nmods == MAX_MODS)
			return bad_arg("-L: at most %d modules", MAX_MODS);
		c.mods[c.nmods++] = tok;
	}
	nw = c.ppp + c.genl;
	if (!nw)
		return bad_arg("no tunnel thread (-p 0 -g 0)");
	if (setup_signals(&waitmask))
		return sys_fail("signals");
	/* The threads run with SIGTERM blocked; only the hold below waits for it. */
	c.running = nw;
	c.side_left = c.rounds ? !!c.ko + !!c.nmods : 0;
	for (i = 0; i < nw; i++) {
		w[i] = (struct worker){ .c = &c, .idx = i, .genl = i >= c.ppp };
		if (pthread_create(&tw[i], NULL, worker_run, &w[i]))
			return sys_fail("pthread_create");
	}
	if (c.ops && pthread_create(&td, NULL, disturber_run, &d))
		return sys_fail("pthread_create");
	if (c.ko && pthread_create(&tm, NULL, modcycle_run, &c))
		return sys_fail("pthread_create");
	if (c.nmods && pthread_create(&ts, NULL, stack_run, &c))
		return sys_fail("pthread_create");
	for (i = 0; i < nw; i++)
		pthread_join(tw[i], NULL);
	if (c.ops) {
		pthread_join(td, &res);
		bad |= res != NULL;
	}
	if (c.nmods) {
		pthread_join(ts, &res);
		bad |= res != NULL;
	}
	if (c.ko) {
		pthread_join(tm, &res);
		bad |= res != NULL;
	}
	if (keep_all(&c, w, nw))
		return 1;
	if (c.ppp)
		print_tally("ppp", &c.t_ppp);
	if (c.genl) {
		print_tally("genl", &c.t_genl);
		print_tally("genl-leftover", &c.t_left);
	}
	if (c.eager)
		print_tally("send", &c.t_send);
	for (i = 0; i < OP_NR; i++)
		if (c.ops & 1u << i)
			print_tally(op_names[i], &c.t_ops[i]);
	if (c.ko)
		print_tally("modcycle", &c.t_mod);
	if (c.nmods) {
		print_tally("stack", &c.t_stack);
		printf("unloaded");
		for (i = 0; i < c.nmods; i++)
			printf(" %s=%lu", ko_name(c.mods[i], name, sizeof(name)),
			       (unsigned long)c.unloaded[i]);
		printf("\n");
	}
	for (i = 0; i < nw; i++)
		for (j = 0; j < w[i].nkept; j++)
			printf("kept %s %u %s %u\n", argv[optind], w[i].kept[j].lport,
			       argv[optind + 1], w[i].kept[j].pport);
	fflush(stdout);
	fprintf(stderr, "ready\n");
	while (!stop)
		sigsuspend(&waitmask);
	return churn_close(w, nw) | bad;
}

/* ---- flush ---- */

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

/* Poll (1 ms apart) until the SPD holds expected policies, at most secs; its size. */
static long wait_whole(struct nl *x, unsigned long expected, double secs)
{
	double end = now() + secs;
	long n;

	while ((n = spd_size(x)) != (long)expected && now() < end)
		usleep(1000);
	return n;
}

static int flush_main(int argc, char **argv)
{
	unsigned long hz = 0, expected = 0, verify = 0, flushes = 0, whole = 0, back = 0, i;
	double secs = 0, t0, next, t, worst = 0, took;
	struct nl x;
	long n;
	int opt;

	while ((opt = getopt(argc, argv, "r:t:w:e:")) != -1) {
		switch (opt) {
		case 'r':
			if (!parse_uint(optarg, 10000, &hz) || !hz)
				return bad_arg("-r: 1 to 10000 flushes a second");
			break;
		case 't':
			if (!parse_seconds(optarg, &secs))
				return bad_arg("-t: SECONDS");
			break;
		case 'w':
			if (!parse_uint(optarg, 1000000, &verify))
				return bad_arg("-w: 0 to 1000000 flushes");
			break;
		case 'e':
			if (!parse_uint(optarg, 10000000, &expected) || !expected)
				return bad_arg("-e: the SPD size");
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !hz || !secs || !expected)
		return bad_arg("flush needs -r HZ, -t SECONDS and -e EXPECTED");
	if (nl_open(&x, NETLINK_XFRM))
		return sys_fail("netlink xfrm");
	/* The storm: HZ a second on the clock (a late one is not made up for). */
	t0 = now();
	for (next = t0; next < t0 + secs; next = dmax(next + 1.0 / hz, now())) {
		while ((t = now()) < next)
			usleep(((next - t) * 1e6) + 1);
		if (spd_size(&x) == (long)expected)
			whole++;
		if (spd_flush(&x))
			return sys_fail("XFRM_MSG_FLUSHPOLICY");
		flushes++;
	}
	took = now() - t0;
	printf("storm flushes=%lu rate=%.0f whole=%lu\n", flushes, flushes / took, whole);
	/* Then one at a time, each once the SPD is whole again, timing the restore. */
	n = wait_whole(&x, expected, 20);
	for (i = 0; i < verify && n == (long)expected; i++) {
		if (spd_flush(&x))
			return sys_fail("XFRM_MSG_FLUSHPOLICY");
		t = now();
		n = wait_whole(&x, expected, 20);
		if (n == (long)expected) {
			back++;
			worst = dmax(worst, now() - t);
		}
	}
	if (verify)
		printf("verified flushes=%lu back=%lu max_ms=%.0f\n", i, back, worst * 1e3);
	if (n == (long)expected)
		printf("final=OK\n");
	else
		printf("final=%ld\n", n);
	nl_close(&x);
	return n == (long)expected ? 0 : 1;
}

/* ---- netns ---- */

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		ret = -1;
	ifr.ifr_flags |= IFF_UP;
	if (!ret && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = -1;
	close(fd);
	return ret;
}

/* In a fresh netns: lo up, n tunnels, their policies checked. Exit status. */
static int netns_child(unsigned long n)
{
	static struct churn c;
	struct worker w = { .c = &c };
	struct nl g, x;
	unsigned long i;
	long size = 0;
	int ret = 0;

	inet_pton(AF_INET, "127.0.0.1", &c.local);
	c.peer = c.local;
	if (unshare(CLONE_NEWNET) || lo_up() || nl_open(&g, NETLINK_GENERIC) ||
	    nl_open(&x, NETLINK_XFRM)) {
		perror("l2tp-stress: netns setup");
		return 1;
	}
	for (i = 0; i < n && !ret; i++)
		ret = genl_tunnel(&w, &g, PORT_BASE + i, i + 1);
	/* The module puts its block policies into a new netns from a work item. */
	for (i = 0; !ret && i < 5000 && (size = spd_size(&x)) != (long)(2 * n + 2); i++)
		usleep(1000);
	if (ret)
		fprintf(stderr, "%s: netns: tunnel %lu: %s\n", prog, i, strerror(-ret));
	else if (size != (long)(2 * n + 2))
		fprintf(stderr, "%s: netns: %ld policies, want %lu\n", prog, size, 2 * n + 2);
	return ret || size != (long)(2 * n + 2);
}

static int netns_main(int argc, char **argv)
{
	unsigned long count = 0, tunnels = 0, i, ok = 0;
	int opt, status;
	pid_t pid;

	while ((opt = getopt(argc, argv, "n:c:")) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_uint(optarg, 1000000, &count) || !count)
				return bad_arg("-n: 1 to 1000000 namespaces");
			break;
		case 'c':
			if (!parse_uint(optarg, 1000, &tunnels) || !tunnels)
				return bad_arg("-c: 1 to 1000 tunnels");
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !count || !tunnels)
		return bad_arg("netns needs -n COUNT and -c TUNNELS");
	for (i = 0; i < count; i++) {
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return sys_fail("fork");
		if (!pid)
			_exit(netns_child(tunnels));
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status))
			ok++;
	}
	printf("netns=%lu ok=%lu\n", count, ok);
	return ok == count ? 0 : 1;
}

/* ---- params ---- */

static const char *const pnames[] = {
	"server", "port", "reqid", "priority", "level", "auto_attach", "restore",
	"servers", "", "port.x", "a", "level\tx",
};
static const char *const pvals[] = {
	"0", "1", "y", "n", "Y", "N", "true", "off", "1701", "65535", "65536", "0x6a5",
	"-1", "4294967295", "4294967296", "require", "use", "requir", "REQUIRE", "",
	"1 2", "\"1\"", "\"a b\"", "1,2", "0001", "99999999999999999999", "+1", "\xff",
};

static int rnd(int n)
{
	return rand() % n;
}

/* A random parameter string: a few name=value words, sometimes malformed. */
static void gen_params(char *buf, size_t len)
{
	size_t off = 0;
	int i, words = rnd(4);

	buf[0] = 0;
	for (i = 0; i < words && off < len; i++) {
		const char *n = pnames[rnd(sizeof(pnames) / sizeof(pnames[0]))];
		const char *v = pvals[rnd(sizeof(pvals) / sizeof(pvals[0]))];

		switch (rnd(8)) {
		case 0:
			off += snprintf(buf + off, len - off, "%s%s", i ? " " : "", n);
			break;
		case 1:
			off += snprintf(buf + off, len - off, "%s%s==%s", i ? " " : "", n, v);
			break;
		default:
			off += snprintf(buf + off, len - off, "%s%s=%s", i ? " " : "", n, v);
		}
	}
}

static int params_main(int argc, char **argv)
{
	unsigned long count = 0, seed = 1, i, loaded = 0, refused = 0, drift = 0;
	char params[256], name[64];
	long base, n;
	struct nl x;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			if (!parse_uint(optarg, 10000000, &count) || !count)
				return bad_arg("-n: 1 to 10000000 strings");
			break;
		case 's':
			if (!parse_uint(optarg, UINT32_MAX, &seed))
				return bad_arg("-s: a seed, 0 to 4294967295");
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || !count)
		return bad_arg("params needs -n COUNT and KO");
	srand(seed);
	ko_name(argv[optind], name, sizeof(name));
	if (nl_open(&x, NETLINK_XFRM))
		return sys_fail("netlink xfrm");
	base = spd_size(&x);
	for (i = 0; i < count; i++) {
		gen_params(params, sizeof(params));
		ret = load(argv[optind], params);
		if (!ret) {
			loaded++;
			ret = unload(name);
			if (ret) {
				printf("# \"%s\": unload: %s\n", params, strerror(-ret));
				drift++;
			}
		} else {
			refused++;
		}
		n = spd_size(&x);
		if (n != base) {
			printf("# \"%s\": %s, then %ld policies, want %ld\n", params,
			       ret ? strerror(-ret) : "loaded and unloaded", n, base);
			drift++;
		}
	}
	printf("params=%lu loaded=%lu refused=%lu drift=%lu\n", count, loaded, refused, drift);
	nl_close(&x);
	return drift ? 1 : 0;
}

int main(int argc, char **argv)
{
	srand(getpid());
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "churn"))
		return churn_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "flush"))
		return flush_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "netns"))
		return netns_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "params"))
		return params_main(argc - 1, argv + 1);
	return bad_arg("unknown mode \"%s\"", argv[1]);
}
