/* SPDX-License-Identifier: GPL-2.0 */
/* bashreadline: the record shared by the BPF side and bee. */
#ifndef BEE_TOOL_BASHREADLINE_H
#define BEE_TOOL_BASHREADLINE_H

#define BASHREADLINE_LINE_SZ 256

struct bashreadline_event {
	__u32 pid;
	__u32 uid;
	char comm[16];
	char line[BASHREADLINE_LINE_SZ];  /* cut at 255 bytes */
};

#endif
