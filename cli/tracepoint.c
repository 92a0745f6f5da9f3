// SPDX-License-Identifier: GPL-2.0
/* bee tracepoint list [PATTERN]: the kernel's tracepoints (like `perf list
 * tracepoint`), from tracefs, with optional glob filtering. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "internal.h"

static int tp_help(void)
{
	printf("Usage: bee tracepoint { list [PATTERN] | help }\n"
	       "\n"
	       "List the kernel's tracepoints as CATEGORY:NAME (PATTERN is a glob, e.g.\n"
	       "'syscalls:sys_enter_open*' or '*sched_switch'). Attach one with\n"
	       "SEC(\"tp/CATEGORY/NAME\") in a BPF program.\n");
	return EXIT_OK;
}

static int tp_list(int argc, char **argv)
{
	const char *tfs = bee_tracefs(), *pat = argc > 1 ? argv[1] : NULL;
	char path[256], line[512];
	struct bee_json j;
	int n = 0;
	FILE *f;

	if (argc > 2)
		return cli_usage("tracepoint list: unexpected argument '%s'", argv[2]);
	if (!tfs)
		return cli_err("%s", cli_strerr(-errno));
	snprintf(path, sizeof(path), "%s/available_events", tfs);
	f = fopen(path, "re");
	if (!f)
		return cli_err("cannot read %s: %s", path, strerror(errno));
	if (json_output) {
		cli_json_begin(&j);
		bee_json_arr_start(&j);
	}
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		chomp(line);
		if (pat && fnmatch(pat, line, 0))
			continue;
		n++;
		if (!json_output) {
			printf("%s\n", line);
			continue;
		}
		colon = strchr(line, ':');
		bee_json_obj_start(&j);
		if (colon) {
			*colon = 0;
			bee_json_kstr(&j, "category", line);
			bee_json_kstr(&j, "name", colon + 1);
		} else {
			bee_json_kstr(&j, "name", line);
		}
		bee_json_obj_end(&j);
	}
	fclose(f);
	if (json_output) {
		bee_json_arr_end(&j);
		bee_json_end(&j);
	}
	if (pat && !n && !json_output)
		return cli_err("no tracepoint matches '%s'", pat);
	return EXIT_OK;
}

static int do_tracepoint(int argc, char **argv)
{
	static const struct cli_sub subs[] = { { "list", tp_list }, {} };

	if (argc < 2)
		return tp_list(1, argv);
	return cli_dispatch(argc - 1, argv + 1, subs, tp_help);
}

BEE_COMMAND("tracepoint", do_tracepoint, "list the kernel's tracepoints");
