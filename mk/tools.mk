# The classic ready tools (tools/{execsnoop,opensnoop,...}).
#
# syslat names syscalls through the C library's table of this architecture
# (<sys/syscall.h>): generated once, so that every name the headers know is
# there without a hand-kept list.
$(BUILD)/tools/syscall_latency/syscall_names.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)echo '#include <sys/syscall.h>' | $(CC) -E -dM - | \
		sed -n 's/^#define SYS_\([a-z0-9_]*\) .*/\t{ "\1", SYS_\1 },/p' | sort > $@

$(BUILD)/tools/syscall_latency/syslat.o: $(BUILD)/tools/syscall_latency/syscall_names.h
