/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Helpers shared by the network and cgroup attachment files (xdp.c, tc.c,
 * cgroup.c, sockfilter.c, attach_net.c); not installed. */
#ifndef BEE_NETPRIV_H
#define BEE_NETPRIV_H

#include <stdint.h>

#include "internal.h"

/* Type, name and id of a loaded program (name may be NULL). 0 or -errno. */
int net_prog_info(int prog_fd, uint32_t *type, char *name, size_t name_sz, uint32_t *id);
/* "xdp", "sched_cls", ... from kernel BTF, or "type N" (static storage). */
const char *net_prog_type_str(uint32_t type);
/* Check @prog_fd has type @want for @hook ("xdp on 'veth0'"); logs the
 * mismatch naming both types. 0 or -EINVAL / -EBADF. */
int net_prog_check_type(int prog_fd, uint32_t want, const char *hook);
/* if_nametoindex with a logged -ENODEV naming the interface. */
int net_ifindex(const char *ifname);

/* One kernel link, as found by net_links_find(). */
struct net_link {
	uint32_t id;
	uint32_t prog_id;
	uint32_t u32[2];   /* xdp: ifindex; tcx: ifindex, attach_type; cgroup: attach_type */
	uint64_t cgroup_id;
};
/* Every kernel link of @link_type (enum bpf_link_type value); up to @max
 * into @out. Returns the count found (may exceed @max) or -errno. */
int net_links_find(uint32_t link_type, struct net_link *out, int max);
/* A link type's value by its enum constant name from kernel BTF, or -1. */
int net_enum(const char *name);

#endif
