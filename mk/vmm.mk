# vmm.mk: motevm, the microVM monitor (vmm/).
VMM_SRCS := \
	vmm/main.c vmm/vmm.c vmm/log.c vmm/event.c vmm/metrics.c vmm/exit_stats.c vmm/inherit.c \
	vmm/privdrop.c \
	vmm/config/config.c vmm/config/config_devices.c vmm/config/serde.c vmm/api/http.c \
	vmm/api/server.c vmm/api/routes.c vmm/api/controller.c \
	vmm/kvm/vm.c vmm/kvm/vcpu.c vmm/kvm/memory.c vmm/kvm/irq.c vmm/kvm/stats.c \
	vmm/arch/x86_64/cpu.c vmm/arch/x86_64/cpuid.c vmm/arch/x86_64/mptable.c \
	vmm/arch/x86_64/e820.c \
	vmm/boot/boot.c vmm/boot/elf.c vmm/boot/pvh.c vmm/boot/linux.c vmm/boot/initrd.c \
	vmm/boot/cmdline.c \
	vmm/devices/bus.c vmm/devices/devices.c \
	vmm/devices/legacy/serial.c vmm/devices/legacy/i8042.c \
	vmm/devices/legacy/boot_timer.c vmm/devices/legacy/exit.c vmm/devices/legacy/console.c \
	vmm/devices/virtio/mmio.c vmm/devices/virtio/queue.c vmm/devices/virtio/rng.c \
	vmm/devices/virtio/net.c vmm/devices/virtio/tap.c vmm/devices/virtio/stream.c \
	vmm/devices/virtio/virtio_devices.c vmm/devices/virtio/blk.c \
	vmm/devices/virtio/blk_req.c vmm/devices/virtio/blk_uring.c \
	vmm/devices/virtio/console.c \
	vmm/seccomp/filter.c vmm/seccomp/rules.c vmm/seccomp/json.c
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/%.o)
MOTEVM := $(BUILD)/motevm

$(VMM_OBJS): HOST_CFLAGS += -Ivmm
# Static: no dynamic loader at start-up (faster, smaller RSS); sanitizers need dynamic.
ifneq ($(SAN),1)
MOTEVM_LDFLAGS := -static
endif

$(MOTEVM): $(VMM_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) $(MOTEVM_LDFLAGS) -o $@ $(VMM_OBJS) \
		-lhttp_parser -ljansson -luring -lseccomp -lpthread

ALL_TARGETS += $(MOTEVM)

# Benchmark (bench/vmm_start.sh): a trivial PVH guest and a fork/exec/wait4 timer.
VMM_BENCH_GUEST := $(BUILD)/bench/vmm_exit_guest.elf
VMM_BENCH_RUNNER := $(BUILD)/bench/vmm_runner

$(BUILD)/bench/vmm_exit_guest.o: bench/vmm_exit_guest.S | $(DEPS_STAMP)
	$(call quiet,GUESTAS,$<)mkdir -p $(@D) && $(GUEST_CC) $(GUEST_ASFLAGS) -c -o $@ $<
$(VMM_BENCH_GUEST): $(BUILD)/bench/vmm_exit_guest.o bench/vmm_exit_guest.ld
	$(call quiet,GUESTLD,$@)$(GUEST_CC) $(GUEST_LDFLAGS) -T bench/vmm_exit_guest.ld -o $@ $<
$(VMM_BENCH_RUNNER): $(BUILD)/bench/vmm_runner.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

bench: $(VMM_BENCH_GUEST) $(VMM_BENCH_RUNNER)
BENCHES += bench/vmm_start.sh

# Fuzzing (tests/vmm/fuzz/): a libFuzzer target for the API's HTTP+JSON request path, built
# with clang. `make fuzz` runs it for FUZZ_TIME seconds; `make test` runs it for a bounded
# time through tests/vmm/api/fuzz.sh. Without clang's libFuzzer the build leaves a
# .unavailable note instead and the test skips.
FUZZ_TIME ?= 60
FUZZ_BIN := $(BUILD)/fuzz/api_fuzz
FUZZ_SRCS := tests/vmm/fuzz/api_fuzz.c tests/vmm/fuzz/controller_stub.c vmm/log.c vmm/inherit.c \
	vmm/api/http.c vmm/api/routes.c vmm/config/config.c vmm/config/config_devices.c \
	vmm/config/serde.c
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
	-Iinclude -Ivmm -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard vmm/api/*.h vmm/*.h) | $(DEPS_STAMP)
	$(call quiet,FUZZCC,$@)mkdir -p $(@D) && rm -f $@.unavailable && \
		{ clang $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS) -lhttp_parser -ljansson 2>$@.log || \
		{ mv $@.log $@.unavailable && : >$@ && \
		  echo "  (no libFuzzer: see $@.unavailable)"; }; }

fuzz: $(FUZZ_BIN)
	$(Q)[ ! -e $(FUZZ_BIN).unavailable ] || { cat $(FUZZ_BIN).unavailable; exit 1; }
	$(Q)mkdir -p $(BUILD)/fuzz/corpus && $(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) \
		-timeout=10 -rss_limit_mb=1024 $(BUILD)/fuzz/corpus tests/vmm/fuzz/corpus

.PHONY: fuzz

# API benchmark (bench/vmm_api.sh): socket start-up, request latency, InstanceStart.
VMM_API_RUNNER := $(BUILD)/bench/vmm_api_runner

$(VMM_API_RUNNER): $(BUILD)/bench/vmm_api_runner.o
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^

bench: $(VMM_API_RUNNER)
BENCHES += bench/vmm_api.sh

# mote-jailer (vmm/jailer/): motevm in a chroot, namespaces, a cgroup, as an unprivileged user.
JAILER_SRCS := vmm/jailer/main.c vmm/jailer/jail.c vmm/jailer/cgroup.c
JAILER_OBJS := $(JAILER_SRCS:%.c=$(BUILD)/%.o)
JAILER := $(BUILD)/mote-jailer

$(JAILER): $(JAILER_OBJS)
	$(call quiet,LD,$@)$(HOST_CC) $(HOST_LDFLAGS) $(MOTEVM_LDFLAGS) -o $@ $(JAILER_OBJS)

ALL_TARGETS += $(JAILER)
BENCHES += bench/jail.sh
