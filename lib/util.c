// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Small helpers: files, hashing, JSON strings. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int bee_read_file(const char *path, char **buf, size_t *size)
{
	size_t cap = 4096, len = 0;
	char *p = NULL, *np;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!p || len + 1 >= cap) {
			cap = p ? cap * 2 : cap;
			np = realloc(p, cap);
			if (!np) {
				err = -ENOMEM;
				goto err_free;
			}
			p = np;
		}
		n = read(fd, p + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto err_free;
		}
		if (n == 0)
			break;
		len += n;
	}
	p[len] = 0;
	close(fd);
	*buf = p;
	if (size)
		*size = len;
	return 0;

err_free:
	free(p);
	close(fd);
	return err;
}

int bee_write_file(const char *path, const void *buf, size_t size)
{
	const char *b = buf;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (size) {
		ssize_t n = write(fd, b, size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		b += n;
		size -= n;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int bee_mkdirs(const char *path, unsigned mode)
{
	char tmp[4096];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

/* FNV-1a over two lanes with different offsets, mixing each byte into both. */
void bee_hash_init(struct bee_hash *h)
{
	h->lo = 0xcbf29ce484222325ULL;
	h->hi = 0x84222325cbf29ce4ULL;
}

void bee_hash_update(struct bee_hash *h, const void *data, size_t size)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < size; i++) {
		h->lo = (h->lo ^ p[i]) * 0x100000001b3ULL;
		h->hi = (h->hi ^ p[i] ^ (h->lo >> 29)) * 0x100000001b3ULL;
	}
}

void bee_hash_str(struct bee_hash *h, const char *s)
{
	bee_hash_update(h, s, strlen(s) + 1);
}

void bee_hash_hex(const struct bee_hash *h, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h->hi, (unsigned long long)h->lo);
}

void bee_json_strn(FILE *out, const char *s, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void bee_json_str(FILE *out, const char *s)
{
	bee_json_strn(out, s, (size_t)-1);
}

void bee_hex_fprint(FILE *out, const void *data, size_t size)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < size; i++)
		fprintf(out, "%s%02x", i ? " " : "", p[i]);
}

int bee_bytes_parse(int argc, char **argv, bool hex, uint8_t *out, size_t out_sz)
{
	size_t n = 0;

	/* bpftool's grammar: one byte per word, "0xc1" or "193" (or "c1" with hex) */
	for (int i = 0; i < argc; i++) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(argv[i], &end, hex ? 16 : 0);
		if (errno || end == argv[i] || *end || argv[i][0] == '-' || v > 255)
			return -EINVAL;
		if (n >= out_sz)
			return -E2BIG;
		out[n++] = v;
	}
	return n;
}
