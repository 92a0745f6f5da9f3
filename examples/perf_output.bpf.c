// The seed's BPF_PERF_OUTPUT(events) + events.perf_submit(ctx, &data, sizeof(data)):
// pid, comm and a timestamp for every process that calls getppid().
//   bee run examples/perf_output.bpf.c --duration 5
// Optionally only one process: --set target_pid=PID
#include "bee/bee.bpf.h"

struct data_t {
	u32 pid;
	u32 tid;
	u64 ts;
	char comm[16];
};

const volatile u32 target_pid = 0;

BPF_PERF_OUTPUT(events);
BEE_EVENT(events, struct data_t);

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	struct data_t data = {};
	u64 id = bpf_get_current_pid_tgid();

	data.pid = id >> 32;
	if (target_pid && data.pid != target_pid)
		return 0;
	data.tid = (u32)id;
	data.ts = bpf_ktime_get_ns();
	bpf_get_current_comm(&data.comm, sizeof(data.comm));
	events__perf_submit(ctx, &data, sizeof(data));
	return 0;
}

BEE_GPL;
