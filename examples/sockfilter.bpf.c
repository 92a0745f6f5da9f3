// SPDX-License-Identifier: GPL-2.0
/* sockfilter: a socket filter that counts what its one socket receives
 * (packets and bytes) and keeps every packet; with drop_port set it drops
 * UDP datagrams to that port instead. Attach with bee_sockfilter__attach(). */
#include "bee/bee.bpf.h"

/* UDP destination port whose datagrams the socket should not see; 0: none */
const volatile __u16 drop_port = 0;

struct sock_stats {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sock_stats);
} sock_stats SEC(".maps");

SEC("socket")
int sock_count(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct sock_stats *st = bpf_map_lookup_elem(&sock_stats, &zero);
	__u16 dport = 0;

	if (!st)
		return skb->len;
	/* offsets from the network header: where skb->data points differs
	 * between packet sockets and UDP sockets */
	if (drop_port && skb->protocol == bpf_htons(0x0800)) {
		__u8 ihl;

		if (bpf_skb_load_bytes_relative(skb, 0, &ihl, 1, BPF_HDR_START_NET) == 0 &&
		    bpf_skb_load_bytes_relative(skb, (ihl & 0xf) * 4 + 2, &dport, 2,
						BPF_HDR_START_NET) == 0 &&
		    bpf_ntohs(dport) == drop_port) {
			__sync_fetch_and_add(&st->dropped, 1);
			return 0;
		}
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, skb->len);
	return skb->len;
}

BEE_GPL;
