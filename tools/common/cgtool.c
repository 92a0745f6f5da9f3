// SPDX-License-Identifier: GPL-2.0
/* The run of a cgroup tool: the command inside the cgroup, the events, the
 * end by signal, time or the command's exit. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "cgtool.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int cgtool_bad_option(const char *tool, char **argv)
{
	/* name the option: optopt for a short one, else the word */
	if (optopt)
		return cli_usage("%s: unknown option '-%c' or missing value (see 'bee %s --help')",
				 tool, optopt, tool);
	return cli_usage("%s: unknown option '%s' (see 'bee %s --help')", tool, argv[optind - 1],
			 tool);
}

int cgtool_follow(const char *tool, const char *cgroup, struct bee_events *ev, double duration,
		  char **cmd, pid_t *child, int *status)
{
	struct timespec t0, now;

	*child = 0;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (cmd) {
		*child = net_spawn_in_cgroup(cgroup, cmd);
		if (*child < 0) {
			int err = -*child;

			*child = 0;
			return cli_err("%s: cannot start '%s': %s", tool, cmd[0], strerror(err));
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop) {
		bee_events__poll(ev, 50);
		if (*child > 0 && waitpid(*child, status, WNOHANG) == *child) {
			*child = 0;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration && (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= duration)
			break;
	}
	bee_events__consume(ev);
	return 0;
}

void cgtool_stop_child(pid_t child)
{
	int status;

	if (child <= 0)
		return;
	kill(child, SIGTERM);
	waitpid(child, &status, 0);
}
