// SPDX-License-Identifier: GPL-2.0
/* KUnit: defaults and validation of the l2tp_ipsec knobs (kmod/config.c). */
#include <kunit/test.h>

#include "config.h"

static void l2tpi_config_default_test(struct kunit *test)
{
	struct l2tpi_config cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	l2tpi_config_default(&cfg);
	KUNIT_EXPECT_FALSE(test, cfg.server);
	KUNIT_EXPECT_EQ(test, cfg.port, 1701);
	KUNIT_EXPECT_EQ(test, cfg.reqid, 0);
	KUNIT_EXPECT_EQ(test, cfg.priority, L2TP_IPSEC_PRIORITY_AUTO);
	KUNIT_EXPECT_EQ(test, cfg.level, L2TP_IPSEC_LEVEL_REQUIRE);
}

static void l2tpi_config_port_test(struct kunit *test)
{
	static const char * const bad[] = {
		"0", "65536", "-1", "", "abc", "17x", "0x6a5", "99999999999",
	};
	u16 port = 42;
	int i;

	KUNIT_EXPECT_EQ(test, l2tpi_config_parse_port("1", &port), 0);
	KUNIT_EXPECT_EQ(test, port, 1);
	KUNIT_EXPECT_EQ(test, l2tpi_config_parse_port("1701", &port), 0);
	KUNIT_EXPECT_EQ(test, port, 1701);
	KUNIT_EXPECT_EQ(test, l2tpi_config_parse_port("65535\n", &port), 0);
	KUNIT_EXPECT_EQ(test, port, 65535);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, l2tpi_config_parse_port(bad[i], &port), -EINVAL,
				    "port \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, port, 65535);	/* untouched on error */
	}
	KUNIT_EXPECT_EQ(test, l2tpi_config_parse_port(NULL, &port), -EINVAL);
}

static void l2tpi_config_level_test(struct kunit *test)
{
	static const char * const bad[] = { "", "required", "USE", "use ", "1", "re" };
	enum l2tp_ipsec_level level = L2TP_IPSEC_LEVEL_REQUIRE;
	int i;

	KUNIT_EXPECT_EQ(test, l2tpi_config_parse_level("use", &level), 0);
	KUNIT_EXPECT_EQ(test, level, L2TP_IPSEC_LEVEL_USE);
	KUNIT_EXPECT_EQ(test, l2tpi_config_parse_level("require\n", &level), 0);
	KUNIT_EXPECT_EQ(test, level, L2TP_IPSEC_LEVEL_REQUIRE);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, l2tpi_config_parse_level(bad[i], &level), -EINVAL,
				    "level \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, level, L2TP_IPSEC_LEVEL_REQUIRE);
	}
	KUNIT_EXPECT_STREQ(test, l2tpi_level_name(L2TP_IPSEC_LEVEL_REQUIRE), "require");
	KUNIT_EXPECT_STREQ(test, l2tpi_level_name(L2TP_IPSEC_LEVEL_USE), "use");
	KUNIT_EXPECT_STREQ(test, l2tpi_level_name(7), "?");
}

/* Automatic: ahead of the daemons with a reqid, behind them without; set: as given. */
static void l2tpi_config_priority_test(struct kunit *test)
{
	struct l2tpi_config cfg;

	l2tpi_config_default(&cfg);
	KUNIT_EXPECT_EQ(test, l2tpi_config_priority(&cfg), 8388608);
	KUNIT_EXPECT_EQ(test, l2tpi_config_tunnel_priority(&cfg), 8388607);
	cfg.reqid = 42;
	KUNIT_EXPECT_EQ(test, l2tpi_config_priority(&cfg), 1024);
	KUNIT_EXPECT_EQ(test, l2tpi_config_tunnel_priority(&cfg), 1023);
	cfg.priority = 1;
	KUNIT_EXPECT_EQ(test, l2tpi_config_priority(&cfg), 1);
	KUNIT_EXPECT_EQ(test, l2tpi_config_tunnel_priority(&cfg), 0);
	cfg.reqid = 0;
	cfg.priority = 0xffffffff;
	KUNIT_EXPECT_EQ(test, l2tpi_config_priority(&cfg), 0xffffffff);
	KUNIT_EXPECT_EQ(test, l2tpi_config_tunnel_priority(&cfg), 0xfffffffe);
}

static struct kunit_case l2tpi_config_cases[] = {
	KUNIT_CASE(l2tpi_config_default_test),
	KUNIT_CASE(l2tpi_config_port_test),
	KUNIT_CASE(l2tpi_config_level_test),
	KUNIT_CASE(l2tpi_config_priority_test),
	{}
};

static struct kunit_suite l2tpi_config_suite = {
	.name = "l2tp_ipsec_config",
	.test_cases = l2tpi_config_cases,
};

kunit_test_suite(l2tpi_config_suite);
