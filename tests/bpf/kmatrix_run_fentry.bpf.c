// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-matrix test for `bee run`: fentry entry and return probes on the
 * getpgid syscall that send one event per call of the target process, with
 * the pid it asked about (entry) or the pgid returned (return).
 */
#include "bee/bee.bpf.h"

BEE_GPL;

const volatile __u32 target_tgid = 0;

struct kmx_event {
	__u32 kind; /* 1 entry, 2 return */
	__u32 pid;
	__s64 val;
};

BPF_RINGBUF_OUTPUT(kmx_events, 4);
BEE_EVENT(kmx_events, struct kmx_event);

static __always_inline int emit(void *ctx, __u32 kind, __s64 val)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct kmx_event e = { .kind = kind, .pid = tgid, .val = val };

	if (target_tgid && tgid == target_tgid)
		kmx_events__submit(ctx, &e, sizeof(e));
	return 0;
}

SEC("fentry/__x64_sys_getpgid")
int BPF_PROG(kmx_run_entry, const struct pt_regs *regs)
{
	return emit(ctx, 1, PT_REGS_PARM1_CORE(regs));
}

SEC("fexit/__x64_sys_getpgid")
int BPF_PROG(kmx_run_exit, const struct pt_regs *regs, long ret)
{
	return emit(ctx, 2, ret);
}
