/* The event decoder: records of arbitrary bytes and sizes decoded as every
 * struct of a real object's BTF (examples/helpers.bpf.o, built by make). */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/btf.h>
#include <bee/bee.h>
#include "btf_fmt.h"

static struct btf *btf;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct bee_buf b = {};

	if (!btf) {
		const char *p = getenv("BEE_FUZZ_OBJ");
		btf = btf__parse_elf(p ? p : "build/examples/helpers.bpf.o", NULL);
		if (!btf)
			abort();
	}
	for (uint32_t id = 1; id < btf__type_cnt(btf); id++) {
		if (!btf_is_struct(btf__type_by_id(btf, id)))
			continue;
		b.len = 0;
		bee_btf_fmt(&b, btf, id, data, size, 0);
		b.len = 0;
		bee_btf_fmt(&b, btf, id, data, size, BEE_FMT_JSON);
	}
	free(b.p);
	return 0;
}
