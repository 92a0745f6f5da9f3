// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bee's logger; libbpf's output is routed through it one level quieter. */
#include <pthread.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "internal.h"

static enum bee_log_level log_level = BEE_LOG_WARN;
static bee_log_fn log_fn;
static void *log_ctx;
static __thread char last_error[1024];

/* The tail of libbpf's output (verifier logs come through here). */
#define LIBBPF_KEEP 65536
static __thread char *libbpf_buf;
static __thread size_t libbpf_len;
static __thread int libbpf_capture;

void bee_set_log(enum bee_log_level level, bee_log_fn fn, void *ctx)
{
	log_level = level;
	log_fn = fn;
	log_ctx = ctx;
	bee_libbpf_log_init();
}

const char *bee_last_error(void)
{
	return last_error;
}

static void emit(enum bee_log_level level, const char *msg)
{
	if (level > log_level)
		return;
	if (log_fn) {
		log_fn(level, msg, log_ctx);
		return;
	}
	fprintf(stderr, "bee: %s%s", msg, msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

void bee_log(enum bee_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == BEE_LOG_ERROR) {
		snprintf(last_error, sizeof(last_error), "%s", msg);
		chomp(last_error);
	}
	emit(level, msg);
}

static void keep_libbpf(const char *msg)
{
	size_t n = strlen(msg);

	if (!libbpf_buf) {
		libbpf_buf = malloc(LIBBPF_KEEP);
		if (!libbpf_buf)
			return;
		libbpf_len = 0;
	}
	if (n >= LIBBPF_KEEP)
		return;
	if (libbpf_len + n >= LIBBPF_KEEP) {
		/* keep the newer half */
		size_t drop = libbpf_len / 2;
		memmove(libbpf_buf, libbpf_buf + drop, libbpf_len - drop);
		libbpf_len -= drop;
	}
	memcpy(libbpf_buf + libbpf_len, msg, n);
	libbpf_len += n;
	libbpf_buf[libbpf_len] = 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[4096];
	enum bee_log_level l;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* libbpf prefixes its own messages; keep them bare, add it back below */
	if (!strncmp(msg, "libbpf: ", 8))
		memmove(msg, msg + 8, strlen(msg + 8) + 1);
	if (libbpf_capture && level <= LIBBPF_INFO)
		keep_libbpf(msg);
	/* one level quieter than bee's own messages: warnings are info */
	switch (level) {
	case LIBBPF_WARN:
		l = BEE_LOG_INFO;
		break;
	default:
		l = BEE_LOG_DEBUG;
		break;
	}
	if (l <= log_level) {
		if (log_fn)
			log_fn(l, msg, log_ctx);
		else
			fprintf(stderr, "libbpf: %s", msg);
	}
	return 0;
}

void bee_libbpf_log_init(void)
{
	libbpf_set_print(libbpf_print);
}

void bee_libbpf_log_capture(int on)
{
	libbpf_capture = on;
	if (on)
		bee_libbpf_log_reset();
}

void bee_libbpf_log_reset(void)
{
	libbpf_len = 0;
	if (libbpf_buf)
		libbpf_buf[0] = 0;
}

const char *bee_libbpf_last_log(void)
{
	return libbpf_buf ? libbpf_buf : "";
}

static __attribute__((destructor)) void log_fini(void)
{
	free(libbpf_buf);
	libbpf_buf = NULL;
}
