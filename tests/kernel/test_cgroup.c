/* cgroup programs on a real cgroup v2 made for this run: the device guard
 * (EPERM on /dev/null inside, nothing outside), the seed's raw
 * BPF_PROG_ATTACH example, the cgroup firewall (connect EPERM only inside),
 * cgroup skb egress counts, legacy attachments, kill -9 and bad input. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"

static char CG[512];
static int port_base;

struct dg_key {
	uint32_t type, major, minor;
};

struct dg_rule {
	uint32_t allow, deny;
};

static int setup(void **state)
{
	const char *root = bee_cgroup2_root();

	if (!root) {
		print_message("no cgroup v2 mount\n");
		return -1;
	}
	snprintf(CG, sizeof(CG), "%s/beenet-cg-%d", root, getpid());
	if (mkdir(CG, 0755) && errno != EEXIST) {
		print_message("mkdir %s: %s\n", CG, strerror(errno));
		return -1;
	}
	port_base = 30000 + getpid() % 20000;
	return 0;
}

static int teardown(void **state)
{
	rmdir(CG);
	return 0;
}

/* Run a helper inside the cgroup (or outside with @inside false); its first
 * output line in @out (static). */
static const char *run(bool inside, const char *fmt, ...)
{
	static char line[256];
	char cmd[2048], *out = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (inside)
		t_sh(&out, "sh -c 'echo $$ > %s/cgroup.procs && exec %s' 2>&1", CG, cmd);
	else
		t_sh(&out, "%s 2>&1", cmd);
	snprintf(line, sizeof(line), "%s", out ? out : "");
	for (char *p = line; *p; p++)
		if (*p == '\n') {
			*p = 0;
			break;
		}
	free(out);
	return line;
}

static struct bee_obj *open_load(const char *rel)
{
	struct bee_obj *obj = bee_obj__open_file(t_bpath("%s", rel), NULL);

	if (!obj || bee_obj__load(obj))
		fail_msg("load %s: %s", rel, bee_last_error());
	return obj;
}

static int progs_on(const char *type)
{
	uint32_t ids[16], cnt = 16, flags = 0;
	int fd = open(CG, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int at = bee_cgroup__attach_type(type);

	if (bpf_prog_query(fd, at, 0, &flags, ids, &cnt))
		cnt = 0;
	close(fd);
	return cnt;
}

/* Programs left on the cgroup once a detach has taken effect. Closing the
 * last fd of a link detaches at once, unless another process holds the
 * file for a moment: bee's pids iterator (any `bee prog/map/link show`
 * running beside this test) takes a reference to every file it walks past,
 * and the detach then happens when it lets go. Wait up to 2 s for that. */
static int progs_gone(const char *type)
{
	int n = progs_on(type);

	for (int i = 0; n && i < 200; i++) {
		usleep(10000);
		n = progs_on(type);
	}
	return n;
}

/* Before each test: nothing on the cgroup, whatever an earlier failure left. */
static int clean(void **state)
{
	struct bee_cgroup_prog p[32];
	int n = bee_cgroup__query(CG, false, p, 32);
	int cg = open(CG, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int i = 0; i < n && i < 32; i++) {
		int fd = p[i].link_id ? bpf_link_get_fd_by_id(p[i].link_id) :
					bpf_prog_get_fd_by_id(p[i].prog_id);

		if (fd < 0)
			continue;
		if (p[i].link_id)
			bpf_link_detach(fd);
		else
			bpf_prog_detach2(fd, cg, bee_cgroup__attach_type(p[i].attach_type));
		close(fd);
	}
	close(cg);
	return 0;
}

/* ---- device guard ---- */

static void test_devguard_deny_allow(void **state)
{
	struct bee_obj *obj = open_load("tools/devguard/devguard.bpf.o");
	struct dg_key null = { 2, 1, 3 };
	struct dg_rule deny = { .deny = 6 }, allow = { .allow = 6 };
	int rules = bee_obj__map_fd(obj, "rules");
	struct bee_link *l;
	uint64_t cnt = 0;

	bpf_map_update_elem(rules, &null, &deny, 0);
	l = bee_cgroup__attach(bee_obj__prog_fd(obj, "devguard"), CG, "device", 0);
	if (!l)
		fail_msg("attach device: %s", bee_last_error());
	t_eq("one device program on the cgroup", 1, progs_on("device"));
	t_streq("open /dev/null inside, denied", "EPERM",
		run(true, "%s /dev/null", t_bpath("tests/helpers/cg_open")));
	t_streq("open /dev/null outside", "ok", run(false, "%s /dev/null", t_bpath("tests/helpers/cg_open")));
	t_streq("open /dev/zero inside (no rule: default allow)", "ok",
		run(true, "%s /dev/zero", t_bpath("tests/helpers/cg_open")));
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "denied"), &null, &cnt);
	t_eq("denials counted for c 1:3", 1, cnt);
	/* change the rule while attached */
	bpf_map_update_elem(rules, &null, &allow, 0);
	t_streq("open /dev/null inside, allowed", "ok",
		run(true, "%s /dev/null", t_bpath("tests/helpers/cg_open")));
	t_eq("destroy", 0, bee_link__destroy(l));
	t_eq("no device program after destroy", 0, progs_gone("device"));
	bee_obj__close(obj);
}

static void test_devguard_tool_cli(void **state)
{
	const char *bee = t_bpath("bee");
	char *out = NULL;
	int rc;

	if (access(bee, X_OK))
		t_skip("%s not built", bee);
	rc = t_sh(&out, "%s devguard --cgroup %s --deny c 1:3 w -- %s /dev/null w 2>&1", bee, CG,
		  t_bpath("tests/helpers/cg_open"));
	t_contains("command's output", out, "EPERM");
	t_contains("denial reported", out, "DENY pid");
	t_contains("denial device", out, "c 1:3 w");
	t_eq("exit status is the command's", 1, rc);
	free(out);
	rc = t_sh(&out, "%s devguard --cgroup %s --deny c 1:3 w -- %s /dev/null r 2>&1", bee, CG,
		  t_bpath("tests/helpers/cg_open"));
	t_contains("read still allowed", out, "ok");
	t_eq("exit status", 0, rc);
	free(out);
	t_eq("nothing left on the cgroup", 0, progs_gone("device"));
}

static void test_device_raw_example(void **state)
{
	char *out = NULL;
	int rc;

	rc = t_sh(&out, "%s %s c 1:3 -- %s /dev/null 2>&1", t_bpath("examples/cgroup_device_raw"), CG,
		  t_bpath("tests/helpers/cg_open"));
	t_contains("open under the raw BPF_PROG_ATTACH program", out, "EPERM");
	t_eq("exit status is the command's", 1, rc);
	free(out);
	t_eq("detached by BPF_PROG_DETACH at exit", 0, progs_gone("device"));
	t_streq("open after", "ok", run(true, "%s /dev/null", t_bpath("tests/helpers/cg_open")));
}

static void test_legacy_outlives_link(void **state)
{
	struct bee_obj *obj = open_load("tools/devguard/devguard.bpf.o");
	struct dg_key null = { 2, 1, 3 };
	struct dg_rule deny = { .deny = 6 };
	int fd = bee_obj__prog_fd(obj, "devguard");
	struct bee_link *l;

	bpf_map_update_elem(bee_obj__map_fd(obj, "rules"), &null, &deny, 0);
	l = bee_cgroup__attach(fd, CG, "BPF_CGROUP_DEVICE", BEE_CGROUP_LEGACY | BEE_CGROUP_MULTI);
	assert_non_null(l);
	t_eq("legacy attachment has no link fd", -1, bee_link__fd(l));
	bee_link__disconnect(l); /* forget it: it stays */
	t_eq("still attached", 1, progs_on("device"));
	t_streq("still enforced", "EPERM", run(true, "%s /dev/null", t_bpath("tests/helpers/cg_open")));
	t_eq("bee_cgroup__detach", 0, bee_cgroup__detach(fd, CG, "device"));
	t_eq("gone", 0, progs_gone("device"));
	/* a legacy link destroyed undoes BPF_PROG_ATTACH */
	l = bee_cgroup__attach(fd, CG, "device", BEE_CGROUP_LEGACY);
	assert_non_null(l);
	t_eq("attached", 1, progs_on("device"));
	t_eq("destroy", 0, bee_link__destroy(l));
	t_eq("gone after destroy", 0, progs_gone("device"));
	bee_obj__close(obj);
}

/* ---- cgroup firewall, cgroup skb ---- */

static void test_cgfw_connect(void **state)
{
	struct bee_obj *obj = open_load("tools/cgfw/cgfw.bpf.o");
	static const char *progs[] = { "cgfw_connect4", "cgfw_sendmsg4", "cgfw_egress" };
	static const char *hooks[] = { "connect4", "sendmsg4", "egress" };
	const char *h = t_bpath("tests/helpers/net_udp");
	struct bee_link *l[3];
	uint16_t port = port_base;
	uint8_t one = 1;
	uint64_t denied = 0, pk = 0;
	uint32_t k = 0;
	char *out = NULL;

	bpf_map_update_elem(bee_obj__map_fd(obj, "deny_ports"), &port, &one, 0);
	for (int i = 0; i < 3; i++) {
		l[i] = bee_cgroup__attach(bee_obj__prog_fd(obj, progs[i]), CG, hooks[i], 0);
		if (!l[i])
			fail_msg("attach %s: %s", hooks[i], bee_last_error());
	}
	/* a listener outside the cgroup on the denied port and another */
	t_sh(NULL, "(%s listen %d 120 >/dev/null &); (%s listen %d 120 >/dev/null &)", h, port_base, h,
	     port_base + 1);
	/* both listeners ready (slow machines and emulated kernels included) */
	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 500 && strcmp(run(false, "%s connect 127.0.0.1 %d", h, port_base + p), "ok"); i++)
			usleep(20000);
	t_streq("connect to the denied port inside", "EPERM",
		run(true, "%s connect 127.0.0.1 %d", h, port_base));
	t_streq("connect to the denied port outside", "ok",
		run(false, "%s connect 127.0.0.1 %d", h, port_base));
	t_streq("connect to another port inside", "ok",
		run(true, "%s connect 127.0.0.1 %d", h, port_base + 1));
	t_streq("UDP sendto the denied port inside", "EPERM",
		run(true, "%s sendto 127.0.0.1 %d", h, port_base));
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "denied"), &k, &denied);
	t_eq("connects denied", 1, denied);
	k = 1;
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "denied"), &k, &denied);
	t_eq("sendmsgs denied", 1, denied);

	/* cgroup skb egress: exactly what the cgroup's processes send */
	k = 0;
	bpf_map_update_elem(bee_obj__map_fd(obj, "egress_stats"), &k, &(uint64_t){ 0 }, 0);
	k = 1;
	bpf_map_update_elem(bee_obj__map_fd(obj, "egress_stats"), &k, &(uint64_t){ 0 }, 0);
	k = 0;
	t_sh(&out, "sh -c 'echo $$ > %s/cgroup.procs && exec %s send 127.0.0.1 %d 17 10'", CG, h,
	     port_base + 2);
	free(out);
	t_sh(NULL, "%s send 127.0.0.1 %d 5 10", h, port_base + 2); /* outside: not counted */
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "egress_stats"), &k, &pk);
	t_eq("packets the cgroup sent (UDP, nothing else)", 17, pk);
	k = 1;
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "egress_stats"), &k, &pk);
	t_eq("bytes (20 IP + 8 UDP + 10)", 17 * 38, pk);

	for (int i = 0; i < 3; i++)
		bee_link__destroy(l[i]);
	t_streq("connect to the port after detach", "ok",
		run(true, "%s connect 127.0.0.1 %d", h, port_base));
	t_eq("nothing left at connect4", 0, progs_gone("connect4"));
	t_eq("nothing left at egress", 0, progs_gone("egress"));
	/* the listeners live long enough for an emulated kernel; end them */
	t_sh(NULL, "pkill -f '^%s listen %d 120$'; pkill -f '^%s listen %d 120$'", h, port_base, h,
	     port_base + 1);
	bee_obj__close(obj);
}

/* ---- through bee_obj__attach ---- */

/* libbee's network hook for bee_obj__attach() lives in its own archive
 * member, which object.c names only weakly: name it here so that a static
 * link brings it in (the bee command does this through cli/net.c). */
extern int bee_attach_net_prog();
static void *const pull_attach_net = (void *)bee_attach_net_prog;

static void test_obj_attach_cgroup(void **state)
{
	assert_non_null(pull_attach_net);
	struct bee_obj *obj = open_load("tools/devguard/devguard.bpf.o");
	struct dg_key null = { 2, 1, 3 };
	struct dg_rule deny = { .deny = 6 };

	bpf_map_update_elem(bee_obj__map_fd(obj, "rules"), &null, &deny, 0);
	bee_obj__set_target_cgroup(obj, CG);
	if (bee_obj__attach(obj))
		fail_msg("bee_obj__attach: %s", bee_last_error());
	t_eq("links", 1, bee_obj__link_cnt(obj));
	t_streq("enforced", "EPERM", run(true, "%s /dev/null", t_bpath("tests/helpers/cg_open")));
	bee_obj__close(obj);
	t_eq("gone with the object", 0, progs_gone("device"));
}

/* ---- crash safety ---- */

static void test_kill9_leaves_nothing(void **state)
{
	int p[2], st;
	char c;
	pid_t pid;
	long long v;

	if (bee_enum_value("BPF_LINK_TYPE_CGROUP", &v))
		t_skip("kernel has no cgroup links (before 5.7): BPF_PROG_ATTACH outlives kill -9");

	assert_int_equal(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		struct bee_obj *d = bee_obj__open_file(t_bpath("tools/devguard/devguard.bpf.o"), NULL);
		struct bee_obj *f = bee_obj__open_file(t_bpath("tools/cgfw/cgfw.bpf.o"), NULL);

		if (bee_obj__load(d) || bee_obj__load(f) ||
		    !bee_cgroup__attach(bee_obj__prog_fd(d, "devguard"), CG, "device", 0) ||
		    !bee_cgroup__attach(bee_obj__prog_fd(f, "cgfw_egress"), CG, "egress", 0))
			_exit(1);
		c = 'y';
		write(p[1], &c, 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	t_eq("child attached", 1, read(p[0], &c, 1));
	close(p[0]);
	t_eq("device programs while the child lives", 1, progs_on("device"));
	t_eq("egress programs while the child lives", 1, progs_on("egress"));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (int i = 0; i < 200 && (progs_on("device") || progs_on("egress")); i++)
		usleep(10000);
	t_eq("device programs after kill -9", 0, progs_gone("device"));
	t_eq("egress programs after kill -9", 0, progs_gone("egress"));
}

/* ---- bad input ---- */

static void test_bad_input(void **state)
{
	struct bee_obj *d = open_load("tools/devguard/devguard.bpf.o");
	struct bee_obj *x = open_load("examples/xdp-example.bpf.o");
	int fd = bee_obj__prog_fd(d, "devguard");
	char v1[512];
	const char *root = bee_cgroup2_root();

	assert_null(bee_cgroup__attach(fd, "/tmp", "device", 0));
	t_eq("/tmp errno", EINVAL, errno);
	t_contains("/tmp message", bee_last_error(), "is not a cgroup v2 directory");
	t_contains("names the v2 mount", bee_last_error(), root);
	/* a cgroup v1 hierarchy, where the machine has one */
	snprintf(v1, sizeof(v1), "/sys/fs/cgroup/memory");
	if (access(v1, F_OK) == 0) {
		assert_null(bee_cgroup__attach(fd, v1, "device", 0));
		t_eq("cgroup v1 errno", EINVAL, errno);
	}
	assert_null(bee_cgroup__attach(fd, "/sys/fs/cgroup/unified/beenet-no-such", "device", 0));
	t_eq("missing cgroup errno", ENOENT, errno);
	assert_null(bee_cgroup__attach(fd, CG, "no_such_hook", 0));
	t_eq("unknown attach type", EINVAL, errno);
	t_contains("unknown attach type message", bee_last_error(), "unknown cgroup attach type");
	assert_null(bee_cgroup__attach(bee_obj__prog_fd(x, "xdp_count"), CG, "device", 0));
	t_eq("xdp program on device", EINVAL, errno);
	t_contains("wrong type message", bee_last_error(), "is a xdp program; this hook needs cgroup_device");
	assert_null(bee_cgroup__attach(fd, CG, "egress", 0));
	t_eq("device program on egress", EINVAL, errno);
	t_eq("nothing attached", 0, progs_on("device") + progs_on("egress"));
	/* names */
	t_eq("device = BPF_CGROUP_DEVICE", bee_cgroup__attach_type("BPF_CGROUP_DEVICE"),
	     bee_cgroup__attach_type("device"));
	t_eq("cgroup_inet_egress = egress", bee_cgroup__attach_type("egress"),
	     bee_cgroup__attach_type("cgroup_inet_egress"));
	t_eq("xdp is no cgroup type", -EINVAL, bee_cgroup__attach_type("xdp"));
	bee_obj__close(d);
	bee_obj__close(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_devguard_deny_allow, clean),
		cmocka_unit_test_setup(test_devguard_tool_cli, clean),
		cmocka_unit_test_setup(test_device_raw_example, clean),
		cmocka_unit_test_setup(test_legacy_outlives_link, clean),
		cmocka_unit_test_setup(test_cgfw_connect, clean),
		cmocka_unit_test_setup(test_obj_attach_cgroup, clean),
		cmocka_unit_test_setup(test_kill9_leaves_nothing, clean),
		cmocka_unit_test_setup(test_bad_input, clean),
	};

	return cmocka_run_group_tests_name("cgroup", tests, setup, teardown);
}
