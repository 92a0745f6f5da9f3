// SPDX-License-Identifier: GPL-2.0
/* bee cleanup: what bee left in the kernel that outlives a process, listed
 * and removed, and nothing else.
 *
 * Two kinds outlive bee: objects pinned under <bpffs>/bee/ (where `bee net
 * attach` and `bee cgroup attach` pin their links), and attachments the
 * kernel keeps without any fd (legacy tc filters, netlink XDP,
 * BPF_PROG_ATTACH on cgroups). The kernel records no owner for the second
 * kind, so libbee writes a record of each one it makes (lib/cleanup.c); an
 * attachment is removed only when the record's program id is still attached
 * at the recorded place, so a program someone else attached there since is
 * never touched. Records whose attachment is gone are dropped. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "cleanup.h"
#include "cli.h"
#include "internal.h"

static bool dry_run;
static struct bee_json cj;
static int found, removed, failed;
static char first_err[512];

static int help(void)
{
	printf("Usage: bee cleanup [--dry-run] [-j]\n"
	       "       bee cleanup help\n"
	       "\n"
	       "Lists and removes what bee left in the kernel that outlives a process:\n"
	       "  - links, programs and maps pinned under <bpffs>/bee/ (bee net attach,\n"
	       "    bee cgroup attach): links are detached, pins removed;\n"
	       "  - attachments made without a link, recorded by bee under /run/bee/attached\n"
	       "    ($BEE_RUN_DIR/attached): legacy tc filters, netlink XDP programs,\n"
	       "    BPF_PROG_ATTACH cgroup programs, removed only while the recorded program\n"
	       "    is still the one attached there.\n"
	       "Nothing else is touched. --dry-run (-n) lists without removing.\n"
	       "With -j: a root array of {kind, what, id, prog_id, removed}.\n");
	return EXIT_OK;
}

/* One line (or JSON object) per thing found. @err: 0 removed, else -errno. */
static void report(const char *kind, const char *what, uint32_t id, uint32_t prog_id, int err)
{
	found++;
	if (!dry_run && !err)
		removed++;
	if (!dry_run && err) {
		failed++;
		if (!first_err[0])
			snprintf(first_err, sizeof(first_err), "%s %s: %s", kind, what,
				 strerror(-err));
	}
	if (json_output) {
		bee_json_obj_start(&cj);
		bee_json_kstr(&cj, "kind", kind);
		bee_json_kstr(&cj, "what", what);
		if (id)
			bee_json_kuint(&cj, "id", id);
		if (prog_id)
			bee_json_kuint(&cj, "prog_id", prog_id);
		bee_json_kbool(&cj, "removed", !dry_run && !err);
		if (!dry_run && err)
			bee_json_kstr(&cj, "error", strerror(-err));
		bee_json_obj_end(&cj);
		return;
	}
	printf("%s %s", dry_run ? "would remove" : err ? "cannot remove" : "removed", kind);
	if (id)
		printf(" id %u", id);
	if (prog_id)
		printf(" (prog id %u)", prog_id);
	printf(" %s%s%s\n", what, err && !dry_run ? ": " : "", err && !dry_run ? strerror(-err) : "");
}

/* ---- pins under <bpffs>/bee ------------------------------------------------------ */

/* "prog", "map" or "link" from the fd's fdinfo, with the object's id. */
static const char *obj_kind(int fd, uint32_t *id)
{
	static const char *const keys[] = { "link_id:", "prog_id:", "map_id:" };
	static const char *const kinds[] = { "link", "prog", "map" };
	const char *kind = NULL;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	/* a link's fdinfo shows its program's prog_id too: link_id decides */
	while (fgets(line, sizeof(line), f)) {
		for (int k = 0; k < 3; k++) {
			if (!strncmp(line, keys[k], strlen(keys[k])) &&
			    (!kind || !strcmp(kinds[k], "link"))) {
				kind = kinds[k];
				*id = strtoul(line + strlen(keys[k]), NULL, 10);
			}
		}
	}
	fclose(f);
	return kind;
}


static int pin_visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	uint32_t id = 0, prog_id = 0;
	const char *kind;
	char what[4200];
	int fd, err = 0;

	(void)st;
	if (flag == FTW_DP) {
		/* bee's own directories stay (a concurrent attach may be about
		 * to pin there); per-namespace ones go with their last pin */
		if (!dry_run && ftw->level > 0 && !(ftw->level == 1 && (!strcmp(path + ftw->base, "net") ||
						      !strcmp(path + ftw->base, "cgroup"))))
			rmdir(path);
		return 0;
	}
	if (flag != FTW_F)
		return 0;
	snprintf(what, sizeof(what), "pinned at %s", path);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		report("pin", what, 0, 0, -errno);
		return 0;
	}
	kind = obj_kind(fd, &id);
	if (kind && !strcmp(kind, "link")) {
		struct bpf_link_info info = {};
		uint32_t len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			prog_id = info.prog_id;
		/* detach now, even if some process holds the link open too;
		 * links that cannot detach go with their last reference */
		if (!dry_run && bpf_link_detach(fd) && errno != ENOLINK && errno != EOPNOTSUPP &&
		    errno != EINVAL)
			err = -errno;
	}
	close(fd);
	if (!dry_run && !err && unlink(path))
		err = -errno;
	report(kind ? kind : "pin", what, id, prog_id, err);
	return 0;
}

static int clean_pins(void)
{
	const char *fs = bee_bpffs();
	char top[4096];
	struct stat st;

	if (!fs)
		return -errno;
	snprintf(top, sizeof(top), "%s/bee", fs);
	if (stat(top, &st))
		return errno == ENOENT ? 0 : -errno;
	if (nftw(top, pin_visit, 16, FTW_PHYS | FTW_DEPTH | FTW_MOUNT))
		return -errno;
	return 0;
}

/* ---- recorded attachments --------------------------------------------------------- */

/* An fd for the network namespace with inode @ino: a name under /run/netns
 * or some process's namespace; -ENOENT when it no longer exists. */
static int netns_fd(uint64_t ino)
{
	const char *dirs[] = { "/run/netns", "/proc" };
	char path[512];
	struct stat st;

	for (int d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		while (dir && (e = readdir(dir))) {
			if (e->d_name[0] == '.' || (d == 1 && (e->d_name[0] < '0' || e->d_name[0] > '9')))
				continue;
			snprintf(path, sizeof(path), d ? "%s/%s/ns/net" : "%s/%s", dirs[d], e->d_name);
			if (stat(path, &st) == 0 && st.st_ino == ino) {
				int fd = open(path, O_RDONLY | O_CLOEXEC);

				if (fd >= 0) {
					closedir(dir);
					return fd;
				}
			}
		}
		if (dir)
			closedir(dir);
	}
	return -ENOENT;
}

/* Is @prog_id attached on @ifindex as @kind/@mode (tc: at @prio/@handle),
 * without a link? */
static bool net_attached(int ifindex, const char *kind, const char *mode, uint32_t prio,
			 uint32_t handle, uint32_t prog_id)
{
	struct bee_net_prog np[128];
	int n = bee_net__query(ifindex, np, 128);

	for (int i = 0; i < n && i < 128; i++) {
		if (strcmp(np[i].kind, kind) || strcmp(np[i].mode, mode) || np[i].prog_id != prog_id ||
		    np[i].link_id)
			continue;
		if (!strcmp(kind, "tc") && (np[i].prio != prio || np[i].handle != handle))
			continue;
		return true;
	}
	return false;
}

/* 1 done (reported), 0 gone (stale record), -errno */
static int clean_tc(const char *line)
{
	unsigned long long ns;
	unsigned prio, handle, prog_id;
	char dir[16], ifname[IF_NAMESIZE + 1] = "?", what[256];
	int ifindex, err = 0;

	if (sscanf(line, "tc %llu %d %15s %u %u %u %16s", &ns, &ifindex, dir, &prio, &handle,
		   &prog_id, ifname) < 6)
		return -EINVAL;
	if (!net_attached(ifindex, "tc", dir, prio, handle, prog_id))
		return 0;
	snprintf(what, sizeof(what), "tc filter on dev %s (ifindex %d) %s pref %u handle 0x%x", ifname,
		 ifindex, dir, prio, handle);
	if (!dry_run) {
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
				    .attach_point = strcmp(dir, "egress") ? BPF_TC_INGRESS : BPF_TC_EGRESS);
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, o, .handle = handle, .priority = prio);

		err = bpf_tc_detach(&hook, &o);
	}
	report("tc", what, 0, prog_id, err);
	return 1;
}

static int clean_xdp(const char *line)
{
	static const char *const modes[] = { [XDP_FLAGS_SKB_MODE] = "generic",
					     [XDP_FLAGS_DRV_MODE] = "driver",
					     [XDP_FLAGS_HW_MODE] = "offload" };
	unsigned long long ns;
	unsigned flags, prog_id, mflags;
	char what[128];
	int ifindex, err = 0, found_mode = -1;

	if (sscanf(line, "xdp %llu %d %u %u", &ns, &ifindex, &flags, &prog_id) < 4)
		return -EINVAL;
	mflags = flags & XDP_FLAGS_MODES;
	for (unsigned m = XDP_FLAGS_SKB_MODE; m <= XDP_FLAGS_HW_MODE; m <<= 1)
		if ((!mflags || mflags == m) && net_attached(ifindex, "xdp", modes[m], 0, 0, prog_id))
			found_mode = m;
	if (found_mode < 0)
		return 0;
	snprintf(what, sizeof(what), "xdp program on ifindex %d (%s)", ifindex, modes[found_mode]);
	if (!dry_run) {
		int pfd = bpf_prog_get_fd_by_id(prog_id);
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = pfd);

		/* REPLACE: only if it is still that program */
		err = pfd < 0 ? -errno :
		      bpf_xdp_detach(ifindex, found_mode | XDP_FLAGS_REPLACE, &o) ? -errno : 0;
		if (pfd >= 0)
			close(pfd);
	}
	report("xdp", what, 0, prog_id, err);
	return 1;
}

static int clean_cgroup(const char *line)
{
	struct bee_cgroup_prog q[256];
	unsigned long long cgid;
	unsigned prog_id;
	int type, n, off = 0, err = 0;
	char what[4200];
	const char *path;
	struct stat st;

	if (sscanf(line, "cgroup %llu %d %u %n", &cgid, &type, &prog_id, &off) < 3 || !off)
		return -EINVAL;
	path = line + off;
	/* the cgroup removed (or another made at its path): nothing attached */
	if (stat(path, &st) || st.st_ino != cgid)
		return 0;
	n = bee_cgroup__query(path, false, q, 256);
	for (int i = 0; i < n && i < 256; i++) {
		int pfd;

		if (q[i].prog_id != prog_id || q[i].link_id ||
		    bee_cgroup__attach_type(q[i].attach_type) != type)
			continue;
		snprintf(what, sizeof(what), "cgroup %s attached to %s (BPF_PROG_ATTACH)",
			 q[i].attach_type, path);
		if (!dry_run) {
			pfd = bpf_prog_get_fd_by_id(prog_id);
			err = pfd < 0 ? -errno : bee_cgroup__detach(pfd, path, q[i].attach_type);
			if (pfd >= 0)
				close(pfd);
		}
		report("cgroup", what, 0, prog_id, err);
		return 1;
	}
	return 0;
}

static int clean_records(void)
{
	const char *rdir = bee_record_dir();
	int self_ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	uint64_t self_ino = bee_netns_ino();
	struct dirent *e;
	DIR *d;
	int ret = 0;

	d = opendir(rdir);
	if (!d) {
		ret = errno == ENOENT ? 0 : -errno;
		goto out_close_ns;
	}
	while ((e = readdir(d))) {
		char path[4096 + 300], line[4200] = "";
		unsigned long long ns = 0;
		int r, nsfd = -1, failed_before = failed;
		size_t len;
		FILE *f;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", rdir, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		/* tc and xdp records name their network namespace: enter it */
		if (sscanf(line, "%*s %llu", &ns) == 1 && strncmp(line, "cgroup ", 7) &&
		    ns != self_ino) {
			nsfd = netns_fd(ns);
			if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
				/* the namespace is gone, and its devices with it */
				if (nsfd >= 0)
					close(nsfd);
				if (nsfd < 0 && !dry_run)
					unlink(path);
				continue;
			}
		}
		r = !strncmp(line, "tc ", 3)	  ? clean_tc(line) :
		    !strncmp(line, "xdp ", 4)	  ? clean_xdp(line) :
		    !strncmp(line, "cgroup ", 7) ? clean_cgroup(line) : -EINVAL;
		if (nsfd >= 0) {
			if (self_ns >= 0)
				setns(self_ns, CLONE_NEWNET);
			close(nsfd);
		}
		/* done, stale or unreadable: the record goes (bee_cgroup__detach
		 * already removed its own) */
		if (!dry_run && (r <= 0 || failed == failed_before))
			unlink(path);
	}
	closedir(d);
out_close_ns:
	if (self_ns >= 0)
		close(self_ns);
	return ret;
}

static int cmd_cleanup(int argc, char **argv)
{
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return help();
		if (!strcmp(argv[i], "-n") || (strlen(argv[i]) > 2 && cli_is(argv[i], "--dry-run")))
			dry_run = true;
		else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json_output = true; /* also after the command, as its usage shows */
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			json_output = pretty_output = true;
		else
			return cli_usage("cleanup: unexpected '%s'", argv[i]);
	}
	if (geteuid() != 0 && access(bee_record_dir(), W_OK) && errno == EACCES)
		return cli_err("cleanup: %s: %s", bee_record_dir(), strerror(EACCES));
	if (json_output) {
		cli_json_begin(&cj);
		bee_json_arr_start(&cj);
	}
	err = clean_pins();
	if (!err)
		err = clean_records();
	if (json_output) {
		bee_json_arr_end(&cj);
		bee_json_end(&cj);
	}
	if (err)
		return cli_err("cleanup: %s", strerror(-err));
	if (failed)
		return cli_err("cleanup: %d of %d not removed: %s", failed, found, first_err);
	if (!json_output) {
		if (!found)
			printf("nothing to clean up\n");
		else
			printf("%d %s\n", found, dry_run ? "to remove" : "removed");
	}
	return EXIT_OK;
}

BEE_COMMAND("cleanup", cmd_cleanup, "list and remove what bee left that outlives a process");
