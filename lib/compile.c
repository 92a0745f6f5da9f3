// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Compile a BPF C source with clang against bee's headers and a vmlinux.h
 * generated from the running kernel's BTF, and cache the object.
 *
 * Cache layout under the cache dir (default ~/.cache/bee):
 *   include-HASH/bee/bee.bpf.h   bee's BPF-side header (embedded in libbee)
 *   vmlinux-KERNEL/vmlinux.h     generated once per kernel build
 *   obj/KEY0.deps                the files the source included last time
 *   obj/KEY1.o                   the object, KEY1 = KEY0 + content of deps
 * KEY0 hashes the source, flags, clang binary and kernel; KEY1 adds every
 * included file, so a changed header recompiles and nothing else does.
 */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

/* bee.bpf.h travels inside libbee, so bee needs no include dir at run time. */
__asm__(".section .rodata\n"
	".balign 8\n"
	"bee_bpf_h_start:\n"
	".incbin \"include/bee/bee.bpf.h\"\n"
	"bee_bpf_h_end:\n"
	".byte 0\n"
	".previous\n");
extern const char bee_bpf_h_start[], bee_bpf_h_end[];

char *bee_cache_dir(const struct bee_obj_opts *opts)
{
	const char *d = opts && opts->sz > offsetof(struct bee_obj_opts, cache_dir) ? opts->cache_dir : NULL;
	const char *home;
	char buf[PATH_MAX];

	if (d && *d)
		return strdup(d);
	d = getenv("BEE_CACHE_DIR");
	if (d && *d)
		return strdup(d);
	d = getenv("XDG_CACHE_HOME");
	if (d && *d) {
		snprintf(buf, sizeof(buf), "%s/bee", d);
		return strdup(buf);
	}
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/tmp";
	}
	snprintf(buf, sizeof(buf), "%s/.cache/bee", home);
	return strdup(buf);
}

/* A cheap identity of the running kernel build: release, version (with its
 * build stamp) and the size of its BTF. Hashing 5 MB of BTF per start would
 * cost more than the rest of bee's start-up. */
static void kernel_key(char out[33])
{
	struct bee_hash h;
	struct utsname u;
	struct stat st;

	bee_hash_init(&h);
	if (uname(&u) == 0) {
		bee_hash_str(&h, u.release);
		bee_hash_str(&h, u.version);
		bee_hash_str(&h, u.machine);
	}
	if (stat("/sys/kernel/btf/vmlinux", &st) == 0)
		bee_hash_update(&h, &st.st_size, sizeof(st.st_size));
	bee_hash_hex(&h, out);
}

void bee_kernel_key(char out[33])
{
	kernel_key(out);
}

int bee_vmlinux_h_cached(const char *cache_dir, char **path, char key[33])
{
	char dir[PATH_MAX], file[PATH_MAX + 16];
	int err;

	kernel_key(key);
	snprintf(dir, sizeof(dir), "%s/vmlinux-%s", cache_dir, key);
	snprintf(file, sizeof(file), "%s/vmlinux.h", dir);
	if (access(file, R_OK) != 0) {
		err = bee_mkdirs(dir, 0755);
		if (err) {
			pr_err("cannot create cache dir '%s': %s", dir, strerror(-err));
			return err;
		}
		err = bee_vmlinux_h_write(NULL, file);
		if (err)
			return err;
	}
	*path = strdup(dir);
	return *path ? 0 : -ENOMEM;
}

/* Write bee's embedded headers under the cache dir once per version. */
static int include_dir(const char *cache_dir, char **out)
{
	size_t n = bee_bpf_h_end - bee_bpf_h_start;
	char dir[PATH_MAX], sub[PATH_MAX + 8], file[PATH_MAX + 32], hex[33];
	struct bee_hash h;
	int err;

	bee_hash_init(&h);
	bee_hash_update(&h, bee_bpf_h_start, n);
	bee_hash_hex(&h, hex);
	snprintf(dir, sizeof(dir), "%s/include-%.16s", cache_dir, hex);
	snprintf(sub, sizeof(sub), "%s/bee", dir);
	snprintf(file, sizeof(file), "%s/bee.bpf.h", sub);
	if (access(file, R_OK) != 0) {
		char tmp[PATH_MAX + 64];

		err = bee_mkdirs(sub, 0755);
		if (err)
			return err;
		snprintf(tmp, sizeof(tmp), "%s.%d", file, (int)getpid());
		err = bee_write_file(tmp, bee_bpf_h_start, n);
		if (!err && rename(tmp, file))
			err = -errno;
		if (err) {
			unlink(tmp);
			return err;
		}
	}
	*out = strdup(dir);
	return *out ? 0 : -ENOMEM;
}

static const char *find_clang(void)
{
	static char found[PATH_MAX];
	static const char *names[] = { "clang", "clang-19", "clang-18", "clang-17", "clang-16",
				       "clang-15", "clang-14" };
	const char *env = getenv("BEE_CLANG"), *path;

	if (env && *env)
		return env;
	if (found[0])
		return found;
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *p = path;
		while (*p) {
			const char *e = strchr(p, ':');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			snprintf(found, sizeof(found), "%.*s/%s", (int)len, p, names[i]);
			if (access(found, X_OK) == 0)
				return found;
			p += len + (e ? 1 : 0);
		}
	}
	found[0] = 0;
	return NULL;
}

static void hash_file(struct bee_hash *h, const char *path)
{
	char *buf;
	size_t n;

	bee_hash_str(h, path);
	if (bee_read_file(path, &buf, &n) == 0) {
		bee_hash_update(h, buf, n);
		free(buf);
	} else {
		bee_hash_str(h, "(missing)");
	}
}

/* Parse a make-style depfile into a newline-separated list of paths
 * (skipping the source itself and bee's generated headers, already keyed). */
static char *depfile_paths(const char *depfile, const char *src, const char *skip1,
			   const char *skip2, const char *skip3)
{
	char *buf, *out, *p, *tok;
	size_t n, len = 0;

	if (bee_read_file(depfile, &buf, &n))
		return NULL;
	out = calloc(1, n + 2);
	if (!out) {
		free(buf);
		return NULL;
	}
	p = strchr(buf, ':');
	p = p ? p + 1 : buf;
	for (char *s = p; *s; s++)
		if (*s == '\\' && (s[1] == '\n' || s[1] == '\r'))
			s[0] = s[1] = ' ';
	for (tok = strtok(p, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
		if (!strcmp(tok, src) || strstr(tok, skip1) == tok || strstr(tok, skip2) == tok ||
		    strstr(tok, skip3) == tok)
			continue;
		len += sprintf(out + len, "%s\n", tok);
	}
	free(buf);
	return out;
}

static void key1_of(const struct bee_hash *key0, const char *deps, char out[33])
{
	struct bee_hash h = *key0;
	char *copy = strdup(deps ? deps : ""), *save = NULL;

	for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		hash_file(&h, t);
	free(copy);
	bee_hash_hex(&h, out);
}

/*
 * clang emits BTF only for types reachable from globals and functions, so a
 * `struct event` used only as a local variable (the libbpf way) would leave
 * bee nothing to decode records with. A header force-included before the
 * source declares a pointer to every struct the source and its local
 * headers define; a file-scope `struct event *p;` names the same type that
 * the source completes later.
 */
static void collect_structs(const char *path, const char *dir, int depth, char *names, size_t sz)
{
	char *buf, *p;

	if (depth > 4 || bee_read_file(path, &buf, NULL))
		return;
	for (p = buf; (p = strstr(p, "struct")); p += 6) {
		char name[128], *q = p + 6;
		size_t n = 0;

		if (p > buf && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		if (!isspace((unsigned char)*q))
			continue;
		while (isspace((unsigned char)*q))
			q++;
		while ((isalnum((unsigned char)*q) || *q == '_') && n < sizeof(name) - 1)
			name[n++] = *q++;
		name[n] = 0;
		while (isspace((unsigned char)*q))
			q++;
		if (!n || *q != '{' || isdigit((unsigned char)name[0]))
			continue;
		char key[140];
		snprintf(key, sizeof(key), " %s ", name);
		if (strstr(names, key) || strlen(names) + strlen(key) + 1 >= sz)
			continue;
		strcat(names, key + 1);
	}
	/* follow #include "local.h" */
	for (p = buf; (p = strstr(p, "#include")); p += 8) {
		char *q = p + 8, inc[PATH_MAX + 256];
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '"')
			continue;
		char *e = strchr(q + 1, '"');
		if (!e || e - q > 255)
			continue;
		snprintf(inc, sizeof(inc), "%s/%.*s", dir, (int)(e - q - 1), q + 1);
		collect_structs(inc, dir, depth + 1, names, sz);
	}
	free(buf);
}

static int write_keep_header(const char *src, const char *dir, const char *file)
{
	char *names = calloc(1, 65536), *out, *save = NULL;
	size_t len = 0;
	int err;

	if (!names)
		return -ENOMEM;
	names[0] = ' ';
	collect_structs(src, dir, 0, names, 65536);
	out = malloc(strlen(names) * 3 + 256);
	if (!out) {
		free(names);
		return -ENOMEM;
	}
	len += sprintf(out, "/* generated by bee: keep the source's structs in BTF */\n");
	for (char *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save))
		len += sprintf(out + len, "struct %s *__bee_keep__%s __attribute__((weak));\n", t, t);
	err = bee_write_file(file, out, len);
	free(out);
	free(names);
	return err;
}

/* Run clang; its stderr goes to a file we read on failure. */
static int run_clang(char *const argv[], const char *errfile, int *status)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -err;
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* clang's first error as one line, e.g. "x.bpf.c:3:1: error: unknown type". */
static void report_clang_errors(const char *src, const char *errfile)
{
	char *buf = NULL, *line, *first = NULL, *save;
	size_t n;
	int cnt = 0;

	if (bee_read_file(errfile, &buf, &n) || !n) {
		pr_err("compile '%s': clang failed", src);
		free(buf);
		return;
	}
	pr_info("%s", buf);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, ": error:") || strstr(line, ": fatal error:")) {
			if (!first)
				first = line;
			cnt++;
		}
	}
	if (!first)
		first = buf;
	if (cnt > 1)
		pr_err("%s (and %d more error%s)", first, cnt - 1, cnt > 2 ? "s" : "");
	else
		pr_err("%s", first);
	free(buf);
}

int bee_compile(const char *src, const struct bee_obj_opts *opts, char **obj_path)
{
	char *cache = NULL, *vmdir = NULL, *incdir = NULL, *deps = NULL, *srcdir = NULL;
	char abs[PATH_MAX], objdir[PATH_MAX + 8], depsfile[PATH_MAX + 64], objfile[PATH_MAX + 64];
	char tmpobj[PATH_MAX + 96], tmpdep[PATH_MAX + 96], errfile[PATH_MAX + 96];
	char kkey[33], k0hex[33], k1hex[33], incflag[PATH_MAX + 8], vmflag[PATH_MAX + 8];
	char srcflag[PATH_MAX + 8], keepfile[PATH_MAX + 96];
	const char *const *cflags = opts && opts->sz > offsetof(struct bee_obj_opts, cflags) ? opts->cflags : NULL;
	bool no_cache = opts && opts->sz > offsetof(struct bee_obj_opts, no_cache) && opts->no_cache;
	const char *clang = find_clang();
	struct bee_hash k0;
	struct stat st;
	char *argv[64];
	int argc = 0, status, err;

	*obj_path = NULL;
	if (!realpath(src, abs)) {
		err = -errno;
		pr_err("cannot open '%s': %s", src, strerror(errno));
		return err;
	}
	if (!clang) {
		pr_err("compile '%s': clang not found in PATH (install clang, or set BEE_CLANG)", src);
		return -ENOENT;
	}
	cache = bee_cache_dir(opts);
	if (!cache)
		return -ENOMEM;
	err = bee_vmlinux_h_cached(cache, &vmdir, kkey);
	if (err)
		goto out;
	err = include_dir(cache, &incdir);
	if (err) {
		pr_err("cannot write bee's headers under '%s': %s", cache, strerror(-err));
		goto out;
	}
	srcdir = strdup(abs);
	*strrchr(srcdir, '/') = 0;

	/* KEY0: what determines the compile apart from included files */
	bee_hash_init(&k0);
	bee_hash_str(&k0, "bee-compile-v2");
	hash_file(&k0, abs);
	bee_hash_str(&k0, kkey);
	bee_hash_str(&k0, incdir);
	bee_hash_str(&k0, clang);
	if (stat(clang, &st) == 0) {
		bee_hash_update(&k0, &st.st_size, sizeof(st.st_size));
		bee_hash_update(&k0, &st.st_mtime, sizeof(st.st_mtime));
	}
	for (int i = 0; cflags && cflags[i]; i++)
		bee_hash_str(&k0, cflags[i]);
	bee_hash_hex(&k0, k0hex);

	snprintf(objdir, sizeof(objdir), "%s/obj", cache);
	err = bee_mkdirs(objdir, 0755);
	if (err) {
		pr_err("cannot create cache dir '%s': %s", objdir, strerror(-err));
		goto out;
	}
	snprintf(depsfile, sizeof(depsfile), "%s/%s.deps", objdir, k0hex);
	if (!no_cache && bee_read_file(depsfile, &deps, NULL) == 0) {
		key1_of(&k0, deps, k1hex);
		snprintf(objfile, sizeof(objfile), "%s/%s.o", objdir, k1hex);
		if (access(objfile, R_OK) == 0) {
			pr_debug("%s: cached object %s", src, objfile);
			*obj_path = strdup(objfile);
			err = *obj_path ? 0 : -ENOMEM;
			goto out;
		}
	}

	snprintf(tmpobj, sizeof(tmpobj), "%s/tmp-%d-%s.o", objdir, (int)getpid(), k0hex);
	snprintf(tmpdep, sizeof(tmpdep), "%s/tmp-%d-%s.d", objdir, (int)getpid(), k0hex);
	snprintf(errfile, sizeof(errfile), "%s/tmp-%d-%s.err", objdir, (int)getpid(), k0hex);
	snprintf(incflag, sizeof(incflag), "-I%s", incdir);
	snprintf(vmflag, sizeof(vmflag), "-I%s", vmdir);
	snprintf(srcflag, sizeof(srcflag), "-I%s", srcdir);
	snprintf(keepfile, sizeof(keepfile), "%s/tmp-%d-%s.keep.h", objdir, (int)getpid(), k0hex);
	err = write_keep_header(abs, srcdir, keepfile);
	if (err) {
		pr_err("cannot write '%s': %s", keepfile, strerror(-err));
		goto out;
	}
	argv[argc++] = (char *)clang;
	argv[argc++] = "-target";
	argv[argc++] = "bpf";
	argv[argc++] = "-g";
	argv[argc++] = "-O2";
#if defined(__x86_64__)
	argv[argc++] = "-D__TARGET_ARCH_x86";
#elif defined(__aarch64__)
	argv[argc++] = "-D__TARGET_ARCH_arm64";
#endif
	argv[argc++] = "-Wno-unused-value";
	argv[argc++] = "-Wno-compare-distinct-pointer-types";
	argv[argc++] = "-fno-color-diagnostics";
	argv[argc++] = srcflag;
	argv[argc++] = incflag;
	argv[argc++] = vmflag;
	for (int i = 0; cflags && cflags[i] && argc < 50; i++)
		argv[argc++] = (char *)cflags[i];
	argv[argc++] = "-include";
	argv[argc++] = keepfile;
	argv[argc++] = "-MD";
	argv[argc++] = "-MF";
	argv[argc++] = tmpdep;
	argv[argc++] = "-c";
	argv[argc++] = abs;
	argv[argc++] = "-o";
	argv[argc++] = tmpobj;
	argv[argc] = NULL;

	pr_debug("compiling %s", src);
	err = run_clang(argv, errfile, &status);
	if (err) {
		pr_err("compile '%s': cannot run %s: %s", src, clang, strerror(-err));
		goto out_tmp;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		report_clang_errors(src, errfile);
		err = -EINVAL;
		goto out_tmp;
	}
	free(deps);
	deps = depfile_paths(tmpdep, abs, incdir, vmdir, objdir);
	if (!deps) {
		err = -ENOMEM;
		goto out_tmp;
	}
	key1_of(&k0, deps, k1hex);
	snprintf(objfile, sizeof(objfile), "%s/%s.o", objdir, k1hex);
	if (rename(tmpobj, objfile)) {
		err = -errno;
		pr_err("cannot store object in cache '%s': %s", objfile, strerror(errno));
		goto out_tmp;
	}
	/* best effort: a missing deps file only costs a compile next time */
	{
		char tmp[PATH_MAX + 96];
		snprintf(tmp, sizeof(tmp), "%s.%d", depsfile, (int)getpid());
		if (bee_write_file(tmp, deps, strlen(deps)) == 0 && rename(tmp, depsfile))
			unlink(tmp);
	}
	*obj_path = strdup(objfile);
	err = *obj_path ? 0 : -ENOMEM;
out_tmp:
	unlink(tmpobj);
	unlink(tmpdep);
	unlink(errfile);
	unlink(keepfile);
out:
	free(deps);
	free(srcdir);
	free(incdir);
	free(vmdir);
	free(cache);
	return err;
}
