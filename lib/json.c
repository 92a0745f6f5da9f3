// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <math.h>

#include "internal.h"
#include "json.h"

void bee_json_init(struct bee_json *j, FILE *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
	j->first[0] = true;
}

static void indent(struct bee_json *j)
{
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("    ", j->out);
}

/* Before any value: a comma if needed, and the pretty-printer's newline. */
static void pre_value(struct bee_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	if (j->pretty && j->depth)
		indent(j);
	j->first[j->depth] = false;
}

static void json_open(struct bee_json *j, char c)
{
	pre_value(j);
	fputc(c, j->out);
	if (j->depth < BEE_JSON_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct bee_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (j->pretty && !empty)
		indent(j);
	fputc(c, j->out);
}

void bee_json_obj_start(struct bee_json *j)
{
	json_open(j, '{');
}

void bee_json_obj_end(struct bee_json *j)
{
	close_(j, '}');
}

void bee_json_arr_start(struct bee_json *j)
{
	json_open(j, '[');
}

void bee_json_arr_end(struct bee_json *j)
{
	close_(j, ']');
}

void bee_json_key(struct bee_json *j, const char *key)
{
	pre_value(j);
	bee_json_str(j->out, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void bee_json_string(struct bee_json *j, const char *s)
{
	pre_value(j);
	bee_json_str(j->out, s ? s : "");
}

void bee_json_stringn(struct bee_json *j, const char *s, size_t n)
{
	pre_value(j);
	bee_json_strn(j->out, s, n);
}

void bee_json_int(struct bee_json *j, long long v)
{
	pre_value(j);
	fprintf(j->out, "%lld", v);
}

void bee_json_uint(struct bee_json *j, unsigned long long v)
{
	pre_value(j);
	fprintf(j->out, "%llu", v);
}

void bee_json_double(struct bee_json *j, double v)
{
	pre_value(j);
	if (isfinite(v))
		fprintf(j->out, "%.17g", v);
	else
		fputs("null", j->out);
}

void bee_json_bool(struct bee_json *j, bool v)
{
	pre_value(j);
	fputs(v ? "true" : "false", j->out);
}

void bee_json_null(struct bee_json *j)
{
	pre_value(j);
	fputs("null", j->out);
}

void bee_json_raw(struct bee_json *j, const char *text)
{
	pre_value(j);
	fputs(text, j->out);
}

void bee_json_end(struct bee_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
