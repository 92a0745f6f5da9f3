// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One reader for ring buffers and perf buffers.
 *
 * Throughput comes from fewer wake-ups, not faster decoding: perf buffers
 * are opened with wakeup_events > 1 and bee.bpf.h's ring buffer macros wake
 * the reader only when the ring fills up, so bee_events__poll() waits with a
 * bounded timeout and then drains every buffer whether or not it was woken.
 * Lost records: the `__bee_lost__MAP` counter bee.bpf.h's macros keep in
 * .bss for both kinds; for perf buffers declared otherwise, the kernel's
 * PERF_RECORD_LOST counts.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

struct perf_src {
	struct perf_buffer *pb;
	struct bee_events *ev;
	bee_event_fn fn;
	void *ctx;
	const volatile uint64_t *lost; /* the program's own count, if it keeps one */
	uint64_t kernel_lost;          /* from PERF_RECORD_LOST */
};

struct ring_src {
	bee_event_fn fn;
	void *ctx;
	struct bee_events *ev;
	const volatile uint64_t *lost; /* in the object's mmaped .bss, or NULL */
};

struct bee_events {
	int epfd;
	struct ring_buffer *rb;
	struct perf_src **perf;
	size_t perf_cnt;
	struct ring_src **rings;
	size_t ring_cnt;
	uint64_t received;
	size_t perf_pages;
	unsigned wakeup;
	int stop_err; /* a callback's non-zero return stops the poll */
};

struct bee_events *bee_events__new(const struct bee_events_opts *opts)
{
	struct bee_events *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return errno = ENOMEM, NULL;
	ev->perf_pages = 64;
	ev->wakeup = 32;
	if (opts && opts->sz > offsetof(struct bee_events_opts, perf_pages) && opts->perf_pages)
		ev->perf_pages = opts->perf_pages;
	if (opts && opts->sz > offsetof(struct bee_events_opts, wakeup_events) && opts->wakeup_events)
		ev->wakeup = opts->wakeup_events;
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ev->epfd < 0) {
		int err = errno;
		free(ev);
		return errno = err, NULL;
	}
	return ev;
}

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct ring_src *s = ctx;

	s->ev->received++;
	return s->fn(s->ctx, -1, data, size);
}

static enum bpf_perf_event_ret perf_cb(void *ctx, int cpu, struct perf_event_header *hdr)
{
	struct perf_src *s = ctx;

	if (hdr->type == PERF_RECORD_SAMPLE) {
		struct {
			struct perf_event_header h;
			uint32_t size;
			char data[];
		} *r = (void *)hdr;
		s->ev->received++;
		if (s->fn(s->ctx, cpu, r->data, r->size)) {
			s->ev->stop_err = 1;
			return LIBBPF_PERF_EVENT_DONE;
		}
	} else if (hdr->type == PERF_RECORD_LOST) {
		struct {
			struct perf_event_header h;
			uint64_t id, lost;
		} *r = (void *)hdr;
		s->kernel_lost += r->lost;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

static int epoll_add(struct bee_events *ev, int fd)
{
	struct epoll_event e = { .events = EPOLLIN };

	return epoll_ctl(ev->epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

static int add_ring(struct bee_events *ev, int fd, const volatile uint64_t *lost, bee_event_fn fn,
		    void *ctx)
{
	struct ring_src *s = calloc(1, sizeof(*s)), **n;
	int err;

	if (!s)
		return -ENOMEM;
	s->fn = fn;
	s->ctx = ctx;
	s->ev = ev;
	s->lost = lost;
	n = realloc(ev->rings, (ev->ring_cnt + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return -ENOMEM;
	}
	ev->rings = n;
	ev->rings[ev->ring_cnt++] = s;
	if (!ev->rb) {
		ev->rb = ring_buffer__new(fd, ring_cb, s, NULL);
		if (!ev->rb)
			return neg_errno();
		err = epoll_add(ev, ring_buffer__epoll_fd(ev->rb));
	} else {
		err = ring_buffer__add(ev->rb, fd, ring_cb, s);
	}
	return err;
}

static int add_perf(struct bee_events *ev, int fd, const volatile uint64_t *lost, bee_event_fn fn,
		    void *ctx)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.wakeup_events = ev->wakeup,
		.size = sizeof(attr),
	};
	struct perf_src *s = calloc(1, sizeof(*s)), **n;

	if (!s)
		return -ENOMEM;
	s->ev = ev;
	s->fn = fn;
	s->ctx = ctx;
	s->lost = lost;
	n = realloc(ev->perf, (ev->perf_cnt + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return -ENOMEM;
	}
	ev->perf = n;
	ev->perf[ev->perf_cnt++] = s;
	s->pb = perf_buffer__new_raw(fd, ev->perf_pages, &attr, perf_cb, s, NULL);
	if (!s->pb)
		return neg_errno();
	return epoll_add(ev, perf_buffer__epoll_fd(s->pb));
}

int bee_events__add_fd(struct bee_events *ev, int map_fd, bee_event_fn fn, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(map_fd, &info, &len);
	if (err)
		return -errno;
	if (info.type == BPF_MAP_TYPE_RINGBUF)
		return add_ring(ev, map_fd, NULL, fn, ctx);
	if (info.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return add_perf(ev, map_fd, NULL, fn, ctx);
	pr_err("map '%s' is neither a ring buffer nor a perf event array", info.name);
	return -EINVAL;
}

/* The address of `__bee_lost__MAP` in the object's mmaped .bss, if any. */
static const volatile uint64_t *lost_counter(struct bee_obj *obj, const char *map_name)
{
	const struct btf *btf = bee_obj__btf(obj);
	struct bpf_object *bo = bee_obj__bpf_object(obj);
	char var[256];
	struct bpf_map *map;

	if (!btf)
		return NULL;
	snprintf(var, sizeof(var), "__bee_lost__%s", map_name);
	bpf_object__for_each_map(map, bo) {
		const char *n = bpf_map__name(map), *sec = strchr(n, '.');
		const struct btf_var_secinfo *vs;
		const struct btf_type *t;
		size_t sz;
		char *data;
		int id;

		if (!bpf_map__is_internal(map) || !sec)
			continue;
		id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
		if (id < 0)
			continue;
		t = btf__type_by_id(btf, id);
		vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);
			if (strcmp(btf__name_by_offset(btf, v->name_off), var))
				continue;
			data = (char *)bee_obj__global_data(obj, map, &sz);
			if (!data || vs->offset + 8 > sz)
				return NULL;
			return (const volatile uint64_t *)(data + vs->offset);
		}
	}
	return NULL;
}

int bee_events__add(struct bee_events *ev, struct bee_obj *obj, const char *map_name,
		    bee_event_fn fn, void *ctx)
{
	struct bpf_map *map = bee_obj__map(obj, map_name);
	int fd, err;

	if (!map) {
		pr_err("%s: no map '%s'", bee_obj__name(obj), map_name);
		return -ENOENT;
	}
	fd = bpf_map__fd(map);
	if (fd < 0) {
		pr_err("map '%s': not loaded", map_name);
		return -EINVAL;
	}
	switch (bpf_map__type(map)) {
	case BPF_MAP_TYPE_RINGBUF:
		err = add_ring(ev, fd, lost_counter(obj, map_name), fn, ctx);
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		err = add_perf(ev, fd, lost_counter(obj, map_name), fn, ctx);
		break;
	default:
		pr_err("map '%s' is neither a ring buffer nor a perf event array", map_name);
		return -EINVAL;
	}
	if (err)
		pr_err("map '%s': cannot read its events: %s", map_name, strerror(-err));
	return err;
}

int bee_events__consume(struct bee_events *ev)
{
	uint64_t before = ev->received;
	int err;

	ev->stop_err = 0;
	if (ev->rb) {
		err = ring_buffer__consume(ev->rb);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < ev->perf_cnt; i++) {
		err = perf_buffer__consume(ev->perf[i]->pb);
		if (err < 0)
			return err;
	}
	return (int)(ev->received - before);
}

int bee_events__poll(struct bee_events *ev, int timeout_ms)
{
	struct epoll_event e[16];
	int n;

	n = epoll_wait(ev->epfd, e, 16, timeout_ms);
	if (n < 0)
		return -errno;
	/* Drain everything: with batched wake-ups a buffer can hold records
	 * although it did not signal. */
	return bee_events__consume(ev);
}

int bee_events__fd(const struct bee_events *ev)
{
	return ev->epfd;
}

uint64_t bee_events__lost(const struct bee_events *ev)
{
	uint64_t lost = 0;

	for (size_t i = 0; i < ev->perf_cnt; i++)
		lost += ev->perf[i]->lost ? *ev->perf[i]->lost : ev->perf[i]->kernel_lost;
	for (size_t i = 0; i < ev->ring_cnt; i++)
		if (ev->rings[i]->lost)
			lost += *ev->rings[i]->lost;
	return lost;
}

uint64_t bee_events__received(const struct bee_events *ev)
{
	return ev->received;
}

void bee_events__free(struct bee_events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	for (size_t i = 0; i < ev->perf_cnt; i++) {
		perf_buffer__free(ev->perf[i]->pb);
		free(ev->perf[i]);
	}
	for (size_t i = 0; i < ev->ring_cnt; i++)
		free(ev->rings[i]);
	free(ev->perf);
	free(ev->rings);
	if (ev->epfd >= 0)
		close(ev->epfd);
	free(ev);
}
