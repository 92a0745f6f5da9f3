// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-matrix test: tc (clsact + cls_bpf, direct action) programs that
 * count the UDP packets sent to one port on ingress and egress; the ingress
 * one drops them when asked, so the test sees the verdict take effect.
 */
#include "bee/bee.bpf.h"

BEE_GPL;

#define ETH_P_IP 0x0800
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

const volatile __u16 target_port = 0; /* host order */
const volatile bool drop_ingress = false;

enum { TC_INGRESS, TC_EGRESS, TC_SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TC_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} kmx_tc_counts SEC(".maps");

/* Is this an IPv4 UDP packet to target_port? On lo the frame carries an
 * all-zero Ethernet header, so the same parse works on lo and veth. */
static __always_inline bool ours(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return false;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return false;
	return udp->dest == bpf_htons(target_port);
}

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&kmx_tc_counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tc")
int kmx_tc_in(struct __sk_buff *skb)
{
	if (!ours(skb))
		return TC_ACT_OK;
	bump(TC_INGRESS);
	return drop_ingress ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int kmx_tc_eg(struct __sk_buff *skb)
{
	if (ours(skb))
		bump(TC_EGRESS);
	return TC_ACT_OK;
}
