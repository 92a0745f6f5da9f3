// SPDX-License-Identifier: GPL-2.0
/*
 * Which processes hold which BPF objects (bee's "pids" line): one pass over
 * every task's open files (iter/task_file), one record per file that is a
 * BPF program, map or link, written to the iterator's seq file for
 * lib/pids.c to read.
 *
 * bpftool recognises such a file by its file_operations, with the addresses
 * of bpf_prog_fops, bpf_map_fops and bpf_link_fops from kallsyms. kallsyms
 * lists data symbols only with CONFIG_KALLSYMS_ALL (off on the kernel bee is
 * developed on), costs 40 ms to read, and passing the addresses in needs a
 * .rodata map, which the kernel frees only after an RCU grace period: the
 * next `map list`, bee's own or another's, would show it. So the file is
 * recognised by its name, the one the kernel gives it with those very
 * file_operations (anon_inode_getfile("bpf-prog", &bpf_prog_fops, ...)) and
 * /proc/PID/fd shows as anon_inode:bpf-prog: the same test as the /proc scan
 * that lib/pids.c falls back to, with no map and no kallsyms. Links whose
 * kernel gives them pollable operations (bpf_link_fops_poll) have that name
 * too.
 *
 * The object's id is read through file->private_data with CO-RE.
 */
#include "bee/bee.bpf.h"

/* what lib/pids.c reads; keep the two in step */
struct pids_rec {
	__u32 kind; /* 0 prog, 1 map, 2 link */
	__u32 id;
	__u32 pid;
	char comm[16];
	__u32 pad;
};

/* a name of up to 8 bytes (with its NUL when shorter) as one word */
#define NAME8(a, b, c, d, e, f, g, h)                                                              \
	((__u64)(a) | (__u64)(b) << 8 | (__u64)(c) << 16 | (__u64)(d) << 24 | (__u64)(e) << 32 |   \
	 (__u64)(f) << 40 | (__u64)(g) << 48 | (__u64)(h) << 56)

/*
 * Quick to verify: the kernel verifies this program at every listing. Each
 * plain load through a BTF pointer (task->pid) makes the verifier search
 * the kernel's BTF by name, a tenth of a millisecond for a handful, so
 * fields are read with bpf_probe_read_kernel (BPF_CORE_READ), which costs
 * it nothing; the one plain load left is the seq_file that bpf_seq_write
 * needs as a BTF pointer, done once before the branches. A name is compared
 * as one 8-byte word.
 */
SEC("iter/task_file")
int pids_iter(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct pids_rec r;
	struct qstr q;
	__u64 w = 0;
	void *priv;

	if (!task || !file)
		return 0;
	r.pid = BPF_CORE_READ(task, tgid);
	/* every thread of a process is visited with the same files: keep
	 * the leader only, so a process is named once */
	if (BPF_CORE_READ(task, pid) != r.pid)
		return 0;
	q = BPF_CORE_READ(file, f_path.dentry, d_name);
	/* "bpf-map" is 7 bytes and its NUL, "bpf-prog" and "bpf_link" 8 */
	if (q.len != 7 && q.len != 8)
		return 0;
	bpf_probe_read_kernel(&w, sizeof(w), q.name);
	priv = BPF_CORE_READ(file, private_data);
	if (w == NAME8('b', 'p', 'f', '-', 'p', 'r', 'o', 'g') && q.len == 8) {
		r.kind = 0;
		r.id = BPF_CORE_READ((struct bpf_prog *)priv, aux, id);
	} else if (w == NAME8('b', 'p', 'f', '-', 'm', 'a', 'p', 0)) {
		r.kind = 1;
		r.id = BPF_CORE_READ((struct bpf_map *)priv, id);
	} else if (w == NAME8('b', 'p', 'f', '_', 'l', 'i', 'n', 'k') && q.len == 8) {
		r.kind = 2;
		r.id = BPF_CORE_READ((struct bpf_link *)priv, id);
	} else {
		return 0;
	}
	r.pad = 0;
	BPF_CORE_READ_INTO(&r.comm, task, comm);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
