// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The seed's XDP flow as a C program on bee's API:
 *
 *   b = BPF(src_file="xdp-example.bpf.c")   bee_obj__open_file() (compiles) + bee_obj__load()
 *   fn = b.load_func("xdp_count", BPF.XDP)  bee_obj__prog_fd(obj, "xdp_count")
 *   b.attach_xdp("eth0", fn, flags)         bee_xdp__attach(fd, "eth0", mode)
 *   ... read the counters ...
 *   b.remove_xdp("eth0")                    bee_xdp__detach("eth0")
 *
 * Usage: xdp_example [-m generic|driver] [-t SECONDS] [-P PROTO] [-p PORT]
 *                    [-f FILE.bpf.c|FILE.o] [-j] IFACE
 * Prints one line per protocol seen ("proto ipv4/icmp packets N bytes N
 * dropped N"), or one JSON array with -j.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bee/bee.h"

struct proto_key {
	uint16_t eth_proto;
	uint8_t ip_proto;
	uint8_t pad;
};

struct proto_stats {
	uint64_t packets, bytes, dropped;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static const char *proto_name(const struct proto_key *k, char *buf, size_t n)
{
	const char *l3 = k->eth_proto == 0x0800 ? "ipv4" : k->eth_proto == 0x86dd ? "ipv6" :
			 k->eth_proto == 0x0806 ? "arp" : NULL;
	const char *l4 = k->ip_proto == 1 ? "icmp" : k->ip_proto == 6 ? "tcp" :
			 k->ip_proto == 17 ? "udp" : k->ip_proto == 58 ? "icmpv6" : NULL;

	if (!l3)
		snprintf(buf, n, "0x%04x", k->eth_proto);
	else if (k->eth_proto == 0x0806)
		snprintf(buf, n, "%s", l3);
	else if (l4)
		snprintf(buf, n, "%s/%s", l3, l4);
	else
		snprintf(buf, n, "%s/%u", l3, k->ip_proto);
	return buf;
}

/* Sum the per-CPU values of every key and print them. */
static int print_counters(int map_fd, bool json)
{
	int ncpu = libbpf_num_possible_cpus();
	struct proto_stats *vals;
	struct proto_key key, next;
	bool first = true, have = false;
	char name[32];

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (json)
		printf("[");
	while (bpf_map_get_next_key(map_fd, have ? &key : NULL, &next) == 0) {
		struct proto_stats sum = {};

		key = next;
		have = true;
		if (bpf_map_lookup_elem(map_fd, &key, vals))
			continue;
		for (int c = 0; c < ncpu; c++) {
			sum.packets += vals[c].packets;
			sum.bytes += vals[c].bytes;
			sum.dropped += vals[c].dropped;
		}
		proto_name(&key, name, sizeof(name));
		if (json)
			printf("%s{\"proto\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"dropped\":%llu}",
			       first ? "" : ",", name, (unsigned long long)sum.packets,
			       (unsigned long long)sum.bytes, (unsigned long long)sum.dropped);
		else
			printf("proto %-12s packets %-8llu bytes %-10llu dropped %llu\n", name,
			       (unsigned long long)sum.packets, (unsigned long long)sum.bytes,
			       (unsigned long long)sum.dropped);
		first = false;
	}
	if (json)
		printf("]\n");
	free(vals);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "Usage: xdp_example [-m generic|driver|offload] [-t SECONDS] [-P PROTO] "
			"[-p PORT] [-f FILE] [-j] IFACE\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode = NULL, *file = "examples/xdp-example.bpf.c", *proto = NULL, *port = NULL;
	double seconds = 0;
	bool json = false;
	struct bee_obj *obj;
	struct bee_link *link;
	int c, fd, err = 1;

	while ((c = getopt(argc, argv, "m:t:P:p:f:jh")) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 't': seconds = atof(optarg); break;
		case 'P': proto = optarg; break;
		case 'p': port = optarg; break;
		case 'f': file = optarg; break;
		case 'j': json = true; break;
		default: return usage();
		}
	}
	if (optind != argc - 1)
		return usage();

	/* BPF(src_file=...): compile (cached) and open */
	obj = bee_obj__open_file(file, NULL);
	if (!obj) {
		fprintf(stderr, "xdp_example: %s\n", bee_last_error());
		return 1;
	}
	if ((proto && bee_obj__set_var(obj, "drop_proto", proto)) ||
	    (port && bee_obj__set_var(obj, "drop_port", port))) {
		fprintf(stderr, "xdp_example: %s\n", bee_last_error());
		goto out_close;
	}
	/* load_func("xdp_count", BPF.XDP) */
	if (bee_obj__load(obj)) {
		fprintf(stderr, "xdp_example: %s\n", bee_last_error());
		goto out_close;
	}
	fd = bee_obj__prog_fd(obj, "xdp_count");
	/* attach_xdp(dev, fn, flags) */
	link = bee_xdp__attach(fd, argv[optind], mode);
	if (!link) {
		fprintf(stderr, "xdp_example: %s\n", bee_last_error());
		goto out_close;
	}
	if (!json)
		fprintf(stderr, "attached %s; counting%s\n", bee_link__desc(link),
			seconds ? "" : ", Ctrl-C to stop");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (double t = 0; !stop && (!seconds || t < seconds); t += 0.1)
		usleep(100000);
	print_counters(bee_obj__map_fd(obj, "counters"), json);
	/* remove_xdp(dev): whatever XDP program the device has goes, ours by
	 * detaching its link; destroying the link then only frees it. */
	err = bee_xdp__detach(argv[optind]) ? 1 : 0;
	if (err)
		fprintf(stderr, "xdp_example: %s\n", bee_last_error());
	bee_link__destroy(link);
out_close:
	bee_obj__close(obj);
	return err;
}
