// SPDX-License-Identifier: GPL-2.0
/*
 * syslat: latency of system calls, from the raw tracepoints sys_enter and
 * sys_exit (one pair of attachments for every syscall), as a log2
 * histogram: one for all (or the one chosen), or one per syscall.
 */
#include "bee/bee.bpf.h"

const volatile long targ_nr = -1;   /* -1: every syscall */
const volatile __u32 targ_pid = 0;
const volatile __u32 self_pid = 0;  /* bee itself: its poll loop is not the system's */
const volatile __u64 unit_div = 1000;
const volatile bool per_syscall = false;

struct start {
	__u64 ts;
	long nr;
};

struct syslat_hist {
	__u64 slots[64];
};

/* LRU: calls that never return (exit, a killed sleeper) must not fill it */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

BPF_HISTOGRAM(dist);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct syslat_hist);
} per_nr SEC(".maps");

static const struct syslat_hist zero;

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct start s;

	if (targ_nr >= 0 && id != targ_nr)
		return 0;
	if (targ_pid && (pid_tgid >> 32) != targ_pid)
		return 0;
	if ((pid_tgid >> 32) == self_pid)
		return 0;
	s.ts = bpf_ktime_get_ns();
	s.nr = id;
	bpf_map_update_elem(&starts, &tid, &s, BPF_ANY);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start *s = bpf_map_lookup_elem(&starts, &tid);
	__u32 slot, nr;
	__u64 delta;

	if (!s)
		return 0;
	delta = (bpf_ktime_get_ns() - s->ts) / unit_div;
	nr = s->nr;
	bpf_map_delete_elem(&starts, &tid);
	slot = bee_log2l(delta);
	if (slot >= 64)
		slot = 63;
	if (per_syscall) {
		struct syslat_hist *h = bpf_map_lookup_elem(&per_nr, &nr);

		if (!h) {
			bpf_map_update_elem(&per_nr, &nr, &zero, BPF_NOEXIST);
			h = bpf_map_lookup_elem(&per_nr, &nr);
			if (!h)
				return 0;
		}
		__sync_fetch_and_add(&h->slots[slot], 1);
		return 0;
	}
	dist__increment(slot);
	return 0;
}

BEE_GPL;
