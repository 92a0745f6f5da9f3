// SPDX-License-Identifier: GPL-2.0
/* bpf_ids [PREFIX]: every BPF program, map and link in the kernel whose name
 * (a link: its program's name) starts with PREFIX, one "KIND ID NAME" line
 * each, for tests that check a command left nothing behind. Plain bpf()
 * calls, so that it stays fast beside bpftool on a busy machine. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int fd_by_id(int cmd, unsigned id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_id = id; /* the same field for maps and links */
	a.open_flags = 0;
	return sys_bpf(cmd, &a);
}

static int info(int fd, void *buf, unsigned len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (unsigned long)buf;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

static void prog_name(unsigned id, char *out, size_t n)
{
	struct bpf_prog_info pi;
	int fd = fd_by_id(BPF_PROG_GET_FD_BY_ID, id);

	out[0] = 0;
	memset(&pi, 0, sizeof(pi));
	if (fd >= 0 && info(fd, &pi, sizeof(pi)) == 0)
		snprintf(out, n, "%s", pi.name);
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *kind;
		int next, get;
	} kinds[] = {
		{ "prog", BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID },
		{ "map", BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID },
		{ "link", BPF_LINK_GET_NEXT_ID, BPF_LINK_GET_FD_BY_ID },
	};
	const char *prefix = argc > 1 ? argv[1] : "";

	for (int k = 0; k < 3; k++) {
		unsigned id = 0;

		for (;;) {
			union bpf_attr a;
			char name[64] = "";
			int fd;

			memset(&a, 0, sizeof(a));
			a.start_id = id;
			if (sys_bpf(kinds[k].next, &a)) {
				if (errno != ENOENT) {
					perror("bpf_ids");
					return 1;
				}
				break;
			}
			id = a.next_id;
			fd = fd_by_id(kinds[k].get, id);
			if (fd < 0)
				continue; /* gone meanwhile */
			if (k == 0) {
				struct bpf_prog_info pi;

				memset(&pi, 0, sizeof(pi));
				if (!info(fd, &pi, sizeof(pi)))
					snprintf(name, sizeof(name), "%s", pi.name);
			} else if (k == 1) {
				struct bpf_map_info mi;

				memset(&mi, 0, sizeof(mi));
				if (!info(fd, &mi, sizeof(mi)))
					snprintf(name, sizeof(name), "%s", mi.name);
			} else {
				struct bpf_link_info li;

				memset(&li, 0, sizeof(li));
				if (!info(fd, &li, sizeof(li)))
					prog_name(li.prog_id, name, sizeof(name));
			}
			close(fd);
			if (!strncmp(name, prefix, strlen(prefix)))
				printf("%s %u %s\n", kinds[k].kind, id, name);
		}
	}
	return 0;
}
