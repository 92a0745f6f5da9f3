/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* BTF value formatting into a reusable buffer: the hot path of map dumps
 * and event decoding. Internal to libbee (lib/btf_fmt.c, lib/map.c). */
#ifndef BEE_BTF_FMT_H
#define BEE_BTF_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct btf;

/* A growable output buffer. Zero-initialise; free p when done. After an
 * allocation failure oom is set and further output is dropped. */
struct bee_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

bool bee_buf_grow(struct bee_buf *b, size_t need);

static inline void bee_buf_putc(struct bee_buf *b, char c)
{
	if (b->len + 1 > b->cap && !bee_buf_grow(b, 1))
		return;
	b->p[b->len++] = c;
}

static inline void bee_buf_putn(struct bee_buf *b, const char *s, size_t n)
{
	if (!n)
		return;
	if (b->len + n > b->cap && !bee_buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void bee_buf_puts(struct bee_buf *b, const char *s)
{
	bee_buf_putn(b, s, strlen(s));
}

void bee_buf_u64(struct bee_buf *b, uint64_t v);
void bee_buf_s64(struct bee_buf *b, int64_t v);
/* "0x1f" */
void bee_buf_hex64(struct bee_buf *b, uint64_t v);
/* "0a 1b 2c" (bpftool's hex dump of keys and values) */
void bee_buf_hexbytes(struct bee_buf *b, const void *data, size_t size);
/* A JSON string literal with every control and non-ASCII byte escaped;
 * stops at the first NUL or after @n bytes. */
void bee_buf_json_strn(struct bee_buf *b, const char *s, size_t n);

/* Append @data of BTF type @type_id to @b (text or JSON per @flags).
 * 0 or -errno (logged); on error @b is left as it was. */
int bee_btf_fmt(struct bee_buf *b, const struct btf *btf, uint32_t type_id, const void *data,
		size_t size, unsigned flags);

#endif
