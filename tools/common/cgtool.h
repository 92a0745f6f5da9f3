/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the cgroup tools (cgfw, devguard) share: they hold their programs on
 * a cgroup while they run, print the denials as they come, and may run a
 * command inside the cgroup for as long as the policy should last.
 */
#ifndef BEE_TOOL_CGTOOL_H
#define BEE_TOOL_CGTOOL_H

#include <sys/types.h>

#include "../../cli/netcli.h"

/* The line for an option getopt_long did not take (unknown, or its value
 * missing), pointing at `bee TOOL --help`. Returns EXIT_USAGE. */
int cgtool_bad_option(const char *tool, char **argv);

/* Start @cmd (NULL: no command) inside @cgroup, then print the events of @ev
 * until Ctrl-C or SIGTERM, @duration seconds (0: no limit) or the end of the
 * command, whose wait status then goes to *@status and *@child becomes 0.
 * A command still running is left in *@child for cgtool_stop_child(), so
 * that the tool can report before it ends. Returns 0, or EXIT_FAIL after the
 * one error line when the command cannot start (*@child is 0 then). */
int cgtool_follow(const char *tool, const char *cgroup, struct bee_events *ev, double duration,
		  char **cmd, pid_t *child, int *status);
/* End a command cgtool_follow() left running: SIGTERM, then wait for it.
 * @child 0: nothing to do. */
void cgtool_stop_child(pid_t child);

#endif
