// SPDX-License-Identifier: GPL-2.0
/*
 * bee sym: bee's symboliser from the command line, to see what a stack
 * frame or a uprobe target resolves to, and why it is [unknown].
 *
 *   bee sym addr PID ADDR...        user (and kernel) addresses of a process
 *   bee sym kernel ADDR|NAME...     kernel symbols, both ways
 *   bee sym offset BINARY SPEC      the file offset a uprobe on SPEC uses
 *   bee sym library NAME [pid PID]  the file a library name resolves to
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "internal.h"

static int sym_help(void)
{
	printf("Usage: bee sym addr PID ADDR...\n"
	       "       bee sym kernel { ADDR | NAME }...\n"
	       "       bee sym offset BINARY SPEC\n"
	       "       bee sym library NAME [pid PID]\n"
	       "\n"
	       "  addr     resolve addresses in process PID: function+offset, source line\n"
	       "           (DWARF, from a separate debug file too), module and file offset;\n"
	       "           kernel addresses resolve through /proc/kallsyms\n"
	       "  kernel   a kernel address to its function, or a function to its address\n"
	       "  offset   the file offset a uprobe on BINARY (a path or a library name\n"
	       "           like c or libc) uses for SPEC: func, func+0x10 or 0xVADDR\n"
	       "  library  where a library name (c, libc, libc.so.6) or program resolves,\n"
	       "           as the dynamic linker would, or in the maps of PID\n"
	       "\n"
	       "  -j prints JSON: an array of objects for addr and kernel, an object otherwise.\n");
	return EXIT_OK;
}

static int parse_addr(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 16);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT32_MAX)
		return cli_usage("sym: pid must be a positive number, got '%s'", s);
	*out = v;
	return 0;
}

/* One resolved address, as text or as a JSON object. */
static void emit(struct bee_json *j, uint64_t addr, int err, const struct bee_sym *sym)
{
	char buf[1024], hex[24];

	if (!j) {
		bee_sym__snprint(sym, addr, buf, sizeof(buf),
				 BEE_SYM_OFFSET | BEE_SYM_MODULE | BEE_SYM_LINE);
		printf("0x%016llx %s\n", (unsigned long long)addr, buf);
		return;
	}
	bee_json_obj_start(j);
	/* a string: JSON readers keep 53 bits of a number, kernel addresses need 64 */
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)addr);
	bee_json_kstr(j, "addr", hex);
	bee_json_key(j, "name");
	err ? bee_json_null(j) : bee_json_string(j, sym->name);
	bee_json_kuint(j, "offset", sym->offset);
	bee_json_key(j, "module");
	sym->module ? bee_json_string(j, sym->module) : bee_json_null(j);
	if (sym->module && sym->module[0] == '/')
		bee_json_kuint(j, "file_offset", sym->module_offset);
	if (sym->file) {
		bee_json_kstr(j, "file", sym->file);
		bee_json_kint(j, "line", sym->line);
	}
	bee_json_obj_end(j);
}

static int do_addr(int argc, char **argv)
{
	BEE_OPTS(bee_syms_opts, so, .lines = true);
	struct bee_ksyms *ks = NULL;
	struct bee_syms *us;
	struct bee_json j;
	pid_t pid;
	int ret = EXIT_OK;

	if (argc < 3)
		return cli_usage("sym addr: want PID ADDR... (see 'bee sym help')");
	if (parse_pid(argv[1], &pid))
		return EXIT_USAGE;
	for (int i = 2; i < argc; i++) {
		uint64_t a;

		if (parse_addr(argv[i], &a))
			return cli_usage("sym addr: '%s' is not a hex address", argv[i]);
	}
	us = bee_syms__new(pid, &so);
	if (!us)
		return errno == ENOENT ? cli_err("sym: no process with pid %d", pid) :
					 cli_err("sym: %s", cli_strerr(-errno));
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	for (int i = 2; i < argc; i++) {
		struct bee_sym sym;
		uint64_t a;
		int err;

		parse_addr(argv[i], &a);
		/* a kernel address in a user's list: a frame of a kernel stack */
		if (a >= 0xffff800000000000ULL) {
			if (!ks)
				ks = bee_ksyms__new();
			err = bee_ksyms__find(ks, a, &sym);
		} else {
			err = bee_syms__find(us, a, &sym);
		}
		emit(json_output ? &j : NULL, a, err, &sym);
	}
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	bee_ksyms__free(ks);
	bee_syms__free(us);
	return ret;
}

static int do_kernel(int argc, char **argv)
{
	struct bee_ksyms *ks;
	struct bee_json j;
	int ret = EXIT_OK;

	if (argc < 2)
		return cli_usage("sym kernel: want ADDR or NAME (see 'bee sym help')");
	ks = bee_ksyms__new();
	if (!ks)
		return cli_err("sym: %s", cli_strerr(-errno));
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	for (int i = 1; i < argc; i++) {
		struct bee_sym sym;
		uint64_t a;
		int err;

		if (!parse_addr(argv[i], &a) && strlen(argv[i]) > 8) {
			err = bee_ksyms__find(ks, a, &sym);
		} else {
			/* a function name (short hex-looking words like "add" too) */
			err = bee_ksyms__addr(ks, argv[i], &a);
			if (err) {
				ret = cli_err("sym kernel: no kernel function '%s'", argv[i]);
				break;
			}
			err = bee_ksyms__find(ks, a, &sym);
		}
		emit(json_output ? &j : NULL, a, err, &sym);
	}
	if (json_output && ret == EXIT_OK) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	bee_ksyms__free(ks);
	return ret;
}

static int do_offset(int argc, char **argv)
{
	char path[4096];
	uint64_t off;
	int err;

	if (argc != 3)
		return cli_usage("sym offset: want BINARY SPEC (see 'bee sym help')");
	err = bee_resolve_binary(argv[1], -1, path, sizeof(path));
	if (!err)
		err = bee_resolve_uprobe(path, argv[2], &off);
	if (err)
		return cli_err("sym: %s", cli_strerr(err));
	if (json_output) {
		struct bee_json j;

		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "binary", path);
		bee_json_kstr(&j, "spec", argv[2]);
		bee_json_kuint(&j, "file_offset", off);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("%s:%s = file offset 0x%llx\n", path, argv[2], (unsigned long long)off);
	}
	return EXIT_OK;
}

static int do_library(int argc, char **argv)
{
	char path[4096];
	pid_t pid = -1;
	int err;

	if (argc == 4 && cli_is(argv[2], "pid")) {
		if (parse_pid(argv[3], &pid))
			return EXIT_USAGE;
	} else if (argc != 2) {
		return cli_usage("sym library: want NAME [pid PID] (see 'bee sym help')");
	}
	err = bee_resolve_binary(argv[1], pid, path, sizeof(path));
	if (err)
		return cli_err("sym: %s", cli_strerr(err));
	if (json_output) {
		struct bee_json j;

		cli_json_begin(&j);
		bee_json_obj_start(&j);
		bee_json_kstr(&j, "name", argv[1]);
		bee_json_kstr(&j, "path", path);
		bee_json_obj_end(&j);
		bee_json_end(&j);
	} else {
		printf("%s\n", path);
	}
	return EXIT_OK;
}

static int cmd_sym(int argc, char **argv)
{
	static const struct cli_sub subs[] = {
		{ "addr", do_addr },
		{ "kernel", do_kernel },
		{ "offset", do_offset },
		{ "library", do_library },
		{},
	};

	return cli_dispatch(argc - 1, argv + 1, subs, sym_help);
}

BEE_COMMAND("sym", cmd_sym, "symbols: addresses of a process or the kernel, uprobe offsets, library names");
