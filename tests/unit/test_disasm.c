// SPDX-License-Identifier: GPL-2.0
/*
 * bee's BPF disassembler. Golden tests two ways:
 *  - every instruction of the compiled objects tests/bpf/disasm_*.bpf.o is
 *    disassembled by bee and by llvm-objdump; both texts are normalised
 *    (spacing, hex vs decimal, llvm's and the kernel's spellings of the same
 *    atomics) and must say the same thing, slot by slot;
 *  - instructions clang 14 cannot emit (cpu v4: movsx, memsx, bswap, sdiv,
 *    smod, gotol; BPF_ST; JSET; every ld_imm64 pseudo source; kfunc calls)
 *    are built by hand and compared with the kernel verifier's notation.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <bpf/btf.h>

#include "test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* ---- normalising both notations --------------------------------------------- */

static void replace_all(char *s, size_t sz, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = s;

	while ((p = strstr(p, from))) {
		if (strlen(s) + tl - fl + 1 > sz)
			return;
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
		memcpy(p, to, tl);
		p += tl;
	}
}

/* llvm: "r1 = xchg_64(r9 + 0, r1)"; the kernel: "r1 = atomic64_xchg((u64 *)(r9 +0), r1)".
 * After spaces are gone, rewrite llvm's call form into the kernel's. */
static void llvm_xchg(char *s, size_t sz, const char *from, const char *to)
{
	char *p = strstr(s, from), *comma;

	if (!p)
		return;
	replace_all(s, sz, from, to);
	p = strstr(s, to) + strlen(to);
	comma = strchr(p, ',');
	if (comma && strlen(s) + 2 < sz) {
		memmove(comma + 1, comma, strlen(comma) + 1);
		*comma = ')';
	}
}

/*
 * One canonical form: no spaces, no labels ("<LBB0_2>", "<L1>"), numbers in
 * decimal (the kernel prints jump immediates as 0x%x of the 32-bit value,
 * llvm signed decimal; ld_imm64 values are 64-bit), "goto pc+N" as "goto +N",
 * helper names dropped from calls ("call bpf_x#14" is llvm's "call 14"),
 * memory operands with r registers (llvm writes w for 32-bit ones).
 */
static void normalise(const char *in, char *out, size_t sz, bool imm64)
{
	char tmp[512], *o = tmp;
	const char *p;

	for (p = in; *p && o < tmp + sizeof(tmp) - 24; p++) {
		if (*p == '<') { /* label */
			while (*p && *p != '>')
				p++;
			if (!*p)
				break;
			continue;
		}
		if (isspace((unsigned char)*p))
			continue;
		if (p[0] == '0' && p[1] == 'x' && (p == in || !isalnum((unsigned char)p[-1]))) {
			unsigned long long v = strtoull(p, (char **)&p, 16);

			if (imm64 || v > 0xffffffffULL)
				o += sprintf(o, "%lld", (long long)v);
			else
				o += sprintf(o, "%d", (int)(unsigned)v);
			p--;
			continue;
		}
		*o++ = *p;
	}
	*o = 0;
	if (o - tmp >= 2 && !strcmp(o - 2, "ll"))
		o[-2] = 0;
	replace_all(tmp, sizeof(tmp), "gotolpc", "gotol");
	replace_all(tmp, sizeof(tmp), "gotopc", "goto");
	replace_all(tmp, sizeof(tmp), "callpc", "call");
	/* "callbpf_get_current_pid_tgid#14" -> "call14" */
	if (!strncmp(tmp, "call", 4) && strchr(tmp, '#'))
		memmove(tmp + 4, strchr(tmp, '#') + 1, strlen(strchr(tmp, '#') + 1) + 1);
	replace_all(tmp, sizeof(tmp), "+0]", "]"); /* skb[r1 + 0] is skb[r1] */
	llvm_xchg(tmp, sizeof(tmp), "cmpxchg_64(", "atomic_cmpxchg((u64*)(");
	llvm_xchg(tmp, sizeof(tmp), "cmpxchg32_32(", "atomic_cmpxchg((u32*)(");
	llvm_xchg(tmp, sizeof(tmp), "=xchg_64(", "=atomic_xchg((u64*)(");
	llvm_xchg(tmp, sizeof(tmp), "=xchg32_32(", "=atomic_xchg((u32*)(");
	replace_all(tmp, sizeof(tmp), "atomic64_", "atomic_");
	if (strstr(tmp, "*(") || strstr(tmp, "atomic"))
		for (o = tmp; *o; o++)
			if (*o == 'w' && isdigit((unsigned char)o[1]) &&
			    (o == tmp || !isalnum((unsigned char)o[-1])))
				*o = 'r';
	snprintf(out, sz, "%s", tmp);
}

/* ---- reading an object's code sections ---------------------------------------- */

struct section {
	char name[128];
	struct bpf_insn *insns;
	size_t cnt;
};

static int read_sections(const char *path, struct section *secs, int max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) && n < max) {
		GElf_Shdr sh;
		Elf_Data *data;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		snprintf(secs[n].name, sizeof(secs[n].name), "%s",
			 elf_strptr(elf, shstrndx, sh.sh_name));
		secs[n].cnt = data->d_size / sizeof(struct bpf_insn);
		secs[n].insns = malloc(data->d_size);
		memcpy(secs[n].insns, data->d_buf, data->d_size);
		n++;
	}
	elf_end(elf);
	close(fd);
	return n;
}

/* Classes and opcodes compared against llvm, over all objects. */
static bool class_seen[8];
static bool opcode_seen[256];
static int compared;

static void golden_object(const char *name)
{
	const char *obj = t_bpath("tests/bpf/%s.bpf.o", name);
	struct section secs[16];
	char *dump = NULL, *line, *save = NULL, cur[128] = "";
	int nsec, rc, here = 0;

	nsec = read_sections(obj, secs, 16);
	assert_true(nsec > 0);
	rc = t_sh(&dump, "llvm-objdump -d --mattr=+alu32 '%s'", obj);
	if (rc == 127) {
		free(dump);
		t_skip("llvm-objdump is not installed (scripts/deps.sh installs llvm)");
	}
	t_eq("llvm-objdump exit status", 0, rc);

	for (line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mine[512], want[512], got[512], *tab1, *tab2;
		struct section *sec = NULL;
		unsigned long idx;
		int slots;

		if (sscanf(line, "Disassembly of section %127[^:]:", cur) == 1)
			continue;
		idx = strtoul(line, &tab1, 10);
		if (tab1 == line || tab1[0] != ':' || tab1[1] != '\t')
			continue;
		tab2 = strchr(tab1 + 2, '\t');
		if (!tab2)
			continue;
		for (int i = 0; i < nsec; i++)
			if (!strcmp(secs[i].name, cur))
				sec = &secs[i];
		if (!sec)
			fail_msg("%s: llvm-objdump shows section '%s' that libelf did not find", name,
				 cur);
		slots = bee_disasm_insn(sec->insns, sec->cnt, idx, mine, sizeof(mine), NULL);
		if (slots < 0)
			fail_msg("%s %s insn %lu: bee_disasm_insn failed: %d", name, cur, idx, slots);
		t_eq("slots of an instruction", sec->insns[idx].code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1,
		     slots);
		/* the opcode byte bee prints is the byte llvm shows first */
		if (strtoul(tab1 + 2, NULL, 16) != strtoul(mine + 1, NULL, 16))
			fail_msg("%s %s insn %lu: opcode: llvm bytes \"%.*s\", bee \"%s\"", name, cur,
				 idx, (int)(tab2 - tab1 - 2), tab1 + 2, mine);
		normalise(strchr(mine, ')') + 2, got, sizeof(got), slots == 2);
		normalise(tab2 + 1, want, sizeof(want), slots == 2);
		if (strcmp(got, want))
			fail_msg("%s %s insn %lu: llvm-objdump says \"%s\", bee says \"%s\" "
				 "(normalised: \"%s\" vs \"%s\")",
				 name, cur, idx, tab2 + 1, mine, want, got);
		class_seen[BPF_CLASS(sec->insns[idx].code)] = true;
		opcode_seen[sec->insns[idx].code] = true;
		compared++;
		here++;
	}
	free(dump);
	/* every instruction of every section was compared */
	{
		int total = 0;

		for (int i = 0; i < nsec; i++) {
			for (size_t k = 0; k < secs[i].cnt; k++) {
				total++;
				if (secs[i].insns[k].code == (BPF_LD | BPF_IMM | BPF_DW))
					k++;
			}
			free(secs[i].insns);
		}
		t_eq("instructions compared with llvm-objdump", total, here);
	}
}

static void test_golden_alu(void **state)
{
	golden_object("disasm_alu");
}

static void test_golden_jmp_mem(void **state)
{
	golden_object("disasm_jmp");
}

static void test_golden_clang_program(void **state)
{
	golden_object("disasm_prog");
}

static void test_golden_kfunc_calls(void **state)
{
	golden_object("disasm_kfunc");
}

/* Runs after the three above: what they covered together. */
static void test_golden_coverage(void **state)
{
	int ops = 0;

	if (!compared)
		t_skip("the golden tests did not run");
	for (int c = 0; c < 8; c++)
		if (c != BPF_ST && !class_seen[c])
			fail_msg("class 0x%x was not compared with llvm-objdump", c);
	for (int i = 0; i < 256; i++)
		ops += opcode_seen[i];
	/* ALU/ALU64 x (11 ops x K/X + neg + 3 end) + jumps + memory: at least 100 */
	if (ops < 100)
		fail_msg("distinct opcodes compared: want at least 100, got %d", ops);
	printf("golden: %d instructions, %d distinct opcodes compared with llvm-objdump\n",
	       compared, ops);
}

/* ---- hand-built instructions -------------------------------------------------- */

struct golden {
	struct bpf_insn in[2];
	const char *want;
};

static void check_table(const struct golden *g, size_t n, unsigned flags)
{
	BEE_OPTS(bee_disasm_opts, opts, .flags = flags);
	char buf[256];

	for (size_t i = 0; i < n; i++) {
		size_t cnt = g[i].in[0].code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1;
		int slots = bee_disasm_insn(g[i].in, cnt, 0, buf, sizeof(buf), &opts);

		t_eq(g[i].want, (int)cnt, slots);
		if (strcmp(buf, g[i].want))
			fail_msg("insn %zu (code 0x%02x): want \"%s\", got \"%s\"", i, g[i].in[0].code,
				 g[i].want, buf);
	}
}

static void test_cpu_v4(void **state)
{
	static const struct golden g[] = {
		/* movsx */
		{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 8, 0) }, "(bf) r1 = (s8)r2" },
		{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 16, 0) }, "(bf) r1 = (s16)r2" },
		{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 32, 0) }, "(bf) r1 = (s32)r2" },
		{ { INSN(BPF_ALU | BPF_MOV | BPF_X, 3, 4, 8, 0) }, "(bc) w3 = (s8)w4" },
		{ { INSN(BPF_ALU | BPF_MOV | BPF_X, 3, 4, 16, 0) }, "(bc) w3 = (s16)w4" },
		/* memsx */
		{ { INSN(BPF_LDX | 0x80 | BPF_B, 1, 2, 4, 0) }, "(91) r1 = *(s8 *)(r2 +4)" },
		{ { INSN(BPF_LDX | 0x80 | BPF_H, 1, 2, -2, 0) }, "(89) r1 = *(s16 *)(r2 -2)" },
		{ { INSN(BPF_LDX | 0x80 | BPF_W, 1, 10, -8, 0) }, "(81) r1 = *(s32 *)(r10 -8)" },
		/* bswap */
		{ { INSN(BPF_ALU64 | BPF_END | BPF_K, 1, 0, 0, 16) }, "(d7) r1 = bswap16 r1" },
		{ { INSN(BPF_ALU64 | BPF_END | BPF_K, 1, 0, 0, 32) }, "(d7) r1 = bswap32 r1" },
		{ { INSN(BPF_ALU64 | BPF_END | BPF_K, 1, 0, 0, 64) }, "(d7) r1 = bswap64 r1" },
		/* signed division and modulo */
		{ { INSN(BPF_ALU64 | BPF_DIV | BPF_K, 1, 0, 1, -3) }, "(37) r1 s/= -3" },
		{ { INSN(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 1, 0) }, "(3f) r1 s/= r2" },
		{ { INSN(BPF_ALU64 | BPF_MOD | BPF_K, 1, 0, 1, 7) }, "(97) r1 s%= 7" },
		{ { INSN(BPF_ALU64 | BPF_MOD | BPF_X, 1, 2, 1, 0) }, "(9f) r1 s%= r2" },
		{ { INSN(BPF_ALU | BPF_DIV | BPF_X, 1, 2, 1, 0) }, "(3c) w1 s/= w2" },
		{ { INSN(BPF_ALU | BPF_MOD | BPF_K, 1, 0, 1, 5) }, "(94) w1 s%= 5" },
		/* unsigned modulo (clang 14 cannot assemble %=) */
		{ { INSN(BPF_ALU64 | BPF_MOD | BPF_K, 1, 0, 0, 7) }, "(97) r1 %= 7" },
		{ { INSN(BPF_ALU | BPF_MOD | BPF_X, 1, 2, 0, 0) }, "(9c) w1 %= w2" },
		/* long jumps, may_goto */
		{ { INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, 100000) }, "(06) gotol pc+100000" },
		{ { INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, -5) }, "(06) gotol pc-5" },
		{ { INSN(BPF_JMP | 0xe0, 0, 0, 3, 0) }, "(e5) may_goto pc+3" },
		/* load-acquire / store-release */
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 8, 0x100) },
		  "(db) r1 = load_acquire((u64 *)(r2 +8))" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, 0x110) },
		  "(c3) store_release((u32 *)(r1 +0), r2)" },
		/* arena and per-CPU address moves */
		{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 1, 1) }, "(bf) r1 = addr_space_cast(r2, 0, 1)" },
		{ { INSN(BPF_ALU64 | BPF_MOV | BPF_X, 0, 0, -1, 0) }, "(bf) r0 = &(void __percpu *)(r0)" },
	};

	check_table(g, ARRAY_SIZE(g), 0);
}

static void test_store_jset_atomics(void **state)
{
	static const struct golden g[] = {
		/* BPF_ST: immediate stores */
		{ { INSN(BPF_ST | BPF_MEM | BPF_B, 10, 0, -1, 7) }, "(72) *(u8 *)(r10 -1) = 7" },
		{ { INSN(BPF_ST | BPF_MEM | BPF_H, 10, 0, -4, -1) }, "(6a) *(u16 *)(r10 -4) = -1" },
		{ { INSN(BPF_ST | BPF_MEM | BPF_W, 1, 0, 8, 42) }, "(62) *(u32 *)(r1 +8) = 42" },
		{ { INSN(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -16, 0) }, "(7a) *(u64 *)(r10 -16) = 0" },
		{ { INSN(BPF_ST | 0xc0, 0, 0, 0, 0) }, "(c2) nospec" },
		/* JSET */
		{ { INSN(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 2, 4) }, "(45) if r1 & 0x4 goto pc+2" },
		{ { INSN(BPF_JMP | BPF_JSET | BPF_X, 1, 2, -3, 0) }, "(4d) if r1 & r2 goto pc-3" },
		{ { INSN(BPF_JMP32 | BPF_JSET | BPF_K, 1, 0, 1, 0x80) }, "(46) if w1 & 0x80 goto pc+1" },
		{ { INSN(BPF_JMP32 | BPF_JSET | BPF_X, 1, 2, 1, 0) }, "(4e) if w1 & w2 goto pc+1" },
		/* atomics, every operation with and without fetch, both sizes */
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD) },
		  "(db) lock *(u64 *)(r1 +0) += r2" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 4, BPF_AND) },
		  "(c3) lock *(u32 *)(r1 +4) &= r2" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_OR) },
		  "(db) lock *(u64 *)(r1 +0) |= r2" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_XOR) },
		  "(c3) lock *(u32 *)(r1 +0) ^= r2" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, -8, BPF_ADD | BPF_FETCH) },
		  "(db) r2 = atomic64_fetch_add((u64 *)(r1 -8), r2)" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_AND | BPF_FETCH) },
		  "(c3) r2 = atomic_fetch_and((u32 *)(r1 +0), r2)" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_OR | BPF_FETCH) },
		  "(db) r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_XOR | BPF_FETCH) },
		  "(c3) r2 = atomic_fetch_xor((u32 *)(r1 +0), r2)" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_XCHG) },
		  "(db) r2 = atomic64_xchg((u64 *)(r1 +0), r2)" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_CMPXCHG) },
		  "(c3) r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)" },
		/* legacy packet loads */
		{ { INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 23) }, "(30) r0 = *(u8 *)skb[23]" },
		{ { INSN(BPF_LD | BPF_IND | BPF_W, 0, 3, 0, 4) }, "(40) r0 = *(u32 *)skb[r3 + 4]" },
		/* what is not an instruction says so */
		{ { INSN(BPF_ALU64 | 0xe0 | BPF_K, 1, 0, 0, 0) }, "(e7) invalid alu opcode" },
		{ { INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x77) },
		  "(db) invalid atomic operation 0x77" },
	};

	check_table(g, ARRAY_SIZE(g), 0);
}

static void test_ld_imm64_pseudo(void **state)
{
	static const struct golden g[] = {
		{ { INSN(0x18, 1, 0, 0, 0x89abcdef), INSN(0, 0, 0, 0, 0x1234567) },
		  "(18) r1 = 0x123456789abcdef" },
		{ { INSN(0x18, 1, BPF_PSEUDO_MAP_FD, 0, 5), INSN(0, 0, 0, 0, 0) }, "(18) r1 = map[fd:5]" },
		{ { INSN(0x18, 2, BPF_PSEUDO_MAP_VALUE, 0, 5), INSN(0, 0, 0, 0, 16) },
		  "(18) r2 = map[fd:5][0]+16" },
		{ { INSN(0x18, 1, BPF_PSEUDO_MAP_IDX, 0, 3), INSN(0, 0, 0, 0, 0) }, "(18) r1 = map[idx:3]" },
		{ { INSN(0x18, 1, BPF_PSEUDO_MAP_IDX_VALUE, 0, 3), INSN(0, 0, 0, 0, 8) },
		  "(18) r1 = map[idx:3]+8" },
		{ { INSN(0x18, 3, BPF_PSEUDO_FUNC, 0, 7), INSN(0, 0, 0, 0, 0) }, "(18) r3 = subprog[+7]" },
	};
	BEE_OPTS(bee_disasm_opts, xl, .flags = BEE_DISASM_XLATED);
	const struct btf *kb = bee_kernel_btf();
	struct bpf_insn ld[2] = { INSN(0x18, 1, BPF_PSEUDO_MAP_FD, 0, 12), INSN(0, 0, 0, 0, 0) };
	char buf[256], want[256];
	int id;

	check_table(g, ARRAY_SIZE(g), 0);
	/* a loaded program refers to maps by id */
	t_eq("ld_imm64 slots", 2, bee_disasm_insn(ld, 2, 0, buf, sizeof(buf), &xl));
	t_streq("xlated map ref", "(18) r1 = map[id:12]", buf);
	/* cut off: the second half is missing */
	t_eq("cut-off ld_imm64", -EINVAL, bee_disasm_insn(ld, 1, 0, buf, sizeof(buf), NULL));
	t_eq("index past the end", -EINVAL, bee_disasm_insn(ld, 2, 2, buf, sizeof(buf), NULL));

	/* a kernel variable by BTF id is named from kernel BTF */
	if (!kb)
		t_skip("no kernel BTF: %s", strerror(errno));
	id = btf__find_by_name_kind(kb, "bpf_prog_active", BTF_KIND_VAR);
	if (id < 0)
		id = btf__find_by_name_kind(kb, "runqueues", BTF_KIND_VAR);
	assert_true(id > 0);
	ld[0] = INSN(0x18, 4, BPF_PSEUDO_BTF_ID, 0, id);
	bee_disasm_insn(ld, 2, 0, buf, sizeof(buf), NULL);
	snprintf(want, sizeof(want), "(18) r4 = ksym[btf_id:%d:%s]", id,
		 btf__name_by_offset(kb, btf__type_by_id(kb, id)->name_off));
	t_streq("ld_imm64 of a kernel variable", want, buf);
}

static const char *name_map(void *ctx, uint32_t ref)
{
	return ref == 12 ? "statsMap" : NULL;
}

static void test_map_names(void **state)
{
	struct bpf_insn p[] = { INSN(0x18, 1, BPF_PSEUDO_MAP_FD, 0, 12), INSN(0, 0, 0, 0, 0),
				INSN(0x18, 2, BPF_PSEUDO_MAP_VALUE, 0, 12), INSN(0, 0, 0, 0, 4),
				INSN(0x18, 3, BPF_PSEUDO_MAP_FD, 0, 13), INSN(0, 0, 0, 0, 0) };
	BEE_OPTS(bee_disasm_opts, o, .flags = BEE_DISASM_XLATED, .map_name_fn = name_map);
	char buf[256];

	bee_disasm_insn(p, 6, 0, buf, sizeof(buf), &o);
	t_streq("map by id with its name", "(18) r1 = map[id:12:statsMap]", buf);
	bee_disasm_insn(p, 6, 2, buf, sizeof(buf), &o);
	t_streq("map value with its name", "(18) r2 = map[id:12:statsMap][0]+4", buf);
	bee_disasm_insn(p, 6, 4, buf, sizeof(buf), &o);
	t_streq("map without a known name", "(18) r3 = map[id:13]", buf);
}

static void test_calls(void **state)
{
	const struct btf *kb = bee_kernel_btf();
	struct bpf_insn c[] = {
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 14),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 1),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 12),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 5),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, -4, 1),
		INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL | BPF_X, 3, 0, 0, 0),
	};
	BEE_OPTS(bee_disasm_opts, xl, .flags = BEE_DISASM_XLATED);
	char buf[256], want[256];
	const char *kf = "bpf_task_acquire";
	int id;

	if (!kb)
		t_skip("no kernel BTF: %s", strerror(errno));
	bee_disasm_insn(c, 8, 0, buf, sizeof(buf), NULL);
	t_streq("helper 14 from enum bpf_func_id", "(85) call bpf_get_current_pid_tgid#14", buf);
	bee_disasm_insn(c, 8, 1, buf, sizeof(buf), NULL);
	t_streq("helper 1", "(85) call bpf_map_lookup_elem#1", buf);
	bee_disasm_insn(c, 8, 2, buf, sizeof(buf), &xl);
	t_streq("tail call restored in xlated form", "(85) call bpf_tail_call#12", buf);
	bee_disasm_insn(c, 8, 3, buf, sizeof(buf), NULL);
	t_streq("bpf-to-bpf call as compiled", "(85) call pc+5", buf);
	bee_disasm_insn(c, 8, 4, buf, sizeof(buf), &xl);
	t_streq("bpf-to-bpf call in xlated form (offset in off)", "(85) call pc-4", buf);
	bee_disasm_insn(c, 8, 6, buf, sizeof(buf), NULL);
	t_streq("exit", "(95) exit", buf);
	bee_disasm_insn(c, 8, 7, buf, sizeof(buf), NULL);
	t_streq("indirect call", "(8d) callx r3", buf);

	/* kfunc by its BTF id */
	id = btf__find_by_name_kind(kb, kf, BTF_KIND_FUNC);
	if (id < 0) {
		kf = "do_nanosleep";
		id = btf__find_by_name_kind(kb, kf, BTF_KIND_FUNC);
	}
	assert_true(id > 0);
	c[5].imm = id;
	bee_disasm_insn(c, 8, 5, buf, sizeof(buf), NULL);
	snprintf(want, sizeof(want), "(85) call %s#%d", kf, id);
	t_streq("kfunc named from kernel BTF", want, buf);
}

static void test_xlated_calls_by_kallsyms(void **state)
{
	char *ks = NULL, *p;
	unsigned long long base = 0, fn = 0;
	BEE_OPTS(bee_disasm_opts, xl, .flags = BEE_DISASM_XLATED);
	struct bpf_insn c[1];
	char buf[256];

	/* the kernel rewrites helper calls to offsets from __bpf_call_base */
	if (t_sh(&ks, "grep -E ' (__bpf_call_base|bpf_ktime_get_ns)$' /proc/kallsyms") || !ks[0]) {
		free(ks);
		t_skip("/proc/kallsyms has no such symbols here");
	}
	for (p = strtok(ks, "\n"); p; p = strtok(NULL, "\n")) {
		unsigned long long a = strtoull(p, NULL, 16);

		if (strstr(p, "__bpf_call_base"))
			base = a;
		else
			fn = a;
	}
	free(ks);
	if (!base || !fn)
		t_skip("kallsyms hides addresses from this process (kptr_restrict)");
	c[0] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)(fn - base));
	bee_disasm_insn(c, 1, 0, buf, sizeof(buf), &xl);
	{
		char want[128];

		snprintf(want, sizeof(want), "(85) call bpf_ktime_get_ns#%d", c[0].imm);
		t_streq("xlated helper call named through kallsyms", want, buf);
	}
}

/* ---- whole-program printer ------------------------------------------------------- */

static char *print_prog(const struct bpf_insn *p, size_t n, unsigned flags, int *ret)
{
	BEE_OPTS(bee_disasm_opts, o, .flags = flags);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	*ret = bee_disasm_fprint(f, p, n, &o);
	fclose(f);
	return text;
}

static void test_fprint_labels(void **state)
{
	struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),		/* 0 */
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3, 0),		/* 1 -> 5 */
		INSN(0x18, 2, 0, 0, 1), INSN(0, 0, 0, 0, 0),		/* 2-3 */
		INSN(BPF_JMP | BPF_JA, 0, 0, 1, 0),			/* 4 -> 6 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),		/* 5 */
		INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, -7),			/* 6 -> 0 */
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),			/* 7 */
	};
	const char *want = "L1:\n"
			   "   0: (b7) r0 = 0\n"
			   "   1: (15) if r1 == 0x0 goto pc+3 <L2>\n"
			   "   2: (18) r2 = 0x1\n"
			   "   4: (05) goto pc+1 <L3>\n"
			   "L2:\n"
			   "   5: (b7) r0 = 1\n"
			   "L3:\n"
			   "   6: (06) gotol pc-7 <L1>\n"
			   "   7: (95) exit\n";
	int n;
	char *out = print_prog(p, ARRAY_SIZE(p), 0, &n);

	t_eq("instructions printed (ld_imm64 counts once)", 7, n);
	t_streq("listing with labels", want, out);
	free(out);

	out = print_prog(p, ARRAY_SIZE(p), BEE_DISASM_NO_LABELS, &n);
	t_contains("no labels", out, "   1: (15) if r1 == 0x0 goto pc+3\n   2:");
	if (strstr(out, "L1"))
		fail_msg("nolabels output has a label: %s", out);
	free(out);

	out = print_prog(p, ARRAY_SIZE(p), BEE_DISASM_OPCODES | BEE_DISASM_NO_LABELS, &n);
	t_contains("opcodes under an instruction", out,
		   "   1: (15) if r1 == 0x0 goto pc+3\n       15 01 03 00 00 00 00 00\n");
	t_contains("ld_imm64 bytes are 16", out,
		   "       18 02 00 00 01 00 00 00 00 00 00 00 00 00 00 00\n");
	free(out);
}

/* bpftool's "visual": basic blocks and the edges between them. */
static void test_fprint_visual(void **state)
{
	struct bpf_insn p[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0),		/* 0  bb_2 */
		INSN(BPF_JMP | BPF_JGT | BPF_K, 1, 0, 3, 0),		/* 1  -> 5 */
		INSN(0x18, 2, 0, 0, 1), INSN(0, 0, 0, 0, 0),		/* 2  bb_3 */
		INSN(BPF_JMP | BPF_JA, 0, 0, 1, 0),			/* 4  -> 6 */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),		/* 5  bb_4 */
		INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, -7),			/* 6  bb_5 -> 0 */
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),			/* 7  bb_6 */
	};
	static const char *const edges[] = {
		"fn_0_bb_0:s -> fn_0_bb_2:n [style=\"solid,bold\", color=black,",
		"fn_0_bb_2:s -> fn_0_bb_3:n [style=\"solid,bold\", color=black,",
		"fn_0_bb_2:s -> fn_0_bb_4:n [style=\"solid,bold\", color=blue,",
		"fn_0_bb_3:s -> fn_0_bb_5:n [style=\"solid,bold\", color=blue,",
		"fn_0_bb_4:s -> fn_0_bb_5:n [style=\"solid,bold\", color=black,",
		"fn_0_bb_5:s -> fn_0_bb_2:n [style=\"solid,bold\", color=blue,",
		"fn_0_bb_6:s -> fn_0_bb_1:n [style=\"solid,bold\", color=black,",
	};
	int n, arrows = 0;
	char *out = print_prog(p, ARRAY_SIZE(p), BEE_DISASM_VISUAL, &n);

	t_eq("instructions in the graph", 7, n);
	t_contains("a DOT digraph", out, "digraph \"DOT graph for eBPF program\" {\n");
	t_contains("first block", out,
		   "fn_0_bb_2 [shape=record,style=filled,label=\"{0: (b7) r0 = 0\\l\\\n"
		   " | 1: (25) if r1 \\> 0x0 goto pc+3\\l\\\n}\"];");
	t_contains("ld_imm64 block", out, "{2: (18) r2 = 0x1\\l\\\n | 4: (05) goto pc+1\\l\\\n}");
	for (size_t i = 0; i < ARRAY_SIZE(edges); i++)
		t_contains("edge", out, edges[i]);
	for (char *q = out; (q = strstr(q, " -> ")); q++)
		arrows++;
	t_eq("edges", (int)ARRAY_SIZE(edges), arrows);
	free(out);
}

static void test_fprint_json(void **state)
{
	struct bpf_insn p[] = {
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	char path[] = "/tmp/bee_disasm_json_XXXXXX", *check = NULL;
	int n, fd, rc;
	char *out = print_prog(p, 3, BEE_DISASM_JSON | BEE_DISASM_OPCODES, &n);

	t_eq("instructions in JSON", 3, n);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out, strlen(out)), (int)strlen(out));
	close(fd);
	rc = t_sh(&check,
		  "python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); "
		  "print(len(a), a[0][\"disasm\"], a[0][\"target\"], a[2][\"label\"], "
		  "a[1][\"opcodes\"][\"code\"], a[1][\"opcodes\"][\"imm\"][0])' %s",
		  path);
	unlink(path);
	t_eq("python3 parses the JSON", 0, rc);
	t_streq("JSON fields", "3 (15) if r1 == 0x0 goto pc+1 2 L1 0xb7 0x01\n", check);
	free(check);
	free(out);
}

/* Random instructions, random buffer sizes: every call returns 1, 2 or
 * -EINVAL, stays inside its buffer and NUL-terminates it (run under
 * ASan by `make SAN=1` to catch the rest). */
static void test_random_insns(void **state)
{
	enum { N = 4096 };
	struct bpf_insn *p = calloc(N, sizeof(*p));
	BEE_OPTS(bee_disasm_opts, xl, .flags = BEE_DISASM_XLATED, .map_name_fn = name_map);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char buf[300];
	FILE *devnull = fopen("/dev/null", "we");
	int n;

	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < N; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			memcpy(&p[i], &x, sizeof(x));
			/* a third of them with a real class/op mix, small offsets */
			if (i % 3 == 0)
				p[i].off = (int16_t)(p[i].off % 64);
		}
		for (int i = 0; i < N; i++) {
			size_t sz = (size_t)(x >> (i % 40)) % sizeof(buf);
			int r;

			memset(buf, 'Z', sizeof(buf));
			r = bee_disasm_insn(p, N, i, buf, sz, round & 1 ? &xl : NULL);
			if (r != 1 && r != 2 && r != -EINVAL)
				fail_msg("insn %02x: returned %d", p[i].code, r);
			if (sz && !memchr(buf, 0, sz))
				fail_msg("insn %02x: not NUL-terminated in %zu bytes", p[i].code, sz);
			if (sz < sizeof(buf) && buf[sz] != 'Z')
				fail_msg("insn %02x: wrote past %zu bytes", p[i].code, sz);
		}
		n = bee_disasm_fprint(devnull, p, N, &(struct bee_disasm_opts){
			.sz = sizeof(struct bee_disasm_opts),
			.flags = (round & 1 ? BEE_DISASM_JSON : 0) | (round & 2 ? BEE_DISASM_VISUAL : 0) |
				 BEE_DISASM_OPCODES });
		if (n <= 0 && n != -EINVAL)
			fail_msg("bee_disasm_fprint over random instructions: %d", n);
	}
	fclose(devnull);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_alu),
		cmocka_unit_test(test_golden_jmp_mem),
		cmocka_unit_test(test_golden_clang_program),
		cmocka_unit_test(test_golden_kfunc_calls),
		cmocka_unit_test(test_golden_coverage),
		cmocka_unit_test(test_cpu_v4),
		cmocka_unit_test(test_store_jset_atomics),
		cmocka_unit_test(test_ld_imm64_pseudo),
		cmocka_unit_test(test_map_names),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_xlated_calls_by_kallsyms),
		cmocka_unit_test(test_fprint_labels),
		cmocka_unit_test(test_fprint_visual),
		cmocka_unit_test(test_fprint_json),
		cmocka_unit_test(test_random_insns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
