# The disassembler's test objects use cpu v3 (JMP32, ALU32, atomics with
# fetch, xchg, cmpxchg), which clang 14 emits only when asked.
$(BUILD)/tests/bpf/disasm_%.bpf.o: BPF_CFLAGS += -mcpu=v3

# The tests include "test.h" from tests/common.
$(BUILD)/tests/unit/test_disasm.o $(BUILD)/tests/kernel/test_prog.o: CFLAGS += -Itests/common

# lib/jit.c opens capstone with dlopen; --as-needed keeps the loader from
# mapping and relocating it at every start of bee (about 1 ms).
$(BUILD)/bee: LDFLAGS += -Wl,--as-needed
