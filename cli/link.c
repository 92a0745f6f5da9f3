// SPDX-License-Identifier: GPL-2.0
/*
 * bee link: the kernel's BPF links with what each is attached to, read
 * from bpf_link_info as the running kernel fills it (tracepoint names,
 * cgroup id and path, ifindex and name, netns, uprobe file and offset...),
 * and pin / detach by id or pinned path.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "internal.h"

/* the kernel's internal ENOTSUPP, which leaks to user space from some paths */
#define ENOTSUPP_ERRNO 524

/*
 * struct bpf_link_info as kernels up to 6.18 define it. The installed uapi
 * header (6.1) lacks the perf_event, tcx, netkit, netfilter, multi-probe
 * and sockmap members; the kernel copies only what it has, and zeroes are
 * what a kernel without a member leaves.
 */
struct link_info {
	uint32_t type;
	uint32_t id;
	uint32_t prog_id;
	uint32_t pad_;
	union {
		struct {
			uint64_t tp_name;
			uint32_t tp_name_len;
			uint64_t cookie;
		} raw_tracepoint;
		struct {
			uint32_t attach_type;
			uint32_t target_obj_id;
			uint32_t target_btf_id;
			uint64_t cookie;
		} tracing;
		struct {
			uint64_t cgroup_id;
			uint32_t attach_type;
		} cgroup;
		struct {
			uint64_t target_name;
			uint32_t target_name_len;
			uint32_t map_id;
			union {
				struct {
					uint64_t cgroup_id;
					uint32_t order;
				} cgroup;
				struct {
					uint32_t tid;
					uint32_t pid;
				} task;
			};
		} iter;
		struct {
			uint32_t netns_ino;
			uint32_t attach_type;
		} netns;
		struct {
			uint32_t ifindex;
		} xdp;
		struct {
			uint32_t map_id;
		} struct_ops;
		struct {
			uint32_t pf;
			uint32_t hooknum;
			int32_t priority;
			uint32_t flags;
		} netfilter;
		struct {
			uint64_t addrs;
			uint32_t count;
			uint32_t flags;
			uint64_t missed;
			uint64_t cookies;
		} kprobe_multi;
		struct {
			uint64_t path;
			uint64_t offsets;
			uint64_t ref_ctr_offsets;
			uint64_t cookies;
			uint32_t path_size;
			uint32_t count;
			uint32_t flags;
			uint32_t pid;
		} uprobe_multi;
		struct {
			uint32_t type;
			uint32_t pad_;
			union {
				struct {
					uint64_t file_name;
					uint32_t name_len;
					uint32_t offset;
					uint64_t cookie;
					uint64_t ref_ctr_offset;
				} uprobe;
				struct {
					uint64_t func_name;
					uint32_t name_len;
					uint32_t offset;
					uint64_t addr;
					uint64_t missed;
					uint64_t cookie;
				} kprobe;
				struct {
					uint64_t tp_name;
					uint32_t name_len;
					uint64_t cookie;
				} tracepoint;
				struct {
					uint64_t config;
					uint32_t type;
					uint64_t cookie;
				} event;
			};
		} perf_event;
		struct {
			uint32_t ifindex;
			uint32_t attach_type;
		} tcx;
		struct {
			uint32_t ifindex;
			uint32_t attach_type;
		} netkit;
		struct {
			uint32_t map_id;
			uint32_t attach_type;
		} sockmap;
		uint8_t raw_[128];
	};
} __attribute__((aligned(8)));

struct link {
	struct link_info info;
	const char *type; /* from kernel BTF: "perf_event", ... */
	char name[4096];  /* tracepoint, function, file, iterator target */
	uint64_t offsets[8];
	char cgroup_path[4096];
};

/* cgroup ids are the inode numbers of the cgroup v2 directories: walk the
 * tree once per command and look every link's cgroup up in that. */
struct cg_ent {
	uint64_t ino;
	char *path;
};
static struct cg_ent *cgs;
static size_t cg_cnt, cg_cap;
static bool cg_walked;

static int cg_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag != FTW_D)
		return 0;
	if (cg_cnt == cg_cap) {
		size_t nc = cg_cap ? cg_cap * 2 : 256;
		struct cg_ent *n = realloc(cgs, nc * sizeof(*n));

		if (!n)
			return 1;
		cgs = n;
		cg_cap = nc;
	}
	cgs[cg_cnt].ino = st->st_ino;
	cgs[cg_cnt].path = strdup(path);
	if (cgs[cg_cnt].path)
		cg_cnt++;
	return 0;
}

static __attribute__((destructor)) void cg_free(void)
{
	for (size_t i = 0; i < cg_cnt; i++)
		free(cgs[i].path);
	free(cgs);
}

static void cgroup_path(uint64_t id, char *out, size_t n)
{
	const char *root;

	out[0] = 0;
	if (!id)
		return;
	if (!cg_walked) {
		cg_walked = true;
		root = bee_cgroup2_root();
		if (root)
			nftw(root, cg_visit, 16, FTW_PHYS | FTW_MOUNT);
	}
	for (size_t i = 0; i < cg_cnt; i++) {
		if (cgs[i].ino == id) {
			snprintf(out, n, "%s", cgs[i].path);
			return;
		}
	}
}

/* Is BTF object @id the kernel's own (vmlinux)? Then a tracing link's
 * target_btf_id names a function in the BTF bee already has. */
static bool is_vmlinux_btf(uint32_t id)
{
	struct bpf_btf_info info = {};
	uint32_t len = sizeof(info);
	char name[16] = "";
	int fd = bpf_btf_get_fd_by_id(id);
	bool yes;

	if (fd < 0)
		return false;
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name);
	yes = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.kernel_btf &&
	      !strcmp(name, "vmlinux");
	close(fd);
	return yes;
}

static const char *tracing_target(const struct link_info *i)
{
	const struct btf *kb;
	const struct btf_type *t;

	if (!i->tracing.target_obj_id || !is_vmlinux_btf(i->tracing.target_obj_id))
		return NULL;
	kb = bee_kernel_btf();
	t = kb ? btf__type_by_id(kb, i->tracing.target_btf_id) : NULL;
	return t ? btf__name_by_offset(kb, t->name_off) : NULL;
}

static const char *attach_name(uint32_t v, char *buf, size_t n)
{
	const char *s = bee_kind_name(BEE_KIND_ATTACH_TYPE, v);

	if (s)
		return s;
	snprintf(buf, n, "%u", v);
	return buf;
}

/* Read the link's info; a second call fills the names the first sized. */
static int link_read(int fd, struct link *l)
{
	uint32_t len = sizeof(l->info);
	const char *t;

	memset(l, 0, sizeof(*l));
	if (bpf_obj_get_info_by_fd(fd, &l->info, &len))
		return -errno;
	t = bee_kind_name(BEE_KIND_LINK_TYPE, l->info.type);
	l->type = t ? t : "unknown";
	if (!strcmp(l->type, "raw_tracepoint")) {
		l->info.raw_tracepoint.tp_name = (uintptr_t)l->name;
		l->info.raw_tracepoint.tp_name_len = sizeof(l->name);
	} else if (!strcmp(l->type, "iter")) {
		l->info.iter.target_name = (uintptr_t)l->name;
		l->info.iter.target_name_len = sizeof(l->name);
	} else if (!strcmp(l->type, "perf_event")) {
		/* file_name, func_name and tp_name share one place */
		l->info.perf_event.uprobe.file_name = (uintptr_t)l->name;
		l->info.perf_event.uprobe.name_len = sizeof(l->name);
	} else if (!strcmp(l->type, "uprobe_multi")) {
		l->info.uprobe_multi.path = (uintptr_t)l->name;
		l->info.uprobe_multi.path_size = sizeof(l->name);
		if (l->info.uprobe_multi.count > ARRAY_SIZE(l->offsets))
			l->info.uprobe_multi.count = ARRAY_SIZE(l->offsets);
		l->info.uprobe_multi.offsets =
			l->info.uprobe_multi.count ? (uintptr_t)l->offsets : 0;
		l->info.uprobe_multi.ref_ctr_offsets = 0;
		l->info.uprobe_multi.cookies = 0;
	} else if (!strcmp(l->type, "kprobe_multi")) {
		/* counts only: the addresses are in kallsyms */
		l->info.kprobe_multi.count = 0;
		l->info.kprobe_multi.addrs = 0;
		l->info.kprobe_multi.cookies = 0;
	} else {
		goto done;
	}
	len = sizeof(l->info);
	if (bpf_obj_get_info_by_fd(fd, &l->info, &len))
		return -errno;
done:
	if (!strcmp(l->type, "cgroup"))
		cgroup_path(l->info.cgroup.cgroup_id, l->cgroup_path, sizeof(l->cgroup_path));
	return 0;
}

/* Name of a perf_event link's kind, from enum bpf_perf_event_type. */
static const char *perf_kind(uint32_t t)
{
	const char *s = bee_enum_name("bpf_perf_event_type", t, "BPF_PERF_EVENT_");

	return s ? s : "unknown";
}

static void ifname_of(uint32_t ifindex, char *out)
{
	if (!if_indextoname(ifindex, out))
		out[0] = 0;
}

static void print_json(struct bee_json *j, const struct link *l)
{
	const struct link_info *i = &l->info;
	char b[64], ifn[IF_NAMESIZE + 1];

	if (cli_pids_own(BEE_PIDS_LINK, i->id))
		return; /* bee's own, made to find the pids below */
	bee_json_obj_start(j);
	bee_json_kuint(j, "id", i->id);
	bee_json_kstr(j, "type", l->type);
	bee_json_kuint(j, "prog_id", i->prog_id);
	if (!strcmp(l->type, "raw_tracepoint")) {
		bee_json_kstr(j, "tp_name", l->name);
		bee_json_kuint(j, "cookie", i->raw_tracepoint.cookie);
	} else if (!strcmp(l->type, "tracing")) {
		const char *target = tracing_target(i);

		bee_json_kstr(j, "attach_type", attach_name(i->tracing.attach_type, b, sizeof(b)));
		bee_json_kuint(j, "target_obj_id", i->tracing.target_obj_id);
		bee_json_kuint(j, "target_btf_id", i->tracing.target_btf_id);
		if (target)
			bee_json_kstr(j, "target_name", target);
	} else if (!strcmp(l->type, "cgroup")) {
		bee_json_kuint(j, "cgroup_id", i->cgroup.cgroup_id);
		bee_json_kstr(j, "cgroup_path", l->cgroup_path);
		bee_json_kstr(j, "attach_type", attach_name(i->cgroup.attach_type, b, sizeof(b)));
	} else if (!strcmp(l->type, "iter")) {
		bee_json_kstr(j, "target_name", l->name);
		if (i->iter.map_id)
			bee_json_kuint(j, "map_id", i->iter.map_id);
	} else if (!strcmp(l->type, "netns")) {
		bee_json_kuint(j, "netns_ino", i->netns.netns_ino);
		bee_json_kstr(j, "attach_type", attach_name(i->netns.attach_type, b, sizeof(b)));
	} else if (!strcmp(l->type, "xdp") || !strcmp(l->type, "tcx") ||
		   !strcmp(l->type, "netkit")) {
		uint32_t ifi = !strcmp(l->type, "xdp") ? i->xdp.ifindex : i->tcx.ifindex;

		bee_json_kuint(j, "ifindex", ifi);
		ifname_of(ifi, ifn);
		bee_json_kstr(j, "ifname", ifn);
		if (strcmp(l->type, "xdp"))
			bee_json_kstr(j, "attach_type",
				      attach_name(i->tcx.attach_type, b, sizeof(b)));
	} else if (!strcmp(l->type, "struct_ops")) {
		bee_json_kuint(j, "map_id", i->struct_ops.map_id);
	} else if (!strcmp(l->type, "netfilter")) {
		bee_json_kuint(j, "pf", i->netfilter.pf);
		bee_json_kuint(j, "hooknum", i->netfilter.hooknum);
		bee_json_kint(j, "priority", i->netfilter.priority);
		bee_json_kuint(j, "flags", i->netfilter.flags);
	} else if (!strcmp(l->type, "kprobe_multi")) {
		bee_json_kuint(j, "func_cnt", i->kprobe_multi.count);
		bee_json_kbool(j, "retprobe", i->kprobe_multi.flags & 1);
		bee_json_kuint(j, "missed", i->kprobe_multi.missed);
	} else if (!strcmp(l->type, "uprobe_multi")) {
		bee_json_kstr(j, "path", l->name);
		bee_json_kuint(j, "pid", i->uprobe_multi.pid);
		bee_json_kbool(j, "retprobe", i->uprobe_multi.flags & 1);
		bee_json_key(j, "offsets");
		bee_json_arr_start(j);
		for (uint32_t k = 0; k < i->uprobe_multi.count && k < ARRAY_SIZE(l->offsets); k++)
			bee_json_uint(j, l->offsets[k]);
		bee_json_arr_end(j);
	} else if (!strcmp(l->type, "perf_event") && i->perf_event.type) {
		/* kernels before 6.6 report no target for perf_event links */
		const char *k = perf_kind(i->perf_event.type);

		bee_json_kstr(j, "perf_event_type", k);
		if (!strcmp(k, "uprobe") || !strcmp(k, "uretprobe")) {
			bee_json_kstr(j, "file", l->name);
			bee_json_kuint(j, "offset", i->perf_event.uprobe.offset);
			bee_json_kuint(j, "cookie", i->perf_event.uprobe.cookie);
		} else if (!strcmp(k, "kprobe") || !strcmp(k, "kretprobe")) {
			bee_json_kstr(j, "func", l->name);
			bee_json_kuint(j, "offset", i->perf_event.kprobe.offset);
			bee_json_kuint(j, "addr", i->perf_event.kprobe.addr);
			bee_json_kuint(j, "missed", i->perf_event.kprobe.missed);
		} else if (!strcmp(k, "tracepoint")) {
			bee_json_kstr(j, "tracepoint", l->name);
			bee_json_kuint(j, "cookie", i->perf_event.tracepoint.cookie);
		} else if (!strcmp(k, "event")) {
			bee_json_kuint(j, "event_type", i->perf_event.event.type);
			bee_json_kuint(j, "config", i->perf_event.event.config);
		}
	} else if (!strcmp(l->type, "sockmap")) {
		bee_json_kuint(j, "map_id", i->sockmap.map_id);
		bee_json_kstr(j, "attach_type", attach_name(i->sockmap.attach_type, b, sizeof(b)));
	}
	cli_pids_print(j, BEE_PIDS_LINK, i->id);
	bee_json_obj_end(j);
}

static void print_text(const struct link *l)
{
	const struct link_info *i = &l->info;
	char b[64], ifn[IF_NAMESIZE + 1];

	if (cli_pids_own(BEE_PIDS_LINK, i->id))
		return;
	printf("%u: %s  prog %u\n\t", i->id, l->type, i->prog_id);
	if (!strcmp(l->type, "raw_tracepoint")) {
		printf("tp '%s'", l->name);
	} else if (!strcmp(l->type, "tracing")) {
		const char *target = tracing_target(i);

		printf("attach_type %s  target_obj_id %u  target_btf_id %u",
		       attach_name(i->tracing.attach_type, b, sizeof(b)), i->tracing.target_obj_id,
		       i->tracing.target_btf_id);
		if (target)
			printf("  target %s", target);
	} else if (!strcmp(l->type, "cgroup")) {
		/* the kernel drops the cgroup when the link is detached or
		 * the cgroup is removed */
		printf("cgroup_id %llu  %s  attach_type %s",
		       (unsigned long long)i->cgroup.cgroup_id,
		       l->cgroup_path[0]	 ? l->cgroup_path :
		       !i->cgroup.cgroup_id ? "(detached)" :
					      "(path not under the cgroup v2 mount)",
		       attach_name(i->cgroup.attach_type, b, sizeof(b)));
	} else if (!strcmp(l->type, "iter")) {
		printf("target_name %s", l->name);
		if (i->iter.map_id)
			printf("  map_id %u", i->iter.map_id);
	} else if (!strcmp(l->type, "netns")) {
		printf("netns_ino %u  attach_type %s", i->netns.netns_ino,
		       attach_name(i->netns.attach_type, b, sizeof(b)));
	} else if (!strcmp(l->type, "xdp") || !strcmp(l->type, "tcx") ||
		   !strcmp(l->type, "netkit")) {
		uint32_t ifi = !strcmp(l->type, "xdp") ? i->xdp.ifindex : i->tcx.ifindex;

		ifname_of(ifi, ifn);
		printf("ifindex %u  ifname %s", ifi, ifn[0] ? ifn : "(other netns)");
		if (strcmp(l->type, "xdp"))
			printf("  attach_type %s", attach_name(i->tcx.attach_type, b, sizeof(b)));
	} else if (!strcmp(l->type, "struct_ops")) {
		printf("map_id %u", i->struct_ops.map_id);
	} else if (!strcmp(l->type, "netfilter")) {
		printf("pf %u  hooknum %u  priority %d  flags 0x%x", i->netfilter.pf,
		       i->netfilter.hooknum, i->netfilter.priority, i->netfilter.flags);
	} else if (!strcmp(l->type, "kprobe_multi")) {
		printf("%s  func_cnt %u  missed %llu",
		       i->kprobe_multi.flags & 1 ? "kretprobe.multi" : "kprobe.multi",
		       i->kprobe_multi.count, (unsigned long long)i->kprobe_multi.missed);
	} else if (!strcmp(l->type, "uprobe_multi")) {
		printf("%s  path %s  func_cnt %u  pid %u",
		       i->uprobe_multi.flags & 1 ? "uretprobe.multi" : "uprobe.multi", l->name,
		       i->uprobe_multi.count, i->uprobe_multi.pid);
	} else if (!strcmp(l->type, "perf_event") && !i->perf_event.type) {
		printf("(this kernel does not report perf_event link targets: see bee perf list)");
	} else if (!strcmp(l->type, "perf_event")) {
		const char *k = perf_kind(i->perf_event.type);

		if (!strcmp(k, "uprobe") || !strcmp(k, "uretprobe"))
			printf("%s  %s+0x%x", k, l->name, i->perf_event.uprobe.offset);
		else if (!strcmp(k, "kprobe") || !strcmp(k, "kretprobe"))
			printf("%s  %s+0x%x  addr 0x%llx  missed %llu", k, l->name,
			       i->perf_event.kprobe.offset,
			       (unsigned long long)i->perf_event.kprobe.addr,
			       (unsigned long long)i->perf_event.kprobe.missed);
		else if (!strcmp(k, "tracepoint"))
			printf("tracepoint  %s", l->name);
		else if (!strcmp(k, "event"))
			printf("event  type %u  config %llu", i->perf_event.event.type,
			       (unsigned long long)i->perf_event.event.config);
		else
			printf("%s", k);
	} else if (!strcmp(l->type, "sockmap")) {
		printf("map_id %u  attach_type %s", i->sockmap.map_id,
		       attach_name(i->sockmap.attach_type, b, sizeof(b)));
	}
	printf("\n");
	cli_pids_print(NULL, BEE_PIDS_LINK, i->id);
}

static bool on_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/* LINK := { id ID | pinned PATH }: an fd, or -1 with the error printed and
 * *rc set. *used is how many words the spec took. */
static int link_fd(int argc, char **argv, int *rc, char *desc, size_t desc_sz)
{
	char *end;
	unsigned long id;
	int fd;

	if (argc < 2) {
		*rc = cli_usage("link: want 'id ID' or 'pinned PATH'");
		return -1;
	}
	if (cli_is(argv[0], "id")) {
		errno = 0;
		id = strtoul(argv[1], &end, 10);
		if (!argv[1][0] || *end || errno || !id || id > UINT32_MAX || argv[1][0] == '-') {
			*rc = cli_usage("link id '%s': not an id (want a positive number)", argv[1]);
			return -1;
		}
		snprintf(desc, desc_sz, "link id %lu", id);
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0) {
			*rc = cli_err("link id %lu: %s", id,
				      errno == ENOENT ? "no such link" : strerror(errno));
			return -1;
		}
		return fd;
	}
	if (cli_is(argv[0], "pinned")) {
		struct link_info info = {};
		uint32_t len = sizeof(info);

		snprintf(desc, desc_sz, "link pinned '%s'", argv[1]);
		if (access(argv[1], F_OK)) {
			*rc = cli_err("link pinned '%s': %s", argv[1], strerror(errno));
			return -1;
		}
		if (!on_bpffs(argv[1])) {
			*rc = cli_err("link pinned '%s': not on a bpffs mount", argv[1]);
			return -1;
		}
		fd = bpf_obj_get(argv[1]);
		if (fd < 0) {
			*rc = cli_err("link pinned '%s': %s", argv[1], strerror(errno));
			return -1;
		}
		/* a pinned prog or map also answers get_info: check the kind
		 * through its fdinfo */
		{
			char p[64], *text = NULL;

			snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
			if (bee_read_file(p, &text, NULL) == 0 && !strstr(text, "link_type:")) {
				free(text);
				close(fd);
				*rc = cli_err("link pinned '%s': the object there is not a link",
					      argv[1]);
				return -1;
			}
			free(text);
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			*rc = cli_err("link pinned '%s': %s", argv[1], strerror(errno));
			close(fd);
			return -1;
		}
		return fd;
	}
	*rc = cli_usage("link: unknown keyword '%s' (want 'id' or 'pinned')", argv[0]);
	return -1;
}

static int do_list(int argc, char **argv)
{
	struct bee_json j;
	struct link *l;
	char desc[4200];
	uint32_t id = 0;
	int rc = EXIT_OK, fd;

	l = malloc(sizeof(*l));
	if (!l)
		return cli_err("link: out of memory");
	if (argc > 1) {
		if (argc != 3) {
			free(l);
			return cli_usage("link %s: want nothing or one LINK (id ID | pinned PATH)",
					 argv[0]);
		}
		fd = link_fd(argc - 1, argv + 1, &rc, desc, sizeof(desc));
		if (fd < 0)
			goto out;
		if (link_read(fd, l)) {
			rc = cli_err("%s: %s", desc, strerror(errno));
		} else if (json_output) {
			cli_json_begin(&j);
			print_json(&j, l);
			bee_json_end(&j);
		} else {
			print_text(l);
		}
		close(fd);
		goto out;
	}
	if (bpf_link_get_next_id(0, &id) && errno != ENOENT) {
		rc = cli_err("link list: cannot walk the kernel's links: %s%s", strerror(errno),
			     errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		goto out;
	}
	id = 0;
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	while (bpf_link_get_next_id(id, &id) == 0) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue; /* gone while we walked */
		if (link_read(fd, l) == 0) {
			if (json_output)
				print_json(&j, l);
			else
				print_text(l);
		}
		close(fd);
	}
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
out:
	free(l);
	return rc;
}

static int do_pin(int argc, char **argv)
{
	char desc[4200], dir[4096], *slash;
	int rc = EXIT_OK, fd;

	if (argc != 4)
		return cli_usage("link pin: want LINK FILE (LINK := id ID | pinned PATH)");
	snprintf(dir, sizeof(dir), "%s", argv[3]);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = 0;
	else if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	if (!on_bpffs(dir))
		return cli_err("link pin: '%s' is not on a bpffs mount (%s is not bpffs)", argv[3],
			       dir);
	fd = link_fd(2, argv + 1, &rc, desc, sizeof(desc));
	if (fd < 0)
		return rc;
	if (bpf_obj_pin(fd, argv[3]))
		rc = cli_err("%s: cannot pin at '%s': %s", desc, argv[3], strerror(errno));
	close(fd);
	return rc;
}

static int do_detach(int argc, char **argv)
{
	struct link *l;
	char desc[4200];
	int rc = EXIT_OK, fd;

	if (argc != 3)
		return cli_usage("link detach: want LINK (id ID | pinned PATH)");
	fd = link_fd(2, argv + 1, &rc, desc, sizeof(desc));
	if (fd < 0)
		return rc;
	l = malloc(sizeof(*l));
	if (l && link_read(fd, l) == 0)
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " (%s)", l->type);
	if (bpf_link_detach(fd)) {
		if (errno == EOPNOTSUPP || errno == ENOTSUPP_ERRNO)
			rc = cli_err("%s: the kernel cannot detach this link type; close the fds "
				     "that hold it or remove its pin",
				     desc);
		else
			rc = cli_err("%s: cannot detach: %s", desc, strerror(errno));
	}
	free(l);
	close(fd);
	return rc;
}

static int help(void)
{
	printf("Usage: bee link { show | list } [LINK]\n"
	       "       bee link pin LINK FILE\n"
	       "       bee link detach LINK\n"
	       "       bee link help\n"
	       "\n"
	       "LINK := { id LINK_ID | pinned FILE }\n"
	       "\n"
	       "list shows every BPF link: id, type (named by the kernel's BTF), program id\n"
	       "and the target: tracepoint, function, cgroup id and path, interface, netns,\n"
	       "uprobe file and offset. detach cuts the link from its hook while its fds and\n"
	       "pins stay (the kernel supports it for cgroup, netns, xdp, tcx, netkit,\n"
	       "netfilter, struct_ops and sockmap links). Each link ends with\n"
	       "'pids COMM(PID), ...', the processes that hold an fd of it (\"pids\" in\n"
	       "JSON), when there are any.\n");
	return EXIT_OK;
}

static int cmd_link(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "show", do_list },
		{ "list", do_list },
		{ "pin", do_pin },
		{ "detach", do_detach },
		{},
	};

	return cli_dispatch(argc - 1, argv + 1, subs, help);
}

BEE_COMMAND("link", cmd_link, "list, pin and detach BPF links");
