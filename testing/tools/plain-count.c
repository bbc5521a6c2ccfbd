// SPDX-License-Identifier: GPL-2.0
/*
 * plain-count - test helper: count the frames an interface sends and
 * receives, by kind, so test scripts can prove that no plaintext L2TP left
 * while IPsec was expected to protect it.
 *
 *   plain-count [-v] [-p PORT]... IFNAME SECONDS
 *
 * An AF_PACKET socket bound to IFNAME sees every frame in both directions
 * (outgoing ones included; on "lo" each packet is therefore seen twice).
 * "ready" goes to stderr once it is bound; counting stops SECONDS
 * (fractional ok) later, or on SIGTERM/SIGINT.  Each frame is counted once:
 *	esp	IPv4/IPv6 protocol 50 (non-first fragments included)
 *	udp_esp	UDP with port 4500 on either side (NAT-T ESP and IKE)
 *	ike	UDP with port 500 on either side
 *	plain	UDP with a -p PORT (default 1701; up to 16 -p) on either side
 *	other	anything else, including non-first fragments of non-ESP
 * Ethernet (one or two 802.1Q/802.1ad tags skipped) and link types without
 * a link-layer header (ppp, xfrm, ip tunnels) are understood; IPv4 honours
 * IHL, IPv6 walks hop-by-hop, routing, destination-options and fragment
 * headers.
 *
 * Output (stdout), at the end:
 *	plain=N esp=N udp_esp=N ike=N other=N drops=N
 * where drops is what the socket lost (PACKET_STATISTICS): tests should
 * require drops=0.  With -v, before it, one line per plaintext frame:
 *	plain SRC:SPORT -> DST:DPORT len=L
 * L being the UDP payload length; IPv6 addresses are shown as [ADDR].
 *
 * Exit status: 0 ok, 1 socket error, 2 bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
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
#include <sys/socket.h>
/* After the libc headers, so that linux/libc-compat.h avoids clashes. */
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "common.h"

#define DEFAULT_PORT		1701
#define MAX_PORTS		16
#define PORT_NATT		4500
#define PORT_IKE		500
#define IPPROTO_ESP_NUM		50
#define RCVBUF_BYTES		(4 << 20)
#define MAX_EXT_HDRS		16
#define SNAP_LEN		4096	/* headers are all we look at */
#define BATCH			256	/* frames per drain() inside the window */
#define FINAL_BATCH		65536	/* bound on the final drain() */

const char *prog = "plain-count";

enum kind { K_PLAIN, K_ESP, K_UDP_ESP, K_IKE, K_OTHER, K_NR };

static const char *const kind_names[K_NR] = {
	"plain", "esp", "udp_esp", "ike", "other"
};

struct opts {
	uint16_t ports[MAX_PORTS];
	unsigned int nports;
	bool verbose;
	const char *ifname;
	double seconds;
};

/* What the parser found out about one frame. */
struct pkt {
	int family;			/* AF_INET, AF_INET6, 0 if neither */
	unsigned char src[16], dst[16];
	uint8_t proto;			/* transport protocol */
	bool has_ports;			/* UDP header present and complete */
	uint16_t sport, dport, udp_payload;
};

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [-v] [-p PORT]... IFNAME SECONDS\n"
		"       %s -h | --help\n"
		"Count the frames IFNAME sends and receives for SECONDS (fractional ok;\n"
		"SIGTERM/SIGINT stops early); \"ready\" goes to stderr once listening.\n"
		"Prints \"plain=N esp=N udp_esp=N ike=N other=N drops=N\":\n"
		"  esp      IP protocol 50\n"
		"  udp_esp  UDP port %d on either side (NAT-T, IKE)\n"
		"  ike      UDP port %d on either side\n"
		"  plain    UDP with a PORT on either side (default %d; up to %d -p)\n"
		"  other    everything else\n"
		"  drops    frames the packet socket lost (should be 0)\n"
		"  -v       also print \"plain SRC:SPORT -> DST:DPORT len=L\" per plain\n"
		"           frame (L: UDP payload bytes)\n"
		"Exit status: 0 ok, 1 socket error, 2 bad arguments.\n",
		prog, prog, PORT_NATT, PORT_IKE, DEFAULT_PORT, MAX_PORTS);
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* UDP header at p (len bytes left), if the protocol is UDP. */
static void parse_l4(struct pkt *pkt, const unsigned char *p, size_t len)
{
	if (pkt->proto != IPPROTO_UDP || len < 8)
		return;
	pkt->has_ports = true;
	pkt->sport = get16(p);
	pkt->dport = get16(p + 2);
	pkt->udp_payload = get16(p + 4) >= 8 ? get16(p + 4) - 8 : 0;
}

static void parse_ipv4(struct pkt *pkt, const unsigned char *p, size_t len)
{
	size_t ihl;

	if (len < 20 || p[0] >> 4 != 4)
		return;
	ihl = (p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return;
	pkt->family = AF_INET;
	pkt->proto = p[9];
	memcpy(pkt->src, p + 12, 4);
	memcpy(pkt->dst, p + 16, 4);
	if (get16(p + 6) & 0x1fff)	/* non-first fragment: no L4 header */
		return;
	parse_l4(pkt, p + ihl, len - ihl);
}

static void parse_ipv6(struct pkt *pkt, const unsigned char *p, size_t len)
{
	size_t off = 40, hlen;
	uint8_t nh;
	int n;

	if (len < 40 || p[0] >> 4 != 6)
		return;
	pkt->family = AF_INET6;
	memcpy(pkt->src, p + 8, 16);
	memcpy(pkt->dst, p + 24, 16);
	nh = p[6];
	for (n = 0; n < MAX_EXT_HDRS; n++) {
		pkt->proto = nh;
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
		    nh != IPPROTO_DSTOPTS && nh != IPPROTO_FRAGMENT)
			break;
		if (len - off < 8)
			return;
		if (nh == IPPROTO_FRAGMENT) {
			hlen = 8;
			/* Non-first fragment: classify by its next header only. */
			if (get16(p + off + 2) & 0xfff8) {
				pkt->proto = p[off];
				return;
			}
		} else {
			hlen = (p[off + 1] + 1) * 8;
		}
		if (hlen > len - off)
			return;
		nh = p[off];
		off += hlen;
	}
	if (n == MAX_EXT_HDRS)
		return;
	parse_l4(pkt, p + off, len - off);
}

static void parse_l3(struct pkt *pkt, uint16_t ethertype,
		     const unsigned char *p, size_t len)
{
	if (ethertype == ETH_P_IP)
		parse_ipv4(pkt, p, len);
	else if (ethertype == ETH_P_IPV6)
		parse_ipv6(pkt, p, len);
}

static bool has_eth_header(uint16_t hatype)
{
	return hatype == ARPHRD_ETHER || hatype == ARPHRD_LOOPBACK;
}

/*
 * Fill pkt from a frame as an AF_PACKET SOCK_RAW socket delivers it: with
 * the Ethernet header on Ethernet-like devices, starting at the network
 * header on devices without a link-layer header (sll_protocol tells what).
 */
static void parse_frame(struct pkt *pkt, const struct sockaddr_ll *sll,
			const unsigned char *p, size_t len)
{
	uint16_t ethertype;
	int tags = 0;

	memset(pkt, 0, sizeof(*pkt));
	if (!has_eth_header(sll->sll_hatype)) {
		if (len && (p[0] >> 4 == 4 || p[0] >> 4 == 6))
			parse_l3(pkt, ntohs(sll->sll_protocol), p, len);
		return;
	}
	if (len < ETH_HLEN)
		return;
	ethertype = get16(p + 12);
	p += ETH_HLEN;
	len -= ETH_HLEN;
	while ((ethertype == ETH_P_8021Q || ethertype == ETH_P_8021AD) &&
	       tags++ < 2) {
		if (len < 4)
			return;
		ethertype = get16(p + 2);
		p += 4;
		len -= 4;
	}
	parse_l3(pkt, ethertype, p, len);
}

static bool port_in(const struct opts *o, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < o->nports; i++)
		if (o->ports[i] == port)
			return true;
	return false;
}

static enum kind classify(const struct opts *o, const struct pkt *pkt)
{
	if (!pkt->family)
		return K_OTHER;
	if (pkt->proto == IPPROTO_ESP_NUM)
		return K_ESP;
	if (!pkt->has_ports)
		return K_OTHER;
	if (pkt->sport == PORT_NATT || pkt->dport == PORT_NATT)
		return K_UDP_ESP;
	if (pkt->sport == PORT_IKE || pkt->dport == PORT_IKE)
		return K_IKE;
	if (port_in(o, pkt->sport) || port_in(o, pkt->dport))
		return K_PLAIN;
	return K_OTHER;
}

static void print_plain(const struct pkt *pkt)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	bool v6 = pkt->family == AF_INET6;

	inet_ntop(pkt->family, pkt->src, src, sizeof(src));
	inet_ntop(pkt->family, pkt->dst, dst, sizeof(dst));
	printf("plain %s%s%s:%u -> %s%s%s:%u len=%u\n",
	       v6 ? "[" : "", src, v6 ? "]" : "", pkt->sport,
	       v6 ? "[" : "", dst, v6 ? "]" : "", pkt->dport, pkt->udp_payload);
}

/*
 * Count up to max queued frames (bounded, so that a flood cannot keep us
 * past the deadline); returns false on a real socket error.
 */
static bool drain(int fd, const struct opts *o, unsigned long *counts,
		  unsigned long max)
{
	static unsigned char buf[SNAP_LEN];
	struct sockaddr_ll sll;
	socklen_t slen;
	struct pkt pkt;
	enum kind k;
	ssize_t n;

	while (max--) {
		slen = sizeof(sll);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&sll, &slen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno != EINTR)
				return false;
			continue;
		}
		parse_frame(&pkt, &sll, buf, n);
		k = classify(o, &pkt);
		counts[k]++;
		if (k == K_PLAIN && o->verbose)
			print_plain(&pkt);
	}
	return true;
}

static int read_drops(int fd, unsigned long *drops)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	/* Reading the statistics also resets them. */
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return -1;
	*drops = st.tp_drops;
	return 0;
}

/*
 * Protocol 0 at socket() time, so nothing is queued before bind() has
 * limited the socket to IFNAME; bind() then asks for every protocol.
 */
static int open_socket(const char *ifname, int *fdp)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	int size = RCVBUF_BYTES;
	unsigned long drops;
	int fd;

	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "%s: interface '%s': %s\n", prog, ifname,
			strerror(errno));
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sys_fail("socket(AF_PACKET)");
	*fdp = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		return sys_fail("setsockopt(SO_RCVBUF)");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return sys_fail("bind(AF_PACKET)");
	if (read_drops(fd, &drops) < 0)
		return sys_fail("getsockopt(PACKET_STATISTICS)");
	return 0;
}

static int count_loop(int fd, const struct opts *o, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned long counts[K_NR] = { 0 }, drops;
	double end;
	struct timespec left;
	int k;

	end = now() + o->seconds;
	fputs("ready\n", stderr);
	fflush(stderr);

	while (!stop && time_left(end, &left)) {
		if (ppoll(&pfd, 1, &left, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return sys_fail("poll");
		}
		if (pfd.revents && !drain(fd, o, counts, BATCH))
			return sys_fail("recv");
	}
	if (!drain(fd, o, counts, FINAL_BATCH))
		return sys_fail("recv");
	if (read_drops(fd, &drops) < 0)
		return sys_fail("getsockopt(PACKET_STATISTICS)");

	for (k = 0; k < K_NR; k++)
		printf("%s=%lu ", kind_names[k], counts[k]);
	printf("drops=%lu\n", drops);
	return fflush(stdout) ? sys_fail("writing output") : 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	unsigned long port;
	int opt;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (!parse_uint(optarg, 65535, &port) || !port)
				return bad_arg("bad PORT '%s' (want 1-65535)", optarg);
			if (port == PORT_NATT || port == PORT_IKE)
				return bad_arg("PORT %lu is counted as %s, not plain",
					       port, port == PORT_IKE ? "ike" : "udp_esp");
			if (o->nports == MAX_PORTS)
				return bad_arg("at most %d -p options", MAX_PORTS);
			o->ports[o->nports++] = port;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return bad_option(opt, argv);
		}
	}
	if (argc - optind != 2)
		return bad_arg("expected IFNAME SECONDS");
	o->ifname = argv[optind];
	if (!*o->ifname || strlen(o->ifname) >= IF_NAMESIZE)
		return bad_arg("bad IFNAME '%s'", o->ifname);
	if (!parse_seconds(argv[optind + 1], &o->seconds))
		return bad_arg("bad SECONDS '%s'", argv[optind + 1]);
	if (!o->nports)
		o->ports[o->nports++] = DEFAULT_PORT;
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t waitmask;
	struct opts o;
	int fd = -1, ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	if (setup_signals(&waitmask) < 0)
		return sys_fail("signals");
	ret = open_socket(o.ifname, &fd);
	if (!ret)
		ret = count_loop(fd, &o, &waitmask);
	if (fd >= 0)
		close(fd);
	return ret;
}
