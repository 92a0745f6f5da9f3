// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * User stacks unwound through DWARF call-frame information (.eh_frame,
 * .debug_frame), for code built without frame pointers: most of what a
 * distribution ships. The kernel's own user-stack walk follows frame
 * pointers only, so a sample carries the registers and a copy of the top
 * of the user stack instead, and the walk happens here with libdw's frame
 * unwinder (elfutils), the way `perf record --call-graph dwarf` does it.
 *
 * One Dwfl per process (pid + address space): modules reported once from
 * /proc/PID/maps, their CFI parsed once by libdw and kept, so a long
 * profile pays for each binary once. Stack memory outside the copy is not
 * read (the process may be gone by then): the walk stops there.
 */
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <unistd.h>

#include "internal.h"

struct uw_proc {
	pid_t pid;
	uint64_t mm;
	Dwfl *dwfl; /* NULL: could not be set up (process gone) */
};

struct bee_unwinder {
	struct uw_proc *procs;
	size_t cnt, cap;
	/* the sample being unwound, read by the callbacks */
	const uint64_t *regs;
	const uint8_t *stack;
	size_t len;
	pid_t pid;
};

static pid_t uw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct bee_unwinder *u = arg;

	(void)dwfl;
	/* one thread: the sampled one (its registers are what we have) */
	if (*thread_argp)
		return 0;
	*thread_argp = u;
	return u->pid;
}

static bool uw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct bee_unwinder *u = arg;
	uint64_t sp = u->regs[BEE_UW_REG_SP];

	(void)dwfl;
	if (addr < sp || addr - sp + sizeof(*result) > u->len)
		return false;
	memcpy(result, u->stack + (addr - sp), sizeof(*result));
	return true;
}

static bool uw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct bee_unwinder *u = arg;
	Dwarf_Word regs[BEE_UW_NREGS];

	for (int i = 0; i < BEE_UW_NREGS; i++)
		regs[i] = u->regs[i];
	/* 0..16: the x86-64 DWARF numbering, 16 being the return address
	 * column, that is the sampled instruction pointer */
	return dwfl_thread_state_registers(thread, 0, BEE_UW_NREGS, regs);
}

static const Dwfl_Thread_Callbacks uw_thread_cbs = {
	.next_thread = uw_next_thread,
	.memory_read = uw_memory_read,
	.set_initial_registers = uw_set_initial_registers,
};

static const Dwfl_Callbacks uw_proc_cbs = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

struct bee_unwinder *bee_unwinder__new(void)
{
	return calloc(1, sizeof(struct bee_unwinder));
}

void bee_unwinder__free(struct bee_unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->cnt; i++)
		if (u->procs[i].dwfl)
			dwfl_end(u->procs[i].dwfl);
	free(u->procs);
	free(u);
}

static Dwfl *proc_dwfl(struct bee_unwinder *u, pid_t pid, uint64_t mm)
{
	struct uw_proc *p;
	Dwfl *dwfl;

	for (size_t i = 0; i < u->cnt; i++)
		if (u->procs[i].pid == pid && u->procs[i].mm == mm)
			return u->procs[i].dwfl;
	if (u->cnt == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;

		p = realloc(u->procs, cap * sizeof(*p));
		if (!p)
			return NULL;
		u->procs = p;
		u->cap = cap;
	}
	p = &u->procs[u->cnt++];
	*p = (struct uw_proc){ .pid = pid, .mm = mm };
	dwfl = dwfl_begin(&uw_proc_cbs);
	if (!dwfl)
		return NULL;
	dwfl_report_begin(dwfl);
	if (dwfl_linux_proc_report(dwfl, pid) || dwfl_report_end(dwfl, NULL, NULL) ||
	    !dwfl_attach_state(dwfl, NULL, pid, &uw_thread_cbs, u)) {
		dwfl_end(dwfl);
		return NULL;
	}
	p->dwfl = dwfl;
	return dwfl;
}

struct uw_walk {
	uint64_t *pcs;
	int n, max;
};

static int uw_frame(Dwfl_Frame *state, void *arg)
{
	struct uw_walk *w = arg;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(state, &pc, NULL) || !pc)
		return DWARF_CB_ABORT;
	w->pcs[w->n++] = pc;
	return w->n < w->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int bee_unwinder__unwind(struct bee_unwinder *u, pid_t pid, uint64_t mm, const uint64_t *regs,
			 const void *stack, size_t len, uint64_t *pcs, int max)
{
	struct uw_walk w = { .pcs = pcs, .max = max };
	Dwfl *dwfl;

	if (max < 1)
		return -EINVAL;
	dwfl = proc_dwfl(u, pid, mm);
	if (dwfl) {
		u->regs = regs;
		u->stack = stack;
		u->len = len;
		u->pid = pid;
		/* ends with -1 where the CFI or the stack copy runs out: what
		 * was walked until then is the stack */
		dwfl_getthread_frames(dwfl, pid, uw_frame, &w);
	}
	if (!w.n)
		pcs[w.n++] = regs[BEE_UW_REG_IP];
	return w.n;
}
