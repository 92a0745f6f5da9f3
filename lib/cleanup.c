// SPDX-License-Identifier: GPL-2.0
/* Records of bee's attachments that outlive their process (see cleanup.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "cleanup.h"
#include "internal.h"

const char *bee_record_dir(void)
{
	static __thread char dir[4096];
	const char *base = getenv("BEE_RUN_DIR");

	snprintf(dir, sizeof(dir), "%s/attached", base && *base ? base : "/run/bee");
	return dir;
}

uint64_t bee_netns_ino(void)
{
	struct stat st;

	/* thread-self: a thread may have entered another namespace */
	if (stat("/proc/thread-self/ns/net", &st) && stat("/proc/self/ns/net", &st))
		return 0;
	return st.st_ino;
}

uint32_t bee_prog_id_of(int prog_fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

void bee_record_name_tc(char *name, int ifindex, bool egress, uint32_t prio, uint32_t handle)
{
	snprintf(name, BEE_RECORD_NAME_SZ, "tc-%llu-%d-%s-%u-%u",
		 (unsigned long long)bee_netns_ino(), ifindex, egress ? "egress" : "ingress", prio,
		 handle);
}

void bee_record_name_xdp(char *name, int ifindex, uint32_t flags)
{
	snprintf(name, BEE_RECORD_NAME_SZ, "xdp-%llu-%d-%u", (unsigned long long)bee_netns_ino(),
		 ifindex, flags);
}

void bee_record_name_cgroup(char *name, uint64_t cgroup_id, int attach_type, uint32_t prog_id)
{
	snprintf(name, BEE_RECORD_NAME_SZ, "cgroup-%llu-%d-%u", (unsigned long long)cgroup_id,
		 attach_type, prog_id);
}

int bee_record__add(const char *name, const char *fmt, ...)
{
	char path[4096 + BEE_RECORD_NAME_SZ], tmp[sizeof(path) + 16], line[4096];
	const char *dir = bee_record_dir();
	va_list ap;
	int fd, err, n;

	err = bee_mkdirs(dir, 0700);
	if (err)
		return err;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return -ENAMETOOLONG;
	line[n++] = '\n';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* written aside and renamed, so that a reader never sees half a record */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write(fd, line, n) == n ? 0 : -EIO;
	close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

void bee_record__del(const char *name)
{
	char path[4096 + BEE_RECORD_NAME_SZ];

	snprintf(path, sizeof(path), "%s/%s", bee_record_dir(), name);
	unlink(path);
}
