// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp-tunnel - test helper: open kernel L2TPv2 tunnels (and sessions) the
 * way xl2tpd 1.3.18 in kernel mode and pppd's pppol2tp plugin do, optionally
 * push a few frames through them, hold them open, then close them.
 *
 *   l2tp-tunnel [-6] [-n COUNT] [-t TID] [-s] [-F] [-c FRAMES] [-i MS]
 *		 [-h HOLD_SECONDS] [-T] [-e] [-m] [-M MARK] [-A AGENT]
 *		 LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT
 *
 * For tunnel i (0 <= i < COUNT):
 *	UDP socket: SO_REUSEADDR, SO_NO_CHECK, bind LOCAL_ADDR:LOCAL_PORT,
 *	O_NONBLOCK, connect PEER_ADDR:(PEER_PORT + i), so every tunnel has its
 *	own 5-tuple.
 *	Tunnel management socket: PPPoL2TP socket connected with that UDP fd,
 *	s_tunnel = TID + i, d_tunnel = TID + i + 1000 (wrapping from 65535
 *	back to 1, so it is never 0 and never equal to s_tunnel; with -p
 *	PEER_TID, d_tunnel = PEER_TID + i: peers that chose the same id), and
 *	s_session = d_session = 0 (struct sockaddr_pppol2tp, or
 *	sockaddr_pppol2tpin6 with -6).
 *	With -s, one session: another PPPoL2TP socket, same fd and tunnel ids,
 *	s_session = 1, d_session = 2.
 * With -F, each PPPoL2TP tunnel connect runs with /proc/self/make-it-fail set
 * (fault injection: with failslab's task-filter on, the kernel's slab
 * allocations of that connect may fail, as the caller configured).
 * TID defaults to 100; TID + COUNT - 1 and PEER_PORT + COUNT - 1 must stay
 * <= 65535 (so COUNT is at most 65535 in practice).
 *
 * Output, one stdout line per step (stderr gets "ready" after setup):
 *	tunnels=N sessions=M
 *	sent=N failed=M [errno=NAME]	only with -c FRAMES > 0
 *	marked=N	sockets with a nonzero SO_MARK, after the hold
 *	closed=N
 * -c sends FRAMES rounds, the first at once, then one every -i MS (default
 * 10): per tunnel, a 6-byte PPP LCP frame written to the session socket
 * with -s (the kernel prepends ff 03 and sends it as an L2TP data frame;
 * note that pppol2tp's sendmsg does not report transmit errors), otherwise
 * a 12-byte L2TP control-like datagram (c8 02 ...) sent on the UDP socket.
 * Send failures (EPERM from a block policy, EAGAIN, ...) are results, not
 * errors.  Then the sockets are held open for HOLD_SECONDS (default 0,
 * fractional ok) and closed: session sockets, tunnel sockets, UDP sockets.
 * SIGTERM/SIGINT stops the sending and the hold early; the sockets are still
 * closed and reported.
 *
 * make bench: -T prints "open_s=S" after the tunnels are open, "send_s=S" after the
 * frames of -c (the time they took to send) and "close_s=S" after the tunnels are
 * closed (CLOCK_MONOTONIC). -A AGENT runs AGENT (testing/tools/spd-writer,
 * the userspace baseline) with pipes on its stdin and stdout, tells it each new
 * tunnel's 5-tuple the moment the tunnel exists ("add LOCAL LPORT PEER PPORT", one
 * write each) and each closed one's after closing ("del ..."), and waits for it
 * ("sync") after the frames are sent and after closing; with -T it prints
 * "protected_s=S" (from the first open until the agent added every policy) and
 * close_s includes the deletes. Its counts: "agent adds=N dels=M failed=F".
 * -e sends each tunnel's first frame of -c the moment that tunnel is open (and the
 * agent told), not after all are: a tunnel that talks at once, as l2tp does.
 * -m gives every tunnel its own peer, PEER_ADDR + i (the last 32 bits for IPv6), at
 * PEER_PORT: the clients of a real LNS.
 * -w SECONDS waits that long (fractional ok) after the setup before the frames of -c.
 * -M MARK sets SO_MARK MARK (decimal or 0x hex) on each UDP socket once its tunnel
 * is open: a daemon that marks its own sockets.
 *
 * Exit status: 0 ok, 1 socket/setup error, 2 bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
/* After the libc headers, so that linux/libc-compat.h avoids clashes. */
#include <linux/if_pppox.h>
#include <linux/if_pppol2tp.h>

#include "common.h"

#define DEFAULT_COUNT		1
#define MAX_COUNT		100000
#define DEFAULT_TID		100
#define PEER_TID_OFFSET		1000
#define SESSION_ID		1
#define PEER_SESSION_ID		2
#define DEFAULT_INTERVAL_MS	10
#define MAX_INTERVAL_MS		3600000
#define SPARE_FDS		16
#define CTRL_LEN		12

const char *prog = "l2tp-tunnel";

struct tunnel {
	int udp;	/* UDP socket carrying the tunnel */
	int tun;	/* PPPoL2TP tunnel management socket */
	int sess;	/* PPPoL2TP session socket, -1 without -s */
};

struct config {
	int family;
	struct sockaddr_storage local, peer;
	socklen_t locallen, peerlen;
	unsigned long count, tid, peer_tid, frames, interval_ms;
	double hold, wait;
	bool sessions;
	bool fail;
	bool timing;
	bool eager;
	bool many;
	bool set_mark;
	uint32_t mark;
	const char *agent;
};

/* The agent of -A: its pid, our ends of its stdin and stdout. */
struct agent {
	pid_t pid;
	FILE *in, *out;
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'H' },
	{ NULL, 0, NULL, 0 }
};

void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-6] [-n COUNT] [-t TID] [-s] [-F] [-c FRAMES] [-i MS] [-h HOLD_SECONDS]\n"
		"       %*s [-p PEER_TID] [-w SECONDS] [-T] [-e] [-m] [-M MARK] [-A AGENT]\n"
		"       %*s LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT\n"
		"       %s --help\n"
		"Open COUNT (default %d, max %d) kernel L2TPv2 tunnels like xl2tpd in kernel\n"
		"mode: UDP socket bound to LOCAL_ADDR:LOCAL_PORT and connected to\n"
		"PEER_ADDR:PEER_PORT+i, plus a PPPoL2TP tunnel socket with tunnel id TID+i\n"
		"(default TID %d) and peer tunnel id TID+i+%d (wrapping past 65535 to 1).\n"
		"  -6  IPv6 addresses (default IPv4)\n"
		"  -s  also open one PPPoL2TP session per tunnel (ids %d/%d), as pppd does\n"
		"  -F  set /proc/self/make-it-fail during each PPPoL2TP tunnel connect\n"
		"      (fault injection, e.g. failslab with task-filter)\n"
		"  -c  send FRAMES frames per tunnel, first at once, then every -i MS\n"
		"      (default %d): PPP LCP via the session with -s, else an L2TP\n"
		"      control-like UDP datagram\n"
		"  -p  peer tunnel id PEER_TID+i instead (1-65535)\n"
		"  -w  wait SECONDS (fractional ok) after the setup before the frames of -c\n"
		"  -h  keep the sockets open HOLD_SECONDS (fractional ok, default 0)\n"
		"  -T  print open_s=, send_s= (with -c), close_s= (and protected_s= with -A):\n"
		"      seconds\n"
		"  -e  with -c: each tunnel's first frame the moment it is open\n"
		"  -m  many peers: tunnel i's peer is PEER_ADDR + i, port PEER_PORT\n"
		"  -M  set SO_MARK MARK on each UDP socket once its tunnel is open\n"
		"  -A  run AGENT (testing/tools/spd-writer) and tell it each tunnel's 5-tuple as\n"
		"      it opens (add) and closes (del), then wait for it (sync)\n"
		"TID+COUNT-1 and PEER_PORT+COUNT-1 must not exceed 65535.\n"
		"Prints \"tunnels=N sessions=M\" (then \"ready\" to stderr), with -c\n"
		"\"sent=N failed=M\" plus \" errno=NAME\" of the last failure, after the\n"
		"hold \"marked=N\" (UDP sockets with a nonzero SO_MARK) and after\n"
		"closing \"closed=N\".  SIGTERM/SIGINT ends sending and holding early.\n"
		"Exit status: 0 ok (whatever the sends did), 1 socket/setup error,\n"
		"2 bad arguments.\n",
		prog, (int)strlen(prog), "", (int)strlen(prog), "", prog, DEFAULT_COUNT, MAX_COUNT,
		DEFAULT_TID, PEER_TID_OFFSET, SESSION_ID, PEER_SESSION_ID,
		DEFAULT_INTERVAL_MS);
}

static int tunnel_fail(unsigned long i, const char *what)
{
	fprintf(stderr, "%s: tunnel %lu: %s: %s\n", prog, i, what, strerror(errno));
	return 1;
}

static uint16_t local_tid(const struct config *cfg, unsigned long i)
{
	return cfg->tid + i;
}

/*
 * Local id + 1000, wrapping from 65535 to 1: never 0, never the local id; with -p
 * PEER_TID + i.
 */
static uint16_t peer_tid(const struct config *cfg, unsigned long i)
{
	if (cfg->peer_tid)
		return cfg->peer_tid + i;
	return (local_tid(cfg, i) + PEER_TID_OFFSET - 1) % 65535 + 1;
}

/* The peer of tunnel i: PEER_ADDR, port PEER_PORT + i; with -m PEER_ADDR + i. */
static void peer_addr(const struct config *cfg, unsigned long i,
		      struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	*ss = cfg->peer;
	if (cfg->many && ss->ss_family == AF_INET) {
		sin->sin_addr.s_addr = htonl(ntohl(sin->sin_addr.s_addr) + i);
	} else if (cfg->many) {
		uint32_t last;

		memcpy(&last, &sin6->sin6_addr.s6_addr[12], 4);
		last = htonl(ntohl(last) + i);
		memcpy(&sin6->sin6_addr.s6_addr[12], &last, 4);
	} else if (ss->ss_family == AF_INET) {
		sin->sin_port = htons(ntohs(sin->sin_port) + i);
	} else {
		sin6->sin6_port = htons(ntohs(sin6->sin6_port) + i);
	}
}

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* xl2tpd connect_pppol2tp(): the UDP half of the tunnel. */
static int open_udp(const struct config *cfg, unsigned long i, int *fdp)
{
	struct sockaddr_storage peer;
	int one = 1;
	int fd;

	fd = socket(cfg->family, SOCK_DGRAM, 0);
	if (fd < 0)
		return tunnel_fail(i, "socket(UDP)");
	*fdp = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return tunnel_fail(i, "setsockopt(SO_REUSEADDR)");
	if (setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one)) < 0)
		return tunnel_fail(i, "setsockopt(SO_NO_CHECK)");
	if (bind(fd, (struct sockaddr *)&cfg->local, cfg->locallen) < 0)
		return tunnel_fail(i, "bind(UDP)");
	if (set_nonblock(fd) < 0)
		return tunnel_fail(i, "fcntl(UDP, O_NONBLOCK)");
	peer_addr(cfg, i, &peer);
	if (connect(fd, (struct sockaddr *)&peer, cfg->peerlen) < 0)
		return tunnel_fail(i, "connect(UDP)");
	return 0;
}

/*
 * A PPPoL2TP socket on UDP socket udp: the tunnel management socket when
 * the session ids are 0 (xl2tpd), a session socket otherwise (what xl2tpd
 * hands to pppd's pppol2tp plugin).  The kernel tells the IPv4 and IPv6
 * address structs apart by their length.
 */
static int open_pppol2tp(const struct config *cfg, unsigned long i, int udp,
			 uint16_t sid, uint16_t peer_sid, int *fdp)
{
	const char *what = sid ? "PPPoL2TP session" : "PPPoL2TP tunnel";
	union {
		struct sockaddr sa;
		struct sockaddr_pppol2tp v4;
		struct sockaddr_pppol2tpin6 v6;
	} sax;
	struct sockaddr_storage peer;
	socklen_t salen;
	char msg[64];
	int fd;

	peer_addr(cfg, i, &peer);
	memset(&sax, 0, sizeof(sax));
	if (cfg->family == AF_INET) {
		sax.v4.sa_family = AF_PPPOX;
		sax.v4.sa_protocol = PX_PROTO_OL2TP;
		sax.v4.pppol2tp.pid = 0;
		sax.v4.pppol2tp.fd = udp;
		memcpy(&sax.v4.pppol2tp.addr, &peer, sizeof(sax.v4.pppol2tp.addr));
		sax.v4.pppol2tp.s_tunnel = local_tid(cfg, i);
		sax.v4.pppol2tp.s_session = sid;
		sax.v4.pppol2tp.d_tunnel = peer_tid(cfg, i);
		sax.v4.pppol2tp.d_session = peer_sid;
		salen = sizeof(sax.v4);
	} else {
		sax.v6.sa_family = AF_PPPOX;
		sax.v6.sa_protocol = PX_PROTO_OL2TP;
		sax.v6.pppol2tp.pid = 0;
		sax.v6.pppol2tp.fd = udp;
		memcpy(&sax.v6.pppol2tp.addr, &peer, sizeof(sax.v6.pppol2tp.addr));
		sax.v6.pppol2tp.s_tunnel = local_tid(cfg, i);
		sax.v6.pppol2tp.s_session = sid;
		sax.v6.pppol2tp.d_tunnel = peer_tid(cfg, i);
		sax.v6.pppol2tp.d_session = peer_sid;
		salen = sizeof(sax.v6);
	}

	fd = socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "socket(%s)", what);
		return tunnel_fail(i, msg);
	}
	*fdp = fd;
	if (set_nonblock(fd) < 0) {
		snprintf(msg, sizeof(msg), "fcntl(%s, O_NONBLOCK)", what);
		return tunnel_fail(i, msg);
	}
	if (connect(fd, &sax.sa, salen) < 0) {
		snprintf(msg, sizeof(msg), "connect(%s)", what);
		return tunnel_fail(i, msg);
	}
	return 0;
}

/* Fault injection for the calling task: /proc/self/make-it-fail. */
static int make_it_fail(bool on)
{
	int fd, ok;

	fd = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail("open /proc/self/make-it-fail (CONFIG_FAULT_INJECTION?)");
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : sys_fail("write /proc/self/make-it-fail");
}

static int open_tunnel(const struct config *cfg, unsigned long i,
		       struct tunnel *t)
{
	int ret;

	ret = open_udp(cfg, i, &t->udp);
	if (!ret && cfg->fail)
		ret = make_it_fail(true);
	if (!ret) {
		ret = open_pppol2tp(cfg, i, t->udp, 0, 0, &t->tun);
		if (cfg->fail && make_it_fail(false))
			ret = 1;
	}
	if (!ret && cfg->set_mark &&
	    setsockopt(t->udp, SOL_SOCKET, SO_MARK, &cfg->mark, sizeof(cfg->mark)) < 0)
		ret = tunnel_fail(i, "setsockopt(SO_MARK)");
	if (!ret && cfg->sessions)
		ret = open_pppol2tp(cfg, i, t->udp, SESSION_ID,
				    PEER_SESSION_ID, &t->sess);
	return ret;
}

static bool close_fd(int *fd, unsigned long *closed)
{
	bool ok = true;

	if (*fd < 0)
		return true;
	if (close(*fd) == 0)
		(*closed)++;
	else
		ok = false;
	*fd = -1;
	return ok;
}

/* Session sockets first, then tunnel sockets, then the UDP sockets. */
static bool close_all(struct tunnel *t, unsigned long n, unsigned long *closed)
{
	bool ok = true;
	unsigned long i;

	for (i = 0; i < n; i++)
		ok &= close_fd(&t[i].sess, closed);
	for (i = 0; i < n; i++)
		ok &= close_fd(&t[i].tun, closed);
	for (i = 0; i < n; i++)
		ok &= close_fd(&t[i].udp, closed);
	return ok;
}

/* PPP LCP Configure-Request without options; the kernel adds ff 03. */
static int send_lcp(int fd, unsigned long n)
{
	unsigned char frame[6] = { 0xc0, 0x21, 0x01, n & 0xff, 0x00, 0x04 };

	return write(fd, frame, sizeof(frame)) == sizeof(frame) ? 0 : -1;
}

/* L2TPv2 ZLB-like control header: T, L, S bits, version 2, length 12. */
static int send_ctrl(int fd, uint16_t peer_tid, unsigned long n)
{
	unsigned char msg[CTRL_LEN] = { 0xc8, 0x02, 0x00, CTRL_LEN };

	msg[4] = peer_tid >> 8;
	msg[5] = peer_tid;
	/* session id 0 in msg[6..7]; Ns = n, Nr = 0 */
	msg[8] = n >> 8;
	msg[9] = n;
	return send(fd, msg, sizeof(msg), 0) == sizeof(msg) ? 0 : -1;
}

struct send_count {
	unsigned long sent, failed;
	int last_err;
};

/* Frame n of tunnel i. */
static void send_one(const struct config *cfg, const struct tunnel *t, unsigned long i,
		     unsigned long n, struct send_count *c)
{
	int ret;

	errno = EIO;	/* for short writes */
	if (cfg->sessions)
		ret = send_lcp(t[i].sess, n);
	else
		ret = send_ctrl(t[i].udp, peer_tid(cfg, i), n);
	if (ret == 0) {
		c->sent++;
	} else {
		c->failed++;
		c->last_err = errno;
	}
}

/* The rounds of -c from round @first on (with -e round 0 went out at each open). */
static int send_frames(const struct config *cfg, const struct tunnel *t,
		       const sigset_t *waitmask, unsigned long first, struct send_count *c)
{
	unsigned long n, i;
	double t0 = now();
	char buf[16];

	for (n = first; n < cfg->frames && !stop; n++) {
		if (n)
			sleep_until_stop(cfg->interval_ms / 1000.0, waitmask);
		for (i = 0; i < cfg->count && !stop; i++)
			send_one(cfg, t, i, n, c);
	}
	printf("sent=%lu failed=%lu", c->sent, c->failed);
	if (c->failed)
		printf(" errno=%s", errno_name(c->last_err, buf, sizeof(buf)));
	putchar('\n');
	if (cfg->timing)
		printf("send_s=%.6f\n", now() - t0);
	return fflush(stdout) ? sys_fail("writing output") : 0;
}

/* The address of @ss as text into @buf; returns its port (host order). */
static uint16_t sa_text(const struct sockaddr_storage *ss, char *buf, socklen_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, buf, len);
		return ntohs(sin->sin_port);
	}
	inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len);
	return ntohs(sin6->sin6_port);
}

/* -A: start the agent with pipes on its stdin and stdout. */
static int agent_start(const struct config *cfg, struct agent *ag)
{
	int to[2], from[2];

	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0)
		return sys_fail("pipe");
	ag->pid = fork();
	if (ag->pid < 0)
		return sys_fail("fork");
	if (ag->pid == 0) {
		if (dup2(to[0], 0) < 0 || dup2(from[1], 1) < 0)
			_exit(127);
		execl(cfg->agent, cfg->agent, (char *)NULL);
		fprintf(stderr, "%s: exec %s: %s\n", prog, cfg->agent, strerror(errno));
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	ag->in = fdopen(to[1], "w");
	ag->out = fdopen(from[0], "r");
	if (!ag->in || !ag->out)
		return sys_fail("fdopen");
	return 0;
}

/* "add" or "del" for tunnel i, written at once (the agent learns of it now). */
static int agent_tell(const struct config *cfg, struct agent *ag, const char *cmd,
		      unsigned long i)
{
	char local[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	uint16_t lport, pport;

	peer_addr(cfg, i, &ss);
	lport = sa_text(&cfg->local, local, sizeof(local));
	pport = sa_text(&ss, peer, sizeof(peer));
	if (fprintf(ag->in, "%s %s %u %s %u\n", cmd, local, lport, peer, pport) < 0 ||
	    fflush(ag->in))
		return sys_fail("writing to the agent");
	return 0;
}

/* Wait until the agent has done everything it was told; print its counts. */
static int agent_sync(struct agent *ag)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (fputs("sync\n", ag->in) < 0 || fflush(ag->in))
		return sys_fail("writing to the agent");
	if (getline(&line, &cap, ag->out) <= 0 || strncmp(line, "done ", 5)) {
		fprintf(stderr, "%s: the agent did not answer sync\n", prog);
		ret = 1;
	} else {
		printf("agent %s", line + 5);
	}
	free(line);
	return ret;
}

static int agent_stop(struct agent *ag)
{
	int status;

	if (ag->in)
		fclose(ag->in);
	if (ag->out)
		fclose(ag->out);
	if (ag->pid <= 0)
		return 0;
	if (waitpid(ag->pid, &status, 0) < 0)
		return sys_fail("waitpid(agent)");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: the agent failed (status %d)\n", prog, status);
		return 1;
	}
	return 0;
}

/* Soft RLIMIT_NOFILE up to the hard limit; fail if that is not enough. */
static int raise_nofile(unsigned long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return sys_fail("getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		fprintf(stderr,
			"%s: need %lu file descriptors, but the RLIMIT_NOFILE hard limit is %llu (raise it with ulimit -Hn as root)\n",
			prog, need, (unsigned long long)rl.rlim_max);
		return 1;
	}
	if (rl.rlim_max == RLIM_INFINITY)
		rl.rlim_cur = rl.rlim_cur >= need ? rl.rlim_cur : need;
	else
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return sys_fail("setrlimit(RLIMIT_NOFILE)");
	return 0;
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
	uint16_t lport, pport;
	bool v6 = false;
	int opt;

	memset(cfg, 0, sizeof(*cfg));
	cfg->count = DEFAULT_COUNT;
	cfg->tid = DEFAULT_TID;
	cfg->interval_ms = DEFAULT_INTERVAL_MS;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:6n:t:p:w:sFc:i:h:TemM:A:", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case '6':
			v6 = true;
			break;
		case 'n':
			if (!parse_uint(optarg, MAX_COUNT, &cfg->count) ||
			    !cfg->count)
				return bad_arg("bad COUNT '%s' (want 1-%d)",
					       optarg, MAX_COUNT);
			break;
		case 't':
			if (!parse_uint(optarg, 65535, &cfg->tid) || !cfg->tid)
				return bad_arg("bad TID '%s' (want 1-65535)", optarg);
			break;
		case 'p':
			if (!parse_uint(optarg, 65535, &cfg->peer_tid) || !cfg->peer_tid)
				return bad_arg("bad PEER_TID '%s' (want 1-65535)", optarg);
			break;
		case 'w':
			if (!parse_seconds(optarg, &cfg->wait))
				return bad_arg("bad SECONDS '%s'", optarg);
			break;
		case 's':
			cfg->sessions = true;
			break;
		case 'F':
			cfg->fail = true;
			break;
		case 'c':
			if (!parse_uint(optarg, UINT32_MAX, &cfg->frames))
				return bad_arg("bad FRAMES '%s'", optarg);
			break;
		case 'i':
			if (!parse_uint(optarg, MAX_INTERVAL_MS, &cfg->interval_ms))
				return bad_arg("bad MS '%s' (want 0-%d)", optarg,
					       MAX_INTERVAL_MS);
			break;
		case 'h':
			if (!parse_seconds(optarg, &cfg->hold))
				return bad_arg("bad HOLD_SECONDS '%s'", optarg);
			break;
		case 'T':
			cfg->timing = true;
			break;
		case 'e':
			cfg->eager = true;
			break;
		case 'm':
			cfg->many = true;
			break;
		case 'M': {
			char *end;
			unsigned long m;

			errno = 0;
			m = strtoul(optarg, &end, 0);
			if (errno || *end || end == optarg || m > UINT32_MAX)
				return bad_arg("bad MARK '%s'", optarg);
			cfg->mark = m;
			cfg->set_mark = true;
			break;
		}
		case 'A':
			cfg->agent = optarg;
			break;
		case 'H':
			usage(stdout);
			return -1;
		default:
			return bad_option(opt, argv);
		}
	}
	if (argc - optind != 4)
		return bad_arg("expected LOCAL_ADDR LOCAL_PORT PEER_ADDR PEER_PORT");
	argv += optind;
	if (!parse_port(argv[1], &lport))
		return bad_arg("bad LOCAL_PORT '%s' (want 1-65535)", argv[1]);
	if (!parse_port(argv[3], &pport))
		return bad_arg("bad PEER_PORT '%s' (want 1-65535)", argv[3]);
	cfg->locallen = parse_addr(argv[0], lport, &cfg->local);
	if (!cfg->locallen)
		return bad_arg("bad LOCAL_ADDR '%s'", argv[0]);
	cfg->peerlen = parse_addr(argv[2], pport, &cfg->peer);
	if (!cfg->peerlen)
		return bad_arg("bad PEER_ADDR '%s'", argv[2]);
	cfg->family = v6 ? AF_INET6 : AF_INET;
	if (cfg->local.ss_family != cfg->family ||
	    cfg->peer.ss_family != cfg->family)
		return bad_arg("both addresses must be %s%s", v6 ? "IPv6" : "IPv4",
			       v6 ? "" : " (use -6 for IPv6)");
	if (cfg->tid + cfg->count - 1 > 65535)
		return bad_arg("TID %lu + COUNT %lu - 1 exceeds 65535",
			       cfg->tid, cfg->count);
	if (cfg->peer_tid && cfg->peer_tid + cfg->count - 1 > 65535)
		return bad_arg("PEER_TID %lu + COUNT %lu - 1 exceeds 65535",
			       cfg->peer_tid, cfg->count);
	if (!cfg->many && pport + cfg->count - 1 > 65535)
		return bad_arg("PEER_PORT %u + COUNT %lu - 1 exceeds 65535",
			       pport, cfg->count);
	return 0;
}

int main(int argc, char **argv)
{
	struct agent ag = { .pid = -1 };
	struct send_count sc = { 0 };
	unsigned long i, closed = 0;
	double t0, t1;
	struct tunnel *t;
	sigset_t waitmask;
	struct config cfg;
	int ret;

	ret = parse_args(argc, argv, &cfg);
	if (ret)
		return ret < 0 ? 0 : ret;

	ret = raise_nofile(cfg.count * (cfg.sessions ? 3 : 2) + SPARE_FDS);
	if (ret)
		return ret;
	if (setup_signals(&waitmask) < 0)
		return sys_fail("signals");
	t = calloc(cfg.count, sizeof(*t));
	if (!t)
		return sys_fail("calloc");
	for (i = 0; i < cfg.count; i++)
		t[i].udp = t[i].tun = t[i].sess = -1;
	if (cfg.agent) {
		ret = agent_start(&cfg, &ag);
		if (ret) {
			agent_stop(&ag);
			free(t);
			return ret;
		}
	}

	t0 = now();
	for (i = 0; i < cfg.count && !ret; i++) {
		ret = open_tunnel(&cfg, i, &t[i]);
		if (!ret && cfg.agent)
			ret = agent_tell(&cfg, &ag, "add", i);
		if (!ret && cfg.eager && cfg.frames)
			send_one(&cfg, t, i, 0, &sc);
	}
	t1 = now();
	if (ret) {
		close_all(t, cfg.count, &closed);
		agent_stop(&ag);
		free(t);
		return ret;
	}

	printf("tunnels=%lu sessions=%lu\n", cfg.count,
	       cfg.sessions ? cfg.count : 0);
	if (cfg.timing)
		printf("open_s=%.6f\n", t1 - t0);
	if (fflush(stdout))
		ret = sys_fail("writing output");
	fputs("ready\n", stderr);
	fflush(stderr);

	if (!ret && cfg.frames && cfg.wait)
		sleep_until_stop(cfg.wait, &waitmask);
	if (!ret && cfg.frames)
		ret = send_frames(&cfg, t, &waitmask, cfg.eager ? 1 : 0, &sc);
	if (!ret && cfg.agent) {
		ret = agent_sync(&ag);
		if (!ret && cfg.timing)
			printf("protected_s=%.6f\n", now() - t0);
	}
	if (!ret)
		sleep_until_stop(cfg.hold, &waitmask);
	if (!ret) {
		unsigned long marked = 0;
		unsigned int mark;
		socklen_t len;

		for (i = 0; i < cfg.count && !ret; i++) {
			len = sizeof(mark);
			if (getsockopt(t[i].udp, SOL_SOCKET, SO_MARK, &mark, &len) < 0)
				ret = sys_fail("getsockopt(SO_MARK)");
			else if (mark)
				marked++;
		}
		printf("marked=%lu\n", marked);
	}

	t0 = now();
	if (!close_all(t, cfg.count, &closed))
		ret = sys_fail("close");
	for (i = 0; cfg.agent && i < cfg.count && !ret; i++)
		ret = agent_tell(&cfg, &ag, "del", i);
	if (!ret && cfg.agent)
		ret = agent_sync(&ag);
	t1 = now();
	if (agent_stop(&ag))
		ret = 1;
	free(t);
	printf("closed=%lu\n", closed);
	if (cfg.timing)
		printf("close_s=%.6f\n", t1 - t0);
	if (fflush(stdout))
		ret = sys_fail("writing output");
	return ret;
}
