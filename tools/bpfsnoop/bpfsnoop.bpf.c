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

/* The call in flight, per thread: task storage costs no hash insert and
 * delete per call, and unlike a per-CPU buffer it cannot be shared with
 * another task that preempts this one. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct snoop_call);
} inflight SEC(".maps");

BPF_RINGBUF_OUTPUT(events, 4096);

/* calls not traced because no per-task slot could be allocated */
__u64 snoop_inflight_full SEC(".bss");

static __always_inline struct snoop_cfg *get_cfg(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&cfg_map, &k);
}

/* The file behind fd @fd of the current task, or NULL. */
static __always_inline struct file *task_file(int fd)
{
	/* BTF-typed loads instead of a probe_read per pointer: the chain to
	 * the fd array is the hot path of every traced call */
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	struct file **fds = fdt->fd;
	unsigned int max = fdt->max_fds;
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

/* What fd @fd points at when the call is made (a global function: the
 * verifier checks it once, not once per fd field): BPF objects are anon inode
 * files whose dentry is named "bpf-map", "bpf-prog", "bpf_link" or "btf"
 * (what /proc shows as anon_inode:bpf-map); anything else is a file. */
__noinline int resolve_fd(struct snoop_fd *out, int fd)
{
	struct file *f;
	const unsigned char *dn;
	void *priv;
	char n[16] = {};
	__u64 w;
	int kind;

	if (!out)
		return 0;
	out->fd = fd;
	f = task_file(fd);
	if (!f)
		return 0;
	/* probe reads, not bpf_rdonly_cast(): that kfunc needs kernel 6.2 */
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
	else if (w == 0x76655f667265705bULL) /* "[perf_ev(ent]" */
		kind = SNOOP_OBJ_PERF;
	else
		kind = SNOOP_OBJ_FILE;
	out->kind = kind;
	if (kind == SNOOP_OBJ_PERF) {
		/* what the event is: a tracepoint's id, a kprobe, a counter */
		struct perf_event *pe = BPF_CORE_READ(f, private_data);

		out->magic = BPF_CORE_READ(pe, attr.type);
		out->ino = BPF_CORE_READ(pe, attr.config);
		return 0;
	}
	if (kind == SNOOP_OBJ_FILE) {
		out->ino = BPF_CORE_READ(f, f_inode, i_ino);
		out->magic = BPF_CORE_READ(f, f_inode, i_sb, s_magic);
		__builtin_memcpy(out->name, n, sizeof(n));
		return 0;
	}
	priv = BPF_CORE_READ(f, private_data);
	read_obj(priv, kind, &out->id, out->name, &out->magic);
	if (kind == SNOOP_OBJ_MAP) {
		out->key_size = BPF_CORE_READ((struct bpf_map *)priv, key_size);
		out->value_size = BPF_CORE_READ((struct bpf_map *)priv, value_size);
	}
	return 0;
}

/* Copy up to SNOOP_ELEM_MAX of @size bytes from the user pointer at attr
 * offset @off into @dst; the count copied. */
static __always_inline __u32 copy_elem(struct snoop_call *c, void *dst, __u32 off, __u32 size)
{
	__u64 p = 0, n = size;

	if (off > SNOOP_ATTR_MAX - 8 || off + 8 > c->attr_cap)
		return 0;
	__builtin_memcpy(&p, c->attr + off, 8);
	if (n > SNOOP_ELEM_MAX)
		n = SNOOP_ELEM_MAX;
	asm volatile("" : "+r"(n));
	if (!p || bpf_probe_read_user(dst, n, (void *)p))
		return 0;
	return n;
}

/* A per-task slot for a call of a followed process about to run, reset;
 * NULL when the call is not traced. */
static __always_inline struct snoop_call *begin(struct snoop_cfg *cfg)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct snoop_call *c;

	if (!cfg || tgid == cfg->self_tgid)
		return NULL;
	if (cfg->follow && !bpf_map_lookup_elem(&followed, &tgid))
		return NULL;
	c = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!c) {
		__sync_fetch_and_add(&snoop_inflight_full, 1);
		return NULL;
	}
	/* the slot holds the last call's data: reset what is not always set */
	c->str_len = 0;
	c->obj_id = 0;
	c->insn_bytes = 0;
	c->obj_link_type = 0;
	c->attr_sz = 0;
	c->attr_cap = 0;
	c->uattr = 0;
	__builtin_memset(c->obj_name, 0, sizeof(c->obj_name));
	__builtin_memset(c->fds, 0, sizeof(c->fds));
	for (int i = 0; i < SNOOP_FDS; i++)
		c->fds[i].fd = -1;
	c->live = 1;
	c->pid = tgid;
	c->tid = (__u32)id;
	return c;
}

/* Attachments made outside bpf(): a perf event's ioctl(PERF_EVENT_IOC_SET_BPF)
 * (BCC, older libbpf) and setsockopt(SO_ATTACH_BPF) of socket filters. */
SEC("tracepoint/syscalls/sys_enter_ioctl")
int snoop_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	struct snoop_cfg *cfg;
	struct snoop_call *c;

	if ((__u32)ctx->args[1] != SNOOP_PERF_EVENT_IOC_SET_BPF)
		return 0;
	cfg = get_cfg();
	c = begin(cfg);
	if (!c)
		return 0;
	c->cmd = SNOOP_CALL_IOCTL_SET_BPF;
	resolve_fd(&c->fds[0], ctx->args[0]);
	resolve_fd(&c->fds[1], ctx->args[2]);
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	c->ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_setsockopt")
int snoop_sopt(struct trace_event_raw_sys_enter *ctx)
{
	__u32 optname = ctx->args[2];
	struct snoop_cfg *cfg;
	struct snoop_call *c;
	int prog_fd = -1;

	if (ctx->args[1] != SNOOP_SOL_SOCKET ||
	    (optname != SNOOP_SO_ATTACH_BPF && optname != SNOOP_SO_ATTACH_REUSEPORT_EBPF))
		return 0;
	cfg = get_cfg();
	c = begin(cfg);
	if (!c)
		return 0;
	c->cmd = SNOOP_CALL_SETSOCKOPT;
	c->uattr = optname;
	c->attr_sz = ctx->args[4];
	resolve_fd(&c->fds[0], ctx->args[0]);
	if (!bpf_probe_read_user(&prog_fd, sizeof(prog_fd), (void *)ctx->args[3]))
		resolve_fd(&c->fds[1], prog_fd);
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	c->ts_ns = bpf_ktime_get_ns();
	return 0;
}

/* The end of a traced ioctl or setsockopt: one record. */
static __always_inline int finish_other(long ret, __u32 cmd)
{
	struct snoop_call *c = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);

	if (!c || !c->live || c->cmd != cmd)
		return 0;
	c->live = 0;
	c->ret = ret;
	c->dur_ns = bpf_ktime_get_ns() - c->ts_ns;
	events__ringbuf_output(c, offsetof(struct snoop_call, attr), 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_ioctl")
int snoop_ioctl_ret(struct trace_event_raw_sys_exit *ctx)
{
	return finish_other(ctx->ret, SNOOP_CALL_IOCTL_SET_BPF);
}

SEC("tracepoint/syscalls/sys_exit_setsockopt")
int snoop_sopt_ret(struct trace_event_raw_sys_exit *ctx)
{
	return finish_other(ctx->ret, SNOOP_CALL_SETSOCKOPT);
}

SEC("tracepoint/syscalls/sys_enter_bpf")
int snoop_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 cmd, cap, off;
	struct snoop_cfg *cfg = get_cfg();
	struct snoop_call *c;
	__u64 p, rd;
	long n;

	c = begin(cfg);
	if (!c)
		return 0;
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
	/* map keys and values: the map's sizes came with its fd (fds[0]) */
	if (cmd < SNOOP_CMD_MAX && cfg->elem[cmd] && c->fds[0].kind == SNOOP_OBJ_MAP) {
		__u32 kl = 0, vl = 0;

		if (cfg->elem[cmd] & SNOOP_ELEM_KEY_IN)
			kl = copy_elem(c, c->str, cfg->key_off, c->fds[0].key_size);
		if (cfg->elem[cmd] & SNOOP_ELEM_VALUE_IN)
			vl = copy_elem(c, c->str + SNOOP_ELEM_MAX, cfg->value_off, c->fds[0].value_size);
		c->str_len = kl | vl << 8;
	}
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	c->ts_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bpf")
int snoop_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 cmd, cnt, off;
	struct snoop_cfg *cfg = get_cfg();
	struct snoop_call_insns *r;
	struct snoop_call *c;
	__u64 p, n8, sz;

	if (!cfg)
		return 0;
	c = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!c || !c->live || c->cmd >= SNOOP_CALL_IOCTL_SET_BPF)
		return 0;
	c->live = 0;
	c->ret = ctx->ret;
	c->dur_ns = bpf_ktime_get_ns() - c->ts_ns;
	cmd = c->cmd;
	if (c->ret >= 0 && cmd < SNOOP_CMD_MAX && cfg->ret_obj[cmd]) {
		struct file *f = task_file(c->ret);
		if (f)
			read_obj(BPF_CORE_READ(f, private_data), cfg->ret_obj[cmd], &c->obj_id,
				 c->obj_name, &c->obj_link_type);
	}

	/* what a lookup returned (the value) or the next key */
	if (c->ret == 0 && cmd < SNOOP_CMD_MAX && c->fds[0].kind == SNOOP_OBJ_MAP &&
	    (cfg->elem[cmd] & (SNOOP_ELEM_VALUE_OUT | SNOOP_ELEM_NEXT_OUT))) {
		__u32 vl = cfg->elem[cmd] & SNOOP_ELEM_VALUE_OUT ?
				   copy_elem(c, c->str + SNOOP_ELEM_MAX, cfg->value_off,
					     c->fds[0].value_size) :
				   copy_elem(c, c->str + SNOOP_ELEM_MAX, cfg->value_off,
					     c->fds[0].key_size);

		c->str_len = (c->str_len & 0xff) | vl << 8;
	}

	/* The object info the kernel wrote: read now, before the caller can
	 * reuse the buffer (fits str[], which this command does not use). */
	if (cmd == cfg->info_cmd && c->ret == 0) {
		off = cfg->info_len_off;
		cnt = 0;
		if (off <= SNOOP_ATTR_MAX - 4 && off + 4 <= c->attr_cap)
			bpf_probe_read_user(&cnt, 4, (void *)(c->uattr + off));
		off = cfg->info_off;
		p = 0;
		if (off <= SNOOP_ATTR_MAX - 8 && off + 8 <= c->attr_cap)
			__builtin_memcpy(&p, c->attr + off, 8);
		n8 = cnt;
		if (n8 > SNOOP_STR_MAX)
			n8 = SNOOP_STR_MAX;
		asm volatile("" : "+r"(n8));
		if (p && !bpf_probe_read_user(c->str, n8, (void *)p))
			c->str_len = n8;
	}

	if (!cfg->insns || cmd != cfg->prog_load_cmd) {
		/* only the bytes of the attr the call passed */
		sz = c->attr_cap;
		if (sz > SNOOP_ATTR_MAX)
			sz = SNOOP_ATTR_MAX;
		asm volatile("" : "+r"(sz));
		events__ringbuf_output(c, offsetof(struct snoop_call, attr) + sz, 0);
		return 0;
	}
	/* Instructions are read on exit: the caller's buffer is unchanged and
	 * the big copy goes straight into the ring, not into the table. */
	r = events__reserve(sizeof(*r));
	if (!r)
		return 0;
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
