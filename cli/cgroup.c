// SPDX-License-Identifier: GPL-2.0
/* bee cgroup: programs on cgroup v2 directories (device, skb, sock,
 * sock_addr, sockopt, sysctl), as `bpftool cgroup` has them.
 *
 * `attach` makes a kernel link and pins it at
 * <bpffs>/bee/cgroup/CGROUP_ID-ATTACH_TYPE-PROG_ID so it outlives the
 * command; with `legacy` or `override` it uses BPF_PROG_ATTACH, which
 * outlives it by itself. `detach` removes either. */
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "netcli.h"

static int help(void)
{
	printf("Usage: bee cgroup { list | show } CGROUP [effective]\n"
	       "       bee cgroup tree [CGROUP_ROOT]\n"
	       "       bee cgroup attach CGROUP ATTACH_TYPE PROG [multi | override] [legacy] [pin PATH]\n"
	       "       bee cgroup detach CGROUP ATTACH_TYPE PROG [pin PATH]\n"
	       "       bee cgroup help\n"
	       "\n"
	       "CGROUP := a cgroup v2 directory (absolute, or relative to the cgroup v2 mount)\n"
	       "ATTACH_TYPE := { ingress | egress | sock_create | sock_ops | device | bind4 | bind6 |\n"
	       "                 post_bind4 | post_bind6 | connect4 | connect6 | getpeername4 |\n"
	       "                 getpeername6 | getsockname4 | getsockname6 | sendmsg4 | sendmsg6 |\n"
	       "                 recvmsg4 | recvmsg6 | sysctl | getsockopt | setsockopt | ... }\n"
	       "              (any BPF_CGROUP_* name of the running kernel also works)\n"
	       "PROG := { id ID | pinned PATH | object FILE.o|FILE.bpf.c [sec SECTION | prog NAME] }\n"
	       "\n"
	       "attach makes a bpf_link (several programs may share the hook) pinned at\n"
	       "<bpffs>/bee/cgroup/CGROUP_ID-ATTACH_TYPE-PROG_ID (or PATH), so it outlives the command;\n"
	       "'legacy' uses BPF_PROG_ATTACH instead ('multi' and 'override' are its flags; override\n"
	       "implies legacy). detach removes either.\n");
	return EXIT_OK;
}

/* The cgroup directory as given, or under the cgroup v2 mount. */
static const char *cg_path(const char *arg, char *buf, size_t n)
{
	const char *root = bee_cgroup2_root();

	if (arg[0] == '/' || access(arg, F_OK) == 0 || !root)
		return arg;
	snprintf(buf, n, "%s/%s", root, arg);
	return access(buf, F_OK) == 0 ? buf : arg;
}

static uint64_t cg_id(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_ino;
}

/* 0, or -ENAMETOOLONG */
static int pin_path(char *out, size_t n, const char *dir, const char *path, const char *type,
		    uint32_t prog_id)
{
	int len = snprintf(out, n, "%s/%llu-%s-%u", dir, (unsigned long long)cg_id(path), type,
			   prog_id);

	return len >= (int)n ? -ENAMETOOLONG : 0;
}

static void print_rows(struct bee_json *j, const char *path, const struct bee_cgroup_prog *p,
		       int n, bool with_path)
{
	for (int i = 0; i < n; i++) {
		if (j) {
			bee_json_obj_start(j);
			if (with_path)
				bee_json_kstr(j, "cgroup", path);
			bee_json_kuint(j, "id", p[i].prog_id);
			bee_json_kstr(j, "attach_type", p[i].attach_type);
			bee_json_kstr(j, "attach_flags", p[i].attach_flags);
			bee_json_kstr(j, "name", p[i].name);
			if (p[i].link_id)
				bee_json_kuint(j, "link_id", p[i].link_id);
			bee_json_obj_end(j);
			continue;
		}
		if (with_path)
			printf("%s\n", path);
		printf("%s%-6u %-16s %-10s %s", with_path ? "    " : "", p[i].prog_id,
		       p[i].attach_type, p[i].attach_flags[0] ? p[i].attach_flags : "-",
		       p[i].name[0] ? p[i].name : "-");
		if (p[i].link_id)
			printf(" link %u", p[i].link_id);
		printf("\n");
	}
}

static int do_list(int argc, char **argv)
{
	struct bee_cgroup_prog p[256];
	bool effective = false;
	const char *path;
	char buf[4096];
	struct bee_json j;
	int n;

	if (argc < 2)
		return cli_usage("cgroup list: expected CGROUP");
	path = cg_path(argv[1], buf, sizeof(buf));
	for (int i = 2; i < argc; i++) {
		if (cli_is(argv[i], "effective"))
			effective = true;
		else
			return cli_usage("cgroup list: unexpected '%s'", argv[i]);
	}
	n = bee_cgroup__query(path, effective, p, 256);
	if (n < 0)
		return cli_err("cgroup list: %s", cli_strerr(n));
	n = n > 256 ? 256 : n;
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
		print_rows(&j, path, p, n, false);
		bee_json_arr_end(&j);
		bee_json_end(&j);
	} else {
		if (n)
			printf("%-6s %-16s %-10s %s\n", "ID", "AttachType", "AttachFlags", "Name");
		print_rows(NULL, path, p, n, false);
	}
	return EXIT_OK;
}

static struct bee_json *tree_json;

static int tree_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct bee_cgroup_prog p[64];
	int n;

	if (flag != FTW_D)
		return 0;
	n = bee_cgroup__query(path, false, p, 64);
	if (n > 0)
		print_rows(tree_json, path, p, n > 64 ? 64 : n, true);
	return 0;
}

static int do_tree(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : bee_cgroup2_root();
	struct bee_json j;
	char buf[4096];
	int err;

	if (argc > 2)
		return cli_usage("cgroup tree: unexpected '%s'", argv[2]);
	if (!root)
		return cli_err("cgroup tree: cgroup v2 is not mounted");
	root = argc > 1 ? cg_path(root, buf, sizeof(buf)) : root;
	if (bee_cgroup__check(root))
		return cli_err("cgroup tree: %s", cli_strerr(-EINVAL));
	tree_json = NULL;
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
		tree_json = &j;
	} else {
		printf("CgroupPath\n%-6s %-16s %-10s %s\n", "ID", "AttachType", "AttachFlags", "Name");
	}
	err = nftw(root, tree_visit, 16, FTW_PHYS | FTW_MOUNT);
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	return err ? cli_err("cgroup tree: cannot walk '%s'", root) : EXIT_OK;
}

static int do_attach(int argc, char **argv)
{
	struct net_prog_spec p = { .fd = -1 };
	const char *path, *type_name, *pin = NULL;
	unsigned flags = 0;
	char buf[4096], dir[4096], pbuf[4096];
	struct bee_link *l;
	int type, i = 3, ret, err;

	if (argc < 5)
		return cli_usage("cgroup attach: expected CGROUP ATTACH_TYPE PROG");
	path = cg_path(argv[1], buf, sizeof(buf));
	type_name = argv[2];
	type = bee_cgroup__attach_type(type_name);
	if (type < 0)
		return cli_usage("cgroup attach: unknown attach type '%s' (see 'bee cgroup help')",
				 type_name);
	if (bee_cgroup__check(path))
		return cli_err("cgroup attach: %s", cli_strerr(-EINVAL));
	ret = net_prog_parse(argc, argv, &i, bee_cgroup__prog_type(type), type, &p);
	if (ret)
		goto out;
	for (; i < argc; i++) {
		if (cli_is(argv[i], "multi"))
			flags |= BEE_CGROUP_MULTI;
		else if (cli_is(argv[i], "override"))
			flags |= BEE_CGROUP_OVERRIDE | BEE_CGROUP_LEGACY;
		else if (cli_is(argv[i], "legacy"))
			flags |= BEE_CGROUP_LEGACY;
		else if (cli_is(argv[i], "pin") && i + 1 < argc)
			pin = argv[++i];
		else {
			ret = cli_usage("cgroup attach: unexpected '%s'", argv[i]);
			goto out;
		}
	}
	if (!(flags & BEE_CGROUP_LEGACY) && !pin) {
		ret = net_pin_dir("cgroup", dir, sizeof(dir));
		if (ret)
			goto out;
		if (pin_path(pbuf, sizeof(pbuf), dir, path, type_name, p.id)) {
			ret = cli_err("cgroup attach: pin path too long");
			goto out;
		}
		pin = pbuf;
	}
	if (flags & BEE_CGROUP_LEGACY) {
		struct bee_cgroup_prog q[256];
		int n = bee_cgroup__query(path, false, q, 256);

		for (int k = 0; k < n && k < 256; k++) {
			if (q[k].prog_id == p.id && bee_cgroup__attach_type(q[k].attach_type) == type) {
				ret = cli_err("cgroup attach: prog id %u is already attached to %s at "
					      "%s", p.id, path, q[k].attach_type);
				goto out;
			}
		}
	} else if (access(pin, F_OK) == 0) {
		ret = cli_err("cgroup attach: prog id %u is already attached to %s at %s (pinned at "
			      "%s)", p.id, path, type_name, pin);
		goto out;
	}
	l = bee_cgroup__attach(p.fd, path, type_name, flags);
	if (!l) {
		ret = cli_err("cgroup attach: %s", cli_strerr(-errno));
		goto out;
	}
	if (bee_link__fd(l) >= 0) {
		err = bee_link__pin(l, pin);
		if (err) {
			bee_link__destroy(l);
			ret = cli_err("cgroup attach: cannot pin the link at %s: %s", pin,
				      strerror(-err));
			goto out;
		}
	} else {
		pin = NULL;
	}
	if (json_output) {
		struct bee_json j;

		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "cgroup", path);
		bee_json_kstr(&j, "attach_type", type_name);
		bee_json_kuint(&j, "prog_id", p.id);
		bee_json_kstr(&j, "prog_name", p.name);
		bee_json_kbool(&j, "legacy", !pin);
		if (pin)
			bee_json_kstr(&j, "pinned", pin);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("attached prog '%s' (id %u) to %s at %s%s%s\n", p.name, p.id, path, type_name,
		       pin ? ", link pinned at " : " (BPF_PROG_ATTACH)", pin ? pin : "");
	}
	bee_link__disconnect(l);
	ret = EXIT_OK;
out:
	net_prog_free(&p);
	return ret;
}

static int do_detach(int argc, char **argv)
{
	struct net_prog_spec p = { .fd = -1 };
	const char *path, *type_name, *user_pin = NULL;
	char buf[4096], dir[4096], pin[4096];
	int type, i = 3, ret, err;

	if (argc < 5)
		return cli_usage("cgroup detach: expected CGROUP ATTACH_TYPE PROG");
	path = cg_path(argv[1], buf, sizeof(buf));
	type_name = argv[2];
	type = bee_cgroup__attach_type(type_name);
	if (type < 0)
		return cli_usage("cgroup detach: unknown attach type '%s'", type_name);
	if (bee_cgroup__check(path))
		return cli_err("cgroup detach: %s", cli_strerr(-EINVAL));
	ret = net_prog_parse(argc, argv, &i, bee_cgroup__prog_type(type), type, &p);
	if (ret)
		goto out;
	if (i + 1 < argc && cli_is(argv[i], "pin")) {
		user_pin = argv[i + 1];
		i += 2;
	}
	if (i < argc) {
		ret = cli_usage("cgroup detach: unexpected '%s'", argv[i]);
		goto out;
	}
	ret = net_pin_dir("cgroup", dir, sizeof(dir));
	if (ret)
		goto out;
	err = user_pin ? 0 : pin_path(pin, sizeof(pin), dir, path, type_name, p.id);
	if (!err)
		err = net_unpin_detach(user_pin ? user_pin : pin);
	if (err == 0) /* not pinned by bee: BPF_PROG_ATTACH, or someone's link */
		err = bee_cgroup__detach(p.fd, path, type_name);
	if (err < 0) {
		ret = cli_err("cgroup detach: %s", cli_strerr(err));
		goto out;
	}
	if (json_output) {
		struct bee_json j;

		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "cgroup", path);
		bee_json_kstr(&j, "attach_type", type_name);
		bee_json_kuint(&j, "prog_id", p.id);
		bee_json_kbool(&j, "detached", true);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("detached prog id %u from %s at %s\n", p.id, path, type_name);
	}
	ret = EXIT_OK;
out:
	net_prog_free(&p);
	return ret;
}

static int cmd_cgroup(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "list", do_list },	 { "show", do_list },	  { "tree", do_tree },
		{ "attach", do_attach }, { "detach", do_detach }, {},
	};

	if (argc < 2)
		return help(), EXIT_USAGE;
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return help();
	return cli_dispatch(argc - 1, argv + 1, subs, help);
}

BEE_COMMAND("cgroup", cmd_cgroup, "programs on cgroup v2 directories (attach, detach, list, tree)");
