// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bee_link: one type for every attachment bee makes, kernel link or legacy. */
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

struct bee_link {
	struct bpf_link *link;
	/* a kernel link made with raw bpf_link_create (no libbpf wrapper), or -1 */
	int fd;
	int (*undo)(void *ctx);
	void *ctx;
	void (*free_ctx)(void *ctx);
	char desc[160];
};

static struct bee_link *link_alloc(const char *desc)
{
	struct bee_link *l = calloc(1, sizeof(*l));

	if (!l) {
		errno = ENOMEM;
		return NULL;
	}
	l->fd = -1;
	snprintf(l->desc, sizeof(l->desc), "%s", desc ? desc : "");
	return l;
}

struct bee_link *bee_link__from_bpf(struct bpf_link *link, const char *desc)
{
	struct bee_link *l;

	if (!link) {
		errno = EINVAL;
		return NULL;
	}
	l = link_alloc(desc);
	if (!l)
		return NULL;
	l->link = link;
	return l;
}

struct bee_link *bee_link__from_fd(int fd, const char *desc)
{
	struct bee_link *l;

	if (fd < 0) {
		errno = EINVAL;
		return NULL;
	}
	l = link_alloc(desc);
	if (!l)
		return NULL;
	l->fd = fd;
	return l;
}

struct bee_link *bee_link__new_legacy(int (*undo)(void *ctx), void *ctx,
				      void (*free_ctx)(void *ctx), const char *desc)
{
	struct bee_link *l = link_alloc(desc);

	if (!l)
		return NULL;
	l->undo = undo;
	l->ctx = ctx;
	l->free_ctx = free_ctx;
	return l;
}

int bee_link__fd(const struct bee_link *l)
{
	if (!l)
		return -1;
	return l->link ? bpf_link__fd(l->link) : l->fd;
}

struct bpf_link *bee_link__bpf(const struct bee_link *l)
{
	return l ? l->link : NULL;
}

const char *bee_link__desc(const struct bee_link *l)
{
	return l ? l->desc : "";
}

int bee_link__pin(struct bee_link *l, const char *path)
{
	int err;

	if (!l->link && l->fd < 0) {
		pr_err("%s: a legacy attachment cannot be pinned", l->desc);
		return -EOPNOTSUPP;
	}
	if (l->link)
		err = bpf_link__pin(l->link, path);
	else
		err = bpf_obj_pin(l->fd, path) ? -errno : 0;
	if (err)
		pr_err("%s: cannot pin link at '%s': %s", l->desc, path, strerror(-err));
	return err;
}

static void link_free(struct bee_link *l)
{
	if (l->free_ctx)
		l->free_ctx(l->ctx);
	free(l);
}

void bee_link__disconnect(struct bee_link *l)
{
	if (!l)
		return;
	if (l->link) {
		bpf_link__disconnect(l->link);
		bpf_link__destroy(l->link);
	}
	if (l->fd >= 0)
		close(l->fd);
	link_free(l);
}

int bee_link__destroy(struct bee_link *l)
{
	int err = 0;

	if (!l)
		return 0;
	if (l->link)
		err = bpf_link__destroy(l->link);
	else if (l->fd >= 0)
		close(l->fd); /* the kernel detaches when its last reference goes */
	else if (l->undo)
		err = l->undo(l->ctx);
	link_free(l);
	return err;
}
