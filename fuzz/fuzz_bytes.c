/* The bpftool-style byte parser (map keys and values from the command line). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bee/bee.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1), *argv[64], *save = NULL;
	uint8_t out[16];
	int argc = 0;

	memcpy(s, data, size);
	s[size] = 0;
	for (char *t = strtok_r(s, " \t\n", &save); t && argc < 64; t = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = t;
	bee_bytes_parse(argc, argv, false, out, sizeof(out));
	bee_bytes_parse(argc, argv, true, out, sizeof(out));
	free(s);
	return 0;
}
