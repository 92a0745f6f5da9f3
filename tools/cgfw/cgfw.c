// SPDX-License-Identifier: GPL-2.0
/* bee cgfw: deny egress to ports or destinations for the processes of one
 * cgroup. connect() and sendto()/sendmsg() to a denied port or address
 * fail with EPERM inside the cgroup; everything outside it is untouched.
 * The programs are held by bpf_links: the rules last while cgfw runs (for
 * --duration, until Ctrl-C, or for the life of `-- COMMAND`, run inside
 * the cgroup) and go with it, even after kill -9. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../common/cgtool.h"

struct fw_event {
	uint32_t pid;
	uint16_t family, port;
	uint8_t daddr[16];
	uint8_t op, pad[3];
	char comm[16];
};

static const char *const progs[] = { "cgfw_connect4", "cgfw_connect6", "cgfw_sendmsg4",
				     "cgfw_sendmsg6", "cgfw_egress" };
static const char *const hooks[] = { "connect4", "connect6", "sendmsg4", "sendmsg6", "egress" };
#define NPROGS 5

static int help(void)
{
	printf("Usage: bee cgfw --cgroup CGROUP { --deny-port PORT | --deny-ip ADDR }...\n"
	       "                [--duration SECONDS] [-- COMMAND [ARGS]]\n"
	       "\n"
	       "Processes of the cgroup v2 CGROUP get EPERM from connect() and sendto() to a\n"
	       "denied TCP/UDP port or IPv4/IPv6 address; other processes are not affected.\n"
	       "Each denial is printed. With -- COMMAND, COMMAND runs inside the cgroup and\n"
	       "cgfw exits with its status.\n"
	       "\n"
	       "Example: bee cgfw --cgroup /sys/fs/cgroup/unified/app --deny-port 25 -- ./app\n");
	return EXIT_OK;
}

static int on_event(void *ctx, int cpu, const void *data, size_t size)
{
	const struct fw_event *e = data;
	char addr[INET6_ADDRSTRLEN] = "?";

	if (size < sizeof(*e))
		return 0;
	inet_ntop(e->family == 10 ? AF_INET6 : AF_INET, e->daddr, addr, sizeof(addr));
	if (json_output) {
		struct bee_json j;

		bee_json_init(&j, stdout, false);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "verdict", "deny");
		bee_json_kstr(&j, "op", e->op == 1 ? "connect" : "sendmsg");
		bee_json_kuint(&j, "pid", e->pid);
		bee_json_key(&j, "comm");
		bee_json_stringn(&j, e->comm, sizeof(e->comm));
		bee_json_kstr(&j, "daddr", addr);
		bee_json_kuint(&j, "dport", e->port);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("DENY %s pid %u comm %.16s %s%s%s port %u\n",
		       e->op == 1 ? "connect" : "sendmsg", e->pid, e->comm,
		       e->family == 10 ? "[" : "", addr, e->family == 10 ? "]" : "", e->port);
	}
	fflush(stdout);
	return 0;
}

static int cgfw_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },   { "deny-port", required_argument, NULL, 'p' },
		{ "deny-ip", required_argument, NULL, 'i' },  { "duration", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },           {},
	};
	uint16_t ports[64];
	uint32_t ip4[64];
	struct in6_addr ip6[64];
	int np = 0, n4 = 0, n6 = 0, c, ret = EXIT_FAIL, err, status = 0;
	struct bee_link *links[NPROGS] = {};
	const char *cgroup = NULL;
	struct bee_events *ev = NULL;
	struct bee_obj *obj = NULL;
	double duration = 0;
	pid_t child = 0;
	const void *buf;
	size_t size;
	uint8_t one = 1;

	optind = 0; /* bee's own options were parsed with getopt too: start afresh */
	while ((c = getopt_long(argc, argv, "+c:p:i:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
			break;
		case 'p': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 65535)
				return cli_usage("cgfw: port '%s' is not 1..65535", optarg);
			if (np == 64)
				return cli_usage("cgfw: at most 64 ports");
			ports[np++] = v;
			break;
		}
		case 'i':
			if (n4 < 64 && inet_pton(AF_INET, optarg, &ip4[n4]) == 1)
				n4++;
			else if (n6 < 64 && inet_pton(AF_INET6, optarg, &ip6[n6]) == 1)
				n6++;
			else
				return cli_usage("cgfw: '%s' is not an IPv4 or IPv6 address", optarg);
			break;
		case 't':
			duration = atof(optarg);
			if (duration <= 0)
				return cli_usage("cgfw: --duration '%s' is not a positive number", optarg);
			break;
		case 'h':
			return help();
		default:
			return cgtool_bad_option("cgfw", argv);
		}
	}
	if (!cgroup)
		return cli_usage("cgfw: --cgroup CGROUP is required");
	if (!np && !n4 && !n6)
		return cli_usage("cgfw: nothing to deny (--deny-port or --deny-ip)");
	if (bee_cgroup__check(cgroup))
		return cli_err("cgfw: %s", cli_strerr(-EINVAL));
	buf = cli_embedded("cgfw", &size);
	if (!buf)
		return cli_err("cgfw: BPF object not embedded in this build");
	obj = bee_obj__open_mem(buf, size, "cgfw", NULL);
	if (!obj)
		return cli_err("cgfw: %s", cli_strerr(-errno));
	err = bee_obj__load(obj);
	if (err) {
		ret = cli_err("cgfw: %s", cli_strerr(err));
		goto out;
	}
	for (int i = 0; i < np; i++)
		bpf_map_update_elem(bee_obj__map_fd(obj, "deny_ports"), &ports[i], &one, 0);
	for (int i = 0; i < n4; i++)
		bpf_map_update_elem(bee_obj__map_fd(obj, "deny_ip4"), &ip4[i], &one, 0);
	for (int i = 0; i < n6; i++)
		bpf_map_update_elem(bee_obj__map_fd(obj, "deny_ip6"), &ip6[i], &one, 0);
	ev = bee_events__new(NULL);
	if (!ev || bee_events__add(ev, obj, "events", on_event, NULL)) {
		ret = cli_err("cgfw: cannot read events: %s", cli_strerr(-errno));
		goto out;
	}
	for (int i = 0; i < NPROGS; i++) {
		links[i] = bee_cgroup__attach(bee_obj__prog_fd(obj, progs[i]), cgroup, hooks[i], 0);
		if (!links[i]) {
			ret = cli_err("cgfw: %s", cli_strerr(-errno));
			goto out;
		}
	}
	if (!json_output)
		fprintf(stderr, "cgfw: denying %d port%s and %d address%s for %s\n", np,
			np == 1 ? "" : "s", n4 + n6, n4 + n6 == 1 ? "" : "es", cgroup);
	ret = cgtool_follow("cgfw", cgroup, ev, duration, optind < argc ? argv + optind : NULL,
			    &child, &status);
	if (ret)
		goto out;
	if (!json_output) {
		uint64_t pk = 0, by = 0;
		uint32_t k = 0;

		bpf_map_lookup_elem(bee_obj__map_fd(obj, "egress_stats"), &k, &pk);
		k = 1;
		bpf_map_lookup_elem(bee_obj__map_fd(obj, "egress_stats"), &k, &by);
		fprintf(stderr, "cgfw: the cgroup sent %llu packets (%llu bytes)\n",
			(unsigned long long)pk, (unsigned long long)by);
	}
	ret = optind < argc ? net_wait_status(status) : EXIT_OK;
out:
	cgtool_stop_child(child);
	for (int i = 0; i < NPROGS; i++)
		bee_link__destroy(links[i]);
	bee_events__free(ev);
	bee_obj__close(obj);
	return ret;
}

BEE_TOOL("cgfw", cgfw_main, "cgroup firewall: deny egress to ports or addresses for one cgroup");
