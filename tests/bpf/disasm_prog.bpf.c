// SPDX-License-Identifier: GPL-2.0
/* A program as clang writes them (cpu v3): a map, helpers, a bpf-to-bpf
 * call, globals, atomics with fetch, xchg and cmpxchg. The disassembler's
 * golden test reads its instructions; the prog tests load it and compare
 * `bee prog` with bpftool. */
#include "bee/bee.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, u64);
} disasm_counts SEC(".maps");

u64 disasm_total;
u32 disasm_flags;

static __noinline int disasm_sub(int x)
{
	return x * 3 + bpf_get_smp_processor_id();
}

/* The name is longer than the kernel's 15 characters: bee shows the full
 * one from BTF, as bpftool does. */
SEC("tp/syscalls/sys_enter_getppid")
int disasm_tracepoint_handler(void *ctx)
{
	u32 pid = bpf_get_current_pid_tgid() >> 32;
	u64 one = 1, *v, old;

	v = bpf_map_lookup_elem(&disasm_counts, &pid);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&disasm_counts, &pid, &one, BPF_ANY);
	old = __sync_fetch_and_add(&disasm_total, disasm_sub(pid));
	__sync_fetch_and_or(&disasm_flags, (u32)old & 4);
	old = __sync_lock_test_and_set(&disasm_total, old + bpf_ktime_get_ns());
	__sync_val_compare_and_swap(&disasm_flags, (u32)old, 9);
	return 0;
}

/* Runs under BPF_PROG_TEST_RUN, so tests can count its runs exactly. */
SEC("socket")
int disasm_sockfilter(struct __sk_buff *skb)
{
	__u32 k = skb->len;
	u64 *v = bpf_map_lookup_elem(&disasm_counts, &k);

	if (v && (int)skb->len > 1000)
		return 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
