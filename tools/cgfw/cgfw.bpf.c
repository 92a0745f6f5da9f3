// SPDX-License-Identifier: GPL-2.0
/* cgfw: a firewall for one cgroup. Its processes cannot connect (TCP, UDP)
 * or send datagrams to a denied port or destination: the sock_addr hooks
 * return 0, so connect()/sendto() fail with EPERM before any packet leaves.
 * Processes outside the cgroup are not affected. */
#include "bee/bee.bpf.h"

struct fw_event {
	__u32 pid;
	__u16 family;  /* AF_INET 2, AF_INET6 10 */
	__u16 port;
	__u8 daddr[16]; /* IPv4 in the first 4 bytes */
	__u8 op;        /* 1 connect, 2 sendmsg */
	__u8 pad[3];
	char comm[16];
};

/* denied destination ports (host order) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u16);
	__type(value, __u8);
} deny_ports SEC(".maps");

/* denied IPv4 destinations (network order) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} deny_ip4 SEC(".maps");

/* denied IPv6 destinations */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct in6_addr);
	__type(value, __u8);
} deny_ip6 SEC(".maps");

/* denials: [0] connect, [1] sendmsg */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} denied SEC(".maps");

/* what the cgroup's processes send: [0] packets, [1] bytes (cgroup skb egress) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} egress_stats SEC(".maps");

BPF_RINGBUF_OUTPUT(events, 16);
BEE_EVENT(events, struct fw_event);

static __always_inline int verdict(struct bpf_sock_addr *ctx, bool v6, __u8 op)
{
	__u16 port = bpf_ntohs((__u16)ctx->user_port);
	struct fw_event e = {};
	bool deny = bpf_map_lookup_elem(&deny_ports, &port) != NULL;
	__u32 idx = op - 1;
	__u64 *cnt;

	if (v6) {
		struct in6_addr a;

		a.in6_u.u6_addr32[0] = ctx->user_ip6[0];
		a.in6_u.u6_addr32[1] = ctx->user_ip6[1];
		a.in6_u.u6_addr32[2] = ctx->user_ip6[2];
		a.in6_u.u6_addr32[3] = ctx->user_ip6[3];
		deny = deny || bpf_map_lookup_elem(&deny_ip6, &a);
		__builtin_memcpy(e.daddr, &a, 16);
	} else {
		__u32 ip = ctx->user_ip4;

		deny = deny || bpf_map_lookup_elem(&deny_ip4, &ip);
		__builtin_memcpy(e.daddr, &ip, 4);
	}
	if (!deny)
		return 1;
	cnt = bpf_map_lookup_elem(&denied, &idx);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.family = v6 ? 10 : 2;
	e.port = port;
	e.op = op;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	events__ringbuf_output(&e, sizeof(e), 0);
	return 0;
}

SEC("cgroup/connect4")
int cgfw_connect4(struct bpf_sock_addr *ctx)
{
	return verdict(ctx, false, 1);
}

SEC("cgroup/connect6")
int cgfw_connect6(struct bpf_sock_addr *ctx)
{
	return verdict(ctx, true, 1);
}

SEC("cgroup/sendmsg4")
int cgfw_sendmsg4(struct bpf_sock_addr *ctx)
{
	return verdict(ctx, false, 2);
}

SEC("cgroup/sendmsg6")
int cgfw_sendmsg6(struct bpf_sock_addr *ctx)
{
	return verdict(ctx, true, 2);
}

/* Counts what leaves the cgroup; a packet that got this far passed the
 * connect/sendmsg checks, so it is let through. */
SEC("cgroup_skb/egress")
int cgfw_egress(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&egress_stats, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	k = 1;
	v = bpf_map_lookup_elem(&egress_stats, &k);
	if (v)
		__sync_fetch_and_add(v, skb->len);
	return 1;
}

BEE_GPL;
