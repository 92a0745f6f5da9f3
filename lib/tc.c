// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* TC with direct action: a tcx link where the kernel has tcx (6.6+; libbpf
 * 1.1 predates it, so the attach type comes from kernel BTF), otherwise the
 * seed's `tc qdisc add dev X clsact` + `tc filter add dev X ingress bpf da
 * obj F sec S` over netlink through libbpf's bpf_tc_* calls. Listing reads
 * the filters with an rtnetlink dump, as `tc filter show` does. */
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cleanup.h"
#include "netpriv.h"

bool bee_tc__has_tcx(void)
{
	return net_enum("BPF_TCX_INGRESS") >= 0;
}

static bool force_legacy(const struct bee_tc_opts *opts)
{
	const char *e = getenv("BEE_TC_LEGACY");

	if (opts && opts->sz >= offsetof(struct bee_tc_opts, legacy) + sizeof(bool) && opts->legacy)
		return true;
	return e && *e && strcmp(e, "0");
}

/* ---- rtnetlink filter dump ---------------------------------------------- */

struct tc_filter {
	uint32_t prio, handle, prog_id, flags;
	char name[64];
};

/* Every cls_bpf filter on one side of the clsact qdisc of @ifindex; up to
 * @max into @out. Returns the count, -ENOENT when there is no clsact, or
 * -errno. */
static int tc_filters(int ifindex, bool egress, struct tc_filter *out, int max)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.tc.tcm_family = AF_UNSPEC,
		.tc.tcm_ifindex = ifindex,
		.tc.tcm_parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS),
	};
	char buf[32768];
	int fd, n = 0, err = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		err = -errno;
		goto out_close;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			struct tcmsg *t = NLMSG_DATA(nh);
			struct tc_filter f = {};
			struct rtattr *a;
			int alen;
			bool is_bpf = false;

			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);
				/* no clsact qdisc: nothing attached */
				err = e->error == -EINVAL || e->error == -ENOENT ? -ENOENT : e->error;
				done = true;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWTFILTER || !t->tcm_handle)
				continue; /* the chain head, not a filter */
			f.handle = t->tcm_handle;
			f.prio = TC_H_MAJ(t->tcm_info) >> 16;
			alen = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*t));
			for (a = (struct rtattr *)((char *)t + NLMSG_ALIGN(sizeof(*t))); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen)) {
				if (a->rta_type == TCA_KIND)
					is_bpf = !strcmp(RTA_DATA(a), "bpf");
				if (a->rta_type != TCA_OPTIONS)
					continue;
				int olen = RTA_PAYLOAD(a);
				for (struct rtattr *o = RTA_DATA(a); RTA_OK(o, olen); o = RTA_NEXT(o, olen)) {
					if (o->rta_type == TCA_BPF_ID)
						f.prog_id = *(uint32_t *)RTA_DATA(o);
					else if (o->rta_type == TCA_BPF_FLAGS)
						f.flags = *(uint32_t *)RTA_DATA(o);
					else if (o->rta_type == TCA_BPF_NAME)
						snprintf(f.name, sizeof(f.name), "%s",
							 (char *)RTA_DATA(o));
				}
			}
			if (!is_bpf)
				continue;
			if (n < max)
				out[n] = f;
			n++;
		}
	}
out_close:
	close(fd);
	return err ? err : n;
}

/* ---- legacy: clsact + cls_bpf --------------------------------------------- */

struct tc_legacy {
	int ifindex;
	bool egress;
	uint32_t handle, prio;
	char rec[BEE_RECORD_NAME_SZ]; /* for bee cleanup: the filter outlives us */
};

/* Interfaces where this process created the clsact qdisc, with how many of
 * its filters are there: the last one out removes the qdisc, whichever
 * direction it was on. */
static pthread_mutex_t owned_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int ifindex, refs;
} owned[64];

static void tc_qdisc_drop_if_empty(int ifindex)
{
	struct tc_filter f[1];
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	/* Other users' filters keep the qdisc; no qdisc, nothing to do. */
	if (tc_filters(ifindex, false, f, 1) == 0 && tc_filters(ifindex, true, f, 1) == 0)
		bpf_tc_hook_destroy(&hook);
}

/* @created: this attach made the qdisc. Returns whether bee owns it. */
static bool owned_get(int ifindex, bool created)
{
	bool own = false;

	pthread_mutex_lock(&owned_lock);
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		if (owned[i].refs && owned[i].ifindex == ifindex) {
			owned[i].refs++;
			own = true;
			break;
		}
	}
	for (size_t i = 0; created && !own && i < ARRAY_SIZE(owned); i++) {
		if (!owned[i].refs) {
			owned[i].ifindex = ifindex;
			owned[i].refs = 1;
			own = true;
		}
	}
	pthread_mutex_unlock(&owned_lock);
	return own;
}

/* Drop one reference; the qdisc goes with the last one when it is empty. */
static void owned_put(int ifindex)
{
	bool last = false;

	pthread_mutex_lock(&owned_lock);
	for (size_t i = 0; i < ARRAY_SIZE(owned); i++) {
		if (owned[i].refs && owned[i].ifindex == ifindex) {
			last = --owned[i].refs == 0;
			break;
		}
	}
	pthread_mutex_unlock(&owned_lock);
	if (last)
		tc_qdisc_drop_if_empty(ifindex);
}

static int tc_legacy_undo(void *ctx)
{
	struct tc_legacy *t = ctx;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = t->ifindex,
			    .attach_point = t->egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = t->handle, .priority = t->prio);
	int err;

	err = bpf_tc_detach(&hook, &o);
	if (err == -ENOENT || err == -EINVAL)
		err = 0; /* already gone, e.g. with the device or the qdisc */
	if (!err)
		bee_record__del(t->rec);
	owned_put(t->ifindex);
	return err;
}

static struct bee_link *tc_attach_legacy(int prog_fd, const char *ifname, int ifindex, bool egress,
					 const struct bee_tc_opts *opts)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd = prog_fd);
	struct tc_legacy *t;
	struct bee_link *l;
	char desc[96];
	int err;

	t = calloc(1, sizeof(*t));
	if (!t) {
		err = -ENOMEM;
		goto err_out;
	}
	if (opts && opts->sz >= sizeof(*opts)) {
		o.priority = opts->priority;
		o.handle = opts->handle;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("tc on '%s': cannot add the clsact qdisc: %s", ifname, strerror(-err));
		goto err_free;
	}
	owned_get(ifindex, !err);
	err = bpf_tc_attach(&hook, &o);
	if (err) {
		pr_err("tc %s on '%s': cannot add the bpf filter: %s", egress ? "egress" : "ingress",
		       ifname, strerror(-err));
		goto err_qdisc;
	}
	t->ifindex = ifindex;
	t->egress = egress;
	t->handle = o.handle;
	t->prio = o.priority;
	bee_record_name_tc(t->rec, ifindex, egress, o.priority, o.handle);
	bee_record__add(t->rec, "tc %llu %d %s %u %u %u %s", (unsigned long long)bee_netns_ino(),
			ifindex, egress ? "egress" : "ingress", o.priority, o.handle,
			bee_prog_id_of(prog_fd), ifname);
	snprintf(desc, sizeof(desc), "tc/%s/%s (clsact, pref %u handle 0x%x)", ifname,
		 egress ? "egress" : "ingress", o.priority, o.handle);
	l = bee_link__new_legacy(tc_legacy_undo, t, free, desc);
	if (!l) {
		err = -errno;
		tc_legacy_undo(t);
		goto err_free;
	}
	return l;

err_qdisc:
	owned_put(ifindex);
err_free:
	free(t);
err_out:
	errno = -err;
	return NULL;
}

struct bee_link *bee_tc__attach_opts(int prog_fd, const char *ifname, bool egress,
				     const struct bee_tc_opts *opts)
{
	const char *dir = egress ? "egress" : "ingress";
	char hook[64], desc[96];
	struct bee_link *l;
	int ifindex, type, fd, err;

	ifindex = net_ifindex(ifname);
	if (ifindex < 0) {
		err = ifindex;
		goto err_out;
	}
	snprintf(hook, sizeof(hook), "tc %s on '%s'", dir, ifname);
	err = net_prog_check_type(prog_fd, BPF_PROG_TYPE_SCHED_CLS, hook);
	if (err)
		goto err_out;
	type = net_enum(egress ? "BPF_TCX_EGRESS" : "BPF_TCX_INGRESS");
	if (type < 0 || force_legacy(opts))
		return tc_attach_legacy(prog_fd, ifname, ifindex, egress, opts);
	/* Zero link_create options: append after whatever runs there now. */
	fd = bpf_link_create(prog_fd, ifindex, (enum bpf_attach_type)type, NULL);
	if (fd < 0) {
		err = -errno;
		pr_err("%s: cannot create tcx link: %s", hook, strerror(errno));
		goto err_out;
	}
	snprintf(desc, sizeof(desc), "tcx/%s/%s", ifname, dir);
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

struct bee_link *bee_tc__attach(int prog_fd, const char *ifname, bool egress)
{
	return bee_tc__attach_opts(prog_fd, ifname, egress, NULL);
}

int bee_tc__detach_legacy(const char *ifname, bool egress)
{
	struct tc_filter f[64];
	int ifindex, n, removed = 0, err = 0;

	ifindex = net_ifindex(ifname);
	if (ifindex < 0)
		return ifindex;
	n = tc_filters(ifindex, egress, f, ARRAY_SIZE(f));
	if (n < 0)
		return n == -ENOENT ? 0 : n;
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(f); i++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = f[i].handle, .priority = f[i].prio);
		int e = bpf_tc_detach(&hook, &o);

		if (e) {
			err = e;
			pr_err("tc %s on '%s': cannot delete filter pref %u handle 0x%x: %s",
			       egress ? "egress" : "ingress", ifname, f[i].prio, f[i].handle,
			       strerror(-e));
		} else {
			char rec[BEE_RECORD_NAME_SZ];

			bee_record_name_tc(rec, ifindex, egress, f[i].prio, f[i].handle);
			bee_record__del(rec);
			removed++;
		}
	}
	if (removed)
		tc_qdisc_drop_if_empty(ifindex);
	return err ? err : removed;
}

/* ---- listing ------------------------------------------------------------------ */

static void prog_name(uint32_t id, char *name, size_t sz)
{
	int fd = bpf_prog_get_fd_by_id(id);

	name[0] = 0;
	if (fd >= 0) {
		net_prog_info(fd, NULL, name, sz, NULL);
		close(fd);
	}
}

static uint32_t link_of(const struct net_link *links, int n, uint32_t prog_id, int ifindex,
			int attach_type)
{
	for (int i = 0; i < n; i++)
		if (links[i].prog_id == prog_id && (int)links[i].u32[0] == ifindex &&
		    (attach_type < 0 || (int)links[i].u32[1] == attach_type))
			return links[i].id;
	return 0;
}

int bee_net__query(int ifindex, struct bee_net_prog *out, int max)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct net_link links[128];
	struct tc_filter f[64];
	int n = 0, nl, tcx_type;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		struct bee_net_prog p = { __VA_ARGS__ };                                           \
		if (n < max)                                                                       \
			out[n] = p;                                                                \
		n++;                                                                               \
	} while (0)

	if (bpf_xdp_query(ifindex, 0, &q) == 0) {
		const struct {
			const char *mode;
			uint32_t id;
		} m[] = { { "generic", q.skb_prog_id }, { "driver", q.drv_prog_id },
			  { "offload", q.hw_prog_id } };

		nl = net_links_find(BPF_LINK_TYPE_XDP, links, ARRAY_SIZE(links));
		nl = nl > (int)ARRAY_SIZE(links) ? (int)ARRAY_SIZE(links) : nl;
		for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
			if (!m[i].id)
				continue;
			ADD(.kind = "xdp", .prog_id = m[i].id,
			    .link_id = link_of(links, nl, m[i].id, ifindex, -1));
			if (n <= max) {
				snprintf(out[n - 1].mode, sizeof(out[n - 1].mode), "%s", m[i].mode);
				prog_name(m[i].id, out[n - 1].name, sizeof(out[n - 1].name));
			}
		}
	} else if (errno == ENODEV) {
		return -ENODEV;
	}

	tcx_type = net_enum("BPF_TCX_INGRESS");
	if (tcx_type >= 0) {
		int lt = net_enum("BPF_LINK_TYPE_TCX");

		nl = lt < 0 ? 0 : net_links_find(lt, links, ARRAY_SIZE(links));
		nl = nl > (int)ARRAY_SIZE(links) ? (int)ARRAY_SIZE(links) : nl;
		for (int dir = 0; dir < 2; dir++) {
			int at = net_enum(dir ? "BPF_TCX_EGRESS" : "BPF_TCX_INGRESS");
			uint32_t ids[64], cnt = ARRAY_SIZE(ids), aflags = 0;

			/* the ifindex goes where target_fd is: the same union slot */
			if (bpf_prog_query(ifindex, (enum bpf_attach_type)at, 0, &aflags, ids, &cnt))
				continue;
			for (uint32_t i = 0; i < cnt && i < ARRAY_SIZE(ids); i++) {
				ADD(.kind = "tcx", .prog_id = ids[i],
				    .link_id = link_of(links, nl, ids[i], ifindex, at));
				if (n <= max) {
					snprintf(out[n - 1].mode, sizeof(out[n - 1].mode), "%s",
						 dir ? "egress" : "ingress");
					prog_name(ids[i], out[n - 1].name, sizeof(out[n - 1].name));
				}
			}
		}
	}

	for (int dir = 0; dir < 2; dir++) {
		int cnt = tc_filters(ifindex, dir, f, ARRAY_SIZE(f));

		for (int i = 0; i < cnt && i < (int)ARRAY_SIZE(f); i++) {
			ADD(.kind = "tc", .prog_id = f[i].prog_id, .prio = f[i].prio,
			    .handle = f[i].handle,
			    .direct_action = !!(f[i].flags & TCA_BPF_FLAG_ACT_DIRECT));
			if (n <= max) {
				snprintf(out[n - 1].mode, sizeof(out[n - 1].mode), "%s",
					 dir ? "egress" : "ingress");
				snprintf(out[n - 1].name, sizeof(out[n - 1].name), "%s", f[i].name);
			}
		}
	}
#undef ADD
	return n;
}
