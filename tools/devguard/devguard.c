// SPDX-License-Identifier: GPL-2.0
/* bee devguard: allow or deny device access (type, major:minor, read /
 * write / mknod) for the processes of one cgroup, with a cgroup device
 * program held by a bpf_link: the policy lasts while devguard runs (for
 * --duration, until Ctrl-C, or for the life of `-- COMMAND`, which runs
 * inside the cgroup) and goes with it, even after kill -9. Denials are
 * printed as they happen. For a policy that outlives the command, attach the
 * object with `bee cgroup attach CGROUP device ...`. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../common/cgtool.h"

#define DG_ANY 0xffffffffu

struct dg_key {
	uint32_t type, major, minor;
};

struct dg_rule {
	uint32_t allow, deny;
};

struct dg_event {
	uint32_t pid, type, major, minor, access;
	char comm[16];
};

static int help(void)
{
	printf("Usage: bee devguard --cgroup CGROUP RULE... [--default allow|deny]\n"
	       "                    [--duration SECONDS] [-- COMMAND [ARGS]]\n"
	       "RULE := { --deny | --allow } TYPE MAJOR:MINOR ACCESS\n"
	       "TYPE := { c | b | a }   MAJOR, MINOR := { NUMBER | * }   ACCESS := any of r w m\n"
	       "\n"
	       "Guards the devices of a cgroup v2's processes: the most specific rule decides\n"
	       "(device, then major:*, then type, then a *), else the default (allow).\n"
	       "Denied opens and mknods fail with EPERM and are printed.\n"
	       "With -- COMMAND, COMMAND runs inside the cgroup and devguard exits with its status.\n"
	       "\n"
	       "Example: bee devguard --cgroup /sys/fs/cgroup/unified/box --deny c 1:3 rw -- cat /dev/null\n");
	return EXIT_OK;
}

static int parse_num(const char *s, uint32_t *v)
{
	char *end;

	if (!strcmp(s, "*")) {
		*v = DG_ANY;
		return 0;
	}
	*v = strtoul(s, &end, 10);
	return *end || end == s ? -1 : 0;
}

static int parse_rule(char **a, struct dg_key *k, uint32_t *acc)
{
	char maj[32], min[32];

	if (!strcmp(a[0], "c"))
		k->type = 2;
	else if (!strcmp(a[0], "b"))
		k->type = 1;
	else if (!strcmp(a[0], "a"))
		k->type = DG_ANY;
	else
		return cli_usage("devguard: device type '%s' is not c, b or a", a[0]);
	if (sscanf(a[1], "%31[^:]:%31s", maj, min) != 2 || parse_num(maj, &k->major) ||
	    parse_num(min, &k->minor))
		return cli_usage("devguard: '%s' is not MAJOR:MINOR (numbers or *)", a[1]);
	*acc = 0;
	for (const char *p = a[2]; *p; p++) {
		if (*p == 'm')
			*acc |= 1;
		else if (*p == 'r')
			*acc |= 2;
		else if (*p == 'w')
			*acc |= 4;
		else
			return cli_usage("devguard: access '%s' is not made of r, w and m", a[2]);
	}
	if (!*acc)
		return cli_usage("devguard: empty access");
	return 0;
}

static void access_str(uint32_t a, char *out)
{
	int n = 0;

	if (a & 2)
		out[n++] = 'r';
	if (a & 4)
		out[n++] = 'w';
	if (a & 1)
		out[n++] = 'm';
	out[n] = 0;
}

static int on_event(void *ctx, int cpu, const void *data, size_t size)
{
	const struct dg_event *e = data;
	char acc[4];

	if (size < sizeof(*e))
		return 0;
	access_str(e->access, acc);
	if (json_output) {
		struct bee_json j;

		bee_json_init(&j, stdout, false);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "verdict", "deny");
		bee_json_kuint(&j, "pid", e->pid);
		bee_json_key(&j, "comm");
		bee_json_stringn(&j, e->comm, sizeof(e->comm));
		bee_json_kstr(&j, "type", e->type == 2 ? "c" : "b");
		bee_json_kuint(&j, "major", e->major);
		bee_json_kuint(&j, "minor", e->minor);
		bee_json_kstr(&j, "access", acc);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("DENY pid %u comm %.16s %c %u:%u %s\n", e->pid, e->comm,
		       e->type == 2 ? 'c' : 'b', e->major, e->minor, acc);
	}
	fflush(stdout);
	return 0;
}

static int devguard_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },  { "deny", no_argument, NULL, 'D' },
		{ "allow", no_argument, NULL, 'A' },         { "default", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{},
	};
	struct { struct dg_key k; struct dg_rule r; } rules[64];
	const char *cgroup = NULL;
	bool default_deny = false;
	double duration = 0;
	struct bee_events *ev = NULL;
	struct bee_obj *obj = NULL;
	struct bee_link *l = NULL;
	int nrules = 0, c, ret = EXIT_FAIL, err, status = 0;
	pid_t child = 0;
	const void *buf;
	size_t size;

	optind = 0; /* bee's own options were parsed with getopt too: start afresh */
	while ((c = getopt_long(argc, argv, "+c:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
			break;
		case 'D':
		case 'A': {
			uint32_t acc = 0;

			if (optind + 3 > argc)
				return cli_usage("devguard: --%s needs TYPE MAJOR:MINOR ACCESS",
						 c == 'D' ? "deny" : "allow");
			if (nrules == 64)
				return cli_usage("devguard: at most 64 rules");
			memset(&rules[nrules], 0, sizeof(rules[nrules]));
			if (parse_rule(argv + optind, &rules[nrules].k, &acc))
				return EXIT_USAGE;
			/* the same device may be named in an allow and a deny */
			for (int i = 0; i < nrules; i++)
				if (!memcmp(&rules[i].k, &rules[nrules].k, sizeof(rules[i].k))) {
					*(c == 'D' ? &rules[i].r.deny : &rules[i].r.allow) |= acc;
					acc = 0;
				}
			if (acc) {
				*(c == 'D' ? &rules[nrules].r.deny : &rules[nrules].r.allow) = acc;
				nrules++;
			}
			optind += 3;
			break;
		}
		case 'f':
			if (strcmp(optarg, "allow") && strcmp(optarg, "deny"))
				return cli_usage("devguard: --default is allow or deny, not '%s'", optarg);
			default_deny = !strcmp(optarg, "deny");
			break;
		case 't':
			duration = atof(optarg);
			if (duration <= 0)
				return cli_usage("devguard: --duration '%s' is not a positive number", optarg);
			break;
		case 'h':
			return help();
		default:
			return cgtool_bad_option("devguard", argv);
		}
	}
	if (!cgroup)
		return cli_usage("devguard: --cgroup CGROUP is required");
	if (!nrules && !default_deny)
		return cli_usage("devguard: no rule given (--deny or --allow)");
	if (bee_cgroup__check(cgroup))
		return cli_err("devguard: %s", cli_strerr(-EINVAL));
	buf = cli_embedded("devguard", &size);
	if (!buf)
		return cli_err("devguard: BPF object not embedded in this build");
	obj = bee_obj__open_mem(buf, size, "devguard", NULL);
	if (!obj)
		return cli_err("devguard: %s", cli_strerr(-errno));
	err = bee_obj__set_var(obj, "default_deny", default_deny ? "true" : "false");
	if (!err)
		err = bee_obj__load(obj);
	if (err) {
		ret = cli_err("devguard: %s", cli_strerr(err));
		goto out;
	}
	for (int i = 0; i < nrules; i++)
		if (bpf_map_update_elem(bee_obj__map_fd(obj, "rules"), &rules[i].k, &rules[i].r, 0)) {
			ret = cli_err("devguard: cannot store rule %d: %s", i + 1, strerror(errno));
			goto out;
		}
	ev = bee_events__new(NULL);
	if (!ev || bee_events__add(ev, obj, "events", on_event, NULL)) {
		ret = cli_err("devguard: cannot read events: %s", cli_strerr(-errno));
		goto out;
	}
	l = bee_cgroup__attach(bee_obj__prog_fd(obj, "devguard"), cgroup, "device", 0);
	if (!l) {
		ret = cli_err("devguard: %s", cli_strerr(-errno));
		goto out;
	}
	if (!json_output)
		fprintf(stderr, "devguard: %d rule%s on %s (default %s)%s\n", nrules,
			nrules == 1 ? "" : "s", cgroup, default_deny ? "deny" : "allow",
			optind < argc ? "" : duration ? "" : ", Ctrl-C to stop");
	ret = cgtool_follow("devguard", cgroup, ev, duration, optind < argc ? argv + optind : NULL,
			    &child, &status);
	if (ret)
		goto out;
	ret = optind < argc ? net_wait_status(status) : EXIT_OK;
out:
	cgtool_stop_child(child);
	bee_link__destroy(l);
	bee_events__free(ev);
	bee_obj__close(obj);
	return ret;
}

BEE_TOOL("devguard", devguard_main, "allow or deny device access for the processes of a cgroup");
