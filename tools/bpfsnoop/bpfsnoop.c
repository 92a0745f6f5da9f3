// SPDX-License-Identifier: GPL-2.0
/*
 * bee bpfsnoop: strace -e bpf, decoded. The bpf() calls of a command that
 * bee starts (and its children), of a pid, or of the whole system, traced
 * by the syscalls:sys_{enter,exit}_bpf tracepoints and printed with every
 * field of union bpf_attr named from kernel BTF (lib/attr.c); also the
 * ioctl() and setsockopt() calls that attach programs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <dirent.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../../cli/cli.h"
#include "internal.h"
#include "bpfsnoop.h"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

static enum bee_fd_kind obj_kind(int obj);

/* fd -> object cache per process. Objects the traced calls return are
 * recorded with the id the kernel side read at the time, so calls that
 * name them later resolve even after the process exited. */
#define FDC_SIZE 4096
struct fdc_ent {
	pid_t pid;
	int fd;
	struct bee_fd_info info;
};

/* One line of the --summary. */
enum sum_kind { SUM_LOAD, SUM_MAP, SUM_ATTACH, SUM_DETACH };

struct sum_item {
	pid_t pid;
	char comm[16];
	enum sum_kind kind;
	const char *cmd;  /* the bpf() command that did it */
	char type[64];    /* prog / map / attach type */
	uint32_t id;      /* prog or map id (load, map) */
	char name[16];
	uint32_t insn_cnt;
	struct bee_fd_info prog; /* attach, detach */
	char target[300];
	uint32_t link_id;
};

struct snoop {
	bool json, summary, insns;
	pid_t target;   /* -p */
	pid_t child;    /* -- CMD */
	struct fdc_ent *fdc;
	pid_t cur_pid;  /* the process of the record being decoded */
	const struct snoop_call *cur; /* the record being decoded */
	/* cgroup id (inode) -> path, filled by walking the cgroup2 tree */
	struct { uint64_t ino; char *path; } *cgs;
	size_t cg_cnt;
	/* tracepoint ids -> names */
	struct { uint64_t id; char *name; } *tps;
	size_t tp_cnt;
	bool tp_read;
	char tp_dir[256];
	uint64_t calls;
	struct sum_item *sum;
	size_t sum_cnt, sum_cap;
	int cmd_map_create, cmd_prog_load, cmd_prog_attach, cmd_prog_detach, cmd_link_create, cmd_raw_tp;
	int cmd_info;
	FILE *out;
};

static struct fdc_ent *fdc_slot(struct snoop *s, pid_t pid, int fd)
{
	size_t h = ((size_t)pid * 2654435761u ^ (size_t)fd * 40503u) % FDC_SIZE;

	return &s->fdc[h];
}

static void fdc_put(struct snoop *s, pid_t pid, int fd, const struct bee_fd_info *fi)
{
	struct fdc_ent *e = fdc_slot(s, pid, fd);

	e->pid = pid;
	e->fd = fd;
	e->info = *fi;
}

static const char *anon_for(enum bee_fd_kind k)
{
	switch (k) {
	case BEE_FD_MAP:
		return "anon_inode:bpf-map";
	case BEE_FD_PROG:
		return "anon_inode:bpf-prog";
	case BEE_FD_LINK:
		return "anon_inode:bpf_link";
	case BEE_FD_BTF:
		return "anon_inode:btf";
	default:
		return NULL;
	}
}

/* Walk the cgroup v2 tree once, remembering every cgroup's inode (its id). */
static void cg_walk(struct snoop *s, const char *dir, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (depth > 32 || stat(dir, &st))
		return;
	if (s->cg_cnt % 256 == 0) {
		void *n = realloc(s->cgs, (s->cg_cnt + 256) * sizeof(*s->cgs));
		if (!n)
			return;
		s->cgs = n;
	}
	s->cgs[s->cg_cnt].ino = st.st_ino;
	s->cgs[s->cg_cnt++].path = strdup(dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char sub[4096];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		cg_walk(s, sub, depth + 1);
	}
	closedir(d);
}

static const char *cg_path(struct snoop *s, uint64_t ino)
{
	const char *root = bee_cgroup2_root();

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->cg_cnt; i++)
			if (s->cgs[i].ino == ino && s->cgs[i].path)
				return s->cgs[i].path;
		/* a cgroup made after the last walk: walk again */
		if (pass || !root)
			break;
		for (size_t i = 0; i < s->cg_cnt; i++)
			free(s->cgs[i].path);
		s->cg_cnt = 0;
		cg_walk(s, root, 0);
	}
	return NULL;
}

#ifndef SOCKFS_MAGIC
#define SOCKFS_MAGIC 0x534F434B
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static unsigned sysfs_pmu_type(const char *pmu)
{
	char path[128], *buf = NULL;
	unsigned v = ~0u;

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu);
	if (!bee_read_file(path, &buf, NULL))
		v = strtoul(buf, NULL, 10);
	free(buf);
	return v;
}

/* Tracepoint ids to "category:name", from tracefs, read once. */
static const char *tp_name(struct snoop *s, uint64_t id)
{
	const char *tfs;
	struct dirent *c, *e;
	DIR *dc, *de;

	if (!s->tp_read) {
		s->tp_read = true;
		tfs = bee_tracefs();
		snprintf(s->tp_dir, sizeof(s->tp_dir), "%s/events", tfs ? tfs : "/sys/kernel/tracing");
		dc = opendir(s->tp_dir);
		while (dc && (c = readdir(dc))) {
			char sub[512];

			if (c->d_name[0] == '.' || c->d_type != DT_DIR)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", s->tp_dir, c->d_name);
			de = opendir(sub);
			while (de && (e = readdir(de))) {
				char idp[1024], *buf = NULL;
				void *n;

				if (e->d_name[0] == '.' || e->d_type != DT_DIR)
					continue;
				snprintf(idp, sizeof(idp), "%s/%s/id", sub, e->d_name);
				if (bee_read_file(idp, &buf, NULL))
					continue;
				n = realloc(s->tps, (s->tp_cnt + 1) * sizeof(*s->tps));
				if (n) {
					s->tps = n;
					s->tps[s->tp_cnt].id = strtoull(buf, NULL, 10);
					if (asprintf(&s->tps[s->tp_cnt].name, "%s:%s", c->d_name,
						     e->d_name) > 0)
						s->tp_cnt++;
				}
				free(buf);
			}
			if (de)
				closedir(de);
		}
		if (dc)
			closedir(dc);
	}
	for (size_t i = 0; i < s->tp_cnt; i++)
		if (s->tps[i].id == id)
			return s->tps[i].name;
	return NULL;
}

/* A perf event by its attr: "perf_event:tracepoint:sched:sched_switch",
 * "perf_event:kprobe", "perf_event:type=1,config=0". */
static void perf_text(struct snoop *s, uint32_t type, uint64_t config, char *buf, size_t n)
{
	const char *tp;

	if (type == 2 /* PERF_TYPE_TRACEPOINT */ && (tp = tp_name(s, config)))
		snprintf(buf, n, "perf_event:tracepoint:%s", tp);
	else if (type == sysfs_pmu_type("kprobe"))
		snprintf(buf, n, "perf_event:kprobe%s", config & 1 ? " (return)" : "");
	else if (type == sysfs_pmu_type("uprobe"))
		snprintf(buf, n, "perf_event:uprobe%s", config & 1 ? " (return)" : "");
	else
		snprintf(buf, n, "perf_event:type=%u,config=%llu", type, (unsigned long long)config);
}

/* The fd as the kernel side saw it when the call was made, if it did. */
static bool fd_from_record(struct snoop *s, int fd, struct bee_fd_info *fi)
{
	const struct snoop_call *c = s->cur;

	if (!c)
		return false;
	for (int i = 0; i < SNOOP_FDS; i++) {
		const struct snoop_fd *f = &c->fds[i];
		char path[64], link[256];
		struct stat st;
		const char *cp;
		ssize_t n;

		if (f->fd != fd || f->kind == SNOOP_OBJ_NONE)
			continue;
		memset(fi, 0, sizeof(*fi));
		if (f->kind == SNOOP_OBJ_PERF) {
			fi->kind = BEE_FD_OTHER;
			perf_text(s, f->magic, f->ino, fi->path, sizeof(fi->path));
			return true;
		}
		if (f->kind != SNOOP_OBJ_FILE) {
			fi->kind = obj_kind(f->kind);
			fi->id = f->id;
			memcpy(fi->name, f->name, sizeof(fi->name));
			fi->name[15] = 0;
			if (f->kind == SNOOP_OBJ_LINK) {
				const char *lt = bee_enum_name("bpf_link_type", f->magic, "BPF_LINK_TYPE_");
				snprintf(fi->name, sizeof(fi->name), "%s", lt ? lt : "");
			}
			return true;
		}
		if (f->magic == SOCKFS_MAGIC) {
			fi->kind = BEE_FD_OTHER;
			snprintf(fi->path, sizeof(fi->path), "socket:[%llu]", (unsigned long long)f->ino);
			return true;
		}
		fi->kind = BEE_FD_PATH;
		if (f->magic == CGROUP2_SUPER_MAGIC && (cp = cg_path(s, f->ino))) {
			snprintf(fi->path, sizeof(fi->path), "%s", cp);
			return true;
		}
		/* other files: /proc while the same inode is still there */
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)s->cur_pid, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0 && !stat(path, &st) && st.st_ino == f->ino) {
			link[n] = 0;
			snprintf(fi->path, sizeof(fi->path), "%s", link);
			fi->kind = link[0] == '/' ? BEE_FD_PATH : BEE_FD_OTHER;
			return true;
		}
		fi->kind = BEE_FD_OTHER;
		snprintf(fi->path, sizeof(fi->path), "inode %llu (%.16s)", (unsigned long long)f->ino,
			 f->name);
		return true;
	}
	return false;
}

/* Resolve an fd of the process whose call is being printed: the kernel
 * side's view at the time of the call; else the cache when /proc still shows
 * an object of the same kind there (or the process is gone); else /proc. */
static int snoop_fd(void *ctx, int fd, struct bee_fd_info *fi)
{
	struct snoop *s = ctx;
	struct fdc_ent *e = fdc_slot(s, s->cur_pid, fd);
	bool cached = e->pid == s->cur_pid && e->fd == fd && e->info.kind != BEE_FD_UNKNOWN;
	char path[64], link[256];
	ssize_t n;
	int err;

	if (fd_from_record(s, fd, fi))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)s->cur_pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		if (!cached)
			return -ENOENT;
		*fi = e->info;
		return 0;
	}
	link[n] = 0;
	if (cached && anon_for(e->info.kind) && !strcmp(anon_for(e->info.kind), link)) {
		*fi = e->info;
		return 0;
	}
	if (cached && e->info.kind == BEE_FD_PATH && !strcmp(e->info.path, link)) {
		*fi = e->info;
		return 0;
	}
	err = bee_fd_describe(s->cur_pid, fd, fi);
	if (!err)
		fdc_put(s, s->cur_pid, fd, fi);
	return err;
}

static enum bee_fd_kind obj_kind(int obj)
{
	switch (obj) {
	case SNOOP_OBJ_MAP:
		return BEE_FD_MAP;
	case SNOOP_OBJ_PROG:
		return BEE_FD_PROG;
	case SNOOP_OBJ_LINK:
		return BEE_FD_LINK;
	case SNOOP_OBJ_BTF:
		return BEE_FD_BTF;
	default:
		return BEE_FD_UNKNOWN;
	}
}

static uint8_t ret_obj[SNOOP_CMD_MAX];
static uint8_t elem_cmd[SNOOP_CMD_MAX]; /* commands whose str[] holds key/value bytes */

/* A u32 field of the record's attr, 0 when the attr does not reach it. */
static uint32_t attr_u32(const struct snoop_call *c, const char *field)
{
	uint32_t off, sz, v = 0;

	if (bee_attr_field(c->cmd, field, &off, &sz) || sz != 4 || off + 4 > c->attr_cap)
		return 0;
	memcpy(&v, c->attr + off, 4);
	return v;
}

static void fd_text(struct snoop *s, int fd, char *buf, size_t n)
{
	struct bee_fd_info fi;

	if (snoop_fd(s, fd, &fi) == 0)
		bee_fd_info_snprint(buf, n, &fi);
	else
		snprintf(buf, n, "fd %d (closed)", fd);
}

static struct sum_item *sum_add(struct snoop *s, const struct snoop_call *c, enum sum_kind kind)
{
	struct sum_item *it;

	if (s->sum_cnt == s->sum_cap) {
		size_t cap = s->sum_cap ? s->sum_cap * 2 : 32;
		struct sum_item *n = realloc(s->sum, cap * sizeof(*n));
		if (!n)
			return NULL;
		s->sum = n;
		s->sum_cap = cap;
	}
	it = &s->sum[s->sum_cnt++];
	memset(it, 0, sizeof(*it));
	it->pid = c->pid;
	memcpy(it->comm, c->comm, sizeof(it->comm));
	it->comm[15] = 0;
	it->kind = kind;
	it->cmd = bee_bpf_cmd_name(c->cmd);
	return it;
}

/* The target of an attachment: an interface, a cgroup or other fd. */
static void target_text(struct snoop *s, const struct snoop_call *c, const char *at, char *buf,
			size_t n)
{
	uint32_t t = attr_u32(c, "target_fd");
	char ifn[IF_NAMESIZE];

	if (at && (!strncmp(at, "BPF_XDP", 7) || !strncmp(at, "BPF_TCX_", 8) ||
		   !strncmp(at, "BPF_NETKIT_", 11))) {
		snprintf(buf, n, "ifindex %u%s%s", t, if_indextoname(t, ifn) ? " " : "",
			 if_indextoname(t, ifn) ? ifn : "");
		return;
	}
	fd_text(s, (int)t, buf, n);
}

/* bee_enum_name's result lives until its next call: keep a copy. */
static const char *enum_copy(char *buf, size_t n, const char *enum_name, long long v)
{
	const char *e = bee_enum_name(enum_name, v, NULL);

	snprintf(buf, n, "%s", e ? e : "?");
	return buf;
}

static void prog_of(struct snoop *s, int fd, struct bee_fd_info *fi)
{
	if (snoop_fd(s, fd, fi))
		memset(fi, 0, sizeof(*fi));
}

/* What --summary keeps: programs loaded, maps created, attachments made
 * and undone, by process. */
static void summarize(struct snoop *s, const struct snoop_call *c)
{
	struct sum_item *it = NULL;
	int cmd = c->cmd;

	if (c->ret < 0)
		return;
	if (cmd == s->cmd_prog_load && (it = sum_add(s, c, SUM_LOAD))) {
		enum_copy(it->type, sizeof(it->type), "bpf_prog_type", attr_u32(c, "prog_type"));
		it->insn_cnt = attr_u32(c, "insn_cnt");
	} else if (cmd == s->cmd_map_create && (it = sum_add(s, c, SUM_MAP))) {
		enum_copy(it->type, sizeof(it->type), "bpf_map_type", attr_u32(c, "map_type"));
	} else if ((cmd == s->cmd_prog_attach || cmd == s->cmd_prog_detach) &&
		   (it = sum_add(s, c, cmd == s->cmd_prog_attach ? SUM_ATTACH : SUM_DETACH))) {
		enum_copy(it->type, sizeof(it->type), "bpf_attach_type", attr_u32(c, "attach_type"));
		prog_of(s, attr_u32(c, "attach_bpf_fd"), &it->prog);
		target_text(s, c, it->type, it->target, sizeof(it->target));
	} else if (cmd == s->cmd_link_create && (it = sum_add(s, c, SUM_ATTACH))) {
		enum_copy(it->type, sizeof(it->type), "bpf_attach_type", attr_u32(c, "attach_type"));
		prog_of(s, attr_u32(c, "prog_fd"), &it->prog);
		target_text(s, c, it->type, it->target, sizeof(it->target));
		it->link_id = c->obj_id;
	} else if ((c->cmd == SNOOP_CALL_IOCTL_SET_BPF || c->cmd == SNOOP_CALL_SETSOCKOPT) &&
		   (it = sum_add(s, c, SUM_ATTACH))) {
		bool ioc = c->cmd == SNOOP_CALL_IOCTL_SET_BPF;

		it->cmd = ioc ? "ioctl(PERF_EVENT_IOC_SET_BPF)"
			: c->uattr == SNOOP_SO_ATTACH_BPF ? "setsockopt(SO_ATTACH_BPF)"
							 : "setsockopt(SO_ATTACH_REUSEPORT_EBPF)";
		snprintf(it->type, sizeof(it->type), ioc ? "perf_event" : "socket");
		prog_of(s, c->fds[1].fd, &it->prog);
		fd_text(s, c->fds[0].fd, it->target, sizeof(it->target));
	} else if (cmd == s->cmd_raw_tp && (it = sum_add(s, c, SUM_ATTACH))) {
		snprintf(it->type, sizeof(it->type), "raw_tracepoint");
		prog_of(s, attr_u32(c, "prog_fd"), &it->prog);
		snprintf(it->target, sizeof(it->target), "raw tracepoint %s",
			 c->str_len ? c->str : "?");
		it->link_id = c->obj_id;
	}
	if (it && (it->kind == SUM_LOAD || it->kind == SUM_MAP)) {
		it->id = c->obj_id;
		memcpy(it->name, c->obj_name, sizeof(it->name));
		it->name[15] = 0;
	}
}

/* ld_imm64 of a map fd in loaded instructions: the map's name. */
static const char *insn_map_name(void *ctx, uint32_t ref)
{
	static char name[16];
	struct bee_fd_info fi;

	if (snoop_fd(ctx, (int)ref, &fi) || fi.kind != BEE_FD_MAP || !fi.name[0])
		return NULL;
	memcpy(name, fi.name, sizeof(name));
	return name;
}

static void print_insns(struct snoop *s, const struct snoop_call *c, const void *insns)
{
	size_t cnt = c->insn_bytes / 8;
	uint32_t total = attr_u32(c, "insn_cnt");
	BEE_OPTS(bee_disasm_opts, dopts, .flags = s->json ? BEE_DISASM_JSON : 0,
		 .map_name_fn = insn_map_name, .ctx = s);

	if (s->json) {
		bee_disasm_fprint(s->out, insns, cnt, &dopts);
		return;
	}
	bee_disasm_fprint(s->out, insns, cnt, &dopts);
	if (total > cnt)
		fprintf(s->out, "    ... %u more instructions not copied\n", total - (uint32_t)cnt);
}

/* Members of struct @t that lie within the @len bytes at @data, each by
 * its BTF type; members past the end are left out (the kernel wrote only
 * what the caller's info_len allowed, bee copied at most SNOOP_STR_MAX). */
static void print_info_fields(struct snoop *s, const struct btf *btf, const struct btf_type *t,
			      const void *data, size_t len, const char *type_enum,
			      struct bee_json *j)
{
	const struct btf_member *m = btf_members(t);
	int n = 0;

	if (j) {
		bee_json_key(j, "info");
		bee_json_obj_start(j);
	} else {
		fputs(" info={", s->out);
	}
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		uint32_t bit = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
		const char *name = btf__name_by_offset(btf, m->name_off);
		int64_t msz = btf__resolve_size(btf, m->type);

		if (!name[0] || msz < 0 || (size_t)(bits ? (bit + bits + 7) / 8 : bit / 8 + msz) > len)
			continue;
		if (j) {
			bee_json_key(j, name);
		} else {
			fprintf(s->out, "%s%s=", n ? ", " : "", name);
		}
		n++;
		if (!strcmp(name, "type") && type_enum && msz == 4) {
			uint32_t v;
			const char *en;

			memcpy(&v, (const char *)data + bit / 8, 4);
			en = bee_enum_name(type_enum, v, NULL);
			if (en && j)
				bee_json_string(j, en);
			else if (en)
				fputs(en, s->out);
			else if (j)
				bee_json_uint(j, v);
			else
				fprintf(s->out, "%u", v);
			continue;
		}
		if (bits) {
			uint64_t w = 0;

			memcpy(&w, (const char *)data + bit / 8, (bit % 8 + bits + 7) / 8);
			w = (w >> (bit % 8)) & ((bits < 64 ? 1ULL << bits : 0) - 1);
			if (j)
				bee_json_uint(j, w);
			else
				fprintf(s->out, "%llu", (unsigned long long)w);
			continue;
		}
		if (j) {
			/* written by the BTF printer: the value is done for the next key */
			j->after_key = false;
			j->first[j->depth] = false;
		}
		bee_btf_fprint(s->out, btf, m->type, (const char *)data + bit / 8, msz,
			       j ? BEE_FMT_JSON : 0);
	}
	if (j)
		bee_json_obj_end(j);
	else
		fputc('}', s->out);
}

/* The info BPF_OBJ_GET_INFO_BY_FD wrote (its first bytes), typed by the
 * kind of the fd the call named: struct bpf_map_info, bpf_prog_info, ... */
static void print_info(struct snoop *s, const struct snoop_call *c, struct bee_json *j)
{
	static const char *const types[] = {
		[BEE_FD_MAP] = "bpf_map_info",
		[BEE_FD_PROG] = "bpf_prog_info",
		[BEE_FD_LINK] = "bpf_link_info",
		[BEE_FD_BTF] = "bpf_btf_info",
	};
	static const char *const enums[] = {
		[BEE_FD_MAP] = "bpf_map_type",
		[BEE_FD_PROG] = "bpf_prog_type",
		[BEE_FD_LINK] = "bpf_link_type",
		[BEE_FD_BTF] = NULL,
	};
	const struct btf *btf = bee_kernel_btf();
	enum bee_fd_kind k = BEE_FD_UNKNOWN;
	int id;

	for (int i = 0; i < SNOOP_FDS; i++)
		if (c->fds[i].fd >= 0 && c->fds[i].kind != SNOOP_OBJ_NONE)
			k = obj_kind(c->fds[i].kind);
	if (!btf || k < BEE_FD_MAP || k > BEE_FD_BTF)
		return;
	id = btf__find_by_name_kind(btf, types[k], BTF_KIND_STRUCT);
	if (id < 0)
		return;
	print_info_fields(s, btf, btf__type_by_id(btf, id), c->str, c->str_len, enums[k], j);
}

static void fd_json(struct snoop *s, struct bee_json *j, const char *key, int fd)
{
	struct bee_fd_info fi;

	bee_json_key(j, key);
	if (snoop_fd(s, fd, &fi))
		bee_json_int(j, fd);
	else
		bee_fd_info_json(j, fd, &fi);
}

/* " <0.000012345>\n" without printf: this ends every line. */
static void duration_text(FILE *out, uint64_t ns)
{
	char b[48], *e = b + sizeof(b) - 1;
	uint64_t sec = ns / 1000000000ULL, frac = ns % 1000000000ULL;

	*e = 0;
	*--e = '\n';
	*--e = '>';
	for (int i = 0; i < 9; i++, frac /= 10)
		*--e = '0' + frac % 10;
	*--e = '.';
	do
		*--e = '0' + sec % 10;
	while (sec /= 10);
	*--e = '<';
	*--e = ' ';
	fputs(e, out);
}

static void put_num(FILE *out, long long v)
{
	char b[24], *e = b + sizeof(b) - 1;
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	*e = 0;
	do
		*--e = '0' + u % 10;
	while (u /= 10);
	if (v < 0)
		*--e = '-';
	fputs(e, out);
}

/* ioctl(PERF_EVENT_IOC_SET_BPF) and setsockopt(SO_ATTACH_BPF): attachments
 * made outside bpf(), printed as strace would with the fds resolved. */
static void print_other(struct snoop *s, const struct snoop_call *c)
{
	bool ioc = c->cmd == SNOOP_CALL_IOCTL_SET_BPF;
	const char *opt = c->uattr == SNOOP_SO_ATTACH_BPF ? "SO_ATTACH_BPF" : "SO_ATTACH_REUSEPORT_EBPF";
	char fd[320], prog[320];

	if (s->json) {
		struct bee_json j;

		bee_json_init(&j, s->out, false);
		bee_json_obj_start(&j);
		bee_json_kuint(&j, "timestamp_ns", c->ts_ns);
		bee_json_kuint(&j, "pid", c->pid);
		bee_json_kuint(&j, "tid", c->tid);
		bee_json_key(&j, "comm");
		bee_json_stringn(&j, c->comm, sizeof(c->comm));
		bee_json_kstr(&j, "syscall", ioc ? "ioctl" : "setsockopt");
		bee_json_kstr(&j, "cmd", ioc ? "PERF_EVENT_IOC_SET_BPF" : opt);
		bee_json_key(&j, "attr");
		bee_json_obj_start(&j);
		fd_json(s, &j, "fd", c->fds[0].fd);
		if (!ioc)
			bee_json_kstr(&j, "level", "SOL_SOCKET");
		fd_json(s, &j, "prog_fd", c->fds[1].fd);
		if (!ioc)
			bee_json_kuint(&j, "optlen", c->attr_sz);
		bee_json_obj_end(&j);
		bee_json_kint(&j, "ret", c->ret);
		if (c->ret < 0)
			bee_json_kstr(&j, "errno", bee_errno_name((int)c->ret));
		bee_json_kuint(&j, "duration_ns", c->dur_ns);
		bee_json_obj_end(&j);
		fputc('\n', s->out);
		return;
	}
	fd_text(s, c->fds[0].fd, fd, sizeof(fd));
	fd_text(s, c->fds[1].fd, prog, sizeof(prog));
	if (ioc)
		fprintf(s->out, "%u %.16s ioctl(%d<%s>, PERF_EVENT_IOC_SET_BPF, %d<%s>) = ", c->pid,
			c->comm, c->fds[0].fd, fd, c->fds[1].fd, prog);
	else
		fprintf(s->out, "%u %.16s setsockopt(%d<%s>, SOL_SOCKET, %s, [%d<%s>], %u) = ",
			c->pid, c->comm, c->fds[0].fd, fd, opt, c->fds[1].fd, prog, c->attr_sz);
	if (c->ret < 0)
		fprintf(s->out, "-1 %s (%s)", bee_errno_name((int)c->ret), strerror((int)-c->ret));
	else
		fprintf(s->out, "%lld", (long long)c->ret);
	duration_text(s->out, c->dur_ns);
}

/* Key and value bytes of MAP_*_ELEM calls, for lib/attr.c's printer. */
static int elem_mem(void *ctx, const char *field, const void **data, size_t *size)
{
	const struct snoop_call *c = ((struct snoop *)ctx)->cur;
	uint32_t kl = c->str_len & 0xff, vl = (c->str_len >> 8) & 0xff;

	if (!strcmp(field, "key") && kl) {
		*data = c->str;
		*size = kl;
		return 0;
	}
	if ((!strcmp(field, "value") || !strcmp(field, "next_key")) && vl) {
		*data = c->str + SNOOP_ELEM_MAX;
		*size = vl;
		return 0;
	}
	return -ENOENT;
}

static int on_call(void *ctx, int cpu, const void *data, size_t size)
{
	struct snoop *s = ctx;
	const struct snoop_call *c = data;
	struct snoop_call short_rec;
	const char *cmd;
	char cmdbuf[32], objtxt[320] = "";
	struct bee_fd_info ret_fi = {};
	bool have_ret_obj = false, unreadable, is_elem;
	BEE_OPTS(bee_attr_opts, aopts, .fd_fn = snoop_fd, .fd_ctx = s);

	/* records end after the attr bytes the call passed */
	if (size < offsetof(struct snoop_call, attr))
		return 0;
	if (size < sizeof(*c)) {
		memset(&short_rec, 0, sizeof(short_rec));
		memcpy(&short_rec, data, size);
		c = &short_rec;
	}
	s->calls++;
	s->cur_pid = c->pid;
	s->cur = c;
	if (c->cmd == SNOOP_CALL_IOCTL_SET_BPF || c->cmd == SNOOP_CALL_SETSOCKOPT) {
		print_other(s, c);
		if (s->summary)
			summarize(s, c);
		return 0;
	}
	cmd = bee_bpf_cmd_name(c->cmd);
	if (!cmd) {
		snprintf(cmdbuf, sizeof(cmdbuf), "%u", c->cmd);
		cmd = cmdbuf;
	}
	/* What the kernel side read about the returned fd, at return time. */
	if (c->ret >= 0 && c->cmd < SNOOP_CMD_MAX && ret_obj[c->cmd] && c->obj_id) {
		ret_fi.kind = obj_kind(ret_obj[c->cmd]);
		ret_fi.id = c->obj_id;
		memcpy(ret_fi.name, c->obj_name, sizeof(ret_fi.name));
		ret_fi.name[15] = 0;
		if (ret_fi.kind == BEE_FD_LINK) {
			const char *lt = bee_enum_name("bpf_link_type", c->obj_link_type,
						       "BPF_LINK_TYPE_");
			snprintf(ret_fi.name, sizeof(ret_fi.name), "%s", lt ? lt : "");
		}
		have_ret_obj = true;
	}
	is_elem = c->cmd < SNOOP_CMD_MAX && elem_cmd[c->cmd];
	aopts.str = c->str_len && (int)c->cmd != s->cmd_info && !is_elem ? c->str : NULL;
	if (is_elem) {
		aopts.mem_fn = elem_mem;
		aopts.mem_ctx = s;
	}
	aopts.json = s->json;
	/* the kernel side could not read the attr: show the pointer, as strace */
	unreadable = c->attr_sz && !c->attr_cap;

	if (s->json) {
		struct bee_json j;

		bee_json_init(&j, s->out, false);
		bee_json_obj_start(&j);
		bee_json_kuint(&j, "timestamp_ns", c->ts_ns);
		bee_json_kuint(&j, "pid", c->pid);
		bee_json_kuint(&j, "tid", c->tid);
		bee_json_key(&j, "comm");
		bee_json_stringn(&j, c->comm, sizeof(c->comm));
		bee_json_kstr(&j, "syscall", "bpf");
		bee_json_kstr(&j, "cmd", cmd);
		bee_json_key(&j, "attr");
		/* the value is written by lib/attr.c's own writer, straight after
		 * the key: mark it written so the next key gets its comma */
		if (unreadable) {
			bee_json_null(&j);
			bee_json_kuint(&j, "attr_ptr", c->uattr);
		} else {
			j.after_key = false;
			j.first[j.depth] = false;
			bee_attr_fprint(s->out, c->cmd, c->attr, c->attr_cap, &aopts);
		}
		bee_json_kuint(&j, "attr_size", c->attr_sz);
		bee_json_kint(&j, "ret", c->ret);
		if (c->ret < 0)
			bee_json_kstr(&j, "errno", bee_errno_name((int)c->ret));
		if (have_ret_obj) {
			bee_json_key(&j, "ret_obj");
			bee_fd_info_json(&j, (int)c->ret, &ret_fi);
		}
		if ((int)c->cmd == s->cmd_info && c->ret == 0 && c->str_len)
			print_info(s, c, &j);
		bee_json_kuint(&j, "duration_ns", c->dur_ns);
		if (c->insn_bytes) {
			bee_json_key(&j, "insns");
			j.after_key = false;
			j.first[j.depth] = false;
			print_insns(s, c, (const uint8_t *)data + sizeof(*c));
		}
		bee_json_obj_end(&j);
		fputc('\n', s->out);
	} else {
		put_num(s->out, c->pid);
		fputc(' ', s->out);
		fwrite(c->comm, 1, strnlen(c->comm, sizeof(c->comm)), s->out);
		fputs(" bpf(", s->out);
		fputs(cmd, s->out);
		fputs(", ", s->out);
		if (unreadable)
			fprintf(s->out, c->uattr ? "%#llx" : "NULL", (unsigned long long)c->uattr);
		else
			bee_attr_fprint(s->out, c->cmd, c->attr, c->attr_cap, &aopts);
		fputs(", ", s->out);
		put_num(s->out, c->attr_sz);
		fputs(") = ", s->out);
		if (c->ret < 0) {
			fprintf(s->out, "-1 %s (%s)", bee_errno_name((int)c->ret),
				strerror((int)-c->ret));
		} else if (have_ret_obj) {
			bee_fd_info_snprint(objtxt, sizeof(objtxt), &ret_fi);
			fprintf(s->out, "%lld<%s>", (long long)c->ret, objtxt);
		} else {
			put_num(s->out, c->ret);
		}
		if ((int)c->cmd == s->cmd_info && c->ret == 0 && c->str_len)
			print_info(s, c, NULL);
		duration_text(s->out, c->dur_ns);
		if (c->insn_bytes)
			print_insns(s, c, (const uint8_t *)data + sizeof(*c));
	}
	/* Remember what the returned fd is, for later calls that pass it. */
	if (have_ret_obj)
		fdc_put(s, c->pid, (int)c->ret, &ret_fi);
	if (s->summary)
		summarize(s, c);
	return 0;
}

static void sum_text(FILE *out, const struct sum_item *it)
{
	char prog[320];

	fprintf(out, "  %d %s: ", it->pid, it->comm);
	switch (it->kind) {
	case SUM_LOAD:
		fprintf(out, "loaded prog %u %s (%s, %u insns)\n", it->id,
			it->name[0] ? it->name : "(no name)", it->type, it->insn_cnt);
		return;
	case SUM_MAP:
		fprintf(out, "created map %u %s (%s)\n", it->id, it->name[0] ? it->name : "(no name)",
			it->type);
		return;
	default:
		if (it->prog.kind == BEE_FD_UNKNOWN)
			snprintf(prog, sizeof(prog), "an unknown prog");
		else
			bee_fd_info_snprint(prog, sizeof(prog), &it->prog);
		fprintf(out, "%s %s %s %s (%s)", it->kind == SUM_DETACH ? "detached" : "attached",
			prog, it->kind == SUM_DETACH ? "from" : "to", it->target, it->type);
		if (it->link_id)
			fprintf(out, " as link %u", it->link_id);
		fputc('\n', out);
	}
}

static void sum_json(struct bee_json *j, const struct sum_item *it)
{
	static const char *const actions[] = { "load_prog", "create_map", "attach", "detach" };

	bee_json_obj_start(j);
	bee_json_kuint(j, "pid", it->pid);
	bee_json_kstr(j, "comm", it->comm);
	bee_json_kstr(j, "action", actions[it->kind]);
	bee_json_kstr(j, "cmd", it->cmd ? it->cmd : "?");
	if (it->kind == SUM_LOAD || it->kind == SUM_MAP) {
		bee_json_kuint(j, it->kind == SUM_LOAD ? "prog_id" : "map_id", it->id);
		bee_json_kstr(j, it->kind == SUM_LOAD ? "prog_name" : "map_name", it->name);
		bee_json_kstr(j, it->kind == SUM_LOAD ? "prog_type" : "map_type", it->type);
		if (it->kind == SUM_LOAD)
			bee_json_kuint(j, "insn_cnt", it->insn_cnt);
	} else {
		if (it->prog.id)
			bee_json_kuint(j, "prog_id", it->prog.id);
		bee_json_kstr(j, "prog_name", it->prog.name);
		bee_json_kstr(j, "target", it->target);
		bee_json_kstr(j, "attach_type", it->type);
		if (it->link_id)
			bee_json_kuint(j, "link_id", it->link_id);
	}
	bee_json_obj_end(j);
}

static void print_summary(struct snoop *s, uint64_t lost)
{
	if (s->json) {
		struct bee_json j;

		bee_json_init(&j, s->out, false);
		bee_json_obj_start(&j);
		bee_json_key(&j, "summary");
		bee_json_arr_start(&j);
		for (size_t i = 0; i < s->sum_cnt; i++)
			sum_json(&j, &s->sum[i]);
		bee_json_arr_end(&j);
		bee_json_kuint(&j, "calls", s->calls);
		bee_json_kuint(&j, "lost", lost);
		bee_json_obj_end(&j);
		fputc('\n', s->out);
		return;
	}
	fprintf(s->out, "\nsummary: %llu calls traced, %llu lost\n", (unsigned long long)s->calls,
		(unsigned long long)lost);
	for (size_t i = 0; i < s->sum_cnt; i++)
		sum_text(s->out, &s->sum[i]);
	if (!s->sum_cnt)
		fprintf(s->out, "  no programs loaded or attached, no maps created\n");
}

static int help(void)
{
	printf("Usage: bee bpfsnoop [OPTIONS] [-- CMD [ARGS...]]\n"
	       "\n"
	       "Show the bpf() calls of CMD (started by bee, with its children), of a\n"
	       "process (-p, with the children it forks while traced), or of every process\n"
	       "but bee, one line per call, every field of union bpf_attr named from the\n"
	       "running kernel's BTF:\n"
	       "  PID COMM bpf(CMD, {field=value, ...}, ATTR_SIZE) = RET <SECONDS>\n"
	       "fds show what they point at (3<map:12:name>, 4</sys/fs/cgroup/x>).\n"
	       "Programs attached with ioctl(PERF_EVENT_IOC_SET_BPF) or\n"
	       "setsockopt(SO_ATTACH_BPF) are shown as those calls.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -p, --pid PID      trace this process\n"
	       "  -j, --json         one JSON object per call (also 'bee -j bpfsnoop')\n"
	       "  -s, --summary      at exit, list which processes loaded which programs,\n"
	       "                     created which maps and attached programs where\n"
	       "  -i, --insns        disassemble the instructions of BPF_PROG_LOAD (up to %d)\n"
	       "  -d, --duration S   stop after S seconds\n"
	       "  -o, --output FILE  write the trace to FILE\n"
	       "  -b, --buffer MB    ring buffer size, a power of 2 (default 16); calls that\n"
	       "                     find it full are counted and reported as lost\n"
	       "  -h, --help         this help\n"
	       "\n"
	       "With -- CMD, bee exits when CMD exits, with its exit status.\n",
	       SNOOP_INSNS_MAX);
	return EXIT_OK;
}

/* Follow the processes already descended from @root (-p). */
static void follow_descendants(int map_fd, pid_t root)
{
	pid_t ppid_of[4096][2];
	size_t n = 0;
	bool changed = true;
	struct dirent *de;
	uint8_t one = 1;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while ((de = readdir(d)) && n < 4096) {
		char path[64], *buf = NULL, *p;
		int pid = atoi(de->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (bee_read_file(path, &buf, NULL))
			continue;
		p = strrchr(buf, ')');
		if (p)
			sscanf(p + 1, " %*c %d", &ppid_of[n][1]);
		ppid_of[n++][0] = pid;
		free(buf);
	}
	closedir(d);
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			uint32_t pp = ppid_of[i][1], me = ppid_of[i][0];
			uint8_t v;

			if (pp != (uint32_t)root && bpf_map_lookup_elem(map_fd, &pp, &v))
				continue;
			if (!bpf_map_lookup_elem(map_fd, &me, &v))
				continue;
			bpf_map_update_elem(map_fd, &me, &one, BPF_ANY);
			changed = true;
		}
	}
}

/* Fill the kernel side's tables from kernel BTF: where each command's
 * string pointer and instructions are, what its returned fd is. */
static int set_cfg(struct snoop *s, struct bee_obj *obj)
{
	static const struct {
		const char *cmd;
		int obj;
	} rets[] = {
		{ "MAP_CREATE", SNOOP_OBJ_MAP },	{ "MAP_GET_FD_BY_ID", SNOOP_OBJ_MAP },
		{ "PROG_LOAD", SNOOP_OBJ_PROG },	{ "PROG_GET_FD_BY_ID", SNOOP_OBJ_PROG },
		{ "LINK_CREATE", SNOOP_OBJ_LINK },	{ "LINK_GET_FD_BY_ID", SNOOP_OBJ_LINK },
		{ "RAW_TRACEPOINT_OPEN", SNOOP_OBJ_LINK }, { "BTF_LOAD", SNOOP_OBJ_BTF },
		{ "BTF_GET_FD_BY_ID", SNOOP_OBJ_BTF },
	};
	static const struct {
		const char *cmd;
		uint8_t flags;
	} elems[] = {
		{ "MAP_LOOKUP_ELEM", SNOOP_ELEM_KEY_IN | SNOOP_ELEM_VALUE_OUT },
		{ "MAP_LOOKUP_AND_DELETE_ELEM", SNOOP_ELEM_KEY_IN | SNOOP_ELEM_VALUE_OUT },
		{ "MAP_UPDATE_ELEM", SNOOP_ELEM_KEY_IN | SNOOP_ELEM_VALUE_IN },
		{ "MAP_DELETE_ELEM", SNOOP_ELEM_KEY_IN },
		{ "MAP_GET_NEXT_KEY", SNOOP_ELEM_KEY_IN | SNOOP_ELEM_NEXT_OUT },
	};
	struct snoop_cfg cfg = {
		.self_tgid = getpid(),
		.follow = s->child > 0 || s->target > 0,
		.insns = s->insns,
	};
	uint32_t off, k = 0;
	int fd;

	for (int cmd = 0; cmd < SNOOP_CMD_MAX; cmd++) {
		const char *f = bee_attr_str_field(cmd);
		uint32_t offs[SNOOP_FDS];
		int n = bee_attr_fd_offsets(cmd, offs, SNOOP_FDS);

		for (int i = 0; i < SNOOP_FDS; i++)
			cfg.fd_off[cmd][i] = i < n ? offs[i] : SNOOP_NO_OFF;

		cfg.str_off[cmd] = SNOOP_NO_OFF;
		if (f && !bee_attr_field(cmd, f, &off, NULL))
			cfg.str_off[cmd] = off;
	}
	for (size_t i = 0; i < ARRAY_SIZE(rets); i++) {
		int cmd = bee_bpf_cmd_value(rets[i].cmd);
		if (cmd >= 0 && cmd < SNOOP_CMD_MAX)
			cfg.ret_obj[cmd] = ret_obj[cmd] = rets[i].obj;
	}
	s->cmd_prog_load = bee_bpf_cmd_value("PROG_LOAD");
	s->cmd_map_create = bee_bpf_cmd_value("MAP_CREATE");
	s->cmd_prog_attach = bee_bpf_cmd_value("PROG_ATTACH");
	s->cmd_prog_detach = bee_bpf_cmd_value("PROG_DETACH");
	s->cmd_link_create = bee_bpf_cmd_value("LINK_CREATE");
	s->cmd_raw_tp = bee_bpf_cmd_value("RAW_TRACEPOINT_OPEN");
	cfg.prog_load_cmd = s->cmd_prog_load;
	for (size_t i = 0; i < ARRAY_SIZE(elems); i++) {
		int cmd = bee_bpf_cmd_value(elems[i].cmd);
		if (cmd >= 0 && cmd < SNOOP_CMD_MAX)
			cfg.elem[cmd] = elem_cmd[cmd] = elems[i].flags;
	}
	cfg.key_off = cfg.value_off = SNOOP_NO_OFF;
	if (!bee_attr_field(bee_bpf_cmd_value("MAP_LOOKUP_ELEM"), "key", &off, NULL))
		cfg.key_off = off;
	if (!bee_attr_field(bee_bpf_cmd_value("MAP_LOOKUP_ELEM"), "value", &off, NULL))
		cfg.value_off = off;
	s->cmd_info = bee_bpf_cmd_value("OBJ_GET_INFO_BY_FD");
	cfg.info_cmd = s->cmd_info;
	cfg.info_off = cfg.info_len_off = SNOOP_NO_OFF;
	if (!bee_attr_field(s->cmd_info, "info", &off, NULL))
		cfg.info_off = off;
	if (!bee_attr_field(s->cmd_info, "info_len", &off, NULL))
		cfg.info_len_off = off;
	cfg.insns_off = cfg.insn_cnt_off = SNOOP_NO_OFF;
	if (!bee_attr_field(s->cmd_prog_load, "insns", &off, NULL))
		cfg.insns_off = off;
	if (!bee_attr_field(s->cmd_prog_load, "insn_cnt", &off, NULL))
		cfg.insn_cnt_off = off;
	fd = bee_obj__map_fd(obj, "cfg_map");
	if (fd < 0 || bpf_map_update_elem(fd, &k, &cfg, BPF_ANY))
		return -errno ? -errno : -ENOENT;
	return 0;
}

/* The counter of calls dropped for a full in-flight table, from .bss. */
static uint64_t inflight_full(struct bee_obj *obj)
{
	struct bpf_object *bo = bee_obj__bpf_object(obj);
	const struct btf *btf = bee_obj__btf(obj);
	struct bpf_map *map;
	int id;

	if (!btf || (id = btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC)) < 0)
		return 0;
	bpf_object__for_each_map(map, bo) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);
		size_t sz;
		char *data;

		if (!bpf_map__is_internal(map) || !strstr(bpf_map__name(map), ".bss"))
			continue;
		data = (char *)bpf_map__initial_value(map, &sz);
		for (int i = 0; data && i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);
			if (!strcmp(btf__name_by_offset(btf, v->name_off), "snoop_inflight_full") &&
			    vs->offset + 8 <= sz)
				return *(volatile uint64_t *)(data + vs->offset);
		}
	}
	return 0;
}

/* Fork CMD stopped on a pipe: it execs only once tracing is attached, so
 * even a command that exits at once is traced from its first call. */
static pid_t start_child(char **argv, int *go_fd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127); /* bee gave up before tracing started */
		close(p[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "bee: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go_fd = p[1];
	return pid;
}

static int bpfsnoop_main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pid", required_argument, NULL, 'p' },   { "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },	   { "insns", no_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' }, { "output", required_argument, NULL, 'o' },
		{ "buffer", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },	   {},
	};
	struct snoop s = { .json = json_output, .out = stdout };
	struct bee_events *ev = NULL;
	struct bee_obj *obj = NULL;
	const void *buf;
	size_t size;
	double duration = 0;
	unsigned ring_mb = 0;
	static char outbuf[1 << 16];
	const char *output = NULL;
	struct timespec t0, now;
	int c, ret = EXIT_FAIL, go_fd = -1, err, status = 0;
	bool child_done = false;
	uint64_t lost;
	char *end;

	if (argc > 1 && !strcmp(argv[1], "help"))
		return help();
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:jsid:o:b:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			s.target = strtol(optarg, &end, 10);
			if (*end || s.target <= 0)
				return cli_usage("bpfsnoop: pid must be a positive number, got '%s'",
						 optarg);
			break;
		case 'j':
			s.json = json_output = true;
			break;
		case 's':
			s.summary = true;
			break;
		case 'i':
			s.insns = true;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0)
				return cli_usage("bpfsnoop: duration must be a positive number of seconds, got '%s'",
						 optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'b':
			ring_mb = strtoul(optarg, &end, 10);
			if (*end || !ring_mb || ring_mb > 1024 || (ring_mb & (ring_mb - 1)))
				return cli_usage("bpfsnoop: buffer must be a power of 2 MiB up to 1024, got '%s'",
						 optarg);
			break;
		case 'h':
			return help();
		default:
			/* name the option: optopt for a short one, else the word */
			if (optopt)
				return cli_usage("bpfsnoop: unknown option '-%c' or missing value (see 'bee bpfsnoop --help')",
						 optopt);
			return cli_usage("bpfsnoop: unknown option '%s' (see 'bee bpfsnoop --help')",
					 argv[optind - 1]);
		}
	}
	if (optind < argc && s.target)
		return cli_usage("bpfsnoop: give either -p PID or -- CMD, not both");
	if (s.target && kill(s.target, 0) && errno == ESRCH)
		return cli_err("bpfsnoop: no process %d", s.target);
	buf = cli_embedded("bpfsnoop", &size);
	if (!buf)
		return cli_err("bpfsnoop: BPF object not embedded in this build");
	s.fdc = calloc(FDC_SIZE, sizeof(*s.fdc));
	if (!s.fdc)
		return cli_err("bpfsnoop: out of memory");
	if (output) {
		s.out = fopen(output, "we");
		if (!s.out) {
			s.out = stdout;
			ret = cli_err("bpfsnoop: cannot write '%s': %s", output, strerror(errno));
			goto out;
		}
	}
	/* Block-buffered output: one write per many lines keeps up with a
	 * flood of calls; flushed on every idle poll. */
	/* (glibc ignores the size unless the buffer is given; static, as
	 * stdout may use it until exit) */
	setvbuf(s.out, outbuf, _IOFBF, sizeof(outbuf));
	if (optind < argc) {
		s.child = start_child(argv + optind, &go_fd);
		if (s.child < 0) {
			ret = cli_err("bpfsnoop: cannot start '%s': %s", argv[optind],
				      strerror(-s.child));
			goto out;
		}
	}

	obj = bee_obj__open_mem(buf, size, "bpfsnoop", NULL);
	if (!obj) {
		ret = cli_err("bpfsnoop: %s", cli_strerr(-errno));
		goto out;
	}
	if (ring_mb) {
		struct bpf_map *rb = bee_obj__map(obj, "events");

		if (!rb || bpf_map__set_max_entries(rb, ring_mb << 20)) {
			ret = cli_err("bpfsnoop: cannot size the ring buffer to %u MiB", ring_mb);
			goto out;
		}
	}
	err = bee_obj__load(obj);
	if (err) {
		/* libbee's message names the object ("bpfsnoop: cannot load: ...") */
		ret = cli_err("%s", cli_strerr(err));
		goto out;
	}
	err = set_cfg(&s, obj);
	if (err) {
		ret = cli_err("bpfsnoop: cannot configure its BPF programs: %s", strerror(-err));
		goto out;
	}
	if (s.child > 0 || s.target > 0) {
		uint32_t k = s.child > 0 ? s.child : s.target;
		uint8_t one = 1;
		int fd = bee_obj__map_fd(obj, "followed");

		bpf_map_update_elem(fd, &k, &one, BPF_ANY);
		if (s.target > 0)
			follow_descendants(fd, s.target);
	}
	err = bee_obj__attach(obj);
	if (err) {
		ret = cli_err("bpfsnoop: cannot attach: %s", cli_strerr(err));
		goto out;
	}
	ev = bee_events__new(NULL);
	if (!ev || bee_events__add(ev, obj, "events", on_call, &s)) {
		ret = cli_err("bpfsnoop: cannot read events: %s", cli_strerr(-errno));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (go_fd >= 0) {
		/* tracing is live: let the command run */
		if (write(go_fd, "g", 1) != 1) {
			ret = cli_err("bpfsnoop: cannot start '%s': %s", argv[optind], strerror(errno));
			goto out;
		}
		close(go_fd);
		go_fd = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop_sig) {
		err = bee_events__poll(ev, 100);
		if (err < 0 && err != -EINTR)
			break;
		if (err == 0)
			fflush(s.out);
		if (s.child > 0 && waitpid(s.child, &status, WNOHANG) == s.child) {
			child_done = true;
			break;
		}
		if (s.target > 0 && kill(s.target, 0) && errno == ESRCH)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration > 0 &&
		    (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= duration)
			break;
	}
	/* Everything a finished call wrote is in the ring by now. */
	bee_events__consume(ev);
	lost = bee_events__lost(ev) + inflight_full(obj);
	if (s.summary)
		print_summary(&s, lost);
	fflush(s.out);
	if (lost)
		fprintf(stderr, "bee: bpfsnoop: %llu calls lost (ring buffer or in-flight table full)\n",
			(unsigned long long)lost);
	ret = EXIT_OK;
	if (s.child > 0) {
		if (!child_done) {
			/* interrupted: the command got the same ^C; wait for it */
			while (waitpid(s.child, &status, 0) < 0 && errno == EINTR)
				;
		}
		ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	if (go_fd >= 0)
		close(go_fd); /* a child still waiting exits with 127 */
	if (ret == EXIT_FAIL && s.child > 0)
		waitpid(s.child, NULL, 0);
	bee_events__free(ev);
	bee_obj__close(obj);
	if (s.out != stdout)
		fclose(s.out);
	else
		fflush(stdout);
	free(s.sum);
	free(s.fdc);
	for (size_t i = 0; i < s.cg_cnt; i++)
		free(s.cgs[i].path);
	free(s.cgs);
	for (size_t i = 0; i < s.tp_cnt; i++)
		free(s.tps[i].name);
	free(s.tps);
	return ret;
}

BEE_TOOL("bpfsnoop", bpfsnoop_main, "bpf() calls of a command, a pid or the system, decoded (strace -e bpf)");
