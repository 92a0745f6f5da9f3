/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Declarations shared by libbee's files; not installed, not exported. */
#ifndef BEE_INTERNAL_H
#define BEE_INTERNAL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bee/bee.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Log a message; the text of the last error is kept for bee_last_error(). */
void bee_log(enum bee_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define pr_err(...) bee_log(BEE_LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) bee_log(BEE_LOG_WARN, __VA_ARGS__)
#define pr_info(...) bee_log(BEE_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) bee_log(BEE_LOG_DEBUG, __VA_ARGS__)
/* Route libbpf's messages through bee's logger (idempotent). */
void bee_libbpf_log_init(void);
/* Keep libbpf's last warning lines (verifier logs) for error messages. */
const char *bee_libbpf_last_log(void);
void bee_libbpf_log_reset(void);
void bee_libbpf_log_capture(int on);

/* Return -errno (never 0) from a libbpf pointer-returning call. */
static inline int neg_errno(void)
{
	return errno ? -errno : -EINVAL;
}

/* Read a whole file into a malloc'ed, NUL-terminated buffer. */
int bee_read_file(const char *path, char **buf, size_t *size);
int bee_write_file(const char *path, const void *buf, size_t size);
/* mkdir -p */
int bee_mkdirs(const char *path, unsigned mode);

/* 128-bit FNV-1a, for cache keys (not for security). */
struct bee_hash {
	uint64_t lo, hi;
};
void bee_hash_init(struct bee_hash *h);
void bee_hash_update(struct bee_hash *h, const void *data, size_t size);
void bee_hash_str(struct bee_hash *h, const char *s);
void bee_hash_hex(const struct bee_hash *h, char out[33]);

/* Compile @src to a cached object; *obj_path is malloc'ed. */
int bee_compile(const char *src, const struct bee_obj_opts *opts, char **obj_path);
/* Directory of bee's cache (malloc'ed). */
char *bee_cache_dir(const struct bee_obj_opts *opts);
/* Path of the cached vmlinux.h for the running kernel (malloc'ed), generated
 * on first use; also fills @btf_hash with the hash of kernel BTF. */
int bee_vmlinux_h_cached(const char *cache_dir, char **path, char btf_hash[33]);
/* A cheap identity of the running kernel build (release, version, BTF size)
 * for cache keys, as 32 hex digits. */
void bee_kernel_key(char out[33]);
/* Directory that holds bee's BPF-side headers (include/ with bee/bee.bpf.h). */
const char *bee_include_dir(void);

/* Print a JSON string with escapes for control characters. */
void bee_json_str(FILE *out, const char *s);
void bee_json_strn(FILE *out, const char *s, size_t n);

/* Strip trailing newlines. */
static inline void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}



/* Network and cgroup attachment for bee_obj__attach() (lib/attach_net.c):
 * attach @prog to the targets set on the object when its type needs one.
 * Returns 1 and *out when attached, 0 when @prog is not a network or cgroup
 * program, -errno (logged) on failure, -ENODEV when it needs a target that
 * was not given. */
struct bpf_program;
int bee_attach_net_prog(struct bpf_program *prog, const char *dev, const char *xdp_mode,
			const char *cgroup, struct bee_link **out);

/* The live contents of an object's .bss/.data map after load (read-only
 * view, valid until the object is closed); NULL when not mapped. */
const void *bee_obj__global_data(const struct bee_obj *obj, const struct bpf_map *map, size_t *sz);

/* DWARF unwinding of user stacks (lib/unwind.c): registers in the x86-64
 * DWARF numbering (0 rax, 1 rdx, 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp,
 * 8-15 r8-r15, 16 the instruction pointer) and a copy of the stack from
 * rsp up. bee_unwinder__unwind fills @pcs (innermost first) and returns how
 * many (at least 1: the instruction pointer), or -errno. */
#define BEE_UW_NREGS 17
#define BEE_UW_REG_SP 7
#define BEE_UW_REG_IP 16
struct bee_unwinder;
struct bee_unwinder *bee_unwinder__new(void);
void bee_unwinder__free(struct bee_unwinder *u);
int bee_unwinder__unwind(struct bee_unwinder *u, pid_t pid, uint64_t mm, const uint64_t *regs,
			 const void *stack, size_t len, uint64_t *pcs, int max);

/* Which processes hold fds of BPF programs, maps and links: the table behind
 * the "pids" line of prog/map/link show (lib/pids.c). */
enum bee_pids_kind { BEE_PIDS_PROG, BEE_PIDS_MAP, BEE_PIDS_LINK };
struct bee_pid_ref {
	uint32_t kind; /* enum bee_pids_kind */
	uint32_t id;   /* the object's id */
	uint32_t pid;  /* a process (thread group) holding an fd of it */
	char comm[16];
};
struct bee_pids;
/* Build the table once, from the task_file iterator in @iter_obj (the
 * compiled tools/pids/pids.bpf.c; NULL to go without) or, where that cannot
 * run, from /proc/PID/fd and fdinfo (BEE_PIDS=proc forces this, BEE_PIDS=iter
 * forbids it). The calling process is left out: its fds are the ones it
 * opened to ask. Returns NULL with errno set when neither source works; free
 * with bee_pids__free(). */
struct bee_pids *bee_pids__new(const void *iter_obj, size_t iter_sz);
/* The holders of object @id of @kind, ordered by pid: *cnt entries, valid
 * until the table is freed; NULL with *cnt 0 when none (or @t is NULL). */
const struct bee_pid_ref *bee_pids__find(const struct bee_pids *t, enum bee_pids_kind kind,
					 uint32_t id, size_t *cnt);
/* Is @id one of the iterator's own objects, which the kernel may still be
 * freeing while a listing walks past it? */
bool bee_pids__own(const struct bee_pids *t, enum bee_pids_kind kind, uint32_t id);
void bee_pids__free(struct bee_pids *t);

#endif
