/*
 * Workload for `bee profile --dwarf`: spins in nofp_hot(), called through
 * nofp_middle() and nofp_outer(), all built without frame pointers (as most
 * distribution code is), for the number of seconds given. A frame-pointer
 * walk cannot find nofp_middle and nofp_outer; a DWARF unwind must.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#pragma GCC optimize("omit-frame-pointer")

volatile unsigned long nofp_sink;

__attribute__((noinline)) void nofp_hot(void)
{
	for (int i = 0; i < 200000; i++)
		nofp_sink += i;
}

/* the work after each call keeps the calls from becoming jumps */
__attribute__((noinline)) void nofp_middle(void)
{
	nofp_hot();
	nofp_sink ^= 1;
}

__attribute__((noinline)) void nofp_outer(double seconds)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		nofp_middle();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	nofp_sink ^= 2;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1;

	printf("spinning\n");
	fflush(stdout);
	nofp_outer(seconds);
	return 0;
}
