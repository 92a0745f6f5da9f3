// SPDX-License-Identifier: GPL-2.0
/* bee prog: list, show, dump (bee's own disassembler, capstone for the JIT),
 * pin, load and tracelog, in bpftool's grammar. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "prog_internal.h"

static int prog_help(void)
{
	printf("Usage: bee prog { show | list } [PROG] [stats [SECONDS]]\n"
	       "       bee prog dump xlated PROG [{ opcodes | linum | nolabels | visual | file FILE }]\n"
	       "       bee prog dump jited  PROG [{ opcodes | linum | file FILE }]\n"
	       "       bee prog pin   PROG FILE\n"
	       "       bee prog { load | loadall } OBJ PATH [type TYPE] [pinmaps MAP_DIR]\n"
	       "       bee prog run PROG [data_in FILE [data_out FILE [data_size_out L]]]\n"
	       "                         [ctx_in FILE [ctx_out FILE [ctx_size_out M]]] [repeat N]\n"
	       "       bee prog tracelog [instance NAME]\n"
	       "       bee prog help\n"
	       "\n"
	       "       PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n"
	       "       TYPE := a section name as bpftool takes it (socket, classifier, xdp,\n"
	       "               cgroup/skb, ...) or a type as the kernel's BTF names it (enum\n"
	       "               bpf_prog_type without BPF_PROG_TYPE_: sched_cls, netfilter, ...)\n"
	       "\n"
	       "'show' ends each program with 'pids COMM(PID), ...', the processes that\n"
	       "hold an fd of it (\"pids\" in JSON), when there are any.\n"
	       "'show' with a name or tag shows every program that has it; other commands\n"
	       "want exactly one. 'stats' turns the kernel's run-time statistics on\n"
	       "(BPF_ENABLE_STATS) for SECONDS (default 1, or until Ctrl-C), then shows\n"
	       "the runs and time counted meanwhile; they are off again when bee exits.\n"
	       "'load' pins the object's first program at PATH, 'loadall' every program\n"
	       "under the directory PATH; 'pinmaps' pins the maps under MAP_DIR. OBJ is a\n"
	       "compiled object, or a BPF C source that bee compiles (and caches) first.\n"
	       "'run' runs the program once (or N times) in the kernel on the given input\n"
	       "(BPF_PROG_TEST_RUN; FILE '-' is stdin, or a hex dump on stdout).\n"
	       "'tracelog' streams the kernel's trace_pipe until Ctrl-C.\n");
	return EXIT_OK;
}

/* "bee prog dump help", "bee prog pin --help": the grammar, exit 0. */
static bool wants_help(int argc, char **argv)
{
	/* "help" only first: a program may be named "help" */
	if (argc > 1 && !strcmp(argv[1], "help"))
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* ---- finding programs ---------------------------------------------------- */

struct prog_set {
	int *fds;
	int cnt, cap;
	char what[300]; /* "prog id 5", "prog name 'foo'" for messages */
};

static void prog_set_close(struct prog_set *s)
{
	for (int i = 0; i < s->cnt; i++)
		close(s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->cnt = s->cap = 0;
}

/* Keep @fd in @s (closed on failure). */
static int prog_set_add(struct prog_set *s, int fd)
{
	if (s->cnt == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		int *n = realloc(s->fds, cap * sizeof(*n));

		if (!n) {
			close(fd);
			return -ENOMEM;
		}
		s->fds = n;
		s->cap = cap;
	}
	s->fds[s->cnt++] = fd;
	return 0;
}

static int list_errno;

/* bpf_prog_get_next_id, remembering why it stopped: ENOENT is the end of
 * the list, anything else (EPERM without CAP_SYS_ADMIN) an error to say. */
static bool next_prog_id(uint32_t *id)
{
	if (!bpf_prog_get_next_id(*id, id))
		return true;
	list_errno = errno == ENOENT ? 0 : errno;
	return false;
}

static int list_failed(void)
{
	return cli_err("prog: cannot walk the kernel's programs: %s%s", strerror(list_errno),
		       list_errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
}

/* An fd for program @id; when many are held at once (stats over every
 * program), raise the soft fd limit to the hard one rather than fail. */
static int prog_fd_by_id(uint32_t id)
{
	int fd = bpf_prog_get_fd_by_id(id);
	struct rlimit rl;

	if (fd < 0 && errno == EMFILE && !getrlimit(RLIMIT_NOFILE, &rl) &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (!setrlimit(RLIMIT_NOFILE, &rl))
			fd = bpf_prog_get_fd_by_id(id);
	}
	return fd;
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* The full name: info.name stops at 15 characters, BTF's func_info has the
 * whole name of the program's main function (bpftool does the same). */
static void prog_full_name(int fd, const struct bpf_prog_info *info, char *buf, size_t sz)
{
	struct bpf_prog_info fi = {};
	struct bpf_func_info finfo = {};
	uint32_t len = sizeof(fi);
	const struct btf_type *t;
	struct btf *btf;

	snprintf(buf, sz, "%s", info->name);
	if (strlen(info->name) < BPF_OBJ_NAME_LEN - 1 || !info->btf_id || !info->nr_func_info)
		return;
	fi.nr_func_info = 1;
	fi.func_info_rec_size = sizeof(finfo);
	fi.func_info = (uintptr_t)&finfo;
	if (bpf_obj_get_info_by_fd(fd, &fi, &len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, finfo.type_id);
	if (t && btf_is_func(t))
		snprintf(buf, sz, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* The directory that will hold @path must be on bpffs. */
static bool parent_is_bpffs(const char *path)
{
	char dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	return is_bpffs(dir);
}

static int fd_is_prog(int fd)
{
	char path[64], *buf = NULL;
	bool ok;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (bee_read_file(path, &buf, NULL))
		return false;
	ok = strstr(buf, "prog_type:") != NULL;
	free(buf);
	return ok;
}

static int parse_tag(const char *s, uint8_t tag[BPF_TAG_SIZE])
{
	/* bpftool takes "f8239b1e6fb4a0c6" or "f8:23:9b:..." */
	for (int i = 0; i < BPF_TAG_SIZE; i++) {
		unsigned v;
		int n;

		if (sscanf(s, "%2x%n", &v, &n) != 1 || n != 2)
			return -EINVAL;
		tag[i] = v;
		s += 2;
		if (*s == ':')
			s++;
	}
	return *s ? -EINVAL : 0;
}

/*
 * Parse PROG from argv (2 words). With @multi, a name or tag may match
 * several programs; without, that is an error listing their ids. Returns
 * the words used (2) or, after printing the error, -EXIT_FAIL/-EXIT_USAGE.
 */
static int prog_parse(int argc, char **argv, struct prog_set *s, bool multi)
{
	static const char *const kinds[] = { "id", "pinned", "tag", "name", NULL };
	uint8_t tag[BPF_TAG_SIZE];
	char ids[256] = "";
	int listed = 0;
	int k, fd;

	s->cnt = 0;
	if (argc < 1)
		return -cli_usage("prog: expected PROG := { id ID | pinned FILE | tag TAG | name NAME }");
	k = cli_match(argv[0], kinds, "prog keyword");
	if (k == -2)
		return -EXIT_USAGE;
	if (k < 0)
		return -cli_usage("prog: expected 'id', 'pinned', 'tag' or 'name', got '%s'", argv[0]);
	if (argc < 2)
		return -cli_usage("prog: '%s' needs a value", kinds[k]);
	snprintf(s->what, sizeof(s->what), "prog %s '%s'", kinds[k], argv[1]);

	if (k == 0) {
		char *end;
		unsigned long id = strtoul(argv[1], &end, 0);

		if (!argv[1][0] || *end || argv[1][0] == '-' || id > UINT32_MAX)
			return -cli_usage("prog id '%s': not a number", argv[1]);
		snprintf(s->what, sizeof(s->what), "prog id %lu", id);
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			return -cli_err("prog id %lu: %s", id,
					errno == ENOENT ? "no such program" : strerror(errno));
		if (prog_set_add(s, fd))
			return -cli_err("prog: %s", strerror(ENOMEM));
		return 2;
	}
	if (k == 1) {
		if (!is_bpffs(argv[1]))
			return -cli_err("prog pinned '%s': %s", argv[1],
					access(argv[1], F_OK) ? strerror(errno) :
								"not a file on a bpffs mount");
		fd = bpf_obj_get(argv[1]);
		if (fd < 0)
			return -cli_err("prog pinned '%s': %s", argv[1], strerror(errno));
		if (!fd_is_prog(fd)) {
			close(fd);
			return -cli_err("prog pinned '%s': pinned object is not a program", argv[1]);
		}
		if (prog_set_add(s, fd))
			return -cli_err("prog: %s", strerror(ENOMEM));
		return 2;
	}
	if (k == 2 && parse_tag(argv[1], tag))
		return -cli_usage("prog tag '%s': want 8 bytes in hex, e.g. f8239b1e6fb4a0c6",
				  argv[1]);

	/* name or tag: every program that has it */
	for (uint32_t id = 0; next_prog_id(&id);) {
		struct bpf_prog_info info;
		char full[256];
		bool hit;

		fd = prog_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		if (prog_info(fd, &info)) {
			close(fd);
			continue;
		}
		if (k == 2) {
			hit = !memcmp(info.tag, tag, BPF_TAG_SIZE);
		} else {
			hit = !strcmp(info.name, argv[1]);
			if (!hit && strlen(info.name) == BPF_OBJ_NAME_LEN - 1 &&
			    !strncmp(info.name, argv[1], BPF_OBJ_NAME_LEN - 1)) {
				prog_full_name(fd, &info, full, sizeof(full));
				hit = !strcmp(full, argv[1]);
			}
		}
		if (!hit) {
			close(fd);
			continue;
		}
		if (prog_set_add(s, fd)) {
			prog_set_close(s);
			return -cli_err("prog: %s", strerror(ENOMEM));
		}
		if (strlen(ids) < sizeof(ids) - 16) {
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%u",
				 ids[0] ? ", " : "", id);
			listed++;
		}
	}
	if (list_errno) {
		prog_set_close(s);
		return -list_failed();
	}
	if (!s->cnt)
		return -cli_err("%s: no such program", s->what);
	if (s->cnt > 1 && !multi) {
		int n = s->cnt;

		prog_set_close(s);
		if (listed < n)
			return -cli_err("%s matches %d programs (ids %s and %d more); use 'id ID'",
					s->what, n, ids, n - listed);
		return -cli_err("%s matches %d programs (ids %s); use 'id ID'", s->what, n, ids);
	}
	return 2;
}

/* ---- show ---------------------------------------------------------------- */

static const char *prog_type_name(uint32_t type, char *buf, size_t sz)
{
	const char *n = libbpf_bpf_prog_type_str(type);

	/* libbpf's table is the kernel's enum spelled the same way; only types
	 * newer than libbpf need the kernel's BTF (which costs a parse) */
	if (!n)
		n = bee_enum_name("bpf_prog_type", type, "BPF_PROG_TYPE_");
	if (!n)
		return NULL;
	snprintf(buf, sz, "%s", n);
	return buf;
}

/* Load time is nanoseconds since boot; wall clock = now - (uptime - it). */
static time_t boot_to_wall(uint64_t ns)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	/* whole seconds, truncated as bpftool does, so both print the same */
	return rt.tv_sec - bt.tv_sec + (time_t)(ns / 1000000000ULL);
}

static long long fdinfo_num(int fd, const char *key)
{
	char path[64], *buf = NULL, *p;
	long long v = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (bee_read_file(path, &buf, NULL))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t n = strlen(key);

		if (!strncmp(p, key, n) && p[n] == ':') {
			v = strtoll(p + n + 1, NULL, 10);
			break;
		}
	}
	free(buf);
	return v;
}

struct stats_delta {
	double secs;
	uint64_t cnt, ns;
};

static int show_one(int fd, struct bee_json *j, const struct stats_delta *sd)
{
	struct bpf_prog_info info = {};
	uint32_t maps[64], len = sizeof(info), *map_ids = maps;
	char type[64], name[256], tagbuf[2 * BPF_TAG_SIZE + 1], when[64];
	long long memlock;
	int err = 0;

	/* one syscall for the common case of up to 64 maps */
	info.nr_map_ids = ARRAY_SIZE(maps);
	info.map_ids = (uintptr_t)maps;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.nr_map_ids > ARRAY_SIZE(maps)) {
		uint32_t n = info.nr_map_ids;

		map_ids = calloc(n, sizeof(*map_ids));
		if (!map_ids)
			return -ENOMEM;
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = n;
		info.map_ids = (uintptr_t)map_ids;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = -errno;
			goto out;
		}
		if (info.nr_map_ids > n)
			info.nr_map_ids = n;
	}
	if (cli_pids_own(BEE_PIDS_PROG, info.id))
		goto out; /* bee's own, made to find the pids below */
	prog_full_name(fd, &info, name, sizeof(name));
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(tagbuf + 2 * i, 3, "%02x", info.tag[i]);
	memlock = fdinfo_num(fd, "memlock");

	if (j) {
		bee_json_obj_start(j);
		bee_json_kuint(j, "id", info.id);
		if (prog_type_name(info.type, type, sizeof(type)))
			bee_json_kstr(j, "type", type);
		else
			bee_json_kuint(j, "type", info.type);
		if (name[0])
			bee_json_kstr(j, "name", name);
		bee_json_kstr(j, "tag", tagbuf);
		bee_json_kbool(j, "gpl_compatible", info.gpl_compatible);
		if (info.run_time_ns || sd) {
			bee_json_kuint(j, "run_time_ns", info.run_time_ns);
			bee_json_kuint(j, "run_cnt", info.run_cnt);
		}
		if (info.recursion_misses)
			bee_json_kuint(j, "recursion_misses", info.recursion_misses);
		if (info.load_time) {
			bee_json_kint(j, "loaded_at", boot_to_wall(info.load_time));
			bee_json_kuint(j, "uid", info.created_by_uid);
		}
		bee_json_kuint(j, "bytes_xlated", info.xlated_prog_len);
		bee_json_kbool(j, "jited", info.jited_prog_len != 0);
		if (info.jited_prog_len)
			bee_json_kuint(j, "bytes_jited", info.jited_prog_len);
		if (memlock >= 0)
			bee_json_kint(j, "bytes_memlock", memlock);
		if (info.nr_map_ids) {
			bee_json_key(j, "map_ids");
			bee_json_arr_start(j);
			for (uint32_t i = 0; i < info.nr_map_ids; i++)
				bee_json_uint(j, map_ids[i]);
			bee_json_arr_end(j);
		}
		if (info.btf_id)
			bee_json_kuint(j, "btf_id", info.btf_id);
		if (info.verified_insns)
			bee_json_kuint(j, "verified_insns", info.verified_insns);
		if (sd) {
			bee_json_kuint(j, "stats_duration_ns", (uint64_t)(sd->secs * 1e9));
			bee_json_kuint(j, "stats_run_cnt", sd->cnt);
			bee_json_kuint(j, "stats_run_time_ns", sd->ns);
		}
		cli_pids_print(j, BEE_PIDS_PROG, info.id);
		bee_json_obj_end(j);
		goto out;
	}

	printf("%u: ", info.id);
	if (prog_type_name(info.type, type, sizeof(type)))
		printf("%s  ", type);
	else
		printf("type %u  ", info.type);
	if (name[0])
		printf("name %s  ", name);
	printf("tag %s%s", tagbuf, info.gpl_compatible ? "  gpl" : "");
	if (info.run_time_ns || sd)
		printf(" run_time_ns %llu run_cnt %llu", (unsigned long long)info.run_time_ns,
		       (unsigned long long)info.run_cnt);
	if (info.recursion_misses)
		printf(" recursion_misses %llu", (unsigned long long)info.recursion_misses);
	printf("\n");
	if (info.load_time) {
		time_t t = boot_to_wall(info.load_time);
		struct tm tm;

		strftime(when, sizeof(when), "%FT%T%z", localtime_r(&t, &tm));
		printf("\tloaded_at %s  uid %u\n", when, info.created_by_uid);
	}
	printf("\txlated %uB", info.xlated_prog_len);
	if (info.jited_prog_len)
		printf("  jited %uB", info.jited_prog_len);
	else
		printf("  not jited");
	if (memlock >= 0)
		printf("  memlock %lldB", memlock);
	if (info.nr_map_ids) {
		printf("  map_ids ");
		for (uint32_t i = 0; i < info.nr_map_ids; i++)
			printf("%s%u", i ? "," : "", map_ids[i]);
	}
	if (info.btf_id)
		printf("\n\tbtf_id %u", info.btf_id);
	if (info.verified_insns)
		printf("%sverified_insns %u", info.btf_id ? "  " : "\n\t", info.verified_insns);
	if (sd)
		printf("\n\tstats over %.2fs: run_cnt %llu  run_time_ns %llu  avg %llu ns/run",
		       sd->secs, (unsigned long long)sd->cnt, (unsigned long long)sd->ns,
		       (unsigned long long)(sd->cnt ? sd->ns / sd->cnt : 0));
	printf("\n");
	cli_pids_print(NULL, BEE_PIDS_PROG, info.id);
out:
	if (map_ids != maps)
		free(map_ids);
	return err;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: a blocking read or sleep returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
}

static int do_show(int argc, char **argv)
{
	struct prog_set *s;
	struct stats_delta *sd = NULL;
	struct bee_json j;
	uint64_t *cnt0 = NULL, *ns0 = NULL;
	double secs = 1;
	int stats_fd = -1, ret = EXIT_OK, n, i;
	bool all = true, stats = false;

	if (wants_help(argc, argv))
		return prog_help();
	s = calloc(1, sizeof(*s));
	if (!s)
		return cli_err("prog: %s", strerror(ENOMEM));
	argc--, argv++;
	if (argc && !cli_is(argv[0], "stats")) {
		n = prog_parse(argc, argv, s, true);
		if (n < 0) {
			ret = -n;
			goto out;
		}
		argc -= n, argv += n;
		all = false;
	}
	if (argc && cli_is(argv[0], "stats")) {
		stats = true;
		argc--, argv++;
		if (argc) {
			char *end;

			secs = strtod(argv[0], &end);
			if (*end || secs < 0 || secs > 86400) {
				ret = cli_usage("prog stats: '%s' is not a duration in seconds",
						argv[0]);
				goto out;
			}
			argc--, argv++;
		}
	}
	if (argc) {
		ret = cli_usage("prog show: unexpected '%s'", argv[0]);
		goto out;
	}
	if (all && !stats) {
		/* stream: one fd at a time, however many programs there are */
		if (json_output) {
			cli_json_begin(&j);
			bee_json_arr_start(&j);
		}
		for (uint32_t id = 0; next_prog_id(&id);) {
			int fd = bpf_prog_get_fd_by_id(id), err;

			if (fd < 0)
				continue; /* unloaded meanwhile */
			err = show_one(fd, json_output ? &j : NULL, NULL);
			close(fd);
			if (err && err != -ENOENT) {
				ret = cli_err("prog id %u: cannot read its info: %s", id, strerror(-err));
				goto out;
			}
		}
		if (list_errno) {
			ret = list_failed();
			goto out;
		}
		if (json_output) {
			bee_json_arr_end(&j);
			bee_json_end(&j);
		}
		goto out;
	}
	if (all) {
		for (uint32_t id = 0; next_prog_id(&id);) {
			int fd = prog_fd_by_id(id);

			if (fd >= 0 && prog_set_add(s, fd)) {
				ret = cli_err("prog: %s", strerror(ENOMEM));
				goto out;
			}
		}
		if (list_errno) {
			ret = list_failed();
			goto out;
		}
	}
	if (stats) {
		struct bpf_prog_info info;
		struct timespec t0, t1;

		/* The kernel counts runs only while some BPF_ENABLE_STATS fd is
		 * open (or the sysctl is set); ours closes with bee. */
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			ret = cli_err("prog stats: cannot enable the kernel's BPF statistics: %s",
				      strerror(errno));
			goto out;
		}
		cnt0 = calloc(s->cnt + 1, sizeof(*cnt0));
		ns0 = calloc(s->cnt + 1, sizeof(*ns0));
		sd = calloc(s->cnt + 1, sizeof(*sd));
		if (!cnt0 || !ns0 || !sd) {
			ret = cli_err("prog: %s", strerror(ENOMEM));
			goto out;
		}
		for (i = 0; i < s->cnt; i++)
			if (!prog_info(s->fds[i], &info))
				cnt0[i] = info.run_cnt, ns0[i] = info.run_time_ns;
		catch_signals();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		/* on stderr in JSON mode too: it tells a waiting script that
		 * counting has begun */
		fprintf(stderr, "bee: BPF statistics on for %.2fs (Ctrl-C to stop early)\n", secs);
		{
			struct timespec req = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };

			while (!stop && nanosleep(&req, &req) && errno == EINTR)
				;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		for (i = 0; i < s->cnt; i++) {
			sd[i].secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (!prog_info(s->fds[i], &info)) {
				sd[i].cnt = info.run_cnt - cnt0[i];
				sd[i].ns = info.run_time_ns - ns0[i];
			}
		}
	}
	if (json_output) {
		cli_json_begin(&j);
		/* one program asked for by id or path is an object, lists are arrays */
		if (all || s->cnt != 1)
			bee_json_arr_start(&j);
	}
	for (i = 0; i < s->cnt; i++) {
		int err = show_one(s->fds[i], json_output ? &j : NULL, sd ? &sd[i] : NULL);

		if (err && err != -ENOENT) {
			ret = cli_err("%s: cannot read its info: %s", s->what, strerror(-err));
			goto out;
		}
	}
	if (json_output) {
		if (j.depth)
			bee_json_arr_end(&j);
		bee_json_end(&j);
	}
out:
	if (stats_fd >= 0)
		close(stats_fd);
	free(cnt0);
	free(ns0);
	free(sd);
	prog_set_close(s);
	free(s);
	return ret;
}

/* ---- dump ---------------------------------------------------------------- */

static int write_raw(const char *file, int fd, bool jited, const char *what)
{
	struct bee_prog_data d;
	int err;

	err = bee_prog_data_get(fd, jited, &d);
	if (err)
		return cli_err("%s: cannot read the program: %s", what, strerror(-err));
	if (jited ? !d.info.jited_prog_len : !d.info.xlated_prog_len)
		err = -EPERM;
	else
		err = bee_write_file(file, jited ? (void *)d.jited : (void *)d.insns,
				     jited ? d.info.jited_prog_len : d.info.xlated_prog_len);
	bee_prog_data_free(&d);
	if (err)
		return cli_err("%s: cannot write '%s': %s", what, file, strerror(-err));
	return EXIT_OK;
}

static int do_dump(int argc, char **argv)
{
	static const char *const kinds[] = { "xlated", "jited", NULL };
	static const char *const opts_kw[] = { "opcodes", "linum", "nolabels", "file", "visual",
					       NULL };
	struct prog_set s = { .cnt = 0 };
	const char *file = NULL;
	unsigned flags = 0;
	int k, n, ret = EXIT_OK, err;

	if (wants_help(argc, argv))
		return prog_help();
	argc--, argv++;
	if (argc < 1)
		return cli_usage("prog dump: expected 'xlated' or 'jited'");
	k = cli_match(argv[0], kinds, "prog dump kind");
	if (k == -2)
		return EXIT_USAGE;
	if (k < 0)
		return cli_usage("prog dump: expected 'xlated' or 'jited', got '%s'", argv[0]);
	argc--, argv++;
	n = prog_parse(argc, argv, &s, false);
	if (n < 0)
		return -n;
	argc -= n, argv += n;
	while (argc) {
		int o = cli_match(argv[0], opts_kw, "prog dump option");

		if (o == -2) {
			ret = EXIT_USAGE;
			goto out;
		}
		if (o == 0) {
			flags |= BEE_DISASM_OPCODES;
		} else if (o == 1) {
			flags |= BEE_DISASM_LINUM;
		} else if (o == 2 && k == 0) {
			flags |= BEE_DISASM_NO_LABELS;
		} else if (o == 4 && k == 0) {
			flags |= BEE_DISASM_VISUAL;
		} else if (o == 3 && argc > 1) {
			file = argv[1];
			argc--, argv++;
		} else {
			ret = cli_usage("prog dump %s: unexpected '%s'", kinds[k], argv[0]);
			goto out;
		}
		argc--, argv++;
	}
	if (file) {
		ret = write_raw(file, s.fds[0], k == 1, s.what);
		goto out;
	}
	if (json_output && !(flags & BEE_DISASM_VISUAL))
		flags |= BEE_DISASM_JSON | (pretty_output ? BEE_DISASM_PRETTY : 0);
	err = k == 0 ? bee_prog_dump_xlated(s.fds[0], stdout, flags) :
		       bee_prog_dump_jited(s.fds[0], stdout, flags);
	if (err == -EPERM)
		ret = cli_err("%s: the kernel hides its instructions from this process "
			      "(needs CAP_SYS_ADMIN, or CAP_PERFMON and CAP_BPF)", s.what);
	else if (err == -ENODATA)
		ret = cli_err("%s: not jited (the kernel runs it in the interpreter; see "
			      "/proc/sys/net/core/bpf_jit_enable)", s.what);
	else if (err < 0)
		ret = cli_err("%s: cannot dump: %s", s.what, cli_strerr(err));
out:
	prog_set_close(&s);
	return ret;
}

/* ---- pin, load ----------------------------------------------------------- */

/* @path (or, with @dir, the directory @path itself) must be on bpffs. */
static int check_pin_path(const char *path, bool dir)
{
	if (!bee_bpffs())
		return cli_err("cannot mount bpffs: %s", cli_strerr(-errno));
	if (!parent_is_bpffs(path) && !(dir && is_bpffs(path)))
		return cli_err("'%s' is not on a bpffs mount (mounted at %s)", path, bee_bpffs());
	/* bpffs refuses names with dots (EPERM), and libbpf would quietly
	 * turn them into '_' in map pin paths */
	if (strchr(strrchr(path, '/') ? strrchr(path, '/') + 1 : path, '.'))
		return cli_err("'%s': bpffs names cannot contain '.'", path);
	return EXIT_OK;
}

static int do_pin(int argc, char **argv)
{
	struct prog_set s = { .cnt = 0 };
	int n, ret = EXIT_OK;

	if (wants_help(argc, argv))
		return prog_help();
	argc--, argv++;
	n = prog_parse(argc, argv, &s, false);
	if (n < 0)
		return -n;
	argc -= n, argv += n;
	if (argc != 1) {
		ret = cli_usage("prog pin: expected PROG FILE");
		goto out;
	}
	ret = check_pin_path(argv[0], false);
	if (ret)
		goto out;
	if (bpf_obj_pin(s.fds[0], argv[0]))
		ret = cli_err("%s: cannot pin at '%s': %s", s.what, argv[0], strerror(errno));
out:
	prog_set_close(&s);
	return ret;
}

/*
 * TYPE as bpftool takes it (a section name: "socket", "classifier",
 * "cgroup/skb", "xdp", which also fixes the expected attach type), or the
 * kernel's own enum name without BPF_PROG_TYPE_ ("sched_cls", "netfilter"),
 * read from kernel BTF so that types newer than libbpf work.
 */
static int type_by_name(const char *name, enum bpf_prog_type *type,
			enum bpf_attach_type *attach)
{
	char full[128];
	long long v;
	int n;

	*attach = 0;
	if (!libbpf_prog_type_by_name(name, type, attach))
		return 0;
	n = snprintf(full, sizeof(full), "BPF_PROG_TYPE_");
	for (const char *p = name; *p && n < (int)sizeof(full) - 1; p++)
		full[n++] = *p == '/' || *p == '-' ? '_' : (*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	full[n] = 0;
	if (bee_enum_value(full, &v))
		return -ENOENT;
	*type = v;
	*attach = 0;
	return 0;
}

static int do_load(int argc, char **argv)
{
	bool all = cli_is(argv[0], "loadall") && strlen(argv[0]) > 4;
	const char *obj_path, *path, *pinmaps = NULL;
	enum bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
	enum bpf_attach_type attach = 0;
	struct bee_obj *bobj = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	int err, ret = EXIT_OK;

	if (wants_help(argc, argv))
		return prog_help();
	argc--, argv++;
	if (argc < 2)
		return cli_usage("prog %s: expected OBJ PATH", all ? "loadall" : "load");
	obj_path = argv[0];
	path = argv[1];
	argc -= 2, argv += 2;
	while (argc) {
		if (cli_is(argv[0], "type") && argc > 1) {
			if (type_by_name(argv[1], &type, &attach))
				return cli_usage("prog type '%s': the kernel has no such program type",
						 argv[1]);
		} else if (cli_is(argv[0], "pinmaps") && argc > 1) {
			pinmaps = argv[1];
		} else {
			return cli_usage("prog load: unexpected '%s'", argv[0]);
		}
		argc -= 2, argv += 2;
	}
	ret = check_pin_path(path, all);
	if (!ret && pinmaps)
		ret = check_pin_path(pinmaps, true);
	if (ret)
		return ret;

	/* bee's object: a .c is compiled (cached), and a verifier rejection
	 * comes back as one line naming the program and the reason */
	bobj = bee_obj__open_file(obj_path, NULL);
	if (!bobj)
		return cli_err("object '%s': %s", obj_path, cli_strerr(-errno));
	obj = bee_obj__bpf_object(bobj);
	if (!bpf_object__next_program(obj, NULL)) {
		ret = cli_err("object '%s': has no programs", obj_path);
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		if (type != BPF_PROG_TYPE_UNSPEC) {
			bpf_program__set_type(prog, type);
			if (attach)
				bpf_program__set_expected_attach_type(prog, attach);
		}
		/* load: only the first program is kept, so load only it */
		if (!all && prog != bpf_object__next_program(obj, NULL))
			bpf_program__set_autoload(prog, false);
	}
	err = bee_obj__load(bobj);
	if (err) {
		ret = cli_err("object '%s': %s", obj_path, cli_strerr(err));
		goto out;
	}
	if (all) {
		bee_mkdirs(path, 0700);
		err = bpf_object__pin_programs(obj, path);
	} else {
		err = bpf_program__pin(bpf_object__next_program(obj, NULL), path);
	}
	if (err) {
		ret = cli_err("object '%s': cannot pin at '%s': %s", obj_path, path,
			      strerror(-err));
		goto out;
	}
	if (pinmaps) {
		err = bpf_object__pin_maps(obj, pinmaps);
		if (err) {
			ret = cli_err("object '%s': cannot pin maps under '%s': %s", obj_path,
				      pinmaps, strerror(-err));
			if (all)
				bpf_object__unpin_programs(obj, path);
			else
				unlink(path);
		}
	}
out:
	bee_obj__close(bobj);
	return ret;
}

/* ---- run (BPF_PROG_TEST_RUN) --------------------------------------------- */

/* Read FILE ("-": stdin) whole; *buf malloc'ed. */
static int read_input(const char *file, char **buf, size_t *size)
{
	size_t cap = 4096, len = 0;
	char *p = NULL, *np;
	FILE *f = strcmp(file, "-") ? fopen(file, "re") : stdin;
	int err = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t n;

		if (!p || len == cap) {
			cap = p ? cap * 2 : cap;
			np = realloc(p, cap);
			if (!np) {
				err = -ENOMEM;
				break;
			}
			p = np;
		}
		n = fread(p + len, 1, cap - len, f);
		len += n;
		if (!n)
			break;
	}
	if (f != stdin)
		fclose(f);
	if (err) {
		free(p);
		return err;
	}
	*buf = p;
	*size = len;
	return 0;
}

/* FILE, or "-": a hex dump on stdout laid out as bpftool's (offset, byte
 * pairs, then the printable characters), so scripts read both alike. */
static int write_output(const char *file, const void *data, size_t size)
{
	const uint8_t *b = data;

	if (strcmp(file, "-"))
		return bee_write_file(file, data, size);
	for (size_t i = 0; i < size; i += 16) {
		size_t k;

		printf("%07zx\t", i);
		for (k = i; k < i + 16 && k < size; k++)
			printf("%02x%s", b[k], k % 2 ? " " : "");
		for (; k < i + 16; k++)
			printf("  %s", k % 2 ? " " : "");
		printf("| ");
		for (k = i; k < i + 16 && k < size; k++)
			printf("%c%s", b[k] >= ' ' && b[k] <= '~' ? b[k] : '.', k == i + 7 ? " " : "");
		printf("\n");
	}
	return 0;
}

static int do_run(int argc, char **argv)
{
	static const char *const kw[] = { "data_in", "data_out", "data_size_out", "ctx_in",
					   "ctx_out", "ctx_size_out", "repeat", NULL };
	const char *val[ARRAY_SIZE(kw)] = {};
	struct prog_set s = { .cnt = 0 };
	char *data_in = NULL, *ctx_in = NULL, *data_out = NULL, *ctx_out = NULL;
	size_t data_sz = 0, ctx_sz = 0;
	unsigned long data_out_sz, ctx_out_sz, repeat;
	struct bee_json j;
	int n, k, err, ret = EXIT_OK;

	if (wants_help(argc, argv))
		return prog_help();
	argc--, argv++;
	n = prog_parse(argc, argv, &s, false);
	if (n < 0)
		return -n;
	argc -= n, argv += n;
	for (; argc; argc -= 2, argv += 2) {
		k = cli_match(argv[0], kw, "prog run option");
		if (k == -2) {
			ret = EXIT_USAGE;
			goto out;
		}
		if (k < 0 || argc < 2) {
			ret = cli_usage("prog run: %s '%s'", k < 0 ? "unexpected" : "no value after",
					argv[0]);
			goto out;
		}
		val[k] = argv[1];
	}
	data_out_sz = val[2] ? strtoul(val[2], NULL, 0) : 0;
	ctx_out_sz = val[5] ? strtoul(val[5], NULL, 0) : 0;
	repeat = val[6] ? strtoul(val[6], NULL, 0) : 1;
	if ((val[2] && !val[1]) || (val[4] && !val[3]) || (val[5] && !val[4]) || !repeat ||
	    repeat > UINT32_MAX) {
		ret = cli_usage("prog run: data_size_out needs data_out, ctx_out ctx_in, "
				"ctx_size_out ctx_out; repeat must be 1 or more");
		goto out;
	}
	if (val[0] && (err = read_input(val[0], &data_in, &data_sz))) {
		ret = cli_err("prog run: cannot read '%s': %s", val[0], strerror(-err));
		goto out;
	}
	if (val[3] && (err = read_input(val[3], &ctx_in, &ctx_sz))) {
		ret = cli_err("prog run: cannot read '%s': %s", val[3], strerror(-err));
		goto out;
	}
	/* room for what the program may grow the packet to */
	if (val[1] && !data_out_sz)
		data_out_sz = data_sz + 4096;
	if (val[4] && !ctx_out_sz)
		ctx_out_sz = ctx_sz;
	data_out = val[1] ? calloc(1, data_out_sz + 1) : NULL;
	ctx_out = val[4] ? calloc(1, ctx_out_sz + 1) : NULL;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = data_in, .data_size_in = data_sz,
		    .data_out = data_out, .data_size_out = data_out ? data_out_sz : 0,
		    .ctx_in = ctx_in, .ctx_size_in = ctx_sz, .ctx_out = ctx_out,
		    .ctx_size_out = ctx_out ? ctx_out_sz : 0, .repeat = repeat);
	if (bpf_prog_test_run_opts(s.fds[0], &t)) {
		if (errno == 524) /* the kernel's ENOTSUPP, which strerror does not know */
			ret = cli_err("%s: the kernel cannot test-run this program type", s.what);
		else
			ret = cli_err("%s: test run failed: %s%s", s.what, strerror(errno),
				      errno == EINVAL && !data_in ?
					      " (this program type may need data_in)" : "");
		goto out;
	}
	if (data_out && (err = write_output(val[1], data_out, t.data_size_out))) {
		ret = cli_err("prog run: cannot write '%s': %s", val[1], strerror(-err));
		goto out;
	}
	if (ctx_out && (err = write_output(val[4], ctx_out, t.ctx_size_out))) {
		ret = cli_err("prog run: cannot write '%s': %s", val[4], strerror(-err));
		goto out;
	}
	if (json_output) {
		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kuint(&j, "retval", t.retval);
		bee_json_kuint(&j, "duration_ns", t.duration);
		bee_json_kuint(&j, "repeat", repeat);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("Return value: %u, duration%s: %uns\n", t.retval,
		       repeat > 1 ? " (average)" : "", t.duration);
	}
out:
	free(data_in);
	free(ctx_in);
	free(data_out);
	free(ctx_out);
	prog_set_close(&s);
	return ret;
}

/* ---- tracelog ------------------------------------------------------------ */

static int do_tracelog(int argc, char **argv)
{
	const char *tracefs = bee_tracefs(), *inst = NULL;
	char path[4096], buf[8192];
	struct bee_json j;
	size_t len = 0;
	int fd;

	if (wants_help(argc, argv))
		return prog_help();
	argc--, argv++;
	if (argc == 2 && cli_is(argv[0], "instance")) {
		inst = argv[1];
		if (strchr(inst, '/') || !strcmp(inst, "..") || !strcmp(inst, "."))
			return cli_usage("prog tracelog: bad instance name '%s'", inst);
	} else if (argc) {
		return cli_usage("prog tracelog: unexpected '%s'", argv[0]);
	}
	if (!tracefs)
		return cli_err("prog tracelog: cannot mount tracefs: %s", cli_strerr(-errno));
	if (inst)
		snprintf(path, sizeof(path), "%s/instances/%s/trace_pipe", tracefs, inst);
	else
		snprintf(path, sizeof(path), "%s/trace_pipe", tracefs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_err("prog tracelog: cannot open '%s': %s", path, strerror(errno));
	catch_signals();
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	while (!stop) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		char *p, *nl;

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		len += n;
		buf[len] = 0;
		/* whole lines only, so JSON strings are lines */
		for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = 0;
			if (json_output)
				bee_json_string(&j, p), fflush(stdout);
			else
				printf("%s\n", p), fflush(stdout);
		}
		len -= p - buf;
		memmove(buf, p, len);
		if (len == sizeof(buf) - 1) {
			/* a line longer than the buffer: pass it on in pieces */
			buf[len] = 0;
			if (json_output)
				bee_json_string(&j, buf);
			else
				fputs(buf, stdout);
			len = 0;
		}
	}
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	close(fd);
	return EXIT_OK;
}

static int cmd_prog(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "show", do_show },	 { "list", do_show },	  { "dump", do_dump },
		{ "pin", do_pin },	 { "load", do_load },	  { "loadall", do_load },
		{ "tracelog", do_tracelog }, { "run", do_run }, {},
	};

	if (argc < 2)
		return do_show(1, argv);
	return cli_dispatch(argc - 1, argv + 1, subs, prog_help);
}
BEE_COMMAND("prog", cmd_prog, "BPF programs: list, show, dump xlated|jited, pin, load, tracelog");
