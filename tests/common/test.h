/* Shared helpers for bee's cmocka tests (unit and kernel). */
#ifndef BEE_TEST_H
#define BEE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "bee/bee.h"

/* $BEE_BUILD (set by tests/run.sh) or "build". */
const char *t_build(void);
/* $BEE_ROOT or ".". */
const char *t_root(void);
/* Path under the build or source tree (static buffer, rotated 8 ways). */
const char *t_bpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *t_rpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command; its stdout (and stderr with 2>&1 in cmd) into *out
 * (malloc'ed, may be NULL). Returns the exit status (or 128+signal). */
int t_sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Skip the current test with a reason that the runner prints. */
#define t_skip(...)                                                                                \
	do {                                                                                       \
		printf("skip: %s: ", __func__);                                                    \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		fflush(stdout);                                                            \
		skip();                                                                            \
	} while (0)

/* Assertions that read as sentences. */
#define t_eq(what, want, got)                                                                      \
	do {                                                                                       \
		long long _w = (long long)(want), _g = (long long)(got);                           \
		if (_w != _g)                                                                      \
			fail_msg("%s: want %lld, got %lld", what, _w, _g);                         \
	} while (0)
#define t_streq(what, want, got)                                                                   \
	do {                                                                                       \
		const char *_w = (want), *_g = (got);                                              \
		if (!_g || strcmp(_w, _g))                                                         \
			fail_msg("%s: want \"%s\", got \"%s\"", what, _w, _g ? _g : "(null)");     \
	} while (0)
#define t_contains(what, hay, needle)                                                              \
	do {                                                                                       \
		const char *_h = (hay), *_n = (needle);                                            \
		if (!_h || !strstr(_h, _n))                                                        \
			fail_msg("%s: want text containing \"%s\", got \"%.2000s\"", what, _n,      \
				 _h ? _h : "(null)");                                              \
	} while (0)

/* Open fds of this process, to check a test leaves none behind. */
int t_fd_count(void);

/* The kernel's BPF program/link/map ids, as a sorted, comma-separated
 * string (malloc'ed), for before/after comparisons. */
char *t_kernel_ids(const char *kind /* "prog", "map", "link" */);

/* Has the kernel this program type / attach point? Loads a trivial
 * program to find out; on failure writes the reason to @why. */
bool t_kernel_has_kprobes(char *why, size_t n);
bool t_kernel_has_trampolines(char *why, size_t n);

#endif
