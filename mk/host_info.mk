# host_info.mk: tests/host_info.sh, the block about this host (CPU, flags, XCR0 against CPUID
# leaf 0xd, KVM flavour, trap cost) that `make test`, `make test-fast` and `make bench` print
# first, and its helper build/tests/host/xstate (xgetbv and leaf 0xd, tests/host/xstate.c).
HOST_INFO_XSTATE := $(BUILD)/tests/host/xstate

$(HOST_INFO_XSTATE): $(BUILD)/tests/host/xstate.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

TESTS_BUILD += $(HOST_INFO_XSTATE)
bench: $(HOST_INFO_XSTATE)
