// SPDX-License-Identifier: GPL-2.0
/*
 * libbee's program dumps on programs loaded into the running kernel:
 * bee_prog_dump_xlated() prints exactly the kernel's instructions (counted
 * from bpf_prog_info), names the program's maps, helpers, functions and
 * source lines; bee_prog_dump_jited() prints every subprogram's native code;
 * bad fds are refused with the documented errors and nothing leaks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"

struct fixture {
	struct bpf_object *obj;
	int tp_fd, sk_fd, map_fd;
	uint32_t map_id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);

	if (geteuid() != 0) {
		free(f);
		return 0;
	}
	f->obj = bpf_object__open_file(t_bpath("tests/bpf/disasm_prog.bpf.o"), NULL);
	if (!f->obj || bpf_object__load(f->obj)) {
		fprintf(stderr, "cannot load disasm_prog.bpf.o: %s\n", strerror(errno));
		return -1;
	}
	f->tp_fd = bpf_program__fd(bpf_object__find_program_by_name(f->obj, "disasm_tracepoint_handler"));
	f->sk_fd = bpf_program__fd(bpf_object__find_program_by_name(f->obj, "disasm_sockfilter"));
	f->map_fd = bpf_map__fd(bpf_object__find_map_by_name(f->obj, "disasm_counts"));
	bpf_obj_get_info_by_fd(f->map_fd, &mi, &len);
	f->map_id = mi.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f)
		bpf_object__close(f->obj);
	free(f);
	return 0;
}

static char *dump(int fd, bool jited, unsigned flags, int *ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	*ret = jited ? bee_prog_dump_jited(fd, m, flags) : bee_prog_dump_xlated(fd, m, flags);
	fclose(m);
	return text;
}

/* Instructions in the kernel's xlated image, a ld_imm64 counting once. */
static int xlated_insn_cnt(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	struct bpf_insn *insns;
	int n = 0;

	bpf_obj_get_info_by_fd(fd, &info, &len);
	insns = calloc(1, info.xlated_prog_len);
	struct bpf_prog_info want = { .xlated_prog_len = info.xlated_prog_len,
				      .xlated_prog_insns = (uintptr_t)insns };
	len = sizeof(want);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &want, &len), 0);
	for (uint32_t i = 0; i < info.xlated_prog_len / 8; i++, n++)
		if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW))
			i++;
	free(insns);
	return n;
}

static void test_xlated(void **state)
{
	struct fixture *f = *state;
	char want[128];
	int n, lines = 0;
	char *out;

	if (!f)
		t_skip("needs root to load BPF programs");
	out = dump(f->tp_fd, false, 0, &n);
	t_eq("instructions printed = the kernel's xlated instructions", xlated_insn_cnt(f->tp_fd), n);
	for (char *p = out; (p = strstr(p, ": (")); p++)
		lines++;
	t_eq("instruction lines", n, lines);
	snprintf(want, sizeof(want), "= map[id:%u:disasm_counts]\n", f->map_id);
	t_contains("map by id and name", out, want);
	t_contains("helper named", out, "call bpf_get_current_pid_tgid#");
	t_contains("main function", out, "int disasm_tracepoint_handler(void *ctx):\n");
	t_contains("subprogram", out, "int disasm_sub(int x):\n");
	t_contains("bpf-to-bpf call names its target", out, "#disasm_sub\n");
	t_contains("source line", out, "; u32 pid = bpf_get_current_pid_tgid() >> 32;\n");
	free(out);

	out = dump(f->sk_fd, false, BEE_DISASM_LINUM | BEE_DISASM_OPCODES, &n);
	t_eq("socket filter instructions", xlated_insn_cnt(f->sk_fd), n);
	t_contains("linum", out, "disasm_prog.bpf.c line_num:");
	t_contains("opcodes of the exit", out, "(95) exit\n       95 00 00 00 00 00 00 00\n");
	free(out);
}

static void test_jited(void **state)
{
	struct fixture *f = *state;
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	char tag[32];
	int n, funcs = 0;
	char *out;

	if (!f)
		t_skip("needs root to load BPF programs");
	bpf_obj_get_info_by_fd(f->tp_fd, &info, &len);
	if (!info.jited_prog_len)
		t_skip("the kernel runs BPF in the interpreter (bpf_jit_enable=0)");
	out = dump(f->tp_fd, true, 0, &n);
	if (n <= 20)
		fail_msg("jited instructions: want more than 20, got %d: %s", n, out);
	snprintf(tag, sizeof(tag), "bpf_prog_%02x%02x", info.tag[0], info.tag[1]);
	t_contains("function named by kallsyms", out, tag);
	for (char *p = out; (p = strstr(p, "\nbpf_prog_")); p++)
		funcs++;
	t_eq("functions (main + disasm_sub)", 2, funcs + (strncmp(out, "bpf_prog_", 9) == 0));
	t_contains("helper call target named", out, "; bpf_get_current_pid_tgid");
	t_contains("source line in the main function", out, "; u32 pid = bpf_get_current_pid_tgid() >> 32;\n");
	t_contains("source line in the subprogram", out, "; return x * 3 + bpf_get_smp_processor_id();\n");
	free(out);
}

static void test_bad_fds(void **state)
{
	struct fixture *f = *state;
	int n, fds = t_fd_count();
	char *out;

	if (!f)
		t_skip("needs root to load BPF programs");
	out = dump(-1, false, 0, &n);
	t_eq("closed fd", -EBADF, n);
	free(out);
	out = dump(f->map_fd, false, 0, &n);
	t_eq("a map's fd is not a program", -EINVAL, n);
	free(out);
	out = dump(f->map_fd, true, 0, &n);
	t_eq("a map's fd is not a program (jited)", -EINVAL, n);
	free(out);
	out = dump(f->tp_fd, true, BEE_DISASM_JSON, &n);
	free(out);
	out = dump(f->tp_fd, false, BEE_DISASM_JSON, &n);
	free(out);
	t_eq("fds left open by the dumps", fds, t_fd_count());
}

/* kfunc calls in a loaded program are named (kallsyms, as helpers are). */
static void test_kfunc_names(void **state)
{
	struct bpf_object *obj;
	char *out;
	int fd, n;

	if (!*state)
		t_skip("needs root to load BPF programs");
	obj = bpf_object__open_file(t_bpath("tests/bpf/disasm_kfunc.bpf.o"), NULL);
	assert_non_null(obj);
	if (bpf_object__load(obj)) {
		int err = errno;

		bpf_object__close(obj);
		t_skip("kernel refuses kfunc calls from a socket filter: %s", strerror(err));
	}
	fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "disasm_kfunc"));
	out = dump(fd, false, 0, &n);
	t_eq("kfunc program instructions", 4, n);
	t_contains("kfunc named in xlated code", out, "(85) call bpf_rcu_read_lock#");
	t_contains("second kfunc", out, "(85) call bpf_rcu_read_unlock#");
	free(out);
	out = dump(fd, true, 0, &n);
	t_contains("kfunc named in jited code", out, "\t; bpf_rcu_read_lock\n");
	free(out);
	bpf_object__close(obj);
}

/* A program type newer than libbpf 1.1 is named from the kernel's BTF. */
static void test_type_newer_than_libbpf(void **state)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 }, /* NF_ACCEPT */
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	long long type, attach;
	char *out = NULL;
	int fd, rc;

	if (!*state)
		t_skip("needs root to load BPF programs");
	if (bee_enum_value("BPF_PROG_TYPE_NETFILTER", &type) ||
	    bee_enum_value("BPF_NETFILTER", &attach))
		t_skip("this kernel has no netfilter BPF programs");
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = attach);
	fd = bpf_prog_load(type, "bee_prog_nf", "GPL", insns, 2, &o);
	if (fd < 0)
		t_skip("kernel refuses a netfilter program: %s", strerror(errno));
	bpf_obj_get_info_by_fd(fd, &info, &len);
	rc = t_sh(&out, "%s -j prog show id %u", t_bpath("bee"), info.id);
	close(fd);
	t_eq("bee exit status", 0, rc);
	t_contains("type named from kernel BTF", out, "\"type\":\"netfilter\"");
	if (libbpf_bpf_prog_type_str(type))
		printf("note: this libbpf knows type %lld itself\n", type);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlated),
		cmocka_unit_test(test_jited),
		cmocka_unit_test(test_bad_fds),
		cmocka_unit_test(test_kfunc_names),
		cmocka_unit_test(test_type_newer_than_libbpf),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
