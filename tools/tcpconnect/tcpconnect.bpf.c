// SPDX-License-Identifier: GPL-2.0
/*
 * tcpconnect: outgoing TCP connections from the tracepoint
 * sock:inet_sock_set_state. connect() moves a socket from TCP_CLOSE to
 * TCP_SYN_SENT in the caller's context, so pid and comm are the caller's;
 * the route (and so the source address) is chosen by then, the source port
 * is usually not yet (the record says 0 then).
 */
#include "bee/bee.bpf.h"
#include "tcpconnect.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

const volatile __u32 targ_pid = 0;
const volatile __u32 targ_uid = (__u32)-1;
const volatile __u16 targ_family = 0;
const volatile __u16 targ_ports[TCPCONNECT_MAX_PORTS] = {};

BPF_RINGBUF_OUTPUT(events, 16);
BEE_EVENT(events, struct tcpconnect_event);

static __always_inline bool port_wanted(__u16 port)
{
	if (!targ_ports[0])
		return true;
	for (int i = 0; i < TCPCONNECT_MAX_PORTS; i++) {
		if (!targ_ports[i])
			break;
		if (targ_ports[i] == port)
			return true;
	}
	return false;
}

SEC("tp/sock/inet_sock_set_state")
int tcp_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct tcpconnect_event ev = {}, *e = &ev;
	__u64 id;

	if (ctx->protocol != IPPROTO_TCP || ctx->oldstate != TCP_CLOSE ||
	    ctx->newstate != TCP_SYN_SENT)
		return 0;
	if (targ_family && ctx->family != targ_family)
		return 0;
	if (!port_wanted(ctx->dport))
		return 0;
	id = bpf_get_current_pid_tgid();
	if (targ_pid && (id >> 32) != targ_pid)
		return 0;
	if (targ_uid != (__u32)-1 && (__u32)bpf_get_current_uid_gid() != targ_uid)
		return 0;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->family = ctx->family;
	e->dport = ctx->dport;
	e->sport = ctx->sport;
	/* the verifier allows only fixed-offset loads from a tracepoint's
	 * context: copy the address arrays with a helper */
	if (ctx->family == AF_INET) {
		bpf_probe_read_kernel(e->saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(e->daddr, 4, ctx->daddr);
	} else {
		bpf_probe_read_kernel(e->saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(e->daddr, 16, ctx->daddr_v6);
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	events__ringbuf_output(e, sizeof(*e), 0);
	return 0;
}

BEE_GPL;
