// A plain libbpf program, unchanged: vmlinux.h and libbpf's headers only.
// Prints a line to trace_pipe whenever the chosen process calls write().
//   bee run examples/libbpf-style/minimal.bpf.c --set my_pid=PID
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

int my_pid = 0;

SEC("tp/syscalls/sys_enter_write")
int handle_tp(void *ctx)
{
	int pid = bpf_get_current_pid_tgid() >> 32;

	if (pid != my_pid)
		return 0;
	bpf_printk("BPF triggered from PID %d.\n", pid);
	return 0;
}
