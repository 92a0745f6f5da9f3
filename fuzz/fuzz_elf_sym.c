/* ELF symbol lookup (uprobe offsets) on arbitrary files. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bee/bee.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char path[64];
	uint64_t off;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/bee-fuzz-elf.%d", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	bee_resolve_uprobe(path, "main", &off);
	bee_resolve_uprobe(path, "main+0x4", &off);
	bee_resolve_uprobe(path, "0x1000", &off);
	bee_symcache__flush();
	unlink(path);
	return 0;
}
