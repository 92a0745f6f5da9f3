// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bee_obj__attach()'s hook for network and cgroup programs: the section
 * name says where a program goes (xdp, tc/ingress, cgroup/dev, ...), the
 * object's targets (--dev, --cgroup) say on what. */
#include <stdio.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "netpriv.h"

static bool sec_is(const char *sec, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(sec, name, n) && (sec[n] == 0 || sec[n] == '/');
}

bool bee_net_prog_fixup(struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (bpf_program__type(prog) != BPF_PROG_TYPE_UNSPEC || !sec)
		return false;
	/* Newer libbpf's and iproute2's names that libbpf 1.1 does not know. */
	if (sec_is(sec, "tc") || sec_is(sec, "tcx") || !strcmp(sec, "ingress") ||
	    !strcmp(sec, "egress") || sec_is(sec, "classifier")) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_SCHED_CLS);
		return true;
	}
	if (sec_is(sec, "xdp")) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
		return true;
	}
	return false;
}

static bool sec_egress(const char *sec)
{
	return strstr(sec, "egress") != NULL;
}

int bee_attach_net_prog(struct bpf_program *prog, const char *dev, const char *xdp_mode,
			const char *cgroup, struct bee_link **out)
{
	const char *sec = bpf_program__section_name(prog);
	const char *name = bpf_program__name(prog);
	enum bpf_prog_type type = bpf_program__type(prog);
	int fd = bpf_program__fd(prog);
	const char *cg_type = NULL;
	struct bee_link *l;

	*out = NULL;
	if (!sec)
		return 0;
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		/* xdp/devmap and xdp/cpumap programs run from maps, not devices */
		if (strcmp(sec, "xdp") && strcmp(sec, "xdp.frags") && !sec_is(sec, "xdp"))
			return 0;
		if (strstr(sec, "devmap") || strstr(sec, "cpumap"))
			return 0;
		if (!dev || !*dev) {
			pr_err("prog '%s': SEC(\"%s\") needs a network device (--dev IF)", name, sec);
			return -ENODEV;
		}
		l = bee_xdp__attach(fd, dev, xdp_mode);
		break;
	case BPF_PROG_TYPE_SCHED_CLS:
		if (!sec_is(sec, "tc") && !sec_is(sec, "tcx") && !sec_is(sec, "classifier") &&
		    strcmp(sec, "ingress") && strcmp(sec, "egress"))
			return 0;
		if (!dev || !*dev) {
			pr_err("prog '%s': SEC(\"%s\") needs a network device (--dev IF)", name, sec);
			return -ENODEV;
		}
		l = bee_tc__attach(fd, dev, sec_egress(sec));
		break;
	case BPF_PROG_TYPE_CGROUP_SKB:
		if (!strcmp(sec, "cgroup_skb/ingress"))
			cg_type = "ingress";
		else if (!strcmp(sec, "cgroup_skb/egress"))
			cg_type = "egress";
		else
			return 0; /* "cgroup/skb" names no direction */
		goto cgroup;
	case BPF_PROG_TYPE_CGROUP_DEVICE:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
	case BPF_PROG_TYPE_CGROUP_SYSCTL:
	case BPF_PROG_TYPE_SOCK_OPS:
		if (!strcmp(sec, "cgroup/sock") || !strncmp(sec, "sockops", 7))
			cg_type = !strcmp(sec, "cgroup/sock") ? "sock_create" : "sock_ops";
		else if (!strncmp(sec, "cgroup/", 7))
			cg_type = bee_enum_name("bpf_attach_type",
						bpf_program__expected_attach_type(prog), NULL);
		if (!cg_type)
			return 0;
		goto cgroup;
	default:
		/* socket filters are attached to a socket by the caller */
		return 0;
	}
	goto done;

cgroup:
	if (!cgroup || !*cgroup) {
		pr_err("prog '%s': SEC(\"%s\") needs a cgroup (--cgroup PATH)", name, sec);
		return -ENODEV;
	}
	{
		char tn[64];

		/* copy: the enum name lives in a static buffer the attach reuses */
		snprintf(tn, sizeof(tn), "%s", cg_type);
		l = bee_cgroup__attach(fd, cgroup, tn, 0);
	}
done:
	/* -ENODEV tells the caller a target was missing; a device that was
	 * given but does not exist is a failure of its own (logged) */
	if (!l)
		return errno == ENODEV ? -ENXIO : -errno;
	*out = l;
	return 1;
}
