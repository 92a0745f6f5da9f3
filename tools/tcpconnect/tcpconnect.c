// SPDX-License-Identifier: GPL-2.0
/*
 * bee tcpconnect: outgoing TCP connections (IPv4 and IPv6) with pid, comm,
 * addresses and destination port, from the sock:inet_sock_set_state
 * tracepoint (tcpconnect.bpf.c), so it needs no kprobes. Addresses are
 * printed as text here; filters are const volatile globals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>

#include "../common/tool.h"
#include "tcpconnect.h"

static int usage(void)
{
	printf("Usage: bee tcpconnect [OPTIONS]\n"
	       "\n"
	       "Trace outgoing TCP connections (connect() putting a socket in SYN_SENT),\n"
	       "IPv4 and IPv6: pid, comm, source and destination address, destination port.\n"
	       "The source port is shown when the kernel had chosen it already (bind()\n"
	       "before connect()), else 0.\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -p, --pid PID       only process PID\n"
	       "  -u, --uid UID       only user UID\n"
	       "  -P, --port PORT     only this destination port (repeatable, up to %d)\n"
	       "  -4, --ipv4          only IPv4\n"
	       "  -6, --ipv6          only IPv6\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          one JSON object per line:\n"
	       "                      {\"type\":\"event\",\"map\":\"events\",\"data\":{\"pid\":..,\n"
	       "                      \"tid\":..,\"uid\":..,\"comm\":..,\"ip\":4|6,\"saddr\":..,\n"
	       "                      \"daddr\":..,\"sport\":..,\"dport\":..}}\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n",
	       TCPCONNECT_MAX_PORTS);
	return EXIT_OK;
}

static int print_event(void *ctx, const char *map, const void *data, size_t size, FILE *out)
{
	struct tcpconnect_event e;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], comm[17];
	int af;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	af = e.family == AF_INET6 ? AF_INET6 : AF_INET;
	if (!inet_ntop(af, e.saddr, saddr, sizeof(saddr)))
		snprintf(saddr, sizeof(saddr), "?");
	if (!inet_ntop(af, e.daddr, daddr, sizeof(daddr)))
		snprintf(daddr, sizeof(daddr), "?");
	memcpy(comm, e.comm, 16);
	comm[16] = 0;
	if (json_output) {
		struct bee_json j;

		tool_json_event_begin(&j, out, map);
		bee_json_kuint(&j, "pid", e.pid);
		bee_json_kuint(&j, "tid", e.tid);
		bee_json_kuint(&j, "uid", e.uid);
		bee_json_kstr(&j, "comm", comm);
		bee_json_kint(&j, "ip", af == AF_INET6 ? 6 : 4);
		bee_json_kstr(&j, "saddr", saddr);
		bee_json_kstr(&j, "daddr", daddr);
		bee_json_kuint(&j, "sport", e.sport);
		bee_json_kuint(&j, "dport", e.dport);
		tool_json_event_end(&j);
		return 1;
	}
	/* IPv4 widths; a long IPv6 address pushes the columns after it */
	fprintf(out, "%-7u %-16s %-2d %-16s %-16s %u\n", e.pid, comm, af == AF_INET6 ? 6 : 4, saddr,
		daddr, e.dport);
	/* each line as it happens, also into a pipe (the runner buffers) */
	fflush(out);
	return 1;
}

static int do_tcpconnect(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "pid", required_argument, NULL, 'p' },   { "uid", required_argument, NULL, 'u' },
		{ "port", required_argument, NULL, 'P' },  { "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },        { "duration", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },        { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },        {},
	};
	struct tool_cmd t = { .name = "tcpconnect", .usage = usage };
	char ports[128] = "";
	bool by_uid = false;
	unsigned long v, uid;
	size_t plen = 0;
	int c, nports = 0, family = 0, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	while ((c = getopt_long(argc, argv, ":p:u:P:46jqh", lopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			if (tool_parse_uint("tcpconnect", "--uid", optarg, 0xfffffffe, &uid))
				return EXIT_USAGE;
			by_uid = true;
			break;
		case 'P':
			if (tool_parse_uint("tcpconnect", "--port", optarg, 65535, &v) || !v)
				return v ? EXIT_USAGE :
					   cli_usage("tcpconnect: --port %s: want a port from 1 to 65535",
						     optarg);
			if (nports == TCPCONNECT_MAX_PORTS)
				return cli_usage("tcpconnect: at most %d ports", TCPCONNECT_MAX_PORTS);
			plen += snprintf(ports + plen, sizeof(ports) - plen, "%s%lu",
					 nports ? "," : "", v);
			nports++;
			break;
		case '4':
			family = AF_INET;
			break;
		case '6':
			family = AF_INET6;
			break;
		default:
			code = tool_common_option(&t, c, argc, argv);
			if (code != TOOL_GO_ON)
				return code;
		}
	}
	code = tool_no_more_args(&t, argc, argv, optind);
	if (code)
		return code;
	if (t.pid)
		tool_set(&t, "targ_pid=%d", (int)t.pid);
	if (by_uid)
		tool_set(&t, "targ_uid=%lu", uid);
	if (family)
		tool_set(&t, "targ_family=%d", family);
	if (nports)
		tool_set(&t, "targ_ports=[%s]", ports);
	t.run.no_maps = true;
	t.run.no_trace = true;
	t.run.print_event = print_event;
	t.run.header = "PID     COMM             IP SADDR            DADDR            DPORT";
	return tool_run(&t, t.pid);
}

BEE_TOOL("tcpconnect", do_tcpconnect, "trace outgoing TCP connections: pid, comm, addresses, port");
