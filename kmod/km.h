/* SPDX-License-Identifier: GPL-2.0 */
/* l2tp_ipsec as an xfrm key manager. */
#ifndef _L2TPI_KM_H
#define _L2TPI_KM_H

void l2tpi_km_init(void);
void l2tpi_km_exit(void);

#endif /* _L2TPI_KM_H */
