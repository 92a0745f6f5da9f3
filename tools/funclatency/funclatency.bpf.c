// SPDX-License-Identifier: GPL-2.0
/*
 * funclatency: time from a function's entry to its return, as a log2
 * histogram. One pair of programs per mechanism: uprobe/uretprobe for user
 * functions, fentry/fexit or kprobe/kretprobe for kernel functions. bee
 * loads only the pair it uses (funclatency.c) and gives it its target.
 */
#include "bee/bee.bpf.h"

const volatile __u32 targ_pid = 0;
const volatile __u64 unit_div = 1;

/* LRU: a call whose return is never seen (longjmp, exit) must not leak */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

BPF_HISTOGRAM(dist);

static __always_inline int on_entry(void)
{
	__u64 id = bpf_get_current_pid_tgid(), ts;
	__u32 tid = (__u32)id;

	if (targ_pid && (id >> 32) != targ_pid)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &ts, BPF_ANY);
	return 0;
}

static __always_inline int on_return(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), slot;
	__u64 *ts = bpf_map_lookup_elem(&starts, &tid), delta;

	if (!ts)
		return 0;
	delta = (bpf_ktime_get_ns() - *ts) / unit_div;
	bpf_map_delete_elem(&starts, &tid);
	slot = bee_log2l(delta);
	if (slot >= 64)
		slot = 63;
	dist__increment(slot);
	return 0;
}

SEC("uprobe")
int uprobe_entry(struct pt_regs *ctx)
{
	return on_entry();
}

SEC("uretprobe")
int uprobe_return(struct pt_regs *ctx)
{
	return on_return();
}

SEC("kprobe")
int kprobe_entry(struct pt_regs *ctx)
{
	return on_entry();
}

SEC("kretprobe")
int kprobe_return(struct pt_regs *ctx)
{
	return on_return();
}

SEC("fentry")
int BPF_PROG(fentry_entry)
{
	return on_entry();
}

SEC("fexit")
int BPF_PROG(fexit_return)
{
	return on_return();
}

BEE_GPL;
