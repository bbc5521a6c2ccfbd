/* SPDX-License-Identifier: GPL-2.0 */
/* The probes on l2tp's tunnel bind and teardown (auto-attach). */
#ifndef _L2TPI_HOOK_H
#define _L2TPI_HOOK_H

#include <linux/types.h>

/* Room for the reason auto-attach is not armed. */
#define L2TPI_UNARMED_LEN	128

int l2tpi_hook_init(void);
void l2tpi_hook_exit(void);
bool l2tpi_hook_status(char *why, size_t len);
void l2tpi_hook_watch_close(void);

#endif /* _L2TPI_HOOK_H */
