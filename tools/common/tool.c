// SPDX-License-Identifier: GPL-2.0
/* Shared parts of the classic ready tools: the common options and the run,
 * option values, the watch on a -p process, interval printing, and the
 * latency histograms. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tool.h"

const struct tool_unit tool_units[3] = {
	{ "nsecs", 1 },
	{ "usecs", 1000 },
	{ "msecs", 1000000 },
};

int tool_parse_start(struct tool_cmd *t, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "help"))
		return t->usage();
	optind = 0; /* 0: glibc starts over (options may follow operands) */
	opterr = 0;
	return TOOL_GO_ON;
}

int tool_common_option(struct tool_cmd *t, int c, int argc, char **argv)
{
	struct tool_interval *iv = t->iv;
	int code = EXIT_USAGE;

	switch (c) {
	case 'p':
		if (tool_parse_pid(t->name, optarg, &t->pid, &code))
			return code;
		return TOOL_GO_ON;
	case 'D':
		if (tool_parse_duration(t->name, optarg, &t->run.duration, &code))
			return code;
		return TOOL_GO_ON;
	case 'j':
		json_output = true;
		return TOOL_GO_ON;
	case 'q':
		t->run.quiet_header = true;
		return TOOL_GO_ON;
	case 'h':
		return t->usage();
	case 'i':
		if (!iv)
			break;
		if (tool_parse_interval(t->name, optarg, &iv->secs))
			return EXIT_USAGE;
		return TOOL_GO_ON;
	case 'c':
		if (!iv)
			break;
		if (tool_parse_uint(t->name, "--count", optarg, 1000000000, &iv->count))
			return EXIT_USAGE;
		if (!iv->count)
			return cli_usage("%s: --count 0: want at least one interval", t->name);
		return TOOL_GO_ON;
	}
	return tool_bad_option(t->name, argc, argv, c);
}

int tool_no_more_args(const struct tool_cmd *t, int argc, char **argv, int first)
{
	if (first < argc)
		return cli_usage("%s: unexpected argument '%s'", t->name, argv[first]);
	return 0;
}

int tool_check_interval(const struct tool_cmd *t)
{
	if (t->iv->count && !t->iv->secs)
		return cli_usage("%s: --count needs --interval", t->name);
	return 0;
}

void tool_set(struct tool_cmd *t, const char *fmt, ...)
{
	char *text = t->set_text[t->run.set_cnt];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(t->set_text[0]), fmt, ap);
	va_end(ap);
	t->sets[t->run.set_cnt++] = text;
}

int tool_embedded(struct tool_cmd *t)
{
	t->run.obj_buf = cli_embedded(t->name, &t->run.obj_sz);
	if (!t->run.obj_buf)
		return cli_err("%s: the BPF object is not built into this bee", t->name);
	return 0;
}

int tool_run(struct tool_cmd *t, pid_t watch_pid)
{
	int code = t->run.obj_buf ? 0 : tool_embedded(t);

	if (code)
		return code;
	t->run.name = t->name;
	t->run.sets = t->sets;
	tool_watch_pid(t->name, watch_pid);
	return cli_run(&t->run);
}

int tool_parse_duration(const char *tool, const char *arg, double *out, int *code)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno || end == arg || *end || *out <= 0) {
		*code = cli_usage("%s: --duration %s: want a positive number of seconds", tool, arg);
		return -1;
	}
	return 0;
}

int tool_parse_id(const char *tool, const char *opt, const char *arg, pid_t *out, int *code)
{
	const char *what = strcmp(opt, "--tid") ? "process" : "thread";
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > 0x3fffffff) {
		*code = cli_usage("%s: %s %s: want a %s id", tool, opt, arg, what);
		return -1;
	}
	if (kill((pid_t)v, 0) && errno == ESRCH) {
		*code = cli_err("%s: %s %s: no such %s", tool, opt, arg, what);
		return -1;
	}
	*out = (pid_t)v;
	return 0;
}

int tool_parse_pid(const char *tool, const char *arg, pid_t *out, int *code)
{
	return tool_parse_id(tool, "--pid", arg, out, code);
}

int tool_parse_uint(const char *tool, const char *opt, const char *arg, unsigned long max,
		    unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *out > max) {
		cli_usage("%s: %s %s: want a number from 0 to %lu", tool, opt, arg, max);
		return -1;
	}
	return 0;
}

/* Stop the runner's loop as Ctrl-C would, from a thread. The runner stops
 * on SIGTERM once its handler is in place; until then the no-op handler
 * tool_watch_pid() installs takes it, so keep asking until the process
 * ends. */
static void stop_run(void)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	for (;;) {
		kill(getpid(), SIGTERM);
		nanosleep(&tick, NULL);
	}
}

struct pid_watch {
	const char *tool;
	pid_t pid;
};

static void ignore_signal(int sig)
{
}

static void *watch_thread(void *arg)
{
	struct pid_watch *w = arg;
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	int fd = syscall(SYS_pidfd_open, w->pid, 0);

	if (fd >= 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
		close(fd);
	} else {
		/* no pidfd (before 5.3): look every tick */
		while (!kill(w->pid, 0) || errno != ESRCH)
			nanosleep(&tick, NULL);
	}
	if (!json_output)
		fprintf(stderr, "bee: %s: process %d exited; stopping\n", w->tool, (int)w->pid);
	stop_run();
	return NULL;
}

void tool_watch_pid(const char *tool, pid_t pid)
{
	static struct pid_watch w;
	struct sigaction sa = { .sa_handler = ignore_signal };
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;

	if (pid <= 0)
		return;
	w.tool = tool;
	w.pid = pid;
	sigaction(SIGTERM, &sa, NULL);
	/* the thread must not take the signals meant for the main loop */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, watch_thread, &w))
		fprintf(stderr, "bee: %s: cannot watch process %d; stop with Ctrl-C\n", tool,
			(int)pid);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int tool_parse_interval(const char *tool, const char *arg, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(arg, &end);
	if (errno || end == arg || *end || *secs < 0.01 || *secs > 86400) {
		cli_usage("%s: --interval %s: want seconds (0.01 to 86400)", tool, arg);
		return -1;
	}
	return 0;
}

void tool_interval_header(FILE *out, unsigned long n)
{
	char ts[16];
	time_t now = time(NULL);

	if (json_output || !n)
		return;
	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	fprintf(out, "\n%s\n", ts);
}

int tool_hist_read(struct bee_obj *obj, const char *map, uint64_t *slots, bool clear)
{
	int fd = bee_obj__map_fd(obj, map);
	uint64_t zero = 0;

	memset(slots, 0, 64 * sizeof(*slots));
	if (fd < 0)
		return fd;
	for (uint32_t k = 0; k < 64; k++) {
		if (bpf_map_lookup_elem(fd, &k, &slots[k]))
			slots[k] = 0;
		/* what lands between the read and the clear goes uncounted, as
		 * in BCC's interval mode; without -i the summary at exit is exact */
		if (clear && slots[k])
			bpf_map_update_elem(fd, &k, &zero, BPF_ANY);
	}
	return 0;
}

static void *interval_thread(void *arg)
{
	struct tool_interval *iv = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!iv->stop) {
		long long ns = next.tv_nsec + (long long)(iv->secs * 1e9);

		next.tv_sec += ns / 1000000000;
		next.tv_nsec = ns % 1000000000;
		/* absolute deadlines: the printing does not make the intervals drift */
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		pthread_mutex_lock(&iv->lock);
		if (!iv->stop) {
			iv->print(iv->ctx, stdout, ++iv->done);
			fflush(stdout);
		}
		pthread_mutex_unlock(&iv->lock);
		if (iv->count && iv->done >= iv->count)
			stop_run();
	}
	return NULL;
}

int tool_interval_start(struct tool_interval *iv)
{
	sigset_t all, old;
	int err;

	if (iv->secs <= 0)
		return 0;
	pthread_mutex_init(&iv->lock, NULL);
	iv->done = 0;
	iv->stop = false;
	/* the thread must not take the signals meant for the main loop */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&iv->thread, NULL, interval_thread, iv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	iv->started = true;
	return 0;
}

unsigned long tool_interval_stop(struct tool_interval *iv)
{
	if (!iv->started)
		return 0;
	pthread_mutex_lock(&iv->lock);
	iv->stop = true;
	pthread_mutex_unlock(&iv->lock);
	/* it may sleep up to an interval, or loop in stop_run(): not joined;
	 * the flag keeps it from printing again and the process ends soon */
	iv->started = false;
	return iv->done;
}

void tool_interval_finish(struct tool_interval *iv, FILE *out)
{
	unsigned long done = tool_interval_stop(iv);

	if (!iv->secs)
		iv->print(iv->ctx, out, 0);
	else if (!iv->count || done < iv->count)
		iv->print(iv->ctx, out, done + 1);
}

int tool_bad_option(const char *tool, int argc, char **argv, int opt)
{
	extern int optind, optopt;
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (opt == ':')
		return cli_usage("%s: option '%s' needs a value", tool, word);
	/* getopt names an unknown short option in optopt, a long one not at all */
	if (optopt)
		return cli_usage("%s: unknown option '-%c'", tool, optopt);
	return cli_usage("%s: unknown option '%s'", tool, word);
}

void tool_json_event_begin(struct bee_json *j, FILE *out, const char *map)
{
	bee_json_init(j, out, false);
	bee_json_obj_start(j);
	bee_json_kstr(j, "type", "event");
	bee_json_kstr(j, "map", map);
	bee_json_key(j, "data");
	bee_json_obj_start(j);
}

void tool_json_event_end(struct bee_json *j)
{
	bee_json_obj_end(j);
	bee_json_obj_end(j);
	bee_json_end(j);
}

void tool_hist_emit(FILE *out, const uint64_t *slots, size_t n, const char *name,
		    const char *title, const char *unit, void (*extra)(struct bee_json *j, void *ctx),
		    void *ctx)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += slots[i];
	if (!json_output) {
		if (title)
			fprintf(out, "\n%s\n", title);
		bee_hist_print_log2(out, slots, n, unit);
		return;
	}
	struct bee_json j;

	bee_json_init(&j, out, pretty_output);
	bee_json_obj_start(&j);
	bee_json_kstr(&j, "type", "histogram");
	bee_json_kstr(&j, "name", name);
	if (extra)
		extra(&j, ctx);
	bee_json_kstr(&j, "unit", unit);
	bee_json_kuint(&j, "count", total);
	bee_json_key(&j, "buckets");
	bee_json_arr_start(&j);
	for (size_t i = 0; i < n; i++) {
		if (!slots[i])
			continue;
		bee_json_obj_start(&j);
		/* slot i holds [2^i, 2^(i+1)); slot 0 also holds 0 */
		bee_json_kuint(&j, "low", i ? 1ULL << i : 0);
		bee_json_kuint(&j, "high", i >= 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1);
		bee_json_kuint(&j, "count", slots[i]);
		bee_json_obj_end(&j);
	}
	bee_json_arr_end(&j);
	bee_json_obj_end(&j);
	bee_json_end(&j);
}

int tool_hist_print(struct bee_obj *obj, const char *map, const char *title, const char *unit,
		    FILE *out, uint64_t *total)
{
	int fd = bee_obj__map_fd(obj, map);
	uint64_t slots[64] = {};

	if (fd < 0)
		return fd;
	for (uint32_t k = 0; k < 64; k++)
		if (bpf_map_lookup_elem(fd, &k, &slots[k]))
			slots[k] = 0;
	tool_hist_emit(out, slots, 64, map, title, unit, NULL, NULL);
	if (total) {
		*total = 0;
		for (int i = 0; i < 64; i++)
			*total += slots[i];
	}
	return 0;
}

static int cmp_busiest(const void *a, const void *b)
{
	const struct tool_keyed_hist *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (x->key > y->key) - (x->key < y->key);
}

void tool_keyed_hists_read(struct bee_obj *obj, const char *map, size_t value_sz, bool clear,
			   struct tool_keyed_hists *h)
{
	int fd = bee_obj__map_fd(obj, map);
	size_t cap = 0;
	uint32_t key, next, *prev = NULL;

	memset(h, 0, sizeof(*h));
	while (fd >= 0 && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct tool_keyed_hist *e;
		uint64_t *slots;

		key = next;
		prev = &key;
		if (h->cnt == cap) {
			size_t want = cap ? cap * 2 : 64;
			void *ents = realloc(h->ents, want * sizeof(*h->ents));
			void *values = ents ? realloc(h->values, want * value_sz) : NULL;

			if (ents)
				h->ents = ents;
			if (!values)
				break;
			h->values = values;
			cap = want;
		}
		e = &h->ents[h->cnt];
		slots = (uint64_t *)((char *)h->values + h->cnt * value_sz);
		if (bpf_map_lookup_elem(fd, &key, slots))
			continue;
		e->key = key;
		e->total = 0;
		for (int i = 0; i < 64; i++)
			e->total += slots[i];
		h->cnt++;
	}
	/* cleared after the walk: deleting during get_next_key would restart it */
	for (size_t i = 0; clear && i < h->cnt; i++)
		bpf_map_delete_elem(fd, &h->ents[i].key);
	/* the values stay where they are; the entries point at them, then sort */
	for (size_t i = 0; i < h->cnt; i++)
		h->ents[i].value = (char *)h->values + i * value_sz;
	qsort(h->ents, h->cnt, sizeof(*h->ents), cmp_busiest);
}

void tool_keyed_hists_free(struct tool_keyed_hists *h)
{
	free(h->ents);
	free(h->values);
	memset(h, 0, sizeof(*h));
}
