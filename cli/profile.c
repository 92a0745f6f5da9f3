// SPDX-License-Identifier: GPL-2.0
/*
 * bee profile: a CPU profiler. A perf_event program samples every online
 * CPU at a fixed frequency (the cpu-clock software event) and counts
 * (pid, kernel stack, user stack, comm) in a kernel hash; at the end bee
 * reads that hash once, symbolises every distinct stack, and prints the top
 * stacks, folded stacks (--folded) and an SVG flame graph (--svg).
 *
 * User space sleeps in poll() while sampling, so the profiler itself costs
 * next to nothing until the end. With -p, the target's binaries are parsed
 * at the start, so a process that exits during the run is still named.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "internal.h"

/* Must match tools/profile/profile.bpf.c */
struct profile_key {
	uint32_t pid;
	int32_t kstack;
	int32_t ustack;
	char comm[16];
	uint64_t mm;
};
struct proc_id {
	uint32_t pid;
	uint32_t pad;
	uint64_t mm;
};
#define NO_STACK (-2)
/* key.ustack of a user stack unwound here (--dwarf): the frames are in
 * pstack.uips, not in the kernel's stack map */
#define DWARF_STACK_ID (-3)

/* Must match struct dwarf_sample in tools/profile/profile.bpf.c */
#define DWARF_STACK 8192
struct dwarf_sample {
	uint32_t pid;
	int32_t kstack;
	uint64_t mm;
	char comm[16];
	uint64_t regs[BEE_UW_NREGS];
	uint32_t len;
	uint32_t pad;
	uint8_t stack[DWARF_STACK];
};

struct pstack {
	struct profile_key key;
	uint64_t count;
	uint64_t *uips; /* --dwarf: the unwound user frames, innermost first */
	int un;
	uint64_t hash;
};

struct procsyms {
	pid_t pid;
	uint64_t mm;		/* the address space; 0 (with -p): any */
	struct bee_syms *syms; /* NULL: process gone */
};

struct profile {
	unsigned hz;
	pid_t pid;
	double duration;
	bool kernel_only, user_only;
	int lines; /* -1: default (with -p only), 0 off, 1 on */
	bool dwarf;
	struct bee_unwinder *uw;
	/* --dwarf: distinct (process, kernel stack, user frames), counted in
	 * an open-addressing table of pr.dw_cap slots (a power of two) */
	struct pstack *dw;
	size_t dw_cnt, dw_cap;
	const char *folded, *svg;
	FILE *folded_f, *svg_f; /* opened before sampling: a bad path fails fast */
	int top;
	/* results */
	struct pstack *stacks;
	size_t cnt;
	uint64_t samples, dropped;
	double elapsed;
	int cpus;
	struct bee_ksyms *ks;
	struct procsyms *procs;
	size_t proc_cnt, proc_cap;
	int stack_fd;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int profile_help(void)
{
	printf("Usage: bee profile [OPTIONS]\n"
	       "\n"
	       "Sample the stacks of every CPU at a fixed frequency (perf cpu-clock events),\n"
	       "count them in the kernel, and at the end print the most frequent stacks with\n"
	       "kernel and user frames symbolised. Stops after --duration, on Ctrl-C or\n"
	       "SIGTERM, or when the process given with -p exits.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -F, --frequency HZ  samples per second per CPU (default 49)\n"
	       "  -p, --pid PID       only this process (all its threads)\n"
	       "  -d, --duration S    stop after S seconds (default: until Ctrl-C)\n"
	       "  -K, --kernel-only   kernel stacks only\n"
	       "  -U, --user-only     user stacks only\n"
	       "  -n, --top N         print the N most frequent stacks (default 10, 0: all)\n"
	       "  --folded FILE       write folded stacks (\"comm;f1;f2 count\"), for flamegraph.pl\n"
	       "  --svg FILE          write a flame graph (SVG, open it in a browser)\n"
	       "  --lines, --no-lines source file:line of user frames from DWARF (default:\n"
	       "                      on with -p, off for every process)\n"
	       "  --dwarf             unwind user stacks through DWARF call-frame information\n"
	       "                      (.eh_frame) instead of frame pointers: callers of code\n"
	       "                      built without frame pointers are found; costs an 8 KiB\n"
	       "                      stack copy per sample and an unwind in user space\n"
	       "  -j, --json          the stacks as a JSON array\n"
	       "\n"
	       "Kernel frames carry a _[k] suffix in folded stacks and flame graphs. The idle\n"
	       "task is not sampled.\n"
	       "\n"
	       "Examples:\n"
	       "  bee profile -F 99 --duration 10 --svg cpu.svg\n"
	       "  bee profile -p $(pidof myapp) --duration 5 --folded out.folded\n");
	return EXIT_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The thread group of @pid (a thread id works too); 0 when it is gone. */
static pid_t tgid_of(pid_t pid)
{
	char path[64], *text = NULL, *p;
	pid_t tgid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (bee_read_file(path, &text, NULL))
		return 0;
	p = strstr(text, "\nTgid:");
	if (p)
		tgid = atoi(p + 6);
	free(text);
	return tgid;
}

static struct bee_syms *syms_for(struct profile *pr, pid_t pid, uint64_t mm)
{
	BEE_OPTS(bee_syms_opts, so, .lines = pr->lines > 0);
	struct procsyms *p;

	for (size_t i = 0; i < pr->proc_cnt; i++)
		if (pr->procs[i].pid == pid && (!pr->procs[i].mm || pr->procs[i].mm == mm))
			return pr->procs[i].syms;
	if (pr->proc_cnt == pr->proc_cap) {
		size_t cap = pr->proc_cap ? pr->proc_cap * 2 : 16;

		p = realloc(pr->procs, cap * sizeof(*p));
		if (!p)
			return NULL;
		pr->procs = p;
		pr->proc_cap = cap;
	}
	p = &pr->procs[pr->proc_cnt++];
	p->pid = pid;
	p->mm = mm;
	/* a process that exited has no maps left: its frames stay unknown */
	p->syms = bee_syms__new(pid, &so);
	return p->syms;
}

/* A process (or a pid after an exec) sampled for the first time: read its
 * maps and binaries now. Samples taken in the fork child before its exec
 * keep the parent's maps, those after it get the new program's. */
static int on_new_pid(void *ctx, void *data, size_t size)
{
	struct profile *pr = ctx;
	struct bee_syms *s;
	struct proc_id id;

	if (size < sizeof(id))
		return 0;
	memcpy(&id, data, sizeof(id));
	s = syms_for(pr, id.pid, id.mm);
	if (s)
		bee_syms__load(s);
	return 0;
}

static uint64_t dw_hash(const struct profile_key *k, const uint64_t *pcs, int n)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *b = (const void *)k;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	for (int i = 0; i < n; i++)
		h = (h ^ pcs[i]) * 1099511628211ULL;
	return h;
}

static int dw_grow(struct profile *pr)
{
	size_t cap = pr->dw_cap ? pr->dw_cap * 2 : 1024;
	struct pstack *t = calloc(cap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < pr->dw_cap; i++) {
		size_t j;

		if (!pr->dw[i].count)
			continue;
		for (j = pr->dw[i].hash & (cap - 1); t[j].count; j = (j + 1) & (cap - 1))
			;
		t[j] = pr->dw[i];
	}
	free(pr->dw);
	pr->dw = t;
	pr->dw_cap = cap;
	return 0;
}

/* A --dwarf sample: unwind it now, while the process and its maps are
 * there, and count the stack. */
static int on_dwarf(void *ctx, void *data, size_t size)
{
	struct profile *pr = ctx;
	const struct dwarf_sample *d = data;
	uint64_t pcs[BEE_STACK_MAX_DEPTH], h;
	struct profile_key key = {};
	struct bee_syms *s;
	struct pstack *e;
	size_t i;
	int n;

	if (size < sizeof(*d))
		return 0;
	key.pid = d->pid;
	key.mm = d->mm;
	key.kstack = d->kstack;
	key.ustack = DWARF_STACK_ID;
	memcpy(key.comm, d->comm, sizeof(key.comm));
	s = syms_for(pr, d->pid, d->mm);
	if (s)
		bee_syms__load(s);
	n = bee_unwinder__unwind(pr->uw, d->pid, d->mm, d->regs, d->stack,
				 d->len < DWARF_STACK ? d->len : DWARF_STACK, pcs, BEE_STACK_MAX_DEPTH);
	if (n < 1)
		return 0;
	if ((pr->dw_cnt + 1) * 10 > pr->dw_cap * 7 && dw_grow(pr))
		return 0;
	h = dw_hash(&key, pcs, n);
	for (i = h & (pr->dw_cap - 1);; i = (i + 1) & (pr->dw_cap - 1)) {
		e = &pr->dw[i];
		if (!e->count)
			break;
		if (e->hash == h && e->un == n && !memcmp(&e->key, &key, sizeof(key)) &&
		    !memcmp(e->uips, pcs, n * sizeof(*pcs))) {
			e->count++;
			return 0;
		}
	}
	e->uips = malloc(n * sizeof(*pcs));
	if (!e->uips)
		return 0;
	memcpy(e->uips, pcs, n * sizeof(*pcs));
	e->key = key;
	e->un = n;
	e->hash = h;
	e->count = 1;
	pr->dw_cnt++;
	return 0;
}

static int cmp_count(const void *a, const void *b)
{
	const struct pstack *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->key.pid < y->key.pid ? -1 : x->key.pid > y->key.pid;
}

static int push_stack(struct profile *pr, size_t *cap, const struct pstack *e)
{
	if (pr->cnt == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct pstack *s = realloc(pr->stacks, nc * sizeof(*s));

		if (!s)
			return -ENOMEM;
		pr->stacks = s;
		*cap = nc;
	}
	pr->stacks[pr->cnt++] = *e;
	return 0;
}

static int read_counts(struct profile *pr, int counts_fd)
{
	struct profile_key key, next;
	size_t cap = 0;
	bool first = true;

	while (!bpf_map_get_next_key(counts_fd, first ? NULL : &key, &next)) {
		uint64_t v;

		first = false;
		key = next;
		if (bpf_map_lookup_elem(counts_fd, &key, &v))
			continue;
		if (push_stack(pr, &cap, &(struct pstack){ .key = key, .count = v }))
			return -ENOMEM;
	}
	/* the stacks unwound here join them; their frames move with them */
	for (size_t i = 0; i < pr->dw_cap; i++) {
		if (!pr->dw[i].count)
			continue;
		if (push_stack(pr, &cap, &pr->dw[i]))
			return -ENOMEM;
		pr->dw[i].count = 0;
		pr->dw[i].uips = NULL;
	}
	if (pr->cnt)
		qsort(pr->stacks, pr->cnt, sizeof(*pr->stacks), cmp_count);
	return 0;
}

/* Frame names for folded stacks: no offsets (so that samples in one
 * function merge), unknown frames named by their module. */
static void fold_name(struct profile *pr, const struct profile_key *k, uint64_t ip, size_t i,
		      bool kernel, char *buf, size_t sz)
{
	struct bee_sym sym;
	const char *base;
	int err = -ENOENT;

	if (kernel) {
		err = bee_ksyms__find(pr->ks, i ? ip - 1 : ip, &sym);
	} else {
		struct bee_syms *s = syms_for(pr, k->pid, k->mm);

		if (s) {
			/* folded frames carry no lines: skip the DWARF work */
			bee_syms__set_lines(s, false);
			err = bee_syms__find(s, i ? ip - 1 : ip, &sym);
			bee_syms__set_lines(s, pr->lines > 0);
		} else
			memset(&sym, 0, sizeof(sym));
	}
	if (!err) {
		snprintf(buf, sz, "%s%s", sym.name, kernel ? "_[k]" : "");
		return;
	}
	base = sym.module ? strrchr(sym.module, '/') : NULL;
	base = base ? base + 1 : sym.module;
	if (base)
		snprintf(buf, sz, "[unknown] (%s)%s", base, kernel ? "_[k]" : "");
	else
		snprintf(buf, sz, "[unknown]%s", kernel ? "_[k]" : "");
}

/* A frame-pointer walk through code built without frame pointers (most of a
 * distribution's binaries) runs on into stack data: keep the user frames up
 * to the first address that lies in no code the process has mapped, which
 * cannot be a return address. The sampled frame itself always stays. */
static int user_depth(struct profile *pr, const struct profile_key *k, const uint64_t *ips, int n)
{
	struct bee_syms *s = syms_for(pr, k->pid, k->mm);
	struct bee_sym sym;
	int i;

	/* the process was gone before its maps could be read: every frame
	 * would print as a bare "[unknown]"; one says it all */
	if (!s)
		return n < 1 ? n : 1;
	bee_syms__set_lines(s, false);
	for (i = 1; i < n; i++)
		if (bee_syms__find(s, ips[i] - 1, &sym) && !sym.module)
			break;
	bee_syms__set_lines(s, pr->lines > 0);
	return i < n ? i : n;
}

/* Add one stack to the flame graph: comm, user frames outermost first,
 * then kernel frames. A stack bpf_get_stackid could not take is one frame
 * naming why, so that its samples still count. */
static int add_to_flame(struct profile *pr, struct bee_flame *f, const struct pstack *s)
{
	uint64_t kips[BEE_STACK_MAX_DEPTH], uips[BEE_STACK_MAX_DEPTH];
	char names[2 * BEE_STACK_MAX_DEPTH + 3][160];
	const char *frames[2 * BEE_STACK_MAX_DEPTH + 3];
	int kn = 0, un = 0, n = 0;

	snprintf(names[n++], sizeof(names[0]), "%.16s", s->key.comm);
	if (s->uips) {
		un = s->un < BEE_STACK_MAX_DEPTH ? s->un : BEE_STACK_MAX_DEPTH;
		memcpy(uips, s->uips, un * sizeof(*uips));
	} else if (s->key.ustack >= 0) {
		un = bee_stack_read(pr->stack_fd, s->key.ustack, uips, BEE_STACK_MAX_DEPTH);
		un = user_depth(pr, &s->key, uips, un);
	}
	if (s->key.kstack >= 0)
		kn = bee_stack_read(pr->stack_fd, s->key.kstack, kips, BEE_STACK_MAX_DEPTH);
	if (!s->uips && s->key.ustack < 0 && s->key.ustack != NO_STACK && s->key.ustack != -EFAULT)
		snprintf(names[n++], sizeof(names[0]), "[missing user stack]");
	for (int i = un - 1; i >= 0; i--)
		fold_name(pr, &s->key, uips[i], i, false, names[n++], sizeof(names[0]));
	if (s->key.kstack < 0 && s->key.kstack != NO_STACK && s->key.kstack != -EFAULT)
		snprintf(names[n++], sizeof(names[0]), "[missing kernel stack]_[k]");
	for (int i = kn - 1; i >= 0; i--)
		fold_name(pr, &s->key, kips[i], i, true, names[n++], sizeof(names[0]));
	for (int i = 0; i < n; i++) {
		/* ';' separates frames in folded lines */
		for (char *c = names[i]; *c; c++)
			if (*c == ';')
				*c = ':';
		frames[i] = names[i];
	}
	return bee_flame__add(f, frames, n, s->count);
}

static void print_frames(struct profile *pr, const struct pstack *s, bool kernel,
			 struct bee_json *j)
{
	uint64_t ips[BEE_STACK_MAX_DEPTH];
	int32_t id = kernel ? s->key.kstack : s->key.ustack;
	struct bee_syms *us = kernel ? NULL : syms_for(pr, s->key.pid, s->key.mm);
	char buf[1024];
	int n;

	if (!kernel && s->uips) {
		for (int i = 0; i < s->un; i++) {
			bee_stack_frame_snprint(s->uips[i], i, NULL, us,
						BEE_SYM_OFFSET | BEE_SYM_MODULE | BEE_SYM_LINE, buf,
						sizeof(buf));
			if (j)
				bee_json_string(j, buf);
			else
				printf("    %s\n", buf);
		}
		return;
	}
	if (id < 0) {
		if (id != NO_STACK && id != -EFAULT) {
			if (j)
				bee_json_string(j, "[missing stack]");
			else
				printf("    [missing %s stack: %s]\n", kernel ? "kernel" : "user",
				       bee_stack_strerror(id));
		}
		return;
	}
	n = bee_stack_read(pr->stack_fd, id, ips, BEE_STACK_MAX_DEPTH);
	if (!kernel)
		n = user_depth(pr, &s->key, ips, n);
	for (int i = 0; i < n; i++) {
		bee_stack_frame_snprint(ips[i], i, kernel ? pr->ks : NULL, us,
					BEE_SYM_OFFSET | BEE_SYM_MODULE | BEE_SYM_LINE, buf,
					sizeof(buf));
		if (j)
			bee_json_string(j, buf);
		else
			printf("    %s\n", buf);
	}
}

static void print_text(struct profile *pr)
{
	size_t n = pr->top && (size_t)pr->top < pr->cnt ? (size_t)pr->top : pr->cnt;

	printf("%llu samples at %u Hz on %d CPUs in %.1f s, %zu distinct stacks%s",
	       (unsigned long long)pr->samples, pr->hz, pr->cpus, pr->elapsed, pr->cnt,
	       n < pr->cnt ? "; the most frequent:" : ":");
	if (pr->dropped)
		printf(" (%llu samples dropped: stack table full)", (unsigned long long)pr->dropped);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		const struct pstack *s = &pr->stacks[i];

		printf("\n");
		if (!pr->user_only)
			print_frames(pr, s, true, NULL);
		if (!pr->user_only && !pr->kernel_only && s->key.kstack >= 0 &&
		    (s->key.ustack >= 0 || s->uips))
			printf("    --\n");
		if (!pr->kernel_only)
			print_frames(pr, s, false, NULL);
		printf("    -                %.16s (%u)\n", s->key.comm, s->key.pid);
		printf("        %llu\n", (unsigned long long)s->count);
	}
}

static void print_json(struct profile *pr)
{
	size_t n = pr->top > 0 && (size_t)pr->top < pr->cnt ? (size_t)pr->top : pr->cnt;
	struct bee_json j;

	cli_json_begin(&j);
	bee_json_arr_start(&j);
	for (size_t i = 0; i < n; i++) {
		const struct pstack *s = &pr->stacks[i];

		bee_json_obj_start(&j);
		bee_json_kuint(&j, "pid", s->key.pid);
		bee_json_key(&j, "comm");
		bee_json_stringn(&j, s->key.comm, sizeof(s->key.comm));
		bee_json_kuint(&j, "count", s->count);
		bee_json_key(&j, "kernel_stack");
		bee_json_arr_start(&j);
		if (!pr->user_only)
			print_frames(pr, s, true, &j);
		bee_json_arr_end(&j);
		bee_json_key(&j, "user_stack");
		bee_json_arr_start(&j);
		if (!pr->kernel_only)
			print_frames(pr, s, false, &j);
		bee_json_arr_end(&j);
		bee_json_obj_end(&j);
	}
	bee_json_arr_end(&j);
	bee_json_end(&j);
}

static int write_outputs(struct profile *pr)
{
	struct bee_flame *f;
	int err = 0;
	FILE *out;

	if (!pr->folded && !pr->svg)
		return 0;
	f = bee_flame__new();
	if (!f)
		return cli_err("profile: %s", strerror(errno));
	for (size_t i = 0; i < pr->cnt && !err; i++)
		err = add_to_flame(pr, f, &pr->stacks[i]);
	if (err) {
		err = cli_err("profile: building the flame graph: %s", strerror(-err));
		goto out;
	}
	if (pr->folded) {
		out = pr->folded_f;
		pr->folded_f = NULL;
		if (bee_flame__write_folded(f, out) | fclose(out)) {
			err = cli_err("profile: cannot write folded stacks to '%s': %s", pr->folded,
				      strerror(errno));
			goto out;
		}
	}
	if (pr->svg) {
		char sub[256];
		BEE_OPTS(bee_flame_opts, o, .title = "bee profile", .subtitle = sub);

		if (pr->pid)
			snprintf(sub, sizeof(sub), "pid %d, %llu samples at %u Hz, %.1f s", pr->pid,
				 (unsigned long long)pr->samples, pr->hz, pr->elapsed);
		else
			snprintf(sub, sizeof(sub), "all CPUs, %llu samples at %u Hz, %.1f s",
				 (unsigned long long)pr->samples, pr->hz, pr->elapsed);
		out = pr->svg_f;
		pr->svg_f = NULL;
		if (bee_flame__write_svg(f, out, &o) | fclose(out)) {
			err = cli_err("profile: cannot write the flame graph to '%s': %s", pr->svg,
				      strerror(errno));
			goto out;
		}
	}
out:
	bee_flame__free(f);
	return err;
}

static int parse_uint(const char *s, const char *what, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out > max)
		return cli_usage("profile: %s must be a number from 0 to %lu, got '%s'", what, max, s);
	return 0;
}

static int cmd_profile(int argc, char **argv)
{
	enum { O_FOLDED = 256, O_SVG, O_LINES, O_NOLINES, O_DWARF };
	static const struct option lopts[] = {
		{ "frequency", required_argument, NULL, 'F' },
		{ "freq", required_argument, NULL, 'F' },
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "kernel-only", no_argument, NULL, 'K' },
		{ "user-only", no_argument, NULL, 'U' },
		{ "top", required_argument, NULL, 'n' },
		{ "folded", required_argument, NULL, O_FOLDED },
		{ "svg", required_argument, NULL, O_SVG },
		{ "lines", no_argument, NULL, O_LINES },
		{ "no-lines", no_argument, NULL, O_NOLINES },
		{ "dwarf", no_argument, NULL, O_DWARF },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct profile pr = { .hz = 49, .top = 10, .lines = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	const void *buf;
	size_t buf_sz;
	struct bee_obj *obj = NULL;
	struct bpf_map *bss = NULL, *m;
	struct bee_syms *target_syms = NULL;
	struct ring_buffer *rb = NULL;
	unsigned long v, max_rate = 100000;
	char val[32], *end, *text;
	double start, deadline;
	int c, err = EXIT_FAIL, pidfd = -1, counts_fd;
	uint64_t stats[2] = {};

	if (argc > 1 && !strcmp(argv[1], "help"))
		return profile_help();
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:p:d:KUn:jh", lopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!bee_read_file("/proc/sys/kernel/perf_event_max_sample_rate", &text, NULL)) {
				max_rate = strtoul(text, NULL, 10);
				free(text);
			}
			if (parse_uint(optarg, "-F", max_rate, &v))
				return EXIT_USAGE;
			if (!v)
				return cli_usage("profile: -F must be at least 1 Hz");
			pr.hz = v;
			break;
		case 'p':
			if (parse_uint(optarg, "pid", INT32_MAX, &v))
				return EXIT_USAGE;
			if (!v)
				return cli_usage("profile: pid must be positive");
			pr.pid = v;
			break;
		case 'd':
			errno = 0;
			pr.duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || pr.duration <= 0)
				return cli_usage("profile: --duration must be a positive number of seconds, got '%s'",
						 optarg);
			break;
		case 'K':
			pr.kernel_only = true;
			break;
		case 'U':
			pr.user_only = true;
			break;
		case 'n':
			if (parse_uint(optarg, "--top", INT32_MAX, &v))
				return EXIT_USAGE;
			pr.top = v;
			break;
		case O_FOLDED:
			pr.folded = optarg;
			break;
		case O_SVG:
			pr.svg = optarg;
			break;
		case O_LINES:
		case O_NOLINES:
			pr.lines = c == O_LINES;
			break;
		case O_DWARF:
			pr.dwarf = true;
			break;
		case 'j':
			json_output = true;
			break;
		case 'h':
			return profile_help();
		case ':':
			return cli_usage("profile: option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage("profile: unknown option '%s' (see 'bee profile help')",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage("profile: unexpected argument '%s' (see 'bee profile help')",
				 argv[optind]);
	if (pr.kernel_only && pr.user_only)
		return cli_usage("profile: --kernel-only and --user-only exclude each other");
	if (pr.kernel_only && pr.dwarf)
		return cli_usage("profile: --dwarf unwinds user stacks; --kernel-only has none");
	/* DWARF of every binary on the system can cost more than the whole
	 * profile: lines by default only for one process */
	if (pr.lines < 0)
		pr.lines = pr.pid != 0;

	if (pr.folded && !(pr.folded_f = fopen(pr.folded, "we")))
		return cli_err("profile: cannot write folded stacks to '%s': %s", pr.folded,
			       strerror(errno));
	if (pr.svg && !(pr.svg_f = fopen(pr.svg, "we"))) {
		err = cli_err("profile: cannot write the flame graph to '%s': %s", pr.svg,
			      strerror(errno));
		goto out;
	}
	if (pr.pid) {
		pid_t t = tgid_of(pr.pid);

		if (!t) {
			err = cli_err("profile: no process with pid %d", pr.pid);
			goto out;
		}
		pr.pid = t;
		/* parse its binaries now: it may exit before we print */
		if (!pr.kernel_only) {
			BEE_OPTS(bee_syms_opts, so, .lines = pr.lines > 0);

			target_syms = bee_syms__new(pr.pid, &so);
			if (!target_syms) {
				err = cli_err("profile: pid %d: %s", pr.pid, cli_strerr(-errno));
				goto out;
			}
			bee_syms__load(target_syms);
			/* every address space of the pid (mm 0) is read from it */
			pr.procs = calloc(1, sizeof(*pr.procs));
			if (!pr.procs) {
				err = cli_err("profile: %s", strerror(ENOMEM));
				goto out;
			}
			pr.procs[0] = (struct procsyms){ pr.pid, 0, target_syms };
			pr.proc_cnt = pr.proc_cap = 1;
			target_syms = NULL;
		}
		pidfd = syscall(SYS_pidfd_open, pr.pid, 0);
	}
	if (pr.dwarf && !(pr.uw = bee_unwinder__new())) {
		err = cli_err("profile: %s", strerror(ENOMEM));
		goto out;
	}

	buf = cli_embedded("profile", &buf_sz);
	if (!buf) {
		err = cli_err("profile: this bee was built without its profile program");
		goto out;
	}
	obj = bee_obj__open_mem(buf, buf_sz, "profile", NULL);
	if (!obj) {
		err = cli_err("profile: %s", cli_strerr(-errno));
		goto out;
	}
	/* one sampling program: the one with the user registers and stack
	 * copy (which needs bpf_task_pt_regs, 5.15+) only with --dwarf */
	bpf_program__set_autoload(bpf_object__find_program_by_name(bee_obj__bpf_object(obj),
								   pr.dwarf ? "do_sample" : "do_sample_dwarf"),
				  false);
	snprintf(val, sizeof(val), "%d", pr.pid);
	if (bee_obj__set_var(obj, "target_pid", val) ||
	    bee_obj__set_var(obj, "kernel_only", pr.kernel_only ? "true" : "false") ||
	    bee_obj__set_var(obj, "user_only", pr.user_only ? "true" : "false") ||
	    bee_obj__load(obj)) {
		err = cli_err("profile: %s", cli_strerr(-errno));
		goto out;
	}
	bpf_object__for_each_map(m, bee_obj__bpf_object(obj)) {
		const char *n = bpf_map__name(m);

		if (strlen(n) >= 4 && !strcmp(n + strlen(n) - 4, ".bss"))
			bss = m;
	}
	counts_fd = bee_obj__map_fd(obj, "counts");
	pr.stack_fd = bee_obj__map_fd(obj, "stacks");
	if (!bss || counts_fd < 0 || pr.stack_fd < 0) {
		err = cli_err("profile: the profile program lacks its maps");
		goto out;
	}
	if (!pr.pid && !pr.kernel_only) {
		rb = ring_buffer__new(bee_obj__map_fd(obj, "new_pids"), on_new_pid, &pr, NULL);
		if (!rb) {
			err = cli_err("profile: cannot read the new_pids ring buffer: %s",
				      strerror(errno));
			goto out;
		}
	}
	if (pr.dwarf) {
		int fd = bee_obj__map_fd(obj, "dwarf_samples");

		if (rb ? ring_buffer__add(rb, fd, on_dwarf, &pr) :
			 !(rb = ring_buffer__new(fd, on_dwarf, &pr, NULL))) {
			err = cli_err("profile: cannot read the dwarf_samples ring buffer: %s",
				      strerror(errno));
			goto out;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pr.cpus = bee_obj__attach_perf_event(obj, pr.dwarf ? "do_sample_dwarf" : "do_sample", pr.hz,
					     -1);
	if (pr.cpus < 0) {
		err = cli_err("profile: cannot sample the CPUs: %s", cli_strerr(pr.cpus));
		goto out;
	}
	if (!json_output) {
		if (pr.pid)
			fprintf(stderr, "Sampling pid %d at %u Hz on %d CPUs", pr.pid, pr.hz, pr.cpus);
		else
			fprintf(stderr, "Sampling all processes at %u Hz on %d CPUs", pr.hz, pr.cpus);
		if (pr.duration)
			fprintf(stderr, " for %g s", pr.duration);
		fprintf(stderr, "... Ctrl-C to stop.\n");
	}

	start = now_s();
	deadline = pr.duration ? start + pr.duration : 0;
	while (!stop) {
		/* poll ignores the fds that are -1 */
		struct pollfd p[2] = { { .fd = rb ? ring_buffer__epoll_fd(rb) : -1, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		double left = deadline ? deadline - now_s() : 3600;
		int r;

		if (left <= 0)
			break;
		r = poll(p, 2, (int)(left * 1000) + 1);
		if (r > 0 && p[0].revents)
			ring_buffer__consume(rb);
		if (r > 0 && p[1].revents) {
			fprintf(stderr, "bee: profile: pid %d exited after %.1f s\n", pr.pid,
				now_s() - start);
			break;
		}
	}
	pr.elapsed = now_s() - start;
	/* stop sampling first, so that the counts and the totals agree */
	bee_obj__detach(obj);
	if (rb)
		ring_buffer__consume(rb);

	if (bpf_map_lookup_elem(bpf_map__fd(bss), &(uint32_t){ 0 }, stats)) {
		err = cli_err("profile: cannot read the sample count: %s", strerror(errno));
		goto out;
	}
	pr.samples = stats[0];
	pr.dropped = stats[1];
	if (read_counts(&pr, counts_fd)) {
		err = cli_err("profile: out of memory reading stacks");
		goto out;
	}
	if (!pr.user_only) {
		pr.ks = bee_ksyms__new();
		if (!pr.ks)
			fprintf(stderr, "bee: profile: kernel frames stay unnamed: %s\n",
				bee_last_error());
	}
	if (json_output)
		print_json(&pr);
	else
		print_text(&pr);
	err = write_outputs(&pr);

out:
	for (size_t i = 0; i < pr.proc_cnt; i++)
		bee_syms__free(pr.procs[i].syms);
	free(pr.procs);
	bee_syms__free(target_syms);
	bee_ksyms__free(pr.ks);
	for (size_t i = 0; i < pr.cnt; i++)
		free(pr.stacks[i].uips);
	free(pr.stacks);
	for (size_t i = 0; i < pr.dw_cap; i++)
		free(pr.dw[i].uips);
	free(pr.dw);
	bee_unwinder__free(pr.uw);
	ring_buffer__free(rb);
	bee_obj__close(obj);
	if (pidfd >= 0)
		close(pidfd);
	if (pr.folded_f)
		fclose(pr.folded_f);
	if (pr.svg_f)
		fclose(pr.svg_f);
	return err;
}

BEE_COMMAND("profile", cmd_profile, "sample stacks on every CPU: top stacks, folded, flame graph");
