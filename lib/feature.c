// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the running kernel can do for BPF: program, map and link types and
 * helpers named from its own BTF (so bee knows types newer than libbpf 1.1),
 * probed by loading minimal programs, in parallel threads; the kernel
 * configuration; and the facts bee's users trip over (kprobes, trampolines,
 * tcx, ring buffers, the BPF LSM). */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

/* Instructions for the probe programs (the kernel's filter.h macros are not
 * in the uapi headers). */
#define INSN(CODE, DST, SRC, OFF, IMM)                                                             \
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), .off = (OFF),      \
			    .imm = (IMM) })
#define MOV64_IMM(DST, IMM) INSN(BPF_ALU64 | BPF_MOV | BPF_K, DST, 0, 0, IMM)
#define EXIT_INSN() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* ---- names from kernel BTF ------------------------------------------------ */

struct kind_desc {
	const char *enum_name, *prefix, *max_name;
};

static const struct kind_desc kinds[BEE_KIND__CNT] = {
	[BEE_KIND_PROG_TYPE] = { "bpf_prog_type", "BPF_PROG_TYPE_", "__MAX_BPF_PROG_TYPE" },
	[BEE_KIND_MAP_TYPE] = { "bpf_map_type", "BPF_MAP_TYPE_", "__MAX_BPF_MAP_TYPE" },
	[BEE_KIND_ATTACH_TYPE] = { "bpf_attach_type", "BPF_", "__MAX_BPF_ATTACH_TYPE" },
	[BEE_KIND_HELPER] = { "bpf_func_id", "BPF_FUNC_", "__BPF_FUNC_MAX_ID" },
	[BEE_KIND_LINK_TYPE] = { "bpf_link_type", "BPF_LINK_TYPE_", "__MAX_BPF_LINK_TYPE" },
};

static struct {
	unsigned cnt;
	char **names; /* [cnt], NULL for holes */
} kind_tab[BEE_KIND__CNT];
static pthread_once_t kind_once = PTHREAD_ONCE_INIT;

static void kind_load_one(const struct btf *btf, enum bee_kind k)
{
	const struct kind_desc *d = &kinds[k];
	const struct btf_type *t;
	size_t plen = strlen(d->prefix);
	unsigned cnt = 0;
	int id;

	id = btf__find_by_name_kind(btf, d->enum_name, BTF_KIND_ENUM);
	if (id < 0)
		return;
	t = btf__type_by_id(btf, id);
	/* The count is the __MAX_ constant when there is one, else max + 1. */
	for (int i = 0; i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;
		const char *n = btf__name_by_offset(btf, e->name_off);

		if (!strcmp(n, d->max_name)) {
			cnt = e->val;
			break;
		}
		if ((unsigned)e->val + 1 > cnt)
			cnt = (unsigned)e->val + 1;
	}
	kind_tab[k].names = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!kind_tab[k].names)
		return;
	kind_tab[k].cnt = cnt;
	for (int i = 0; i < btf_vlen(t); i++) {
		const struct btf_enum *e = btf_enum(t) + i;
		const char *n = btf__name_by_offset(btf, e->name_off);
		char buf[128];
		size_t o = 0;

		if ((unsigned)e->val >= cnt || strncmp(n, d->prefix, plen))
			continue;
		/* Old names kept for compatibility share a value with the
		 * current one (CGROUP_STORAGE_DEPRECATED): keep the current. */
		if (kind_tab[k].names[e->val] && strstr(n, "DEPRECATED"))
			continue;
		if (k == BEE_KIND_HELPER)
			o = snprintf(buf, sizeof(buf), "bpf_");
		for (const char *p = n + plen; *p && o + 1 < sizeof(buf); p++)
			buf[o++] = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;
		buf[o] = 0;
		free(kind_tab[k].names[e->val]);
		kind_tab[k].names[e->val] = strdup(buf);
	}
}

static void kind_load(void)
{
	const struct btf *btf = bee_kernel_btf();

	if (!btf)
		return;
	for (int k = 0; k < BEE_KIND__CNT; k++)
		kind_load_one(btf, k);
}

static __attribute__((destructor)) void kind_fini(void)
{
	for (int k = 0; k < BEE_KIND__CNT; k++) {
		for (unsigned i = 0; i < kind_tab[k].cnt; i++)
			free(kind_tab[k].names[i]);
		free(kind_tab[k].names);
	}
}

unsigned bee_kind_cnt(enum bee_kind kind)
{
	if ((unsigned)kind >= BEE_KIND__CNT)
		return 0;
	pthread_once(&kind_once, kind_load);
	return kind_tab[kind].cnt;
}

const char *bee_kind_name(enum bee_kind kind, unsigned value)
{
	if (value >= bee_kind_cnt(kind))
		return NULL;
	return kind_tab[kind].names[value];
}

int bee_kind_value(enum bee_kind kind, const char *name)
{
	unsigned n = bee_kind_cnt(kind);

	for (unsigned i = 0; i < n; i++)
		if (kind_tab[kind].names[i] && !strcmp(kind_tab[kind].names[i], name))
			return i;
	return -ENOENT;
}

/* ---- probes ---------------------------------------------------------------- */

static void set_why(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!why || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static int enum_val_or(const char *name, int dflt)
{
	long long v;

	return bee_enum_value(name, &v) ? dflt : (int)v;
}

/* Values a probe load needs, looked up once. */
static struct {
	int fentry_btf_id, lsm_btf_id;
	int attach_netfilter;
	unsigned kern_version;
} pv;
static pthread_once_t pv_once = PTHREAD_ONCE_INIT;

static void pv_load(void)
{
	const struct btf *btf = bee_kernel_btf();
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	pv.fentry_btf_id = btf ? btf__find_by_name_kind(btf, "do_nanosleep", BTF_KIND_FUNC) : -1;
	pv.lsm_btf_id = btf ? btf__find_by_name_kind(btf, "bpf_lsm_file_open", BTF_KIND_FUNC) : -1;
	pv.attach_netfilter = enum_val_or("BPF_NETFILTER", -1);
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u.%u", &a, &b, &c) >= 2)
		pv.kern_version = a << 16 | b << 8 | (c > 255 ? 255 : c);
}

/* Fill the load options a program type needs to get past the checks that
 * run before the verifier. Returns false when bee knows the type cannot be
 * loaded without a target it does not have (then the verifier's complaint
 * about the missing target proves the type exists). */
static bool prog_opts(unsigned type, struct bpf_prog_load_opts *o)
{
	const char *n = bee_kind_name(BEE_KIND_PROG_TYPE, type);

	pthread_once(&pv_once, pv_load);
	if (!n)
		return true;
	if (!strcmp(n, "cgroup_sock_addr"))
		o->expected_attach_type = BPF_CGROUP_INET4_CONNECT;
	else if (!strcmp(n, "cgroup_sockopt"))
		o->expected_attach_type = BPF_CGROUP_GETSOCKOPT;
	else if (!strcmp(n, "sk_lookup"))
		o->expected_attach_type = BPF_SK_LOOKUP;
	else if (!strcmp(n, "lirc_mode2"))
		o->expected_attach_type = BPF_LIRC_MODE2;
	else if (!strcmp(n, "kprobe"))
		o->kern_version = pv.kern_version;
	else if (!strcmp(n, "syscall"))
		o->prog_flags = BPF_F_SLEEPABLE;
	else if (!strcmp(n, "netfilter") && pv.attach_netfilter >= 0)
		o->expected_attach_type = pv.attach_netfilter;
	else if (!strcmp(n, "tracing") && pv.fentry_btf_id > 0) {
		o->expected_attach_type = BPF_TRACE_FENTRY;
		o->attach_btf_id = pv.fentry_btf_id;
	} else if (!strcmp(n, "lsm") && pv.lsm_btf_id > 0) {
		o->expected_attach_type = BPF_LSM_MAC;
		o->attach_btf_id = pv.lsm_btf_id;
	} else if (!strcmp(n, "ext") || !strcmp(n, "struct_ops") || !strcmp(n, "tracing") ||
		   !strcmp(n, "lsm"))
		return false;
	return true;
}

/* Load @insns as @type with a verifier log. Returns the fd or -errno. */
static int probe_load(unsigned type, const struct bpf_insn *insns, size_t cnt, char *log,
		      size_t log_sz)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log, .log_size = log_sz, .log_level = 1);
	int fd;

	prog_opts(type, &o);
	log[0] = 0;
	fd = bpf_prog_load(type, NULL, "GPL", insns, cnt, &o);
	return fd < 0 ? -errno : fd;
}

static void first_line(char *dst, size_t n, const char *log)
{
	size_t i = 0;

	while (log[i] && log[i] != '\n' && i + 1 < n) {
		dst[i] = log[i];
		i++;
	}
	dst[i] = 0;
}

int bee_probe_prog_type(unsigned type, char *why, size_t why_sz)
{
	static const struct bpf_insn insns[] = {
		MOV64_IMM(BPF_REG_0, 0),
		EXIT_INSN(),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o);
	char log[4096], line[160];
	bool complete;
	int fd;

	if (type == 0 || type >= bee_kind_cnt(BEE_KIND_PROG_TYPE)) {
		set_why(why, why_sz, "the kernel has no program type %u", type);
		return 0;
	}
	complete = prog_opts(type, &o);
	fd = probe_load(type, insns, ARRAY_SIZE(insns), log, sizeof(log));
	if (fd >= 0) {
		close(fd);
		set_why(why, why_sz, "loaded");
		return 1;
	}
	/* The kernel rejects an unknown type with EINVAL before the verifier
	 * runs; a verifier message means it knows the type. */
	first_line(line, sizeof(line), log);
	if (log[0] && (!complete || (fd == -EINVAL && !strstr(log, "unknown")))) {
		set_why(why, why_sz, "verifier: %s", line);
		return 1;
	}
	if (line[0])
		set_why(why, why_sz, "load: %s (%s)", strerror(-fd), line);
	else
		set_why(why, why_sz, "load: %s", strerror(-fd));
	return 0;
}

int bee_probe_helper(unsigned prog_type, unsigned func_id)
{
	struct bpf_insn insns[] = {
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, func_id),
		EXIT_INSN(),
	};
	char log[4096];
	int fd;

	fd = probe_load(prog_type, insns, ARRAY_SIZE(insns), log, sizeof(log));
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* "invalid func unknown#N": the kernel does not know the helper;
	 * "unknown func bpf_x#N" / "cannot use helper": not for this type.
	 * Any other complaint is about the arguments: the helper is there. */
	if (strstr(log, "invalid func ") || strstr(log, "unknown func ") ||
	    strstr(log, "cannot use helper"))
		return 0;
	if (!log[0] && fd != -EACCES && fd != -EINVAL && fd != -ENOSPC)
		return fd;
	return 1;
}

/* A BTF object with one int, for the map types that need value BTF. */
static int int_btf_fd(void)
{
	struct btf *b = btf__new_empty();
	int fd = -1;

	if (!b)
		return -1;
	if (btf__add_int(b, "int", 4, BTF_INT_SIGNED) == 1 && btf__load_into_kernel(b) == 0)
		fd = dup(btf__fd(b));
	btf__free(b);
	return fd;
}

int bee_probe_map_type(unsigned type, char *why, size_t why_sz)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	const char *n = bee_kind_name(BEE_KIND_MAP_TYPE, type);
	unsigned key = 4, val = 4, max = 1;
	int fd, btf_fd = -1, ret;

	if (!n || type == 0) {
		set_why(why, why_sz, "the kernel has no map type %u", type);
		return 0;
	}
	/* libbpf 1.1 knows the map types up to user_ringbuf and how each
	 * must be created; newer ones bee creates itself. */
	if (type <= BPF_MAP_TYPE_USER_RINGBUF) {
		ret = libbpf_probe_bpf_map_type(type, NULL);
		if (ret == 1) {
			set_why(why, why_sz, "created");
			return 1;
		}
		set_why(why, why_sz, "create: %s", ret < 0 ? strerror(-ret) : "rejected");
		return 0;
	}
	if (!strcmp(n, "cgrp_storage")) {
		btf_fd = int_btf_fd();
		max = 0;
		o.map_flags = BPF_F_NO_PREALLOC;
		o.btf_fd = btf_fd;
		o.btf_key_type_id = 1;
		o.btf_value_type_id = 1;
	} else if (!strcmp(n, "arena")) {
		key = val = 0;
		o.map_flags = 1U << 10; /* BPF_F_MMAPABLE */
	}
	fd = bpf_map_create(type, NULL, key, val, max, &o);
	ret = fd >= 0;
	if (fd >= 0) {
		set_why(why, why_sz, "created");
		close(fd);
	} else {
		set_why(why, why_sz, "create: %s", strerror(errno));
	}
	if (btf_fd >= 0)
		close(btf_fd);
	return ret;
}

int bee_probe_misc(enum bee_misc_feature f)
{
	static const struct bpf_insn loop[] = {
		MOV64_IMM(BPF_REG_0, 10),
		INSN(BPF_ALU64 | BPF_SUB | BPF_K, BPF_REG_0, 0, 0, 1),
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, -2, 0),
		EXIT_INSN(),
	};
	static const struct bpf_insn v2[] = {
		MOV64_IMM(BPF_REG_0, 0),
		INSN(BPF_JMP | BPF_JLT | BPF_K, BPF_REG_0, 0, 1, 0),
		MOV64_IMM(BPF_REG_0, 1),
		EXIT_INSN(),
	};
	static const struct bpf_insn v3[] = {
		MOV64_IMM(BPF_REG_0, 0),
		INSN(BPF_JMP32 | BPF_JLT | BPF_K, BPF_REG_0, 0, 1, 0),
		MOV64_IMM(BPF_REG_0, 1),
		EXIT_INSN(),
	};
	/* v4: unconditional byte swap (BPF_ALU64 | BPF_END) */
	static const struct bpf_insn v4[] = {
		MOV64_IMM(BPF_REG_0, 0),
		INSN(BPF_ALU64 | BPF_END | BPF_TO_LE, BPF_REG_0, 0, 0, 16),
		EXIT_INSN(),
	};
	struct bpf_insn *big = NULL;
	const struct bpf_insn *insns;
	size_t cnt;
	int fd;

	switch (f) {
	case BEE_MISC_LARGE_INSN_LIMIT:
		cnt = BPF_MAXINSNS + 1;
		big = calloc(cnt, sizeof(*big));
		if (!big)
			return -ENOMEM;
		for (size_t i = 0; i < cnt - 1; i++)
			big[i] = MOV64_IMM(BPF_REG_0, 0);
		big[cnt - 1] = EXIT_INSN();
		insns = big;
		break;
	case BEE_MISC_BOUNDED_LOOPS:
		insns = loop, cnt = ARRAY_SIZE(loop);
		break;
	case BEE_MISC_ISA_V2:
		insns = v2, cnt = ARRAY_SIZE(v2);
		break;
	case BEE_MISC_ISA_V3:
		insns = v3, cnt = ARRAY_SIZE(v3);
		break;
	case BEE_MISC_ISA_V4:
		insns = v4, cnt = ARRAY_SIZE(v4);
		break;
	default:
		return -EINVAL;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns, cnt, NULL);
	free(big);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

const char *bee_misc_name(enum bee_misc_feature f)
{
	static const char *const names[] = {
		[BEE_MISC_LARGE_INSN_LIMIT] = "large_insn_limit",
		[BEE_MISC_BOUNDED_LOOPS] = "bounded_loops",
		[BEE_MISC_ISA_V2] = "v2_isa_extension",
		[BEE_MISC_ISA_V3] = "v3_isa_extension",
		[BEE_MISC_ISA_V4] = "v4_isa_extension",
	};

	return (unsigned)f < ARRAY_SIZE(names) ? names[f] : NULL;
}

/* ---- everything, in parallel ------------------------------------------------ */

struct bee_features {
	unsigned prog_cnt, map_cnt, helper_cnt;
	int8_t *prog, *map, *misc; /* 1, 0 */
	char (*prog_why)[128], (*map_why)[128];
	uint8_t *helpers; /* [prog_cnt][helper_cnt] */
	uint8_t *helpers_probed; /* [prog_cnt] */
	bool with_helpers, full, from_cache;
	atomic_uint next;
	unsigned task_cnt;
};

/* Helpers whose successful probe load writes a warning to the kernel log;
 * bpftool skips them unless asked for everything, and so does bee. */
static bool noisy_helper(unsigned id)
{
	const char *n = bee_kind_name(BEE_KIND_HELPER, id);

	return n && (!strcmp(n, "bpf_trace_printk") || !strcmp(n, "bpf_trace_vprintk") ||
		     !strcmp(n, "bpf_probe_write_user"));
}

/* Tasks: [0, prog_cnt) program types (each with its helpers), then map
 * types, then the misc features. Program types come first because their
 * helper scans are the long ones. */
static void run_task(struct bee_features *f, unsigned t)
{
	if (t < f->prog_cnt) {
		f->prog[t] = t ? bee_probe_prog_type(t, f->prog_why[t], sizeof(f->prog_why[t])) : 0;
		LIBBPF_OPTS(bpf_prog_load_opts, o);

		/* A type that loads only with a target bee lacks (struct_ops,
		 * freplace) fails before the helper check: nothing to learn. */
		if (!f->with_helpers || f->prog[t] != 1 || !prog_opts(t, &o))
			return;
		f->helpers_probed[t] = 1;
		for (unsigned h = 1; h < f->helper_cnt; h++) {
			if (!f->full && noisy_helper(h))
				continue;
			f->helpers[(size_t)t * f->helper_cnt + h] = bee_probe_helper(t, h) == 1;
		}
		return;
	}
	t -= f->prog_cnt;
	if (t < f->map_cnt) {
		f->map[t] = t ? bee_probe_map_type(t, f->map_why[t], sizeof(f->map_why[t])) : 0;
		return;
	}
	t -= f->map_cnt;
	f->misc[t] = bee_probe_misc(t) == 1;
}

static void *worker(void *arg)
{
	struct bee_features *f = arg;
	unsigned t;

	while ((t = atomic_fetch_add(&f->next, 1)) < f->task_cnt)
		run_task(f, t);
	return NULL;
}


/* ---- per-boot cache ------------------------------------------------------------ */

/* What a program type, map type or helper probe finds cannot change while
 * the kernel runs (they are built in), but it can for another user, so
 * results are kept per boot (boot_id) and per effective uid. */
#define FEAT_MAGIC "BEEFEAT2"

struct feat_hdr {
	char magic[8];
	char boot_id[40];
	uint32_t uid, prog_cnt, map_cnt, helper_cnt, misc_cnt;
	uint8_t with_helpers, full, pad_[2];
};

static char *cache_path(const struct bee_features *f, struct feat_hdr *h)
{
	char *dir, *text = NULL, *path = NULL;

	memset(h, 0, sizeof(*h));
	if (bee_read_file("/proc/sys/kernel/random/boot_id", &text, NULL))
		return NULL;
	chomp(text);
	memcpy(h->magic, FEAT_MAGIC, 8);
	snprintf(h->boot_id, sizeof(h->boot_id), "%s", text);
	free(text);
	h->uid = geteuid();
	h->prog_cnt = f->prog_cnt;
	h->map_cnt = f->map_cnt;
	h->helper_cnt = f->helper_cnt;
	h->misc_cnt = BEE_MISC__CNT;
	h->with_helpers = f->with_helpers;
	h->full = f->full;
	dir = bee_cache_dir(NULL);
	if (dir && asprintf(&path, "%s/features-%u-%s%s.bin", dir, h->uid,
			    f->with_helpers ? "helpers" : "types", f->full ? "-full" : "") < 0)
		path = NULL;
	free(dir);
	return path;
}

struct feat_part {
	void *p;
	size_t sz;
};

static size_t feat_parts(struct bee_features *f, struct feat_part *parts)
{
	size_t n = 0;

	parts[n++] = (struct feat_part){ f->prog, f->prog_cnt };
	parts[n++] = (struct feat_part){ f->map, f->map_cnt };
	parts[n++] = (struct feat_part){ f->misc, BEE_MISC__CNT };
	parts[n++] = (struct feat_part){ f->prog_why, (size_t)f->prog_cnt * sizeof(*f->prog_why) };
	parts[n++] = (struct feat_part){ f->map_why, (size_t)f->map_cnt * sizeof(*f->map_why) };
	parts[n++] = (struct feat_part){ f->helpers, (size_t)f->prog_cnt * f->helper_cnt };
	parts[n++] = (struct feat_part){ f->helpers_probed, f->prog_cnt };
	return n;
}

static bool cache_load(struct bee_features *f)
{
	struct feat_part parts[8];
	struct feat_hdr want, *got;
	char *path = cache_path(f, &want), *buf = NULL, *p;
	size_t size, need = sizeof(want), n;
	bool ok = false;

	if (!path)
		return false;
	n = feat_parts(f, parts);
	for (size_t i = 0; i < n; i++)
		need += parts[i].sz;
	if (bee_read_file(path, &buf, &size) || size != need)
		goto out;
	got = (struct feat_hdr *)buf;
	/* a file from another boot, user or kernel is not used */
	if (memcmp(got, &want, sizeof(want)))
		goto out;
	p = buf + sizeof(want);
	for (size_t i = 0; i < n; i++) {
		memcpy(parts[i].p, p, parts[i].sz);
		p += parts[i].sz;
	}
	ok = true;
out:
	free(buf);
	free(path);
	return ok;
}

/* Best effort: a cache that cannot be written only costs the next run. */
static void cache_store(struct bee_features *f)
{
	struct feat_part parts[8];
	struct feat_hdr h;
	char *path = cache_path(f, &h), *dir = NULL, tmp[4200];
	FILE *out;
	size_t n;

	if (!path)
		return;
	dir = strdup(path);
	if (dir && strrchr(dir, '/')) {
		*strrchr(dir, '/') = 0;
		bee_mkdirs(dir, 0700);
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	out = fopen(tmp, "we");
	if (out) {
		bool ok = fwrite(&h, sizeof(h), 1, out) == 1;

		n = feat_parts(f, parts);
		for (size_t i = 0; i < n && ok; i++)
			ok = fwrite(parts[i].p, 1, parts[i].sz, out) == parts[i].sz;
		if (fclose(out) || !ok || rename(tmp, path))
			unlink(tmp);
	}
	free(dir);
	free(path);
}

bool bee_features__from_cache(const struct bee_features *f)
{
	return f && f->from_cache;
}

/* Threads take tasks from a shared counter, so a thread that drew short
 * tasks (map types) moves on to the next helper scan at once. */
struct bee_features *bee_features__probe(const struct bee_features_opts *opts)
{
	struct bee_features *f;
	pthread_t th[16];
	bool no_cache;
	long ncpu;
	int nth, started = 0;

	if (!bee_kernel_btf())
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	f->with_helpers = opts && opts->sz >= offsetof(struct bee_features_opts, helpers) + 1 ?
				  opts->helpers : false;
	f->full = opts && opts->sz >= offsetof(struct bee_features_opts, full) + 1 ? opts->full :
										       false;
	f->prog_cnt = bee_kind_cnt(BEE_KIND_PROG_TYPE);
	f->map_cnt = bee_kind_cnt(BEE_KIND_MAP_TYPE);
	f->helper_cnt = bee_kind_cnt(BEE_KIND_HELPER);
	f->prog = calloc(f->prog_cnt + 1, 1);
	f->map = calloc(f->map_cnt + 1, 1);
	f->misc = calloc(BEE_MISC__CNT, 1);
	f->prog_why = calloc(f->prog_cnt + 1, sizeof(*f->prog_why));
	f->map_why = calloc(f->map_cnt + 1, sizeof(*f->map_why));
	f->helpers = calloc((size_t)f->prog_cnt * f->helper_cnt + 1, 1);
	f->helpers_probed = calloc(f->prog_cnt + 1, 1);
	if (!f->prog || !f->map || !f->misc || !f->prog_why || !f->map_why || !f->helpers ||
	    !f->helpers_probed) {
		bee_features__free(f);
		errno = ENOMEM;
		return NULL;
	}
	pthread_once(&pv_once, pv_load);
	no_cache = opts && opts->sz >= offsetof(struct bee_features_opts, no_cache) + 1 ?
			   opts->no_cache : false;
	if (!no_cache && cache_load(f)) {
		f->from_cache = true;
		return f;
	}
	f->task_cnt = f->prog_cnt + f->map_cnt + BEE_MISC__CNT;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* Probe loads are short syscalls: one thread more than CPUs keeps
	 * every CPU busy while another thread is between calls. */
	nth = ncpu > 0 ? (int)ncpu + 1 : 2;
	if (opts && opts->sz >= offsetof(struct bee_features_opts, threads) + sizeof(int) &&
	    opts->threads > 0)
		nth = opts->threads;
	if (nth > (int)ARRAY_SIZE(th))
		nth = ARRAY_SIZE(th);
	for (int i = 1; i < nth; i++)
		if (pthread_create(&th[started], NULL, worker, f) == 0)
			started++;
	worker(f);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	cache_store(f);
	return f;
}

void bee_features__free(struct bee_features *f)
{
	if (!f)
		return;
	free(f->prog);
	free(f->map);
	free(f->misc);
	free(f->prog_why);
	free(f->map_why);
	free(f->helpers);
	free(f->helpers_probed);
	free(f);
}

int bee_features__prog_type(const struct bee_features *f, unsigned type, const char **why)
{
	if (type >= f->prog_cnt)
		return -ENOENT;
	if (why)
		*why = f->prog_why[type];
	return f->prog[type];
}

int bee_features__map_type(const struct bee_features *f, unsigned type, const char **why)
{
	if (type >= f->map_cnt)
		return -ENOENT;
	if (why)
		*why = f->map_why[type];
	return f->map[type];
}

int bee_features__helper(const struct bee_features *f, unsigned prog_type, unsigned func_id)
{
	if (!f->with_helpers || prog_type >= f->prog_cnt || func_id >= f->helper_cnt ||
	    !f->helpers_probed[prog_type] || (!f->full && noisy_helper(func_id)))
		return -ENOENT;
	return f->helpers[(size_t)prog_type * f->helper_cnt + func_id];
}

int bee_features__misc(const struct bee_features *f, enum bee_misc_feature m)
{
	if ((unsigned)m >= BEE_MISC__CNT)
		return -ENOENT;
	return f->misc[m];
}

/* ---- kernel configuration -------------------------------------------------- */

int bee_kernel_config(char **text, const char **source)
{
	static char boot[300];
	struct utsname u;
	size_t cap = 1 << 16, len = 0;
	char *buf = NULL, *nb;
	gzFile gz;
	int n, err;

	gz = gzopen("/proc/config.gz", "rb");
	if (gz) {
		for (;;) {
			if (!buf || len + 4096 > cap) {
				cap = buf ? cap * 2 : cap;
				nb = realloc(buf, cap);
				if (!nb) {
					free(buf);
					gzclose(gz);
					return -ENOMEM;
				}
				buf = nb;
			}
			n = gzread(gz, buf + len, cap - len - 1);
			if (n <= 0)
				break;
			len += n;
		}
		gzclose(gz);
		if (buf && len) {
			buf[len] = 0;
			*text = buf;
			if (source)
				*source = "/proc/config.gz";
			return 0;
		}
		free(buf);
	}
	if (uname(&u))
		return -errno;
	snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
	err = bee_read_file(boot, text, NULL);
	if (err)
		return -ENOENT;
	if (source)
		*source = boot;
	return 0;
}

const char *bee_kernel_config_get(const char *text, const char *name, char *buf, size_t n)
{
	size_t nl = strlen(name);

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);

		if (ll > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t vl = ll - nl - 1;

			/* strings lose their quotes, as bpftool shows them */
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
				v++, vl -= 2;
			snprintf(buf, n, "%.*s", (int)vl, v);
			return buf;
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* ---- facts bpftool does not report ------------------------------------------ */

static bool file_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static void fact_kprobes(struct bee_fact *f)
{
	const char *tfs = NULL;
	char *text = NULL;

	f->name = "kprobes";
	if (bee_read_file("/sys/bus/event_source/devices/kprobe/type", &text, NULL) == 0) {
		chomp(text);
		f->available = true;
		snprintf(f->detail, sizeof(f->detail), "kprobe PMU type %s", text);
		free(text);
		return;
	}
	if (file_exists("/sys/kernel/tracing/kprobe_events"))
		tfs = "/sys/kernel/tracing";
	else if (file_exists("/sys/kernel/debug/tracing/kprobe_events"))
		tfs = "/sys/kernel/debug/tracing";
	if (tfs) {
		f->available = true;
		snprintf(f->detail, sizeof(f->detail), "legacy %s/kprobe_events (no kprobe PMU)",
			 tfs);
		return;
	}
	snprintf(f->detail, sizeof(f->detail),
		 "no kprobe PMU (/sys/bus/event_source/devices/kprobe) and no kprobe_events in "
		 "tracefs: CONFIG_KPROBES is off; trace kernel functions through tracepoints "
		 "or tp_btf/ instead");
}

static void fact_uprobes(struct bee_fact *f)
{
	char *text = NULL;

	f->name = "uprobes";
	if (bee_read_file("/sys/bus/event_source/devices/uprobe/type", &text, NULL) == 0) {
		chomp(text);
		f->available = true;
		snprintf(f->detail, sizeof(f->detail), "uprobe PMU type %s", text);
		free(text);
		return;
	}
	snprintf(f->detail, sizeof(f->detail),
		 "no uprobe PMU (/sys/bus/event_source/devices/uprobe): CONFIG_UPROBE_EVENTS is off");
}

/* Loading is not enough: the trampoline is made when the link is. */
static void fact_trampoline(struct bee_fact *f)
{
	static const struct bpf_insn insns[] = {
		MOV64_IMM(BPF_REG_0, 0),
		EXIT_INSN(),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY);
	int fd, lfd;

	f->name = "bpf_trampoline";
	pthread_once(&pv_once, pv_load);
	if (pv.fentry_btf_id <= 0) {
		snprintf(f->detail, sizeof(f->detail),
			 "no do_nanosleep in kernel BTF to try fentry on");
		return;
	}
	o.attach_btf_id = pv.fentry_btf_id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bee_probe", "GPL", insns, 2, &o);
	if (fd < 0) {
		snprintf(f->detail, sizeof(f->detail),
			 "fentry/fexit/fmod_ret/lsm/freplace: loading fentry on do_nanosleep "
			 "fails: %s; use tracepoints or tp_btf/ instead",
			 strerror(errno));
		return;
	}
	lfd = bpf_link_create(fd, 0, BPF_TRACE_FENTRY, NULL);
	if (lfd < 0) {
		snprintf(f->detail, sizeof(f->detail),
			 "fentry on do_nanosleep loads but attaching fails: %s", strerror(errno));
	} else {
		f->available = true;
		snprintf(f->detail, sizeof(f->detail),
			 "fentry on do_nanosleep loaded and attached");
		close(lfd);
	}
	close(fd);
}

/* Asking for the tcx programs of lo changes nothing and fails with EINVAL
 * on a kernel that does not know the attach type. */
static void fact_tcx(struct bee_fact *f)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);
	int at = enum_val_or("BPF_TCX_INGRESS", -1);

	f->name = "tcx";
	if (at < 0) {
		snprintf(f->detail, sizeof(f->detail), "no BPF_TCX_INGRESS in kernel BTF");
		return;
	}
	if (bpf_prog_query_opts(1, at, &q)) {
		snprintf(f->detail, sizeof(f->detail), "querying tcx on lo fails: %s",
			 strerror(errno));
		return;
	}
	f->available = true;
	snprintf(f->detail, sizeof(f->detail), "tcx query on lo works (%u programs there)",
		 q.prog_cnt);
}

static void fact_ringbuf(struct bee_fact *f)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, getpagesize(), NULL);

	f->name = "ringbuf";
	if (fd < 0) {
		snprintf(f->detail, sizeof(f->detail), "creating a ring buffer fails: %s",
			 strerror(errno));
		return;
	}
	close(fd);
	f->available = true;
	snprintf(f->detail, sizeof(f->detail), "ring buffer map created");
}

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strcspn(p, " \n");

		if (l == n && !strncmp(p, word, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

/* The active LSMs: securityfs says it exactly; without securityfs mounted,
 * an lsm= boot parameter overrides the built-in CONFIG_LSM order. */
static void fact_lsm(struct bee_fact *f, const char *config)
{
	char *text = NULL, *cmd = NULL, val[512];
	const char *list = NULL, *src = NULL, *p;

	f->name = "bpf_lsm";
	if (bee_read_file("/sys/kernel/security/lsm", &text, NULL) == 0) {
		chomp(text);
		list = text, src = "/sys/kernel/security/lsm";
	} else if (bee_read_file("/proc/cmdline", &cmd, NULL) == 0 && (p = strstr(cmd, "lsm=")) &&
		   (p == cmd || p[-1] == ' ')) {
		snprintf(val, sizeof(val), "%.*s", (int)strcspn(p + 4, " \n"), p + 4);
		list = val, src = "lsm= on the kernel command line";
	} else if (config && bee_kernel_config_get(config, "CONFIG_LSM", val, sizeof(val))) {
		list = val, src = "CONFIG_LSM (securityfs not mounted, no lsm= boot parameter)";
	}
	if (!list) {
		snprintf(f->detail, sizeof(f->detail),
			 "cannot tell: securityfs not mounted, no lsm= and no kernel config");
	} else if (list_has(list, "bpf")) {
		f->available = true;
		snprintf(f->detail, sizeof(f->detail), "bpf is in the active LSM list (%s)", src);
	} else {
		snprintf(f->detail, sizeof(f->detail), "bpf is not in the active LSM list (%s)",
			 src);
	}
	free(text);
	free(cmd);
}

static void fact_jit(struct bee_fact *f)
{
	char *text = NULL;
	int v = -1;

	f->name = "jit";
	if (bee_read_file("/proc/sys/net/core/bpf_jit_enable", &text, NULL) == 0)
		v = atoi(text);
	free(text);
	f->available = v > 0;
	if (v < 0)
		snprintf(f->detail, sizeof(f->detail), "cannot read /proc/sys/net/core/bpf_jit_enable");
	else
		snprintf(f->detail, sizeof(f->detail), "net.core.bpf_jit_enable = %d", v);
}

int bee_probe_facts(struct bee_fact *facts, size_t cnt)
{
	char *config = NULL;
	size_t n = 0;

	bee_kernel_config(&config, NULL);
	memset(facts, 0, cnt * sizeof(*facts));
	if (n < cnt)
		fact_kprobes(&facts[n++]);
	if (n < cnt)
		fact_uprobes(&facts[n++]);
	if (n < cnt)
		fact_trampoline(&facts[n++]);
	if (n < cnt)
		fact_tcx(&facts[n++]);
	if (n < cnt)
		fact_ringbuf(&facts[n++]);
	if (n < cnt)
		fact_lsm(&facts[n++], config);
	if (n < cnt)
		fact_jit(&facts[n++]);
	free(config);
	return n;
}

/* ---- BTF C dump -------------------------------------------------------------- */

static void dump_printf(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

int bee_btf_dump_c_types(FILE *out, const struct btf *btf, const uint32_t *ids, size_t cnt)
{
	struct btf_dump *d;
	int err = 0, n, start;

	d = btf_dump__new(btf, dump_printf, out, NULL);
	if (!d)
		return neg_errno();
	fprintf(out, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
		     "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
		     "#pragma clang attribute push (__attribute__((preserve_access_index)), "
		     "apply_to = record)\n"
		     "#endif\n\n");
	if (ids) {
		for (size_t i = 0; i < cnt && !err; i++)
			err = btf_dump__dump_type(d, ids[i]);
	} else {
		/* Split BTF (a module): its own types; btf_dump pulls in the
		 * base types they use. */
		n = btf__type_cnt(btf);
		start = btf__base_btf(btf) ? btf__type_cnt(btf__base_btf(btf)) : 1;
		for (int id = start; id < n && !err; id++)
			err = btf_dump__dump_type(d, id);
	}
	fprintf(out, "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
		     "#endif /* __VMLINUX_H__ */\n");
	btf_dump__free(d);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}

int bee_btf_dump_c(FILE *out, const struct btf *btf)
{
	return bee_btf_dump_c_types(out, btf, NULL, 0);
}

/* ---- BTF raw dump (bpftool's "format raw") ------------------------------------ */

static const char *btf_str(const struct btf *btf, uint32_t off)
{
	const char *s;

	if (!off)
		return "(anon)";
	s = btf__name_by_offset(btf, off);
	return s ? s : "(invalid)";
}

static const char *const kind_str[] = {
	"UNKNOWN", "INT",     "PTR",      "ARRAY",      "STRUCT", "UNION",   "ENUM",
	"FWD",     "TYPEDEF", "VOLATILE", "CONST",      "RESTRICT", "FUNC", "FUNC_PROTO",
	"VAR",     "DATASEC", "FLOAT",    "DECL_TAG",   "TYPE_TAG", "ENUM64",
};

static void raw_type(FILE *out, const struct btf *btf, uint32_t id, const struct btf_type *t)
{
	unsigned kind = btf_kind(t), vlen = btf_vlen(t);

	fprintf(out, "[%u] %s '%s'", id, kind < ARRAY_SIZE(kind_str) ? kind_str[kind] : "UNKNOWN",
		btf_str(btf, t->name_off));
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t v = *(const uint32_t *)(t + 1);
		unsigned enc = BTF_INT_ENCODING(v);

		fprintf(out, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t->size,
			BTF_INT_OFFSET(v), BTF_INT_BITS(v),
			enc == 0		  ? "(none)" :
			enc == BTF_INT_SIGNED ? "SIGNED" :
			enc == BTF_INT_CHAR   ? "CHAR" :
			enc == BTF_INT_BOOL   ? "BOOL" :
						"UNKN");
		break;
	}
	case BTF_KIND_PTR:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_TYPE_TAG:
		fprintf(out, " type_id=%u", t->type);
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		fprintf(out, " type_id=%u index_type_id=%u nr_elems=%u", a->type, a->index_type,
			a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		fprintf(out, " size=%u vlen=%u", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++, m++) {
			unsigned off = btf_member_bit_offset(t, i);
			unsigned bsz = btf_member_bitfield_size(t, i);

			fprintf(out, "\n\t'%s' type_id=%u bits_offset=%u", btf_str(btf, m->name_off),
				m->type, off);
			if (bsz)
				fprintf(out, " bitfield_size=%u", bsz);
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_enum(t);

		fprintf(out, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size, vlen);
		for (unsigned i = 0; i < vlen; i++, e++) {
			if (btf_kflag(t))
				fprintf(out, "\n\t'%s' val=%d", btf_str(btf, e->name_off), e->val);
			else
				fprintf(out, "\n\t'%s' val=%u", btf_str(btf, e->name_off),
					(unsigned)e->val);
		}
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = btf_enum64(t);

		fprintf(out, " encoding=%s size=%u vlen=%u", btf_kflag(t) ? "SIGNED" : "UNSIGNED",
			t->size, vlen);
		for (unsigned i = 0; i < vlen; i++, e++) {
			uint64_t v = (uint64_t)e->val_hi32 << 32 | e->val_lo32;

			if (btf_kflag(t))
				fprintf(out, "\n\t'%s' val=%lldLL", btf_str(btf, e->name_off),
					(long long)v);
			else
				fprintf(out, "\n\t'%s' val=%lluULL", btf_str(btf, e->name_off),
					(unsigned long long)v);
		}
		break;
	}
	case BTF_KIND_FWD:
		fprintf(out, " fwd_kind=%s", btf_kflag(t) ? "union" : "struct");
		break;
	case BTF_KIND_FUNC:
		fprintf(out, " type_id=%u linkage=%s", t->type,
			vlen == BTF_FUNC_STATIC ? "static" :
			vlen == BTF_FUNC_GLOBAL ? "global" :
			vlen == BTF_FUNC_EXTERN ? "extern" :
						  "(unknown)");
		break;
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		fprintf(out, " ret_type_id=%u vlen=%u", t->type, vlen);
		for (unsigned i = 0; i < vlen; i++, p++)
			fprintf(out, "\n\t'%s' type_id=%u", btf_str(btf, p->name_off), p->type);
		break;
	}
	case BTF_KIND_VAR: {
		unsigned l = btf_var(t)->linkage;

		fprintf(out, " type_id=%u, linkage=%s", t->type,
			l == BTF_VAR_STATIC		? "static" :
			l == BTF_VAR_GLOBAL_ALLOCATED ? "global" :
			l == BTF_VAR_GLOBAL_EXTERN	? "extern" :
							  "(unknown)");
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);

		fprintf(out, " size=%u vlen=%u", t->size, vlen);
		for (unsigned i = 0; i < vlen; i++, v++) {
			const struct btf_type *vt = btf__type_by_id(btf, v->type);

			fprintf(out, "\n\ttype_id=%u offset=%u size=%u", v->type, v->offset, v->size);
			if (vt && btf_kind(vt) < ARRAY_SIZE(kind_str))
				fprintf(out, " (%s '%s')", kind_str[btf_kind(vt)],
					btf_str(btf, vt->name_off));
		}
		break;
	}
	case BTF_KIND_FLOAT:
		fprintf(out, " size=%u", t->size);
		break;
	case BTF_KIND_DECL_TAG:
		fprintf(out, " type_id=%u component_idx=%d", t->type, btf_decl_tag(t)->component_idx);
		break;
	default:
		break;
	}
	fputc('\n', out);
}

int bee_btf_dump_raw_type(FILE *out, const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || id == 0)
		return -ENOENT;
	raw_type(out, btf, id, t);
	return ferror(out) ? -EIO : 0;
}

int bee_btf_dump_raw(FILE *out, const struct btf *btf)
{
	int n = btf__type_cnt(btf);
	int start = btf__base_btf(btf) ? btf__type_cnt(btf__base_btf(btf)) : 1;

	for (int id = start; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return -EINVAL;
		raw_type(out, btf, id, t);
	}
	return ferror(out) ? -EIO : 0;
}
