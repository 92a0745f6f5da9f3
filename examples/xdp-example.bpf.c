// SPDX-License-Identifier: GPL-2.0
/* xdp-example: the seed's XDP program. Counts packets and bytes per
 * protocol (ethertype + IP protocol) and drops one chosen IP protocol or
 * TCP/UDP destination port, set before load:
 *   bee run examples/xdp-example.bpf.c --dev eth0 --set drop_proto=1   (ICMP)
 *   bee net attach xdpgeneric object xdp-example.bpf.o dev eth0           */
#include "bee/bee.bpf.h"

#ifndef ETH_P_IP
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#endif

/* IP protocol number to drop (1 icmp, 6 tcp, 17 udp, 58 icmpv6); 0: none */
const volatile __u8 drop_proto = 0;
/* TCP or UDP destination port to drop; 0: none */
const volatile __u16 drop_port = 0;

struct proto_key {
	__u16 eth_proto;
	__u8 ip_proto;
	__u8 pad;
};

struct proto_stats {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

/* per CPU, so counting costs no atomic operation on the packet path */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct proto_key);
	__type(value, struct proto_stats);
} counters SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct proto_key key = {};
	struct proto_stats *st, zero = {};
	void *l4 = NULL;
	bool drop = false;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	key.eth_proto = bpf_ntohs(eth->h_proto);
	if (key.eth_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			goto count;
		key.ip_proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (key.eth_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			goto count;
		key.ip_proto = ip6->nexthdr;
		l4 = ip6 + 1;
	}
	if (drop_proto && key.ip_proto == drop_proto && l4)
		drop = true;
	if (drop_port && l4 && (key.ip_proto == IPPROTO_UDP || key.ip_proto == IPPROTO_TCP)) {
		/* source and destination ports lead both headers */
		__be16 *ports = l4;

		if ((void *)(ports + 2) <= end && bpf_ntohs(ports[1]) == drop_port)
			drop = true;
	}
count:
	st = bpf_map_lookup_elem(&counters, &key);
	if (!st) {
		bpf_map_update_elem(&counters, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&counters, &key);
		if (!st)
			return XDP_PASS;
	}
	st->packets++;
	st->bytes += end - data;
	if (drop) {
		st->dropped++;
		return XDP_DROP;
	}
	return XDP_PASS;
}

BEE_GPL;
