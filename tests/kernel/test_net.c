/* XDP, TC (tcx and clsact), socket filters: attached by libbee to a veth pair
 * between two network namespaces made for this run, driven with real
 * packets (ping, UDP with exact counts), checked on the running kernel. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"

/* A and B namespaces, veth IFA (in A, ADDR_A) <-> IFB (in B, ADDR_B). The
 * test process itself lives in A. */
static char NSA[32], NSB[32], IFA[IFNAMSIZ], IFB[IFNAMSIZ], ADDR_A[20], ADDR_B[20];
static int root_ns = -1;
static int port_base;

struct proto_key {
	uint16_t eth_proto;
	uint8_t ip_proto;
	uint8_t pad;
};

struct stats {
	uint64_t packets, bytes, dropped;
};

static int sh_ok(const char *what, const char *cmd)
{
	char *out = NULL;
	int rc = t_sh(&out, "%s 2>&1", cmd);

	if (rc)
		print_message("%s failed (%d): %s\n", what, rc, out);
	free(out);
	return rc;
}

static int setup(void **state)
{
	char cmd[2048], *mac_a = NULL, *mac_b = NULL;
	int pid = getpid(), fd;

	snprintf(NSA, sizeof(NSA), "beenetA%d", pid);
	snprintf(NSB, sizeof(NSB), "beenetB%d", pid);
	snprintf(IFA, sizeof(IFA), "beenet%da", pid);
	snprintf(IFB, sizeof(IFB), "beenet%db", pid);
	snprintf(ADDR_A, sizeof(ADDR_A), "10.%d.%d.1", 100 + pid % 100, (pid / 100) % 250);
	snprintf(ADDR_B, sizeof(ADDR_B), "10.%d.%d.2", 100 + pid % 100, (pid / 100) % 250);
	port_base = 20000 + pid % 20000;
	snprintf(cmd, sizeof(cmd),
		 "set -e; ip netns add %1$s; ip netns add %2$s; "
		 "ip link add %3$s netns %1$s type veth peer name %4$s netns %2$s; "
		 "for n in %1$s %2$s; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; "
		 "ip -n $n link set lo up; done; "
		 "ip -n %1$s addr add %5$s/24 dev %3$s; ip -n %2$s addr add %6$s/24 dev %4$s; "
		 "ip -n %1$s link set %3$s up; ip -n %2$s link set %4$s up",
		 NSA, NSB, IFA, IFB, ADDR_A, ADDR_B);
	if (sh_ok("create namespaces and veth", cmd))
		return -1;
	/* Static neighbours: no ARP on the wire, so counters are exact. */
	t_sh(&mac_a, "ip -n %s -o link show %s | sed 's/.*link\\/ether \\([0-9a-f:]*\\).*/\\1/' | tr -d '\\n'", NSA, IFA);
	t_sh(&mac_b, "ip -n %s -o link show %s | sed 's/.*link\\/ether \\([0-9a-f:]*\\).*/\\1/' | tr -d '\\n'", NSB, IFB);
	snprintf(cmd, sizeof(cmd),
		 "ip -n %s neigh replace %s lladdr %s dev %s nud permanent && "
		 "ip -n %s neigh replace %s lladdr %s dev %s nud permanent",
		 NSA, ADDR_B, mac_b, IFA, NSB, ADDR_A, mac_a, IFB);
	free(mac_a);
	free(mac_b);
	if (sh_ok("static neighbours", cmd))
		return -1;
	root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(cmd, sizeof(cmd), "/var/run/netns/%s", NSA);
	fd = open(cmd, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		print_message("enter %s: %s\n", NSA, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	if (root_ns >= 0)
		setns(root_ns, CLONE_NEWNET);
	t_sh(NULL, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", NSA, NSB);
	return 0;
}

/* ---- traffic ---- */

/* ping from B to A; returns replies received */
static int ping_from_b(int n)
{
	char *out = NULL;
	int got = -1;

	t_sh(&out, "ip netns exec %s ping -c %d -i 0.01 -W 1 -q %s 2>&1", NSB, n, ADDR_A);
	if (out && strstr(out, "received"))
		sscanf(strstr(out, "transmitted, ") + 13, "%d", &got);
	free(out);
	return got;
}

/* @n UDP datagrams of @size bytes from @from_b ? B->A : A->B to @port;
 * returns how many the receiver got. */
static int udp(bool from_b, int port, int n, int size)
{
	char *out = NULL;
	int got = -1;
	const char *rx_ns = from_b ? NSA : NSB, *tx_ns = from_b ? NSB : NSA;
	const char *dst = from_b ? ADDR_A : ADDR_B;

	/* the receiver stops once the sender is done and the wire is quiet */
	t_sh(&out,
	     "R=$(mktemp); rm -f $R.sent; ip netns exec %1$s %2$s recv %3$d %4$d 10000 $R.sent > $R & p=$!; "
	     "for i in $(seq 2000); do grep -q ready $R && break; sleep 0.01; done; "
	     "ip netns exec %6$s %2$s send %5$s %3$d %4$d %7$d > /dev/null; touch $R.sent; wait $p; "
	     "tail -n1 $R; rm -f $R $R.sent",
	     rx_ns, t_bpath("tests/helpers/net_udp"), port, n, dst, tx_ns, size);
	if (out)
		sscanf(out, "%d", &got);
	free(out);
	return got;
}

/* Sum of a per-CPU proto counter of xdp-example. */
static struct stats xdp_stats(struct bee_obj *obj, uint8_t ip_proto)
{
	struct proto_key k = { .eth_proto = 0x0800, .ip_proto = ip_proto };
	int ncpu = libbpf_num_possible_cpus();
	struct stats sum = {}, v[ncpu];

	if (bpf_map_lookup_elem(bee_obj__map_fd(obj, "counters"), &k, v) == 0)
		for (int i = 0; i < ncpu; i++) {
			sum.packets += v[i].packets;
			sum.bytes += v[i].bytes;
			sum.dropped += v[i].dropped;
		}
	return sum;
}

static struct bee_obj *open_load(const char *rel, const char *var, const char *val)
{
	struct bee_obj *obj = bee_obj__open_file(t_bpath("%s", rel), NULL);

	if (!obj)
		fail_msg("open %s: %s", rel, bee_last_error());
	if (var && bee_obj__set_var(obj, var, val))
		fail_msg("set %s=%s: %s", var, val, bee_last_error());
	if (bee_obj__load(obj))
		fail_msg("load %s: %s", rel, bee_last_error());
	return obj;
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	bpf_obj_get_info_by_fd(fd, &info, &len);
	return info.id;
}

static void xdp_query(uint32_t *skb, uint32_t *drv)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	bpf_xdp_query(if_nametoindex(IFA), 0, &q);
	*skb = q.skb_prog_id;
	*drv = q.drv_prog_id;
}

/* After a detach: the XDP programs (and below, the programs bee lists on
 * the interface) once the detach has taken effect. Closing a link's last fd
 * detaches at once unless another process holds the file for a moment (bee's
 * pids iterator, in a `bee ... show` running beside the test, takes a
 * reference to every file it walks past): wait up to 2 s for that. */
static void xdp_gone(uint32_t *skb, uint32_t *drv)
{
	xdp_query(skb, drv);
	for (int i = 0; (*skb || *drv) && i < 200; i++) {
		usleep(10000);
		xdp_query(skb, drv);
	}
}

static int net_gone(struct bee_net_prog *np, int max)
{
	int n = bee_net__query(if_nametoindex(IFA), np, max);

	for (int i = 0; n > 0 && i < 200; i++) {
		usleep(10000);
		n = bee_net__query(if_nametoindex(IFA), np, max);
	}
	return n;
}

/* Before each test: nothing of ours on IFA, whatever an earlier failure left. */
static int clean(void **state)
{
	struct bee_net_prog np[16];
	int n = bee_net__query(if_nametoindex(IFA), np, 16);

	for (int i = 0; i < n && i < 16; i++) {
		if (np[i].link_id) {
			int fd = bpf_link_get_fd_by_id(np[i].link_id);

			if (fd >= 0) {
				bpf_link_detach(fd);
				close(fd);
			}
		}
	}
	bee_xdp__detach(IFA);
	bee_tc__detach_legacy(IFA, false);
	bee_tc__detach_legacy(IFA, true);
	return 0;
}

/* ---- XDP ---- */

static void xdp_counts(const char *mode)
{
	struct bee_obj *obj = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	int fd = bee_obj__prog_fd(obj, "xdp_count");
	struct bee_link *l = bee_xdp__attach(fd, IFA, mode);
	uint32_t skb, drv;
	struct stats s;

	if (!l)
		fail_msg("attach xdp %s to %s: %s", mode, IFA, bee_last_error());
	xdp_query(&skb, &drv);
	t_eq("program id in the attached mode", prog_id(fd), !strcmp(mode, "generic") ? skb : drv);
	t_eq("ping replies", 5, ping_from_b(5));
	t_eq("UDP datagrams received", 40, udp(true, port_base, 40, 32));
	s = xdp_stats(obj, 1);
	t_eq("icmp packets counted", 5, s.packets);
	t_eq("icmp bytes counted (98 per echo request)", 5 * 98, s.bytes);
	s = xdp_stats(obj, 17);
	t_eq("udp packets counted", 40, s.packets);
	t_eq("udp bytes counted (14+20+8+32 each)", 40 * 74, s.bytes);
	t_eq("nothing dropped", 0, s.dropped);
	t_eq("destroy", 0, bee_link__destroy(l));
	xdp_gone(&skb, &drv);
	t_eq("no generic program after destroy", 0, skb);
	t_eq("no driver program after destroy", 0, drv);
	bee_obj__close(obj);
}

static void test_xdp_generic_counts(void **state)
{
	xdp_counts("generic");
}

static void test_xdp_native_counts(void **state)
{
	xdp_counts("driver");
}

static void test_xdp_netlink_fallback(void **state)
{
	struct bee_obj *obj = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	int fd = bee_obj__prog_fd(obj, "xdp_count");
	struct bee_link *l, *l2;
	uint32_t skb, drv;

	/* what kernels before XDP links get */
	setenv("BEE_XDP_LEGACY", "1", 1);
	l = bee_xdp__attach(fd, IFA, "generic");
	l2 = l ? bee_xdp__attach(fd, IFA, "generic") : NULL;
	unsetenv("BEE_XDP_LEGACY");
	if (!l)
		fail_msg("netlink attach: %s", bee_last_error());
	assert_null(l2);
	t_eq("second netlink attach", EBUSY, errno);
	t_eq("no link fd", -1, bee_link__fd(l));
	xdp_query(&skb, &drv);
	t_eq("attached in generic mode", prog_id(fd), skb);
	t_eq("ping replies", 3, ping_from_b(3));
	t_eq("icmp counted", 3, xdp_stats(obj, 1).packets);
	t_eq("destroy detaches", 0, bee_link__destroy(l));
	xdp_gone(&skb, &drv);
	t_eq("after destroy", 0, skb);
	bee_obj__close(obj);
}

static void test_xdp_drop_proto_then_detach(void **state)
{
	struct bee_obj *obj = open_load("examples/xdp-example.bpf.o", "drop_proto", "1");
	struct bee_link *l = bee_xdp__attach(bee_obj__prog_fd(obj, "xdp_count"), IFA, "driver");

	assert_non_null(l);
	t_eq("ping replies while ICMP is dropped", 0, ping_from_b(3));
	t_eq("icmp dropped", 3, xdp_stats(obj, 1).dropped);
	t_eq("UDP still arrives", 10, udp(true, port_base + 1, 10, 32));
	/* the seed's remove_xdp: whatever is on the device goes */
	t_eq("bee_xdp__detach", 0, bee_xdp__detach(IFA));
	t_eq("ping replies after detach", 3, ping_from_b(3));
	t_eq("no more drops counted", 3, xdp_stats(obj, 1).dropped);
	bee_link__destroy(l); /* already detached: only frees */
	bee_obj__close(obj);
}

static void test_xdp_replace(void **state)
{
	struct bee_obj *pass = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	struct bee_obj *drop = open_load("examples/xdp-example.bpf.o", "drop_proto", "1");
	struct bee_obj *t = open_load("examples/tc-example.bpf.o", NULL, NULL);
	struct bee_link *l = bee_xdp__attach(bee_obj__prog_fd(pass, "xdp_count"), IFA, "generic");
	uint32_t skb, drv;

	assert_non_null(l);
	t_eq("replies before", 2, ping_from_b(2));
	t_eq("replace", 0, bee_xdp__replace(l, bee_obj__prog_fd(drop, "xdp_count")));
	xdp_query(&skb, &drv);
	t_eq("the new program runs", prog_id(bee_obj__prog_fd(drop, "xdp_count")), skb);
	t_eq("replies after replacing with the ICMP dropper", 0, ping_from_b(2));
	t_eq("the new program's drops", 2, xdp_stats(drop, 1).dropped);
	t_eq("a tc program cannot replace it", -EINVAL,
	     bee_xdp__replace(l, bee_obj__prog_fd(t, "tc_ingress")));
	bee_link__destroy(l);
	xdp_gone(&skb, &drv);
	t_eq("nothing after destroy", 0, skb);
	bee_obj__close(pass);
	bee_obj__close(drop);
	bee_obj__close(t);
}

static void test_xdp_drop_port(void **state)
{
	char port[16];
	struct bee_obj *obj;
	struct bee_link *l;

	snprintf(port, sizeof(port), "%d", port_base + 2);
	obj = open_load("examples/xdp-example.bpf.o", "drop_port", port);
	l = bee_xdp__attach(bee_obj__prog_fd(obj, "xdp_count"), IFA, "generic");
	assert_non_null(l);
	t_eq("datagrams to the dropped port received", 0, udp(true, port_base + 2, 12, 32));
	t_eq("datagrams to another port received", 12, udp(true, port_base + 3, 12, 32));
	t_eq("udp dropped", 12, xdp_stats(obj, 17).dropped);
	t_eq("udp counted", 24, xdp_stats(obj, 17).packets);
	bee_link__destroy(l);
	bee_obj__close(obj);
}

static void test_xdp_detach_netlink_attached(void **state)
{
	uint32_t skb, drv;

	/* attached by iproute2 over netlink, not by a link */
	t_eq("ip link set xdpgeneric obj",
	     0, t_sh(NULL, "ip link set dev %s xdpgeneric obj %s sec xdp 2>&1", IFA,
		     t_bpath("examples/xdp-example.bpf.o")));
	xdp_query(&skb, &drv);
	assert_true(skb != 0);
	t_eq("bee_xdp__detach", 0, bee_xdp__detach(IFA));
	xdp_gone(&skb, &drv);
	t_eq("generic program after detach", 0, skb);
	t_eq("detach with nothing attached", 0, bee_xdp__detach(IFA));
}

static void test_xdp_bad_input(void **state)
{
	struct bee_obj *x = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	struct bee_obj *t = open_load("examples/tc-example.bpf.o", NULL, NULL);
	int fd = bee_obj__prog_fd(x, "xdp_count");
	struct bee_link *l, *l2;
	uint32_t skb, drv;

	errno = 0;
	assert_null(bee_xdp__attach(fd, "beenetnosuch0", "generic"));
	t_eq("unknown interface errno", ENODEV, errno);
	t_contains("unknown interface message", bee_last_error(), "'beenetnosuch0' does not exist");
	assert_null(bee_xdp__attach(bee_obj__prog_fd(t, "tc_ingress"), IFA, "generic"));
	t_eq("wrong program type errno", EINVAL, errno);
	t_contains("wrong program type message", bee_last_error(), "is a sched_cls program");
	assert_null(bee_xdp__attach(fd, IFA, "bogus"));
	t_eq("unknown mode errno", EINVAL, errno);
	assert_null(bee_xdp__attach(fd, IFA, "offload"));
	t_eq("offload on veth errno", EOPNOTSUPP, errno);
	t_contains("offload message", bee_last_error(), "cannot offload");
	xdp_gone(&skb, &drv);
	t_eq("nothing attached by the failures", 0, skb | drv);

	l = bee_xdp__attach(fd, IFA, "generic");
	assert_non_null(l);
	l2 = bee_xdp__attach(fd, IFA, "generic");
	assert_null(l2);
	t_eq("attach twice errno", EBUSY, errno);
	t_contains("attach twice message", bee_last_error(), "already attached");
	xdp_query(&skb, &drv);
	t_eq("the first attachment stays", prog_id(fd), skb);
	bee_link__destroy(l);
	xdp_gone(&skb, &drv);
	t_eq("nothing left", 0, skb | drv);
	bee_obj__close(x);
	bee_obj__close(t);
}

/* ---- TC ---- */

static void tc_stats(struct bee_obj *obj, uint32_t dir, struct stats *s)
{
	memset(s, 0, sizeof(*s));
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "tc_stats"), &dir, s);
}

static void tc_run(bool legacy)
{
	char port[16], *out = NULL;
	struct bee_obj *obj;
	struct bee_link *in, *eg;
	struct bee_net_prog np[8];
	struct stats s;
	int n;
	BEE_OPTS(bee_tc_opts, o, .legacy = legacy);

	snprintf(port, sizeof(port), "%d", port_base + 10);
	obj = open_load("examples/tc-example.bpf.o", "drop_port", port);
	in = bee_tc__attach_opts(bee_obj__prog_fd(obj, "tc_ingress"), IFA, false, &o);
	if (!in)
		fail_msg("tc ingress: %s", bee_last_error());
	eg = bee_tc__attach_opts(bee_obj__prog_fd(obj, "tc_egress"), IFA, true, &o);
	if (!eg)
		fail_msg("tc egress: %s", bee_last_error());
	n = bee_net__query(if_nametoindex(IFA), np, 8);
	t_eq("programs listed on the interface", 2, n);
	t_streq("kind listed", legacy ? "tc" : "tcx", np[0].kind);
	if (legacy) {
		t_eq("direct action", 1, np[0].direct_action);
		t_sh(&out, "tc filter show dev %s ingress", IFA);
		t_contains("tc filter show", out, "direct-action");
		free(out);
	} else {
		assert_true(np[0].link_id != 0);
	}

	t_eq("B->A datagrams received", 15, udp(true, port_base + 11, 15, 32));
	t_eq("A->B datagrams received", 9, udp(false, port_base + 12, 9, 100));
	tc_stats(obj, 0, &s);
	t_eq("ingress packets", 15, s.packets);
	t_eq("ingress bytes (14+20+8+32 each)", 15 * 74, s.bytes);
	tc_stats(obj, 1, &s);
	t_eq("egress packets", 9, s.packets);
	t_eq("egress bytes (14+20+8+100 each)", 9 * 142, s.bytes);

	/* the port filter, both ways, and only that port */
	t_eq("B->A to the dropped port", 0, udp(true, port_base + 10, 6, 32));
	t_eq("A->B to the dropped port", 0, udp(false, port_base + 10, 4, 32));
	t_eq("B->A to another port", 5, udp(true, port_base + 13, 5, 32));
	tc_stats(obj, 0, &s);
	t_eq("ingress dropped", 6, s.dropped);
	tc_stats(obj, 1, &s);
	t_eq("egress dropped", 4, s.dropped);

	t_eq("destroy ingress", 0, bee_link__destroy(in));
	t_eq("destroy egress", 0, bee_link__destroy(eg));
	t_eq("nothing listed after destroy", 0, net_gone(np, 8));
	t_eq("traffic to the port flows again", 3, udp(true, port_base + 10, 3, 32));
	if (legacy) {
		t_sh(&out, "tc qdisc show dev %s", IFA);
		if (strstr(out, "clsact"))
			fail_msg("the clsact qdisc bee created is still there: %s", out);
		free(out);
	}
	bee_obj__close(obj);
}

static void test_tc_tcx(void **state)
{
	if (!bee_tc__has_tcx())
		t_skip("kernel has no tcx (BPF_TCX_INGRESS not in its BTF)");
	tc_run(false);
}

static void test_tc_clsact_netlink(void **state)
{
	tc_run(true);
}

static void test_tc_env_forces_legacy(void **state)
{
	struct bee_obj *obj = open_load("examples/tc-example.bpf.o", NULL, NULL);
	struct bee_net_prog np[4];
	struct bee_link *l;

	setenv("BEE_TC_LEGACY", "1", 1);
	l = bee_tc__attach(bee_obj__prog_fd(obj, "tc_ingress"), IFA, false);
	unsetenv("BEE_TC_LEGACY");
	assert_non_null(l);
	t_eq("link fd of a legacy attachment", -1, bee_link__fd(l));
	t_eq("one program", 1, bee_net__query(if_nametoindex(IFA), np, 4));
	t_streq("kind", "tc", np[0].kind);
	bee_link__destroy(l);
	t_eq("none after destroy", 0, net_gone(np, 4));
	bee_obj__close(obj);
}

static void test_tc_bad_input(void **state)
{
	struct bee_obj *x = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	struct bee_obj *t = open_load("examples/tc-example.bpf.o", NULL, NULL);
	struct bee_net_prog np[4];

	assert_null(bee_tc__attach(bee_obj__prog_fd(t, "tc_ingress"), "beenetnosuch0", false));
	t_eq("unknown interface", ENODEV, errno);
	assert_null(bee_tc__attach(bee_obj__prog_fd(x, "xdp_count"), IFA, true));
	t_eq("xdp program on tc", EINVAL, errno);
	t_contains("message", bee_last_error(), "is a xdp program; this hook needs sched_cls");
	t_eq("nothing attached", 0, net_gone(np, 4));
	bee_obj__close(x);
	bee_obj__close(t);
}

/* ---- through bee_obj__attach (the hook bee run uses) ---- */

static void test_obj_attach_dev(void **state)
{
	struct bee_obj *obj = bee_obj__open_file(t_bpath("examples/tc-example.bpf.o"), NULL);
	struct bee_net_prog np[4];
	struct bpf_program *p;

	assert_non_null(obj);
	bpf_object__for_each_program(p, bee_obj__bpf_object(obj))
		bee_net_prog_fixup(p);
	assert_int_equal(0, bee_obj__load(obj));
	bee_obj__set_target_dev(obj, IFA, NULL);
	if (bee_obj__attach(obj))
		fail_msg("bee_obj__attach: %s", bee_last_error());
	t_eq("links made", 2, bee_obj__link_cnt(obj));
	t_eq("programs on the device", 2, bee_net__query(if_nametoindex(IFA), np, 4));
	t_streq("second is egress", "egress", np[1].mode);
	bee_obj__close(obj);
	t_eq("none after close", 0, net_gone(np, 4));
}

/* The hook's contract (lib/internal.h): 1 attached, 0 not a network or
 * cgroup program, -ENODEV a target missing, another -errno a failure. */
extern int bee_attach_net_prog(struct bpf_program *prog, const char *dev, const char *xdp_mode,
			       const char *cgroup, struct bee_link **out);

static void test_attach_net_prog_contract(void **state)
{
	struct bee_obj *x = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	struct bee_obj *s = open_load("examples/sockfilter.bpf.o", NULL, NULL);
	struct bpf_program *xp = bee_obj__prog(x, "xdp_count");
	struct bee_link *l = NULL;
	uint32_t skb, drv;

	t_eq("xdp without a device", -ENODEV, bee_attach_net_prog(xp, NULL, NULL, NULL, &l));
	t_contains("message", bee_last_error(), "needs a network device");
	t_eq("xdp on a device that does not exist", -ENXIO,
	     bee_attach_net_prog(xp, "beenetnosuch0", NULL, NULL, &l));
	t_eq("socket filter: not for this hook", 0,
	     bee_attach_net_prog(bee_obj__prog(s, "sock_count"), IFA, NULL, "/x", &l));
	assert_null(l);
	t_eq("xdp on the device", 1, bee_attach_net_prog(xp, IFA, "generic", NULL, &l));
	assert_non_null(l);
	xdp_query(&skb, &drv);
	t_eq("attached in generic mode", prog_id(bpf_program__fd(xp)), skb);
	bee_link__destroy(l);
	bee_obj__close(x);
	bee_obj__close(s);
}

/* ---- socket filter ---- */

static int udp_sock(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	assert_int_equal(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	return fd;
}

static void send_to(int port, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	for (int i = 0; i < n; i++)
		sendto(fd, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a));
	close(fd);
}

static int drain(int fd)
{
	char buf[64];
	int n = 0;

	while (recv(fd, buf, sizeof(buf), 0) >= 0)
		n++;
	return n;
}

static void test_sockfilter_counts(void **state)
{
	struct bee_obj *obj = open_load("examples/sockfilter.bpf.o", NULL, NULL);
	int s1 = udp_sock(port_base + 20), s2 = udp_sock(port_base + 21);
	struct stats st = {};
	uint32_t zero = 0;

	t_eq("attach", 0, bee_sockfilter__attach(bee_obj__prog_fd(obj, "sock_count"), s1));
	send_to(port_base + 20, 7);
	send_to(port_base + 21, 4);
	t_eq("datagrams on the filtered socket", 7, drain(s1));
	t_eq("datagrams on the other socket", 4, drain(s2));
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "sock_stats"), &zero, &st);
	t_eq("packets the filter saw: only its socket's", 7, st.packets);
	t_eq("bytes (8 UDP + 5 payload each)", 7 * 13, st.bytes);
	t_eq("detach", 0, bee_sockfilter__detach(s1));
	send_to(port_base + 20, 2);
	t_eq("datagrams after detach", 2, drain(s1));
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "sock_stats"), &zero, &st);
	t_eq("no more counted", 7, st.packets);
	close(s1);
	close(s2);
	bee_obj__close(obj);
}

static void test_sockfilter_drop(void **state)
{
	char port[16];
	struct bee_obj *obj, *x;
	int s1;
	struct stats st = {};
	uint32_t zero = 0;

	snprintf(port, sizeof(port), "%d", port_base + 22);
	obj = open_load("examples/sockfilter.bpf.o", "drop_port", port);
	x = open_load("examples/xdp-example.bpf.o", NULL, NULL);
	s1 = udp_sock(port_base + 22);
	t_eq("xdp program on a socket", -EINVAL, bee_sockfilter__attach(bee_obj__prog_fd(x, "xdp_count"), s1));
	t_eq("attach", 0, bee_sockfilter__attach(bee_obj__prog_fd(obj, "sock_count"), s1));
	send_to(port_base + 22, 5);
	t_eq("datagrams that reached the socket", 0, drain(s1));
	bpf_map_lookup_elem(bee_obj__map_fd(obj, "sock_stats"), &zero, &st);
	t_eq("dropped by the filter", 5, st.dropped);
	close(s1);
	bee_obj__close(obj);
	bee_obj__close(x);
}

/* ---- crash safety and persistence ---- */

/* Link ids a process holds, from /proc/PID/fdinfo (other tests may make
 * links meanwhile: compare only these). */
static int held_links(pid_t pid, uint32_t *ids, int max)
{
	char *out = NULL, *p;
	int n = 0;

	t_sh(&out, "grep -h '^link_id:' /proc/%d/fdinfo/* 2>/dev/null | awk '{print $2}'", pid);
	for (p = out; p && *p && n < max;) {
		ids[n++] = strtoul(p, &p, 10);
		while (*p == '\n')
			p++;
	}
	free(out);
	return n;
}

static int links_alive(const uint32_t *ids, int n)
{
	int alive = 0;

	for (int i = 0; i < n; i++) {
		int fd = bpf_link_get_fd_by_id(ids[i]);

		if (fd >= 0) {
			alive++;
			close(fd);
		}
	}
	return alive;
}

static bool kernel_has(const char *enum_const)
{
	long long v;

	return bee_enum_value(enum_const, &v) == 0;
}

static void test_kill9_leaves_nothing(void **state)
{
	struct bee_net_prog np[8];
	uint32_t ids[16];
	int p[2], st, n;

	if (!kernel_has("BPF_LINK_TYPE_XDP"))
		t_skip("kernel has no XDP links (before 5.9): a netlink attachment outlives kill -9");
	char c;
	pid_t pid;

	assert_int_equal(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		struct bee_obj *x = bee_obj__open_file(t_bpath("examples/xdp-example.bpf.o"), NULL);
		struct bee_obj *t = bee_obj__open_file(t_bpath("examples/tc-example.bpf.o"), NULL);
		struct bpf_program *pr;

		bpf_object__for_each_program(pr, bee_obj__bpf_object(t))
			bee_net_prog_fixup(pr);
		if (bee_obj__load(x) || bee_obj__load(t) ||
		    !bee_xdp__attach(bee_obj__prog_fd(x, "xdp_count"), IFA, "generic") ||
		    (bee_tc__has_tcx() &&
		     !bee_tc__attach(bee_obj__prog_fd(t, "tc_ingress"), IFA, false)))
			_exit(1);
		c = 'y';
		write(p[1], &c, 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	t_eq("child attached", 1, read(p[0], &c, 1));
	close(p[0]);
	n = held_links(pid, ids, 16);
	t_eq("links the child holds", bee_tc__has_tcx() ? 2 : 1, n);
	t_eq("alive while it lives", n, links_alive(ids, n));
	t_eq("attached while the child lives", bee_tc__has_tcx() ? 2 : 1,
	     bee_net__query(if_nametoindex(IFA), np, 8));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	for (int i = 0; i < 200 && links_alive(ids, n); i++)
		usleep(10000);
	t_eq("links left after kill -9", 0, links_alive(ids, n));
	t_eq("attached after kill -9", 0, net_gone(np, 8));
}

static void test_pinned_survives(void **state)
{
	char pin[256];
	uint32_t skb, drv;
	int st;
	pid_t pid;

	if (!bee_bpffs())
		t_skip("no bpffs");
	if (!kernel_has("BPF_LINK_TYPE_XDP"))
		t_skip("kernel has no XDP links (before 5.9) to pin");
	snprintf(pin, sizeof(pin), "%s/beenet-pin-%d", bee_bpffs(), getpid());
	pid = fork();
	if (pid == 0) {
		struct bee_obj *x = bee_obj__open_file(t_bpath("examples/xdp-example.bpf.o"), NULL);
		struct bee_link *l;

		if (bee_obj__load(x))
			_exit(1);
		l = bee_xdp__attach(bee_obj__prog_fd(x, "xdp_count"), IFA, "generic");
		if (!l || bee_link__pin(l, pin))
			_exit(2);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	t_eq("child status", 0, WEXITSTATUS(st));
	xdp_query(&skb, &drv);
	assert_true(skb != 0);
	t_eq("traffic through the pinned program", 2, ping_from_b(2));
	t_eq("bee_xdp__detach removes a pinned link's program", 0, bee_xdp__detach(IFA));
	xdp_gone(&skb, &drv);
	t_eq("after detach", 0, skb);
	unlink(pin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_xdp_generic_counts, clean),
		cmocka_unit_test_setup(test_xdp_native_counts, clean),
		cmocka_unit_test_setup(test_xdp_netlink_fallback, clean),
		cmocka_unit_test_setup(test_xdp_drop_proto_then_detach, clean),
		cmocka_unit_test_setup(test_xdp_drop_port, clean),
		cmocka_unit_test_setup(test_xdp_replace, clean),
		cmocka_unit_test_setup(test_xdp_detach_netlink_attached, clean),
		cmocka_unit_test_setup(test_xdp_bad_input, clean),
		cmocka_unit_test_setup(test_tc_tcx, clean),
		cmocka_unit_test_setup(test_tc_clsact_netlink, clean),
		cmocka_unit_test_setup(test_tc_env_forces_legacy, clean),
		cmocka_unit_test_setup(test_tc_bad_input, clean),
		cmocka_unit_test_setup(test_obj_attach_dev, clean),
		cmocka_unit_test_setup(test_attach_net_prog_contract, clean),
		cmocka_unit_test_setup(test_sockfilter_counts, clean),
		cmocka_unit_test_setup(test_sockfilter_drop, clean),
		cmocka_unit_test_setup(test_kill9_leaves_nothing, clean),
		cmocka_unit_test_setup(test_pinned_survives, clean),
	};

	return cmocka_run_group_tests_name("net", tests, setup, teardown);
}
