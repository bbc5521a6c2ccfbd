/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * l2tp_ipsec: IPsec (ESP transport) policies for L2TP that appear by themselves.
 *
 * This header is the contract between the l2tp_ipsec kernel module and userspace.
 * The generic netlink part (the enums below the constants) is also described by
 * netlink/l2tp_ipsec.yaml in the source tree; `make check` fails if they differ.
 *
 * Policies
 * --------
 * The module owns xfrm policies in the SPD of a network namespace. With server mode on
 * it installs the "L2TP server filter" of Microsoft KB 248750 ("Me to Any, UDP 1701"),
 * for IPv4 and for IPv6:
 *
 *   dir out: proto udp, sport PORT, any source, any destination
 *   dir in:  proto udp, dport PORT, any source, any destination
 *
 * each with one template: proto esp, mode transport, any addresses, reqid REQID,
 * level "required" (or "use": template optional). The policies carry priority
 * PRIORITY (lower wins in the Linux SPD). A client connection (the client filter,
 * "Me to Server, source port 1701") and every attached tunnel (exact 5-tuple, at
 * PRIORITY - 1) get the same kind of policies.
 *
 * Module parameters (all read-only in /sys/module/l2tp_ipsec/parameters); they are
 * the configuration of the initial network namespace at load time:
 *   server       bool   install the server policies (default 0)
 *   port         1..65535   the L2TP UDP port (default L2TP_IPSEC_DEFAULT_PORT)
 *   reqid        u32    reqid put in every template, so an IKE daemon's trap with the
 *                       same reqid serves the acquires (default 0: inbound, SAs of
 *                       any reqid match; outbound, none does, see
 *                       L2TP_IPSEC_PRIORITY_AUTO)
 *   priority     u32    SPD priority; 0 (the default): automatic, see
 *                       L2TP_IPSEC_PRIORITY_AUTO
 *   level        "require" | "use"   (default "require")
 *   auto_attach  bool   per-tunnel policies (default 1); 0 disarms it in every netns
 *   max_tunnels  1..4294967295   most attached tunnels per netns (default
 *                       L2TP_IPSEC_DEFAULT_MAX_TUNNELS)
 *   restore      bool   put owned policies back after a flush (default 1)
 * A bad value makes the module load fail with -EINVAL and a kernel message naming
 * the parameter; nothing is installed.
 *
 * Generic netlink family L2TP_IPSEC_GENL_NAME ("l2tp_ipsec")
 * ----------------------------------------------------------
 * Version L2TP_IPSEC_GENL_VERSION, one multicast group L2TP_IPSEC_MCGRP_EVENTS.
 * The family works in every network namespace (netnsok); each namespace has its own
 * configuration, client connections, tunnels and policies, and a request only ever
 * sees or changes those of the socket's namespace.
 *
 * Permissions: every command, the dumps included, needs CAP_NET_ADMIN in the user
 * namespace that owns the network namespace (GENL_UNS_ADMIN_PERM), as reading the
 * SPD through xfrm_user does; without it: -EPERM. Events are sent only to listeners
 * whose socket was opened with that capability (and on kernels >= 6.7 joining the
 * group without it fails with -EPERM).
 *
 * Requests are validated strictly: unknown attributes, wrong lengths and attributes
 * the command does not take are refused with -EINVAL, out-of-range values with
 * -ERANGE, each with an extended ACK that names the attribute. A request either
 * applies in full or changes nothing.
 *
 * Commands (attributes of the top level set L2TP_IPSEC_A_*):
 *
 * L2TP_IPSEC_CMD_CONFIG_GET (dump; request: nothing)
 *   One message with L2TP_IPSEC_A_CONFIG: every L2TP_IPSEC_A_CONFIG_* attribute,
 *   with ARMED (u8: auto-attach's probes are armed) and, when they are not,
 *   UNARMED_REASON (string), and GUARD (u8: the namespace has the output guard and
 *   the block policies, as it does while it has something of ours to protect).
 *
 * L2TP_IPSEC_CMD_CONFIG_SET (do; request: L2TP_IPSEC_A_CONFIG with any subset of
 *   L2TP_IPSEC_A_CONFIG_*)
 *   SERVER (u8 0|1), PORT (be16, 1..65535), REQID (u32), PRIORITY (u32, 0: automatic),
 *   LEVEL (u32, enum l2tp_ipsec_level), AUTO_ATTACH (u8 0|1), RESTORE (u8 0|1),
 *   MAX_TUNNELS (u32, >= 1). ARMED, UNARMED_REASON and GUARD are read-only
 *   (-EINVAL).
 *   With server mode on, a change of port replaces the server policies at once (the
 *   new ones are installed before the old ones go). A change of reqid, priority or
 *   level replaces every server, client and tunnel policy in place (same index).
 *   AUTO_ATTACH 0 detaches every tunnel of the namespace, 1 adopts the live ones.
 *   Sends L2TP_IPSEC_CMD_CONFIG_NTF when something changed.
 *   Errors: -EINVAL (bad attribute), -EOPNOTSUPP (AUTO_ATTACH 1 while the module
 *   was loaded with auto_attach=0), -ENOMEM.
 *
 * L2TP_IPSEC_CMD_CLIENT_ADD (do; request: L2TP_IPSEC_A_CLIENT with exactly one of
 *   SERVER_IPV4 (be32) and SERVER_IPV6 (16 bytes), optional SPORT (be16, default the
 *   configured port), optional LIFETIME (u32, enum l2tp_ipsec_lifetime, default
 *   L2TP_IPSEC_LIFETIME_CONNECTION))
 *   Installs the client filter: out udp sport SPORT to SERVER, in udp dport SPORT
 *   from SERVER. Errors: -EEXIST (declared already), -EINVAL, -ENOMEM.
 *
 * L2TP_IPSEC_CMD_CLIENT_DEL (do; request: L2TP_IPSEC_A_CLIENT with the server
 *   address and optional SPORT as for CLIENT_ADD)
 *   Errors: -ENOENT (no such connection), -EINVAL.
 *
 * L2TP_IPSEC_CMD_CLIENT_GET (dump; request: nothing)
 *   One message per connection with L2TP_IPSEC_A_CLIENT: SERVER_IPV4 or SERVER_IPV6,
 *   SPORT, LIFETIME, TUNNELS (live tunnels to the server), POLICY_INDEX (multi) and
 *   SA (multi nest, out then in, as in TUNNEL_GET) between the server and the local
 *   address a route to it picks (SA STATE NONE for both when there is no route).
 *
 * L2TP_IPSEC_CMD_CLIENT_NEGOTIATE (do; request: L2TP_IPSEC_A_CLIENT with the server
 *   address and SPORT (default: the configured port), as CLIENT_DEL)
 *   Asks the IKE daemon for the connection's SAs now: a kernel acquire for the
 *   connection's first frame (UDP from SPORT to the server's L2TP port, the
 *   configured port), as that frame would trigger, so IPsec can be up before L2TP
 *   starts. Returns at once; CLIENT_GET shows the SAs once they are up. An SA that
 *   exists already is left alone. Errors: -ENOENT (no such connection), the route
 *   lookup's (-ENETUNREACH...).
 *
 * L2TP_IPSEC_CMD_TUNNEL_GET (dump; request: nothing)
 *   One message per attached tunnel with L2TP_IPSEC_A_TUNNEL: ID (the L2TP tunnel
 *   id; absent when unknown), LOCAL_IPV4/LOCAL_IPV6, PEER_IPV4/PEER_IPV6,
 *   LOCAL_PORT, PEER_PORT (be16), POLICY_INDEX (multi: out, then in) and SA (multi
 *   nest of L2TP_IPSEC_A_SA_*: DIR, STATE (enum l2tp_ipsec_sa_state), and for an
 *   SA that exists SPI (be32), REQID, BYTES, PACKETS (u64)). The SA shown for a
 *   direction is the newest ESP state for the address pair (during a rekey, the new
 *   one, which the kernel also prefers for output). The dump ends with one message
 *   with L2TP_IPSEC_A_REFUSED: UNPRIVILEGED, INEXACT, LIMIT (u32), the tunnels
 *   auto-attach refused (enum l2tp_ipsec_refusal) since the namespace came up.
 *
 * L2TP_IPSEC_CMD_POLICY_GET (dump; request: nothing)
 *   One message per owned policy with L2TP_IPSEC_A_POLICY: INDEX (0 while not in
 *   the SPD), DIR (enum l2tp_ipsec_dir), FAMILY, SRC/DST address (IPV4 be32 or
 *   IPV6 16 bytes) and PREFIXLEN, PROTO, SPORT/DPORT (be16; absent: any), MARK,
 *   PRIORITY, BLOCK (flag: action block, no template) or REQID and LEVEL (the
 *   template), ORIGIN (enum l2tp_ipsec_origin), OWNERS, SHADOWED (flag: an equal
 *   policy that is not ours is in the SPD and ours stays out), ERROR (negative
 *   errno of the last failed install).
 *
 * Events (on L2TP_IPSEC_MCGRP_EVENTS, in the namespace where they happen):
 *
 * L2TP_IPSEC_CMD_CONFIG_NTF         L2TP_IPSEC_A_CONFIG, the whole new configuration.
 * L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF  L2TP_IPSEC_A_TUNNEL (as in TUNNEL_GET, without
 *                                   SA): the tunnel's policies are in.
 * L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF  L2TP_IPSEC_A_TUNNEL: the tunnel went, and its
 *                                   policies with it.
 * L2TP_IPSEC_CMD_RESTORE_NTF        L2TP_IPSEC_A_RESTORED (u32): that many owned
 *                                   policies were put back after someone removed them.
 * L2TP_IPSEC_CMD_ACQUIRE_NTF        L2TP_IPSEC_A_ACQUIRE: an owned policy needs an SA:
 *                                   POLICY_INDEX, DIR, REQID, SRC/DST address, SPORT,
 *                                   DPORT; enough for the agent to start IKE.
 * L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF  L2TP_IPSEC_A_TUNNEL (the 5-tuple and id as far as
 *                                   known) and L2TP_IPSEC_A_REFUSAL (u32, enum
 *                                   l2tp_ipsec_refusal): a new tunnel got no
 *                                   policies of its own. Rate-limited; the REFUSED
 *                                   counters count every one.
 */
#ifndef _UAPI_LINUX_L2TP_IPSEC_H
#define _UAPI_LINUX_L2TP_IPSEC_H

#define L2TP_IPSEC_GENL_NAME	"l2tp_ipsec"
#define L2TP_IPSEC_GENL_VERSION	1

/* The UDP port of L2TP (RFC 2661, RFC 3931). */
#define L2TP_IPSEC_DEFAULT_PORT		1701

/*
 * SPD priority of the module's policies (lower values win; per-tunnel policies get one
 * less). The default, L2TP_IPSEC_PRIORITY_AUTO, picks it from the reqid:
 *  - reqid set: L2TP_IPSEC_PRIORITY_REQID. The IKE daemon negotiates SAs of that reqid
 *    and installs no policies for them (strongSwan `policies = no`); ours carry the
 *    traffic, ahead of any policy a daemon computes (those are in the hundreds of
 *    thousands and millions), and 0..1023 stay for an administrator's exceptions.
 *  - reqid 0: L2TP_IPSEC_PRIORITY_FALLBACK. An outbound template of reqid 0 finds no
 *    SA (the kernel compares reqids on output; 0 matches any reqid only inbound), so
 *    the daemon's own policies (strongSwan at its defaults, libreswan) must carry the
 *    traffic: ours stay behind all of them and hold back L2TP in plaintext where the
 *    daemon has none (before it is up, after it stopped or flushed the SPD).
 */
#define L2TP_IPSEC_PRIORITY_AUTO	0
#define L2TP_IPSEC_PRIORITY_REQID	1024
#define L2TP_IPSEC_PRIORITY_FALLBACK	8388608

/* Default per-namespace limit on attached tunnels (config MAX_TUNNELS). */
#define L2TP_IPSEC_DEFAULT_MAX_TUNNELS	65536

/*
 * Fail closed. When auto-attach is on, every network namespace also holds two policies
 * of the module that match nothing but this mark: direction out, proto udp, any
 * address, IPv4 and IPv6, priority 0, action block. When the policies of a new tunnel
 * cannot be installed (no memory), the module gives its socket this mark, so its
 * frames are dropped (XfrmOutPolBlock) instead of leaving in plaintext, and retries in
 * process context; once the policies are in, the socket gets its own mark back.
 * Do not use this mark for anything else.
 */
#define L2TP_IPSEC_BLOCK_MARK		0x4c32b10c

/**
 * enum l2tp_ipsec_level - What the ESP template of an owned policy demands.
 * @L2TP_IPSEC_LEVEL_REQUIRE: Traffic must be protected; plaintext is dropped.
 * @L2TP_IPSEC_LEVEL_USE: Protect when an SA exists, else pass plaintext.
 */
enum l2tp_ipsec_level {
	L2TP_IPSEC_LEVEL_REQUIRE,
	L2TP_IPSEC_LEVEL_USE,
};

/**
 * enum l2tp_ipsec_origin - Who an owned policy belongs to.
 */
enum l2tp_ipsec_origin {
	L2TP_IPSEC_ORIGIN_SERVER,
	L2TP_IPSEC_ORIGIN_CLIENT,
	L2TP_IPSEC_ORIGIN_TUNNEL,
	L2TP_IPSEC_ORIGIN_BLOCK,
};

/**
 * enum l2tp_ipsec_lifetime - How long a client connection lives.
 * @L2TP_IPSEC_LIFETIME_STATIC: Until it is deleted.
 * @L2TP_IPSEC_LIFETIME_CONNECTION: Until the last tunnel to the server goes
 *   (after one existed).
 */
enum l2tp_ipsec_lifetime {
	L2TP_IPSEC_LIFETIME_STATIC,
	L2TP_IPSEC_LIFETIME_CONNECTION,
};

/**
 * enum l2tp_ipsec_dir - Policy direction (the values of XFRM_POLICY_IN and
 *   XFRM_POLICY_OUT).
 */
enum l2tp_ipsec_dir {
	L2TP_IPSEC_DIR_IN,
	L2TP_IPSEC_DIR_OUT,
};

/**
 * enum l2tp_ipsec_sa_state - The ESP SA that serves one direction of a tunnel.
 * @L2TP_IPSEC_SA_STATE_NONE: No SA and no negotiation.
 * @L2TP_IPSEC_SA_STATE_ACQUIRING: The kernel asked the key managers for one
 *   (larval SA).
 * @L2TP_IPSEC_SA_STATE_PRESENT: A valid SA.
 */
enum l2tp_ipsec_sa_state {
	L2TP_IPSEC_SA_STATE_NONE,
	L2TP_IPSEC_SA_STATE_ACQUIRING,
	L2TP_IPSEC_SA_STATE_PRESENT,
};

/**
 * enum l2tp_ipsec_refusal - Why auto-attach left a tunnel without policies of its
 *   own (it is counted, logged and announced; server and client policies still
 *   apply to its traffic).
 * @L2TP_IPSEC_REFUSAL_UNPRIVILEGED: Its creator lacked CAP_NET_ADMIN in the user
 *   namespace that owns the socket's network namespace (PPPoL2TP needs no
 *   capability).
 * @L2TP_IPSEC_REFUSAL_INEXACT: Its socket is not bound to a port and connected to
 *   one peer: a policy for it would cover other traffic. Server mode covers such a
 *   listening socket.
 * @L2TP_IPSEC_REFUSAL_LIMIT: The namespace already has max-tunnels attached
 *   tunnels.
 */
enum l2tp_ipsec_refusal {
	L2TP_IPSEC_REFUSAL_UNPRIVILEGED,
	L2TP_IPSEC_REFUSAL_INEXACT,
	L2TP_IPSEC_REFUSAL_LIMIT,
};

enum {
	L2TP_IPSEC_A_CONFIG_SERVER = 1,
	L2TP_IPSEC_A_CONFIG_PORT,
	L2TP_IPSEC_A_CONFIG_REQID,
	L2TP_IPSEC_A_CONFIG_PRIORITY,
	L2TP_IPSEC_A_CONFIG_LEVEL,
	L2TP_IPSEC_A_CONFIG_AUTO_ATTACH,
	L2TP_IPSEC_A_CONFIG_RESTORE,
	L2TP_IPSEC_A_CONFIG_MAX_TUNNELS,
	L2TP_IPSEC_A_CONFIG_ARMED,
	L2TP_IPSEC_A_CONFIG_UNARMED_REASON,
	L2TP_IPSEC_A_CONFIG_GUARD,

	__L2TP_IPSEC_A_CONFIG_MAX
};

#define L2TP_IPSEC_A_CONFIG_MAX (__L2TP_IPSEC_A_CONFIG_MAX - 1)

enum {
	L2TP_IPSEC_A_CLIENT_SERVER_IPV4 = 1,
	L2TP_IPSEC_A_CLIENT_SERVER_IPV6,
	L2TP_IPSEC_A_CLIENT_SPORT,
	L2TP_IPSEC_A_CLIENT_LIFETIME,
	L2TP_IPSEC_A_CLIENT_TUNNELS,
	L2TP_IPSEC_A_CLIENT_POLICY_INDEX,
	L2TP_IPSEC_A_CLIENT_SA,

	__L2TP_IPSEC_A_CLIENT_MAX
};

#define L2TP_IPSEC_A_CLIENT_MAX (__L2TP_IPSEC_A_CLIENT_MAX - 1)

enum {
	L2TP_IPSEC_A_SA_PAD = 1,
	L2TP_IPSEC_A_SA_DIR,
	L2TP_IPSEC_A_SA_STATE,
	L2TP_IPSEC_A_SA_SPI,
	L2TP_IPSEC_A_SA_REQID,
	L2TP_IPSEC_A_SA_BYTES,
	L2TP_IPSEC_A_SA_PACKETS,

	__L2TP_IPSEC_A_SA_MAX
};

#define L2TP_IPSEC_A_SA_MAX (__L2TP_IPSEC_A_SA_MAX - 1)

enum {
	L2TP_IPSEC_A_TUNNEL_ID = 1,
	L2TP_IPSEC_A_TUNNEL_LOCAL_IPV4,
	L2TP_IPSEC_A_TUNNEL_LOCAL_IPV6,
	L2TP_IPSEC_A_TUNNEL_PEER_IPV4,
	L2TP_IPSEC_A_TUNNEL_PEER_IPV6,
	L2TP_IPSEC_A_TUNNEL_LOCAL_PORT,
	L2TP_IPSEC_A_TUNNEL_PEER_PORT,
	L2TP_IPSEC_A_TUNNEL_POLICY_INDEX,
	L2TP_IPSEC_A_TUNNEL_SA,

	__L2TP_IPSEC_A_TUNNEL_MAX
};

#define L2TP_IPSEC_A_TUNNEL_MAX (__L2TP_IPSEC_A_TUNNEL_MAX - 1)

enum {
	L2TP_IPSEC_A_REFUSED_UNPRIVILEGED = 1,
	L2TP_IPSEC_A_REFUSED_INEXACT,
	L2TP_IPSEC_A_REFUSED_LIMIT,

	__L2TP_IPSEC_A_REFUSED_MAX
};

#define L2TP_IPSEC_A_REFUSED_MAX (__L2TP_IPSEC_A_REFUSED_MAX - 1)

enum {
	L2TP_IPSEC_A_POLICY_INDEX = 1,
	L2TP_IPSEC_A_POLICY_DIR,
	L2TP_IPSEC_A_POLICY_FAMILY,
	L2TP_IPSEC_A_POLICY_SRC_IPV4,
	L2TP_IPSEC_A_POLICY_SRC_IPV6,
	L2TP_IPSEC_A_POLICY_DST_IPV4,
	L2TP_IPSEC_A_POLICY_DST_IPV6,
	L2TP_IPSEC_A_POLICY_SRC_PREFIXLEN,
	L2TP_IPSEC_A_POLICY_DST_PREFIXLEN,
	L2TP_IPSEC_A_POLICY_PROTO,
	L2TP_IPSEC_A_POLICY_SPORT,
	L2TP_IPSEC_A_POLICY_DPORT,
	L2TP_IPSEC_A_POLICY_MARK,
	L2TP_IPSEC_A_POLICY_PRIORITY,
	L2TP_IPSEC_A_POLICY_BLOCK,
	L2TP_IPSEC_A_POLICY_REQID,
	L2TP_IPSEC_A_POLICY_LEVEL,
	L2TP_IPSEC_A_POLICY_ORIGIN,
	L2TP_IPSEC_A_POLICY_OWNERS,
	L2TP_IPSEC_A_POLICY_SHADOWED,
	L2TP_IPSEC_A_POLICY_ERROR,

	__L2TP_IPSEC_A_POLICY_MAX
};

#define L2TP_IPSEC_A_POLICY_MAX (__L2TP_IPSEC_A_POLICY_MAX - 1)

enum {
	L2TP_IPSEC_A_ACQUIRE_POLICY_INDEX = 1,
	L2TP_IPSEC_A_ACQUIRE_DIR,
	L2TP_IPSEC_A_ACQUIRE_REQID,
	L2TP_IPSEC_A_ACQUIRE_SRC_IPV4,
	L2TP_IPSEC_A_ACQUIRE_SRC_IPV6,
	L2TP_IPSEC_A_ACQUIRE_DST_IPV4,
	L2TP_IPSEC_A_ACQUIRE_DST_IPV6,
	L2TP_IPSEC_A_ACQUIRE_SPORT,
	L2TP_IPSEC_A_ACQUIRE_DPORT,

	__L2TP_IPSEC_A_ACQUIRE_MAX
};

#define L2TP_IPSEC_A_ACQUIRE_MAX (__L2TP_IPSEC_A_ACQUIRE_MAX - 1)

enum {
	L2TP_IPSEC_A_CONFIG = 1,
	L2TP_IPSEC_A_CLIENT,
	L2TP_IPSEC_A_TUNNEL,
	L2TP_IPSEC_A_POLICY,
	L2TP_IPSEC_A_RESTORED,
	L2TP_IPSEC_A_ACQUIRE,
	L2TP_IPSEC_A_REFUSED,
	L2TP_IPSEC_A_REFUSAL,

	__L2TP_IPSEC_A_MAX
};

#define L2TP_IPSEC_A_MAX (__L2TP_IPSEC_A_MAX - 1)

enum {
	L2TP_IPSEC_CMD_CONFIG_GET = 1,
	L2TP_IPSEC_CMD_CONFIG_SET,
	L2TP_IPSEC_CMD_CLIENT_ADD,
	L2TP_IPSEC_CMD_CLIENT_DEL,
	L2TP_IPSEC_CMD_CLIENT_GET,
	L2TP_IPSEC_CMD_TUNNEL_GET,
	L2TP_IPSEC_CMD_POLICY_GET,
	L2TP_IPSEC_CMD_CONFIG_NTF,
	L2TP_IPSEC_CMD_TUNNEL_ATTACH_NTF,
	L2TP_IPSEC_CMD_TUNNEL_DETACH_NTF,
	L2TP_IPSEC_CMD_RESTORE_NTF,
	L2TP_IPSEC_CMD_ACQUIRE_NTF,
	L2TP_IPSEC_CMD_TUNNEL_REFUSE_NTF,
	L2TP_IPSEC_CMD_CLIENT_NEGOTIATE,

	__L2TP_IPSEC_CMD_MAX
};

#define L2TP_IPSEC_CMD_MAX (__L2TP_IPSEC_CMD_MAX - 1)

#define L2TP_IPSEC_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_L2TP_IPSEC_H */
