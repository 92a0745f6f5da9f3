/* The union bpf_attr decoder: input = u8 command, then the attr bytes. */
#include <stdio.h>
#include <bee/bee.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	BEE_OPTS(bee_attr_opts, text);
	BEE_OPTS(bee_attr_opts, json, .json = true, .str = "GPL");
	FILE *null = fopen("/dev/null", "w");

	if (size >= 1) {
		bee_attr_fprint(null, data[0] % 48, data + 1, size - 1, &text);
		bee_attr_fprint(null, data[0] % 48, data + 1, size - 1, &json);
	}
	fclose(null);
	return 0;
}
