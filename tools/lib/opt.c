// SPDX-License-Identifier: GPL-2.0
/* tools/lib: strict parsing of numeric arguments. See opt.h. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "opt.h"

bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out <= max;
}

bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (!parse_uint(s, 65535, &v) || v == 0)
		return false;
	*port = v;
	return true;
}
