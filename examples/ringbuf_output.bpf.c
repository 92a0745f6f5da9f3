// The perf_output example on a ring buffer: one line changes (BPF_RINGBUF_OUTPUT),
// and NAME__submit() works for both kinds. Lost records are counted by the macro.
//   bee run examples/ringbuf_output.bpf.c --duration 5
#include "bee/bee.bpf.h"

struct data_t {
	u32 pid;
	u32 tid;
	u64 ts;
	char comm[16];
};

const volatile u32 target_pid = 0;
/* records the program tried to send, for exact delivery accounting */
u64 produced = 0;

#ifndef RB_PAGES
#define RB_PAGES 64
#endif
BPF_RINGBUF_OUTPUT(events, RB_PAGES);
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
	__sync_fetch_and_add(&produced, 1);
	events__submit(ctx, &data, sizeof(data));
	return 0;
}

BEE_GPL;
