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
		.priority = L2TP_IPSEC_DEFAULT_PRIORITY,
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
 * Per-tunnel policies sit one step ahead of the server and client wildcards, so an
 * exact tunnel policy always wins the SPD lookup (at priority 0 both tie).
 */
u32 l2tpi_config_tunnel_priority(const struct l2tpi_config *cfg)
{
	return cfg->priority ? cfg->priority - 1 : 0;
}
EXPORT_SYMBOL_IF_KUNIT(l2tpi_config_tunnel_priority);
