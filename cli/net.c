// SPDX-License-Identifier: GPL-2.0
/* bee net: XDP and TC programs on network interfaces, as `ip link set dev X
 * xdp obj F` and `tc filter add dev X ingress bpf da obj F sec S` do, and
 * their listing, as `bpftool net` shows it.
 *
 * A command exits right after attaching, so what it attaches must outlive
 * it: XDP and tcx attachments are bpf_links pinned under
 * <bpffs>/bee/net/IF-TYPE (or `pin PATH`), legacy tc filters stay on the
 * qdisc; `bee net detach` removes either. */
#include <fcntl.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "netcli.h"

/* ---- PROG, shared with cli/cgroup.c ---------------------------------------- */

static int prog_from_fd(int fd, struct net_prog_spec *p)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return -errno;
	}
	p->fd = fd;
	p->id = info.id;
	snprintf(p->name, sizeof(p->name), "%s", info.name);
	return 0;
}

static bool sec_matches(const char *sec, const char *want)
{
	const char *slash = strrchr(sec, '/');

	/* tc's "sec ingress" finds SEC("tc/ingress") too */
	return !strcmp(sec, want) || (slash && !strcmp(slash + 1, want));
}

static int prog_from_object(const char *file, const char *sec, const char *name, int want_type,
			    int want_attach, struct net_prog_spec *p)
{
	struct bpf_program *prog, *pick = NULL;
	struct bpf_object *bo;
	size_t len = strlen(file);
	int err;

	/* A compiled object goes to libbpf directly, as `ip` and `tc` do, so
	 * that their section names ("ingress", "egress", "classifier") work;
	 * a C source needs bee's compiler. */
	if (len > 2 && !strcmp(file + len - 2, ".o")) {
		bee_libbpf_log_init(); /* libbpf's chatter only with -d */
		p->bobj = bpf_object__open_file(file, NULL);
		if (!p->bobj) {
			err = -errno;
			p->bobj = NULL;
			return cli_err("object '%s': %s", file, strerror(-err));
		}
		bo = p->bobj;
	} else {
		p->obj = bee_obj__open_file(file, NULL);
		if (!p->obj)
			return cli_err("object '%s': %s", file, cli_strerr(-errno));
		bo = bee_obj__bpf_object(p->obj);
	}
	bpf_object__for_each_program(prog, bo) {
		bee_net_prog_fixup(prog);
		if (pick)
			continue;
		if (sec ? sec_matches(bpf_program__section_name(prog), sec) :
		    name ? !strcmp(bpf_program__name(prog), name) :
			   (want_type < 0 || (int)bpf_program__type(prog) == want_type) &&
				   (want_attach < 0 ||
				    (int)bpf_program__expected_attach_type(prog) == want_attach))
			pick = prog;
	}
	if (!pick && !sec && !name)
		pick = bpf_object__next_program(bo, NULL);
	if (!pick)
		return cli_err("object '%s': no program %s '%s'", file, sec ? "in section" : "named",
			       sec ? sec : name);
	if (bpf_program__type(pick) == BPF_PROG_TYPE_UNSPEC && want_type > 0)
		bpf_program__set_type(pick, want_type); /* iproute2 does the same */
	/* load only the chosen program, as ip and tc do */
	bpf_object__for_each_program(prog, bo)
		bpf_program__set_autoload(prog, prog == pick);
	/* an offloaded program is translated for its NIC when it loads */
	if (p->offload_ifindex)
		bpf_program__set_ifindex(pick, p->offload_ifindex);
	err = p->obj ? bee_obj__load(p->obj) : bpf_object__load(bo);
	if (err && p->offload_ifindex)
		return cli_err("net attach xdpoffload: the device cannot offload XDP (loading prog "
			       "'%s' for ifindex %d failed: %s)", bpf_program__name(pick),
			       p->offload_ifindex, strerror(err < 0 ? -err : err));
	if (err)
		return cli_err("object '%s': %s", file,
			       p->obj ? cli_strerr(err) : "cannot load (run with -d for libbpf's log)");
	err = prog_from_fd(fcntl(bpf_program__fd(pick), F_DUPFD_CLOEXEC, 3), p);
	if (err)
		return cli_err("object '%s': %s", file, strerror(-err));
	return 0;
}

int net_prog_parse(int argc, char **argv, int *i, int want_type, int want_attach,
		   struct net_prog_spec *p)
{
	const char *kw;
	int err;

	int offload = p->offload_ifindex;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->offload_ifindex = offload;
	if (*i + 1 >= argc)
		return cli_usage("expected PROG := { id ID | pinned PATH | object FILE [sec SECTION | prog NAME] }");
	kw = argv[(*i)++];
	if (cli_is(kw, "id")) {
		char *end;
		unsigned long id = strtoul(argv[*i], &end, 0);
		int fd;

		if (*end || !id)
			return cli_usage("prog id '%s' is not a number", argv[*i]);
		(*i)++;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			return cli_err("prog id %lu: %s", id,
				       errno == ENOENT ? "no such program" : strerror(errno));
		err = prog_from_fd(fd, p);
		if (err)
			return cli_err("prog id %lu: %s", id, strerror(-err));
		return 0;
	}
	if (cli_is(kw, "pinned")) {
		const char *path = argv[(*i)++];
		struct statfs sf;
		int fd = bpf_obj_get(path);

		/* bpf_obj_get() says EPERM or EACCES off bpffs: say what is wrong */
		if (fd < 0 && !access(path, F_OK) && !statfs(path, &sf) && sf.f_type != 0xcafe4a11)
			return cli_err("pinned prog '%s': not a file on a bpffs mount", path);
		if (fd < 0)
			return cli_err("pinned prog '%s': %s", path, strerror(errno));
		err = prog_from_fd(fd, p);
		if (err)
			return cli_err("pinned '%s' is not a program: %s", path, strerror(-err));
		return 0;
	}
	if (cli_is(kw, "object") || cli_is(kw, "obj")) {
		const char *file = argv[(*i)++], *sec = NULL, *name = NULL;

		if (*i + 1 < argc && cli_is(argv[*i], "section")) {
			sec = argv[*i + 1];
			*i += 2;
		} else if (*i + 1 < argc && (!strcmp(argv[*i], "prog") || !strcmp(argv[*i], "program"))) {
			name = argv[*i + 1];
			*i += 2;
		}
		return prog_from_object(file, sec, name, want_type, want_attach, p);
	}
	return cli_usage("unknown PROG kind '%s' (id, pinned or object)", kw);
}

void net_prog_free(struct net_prog_spec *p)
{
	if (p->fd >= 0)
		close(p->fd);
	bee_obj__close(p->obj);
	bpf_object__close(p->bobj);
	p->fd = -1;
	p->obj = NULL;
	p->bobj = NULL;
}

int net_pin_dir(const char *sub, char *out, size_t n)
{
	const char *fs = bee_bpffs();
	int err;

	if (!fs)
		return cli_err("%s", cli_strerr(-errno));
	snprintf(out, n, "%s/bee/%s", fs, sub);
	err = bee_mkdirs(out, 0700);
	if (err)
		return cli_err("cannot create '%s': %s", out, strerror(-err));
	return 0;
}

int net_unpin_detach(const char *path)
{
	int fd, err = 0;

	if (access(path, F_OK))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	/* detach now even if another process holds the link too */
	if (bpf_link_detach(fd) && errno != ENOLINK)
		err = -errno;
	close(fd);
	if (!err && unlink(path))
		err = -errno;
	if (!err) {
		/* a per-namespace directory goes with its last pin */
		char dir[4096], *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash && strstr(dir, "/bee/net/ns")) {
			*slash = 0;
			rmdir(dir);
		}
	}
	return err ? err : 1;
}

int net_spawn_in_cgroup(const char *cgroup, char **argv)
{
	char procs[4096], me[32];
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	snprintf(me, sizeof(me), "%d", (int)getpid());
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, me, strlen(me)) < 0) {
		fprintf(stderr, "bee: cannot enter cgroup '%s': %s\n", cgroup, strerror(errno));
		_exit(126);
	}
	close(fd);
	execvp(argv[0], argv);
	fprintf(stderr, "bee: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

int net_wait_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* bee's pin directory for this network namespace: <bpffs>/bee/net in the
 * initial one, <bpffs>/bee/net/ns<INODE> in others, since interface names
 * (and ifindexes) repeat from one namespace to the next. */
static int net_ns_pin_dir(char *out, size_t n)
{
	struct stat self, init;
	char sub[64] = "net";

	if (stat("/proc/self/ns/net", &self) == 0 &&
	    (stat("/proc/1/ns/net", &init) || self.st_ino != init.st_ino))
		snprintf(sub, sizeof(sub), "net/ns%lu", (unsigned long)self.st_ino);
	return net_pin_dir(sub, out, n);
}

/* ---- bee net --------------------------------------------------------------------- */

static const char *const kinds[] = { "xdp", "xdpgeneric", "xdpdrv", "xdpoffload", "tc_ingress",
				     "tc_egress", NULL };
static const char *const xdp_modes[] = { NULL, "generic", "driver", "offload" };

static int help(void)
{
	printf("Usage: bee net { list | show } [dev IF]\n"
	       "       bee net attach ATTACH_TYPE PROG dev IF [pin PATH] [overwrite] [legacy]\n"
	       "       bee net detach ATTACH_TYPE dev IF [pin PATH]\n"
	       "       bee net help\n"
	       "\n"
	       "ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload | tc_ingress | tc_egress }\n"
	       "PROG := { id ID | pinned PATH | object FILE.o|FILE.bpf.c [sec SECTION | prog NAME] }\n"
	       "\n"
	       "xdp lets the kernel pick driver (native) mode when the driver has it, else generic.\n"
	       "tc_* attach with direct action: a tcx link where the kernel has tcx, else (or with\n"
	       "'legacy', or BEE_TC_LEGACY=1) a clsact qdisc and a cls_bpf filter, like\n"
	       "'tc filter add dev IF ingress bpf da obj FILE sec SECTION'.\n"
	       "Attachments outlive the command: links are pinned at <bpffs>/bee/net/IF-ATTACH_TYPE\n"
	       "(<bpffs>/bee/net/nsINODE/... in other network namespaces) or PATH, and\n"
	       "'bee net detach' removes them (or any XDP program / bpf filter there).\n"
	       "'overwrite' replaces what is attached (a pinned link is updated in place).\n");
	return EXIT_OK;
}

static bool is_xdp(int kind)
{
	return kind <= 3;
}

static int parse_kind(const char *w)
{
	int k = cli_match(w, kinds, "attach type");

	if (k == -1)
		cli_usage("unknown attach type '%s' (xdp, xdpgeneric, xdpdrv, xdpoffload, "
			  "tc_ingress, tc_egress)", w);
	return k;
}

static void print_attached(const char *what, const char *ifname, const struct net_prog_spec *p,
			   uint32_t link_id, const char *pin)
{
	if (json_output) {
		struct bee_json j;

		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "dev", ifname);
		bee_json_kstr(&j, "attach_type", what);
		bee_json_kuint(&j, "prog_id", p->id);
		bee_json_kstr(&j, "prog_name", p->name);
		bee_json_kuint(&j, "link_id", link_id);
		if (pin)
			bee_json_kstr(&j, "pinned", pin);
		bee_json_obj_end(&j);
		bee_json_end(&j);
		return;
	}
	printf("attached %s prog '%s' (id %u) to dev %s", what, p->name, p->id, ifname);
	if (link_id)
		printf(", link id %u pinned at %s", link_id, pin);
	printf("\n");
}

static uint32_t link_id_of(int fd)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int do_attach(int argc, char **argv)
{
	const char *ifname = NULL, *pin = NULL;
	bool overwrite = false, legacy = false;
	struct net_prog_spec p = { .fd = -1 };
	struct bee_link *l = NULL;
	char path[4096], dir[4096] = "";
	int kind, i = 2, ret, err;

	if (argc < 3)
		return cli_usage("net attach: expected ATTACH_TYPE PROG dev IF");
	kind = parse_kind(argv[1]);
	if (kind < 0)
		return EXIT_USAGE;
	/* the trailing keywords first, so that PROG can be loaded knowing them */
	for (int k = 2; k < argc; k++) {
		if (!strcmp(argv[k], "dev") && k + 1 < argc)
			ifname = argv[k + 1];
	}
	if (!ifname)
		return cli_usage("net attach: missing 'dev IF'");
	if (!if_nametoindex(ifname))
		return cli_err("net attach %s: interface '%s' does not exist", kinds[kind], ifname);
	if (kind == 3) /* xdpoffload */
		p.offload_ifindex = if_nametoindex(ifname);
	ret = net_prog_parse(argc, argv, &i, is_xdp(kind) ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS,
			     -1, &p);
	if (ret)
		goto out;
	for (; i < argc; i++) {
		if (cli_is(argv[i], "dev") && i + 1 < argc) {
			i++;
		} else if (cli_is(argv[i], "pin") && i + 1 < argc) {
			pin = argv[++i];
		} else if (cli_is(argv[i], "overwrite") || cli_is(argv[i], "replace")) {
			overwrite = true;
		} else if (cli_is(argv[i], "legacy") && !is_xdp(kind)) {
			legacy = true;
		} else {
			ret = cli_usage("net attach: unexpected '%s'", argv[i]);
			goto out;
		}
	}
	if (!pin) {
		ret = net_ns_pin_dir(dir, sizeof(dir));
		if (ret)
			goto out;
		if (snprintf(path, sizeof(path), "%s/%s-%s", dir, ifname, kinds[kind]) >=
		    (int)sizeof(path)) {
			ret = cli_err("net attach: pin path too long");
			goto out;
		}
		pin = path;
	}
	{
		const char *e = getenv("BEE_TC_LEGACY");

		/* the library's rule: set and not "0" */
		legacy = legacy || (!is_xdp(kind) && (!bee_tc__has_tcx() || (e && *e && strcmp(e, "0"))));
	}

	if (!legacy && access(pin, F_OK) == 0) {
		int fd;

		if (!overwrite) {
			ret = cli_err("net attach %s: dev %s already has a program attached by bee "
				      "(pinned at %s); use 'overwrite' or detach it first",
				      kinds[kind], ifname, pin);
			goto out;
		}
		/* replace in place: the hook never runs without a program */
		fd = bpf_obj_get(pin);
		if (fd < 0 || bpf_link_update(fd, p.fd, NULL)) {
			ret = cli_err("net attach %s: cannot replace the program of the link pinned "
				      "at %s: %s", kinds[kind], pin, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		print_attached(kinds[kind], ifname, &p, link_id_of(fd), pin);
		close(fd);
		ret = EXIT_OK;
		goto out;
	}

	if (is_xdp(kind)) {
		if (overwrite && xdp_modes[kind])
			bee_xdp__detach_mode(ifname, xdp_modes[kind]);
		else if (overwrite)
			bee_xdp__detach(ifname);
		l = bee_xdp__attach(p.fd, ifname, xdp_modes[kind]);
	} else {
		BEE_OPTS(bee_tc_opts, to, .legacy = legacy);
		bool egress = kind == 5;

		if (legacy) {
			struct bee_net_prog np[64];
			int n = bee_net__query(if_nametoindex(ifname), np, 64);
			bool busy = false;

			for (int k = 0; k < n && k < 64; k++)
				busy |= !strcmp(np[k].kind, "tc") &&
					!strcmp(np[k].mode, egress ? "egress" : "ingress");
			if (busy && !overwrite) {
				ret = cli_err("net attach %s: dev %s already has a bpf filter there; "
					      "use 'overwrite' or detach it first", kinds[kind], ifname);
				goto out;
			}
			if (busy)
				bee_tc__detach_legacy(ifname, egress);
		}
		l = bee_tc__attach_opts(p.fd, ifname, egress, &to);
	}
	if (!l) {
		ret = cli_err("net attach %s: %s", kinds[kind], cli_strerr(-errno));
		goto out;
	}
	if (bee_link__fd(l) < 0) {
		/* legacy tc filter: it stays on the qdisc until 'bee net detach' */
		print_attached(kinds[kind], ifname, &p, 0, NULL);
		bee_link__disconnect(l);
		ret = EXIT_OK;
		goto out;
	}
	err = bee_link__pin(l, pin);
	if (err) {
		bee_link__destroy(l); /* nothing stays half-attached */
		ret = cli_err("net attach %s: cannot pin the link at %s: %s", kinds[kind], pin,
			      strerror(-err));
		goto out;
	}
	print_attached(kinds[kind], ifname, &p, link_id_of(bee_link__fd(l)), pin);
	bee_link__disconnect(l);
	ret = EXIT_OK;
out:
	/* a namespace's pin directory made for an attach that failed */
	if (dir[0] && strstr(dir, "/bee/net/ns"))
		rmdir(dir);
	net_prog_free(&p);
	return ret;
}

static int do_detach(int argc, char **argv)
{
	const char *ifname = NULL, *pin = NULL;
	char path[4096], dir[4096];
	int kind, err, removed = 0;

	if (argc < 2)
		return cli_usage("net detach: expected ATTACH_TYPE dev IF");
	kind = parse_kind(argv[1]);
	if (kind < 0)
		return EXIT_USAGE;
	for (int i = 2; i < argc; i++) {
		if (cli_is(argv[i], "dev") && i + 1 < argc)
			ifname = argv[++i];
		else if (cli_is(argv[i], "pin") && i + 1 < argc)
			pin = argv[++i];
		else
			return cli_usage("net detach: unexpected '%s'", argv[i]);
	}
	if (!ifname)
		return cli_usage("net detach: missing 'dev IF'");
	if (!if_nametoindex(ifname))
		return cli_err("net detach %s: interface '%s' does not exist", kinds[kind], ifname);
	if (net_ns_pin_dir(dir, sizeof(dir)))
		return EXIT_FAIL;
	for (int k = 0; kinds[k]; k++) {
		/* "xdp" removes bee's XDP pins of every mode; the others their own */
		if (pin ? k != kind : !(k == kind || (kind == 0 && is_xdp(k))))
			continue;
		if (!pin && snprintf(path, sizeof(path), "%s/%s-%s", dir, ifname, kinds[k]) >=
				    (int)sizeof(path))
			return cli_err("net detach: pin path too long");
		err = net_unpin_detach(pin ? pin : path);
		if (err < 0)
			return cli_err("net detach %s: link pinned at %s: %s", kinds[kind],
				       pin ? pin : path, strerror(-err));
		removed += err;
	}
	if (strstr(dir, "/bee/net/ns"))
		rmdir(dir); /* made by this lookup, or emptied by it */
	if (pin && !removed)
		return cli_err("net detach %s: no link pinned at %s", kinds[kind], pin);
	if (!removed && is_xdp(kind)) {
		/* attached by someone else (ip link set ... xdp, another tool) */
		struct bee_net_prog np[16];
		int n = bee_net__query(if_nametoindex(ifname), np, 16), found = 0;

		for (int k = 0; k < n && k < 16; k++)
			found += !strcmp(np[k].kind, "xdp") &&
				 (!xdp_modes[kind] || !strcmp(np[k].mode, xdp_modes[kind]));
		if (!found)
			return cli_err("net detach %s: dev %s has no XDP program%s%s", kinds[kind],
				       ifname, xdp_modes[kind] ? " in mode " : "",
				       xdp_modes[kind] ? xdp_modes[kind] : "");
		err = xdp_modes[kind] ? bee_xdp__detach_mode(ifname, xdp_modes[kind]) :
					bee_xdp__detach(ifname);
		if (err)
			return cli_err("net detach %s: %s", kinds[kind], cli_strerr(err));
		removed = found;
	} else if (!removed) {
		err = bee_tc__detach_legacy(ifname, kind == 5);
		if (err < 0)
			return cli_err("net detach %s: %s", kinds[kind], cli_strerr(err));
		if (!err)
			return cli_err("net detach %s: dev %s has no program attached by bee and no "
				       "bpf filter there", kinds[kind], ifname);
		removed = err;
	}
	if (json_output) {
		struct bee_json j;

		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "dev", ifname);
		bee_json_kstr(&j, "attach_type", kinds[kind]);
		bee_json_kint(&j, "detached", removed);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("detached %s from dev %s (%d)\n", kinds[kind], ifname, removed);
	}
	return EXIT_OK;
}

static void list_one(struct bee_json *j, const char *ifname, int ifindex, int *rows)
{
	struct bee_net_prog np[128];
	int n = bee_net__query(ifindex, np, 128);

	for (int k = 0; k < n && k < 128; k++) {
		const struct bee_net_prog *e = &np[k];

		(*rows)++;
		if (j) {
			bee_json_obj_start(j);
			bee_json_kstr(j, "dev", ifname);
			bee_json_kint(j, "ifindex", ifindex);
			bee_json_kstr(j, "kind", e->kind);
			bee_json_kstr(j, !strcmp(e->kind, "xdp") ? "mode" : "direction", e->mode);
			bee_json_kuint(j, "prog_id", e->prog_id);
			bee_json_kstr(j, "name", e->name);
			if (e->link_id)
				bee_json_kuint(j, "link_id", e->link_id);
			if (!strcmp(e->kind, "tc")) {
				bee_json_kuint(j, "prio", e->prio);
				bee_json_kuint(j, "handle", e->handle);
				bee_json_kbool(j, "direct_action", e->direct_action);
			}
			bee_json_obj_end(j);
			continue;
		}
		printf("%s(%d) %s", ifname, ifindex, e->kind);
		printf(!strcmp(e->kind, "xdp") ? " %s" : "/%s", e->mode);
		printf(" id %u name %s", e->prog_id, e->name[0] ? e->name : "-");
		if (e->link_id)
			printf(" link %u", e->link_id);
		if (!strcmp(e->kind, "tc"))
			printf(" pref %u handle 0x%x%s", e->prio, e->handle,
			       e->direct_action ? " da" : "");
		printf("\n");
	}
}

static int do_list(int argc, char **argv)
{
	const char *dev = NULL;
	struct bee_json j;
	int rows = 0;

	for (int i = 1; i < argc; i++) {
		if (cli_is(argv[i], "dev") && i + 1 < argc)
			dev = argv[++i];
		else
			return cli_usage("net list: unexpected '%s'", argv[i]);
	}
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	if (dev) {
		int idx = if_nametoindex(dev);

		if (!idx)
			return cli_err("net list: interface '%s' does not exist", dev);
		list_one(json_output ? &j : NULL, dev, idx, &rows);
	} else {
		struct if_nameindex *ifs = if_nameindex();

		for (struct if_nameindex *p = ifs; p && p->if_index; p++)
			list_one(json_output ? &j : NULL, p->if_name, p->if_index, &rows);
		if_freenameindex(ifs);
	}
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	return EXIT_OK;
}

static int cmd_net(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "list", do_list },	 { "show", do_list }, { "attach", do_attach },
		{ "detach", do_detach }, {},
	};

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")))
		return help();
	if (argc < 2)
		return do_list(1, argv);
	return cli_dispatch(argc - 1, argv + 1, subs, help);
}

BEE_COMMAND("net", cmd_net, "XDP and TC programs on network interfaces (attach, detach, list)");
