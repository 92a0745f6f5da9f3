// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_calls: makes bpf() calls with known attrs and writes, one JSON line
 * per call, what it passed and what it got, in the words `bee bpfsnoop -j`
 * uses, so a test can compare the two field by field. Each attr is passed
 * with the size that ends at its last field set (as libbpf does), so the
 * set of fields bee must print is exact too.
 *
 *   bpf_calls basic OUT       MAP_CREATE, OBJ_GET_INFO_BY_FD, MAP_UPDATE_ELEM,
 *                             MAP_LOOKUP_ELEM, PROG_LOAD, OBJ_GET_INFO_BY_FD,
 *                             a MAP_LOOKUP_ELEM failing with ENOENT, a
 *                             MAP_CREATE failing with EINVAL and one with
 *                             an unreadable attr (EFAULT)
 *   bpf_calls fork OUT        one MAP_CREATE in the parent, one in a child
 *   bpf_calls exit CODE OUT   one MAP_CREATE, then exit(CODE) at once
 *   bpf_calls load N OUT      N PROG_LOADs named snoop_<pid>
 *   bpf_calls attach CGROUP OUT  two cgroup skb programs: PROG_ATTACH,
 *                             LINK_CREATE, PROG_DETACH on the cgroup directory
 *   bpf_calls other TP_ID TP OUT  setsockopt(SO_ATTACH_BPF) of a socket filter,
 *                             ioctl(PERF_EVENT_IOC_SET_BPF) on tracepoint TP
 *   bpf_calls wait OUT        wait for SIGUSR1, then what "basic" does
 *   bpf_calls loop N          N MAP_LOOKUP_ELEMs on an array map (benchmark)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#define offsetofend(T, F) (offsetof(T, F) + sizeof(((T *)0)->F))

static int out_fd = -1;

static long sys_bpf(int cmd, union bpf_attr *attr, unsigned size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

/* One line per call, written with one write() so that parent and child
 * lines never interleave. */
static void emit(const char *cmd, unsigned size, long ret, int err, const char *attr_json,
		 const char *extra)
{
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line),
		     "{\"pid\":%d,\"cmd\":\"%s\",\"attr_size\":%u,\"ret\":%ld%s%s%s,\"attr\":%s%s}\n",
		     (int)getpid(), cmd, size, ret < 0 ? -(long)err : ret,
		     ret < 0 ? ",\"errno\":\"" : "", ret < 0 ? (err == EINVAL ? "EINVAL" : err == ENOENT ? "ENOENT" : err == EFAULT ? "EFAULT" : "E?") : "",
		     ret < 0 ? "\"" : "", attr_json, extra ? extra : "");
	if (write(out_fd, line, n) != n)
		exit(99);
}

/* An id from /proc/self/fdinfo ("map_id:", "link_id:"): no bpf() call
 * that the expected output would lack. */
static unsigned fdinfo_id(int fd, const char *key)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	n = f >= 0 ? read(f, buf, sizeof(buf) - 1) : -1;
	if (f >= 0)
		close(f);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, key);
	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

/* A call other than bpf(): no attr size. */
static void emit2(const char *syscall_, const char *cmd, long ret, int err, const char *attr_json)
{
	char line[2048];
	int n;

	n = snprintf(line, sizeof(line),
		     "{\"pid\":%d,\"syscall\":\"%s\",\"cmd\":\"%s\",\"ret\":%ld%s%s%s,\"attr\":%s}\n",
		     (int)getpid(), syscall_, cmd, ret < 0 ? -(long)err : ret,
		     ret < 0 ? ",\"errno\":\"" : "", ret < 0 ? "E?" : "", ret < 0 ? "\"" : "",
		     attr_json);
	if (write(out_fd, line, n) != n)
		exit(99);
}

static int map_create(const char *name, unsigned key_size)
{
	union bpf_attr a;
	unsigned size = offsetofend(union bpf_attr, map_name);
	char attr[512], extra[256] = "";
	long ret;
	int err;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = key_size;
	a.value_size = 8;
	a.max_entries = 16;
	a.map_flags = BPF_F_NO_PREALLOC;
	snprintf(a.map_name, sizeof(a.map_name), "%s", name);
	ret = sys_bpf(BPF_MAP_CREATE, &a, size);
	err = errno;
	snprintf(attr, sizeof(attr),
		 "{\"map_type\":\"BPF_MAP_TYPE_HASH\",\"key_size\":%u,\"value_size\":8,"
		 "\"max_entries\":16,\"map_flags\":\"BPF_F_NO_PREALLOC\",\"inner_map_fd\":0,"
		 "\"numa_node\":0,\"map_name\":\"%s\"}",
		 key_size, name);
	if (ret >= 0) {
		struct bpf_map_info info;
		union bpf_attr ia;
		unsigned isize = offsetofend(union bpf_attr, info.info);
		char iattr[256];
		long iret;

		memset(&info, 0, sizeof(info));
		memset(&ia, 0, sizeof(ia));
		ia.info.bpf_fd = ret;
		ia.info.info_len = sizeof(info);
		ia.info.info = (uintptr_t)&info;
		iret = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &ia, isize);
		snprintf(extra, sizeof(extra),
			 ",\"ret_obj\":{\"fd\":%ld,\"kind\":\"map\",\"id\":%u,\"name\":\"%s\"}", ret,
			 info.id, name);
		emit("BPF_MAP_CREATE", size, ret, err, attr, extra);
		snprintf(iattr, sizeof(iattr),
			 "{\"bpf_fd\":{\"fd\":%ld,\"kind\":\"map\",\"id\":%u,\"name\":\"%s\"},"
			 "\"info_len\":%zu,\"info\":%lu}",
			 ret, info.id, name, sizeof(info), (unsigned long)(uintptr_t)&info);
		snprintf(extra, sizeof(extra),
			 ",\"info_check\":{\"type\":\"BPF_MAP_TYPE_HASH\",\"id\":%u,\"key_size\":%u,"
			 "\"value_size\":8,\"max_entries\":16,\"map_flags\":%u,\"name\":\"%s\"}",
			 info.id, key_size, BPF_F_NO_PREALLOC, name);
		emit("BPF_OBJ_GET_INFO_BY_FD", isize, iret, errno, iattr, extra);
	} else {
		emit("BPF_MAP_CREATE", size, ret, err, attr, NULL);
	}
	return ret;
}

static char verifier_log[4096];

/* A program "r0 = @r0; exit" of @type; with @eat set, the attr goes on to
 * expected_attach_type. */
static int prog_load_t(const char *name, int type, const char *type_name, int r0, int eat,
		       const char *eat_name, unsigned *id_out)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = r0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static const char license[] = "GPL";
	union bpf_attr a;
	unsigned size = eat_name ? offsetofend(union bpf_attr, expected_attach_type)
				 : offsetofend(union bpf_attr, prog_name);
	char attr[1024], extra[256], tail[128] = "";
	struct bpf_prog_info info;
	long ret;
	int err;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = eat;
	a.insn_cnt = 2;
	a.insns = (uintptr_t)insns;
	a.license = (uintptr_t)license;
	a.log_level = 1;
	a.log_size = sizeof(verifier_log);
	a.log_buf = (uintptr_t)verifier_log;
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	ret = sys_bpf(BPF_PROG_LOAD, &a, size);
	err = errno;
	if (eat_name)
		snprintf(tail, sizeof(tail), ",\"prog_ifindex\":0,\"expected_attach_type\":\"%s\"",
			 eat_name);
	snprintf(attr, sizeof(attr),
		 "{\"prog_type\":\"%s\",\"insn_cnt\":2,\"insns\":%lu,"
		 "\"license\":\"GPL\",\"log_level\":1,\"log_size\":%zu,\"log_buf\":%lu,"
		 "\"kern_version\":0,\"prog_flags\":\"0\",\"prog_name\":\"%s\"%s}",
		 type_name, (unsigned long)(uintptr_t)insns, sizeof(verifier_log),
		 (unsigned long)(uintptr_t)verifier_log, name, tail);
	if (ret < 0) {
		emit("BPF_PROG_LOAD", size, ret, err, attr, NULL);
		return ret;
	}
	{
		union bpf_attr ia;
		unsigned isize = offsetofend(union bpf_attr, info.info);
		char iattr[256];
		long iret;

		memset(&info, 0, sizeof(info));
		memset(&ia, 0, sizeof(ia));
		ia.info.bpf_fd = ret;
		ia.info.info_len = sizeof(info);
		ia.info.info = (uintptr_t)&info;
		iret = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &ia, isize);
		snprintf(extra, sizeof(extra),
			 ",\"ret_obj\":{\"fd\":%ld,\"kind\":\"prog\",\"id\":%u,\"name\":\"%s\"}", ret,
			 info.id, name);
		emit("BPF_PROG_LOAD", size, ret, err, attr, extra);
		snprintf(iattr, sizeof(iattr),
			 "{\"bpf_fd\":{\"fd\":%ld,\"kind\":\"prog\",\"id\":%u,\"name\":\"%s\"},"
			 "\"info_len\":%zu,\"info\":%lu}",
			 ret, info.id, name, sizeof(info), (unsigned long)(uintptr_t)&info);
		snprintf(extra, sizeof(extra),
			 ",\"info_check\":{\"type\":\"%s\",\"id\":%u,\"name\":\"%s\","
			 "\"xlated_prog_len\":16,\"gpl_compatible\":1}",
			 type_name, info.id, name);
		emit("BPF_OBJ_GET_INFO_BY_FD", isize, iret, errno, iattr, extra);
	}
	if (id_out)
		*id_out = info.id;
	return ret;
}

static int prog_load(const char *name, unsigned *id_out)
{
	return prog_load_t(name, BPF_PROG_TYPE_SOCKET_FILTER, "BPF_PROG_TYPE_SOCKET_FILTER", 0, 0,
			   NULL, id_out);
}

/* MAP_*_ELEM with the attr ending at flags. */
static void hex(char *out, const void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", ((const uint8_t *)data)[i]);
	out[2 * n] = 0;
}

/* MAP_*_ELEM with the attr ending at flags; the key's bytes as passed, the
 * value's as passed (update) or as returned (a lookup that found it). */
static long elem(int cmd, const char *cname, int map_fd, const char *map_name, unsigned map_id,
		 uint32_t *key, uint64_t *value, uint64_t flags, const char *flags_name)
{
	union bpf_attr a;
	unsigned size = offsetofend(union bpf_attr, flags);
	char attr[640], kb[32], vb[32], vpart[64] = "";
	long ret;
	int err;

	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	hex(kb, key, sizeof(*key));
	hex(vb, value, sizeof(*value));
	ret = sys_bpf(cmd, &a, size);
	err = errno;
	if (cmd == BPF_MAP_LOOKUP_ELEM)
		hex(vb, value, sizeof(*value));
	if (cmd == BPF_MAP_UPDATE_ELEM || (cmd == BPF_MAP_LOOKUP_ELEM && ret == 0))
		snprintf(vpart, sizeof(vpart), ",\"value_bytes\":\"%s\"", vb);
	snprintf(attr, sizeof(attr),
		 "{\"map_fd\":{\"fd\":%d,\"kind\":\"map\",\"id\":%u,\"name\":\"%s\"},\"key\":%lu,"
		 "\"key_bytes\":\"%s\",\"value\":%lu%s,\"flags\":\"%s\"}",
		 map_fd, map_id, map_name, (unsigned long)(uintptr_t)key, kb,
		 (unsigned long)(uintptr_t)value, vpart, flags_name);
	emit(cname, size, ret, err, attr, NULL);
	return ret;
}

static unsigned map_id_of(int fd)
{
	struct bpf_map_info info;
	union bpf_attr ia;

	/* only used in the benchmark loop, which reports no calls */
	memset(&info, 0, sizeof(info));
	memset(&ia, 0, sizeof(ia));
	ia.info.bpf_fd = fd;
	ia.info.info_len = sizeof(info);
	ia.info.info = (uintptr_t)&info;
	sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &ia, sizeof(ia));
	return info.id;
}

static int basic(void)
{
	uint32_t key = 1, missing = 2;
	uint64_t value = 42, got = 0;
	int map_fd, prog_fd;
	unsigned map_id;
	char line[64];

	map_fd = map_create("snoop_map", 4);
	if (map_fd < 0)
		return 2;
	map_id = fdinfo_id(map_fd, "map_id:");
	elem(BPF_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM", map_fd, "snoop_map", map_id, &key, &value,
	     BPF_NOEXIST, "BPF_NOEXIST");
	elem(BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM", map_fd, "snoop_map", map_id, &key, &got,
	     0, "BPF_ANY");
	if (got != 42)
		return 3;
	prog_fd = prog_load("snoop_prog", NULL);
	if (prog_fd < 0)
		return 4;
	elem(BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM", map_fd, "snoop_map", map_id, &missing,
	     &got, 0, "BPF_ANY");
	/* a hash map with a zero key size: EINVAL */
	map_create("snoop_bad", 0);
	/* an attr bee cannot read either: EFAULT */
	{
		long ret = sys_bpf(BPF_MAP_CREATE, (union bpf_attr *)8, 72);

		emit("BPF_MAP_CREATE", 72, ret, errno, "null", ",\"attr_ptr\":8");
	}
	snprintf(line, sizeof(line), "{\"done\":%d}\n", (int)getpid());
	(void)!write(out_fd, line, strlen(line));
	return 0;
}

/* cgroup skb programs on cgroup directory @cg: PROG_ATTACH (ingress),
 * LINK_CREATE (egress), PROG_DETACH (ingress). */
static int attach(const char *cg)
{
	char attr[1024], fdj_cg[512], fdj_in[160], fdj_eg[160], extra[160];
	unsigned in_id, eg_id, size;
	int err;
	union bpf_attr a;
	int cgfd, in_fd, eg_fd;
	long ret;

	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return 2;
	in_fd = prog_load_t("snoop_ingress", BPF_PROG_TYPE_CGROUP_SKB, "BPF_PROG_TYPE_CGROUP_SKB", 1,
			    BPF_CGROUP_INET_INGRESS, "BPF_CGROUP_INET_INGRESS", &in_id);
	eg_fd = prog_load_t("snoop_egress", BPF_PROG_TYPE_CGROUP_SKB, "BPF_PROG_TYPE_CGROUP_SKB", 1,
			    BPF_CGROUP_INET_EGRESS, "BPF_CGROUP_INET_EGRESS", &eg_id);
	if (in_fd < 0 || eg_fd < 0)
		return 3;
	snprintf(fdj_cg, sizeof(fdj_cg), "{\"fd\":%d,\"kind\":\"path\",\"path\":\"%s\"}", cgfd, cg);
	snprintf(fdj_in, sizeof(fdj_in), "{\"fd\":%d,\"kind\":\"prog\",\"id\":%u,\"name\":\"snoop_ingress\"}",
		 in_fd, in_id);
	snprintf(fdj_eg, sizeof(fdj_eg), "{\"fd\":%d,\"kind\":\"prog\",\"id\":%u,\"name\":\"snoop_egress\"}",
		 eg_fd, eg_id);

	memset(&a, 0, sizeof(a));
	a.target_fd = cgfd;
	a.attach_bpf_fd = in_fd;
	a.attach_type = BPF_CGROUP_INET_INGRESS;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	size = offsetofend(union bpf_attr, attach_flags);
	ret = sys_bpf(BPF_PROG_ATTACH, &a, size);
	snprintf(attr, sizeof(attr),
		 "{\"target_fd\":%s,\"attach_bpf_fd\":%s,\"attach_type\":\"BPF_CGROUP_INET_INGRESS\","
		 "\"attach_flags\":\"BPF_F_ALLOW_MULTI\"}",
		 fdj_cg, fdj_in);
	emit("BPF_PROG_ATTACH", size, ret, errno, attr, NULL);
	if (ret)
		return 4;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = eg_fd;
	a.link_create.target_fd = cgfd;
	a.link_create.attach_type = BPF_CGROUP_INET_EGRESS;
	size = offsetofend(union bpf_attr, link_create.flags);
	ret = sys_bpf(BPF_LINK_CREATE, &a, size);
	err = errno;
	if (ret >= 0)
		snprintf(extra, sizeof(extra),
			 ",\"ret_obj\":{\"fd\":%ld,\"kind\":\"link\",\"id\":%u,\"name\":\"cgroup\"}",
			 ret, fdinfo_id(ret, "link_id:"));
	snprintf(attr, sizeof(attr),
		 "{\"prog_fd\":%s,\"target_fd\":%s,\"attach_type\":\"BPF_CGROUP_INET_EGRESS\","
		 "\"flags\":\"0\"}",
		 fdj_eg, fdj_cg);
	emit("BPF_LINK_CREATE", size, ret, err, attr, ret >= 0 ? extra : NULL);
	if (ret < 0)
		return 5;

	memset(&a, 0, sizeof(a));
	a.target_fd = cgfd;
	a.attach_bpf_fd = in_fd;
	a.attach_type = BPF_CGROUP_INET_INGRESS;
	size = offsetofend(union bpf_attr, attach_type);
	ret = sys_bpf(BPF_PROG_DETACH, &a, size);
	snprintf(attr, sizeof(attr),
		 "{\"target_fd\":%s,\"attach_bpf_fd\":%s,\"attach_type\":\"BPF_CGROUP_INET_INGRESS\"}",
		 fdj_cg, fdj_in);
	emit("BPF_PROG_DETACH", size, ret, errno, attr, NULL);
	return ret ? 6 : 0;
}

/* Attachments made outside bpf(): setsockopt(SO_ATTACH_BPF) of a socket
 * filter on a UDP socket, ioctl(PERF_EVENT_IOC_SET_BPF) of a tracepoint
 * program on the perf event of tracepoint @tp_id (@tp its name). */
static int other_attach(const char *tp_id, const char *tp)
{
	char attr[1024], pj[160];
	unsigned pid_, tid_;
	struct perf_event_attr pa;
	struct stat st;
	int sfd, pfd, prog, tprog;
	long ret;

	prog = prog_load("snoop_sock", &pid_);
	sfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (prog < 0 || sfd < 0 || fstat(sfd, &st))
		return 2;
	ret = setsockopt(sfd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog));
	snprintf(pj, sizeof(pj), "{\"fd\":%d,\"kind\":\"prog\",\"id\":%u,\"name\":\"snoop_sock\"}", prog,
		 pid_);
	snprintf(attr, sizeof(attr),
		 "{\"fd\":{\"fd\":%d,\"kind\":\"file\",\"path\":\"socket:[%lu]\"},\"level\":\"SOL_SOCKET\","
		 "\"prog_fd\":%s,\"optlen\":%zu}",
		 sfd, (unsigned long)st.st_ino, pj, sizeof(prog));
	emit2("setsockopt", "SO_ATTACH_BPF", ret, errno, attr);
	if (ret)
		return 3;

	tprog = prog_load_t("snoop_tp", BPF_PROG_TYPE_TRACEPOINT, "BPF_PROG_TYPE_TRACEPOINT", 0, 0,
			    NULL, &tid_);
	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_TRACEPOINT;
	pa.size = sizeof(pa);
	pa.config = strtoull(tp_id, NULL, 10);
	pa.sample_period = 1;
	pa.wakeup_events = 1;
	pfd = syscall(__NR_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (tprog < 0 || pfd < 0)
		return 4;
	ret = ioctl(pfd, PERF_EVENT_IOC_SET_BPF, tprog);
	snprintf(pj, sizeof(pj), "{\"fd\":%d,\"kind\":\"prog\",\"id\":%u,\"name\":\"snoop_tp\"}", tprog,
		 tid_);
	snprintf(attr, sizeof(attr),
		 "{\"fd\":{\"fd\":%d,\"kind\":\"file\",\"path\":\"perf_event:tracepoint:%s\"},"
		 "\"prog_fd\":%s}",
		 pfd, tp, pj);
	emit2("ioctl", "PERF_EVENT_IOC_SET_BPF", ret, errno, attr);
	return ret ? 5 : 0;
}

static volatile sig_atomic_t go;

static void on_usr1(int sig __attribute__((unused)))
{
	go = 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "loop") && argc == 3) {
		long n = atol(argv[2]), ok = 0;
		union bpf_attr a;
		uint32_t key = 0;
		uint64_t val;
		int fd;

		memset(&a, 0, sizeof(a));
		a.map_type = BPF_MAP_TYPE_ARRAY;
		a.key_size = 4;
		a.value_size = 8;
		a.max_entries = 1;
		snprintf(a.map_name, sizeof(a.map_name), "snoop_loop");
		fd = sys_bpf(BPF_MAP_CREATE, &a, offsetofend(union bpf_attr, map_name));
		if (fd < 0) {
			perror("bpf_calls: map create");
			return 1;
		}
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++) {
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (uintptr_t)&key;
			a.value = (uintptr_t)&val;
			ok += sys_bpf(BPF_MAP_LOOKUP_ELEM, &a, offsetofend(union bpf_attr, flags)) == 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("lookups=%ld ok=%ld loop_ns=%lld map_id=%u\n", n, ok,
		       (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec),
		       map_id_of(fd));
		return ok == n ? 0 : 1;
	}
	out_fd = open(argv[argc - 1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (argc < 3 || out_fd < 0) {
		fprintf(stderr, "usage: bpf_calls basic|fork|wait OUT | exit CODE OUT | load N OUT | loop N\n");
		return 2;
	}
	if (!strcmp(mode, "basic"))
		return basic();
	if (!strcmp(mode, "attach") && argc == 4)
		return attach(argv[2]);
	if (!strcmp(mode, "other") && argc == 5)
		return other_attach(argv[2], argv[3]);
	if (!strcmp(mode, "wait")) {
		char line[64];
		sigset_t none;

		signal(SIGUSR1, on_usr1);
		snprintf(line, sizeof(line), "{\"waiting\":%d}\n", (int)getpid());
		(void)!write(out_fd, line, strlen(line));
		sigemptyset(&none);
		while (!go)
			sigsuspend(&none);
		return basic();
	}
	if (!strcmp(mode, "fork")) {
		pid_t child;
		int st;

		if (map_create("snoop_parent", 4) < 0)
			return 2;
		child = fork();
		if (child == 0)
			_exit(map_create("snoop_child", 4) < 0 ? 2 : 0);
		if (child < 0 || waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
			return 3;
		return 0;
	}
	if (!strcmp(mode, "exit") && argc == 4) {
		int code = atoi(argv[2]);

		map_create("snoop_quick", 4);
		_exit(code);
	}
	if (!strcmp(mode, "load") && argc == 4) {
		int n = atoi(argv[2]);
		char name[16];

		snprintf(name, sizeof(name), "snoop_%d", (int)getpid());
		for (int i = 0; i < n; i++)
			if (prog_load(name, NULL) < 0)
				return 2;
		return 0;
	}
	fprintf(stderr, "bpf_calls: unknown mode '%s'\n", mode);
	return 2;
}
