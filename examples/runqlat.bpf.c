// Run-queue latency from BTF-typed tracepoints (tp_btf/): how long a task
// waits between being woken and running, as a log2 histogram of usecs.
//   bee run examples/runqlat.bpf.c --duration 5
#include "bee/bee.bpf.h"

BPF_HASH(woken, u32, u64, 10240);
BPF_HISTOGRAM(usecs);

static __always_inline int mark(struct task_struct *p)
{
	u32 pid = BPF_CORE_READ(p, pid);
	u64 ts = bpf_ktime_get_ns();

	woken__update(&pid, &ts);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(on_wakeup, struct task_struct *p)
{
	return mark(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(on_wakeup_new, struct task_struct *p)
{
	return mark(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	u32 pid = BPF_CORE_READ(next, pid);
	u64 *ts = woken__lookup(&pid);

	if (!ts)
		return 0;
	usecs__increment(bee_log2l((bpf_ktime_get_ns() - *ts) / 1000));
	woken__delete(&pid);
	return 0;
}

BEE_GPL;
