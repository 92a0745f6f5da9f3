// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Print an object's data maps at exit: histograms as BCC prints them,
 * everything else as typed key -> value through bee_map_dump_fd(). */
#include <stdio.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

enum hist_kind { HIST_NONE, HIST_LOG2, HIST_LINEAR, HIST_SLOTS };

static const char *type_name(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	return t ? btf__name_by_offset(btf, t->name_off) : "";
}

/* BPF_HISTOGRAM's typedefs, or libbpf-tools' `struct hist { u32 slots[N]; }`. */
static enum hist_kind hist_kind(const struct btf *btf, const struct bpf_map *map, uint32_t *elem_sz,
				uint32_t *slot_cnt)
{
	uint32_t vid = bpf_map__btf_value_type_id(map);
	const struct btf_type *t;

	if (!btf || !vid)
		return HIST_NONE;
	if (!strcmp(type_name(btf, vid), "bee_hist_slot_t"))
		return HIST_LOG2;
	if (!strcmp(type_name(btf, vid), "bee_lhist_slot_t"))
		return HIST_LINEAR;
	t = btf__type_by_id(btf, btf__resolve_type(btf, vid));
	if (t && btf_is_struct(t) && btf_vlen(t) == 1 &&
	    !strcmp(btf__name_by_offset(btf, btf_members(t)->name_off), "slots")) {
		const struct btf_type *a = btf__type_by_id(btf, btf_members(t)->type);
		if (a && btf_is_array(a)) {
			int esz = btf__resolve_size(btf, btf_array(a)->type);
			if (esz == 4 || esz == 8) {
				*elem_sz = esz;
				*slot_cnt = btf_array(a)->nelems;
				return HIST_SLOTS;
			}
		}
	}
	return HIST_NONE;
}

static int print_array_hist(struct bpf_map *map, FILE *out, bool json, bool log2)
{
	uint32_t n = bpf_map__max_entries(map);
	int fd = bpf_map__fd(map), ncpu = 1;
	uint64_t *slots = calloc(n, sizeof(*slots)), *vals;
	bool percpu = bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY;

	if (percpu)
		ncpu = libbpf_num_possible_cpus();
	vals = calloc(ncpu, sizeof(*vals));
	if (!slots || !vals) {
		free(slots);
		free(vals);
		return -ENOMEM;
	}
	for (uint32_t k = 0; k < n; k++) {
		if (bpf_map_lookup_elem(fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			slots[k] += vals[c];
	}
	if (json) {
		fputs("{\"type\":\"map\",\"name\":", out);
		bee_json_str(out, bpf_map__name(map));
		fprintf(out, ",\"histogram\":\"%s\",\"buckets\":", log2 ? "log2" : "linear");
		bee_hist_print_json(out, slots, n, log2, 0, 1);
		fputs("}\n", out);
	} else {
		fputc('\n', out);
		if (log2)
			bee_hist_print_log2(out, slots, n, bpf_map__name(map));
		else
			bee_hist_print_linear(out, slots, n, bpf_map__name(map), 0, 1);
	}
	free(slots);
	free(vals);
	return 0;
}

static int print_slots_hist(struct bpf_map *map, const struct btf *btf, FILE *out, bool json,
			    uint32_t esz, uint32_t cnt)
{
	uint32_t ksz = bpf_map__key_size(map), vsz = bpf_map__value_size(map);
	void *key = calloc(1, ksz), *next = calloc(1, ksz), *val = calloc(1, vsz);
	uint64_t *slots = calloc(cnt, sizeof(*slots));
	int fd = bpf_map__fd(map), err = 0;
	bool first = true, array = bpf_map__type(map) == BPF_MAP_TYPE_ARRAY;
	void *prev = NULL;

	if (!key || !next || !val || !slots) {
		err = -ENOMEM;
		goto out;
	}
	if (json) {
		fputs("{\"type\":\"map\",\"name\":", out);
		bee_json_str(out, bpf_map__name(map));
		fputs(",\"histogram\":\"log2\",\"entries\":[", out);
	}
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		bool any = false;
		for (uint32_t i = 0; i < cnt; i++) {
			slots[i] = esz == 4 ? ((uint32_t *)val)[i] : ((uint64_t *)val)[i];
			any |= slots[i] != 0;
		}
		if (array && !any)
			continue;
		if (json) {
			fputs(first ? "{\"key\":" : ",{\"key\":", out);
			if (bee_btf_fprint(out, btf, bpf_map__btf_key_type_id(map), key, ksz, BEE_FMT_JSON))
				fputs("null", out);
			fputs(",\"buckets\":", out);
			bee_hist_print_json(out, slots, cnt, true, 0, 1);
			fputc('}', out);
		} else {
			fprintf(out, "\n%s", bpf_map__name(map));
			if (!array || ksz != 4 || *(uint32_t *)key) {
				fputs(" ", out);
				bee_btf_fprint(out, btf, bpf_map__btf_key_type_id(map), key, ksz, 0);
			}
			fputs(":\n", out);
			bee_hist_print_log2(out, slots, cnt, "value");
		}
		first = false;
	}
	if (json)
		fputs("]}\n", out);
out:
	free(key);
	free(next);
	free(val);
	free(slots);
	return err;
}

/* Globals in .bss/.data (counters a program keeps), read from the live
 * mmaped sections: "name = value". */
static void print_globals(struct bee_obj *obj, struct bpf_object *bo, const struct btf *btf, FILE *out,
			  bool json)
{
	bool first = true;
	struct bpf_map *map;

	if (!btf)
		return;
	bpf_object__for_each_map(map, bo) {
		const char *sec = strchr(bpf_map__name(map), '.');
		const struct btf_var_secinfo *vs;
		const struct btf_type *t;
		const char *data;
		size_t sz;
		int id;

		if (!bpf_map__is_internal(map) || !sec ||
		    (strncmp(sec, ".bss", 4) && strncmp(sec, ".data", 5)))
			continue;
		id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
		data = bee_obj__global_data(obj, map, &sz);
		if (id < 0 || !data)
			continue;
		t = btf__type_by_id(btf, id);
		vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);
			const char *name = btf__name_by_offset(btf, v->name_off);

			if (!strncmp(name, "__bee_", 6) || vs->offset + vs->size > sz)
				continue;
			if (json) {
				fputs(first ? "{\"type\":\"globals\",\"values\":{" : ",", out);
				bee_json_str(out, name);
				fputc(':', out);
				if (bee_btf_fprint(out, btf, v->type, data + vs->offset, vs->size, BEE_FMT_JSON))
					fputs("null", out);
			} else {
				if (first)
					fputs("\nglobals:\n", out);
				fprintf(out, "  %s = ", name);
				bee_btf_fprint(out, btf, v->type, data + vs->offset, vs->size, 0);
				fputc('\n', out);
			}
			first = false;
		}
	}
	if (json && !first)
		fputs("}}\n", out);
}

int bee_obj__print_maps(struct bee_obj *obj, FILE *out, bool json)
{
	struct bpf_object *bo = bee_obj__bpf_object(obj);
	const struct btf *btf = bee_obj__btf(obj);
	struct bpf_map *map;
	int err = 0;

	bpf_object__for_each_map(map, bo) {
		uint32_t esz = 0, cnt = 0;
		enum hist_kind k;

		if (bpf_map__is_internal(map) || bpf_map__fd(map) < 0)
			continue;
		switch (bpf_map__type(map)) {
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_ARRAY:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_PERCPU_ARRAY:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		case BPF_MAP_TYPE_LPM_TRIE:
			break;
		default:
			continue;
		}
		k = hist_kind(btf, map, &esz, &cnt);
		if (k == HIST_LOG2 || k == HIST_LINEAR) {
			err = print_array_hist(map, out, json, k == HIST_LOG2);
		} else if (k == HIST_SLOTS) {
			err = print_slots_hist(map, btf, out, json, esz, cnt);
		} else {
			if (json) {
				fputs("{\"type\":\"map\",\"name\":", out);
				bee_json_str(out, bpf_map__name(map));
				fputs(",\"entries\":", out);
			} else {
				/* an empty hash prints nothing, not a bare title */
				char key[512];
				if (bpf_map__key_size(map) <= sizeof(key) &&
				    bpf_map_get_next_key(bpf_map__fd(map), NULL, key))
					continue;
				fprintf(out, "\n%s:\n", bpf_map__name(map));
			}
			fflush(out);
			err = bee_map_dump_fd(bpf_map__fd(map), btf, out, json);
			if (json)
				fputs("}\n", out);
		}
		if (err)
			break;
	}
	if (!err)
		print_globals(obj, bo, btf, out, json);
	fflush(out);
	return err;
}
