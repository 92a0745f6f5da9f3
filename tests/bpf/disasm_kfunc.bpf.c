// SPDX-License-Identifier: GPL-2.0
/* A program that calls kfuncs (bpf_rcu_read_lock/unlock, allowed for every
 * program type), so the prog tests see kfunc calls named in a loaded
 * program's xlated and jited code. */
#include "bee/bee.bpf.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("socket")
int disasm_kfunc(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
