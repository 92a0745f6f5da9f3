/*
 * Symbolisation: test binaries built here with gcc (non-PIE, PIE, a shared
 * library, stripped with a separate debug file found by .gnu_debuglink or
 * by build-id, deleted or replaced after start) run, print the addresses of
 * their functions, and every address must resolve to its function, offset
 * and source line. Also uprobe targets (library names, function offsets,
 * ambiguity), kernel symbols, and this process's libc and vDSO.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static char dir[256];
static char src[PATH_MAX];

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

static const char *const fn_names[] = { "sym_alpha", "sym_beta", "sym_gamma", "sym_lib_func",
					"main" };
#define N_FN 5

struct target {
	pid_t pid;
	int in_fd; /* its stdin: closing it ends the target */
	uint64_t addr[N_FN];
};

static const char *tpath(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int i;
	char *b = bufs[i++ & 3];

	snprintf(b, PATH_MAX, "%s/%s", dir, name);
	return b;
}

static void sh_ok(const char *what, const char *cmd)
{
	char *out = NULL;
	int rc = t_sh(&out, "%s 2>&1", cmd);

	if (rc)
		fail_msg("%s: '%s' exited %d: %s", what, cmd, rc, out ? out : "");
	free(out);
}

/* Source line of function @fn's first address in @bin, as addr2line
 * (binutils, an independent DWARF reader) says. */
static int oracle_line(const char *bin, const char *fn)
{
	char *out = NULL, *colon;
	int line = 0;

	t_sh(&out, "addr2line -e %s 0x$(nm %s | awk '$3 == \"%s\" {print $1}')", bin, bin, fn);
	colon = strrchr(out, ':');
	if (colon)
		line = atoi(colon + 1);
	free(out);
	return line;
}

static int start_target(const char *path, struct target *t)
{
	int in[2], out[2];
	char line[256];
	FILE *f;
	int got = 0;

	memset(t, 0, sizeof(*t));
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -errno;
	t->pid = fork();
	if (t->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	t->in_fd = in[1];
	f = fdopen(out[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long a;

		if (!strncmp(line, "ready", 5))
			break;
		if (sscanf(line, "%63s %llx", name, &a) != 2)
			continue;
		for (int i = 0; i < N_FN; i++)
			if (!strcmp(name, fn_names[i])) {
				t->addr[i] = a;
				got++;
			}
	}
	if (f)
		fclose(f);
	return got == N_FN ? 0 : -EIO;
}

static void stop_target(struct target *t)
{
	int st;

	if (t->pid <= 0)
		return;
	close(t->in_fd);
	waitpid(t->pid, &st, 0);
	t->pid = 0;
}

static int group_setup(void **state)
{
	char cmd[8192];
	const char *cc = "gcc -g -O1 -Wl,--build-id";

	snprintf(dir, sizeof(dir), "/tmp/bee-sym-%d-XXXXXX", getpid());
	if (!mkdtemp(dir))
		return -1;
	snprintf(src, sizeof(src), "%s/sym_target.c", dir);
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd %s; cp '%s' sym_target.c; "
		 "%s -no-pie -fno-pie sym_target.c -o nopie; "
		 "%s -fPIE -pie sym_target.c -o pie; "
		 "%s -shared -fPIC -DSYM_LIB_ONLY sym_target.c -o libbeesymt.so; "
		 "%s -fPIE -pie -DSYM_USE_LIB sym_target.c -L. -lbeesymt -Wl,-rpath,%s -o withlib; "
		 "objcopy --only-keep-debug pie stripped.debug; "
		 "objcopy --strip-all --add-gnu-debuglink=stripped.debug pie stripped; "
		 "objcopy --strip-all pie nodebug; "
		 "cp nodebug byid; id=$(readelf -n byid | awk '/Build ID/ {print $3}'); "
		 "mkdir -p dbg/.build-id/${id%%${id#??}}; "
		 "objcopy --only-keep-debug pie dbg/.build-id/${id%%${id#??}}/${id#??}.debug; "
		 "printf 'static __attribute__((noinline)) int dupfn(int x) { return x + 1; }\\n"
		 "int fa(int x) { return dupfn(x); }\\n' > a.c; "
		 "printf 'static __attribute__((noinline)) int dupfn(int x) { return x * 7; }\\n"
		 "int fa(int); int main(int c, char **v) { return dupfn(c) + fa(c); }\\n' > b.c; "
		 "gcc -O0 a.c b.c -o dup; "
		 "printf 'namespace beecxx { int twice(int x) { return x * 2; } }\\n' > cxx.cc; "
		 "if command -v g++ >/dev/null; then g++ -O1 -shared -fPIC cxx.cc -o libbeecxx.so; fi",
		 dir, t_rpath("tests/helpers/sym_target.c"), cc, cc, cc, cc, dir);
	if (t_sh(NULL, "%s", cmd)) {
		fprintf(stderr, "building test binaries failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	if (dir[0])
		t_sh(NULL, "rm -rf '%s'", dir);
	return 0;
}

/* Every function of @t resolves by name with offset 0 and 1, inside module
 * @module, and (@lines) at its marked source line. */
static void check_target(const char *what, struct target *t, const char *module, bool lines,
			 const char *debug_dir, const char *unstripped)
{
	BEE_OPTS(bee_syms_opts, o, .lines = true, .debug_dir = debug_dir);
	struct bee_syms *s = bee_syms__new(t->pid, &o);
	char msg[256];

	if (!s)
		fail_msg("%s: bee_syms__new(%d): %s", what, t->pid, strerror(errno));
	for (int i = 0; i < N_FN; i++) {
		struct bee_sym sym;
		const char *base;
		int err;

		for (int d = 0; d < 2; d++) {
			snprintf(msg, sizeof(msg), "%s: %s+%d at 0x%llx", what, fn_names[i], d,
				 (unsigned long long)t->addr[i] + d);
			err = bee_syms__find(s, t->addr[i] + d, &sym);
			t_eq(msg, 0, err);
			t_streq(msg, fn_names[i], sym.name);
			t_eq(msg, d, sym.offset);
			if (d || !lines)
				continue;
			snprintf(msg, sizeof(msg), "%s: line of %s", what, fn_names[i]);
			t_eq(msg, oracle_line(tpath(!strcmp(fn_names[i], "sym_lib_func") &&
							    module[0] == 'w' ?
						    "libbeesymt.so" : unstripped),
					      fn_names[i]),
			     sym.line);
			t_contains(msg, sym.file, "sym_target.c");
		}
		base = strrchr(sym.module, '/');
		snprintf(msg, sizeof(msg), "%s: module of %s", what, fn_names[i]);
		t_streq(msg, !strcmp(fn_names[i], "sym_lib_func") && module[0] == 'w' ?
				     "libbeesymt.so" : module,
			base ? base + 1 : sym.module);
	}
	bee_syms__free(s);
}

static void run_check(const char *bin, bool lines, const char *debug_dir, const char *unstripped)
{
	struct target t;

	t_eq("start target", 0, start_target(tpath(bin), &t));
	check_target(bin, &t, bin, lines, debug_dir, unstripped);
	stop_target(&t);
}

static void test_nopie(void **state)
{
	run_check("nopie", true, NULL, "nopie");
}

static void test_pie(void **state)
{
	run_check("pie", true, NULL, "pie");
}

static void test_shared_lib(void **state)
{
	run_check("withlib", true, NULL, "withlib");
}

static void test_stripped_debuglink(void **state)
{
	run_check("stripped", true, NULL, "pie");
}

static void test_stripped_build_id(void **state)
{
	run_check("byid", true, tpath("dbg"), "pie");
}

/* The cache keeps no file open for binaries whose lines nobody asked for
 * (a long profile meets thousands of binaries); asking opens their DWARF. */
static void test_cache_holds_no_fds(void **state)
{
	struct target t;
	struct bee_syms *s;
	struct bee_sym sym;
	int before;

	t_eq("start nopie", 0, start_target(tpath("nopie"), &t));
	bee_symcache__flush();
	before = t_fd_count();
	s = bee_syms__new(t.pid, NULL);
	t_eq("find sym_alpha", 0, bee_syms__find(s, t.addr[0], &sym));
	t_eq("no line without opts.lines", 0, sym.line);
	bee_syms__free(s);
	t_eq("fds after lookups without lines", before, t_fd_count());
	BEE_OPTS(bee_syms_opts, o, .lines = true);
	s = bee_syms__new(t.pid, &o);
	t_eq("find sym_alpha with lines", 0, bee_syms__find(s, t.addr[0], &sym));
	t_eq("line found", oracle_line(tpath("nopie"), "sym_alpha"), sym.line);
	bee_syms__free(s);
	bee_symcache__flush();
	t_eq("fds after the cache is flushed", before, t_fd_count());
	stop_target(&t);
}

/* A stripped binary with no debug file anywhere: [unknown] with the module
 * and the file offset, which must equal what a uprobe would use. */
static void test_stripped_unknown(void **state)
{
	struct target t;
	struct bee_syms *s;
	struct bee_sym sym;
	uint64_t off;
	char buf[256], want[256];

	t_eq("start nodebug", 0, start_target(tpath("nodebug"), &t));
	s = bee_syms__new(t.pid, NULL);
	t_eq("bee_syms__new", 1, s != NULL);
	t_eq("find sym_beta in nodebug", -ENOENT, bee_syms__find(s, t.addr[1], &sym));
	t_eq("uprobe offset of sym_beta (pie)", 0, bee_resolve_uprobe(tpath("pie"), "sym_beta", &off));
	t_eq("module offset of unknown sym_beta", off, sym.module_offset);
	bee_sym__snprint(&sym, t.addr[1], buf, sizeof(buf), BEE_SYM_OFFSET | BEE_SYM_MODULE);
	snprintf(want, sizeof(want), "[unknown] (nodebug+0x%llx)", (unsigned long long)off);
	t_streq("unknown frame text", want, buf);
	/* main is exported nowhere either, but the dynamic symbols still are:
	 * a libc address in the same process resolves */
	bee_syms__free(s);
	stop_target(&t);
}

static void deleted_or_replaced(bool replace)
{
	const char *copy = tpath(replace ? "replaced" : "deleted");
	char cmd[PATH_MAX * 2 + 32];
	struct target t;

	if (geteuid() != 0)
		t_skip("reading /proc/PID/map_files needs CAP_SYS_ADMIN (run as root)");
	snprintf(cmd, sizeof(cmd), "cp %s %s", tpath("pie"), copy);
	sh_ok("copy pie", cmd);
	t_eq("start copy", 0, start_target(copy, &t));
	if (replace)
		/* another program now at the same path: symbols must come
		 * from what the process mapped, not from the new file */
		snprintf(cmd, sizeof(cmd), "cp %s %s.new && mv %s.new %s", tpath("dup"), copy, copy,
			 copy);
	else
		snprintf(cmd, sizeof(cmd), "rm %s", copy);
	sh_ok("delete/replace", cmd);
	check_target(replace ? "replaced" : "deleted", &t, replace ? "replaced" : "deleted", true,
		     NULL, "pie");
	stop_target(&t);
}

static void test_deleted(void **state)
{
	deleted_or_replaced(false);
}

static void test_replaced(void **state)
{
	deleted_or_replaced(true);
}

/* nm's address and readelf's segments give the file offset independently. */
static uint64_t oracle_offset(const char *bin, const char *fn)
{
	char *out = NULL, *line, *save = NULL;
	unsigned long long v = 0, off = 0;

	t_sh(&out, "nm %s | awk '$3 == \"%s\" {print $1}'", bin, fn);
	sscanf(out, "%llx", &v);
	free(out);
	t_sh(&out, "readelf -lW %s | grep '^ *LOAD'", bin);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long o, a, sz;

		if (sscanf(line, " LOAD %llx %llx %*x %llx", &o, &a, &sz) == 3 && v >= a && v < a + sz)
			off = v - a + o;
	}
	free(out);
	return off;
}

static void test_resolve_uprobe(void **state)
{
	uint64_t off, off2, want;
	char spec[64], *out = NULL;

	for (int i = 0; i < 2; i++) {
		const char *bin = tpath(i ? "nopie" : "pie");

		want = oracle_offset(bin, "sym_alpha");
		t_eq("oracle offset found", 1, want > 0);
		t_eq("resolve sym_alpha", 0, bee_resolve_uprobe(bin, "sym_alpha", &off));
		t_eq("offset of sym_alpha", want, off);
		t_eq("resolve sym_alpha+0x4", 0, bee_resolve_uprobe(bin, "sym_alpha+0x4", &off2));
		t_eq("offset of sym_alpha+0x4", want + 4, off2);
		t_sh(&out, "nm %s | awk '$3 == \"sym_alpha\" {print $1}'", bin);
		snprintf(spec, sizeof(spec), "0x%s", out);
		chomp(spec);
		free(out);
		t_eq("resolve by address", 0, bee_resolve_uprobe(bin, spec, &off2));
		t_eq("offset by address", want, off2);
	}
	/* the stripped binary's functions come from its debug file */
	t_eq("resolve in stripped", 0, bee_resolve_uprobe(tpath("stripped"), "sym_beta", &off));
	t_eq("stripped offset", oracle_offset(tpath("pie"), "sym_beta"), off);
}

static void test_resolve_uprobe_errors(void **state)
{
	uint64_t off;

	t_eq("unknown function", -ENOENT, bee_resolve_uprobe(tpath("pie"), "no_such_fn", &off));
	t_contains("unknown function message", bee_last_error(), "no function 'no_such_fn'");
	t_eq("ambiguous function", -ENOTUNIQ, bee_resolve_uprobe(tpath("dup"), "dupfn", &off));
	t_contains("ambiguous message", bee_last_error(), "'dupfn' is ambiguous: 2 definitions");
	t_eq("offset past the end", -ERANGE,
	     bee_resolve_uprobe(tpath("pie"), "sym_alpha+0x100000", &off));
	t_contains("range message", bee_last_error(), "outside 'sym_alpha'");
	t_eq("missing binary", -ENOENT, bee_resolve_uprobe(tpath("nope"), "main", &off));
	t_eq("not an ELF file", -ENOEXEC, bee_resolve_uprobe(src, "main", &off));
	t_eq("bad offset", -EINVAL, bee_resolve_uprobe(tpath("pie"), "sym_alpha+zz", &off));
}

static void same_file(const char *what, const char *want, const char *got)
{
	struct stat a, b;

	if (stat(want, &a) || stat(got, &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		fail_msg("%s: want %s, got %s", what, want, got);
}

static void test_resolve_binary(void **state)
{
	const char *names[] = { "c", "libc", "libc.so.6" };
	char libc[PATH_MAX] = "", got[PATH_MAX], *out = NULL;
	struct target t;
	FILE *f;
	char line[512];

	/* the libc this process runs with */
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (p && strstr(p, "/libc.so.6")) {
			snprintf(libc, sizeof(libc), "%s", p);
			chomp(libc);
			break;
		}
	}
	fclose(f);
	t_eq("libc found in own maps", 1, libc[0] != 0);
	for (size_t i = 0; i < 3; i++) {
		t_eq(names[i], 0, bee_resolve_binary(names[i], -1, got, sizeof(got)));
		same_file(names[i], libc, got);
	}
	/* ldconfig agrees */
	t_sh(&out, "ldconfig -p | awk '$1 == \"libc.so.6\" && /x86-64/ {print $NF; exit}'");
	chomp(out);
	same_file("ldconfig -p", out, got);
	free(out);
	/* a program name goes through $PATH */
	t_eq("bash", 0, bee_resolve_binary("bash", -1, got, sizeof(got)));
	t_sh(&out, "command -v bash");
	chomp(out);
	same_file("bash", out, got);
	free(out);
	/* a library only the process knows (rpath): through its maps */
	t_eq("unknown library", -ENOENT, bee_resolve_binary("beesymt", -1, got, sizeof(got)));
	t_contains("unknown library message", bee_last_error(), "library 'beesymt': not found");
	t_eq("start withlib", 0, start_target(tpath("withlib"), &t));
	t_eq("library by pid", 0, bee_resolve_binary("beesymt", t.pid, got, sizeof(got)));
	same_file("library by pid", tpath("libbeesymt.so"), got);
	stop_target(&t);
	t_eq("no such pid", -ESRCH, bee_resolve_binary("c", 999999999, got, sizeof(got)));
	t_contains("no such pid message", bee_last_error(), "no process with pid 999999999");
	t_eq("no such path", -ENOENT, bee_resolve_binary("/no/such/lib.so", -1, got, sizeof(got)));
}

/* A library loaded after the symboliser read the maps: a miss re-reads
 * them (at most every 50 ms, hence the pause). */
static void test_dlopen_refresh(void **state)
{
	struct bee_syms *s = bee_syms__new(0, NULL);
	struct bee_sym sym;
	void *h, *fn;

	t_eq("bee_syms__new(self)", 1, s != NULL);
	h = dlopen(tpath("libbeesymt.so"), RTLD_NOW);
	t_eq("dlopen libbeesymt.so", 1, h != NULL);
	fn = dlsym(h, "sym_lib_func");
	usleep(60000);
	t_eq("find in a library mapped later", 0, bee_syms__find(s, (uint64_t)fn + 3, &sym));
	t_streq("name", "sym_lib_func", sym.name);
	t_eq("offset", 3, sym.offset);
	same_file("module", tpath("libbeesymt.so"), sym.module);
	bee_syms__free(s);
	dlclose(h);
}

/* C++ names come demangled, unless asked for as they are. */
static void test_cxx_demangle(void **state)
{
	struct bee_syms *s, *raw;
	struct bee_sym sym;
	void *h, *fn;

	if (access(tpath("libbeecxx.so"), F_OK))
		t_skip("no g++ to build a C++ library");
	h = dlopen(tpath("libbeecxx.so"), RTLD_NOW);
	t_eq("dlopen libbeecxx.so", 1, h != NULL);
	fn = dlsym(h, "_ZN6beecxx5twiceEi");
	t_eq("dlsym", 1, fn != NULL);
	s = bee_syms__new(0, NULL);
	BEE_OPTS(bee_syms_opts, o, .mangled = true);
	raw = bee_syms__new(0, &o);
	t_eq("find C++ function", 0, bee_syms__find(s, (uint64_t)fn + 1, &sym));
	t_streq("demangled", "beecxx::twice(int)", sym.name);
	t_eq("offset", 1, sym.offset);
	t_eq("find again (cached)", 0, bee_syms__find(s, (uint64_t)fn, &sym));
	t_streq("demangled again", "beecxx::twice(int)", sym.name);
	t_eq("find mangled", 0, bee_syms__find(raw, (uint64_t)fn, &sym));
	t_streq("mangled", "_ZN6beecxx5twiceEi", sym.name);
	bee_syms__free(raw);
	bee_syms__free(s);
	dlclose(h);
}

/* JIT code in anonymous memory, named by /tmp/perf-PID.map as perf reads it. */
static void test_perf_map(void **state)
{
	char path[64];
	struct bee_syms *s;
	struct bee_sym sym;
	uint8_t *code;
	FILE *f;

	code = mmap(NULL, 8192, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_eq("mmap code", 1, code != MAP_FAILED);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", getpid());
	f = fopen(path, "w");
	fprintf(f, "%lx 40 jit_fn_one\n%lx 20 LazyCompile:*jit two.js:3\n", (unsigned long)code,
		(unsigned long)code + 0x40);
	fclose(f);
	s = bee_syms__new(0, NULL);
	t_eq("find jit_fn_one", 0, bee_syms__find(s, (uint64_t)code + 0x10, &sym));
	t_streq("jit_fn_one", "jit_fn_one", sym.name);
	t_eq("find jit two", 0, bee_syms__find(s, (uint64_t)code + 0x44, &sym));
	t_streq("name with spaces", "LazyCompile:*jit two.js:3", sym.name);
	t_eq("offset", 4, sym.offset);
	t_streq("module", "[anon]", sym.module);
	t_eq("past the named code", -ENOENT, bee_syms__find(s, (uint64_t)code + 0x100, &sym));
	bee_syms__free(s);
	unlink(path);
	munmap(code, 8192);
}

/* A JIT in another pid namespace writes /tmp/perf-NSPID.map under the pid
 * it sees: found through /proc/PID/root and NSpid. */
static void test_perf_map_pid_ns(void **state)
{
	static const char script[] =
		"import mmap, ctypes, os, sys\n"
		"m = mmap.mmap(-1, 8192, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
		"a = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
		"open('/tmp/perf-%d.map' % os.getpid(), 'w').write('%x 80 ns_jit_fn\\n' % a)\n"
		"print(os.getpid(), hex(a), flush=True)\n"
		"sys.stdin.read()\n";
	char path[PATH_MAX], line[128], kids[64];
	unsigned long long addr = 0;
	int in[2], out[2], nspid = 0, st;
	struct bee_syms *s;
	struct bee_sym sym;
	pid_t up, py = 0;
	FILE *f;

	if (geteuid() != 0)
		t_skip("a new pid namespace needs root");
	snprintf(path, sizeof(path), "%s/jit.py", dir);
	f = fopen(path, "w");
	fputs(script, f);
	fclose(f);
	t_eq("pipes", 0, pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC));
	up = fork();
	if (up == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execlp("unshare", "unshare", "--pid", "--fork", "python3", path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%d %llx", &nspid, &addr) != 2) {
		close(in[1]);
		fclose(f);
		waitpid(up, &st, 0);
		t_skip("cannot run python3 in a new pid namespace (unshare --pid)");
	}
	/* the python process as the host sees it: unshare's child */
	snprintf(kids, sizeof(kids), "/proc/%d/task/%d/children", up, up);
	FILE *k = fopen(kids, "r");
	if (k) {
		if (fscanf(k, "%d", &py) != 1)
			py = 0;
		fclose(k);
	}
	t_eq("python's host pid found", 1, py > 0);
	t_eq("python is pid 1 in its namespace", 1, nspid);
	s = bee_syms__new(py, NULL);
	t_eq("bee_syms__new(python)", 1, s != NULL);
	t_eq("find JIT code", 0, bee_syms__find(s, addr + 0x10, &sym));
	t_streq("JIT name from the namespace's perf map", "ns_jit_fn", sym.name);
	t_eq("offset", 0x10, sym.offset);
	bee_syms__free(s);
	/* remove the map file while its root is still there to reach it */
	snprintf(path, sizeof(path), "/proc/%d/root/tmp/perf-%d.map", py, nspid);
	unlink(path);
	close(in[1]);
	fclose(f);
	waitpid(up, &st, 0);
}

/* A uprobe on a library by name: the offset the kernel would compute from
 * this process's own mapping of libc. */
static void test_resolve_uprobe_libc(void **state)
{
	unsigned long long start, end, off, want = 0;
	uint64_t addr = (uint64_t)getpid, got;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off) == 3 && addr >= start &&
		    addr < end)
			want = addr - start + off;
	fclose(f);
	t_eq("getpid mapped", 1, want != 0);
	t_eq("resolve c:getpid", 0, bee_resolve_uprobe("c", "getpid", &got));
	t_eq("offset of getpid in libc", want, got);
	t_eq("unknown library", -ENOENT, bee_resolve_uprobe("nosuchlib_bee", "f", &got));
	t_contains("unknown library message", bee_last_error(), "library 'nosuchlib_bee': not found");
}

/* A library only /etc/ld.so.cache knows (its directory is configured in
 * ld.so.conf.d, not a default one): found through the cache. */
static void test_resolve_binary_ldcache(void **state)
{
	char *out = NULL, soname[256] = "", path[PATH_MAX] = "", got[PATH_MAX];

	t_sh(&out, "ldconfig -p | awk '/x86-64/ && $NF !~ "
		   "\"^/(usr/)?(local/)?lib(64|32)?(/x86_64-linux-gnu)?/[^/]*$\" {print $1, $NF; exit}'");
	sscanf(out, "%255s %4095s", soname, path);
	free(out);
	if (!soname[0])
		t_skip("every library in ld.so.cache is in a default directory");
	t_eq(soname, 0, bee_resolve_binary(soname, -1, got, sizeof(got)));
	same_file(soname, path, got);
}

static void test_unknown_pid(void **state)
{
	struct bee_syms *s = bee_syms__new(999999999, NULL);

	t_eq("bee_syms__new of a missing pid", 1, s == NULL);
	t_eq("errno", ENOENT, errno);
	t_contains("message", bee_last_error(), "no process with pid 999999999");
}

/* This process: libc functions resolve to a name dlsym agrees with, and the
 * vDSO's clock_gettime resolves. */
static void test_self_libc_vdso(void **state)
{
	struct bee_syms *s = bee_syms__new(0, NULL);
	void *fns[] = { (void *)getpid, (void *)nanosleep, (void *)qsort };
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct bee_sym sym;
	char msg[128];

	t_eq("bee_syms__new(self)", 1, s != NULL);
	for (size_t i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "libc function #%zu", i);
		t_eq(msg, 0, bee_syms__find(s, (uint64_t)fns[i] + 2, &sym));
		t_eq(msg, 2, sym.offset);
		if (dlsym(RTLD_DEFAULT, sym.name) != fns[i])
			fail_msg("%s: '%s' is not the function at %p", msg, sym.name, fns[i]);
		/* the file the dynamic linker says holds it (libc, or the
		 * sanitizer's interceptor in an ASan build) */
		Dl_info di;
		t_eq(msg, 1, dladdr(fns[i], &di) != 0);
		same_file(msg, di.dli_fname, sym.module);
	}
	if (base) {
		/* the vDSO's own symbol table names its entry points */
		Elf64_Ehdr *eh = (Elf64_Ehdr *)base;
		Elf64_Shdr *sh = (Elf64_Shdr *)(base + eh->e_shoff);
		Elf64_Phdr *ph = (Elf64_Phdr *)(base + eh->e_phoff);
		uint64_t load = 0, want = 0;

		for (int i = 0; i < eh->e_phnum; i++)
			if (ph[i].p_type == PT_LOAD) {
				load = ph[i].p_vaddr - ph[i].p_offset;
				break;
			}
		for (int i = 0; i < eh->e_shnum && !want; i++) {
			Elf64_Sym *st = (Elf64_Sym *)(base + sh[i].sh_offset);
			const char *strs = (const char *)(base + sh[sh[i].sh_link].sh_offset);

			if (sh[i].sh_type != SHT_DYNSYM)
				continue;
			for (size_t k = 0; k < sh[i].sh_size / sizeof(*st); k++)
				/* x86's name, then arm64's */
				if (!strcmp(strs + st[k].st_name, "__vdso_clock_gettime") ||
				    !strcmp(strs + st[k].st_name, "__kernel_clock_gettime"))
					want = base + st[k].st_value - load;
		}
		t_eq("clock_gettime in the vDSO", 1, want != 0);
		t_eq("vdso lookup", 0, bee_syms__find(s, want + 1, &sym));
		if (!strstr(sym.name, "clock_gettime"))
			fail_msg("vdso: want clock_gettime, got %s", sym.name);
		t_streq("vdso module", "[vdso]", sym.module);
	}
	bee_syms__free(s);
}

static void test_kernel_syms(void **state)
{
	struct bee_ksyms *ks = bee_ksyms__new();
	const char *fns[] = { "vfs_read", "do_sys_openat2", "schedule" };
	struct bee_sym sym;
	char *out = NULL;
	char msg[128];

	if (!ks)
		t_skip("kernel symbols unreadable: %s", bee_last_error());
	t_eq("kallsyms has many symbols", 1, bee_ksyms__cnt(ks) > 10000);
	for (size_t i = 0; i < 3; i++) {
		unsigned long long want = 0;
		uint64_t addr;

		t_sh(&out, "awk '$3 == \"%s\" && $2 ~ /[tT]/ {print $1; exit}' /proc/kallsyms", fns[i]);
		sscanf(out, "%llx", &want);
		free(out);
		snprintf(msg, sizeof(msg), "kernel %s", fns[i]);
		t_eq(msg, 1, want != 0);
		t_eq(msg, 0, bee_ksyms__addr(ks, fns[i], &addr));
		t_eq(msg, want, addr);
		t_eq(msg, 0, bee_ksyms__find(ks, want + 5, &sym));
		t_streq(msg, fns[i], sym.name);
		t_eq(msg, 5, sym.offset);
		t_eq(msg, 1, sym.module == NULL);
	}
	t_eq("user address is no kernel symbol", -ENOENT, bee_ksyms__find(ks, 0x400000, &sym));
	bee_ksyms__free(ks);
}

/* Folded stacks and the SVG writer on a known tree. */
static void test_flame(void **state)
{
	struct bee_flame *f = bee_flame__new();
	const char *a[] = { "main", "work", "spin" }, *b[] = { "main", "work" };
	char *buf = NULL, *out = NULL;
	size_t len = 0;
	FILE *m;

	t_eq("add a", 0, bee_flame__add(f, a, 3, 5));
	t_eq("add b", 0, bee_flame__add(f, b, 2, 2));
	t_eq("add folded", 0, bee_flame__add_folded(f, "main;io_[k];<odd> & \"name\" 3\n"));
	t_eq("bad folded", -EINVAL, bee_flame__add_folded(f, "main;x"));
	t_eq("total", 10, bee_flame__total(f));
	m = open_memstream(&buf, &len);
	bee_flame__write_folded(f, m);
	fclose(m);
	t_streq("folded", "main;io_[k];<odd> & \"name\" 3\nmain;work 2\nmain;work;spin 5\n", buf);
	free(buf);
	m = fopen(tpath("t.svg"), "w");
	BEE_OPTS(bee_flame_opts, o, .title = "t <1>");
	t_eq("svg", 0, bee_flame__write_svg(f, m, &o));
	fclose(m);
	t_eq("svg parses", 0,
	     t_sh(&out, "python3 -c 'import sys, xml.etree.ElementTree as E; "
			"r = E.parse(sys.argv[1]).getroot(); "
			"print(\"|\".join(t.text for t in r.iter(\"{http://www.w3.org/2000/svg}title\")))' %s",
		  tpath("t.svg")));
	t_contains("svg titles", out, "spin (5 samples, 50.00%)");
	t_contains("svg titles", out, "<odd> & \"name\" (3 samples, 30.00%)");
	free(out);
	/* the zoom/search script is valid JavaScript (when node is here) */
	if (!t_sh(NULL, "command -v node >/dev/null")) {
		t_eq("svg script parses (node --check)", 0,
		     t_sh(&out, "python3 -c 'import sys; s = open(sys.argv[1]).read(); "
				"open(sys.argv[2], \"w\").write(s[s.index(\"<![CDATA[\") + 9:s.index(\"]]>\")])' "
				"%s %s && node --check %s 2>&1",
			  tpath("t.svg"), tpath("t.js"), tpath("t.js")));
		free(out);
	}
	bee_flame__free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nopie),
		cmocka_unit_test(test_pie),
		cmocka_unit_test(test_shared_lib),
		cmocka_unit_test(test_stripped_debuglink),
		cmocka_unit_test(test_stripped_build_id),
		cmocka_unit_test(test_stripped_unknown),
		cmocka_unit_test(test_cache_holds_no_fds),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_replaced),
		cmocka_unit_test(test_resolve_uprobe),
		cmocka_unit_test(test_resolve_uprobe_errors),
		cmocka_unit_test(test_resolve_binary),
		cmocka_unit_test(test_resolve_binary_ldcache),
		cmocka_unit_test(test_unknown_pid),
		cmocka_unit_test(test_dlopen_refresh),
		cmocka_unit_test(test_perf_map),
		cmocka_unit_test(test_perf_map_pid_ns),
		cmocka_unit_test(test_cxx_demangle),
		cmocka_unit_test(test_resolve_uprobe_libc),
		cmocka_unit_test(test_self_libc_vdso),
		cmocka_unit_test(test_kernel_syms),
		cmocka_unit_test(test_flame),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
