// SPDX-License-Identifier: GPL-2.0
/*
 * l2tp_ipsec_test: KUnit suites for l2tp_ipsec. Built only for kernels with KUnit (the
 * debug test kernel); loaded after l2tp_ipsec.ko, whose internals it reaches through
 * the EXPORTED_FOR_KUNIT_TESTING namespace. The suites run against the real xfrm code
 * of the running kernel and use the initial network namespace of a throwaway guest.
 */
#include <linux/module.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for l2tp_ipsec");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
