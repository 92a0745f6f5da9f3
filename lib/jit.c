// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The native code of a jited BPF program, disassembled with capstone (the
 * Debian bpftool needs libbfd for this and is built without it). Each
 * subprogram is printed under its kallsyms name, at the addresses the
 * kernel reports, so calls and jumps out of the program resolve to kernel
 * symbols and jumps inside it read as offsets from the function's start.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include <bpf/btf.h>
#include <capstone/capstone.h>

#include "json.h"
#include "prog_internal.h"

#if defined(__aarch64__)
#define JIT_ARCH CS_ARCH_ARM64
#define JIT_MODE CS_MODE_ARM
#else
#define JIT_ARCH CS_ARCH_X86
#define JIT_MODE CS_MODE_64
#endif

/*
 * capstone is opened with dlopen on first use: its tables carry relocations
 * that cost every start of the binary about a millisecond, and only this
 * file needs it (`bee prog list` should start as fast as bpftool).
 */
static struct {
	cs_err (*open)(cs_arch arch, cs_mode mode, csh *h);
	cs_err (*option)(csh h, cs_opt_type type, size_t value);
	cs_insn *(*malloc)(csh h);
	bool (*disasm_iter)(csh h, const uint8_t **code, size_t *size, uint64_t *addr,
			    cs_insn *insn);
	void (*free)(cs_insn *insn, size_t count);
	cs_err (*close)(csh *h);
	bool (*insn_group)(csh h, const cs_insn *insn, unsigned int group_id);
	char err[256];
} cs;
static pthread_once_t cs_once = PTHREAD_ONCE_INIT;

#define CS_STR2(x) #x
#define CS_STR(x) CS_STR2(x)

static void cs_load(void)
{
	/* the soname of the capstone bee was built against, then any */
	static const char *const names[] = { "libcapstone.so." CS_STR(CS_API_MAJOR),
					     "libcapstone.so" };
	void *h = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(names) && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(cs.err, sizeof(cs.err), "cannot load capstone (libcapstone.so.%d): %s",
			 CS_API_MAJOR, dlerror());
		return;
	}
	cs.open = (cs_err(*)(cs_arch, cs_mode, csh *))dlsym(h, "cs_open");
	cs.option = (cs_err(*)(csh, cs_opt_type, size_t))dlsym(h, "cs_option");
	cs.malloc = (cs_insn * (*)(csh)) dlsym(h, "cs_malloc");
	cs.disasm_iter = (bool (*)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *))dlsym(
		h, "cs_disasm_iter");
	cs.free = (void (*)(cs_insn *, size_t))dlsym(h, "cs_free");
	cs.close = (cs_err(*)(csh *))dlsym(h, "cs_close");
	cs.insn_group = (bool (*)(csh, const cs_insn *, unsigned int))dlsym(h, "cs_insn_group");
	if (!cs.open || !cs.option || !cs.malloc || !cs.disasm_iter || !cs.free || !cs.close ||
	    !cs.insn_group) {
		snprintf(cs.err, sizeof(cs.err), "capstone library lacks cs_disasm_iter & co.");
		cs.open = NULL;
	}
	/* the handle stays open for the life of the process */
}

struct jit_printer {
	FILE *out;
	unsigned flags;
	struct bee_json j;
	struct bee_prog_data *d;
	uint32_t last_line_off;
	uint32_t jl_next; /* cursor into jited_line_info */
};

/* A branch's absolute target from capstone's operand text ("0xffff..."
 * for x86, "#0xffff..." for arm64); 0 when it has none (indirect). */
static uint64_t branch_target(const cs_insn *in)
{
	const char *p = strstr(in->op_str, "0x");
	char *end;
	uint64_t v;

	/* "$0x10" (x86) is an immediate, not an address */
	if (!p || (p != in->op_str && p[-1] != '#'))
		return 0;
	v = strtoull(p, &end, 16);
	return *end == 0 ? v : 0;
}

static bool is_branch(csh h, const cs_insn *in)
{
	return cs.insn_group(h, in, CS_GRP_CALL) || cs.insn_group(h, in, CS_GRP_JUMP);
}

/* The line info entry placed at native address @addr. Addresses only grow
 * while printing, so a cursor walks the (sorted) table once. */
static const struct bpf_line_info *jit_line(struct jit_printer *p, uint64_t addr)
{
	struct bee_prog_data *d = p->d;
	uint32_t n = d->info.nr_jited_line_info;

	if (!d->btf || !n || n != d->info.nr_line_info)
		return NULL;
	while (p->jl_next < n && d->jited_line_info[p->jl_next] < addr)
		p->jl_next++;
	if (p->jl_next < n && d->jited_line_info[p->jl_next] == addr)
		return &d->line_info[p->jl_next];
	return NULL;
}

/* Print one function; returns the instructions printed. */
static int print_func(struct jit_printer *p, csh h, const uint8_t *code, size_t len, uint64_t base,
		      const char *name, const char *proto)
{
	cs_insn *in = cs.malloc(h);
	uint64_t addr = base;
	const uint8_t *c = code;
	size_t left = len;
	int n = 0;
	bool json = p->flags & BEE_DISASM_JSON;

	if (!in)
		return -ENOMEM;
	if (json) {
		bee_json_obj_start(&p->j);
		bee_json_kstr(&p->j, "name", name);
		if (proto[0])
			bee_json_kstr(&p->j, "proto", proto);
		bee_json_key(&p->j, "insns");
		bee_json_arr_start(&p->j);
	} else {
		if (proto[0])
			fprintf(p->out, "%s:\n", proto);
		fprintf(p->out, "%s:\n", name);
	}
	while (left) {
		const struct bpf_line_info *li = jit_line(p, addr);
		const char *src = NULL, *sym = NULL;
		char ops[256], bytes[3 * 16 + 1] = "";
		uint64_t at = addr, off = 0, tgt;
		size_t isz;

		if (li && base) {
			src = btf__name_by_offset(p->d->btf, li->line_off);
			while (src && (*src == ' ' || *src == '\t'))
				src++;
			if (src && !*src)
				src = NULL;
			if (li->line_off == p->last_line_off)
				src = NULL;
			p->last_line_off = li->line_off;
		}
		if (!cs.disasm_iter(h, &c, &left, &addr, in)) {
			/* bytes capstone cannot decode: show them and go on */
			snprintf(ops, sizeof(ops), "0x%02x", *c);
			snprintf(bytes, sizeof(bytes), "%02x", *c);
			c++, left--, addr++;
			isz = 1;
			snprintf(in->mnemonic, sizeof(in->mnemonic), ".byte");
		} else {
			isz = in->size;
			snprintf(ops, sizeof(ops), "%s", in->op_str);
			for (size_t k = 0, bl = 0; k < isz && k < 16; k++)
				bl += snprintf(bytes + bl, sizeof(bytes) - bl, "%s%02x", k ? " " : "",
					       in->bytes[k]);
			tgt = is_branch(h, in) ? branch_target(in) : 0;
			if (tgt && tgt >= base && tgt < base + len) {
				/* inside this function: the offset the left column shows */
				snprintf(ops, sizeof(ops), "0x%" PRIx64, tgt - base);
			} else if (tgt) {
				sym = bee_ksym_find(tgt, &off);
			}
		}
		if (json) {
			bee_json_obj_start(&p->j);
			bee_json_kuint(&p->j, "pc", at - base);
			if (src) {
				bee_json_kstr(&p->j, "src", src);
				if (p->flags & BEE_DISASM_LINUM) {
					const char *file = btf__name_by_offset(p->d->btf,
									       li->file_name_off);

					bee_json_kstr(&p->j, "file", file ? file : "");
					bee_json_kuint(&p->j, "line_num",
						       BPF_LINE_INFO_LINE_NUM(li->line_col));
					bee_json_kuint(&p->j, "line_col",
						       BPF_LINE_INFO_LINE_COL(li->line_col));
				}
			}
			bee_json_kstr(&p->j, "operation", in->mnemonic);
			bee_json_kstr(&p->j, "operands", ops);
			if (sym) {
				char s[300];

				snprintf(s, sizeof(s), off ? "%s+0x%" PRIx64 : "%s", sym, off);
				bee_json_kstr(&p->j, "target", s);
			}
			if (p->flags & BEE_DISASM_OPCODES)
				bee_json_kstr(&p->j, "opcodes", bytes);
			bee_json_obj_end(&p->j);
		} else {
			if (src && (p->flags & BEE_DISASM_LINUM)) {
				const char *file = btf__name_by_offset(p->d->btf, li->file_name_off);

				fprintf(p->out, "; %s [file:%s line_num:%u line_col:%u]\n", src,
					file ? file : "", BPF_LINE_INFO_LINE_NUM(li->line_col),
					BPF_LINE_INFO_LINE_COL(li->line_col));
			} else if (src) {
				fprintf(p->out, "; %s\n", src);
			}
			fprintf(p->out, "%4" PRIx64 ":\t%s%s%s", at - base, in->mnemonic,
				ops[0] ? "\t" : "", ops);
			if (sym)
				fprintf(p->out, off ? "\t; %s+0x%" PRIx64 : "\t; %s", sym, off);
			fputc('\n', p->out);
			if (p->flags & BEE_DISASM_OPCODES)
				fprintf(p->out, "\t%s\n", bytes);
		}
		n++;
	}
	if (json) {
		bee_json_arr_end(&p->j);
		bee_json_obj_end(&p->j);
	}
	cs.free(in, 1);
	return n;
}

int bee_prog_dump_jited(int prog_fd, FILE *out, unsigned flags)
{
	struct jit_printer p = { .out = out, .flags = flags, .last_line_off = (uint32_t)-1 };
	struct bee_prog_data d;
	uint32_t nfunc, done = 0;
	int err, total = 0;
	csh h;

	err = bee_prog_data_get(prog_fd, true, &d);
	if (err)
		return err;
	p.d = &d;
	if (!d.info.jited_prog_len) {
		/* not jited (interpreter), or hidden from this process */
		err = d.info.xlated_prog_len ? -ENODATA : -EPERM;
		goto out_free;
	}
	pthread_once(&cs_once, cs_load);
	if (!cs.open) {
		pr_err("%s", cs.err);
		err = -ENOTSUP;
		goto out_free;
	}
	if (cs.open(JIT_ARCH, JIT_MODE, &h) != CS_ERR_OK) {
		pr_err("capstone: cannot open the disassembler");
		err = -ENOTSUP;
		goto out_free;
	}
#if !defined(__aarch64__)
	/* AT&T, as objdump and bpftool print it */
	cs.option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
#endif
	cs.option(h, CS_OPT_DETAIL, CS_OPT_ON);
	if (flags & BEE_DISASM_JSON) {
		bee_json_init(&p.j, out, flags & BEE_DISASM_PRETTY);
		bee_json_arr_start(&p.j);
	}
	/* one function per subprogram; older kernels report no lengths */
	nfunc = d.info.nr_jited_func_lens ? d.info.nr_jited_func_lens : 1;
	for (uint32_t i = 0; i < nfunc; i++) {
		uint32_t len = d.info.nr_jited_func_lens ? d.jited_func_lens[i] : d.info.jited_prog_len;
		uint64_t base = i < d.info.nr_jited_ksyms ? d.jited_ksyms[i] : 0;
		const char *ks = base ? bee_ksym_find(base, NULL) : NULL;
		char name[256], proto[512] = "";
		int n;

		if (done + len > d.info.jited_prog_len)
			len = d.info.jited_prog_len - done;
		if (d.btf && i < d.info.nr_func_info)
			bee_btf_func_proto(d.btf, d.func_info[i].type_id, proto, sizeof(proto));
		if (ks)
			snprintf(name, sizeof(name), "%s", ks);
		else {
			/* kallsyms hides it (bpf_jit_kallsyms=0): the kernel's naming */
			int k = snprintf(name, sizeof(name), "bpf_prog_");
			for (int b = 0; b < BPF_TAG_SIZE; b++)
				k += snprintf(name + k, sizeof(name) - k, "%02x", d.info.tag[b]);
			snprintf(name + k, sizeof(name) - k, "_%s", d.info.name);
		}
		/* subprograms need not lie in address order: start the line
		 * cursor at this function's first line info */
		p.jl_next = 0;
		if (i < d.info.nr_func_info)
			while (p.jl_next < d.info.nr_line_info &&
			       d.line_info[p.jl_next].insn_off < d.func_info[i].insn_off)
				p.jl_next++;
		n = print_func(&p, h, d.jited + done, len, base, name, proto);
		if (n < 0) {
			err = n;
			break;
		}
		total += n;
		done += len;
		if (!(flags & BEE_DISASM_JSON) && i + 1 < nfunc)
			fputc('\n', out);
	}
	if (flags & BEE_DISASM_JSON)
		bee_json_arr_end(&p.j), bee_json_end(&p.j);
	cs.close(&h);
	if (!err)
		err = total;
out_free:
	bee_prog_data_free(&d);
	return err;
}
