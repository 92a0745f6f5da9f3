/*
 * The classic tools' BPF objects (build/tools/NAME/NAME.bpf.o, the same
 * objects bee embeds), loaded through libbee and driven by this process:
 * funclatency through each of its mechanisms (uprobe here; fentry/fexit and
 * kprobe where the kernel has them, else skipped with the kernel's reason),
 * syslat's exact count for one syscall of one process, opensnoop's record
 * of an open of a unique path. The CLI side is tests/cli/test_tools.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"
#include "../../tools/opensnoop/opensnoop.h"

#define CALLS 123

/* the uprobe target: never inlined or folded */
__attribute__((noinline, used)) int tools_test_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 7;
}

static struct bee_obj *open_tool(const char *name)
{
	struct bee_obj *obj = bee_obj__open_file(t_bpath("tools/%s.bpf.o", name), NULL);

	if (!obj)
		fail_msg("open %s.bpf.o: %s", name, bee_last_error());
	return obj;
}

static void set_var(struct bee_obj *obj, const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	if (bee_obj__set_var(obj, name, buf))
		fail_msg("set %s=%s: %s", name, buf, bee_last_error());
}

/* Only @a and @b of @obj load. */
static void only_progs(struct bee_obj *obj, const char *a, const char *b)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, bee_obj__bpf_object(obj)) {
		const char *n = bpf_program__name(prog);
		bpf_program__set_autoload(prog, !strcmp(n, a) || (b && !strcmp(n, b)));
	}
}

static uint64_t hist_total(struct bee_obj *obj, const char *map)
{
	int fd = bee_obj__map_fd(obj, map);
	uint64_t total = 0, v;

	if (fd < 0)
		fail_msg("no map '%s'", map);
	for (uint32_t k = 0; k < 64; k++)
		if (!bpf_map_lookup_elem(fd, &k, &v))
			total += v;
	return total;
}

static void nanosleeps(int n)
{
	struct timespec ts = { 0, 1000 };

	for (int i = 0; i < n; i++)
		nanosleep(&ts, NULL);
}

static void test_funclatency_uprobe(void **state)
{
	struct bee_obj *obj = open_tool("funclatency/funclatency");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	volatile int sink = 0;

	t_eq("readlink /proc/self/exe", 1, n > 0);
	self[n] = 0;
	only_progs(obj, "uprobe_entry", "uprobe_return");
	set_var(obj, "targ_pid", getpid());
	if (bee_obj__load(obj))
		fail_msg("load funclatency: %s", bee_last_error());
	if (!bee_obj__attach_uprobe(obj, "uprobe_entry", self, "tools_test_fn", getpid(), false) ||
	    !bee_obj__attach_uprobe(obj, "uprobe_return", self, "tools_test_fn", getpid(), true))
		fail_msg("attach uprobes: %s", bee_last_error());
	for (int i = 0; i < CALLS; i++)
		sink += tools_test_fn(i);
	t_eq("calls counted by the uprobe pair", CALLS, hist_total(obj, "dist"));
	bee_obj__close(obj);
}

/* fentry/fexit on do_nanosleep: where BPF trampolines work. */
static void test_funclatency_fentry(void **state)
{
	struct bee_obj *obj;
	char why[256];

	if (!t_kernel_has_trampolines(why, sizeof(why)))
		t_skip("%s", why);
	obj = open_tool("funclatency/funclatency");
	only_progs(obj, "fentry_entry", "fexit_return");
	t_eq("fentry target", 0,
	     bpf_program__set_attach_target(bee_obj__prog(obj, "fentry_entry"), 0, "do_nanosleep"));
	t_eq("fexit target", 0,
	     bpf_program__set_attach_target(bee_obj__prog(obj, "fexit_return"), 0, "do_nanosleep"));
	set_var(obj, "targ_pid", getpid());
	if (bee_obj__load(obj))
		fail_msg("load fentry/fexit: %s", bee_last_error());
	if (!bee_obj__attach_trace(obj, "fentry_entry") || !bee_obj__attach_trace(obj, "fexit_return"))
		fail_msg("attach fentry/fexit: %s", bee_last_error());
	nanosleeps(CALLS);
	t_eq("do_nanosleep calls counted by fentry/fexit", CALLS, hist_total(obj, "dist"));
	bee_obj__close(obj);
}

/* kprobe/kretprobe on do_nanosleep: where the kernel has kprobes. */
static void test_funclatency_kprobe(void **state)
{
	struct bee_obj *obj;
	char why[256];

	if (!t_kernel_has_kprobes(why, sizeof(why)))
		t_skip("%s", why);
	obj = open_tool("funclatency/funclatency");
	only_progs(obj, "kprobe_entry", "kprobe_return");
	set_var(obj, "targ_pid", getpid());
	if (bee_obj__load(obj))
		fail_msg("load kprobes: %s", bee_last_error());
	if (!bee_obj__attach_kprobe(obj, "kprobe_entry", "do_nanosleep", false) ||
	    !bee_obj__attach_kprobe(obj, "kprobe_return", "do_nanosleep", true))
		fail_msg("attach kprobes: %s", bee_last_error());
	nanosleeps(CALLS);
	t_eq("do_nanosleep calls counted by kprobe/kretprobe", CALLS, hist_total(obj, "dist"));
	bee_obj__close(obj);
}

/* Where kprobes are missing, attaching one says so in one line. */
static void test_funclatency_kprobe_error(void **state)
{
	struct bee_obj *obj;
	char why[256];

	if (t_kernel_has_kprobes(why, sizeof(why)))
		t_skip("this kernel has kprobes");
	obj = open_tool("funclatency/funclatency");
	only_progs(obj, "kprobe_entry", NULL);
	if (bee_obj__load(obj))
		fail_msg("load kprobe_entry: %s", bee_last_error());
	t_eq("attach kprobe without kprobes", 1,
	     bee_obj__attach_kprobe(obj, "kprobe_entry", "do_nanosleep", false) == NULL);
	t_eq("errno", EOPNOTSUPP, errno);
	t_contains("error", bee_last_error(), "no kprobes");
	bee_obj__close(obj);
}

static void test_syslat_exact(void **state)
{
	struct bee_obj *obj = open_tool("syscall_latency/syslat");
	int fd_before = t_fd_count();

	set_var(obj, "targ_nr", SYS_getppid);
	set_var(obj, "targ_pid", getpid());
	set_var(obj, "unit_div", 1);
	if (bee_obj__load(obj) || bee_obj__attach(obj))
		fail_msg("syslat: %s", bee_last_error());
	t_eq("attachments (sys_enter, sys_exit)", 2, bee_obj__link_cnt(obj));
	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	t_eq("getppid calls in the histogram", CALLS, hist_total(obj, "dist"));
	bee_obj__close(obj);
	t_eq("fds after close", fd_before, t_fd_count());
}

struct open_seen {
	char path[256];
	int want_ret;
	int hits;
	struct opensnoop_event last;
};

static int on_open(void *ctx, int cpu, const void *data, size_t size)
{
	struct open_seen *s = ctx;
	const struct opensnoop_event *e = data;

	if (size < sizeof(*e) || strcmp(e->path, s->path))
		return 0;
	s->hits++;
	s->last = *e;
	return 0;
}

static void test_opensnoop_record(void **state)
{
	struct bee_obj *obj = open_tool("opensnoop/opensnoop");
	struct open_seen seen = {};
	struct bee_events *ev;
	int fd;

	snprintf(seen.path, sizeof(seen.path), "/tmp/bee-tools-open-%d-missing", getpid());
	set_var(obj, "targ_pid", getpid());
	if (bee_obj__load(obj) || bee_obj__attach(obj))
		fail_msg("opensnoop: %s", bee_last_error());
	ev = bee_events__new(NULL);
	t_eq("events reader", 0, bee_events__add(ev, obj, "events", on_open, &seen));
	fd = open(seen.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	t_eq("open of a missing file", -1, fd);
	bee_events__poll(ev, 1000);
	bee_events__consume(ev);
	t_eq("records of the path", 1, seen.hits);
	t_eq("pid", getpid(), seen.last.pid);
	t_eq("ret", -ENOENT, seen.last.ret);
	t_eq("flags", O_RDONLY | O_CLOEXEC | O_NOFOLLOW, seen.last.flags);
	t_eq("syscall (openat)", 1, seen.last.syscall);
	bee_events__free(ev);
	bee_obj__close(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_funclatency_uprobe),
		cmocka_unit_test(test_funclatency_fentry),
		cmocka_unit_test(test_funclatency_kprobe),
		cmocka_unit_test(test_funclatency_kprobe_error),
		cmocka_unit_test(test_syslat_exact),
		cmocka_unit_test(test_opensnoop_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
