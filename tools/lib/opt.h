/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib: strict parsing of numeric arguments (options and their values), shared
 * by every program: a value is all digits, without sign, spaces or a base prefix.
 */
#ifndef _L2TPI_LIB_OPT_H
#define _L2TPI_LIB_OPT_H

#include <stdbool.h>
#include <stdint.h>

/* Strict unsigned decimal: digits only, no sign, no spaces, <= max. */
bool parse_uint(const char *s, unsigned long max, unsigned long *out);

/* A port number, 1-65535. */
bool parse_port(const char *s, uint16_t *port);

#endif /* _L2TPI_LIB_OPT_H */
