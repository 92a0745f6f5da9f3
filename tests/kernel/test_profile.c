/*
 * Symbols and stacks on the running kernel: a BPF program's own kernel
 * symbol (bpf_prog_TAG_NAME [bpf]) resolves from its JIT address; stacks
 * taken by bpf_get_stackid (stack map) and bpf_get_stack (buffer) on a
 * tracepoint name the syscall path in the kernel and libc's getppid in user
 * space; `bee profile --dwarf` finds the callers of code without frame
 * pointers.
 */
#include <dlfcn.h>
#include <sys/utsname.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "test.h"

struct stack_result {
	int64_t kid, uid;
	int64_t klen, ulen;
	uint64_t kbuf[32];
	uint64_t ubuf[32];
	uint64_t hits;
};

static struct bee_obj *open_stack_obj(void)
{
	struct bee_obj *obj;
	char pid[16];

	obj = bee_obj__open_file(t_bpath("tests/bpf/sym_stack.bpf.o"), NULL);
	if (!obj)
		fail_msg("open sym_stack.bpf.o: %s", bee_last_error());
	snprintf(pid, sizeof(pid), "%d", getpid());
	t_eq("set target_pid", 0, bee_obj__set_var(obj, "target_pid", pid));
	if (bee_obj__load(obj))
		fail_msg("load sym_stack.bpf.o: %s", bee_last_error());
	return obj;
}

/* The JIT image of a loaded program is in kallsyms as bpf_prog_<tag>_<name>. */
static void test_bpf_prog_symbol(void **state)
{
	struct bee_obj *obj = open_stack_obj();
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	uint64_t ksym = 0;
	struct bee_ksyms *ks;
	struct bee_sym sym;
	char want[64];
	int fd = bee_obj__prog_fd(obj, "sym_on_getppid");

	info.nr_jited_ksyms = 1;
	info.jited_ksyms = (uintptr_t)&ksym;
	t_eq("prog info", 0, bpf_obj_get_info_by_fd(fd, &info, &len));
	if (!ksym)
		t_skip("the program is not JIT-compiled (no kernel symbol)");
	snprintf(want, sizeof(want), "bpf_prog_%02x%02x%02x%02x%02x%02x%02x%02x_sym_on_getppid",
		 info.tag[0], info.tag[1], info.tag[2], info.tag[3], info.tag[4], info.tag[5],
		 info.tag[6], info.tag[7]);
	ks = bee_ksyms__new();
	t_eq("bee_ksyms__new", 1, ks != NULL);
	t_eq("find the program's JIT address", 0, bee_ksyms__find(ks, ksym + 4, &sym));
	t_streq("BPF program symbol", want, sym.name);
	t_streq("BPF program module", "bpf", sym.module);
	t_eq("offset in the program", 4, sym.offset);
	bee_ksyms__free(ks);
	bee_obj__close(obj);
}

static bool has_frame(const struct bee_ksyms *ks, const uint64_t *ips, size_t n, const char *fn)
{
	struct bee_sym sym;

	for (size_t i = 0; i < n; i++)
		if (!bee_ksyms__find(ks, ips[i] - (i ? 1 : 0), &sym) && !strcmp(sym.name, fn))
			return true;
	return false;
}

static bool kernel_before(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &a, &b);
	return a < maj || (a == maj && b < min);
}

static void test_stacks(void **state)
{
	struct bee_obj *obj = open_stack_obj();
	struct stack_result r = {};
	uint64_t ips[BEE_STACK_MAX_DEPTH];
	struct bee_ksyms *ks;
	struct bee_syms *us;
	struct bee_sym sym;
	char *text = NULL;
	size_t text_sz = 0, n;
	int stack_fd, err;
	FILE *m;

	if (!bee_tracefs())
		t_skip("no tracefs: %s", bee_last_error());
	if (bee_obj__attach(obj))
		fail_msg("attach sym_on_getppid: %s", bee_last_error());
	getppid();
	t_eq("lookup result", 0,
	     bpf_map_lookup_elem(bee_obj__map_fd(obj, "sym_result"), &(uint32_t){ 0 }, &r));
	t_eq("tracepoint hits from this pid", 1, r.hits);
	/* before 6.9 syscall tracepoints hand BPF an empty kernel stack (fixed
	 * upstream in 2024): the kernel's limit, so only the user side runs */
	bool kstack = r.kid >= 0 || !kernel_before(6, 9);
	if (!kstack)
		printf("note: %s: empty kernel stack at a syscall tracepoint on this kernel\n", __func__);
	if (kstack) {
	t_eq("kernel stack id", 1, r.kid >= 0);
	t_eq("bpf_get_stack kernel bytes", 1, r.klen > 0);
	}
	t_eq("user stack id", 1, r.uid >= 0);
	t_eq("bpf_get_stack user bytes", 1, r.ulen > 0);

	ks = bee_ksyms__new();
	us = bee_syms__new(0, NULL);
	t_eq("symbolisers", 1, ks && us);
	stack_fd = bee_obj__map_fd(obj, "sym_stacks");

	/* kernel: the syscall entry path, both ways */
	if (kstack) {
	err = bee_stack_read(stack_fd, r.kid, ips, BEE_STACK_MAX_DEPTH);
	t_eq("kernel stack frames", 1, err > 2);
	t_eq("stack map: do_syscall_64 in the kernel stack", 1, has_frame(ks, ips, err, "do_syscall_64"));
	n = bee_stack_len(r.kbuf, r.klen);
	t_eq("bpf_get_stack frames", r.klen / 8, n);
	t_eq("buffer: do_syscall_64 in the kernel stack", 1, has_frame(ks, r.kbuf, n, "do_syscall_64"));
	}

	/* user: the first frame is libc's getppid, whatever unwinds after it */
	err = bee_stack_read(stack_fd, r.uid, ips, BEE_STACK_MAX_DEPTH);
	t_eq("user stack frames", 1, err >= 1);
	t_eq("user frame 0 resolves", 0, bee_syms__find(us, ips[0], &sym));
	if (dlsym(RTLD_DEFAULT, sym.name) != (void *)getppid)
		fail_msg("user frame 0: want getppid, got %s", sym.name);
	t_contains("user frame 0 module", sym.module, "libc.so.6");
	t_eq("bpf_get_stack user frame 0 = stack map's", ips[0], r.ubuf[0]);

	/* printed: one line per frame, names with offsets and modules */
	m = open_memstream(&text, &text_sz);
	BEE_OPTS(bee_stack_opts, po, .indent = "  ");
	t_eq("printed kernel frames", bee_stack_len(r.kbuf, r.klen),
	     bee_stack_fprint(m, r.kbuf, bee_stack_len(r.kbuf, r.klen), ks, us, &po));
	bee_stack_fprint(m, ips, 1, ks, us, &po);
	fclose(m);
	if (kstack)
		t_contains("printed kernel stack", text, "  do_syscall_64+0x");
	t_contains("printed user frame", text, " [libc.so.6]\n");

	/* ids that are not there: any bucket other than the two filled */
	for (uint32_t id = 0; id < 64; id++)
		if (id != r.kid && id != r.uid) {
			t_eq("missing stack id", -ENOENT,
			     bee_stack_read(stack_fd, id, ips, BEE_STACK_MAX_DEPTH));
			break;
		}
	t_contains("EFAULT explained", bee_stack_strerror(-EFAULT), "kernel thread has no user stack");
	free(text);
	bee_syms__free(us);
	bee_ksyms__free(ks);
	bee_obj__close(obj);
}

/* bee profile --dwarf on a process built without frame pointers: the
 * callers a frame-pointer walk cannot see (nofp_middle, nofp_outer, main)
 * are in its stack, in order, unwound from the sample's registers and stack
 * copy through .eh_frame (and bpf_task_pt_regs works in a perf_event
 * program on this kernel). */
static void test_profile_dwarf(void **state)
{
	const char *bee = getenv("BEE");
	char *out = NULL;
	int rc;

	if (!bee)
		bee = t_bpath("bee");
	rc = t_sh(&out,
		  "f=$(mktemp /tmp/bee-dwarf.XXXXXX) && "
		  "{ %s 4 >/dev/null & p=$!; sleep 0.3; "
		  "%s profile -p $p --dwarf -d 1.5 -F 99 --folded $f >/dev/null 2>&1; r=$?; "
		  "kill $p 2>/dev/null; wait $p 2>/dev/null; echo rc=$r; cat $f; rm -f $f; }",
		  t_bpath("tests/helpers/spin_nofp"), bee);
	t_eq("bee profile --dwarf", 0, rc);
	t_contains("profile exit", out, "rc=0\n");
	t_contains("the callers, outermost first", out,
		   ";main;nofp_outer;nofp_middle;nofp_hot");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_prog_symbol),
		cmocka_unit_test(test_stacks),
		cmocka_unit_test(test_profile_dwarf),
	};

	if (geteuid() != 0) {
		printf("skip: test_profile: needs root\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
