/* SPDX-License-Identifier: GPL-2.0 */
/* tcpconnect: the record shared by the BPF side and bee. */
#ifndef BEE_TOOL_TCPCONNECT_H
#define BEE_TOOL_TCPCONNECT_H

#define TCPCONNECT_MAX_PORTS 8

struct tcpconnect_event {
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u16 family;     /* AF_INET or AF_INET6 */
	__u16 dport;      /* host order */
	__u16 sport;      /* host order; 0 while the kernel has not picked it */
	__u16 pad;
	__u8 saddr[16];   /* IPv4: the first 4 bytes */
	__u8 daddr[16];
	char comm[16];
};

#endif
