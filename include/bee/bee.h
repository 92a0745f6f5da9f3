/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libbee: BCC's convenience on top of libbpf.
 *
 * Conventions (libbpf's): functions return 0 or a negative errno; functions
 * returning a pointer return NULL and set errno. Every destructor accepts
 * NULL. Options structs start with `size_t sz` and are filled with
 * BEE_OPTS(type, ...), so callers built against an older bee keep working.
 *
 * The seed's Python calls and their libbee equivalents:
 *   b = BPF(src_file="x.c")            bee_obj__open_file("x.c", NULL) + bee_obj__load()
 *   b.attach_kprobe(event, fn_name)     bee_obj__attach_kprobe(obj, fn_name, event, false)
 *   b.attach_uretprobe(name, sym, fn)   bee_obj__attach_uprobe(obj, fn, name, sym, -1, true)
 *   b.trace_print()                     bee_trace_print(stdout, NULL, NULL)
 *   b["events"].open_perf_buffer(cb)    bee_events__add(ev, obj, "events", cb, ctx)
 *   b.perf_buffer_poll()                bee_events__poll(ev, timeout_ms)
 *   b.load_func("f", BPF.XDP)           bee_obj__prog(obj, "f") after bee_obj__load()
 *   b.attach_xdp(dev, fn, flags)        bee_xdp__attach(prog_fd, ifname, mode)
 *   b.remove_xdp(dev)                   bee_link__destroy(link) or bee_xdp__detach()
 */
#ifndef BEE_BEE_H
#define BEE_BEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BEE_API __attribute__((visibility("default")))

#define BEE_OPTS(TYPE, NAME, ...)                                                                  \
	struct TYPE NAME = ({                                                                      \
		memset(&NAME, 0, sizeof(struct TYPE));                                             \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };                           \
	})

struct bpf_object;
struct bpf_program;
struct bpf_map;
struct bpf_link;
struct btf;

/* ---- logging ----------------------------------------------------------- */

enum bee_log_level {
	BEE_LOG_ERROR = 0,
	BEE_LOG_WARN,
	BEE_LOG_INFO,
	BEE_LOG_DEBUG,
};

typedef void (*bee_log_fn)(enum bee_log_level level, const char *msg, void *ctx);

/* Messages at or below @level reach @fn (NULL: stderr as "bee: msg").
 * libbpf's own output is routed here one level quieter. */
BEE_API void bee_set_log(enum bee_log_level level, bee_log_fn fn, void *ctx);
/* The last error message bee logged in this thread ("" if none). */
BEE_API const char *bee_last_error(void);

/* ---- environment -------------------------------------------------------- */

/* Mount tracefs / bpffs if they are not mounted yet; return the mount path
 * (static storage) or NULL with errno set. */
BEE_API const char *bee_tracefs(void);
BEE_API const char *bee_bpffs(void);
/* The cgroup v2 mount point from /proc/mounts (static storage) or NULL. */
BEE_API const char *bee_cgroup2_root(void);

/* The running kernel's BTF (/sys/kernel/btf/vmlinux), loaded once and kept
 * for the life of the process; do not free. NULL with errno on failure. */
BEE_API const struct btf *bee_kernel_btf(void);
/* Write vmlinux.h (C declarations of every kernel type) for @btf (NULL: the
 * kernel's) to @path. */
BEE_API int bee_vmlinux_h_write(const struct btf *btf, const char *path);

/* Names of kernel enum values, read from kernel BTF so that values newer
 * than bee's build are named: e.g. bee_enum_name("bpf_prog_type", 6,
 * "BPF_PROG_TYPE_") returns "xdp". Static storage; NULL when unknown. */
BEE_API const char *bee_enum_name(const char *enum_name, long long value, const char *strip_prefix);
/* The value of an enum constant by its full name (e.g. "BPF_TCX_INGRESS");
 * -ENOENT when the kernel does not have it. */
BEE_API int bee_enum_value(const char *const_name, long long *value);

/* ---- objects ------------------------------------------------------------ */

struct bee_obj;

struct bee_obj_opts {
	size_t sz;
	/* extra flags passed to clang (NULL-terminated), e.g. "-DFOO=1" */
	const char *const *cflags;
	/* cache directory for compiled objects; default $BEE_CACHE_DIR,
	 * $XDG_CACHE_HOME/bee or ~/.cache/bee */
	const char *cache_dir;
	/* compile even when a cached object exists */
	bool no_cache;
	/* name shown in messages (default: the file's basename) */
	const char *name;
	/* keep the verifier log of a failed load at level 2 */
	bool verifier_log_full;
};

/* Open a BPF C source (*.c: compiled with clang against bee's headers and a
 * vmlinux.h generated from kernel BTF, cached) or a compiled object (*.o).
 * Not loaded yet: set variables, then call bee_obj__load(). Returns NULL
 * with errno set and the reason logged. Free with bee_obj__close(). */
BEE_API struct bee_obj *bee_obj__open_file(const char *path, const struct bee_obj_opts *opts);
/* Open a compiled object held in memory; @buf must outlive the object. */
BEE_API struct bee_obj *bee_obj__open_mem(const void *buf, size_t size, const char *name,
					  const struct bee_obj_opts *opts);
/* Set a `const volatile` global before load: integers (decimal, 0x hex,
 * negative), booleans (true/false), strings, chars. -ENOENT for an unknown
 * variable, -EINVAL for a value that does not fit. */
BEE_API int bee_obj__set_var(struct bee_obj *obj, const char *name, const char *value);
/* Load every program and create every map. On a verifier rejection the
 * error names the program and the verifier's reason (and source line). */
BEE_API int bee_obj__load(struct bee_obj *obj);
/* Attach every program by its SEC() name. On failure nothing stays
 * attached. Programs whose section names no attach point (e.g. "xdp" with
 * no device given) are skipped and reported by bee_obj__unattached(). */
BEE_API int bee_obj__attach(struct bee_obj *obj);
/* Detach everything this object attached (also done by close). */
BEE_API void bee_obj__detach(struct bee_obj *obj);
BEE_API void bee_obj__close(struct bee_obj *obj);

BEE_API struct bpf_object *bee_obj__bpf_object(const struct bee_obj *obj);
BEE_API const char *bee_obj__name(const struct bee_obj *obj);
/* Program / map by name; NULL (errno ENOENT) when absent. */
BEE_API struct bpf_program *bee_obj__prog(const struct bee_obj *obj, const char *name);
BEE_API struct bpf_map *bee_obj__map(const struct bee_obj *obj, const char *name);
BEE_API int bee_obj__prog_fd(const struct bee_obj *obj, const char *name);
BEE_API int bee_obj__map_fd(const struct bee_obj *obj, const char *name);
/* The BTF of the object (types of its maps and events); owned by obj. */
BEE_API const struct btf *bee_obj__btf(const struct bee_obj *obj);
/* Number of attachments bee_obj__attach() made, and the i-th of them. */
BEE_API size_t bee_obj__link_cnt(const struct bee_obj *obj);
BEE_API struct bee_link *bee_obj__link(const struct bee_obj *obj, size_t i);
/* The verifier's log of the program that failed to load (NULL if none);
 * valid until the object is closed. */
BEE_API const char *bee_obj__verifier_log(const struct bee_obj *obj);
/* The compiled object file (the cache entry for a .c source). */
BEE_API const char *bee_obj__path(const struct bee_obj *obj);

/* ---- attachments ---------------------------------------------------------- */

/* An attachment bee made: a kernel bpf_link where the kernel allows it (so
 * the kernel undoes it when the last fd closes, even after kill -9), or a
 * legacy attachment (netlink tc filter, BPF_PROG_ATTACH) with its own undo. */
struct bee_link;

/* Wrap a libbpf link; the bee_link owns it from then on. */
BEE_API struct bee_link *bee_link__from_bpf(struct bpf_link *link, const char *desc);
/* Wrap the fd of a kernel link made with raw bpf_link_create(); the bee_link
 * owns the fd from then on. */
BEE_API struct bee_link *bee_link__from_fd(int fd, const char *desc);
/* A legacy attachment: @undo(@ctx) removes it; @free_ctx(@ctx) frees ctx. */
BEE_API struct bee_link *bee_link__new_legacy(int (*undo)(void *ctx), void *ctx,
					      void (*free_ctx)(void *ctx), const char *desc);
/* The kernel link fd, or -1 for a legacy attachment. */
BEE_API int bee_link__fd(const struct bee_link *link);
BEE_API struct bpf_link *bee_link__bpf(const struct bee_link *link);
/* What it is attached to, e.g. "tracepoint/syscalls/sys_enter_getppid". */
BEE_API const char *bee_link__desc(const struct bee_link *link);
/* Pin a kernel link in bpffs so it outlives the process. */
BEE_API int bee_link__pin(struct bee_link *link, const char *path);
/* Forget the attachment without undoing it (it stays attached while pinned,
 * or for legacy attachments, until removed explicitly). Frees @link. */
BEE_API void bee_link__disconnect(struct bee_link *link);
/* Undo the attachment and free @link. Accepts NULL. */
BEE_API int bee_link__destroy(struct bee_link *link);

/* Explicit attach. The link is owned by the object and undone when it is
 * closed, unless the caller takes it with bee_obj__detach_link() first. */
BEE_API struct bee_link *bee_obj__attach_tracepoint(struct bee_obj *obj, const char *prog,
						    const char *category, const char *name);
BEE_API struct bee_link *bee_obj__attach_raw_tracepoint(struct bee_obj *obj, const char *prog,
							const char *name);
/* kprobe/kretprobe on kernel function @func. On a kernel without kprobes
 * the error says so and names what works there. */
BEE_API struct bee_link *bee_obj__attach_kprobe(struct bee_obj *obj, const char *prog,
						const char *func, bool retprobe);
/* fentry/fexit: attach a tracing program (its target comes from its
 * section, or @func when not NULL). */
BEE_API struct bee_link *bee_obj__attach_trace(struct bee_obj *obj, const char *prog);
/* uprobe/uretprobe on @binary (path, or a library name like "c" or "libc"
 * resolved as the dynamic linker would) at @sym ("name" or "name+0x10" or
 * "0xADDR"); @pid -1 for every process. */
BEE_API struct bee_link *bee_obj__attach_uprobe(struct bee_obj *obj, const char *prog,
						const char *binary, const char *sym, pid_t pid,
						bool retprobe);
/* perf_event program on every online CPU, sampling at @freq_hz (cpu-clock
 * software event); @pid -1 for all. Returns the number of CPUs or -errno. */
BEE_API int bee_obj__attach_perf_event(struct bee_obj *obj, const char *prog, unsigned freq_hz,
				       pid_t pid);
/* Stop tracking @link (the caller now owns it). */
BEE_API void bee_obj__detach_link(struct bee_obj *obj, struct bee_link *link);

/* Default frequency used by bee_obj__attach() for SEC("perf_event"). */
BEE_API void bee_obj__set_perf_freq(struct bee_obj *obj, unsigned freq_hz);
/* Targets used by bee_obj__attach() for network and cgroup programs, and
 * the pid for uprobes and perf events. */
BEE_API int bee_obj__set_target_dev(struct bee_obj *obj, const char *ifname, const char *xdp_mode);
BEE_API int bee_obj__set_target_cgroup(struct bee_obj *obj, const char *cgroup_path);
BEE_API void bee_obj__set_target_pid(struct bee_obj *obj, pid_t pid);

/* Resolve a library name ("c", "libc", "libc.so.6") or a path to the file
 * a uprobe should use; @pid > 0 looks in that process's maps first.
 * Writes to @out; 0 or -ENOENT. */
BEE_API int bee_resolve_binary(const char *name, pid_t pid, char *out, size_t out_sz);

/* ---- events: perf buffer and ring buffer -------------------------------- */

struct bee_events;

/* Called for every record: @cpu is -1 for ring buffers. */
typedef int (*bee_event_fn)(void *ctx, int cpu, const void *data, size_t size);

struct bee_events_opts {
	size_t sz;
	/* perf buffer pages per CPU (default 64) */
	size_t perf_pages;
	/* wake the consumer only every N records (perf: wakeup_events) */
	unsigned wakeup_events;
};

BEE_API struct bee_events *bee_events__new(const struct bee_events_opts *opts);
/* Read the ring buffer or perf event array map @map_name of @obj, calling
 * @fn for every record. */
BEE_API int bee_events__add(struct bee_events *ev, struct bee_obj *obj, const char *map_name,
			    bee_event_fn fn, void *ctx);
/* Same for a map given by fd and type (BPF_MAP_TYPE_RINGBUF or PERF_EVENT_ARRAY). */
BEE_API int bee_events__add_fd(struct bee_events *ev, int map_fd, bee_event_fn fn, void *ctx);
/* Wait up to @timeout_ms for records and consume everything available.
 * Returns the number of records handled, or -errno (-EINTR on a signal). */
BEE_API int bee_events__poll(struct bee_events *ev, int timeout_ms);
/* Consume what is there without waiting. */
BEE_API int bee_events__consume(struct bee_events *ev);
/* An fd that becomes readable when records may be waiting. */
BEE_API int bee_events__fd(const struct bee_events *ev);
/* Records lost so far: the kernel's count for perf buffers, plus the
 * reservation failures counted by bee.bpf.h's ring buffer macros. */
BEE_API uint64_t bee_events__lost(const struct bee_events *ev);
BEE_API uint64_t bee_events__received(const struct bee_events *ev);
BEE_API void bee_events__free(struct bee_events *ev);

/* ---- trace_pipe ----------------------------------------------------------- */

/* Called with each trace_pipe line (no newline). Return non-zero to stop. */
typedef int (*bee_trace_line_fn)(void *ctx, const char *line);

/* Open trace_pipe (mounting tracefs if needed). Returns an fd (O_NONBLOCK,
 * O_CLOEXEC) or -errno. */
BEE_API int bee_trace_pipe_open(void);
/* Read what is available from @fd and call @fn per complete line; keeps a
 * partial line in @buf between calls (@buf of BEE_TRACE_BUF_SZ bytes,
 * zero-initialised, @len its fill). Returns lines handled or -errno. */
#define BEE_TRACE_BUF_SZ 8192
BEE_API int bee_trace_pipe_read(int fd, char *buf, size_t *len, bee_trace_line_fn fn, void *ctx);
/* The seed's trace_print(): copy trace_pipe lines to @out until @fn (may be
 * NULL) returns non-zero or a signal arrives. */
BEE_API int bee_trace_print(FILE *out, bee_trace_line_fn fn, void *ctx);

/* ---- BTF-typed values ----------------------------------------------------- */

enum bee_fmt_flags {
	BEE_FMT_JSON = 1 << 0,
	/* print char arrays as strings (default on for text and JSON) */
	BEE_FMT_RAW_CHARS = 1 << 1,
};

/* Print @data (@size bytes) of BTF type @type_id to @out, as text
 * ("{ pid=1 comm=\"bash\" }") or JSON. */
BEE_API int bee_btf_fprint(FILE *out, const struct btf *btf, uint32_t type_id, const void *data,
			   size_t size, unsigned flags);
/* Parse a typed value from text (an integer, a string for char arrays, or
 * JSON for a struct/array) into @out of @size bytes. */
BEE_API int bee_btf_parse(const struct btf *btf, uint32_t type_id, const char *text, void *out,
			  size_t size);
/* Find a type by C name ("struct event", "u32", "event"); the id or -ENOENT. */
BEE_API int bee_btf_find_type(const struct btf *btf, const char *c_name);
/* Print @data as hex bytes ("0a 1b ..."). */
BEE_API void bee_hex_fprint(FILE *out, const void *data, size_t size);
/* Parse bytes as bpftool takes them, one per word: "0xc1 0xc2" or "193 7"
 * (with @hex: "c1 c2"). Returns the count written, -EINVAL for a word that
 * is not a byte, -E2BIG when more than @out_sz. */
BEE_API int bee_bytes_parse(int argc, char **argv, bool hex, uint8_t *out, size_t out_sz);

/* ---- histograms ------------------------------------------------------------ */

/* BCC's print_log2_hist: @slots[i] counts values in [2^i, 2^(i+1)). */
BEE_API void bee_hist_print_log2(FILE *out, const uint64_t *slots, size_t n, const char *val_type);
/* BCC's print_linear_hist: slot i counts value @base + i * @step. */
BEE_API void bee_hist_print_linear(FILE *out, const uint64_t *slots, size_t n,
				   const char *val_type, uint64_t base, uint64_t step);
/* JSON: [{"low":..,"high":..,"count":..},...] */
BEE_API void bee_hist_print_json(FILE *out, const uint64_t *slots, size_t n, bool log2,
				 uint64_t base, uint64_t step);

/* ---- maps ----------------------------------------------------------------- */

/* Print every map of @obj that holds data (hash, array, per-CPU variants,
 * histograms) through BTF; @json for one JSON object keyed by map name. */
BEE_API int bee_obj__print_maps(struct bee_obj *obj, FILE *out, bool json);
/* Print every entry of the map @map_fd, using @btf (may be NULL: hex) and
 * the kernel's batch lookups where the map supports them. */
BEE_API int bee_map_dump_fd(int map_fd, const struct btf *btf, FILE *out, bool json);

/* ---- network and cgroup attachment (lib/xdp.c, lib/tc.c, lib/cgroup.c) -- */

/* XDP (the seed's attach_xdp / remove_xdp). @mode is "generic" (skb),
 * "driver" (native), "offload" (the NIC runs it; the program must have been
 * loaded for that device) or NULL: the kernel's best (driver when the driver
 * has XDP, else generic). A kernel bpf_link: undone when the link is
 * destroyed or the process dies. NULL with errno: ENODEV unknown interface,
 * EINVAL a program that is not XDP or a mode name bee does not know,
 * EOPNOTSUPP no offload on this device, EBUSY a program already attached in
 * that mode (each logged with the device and what is attached). On kernels
 * without XDP links (before 5.9), or with $BEE_XDP_LEGACY=1, the program is
 * attached over netlink instead and destroying the bee_link detaches it
 * (only if it is still the one attached). */
BEE_API struct bee_link *bee_xdp__attach(int prog_fd, const char *ifname, const char *mode);
/* Replace the program of an XDP attachment made by bee_xdp__attach() with
 * @prog_fd, atomically (the device never runs without a program): 0, or
 * -EINVAL for a program that is not XDP or a @link that is not a kernel link,
 * -ENOLINK when the link was detached meanwhile. */
BEE_API int bee_xdp__replace(struct bee_link *link, int prog_fd);
/* Remove every XDP program from @ifname, in every mode, whether attached by
 * netlink (ip link set ... xdp) or by a bpf_link (pinned or held by another
 * process: the link is detached and becomes defunct). 0 when nothing was
 * attached; -ENODEV for an unknown interface. */
BEE_API int bee_xdp__detach(const char *ifname);
/* Only what is attached in one @mode ("generic", "driver", "offload"). */
BEE_API int bee_xdp__detach_mode(const char *ifname, const char *mode);

/* TC with direct action on ingress or egress of @ifname. With tcx in the
 * kernel (6.6+) a tcx bpf_link, appended after any programs already there;
 * otherwise (or when opts->legacy or $BEE_TC_LEGACY=1) the clsact qdisc is
 * created when missing and a cls_bpf "da" filter added over netlink, as
 * `tc qdisc add dev X clsact; tc filter add dev X ingress bpf da ...` do;
 * destroying that legacy link deletes the filter, and the qdisc if bee
 * created it and no filter is left. NULL with errno (ENODEV, EINVAL for a
 * program that is not sched_cls). */
struct bee_tc_opts {
	size_t sz;
	/* clsact + cls_bpf over netlink even where tcx exists */
	bool legacy;
	/* legacy only: filter priority and handle (0: kernel's choice) */
	unsigned priority;
	unsigned handle;
};
BEE_API struct bee_link *bee_tc__attach(int prog_fd, const char *ifname, bool egress);
BEE_API struct bee_link *bee_tc__attach_opts(int prog_fd, const char *ifname, bool egress,
					     const struct bee_tc_opts *opts);
/* Delete every cls_bpf filter bee or tc added on that side of @ifname, and
 * the clsact qdisc when no filter is left on either side (tcx links are not
 * touched: destroy or unpin them). Returns the number of filters removed. */
BEE_API int bee_tc__detach_legacy(const char *ifname, bool egress);
/* Is there tcx in this kernel (BPF_TCX_INGRESS in its BTF)? */
BEE_API bool bee_tc__has_tcx(void);

/* What is attached to one interface, for `bee net list`. */
struct bee_net_prog {
	char kind[16];    /* "xdp", "tcx", "tc" */
	char mode[16];    /* xdp: "generic", "driver", "offload"; tc/tcx: "ingress", "egress" */
	uint32_t prog_id;
	uint32_t link_id; /* 0 when not a bpf_link */
	char name[64];    /* program name (tc: the filter's name) */
	uint32_t prio;    /* tc only */
	uint32_t handle;  /* tc only */
	bool direct_action; /* tc only */
};
/* Fill up to @max entries for @ifindex; returns how many are attached
 * (may exceed @max) or -errno. */
BEE_API int bee_net__query(int ifindex, struct bee_net_prog *out, int max);

/* cgroup programs. @attach_type_name: bpftool's short name ("device",
 * "ingress", "egress", "sock_create", "connect4", "bind6", "sysctl",
 * "getsockopt", ...), libbpf's ("cgroup_inet_egress", "cgroup_device") or
 * the kernel enum's ("BPF_CGROUP_DEVICE", any case). By default a kernel
 * bpf_link (several programs may be attached; the kernel undoes it when
 * the link goes). BEE_CGROUP_LEGACY uses BPF_PROG_ATTACH instead: the
 * attachment outlives the process until bee_link__destroy() (which
 * detaches) or bee_cgroup__detach(); BEE_CGROUP_MULTI / _OVERRIDE pass
 * BPF_F_ALLOW_MULTI / BPF_F_ALLOW_OVERRIDE with it (override implies
 * legacy: kernel links are always multi). NULL with errno: ENOENT no such
 * path, ENOTDIR/EINVAL a path that is not a cgroup v2 directory or a
 * program of the wrong type for the hook, each logged. Kernels without
 * cgroup links (before 5.7) get BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI. */
enum {
	BEE_CGROUP_LEGACY = 1 << 0,
	BEE_CGROUP_MULTI = 1 << 1,
	BEE_CGROUP_OVERRIDE = 1 << 2,
};
BEE_API struct bee_link *bee_cgroup__attach(int prog_fd, const char *cgroup_path,
					    const char *attach_type_name, unsigned flags);
/* Detach a BPF_PROG_ATTACH attachment of @prog_fd (or a link of that
 * program on the cgroup: it is detached and becomes defunct). */
BEE_API int bee_cgroup__detach(int prog_fd, const char *cgroup_path, const char *attach_type_name);
/* The kernel's enum bpf_attach_type value for a cgroup attach type name,
 * or -EINVAL. */
BEE_API int bee_cgroup__attach_type(const char *attach_type_name);
/* The program type a cgroup attach type needs (enum bpf_prog_type), or -EINVAL. */
BEE_API int bee_cgroup__prog_type(int attach_type);
/* Is @path a directory of a cgroup v2 hierarchy? 0, or -ENOENT/-ENOTDIR/-EINVAL
 * (logged, naming where cgroup v2 is mounted). */
BEE_API int bee_cgroup__check(const char *path);
/* Programs attached to one cgroup (@effective: also those inherited from
 * its ancestors, as the kernel runs them), for `bee cgroup list`. Fills up
 * to @max entries; returns how many there are, or -errno. */
struct bee_cgroup_prog {
	char attach_type[32]; /* bpftool's short name: "device", "egress", ... */
	uint32_t prog_id;
	uint32_t link_id;     /* 0 for BPF_PROG_ATTACH */
	char name[64];
	char attach_flags[16]; /* "multi", "override" or "" */
};
BEE_API int bee_cgroup__query(const char *cgroup_path, bool effective, struct bee_cgroup_prog *out,
			      int max);

/* Socket filter: attach the SOCKET_FILTER program @prog_fd to @sock_fd
 * (SO_ATTACH_BPF). It lives as long as the socket; 0 or -errno. */
BEE_API int bee_sockfilter__attach(int prog_fd, int sock_fd);
BEE_API int bee_sockfilter__detach(int sock_fd);

/* libbpf 1.1 does not know some section names bee's programs use
 * ("tc/ingress", "tcx/egress", tc's own "ingress"/"egress"): give such a
 * program its type before load. Returns true when it changed something. */
BEE_API bool bee_net_prog_fixup(struct bpf_program *prog);

/* ---- programs: disassembler, JIT dump (lib/disasm.c, lib/jit.c) ---------- */

struct bpf_insn;
struct bpf_func_info;
struct bpf_line_info;

enum bee_disasm_flags {
	/* The instructions are the kernel's xlated form (bpf_prog_info's
	 * xlated_prog_insns): helper and kfunc calls hold an offset from
	 * __bpf_call_base (named through /proc/kallsyms), bpf-to-bpf calls
	 * their pc offset in `off`, map references hold map ids. Without it
	 * they are as compiled: helper ids, kfunc BTF ids, map fds. */
	BEE_DISASM_XLATED = 1 << 0,
	/* whole-program printers: raw bytes under each instruction */
	BEE_DISASM_OPCODES = 1 << 1,
	/* source lines carry [file:F line_num:N line_col:C] */
	BEE_DISASM_LINUM = 1 << 2,
	/* no "L1:" label lines and no " <L1>" after jumps */
	BEE_DISASM_NO_LABELS = 1 << 3,
	/* JSON array of instruction objects (bpftool's keys), -p pretty */
	BEE_DISASM_JSON = 1 << 4,
	BEE_DISASM_PRETTY = 1 << 5,
	/* the control flow graph in graphviz DOT (bpftool's "visual"): one
	 * cluster per function, one record node per basic block */
	BEE_DISASM_VISUAL = 1 << 6,
};

/* Names the map that a ld_imm64 refers to: @ref is a map id (xlated) or a
 * map fd / index; return NULL when unknown. The string must stay valid
 * until the next call. */
typedef const char *(*bee_disasm_map_fn)(void *ctx, uint32_t ref);

struct bee_disasm_opts {
	size_t sz;
	unsigned flags; /* enum bee_disasm_flags */
	bee_disasm_map_fn map_name_fn;
	void *ctx;
	/* The program's BTF with its func_info (function names and prototypes
	 * at their first instruction) and line_info (source lines), in the
	 * kernel's record layout; all may be NULL/0. Not freed by bee. */
	const struct btf *btf;
	const struct bpf_func_info *func_info;
	size_t func_info_cnt;
	const struct bpf_line_info *line_info;
	size_t line_info_cnt;
};

/* Disassemble the instruction at @idx of @insns (@cnt slots) into @buf in
 * the kernel verifier's / bpftool's notation, e.g. "(b7) r0 = 0",
 * "(85) call bpf_get_current_pid_tgid#14", "(15) if r1 == 0x0 goto pc+3".
 * Every class is decoded: ALU/ALU64 (signed div/mod, movsx, bswap), JMP/
 * JMP32 (gotol, may_goto), ld_imm64 with every pseudo source, LD abs/ind,
 * LDX/ST/STX (memsx, atomics), helper/kfunc/bpf-to-bpf calls, exit.
 * Helper names come from the running kernel's BTF (enum bpf_func_id), kfunc
 * names from BTF ids. Returns the slots used (1, or 2 for ld_imm64), or
 * -EINVAL when @idx is out of range or a ld_imm64 is cut off. @opts may be
 * NULL. The output is truncated to @sz like snprintf. */
BEE_API int bee_disasm_insn(const struct bpf_insn *insns, size_t cnt, size_t idx, char *buf,
			    size_t sz, const struct bee_disasm_opts *opts);
/* Print a whole program, one "%4d: (code) text" line per instruction, with
 * function prototypes, source lines (from @opts' BTF line info) and jump
 * target labels interleaved as @opts->flags ask; JSON with BEE_DISASM_JSON.
 * Returns the number of instructions printed or -errno. */
BEE_API int bee_disasm_fprint(FILE *out, const struct bpf_insn *insns, size_t cnt,
			      const struct bee_disasm_opts *opts);
/* Print the xlated instructions of the loaded program @prog_fd with map
 * names, function and source lines from its BTF (BEE_DISASM_XLATED is
 * implied). Returns the instruction count or -errno (-EPERM when the kernel
 * hides the instructions from this process, -EINVAL when @prog_fd is not a
 * program, -EBADF when it is not open). */
BEE_API int bee_prog_dump_xlated(int prog_fd, FILE *out, unsigned flags);
/* Print the native code of the jited program @prog_fd through capstone
 * (x86-64, or arm64 on arm64), one function per subprogram, call targets
 * named from /proc/kallsyms, source lines interleaved from jited line info
 * (with BEE_DISASM_LINUM their file:line:col); BEE_DISASM_OPCODES adds the
 * bytes. Returns the number of machine
 * instructions printed, -ENODATA when the program is not jited, -errno. */
BEE_API int bee_prog_dump_jited(int prog_fd, FILE *out, unsigned flags);

/* ---- maps (lib/map.c) ------------------------------------------------------ */

/* bee_map_dump_fd() prints one JSON array (no trailing newline) in JSON mode,
 * and in text mode one entry per line as bpftool prints them ("key: c1 c2
 * value: a1 a2", typed "key: 5  value: { pid=1 comm=\"sh\" }"), per-CPU
 * values one line per CPU; it never holds more than one batch in memory. */

struct bpf_map_info;
/* A map opened by fd, with what it takes to read and write its entries:
 * its info, its BTF (the map's own, loaded from the kernel, unless one is
 * given) and its key/value types. */
struct bee_map;

/* Open @fd (duplicated: the caller keeps and closes its own). @btf, when
 * not NULL, is used instead of the map's own BTF and must outlive the
 * bee_map. NULL with errno on failure. Free with bee_map__close(). */
BEE_API struct bee_map *bee_map__from_fd(int fd, const struct btf *btf);
BEE_API void bee_map__close(struct bee_map *m);
BEE_API int bee_map__fd(const struct bee_map *m);
/* Kernel info (type, sizes, name, id, btf ids); valid while @m lives. */
BEE_API const struct bpf_map_info *bee_map__info(const struct bee_map *m);
/* The BTF and type ids used for keys and values; NULL / 0 when printed as hex. */
BEE_API const struct btf *bee_map__btf(const struct bee_map *m);
BEE_API uint32_t bee_map__key_type(const struct bee_map *m);
BEE_API uint32_t bee_map__value_type(const struct bee_map *m);
/* Per-CPU maps hold one value per possible CPU, each rounded up to 8 bytes;
 * bee_map__value_buf_sz() is the buffer a lookup needs (value_size else). */
BEE_API bool bee_map__is_percpu(const struct bee_map *m);
BEE_API int bee_map__cpu_cnt(const struct bee_map *m);
BEE_API size_t bee_map__value_buf_sz(const struct bee_map *m);
/* The map type's name from the kernel's BTF ("hash", "percpu_array",
 * "arena"), or its number as text; static storage per thread. */
BEE_API const char *bee_map_type_name(uint32_t type);
/* The map type for a name ("hash", "lru_percpu_hash", also a unique
 * prefix); -ENOENT unknown, -EEXIST ambiguous. */
BEE_API int bee_map_type_by_name(const char *name);

/* Parse a key (or a value) from command words: bytes as bpftool takes them
 * ("0xc1 0xc2", "193 7", "hex c1 c2"), or, when the map has BTF for it, a
 * typed value (an integer, a string, JSON or bee's text for a struct).
 * @out holds key_size (value_size) bytes; for per-CPU maps the value is
 * copied to every CPU, so @out must hold bee_map__value_buf_sz() bytes.
 * -EINVAL with the reason logged ("key must be 2 bytes, got 3",
 * "value: 'zz' is not a byte (0..255 or 0xNN)"). */
BEE_API int bee_map__parse_key(const struct bee_map *m, int argc, char **argv, void *out);
BEE_API int bee_map__parse_value(const struct bee_map *m, int argc, char **argv, void *out);

enum bee_dump_flags {
	BEE_DUMP_JSON = 1 << 0,   /* = BEE_FMT_JSON */
	BEE_DUMP_PRETTY = 1 << 8, /* JSON: one entry per line, indented */
	BEE_DUMP_HEX = 1 << 9,    /* ignore BTF: bytes only */
	BEE_DUMP_NO_BATCH = 1 << 10, /* per-element get_next_key + lookup */
};

/* Print one entry (@value NULL: the key alone) as bee_map__dump() does;
 * in JSON one object. 0 or -errno. */
BEE_API int bee_map__print_entry(const struct bee_map *m, FILE *out, const void *key,
				 const void *value, unsigned flags);
/* Print a key or a value alone (typed or bpftool's hex layout). */
BEE_API int bee_map__print_key(const struct bee_map *m, FILE *out, const void *key, unsigned flags);
BEE_API int bee_map__print_value(const struct bee_map *m, FILE *out, const void *value,
				 unsigned flags);
/* Print every entry, streaming batch by batch (BPF_MAP_LOOKUP_BATCH where
 * the kernel has it for the map type, else get_next_key + lookup). Text
 * mode prints entries only; JSON one root array without a newline. The
 * number of entries printed goes to @cnt (may be NULL); *@batched tells
 * which path ran (may be NULL). 0 or -errno. */
BEE_API int bee_map__dump(const struct bee_map *m, FILE *out, unsigned flags, size_t *cnt,
			  bool *batched);

/* Histogram maps (BPF_HISTOGRAM / BPF_LINEAR_HISTOGRAM in bee.bpf.h): the
 * value type is the typedef bee_hist_slot_t (log2) or bee_lhist_slot_t
 * (linear). Callers print those with bee_hist_print_*() rather than as
 * entries. */
enum bee_hist_kind {
	BEE_HIST_NONE = 0,
	BEE_HIST_LOG2,
	BEE_HIST_LINEAR,
};
BEE_API enum bee_hist_kind bee_btf_hist_kind(const struct btf *btf, uint32_t value_type_id);
BEE_API enum bee_hist_kind bee_map__hist_kind(const struct bee_map *m);

/* Find a map by name among every map of the kernel: a new fd (O_CLOEXEC)
 * or -ENOENT; -EEXIST (logged with the ids) when several maps share it.
 * Names longer than the kernel keeps (15 chars) match on their prefix. */
BEE_API int bee_map_fd_by_name(const char *name);

/* ---- BTF, features (lib/feature.c) ---------------------------------------- */

/* The kinds of names the kernel's BTF enums give (bpf_prog_type, ...). */
enum bee_kind {
	BEE_KIND_PROG_TYPE,   /* enum bpf_prog_type: "xdp", "netfilter" */
	BEE_KIND_MAP_TYPE,    /* enum bpf_map_type: "hash", "arena" */
	BEE_KIND_ATTACH_TYPE, /* enum bpf_attach_type: "tcx_ingress" */
	BEE_KIND_HELPER,      /* enum bpf_func_id: "bpf_map_lookup_elem" */
	BEE_KIND_LINK_TYPE,   /* enum bpf_link_type: "tcx", "perf_event" */
	BEE_KIND__CNT,
};

/* How many values of @kind the running kernel defines (its __MAX_ value):
 * valid values are below it. 0 without kernel BTF. */
BEE_API unsigned bee_kind_cnt(enum bee_kind kind);
/* The kernel's name of @value, lower case without the prefix, as bpftool
 * prints it ("xdp"; helpers keep "bpf_"). Static storage for the life of
 * the process; NULL for a value the kernel does not name. */
BEE_API const char *bee_kind_name(enum bee_kind kind, unsigned value);
/* The value of a name given as bee_kind_name() returns it, or -ENOENT. */
BEE_API int bee_kind_value(enum bee_kind kind, const char *name);

/* Probes: each loads a minimal program (or creates a map) on the running
 * kernel. Return 1 when available, 0 when not (with the kernel's reason in
 * @why, which may be NULL), -errno when the probe itself could not run.
 * Types newer than libbpf 1.1 are named and probed from kernel BTF. */
BEE_API int bee_probe_prog_type(unsigned prog_type, char *why, size_t why_sz);
BEE_API int bee_probe_map_type(unsigned map_type, char *why, size_t why_sz);
/* Can a program of @prog_type call helper @func_id? 1, 0 or -errno. */
BEE_API int bee_probe_helper(unsigned prog_type, unsigned func_id);

enum bee_misc_feature {
	BEE_MISC_LARGE_INSN_LIMIT, /* programs over 4096 instructions */
	BEE_MISC_BOUNDED_LOOPS,
	BEE_MISC_ISA_V2, /* BPF_JLT and friends */
	BEE_MISC_ISA_V3, /* 32-bit jumps */
	BEE_MISC_ISA_V4, /* sign extension, bswap, sdiv */
	BEE_MISC__CNT,
};
/* Does the verifier accept a program that needs @f? 1, 0 or -errno. */
BEE_API int bee_probe_misc(enum bee_misc_feature f);
/* "bounded_loops", ... (bpftool's JSON names without "have_"). */
BEE_API const char *bee_misc_name(enum bee_misc_feature f);

/* Every program type, map type, misc feature and (optionally) helper per
 * program type, probed once in parallel threads. */
struct bee_features;
struct bee_features_opts {
	size_t sz;
	/* probe every helper for every available program type */
	bool helpers;
	/* also the helpers whose probe writes to the kernel log
	 * (bpf_trace_printk, bpf_trace_vprintk, bpf_probe_write_user) */
	bool full;
	/* probing threads (default: online CPUs + 1) */
	int threads;
	/* probe even when this boot's results are cached */
	bool no_cache;
};
/* NULL with errno set when kernel BTF is missing. Free with
 * bee_features__free(). Results are cached per boot and user in bee's
 * cache directory ($BEE_CACHE_DIR, ~/.cache/bee): what is built into the
 * running kernel does not change until it reboots. */
BEE_API struct bee_features *bee_features__probe(const struct bee_features_opts *opts);
/* Did @f come from this boot's cache rather than fresh probes? */
BEE_API bool bee_features__from_cache(const struct bee_features *f);
BEE_API void bee_features__free(struct bee_features *f);
/* 1 available, 0 not, -ENOENT for a value out of range; *why (may be NULL)
 * gets the reason, owned by @f. */
BEE_API int bee_features__prog_type(const struct bee_features *f, unsigned type, const char **why);
BEE_API int bee_features__map_type(const struct bee_features *f, unsigned type, const char **why);
/* 1, 0, or -ENOENT: helpers not probed (not asked for, type not available,
 * a type that loads only with an attach target, or a helper skipped
 * without @full), or out of range. */
BEE_API int bee_features__helper(const struct bee_features *f, unsigned prog_type,
				 unsigned func_id);
BEE_API int bee_features__misc(const struct bee_features *f, enum bee_misc_feature m);

/* Facts that bee's users need and bpftool does not report: "kprobes",
 * "uprobes", "bpf_trampoline" (fentry really attached), "tcx", "ringbuf",
 * "bpf_lsm" (active), "jit". Fills up to @cnt entries (names are static
 * strings) and returns how many. */
struct bee_fact {
	const char *name;
	bool available;
	char detail[256];
};
BEE_API int bee_probe_facts(struct bee_fact *facts, size_t cnt);

/* The running kernel's build configuration from /proc/config.gz or
 * /boot/config-$(uname -r): *text is malloc'ed (caller frees), *source (may
 * be NULL) the file it came from, static. -ENOENT when neither exists. */
BEE_API int bee_kernel_config(char **text, const char **source);
/* The value of @name ("CONFIG_BPF") in @text, copied to @buf: "y", "m",
 * "250", a string without quotes; NULL when not set. */
BEE_API const char *bee_kernel_config_get(const char *text, const char *name, char *buf,
					  size_t n);

/* C declarations of every type of @btf (its own types for split BTF, with
 * the base types they need), as `bpftool btf dump ... format c` writes
 * them. 0 or -errno. */
BEE_API int bee_btf_dump_c(FILE *out, const struct btf *btf);
/* The same for the types @ids (@cnt of them) and what they need. */
BEE_API int bee_btf_dump_c_types(FILE *out, const struct btf *btf, const uint32_t *ids,
				 size_t cnt);
/* One line per type (with member lines) as bpftool's `format raw`:
 * "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED". */
BEE_API int bee_btf_dump_raw(FILE *out, const struct btf *btf);
/* The same for the one type @id (-ENOENT when @btf has no such type). */
BEE_API int bee_btf_dump_raw_type(FILE *out, const struct btf *btf, uint32_t id);

/* ---- symbols and stacks (lib/sym.c, lib/stack.c) -------------------------- */

/* One resolved address. The strings belong to the bee_ksyms / bee_syms that
 * filled it and live until that object is freed. */
struct bee_sym {
	const char *name;       /* function; NULL when unknown */
	uint64_t offset;        /* address - start of the function */
	uint64_t size;          /* size of the function (kernel: up to the next symbol) */
	const char *module;     /* kernel: module, "bpf" for BPF programs, NULL for vmlinux;
				 * user: path of the mapped file, "[vdso]", "[anon]" */
	uint64_t module_offset; /* user: file offset of the address (what a uprobe takes) */
	const char *file;       /* source file (DWARF, when asked for) or NULL */
	int line;               /* source line or 0 */
};

/* Kernel symbols: /proc/kallsyms (text symbols, BPF programs' own
 * bpf_prog_TAG_NAME [bpf] included), read once and sorted. NULL with errno
 * when kallsyms is unreadable or hides addresses (kptr_restrict). */
struct bee_ksyms;
BEE_API struct bee_ksyms *bee_ksyms__new(void);
BEE_API void bee_ksyms__free(struct bee_ksyms *ks);
/* The function containing @addr: 0, or -ENOENT with *sym zeroed. */
BEE_API int bee_ksyms__find(const struct bee_ksyms *ks, uint64_t addr, struct bee_sym *sym);
/* The address of kernel function @name (first match): 0 or -ENOENT. */
BEE_API int bee_ksyms__addr(const struct bee_ksyms *ks, const char *name, uint64_t *addr);
BEE_API size_t bee_ksyms__cnt(const struct bee_ksyms *ks);

struct bee_syms_opts {
	size_t sz;
	/* fill file/line through DWARF (libdw): slower, for printing */
	bool lines;
	/* root of separate debug files (default /usr/lib/debug): searched
	 * by build-id (.build-id/xx/rest.debug) and by .gnu_debuglink */
	const char *debug_dir;
	/* keep C++ names as the linker sees them ("_ZN2ns1fEi"); by default
	 * they are demangled ("ns::f(int)") through libstdc++ when present */
	bool mangled;
};

/* User symbols of process @pid (<= 0: this process): every executable
 * mapping of /proc/PID/maps, each file's .symtab and .dynsym plus those of
 * its separate debug file, PIE and library load bias applied. Files that
 * were deleted or replaced since they were mapped are read through
 * /proc/PID/map_files. Binaries are parsed on the first lookup that needs
 * them and kept in a process-wide cache (device + inode + build-id) shared
 * by every bee_syms (and safe to share between threads; one bee_syms is
 * used by one thread at a time). NULL with errno (ENOENT: no such process).
 * A lookup outside every mapping re-reads the maps (at most every 50 ms),
 * so libraries loaded later are found; JIT code is named from
 * /tmp/perf-PID.map. */
struct bee_syms;
BEE_API struct bee_syms *bee_syms__new(pid_t pid, const struct bee_syms_opts *opts);
BEE_API void bee_syms__free(struct bee_syms *s);
/* Resolve @addr: 0, or -ENOENT when no function is known — then
 * sym->module/module_offset still say where it is when a mapping holds it. */
BEE_API int bee_syms__find(struct bee_syms *s, uint64_t addr, struct bee_sym *sym);
/* Parse every mapped binary now (before the process may exit); returns the
 * number of mappings with symbols. */
BEE_API int bee_syms__load(struct bee_syms *s);
/* Re-read the process's maps (after dlopen). */
BEE_API int bee_syms__refresh(struct bee_syms *s);
BEE_API pid_t bee_syms__pid(const struct bee_syms *s);
/* Turn file:line lookups (bee_syms_opts.lines) on or off from now on. */
BEE_API void bee_syms__set_lines(struct bee_syms *s, bool lines);
/* Drop cached binaries that no bee_syms uses. */
BEE_API void bee_symcache__flush(void);

enum bee_sym_flags {
	BEE_SYM_OFFSET = 1 << 0, /* "func+0x1a" */
	BEE_SYM_MODULE = 1 << 1, /* " [libc.so.6]" */
	BEE_SYM_LINE = 1 << 2,   /* " (file.c:12)" */
};
/* Format @sym (resolved from @addr) into @buf: "func", with @flags adding
 * offset, source line and module; an unknown one as
 * "[unknown] (libfoo.so+0x1234)". Returns what snprintf returns. */
BEE_API int bee_sym__snprint(const struct bee_sym *sym, uint64_t addr, char *buf, size_t sz,
			     unsigned flags);

/* The file offset a uprobe on @binary (a path, or a library or program name
 * resolved by bee_resolve_binary) at @spec should use: @spec
 * is "func", "func+0x10" or "0xADDR" (an ELF virtual address as nm shows
 * it). -ENOENT for an unknown function, -ENOTUNIQ when several different
 * addresses carry that name (the message lists them), -ERANGE for an offset
 * past the function's end; the reason is logged. */
BEE_API int bee_resolve_uprobe(const char *binary, const char *spec, uint64_t *offset);

/* Stacks. A stack is an array of instruction pointers, innermost first, as
 * BPF_MAP_TYPE_STACK_TRACE holds them (bpf_get_stackid) or bpf_get_stack()
 * writes them; a 0 ends it. */
#define BEE_STACK_MAX_DEPTH 127
/* Copy stack @id of stack map @map_fd into @ips (@max entries). Returns the
 * number of frames, or -errno (-ENOENT: no such id, e.g. evicted). */
BEE_API int bee_stack_read(int map_fd, uint32_t id, uint64_t *ips, size_t max);
/* Frames in a bpf_get_stack() buffer of @size bytes (up to the first 0). */
BEE_API size_t bee_stack_len(const uint64_t *ips, size_t size);
/* Why bpf_get_stackid() returned @err (< 0), in words. */
BEE_API const char *bee_stack_strerror(long err);

struct bee_stack_opts {
	size_t sz;
	unsigned sym_flags;  /* BEE_SYM_* (default OFFSET | MODULE) */
	const char *indent;  /* before each frame (default 4 spaces) */
	bool show_addr;      /* "ffffffff81234567 func+0x1a" */
};
/* Print @n frames, one per line: kernel addresses through @ks, user ones
 * through @us (either may be NULL: the frame prints as its address). Return
 * addresses of outer frames are looked up at ip-1 so that a call that ends
 * a function names that function. Returns the number of frames printed. */
BEE_API int bee_stack_fprint(FILE *out, const uint64_t *ips, size_t n, const struct bee_ksyms *ks,
			     struct bee_syms *us, const struct bee_stack_opts *opts);
/* Resolve frame @i of a stack (@ip its address) to text as bee_sym__snprint
 * does, choosing kernel or user symbols by the address. */
BEE_API int bee_stack_frame_snprint(uint64_t ip, size_t i, const struct bee_ksyms *ks,
				    struct bee_syms *us, unsigned sym_flags, char *buf, size_t sz);

/* Flame graphs (lib/flame.c): stacks merged into a tree, written as folded
 * lines ("a;b;c 12") or as a self-contained SVG. */
struct bee_flame;
BEE_API struct bee_flame *bee_flame__new(void);
BEE_API void bee_flame__free(struct bee_flame *f);
/* Add @count samples of the stack @frames[0..n) (outermost first). The
 * names are copied. */
BEE_API int bee_flame__add(struct bee_flame *f, const char *const *frames, size_t n,
			   uint64_t count);
/* Add one folded line "a;b;c COUNT". -EINVAL for a line without a count. */
BEE_API int bee_flame__add_folded(struct bee_flame *f, const char *line);
BEE_API uint64_t bee_flame__total(const struct bee_flame *f);
/* One line per distinct stack; the counts sum to bee_flame__total(). */
BEE_API int bee_flame__write_folded(const struct bee_flame *f, FILE *out);

struct bee_flame_opts {
	size_t sz;
	const char *title;     /* default "Flame Graph" */
	const char *subtitle;  /* a second line, e.g. the command and duration */
	unsigned width;        /* pixels (default 1200) */
	unsigned frame_height; /* pixels (default 16) */
	const char *unit;      /* "samples" */
};
/* An SVG: one rect + text per frame with a <title> (name, count, percent)
 * shown on hover, kernel frames ("_[k]" suffix) coloured apart, click to
 * zoom. Frames narrower than 0.1 px are merged away. */
BEE_API int bee_flame__write_svg(const struct bee_flame *f, FILE *out,
				 const struct bee_flame_opts *opts);

/* ---- bpf() call decoding (lib/attr.c) -------------------------------------- */

/* union bpf_attr is printed from the running kernel's BTF layout: the
 * member each command uses, every field in it with its kernel name, enums
 * (command, map/prog/attach types) and flags named, fds resolved. */

/* The kernel's name of bpf() command @cmd ("BPF_PROG_LOAD"); static storage,
 * NULL when the kernel has no such command. */
BEE_API const char *bee_bpf_cmd_name(int cmd);
/* The number of a command by name ("BPF_MAP_CREATE" or "map_create"), or
 * -ENOENT. */
BEE_API int bee_bpf_cmd_value(const char *name);
/* "EINVAL" for EINVAL or -EINVAL (static storage). */
BEE_API const char *bee_errno_name(int err);
/* Offset and size within union bpf_attr of field @field as command @cmd
 * uses it (e.g. "license" of BPF_PROG_LOAD), from kernel BTF; -ENOENT when
 * the command or field is unknown. @size may be NULL. */
BEE_API int bee_attr_field(int cmd, const char *field, uint32_t *offset, uint32_t *size);
/* Offsets in union bpf_attr of the fd fields (names ending in "_fd", in
 * every union arm) that @cmd's member has, at most @max of them; the count
 * or -ENOENT. A tracer reads what they point at when the call is made. */
BEE_API int bee_attr_fd_offsets(int cmd, uint32_t *offs, int max);
/* The field of @cmd's attr that points to a string worth copying when
 * tracing ("license", "pathname", "name"), or NULL. */
BEE_API const char *bee_attr_str_field(int cmd);
/* The union member @cmd uses: its name ("link_create"), or for an anonymous
 * one the name of a field that identifies it ("map_type"); NULL if unknown. */
BEE_API const char *bee_attr_member(int cmd);

/* What an fd of a process points at. */
enum bee_fd_kind {
	BEE_FD_UNKNOWN = 0,
	BEE_FD_MAP,
	BEE_FD_PROG,
	BEE_FD_LINK,
	BEE_FD_BTF,
	BEE_FD_PATH,  /* a file or directory (a cgroup, a bpffs pin) */
	BEE_FD_OTHER, /* socket, pipe, other anon inode: @path holds the link text */
};

struct bee_fd_info {
	enum bee_fd_kind kind;
	uint32_t id;   /* map, prog, link or BTF id */
	char name[16]; /* map or prog name; link type for links */
	char path[256];
};

/* Describe fd @fd of process @pid from /proc/PID/fd and /proc/PID/fdinfo
 * (and, for maps and programs, their names by id). 0 or -errno (-ENOENT:
 * the fd or the process is gone). */
BEE_API int bee_fd_describe(pid_t pid, int fd, struct bee_fd_info *info);
/* "map:12:snoop_map", "prog:34:x", "link:5:tcx", "btf:7", or the path. */
BEE_API int bee_fd_info_snprint(char *buf, size_t n, const struct bee_fd_info *info);
/* {"fd":3,"kind":"map","id":12,"name":"snoop_map"} through bee's JSON writer. */
struct bee_json;
BEE_API void bee_fd_info_json(struct bee_json *j, int fd, const struct bee_fd_info *info);

/* Resolve fd @fd of the traced process into @info; 0 or -errno. */
typedef int (*bee_fd_fn)(void *ctx, int fd, struct bee_fd_info *info);

struct bee_attr_opts {
	size_t sz;
	/* resolve fds in this process through /proc (0: print numbers) */
	pid_t pid;
	/* resolver used instead of /proc, e.g. a tracer's cache */
	bee_fd_fn fd_fn;
	void *fd_ctx;
	/* the string the attr points to (bee_attr_str_field), as copied by the
	 * tracer; NULL prints the pointer */
	const char *str;
	/* one JSON object instead of strace-like text */
	bool json;
	/* the bytes a pointer field points to, as copied by the tracer (a map
	 * key or value): return 0 and set @data/@size, or -ENOENT. Text shows
	 * them after the pointer ("key=0x7ffd...[01 00 00 00]"), JSON as
	 * "FIELD_bytes":"01000000". May be NULL. */
	int (*mem_fn)(void *ctx, const char *field, const void **data, size_t *size);
	void *mem_ctx;
};

/* Print the attr of a bpf(@cmd, attr, @attr_sz) call: strace-like text
 * ("{map_type=BPF_MAP_TYPE_HASH, key_size=4, ...}") or a JSON object. Only
 * fields within @attr_sz are printed (the kernel zero-fills the rest); a
 * command the kernel's BTF has no member for prints as hex bytes. 0 or
 * -errno (no kernel BTF). */
BEE_API int bee_attr_fprint(FILE *out, int cmd, const void *attr, size_t attr_sz,
			    const struct bee_attr_opts *opts);

#ifdef __cplusplus
}
#endif
#endif /* BEE_BEE_H */
