# bee: a plain GNU Makefile, out-of-tree build in $(BUILD), quiet unless V=1.
#
#   make            build bee, libbee, tools, examples and tests
#   make demo       install what is missing, build, run a real tracing session
#   make check      install, build, run every test (unit, kernel, cli, asan, kernel matrix)
#   make SAN=1      build with AddressSanitizer + UBSan (into build-asan/)

SAN ?=
ifeq ($(SAN),1)
BUILD ?= build-asan
else
BUILD ?= build
endif
CC ?= gcc
CLANG ?= clang
PKGS := libbpf libelf zlib capstone libdw

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-6s %s\n' "$(1)" "$(2)";
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-format-truncation \
	  -fvisibility=hidden -D_GNU_SOURCE -Iinclude -Ilib -Itests/common -I$(BUILD) -MMD -MP \
	  $(shell pkg-config --cflags $(PKGS))
ifneq ($(CI),)
CFLAGS += -Werror
endif
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lpthread

BPF_CFLAGS := -target bpf -g -O2 -D__TARGET_ARCH_x86 -Iinclude -I$(BUILD) \
	      -Wno-unused-value -Wno-compare-distinct-pointer-types

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
CLI_SRCS := $(sort $(wildcard cli/*.c) $(filter-out %.bpf.c,$(wildcard tools/*/*.c)))
CLI_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRCS))

# Tools: tools/NAME/NAME.bpf.c, compiled at build time and embedded in bee.
TOOL_BPF := $(sort $(wildcard tools/*/*.bpf.c))
TOOL_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(TOOL_BPF))
EXAMPLE_BPF := $(sort $(wildcard examples/*.bpf.c))
EXAMPLE_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(EXAMPLE_BPF))
EXAMPLE_PROGS := $(patsubst %.c,$(BUILD)/%,$(filter-out %.bpf.c,$(sort $(wildcard examples/*.c))))
TESTBPF_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(sort $(wildcard tests/bpf/*.bpf.c)))
UNIT_TESTS := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard tests/unit/test_*.c)))
KERNEL_TESTS := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard tests/kernel/test_*.c)))
TEST_HELPERS := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard tests/helpers/*.c)))
TEST_COMMON := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tests/common/*.c)))

all: $(BUILD)/bee $(BUILD)/libbee.a $(BUILD)/vmlinux.h $(EXAMPLE_OBJS) $(EXAMPLE_PROGS) $(TESTBPF_OBJS) \
     $(UNIT_TESTS) $(KERNEL_TESTS) $(TEST_HELPERS)

deps:
	$(Q)scripts/deps.sh

$(BUILD)/libbee.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# bee.bpf.h is embedded in libbee (lib/compile.c's .incbin)
$(BUILD)/lib/compile.o: include/bee/bee.bpf.h

# vmlinux.h for the build-time BPF objects comes from bee's own generator.
$(BUILD)/genvmlinux: $(BUILD)/scripts/genvmlinux.o $(BUILD)/libbee.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/vmlinux.h: $(BUILD)/genvmlinux
	$(call msg,GEN,$@)
	$(Q)$(BUILD)/genvmlinux $@

BPF_DEPS := $(BUILD)/vmlinux.h $(wildcard include/bee/*.bpf.h)

$(BUILD)/%.bpf.o: %.bpf.c $(BPF_DEPS)
	$(call msg,BPF,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(dir $<) -c $< -o $@

# Embed each tool object: a generated assembly file with .incbin and a table.
$(BUILD)/tools_embed.S: $(TOOL_OBJS) Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q){ echo '.section .rodata'; \
	  for o in $(TOOL_OBJS); do n=$$(basename $$o .bpf.o | tr -c 'a-zA-Z0-9_\n' _); \
	    echo ".balign 8"; echo "bee_tool_$${n}_start:"; echo ".incbin \"$$o\""; echo "bee_tool_$${n}_end:"; done; \
	  echo '.section .data.rel.ro,"aw"'; echo '.balign 8'; echo '.global bee_embedded_objs'; \
	  echo 'bee_embedded_objs:'; \
	  for o in $(TOOL_OBJS); do n=$$(basename $$o .bpf.o); m=$$(echo $$n | tr -c 'a-zA-Z0-9_\n' _); \
	    echo ".quad bee_tool_name_$$m, bee_tool_$${m}_start, bee_tool_$${m}_end"; done; \
	  echo '.quad 0, 0, 0'; \
	  echo '.section .rodata'; \
	  for o in $(TOOL_OBJS); do n=$$(basename $$o .bpf.o); m=$$(echo $$n | tr -c 'a-zA-Z0-9_\n' _); \
	    echo "bee_tool_name_$$m: .asciz \"$$n\""; done; \
	  echo '.section .note.GNU-stack,"",@progbits'; } > $@

$(BUILD)/tools_embed.o: $(BUILD)/tools_embed.S
	$(call msg,AS,$@)
	$(Q)$(CC) -c $< -o $@

$(BUILD)/bee: $(CLI_OBJS) $(BUILD)/tools_embed.o $(BUILD)/libbee.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(CLI_OBJS) $(BUILD)/tools_embed.o $(BUILD)/libbee.a $(LDLIBS) -o $@

$(BUILD)/examples/%: $(BUILD)/examples/%.o $(BUILD)/libbee.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(TEST_COMMON) $(BUILD)/libbee.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests/kernel/%: $(BUILD)/tests/kernel/%.o $(TEST_COMMON) $(BUILD)/libbee.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -lcmocka -o $@

# Small programs the tests drive (workloads); built without sanitizers' noise.
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -Wall -D_GNU_SOURCE -Iinclude $< -o $@ $(if $(filter %bpf_calls,$@),-lbpf,)

# Test and example BPF objects must exist before the tests that open them run.
$(UNIT_TESTS) $(KERNEL_TESTS): | $(TESTBPF_OBJS) $(EXAMPLE_OBJS) $(BUILD)/bee

demo: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/bee $(EXAMPLE_OBJS)
	$(Q)scripts/demo.sh $(BUILD)

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run.sh $(BUILD)

check-long: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BEE_LONG=1 tests/run.sh $(BUILD)

clean:
	rm -rf build build-asan

.PHONY: all deps demo check check-long clean
.DELETE_ON_ERROR:

-include mk/*.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
