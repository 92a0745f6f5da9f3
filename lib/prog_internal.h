/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared by lib/disasm.c and lib/jit.c; not installed, not exported. */
#ifndef BEE_PROG_INTERNAL_H
#define BEE_PROG_INTERNAL_H

#include <stdint.h>
#include <linux/bpf.h>

#include "internal.h"

/* Kernel text symbol at or before @addr from /proc/kallsyms, loaded once
 * per process and kept: its name (lives as long as the process) and *@off
 * the distance from it. NULL when kallsyms shows this process no addresses
 * or @addr is past the last symbol. */
const char *bee_ksym_find(uint64_t addr, uint64_t *off);
/* Address of a kernel symbol by exact name, 0 when unknown. */
uint64_t bee_ksym_addr(const char *name);

/* What lib/disasm.c and lib/jit.c both read from a loaded program. */
struct bee_prog_data {
	struct bpf_prog_info info;
	struct bpf_insn *insns;          /* xlated */
	uint8_t *jited;                  /* native code */
	uint64_t *jited_ksyms;           /* address of each subprogram */
	uint32_t *jited_func_lens;
	struct bpf_func_info *func_info;
	struct bpf_line_info *line_info;
	uint64_t *jited_line_info;       /* native address of each line_info */
	uint32_t *map_ids;
	struct btf *btf;                 /* the program's BTF, or NULL */
	/* map names by id, for the disassembler's map_name_fn */
	char (*map_names)[BPF_OBJ_NAME_LEN];
};

/* Fetch everything above for @prog_fd (@jited: the native parts too).
 * Free with bee_prog_data_free(), which accepts a zeroed struct. */
int bee_prog_data_get(int prog_fd, bool jited, struct bee_prog_data *d);
void bee_prog_data_free(struct bee_prog_data *d);
/* "int handle(void * ctx)" for the BTF func @func_id, into @buf. */
void bee_btf_func_proto(const struct btf *btf, uint32_t func_id, char *buf, size_t sz);

#endif
