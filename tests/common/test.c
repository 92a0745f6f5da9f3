#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "test.h"

const char *t_build(void)
{
	const char *b = getenv("BEE_BUILD");
	return b && *b ? b : "build";
}

const char *t_root(void)
{
	const char *r = getenv("BEE_ROOT");
	return r && *r ? r : ".";
}

static char *rot_buf(void)
{
	static char bufs[8][4096];
	static int i;
	return bufs[i++ & 7];
}

const char *t_bpath(const char *fmt, ...)
{
	char *b = rot_buf(), rel[3000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(b, 4096, "%s/%s", t_build(), rel);
	return b;
}

const char *t_rpath(const char *fmt, ...)
{
	char *b = rot_buf(), rel[3000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(b, 4096, "%s/%s", t_root(), rel);
	return b;
}

int t_sh(char **out, const char *fmt, ...)
{
	char cmd[8192];
	size_t len = 0, cap = 0;
	char *buf = NULL;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	if (buf)
		buf[len] = 0;
	st = pclose(p);
	if (out)
		*out = buf ? buf : strdup("");
	else
		free(buf);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int t_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

char *t_kernel_ids(const char *kind)
{
	uint32_t ids[65536];
	size_t n = 0;
	uint32_t id = 0;
	int (*next)(uint32_t, uint32_t *) = !strcmp(kind, "prog") ? bpf_prog_get_next_id :
					    !strcmp(kind, "map")  ? bpf_map_get_next_id :
								    bpf_link_get_next_id;
	char *s;
	size_t len = 0;

	while (n < 65536 && next(id, &id) == 0)
		ids[n++] = id;
	qsort(ids, n, sizeof(ids[0]), cmp_u32);
	s = malloc(n * 11 + 1);
	s[0] = 0;
	for (size_t i = 0; i < n; i++)
		len += sprintf(s + len, "%s%u", i ? "," : "", ids[i]);
	return s;
}

bool t_kernel_has_kprobes(char *why, size_t n)
{
	if (access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0 ||
	    access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0)
		return true;
	snprintf(why, n, "kernel has no kprobes (no kprobe PMU, CONFIG_KPROBES off)");
	return false;
}

bool t_kernel_has_trampolines(char *why, size_t n)
{
	/* A tracing program can only load if trampolines work: try fentry on
	 * a function every kernel has. */
	struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },                           /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	struct btf *vm = btf__load_vmlinux_btf();
	int id, fd;

	if (!vm) {
		snprintf(why, n, "no kernel BTF");
		return false;
	}
	id = btf__find_by_name_kind(vm, "do_nanosleep", BTF_KIND_FUNC);
	btf__free(vm);
	if (id < 0) {
		snprintf(why, n, "no do_nanosleep in kernel BTF");
		return false;
	}
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "t_fentry", "GPL", insns, 2, &opts);
	if (fd < 0) {
		snprintf(why, n, "kernel refuses BPF trampolines (fentry load: %s)", strerror(errno));
		return false;
	}
	/* loading is not enough: attaching needs the trampoline itself */
	int lfd = bpf_raw_tracepoint_open(NULL, fd);
	if (lfd < 0) {
		snprintf(why, n, "kernel refuses BPF trampolines (fentry attach: %s)", strerror(errno));
		close(fd);
		return false;
	}
	close(lfd);
	close(fd);
	return true;
}
