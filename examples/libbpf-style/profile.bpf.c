// A plain libbpf program in the style of libbpf-bootstrap's "profile":
// SEC("perf_event") sampling on every CPU; each sample's pid, cpu, comm and
// kernel/user stacks go to a ring buffer. Frequency: bee run -F HZ.
//   bee run examples/libbpf-style/profile.bpf.c -F 99 --duration 2
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TASK_COMM_LEN 16
#define MAX_STACK_DEPTH 32

struct stacktrace_event {
	u32 pid;
	u32 cpu_id;
	char comm[TASK_COMM_LEN];
	s32 kstack_sz;
	s32 ustack_sz;
	u64 kstack[MAX_STACK_DEPTH];
	u64 ustack[MAX_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("perf_event")
int profile(void *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;
	int cpu_id = bpf_get_smp_processor_id();
	struct stacktrace_event *event;

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event)
		return 1;
	event->pid = pid;
	event->cpu_id = cpu_id;
	if (bpf_get_current_comm(event->comm, sizeof(event->comm)))
		event->comm[0] = 0;
	event->kstack_sz = bpf_get_stack(ctx, event->kstack, sizeof(event->kstack), 0);
	event->ustack_sz = bpf_get_stack(ctx, event->ustack, sizeof(event->ustack), BPF_F_USER_STACK);
	bpf_ringbuf_submit(event, 0);
	return 0;
}
