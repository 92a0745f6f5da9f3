/* SPDX-License-Identifier: GPL-2.0 */
/* opensnoop: the record shared by the BPF side and bee. */
#ifndef BEE_TOOL_OPENSNOOP_H
#define BEE_TOOL_OPENSNOOP_H

#define OPENSNOOP_PATH_SZ 256

struct opensnoop_event {
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__s32 ret;        /* the fd, or -errno */
	__u64 flags;      /* open flags (O_*) */
	__u32 mode;
	__u32 syscall;    /* 0 open, 1 openat, 2 openat2 */
	char comm[16];
	char path[OPENSNOOP_PATH_SZ];
};

#endif
