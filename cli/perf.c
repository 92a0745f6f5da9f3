// SPDX-License-Identifier: GPL-2.0
/*
 * bee perf list: the BPF programs attached through perf events
 * (tracepoints, kprobes, uprobes) and raw tracepoints, found where they
 * live: the fds of every process, asked with BPF_TASK_FD_QUERY.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cli.h"
#include "internal.h"

struct perf_ent {
	int pid, fd;
	uint32_t prog_id, fd_type;
	__u64 offset, addr;
	char comm[32];
	char name[4096];
};

static void read_comm(int pid, char *out, size_t n)
{
	char p[64], *text = NULL;

	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	out[0] = 0;
	if (bee_read_file(p, &text, NULL) == 0) {
		chomp(text);
		snprintf(out, n, "%s", text);
	}
	free(text);
}

/* Only perf event fds and BPF link fds can answer; asking just those
 * keeps the walk to a few syscalls per process. */
static bool may_hold_prog(int dir_fd, const char *fd)
{
	char target[128];
	ssize_t n;

	n = readlinkat(dir_fd, fd, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = 0;
	return !strncmp(target, "anon_inode:", 11) &&
	       (strstr(target, "perf_event") || strstr(target, "bpf_link") ||
		strstr(target, "bpf-link"));
}

static const char *fd_type_name(uint32_t t)
{
	const char *s = bee_enum_name("bpf_task_fd_type", t, "BPF_FD_TYPE_");

	return s ? s : "unknown";
}

static void print_ent(struct bee_json *j, const struct perf_ent *e)
{
	const char *k = fd_type_name(e->fd_type);
	bool probe = strstr(k, "probe") != NULL, uprobe = strstr(k, "uprobe") != NULL;

	if (json_output) {
		bee_json_obj_start(j);
		bee_json_kint(j, "pid", e->pid);
		bee_json_kstr(j, "comm", e->comm);
		bee_json_kint(j, "fd", e->fd);
		bee_json_kuint(j, "prog_id", e->prog_id);
		bee_json_kstr(j, "fd_type", k);
		if (!probe) {
			bee_json_kstr(j, "tracepoint", e->name);
		} else if (uprobe) {
			bee_json_kstr(j, "filename", e->name);
			bee_json_kuint(j, "offset", e->offset);
		} else if (e->name[0]) {
			bee_json_kstr(j, "func", e->name);
			bee_json_kuint(j, "offset", e->offset);
		} else {
			bee_json_kuint(j, "addr", e->addr);
		}
		bee_json_obj_end(j);
		return;
	}
	printf("pid %d  fd %d: prog_id %u  %s  ", e->pid, e->fd, e->prog_id, k);
	if (!probe)
		printf("%s\n", e->name);
	else if (uprobe)
		printf("filename %s  offset %llu\n", e->name, (unsigned long long)e->offset);
	else if (e->name[0])
		printf("func %s  offset %llu\n", e->name, (unsigned long long)e->offset);
	else
		printf("addr 0x%llx\n", (unsigned long long)e->addr);
}

static int do_list(int argc, char **argv)
{
	struct perf_ent *e;
	struct bee_json j;
	struct dirent *pd, *fdd;
	DIR *proc, *fds;
	char p[64];

	if (argc != 1)
		return cli_usage("perf list: takes no arguments");
	/* Without the right to ask, an empty list would be a lie. The kernel
	 * checks the capability before it looks at the fd. */
	{
		char b[8];
		uint32_t len = sizeof(b), pid, type;
		__u64 off, addr;

		if (bpf_task_fd_query(getpid(), 0, 0, b, &len, &pid, &type, &off, &addr) &&
		    errno == EPERM)
			return cli_err("perf list: not permitted to query BPF attachments (needs "
				       "CAP_SYS_ADMIN)");
	}
	proc = opendir("/proc");
	if (!proc)
		return cli_err("perf list: cannot read /proc: %s", strerror(errno));
	e = malloc(sizeof(*e));
	if (!e) {
		closedir(proc);
		return cli_err("perf list: out of memory");
	}
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	while ((pd = readdir(proc))) {
		int pid = atoi(pd->d_name);

		if (pid <= 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%d/fd", pid);
		fds = opendir(p);
		if (!fds)
			continue; /* exited, or a kernel thread */
		while ((fdd = readdir(fds))) {
			uint32_t len;
			int fd;

			if (fdd->d_name[0] == '.' || !may_hold_prog(dirfd(fds), fdd->d_name))
				continue;
			fd = atoi(fdd->d_name);
			memset(e, 0, sizeof(*e));
			len = sizeof(e->name);
			if (bpf_task_fd_query(pid, fd, 0, e->name, &len, &e->prog_id, &e->fd_type,
					      &e->offset, &e->addr)) {
				continue; /* not a BPF attachment */
			}
			e->pid = pid;
			e->fd = fd;
			read_comm(pid, e->comm, sizeof(e->comm));
			print_ent(&j, e);
		}
		closedir(fds);
	}
	closedir(proc);
	free(e);
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	return EXIT_OK;
}

static int help(void)
{
	printf("Usage: bee perf { show | list }\n"
	       "       bee perf help\n"
	       "\n"
	       "Every BPF program attached to a perf event (tracepoint, kprobe, uprobe) or a\n"
	       "raw tracepoint, with the process and fd that hold it and the target:\n"
	       "tracepoint name, function and offset, or file and offset.\n");
	return EXIT_OK;
}

static int cmd_perf(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "show", do_list },
		{ "list", do_list },
		{},
	};

	return cli_dispatch(argc - 1, argv + 1, subs, help);
}

BEE_COMMAND("perf", cmd_perf, "list BPF programs attached to perf events and tracepoints");
