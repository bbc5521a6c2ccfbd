/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * l2tp_ipsec: IPsec (ESP transport) policies for L2TP that appear by themselves.
 *
 * This header is the contract between the l2tp_ipsec kernel module and userspace.
 *
 * Policies
 * --------
 * The module owns xfrm policies in the SPD of a network namespace. With server mode on
 * (module parameter server=1, initial network namespace) it installs the "L2TP server
 * filter" of Microsoft KB 248750 ("Me to Any, UDP 1701"), for IPv4 and for IPv6:
 *
 *   dir out: proto udp, sport PORT, any source, any destination
 *   dir in:  proto udp, dport PORT, any source, any destination
 *
 * each with one template: proto esp, mode transport, any addresses, reqid REQID,
 * level "required" (or "use": template optional). The policies carry priority
 * PRIORITY (lower wins in the Linux SPD).
 *
 * Module parameters (all read-only in /sys/module/l2tp_ipsec/parameters):
 *   server    bool   install the server policies in the initial netns (default 0)
 *   port      1..65535   the L2TP UDP port (default L2TP_IPSEC_DEFAULT_PORT)
 *   reqid     u32    reqid put in every template, so an IKE daemon's trap with the
 *                    same reqid serves the acquires (default 0: any SA matches inbound)
 *   priority  u32    SPD priority (default L2TP_IPSEC_DEFAULT_PRIORITY)
 *   level     "require" | "use"   (default "require")
 * A bad value makes the module load fail with -EINVAL and a kernel message naming
 * the parameter; nothing is installed.
 *
 * The generic netlink family (name L2TP_IPSEC_GENL_NAME) is not registered yet.
 */
#ifndef _UAPI_LINUX_L2TP_IPSEC_H
#define _UAPI_LINUX_L2TP_IPSEC_H

#define L2TP_IPSEC_GENL_NAME		"l2tp_ipsec"
#define L2TP_IPSEC_GENL_VERSION		1

/* The UDP port of L2TP (RFC 2661, RFC 3931). */
#define L2TP_IPSEC_DEFAULT_PORT		1701

/*
 * Default SPD priority of the module's policies. Lower values win. 1024 puts them
 * ahead of the policies IKE daemons install with their computed priorities
 * (strongSwan's are in the millions) so L2TP traffic is never caught by a broader
 * tunnel policy, and leaves 0..1023 for an administrator's explicit exceptions.
 */
#define L2TP_IPSEC_DEFAULT_PRIORITY	1024

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
 * enum l2tp_ipsec_level - what the ESP template demands
 * @L2TP_IPSEC_LEVEL_REQUIRE: traffic must be protected; plaintext is dropped
 * @L2TP_IPSEC_LEVEL_USE: protect when an SA exists, else pass plaintext
 */
enum l2tp_ipsec_level {
	L2TP_IPSEC_LEVEL_REQUIRE,
	L2TP_IPSEC_LEVEL_USE,
};

#endif /* _UAPI_LINUX_L2TP_IPSEC_H */
