/* cg_open [-c CGROUP] PATH [r|w|rw]: optionally enter the cgroup v2
 * directory CGROUP, then open PATH; prints "ok" or the errno name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i = 1, flags = O_RDWR, fd;

	if (argc > 3 && !strcmp(argv[1], "-c")) {
		char procs[4096], me[32];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[2]);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		fd = open(procs, O_WRONLY);
		if (fd < 0 || write(fd, me, strlen(me)) < 0) {
			printf("cannot enter %s: %s\n", argv[2], strerror(errno));
			return 2;
		}
		close(fd);
		i = 3;
	}
	if (i >= argc)
		return 2;
	if (i + 1 < argc)
		flags = !strcmp(argv[i + 1], "r") ? O_RDONLY : !strcmp(argv[i + 1], "w") ? O_WRONLY : O_RDWR;
	fd = open(argv[i], flags);
	if (fd < 0) {
		printf("%s\n", errno == EPERM ? "EPERM" : strerror(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}
