/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the classic ready tools (execsnoop, opensnoop, bashreadline, syslat,
 * funclatency, tcpconnect, runqlat) share beyond the generic runner: the
 * options they all have, the way from their options to the run, the
 * intervals and the histograms they print. (cgfw and devguard share theirs
 * in cgtool.h.)
 */
#ifndef BEE_TOOL_COMMON_H
#define BEE_TOOL_COMMON_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../../cli/cli.h"
#include "json.h"

/* A ready tool's command line and the runner options it turns into. A tool
 * fills its own options into run and its --set strings through tool_set(),
 * and hands the rest to the functions below, so that every tool words the
 * common options, their errors and exit codes alike. */
#define TOOL_MAX_SETS 8
struct tool_cmd {
	const char *name;               /* "execsnoop": first word of every error */
	int (*usage)(void);             /* prints the help, returns EXIT_OK */
	struct tool_interval *iv;       /* -i and -c, for the histogram tools; or NULL */
	pid_t pid;                      /* -p: only this process (0: all) */
	struct run_opts run;
	/* private */
	const char *sets[TOOL_MAX_SETS];
	char set_text[TOOL_MAX_SETS][128];
};

/* What tool_parse_start() and tool_common_option() return when the parse
 * goes on; any other value is the exit code to return at once. */
enum { TOOL_GO_ON = -1 };

/* `bee TOOL help` prints the help as --help does; otherwise getopt_long is
 * set to start over on argv (options may follow operands) and to leave its
 * errors to tool_common_option(). */
int tool_parse_start(struct tool_cmd *t, int argc, char **argv);
/* The options every tool has, given as getopt_long returned them: 'p',
 * 'D' (--duration), 'j', 'q', 'h', and 'i', 'c' where t->iv is set; anything
 * else is an unknown option or a missing value. TOOL_GO_ON, or the exit code
 * after the help or the one error line. */
int tool_common_option(struct tool_cmd *t, int c, int argc, char **argv);
/* After the options: argv[@first] and on are one too many (error line,
 * EXIT_USAGE), else 0. */
int tool_no_more_args(const struct tool_cmd *t, int argc, char **argv, int first);
/* After the options of a tool with t->iv: -c without -i is an error line
 * and EXIT_USAGE, else 0. */
int tool_check_interval(const struct tool_cmd *t);
/* Add the --set string NAME=VALUE formatted from @fmt (at most
 * TOOL_MAX_SETS, each under 128 bytes; the tools stay well inside). */
void tool_set(struct tool_cmd *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Point t->run at the BPF object built into bee under t->name; 0, or the exit
 * code after the error line. tool_run() calls it when the tool has not. */
int tool_embedded(struct tool_cmd *t);
/* Watch process @watch_pid (0: none, see tool_watch_pid()) and run. Returns
 * cli_run()'s exit code. */
int tool_run(struct tool_cmd *t, pid_t watch_pid);

/* Parse a --duration / -p argument; on a bad value print the one error line
 * (naming @tool) and return -1 (usage: exit 2; a pid that does not exist:
 * exit 1 — *code says which). */
int tool_parse_duration(const char *tool, const char *arg, double *out, int *code);
int tool_parse_pid(const char *tool, const char *arg, pid_t *out, int *code);
/* Same for another option naming a process or thread (@opt: "--ppid", "--tid"). */
int tool_parse_id(const char *tool, const char *opt, const char *arg, pid_t *out, int *code);
/* A non-negative decimal integer that fits @max, else -1 after an error. */
int tool_parse_uint(const char *tool, const char *opt, const char *arg, unsigned long max,
		    unsigned long *out);
/* The one line for an unknown option or a missing argument (exit 2). */
int tool_bad_option(const char *tool, int argc, char **argv, int opt);

/* When process @pid exits, stop the run as Ctrl-C would (the events read
 * so far and the summary still print) after one line on stderr:
 * "bee: TOOL: process PID exited". Call before cli_run(). */
void tool_watch_pid(const char *tool, pid_t pid);

/* Histograms every few seconds (BCC's "interval count"): a thread calls
 * @print(ctx, out, n) every @secs seconds with the interval's number n
 * (1, 2, ...); @print reads the maps, prints and clears them. After @count
 * intervals (0: no limit) the run stops as Ctrl-C would. Start it from the
 * runner's attach hook (the maps exist then); tool_interval_stop(), from
 * at_exit, waits for a print in progress and returns how many intervals
 * were printed, so at_exit prints the rest of the last one only when
 * there is a rest. */
struct tool_interval {
	double secs;
	unsigned long count;
	void (*print)(void *ctx, FILE *out, unsigned long n);
	void *ctx;
	/* private */
	unsigned long done;
	bool started;
	volatile bool stop;
	pthread_t thread;
	pthread_mutex_t lock;
};
int tool_interval_start(struct tool_interval *iv);
unsigned long tool_interval_stop(struct tool_interval *iv);
/* For at_exit: stop the intervals and print what no interval has printed
 * yet: the whole run without -i (@print's n is 0), else the part of the last
 * interval that the end cut short, unless --count intervals were all printed. */
void tool_interval_finish(struct tool_interval *iv, FILE *out);
/* Parse an -i value (error line printed, -1 on a bad value). */
int tool_parse_interval(const char *tool, const char *arg, double *secs);
/* Text mode: the line that starts interval @n's output ("\nHH:MM:SS"). */
void tool_interval_header(FILE *out, unsigned long n);
/* Read the 64 slots of log2 histogram array @map of @obj into @slots, and
 * zero the map when @clear (for the next interval). 0 or -errno. */
int tool_hist_read(struct bee_obj *obj, const char *map, uint64_t *slots, bool clear);

/* The histograms of a hash map keyed by a u32 (a syscall, a thread), whose
 * values start with the 64 slots of a log2 histogram. */
struct tool_keyed_hist {
	uint32_t key;
	uint64_t total;        /* the sum of the slots */
	const void *value;     /* the map's value, of the size given to the read */
};
struct tool_keyed_hists {
	size_t cnt;
	struct tool_keyed_hist *ents;   /* busiest first; equal ones by key */
	void *values;                   /* private: where the values are held */
};
/* Read every entry of hash map @map of @obj into @h (values of @value_sz
 * bytes), and delete them from the map when @clear (for the next interval).
 * Without the map, or out of memory, @h holds what was read so far; a key
 * that went away during the walk is left out. Release @h with
 * tool_keyed_hists_free(). */
void tool_keyed_hists_read(struct bee_obj *obj, const char *map, size_t value_sz, bool clear,
			   struct tool_keyed_hists *h);
void tool_keyed_hists_free(struct tool_keyed_hists *h);

/* Start a JSON event line as the runner writes them:
 * {"type":"event","map":MAP,"data":{ ... then the caller's fields;
 * tool_json_event_end closes both objects and ends the line. */
void tool_json_event_begin(struct bee_json *j, FILE *out, const char *map);
void tool_json_event_end(struct bee_json *j);

/* Latency units: the BPF side divides by the unit before bee_log2l(). */
struct tool_unit {
	const char *name;    /* "nsecs", "usecs", "msecs" */
	uint64_t div;        /* 1, 1000, 1000000 */
};
extern const struct tool_unit tool_units[3];

/* Print the log2 histogram array map @map of @obj (BPF_HISTOGRAM) with
 * @unit as the value column, as BCC's print_log2_hist does, preceded by
 * "@title"; with -j one line {"type":"histogram","name":..,"unit":..,
 * "count":N,"buckets":[{"low":..,"high":..,"count":..},...]}. @total (may
 * be NULL) gets the sum of the counts. 0 or -errno. */
int tool_hist_print(struct bee_obj *obj, const char *map, const char *title, const char *unit,
		    FILE *out, uint64_t *total);
/* Same for a histogram held in memory (@n slots), with extra JSON fields
 * written by the caller through @extra(j, ctx) (may be NULL). */
void tool_hist_emit(FILE *out, const uint64_t *slots, size_t n, const char *name,
		    const char *title, const char *unit, void (*extra)(struct bee_json *j, void *ctx),
		    void *ctx);

#endif
