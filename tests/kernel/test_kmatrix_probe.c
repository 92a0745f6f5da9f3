/*
 * Kernel-matrix tests: kprobe/kretprobe and fentry/fexit with exact event
 * counts, through libbpf directly and through libbee (explicit attach, the
 * seed's attach_kprobe(event, fn_name), and attach-by-section) and `bee run`,
 * and a BPF LSM program that denies one file open with EPERM.
 *
 * The host bee is developed on has no kprobes and no BPF trampolines, so
 * these skip there with the kernel's reason; they run for real inside QEMU on
 * Debian's 6.1 kernel (tests/extra/kmatrix.sh), which has both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test.h"

#define CALLS 5
/* the kernel function every probe here attaches to */
#define TARGET "__x64_sys_getpgid"

enum {
	KP_HITS, KP_ARG, KRP_HITS, KRP_RET,
	FE_HITS, FE_ARG, FX_HITS, FX_RET,
	KMX_SLOTS = 8,
};

static const char *probe_obj(void)
{
	return t_bpath("tests/bpf/kmatrix_probe.bpf.o");
}

/* getpgid(getpid()) through the raw syscall, @n times; returns the pgid. */
static long drive_getpgid(int n)
{
	long r = -1;

	for (int i = 0; i < n; i++)
		r = syscall(SYS_getpgid, getpid());
	return r;
}

static void read_counts(int map_fd, uint64_t *v, int n)
{
	for (uint32_t i = 0; i < (uint32_t)n; i++) {
		v[i] = 0;
		if (bpf_map_lookup_elem(map_fd, &i, &v[i]))
			fail_msg("lookup slot %u of the counts map: %s", i, strerror(errno));
	}
}

/* Load only the programs named in @keep (NULL-terminated). */
static void keep_only(struct bpf_object *obj, const char *const *keep)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj) {
		bool on = false;
		for (const char *const *k = keep; *k; k++)
			on |= !strcmp(bpf_program__name(p), *k);
		bpf_program__set_autoload(p, on);
	}
}

/* libbpf without a skeleton: write a `const volatile` u32 before load,
 * finding its offset in .rodata through the object's BTF. */
static void set_rodata_u32(struct bpf_object *obj, const char *var, uint32_t val)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *m, *ro = NULL;
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	size_t sz;
	char *data;
	int id;

	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		if (bpf_map__is_internal(m) && strstr(n, ".rodata") && !strstr(n, ".str"))
			ro = m;
	}
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!ro || id < 0)
		fail_msg("object has no .rodata for '%s'", var);
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, v->name_off), var))
			continue;
		data = (char *)bpf_map__initial_value(ro, &sz);
		if (!data || vs->offset + sizeof(val) > sz)
			fail_msg("cannot write .rodata of the object");
		memcpy(data + vs->offset, &val, sizeof(val));
		return;
	}
	fail_msg("no variable '%s' in .rodata", var);
}

/* What the kernel allows, probed once per process (each probe parses kernel
 * BTF, which costs seconds under emulation). */
static bool have_kprobes(char *why, size_t n)
{
	static int have = -1;
	static char reason[256];

	if (have < 0)
		have = t_kernel_has_kprobes(reason, sizeof(reason));
	snprintf(why, n, "%s", reason);
	return have;
}

static bool have_trampolines(char *why, size_t n)
{
	static int have = -1;
	static char reason[256];

	if (have < 0)
		have = t_kernel_has_trampolines(reason, sizeof(reason));
	snprintf(why, n, "%s", reason);
	return have;
}

/* Macros, so that the skip line names the test (t_skip prints __func__). */
#define skip_without_kprobes()                                                                     \
	do {                                                                                       \
		char _why[256];                                                                    \
		if (!have_kprobes(_why, sizeof(_why)))                                             \
			t_skip("%s", _why);                                                        \
	} while (0)

#define skip_without_trampolines()                                                                 \
	do {                                                                                       \
		char _why[256];                                                                    \
		if (!have_trampolines(_why, sizeof(_why)))                                         \
			t_skip("%s", _why);                                                        \
	} while (0)

/* Check one probe pair's slots after CALLS calls: the hit count, and the
 * argument (pid passed to getpgid) or return value (pgid) it saw last. */
static void check_pair(const uint64_t *c, int hits_slot, int val_slot, uint64_t want_val,
		       const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s events for %d getpgid() calls", what, CALLS);
	t_eq(msg, CALLS, c[hits_slot]);
	snprintf(msg, sizeof(msg), "%s: value seen", what);
	t_eq(msg, want_val, c[val_slot]);
}

/* ---- kprobe / kretprobe ---- */

static void test_kprobe_libbpf(void **state)
{
	static const char *const keep[] = { "kmx_kp", "kmx_krp", NULL };
	struct bpf_object *obj;
	struct bpf_link *kp = NULL, *krp = NULL;
	uint64_t c[KMX_SLOTS];
	int fds = t_fd_count();
	long pgid;

	skip_without_kprobes();
	obj = bpf_object__open_file(probe_obj(), NULL);
	assert_non_null(obj);
	keep_only(obj, keep);
	set_rodata_u32(obj, "target_tgid", getpid());
	t_eq("load kprobe object", 0, bpf_object__load(obj));
	kp = bpf_program__attach_kprobe(bpf_object__find_program_by_name(obj, "kmx_kp"), false,
					TARGET);
	if (!kp)
		fail_msg("attach kprobe/%s: %s", TARGET, strerror(errno));
	krp = bpf_program__attach_kprobe(bpf_object__find_program_by_name(obj, "kmx_krp"), true,
					 TARGET);
	if (!krp)
		fail_msg("attach kretprobe/%s: %s", TARGET, strerror(errno));

	pgid = drive_getpgid(CALLS);
	read_counts(bpf_object__find_map_fd_by_name(obj, "kmx_counts"), c, KMX_SLOTS);
	check_pair(c, KP_HITS, KP_ARG, getpid(), "kprobe");
	check_pair(c, KRP_HITS, KRP_RET, pgid, "kretprobe");
	t_eq("fentry slots untouched", 0, c[FE_HITS]);

	/* detached: further calls are not counted */
	bpf_link__destroy(kp);
	bpf_link__destroy(krp);
	drive_getpgid(2);
	read_counts(bpf_object__find_map_fd_by_name(obj, "kmx_counts"), c, KMX_SLOTS);
	t_eq("kprobe events after detach", CALLS, c[KP_HITS]);
	t_eq("kretprobe events after detach", CALLS, c[KRP_HITS]);
	bpf_object__close(obj);
	t_eq("fds left open", fds, t_fd_count());
}

/* bee_obj__open_file + the seed's b.attach_kprobe(event, fn_name). */
static struct bee_obj *open_bee(const char *const *keep)
{
	struct bee_obj *obj = bee_obj__open_file(probe_obj(), NULL);
	char pid[16];

	if (!obj)
		fail_msg("bee_obj__open_file(%s): %s", probe_obj(), bee_last_error());
	keep_only(bee_obj__bpf_object(obj), keep);
	snprintf(pid, sizeof(pid), "%d", getpid());
	t_eq("set target_tgid", 0, bee_obj__set_var(obj, "target_tgid", pid));
	if (bee_obj__load(obj))
		fail_msg("bee_obj__load: %s", bee_last_error());
	return obj;
}

static void test_kprobe_bee(void **state)
{
	static const char *const keep[] = { "kmx_kp", "kmx_krp", NULL };
	struct bee_link *kp, *krp;
	struct bee_obj *obj;
	uint64_t c[KMX_SLOTS];
	int fds = t_fd_count();
	long pgid;

	skip_without_kprobes();
	obj = open_bee(keep);
	kp = bee_obj__attach_kprobe(obj, "kmx_kp", TARGET, false);
	if (!kp)
		fail_msg("bee_obj__attach_kprobe: %s", bee_last_error());
	krp = bee_obj__attach_kprobe(obj, "kmx_krp", TARGET, true);
	if (!krp)
		fail_msg("bee_obj__attach_kprobe(retprobe): %s", bee_last_error());
	t_streq("kprobe link", "kprobe/" TARGET, bee_link__desc(kp));
	t_streq("kretprobe link", "kretprobe/" TARGET, bee_link__desc(krp));
	assert_true(bee_link__fd(kp) >= 0);

	pgid = drive_getpgid(CALLS);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	check_pair(c, KP_HITS, KP_ARG, getpid(), "kprobe");
	check_pair(c, KRP_HITS, KRP_RET, pgid, "kretprobe");

	/* the caller takes the kprobe link and destroys it: only the
	 * kretprobe keeps counting */
	bee_obj__detach_link(obj, kp);
	t_eq("destroy kprobe link", 0, bee_link__destroy(kp));
	drive_getpgid(1);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	t_eq("kprobe events after its link went", CALLS, c[KP_HITS]);
	t_eq("kretprobe events, still attached", CALLS + 1, c[KRP_HITS]);
	bee_obj__close(obj);
	t_eq("fds left open", fds, t_fd_count());
}

static void test_kprobe_bee_by_section(void **state)
{
	static const char *const keep[] = { "kmx_kp", "kmx_krp", NULL };
	struct bee_obj *obj;
	uint64_t c[KMX_SLOTS];
	long pgid;

	skip_without_kprobes();
	obj = open_bee(keep);
	if (bee_obj__attach(obj))
		fail_msg("bee_obj__attach: %s", bee_last_error());
	t_eq("links made from SEC() names", 2, bee_obj__link_cnt(obj));
	pgid = drive_getpgid(CALLS);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	check_pair(c, KP_HITS, KP_ARG, getpid(), "kprobe");
	check_pair(c, KRP_HITS, KRP_RET, pgid, "kretprobe");
	bee_obj__detach(obj);
	t_eq("links after detach", 0, bee_obj__link_cnt(obj));
	drive_getpgid(1);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	t_eq("kprobe events after detach", CALLS, c[KP_HITS]);
	bee_obj__close(obj);
}

/* ---- fentry / fexit ---- */

static void test_fentry_libbpf(void **state)
{
	static const char *const keep[] = { "kmx_fe", "kmx_fx", NULL };
	struct bpf_link *fe, *fx;
	struct bpf_object *obj;
	uint64_t c[KMX_SLOTS];
	int fds = t_fd_count();
	long pgid;

	skip_without_trampolines();
	obj = bpf_object__open_file(probe_obj(), NULL);
	assert_non_null(obj);
	keep_only(obj, keep);
	set_rodata_u32(obj, "target_tgid", getpid());
	t_eq("load fentry object", 0, bpf_object__load(obj));
	fe = bpf_program__attach(bpf_object__find_program_by_name(obj, "kmx_fe"));
	if (!fe)
		fail_msg("attach fentry/%s: %s", TARGET, strerror(errno));
	fx = bpf_program__attach(bpf_object__find_program_by_name(obj, "kmx_fx"));
	if (!fx)
		fail_msg("attach fexit/%s: %s", TARGET, strerror(errno));

	pgid = drive_getpgid(CALLS);
	read_counts(bpf_object__find_map_fd_by_name(obj, "kmx_counts"), c, KMX_SLOTS);
	check_pair(c, FE_HITS, FE_ARG, getpid(), "fentry");
	check_pair(c, FX_HITS, FX_RET, pgid, "fexit");
	t_eq("kprobe slots untouched", 0, c[KP_HITS]);

	bpf_link__destroy(fe);
	bpf_link__destroy(fx);
	drive_getpgid(2);
	read_counts(bpf_object__find_map_fd_by_name(obj, "kmx_counts"), c, KMX_SLOTS);
	t_eq("fentry events after detach", CALLS, c[FE_HITS]);
	t_eq("fexit events after detach", CALLS, c[FX_HITS]);
	bpf_object__close(obj);
	t_eq("fds left open", fds, t_fd_count());
}

static void test_fentry_bee(void **state)
{
	static const char *const keep[] = { "kmx_fe", "kmx_fx", NULL };
	struct bee_link *fe, *fx;
	struct bee_obj *obj;
	uint64_t c[KMX_SLOTS];
	long pgid;

	skip_without_trampolines();
	obj = open_bee(keep);
	fe = bee_obj__attach_trace(obj, "kmx_fe");
	if (!fe)
		fail_msg("bee_obj__attach_trace(kmx_fe): %s", bee_last_error());
	fx = bee_obj__attach_trace(obj, "kmx_fx");
	if (!fx)
		fail_msg("bee_obj__attach_trace(kmx_fx): %s", bee_last_error());
	assert_true(bee_link__fd(fe) >= 0);
	pgid = drive_getpgid(CALLS);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	check_pair(c, FE_HITS, FE_ARG, getpid(), "fentry");
	check_pair(c, FX_HITS, FX_RET, pgid, "fexit");
	bee_obj__detach(obj);
	drive_getpgid(1);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	t_eq("fexit events after detach", CALLS, c[FX_HITS]);
	bee_obj__close(obj);
}

static void test_fentry_bee_by_section(void **state)
{
	static const char *const keep[] = { "kmx_fe", "kmx_fx", NULL };
	struct bee_obj *obj;
	uint64_t c[KMX_SLOTS];
	long pgid;

	skip_without_trampolines();
	obj = open_bee(keep);
	if (bee_obj__attach(obj))
		fail_msg("bee_obj__attach: %s", bee_last_error());
	t_eq("links made from SEC() names", 2, bee_obj__link_cnt(obj));
	pgid = drive_getpgid(CALLS);
	read_counts(bee_obj__map_fd(obj, "kmx_counts"), c, KMX_SLOTS);
	check_pair(c, FE_HITS, FE_ARG, getpid(), "fentry");
	check_pair(c, FX_HITS, FX_RET, pgid, "fexit");
	bee_obj__close(obj);
}

/* ---- bee run ---- */

/* Read what is in @fd into *buf (grown, NUL-terminated) until EOF, or until
 * @stop appears when @stop is not NULL. */
static void read_until(int fd, char **buf, size_t *len, const char *stop)
{
	char tmp[4096];
	ssize_t n;

	while ((!stop || !*buf || !strstr(*buf, stop)) && (n = read(fd, tmp, sizeof(tmp))) > 0) {
		*buf = realloc(*buf, *len + n + 1);
		memcpy(*buf + *len, tmp, n);
		*len += n;
		(*buf)[*len] = 0;
	}
	if (!*buf)
		*buf = calloc(1, 1);
}

static int count_lines(const char *text, const char *line)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, line)); p += strlen(line))
		if (p == text || p[-1] == '\n')
			n++;
	return n;
}

/* `bee run OBJ --set target_tgid=CHILD`: wait for bee's "attachment" line,
 * let a child call getpgid CALLS times, stop bee with SIGINT and count the
 * decoded events it printed: CALLS entries with the pid asked about and
 * CALLS returns with the pgid. */
static void run_bee_run(const char *obj)
{
	int go[2], out[2], err[2], st;
	char *o = NULL, *e = NULL, want[128], tgid[32];
	size_t olen = 0, elen = 0;
	pid_t child, bee;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	fflush(NULL);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		drive_getpgid(CALLS);
		_exit(0);
	}
	snprintf(tgid, sizeof(tgid), "target_tgid=%d", child);
	bee = fork();
	assert_true(bee >= 0);
	if (bee == 0) {
		const char *b = getenv("BEE");
		dup2(out[1], 1);
		dup2(err[1], 2);
		execl(b && *b ? b : t_bpath("bee"), "bee", "run", obj, "--set", tgid, "--no-trace",
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	read_until(err[0], &e, &elen, "attachment");
	if (!strstr(e, "2 attachments")) {
		kill(bee, SIGKILL);
		kill(child, SIGKILL);
		waitpid(bee, NULL, 0);
		waitpid(child, NULL, 0);
		fail_msg("bee run %s: want \"2 attachments\" on stderr, got \"%s\"", obj, e);
	}
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(child, &st, 0), child);
	t_eq("workload exit status", 0, WEXITSTATUS(st));
	kill(bee, SIGINT);
	read_until(out[0], &o, &olen, NULL);
	read_until(err[0], &e, &elen, NULL);
	assert_int_equal(waitpid(bee, &st, 0), bee);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fail_msg("bee run exit status %d; stderr: %s", st, e);
	snprintf(want, sizeof(want), "kind=1 pid=%d val=%d\n", child, child);
	if (count_lines(o, want) != CALLS)
		fail_msg("want %d lines \"%.*s\" from bee run, got %d in: %s", CALLS,
			 (int)strlen(want) - 1, want, count_lines(o, want), o);
	snprintf(want, sizeof(want), "kind=2 pid=%d val=%d\n", child, (int)getpgid(0));
	if (count_lines(o, want) != CALLS)
		fail_msg("want %d lines \"%.*s\" from bee run, got %d in: %s", CALLS,
			 (int)strlen(want) - 1, want, count_lines(o, want), o);
	snprintf(want, sizeof(want), "bee: %d events received, 0 lost", 2 * CALLS);
	t_contains("bee run's closing line", e, want);
	close(out[0]);
	close(err[0]);
	close(go[0]);
	close(go[1]);
	free(o);
	free(e);
}

static void test_kprobe_bee_run(void **state)
{
	skip_without_kprobes();
	run_bee_run(t_bpath("tests/bpf/kmatrix_run_kprobe.bpf.o"));
}

static void test_fentry_bee_run(void **state)
{
	skip_without_trampolines();
	run_bee_run(t_bpath("tests/bpf/kmatrix_run_fentry.bpf.o"));
}

/* ---- LSM ---- */

enum { LSM_SEEN, LSM_DENIED, LSM_SLOTS };

/* The active LSMs, when securityfs shows them ("" otherwise). */
static const char *active_lsms(void)
{
	static char buf[256];
	FILE *f = fopen("/sys/kernel/security/lsm", "re");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return buf;
}

#define skip_without_bpf_lsm()                                                                     \
	do {                                                                                       \
		const char *_l = active_lsms();                                                    \
		skip_without_trampolines();                                                        \
		if (_l[0] && !strstr(_l, "bpf"))                                                   \
			t_skip("BPF LSM not active (lsm=%s)", _l);                                 \
	} while (0)

static int open_errno(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void test_lsm_deny_open(void **state)
{
	char deny[96], other[96], deny_name[48], value[32];
	struct bee_obj *obj;
	uint64_t c[LSM_SLOTS];
	int fd;

	skip_without_bpf_lsm();
	snprintf(deny_name, sizeof(deny_name), "bee-kmx-lsm-%d", getpid());
	snprintf(deny, sizeof(deny), "/tmp/%s", deny_name);
	snprintf(other, sizeof(other), "/tmp/bee-kmx-lsm-ok-%d", getpid());
	fd = open(deny, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = open(other, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);

	obj = bee_obj__open_file(t_bpath("tests/bpf/kmatrix_lsm.bpf.o"), NULL);
	if (!obj)
		fail_msg("open kmatrix_lsm.bpf.o: %s", bee_last_error());
	snprintf(value, sizeof(value), "%d", getpid());
	t_eq("set target_tgid", 0, bee_obj__set_var(obj, "target_tgid", value));
	t_eq("set deny_name", 0, bee_obj__set_var(obj, "deny_name", deny_name));
	if (bee_obj__load(obj))
		fail_msg("load lsm/file_open: %s", bee_last_error());
	if (bee_obj__attach(obj))
		fail_msg("attach lsm/file_open: %s", bee_last_error());
	t_eq("lsm links", 1, bee_obj__link_cnt(obj));

	/* three opens of the marker are refused, the other file opens */
	for (int i = 0; i < 3; i++)
		t_eq("open of the denied file: errno", EPERM, open_errno(deny));
	t_eq("open of another file: errno", 0, open_errno(other));
	read_counts(bee_obj__map_fd(obj, "kmx_lsm_counts"), c, LSM_SLOTS);
	t_eq("file_open calls seen", 4, c[LSM_SEEN]);
	t_eq("file_open calls denied", 3, c[LSM_DENIED]);

	bee_obj__close(obj);
	t_eq("open of the marker after the program is gone: errno", 0, open_errno(deny));
	unlink(deny);
	unlink(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kprobe_libbpf),
		cmocka_unit_test(test_kprobe_bee),
		cmocka_unit_test(test_kprobe_bee_by_section),
		cmocka_unit_test(test_fentry_libbpf),
		cmocka_unit_test(test_fentry_bee),
		cmocka_unit_test(test_fentry_bee_by_section),
		cmocka_unit_test(test_kprobe_bee_run),
		cmocka_unit_test(test_fentry_bee_run),
		cmocka_unit_test(test_lsm_deny_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
