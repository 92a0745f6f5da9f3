// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Decoding of bpf() calls: union bpf_attr printed field by field from the
 * running kernel's BTF, so fields and commands newer than bee's build are
 * named. What bee knows itself is small: which member of the union each
 * command uses, which union arm applies, and which fields are fds, enums,
 * flags or pointers (by their names).
 */
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "json.h"

/* Which member of union bpf_attr a command uses: a named member, or the
 * anonymous struct that holds field @anon_field directly. @str is the field
 * that points to a string worth copying; @prefer names union arms. */
struct cmd_member {
	const char *cmd; /* without "BPF_" */
	const char *member;
	const char *anon_field;
	const char *str;
	const char *prefer;
};

static const struct cmd_member cmd_members[] = {
	{ "MAP_CREATE", NULL, "map_type" },
	{ "MAP_LOOKUP_ELEM", NULL, "key" },
	{ "MAP_UPDATE_ELEM", NULL, "key" },
	{ "MAP_DELETE_ELEM", NULL, "key" },
	{ "MAP_LOOKUP_AND_DELETE_ELEM", NULL, "key" },
	{ "MAP_GET_NEXT_KEY", NULL, "key", NULL, "next_key" },
	{ "MAP_FREEZE", NULL, "key" },
	{ "PROG_LOAD", NULL, "prog_type", "license" },
	{ "OBJ_PIN", NULL, "pathname", "pathname" },
	{ "OBJ_GET", NULL, "pathname", "pathname" },
	{ "PROG_ATTACH", NULL, "attach_bpf_fd" },
	{ "PROG_DETACH", NULL, "attach_bpf_fd" },
	{ "PROG_TEST_RUN", "test" },
	{ "PROG_GET_NEXT_ID", NULL, "next_id", NULL, "start_id" },
	{ "MAP_GET_NEXT_ID", NULL, "next_id", NULL, "start_id" },
	{ "BTF_GET_NEXT_ID", NULL, "next_id", NULL, "start_id" },
	{ "LINK_GET_NEXT_ID", NULL, "next_id", NULL, "start_id" },
	{ "PROG_GET_FD_BY_ID", NULL, "next_id", NULL, "prog_id" },
	{ "MAP_GET_FD_BY_ID", NULL, "next_id", NULL, "map_id" },
	{ "BTF_GET_FD_BY_ID", NULL, "next_id", NULL, "btf_id" },
	{ "LINK_GET_FD_BY_ID", NULL, "next_id", NULL, "link_id" },
	{ "OBJ_GET_INFO_BY_FD", "info" },
	{ "PROG_QUERY", "query" },
	{ "RAW_TRACEPOINT_OPEN", "raw_tracepoint", NULL, "name" },
	{ "BTF_LOAD", NULL, "btf_size" },
	{ "TASK_FD_QUERY", "task_fd_query" },
	{ "MAP_LOOKUP_BATCH", "batch" },
	{ "MAP_LOOKUP_AND_DELETE_BATCH", "batch" },
	{ "MAP_UPDATE_BATCH", "batch" },
	{ "MAP_DELETE_BATCH", "batch" },
	{ "LINK_CREATE", "link_create" },
	{ "LINK_UPDATE", "link_update" },
	{ "LINK_DETACH", "link_detach" },
	{ "ENABLE_STATS", "enable_stats" },
	{ "ITER_CREATE", "iter_create" },
	{ "PROG_BIND_MAP", "prog_bind_map" },
	{ "TOKEN_CREATE", "token_create" },
	{ "PROG_STREAM_READ_BY_FD", "prog_stream_read" },
};

/* Fields holding a kernel enum, by field name. */
static const struct {
	const char *field, *enum_name;
} enum_fields[] = {
	{ "map_type", "bpf_map_type" },
	{ "prog_type", "bpf_prog_type" },
	{ "attach_type", "bpf_attach_type" },
	{ "expected_attach_type", "bpf_attach_type" },
	{ "fd_type", "bpf_task_fd_type" },
};

/* Flags the uapi defines with #define, which BTF does not carry. */
struct flag_name {
	unsigned long long bit;
	const char *name;
};
static const struct flag_name prog_flag_names[] = {
	{ 1 << 0, "BPF_F_STRICT_ALIGNMENT" },	  { 1 << 1, "BPF_F_ANY_ALIGNMENT" },
	{ 1 << 2, "BPF_F_TEST_RND_HI32" },	  { 1 << 3, "BPF_F_TEST_STATE_FREQ" },
	{ 1 << 4, "BPF_F_SLEEPABLE" },		  { 1 << 5, "BPF_F_XDP_HAS_FRAGS" },
	{ 1 << 6, "BPF_F_XDP_DEV_BOUND_ONLY" },	  { 1 << 7, "BPF_F_TEST_REG_INVARIANTS" },
	{ 1 << 16, "BPF_F_TOKEN_FD" },		  { 0, NULL },
};
static const struct flag_name attach_flag_names[] = {
	{ 1 << 0, "BPF_F_ALLOW_OVERRIDE" }, { 1 << 1, "BPF_F_ALLOW_MULTI" },
	{ 1 << 2, "BPF_F_REPLACE" },	    { 1 << 3, "BPF_F_BEFORE" },
	{ 1 << 4, "BPF_F_AFTER" },	    { 1 << 5, "BPF_F_ID" },
	{ 1 << 13, "BPF_F_LINK" },	    { 0, NULL },
};
static const struct flag_name query_flag_names[] = {
	{ 1 << 0, "BPF_F_QUERY_EFFECTIVE" },
	{ 0, NULL },
};
static const struct flag_name test_flag_names[] = {
	{ 1 << 0, "BPF_F_TEST_RUN_ON_CPU" },
	{ 1 << 1, "BPF_F_TEST_XDP_LIVE_FRAMES" },
	{ 1 << 2, "BPF_F_TEST_SKB_CHECKSUM_COMPLETE" },
	{ 0, NULL },
};

/* __u64 fields that hold numbers, not user pointers. */
static const char *const u64_numbers[] = {
	"map_extra", "cookie",	   "bpf_cookie", "expected_revision", "revision",
	"probe_offset", "probe_addr", NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Kernel BTF lookups are linear scans; a tracer decodes thousands of calls
 * a second, so what they find is kept. Names point into the kernel BTF's
 * string section, which lives as long as the process. */
#define CMD_CACHE 128
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static bool cmd_cached;
static const char *cmd_names[CMD_CACHE];
static struct {
	const char *name;
	const struct btf_type *t;
} enum_cache[16];

static const struct btf_type *enum_type(const struct btf *btf, const char *name)
{
	const struct btf_type *t = NULL;
	size_t i;
	int id;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ARRAY_SIZE(enum_cache) && enum_cache[i].name; i++) {
		if (!strcmp(enum_cache[i].name, name)) {
			t = enum_cache[i].t;
			goto out;
		}
	}
	id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);
	t = id < 0 ? NULL : btf__type_by_id(btf, id);
	if (i < ARRAY_SIZE(enum_cache)) {
		enum_cache[i].name = name;
		enum_cache[i].t = t;
	}
out:
	pthread_mutex_unlock(&cache_lock);
	return t;
}

/* The name of value @v in enum @t (BTF string storage), or NULL. */
static const char *enum_str(const struct btf *btf, const struct btf_type *t, long long v)
{
	if (!t)
		return NULL;
	for (int i = 0; i < btf_vlen(t); i++)
		if ((long long)btf_enum(t)[i].val == v)
			return btf__name_by_offset(btf, btf_enum(t)[i].name_off);
	return NULL;
}

/* A kernel enum's constant name for @v, in storage that stays valid. */
static const char *kenum_name(const char *enum_name, long long v)
{
	const struct btf *btf = bee_kernel_btf();

	return btf ? enum_str(btf, enum_type(btf, enum_name), v) : NULL;
}

const char *bee_bpf_cmd_name(int cmd)
{
	const struct btf *btf = bee_kernel_btf();

	if (!btf || cmd < 0)
		return NULL;
	if (cmd >= CMD_CACHE)
		return enum_str(btf, enum_type(btf, "bpf_cmd"), cmd);
	pthread_mutex_lock(&cache_lock);
	if (!cmd_cached) {
		pthread_mutex_unlock(&cache_lock);
		const struct btf_type *t = enum_type(btf, "bpf_cmd");
		pthread_mutex_lock(&cache_lock);
		for (int i = 0; t && i < btf_vlen(t); i++) {
			unsigned v = btf_enum(t)[i].val;
			const char *n = btf__name_by_offset(btf, btf_enum(t)[i].name_off);

			/* aliases (BPF_PROG_RUN = BPF_PROG_TEST_RUN): keep the first */
			if (v < CMD_CACHE && !cmd_names[v])
				cmd_names[v] = n;
		}
		cmd_cached = true;
	}
	pthread_mutex_unlock(&cache_lock);
	return cmd_names[cmd];
}

int bee_bpf_cmd_value(const char *name)
{
	const struct btf *btf = bee_kernel_btf();
	const struct btf_type *t;
	char full[96];

	if (!btf)
		return -errno;
	if (strncasecmp(name, "BPF_", 4) == 0)
		name += 4;
	snprintf(full, sizeof(full), "BPF_%s", name);
	for (char *p = full; *p; p++)
		*p = *p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p;
	t = enum_type(btf, "bpf_cmd");
	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off), full))
			return (int)btf_enum(t)[i].val;
	return -ENOENT;
}

const char *bee_errno_name(int err)
{
	const char *n;

	if (err < 0)
		err = -err;
	n = strerrorname_np(err);
	return n ? n : "E?";
}

static const struct cmd_member *cmd_entry(int cmd)
{
	static const struct cmd_member *ents[CMD_CACHE];
	static bool done[CMD_CACHE];
	const struct cmd_member *e = NULL;
	const char *name;

	if (cmd >= 0 && cmd < CMD_CACHE && __atomic_load_n(&done[cmd], __ATOMIC_ACQUIRE))
		return ents[cmd];
	name = bee_bpf_cmd_name(cmd);
	if (name && !strncmp(name, "BPF_", 4)) {
		for (size_t i = 0; i < ARRAY_SIZE(cmd_members); i++) {
			if (!strcmp(cmd_members[i].cmd, name + 4)) {
				e = &cmd_members[i];
				break;
			}
		}
	}
	if (cmd >= 0 && cmd < CMD_CACHE) {
		ents[cmd] = e;
		__atomic_store_n(&done[cmd], true, __ATOMIC_RELEASE);
	}
	return e;
}

static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out_id)
		*out_id = id;
	return t;
}

static bool has_direct_member(const struct btf *btf, const struct btf_type *t, const char *name)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return true;
	return false;
}

static const struct btf_type *cmd_struct_find(const struct btf *btf, const struct cmd_member *e);

/* The struct type @cmd uses inside union bpf_attr (its offset is 0). */
static const struct btf_type *cmd_struct(const struct btf *btf, const struct cmd_member *e)
{
	static const struct btf_type *sts[ARRAY_SIZE(cmd_members)];
	static bool done[ARRAY_SIZE(cmd_members)];
	size_t i = e - cmd_members;

	if (!__atomic_load_n(&done[i], __ATOMIC_ACQUIRE)) {
		sts[i] = cmd_struct_find(btf, e);
		__atomic_store_n(&done[i], true, __ATOMIC_RELEASE);
	}
	return sts[i];
}

static const struct btf_type *cmd_struct_find(const struct btf *btf, const struct cmd_member *e)
{
	const struct btf_type *u, *mt;
	const struct btf_member *m;
	int id;

	id = btf__find_by_name_kind(btf, "bpf_attr", BTF_KIND_UNION);
	if (id < 0)
		return NULL;
	u = btf__type_by_id(btf, id);
	m = btf_members(u);
	for (int i = 0; i < btf_vlen(u); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		mt = skip_mods(btf, m->type, NULL);
		if (!mt || !btf_is_struct(mt))
			continue;
		if (e->member && !strcmp(name, e->member))
			return mt;
		if (!e->member && !name[0] && has_direct_member(btf, mt, e->anon_field))
			return mt;
	}
	return NULL;
}

/* ---- printing ---- */

struct pr {
	FILE *out;
	bool json;
	struct bee_json j;
	int cnt[16];
	int depth;
	const struct bee_attr_opts *o;
	const struct btf *btf;
	int cmd;
	const struct cmd_member *e;
	const uint8_t *attr;
	size_t attr_sz;
	const char *prefer[4];
	bool truncated;
};

static void key(struct pr *p, const char *name)
{
	if (p->json) {
		bee_json_key(&p->j, name);
		return;
	}
	if (p->cnt[p->depth]++)
		fputs(", ", p->out);
	fputs(name, p->out);
	fputc('=', p->out);
}

/* A C-escaped, quoted string for text output. */
static void text_str(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void val_str(struct pr *p, const char *s, size_t n)
{
	if (p->json)
		bee_json_stringn(&p->j, s, n);
	else
		text_str(p->out, s, n);
}

static void put_u(FILE *out, unsigned long long v)
{
	char b[24], *e = b + sizeof(b) - 1;

	*e = 0;
	do
		*--e = '0' + v % 10;
	while (v /= 10);
	fputs(e, out);
}

static void put_hex(FILE *out, unsigned long long v)
{
	char b[24], *e = b + sizeof(b) - 1;

	*e = 0;
	do
		*--e = "0123456789abcdef"[v & 15];
	while (v >>= 4);
	*--e = 'x';
	*--e = '0';
	fputs(e, out);
}

static void val_uint(struct pr *p, unsigned long long v)
{
	if (p->json)
		bee_json_uint(&p->j, v);
	else
		put_u(p->out, v);
}

static void val_int(struct pr *p, long long v)
{
	if (p->json)
		bee_json_int(&p->j, v);
	else
		fprintf(p->out, "%lld", v);
}

/* A name (enum constant, flag set) as a bare word in text, a string in JSON. */
static void val_word(struct pr *p, const char *w)
{
	if (p->json)
		bee_json_string(&p->j, w);
	else
		fputs(w, p->out);
}

static void open_obj(struct pr *p)
{
	if (p->json) {
		bee_json_obj_start(&p->j);
	} else {
		fputc('{', p->out);
		if (p->depth < 15)
			p->cnt[++p->depth] = 0;
	}
}

static void close_obj(struct pr *p)
{
	if (p->json) {
		bee_json_obj_end(&p->j);
	} else {
		fputc('}', p->out);
		if (p->depth)
			p->depth--;
	}
}

/* The enum whose constants include @const_name, e.g. the anonymous enum of
 * map flags found by "BPF_F_NO_PREALLOC". */
static const struct btf_type *enum_with_find(const struct btf *btf, const char *const_name);

static const struct btf_type *enum_with(const struct btf *btf, const char *const_name)
{
	static struct {
		const char *c;
		const struct btf_type *t;
	} cache[4];
	const struct btf_type *t;
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < ARRAY_SIZE(cache) && cache[i].c; i++) {
		if (!strcmp(cache[i].c, const_name)) {
			t = cache[i].t;
			goto out;
		}
	}
	t = enum_with_find(btf, const_name);
	if (i < ARRAY_SIZE(cache)) {
		cache[i].c = const_name;
		cache[i].t = t;
	}
out:
	pthread_mutex_unlock(&cache_lock);
	return t;
}

static const struct btf_type *enum_with_find(const struct btf *btf, const char *const_name)
{
	int n = btf__type_cnt(btf);

	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_enum(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, btf_enum(t)[i].name_off), const_name))
				return t;
	}
	return NULL;
}

/* Flags as "A|B|0x40"; a zero value names the enum's zero constant if any. */
static void flags_str(const struct btf *btf, const struct btf_type *et,
		      const struct flag_name *table, unsigned long long v, char *buf, size_t n)
{
	unsigned long long left = v;
	size_t len = 0;

	buf[0] = 0;
#define ADD(s)                                                                                     \
	do {                                                                                       \
		len += snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? "|" : "", s);      \
	} while (0)
	if (et) {
		for (int i = 0; i < btf_vlen(et); i++) {
			unsigned long long b = (unsigned)btf_enum(et)[i].val;
			const char *name = btf__name_by_offset(btf, btf_enum(et)[i].name_off);

			if (v == 0 && b == 0) {
				ADD(name);
				return;
			}
			if (b && !(b & (b - 1)) && (left & b)) {
				ADD(name);
				left &= ~b;
			}
		}
	}
	for (; table && table->name; table++) {
		if (left & table->bit) {
			ADD(table->name);
			left &= ~table->bit;
		}
	}
	if (left || !len) {
		char hex[24];

		snprintf(hex, sizeof(hex), "%#llx", left);
		ADD(hex);
	}
#undef ADD
}

/* How a flags field of @cmd is named: an enum found by one constant, or a
 * table of #defines. */
static bool flag_kind(const struct pr *p, const char *field, const char **enum_const,
		      const struct flag_name **table)
{
	const char *member = p->e->member ? p->e->member : "";

	*enum_const = NULL;
	*table = NULL;
	if (!strcmp(field, "map_flags") || !strcmp(field, "file_flags") ||
	    !strcmp(field, "open_flags") || !strcmp(field, "btf_flags"))
		*enum_const = "BPF_F_NO_PREALLOC";
	else if (!strcmp(field, "prog_flags"))
		*table = prog_flag_names;
	else if (!strcmp(field, "attach_flags") && strcmp(member, "query"))
		*table = attach_flag_names;
	else if (!strcmp(field, "query_flags"))
		*table = query_flag_names;
	else if (!strcmp(field, "elem_flags") || (!strcmp(field, "flags") && !p->e->member))
		*enum_const = "BPF_ANY"; /* BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK */
	else if (!strcmp(field, "flags") && !strcmp(member, "batch"))
		*enum_const = "BPF_ANY";
	else if (!strcmp(field, "flags") && !strcmp(member, "test"))
		*table = test_flag_names;
	else if (!strcmp(field, "flags") && !strcmp(member, "link_create") && p->depth <= 1)
		*table = attach_flag_names;
	else
		return false;
	return true;
}

static const char *kind_name(enum bee_fd_kind k)
{
	switch (k) {
	case BEE_FD_MAP:
		return "map";
	case BEE_FD_PROG:
		return "prog";
	case BEE_FD_LINK:
		return "link";
	case BEE_FD_BTF:
		return "btf";
	case BEE_FD_PATH:
		return "path";
	case BEE_FD_OTHER:
		return "file";
	default:
		return "unknown";
	}
}

int bee_fd_info_snprint(char *buf, size_t n, const struct bee_fd_info *fi)
{
	switch (fi->kind) {
	case BEE_FD_MAP:
	case BEE_FD_PROG:
	case BEE_FD_LINK:
		if (fi->name[0])
			return snprintf(buf, n, "%s:%u:%s", kind_name(fi->kind), fi->id, fi->name);
		return snprintf(buf, n, "%s:%u", kind_name(fi->kind), fi->id);
	case BEE_FD_BTF:
		return snprintf(buf, n, "btf:%u", fi->id);
	case BEE_FD_PATH:
	case BEE_FD_OTHER:
		return snprintf(buf, n, "%s", fi->path);
	default:
		return snprintf(buf, n, "?");
	}
}

void bee_fd_info_json(struct bee_json *j, int fd, const struct bee_fd_info *fi)
{
	bee_json_obj_start(j);
	bee_json_kint(j, "fd", fd);
	if (fi && fi->kind != BEE_FD_UNKNOWN) {
		bee_json_kstr(j, "kind", kind_name(fi->kind));
		if (fi->id)
			bee_json_kuint(j, "id", fi->id);
		if (fi->name[0])
			bee_json_kstr(j, "name", fi->name);
		if (fi->path[0])
			bee_json_kstr(j, "path", fi->path);
	}
	bee_json_obj_end(j);
}

static int resolve_fd(struct pr *p, int fd, struct bee_fd_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	if (p->o && p->o->fd_fn)
		return p->o->fd_fn(p->o->fd_ctx, fd, fi);
	if (p->o && p->o->pid > 0)
		return bee_fd_describe(p->o->pid, fd, fi);
	return -ENOENT;
}

static void val_fd(struct pr *p, long long fd)
{
	struct bee_fd_info fi;
	char buf[320];
	bool ok = false;

	/* fd 0 is usually "none" (inner_map_fd=0): name it only when it is a
	 * BPF object. */
	if (fd >= 0 && fd < (1 << 24) && resolve_fd(p, fd, &fi) == 0 &&
	    (fd > 0 || (fi.kind >= BEE_FD_MAP && fi.kind <= BEE_FD_BTF)))
		ok = fi.kind != BEE_FD_UNKNOWN;
	if (p->json) {
		if (ok)
			bee_fd_info_json(&p->j, fd, &fi);
		else
			bee_json_int(&p->j, fd);
		return;
	}
	if (!ok) {
		fprintf(p->out, "%lld", fd);
		return;
	}
	bee_fd_info_snprint(buf, sizeof(buf), &fi);
	put_u(p->out, fd);
	fputc('<', p->out);
	fputs(buf, p->out);
	fputc('>', p->out);
}

static bool is_fd_field(const char *f)
{
	return ends_with(f, "_fd");
}

/* How a leaf field prints, decided by its name (and the command) once:
 * a tracer prints the same fields thousands of times a second. */
enum leaf_kind { LK_NUM, LK_ENUM, LK_FLAGS, LK_STRF, LK_FD, LK_IFINDEX, LK_PTR };

struct leaf_class {
	const char *name; /* BTF string: equal names share the pointer */
	int cmd, depth;
	enum leaf_kind kind;
	const struct btf_type *et; /* LK_ENUM: the enum; LK_FLAGS: enum of flags */
	const struct flag_name *table;
};

static struct leaf_class leaf_cache[512];

static void classify(struct pr *p, const char *name, const struct btf_type *t, struct leaf_class *lc)
{
	const char *econst;

	lc->et = NULL;
	lc->table = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(enum_fields); i++) {
		if (!strcmp(name, enum_fields[i].field)) {
			lc->kind = LK_ENUM;
			lc->et = enum_type(p->btf, enum_fields[i].enum_name);
			return;
		}
	}
	if (!strcmp(name, "type") && p->e->member && !strcmp(p->e->member, "enable_stats")) {
		lc->kind = LK_ENUM;
		lc->et = enum_type(p->btf, "bpf_stats_type");
	} else if (flag_kind(p, name, &econst, &lc->table)) {
		lc->kind = LK_FLAGS;
		lc->et = econst ? enum_with(p->btf, econst) : NULL;
	} else if (p->e->str && !strcmp(name, p->e->str)) {
		lc->kind = LK_STRF;
	} else if (is_fd_field(name)) {
		lc->kind = LK_FD;
	} else if (ends_with(name, "ifindex")) {
		lc->kind = LK_IFINDEX;
	} else if (t->size == 8 && !in_list(name, u64_numbers)) {
		lc->kind = LK_PTR;
	} else {
		lc->kind = LK_NUM;
	}
}

static void leaf_class(struct pr *p, const char *name, const struct btf_type *t,
		       struct leaf_class *out)
{
	size_t h = ((uintptr_t)name >> 3) * 31 + (size_t)p->cmd * 7 + (size_t)p->depth;
	struct leaf_class *lc;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < 8; i++) {
		lc = &leaf_cache[(h + i) % ARRAY_SIZE(leaf_cache)];
		if (lc->name == name && lc->cmd == p->cmd && lc->depth == p->depth) {
			*out = *lc;
			pthread_mutex_unlock(&cache_lock);
			return;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	/* outside the lock: classify() takes it for its own lookups */
	classify(p, name, t, out);
	out->name = name;
	out->cmd = p->cmd;
	out->depth = p->depth;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < 8; i++) {
		lc = &leaf_cache[(h + i) % ARRAY_SIZE(leaf_cache)];
		if (!lc->name) {
			*lc = *out;
			break;
		}
	}
	pthread_mutex_unlock(&cache_lock);
}

/* A pointer field with the bytes the tracer copied from where it points:
 * text "0x7ffd...[01 00]", JSON the address and a "FIELD_bytes" sibling. */
static bool mem(struct pr *p, const char *name, unsigned long long u)
{
	const void *data;
	size_t size;
	char k[64], hx[3 * 256 + 1];

	if (!p->o || p->o->sz < offsetof(struct bee_attr_opts, mem_ctx) + sizeof(void *) ||
	    !p->o->mem_fn || p->o->mem_fn(p->o->mem_ctx, name, &data, &size))
		return false;
	/* hex by hand: a tracer prints this for every map access */
	for (size_t i = 0; i < size && i < 256; i++) {
		uint8_t b = ((const uint8_t *)data)[i];

		hx[3 * i] = "0123456789abcdef"[b >> 4];
		hx[3 * i + 1] = "0123456789abcdef"[b & 15];
		hx[3 * i + 2] = ' ';
	}
	if (size > 256)
		size = 256;
	hx[size ? 3 * size - 1 : 0] = 0;
	if (p->json) {
		bee_json_uint(&p->j, u);
		snprintf(k, sizeof(k), "%s_bytes", name);
		bee_json_key(&p->j, k);
		fputc('"', p->out);
		for (size_t i = 0; i < size; i++)
			fwrite(hx + 3 * i, 1, 2, p->out);
		fputc('"', p->out);
		/* the string went out behind the writer's back: the value is done */
		p->j.after_key = false;
		p->j.first[p->j.depth] = false;
	} else {
		put_hex(p->out, u);
		fputc('[', p->out);
		fputs(hx, p->out);
		fputc(']', p->out);
	}
	return true;
}

static void print_leaf(struct pr *p, const char *name, const struct btf_type *t, uint32_t off)
{
	unsigned long long u = 0;
	long long s;
	bool sign;
	size_t sz = t->size;
	struct leaf_class lc;
	const char *en;
	char buf[512];

	if (sz > 8)
		sz = 8;
	memcpy(&u, p->attr + off, sz);
	sign = btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_SIGNED);
	s = sz == 8 ? (long long)u : sz == 4 ? (int32_t)u : sz == 2 ? (int16_t)u : (int8_t)u;
	key(p, name);
	leaf_class(p, name, t, &lc);

	switch (lc.kind) {
	case LK_ENUM:
		en = enum_str(p->btf, lc.et, (long long)u);
		if (en)
			val_word(p, en);
		else
			val_uint(p, u);
		return;
	case LK_FLAGS:
		flags_str(p->btf, lc.et, lc.table, u, buf, sizeof(buf));
		val_word(p, buf);
		return;
	case LK_STRF:
		if (p->o && p->o->str && u) {
			val_str(p, p->o->str, (size_t)-1);
			return;
		}
		break;
	case LK_FD:
		val_fd(p, sign ? s : (long long)(int32_t)u);
		return;
	case LK_IFINDEX:
		if (u && !p->json) {
			char ifn[IF_NAMESIZE];

			if (if_indextoname(u, ifn)) {
				fprintf(p->out, "%llu<%s>", u, ifn);
				return;
			}
		}
		break;
	default:
		break;
	}
	if (lc.kind == LK_PTR && u && mem(p, name, u))
		return;
	if ((lc.kind == LK_PTR || lc.kind == LK_STRF) && !p->json) {
		/* a user pointer: strace prints these in hex, NULL when 0 */
		if (u)
			put_hex(p->out, u);
		else
			fputs("NULL", p->out);
		return;
	}
	if (sign)
		val_int(p, s);
	else
		val_uint(p, u);
}

/* The arm of an anonymous union to print: the first that the command or the
 * attach type prefers, else the first. Arms are named by their own name or,
 * for anonymous structs, by their first field. */
static int pick_arm(struct pr *p, const struct btf_type *u)
{
	const struct btf_member *m = btf_members(u);

	for (int i = 0; i < btf_vlen(u); i++, m++) {
		const char *name = btf__name_by_offset(p->btf, m->name_off);
		const struct btf_type *mt = skip_mods(p->btf, m->type, NULL);

		if (!name[0] && mt && btf_is_composite(mt) && btf_vlen(mt))
			name = btf__name_by_offset(p->btf, btf_members(mt)->name_off);
		for (size_t k = 0; k < ARRAY_SIZE(p->prefer); k++)
			if (p->prefer[k] && !strcmp(p->prefer[k], name))
				return i;
	}
	return 0;
}

static void walk(struct pr *p, const struct btf_type *t, uint32_t base);

static void print_member(struct pr *p, const char *name, uint32_t type_id, uint32_t off)
{
	const struct btf_type *t = skip_mods(p->btf, type_id, NULL);

	if (!t || p->truncated)
		return;
	if (btf_is_composite(t)) {
		if (!name[0]) {
			if (btf_is_union(t)) {
				const struct btf_member *m = btf_members(t) + pick_arm(p, t);
				print_member(p, btf__name_by_offset(p->btf, m->name_off), m->type,
					     off + btf_member_bit_offset(t, m - btf_members(t)) / 8);
			} else {
				walk(p, t, off);
			}
			return;
		}
		/* A named nested struct: print it only if the attr reaches it. */
		if (off >= p->attr_sz) {
			p->truncated = true;
			return;
		}
		key(p, name);
		open_obj(p);
		if (btf_is_union(t)) {
			const struct btf_member *m = btf_members(t) + pick_arm(p, t);
			print_member(p, btf__name_by_offset(p->btf, m->name_off), m->type, off);
		} else {
			walk(p, t, off);
		}
		close_obj(p);
		p->truncated = false;
		return;
	}
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		const struct btf_type *et = skip_mods(p->btf, a->type, NULL);
		size_t n = a->nelems * (et ? et->size : 1);

		if (off + n > p->attr_sz) {
			p->truncated = true;
			return;
		}
		key(p, name);
		if (et && btf_is_int(et) && et->size == 1)
			val_str(p, (const char *)p->attr + off, a->nelems);
		else if (p->json)
			bee_json_null(&p->j);
		else
			bee_hex_fprint(p->out, p->attr + off, n);
		return;
	}
	if (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t) || btf_is_ptr(t)) {
		if (off + (btf_is_ptr(t) ? 8 : t->size) > p->attr_sz) {
			/* the caller's attr ends before this field: the kernel reads it
			 * as zero, strace prints it not at all */
			p->truncated = true;
			return;
		}
		print_leaf(p, name, t, off);
	}
}

static void walk(struct pr *p, const struct btf_type *t, uint32_t base)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t) && !p->truncated; i++, m++)
		print_member(p, btf__name_by_offset(p->btf, m->name_off), m->type,
			     base + btf_member_bit_offset(t, i) / 8);
}

/* Find field @name (depth-first, through anonymous members and unions,
 * preferring nothing) in struct @t; its offset from @base and its type. */
static int find_field(const struct btf *btf, const struct btf_type *t, uint32_t base,
		      const char *name, uint32_t *off, const struct btf_type **ft)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt = skip_mods(btf, m->type, NULL);
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t o = base + btf_member_bit_offset(t, i) / 8;

		if (!mt)
			continue;
		if (!strcmp(mn, name)) {
			*off = o;
			*ft = mt;
			return 0;
		}
		if (!mn[0] && btf_is_composite(mt) && find_field(btf, mt, o, name, off, ft) == 0)
			return 0;
	}
	return -ENOENT;
}

int bee_attr_field(int cmd, const char *field, uint32_t *offset, uint32_t *size)
{
	const struct btf *btf = bee_kernel_btf();
	const struct cmd_member *e = cmd_entry(cmd);
	const struct btf_type *st, *ft;
	uint32_t off;

	if (!btf)
		return -errno;
	if (!e || !(st = cmd_struct(btf, e)))
		return -ENOENT;
	if (find_field(btf, st, 0, field, &off, &ft))
		return -ENOENT;
	*offset = off;
	if (size)
		*size = btf_is_ptr(ft) ? 8 : ft->size;
	return 0;
}

static void collect_fds(const struct btf *btf, const struct btf_type *t, uint32_t base,
			uint32_t *offs, int *n, int max)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt = skip_mods(btf, m->type, NULL);
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint32_t o = base + btf_member_bit_offset(t, i) / 8;
		bool dup = false;

		if (!mt)
			continue;
		if (btf_is_composite(mt)) {
			collect_fds(btf, mt, o, offs, n, max);
			continue;
		}
		if (!ends_with(mn, "_fd") || mt->size != 4)
			continue;
		for (int k = 0; k < *n; k++)
			dup |= offs[k] == o;
		if (!dup && *n < max)
			offs[(*n)++] = o;
	}
}

int bee_attr_fd_offsets(int cmd, uint32_t *offs, int max)
{
	const struct btf *btf = bee_kernel_btf();
	const struct cmd_member *e = cmd_entry(cmd);
	const struct btf_type *st;
	int n = 0;

	if (!btf)
		return -errno;
	if (!e || !(st = cmd_struct(btf, e)))
		return -ENOENT;
	collect_fds(btf, st, 0, offs, &n, max);
	return n;
}

const char *bee_attr_str_field(int cmd)
{
	const struct cmd_member *e = cmd_entry(cmd);

	return e ? e->str : NULL;
}

const char *bee_attr_member(int cmd)
{
	const struct cmd_member *e = cmd_entry(cmd);

	if (!e)
		return NULL;
	return e->member ? e->member : e->anon_field;
}

/* Union arms that depend on the attach type (link_create's per-kind
 * structs, target_fd vs target_ifindex). */
static void prefer_by_attach_type(struct pr *p, const struct btf_type *st)
{
	const struct btf_type *ft;
	const char *at, *member = p->e->member ? p->e->member : "";
	uint32_t off;
	unsigned v = 0;

	static int at_off[ARRAY_SIZE(cmd_members)]; /* 0: not looked up, -1: none, else off + 1 */
	size_t ei = p->e - cmd_members;
	int o = __atomic_load_n(&at_off[ei], __ATOMIC_RELAXED);

	/* looked up once per command: this runs for every call printed */
	if (!o) {
		o = find_field(p->btf, st, 0, "attach_type", &off, &ft) ? -1 : (int)off + 1;
		__atomic_store_n(&at_off[ei], o, __ATOMIC_RELAXED);
	}
	if (o < 0)
		return;
	off = o - 1;
	if (off + 4 > p->attr_sz)
		return;
	memcpy(&v, p->attr + off, 4);
	at = kenum_name("bpf_attach_type", v);
	if (!at)
		return;
	if (!strncmp(at, "BPF_XDP", 7) || !strncmp(at, "BPF_TCX_", 8) ||
	    !strncmp(at, "BPF_NETKIT_", 11))
		p->prefer[1] = "target_ifindex";
	if (strcmp(member, "link_create"))
		return;
	if (!strcmp(at, "BPF_STRUCT_OPS"))
		p->prefer[2] = "map_fd";
	if (!strncmp(at, "BPF_TCX_", 8))
		p->prefer[3] = "tcx";
	else if (!strncmp(at, "BPF_NETKIT_", 11))
		p->prefer[3] = "netkit";
	else if (!strncmp(at, "BPF_CGROUP_", 11))
		p->prefer[3] = "cgroup";
	else if (!strcmp(at, "BPF_PERF_EVENT"))
		p->prefer[3] = "perf_event";
	else if (!strncmp(at, "BPF_TRACE_KPROBE_", 17))
		p->prefer[3] = "kprobe_multi";
	else if (!strncmp(at, "BPF_TRACE_UPROBE_", 17))
		p->prefer[3] = "uprobe_multi";
	else if (!strcmp(at, "BPF_NETFILTER"))
		p->prefer[3] = "netfilter";
	else if (!strcmp(at, "BPF_TRACE_ITER"))
		p->prefer[3] = "iter_info";
	else if (!strncmp(at, "BPF_TRACE_F", 11) || !strcmp(at, "BPF_MODIFY_RETURN") ||
		 !strncmp(at, "BPF_LSM_", 8) || !strcmp(at, "BPF_TRACE_RAW_TP"))
		p->prefer[3] = "tracing";
}

int bee_attr_fprint(FILE *out, int cmd, const void *attr, size_t attr_sz,
		    const struct bee_attr_opts *opts)
{
	const struct btf *btf = bee_kernel_btf();
	const struct btf_type *st = NULL;
	struct pr p = {
		.out = out,
		.o = opts,
		.btf = btf,
		.cmd = cmd,
		.attr = attr,
		.attr_sz = attr_sz,
	};

	if (opts && opts->sz < offsetof(struct bee_attr_opts, json) + sizeof(bool))
		return -EINVAL;
	p.json = opts && opts->json;
	if (!btf)
		return -errno;
	p.e = cmd_entry(cmd);
	if (p.e)
		st = cmd_struct(btf, p.e);
	if (p.json)
		bee_json_init(&p.j, out, false);
	if (!st) {
		/* a command bee has no member for: the bytes, so nothing is hidden */
		if (p.json) {
			bee_json_obj_start(&p.j);
			bee_json_key(&p.j, "raw");
			bee_json_arr_start(&p.j);
			for (size_t i = 0; i < attr_sz; i++)
				bee_json_uint(&p.j, ((const uint8_t *)attr)[i]);
			bee_json_arr_end(&p.j);
			bee_json_obj_end(&p.j);
		} else {
			fputc('{', out);
			bee_hex_fprint(out, attr, attr_sz);
			fputc('}', out);
		}
		return 0;
	}
	p.prefer[0] = p.e->prefer;
	prefer_by_attach_type(&p, st);
	open_obj(&p);
	walk(&p, st, 0);
	close_obj(&p);
	return 0;
}

/* ---- fds of a process, from /proc ---- */

static uint32_t fdinfo_u32(const char *text, const char *key)
{
	const char *s = strstr(text, key);

	return s ? (uint32_t)strtoul(s + strlen(key), NULL, 10) : 0;
}

int bee_fd_describe(pid_t pid, int fd, struct bee_fd_info *fi)
{
	char path[64], link[256], *text = NULL;
	ssize_t n;
	int ofd, err;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	if (strncmp(link, "anon_inode:", 11)) {
		fi->kind = link[0] == '/' ? BEE_FD_PATH : BEE_FD_OTHER;
		snprintf(fi->path, sizeof(fi->path), "%s", link);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	err = bee_read_file(path, &text, NULL);
	if (err)
		return err;
	if (!strcmp(link, "anon_inode:bpf-map")) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		fi->kind = BEE_FD_MAP;
		fi->id = fdinfo_u32(text, "map_id:");
		ofd = fi->id ? bpf_map_get_fd_by_id(fi->id) : -1;
		if (ofd >= 0 && !bpf_obj_get_info_by_fd(ofd, &info, &len))
			snprintf(fi->name, sizeof(fi->name), "%s", info.name);
	} else if (!strcmp(link, "anon_inode:bpf-prog")) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		fi->kind = BEE_FD_PROG;
		fi->id = fdinfo_u32(text, "prog_id:");
		ofd = fi->id ? bpf_prog_get_fd_by_id(fi->id) : -1;
		if (ofd >= 0 && !bpf_obj_get_info_by_fd(ofd, &info, &len))
			snprintf(fi->name, sizeof(fi->name), "%s", info.name);
	} else if (!strcmp(link, "anon_inode:bpf_link")) {
		const char *lt = strstr(text, "link_type:");

		fi->kind = BEE_FD_LINK;
		fi->id = fdinfo_u32(text, "link_id:");
		ofd = -1;
		if (lt)
			sscanf(lt, "link_type:%*[ \t]%15s", fi->name);
	} else if (!strcmp(link, "anon_inode:btf")) {
		fi->kind = BEE_FD_BTF;
		fi->id = fdinfo_u32(text, "btf_id:");
		ofd = -1;
	} else {
		fi->kind = BEE_FD_OTHER;
		snprintf(fi->path, sizeof(fi->path), "%s", link);
		ofd = -1;
	}
	if (ofd >= 0)
		close(ofd);
	free(text);
	return 0;
}
