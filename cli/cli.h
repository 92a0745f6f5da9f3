/* SPDX-License-Identifier: GPL-2.0 */
/* The `bee` command: shared declarations for its per-object files. */
#ifndef BEE_CLI_H
#define BEE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bee/bee.h"
#include "json.h"

/* Exit codes */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

/* A top-level command (`bee prog ...`, `bee run ...`, `bee execsnoop`).
 * Each cli/ file registers its own with BEE_COMMAND; main.c finds them in
 * the "bee_cmds" section, so adding a command is adding a file. */
struct bee_cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command's name */
	const char *summary;
	bool tool; /* a ready tool rather than an object */
};

#define BEE_COMMAND(NAME, FN, SUMMARY)                                                             \
	static const struct bee_cmd __bee_cmd_##FN                                                 \
		__attribute__((used, section("bee_cmds"), aligned(8))) = { NAME, FN, SUMMARY, false }
#define BEE_TOOL(NAME, FN, SUMMARY)                                                                \
	static const struct bee_cmd __bee_cmd_##FN                                                 \
		__attribute__((used, section("bee_cmds"), aligned(8))) = { NAME, FN, SUMMARY, true }

/* Global options */
extern bool json_output;
extern bool pretty_output;
extern bool debug_output;

/* One error line, "bee: ..." (or {"error": "..."} with -j). Returns EXIT_FAIL. */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same with exit code 2, and a hint to see --help. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The error libbee logged last, or strerror(-err). */
const char *cli_strerr(int err);

/* A sub-command table, dispatched on unique prefixes ("bee prog sh" is show;
 * an ambiguous prefix is an error naming the candidates). */
struct cli_sub {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the sub-command */
};
int cli_dispatch(int argc, char **argv, const struct cli_sub *subs, int (*help)(void));
/* Match @word against NULL-terminated @words by unique prefix: the index,
 * -1 (no match) or -2 (ambiguous, error printed naming @what). */
int cli_match(const char *word, const char *const *words, const char *what);
/* Does @word (a user's possibly abbreviated keyword) match @kw? */
bool cli_is(const char *word, const char *kw);

/* A JSON writer on stdout with the global -p setting. */
void cli_json_begin(struct bee_json *j);

/* Embedded objects (tools compiled at build time): NULL when absent. */
const void *cli_embedded(const char *name, size_t *size);

/* The generic runner (bee run), also used by the ready tools. */
struct run_opts {
	const char *path;          /* .c or .o, or NULL with obj_buf */
	const void *obj_buf;       /* embedded object */
	size_t obj_sz;
	const char *name;
	const char **sets;         /* NAME=VALUE */
	int set_cnt;
	const char **events;       /* MAP=TYPE */
	int event_cnt;
	const char **cflags;
	int cflag_cnt;
	double duration;           /* seconds, 0 = until signal */
	unsigned freq;             /* perf_event sampling Hz */
	pid_t pid;
	const char *dev, *xdp_mode, *cgroup;
	const char *output;        /* file for events, NULL = stdout */
	bool no_maps;              /* don't print maps at exit */
	bool no_trace;             /* don't read trace_pipe */
	bool quiet_header;
	bool no_cache;
	bool full_log;
	long max_events;           /* stop after this many events (0 = no limit) */
	/* tool hooks: print one event yourself (return 1 if handled) */
	int (*print_event)(void *ctx, const char *map, const void *data, size_t size, FILE *out);
	void *print_ctx;
	const char *header;        /* printed before the first event (text mode) */
	/* after opening and --set, before loading: choose which programs load
	 * (bpf_program__set_autoload) or set their attach targets */
	int (*prepare)(struct bee_obj *obj, void *ctx);
	/* attach yourself instead of bee_obj__attach() (may call it too) */
	int (*attach)(struct bee_obj *obj, void *ctx);
	/* print your own summary at exit instead of the maps */
	int (*at_exit)(struct bee_obj *obj, FILE *out, void *ctx);
	void *tool_ctx;            /* passed to attach and at_exit */
};
int cli_run(const struct run_opts *o);
/* Parse the runner's common options (--duration, --set, -j, ...) from argv;
 * returns the index of the first unparsed argument or -1 (error printed). */
int cli_run_parse(int argc, char **argv, struct run_opts *o, bool want_file);

/* Which processes hold BPF objects (cli/pids.c). Print object @id's holders
 * as bpftool does: a "\tpids comm(pid), ..." line in text (@j NULL), a "pids"
 * array of {pid, comm} in JSON; nothing when no process holds it. The first
 * call builds the table for the whole command. */
void cli_pids_print(struct bee_json *j, int kind /* enum bee_pids_kind */, uint32_t id);
/* Is @id an object bee made to build that table, which the kernel may still
 * be freeing? A listing skips it. */
bool cli_pids_own(int kind, uint32_t id);

#endif
