/*
 * Workload for the symbolisation tests: prints the run-time addresses of
 * its functions ("NAME 0xADDR" lines, then "ready") and waits for stdin to
 * close. test_sym builds it at test time in several ways: non-PIE, PIE,
 * stripped with a separate debug file, calling into a shared library made
 * from this same file (-DSYM_LIB_ONLY builds just the library function,
 * -DSYM_USE_LIB takes it from that library instead of defining it).
 * Each function's opening line carries a LINE marker that the test looks up
 * to know which source line the function's address must map to.
 */
#include <stdio.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, used))

#if defined(SYM_LIB_ONLY) || !defined(SYM_USE_LIB)
NOINLINE int sym_lib_func(int x) { /* LINE:sym_lib_func */
	return x * 3 + 1;
}
#else
int sym_lib_func(int x);
#endif

#ifndef SYM_LIB_ONLY
volatile int sink;

NOINLINE int sym_alpha(int x) { /* LINE:sym_alpha */
	sink += x;
	return sink * 2;
}

NOINLINE static int sym_beta(int x) { /* LINE:sym_beta */
	sink ^= x;
	return sink + sym_alpha(x);
}

NOINLINE void sym_gamma(void) { /* LINE:sym_gamma */
	sink = sym_beta(sink) + sym_lib_func(sink);
}

int main(void)
{
	char buf[16];

	sym_gamma();
	printf("sym_alpha %p\n", (void *)sym_alpha);
	printf("sym_beta %p\n", (void *)sym_beta);
	printf("sym_gamma %p\n", (void *)sym_gamma);
	printf("sym_lib_func %p\n", (void *)sym_lib_func);
	printf("main %p\n", (void *)main);
	printf("ready\n");
	fflush(stdout);
	/* wait for the test to finish looking: it closes our stdin */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
#endif
