// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-matrix test: a BPF LSM program that denies opening one file (by its
 * name, for one process) with EPERM, and counts what it saw and denied.
 */
#include "bee/bee.bpf.h"

BEE_GPL;

#define KMX_NAME_LEN 48

const volatile __u32 target_tgid = 0;
const volatile char deny_name[KMX_NAME_LEN] = {};

enum { LSM_SEEN, LSM_DENIED, LSM_SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LSM_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} kmx_lsm_counts SEC(".maps");

static __always_inline void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&kmx_lsm_counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("lsm/file_open")
int BPF_PROG(kmx_deny_open, struct file *file, int prev)
{
	char name[KMX_NAME_LEN] = {};
	const unsigned char *p;

	if (prev || !target_tgid || (bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return prev;
	bump(LSM_SEEN);
	p = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(name, sizeof(name), p) < 0)
		return 0;
	for (int i = 0; i < KMX_NAME_LEN; i++) {
		if (name[i] != deny_name[i])
			return 0;
		if (!name[i])
			break;
	}
	bump(LSM_DENIED);
	return -1; /* -EPERM */
}
