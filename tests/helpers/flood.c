/*
 * Event flood generator: waits for a line on stdin, then makes N getppid()
 * calls at RATE calls per second (0 = as fast as it can), and prints
 * "done N SECONDS".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	double rate = argc > 2 ? atof(argv[2]) : 0, t0;
	char line[16];

	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	t0 = now();
	for (long i = 0; i < n; i++) {
		getppid();
		/* pace in batches of 100 so the clock is read rarely */
		if (rate > 0 && i % 100 == 99) {
			double due = t0 + (i + 1) / rate;
			while (now() < due)
				;
		}
	}
	printf("done %ld %.3f\n", n, now() - t0);
	fflush(stdout);
	return 0;
}
