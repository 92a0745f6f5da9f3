// SPDX-License-Identifier: GPL-2.0
/*
 * bee bashreadline: print the lines typed into interactive bash shells,
 * through a uretprobe on readline() (the seed's attach_uretprobe). Debian's
 * bash has readline built in and exports it; a bash linked with the shared
 * libreadline gets the probe on the library instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "../common/tool.h"
#include "internal.h"
#include "bashreadline.h"

struct bashreadline {
	const char *shell;   /* --shell, default "bash" through $PATH */
	pid_t pid;
	char target[PATH_MAX];
};

static int usage(void)
{
	printf("Usage: bee bashreadline [OPTIONS]\n"
	       "\n"
	       "Print every line typed into an interactive bash (readline() returns it),\n"
	       "with the shell's pid. The probe is a uretprobe on readline in the shell\n"
	       "binary, or in libreadline when the shell uses the shared library.\n"
	       "A shell that is already waiting in readline() when bee starts shows its\n"
	       "lines from the next one on (a uretprobe sees only calls made after it).\n"
	       "\n"
	       "OPTIONS:\n"
	       "  -s, --shell PATH    the shell binary (default: bash, found through $PATH)\n"
	       "  -p, --pid PID       only the shell with this pid\n"
	       "      --duration S    stop after S seconds\n"
	       "  -j, --json          one JSON object per line:\n"
	       "                      {\"type\":\"event\",\"map\":\"events\",\"data\":{\"pid\":..,\n"
	       "                      \"uid\":..,\"comm\":..,\"line\":..}}\n"
	       "  -q, --quiet         no status lines on stderr\n"
	       "  -h, --help          this help\n");
	return EXIT_OK;
}

/* "TIME PID LINE", as BCC prints it, each line as it is typed (also into a
 * pipe, which the runner would buffer). */
static int print_event(void *ctx, const char *map, const void *data, size_t size, FILE *out)
{
	const struct bashreadline_event *e = data;
	char ts[16], comm[17];
	time_t now = time(NULL);

	if (size < sizeof(*e))
		return 0;
	if (json_output) {
		struct bee_json j;

		snprintf(comm, sizeof(comm), "%.16s", e->comm);
		tool_json_event_begin(&j, out, map);
		bee_json_kuint(&j, "pid", e->pid);
		bee_json_kuint(&j, "uid", e->uid);
		bee_json_kstr(&j, "comm", comm);
		bee_json_key(&j, "line");
		bee_json_stringn(&j, e->line, strnlen(e->line, sizeof(e->line)));
		tool_json_event_end(&j);
		return 1;
	}
	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	fprintf(out, "%-9s %-7u %.*s\n", ts, e->pid, (int)strnlen(e->line, sizeof(e->line)), e->line);
	fflush(out);
	return 1;
}

/* Does the ELF file @path name a libreadline among its DT_NEEDED? */
static bool needs_libreadline(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *elf;

	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *name;

			if (!gelf_getdyn(d, i, &dyn) || dyn.d_tag != DT_NEEDED)
				continue;
			name = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
			if (name && !strncmp(name, "libreadline.so", 14)) {
				found = true;
				break;
			}
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

static int attach(struct bee_obj *obj, void *ctx)
{
	struct bashreadline *br = ctx;
	char lib[PATH_MAX];
	uint64_t off;
	int err;

	err = bee_resolve_binary(br->shell, br->pid, br->target, sizeof(br->target));
	if (err) {
		pr_err("bashreadline: shell '%s': %s", br->shell,
		       err == -ENOENT ? "not found (give its path with --shell)" : strerror(-err));
		return err;
	}
	if (bee_resolve_uprobe(br->target, "readline", &off) == -ENOENT) {
		/* readline is not in the shell: it must come from libreadline */
		if (!needs_libreadline(br->target)) {
			pr_err("bashreadline: %s has no readline() and does not link libreadline: "
			       "is it bash?", br->target);
			return -ENOENT;
		}
		err = bee_resolve_binary("readline", br->pid, lib, sizeof(lib));
		if (err) {
			pr_err("bashreadline: %s links libreadline, which was not found",
			       br->target);
			return -ENOENT;
		}
		snprintf(br->target, sizeof(br->target), "%s", lib);
	}
	if (!bee_obj__attach_uprobe(obj, "readline_return", br->target, "readline",
				    br->pid ? br->pid : -1, true))
		return -errno;
	return 0;
}

static int do_bashreadline(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "shell", required_argument, NULL, 's' }, { "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'D' }, { "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{},
	};
	struct bashreadline br = { .shell = "bash" };
	struct tool_cmd t = { .name = "bashreadline", .usage = usage };
	int c, code = tool_parse_start(&t, argc, argv);

	if (code != TOOL_GO_ON)
		return code;
	while ((c = getopt_long(argc, argv, ":s:p:jqh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			br.shell = optarg;
			break;
		default:
			code = tool_common_option(&t, c, argc, argv);
			if (code != TOOL_GO_ON)
				return code;
		}
	}
	code = tool_no_more_args(&t, argc, argv, optind);
	if (code)
		return code;
	br.pid = t.pid;
	t.run.no_maps = true;
	t.run.no_trace = true;
	t.run.attach = attach;
	t.run.tool_ctx = &br;
	t.run.print_event = print_event;
	t.run.header = "TIME      PID     COMMAND";
	return tool_run(&t, br.pid);
}

BEE_TOOL("bashreadline", do_bashreadline, "print the lines typed into bash (readline uretprobe)");
