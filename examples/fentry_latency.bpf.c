// The same latency histogram with fentry/fexit (BPF trampolines, the BTF-era
// kprobes): fexit sees the entry time and the return value in one program.
//   bee run examples/fentry_latency.bpf.c --duration 5
#include "bee/bee.bpf.h"

BPF_HASH(start, u32, u64, 10240);
BPF_HISTOGRAM(usecs);
u64 calls = 0;

SEC("fentry/hrtimer_nanosleep")
int BPF_PROG(nanosleep_entry)
{
	u32 tid = bee_tid();
	u64 ts = bpf_ktime_get_ns();

	start__update(&tid, &ts);
	return 0;
}

SEC("fexit/hrtimer_nanosleep")
int BPF_PROG(nanosleep_exit)
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
