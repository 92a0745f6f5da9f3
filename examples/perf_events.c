// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The seed's Python flow, in C on libbee only:
 *
 *   b = BPF(src_file="perf_output.bpf.c")
 *   b["events"].open_perf_buffer(print_event)
 *   while 1: b.perf_buffer_poll()
 *
 * Usage: perf_events [SECONDS] [BPF_SOURCE]  (defaults: 5, perf_output.bpf.c
 * beside this program's source). Prints one line per getppid() call.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <bee/bee.h>

struct data_t {
	uint32_t pid;
	uint32_t tid;
	uint64_t ts;
	char comm[16];
};

static volatile sig_atomic_t stop;

static void on_sigint(int sig)
{
	stop = 1;
}

/* the seed's callback: func(cpu, data, size) */
static int print_event(void *ctx, int cpu, const void *data, size_t size)
{
	const struct data_t *d = data;

	if (size < sizeof(*d))
		return 0;
	printf("cpu=%d pid=%u tid=%u ts=%llu comm=%s\n", cpu, d->pid, d->tid,
	       (unsigned long long)d->ts, d->comm);
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5;
	const char *src = argc > 2 ? argv[2] : "examples/perf_output.bpf.c";
	struct bee_events *ev = NULL;
	struct bee_obj *obj;
	struct timespec t0, t;
	int err = 1;

	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);

	obj = bee_obj__open_file(src, NULL); /* BPF(src_file=...) */
	if (!obj || bee_obj__load(obj) || bee_obj__attach(obj)) {
		fprintf(stderr, "perf_events: %s\n", bee_last_error());
		goto out;
	}
	ev = bee_events__new(NULL);
	if (!ev || bee_events__add(ev, obj, "events", print_event, NULL)) { /* open_perf_buffer */
		fprintf(stderr, "perf_events: %s\n", bee_last_error());
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		int n = bee_events__poll(ev, 100); /* perf_buffer_poll() */
		if (n < 0 && n != -4 /* EINTR */)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
			break;
	}
	fprintf(stderr, "perf_events: %llu events, %llu lost\n",
		(unsigned long long)bee_events__received(ev), (unsigned long long)bee_events__lost(ev));
	err = 0;
out:
	bee_events__free(ev);
	bee_obj__close(obj);
	return err;
}
