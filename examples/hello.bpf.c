// The seed's hello world: bpf_trace_printk on a tracepoint, read from trace_pipe.
//   bee run examples/hello.bpf.c --duration 5
#include "bee/bee.bpf.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_printk("Hello, World! %s is starting a program", comm);
	return 0;
}

BEE_GPL;
