// SPDX-License-Identifier: GPL-2.0
/*
 * The "pids" line of prog/map/link show: which processes hold each object.
 * The table (lib/pids.c) is built at most once per command, and only when
 * the first object that could show it is printed.
 */
#include <stdio.h>

#include "cli.h"
#include "internal.h"

static struct bee_pids *table;
static bool tried;

static const struct bee_pids *pids_table(void)
{
	const void *obj;
	size_t sz = 0;

	if (tried)
		return table;
	tried = true;
	obj = cli_embedded("pids", &sz);
	table = bee_pids__new(obj, sz);
	if (!table)
		pr_debug("pids: cannot tell which processes hold BPF objects: %s",
			 strerror(errno));
	return table;
}

static __attribute__((destructor)) void pids_free(void)
{
	bee_pids__free(table);
	table = NULL;
}

void cli_pids_print(struct bee_json *j, int kind, uint32_t id)
{
	const struct bee_pid_ref *r;
	size_t n;

	r = bee_pids__find(pids_table(), kind, id, &n);
	if (!n)
		return;
	if (j) {
		bee_json_key(j, "pids");
		bee_json_arr_start(j);
		for (size_t i = 0; i < n; i++) {
			bee_json_obj_start(j);
			bee_json_kuint(j, "pid", r[i].pid);
			bee_json_kstr(j, "comm", r[i].comm);
			bee_json_obj_end(j);
		}
		bee_json_arr_end(j);
		return;
	}
	printf("\tpids ");
	for (size_t i = 0; i < n; i++)
		printf("%s%s(%u)", i ? ", " : "", r[i].comm, r[i].pid);
	printf("\n");
}

bool cli_pids_own(int kind, uint32_t id)
{
	/* without a table there were no objects of bee's making */
	return bee_pids__own(table, kind, id);
}
