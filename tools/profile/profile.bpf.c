// SPDX-License-Identifier: GPL-2.0
/*
 * bee profile: a perf_event program sampled at a fixed frequency on every
 * CPU. Stacks are aggregated here, in the kernel: one counter per
 * (pid, kernel stack, user stack, comm), so user space reads a few thousand
 * entries at exit instead of one event per sample.
 */
#include "bee/bee.bpf.h"

struct profile_key {
	__u32 pid;
	__s32 kstack; /* stack id, or -errno from bpf_get_stackid */
	__s32 ustack;
	char comm[16];
	__u64 mm; /* the address space: a new one after each exec */
};

/* A process as user space symbolises it: its pid and the address space
 * the sample ran in, so a pid sampled between fork and exec and again
 * after the exec is read twice, with the maps of each. */
struct proc_id {
	__u32 pid;
	__u32 pad;
	__u64 mm;
};

/* 0: every process (not the idle task) */
const volatile __u32 target_pid = 0;
const volatile bool kernel_only = false;
const volatile bool user_only = false;

BPF_HASH(counts, struct profile_key, __u64, 40960);
BPF_STACK_TRACE(stacks, 16384);

/* Profiling every process: each (pid, address space) seen for the first
 * time is sent to user space, which reads its maps and binaries at once, so
 * that processes that exit before the end still get named frames. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct proc_id);
	__type(value, __u8);
} seen_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 4096);
} new_pids SEC(".maps");

/* samples taken for the target, and those that found the counts map full;
 * the only .bss variable, so user space reads it at offset 0 */
struct profile_stats {
	__u64 samples;
	__u64 dropped;
} stats = {};

/* a stack that was not asked for (-ENOENT) */
#define NO_STACK (-2)

/* --dwarf: each sample of a user process carries its user registers and a
 * copy of the top of its user stack to user space, which unwinds it through
 * the binaries' DWARF call-frame information (code built without frame
 * pointers has no other way to its callers). Registers in the x86-64 DWARF
 * numbering, as lib/unwind.c wants them. */
#define DWARF_STACK 8192
struct dwarf_sample {
	__u32 pid;
	__s32 kstack;
	__u64 mm;
	char comm[16];
	__u64 regs[17];
	__u32 len; /* bytes of stack copied from regs[7] (rsp) up */
	__u32 pad;
	__u8 stack[DWARF_STACK];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23);
} dwarf_samples SEC(".maps");

static __always_inline int count_sample(struct bpf_perf_event_data *ctx, __u32 pid, __u64 mm)
{
	struct profile_key key = {};
	__u64 one = 1, *v;

	key.pid = pid;
	key.mm = mm;
	if (!target_pid && !kernel_only) {
		struct proc_id p = { .pid = pid, .mm = key.mm };
		__u8 one = 1;

		if (!bpf_map_update_elem(&seen_pids, &p, &one, BPF_NOEXIST))
			bpf_ringbuf_output(&new_pids, &p, sizeof(p), 0);
	}
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.kstack = user_only ? NO_STACK : bpf_get_stackid(ctx, &stacks, 0);
	key.ustack = kernel_only ? NO_STACK : bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);
	__sync_fetch_and_add(&stats.samples, 1);
	v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		__sync_fetch_and_add(v, 1);
	} else if (bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST)) {
		/* another CPU created it first, or the map is full */
		v = bpf_map_lookup_elem(&counts, &key);
		if (v)
			__sync_fetch_and_add(v, 1);
		else
			__sync_fetch_and_add(&stats.dropped, 1);
	}
	return 0;
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32;

	if (!(__u32)id)
		return 0; /* idle */
	if (target_pid && pid != target_pid)
		return 0;
	return count_sample(ctx, pid,
			    (__u64)BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), mm));
}

SEC("perf_event")
int do_sample_dwarf(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = bpf_get_current_task_btf();
	struct dwarf_sample *s;
	struct pt_regs *r;
	__u32 pid = id >> 32;
	void *sp;

	if (!(__u32)id)
		return 0;
	if (target_pid && pid != target_pid)
		return 0;
	if (!task->mm) /* a kernel thread: no user stack to unwind */
		return count_sample(ctx, pid, 0);
	__sync_fetch_and_add(&stats.samples, 1);
	s = bpf_ringbuf_reserve(&dwarf_samples, sizeof(*s), 0);
	if (!s) {
		__sync_fetch_and_add(&stats.dropped, 1);
		return 0;
	}
	s->pid = pid;
	s->mm = (__u64)task->mm;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	s->kstack = user_only ? NO_STACK : bpf_get_stackid(ctx, &stacks, 0);
	/* the registers user space had when it last entered the kernel, or
	 * when the sample interrupted it */
	r = (struct pt_regs *)bpf_task_pt_regs(task);
	s->regs[0] = BPF_CORE_READ(r, ax);
	s->regs[1] = BPF_CORE_READ(r, dx);
	s->regs[2] = BPF_CORE_READ(r, cx);
	s->regs[3] = BPF_CORE_READ(r, bx);
	s->regs[4] = BPF_CORE_READ(r, si);
	s->regs[5] = BPF_CORE_READ(r, di);
	s->regs[6] = BPF_CORE_READ(r, bp);
	s->regs[7] = BPF_CORE_READ(r, sp);
	s->regs[8] = BPF_CORE_READ(r, r8);
	s->regs[9] = BPF_CORE_READ(r, r9);
	s->regs[10] = BPF_CORE_READ(r, r10);
	s->regs[11] = BPF_CORE_READ(r, r11);
	s->regs[12] = BPF_CORE_READ(r, r12);
	s->regs[13] = BPF_CORE_READ(r, r13);
	s->regs[14] = BPF_CORE_READ(r, r14);
	s->regs[15] = BPF_CORE_READ(r, r15);
	s->regs[16] = BPF_CORE_READ(r, ip);
	/* near the top of the stack less than a full copy is mapped: take
	 * the largest power of two that reads */
	sp = (void *)s->regs[7];
	if (!bpf_probe_read_user(s->stack, DWARF_STACK, sp))
		s->len = DWARF_STACK;
	else if (!bpf_probe_read_user(s->stack, DWARF_STACK / 2, sp))
		s->len = DWARF_STACK / 2;
	else if (!bpf_probe_read_user(s->stack, DWARF_STACK / 4, sp))
		s->len = DWARF_STACK / 4;
	else if (!bpf_probe_read_user(s->stack, DWARF_STACK / 8, sp))
		s->len = DWARF_STACK / 8;
	else if (!bpf_probe_read_user(s->stack, DWARF_STACK / 32, sp))
		s->len = DWARF_STACK / 32;
	else
		s->len = 0;
	bpf_ringbuf_submit(s, 0);
	return 0;
}

BEE_GPL;
