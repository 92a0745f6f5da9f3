/*
 * The peer for bee's event benchmarks: a minimal hand-written libbpf loader
 * and ring-buffer consumer, as people write them without bee. Loads OBJ,
 * sets target_pid, attaches everything, writes "pid tid comm" per record to
 * OUT until SIGINT (or the first record with --first), prints the count.
 *   libbpf_consumer OBJ TARGET_PID OUT [--first]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

struct data_t {
	unsigned pid, tid;
	unsigned long long ts;
	char comm[16];
};

static volatile sig_atomic_t stop;
static FILE *out;
static long count;
static int first_only;

static void on_sig(int s)
{
	stop = 1;
}

static int on_rec(void *ctx, void *data, size_t size)
{
	const struct data_t *d = data;

	fprintf(out, "pid=%u tid=%u ts=%llu comm=\"%s\"\n", d->pid, d->tid, d->ts, d->comm);
	count++;
	if (first_only) {
		fflush(out);
		stop = 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	struct ring_buffer *rb;

	if (argc < 4)
		return 2;
	first_only = argc > 4 && !strcmp(argv[4], "--first");
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);
	out = strcmp(argv[3], "-") ? fopen(argv[3], "w") : stdout;
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj)
		return 1;
	bpf_object__for_each_map(m, obj) {
		size_t sz;
		if (strstr(bpf_map__name(m), ".rodata")) {
			unsigned *v = (unsigned *)bpf_map__initial_value(m, &sz);
			if (v && sz >= 4)
				*v = atoi(argv[2]); /* target_pid is the only rodata var */
		}
	}
	if (bpf_object__load(obj))
		return 1;
	bpf_object__for_each_program(p, obj)
		if (!bpf_program__attach(p))
			return 1;
	rb = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")), on_rec, NULL, NULL);
	if (!rb)
		return 1;
	fprintf(stderr, "attached\n");
	while (!stop)
		ring_buffer__poll(rb, 100);
	ring_buffer__consume(rb);
	fflush(out);
	fprintf(stderr, "received %ld\n", count);
	return 0;
}
