/* Maps with BTF for bee map's tests: typed keys and values of several
 * kinds, per-CPU values, queue and stack, a map type without batch
 * lookups (LPM trie), and a histogram. The program counts getppid() calls
 * of one process, so the tests see a real kernel-side effect. */
#include "bee/bee.bpf.h"

enum mt_color { MT_RED = 1, MT_GREEN = 2, MT_BLUE = 7 };

struct mt_val {
	__u64 count;
	char comm[16];
	enum mt_color color;
	__u32 flags : 3, level : 5;
};

struct mt_key {
	__u32 pid;
	__u16 port;
	__u16 pad;
};

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct mt_val);
	__uint(max_entries, 64);
} mt_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct mt_key);
	__type(value, __s64);
	__uint(max_entries, 2048);
} mt_skey SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} mt_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, struct mt_key);
	__uint(max_entries, 16);
} mt_pchash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 8);
} mt_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__type(value, __u32);
	__uint(max_entries, 8);
} mt_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 256);
} mt_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, char[16]);
	__uint(max_entries, 3);
} mt_names SEC(".maps");

BPF_HISTOGRAM(mt_hist);

const volatile __u32 mt_target_pid = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int mt_count(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct mt_val zero = {}, *v;

	if (pid != mt_target_pid)
		return 0;
	v = bpf_map_lookup_elem(&mt_calls, &pid);
	if (!v) {
		zero.color = MT_BLUE;
		zero.level = 9;
		zero.flags = 5;
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		bpf_map_update_elem(&mt_calls, &pid, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&mt_calls, &pid);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->count, 1);
	mt_hist__increment(bee_log2l(v->count));
	return 0;
}

BEE_GPL;
