// SPDX-License-Identifier: GPL-2.0
/* bpfsnoop: every bpf() call of the followed processes (or all but bee),
 * copied on entry, emitted on exit with the result and the duration. */
#include "bee/bee.bpf.h"
#include "bpfsnoop.h"

BEE_GPL;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct snoop_cfg);
} cfg_map SEC(".maps");

/* tgids followed when cfg.follow is set: the target and its descendants */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* calls in flight, by thread id */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct snoop_call);
} inflight SEC(".maps");

/* A zeroed value to create in-flight entries from: filling the entry in
 * place avoids a per-CPU scratch buffer, which a preempted program could
 * share with another task's. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct snoop_call);
} zero SEC(".maps");

BPF_RINGBUF_OUTPUT(events, 4096);

/* calls not traced because the in-flight table was full */
__u64 snoop_inflight_full SEC(".bss");

static __always_inline struct snoop_cfg *get_cfg(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&cfg_map, &k);
}

/* The file behind fd @fd of the current task, or NULL. */
static __always_inline struct file *task_file(int fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(t, files, fdt, max_fds);
	struct file *f = NULL;

	if (fd < 0 || (unsigned int)fd >= max)
		return NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), fds + fd))
		return NULL;
	return f;
}

/* Read id and name of the BPF object @priv of @kind. */
static __always_inline void read_obj(void *priv, int kind, __u32 *id, char *name, __u32 *type)
{
	if (kind == SNOOP_OBJ_MAP) {
		struct bpf_map *m = priv;
		*id = BPF_CORE_READ(m, id);
		bpf_probe_read_kernel_str(name, 16, &m->name);
	} else if (kind == SNOOP_OBJ_PROG) {
		struct bpf_prog_aux *aux = BPF_CORE_READ((struct bpf_prog *)priv, aux);
		*id = BPF_CORE_READ(aux, id);
		bpf_probe_read_kernel_str(name, 16, &aux->name);
	} else if (kind == SNOOP_OBJ_LINK) {
		*id = BPF_CORE_READ((struct bpf_link *)priv, id);
		if (type)
			*type = BPF_CORE_READ((struct bpf_link *)priv, type);
	} else if (kind == SNOOP_OBJ_BTF) {
		*id = BPF_CORE_READ((struct btf *)priv, id);
	}
}

/* What fd @fd points at when the call is made: BPF objects are anon inode
 * files whose dentry is named "bpf-map", "bpf-prog", "bpf_link" or "btf"
 * (what /proc shows as anon_inode:bpf-map); anything else is a file. */
static __always_inline void resolve_fd(struct snoop_fd *out, int fd)
{
	struct file *f = task_file(fd);
	const unsigned char *dn;
	char n[16] = {};
	__u64 w;
	int kind;

	out->fd = fd;
	if (!f)
		return;
	dn = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(n, sizeof(n), dn);
	__builtin_memcpy(&w, n, 8);
	/* little-endian words of the names, NUL included where it fits */
	if (w == 0x0070616d2d667062ULL) /* "bpf-map\0" */
		kind = SNOOP_OBJ_MAP;
	else if (w == 0x676f72702d667062ULL && !n[8]) /* "bpf-prog" */
		kind = SNOOP_OBJ_PROG;
	else if (w == 0x6b6e696c5f667062ULL && !n[8]) /* "bpf_link" */
		kind = SNOOP_OBJ_LINK;
	else if ((__u32)w == 0x00667462) /* "btf\0" */
		kind = SNOOP_OBJ_BTF;
	else
		kind = SNOOP_OBJ_FILE;
	out->kind = kind;
	if (kind == SNOOP_OBJ_FILE) {
		struct inode *ino = BPF_CORE_READ(f, f_inode);
		out->ino = BPF_CORE_READ(ino, i_ino);
		out->magic = BPF_CORE_READ(ino, i_sb, s_magic);
		__builtin_memcpy(out->name, n, sizeof(n));
		return;
	}
	read_obj(BPF_CORE_READ(f, private_data), kind, &out->id, out->name, &out->magic);
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int snoop_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id, k = 0, cmd, cap, off;
	struct snoop_cfg *cfg = get_cfg();
	struct snoop_call *c, *z;
	__u64 p, rd;
	long n;

	if (!cfg || tgid == cfg->self_tgid)
		return 0;
	if (cfg->follow && !bpf_map_lookup_elem(&followed, &tgid))
		return 0;
	z = bpf_map_lookup_elem(&zero, &k);
	if (!z)
		return 0;
	if (bpf_map_update_elem(&inflight, &tid, z, BPF_ANY)) {
		__sync_fetch_and_add(&snoop_inflight_full, 1);
		return 0;
	}
	c = bpf_map_lookup_elem(&inflight, &tid);
	if (!c)
		return 0;
	c->pid = tgid;
	c->tid = tid;
	c->cmd = cmd = ctx->args[0];
	c->uattr = ctx->args[1];
	c->attr_sz = ctx->args[2];
	/* bound the size in a register the verifier follows (not the copy in
	 * the map value, which it cannot) */
	rd = (__u32)ctx->args[2];
	if (rd > SNOOP_ATTR_MAX)
		rd = SNOOP_ATTR_MAX;
	asm volatile("" : "+r"(rd));
	cap = rd;
	if (bpf_probe_read_user(c->attr, rd, (void *)c->uattr))
		cap = 0;
	c->attr_cap = cap;
	if (cmd < SNOOP_CMD_MAX) {
		off = cfg->str_off[cmd];
		if (off <= SNOOP_ATTR_MAX - 8 && off + 8 <= cap) {
			__builtin_memcpy(&p, c->attr + off, 8);
			n = bpf_probe_read_user_str(c->str, sizeof(c->str), (void *)p);
			c->str_len = n > 0 ? n : 0;
		}
	}
	for (int i = 0; i < SNOOP_FDS; i++) {
		__s32 fd;

		c->fds[i].fd = -1;
		if (cmd >= SNOOP_CMD_MAX)
			continue;
		off = cfg->fd_off[cmd][i];
		if (off > SNOOP_ATTR_MAX - 4 || off + 4 > cap)
			continue;
		__builtin_memcpy(&fd, c->attr + off, 4);
		resolve_fd(&c->fds[i], fd);
	}
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	c->ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bpf")
int snoop_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), cmd, cnt, off;
	struct snoop_cfg *cfg = get_cfg();
	struct snoop_call_insns *r;
	struct snoop_call *c;
	__u64 p, n8;

	if (!cfg)
		return 0;
	c = bpf_map_lookup_elem(&inflight, &tid);
	if (!c)
		return 0;
	c->ret = ctx->ret;
	c->dur_ns = bpf_ktime_get_ns() - c->ts_ns;
	cmd = c->cmd;
	if (c->ret >= 0 && cmd < SNOOP_CMD_MAX && cfg->ret_obj[cmd]) {
		struct file *f = task_file(c->ret);
		if (f)
			read_obj(BPF_CORE_READ(f, private_data), cfg->ret_obj[cmd], &c->obj_id,
				 c->obj_name, &c->obj_link_type);
	}

	if (!cfg->insns || cmd != cfg->prog_load_cmd) {
		events__ringbuf_output(c, sizeof(*c), 0);
		goto out;
	}
	/* Instructions are read on exit: the caller's buffer is unchanged and
	 * the big copy goes straight into the ring, not into the table. */
	r = events__reserve(sizeof(*r));
	if (!r)
		goto out;
	__builtin_memcpy(&r->c, c, sizeof(*c));
	cnt = 0;
	off = cfg->insn_cnt_off;
	if (off <= SNOOP_ATTR_MAX - 4 && off + 4 <= c->attr_cap)
		__builtin_memcpy(&cnt, c->attr + off, 4);
	off = cfg->insns_off;
	p = 0;
	if (off <= SNOOP_ATTR_MAX - 8 && off + 8 <= c->attr_cap)
		__builtin_memcpy(&p, c->attr + off, 8);
	n8 = cnt;
	if (n8 > SNOOP_INSNS_MAX)
		n8 = SNOOP_INSNS_MAX;
	asm volatile("" : "+r"(n8));
	n8 *= 8;
	if (!p || bpf_probe_read_user(r->insns, n8, (void *)p))
		n8 = 0;
	r->c.insn_bytes = n8;
	events__commit(r);
out:
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/* Follow the children of followed processes. Runs in the parent. */
SEC("raw_tracepoint/sched_process_fork")
int snoop_fork(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 ptgid = bpf_get_current_pid_tgid() >> 32, ctgid;
	struct snoop_cfg *cfg = get_cfg();
	struct task_struct *child = (void *)ctx->args[1];
	__u8 one = 1;

	if (!cfg || !cfg->follow || !bpf_map_lookup_elem(&followed, &ptgid))
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	if (ctgid != ptgid)
		bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	return 0;
}

/* Forget a process when its last thread exits, so a reused pid is not
 * followed. do_exit() drops signal->live before this tracepoint. */
SEC("tracepoint/sched/sched_process_exit")
int snoop_proc_exit(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (BPF_CORE_READ(t, signal, live.counter) == 0)
		bpf_map_delete_elem(&followed, &tgid);
	return 0;
}
