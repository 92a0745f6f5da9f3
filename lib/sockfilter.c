// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Socket filters: a SOCKET_FILTER program on one socket (SO_ATTACH_BPF).
 * The socket holds the program, so it goes with the socket. */
#include <stdio.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include "netpriv.h"

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif
#ifndef SO_DETACH_BPF
#define SO_DETACH_BPF 27 /* same value as SO_DETACH_FILTER */
#endif

int bee_sockfilter__attach(int prog_fd, int sock_fd)
{
	char hook[48];
	int err;

	snprintf(hook, sizeof(hook), "socket filter on fd %d", sock_fd);
	err = net_prog_check_type(prog_fd, BPF_PROG_TYPE_SOCKET_FILTER, hook);
	if (err)
		return err;
	if (setsockopt(sock_fd, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof(prog_fd))) {
		err = -errno;
		pr_err("%s: %s", hook, strerror(errno));
	}
	return err;
}

int bee_sockfilter__detach(int sock_fd)
{
	int dummy = 0;

	if (setsockopt(sock_fd, SOL_SOCKET, SO_DETACH_BPF, &dummy, sizeof(dummy))) {
		int err = -errno;
		pr_err("socket filter on fd %d: cannot detach: %s", sock_fd, strerror(errno));
		return err;
	}
	return 0;
}
