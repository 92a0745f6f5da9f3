// SPDX-License-Identifier: GPL-2.0
/*
 * opensnoop: open(), openat() and openat2() with pid, comm, path, flags and
 * result. The path pointer and flags are kept at sys_enter; the path is read
 * at sys_exit, when the kernel has copied it (so its page is resident and
 * bpf_probe_read_user_str cannot miss it for a page fault).
 */
#include "bee/bee.bpf.h"
#include "opensnoop.h"

const volatile __u32 targ_pid = 0;
const volatile __u32 self_pid = 0;  /* bee's own opens are not shown */
const volatile __u32 targ_tid = 0;
const volatile __u32 targ_uid = (__u32)-1;
const volatile bool failed_only = false;
const volatile char targ_comm[16] = {};

struct args {
	const char *path;
	__u64 flags;
	__u32 mode;
	__u32 syscall;
};

BPF_RINGBUF_OUTPUT(events, 64);
BEE_EVENT(events, struct opensnoop_event);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args);
} starts SEC(".maps");

/* the record is built here (too big for the stack beside the rest) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct opensnoop_event);
} scratch SEC(".maps");

static __always_inline bool comm_matches(void)
{
	char comm[16];

	if (!targ_comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < 16; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline int on_enter(const char *path, __u64 flags, __u32 mode, __u32 syscall)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32, tid = (__u32)id;
	struct args a = { .path = path, .flags = flags, .mode = mode, .syscall = syscall };

	if (targ_pid && pid != targ_pid)
		return 0;
	if (pid == self_pid)
		return 0;
	if (targ_tid && tid != targ_tid)
		return 0;
	if (targ_uid != (__u32)-1 && (__u32)bpf_get_current_uid_gid() != targ_uid)
		return 0;
	if (!comm_matches())
		return 0;
	bpf_map_update_elem(&starts, &tid, &a, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, zero = 0;
	struct opensnoop_event *e;
	struct args *a = bpf_map_lookup_elem(&starts, &tid);

	if (!a)
		return 0;
	if (failed_only && ret >= 0)
		goto out;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		goto out;
	e->pid = id >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->ret = ret;
	e->flags = a->flags;
	e->mode = a->mode;
	e->syscall = a->syscall;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), a->path) < 0)
		e->path[0] = 0;
	events__ringbuf_output(e, sizeof(*e), 0);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

SEC("tp/syscalls/sys_enter_open")
int open_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((const char *)ctx->args[0], ctx->args[1], ctx->args[2], 0);
}

SEC("tp/syscalls/sys_exit_open")
int open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

SEC("tp/syscalls/sys_enter_openat")
int openat_enter(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((const char *)ctx->args[1], ctx->args[2], ctx->args[3], 1);
}

SEC("tp/syscalls/sys_exit_openat")
int openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

/* openat2(dfd, path, struct open_how *how, size) */
SEC("tp/syscalls/sys_enter_openat2")
int openat2_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return on_enter((const char *)ctx->args[1], how.flags, (__u32)how.mode, 2);
}

SEC("tp/syscalls/sys_exit_openat2")
int openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->ret);
}

BEE_GPL;
