// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* trace_pipe: where bpf_trace_printk() output goes (the seed's trace_print). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

int bee_trace_pipe_open(void)
{
	const char *tfs = bee_tracefs();
	char path[256];
	int fd;

	if (!tfs)
		return -errno;
	snprintf(path, sizeof(path), "%s/trace_pipe", tfs);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;
		pr_err("cannot open %s: %s", path, strerror(errno));
		return err;
	}
	return fd;
}

int bee_trace_pipe_read(int fd, char *buf, size_t *len, bee_trace_line_fn fn, void *ctx)
{
	int lines = 0;

	for (;;) {
		ssize_t n = read(fd, buf + *len, BEE_TRACE_BUF_SZ - 1 - *len);
		char *start, *nl;

		if (n < 0) {
			if (errno == EAGAIN)
				return lines;
			if (errno == EINTR)
				return lines ? lines : -EINTR;
			return -errno;
		}
		if (n == 0)
			return lines;
		*len += n;
		buf[*len] = 0;
		start = buf;
		while ((nl = strchr(start, '\n'))) {
			*nl = 0;
			lines++;
			if (fn && fn(ctx, start)) {
				start = nl + 1;
				*len -= start - buf;
				memmove(buf, start, *len);
				return lines;
			}
			start = nl + 1;
		}
		*len -= start - buf;
		memmove(buf, start, *len);
		/* a line longer than the buffer: pass it on in pieces */
		if (*len == BEE_TRACE_BUF_SZ - 1) {
			buf[*len] = 0;
			if (fn)
				fn(ctx, buf);
			*len = 0;
		}
	}
}

struct print_ctx {
	FILE *out;
	bee_trace_line_fn fn;
	void *ctx;
	bool stop;
};

static int print_line(void *ctx, const char *line)
{
	struct print_ctx *p = ctx;

	fprintf(p->out, "%s\n", line);
	p->stop = p->fn && p->fn(p->ctx, line);
	return p->stop;
}

int bee_trace_print(FILE *out, bee_trace_line_fn fn, void *ctx)
{
	struct print_ctx p = { out, fn, ctx, false };
	char *buf = calloc(1, BEE_TRACE_BUF_SZ);
	size_t len = 0;
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = bee_trace_pipe_open();
	if (fd < 0) {
		free(buf);
		return fd;
	}
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		if (poll(&pf, 1, -1) < 0) {
			err = errno == EINTR ? 0 : -errno;
			break;
		}
		int n = bee_trace_pipe_read(fd, buf, &len, print_line, &p);
		fflush(out);
		if (n < 0) {
			err = n == -EINTR ? 0 : n;
			break;
		}
		if (p.stop)
			break;
	}
	close(fd);
	free(buf);
	return err;
}
