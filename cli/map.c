// SPDX-License-Identifier: GPL-2.0
/*
 * bee map: bpftool's map commands (list, create, update, lookup, dump, ...)
 * with keys and values as bytes or, when the map has BTF, typed values;
 * dumps through the kernel's batch lookups. The hex layout is bpftool's,
 * so scripts written against bpftool's output read bee's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "internal.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static int do_help(void)
{
	fprintf(stdout,
		"Usage: bee map { show | list } [MAP]\n"
		"       bee map create FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n"
		"               entries MAX_ENTRIES name NAME [flags FLAGS] \\\n"
		"               [inner_map MAP] [offload_dev NAME]\n"
		"       bee map dump MAP\n"
		"       bee map update MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n"
		"       bee map lookup MAP [key DATA]\n"
		"       bee map getnext MAP [key DATA]\n"
		"       bee map delete MAP key DATA\n"
		"       bee map pin MAP FILE\n"
		"       bee map peek MAP\n"
		"       bee map push MAP value VALUE\n"
		"       bee map pop MAP\n"
		"       bee map enqueue MAP value VALUE\n"
		"       bee map dequeue MAP\n"
		"       bee map freeze MAP\n"
		"       bee map help\n"
		"\n"
		"       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
		"       DATA := { [hex] BYTES | TYPED }\n"
		"       BYTES := one byte per word: 0xc1 or 193 (after 'hex': c1)\n"
		"       TYPED := with BTF: an integer, a string, an enum name, or JSON\n"
		"                ('{\"pid\": 1, \"comm\": \"sh\"}') for a struct or array\n"
		"       VALUE := { DATA | MAP | PROG }   (MAP for map-in-map, PROG for prog_array)\n"
		"       PROG := { id PROG_ID | pinned FILE | name PROG_NAME }\n"
		"       UPDATE_FLAGS := { any | exist | noexist }\n"
		"       TYPE := a map type as the kernel names it: hash, array, percpu_hash,\n"
		"               lru_hash, queue, stack, ringbuf, ... (see bee feature list map_types)\n"
		"       Options: -j/--json, -p/--pretty\n"
		"\n"
		"'show' ends each map with 'pids COMM(PID), ...', the processes that hold an\n"
		"fd of it (\"pids\" in JSON), when there are any.\n");
	return EXIT_OK;
}

/* ---- MAP := { id ID | pinned PATH | name NAME } ------------------------------ */

/* What an fd in /proc/self/fdinfo says it is: "map", "prog", "link" or "". */
static const char *fd_kind(int fd)
{
	char path[64], *buf = NULL;
	const char *kind = "";

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (bee_read_file(path, &buf, NULL))
		return kind;
	/* a prog array's fdinfo has "owner_prog_type:": maps first */
	if (strstr(buf, "\nmap_type:"))
		kind = "map";
	else if (strstr(buf, "\nlink_type:"))
		kind = "link";
	else if (strstr(buf, "\nprog_type:"))
		kind = "prog";
	free(buf);
	return kind;
}

/* memlock and frozen from fdinfo, in one read (-1 when absent) */
static void fdinfo_memlock_frozen(int fd, long *memlock, long *frozen)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int f;

	*memlock = *frozen = -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return;
	buf[n] = 0;
	p = strstr(buf, "memlock:");
	if (p)
		*memlock = strtol(p + 8, NULL, 10);
	p = strstr(buf, "frozen:");
	if (p)
		*frozen = strtol(p + 7, NULL, 10);
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* The directory of @file must be on bpffs: the test bpftool makes before
 * creating anything, so a bad path creates nothing. */
static int check_pin_path(const char *file)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == file)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - file), file);
	/* mount bpffs at its usual place if the user pins there */
	if (!strncmp(file, "/sys/fs/bpf", 11))
		bee_bpffs();
	if (access(dir, F_OK))
		return cli_err("'%s': directory '%s' does not exist", file, dir);
	if (!on_bpffs(dir))
		return cli_err("'%s' is not on a BPF filesystem (mount bpffs there, e.g. /sys/fs/bpf)",
			       file);
	if (access(file, F_OK) == 0)
		return cli_err("'%s' already exists", file);
	return 0;
}

static bool is_kw(const char *word, const char *kw)
{
	return word && cli_is(word, kw);
}

/* Parse MAP from argv; returns an fd and advances argc and argv, or -1 with
 * the error printed (*rc set to the exit code). */
static int map_parse(int *argc, char ***argv, int *rc)
{
	char **a = *argv;
	int fd = -1;

	*rc = EXIT_USAGE;
	if (*argc < 1) {
		cli_usage("map: MAP is missing (id ID | pinned FILE | name NAME)");
		return -1;
	}
	if (*argc < 2) {
		cli_usage("map: '%s' needs an argument (id ID | pinned FILE | name NAME)", a[0]);
		return -1;
	}
	*rc = EXIT_FAIL;
	if (is_kw(a[0], "id")) {
		char *end;
		unsigned long id;

		errno = 0;
		id = strtoul(a[1], &end, 0);
		if (errno || *end || !a[1][0] || a[1][0] == '-' || id > UINT32_MAX) {
			*rc = cli_usage("map id '%s' is not a number", a[1]);
			return -1;
		}
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				cli_err("map id %lu: no such map", id);
			else
				cli_err("map id %lu: %s", id, strerror(errno));
			return -1;
		}
	} else if (is_kw(a[0], "pinned")) {
		const char *kind;

		fd = bpf_obj_get(a[1]);
		if (fd < 0) {
			int e = errno;
			if (e == ENOENT)
				cli_err("pinned '%s': no such file", a[1]);
			else if (access(a[1], F_OK) == 0 && !on_bpffs(a[1]))
				cli_err("pinned '%s' is not on a BPF filesystem", a[1]);
			else
				cli_err("pinned '%s': %s", a[1], strerror(e));
			return -1;
		}
		kind = fd_kind(fd);
		if (strcmp(kind, "map")) {
			cli_err("pinned '%s' is %s%s, not a map", a[1], kind[0] ? "a " : "not a BPF object",
				kind);
			close(fd);
			return -1;
		}
	} else if (is_kw(a[0], "name")) {
		fd = bee_map_fd_by_name(a[1]);
		if (fd == -EEXIST) {
			cli_err("%s", cli_strerr(fd));
			return -1;
		}
		if (fd < 0) {
			cli_err("no map named '%s'", a[1]);
			return -1;
		}
	} else {
		*rc = cli_usage("map: expected id, pinned or name, got '%s'", a[0]);
		return -1;
	}
	*argc -= 2;
	*argv += 2;
	return fd;
}

/* Open MAP as a bee_map; NULL with the error printed. */
static struct bee_map *map_open(int *argc, char ***argv, int *rc)
{
	struct bee_map *m;
	int fd = map_parse(argc, argv, rc);

	if (fd < 0)
		return NULL;
	m = bee_map__from_fd(fd, NULL);
	if (!m)
		*rc = cli_err("map: %s", cli_strerr(-errno));
	close(fd);
	return m;
}

static const char *mname(const struct bee_map *m)
{
	return bee_map__info(m)->name;
}

/* PROG := { id ID | pinned PATH | name NAME } for prog_array values */
static int prog_parse(int argc, char **argv, int *used)
{
	*used = 2;
	if (argc < 2)
		return -EINVAL;
	if (is_kw(argv[0], "id")) {
		char *end;
		unsigned long id = strtoul(argv[1], &end, 0);
		if (*end || !argv[1][0])
			return -EINVAL;
		int fd = bpf_prog_get_fd_by_id(id);
		return fd < 0 ? -errno : fd;
	}
	if (is_kw(argv[0], "pinned")) {
		int fd = bpf_obj_get(argv[1]);
		if (fd < 0)
			return -errno;
		if (strcmp(fd_kind(fd), "prog")) {
			close(fd);
			return -EINVAL;
		}
		return fd;
	}
	if (is_kw(argv[0], "name")) {
		uint32_t id = 0;
		int found = -ENOENT;

		while (bpf_prog_get_next_id(id, &id) == 0) {
			struct bpf_prog_info info = {};
			uint32_t len = sizeof(info);
			int fd = bpf_prog_get_fd_by_id(id);

			if (fd < 0)
				continue;
			if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
			    !strcmp(info.name, argv[1])) {
				if (found >= 0) {
					close(fd);
					close(found);
					return -EEXIST;
				}
				found = fd;
				continue;
			}
			close(fd);
		}
		return found;
	}
	return -EINVAL;
}

/* ---- list / show --------------------------------------------------------------- */

static void show_one(int fd, struct bee_json *j)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	long memlock, frozen;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	if (cli_pids_own(BEE_PIDS_MAP, info.id))
		return; /* bee's own, made to find the pids below, being freed */
	fdinfo_memlock_frozen(fd, &memlock, &frozen);
	if (j) {
		bee_json_obj_start(j);
		bee_json_kuint(j, "id", info.id);
		bee_json_kstr(j, "type", bee_map_type_name(info.type));
		bee_json_kstr(j, "name", info.name);
		bee_json_kuint(j, "flags", info.map_flags);
		bee_json_kuint(j, "bytes_key", info.key_size);
		bee_json_kuint(j, "bytes_value", info.value_size);
		bee_json_kuint(j, "max_entries", info.max_entries);
		if (memlock >= 0)
			bee_json_kint(j, "bytes_memlock", memlock);
		bee_json_kint(j, "frozen", frozen > 0);
		if (info.btf_id)
			bee_json_kuint(j, "btf_id", info.btf_id);
		if (info.ifindex) {
			char ifn[IF_NAMESIZE] = "";
			bee_json_kstr(j, "dev", if_indextoname(info.ifindex, ifn) ? ifn : "");
		}
		if (info.map_extra)
			bee_json_kuint(j, "map_extra", info.map_extra);
		cli_pids_print(j, BEE_PIDS_MAP, info.id);
		bee_json_obj_end(j);
		return;
	}
	printf("%u: %s  ", info.id, bee_map_type_name(info.type));
	if (info.name[0])
		printf("name %s  ", info.name);
	printf("flags 0x%x", info.map_flags);
	if (info.ifindex) {
		char ifn[IF_NAMESIZE] = "";
		printf("  offloaded_to %s", if_indextoname(info.ifindex, ifn) ? ifn : "?");
	}
	printf("\n\tkey %uB  value %uB  max_entries %u", info.key_size, info.value_size,
	       info.max_entries);
	if (memlock >= 0)
		printf("  memlock %ldB", memlock);
	if (info.map_extra)
		printf("  map_extra 0x%llx", (unsigned long long)info.map_extra);
	printf("\n");
	if (info.btf_id)
		printf("\tbtf_id %u\n", info.btf_id);
	if (frozen > 0)
		printf("\tfrozen\n");
	cli_pids_print(NULL, BEE_PIDS_MAP, info.id);
}

static int do_show(int argc, char **argv)
{
	struct bee_json j;
	uint32_t id = 0;
	int fd, rc;

	argc--;
	argv++;
	if (argc > 0) {
		fd = map_parse(&argc, &argv, &rc);
		if (fd < 0)
			return rc;
		if (argc)
			return cli_usage("map show: unexpected '%s'", argv[0]);
		if (json_output) {
			cli_json_begin(&j);
			show_one(fd, &j);
			bee_json_end(&j);
		} else {
			show_one(fd, NULL);
		}
		close(fd);
		return EXIT_OK;
	}
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	while (bpf_map_get_next_id(id, &id) == 0) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue; /* freed meanwhile */
		show_one(fd, json_output ? &j : NULL);
		close(fd);
	}
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	return EXIT_OK;
}

/* ---- create ----------------------------------------------------------------------- */

static int parse_u32(const char *what, const char *s, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || !s[0] || s[0] == '-' || x > UINT32_MAX)
		return cli_usage("map create: %s '%s' is not a number", what, s);
	*v = x;
	return 0;
}

static int do_create(int argc, char **argv)
{
	static const char *const kws[] = { "type", "key", "value", "entries", "name", "flags",
					   "inner_map", "offload_dev", "dev", NULL };
	const char *file, *name = NULL, *type_s = NULL;
	uint32_t key = 0, value = 0, entries = 0, flags = 0;
	bool have_key = false, have_value = false, have_entries = false;
	int type, fd, rc, inner_fd = -1, ifindex = 0, err;
	LIBBPF_OPTS(bpf_map_create_opts, opts);

	if (argc < 2)
		return cli_usage("map create: FILE is missing");
	file = argv[1];
	argc -= 2;
	argv += 2;
	while (argc > 0) {
		int k = cli_match(argv[0], kws, "keyword");

		if (k == -2)
			goto err_usage;
		if (k < 0) {
			rc = cli_usage("map create: unknown keyword '%s'", argv[0]);
			goto out;
		}
		if (k == 6) { /* inner_map MAP */
			argc--;
			argv++;
			if (inner_fd >= 0) {
				rc = cli_usage("map create: inner_map given twice");
				goto out;
			}
			inner_fd = map_parse(&argc, &argv, &rc);
			if (inner_fd < 0)
				goto out;
			continue;
		}
		if (argc < 2) {
			rc = cli_usage("map create: '%s' needs a value", kws[k]);
			goto out;
		}
		switch (k) {
		case 0:
			type_s = argv[1];
			break;
		case 1:
			if ((rc = parse_u32("key size", argv[1], &key)))
				goto out;
			have_key = true;
			break;
		case 2:
			if ((rc = parse_u32("value size", argv[1], &value)))
				goto out;
			have_value = true;
			break;
		case 3:
			if ((rc = parse_u32("entries", argv[1], &entries)))
				goto out;
			have_entries = true;
			break;
		case 4:
			name = argv[1];
			break;
		case 5:
			if ((rc = parse_u32("flags", argv[1], &flags)))
				goto out;
			break;
		case 7:
		case 8:
			ifindex = if_nametoindex(argv[1]);
			if (!ifindex) {
				rc = cli_err("map create: no network device '%s'", argv[1]);
				goto out;
			}
			break;
		}
		argc -= 2;
		argv += 2;
	}
	if (!type_s || !have_key || !have_value || !have_entries || !name) {
		rc = cli_usage("map create: %s is missing",
			       !type_s ? "type" : !have_key ? "key" : !have_value ? "value" :
			       !have_entries ? "entries" : "name");
		goto out;
	}
	type = bee_map_type_by_name(type_s);
	if (type < 0) {
		rc = cli_usage("map create: %s map type '%s' (see bee feature list map_types)",
			       type == -EEXIST ? "ambiguous" : "unknown", type_s);
		goto out;
	}
	if (strlen(name) >= BPF_OBJ_NAME_LEN) {
		rc = cli_usage("map create: name '%s' is longer than %d characters", name,
			       BPF_OBJ_NAME_LEN - 1);
		goto out;
	}
	for (const char *p = name; *p; p++) {
		if (!(*p == '_' || *p == '.' || (*p >= '0' && *p <= '9') ||
		      ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))) {
			rc = cli_usage("map create: name '%s' may hold letters, digits, '_' and '.' only",
				       name);
			goto out;
		}
	}
	rc = check_pin_path(file);
	if (rc)
		goto out;
	opts.map_flags = flags;
	opts.map_ifindex = ifindex;
	if (inner_fd >= 0)
		opts.inner_map_fd = inner_fd;
	fd = bpf_map_create(type, name, key, value, entries, &opts);
	if (fd < 0) {
		err = errno;
		rc = cli_err("map '%s': cannot create a %s map (key %u, value %u, entries %u, flags 0x%x): %s",
			     name, bee_map_type_name(type), key, value, entries, flags, strerror(err));
		goto out;
	}
	if (bpf_obj_pin(fd, file)) {
		err = errno;
		close(fd); /* the map goes with its only fd */
		rc = cli_err("map '%s': cannot pin at '%s': %s", name, file, strerror(err));
		goto out;
	}
	close(fd);
	if (json_output)
		printf("null\n");
	rc = EXIT_OK;
	goto out;
err_usage:
	rc = EXIT_USAGE;
out:
	if (inner_fd >= 0)
		close(inner_fd);
	return rc;
}

/* ---- key / value words -------------------------------------------------------------- */

/* The words of DATA: from argv up to the next keyword in @stop (or the end). */
static int data_words(int argc, char **argv, const char *const *stop)
{
	int n = 0;

	for (; n < argc; n++)
		for (int s = 0; stop[s]; s++)
			if (!strcmp(argv[n], stop[s]))
				return n;
	return n;
}

static int parse_key(struct bee_map *m, int *argc, char ***argv, void *key, const char *const *stop)
{
	int n = data_words(*argc, *argv, stop);

	if (bee_map__parse_key(m, n, *argv, key))
		return cli_err("map '%s': %s", mname(m), cli_strerr(-EINVAL));
	*argc -= n;
	*argv += n;
	return 0;
}

/* ---- update / lookup / delete / getnext ----------------------------------------------- */

static int fd_value(struct bee_map *m, int argc, char **argv, void *val, int *used, int *rc)
{
	uint32_t t = bee_map__info(m)->type;
	int fd;

	*used = 0;
	if (argc < 2 || !(is_kw(argv[0], "id") || is_kw(argv[0], "pinned") || is_kw(argv[0], "name")))
		return 0;
	if (t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS) {
		int c = argc;
		char **v = argv;

		fd = map_parse(&c, &v, rc);
		if (fd < 0)
			return -1;
		*used = 2;
	} else if (t == BPF_MAP_TYPE_PROG_ARRAY) {
		fd = prog_parse(argc, argv, used);
		if (fd < 0) {
			*rc = cli_err("map '%s': value: program %s '%s': %s", mname(m), argv[0], argv[1],
				      fd == -EEXIST ? "name is ambiguous" : strerror(-fd));
			return -1;
		}
	} else {
		return 0;
	}
	if (bee_map__info(m)->value_size != 4) {
		close(fd);
		*rc = cli_err("map '%s': value must be 4 bytes for an fd", mname(m));
		return -1;
	}
	memcpy(val, &fd, 4);
	return fd;
}

static int do_update(int argc, char **argv)
{
	static const char *const stop_key[] = { "value", NULL };
	static const char *const stop_val[] = { "any", "exist", "noexist", NULL };
	struct bee_map *m;
	void *key = NULL, *val = NULL;
	uint64_t flags = BPF_ANY;
	int rc, n, vfd = -1, used;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	key = calloc(1, bee_map__info(m)->key_size + 1);
	val = calloc(1, bee_map__value_buf_sz(m) + 1);
	if (!key || !val) {
		rc = cli_err("out of memory");
		goto out;
	}
	if (argc && is_kw(argv[0], "key")) {
		argc--;
		argv++;
		if ((rc = parse_key(m, &argc, &argv, key, stop_key)))
			goto out;
	} else if (bee_map__info(m)->key_size) {
		rc = cli_usage("map '%s': update needs 'key DATA'", mname(m));
		goto out;
	}
	if (!argc || !is_kw(argv[0], "value")) {
		rc = cli_usage("map '%s': update needs 'value VALUE'", mname(m));
		goto out;
	}
	argc--;
	argv++;
	vfd = fd_value(m, argc, argv, val, &used, &rc);
	if (vfd < 0)
		goto out;
	if (vfd > 0) {
		argc -= used;
		argv += used;
	} else {
		n = data_words(argc, argv, stop_val);
		if (bee_map__parse_value(m, n, argv, val)) {
			rc = cli_err("map '%s': %s", mname(m), cli_strerr(-EINVAL));
			goto out;
		}
		argc -= n;
		argv += n;
	}
	if (argc) {
		static const char *const fl[] = { "any", "exist", "noexist", NULL };
		int k = cli_match(argv[0], fl, "update flag");
		if (k < 0) {
			rc = k == -2 ? EXIT_USAGE : cli_usage("map '%s': unknown update flag '%s'",
							     mname(m), argv[0]);
			goto out;
		}
		flags = k == 0 ? BPF_ANY : k == 1 ? BPF_EXIST : BPF_NOEXIST;
		if (argc > 1) {
			rc = cli_usage("map '%s': unexpected '%s'", mname(m), argv[1]);
			goto out;
		}
	}
	if (bpf_map_update_elem(bee_map__fd(m), bee_map__info(m)->key_size ? key : NULL, val, flags)) {
		int e = errno;
		rc = cli_err("map '%s': update failed: %s", mname(m),
			     e == EEXIST ? "the key exists (noexist)" :
			     e == ENOENT ? "no such key (exist)" :
			     e == E2BIG ? "the map is full" : strerror(e));
		goto out;
	}
	if (json_output)
		printf("null\n");
	rc = EXIT_OK;
out:
	if (vfd > 0)
		close(vfd);
	free(key);
	free(val);
	bee_map__close(m);
	return rc;
}

static unsigned pflags(void)
{
	return (json_output ? BEE_DUMP_JSON : 0) | (pretty_output ? BEE_DUMP_PRETTY : 0);
}

static int do_lookup(int argc, char **argv)
{
	static const char *const stop[] = { NULL };
	struct bee_map *m;
	void *key = NULL, *val = NULL;
	int rc;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	key = calloc(1, bee_map__info(m)->key_size + 1);
	val = calloc(1, bee_map__value_buf_sz(m) + 1);
	if (!key || !val) {
		rc = cli_err("out of memory");
		goto out;
	}
	if (argc && is_kw(argv[0], "key")) {
		argc--;
		argv++;
		if ((rc = parse_key(m, &argc, &argv, key, stop)))
			goto out;
	} else if (argc) {
		rc = cli_usage("map '%s': expected 'key DATA', got '%s'", mname(m), argv[0]);
		goto out;
	} else if (bee_map__info(m)->key_size) {
		rc = cli_usage("map '%s': lookup needs 'key DATA'", mname(m));
		goto out;
	}
	if (bpf_map_lookup_elem(bee_map__fd(m), key, val)) {
		int e = errno;
		if (e == ENOENT)
			rc = cli_err("map '%s': no entry for that key", mname(m));
		else
			rc = cli_err("map '%s': lookup failed: %s", mname(m), strerror(e));
		goto out;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	bee_map__print_entry(m, stdout, key, val, pflags());
	if (json_output)
		putchar('\n');
	rc = EXIT_OK;
out:
	free(key);
	free(val);
	bee_map__close(m);
	return rc;
}

static int do_delete(int argc, char **argv)
{
	static const char *const stop[] = { NULL };
	struct bee_map *m;
	void *key = NULL;
	int rc;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	key = calloc(1, bee_map__info(m)->key_size + 1);
	if (!key) {
		rc = cli_err("out of memory");
		goto out;
	}
	if (!argc || !is_kw(argv[0], "key")) {
		rc = cli_usage("map '%s': delete needs 'key DATA'", mname(m));
		goto out;
	}
	argc--;
	argv++;
	if ((rc = parse_key(m, &argc, &argv, key, stop)))
		goto out;
	if (bpf_map_delete_elem(bee_map__fd(m), key)) {
		int e = errno;
		rc = cli_err("map '%s': delete failed: %s", mname(m),
			     e == ENOENT ? "no entry for that key" : strerror(e));
		goto out;
	}
	if (json_output)
		printf("null\n");
	rc = EXIT_OK;
out:
	free(key);
	bee_map__close(m);
	return rc;
}

static int do_getnext(int argc, char **argv)
{
	static const char *const stop[] = { NULL };
	struct bee_map *m;
	void *key = NULL, *next = NULL;
	bool have_key = false;
	int rc;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	key = calloc(1, bee_map__info(m)->key_size + 1);
	next = calloc(1, bee_map__info(m)->key_size + 1);
	if (!key || !next) {
		rc = cli_err("out of memory");
		goto out;
	}
	if (argc && is_kw(argv[0], "key")) {
		argc--;
		argv++;
		if ((rc = parse_key(m, &argc, &argv, key, stop)))
			goto out;
		have_key = true;
	} else if (argc) {
		rc = cli_usage("map '%s': expected 'key DATA', got '%s'", mname(m), argv[0]);
		goto out;
	}
	if (bpf_map_get_next_key(bee_map__fd(m), have_key ? key : NULL, next)) {
		int e = errno;
		rc = cli_err("map '%s': %s", mname(m),
			     e == ENOENT ? (have_key ? "no key after that one" : "the map is empty") :
					   strerror(e));
		goto out;
	}
	if (json_output) {
		fputs("{\"key\":", stdout);
		if (have_key)
			bee_map__print_key(m, stdout, key, BEE_DUMP_JSON);
		else
			fputs("null", stdout);
		fputs(",\"next_key\":", stdout);
		bee_map__print_key(m, stdout, next, BEE_DUMP_JSON);
		fputs("}\n", stdout);
	} else {
		/* bpftool's layout */
		if (have_key) {
			fputs("key:\n", stdout);
			bee_map__print_key(m, stdout, key, 0);
		} else {
			fputs("key: None", stdout);
		}
		fputs("\nnext key:\n", stdout);
		bee_map__print_key(m, stdout, next, 0);
		fputc('\n', stdout);
	}
	rc = EXIT_OK;
out:
	free(key);
	free(next);
	bee_map__close(m);
	return rc;
}

/* ---- dump ----------------------------------------------------------------------------- */

static int do_dump(int argc, char **argv)
{
	struct bee_map *m;
	size_t cnt = 0;
	int rc, err;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	if (argc) {
		rc = cli_usage("map '%s': unexpected '%s'", mname(m), argv[0]);
		goto out;
	}
	/* a big buffer: a dump of a million entries is tens of megabytes */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	err = bee_map__dump(m, stdout, pflags(), &cnt, NULL);
	if (err) {
		fflush(stdout);
		/* libbee's dump errors name the map already */
		if (err == -ENOMEM || err == -EIO)
			rc = cli_err("map '%s': dump failed: %s", mname(m), strerror(-err));
		else
			rc = cli_err("%s", cli_strerr(err));
		goto out;
	}
	if (json_output)
		putchar('\n');
	else
		printf("Found %zu element%s\n", cnt, cnt == 1 ? "" : "s");
	rc = fflush(stdout) ? cli_err("map '%s': writing the dump: %s", mname(m), strerror(errno))
			    : EXIT_OK;
out:
	bee_map__close(m);
	return rc;
}

/* ---- pin / freeze ------------------------------------------------------------------------ */

static int do_pin(int argc, char **argv)
{
	int fd, rc;

	argc--;
	argv++;
	fd = map_parse(&argc, &argv, &rc);
	if (fd < 0)
		return rc;
	if (argc != 1) {
		rc = cli_usage(argc ? "map pin: unexpected '%s'" : "map pin: FILE is missing%s",
			       argc ? argv[1] : "");
		goto out;
	}
	rc = check_pin_path(argv[0]);
	if (rc)
		goto out;
	if (bpf_obj_pin(fd, argv[0])) {
		rc = cli_err("cannot pin at '%s': %s", argv[0], strerror(errno));
		goto out;
	}
	if (json_output)
		printf("null\n");
	rc = EXIT_OK;
out:
	close(fd);
	return rc;
}

static int do_freeze(int argc, char **argv)
{
	struct bee_map *m;
	int rc;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	if (argc) {
		rc = cli_usage("map '%s': unexpected '%s'", mname(m), argv[0]);
		goto out;
	}
	if (bpf_map_freeze(bee_map__fd(m))) {
		rc = cli_err("map '%s': cannot freeze: %s", mname(m),
			     errno == EBUSY ? "already frozen, or mapped writable" : strerror(errno));
		goto out;
	}
	if (json_output)
		printf("null\n");
	rc = EXIT_OK;
out:
	bee_map__close(m);
	return rc;
}

/* ---- queues and stacks --------------------------------------------------------------------- */

static bool keyless(uint32_t t)
{
	return t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK;
}

/* peek, pop, dequeue: read (and take) the head. */
static int head_op(int argc, char **argv, bool take)
{
	const char *op = argv[0];
	struct bee_map *m;
	void *val = NULL;
	int rc, err;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	if (argc) {
		rc = cli_usage("map '%s': unexpected '%s'", mname(m), argv[0]);
		goto out;
	}
	if (!keyless(bee_map__info(m)->type)) {
		rc = cli_err("map '%s': %s works on queue and stack maps, not %s", mname(m), op,
			     bee_map_type_name(bee_map__info(m)->type));
		goto out;
	}
	val = calloc(1, bee_map__value_buf_sz(m) + 1);
	if (!val) {
		rc = cli_err("out of memory");
		goto out;
	}
	err = take ? bpf_map_lookup_and_delete_elem(bee_map__fd(m), NULL, val) :
		     bpf_map_lookup_elem(bee_map__fd(m), NULL, val);
	if (err) {
		rc = cli_err("map '%s': %s", mname(m),
			     errno == ENOENT ? "is empty" : strerror(errno));
		goto out;
	}
	if (json_output) {
		fputs("{\"value\":", stdout);
		bee_map__print_value(m, stdout, val, BEE_DUMP_JSON);
		fputs("}\n", stdout);
	} else {
		fputs("value: ", stdout);
		bee_map__print_value(m, stdout, val, 0);
		fputc('\n', stdout);
	}
	rc = EXIT_OK;
out:
	free(val);
	bee_map__close(m);
	return rc;
}

static int do_peek(int argc, char **argv)
{
	return head_op(argc, argv, false);
}

static int do_pop(int argc, char **argv)
{
	return head_op(argc, argv, true);
}

/* push, enqueue: add a value. */
static int do_push(int argc, char **argv)
{
	static const char *const stop[] = { NULL };
	const char *op = argv[0];
	struct bee_map *m;
	void *val = NULL;
	int rc, n;

	argc--;
	argv++;
	m = map_open(&argc, &argv, &rc);
	if (!m)
		return rc;
	if (!keyless(bee_map__info(m)->type)) {
		rc = cli_err("map '%s': %s works on queue and stack maps, not %s", mname(m), op,
			     bee_map_type_name(bee_map__info(m)->type));
		goto out;
	}
	if (!argc || !is_kw(argv[0], "value")) {
		rc = cli_usage("map '%s': %s needs 'value VALUE'", mname(m), op);
		goto out;
	}
	argc--;
	argv++;
	val = calloc(1, bee_map__value_buf_sz(m) + 1);
	if (!val) {
		rc = cli_err("out of memory");
		goto out;
	}
	n = data_words(argc, argv, stop);
	if (bee_map__parse_value(m, n, argv, val)) {
		rc = cli_err("map '%s': %s", mname(m), cli_strerr(-EINVAL));
		goto out;
	}
	if (bpf_map_update_elem(bee_map__fd(m), NULL, val, BPF_ANY)) {
		rc = cli_err("map '%s': %s failed: %s", mname(m), op,
			     errno == E2BIG ? "the map is full" : strerror(errno));
		goto out;
	}
	if (json_output)
		printf("null\n");
	rc = EXIT_OK;
out:
	free(val);
	bee_map__close(m);
	return rc;
}

static int cmd_map(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "show", do_show },	   { "list", do_show },	    { "create", do_create },
		{ "dump", do_dump },	   { "update", do_update }, { "lookup", do_lookup },
		{ "getnext", do_getnext }, { "delete", do_delete }, { "pin", do_pin },
		{ "freeze", do_freeze },   { "peek", do_peek },	    { "push", do_push },
		{ "pop", do_pop },	   { "enqueue", do_push },  { "dequeue", do_pop },
		{},
	};

	/* bare `bee map` lists maps, as bpftool does */
	if (argc < 2) {
		char *list[] = { "list", NULL };
		return do_show(1, list);
	}
	return cli_dispatch(argc - 1, argv + 1, subs, do_help);
}

BEE_COMMAND("map", cmd_map, "inspect and edit BPF maps (list, create, update, lookup, dump, ...)");
