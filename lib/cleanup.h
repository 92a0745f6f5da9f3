/* SPDX-License-Identifier: GPL-2.0 */
/* Records of the attachments that outlive their process without a pin:
 * legacy tc filters (netlink), netlink XDP and BPF_PROG_ATTACH on cgroups.
 * The kernel keeps no owner for them, so bee writes one small file per
 * attachment under <run dir>/attached (/run/bee, or $BEE_RUN_DIR) when it
 * makes one and removes it when it undoes it; `bee cleanup` reads them to
 * find what is bee's and nothing else. Records are best effort: a failure to
 * write one never fails the attachment. */
#ifndef BEE_CLEANUP_H
#define BEE_CLEANUP_H

#include <stdbool.h>
#include <stdint.h>

#define BEE_RECORD_NAME_SZ 128

/* <run dir>/attached: $BEE_RUN_DIR/attached or /run/bee/attached. */
const char *bee_record_dir(void);

/* Inode of this thread's network namespace (0 if unknown). */
uint64_t bee_netns_ino(void);
/* The id of the program behind @prog_fd (0 if unknown). */
uint32_t bee_prog_id_of(int prog_fd);

/* Record names, written into @name (BEE_RECORD_NAME_SZ bytes). */
void bee_record_name_tc(char *name, int ifindex, bool egress, uint32_t prio, uint32_t handle);
void bee_record_name_xdp(char *name, int ifindex, uint32_t flags);
void bee_record_name_cgroup(char *name, uint64_t cgroup_id, int attach_type, uint32_t prog_id);

/* Write record @name holding one line (printf-style). 0 or -errno. */
int bee_record__add(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Remove record @name; a missing one is not an error. */
void bee_record__del(const char *name);

#endif
