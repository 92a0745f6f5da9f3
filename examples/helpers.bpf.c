// Every helper of the seed, in one program, on openat():
//   bpf_get_current_pid_tgid, bpf_ktime_get_ns, bpf_get_current_comm,
//   bpf_probe_read / bpf_probe_read_str (user memory: the path passed to
//   openat), bpf_get_current_task, bpf_perf_event_output, bpf_get_stackid,
//   bpf_trace_printk.
//   bee run examples/helpers.bpf.c --set target_pid=PID
#include "bee/bee.bpf.h"

struct helper_event {
	u32 pid;         /* bpf_get_current_pid_tgid() >> 32 */
	u32 tid;         /* (u32)bpf_get_current_pid_tgid() */
	u32 task_tgid;   /* bpf_get_current_task()->tgid */
	s32 kstack_id;   /* bpf_get_stackid(ctx, &stacks, 0) */
	u64 ts;          /* bpf_ktime_get_ns() */
	u64 dfd;         /* bpf_probe_read() of the syscall's first argument */
	char comm[16];   /* bpf_get_current_comm() */
	char path[128];  /* bpf_probe_read_user_str() of the filename argument */
};

const volatile u32 target_pid = 0;

BPF_PERF_OUTPUT(events);
BEE_EVENT(events, struct helper_event);
BPF_STACK_TRACE(stacks, 256);

struct openat_args {
	u64 unused;
	s64 syscall_nr;
	u64 dfd;
	const char *filename;
	u64 flags;
	u64 mode;
};

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct openat_args *ctx)
{
	struct helper_event e = {};
	struct task_struct *task;
	u64 id = bpf_get_current_pid_tgid();

	e.pid = id >> 32;
	if (target_pid && e.pid != target_pid)
		return 0;
	e.tid = (u32)id;
	e.ts = bpf_ktime_get_ns();
	bpf_get_current_comm(&e.comm, sizeof(e.comm));
	task = (struct task_struct *)bpf_get_current_task();
	e.task_tgid = BPF_CORE_READ(task, tgid);
	/* the seed's bpf_probe_read: a fixed-size read through a pointer */
	bpf_probe_read(&e.dfd, sizeof(e.dfd), &ctx->dfd);
	bpf_probe_read_user_str(&e.path, sizeof(e.path), ctx->filename);
	e.kstack_id = bpf_get_stackid(ctx, &stacks, 0);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	bpf_trace_printk("openat %s\n", sizeof("openat %s\n"), e.path);
	return 0;
}

BEE_GPL;
