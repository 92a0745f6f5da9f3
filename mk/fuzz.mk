# Fuzzing (libFuzzer, clang): libbee rebuilt with -fsanitize=fuzzer-no-link,
# address,undefined in $(FUZZ_BUILD); one binary per fuzz/fuzz_*.c.
#   make fuzz [FUZZ_SECONDS=60]   run every target (scripts/fuzz.sh)
FUZZ_BUILD ?= build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib -I$(BUILD) \
	       $(shell pkg-config --cflags $(PKGS)) -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(LIB_SRCS))
FUZZ_TARGETS := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(sort $(wildcard fuzz/fuzz_*.c)))

$(FUZZ_BUILD)/lib/%.o: lib/%.c
	$(call msg,FUZZCC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/lib/compile.o: include/bee/bee.bpf.h

$(FUZZ_BUILD)/libbee.a: $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_BUILD)/libbee.a
	$(call msg,FUZZLD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_BUILD)/libbee.a $(LDLIBS) -o $@

fuzz-build: $(FUZZ_TARGETS) $(BUILD)/examples/helpers.bpf.o $(BUILD)/tests/helpers/run_target

fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)scripts/fuzz.sh $(FUZZ_BUILD) $(BUILD) $(or $(FUZZ_SECONDS),60)

clean: clean-fuzz
clean-fuzz:
	rm -rf $(FUZZ_BUILD)

.PHONY: fuzz fuzz-build clean-fuzz
