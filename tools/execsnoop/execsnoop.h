/* SPDX-License-Identifier: GPL-2.0 */
/* execsnoop: the record shared by the BPF side and bee. */
#ifndef BEE_TOOL_EXECSNOOP_H
#define BEE_TOOL_EXECSNOOP_H

#define EXECSNOOP_MAX_ARGS 20
#define EXECSNOOP_ARG_SZ 128
#define EXECSNOOP_ARGS_SZ (EXECSNOOP_MAX_ARGS * EXECSNOOP_ARG_SZ)

struct execsnoop_event {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__s32 ret;          /* execve's return: 0 or -errno */
	__u32 argc;         /* arguments in args (0 when read after the exec) */
	__u32 args_sz;      /* bytes of args sent */
	__u8 truncated;     /* more than EXECSNOOP_MAX_ARGS, or an argument cut */
	__u8 unread;        /* argv could not be read (pages not present at entry) */
	__u8 late;          /* so argv was read after the exec, from the new stack */
	char comm[16];
	/* Read at entry: argument i in args[i * EXECSNOOP_ARG_SZ], NUL-terminated
	 * (fixed slots keep the verifier's work small). Read after the exec
	 * (late): the new image's argv area as is, NUL-separated strings. */
	char args[EXECSNOOP_ARGS_SZ];
};

#endif
