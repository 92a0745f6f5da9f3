// A latency histogram from a pair of tracepoints: the time each nanosleep()
// takes, in microseconds, printed at exit as a log2 histogram.
//   bee run examples/syscall_latency.bpf.c --duration 5
#include "bee/bee.bpf.h"

const volatile u32 target_pid = 0;

BPF_HASH(start, u32, u64, 10240);
BPF_HISTOGRAM(usecs);
u64 calls = 0;

SEC("tracepoint/syscalls/sys_enter_clock_nanosleep")
int on_enter(void *ctx)
{
	u32 tid = bee_tid();
	u64 ts = bpf_ktime_get_ns();

	if (target_pid && bee_pid() != target_pid)
		return 0;
	start__update(&tid, &ts);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_clock_nanosleep")
int on_exit(void *ctx)
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
