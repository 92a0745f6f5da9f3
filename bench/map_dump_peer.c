/* The peer for bench/map_dump.sh: the least a program can do to print a
 * hash map (4-byte key, 8-byte value) — a bare loop of BPF_MAP_LOOKUP_BATCH
 * calls printing each entry with printf in bpftool's layout — and the
 * filler that puts N entries in the map with batch updates.
 *   map_dump_peer fill PINNED N
 *   map_dump_peer dump PINNED
 *   map_dump_peer typed PINNED N   (create a map with BTF types, u32 -> u64) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#define BATCH 65536

int main(int argc, char **argv)
{
	static uint32_t keys[BATCH];
	static uint64_t vals[BATCH];
	uint32_t in, out, count;
	int fd, err, first = 1;
	size_t total = 0;

	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "typed")) {
		/* a hash whose key and value have BTF: typed dumps on both sides */
		struct btf *btf = btf__new_empty();
		int u32 = btf__add_int(btf, "unsigned int", 4, 0);
		int u64 = btf__add_int(btf, "long long unsigned int", 8, 0);
		LIBBPF_OPTS(bpf_map_create_opts, o);

		if (btf__load_into_kernel(btf)) {
			perror("load BTF");
			return 1;
		}
		o.btf_fd = btf__fd(btf);
		o.btf_key_type_id = u32;
		o.btf_value_type_id = u64;
		fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bench_typed", 4, 8,
				    argc > 3 ? strtoul(argv[3], NULL, 0) : 1000000, &o);
		if (fd < 0 || bpf_obj_pin(fd, argv[2])) {
			perror("create typed map");
			return 1;
		}
		return 0;
	}
	fd = bpf_obj_get(argv[2]);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "fill")) {
		uint32_t n = argc > 3 ? strtoul(argv[3], NULL, 0) : 1000000;
		for (uint32_t base = 0; base < n; base += BATCH) {
			count = n - base < BATCH ? n - base : BATCH;
			for (uint32_t i = 0; i < count; i++) {
				keys[i] = (base + i) * 2654435761u; /* spread over the buckets */
				vals[i] = (uint64_t)(base + i) * 0x10001;
			}
			if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
				perror("update batch");
				return 1;
			}
		}
		return 0;
	}
	for (;;) {
		count = BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL);
		if (err && errno != ENOENT) {
			perror("lookup batch");
			return 1;
		}
		for (uint32_t i = 0; i < count; i++) {
			const unsigned char *k = (void *)&keys[i], *v = (void *)&vals[i];
			printf("key: %02x %02x %02x %02x  value: %02x %02x %02x %02x %02x %02x %02x %02x\n",
			       k[0], k[1], k[2], k[3], v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
		}
		total += count;
		if (err)
			break;
		first = 0;
		in = out;
	}
	printf("Found %zu elements\n", total);
	return 0;
}
