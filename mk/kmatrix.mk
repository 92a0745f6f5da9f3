# The kernel matrix (tests/extra/kmatrix.sh): bee's kernel tests on the host
# and, under QEMU, on Debian's current 6.1 kernel; `make check` runs it too,
# as a step of tests/run.sh's "extra" suite.
check-kernels: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/extra/kmatrix.sh $(BUILD)

.PHONY: check-kernels

# tests/common/test.h for the kernel-matrix tests
$(BUILD)/tests/kernel/test_kmatrix_probe.o $(BUILD)/tests/kernel/test_kmatrix_tc.o \
$(BUILD)/tests/kernel/test_kmatrix_feature.o: CFLAGS += -Itests/common
