// A plain libbpf program in the style of libbpf-bootstrap's "uprobe", with
// its targets in the section names (the "binary:symbol" form): entry and
// return of libc's malloc, through the library name.
//   bee run examples/libbpf-style/uprobe.bpf.c --duration 2
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile int target_pid = 0;
u64 calls = 0, returns = 0;

SEC("uprobe/libc.so.6:malloc")
int BPF_KPROBE(malloc_enter, size_t size)
{
	if (target_pid && (bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

SEC("uretprobe/libc.so.6:malloc")
int BPF_KRETPROBE(malloc_exit, void *ret)
{
	if (target_pid && (bpf_get_current_pid_tgid() >> 32) != target_pid)
		return 0;
	__sync_fetch_and_add(&returns, 1);
	return 0;
}
