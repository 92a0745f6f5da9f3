// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BTF-typed values: print any value as text ("{ pid=1 comm=\"bash\" }") or
 * JSON, parse text or JSON back into bytes, and find types by their C name.
 *
 * The printer formats into a buffer (struct bee_buf) so that a failure half
 * way through (hostile BTF, a short value) prints nothing, and so that map
 * dumps can reuse one buffer for a million entries without stdio overhead.
 * Every read is bounds-checked against the size the caller gave, never
 * against what the BTF claims, so a lying type cannot read past the value.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>

#include <bpf/btf.h>

#include "btf_fmt.h"
#include "internal.h"

/* Structs may nest this deep; beyond it (or in a modifier chain longer than
 * this) the BTF is taken to be malformed or cyclic. */
#define MAX_DEPTH 64

/* ---- output buffer ------------------------------------------------------- */

bool bee_buf_grow(struct bee_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->oom)
		return false;
	while (cap < b->len + need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void bee_buf_u64(struct bee_buf *b, uint64_t v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	bee_buf_putn(b, tmp + i, sizeof(tmp) - i);
}

void bee_buf_s64(struct bee_buf *b, int64_t v)
{
	if (v < 0) {
		bee_buf_putc(b, '-');
		bee_buf_u64(b, -(uint64_t)v);
	} else {
		bee_buf_u64(b, v);
	}
}

static void buf_u128(struct bee_buf *b, unsigned __int128 v)
{
	char tmp[40];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + (int)(v % 10);
		v /= 10;
	} while (v);
	bee_buf_putn(b, tmp + i, sizeof(tmp) - i);
}

static void buf_s128(struct bee_buf *b, __int128 v)
{
	if (v < 0) {
		bee_buf_putc(b, '-');
		buf_u128(b, -(unsigned __int128)v);
	} else {
		buf_u128(b, v);
	}
}

static const char hexdig[] = "0123456789abcdef";

void bee_buf_hex64(struct bee_buf *b, uint64_t v)
{
	char tmp[18];
	int i = sizeof(tmp);

	do {
		tmp[--i] = hexdig[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	bee_buf_putn(b, tmp + i, sizeof(tmp) - i);
}

void bee_buf_hexbytes(struct bee_buf *b, const void *data, size_t size)
{
	const unsigned char *p = data;
	char *o;

	if (!size)
		return;
	if (b->len + size * 3 > b->cap && !bee_buf_grow(b, size * 3))
		return;
	o = b->p + b->len;
	for (size_t i = 0; i < size; i++) {
		*o++ = hexdig[p[i] >> 4];
		*o++ = hexdig[p[i] & 15];
		*o++ = ' ';
	}
	b->len += size * 3 - 1;
}

/* C-style escapes for text output: printable ASCII as is, the rest \xNN. */
static void buf_text_strn(struct bee_buf *b, const char *s, size_t n)
{
	bee_buf_putc(b, '"');
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"':
			bee_buf_puts(b, "\\\"");
			break;
		case '\\':
			bee_buf_puts(b, "\\\\");
			break;
		case '\n':
			bee_buf_puts(b, "\\n");
			break;
		case '\t':
			bee_buf_puts(b, "\\t");
			break;
		case '\r':
			bee_buf_puts(b, "\\r");
			break;
		default:
			if (c < 0x20 || c >= 0x7f) {
				char e[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };
				bee_buf_putn(b, e, 4);
			} else {
				bee_buf_putc(b, c);
			}
		}
	}
	bee_buf_putc(b, '"');
}

/* Bytes >= 0x80 are escaped as \u00NN too: a BPF char array holds bytes,
 * not necessarily UTF-8, and the output must stay valid JSON either way.
 * bee_btf_parse reads \u00NN back as the same byte. */
void bee_buf_json_strn(struct bee_buf *b, const char *s, size_t n)
{
	bee_buf_putc(b, '"');
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"':
			bee_buf_puts(b, "\\\"");
			break;
		case '\\':
			bee_buf_puts(b, "\\\\");
			break;
		case '\n':
			bee_buf_puts(b, "\\n");
			break;
		case '\t':
			bee_buf_puts(b, "\\t");
			break;
		case '\r':
			bee_buf_puts(b, "\\r");
			break;
		default:
			if (c < 0x20 || c >= 0x7f) {
				char e[6] = { '\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15] };
				bee_buf_putn(b, e, 6);
			} else {
				bee_buf_putc(b, c);
			}
		}
	}
	bee_buf_putc(b, '"');
}

/* ---- type helpers ---------------------------------------------------------- */

static bool is_qual(const struct btf_type *t)
{
	return btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t) || btf_is_type_tag(t);
}

/* Skip const/volatile/restrict/type tags (and typedefs too with @typedefs).
 * NULL for a missing type or a chain that does not end (malformed BTF). */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id, bool typedefs,
					uint32_t *out_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	for (int i = 0; t && i < MAX_DEPTH; i++) {
		if (!is_qual(t) && !(typedefs && btf_is_typedef(t)) && !btf_is_var(t)) {
			if (out_id)
				*out_id = id;
			return t;
		}
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	return NULL;
}

static const char *tname(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);

	return n ? n : "";
}

/* A one-byte integer that C calls a character ("char", "signed char",
 * "unsigned char", or BTF's CHAR encoding). Reached without going through
 * a typedef, so `__u8 mac[6]` stays numbers while `char comm[16]` is text. */
static bool is_char(const struct btf *btf, const struct btf_type *t)
{
	const char *n;

	if (!btf_is_int(t) || t->size != 1)
		return false;
	if (btf_int_encoding(t) & BTF_INT_CHAR)
		return true;
	n = tname(btf, t);
	return !strcmp(n, "char") || !strcmp(n, "signed char") || !strcmp(n, "unsigned char");
}

static bool is_char_array(const struct btf *btf, const struct btf_type *t)
{
	const struct btf_type *e;

	if (!btf_is_array(t))
		return false;
	e = skip_mods(btf, btf_array(t)->type, false, NULL);
	return e && is_char(btf, e);
}

/* A human name for messages: "struct event", "u32", "char[16]". */
static void type_desc_d(const struct btf *btf, uint32_t id, char *out, size_t n, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *kw = "";

	if (!t || depth > MAX_DEPTH) {
		snprintf(out, n, "type %u", id);
		return;
	}
	if (btf_is_struct(t))
		kw = "struct ";
	else if (btf_is_union(t))
		kw = "union ";
	else if (btf_is_any_enum(t))
		kw = "enum ";
	if (btf_is_array(t)) {
		char el[96];

		type_desc_d(btf, btf_array(t)->type, el, sizeof(el), depth + 1);
		snprintf(out, n, "%s[%u]", el, btf_array(t)->nelems);
	} else if (btf_is_ptr(t)) {
		snprintf(out, n, "pointer");
	} else if (is_qual(t)) {
		type_desc_d(btf, t->type, out, n, depth + 1);
	} else if (tname(btf, t)[0]) {
		snprintf(out, n, "%s%s", kw, tname(btf, t));
	} else {
		snprintf(out, n, "%s(anon)", kw);
	}
}

static void type_desc(const struct btf *btf, uint32_t id, char *out, size_t n)
{
	type_desc_d(btf, id, out, n, 0);
}

/* Read @nr_bits bits at bit @bit_off of @p (little-endian order: x86 and
 * arm64, the only targets bee builds for) as an unsigned 128-bit value. */
static unsigned __int128 read_bits(const unsigned char *p, uint32_t bit_off, uint32_t nr_bits)
{
	unsigned __int128 v = 0;
	uint32_t first, last, shift = bit_off % 8;

	if (nr_bits > 128) /* callers check; never past v, whatever the BTF says */
		nr_bits = 128;
	first = bit_off / 8;
	last = (bit_off + nr_bits + 7) / 8;
	if (!shift && nr_bits % 8 == 0) {
		memcpy(&v, p + first, nr_bits / 8);
		return v;
	}
	/* a misaligned field: at most 64 bits spread over at most 9 bytes */
	for (uint32_t i = last; i > first; i--)
		v = v << 8 | p[i - 1];
	v >>= shift;
	if (nr_bits < 128)
		v &= ((unsigned __int128)1 << nr_bits) - 1;
	return v;
}

static void write_bits(unsigned char *p, uint32_t bit_off, uint32_t nr_bits, unsigned __int128 v)
{
	uint32_t first, last, shift = bit_off % 8;
	unsigned __int128 mask, old = 0;

	if (nr_bits > 128) /* callers check; never past v, whatever the BTF says */
		nr_bits = 128;
	first = bit_off / 8;
	last = (bit_off + nr_bits + 7) / 8;
	if (!shift && nr_bits % 8 == 0) {
		memcpy(p + first, &v, nr_bits / 8);
		return;
	}
	for (uint32_t i = last; i > first; i--)
		old = old << 8 | p[i - 1];
	mask = (nr_bits < 128 ? ((unsigned __int128)1 << nr_bits) - 1 : ~(unsigned __int128)0);
	old = (old & ~(mask << shift)) | ((v & mask) << shift);
	for (uint32_t i = first; i < last; i++) {
		p[i] = (unsigned char)old;
		old >>= 8;
	}
}

static __int128 sign_extend(unsigned __int128 v, uint32_t nr_bits)
{
	if (nr_bits >= 128 || nr_bits == 0)
		return (__int128)v;
	if (v >> (nr_bits - 1) & 1)
		v |= ~(unsigned __int128)0 << nr_bits;
	return (__int128)v;
}

/* Where a value lives: @bits bits at bit @bit_off of @data, @avail bytes of
 * which may be read. For a plain value bit_off is 0 and bits is 0 (use the
 * type's size). */
struct loc {
	const unsigned char *data;
	size_t avail;
	uint32_t bit_off, bits;
};

/* ---- printer ---------------------------------------------------------------- */

struct pr {
	struct bee_buf *b;
	const struct btf *btf;
	bool json;
	bool raw_chars;
	unsigned long steps; /* values printed, against MAX_STEPS */
};

/* Damaged BTF can nest arrays and structs of size 0 so that a value of no
 * bytes holds 16^64 of them; real values hold far fewer than this. */
#define MAX_STEPS (1UL << 22)

static int fmt_value(struct pr *pr, uint32_t id, struct loc l, int depth);

static int too_short(struct pr *pr, uint32_t id, size_t need, size_t have)
{
	char d[128];

	type_desc(pr->btf, id, d, sizeof(d));
	pr_err("value of type '%s' needs %zu bytes, got %zu", d, need, have);
	return -EINVAL;
}

/* Load an integer-like value (int, enum, bitfield) with bounds checks. */
static int load_int(struct pr *pr, uint32_t id, struct loc l, uint32_t size, uint32_t int_off,
		    uint32_t int_bits, unsigned __int128 *v)
{
	uint32_t off = l.bit_off + int_off, bits = l.bits ? l.bits : int_bits;

	if (!bits)
		bits = size * 8;
	if (bits > 128 || (bits > 64 && (off % 8 || bits % 8)))
		goto bad;
	if ((off + bits + 7) / 8 > l.avail)
		return too_short(pr, id, (off + bits + 7) / 8, l.avail);
	*v = read_bits(l.data, off, bits);
	return bits;
bad:
	pr_err("type [%u]: unsupported integer of %u bits at bit %u", id, bits, off);
	return -EINVAL;
}

static void fmt_char(struct pr *pr, unsigned char c)
{
	if (pr->json) {
		bee_buf_u64(pr->b, c);
		return;
	}
	bee_buf_putc(pr->b, '\'');
	if (c == '\'' || c == '\\') {
		bee_buf_putc(pr->b, '\\');
		bee_buf_putc(pr->b, c);
	} else if (c < 0x20 || c >= 0x7f) {
		char e[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };
		bee_buf_putn(pr->b, e, 4);
	} else {
		bee_buf_putc(pr->b, c);
	}
	bee_buf_putc(pr->b, '\'');
}

static int fmt_int(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l)
{
	uint8_t enc = btf_int_encoding(t);
	unsigned __int128 v;
	int bits;

	bits = load_int(pr, id, l, t->size, l.bits ? 0 : btf_int_offset(t),
			l.bits ? 0 : btf_int_bits(t), &v);
	if (bits < 0)
		return bits;
	if (enc & BTF_INT_BOOL) {
		bee_buf_puts(pr->b, v ? "true" : "false");
	} else if (bits == 8 && ((enc & BTF_INT_CHAR) || !strcmp(tname(pr->btf, t), "char"))) {
		/* plain char only: "unsigned char" is how u8 reaches here */
		fmt_char(pr, (unsigned char)v);
	} else if (enc & BTF_INT_SIGNED) {
		__int128 s = sign_extend(v, bits);
		if (bits <= 64)
			bee_buf_s64(pr->b, (int64_t)s);
		else
			buf_s128(pr->b, s);
	} else if (bits <= 64) {
		bee_buf_u64(pr->b, (uint64_t)v);
	} else {
		buf_u128(pr->b, v);
	}
	return 0;
}

/* Names can be missing in damaged BTF: never NULL. */
static const char *str_at(const struct btf *btf, uint32_t off)
{
	const char *n = btf__name_by_offset(btf, off);

	return n ? n : "";
}

static const char *enum_at(const struct btf *btf, const struct btf_type *t, int i, uint64_t *val)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t) + i;
		*val = btf_kflag(t) ? (uint64_t)(int64_t)(int32_t)e->val : (uint64_t)(uint32_t)e->val;
		return str_at(btf, e->name_off);
	}
	*val = btf_enum64_value(btf_enum64(t) + i);
	return str_at(btf, btf_enum64(t)[i].name_off);
}

static int fmt_enum(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l)
{
	unsigned __int128 raw;
	uint64_t v, ev, rest;
	bool is_signed = btf_kflag(t);
	int bits, n = btf_vlen(t);

	if (t->size > 8) {
		pr_err("type [%u]: enum of %u bytes", id, t->size);
		return -EINVAL;
	}
	bits = load_int(pr, id, l, t->size, 0, 0, &raw);
	if (bits < 0)
		return bits;
	v = is_signed ? (uint64_t)(int64_t)sign_extend(raw, bits) : (uint64_t)raw;
	/* enum values were sign-extended from their declared width */
	for (int i = 0; i < n; i++) {
		const char *name = enum_at(pr->btf, t, i, &ev);
		if (t->size < 8 && !is_signed)
			ev &= (1ULL << (t->size * 8)) - 1;
		if (ev == v) {
			if (pr->json)
				bee_buf_json_strn(pr->b, name, (size_t)-1);
			else
				bee_buf_puts(pr->b, name);
			return 0;
		}
	}
	/* A flags enum: every set bit named by a single-bit constant. */
	rest = v;
	if (v && !is_signed) {
		for (int i = 0; i < n && rest; i++) {
			enum_at(pr->btf, t, i, &ev);
			if (ev && !(ev & (ev - 1)) && (rest & ev))
				rest &= ~ev;
		}
	}
	if (v && !rest && !is_signed) {
		bool first = true;

		if (pr->json)
			bee_buf_putc(pr->b, '"');
		rest = v;
		for (int i = 0; i < n && rest; i++) {
			const char *name = enum_at(pr->btf, t, i, &ev);
			if (ev && !(ev & (ev - 1)) && (rest & ev)) {
				if (!first)
					bee_buf_putc(pr->b, '|');
				bee_buf_puts(pr->b, name);
				rest &= ~ev;
				first = false;
			}
		}
		if (pr->json)
			bee_buf_putc(pr->b, '"');
		return 0;
	}
	if (is_signed)
		bee_buf_s64(pr->b, (int64_t)v);
	else
		bee_buf_u64(pr->b, v);
	return 0;
}

static int fmt_float(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l)
{
	char tmp[64];
	long double v;

	if (l.bits || l.bit_off % 8)
		goto bad;
	if (l.bit_off / 8 + t->size > l.avail)
		return too_short(pr, id, l.bit_off / 8 + t->size, l.avail);
	switch (t->size) {
	case 4: {
		float f;
		memcpy(&f, l.data + l.bit_off / 8, 4);
		v = f;
		snprintf(tmp, sizeof(tmp), "%.9g", f);
		break;
	}
	case 8: {
		double d;
		memcpy(&d, l.data + l.bit_off / 8, 8);
		v = d;
		snprintf(tmp, sizeof(tmp), "%.17g", d);
		break;
	}
	case 16: {
		long double ld;
		memcpy(&ld, l.data + l.bit_off / 8, sizeof(ld) < 16 ? sizeof(ld) : 16);
		v = ld;
		snprintf(tmp, sizeof(tmp), "%.21Lg", ld);
		break;
	}
	default:
		goto bad;
	}
	/* JSON has no NaN or infinity: those go as strings, which
	 * bee_btf_parse takes back. */
	if (pr->json && !isfinite(v))
		bee_buf_json_strn(pr->b, tmp, sizeof(tmp));
	else
		bee_buf_puts(pr->b, tmp);
	return 0;
bad:
	pr_err("type [%u]: unsupported float of %u bytes", id, t->size);
	return -EINVAL;
}

static int fmt_ptr(struct pr *pr, uint32_t id, struct loc l)
{
	size_t psz = btf__pointer_size(pr->btf);
	uint64_t v = 0;

	if (psz != 4 && psz != 8)
		psz = 8;
	if (l.bit_off % 8 || l.bits) {
		pr_err("type [%u]: pointer at a bit offset", id);
		return -EINVAL;
	}
	if (l.bit_off / 8 + psz > l.avail)
		return too_short(pr, id, l.bit_off / 8 + psz, l.avail);
	memcpy(&v, l.data + l.bit_off / 8, psz);
	if (pr->json)
		bee_buf_u64(pr->b, v);
	else
		bee_buf_hex64(pr->b, v);
	return 0;
}

static int fmt_array(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l, int depth)
{
	const struct btf_array *a = btf_array(t);
	size_t off = l.bit_off / 8;
	int64_t esz;
	int err;

	if (l.bit_off % 8 || l.bits) {
		pr_err("type [%u]: array at a bit offset", id);
		return -EINVAL;
	}
	esz = btf__resolve_size(pr->btf, a->type);
	if (esz < 0) {
		pr_err("type [%u]: array element type [%u] has no size", id, a->type);
		return (int)esz;
	}
	if (off > l.avail || (uint64_t)esz * a->nelems > l.avail - off)
		return too_short(pr, id, off + (uint64_t)esz * a->nelems, l.avail);
	/* Elements of size 0 take no room, so the size check above bounds
	 * nothing: damaged BTF can claim 4 billion of them (found by
	 * fuzz_btf_fmt). Real C has at most a few (struct {} x[N]). */
	if (!esz && a->nelems > 16) {
		pr_err("type [%u]: array of %u elements of size 0", id, a->nelems);
		return -EINVAL;
	}
	if (!pr->raw_chars && is_char_array(pr->btf, t)) {
		if (pr->json)
			bee_buf_json_strn(pr->b, (const char *)l.data + off, a->nelems);
		else
			buf_text_strn(pr->b, (const char *)l.data + off, a->nelems);
		return 0;
	}
	bee_buf_putc(pr->b, '[');
	for (uint32_t i = 0; i < a->nelems; i++) {
		struct loc el = { l.data + off + i * esz, l.avail - off - i * esz, 0, 0 };

		if (i)
			bee_buf_putc(pr->b, pr->json ? ',' : ' ');
		err = fmt_value(pr, a->type, el, depth + 1);
		if (err)
			return err;
	}
	bee_buf_putc(pr->b, ']');
	return 0;
}

/* Members of a struct or union; anonymous struct/union members are printed
 * inline, as C code names them (ev.x for a member of an anonymous union). */
static int fmt_members(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l,
		       int depth, bool *first)
{
	const struct btf_member *m = btf_members(t);
	size_t off = l.bit_off / 8;
	int err;

	if (depth > MAX_DEPTH) {
		pr_err("type [%u]: nested deeper than %d levels", id, MAX_DEPTH);
		return -ELOOP;
	}
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(pr->btf, m->name_off);
		uint32_t boff = btf_member_bit_offset(t, i), bsz = btf_member_bitfield_size(t, i);
		const struct btf_type *mt = skip_mods(pr->btf, m->type, true, NULL);
		struct loc ml = { l.data + off, l.avail - off, boff, bsz };

		if (!mt) {
			pr_err("type [%u]: member %d has a broken type", id, i);
			return -EINVAL;
		}
		if (boff / 8 > ml.avail)
			return too_short(pr, id, off + boff / 8, l.avail);
		if ((!name || !name[0]) && btf_is_composite(mt)) {
			ml.data += boff / 8;
			ml.avail -= boff / 8;
			ml.bit_off = 0;
			ml.bits = 0;
			if (boff % 8) {
				pr_err("type [%u]: anonymous member at bit %u", id, boff);
				return -EINVAL;
			}
			err = fmt_members(pr, m->type, mt, ml, depth + 1, first);
			if (err)
				return err;
			continue;
		}
		if (!pr->json)
			bee_buf_putc(pr->b, ' ');
		else if (!*first)
			bee_buf_putc(pr->b, ',');
		*first = false;
		if (pr->json) {
			bee_buf_json_strn(pr->b, name ? name : "", (size_t)-1);
			bee_buf_putc(pr->b, ':');
		} else {
			bee_buf_puts(pr->b, name ? name : "");
			bee_buf_putc(pr->b, '=');
		}
		/* A member's bit offset stays in the loc so that ints and enums
		 * can be read at any bit; aggregates start on a byte. */
		if (!bsz && boff % 8 == 0) {
			ml.data += boff / 8;
			ml.avail -= boff / 8;
			ml.bit_off = 0;
		}
		err = fmt_value(pr, m->type, ml, depth + 1);
		if (err)
			return err;
	}
	return 0;
}

static int fmt_composite(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l,
			 int depth)
{
	bool first = true;
	int err;

	if (l.bit_off % 8 || l.bits) {
		pr_err("type [%u]: struct at a bit offset", id);
		return -EINVAL;
	}
	if (l.bit_off / 8 + t->size > l.avail)
		return too_short(pr, id, l.bit_off / 8 + t->size, l.avail);
	bee_buf_putc(pr->b, '{');
	err = fmt_members(pr, id, t, l, depth, &first);
	if (err)
		return err;
	if (pr->json)
		bee_buf_putc(pr->b, '}');
	else
		bee_buf_puts(pr->b, first ? "}" : " }");
	return 0;
}

/* A data section (.bss, .data, .rodata maps): its variables by name. */
static int fmt_datasec(struct pr *pr, uint32_t id, const struct btf_type *t, struct loc l,
		       int depth)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	bool first = true;
	int err;

	bee_buf_putc(pr->b, '{');
	for (int i = 0; i < btf_vlen(t); i++, v++) {
		const struct btf_type *vt = btf__type_by_id(pr->btf, v->type);
		const char *name = vt ? tname(pr->btf, vt) : "";
		struct loc vl = { l.data + v->offset, 0, 0, 0 };

		if ((uint64_t)v->offset + v->size > l.avail)
			return too_short(pr, id, (uint64_t)v->offset + v->size, l.avail);
		vl.avail = v->size;
		if (!pr->json)
			bee_buf_putc(pr->b, ' ');
		else if (!first)
			bee_buf_putc(pr->b, ',');
		first = false;
		if (pr->json) {
			bee_buf_json_strn(pr->b, name, (size_t)-1);
			bee_buf_putc(pr->b, ':');
		} else {
			bee_buf_puts(pr->b, name);
			bee_buf_putc(pr->b, '=');
		}
		err = fmt_value(pr, v->type, vl, depth + 1);
		if (err)
			return err;
	}
	if (pr->json)
		bee_buf_putc(pr->b, '}');
	else
		bee_buf_puts(pr->b, first ? "}" : " }");
	return 0;
}

static int fmt_value(struct pr *pr, uint32_t id, struct loc l, int depth)
{
	const struct btf_type *t;
	uint32_t rid;

	if (depth > MAX_DEPTH) {
		pr_err("type [%u]: nested deeper than %d levels", id, MAX_DEPTH);
		return -ELOOP;
	}
	if (++pr->steps > MAX_STEPS) {
		pr_err("type [%u]: more than %lu values in one", id, MAX_STEPS);
		return -E2BIG;
	}
	t = skip_mods(pr->btf, id, true, &rid);
	if (!t) {
		pr_err("type [%u]: missing type or a cycle of typedefs/modifiers", id);
		return -EINVAL;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return fmt_int(pr, rid, t, l);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return fmt_enum(pr, rid, t, l);
	case BTF_KIND_FLOAT:
		return fmt_float(pr, rid, t, l);
	case BTF_KIND_PTR:
		return fmt_ptr(pr, rid, l);
	case BTF_KIND_ARRAY:
		return fmt_array(pr, rid, t, l, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return fmt_composite(pr, rid, t, l, depth);
	case BTF_KIND_DATASEC:
		return fmt_datasec(pr, rid, t, l, depth);
	default: {
		char d[128];
		type_desc(pr->btf, rid, d, sizeof(d));
		pr_err("type [%u] '%s' (BTF kind %u) has no value to print", rid, d, btf_kind(t));
		return -EINVAL;
	}
	}
}

/* ---- the event decoder's fast path ------------------------------------------ */

/* Most event records are flat structs of integers and char arrays. For such
 * a type the walk over BTF is compiled once into a list of fields with
 * their keys pre-rendered, and each record becomes one loop: this is what
 * lets `bee run` decode hundreds of thousands of records per second. Any
 * other type takes the general path; the output is the same either way. */
enum { PF_U, PF_S, PF_BOOL, PF_STR };

struct plan_field {
	uint8_t kind, size;
	uint16_t off, len;      /* len: char array length */
	uint8_t tkey_len, jkey_len;
	char tkey[62];          /* " name=" */
	char jkey[66];          /* "\"name\":" (with a leading comma after the first) */
};

struct plan {
	const struct btf *btf;
	uint32_t id;
	/* what the plan was built from, checked on every use: a BTF freed and
	 * another allocated at the same address must not reuse a stale plan */
	uint32_t type_cnt;
	unsigned char raw[sizeof(struct btf_type) + 24 * sizeof(struct btf_member)];
	size_t raw_len;
	bool ok;
	uint32_t size;
	int n;
	struct plan_field f[24];
};

static bool plan_build(struct plan *p, const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = skip_mods(btf, id, true, NULL);
	const struct btf_member *m;

	memset(p, 0, sizeof(*p));
	p->btf = btf;
	p->id = id;
	p->type_cnt = btf__type_cnt(btf);
	if (!t || !btf_is_struct(t) || btf_vlen(t) > (int)ARRAY_SIZE(p->f) || btf_vlen(t) == 0)
		return false;
	p->raw_len = sizeof(*t) + btf_vlen(t) * sizeof(struct btf_member);
	memcpy(p->raw, t, p->raw_len);
	p->size = t->size;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		struct plan_field *f = &p->f[p->n++];
		const char *name = btf__name_by_offset(btf, m->name_off);
		uint32_t boff = btf_member_bit_offset(t, i);
		const struct btf_type *mt = skip_mods(btf, m->type, true, NULL);

		if (!name || !name[0] || strlen(name) > 56 || btf_member_bitfield_size(t, i) ||
		    boff % 8 || !mt)
			return false;
		f->off = boff / 8;
		if (btf_is_int(mt)) {
			uint8_t enc = btf_int_encoding(mt);
			if (btf_int_offset(mt) || btf_int_bits(mt) != mt->size * 8 ||
			    (mt->size != 1 && mt->size != 2 && mt->size != 4 && mt->size != 8))
				return false;
			if (mt->size == 1 && ((enc & BTF_INT_CHAR) || !strcmp(tname(btf, mt), "char")))
				return false; /* printed as 'c' */
			f->kind = enc & BTF_INT_BOOL ? PF_BOOL : enc & BTF_INT_SIGNED ? PF_S : PF_U;
			f->size = mt->size;
		} else if (is_char_array(btf, mt)) {
			f->kind = PF_STR;
			f->len = btf_array(mt)->nelems;
			f->size = 1;
			if (f->len > 4096)
				return false;
		} else {
			return false;
		}
		if ((uint32_t)f->off + (f->kind == PF_STR ? f->len : f->size) > t->size)
			return false;
		f->tkey_len = snprintf(f->tkey, sizeof(f->tkey), " %s=", name);
		f->jkey_len = snprintf(f->jkey, sizeof(f->jkey), "%s\"%s\":", i ? "," : "", name);
	}
	p->ok = true;
	return true;
}

static const struct plan *plan_get(const struct btf *btf, uint32_t id)
{
	static __thread struct plan cache[4];
	static __thread unsigned next;

	const struct btf_type *t = skip_mods(btf, id, true, NULL);

	for (unsigned i = 0; i < ARRAY_SIZE(cache); i++) {
		struct plan *c = &cache[i];
		if (c->btf != btf || c->id != id || c->type_cnt != btf__type_cnt(btf))
			continue;
		if (t && c->raw_len && !memcmp(c->raw, t, c->raw_len))
			return c->ok ? c : NULL;
		if (!c->raw_len && !c->ok)
			return NULL;
	}
	struct plan *p = &cache[next++ % ARRAY_SIZE(cache)];
	return plan_build(p, btf, id) ? p : NULL;
}

static void plan_fmt(struct bee_buf *b, const struct plan *p, const unsigned char *d, bool json)
{
	bee_buf_putc(b, '{');
	for (int i = 0; i < p->n; i++) {
		const struct plan_field *f = &p->f[i];
		const unsigned char *v = d + f->off;
		uint64_t u = 0;

		if (json)
			bee_buf_putn(b, f->jkey, f->jkey_len);
		else
			bee_buf_putn(b, f->tkey, f->tkey_len);
		if (f->kind == PF_STR) {
			if (json)
				bee_buf_json_strn(b, (const char *)v, f->len);
			else
				buf_text_strn(b, (const char *)v, f->len);
			continue;
		}
		switch (f->size) {
		case 1: u = *v; break;
		case 2: { uint16_t x; memcpy(&x, v, 2); u = x; break; }
		case 4: { uint32_t x; memcpy(&x, v, 4); u = x; break; }
		default: memcpy(&u, v, 8); break;
		}
		if (f->kind == PF_BOOL)
			bee_buf_puts(b, u ? "true" : "false");
		else if (f->kind == PF_S)
			bee_buf_s64(b, f->size == 8 ? (int64_t)u : f->size == 4 ? (int32_t)u :
					f->size == 2 ? (int16_t)u : (int8_t)u);
		else
			bee_buf_u64(b, u);
	}
	bee_buf_puts(b, json ? "}" : " }");
}

int bee_btf_fmt(struct bee_buf *b, const struct btf *btf, uint32_t type_id, const void *data,
		size_t size, unsigned flags)
{
	struct pr pr = { b, btf, flags & BEE_FMT_JSON, flags & BEE_FMT_RAW_CHARS };
	struct loc l = { data, size, 0, 0 };
	size_t start = b->len;
	int64_t need;
	int err;

	if (!btf || !data) {
		pr_err("no BTF or no data to print");
		return -EINVAL;
	}
	need = btf__resolve_size(btf, type_id);
	if (need < 0) {
		pr_err("type [%u] has no size (%s)", type_id, strerror((int)-need));
		return (int)need;
	}
	if ((uint64_t)need > size)
		return too_short(&pr, type_id, need, size);
	if (!pr.raw_chars) {
		const struct plan *p = plan_get(btf, type_id);
		if (p && p->size == (uint64_t)need) {
			plan_fmt(b, p, data, pr.json);
			return b->oom ? (b->len = start, -ENOMEM) : 0;
		}
	}
	err = fmt_value(&pr, type_id, l, 0);
	if (!err && b->oom)
		err = -ENOMEM;
	if (err)
		b->len = start;
	return err;
}

int bee_btf_fprint(FILE *out, const struct btf *btf, uint32_t type_id, const void *data,
		   size_t size, unsigned flags)
{
	struct bee_buf b = {};
	int err;

	err = bee_btf_fmt(&b, btf, type_id, data, size, flags);
	if (!err && b.len && fwrite(b.p, 1, b.len, out) != b.len)
		err = -EIO;
	free(b.p);
	return err;
}

/* ---- parser ------------------------------------------------------------------ */

/*
 * The grammar is a superset of JSON and of the printer's text form, so
 * whatever bee prints it reads back:
 *   value  := number | 'c' | string | word | object | array
 *   object := '{' [ key (':'|'=') value { [','] key (':'|'=') value } ] '}'
 *   array  := '[' [ value { [','] value } ] ']'
 * Keys may be quoted or bare; words are enum names, true/false, nan/inf.
 */
struct ps {
	const struct btf *btf;
	const char *text, *p;
	char path[256]; /* where we are, for messages: "args[2]", "inner.a" */
};

static void ps_ws(struct ps *ps)
{
	while (*ps->p && isspace((unsigned char)*ps->p))
		ps->p++;
}

static int ps_err(struct ps *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ps_err(struct ps *ps, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->path[0])
		pr_err("%s: %s", ps->path, msg);
	else
		pr_err("%s", msg);
	return -EINVAL;
}

static bool word_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr(",:=[]{}\"", c);
}

/* A bare token (number or word) into @out; false when there is none or it
 * is longer than @n - 1. */
static bool ps_tok(struct ps *ps, char *out, size_t n)
{
	size_t len = 0;

	ps_ws(ps);
	while (word_char(ps->p[len]))
		len++;
	if (!len || len >= n)
		return false;
	memcpy(out, ps->p, len);
	out[len] = 0;
	ps->p += len;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A quoted string with JSON and C escapes, decoded into @out (at most @n
 * bytes; the real length is returned so callers can say it does not fit). */
static int ps_string(struct ps *ps, char quote, char *out, size_t n, size_t *len)
{
	size_t k = 0;

	ps->p++; /* opening quote */
	for (;;) {
		int c = (unsigned char)*ps->p++;

		if (!c)
			return ps_err(ps, "unterminated string");
		if (c == quote)
			break;
		if (c == '\\') {
			int e = *ps->p++, h1, h2;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '0': c = 0; break;
			case '/': case '\\': case '"': case '\'': c = e; break;
			case 'x':
				h1 = hexval(ps->p[0]);
				h2 = h1 < 0 ? -1 : hexval(ps->p[1]);
				if (h2 < 0)
					return ps_err(ps, "bad \\x escape in string");
				c = h1 * 16 + h2;
				ps->p += 2;
				break;
			case 'u': {
				int v = 0;
				for (int i = 0; i < 4; i++) {
					int h = hexval(ps->p[i]);
					if (h < 0)
						return ps_err(ps, "bad \\u escape in string");
					v = v * 16 + h;
				}
				ps->p += 4;
				/* bytes: \u0000-\u00ff are the bytes bee prints;
				 * anything above is stored as UTF-8 */
				if (v > 0xff) {
					char u[3];
					int ul;
					if (v < 0x800) {
						u[0] = 0xc0 | v >> 6;
						u[1] = 0x80 | (v & 0x3f);
						ul = 2;
					} else {
						u[0] = 0xe0 | v >> 12;
						u[1] = 0x80 | ((v >> 6) & 0x3f);
						u[2] = 0x80 | (v & 0x3f);
						ul = 3;
					}
					for (int i = 0; i < ul; i++, k++)
						if (k < n)
							out[k] = u[i];
					continue;
				}
				c = v;
				break;
			}
			default:
				return ps_err(ps, "unknown escape '\\%c' in string", e ? e : '0');
			}
		}
		if (k < n)
			out[k] = (char)c;
		k++;
	}
	*len = k;
	return 0;
}

/* Parse an integer literal (decimal, 0x hex, 0 octal, 0b binary, negative,
 * 'c') into a 128-bit value; *neg tells whether it had a minus sign and
 * *hexlike whether it was written as a bit pattern (hex/octal/binary). */
static int parse_int128(const char *s, unsigned __int128 *v, bool *neg, bool *pattern)
{
	unsigned __int128 r = 0, lim;
	int base = 10, d;

	*neg = false;
	*pattern = false;
	if (s[0] == '\'') {
		/* 'c' or '\n' or '\x41' */
		size_t n = strlen(s);
		if (n == 3 && s[2] == '\'') {
			*v = (unsigned char)s[1];
			return 0;
		}
		if (n == 4 && s[1] == '\\' && s[3] == '\'') {
			switch (s[2]) {
			case 'n': *v = '\n'; return 0;
			case 't': *v = '\t'; return 0;
			case 'r': *v = '\r'; return 0;
			case '0': *v = 0; return 0;
			case '\\': case '\'': case '"': *v = (unsigned char)s[2]; return 0;
			default: return -EINVAL;
			}
		}
		if (n == 6 && s[1] == '\\' && s[2] == 'x' && s[5] == '\'' && hexval(s[3]) >= 0 &&
		    hexval(s[4]) >= 0) {
			*v = hexval(s[3]) * 16 + hexval(s[4]);
			return 0;
		}
		return -EINVAL;
	}
	if (*s == '-' || *s == '+') {
		*neg = *s == '-';
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	*pattern = base != 10;
	if (!*s)
		return -EINVAL;
	lim = ~(unsigned __int128)0;
	for (; *s; s++) {
		if (*s == '_')
			continue;
		d = hexval(*s);
		if (d < 0 || d >= base)
			return -EINVAL;
		if (r > (lim - d) / base)
			return -ERANGE;
		r = r * base + d;
	}
	*v = r;
	return 0;
}

static int parse_value(struct ps *ps, uint32_t id, unsigned char *out, size_t avail,
		       uint32_t bit_off, uint32_t bits, int depth);

static int store_int(struct ps *ps, const char *tok, uint32_t id, bool is_signed, bool is_bool,
		     unsigned char *out, size_t avail, uint32_t bit_off, uint32_t bits)
{
	unsigned __int128 v, umax;
	bool neg, pattern;
	int err;

	if ((bit_off + bits + 7) / 8 > avail)
		return ps_err(ps, "value does not fit in %zu bytes", avail);
	if (is_bool && (!strcmp(tok, "true") || !strcmp(tok, "false"))) {
		write_bits(out, bit_off, bits, tok[0] == 't');
		return 0;
	}
	err = parse_int128(tok, &v, &neg, &pattern);
	if (err)
		return ps_err(ps, "'%s' is not %s", tok,
			      is_bool ? "a boolean (true, false, 0, 1)" : "an integer");
	umax = bits >= 128 ? ~(unsigned __int128)0 : ((unsigned __int128)1 << bits) - 1;
	if (is_bool && !neg && v > 1)
		goto range;
	if (neg) {
		/* -0 is 0; otherwise only signed types take a minus sign */
		if (v && (!is_signed || v - 1 > umax >> 1))
			goto range;
		v = -v;
	} else if (is_signed && !pattern && v > umax >> 1) {
		goto range; /* decimal must be in range; hex may give the bit pattern */
	} else if (v > umax) {
		goto range;
	}
	write_bits(out, bit_off, bits, v & umax);
	return 0;
range:
	return ps_err(ps, "%s does not fit in %s%u bits", tok,
		      is_bool ? "a boolean of " : is_signed ? "signed " : "unsigned ", bits);
}

static int parse_enum(struct ps *ps, uint32_t id, const struct btf_type *t, unsigned char *out,
		      size_t avail, uint32_t bit_off, uint32_t bits)
{
	char tok[256], *save, *w;
	uint64_t v = 0, ev;
	bool found;

	if (*ps->p == '"') {
		size_t len;
		int err = ps_string(ps, '"', tok, sizeof(tok) - 1, &len);
		if (err)
			return err;
		if (len >= sizeof(tok))
			return ps_err(ps, "enum name too long");
		tok[len] = 0;
	} else if (!ps_tok(ps, tok, sizeof(tok))) {
		return ps_err(ps, "expected an enum value");
	}
	if (!bits)
		bits = t->size * 8;
	/* as fmt_enum: damaged BTF may claim a 105-byte enum (fuzz_btf_fmt) */
	if (t->size > 8 || bits > 64)
		return ps_err(ps, "enum of %u bytes (%u bits)", t->size, bits);
	if (tok[0] == '-' || isdigit((unsigned char)tok[0]) || tok[0] == '\'')
		return store_int(ps, tok, id, btf_kflag(t), false, out, avail, bit_off, bits);
	/* NAME or NAME|NAME|... */
	for (w = strtok_r(tok, "|", &save); w; w = strtok_r(NULL, "|", &save)) {
		found = false;
		for (int i = 0; i < btf_vlen(t); i++) {
			if (!strcmp(enum_at(ps->btf, t, i, &ev), w)) {
				v |= ev;
				found = true;
				break;
			}
		}
		if (!found) {
			char d[128];
			type_desc(ps->btf, id, d, sizeof(d));
			return ps_err(ps, "'%s' is not a value of %s", w, d);
		}
	}
	if ((bit_off + bits + 7) / 8 > avail)
		return ps_err(ps, "value does not fit in %zu bytes", avail);
	write_bits(out, bit_off, bits, v);
	return 0;
}

static int parse_float(struct ps *ps, const struct btf_type *t, unsigned char *out, size_t avail,
		       uint32_t bit_off)
{
	char tok[128], *end;
	long double v;
	size_t len;

	if (*ps->p == '"') {
		int err = ps_string(ps, '"', tok, sizeof(tok) - 1, &len);
		if (err)
			return err;
		if (len >= sizeof(tok))
			return ps_err(ps, "number too long");
		tok[len] = 0;
	} else if (!ps_tok(ps, tok, sizeof(tok))) {
		return ps_err(ps, "expected a number");
	}
	errno = 0;
	v = strtold(tok, &end);
	if (end == tok || *end)
		return ps_err(ps, "'%s' is not a number", tok);
	if (bit_off % 8 || bit_off / 8 + t->size > avail)
		return ps_err(ps, "value does not fit");
	out += bit_off / 8;
	switch (t->size) {
	case 4: {
		float f = (float)v;
		memcpy(out, &f, 4);
		break;
	}
	case 8: {
		double d = (double)v;
		memcpy(out, &d, 8);
		break;
	}
	case 16:
		memcpy(out, &v, sizeof(v) < 16 ? sizeof(v) : 16);
		break;
	default:
		return ps_err(ps, "unsupported float of %u bytes", t->size);
	}
	return 0;
}

static int parse_array(struct ps *ps, uint32_t id, const struct btf_type *t, unsigned char *out,
		       size_t avail, int depth)
{
	const struct btf_array *a = btf_array(t);
	size_t plen = strlen(ps->path);
	int64_t esz = btf__resolve_size(ps->btf, a->type);
	uint32_t i = 0;
	int err;

	if (esz < 0)
		return ps_err(ps, "array element type [%u] has no size", a->type);
	if ((uint64_t)esz * a->nelems > avail)
		return ps_err(ps, "array does not fit in %zu bytes", avail);
	if (*ps->p == '"' && is_char_array(ps->btf, t)) {
		size_t len;

		err = ps_string(ps, '"', (char *)out, a->nelems, &len);
		if (err)
			return err;
		if (len > a->nelems)
			return ps_err(ps, "string of %zu bytes does not fit in char[%u]", len,
				      a->nelems);
		memset(out + len, 0, a->nelems - len);
		return 0;
	}
	if (*ps->p != '[')
		return ps_err(ps, "expected '['%s", is_char_array(ps->btf, t) ? " or a string" : "");
	ps->p++;
	for (;;) {
		ps_ws(ps);
		if (*ps->p == ']') {
			ps->p++;
			break;
		}
		if (i >= a->nelems)
			return ps_err(ps, "more than %u elements", a->nelems);
		snprintf(ps->path + plen, sizeof(ps->path) - plen, "[%u]", i);
		err = parse_value(ps, a->type, out + i * esz, avail - i * esz, 0, 0, depth + 1);
		if (err)
			return err;
		ps->path[plen] = 0;
		i++;
		ps_ws(ps);
		if (*ps->p == ',')
			ps->p++;
		else if (*ps->p != ']' && !word_char(*ps->p) && !strchr("[{\"'", *ps->p))
			return ps_err(ps, "expected ',' or ']'");
	}
	/* elements not given stay zero */
	return 0;
}

/* Find member @name in @t, looking into anonymous struct/union members.
 * Returns the member's type id and its bit offset / bitfield size. */
static bool find_member(const struct btf *btf, const struct btf_type *t, const char *name,
			uint32_t *type, uint32_t *bit_off, uint32_t *bits, int depth)
{
	const struct btf_member *m = btf_members(t);

	if (depth > MAX_DEPTH)
		return false;
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt;

		if (mn && mn[0]) {
			if (strcmp(mn, name))
				continue;
			*type = m->type;
			*bit_off = btf_member_bit_offset(t, i);
			*bits = btf_member_bitfield_size(t, i);
			return true;
		}
		mt = skip_mods(btf, m->type, true, NULL);
		if (mt && btf_is_composite(mt) &&
		    find_member(btf, mt, name, type, bit_off, bits, depth + 1)) {
			*bit_off += btf_member_bit_offset(t, i);
			return true;
		}
	}
	return false;
}

static int parse_struct(struct ps *ps, uint32_t id, const struct btf_type *t, unsigned char *out,
			size_t avail, int depth)
{
	size_t plen = strlen(ps->path);
	char key[256];
	int err;

	if (t->size > avail)
		return ps_err(ps, "struct does not fit in %zu bytes", avail);
	if (*ps->p != '{') {
		char d[128];
		type_desc(ps->btf, id, d, sizeof(d));
		return ps_err(ps, "expected '{' for %s", d);
	}
	ps->p++;
	for (;;) {
		uint32_t mtype, boff, bsz;
		size_t klen;

		ps_ws(ps);
		if (*ps->p == '}') {
			ps->p++;
			break;
		}
		if (*ps->p == '"') {
			err = ps_string(ps, '"', key, sizeof(key) - 1, &klen);
			if (err)
				return err;
			if (klen >= sizeof(key))
				return ps_err(ps, "field name too long");
			key[klen] = 0;
		} else if (!ps_tok(ps, key, sizeof(key))) {
			return ps_err(ps, "expected a field name or '}'");
		}
		ps_ws(ps);
		if (*ps->p != ':' && *ps->p != '=')
			return ps_err(ps, "expected ':' or '=' after '%s'", key);
		ps->p++;
		if (!find_member(ps->btf, t, key, &mtype, &boff, &bsz, 0)) {
			char d[128];
			type_desc(ps->btf, id, d, sizeof(d));
			return ps_err(ps, "%s has no field '%s'", d, key);
		}
		snprintf(ps->path + plen, sizeof(ps->path) - plen, "%s%s", plen ? "." : "", key);
		if (boff / 8 > avail)
			return ps_err(ps, "field at byte %u is outside the value", boff / 8);
		if (!bsz && boff % 8 == 0)
			err = parse_value(ps, mtype, out + boff / 8, avail - boff / 8, 0, 0, depth + 1);
		else
			err = parse_value(ps, mtype, out, avail, boff, bsz, depth + 1);
		if (err)
			return err;
		ps->path[plen] = 0;
		ps_ws(ps);
		if (*ps->p == ',')
			ps->p++;
	}
	return 0;
}

static int parse_value(struct ps *ps, uint32_t id, unsigned char *out, size_t avail,
		       uint32_t bit_off, uint32_t bits, int depth)
{
	const struct btf_type *t;
	char tok[256];
	uint32_t rid;

	if (depth > MAX_DEPTH)
		return ps_err(ps, "nested deeper than %d levels", MAX_DEPTH);
	t = skip_mods(ps->btf, id, true, &rid);
	if (!t)
		return ps_err(ps, "type [%u] is missing or a cycle", id);
	ps_ws(ps);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint8_t enc = btf_int_encoding(t);
		if (!bits) {
			bit_off += btf_int_offset(t);
			bits = btf_int_bits(t);
		}
		if (bits > 128 || (bits > 64 && (bit_off % 8 || bits % 8)))
			return ps_err(ps, "unsupported integer of %u bits", bits);
		if (*ps->p == '\'') {
			/* a char literal is one token including its quotes */
			const char *q = ps->p + 1;
			size_t n;
			if (*q == '\\')
				q++;
			q = strchr(q + 1, '\'');
			n = q ? (size_t)(q - ps->p + 1) : 0;
			if (!n || n >= sizeof(tok))
				return ps_err(ps, "bad character literal");
			memcpy(tok, ps->p, n);
			tok[n] = 0;
			ps->p += n;
		} else if (!ps_tok(ps, tok, sizeof(tok))) {
			return ps_err(ps, "expected an integer");
		}
		return store_int(ps, tok, rid, enc & BTF_INT_SIGNED, enc & BTF_INT_BOOL, out, avail,
				 bit_off, bits);
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return parse_enum(ps, rid, t, out, avail, bit_off, bits);
	case BTF_KIND_FLOAT:
		return parse_float(ps, t, out, avail, bit_off);
	case BTF_KIND_PTR: {
		size_t psz = btf__pointer_size(ps->btf);
		if (psz != 4 && psz != 8)
			psz = 8;
		if (!ps_tok(ps, tok, sizeof(tok)))
			return ps_err(ps, "expected an address");
		return store_int(ps, tok, rid, false, false, out, avail, bit_off, psz * 8);
	}
	case BTF_KIND_ARRAY:
		if (bit_off % 8 || bits)
			return ps_err(ps, "array at a bit offset");
		return parse_array(ps, rid, t, out + bit_off / 8, avail - bit_off / 8, depth);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		if (bit_off % 8 || bits)
			return ps_err(ps, "struct at a bit offset");
		return parse_struct(ps, rid, t, out + bit_off / 8, avail - bit_off / 8, depth);
	default: {
		char d[128];
		type_desc(ps->btf, rid, d, sizeof(d));
		return ps_err(ps, "cannot parse a value of '%s' (BTF kind %u)", d, btf_kind(t));
	}
	}
}

int bee_btf_parse(const struct btf *btf, uint32_t type_id, const char *text, void *out,
		  size_t size)
{
	struct ps ps = { .btf = btf, .text = text, .p = text };
	const struct btf_type *t;
	unsigned char *tmp;
	int64_t need;
	int err;

	if (!btf || !text || !out)
		return -EINVAL;
	need = btf__resolve_size(btf, type_id);
	if (need < 0) {
		pr_err("type [%u] has no size", type_id);
		return (int)need;
	}
	if ((uint64_t)need > size) {
		char d[128];
		type_desc(btf, type_id, d, sizeof(d));
		pr_err("value of type '%s' needs %lld bytes, got %zu", d, (long long)need, size);
		return -EINVAL;
	}
	/* Parse into a scratch copy: @out is untouched on failure. */
	tmp = calloc(1, need ? need : 1);
	if (!tmp)
		return -ENOMEM;
	t = skip_mods(btf, type_id, true, NULL);
	ps_ws(&ps);
	if (t && is_char_array(btf, t) && *ps.p != '"' && *ps.p != '[') {
		/* bare text for a char array: the whole text, as typed */
		size_t len = strlen(text);
		if (len > btf_array(t)->nelems) {
			pr_err("string of %zu bytes does not fit in char[%u]", len,
			       btf_array(t)->nelems);
			err = -EINVAL;
			goto out_free;
		}
		memcpy(tmp, text, len);
		err = 0;
	} else {
		err = parse_value(&ps, type_id, tmp, need, 0, 0, 0);
		if (!err) {
			ps_ws(&ps);
			if (*ps.p)
				err = ps_err(&ps, "unexpected '%.20s' after the value", ps.p);
		}
	}
	if (!err) {
		memcpy(out, tmp, need);
		memset((char *)out + need, 0, size - need);
	}
out_free:
	free(tmp);
	return err;
}

/* ---- finding types by C name ------------------------------------------------ */

/* C integer type names in canonical form: "unsigned long" and "long
 * unsigned int" are the same type. Returns false for non-integer names. */
static bool int_canon(const char *name, char *out, size_t n)
{
	int sign = 0, longs = 0, shorts = 0, ints = 0, chars = 0, other = 0;
	char buf[128], *save, *w;

	if (strlen(name) >= sizeof(buf))
		return false;
	strcpy(buf, name);
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(w, "unsigned"))
			sign = sign ? 3 : 1;
		else if (!strcmp(w, "signed"))
			sign = sign ? 3 : 2;
		else if (!strcmp(w, "long"))
			longs++;
		else if (!strcmp(w, "short"))
			shorts++;
		else if (!strcmp(w, "int"))
			ints++;
		else if (!strcmp(w, "char"))
			chars++;
		else
			other++;
	}
	if (other || sign == 3 || ints > 1 || chars > 1 || longs > 2 || shorts > 1 ||
	    (chars && (ints || longs || shorts)) || (shorts && longs) ||
	    (!sign && !longs && !shorts && !ints && !chars))
		return false;
	/* "char" and "signed char" are distinct types; "int" and "signed int" are not */
	snprintf(out, n, "%s%s", sign == 1 ? "u" : chars && sign == 2 ? "s" : "",
		 chars ? "char" : shorts ? "short" : longs == 2 ? "llong" : longs ? "long" : "int");
	return true;
}

int bee_btf_find_type(const struct btf *btf, const char *c_name)
{
	static const struct {
		const char *kw;
		int kind;
	} kws[] = {
		{ "struct ", BTF_KIND_STRUCT },
		{ "union ", BTF_KIND_UNION },
		{ "enum ", BTF_KIND_ENUM },
	};
	static const int bare[] = { BTF_KIND_TYPEDEF, BTF_KIND_STRUCT, BTF_KIND_UNION,
				    BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_INT, BTF_KIND_FLOAT };
	char name[256], canon[32], c2[32];
	const char *s = c_name;
	size_t n;
	int id, cnt;

	if (!btf || !c_name)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || n >= sizeof(name))
		return -ENOENT;
	memcpy(name, s, n);
	name[n] = 0;
	if (!strcmp(name, "void"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(kws); i++) {
		size_t kl = strlen(kws[i].kw);
		if (strncmp(name, kws[i].kw, kl))
			continue;
		s = name + kl;
		while (isspace((unsigned char)*s))
			s++;
		id = btf__find_by_name_kind(btf, s, kws[i].kind);
		if (id < 0 && kws[i].kind == BTF_KIND_ENUM)
			id = btf__find_by_name_kind(btf, s, BTF_KIND_ENUM64);
		return id < 0 ? -ENOENT : id;
	}
	for (size_t i = 0; i < ARRAY_SIZE(bare); i++) {
		id = btf__find_by_name_kind(btf, name, bare[i]);
		if (id > 0)
			return id;
	}
	/* "unsigned long" for BTF's "long unsigned int", and so on */
	if (!int_canon(name, canon, sizeof(canon)))
		return -ENOENT;
	cnt = btf__type_cnt(btf);
	for (id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_int(t) && int_canon(tname(btf, t), c2, sizeof(c2)) && !strcmp(c2, canon))
			return id;
	}
	return -ENOENT;
}
