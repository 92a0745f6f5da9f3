/* bee's BPF disassembler on arbitrary instruction bytes. */
#include <stdio.h>
#include <linux/bpf.h>
#include <bee/bee.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const struct bpf_insn *insns = (const void *)data;
	size_t cnt = size / sizeof(struct bpf_insn);
	char buf[512];
	FILE *null = fopen("/dev/null", "w");

	for (size_t i = 0; i < cnt;) {
		int n = bee_disasm_insn(insns, cnt, i, buf, sizeof(buf), NULL);
		i += n > 0 ? (size_t)n : 1;
	}
	bee_disasm_fprint(null, insns, cnt, NULL);
	fclose(null);
	return 0;
}
