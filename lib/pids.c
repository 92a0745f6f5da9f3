// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which processes hold fds of BPF programs, maps and links: the table behind
 * bpftool's "pids" line, built once per command.
 *
 * The preferred source is the task_file iterator of tools/pids/pids.bpf.c
 * (one pass over every task's files in the kernel). Where it cannot run (an
 * old kernel, no BTF, no CAP_BPF/CAP_PERFMON, or a bee built without it) the
 * table comes from /proc/PID/fd and /proc/PID/fdinfo, which gives the same
 * answer more slowly. BEE_PIDS=proc in the environment forces the /proc
 * scan, BEE_PIDS=iter the iterator alone (no fallback); both are for tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

/* one record of tools/pids/pids.bpf.c */
struct pids_rec {
	uint32_t kind;
	uint32_t id;
	uint32_t pid;
	char comm[16];
	uint32_t pad;
};

struct bee_pids {
	struct bee_pid_ref *ents;
	size_t cnt, cap;
	const char *source;
	/* the iterator's own prog, map and link, which the kernel may still be
	 * freeing while a listing walks past them */
	uint32_t own[3];
};

static int add(struct bee_pids *t, uint32_t kind, uint32_t id, uint32_t pid, const char *comm)
{
	struct bee_pid_ref *e;

	if (t->cnt == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;

		e = realloc(t->ents, nc * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->ents = e;
		t->cap = nc;
	}
	e = &t->ents[t->cnt++];
	e->kind = kind;
	e->id = id;
	e->pid = pid;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct bee_pid_ref *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return 0;
}

/* Sort by object then pid, one entry per (object, process). */
static void settle(struct bee_pids *t)
{
	size_t n = 0;

	if (t->cnt)
		qsort(t->ents, t->cnt, sizeof(*t->ents), ent_cmp);
	for (size_t i = 0; i < t->cnt; i++)
		if (!n || ent_cmp(&t->ents[n - 1], &t->ents[i]))
			t->ents[n++] = t->ents[i];
	t->cnt = n;
}

/* From the iterator: 0, or -errno when it cannot run here. */
static int from_iter(struct bee_pids *t, const void *obj_buf, size_t obj_sz)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "pids");
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	struct bpf_prog_info pi = {};
	struct bpf_link_info li = {};
	uint32_t len;
	char *buf = NULL;
	size_t used = 0, cap = 0;
	bool found_self = false;
	pid_t me = getpid();
	int err, ifd = -1;

	bee_libbpf_log_init();
	obj = bpf_object__open_mem(obj_buf, obj_sz, &oo);
	if (!obj)
		return neg_errno();
	prog = bpf_object__find_program_by_name(obj, "pids_iter");
	if (!prog) {
		err = -ENOENT;
		goto err_close_obj;
	}
	err = bpf_object__load(obj);
	if (err)
		goto err_close_obj;
	link = bpf_program__attach_iter(prog, NULL);
	if (!link) {
		err = neg_errno();
		goto err_close_obj;
	}
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pi, &len) == 0)
		t->own[BEE_PIDS_PROG] = pi.id;
	len = sizeof(li);
	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &li, &len) == 0)
		t->own[BEE_PIDS_LINK] = li.id;

	ifd = bpf_iter_create(bpf_link__fd(link));
	if (ifd < 0) {
		err = -errno;
		goto err_destroy_link;
	}
	for (;;) {
		ssize_t n;

		if (cap - used < 16384) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				err = -ENOMEM;
				goto err_close_iter;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(ifd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto err_close_iter;
		}
		if (n == 0)
			break;
		used += n;
	}
	for (size_t off = 0; off + sizeof(struct pids_rec) <= used; off += sizeof(struct pids_rec)) {
		struct pids_rec r;

		memcpy(&r, buf + off, sizeof(r));
		r.comm[sizeof(r.comm) - 1] = 0;
		if (r.pid == (uint32_t)me) {
			/* bee's own fds (this iterator's program and link
			 * among them): not shown, but they prove that the
			 * iterator recognises BPF files on this kernel */
			found_self = true;
			continue;
		}
		if (r.kind > BEE_PIDS_LINK)
			continue;
		err = add(t, r.kind, r.id, r.pid, r.comm);
		if (err)
			goto err_close_iter;
	}
	err = found_self ? 0 : -ENOENT;
err_close_iter:
	free(buf);
	close(ifd);
err_destroy_link:
	bpf_link__destroy(link);
err_close_obj:
	bpf_object__close(obj);
	return err;
}

static int fd_kind(const char *link)
{
	static const char *const names[] = { "anon_inode:bpf-prog", "anon_inode:bpf-map",
					     "anon_inode:bpf_link" };

	for (int k = 0; k < 3; k++)
		if (!strcmp(link, names[k]))
			return k;
	return -1;
}

/* One process's BPF fds from /proc/PID/fd and fdinfo. */
static int scan_pid(struct bee_pids *t, int pid)
{
	static const char *const keys[] = { "prog_id:", "map_id:", "link_id:" };
	char path[64], target[64], comm[32] = "", line[256];
	struct dirent *d;
	DIR *dir;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return 0; /* gone, or not ours to see */
	while ((d = readdir(dir))) {
		ssize_t n;
		FILE *f;
		int kind;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		kind = fd_kind(target);
		if (kind < 0)
			continue;
		if (!comm[0]) {
			snprintf(path, sizeof(path), "/proc/%d/comm", pid);
			f = fopen(path, "re");
			if (!f || !fgets(comm, sizeof(comm), f))
				snprintf(comm, sizeof(comm), "?");
			if (f)
				fclose(f);
			chomp(comm);
		}
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			size_t kl = strlen(keys[kind]);

			if (!strncmp(line, keys[kind], kl)) {
				err = add(t, kind, strtoul(line + kl, NULL, 10), pid, comm);
				break;
			}
		}
		fclose(f);
		if (err)
			break;
	}
	closedir(dir);
	return err;
}

static int from_proc(struct bee_pids *t)
{
	struct dirent *d;
	DIR *proc;
	int me = getpid(), err = 0;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (!err && (d = readdir(proc))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0 || pid == me)
			continue;
		err = scan_pid(t, pid);
	}
	closedir(proc);
	return err;
}

struct bee_pids *bee_pids__new(const void *iter_obj, size_t iter_sz)
{
	const char *how = getenv("BEE_PIDS");
	struct bee_pids *t = calloc(1, sizeof(*t));
	int err = -ENOENT;

	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	if (how && *how && strcmp(how, "iter") && strcmp(how, "proc"))
		pr_warn("BEE_PIDS='%s' is neither 'iter' nor 'proc'; ignored", how);
	if (iter_obj && !(how && !strcmp(how, "proc"))) {
		err = from_iter(t, iter_obj, iter_sz);
		if (!err) {
			t->source = "the task_file iterator";
		} else {
			pr_debug("pids: the task_file iterator cannot run here (%s)%s",
				 strerror(-err),
				 how && !strcmp(how, "iter") ? "" : "; reading /proc instead");
			t->cnt = 0;
			memset(t->own, 0, sizeof(t->own));
		}
	}
	if (err && !(how && !strcmp(how, "iter"))) {
		err = from_proc(t);
		t->source = "/proc";
	}
	if (err) {
		bee_pids__free(t);
		errno = -err;
		return NULL;
	}
	settle(t);
	pr_debug("pids: %zu (object, process) pairs, from %s", t->cnt, t->source);
	return t;
}

const struct bee_pid_ref *bee_pids__find(const struct bee_pids *t, enum bee_pids_kind kind,
					 uint32_t id, size_t *cnt)
{
	size_t lo = 0, hi = t ? t->cnt : 0, first;

	*cnt = 0;
	/* the first entry of (kind, id) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bee_pid_ref *e = &t->ents[mid];

		if (e->kind < kind || (e->kind == kind && e->id < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < (t ? t->cnt : 0) && t->ents[lo].kind == kind && t->ents[lo].id == id)
		lo++;
	*cnt = lo - first;
	return *cnt ? &t->ents[first] : NULL;
}

bool bee_pids__own(const struct bee_pids *t, enum bee_pids_kind kind, uint32_t id)
{
	return t && kind <= BEE_PIDS_LINK && id && t->own[kind] == id;
}

const char *bee_pids__source(const struct bee_pids *t)
{
	return t ? t->source : NULL;
}

void bee_pids__free(struct bee_pids *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t);
}
