/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l2tp-ipsec - the control utility of the l2tp_ipsec module: what its files share.
 *
 * Data flows one way and each step is a file of its own, so the unit test
 * (test-l2tp-ipsec.c) can drive every step but the socket without a kernel:
 *
 *   l2tp-ipsec-args.c   argv -> struct lipsec_req (the grammar, usage text)
 *   l2tp-ipsec-msg.c    struct lipsec_req -> request nlmsghdr; received nlmsghdr ->
 *                       struct lipsec_msg; errors and extended ACKs; collecting a dump
 *   l2tp-ipsec-print.c  struct lipsec_msg -> text or JSON on a FILE *
 *   l2tp-ipsec-json.c   the JSON writer (escaping, pretty printing)
 *   l2tp-ipsec-nl.c     the generic netlink socket: family lookup (tools/lib/genl.c),
 *                       requests, dumps, the event loop (not linked into the unit test)
 *   l2tp-ipsec.c        main(): network namespace, dispatch, exit status
 *
 * Every non-static symbol starts with lipsec_. Numbers are in host byte order in every
 * struct here; the big-endian attributes are converted when built and parsed.
 */
#ifndef _L2TPI_TOOLS_L2TP_IPSEC_H
#define _L2TPI_TOOLS_L2TP_IPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/netlink.h>

/* Exit status: like iproute2. */
#define LIPSEC_EXIT_OK		0
#define LIPSEC_EXIT_FAIL	1	/* kernel or system error */
#define LIPSEC_EXIT_USAGE	2	/* bad arguments; nothing was sent */

/* Multi attributes kept per object; more are counted in n_* but not stored. */
#define LIPSEC_MAX_INDEX	16
#define LIPSEC_MAX_SA		4

/* Room for a string attribute (longer ones are cut). */
#define LIPSEC_STR_LEN		256

/* Room for an error message (ours or the kernel's extended ACK). */
#define LIPSEC_ERR_LEN		512

/* Large enough for any netlink dump skb (the kernel caps them at 32 KiB). */
#define LIPSEC_RECV_BUF		65536

/* Room for a request (and for a canned message in the unit test). */
#define LIPSEC_MSG_BUF		8192

/* Bit of attribute type t in a has mask. */
/* client negotiate: how long to wait for the SAs by default, and at most (seconds) */
#define LIPSEC_NEGOTIATE_TIMEOUT	60
#define LIPSEC_NEGOTIATE_TIMEOUT_MAX	3600

#define LIPSEC_BIT(t)		(1u << (t))
#define LIPSEC_HAS(obj, t)	(!!((obj)->has & LIPSEC_BIT(t)))

enum lipsec_action {
	LIPSEC_HELP,		/* usage to stdout */
	LIPSEC_VERSION,
	LIPSEC_SHOW_ALL,	/* config, clients, tunnels with their policies, policies */
	LIPSEC_CONFIG_SHOW,
	LIPSEC_CONFIG_SET,	/* config set, server on|off */
	LIPSEC_CLIENT_ADD,
	LIPSEC_CLIENT_DEL,
	LIPSEC_CLIENT_SHOW,
	LIPSEC_CLIENT_NEGOTIATE,	/* then wait for both SAs */
	LIPSEC_TUNNEL_SHOW,
	LIPSEC_POLICY_SHOW,
	LIPSEC_MONITOR,
};

/* An address attribute pair (..._IPV4 / ..._IPV6). */
struct lipsec_addr {
	int family;		/* AF_INET, AF_INET6, or 0: absent */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/* L2TP_IPSEC_A_CONFIG: has bits are L2TP_IPSEC_A_CONFIG_*. */
struct lipsec_config {
	uint32_t has;
	bool server;
	uint16_t port;
	uint32_t reqid;
	uint32_t priority;
	uint32_t level;
	bool auto_attach;
	bool restore;
	uint32_t max_tunnels;
	bool armed;				/* replies only */
	char unarmed_reason[LIPSEC_STR_LEN];	/* replies only */
	bool guard;				/* replies only */
};

/* L2TP_IPSEC_A_TUNNEL_SA and L2TP_IPSEC_A_CLIENT_SA: has bits are L2TP_IPSEC_A_SA_*. */
struct lipsec_sa {
	uint32_t has;
	uint32_t dir;
	uint32_t state;
	uint32_t spi;
	uint32_t reqid;
	uint64_t bytes;
	uint64_t packets;
	uint16_t encap_sport, encap_dport;	/* UDP encapsulation (NAT-T) */
};

/*
 * L2TP_IPSEC_A_CLIENT: has bits are L2TP_IPSEC_A_CLIENT_* (the server address is
 * present when server.family is set).
 */
struct lipsec_client {
	uint32_t has;
	struct lipsec_addr server;
	uint16_t sport;
	uint32_t lifetime;
	uint32_t tunnels;
	unsigned int n_index;
	uint32_t index[LIPSEC_MAX_INDEX];
	unsigned int n_sa;			/* replies only */
	struct lipsec_sa sa[LIPSEC_MAX_SA];
};

/* L2TP_IPSEC_A_TUNNEL: has bits are L2TP_IPSEC_A_TUNNEL_*. */
struct lipsec_tunnel {
	uint32_t has;
	uint32_t id;
	struct lipsec_addr local, peer;
	uint16_t local_port, peer_port;
	unsigned int n_index;
	uint32_t index[LIPSEC_MAX_INDEX];
	unsigned int n_sa;
	struct lipsec_sa sa[LIPSEC_MAX_SA];
	/* replies only: the inbound SA the tunnel's frames arrive in, and injections */
	uint32_t bound_spi;
	uint16_t bound_encap_port;
	uint32_t foreign;
};

/* L2TP_IPSEC_A_REFUSED: has bits are L2TP_IPSEC_A_REFUSED_*. */
struct lipsec_refused {
	uint32_t has;
	uint32_t unprivileged;
	uint32_t inexact;
	uint32_t limit;
};

/* L2TP_IPSEC_A_POLICY: has bits are L2TP_IPSEC_A_POLICY_*. */
struct lipsec_policy {
	uint32_t has;
	uint32_t index;
	uint32_t dir;
	uint16_t family;
	struct lipsec_addr src, dst;
	uint8_t src_prefixlen, dst_prefixlen;
	uint8_t proto;
	uint16_t sport, dport;
	uint32_t mark;
	uint32_t priority;
	bool block;
	uint32_t reqid;
	uint32_t level;
	uint32_t origin;
	uint32_t owners;
	bool shadowed;
	int32_t error;
};

/* L2TP_IPSEC_A_ACQUIRE: has bits are L2TP_IPSEC_A_ACQUIRE_*. */
struct lipsec_acquire {
	uint32_t has;
	uint32_t policy_index;
	uint32_t dir;
	uint32_t reqid;
	struct lipsec_addr src, dst;
	uint16_t sport, dport;
};

/* One l2tp_ipsec message: has bits are L2TP_IPSEC_A_*. */
struct lipsec_msg {
	uint8_t cmd;
	uint32_t has;
	struct lipsec_config config;
	struct lipsec_client client;
	struct lipsec_tunnel tunnel;
	struct lipsec_policy policy;
	uint32_t restored;
	struct lipsec_acquire acquire;
	struct lipsec_refused refused;
	uint32_t refusal;	/* enum l2tp_ipsec_refusal */
};

/* What the command line asks for. */
struct lipsec_req {
	enum lipsec_action action;
	const char *what;	/* "client add": names the command in messages */
	bool json;
	bool pretty;
	const char *netns;	/* -n NETNS, or NULL */
	struct lipsec_config config;	/* LIPSEC_CONFIG_SET */
	struct lipsec_client client;	/* LIPSEC_CLIENT_ADD, _DEL, _NEGOTIATE */
	unsigned int timeout;		/* LIPSEC_CLIENT_NEGOTIATE: seconds to wait */
	const char *help;	/* LIPSEC_HELP: the object, or NULL for all */
};

/* l2tp-ipsec-args.c */

/* The prefix of every message, as tools/lib/util.h wants it. */
extern const char *prog;
/* The usage lines of one object ("client"), or all of them for NULL. */
void lipsec_usage(FILE *f, const char *object);

/*
 * Parse argv[1..argc-1] (options, OBJECT, COMMAND, ARGS) into req. Returns 0, or
 * LIPSEC_EXIT_USAGE with the reason, naming the argument, in err (without the
 * "l2tp-ipsec: " prefix). Nothing is printed; may be called again (resets getopt).
 */
int lipsec_parse_args(int argc, char **argv, struct lipsec_req *req,
		      char *err, size_t errlen);

/* l2tp-ipsec-msg.c */

/* Received or canned messages, back to back (each NLMSG_ALIGNed). */
struct lipsec_buf {
	char *data;
	size_t len, cap;
};

int lipsec_buf_add(struct lipsec_buf *b, const struct nlmsghdr *nlh);
void lipsec_buf_free(struct lipsec_buf *b);
/* Iterate: nlh = NULL first; returns the next message or NULL. */
const struct nlmsghdr *lipsec_buf_next(const struct lipsec_buf *b,
				       const struct nlmsghdr *nlh);

/* nlmsghdr + genlmsghdr for family/cmd in buf (LIPSEC_MSG_BUF bytes). */
struct nlmsghdr *lipsec_put_header(void *buf, uint16_t family, uint8_t cmd,
				   uint16_t flags, uint32_t seq);
void lipsec_put_config(struct nlmsghdr *nlh, const struct lipsec_config *cfg);
void lipsec_put_client(struct nlmsghdr *nlh, const struct lipsec_client *c);
/* The genl command of a request (CONFIG_SET, CLIENT_ADD, ...; a dump's GET). */
uint8_t lipsec_req_cmd(const struct lipsec_req *req);
/* The whole request of a do command (CONFIG_SET, CLIENT_ADD, CLIENT_DEL). */
struct nlmsghdr *lipsec_build_request(void *buf, const struct lipsec_req *req,
				      uint16_t family, uint32_t seq);
/* A dump request of one GET command. */
struct nlmsghdr *lipsec_build_dump(void *buf, uint16_t family, uint8_t cmd, uint32_t seq);

/*
 * Parse an l2tp_ipsec message. Attributes of unknown type or wrong length are
 * ignored. Returns 0, or -1 when there is no generic netlink header.
 */
int lipsec_msg_parse(const struct nlmsghdr *nlh, struct lipsec_msg *m);

/* An error from NLMSG_ERROR or NLMSG_DONE, with the extended ACK message. */
struct lipsec_nlerr {
	int err;			/* positive errno, 0: none */
	char msg[LIPSEC_ERR_LEN];	/* NLMSGERR_ATTR_MSG, or "" */
};

/*
 * Parse NLMSG_ERROR (error or ACK) or NLMSG_DONE (a dump's end, which may carry an
 * error). Returns 0 with *e filled, -1 if nlh is neither or is truncated.
 */
int lipsec_parse_nlerr(const struct nlmsghdr *nlh, struct lipsec_nlerr *e);

/*
 * "WHAT: strerror (kernel message)" into buf; EPERM adds "CAP_NET_ADMIN is needed"
 * inside the parentheses.
 */
void lipsec_format_nlerr(char *buf, size_t len, const char *what,
			 const struct lipsec_nlerr *e);

/* Collects the replies of one request (dump or do) from received datagrams. */
struct lipsec_collect {
	uint16_t family;	/* keep only messages of this type */
	uint32_t seq;
	uint32_t portid;
	struct lipsec_buf msgs;
	bool intr;		/* NLM_F_DUMP_INTR seen: the dump may be inconsistent */
	struct lipsec_nlerr err;
};

#define LIPSEC_FEED_MORE	1	/* receive more */
#define LIPSEC_FEED_DONE	0	/* NLMSG_DONE or ACK */
#define LIPSEC_FEED_ERR		(-1)	/* c->err has the error */

int lipsec_collect_feed(struct lipsec_collect *c, const void *buf, size_t len);

/* l2tp-ipsec-print.c */

struct lipsec_fmt {
	FILE *f;
	bool json;
	bool pretty;
};

/* Names of the enums, NULL for an unknown value. */
const char *lipsec_level_name(uint32_t v);
const char *lipsec_origin_name(uint32_t v);
const char *lipsec_lifetime_name(uint32_t v);
const char *lipsec_dir_name(uint32_t v);
const char *lipsec_sa_state_name(uint32_t v);
const char *lipsec_refusal_name(uint32_t v);

/*
 * The output of a show (CONFIG_SHOW, CLIENT_SHOW, TUNNEL_SHOW, POLICY_SHOW) from its
 * dump messages: text lines, or one JSON array.
 */
void lipsec_print_dump(const struct lipsec_fmt *fmt, enum lipsec_action action,
		       const struct lipsec_buf *msgs);

/* The combined view (l2tp-ipsec show) from the four dumps. */
void lipsec_print_view(const struct lipsec_fmt *fmt, const struct lipsec_buf *config,
		       const struct lipsec_buf *clients, const struct lipsec_buf *tunnels,
		       const struct lipsec_buf *policies);

/* One event: one text line, or one JSON object (one line unless pretty). */
void lipsec_print_event(const struct lipsec_fmt *fmt, const struct nlmsghdr *nlh);

/* l2tp-ipsec-json.c */

#define LIPSEC_JSON_DEPTH	16

struct lipsec_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[LIPSEC_JSON_DEPTH];
};

void lipsec_json_init(struct lipsec_json *j, FILE *f, bool pretty);
/* key is NULL inside arrays and at the top. */
void lipsec_json_obj_open(struct lipsec_json *j, const char *key);
void lipsec_json_obj_close(struct lipsec_json *j);
void lipsec_json_arr_open(struct lipsec_json *j, const char *key);
void lipsec_json_arr_close(struct lipsec_json *j);
void lipsec_json_str(struct lipsec_json *j, const char *key, const char *s);
void lipsec_json_uint(struct lipsec_json *j, const char *key, uint64_t v);
void lipsec_json_int(struct lipsec_json *j, const char *key, int64_t v);
void lipsec_json_bool(struct lipsec_json *j, const char *key, bool v);
/* s as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
void lipsec_json_quote(FILE *f, const char *s);

/* l2tp-ipsec-nl.c */

struct mnl_socket;

struct lipsec_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t events;	/* mcast group id, 0 if none */
	uint32_t seq;
	char *buf;		/* LIPSEC_RECV_BUF bytes */
};

/* Open the socket and look the family up; returns an exit status, messages printed. */
int lipsec_nl_open(struct lipsec_nl *nl);
void lipsec_nl_close(struct lipsec_nl *nl);
/* Run a dump of cmd into msgs (retried when interrupted); returns an exit status. */
int lipsec_nl_dump(struct lipsec_nl *nl, const char *what, uint8_t cmd,
		   struct lipsec_buf *msgs);
/* Send a do request and wait for its ACK; returns an exit status. */
int lipsec_nl_do(struct lipsec_nl *nl, const char *what, const struct nlmsghdr *req);
/* Print events until SIGINT/SIGTERM; returns an exit status. */
int lipsec_nl_monitor(struct lipsec_nl *nl, const struct lipsec_fmt *fmt);

#endif /* _L2TPI_TOOLS_L2TP_IPSEC_H */
