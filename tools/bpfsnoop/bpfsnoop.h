/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* bpfsnoop: what the BPF side (bpfsnoop.bpf.c) and the tool (bpfsnoop.c)
 * share. The BPF side knows no layout of union bpf_attr: user space reads
 * it from kernel BTF and passes offsets in struct snoop_cfg. */
#ifndef BEE_BPFSNOOP_H
#define BEE_BPFSNOOP_H

#define SNOOP_ATTR_MAX 256  /* bytes of the attr copied (6.18's is 168) */
#define SNOOP_STR_MAX 128   /* license, pathname, tracepoint name */
#define SNOOP_CMD_MAX 64    /* commands the tables cover (6.18 has 39) */
#define SNOOP_INSNS_MAX 2048 /* instructions copied with --insns */
#define SNOOP_FDS 4          /* fd fields of one attr resolved in the kernel */
#define SNOOP_NO_OFF 0xffff

/* Calls other than bpf() that attach programs, in snoop_call.cmd */
#define SNOOP_CALL_IOCTL_SET_BPF 0x10001 /* fds[0] perf event, fds[1] prog */
#define SNOOP_CALL_SETSOCKOPT 0x10002    /* fds[0] socket, fds[1] prog, uattr optname */
#define SNOOP_PERF_EVENT_IOC_SET_BPF 0x40042408 /* _IOW('$', 8, __u32) */
#define SNOOP_SOL_SOCKET 1
#define SNOOP_SO_ATTACH_BPF 50
#define SNOOP_SO_ATTACH_REUSEPORT_EBPF 52

/* What the fd a command returns points at, so the kernel side can read its
 * id and name before the caller can close it. */
enum snoop_obj {
	SNOOP_OBJ_NONE,
	SNOOP_OBJ_MAP,
	SNOOP_OBJ_PROG,
	SNOOP_OBJ_LINK,
	SNOOP_OBJ_BTF,
	SNOOP_OBJ_FILE, /* anything else: a directory (cgroup), a file, ... */
	SNOOP_OBJ_PERF, /* a perf event: magic = attr.type, ino = attr.config */
};

/* What an fd named in the attr pointed at when the call was made. */
struct snoop_fd {
	__s32 fd;     /* -1: slot unused */
	__u32 kind;   /* enum snoop_obj; NONE: no such fd */
	__u32 id;     /* map/prog/link/btf id */
	__u32 magic;  /* SNOOP_OBJ_FILE: the file system's magic; links: enum bpf_link_type */
	__u64 ino;    /* SNOOP_OBJ_FILE: inode number (a cgroup's id) */
	__u32 key_size, value_size; /* maps */
	char name[16]; /* map/prog name; for files the last path component */
};

/* MAP_*_ELEM: which key and value bytes to copy (snoop_cfg.elem), into
 * str[0..SNOOP_ELEM_MAX) (key) and str[SNOOP_ELEM_MAX..) (value or next
 * key); str_len = key bytes | value bytes << 8. */
#define SNOOP_ELEM_MAX 64
#define SNOOP_ELEM_KEY_IN 1   /* key, on entry */
#define SNOOP_ELEM_VALUE_IN 2 /* value, on entry (update) */
#define SNOOP_ELEM_VALUE_OUT 4 /* value, on success (lookup) */
#define SNOOP_ELEM_NEXT_OUT 8  /* next_key, on success */

struct snoop_cfg {
	__u32 self_tgid; /* bee itself: never traced */
	__u32 follow;    /* 1: only tgids in the `followed` map */
	__u32 insns;     /* copy BPF_PROG_LOAD's instructions */
	__u32 prog_load_cmd;
	__u16 insns_off, insn_cnt_off;
	/* BPF_OBJ_GET_INFO_BY_FD: copy what the kernel wrote into str[] */
	__u32 info_cmd;
	__u16 info_off, info_len_off;
	/* offset in the attr of a pointer to a string, per command */
	__u16 str_off[SNOOP_CMD_MAX];
	__u8 ret_obj[SNOOP_CMD_MAX];
	/* offsets of fd fields per command */
	__u16 fd_off[SNOOP_CMD_MAX][SNOOP_FDS];
	__u8 elem[SNOOP_CMD_MAX];
	__u16 key_off, value_off;
};

/* One bpf() call; the in-flight state and the record header. */
struct snoop_call {
	__u64 ts_ns;   /* entry, bpf_ktime_get_ns() */
	__u64 dur_ns;
	__s64 ret;
	__u64 uattr;
	__u32 pid, tid;
	__u32 cmd;
	__u32 attr_sz;    /* the size argument */
	__u32 attr_cap;   /* bytes of it copied into attr[] */
	__u32 str_len;    /* bytes in str[] (a string with its NUL, or the
			   * object info OBJ_GET_INFO_BY_FD returned); 0: none */
	__u32 obj_id;     /* id of what the returned fd points at (0: none) */
	__u32 insn_bytes; /* bytes of instructions after this header */
	__u32 obj_link_type; /* the returned link's enum bpf_link_type */
	__u32 pad;
	char comm[16];
	char obj_name[16];
	__u32 live;       /* in flight (the per-task slot is reused) */
	__u32 pad2;
	struct snoop_fd fds[SNOOP_FDS];
	char str[SNOOP_STR_MAX];
	/* last: a record ends after the attr_cap bytes the call passed */
	__u8 attr[SNOOP_ATTR_MAX];
};

struct snoop_call_insns {
	struct snoop_call c;
	__u8 insns[SNOOP_INSNS_MAX * 8];
};

#endif
