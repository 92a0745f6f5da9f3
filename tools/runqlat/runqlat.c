// SPDX-License-Identifier: GPL-2.0
/*
 * bee runqlat: run-queue (scheduler) latency histogram. The BTF-typed
 * tracepoints are tried first with a trial load; a kernel that cannot load
 * them gets the plain sched tracepoints (--tracepoints forces those).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../common/tool.h"
#include "internal.h"

struct runqlat {
	bool btf;               /* tp_btf programs, else plain tracepoints */
	const struct tool_unit *unit;
	pid_t pid;
	char why[512];          /* why tp_btf was not used ("" when not tried) */
	bool quiet;
	struct bee_obj *obj;
	struct tool_interval iv;
	unsigned long n;        /* interval being printed (0: none) */
	char per;               /* 'P' per process, 'L' per thread, 0 one histogram */
	/* the histogram being printed, in per mode */
	uint32_t key;
	char comm[17];
};

/* struct runqlat_hist of runqlat.bpf.c */
struct per_hist {
	uint64_t slots[64];
	char comm[16];
};

static int usage(void)
{
	printf("Usage: bee runqlat [OPTIONS]\n"
	       "\n"
	       "Run-queue latency: how long runnable tasks waited for a CPU (from wake-up,\n"
	       "creation or preemption to running), as a log2 histogram printed at exit\n"
	       "(Ctrl-C or --duration). Uses tp_btf/sched_wakeup, sched_wakeup_new and\n"
	       "sched_switch, or the plain sched tracepoints where tp_btf cannot load.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -p, --pid PID       only tasks of process PID (with plain tracepoints: the\n"
	       "                      thread whose id is PID, as they do not carry the process)\n"
	       "  -P, --pids          one histogram per process (plain tracepoints: per thread)\n"
	       "  -L, --tids          one histogram per thread\n"
	       "  -m, --msecs         milliseconds (default: microseconds)\n"
	       "  -N, --nsecs         nanoseconds\n"
	       "      --tracepoints   use the plain tracepoints even where tp_btf works\n"
	       "  -i, --interval S    print (and clear) the histogram every S seconds\n"
	       "  -c, --count N       stop after N intervals\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          {\"type\":\"histogram\",\"name\":\"runqlat\",\"probe\":\"tp_btf\"|\n"
	       "                      \"tracepoint\",\"unit\":..,\"count\":N,\"buckets\":[..]}\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n");
	return EXIT_OK;
}

static void select_progs(struct bee_obj *obj, bool btf)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, bee_obj__bpf_object(obj))
		bpf_program__set_autoload(prog, !strncmp(bpf_program__name(prog), "btf_", 4) == btf);
}

/* Can this kernel load the tp_btf programs? Loaded once and closed. */
static bool tp_btf_loads(const void *buf, size_t sz, char *why, size_t why_sz)
{
	BEE_OPTS(bee_obj_opts, opts, .name = "runqlat");
	struct bee_obj *obj = bee_obj__open_mem(buf, sz, "runqlat", &opts);
	int err;

	if (!obj) {
		snprintf(why, why_sz, "%s", cli_strerr(-errno));
		return false;
	}
	select_progs(obj, true);
	err = bee_obj__load(obj);
	if (err)
		snprintf(why, why_sz, "%s", cli_strerr(err));
	bee_obj__close(obj);
	return !err;
}

static int prepare(struct bee_obj *obj, void *ctx)
{
	struct runqlat *rq = ctx;

	select_progs(obj, rq->btf);
	return 0;
}

/* Say why tp_btf was not used once the fallback has loaded: when nothing
 * loads (no privilege), the one error line is enough. */
static int attach(struct bee_obj *obj, void *ctx)
{
	struct runqlat *rq = ctx;

	int err;

	if (rq->why[0] && !rq->quiet && !json_output)
		fprintf(stderr, "bee: runqlat: tp_btf does not load here (%s); using the sched "
				"tracepoints\n", rq->why);
	err = bee_obj__attach(obj);
	rq->obj = obj;
	return err ?: tool_interval_start(&rq->iv);
}

static void hist_extra(struct bee_json *j, void *ctx)
{
	const struct runqlat *rq = ctx;

	bee_json_kstr(j, "probe", rq->btf ? "tp_btf" : "tracepoint");
	if (rq->n)
		bee_json_kuint(j, "interval", rq->n);
	if (rq->per) {
		/* per process is per thread where the events lack the process */
		bee_json_kuint(j, rq->per == 'P' && rq->btf ? "pid" : "tid", rq->key);
		bee_json_kstr(j, "comm", rq->comm);
	}
}

/* One histogram per key of the hists map, busiest first; cleared when @clear. */
static void print_per(struct runqlat *rq, FILE *out, bool clear)
{
	struct tool_keyed_hists h;
	char title[64];

	tool_keyed_hists_read(rq->obj, "hists", sizeof(struct per_hist), clear, &h);
	for (size_t i = 0; i < h.cnt; i++) {
		const struct per_hist *ph = h.ents[i].value;

		rq->key = h.ents[i].key;
		snprintf(rq->comm, sizeof(rq->comm), "%.16s", ph->comm);
		snprintf(title, sizeof(title), "%s = %u %s", rq->per == 'P' && rq->btf ? "pid" : "tid",
			 rq->key, rq->comm);
		tool_hist_emit(out, ph->slots, 64, "runqlat", title, rq->unit->name, hist_extra, rq);
	}
	if (!h.cnt && !json_output)
		fprintf(out, "\n(no tasks seen)\n");
	tool_keyed_hists_free(&h);
}

static void print_hist(void *ctx, FILE *out, unsigned long n)
{
	struct runqlat *rq = ctx;
	uint64_t slots[64];

	rq->n = n;
	tool_interval_header(out, n);
	if (rq->per) {
		print_per(rq, out, n > 0);
		return;
	}
	tool_hist_read(rq->obj, "dist", slots, n > 0);
	tool_hist_emit(out, slots, 64, "runqlat", NULL, rq->unit->name, hist_extra, rq);
}

static int at_exit(struct bee_obj *obj, FILE *out, void *ctx)
{
	struct runqlat *rq = ctx;

	rq->obj = obj;
	tool_interval_finish(&rq->iv, out);
	return 0;
}

static int do_runqlat(int argc, char **argv)
{
	enum { O_TP = 256 };
	static const struct option lopts[] = {
		{ "pid", required_argument, NULL, 'p' },   { "msecs", no_argument, NULL, 'm' },
		{ "nsecs", no_argument, NULL, 'N' },       { "tracepoints", no_argument, NULL, O_TP },
		{ "pids", no_argument, NULL, 'P' },        { "tids", no_argument, NULL, 'L' },
		{ "duration", required_argument, NULL, 'D' },
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },        { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },        {},
	};
	static struct runqlat rq;
	struct tool_cmd t = { .name = "runqlat", .usage = usage, .iv = &rq.iv };
	bool force_tp = false;
	int c, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	memset(&rq, 0, sizeof(rq));
	rq.unit = &tool_units[1];
	while ((c = getopt_long(argc, argv, ":p:PLmNi:c:jqh", lopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			rq.unit = &tool_units[2];
			break;
		case 'P':
		case 'L':
			rq.per = c;
			break;
		case 'N':
			rq.unit = &tool_units[0];
			break;
		case O_TP:
			force_tp = true;
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
	rq.pid = t.pid;
	rq.iv.print = print_hist;
	rq.iv.ctx = &rq;
	/* the trial load of tp_btf needs the object before the run */
	code = tool_embedded(&t);
	if (code)
		return code;
	rq.btf = !force_tp && tp_btf_loads(t.run.obj_buf, t.run.obj_sz, rq.why, sizeof(rq.why));
	rq.quiet = t.run.quiet_header;
	tool_set(&t, "targ_pid=%d", (int)rq.pid);
	tool_set(&t, "unit_div=%llu", (unsigned long long)rq.unit->div);
	if (rq.per)
		tool_set(&t, "%s", rq.per == 'P' ? "per_process=true" : "per_thread=true");
	t.run.no_trace = true;
	t.run.prepare = prepare;
	t.run.attach = attach;
	t.run.at_exit = at_exit;
	t.run.tool_ctx = &rq;
	return tool_run(&t, rq.pid);
}

BEE_TOOL("runqlat", do_runqlat, "run-queue latency histogram from the sched tracepoints");
