// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* XDP: the seed's attach_xdp(dev, fn, flags) / remove_xdp(dev). Attaching
 * makes a kernel bpf_link with the mode flags, so a killed process leaves no
 * program on the device; detaching removes links and netlink-attached
 * programs alike, as `ip link set dev X xdp off` would for the latter. */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cleanup.h"
#include "netpriv.h"

int net_ifindex(const char *ifname)
{
	unsigned idx;

	if (!ifname || !*ifname) {
		pr_err("no network interface given");
		return -ENODEV;
	}
	idx = if_nametoindex(ifname);
	if (!idx) {
		pr_err("interface '%s' does not exist", ifname);
		return -ENODEV;
	}
	return (int)idx;
}

int net_prog_info(int prog_fd, uint32_t *type, char *name, size_t name_sz, uint32_t *id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	if (type)
		*type = info.type;
	if (id)
		*id = info.id;
	if (name)
		snprintf(name, name_sz, "%s", info.name);
	return 0;
}

const char *net_prog_type_str(uint32_t type)
{
	static __thread char buf[32];
	const char *s = bee_enum_name("bpf_prog_type", type, "BPF_PROG_TYPE_");

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "type %u", type);
	return buf;
}

int net_prog_check_type(int prog_fd, uint32_t want, const char *hook)
{
	char name[64] = "";
	uint32_t type;
	int err;

	err = net_prog_info(prog_fd, &type, name, sizeof(name), NULL);
	if (err) {
		pr_err("%s: fd %d is not a BPF program: %s", hook, prog_fd, strerror(-err));
		return err == -EINVAL ? -EBADF : err;
	}
	if (type != want) {
		char t[32];

		snprintf(t, sizeof(t), "%s", net_prog_type_str(type));
		pr_err("%s: prog '%s' is a %s program; this hook needs %s", hook, name, t,
		       net_prog_type_str(want));
		return -EINVAL;
	}
	return 0;
}

int net_enum(const char *name)
{
	long long v;

	return bee_enum_value(name, &v) ? -1 : (int)v;
}

int net_links_find(uint32_t link_type, struct net_link *out, int max)
{
	uint32_t id = 0;
	int n = 0;

	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info = {};
		uint32_t len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue; /* went away meanwhile */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == link_type) {
			if (n < max) {
				/* The union's first words: xdp {ifindex}, tcx {ifindex,
				 * attach_type} (newer than libbpf 1.1's header), cgroup
				 * {cgroup_id, attach_type}. */
				const uint32_t *u = (const uint32_t *)&info.xdp;

				out[n].id = info.id;
				out[n].prog_id = info.prog_id;
				out[n].u32[0] = u[0];
				out[n].u32[1] = u[1];
				out[n].cgroup_id = info.cgroup.cgroup_id;
				if (link_type == BPF_LINK_TYPE_CGROUP)
					out[n].u32[0] = info.cgroup.attach_type;
			}
			n++;
		}
		close(fd);
	}
	return n;
}

static int xdp_mode_flags(const char *mode, uint32_t *flags)
{
	if (!mode || !*mode || !strcmp(mode, "best"))
		*flags = 0;
	else if (!strcmp(mode, "generic") || !strcmp(mode, "skb"))
		*flags = XDP_FLAGS_SKB_MODE;
	else if (!strcmp(mode, "driver") || !strcmp(mode, "drv") || !strcmp(mode, "native"))
		*flags = XDP_FLAGS_DRV_MODE;
	else if (!strcmp(mode, "offload") || !strcmp(mode, "hw"))
		*flags = XDP_FLAGS_HW_MODE;
	else
		return -EINVAL;
	return 0;
}

static const char *xdp_mode_str(uint32_t flags)
{
	return flags == XDP_FLAGS_SKB_MODE ? "generic" :
	       flags == XDP_FLAGS_DRV_MODE ? "driver" :
	       flags == XDP_FLAGS_HW_MODE  ? "offload" : "best";
}

/* Program id attached to @ifindex in the mode of @flags (0: any), or 0. */
static uint32_t xdp_attached(int ifindex, uint32_t flags, const char **mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	if ((!flags || flags == XDP_FLAGS_SKB_MODE) && q.skb_prog_id) {
		*mode = "generic";
		return q.skb_prog_id;
	}
	if ((!flags || flags == XDP_FLAGS_DRV_MODE) && q.drv_prog_id) {
		*mode = "driver";
		return q.drv_prog_id;
	}
	if ((!flags || flags == XDP_FLAGS_HW_MODE) && q.hw_prog_id) {
		*mode = "offload";
		return q.hw_prog_id;
	}
	return 0;
}

/* Netlink attachment, for kernels before XDP links (5.9): undone by
 * detaching the program if it is still ours. */
struct xdp_legacy {
	int ifindex;
	uint32_t flags;
	int prog_fd;
	char rec[BEE_RECORD_NAME_SZ]; /* for bee cleanup: netlink XDP outlives us */
};

static int xdp_legacy_undo(void *ctx)
{
	struct xdp_legacy *x = ctx;
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = x->prog_fd);

	/* the kernel refuses (EEXIST) when someone replaced our program */
	if (bpf_xdp_detach(x->ifindex, x->flags | XDP_FLAGS_REPLACE, &o) && errno != EEXIST &&
	    errno != ENODEV)
		return -errno;
	bee_record__del(x->rec);
	return 0;
}

static void xdp_legacy_free(void *ctx)
{
	struct xdp_legacy *x = ctx;

	close(x->prog_fd);
	free(x);
}

static bool xdp_links(void)
{
	const char *e = getenv("BEE_XDP_LEGACY");

	if (e && *e && strcmp(e, "0"))
		return false;
	return net_enum("BPF_LINK_TYPE_XDP") >= 0;
}

static struct bee_link *xdp_attach_legacy(int prog_fd, int ifindex, uint32_t flags,
					  const char *desc)
{
	struct xdp_legacy *x = calloc(1, sizeof(*x));
	struct bee_link *l;
	int err;

	if (!x) {
		errno = ENOMEM;
		return NULL;
	}
	x->ifindex = ifindex;
	x->flags = flags;
	x->prog_fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	if (x->prog_fd < 0) {
		err = -errno;
		free(x);
		errno = -err;
		return NULL;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err) {
		xdp_legacy_free(x);
		errno = -err;
		return NULL;
	}
	bee_record_name_xdp(x->rec, ifindex, flags);
	bee_record__add(x->rec, "xdp %llu %d %u %u", (unsigned long long)bee_netns_ino(), ifindex,
			flags, bee_prog_id_of(prog_fd));
	l = bee_link__new_legacy(xdp_legacy_undo, x, xdp_legacy_free, desc);
	if (!l) {
		err = -errno;
		xdp_legacy_undo(x);
		xdp_legacy_free(x);
		errno = -err;
	}
	return l;
}

struct bee_link *bee_xdp__attach(int prog_fd, const char *ifname, const char *mode)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	char hook[64], desc[96];
	const char *cur_mode = "";
	uint32_t flags, cur;
	struct bee_link *l;
	int ifindex, fd, err;

	if (xdp_mode_flags(mode, &flags)) {
		pr_err("xdp: unknown mode '%s' (generic, driver or offload)", mode);
		err = -EINVAL;
		goto err_out;
	}
	ifindex = net_ifindex(ifname);
	if (ifindex < 0) {
		err = ifindex;
		goto err_out;
	}
	snprintf(hook, sizeof(hook), "xdp on '%s'", ifname);
	err = net_prog_check_type(prog_fd, BPF_PROG_TYPE_XDP, hook);
	if (err)
		goto err_out;
	lo.flags = flags;
	snprintf(desc, sizeof(desc), "xdp/%s (%s)", ifname, xdp_mode_str(flags));
	if (!xdp_links()) {
		/* no XDP links in this kernel: netlink, undone by destroy */
		strncat(desc, " (netlink)", sizeof(desc) - strlen(desc) - 1);
		l = xdp_attach_legacy(prog_fd, ifindex, flags, desc);
		fd = l ? 0 : -1;
	} else {
		l = NULL;
		fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &lo);
	}
	if (fd < 0) {
		err = -errno;
		cur = xdp_attached(ifindex, flags, &cur_mode);
		if (cur && (err == -EBUSY || err == -EEXIST)) {
			pr_err("%s: program id %u is already attached (%s mode); detach it first",
			       hook, cur, cur_mode);
			err = -EBUSY;
		} else if (flags == XDP_FLAGS_HW_MODE) {
			pr_err("%s: the device cannot offload XDP (offload needs a NIC that runs "
			       "BPF and a program loaded for it): %s", hook, strerror(-err));
			err = -EOPNOTSUPP;
		} else if (flags == XDP_FLAGS_DRV_MODE && err == -EOPNOTSUPP) {
			pr_err("%s: the driver has no native XDP; use generic mode", hook);
		} else {
			pr_err("%s (%s mode): %s", hook, xdp_mode_str(flags), strerror(-err));
		}
		goto err_out;
	}
	if (l)
		return l;
	l = bee_link__from_fd(fd, desc);
	if (!l) {
		err = -errno;
		close(fd);
		goto err_out;
	}
	return l;

err_out:
	errno = -err;
	return NULL;
}

int bee_xdp__replace(struct bee_link *link, int prog_fd)
{
	char hook[200];
	int err;

	snprintf(hook, sizeof(hook), "%s", bee_link__desc(link));
	if (bee_link__fd(link) < 0) {
		pr_err("%s: not a kernel link, nothing to update", hook);
		return -EINVAL;
	}
	err = net_prog_check_type(prog_fd, BPF_PROG_TYPE_XDP, hook);
	if (err)
		return err;
	if (bpf_link_update(bee_link__fd(link), prog_fd, NULL)) {
		err = -errno;
		pr_err("%s: cannot replace the program: %s", hook, strerror(errno));
	}
	return err;
}

static int xdp_detach(const char *ifname, uint32_t only)
{
	static const uint32_t modes[] = { XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE, XDP_FLAGS_HW_MODE };
	struct net_link links[64];
	int ifindex, n, err = 0;

	ifindex = net_ifindex(ifname);
	if (ifindex < 0)
		return ifindex;
	/* Links first: netlink refuses to remove a program a link holds. A
	 * link names only its ifindex, which every network namespace reuses
	 * (each new one's first veth is 2): the program it runs must also be
	 * the one attached to this device, as netlink reports it here. */
	n = net_links_find(BPF_LINK_TYPE_XDP, links, ARRAY_SIZE(links));
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(links); i++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		uint32_t pid = links[i].prog_id;
		int fd;

		if ((int)links[i].u32[0] != ifindex || bpf_xdp_query(ifindex, 0, &q))
			continue;
		if (!((pid == q.skb_prog_id && (!only || only == XDP_FLAGS_SKB_MODE)) ||
		      (pid == q.drv_prog_id && (!only || only == XDP_FLAGS_DRV_MODE)) ||
		      (pid == q.hw_prog_id && (!only || only == XDP_FLAGS_HW_MODE))))
			continue;
		fd = bpf_link_get_fd_by_id(links[i].id);
		if (fd < 0)
			continue;
		if (bpf_link_detach(fd) && errno != ENOLINK) {
			err = -errno;
			pr_err("xdp on '%s': cannot detach link id %u: %s", ifname, links[i].id,
			       strerror(errno));
		}
		close(fd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		const char *m;

		if (only && modes[i] != only)
			continue;
		if (!xdp_attached(ifindex, modes[i], &m))
			continue;
		if (bpf_xdp_detach(ifindex, modes[i], NULL)) {
			err = -errno;
			pr_err("xdp on '%s': cannot remove the %s program: %s", ifname, m,
			       strerror(errno));
		}
	}
	return err;
}

int bee_xdp__detach(const char *ifname)
{
	return xdp_detach(ifname, 0);
}

int bee_xdp__detach_mode(const char *ifname, const char *mode)
{
	uint32_t flags;

	if (xdp_mode_flags(mode, &flags)) {
		pr_err("xdp: unknown mode '%s' (generic, driver or offload)", mode);
		return -EINVAL;
	}
	return xdp_detach(ifname, flags);
}
