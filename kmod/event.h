/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The l2tp_ipsec generic netlink family (event.c): its registration, the events the
 * rest of the module sends through it, and the message parts its command replies
 * (netlink.c) share with those events.
 */
#ifndef _L2TPI_EVENT_H
#define _L2TPI_EVENT_H

#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "sa.h"
#include "tunnel.h"

/* What an acquire event tells the agent (km.c): the flow that needs an SA. */
struct l2tpi_acquire_info {
	u32 index;			/* the policy that matched */
	u32 reqid;			/* of its template */
	unsigned short family;
	xfrm_address_t saddr;
	xfrm_address_t daddr;
	__be16 sport;
	__be16 dport;
};

extern struct genl_family l2tpi_nl_family;

int l2tpi_event_init(void);
void l2tpi_event_exit(void);
void l2tpi_event_tunnel(struct net *net, const struct l2tpi_tunnel_info *info, bool attach);
void l2tpi_event_refused(struct net *net, const struct l2tpi_tunnel_info *info, int why);
void l2tpi_event_restored(struct net *net, unsigned int n);
void l2tpi_event_acquire(struct net *net, const struct l2tpi_acquire_info *info);
bool l2tpi_event_listening(struct net *net);

struct sk_buff *l2tpi_event_new(struct net *net, u8 cmd, void **hdr);
void l2tpi_event_drop(struct sk_buff *skb);
void l2tpi_event_send(struct net *net, struct sk_buff *skb, void *hdr);
int l2tpi_event_put_addr(struct sk_buff *skb, int a4, int a6, unsigned short family,
			 const xfrm_address_t *addr);
int l2tpi_event_put_sa(struct sk_buff *skb, struct net *net, int type, int dir,
		       unsigned short family, const xfrm_address_t *src,
		       const xfrm_address_t *dst, const struct l2tpi_sa_pin *pin);
int l2tpi_event_put_tunnel(struct sk_buff *skb, struct net *net,
			   const struct l2tpi_tunnel_info *ti, bool sa);

#endif /* _L2TPI_EVENT_H */
