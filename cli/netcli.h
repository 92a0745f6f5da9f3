/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by `bee net` and `bee cgroup` (cli/net.c, cli/cgroup.c). */
#ifndef BEE_NETCLI_H
#define BEE_NETCLI_H

#include <stdint.h>

#include "cli.h"

/* A program given as PROG := { id ID | pinned PATH | object FILE [sec S | prog NAME] }. */
struct net_prog_spec {
	int fd;              /* the loaded program */
	uint32_t id;
	char name[64];
	struct bee_obj *obj; /* loaded from a BPF C source */
	struct bpf_object *bobj; /* loaded from a compiled object (libbpf directly, as ip/tc) */
	int offload_ifindex;  /* set before parsing: load an object's program for this device */
};

/* Parse PROG at argv[*i], advancing *i. p->offload_ifindex (0: none) is
 * read before p is filled. @want_type is the program type the
 * hook needs (picks the program of an object when neither sec nor prog is
 * given; gives programs libbpf 1.1 cannot type that type); @want_attach is
 * the expected attach type for cgroup programs, or -1. Returns 0, or an exit
 * code with the error printed. */
int net_prog_parse(int argc, char **argv, int *i, int want_type, int want_attach,
		   struct net_prog_spec *p);
void net_prog_free(struct net_prog_spec *p);
/* <bpffs>/bee/SUB, created; writes to @out. 0 or exit code with error. */
int net_pin_dir(const char *sub, char *out, size_t n);
/* Detach the link pinned at @path and remove the pin: 1 done, 0 no pin,
 * -errno. */
int net_unpin_detach(const char *path);

/* Start @argv in the cgroup directory @cgroup: the child enters the
 * cgroup (cgroup.procs) before exec. Returns the pid or -errno. */
int net_spawn_in_cgroup(const char *cgroup, char **argv);
/* Exit status of a child as a shell reports it (128+signal). */
int net_wait_status(int status);

#endif
