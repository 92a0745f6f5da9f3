// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The environment bee runs in: tracefs, bpffs, cgroup v2, kernel BTF and the
 * names of the kernel's enums read from it. */
#include <mntent.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC 0x64626720
#endif

static bool fs_is(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == magic;
}

const char *bee_tracefs(void)
{
	static const char *cands[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

	for (size_t i = 0; i < ARRAY_SIZE(cands); i++)
		if (fs_is(cands[i], TRACEFS_MAGIC))
			return cands[i];
	if (mount("tracefs", cands[0], "tracefs", 0, NULL) == 0)
		return cands[0];
	if (fs_is("/sys/kernel/debug", DEBUGFS_MAGIC) ||
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) == 0)
		if (fs_is(cands[1], TRACEFS_MAGIC))
			return cands[1];
	pr_err("cannot mount tracefs on %s: %s", cands[0], strerror(errno));
	return NULL;
}

const char *bee_bpffs(void)
{
	static const char path[] = "/sys/fs/bpf";

	if (fs_is(path, BPF_FS_MAGIC))
		return path;
	mkdir(path, 0700);
	if (mount("bpf", path, "bpf", 0, "mode=0700") == 0)
		return path;
	pr_err("cannot mount bpffs on %s: %s", path, strerror(errno));
	return NULL;
}

const char *bee_cgroup2_root(void)
{
	static char root[4096];
	struct mntent *m;
	FILE *f;

	if (root[0])
		return root;
	f = setmntent("/proc/mounts", "re");
	if (!f)
		return NULL;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "cgroup2") == 0) {
			snprintf(root, sizeof(root), "%s", m->mnt_dir);
			break;
		}
	}
	endmntent(f);
	if (!root[0]) {
		errno = ENOENT;
		return NULL;
	}
	return root;
}

static pthread_once_t kbtf_once = PTHREAD_ONCE_INIT;
static struct btf *kbtf;
static int kbtf_err;

static void kbtf_load(void)
{
	kbtf = btf__load_vmlinux_btf();
	if (!kbtf)
		kbtf_err = errno ? errno : ENOENT;
}

const struct btf *bee_kernel_btf(void)
{
	pthread_once(&kbtf_once, kbtf_load);
	if (!kbtf) {
		errno = kbtf_err;
		pr_err("cannot load kernel BTF from /sys/kernel/btf/vmlinux: %s", strerror(errno));
	}
	return kbtf;
}

static __attribute__((destructor)) void kbtf_fini(void)
{
	btf__free(kbtf);
	kbtf = NULL;
}

static const struct btf_type *find_enum(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
	return id < 0 ? NULL : btf__type_by_id(btf, id);
}

/* enum64 appeared after libbpf 1.1's headers in some distros: read both. */
static long long enum_val(const struct btf_type *t, int i, const char **name, const struct btf *btf)
{
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t) + i;
		*name = btf__name_by_offset(btf, e->name_off);
		return (int)e->val;
	}
	const struct btf_enum64 *e = btf_enum64(t) + i;
	*name = btf__name_by_offset(btf, e->name_off);
	return (long long)((uint64_t)e->val_hi32 << 32 | e->val_lo32);
}

const char *bee_enum_name(const char *enum_name, long long value, const char *strip_prefix)
{
	static __thread char buf[128];
	const struct btf *btf = bee_kernel_btf();
	const struct btf_type *t;
	const char *name;
	size_t plen = strip_prefix ? strlen(strip_prefix) : 0;

	if (!btf)
		return NULL;
	t = find_enum(btf, enum_name);
	if (!t)
		return NULL;
	for (int i = 0; i < btf_vlen(t); i++) {
		if (enum_val(t, i, &name, btf) != value)
			continue;
		if (plen && strncmp(name, strip_prefix, plen) == 0)
			name += plen;
		snprintf(buf, sizeof(buf), "%s", name);
		if (plen)
			for (char *p = buf; *p; p++)
				*p = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;
		return buf;
	}
	return NULL;
}

int bee_enum_value(const char *const_name, long long *value)
{
	const struct btf *btf = bee_kernel_btf();
	int n;

	if (!btf)
		return -ENOENT;
	n = btf__type_cnt(btf);
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_enum(t) && !btf_is_enum64(t))
			continue;
		for (int i = 0; i < btf_vlen(t); i++) {
			long long v = enum_val(t, i, &name, btf);
			if (strcmp(name, const_name) == 0) {
				*value = v;
				return 0;
			}
		}
	}
	return -ENOENT;
}

static void vmlinux_printf(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

int bee_vmlinux_h_write(const struct btf *btf, const char *path)
{
	struct btf_dump *d = NULL;
	char tmp[4096];
	FILE *f;
	int err = 0, n;

	if (!btf)
		btf = bee_kernel_btf();
	if (!btf)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
		pr_err("cannot write '%s': %s", tmp, strerror(errno));
		return err;
	}
	d = btf_dump__new(btf, vmlinux_printf, f, NULL);
	if (!d) {
		err = neg_errno();
		goto out;
	}
	fprintf(f, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
		   "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
		   "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
		   "#endif\n\n");
	n = btf__type_cnt(btf);
	for (int id = 1; id < n && !err; id++)
		err = btf_dump__dump_type(d, id);
	fprintf(f, "\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
		   "#endif /* __VMLINUX_H__ */\n");
out:
	btf_dump__free(d);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		pr_err("cannot write vmlinux.h to '%s': %s", path, strerror(-err));
	}
	return err;
}
