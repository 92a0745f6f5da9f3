// SPDX-License-Identifier: GPL-2.0
/*
 * bashreadline: the seed's attach_uretprobe(name="/usr/bin/bash",
 * sym="readline"): when readline() returns, its return value is the line
 * the user typed. bee attaches the probe (bashreadline.c) to the shell
 * binary it resolves, or to libreadline when the shell links it.
 */
#include "bee/bee.bpf.h"
#include "bashreadline.h"

BPF_RINGBUF_OUTPUT(events, 16);
BEE_EVENT(events, struct bashreadline_event);

SEC("uretprobe")
int BPF_KRETPROBE(readline_return, const char *line)
{
	struct bashreadline_event *e;

	if (!line)
		return 0; /* EOF (Ctrl-D) */
	e = events__reserve(sizeof(*e));
	if (!e)
		return 0;
	e->pid = bee_pid();
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (bpf_probe_read_user_str(e->line, sizeof(e->line), line) < 0)
		e->line[0] = 0;
	/* readline's ring buffer reservation is flushed right away: an
	 * interactive line is rare and someone is waiting to see it */
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

BEE_GPL;
