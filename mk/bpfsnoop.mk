# Tools keep their BPF side in tools/NAME/NAME.bpf.c, which the CLI_SRCS
# wildcard (tools/*/*.c) also matches: its object is the embedded BPF ELF and
# must not reach the host link. Prerequisites were fixed when the Makefile was
# read; recipes expand late, so filtering here keeps it out of the link line.
CLI_OBJS := $(filter-out %.bpf.o,$(CLI_OBJS))
