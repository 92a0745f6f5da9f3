// SPDX-License-Identifier: GPL-2.0
/* Programs the link/perf/feature tests attach and find again with
 * `bee link list`, `bee perf list` and `bee link detach`: each counts its
 * hits so a test can tell an attached program from a detached one. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum { HIT_TP, HIT_RAW_TP, HIT_CG, HIT_UPROBE, HIT_SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} feat_hits SEC(".maps");

/* only the test process's own calls count */
const volatile __u32 feat_pid;

static void hit(__u32 slot)
{
	__u64 *v;

	if ((bpf_get_current_pid_tgid() >> 32) != feat_pid)
		return;
	v = bpf_map_lookup_elem(&feat_hits, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int feat_tp(void *ctx)
{
	hit(HIT_TP);
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int feat_raw_tp(void *ctx)
{
	hit(HIT_RAW_TP);
	return 0;
}

SEC("cgroup_skb/egress")
int feat_cg(struct __sk_buff *skb)
{
	__u32 slot = HIT_CG;
	__u64 *v = bpf_map_lookup_elem(&feat_hits, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 1;
}

SEC("uprobe")
int feat_uprobe(void *ctx)
{
	hit(HIT_UPROBE);
	return 0;
}

/* tcx and xdp links on lo of a private netns: pass everything on */
SEC("tc")
int feat_tc(struct __sk_buff *skb)
{
	return -1; /* TCX_NEXT */
}

SEC("xdp")
int feat_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* a netns link: socket lookup in the test's private netns, no change */
SEC("sk_lookup")
int feat_sk_lookup(struct bpf_sk_lookup *ctx)
{
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
