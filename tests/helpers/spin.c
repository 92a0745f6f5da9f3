/*
 * Workload for the profiler tests and benchmark: spins in spin_hot() (a
 * function with a name no library has) for the number of seconds given, or
 * until killed. Frame pointers are kept so that user stacks unwind through
 * main.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#pragma GCC optimize("no-omit-frame-pointer")

volatile unsigned long spin_sink;

__attribute__((noinline)) void spin_hot(void)
{
	for (int i = 0; i < 200000; i++)
		spin_sink += i;
}

__attribute__((noinline)) void spin_loop(double seconds)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		spin_hot();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (seconds <= 0 || t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 0;

	printf("spinning\n");
	fflush(stdout);
	spin_loop(seconds);
	return 0;
}
