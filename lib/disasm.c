// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bee's BPF disassembler. The notation is the kernel verifier's (and so
 * bpftool's "dump xlated"): "(b7) r0 = 0", "if r1 == 0x0 goto pc+3", so that
 * what bee prints reads like what the verifier log says about the same code.
 * Names come from the running kernel: helpers from BTF's enum bpf_func_id,
 * kfuncs from BTF ids, and for loaded programs the rewritten call targets
 * from /proc/kallsyms, so a kernel newer than bee is still named.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "prog_internal.h"

/* Opcode fields newer than some uapi headers bee may be built with. */
#ifndef BPF_MEMSX
#define BPF_MEMSX 0x80
#endif
#ifndef BPF_JCOND
#define BPF_JCOND 0xe0
#endif
#ifndef BPF_FETCH
#define BPF_FETCH 0x01
#endif
#ifndef BPF_XCHG
#define BPF_XCHG (0xe0 | BPF_FETCH)
#endif
#ifndef BPF_CMPXCHG
#define BPF_CMPXCHG (0xf0 | BPF_FETCH)
#endif
#define BEE_LOAD_ACQ 0x100
#define BEE_STORE_REL 0x110
#define BEE_NOSPEC 0xc0
#define BEE_PROBE_MEM 0x20
#define BEE_PROBE_MEMSX 0x40
#define BEE_PROBE_MEM32 0xa0
#define BEE_ADDR_SPACE_CAST 1
#define BEE_ADDR_PERCPU (-1)

/* ---- kallsyms ---------------------------------------------------------- */

struct ksym {
	uint64_t addr;
	const char *name;
};

static pthread_once_t ksym_once = PTHREAD_ONCE_INIT;
static struct ksym *ksyms;
static size_t ksym_cnt;
static char *ksym_text;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksym_load(void)
{
	size_t cap = 0, len;
	char *p, *end;

	if (bee_read_file("/proc/kallsyms", &ksym_text, &len))
		return;
	/* Parse in place: "ffffffff81000000 T _text [module]" */
	for (p = ksym_text, end = p + len; p < end;) {
		char *nl = memchr(p, '\n', end - p), *name, *e;
		uint64_t addr;
		char type;

		if (!nl)
			nl = end;
		*nl = 0;
		addr = strtoull(p, &e, 16);
		if (e == p || e[0] != ' ' || !e[1] || e[2] != ' ')
			goto next;
		type = e[1];
		name = e + 3;
		/* text symbols only: data would shadow functions at equal addresses */
		if (!addr || (type != 't' && type != 'T' && type != 'w' && type != 'W'))
			goto next;
		for (e = name; *e && *e != '\t' && *e != ' '; e++)
			;
		*e = 0;
		if (ksym_cnt == cap) {
			struct ksym *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(ksyms, cap * sizeof(*n));
			if (!n)
				break;
			ksyms = n;
		}
		ksyms[ksym_cnt].addr = addr;
		ksyms[ksym_cnt++].name = name;
next:
		p = nl + 1;
	}
	qsort(ksyms, ksym_cnt, sizeof(*ksyms), ksym_cmp);
}

static __attribute__((destructor)) void ksym_fini(void)
{
	free(ksyms);
	free(ksym_text);
}

const char *bee_ksym_find(uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi;

	pthread_once(&ksym_once, ksym_load);
	hi = ksym_cnt;
	if (!hi || addr < ksyms[0].addr)
		return NULL;
	/* last symbol with ksyms[i].addr <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* a distance of more than 1 MiB is not inside that symbol */
	if (addr - ksyms[lo].addr > (1 << 20))
		return NULL;
	if (off)
		*off = addr - ksyms[lo].addr;
	return ksyms[lo].name;
}

uint64_t bee_ksym_addr(const char *name)
{
	pthread_once(&ksym_once, ksym_load);
	for (size_t i = 0; i < ksym_cnt; i++)
		if (strcmp(ksyms[i].name, name) == 0)
			return ksyms[i].addr;
	return 0;
}

/* __bpf_call_base, the origin of the offsets in xlated call instructions. */
static uint64_t call_base(void)
{
	static uint64_t base;
	static int done;

	if (!done) {
		base = bee_ksym_addr("__bpf_call_base");
		done = 1;
	}
	return base;
}

/* ---- helper names -------------------------------------------------------- */

static pthread_once_t helper_once = PTHREAD_ONCE_INIT;
static const char **helper_names;
static long helper_cnt;

static void helper_load(void)
{
	const struct btf *btf = bee_kernel_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	long max = -1;
	int id;

	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);
	if (id < 0)
		return;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++)
		if (e[i].val > max && e[i].val < 100000)
			max = e[i].val;
	helper_names = calloc(max + 1, sizeof(*helper_names));
	if (!helper_names)
		return;
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *n = btf__name_by_offset(btf, e[i].name_off);

		if (e[i].val < 0 || e[i].val > max || strncmp(n, "BPF_FUNC_", 9))
			continue;
		/* "BPF_FUNC_unspec" is id 0, not a helper */
		if (e[i].val == 0)
			continue;
		helper_names[e[i].val] = n + 9;
	}
	helper_cnt = max + 1;
}

/* The helper's name without "bpf_" (BTF says "BPF_FUNC_map_lookup_elem"). */
static const char *helper_name(int32_t id)
{
	pthread_once(&helper_once, helper_load);
	if (id <= 0 || id >= helper_cnt)
		return NULL;
	return helper_names[id];
}

/* ---- one instruction ----------------------------------------------------- */

struct out {
	char *buf;
	size_t sz, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->sz ? o->buf + o->len : NULL, o->len < o->sz ? o->sz - o->len : 0,
		      fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

static const char *const alu_op[16] = {
	[BPF_ADD >> 4] = "+=",  [BPF_SUB >> 4] = "-=",	[BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=",	[BPF_OR >> 4] = "|=",	[BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=",	[BPF_XOR >> 4] = "^=",	[BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=", [BPF_END >> 4] = "endian",
};

static const char *const atomic_op[16] = {
	[BPF_ADD >> 4] = "add",
	[BPF_AND >> 4] = "and",
	[BPF_OR >> 4] = "or",
	[BPF_XOR >> 4] = "xor",
};

static const char *const jmp_op[16] = {
	[BPF_JA >> 4] = "jmp",	 [BPF_JEQ >> 4] = "==",	 [BPF_JGT >> 4] = ">",
	[BPF_JGE >> 4] = ">=",	 [BPF_JSET >> 4] = "&",	 [BPF_JNE >> 4] = "!=",
	[BPF_JSGT >> 4] = "s>",	 [BPF_JSGE >> 4] = "s>=", [BPF_CALL >> 4] = "call",
	[BPF_EXIT >> 4] = "exit", [BPF_JLT >> 4] = "<",	 [BPF_JLE >> 4] = "<=",
	[BPF_JSLT >> 4] = "s<",	 [BPF_JSLE >> 4] = "s<=",
};

static const char *size_name(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return "u8";
	case BPF_H:
		return "u16";
	case BPF_W:
		return "u32";
	default:
		return "u64";
	}
}

static const char *size_sx_name(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return "s8";
	case BPF_H:
		return "s16";
	case BPF_W:
		return "s32";
	default:
		return "s64";
	}
}

/* The function that starts at instruction @pc, from func_info (which the
 * kernel and libbpf keep sorted by instruction): a binary search, as calls
 * are looked up once per call instruction. */
static const char *func_at(const struct bee_disasm_opts *opts, long pc)
{
	size_t lo = 0, hi;

	if (!opts || !opts->btf || !opts->func_info)
		return NULL;
	hi = opts->func_info_cnt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long off = opts->func_info[mid].insn_off;

		if (off == pc) {
			const struct btf_type *t =
				btf__type_by_id(opts->btf, opts->func_info[mid].type_id);

			return t ? btf__name_by_offset(opts->btf, t->name_off) : NULL;
		}
		if (off < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void alu(struct out *o, const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = cls == BPF_ALU64 ? 'r' : 'w';
	bool sdiv = (op == BPF_DIV || op == BPF_MOD) && in->off == 1;

	if (op == BPF_END) {
		/* ALU64|END is cpu v4's unconditional bswap */
		if (cls == BPF_ALU64)
			put(o, "r%d = bswap%d r%d", in->dst_reg, in->imm, in->dst_reg);
		else
			put(o, "r%d = %s%d r%d", in->dst_reg,
			    BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le", in->imm, in->dst_reg);
	} else if (op == BPF_NEG) {
		put(o, "%c%d = -%c%d", r, in->dst_reg, r, in->dst_reg);
	} else if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == BEE_ADDR_SPACE_CAST) {
		put(o, "r%d = addr_space_cast(r%d, %d, %d)", in->dst_reg, in->src_reg,
		    (uint32_t)in->imm >> 16, in->imm & 0xffff);
	} else if (in->code == (BPF_ALU64 | BPF_MOV | BPF_X) && in->off == BEE_ADDR_PERCPU) {
		put(o, "r%d = &(void __percpu *)(r%d)", in->dst_reg, in->src_reg);
	} else if (BPF_SRC(in->code) == BPF_X) {
		const char *sx = "";

		if (op == BPF_MOV && (in->off == 8 || in->off == 16 || in->off == 32))
			sx = in->off == 8 ? "(s8)" : in->off == 16 ? "(s16)" : "(s32)";
		put(o, "%c%d %s%s %s%c%d", r, in->dst_reg, sdiv ? "s" : "", alu_op[op >> 4], sx, r,
		    in->src_reg);
	} else {
		put(o, "%c%d %s%s %d", r, in->dst_reg, sdiv ? "s" : "", alu_op[op >> 4], in->imm);
	}
}

static void call(struct out *o, const struct bpf_insn *in, size_t idx,
		 const struct bee_disasm_opts *opts, unsigned flags)
{
	bool xl = flags & BEE_DISASM_XLATED;
	const char *name = NULL;
	uint64_t off = 1;

	if (in->src_reg == BPF_PSEUDO_CALL) {
		/* xlated keeps the pc offset in off and the subprog index in imm */
		int rel = xl ? in->off : in->imm;

		name = func_at(opts, (long)idx + rel + 1);
		put(o, "call pc%+d", rel);
		if (name)
			put(o, "#%s", name);
		return;
	}
	if (in->src_reg == 0 && (name = helper_name(in->imm))) {
		/* the kernel names small immediates as helper ids even in xlated
		 * form (bpf_tail_call is restored to its id there) */
		put(o, "call bpf_%s#%d", name, in->imm);
		return;
	}
	if (xl && call_base())
		name = bee_ksym_find(call_base() + (int64_t)in->imm, &off);
	/* a kfunc as compiled, or xlated on JITs with far kfunc calls, where
	 * imm stays the BTF id */
	if ((!name || off) && in->src_reg == BPF_PSEUDO_KFUNC_CALL && in->off == 0 &&
	    bee_kernel_btf()) {
		const struct btf *kb = bee_kernel_btf();
		const struct btf_type *t = btf__type_by_id(kb, in->imm);

		if (t && btf_is_func(t)) {
			name = btf__name_by_offset(kb, t->name_off);
			off = 0;
		}
	}
	if (name && off == 0)
		put(o, "call %s#%d", name, in->imm);
	else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
		put(o, "call kernel-function#%d", in->imm);
	else
		put(o, "call unknown#%d", in->imm);
}

static void ld_imm64(struct out *o, const struct bpf_insn *in, size_t idx,
		     const struct bee_disasm_opts *opts, unsigned flags)
{
	uint64_t imm = (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in[0].imm;
	const char *kind = flags & BEE_DISASM_XLATED ? "id" : "fd";
	const char *mname = NULL;

	if ((in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE) && opts &&
	    opts->map_name_fn)
		mname = opts->map_name_fn(opts->ctx, in->imm);

	put(o, "r%d = ", in->dst_reg);
	switch (in->src_reg) {
	case BPF_PSEUDO_MAP_FD:
		put(o, "map[%s:%u%s%s]", kind, in->imm, mname ? ":" : "", mname ? mname : "");
		break;
	case BPF_PSEUDO_MAP_VALUE:
		put(o, "map[%s:%u%s%s][0]+%u", kind, in->imm, mname ? ":" : "", mname ? mname : "",
		    in[1].imm);
		break;
	case BPF_PSEUDO_MAP_IDX:
		put(o, "map[idx:%u]", in->imm);
		break;
	case BPF_PSEUDO_MAP_IDX_VALUE:
		put(o, "map[idx:%u]+%u", in->imm, in[1].imm);
		break;
	case BPF_PSEUDO_BTF_ID: {
		const struct btf *kb = bee_kernel_btf();
		const struct btf_type *t = kb ? btf__type_by_id(kb, in->imm) : NULL;
		const char *n = t ? btf__name_by_offset(kb, t->name_off) : NULL;

		put(o, "ksym[btf_id:%u%s%s]", in->imm, n && *n ? ":" : "", n && *n ? n : "");
		break;
	}
	case BPF_PSEUDO_FUNC: {
		const char *f = func_at(opts, (long)idx + in->imm + 1);

		put(o, "subprog[%+d]", in->imm);
		if (f)
			put(o, "#%s", f);
		break;
	}
	default:
		put(o, "0x%" PRIx64, imm);
	}
}

static void jmp(struct out *o, const struct bpf_insn *in, size_t idx,
		const struct bee_disasm_opts *opts, unsigned flags)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	char r = cls == BPF_JMP32 ? 'w' : 'r';

	if (op == BPF_CALL && cls == BPF_JMP) {
		if (BPF_SRC(in->code) == BPF_X)
			put(o, "callx r%d", in->dst_reg);
		else
			call(o, in, idx, opts, flags);
	} else if (op == BPF_EXIT && cls == BPF_JMP) {
		put(o, "exit");
	} else if (op == BPF_JA) {
		if (cls == BPF_JMP32)
			put(o, "gotol pc%+d", in->imm);
		else
			put(o, "goto pc%+d", in->off);
	} else if (op == BPF_JCOND && cls == BPF_JMP && in->src_reg == 0) {
		put(o, "may_goto pc%+d", in->off);
	} else if (!jmp_op[op >> 4] || op == BPF_CALL || op == BPF_EXIT || op == BPF_JCOND) {
		put(o, "invalid jmp opcode");
	} else if (BPF_SRC(in->code) == BPF_X) {
		put(o, "if %c%d %s %c%d goto pc%+d", r, in->dst_reg, jmp_op[op >> 4], r, in->src_reg,
		    in->off);
	} else {
		put(o, "if %c%d %s 0x%x goto pc%+d", r, in->dst_reg, jmp_op[op >> 4], in->imm,
		    in->off);
	}
}

static void atomic(struct out *o, const struct bpf_insn *in)
{
	const char *sz = size_name(in->code), *b64 = BPF_SIZE(in->code) == BPF_DW ? "64" : "";
	int op = in->imm & ~BPF_FETCH;

	if (in->imm == BEE_LOAD_ACQ) {
		put(o, "r%d = load_acquire((%s *)(r%d %+d))", in->dst_reg, sz, in->src_reg, in->off);
	} else if (in->imm == BEE_STORE_REL) {
		put(o, "store_release((%s *)(r%d %+d), r%d)", sz, in->dst_reg, in->off, in->src_reg);
	} else if (in->imm == BPF_CMPXCHG) {
		put(o, "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", b64, sz, in->dst_reg,
		    in->off, in->src_reg);
	} else if (in->imm == BPF_XCHG) {
		put(o, "r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", in->src_reg, b64, sz, in->dst_reg,
		    in->off, in->src_reg);
	} else if ((op == BPF_ADD || op == BPF_AND || op == BPF_OR || op == BPF_XOR) &&
		   !(in->imm & ~(op | BPF_FETCH))) {
		if (in->imm & BPF_FETCH)
			put(o, "r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", in->src_reg, b64,
			    atomic_op[op >> 4], sz, in->dst_reg, in->off, in->src_reg);
		else
			put(o, "lock *(%s *)(r%d %+d) %s r%d", sz, in->dst_reg, in->off,
			    alu_op[op >> 4], in->src_reg);
	} else {
		put(o, "invalid atomic operation 0x%x", (uint32_t)in->imm);
	}
}

int bee_disasm_insn(const struct bpf_insn *insns, size_t cnt, size_t idx, char *buf, size_t sz,
		    const struct bee_disasm_opts *opts)
{
	struct out o = { .buf = buf, .sz = sz };
	const struct bpf_insn *in;
	unsigned flags = opts ? opts->flags : 0;
	uint8_t mode;
	int slots = 1;

	if (sz)
		buf[0] = 0;
	if (!insns || idx >= cnt)
		return -EINVAL;
	in = &insns[idx];
	mode = BPF_MODE(in->code);
	put(&o, "(%02x) ", in->code);

	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!alu_op[BPF_OP(in->code) >> 4])
			put(&o, "invalid alu opcode");
		else
			alu(&o, in);
		break;
	case BPF_JMP:
	case BPF_JMP32:
		jmp(&o, in, idx, opts, flags);
		break;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (idx + 1 >= cnt) {
				put(&o, "r%d = <ld_imm64 cut off>", in->dst_reg);
				return -EINVAL;
			}
			ld_imm64(&o, in, idx, opts, flags);
			slots = 2;
		} else if (mode == BPF_ABS) {
			put(&o, "r0 = *(%s *)skb[%d]", size_name(in->code), in->imm);
		} else if (mode == BPF_IND) {
			put(&o, "r0 = *(%s *)skb[r%d + %d]", size_name(in->code), in->src_reg,
			    in->imm);
		} else {
			put(&o, "invalid ld mode");
		}
		break;
	case BPF_LDX:
		/* the probe modes are the verifier's rewrite of the plain ones */
		if (mode == BPF_MEM || mode == BEE_PROBE_MEM || mode == BEE_PROBE_MEM32)
			put(&o, "r%d = *(%s *)(r%d %+d)", in->dst_reg, size_name(in->code),
			    in->src_reg, in->off);
		else if (mode == BPF_MEMSX || mode == BEE_PROBE_MEMSX)
			put(&o, "r%d = *(%s *)(r%d %+d)", in->dst_reg, size_sx_name(in->code),
			    in->src_reg, in->off);
		else
			put(&o, "invalid ldx mode");
		break;
	case BPF_ST:
		if (mode == BPF_MEM || mode == BEE_PROBE_MEM32)
			put(&o, "*(%s *)(r%d %+d) = %d", size_name(in->code), in->dst_reg, in->off,
			    in->imm);
		else if (mode == BEE_NOSPEC)
			put(&o, "nospec");
		else
			put(&o, "invalid st mode");
		break;
	case BPF_STX:
		if (mode == BPF_MEM || mode == BEE_PROBE_MEM32)
			put(&o, "*(%s *)(r%d %+d) = r%d", size_name(in->code), in->dst_reg, in->off,
			    in->src_reg);
		else if (mode == BPF_ATOMIC && (BPF_SIZE(in->code) == BPF_W ||
						BPF_SIZE(in->code) == BPF_DW ||
						in->imm == BEE_LOAD_ACQ || in->imm == BEE_STORE_REL))
			atomic(&o, in);
		else
			put(&o, "invalid stx mode");
		break;
	}
	return slots;
}

/* ---- whole programs ------------------------------------------------------ */

/* Jump target of the instruction at @i, or -1. */
static long jump_target(const struct bpf_insn *in, size_t i, unsigned flags)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
		return in->src_reg == BPF_PSEUDO_FUNC ? (long)i + in->imm + 1 : -1;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return -1;
	if (op == BPF_EXIT || op == BPF_CALL)
		return -1;
	if (op == BPF_JA && cls == BPF_JMP32)
		return (long)i + in->imm + 1;
	return (long)i + in->off + 1;
}

struct printer {
	FILE *out;
	const struct bpf_insn *insns;
	size_t cnt;
	const struct bee_disasm_opts *opts;
	unsigned flags;
	int *label; /* label number per instruction, 0 = none */
	struct bee_json j;
	uint32_t last_line_off, last_line_num;
	size_t fi_next, li_next; /* cursors into func_info, line_info */
};

/* func_info and line_info are sorted by instruction and the printer goes
 * forward, so each keeps a cursor: a large program costs one pass. */
static void proto_of(struct printer *p, size_t pc, char *buf, size_t sz)
{
	const struct bee_disasm_opts *o = p->opts;

	buf[0] = 0;
	if (!o || !o->btf || !o->func_info)
		return;
	while (p->fi_next < o->func_info_cnt && o->func_info[p->fi_next].insn_off < pc)
		p->fi_next++;
	if (p->fi_next < o->func_info_cnt && o->func_info[p->fi_next].insn_off == pc)
		bee_btf_func_proto(o->btf, o->func_info[p->fi_next].type_id, buf, sz);
}

static const struct bpf_line_info *line_of(struct printer *p, size_t pc)
{
	const struct bee_disasm_opts *o = p->opts;

	if (!o || !o->btf || !o->line_info)
		return NULL;
	while (p->li_next < o->line_info_cnt && o->line_info[p->li_next].insn_off < pc)
		p->li_next++;
	if (p->li_next < o->line_info_cnt && o->line_info[p->li_next].insn_off == pc)
		return &o->line_info[p->li_next];
	return NULL;
}

static void print_one(struct printer *p, size_t pc, int slots, const char *text)
{
	const struct bpf_insn *in = &p->insns[pc];
	const struct bpf_line_info *li = line_of(p, pc);
	const struct btf *btf = p->opts ? p->opts->btf : NULL;
	const char *src = NULL, *file = NULL;
	char proto[512], full[600];
	long tgt = jump_target(in, pc, p->flags);
	bool json = p->flags & BEE_DISASM_JSON;

	proto_of(p, pc, proto, sizeof(proto));
	if (li) {
		src = btf__name_by_offset(btf, li->line_off);
		file = btf__name_by_offset(btf, li->file_name_off);
		if (src)
			while (*src == ' ' || *src == '\t')
				src++;
		if (src && !*src)
			src = NULL; /* clang's empty lines say nothing */
		/* consecutive entries of the same source line say nothing new */
		if (li->line_off == p->last_line_off &&
		    BPF_LINE_INFO_LINE_NUM(li->line_col) == p->last_line_num && !proto[0])
			src = NULL;
		else
			p->last_line_off = li->line_off,
			p->last_line_num = BPF_LINE_INFO_LINE_NUM(li->line_col);
	}
	snprintf(full, sizeof(full), "%s", text);
	if (tgt >= 0 && tgt < (long)p->cnt && p->label[tgt] && !(p->flags & BEE_DISASM_NO_LABELS))
		snprintf(full + strlen(full), sizeof(full) - strlen(full), " <L%d>", p->label[tgt]);

	if (json) {
		struct bee_json *j = &p->j;

		bee_json_obj_start(j);
		bee_json_kuint(j, "pc", pc);
		if (proto[0])
			bee_json_kstr(j, "proto", proto);
		if (src) {
			bee_json_kstr(j, "src", src);
			if (p->flags & BEE_DISASM_LINUM) {
				bee_json_kstr(j, "file", file ? file : "");
				bee_json_kuint(j, "line_num", BPF_LINE_INFO_LINE_NUM(li->line_col));
				bee_json_kuint(j, "line_col", BPF_LINE_INFO_LINE_COL(li->line_col));
			}
		}
		if (p->label[pc] && !(p->flags & BEE_DISASM_NO_LABELS)) {
			char l[16];

			snprintf(l, sizeof(l), "L%d", p->label[pc]);
			bee_json_kstr(j, "label", l);
		}
		bee_json_kstr(j, "disasm", text);
		if (tgt >= 0)
			bee_json_kint(j, "target", tgt);
		if (p->flags & BEE_DISASM_OPCODES) {
			const uint8_t *b = (const uint8_t *)in;
			char hex[8];

			/* bpftool's layout: fields as hex strings, off/imm bytewise */
			bee_json_key(j, "opcodes");
			bee_json_obj_start(j);
			snprintf(hex, sizeof(hex), "0x%02x", in->code);
			bee_json_kstr(j, "code", hex);
			snprintf(hex, sizeof(hex), "0x%x", in->src_reg);
			bee_json_kstr(j, "src_reg", hex);
			snprintf(hex, sizeof(hex), "0x%x", in->dst_reg);
			bee_json_kstr(j, "dst_reg", hex);
			bee_json_key(j, "off");
			bee_json_arr_start(j);
			for (int k = 2; k < 4; k++) {
				snprintf(hex, sizeof(hex), "0x%02x", b[k]);
				bee_json_string(j, hex);
			}
			bee_json_arr_end(j);
			bee_json_key(j, "imm");
			bee_json_arr_start(j);
			for (int k = 4; k < 8 * slots; k++) {
				if (k >= 8 && k < 12)
					continue; /* the second slot's code/regs/off */
				snprintf(hex, sizeof(hex), "0x%02x", b[k]);
				bee_json_string(j, hex);
			}
			bee_json_arr_end(j);
			bee_json_obj_end(j);
		}
		bee_json_obj_end(j);
		return;
	}

	if (proto[0])
		fprintf(p->out, "%s:\n", proto);
	if (p->label[pc] && !(p->flags & BEE_DISASM_NO_LABELS))
		fprintf(p->out, "L%d:\n", p->label[pc]);
	if (src) {
		if (p->flags & BEE_DISASM_LINUM)
			fprintf(p->out, "; %s [file:%s line_num:%u line_col:%u]\n", src,
				file ? file : "", BPF_LINE_INFO_LINE_NUM(li->line_col),
				BPF_LINE_INFO_LINE_COL(li->line_col));
		else
			fprintf(p->out, "; %s\n", src);
	}
	fprintf(p->out, "%4zu: %s\n", pc, full);
	if (p->flags & BEE_DISASM_OPCODES) {
		const uint8_t *b = (const uint8_t *)in;

		fputs("      ", p->out);
		for (int k = 0; k < 8 * slots; k++)
			fprintf(p->out, " %02x", b[k]);
		fputc('\n', p->out);
	}
}

/* ---- control flow graph (DOT) ------------------------------------------- */

static bool is_ld_imm64(const struct bpf_insn *in)
{
	return in->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* Target of a bpf-to-bpf call or of a ld_imm64 of a function, or -1. */
static long func_target(const struct bpf_insn *in, size_t i, unsigned flags)
{
	if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL)
		return (long)i + (flags & BEE_DISASM_XLATED ? in->off : in->imm) + 1;
	if (is_ld_imm64(in) && in->src_reg == BPF_PSEUDO_FUNC)
		return (long)i + in->imm + 1;
	return -1;
}

/* Ends a basic block: exit, and every jump but calls. */
static bool ends_block(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL;
}

static bool is_uncond(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	return op == BPF_EXIT || (op == BPF_JA && (cls == BPF_JMP || cls == BPF_JMP32));
}

/* A record label escapes what graphviz gives meaning to. */
static void dot_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("{}|<>\"\\", *s))
			fputc('\\', out);
		fputc(*s, out);
	}
}

/*
 * bpftool's "visual": per function a cluster with an ENTRY node (bb_0), an
 * EXIT node (bb_1) and a record per basic block (bb_2...), edges for the
 * fall-through (bold black) and the jump (blue) out of each block.
 */
static int visual_print(FILE *out, const struct bpf_insn *insns, size_t cnt,
			const struct bee_disasm_opts *opts)
{
	unsigned flags = opts ? opts->flags : 0;
	uint8_t *leader = calloc(cnt + 1, 1), *fstart = calloc(cnt + 1, 1);
	int *block = calloc(cnt + 1, sizeof(*block));
	char text[512];
	int n = 0, err = 0;

	if (!leader || !fstart || !block) {
		err = -ENOMEM;
		goto out;
	}
	fstart[0] = 1;
	if (opts && opts->func_info)
		for (size_t i = 0; i < opts->func_info_cnt; i++)
			if (opts->func_info[i].insn_off < cnt)
				fstart[opts->func_info[i].insn_off] = 1;
	for (size_t i = 0; i < cnt; i++) {
		long t = func_target(&insns[i], i, flags);

		if (t >= 0 && t < (long)cnt)
			fstart[t] = 1;
		if (is_ld_imm64(&insns[i]))
			i++;
	}
	for (size_t i = 0; i < cnt; i++) {
		long t = jump_target(&insns[i], i, flags);

		if (fstart[i])
			leader[i] = 1;
		if (ends_block(&insns[i])) {
			if (i + 1 < cnt)
				leader[i + 1] = 1;
			if (t >= 0 && t < (long)cnt && !is_ld_imm64(&insns[i]))
				leader[t] = 1;
		}
		if (is_ld_imm64(&insns[i]))
			i++;
	}

	fprintf(out, "digraph \"DOT graph for eBPF program\" {\n");
	for (size_t f = 0; f < cnt;) {
		size_t end = f + 1, i;
		const char *fname = func_at(opts, f);
		int nb = 2;

		while (end < cnt && !fstart[end])
			end++;
		/* number the blocks of this function: bb_2, bb_3, ... */
		for (i = f; i < end; i++)
			if (leader[i])
				block[i] = nb++;
			else
				block[i] = block[i - 1];
		fprintf(out, "subgraph \"cluster_%zu\" {\n\tstyle=\"dashed\";\n\tcolor=\"black\";\n"
			     "\tlabel=\"func_%zu (%s)\";\n",
			f, f, fname ? fname : "");
		fprintf(out, "\tfn_%zu_bb_0 [shape=Mdiamond,style=filled,label=\"ENTRY\"];\n\n", f);
		for (i = f; i < end;) {
			int slots;

			if (leader[i])
				fprintf(out, "\tfn_%zu_bb_%d [shape=record,style=filled,label=\"{", f,
					block[i]);
			slots = bee_disasm_insn(insns, cnt, i, text, sizeof(text), opts);
			if (slots < 0) {
				slots = 1;
				err = -EINVAL;
			}
			fprintf(out, "%s%zu: ", leader[i] ? "" : " | ", i);
			dot_escape(out, text);
			fputs("\\l\\\n", out);
			n++;
			i += slots;
			if (i >= end || leader[i])
				fputs("}\"];\n\n", out);
		}
		fprintf(out, "\tfn_%zu_bb_1 [shape=Mdiamond,style=filled,label=\"EXIT\"];\n\n", f);
		/* edges: entry, then out of each block's last instruction */
		fprintf(out, "\tfn_%zu_bb_0:s -> fn_%zu_bb_2:n [style=\"solid,bold\", color=black, "
			     "weight=10, constraint=true];\n",
			f, f);
		for (i = f; i < end;) {
			size_t last = i, next;
			long t;

			while (last + (is_ld_imm64(&insns[last]) ? 2 : 1) < end &&
			       !leader[last + (is_ld_imm64(&insns[last]) ? 2 : 1)])
				last += is_ld_imm64(&insns[last]) ? 2 : 1;
			next = last + (is_ld_imm64(&insns[last]) ? 2 : 1);
			t = is_ld_imm64(&insns[last]) ? -1 : jump_target(&insns[last], last, flags);
			if (BPF_OP(insns[last].code) == BPF_EXIT && ends_block(&insns[last])) {
				fprintf(out, "\tfn_%zu_bb_%d:s -> fn_%zu_bb_1:n [style=\"solid,bold\", "
					     "color=black, weight=10, constraint=true];\n",
					f, block[i], f);
			} else {
				if (!(ends_block(&insns[last]) && is_uncond(&insns[last])))
					fprintf(out, "\tfn_%zu_bb_%d:s -> fn_%zu_bb_%d:n [style=\"solid,bold\", "
						     "color=black, weight=10, constraint=true];\n",
						f, block[i], f, next < end ? block[next] : 1);
				if (ends_block(&insns[last]) && t >= (long)f && t < (long)end)
					fprintf(out, "\tfn_%zu_bb_%d:s -> fn_%zu_bb_%d:n [style=\"solid,bold\", "
						     "color=blue, weight=10, constraint=true];\n",
						f, block[i], f, block[t]);
			}
			i = next;
		}
		fputs("}\n", out);
		f = end;
	}
	fputs("}\n", out);
out:
	free(leader);
	free(fstart);
	free(block);
	return err ? err : n;
}

int bee_disasm_fprint(FILE *out, const struct bpf_insn *insns, size_t cnt,
		      const struct bee_disasm_opts *opts)
{
	struct printer p = { .out = out, .insns = insns, .cnt = cnt, .opts = opts };
	char text[512];
	int n = 0, next = 0, err = 0;

	if (!out || (!insns && cnt))
		return -EINVAL;
	if (opts && (opts->flags & BEE_DISASM_VISUAL))
		return visual_print(out, insns, cnt, opts);
	p.flags = opts ? opts->flags : 0;
	p.last_line_off = (uint32_t)-1;
	p.label = calloc(cnt + 1, sizeof(*p.label));
	if (!p.label)
		return -ENOMEM;
	/* labels are numbered in address order, so L1 comes first */
	for (size_t i = 0; i < cnt; i++) {
		long t = jump_target(&insns[i], i, p.flags);

		if (t >= 0 && t < (long)cnt)
			p.label[t] = -1;
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	}
	for (size_t i = 0; i < cnt; i++)
		if (p.label[i])
			p.label[i] = ++next;
	if (p.flags & BEE_DISASM_JSON) {
		bee_json_init(&p.j, out, p.flags & BEE_DISASM_PRETTY);
		bee_json_arr_start(&p.j);
	}
	for (size_t i = 0; i < cnt;) {
		int slots = bee_disasm_insn(insns, cnt, i, text, sizeof(text), opts);

		if (slots < 0) {
			/* a cut-off ld_imm64 at the end: show what there is */
			slots = 1;
			err = -EINVAL;
		}
		print_one(&p, i, slots, text);
		n++;
		i += slots;
	}
	if (p.flags & BEE_DISASM_JSON)
		bee_json_arr_end(&p.j), bee_json_end(&p.j);
	free(p.label);
	return err ? err : n;
}

/* ---- loaded programs ----------------------------------------------------- */

static void proto_printf(void *ctx, const char *fmt, va_list ap)
{
	struct out *o = ctx;
	int n = vsnprintf(o->len < o->sz ? o->buf + o->len : NULL,
			  o->len < o->sz ? o->sz - o->len : 0, fmt, ap);

	if (n > 0)
		o->len += n;
}

void bee_btf_func_proto(const struct btf *btf, uint32_t func_id, char *buf, size_t sz)
{
	const struct btf_type *t = btf__type_by_id(btf, func_id);
	struct out o = { .buf = buf, .sz = sz };
	struct btf_dump *d;
	const char *name;

	buf[0] = 0;
	if (!t || !btf_is_func(t))
		return;
	name = btf__name_by_offset(btf, t->name_off);
	d = btf_dump__new(btf, proto_printf, &o, NULL);
	if (!d) {
		snprintf(buf, sz, "%s()", name);
		return;
	}
	/* libbpf prints "int handle(void *ctx)" for a FUNC_PROTO named @name */
	DECLARE_LIBBPF_OPTS(btf_dump_emit_type_decl_opts, eo, .field_name = name);
	if (btf_dump__emit_type_decl(d, t->type, &eo))
		snprintf(buf, sz, "%s()", name);
	btf_dump__free(d);
}

void bee_prog_data_free(struct bee_prog_data *d)
{
	if (!d)
		return;
	free(d->insns);
	free(d->jited);
	free(d->jited_ksyms);
	free(d->jited_func_lens);
	free(d->func_info);
	free(d->line_info);
	free(d->jited_line_info);
	free(d->map_ids);
	free(d->map_names);
	btf__free(d->btf);
	memset(d, 0, sizeof(*d));
}

int bee_prog_data_get(int prog_fd, bool jited, struct bee_prog_data *d)
{
	struct bpf_prog_info *info = &d->info;
	uint32_t len = sizeof(*info);
	char link[64], target[64];
	ssize_t n;
	int err;

	memset(d, 0, sizeof(*d));
	/* the info call answers for maps and links too, in their own layout */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", prog_fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? -EBADF : -errno;
	target[n] = 0;
	if (strcmp(target, "anon_inode:bpf-prog"))
		return -EINVAL;
	err = bpf_obj_get_info_by_fd(prog_fd, info, &len);
	if (err)
		return -errno;
	/* A second call with buffers sized from the first; the kernel fills
	 * only what it was given room for. */
	struct bpf_prog_info want = {
		.xlated_prog_len = info->xlated_prog_len,
		.nr_map_ids = info->nr_map_ids,
		.nr_func_info = info->nr_func_info,
		.func_info_rec_size = sizeof(struct bpf_func_info),
		.nr_line_info = info->nr_line_info,
		.line_info_rec_size = sizeof(struct bpf_line_info),
	};
	if (jited) {
		want.jited_prog_len = info->jited_prog_len;
		want.nr_jited_ksyms = info->nr_jited_ksyms;
		want.nr_jited_func_lens = info->nr_jited_func_lens;
		want.nr_jited_line_info = info->nr_jited_line_info;
		want.jited_line_info_rec_size = sizeof(uint64_t);
	}
	d->insns = calloc(1, want.xlated_prog_len + 8);
	d->map_ids = calloc(want.nr_map_ids + 1, sizeof(uint32_t));
	d->func_info = calloc(want.nr_func_info + 1, sizeof(struct bpf_func_info));
	d->line_info = calloc(want.nr_line_info + 1, sizeof(struct bpf_line_info));
	d->jited = calloc(1, want.jited_prog_len + 1);
	d->jited_ksyms = calloc(want.nr_jited_ksyms + 1, sizeof(uint64_t));
	d->jited_func_lens = calloc(want.nr_jited_func_lens + 1, sizeof(uint32_t));
	d->jited_line_info = calloc(want.nr_jited_line_info + 1, sizeof(uint64_t));
	if (!d->insns || !d->map_ids || !d->func_info || !d->line_info || !d->jited ||
	    !d->jited_ksyms || !d->jited_func_lens || !d->jited_line_info) {
		err = -ENOMEM;
		goto err_free;
	}
	want.xlated_prog_insns = (uintptr_t)d->insns;
	want.map_ids = (uintptr_t)d->map_ids;
	want.func_info = (uintptr_t)d->func_info;
	want.line_info = (uintptr_t)d->line_info;
	if (jited) {
		want.jited_prog_insns = (uintptr_t)d->jited;
		want.jited_ksyms = (uintptr_t)d->jited_ksyms;
		want.jited_func_lens = (uintptr_t)d->jited_func_lens;
		want.jited_line_info = (uintptr_t)d->jited_line_info;
	}
	len = sizeof(want);
	if (bpf_obj_get_info_by_fd(prog_fd, &want, &len)) {
		err = -errno;
		goto err_free;
	}
	/* keep the counts the second call reported (a program does not change,
	 * but the kernel may report less than asked, e.g. without privilege) */
	*info = want;
	if (info->btf_id) {
		d->btf = btf__load_from_kernel_by_id(info->btf_id);
		if (!d->btf)
			pr_debug("prog id %u: cannot load its BTF id %u: %s", info->id, info->btf_id,
				 strerror(errno));
	}
	d->map_names = calloc(info->nr_map_ids + 1, sizeof(*d->map_names));
	if (!d->map_names) {
		err = -ENOMEM;
		goto err_free;
	}
	for (uint32_t i = 0; i < info->nr_map_ids; i++) {
		struct bpf_map_info mi = {};
		uint32_t ml = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(d->map_ids[i]);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &ml))
			memcpy(d->map_names[i], mi.name, sizeof(mi.name));
		close(fd);
	}
	return 0;

err_free:
	bee_prog_data_free(d);
	return err;
}

static const char *map_name_by_id(void *ctx, uint32_t id)
{
	struct bee_prog_data *d = ctx;

	for (uint32_t i = 0; i < d->info.nr_map_ids; i++)
		if (d->map_ids[i] == id && d->map_names[i][0])
			return d->map_names[i];
	return NULL;
}

int bee_prog_dump_xlated(int prog_fd, FILE *out, unsigned flags)
{
	struct bee_prog_data d;
	int err;

	err = bee_prog_data_get(prog_fd, false, &d);
	if (err)
		return err;
	if (!d.info.xlated_prog_len) {
		/* the kernel zeroes the length when this process may not see
		 * the instructions (bpf_dump_raw_ok) */
		err = -EPERM;
		goto out;
	}
	BEE_OPTS(bee_disasm_opts, opts, .flags = flags | BEE_DISASM_XLATED,
		 .map_name_fn = map_name_by_id, .ctx = &d, .btf = d.btf,
		 .func_info = d.btf ? d.func_info : NULL, .func_info_cnt = d.info.nr_func_info,
		 .line_info = d.btf ? d.line_info : NULL, .line_info_cnt = d.info.nr_line_info);
	err = bee_disasm_fprint(out, d.insns, d.info.xlated_prog_len / sizeof(struct bpf_insn),
				&opts);
out:
	bee_prog_data_free(&d);
	return err;
}
