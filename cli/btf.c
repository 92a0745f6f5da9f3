// SPDX-License-Identifier: GPL-2.0
/*
 * bee btf: the kernel's BTF objects, listed with the programs and maps that
 * use them, and dumped as bpftool dumps them: raw ("[1] INT 'int' size=4
 * ...") or as C (`bee btf dump file /sys/kernel/btf/vmlinux format c >
 * vmlinux.h`, the header bee's own BPF programs compile against).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "internal.h"

/* ---- which programs and maps use which BTF ---------------------------------- */

struct btf_users {
	uint32_t btf_id, obj_id;
	bool prog;
};

static int users_add(struct btf_users **u, size_t *n, size_t *cap, uint32_t btf_id, uint32_t obj,
		     bool prog)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct btf_users *p = realloc(*u, nc * sizeof(**u));

		if (!p)
			return -ENOMEM;
		*u = p;
		*cap = nc;
	}
	(*u)[(*n)++] = (struct btf_users){ btf_id, obj, prog };
	return 0;
}

/* Walk every program and map once and note the BTF each carries. */
static size_t collect_users(struct btf_users **out)
{
	struct btf_users *u = NULL;
	size_t n = 0, cap = 0;
	uint32_t id = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.btf_id)
			users_add(&u, &n, &cap, info.btf_id, id, true);
		close(fd);
	}
	id = 0;
	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.btf_id)
			users_add(&u, &n, &cap, info.btf_id, id, false);
		close(fd);
	}
	*out = u;
	return n;
}

static void json_ids(struct bee_json *j, const struct btf_users *u, size_t n, uint32_t btf_id,
		     bool prog, const char *label)
{
	bee_json_key(j, label);
	bee_json_arr_start(j);
	for (size_t i = 0; i < n; i++)
		if (u[i].btf_id == btf_id && u[i].prog == prog)
			bee_json_uint(j, u[i].obj_id);
	bee_json_arr_end(j);
}

static int show_one(struct bee_json *j, uint32_t id, const struct btf_users *u, size_t n)
{
	struct bpf_btf_info info = {};
	uint32_t len = sizeof(info);
	char name[128] = "";
	int fd, err;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -errno;
	if (json_output) {
		bee_json_obj_start(j);
		bee_json_kuint(j, "id", id);
		bee_json_kuint(j, "size_bytes", info.btf_size);
		json_ids(j, u, n, id, true, "prog_ids");
		json_ids(j, u, n, id, false, "map_ids");
		bee_json_kbool(j, "kernel", info.kernel_btf);
		if (name[0])
			bee_json_kstr(j, "name", name);
		bee_json_obj_end(j);
		return 0;
	}
	if (info.kernel_btf)
		printf("%u: name [%s]  size %uB", id, name, info.btf_size);
	else
		printf("%u: name %s  size %uB", id, name[0] ? name : "<anon>", info.btf_size);
	for (int pass = 0; pass < 2; pass++) {
		bool any = false;

		for (size_t i = 0; i < n; i++) {
			if (u[i].btf_id != id || u[i].prog != (pass == 0))
				continue;
			printf("%s%u", any ? "," : pass == 0 ? "  prog_ids " : "  map_ids ",
			       u[i].obj_id);
			any = true;
		}
	}
	printf("\n");
	return 0;
}

/* "id ID" as a number the kernel could have: decimal, no sign, no junk. */
static int parse_id(const char *what, const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v == 0 || v > UINT32_MAX || s[0] == '-')
		return cli_usage("%s: '%s' is not an id (want a positive number)", what, s);
	*id = v;
	return 0;
}

static int do_list(int argc, char **argv)
{
	struct btf_users *u = NULL;
	struct bee_json j;
	uint32_t id = 0, want = 0;
	size_t n;
	int rc = EXIT_OK, err;

	if (argc == 3 && cli_is(argv[1], "id")) {
		if (parse_id("btf", argv[2], &want))
			return EXIT_USAGE;
	} else if (argc != 1) {
		return cli_usage("btf %s: want nothing or 'id ID'", argv[0]);
	}
	if (bpf_btf_get_next_id(0, &id) && errno != ENOENT)
		return cli_err("btf %s: cannot walk the kernel's BTF objects: %s%s", argv[0],
			       strerror(errno), errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	id = 0;
	n = collect_users(&u);
	if (want) {
		int fd = bpf_btf_get_fd_by_id(want);

		if (fd < 0) {
			rc = cli_err("btf id %u: %s", want,
				     errno == ENOENT ? "no such BTF object" : strerror(errno));
			goto out;
		}
		close(fd);
	}
	if (json_output) {
		cli_json_begin(&j);
		if (!want)
			bee_json_arr_start(&j);
	}
	if (want) {
		err = show_one(&j, want, u, n);
		if (err)
			rc = cli_err("btf id %u: %s", want, strerror(-err));
	} else {
		while (bpf_btf_get_next_id(id, &id) == 0)
			show_one(&j, id, u, n); /* objects may vanish while we walk */
	}
	if (json_output) {
		if (!want)
			bee_json_arr_end(&j);
		if (rc == EXIT_OK)
			bee_json_end(&j);
	}
out:
	free(u);
	return rc;
}

/* ---- finding the BTF to dump ------------------------------------------------- */

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* An fd for a pinned object, with one clear error when @path is not in a
 * bpffs or not there. */
static int pinned_fd(const char *what, const char *path)
{
	int fd;

	if (access(path, F_OK))
		return cli_err("%s pinned '%s': %s", what, path, strerror(errno)), -1;
	if (!on_bpffs(path))
		return cli_err("%s pinned '%s': not on a bpffs mount", what, path), -1;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return cli_err("%s pinned '%s': %s", what, path, strerror(errno)), -1;
	return fd;
}

/* PROG := { id ID | pinned PATH | tag TAG | name NAME }, MAP := { id ID |
 * pinned PATH | name NAME }: the btf id of the object, or 0 with the error
 * printed (*rc set). */
static uint32_t obj_btf_id(bool prog, int argc, char **argv, int *rc, uint32_t kv[2])
{
	const char *what = prog ? "prog" : "map";
	uint32_t id = 0, btf_id = 0, found = 0;
	int fd = -1, matches = 0;

	*rc = EXIT_OK;
	if (argc < 2) {
		*rc = cli_usage("btf dump %s: want %s", what,
				prog ? "id ID, pinned PATH, tag TAG or name NAME" :
				       "id ID, pinned PATH or name NAME");
		return 0;
	}
	if (cli_is(argv[0], "id")) {
		if (parse_id(what, argv[1], &id)) {
			*rc = EXIT_USAGE;
			return 0;
		}
		fd = prog ? bpf_prog_get_fd_by_id(id) : bpf_map_get_fd_by_id(id);
		if (fd < 0) {
			*rc = cli_err("%s id %u: %s", what, id,
				      errno == ENOENT ? "no such object" : strerror(errno));
			return 0;
		}
	} else if (cli_is(argv[0], "pinned")) {
		fd = pinned_fd(what, argv[1]);
		if (fd < 0) {
			*rc = EXIT_FAIL;
			return 0;
		}
	} else if (cli_is(argv[0], "name") || (prog && cli_is(argv[0], "tag"))) {
		bool by_tag = !cli_is(argv[0], "name");

		while ((prog ? bpf_prog_get_next_id(id, &id) : bpf_map_get_next_id(id, &id)) == 0) {
			struct bpf_prog_info pi = {};
			struct bpf_map_info mi = {};
			uint32_t len;
			char tag[17];
			int f = prog ? bpf_prog_get_fd_by_id(id) : bpf_map_get_fd_by_id(id);
			bool hit;

			if (f < 0)
				continue;
			len = prog ? sizeof(pi) : sizeof(mi);
			if (bpf_obj_get_info_by_fd(f, prog ? (void *)&pi : (void *)&mi, &len)) {
				close(f);
				continue;
			}
			close(f);
			if (by_tag) {
				for (int i = 0; i < 8; i++)
					sprintf(tag + 2 * i, "%02x", pi.tag[i]);
				hit = !strcmp(tag, argv[1]);
			} else {
				hit = !strcmp(prog ? pi.name : mi.name, argv[1]);
			}
			if (hit) {
				matches++;
				found = id;
				btf_id = prog ? pi.btf_id : mi.btf_id;
				kv[0] = mi.btf_key_type_id;
				kv[1] = mi.btf_value_type_id;
			}
		}
		if (!matches) {
			*rc = cli_err("%s %s '%s': no such object", what, argv[0], argv[1]);
			return 0;
		}
		if (matches > 1) {
			*rc = cli_err("%s %s '%s' is ambiguous: %d objects match (use id)", what,
				      argv[0], argv[1], matches);
			return 0;
		}
		if (!btf_id)
			*rc = cli_err("%s id %u has no BTF", what, found);
		return btf_id;
	} else {
		*rc = cli_usage("btf dump %s: unknown keyword '%s'", what, argv[0]);
		return 0;
	}
	{
		struct bpf_prog_info pi = {};
		struct bpf_map_info mi = {};
		uint32_t len = prog ? sizeof(pi) : sizeof(mi);

		if (bpf_obj_get_info_by_fd(fd, prog ? (void *)&pi : (void *)&mi, &len)) {
			*rc = cli_err("%s %s: %s", what, argv[1], strerror(errno));
		} else {
			btf_id = prog ? pi.btf_id : mi.btf_id;
			kv[0] = mi.btf_key_type_id;
			kv[1] = mi.btf_value_type_id;
			if (!btf_id)
				*rc = cli_err("%s %s %s has no BTF", what, argv[0], argv[1]);
		}
		close(fd);
	}
	return btf_id;
}

/* Kernel BTF objects other than vmlinux (modules) are split on vmlinux. */
static struct btf *load_by_id(uint32_t id, int *rc)
{
	struct bpf_btf_info info = {};
	uint32_t len = sizeof(info);
	char name[128] = "";
	struct btf *base = NULL, *btf;
	int fd;

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0) {
		*rc = cli_err("btf id %u: %s", id,
			      errno == ENOENT ? "no such BTF object" : strerror(errno));
		return NULL;
	}
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.kernel_btf &&
	    strcmp(name, "vmlinux"))
		base = (struct btf *)bee_kernel_btf();
	close(fd);
	btf = btf__load_from_kernel_by_id_split(id, base);
	if (!btf)
		*rc = cli_err("btf id %u: cannot load: %s", id, strerror(errno));
	return btf;
}

static struct btf *load_file(const char *path, struct btf *base, int *rc)
{
	char real[4096];
	struct btf *btf;

	if (access(path, R_OK)) {
		*rc = cli_err("btf file '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (base) {
		btf = btf__parse_split(path, base);
		if (!btf)
			*rc = cli_err("btf file '%s': no BTF on top of the base found: %s", path,
				      strerror(errno));
		return btf;
	}
	/* /sys/kernel/btf/MODULE holds split BTF on top of vmlinux's */
	if (realpath(path, real) && !strncmp(real, "/sys/kernel/btf/", 16) &&
	    strcmp(real, "/sys/kernel/btf/vmlinux")) {
		const struct btf *base = bee_kernel_btf();

		if (!base) {
			*rc = cli_err("btf file '%s': module BTF needs vmlinux BTF: %s", path,
				      strerror(errno));
			return NULL;
		}
		btf = btf__parse_split(path, (struct btf *)base);
	} else {
		btf = btf__parse(path, NULL);
	}
	if (!btf) {
		struct stat st;
		int e = errno;

		/* libbpf's own codes (4000+) mean the file is neither raw BTF
		 * nor an ELF file it could read */
		if (!stat(path, &st) && !st.st_size)
			*rc = cli_err("btf file '%s': the file is empty", path);
		else if (e == ENOENT || e == ENODATA)
			*rc = cli_err("btf file '%s': no BTF found (no .BTF section)", path);
		else if (e >= 4000 || e == EIO)
			*rc = cli_err("btf file '%s': neither raw BTF nor an ELF file with .BTF", path);
		else
			*rc = cli_err("btf file '%s': malformed BTF: %s", path, strerror(e));
	}
	return btf;
}

static void json_raw(const struct btf *btf)
{
	static const char *const kind_str[] = {
		"UNKNOWN", "INT",     "PTR",      "ARRAY",    "STRUCT", "UNION",      "ENUM",
		"FWD",     "TYPEDEF", "VOLATILE", "CONST",    "RESTRICT", "FUNC", "FUNC_PROTO",
		"VAR",     "DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG", "ENUM64",
	};
	struct bee_json j;
	int n = btf__type_cnt(btf);
	int start = btf__base_btf(btf) ? btf__type_cnt(btf__base_btf(btf)) : 1;

	cli_json_begin(&j);
	bee_json_arr_start(&j);
	for (int id = start; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		unsigned k = btf_kind(t);

		bee_json_obj_start(&j);
		bee_json_kuint(&j, "id", id);
		bee_json_kstr(&j, "kind", k < ARRAY_SIZE(kind_str) ? kind_str[k] : "UNKNOWN");
		bee_json_kstr(&j, "name", t->name_off ? btf__name_by_offset(btf, t->name_off) :
							"(anon)");
		switch (k) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_DATASEC:
		case BTF_KIND_FLOAT:
			bee_json_kuint(&j, "size_bytes", t->size);
			break;
		case BTF_KIND_ARRAY:
			bee_json_kuint(&j, "type_id", btf_array(t)->type);
			bee_json_kuint(&j, "nr_elems", btf_array(t)->nelems);
			break;
		case BTF_KIND_FUNC_PROTO:
			bee_json_kuint(&j, "ret_type_id", t->type);
			break;
		case BTF_KIND_FWD:
			break;
		default:
			bee_json_kuint(&j, "type_id", t->type);
		}
		if (btf_vlen(t) && k != BTF_KIND_FUNC)
			bee_json_kuint(&j, "vlen", btf_vlen(t));
		bee_json_obj_end(&j);
	}
	bee_json_arr_end(&j);
	bee_json_end(&j);
}

/* @part: 0 key, 1 value, 2 both. Raw: the type lines; C: the declarations
 * they need. */
static int dump_map_types(const struct btf *btf, const uint32_t kv[2], int part, bool c_fmt)
{
	int err = 0;

	if ((part != 1 && !kv[0]) || (part != 0 && !kv[1]))
		return -ENOENT;
	if (!c_fmt) {
		for (int i = 0; i < 2 && !err; i++)
			if (!((i == 0 && part == 1) || (i == 1 && part == 0)))
				err = bee_btf_dump_raw_type(stdout, btf, kv[i]);
		return err;
	}
	{
		uint32_t ids[2];
		size_t n = 0;

		if (part != 1)
			ids[n++] = kv[0];
		if (part != 0)
			ids[n++] = kv[1];
		return bee_btf_dump_c_types(stdout, btf, ids, n);
	}
}

static int do_dump(int argc, char **argv)
{
	struct btf *btf = NULL, *base = NULL;
	const char *base_path = NULL;
	uint32_t kv[2] = {};
	int part = 3; /* all */
	bool c_fmt = false;
	int rc = EXIT_OK, used, err;
	uint32_t id = 0;

	if (argc < 3)
		return cli_usage("btf dump: want id ID, file PATH, map MAP or prog PROG");
	if (cli_is(argv[1], "id")) {
		if (parse_id("btf", argv[2], &id))
			return EXIT_USAGE;
		used = 3;
	} else if (cli_is(argv[1], "file")) {
		used = 3;
	} else if (cli_is(argv[1], "map") || cli_is(argv[1], "prog")) {
		bool prog = cli_is(argv[1], "prog");

		id = obj_btf_id(prog, argc - 2, argv + 2, &rc, kv);
		if (!id)
			return rc;
		used = 4;
		/* MAP [key | value | kv | all], as bpftool (text formats) */
		if (!prog && used < argc && !cli_is(argv[used], "format")) {
			static const char *const parts[] = { "key", "value", "kv", "all", NULL };

			part = cli_match(argv[used], parts, "btf dump map");
			if (part == -2)
				return EXIT_USAGE;
			if (part < 0)
				return cli_usage("btf dump map: unknown '%s' (want key, value, kv "
						 "or all)",
						 argv[used]);
			used++;
		}
	} else {
		return cli_usage("btf dump: unknown source '%s' (want id, file, map or prog)",
				 argv[1]);
	}
	/* base FILE: the BTF that split BTF (a module's) builds on */
	if (used + 1 < argc && cli_is(argv[used], "base") && strlen(argv[used]) >= 2) {
		if (!cli_is(argv[1], "file"))
			return cli_usage("btf dump: 'base' goes with 'file'");
		base_path = argv[used + 1];
		used += 2;
	}
	if (used < argc) {
		if (!cli_is(argv[used], "format") || used + 2 != argc)
			return cli_usage("btf dump: unexpected '%s' (want 'format c|raw')",
					 argv[used]);
		if (cli_is(argv[used + 1], "c"))
			c_fmt = true;
		else if (!cli_is(argv[used + 1], "raw"))
			return cli_usage("btf dump: unknown format '%s' (want c or raw)",
					 argv[used + 1]);
	}
	if (c_fmt && json_output)
		return cli_usage("btf dump: format c is C text; JSON is for format raw");
	if (base_path) {
		base = btf__parse(base_path, NULL);
		if (!base)
			return cli_err("btf base '%s': no BTF found: %s", base_path,
				       strerror(errno));
	}
	btf = cli_is(argv[1], "file") ? load_file(argv[2], base, &rc) : load_by_id(id, &rc);
	if (!btf) {
		btf__free(base);
		return rc;
	}
	if (part != 3 && json_output) {
		btf__free(btf);
		btf__free(base);
		return cli_usage("btf dump map: JSON is for the whole BTF ('all')");
	}
	if (part != 3) {
		/* the map's key and/or value type only */
		err = dump_map_types(btf, kv, part, c_fmt);
		if (err == -ENOENT) {
			btf__free(btf);
			return cli_err("btf dump map %s %s: the map has no BTF for its %s", argv[2],
				       argv[3], part == 1 ? "value" : "key");
		}
	} else if (json_output) {
		json_raw(btf);
		err = 0;
	} else {
		err = c_fmt ? bee_btf_dump_c(stdout, btf) : bee_btf_dump_raw(stdout, btf);
	}
	if (!err && fflush(stdout))
		err = -errno;
	if (err)
		rc = cli_err("btf dump: %s", strerror(-err));
	btf__free(btf);
	btf__free(base);
	return rc;
}

static int help(void)
{
	printf("Usage: bee btf { list | show } [id ID]\n"
	       "       bee btf dump BTF_SRC [format FORMAT]\n"
	       "       bee btf dump file FILE base BASE_FILE [format FORMAT]\n"
	       "       bee btf help\n"
	       "\n"
	       "BTF_SRC := { id BTF_ID | prog PROG | map MAP [{ key | value | kv | all }] |\n"
	       "            file FILE }\n"
	       "FORMAT  := { raw | c }\n"
	       "PROG    := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }\n"
	       "MAP     := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
	       "\n"
	       "list shows every BTF object the kernel holds with the programs and maps that\n"
	       "use it. dump prints types as bpftool does ('raw', the default) or as C\n"
	       "declarations ('c'): bee btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h\n"
	       "Module BTF (/sys/kernel/btf/MODULE) is read on top of vmlinux's; other split\n"
	       "BTF files on top of the 'base' file given.\n");
	return EXIT_OK;
}

static int cmd_btf(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "list", do_list },
		{ "show", do_list },
		{ "dump", do_dump },
		{},
	};

	return cli_dispatch(argc - 1, argv + 1, subs, help);
}

BEE_COMMAND("btf", cmd_btf, "list and dump BTF objects (raw or C)");
