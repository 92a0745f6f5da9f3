/*
 * Kernel-matrix test: `bee feature probe` tells each kernel what it has and
 * what it lacks, checked against facts established here independently (a
 * trampoline really attached, the kprobe PMU, the kernel's BTF enums). On the
 * host that means no kprobes, no trampolines, tcx; on Debian's 6.1 (QEMU,
 * tests/extra/kmatrix.sh) kprobes and trampolines, and no tcx, no netfilter
 * program type. No skips: both answers are checked on every kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"

static char *probe_out;

static int probe_once(void **state)
{
	const char *bee = getenv("BEE");

	if (t_sh(&probe_out, "%s feature probe 2>&1", bee && *bee ? bee : t_bpath("bee")))
		fail_msg("bee feature probe failed: %s", probe_out);
	return 0;
}

static int probe_free(void **state)
{
	free(probe_out);
	return 0;
}

/* The probe's line for @what must say available exactly when @have. */
static void check_fact(const char *what, bool have)
{
	char want[128];

	snprintf(want, sizeof(want), "\n%s is %savailable", what, have ? "" : "NOT ");
	t_contains(what, probe_out, want);
}

static void test_probe_kprobes(void **state)
{
	char why[256];

	check_fact("kprobes", t_kernel_has_kprobes(why, sizeof(why)));
}

static void test_probe_trampolines(void **state)
{
	char why[256];
	bool have = t_kernel_has_trampolines(why, sizeof(why));

	check_fact("bpf_trampoline", have);
	/* and the program types that need them */
	t_contains("tracing program type", probe_out,
		   have ? "program_type tracing is available" : "program_type tracing is NOT available");
}

/* tcx: the kernel has it when its BTF has BPF_TCX_INGRESS (6.6+). */
static void test_probe_tcx(void **state)
{
	long long v;
	bool have = bee_enum_value("BPF_TCX_INGRESS", &v) == 0;

	check_fact("tcx", have);
	t_eq("bee_tc__has_tcx agrees with the kernel's BTF", have, bee_tc__has_tcx());
}

/* A program type the kernel's BTF does not name (netfilter before 6.4) is
 * not offered at all; one it names is probed. */
static void test_probe_netfilter(void **state)
{
	long long v;

	if (bee_enum_value("BPF_PROG_TYPE_NETFILTER", &v) == 0)
		t_contains("netfilter listed", probe_out, "program_type netfilter is");
	else if (strstr(probe_out, "program_type netfilter is available"))
		fail_msg("netfilter offered by a kernel whose BTF has no BPF_PROG_TYPE_NETFILTER");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_kprobes),
		cmocka_unit_test(test_probe_trampolines),
		cmocka_unit_test(test_probe_tcx),
		cmocka_unit_test(test_probe_netfilter),
	};

	return cmocka_run_group_tests(tests, probe_once, probe_free);
}
