// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which processes hold fds of BPF programs, maps and links: the table behind
 * bpftool's "pids" line, built once per command.
 *
 * The preferred source is the task_file iterator of tools/pids/pids.bpf.c
 * (one pass over every task's files in the kernel). Where it cannot run (an
 * old kernel, no BTF, no CAP_BPF/CAP_PERFMON, or a bee built without it) the
 * table comes from /proc/PID/fd and /proc/PID/fdinfo, which gives the same
 * answer more slowly (2 ms here against 0.4). BEE_PIDS=proc in the
 * environment forces the /proc scan, BEE_PIDS=iter the iterator alone (no
 * fallback); both are for tests.
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
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
	/* by kind: the ids of the iterator's own program and link (it has no
	 * map), which a listing that walks past them must not show */
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

/* Read the iterator's records into @t. Only a run that finds bee's own fds
 * of this iterator's program and link (ids @prog_id, @link_id) is trusted:
 * that proves the program reads files and ids right on this kernel. */
static int read_iter(struct bee_pids *t, int link_fd, uint32_t prog_id, uint32_t link_id)
{
	bool saw_prog = false, saw_link = false;
	size_t used = 0, cap = 0;
	pid_t me = getpid();
	char *buf = NULL;
	int err = 0, ifd;

	ifd = bpf_iter_create(link_fd);
	if (ifd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (cap - used < 16384) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = read(ifd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		used += n;
	}
	for (size_t off = 0; off + sizeof(struct pids_rec) <= used; off += sizeof(struct pids_rec)) {
		struct pids_rec r;

		memcpy(&r, buf + off, sizeof(r));
		r.comm[sizeof(r.comm) - 1] = 0;
		if (r.kind > BEE_PIDS_LINK)
			continue;
		if (r.pid == (uint32_t)me) {
			/* bee's own fds: not shown (see bee_pids__new) */
			saw_prog |= r.kind == BEE_PIDS_PROG && r.id == prog_id;
			saw_link |= r.kind == BEE_PIDS_LINK && r.id == link_id;
			continue;
		}
		err = add(t, r.kind, r.id, r.pid, r.comm);
		if (err)
			goto out;
	}
	if (!saw_prog || !saw_link)
		err = -EPROTO;
out:
	free(buf);
	close(ifd);
	return err;
}

static uint32_t prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static uint32_t link_id_of(int fd)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/*
 * Opening the object with libbpf parses all 5 MB of kernel BTF for CO-RE and
 * the attach point: some 20 ms, ten times what the listing costs. What that
 * work produces, the relocated instructions and the BTF id of the iterator,
 * depends only on the kernel build and the object, so it is kept in bee's
 * cache under a key of both, and later commands load it with bpf() alone.
 */
struct pids_cache_hdr {
	char magic[8];
	uint32_t attach_btf_id;
	uint32_t insn_cnt;
};
static const char pids_magic[8] = "beepids1";

/* Feed @h a digest of @size bytes taken 8 at a time: bee_hash_update()
 * goes a byte at a time, and 40 kB of it cost a tenth of a listing. */
static void words_hash(struct bee_hash *h, const unsigned char *p, size_t size)
{
	uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL, w;
	size_t i;

	for (i = 0; i + 8 <= size; i += 8) {
		memcpy(&w, p + i, 8);
		a = (a ^ w) * 0x100000001b3ULL;
		b = (b ^ w ^ (a >> 29)) * 0x100000001b3ULL;
	}
	w = 0;
	memcpy(&w, p + i, size - i);
	a = (a ^ w ^ size) * 0x100000001b3ULL;
	b = (b ^ w ^ (a >> 29)) * 0x100000001b3ULL;
	bee_hash_update(h, &a, sizeof(a));
	bee_hash_update(h, &b, sizeof(b));
}

/* Hash what libbpf reads of the object (its sections but the debug info, a
 * tenth of the size); -EINVAL when it is not a 64-bit ELF file. */
static int obj_key(const void *obj_buf, size_t obj_sz, struct bee_hash *h)
{
	const unsigned char *b = obj_buf;
	const Elf64_Ehdr *eh = obj_buf;
	const Elf64_Shdr *sh, *strs;

	if (obj_sz < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff > obj_sz || eh->e_shnum > (obj_sz - eh->e_shoff) / sizeof(*sh) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return -EINVAL;
	sh = (const Elf64_Shdr *)(b + eh->e_shoff);
	strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > obj_sz || strs->sh_size > obj_sz - strs->sh_offset)
		return -EINVAL;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const char *name;

		if (sh[i].sh_name >= strs->sh_size)
			return -EINVAL;
		name = (const char *)b + strs->sh_offset + sh[i].sh_name;
		if (!memchr(name, 0, strs->sh_size - sh[i].sh_name))
			return -EINVAL;
		if (!strncmp(name, ".debug", 6) || !strncmp(name, ".rel.debug", 10) ||
		    sh[i].sh_type == SHT_NOBITS)
			continue;
		if (sh[i].sh_offset > obj_sz || sh[i].sh_size > obj_sz - sh[i].sh_offset)
			return -EINVAL;
		bee_hash_str(h, name);
		words_hash(h, b + sh[i].sh_offset, sh[i].sh_size);
	}
	return 0;
}

/* The cache file for this kernel and object (malloc'ed), or NULL. */
static char *cache_path(const void *obj_buf, size_t obj_sz)
{
	struct bee_hash h;
	char kkey[33], hex[33], *dir, *path = NULL;

	bee_hash_init(&h);
	bee_hash_str(&h, "bee-pids-v1");
	bee_kernel_key(kkey);
	bee_hash_str(&h, kkey);
	if (obj_key(obj_buf, obj_sz, &h))
		return NULL;
	bee_hash_hex(&h, hex);
	dir = bee_cache_dir(NULL);
	if (dir && asprintf(&path, "%s/pids-%s.insns", dir, hex) < 0)
		path = NULL;
	free(dir);
	return path;
}

/* Load the iterator from the cache: 0, or -errno (-ENOENT: not cached). */
static int from_cache(struct bee_pids *t, const char *path)
{
	struct pids_cache_hdr hdr;
	union bpf_attr a;
	char *text = NULL;
	size_t sz = 0;
	int err, prog_fd, link_fd;

	err = bee_read_file(path, &text, &sz);
	if (err)
		return err;
	memcpy(&hdr, text, sz >= sizeof(hdr) ? sizeof(hdr) : 0);
	if (sz < sizeof(hdr) || memcmp(hdr.magic, pids_magic, sizeof(pids_magic)) ||
	    !hdr.insn_cnt || hdr.insn_cnt != (sz - sizeof(hdr)) / sizeof(struct bpf_insn) ||
	    (sz - sizeof(hdr)) % sizeof(struct bpf_insn)) {
		err = -EINVAL;
		goto out;
	}
	/* bpf() itself: libbpf's bpf_prog_load() first probes what the
	 * kernel supports with two more program loads, a third of the time */
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_ITER;
	a.attach_btf_id = hdr.attach_btf_id;
	a.insns = (uintptr_t)(text + sizeof(hdr));
	a.insn_cnt = hdr.insn_cnt;
	a.license = (uintptr_t)"GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "pids_iter");
	prog_fd = syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (prog_fd < 0) {
		err = -errno;
		goto out;
	}
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, NULL);
	if (link_fd < 0) {
		err = -errno;
		goto out_close_prog;
	}
	t->own[BEE_PIDS_PROG] = prog_id_of(prog_fd);
	t->own[BEE_PIDS_LINK] = link_id_of(link_fd);
	err = read_iter(t, link_fd, t->own[BEE_PIDS_PROG], t->own[BEE_PIDS_LINK]);
	close(link_fd);
out_close_prog:
	close(prog_fd);
out:
	free(text);
	return err;
}

/* Keep what libbpf made of the object for the next command (best effort:
 * a cache that cannot be written costs time, not answers). */
static void cache_write(const char *path, int prog_fd, const struct bpf_program *prog)
{
	struct bpf_prog_info info = {};
	struct pids_cache_hdr hdr;
	uint32_t len = sizeof(info);
	size_t cnt = bpf_program__insn_cnt(prog), sz;
	char *tmp = NULL, *buf, *slash;

	/* kernels before 6.0 do not say which BTF id the program attached to */
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || !info.attach_btf_id ||
	    info.attach_btf_obj_id == 0 || !cnt)
		return;
	memcpy(hdr.magic, pids_magic, sizeof(hdr.magic));
	hdr.attach_btf_id = info.attach_btf_id;
	hdr.insn_cnt = cnt;
	sz = sizeof(hdr) + cnt * sizeof(struct bpf_insn);
	buf = malloc(sz);
	if (!buf || asprintf(&tmp, "%s.%d", path, getpid()) < 0) {
		free(buf);
		return;
	}
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), bpf_program__insns(prog), cnt * sizeof(struct bpf_insn));
	slash = strrchr(tmp, '/');
	if (slash) {
		*slash = 0;
		bee_mkdirs(tmp, 0755);
		*slash = '/';
	}
	/* written aside and renamed, so a reader never sees half a file */
	if (bee_write_file(tmp, buf, sz) || rename(tmp, path))
		unlink(tmp);
	else
		pr_debug("pids: iterator kept in '%s'", path);
	free(tmp);
	free(buf);
}

/* Open and load the iterator with libbpf: 0, or -errno. */
static int from_object(struct bee_pids *t, const void *obj_buf, size_t obj_sz, const char *cache)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "pids");
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	int err;

	bee_libbpf_log_init();
	obj = bpf_object__open_mem(obj_buf, obj_sz, &oo);
	if (!obj)
		return neg_errno();
	prog = bpf_object__find_program_by_name(obj, "pids_iter");
	if (!prog) {
		err = -ENOENT;
		goto out;
	}
	err = bpf_object__load(obj);
	if (err)
		goto out;
	link = bpf_program__attach_iter(prog, NULL);
	if (!link) {
		err = neg_errno();
		goto out;
	}
	t->own[BEE_PIDS_PROG] = prog_id_of(bpf_program__fd(prog));
	t->own[BEE_PIDS_LINK] = link_id_of(bpf_link__fd(link));
	err = read_iter(t, bpf_link__fd(link), t->own[BEE_PIDS_PROG], t->own[BEE_PIDS_LINK]);
	if (!err && cache)
		cache_write(cache, bpf_program__fd(prog), prog);
out:
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return err;
}

/* From the iterator: 0, or -errno when it cannot run here. */
static int from_iter(struct bee_pids *t, const void *obj_buf, size_t obj_sz)
{
	char *cache = cache_path(obj_buf, obj_sz);
	int err = -ENOENT;

	if (cache) {
		err = from_cache(t, cache);
		if (err && err != -ENOENT) {
			/* a kernel that refuses or misreads it: start again */
			pr_debug("pids: the cached iterator in '%s' failed (%s); rebuilding it",
				 cache, strerror(-err));
			unlink(cache);
		}
		if (err) {
			t->cnt = 0;
			memset(t->own, 0, sizeof(t->own));
		}
	}
	if (err)
		err = from_object(t, obj_buf, obj_sz, cache);
	free(cache);
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

void bee_pids__free(struct bee_pids *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t);
}
