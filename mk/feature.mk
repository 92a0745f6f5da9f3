# bee btf / feature / link / perf: the kernel test includes "test.h" from
# tests/common and runs the bee binary.
$(BUILD)/tests/kernel/test_feature.o: CFLAGS += -Itests/common
$(BUILD)/tests/kernel/test_feature: | $(BUILD)/bee
