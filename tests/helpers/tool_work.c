/*
 * Workload for the ready tools' tests (tests/cli/test_tools.sh). Prints
 * "ready PID", waits for a line on stdin (so the tool can attach first),
 * does exactly what it is asked, prints "done ..." and exits:
 *   tool_work exec PROG ARG...     execv PROG with ARGs (pid stays this one)
 *   tool_work exec-mapped PROG FILE  execv PROG with the NUL-separated
 *                                  strings of FILE as argv, left in a file
 *                                  mapping never touched (pages not present)
 *   tool_work open PATH MISSING    open PATH, then MISSING; "done FD -ERRNO"
 *   tool_work connect PORT         listen on 127.0.0.1 and ::1 at PORT, connect to both
 *   tool_work func N               call tool_work_fn() N times
 *   tool_work syscall N            N getpriority() calls (rare elsewhere)
 *   tool_work sleep N [US]         N sleeps of US microseconds (default 200)
 *   tool_work wait                 just wait for stdin, then exit
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* the uprobe target: never inlined or folded */
__attribute__((noinline, used)) int tool_work_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

static int listen_on(int af, const char *addr, int port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int s = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, addr, &a->sin_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		len = sizeof(*a);
	}
	if (bind(s, (struct sockaddr *)&ss, len) || listen(s, 4)) {
		close(s);
		return -1;
	}
	return s;
}

static int connect_to(int af, const char *addr, int port)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int s = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -1;
	if (af == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		inet_pton(AF_INET, addr, &a->sin_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &a->sin6_addr);
		len = sizeof(*a);
	}
	r = connect(s, (struct sockaddr *)&ss, len);
	close(s);
	return r;
}

int main(int argc, char **argv)
{
	char line[64];
	volatile long sink = 0;
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (argc < 2)
		return 2;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	if (!strcmp(argv[1], "exec") && argc > 2) {
		execv(argv[2], argv + 2);
		printf("done exec failed %d\n", -errno);
		return 0;
	} else if (!strcmp(argv[1], "exec-mapped") && argc > 3) {
		/* offsets from a read() copy: the mapping itself stays untouched */
		static char copy[4096];
		char *args[64], *map;
		int fd = open(argv[3], O_RDONLY | O_CLOEXEC), n = 0;
		ssize_t len = fd >= 0 ? read(fd, copy, sizeof(copy)) : -1;

		if (len <= 0)
			return 1;
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			return 1;
		for (ssize_t off = 0; off < len && n < 63; off += strlen(copy + off) + 1)
			args[n++] = map + off;
		args[n] = NULL;
		execv(argv[2], args);
		printf("done exec failed %d\n", -errno);
		return 0;
	} else if (!strcmp(argv[1], "open") && argc > 3) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		int fd2 = openat(AT_FDCWD, argv[3], O_RDONLY);
		int err = fd2 < 0 ? -errno : 0;

		printf("done %d %d\n", fd, err);
	} else if (!strcmp(argv[1], "connect") && argc > 2) {
		int port = atoi(argv[2]);
		int l4 = listen_on(AF_INET, "127.0.0.1", port);
		int l6 = listen_on(AF_INET6, "::1", port);
		int r4 = connect_to(AF_INET, "127.0.0.1", port);
		int r6 = l6 >= 0 ? connect_to(AF_INET6, "::1", port) : -1;

		printf("done %d %d %d %d\n", l4 >= 0, l6 >= 0, r4, r6);
	} else if (!strcmp(argv[1], "func")) {
		for (long i = 0; i < n; i++)
			sink += tool_work_fn(i);
		printf("done %ld\n", n);
	} else if (!strcmp(argv[1], "syscall")) {
		for (long i = 0; i < n; i++)
			sink += getpriority(PRIO_PROCESS, 0);
		printf("done %ld\n", n);
	} else if (!strcmp(argv[1], "sleep")) {
		struct timespec ts = { 0, (argc > 3 ? atol(argv[3]) : 200) * 1000 };

		for (long i = 0; i < n; i++)
			nanosleep(&ts, NULL);
		printf("done %ld\n", n);
	} else {
		printf("done\n");
	}
	fflush(stdout);
	return 0;
}
