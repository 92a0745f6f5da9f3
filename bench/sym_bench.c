/*
 * Symbolisation benchmark (bench/sym.sh builds and runs it).
 *
 *   sym_bench warm N VADDR_FILE   symbolise N random addresses in this
 *                                 process's libc text from a warm cache;
 *                                 write 20000 of them, as libc ELF virtual
 *                                 addresses, to VADDR_FILE for addr2line
 *   sym_bench first PROGRAM VADDR start PROGRAM (waiting on stdin) and time
 *                                 the first lookup in it: read maps, parse
 *                                 the binary, resolve the function at ELF
 *                                 address VADDR (cache emptied before each
 *                                 of 20 rounds)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bee/bee.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU time of this thread: on a machine shared with other work, the rate
 * per CPU second is what the code costs; wall time is printed beside it. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The r-xp mapping of @pid whose path contains @what. */
static int text_range(pid_t pid, const char *what, unsigned long *start, unsigned long *end,
		      unsigned long *off)
{
	char path[64], line[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx", start, end, perms, off) == 4 && perms[2] == 'x' &&
		    strstr(line, what))
			found = 1;
	}
	if (f)
		fclose(f);
	return found ? 0 : -1;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int warm(long n, const char *vaddr_file)
{
	unsigned long start, end, off;
	struct bee_syms *s;
	struct bee_sym sym;
	uint64_t *addrs;
	long hits = 0;
	double t0, t, c0, c;
	FILE *f;

	if (text_range(getpid(), "libc.so", &start, &end, &off))
		return fprintf(stderr, "no libc text mapping\n"), 1;
	if (n < 1)
		return fprintf(stderr, "N must be at least 1\n"), 2;
	addrs = malloc(n * sizeof(*addrs));
	if (!addrs)
		return fprintf(stderr, "out of memory\n"), 1;
	for (long i = 0; i < n; i++)
		addrs[i] = start + next_rand() % (end - start);
	s = bee_syms__new(0, NULL);
	if (!s)
		return fprintf(stderr, "bee_syms__new: %s\n", bee_last_error()), 1;
	bee_syms__find(s, addrs[0], &sym); /* warm: libc parsed once here */
	/* libc's text segment: vaddr = file offset + (p_vaddr - p_offset),
	 * and for Debian's libc p_vaddr == p_offset */
	f = fopen(vaddr_file, "w");
	for (long i = 0; f && i < n && i < 20000; i++)
		fprintf(f, "0x%lx\n", (unsigned long)(addrs[i] - start + off));
	if (f)
		fclose(f);
	t0 = now();
	c0 = cpu_now();
	for (long i = 0; i < n; i++)
		hits += bee_syms__find(s, addrs[i], &sym) == 0;
	c = cpu_now() - c0;
	t = now() - t0;
	printf("warm_addresses %ld\nwarm_seconds %.4f\nwarm_cpu_seconds %.4f\nwarm_addr_per_s %.0f\n"
	       "warm_addr_per_wall_s %.0f\nwarm_hits %ld\n",
	       n, t, c, n / c, n / t, hits);

	/* the same over every executable mapping of this process, shuffled,
	 * so that consecutive addresses rarely share a binary */
	{
		unsigned long rs[64], re[64];
		int nr = 0;
		char line[512];
		FILE *m = fopen("/proc/self/maps", "r");

		while (m && nr < 64 && fgets(line, sizeof(line), m)) {
			char perms[8];

			if (sscanf(line, "%lx-%lx %7s", &rs[nr], &re[nr], perms) == 3 && perms[2] == 'x')
				nr++;
		}
		if (m)
			fclose(m);
		for (long i = 0; i < n && nr; i++) {
			int k = next_rand() % nr;

			addrs[i] = rs[k] + next_rand() % (re[k] - rs[k]);
		}
		for (long i = 0; i < n; i++)
			bee_syms__find(s, addrs[i], &sym); /* parse every binary first */
		hits = 0;
		c0 = cpu_now();
		for (long i = 0; i < n; i++)
			hits += bee_syms__find(s, addrs[i], &sym) == 0;
		c = cpu_now() - c0;
		printf("mixed_mappings %d\nmixed_addr_per_s %.0f\nmixed_hits %ld\n", nr, n / c, hits);
	}
	bee_syms__free(s);
	free(addrs);
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int first(const char *prog, unsigned long vaddr)
{
	double ms[20];
	unsigned long start, end, off;
	int in[2], rounds = 20, ok = 0;
	const char *base = strrchr(prog, '/');
	pid_t pid;

	base = base ? base + 1 : prog;
	if (pipe(in))
		return 1;
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		close(in[1]);
		/* bash -c 'read x' waits on stdin; other programs get stdin too */
		execl(prog, prog, "-c", "read x", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	usleep(200000);
	if (text_range(pid, base, &start, &end, &off)) {
		fprintf(stderr, "no text mapping of %s in pid %d\n", base, pid);
		goto out;
	}
	for (int r = 0; r < rounds; r++) {
		struct bee_syms *s;
		struct bee_sym sym;
		double t0;

		bee_symcache__flush();
		t0 = now();
		s = bee_syms__new(pid, NULL);
		/* the text segment maps at its file offset: vaddr == offset */
		if (s && !bee_syms__find(s, start + vaddr - off, &sym))
			ok++;
		ms[r] = (now() - t0) * 1000;
		bee_syms__free(s);
	}
	qsort(ms, rounds, sizeof(ms[0]), cmp_d);
	printf("first_binary %s\nfirst_resolved %d/%d\nfirst_ms_median %.2f\nfirst_ms_max %.2f\n",
	       prog, ok, rounds, ms[rounds / 2], ms[rounds - 1]);
out:
	close(in[1]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "warm"))
		return warm(atol(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "first"))
		return first(argv[2], strtoul(argv[3], NULL, 16));
	fprintf(stderr, "usage: sym_bench warm N VADDR_FILE | first PROGRAM VADDR\n");
	return 2;
}
