// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Maps: open by fd, parse keys and values (bytes or BTF-typed), print
 * entries, and dump whole maps fast.
 *
 * A dump streams: entries come from the kernel one batch at a time
 * (BPF_MAP_LOOKUP_BATCH, falling back to get_next_key + lookup for map
 * types without it), are formatted into one reusable buffer with
 * hand-rolled hex and integer code, and leave in large writes. Memory is
 * bounded by the batch, never by the map. The text layout without BTF is
 * bpftool's, byte for byte, so the two can be compared.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_fmt.h"
#include "internal.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's "operation not supported" for batch ops */
#endif

/* A batch of about this many bytes of keys and values per syscall (small
 * enough to stay in cache: on a 1M-entry hash, 8Ki-entry batches cost the
 * kernel a quarter less time than 64Ki ones), and output flushed at about
 * this size. */
#define BATCH_BYTES (256u << 10)
#define BATCH_MAX_ENTRIES 8192u
#define OUT_FLUSH (1u << 20)

struct bee_map {
	int fd;
	struct bpf_map_info info;
	struct btf *own_btf;
	const struct btf *btf;
	uint32_t key_type, value_type;
	bool percpu;
	int ncpu;
	size_t stride;  /* per-CPU value stride */
	size_t vbuf_sz; /* bytes of one looked-up value */
};

static bool type_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* Use a BTF type for keys or values only when its size is the map's. */
static uint32_t usable_type(const struct btf *btf, uint32_t id, uint32_t size, const char *what,
			    const char *map)
{
	int64_t sz;

	if (!btf || !id)
		return 0;
	sz = btf__resolve_size(btf, id);
	if (sz != size) {
		pr_debug("map '%s': BTF %s type [%u] is %lld bytes, the map's %u: printed as hex",
			 map, what, id, (long long)sz, size);
		return 0;
	}
	return id;
}

static bool fd_is_map(int fd)
{
	char path[64], *buf = NULL;
	bool yes;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (bee_read_file(path, &buf, NULL))
		return true; /* no procfs: let the kernel's info call decide */
	yes = strstr(buf, "\nmap_type:") != NULL;
	free(buf);
	return yes;
}

struct bee_map *bee_map__from_fd(int fd, const struct btf *btf)
{
	struct bee_map *m;
	uint32_t len;
	int err;

	m = calloc(1, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (m->fd < 0) {
		err = -errno;
		pr_err("map fd %d: %s", fd, strerror(errno));
		goto err_free;
	}
	/* The kernel fills in a prog's or link's info just as well: ask
	 * fdinfo what the fd is first. */
	if (!fd_is_map(m->fd)) {
		err = -EINVAL;
		pr_err("fd %d is not a BPF map", fd);
		goto err_close;
	}
	len = sizeof(m->info);
	err = bpf_obj_get_info_by_fd(m->fd, &m->info, &len);
	if (err) {
		err = -errno;
		pr_err("fd %d is not a BPF map: %s", fd, strerror(errno));
		goto err_close;
	}
	m->percpu = type_is_percpu(m->info.type);
	m->ncpu = 1;
	m->stride = m->info.value_size;
	m->vbuf_sz = m->info.value_size;
	if (m->percpu) {
		m->ncpu = libbpf_num_possible_cpus();
		if (m->ncpu < 1) {
			err = m->ncpu < 0 ? m->ncpu : -EINVAL;
			goto err_close;
		}
		m->stride = (m->info.value_size + 7) & ~7u;
		m->vbuf_sz = m->stride * m->ncpu;
	}
	m->btf = btf;
	if (!btf && m->info.btf_id) {
		m->own_btf = btf__load_from_kernel_by_id(m->info.btf_id);
		if (!m->own_btf)
			pr_debug("map '%s': cannot load its BTF (id %u): %s; printing hex",
				 m->info.name, m->info.btf_id, strerror(errno));
		m->btf = m->own_btf;
	}
	if (m->btf) {
		m->key_type = usable_type(m->btf, m->info.btf_key_type_id, m->info.key_size, "key",
					  m->info.name);
		m->value_type = usable_type(m->btf, m->info.btf_value_type_id, m->info.value_size,
					    "value", m->info.name);
	}
	return m;

err_close:
	close(m->fd);
err_free:
	free(m);
	errno = -err;
	return NULL;
}

void bee_map__close(struct bee_map *m)
{
	if (!m)
		return;
	btf__free(m->own_btf);
	close(m->fd);
	free(m);
}

int bee_map__fd(const struct bee_map *m)
{
	return m->fd;
}

const struct bpf_map_info *bee_map__info(const struct bee_map *m)
{
	return &m->info;
}

const struct btf *bee_map__btf(const struct bee_map *m)
{
	return m->key_type || m->value_type ? m->btf : NULL;
}

uint32_t bee_map__key_type(const struct bee_map *m)
{
	return m->key_type;
}

uint32_t bee_map__value_type(const struct bee_map *m)
{
	return m->value_type;
}

bool bee_map__is_percpu(const struct bee_map *m)
{
	return m->percpu;
}

int bee_map__cpu_cnt(const struct bee_map *m)
{
	return m->ncpu;
}

size_t bee_map__value_buf_sz(const struct bee_map *m)
{
	return m->vbuf_sz;
}

/* ---- type names ------------------------------------------------------------- */

/* Map type names come from the kernel's enum bpf_map_type, so types newer
 * than bee (and libbpf 1.1) are named; libbpf's table is the fallback when
 * the kernel has no BTF. Calls @fn(name, value) for each, lower-case and
 * without the prefix; stops when @fn returns true. */
static void each_map_type(bool (*fn)(const char *name, uint32_t value, void *ctx), void *ctx)
{
	const struct btf *btf = bee_kernel_btf();
	int id = btf ? btf__find_by_name_kind(btf, "bpf_map_type", BTF_KIND_ENUM) : -1;
	char name[64];

	if (id > 0) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++, e++) {
			const char *n = btf__name_by_offset(btf, e->name_off);
			size_t k;

			if (!n || strncmp(n, "BPF_MAP_TYPE_", 13))
				continue;
			for (k = 0; n[13 + k] && k < sizeof(name) - 1; k++)
				name[k] = tolower((unsigned char)n[13 + k]);
			name[k] = 0;
			if (fn(name, e->val, ctx))
				return;
		}
		return;
	}
	for (uint32_t v = 0; v < 256; v++) {
		const char *n = libbpf_bpf_map_type_str(v);
		if (n && fn(n, v, ctx))
			return;
	}
}

struct type_q {
	const char *word;
	uint32_t value;
	char name[64];
	int found; /* by exact name, or by unique prefix */
	uint32_t pvalue;
	int pcnt;
};

static bool type_by_value(const char *name, uint32_t value, void *ctx)
{
	struct type_q *q = ctx;
	size_t n = strlen(name);

	if (value != q->value)
		return false;
	/* CGROUP_STORAGE_DEPRECATED and CGROUP_STORAGE share a value: take
	 * the current name */
	if (q->found && n > 11 && !strcmp(name + n - 11, "_deprecated"))
		return false;
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->found = 1;
	return !(n > 11 && !strcmp(name + n - 11, "_deprecated"));
}

const char *bee_map_type_name(uint32_t type)
{
	static __thread char buf[64];
	struct type_q q = { .value = type };

	const char *n = libbpf_bpf_map_type_str(type);

	/* libbpf's table names the types of its time as the kernel does; the
	 * kernel's BTF (some milliseconds to load) only for newer ones */
	if (n)
		return n;
	each_map_type(type_by_value, &q);
	if (q.found)
		snprintf(buf, sizeof(buf), "%s", q.name);
	else
		snprintf(buf, sizeof(buf), "type %u", type);
	return buf;
}

static bool type_by_word(const char *name, uint32_t value, void *ctx)
{
	struct type_q *q = ctx;

	if (!value || !strncmp(name, "__max", 5) || !strcmp(name, "unspec"))
		return false;
	if (!strcmp(name, q->word)) {
		q->found = 1;
		q->value = value;
		return true;
	}
	if (!strncmp(name, q->word, strlen(q->word)) && value != q->pvalue) {
		q->pcnt++;
		q->pvalue = value;
	}
	return false;
}

int bee_map_type_by_name(const char *name)
{
	struct type_q q = { .word = name };

	if (!name[0])
		return -ENOENT;
	for (uint32_t t = 1; t < 256; t++) {
		const char *n = libbpf_bpf_map_type_str(t);
		if (n && !strcmp(n, name))
			return t;
	}
	each_map_type(type_by_word, &q);
	if (q.found)
		return q.value;
	if (q.pcnt == 1)
		return q.pvalue;
	return q.pcnt ? -EEXIST : -ENOENT;
}

/* ---- parsing keys and values ------------------------------------------------- */

static int parse_data(const struct bee_map *m, int argc, char **argv, void *out, bool is_key)
{
	const char *what = is_key ? "key" : "value";
	uint32_t size = is_key ? m->info.key_size : m->info.value_size;
	uint32_t type = is_key ? m->key_type : m->value_type;
	bool hex = argc > 0 && !strcmp(argv[0], "hex");
	uint8_t *bytes = NULL;
	char *text = NULL;
	size_t tlen = 0;
	int n, err, bad = -1;

	if (hex) {
		argc--;
		argv++;
	}
	if (argc < 1) {
		pr_err("%s is missing (%u bytes)", what, size);
		return -EINVAL;
	}
	bytes = malloc(argc + 1);
	if (!bytes)
		return -ENOMEM;
	n = bee_bytes_parse(argc, argv, hex, bytes, argc);
	if (n < 0) {
		/* which word is not a byte, for the message */
		for (int i = 0; i < argc && bad < 0; i++)
			if (bee_bytes_parse(1, argv + i, hex, bytes, 1) < 0)
				bad = i;
	}
	if (n == (int)size) {
		memcpy(out, bytes, size);
		err = 0;
		goto out;
	}
	if (type && !hex) {
		/* a typed value: the words joined as they were typed */
		for (int i = 0; i < argc; i++)
			tlen += strlen(argv[i]) + 1;
		text = malloc(tlen + 1);
		if (!text) {
			err = -ENOMEM;
			goto out;
		}
		text[0] = 0;
		for (int i = 0; i < argc; i++) {
			if (i)
				strcat(text, " ");
			strcat(text, argv[i]);
		}
		/* Several words that are all bytes, but the wrong number of
		 * them: the user meant bytes, so say so rather than reporting
		 * a typed-parse error. */
		if (n > 1) {
			pr_err("%s must be %u bytes, got %d", what, size, n);
			err = -EINVAL;
			goto out;
		}
		err = bee_btf_parse(m->btf, type, text, out, size);
		if (err) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s", bee_last_error());
			pr_err("%s: %s", what, msg);
		}
		goto out;
	}
	if (n < 0) {
		pr_err("%s: '%s' is not a byte (%s)", what, argv[bad < 0 ? 0 : bad],
		       hex ? "00..ff" : "0..255 or 0xNN");
		err = -EINVAL;
		goto out;
	}
	pr_err("%s must be %u bytes, got %d", what, size, n);
	err = -EINVAL;
out:
	free(text);
	free(bytes);
	return err;
}

int bee_map__parse_key(const struct bee_map *m, int argc, char **argv, void *out)
{
	return parse_data(m, argc, argv, out, true);
}

int bee_map__parse_value(const struct bee_map *m, int argc, char **argv, void *out)
{
	int err = parse_data(m, argc, argv, out, false);

	/* one value given for a per-CPU map: every CPU gets it */
	if (!err && m->percpu) {
		char *p = out;
		if (m->stride != m->info.value_size)
			memset(p + m->info.value_size, 0, m->stride - m->info.value_size);
		for (int c = 1; c < m->ncpu; c++)
			memcpy(p + c * m->stride, p, m->stride);
	}
	return err;
}

/* ---- printing entries ------------------------------------------------------- */

static const char hexd[] = "0123456789abcdef";

/* bpftool's fprint_hex: bytes separated by a space, two spaces after every
 * 8th byte, a newline after every 16th. */
static void hex_bpftool(struct bee_buf *b, const unsigned char *p, size_t n)
{
	char *o;

	/* at most 4 bytes per input byte */
	if (b->len + n * 4 > b->cap && !bee_buf_grow(b, n * 4))
		return;
	o = b->p + b->len;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			if (!(i % 16)) {
				*o++ = '\n';
			} else if (!(i % 8)) {
				*o++ = ' ';
				*o++ = ' ';
			} else {
				*o++ = ' ';
			}
		}
		*o++ = hexd[p[i] >> 4];
		*o++ = hexd[p[i] & 15];
	}
	b->len = o - b->p;
}

/* ["0xc1","0xc2"] as bpftool's JSON has it */
static void hex_json(struct bee_buf *b, const unsigned char *p, size_t n)
{
	char *o;

	if (b->len + n * 7 + 2 > b->cap && !bee_buf_grow(b, n * 7 + 2))
		return;
	o = b->p + b->len;
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		memcpy(o, "\"0x", 3);
		o[3] = hexd[p[i] >> 4];
		o[4] = hexd[p[i] & 15];
		o[5] = '"';
		o += 6;
	}
	*o++ = ']';
	b->len = o - b->p;
}

/* A key or one value: typed through BTF when there is a type, else hex. */
static int fmt_part(const struct bee_map *m, struct bee_buf *b, uint32_t type, const void *data,
		    size_t size, unsigned flags)
{
	if (type && !(flags & BEE_DUMP_HEX)) {
		int err = bee_btf_fmt(b, m->btf, type, data, size, flags & BEE_DUMP_JSON);
		if (!err)
			return 0;
		/* should not happen (sizes were checked); keep going in hex */
	}
	if (flags & BEE_DUMP_JSON)
		hex_json(b, data, size);
	else
		hex_bpftool(b, data, size);
	return 0;
}

static bool typed(const struct bee_map *m, unsigned flags)
{
	return !(flags & BEE_DUMP_HEX) && (m->key_type || m->value_type);
}

/* One entry in the layout of bpftool's print_entry_plain / _json. */
static void fmt_entry(const struct bee_map *m, struct bee_buf *b, const unsigned char *key,
		      const unsigned char *val, unsigned flags)
{
	uint32_t ks = m->info.key_size, vs = m->info.value_size;

	if (flags & BEE_DUMP_JSON) {
		bee_buf_putc(b, '{');
		if (ks) {
			bee_buf_putn(b, "\"key\":", 6);
			fmt_part(m, b, m->key_type, key, ks, flags);
		}
		if (val && !m->percpu) {
			bee_buf_putn(b, ks ? ",\"value\":" : "\"value\":", ks ? 9 : 8);
			fmt_part(m, b, m->value_type, val, vs, flags);
		} else if (val) {
			bee_buf_putn(b, ks ? ",\"values\":[" : "\"values\":[", ks ? 11 : 10);
			for (int c = 0; c < m->ncpu; c++) {
				bee_buf_puts(b, c ? ",{\"cpu\":" : "{\"cpu\":");
				bee_buf_u64(b, c);
				bee_buf_putn(b, ",\"value\":", 9);
				fmt_part(m, b, m->value_type, val + c * m->stride, vs, flags);
				bee_buf_putc(b, '}');
			}
			bee_buf_putc(b, ']');
		}
		bee_buf_putc(b, '}');
		return;
	}
	if (!m->percpu || !val) {
		bool break_names = !typed(m, flags) && (ks > 16 || vs > 16);
		bool single_line = typed(m, flags) || (ks + vs <= 24 && !break_names);

		if (ks) {
			bee_buf_puts(b, break_names ? "key:\n" : "key: ");
			fmt_part(m, b, m->key_type, key, ks, flags);
			if (val)
				bee_buf_puts(b, single_line ? "  " : "\n");
		}
		if (val && vs) {
			bee_buf_puts(b, break_names ? "value:\n" : "value: ");
			fmt_part(m, b, m->value_type, val, vs, flags);
		}
		bee_buf_putc(b, '\n');
		return;
	}
	if (ks) {
		bee_buf_puts(b, typed(m, flags) ? "key: " : "key:\n");
		fmt_part(m, b, m->key_type, key, ks, flags);
		bee_buf_putc(b, '\n');
	}
	for (int c = 0; vs && c < m->ncpu; c++) {
		char hdr[24] = "value (CPU 00):";

		hdr[11] = '0' + c / 10 % 10;
		hdr[12] = '0' + c % 10;
		if (c >= 100)
			snprintf(hdr, sizeof(hdr), "value (CPU %02d):", c);
		bee_buf_puts(b, hdr);
		bee_buf_putc(b, !typed(m, flags) && vs > 16 ? '\n' : ' ');
		fmt_part(m, b, m->value_type, val + c * m->stride, vs, flags);
		bee_buf_putc(b, '\n');
	}
}

static int buf_flush(struct bee_buf *b, FILE *out)
{
	if (b->oom)
		return -ENOMEM;
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
		return -EIO;
	b->len = 0;
	return 0;
}

static void indent(struct bee_buf *b, int depth)
{
	bee_buf_putc(b, '\n');
	for (int i = 0; i < depth; i++)
		bee_buf_putn(b, "    ", 4);
}

/* Re-indent compact JSON (what the formatter writes) for -p: four spaces a
 * level from @depth, as bee's other pretty output. */
static void json_pretty(struct bee_buf *b, const char *in, size_t n, int depth)
{
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		switch (c) {
		case '"':
			bee_buf_putc(b, c);
			for (i++; i < n && in[i] != '"'; i++) {
				if (in[i] == '\\' && i + 1 < n)
					bee_buf_putc(b, in[i++]);
				bee_buf_putc(b, in[i]);
			}
			bee_buf_putc(b, '"');
			break;
		case '{':
		case '[':
			bee_buf_putc(b, c);
			if (i + 1 < n && (in[i + 1] == '}' || in[i + 1] == ']')) {
				bee_buf_putc(b, in[++i]);
				break;
			}
			indent(b, ++depth);
			break;
		case '}':
		case ']':
			indent(b, --depth);
			bee_buf_putc(b, c);
			break;
		case ',':
			bee_buf_putc(b, c);
			indent(b, depth);
			break;
		case ':':
			bee_buf_putn(b, ": ", 2);
			break;
		default:
			bee_buf_putc(b, c);
		}
	}
}

/* An entry, re-indented when pretty JSON is asked for. */
static void fmt_entry_out(const struct bee_map *m, struct bee_buf *b, struct bee_buf *tmp,
			  const void *key, const void *val, unsigned flags, int depth)
{
	if ((flags & (BEE_DUMP_JSON | BEE_DUMP_PRETTY)) != (BEE_DUMP_JSON | BEE_DUMP_PRETTY)) {
		fmt_entry(m, b, key, val, flags);
		return;
	}
	tmp->len = 0;
	fmt_entry(m, tmp, key, val, flags);
	if (tmp->oom)
		b->oom = true;
	else
		json_pretty(b, tmp->p, tmp->len, depth);
}

int bee_map__print_entry(const struct bee_map *m, FILE *out, const void *key, const void *value,
			 unsigned flags)
{
	struct bee_buf b = {}, tmp = {};
	int err;

	fmt_entry_out(m, &b, &tmp, key, value, flags, 0);
	err = buf_flush(&b, out);
	free(b.p);
	free(tmp.p);
	return err;
}

static int print_part(const struct bee_map *m, FILE *out, const void *data, bool is_key,
		      unsigned flags)
{
	struct bee_buf b = {};
	int err;

	if (is_key) {
		fmt_part(m, &b, m->key_type, data, m->info.key_size, flags);
	} else if (!m->percpu) {
		fmt_part(m, &b, m->value_type, data, m->info.value_size, flags);
	} else {
		/* per CPU: a JSON array, or one value per line */
		if (flags & BEE_DUMP_JSON)
			bee_buf_putc(&b, '[');
		for (int c = 0; c < m->ncpu; c++) {
			if (flags & BEE_DUMP_JSON) {
				if (c)
					bee_buf_putc(&b, ',');
			} else {
				if (c)
					bee_buf_putc(&b, '\n');
				bee_buf_puts(&b, "CPU ");
				bee_buf_u64(&b, c);
				bee_buf_puts(&b, ": ");
			}
			fmt_part(m, &b, m->value_type, (const char *)data + c * m->stride,
				 m->info.value_size, flags);
		}
		if (flags & BEE_DUMP_JSON)
			bee_buf_putc(&b, ']');
	}
	err = buf_flush(&b, out);
	free(b.p);
	return err;
}

int bee_map__print_key(const struct bee_map *m, FILE *out, const void *key, unsigned flags)
{
	return print_part(m, out, key, true, flags);
}

int bee_map__print_value(const struct bee_map *m, FILE *out, const void *value, unsigned flags)
{
	return print_part(m, out, value, false, flags);
}

/* ---- dumping ------------------------------------------------------------------ */

struct dumper {
	const struct bee_map *m;
	FILE *out;
	unsigned flags;
	struct bee_buf b, tmp;
	size_t cnt;
	int err;
};

static void dump_one(struct dumper *d, const void *key, const void *val)
{
	if (d->flags & BEE_DUMP_JSON) {
		if (d->cnt)
			bee_buf_putc(&d->b, ',');
		if (d->flags & BEE_DUMP_PRETTY)
			bee_buf_puts(&d->b, "\n    ");
	}
	fmt_entry_out(d->m, &d->b, &d->tmp, key, val, d->flags, 1);
	d->cnt++;
	if (d->b.len >= OUT_FLUSH && !d->err)
		d->err = buf_flush(&d->b, d->out);
}

/* The kernel has batch lookups for some map types only; it answers the
 * others with EINVAL or ENOTSUPP on the first call. */
static bool batch_unsupported(int err)
{
	return err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP || err == -ENOSYS ||
	       err == -EPERM;
}

/* Returns 1 when the map type has no batch lookup (nothing printed yet). */
static int dump_batch(struct dumper *d)
{
	const struct bee_map *m = d->m;
	size_t ks = m->info.key_size, vs = m->vbuf_sz, tok = ks > 8 ? ks : 8;
	uint32_t n, count;
	char *keys = NULL, *vals = NULL, *in = NULL, *out = NULL, *tmp;
	bool first = true;
	int err = 0;
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts);

	n = BATCH_BYTES / (ks + vs ? ks + vs : 1);
	if (n > BATCH_MAX_ENTRIES)
		n = BATCH_MAX_ENTRIES;
	if (n > m->info.max_entries && m->info.max_entries)
		n = m->info.max_entries;
	if (n < 1)
		n = 1;
realloc:
	free(keys);
	free(vals);
	keys = malloc(n * ks + 1);
	vals = malloc(n * vs + 1);
	if (!in)
		in = malloc(tok);
	if (!out)
		out = malloc(tok);
	if (!keys || !vals || !in || !out) {
		err = -ENOMEM;
		goto out_free;
	}
	for (;;) {
		count = n;
		err = bpf_map_lookup_batch(m->fd, first ? NULL : in, out, keys, vals, &count, &opts);
		if (err)
			err = -errno;
		if (err && err != -ENOENT) {
			/* nothing printed yet: fall back (count is left as it was) */
			if (first && batch_unsupported(err)) {
				err = 1;
				goto out_free;
			}
			/* a hash bucket holds more entries than the batch */
			if (err == -ENOSPC && n < (1u << 24)) {
				n *= 2;
				goto realloc;
			}
			pr_err("map '%s': batch lookup: %s", m->info.name, strerror(-err));
			goto out_free;
		}
		for (uint32_t i = 0; i < count; i++)
			dump_one(d, keys + i * ks, vals + i * vs);
		if (d->err) {
			err = d->err;
			goto out_free;
		}
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		first = false;
		tmp = in;
		in = out;
		out = tmp;
	}
out_free:
	free(keys);
	free(vals);
	free(in);
	free(out);
	return err;
}

static int dump_iter(struct dumper *d)
{
	const struct bee_map *m = d->m;
	size_t ks = m->info.key_size;
	char *key = malloc(ks + 1), *next = malloc(ks + 1), *val = malloc(m->vbuf_sz + 1), *tmp;
	void *prev = NULL;
	int err = 0;

	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out_free;
	}
	for (;;) {
		if (bpf_map_get_next_key(m->fd, prev, next)) {
			err = -errno;
			if (err == -ENOENT)
				err = 0;
			else
				pr_err("map '%s': get next key: %s", m->info.name, strerror(-err));
			break;
		}
		if (bpf_map_lookup_elem(m->fd, next, val)) {
			err = -errno;
			if (err != -ENOENT) {
				pr_err("map '%s': lookup: %s", m->info.name, strerror(-err));
				break;
			}
			/* deleted since get_next_key: go on from it */
			err = 0;
		} else {
			dump_one(d, next, val);
			if (d->err) {
				err = d->err;
				break;
			}
		}
		tmp = key;
		key = next;
		next = tmp;
		prev = key;
	}
out_free:
	free(key);
	free(next);
	free(val);
	return err;
}

static bool has_keys(uint32_t type)
{
	/* Maps whose entries cannot be walked from user space. */
	return type != BPF_MAP_TYPE_QUEUE && type != BPF_MAP_TYPE_STACK &&
	       type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_USER_RINGBUF &&
	       type != BPF_MAP_TYPE_BLOOM_FILTER;
}

int bee_map__dump(const struct bee_map *m, FILE *out, unsigned flags, size_t *cnt, bool *batched)
{
	struct dumper d = { .m = m, .out = out, .flags = flags };
	int err;

	if (cnt)
		*cnt = 0;
	if (batched)
		*batched = false;
	if (!has_keys(m->info.type)) {
		pr_err("map '%s': a %s map has no keys to walk%s", m->info.name,
		       bee_map_type_name(m->info.type),
		       m->info.type == BPF_MAP_TYPE_QUEUE || m->info.type == BPF_MAP_TYPE_STACK ?
			       " (use peek or pop)" : "");
		return -EOPNOTSUPP;
	}
	if (flags & BEE_DUMP_JSON)
		bee_buf_putc(&d.b, '[');
	err = 1;
	if (!(flags & BEE_DUMP_NO_BATCH))
		err = dump_batch(&d);
	if (err == 1) {
		err = dump_iter(&d);
	} else if (!err && batched) {
		*batched = true;
	}
	if (!err && (flags & BEE_DUMP_JSON))
		bee_buf_puts(&d.b, d.cnt && (flags & BEE_DUMP_PRETTY) ? "\n]" : "]");
	if (!err)
		err = buf_flush(&d.b, out);
	free(d.b.p);
	free(d.tmp.p);
	if (cnt)
		*cnt = d.cnt;
	return err;
}

int bee_map_dump_fd(int map_fd, const struct btf *btf, FILE *out, bool json)
{
	struct bee_map *m = bee_map__from_fd(map_fd, btf);
	int err;

	if (!m)
		return neg_errno();
	err = bee_map__dump(m, out, json ? BEE_DUMP_JSON : 0, NULL, NULL);
	bee_map__close(m);
	return err;
}

/* ---- histograms ---------------------------------------------------------------- */

enum bee_hist_kind bee_btf_hist_kind(const struct btf *btf, uint32_t id)
{
	/* the typedef names the kind; look through qualifiers only */
	for (int i = 0; btf && id && i < 16; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *n;

		if (!t)
			break;
		if (btf_is_typedef(t)) {
			n = btf__name_by_offset(btf, t->name_off);
			if (n && !strcmp(n, "bee_hist_slot_t"))
				return BEE_HIST_LOG2;
			if (n && !strcmp(n, "bee_lhist_slot_t"))
				return BEE_HIST_LINEAR;
			break;
		}
		if (!btf_is_const(t) && !btf_is_volatile(t) && !btf_is_restrict(t) &&
		    !btf_is_type_tag(t))
			break;
		id = t->type;
	}
	return BEE_HIST_NONE;
}

enum bee_hist_kind bee_map__hist_kind(const struct bee_map *m)
{
	if (m->info.type != BPF_MAP_TYPE_ARRAY && m->info.type != BPF_MAP_TYPE_PERCPU_ARRAY)
		return BEE_HIST_NONE;
	return bee_btf_hist_kind(m->btf, m->value_type);
}

/* ---- finding maps ---------------------------------------------------------------- */

int bee_map_fd_by_name(const char *name)
{
	char ids[512] = "";
	uint32_t id = 0, found_id = 0;
	int fd, found = -1, cnt = 0;
	size_t nlen = strlen(name);

	if (!nlen)
		return -ENOENT;
	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		bool match;

		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		/* the kernel keeps 15 characters of a name */
		match = nlen >= BPF_OBJ_NAME_LEN - 1 ?
				!strncmp(info.name, name, BPF_OBJ_NAME_LEN - 1) :
				!strcmp(info.name, name);
		if (!match) {
			close(fd);
			continue;
		}
		cnt++;
		if (strlen(ids) + 16 < sizeof(ids))
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%u",
				 ids[0] ? ", " : "", id);
		if (found >= 0)
			close(fd);
		else {
			found = fd;
			found_id = id;
		}
	}
	if (cnt > 1) {
		close(found);
		pr_err("map name '%s' is ambiguous: maps %s (use id)", name, ids);
		return -EEXIST;
	}
	if (found < 0)
		return -ENOENT;
	(void)found_id;
	return found;
}
