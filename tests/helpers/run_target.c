/*
 * Workload for bee run's tests: waits for a line on stdin (so the tracer
 * can attach first), then makes exactly N calls of the chosen kind and
 * prints "done N".
 *   run_target getppid N | nanosleep N | func N | openat PATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* uprobe target: must not be inlined or folded */
__attribute__((noinline, used)) int bee_target_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

int main(int argc, char **argv)
{
	char line[64];
	long n = argc > 2 ? atol(argv[2]) : 1;
	volatile int sink = 0;

	if (argc < 2)
		return 2;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (!strcmp(argv[1], "getppid")) {
		for (long i = 0; i < n; i++)
			sink += getppid();
	} else if (!strcmp(argv[1], "nanosleep")) {
		struct timespec ts = { 0, 100000 };
		for (long i = 0; i < n; i++)
			clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	} else if (!strcmp(argv[1], "func")) {
		for (long i = 0; i < n; i++)
			sink += bee_target_fn(i);
	} else if (!strcmp(argv[1], "openat")) {
		int fd = openat(AT_FDCWD, argv[2], O_RDONLY);
		if (fd >= 0)
			close(fd);
		n = 1;
	} else if (!strcmp(argv[1], "spin")) {
		time_t end = time(NULL) + n;
		while (time(NULL) < end)
			sink++;
	}
	printf("done %ld\n", n);
	fflush(stdout);
	return 0;
}
