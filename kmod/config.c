// SPDX-License-Identifier: GPL-2.0
/*
 * Defaults and validation of the l2tp_ipsec knobs. Every entry point that accepts a
 * knob from outside (module parameters today) goes through these functions, so the
 * same input is accepted or refused the same way everywhere.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "config.h"
#include "kunit.h"

void l2tpi_config_default(struct l2tpi_config *cfg)
{
	*cfg = (struct l2tpi_config) {
		.server = false,
		.port = L2TP_IPSEC_DEFAULT_PORT,
		.reqid = 0,
		.priority = L2TP_IPSEC_PRIORITY_AUTO,
		.level = L2TP_IPSEC_LEVEL_REQUIRE,
		.auto_attach = true,
		.restore = true,
		.max_tunnels = L2TP_IPSEC_DEFAULT_MAX_TUNNELS,
	};
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_config_default);

/* A decimal UDP port, 1..65535. */
int l2tpi_config_parse_port(const char *s, u16 *port)
{
	unsigned int v;

	if (!s || kstrtouint(s, 10, &v) || v < 1 || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_config_parse_port);

static const char * const l2tpi_level_names[] = {
	[L2TP_IPSEC_LEVEL_REQUIRE] = "require",
	[L2TP_IPSEC_LEVEL_USE] = "use",
};

/* "require" or "use", with or without a trailing newline (sysfs writes add one). */
int l2tpi_config_parse_level(const char *s, enum l2tp_ipsec_level *level)
{
	int i;

	if (!s)
		return -EINVAL;
	i = sysfs_match_string(l2tpi_level_names, s);
	if (i < 0)
		return -EINVAL;
	*level = i;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_config_parse_level);

const char *l2tpi_level_name(enum l2tp_ipsec_level level)
{
	if (level >= ARRAY_SIZE(l2tpi_level_names))
		return "?";
	return l2tpi_level_names[level];
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_level_name);

/*
 * The SPD priority of the server and client policies. Automatic (0) depends on the
 * reqid. With a reqid, the IKE daemon negotiates the SAs of our templates and installs
 * no policies of its own for them (strongSwan `policies = no`): ours carry the
 * traffic, ahead of the daemon's computed priorities and any broader policy of
 * theirs. Without one (0), an outbound template can find no SA (xfrm_state_find()
 * compares reqids on output; no daemon makes reqid-0 SAs): ours can only block, so
 * they stay behind every policy a daemon computes for itself (strongSwan below
 * 600,000, libreswan below 4,194,304), which carry the traffic to its SAs, and
 * hold back L2TP in plaintext only where the daemon has no policy (before it is up,
 * after it stopped or flushed).
 */
u32 l2tpi_config_priority(const struct l2tpi_config *cfg)
{
	if (cfg->priority != L2TP_IPSEC_PRIORITY_AUTO)
		return cfg->priority;
	return cfg->reqid ? L2TP_IPSEC_PRIORITY_REQID : L2TP_IPSEC_PRIORITY_FALLBACK;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_config_priority);

/*
 * Per-tunnel policies sit one step ahead of the server and client wildcards, so an
 * exact tunnel policy always wins the SPD lookup (at priority 1 they are at 0).
 */
u32 l2tpi_config_tunnel_priority(const struct l2tpi_config *cfg)
{
	return l2tpi_config_priority(cfg) - 1;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_config_tunnel_priority);
