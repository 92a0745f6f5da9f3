// The same latency histogram measured with kprobe/kretprobe on the kernel
// function behind nanosleep (the seed's attach_kprobe). On a kernel without
// kprobes bee says so and names the tracepoints that work instead.
//   bee run examples/kprobe_latency.bpf.c --duration 5
#include "bee/bee.bpf.h"

BPF_HASH(start, u32, u64, 10240);
BPF_HISTOGRAM(usecs);
u64 calls = 0;

SEC("kprobe/hrtimer_nanosleep")
int BPF_KPROBE(nanosleep_entry)
{
	u32 tid = bee_tid();
	u64 ts = bpf_ktime_get_ns();

	start__update(&tid, &ts);
	return 0;
}

SEC("kretprobe/hrtimer_nanosleep")
int BPF_KRETPROBE(nanosleep_return)
{
	u32 tid = bee_tid();
	u64 *ts = start__lookup(&tid);

	if (!ts)
		return 0;
	usecs__increment(bee_log2l((bpf_ktime_get_ns() - *ts) / 1000));
	__sync_fetch_and_add(&calls, 1);
	start__delete(&tid);
	return 0;
}

BEE_GPL;
