// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Build-time helper: writes vmlinux.h for the running kernel. */
#include <stdio.h>
#include <bee/bee.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: genvmlinux OUT\n");
		return 2;
	}
	return bee_vmlinux_h_write(NULL, argv[1]) ? 1 : 0;
}
