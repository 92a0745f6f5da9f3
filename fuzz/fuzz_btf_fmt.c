/* The BTF-driven formatter and parser on arbitrary BTF and data:
 * input = u32 BTF length, BTF bytes (parsed by libbpf), then the value. */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bee/bee.h>
#include "btf_fmt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct bee_buf b = {};
	uint32_t blen;
	struct btf *btf;
	const unsigned char *val;
	size_t vlen;
	char text[64];

	if (size < 4)
		return 0;
	memcpy(&blen, data, 4);
	if (blen > size - 4)
		return 0;
	btf = btf__new(data + 4, blen);
	if (!btf)
		return 0;
	val = data + 4 + blen;
	vlen = size - 4 - blen;
	snprintf(text, sizeof(text), "%.*s", (int)(vlen < 63 ? vlen : 63), (const char *)val);
	for (uint32_t id = 1; id < btf__type_cnt(btf) && id < 64; id++) {
		unsigned char out[256];
		b.len = 0;
		bee_btf_fmt(&b, btf, id, val, vlen, 0);
		b.len = 0;
		bee_btf_fmt(&b, btf, id, val, vlen, BEE_FMT_JSON);
		bee_btf_parse(btf, id, text, out, sizeof(out));
	}
	free(b.p);
	btf__free(btf);
	return 0;
}
