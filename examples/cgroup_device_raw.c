// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The seed's cgroup device program, written the seed's way: a raw
 * `union bpf_attr` for BPF_PROG_LOAD and for BPF_PROG_ATTACH with
 * attach_type BPF_CGROUP_DEVICE, no library in between.
 *
 *   union bpf_attr attr = {};
 *   attr.target_fd = cgroup_fd;          the cgroup v2 directory
 *   attr.attach_bpf_fd = prog_fd;        the device program
 *   attr.attach_type = BPF_CGROUP_DEVICE;
 *   bpf(BPF_PROG_ATTACH, &attr, sizeof(attr));
 *
 * Usage: cgroup_device_raw CGROUP c|b MAJOR:MINOR -- COMMAND [ARGS]
 * Denies every access to that device for the cgroup's processes, runs
 * COMMAND inside the cgroup, then detaches (BPF_PROG_DETACH) and exits with
 * COMMAND's status. BPF_PROG_ATTACH outlives the process that made it, so
 * the detach is what removes it; a crash in between would leave it there,
 * which is why bee itself uses bpf_links unless asked otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>

static int sys_bpf(int cmd, union bpf_attr *attr, unsigned size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

#define INSN(CODE, DST, SRC, OFF, IMM)                                                             \
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), .off = (OFF),      \
			    .imm = (IMM) })

int main(int argc, char **argv)
{
	unsigned maj, min, dev_type;
	char log[4096] = "";
	union bpf_attr attr;
	int cg_fd, prog_fd, status = 1;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--") || sscanf(argv[3], "%u:%u", &maj, &min) != 2 ||
	    (strcmp(argv[2], "c") && strcmp(argv[2], "b"))) {
		fprintf(stderr, "Usage: cgroup_device_raw CGROUP c|b MAJOR:MINOR -- COMMAND [ARGS]\n");
		return 2;
	}
	dev_type = argv[2][0] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;

	/* ctx is struct bpf_cgroup_dev_ctx { access_type (access << 16 | type),
	 * major, minor }: return 0 (deny) for our device, 1 (allow) else. */
	struct bpf_insn prog[] = {
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0),  /* r2 = access_type */
		INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff),   /* r2 &= 0xffff (type) */
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 6, dev_type),   /* other type: allow */
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 4, 0),  /* r3 = major */
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 4, maj),
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 8, 0),  /* r4 = minor */
		INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 2, min),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),        /* deny */
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1),        /* allow */
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(unsigned long)prog;
	attr.insn_cnt = sizeof(prog) / sizeof(prog[0]);
	attr.license = (uint64_t)(unsigned long)"GPL";
	attr.log_buf = (uint64_t)(unsigned long)log;
	attr.log_size = sizeof(log);
	attr.log_level = 1;
	strncpy(attr.prog_name, "devdeny_raw", sizeof(attr.prog_name) - 1);
	prog_fd = sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog_fd < 0) {
		fprintf(stderr, "cgroup_device_raw: BPF_PROG_LOAD: %s\n%s", strerror(errno), log);
		return 1;
	}
	cg_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0) {
		fprintf(stderr, "cgroup_device_raw: cgroup '%s': %s\n", argv[1], strerror(errno));
		goto out_prog;
	}

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cg_fd;
	attr.attach_bpf_fd = prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI; /* beside others' device programs */
	if (sys_bpf(BPF_PROG_ATTACH, &attr, sizeof(attr))) {
		fprintf(stderr, "cgroup_device_raw: BPF_PROG_ATTACH to '%s': %s\n", argv[1],
			strerror(errno));
		goto out_cg;
	}

	pid = fork();
	if (pid == 0) {
		char procs[4096], me[32];
		int fd;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", argv[1]);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, me, strlen(me)) < 0) {
			fprintf(stderr, "cgroup_device_raw: cannot enter '%s': %s\n", argv[1],
				strerror(errno));
			_exit(126);
		}
		close(fd);
		execvp(argv[5], argv + 5);
		fprintf(stderr, "cgroup_device_raw: %s: %s\n", argv[5], strerror(errno));
		_exit(127);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	else
		status = 1;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cg_fd;
	attr.attach_bpf_fd = prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	if (sys_bpf(BPF_PROG_DETACH, &attr, sizeof(attr))) {
		fprintf(stderr, "cgroup_device_raw: BPF_PROG_DETACH: %s\n", strerror(errno));
		status = 1;
	}
out_cg:
	close(cg_fd);
out_prog:
	close(prog_fd);
	return status;
}
