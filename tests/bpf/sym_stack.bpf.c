// SPDX-License-Identifier: GPL-2.0
/* Stacks for test_profile: on getppid() from the test's pid, take the
 * kernel and user stacks both ways (bpf_get_stackid into a stack map, and
 * bpf_get_stack into a buffer). */
#include "bee/bee.bpf.h"

const volatile __u32 target_pid = 0;

BPF_STACK_TRACE(sym_stacks, 64);

struct stack_result {
	__s64 kid, uid;       /* bpf_get_stackid */
	__s64 klen, ulen;     /* bpf_get_stack: bytes written or -errno */
	__u64 kbuf[32];
	__u64 ubuf[32];
	__u64 hits;
};

/* a plain map definition: BPF_ARRAY's increment helpers want integer values */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_result);
} sym_result SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int sym_on_getppid(void *ctx)
{
	__u32 zero = 0;
	struct stack_result *r;

	if (bee_pid() != target_pid)
		return 0;
	r = bpf_map_lookup_elem(&sym_result, &zero);
	if (!r)
		return 0;
	r->kid = bpf_get_stackid(ctx, &sym_stacks, 0);
	r->uid = bpf_get_stackid(ctx, &sym_stacks, BPF_F_USER_STACK);
	r->klen = bpf_get_stack(ctx, r->kbuf, sizeof(r->kbuf), 0);
	r->ulen = bpf_get_stack(ctx, r->ubuf, sizeof(r->ubuf), BPF_F_USER_STACK);
	r->hits++;
	return 0;
}

BEE_GPL;
