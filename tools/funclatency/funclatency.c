// SPDX-License-Identifier: GPL-2.0
/*
 * bee funclatency: a latency histogram of one function. BINARY:FUNC (a path,
 * a program on $PATH or a library name such as "c") is traced through a
 * uprobe + uretprobe; a bare FUNC is a kernel function, traced through
 * fentry/fexit where the kernel has BPF trampolines, else kprobes, else
 * refused with one line saying why.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../common/tool.h"
#include "internal.h"

enum mech { MECH_UPROBE, MECH_FENTRY, MECH_KPROBE };

static const char *const mech_progs[][2] = {
	[MECH_UPROBE] = { "uprobe_entry", "uprobe_return" },
	[MECH_FENTRY] = { "fentry_entry", "fexit_return" },
	[MECH_KPROBE] = { "kprobe_entry", "kprobe_return" },
};

struct funclatency {
	enum mech mech;
	char binary[4096];     /* user functions */
	const char *func;
	const char *spec;      /* as the user wrote it */
	pid_t pid;
	const struct tool_unit *unit;
	struct bee_obj *obj;
	struct tool_interval iv;
	unsigned long n;       /* interval being printed (0: the summary) */
};

static int usage(void)
{
	printf("Usage: bee funclatency [OPTIONS] BINARY:FUNC\n"
	       "       bee funclatency [OPTIONS] KERNEL_FUNC\n"
	       "\n"
	       "Time every call of a function from entry to return and print a log2\n"
	       "histogram at exit (Ctrl-C or --duration); its counts add up to the calls\n"
	       "that returned while tracing.\n"
	       "\n"
	       "  BINARY:FUNC   a user function: BINARY is a path, a program found through\n"
	       "                $PATH, or a library name (c, libc, libssl.so.3); FUNC a symbol,\n"
	       "                SYMBOL+0xOFF or 0xADDR. Traced with a uprobe and a uretprobe.\n"
	       "  KERNEL_FUNC   a kernel function, traced with fentry/fexit (BPF trampolines)\n"
	       "                or, where those do not work, kprobe/kretprobe.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -p, --pid PID       only process PID\n"
	       "  -u, --usecs         microseconds (default: nanoseconds)\n"
	       "  -m, --msecs         milliseconds\n"
	       "  -i, --interval S    print (and clear) the histogram every S seconds\n"
	       "  -c, --count N       stop after N intervals\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          {\"type\":\"histogram\",\"name\":\"funclatency\",\"function\":..,\n"
	       "                      \"probe\":..,\"unit\":..,\"count\":N,\"buckets\":[..]}\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n"
	       "\n"
	       "Examples: bee funclatency c:malloc -p 1234\n"
	       "          bee funclatency -u /usr/bin/bash:readline\n"
	       "          bee funclatency vfs_read\n");
	return EXIT_OK;
}

static int prepare(struct bee_obj *obj, void *ctx)
{
	struct funclatency *fl = ctx;
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, bee_obj__bpf_object(obj)) {
		const char *name = bpf_program__name(prog);
		bpf_program__set_autoload(prog, !strcmp(name, mech_progs[fl->mech][0]) ||
							!strcmp(name, mech_progs[fl->mech][1]));
	}
	if (fl->mech != MECH_FENTRY)
		return 0;
	for (int i = 0; i < 2; i++) {
		prog = bee_obj__prog(obj, mech_progs[MECH_FENTRY][i]);
		err = prog ? bpf_program__set_attach_target(prog, 0, fl->func) : -ENOENT;
		if (err) {
			pr_err("funclatency: cannot target kernel function '%s': %s", fl->func,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

static int attach(struct bee_obj *obj, void *ctx)
{
	struct funclatency *fl = ctx;

	for (int i = 0; i < 2; i++) {
		const char *prog = mech_progs[fl->mech][i];
		struct bee_link *l = NULL;

		switch (fl->mech) {
		case MECH_UPROBE:
			l = bee_obj__attach_uprobe(obj, prog, fl->binary, fl->func,
						   fl->pid ? fl->pid : -1, i == 1);
			break;
		case MECH_FENTRY:
			l = bee_obj__attach_trace(obj, prog);
			break;
		case MECH_KPROBE:
			l = bee_obj__attach_kprobe(obj, prog, fl->func, i == 1);
			break;
		}
		if (!l)
			return -errno;
	}
	fl->obj = obj;
	return tool_interval_start(&fl->iv);
}

static void hist_extra(struct bee_json *j, void *ctx)
{
	static const char *names[] = { "uprobe", "fentry", "kprobe" };
	const struct funclatency *fl = ctx;

	bee_json_kstr(j, "function", fl->spec);
	bee_json_kstr(j, "probe", names[fl->mech]);
	if (fl->n)
		bee_json_kuint(j, "interval", fl->n);
}

static void print_hist(void *ctx, FILE *out, unsigned long n)
{
	struct funclatency *fl = ctx;
	uint64_t slots[64];
	char title[300];

	tool_hist_read(fl->obj, "dist", slots, n > 0);
	fl->n = n;
	tool_interval_header(out, n);
	snprintf(title, sizeof(title), "Function = %s", fl->spec);
	tool_hist_emit(out, slots, 64, "funclatency", title, fl->unit->name, hist_extra, fl);
}

static int at_exit(struct bee_obj *obj, FILE *out, void *ctx)
{
	struct funclatency *fl = ctx;

	fl->obj = obj;
	tool_interval_finish(&fl->iv, out);
	return 0;
}

/* Which mechanism can trace kernel function @func here; 0 or EXIT_FAIL
 * after the one error line. */
static int pick_kernel_mech(struct funclatency *fl)
{
	const struct btf *btf = bee_kernel_btf();
	struct bee_fact facts[8];
	const struct bee_fact *tramp = NULL, *kp = NULL;
	struct bee_ksyms *ks;
	bool in_btf, in_kallsyms = false;
	uint64_t addr;
	int n;

	in_btf = btf && btf__find_by_name_kind(btf, fl->func, BTF_KIND_FUNC) > 0;
	ks = bee_ksyms__new();
	if (ks) {
		in_kallsyms = bee_ksyms__addr(ks, fl->func, &addr) == 0;
		bee_ksyms__free(ks);
	}
	if (!in_btf && !in_kallsyms)
		return cli_err("funclatency: no kernel function '%s' (not in kernel BTF or "
			       "/proc/kallsyms); for a user function write BINARY:%s",
			       fl->func, fl->func);
	n = bee_probe_facts(facts, 8);
	for (int i = 0; i < n; i++) {
		if (!strcmp(facts[i].name, "bpf_trampoline"))
			tramp = &facts[i];
		else if (!strcmp(facts[i].name, "kprobes"))
			kp = &facts[i];
	}
	if (tramp && tramp->available && in_btf) {
		fl->mech = MECH_FENTRY;
		return 0;
	}
	if (kp && kp->available && in_kallsyms) {
		fl->mech = MECH_KPROBE;
		return 0;
	}
	/* one line: why neither mechanism works, each in the kernel's words */
	char why_t[256], why_k[256];

	if (!in_btf)
		snprintf(why_t, sizeof(why_t), "it is not in kernel BTF, which fentry needs");
	else if (tramp && !tramp->available)
		snprintf(why_t, sizeof(why_t), "BPF trampolines do not work here (%.*s)",
			 (int)strcspn(tramp->detail, ";"), tramp->detail);
	else
		snprintf(why_t, sizeof(why_t), "BPF trampolines could not be probed");
	if (kp && kp->available)
		snprintf(why_k, sizeof(why_k), "it is not in /proc/kallsyms, which kprobes need");
	else
		snprintf(why_k, sizeof(why_k), "the kernel has no kprobes (CONFIG_KPROBES is off)");
	return cli_err("funclatency: cannot trace kernel function '%s': %s, and %s; time a "
		       "tracepoint pair or a user function (BINARY:FUNC) instead",
		       fl->func, why_t, why_k);
}

static int do_funclatency(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pid", required_argument, NULL, 'p' },   { "usecs", no_argument, NULL, 'u' },
		{ "msecs", no_argument, NULL, 'm' },       { "duration", required_argument, NULL, 'D' },
		{ "interval", required_argument, NULL, 'i' }, { "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },        { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },        {},
	};
	static struct funclatency fl;
	struct tool_cmd t = { .name = "funclatency", .usage = usage, .iv = &fl.iv };
	char func[512], bin[4096];
	uint64_t off;
	int err;
	const char *colon;
	int c, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	memset(&fl, 0, sizeof(fl));
	fl.unit = &tool_units[0];
	while ((c = getopt_long(argc, argv, ":p:umi:c:jqh", lopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			fl.unit = &tool_units[1];
			break;
		case 'm':
			fl.unit = &tool_units[2];
			break;
		default:
			code = tool_common_option(&t, c, argc, argv);
			if (code != TOOL_GO_ON)
				return code;
		}
	}
	if (optind >= argc)
		return cli_usage("funclatency: which function? (BINARY:FUNC or KERNEL_FUNC)");
	code = tool_check_interval(&t) ?: tool_no_more_args(&t, argc, argv, optind + 1);
	if (code)
		return code;
	fl.pid = t.pid;
	fl.iv.print = print_hist;
	fl.iv.ctx = &fl;
	fl.spec = argv[optind];
	/* the first colon: symbols may hold "::" (C++), binary paths hardly ever ":" */
	colon = strchr(fl.spec, ':');
	if (colon) {
		if (colon == fl.spec || !colon[1])
			return cli_usage("funclatency: '%s': want BINARY:FUNC", fl.spec);
		snprintf(func, sizeof(func), "%s", colon + 1);
		fl.func = func;
		snprintf(bin, sizeof(bin), "%.*s", (int)(colon - fl.spec), fl.spec);
		fl.mech = MECH_UPROBE;
		/* resolve here, so that a wrong name costs no load and the
		 * error names the tool and what the user wrote */
		err = bee_resolve_binary(bin, fl.pid, fl.binary, sizeof(fl.binary));
		if (err)
			return cli_err("funclatency: %s", cli_strerr(err));
		err = bee_resolve_uprobe(fl.binary, func, &off);
		if (err)
			return cli_err("funclatency: %s", cli_strerr(err));
		if (!strncmp(func, "0x", 2) || (func[0] >= '0' && func[0] <= '9'))
			/* an address as nm shows it: the uprobe takes the file offset */
			snprintf(func, sizeof(func), "0x%llx", (unsigned long long)off);
	} else {
		fl.func = fl.spec;
		code = pick_kernel_mech(&fl);
		if (code)
			return code;
	}
	tool_set(&t, "targ_pid=%d", (int)fl.pid);
	tool_set(&t, "unit_div=%llu", (unsigned long long)fl.unit->div);
	t.run.no_trace = true;
	t.run.prepare = prepare;
	t.run.attach = attach;
	t.run.at_exit = at_exit;
	t.run.tool_ctx = &fl;
	return tool_run(&t, fl.pid);
}

BEE_TOOL("funclatency", do_funclatency, "latency histogram of a user (uprobe) or kernel function");
