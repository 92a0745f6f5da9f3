// SPDX-License-Identifier: GPL-2.0
/* tc-example: the seed's TC program, on ingress and egress with direct
 * action (`tc filter add dev X ingress bpf da obj tc-example.o sec ingress`).
 * Counts packets and bytes per direction and drops TCP/UDP packets whose
 * source or destination port is drop_port, both ways. */
#include "bee/bee.bpf.h"

#ifndef TC_ACT_OK
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#endif
#ifndef ETH_P_IP
#define ETH_P_IP 0x0800
#endif

/* TCP/UDP port to drop in both directions; 0: none */
const volatile __u16 drop_port = 0;

struct dir_stats {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

/* key 0: ingress, 1: egress */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct dir_stats);
} tc_stats SEC(".maps");

static __always_inline int handle(struct __sk_buff *skb, __u32 dir)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct dir_stats *st = bpf_map_lookup_elem(&tc_stats, &dir);
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	bool drop = false;

	if (!st)
		return TC_ACT_OK;
	if (drop_port && (void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP) &&
	    (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP)) {
		__be16 *ports = (void *)ip + ip->ihl * 4;

		if ((void *)(ports + 2) <= end &&
		    (bpf_ntohs(ports[0]) == drop_port || bpf_ntohs(ports[1]) == drop_port))
			drop = true;
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, skb->len);
	if (drop) {
		__sync_fetch_and_add(&st->dropped, 1);
		return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

SEC("tc/ingress")
int tc_ingress(struct __sk_buff *skb)
{
	return handle(skb, 0);
}

SEC("tc/egress")
int tc_egress(struct __sk_buff *skb)
{
	return handle(skb, 1);
}

BEE_GPL;
