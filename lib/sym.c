// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Symbols: the kernel's (/proc/kallsyms, BPF programs included) and any
 * process's (every executable mapping in /proc/PID/maps, resolved through
 * the ELF .symtab/.dynsym of the mapped file and of its separate debug file).
 *
 * Parsed binaries live in one process-wide cache keyed by device, inode and
 * build-id (or size and mtime, which spare reading the ELF headers of a
 * file seen before), so a long profile (or many processes sharing libc) reads each
 * file once. Lookups are binary searches over sorted arrays: the mapping of
 * a process, then the function of that binary.
 */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include <elfutils/libdw.h>

#include "internal.h"

/* ---- kernel symbols ---------------------------------------------------- */

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module; /* NULL for vmlinux, "bpf" for BPF programs */
};

struct bee_ksyms {
	char *text; /* the whole of /proc/kallsyms; names point into it */
	struct ksym *syms;
	size_t cnt;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* vmlinux before modules, then by name: a stable order for aliases */
	if (!x->module != !y->module)
		return x->module ? 1 : -1;
	return strcmp(x->name, y->name);
}

static inline int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void bee_ksyms__free(struct bee_ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->text);
	free(ks);
}

struct bee_ksyms *bee_ksyms__new(void)
{
	struct bee_ksyms *ks;
	size_t cap = 0, len;
	char *p, *end;
	int err;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return errno = ENOMEM, NULL;
	err = bee_read_file("/proc/kallsyms", &ks->text, &len);
	if (err) {
		pr_err("kallsyms: cannot read /proc/kallsyms: %s", strerror(-err));
		goto err_free;
	}
	/* A hand-written parser: sscanf over 120k lines costs more user time
	 * than a 99 Hz profile may spend in total. */
	p = ks->text;
	end = p + len;
	while (p < end) {
		char *nl = memchr(p, '\n', end - p), *name, *mod = NULL, *q;
		uint64_t addr = 0;
		int v;
		char type;

		if (!nl)
			nl = end;
		*nl = 0;
		for (q = p; (v = hexval(*q)) >= 0; q++)
			addr = addr << 4 | v;
		if (*q != ' ' || !q[1] || q[2] != ' ')
			goto next;
		type = q[1];
		name = q + 3;
		/* text symbols only: stacks hold code addresses */
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			goto next;
		if (!addr)
			goto next; /* kptr_restrict hides addresses */
		q = strchr(name, '\t');
		if (q) {
			*q++ = 0;
			if (*q == '[') {
				mod = q + 1;
				q = strchr(mod, ']');
				if (q)
					*q = 0;
			}
		}
		if (ks->cnt == cap) {
			struct ksym *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(ks->syms, cap * sizeof(*n));
			if (!n) {
				err = -ENOMEM;
				goto err_free;
			}
			ks->syms = n;
		}
		ks->syms[ks->cnt++] = (struct ksym){ addr, name, mod };
next:
		p = nl + 1;
	}
	if (!ks->cnt) {
		err = -ENOENT;
		pr_err("kallsyms: no readable kernel symbols (kernel.kptr_restrict hides them from this user)");
		goto err_free;
	}
	qsort(ks->syms, ks->cnt, sizeof(*ks->syms), ksym_cmp);
	return ks;

err_free:
	bee_ksyms__free(ks);
	errno = -err;
	return NULL;
}

size_t bee_ksyms__cnt(const struct bee_ksyms *ks)
{
	return ks ? ks->cnt : 0;
}

int bee_ksyms__find(const struct bee_ksyms *ks, uint64_t addr, struct bee_sym *sym)
{
	size_t lo = 0, hi, i;

	memset(sym, 0, sizeof(*sym));
	if (!ks || !ks->cnt || addr < ks->syms[0].addr)
		return -ENOENT;
	hi = ks->cnt;
	/* last symbol with start <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	i = lo;
	/* several names at one address: take the first (vmlinux, by name) */
	while (i > 0 && ks->syms[i - 1].addr == ks->syms[i].addr)
		i--;
	sym->name = ks->syms[i].name;
	sym->module = ks->syms[i].module;
	sym->offset = addr - ks->syms[i].addr;
	/* kallsyms has no sizes: a symbol runs to the next one */
	if (lo + 1 < ks->cnt)
		sym->size = ks->syms[lo + 1].addr - ks->syms[i].addr;
	/* past the last symbol of the kernel's text there is nothing to name */
	if (lo + 1 == ks->cnt && sym->offset > 0x100000) {
		memset(sym, 0, sizeof(*sym));
		return -ENOENT;
	}
	return 0;
}

int bee_ksyms__addr(const struct bee_ksyms *ks, const char *name, uint64_t *addr)
{
	for (size_t i = 0; ks && i < ks->cnt; i++) {
		if (strcmp(ks->syms[i].name, name) == 0) {
			*addr = ks->syms[i].addr;
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- binaries: ELF symbols, load segments, debug files -------------------- */

struct usym {
	uint64_t addr;
	uint32_t size;
	uint32_t name; /* offset in bin->strs, | SYM_HIDDEN */
};

/* A non-default symbol version (memcpy@GLIBC_2.2.5 beside memcpy@@GLIBC_2.14):
 * named in stacks, but not what a uprobe on "memcpy" means. */
#define SYM_HIDDEN 0x80000000u
#define SYM_NAME(u) ((u)->name & ~SYM_HIDDEN)

struct load_seg {
	uint64_t vaddr, off, filesz;
};

struct bin {
	struct bin *next;
	dev_t dev;
	ino_t ino;
	off_t fsize;
	struct timespec mtime;
	uint8_t build_id[64];
	size_t build_id_sz;
	char *path;       /* as it was opened first (for messages) */
	char *debug_path; /* separate debug file used, or NULL */
	struct usym *syms;
	size_t cnt;
	char **demangled;   /* per syms[i], filled on first lookup of a C++ name */
	struct usym *alias; /* the other names of addresses in syms */
	size_t alias_cnt;
	char *strs;
	size_t strs_sz, strs_cap;
	struct load_seg *segs;
	size_t seg_cnt;
	int refcnt;
	/* DWARF for file:line, opened on the first line asked for, so that
	 * a cache of many binaries holds no file open */
	char *dw_path;
	bool dw_main; /* dw_path is the binary itself: check it is still it */
	bool dw_tried;
	int dw_fd;
	Elf *dw_elf;
	Dwarf *dw;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bin *cache_head;

static void elf_init_once(void)
{
	elf_version(EV_CURRENT);
}

static void elf_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, elf_init_once);
}

static void bin_free(struct bin *b)
{
	if (!b)
		return;
	if (b->dw)
		dwarf_end(b->dw);
	if (b->dw_elf)
		elf_end(b->dw_elf);
	if (b->dw_path && b->dw_fd >= 0)
		close(b->dw_fd);
	for (size_t i = 0; b->demangled && i < b->cnt; i++)
		if (b->demangled[i] != b->strs + SYM_NAME(&b->syms[i]))
			free(b->demangled[i]);
	free(b->demangled);
	free(b->syms);
	free(b->alias);
	free(b->strs);
	free(b->segs);
	free(b->path);
	free(b->debug_path);
	free(b->dw_path);
	free(b);
}

static int bin_add_str(struct bin *b, const char *s, uint32_t *off)
{
	size_t n = strlen(s) + 1;

	if (b->strs_sz + n > b->strs_cap) {
		size_t cap = b->strs_cap ? b->strs_cap * 2 : 16384;
		char *p;

		while (cap < b->strs_sz + n)
			cap *= 2;
		p = realloc(b->strs, cap);
		if (!p)
			return -ENOMEM;
		b->strs = p;
		b->strs_cap = cap;
	}
	memcpy(b->strs + b->strs_sz, s, n);
	*off = b->strs_sz;
	b->strs_sz += n;
	return 0;
}

/* The build-id note of @e, if any. */
static size_t elf_build_id(Elf *e, uint8_t *out, size_t out_sz)
{
	Elf_Scn *scn = NULL;
	size_t n = 0, phnum;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4) && nh.n_descsz <= out_sz) {
				memcpy(out, (char *)d->d_buf + desc_off, nh.n_descsz);
				return nh.n_descsz;
			}
		}
	}
	/* no section headers (e.g. the vDSO of some kernels): program headers */
	if (elf_getphdrnum(e, &phnum))
		return 0;
	for (size_t i = 0; i < phnum && !n; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(e, ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4) && nh.n_descsz <= out_sz) {
				memcpy(out, (char *)d->d_buf + desc_off, nh.n_descsz);
				n = nh.n_descsz;
				break;
			}
		}
	}
	return n;
}

static bool is_code_sym(const GElf_Sym *s, const uint64_t *sec_flags, size_t sec_cnt)
{
	int type = GELF_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || s->st_shndx >= sec_cnt || !s->st_value)
		return false;
	if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
		return false;
	return sec_flags[s->st_shndx] & SHF_EXECINSTR;
}

/* Add the function symbols of every .symtab/.dynsym of @e. */
static int bin_add_syms(struct bin *b, Elf *e)
{
	size_t shnum, cap = b->cnt;
	uint64_t *sec_flags = NULL;
	Elf_Scn *scn = NULL;
	int err = 0;

	if (elf_getshdrnum(e, &shnum))
		return 0;
	sec_flags = calloc(shnum ? shnum : 1, sizeof(*sec_flags));
	if (!sec_flags)
		return -ENOMEM;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh))
			sec_flags[elf_ndxscn(scn)] = sh.sh_flags;
	}
	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d, *ver = NULL;
		Elf_Scn *vs = NULL;
		GElf_Shdr sh;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		if (!sh.sh_entsize || sh.sh_type == SHT_NOBITS)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		while (sh.sh_type == SHT_DYNSYM && (vs = elf_nextscn(e, vs))) {
			GElf_Shdr vh;

			if (gelf_getshdr(vs, &vh) && vh.sh_type == SHT_GNU_versym &&
			    vh.sh_link == elf_ndxscn(scn)) {
				ver = elf_getdata(vs, NULL);
				break;
			}
		}
		for (size_t i = 1; i < n; i++) {
			GElf_Versym vsym = 0;
			GElf_Sym s;
			const char *name, *at;
			char plain[256];
			struct usym *u;

			if (!gelf_getsym(d, i, &s) || !is_code_sym(&s, sec_flags, shnum))
				continue;
			name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !name[0] || name[0] == '$')
				continue;
			/* .symtab spells the default version out too: "f@@V2" is f */
			at = strchr(name, '@');
			if (at && at[1] == '@' && (size_t)(at - name) < sizeof(plain)) {
				memcpy(plain, name, at - name);
				plain[at - name] = 0;
				name = plain;
			}
			if (b->cnt == cap) {
				cap = cap ? cap * 2 : 1024;
				u = realloc(b->syms, cap * sizeof(*u));
				if (!u) {
					err = -ENOMEM;
					goto out;
				}
				b->syms = u;
			}
			u = &b->syms[b->cnt];
			u->addr = s.st_value;
			u->size = s.st_size > UINT32_MAX ? UINT32_MAX : s.st_size;
			err = bin_add_str(b, name, &u->name);
			if (err)
				goto out;
			if (ver && gelf_getversym(ver, i, &vsym) && (vsym & 0x8000))
				u->name |= SYM_HIDDEN;
			/* .symtab spells old versions out: "memcpy@GLIBC_2.2.5" */
			if (at && name != plain)
				u->name |= SYM_HIDDEN;
			b->cnt++;
		}
	}
out:
	free(sec_flags);
	return err;
}

static int usym_cmp(const void *a, const void *b)
{
	const struct usym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* sized symbols first, then the largest */
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return 0;
}

/* Sort, and keep one name per address (aliases like getpid/__getpid: the
 * one with the fewest leading underscores, which is what people call). */
static int bin_sort(struct bin *b)
{
	size_t o = 0, a = 0;

	if (!b->cnt)
		return 0;
	qsort(b->syms, b->cnt, sizeof(*b->syms), usym_cmp);
	b->alias = malloc(b->cnt * sizeof(*b->alias));
	if (!b->alias)
		return -ENOMEM;
	for (size_t i = 0; i < b->cnt; i++) {
		if (o && b->syms[o - 1].addr == b->syms[i].addr) {
			struct usym *k = &b->syms[o - 1], c = b->syms[i];
			const char *kn = b->strs + SYM_NAME(k), *cn = b->strs + SYM_NAME(&c);
			size_t ku = strspn(kn, "_"), cu = strspn(cn, "_");

			if (!strcmp(kn, cn)) {
				/* .symtab and .dynsym both: one entry, the dynsym's
				 * version flag wins */
				k->name |= c.name & SYM_HIDDEN;
				continue;
			}
			if (!k->size && c.size)
				k->size = c.size;
			if (cu < ku || (cu == ku && strcmp(cn, kn) < 0)) {
				uint32_t t = k->name;

				k->name = c.name;
				c.name = t;
			}
			c.size = k->size;
			b->alias[a++] = c;
			continue;
		}
		b->syms[o++] = b->syms[i];
	}
	b->cnt = o;
	b->alias_cnt = a;
	/* symbols without a size (assembly labels) run to the next one */
	for (size_t i = 0; i + 1 < b->cnt; i++)
		if (!b->syms[i].size && b->syms[i + 1].addr - b->syms[i].addr <= UINT32_MAX)
			b->syms[i].size = b->syms[i + 1].addr - b->syms[i].addr;
	return 0;
}

static int bin_add_segs(struct bin *b, Elf *e)
{
	size_t phnum;

	if (elf_getphdrnum(e, &phnum))
		return -EINVAL;
	b->segs = calloc(phnum ? phnum : 1, sizeof(*b->segs));
	if (!b->segs)
		return -ENOMEM;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		b->segs[b->seg_cnt++] = (struct load_seg){ ph.p_vaddr, ph.p_offset, ph.p_filesz };
	}
	return 0;
}

static const char *default_debug_dir(void)
{
	return "/usr/lib/debug";
}

/* Is @path a debug file for @b: the same build-id, or the debuglink CRC? */
static Elf *open_debug_candidate(struct bin *b, const char *path, uint32_t crc, bool check_crc,
				 int *fdp)
{
	uint8_t id[64];
	size_t id_sz;
	Elf *e;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (check_crc) {
		uint32_t c = crc32(0, NULL, 0);
		unsigned char buf[65536];
		ssize_t n;

		while ((n = read(fd, buf, sizeof(buf))) > 0)
			c = crc32(c, buf, n);
		if (n < 0 || c != crc) {
			pr_debug("sym: %s: debuglink CRC mismatch, ignored", path);
			goto err_close;
		}
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF)
		goto err_end;
	if (b->build_id_sz) {
		id_sz = elf_build_id(e, id, sizeof(id));
		if (id_sz && (id_sz != b->build_id_sz || memcmp(id, b->build_id, id_sz))) {
			pr_debug("sym: %s: build-id differs from %s, ignored", path, b->path);
			goto err_end;
		}
	}
	*fdp = fd;
	return e;

err_end:
	if (e)
		elf_end(e);
err_close:
	close(fd);
	return NULL;
}

/* Find the separate debug file: by build-id under @ddir/.build-id, then
 * by .gnu_debuglink next to the binary, in its .debug/, and under @ddir. */
static Elf *find_debug_file(struct bin *b, Elf *e, const char *real_path, const char *ddir,
			    int *fdp)
{
	char path[PATH_MAX], dir[PATH_MAX];
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *d;

	if (b->build_id_sz > 1) {
		int n = snprintf(path, sizeof(path), "%s/.build-id/%02x/", ddir, b->build_id[0]);

		for (size_t i = 1; i < b->build_id_sz && n < (int)sizeof(path) - 8; i++)
			n += snprintf(path + n, sizeof(path) - n, "%02x", b->build_id[i]);
		snprintf(path + n, sizeof(path) - n, ".debug");
		d = open_debug_candidate(b, path, 0, false, fdp);
		if (d)
			goto found;
	}
	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name, *link;
		Elf_Data *data;
		uint32_t crc;
		size_t ln;
		char *slash;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".gnu_debuglink"))
			continue;
		data = elf_getdata(scn, NULL);
		/* a NOBITS section has a size but no data */
		if (!data || !data->d_buf || data->d_size < 8)
			return NULL;
		link = data->d_buf;
		ln = strnlen(link, data->d_size);
		/* the name, its NUL, padding to 4, then the 4-byte CRC */
		if (((ln + 4) & ~(size_t)3) + 4 > data->d_size || strchr(link, '/'))
			return NULL;
		memcpy(&crc, (char *)data->d_buf + ((ln + 4) & ~(size_t)3), 4);
		snprintf(dir, sizeof(dir), "%s", real_path);
		slash = strrchr(dir, '/');
		if (slash)
			slash[1] = 0;
		else
			dir[0] = 0;
		snprintf(path, sizeof(path), "%s%s", dir, link);
		if (strcmp(path, real_path) && (d = open_debug_candidate(b, path, crc, true, fdp)))
			goto found;
		snprintf(path, sizeof(path), "%s.debug/%s", dir, link);
		if ((d = open_debug_candidate(b, path, crc, true, fdp)))
			goto found;
		snprintf(path, sizeof(path), "%s%s%s", ddir, dir, link);
		if ((d = open_debug_candidate(b, path, crc, true, fdp)))
			goto found;
		return NULL;
	}
	return NULL;

found:
	b->debug_path = strdup(path);
	return d;
}

/* Does @e carry DWARF line information? */
static bool elf_has_dwarf(Elf *e)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e, &shstrndx))
		return false;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

/* Parse @fd (already identified by @st and its build-id) into a new bin. */
static struct bin *bin_load(int fd, Elf *e, const struct stat *st, const uint8_t *id,
			    size_t id_sz, const char *path, const char *ddir)
{
	struct bin *b;
	Elf *d = NULL;
	int dfd = -1, err;

	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->dw_fd = -1;
	b->dev = st->st_dev;
	b->ino = st->st_ino;
	b->fsize = st->st_size;
	b->mtime = st->st_mtim;
	memcpy(b->build_id, id, id_sz);
	b->build_id_sz = id_sz;
	b->path = strdup(path);
	err = bin_add_segs(b, e);
	if (err)
		goto err_free;
	err = bin_add_syms(b, e);
	if (err)
		goto err_free;
	d = find_debug_file(b, e, path, ddir, &dfd);
	if (d) {
		err = bin_add_syms(b, d);
		if (err)
			goto err_free;
	}
	err = bin_sort(b);
	if (err)
		goto err_free;
	/* where DWARF is: the debug file, or the binary itself */
	if (d && elf_has_dwarf(d)) {
		b->dw_path = strdup(b->debug_path);
	} else if (elf_has_dwarf(e)) {
		b->dw_path = strdup(path);
		b->dw_main = true;
	}
	b->dw_tried = !b->dw_path;
	if (d)
		elf_end(d);
	if (dfd >= 0)
		close(dfd);
	pr_debug("sym: %s: %zu functions%s%s", path, b->cnt, b->debug_path ? ", debug file " : "",
		 b->debug_path ? b->debug_path : "");
	return b;

err_free:
	if (d)
		elf_end(d);
	if (dfd >= 0)
		close(dfd);
	bin_free(b);
	errno = -err;
	return NULL;
}

/* The cached bin for the file open at @fd, loading it on first use. The
 * caller holds a reference afterwards (bin_put). */
static bool same_stat(const struct bin *b, const struct stat *st)
{
	return b->dev == st->st_dev && b->ino == st->st_ino && b->fsize == st->st_size &&
	       b->mtime.tv_sec == st->st_mtim.tv_sec && b->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

static struct bin *cache_hold(struct bin *b)
{
	if (b)
		b->refcnt++;
	return b;
}

static struct bin *bin_get(int fd, const char *path, const char *ddir)
{
	uint8_t id[64];
	size_t id_sz;
	struct stat st;
	struct bin *b;
	Elf *e;

	if (fstat(fd, &st))
		return NULL;
	/* the fast path, taken for every mapping of every new process: the
	 * same inode, size and mtime (to the nanosecond) is the same file,
	 * and needs no ELF parsing to tell */
	pthread_mutex_lock(&cache_lock);
	for (b = cache_head; b && !same_stat(b, &st); b = b->next)
		;
	cache_hold(b);
	pthread_mutex_unlock(&cache_lock);
	if (b)
		return b;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		errno = ENOEXEC;
		return NULL;
	}
	id_sz = elf_build_id(e, id, sizeof(id));
	pthread_mutex_lock(&cache_lock);
	/* the same inode with the same build-id (touched, not rebuilt) */
	for (b = cache_head; b; b = b->next)
		if (id_sz && b->dev == st.st_dev && b->ino == st.st_ino && b->build_id_sz == id_sz &&
		    !memcmp(b->build_id, id, id_sz))
			break;
	if (!b) {
		b = bin_load(fd, e, &st, id, id_sz, path, ddir);
		if (b) {
			b->next = cache_head;
			cache_head = b;
		}
	}
	cache_hold(b);
	pthread_mutex_unlock(&cache_lock);
	elf_end(e);
	return b;
}

static void bin_put(struct bin *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&cache_lock);
	b->refcnt--;
	pthread_mutex_unlock(&cache_lock);
}

void bee_symcache__flush(void)
{
	struct bin **pp, *b;

	pthread_mutex_lock(&cache_lock);
	for (pp = &cache_head; (b = *pp);) {
		if (b->refcnt > 0) {
			pp = &b->next;
			continue;
		}
		*pp = b->next;
		bin_free(b);
	}
	pthread_mutex_unlock(&cache_lock);
}

/* The function at ELF virtual address @vaddr, or NULL. */
/* C++ names: libstdc++'s demangler when the system has it, found at run
 * time so that bee itself needs no C++ runtime. */
typedef char *(*cxa_demangle_fn)(const char *mangled, char *buf, size_t *len, int *status);
static cxa_demangle_fn cxa_demangle;

static void demangler_init(void)
{
	void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);

	if (h)
		cxa_demangle = (cxa_demangle_fn)dlsym(h, "__cxa_demangle");
}

/* The demangled name of b->syms[i] (or its own name), kept in @b. */
static const char *bin_demangle(struct bin *b, size_t i)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const char *raw = b->strs + SYM_NAME(&b->syms[i]);
	char *d;
	int st = -1;

	pthread_mutex_lock(&cache_lock);
	if (!b->demangled)
		b->demangled = calloc(b->cnt, sizeof(*b->demangled));
	if (!b->demangled || b->demangled[i]) {
		d = b->demangled ? b->demangled[i] : (char *)raw;
		goto out;
	}
	pthread_once(&once, demangler_init);
	d = cxa_demangle ? cxa_demangle(raw, NULL, NULL, &st) : NULL;
	if (st || !d) {
		free(d);
		d = (char *)raw;
	}
	b->demangled[i] = d;
out:
	pthread_mutex_unlock(&cache_lock);
	return d;
}

static const struct usym *bin_find(const struct bin *b, uint64_t vaddr)
{
	size_t lo = 0, hi = b->cnt;

	if (!b->cnt || vaddr < b->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) >> 1;

		if (b->syms[mid].addr <= vaddr)
			lo = mid;
		else
			hi = mid;
	}
	if (vaddr - b->syms[lo].addr < b->syms[lo].size)
		return &b->syms[lo];
	/* a small function nested in a larger one's range (rare): look back */
	for (size_t i = lo, k = 0; i-- > 0 && k < 4; k++)
		if (vaddr - b->syms[i].addr < b->syms[i].size)
			return &b->syms[i];
	return NULL;
}

/* file:line of @vaddr through libdw. Called with the cache lock held. */
static void bin_line(struct bin *b, uint64_t vaddr, const char **file, int *line)
{
	Dwarf_Die cu;
	Dwarf_Line *l;

	if (!b->dw_tried) {
		struct stat st;

		b->dw_tried = true;
		b->dw_fd = open(b->dw_path, O_RDONLY | O_CLOEXEC);
		if (b->dw_fd < 0 || (b->dw_main && (fstat(b->dw_fd, &st) || st.st_ino != b->ino ||
						    st.st_dev != b->dev))) {
			pr_debug("sym: %s: DWARF file gone or replaced", b->dw_path);
			return;
		}
		b->dw_elf = elf_begin(b->dw_fd, ELF_C_READ_MMAP, NULL);
		b->dw = b->dw_elf ? dwarf_begin_elf(b->dw_elf, DWARF_C_READ, NULL) : NULL;
		if (!b->dw)
			pr_debug("sym: %s: no usable DWARF: %s", b->dw_path, dwarf_errmsg(-1));
	}
	if (!b->dw || !dwarf_addrdie(b->dw, vaddr, &cu))
		return;
	l = dwarf_getsrc_die(&cu, vaddr);
	if (!l)
		return;
	*file = dwarf_linesrc(l, NULL, NULL);
	if (*file && dwarf_lineno(l, line))
		*line = 0;
}

/* ---- processes ------------------------------------------------------------ */

enum map_kind { UMAP_FILE, UMAP_VDSO, UMAP_ANON };

struct umap {
	uint64_t start, end, off;
	dev_t dev;
	ino_t ino;
	enum map_kind kind;
	bool deleted;
	bool tried;        /* bin looked up (maybe failed) */
	struct bin *bin;
	uint64_t delta;    /* ELF vaddr = addr + delta */
	char *path;        /* as /proc/PID/maps shows it, without " (deleted)" */
};

struct bee_syms {
	pid_t pid;
	struct umap *maps;
	size_t cnt;
	size_t last; /* the mapping of the previous lookup: stacks are local */
	bool lines;
	bool mangled;
	char *debug_dir;
	/* JIT-compiled code (node, java with perf-map-agent, ...) named in
	 * /tmp/perf-PID.map: parsed on the first lookup in anonymous code */
	struct bin *perfmap;
	bool perfmap_tried;
	double read_at; /* when maps were last read (monotonic seconds) */
};

/* A miss re-reads the maps (dlopen since), at most this often. */
#define MAPS_REFRESH_S 0.05

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void umaps_free(struct umap *maps, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		bin_put(maps[i].bin);
		free(maps[i].path);
	}
	free(maps);
}

static void maps_free(struct bee_syms *s)
{
	umaps_free(s->maps, s->cnt);
	s->maps = NULL;
	s->cnt = 0;
	s->last = 0;
}

/* Read /proc/PID/maps into a new table. On success it replaces the old
 * one, and mappings present in both keep their parsed binary; on failure
 * (the process exited) the old table stays, so its frames still resolve. */
static int maps_read(struct bee_syms *s, bool quiet)
{
	char path[64], *text, *line, *save = NULL;
	struct umap *old = s->maps;
	size_t old_cnt = s->cnt, cap = 0, j = 0;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/maps", s->pid);
	err = bee_read_file(path, &text, NULL);
	if (err) {
		if (quiet)
			return err;
		if (err == -ENOENT)
			pr_err("sym: no process with pid %d", s->pid);
		else
			pr_err("sym: cannot read %s: %s", path, strerror(-err));
		return err;
	}
	s->read_at = mono_s();
	s->maps = NULL;
	s->cnt = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, off, ino;
		unsigned maj, min;
		char perms[8];
		int pos = 0;
		struct umap *m;
		char *name;
		size_t nl;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &maj,
			   &min, &ino, &pos) < 7)
			continue;
		if (perms[2] != 'x')
			continue;
		name = line + pos;
		if (s->cnt == cap) {
			cap = cap ? cap * 2 : 64;
			m = realloc(s->maps, cap * sizeof(*m));
			if (!m) {
				err = -ENOMEM;
				break;
			}
			s->maps = m;
		}
		m = &s->maps[s->cnt];
		memset(m, 0, sizeof(*m));
		m->start = start;
		m->end = end;
		m->off = off;
		m->dev = makedev(maj, min);
		m->ino = ino;
		nl = strlen(name);
		if (nl > 10 && !strcmp(name + nl - 10, " (deleted)")) {
			m->deleted = true;
			name[nl - 10] = 0;
		}
		m->kind = name[0] == '/' ? UMAP_FILE : !strcmp(name, "[vdso]") ? UMAP_VDSO : UMAP_ANON;
		m->path = strdup(name[0] ? name : "[anon]");
		if (!m->path) {
			err = -ENOMEM;
			break;
		}
		s->cnt++;
	}
	free(text);
	if (err) {
		umaps_free(s->maps, s->cnt);
		s->maps = old;
		s->cnt = old_cnt;
		return err;
	}
	/* both tables are sorted by address: carry resolved mappings over */
	for (size_t i = 0; i < s->cnt && j < old_cnt; i++) {
		struct umap *m = &s->maps[i];

		while (j < old_cnt && old[j].start < m->start)
			j++;
		if (j < old_cnt && old[j].start == m->start && old[j].end == m->end &&
		    old[j].off == m->off && old[j].ino == m->ino && old[j].dev == m->dev) {
			m->tried = old[j].tried;
			m->bin = old[j].bin;
			m->delta = old[j].delta;
			old[j].bin = NULL;
		}
	}
	umaps_free(old, old_cnt);
	s->last = 0;
	return 0;
}

void bee_syms__free(struct bee_syms *s)
{
	if (!s)
		return;
	maps_free(s);
	bin_free(s->perfmap);
	free(s->debug_dir);
	free(s);
}

struct bee_syms *bee_syms__new(pid_t pid, const struct bee_syms_opts *opts)
{
	struct bee_syms *s;
	const char *dd = NULL;
	int err;

	elf_init();
	s = calloc(1, sizeof(*s));
	if (!s)
		return errno = ENOMEM, NULL;
	s->pid = pid > 0 ? pid : getpid();
	if (opts && opts->sz > offsetof(struct bee_syms_opts, lines))
		s->lines = opts->lines;
	if (opts && opts->sz > offsetof(struct bee_syms_opts, debug_dir))
		dd = opts->debug_dir;
	if (opts && opts->sz > offsetof(struct bee_syms_opts, mangled))
		s->mangled = opts->mangled;
	s->debug_dir = strdup(dd ? dd : default_debug_dir());
	if (!s->debug_dir) {
		err = -ENOMEM;
		goto err_free;
	}
	err = maps_read(s, false);
	if (err)
		goto err_free;
	return s;

err_free:
	bee_syms__free(s);
	errno = -err;
	return NULL;
}

pid_t bee_syms__pid(const struct bee_syms *s)
{
	return s->pid;
}

void bee_syms__set_lines(struct bee_syms *s, bool lines)
{
	s->lines = lines;
}

int bee_syms__refresh(struct bee_syms *s)
{
	int err = maps_read(s, false);

	/* a JIT may have named more code since */
	bin_free(s->perfmap);
	s->perfmap = NULL;
	s->perfmap_tried = false;
	return err;
}

/* The pid of @pid inside its own pid namespace (the last of NSpid). */
static pid_t ns_pid(pid_t pid)
{
	char path[64], *text, *p;
	pid_t ns = pid;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (bee_read_file(path, &text, NULL))
		return pid;
	p = strstr(text, "\nNSpid:");
	if (p) {
		char *save = NULL;

		p += 7;
		for (char *q = strtok_r(p, " \t\n", &save); q && *q >= '0' && *q <= '9';
		     q = strtok_r(NULL, " \t\n", &save))
			ns = atoi(q);
	}
	free(text);
	return ns;
}

/* /tmp/perf-PID.map: "START SIZE NAME" per line, hex, as perf reads it;
 * a JIT in a container writes it in its own /tmp under its own pid. */
static struct bin *perfmap_load(pid_t pid)
{
	char path[96], *text = NULL, *line, *save = NULL;
	struct bin *b;
	size_t cap = 0;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", pid);
	if (bee_read_file(path, &text, NULL)) {
		snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", pid, ns_pid(pid));
		if (bee_read_file(path, &text, NULL))
			return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		goto out;
	b->path = strdup(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, size;
		int pos = 0;
		struct usym *u;

		if (sscanf(line, "%llx %llx %n", &start, &size, &pos) < 2 || !line[pos])
			continue;
		if (b->cnt == cap) {
			cap = cap ? cap * 2 : 256;
			u = realloc(b->syms, cap * sizeof(*u));
			if (!u)
				break;
			b->syms = u;
		}
		u = &b->syms[b->cnt];
		u->addr = start;
		u->size = size > UINT32_MAX ? UINT32_MAX : size;
		if (bin_add_str(b, line + pos, &u->name))
			break;
		b->cnt++;
	}
	/* a JIT may name one address twice as code is replaced: one name
	 * per address is kept, as for ELF aliases */
	if (bin_sort(b)) {
		bin_free(b);
		b = NULL;
	}
out:
	free(text);
	return b;
}

/* Open the file behind mapping @m: its path (through the process's root,
 * which also serves containers), or /proc/PID/map_files/ when the file was
 * deleted or replaced since it was mapped. */
static bool same_inode(int fd, const struct umap *m)
{
	struct stat st;

	/* overlayfs shows an anonymous device in maps: trust the inode there */
	return !fstat(fd, &st) && st.st_ino == m->ino &&
	       (st.st_dev == m->dev || major(m->dev) == 0);
}

static int map_open(const struct bee_syms *s, const struct umap *m, char *used, size_t used_sz)
{
	int fd;

	if (!m->deleted) {
		/* our own view first: a path that stays valid after the process
		 * exits (DWARF is opened later, on the first line asked for) */
		snprintf(used, used_sz, "%s", m->path);
		fd = open(used, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && same_inode(fd, m))
			return fd;
		if (fd >= 0)
			close(fd);
		/* the process's root: another mount namespace (a container) */
		snprintf(used, used_sz, "/proc/%d/root%s", s->pid, m->path);
		fd = open(used, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && same_inode(fd, m))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	/* deleted, or replaced since it was mapped: the mapped file itself */
	snprintf(used, used_sz, "/proc/%d/map_files/%llx-%llx", s->pid, (unsigned long long)m->start,
		 (unsigned long long)m->end);
	fd = open(used, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		pr_debug("sym: %s: cannot open %s: %s", m->path, used, strerror(errno));
	return fd;
}

/* The vDSO is the same image in every process on this kernel: take ours
 * from memory and parse it once per bee process (the cache keeps it for
 * good: this reference is never dropped). */
static pthread_mutex_t vdso_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bin *vdso_global;
static bool vdso_done;

static struct bin *vdso_load(const char *ddir)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	char tmpl[] = "/tmp/bee-vdso-XXXXXX";
	struct bin *b = NULL;
	size_t size = 0;
	FILE *f;
	char line[256];
	int fd;

	if (!base)
		return NULL;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, e;

		if (sscanf(line, "%lx-%lx", &a, &e) == 2 && a == base) {
			size = e - a;
			break;
		}
	}
	fclose(f);
	if (!size)
		return NULL;
	/* libelf's bin_get path wants a file: a memfd keeps it off disk */
	fd = memfd_create("bee-vdso", MFD_CLOEXEC);
	if (fd < 0) {
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd < 0)
			return NULL;
		unlink(tmpl);
	}
	if (write(fd, (void *)base, size) == (ssize_t)size)
		b = bin_get(fd, "[vdso]", ddir);
	close(fd);
	return b;
}

static struct bin *vdso_bin(struct bee_syms *s)
{
	struct bin *b;

	pthread_mutex_lock(&vdso_lock);
	if (!vdso_done) {
		vdso_global = vdso_load(s->debug_dir);
		vdso_done = true;
	}
	b = vdso_global;
	pthread_mutex_unlock(&vdso_lock);
	return b;
}

/* Set up mapping @m for lookups: find its binary and the load bias. */
static void map_resolve(struct bee_syms *s, struct umap *m)
{
	char used[PATH_MAX];
	struct bin *b = NULL;
	int fd;

	m->tried = true;
	if (m->kind == UMAP_VDSO) {
		b = vdso_bin(s);
		if (!b)
			return;
		pthread_mutex_lock(&cache_lock);
		b->refcnt++;
		pthread_mutex_unlock(&cache_lock);
	} else if (m->kind == UMAP_FILE) {
		fd = map_open(s, m, used, sizeof(used));
		if (fd < 0)
			return;
		b = bin_get(fd, used, s->debug_dir);
		close(fd);
		if (!b)
			return;
	} else {
		return;
	}
	m->bin = b;
	/* the PT_LOAD that maps this file offset gives the bias */
	for (size_t i = 0; i < b->seg_cnt; i++) {
		const struct load_seg *g = &b->segs[i];
		uint64_t page_off = g->off & ~(uint64_t)0xfff;

		if (m->kind == UMAP_VDSO || (m->off >= page_off && m->off < g->off + g->filesz)) {
			m->delta = m->off - g->off + g->vaddr - m->start;
			if (m->kind == UMAP_VDSO)
				m->delta = g->vaddr - g->off - m->start;
			return;
		}
	}
	/* no segment maps it: symbols cannot be placed */
	m->bin = NULL;
	bin_put(b);
}

static struct umap *map_find(struct bee_syms *s, uint64_t addr)
{
	size_t lo = 0, hi = s->cnt;

	if (s->last < s->cnt && addr - s->maps[s->last].start < s->maps[s->last].end - s->maps[s->last].start)
		return &s->maps[s->last];
	while (lo < hi) {
		size_t mid = (lo + hi) >> 1;

		if (addr < s->maps[mid].start)
			hi = mid;
		else if (addr >= s->maps[mid].end)
			lo = mid + 1;
		else {
			s->last = mid;
			return &s->maps[mid];
		}
	}
	return NULL;
}

int bee_syms__find(struct bee_syms *s, uint64_t addr, struct bee_sym *sym)
{
	const struct usym *u;
	struct umap *m;
	uint64_t vaddr;

	memset(sym, 0, sizeof(*sym));
	m = map_find(s, addr);
	if (!m && mono_s() - s->read_at >= MAPS_REFRESH_S && !maps_read(s, true))
		m = map_find(s, addr); /* mapped since (dlopen, JIT) */
	if (!m)
		return -ENOENT;
	sym->module = m->path;
	sym->module_offset = addr - m->start + m->off;
	if (!m->tried)
		map_resolve(s, m);
	/* code with no ELF file behind it: anonymous memory, shared memory
	 * ("/dev/zero (deleted)"), memfds — what JITs use */
	if (!m->bin) {
		if (!s->perfmap_tried) {
			s->perfmap_tried = true;
			s->perfmap = perfmap_load(s->pid);
		}
		u = s->perfmap ? bin_find(s->perfmap, addr) : NULL;
		if (!u)
			return -ENOENT;
		sym->name = s->perfmap->strs + SYM_NAME(u);
		sym->offset = addr - u->addr;
		sym->size = u->size;
		return 0;
	}
	vaddr = addr + m->delta;
	u = bin_find(m->bin, vaddr);
	if (!u)
		return -ENOENT;
	sym->name = m->bin->strs + SYM_NAME(u);
	/* _Z...: an Itanium C++ ABI name (alias entries are never returned) */
	if (!s->mangled && sym->name[0] == '_' && sym->name[1] == 'Z')
		sym->name = bin_demangle(m->bin, u - m->bin->syms);
	sym->offset = vaddr - u->addr;
	sym->size = u->size;
	if (s->lines && m->bin->dw_path) {
		pthread_mutex_lock(&cache_lock);
		bin_line(m->bin, vaddr, &sym->file, &sym->line);
		pthread_mutex_unlock(&cache_lock);
	}
	return 0;
}

int bee_syms__load(struct bee_syms *s)
{
	int n = 0;

	for (size_t i = 0; i < s->cnt; i++) {
		if (!s->maps[i].tried)
			map_resolve(s, &s->maps[i]);
		n += !!s->maps[i].bin;
	}
	return n;
}

int bee_sym__snprint(const struct bee_sym *sym, uint64_t addr, char *buf, size_t sz,
		     unsigned flags)
{
	const char *mod = sym->module, *base;
	int n;

	if (!sym->name) {
		/* nothing known: say where it is, so it can be looked up later */
		if (!mod)
			return snprintf(buf, sz, "[unknown] 0x%llx", (unsigned long long)addr);
		base = strrchr(mod, '/');
		base = base ? base + 1 : mod;
		if (mod[0] == '/')
			return snprintf(buf, sz, "[unknown] (%s+0x%llx)", base,
					(unsigned long long)sym->module_offset);
		return snprintf(buf, sz, "[unknown] (%s)", base);
	}
	if ((flags & BEE_SYM_OFFSET) && sym->offset)
		n = snprintf(buf, sz, "%s+0x%llx", sym->name, (unsigned long long)sym->offset);
	else
		n = snprintf(buf, sz, "%s", sym->name);
	if ((flags & BEE_SYM_LINE) && sym->file && n >= 0 && (size_t)n < sz) {
		base = strrchr(sym->file, '/');
		n += snprintf(buf + n, sz - n, " (%s:%d)", base ? base + 1 : sym->file, sym->line);
	}
	if ((flags & BEE_SYM_MODULE) && mod && n >= 0 && (size_t)n < sz) {
		base = strrchr(mod, '/');
		n += snprintf(buf + n, sz - n, " [%s]", base ? base + 1 : mod);
	}
	return n;
}

/* ---- library names and uprobe targets ------------------------------------- */

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#else
#define MULTIARCH "unknown-linux-gnu"
#endif

/* Does @path hold an ELF file for the machine and class bee runs on? The
 * dynamic linker skips the others (e.g. 32-bit libraries in the cache). */
static bool elf_matches_host(const char *path)
{
	unsigned char h[20];
	bool ok = false;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (read(fd, h, sizeof(h)) == sizeof(h) && !memcmp(h, ELFMAG, SELFMAG)) {
		uint16_t machine;

		memcpy(&machine, h + 18, 2);
		ok = h[EI_CLASS] == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32);
#if defined(__x86_64__)
		ok = ok && machine == EM_X86_64;
#elif defined(__aarch64__)
		ok = ok && machine == EM_AARCH64;
#endif
	}
	close(fd);
	return ok;
}

/* Does soname (a file name) @file match what the user asked for? @want is
 * "libNAME" (prefix match on ".so"), or a full soname. */
static bool soname_matches(const char *file, const char *want, bool exact)
{
	size_t n = strlen(want);

	if (exact)
		return !strcmp(file, want) || (!strncmp(file, want, n) && file[n] == '.');
	return !strncmp(file, want, n) && !strncmp(file + n, ".so", 3) &&
	       (file[n + 3] == 0 || file[n + 3] == '.');
}

static int copy_out(const char *path, char *out, size_t out_sz)
{
	if (snprintf(out, out_sz, "%s", path) >= (int)out_sz)
		return -ENAMETOOLONG;
	return 0;
}

/* /etc/ld.so.cache, the "glibc-ld.so.cache1.1" format (alone or after the
 * old "ld.so-1.7.0" table). */
static int ldcache_find(const char *want, bool exact, char *out, size_t out_sz)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	char *buf = NULL, *hdr;
	size_t size, nlibs;
	int err = -ENOENT;

	if (bee_read_file("/etc/ld.so.cache", &buf, &size))
		return -ENOENT;
	hdr = memmem(buf, size < 4096 ? size : 4096, magic, sizeof(magic) - 1);
	if (!hdr || hdr + 48 > buf + size)
		goto out;
	{
		uint32_t n32;

		memcpy(&n32, hdr + 20, 4);
		nlibs = n32;
	}
	for (size_t i = 0; i < nlibs; i++) {
		const char *e = hdr + 48 + i * 24, *key, *val;
		uint32_t k, v;

		if (e + 24 > buf + size)
			break;
		memcpy(&k, e + 4, 4);
		memcpy(&v, e + 8, 4);
		if (hdr + k >= buf + size || hdr + v >= buf + size)
			continue;
		key = hdr + k;
		val = hdr + v;
		if (soname_matches(key, want, exact) && elf_matches_host(val)) {
			err = copy_out(val, out, out_sz);
			break;
		}
	}
out:
	free(buf);
	return err;
}

static int dir_find(const char *dir, const char *want, bool exact, char *out, size_t out_sz)
{
	char path[PATH_MAX], best[PATH_MAX] = "";
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (!soname_matches(de->d_name, want, exact))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!elf_matches_host(path))
			continue;
		/* prefer the versioned soname over the linker's "libc.so" script */
		if (!best[0] || strlen(path) > strlen(best) || strcmp(path, best) > 0)
			snprintf(best, sizeof(best), "%s", path);
	}
	closedir(d);
	return best[0] ? copy_out(best, out, out_sz) : -ENOENT;
}

static int maps_find_lib(pid_t pid, const char *want, bool exact, const char *plain, char *out,
			 size_t out_sz)
{
	char path[64], *text, *line, *save = NULL;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (bee_read_file(path, &text, NULL))
		return -ESRCH;
	for (line = strtok_r(text, "\n", &save); line && err; line = strtok_r(NULL, "\n", &save)) {
		char *name = strchr(line, '/'), *base;
		char full[PATH_MAX];

		if (!name || strstr(name, " (deleted)"))
			continue;
		base = strrchr(name, '/') + 1;
		if (!soname_matches(base, want, exact) && (!plain || strcmp(base, plain)))
			continue;
		/* the process may live in another mount namespace */
		snprintf(full, sizeof(full), "/proc/%d/root%s", pid, name);
		err = copy_out(access(name, R_OK) == 0 ? name : full, out, out_sz);
	}
	free(text);
	return err;
}

int bee_resolve_binary(const char *name, pid_t pid, char *out, size_t out_sz)
{
	static const char *const dirs[] = {
		"/lib/" MULTIARCH, "/usr/lib/" MULTIARCH, "/lib64", "/usr/lib64", "/lib", "/usr/lib",
		"/usr/local/lib",
	};
	char want[256];
	const char *env;
	bool exact;
	int err;

	if (!name || !name[0])
		return -EINVAL;
	if (strchr(name, '/')) {
		if (access(name, R_OK)) {
			err = -errno;
			pr_err("binary '%s': %s", name, strerror(errno));
			return err;
		}
		return copy_out(name, out, out_sz);
	}
	/* "c" and "libc" mean libc.so.*, "libc.so.6" means itself */
	snprintf(want, sizeof(want), "%s%s", strncmp(name, "lib", 3) ? "lib" : "", name);
	exact = strstr(want, ".so") != NULL;
	if (pid > 0) {
		err = maps_find_lib(pid, want, exact, name, out, out_sz);
		if (err != -ENOENT) {
			if (err == -ESRCH)
				pr_err("library '%s': no process with pid %d", name, pid);
			return err == -ESRCH ? -ESRCH : err;
		}
	}
	/* the dynamic linker's order: LD_LIBRARY_PATH, ld.so.cache, default dirs */
	env = getenv("LD_LIBRARY_PATH");
	if (env) {
		char *copy = strdup(env), *save = NULL;

		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
			if (!dir_find(d, want, exact, out, out_sz)) {
				free(copy);
				return 0;
			}
		}
		free(copy);
	}
	if (!ldcache_find(want, exact, out, out_sz))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (!dir_find(dirs[i], want, exact, out, out_sz))
			return 0;
	/* a program name ("bash"): $PATH, as a shell would find it */
	if (!strchr(name, '.') || !exact) {
		char *copy, *save = NULL;

		env = getenv("PATH");
		copy = strdup(env ? env : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s/%s", d, name);
			if (!access(path, X_OK) && elf_matches_host(path)) {
				free(copy);
				return copy_out(path, out, out_sz);
			}
		}
		free(copy);
	}
	if (pid > 0)
		pr_err("library '%s': not mapped by pid %d and not found by the dynamic linker's rules",
		       name, pid);
	else
		pr_err("library '%s': not found (LD_LIBRARY_PATH, /etc/ld.so.cache, /lib, /usr/lib, $PATH)",
		       name);
	return -ENOENT;
}

/* The file offset of ELF virtual address @vaddr in @b, through its PT_LOADs. */
static int vaddr_to_off(const struct bin *b, uint64_t vaddr, uint64_t *off)
{
	for (size_t i = 0; i < b->seg_cnt; i++) {
		const struct load_seg *g = &b->segs[i];

		if (vaddr >= g->vaddr && vaddr < g->vaddr + g->filesz) {
			*off = vaddr - g->vaddr + g->off;
			return 0;
		}
	}
	return -ENOENT;
}

int bee_resolve_uprobe(const char *binary, const char *spec, uint64_t *offset)
{
	uint64_t addrs[8], add = 0, vaddr = 0, size = 0;
	char name[512], *plus, *end, path[PATH_MAX];
	size_t n_addrs = 0, total = 0;
	struct bin *b;
	int fd, err = 0;

	elf_init();
	if (!spec || !spec[0]) {
		pr_err("binary '%s': empty symbol", binary);
		return -EINVAL;
	}
	/* "c", "libc", "bash": as the dynamic linker or a shell finds them */
	if (!strchr(binary, '/')) {
		err = bee_resolve_binary(binary, -1, path, sizeof(path));
		if (err)
			return err;
		binary = path;
	}
	fd = open(binary, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("binary '%s': %s", binary, strerror(errno));
		return err;
	}
	b = bin_get(fd, binary, default_debug_dir());
	close(fd);
	if (!b) {
		err = errno == ENOEXEC ? -ENOEXEC : -(errno ? errno : EINVAL);
		pr_err("binary '%s': not an ELF file", binary);
		return err;
	}
	if (!strncmp(spec, "0x", 2) || isdigit((unsigned char)spec[0])) {
		errno = 0;
		vaddr = strtoull(spec, &end, 0);
		if (errno || *end) {
			err = -EINVAL;
			pr_err("binary '%s': bad address '%s'", binary, spec);
			goto out;
		}
		err = vaddr_to_off(b, vaddr, offset);
		if (err)
			pr_err("binary '%s': address 0x%llx is not in any loaded segment", binary,
			       (unsigned long long)vaddr);
		goto out;
	}
	snprintf(name, sizeof(name), "%s", spec);
	plus = strchr(name, '+');
	if (plus) {
		*plus++ = 0;
		errno = 0;
		add = strtoull(plus, &end, 0);
		if (errno || *end || !*plus) {
			err = -EINVAL;
			pr_err("binary '%s': bad offset in '%s' (want NAME+0xOFF)", binary, spec);
			goto out;
		}
	}
	/* every name is once per address in syms + alias: count the distinct
	 * addresses, default versions first (what the dynamic linker binds) */
	for (int pass = 0; pass < 2 && !total; pass++) {
		for (size_t k = 0; k < b->cnt + b->alias_cnt; k++) {
			const struct usym *u = k < b->cnt ? &b->syms[k] : &b->alias[k - b->cnt];

			if (!pass && (u->name & SYM_HIDDEN))
				continue;
			if (strcmp(b->strs + SYM_NAME(u), name))
				continue;
			if (n_addrs < ARRAY_SIZE(addrs))
				addrs[n_addrs++] = u->addr;
			total++;
			size = u->size;
			vaddr = u->addr;
		}
	}
	if (!total) {
		err = -ENOENT;
		pr_err("binary '%s': no function '%s'", binary, name);
		goto out;
	}
	if (total > 1) {
		char list[160] = "";

		for (size_t i = 0; i < n_addrs; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s0x%llx",
				 i ? ", " : "", (unsigned long long)addrs[i]);
		err = -ENOTUNIQ;
		pr_err("binary '%s': function '%s' is ambiguous: %zu definitions at %s%s (use an address)",
		       binary, name, total, list, total > n_addrs ? ", ..." : "");
		goto out;
	}
	if (plus && size && add >= size) {
		err = -ERANGE;
		pr_err("binary '%s': offset 0x%llx is outside '%s' (size 0x%llx)", binary,
		       (unsigned long long)add, name, (unsigned long long)size);
		goto out;
	}
	err = vaddr_to_off(b, vaddr + add, offset);
	if (err)
		pr_err("binary '%s': function '%s' is not in a loaded segment", binary, name);
out:
	bin_put(b);
	return err;
}
