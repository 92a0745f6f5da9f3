/*
 * Kernel tests for `bee link`, `bee perf` and `bee feature`: attach known
 * programs (tests/bpf/feature_link.bpf.c) with libbpf, then check that the
 * bee command finds each with the right link type, program id and target,
 * that `bee link detach` really detaches (the hook stops counting), that
 * pins land in bpffs only, and that the feature probe tells the truth about
 * this kernel (xdp, kprobes, trampolines).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test.h"

/* The end of a link's JSON when only this test holds it: bee lists the
 * processes holding an object's fds (bpftool's "pids") */
#define HELD_BY_ME ",\"pids\":[{\"pid\":%d,\"comm\":\"test_feature\"}]}"

enum { HIT_TP, HIT_RAW_TP, HIT_CG, HIT_UPROBE, HIT_SLOTS };

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Does the running kernel's struct bpf_link_info have @member (in its
 * union)? perf_event links report their target only from 6.6 on. */
static bool link_info_has(const char *member)
{
	const struct btf *btf = bee_kernel_btf();
	const struct btf_type *t, *u;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "bpf_link_info", BTF_KIND_STRUCT);
	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	for (int i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;

		u = btf__type_by_id(btf, m->type);
		if (m->name_off || !btf_is_union(u))
			continue;
		for (int k = 0; k < btf_vlen(u); k++)
			if (!strcmp(btf__name_by_offset(btf, btf_members(u)[k].name_off), member))
				return true;
	}
	return false;
}

static char bee_copy[128];

/* A private copy of the bee binary, made once: a rebuild of build/bee
 * while the tests run must not pull it from under them. */
static const char *bee(void)
{
	return bee_copy[0] ? bee_copy : t_bpath("bee");
}

static void copy_bee(void)
{
	char dir[96];

	snprintf(dir, sizeof(dir), "/tmp/bee_feature_test_%d", getpid());
	if (mkdir(dir, 0700) == 0 &&
	    t_sh(NULL, "cp '%s' '%s/bee'", t_bpath("bee"), dir) == 0)
		snprintf(bee_copy, sizeof(bee_copy), "%s/bee", dir);
}

static void remove_bee_copy(void)
{
	if (bee_copy[0]) {
		unlink(bee_copy);
		*strrchr(bee_copy, '/') = 0;
		rmdir(bee_copy);
	}
}

struct fixture {
	struct bpf_object *obj;
	int hits_fd;
};

static struct bpf_object *open_obj(void)
{
	struct bpf_object *obj;
	struct bpf_map *rodata;
	uint32_t pid = getpid();

	obj = bpf_object__open_file(t_bpath("tests/bpf/feature_link.bpf.o"), NULL);
	if (!obj)
		fail_msg("open feature_link.bpf.o: %s", strerror(errno));
	bpf_object__for_each_map(rodata, obj) {
		if (strstr(bpf_map__name(rodata), ".rodata")) {
			size_t sz;
			uint32_t *v = (uint32_t *)bpf_map__initial_value(rodata, &sz);

			assert_non_null(v);
			*v = pid; /* feat_pid, the only const volatile */
		}
	}
	if (bpf_object__load(obj))
		fail_msg("load feature_link.bpf.o: %s", strerror(errno));
	return obj;
}

static uint64_t hits(struct bpf_object *obj, uint32_t slot)
{
	int fd = bpf_object__find_map_fd_by_name(obj, "feat_hits");
	uint64_t v = 0;

	if (bpf_map_lookup_elem(fd, &slot, &v))
		fail_msg("lookup slot %u: %s", slot, strerror(errno));
	return v;
}

static uint32_t link_id(struct bpf_link *l)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_link__fd(l), &info, &len))
		fail_msg("link info: %s", strerror(errno));
	return info.id;
}

static uint32_t prog_id(struct bpf_program *p)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		fail_msg("prog info: %s", strerror(errno));
	return info.id;
}

/* The fd of this process that is a perf event (libbpf keeps one per
 * tracepoint/uprobe attachment); -1 when there is none or more than one
 * and @nth does not pick. */
static int perf_fd(int nth)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int found = -1, n = 0;

	while ((e = readdir(d))) {
		char p[300], t[64];
		ssize_t len;

		snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
		len = readlink(p, t, sizeof(t) - 1);
		if (len <= 0)
			continue;
		t[len] = 0;
		if (!strcmp(t, "anon_inode:[perf_event]") && n++ == nth)
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/* Run a bee command line; fail unless it exits with @want_rc. */
static char *run(int want_rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *run(int want_rc, const char *fmt, ...)
{
	char *out = NULL;
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = t_sh(&out, "%s", cmd);
	if (rc != want_rc)
		fail_msg("%s: want exit %d, got %d: %s", cmd, want_rc, rc, out);
	return out;
}

/* A tracepoint attached through libbpf is a perf_event link whose target
 * bee names, and its perf event fd shows in `bee perf list`. */
static void test_link_tracepoint(void **state)
{
	struct bpf_object *obj = open_obj();
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "feat_tp");
	struct bpf_link *l = bpf_program__attach(p);
	char want[512], *out;
	uint32_t lid, pid;
	int pfd;

	if (!l)
		fail_msg("attach feat_tp: %s", strerror(errno));
	for (int i = 0; i < 3; i++)
		syscall(SYS_getppid);
	t_eq("getppid calls the tracepoint counted", 3, hits(obj, HIT_TP));
	lid = link_id(l);
	pid = prog_id(p);

	out = run(0, "%s -j link show id %u", bee(), lid);
	if (link_info_has("perf_event"))
		snprintf(want, sizeof(want),
			 "{\"id\":%u,\"type\":\"perf_event\",\"prog_id\":%u,\"perf_event_type\":"
			 "\"tracepoint\",\"tracepoint\":\"sys_enter_getppid\"",
			 lid, pid);
	else /* before 6.6 the kernel says no more */
		snprintf(want, sizeof(want), "{\"id\":%u,\"type\":\"perf_event\",\"prog_id\":%u" HELD_BY_ME,
			 lid, pid, getpid());
	t_contains("bee -j link show", out, want);
	free(out);

	out = run(0, "%s -j link list", bee());
	t_contains("bee -j link list", out, want);
	free(out);

	out = run(0, "%s link list", bee());
	if (link_info_has("perf_event"))
		snprintf(want, sizeof(want),
			 "%u: perf_event  prog %u\n\ttracepoint  sys_enter_getppid\n", lid, pid);
	else
		snprintf(want, sizeof(want), "%u: perf_event  prog %u\n", lid, pid);
	t_contains("bee link list", out, want);
	free(out);

	pfd = perf_fd(0);
	assert_true(pfd >= 0);
	out = run(0, "%s -j perf list", bee());
	snprintf(want, sizeof(want),
		 "{\"pid\":%d,\"comm\":\"test_feature\",\"fd\":%d,\"prog_id\":%u,\"fd_type\":"
		 "\"tracepoint\",\"tracepoint\":\"sys_enter_getppid\"}",
		 getpid(), pfd, pid);
	t_contains("bee -j perf list", out, want);
	free(out);

	out = run(0, "%s perf list", bee());
	snprintf(want, sizeof(want), "pid %d  fd %d: prog_id %u  tracepoint  sys_enter_getppid\n",
		 getpid(), pfd, pid);
	t_contains("bee perf list", out, want);
	free(out);

	/* the kernel cannot detach a perf_event link: one clear line */
	out = run(1, "%s link detach id %u 2>&1", bee(), lid);
	snprintf(want, sizeof(want),
		 "bee: link id %u (perf_event): the kernel cannot detach this link type", lid);
	t_contains("bee link detach of a perf_event link", out, want);
	t_eq("lines printed by the failed detach", 1, count_lines(out));
	free(out);

	bpf_link__destroy(l);
	bpf_object__close(obj);
}

/* A raw tracepoint is a raw_tracepoint link with its name, and the link
 * fd itself answers BPF_TASK_FD_QUERY. */
static void test_link_raw_tracepoint(void **state)
{
	struct bpf_object *obj = open_obj();
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "feat_raw_tp");
	struct bpf_link *l = bpf_program__attach(p);
	char want[512], *out;
	uint32_t lid, pid;

	if (!l)
		fail_msg("attach feat_raw_tp: %s", strerror(errno));
	syscall(SYS_getppid);
	assert_true(hits(obj, HIT_RAW_TP) >= 1);
	lid = link_id(l);
	pid = prog_id(p);
	out = run(0, "%s -j link show id %u", bee(), lid);
	snprintf(want, sizeof(want),
		 "{\"id\":%u,\"type\":\"raw_tracepoint\",\"prog_id\":%u,\"tp_name\":\"sys_enter\"",
		 lid, pid);
	t_contains("bee -j link show of a raw tracepoint", out, want);
	free(out);

	out = run(0, "%s -j perf list", bee());
	snprintf(want, sizeof(want),
		 "{\"pid\":%d,\"comm\":\"test_feature\",\"fd\":%d,\"prog_id\":%u,\"fd_type\":"
		 "\"raw_tracepoint\",\"tracepoint\":\"sys_enter\"}",
		 getpid(), bpf_link__fd(l), pid);
	t_contains("bee -j perf list of a raw tracepoint", out, want);
	free(out);
	bpf_link__destroy(l);
	bpf_object__close(obj);
}

__attribute__((noinline, used)) int feat_uprobe_target(int x)
{
	asm volatile("" ::: "memory");
	return x + 1;
}

/* A uprobe on a function of this binary: the link and perf list show the
 * file and the offset, the same offset bpftool (the oracle) reports. */
static void test_link_uprobe(void **state)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "feat_uprobe_target");
	struct bpf_object *obj = open_obj();
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "feat_uprobe");
	char self[PATH_MAX], want[PATH_MAX + 256], *out, *oracle = NULL;
	struct bpf_link *l;
	unsigned long long off = 0;
	uint32_t lid, pid;
	const char *o;
	int pfd;

	if (!realpath("/proc/self/exe", self))
		fail_msg("realpath /proc/self/exe: %s", strerror(errno));
	l = bpf_program__attach_uprobe_opts(p, 0, self, 0, &uo);
	if (!l)
		fail_msg("attach uprobe on %s:feat_uprobe_target: %s", self, strerror(errno));
	feat_uprobe_target(1);
	feat_uprobe_target(2);
	t_eq("uprobe hits", 2, hits(obj, HIT_UPROBE));
	lid = link_id(l);
	pid = prog_id(p);
	pfd = perf_fd(0);
	assert_true(pfd >= 0);

	/* the file offset of the function: where its mapping starts in the
	 * file plus how far into the mapping it lies */
	{
		FILE *m = fopen("/proc/self/maps", "re");
		unsigned long long lo, hi, foff, a = (uintptr_t)feat_uprobe_target;
		char line[PATH_MAX + 128];

		assert_non_null(m);
		while (fgets(line, sizeof(line), m))
			if (sscanf(line, "%llx-%llx %*s %llx", &lo, &hi, &foff) == 3 && a >= lo &&
			    a < hi)
				off = a - lo + foff;
		fclose(m);
	}
	assert_true(off > 0);
	/* bpftool, where there is one, agrees */
	if (t_sh(&oracle, "bpftool -j perf list 2>/dev/null") == 0 && (o = strstr(oracle, self)) &&
	    (o = strstr(o, "\"offset\":")))
		t_eq("uprobe offset bpftool reports", off, strtoull(o + 9, NULL, 10));
	free(oracle);

	out = run(0, "%s -j link show id %u", bee(), lid);
	if (link_info_has("perf_event"))
		snprintf(want, sizeof(want),
			 "{\"id\":%u,\"type\":\"perf_event\",\"prog_id\":%u,\"perf_event_type\":"
			 "\"uprobe\",\"file\":\"%s\",\"offset\":%llu,",
			 lid, pid, self, off);
	else
		snprintf(want, sizeof(want), "{\"id\":%u,\"type\":\"perf_event\",\"prog_id\":%u" HELD_BY_ME,
			 lid, pid, getpid());
	t_contains("bee -j link show of a uprobe", out, want);
	free(out);

	out = run(0, "%s -j perf list", bee());
	snprintf(want, sizeof(want),
		 "{\"pid\":%d,\"comm\":\"test_feature\",\"fd\":%d,\"prog_id\":%u,\"fd_type\":"
		 "\"uprobe\",\"filename\":\"%s\",\"offset\":%llu}",
		 getpid(), pfd, pid, self, off);
	t_contains("bee -j perf list of a uprobe", out, want);
	free(out);
	bpf_link__destroy(l);
	bpf_object__close(obj);
}

static int load_trivial(enum bpf_prog_type type, enum bpf_attach_type at, int btf_id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = at, .attach_btf_id = btf_id);

	return bpf_prog_load(type, "feat_trivial", "GPL", insns, 2, &o);
}

/* An fentry link is a tracing link whose target bee names from kernel BTF.
 * Needs BPF trampolines; skips with the kernel's reason where they fail. */
static void test_link_tracing(void **state)
{
	char why[256], want[512], *out;
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	struct btf *vm;
	int id, pfd, lfd;

	if (!t_kernel_has_trampolines(why, sizeof(why)))
		t_skip("%s", why);
	vm = btf__load_vmlinux_btf();
	assert_non_null(vm);
	id = btf__find_by_name_kind(vm, "do_nanosleep", BTF_KIND_FUNC);
	btf__free(vm);
	assert_true(id > 0);
	pfd = load_trivial(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, id);
	assert_true(pfd >= 0);
	lfd = bpf_link_create(pfd, 0, BPF_TRACE_FENTRY, NULL);
	if (lfd < 0)
		fail_msg("fentry link on do_nanosleep: %s", strerror(errno));
	assert_int_equal(bpf_obj_get_info_by_fd(lfd, &info, &len), 0);
	out = run(0, "%s -j link show id %u", bee(), info.id);
	snprintf(want, sizeof(want),
		 "{\"id\":%u,\"type\":\"tracing\",\"prog_id\":%u,\"attach_type\":\"trace_fentry\","
		 "\"target_obj_id\":",
		 info.id, info.prog_id);
	t_contains("bee -j link show of an fentry link", out, want);
	snprintf(want, sizeof(want), "\"target_btf_id\":%d,\"target_name\":\"do_nanosleep\"" HELD_BY_ME,
		 id, getpid());
	t_contains("the fentry link's target", out, want);
	free(out);
	close(lfd);
	close(pfd);
}

/* A kprobe through the kprobe PMU and a perf_event link: bee names the
 * function in the link and in perf list. Skips where there are no
 * kprobes. */
static void test_link_kprobe(void **state)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	char why[256], want[512], *out, *type = NULL;
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	int pfd, efd, lfd;

	if (!t_kernel_has_kprobes(why, sizeof(why)))
		t_skip("%s", why);
	if (t_sh(&type, "cat /sys/bus/event_source/devices/kprobe/type") || !*type)
		t_skip("no kprobe PMU (legacy kprobe_events only)");
	attr.type = atoi(type);
	free(type);
	attr.config1 = (uintptr_t)"do_nanosleep"; /* kprobe_func */
	efd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (efd < 0)
		fail_msg("kprobe on do_nanosleep: %s", strerror(errno));
	pfd = load_trivial(BPF_PROG_TYPE_KPROBE, 0, 0);
	assert_true(pfd >= 0);
	lfd = bpf_link_create(pfd, efd, BPF_PERF_EVENT, NULL);
	if (lfd < 0)
		fail_msg("perf_event link for the kprobe: %s", strerror(errno));
	assert_int_equal(bpf_obj_get_info_by_fd(lfd, &info, &len), 0);
	if (link_info_has("perf_event")) {
		out = run(0, "%s -j link show id %u", bee(), info.id);
		snprintf(want, sizeof(want),
			 "{\"id\":%u,\"type\":\"perf_event\",\"prog_id\":%u,\"perf_event_type\":"
			 "\"kprobe\",\"func\":\"do_nanosleep\",\"offset\":0,",
			 info.id, info.prog_id);
		t_contains("bee -j link show of a kprobe link", out, want);
		free(out);
	}
	out = run(0, "%s -j perf list", bee());
	snprintf(want, sizeof(want),
		 "{\"pid\":%d,\"comm\":\"test_feature\",\"fd\":%d,\"prog_id\":%u,\"fd_type\":"
		 "\"kprobe\",\"func\":\"do_nanosleep\",\"offset\":0}",
		 getpid(), efd, info.prog_id);
	t_contains("bee -j perf list of a kprobe", out, want);
	free(out);
	close(lfd);
	close(pfd);
	close(efd);
}

/* Which cgroup v2 directory this process is in (from /proc/self/cgroup). */
static void own_cgroup(char *out, size_t n)
{
	char *text = NULL, *p;

	assert_int_equal(t_sh(&text, "cat /proc/self/cgroup"), 0);
	p = strstr(text, "0::");
	assert_non_null(p);
	p += 3;
	p[strcspn(p, "\n")] = 0;
	snprintf(out, n, "%s%s", bee_cgroup2_root(), p);
	free(text);
}

static void move_to(const char *cg)
{
	char p[PATH_MAX], pid[32];
	int fd, n;

	snprintf(p, sizeof(p), "%s/cgroup.procs", cg);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", p, strerror(errno));
	n = snprintf(pid, sizeof(pid), "%d", getpid());
	if (write(fd, pid, n) != n)
		fail_msg("move into %s: %s", cg, strerror(errno));
	close(fd);
}

static void send_udp(int cnt)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < cnt; i++)
		sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
	close(s);
}

static uint32_t cg_prog_cnt(int cgfd)
{
	uint32_t ids[8], cnt = 8;

	if (bpf_prog_query(cgfd, BPF_CGROUP_INET_EGRESS, 0, NULL, ids, &cnt))
		fail_msg("query cgroup egress programs: %s", strerror(errno));
	return cnt;
}

/* A cgroup link: bee shows the cgroup id and path; pin goes to bpffs only;
 * `bee link detach` cuts the program from the cgroup for real. */
static void test_link_cgroup_pin_detach(void **state)
{
	struct bpf_object *obj = open_obj();
	struct bpf_program *p = bpf_object__find_program_by_name(obj, "feat_cg");
	char cg[PATH_MAX], home[PATH_MAX], pin[PATH_MAX], bad[PATH_MAX], want[PATH_MAX + 256];
	struct bpf_link *l;
	struct stat st;
	char *out;
	uint32_t lid, pid;
	uint64_t before;
	int cgfd;

	if (!bee_cgroup2_root())
		t_skip("no cgroup v2 mount");
	own_cgroup(home, sizeof(home));
	snprintf(cg, sizeof(cg), "%s/bee_feature_%d", bee_cgroup2_root(), getpid());
	if (mkdir(cg, 0755))
		fail_msg("mkdir %s: %s", cg, strerror(errno));
	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(cgfd >= 0);
	assert_int_equal(stat(cg, &st), 0);
	l = bpf_program__attach_cgroup(p, cgfd);
	if (!l)
		fail_msg("attach feat_cg to %s: %s", cg, strerror(errno));
	lid = link_id(l);
	pid = prog_id(p);
	t_eq("programs on the test cgroup after attach", 1, cg_prog_cnt(cgfd));

	move_to(cg);
	before = hits(obj, HIT_CG);
	send_udp(4);
	t_eq("egress packets counted in the cgroup", before + 4, hits(obj, HIT_CG));

	out = run(0, "%s -j link show id %u", bee(), lid);
	snprintf(want, sizeof(want),
		 "{\"id\":%u,\"type\":\"cgroup\",\"prog_id\":%u,\"cgroup_id\":%llu,\"cgroup_path\":"
		 "\"%s\",\"attach_type\":\"cgroup_inet_egress\"" HELD_BY_ME,
		 lid, pid, (unsigned long long)st.st_ino, cg, getpid());
	t_contains("bee -j link show of a cgroup link", out, want);
	free(out);

	/* pin: into bpffs, and nowhere else */
	snprintf(pin, sizeof(pin), "%s/bee_feature_link_%d", bee_bpffs(), getpid());
	snprintf(bad, sizeof(bad), "/tmp/bee_feature_link_%d", getpid());
	out = run(1, "%s link pin id %u %s 2>&1", bee(), lid, bad);
	t_contains("pin outside bpffs", out, "is not on a bpffs mount");
	t_eq("lines printed by the failed pin", 1, count_lines(out));
	t_eq("pin outside bpffs creates nothing", -1, access(bad, F_OK));
	free(out);
	out = run(0, "%s link pin id %u %s", bee(), lid, pin);
	free(out);
	out = run(0, "%s -j link show pinned %s", bee(), pin);
	snprintf(want, sizeof(want), "{\"id\":%u,\"type\":\"cgroup\"", lid);
	t_contains("bee link show pinned", out, want);
	free(out);

	/* detach through the pin */
	out = run(0, "%s link detach pinned %s", bee(), pin);
	free(out);
	t_eq("programs on the test cgroup after bee link detach", 0, cg_prog_cnt(cgfd));
	before = hits(obj, HIT_CG);
	send_udp(4);
	t_eq("egress packets counted after detach", before, hits(obj, HIT_CG));

	unlink(pin);
	move_to(home);
	bpf_link__destroy(l);
	close(cgfd);
	if (rmdir(cg))
		fail_msg("rmdir %s: %s", cg, strerror(errno));
	bpf_object__close(obj);
}

/* tcx (newer than libbpf 1.1: made with the attach type's value from
 * kernel BTF) and xdp links on lo of a network namespace of the test's own,
 * and an sk_lookup link on that namespace: bee names the interface, the
 * namespace and the attach type, and detaches each for real. */
static void test_link_tcx_xdp(void **state)
{
	LIBBPF_OPTS(bpf_prog_query_opts, q);
	struct bpf_object *obj;
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	long long tcx_ingress;
	char want[512], *out;
	int orig, tcx_fd, xdp_fd, tc_prog, xdp_prog;
	uint32_t tcx_id = 0, xdp_id, tcx_pid, xdp_pid;
	/* before 6.6 there is no tcx: the xdp and netns parts still run */
	bool have_tcx = bee_enum_value("BPF_TCX_INGRESS", &tcx_ingress) == 0;

	orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(orig >= 0);
	if (unshare(CLONE_NEWNET))
		fail_msg("unshare(CLONE_NEWNET): %s", strerror(errno));
	assert_int_equal(t_sh(NULL, "ip link set lo up"), 0);

	obj = open_obj();
	tc_prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "feat_tc"));
	xdp_prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "feat_xdp"));
	tcx_pid = prog_id(bpf_object__find_program_by_name(obj, "feat_tc"));
	xdp_pid = prog_id(bpf_object__find_program_by_name(obj, "feat_xdp"));
	tcx_fd = have_tcx ? bpf_link_create(tc_prog, 1, tcx_ingress, NULL) : -1;
	if (have_tcx && tcx_fd < 0)
		fail_msg("tcx link on lo: %s", strerror(errno));
	xdp_fd = bpf_link_create(xdp_prog, 1, BPF_XDP, NULL);
	if (xdp_fd < 0)
		fail_msg("xdp link on lo: %s", strerror(errno));
	if (have_tcx) {
		assert_int_equal(bpf_obj_get_info_by_fd(tcx_fd, &info, &len), 0);
		tcx_id = info.id;
		len = sizeof(info);
	}
	assert_int_equal(bpf_obj_get_info_by_fd(xdp_fd, &info, &len), 0);
	xdp_id = info.id;

	out = run(0, "%s -j link list", bee());
	snprintf(want, sizeof(want),
		 "{\"id\":%u,\"type\":\"tcx\",\"prog_id\":%u,\"ifindex\":1,\"ifname\":\"lo\","
		 "\"attach_type\":\"tcx_ingress\"" HELD_BY_ME,
		 tcx_id, tcx_pid, getpid());
	if (have_tcx)
		t_contains("bee -j link list: the tcx link", out, want);
	snprintf(want, sizeof(want),
		 "{\"id\":%u,\"type\":\"xdp\",\"prog_id\":%u,\"ifindex\":1,\"ifname\":\"lo\"" HELD_BY_ME,
		 xdp_id, xdp_pid, getpid());
	t_contains("bee -j link list: the xdp link", out, want);
	free(out);

	if (have_tcx) {
		assert_int_equal(bpf_prog_query_opts(1, tcx_ingress, &q), 0);
		t_eq("tcx programs on lo before detach", 1, q.prog_cnt);
		out = run(0, "%s link detach id %u", bee(), tcx_id);
		free(out);
		memset(&q, 0, sizeof(q));
		q.sz = sizeof(q);
		assert_int_equal(bpf_prog_query_opts(1, tcx_ingress, &q), 0);
		t_eq("tcx programs on lo after bee link detach", 0, q.prog_cnt);
	}
	out = run(0, "%s link detach id %u", bee(), xdp_id);
	free(out);
	{
		LIBBPF_OPTS(bpf_xdp_query_opts, xq);

		assert_int_equal(bpf_xdp_query(1, 0, &xq), 0);
		t_eq("xdp program on lo after bee link detach", 0, xq.prog_id);
	}

	/* a netns link: sk_lookup on this (private) network namespace */
	{
		struct bpf_program *p = bpf_object__find_program_by_name(obj, "feat_sk_lookup");
		int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), lfd;
		uint32_t ids[4], cnt = 4, lid;
		struct stat st;

		assert_true(ns >= 0);
		assert_int_equal(fstat(ns, &st), 0);
		lfd = bpf_link_create(bpf_program__fd(p), ns, BPF_SK_LOOKUP, NULL);
		if (lfd < 0)
			fail_msg("sk_lookup link on the test netns: %s", strerror(errno));
		len = sizeof(info);
		assert_int_equal(bpf_obj_get_info_by_fd(lfd, &info, &len), 0);
		lid = info.id;
		out = run(0, "%s -j link show id %u", bee(), lid);
		snprintf(want, sizeof(want),
			 "{\"id\":%u,\"type\":\"netns\",\"prog_id\":%u,\"netns_ino\":%llu,"
			 "\"attach_type\":\"sk_lookup\"" HELD_BY_ME,
			 lid, prog_id(p), (unsigned long long)st.st_ino, getpid());
		t_contains("bee -j link show of a netns link", out, want);
		free(out);
		assert_int_equal(bpf_prog_query(ns, BPF_SK_LOOKUP, 0, NULL, ids, &cnt), 0);
		t_eq("sk_lookup programs on the netns before detach", 1, cnt);
		out = run(0, "%s link detach id %u", bee(), lid);
		free(out);
		cnt = 4;
		assert_int_equal(bpf_prog_query(ns, BPF_SK_LOOKUP, 0, NULL, ids, &cnt), 0);
		t_eq("sk_lookup programs on the netns after bee link detach", 0, cnt);
		close(lfd);
		close(ns);
	}

	if (tcx_fd >= 0)
		close(tcx_fd);
	close(xdp_fd);
	bpf_object__close(obj);
	if (setns(orig, CLONE_NEWNET))
		fail_msg("back to the original netns: %s", strerror(errno));
	close(orig);
}

/* Split BTF (what a module's BTF is): types numbered after vmlinux's,
 * referring to vmlinux's. bee reads it on top of the base and dumps only
 * its own types, with the ids and references bpftool would print. */
static void test_btf_split(void **state)
{
	struct btf *base = btf__parse("/sys/kernel/btf/vmlinux", NULL), *split;
	char path[128], want[512], *out;
	const void *raw;
	uint32_t raw_sz;
	int int_id, ptr_id, st_id, n;

	assert_non_null(base);
	int_id = btf__find_by_name_kind(base, "int", BTF_KIND_INT);
	assert_true(int_id > 0);
	n = btf__type_cnt(base);
	split = btf__new_empty_split(base);
	assert_non_null(split);
	/* fields follow their struct: the pointer comes first */
	ptr_id = btf__add_ptr(split, n + 1);
	assert_int_equal(ptr_id, n);
	st_id = btf__add_struct(split, "bee_split_test", 16);
	assert_int_equal(st_id, n + 1);
	assert_int_equal(btf__add_field(split, "a", int_id, 0, 0), 0);
	assert_int_equal(btf__add_field(split, "next", ptr_id, 64, 0), 0);
	raw = btf__raw_data(split, &raw_sz);
	assert_non_null(raw);
	snprintf(path, sizeof(path), "/tmp/bee_feature_split_%d.btf", getpid());
	{
		FILE *f = fopen(path, "we");

		assert_non_null(f);
		assert_int_equal(fwrite(raw, 1, raw_sz, f), raw_sz);
		fclose(f);
	}
	out = run(0, "%s btf dump file %s base /sys/kernel/btf/vmlinux", bee(), path);
	snprintf(want, sizeof(want),
		 "[%d] PTR '(anon)' type_id=%d\n"
		 "[%d] STRUCT 'bee_split_test' size=16 vlen=2\n"
		 "\t'a' type_id=%d bits_offset=0\n"
		 "\t'next' type_id=%d bits_offset=64\n",
		 ptr_id, st_id, st_id, int_id, ptr_id);
	t_streq("split BTF raw dump", want, out);
	free(out);
	/* bpftool, the oracle, reads it the same */
	if (t_sh(&out, "bpftool -B /sys/kernel/btf/vmlinux btf dump file %s", path) == 0)
		t_streq("bpftool's dump of the same split BTF", want, out);
	free(out);
	out = run(0, "%s btf dump file %s base /sys/kernel/btf/vmlinux format c", bee(), path);
	t_contains("split BTF as C", out, "struct bee_split_test {\n\tint a;\n\tstruct bee_split_test *next;\n};");
	free(out);
	out = run(1, "%s btf dump file %s 2>&1", bee(), path);
	t_contains("split BTF without its base", out, "bee: btf file");
	free(out);
	unlink(path);
	btf__free(split);
	btf__free(base);
}

/* `btf dump map MAP key|value|kv|all` in both formats prints what bpftool
 * (the oracle) prints for the same map. */
static void test_btf_dump_map(void **state)
{
	static const char *const parts[] = { "key", "value", "kv", "all" };
	static const char *const fmts[] = { "raw", "c" };
	struct bpf_object *obj = open_obj();
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char *got, *want;
	int fd = bpf_object__find_map_fd_by_name(obj, "feat_hits");

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	if (t_sh(NULL, "bpftool version >/dev/null 2>&1"))
		t_skip("no bpftool (the oracle)");
	for (size_t p = 0; p < 4; p++) {
		for (size_t f = 0; f < 2; f++) {
			char what[96];

			got = run(0, "%s btf dump map id %u %s format %s", bee(), info.id, parts[p],
				  fmts[f]);
			assert_int_equal(t_sh(&want, "bpftool btf dump map id %u %s format %s",
					      info.id, parts[p], fmts[f]),
					 0);
			snprintf(what, sizeof(what), "btf dump map %s format %s", parts[p], fmts[f]);
			t_streq(what, want, got);
			free(got);
			free(want);
		}
	}
	got = run(0, "%s btf dump map id %u value", bee(), info.id);
	t_contains("the value type of feat_hits", got, "TYPEDEF '__u64'");
	free(got);
	bpf_object__close(obj);
}

/* The probe says what this kernel really does: xdp loads, and kprobes and
 * trampolines are reported as the test library finds them. */
static void test_feature_probe_truth(void **state)
{
	char why[256], want[256], *out;
	bool kp = t_kernel_has_kprobes(why, sizeof(why));
	bool tr = t_kernel_has_trampolines(why, sizeof(why));

	out = run(0, "%s -j feature probe fresh", bee());
	t_contains("feature probe JSON", out, "\"have_xdp_prog_type\":true");
	t_contains("feature probe JSON", out, "\"have_hash_map_type\":true");
	snprintf(want, sizeof(want), "\"kprobes\":{\"available\":%s", kp ? "true" : "false");
	t_contains("kprobes status", out, want);
	snprintf(want, sizeof(want), "\"bpf_trampoline\":{\"available\":%s", tr ? "true" : "false");
	t_contains("trampoline status", out, want);
	/* helpers: xdp can redirect, a socket filter cannot */
	t_contains("xdp helpers", out, "\"xdp_available_helpers\":[\"bpf_map_lookup_elem\"");
	{
		const char *x = strstr(out, "\"xdp_available_helpers\":");
		const char *s = strstr(out, "\"socket_filter_available_helpers\":");
		const char *xe = x ? strchr(x, ']') : NULL, *se = s ? strchr(s, ']') : NULL;
		const char *r;

		assert_non_null(xe);
		assert_non_null(se);
		r = strstr(x, "\"bpf_redirect\"");
		assert_true(r && r < xe);
		r = strstr(s, "\"bpf_redirect\"");
		if (r && r < se)
			fail_msg("socket_filter lists bpf_redirect, which its verifier refuses");
	}
	free(out);

	/* a raw check of the same fact through the library */
	t_eq("bee_probe_prog_type(xdp)", 1,
	     bee_probe_prog_type(bee_kind_value(BEE_KIND_PROG_TYPE, "xdp"), why, sizeof(why)));
	t_eq("bee_probe_helper(socket_filter, bpf_redirect)", 0,
	     bee_probe_helper(bee_kind_value(BEE_KIND_PROG_TYPE, "socket_filter"),
			      bee_kind_value(BEE_KIND_HELPER, "bpf_redirect")));
	t_eq("bee_probe_helper(xdp, bpf_redirect)", 1,
	     bee_probe_helper(bee_kind_value(BEE_KIND_PROG_TYPE, "xdp"),
			      bee_kind_value(BEE_KIND_HELPER, "bpf_redirect")));
}

/* Types newer than libbpf 1.1 get their names from kernel BTF and a real
 * probe. */
static void test_feature_newer_types(void **state)
{
	char why[256], cfg[64], *config = NULL;
	int nf = bee_kind_value(BEE_KIND_PROG_TYPE, "netfilter");
	int arena = bee_kind_value(BEE_KIND_MAP_TYPE, "arena");

	if (nf < 0)
		t_skip("kernel BTF has no BPF_PROG_TYPE_NETFILTER (kernel older than 6.4)");
	t_eq("libbpf 1.1 names netfilter", 1, libbpf_bpf_prog_type_str(nf) == NULL);
	assert_int_equal(bee_kernel_config(&config, NULL), 0);
	t_eq("netfilter program type available as CONFIG_NETFILTER_BPF_LINK says",
	     bee_kernel_config_get(config, "CONFIG_NETFILTER_BPF_LINK", cfg, sizeof(cfg)) != NULL,
	     bee_probe_prog_type(nf, why, sizeof(why)));
	if (arena >= 0)
		t_eq("arena map type available as CONFIG_MMU says",
		     bee_kernel_config_get(config, "CONFIG_MMU", cfg, sizeof(cfg)) != NULL,
		     bee_probe_map_type(arena, why, sizeof(why)));
	free(config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_tracepoint),
		cmocka_unit_test(test_link_raw_tracepoint),
		cmocka_unit_test(test_link_uprobe),
		cmocka_unit_test(test_link_tracing),
		cmocka_unit_test(test_link_kprobe),
		cmocka_unit_test(test_link_cgroup_pin_detach),
		cmocka_unit_test(test_link_tcx_xdp),
		cmocka_unit_test(test_btf_split),
		cmocka_unit_test(test_btf_dump_map),
		cmocka_unit_test(test_feature_probe_truth),
		cmocka_unit_test(test_feature_newer_types),
	};

	int rc;

	libbpf_set_print(NULL);
	copy_bee();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	remove_bee_copy();
	return rc;
}
