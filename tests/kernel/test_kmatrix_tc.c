/*
 * Kernel-matrix tests: tc programs on a kernel without tcx, the way the seed's
 * `tc qdisc add dev X clsact; tc filter add dev X ingress bpf da obj ...`
 * does it: a clsact qdisc and cls_bpf direct-action filters made over
 * netlink, exact packet counts on ingress and egress, a drop verdict that
 * takes effect, and clean removal (no filter, no qdisc, no program left).
 *
 * The same through libbee (bee_tc__attach): on a kernel without tcx it must
 * take that netlink path by itself, and destroying its links must leave
 * nothing behind, whichever order they go in.
 *
 * Each test works on the loopback device of a network namespace of its own,
 * so nothing outside the test sees its qdisc or its packets. clsact exists
 * on every kernel bee supports, so these run on the host too; on Debian's
 * 6.1 (no tcx) it is the only way tc programs attach.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"

#define PACKETS 10

enum { TC_INGRESS, TC_EGRESS, TC_SLOTS };

struct netns {
	int orig_fd;
};

/* Move this process into a new network namespace with lo up; the original
 * one is restored by leave_netns(). */
static void enter_netns(struct netns *ns)
{
	struct ifreq ifr = { 0 };
	int s;

	ns->orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(ns->orig_fd >= 0);
	if (unshare(CLONE_NEWNET))
		fail_msg("unshare(CLONE_NEWNET): %s", strerror(errno));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	strcpy(ifr.ifr_name, "lo");
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		fail_msg("bring lo up in the test netns: %s", strerror(errno));
	close(s);
}

static void leave_netns(struct netns *ns)
{
	if (ns->orig_fd < 0)
		return;
	if (setns(ns->orig_fd, CLONE_NEWNET))
		fail_msg("setns back to the original netns: %s", strerror(errno));
	close(ns->orig_fd);
	ns->orig_fd = -1;
}

/* Send @n UDP datagrams to 127.0.0.1:@port and return how many arrived on
 * a socket bound there. */
static int udp_roundtrip(uint16_t port, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int rx, tx, got = 0;
	char buf[64];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(rx >= 0 && tx >= 0);
	if (bind(rx, (struct sockaddr *)&a, sizeof(a)))
		fail_msg("bind 127.0.0.1:%u: %s", port, strerror(errno));
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "bee-kmx-%d", i);
		if (sendto(tx, buf, strlen(buf), 0, (struct sockaddr *)&a, sizeof(a)) < 0)
			fail_msg("sendto 127.0.0.1:%u: %s", port, strerror(errno));
	}
	/* lo delivers in the sender's softirq; the poll only covers a
	 * delayed softirq, it is not a count of time the test depends on */
	for (;;) {
		struct pollfd p = { .fd = rx, .events = POLLIN };
		if (poll(&p, 1, got < n ? 500 : 0) <= 0)
			break;
		if (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
		got++;
	}
	close(rx);
	close(tx);
	return got;
}

static void read_counts(int map_fd, uint64_t *v)
{
	for (uint32_t i = 0; i < TC_SLOTS; i++) {
		v[i] = 0;
		if (bpf_map_lookup_elem(map_fd, &i, &v[i]))
			fail_msg("lookup slot %u: %s", i, strerror(errno));
	}
}

static struct bee_obj *open_tc(uint16_t port, bool drop)
{
	struct bee_obj *obj = bee_obj__open_file(t_bpath("tests/bpf/kmatrix_tc.bpf.o"), NULL);
	char v[16];

	if (!obj)
		fail_msg("open kmatrix_tc.bpf.o: %s", bee_last_error());
	snprintf(v, sizeof(v), "%u", port);
	t_eq("set target_port", 0, bee_obj__set_var(obj, "target_port", v));
	t_eq("set drop_ingress", 0, bee_obj__set_var(obj, "drop_ingress", drop ? "true" : "false"));
	if (bee_obj__load(obj))
		fail_msg("load kmatrix_tc.bpf.o: %s", bee_last_error());
	return obj;
}

/* A port of this test's own, so two runs never count each other's packets. */
static uint16_t test_port(int k)
{
	return 20000 + (getpid() * 4 + k) % 40000;
}

/* tc's own view, as the seed checks it: `tc filter show`, `tc qdisc show`. */
static char *tc_show(const char *what)
{
	char *out = NULL;

	t_sh(&out, "tc %s 2>&1", what);
	return out;
}

static void check_removed(uint32_t in_id, uint32_t eg_id)
{
	char *q = tc_show("qdisc show dev lo");
	int fd;

	if (strstr(q, "clsact"))
		fail_msg("clsact qdisc still on lo after removal: %s", q);
	free(q);
	/* with the filters and our fds gone the kernel frees the programs;
	 * it does so after an RCU grace period, so wait for that (bounded) */
	for (int i = 0; i < 2; i++) {
		uint32_t id = i ? eg_id : in_id;
		int tries = 500;
		while ((fd = bpf_prog_get_fd_by_id(id)) >= 0 && --tries) {
			close(fd);
			usleep(10000);
		}
		if (fd >= 0) {
			close(fd);
			fail_msg("program id %u still exists 5 s after removal", id);
		}
	}
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.id;
}

/* libbpf's netlink tc API: clsact hook, two cls_bpf da filters. */
static void run_netlink(bool drop)
{
	uint16_t port = test_port(drop);
	struct netns ns = { -1 };
	struct bee_obj *obj;
	uint64_t c[TC_SLOTS];
	uint32_t in_id, eg_id;
	int ifindex, got;
	char *f;

	enter_netns(&ns);
	ifindex = if_nametoindex("lo");
	obj = open_tc(port, drop);
	in_id = prog_id(bee_obj__prog_fd(obj, "kmx_tc_in"));
	eg_id = prog_id(bee_obj__prog_fd(obj, "kmx_tc_eg"));

	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, in_opts, .handle = 1, .priority = 1,
		    .prog_fd = bee_obj__prog_fd(obj, "kmx_tc_in"));
	LIBBPF_OPTS(bpf_tc_opts, eg_opts, .handle = 1, .priority = 1,
		    .prog_fd = bee_obj__prog_fd(obj, "kmx_tc_eg"));
	int err = bpf_tc_hook_create(&hook);
	if (err)
		fail_msg("create clsact qdisc on lo: %s", strerror(-err));
	hook.attach_point = BPF_TC_INGRESS;
	err = bpf_tc_attach(&hook, &in_opts);
	if (err)
		fail_msg("add cls_bpf ingress filter: %s", strerror(-err));
	hook.attach_point = BPF_TC_EGRESS;
	err = bpf_tc_attach(&hook, &eg_opts);
	if (err)
		fail_msg("add cls_bpf egress filter: %s", strerror(-err));

	/* what `tc filter show` reports: our programs, in direct-action mode */
	f = tc_show("filter show dev lo ingress");
	t_contains("tc filter show dev lo ingress", f, "kmx_tc_in");
	t_contains("tc filter show dev lo ingress", f, "direct-action");
	free(f);
	f = tc_show("filter show dev lo egress");
	t_contains("tc filter show dev lo egress", f, "kmx_tc_eg");
	free(f);

	got = udp_roundtrip(port, PACKETS);
	read_counts(bee_obj__map_fd(obj, "kmx_tc_counts"), c);
	t_eq("packets seen on egress", PACKETS, c[TC_EGRESS]);
	t_eq("packets seen on ingress", PACKETS, c[TC_INGRESS]);
	t_eq("packets delivered to the socket", drop ? 0 : PACKETS, got);

	/* removal: filters, then the qdisc */
	hook.attach_point = BPF_TC_INGRESS;
	in_opts.prog_fd = in_opts.prog_id = in_opts.flags = 0;
	t_eq("delete ingress filter", 0, bpf_tc_detach(&hook, &in_opts));
	hook.attach_point = BPF_TC_EGRESS;
	eg_opts.prog_fd = eg_opts.prog_id = eg_opts.flags = 0;
	t_eq("delete egress filter", 0, bpf_tc_detach(&hook, &eg_opts));
	f = tc_show("filter show dev lo ingress; tc filter show dev lo egress");
	if (strstr(f, "kmx_tc_"))
		fail_msg("filters left after deleting them: %s", f);
	free(f);
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	t_eq("delete clsact qdisc", 0, bpf_tc_hook_destroy(&hook));
	/* a packet after removal is counted by nobody */
	got = udp_roundtrip(port, 1);
	read_counts(bee_obj__map_fd(obj, "kmx_tc_counts"), c);
	t_eq("ingress count after removal", PACKETS, c[TC_INGRESS]);
	t_eq("delivered after removal", 1, got);
	bee_obj__close(obj);
	check_removed(in_id, eg_id);
	leave_netns(&ns);
}

static void test_tc_clsact_netlink_count(void **state)
{
	run_netlink(false);
}

static void test_tc_clsact_netlink_drop(void **state)
{
	run_netlink(true);
}

/* ---- libbee: bee_tc__attach ---- */

/* The entry bee_net__query gives for one side, or NULL. */
static const struct bee_net_prog *find_net(const struct bee_net_prog *p, int n, const char *mode)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(p[i].mode, mode) && strcmp(p[i].kind, "xdp"))
			return &p[i];
	return NULL;
}

/* Attach both sides, count, then destroy: egress first, or with
 * @ingress_first the side that created the clsact qdisc goes first. */
static void run_bee_tc(bool force_legacy, bool ingress_first)
{
	BEE_OPTS(bee_tc_opts, opts, .legacy = force_legacy);
	bool legacy = force_legacy || !bee_tc__has_tcx();
	uint16_t port = test_port(2 + force_legacy + 2 * ingress_first);
	struct netns ns = { -1 };
	struct bee_net_prog np[8];
	const struct bee_net_prog *e;
	struct bee_link *in, *eg;
	struct bee_obj *obj;
	uint64_t c[TC_SLOTS];
	uint32_t in_id, eg_id;
	int n, got;
	char *f;

	enter_netns(&ns);
	obj = open_tc(port, false);
	in_id = prog_id(bee_obj__prog_fd(obj, "kmx_tc_in"));
	eg_id = prog_id(bee_obj__prog_fd(obj, "kmx_tc_eg"));
	in = bee_tc__attach_opts(bee_obj__prog_fd(obj, "kmx_tc_in"), "lo", false, &opts);
	if (!in)
		fail_msg("bee_tc__attach(lo, ingress): %s", bee_last_error());
	eg = bee_tc__attach_opts(bee_obj__prog_fd(obj, "kmx_tc_eg"), "lo", true, &opts);
	if (!eg)
		fail_msg("bee_tc__attach(lo, egress): %s", bee_last_error());
	if (legacy) {
		/* no tcx (or asked not to use it): a netlink filter, no link fd */
		t_eq("legacy tc attachment has no link fd", -1, bee_link__fd(in));
		t_contains("ingress attachment", bee_link__desc(in), "tc/lo/ingress (clsact");
		t_contains("egress attachment", bee_link__desc(eg), "tc/lo/egress (clsact");
		f = tc_show("filter show dev lo ingress");
		t_contains("tc filter show dev lo ingress", f, "direct-action");
		free(f);
	} else {
		assert_true(bee_link__fd(in) >= 0);
		t_streq("ingress attachment", "tcx/lo/ingress", bee_link__desc(in));
	}

	n = bee_net__query(if_nametoindex("lo"), np, 8);
	t_eq("programs bee_net__query lists on lo", 2, n);
	e = find_net(np, n, "ingress");
	assert_non_null(e);
	t_streq("kind of the ingress attachment", legacy ? "tc" : "tcx", e->kind);
	t_eq("ingress program id", in_id, e->prog_id);
	if (legacy)
		t_eq("ingress filter in direct-action mode", 1, e->direct_action);
	e = find_net(np, n, "egress");
	assert_non_null(e);
	t_eq("egress program id", eg_id, e->prog_id);

	got = udp_roundtrip(port, PACKETS);
	read_counts(bee_obj__map_fd(obj, "kmx_tc_counts"), c);
	t_eq("packets seen on egress", PACKETS, c[TC_EGRESS]);
	t_eq("packets seen on ingress", PACKETS, c[TC_INGRESS]);
	t_eq("packets delivered to the socket", PACKETS, got);

	/* one side goes, the other still counts */
	struct bee_link *first = ingress_first ? in : eg, *second = ingress_first ? eg : in;
	t_eq("destroy the first attachment", 0, bee_link__destroy(first));
	got = udp_roundtrip(port, 1);
	read_counts(bee_obj__map_fd(obj, "kmx_tc_counts"), c);
	t_eq("ingress count after one side went", PACKETS + !ingress_first, c[TC_INGRESS]);
	t_eq("egress count after one side went", PACKETS + ingress_first, c[TC_EGRESS]);
	t_eq("destroy the second attachment", 0, bee_link__destroy(second));
	f = tc_show("filter show dev lo ingress; tc filter show dev lo egress");
	if (strstr(f, "kmx_tc_"))
		fail_msg("filters left after destroying the attachments: %s", f);
	free(f);
	t_eq("programs bee_net__query lists after removal", 0,
	     bee_net__query(if_nametoindex("lo"), np, 8));
	bee_obj__close(obj);
	check_removed(in_id, eg_id);
	leave_netns(&ns);
}

/* bee's choice: tcx where the kernel has it, else clsact + cls_bpf. */
static void test_tc_bee_default(void **state)
{
	run_bee_tc(false, false);
}

/* clsact + cls_bpf over netlink on any kernel (opts.legacy). */
static void test_tc_bee_legacy(void **state)
{
	run_bee_tc(true, false);
}

/* The ingress attachment created the clsact qdisc and goes first, while the
 * egress filter still holds it: when the egress one goes too, the qdisc
 * must go with it (two bee attachments leave nothing behind in any order). */
static void test_tc_bee_legacy_ingress_removed_first(void **state)
{
	run_bee_tc(true, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tc_clsact_netlink_count),
		cmocka_unit_test(test_tc_clsact_netlink_drop),
		cmocka_unit_test(test_tc_bee_default),
		cmocka_unit_test(test_tc_bee_legacy),
		cmocka_unit_test(test_tc_bee_legacy_ingress_removed_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
