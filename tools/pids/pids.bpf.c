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

SEC("iter/task_file")
int pids_iter(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct pids_rec r = {};
	char n[9] = {};
	void *priv;

	if (!task || !file)
		return 0;
	/* every thread of a process is visited with the same files: keep
	 * the leader only, so a process is named once */
	if (BPF_CORE_READ(task, pid) != BPF_CORE_READ(task, tgid))
		return 0;
	/* "bpf-prog", "bpf-map" or "bpf_link", with its NUL */
	if (bpf_probe_read_kernel_str(n, sizeof(n),
				      BPF_CORE_READ(file, f_path.dentry, d_name.name)) < 8)
		return 0;
	if (n[0] != 'b' || n[1] != 'p' || n[2] != 'f')
		return 0;
	priv = BPF_CORE_READ(file, private_data);
	if (!priv)
		return 0;
	if (n[3] == '-' && n[4] == 'p' && n[5] == 'r' && n[6] == 'o' && n[7] == 'g' && !n[8]) {
		r.kind = 0;
		r.id = BPF_CORE_READ((struct bpf_prog *)priv, aux, id);
	} else if (n[3] == '-' && n[4] == 'm' && n[5] == 'a' && n[6] == 'p' && !n[7]) {
		r.kind = 1;
		r.id = BPF_CORE_READ((struct bpf_map *)priv, id);
	} else if (n[3] == '_' && n[4] == 'l' && n[5] == 'i' && n[6] == 'n' && n[7] == 'k' &&
		   !n[8]) {
		r.kind = 2;
		r.id = BPF_CORE_READ((struct bpf_link *)priv, id);
	} else {
		return 0;
	}
	r.pid = BPF_CORE_READ(task, tgid);
	bpf_probe_read_kernel_str(r.comm, sizeof(r.comm), task->comm);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
