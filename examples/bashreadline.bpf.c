// The seed's b.attach_uretprobe(name="/usr/bin/bash", sym="readline", fn_name="bash_readline"):
// print every line typed into an interactive bash.
//   bee run examples/bashreadline.bpf.c
#include "bee/bee.bpf.h"

struct line_t {
	u32 pid;
	char comm[16];
	char line[80];
};

BPF_PERF_OUTPUT(events);
BEE_EVENT(events, struct line_t);

SEC("uretprobe//usr/bin/bash:readline")
int BPF_KRETPROBE(bash_readline, const void *ret)
{
	struct line_t l = {};

	if (!ret)
		return 0;
	l.pid = bee_pid();
	bpf_get_current_comm(&l.comm, sizeof(l.comm));
	bpf_probe_read_user_str(&l.line, sizeof(l.line), ret);
	events__perf_submit(ctx, &l, sizeof(l));
	return 0;
}

BEE_GPL;
