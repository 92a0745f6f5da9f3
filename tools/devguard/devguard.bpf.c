// SPDX-License-Identifier: GPL-2.0
/* devguard: device access policy for the processes of one cgroup (the
 * seed's BPF_CGROUP_DEVICE program). Rules come from user space in `rules`;
 * the most specific matching rule decides, else the default. Denials are
 * counted and reported as events. */
#include "bee/bee.bpf.h"

#define DG_ANY 0xffffffffu

/* deny every access no rule allows */
const volatile bool default_deny = false;

struct dg_key {
	__u32 type;  /* BPF_DEVCG_DEV_CHAR (2), _BLOCK (1) or DG_ANY */
	__u32 major; /* or DG_ANY */
	__u32 minor; /* or DG_ANY */
};

struct dg_rule {
	__u32 allow; /* BPF_DEVCG_ACC_MKNOD 1 | READ 2 | WRITE 4 */
	__u32 deny;
};

struct dg_event {
	__u32 pid;
	__u32 type;
	__u32 major;
	__u32 minor;
	__u32 access;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct dg_key);
	__type(value, struct dg_rule);
} rules SEC(".maps");

/* denials per device and access */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct dg_key);
	__type(value, __u64);
} denied SEC(".maps");

BPF_RINGBUF_OUTPUT(events, 16);
BEE_EVENT(events, struct dg_event);

static __always_inline struct dg_rule *find_rule(__u32 type, __u32 major, __u32 minor)
{
	struct dg_key k = { type, major, minor };
	struct dg_rule *r;

	if ((r = bpf_map_lookup_elem(&rules, &k)))
		return r;
	k.minor = DG_ANY;
	if ((r = bpf_map_lookup_elem(&rules, &k)))
		return r;
	k.major = DG_ANY;
	if ((r = bpf_map_lookup_elem(&rules, &k)))
		return r;
	k.type = DG_ANY;
	return bpf_map_lookup_elem(&rules, &k);
}

SEC("cgroup/dev")
int devguard(struct bpf_cgroup_dev_ctx *ctx)
{
	__u32 type = ctx->access_type & 0xffff, access = ctx->access_type >> 16;
	struct dg_rule *r = find_rule(type, ctx->major, ctx->minor);
	bool allow = !default_deny;
	struct dg_key dk = { type, ctx->major, ctx->minor };
	struct dg_event e = {};
	__u64 one = 1, *cnt;

	if (r) {
		if (access & r->deny)
			allow = false;
		else if ((access & r->allow) == access)
			allow = true;
	}
	if (allow)
		return 1;
	cnt = bpf_map_lookup_elem(&denied, &dk);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&denied, &dk, &one, BPF_NOEXIST);
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.type = type;
	e.major = ctx->major;
	e.minor = ctx->minor;
	e.access = access;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	events__ringbuf_output(&e, sizeof(e), 0);
	return 0;
}

BEE_GPL;
