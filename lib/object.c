// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bee_obj: a libbpf bpf_object plus what bee adds — compile from C, set
 * const volatile globals from text, explain load failures in one line, and
 * attach every program by its SEC() name with links that die with the
 * process.
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include "internal.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's, seen by user space as 524 */
#endif

struct bee_obj {
	struct bpf_object *obj;
	char *name;
	char *obj_path;
	struct bee_link **links;
	size_t link_cnt, link_cap;
	unsigned perf_freq;
	pid_t pid;
	char *dev, *xdp_mode, *cgroup;
	bool full_log;
	char *verifier_log;
	/* live views of .bss/.data: libbpf 1.1 maps them into the kernel's
	 * memory only for skeletons, so bee maps them itself after load */
	struct {
		const struct bpf_map *map;
		void *mem;
		size_t sz;
	} data[8];
	int data_cnt;
};


static char *obj_name_of(const char *path)
{
	char *copy = strdup(path), *base, *dot, *res;

	if (!copy)
		return NULL;
	base = basename(copy);
	for (const char *suf = ".bpf.c\0.bpf.o\0.c\0.o\0"; *suf; suf += strlen(suf) + 1) {
		size_t bl = strlen(base), sl = strlen(suf);
		if (bl > sl && strcmp(base + bl - sl, suf) == 0) {
			base[bl - sl] = 0;
			break;
		}
	}
	dot = base;
	res = strdup(dot);
	free(copy);
	return res;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int check_programs(struct bee_obj *o)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, o->obj) {
		/* sections newer than libbpf 1.1 (tc/ingress, tcx/egress, ...) */
		bee_net_prog_fixup(prog);
		if (bpf_program__type(prog) != BPF_PROG_TYPE_UNSPEC)
			continue;
		pr_err("prog '%s': unknown section '%s' (bee knows tp/, tracepoint/, raw_tp/, "
		       "tp_btf/, kprobe/, kretprobe/, uprobe/, uretprobe/, fentry/, fexit/, lsm/, "
		       "perf_event, xdp, tc, cgroup_skb/, cgroup/, socket, ...)",
		       bpf_program__name(prog), bpf_program__section_name(prog));
		return -EINVAL;
	}
	return 0;
}

static struct bee_obj *open_common(struct bee_obj *o, const struct bee_obj_opts *opts)
{
	int err;

	if (opts && opts->sz > offsetof(struct bee_obj_opts, verifier_log_full))
		o->full_log = opts->verifier_log_full;
	o->perf_freq = 49;
	o->pid = -1;
	err = check_programs(o);
	if (err) {
		bee_obj__close(o);
		errno = -err;
		return NULL;
	}
	return o;
}

/* A type id a BTF type refers to must exist, and every name must resolve:
 * libbpf 1.1 trusts both in places (fuzzing found crashes), so bee checks
 * an object's BTF before handing the object to libbpf. */
static int btf_refs_ok(const struct btf *btf, char *why, size_t n)
{
	uint32_t cnt = btf__type_cnt(btf);

#define REF_OK(id) ((uint32_t)(id) < cnt)
#define NAME_OK(off) (btf__name_by_offset(btf, off) != NULL)
	for (uint32_t id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		uint32_t bad = 0;

		if (!t || !NAME_OK(t->name_off)) {
			snprintf(why, n, "type [%u] has no valid name", id);
			return -EINVAL;
		}
		switch (btf_kind(t)) {
		case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
		case BTF_KIND_VAR: case BTF_KIND_TYPE_TAG: case BTF_KIND_DECL_TAG:
			if (!REF_OK(t->type))
				bad = t->type;
			break;
		case BTF_KIND_ARRAY:
			if (!REF_OK(btf_array(t)->type) || !REF_OK(btf_array(t)->index_type))
				bad = UINT32_MAX;
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
			const struct btf_member *m = btf_members(t);
			for (int i = 0; i < btf_vlen(t); i++, m++)
				if (!REF_OK(m->type) || !NAME_OK(m->name_off))
					bad = UINT32_MAX;
			break;
		}
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *p = btf_params(t);
			if (!REF_OK(t->type))
				bad = t->type;
			for (int i = 0; i < btf_vlen(t); i++, p++)
				if (!REF_OK(p->type) || !NAME_OK(p->name_off))
					bad = UINT32_MAX;
			break;
		}
		case BTF_KIND_ENUM: {
			const struct btf_enum *e = btf_enum(t);
			for (int i = 0; i < btf_vlen(t); i++, e++)
				if (!NAME_OK(e->name_off))
					bad = UINT32_MAX;
			break;
		}
		case BTF_KIND_DATASEC: {
			const struct btf_var_secinfo *v = btf_var_secinfos(t);
			for (int i = 0; i < btf_vlen(t); i++, v++) {
				const struct btf_type *vt = REF_OK(v->type) ? btf__type_by_id(btf, v->type) : NULL;
				if (!vt || (!btf_is_var(vt) && !btf_is_func(vt)))
					bad = UINT32_MAX;
			}
			break;
		}
		default:
			break;
		}
		if (bad) {
			snprintf(why, n, "type [%u] refers to a type or name that does not exist", id);
			return -EINVAL;
		}
	}
#undef REF_OK
#undef NAME_OK
	return 0;
}

/* The ELF checks libbpf leaves out, on an object in memory. */
static int elf_sanity(const void *buf, size_t size, const char *name)
{
	char why[160] = "";
	struct btf *btf = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int err = 0;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		snprintf(why, sizeof(why), "not an ELF file");
		err = -EINVAL;
		goto out;
	}
	{
		size_t shnum = 0;
		GElf_Ehdr eh = {};

		/* a cut file keeps its header but loses the section headers at
		 * its end, which libbpf reports only as an invalid handle */
		if (!gelf_getehdr(elf, &eh) || elf_getshdrnum(elf, &shnum))
			shnum = 0, eh.e_shoff = size + 1;
		/* libelf may count no sections when their table is cut: the
		 * header's own count too */
		if (shnum < eh.e_shnum)
			shnum = eh.e_shnum;
		if (eh.e_shoff > size || (uint64_t)shnum * eh.e_shentsize > size - eh.e_shoff) {
			snprintf(why, sizeof(why), "truncated ELF: its section headers end past the "
				 "file's %zu bytes", size);
			err = -EINVAL;
			goto out;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *sname;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_NOBITS && (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset))) {
			snprintf(why, sizeof(why), "section %zu lies outside the file", elf_ndxscn(scn));
			err = -EINVAL;
			goto out;
		}
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!sname) {
			snprintf(why, sizeof(why), "section %zu has no name", elf_ndxscn(scn));
			err = -EINVAL;
			goto out;
		}
		if (strcmp(sname, ".BTF"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf) {
			snprintf(why, sizeof(why), ".BTF cannot be read");
			err = -EINVAL;
			goto out;
		}
		/* a file may hold several .BTF sections: check each (libbpf
		 * uses the last), freeing the one checked before */
		btf__free(btf);
		btf = btf__new(d->d_buf, d->d_size);
		if (!btf) {
			snprintf(why, sizeof(why), "malformed .BTF: %s", strerror(errno));
			err = -EINVAL;
			goto out;
		}
		err = btf_refs_ok(btf, why, sizeof(why));
		if (err)
			goto out;
	}
out:
	if (err)
		pr_err("cannot open '%s' as a BPF object: %s", name, why);
	btf__free(btf);
	elf_end(elf);
	return err;
}

static void libbpf_reason(char *buf, size_t sz)
{
	const char *log = bee_libbpf_last_log();
	const char *end = log + strlen(log), *start;

	/* the last non-empty line libbpf wrote */
	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(buf, sz, "%.*s", (int)(end - start), start);
}

struct bee_obj *bee_obj__open_file(const char *path, const struct bee_obj_opts *opts)
{
	const char *given = opts && opts->sz > offsetof(struct bee_obj_opts, name) ? opts->name : NULL;
	struct bee_obj *o;
	char reason[512];
	int err;

	bee_libbpf_log_init();
	o = calloc(1, sizeof(*o));
	if (!o)
		return errno = ENOMEM, NULL;
	o->name = given ? strdup(given) : obj_name_of(path);
	if (access(path, R_OK)) {
		err = -errno;
		pr_err("cannot open '%s': %s", path, strerror(errno));
		goto err_free;
	}
	if (ends_with(path, ".c")) {
		err = bee_compile(path, opts, &o->obj_path);
		if (err)
			goto err_free;
	} else {
		o->obj_path = strdup(path);
	}
	{
		char *img;
		size_t img_sz;

		err = bee_read_file(o->obj_path, &img, &img_sz);
		if (err) {
			pr_err("cannot read '%s': %s", o->obj_path, strerror(-err));
			goto err_free;
		}
		err = elf_sanity(img, img_sz, path);
		free(img);
		if (err)
			goto err_free;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = o->name);
	bee_libbpf_log_capture(1);
	o->obj = bpf_object__open_file(o->obj_path, &oo);
	bee_libbpf_log_capture(0);
	if (!o->obj) {
		err = neg_errno();
		libbpf_reason(reason, sizeof(reason));
		pr_err("cannot open '%s' as a BPF object: %s%s%s", path, strerror(-err),
		       reason[0] ? ": " : "", reason);
		goto err_free;
	}
	return open_common(o, opts);

err_free:
	bee_obj__close(o);
	errno = -err;
	return NULL;
}

struct bee_obj *bee_obj__open_mem(const void *buf, size_t size, const char *name,
				  const struct bee_obj_opts *opts)
{
	struct bee_obj *o;
	char reason[512];
	int err;

	bee_libbpf_log_init();
	o = calloc(1, sizeof(*o));
	if (!o)
		return errno = ENOMEM, NULL;
	o->name = strdup(name ? name : "bee");
	err = elf_sanity(buf, size, o->name);
	if (err) {
		bee_obj__close(o);
		errno = -err;
		return NULL;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = o->name);
	bee_libbpf_log_capture(1);
	o->obj = bpf_object__open_mem(buf, size, &oo);
	bee_libbpf_log_capture(0);
	if (!o->obj) {
		err = neg_errno();
		libbpf_reason(reason, sizeof(reason));
		pr_err("cannot open '%s' as a BPF object: %s%s%s", o->name, strerror(-err),
		       reason[0] ? ": " : "", reason);
		bee_obj__close(o);
		errno = -err;
		return NULL;
	}
	return open_common(o, opts);
}

/* ---- const volatile globals ---- */

/* The datasec of an internal map: "name.rodata" -> ".rodata". */
static const char *map_sec_name(const struct bpf_map *map)
{
	const char *n = bpf_map__name(map), *dot = strchr(n, '.');
	return dot ? dot : n;
}

int bee_obj__set_var(struct bee_obj *o, const char *name, const char *value)
{
	const struct btf *btf = bpf_object__btf(o->obj);
	char known[512] = "";
	struct bpf_map *map;
	int err;

	if (!btf) {
		pr_err("%s: no BTF in the object, cannot set '%s'", o->name, name);
		return -ENOENT;
	}
	bpf_object__for_each_map(map, o->obj) {
		const struct btf_var_secinfo *vs;
		const struct btf_type *sec;
		int sec_id;

		if (!bpf_map__is_internal(map))
			continue;
		sec_id = btf__find_by_name_kind(btf, map_sec_name(map), BTF_KIND_DATASEC);
		if (sec_id < 0)
			continue;
		sec = btf__type_by_id(btf, sec_id);
		vs = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec); i++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);
			const char *vname = btf__name_by_offset(btf, var->name_off);
			size_t sz;
			char *data;

			if (strncmp(vname, "__bee_", 6) && strlen(known) + strlen(vname) + 3 < sizeof(known) &&
			    strstr(map_sec_name(map), "rodata")) {
				if (known[0])
					strcat(known, ", ");
				strcat(known, vname);
			}
			if (strcmp(vname, name))
				continue;
			data = (char *)bpf_map__initial_value(map, &sz);
			if (!data || vs->offset + vs->size > sz) {
				pr_err("%s: cannot set '%s' (object not writable)", o->name, name);
				return -EINVAL;
			}
			err = bee_btf_parse(btf, var->type, value, data + vs->offset, vs->size);
			if (err) {
				pr_err("%s: --set %s=%s: not a valid value for this variable", o->name,
				       name, value);
				return err;
			}
			return 0;
		}
	}
	pr_err("%s: no global variable '%s'%s%s%s", o->name, name,
	       known[0] ? " (const volatile globals: " : "", known, known[0] ? ")" : "");
	return -ENOENT;
}

/* ---- loading ---- */

static bool is_trampoline(const struct bpf_program *prog)
{
	enum bpf_attach_type at = bpf_program__expected_attach_type(prog);
	enum bpf_prog_type t = bpf_program__type(prog);

	return t == BPF_PROG_TYPE_EXT || t == BPF_PROG_TYPE_LSM ||
	       (t == BPF_PROG_TYPE_TRACING &&
		(at == BPF_TRACE_FENTRY || at == BPF_TRACE_FEXIT || at == BPF_MODIFY_RETURN));
}

/* From libbpf's captured output: which program failed and its verifier log. */
static void explain_load_failure(struct bee_obj *o, int err)
{
	const char *log = bee_libbpf_last_log(), *begin, *end, *p;
	char prog_name[128] = "", reason[512] = "", where[512] = "";
	struct bpf_program *prog = NULL;

	begin = strstr(log, "-- BEGIN PROG LOAD LOG --");
	if (begin) {
		/* "prog 'NAME': -- BEGIN PROG LOAD LOG --" */
		p = begin;
		while (p > log && p[-1] != '\n')
			p--;
		sscanf(p, "prog '%127[^']'", prog_name);
		begin = strchr(begin, '\n');
		begin = begin ? begin + 1 : log;
		end = strstr(begin, "-- END PROG LOAD LOG --");
		if (!end)
			end = log + strlen(log);
		free(o->verifier_log);
		o->verifier_log = strndup(begin, end - begin);
		/* the reason: the last line that is not a statistic; the
		 * source: the last "; ..." line the verifier printed before it */
		char *copy = strdup(o->verifier_log), *save, *line;
		for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			if (!strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
			    !strncmp(line, "stack depth", 11) || !line[0])
				continue;
			if (line[0] == ';') {
				snprintf(where, sizeof(where), "%s", line + 1 + (line[1] == ' '));
				continue;
			}
			snprintf(reason, sizeof(reason), "%s", line);
		}
		free(copy);
	} else {
		/* "prog 'NAME': BPF program load failed: ..." or a map error */
		p = strstr(log, "prog '");
		if (p)
			sscanf(p, "prog '%127[^']'", prog_name);
		libbpf_reason(reason, sizeof(reason));
	}
	if (prog_name[0])
		prog = bpf_object__find_program_by_name(o->obj, prog_name);
	if (prog && is_trampoline(prog) && (err == -EPERM || err == -ENOTSUPP || err == -EOPNOTSUPP ||
					    err == -EINVAL || err == -ESRCH) && geteuid() == 0) {
		pr_err("prog '%s': the kernel refused %s (%s): BPF trampolines (fentry/fexit/fmod_ret/"
		       "lsm/freplace) do not work on this kernel; use tp_btf/ or a tracepoint "
		       "(tp/CATEGORY/NAME) instead",
		       prog_name, bpf_program__section_name(prog), strerror(-err));
		return;
	}
	if (prog && o->verifier_log) {
		/* trim the " @ file:line" the verifier adds to source lines */
		char *at = strstr(where, " @ ");
		char loc[256] = "";
		if (at) {
			snprintf(loc, sizeof(loc), "%s", at + 3);
			*at = 0;
		}
		if (where[0])
			pr_err("prog '%s': verifier rejected it: %s (at %s%s%s)%s", prog_name, reason,
			       loc[0] ? loc : "", loc[0] ? ": " : "", where,
			       o->full_log ? "" : "; --full-log shows the whole log");
		else
			pr_err("prog '%s': verifier rejected it: %s%s", prog_name, reason,
			       o->full_log ? "" : "; --full-log shows the whole log");
		return;
	}
	if (err == -EPERM && geteuid() != 0)
		pr_err("%s: cannot load: %s (bee needs root, or CAP_BPF + CAP_PERFMON)", o->name,
		       strerror(-err));
	else if (prog_name[0])
		pr_err("prog '%s': cannot load: %s%s%s", prog_name, strerror(-err),
		       reason[0] ? ": " : "", reason);
	else
		pr_err("%s: cannot load: %s%s%s", o->name, strerror(-err), reason[0] ? ": " : "",
		       reason);
}

static void map_globals(struct bee_obj *o)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, o->obj) {
		size_t sz = bpf_map__value_size(map);
		void *mem;

		if (!bpf_map__is_internal(map) || !(bpf_map__map_flags(map) & BPF_F_MMAPABLE) ||
		    o->data_cnt == (int)ARRAY_SIZE(o->data))
			continue;
		sz = (sz + 4095) & ~4095UL;
		mem = mmap(NULL, sz, PROT_READ, MAP_SHARED, bpf_map__fd(map), 0);
		if (mem == MAP_FAILED)
			continue;
		o->data[o->data_cnt].map = map;
		o->data[o->data_cnt].mem = mem;
		o->data[o->data_cnt].sz = bpf_map__value_size(map);
		o->data_cnt++;
	}
}

int bee_obj__load(struct bee_obj *o)
{
	int err;

	bee_libbpf_log_capture(1);
	err = bpf_object__load(o->obj);
	bee_libbpf_log_capture(0);
	if (err)
		explain_load_failure(o, err);
	else
		map_globals(o);
	return err;
}

const void *bee_obj__global_data(const struct bee_obj *o, const struct bpf_map *map, size_t *sz)
{
	for (int i = 0; i < o->data_cnt; i++) {
		if (o->data[i].map == map) {
			*sz = o->data[i].sz;
			return o->data[i].mem;
		}
	}
	return NULL;
}

const char *bee_obj__verifier_log(const struct bee_obj *o)
{
	return o->verifier_log;
}

/* ---- attaching ---- */

static int add_link(struct bee_obj *o, struct bee_link *l)
{
	if (o->link_cnt == o->link_cap) {
		size_t cap = o->link_cap ? o->link_cap * 2 : 8;
		struct bee_link **n = realloc(o->links, cap * sizeof(*n));
		if (!n) {
			bee_link__destroy(l);
			return -ENOMEM;
		}
		o->links = n;
		o->link_cap = cap;
	}
	o->links[o->link_cnt++] = l;
	return 0;
}

static struct bpf_program *find_prog(struct bee_obj *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o->obj, name);

	if (!p)
		pr_err("%s: no program '%s'", o->name, name);
	return p;
}

static bool kernel_has_kprobes(void)
{
	char path[256];
	const char *tfs;

	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return true;
	tfs = bee_tracefs();
	if (!tfs)
		return false;
	snprintf(path, sizeof(path), "%s/kprobe_events", tfs);
	return access(path, F_OK) == 0;
}

/* Tracepoints whose names resemble a kernel function, to suggest. */
static void suggest_tracepoints(const char *func, char *out, size_t sz)
{
	static const char *prefixes[] = { "__x64_sys_", "__arm64_sys_", "__se_sys_", "__do_sys_",
					  "ksys_", "sys_", "do_", "__" };
	const char *stem = func, *tfs = bee_tracefs();
	char path[512], line[256];
	size_t len = 0;
	int n = 0;
	FILE *f;

	out[0] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(stem, prefixes[i], strlen(prefixes[i])))
			stem += strlen(prefixes[i]);
	/* "hrtimer_nanosleep" -> "nanosleep" when the whole name matches nothing */
	const char *last = strrchr(stem, '_');
	if (!tfs || strlen(stem) < 3)
		return;
	snprintf(path, sizeof(path), "%s/available_events", tfs);
	f = fopen(path, "re");
	if (!f)
		return;
	while (n < 3 && fgets(line, sizeof(line), f)) {
		char *ev = strchr(line, ':');
		chomp(line);
		if (!ev)
			continue;
		ev++;
		size_t el = strlen(ev), sl = strlen(stem);
		const char *alt = last && strlen(last + 1) >= 5 ? last + 1 : NULL;
		size_t al = alt ? strlen(alt) : 0;
		if (!strcmp(ev, stem) ||
		    (el > sl && !strcmp(ev + el - sl, stem) && ev[el - sl - 1] == '_') ||
		    (alt && el > al && !strcmp(ev + el - al, alt) && ev[el - al - 1] == '_')) {
			*strchr(line, ':') = '/';
			len += snprintf(out + len, sz > len ? sz - len : 0, "%stp/%s\")", n ? " or SEC(\"" : "", line);
			n++;
		}
	}
	fclose(f);
}

static int kprobe_error(const char *prog, const char *func, bool ret)
{
	char sugg[512];

	suggest_tracepoints(func, sugg, sizeof(sugg));
	pr_err("prog '%s': cannot attach %s/%s: this kernel has no kprobes (CONFIG_KPROBES is "
	       "off); use a tracepoint instead%s%s (see 'bee tracepoint list')",
	       prog, ret ? "kretprobe" : "kprobe", func, sugg[0] ? ", e.g. SEC(\"" : "", sugg);
	return -EOPNOTSUPP;
}

struct bee_link *bee_obj__attach_kprobe(struct bee_obj *o, const char *progname, const char *func,
					bool retprobe)
{
	struct bpf_program *prog = find_prog(o, progname);
	struct bpf_link *bl;
	struct bee_link *l;
	char desc[160];
	int err;

	if (!prog)
		return errno = ENOENT, NULL;
	if (!kernel_has_kprobes()) {
		errno = -kprobe_error(progname, func, retprobe);
		return NULL;
	}
	bl = bpf_program__attach_kprobe(prog, retprobe, func);
	if (!bl) {
		err = neg_errno();
		pr_err("prog '%s': cannot attach %s/%s: %s", progname, retprobe ? "kretprobe" : "kprobe",
		       func, strerror(-err));
		errno = -err;
		return NULL;
	}
	snprintf(desc, sizeof(desc), "%s/%s", retprobe ? "kretprobe" : "kprobe", func);
	l = bee_link__from_bpf(bl, desc);
	if (!l || add_link(o, l))
		return errno = ENOMEM, NULL;
	return l;
}

struct bee_link *bee_obj__attach_tracepoint(struct bee_obj *o, const char *progname,
					    const char *category, const char *name)
{
	struct bpf_program *prog = find_prog(o, progname);
	struct bpf_link *bl;
	struct bee_link *l;
	char desc[160];
	int err;

	if (!prog)
		return errno = ENOENT, NULL;
	bee_tracefs();
	bl = bpf_program__attach_tracepoint(prog, category, name);
	if (!bl) {
		err = neg_errno();
		pr_err("prog '%s': cannot attach to tracepoint %s:%s: %s", progname, category, name,
		       err == -ENOENT ? "no such tracepoint (see 'bee tracepoint list')" :
					strerror(-err));
		errno = -err;
		return NULL;
	}
	snprintf(desc, sizeof(desc), "tracepoint/%s/%s", category, name);
	l = bee_link__from_bpf(bl, desc);
	if (!l || add_link(o, l))
		return errno = ENOMEM, NULL;
	return l;
}

struct bee_link *bee_obj__attach_raw_tracepoint(struct bee_obj *o, const char *progname,
						const char *name)
{
	struct bpf_program *prog = find_prog(o, progname);
	struct bpf_link *bl;
	struct bee_link *l;
	char desc[160];
	int err;

	if (!prog)
		return errno = ENOENT, NULL;
	bl = bpf_program__attach_raw_tracepoint(prog, name);
	if (!bl) {
		err = neg_errno();
		pr_err("prog '%s': cannot attach to raw tracepoint %s: %s", progname, name,
		       strerror(-err));
		errno = -err;
		return NULL;
	}
	snprintf(desc, sizeof(desc), "raw_tp/%s", name);
	l = bee_link__from_bpf(bl, desc);
	if (!l || add_link(o, l))
		return errno = ENOMEM, NULL;
	return l;
}

struct bee_link *bee_obj__attach_trace(struct bee_obj *o, const char *progname)
{
	struct bpf_program *prog = find_prog(o, progname);
	struct bpf_link *bl;
	struct bee_link *l;
	int err;

	if (!prog)
		return errno = ENOENT, NULL;
	bl = bpf_program__attach_trace(prog);
	if (!bl) {
		err = neg_errno();
		pr_err("prog '%s': cannot attach %s: %s%s", progname, bpf_program__section_name(prog),
		       strerror(-err),
		       err == -EPERM || err == -ENOTSUPP ?
			       " (BPF trampolines do not work on this kernel; use tp_btf/ or a tracepoint)" :
			       "");
		errno = -err;
		return NULL;
	}
	l = bee_link__from_bpf(bl, bpf_program__section_name(prog));
	if (!l || add_link(o, l))
		return errno = ENOMEM, NULL;
	return l;
}

/* "bash" -> /usr/bin/bash through PATH; library names through lib/sym.c. */
static int resolve_binary(const char *name, pid_t pid, char *out, size_t sz)
{
	const char *path;

	if (strchr(name, '/')) {
		if (access(name, R_OK))
			return -errno;
		snprintf(out, sz, "%s", name);
		return 0;
	}
	if (bee_resolve_binary(name, pid, out, sz) == 0)
		return 0;
	if (strstr(name, ".so")) {
		static const char *dirs[] = { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					      "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
					      "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			snprintf(out, sz, "%s/%s", dirs[i], name);
			if (access(out, R_OK) == 0)
				return 0;
		}
		return -ENOENT;
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *e = strchr(path, ':');
		size_t len = e ? (size_t)(e - path) : strlen(path);
		snprintf(out, sz, "%.*s/%s", (int)len, path, name);
		if (access(out, X_OK) == 0)
			return 0;
		path += len + (e ? 1 : 0);
	}
	return -ENOENT;
}

struct bee_link *bee_obj__attach_uprobe(struct bee_obj *o, const char *progname, const char *binary,
					const char *sym, pid_t pid, bool retprobe)
{
	struct bpf_program *prog = find_prog(o, progname);
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .retprobe = retprobe);
	char path[PATH_MAX], func[256] = "", desc[160];
	unsigned long off = 0;
	struct bpf_link *bl;
	struct bee_link *l;
	int err;

	if (!prog)
		return errno = ENOENT, NULL;
	err = resolve_binary(binary, pid, path, sizeof(path));
	if (err) {
		pr_err("prog '%s': cannot find binary or library '%s': %s", progname, binary,
		       strerror(-err));
		errno = -err;
		return NULL;
	}
	/* "name", "name+0x10" or "0xADDR" to a file offset, with one clear
	 * error for a missing or ambiguous symbol (lib/sym.c) */
	uint64_t foff;
	err = bee_resolve_uprobe(path, sym, &foff);
	if (err) {
		char why[512];
		snprintf(why, sizeof(why), "%s", bee_last_error());
		if (err == -ENOENT && !(sym[0] == '0' && sym[1] == 'x'))
			pr_err("prog '%s': no symbol '%.*s' in %s", progname,
			       (int)strcspn(sym, "+"), sym, path);
		else
			pr_err("prog '%s': %s", progname, why);
		errno = -err;
		return NULL;
	}
	off = foff;
	(void)func;
	bl = bpf_program__attach_uprobe_opts(prog, pid > 0 ? pid : -1, path, off, &uo);
	if (!bl) {
		err = neg_errno();
		pr_err("prog '%s': cannot attach %s to %s:%s: %s", progname,
		       retprobe ? "uretprobe" : "uprobe", path, sym, strerror(-err));
		errno = -err;
		return NULL;
	}
	snprintf(desc, sizeof(desc), "%s/%s:%s", retprobe ? "uretprobe" : "uprobe", path, sym);
	l = bee_link__from_bpf(bl, desc);
	if (!l || add_link(o, l))
		return errno = ENOMEM, NULL;
	return l;
}

static int online_cpus(bool *cpus, int max)
{
	char *buf;
	int n = 0, err;

	err = bee_read_file("/sys/devices/system/cpu/online", &buf, NULL);
	if (err)
		return err;
	for (char *p = buf; *p && *p != '\n';) {
		char *e;
		long a = strtol(p, &e, 10), b = a;
		if (*e == '-')
			b = strtol(e + 1, &e, 10);
		for (long c = a; c <= b && c < max; c++, n++)
			cpus[c] = true;
		p = *e == ',' ? e + 1 : e;
		if (e == p && *p != ',')
			break;
	}
	free(buf);
	return n;
}

#include <linux/perf_event.h>
#include <sys/syscall.h>

int bee_obj__attach_perf_event(struct bee_obj *o, const char *progname, unsigned freq, pid_t pid)
{
	struct bpf_program *prog = find_prog(o, progname);
	bool cpus[1024] = {};
	int n, cnt = 0, err = 0;
	size_t first = o->link_cnt;

	if (!prog)
		return -ENOENT;
	n = online_cpus(cpus, 1024);
	if (n < 0)
		return n;
	for (int cpu = 0; cpu < 1024; cpu++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.size = sizeof(attr),
			.freq = 1,
			.sample_freq = freq ? freq : 49,
		};
		struct bpf_link *bl;
		struct bee_link *l;
		char desc[64];
		int fd;

		if (pid > 0 && cpu > 0)
			break;
		if (pid <= 0 && !cpus[cpu])
			continue;
		fd = syscall(__NR_perf_event_open, &attr, pid > 0 ? pid : -1, pid > 0 ? -1 : cpu, -1,
			     PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			pr_err("prog '%s': cannot open a perf event on cpu %d: %s", progname, cpu,
			       strerror(errno));
			goto err_undo;
		}
		bl = bpf_program__attach_perf_event(prog, fd);
		if (!bl) {
			err = neg_errno();
			close(fd);
			pr_err("prog '%s': cannot attach to the perf event on cpu %d: %s", progname,
			       cpu, strerror(-err));
			goto err_undo;
		}
		snprintf(desc, sizeof(desc), "perf_event/cpu%d/%lluHz", cpu, (unsigned long long)attr.sample_freq);
		l = bee_link__from_bpf(bl, desc);
		if (!l || add_link(o, l)) {
			err = -ENOMEM;
			goto err_undo;
		}
		cnt++;
	}
	return cnt;

err_undo:
	while (o->link_cnt > first)
		bee_link__destroy(o->links[--o->link_cnt]);
	return err;
}

/* "uprobe/BINARY:SYMBOL[+OFF]" (BINARY may itself contain '/'). */
static int attach_uprobe_sec(struct bee_obj *o, struct bpf_program *prog, const char *sec)
{
	bool ret = !strncmp(sec, "uretprobe", 9);
	const char *target = strchr(sec, '/'), *colon;
	char bin[PATH_MAX];

	if (!target || !(colon = strrchr(target, ':')) || colon == target + 1) {
		pr_warn("prog '%s' (%s) not attached: give its target as SEC(\"%s/BINARY:SYMBOL\")",
			bpf_program__name(prog), sec, ret ? "uretprobe" : "uprobe");
		return 0;
	}
	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - target - 1), target + 1);
	return bee_obj__attach_uprobe(o, bpf_program__name(prog), bin, colon + 1, o->pid, ret) ?
		       1 :
		       -errno;
}

static int attach_one(struct bee_obj *o, struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog), *name = bpf_program__name(prog);
	struct bee_link *l = NULL;
	struct bpf_link *bl;
	int err;

	{
		err = bee_attach_net_prog(prog, o->dev, o->xdp_mode, o->cgroup, &l);
		if (err == 1)
			return add_link(o, l) ?: 1;
		if (err == -ENODEV) {
			pr_warn("prog '%s' (%s) not attached: it needs %s", name, sec,
				bpf_program__type(prog) == BPF_PROG_TYPE_XDP ||
						bpf_program__type(prog) == BPF_PROG_TYPE_SCHED_CLS ?
					"a device (--dev IF)" :
					"a cgroup (--cgroup PATH)");
			return 0;
		}
		if (err < 0)
			return err;
	}
	if (!strncmp(sec, "kprobe/", 7) || !strncmp(sec, "kretprobe/", 10)) {
		bool ret = sec[1] == 'r';
		return bee_obj__attach_kprobe(o, name, strchr(sec, '/') + 1, ret) ? 1 : -errno;
	}
	if (!strncmp(sec, "ksyscall/", 9) || !strncmp(sec, "kretsyscall/", 12)) {
		if (!kernel_has_kprobes())
			return kprobe_error(name, strchr(sec, '/') + 1, sec[1] == 'r');
	}
	if (!strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9)) {
		if (strchr(sec, '/'))
			return attach_uprobe_sec(o, prog, sec);
		pr_warn("prog '%s' (%s) not attached: give its target as SEC(\"%s/BINARY:SYMBOL\")",
			name, sec, sec);
		return 0;
	}
	if (!strcmp(sec, "perf_event")) {
		err = bee_obj__attach_perf_event(o, name, o->perf_freq, o->pid);
		return err < 0 ? err : 1;
	}
	if (!strncmp(sec, "tp/", 3) || !strncmp(sec, "tracepoint/", 11)) {
		const char *cat = strchr(sec, '/') + 1, *slash = strchr(cat, '/');
		char c[128];
		if (slash) {
			snprintf(c, sizeof(c), "%.*s", (int)(slash - cat), cat);
			return bee_obj__attach_tracepoint(o, name, c, slash + 1) ? 1 : -errno;
		}
	}
	if (!strncmp(sec, "raw_tp/", 7) || !strncmp(sec, "raw_tracepoint/", 15))
		return bee_obj__attach_raw_tracepoint(o, name, strchr(sec, '/') + 1) ? 1 : -errno;
	if (is_trampoline(prog) || !strncmp(sec, "tp_btf/", 7))
		return bee_obj__attach_trace(o, name) ? 1 : -errno;

	bee_libbpf_log_capture(1);
	bl = bpf_program__attach(prog);
	bee_libbpf_log_capture(0);
	if (!bl) {
		err = neg_errno();
		if (err == -EOPNOTSUPP || err == -ESRCH) {
			pr_warn("prog '%s' (%s) not attached: its section names no attach point", name,
				sec);
			return 0;
		}
		pr_err("prog '%s': cannot attach %s: %s", name, sec, strerror(-err));
		return err;
	}
	l = bee_link__from_bpf(bl, sec);
	if (!l)
		return -ENOMEM;
	return add_link(o, l) ?: 1;
}

int bee_obj__attach(struct bee_obj *o)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, o->obj) {
		if (!bpf_program__autoload(prog) || !bpf_program__autoattach(prog))
			continue;
		err = attach_one(o, prog);
		if (err < 0) {
			bee_obj__detach(o);
			return err;
		}
	}
	return 0;
}

void bee_obj__detach(struct bee_obj *o)
{
	if (!o)
		return;
	/* newest first, the reverse of attaching */
	while (o->link_cnt)
		bee_link__destroy(o->links[--o->link_cnt]);
}

void bee_obj__detach_link(struct bee_obj *o, struct bee_link *l)
{
	for (size_t i = 0; i < o->link_cnt; i++) {
		if (o->links[i] == l) {
			memmove(&o->links[i], &o->links[i + 1], (o->link_cnt - i - 1) * sizeof(l));
			o->link_cnt--;
			return;
		}
	}
}

void bee_obj__close(struct bee_obj *o)
{
	if (!o)
		return;
	bee_obj__detach(o);
	for (int i = 0; i < o->data_cnt; i++)
		munmap(o->data[i].mem, (o->data[i].sz + 4095) & ~4095UL);
	free(o->links);
	bpf_object__close(o->obj);
	free(o->name);
	free(o->obj_path);
	free(o->dev);
	free(o->xdp_mode);
	free(o->cgroup);
	free(o->verifier_log);
	free(o);
}

/* ---- accessors ---- */

struct bpf_object *bee_obj__bpf_object(const struct bee_obj *o)
{
	return o->obj;
}

const char *bee_obj__name(const struct bee_obj *o)
{
	return o->name;
}

const char *bee_obj__path(const struct bee_obj *o)
{
	return o->obj_path;
}

struct bpf_program *bee_obj__prog(const struct bee_obj *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o->obj, name);
	if (!p)
		errno = ENOENT;
	return p;
}

struct bpf_map *bee_obj__map(const struct bee_obj *o, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o->obj, name);
	if (!m)
		errno = ENOENT;
	return m;
}

int bee_obj__prog_fd(const struct bee_obj *o, const char *name)
{
	struct bpf_program *p = bee_obj__prog(o, name);
	return p ? bpf_program__fd(p) : -ENOENT;
}

int bee_obj__map_fd(const struct bee_obj *o, const char *name)
{
	struct bpf_map *m = bee_obj__map(o, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}

const struct btf *bee_obj__btf(const struct bee_obj *o)
{
	return bpf_object__btf(o->obj);
}

size_t bee_obj__link_cnt(const struct bee_obj *o)
{
	return o->link_cnt;
}

struct bee_link *bee_obj__link(const struct bee_obj *o, size_t i)
{
	return i < o->link_cnt ? o->links[i] : NULL;
}

void bee_obj__set_perf_freq(struct bee_obj *o, unsigned freq)
{
	o->perf_freq = freq;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
	return v && !*dst ? -ENOMEM : 0;
}

int bee_obj__set_target_dev(struct bee_obj *o, const char *ifname, const char *mode)
{
	return set_str(&o->dev, ifname) ?: set_str(&o->xdp_mode, mode);
}

int bee_obj__set_target_cgroup(struct bee_obj *o, const char *path)
{
	return set_str(&o->cgroup, path);
}

void bee_obj__set_target_pid(struct bee_obj *o, pid_t pid)
{
	o->pid = pid;
}
