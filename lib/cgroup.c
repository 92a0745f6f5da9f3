// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cgroup programs: device, skb, sock, sock_addr, sockopt, sysctl. A kernel
 * bpf_link by default (undone when the process goes, even after kill -9);
 * BPF_PROG_ATTACH, the seed's way, when the caller wants the attachment to
 * outlive it. Attach types are read from the kernel's BTF so that types newer
 * than libbpf 1.1 (unix sockets, ...) are named and usable. */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cleanup.h"
#include "netpriv.h"

/* bpftool's short names for the common attach types. */
static const struct {
	const char *name, *enum_name;
} cg_names[] = {
	{ "ingress", "BPF_CGROUP_INET_INGRESS" },
	{ "egress", "BPF_CGROUP_INET_EGRESS" },
	{ "sock_create", "BPF_CGROUP_INET_SOCK_CREATE" },
	{ "sock_release", "BPF_CGROUP_INET_SOCK_RELEASE" },
	{ "sock_ops", "BPF_CGROUP_SOCK_OPS" },
	{ "device", "BPF_CGROUP_DEVICE" },
	{ "dev", "BPF_CGROUP_DEVICE" },
	{ "bind4", "BPF_CGROUP_INET4_BIND" },
	{ "bind6", "BPF_CGROUP_INET6_BIND" },
	{ "post_bind4", "BPF_CGROUP_INET4_POST_BIND" },
	{ "post_bind6", "BPF_CGROUP_INET6_POST_BIND" },
	{ "connect4", "BPF_CGROUP_INET4_CONNECT" },
	{ "connect6", "BPF_CGROUP_INET6_CONNECT" },
	{ "getpeername4", "BPF_CGROUP_INET4_GETPEERNAME" },
	{ "getpeername6", "BPF_CGROUP_INET6_GETPEERNAME" },
	{ "getsockname4", "BPF_CGROUP_INET4_GETSOCKNAME" },
	{ "getsockname6", "BPF_CGROUP_INET6_GETSOCKNAME" },
	{ "sendmsg4", "BPF_CGROUP_UDP4_SENDMSG" },
	{ "sendmsg6", "BPF_CGROUP_UDP6_SENDMSG" },
	{ "recvmsg4", "BPF_CGROUP_UDP4_RECVMSG" },
	{ "recvmsg6", "BPF_CGROUP_UDP6_RECVMSG" },
	{ "sysctl", "BPF_CGROUP_SYSCTL" },
	{ "getsockopt", "BPF_CGROUP_GETSOCKOPT" },
	{ "setsockopt", "BPF_CGROUP_SETSOCKOPT" },
	{ "connect_unix", "BPF_CGROUP_UNIX_CONNECT" },
	{ "sendmsg_unix", "BPF_CGROUP_UNIX_SENDMSG" },
	{ "recvmsg_unix", "BPF_CGROUP_UNIX_RECVMSG" },
	{ "getpeername_unix", "BPF_CGROUP_UNIX_GETPEERNAME" },
	{ "getsockname_unix", "BPF_CGROUP_UNIX_GETSOCKNAME" },
};

static const char *enum_of(int attach_type)
{
	return bee_enum_name("bpf_attach_type", attach_type, NULL);
}

static bool is_cgroup_enum(const char *e)
{
	return e && (!strncmp(e, "BPF_CGROUP_", 11) || !strcmp(e, "BPF_LSM_CGROUP"));
}

int bee_cgroup__attach_type(const char *name)
{
	char up[96];
	long long v;
	size_t i;

	if (!name || !*name)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(cg_names); i++)
		if (!strcmp(name, cg_names[i].name))
			return bee_enum_value(cg_names[i].enum_name, &v) ? -EINVAL : (int)v;
	/* "cgroup_inet_egress", "BPF_CGROUP_DEVICE", "inet4_connect", ... */
	for (i = 0; name[i] && i < 60; i++)
		up[i] = toupper((unsigned char)name[i]);
	up[i] = 0;
	const char *prefixes[] = { "", "BPF_", "BPF_CGROUP_" };
	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		char full[128];

		snprintf(full, sizeof(full), "%s%s", prefixes[i], up);
		if (is_cgroup_enum(full) && bee_enum_value(full, &v) == 0)
			return (int)v;
	}
	return -EINVAL;
}

/* bpftool's short name of a cgroup attach type, for listings. */
static const char *short_name(int attach_type)
{
	static __thread char buf[64];
	const char *e = enum_of(attach_type);

	if (!e) {
		snprintf(buf, sizeof(buf), "attach_type_%d", attach_type);
		return buf;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cg_names); i++)
		if (!strcmp(cg_names[i].enum_name, e) && strcmp(cg_names[i].name, "dev"))
			return cg_names[i].name;
	snprintf(buf, sizeof(buf), "%s", e + (strncmp(e, "BPF_", 4) ? 0 : 4));
	for (char *p = buf; *p; p++)
		*p = tolower((unsigned char)*p);
	return buf;
}

int bee_cgroup__prog_type(int attach_type)
{
	const char *e = enum_of(attach_type);
	const char *t;
	long long v;

	if (!is_cgroup_enum(e))
		return -EINVAL;
	e += strlen("BPF_CGROUP_");
	if (!strcmp(e, "INET_INGRESS") || !strcmp(e, "INET_EGRESS"))
		t = "BPF_PROG_TYPE_CGROUP_SKB";
	else if (!strncmp(e, "INET_SOCK_", 10) || strstr(e, "POST_BIND"))
		t = "BPF_PROG_TYPE_CGROUP_SOCK";
	else if (!strcmp(e, "SOCK_OPS"))
		t = "BPF_PROG_TYPE_SOCK_OPS";
	else if (!strcmp(e, "DEVICE"))
		t = "BPF_PROG_TYPE_CGROUP_DEVICE";
	else if (!strcmp(e, "SYSCTL"))
		t = "BPF_PROG_TYPE_CGROUP_SYSCTL";
	else if (!strcmp(e, "GETSOCKOPT") || !strcmp(e, "SETSOCKOPT"))
		t = "BPF_PROG_TYPE_CGROUP_SOCKOPT";
	else if (strstr(e, "BIND") || strstr(e, "CONNECT") || strstr(e, "SENDMSG") ||
		 strstr(e, "RECVMSG") || strstr(e, "GETPEERNAME") || strstr(e, "GETSOCKNAME"))
		t = "BPF_PROG_TYPE_CGROUP_SOCK_ADDR";
	else
		return -EINVAL;
	return bee_enum_value(t, &v) ? -EINVAL : (int)v;
}

int bee_cgroup__check(const char *path)
{
	const char *root = bee_cgroup2_root();
	struct statfs sfs;
	struct stat st;

	if (!path || !*path) {
		pr_err("no cgroup given");
		return -EINVAL;
	}
	if (stat(path, &st)) {
		int err = -errno;
		pr_err("cgroup '%s': %s", path, strerror(errno));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		pr_err("cgroup '%s' is not a directory (cgroup v2 is mounted at %s)", path,
		       root ? root : "nowhere");
		return -ENOTDIR;
	}
	if (statfs(path, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		pr_err("'%s' is not a cgroup v2 directory (cgroup v2 is mounted at %s)", path,
		       root ? root : "nowhere: mount cgroup2 first");
		return -EINVAL;
	}
	return 0;
}

/* Resolve the type name and check the program fits; logs. */
static int cg_prepare(int prog_fd, const char *path, const char *type_name, int *type, int *cg_fd)
{
	char hook[160];
	int err, pt;

	*type = bee_cgroup__attach_type(type_name);
	if (*type < 0) {
		pr_err("unknown cgroup attach type '%s' (device, ingress, egress, sock_create, "
		       "connect4, bind4, sysctl, getsockopt, ...)", type_name ? type_name : "");
		return -EINVAL;
	}
	err = bee_cgroup__check(path);
	if (err)
		return err;
	snprintf(hook, sizeof(hook), "cgroup %s on '%s'", short_name(*type), path);
	pt = bee_cgroup__prog_type(*type);
	if (pt >= 0) {
		err = net_prog_check_type(prog_fd, pt, hook);
		if (err)
			return err;
	}
	*cg_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*cg_fd < 0) {
		err = -errno;
		pr_err("%s: %s", hook, strerror(errno));
		return err;
	}
	return 0;
}

static uint64_t cgroup_id(const char *path);

struct cg_legacy {
	int prog_fd, cg_fd, type;
	char rec[BEE_RECORD_NAME_SZ]; /* for bee cleanup: BPF_PROG_ATTACH outlives us */
};

static int cg_legacy_undo(void *ctx)
{
	struct cg_legacy *c = ctx;

	if (bpf_prog_detach2(c->prog_fd, c->cg_fd, c->type) && errno != ENOENT)
		return -errno;
	bee_record__del(c->rec);
	return 0;
}

static void cg_legacy_free(void *ctx)
{
	struct cg_legacy *c = ctx;

	close(c->prog_fd);
	close(c->cg_fd);
	free(c);
}

struct bee_link *bee_cgroup__attach(int prog_fd, const char *path, const char *type_name,
				    unsigned flags)
{
	struct cg_legacy *c = NULL;
	struct bee_link *l;
	char desc[160];
	int type, cg_fd = -1, fd, err;

	err = cg_prepare(prog_fd, path, type_name, &type, &cg_fd);
	if (err)
		goto err_out;
	snprintf(desc, sizeof(desc), "cgroup/%s:%s", short_name(type), path);
	/* before cgroup links (5.7): BPF_PROG_ATTACH beside other programs,
	 * undone by destroy like a link (but not after kill -9) */
	if (net_enum("BPF_LINK_TYPE_CGROUP") < 0 && !(flags & BEE_CGROUP_OVERRIDE))
		flags |= BEE_CGROUP_LEGACY | BEE_CGROUP_MULTI;
	if (!(flags & (BEE_CGROUP_LEGACY | BEE_CGROUP_OVERRIDE))) {
		fd = bpf_link_create(prog_fd, cg_fd, (enum bpf_attach_type)type, NULL);
		if (fd < 0) {
			err = -errno;
			pr_err("%s: cannot create link: %s%s", desc, strerror(errno),
			       errno == EINVAL ? " (was the program loaded for this attach type?)" :
			       errno == EPERM ? " (a program attached without 'multi' forbids more)" :
			       "");
			goto err_close_cg;
		}
		close(cg_fd); /* the link holds the cgroup */
		l = bee_link__from_fd(fd, desc);
		if (!l) {
			err = -errno;
			close(fd);
			goto err_out;
		}
		return l;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		err = -ENOMEM;
		goto err_close_cg;
	}
	c->prog_fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	if (c->prog_fd < 0) {
		err = -errno;
		goto err_free;
	}
	c->cg_fd = cg_fd;
	c->type = type;
	if (bpf_prog_attach(prog_fd, cg_fd, (enum bpf_attach_type)type,
			    (flags & BEE_CGROUP_MULTI ? BPF_F_ALLOW_MULTI : 0) |
				    (flags & BEE_CGROUP_OVERRIDE ? BPF_F_ALLOW_OVERRIDE : 0))) {
		err = -errno;
		pr_err("%s: BPF_PROG_ATTACH: %s%s", desc, strerror(errno),
		       errno == EPERM ? " (the programs already there were attached with other "
					"flags)" : "");
		goto err_close_prog;
	}
	bee_record_name_cgroup(c->rec, cgroup_id(path), type, bee_prog_id_of(prog_fd));
	bee_record__add(c->rec, "cgroup %llu %d %u %s", (unsigned long long)cgroup_id(path), type,
			bee_prog_id_of(prog_fd), path);
	strncat(desc, " (legacy)", sizeof(desc) - strlen(desc) - 1);
	l = bee_link__new_legacy(cg_legacy_undo, c, cg_legacy_free, desc);
	if (!l) {
		err = -errno;
		cg_legacy_undo(c);
		cg_legacy_free(c);
		goto err_out;
	}
	return l;

err_close_prog:
	close(c->prog_fd);
err_free:
	free(c);
err_close_cg:
	close(cg_fd);
err_out:
	errno = -err;
	return NULL;
}

static uint64_t cgroup_id(const char *path)
{
	struct stat st;

	/* a cgroup v2 directory's inode number is its cgroup id (kernfs) */
	return stat(path, &st) ? 0 : st.st_ino;
}

int bee_cgroup__detach(int prog_fd, const char *path, const char *type_name)
{
	struct net_link links[128];
	uint32_t prog_id;
	int type, cg_fd, n, err;

	err = cg_prepare(prog_fd, path, type_name, &type, &cg_fd);
	if (err)
		return err;
	if (bpf_prog_detach2(prog_fd, cg_fd, (enum bpf_attach_type)type) == 0) {
		char rec[BEE_RECORD_NAME_SZ];

		bee_record_name_cgroup(rec, cgroup_id(path), type, bee_prog_id_of(prog_fd));
		bee_record__del(rec);
		goto out_close;
	}
	err = -errno;
	/* Not a BPF_PROG_ATTACH attachment: a link of that program there? */
	net_prog_info(prog_fd, NULL, NULL, 0, &prog_id);
	n = net_links_find(BPF_LINK_TYPE_CGROUP, links, ARRAY_SIZE(links));
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(links); i++) {
		int fd;

		if (links[i].prog_id != prog_id || (int)links[i].u32[0] != type ||
		    links[i].cgroup_id != cgroup_id(path))
			continue;
		fd = bpf_link_get_fd_by_id(links[i].id);
		if (fd < 0)
			continue;
		err = bpf_link_detach(fd) ? -errno : 0;
		close(fd);
		if (!err)
			break;
	}
	if (err)
		pr_err("cgroup %s on '%s': program id %u is not attached there: %s",
		       short_name(type), path, prog_id, strerror(-err));
out_close:
	close(cg_fd);
	return err;
}

int bee_cgroup__query(const char *path, bool effective, struct bee_cgroup_prog *out, int max)
{
	struct net_link links[256];
	uint64_t cgid;
	int cg_fd, n = 0, nl, err;

	err = bee_cgroup__check(path);
	if (err)
		return err;
	cg_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0)
		return -errno;
	cgid = cgroup_id(path);
	nl = net_links_find(BPF_LINK_TYPE_CGROUP, links, ARRAY_SIZE(links));
	nl = nl > (int)ARRAY_SIZE(links) ? (int)ARRAY_SIZE(links) : nl;
	for (int type = 0; type < 128; type++) {
		uint32_t ids[64], cnt = ARRAY_SIZE(ids), aflags = 0;
		const char *e = enum_of(type);

		if (!e)
			break; /* past the kernel's last attach type */
		if (!is_cgroup_enum(e) || !strcmp(e, "BPF_LSM_CGROUP"))
			continue;
		if (bpf_prog_query(cg_fd, (enum bpf_attach_type)type,
				   effective ? BPF_F_QUERY_EFFECTIVE : 0, &aflags, ids, &cnt))
			continue;
		for (uint32_t i = 0; i < cnt && i < ARRAY_SIZE(ids); i++) {
			if (n < max) {
				struct bee_cgroup_prog *p = &out[n];
				int fd = bpf_prog_get_fd_by_id(ids[i]);

				memset(p, 0, sizeof(*p));
				snprintf(p->attach_type, sizeof(p->attach_type), "%s",
					 short_name(type));
				p->prog_id = ids[i];
				if (fd >= 0) {
					net_prog_info(fd, NULL, p->name, sizeof(p->name), NULL);
					close(fd);
				}
				snprintf(p->attach_flags, sizeof(p->attach_flags), "%s",
					 aflags & BPF_F_ALLOW_MULTI ? "multi" :
					 aflags & BPF_F_ALLOW_OVERRIDE ? "override" : "");
				for (int k = 0; k < nl; k++)
					if (links[k].prog_id == ids[i] && (int)links[k].u32[0] == type &&
					    links[k].cgroup_id == cgid)
						p->link_id = links[k].id;
			}
			n++;
		}
	}
	close(cg_fd);
	return n;
}
