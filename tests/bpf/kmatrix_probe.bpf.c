// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-matrix tests: kprobe, kretprobe, fentry and fexit on the getpgid
 * syscall, counted only for the test's own process, so the counts are exact.
 * Each program records the argument it saw (kprobe, fentry) or the value
 * returned (kretprobe, fexit) so the tests check more than "it fired".
 */
#include "bee/bee.bpf.h"

BEE_GPL;

/* The process whose calls count; set before load. */
const volatile __u32 target_tgid = 0;

enum {
	KP_HITS, KP_ARG, KRP_HITS, KRP_RET,
	FE_HITS, FE_ARG, FX_HITS, FX_RET,
	KMX_SLOTS = 8,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KMX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} kmx_counts SEC(".maps");

static __always_inline bool mine(void)
{
	return target_tgid && (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&kmx_counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline void put(__u32 slot, __u64 val)
{
	__u64 *v = bpf_map_lookup_elem(&kmx_counts, &slot);

	if (v)
		*v = val;
}

/* The syscall wrapper takes the user's registers: its first argument is
 * the pid passed to getpgid(). */
SEC("kprobe/__x64_sys_getpgid")
int BPF_KPROBE(kmx_kp, const struct pt_regs *regs)
{
	if (mine()) {
		bump(KP_HITS);
		put(KP_ARG, PT_REGS_PARM1_CORE(regs));
	}
	return 0;
}

SEC("kretprobe/__x64_sys_getpgid")
int BPF_KRETPROBE(kmx_krp, long ret)
{
	if (mine()) {
		bump(KRP_HITS);
		put(KRP_RET, ret);
	}
	return 0;
}

SEC("fentry/__x64_sys_getpgid")
int BPF_PROG(kmx_fe, const struct pt_regs *regs)
{
	if (mine()) {
		bump(FE_HITS);
		put(FE_ARG, PT_REGS_PARM1_CORE(regs));
	}
	return 0;
}

SEC("fexit/__x64_sys_getpgid")
int BPF_PROG(kmx_fx, const struct pt_regs *regs, long ret)
{
	if (mine()) {
		bump(FX_HITS);
		put(FX_RET, ret);
	}
	return 0;
}
