/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols the KUnit suites (kunit/) call are exported, in the EXPORTED_FOR_KUNIT_TESTING
 * namespace, only when the target kernel has KUnit (our debug kernel). Stock kernels
 * without KUnit (and 6.1, which lacks kunit/visibility.h) export nothing extra.
 */
#ifndef _L2TPI_KUNIT_H
#define _L2TPI_KUNIT_H

#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/visibility.h>
#else
/* Nothing exported: only referenced (in a discarded section), so a typo fails to build. */
#define EXPORT_SYMBOL_IF_KUNIT(symbol) __ADDRESSABLE(symbol)
#endif

#endif /* _L2TPI_KUNIT_H */
