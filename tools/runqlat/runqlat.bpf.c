// SPDX-License-Identifier: GPL-2.0
/*
 * runqlat: run-queue latency, the time from a task becoming runnable (woken,
 * created, or preempted while still runnable) to it running on a CPU, as a
 * log2 histogram. Two sets of programs: BTF-typed tracepoints (tp_btf/),
 * which see the task_struct, and the plain sched tracepoints as a fallback;
 * bee loads one set (runqlat.c).
 */
#include "bee/bee.bpf.h"

const volatile __u32 targ_pid = 0;      /* tp_btf: a process; tracepoints: a thread */
const volatile __u64 unit_div = 1000;
/* one histogram per process (tgid; the plain tracepoints: per thread) or
 * per thread, in hists, instead of the one in dist */
const volatile bool per_process = false;
const volatile bool per_thread = false;

struct runqlat_hist {
	__u64 slots[64];
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct runqlat_hist);
} hists SEC(".maps");

static const struct runqlat_hist zero_hist;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} starts SEC(".maps");

BPF_HISTOGRAM(dist);

static __always_inline int enqueue(__u32 filter_id, __u32 tid)
{
	__u64 ts;

	if (!tid)
		return 0; /* the idle task */
	if (targ_pid && filter_id != targ_pid)
		return 0;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&starts, &tid, &ts, BPF_ANY);
	return 0;
}

/* @comm: the task's comm in kernel memory (task_struct or the event) */
static __always_inline int switch_in(__u32 tid, __u32 tgid, const char *comm)
{
	__u64 *ts = bpf_map_lookup_elem(&starts, &tid), delta;
	struct runqlat_hist *h;
	__u32 slot, key;

	if (!ts)
		return 0;
	delta = (bpf_ktime_get_ns() - *ts) / unit_div;
	bpf_map_delete_elem(&starts, &tid);
	slot = bee_log2l(delta);
	if (slot >= 64)
		slot = 63;
	if (!per_process && !per_thread) {
		dist__increment(slot);
		return 0;
	}
	key = per_thread ? tid : tgid;
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
		bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), comm);
	}
	__sync_fetch_and_add(&h->slots[slot], 1);
	return 0;
}

/* ---- tp_btf ---- */

/* task_struct.state became __state in 5.14 */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

static __always_inline long task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___old *)t, state);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(btf_wakeup, struct task_struct *p)
{
	return enqueue(BPF_CORE_READ(p, tgid), BPF_CORE_READ(p, pid));
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(btf_wakeup_new, struct task_struct *p)
{
	return enqueue(BPF_CORE_READ(p, tgid), BPF_CORE_READ(p, pid));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	/* preempted (even between setting a sleep state and sleeping: it stays
	 * queued) or still runnable: it waits in the queue from now */
	if (preempt || task_state(prev) == 0 /* TASK_RUNNING */)
		enqueue(BPF_CORE_READ(prev, tgid), BPF_CORE_READ(prev, pid));
	return switch_in(BPF_CORE_READ(next, pid), BPF_CORE_READ(next, tgid), next->comm);
}

/* ---- plain tracepoints ---- */

SEC("tp/sched/sched_wakeup")
int tp_wakeup(struct trace_event_raw_sched_wakeup_template *ctx)
{
	return enqueue(ctx->pid, ctx->pid);
}

SEC("tp/sched/sched_wakeup_new")
int tp_wakeup_new(struct trace_event_raw_sched_wakeup_template *ctx)
{
	return enqueue(ctx->pid, ctx->pid);
}

SEC("tp/sched/sched_switch")
int tp_switch(struct trace_event_raw_sched_switch *ctx)
{
	/* The event's prev_state is a report: 0 for TASK_RUNNING, and
	 * TASK_REPORT_MAX (0x100, above the 8 reported states; TASK_IDLE is
	 * 0x80) when the task was preempted; both mean it stays runnable. */
	if (!(ctx->prev_state & 0xff))
		enqueue(ctx->prev_pid, ctx->prev_pid);
	/* the event does not carry the process: per thread here */
	return switch_in(ctx->next_pid, ctx->next_pid, ctx->next_comm);
}

BEE_GPL;
