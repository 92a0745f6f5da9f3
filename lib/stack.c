// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Stacks from BPF_MAP_TYPE_STACK_TRACE maps and bpf_get_stack() buffers,
 * printed through kernel and user symbols. */
#include <bpf/bpf.h>

#include "internal.h"

int bee_stack_read(int map_fd, uint32_t id, uint64_t *ips, size_t max)
{
	uint64_t buf[BEE_STACK_MAX_DEPTH + 1] = {};
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	size_t n, depth;

	/* the map's value size is the depth it was created with; reading into
	 * a smaller buffer would overflow it */
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	depth = info.value_size / sizeof(uint64_t);
	if (depth > ARRAY_SIZE(buf) || info.key_size != sizeof(uint32_t))
		return -EINVAL;
	if (bpf_map_lookup_elem(map_fd, &id, buf))
		return -errno;
	n = bee_stack_len(buf, depth * sizeof(uint64_t));
	if (n > max)
		n = max;
	memcpy(ips, buf, n * sizeof(*ips));
	return n;
}

size_t bee_stack_len(const uint64_t *ips, size_t size)
{
	size_t n = 0;

	while (n < size / sizeof(*ips) && ips[n])
		n++;
	return n;
}

const char *bee_stack_strerror(long err)
{
	switch (-err) {
	case EFAULT:
		return "no stack there (a kernel thread has no user stack; user mode has no kernel stack)";
	case EEXIST:
		return "stack id collided with another stack in the map (BPF_F_REUSE_STACKID not set)";
	case ENOMEM:
		return "stack map full";
	case EINVAL:
		return "invalid flags or map";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

/* Kernel addresses live in the upper half on every 64-bit architecture
 * Linux supports. */
static bool is_kernel_addr(uint64_t ip)
{
	return sizeof(long) == 8 ? ip >= 0xffff800000000000ULL : ip >= 0xc0000000ULL;
}

int bee_stack_frame_snprint(uint64_t ip, size_t i, const struct bee_ksyms *ks,
			    struct bee_syms *us, unsigned sym_flags, char *buf, size_t sz)
{
	/* an outer frame holds a return address, just past its call */
	uint64_t look = i ? ip - 1 : ip;
	struct bee_sym sym = {};
	int err = -ENOENT;

	if (is_kernel_addr(ip)) {
		if (ks)
			err = bee_ksyms__find(ks, look, &sym);
	} else if (us) {
		err = bee_syms__find(us, look, &sym);
	}
	if (!err && i)
		sym.offset++;
	if (err && !sym.module)
		return snprintf(buf, sz, "[unknown] 0x%llx", (unsigned long long)ip);
	if (err && i)
		sym.module_offset++;
	return bee_sym__snprint(&sym, ip, buf, sz, sym_flags);
}

int bee_stack_fprint(FILE *out, const uint64_t *ips, size_t n, const struct bee_ksyms *ks,
		     struct bee_syms *us, const struct bee_stack_opts *opts)
{
	unsigned flags = BEE_SYM_OFFSET | BEE_SYM_MODULE;
	const char *indent = "    ";
	bool show_addr = false;
	char buf[1024];
	size_t i;

	if (opts && opts->sz > offsetof(struct bee_stack_opts, sym_flags) && opts->sym_flags)
		flags = opts->sym_flags;
	if (opts && opts->sz > offsetof(struct bee_stack_opts, indent) && opts->indent)
		indent = opts->indent;
	if (opts && opts->sz > offsetof(struct bee_stack_opts, show_addr))
		show_addr = opts->show_addr;
	for (i = 0; i < n && ips[i]; i++) {
		bee_stack_frame_snprint(ips[i], i, ks, us, flags, buf, sizeof(buf));
		if (show_addr)
			fprintf(out, "%s%016llx %s\n", indent, (unsigned long long)ips[i], buf);
		else
			fprintf(out, "%s%s\n", indent, buf);
	}
	return i;
}
