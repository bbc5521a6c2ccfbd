/* SPDX-License-Identifier: GPL-2.0 */
/* The probed functions' prototypes in the running kernel's BTF (btf.c). */
#ifndef _L2TPI_BTF_H
#define _L2TPI_BTF_H

#include <linux/types.h>

/*
 * A function this build probes: its name and each parameter as "int" (an integer or
 * enum), "ptr" (any pointer) or "ptr:NAME" (a pointer to struct NAME).
 */
struct l2tpi_btf_func {
	const char *name;
	unsigned int nr_params;
	const char *params[6];
};

int l2tpi_btf_check(const char *mod, const struct l2tpi_btf_func *funcs, char *why,
		    size_t len);

#endif /* _L2TPI_BTF_H */
