// SPDX-License-Identifier: GPL-2.0
/*
 * execsnoop: every exec with pid, ppid, comm and argv. argv is read from the
 * caller's memory at sys_enter_execve(at), while the old image still holds
 * it; the record is sent at sys_exit with the return value and, after a
 * successful exec, the new comm. Strings in pages that are not present yet
 * cannot be read at entry (BPF does not fault them in): after a successful
 * exec, sched_process_exec reads them from the new stack instead, where the
 * kernel has just copied them.
 */
#include "bee/bee.bpf.h"
#include "execsnoop.h"

const volatile __u32 targ_pid = 0;   /* only this process ... */
const volatile __u32 targ_ppid = 0;  /* ... or only children of this one */
const volatile bool failed_only = false;
const volatile __u32 targ_uid = (__u32)-1;

BPF_RINGBUF_OUTPUT(events, 64);
BEE_EVENT(events, struct execsnoop_event);

/* Records being filled, one per process between enter and exit. Keyed by
 * tgid: a successful exec from a non-leader thread returns in the leader's
 * tid, but the tgid stays. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* records are 2.6 KB: allocated when used, not 10 MB up front (which
	 * made every start slow) */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct execsnoop_event);
} execs SEC(".maps");

static const struct execsnoop_event empty;

static __always_inline int on_enter(const char *const *argv)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, uid = (__u32)bpf_get_current_uid_gid();
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct execsnoop_event *e;
	__u32 ppid = BPF_CORE_READ(task, real_parent, tgid);

	if (targ_pid && tgid != targ_pid)
		return 0;
	if (targ_ppid && ppid != targ_ppid)
		return 0;
	if (targ_uid != (__u32)-1 && uid != targ_uid)
		return 0;
	if (bpf_map_update_elem(&execs, &tgid, &empty, BPF_ANY))
		return 0;
	e = bpf_map_lookup_elem(&execs, &tgid);
	if (!e)
		return 0;
	e->pid = tgid;
	e->ppid = ppid;
	e->uid = uid;

	/* One fixed slot per argument: constant offsets keep the verifier's
	 * work small (packing them at a running offset made it walk 200,000
	 * instructions and take seconds at every start). */
	__u32 argc = 0;

	for (int i = 0; i < EXECSNOOP_MAX_ARGS; i++) {
		const char *arg = NULL;
		long n;

		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i])) {
			e->unread = 1;
			break;
		}
		if (!arg)
			break;
		n = bpf_probe_read_user_str(&e->args[i * EXECSNOOP_ARG_SZ], EXECSNOOP_ARG_SZ, arg);
		if (n <= 0) {
			e->unread = 1;
			break;
		}
		if (n == EXECSNOOP_ARG_SZ)
			e->truncated = 1;
		argc++;
	}
	/* a 21st argument: say that argv was cut */
	if (argc == EXECSNOOP_MAX_ARGS) {
		const char *arg = NULL;
		if (!bpf_probe_read_user(&arg, sizeof(arg), &argv[EXECSNOOP_MAX_ARGS]) && arg)
			e->truncated = 1;
	}
	e->argc = argc;
	e->args_sz = argc * EXECSNOOP_ARG_SZ;
	return 0;
}

static __always_inline int on_exit(long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct execsnoop_event *e = bpf_map_lookup_elem(&execs, &tgid);
	__u32 sz;

	if (!e)
		return 0;
	if (failed_only && ret >= 0)
		goto out;
	e->ret = ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	sz = e->args_sz;
	if (sz > EXECSNOOP_ARGS_SZ)
		sz = EXECSNOOP_ARGS_SZ;
	events__ringbuf_output(e, offsetof(struct execsnoop_event, args) + sz, 0);
out:
	bpf_map_delete_elem(&execs, &tgid);
	return 0;
}

/* After a successful exec, in the new image: argv as the kernel laid it out
 * between mm->arg_start and arg_end (NUL-separated, resident). */
SEC("tp/sched/sched_process_exec")
int exec_done(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct execsnoop_event *e = bpf_map_lookup_elem(&execs, &tgid);
	struct task_struct *task;
	unsigned long start, end, len;

	if (!e || !e->unread)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	if (end <= start)
		return 0;
	len = end - start;
	if (len > EXECSNOOP_ARGS_SZ) {
		len = EXECSNOOP_ARGS_SZ;
		e->truncated = 1;
	}
	if (bpf_probe_read_user(e->args, len, (void *)start))
		return 0;
	e->args_sz = len;
	e->argc = 0; /* not counted here: the reader splits at the NULs */
	e->unread = 0;
	e->late = 1;
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((const char *const *)ctx->args[1]);
}

SEC("tp/syscalls/sys_exit_execve")
int execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tp/syscalls/sys_enter_execveat")
int execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((const char *const *)ctx->args[2]);
}

SEC("tp/syscalls/sys_exit_execveat")
int execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

BEE_GPL;
