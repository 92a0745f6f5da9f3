// SPDX-License-Identifier: GPL-2.0
/*
 * bee opensnoop: trace open(), openat() and openat2() (BCC's opensnoop).
 * Filters go to the BPF side as const volatile globals; this file prints
 * flags by name and results as an fd or an errno name.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>

#include <bpf/libbpf.h>

#include "../common/tool.h"
#include "opensnoop.h"

static int usage(void)
{
	printf("Usage: bee opensnoop [OPTIONS]\n"
	       "\n"
	       "Trace open(), openat() and openat2() system-wide: pid, comm, the result (a file\n"
	       "descriptor, or -ERRNO), the flags and the path as the caller gave it.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -p, --pid PID       only process PID\n"
	       "  -t, --tid TID       only thread TID\n"
	       "  -u, --uid UID       only user UID\n"
	       "  -n, --name COMM     only processes whose comm is COMM (first 15 characters)\n"
	       "  -x, --failed        only failed opens\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          one JSON object per line:\n"
	       "                      {\"type\":\"event\",\"map\":\"events\",\"data\":{\"pid\":..,\n"
	       "                      \"tid\":..,\"uid\":..,\"comm\":..,\"ret\":..,\"error\":..,\n"
	       "                      \"flags\":..,\"flags_str\":..,\"mode\":..,\"syscall\":..,\n"
	       "                      \"path\":..}}\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n");
	return EXIT_OK;
}

/* The kernel's O_* values (asm-generic/fcntl.h, x86 and arm64 alike). */
static const struct {
	unsigned long bit;
	const char *name;
} open_flags[] = {
	{ 0100, "O_CREAT" },        { 0200, "O_EXCL" },        { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" },       { 02000, "O_APPEND" },     { 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" },      { 020000, "O_ASYNC" },     { 040000, "O_DIRECT" },
	{ 0100000, "O_LARGEFILE" }, { 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" },  { 02000000, "O_CLOEXEC" }, { 04000000, "__O_SYNC" },
	{ 010000000, "O_PATH" },    { 020000000, "__O_TMPFILE" },
};

static void flags_str(unsigned long flags, char *buf, size_t sz)
{
	static const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	size_t len = snprintf(buf, sz, "%s", acc[flags & 3]);

	flags &= ~3UL;
	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++) {
		if (!(flags & open_flags[i].bit))
			continue;
		len += snprintf(buf + len, len < sz ? sz - len : 0, "|%s", open_flags[i].name);
		flags &= ~open_flags[i].bit;
	}
	if (flags)
		snprintf(buf + len, len < sz ? sz - len : 0, "|0%lo", flags);
}

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

static int print_event(void *ctx, const char *map, const void *data, size_t size, FILE *out)
{
	static const char *calls[] = { "open", "openat", "openat2" };
	struct opensnoop_event e;
	char fl[256], comm[17], path[OPENSNOOP_PATH_SZ + 1];

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	memcpy(comm, e.comm, 16);
	comm[16] = 0;
	memcpy(path, e.path, OPENSNOOP_PATH_SZ);
	path[OPENSNOOP_PATH_SZ] = 0;
	flags_str(e.flags, fl, sizeof(fl));
	if (json_output) {
		struct bee_json j;

		tool_json_event_begin(&j, out, map);
		bee_json_kuint(&j, "pid", e.pid);
		bee_json_kuint(&j, "tid", e.tid);
		bee_json_kuint(&j, "uid", e.uid);
		bee_json_kstr(&j, "comm", comm);
		bee_json_kint(&j, "ret", e.ret);
		bee_json_key(&j, "error");
		if (e.ret < 0)
			bee_json_string(&j, errname(-e.ret));
		else
			bee_json_null(&j);
		bee_json_kuint(&j, "flags", e.flags);
		bee_json_kstr(&j, "flags_str", fl);
		bee_json_kuint(&j, "mode", e.mode);
		bee_json_kstr(&j, "syscall", e.syscall < 3 ? calls[e.syscall] : "?");
		bee_json_kstr(&j, "path", path);
		tool_json_event_end(&j);
		return 1;
	}
	char res[32];

	if (e.ret < 0)
		snprintf(res, sizeof(res), "-%s", errname(-e.ret));
	else
		snprintf(res, sizeof(res), "%d", e.ret);
	fprintf(out, "%-7u %-16s %-8s %-24s %s\n", e.pid, comm, res, fl, path);
	/* each line as it happens, also into a pipe (the runner buffers) */
	fflush(out);
	return 1;
}

/* open() exists on x86 but not on arm64; openat2() since 5.6. */
static int prepare(struct bee_obj *obj, void *ctx)
{
	static const char *const calls[][3] = {
		{ "open", "open_enter", "open_exit" },
		{ "openat2", "openat2_enter", "openat2_exit" },
	};
	const char *tfs = bee_tracefs();
	char path[512];

	for (size_t i = 0; tfs && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s", tfs, calls[i][0]);
		if (access(path, F_OK) == 0)
			continue;
		bpf_program__set_autoload(bee_obj__prog(obj, calls[i][1]), false);
		bpf_program__set_autoload(bee_obj__prog(obj, calls[i][2]), false);
	}
	return 0;
}

static int do_opensnoop(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pid", required_argument, NULL, 'p' },   { "tid", required_argument, NULL, 't' },
		{ "uid", required_argument, NULL, 'u' },   { "name", required_argument, NULL, 'n' },
		{ "failed", no_argument, NULL, 'x' },      { "duration", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },        { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },        {},
	};
	struct tool_cmd t = { .name = "opensnoop", .usage = usage };
	const char *comm = NULL;
	bool failed = false, by_uid = false;
	unsigned long uid;
	pid_t tid = 0;
	int c, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	while ((c = getopt_long(argc, argv, ":p:t:u:n:xjqh", lopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (tool_parse_id("opensnoop", "--tid", optarg, &tid, &code))
				return code;
			break;
		case 'u':
			if (tool_parse_uint("opensnoop", "--uid", optarg, 0xfffffffe, &uid))
				return EXIT_USAGE;
			by_uid = true;
			break;
		case 'n':
			if (!optarg[0] || strchr(optarg, '"'))
				return cli_usage("opensnoop: --name '%s': want a command name", optarg);
			comm = optarg;
			break;
		case 'x':
			failed = true;
			break;
		default:
			code = tool_common_option(&t, c, argc, argv);
			if (code != TOOL_GO_ON)
				return code;
		}
	}
	code = tool_no_more_args(&t, argc, argv, optind);
	if (code)
		return code;
	if (t.pid)
		tool_set(&t, "targ_pid=%d", (int)t.pid);
	if (tid)
		tool_set(&t, "targ_tid=%d", (int)tid);
	if (by_uid)
		tool_set(&t, "targ_uid=%lu", uid);
	/* the kernel keeps 15 characters of a comm */
	if (comm)
		tool_set(&t, "targ_comm=%.15s", comm);
	if (failed)
		tool_set(&t, "failed_only=true");
	tool_set(&t, "self_pid=%d", (int)getpid());
	t.run.no_maps = true;
	t.run.no_trace = true;
	t.run.prepare = prepare;
	t.run.print_event = print_event;
	t.run.header = "PID     COMM             RESULT   FLAGS                    PATH";
	return tool_run(&t, t.pid);
}

BEE_TOOL("opensnoop", do_opensnoop, "trace open/openat/openat2: pid, comm, path, flags, result");
