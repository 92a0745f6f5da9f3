// SPDX-License-Identifier: GPL-2.0
/*
 * bee syslat: a latency histogram of system calls (all, or one chosen by
 * name or number), optionally of one process, optionally one histogram per
 * syscall. Names come from the C library's table for this architecture
 * (generated at build time, mk/tools.mk); the BPF side is syslat.bpf.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "../common/tool.h"

static const struct {
	const char *name;
	long nr;
} syscalls[] = {
#include "tools/syscall_latency/syscall_names.h"
};

struct syslat {
	const struct tool_unit *unit;
	long nr;         /* -1: all */
	bool per_syscall;
	struct bee_obj *obj;
	struct tool_interval iv;
};

static const char *syscall_name(long nr)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr)
			return syscalls[i].name;
	return NULL;
}

/* "getppid", "sys_getppid" or a number: the number, or -1. */
static long syscall_nr(const char *s)
{
	char *end;
	long nr;

	if (!strncmp(s, "sys_", 4))
		s += 4;
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (!strcmp(syscalls[i].name, s))
			return syscalls[i].nr;
	errno = 0;
	nr = strtol(s, &end, 10);
	if (errno || end == s || *end || nr < 0 || nr > 4096)
		return -1;
	return nr;
}

static int usage(void)
{
	printf("Usage: bee syslat [OPTIONS]\n"
	       "\n"
	       "Latency of system calls, from entry to return, as a log2 histogram printed\n"
	       "at exit (Ctrl-C or --duration). Every syscall of every process by default.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -s, --syscall NAME  only this syscall (a name such as read, or a number)\n"
	       "  -p, --pid PID       only process PID\n"
	       "  -P, --per-syscall   one histogram per syscall\n"
	       "  -N, --nsecs         nanoseconds (default: microseconds)\n"
	       "  -m, --msecs         milliseconds\n"
	       "  -i, --interval S    print (and clear) the histograms every S seconds\n"
	       "  -c, --count N       stop after N intervals\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          {\"type\":\"histogram\",\"name\":\"syslat\",\"syscall\":..,\n"
	       "                      \"nr\":..,\"unit\":..,\"count\":N,\"buckets\":[{\"low\":..,\n"
	       "                      \"high\":..,\"count\":..},..]} per histogram, one per line\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n"
	       "\n"
	       "Example: bee syslat -s fsync -p 1234 --duration 10\n");
	return EXIT_OK;
}

struct hist_tag {
	const char *name;
	long nr;
	unsigned long interval;
};

static void hist_extra(struct bee_json *j, void *ctx)
{
	const struct hist_tag *t = ctx;

	bee_json_key(j, "syscall");
	if (t->name)
		bee_json_string(j, t->name);
	else
		bee_json_null(j);
	bee_json_key(j, "nr");
	if (t->nr >= 0)
		bee_json_int(j, t->nr);
	else
		bee_json_null(j);
	if (t->interval)
		bee_json_kuint(j, "interval", t->interval);
}

/* One report: interval @n (0: the summary at exit); the maps are cleared
 * after an interval's report. */
static void print_report(void *ctx, FILE *out, unsigned long n)
{
	struct syslat *sl = ctx;
	struct hist_tag tag = { .nr = sl->nr, .interval = n };
	char title[128];

	tool_interval_header(out, n);
	if (!sl->per_syscall) {
		uint64_t slots[64];

		tool_hist_read(sl->obj, "dist", slots, n > 0);
		tag.name = sl->nr >= 0 ? syscall_name(sl->nr) : NULL;
		if (sl->nr >= 0)
			snprintf(title, sizeof(title), "syscall = %s", tag.name ? tag.name : "?");
		else
			snprintf(title, sizeof(title), "all syscalls");
		tool_hist_emit(out, slots, 64, "syslat", title, sl->unit->name, hist_extra, &tag);
		return;
	}

	struct tool_keyed_hists h;

	tool_keyed_hists_read(sl->obj, "per_nr", sizeof(uint64_t[64]), n > 0, &h);
	for (size_t i = 0; i < h.cnt; i++) {
		const struct tool_keyed_hist *e = &h.ents[i];

		tag.nr = e->key;
		tag.name = syscall_name(e->key);
		if (tag.name)
			snprintf(title, sizeof(title), "syscall = %s (%llu calls)", tag.name,
				 (unsigned long long)e->total);
		else
			snprintf(title, sizeof(title), "syscall = %u (%llu calls)", e->key,
				 (unsigned long long)e->total);
		tool_hist_emit(out, e->value, 64, "syslat", title, sl->unit->name, hist_extra, &tag);
	}
	if (!h.cnt && !json_output)
		fprintf(out, "\n(no syscalls seen)\n");
	tool_keyed_hists_free(&h);
}

static int attach(struct bee_obj *obj, void *ctx)
{
	struct syslat *sl = ctx;
	int err = bee_obj__attach(obj);

	sl->obj = obj;
	return err ?: tool_interval_start(&sl->iv);
}

static int at_exit(struct bee_obj *obj, FILE *out, void *ctx)
{
	struct syslat *sl = ctx;

	sl->obj = obj;
	tool_interval_finish(&sl->iv, out);
	return 0;
}

static int do_syslat(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "syscall", required_argument, NULL, 's' }, { "pid", required_argument, NULL, 'p' },
		{ "per-syscall", no_argument, NULL, 'P' },  { "nsecs", no_argument, NULL, 'N' },
		{ "msecs", no_argument, NULL, 'm' },        { "duration", required_argument, NULL, 'D' },
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },         { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },         {},
	};
	/* static: the interval thread may outlive this call by a moment */
	static struct syslat sl;
	struct tool_cmd t = { .name = "syslat", .usage = usage, .iv = &sl.iv };
	int c, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	memset(&sl, 0, sizeof(sl));
	sl.unit = &tool_units[1];
	sl.nr = -1;
	while ((c = getopt_long(argc, argv, ":s:p:PNmi:c:jqh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sl.nr = syscall_nr(optarg);
			if (sl.nr < 0)
				return cli_err("syslat: unknown syscall '%s' (want a name such as "
					       "'read' or a number)", optarg);
			break;
		case 'P':
			sl.per_syscall = true;
			break;
		case 'N':
			sl.unit = &tool_units[0];
			break;
		case 'm':
			sl.unit = &tool_units[2];
			break;
		default:
			code = tool_common_option(&t, c, argc, argv);
			if (code != TOOL_GO_ON)
				return code;
		}
	}
	code = tool_no_more_args(&t, argc, argv, optind) ?: tool_check_interval(&t);
	if (code)
		return code;
	sl.iv.print = print_report;
	sl.iv.ctx = &sl;
	tool_set(&t, "targ_nr=%ld", sl.nr);
	tool_set(&t, "targ_pid=%d", (int)t.pid);
	tool_set(&t, "unit_div=%llu", (unsigned long long)sl.unit->div);
	tool_set(&t, "per_syscall=%s", sl.per_syscall ? "true" : "false");
	tool_set(&t, "self_pid=%d", (int)getpid());
	t.run.no_trace = true;
	t.run.attach = attach;
	t.run.at_exit = at_exit;
	t.run.tool_ctx = &sl;
	return tool_run(&t, t.pid);
}

BEE_TOOL("syslat", do_syslat, "latency histogram of system calls (one, all, or per syscall)");
