// SPDX-License-Identifier: GPL-2.0
/*
 * bee execsnoop: trace exec() calls system-wide (BCC's execsnoop). The BPF
 * side (execsnoop.bpf.c) sends one variable-sized record per exec; this
 * file parses options into its const volatile filters and prints argv,
 * which the generic decoder could only show as one NUL-separated buffer.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "../common/tool.h"
#include "execsnoop.h"

struct execsnoop {
	const char *name;   /* -n: comm must contain this */
};

static int usage(void)
{
	printf("Usage: bee execsnoop [OPTIONS]\n"
	       "\n"
	       "Trace every exec (execve, execveat) system-wide: the process's pid, parent\n"
	       "pid, comm (the new one after a successful exec), the return value, and the\n"
	       "argument list (up to %d arguments of %d bytes; '...' when cut).\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -p, --pid PID       only execs made by process PID\n"
	       "  -P, --ppid PID      only execs made by children of PID (e.g. a shell)\n"
	       "  -u, --uid UID       only execs by user UID\n"
	       "  -x, --failed        only failed execs\n"
	       "  -n, --name TEXT     only processes whose comm contains TEXT\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          one JSON object per line:\n"
	       "                      {\"type\":\"event\",\"map\":\"events\",\"data\":{\"pid\":..,\n"
	       "                      \"ppid\":..,\"uid\":..,\"comm\":..,\"ret\":..,\"argv\":[..],\n"
	       "                      \"truncated\":..,\"argv_source\":\"entry\"|\"exec\"|..}}\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n"
	       "\n"
	       "Example: bee execsnoop -P $$    # what this shell runs\n",
	       EXECSNOOP_MAX_ARGS, EXECSNOOP_ARG_SZ - 1);
	return EXIT_OK;
}

/* Shell-style quoting for an argument that needs it, so that the line reads
 * back as the argv it was. */
static void put_arg(FILE *out, const char *s, size_t n)
{
	bool plain = n > 0;

	for (size_t i = 0; i < n && plain; i++)
		plain = !strchr(" \t\n'\"\\$`*?;&|<>()[]{}#~", s[i]) && (unsigned char)s[i] >= 0x20;
	if (plain) {
		fwrite(s, 1, n, out);
		return;
	}
	fputc('\'', out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			fputs("'\\''", out);
		else if ((unsigned char)s[i] < 0x20)
			fprintf(out, "\\x%02x", (unsigned char)s[i]);
		else
			fputc(s[i], out);
	}
	fputc('\'', out);
}

/* The arguments of a record, in either layout (execsnoop.h): their starts
 * and lengths; returns how many. */
static size_t split_args(const struct execsnoop_event *e, size_t args_sz, const char **av,
			 size_t *al)
{
	size_t n = 0;

	if (!e->late) {
		for (; n < e->argc && n < EXECSNOOP_MAX_ARGS &&
		       (n + 1) * EXECSNOOP_ARG_SZ <= args_sz; n++) {
			av[n] = e->args + n * EXECSNOOP_ARG_SZ;
			al[n] = strnlen(av[n], EXECSNOOP_ARG_SZ);
		}
		return n;
	}
	for (size_t off = 0; off < args_sz && n < EXECSNOOP_ARGS_SZ / 2; n++) {
		av[n] = e->args + off;
		al[n] = strnlen(av[n], args_sz - off);
		off += al[n] + 1;
	}
	return n;
}

static int print_event(void *ctx, const char *map, const void *data, size_t size, FILE *out)
{
	static const char *av[EXECSNOOP_ARGS_SZ / 2];
	static size_t al[EXECSNOOP_ARGS_SZ / 2];
	const struct execsnoop *es = ctx;
	struct execsnoop_event e = {};
	size_t hdr = offsetof(struct execsnoop_event, args), args_sz, n;
	char comm[17];

	if (size < hdr)
		return 0; /* not ours: let the runner show the bytes */
	memcpy(&e, data, size < sizeof(e) ? size : sizeof(e));
	args_sz = e.args_sz;
	if (args_sz > size - hdr)
		args_sz = size - hdr;
	memcpy(comm, e.comm, 16);
	comm[16] = 0;
	if (es->name && !strstr(comm, es->name))
		return 1;
	n = split_args(&e, args_sz, av, al);

	if (json_output) {
		struct bee_json j;

		tool_json_event_begin(&j, out, map);
		bee_json_kuint(&j, "pid", e.pid);
		bee_json_kuint(&j, "ppid", e.ppid);
		bee_json_kuint(&j, "uid", e.uid);
		bee_json_kstr(&j, "comm", comm);
		bee_json_kint(&j, "ret", e.ret);
		bee_json_key(&j, "argv");
		bee_json_arr_start(&j);
		for (size_t i = 0; i < n; i++)
			bee_json_stringn(&j, av[i], al[i]);
		bee_json_arr_end(&j);
		bee_json_kbool(&j, "truncated", e.truncated);
		/* where argv came from: the caller at entry, the new image after
		 * the exec (pages not present at entry), or nowhere */
		bee_json_kstr(&j, "argv_source", e.unread ? "unreadable" : e.late ? "exec" : "entry");
		tool_json_event_end(&j);
		return 1;
	}
	fprintf(out, "%-16s %-7u %-7u %4d ", comm, e.pid, e.ppid, e.ret);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(' ', out);
		put_arg(out, av[i], al[i]);
	}
	if (e.unread)
		fputs(n ? " [rest unreadable]" : "[argv unreadable]", out);
	fputs(e.truncated ? " ...\n" : "\n", out);
	/* each line as it happens, also into a pipe (the runner buffers) */
	fflush(out);
	return 1;
}

static int do_execsnoop(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pid", required_argument, NULL, 'p' },   { "ppid", required_argument, NULL, 'P' },
		{ "uid", required_argument, NULL, 'u' },   { "failed", no_argument, NULL, 'x' },
		{ "name", required_argument, NULL, 'n' },  { "duration", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },        { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },        {},
	};
	struct execsnoop es = {};
	struct tool_cmd t = { .name = "execsnoop", .usage = usage };
	bool failed = false, by_uid = false;
	unsigned long uid;
	pid_t ppid = 0;
	int c, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	while ((c = getopt_long(argc, argv, ":p:P:u:xn:jqh", lopts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (tool_parse_id("execsnoop", "--ppid", optarg, &ppid, &code))
				return code;
			break;
		case 'u':
			if (tool_parse_uint("execsnoop", "--uid", optarg, 0xfffffffe, &uid))
				return EXIT_USAGE;
			by_uid = true;
			break;
		case 'x':
			failed = true;
			break;
		case 'n':
			es.name = optarg;
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
	if (ppid)
		tool_set(&t, "targ_ppid=%d", (int)ppid);
	if (by_uid)
		tool_set(&t, "targ_uid=%lu", uid);
	if (failed)
		tool_set(&t, "failed_only=true");
	t.run.no_maps = true;
	t.run.no_trace = true;
	t.run.print_event = print_event;
	t.run.print_ctx = &es;
	t.run.header = "PCOMM            PID     PPID     RET ARGS";
	return tool_run(&t, t.pid ? t.pid : ppid);
}

BEE_TOOL("execsnoop", do_execsnoop, "trace exec() calls: pid, ppid, comm, argv, return value");
