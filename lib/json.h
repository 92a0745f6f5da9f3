/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A streaming JSON writer: commas, nesting and string escapes handled here,
 * so callers only say what comes next. Used by the CLI and the formatters. */
#ifndef BEE_JSON_H
#define BEE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define BEE_JSON_DEPTH 64

struct bee_json {
	FILE *out;
	bool pretty;
	int depth;
	/* per level: has a value been written (needs a comma), is it an object */
	bool first[BEE_JSON_DEPTH];
	bool after_key;
};

void bee_json_init(struct bee_json *j, FILE *out, bool pretty);
void bee_json_obj_start(struct bee_json *j);
void bee_json_obj_end(struct bee_json *j);
void bee_json_arr_start(struct bee_json *j);
void bee_json_arr_end(struct bee_json *j);
void bee_json_key(struct bee_json *j, const char *key);
void bee_json_string(struct bee_json *j, const char *s);
void bee_json_stringn(struct bee_json *j, const char *s, size_t n);
void bee_json_int(struct bee_json *j, long long v);
void bee_json_uint(struct bee_json *j, unsigned long long v);
void bee_json_double(struct bee_json *j, double v);
void bee_json_bool(struct bee_json *j, bool v);
void bee_json_null(struct bee_json *j);
/* Write pre-formatted JSON text as one value. */
void bee_json_raw(struct bee_json *j, const char *text);
/* Finish the document with a newline. */
void bee_json_end(struct bee_json *j);

/* key + value shorthands */
#define bee_json_kstr(j, k, v) (bee_json_key(j, k), bee_json_string(j, v))
#define bee_json_kint(j, k, v) (bee_json_key(j, k), bee_json_int(j, v))
#define bee_json_kuint(j, k, v) (bee_json_key(j, k), bee_json_uint(j, v))
#define bee_json_kbool(j, k, v) (bee_json_key(j, k), bee_json_bool(j, v))

#endif
